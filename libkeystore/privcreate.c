/*
 * privcreate.c -- an RSA private key onto the token by C_CreateObject from
 * its components, for a token that cannot unwrap with AES key wrap (a
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
decode(const unsigned char *der, size_t derlen)
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
	if (pk != NULL && (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR3,
	    &third) == 1)) {
		EVP_PKEY_free(pk);	/* not RSA, or more than two primes */
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

ks_status
ks_create_private(ks_ctx *ctx, const unsigned char *der, size_t derlen,
    const CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl, const char *label,
    CK_OBJECT_HANDLE *priv)
{
	CK_ATTRIBUTE t[TMPL_MAX + NPARTS];
	EVP_PKEY *pk;
	ks_status st = KS_OK;
	size_t i, got = 0;
	CK_RV rv;

	if (ntmpl > TMPL_MAX)
		return ks_fail(ctx, KS_EFAIL, "too many attributes for key "
		    "'%s'", label);
	if ((pk = decode(der, derlen)) == NULL)
		return ks_fail(ctx, KS_EINPUT, "key '%s' is not a two-prime "
		    "RSA private key", label);
	memcpy(t, tmpl, ntmpl * sizeof(t[0]));
	for (got = 0; got < NPARTS; got++)
		if (!part(pk, got, &t[ntmpl + got]))
			break;
	ERR_clear_error();
	if (got < NPARTS)
		st = ks_fail(ctx, KS_EFAIL, "cannot take key '%s' apart",
		    label);
	else if ((rv = p11_create(&ctx->sess, t, ntmpl + NPARTS,
	    priv)) != CKR_OK)
		st = ks_fail_rv(ctx, rv, "cannot create private key '%s' on "
		    "token '%s'", label, ctx->token.label);
	for (i = 0; i < got; i++)
		OPENSSL_clear_free(t[ntmpl + i].pValue, t[ntmpl + i].ulValueLen);
	EVP_PKEY_free(pk);
	return st;
}
