/*
 * ikev2_keys.c -- the key material of an IKEv2 IKE SA: prf+ (RFC 7296
 * 2.13), SKEYSEED and {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi |
 * SK_pr} for a new SA (2.14) and for one that rekeys another (2.18).
 * The PRFs are HMAC (crypto_prf), which take a key of any length, so
 * Ni | Nr is the key of SKEYSEED whole.
 */
#include "config.h"

#include <string.h>

#include "ikesignd.h"
#include "ikev2_crypto.h"

int
ikev2_suite_ok(const struct ikev2_suite *s)
{
	const struct ike_hash *h;

	if (s == NULL || s->encr == NULL || s->prf == NULL)
		return 0;
	if ((h = ikev2_prf_hash(s->prf)) == NULL || h->len > IKEV2_KEY_MAX ||
	    h->len > IKE_HASH_MAX)
		return 0;
	if (s->encr->keylen == 0 || s->encr->keylen > IKEV2_KEY_MAX ||
	    s->encr->saltlen >= s->encr->keylen)
		return 0;
	if (s->encr->icvlen != 0)		/* AEAD: no INTEG */
		return s->integ == NULL;
	if (s->integ == NULL || ikev2_integ_hash(s->integ) == NULL)
		return 0;
	return s->integ->keylen > 0 && s->integ->keylen <= IKEV2_KEY_MAX &&
	    s->integ->icvlen > 0 &&
	    s->integ->icvlen <= ikev2_integ_hash(s->integ)->len;
}

int
ikev2_prfplus(const struct ikev2_prf *prf, const uint8_t *key,
    size_t keylen, const uint8_t *seed, size_t seedlen, uint8_t *out,
    size_t outlen)
{
	const struct ike_hash *h = ikev2_prf_hash(prf);
	uint8_t blk[IKE_HASH_MAX], c;
	struct iov v[3];
	size_t have = 0, take;

	if (h == NULL || h->len == 0 || h->len > IKE_HASH_MAX ||
	    keylen == 0 || outlen > IKEV2_PRFPLUS_MAX * h->len)
		return -1;
	/* T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) */
	v[0].p = NULL;
	v[0].len = 0;
	v[1].p = seed;
	v[1].len = seedlen;
	v[2].p = &c;
	v[2].len = 1;
	for (c = 1; have < outlen; c++) {
		if (crypto_prf(h, key, keylen, v, 3, blk) != 0) {
			OPENSSL_cleanse(blk, sizeof(blk));
			OPENSSL_cleanse(out, outlen);
			return -1;
		}
		take = outlen - have;
		if (take > h->len)
			take = h->len;
		memcpy(out + have, blk, take);
		have += take;
		/* only the last block can be short, and nothing follows it */
		v[0].p = out + have - take;
		v[0].len = h->len;
	}
	OPENSSL_cleanse(blk, sizeof(blk));
	return 0;
}

/* Octets of the seven keys. */
static void
key_lengths(struct ikev2_keys *k, const struct ikev2_suite *s)
{
	k->prflen = ikev2_prf_hash(s->prf)->len;
	k->integlen = s->integ == NULL ? 0 : s->integ->keylen;
	k->enclen = s->encr->keylen;
}

/* Cut the next len octets of the key material into dst. */
static const uint8_t *
cut(uint8_t *dst, const uint8_t *src, size_t len)
{
	memcpy(dst, src, len);
	return src + len;
}

/* prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) into the seven keys. */
static int
keymat(struct ikev2_keys *k, const struct ikev2_suite *s,
    const uint8_t *skeyseed, size_t skeyseedlen, const uint8_t *ni,
    size_t nilen, const uint8_t *nr, size_t nrlen, const uint8_t *spii,
    const uint8_t *spir)
{
	uint8_t seed[2 * IKEV2_NONCE_MAX + 2 * IKEV2_SPI_LEN];
	uint8_t km[7 * IKEV2_KEY_MAX];
	const uint8_t *p = km;
	size_t seedlen, kmlen;
	int rc = -1;

	key_lengths(k, s);
	kmlen = 3 * k->prflen + 2 * k->integlen + 2 * k->enclen;
	seedlen = nilen + nrlen + 2 * IKEV2_SPI_LEN;
	memcpy(seed, ni, nilen);
	memcpy(seed + nilen, nr, nrlen);
	memcpy(seed + nilen + nrlen, spii, IKEV2_SPI_LEN);
	memcpy(seed + nilen + nrlen + IKEV2_SPI_LEN, spir, IKEV2_SPI_LEN);
	if (ikev2_prfplus(s->prf, skeyseed, skeyseedlen, seed, seedlen, km,
	    kmlen) != 0)
		goto out;
	p = cut(k->sk_d, p, k->prflen);
	p = cut(k->sk_ai, p, k->integlen);
	p = cut(k->sk_ar, p, k->integlen);
	p = cut(k->sk_ei, p, k->enclen);
	p = cut(k->sk_er, p, k->enclen);
	p = cut(k->sk_pi, p, k->prflen);
	(void)cut(k->sk_pr, p, k->prflen);
	rc = 0;
out:
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}

static int
nonces_ok(size_t nilen, size_t nrlen)
{
	return nilen > 0 && nilen <= IKEV2_NONCE_MAX && nrlen > 0 &&
	    nrlen <= IKEV2_NONCE_MAX;
}

int
ikev2_keys_derive(struct ikev2_keys *k, const struct ikev2_suite *s,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    const uint8_t *gir, size_t girlen, const uint8_t *spii,
    const uint8_t *spir)
{
	uint8_t nonces[2 * IKEV2_NONCE_MAX], skeyseed[IKE_HASH_MAX];
	const struct ike_hash *h;
	struct iov v;
	int rc = -1;

	ikev2_keys_wipe(k);
	if (!ikev2_suite_ok(s) || !nonces_ok(nilen, nrlen) || girlen == 0)
		return -1;
	h = ikev2_prf_hash(s->prf);
	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	memcpy(nonces, ni, nilen);
	memcpy(nonces + nilen, nr, nrlen);
	v.p = gir;
	v.len = girlen;
	if (crypto_prf(h, nonces, nilen + nrlen, &v, 1, skeyseed) != 0)
		goto out;
	rc = keymat(k, s, skeyseed, h->len, ni, nilen, nr, nrlen, spii, spir);
out:
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	if (rc != 0)
		ikev2_keys_wipe(k);
	return rc;
}

int
ikev2_keys_rekey(struct ikev2_keys *k, const struct ikev2_suite *s,
    const struct ikev2_prf *old_prf, const uint8_t *old_sk_d,
    size_t old_sk_dlen, const uint8_t *gir, size_t girlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    const uint8_t *spii, const uint8_t *spir)
{
	uint8_t skeyseed[IKE_HASH_MAX];
	const struct ike_hash *oh = ikev2_prf_hash(old_prf);
	struct iov v[3];
	int rc = -1;

	ikev2_keys_wipe(k);
	if (!ikev2_suite_ok(s) || !nonces_ok(nilen, nrlen) || girlen == 0)
		return -1;
	/* SK_d is as long as its PRF's output */
	if (oh == NULL || oh->len > IKE_HASH_MAX || old_sk_dlen != oh->len)
		return -1;
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), the old PRF */
	v[0].p = gir;
	v[0].len = girlen;
	v[1].p = ni;
	v[1].len = nilen;
	v[2].p = nr;
	v[2].len = nrlen;
	if (crypto_prf(oh, old_sk_d, old_sk_dlen, v, 3, skeyseed) != 0)
		goto out;
	rc = keymat(k, s, skeyseed, oh->len, ni, nilen, nr, nrlen, spii,
	    spir);
out:
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	if (rc != 0)
		ikev2_keys_wipe(k);
	return rc;
}

void
ikev2_keys_wipe(struct ikev2_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}
