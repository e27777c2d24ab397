/*
 * t_ikev2_crypto.c -- IKEv2 keys and the Encrypted payload (ikev2_keys.c,
 * ikev2_sk.c): prf+, SKEYSEED and the seven keys against computations
 * made here with HMAC() and against the NIST SP 800-135 IKEv2 sample
 * (HMAC-SHA-256), rekeying, the key lengths of every suite; SK and SKF
 * sealed and opened with every cipher and integrity transform, the wire
 * format checked with EVP directly, every single-octet change refused;
 * and DH group 31 (Curve25519, RFC 8031).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "tools/ikesignd/ikesignd.h"
#include "tools/ikesignd/ikev2.h"
#include "tools/ikesignd/ikev2_crypto.h"
#include "tap.h"

#define MSG_CAP	1200

static const char *encr_words[] = {
	"aes-cbc-128", "aes-cbc-192", "aes-cbc-256", "3des", "aes-gcm-128",
	"aes-gcm-256"
};
static const char *hash_words[] = { "sha1", "sha256", "sha384", "sha512" };
#define NENCR	(sizeof(encr_words) / sizeof(encr_words[0]))
#define NHASH	(sizeof(hash_words) / sizeof(hash_words[0]))

static void
rnd(uint8_t *p, size_t n)
{
	if (n > 0 && RAND_bytes(p, (int)n) != 1)
		abort();
}

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0' && s[1] != '\0' && n < cap) {
		if (sscanf(s, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static int
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static unsigned
get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The digest by IANA number, not through ikesignd's tables. */
static const EVP_MD *
prf_md(const struct ikev2_prf *p)
{
	switch (p->id) {
	case IKEV2_PRF_HMAC_SHA1:
		return EVP_sha1();
	case IKEV2_PRF_HMAC_SHA2_256:
		return EVP_sha256();
	case IKEV2_PRF_HMAC_SHA2_384:
		return EVP_sha384();
	case IKEV2_PRF_HMAC_SHA2_512:
		return EVP_sha512();
	}
	abort();
}

static const EVP_MD *
integ_md(const struct ikev2_integ *t)
{
	switch (t->id) {
	case IKEV2_INTEG_HMAC_SHA1_96:
		return EVP_sha1();
	case IKEV2_INTEG_HMAC_SHA2_256_128:
		return EVP_sha256();
	case IKEV2_INTEG_HMAC_SHA2_384_192:
		return EVP_sha384();
	case IKEV2_INTEG_HMAC_SHA2_512_256:
		return EVP_sha512();
	}
	abort();
}

static void
hmac(const EVP_MD *md, const uint8_t *key, size_t keylen, const uint8_t *d,
    size_t n, uint8_t *out)
{
	unsigned int len = 0;

	if (HMAC(md, key, (int)keylen, d, n, out, &len) == NULL)
		abort();
}

/* prf+ of RFC 7296 2.13 written out: Tn = prf(K, Tn-1 | S | n). */
static void
ref_prfplus(const EVP_MD *md, const uint8_t *key, size_t keylen,
    const uint8_t *seed, size_t seedlen, uint8_t *out, size_t outlen)
{
	uint8_t in[EVP_MAX_MD_SIZE + 1024 + 1], t[EVP_MAX_MD_SIZE];
	size_t hl = (size_t)EVP_MD_get_size(md), have = 0, inlen, take;
	unsigned n;

	if (seedlen > 1024)
		abort();
	for (n = 1; have < outlen; n++) {
		inlen = 0;
		if (n > 1) {
			memcpy(in, t, hl);
			inlen = hl;
		}
		memcpy(in + inlen, seed, seedlen);
		inlen += seedlen;
		in[inlen++] = (uint8_t)n;
		hmac(md, key, keylen, in, inlen, t);
		take = outlen - have < hl ? outlen - have : hl;
		memcpy(out + have, t, take);
		have += take;
	}
}

static int
suite_of(struct ikev2_suite *s, const char *encr, const char *prf,
    const char *integ)
{
	memset(s, 0, sizeof(*s));
	s->encr = ikev2_encr_ios(encr);
	s->prf = ikev2_prf_ios(prf);
	s->integ = integ == NULL ? NULL : ikev2_integ_ios(integ);
	return s->encr != NULL && s->prf != NULL &&
	    (integ == NULL || s->integ != NULL) ? 0 : -1;
}

static int
aead(const struct ikev2_suite *s)
{
	return s->encr->icvlen != 0;
}

/* Keys from fresh random nonces, g^ir and SPIs. */
static int
random_keys(struct ikev2_keys *k, const struct ikev2_suite *s)
{
	uint8_t ni[32], nr[32], gir[256], spii[8], spir[8];

	rnd(ni, sizeof(ni));
	rnd(nr, sizeof(nr));
	rnd(gir, sizeof(gir));
	rnd(spii, sizeof(spii));
	rnd(spir, sizeof(spir));
	return ikev2_keys_derive(k, s, ni, sizeof(ni), nr, sizeof(nr), gir,
	    sizeof(gir), spii, spir);
}

