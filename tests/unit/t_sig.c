/*
 * t_sig.c -- the signature schemes of IKE authentication (sig.c): the
 * AlgorithmIdentifiers we send against what OpenSSL encodes and RFC 7427
 * prints, what the parser takes and refuses, the Authentication Data of
 * AUTH method 14, the choice from SIGNATURE_HASH_ALGORITHMS, and the check
 * of signatures OpenSSL makes with a fresh RSA key.
 */
#include "config.h"

#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "tools/ikesignd/ikesignd.h"
#include "tools/ikesignd/ikev2.h"
#include "tap.h"

static const enum sig_scheme all[] = {
	SIG_PKCS1_SHA1, SIG_PKCS1_SHA256, SIG_PKCS1_SHA384, SIG_PKCS1_SHA512,
	SIG_PSS_SHA256, SIG_PSS_SHA384, SIG_PSS_SHA512
};
#define NALL	(sizeof(all) / sizeof(all[0]))

static int
is_pss(enum sig_scheme s)
{
	return s >= SIG_PSS_SHA256;
}

static const char *
scheme_name(enum sig_scheme s)
{
	static const char *names[] = { "?", "PKCS1-SHA1", "PKCS1-SHA256",
	    "PKCS1-SHA384", "PKCS1-SHA512", "PSS-SHA256", "PSS-SHA384",
	    "PSS-SHA512" };

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int
hash_nid(enum sig_scheme s)
{
	switch (s) {
	case SIG_PKCS1_SHA1:
		return NID_sha1;
	case SIG_PKCS1_SHA256:
	case SIG_PSS_SHA256:
		return NID_sha256;
	case SIG_PKCS1_SHA384:
	case SIG_PSS_SHA384:
		return NID_sha384;
	default:
		return NID_sha512;
	}
}

static const EVP_MD *
scheme_md(enum sig_scheme s)
{
	return EVP_get_digestbynid(hash_nid(s));
}

/* An AlgorithmIdentifier of nid with parameters (type, value) as DER. */
static int
algor_der(int nid, int ptype, void *pval, uint8_t *out, size_t outsz)
{
	X509_ALGOR *a = X509_ALGOR_new();
	unsigned char *p = out;
	int len;

	if (a == NULL || !X509_ALGOR_set0(a, OBJ_nid2obj(nid), ptype, pval)) {
		X509_ALGOR_free(a);
		return -1;
	}
	len = i2d_X509_ALGOR(a, NULL);
	if (len <= 0 || (size_t)len > outsz || i2d_X509_ALGOR(a, &p) != len)
		len = -1;
	X509_ALGOR_free(a);
	return len;
}

/* A hash AlgorithmIdentifier: NULL parameters (RFC 7427, strongSwan), or
 * as OpenSSL itself writes it (absent parameters for SHA-2). */
static X509_ALGOR *
hash_algor(int nid, int with_null)
{
	X509_ALGOR *a = X509_ALGOR_new();

	if (a == NULL)
		return NULL;
	if (with_null)
		X509_ALGOR_set0(a, OBJ_nid2obj(nid), V_ASN1_NULL, NULL);
	else
		X509_ALGOR_set_md(a, EVP_get_digestbynid(nid));
	return a;
}

/* The RSASSA-PSS AlgorithmIdentifier as OpenSSL encodes it. */
static int
pss_der(int nid, int with_null, long salt, uint8_t *out, size_t outsz)
{
	RSA_PSS_PARAMS *pss = RSA_PSS_PARAMS_new();
	X509_ALGOR *mh = hash_algor(nid, with_null);
	ASN1_STRING *mgfp = NULL, *params = NULL;
	int len = -1;

	if (pss == NULL || mh == NULL)
		goto out;
	pss->hashAlgorithm = hash_algor(nid, with_null);
	pss->maskGenAlgorithm = X509_ALGOR_new();
	pss->saltLength = ASN1_INTEGER_new();
	if (pss->hashAlgorithm == NULL || pss->maskGenAlgorithm == NULL ||
	    pss->saltLength == NULL || !ASN1_INTEGER_set(pss->saltLength, salt))
		goto out;
	if ((mgfp = ASN1_item_pack(mh, ASN1_ITEM_rptr(X509_ALGOR), NULL)) ==
	    NULL || !X509_ALGOR_set0(pss->maskGenAlgorithm,
	    OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE, mgfp))
		goto out;
	mgfp = NULL;
	if ((params = ASN1_item_pack(pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS),
	    NULL)) == NULL)
		goto out;
	len = algor_der(NID_rsassaPss, V_ASN1_SEQUENCE, params, out, outsz);
out:
	ASN1_STRING_free(mgfp);
	X509_ALGOR_free(mh);
	RSA_PSS_PARAMS_free(pss);
	return len;
}

