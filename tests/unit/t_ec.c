/*
 * t_ec.c -- EC keys in libkeystore: generation on a real token, listing
 * (type, curve, SubjectPublicKeyInfo), and signatures made on the token
 * (CKM_ECDSA raw r || s, CKM_EDDSA) verified with OpenSSL against the
 * listed public key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tap.h"
#include "token.h"
#include "libkeystore/ks_protect.h"

/* The listed pair of label (exactly one). */
static ks_key **
one_key(ks_ctx *ctx, const char *label, size_t *n)
{
	ks_key **keys = NULL;

	*n = 0;
	if (ks_list(ctx, label, &keys, n) != KS_OK || *n != 1) {
		ks_keys_free(keys, *n);
		*n = 0;
		return NULL;
	}
	return keys;
}

static EVP_PKEY *
key_of(const ks_key *k)
{
	const unsigned char *spki, *p;
	size_t len;

	spki = ks_key_spki(k, &len);
	if (spki == NULL)
		return NULL;
	p = spki;
	return d2i_PUBKEY(NULL, &p, (long)len);
}

/* raw r || s (each half of rs) as the DER OpenSSL verifies */
static int
verify_ecdsa(EVP_PKEY *pk, const unsigned char *hash, size_t hashlen,
    const unsigned char *rs, size_t rslen)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	EVP_PKEY_CTX *pc = NULL;
	int derlen, ok = 0;

	if (rslen == 0 || rslen % 2 != 0)
		return 0;
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(rs, (int)(rslen / 2), NULL)) == NULL ||
	    (s = BN_bin2bn(rs + rslen / 2, (int)(rslen / 2), NULL)) == NULL ||
	    ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return 0;
	}
	if ((derlen = i2d_ECDSA_SIG(sig, &der)) > 0 &&
	    (pc = EVP_PKEY_CTX_new(pk, NULL)) != NULL &&
	    EVP_PKEY_verify_init(pc) == 1)
		ok = EVP_PKEY_verify(pc, der, (size_t)derlen, hash,
		    hashlen) == 1;
	EVP_PKEY_CTX_free(pc);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	return ok;
}

static int
verify_ed25519(EVP_PKEY *pk, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *mc;
	int ok = 0;

	if ((mc = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(mc, NULL, NULL, NULL, pk) == 1)
		ok = EVP_DigestVerify(mc, sig, siglen, msg, msglen) == 1;
	EVP_MD_CTX_free(mc);
	return ok;
}

static void
nist_curve(ks_ctx *ctx, const char *label, ks_curve curve, unsigned bits,
    size_t rslen, const char *mdname)
{
	unsigned char hash[64], sig[256];
	unsigned hashlen = 0;
	size_t siglen, n;
	ks_key **keys;
	EVP_PKEY *pk;
	ks_status st;

	st = ks_generate_ec(ctx, label, curve, KS_KIND_GENERAL, 0);
	is_int(st, KS_OK, "%s: generated: %s", label, ks_ctx_error(ctx));
	keys = one_key(ctx, label, &n);
	ok(keys != NULL, "%s: listed once", label);
	if (keys == NULL)
		return;
	is_int(ks_key_type(keys[0]), KS_KEY_EC, "%s: type ec", label);
	is_int(ks_key_curve(keys[0]), curve, "%s: curve", label);
	is_str(ks_curve_name(ks_key_curve(keys[0])), label, "%s: curve name",
	    label);
	is_int(ks_key_bits(keys[0]), bits, "%s: bits", label);
	is_int(ks_key_exportable(keys[0]), 0, "%s: not exportable", label);
	pk = key_of(keys[0]);
	ok(pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	    EVP_PKEY_get_bits(pk) == (int)bits,
	    "%s: SPKI is an EC key OpenSSL reads", label);

	EVP_Digest("message", 7, hash, &hashlen, EVP_get_digestbyname(mdname),
	    NULL);
	siglen = sizeof(sig);
	st = ks_sign(ctx, label, KS_SIG_ECDSA_HASH, hash, hashlen, sig,
	    &siglen);
	is_int(st, KS_OK, "%s: ECDSA on the token: %s", label,
	    ks_ctx_error(ctx));
	is_int(siglen, rslen, "%s: raw r || s of %zu bytes", label, rslen);
	ok(pk != NULL && verify_ecdsa(pk, hash, hashlen, sig, siglen),
	    "%s: OpenSSL verifies it with the listed public key", label);
	sig[siglen / 2] ^= 1;
	ok(pk != NULL && !verify_ecdsa(pk, hash, hashlen, sig, siglen),
	    "%s: a changed signature does not verify", label);

	siglen = sizeof(sig);
	is_int(ks_sign(ctx, label, KS_SIG_RSA_PKCS_SHA256_HASH, hash, 32, sig,
	    &siglen), KS_ENOTFOUND, "%s: no RSA signature with an EC key",
	    label);
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, label, KS_SIG_ECDSA_HASH, hash, 19, sig, &siglen),
	    KS_EUSAGE, "%s: a 19-byte hash is refused", label);
	EVP_PKEY_free(pk);
	ks_keys_free(keys, n);
}

