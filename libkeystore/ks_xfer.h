/*
 * ks_xfer.h -- what export.c, import.c, pem.c and wrap.c share: keys in
 * PEM and keys through a session wrapping key.  Internal to libkeystore.
 */
#ifndef KS_XFER_H
#define KS_XFER_H

#include <openssl/bio.h>
#include <openssl/evp.h>

#include "ks_internal.h"

#define KS_PEM_KEYS_MAX		4	/* private (or public) keys in a file */
#define KS_PEM_BLOCKS_MAX	16	/* PEM blocks in a file */
#define KS_PBKDF2_ITER		600000	/* what we write (PBKDF2-HMAC-SHA256) */
#define KS_PBE_ITER_MAX		10000000UL	/* most we derive when reading */

/* pem.c ------------------------------------------------------------------ */

struct ks_pem_key {
	EVP_PKEY	*pkey;		/* an RSA or EC private key */
	ks_usage	 usage;		/* from an IOS "Usage:" line */
	int		 tagged;	/* usage came from such a line */
};

struct ks_pem {
	struct ks_pem_key	 priv[KS_PEM_KEYS_MAX];
	size_t			 npriv;
	EVP_PKEY		*pub[KS_PEM_KEYS_MAX];	/* public keys seen */
	size_t			 npub;
};

/* A passphrase already known, for kx_pem_fixed_pass. */
struct ks_pass {
	const char	*pass;
	size_t		 len;
};

/*
 * Read the keys of types (KS_KEY_*) in buf (at most KS_PEM_MAX bytes); a
 * key of another type is KS_EINPUT.  passfn is called at
 * most once, when the first encrypted block is met; max_iter caps the PBE
 * work.  KS_EINPUT for malformed input, KS_EAUTH for a wrong passphrase.
 * At least one private key on success; release with kx_pem_clear.
 */
ks_status	 kx_pem_read(ks_ctx *ctx, const char *buf, size_t len,
		    int types, ks_secret_fn passfn, void *passarg,
		    unsigned long max_iter, struct ks_pem *out);
void		 kx_pem_clear(struct ks_pem *p);
/* ks_secret_fn returning the struct ks_pass at arg. */
ks_status	 kx_pem_fixed_pass(void *arg, const char *prompt, char *buf,
		    size_t bufsz, size_t *len);
/* Append pk encrypted under pass; checked to be encrypted and to read back. */
ks_status	 kx_pem_write_private(ks_ctx *ctx, EVP_PKEY *pk,
		    ks_cipher cipher, const char *pass, size_t passlen,
		    BIO *out);

/* wrap.c ----------------------------------------------------------------- */

/* A session AES-256 key (CKA_TOKEN=FALSE) whose value we also hold. */
struct ks_wrapkey {
	CK_OBJECT_HANDLE	h;
	unsigned char		key[32];
	int			made;
};

ks_status	 kx_wrapkey_make(ks_ctx *ctx, struct ks_wrapkey *wk);
/* The same with a value the caller chose (32 bytes, copied). */
ks_status	 kx_wrapkey_load(ks_ctx *ctx, struct ks_wrapkey *wk,
		    const unsigned char *key);
/* Destroy the session object and wipe the value; safe to call twice. */
void		 kx_wrapkey_destroy(ks_ctx *ctx, struct ks_wrapkey *wk);
/*
 * C_WrapKey (CKM_AES_KEY_WRAP_PAD) of a private key, unwrapped in software
 * and cut to its PKCS#8 DER (*der allocated; wipe and free with
 * kx_der_free).  KS_EPERM when the token says the key is unextractable.
 */
ks_status	 kx_wrap_private(ks_ctx *ctx, struct ks_wrapkey *wk,
		    CK_OBJECT_HANDLE priv, const char *label,
		    unsigned char **der, size_t *derlen);
/* Only the C_WrapKey: the token's wrapped key (*blob allocated, free()). */
ks_status	 kx_wrap_blob(ks_ctx *ctx, struct ks_wrapkey *wk,
		    CK_OBJECT_HANDLE priv, const char *label,
		    unsigned char **blob, size_t *bloblen);
/* Only the C_UnwrapKey of a wrapped key with the template. */
ks_status	 kx_unwrap_blob(ks_ctx *ctx, struct ks_wrapkey *wk,
		    const unsigned char *blob, size_t bloblen,
		    CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl, const char *label,
		    CK_OBJECT_HANDLE *priv);
/*
 * Wrap PKCS#8 DER in software, then C_UnwrapKey with the template.  On a
 * token that cannot unwrap with CKM_AES_KEY_WRAP_PAD this and
 * kx_unwrap_blob go by kx_create_private instead.
 */
ks_status	 kx_unwrap_private(ks_ctx *ctx, struct ks_wrapkey *wk,
		    const unsigned char *der, size_t derlen, CK_ATTRIBUTE *tmpl,
		    CK_ULONG ntmpl, const char *label, CK_OBJECT_HANDLE *priv);
void		 kx_der_free(unsigned char *der, size_t len);
/* *yes: the token lists CKM_AES_KEY_WRAP_PAD for unwrapping. */
ks_status	 kx_token_unwraps(ks_ctx *ctx, int *yes);

/* privcreate.c ----------------------------------------------------------- */

/* C_CreateObject of PKCS#8 DER's RSA components with the template. */
ks_status	 kx_create_private(ks_ctx *ctx, const unsigned char *der,
		    size_t derlen, const CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl,
		    const char *label, CK_OBJECT_HANDLE *priv);
/*
 * Before anything changes on a token that cannot unwrap: does it take a
 * private key of this type (KS_KEY_*), curve and size by C_CreateObject?
 * One made in software for the purpose goes in as a session object and
 * is destroyed at once.  KS_OK when it was taken; else the token's
 * refusal (tpm2-pkcs11: "takes none from outside").
 */
ks_status	 kx_need_private_create(ks_ctx *ctx, int type, ks_curve curve,
		    unsigned bits, const char *label);

#endif /* KS_XFER_H */
