/*
 * t_keystore.c -- libkeystore against a real SoftHSM2 token in a temp dir:
 * embedded init, generate, list, sign + verify with OpenSSL, replace,
 * usage keys, zeroize, and the failures that must leave the token as it was.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "keystore.h"
#include "tap.h"
#include "token.h"

static const char *the_pin = UNIT_PIN;

static ks_ctx *
open_ctx(const char *pin, ks_status *st)
{
	ks_ctx *ctx;

	ks_ctx_new(&ctx);
	ks_ctx_set_module(ctx, SOFTHSM_MODULE);
	ks_ctx_set_pin_fn(ctx, unit_secret_cb, (void *)pin);
	*st = ks_ctx_open(ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE);
	return ctx;
}

static size_t
count(ks_ctx *ctx, const char *label)
{
	ks_key **k;
	size_t n = 0;

	if (ks_list(ctx, label, &k, &n) != KS_OK)
		return (size_t)-1;
	ks_keys_free(k, n);
	return n;
}

/* Verify a raw PKCS#1 v1.5 signature (no DigestInfo) with the SPKI. */
static int
verifies(const ks_key *k, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen)
{
	const unsigned char *p;
	size_t len;
	EVP_PKEY *pk;
	EVP_PKEY_CTX *pc;
	int ok = 0;

	p = ks_key_spki(k, &len);
	if ((pk = d2i_PUBKEY(NULL, &p, (long)len)) == NULL)
		return 0;
	if ((pc = EVP_PKEY_CTX_new(pk, NULL)) != NULL &&
	    EVP_PKEY_verify_init(pc) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1)
		ok = EVP_PKEY_verify(pc, sig, siglen, msg, msglen) == 1;
	EVP_PKEY_CTX_free(pc);
	EVP_PKEY_free(pk);
	return ok;
}

