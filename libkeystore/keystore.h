/*
 * keystore.h -- cryptokey's key lifecycle library (libkeystore).
 *
 * RSA and EC key pairs on PKCS#11 tokens, named and managed the way Cisco IOS
 * "crypto key" names and manages them.  All types are opaque; every
 * function that can fail returns a ks_status and leaves a one-line
 * explanation in ks_ctx_error().  The library never prints and never exits.
 */
#ifndef KEYSTORE_H
#define KEYSTORE_H

#include <stddef.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a call came to; the values double as the tools' exit codes. */
typedef enum ks_status {
	KS_OK = 0,
	KS_EFAIL = 1,		/* other failure */
	KS_EUSAGE = 2,		/* invalid argument */
	KS_ENOTFOUND = 3,	/* token, key or file not found */
	KS_EEXIST = 4,		/* already exists */
	KS_EPERM = 5,		/* not permitted: not exportable, locked */
	KS_EAUTH = 6,		/* PIN or passphrase wrong */
	KS_EINPUT = 7,		/* malformed input data */
	KS_ETOKEN = 8		/* token or module failure */
} ks_status;

/* What a key pair is for (IOS "usage-keys" splits the two). */
typedef enum ks_usage {
	KS_USAGE_GENERAL = 0,	/* sign and decrypt */
	KS_USAGE_SIGNATURE,	/* sign only */
	KS_USAGE_ENCRYPTION	/* decrypt (RSA) or key agreement (EC) only */
} ks_usage;

/* What "generate" creates under one name. */
typedef enum ks_kind {
	KS_KIND_GENERAL = 0,	/* one general-purpose pair */
	KS_KIND_USAGE_KEYS,	/* a signature pair and an encryption pair */
	KS_KIND_SIGNATURE,	/* a signature pair only */
	KS_KIND_ENCRYPTION	/* an encryption pair only */
} ks_kind;

/* Key types; bits of the mask of ks_ctx_set_key_types. */
typedef enum ks_keytype {
	KS_KEY_RSA = 0x01,	/* RSA pairs */
	KS_KEY_EC = 0x02	/* EC and Ed25519 pairs (CKK_EC, CKK_EC_EDWARDS) */
} ks_keytype;
/* Every key type (the mask ks_ctx_set_key_types starts with). */
#define KS_KEY_ALL	(KS_KEY_RSA | KS_KEY_EC)

/* EC curves; KS_CURVE_NONE for RSA keys and curves we do not know. */
typedef enum ks_curve {
	KS_CURVE_NONE = 0,
	KS_CURVE_P256,		/* prime256v1 / secp256r1 */
	KS_CURVE_P384,		/* secp384r1 */
	KS_CURVE_P521,		/* secp521r1 */
	KS_CURVE_ED25519	/* CKK_EC_EDWARDS, RFC 8410 */
} ks_curve;

/* Flags of ks_generate and ks_generate_ec (a bit mask). */
enum ks_gen_flags {
	KS_GEN_EXPORTABLE = 0x01,	/* the private key may be exported and
					 * moved (CKA_EXTRACTABLE=TRUE) */
	KS_GEN_REPLACE = 0x02		/* replace the pairs of an existing
					 * name instead of refusing */
};

#define KS_MODULUS_MIN		1024
#define KS_MODULUS_MAX		16384
#define KS_MODULUS_DEFAULT	2048
#define KS_LABEL_MAX		128

typedef struct ks_ctx ks_ctx;
typedef struct ks_key ks_key;

/*
 * Secret callback: write the secret (not NUL-terminated) into buf, at most
 * bufsz bytes, and its length into *len.  prompt names what is asked for.
 */
typedef ks_status (*ks_secret_fn)(void *arg, const char *prompt, char *buf,
    size_t bufsz, size_t *len);

/* Context ---------------------------------------------------------------- */

/* A new context: no module loaded, no token open yet. */
ks_status	 ks_ctx_new(ks_ctx **ctx);
/* Close the session, unload the module, release the locks, free; NULL is
 * allowed. */
void		 ks_ctx_free(ks_ctx *ctx);
/* The one-line explanation of the last failure ("unknown error" when
 * none was recorded). */