static int
pkcs1_nid(enum sig_scheme s)
{
	switch (s) {
	case SIG_PKCS1_SHA1:
		return NID_sha1WithRSAEncryption;
	case SIG_PKCS1_SHA256:
		return NID_sha256WithRSAEncryption;
	case SIG_PKCS1_SHA384:
		return NID_sha384WithRSAEncryption;
	default:
		return NID_sha512WithRSAEncryption;
	}
}

/* RFC 7427 A.4.3, "RSASSA-PSS with SHA-256". */
static const uint8_t rfc7427_pss_sha256[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60,
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1,
	0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20
};

static void
test_algid_bytes(void)
{
	const uint8_t *der;
	uint8_t want[256];
	size_t len, i;
	int wlen;

	for (i = 0; i < NALL; i++) {
		ok(sig_algid(all[i], &der, &len) == 0, "%s: has an "
		    "AlgorithmIdentifier", scheme_name(all[i]));
		if (is_pss(all[i]))
			wlen = pss_der(hash_nid(all[i]), 1,
			    (long)EVP_MD_get_size(scheme_md(all[i])), want,
			    sizeof(want));
		else
			wlen = algor_der(pkcs1_nid(all[i]), V_ASN1_NULL, NULL,
			    want, sizeof(want));
		ok(wlen > 0 && (size_t)wlen == len &&
		    memcmp(der, want, len) == 0, "%s: the octets OpenSSL "
		    "encodes", scheme_name(all[i]));
	}
	ok(sig_algid(SIG_PSS_SHA256, &der, &len) == 0 &&
	    len == sizeof(rfc7427_pss_sha256) &&
	    memcmp(der, rfc7427_pss_sha256, len) == 0,
	    "PSS-SHA256: RFC 7427 A.4.3 octet for octet");
	ok(sig_algid(0, &der, &len) == -1, "no AlgorithmIdentifier for 0");
	ok(sig_algid(SIG_ED25519 + 1, &der, &len) == -1,
	    "nor past the last scheme");
}

static int
parses_as(const uint8_t *der, size_t len, enum sig_scheme want,
    int wantsalt)
{
	enum sig_scheme s;
	int salt;

	return sig_algid_parse(der, len, &s, &salt) == 0 && s == want &&
	    salt == wantsalt;
}

static int
refused(const uint8_t *der, size_t len)
{
	enum sig_scheme s = SIG_PKCS1_SHA1;
	int salt = 7;

	return sig_algid_parse(der, len, &s, &salt) == -1 && s == 0 &&
	    salt == -1;
}

