/*
 * peerspki.c -- a peer's RSA or EC public key from outside: PEM or DER in,
 * a checked SubjectPublicKeyInfo in canonical DER out.
 *
 * Checks: one whole DER SubjectPublicKeyInfo and nothing after it, an RSA
 * key of 1024 to KS_MODULUS_MAX bits with an odd exponent above 1, or an
 * EC key on a named curve we take (P-256, P-384, P-521; Ed25519) whose
 * point OpenSSL accepts (not DSA, other curves, explicit parameters).
 * What we keep is OpenSSL's re-encoding of the key, so that the token's
 * modulus and exponent (EC: parameters and uncompressed point) give back
 * the same bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kr_internal.h"

static ks_status
check_pkey(ks_ctx *ctx, EVP_PKEY *pk, const char *what, unsigned *bits)
{
	const struct ks_curvedef *d = NULL;
	unsigned char point[KS_EC_POINT_MAX];
	size_t pointlen = 0;
	BIGNUM *e = NULL;
	const char *type;
	ks_status st = KS_OK;
	int b;

	if (kx_pkey_type(pk) == KS_KEY_EC) {
		/* the point in the uncompressed form the token keeps */
		if (kx_ec_point_of(pk, &d, point, &pointlen) != KS_OK)
			return kx_fail(ctx, KS_EINPUT, "%s is an EC key "
			    "cryptokey cannot use", what);
		*bits = d->bits;
		return KS_OK;
	}
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC)
		return kx_fail(ctx, KS_EINPUT, "%s is an EC key on a curve "
		    "cryptokey does not take, or with explicit parameters "
		    "(P-256, P-384, P-521 and Ed25519 are taken)", what);
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		type = EVP_PKEY_get0_type_name(pk);
		return kx_fail(ctx, KS_EINPUT, "%s is neither an RSA nor an "
		    "EC key (it is %s)", what, type != NULL ? type :
		    "another kind");
	}
	b = EVP_PKEY_get_bits(pk);
	if (b < KR_PEER_BITS_MIN || b > KS_MODULUS_MAX)
		return kx_fail(ctx, KS_EINPUT, "%s is a %d-bit RSA key; %d to "
		    "%d bits are accepted", what, b, KR_PEER_BITS_MIN,
		    KS_MODULUS_MAX);
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
		return kx_fail(ctx, KS_EINPUT, "%s has no RSA exponent", what);
	if (!BN_is_odd(e) || BN_is_one(e))
		st = kx_fail(ctx, KS_EINPUT, "%s has an invalid RSA public "
		    "exponent", what);
	BN_free(e);
	*bits = (unsigned)b;
	return st;
}

static ks_status
encode(ks_ctx *ctx, EVP_PKEY *pk, unsigned char **out, size_t *outlen)
{
	unsigned char *buf = NULL;
	int len;

	/* copied so that callers free() what they get */
	if ((len = i2d_PUBKEY(pk, &buf)) <= 0)
		return kx_fail(ctx, KS_EFAIL, "cannot encode a public key");
	if ((*out = malloc((size_t)len)) == NULL) {
		OPENSSL_free(buf);
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	}
	memcpy(*out, buf, (size_t)len);
	OPENSSL_free(buf);
	*outlen = (size_t)len;
	return KS_OK;
}

/* Not a SubjectPublicKeyInfo: say what it looks like instead. */
static ks_status
explain(ks_ctx *ctx, const unsigned char *der, size_t len, const char *what)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;

	pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
	ERR_clear_error();
	if (pk != NULL) {
		EVP_PKEY_free(pk);
		return kx_fail(ctx, KS_EINPUT, "%s is a PKCS#1 RSAPublicKey, "
		    "not a SubjectPublicKeyInfo (IOS Key Data begins with "
		    "30820122 300D0609 for 2048 bits)", what);
	}
	return kx_fail(ctx, KS_EINPUT, "%s (%zu bytes) is not a DER "
	    "SubjectPublicKeyInfo", what, len);
}

ks_status
kr_spki_check(ks_ctx *ctx, const unsigned char *der, size_t len,
    const char *what, unsigned char **out, size_t *outlen, unsigned *bits)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;
	ks_status st;

	*out = NULL;
	*outlen = 0;
	if (len == 0)
		return kx_fail(ctx, KS_EINPUT, "%s is empty", what);
	if (len > KR_SPKI_MAX)
		return kx_fail(ctx, KS_EINPUT, "%s is %zu bytes; a public key "
		    "has at most %d", what, len, KR_SPKI_MAX);
	pk = d2i_PUBKEY(NULL, &p, (long)len);
	ERR_clear_error();
	if (pk == NULL)
		return explain(ctx, der, len, what);
	if (p != der + len)
		st = kx_fail(ctx, KS_EINPUT, "%s has %zu bytes after the "
		    "SubjectPublicKeyInfo", what, (size_t)(der + len - p));
	else if ((st = check_pkey(ctx, pk, what, bits)) == KS_OK)
		st = encode(ctx, pk, out, outlen);
	EVP_PKEY_free(pk);
	return st;
}

