/*
 * privcreate.c -- an RSA or EC private key onto the token by C_CreateObject
 * from its components (EC: CKA_EC_PARAMS and the private value
 * CKA_VALUE), for a token that cannot unwrap with AES key wrap (a
 * token behind p11-kit's RPC, many smart cards).  wrap.c calls it only
 * then: the key is in our memory in clear from the software unwrap to the
 * C_CreateObject, and every buffer that held a part of it is cleansed.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "ks_xfer.h"

#define TMPL_MAX	16	/* attributes a caller passes */


/* A token that takes no private key from outside says so plainly. */
static ks_status
create_failed(ks_ctx *ctx, CK_RV rv, const char *label)
{
	if (kx_rv_template_refused(rv))
		return kx_fail(ctx, KS_ETOKEN, "cannot create private key '%s' "
		    "on token '%s': the token refuses it (%s); a token that "
		    "neither unwraps nor creates private keys takes none from "
		    "outside: generate the key on the token instead", label,
		    ctx->token.label, p11_rv_name(rv));
	return kx_fail_rv(ctx, rv, "cannot create private key '%s' on token "
	    "'%s'", label, ctx->token.label);
}
static const struct {
	CK_ATTRIBUTE_TYPE	 type;
	const char		*param;
} parts[] = {
	{ CKA_MODULUS,		OSSL_PKEY_PARAM_RSA_N },
	{ CKA_PUBLIC_EXPONENT,	OSSL_PKEY_PARAM_RSA_E },
	{ CKA_PRIVATE_EXPONENT,	OSSL_PKEY_PARAM_RSA_D },
	{ CKA_PRIME_1,		OSSL_PKEY_PARAM_RSA_FACTOR1 },
	{ CKA_PRIME_2,		OSSL_PKEY_PARAM_RSA_FACTOR2 },
	{ CKA_EXPONENT_1,	OSSL_PKEY_PARAM_RSA_EXPONENT1 },
	{ CKA_EXPONENT_2,	OSSL_PKEY_PARAM_RSA_EXPONENT2 },
	{ CKA_COEFFICIENT,	OSSL_PKEY_PARAM_RSA_COEFFICIENT1 },
};
#define NPARTS	(sizeof(parts) / sizeof(parts[0]))

static EVP_PKEY *
decode(const unsigned char *der, size_t derlen, int *rsa)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *pk = NULL;
	BIGNUM *third = NULL;

	if (derlen > LONG_MAX)
		return NULL;
	if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)derlen)) != NULL)
		pk = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);	/* clears the key it held */
	*rsa = pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA;
	if (pk != NULL && !*rsa && kx_pkey_type(pk) != KS_KEY_EC) {
		EVP_PKEY_free(pk);	/* neither RSA nor a curve we take */
		pk = NULL;
	}
	if (pk != NULL && *rsa && EVP_PKEY_get_bn_param(pk,
	    OSSL_PKEY_PARAM_RSA_FACTOR3, &third) == 1) {
		EVP_PKEY_free(pk);	/* more than two primes */
		pk = NULL;
	}
	BN_clear_free(third);
	ERR_clear_error();
	return pk;
}

/* Part i of pk as a big-endian attribute value (allocated). */
static int
part(EVP_PKEY *pk, size_t i, CK_ATTRIBUTE *a)
{
	BIGNUM *bn = NULL;
	unsigned char *v;
	int n;

	a->type = parts[i].type;
	a->pValue = NULL;
	a->ulValueLen = 0;
	if (EVP_PKEY_get_bn_param(pk, parts[i].param, &bn) != 1)
		return 0;
	n = BN_num_bytes(bn);
	if (n <= 0 || (v = malloc((size_t)n)) == NULL) {
		BN_clear_free(bn);
		return 0;
	}
	BN_bn2bin(bn, v);
	BN_clear_free(bn);
	a->pValue = v;
	a->ulValueLen = (CK_ULONG)n;
	return 1;
}

/*
 * The EC parts: CKA_EC_PARAMS (static) and CKA_VALUE, the private scalar
 * as long as the curve's order (Ed25519: the 32-byte seed), allocated.
 */
static int
ec_parts(EVP_PKEY *pk, CK_ATTRIBUTE a[2])
{
	const struct ks_curvedef *d;
	unsigned char point[KS_EC_POINT_MAX], *v;
	size_t plen = 0, vlen;
	BIGNUM *bn = NULL;

	a[0].type = CKA_EC_PARAMS;
	a[1].type = CKA_VALUE;
	a[1].pValue = NULL;
	a[1].ulValueLen = 0;
	if (kx_ec_point_of(pk, &d, point, &plen) != KS_OK)
		return 0;
	a[0].pValue = (void *)d->params;
	a[0].ulValueLen = (CK_ULONG)d->paramslen;
	vlen = d->key_type == CKK_EC_EDWARDS ? 32 : (d->bits + 7) / 8;
	if ((v = malloc(vlen)) == NULL)
		return 0;
	if (d->key_type == CKK_EC_EDWARDS) {
		if (EVP_PKEY_get_raw_private_key(pk, v, &vlen) != 1 ||
		    vlen != 32) {
			OPENSSL_clear_free(v, 32);
			return 0;
		}
	} else if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY,
	    &bn) != 1 || BN_bn2binpad(bn, v, (int)vlen) != (int)vlen) {
		BN_clear_free(bn);
		OPENSSL_clear_free(v, vlen);
		return 0;
	}
	BN_clear_free(bn);
	a[1].pValue = v;
	a[1].ulValueLen = (CK_ULONG)vlen;
	return 1;
}

