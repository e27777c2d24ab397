/*
 * t_spki.c -- kx_spki_from_rsa writes the octets OpenSSL's i2d_PUBKEY
 * writes for the same n and e, and the bits BN_num_bits counts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "libkeystore/ks_internal.h"
#include "tap.h"

/* OpenSSL's SubjectPublicKeyInfo of (n, e); its length, 0 on failure. */
static int
openssl_spki(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen, unsigned char **der, int *bits)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *bn = BN_bin2bn(n, (int)nlen, NULL);
	BIGNUM *be = BN_bin2bn(e, (int)elen, NULL);
	int len = 0;

	*der = NULL;
	if (bld != NULL && bn != NULL && be != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    (pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(pctx) > 0 &&
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) > 0) {
		len = i2d_PUBKEY(pk, der);
		*bits = EVP_PKEY_get_bits(pk);
	}
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return len > 0 ? len : 0;
}

static void
same(const unsigned char *n, size_t nlen, const unsigned char *e, size_t elen,
    const char *what)
{
	unsigned char *mine = NULL, *theirs = NULL;
	size_t mlen = 0;
	unsigned bits = 0;
	int tlen, tbits = 0;

	tlen = openssl_spki(n, nlen, e, elen, &theirs, &tbits);
	is_int(kx_spki_from_rsa(n, nlen, e, elen, &mine, &mlen, &bits), KS_OK,
	    "%s: encoded", what);
	ok(tlen > 0 && (size_t)tlen == mlen && mine != NULL &&
	    memcmp(mine, theirs, mlen) == 0, "%s: the octets of i2d_PUBKEY "
	    "(%zu, %d)", what, mlen, tlen);
	is_int((int)bits, tbits, "%s: bits", what);
	free(mine);
	OPENSSL_free(theirs);
}

int
main(void)
{
	static const unsigned char f4[] = { 0x01, 0x00, 0x01 };
	static const unsigned char three[] = { 0x03 };
	static const unsigned char zero[] = { 0x00, 0x00 };
	unsigned char n[512], *der = NULL;
	size_t len, sizes[] = { 64, 127, 128, 256, 384, 512 };
	unsigned bits;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char what[64];

		if (RAND_bytes(n, (int)sizes[i]) != 1)
			return 1;
		n[0] |= 0x80;	/* a 0x00 before it in the INTEGER */
		n[sizes[i] - 1] |= 1;
		snprintf(what, sizeof(what), "%zu-octet modulus", sizes[i]);
		same(n, sizes[i], f4, sizeof(f4), what);
		n[0] = 0x35;	/* no 0x00 before it */
		snprintf(what, sizeof(what), "%zu-octet modulus, top bits "
		    "clear", sizes[i]);
		same(n, sizes[i], three, sizeof(three), what);
	}
	/* leading zero octets, as some tokens give CKA_MODULUS */
	memset(n, 0, 3);
	n[3] = 0xc1;
	same(n, 259, f4, sizeof(f4), "leading zero octets");
	is_int(kx_spki_from_rsa(zero, sizeof(zero), f4, sizeof(f4), &der,
	    &len, &bits), KS_EINPUT, "a zero modulus is refused");
	is_int(kx_spki_from_rsa(n, 256, zero, sizeof(zero), &der, &len,
	    &bits), KS_EINPUT, "a zero exponent is refused");
	return done_testing();
}
