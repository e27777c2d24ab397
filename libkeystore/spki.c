/*
 * spki.c -- public keys as OpenSSL sees them: SubjectPublicKeyInfo and PEM.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ks_internal.h"

static EVP_PKEY *
rsa_pub(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *bn = NULL, *be = NULL;

	if ((bn = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)elen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return pk;
}

ks_status
kx_spki_from_rsa(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen, unsigned char **der, size_t *derlen, unsigned *bits)
{
	EVP_PKEY *pk;
	unsigned char *buf = NULL;
	int len;

	*der = NULL;
	*derlen = 0;
	if (nlen == 0 || nlen > KS_MODULUS_MAX / 8 || elen == 0 || elen > 16)
		return KS_EINPUT;
	if ((pk = rsa_pub(n, nlen, e, elen)) == NULL)
		return KS_EINPUT;
	len = i2d_PUBKEY(pk, &buf);
	*bits = (unsigned)EVP_PKEY_get_bits(pk);
	EVP_PKEY_free(pk);
	if (len <= 0)
		return KS_EFAIL;
	*der = buf;
	*derlen = (size_t)len;
	return KS_OK;
}

/* The SPKI is already DER: wrap it in PEM without decoding it again. */
char *
ks_key_public_pem(const ks_key *k)
{
	BIO *bio;
	BUF_MEM *mem;
	char *out = NULL;

	if (k->spki == NULL || k->spkilen > LONG_MAX)
		return NULL;
	if ((bio = BIO_new(BIO_s_mem())) != NULL &&
	    PEM_write_bio(bio, "PUBLIC KEY", "", k->spki,
	    (long)k->spkilen) > 0) {
		BIO_get_mem_ptr(bio, &mem);
		if ((out = malloc(mem->length + 1)) != NULL) {
			memcpy(out, mem->data, mem->length);
			out[mem->length] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}