const char	*ks_ctx_error(const ks_ctx *ctx);
/*
 * 1 when the last failure was the module saying that the token, its device
 * or the session is gone (CKR_DEVICE_REMOVED, CKR_DEVICE_ERROR,
 * CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_TOKEN_NOT_PRESENT,
 * CKR_GENERAL_ERROR): this context will not work again; a new one, in a
 * new process for modules such as p11-kit-client.so, may.
 */
int		 ks_ctx_token_lost(const ks_ctx *ctx);
/* Record a failure (for callbacks such as the PIN reader); returns st. */
ks_status	 ks_ctx_fail(ks_ctx *ctx, ks_status st, const char *msg);

/* The PKCS#11 module to load; NULL: module discovery through p11-kit. */
ks_status	 ks_ctx_set_module(ks_ctx *ctx, const char *path);
/*
 * A string the module named by ks_ctx_set_module gets in C_Initialize's
 * pReserved, as p11-kit's x-init-reserved gives registered modules (NSS's
 * softoken needs its database there); NULL: none.
 */
ks_status	 ks_ctx_set_module_init_args(ks_ctx *ctx, const char *args);
/* An RFC 7512 URI ("pkcs11:token=vpn-gw") or a token label; NULL: the only
 * token there is. */
ks_status	 ks_ctx_set_token(ks_ctx *ctx, const char *spec);
/* The pin-source attribute of the token URI (NULL when absent). */
const char	*ks_ctx_uri_pin_source(const ks_ctx *ctx);
/* The pin-value attribute of the token URI (NULL when absent). */
const char	*ks_ctx_uri_pin_value(const ks_ctx *ctx);
/* The PIN at login: fn when set (it may use the URI's pin-value), else
 * the URI's pin-value. */
void		 ks_ctx_set_pin_fn(ks_ctx *ctx, ks_secret_fn fn, void *arg);

/* Flags of ks_ctx_open (a bit mask). */
enum ks_open_flags {
	KS_OPEN_LOGIN = 0x01,	/* log in as the user (the PIN as
				 * ks_ctx_set_pin_fn says) */
	KS_OPEN_WRITE = 0x02	/* a state-changing command: a read/write
				 * session, and the token's lock held until
				 * ks_ctx_free (waits at most
				 * CRYPTOKEY_LOCK_TIMEOUT seconds); without
				 * it the session is read-only and no token
				 * lock is taken */
};
/* Load the module, find the token, open a session, log in if asked. */
ks_status	 ks_ctx_open(ks_ctx *ctx, int flags);
/*
 * A second context on the token ctx has open (read-only, KS_OPEN_LOGIN
 * without WRITE): its own session on the same loaded module, for another
 * thread of the same process.  PKCS#11 keeps the login per application,
 * so the new session is logged in when ctx is, without a PIN.  Free it
 * (ks_ctx_free) before ctx; it never logs out.
 */
ks_status	 ks_ctx_open_session(ks_ctx *ctx, ks_ctx **out);
/* Called once when a lock wait passes one second; what names the token. */
typedef void (*ks_wait_fn)(void *arg, const char *what);
/* Who is told that ks_ctx_open waits for the token's lock. */
void		 ks_ctx_set_wait_fn(ks_ctx *ctx, ks_wait_fn fn, void *arg);

/* The file name of the open token's module, else the one set. */
const char	*ks_ctx_module_path(const ks_ctx *ctx);
/* The label of the open token, NULL before ks_ctx_open. */
const char	*ks_ctx_token_label(const ks_ctx *ctx);
/* The pkcs11: URI of the open token. */
const char	*ks_ctx_token_uri(const ks_ctx *ctx);

/* Token capabilities ----------------------------------------------------- */

/* A capability only a probe can tell (see ks_token_caps). */
#define KS_CAP_UNKNOWN	(-1)	/* not probed */
#define KS_CAP_NO	0	/* probed: the token refused */
#define KS_CAP_YES	1	/* probed: the token did it */

/*
 * What the token can do, as it says itself: token flags, and the info of
 * the mechanisms cryptokey uses (C_GetMechanismList, C_GetMechanismInfo).
 * Key sizes are the token's own ulMinKeySize/ulMaxKeySize (bits), 0 when
 * it gives none.  A mechanism the token lists without the flag named here
 * counts as missing.
 */