static void
test_algid_parse(void)
{
	const uint8_t *der;
	uint8_t buf[256];
	size_t len, i, n, bad;
	int wlen, hlen, salt;
	enum sig_scheme s;

	for (i = 0; i < NALL; i++) {
		hlen = EVP_MD_get_size(scheme_md(all[i]));
		(void)sig_algid(all[i], &der, &len);
		ok(parses_as(der, len, all[i], is_pss(all[i]) ? hlen : -1),
		    "%s: parse(build) is itself", scheme_name(all[i]));
		for (n = 0, bad = 0; n < len; n++)
			if (!refused(der, n))
				bad++;
		is_int(bad, 0, "%s: every truncation refused",
		    scheme_name(all[i]));
		memcpy(buf, der, len);
		buf[len] = 0;
		ok(refused(buf, len + 1), "%s: a trailing octet refused",
		    scheme_name(all[i]));
		if (is_pss(all[i])) {
			wlen = pss_der(hash_nid(all[i]), 0, hlen, buf,
			    sizeof(buf));
			ok((size_t)wlen == len - 4 && parses_as(buf,
			    (size_t)wlen, all[i], hlen), "%s: OpenSSL's own "
			    "encoding (hashes without NULL parameters) taken",
			    scheme_name(all[i]));
			wlen = pss_der(hash_nid(all[i]), 1, 0, buf,
			    sizeof(buf));
			ok(wlen > 0 && parses_as(buf, (size_t)wlen, all[i],
			    0), "%s: salt 0 taken", scheme_name(all[i]));
			wlen = pss_der(hash_nid(all[i]), 1, 2 * hlen, buf,
			    sizeof(buf));
			ok(wlen > 0 && parses_as(buf, (size_t)wlen, all[i],
			    2 * hlen), "%s: salt twice the hash taken",
			    scheme_name(all[i]));
			wlen = pss_der(hash_nid(all[i]), 1, 2 * hlen + 1, buf,
			    sizeof(buf));
			ok(wlen > 0 && refused(buf, (size_t)wlen),
			    "%s: a longer salt refused", scheme_name(all[i]));
			wlen = pss_der(hash_nid(all[i]), 1, -1, buf,
			    sizeof(buf));
			ok(wlen > 0 && refused(buf, (size_t)wlen),
			    "%s: a negative salt refused",
			    scheme_name(all[i]));
		} else {
			wlen = algor_der(pkcs1_nid(all[i]), V_ASN1_UNDEF, NULL,
			    buf, sizeof(buf));
			ok(wlen > 0 && parses_as(buf, (size_t)wlen, all[i], -1),
			    "%s: absent parameters taken",
			    scheme_name(all[i]));
		}
	}

	/* one field of the SHA-256 PSS parameters at a time */
	(void)sig_algid(SIG_PSS_SHA256, &der, &len);
	memcpy(buf, der, len);
	buf[len - 1] = 20;
	ok(parses_as(buf, len, SIG_PSS_SHA256, 20), "PSS salt 20 taken");
	/* octets 21-29: the hash's OID, 38-46 id-mgf1's, 51-59 MGF1's hash */
	memcpy(buf, der, len);
	buf[59] = 0x02;			/* MGF1 with SHA-384 */
	ok(refused(buf, len), "PSS: MGF1 hash other than the hash refused");
	memcpy(buf, der, len);
	buf[29] = 0x02;			/* and the hash too */
	buf[59] = 0x02;
	ok(parses_as(buf, len, SIG_PSS_SHA384, 32), "PSS: SHA-384 with "
	    "MGF1-SHA-384 and salt 32 taken");
	memcpy(buf, der, len);
	buf[29] = 0x04;			/* SHA-224 */
	buf[59] = 0x04;
	ok(refused(buf, len), "PSS with SHA-224 refused");
	memcpy(buf, der, len);
	buf[46] = 0x07;			/* id-RSAES-OAEP, not id-mgf1 */
	ok(refused(buf, len), "PSS: a mask generation other than MGF1 "
	    "refused");
	memcpy(buf, der, len);
	buf[30] = 0x04;			/* an empty OCTET STRING for NULL */
	ok(refused(buf, len), "PSS: hash parameters other than NULL refused");
	{
		/* trailerField present: 1 taken, 2 refused */
		uint8_t t[80];

		memcpy(t, der, len);
		t[1] += 5;
		t[14] += 5;
		memcpy(t + len, "\xa3\x03\x02\x01\x01", 5);
		ok(parses_as(t, len + 5, SIG_PSS_SHA256, 32),
		    "PSS: trailerField 1 taken");
		t[len + 4] = 2;
		ok(refused(t, len + 5), "PSS: trailerField 2 refused");
		/* saltLength [2] after trailerField [3]: out of order */
		memcpy(t, der, 15);
		t[1] = 0x41;
		t[14] = 0x34;
		memcpy(t + 15, der + 15, len - 15 - 5);
		memcpy(t + len - 5, "\xa3\x03\x02\x01\x01", 5);
		ok(parses_as(t, len, SIG_PSS_SHA256, 20),
		    "PSS: salt left at its default");
		memcpy(t + len, der + len - 5, 5);
		t[1] += 5;
		t[14] += 5;
		ok(refused(t, len + 5), "PSS: fields out of order refused");
		/* the same field twice */
		memcpy(t, der, len);
		memcpy(t + len, der + len - 5, 5);
		t[1] += 5;
		t[14] += 5;
		ok(refused(t, len + 5), "PSS: a field twice refused");
		/* a salt not in its shortest form: 00 20 */
		memcpy(t, der, len - 5);
		memcpy(t + len - 5, "\xa2\x04\x02\x02\x00\x20", 6);
		t[1] += 1;
		t[14] += 1;
		ok(refused(t, len + 1), "PSS: a salt not in its shortest form "
		    "refused");
		t[len + 1 - 2] = 0x80;	/* 00 80: 128, shortest; too long */
		ok(refused(t, len + 1), "PSS: salt 128 refused for SHA-256");
	}

	/* forms and algorithms refused */
	{
		static const struct {
			const char	*what;
			const char	*hex;
		} cases[] = {
			{ "empty", "" },
			{ "md5WithRSAEncryption",
			    "300d06092a864886f70d0101040500" },
			{ "rsaEncryption",
			    "300d06092a864886f70d0101010500" },
			{ "PKCS#1 with parameters other than NULL",
			    "300e06092a864886f70d01010b020100" },
			{ "NULL with contents",
			    "300e06092a864886f70d01010b050100" },
			{ "indefinite length",
			    "308006092a864886f70d01010b05000000" },
			{ "a length in long form that fits the short",
			    "30810d06092a864886f70d01010b0500" },
			{ "a SET", "310d06092a864886f70d01010b0500" },
			{ "an OID one arc longer",
			    "300e060a2a864886f70d01010b010500" },
			{ "RSASSA-PSS, absent parameters (SHA-1)",
			    "300b06092a864886f70d01010a" },
			{ "RSASSA-PSS, default parameters (SHA-1)",
			    "300d06092a864886f70d01010a3000" },
			{ "RSASSA-PSS, NULL parameters",
			    "300d06092a864886f70d01010a0500" },
			{ "RSASSA-PSS, SHA-256 with MGF1 left at SHA-1",
			    "301e06092a864886f70d01010a3011a00f300d0609608648"
			    "0165030402010500" },
			{ "Ed448 (id-Ed448)", "300506032b6571" },
		};
		uint8_t b[64];
		size_t k, j;

		for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
			n = strlen(cases[k].hex) / 2;
			for (j = 0; j < n; j++)
				sscanf(cases[k].hex + 2 * j, "%2hhx", &b[j]);
			ok(refused(b, n), "refused: %s", cases[k].what);
		}
	}

	/* every single bit flipped: no crash, and only known schemes */
	for (i = 0, bad = 0; i < NALL; i++) {
		(void)sig_algid(all[i], &der, &len);
		for (n = 0; n < len * 8; n++) {
			memcpy(buf, der, len);
			buf[n / 8] ^= (uint8_t)(1 << (n % 8));
			if (sig_algid_parse(buf, len, &s, &salt) == 0 &&
			    (s < SIG_PKCS1_SHA1 || s > SIG_PSS_SHA512))
				bad++;
		}
	}
	is_int(bad, 0, "bit flips give a known scheme or a refusal");
}