/* The seven keys end to end, as prf+ lays them out. */
static size_t
concat_keys(const struct ikev2_keys *k, uint8_t *out)
{
	size_t n = 0;

	memcpy(out + n, k->sk_d, k->prflen);
	n += k->prflen;
	memcpy(out + n, k->sk_ai, k->integlen);
	n += k->integlen;
	memcpy(out + n, k->sk_ar, k->integlen);
	n += k->integlen;
	memcpy(out + n, k->sk_ei, k->enclen);
	n += k->enclen;
	memcpy(out + n, k->sk_er, k->enclen);
	n += k->enclen;
	memcpy(out + n, k->sk_pi, k->prflen);
	n += k->prflen;
	memcpy(out + n, k->sk_pr, k->prflen);
	n += k->prflen;
	return n;
}

static void
test_prfplus(void)
{
	static uint8_t got[255 * 64 + 1], want[255 * 64 + 1];
	uint8_t key[37], seed[70];
	const struct ikev2_prf *p;
	size_t i, hl, n;

	rnd(key, sizeof(key));
	rnd(seed, sizeof(seed));
	for (i = 0; i < NHASH; i++) {
		p = ikev2_prf_ios(hash_words[i]);
		hl = (size_t)EVP_MD_get_size(prf_md(p));
		n = 3 * hl + 7;		/* three blocks and part of a fourth */
		ref_prfplus(prf_md(p), key, sizeof(key), seed, sizeof(seed),
		    want, n);
		ok(ikev2_prfplus(p, key, sizeof(key), seed, sizeof(seed), got,
		    n) == 0 && memcmp(got, want, n) == 0,
		    "prf+ %s: %zu octets as T1 | T2 | T3 | T4", hash_words[i],
		    n);
		ok(ikev2_prfplus(p, key, sizeof(key), seed, sizeof(seed), got,
		    hl - 1) == 0 && memcmp(got, want, hl - 1) == 0,
		    "prf+ %s: less than a block", hash_words[i]);
		ref_prfplus(prf_md(p), key, sizeof(key), seed, sizeof(seed),
		    want, 255 * hl);
		ok(ikev2_prfplus(p, key, sizeof(key), seed, sizeof(seed), got,
		    255 * hl) == 0 && memcmp(got, want, 255 * hl) == 0,
		    "prf+ %s: 255 blocks", hash_words[i]);
		memset(got, 0xa5, sizeof(got));
		ok(ikev2_prfplus(p, key, sizeof(key), seed, sizeof(seed), got,
		    255 * hl + 1) != 0,
		    "prf+ %s: a 256th block is refused", hash_words[i]);
	}
	p = ikev2_prf_ios("sha256");
	ok(ikev2_prfplus(p, key, 0, seed, sizeof(seed), got, 32) != 0,
	    "prf+: an empty key is refused");
	ok(ikev2_prfplus(NULL, key, sizeof(key), seed, sizeof(seed), got,
	    32) != 0, "prf+: no PRF is refused");
	ok(ikev2_prfplus(p, key, sizeof(key), seed, 0, got, 32) == 0,
	    "prf+: an empty seed is fine");
}

/*
 * NIST SP 800-135 CAVS, IKEv2 KDF sample for HMAC-SHA-256 (as carried in
 * NSS's IKE tests): Ni, Nr, g^ir, SPIs; SKEYSEED, the first 132 octets of
 * prf+, and SKEYSEED of a rekey with g^ir (new).
 */
static const char kat_ni[] = "3f302be1abcb28e1";
static const char kat_nr[] = "8c332ee006064c9b";
static const char kat_gir[] =
    "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29";
static const char kat_spii[] = "40dac39e1e1a8640";
static const char kat_spir[] = "8619a1cf9a6e4c07";
static const char kat_skeyseed[] =
    "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe";
static const char kat_dkm[] =
    "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ec"
    "e98aca531188d16041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6"
    "cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4"
    "e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986"
    "d12d4aad";
static const char kat_gir_new[] =
    "25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c";
static const char kat_skeyseed_rekey[] =
    "2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398";

static void
test_kat(void)
{
	static struct ikev2_keys k, rk;
	struct ikev2_suite s;
	uint8_t ni[8], nr[8], gir[32], spii[8], spir[8], skeyseed[32];
	uint8_t dkm[132], girnew[32], sksr[32], seed[32], out[448];
	uint8_t km[448];
	size_t n;

	if (unhex(kat_ni, ni, sizeof(ni)) != 8 ||
	    unhex(kat_nr, nr, sizeof(nr)) != 8 ||
	    unhex(kat_gir, gir, sizeof(gir)) != 32 ||
	    unhex(kat_spii, spii, sizeof(spii)) != 8 ||
	    unhex(kat_spir, spir, sizeof(spir)) != 8 ||
	    unhex(kat_skeyseed, skeyseed, sizeof(skeyseed)) != 32 ||
	    unhex(kat_dkm, dkm, sizeof(dkm)) != 132 ||
	    unhex(kat_gir_new, girnew, sizeof(girnew)) != 32 ||
	    unhex(kat_skeyseed_rekey, sksr, sizeof(sksr)) != 32)
		abort();
	memcpy(seed, ni, 8);
	memcpy(seed + 8, nr, 8);
	memcpy(seed + 16, spii, 8);
	memcpy(seed + 24, spir, 8);
	if (suite_of(&s, "aes-cbc-128", "sha256", "sha256") != 0)
		abort();

	ok(ikev2_prfplus(s.prf, skeyseed, 32, seed, 32, out, 132) == 0 &&
	    memcmp(out, dkm, 132) == 0,
	    "NIST IKEv2 sample: prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)");
	ok(ikev2_keys_derive(&k, &s, ni, 8, nr, 8, gir, 32, spii, spir) ==
	    0, "NIST IKEv2 sample: keys derived");
	n = concat_keys(&k, km);
	/* SK_d 32, SK_ai 32, SK_ar 32, SK_ei 16, SK_er 16, then SK_pi */
	ok(n == 192 && memcmp(km, dkm, 132) == 0,
	    "NIST IKEv2 sample: SK_d .. SK_er and SK_pi's start are the DKM "
	    "(so SKEYSEED = prf(Ni | Nr, g^ir) is right)");

	/* 2.18 */
	ok(ikev2_keys_rekey(&rk, &s, s.prf, k.sk_d, k.prflen, girnew, 32, ni,
	    8, nr, 8, spii, spir) == 0, "NIST IKEv2 sample: rekeyed");
	if (ikev2_prfplus(s.prf, sksr, 32, seed, 32, out, 192) != 0)
		abort();
	n = concat_keys(&rk, km);
	ok(n == 192 && memcmp(km, out, 192) == 0,
	    "NIST IKEv2 sample: SKEYSEED = prf(SK_d, g^ir (new) | Ni | Nr)");
	ikev2_keys_wipe(&k);
	ikev2_keys_wipe(&rk);
}

