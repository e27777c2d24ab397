/*
 * keycheck.c -- does a private key object on the token belong to a pair's
 * public key?  Encrypt, unlock, decrypt and move ask before they keep a
 * key they unwrapped.
 *
 * RSA: the object's modulus and exponent give the pair's
 * SubjectPublicKeyInfo.  EC private objects carry no public point, so the
 * token shows it: a key that may sign signs 32 random bytes (CKM_ECDSA;
 * CKM_EDDSA for Ed25519) and OpenSSL verifies them with the public key; a
 * key that may only agree on keys (an EC encryption pair, CKA_DERIVE)
 * derives an ECDH secret (CKM_ECDH1_DERIVE, CKD_NULL) with an ephemeral
 * OpenSSL key into a session object, which must equal the secret OpenSSL
 * derives from the public key.  The ephemeral key and both secrets are
 * wiped; the session object is destroyed at once.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ks_protect.h"

#define CHALLENGE_LEN	32
#define EC_SIG_MAX	132	/* P-521 r || s */
#define EC_SECRET_MAX	66	/* P-521 field */

static ks_status
mismatch(ks_ctx *ctx, const ks_key *k)
{
	return kx_fail(ctx, KS_EINPUT, "the private key unwrapped for '%s' "
	    "does not match its public key", k->label);
}

static ks_status
rsa_matches(ks_ctx *ctx, CK_OBJECT_HANDLE h, const ks_key *k)
{
	unsigned char *spki = NULL;
	size_t spkilen = 0;
	ks_status st;

	if ((st = kx_key_spki_of(ctx, h, k->label, &spki, &spkilen)) != KS_OK)
		return st;
	if (spkilen != k->spkilen || memcmp(spki, k->spki, spkilen) != 0)
		st = mismatch(ctx, k);
	free(spki);
	return st;
}

/* raw r || s as the DER that OpenSSL verifies (allocated) */
static int
ecdsa_der(const unsigned char *rs, size_t rslen, unsigned char **der)
{
	ECDSA_SIG *sig;
	BIGNUM *r = NULL, *s = NULL;
	int len = -1;

	*der = NULL;
	if (rslen == 0 || rslen % 2 != 0 || rslen > EC_SIG_MAX ||
	    (sig = ECDSA_SIG_new()) == NULL)
		return -1;
	if ((r = BN_bin2bn(rs, (int)(rslen / 2), NULL)) != NULL &&
	    (s = BN_bin2bn(rs + rslen / 2, (int)(rslen / 2), NULL)) != NULL &&
	    ECDSA_SIG_set0(sig, r, s) == 1) {
		r = s = NULL;	/* sig owns them */
		len = i2d_ECDSA_SIG(sig, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return len;
}

static int
verify_sig(EVP_PKEY *pub, int eddsa, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pc = NULL;
	unsigned char *der = NULL;
	int derlen, ok = 0;

	if (eddsa) {
		if ((md = EVP_MD_CTX_new()) != NULL &&
		    EVP_DigestVerifyInit(md, NULL, NULL, NULL, pub) == 1)
			ok = EVP_DigestVerify(md, sig, siglen, msg,
			    msglen) == 1;
		EVP_MD_CTX_free(md);
	} else if ((derlen = ecdsa_der(sig, siglen, &der)) > 0) {
		if ((pc = EVP_PKEY_CTX_new(pub, NULL)) != NULL &&
		    EVP_PKEY_verify_init(pc) == 1)
			ok = EVP_PKEY_verify(pc, der, (size_t)derlen, msg,
			    msglen) == 1;
		EVP_PKEY_CTX_free(pc);
		OPENSSL_free(der);
	}
	ERR_clear_error();
	return ok;
}

static ks_status
ec_sign_matches(ks_ctx *ctx, CK_OBJECT_HANDLE h, const ks_key *k,
    EVP_PKEY *pub, const struct ks_curvedef *d)
{
	CK_MECHANISM mech = { d->sign, NULL, 0 };
	unsigned char msg[CHALLENGE_LEN], sig[EC_SIG_MAX];
	CK_ULONG siglen = sizeof(sig);
	CK_RV rv;

	if (RAND_bytes(msg, sizeof(msg)) != 1)
		return kx_fail(ctx, KS_EFAIL, "no random bytes");
	rv = p11_sign(&ctx->sess, &mech, h, msg, sizeof(msg), sig, &siglen);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot sign with the key "
		    "unwrapped for '%s' to check it", k->label);
	if (!verify_sig(pub, d->key_type == CKK_EC_EDWARDS, msg, sizeof(msg),
	    sig, siglen))
		return mismatch(ctx, k);
	return KS_OK;
}

/* ECDH on the token with the ephemeral key's point; the secret into out. */
static CK_RV
token_ecdh(ks_ctx *ctx, CK_OBJECT_HANDLE h, const unsigned char *pt,
    size_t ptlen, size_t fieldlen, unsigned char *out)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE gen = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG vlen = (CK_ULONG)fieldlen;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &gen, sizeof(gen) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
	};
	CK_ECDH1_DERIVE_PARAMS p;
	CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &p, sizeof(p) };
	CK_ATTRIBUTE v = { CKA_VALUE, out, (CK_ULONG)fieldlen };
	CK_OBJECT_HANDLE sk;
	CK_RV rv;

	p.kdf = CKD_NULL;
	p.ulSharedDataLen = 0;
	p.pSharedData = NULL;
	p.ulPublicDataLen = (CK_ULONG)ptlen;
	p.pPublicData = (CK_BYTE_PTR)pt;
	rv = p11_derive(&ctx->sess, &mech, h, t, sizeof(t) / sizeof(t[0]),
	    &sk);
	if (rv != CKR_OK)
		return rv;
	rv = p11_get_fixed(&ctx->sess, sk, &v, 1);
	(void)p11_destroy(&ctx->sess, sk);	/* a session object */
	if (rv == CKR_OK && v.ulValueLen != fieldlen)
		rv = CKR_GENERAL_ERROR;
	return rv;
}