static void
test_auth14(void)
{
	uint8_t buf[600], sig[256];
	const uint8_t *der, *got;
	struct wbuf w;
	size_t i, len, glen;
	enum sig_scheme s;
	int salt;

	memset(sig, 0x5a, sizeof(sig));
	for (i = 0; i < NALL; i++) {
		(void)sig_algid(all[i], &der, &len);
		wb_init(&w, buf, sizeof(buf));
		ok(sig_auth14_build(&w, all[i], sig, sizeof(sig)) == 0 &&
		    w.len == 1 + len + sizeof(sig) && buf[0] == len &&
		    memcmp(buf + 1, der, len) == 0, "%s: auth data built",
		    scheme_name(all[i]));
		ok(sig_auth14_parse(buf, w.len, &s, &salt, &got, &glen) == 0 &&
		    s == all[i] && salt == (is_pss(all[i]) ?
		    EVP_MD_get_size(scheme_md(all[i])) : -1) &&
		    glen == sizeof(sig) && got == buf + 1 + len,
		    "%s: and parsed back", scheme_name(all[i]));
	}
	(void)sig_algid(SIG_PSS_SHA384, &der, &len);
	wb_init(&w, buf, sizeof(buf));
	(void)sig_auth14_build(&w, SIG_PSS_SHA384, sig, sizeof(sig));
	ok(sig_auth14_parse(buf, 1 + len, &s, &salt, &got, &glen) == -1 &&
	    s == 0 && got == NULL && glen == 0, "no signature refused");
	ok(sig_auth14_parse(buf, len, &s, &salt, &got, &glen) == -1,
	    "a short AlgorithmIdentifier refused");
	ok(sig_auth14_parse(buf, 0, &s, &salt, &got, &glen) == -1,
	    "nothing refused");
	buf[0] = (uint8_t)(len - 1);
	ok(sig_auth14_parse(buf, w.len, &s, &salt, &got, &glen) == -1,
	    "an ASN.1 length one short refused");
	buf[0] = (uint8_t)(len + 1);
	ok(sig_auth14_parse(buf, w.len, &s, &salt, &got, &glen) == -1,
	    "an ASN.1 length one long refused");
	buf[0] = 0;
	ok(sig_auth14_parse(buf, w.len, &s, &salt, &got, &glen) == -1,
	    "an ASN.1 length of 0 refused");
	wb_init(&w, buf, len + sizeof(sig));
	ok(sig_auth14_build(&w, SIG_PSS_SHA384, sig, sizeof(sig)) == -1,
	    "build into a buffer one octet short fails");
	wb_init(&w, buf, sizeof(buf));
	ok(sig_auth14_build(&w, SIG_PSS_SHA384, sig, 0) == -1,
	    "build without a signature fails");
	ok(sig_auth14_build(&w, 0, sig, sizeof(sig)) == -1,
	    "build for scheme 0 fails");
}

