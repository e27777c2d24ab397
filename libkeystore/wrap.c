/*
 * wrap.c -- move private keys in and out of the token through a session
 * AES key: C_WrapKey / C_UnwrapKey with CKM_AES_KEY_WRAP_PAD on the token,
 * AES-256 key wrap with padding (RFC 5649) in software.
 *
 * The wrapping key is a random value we keep in memory and put on the
 * token with C_CreateObject as a session object (CKA_TOKEN=FALSE), so it
 * never outlives the session.  kx_wrapkey_destroy removes it and wipes the
 * value; callers call it on every path.  Keys never become non-sensitive.
 *
 * SoftHSM 2.6 pads the PKCS#8 with zeros to a multiple of 8 before it
 * wraps, padding mode or not; soft_unwrap cuts the result back to the
 * outer DER SEQUENCE.
 *
 * A token that does not list CKM_AES_KEY_WRAP_PAD for unwrapping (a token
 * behind p11-kit's RPC, many smart cards) gets its private keys by
 * C_CreateObject instead (privcreate.c): unwrapped here in software, the
 * key is in our memory in clear until the call, then cleansed.  A wrapping
 * key goes onto the token only when the token wraps or unwraps with it.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ks_xfer.h"

#ifndef CKM_AES_KEY_WRAP_PAD
#define CKM_AES_KEY_WRAP_PAD	0x0000210AUL
#endif

#define WRAPPED_MAX	(KS_MODULUS_MAX / 8 * 6 + 512)	/* PKCS#8 + slack */

/* What the token does with CKM_AES_KEY_WRAP_PAD (CKF_WRAP, CKF_UNWRAP). */
static ks_status
kwp_flags(ks_ctx *ctx, CK_FLAGS *flags)
{
	CK_RV rv;

	*flags = 0;
	if (!ctx->kwp_known) {
		rv = p11_mech_flags(&ctx->token, CKM_AES_KEY_WRAP_PAD,
		    &ctx->kwp);
		if (rv != CKR_OK)
			return kx_fail_rv(ctx, rv, "cannot read the mechanisms "
			    "of token '%s'", ctx->token.label);
		ctx->kwp_known = 1;
	}
	*flags = ctx->kwp;
	return KS_OK;
}

ks_status
kx_token_unwraps(ks_ctx *ctx, int *yes)
{
	CK_FLAGS flags;
	ks_status st;

	*yes = 0;
	if ((st = kwp_flags(ctx, &flags)) != KS_OK)
		return st;
	*yes = (flags & CKF_UNWRAP) != 0;
	return KS_OK;
}

/* *yes: the token unwraps under wk; else soft_unwrap + kx_create_private. */
static ks_status
token_unwraps(ks_ctx *ctx, const struct ks_wrapkey *wk, int *yes)
{
	CK_FLAGS flags;
	ks_status st;

	*yes = 0;
	if ((st = kwp_flags(ctx, &flags)) != KS_OK)
		return st;
	*yes = (flags & CKF_UNWRAP) != 0 && wk->made;
	return KS_OK;
}

ks_status
kx_wrapkey_load(ks_ctx *ctx, struct ks_wrapkey *wk, const unsigned char *key)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE aes = CKK_AES;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_WRAP, &yes, sizeof(yes) },
		{ CKA_UNWRAP, &yes, sizeof(yes) },
		{ CKA_ENCRYPT, &no, sizeof(no) },
		{ CKA_DECRYPT, &no, sizeof(no) },
		{ CKA_VALUE, wk->key, sizeof(wk->key) },
	};
	CK_FLAGS flags;
	ks_status st;
	CK_RV rv;

	memset(wk, 0, sizeof(*wk));
	memcpy(wk->key, key, sizeof(wk->key));
	if ((st = kwp_flags(ctx, &flags)) != KS_OK) {
		OPENSSL_cleanse(wk->key, sizeof(wk->key));
		return st;
	}
	if (!(flags & (CKF_WRAP | CKF_UNWRAP)))
		return KS_OK;	/* in memory only: see above */
	rv = p11_create(&ctx->sess, t, sizeof(t) / sizeof(t[0]), &wk->h);
	if (rv != CKR_OK) {
		OPENSSL_cleanse(wk->key, sizeof(wk->key));
		return kx_fail_rv(ctx, rv, "cannot make a session wrapping key "
		    "on token '%s'", ctx->token.label);
	}
	wk->made = 1;
	return KS_OK;
}

