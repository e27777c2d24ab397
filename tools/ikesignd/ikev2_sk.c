/*
 * ikev2_sk.c -- seal and open the Encrypted payload (RFC 7296 3.14) and
 * the Encrypted Fragment payload (RFC 7383 2.5) of an IKE SA, in place.
 * CBC ciphers (AES, 3DES) with a truncated HMAC over the whole message
 * up to the ICV, checked before decrypting; AES-GCM with a 16-octet ICV
 * (RFC 5282): the nonce is the salt from the end of SK_e and the 8-octet
 * IV, the associated data every octet before the IV.
 */
#include "config.h"

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ikesignd.h"
#include "ikev2_crypto.h"

#define HDR_LEN_OFF	24	/* the IKE header's length */
#define PLD_LEN_OFF	2	/* a payload's length in its generic header */
#define NONCE_MAX	16	/* salt and IV */

/* A message's parts, offsets into it; everything checked to fit. */
struct sk_layout {
	size_t		 ivoff;
	size_t		 ivlen;
	size_t		 ctoff;		/* inner payloads, padded, encrypted */
	size_t		 ctlen;
	size_t		 icvoff;
	size_t		 icvlen;
	size_t		 len;		/* the whole message */
};

static void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static size_t
get32(const uint8_t *p)
{
	return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 |
	    (size_t)p[3];
}

static int
aead(const struct ikev2_suite *s)
{
	return s->encr->icvlen != 0;
}

static size_t
icv_len(const struct ikev2_suite *s)
{
	return aead(s) ? s->encr->icvlen : s->integ->icvlen;
}

/* The suite can seal, and the keys were derived for it. */
static int
usable(const struct ikev2_suite *s, const struct ikev2_keys *k)
{
	const EVP_CIPHER *c;

	if (!ikev2_suite_ok(s) || k == NULL)
		return 0;
	if (k->enclen != s->encr->keylen ||
	    k->integlen != (s->integ == NULL ? 0 : s->integ->keylen))
		return 0;
	if ((c = ikev2_cipher(s->encr)) == NULL ||
	    (size_t)EVP_CIPHER_get_key_length(c) !=
	    s->encr->keylen - s->encr->saltlen ||
	    (size_t)EVP_CIPHER_get_iv_length(c) !=
	    s->encr->saltlen + s->encr->ivlen ||
	    s->encr->saltlen + s->encr->ivlen > NONCE_MAX ||
	    s->encr->blocklen == 0 || s->encr->blocklen > 255)
		return 0;
	return icv_len(s) > 0 && icv_len(s) <= IKE_HASH_MAX;
}

/* SK_e and SK_a of the sender. */
static void
dir_keys(const struct ikev2_keys *k, int from_initiator, const uint8_t **ek,
    const uint8_t **ak)
{
	*ek = from_initiator ? k->sk_ei : k->sk_er;
	*ak = from_initiator ? k->sk_ai : k->sk_ar;
}

/* An SK payload's header is the generic one; SKF's adds two numbers. */
static int
pld_hdr_ok(size_t pldoff, size_t ivoff)
{
	return pldoff >= IKEV2_HDR_LEN && ivoff > pldoff &&
	    (ivoff - pldoff == IKEV2_GEN_LEN ||
	    ivoff - pldoff == IKEV2_SKF_HDR_LEN);
}

/* HMAC of SK_a over msg[0 .. len), cut to the ICV's length. */
static int
integ(const struct ikev2_suite *s, const uint8_t *ak, const uint8_t *msg,
    size_t len, uint8_t *icv)
{
	uint8_t mac[IKE_HASH_MAX];
	struct iov v;

	v.p = msg;
	v.len = len;
	if (crypto_prf(ikev2_integ_hash(s->integ), ak, s->integ->keylen, &v,
	    1, mac) != 0) {
		OPENSSL_cleanse(mac, sizeof(mac));
		return -1;
	}
	memcpy(icv, mac, s->integ->icvlen);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

/*
 * The cipher over l->ctlen octets at l->ctoff, in place.  GCM also takes
 * the octets before the IV as associated data, and writes (enc) or checks
 * the tag at l->icvoff.
 */
static int
cipher(const struct ikev2_suite *s, const uint8_t *ek, uint8_t *msg,
    const struct sk_layout *l, int enc)
{
	const struct ikev2_encr *e = s->encr;
	EVP_CIPHER_CTX *ctx;
	uint8_t nonce[NONCE_MAX];
	size_t klen = e->keylen - e->saltlen;
	int outl = 0, fin = 0, rc = -1;

	/* RFC 5282 4: salt | IV; CBC: the IV alone */
	memcpy(nonce, ek + klen, e->saltlen);
	memcpy(nonce + e->saltlen, msg + l->ivoff, l->ivlen);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex(ctx, ikev2_cipher(e), NULL, ek, nonce,
	    enc) != 1 || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto out;
	if (aead(s)) {
		if (EVP_CipherUpdate(ctx, NULL, &outl, msg, (int)l->ivoff) != 1)
			goto out;
		if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
		    (int)l->icvlen, msg + l->icvoff) != 1)
			goto out;
	}
	if (EVP_CipherUpdate(ctx, msg + l->ctoff, &outl, msg + l->ctoff,
	    (int)l->ctlen) != 1 || (size_t)outl != l->ctlen)
		goto out;
	/* GCM: the tag is checked here */
	if (EVP_CipherFinal_ex(ctx, msg + l->ctoff + l->ctlen, &fin) != 1 ||
	    fin != 0)
		goto out;
	if (aead(s) && enc && EVP_CIPHER_CTX_ctrl(ctx,
	    EVP_CTRL_AEAD_GET_TAG, (int)l->icvlen, msg + l->icvoff) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return rc;
}

