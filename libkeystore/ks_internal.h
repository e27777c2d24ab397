/*
 * ks_internal.h -- what libkeystore's files share and nobody else sees.
 *
 * ks_ names the public API (keystore.h, libkeystore.map); the functions
 * the library's files share are kx_ (kr_ for the keyring files,
 * kr_internal.h), so that a name says whether it is exported.
 */
#ifndef KS_INTERNAL_H
#define KS_INTERNAL_H

#include <stdarg.h>

#include "keystore.h"
#include "pkcs11/p11.h"

#define KS_ID_LEN	20	/* CKA_ID of the pairs we create */
#define KS_ID_MAX	64	/* longest CKA_ID we accept from a token */
#define KS_APP_META	"cryptokey-meta"
#define KS_APP_ENC	"cryptokey-encrypted"	/* encrypted copies (enccopy.c) */

#define KX_PEERS_SEEN	8	/* peer keys remembered: peerkey.c */

struct ks_ctx {
	char			*module_path;	/* NULL: discovery */
	char			*module_init;	/* pReserved, with module_path */
	struct p11_selector	*sel;		/* NULL: the only token */
	char			*token_spec;
	ks_secret_fn		 pin_fn;
	void			*pin_arg;

	struct p11		*p11;
	struct p11_token	 token;
	struct p11_session	 sess;
	int			 have_token;
	char			*token_uri;
	int			 token_lock;	/* slot or -1: tokenlock.c */
	int			 module_lock;	/* fd or -1: tokenlock.c */
	ks_wait_fn		 wait_fn;
	void			*wait_arg;
	int			 key_types;	/* KS_KEY_*: verbs act on */
	/* sign.c: the signing key found last, tried first next time */
	char			 sign_label[KS_LABEL_MAX + 1];
	CK_KEY_TYPE		 sign_type;
	CK_OBJECT_HANDLE	 sign_key;	/* CK_INVALID_HANDLE: none */
	long long		 sign_checked;	/* CLOCK_MONOTONIC ns */
	/* peerkey.c: the peer keys found last, reread when asked for again */
	struct kx_peer_seen {
		char		*label;		/* NULL: none */
		ks_usage	 usage;		/* what it was found for */
		CK_OBJECT_HANDLE h;
	}			 peer_seen[KX_PEERS_SEEN];
	unsigned		 peer_next;
	CK_FLAGS		 kwp;		/* AES key wrap: wrap.c */
	int			 kwp_known;	/* kwp asked of the token */
	char			 err[768];
	int			 lost;	/* the last failure: p11_rv_gone */
};

/* The cryptokey record kept beside each pair (meta.c). */
struct ks_meta {
	unsigned	version;
	ks_usage	usage;
	time_t		created;
	unsigned char	id[KS_ID_MAX];
	size_t		idlen;
};

struct ks_key {
	char			*label;
	unsigned char		 id[KS_ID_MAX];
	size_t			 idlen;
	ks_usage		 usage;
	int			 type;		/* KS_KEY_*; 0: not known */
	ks_curve		 curve;		/* EC */
	unsigned		 bits;
	int			 exportable;
	int			 encrypted;
	int			 locked;
	time_t			 created;
	unsigned char		*spki;
	size_t			 spkilen;
	char			*uri;
	int			 managed;
	CK_OBJECT_HANDLE	 priv, pub, meta;
	int			 has_priv, has_pub, has_meta;
	CK_OBJECT_HANDLE	 enc;		/* encrypted copy (protect.c) */
	int			 has_enc;
	int			 enc_exportable;	/* the copy's CKA_EXTRACTABLE */
};

/* caps.c: capabilities tried before a verb touches the token */
/* KS_OK when the token keeps private token data objects (one is created
 * and destroyed); else KS_ETOKEN, saying that what needs them. */
ks_status	 kx_need_data_objects(ks_ctx *ctx, const char *what);
/* KS_OK unless the token refuses a sensitive, extractable private key
 * (a session pair is tried); then KS_EPERM. */
ks_status	 kx_need_extractable(ks_ctx *ctx);
/* rv is the token refusing a template (an attribute or its value). */
int		 kx_rv_template_refused(CK_RV rv);

