/*
 * ikev1_crypto.c -- IKEv1 phase 1 key material (RFC 2409 5 and App. B):
 * SKEYID for signature authentication (for pre-shared keys the signer
 * makes it), SKEYID_d/_a/_e, the cipher key with
 * its expansion, and the CBC IVs of Main Mode and of later exchanges.
 * The primitives any IKE version uses are in crypto.c.
 */
#include "config.h"

#include <string.h>

#include "ikesignd.h"

/* RFC2409 App. B: K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1). */
static int
expand_key(struct ike_keys *k)
{
	uint8_t blk[IKE_HASH_MAX], zero = 0;
	size_t have = 0, take;
	struct iov v;

	if (k->h->len >= k->e->keylen) {
		memcpy(k->key, k->skeyid_e, k->e->keylen);
		return 0;
	}
	v.p = &zero;
	v.len = 1;
	while (have < k->e->keylen) {
		if (crypto_prf(k->h, k->skeyid_e, k->h->len, &v, 1, blk) != 0)
			return -1;
		take = k->e->keylen - have;
		if (take > k->h->len)
			take = k->h->len;
		memcpy(k->key + have, blk, take);
		have += take;
		v.p = k->key + have - take;
		v.len = k->h->len;
	}
	OPENSSL_cleanse(blk, sizeof(blk));
	return 0;
}

int
crypto_keys(struct ike_keys *k, const struct ike_hash *h,
    const struct ike_enc *e, const uint8_t *ni, size_t nilen,
    const uint8_t *nr, size_t nrlen, const uint8_t *gxy, size_t gxylen,
    const uint8_t *gxi, const uint8_t *gxr, size_t gxlen,
    const uint8_t *icky, const uint8_t *rcky, const uint8_t *psk_skeyid)
{
	uint8_t nonces[512], c, ivh[IKE_HASH_MAX];
	struct iov v[5];
	int rc = -1;

	if (nilen + nrlen > sizeof(nonces) || e->blocklen > h->len)
		return -1;
	k->h = h;
	k->e = e;
	memcpy(nonces, ni, nilen);
	memcpy(nonces + nilen, nr, nrlen);
	/* signatures: SKEYID = prf(Ni_b | Nr_b, g^xy); pre-shared keys:
	 * SKEYID = prf(pre-shared-key, Ni_b | Nr_b), made by the signer on
	 * the token and given here (RFC 2409 5) */
	v[0].p = gxy;
	v[0].len = gxylen;
	if (psk_skeyid != NULL)
		memcpy(k->skeyid, psk_skeyid, h->len);
	else if (crypto_prf(h, nonces, nilen + nrlen, v, 1, k->skeyid) != 0)
		goto out;
	/* SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0) */
	v[1].p = icky;
	v[1].len = IKE_COOKIE_LEN;
	v[2].p = rcky;
	v[2].len = IKE_COOKIE_LEN;
	v[3].p = &c;
	v[3].len = 1;
	c = 0;
	if (crypto_prf(h, k->skeyid, h->len, v, 4, k->skeyid_d) != 0)
		goto out;
	/* SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1) */
	v[0].p = k->skeyid_d;
	v[0].len = h->len;
	v[1].p = gxy;
	v[1].len = gxylen;
	v[2].p = icky;
	v[2].len = IKE_COOKIE_LEN;
	v[3].p = rcky;
	v[3].len = IKE_COOKIE_LEN;
	v[4].p = &c;
	v[4].len = 1;
	c = 1;
	if (crypto_prf(h, k->skeyid, h->len, v, 5, k->skeyid_a) != 0)
		goto out;
	/* SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2) */
	v[0].p = k->skeyid_a;
	c = 2;
	if (crypto_prf(h, k->skeyid, h->len, v, 5, k->skeyid_e) != 0)
		goto out;
	if (expand_key(k) != 0)
		goto out;
	/* IV = hash(g^xi | g^xr), cut to the block */
	v[0].p = gxi;
	v[0].len = gxlen;
	v[1].p = gxr;
	v[1].len = gxlen;
	if (crypto_hash(h, v, 2, ivh) != 0)
		goto out;
	memcpy(k->iv, ivh, e->blocklen);
	rc = 0;
out:
	OPENSSL_cleanse(nonces, sizeof(nonces));
	return rc;
}

static int
cbc(const struct ike_keys *k, uint8_t *iv, uint8_t *buf, size_t len, int enc)
{
	const EVP_CIPHER *c = alg_cipher(k->e);
	EVP_CIPHER_CTX *ctx;
	uint8_t last[IKE_BLOCK_MAX];
	size_t bl = k->e->blocklen;
	int outl = 0, rc = -1;

	if (c == NULL || len == 0 || len % bl != 0 || len > INT32_MAX)
		return -1;
	if (!enc)
		memcpy(last, buf + len - bl, bl);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex(ctx, c, NULL, k->key, iv, enc) &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	    EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) &&
	    (size_t)outl == len)
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	if (rc == 0)
		memcpy(iv, enc ? buf + len - bl : last, bl);
	return rc;
}

int
crypto_encrypt(const struct ike_keys *k, uint8_t *iv, uint8_t *buf,
    size_t len)
{
	return cbc(k, iv, buf, len, 1);
}

int
crypto_decrypt(const struct ike_keys *k, uint8_t *iv, uint8_t *buf,
    size_t len)
{
	return cbc(k, iv, buf, len, 0);
}

int
crypto_mid_iv(const struct ike_keys *k, const uint8_t *p1iv, uint32_t mid,
    uint8_t *iv)
{
	uint8_t m[4], h[IKE_HASH_MAX];
	struct iov v[2];

	m[0] = (uint8_t)(mid >> 24);
	m[1] = (uint8_t)(mid >> 16);
	m[2] = (uint8_t)(mid >> 8);
	m[3] = (uint8_t)mid;
	v[0].p = p1iv;
	v[0].len = k->e->blocklen;
	v[1].p = m;
	v[1].len = 4;
	if (crypto_hash(k->h, v, 2, h) != 0)
		return -1;
	memcpy(iv, h, k->e->blocklen);
	return 0;
}