/* The keys of one suite against SKEYSEED and prf+ computed here. */
static void
check_derive(const char *encr, const char *prf, const char *integ)
{
	static struct ikev2_keys k;
	struct ikev2_suite s;
	uint8_t ni[48], nr[32], gir[256], spii[8], spir[8];
	uint8_t nonces[80], seed[96], skeyseed[64], want[448], got[448];
	const EVP_MD *md;
	size_t n, wantlen;

	if (suite_of(&s, encr, prf, integ) != 0)
		abort();
	md = prf_md(s.prf);
	rnd(ni, sizeof(ni));
	rnd(nr, sizeof(nr));
	rnd(gir, sizeof(gir));
	rnd(spii, sizeof(spii));
	rnd(spir, sizeof(spir));
	memcpy(nonces, ni, 48);
	memcpy(nonces + 48, nr, 32);
	memcpy(seed, nonces, 80);
	memcpy(seed + 80, spii, 8);
	memcpy(seed + 88, spir, 8);
	hmac(md, nonces, 80, gir, sizeof(gir), skeyseed);
	wantlen = 3 * (size_t)EVP_MD_get_size(md) + 2 * s.encr->keylen +
	    (s.integ != NULL ? 2 * s.integ->keylen : 0);
	ref_prfplus(md, skeyseed, (size_t)EVP_MD_get_size(md), seed, 96, want,
	    wantlen);
	ok(ikev2_keys_derive(&k, &s, ni, 48, nr, 32, gir, sizeof(gir), spii,
	    spir) == 0 && (n = concat_keys(&k, got)) == wantlen &&
	    memcmp(got, want, n) == 0,
	    "%s/%s/%s: the keys are prf+(prf(Ni | Nr, g^ir), Ni | Nr | SPIi | "
	    "SPIr) cut in order", encr, prf, integ ? integ : "-");
	ikev2_keys_wipe(&k);
}

/* A rekey with another PRF before: SKEYSEED with the old, prf+ the new. */
static void
check_rekey(void)
{
	static struct ikev2_keys k;
	struct ikev2_suite s;
	uint8_t skd[64], gir[32], ni[32], nr[40], spii[8], spir[8];
	uint8_t in[104], seed[88], skeyseed[64], want[448], got[448];
	size_t n, wantlen;

	if (suite_of(&s, "aes-cbc-256", "sha256", "sha512") != 0)
		abort();
	rnd(skd, sizeof(skd));
	rnd(gir, sizeof(gir));
	rnd(ni, sizeof(ni));
	rnd(nr, sizeof(nr));
	rnd(spii, sizeof(spii));
	rnd(spir, sizeof(spir));
	memcpy(in, gir, 32);
	memcpy(in + 32, ni, 32);
	memcpy(in + 64, nr, 40);
	hmac(EVP_sha512(), skd, 64, in, 104, skeyseed);
	memcpy(seed, ni, 32);
	memcpy(seed + 32, nr, 40);
	memcpy(seed + 72, spii, 8);
	memcpy(seed + 80, spir, 8);
	wantlen = 3 * 32 + 2 * 64 + 2 * 32;
	ref_prfplus(EVP_sha256(), skeyseed, 64, seed, 88, want, wantlen);
	ok(ikev2_keys_rekey(&k, &s, ikev2_prf_ios("sha512"), skd, 64, gir, 32,
	    ni, 32, nr, 40, spii, spir) == 0 &&
	    (n = concat_keys(&k, got)) == wantlen &&
	    memcmp(got, want, n) == 0,
	    "rekey from PRF sha512 to sha256: SKEYSEED with the old PRF, "
	    "prf+ with the new");
	ok(ikev2_keys_rekey(&k, &s, ikev2_prf_ios("sha512"), skd, 32, gir, 32,
	    ni, 32, nr, 40, spii, spir) != 0 && all_zero(&k, sizeof(k)),
	    "rekey: an old SK_d not as long as its PRF's output is refused, "
	    "the keys wiped");
	ok(ikev2_keys_rekey(&k, &s, NULL, skd, 64, gir, 32, ni, 32, nr, 40,
	    spii, spir) != 0, "rekey: no old PRF is refused");
	ikev2_keys_wipe(&k);
}