typedef struct ks_caps {
	int		login_required;	/* CKF_LOGIN_REQUIRED */
	int		pin_pad;	/* CKF_PROTECTED_AUTHENTICATION_PATH */
	int		write_protected;	/* CKF_WRITE_PROTECTED */
	int		rsa_keygen;	/* CKM_RSA_PKCS_KEY_PAIR_GEN: generate */
	unsigned	rsa_min_bits, rsa_max_bits;
	int		rsa_sign;	/* CKM_RSA_PKCS: sign */
	int		rsa_decrypt;	/* CKM_RSA_PKCS: decrypt */
	int		ec_keygen;	/* CKM_EC_KEY_PAIR_GEN: generate */
	unsigned	ec_min_bits, ec_max_bits;
	int		ec_named_curves;	/* CKF_EC_NAMEDCURVE (or no
					 * curve flags at all: not said) */
	int		ecdsa_sign;	/* CKM_ECDSA: sign */
	int		ed25519_keygen;	/* CKM_EC_EDWARDS_KEY_PAIR_GEN */
	int		eddsa_sign;	/* CKM_EDDSA: sign */
	int		ecdh_derive;	/* CKM_ECDH1_DERIVE: derive */
	int		wrap;		/* CKM_AES_KEY_WRAP_PAD: wrap */
	int		unwrap;		/* CKM_AES_KEY_WRAP_PAD: unwrap */
	/*
	 * No mechanism tells these two.  With KS_CAPS_PROBE, on a context
	 * opened with KS_OPEN_LOGIN | KS_OPEN_WRITE, they are tried: a
	 * private token data object is created and destroyed, and a session
	 * key pair (never on the token) generated sensitive and extractable
	 * and destroyed.  Otherwise KS_CAP_UNKNOWN.
	 */
	int		data_objects;	/* KS_CAP_*: token CKO_DATA objects */
	int		extractable;	/* KS_CAP_*: CKA_EXTRACTABLE keys */
} ks_caps;

/* Flags of ks_token_caps (a bit mask). */
enum ks_caps_flags {
	KS_CAPS_PROBE = 0x01	/* try what no mechanism tells (see ks_caps) */
};
/* Fill caps for the context's open token. */
ks_status	 ks_token_caps(ks_ctx *ctx, int flags, ks_caps *caps);

/* Embedded default token ------------------------------------------------- */

/*
 * The embedded default is a SoftHSM2 token in a directory of its own:
 * softhsm2.conf, tokens/, and the PIN files user.pin and so.pin (0600).
 * ks_embedded_dir() resolves $CRYPTOKEY_DIR, else /var/lib/cryptokey for
 * root, else $XDG_DATA_HOME/cryptokey (~/.local/share/cryptokey).
 */
/* The embedded token's directory, as above, into buf. */
ks_status	 ks_embedded_dir(char *buf, size_t bufsz);
/* 1 when dir holds an embedded token (its softhsm2.conf). */
int		 ks_embedded_exists(const char *dir);
/* Point SoftHSM2 at dir's softhsm2.conf (replacing any SOFTHSM2_CONF: the
 * embedded PIN must not be offered to another token). */
ks_status	 ks_embedded_use(const char *dir);
/* Path of dir's user PIN file, for use as "file:PATH". */
ks_status	 ks_embedded_pin_file(const char *dir, char *buf, size_t bufsz);
/*
 * Create dir and a token labelled token_label in it.  pin NULL: a random
 * PIN is made and kept in dir/user.pin.  The SO PIN is always random and
 * kept in dir/so.pin.  Uses the context's module (SoftHSM2 by default).
 */
ks_status	 ks_embedded_init(ks_ctx *ctx, const char *dir,
		    const char *token_label, const char *pin, size_t pinlen);

/* Key pairs -------------------------------------------------------------- */

/* The host's FQDN (the IOS default key name), or its plain host name. */
ks_status	 ks_default_label(char *buf, size_t bufsz);
/* KS_OK when label may name a key; else KS_EUSAGE with a reason. */
ks_status	 ks_label_check(ks_ctx *ctx, const char *label);