static void
test_choose(void)
{
	static const uint8_t all4[] = { 0, 1, 0, 2, 0, 3, 0, 4 };
	static const uint8_t desc[] = { 0, 4, 0, 3 };
	static const uint8_t only512[] = { 0, 4 };
	static const uint8_t sha1[] = { 0, 1 };
	static const uint8_t other[] = { 0, 1, 0, 5, 0, 4 };
	static const uint8_t odd[] = { 0, 2, 0 };
	static const uint8_t high[] = { 1, 2 };

	is_int(sig_choose(all4, sizeof(all4), 0), SIG_PKCS1_SHA256,
	    "all listed: SHA-256, PKCS#1");
	is_int(sig_choose(all4, sizeof(all4), 1), SIG_PSS_SHA256,
	    "all listed: SHA-256, PSS");
	is_int(sig_choose(desc, sizeof(desc), 1), SIG_PSS_SHA384,
	    "512 and 384 listed (in that order): SHA-384");
	is_int(sig_choose(only512, sizeof(only512), 0), SIG_PKCS1_SHA512,
	    "only 512: SHA-512");
	is_int(sig_choose(other, sizeof(other), 1), SIG_PSS_SHA512,
	    "SHA-1, Identity, 512: SHA-512");
	is_int(sig_choose(sha1, sizeof(sha1), 0), 0, "only SHA-1: none");
	is_int(sig_choose(all4, 0, 0), 0, "empty: none");
	is_int(sig_choose(NULL, 4, 0), 0, "NULL: none");
	is_int(sig_choose(odd, sizeof(odd), 0), 0, "odd length: none");
	is_int(sig_choose(high, sizeof(high), 0), 0, "0x0102 is not 2");

	is_int(sig_hash_alg(SIG_PKCS1_SHA1), IKEV2_HASH_SHA1, "hash ID SHA-1");
	is_int(sig_hash_alg(SIG_PSS_SHA256), IKEV2_HASH_SHA2_256,
	    "hash ID SHA-256");
	is_int(sig_hash_alg(SIG_PKCS1_SHA384), IKEV2_HASH_SHA2_384,
	    "hash ID SHA-384");
	is_int(sig_hash_alg(SIG_PSS_SHA512), IKEV2_HASH_SHA2_512,
	    "hash ID SHA-512");
	is_int(sig_hash_alg(0), -1, "no hash ID for 0");
	ok(sig_hash(SIG_PKCS1_SHA1) == alg_hash(IKE_HASH_SHA) &&
	    sig_hash(SIG_PSS_SHA384) == alg_hash(IKE_HASH_SHA384) &&
	    sig_hash(SIG_PKCS1_SHA512) == alg_hash(IKE_HASH_SHA512) &&
	    sig_hash(0) == NULL, "sig_hash");
}

/* An OpenSSL signature over msg under scheme s (salt: PSS). */
static size_t
openssl_sign(EVP_PKEY *key, enum sig_scheme s, int salt, const char *msg,
    uint8_t *sig, size_t sigsz)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t len = sigsz;

	if (mctx == NULL || EVP_DigestSignInit(mctx, &pctx, scheme_md(s), NULL,
	    key) != 1)
		len = 0;
	else if (is_pss(s) && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, scheme_md(s)) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) <= 0))
		len = 0;
	else if (EVP_DigestSign(mctx, sig, &len, (const uint8_t *)msg,
	    strlen(msg)) != 1)
		len = 0;
	EVP_MD_CTX_free(mctx);
	return len;
}