static void
test_derive(void)
{
	static struct ikev2_keys k;
	static const size_t enclen[NENCR] = { 16, 24, 32, 24, 20, 36 };
	struct ikev2_suite s;
	uint8_t ni[32], nr[32], gir[32], spi[8];
	size_t e, p, t;
	int rc, gcm;

	check_derive("aes-cbc-128", "sha256", "sha256");
	check_derive("3des", "sha1", "sha512");
	check_derive("aes-gcm-256", "sha384", NULL);
	check_rekey();

	for (e = 0; e < NENCR; e++)
		for (p = 0; p < NHASH; p++)
			for (t = 0; t < NHASH; t++) {
				gcm = strstr(encr_words[e], "gcm") != NULL;
				if (gcm && t > 0)
					break;
				if (suite_of(&s, encr_words[e], hash_words[p],
				    gcm ? NULL : hash_words[t]) != 0)
					abort();
				rc = random_keys(&k, &s);
				ok(rc == 0 && k.prflen ==
				    (size_t)EVP_MD_get_size(prf_md(s.prf)) &&
				    k.integlen == (gcm ? 0 : s.integ->keylen) &&
				    k.enclen == enclen[e],
				    "%s/%s/%s: SK_d %zu, SK_a %zu, SK_e %zu",
				    encr_words[e], hash_words[p],
				    gcm ? "-" : hash_words[t], k.prflen,
				    k.integlen, k.enclen);
			}

	rnd(ni, sizeof(ni));
	rnd(nr, sizeof(nr));
	rnd(gir, sizeof(gir));
	rnd(spi, sizeof(spi));
	if (suite_of(&s, "aes-gcm-128", "sha256", "sha256") != 0)
		abort();
	ok(ikev2_keys_derive(&k, &s, ni, 32, nr, 32, gir, 32, spi, spi) != 0 &&
	    all_zero(&k, sizeof(k)), "AES-GCM with an INTEG is refused");
	if (suite_of(&s, "aes-cbc-128", "sha256", NULL) != 0)
		abort();
	ok(ikev2_keys_derive(&k, &s, ni, 32, nr, 32, gir, 32, spi, spi) != 0,
	    "AES-CBC without an INTEG is refused");
	if (suite_of(&s, "aes-cbc-128", "sha256", "sha256") != 0)
		abort();
	ok(ikev2_keys_derive(&k, &s, ni, 0, nr, 32, gir, 32, spi, spi) != 0 &&
	    ikev2_keys_derive(&k, &s, ni, 32, nr, 0, gir, 32, spi, spi) != 0,
	    "an empty nonce is refused");
	ok(ikev2_keys_derive(&k, &s, ni, 32, nr, 32, gir, 0, spi, spi) != 0,
	    "an empty g^ir is refused");
	{
		static uint8_t big[IKEV2_NONCE_MAX + 1];

		ok(ikev2_keys_derive(&k, &s, big, sizeof(big), nr, 32, gir,
		    32, spi, spi) != 0, "a nonce over 256 octets is refused");
		ok(ikev2_keys_derive(&k, &s, big, IKEV2_NONCE_MAX, big,
		    IKEV2_NONCE_MAX, gir, 32, spi, spi) == 0,
		    "two nonces of 256 octets are fine");
	}
	ok(ikev2_keys_derive(&k, NULL, ni, 32, nr, 32, gir, 32, spi, spi) !=
	    0, "no suite is refused");
	ikev2_keys_wipe(&k);
	ok(all_zero(&k, sizeof(k)), "ikev2_keys_wipe zeroes everything");
}

/* An IKE_AUTH request's header and an SK (or SKF: 1 of 1) header. */
static size_t
msg_init(uint8_t *buf, int skf)
{
	memset(buf, 0, MSG_CAP);
	rnd(buf, 2 * IKEV2_SPI_LEN);
	buf[16] = skf ? IKEV2_PLD_SKF : IKEV2_PLD_SK;
	buf[17] = 0x20;
	buf[18] = IKEV2_XCHG_IKE_AUTH;
	buf[19] = IKEV2_FLAG_I;
	buf[23] = 1;				/* message ID */
	buf[IKEV2_HDR_LEN] = IKEV2_PLD_IDI;	/* the first inner payload */
	if (!skf)
		return IKEV2_HDR_LEN + IKEV2_GEN_LEN;
	buf[IKEV2_HDR_LEN + 5] = 1;		/* fragment number */
	buf[IKEV2_HDR_LEN + 7] = 1;		/* total fragments */
	return IKEV2_HDR_LEN + IKEV2_SKF_HDR_LEN;
}

static int
try_open(const struct ikev2_suite *s, const struct ikev2_keys *k, int fromi,
    const uint8_t *msg, size_t len, size_t ivoff)
{
	static uint8_t work[MSG_CAP + 1];
	size_t ptoff, ptlen;

	memcpy(work, msg, len);
	return ikev2_sk_open(s, k, fromi, work, len, ivoff, &ptoff, &ptlen);
}