ks_status
kx_wrapkey_make(ks_ctx *ctx, struct ks_wrapkey *wk)
{
	unsigned char key[sizeof(wk->key)];
	ks_status st;

	memset(wk, 0, sizeof(*wk));
	if (RAND_bytes(key, sizeof(key)) != 1)
		return kx_fail(ctx, KS_EFAIL, "no random bytes for a wrapping "
		    "key");
	st = kx_wrapkey_load(ctx, wk, key);
	OPENSSL_cleanse(key, sizeof(key));
	return st;
}

void
kx_wrapkey_destroy(ks_ctx *ctx, struct ks_wrapkey *wk)
{
	if (wk->made)
		(void)p11_destroy(&ctx->sess, wk->h);	/* a session object */
	wk->made = 0;
	OPENSSL_cleanse(wk->key, sizeof(wk->key));
}

void
kx_der_free(unsigned char *der, size_t len)
{
	if (der == NULL)
		return;
	OPENSSL_cleanse(der, len);
	free(der);
}

/* RFC 5649 in software; enc 1 wraps, 0 unwraps.  out holds inlen + 16. */
static int
kwp(const unsigned char *key, int enc, const unsigned char *in, size_t inlen,
    unsigned char *out, size_t *outlen)
{
	EVP_CIPHER_CTX *cc;
	int n = 0, fin = 0, ok = 0;

	if (inlen > INT_MAX - 16 || (cc = EVP_CIPHER_CTX_new()) == NULL)
		return 0;
	EVP_CIPHER_CTX_set_flags(cc, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_CipherInit_ex(cc, EVP_aes_256_wrap_pad(), NULL, key, NULL,
	    enc) == 1 &&
	    EVP_CipherUpdate(cc, out, &n, in, (int)inlen) == 1 && n >= 0 &&
	    EVP_CipherFinal_ex(cc, out + n, &fin) == 1) {
		*outlen = (size_t)n + (size_t)fin;
		ok = 1;
	}
	EVP_CIPHER_CTX_free(cc);
	ERR_clear_error();
	return ok;
}

/* Length of the outer DER SEQUENCE at der, or 0 when it does not fit. */
static size_t
der_seq_len(const unsigned char *der, size_t len)
{
	size_t n = 0, hdr, i, nb;

	if (len < 2 || der[0] != 0x30)
		return 0;
	if (der[1] < 0x80) {
		n = der[1];
		hdr = 2;
	} else {
		nb = der[1] & 0x7f;
		if (nb == 0 || nb > 3 || len < 2 + nb)
			return 0;
		for (i = 0; i < nb; i++)
			n = n << 8 | der[2 + i];
		hdr = 2 + nb;
	}
	if (n > len - hdr)
		return 0;
	return hdr + n;
}