size_t
ikev2_sk_ivlen(const struct ikev2_suite *s)
{
	if (!ikev2_suite_ok(s))
		return 0;
	return s->encr->ivlen;
}

int
ikev2_sk_seal(const struct ikev2_suite *s, const struct ikev2_keys *k,
    int from_initiator, uint8_t *buf, size_t cap, size_t pldoff,
    size_t ivoff, size_t ptlen, size_t *outlen)
{
	struct sk_layout l;
	const uint8_t *ek, *ak;
	size_t bl, padlen;

	if (!usable(s, k) || !pld_hdr_ok(pldoff, ivoff) ||
	    ivoff > IKEV2_MSG_MAX || ptlen > IKEV2_MSG_MAX)
		return -1;
	bl = s->encr->blocklen;
	/* pad octets and the pad length octet fill the last block */
	padlen = (bl - (ptlen + 1) % bl) % bl;
	l.ivoff = ivoff;
	l.ivlen = s->encr->ivlen;
	l.ctoff = ivoff + l.ivlen;
	l.ctlen = ptlen + padlen + 1;
	l.icvoff = l.ctoff + l.ctlen;
	l.icvlen = icv_len(s);
	l.len = l.icvoff + l.icvlen;
	if (l.len > cap || l.len > IKEV2_MSG_MAX)
		return -1;
	dir_keys(k, from_initiator, &ek, &ak);

	if (RAND_bytes(buf + l.ivoff, (int)l.ivlen) != 1)
		return -1;
	memset(buf + l.ctoff + ptlen, 0, padlen);
	buf[l.ctoff + ptlen + padlen] = (uint8_t)padlen;
	/* the lengths first: the ICV covers them */
	put32(buf + HDR_LEN_OFF, l.len);
	put16(buf + pldoff + PLD_LEN_OFF, l.len - pldoff);
	if (cipher(s, ek, buf, &l, 1) != 0)
		return -1;
	if (!aead(s) && integ(s, ak, buf, l.icvoff, buf + l.icvoff) != 0)
		return -1;
	*outlen = l.len;
	return 0;
}

int
ikev2_sk_open(const struct ikev2_suite *s, const struct ikev2_keys *k,
    int from_initiator, uint8_t *msg, size_t len, size_t ivoff,
    size_t *ptoff, size_t *ptlen)
{
	struct sk_layout l;
	uint8_t icv[IKE_HASH_MAX];
	const uint8_t *ek, *ak;
	size_t padlen;

	if (!usable(s, k) || len < IKEV2_HDR_LEN || len > IKEV2_MSG_MAX ||
	    get32(msg + HDR_LEN_OFF) != len ||
	    ivoff < IKEV2_HDR_LEN + IKEV2_GEN_LEN || ivoff > len)
		return -1;
	l.ivoff = ivoff;
	l.ivlen = s->encr->ivlen;
	l.icvlen = icv_len(s);
	/* at least the pad length octet */
	if (len - ivoff < l.ivlen + l.icvlen + 1)
		return -1;
	l.ctoff = ivoff + l.ivlen;
	l.ctlen = len - l.ctoff - l.icvlen;
	l.icvoff = l.ctoff + l.ctlen;
	l.len = len;
	if (l.ctlen % s->encr->blocklen != 0)
		return -1;
	dir_keys(k, from_initiator, &ek, &ak);

	if (!aead(s)) {
		if (integ(s, ak, msg, l.icvoff, icv) != 0)
			return -1;
		if (CRYPTO_memcmp(icv, msg + l.icvoff, l.icvlen) != 0)
			return -1;
	}
	if (cipher(s, ek, msg, &l, 0) != 0)
		goto fail;
	padlen = msg[l.icvoff - 1];
	if (padlen + 1 > l.ctlen)
		goto fail;
	*ptoff = l.ctoff;
	*ptlen = l.ctlen - padlen - 1;
	return 0;
fail:
	/* nothing unauthenticated, nor anything half-done, is left */
	OPENSSL_cleanse(msg + l.ctoff, l.ctlen);
	return -1;
}