static void
put32(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One message sealed, opened, and refused every way it can be spoiled. */
static void
check_seal(const struct ikev2_suite *s, const struct ikev2_keys *k,
    const struct ikev2_keys *other, const char *name, int skf, size_t ptlen)
{
	static uint8_t buf[MSG_CAP], orig[MSG_CAP], work[MSG_CAP + 1];
	static uint8_t pt[1000];
	uint8_t mac[EVP_MAX_MD_SIZE];
	const char *kind = skf ? "SKF" : "SK";
	char why[160] = "";
	size_t ivoff, ivlen, bl, icvlen, want, outlen = 0, ptoff, got, i;

	ivoff = msg_init(buf, skf);
	ivlen = ikev2_sk_ivlen(s);
	bl = s->encr->blocklen;
	icvlen = aead(s) ? s->encr->icvlen : s->integ->icvlen;
	want = ivoff + ivlen + (ptlen + 1 + bl - 1) / bl * bl + icvlen;
	rnd(pt, ptlen);
	memcpy(buf + ivoff + ivlen, pt, ptlen);
	memcpy(orig, buf, MSG_CAP);

	if (ikev2_sk_seal(s, k, 1, buf, want - 1, IKEV2_HDR_LEN, ivoff, ptlen,
	    &outlen) == 0 || memcmp(buf, orig, MSG_CAP) != 0)
		snprintf(why, sizeof(why), "cap one short accepted or buf "
		    "touched");
	else if (ikev2_sk_seal(s, k, 1, buf, want, IKEV2_HDR_LEN, ivoff,
	    ptlen, &outlen) != 0)
		snprintf(why, sizeof(why), "seal failed");
	else if (outlen != want || get32(buf + 24) != want ||
	    get16(buf + IKEV2_HDR_LEN + 2) != want - IKEV2_HDR_LEN)
		snprintf(why, sizeof(why), "lengths: %zu (want %zu), header "
		    "%u, payload %u", outlen, want, (unsigned)get32(buf + 24),
		    get16(buf + IKEV2_HDR_LEN + 2));
	else if (memcmp(buf, orig, 24) != 0 ||
	    memcmp(buf + IKEV2_HDR_LEN, orig + IKEV2_HDR_LEN, 2) != 0 ||
	    memcmp(buf + 32, orig + 32, ivoff - 32) != 0)
		snprintf(why, sizeof(why), "octets besides the lengths changed "
		    "before the IV");
	else if (!aead(s) && (hmac(integ_md(s->integ), k->sk_ai,
	    k->integlen, buf, outlen - icvlen, mac),
	    memcmp(mac, buf + outlen - icvlen, icvlen) != 0))
		snprintf(why, sizeof(why), "the ICV is not HMAC(SK_ai) cut");
	else {
		memcpy(work, buf, outlen);
		if (ikev2_sk_open(s, k, 1, work, outlen, ivoff, &ptoff,
		    &got) != 0)
			snprintf(why, sizeof(why), "open failed");
		else if (ptoff != ivoff + ivlen || got != ptlen ||
		    memcmp(work + ptoff, pt, ptlen) != 0)
			snprintf(why, sizeof(why), "plaintext differs");
	}
	ok(why[0] == '\0', "%s %s %zu octets: sealed to %zu octets, header "
	    "and payload lengths set, opened back%s%s", name, kind, ptlen,
	    want, why[0] ? ": " : "", why);
	if (why[0] != '\0')
		return;

	for (i = 0; i < outlen; i++) {
		memcpy(work, buf, outlen);
		work[i] ^= 0x01;
		if (try_open(s, k, 1, work, outlen, ivoff) == 0)
			break;
	}
	ok(i == outlen, "%s %s %zu octets: each of the %zu octets changed is "
	    "refused%s", name, kind, ptlen, outlen,
	    i < outlen ? " (not the one at this offset)" : "");
	if (i < outlen)
		printf("#   offset %zu accepted\n", i);

	why[0] = '\0';
	memcpy(work, buf, outlen);
	if (try_open(s, k, 1, work, outlen - 1, ivoff) == 0)
		snprintf(why, sizeof(why), "one octet short");
	put32(work + 24, outlen - 1);
	if (try_open(s, k, 1, work, outlen - 1, ivoff) == 0)
		snprintf(why, sizeof(why), "one short, header fixed");
	put32(work + 24, outlen - icvlen);
	if (try_open(s, k, 1, work, outlen - icvlen, ivoff) == 0)
		snprintf(why, sizeof(why), "no ICV, header fixed");
	put32(work + 24, ivoff + ivlen + icvlen);
	if (try_open(s, k, 1, work, ivoff + ivlen + icvlen, ivoff) == 0)
		snprintf(why, sizeof(why), "nothing encrypted");
	memcpy(work, buf, outlen);
	work[outlen] = 0;
	put32(work + 24, outlen + 1);
	if (try_open(s, k, 1, work, outlen + 1, ivoff) == 0)
		snprintf(why, sizeof(why), "one octet more");
	if (try_open(s, k, 0, buf, outlen, ivoff) == 0)
		snprintf(why, sizeof(why), "the responder's keys");
	if (try_open(s, other, 1, buf, outlen, ivoff) == 0)
		snprintf(why, sizeof(why), "another SA's keys");
	if (try_open(s, k, 1, buf, outlen, ivoff == 32 ? 36 : 32) == 0)
		snprintf(why, sizeof(why), "the IV elsewhere");
	ok(why[0] == '\0', "%s %s %zu octets: truncated, extended, the "
	    "responder's keys, another SA's, a wrong IV offset: refused%s%s",
	    name, kind, ptlen, why[0] ? ": " : "", why);
}

static void
test_seal(void)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 1000 };
	static struct ikev2_keys k, other;
	struct ikev2_suite s;
	char name[64];
	size_t e, t, l;
	int skf, gcm;

	for (e = 0; e < NENCR; e++)
		for (t = 0; t < NHASH; t++) {
			gcm = strstr(encr_words[e], "gcm") != NULL;
			if (gcm && t > 0)
				break;
			if (suite_of(&s, encr_words[e], "sha256",
			    gcm ? NULL : hash_words[t]) != 0 ||
			    random_keys(&k, &s) != 0 ||
			    random_keys(&other, &s) != 0)
				abort();
			snprintf(name, sizeof(name), "%s/%s", encr_words[e],
			    gcm ? "-" : hash_words[t]);
			ok(ikev2_sk_ivlen(&s) == (gcm ? 8 :
			    strcmp(encr_words[e], "3des") == 0 ? 8 : 16),
			    "%s: IV of %zu octets", name, ikev2_sk_ivlen(&s));
			for (skf = 0; skf < 2; skf++)
				for (l = 0; l < sizeof(lens) / sizeof(lens[0]);
				    l++)
					check_seal(&s, &k, &other, name, skf,
					    lens[l]);
		}
	ikev2_keys_wipe(&k);
	ikev2_keys_wipe(&other);
}

