/*
 * ikev1_alg.c -- the phase 1 ciphers and hashes ikesignd knows: their IKE
 * numbers, IOS keywords and OpenSSL names (RFC 2409 App. A, RFC 3602,
 * RFC 4868).  DES lives in OpenSSL's legacy provider, loaded on demand.
 */
#include "config.h"

#include <string.h>
#include <openssl/provider.h>

#include "ikesignd.h"

static const struct ike_hash hashes[] = {
	{ IKE_HASH_MD5, "md5", "MD5", "MD5", 16, 1 },
	{ IKE_HASH_SHA, "sha", "SHA1", "SHA1", 20, 0 },
	{ IKE_HASH_SHA256, "sha256", "SHA256", "SHA256", 32, 0 },
	{ IKE_HASH_SHA384, "sha384", "SHA384", "SHA384", 48, 0 },
	{ IKE_HASH_SHA512, "sha512", "SHA512", "SHA512", 64, 0 },
};
#define NHASHES	(sizeof(hashes) / sizeof(hashes[0]))

static const struct ike_enc ciphers[] = {
	{ IKE_ENC_DES, 0, "DES", "DES-CBC", 8, 8, 1 },
	{ IKE_ENC_3DES, 0, "3DES", "DES-EDE3-CBC", 24, 8, 0 },
	{ IKE_ENC_AES, 128, "AES-128", "AES-128-CBC", 16, 16, 0 },
	{ IKE_ENC_AES, 192, "AES-192", "AES-192-CBC", 24, 16, 0 },
	{ IKE_ENC_AES, 256, "AES-256", "AES-256-CBC", 32, 16, 0 },
};
#define NCIPHERS	(sizeof(ciphers) / sizeof(ciphers[0]))

static EVP_MD *mds[NHASHES];
static EVP_CIPHER *evps[NCIPHERS];
static int legacy_tried;

const struct ike_hash *
alg_hash(int id)
{
	size_t i;

	for (i = 0; i < NHASHES; i++)
		if (hashes[i].id == id)
			return &hashes[i];
	return NULL;
}

const struct ike_hash *
alg_hash_ios(const char *word)
{
	size_t i;

	for (i = 0; i < NHASHES; i++)
		if (strcmp(hashes[i].ios, word) == 0)
			return &hashes[i];
	return NULL;
}

/* keybits 0 means "the default length" for AES (128, RFC 3602). */
const struct ike_enc *
alg_enc(int id, unsigned keybits)
{
	size_t i;

	if (id == IKE_ENC_AES && keybits == 0)
		keybits = 128;
	if (id != IKE_ENC_AES)
		keybits = 0;
	for (i = 0; i < NCIPHERS; i++)
		if (ciphers[i].id == id && ciphers[i].keybits == keybits)
			return &ciphers[i];
	return NULL;
}

const EVP_MD *
alg_md(const struct ike_hash *h)
{
	size_t i = (size_t)(h - hashes);

	if (h == NULL || i >= NHASHES)
		return NULL;
	if (mds[i] == NULL)
		mds[i] = EVP_MD_fetch(NULL, h->evp, NULL);
	return mds[i];
}

const EVP_CIPHER *
alg_cipher(const struct ike_enc *e)
{
	size_t i = (size_t)(e - ciphers);

	if (e == NULL || i >= NCIPHERS)
		return NULL;
	if (evps[i] == NULL)
		evps[i] = EVP_CIPHER_fetch(NULL, e->evp, NULL);
	if (evps[i] == NULL && !legacy_tried) {
		/* loading one provider stops the implicit default: load both */
		legacy_tried = 1;
		(void)OSSL_PROVIDER_load(NULL, "default");
		(void)OSSL_PROVIDER_load(NULL, "legacy");
		evps[i] = EVP_CIPHER_fetch(NULL, e->evp, NULL);
	}
	return evps[i];
}

void
alg_free(void)
{
	size_t i;

	for (i = 0; i < NHASHES; i++) {
		EVP_MD_free(mds[i]);
		mds[i] = NULL;
	}
	for (i = 0; i < NCIPHERS; i++) {
		EVP_CIPHER_free(evps[i]);
		evps[i] = NULL;
	}
}