int
main(void)
{
	char dir[] = "/tmp/t_ec.XXXXXX", cmd[256];
	unsigned char hash[32] = { 1 }, sig[128];
	const char msg[] = "IKE_SA_INIT and more";
	size_t siglen, n, removed;
	ks_key **keys;
	EVP_PKEY *pk;
	ks_ctx *ctx;

	if ((ctx = unit_token(dir)) == NULL)
		return 1;

	nist_curve(ctx, "P-256", KS_CURVE_P256, 256, 64, "SHA256");
	nist_curve(ctx, "P-384", KS_CURVE_P384, 384, 96, "SHA384");
	nist_curve(ctx, "P-521", KS_CURVE_P521, 521, 132, "SHA512");

	/* Ed25519: pure EdDSA over the message */
	is_int(ks_generate_ec(ctx, "ed", KS_CURVE_ED25519, KS_KIND_GENERAL,
	    KS_GEN_EXPORTABLE), KS_OK, "Ed25519 generated: %s",
	    ks_ctx_error(ctx));
	keys = one_key(ctx, "ed", &n);
	ok(keys != NULL, "Ed25519 listed");
	if (keys != NULL) {
		is_int(ks_key_curve(keys[0]), KS_CURVE_ED25519,
		    "Ed25519: curve");
		is_int(ks_key_exportable(keys[0]), 1, "Ed25519: exportable "
		    "as asked");
		pk = key_of(keys[0]);
		ok(pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519,
		    "Ed25519: SPKI read by OpenSSL");
		siglen = sizeof(sig);
		is_int(ks_sign(ctx, "ed", KS_SIG_EDDSA,
		    (const unsigned char *)msg, strlen(msg), sig, &siglen),
		    KS_OK, "Ed25519: signed on the token: %s",
		    ks_ctx_error(ctx));
		is_int(siglen, 64, "Ed25519: 64-byte signature");
		ok(pk != NULL && verify_ed25519(pk, (const unsigned char *)msg,
		    strlen(msg), sig, siglen), "Ed25519: OpenSSL verifies it");
		siglen = sizeof(sig);
		is_int(ks_sign(ctx, "ed", KS_SIG_ECDSA_HASH, hash, 32, sig,
		    &siglen), KS_ENOTFOUND, "Ed25519: no ECDSA with it");
		EVP_PKEY_free(pk);
		ks_keys_free(keys, n);
	}
	is_int(ks_generate_ec(ctx, "ed2", KS_CURVE_ED25519, KS_KIND_USAGE_KEYS,
	    0), KS_EUSAGE, "Ed25519 usage keys refused");

	/* usage keys: a signature pair and a key-agreement pair */
	is_int(ks_generate_ec(ctx, "uk", KS_CURVE_P256, KS_KIND_USAGE_KEYS, 0),
	    KS_OK, "P-256 usage keys: %s", ks_ctx_error(ctx));
	keys = NULL;
	n = 0;
	is_int(ks_list(ctx, "uk", &keys, &n), KS_OK, "usage keys listed");
	ok(n == 2 && ks_key_usage(keys[0]) == KS_USAGE_SIGNATURE &&
	    ks_key_usage(keys[1]) == KS_USAGE_ENCRYPTION,
	    "usage keys: signature and encryption");
	ks_keys_free(keys, n);
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, "uk", KS_SIG_ECDSA_HASH, hash, 32, sig, &siglen),
	    KS_OK, "usage keys: the signature pair signs");

	/* keycheck.c: a private key object belongs to its public key, by a
	 * signature (signing keys) or an ECDH secret (encryption keys) */
	keys = NULL;
	n = 0;
	is_int(ks_list(ctx, "uk", &keys, &n), KS_OK, "usage keys listed again");
	if (n == 2) {
		is_int(kx_private_matches(ctx, keys[0]->priv, keys[0]), KS_OK,
		    "signature pair: its private key matches (ECDSA)");
		is_int(kx_private_matches(ctx, keys[1]->priv, keys[1]), KS_OK,
		    "encryption pair: its private key matches (ECDH): %s",
		    ks_ctx_error(ctx));
		is_int(kx_private_matches(ctx, keys[1]->priv, keys[0]),
		    KS_EINPUT, "encryption key against the signature key's "
		    "public key: no match (ECDH)");
		is_int(kx_private_matches(ctx, keys[0]->priv, keys[1]),
		    KS_EINPUT, "signature key against the encryption key's "
		    "public key: no match (ECDSA)");
	} else
		ok(0, "usage keys: two pairs");
	ks_keys_free(keys, n);

	/* one name across types */
	is_int(ks_generate(ctx, "P-256", 1024, KS_KIND_GENERAL, 0), KS_EEXIST,
	    "an RSA key of an EC key's name is refused");
	is_int(ks_generate(ctx, "P-256", 1024, KS_KIND_GENERAL,
	    KS_GEN_REPLACE), KS_OK, "... and replaces it with --replace");
	keys = one_key(ctx, "P-256", &n);
	ok(keys != NULL && ks_key_type(keys[0]) == KS_KEY_RSA,
	    "the name now holds one RSA pair");
	ks_keys_free(keys, n);

	/* the type filter */
	ks_ctx_set_key_types(ctx, KS_KEY_RSA);
	keys = NULL;
	n = 0;
	is_int(ks_list(ctx, NULL, &keys, &n), KS_OK, "list RSA only");
	is_int(n, 1, "RSA only: one pair");
	ks_keys_free(keys, n);
	ks_ctx_set_key_types(ctx, KS_KEY_EC);
	is_int(ks_zeroize(ctx, NULL, &removed), KS_OK, "zeroize EC keys");
	is_int(removed, 5, "five EC pairs removed");
	ks_ctx_set_key_types(ctx, KS_KEY_ALL);
	keys = NULL;
	n = 0;
	is_int(ks_list(ctx, NULL, &keys, &n), KS_OK, "list all");
	ok(n == 1 && ks_key_type(keys[0]) == KS_KEY_RSA,
	    "the RSA pair is left");
	ks_keys_free(keys, n);

	ks_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return done_testing();
}