static ks_status
create_ec(ks_ctx *ctx, EVP_PKEY *pk, const CK_ATTRIBUTE *tmpl,
    CK_ULONG ntmpl, const char *label, CK_OBJECT_HANDLE *priv)
{
	CK_ATTRIBUTE t[TMPL_MAX + 2];
	ks_status st = KS_OK;
	CK_RV rv;

	memcpy(t, tmpl, ntmpl * sizeof(t[0]));
	if (!ec_parts(pk, &t[ntmpl])) {
		ERR_clear_error();
		return kx_fail(ctx, KS_EFAIL, "cannot take key '%s' apart",
		    label);
	}
	if ((rv = p11_create(&ctx->sess, t, ntmpl + 2, priv)) != CKR_OK)
		st = create_failed(ctx, rv, label);
	OPENSSL_clear_free(t[ntmpl + 1].pValue, t[ntmpl + 1].ulValueLen);
	return st;
}

/* The CKA_KEY_TYPE the template asks for, or CKK_VENDOR_DEFINED. */
static CK_KEY_TYPE
tmpl_key_type(const CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl)
{
	CK_ULONG i;

	for (i = 0; i < ntmpl; i++)
		if (tmpl[i].type == CKA_KEY_TYPE &&
		    tmpl[i].ulValueLen == sizeof(CK_KEY_TYPE))
			return *(const CK_KEY_TYPE *)tmpl[i].pValue;
	return CKK_VENDOR_DEFINED;
}

/* The key is of the type the template asks for. */
static int
type_agrees(EVP_PKEY *pk, CK_KEY_TYPE kt)
{
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		return kt == CKK_RSA;
	case EVP_PKEY_EC:
		return kt == CKK_EC;
	case EVP_PKEY_ED25519:
		return kt == CKK_EC_EDWARDS;
	default:
		return 0;
	}
}

ks_status
kx_create_private(ks_ctx *ctx, const unsigned char *der, size_t derlen,
    const CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl, const char *label,
    CK_OBJECT_HANDLE *priv)
{
	CK_ATTRIBUTE t[TMPL_MAX + NPARTS];
	EVP_PKEY *pk;
	ks_status st = KS_OK;
	size_t i, got = 0;
	int rsa = 0;
	CK_RV rv;

	if (ntmpl > TMPL_MAX)
		return kx_fail(ctx, KS_EFAIL, "too many attributes for key "
		    "'%s'", label);
	if ((pk = decode(der, derlen, &rsa)) == NULL)
		return kx_fail(ctx, KS_EINPUT, "key '%s' is neither a "
		    "two-prime RSA private key nor an EC key cryptokey takes",
		    label);
	/* EC parts never go under another type's template (an RSA key's
	 * template is the token's to judge, as it always was) */
	if (!rsa && !type_agrees(pk, tmpl_key_type(tmpl, ntmpl))) {
		EVP_PKEY_free(pk);
		return kx_fail(ctx, KS_EINPUT, "key '%s' is not of the type "
		    "asked for", label);
	}
	if (!rsa) {
		st = create_ec(ctx, pk, tmpl, ntmpl, label, priv);
		EVP_PKEY_free(pk);
		return st;
	}
	memcpy(t, tmpl, ntmpl * sizeof(t[0]));
	for (got = 0; got < NPARTS; got++)
		if (!part(pk, got, &t[ntmpl + got]))
			break;
	ERR_clear_error();
	if (got < NPARTS)
		st = kx_fail(ctx, KS_EFAIL, "cannot take key '%s' apart",
		    label);
	else if ((rv = p11_create(&ctx->sess, t, ntmpl + NPARTS,
	    priv)) != CKR_OK)
		st = create_failed(ctx, rv, label);
	for (i = 0; i < got; i++)
		OPENSSL_clear_free(t[ntmpl + i].pValue, t[ntmpl + i].ulValueLen);
	EVP_PKEY_free(pk);
	return st;
}

/* A key like the one to go onto the token, made here (NULL: cannot). */
static EVP_PKEY *
probe_key(int type, ks_curve curve, unsigned bits)
{
	const struct ks_curvedef *d;

	if (type == KS_KEY_RSA)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		    (size_t)(bits >= KS_MODULUS_MIN ? bits : KS_MODULUS_DEFAULT));
	if (type != KS_KEY_EC || (d = kx_curvedef(curve)) == NULL)
		return NULL;
	if (d->key_type == CKK_EC_EDWARDS)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", d->group);
}

ks_status
kx_need_private_create(ks_ctx *ctx, int type, ks_curve curve, unsigned bits,
    const char *label)
{
	const struct ks_curvedef *d = kx_curvedef(curve);
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = type == KS_KEY_RSA ? CKK_RSA :
	    d != NULL ? d->key_type : CKK_EC;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_SIGN, &yes, sizeof(yes) },
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	unsigned char *der = NULL;
	EVP_PKEY *pk;
	ks_status st;
	int len = 0;

	if ((pk = probe_key(type, curve, bits)) != NULL &&
	    (p8 = EVP_PKEY2PKCS8(pk)) != NULL)
		len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (len <= 0)
		return KS_OK;	/* not known here: the creation itself says */
	st = kx_create_private(ctx, der, (size_t)len, t,
	    sizeof(t) / sizeof(t[0]), label, &h);
	OPENSSL_clear_free(der, (size_t)len);
	if (st == KS_OK)
		(void)p11_destroy(&ctx->sess, h);
	return st;
}