/* ctx.c */
ks_status	 kx_fail(ks_ctx *ctx, ks_status st, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
ks_status	 kx_fail_rv(ks_ctx *ctx, CK_RV rv, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
ks_status	 kx_need_session(ks_ctx *ctx);

/* tokenlock.c: the token's lock for a state-changing command (bounded
 * wait), and the module's around C_Initialize..C_Login (best effort) */
ks_status	 kx_lock_token(ks_ctx *ctx);
void		 kx_lock_module(ks_ctx *ctx);
void		 kx_unlock_module(int *fd);		/* the module's */
void		 kx_unlock_token(int *slot);

/* claim.c: verify after create, for hosts sharing a network HSM (keygen.c
 * states the rule).  old: what step 1 found under the name; ids: the
 * CKA_IDs this call has made so far. */
struct ks_claim {
	ks_key		**old;
	size_t		  nold;
	unsigned char	  ids[2][KS_ID_LEN];
	size_t		  nids;
};
/* id's record (and, when have_keys, its keys) still there and no rival */
ks_status	 kx_claim_check(ks_ctx *ctx, const char *label,
		    const struct ks_claim *c, const unsigned char *id,
		    int have_keys);
/* remove the records of the name left without keys (step 1) */
ks_status	 kx_remove_leftovers(ks_ctx *ctx, ks_key **old, size_t nold);

/* hex.c */
int		 kx_hexval(char c);	/* 0..15, or -1 */
/* hexlen digits into out; the byte count, or -1 (odd, not hex, too long) */
int		 kx_hex_decode(const char *hex, size_t hexlen,
		    unsigned char *out, size_t outsz);

/* meta.c */
#define KS_META_MAX	512
int		 kx_meta_encode(const struct ks_meta *m, char *buf,
		    size_t bufsz);
int		 kx_meta_parse(const char *buf, size_t len,
		    struct ks_meta *m);
ks_status	 kx_meta_create(ks_ctx *ctx, const char *label,
		    const struct ks_meta *m, CK_OBJECT_HANDLE *h);

/* keygen.c: read back CKA_SENSITIVE (TRUE) and CKA_EXTRACTABLE (as asked)
 * of a private key this library just made */
ks_status	 kx_check_private(ks_ctx *ctx, const char *label,
		    CK_OBJECT_HANDLE priv, int exportable);

/* spki.c */
ks_status	 kx_spki_from_rsa(const unsigned char *n, size_t nlen,
		    const unsigned char *e, size_t elen, unsigned char **der,
		    size_t *derlen, unsigned *bits);

/* ec.c */
#define KS_EC_POINT_MAX		160	/* CKA_EC_POINT, DER, P-521 */
#define KS_EC_PARAMS_MAX	32	/* CKA_EC_PARAMS we know */
struct ks_curvedef {
	ks_curve		 curve;
	const char		*name;		/* "P-256" */
	const char		*group;		/* OpenSSL's group name */
	const unsigned char	*params;	/* CKA_EC_PARAMS: DER OID */
	size_t			 paramslen;
	unsigned		 bits;
	size_t			 pointlen;	/* the bare public point */
	CK_KEY_TYPE		 key_type;	/* CKK_EC, CKK_EC_EDWARDS */
	CK_MECHANISM_TYPE	 gen;		/* key pair generation */
	CK_MECHANISM_TYPE	 sign;		/* CKM_ECDSA, CKM_EDDSA */
};
const struct ks_curvedef *kx_curvedef(ks_curve c);
const struct ks_curvedef *kx_curvedef_of_params(const unsigned char *params,
		    size_t len);
const struct ks_curvedef *kx_curvedef_of_group(const char *group);
ks_status	 kx_spki_from_ec(const unsigned char *params, size_t paramslen,
		    const unsigned char *point, size_t pointlen,
		    unsigned char **der, size_t *derlen, ks_curve *curve);
struct evp_pkey_st;
/* KS_KEY_RSA, KS_KEY_EC (named P-256, P-384, P-521; Ed25519), or 0. */
int		 kx_pkey_type(struct evp_pkey_st *pk);
ks_status	 kx_ec_point_of(struct evp_pkey_st *pk,
		    const struct ks_curvedef **d, unsigned char *point,
		    size_t *pointlen);

/* keylist.c */
/* Pairs of the context's key types (ks_ctx_set_key_types), and those
 * whose type is not known (records or copies without keys). */
ks_status	 kx_find_pairs(ks_ctx *ctx, const char *label, ks_key ***keys,
		    size_t *n, int with_spki);
/* The same, of the given KS_KEY_* types. */
ks_status	 kx_find_pairs_typed(ks_ctx *ctx, const char *label,
		    ks_key ***keys, size_t *n, int with_spki, int types);
/* A key type we handle: KS_KEY_RSA, KS_KEY_EC, or 0. */
int		 kx_keytype_of(CK_KEY_TYPE t);
void		 kx_key_free(ks_key *k);
/* A listed pair is one we can use or unlock: a private key, or a public key
 * with our record or encrypted copy.  A public key alone is a peer's key,
 * not ours.  An EC pair needs its public key object in any case: its
 * private object has no public point, so without it the pair can be
 * neither shown nor checked (a partial copy or import is not listed until
 * its public key, the last object made, is there). */
int		 kx_pair_listed(const ks_key *k);
/* Ours to remove: a private key or anything with our record. */
int		 kx_pair_ours(const ks_key *k);
/* remove one pair: public, private, encrypted copy, then the record
 * (keylist.c says why) */
ks_status	 kx_remove_pair(ks_ctx *ctx, const ks_key *k);

#endif /* KS_INTERNAL_H */
