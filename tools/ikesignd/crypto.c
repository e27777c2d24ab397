/*
 * crypto.c -- primitives every IKE version uses: randomness, the prf
 * (HMAC) and hash over scattered octets, and the check of a peer's RSA
 * signature (PKCS#1 v1.5 over the raw hash) with its public key as a DER
 * SubjectPublicKeyInfo.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ikesignd.h"
#include "pkey_ctx.h"

void
crypto_random(uint8_t *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		abort();	/* no randomness: nothing safe to do */
}

/*
 * An HMAC context with h's digest set and no key, made once per digest
 * and copied for each prf: EVP_MAC_init with the digest's name fetched
 * the digest at every call.  It holds no key.
 */
#define HMAC_KEPT	8

static EVP_MAC_CTX *
hmac_template(const struct ike_hash *h)
{
	static struct {
		const char	*evp;
		EVP_MAC_CTX	*ctx;
	} t[HMAC_KEPT];
	static EVP_MAC *mac;
	OSSL_PARAM p[2];
	size_t i;

	for (i = 0; i < HMAC_KEPT && t[i].evp != NULL; i++)
		if (strcmp(t[i].evp, h->evp) == 0)
			return t[i].ctx;
	if (i == HMAC_KEPT ||
	    (mac == NULL && (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL))
		return NULL;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)h->evp, 0);
	p[1] = OSSL_PARAM_construct_end();
	if ((t[i].ctx = EVP_MAC_CTX_new(mac)) == NULL)
		return NULL;
	if (!EVP_MAC_CTX_set_params(t[i].ctx, p)) {
		EVP_MAC_CTX_free(t[i].ctx);
		t[i].ctx = NULL;
		return NULL;
	}
	t[i].evp = h->evp;
	return t[i].ctx;
}

int
crypto_prf(const struct ike_hash *h, const uint8_t *key, size_t keylen,
    const struct iov *v, size_t n, uint8_t *out)
{
	EVP_MAC_CTX *tmpl, *ctx = NULL;
	size_t i, outlen = 0;
	int rc = -1;

	/* the copy is keyed here and freed (and wiped) below */
	if ((tmpl = hmac_template(h)) == NULL ||
	    (ctx = EVP_MAC_CTX_dup(tmpl)) == NULL ||
	    !EVP_MAC_init(ctx, key, keylen, NULL))
		goto out;
	for (i = 0; i < n; i++)
		if (v[i].len > 0 && !EVP_MAC_update(ctx, v[i].p, v[i].len))
			goto out;
	if (!EVP_MAC_final(ctx, out, &outlen, IKE_HASH_MAX) ||
	    outlen != h->len)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
crypto_hash(const struct ike_hash *h, const struct iov *v, size_t n,
    uint8_t *out)
{
	EVP_MD_CTX *ctx;
	const EVP_MD *md = alg_md(h);
	unsigned int len = 0;
	size_t i;
	int rc = -1;

	if (md == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (!EVP_DigestInit_ex(ctx, md, NULL))
		goto out;
	for (i = 0; i < n; i++)
		if (v[i].len > 0 && !EVP_DigestUpdate(ctx, v[i].p, v[i].len))
			goto out;
	if (!EVP_DigestFinal_ex(ctx, out, &len) || len != h->len)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * The peer keys decoded last, by their exact DER.  d2i_PUBKEY sets up
 * OpenSSL's decoders at every call (about 140 us for an RSA-2048 key on
 * the bench machine, a tenth of the network process's CPU per
 * handshake), and a peer brings the same octets each time.  Only the
 * decoding is kept: the octets themselves still come from the token at
 * every handshake (the signer's 'P'), so a key removed from a keyring or
 * replaced there is seen at once; and a public key is only read, so two
 * verifications sharing one change nothing.  The network process has one
 * thread.
 */
#define PUBKEY_KEPT	8

static struct {
	uint8_t		*der;
	size_t		 len;
	EVP_PKEY	*key;
	EVP_PKEY_CTX	*verify;	/* NULL until crypto_verify_ctx */
} pubkeys[PUBKEY_KEPT];
static size_t pubkey_next;

EVP_PKEY *
crypto_pubkey(const uint8_t *spki, size_t spkilen, int *whole)
{
	const unsigned char *p = spki;
	EVP_PKEY *key;
	uint8_t *der;
	size_t i;

	*whole = 0;
	if (spki == NULL || spkilen == 0 || spkilen > LONG_MAX)
		return NULL;
	for (i = 0; i < PUBKEY_KEPT; i++)
		if (pubkeys[i].key != NULL && pubkeys[i].len == spkilen &&
		    memcmp(pubkeys[i].der, spki, spkilen) == 0) {
			if (!EVP_PKEY_up_ref(pubkeys[i].key))
				return NULL;
			*whole = 1;
			return pubkeys[i].key;
		}
	if ((key = d2i_PUBKEY(NULL, &p, (long)spkilen)) == NULL)
		return NULL;
	*whole = p == spki + spkilen;
	/* only a DER that is all key is kept */
	if (!*whole || (der = malloc(spkilen)) == NULL)
		return key;
	if (!EVP_PKEY_up_ref(key)) {
		free(der);
		return key;
	}
	memcpy(der, spki, spkilen);
	i = pubkey_next++ % PUBKEY_KEPT;
	free(pubkeys[i].der);
	EVP_PKEY_CTX_free(pubkeys[i].verify);
	EVP_PKEY_free(pubkeys[i].key);
	pubkeys[i].der = der;
	pubkeys[i].len = spkilen;
	pubkeys[i].key = key;
	pubkeys[i].verify = NULL;
	return key;
}

/*
 * A context to verify with key, set up for verification and no more
 * (padding and hash are the caller's).  For a key of the cache above it
 * is a copy of one kept with the key: EVP_PKEY_verify_init looks the
 * implementation up in OpenSSL's name map each time, tens of
 * microseconds a handshake with the caches cold between handshakes.  A
 * public key's context holds nothing secret.
 */
EVP_PKEY_CTX *
crypto_verify_ctx(EVP_PKEY *key)
{
	EVP_PKEY_CTX *ctx;
	size_t i;

	for (i = 0; i < PUBKEY_KEPT && pubkeys[i].key != key; i++)
		;
	if (i < PUBKEY_KEPT && pubkeys[i].verify != NULL)
		return EVP_PKEY_CTX_dup(pubkeys[i].verify);
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	if (i < PUBKEY_KEPT)
		pubkeys[i].verify = EVP_PKEY_CTX_dup(ctx); /* NULL: not kept */
	return ctx;
}

int
crypto_verify(const uint8_t *spki, size_t spkilen, const uint8_t *hash,
    size_t hashlen, const uint8_t *sig, size_t siglen)
{
	EVP_PKEY *key;
	EVP_PKEY_CTX *ctx = NULL;
	int rc = -1, whole;

	if ((key = crypto_pubkey(spki, spkilen, &whole)) == NULL)
		return -1;
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA ||
	    (size_t)EVP_PKEY_get_size(key) != siglen)
		goto out;
	if ((ctx = crypto_verify_ctx(key)) == NULL ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	if (EVP_PKEY_verify(ctx, sig, siglen, hash, hashlen) == 1)
		rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	return rc;
}

/* SHA-256 of a datagram, to know a repeated request (zeros on failure). */
void
crypto_digest256(const uint8_t *p, size_t len, uint8_t *out)
{
	static EVP_MD *md;	/* fetched once: EVP_sha256() fetches each time */
	unsigned int n = 32;

	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (md == NULL || !EVP_Digest(p, len, out, &n, md, NULL))
		memset(out, 0, 32);
}
