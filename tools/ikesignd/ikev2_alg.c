/*
 * ikev2_alg.c -- the IKE SA transforms ikesignd knows in IKEv2: their
 * IANA numbers (RFC 7296 3.3.2), IOS FlexVPN keywords and OpenSSL names.
 * ENCR AES-CBC (RFC 3602) and AES-GCM with a 16-octet ICV (RFC 5282),
 * 3DES (weak); PRF and INTEG are HMAC over the IKEv1 hashes of
 * ikev1_alg.c (RFC 4868 for SHA-2), so both versions share one digest
 * cache.
 */
#include "config.h"

#include <string.h>

#include "ikesignd.h"
#include "ikev2.h"

static const struct ikev2_encr encrs[] = {
	{ IKEV2_ENCR_AES_CBC, 128, "aes-cbc-128", "AES-128-CBC", 16, 0, 16,
	    16, 0, 0 },
	{ IKEV2_ENCR_AES_CBC, 192, "aes-cbc-192", "AES-192-CBC", 24, 0, 16,
	    16, 0, 0 },
	{ IKEV2_ENCR_AES_CBC, 256, "aes-cbc-256", "AES-256-CBC", 32, 0, 16,
	    16, 0, 0 },
	/* RFC 5282 4: SK_e is the key and a 4-octet salt; IV 8, ICV 16 */
	{ IKEV2_ENCR_AES_GCM_16, 128, "aes-gcm-128", "AES-128-GCM", 20, 4, 8,
	    1, 16, 0 },
	{ IKEV2_ENCR_AES_GCM_16, 256, "aes-gcm-256", "AES-256-GCM", 36, 4, 8,
	    1, 16, 0 },
	{ IKEV2_ENCR_3DES, 0, "3des", "DES-EDE3-CBC", 24, 0, 8, 8, 0, 1 },
};
#define NENCRS	(sizeof(encrs) / sizeof(encrs[0]))

static const struct ikev2_prf prfs[] = {
	{ IKEV2_PRF_HMAC_SHA1, "sha1", IKE_HASH_SHA },
	{ IKEV2_PRF_HMAC_SHA2_256, "sha256", IKE_HASH_SHA256 },
	{ IKEV2_PRF_HMAC_SHA2_384, "sha384", IKE_HASH_SHA384 },
	{ IKEV2_PRF_HMAC_SHA2_512, "sha512", IKE_HASH_SHA512 },
};
#define NPRFS	(sizeof(prfs) / sizeof(prfs[0]))

static const struct ikev2_integ integs[] = {
	{ IKEV2_INTEG_HMAC_SHA1_96, "sha1", IKE_HASH_SHA, 20, 12 },
	{ IKEV2_INTEG_HMAC_SHA2_256_128, "sha256", IKE_HASH_SHA256, 32, 16 },
	{ IKEV2_INTEG_HMAC_SHA2_384_192, "sha384", IKE_HASH_SHA384, 48, 24 },
	{ IKEV2_INTEG_HMAC_SHA2_512_256, "sha512", IKE_HASH_SHA512, 64, 32 },
};
#define NINTEGS	(sizeof(integs) / sizeof(integs[0]))

static EVP_CIPHER *evps[NENCRS];

const struct ikev2_encr *
ikev2_encr_get(uint16_t id, unsigned keybits)
{
	size_t i;

	for (i = 0; i < NENCRS; i++)
		if (encrs[i].id == id && encrs[i].keybits == keybits)
			return &encrs[i];
	return NULL;
}

const struct ikev2_encr *
ikev2_encr_ios(const char *word)
{
	size_t i;

	for (i = 0; i < NENCRS; i++)
		if (strcmp(encrs[i].ios, word) == 0)
			return &encrs[i];
	return NULL;
}

const struct ikev2_prf *
ikev2_prf_get(uint16_t id)
{
	size_t i;

	for (i = 0; i < NPRFS; i++)
		if (prfs[i].id == id)
			return &prfs[i];
	return NULL;
}

const struct ikev2_prf *
ikev2_prf_ios(const char *word)
{
	size_t i;

	for (i = 0; i < NPRFS; i++)
		if (strcmp(prfs[i].ios, word) == 0)
			return &prfs[i];
	return NULL;
}

const struct ikev2_integ *
ikev2_integ_get(uint16_t id)
{
	size_t i;

	for (i = 0; i < NINTEGS; i++)
		if (integs[i].id == id)
			return &integs[i];
	return NULL;
}

const struct ikev2_integ *
ikev2_integ_ios(const char *word)
{
	size_t i;

	for (i = 0; i < NINTEGS; i++)
		if (strcmp(integs[i].ios, word) == 0)
			return &integs[i];
	return NULL;
}

const struct ike_hash *
ikev2_prf_hash(const struct ikev2_prf *p)
{
	return p == NULL ? NULL : alg_hash(p->hash);
}

const struct ike_hash *
ikev2_integ_hash(const struct ikev2_integ *t)
{
	return t == NULL ? NULL : alg_hash(t->hash);
}

const EVP_CIPHER *
ikev2_cipher(const struct ikev2_encr *e)
{
	size_t i;

	if (e == NULL)
		return NULL;
	i = (size_t)(e - encrs);
	if (i >= NENCRS)
		return NULL;
	if (evps[i] == NULL)
		evps[i] = EVP_CIPHER_fetch(NULL, e->evp, NULL);
	return evps[i];
}

void
ikev2_alg_free(void)
{
	size_t i;

	for (i = 0; i < NENCRS; i++) {
		EVP_CIPHER_free(evps[i]);
		evps[i] = NULL;
	}
}