ks_status
kx_wrap_blob(ks_ctx *ctx, struct ks_wrapkey *wk, CK_OBJECT_HANDLE priv,
    const char *label, unsigned char **blob, size_t *bloblen)
{
	CK_MECHANISM mech = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
	unsigned char *b = NULL;
	CK_ULONG len = 0;
	CK_RV rv;

	*blob = NULL;
	*bloblen = 0;
	if (!wk->made)
		return kx_fail(ctx, KS_ETOKEN, "cannot wrap key '%s': token "
		    "'%s' cannot wrap keys (it lists no CKM_AES_KEY_WRAP_PAD "
		    "for wrapping), so the key cannot leave it, to a file or an "
		    "encrypted copy; keep keys that must leave on a token that "
		    "can wrap, and move them from there", label,
		    ctx->token.label);
	rv = p11_wrap(&ctx->sess, &mech, wk->h, priv, NULL, &len);
	if (rv == CKR_OK && (len < 16 || len > WRAPPED_MAX))
		return kx_fail(ctx, KS_ETOKEN, "token '%s' wants %lu bytes to "
		    "wrap key '%s'", ctx->token.label, (unsigned long)len,
		    label);
	if (rv == CKR_OK && (b = malloc(len)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	if (rv == CKR_OK)
		rv = p11_wrap(&ctx->sess, &mech, wk->h, priv, b, &len);
	if (rv == CKR_KEY_UNEXTRACTABLE) {
		free(b);
		return kx_fail(ctx, KS_EPERM, "key '%s' is not exportable",
		    label);
	}
	if (rv != CKR_OK) {
		free(b);
		return kx_fail_rv(ctx, rv, "cannot wrap key '%s' on token '%s'",
		    label, ctx->token.label);
	}
	*blob = b;
	*bloblen = len;
	return KS_OK;
}

/*
 * RFC 5649 unwrap of blob in software, cut to the PKCS#8 DER inside
 * (*der allocated; wipe and free with kx_der_free).
 */
static ks_status
soft_unwrap(ks_ctx *ctx, const struct ks_wrapkey *wk, const unsigned char *blob,
    size_t bloblen, const char *label, unsigned char **der, size_t *derlen)
{
	unsigned char *plain;
	size_t plainlen = 0, seq = 0, i;
	const char *why = NULL;

	*der = NULL;
	*derlen = 0;
	if (bloblen > WRAPPED_MAX + 16)
		return kx_fail(ctx, KS_EINPUT, "key '%s' is too large", label);
	if ((plain = malloc(bloblen + 16)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	/* cut SoftHSM's zero padding: the outer SEQUENCE, then zeros only */
	if (!kwp(wk->key, 0, blob, bloblen, plain, &plainlen))
		why = "does not unwrap";
	else if ((seq = der_seq_len(plain, plainlen)) == 0)
		why = "is something other than PKCS#8";
	else {
		for (i = seq; i < plainlen; i++)
			if (plain[i] != 0)
				break;
		if (i < plainlen || plainlen - seq >= 8)
			why = "has trailing data";
	}
	if (why != NULL) {
		kx_der_free(plain, bloblen + 16);
		return kx_fail(ctx, KS_ETOKEN, "the wrapped key '%s' %s", label,
		    why);
	}
	OPENSSL_cleanse(plain + seq, bloblen + 16 - seq);
	*der = plain;
	*derlen = seq;
	return KS_OK;
}

ks_status
kx_wrap_private(ks_ctx *ctx, struct ks_wrapkey *wk, CK_OBJECT_HANDLE priv,
    const char *label, unsigned char **der, size_t *derlen)
{
	unsigned char *blob = NULL;
	size_t bloblen = 0;
	ks_status st;

	*der = NULL;
	*derlen = 0;
	if ((st = kx_wrap_blob(ctx, wk, priv, label, &blob, &bloblen)) != KS_OK)
		return st;
	st = soft_unwrap(ctx, wk, blob, bloblen, label, der, derlen);
	free(blob);	/* encrypted */
	return st;
}

ks_status
kx_unwrap_blob(ks_ctx *ctx, struct ks_wrapkey *wk, const unsigned char *blob,
    size_t bloblen, CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl, const char *label,
    CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM mech = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
	unsigned char *der = NULL;
	size_t derlen = 0;
	ks_status st;
	int yes;
	CK_RV rv;

	if (bloblen > WRAPPED_MAX + 16)
		return kx_fail(ctx, KS_EINPUT, "key '%s' is too large", label);
	if ((st = token_unwraps(ctx, wk, &yes)) != KS_OK)
		return st;
	if (!yes) {
		if ((st = soft_unwrap(ctx, wk, blob, bloblen, label, &der,
		    &derlen)) != KS_OK)
			return st;
		st = kx_create_private(ctx, der, derlen, tmpl, ntmpl, label,
		    priv);
		kx_der_free(der, derlen);
		return st;
	}
	rv = p11_unwrap(&ctx->sess, &mech, wk->h, blob, bloblen, tmpl, ntmpl,
	    priv);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot unwrap key '%s' onto token "
		    "'%s'", label, ctx->token.label);
	return KS_OK;
}

ks_status
kx_unwrap_private(ks_ctx *ctx, struct ks_wrapkey *wk, const unsigned char *der,
    size_t derlen, CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl, const char *label,
    CK_OBJECT_HANDLE *priv)
{
	unsigned char *blob;
	size_t bloblen = 0;
	ks_status st = KS_OK;
	int yes;

	if (derlen > WRAPPED_MAX)
		return kx_fail(ctx, KS_EINPUT, "key '%s' is too large", label);
	if ((st = token_unwraps(ctx, wk, &yes)) != KS_OK)
		return st;
	if (!yes)
		return kx_create_private(ctx, der, derlen, tmpl, ntmpl, label,
		    priv);
	if ((blob = malloc(derlen + 16)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	if (!kwp(wk->key, 1, der, derlen, blob, &bloblen))
		st = kx_fail(ctx, KS_EFAIL, "cannot wrap key '%s' in software",
		    label);
	else
		st = kx_unwrap_blob(ctx, wk, blob, bloblen, tmpl, ntmpl, label,
		    priv);
	free(blob);	/* encrypted */
	return st;
}