/* The wire format, read back with EVP and HMAC() alone. */
static void
test_wire(void)
{
	static struct ikev2_keys k;
	static uint8_t buf[MSG_CAP];
	struct ikev2_suite s;
	EVP_CIPHER_CTX *ctx;
	uint8_t pt[17], out[64], mac[EVP_MAX_MD_SIZE], nonce[12];
	size_t ivoff, outlen, ptoff, ptlen;
	int n = 0, fin = 0, good;

	/* AES-CBC-128, HMAC-SHA2-256-128: 17 octets pad to 32 */
	if (suite_of(&s, "aes-cbc-128", "sha256", "sha256") != 0 ||
	    random_keys(&k, &s) != 0)
		abort();
	ivoff = msg_init(buf, 0);
	rnd(pt, sizeof(pt));
	memcpy(buf + ivoff + 16, pt, sizeof(pt));
	good = ikev2_sk_seal(&s, &k, 1, buf, sizeof(buf), IKEV2_HDR_LEN,
	    ivoff, sizeof(pt), &outlen) == 0 && outlen == 32 + 16 + 32 + 16;
	ok(good, "AES-CBC: 17 octets sealed into 2 blocks");
	if (good) {
		hmac(EVP_sha256(), k.sk_ai, 32, buf, outlen - 16, mac);
		ok(memcmp(mac, buf + outlen - 16, 16) == 0,
		    "AES-CBC: the ICV is HMAC-SHA-256(SK_ai, header .. last "
		    "cipher block) cut to 16");
		ctx = EVP_CIPHER_CTX_new();
		good = ctx != NULL && EVP_DecryptInit_ex(ctx,
		    EVP_aes_128_cbc(), NULL, k.sk_ei, buf + ivoff) &&
		    EVP_CIPHER_CTX_set_padding(ctx, 0) &&
		    EVP_DecryptUpdate(ctx, out, &n, buf + ivoff + 16, 32) &&
		    n == 32 && EVP_DecryptFinal_ex(ctx, out + n, &fin);
		EVP_CIPHER_CTX_free(ctx);
		ok(good && memcmp(out, pt, 17) == 0 &&
		    all_zero(out + 17, 14) && out[31] == 14,
		    "AES-CBC: SK_ei and the IV give the payloads, zero "
		    "padding and pad length 14");
	}
	ivoff = msg_init(buf, 0);
	memcpy(buf + ivoff + 16, pt, sizeof(pt));
	ok(ikev2_sk_seal(&s, &k, 0, buf, sizeof(buf), IKEV2_HDR_LEN, ivoff,
	    sizeof(pt), &outlen) == 0 && (hmac(EVP_sha256(), k.sk_ar, 32, buf,
	    outlen - 16, mac), memcmp(mac, buf + outlen - 16, 16) == 0),
	    "AES-CBC: the responder's messages are keyed by SK_ar");
	ikev2_keys_wipe(&k);

	/* AES-GCM-16 128: nonce = the salt from SK_ei's end | IV */
	if (suite_of(&s, "aes-gcm-128", "sha256", NULL) != 0 ||
	    random_keys(&k, &s) != 0)
		abort();
	ivoff = msg_init(buf, 1);
	memcpy(buf + ivoff + 8, pt, sizeof(pt));
	good = ikev2_sk_seal(&s, &k, 1, buf, sizeof(buf), IKEV2_HDR_LEN,
	    ivoff, sizeof(pt), &outlen) == 0 &&
	    outlen == 36 + 8 + 18 + 16;
	ok(good, "AES-GCM SKF: 17 octets and the pad length, no padding");
	if (good) {
		memcpy(nonce, k.sk_ei + 16, 4);
		memcpy(nonce + 4, buf + ivoff, 8);
		ctx = EVP_CIPHER_CTX_new();
		good = ctx != NULL && EVP_DecryptInit_ex(ctx,
		    EVP_aes_128_gcm(), NULL, k.sk_ei, nonce) &&
		    EVP_DecryptUpdate(ctx, NULL, &n, buf, (int)ivoff) &&
		    EVP_DecryptUpdate(ctx, out, &n, buf + ivoff + 8, 18) &&
		    n == 18 && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
		    16, buf + outlen - 16) &&
		    EVP_DecryptFinal_ex(ctx, out + n, &fin) == 1;
		EVP_CIPHER_CTX_free(ctx);
		ok(good && memcmp(out, pt, 17) == 0 && out[17] == 0,
		    "AES-GCM: key and salt from SK_ei, AAD the header and "
		    "the SKF header, the tag after: RFC 5282");
	}
	ivoff = msg_init(buf, 1);
	memcpy(buf + ivoff + 8, pt, sizeof(pt));
	ok(ikev2_sk_seal(&s, &k, 1, buf, sizeof(buf), IKEV2_HDR_LEN, ivoff,
	    sizeof(pt), &outlen) == 0 && (buf[outlen - 17] ^= 1,
	    ikev2_sk_open(&s, &k, 1, buf, outlen, ivoff, &ptoff, &ptlen)) != 0
	    && all_zero(buf + ivoff + 8, 18),
	    "AES-GCM: a message that fails its tag leaves nothing decrypted");

	/* the smallest message */
	ivoff = msg_init(buf, 0);
	ok(ikev2_sk_seal(&s, &k, 1, buf, sizeof(buf), IKEV2_HDR_LEN, ivoff, 0,
	    &outlen) == 0 && outlen == 32 + 8 + 1 + 16,
	    "AES-GCM: no payloads at all is the pad length alone");
	ikev2_keys_wipe(&k);

	/* offsets that are no SK or SKF header */
	if (suite_of(&s, "aes-cbc-128", "sha256", "sha256") != 0 ||
	    random_keys(&k, &s) != 0)
		abort();
	ok(ikev2_sk_seal(&s, &k, 1, buf, sizeof(buf), IKEV2_HDR_LEN,
	    IKEV2_HDR_LEN + 6, 10, &outlen) != 0 &&
	    ikev2_sk_seal(&s, &k, 1, buf, sizeof(buf), 20, 24, 10,
	    &outlen) != 0 && ikev2_sk_seal(&s, &k, 1, buf, sizeof(buf),
	    IKEV2_HDR_LEN, IKEV2_HDR_LEN, 10, &outlen) != 0,
	    "seal: a payload header of 6 or 0 octets, or inside the IKE "
	    "header, is refused");
	ok(ikev2_sk_seal(&s, &k, 1, buf, sizeof(buf), IKEV2_HDR_LEN,
	    IKEV2_HDR_LEN + 4, IKEV2_MSG_MAX, &outlen) != 0,
	    "seal: more than 64k is refused");
	{
		static struct ikev2_keys gk;
		struct ikev2_suite g;

		if (suite_of(&g, "aes-gcm-256", "sha256", NULL) != 0 ||
		    random_keys(&gk, &g) != 0)
			abort();
		ok(ikev2_sk_seal(&s, &gk, 1, buf, sizeof(buf), IKEV2_HDR_LEN,
		    IKEV2_HDR_LEN + 4, 10, &outlen) != 0,
		    "seal: keys derived for another suite are refused");
		ikev2_keys_wipe(&gk);
	}
	ikev2_keys_wipe(&k);
}