int
main(void)
{
	char dir[] = "/tmp/t_keystore.XXXXXX", cmd[256];
	unsigned char hash[20], sig[512], id1[64];
	size_t siglen, n, idlen, removed;
	const unsigned char *id;
	ks_key **keys;
	ks_ctx *ctx;
	ks_status st;

	if (mkdtemp(dir) == NULL)
		return 1;
	unsetenv("SOFTHSM2_CONF");
	ks_ctx_new(&ctx);
	ks_ctx_set_module(ctx, SOFTHSM_MODULE);
	is_int(ks_embedded_init(ctx, dir, "unit", the_pin, strlen(the_pin)),
	    KS_OK, "embedded token created: %s", ks_ctx_error(ctx));
	ks_ctx_free(ctx);
	ok(ks_embedded_exists(dir), "embedded dir recognised");
	ok(getenv("SOFTHSM2_CONF") != NULL, "SOFTHSM2_CONF points at it");
	ks_ctx_new(&ctx);
	is_int(ks_embedded_init(ctx, dir, "unit", the_pin, strlen(the_pin)),
	    KS_EEXIST, "second init refused");
	ks_ctx_free(ctx);

	ctx = open_ctx("0000", &st);
	is_int(st, KS_EAUTH, "wrong PIN is an authentication failure");
	ok(strstr(ks_ctx_error(ctx), "CKR_PIN_INCORRECT") != NULL,
	    "message names the CKR code: %s", ks_ctx_error(ctx));
	ks_ctx_free(ctx);

	ctx = open_ctx(the_pin, &st);
	is_int(st, KS_OK, "open and log in");
	is_str(ks_ctx_token_label(ctx), "unit", "the only token is chosen");
	is_int(ks_generate(ctx, "k1", 2048, KS_KIND_GENERAL, 0), KS_OK,
	    "generate general key");
	is_int(ks_generate(ctx, "k1", 2048, KS_KIND_GENERAL, 0), KS_EEXIST,
	    "same name refused");
	is_int(ks_generate(ctx, "k2", 512, KS_KIND_GENERAL, 0), KS_EUSAGE,
	    "512 bits refused");
	is_int(ks_generate(ctx, "bad name", 2048, KS_KIND_GENERAL, 0),
	    KS_EUSAGE, "name with a space refused");
	is_int(count(ctx, NULL), 1, "still one pair after the refusals");

	is_int(ks_list(ctx, "k1", &keys, &n), KS_OK, "list k1");
	is_int(n, 1, "one pair");
	is_int(ks_key_bits(keys[0]), 2048, "2048 bits");
	is_int(ks_key_usage(keys[0]), KS_USAGE_GENERAL, "general usage");
	ok(!ks_key_exportable(keys[0]), "not exportable by default");
	ok(ks_key_managed(keys[0]), "carries cryptokey's record");
	ok(ks_key_created(keys[0]) > 0, "creation time recorded");
	ok(ks_key_uri(keys[0]) != NULL &&
	    strstr(ks_key_uri(keys[0]), "object=k1") != NULL, "URI names it");
	id = ks_key_id(keys[0], &idlen);
	is_int(idlen, 20, "20-byte CKA_ID");
	memcpy(id1, id, idlen);

	memset(hash, 0xab, sizeof(hash));
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, "k1", KS_SIG_RSA_PKCS_RAW, hash, sizeof(hash), sig,
	    &siglen), KS_OK, "raw PKCS#1 sign (IKEv1 style)");
	is_int(siglen, 256, "256-byte signature");
	ok(verifies(keys[0], hash, sizeof(hash), sig, siglen),
	    "OpenSSL verifies it with the listed public key");
	ks_keys_free(keys, n);
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, "nosuch", KS_SIG_RSA_PKCS_RAW, hash, sizeof(hash),
	    sig, &siglen), KS_ENOTFOUND, "unknown key cannot sign");

	is_int(ks_generate(ctx, "k1", 1024, KS_KIND_GENERAL,
	    KS_GEN_REPLACE | KS_GEN_EXPORTABLE), KS_OK, "replace");
	is_int(ks_list(ctx, "k1", &keys, &n), KS_OK, "list again");
	is_int(n, 1, "still one pair under the name");
	is_int(ks_key_bits(keys[0]), 1024, "the new one");
	ok(ks_key_exportable(keys[0]), "exportable as asked");
	id = ks_key_id(keys[0], &idlen);
	ok(memcmp(id, id1, idlen) != 0, "new ID");
	/* the handle ks_sign kept names the destroyed key: C_SignInit
	 * refuses it, and the name is looked up again (sign.c) */
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, "k1", KS_SIG_RSA_PKCS_RAW, hash, sizeof(hash), sig,
	    &siglen), KS_OK, "the replaced key's name signs: %s",
	    ks_ctx_error(ctx));
	ok(verifies(keys[0], hash, sizeof(hash), sig, siglen),
	    "with the new key");
	ks_keys_free(keys, n);

	is_int(ks_generate(ctx, "u", 1024, KS_KIND_USAGE_KEYS, 0), KS_OK,
	    "usage keys");
	is_int(ks_list(ctx, "u", &keys, &n), KS_OK, "list u");
	is_int(n, 2, "two pairs");
	if (n == 2) {
		is_int(ks_key_usage(keys[0]), KS_USAGE_SIGNATURE, "signature");
		is_int(ks_key_usage(keys[1]), KS_USAGE_ENCRYPTION,
		    "encryption");
	}
	ks_keys_free(keys, n);
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, "u", KS_SIG_SHA256_RSA_PKCS, hash, sizeof(hash),
	    sig, &siglen), KS_OK, "usage keys sign with the signature pair");

	/* a locked key refuses to sign with "not permitted", and signs
	 * again once unlocked */
	is_int(ks_encrypt(ctx, "k1", "pbkdf2:1000", unit_secret_cb, (void *)"pass-1",
	    &n), KS_OK, "encrypt k1: %s", ks_ctx_error(ctx));
	is_int(ks_lock(ctx, "k1", 0, unit_secret_cb, (void *)"pass-1", &n), KS_OK,
	    "lock k1");
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, "k1", KS_SIG_SHA256_RSA_PKCS, hash, sizeof(hash),
	    sig, &siglen), KS_EPERM, "a locked key does not sign");
	ok(strstr(ks_ctx_error(ctx), "locked") != NULL, "and says so: %s",
	    ks_ctx_error(ctx));
	is_int(ks_unlock(ctx, "k1", unit_secret_cb, (void *)"pass-1", &n), KS_OK,
	    "unlock k1");
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, "k1", KS_SIG_SHA256_RSA_PKCS, hash, sizeof(hash),
	    sig, &siglen), KS_OK, "unlocked, it signs again");

	is_int(ks_zeroize(ctx, "nosuch", &removed), KS_ENOTFOUND,
	    "zeroize unknown name");
	is_int(ks_zeroize(ctx, "u", &removed), KS_OK, "zeroize u");
	is_int(removed, 2, "both pairs");
	is_int(ks_zeroize(ctx, NULL, &removed), KS_OK, "zeroize all");
	is_int(removed, 1, "the remaining pair");
	is_int(count(ctx, NULL), 0, "token empty");
	ks_ctx_free(ctx);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return done_testing();
}
