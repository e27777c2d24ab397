/*
 * crypt.c -- the token's cryptographic operations: sign, decrypt, wrap,
 * unwrap, derive and generate.  Each is one PKCS#11 call, or the init and
 * the call of a single-part operation; the CK_RV goes back unchanged.
 */
#include "config.h"

#include "p11.h"

CK_RV
p11_sign_init(struct p11_session *s, CK_MECHANISM *mech, CK_OBJECT_HANDLE key)
{
	return s->fn->C_SignInit(s->h, mech, key);
}

CK_RV
p11_sign_data(struct p11_session *s, const unsigned char *in, size_t inlen,
    unsigned char *out, CK_ULONG *outlen)
{
	return s->fn->C_Sign(s->h, (CK_BYTE_PTR)in, (CK_ULONG)inlen, out,
	    outlen);
}

CK_RV
p11_sign(struct p11_session *s, CK_MECHANISM *mech, CK_OBJECT_HANDLE key,
    const unsigned char *in, size_t inlen, unsigned char *out,
    CK_ULONG *outlen)
{
	CK_RV rv;

	if ((rv = p11_sign_init(s, mech, key)) != CKR_OK)
		return rv;
	return p11_sign_data(s, in, inlen, out, outlen);
}

CK_RV
p11_decrypt(struct p11_session *s, CK_MECHANISM *mech, CK_OBJECT_HANDLE key,
    const unsigned char *in, size_t inlen, unsigned char *out,
    CK_ULONG *outlen)
{
	CK_RV rv;

	if ((rv = s->fn->C_DecryptInit(s->h, mech, key)) != CKR_OK)
		return rv;
	return s->fn->C_Decrypt(s->h, (CK_BYTE_PTR)in, (CK_ULONG)inlen, out,
	    outlen);
}

CK_RV
p11_wrap(struct p11_session *s, CK_MECHANISM *mech, CK_OBJECT_HANDLE wrapping,
    CK_OBJECT_HANDLE key, unsigned char *out, CK_ULONG *outlen)
{
	return s->fn->C_WrapKey(s->h, mech, wrapping, key, out, outlen);
}

CK_RV
p11_unwrap(struct p11_session *s, CK_MECHANISM *mech,
    CK_OBJECT_HANDLE unwrapping, const unsigned char *blob, size_t bloblen,
    CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl, CK_OBJECT_HANDLE *key)
{
	return s->fn->C_UnwrapKey(s->h, mech, unwrapping, (CK_BYTE_PTR)blob,
	    (CK_ULONG)bloblen, tmpl, ntmpl, key);
}

CK_RV
p11_derive(struct p11_session *s, CK_MECHANISM *mech, CK_OBJECT_HANDLE base,
    CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl, CK_OBJECT_HANDLE *key)
{
	return s->fn->C_DeriveKey(s->h, mech, base, tmpl, ntmpl, key);
}

CK_RV
p11_generate_pair(struct p11_session *s, CK_MECHANISM *mech,
    CK_ATTRIBUTE *pubt, CK_ULONG npub, CK_ATTRIBUTE *privt, CK_ULONG npriv,
    CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	return s->fn->C_GenerateKeyPair(s->h, mech, pubt, npub, privt, npriv,
	    pub, priv);
}