static void
test_verify(void)
{
	const char *msg = "RFC 7296 2.15 octets";
	uint8_t spki[1024], sig[512], hash[64], *p = spki;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *key2 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	uint8_t spki2[1024], *p2 = spki2;
	unsigned int hlen;
	size_t i, siglen;
	int spkilen, spki2len, salt;
	enum sig_scheme other;

	if (key == NULL || key2 == NULL ||
	    (spkilen = i2d_PUBKEY(key, &p)) <= 0 ||
	    (spki2len = i2d_PUBKEY(key2, &p2)) <= 0) {
		ok(0, "an RSA-2048 key");
		return;
	}
	for (i = 0; i < NALL; i++) {
		const char *n = scheme_name(all[i]);

		salt = is_pss(all[i]) ? EVP_MD_get_size(scheme_md(all[i])) : 0;
		siglen = openssl_sign(key, all[i], salt, msg, sig, sizeof(sig));
		if (!EVP_Digest(msg, strlen(msg), hash, &hlen,
		    scheme_md(all[i]), NULL) || siglen != 256) {
			ok(0, "%s: OpenSSL signs", n);
			continue;
		}
		ok(sig_verify(spki, (size_t)spkilen, all[i], -1, hash, hlen,
		    sig, siglen) == 0, "%s: OpenSSL's signature verifies", n);
		ok(is_pss(all[i]) || sig_verify(spki, (size_t)spkilen, all[i],
		    12345, hash, hlen, sig, siglen) == 0,
		    "%s: the salt length does not matter to PKCS#1", n);
		ok(sig_verify(spki2, (size_t)spki2len, all[i], -1, hash, hlen,
		    sig, siglen) == -1, "%s: not with another key", n);
		ok(sig_verify(spki, (size_t)spkilen - 1, all[i], -1, hash,
		    hlen, sig, siglen) == -1, "%s: not with a cut key", n);
		ok(sig_verify(spki, (size_t)spkilen, all[i], -1, hash, hlen,
		    sig, siglen - 1) == -1, "%s: nor a cut signature", n);
		ok(sig_verify(spki, (size_t)spkilen, all[i], -1, hash,
		    hlen - 1, sig, siglen) == -1, "%s: nor a cut hash", n);
		/* the same hash, the other padding */
		other = is_pss(all[i]) ? all[i] - 3 : all[i] + 3;
		if (all[i] != SIG_PKCS1_SHA1)
			ok(sig_verify(spki, (size_t)spkilen, other, -1, hash,
			    hlen, sig, siglen) == -1,
			    "%s: refused as %s", n, scheme_name(other));
		sig[100] ^= 0x08;
		ok(sig_verify(spki, (size_t)spkilen, all[i], -1, hash, hlen,
		    sig, siglen) == -1, "%s: a flipped signature bit refused",
		    n);
		sig[100] ^= 0x08;
		hash[0] ^= 0x01;
		ok(sig_verify(spki, (size_t)spkilen, all[i], -1, hash, hlen,
		    sig, siglen) == -1, "%s: a flipped hash bit refused", n);
		hash[0] ^= 0x01;
		if (!is_pss(all[i]))
			continue;
		ok(sig_verify(spki, (size_t)spkilen, all[i], salt - 1, hash,
		    hlen, sig, siglen) == -1, "%s: the wrong salt length "
		    "refused", n);
		siglen = openssl_sign(key, all[i], 20, msg, sig, sizeof(sig));
		ok(siglen == 256 && sig_verify(spki, (size_t)spkilen, all[i],
		    20, hash, hlen, sig, siglen) == 0, "%s: salt 20, as the "
		    "AlgorithmIdentifier says, verifies", n);
		ok(sig_verify(spki, (size_t)spkilen, all[i], -1, hash, hlen,
		    sig, siglen) == -1, "%s: salt 20 is not the default", n);
		ok(sig_verify(spki, (size_t)spkilen, all[i], 2 * salt + 1,
		    hash, hlen, sig, siglen) == -1, "%s: a salt length over "
		    "twice the hash refused", n);
	}
	ok(sig_verify(spki, (size_t)spkilen, 0, -1, hash, 32, sig, 256) == -1,
	    "scheme 0 refused");
	EVP_PKEY_free(key);
	EVP_PKEY_free(key2);
}

/* ECDSA (RFC 4754 and 7427) ------------------------------------------ */

