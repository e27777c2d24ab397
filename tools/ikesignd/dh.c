/*
 * dh.c -- Diffie-Hellman for IKE through OpenSSL EVP: MODP groups 1, 2
 * (RFC 2409), 5, 14, 15, 16 (RFC 3526), ECP groups 19, 20, 21 (RFC 5903:
 * KE data is x | y, the shared secret is x) and, for IKEv2, group 31
 * (Curve25519, RFC 8031: KE data is the 32-octet public value, and so is
 * the shared secret).  The peer's value is checked before use: exact
 * length, 1 < y < p-1 for MODP (and y^q = 1 where OpenSSL knows q), a
 * point on the curve for ECP; for Curve25519 an all-zero shared secret is
 * refused (RFC 8031 2).
 */
#include "config.h"

#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/param_build.h>

#include "ikesignd.h"

static const struct dh_group groups[] = {
	{ 1, "modp768", DH_MODP, 96, 1 },
	{ 2, "modp1024", DH_MODP, 128, 1 },
	{ 5, "modp1536", DH_MODP, 192, 1 },
	{ 14, "modp2048", DH_MODP, 256, 0 },
	{ 15, "modp3072", DH_MODP, 384, 0 },
	{ 16, "modp4096", DH_MODP, 512, 0 },
	{ 19, "ecp256", DH_ECP, 64, 0 },
	{ 20, "ecp384", DH_ECP, 96, 0 },
	{ 21, "ecp521", DH_ECP, 132, 0 },
	{ 31, "curve25519", DH_X25519, 32, 0 },
};
#define NGROUPS	(sizeof(groups) / sizeof(groups[0]))
#define X25519_LEN	32

const struct dh_group *
dh_group_get(int id)
{
	size_t i;

	for (i = 0; i < NGROUPS; i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

/* OpenSSL's name for a group, NULL for the Oakley groups built from p. */
static const char *
ossl_name(int id)
{
	switch (id) {
	case 5:
		return "modp_1536";
	case 14:
		return "modp_2048";
	case 15:
		return "modp_3072";
	case 16:
		return "modp_4096";
	case 19:
		return "P-256";
	case 20:
		return "P-384";
	case 21:
		return "P-521";
	default:
		return NULL;
	}
}

/* Parameters (and optionally the public value) of an Oakley MODP group. */
static EVP_PKEY *
oakley_key(int id, const BIGNUM *pub, int selection)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *p = NULL, *g = NULL;

	p = id == 1 ? BN_get_rfc2409_prime_768(NULL) :
	    BN_get_rfc2409_prime_1024(NULL);
	g = BN_new();
	if (p == NULL || g == NULL || !BN_set_word(g, 2))
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g) ||
	    !OSSL_PARAM_BLD_push_int(bld, OSSL_PKEY_PARAM_DH_PRIV_LEN, 256))
		goto out;
	if (pub != NULL &&
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub))
		goto out;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, selection, params) <= 0)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(g);
	return key;
}

static EVP_PKEY *
keygen(const struct dh_group *g)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *params = NULL, *key = NULL;

	if (g->ecp == DH_X25519)
		return EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (g->ecp == DH_ECP)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", ossl_name(g->id));
	if (ossl_name(g->id) != NULL) {
		OSSL_PARAM p[2];

		p[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, (char *)ossl_name(g->id), 0);
		p[1] = OSSL_PARAM_construct_end();
		if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) ==
		    NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
		    EVP_PKEY_CTX_set_params(ctx, p) <= 0 ||
		    EVP_PKEY_generate(ctx, &key) <= 0)
			key = NULL;
		EVP_PKEY_CTX_free(ctx);
		return key;
	}
	if ((params = oakley_key(g->id, NULL,
	    EVP_PKEY_KEY_PARAMETERS)) == NULL)
		return NULL;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_generate(ctx, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return key;
}