/*
 * What a peer would send, encrypted here with EVP and HMAC(): body is the
 * payloads, padding and pad length, a multiple of the block.  AES-128-CBC
 * with HMAC-SHA2-256-128, or AES-128-GCM-16.
 */
static size_t
peer_seal(const struct ikev2_suite *s, const struct ikev2_keys *k,
    uint8_t *buf, size_t ivoff, const uint8_t *body, size_t bodylen)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t nonce[16], mac[EVP_MAX_MD_SIZE];
	size_t ivlen = aead(s) ? 8 : 16, len;
	int n = 0, fin = 0, good;

	len = ivoff + ivlen + bodylen + 16;
	rnd(buf + ivoff, ivlen);
	put32(buf + 24, len);
	buf[IKEV2_HDR_LEN + 2] = (uint8_t)((len - IKEV2_HDR_LEN) >> 8);
	buf[IKEV2_HDR_LEN + 3] = (uint8_t)(len - IKEV2_HDR_LEN);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		abort();
	if (aead(s)) {
		memcpy(nonce, k->sk_ei + 16, 4);
		memcpy(nonce + 4, buf + ivoff, 8);
		good = EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL,
		    k->sk_ei, nonce) &&
		    EVP_EncryptUpdate(ctx, NULL, &n, buf, (int)ivoff) &&
		    EVP_EncryptUpdate(ctx, buf + ivoff + 8, &n, body,
		    (int)bodylen) &&
		    EVP_EncryptFinal_ex(ctx, buf + ivoff + 8 + n, &fin) &&
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16,
		    buf + len - 16);
	} else {
		good = EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL,
		    k->sk_ei, buf + ivoff) &&
		    EVP_CIPHER_CTX_set_padding(ctx, 0) &&
		    EVP_EncryptUpdate(ctx, buf + ivoff + 16, &n, body,
		    (int)bodylen) &&
		    EVP_EncryptFinal_ex(ctx, buf + ivoff + 16 + n, &fin);
		if (good) {
			hmac(EVP_sha256(), k->sk_ai, 32, buf, len - 16, mac);
			memcpy(buf + len - 16, mac, 16);
		}
	}
	EVP_CIPHER_CTX_free(ctx);
	if (!good)
		abort();
	return len;
}