static ks_status
bn_out(ks_ctx *ctx, EVP_PKEY *pk, const char *param, unsigned char **out,
    size_t *outlen)
{
	BIGNUM *bn = NULL;
	int len;

	if (EVP_PKEY_get_bn_param(pk, param, &bn) != 1)
		return kx_fail(ctx, KS_EINPUT, "public key has no %s", param);
	len = BN_num_bytes(bn);
	if (len <= 0 || (*out = malloc((size_t)len)) == NULL) {
		BN_free(bn);
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	}
	*outlen = (size_t)BN_bn2bin(bn, *out);
	BN_free(bn);
	return KS_OK;
}

ks_status
kr_spki_rsa(ks_ctx *ctx, const unsigned char *spki, size_t len,
    unsigned char **n, size_t *nlen, unsigned char **e, size_t *elen)
{
	const unsigned char *p = spki;
	EVP_PKEY *pk;
	ks_status st;

	*n = *e = NULL;
	*nlen = *elen = 0;
	if ((pk = d2i_PUBKEY(NULL, &p, (long)len)) == NULL ||
	    EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		ERR_clear_error();
		EVP_PKEY_free(pk);
		return kx_fail(ctx, KS_EINPUT, "not an RSA public key");
	}
	st = bn_out(ctx, pk, OSSL_PKEY_PARAM_RSA_N, n, nlen);
	if (st == KS_OK)
		st = bn_out(ctx, pk, OSSL_PKEY_PARAM_RSA_E, e, elen);
	EVP_PKEY_free(pk);
	if (st != KS_OK) {
		free(*n);
		*n = NULL;
	}
	return st;
}

/* The public key inside one PEM block. */
static ks_status
pem_block(ks_ctx *ctx, const char *name, const unsigned char *data,
    long dlen, unsigned char **spki, size_t *spkilen)
{
	const unsigned char *p = data;
	unsigned char *der = NULL;
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	unsigned bits;
	ks_status st;

	if (strcmp(name, "PUBLIC KEY") == 0)
		return kr_spki_check(ctx, data, (size_t)dlen, "the PEM public "
		    "key", spki, spkilen, &bits);
	if (strstr(name, "PRIVATE KEY") != NULL)
		return kx_fail(ctx, KS_EINPUT, "the PEM block is a private "
		    "key (%s); give the peer's public key", name);
	if (strcmp(name, "RSA PUBLIC KEY") == 0)
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, dlen);
	else if (strcmp(name, "CERTIFICATE") == 0 &&
	    (x = d2i_X509(NULL, &p, dlen)) != NULL &&
	    (pk = X509_get0_pubkey(x)) != NULL)
		EVP_PKEY_up_ref(pk);
	else if (strcmp(name, "CERTIFICATE") != 0)
		return kx_fail(ctx, KS_EINPUT, "the PEM block is '%s', not a "
		    "public key or certificate", name);
	X509_free(x);
	ERR_clear_error();
	if (pk == NULL)
		return kx_fail(ctx, KS_EINPUT, "the PEM %s does not parse",
		    name);
	if ((st = encode(ctx, pk, &der, spkilen)) == KS_OK) {
		st = kr_spki_check(ctx, der, *spkilen, "the PEM key", spki,
		    spkilen, &bits);
		free(der);
	}
	EVP_PKEY_free(pk);
	return st;
}

ks_status
ks_pubkey_pem_parse(ks_ctx *ctx, const char *text, size_t len,
    unsigned char **spki, size_t *spkilen)
{
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	BIO *bio;
	ks_status st;

	*spki = NULL;
	*spkilen = 0;
	if (len > KS_KEYSTRING_MAX)
		return kx_fail(ctx, KS_EINPUT, "PEM text is %zu bytes; at "
		    "most %d are read", len, KS_KEYSTRING_MAX);
	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1 ||
	    dlen <= 0)
		st = kx_fail(ctx, KS_EINPUT, "no PEM block (-----BEGIN PUBLIC "
		    "KEY-----) found");
	else
		st = pem_block(ctx, name, data, dlen, spki, spkilen);
	ERR_clear_error();
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(bio);
	return st;
}
