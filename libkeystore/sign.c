/*
 * sign.c -- sign with a token-held key (used by ikesignd's signer).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks_internal.h"

static CK_MECHANISM_TYPE
mech_of(ks_sig s)
{
	switch (s) {
	case KS_SIG_SHA1_RSA_PKCS:
		return CKM_SHA1_RSA_PKCS;
	case KS_SIG_SHA256_RSA_PKCS:
		return CKM_SHA256_RSA_PKCS;
	case KS_SIG_SHA384_RSA_PKCS:
		return CKM_SHA384_RSA_PKCS;
	case KS_SIG_SHA512_RSA_PKCS:
		return CKM_SHA512_RSA_PKCS;
	case KS_SIG_RSA_PKCS_RAW:
	default:
		return CKM_RSA_PKCS;
	}
}

/* Say why: a locked key is "not permitted", anything else "not found". */
static ks_status
no_signing_key(ks_ctx *ctx, const char *label)
{
	ks_key **keys = NULL;
	size_t n = 0, i;
	int locked = 0;

	if (ks_find_pairs(ctx, label, &keys, &n, 0) == KS_OK)
		for (i = 0; i < n; i++)
			locked |= keys[i]->locked &&
			    keys[i]->usage != KS_USAGE_ENCRYPTION;
	ks_keys_free(keys, n);
	if (locked)
		return ks_fail(ctx, KS_EPERM, "key '%s' on token '%s' is "
		    "locked; unlock it first", label, ctx->token.label);
	return ks_fail(ctx, KS_ENOTFOUND, "no signing key named '%s' on "
	    "token '%s'", label, ctx->token.label);
}

static ks_status
find_signing_key(ks_ctx *ctx, const char *label, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE rsa = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &rsa, sizeof(rsa) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_OBJECT_HANDLE *found = NULL;
	size_t n = 0;
	CK_RV rv;

	rv = p11_find(&ctx->sess, t, sizeof(t) / sizeof(t[0]), &found, &n);
	if (rv != CKR_OK)
		return ks_fail_rv(ctx, rv, "cannot search token '%s'",
		    ctx->token.label);
	if (n == 0)
		return no_signing_key(ctx, label);
	*h = found[0];	/* during a replace the newest and oldest coexist;
			 * either signs with a key the name stands for */
	free(found);
	return KS_OK;
}

ks_status
ks_sign(ks_ctx *ctx, const char *label, ks_sig sig, const unsigned char *in,
    size_t inlen, unsigned char *out, size_t *outlen)
{
	CK_MECHANISM mech = { mech_of(sig), NULL, 0 };
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
	CK_ULONG len = (CK_ULONG)*outlen;
	ks_status st;
	CK_RV rv;

	if ((st = ks_need_session(ctx)) != KS_OK ||
	    (st = find_signing_key(ctx, label, &key)) != KS_OK)
		return st;
	rv = ctx->sess.fn->C_SignInit(ctx->sess.h, &mech, key);
	if (rv != CKR_OK)
		return ks_fail_rv(ctx, rv, "cannot sign with key '%s'", label);
	rv = ctx->sess.fn->C_Sign(ctx->sess.h, (CK_BYTE_PTR)in, (CK_ULONG)inlen,
	    out, &len);
	if (rv != CKR_OK)
		return ks_fail_rv(ctx, rv, "cannot sign with key '%s'", label);
	*outlen = (size_t)len;
	return KS_OK;
}
