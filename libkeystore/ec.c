/*
 * ec.c -- elliptic curves: names, CKA_EC_PARAMS, and public keys.
 *
 * A token names a curve in CKA_EC_PARAMS by the DER of its OID (named
 * curve, PKCS#11 2.40 section 2.3.3); we make and accept only that form.
 * CKA_EC_POINT is the DER OCTET STRING around the point (X9.62
 * uncompressed for the NIST curves, the 32 raw bytes for Ed25519); some
 * tokens give the bare point, which is accepted too, told apart by its
 * length, which the curve fixes.
 */
#include "config.h"

#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ks_internal.h"

static const unsigned char oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const unsigned char oid_p384[] = {
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22
};
static const unsigned char oid_p521[] = {
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23
};
static const unsigned char oid_ed25519[] = {
	0x06, 0x03, 0x2b, 0x65, 0x70
};

static const struct ks_curvedef curves[] = {
	{ KS_CURVE_P256, "P-256", "prime256v1", oid_p256, sizeof(oid_p256),
	    256, 65, CKK_EC, CKM_EC_KEY_PAIR_GEN, CKM_ECDSA },
	{ KS_CURVE_P384, "P-384", "secp384r1", oid_p384, sizeof(oid_p384),
	    384, 97, CKK_EC, CKM_EC_KEY_PAIR_GEN, CKM_ECDSA },
	{ KS_CURVE_P521, "P-521", "secp521r1", oid_p521, sizeof(oid_p521),
	    521, 133, CKK_EC, CKM_EC_KEY_PAIR_GEN, CKM_ECDSA },
	{ KS_CURVE_ED25519, "Ed25519", "ED25519", oid_ed25519,
	    sizeof(oid_ed25519), 256, 32, CKK_EC_EDWARDS,
	    CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA },
};

const struct ks_curvedef *
kx_curvedef(ks_curve c)
{
	size_t i;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].curve == c)
			return &curves[i];
	return NULL;
}

const struct ks_curvedef *
kx_curvedef_of_params(const unsigned char *params, size_t len)
{
	/* PKCS#11 3.0 also allows the curve name as a PrintableString */
	static const unsigned char ed25519_name[] = {
		0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5',
		'1', '9'
	};
	size_t i;

	if (len == sizeof(ed25519_name) &&
	    memcmp(params, ed25519_name, len) == 0)
		return kx_curvedef(KS_CURVE_ED25519);

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].paramslen == len &&
		    memcmp(curves[i].params, params, len) == 0)
			return &curves[i];
	return NULL;
}

const struct ks_curvedef *
kx_curvedef_of_group(const char *group)
{
	size_t i;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (strcmp(curves[i].group, group) == 0)
			return &curves[i];
	return NULL;
}

const char *
ks_curve_name(ks_curve c)
{
	const struct ks_curvedef *d = kx_curvedef(c);

	return d != NULL ? d->name : NULL;
}

ks_curve
ks_curve_of_bits(unsigned bits)
{
	switch (bits) {
	case 256:
		return KS_CURVE_P256;
	case 384:
		return KS_CURVE_P384;
	case 521:
		return KS_CURVE_P521;
	default:
		return KS_CURVE_NONE;
	}
}

/* KS_KEY_RSA, KS_KEY_EC for a named curve we take, or 0 (explicit
 * curve parameters too, even of a curve we know: tokens and IOS name
 * their curves). */
int
kx_pkey_type(EVP_PKEY *pk)
{
	char group[64], enc[32];

	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		return KS_KEY_RSA;
	case EVP_PKEY_ED25519:
		return KS_KEY_EC;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    NULL) == 1 && kx_curvedef_of_group(group) != NULL &&
		    EVP_PKEY_get_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof(enc),
		    NULL) == 1 && strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) == 0)
			return KS_KEY_EC;
		ERR_clear_error();
		return 0;
	default:
		return 0;
	}
}

const char *
ks_keytype_name(ks_keytype t)
{
	return t == KS_KEY_EC ? "ec" : "rsa";
}

