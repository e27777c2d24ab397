/*
 * ike_floor.c -- the crypto floor under one IKE handshake of the
 * responder in bench/ike-mm.sh and bench/ike-v2.sh (issue 14 goal 1): the
 * CPU time of one RSA-2048 signature on the token (C_SignInit + C_Sign,
 * CKM_RSA_PKCS over a SHA-256 DigestInfo, the key found once), one
 * RSA-2048 verification (OpenSSL, the peer's signature, a context per
 * verification, the key decoded once), one MODP-2048 key generation
 * (OpenSSL's named group modp_2048, a context per key, as ikesignd's dh.c
 * makes them) and one derivation (the peer's value made a key from its
 * 256 octets, as a responder must, and a context per derivation; the
 * value is not put through OpenSSL's full check, which dh.c skips too
 * after its range check).
 * Built on demand ("make bench/ike_floor"), run by bench/ike-common.sh.
 *
 *	ike_floor MODULE TOKEN PINFILE LABEL COUNT
 *
 * Prints one line, CPU milliseconds per operation (the mean of COUNT):
 *	sign S verify V dhgen G dhderive D total T
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <p11-kit/p11-kit.h>

#include "floor.h"

static double
cpu_ms(void)
{
	return floor_cpu_us() / 1e3;
}

/* CPU ms of one token signature. */
static double
token_sign(const char *module, const char *token, const char *pinfile,
    const char *label, long count)
{
	struct floor_key fk = { NULL, 0, 0 };
	double t0 = -1;

	if (floor_key_open(&fk, module, token, pinfile, label) == 0) {
		t0 = cpu_ms();
		t0 = floor_key_sign(&fk, count) == 0 ? (cpu_ms() - t0) / count :
		    -1;
	}
	floor_key_close(&fk);
	return t0;
}

/* CPU ms of one RSA-2048 verification (PKCS#1 v1.5, SHA-256). */
static double
rsa_verify(long count)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY_CTX *c = NULL;
	unsigned char md[32], sig[256];
	size_t siglen = sizeof(sig);
	double t0 = -1;
	long i;

	memset(md, 0x5a, sizeof(md));
	if (k == NULL || (c = EVP_PKEY_CTX_new(k, NULL)) == NULL ||
	    EVP_PKEY_sign_init(c) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) <= 0 ||
	    EVP_PKEY_sign(c, sig, &siglen, md, sizeof(md)) <= 0)
		goto done;
	EVP_PKEY_CTX_free(c);
	c = NULL;
	t0 = cpu_ms();
	for (i = 0; i < count; i++) {
		/* a context per verification, as a responder makes one */
		if ((c = EVP_PKEY_CTX_new(k, NULL)) == NULL ||
		    EVP_PKEY_verify_init(c) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) <= 0 ||
		    EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) <= 0 ||
		    EVP_PKEY_verify(c, sig, siglen, md, sizeof(md)) != 1) {
			t0 = -1;
			goto done;
		}
		EVP_PKEY_CTX_free(c);
		c = NULL;
	}
	t0 = (cpu_ms() - t0) / count;
done:
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(k);
	return t0;
}

/* A MODP-2048 key pair, made as ikesignd's dh.c makes it. */
static EVP_PKEY *
modp2048(void)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;
	OSSL_PARAM p[2];

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)"modp_2048", 0);
	p[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_params(ctx, p) <= 0 ||
	    EVP_PKEY_generate(ctx, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* The peer's public value y (256 octets) as a key of the group: what a
 * responder must make of the octets it received before it derives. */
static EVP_PKEY *
modp2048_peer(const unsigned char *y)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *peer = NULL;
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	BIGNUM *bn;

	if ((bn = BN_bin2bn(y, 256, NULL)) == NULL)
		return NULL;
	if ((bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "modp_2048", 0) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, bn))
		params = OSSL_PARAM_BLD_to_param(bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	if (params == NULL)
		return NULL;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &peer, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		peer = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return peer;
}

/* CPU ms of one MODP-2048 key generation (*gen) and derivation (*der). */
static int
dh(long count, double *gen, double *der)
{
	EVP_PKEY_CTX *c = NULL;
	EVP_PKEY *peer = modp2048(), *k = NULL;
	unsigned char y[256], z[256];
	BIGNUM *bn = NULL;
	size_t zlen;
	double t0;
	long i;
	int rc = -1;

	/* the peer's value as octets, as it comes in a KE payload */
	if (peer == NULL ||
	    EVP_PKEY_get_bn_param(peer, OSSL_PKEY_PARAM_PUB_KEY, &bn) <= 0 ||
	    BN_bn2binpad(bn, y, sizeof(y)) != (int)sizeof(y))
		goto out;
	EVP_PKEY_free(peer);
	peer = NULL;
	t0 = cpu_ms();
	for (i = 0; i < count; i++) {
		EVP_PKEY_free(k);
		if ((k = modp2048()) == NULL)
			goto out;
	}
	*gen = (cpu_ms() - t0) / count;
	t0 = cpu_ms();
	for (i = 0; i < count; i++) {
		zlen = sizeof(z);
		if ((peer = modp2048_peer(y)) == NULL ||
		    (c = EVP_PKEY_CTX_new(k, NULL)) == NULL ||
		    EVP_PKEY_derive_init(c) <= 0 ||
		    EVP_PKEY_derive_set_peer_ex(c, peer, 0) <= 0 ||
		    EVP_PKEY_derive(c, z, &zlen) <= 0)
			goto out;
		EVP_PKEY_CTX_free(c);
		c = NULL;
		EVP_PKEY_free(peer);
		peer = NULL;
	}
	*der = (cpu_ms() - t0) / count;
	rc = 0;
out:
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(k);
	EVP_PKEY_free(peer);
	BN_free(bn);
	return rc;
}

int
main(int argc, char **argv)
{
	double s, v, g = 0, d = 0;
	long count;

	if (argc != 6 || (count = atol(argv[5])) <= 0) {
		fprintf(stderr, "usage: ike_floor MODULE TOKEN PINFILE LABEL "
		    "COUNT\n");
		return 2;
	}
	if ((s = token_sign(argv[1], argv[2], argv[3], argv[4], count)) < 0) {
		fprintf(stderr, "ike_floor: cannot sign with '%s' on token "
		    "'%s'\n", argv[4], argv[2]);
		return 1;
	}
	if ((v = rsa_verify(count)) < 0 || dh(count, &g, &d) != 0) {
		fprintf(stderr, "ike_floor: OpenSSL failed\n");
		return 1;
	}
	printf("sign %.3f verify %.3f dhgen %.3f dhderive %.3f total %.3f\n",
	    s, v, g, d, s + v + g + d);
	return 0;
}
