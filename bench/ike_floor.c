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

static const unsigned char di_sha256[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU ms of one token signature. */
static double
token_sign(const char *module, const char *token, const char *pinfile,
    const char *label, long count)
{
	CK_FUNCTION_LIST *fn = p11_kit_module_load(module, 0);
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
	unsigned char in[sizeof(di_sha256) + 32], sig[1024];
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_SLOT_ID slot;
	CK_ULONG n = 0, siglen;
	char pin[256];
	double t0;
	long i;

	if (fn == NULL || p11_kit_module_initialize(fn) != CKR_OK ||
	    floor_find_slot(fn, token, &slot) != 0 ||
	    floor_read_pin(pinfile, pin, sizeof(pin)) != 0 ||
	    fn->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) !=
	    CKR_OK || fn->C_Login(s, CKU_USER, (CK_UTF8CHAR *)pin,
	    strlen(pin)) != CKR_OK || fn->C_FindObjectsInit(s, t, 2) !=
	    CKR_OK || fn->C_FindObjects(s, &key, 1, &n) != CKR_OK || n != 1 ||
	    fn->C_FindObjectsFinal(s) != CKR_OK)
		return -1;
	memcpy(in, di_sha256, sizeof(di_sha256));
	memset(in + sizeof(di_sha256), 0x5a, 32);
	t0 = cpu_ms();
	for (i = 0; i < count; i++) {
		siglen = sizeof(sig);
		if (fn->C_SignInit(s, &mech, key) != CKR_OK ||
		    fn->C_Sign(s, in, sizeof(in), sig, &siglen) != CKR_OK)
			return -1;
	}
	t0 = (cpu_ms() - t0) / count;
	(void)fn->C_CloseSession(s);
	(void)p11_kit_module_finalize(fn);
	p11_kit_module_release(fn);
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
