/*
 * ks_protect.h -- what enccopy.c, protect.c, lock.c and move.c share: the
 * encrypted copy of a private key (its format and its object on the
 * token).  Internal to libkeystore.
 */
#ifndef KS_PROTECT_H
#define KS_PROTECT_H

#include "ks_internal.h"
#include "ks_xfer.h"

#ifndef CKM_AES_KEY_WRAP_PAD
#define CKM_AES_KEY_WRAP_PAD	0x0000210AUL
#endif

#define KS_ENC_MAGIC		"CKYENC"	/* 6 bytes */
#define KS_ENC_VERSION		1
#define KS_ENC_MAX		16384	/* largest copy we write or read */
#define KS_ENC_SALT_MIN		16
#define KS_ENC_SALT_MAX		64
#define KS_ENC_SALT_LEN		32	/* what we write */
#define KS_ENC_ATTRS_MAX	8
#define KS_ENC_MAC_LEN		32	/* HMAC-SHA256 */
#define KS_ENC_KEY_LEN		32	/* AES-256 key-encryption key */
#define KS_ENC_PASS_MAX		1024	/* longest passphrase */

enum ks_kdf_type {
	KS_KDF_PBKDF2 = 1,	/* PBKDF2-HMAC-SHA256 */
	KS_KDF_SCRYPT = 2
};

/* Bounds of what we derive: a copy asking for more is bad input. */
#define KS_PBKDF2_MIN		1000UL
#define KS_PBKDF2_MAX		10000000UL
#define KS_SCRYPT_LOG2N_MIN	10
#define KS_SCRYPT_LOG2N_MAX	20
#define KS_SCRYPT_R_MAX		16
#define KS_SCRYPT_P_MAX		16
#define KS_SCRYPT_MEM_MAX	(256UL * 1024 * 1024)	/* 128*N*r bytes */

struct ks_kdf {
	enum ks_kdf_type	type;
	unsigned long		iter;		/* PBKDF2 */
	unsigned		log2n;		/* scrypt N = 2^log2n */
	unsigned long		r, p;		/* scrypt */
};

struct ks_enc_attr {
	CK_ATTRIBUTE_TYPE	type;
	CK_BBOOL		value;
};

/*
 * An encrypted copy, parsed.  On disk (CKA_VALUE of a CKO_DATA object with
 * CKA_APPLICATION "cryptokey-encrypted", CKA_LABEL = the key name), all
 * numbers big-endian:
 *
 *	"CKYENC"  version(1)  0(1)  header length H(2)
 *	H bytes of fields: tag(1) length(1) value
 *	  1 KDF		1 = PBKDF2-HMAC-SHA256: iterations(4)
 *			2 = scrypt: log2 N(1) r(4) p(4)
 *	  2 salt	16..64 bytes
 *	  3 wrap	CKM_* of the wrapped key(4): CKM_AES_KEY_WRAP_PAD
 *	  4 key ID	the pair's CKA_ID, 1..64 bytes
 *	  5 usage	0 general, 1 signature, 2 encryption
 *	  6 attributes	per boolean attribute to restore: CKA_*(4) value(1)
 *	  7 public key	SHA-256 of the pair's SubjectPublicKeyInfo
 *	  unknown tags are skipped (a later version may add some); each
 *	  known tag at most once, all of them required
 *	the wrapped private key (C_WrapKey, a multiple of 8 bytes)
 *	HMAC-SHA256 over everything before it (32)
 *
 * From the passphrase and salt the KDF makes a 32-byte secret; HKDF-Expand
 * (RFC 5869, one block) turns it into the AES-256 key-encryption key and
 * the MAC key.  The MAC proves the passphrase before the token sees
 * anything, and keeps the header from being changed.
 */
struct ks_enc {
	unsigned		version;
	struct ks_kdf		kdf;
	unsigned char		salt[KS_ENC_SALT_MAX];
	size_t			saltlen;
	CK_MECHANISM_TYPE	wrap;
	unsigned char		id[KS_ID_MAX];
	size_t			idlen;
	ks_usage		usage;
	struct ks_enc_attr	attrs[KS_ENC_ATTRS_MAX];
	size_t			nattrs;
	unsigned char		spki_sha256[32];
	const unsigned char	*blob;		/* into the parsed buffer */
	size_t			bloblen;
	size_t			maclen_off;	/* bytes the MAC covers */
};

/* The keys a passphrase gives for one copy; wipe with kx_enc_keys_clear. */
struct ks_enc_keys {
	unsigned char	kek[KS_ENC_KEY_LEN];
	unsigned char	mac[32];
};

/* enccopy.c (no token) --------------------------------------------------- */