/*
 * Generate RSA pairs of bits (KS_MODULUS_MIN to KS_MODULUS_MAX) as kind
 * under label; flags are enum ks_gen_flags.  An existing name is KS_EEXIST
 * unless KS_GEN_REPLACE.
 */
ks_status	 ks_generate(ks_ctx *ctx, const char *label, unsigned bits,
		    ks_kind kind, int flags);
/*
 * An EC pair (CKM_EC_KEY_PAIR_GEN with the curve's named-curve OID in
 * CKA_EC_PARAMS; Ed25519 with CKM_EC_EDWARDS_KEY_PAIR_GEN), otherwise as
 * ks_generate.  Encryption pairs are key-agreement pairs (CKA_DERIVE);
 * Ed25519 signs only (KS_EUSAGE for encryption).  KS_ETOKEN when the token
 * lacks the mechanism or the curve.
 */
ks_status	 ks_generate_ec(ks_ctx *ctx, const char *label, ks_curve curve,
		    ks_kind kind, int flags);
/* "P-256", "P-384", "P-521", "Ed25519"; NULL for KS_CURVE_NONE. */
const char	*ks_curve_name(ks_curve c);
/* The curve of an EC keysize (256, 384, 521), or KS_CURVE_NONE. */
ks_curve	 ks_curve_of_bits(unsigned bits);
/* "rsa", "ec" */
const char	*ks_keytype_name(ks_keytype t);
/*
 * The key types that ks_list, ks_zeroize, ks_export, ks_encrypt,
 * ks_decrypt, ks_lock, ks_unlock, ks_move and ks_make_non_exportable act
 * on (IOS "... rsa" / "... ec"); default KS_KEY_ALL.  A name is still one
 * name across types: generating or importing refuses (or replaces) a pair
 * of the other type.
 */
void		 ks_ctx_set_key_types(ks_ctx *ctx, int types);

/* Key pairs on the token, by name (NULL: all), sorted by name then usage. */
ks_status	 ks_list(ks_ctx *ctx, const char *label, ks_key ***keys,
		    size_t *n);
/* Free what ks_list returned. */
void		 ks_keys_free(ks_key **keys, size_t n);

const char	*ks_key_label(const ks_key *k);	/* the key's name */
ks_usage	 ks_key_usage(const ks_key *k);	/* what the pair is for */
const char	*ks_usage_name(ks_usage u);	/* "general", ... */
const char	*ks_usage_words(ks_usage u);	/* IOS: "General Purpose Key" */
unsigned	 ks_key_bits(const ks_key *k);	/* modulus or curve size */
ks_keytype	 ks_key_type(const ks_key *k);	/* RSA or EC */
ks_curve	 ks_key_curve(const ks_key *k);	/* EC keys */
/* CKA_ID of the pair (*len bytes). */
const unsigned char *ks_key_id(const ks_key *k, size_t *len);
int		 ks_key_exportable(const ks_key *k);	/* CKA_EXTRACTABLE */
int		 ks_key_encrypted(const ks_key *k);	/* has an encrypted copy */
int		 ks_key_locked(const ks_key *k);	/* only the copy is left */
/* Created or imported at; 0 when cryptokey did not record it. */
time_t		 ks_key_created(const ks_key *k);
/* DER SubjectPublicKeyInfo. */
const unsigned char *ks_key_spki(const ks_key *k, size_t *len);
/* PEM "BEGIN PUBLIC KEY", allocated; free with free(). */
char		*ks_key_public_pem(const ks_key *k);
/* pkcs11: URI naming the pair on its token. */
const char	*ks_key_uri(const ks_key *k);
/* 1 when cryptokey manages the pair (it has cryptokey's record). */
int		 ks_key_managed(const ks_key *k);

/*
 * Remove the pairs named label (NULL: every pair cryptokey manages on the
 * token, and any half-made leftovers).  *removed counts pairs.
 */
ks_status	 ks_zeroize(ks_ctx *ctx, const char *label, size_t *removed);

/* Signing ---------------------------------------------------------------- */