/* Pad lengths a peer may choose, and one that runs over. */
static void
test_padding(void)
{
	static struct ikev2_keys k;
	static uint8_t buf[MSG_CAP];
	struct ikev2_suite s;
	uint8_t body[32];
	size_t ivoff, len, ptoff = 0, ptlen = 0;

	if (suite_of(&s, "aes-cbc-128", "sha256", "sha256") != 0 ||
	    random_keys(&k, &s) != 0)
		abort();
	ivoff = msg_init(buf, 0);
	rnd(body, sizeof(body));
	body[31] = 5;
	len = peer_seal(&s, &k, buf, ivoff, body, 32);
	ok(ikev2_sk_open(&s, &k, 1, buf, len, ivoff, &ptoff, &ptlen) == 0 &&
	    ptoff == ivoff + 16 && ptlen == 26 &&
	    memcmp(buf + ptoff, body, 26) == 0,
	    "AES-CBC from a peer: 26 octets, 5 of random padding");
	ivoff = msg_init(buf, 0);
	body[31] = 31;
	len = peer_seal(&s, &k, buf, ivoff, body, 32);
	ok(ikev2_sk_open(&s, &k, 1, buf, len, ivoff, &ptoff, &ptlen) == 0 &&
	    ptlen == 0, "AES-CBC from a peer: two blocks of padding");
	ivoff = msg_init(buf, 0);
	body[31] = 32;
	len = peer_seal(&s, &k, buf, ivoff, body, 32);
	ok(ikev2_sk_open(&s, &k, 1, buf, len, ivoff, &ptoff, &ptlen) != 0,
	    "AES-CBC from a peer: a pad length past the start is refused");
	ikev2_keys_wipe(&k);

	if (suite_of(&s, "aes-gcm-128", "sha256", NULL) != 0 ||
	    random_keys(&k, &s) != 0)
		abort();
	ivoff = msg_init(buf, 1);
	body[3] = 2;
	len = peer_seal(&s, &k, buf, ivoff, body, 4);
	ok(ikev2_sk_open(&s, &k, 1, buf, len, ivoff, &ptoff, &ptlen) == 0 &&
	    ptoff == ivoff + 8 && ptlen == 1 && buf[ptoff] == body[0],
	    "AES-GCM SKF from a peer: padded to 4 octets");
	ivoff = msg_init(buf, 1);
	body[0] = 1;
	len = peer_seal(&s, &k, buf, ivoff, body, 1);
	ok(ikev2_sk_open(&s, &k, 1, buf, len, ivoff, &ptoff, &ptlen) != 0,
	    "AES-GCM from a peer: a pad length past the start is refused");
	ikev2_keys_wipe(&k);
}

static void
test_x25519(void)
{
	const struct dh_group *g = dh_group_get(31);
	uint8_t pa[DH_PUB_MAX], pb[DH_PUB_MAX], bad[DH_PUB_MAX];
	uint8_t sa[DH_SECRET_MAX], sb[DH_SECRET_MAX], sc[DH_SECRET_MAX];
	size_t la = 0, lb = 0, lc = 0;
	EVP_PKEY *ka = NULL, *kb = NULL;

	ok(g != NULL && g->publen == 32 && g->ecp == DH_X25519 && !g->weak,
	    "group 31 is Curve25519 with 32-octet values");
	if (g == NULL)
		return;
	ok(dh_create(g, &ka, pa) == 0 && dh_create(g, &kb, pb) == 0 &&
	    !all_zero(pa, 32) && memcmp(pa, pb, 32) != 0,
	    "group 31: two key pairs");
	ok(dh_derive(g, ka, pb, 32, sa, &la) == 0 &&
	    dh_derive(g, kb, pa, 32, sb, &lb) == 0 && la == 32 && lb == 32 &&
	    memcmp(sa, sb, 32) == 0 && !all_zero(sa, 32),
	    "group 31: both sides agree on 32 octets");
	memcpy(bad, pb, 32);
	bad[31] ^= 0x80;
	ok(dh_derive(g, ka, bad, 32, sc, &lc) == 0 && lc == 32 &&
	    memcmp(sc, sa, 32) == 0,
	    "group 31: the top bit of the value is masked (RFC 7748 5)");
	memset(bad, 0, 32);
	memset(sc, 0xa5, sizeof(sc));
	ok(dh_derive(g, ka, bad, 32, sc, &lc) != 0,
	    "group 31: zero, giving the all-zero secret, is refused");
	bad[0] = 1;
	ok(dh_derive(g, ka, bad, 32, sc, &lc) != 0,
	    "group 31: 1, of small order, is refused");
	ok(dh_derive(g, ka, pb, 31, sc, &lc) != 0 &&
	    dh_derive(g, ka, pb, 33, sc, &lc) != 0,
	    "group 31: 31 or 33 octets are refused");
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
}

int
main(void)
{
	test_prfplus();
	test_kat();
	test_derive();
	test_seal();
	test_wire();
	test_padding();
	test_x25519();
	ikev2_alg_free();
	return done_testing();
}