/* The point inside CKA_EC_POINT: the DER OCTET STRING's contents, or the
 * value itself when it is exactly a bare point's length. */
static int
point_of(const struct ks_curvedef *d, const unsigned char *v, size_t len,
    const unsigned char **pt)
{
	size_t hdr;

	if (len == d->pointlen && (d->key_type == CKK_EC_EDWARDS ||
	    v[0] == 0x04)) {
		*pt = v;
		return 0;
	}
	if (len < 2 || v[0] != 0x04)
		return -1;
	if (v[1] < 0x80)
		hdr = 2;
	else if (v[1] == 0x81 && len >= 3 && v[2] >= 0x80)
		hdr = 3;
	else
		return -1;
	if (len - hdr != d->pointlen || (hdr == 2 ? v[1] : v[2]) != d->pointlen)
		return -1;
	*pt = v + hdr;
	return 0;
}

static EVP_PKEY *
ec_pub(const struct ks_curvedef *d, const unsigned char *pt)
{
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pk = NULL;

	if (d->key_type == CKK_EC_EDWARDS)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pt,
		    d->pointlen);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)d->group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, (void *)pt, d->pointlen);
	params[2] = OSSL_PARAM_construct_end();
	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
	EVP_PKEY_CTX_free(pctx);
	return pk;
}

ks_status
kx_spki_from_ec(const unsigned char *params, size_t paramslen,
    const unsigned char *point, size_t pointlen, unsigned char **der,
    size_t *derlen, ks_curve *curve)
{
	const struct ks_curvedef *d;
	const unsigned char *pt;
	unsigned char *buf = NULL;
	EVP_PKEY *pk;
	int len;

	*der = NULL;
	*derlen = 0;
	if ((d = kx_curvedef_of_params(params, paramslen)) == NULL ||
	    point_of(d, point, pointlen, &pt) != 0)
		return KS_EINPUT;
	if ((pk = ec_pub(d, pt)) == NULL)
		return KS_EINPUT;
	len = i2d_PUBKEY(pk, &buf);
	EVP_PKEY_free(pk);
	if (len <= 0)
		return KS_EFAIL;
	*der = buf;
	*derlen = (size_t)len;
	*curve = d->curve;
	return KS_OK;
}

/*
 * The curve and encoded point (CKA_EC_POINT: DER OCTET STRING) of an EC
 * or Ed25519 key OpenSSL holds, into point (at most KS_EC_POINT_MAX).
 */
ks_status
kx_ec_point_of(EVP_PKEY *pk, const struct ks_curvedef **dp,
    unsigned char *point, size_t *pointlen)
{
	const struct ks_curvedef *d;
	char group[64];
	unsigned char raw[KS_EC_POINT_MAX];
	size_t rawlen = 0, hdr;

	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519) {
		d = kx_curvedef(KS_CURVE_ED25519);
		rawlen = sizeof(raw);
		if (EVP_PKEY_get_raw_public_key(pk, raw, &rawlen) != 1)
			return KS_EINPUT;
	} else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		if (EVP_PKEY_get_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    NULL) != 1 || (d = kx_curvedef_of_group(group)) == NULL)
			return KS_EINPUT;
		/* uncompressed, whatever form the key came in */
		if (EVP_PKEY_set_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
		    "uncompressed") != 1 ||
		    EVP_PKEY_get_octet_string_param(pk,
		    OSSL_PKEY_PARAM_PUB_KEY, raw, sizeof(raw), &rawlen) != 1)
			return KS_EINPUT;
	} else
		return KS_EINPUT;
	if (d == NULL || rawlen != d->pointlen)
		return KS_EINPUT;
	hdr = rawlen < 0x80 ? 2 : 3;
	if (hdr + rawlen > KS_EC_POINT_MAX)
		return KS_EINPUT;
	point[0] = 0x04;
	if (hdr == 2)
		point[1] = (unsigned char)rawlen;
	else {
		point[1] = 0x81;
		point[2] = (unsigned char)rawlen;
	}
	memcpy(point + hdr, raw, rawlen);
	*pointlen = hdr + rawlen;
	*dp = d;
	return KS_OK;
}