typedef enum ks_sig {
	KS_SIG_RSA_PKCS_RAW = 0,	/* PKCS#1 v1.5 over the input as is */
	KS_SIG_SHA1_RSA_PKCS,		/* the token hashes the input */
	KS_SIG_SHA256_RSA_PKCS,
	KS_SIG_SHA384_RSA_PKCS,
	KS_SIG_SHA512_RSA_PKCS,
	/* The input is a hash the caller made, of exactly that hash's length.
	 * PKCS#1 v1.5: its DigestInfo is prepended here, then CKM_RSA_PKCS. */
	KS_SIG_RSA_PKCS_SHA1_HASH,
	KS_SIG_RSA_PKCS_SHA256_HASH,
	KS_SIG_RSA_PKCS_SHA384_HASH,
	KS_SIG_RSA_PKCS_SHA512_HASH,
	/* RSASSA-PSS (CKM_RSA_PKCS_PSS): MGF1 with the same hash, a salt as
	 * long as the hash.  KS_ETOKEN when the token cannot. */
	KS_SIG_RSA_PSS_SHA256,
	KS_SIG_RSA_PSS_SHA384,
	KS_SIG_RSA_PSS_SHA512,
	/* ECDSA (CKM_ECDSA) over a hash the caller made (20 to 64 bytes)
	 * with the label's EC signing key.  The signature is the token's
	 * raw r || s, each as long as the curve's order (64, 96 or 132
	 * bytes); DER is the caller's business (RFC 4754 wants raw). */
	KS_SIG_ECDSA_HASH,
	/* Ed25519 (CKM_EDDSA, pure) over the whole message: 64 bytes. */
	KS_SIG_EDDSA
} ks_sig;

/* Sign with the signing key of label; *siglen is the buffer size on entry.
 * The key must be of the mech's type (RSA, EC, Ed25519): KS_ENOTFOUND
 * when label has no such signing key.
 * KS_EUSAGE for an unknown mech or a hash of the wrong length. */
ks_status	 ks_sign(ks_ctx *ctx, const char *label, ks_sig mech,
		    const unsigned char *in, size_t inlen, unsigned char *sig,
		    size_t *siglen);

/* Export and import (PEM) ------------------------------------------------ */

/* How "export" encrypts a private key (IOS: aes, 3des, des). */
typedef enum ks_cipher {
	KS_CIPHER_AES256 = 0,	/* PKCS#8 ENCRYPTED PRIVATE KEY, PBKDF2 */
	KS_CIPHER_3DES,		/* BEGIN RSA PRIVATE KEY, DES-EDE3-CBC */
	KS_CIPHER_DES		/* BEGIN RSA PRIVATE KEY, DES-CBC (legacy) */
} ks_cipher;

/* Flags of ks_export (a bit mask). */
enum ks_export_flags {
	KS_EXPORT_PUBLIC = 0x01		/* public keys only, no passphrase */
};
/* Flags of ks_import (a bit mask), as for ks_generate. */
enum ks_import_flags {
	KS_IMPORT_EXPORTABLE = KS_GEN_EXPORTABLE, /* the imported private key
						   * stays exportable */
	KS_IMPORT_REPLACE = KS_GEN_REPLACE	/* replace the pairs of an
						 * existing name */
};
#define KS_PEM_MAX		(256 * 1024)	/* largest input import takes */
#define KS_PASSPHRASE_MIN	4

/*
 * The pairs named label as PEM text (allocated, NUL-terminated, *len
 * without the NUL; free with free()): per pair the IOS lines "% Key name:"
 * and "Usage:", the public key, and unless KS_EXPORT_PUBLIC the private
 * key encrypted under a passphrase that passfn is asked for once (after
 * every pair was found exportable).  Through C_WrapKey only: KS_EPERM for
 * a key that is not exportable.  passfn records its own failure with
 * ks_ctx_fail.
 */
ks_status	 ks_export(ks_ctx *ctx, const char *label, ks_cipher cipher,
		    int flags, ks_secret_fn passfn, void *passarg, char **pem,
		    size_t *len);
/*
 * Import the RSA private keys in pem (traditional or PKCS#8, encrypted or
 * not; passfn is asked only when a key is encrypted) as kind under label
 * through C_UnwrapKey.  KS_KIND_USAGE_KEYS takes two keys (as "export"
 * writes them), the others one.  Everything is checked before the token
 * changes; on failure the token is as it was.
 */