static const struct {
	enum sig_scheme	 s;
	int		 curve;		/* KS_CURVE_* */
	const char	*group;		/* OpenSSL's name */
	int		 algnid;
	size_t		 rawlen;	/* r || s */
} ecs[] = {
	{ SIG_ECDSA_SHA256, KS_CURVE_P256, "P-256", NID_ecdsa_with_SHA256, 64 },
	{ SIG_ECDSA_SHA384, KS_CURVE_P384, "P-384", NID_ecdsa_with_SHA384, 96 },
	{ SIG_ECDSA_SHA512, KS_CURVE_P521, "P-521", NID_ecdsa_with_SHA512,
	    132 },
};

/* OpenSSL's DER ECDSA signature over a hash of hlen octets. */
static size_t
ec_sign(EVP_PKEY *key, const uint8_t *hash, size_t hlen, uint8_t *sig,
    size_t sigsz)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	size_t len = sigsz;

	if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_sign(ctx, sig, &len, hash, hlen) <= 0)
		len = 0;
	EVP_PKEY_CTX_free(ctx);
	return len;
}

/* The DER signature as r || s, each n octets, with OpenSSL. */
static int
ec_raw(const uint8_t *der, size_t len, uint8_t *raw, size_t n)
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int rc;

	if (es == NULL)
		return -1;
	ECDSA_SIG_get0(es, &r, &s);
	rc = BN_bn2binpad(r, raw, (int)n) < 0 ||
	    BN_bn2binpad(s, raw + n, (int)n) < 0 ? -1 : 0;
	ECDSA_SIG_free(es);
	return rc;
}

static void
test_ecdsa_one(size_t i)
{
	const struct ike_hash *h = sig_hash(ecs[i].s);
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", ecs[i].group);
	uint8_t spki[512], *p = spki, hash[64], sig[256], raw[140], der[160];
	uint8_t want[64], bad[160];
	const uint8_t *algid;
	size_t siglen, derlen = sizeof(der), algidlen;
	enum sig_scheme s;
	int spkilen, wlen, salt;

	if (!ok(key != NULL && h != NULL, "%s: an OpenSSL key",
	    ecs[i].group)) {
		EVP_PKEY_free(key);
		return;
	}
	spkilen = i2d_PUBKEY(key, &p);
	memset(hash, 0x5a, sizeof(hash));
	siglen = ec_sign(key, hash, h->len, sig, sizeof(sig));
	is_int(sig_ecdsa_scheme(ecs[i].curve), ecs[i].s, "%s: its scheme, "
	    "%s", ecs[i].group, sig_scheme_name(ecs[i].s));
	is_int(sig_ecdsa_raw_len(spki, (size_t)spkilen), (int)ecs[i].rawlen,
	    "%s: r || s is %zu octets", ecs[i].group, ecs[i].rawlen);
	ok(sig_verify(spki, (size_t)spkilen, ecs[i].s, -1, hash, h->len, sig,
	    siglen) == 0, "%s: OpenSSL's signature verifies", ecs[i].group);
	ok(ec_raw(sig, siglen, raw, ecs[i].rawlen / 2) == 0 &&
	    sig_ecdsa_to_der(raw, ecs[i].rawlen, der, &derlen) == 0 &&
	    derlen == siglen && memcmp(der, sig, siglen) == 0,
	    "%s: r || s back to the same DER", ecs[i].group);
	hash[0] ^= 1;
	ok(sig_verify(spki, (size_t)spkilen, ecs[i].s, -1, hash, h->len, sig,
	    siglen) == -1, "%s: another hash does not verify", ecs[i].group);
	hash[0] ^= 1;
	/* the signature with an octet after it: refused */
	memcpy(bad, sig, siglen);
	bad[siglen] = 0;
	ok(sig_verify(spki, (size_t)spkilen, ecs[i].s, -1, hash, h->len, bad,
	    siglen + 1) == -1, "%s: trailing octets are refused",
	    ecs[i].group);
	ok(sig_verify(spki, (size_t)spkilen, SIG_PKCS1_SHA256, -1, hash, 32,
	    sig, siglen) == -1, "%s: an EC key is no RSA key", ecs[i].group);
	wlen = algor_der(ecs[i].algnid, V_ASN1_UNDEF, NULL, want,
	    sizeof(want));
	ok(sig_algid(ecs[i].s, &algid, &algidlen) == 0 && wlen > 0 &&
	    (size_t)wlen == algidlen && memcmp(algid, want, algidlen) == 0,
	    "%s: the AlgorithmIdentifier OpenSSL encodes", ecs[i].group);
	ok(sig_algid_parse(want, (size_t)wlen, &s, &salt) == 0 &&
	    s == ecs[i].s, "%s: and it parses back", ecs[i].group);
	wlen = algor_der(ecs[i].algnid, V_ASN1_NULL, NULL, want,
	    sizeof(want));
	ok(sig_algid_parse(want, (size_t)wlen, &s, &salt) == -1,
	    "%s: with NULL parameters refused (RFC 5758)", ecs[i].group);
	EVP_PKEY_free(key);
}