/* "pbkdf2[:ITERATIONS]" or "scrypt[:N:r:p]" (NULL: the default); -1 bad. */
int		 kx_kdf_parse(const char *spec, struct ks_kdf *kdf);
/* 0 when the parameters are within our bounds. */
int		 kx_kdf_check(const struct ks_kdf *kdf);
/* Derive both keys; -1 on failure (OpenSSL). */
int		 kx_enc_derive(const struct ks_enc *e, const char *pass,
		    size_t passlen, struct ks_enc_keys *k);
void		 kx_enc_keys_clear(struct ks_enc_keys *k);
/* Bounded parser of a copy: 0 and e filled (pointing into buf), or -1. */
int		 kx_enc_parse(const unsigned char *buf, size_t len,
		    struct ks_enc *e);
/* 1 when the MAC of the parsed copy in buf is right for k. */
int		 kx_enc_mac_ok(const unsigned char *buf, const struct ks_enc *e,
		    const struct ks_enc_keys *k);
/* The copy for e (its blob and bloblen set) as bytes (*out allocated). */
int		 kx_enc_encode(const struct ks_enc *e,
		    const struct ks_enc_keys *k, unsigned char **out,
		    size_t *outlen);

/* protect.c (token) ------------------------------------------------------ */

/* A copy read from the token, parsed, with the passphrase's keys. */
struct ks_opened {
	unsigned char		*buf;
	size_t			 len;
	struct ks_enc		 e;
	struct ks_enc_keys	 keys;
};

/* Read the value of the copy at h (*buf allocated, free()). */
ks_status	 kx_enc_read(ks_ctx *ctx, CK_OBJECT_HANDLE h, const char *label,
		    unsigned char **buf, size_t *len);
/* Store a copy for label (one C_CreateObject). */
ks_status	 kx_enc_store(ks_ctx *ctx, const char *label,
		    const unsigned char *buf, size_t len, CK_OBJECT_HANDLE *h);
/* SPKI (DER, allocated) of the RSA key at h, from CKA_MODULUS/EXPONENT. */
ks_status	 kx_key_spki_of(ks_ctx *ctx, CK_OBJECT_HANDLE h,
		    const char *label, unsigned char **spki, size_t *spkilen);

/* keycheck.c: the private key object h belongs to k's public key (RSA: its
 * modulus and exponent; EC: a signature, or an ECDH secret, the token
 * makes with it and OpenSSL checks with k's public key).  KS_EINPUT when
 * it does not. */
ks_status	 kx_private_matches(ks_ctx *ctx, CK_OBJECT_HANDLE h,
		    const ks_key *k);

/* The boolean attributes of a private key that unlock and move restore. */
ks_status	 kx_priv_attrs(ks_ctx *ctx, CK_OBJECT_HANDLE priv,
		    const char *label, struct ks_enc_attr *attrs, size_t *n);
/*
 * C_UnwrapKey of blob under wk: onto the token with k's label, ID and the
 * attributes (extractable FALSE when non_exportable), or as a bare session
 * object for a check.  Its public key must be k's and a token object must
 * read back sensitive and as exportable as asked, else it is destroyed.
 */
ks_status	 kx_unwrap_checked(ks_ctx *ctx, struct ks_wrapkey *wk,
		    const unsigned char *blob, size_t bloblen,
		    const struct ks_key *k, const struct ks_enc_attr *attrs,
		    size_t nattrs, int on_token, int non_exportable,
		    CK_OBJECT_HANDLE *out);
/* Read and parse k's copy, check it belongs to k; with pass, derive its
 * keys and check the MAC (KS_EAUTH).  Release with kx_enc_close. */
ks_status	 kx_enc_open(ks_ctx *ctx, const ks_key *k, const char *pass,
		    size_t passlen, struct ks_opened *o);
void		 kx_enc_close(struct ks_opened *o);
/* Unwrap an opened copy into a session object (check) or onto the token. */
ks_status	 kx_enc_unwrap(ks_ctx *ctx, const ks_key *k,
		    struct ks_opened *o, int on_token, CK_OBJECT_HANDLE *h);
/* Ask fn for a passphrase of at least KS_PASSPHRASE_MIN characters. */
ks_status	 kx_ask_pass(ks_ctx *ctx, ks_secret_fn fn, void *arg,
		    const char *prompt, char *buf, size_t bufsz, size_t *len);
/* Listed pairs of label, or every managed one (label NULL); KS_ENOTFOUND
 * when label has none. */
ks_status	 kx_protect_targets(ks_ctx *ctx, const char *label,
		    ks_key ***keys, size_t *n);

#endif /* KS_PROTECT_H */