ks_status	 ks_import(ks_ctx *ctx, const char *label, const char *pem,
		    size_t len, ks_kind kind, int flags, ks_secret_fn passfn,
		    void *passarg);

/* Protected keys and move ------------------------------------------------ */

/*
 * Encrypted = the token also holds an encrypted copy of the private key,
 * wrapped under a key derived from a passphrase; locked = the usable
 * private key object is gone and only the copy is left (IOS "crypto key
 * encrypt/decrypt/lock/unlock rsa").  In the four calls below, label NULL
 * is every pair cryptokey manages on the token (not for ks_decrypt);
 * passfn is asked once per call; *done counts the pairs changed; a wrong
 * passphrase is KS_EAUTH with nothing changed.
 */

/*
 * Give label's pairs an encrypted copy.  kdf: "pbkdf2[:ITERATIONS]"
 * (default, 600000) or "scrypt[:N:r:p]"; KS_EPERM for a key that is not
 * exportable or is locked, KS_EEXIST when label's pairs are all encrypted
 * already.
 */
ks_status	 ks_encrypt(ks_ctx *ctx, const char *label, const char *kdf,
		    ks_secret_fn passfn, void *passarg, size_t *done);
/* Leave label's pairs plain (unlocking a locked one first). */
ks_status	 ks_decrypt(ks_ctx *ctx, const char *label,
		    ks_secret_fn passfn, void *passarg);
/* Flags of ks_lock (a bit mask). */
enum ks_lock_flags {
	KS_LOCK_NO_PASSPHRASE = 0x01	/* check the copy by its key ID and
					 * public key fingerprint only, without
					 * a passphrase (for locking at boot) */
};
/* Remove the usable private key of encrypted pairs, keeping the copy. */
ks_status	 ks_lock(ks_ctx *ctx, const char *label, int flags,
		    ks_secret_fn passfn, void *passarg, size_t *done);
/* Make the usable private key again from the encrypted copy. */
ks_status	 ks_unlock(ks_ctx *ctx, const char *label,
		    ks_secret_fn passfn, void *passarg, size_t *done);

/* Flags of ks_move (a bit mask). */
enum ks_move_flags {
	KS_MOVE_NON_EXPORTABLE = 0x01	/* the destination key is not
					 * exportable */
};
/*
 * Move label's pairs (private and public key, record, encrypted copy) from
 * the token of src to the token of dst, both open and logged in: copy,
 * check the copy by a sign/verify (or decrypt) round trip, then remove the
 * source.  A rerun after a crash finishes a move cut short.  Errors are
 * reported in src.
 */
ks_status	 ks_move(ks_ctx *src, ks_ctx *dst, const char *label,
		    int flags);
/* Make label's pairs non-exportable in place (irreversible). */
ks_status	 ks_make_non_exportable(ks_ctx *ctx, const char *label,
		    size_t *done);

/* Keyrings and the pubkey chain ------------------------------------------ */

/*
 * A keyring (IOS "crypto keyring") is a named set of peer credentials on
 * the token: RSA and EC public keys found by address, hostname or name, and
 * pre-shared keys found by address[/mask] or hostname.  The keyring
 * "default" is the IOS pubkey chain and global ISAKMP keys; it always
 * exists.  Storage is described in keyring.c, peerkey.c and psk.c.
 */
#define KS_KEYRING_DEFAULT	"default"
#define KS_KEYRING_NAME_MAX	32
#define KS_KEYRING_DESC_MAX	80
#define KS_PEER_ID_MAX		160	/* longest normalised peer identity */
#define KS_PSK_MAX		256	/* longest pre-shared key, bytes */
#define KS_KEYSTRING_MAX	65536	/* longest key-string text, bytes */

/* How a keyring entry names its peer. */
typedef enum ks_peer_by {
	KS_PEER_ADDRESS = 0,	/* an IPv4 or IPv6 address (PSKs: /mask) */
	KS_PEER_HOSTNAME,	/* an FQDN */
	KS_PEER_NAME		/* IOS named-key: the peer's FQDN identity */
} ks_peer_by;