static void
test_ecdsa(void)
{
	static const uint8_t list[] = { 0, 2, 0, 3 };	/* SHA-256, -384 */
	uint8_t der[16];
	size_t i, derlen = sizeof(der);

	for (i = 0; i < sizeof(ecs) / sizeof(ecs[0]); i++)
		test_ecdsa_one(i);
	is_int(sig_ecdsa_scheme(KS_CURVE_NONE), 0, "an RSA key has no ECDSA");
	is_int(sig_ecdsa_scheme(KS_CURVE_ED25519), 0, "nor has Ed25519");
	ok(sig_listed(list, sizeof(list), SIG_ECDSA_SHA384) &&
	    !sig_listed(list, sizeof(list), SIG_ECDSA_SHA512),
	    "sig_listed: by the scheme's hash");
	is_int(sig_choose(list, sizeof(list), SIGK_ECDSA), 0,
	    "sig_choose leaves ECDSA to the key's curve");
	ok(sig_ecdsa_to_der((const uint8_t *)"abc", 3, der, &derlen) == -1,
	    "an odd r || s refused");
	ok(sig_is_ecdsa(SIG_ECDSA_SHA256) && !sig_is_ecdsa(SIG_PSS_SHA256),
	    "sig_is_ecdsa");
}

/* Ed25519 (RFC 8420): the octets themselves, signed and verified. */
static void
test_ed25519(void)
{
	static const uint8_t algid[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
	    0x70 };
	static const uint8_t with_null[] = { 0x30, 0x07, 0x06, 0x03, 0x2b,
	    0x65, 0x70, 0x05, 0x00 };
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	const char *octets = "RealMessage1 | NonceRData | MACedIDForI";
	uint8_t spki[128], *p = spki, sig[64];
	const uint8_t *der;
	size_t siglen = sizeof(sig), len;
	enum sig_scheme s;
	int spkilen, salt;

	if (!ok(key != NULL && mctx != NULL &&
	    EVP_DigestSignInit(mctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(mctx, sig, &siglen, (const uint8_t *)octets,
	    strlen(octets)) == 1, "Ed25519: OpenSSL signs")) {
		EVP_MD_CTX_free(mctx);
		EVP_PKEY_free(key);
		return;
	}
	spkilen = i2d_PUBKEY(key, &p);
	ok(sig_verify_octets(spki, (size_t)spkilen, (const uint8_t *)octets,
	    strlen(octets), sig, siglen) == 0, "Ed25519: OpenSSL's signature "
	    "of the octets verifies");
	ok(sig_verify_octets(spki, (size_t)spkilen, (const uint8_t *)octets,
	    strlen(octets) - 1, sig, siglen) == -1, "Ed25519: other octets "
	    "do not");
	ok(sig_verify_octets(spki, (size_t)spkilen, (const uint8_t *)octets,
	    strlen(octets), sig, siglen - 1) == -1, "Ed25519: nor a short "
	    "signature");
	ok(sig_algid(SIG_ED25519, &der, &len) == 0 && len == sizeof(algid) &&
	    memcmp(der, algid, len) == 0, "Ed25519: id-Ed25519, no parameters");
	ok(sig_algid_parse(algid, sizeof(algid), &s, &salt) == 0 &&
	    s == SIG_ED25519, "Ed25519: parses back");
	ok(sig_algid_parse(with_null, sizeof(with_null), &s, &salt) == -1,
	    "Ed25519: with NULL parameters refused (RFC 8410 3)");
	ok(sig_hash(SIG_ED25519) == NULL && sig_hash_alg(SIG_ED25519) ==
	    IKEV2_HASH_IDENTITY, "Ed25519: no hash; announced as Identity");
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(key);
}

int
main(void)
{
	test_ecdsa();
	test_ed25519();
	test_algid_bytes();
	test_algid_parse();
	test_auth14();
	test_choose();
	test_verify();
	alg_free();
	return done_testing();
}