int
dh_create(const struct dh_group *g, EVP_PKEY **out, uint8_t *pub)
{
	EVP_PKEY *key;
	BIGNUM *y = NULL;
	uint8_t pt[1 + DH_PUB_MAX];
	size_t ptlen = 0;
	int rc = -1;

	*out = NULL;
	if ((key = keygen(g)) == NULL)
		return -1;
	if (g->ecp == DH_X25519) {
		ptlen = g->publen;
		if (EVP_PKEY_get_raw_public_key(key, pub, &ptlen) > 0 &&
		    ptlen == g->publen)
			rc = 0;
	} else if (g->ecp == DH_ECP) {
		/* uncompressed point 04 | x | y; IKE sends x | y */
		if (EVP_PKEY_get_octet_string_param(key,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt),
		    &ptlen) > 0 && ptlen == g->publen + 1 && pt[0] == 0x04) {
			memcpy(pub, pt + 1, g->publen);
			rc = 0;
		}
	} else if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY,
	    &y) > 0 && BN_bn2binpad(y, pub, (int)g->publen) ==
	    (int)g->publen)
		rc = 0;
	BN_free(y);
	if (rc != 0) {
		EVP_PKEY_free(key);
		return -1;
	}
	*out = key;
	return 0;
}

/* A named MODP group's public key from y. */
static EVP_PKEY *
named_peer(const struct dh_group *g, const BIGNUM *y)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    ossl_name(g->id), 0) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
		params = OSSL_PARAM_BLD_to_param(bld);
	OSSL_PARAM_BLD_free(bld);
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

/* The peer's MODP value as a key, after checking 1 < y < p-1. */
static EVP_PKEY *
modp_peer(const struct dh_group *g, EVP_PKEY *own, const uint8_t *v,
    size_t len)
{
	EVP_PKEY *peer = NULL;
	BIGNUM *y = NULL, *p = NULL, *pm1 = NULL;

	if ((y = BN_bin2bn(v, (int)len, NULL)) == NULL ||
	    EVP_PKEY_get_bn_param(own, OSSL_PKEY_PARAM_FFC_P, &p) <= 0 ||
	    (pm1 = BN_dup(p)) == NULL || !BN_sub_word(pm1, 1))
		goto out;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0)
		goto out;
	if (ossl_name(g->id) == NULL)
		peer = oakley_key(g->id, y, EVP_PKEY_PUBLIC_KEY);
	else
		peer = named_peer(g, y);
out:
	BN_free(y);
	BN_free(p);
	BN_free(pm1);
	return peer;
}

static EVP_PKEY *
ecp_peer(const struct dh_group *g, const uint8_t *v, size_t len)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer = NULL;
	OSSL_PARAM p[3];
	uint8_t pt[1 + DH_PUB_MAX];

	if (len + 1 > sizeof(pt))
		return NULL;
	pt[0] = 0x04;
	memcpy(pt + 1, v, len);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)ossl_name(g->id), 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt,
	    len + 1);
	p[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &peer, EVP_PKEY_PUBLIC_KEY, p) <= 0)
		peer = NULL;
	EVP_PKEY_CTX_free(ctx);
	return peer;
}

/* Any 32 octets are a Curve25519 value (RFC 7748 5); the result is checked. */
static EVP_PKEY *
x25519_peer(const uint8_t *v, size_t len)
{
	return EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, v, len);
}

/* RFC 8031 2: a value of small order gives a shared secret of all zeros. */
static int
x25519_secret_ok(const uint8_t *secret, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= secret[i];
	return len == X25519_LEN && acc != 0;
}

int
dh_derive(const struct dh_group *g, EVP_PKEY *own, const uint8_t *v,
    size_t len, uint8_t *secret, size_t *secretlen)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer;
	size_t n = DH_SECRET_MAX;
	int rc = -1;

	if (len != g->publen)
		return -1;
	if (g->ecp == DH_X25519)
		peer = x25519_peer(v, len);
	else if (g->ecp == DH_ECP)
		peer = ecp_peer(g, v, len);
	else
		peer = modp_peer(g, own, v, len);
	if (peer == NULL)
		return -1;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	if (g->ecp == DH_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
		goto out;
	/* the value was checked when peer was made: range (MODP) or on the
	 * curve (ECP); OpenSSL's full check adds a modexp per handshake */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) <= 0 ||
	    EVP_PKEY_derive(ctx, secret, &n) <= 0)
		goto out;
	if (g->ecp == DH_X25519 && !x25519_secret_ok(secret, n)) {
		OPENSSL_cleanse(secret, n);
		goto out;
	}
	*secretlen = n;
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return rc;
}