/*
 * The RSA or EC public key (DER SubjectPublicKeyInfo, allocated, free())
 * of a peer in keyring (NULL: "default"), found by address, hostname or
 * name.  usage KS_USAGE_SIGNATURE finds a signature or general-purpose
 * key, KS_USAGE_ENCRYPTION an encryption or general-purpose key,
 * KS_USAGE_GENERAL any key (a general one first).  An address matches
 * keys added by that address; a hostname or name matches keys added by
 * hostname or by name (both are the peer's FQDN identity).  KS_ENOTFOUND
 * when there is none.
 */
ks_status	 ks_keyring_peer_key(ks_ctx *ctx, const char *keyring,
		    ks_peer_by by, const char *id, ks_usage usage,
		    unsigned char **spki, size_t *spkilen);

/* What a keyring entry holds. */
typedef enum ks_peer_kind {
	KS_PEER_PUBKEY = 0,	/* IOS rsa-pubkey / addressed-key / named-key */
	KS_PEER_PSK		/* IOS pre-shared-key / crypto isakmp key */
} ks_peer_kind;

typedef struct ks_keyring ks_keyring;
typedef struct ks_peer ks_peer;

/* "address", "hostname", "name" */
const char	*ks_peer_by_name(ks_peer_by by);
/* KS_OK when name may name a keyring; else KS_EUSAGE with a reason. */
ks_status	 ks_keyring_name_check(ks_ctx *ctx, const char *name);
/*
 * The normal form of a peer identity, as keyrings store it: an IPv4 or
 * IPv6 address as inet_ntop writes it, with "/N" when mask_ok and a mask
 * (given as /N or as a dotted IPv4 mask) is shorter than the address; a
 * hostname in lower case without a trailing dot; a name as given.
 * KS_EINPUT with a reason when it does not parse.
 */
ks_status	 ks_peer_id_normalise(ks_ctx *ctx, ks_peer_by by, int mask_ok,
		    const char *in, char *out, size_t outsz);

/* IOS key-string hex (whitespace free-form, optional trailing "quit") to
 * a checked RSA or EC SubjectPublicKeyInfo (allocated, free()); KS_EINPUT. */
ks_status	 ks_keystring_parse(ks_ctx *ctx, const char *text, size_t len,
		    unsigned char **spki, size_t *spkilen);
/* PEM public key ("PUBLIC KEY", "RSA PUBLIC KEY" or a "CERTIFICATE") to a
 * checked RSA or EC SubjectPublicKeyInfo (allocated, free()); KS_EINPUT. */
ks_status	 ks_pubkey_pem_parse(ks_ctx *ctx, const char *text, size_t len,
		    unsigned char **spki, size_t *spkilen);

/* A new keyring (KS_EEXIST when name is taken); description and
 * local_address may be NULL. */
ks_status	 ks_keyring_create(ks_ctx *ctx, const char *name,
		    const char *description, const char *local_address);
/* Remove a keyring with its entries; *removed counts entries. */
ks_status	 ks_keyring_delete(ks_ctx *ctx, const char *name,
		    size_t *removed);
/* Keyrings with their entries ("default" first), or only name's. */
ks_status	 ks_keyring_list(ks_ctx *ctx, const char *name,
		    ks_keyring ***rings, size_t *n);
/* Free what ks_keyring_list returned. */
void		 ks_keyrings_free(ks_keyring **rings, size_t n);

const char	*ks_keyring_name(const ks_keyring *r);	/* the keyring's name */
const char	*ks_keyring_description(const ks_keyring *r);	/* or NULL */
const char	*ks_keyring_local_address(const ks_keyring *r);	/* or NULL */
/* pkcs11: URI of the keyring's record; NULL for "default". */
const char	*ks_keyring_uri(const ks_keyring *r);
/* 1 when entries exist whose keyring record is missing. */
int		 ks_keyring_orphaned(const ks_keyring *r);
size_t		 ks_keyring_count(const ks_keyring *r);	/* its entries */
/* Entries sorted by kind, match, identity and usage. */
const ks_peer	*ks_keyring_entry(const ks_keyring *r, size_t i);

