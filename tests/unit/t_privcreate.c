/*
 * t_privcreate.c -- kx_create_private against a real SoftHSM2 token: a
 * two-prime RSA key arrives sensitive and signs as its public key says;
 * an EC key arrives under an EC template; anything else (EC under an RSA
 * template, three primes, cut or foreign DER, too many
 * attributes) is refused and the token holds exactly the objects it held
 * before; a template the token refuses is reported.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "libkeystore/ks_xfer.h"
#include "tap.h"
#include "token.h"

static size_t
objects(ks_ctx *ctx)
{
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0;

	if (p11_find(&ctx->sess, NULL, 0, &h, &n) != CKR_OK)
		return (size_t)-1;
	free(h);
	return n;
}

/* PKCS#8 DER of a new key (allocated; *len its length). */
static unsigned char *
pkcs8(EVP_PKEY *pk, int *len)
{
	PKCS8_PRIV_KEY_INFO *p8;
	unsigned char *der = NULL;

	*len = -1;
	if ((p8 = EVP_PKEY2PKCS8(pk)) != NULL)
		*len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return *len > 0 ? der : NULL;
}

static EVP_PKEY *
rsa_key(unsigned bits, int primes)
{
	EVP_PKEY_CTX *pc;
	EVP_PKEY *pk = NULL;

	if ((pc = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL)) != NULL &&
	    EVP_PKEY_keygen_init(pc) == 1 &&
	    EVP_PKEY_CTX_set_rsa_keygen_bits(pc, (int)bits) == 1 &&
	    EVP_PKEY_CTX_set_rsa_keygen_primes(pc, primes) == 1)
		(void)EVP_PKEY_keygen(pc, &pk);
	EVP_PKEY_CTX_free(pc);
	return pk;
}

/* The token signs with h what pk verifies. */
static int
signs(ks_ctx *ctx, CK_OBJECT_HANDLE h, EVP_PKEY *pk)
{
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char msg[] = "created, not unwrapped", sig[512];
	CK_ULONG siglen = sizeof(sig);
	EVP_MD_CTX *md;
	int ok = 0;

	if (ctx->sess.fn->C_SignInit(ctx->sess.h, &mech, h) != CKR_OK ||
	    ctx->sess.fn->C_Sign(ctx->sess.h, msg, sizeof(msg), sig,
	    &siglen) != CKR_OK)
		return 0;
	if ((md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	return ok;
}

int
main(void)
{
	char dir[] = "/tmp/t_privcreate.XXXXXX", cmd[256];
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE rsa = CKK_RSA, dsa = CKK_DSA, eck = CKK_EC;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE, sens = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &rsa, sizeof(rsa) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
	};
	CK_ATTRIBUTE many[17], back = { CKA_SENSITIVE, &sens, sizeof(sens) };
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	unsigned char *der, junk[64];
	EVP_PKEY *pk, *ec;
	ks_ctx *ctx;
	size_t before, i;
	int len;

	ctx = unit_token(dir);
	ok(ctx != NULL, "open and log in");
	if (ctx == NULL)
		return done_testing();
	before = objects(ctx);

	pk = rsa_key(1024, 2);
	der = pkcs8(pk, &len);
	ok(der != NULL, "a two-prime RSA key as PKCS#8");
	is_int(kx_create_private(ctx, der, (size_t)len, t, 7, "k", &h), KS_OK,
	    "created");
	ok(p11_get_fixed(&ctx->sess, h, &back, 1) == CKR_OK && sens == CK_TRUE,
	    "sensitive on the token");
	ok(signs(ctx, h, pk), "it signs what its public key verifies");
	is_int(objects(ctx), before + 1, "one object more");
	is_int(p11_destroy(&ctx->sess, h), CKR_OK, "and it goes again");
	is_int(objects(ctx), before, "back to the objects before");

	/* refusals: nothing on the token */
	is_int(kx_create_private(ctx, der, (size_t)len - 1, t, 7, "k", &h),
	    KS_EINPUT, "cut DER refused");
	memset(junk, 0x30, sizeof(junk));
	is_int(kx_create_private(ctx, junk, sizeof(junk), t, 7, "k", &h),
	    KS_EINPUT, "not DER refused");
	for (i = 0; i < 17; i++)
		many[i] = t[i % 7];
	is_int(kx_create_private(ctx, der, (size_t)len, many, 17, "k", &h),
	    KS_EFAIL, "17 attributes refused");
	OPENSSL_clear_free(der, (size_t)len);
	EVP_PKEY_free(pk);

	pk = rsa_key(2048, 3);
	der = pk != NULL ? pkcs8(pk, &len) : NULL;
	if (der != NULL)
		is_int(kx_create_private(ctx, der, (size_t)len, t, 7, "k",
		    &h), KS_EINPUT, "three primes refused");
	else
		ok(1, "# SKIP no three-prime RSA in this OpenSSL");
	OPENSSL_clear_free(der, der != NULL ? (size_t)len : 0);
	EVP_PKEY_free(pk);

	ec = EVP_EC_gen("P-256");
	der = ec != NULL ? pkcs8(ec, &len) : NULL;
	ok(der != NULL && kx_create_private(ctx, der, (size_t)len, t, 7,
	    "k", &h) == KS_EINPUT, "an EC key refused for an RSA template");
	/* the same key for an EC template: CKA_EC_PARAMS and CKA_VALUE */
	t[1].pValue = &eck;
	is_int(der != NULL ? kx_create_private(ctx, der, (size_t)len, t, 7,
	    "k", &h) : KS_EFAIL, KS_OK, "an EC key for an EC template");
	is_int(objects(ctx), before + 1, "one EC object more");
	is_int(p11_destroy(&ctx->sess, h), CKR_OK, "and it goes again");
	t[1].pValue = &rsa;
	OPENSSL_clear_free(der, der != NULL ? (size_t)len : 0);
	EVP_PKEY_free(ec);

	is_int(objects(ctx), before, "the token holds what it held");

	/*
	 * Last, as SoftHSM 2.6 keeps an empty object after it refuses a
	 * template in C_CreateObject: the refusal is reported in words.
	 */
	pk = rsa_key(1024, 2);
	der = pkcs8(pk, &len);
	t[1].pValue = &dsa;
	ok(der != NULL && kx_create_private(ctx, der, (size_t)len, t, 7, "k",
	    &h) != KS_OK && strstr(ks_ctx_error(ctx), "cannot create private "
	    "key 'k'") != NULL, "a template the token refuses: %s",
	    ks_ctx_error(ctx));
	OPENSSL_clear_free(der, der != NULL ? (size_t)len : 0);
	EVP_PKEY_free(pk);
	ks_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	done_testing();
}