static ks_status
ec_derive_matches(ks_ctx *ctx, CK_OBJECT_HANDLE h, const ks_key *k,
    EVP_PKEY *pub, const struct ks_curvedef *d)
{
	unsigned char pt[KS_EC_POINT_MAX], mine[EC_SECRET_MAX];
	unsigned char theirs[EC_SECRET_MAX];
	size_t ptlen = 0, fieldlen = (d->bits + 7) / 8, mlen = sizeof(mine);
	EVP_PKEY *eph = NULL;
	EVP_PKEY_CTX *pc = NULL;
	ks_status st = KS_OK;
	CK_RV rv;

	if (d->key_type != CKK_EC || fieldlen > EC_SECRET_MAX)
		return mismatch(ctx, k);
	if ((eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", d->group)) == NULL ||
	    EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt), &ptlen) != 1 ||
	    (pc = EVP_PKEY_CTX_new(eph, NULL)) == NULL ||
	    EVP_PKEY_derive_init(pc) != 1 ||
	    EVP_PKEY_derive_set_peer(pc, pub) != 1 ||
	    EVP_PKEY_derive(pc, mine, &mlen) != 1 || mlen != fieldlen) {
		st = kx_fail(ctx, KS_EFAIL, "cannot make an ECDH check for "
		    "'%s'", k->label);
		goto out;
	}
	rv = token_ecdh(ctx, h, pt, ptlen, fieldlen, theirs);
	if (rv != CKR_OK)
		st = kx_fail_rv(ctx, rv, "cannot agree on a key with the key "
		    "unwrapped for '%s' to check it", k->label);
	else if (CRYPTO_memcmp(mine, theirs, fieldlen) != 0)
		st = mismatch(ctx, k);
 out:
	ERR_clear_error();
	OPENSSL_cleanse(mine, sizeof(mine));
	OPENSSL_cleanse(theirs, sizeof(theirs));
	EVP_PKEY_CTX_free(pc);
	EVP_PKEY_free(eph);
	return st;
}

ks_status
kx_private_matches(ks_ctx *ctx, CK_OBJECT_HANDLE h, const ks_key *k)
{
	const struct ks_curvedef *d;
	const unsigned char *p;
	CK_BBOOL sign = CK_FALSE;
	CK_ATTRIBUTE a = { CKA_SIGN, &sign, sizeof(sign) };
	EVP_PKEY *pub;
	ks_status st;
	CK_RV rv;

	if (k->spki == NULL || k->spkilen > LONG_MAX)
		return mismatch(ctx, k);
	if (k->type != KS_KEY_EC)
		return rsa_matches(ctx, h, k);
	if ((d = kx_curvedef(k->curve)) == NULL)
		return kx_fail(ctx, KS_ETOKEN, "key '%s' is on a curve "
		    "cryptokey does not know", k->label);
	p = k->spki;
	if ((pub = d2i_PUBKEY(NULL, &p, (long)k->spkilen)) == NULL) {
		ERR_clear_error();
		return mismatch(ctx, k);
	}
	rv = p11_get_fixed(&ctx->sess, h, &a, 1);
	if (rv != CKR_OK)
		st = kx_fail_rv(ctx, rv, "cannot read the key unwrapped for "
		    "'%s'", k->label);
	else if (a.ulValueLen == sizeof(sign) && sign == CK_TRUE)
		st = ec_sign_matches(ctx, h, k, pub, d);
	else
		st = ec_derive_matches(ctx, h, k, pub, d);
	EVP_PKEY_free(pub);
	return st;
}