ks_peer_kind	 ks_peer_kind_of(const ks_peer *p);	/* key or PSK */
ks_peer_by	 ks_peer_match(const ks_peer *p);	/* how it names the peer */
const char	*ks_peer_id(const ks_peer *p);		/* normal form */
const char	*ks_peer_label(const ks_peer *p);	/* CKA_LABEL */
/* CKA_ID of the entry's object (*len bytes). */
const unsigned char *ks_peer_key_id(const ks_peer *p, size_t *len);
const char	*ks_peer_uri(const ks_peer *p);	/* pkcs11: URI of the object */
/* Public keys only (PSKs: general, 0, NULL): */
ks_usage	 ks_peer_usage(const ks_peer *p);	/* what the key is for */
unsigned	 ks_peer_bits(const ks_peer *p);	/* modulus or curve size */
ks_keytype	 ks_peer_key_type(const ks_peer *p);	/* RSA or EC */
ks_curve	 ks_peer_curve(const ks_peer *p);	/* EC keys */
/* DER SubjectPublicKeyInfo (*len bytes). */
const unsigned char *ks_peer_spki(const ks_peer *p, size_t *len);
char		*ks_peer_public_pem(const ks_peer *p);	/* allocated */
/* PSKs only: the flags as read back from the token. */
int		 ks_peer_sensitive(const ks_peer *p);	/* CKA_SENSITIVE */
int		 ks_peer_extractable(const ks_peer *p);	/* CKA_EXTRACTABLE */

/* Add a peer's public key; id is normalised here; the keyring must exist
 * (KS_ENOTFOUND); an entry that overlaps (same peer, same or general
 * usage) is KS_EEXIST. */
ks_status	 ks_keyring_add_pubkey(ks_ctx *ctx, const char *keyring,
		    ks_peer_by by, const char *id, ks_usage usage,
		    const unsigned char *spki, size_t spkilen);
/* Every public key of the peer (all usages); *removed counts them. */
ks_status	 ks_keyring_del_pubkey(ks_ctx *ctx, const char *keyring,
		    ks_peer_by by, const char *id, size_t *removed);
/* Add a pre-shared key for the peer in keyring; by:
 * KS_PEER_ADDRESS (a mask allowed) or KS_PEER_HOSTNAME. */
ks_status	 ks_keyring_add_psk(ks_ctx *ctx, const char *keyring,
		    ks_peer_by by, const char *id, const unsigned char *psk,
		    size_t psklen);
/* Remove the pre-shared key of the peer; KS_ENOTFOUND when none. */
ks_status	 ks_keyring_del_psk(ks_ctx *ctx, const char *keyring,
		    ks_peer_by by, const char *id);

/* The IKE prf keyed by a pre-shared key, computed on the token: its hash. */
typedef enum ks_hmac {
	KS_HMAC_MD5 = 0,	/* CKM_MD5_HMAC, 16 bytes */
	KS_HMAC_SHA1,		/* CKM_SHA_1_HMAC, 20 */
	KS_HMAC_SHA256,		/* CKM_SHA256_HMAC, 32 */
	KS_HMAC_SHA384,		/* CKM_SHA384_HMAC, 48 */
	KS_HMAC_SHA512		/* CKM_SHA512_HMAC, 64 */
} ks_hmac;
/*
 * HMAC-h(PSK, data) into out (*outlen: the buffer size in, the HMAC's
 * length out) with the PSK of the peer in keyring (NULL: "default"),
 * through C_SignInit/C_Sign: the PSK never leaves the token.  By address
 * (no mask): the entry whose address/mask covers it with the longest mask,
 * as IOS chooses; by hostname or name: the hostname's entry, case-
 * insensitive.  KS_ENOTFOUND when the keyring has none for the peer,
 * KS_ETOKEN when the token lacks the HMAC mechanism, KS_EUSAGE for an
 * unknown h or a buffer too small.
 */
ks_status	 ks_keyring_psk_prf(ks_ctx *ctx, const char *keyring,
		    ks_peer_by by, const char *id, ks_hmac h,
		    const unsigned char *data, size_t datalen,
		    unsigned char *out, size_t *outlen);
/* KS_OK when keyring (NULL: "default", which always exists) is on the
 * token; else KS_ENOTFOUND with a message naming it. */
ks_status	 ks_keyring_exists(ks_ctx *ctx, const char *keyring);

#ifdef __cplusplus
}
#endif

#endif /* KEYSTORE_H */
