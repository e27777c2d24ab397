/*
 * sign.c -- sign with a token-held key (used by ikesignd's signer).
 *
 * What ks_sign takes (ks_sig): octets the token hashes itself
 * (CKM_SHA*_RSA_PKCS), octets signed as they are (CKM_RSA_PKCS), or a hash
 * the caller made.  For a hash, PKCS#1 v1.5 gets its DigestInfo here and
 * is signed with CKM_RSA_PKCS, which every RSA token has (the combined
 * CKM_SHA*_RSA_PKCS ones are not everywhere, and they would need the whole
 * message); RSASSA-PSS is CKM_RSA_PKCS_PSS over the hash with MGF1 of the
 * same hash and a salt as long as the hash (RFC 8017 9.1, RFC 7427).  The
 * DigestInfo lives here and not with the caller so that a hash variant
 * means one thing, "sign this SHA-n hash", with its length checked in one
 * place, and no caller assembles ASN.1 for the token.
 *
 * ECDSA is CKM_ECDSA over a hash the caller made; the token returns r || s
 * (PKCS#11 2.40 section 2.3.1), which is what IKE wants for RFC 4754 and
 * what a caller turns into DER for RFC 7427.  Ed25519 is CKM_EDDSA over the
 * whole message (pure EdDSA, no parameters).  Each mechanism signs only
 * with a key of its own type: a name may have pairs of either type during
 * a replace, and RSA over an EC key is never what was meant.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "ks_internal.h"

#define DIGESTINFO_MAX	19	/* the DigestInfo before a SHA-2 hash */
#define SIGN_HASH_MAX	64	/* SHA-512 */
#define ECDSA_HASH_MIN	20	/* SHA-1 */

/* The DigestInfo that precedes each hash (RFC 8017 9.2, note 1). */
static const unsigned char di_sha1[] = {
	0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a,
	0x05, 0x00, 0x04, 0x14
};
static const unsigned char di_sha256[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};
static const unsigned char di_sha384[] = {
	0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30
};
static const unsigned char di_sha512[] = {
	0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40
};

struct sigdef {
	ks_sig			 sig;
	CK_MECHANISM_TYPE	 mech;
	size_t			 hashlen;	/* 0: any input */
	const unsigned char	*di;		/* DigestInfo to prepend */
	size_t			 dilen;
	CK_MECHANISM_TYPE	 pss_hash;	/* PSS: hashAlg */
	CK_RSA_PKCS_MGF_TYPE	 pss_mgf;
	CK_KEY_TYPE		 key_type;
};

#define DI(x)	x, sizeof(x)

static const struct sigdef sigdefs[] = {
	{ KS_SIG_RSA_PKCS_RAW, CKM_RSA_PKCS, 0, NULL, 0, 0, 0, CKK_RSA },
	{ KS_SIG_SHA1_RSA_PKCS, CKM_SHA1_RSA_PKCS, 0, NULL, 0, 0, 0, CKK_RSA },
	{ KS_SIG_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS, 0, NULL, 0, 0, 0,
	    CKK_RSA },
	{ KS_SIG_SHA384_RSA_PKCS, CKM_SHA384_RSA_PKCS, 0, NULL, 0, 0, 0,
	    CKK_RSA },
	{ KS_SIG_SHA512_RSA_PKCS, CKM_SHA512_RSA_PKCS, 0, NULL, 0, 0, 0,
	    CKK_RSA },
	{ KS_SIG_RSA_PKCS_SHA1_HASH, CKM_RSA_PKCS, 20, DI(di_sha1), 0, 0,
	    CKK_RSA },
	{ KS_SIG_RSA_PKCS_SHA256_HASH, CKM_RSA_PKCS, 32, DI(di_sha256), 0, 0,
	    CKK_RSA },
	{ KS_SIG_RSA_PKCS_SHA384_HASH, CKM_RSA_PKCS, 48, DI(di_sha384), 0, 0,
	    CKK_RSA },
	{ KS_SIG_RSA_PKCS_SHA512_HASH, CKM_RSA_PKCS, 64, DI(di_sha512), 0, 0,
	    CKK_RSA },
	{ KS_SIG_RSA_PSS_SHA256, CKM_RSA_PKCS_PSS, 32, NULL, 0, CKM_SHA256,
	    CKG_MGF1_SHA256, CKK_RSA },
	{ KS_SIG_RSA_PSS_SHA384, CKM_RSA_PKCS_PSS, 48, NULL, 0, CKM_SHA384,
	    CKG_MGF1_SHA384, CKK_RSA },
	{ KS_SIG_RSA_PSS_SHA512, CKM_RSA_PKCS_PSS, 64, NULL, 0, CKM_SHA512,
	    CKG_MGF1_SHA512, CKK_RSA },
	/* hashlen 0, but checked in ks_sign: 20 to 64 bytes */
	{ KS_SIG_ECDSA_HASH, CKM_ECDSA, 0, NULL, 0, 0, 0, CKK_EC },
	{ KS_SIG_EDDSA, CKM_EDDSA, 0, NULL, 0, 0, 0, CKK_EC_EDWARDS },
};

static const struct sigdef *
sigdef_of(ks_sig s)
{
	size_t i;

	for (i = 0; i < sizeof(sigdefs) / sizeof(sigdefs[0]); i++)
		if (sigdefs[i].sig == s)
			return &sigdefs[i];
	return NULL;
}

/* Say why: a locked key is "not permitted", anything else "not found". */
static ks_status
no_signing_key(ks_ctx *ctx, const char *label, CK_KEY_TYPE kt)
{
	ks_key **keys = NULL;
	size_t n = 0, i;
	int locked = 0;

	if (kx_find_pairs(ctx, label, &keys, &n, 0) == KS_OK)
		for (i = 0; i < n; i++)
			locked |= keys[i]->locked &&
			    keys[i]->usage != KS_USAGE_ENCRYPTION &&
			    keys[i]->type == kx_keytype_of(kt);
	ks_keys_free(keys, n);
	if (locked)
		return kx_fail(ctx, KS_EPERM, "key '%s' on token '%s' is "
		    "locked; unlock it first", label, ctx->token.label);
	return kx_fail(ctx, KS_ENOTFOUND, "no %s signing key named '%s' on "
	    "token '%s'", kt == CKK_RSA ? "RSA" : kt == CKK_EC ? "EC" :
	    "Ed25519", label, ctx->token.label);
}

static ks_status
find_signing_key(ks_ctx *ctx, const char *label, CK_KEY_TYPE kt,
    CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_OBJECT_HANDLE *found = NULL;
	size_t n = 0;
	CK_RV rv;

	rv = p11_find(&ctx->sess, t, sizeof(t) / sizeof(t[0]), &found, &n);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot search token '%s'",
		    ctx->token.label);
	if (n == 0)
		return no_signing_key(ctx, label, kt);
	*h = found[0];	/* during a replace the newest and oldest coexist;
			 * either signs with a key the name stands for */
	free(found);
	return KS_OK;
}

/*
 * The handle found last for (label, type) signs without being checked
 * first; it is checked (one C_GetAttributeValue: still a private signing
 * key of the type under the label?) only when it is older than
 * SIGN_RECHECK_NS, and searched for afresh when C_SignInit refuses it.
 * Before, every signature paid for that check, and on SoftHSM2 each
 * object call rereads the token's generation files (about 17 of the 43
 * system calls a signature made).  Why this is safe:
 *  - a key destroyed by anyone (zeroize, lock, the end of a replace, a
 *    move, another program): its handle no longer names an object, so
 *    C_SignInit fails with CKR_OBJECT_HANDLE_INVALID or
 *    CKR_KEY_HANDLE_INVALID.  SoftHSM2 checks at every C_SignInit that
 *    the object's file is still there, also when another process removed
 *    it, and never gives a handle to a second object (its handles count
 *    up for the life of the process).  Then the name is looked up once
 *    more and the signature retried once: the replacement signs, or the
 *    lookup says "locked" or "not found" as before.
 *  - a replace (ks_generate with KS_GEN_REPLACE) makes the new pair
 *    before it destroys the old one; while both are there either is a key
 *    the name stands for (find_signing_key takes either), so the old
 *    handle signing until the old key goes is what a lookup could give
 *    too.  The old key is never kept once destroyed: see above.
 *  - a key whose attributes change under the same handle: cryptokey
 *    changes only CKA_EXTRACTABLE in place; another program that clears
 *    CKA_SIGN makes C_SignInit fail (CKR_KEY_FUNCTION_NOT_PERMITTED, a
 *    lookup then finds nothing), and one that relabels a key is seen by
 *    the check within SIGN_RECHECK_NS.
 *  - a token that reuses a destroyed object's handle for a new object
 *    (PKCS#11 lets it) could make the cached handle name another key.  A
 *    key of another type or without CKA_SIGN fails C_SignInit and is
 *    looked up again; one of the same type is caught by the check within
 *    SIGN_RECHECK_NS.  Checking before every signature did not close
 *    this either, only narrowed it: the object can change between the
 *    check and C_SignInit.
 */
#define SIGN_RECHECK_NS	1000000000LL	/* 1 s */

static long long
mono_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;	/* then every signature checks */
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Is h a private signing key of type kt under label? */
static int
still_the_key(ks_ctx *ctx, const char *label, CK_KEY_TYPE kt,
    CK_OBJECT_HANDLE h)
{
	char got[KS_LABEL_MAX + 1];
	CK_OBJECT_CLASS cls = 0;
	CK_KEY_TYPE type = 0;
	CK_BBOOL sign = CK_FALSE;
	CK_ATTRIBUTE a[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_SIGN, &sign, sizeof(sign) },
		{ CKA_LABEL, got, sizeof(got) - 1 },
	};
	size_t len = strlen(label);

	return p11_get_values(&ctx->sess, h, a,
	    sizeof(a) / sizeof(a[0])) == CKR_OK && cls == CKO_PRIVATE_KEY &&
	    type == kt && sign == CK_TRUE && a[3].ulValueLen == len &&
	    memcmp(got, label, len) == 0;
}

/* The handle found last for (label, type), checked when it is due. */
static int
cached_key(ks_ctx *ctx, const char *label, CK_KEY_TYPE kt,
    CK_OBJECT_HANDLE *h)
{
	long long now;

	if (ctx->sign_key == CK_INVALID_HANDLE || ctx->sign_type != kt ||
	    strcmp(ctx->sign_label, label) != 0)
		return 0;
	now = mono_ns();
	if (now == 0 || now - ctx->sign_checked >= SIGN_RECHECK_NS) {
		if (!still_the_key(ctx, label, kt, ctx->sign_key)) {
			ctx->sign_key = CK_INVALID_HANDLE;
			return 0;
		}
		ctx->sign_checked = now;
	}
	*h = ctx->sign_key;
	return 1;
}

/* A fresh lookup of (label, type), remembered for the next signature. */
static ks_status
lookup_key(ks_ctx *ctx, const char *label, CK_KEY_TYPE kt,
    CK_OBJECT_HANDLE *h)
{
	ks_status st;

	ctx->sign_key = CK_INVALID_HANDLE;
	if ((st = find_signing_key(ctx, label, kt, h)) != KS_OK)
		return st;
	if (strlen(label) < sizeof(ctx->sign_label)) {
		memcpy(ctx->sign_label, label, strlen(label) + 1);
		ctx->sign_type = kt;
		ctx->sign_key = *h;
		ctx->sign_checked = mono_ns();
	}
	return KS_OK;
}

/* C_SignInit's answers for a handle that may no longer be the key. */
static int
stale_handle(CK_RV rv)
{
	return rv == CKR_OBJECT_HANDLE_INVALID || rv == CKR_KEY_HANDLE_INVALID ||
	    rv == CKR_KEY_TYPE_INCONSISTENT ||
	    rv == CKR_KEY_FUNCTION_NOT_PERMITTED;
}

/* C_SignInit and C_Sign with mech over in. */
static ks_status
sign_with(ks_ctx *ctx, const char *label, CK_KEY_TYPE kt, CK_MECHANISM *mech,
    const unsigned char *in, size_t inlen, unsigned char *out, size_t *outlen)
{
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
	CK_ULONG len = (CK_ULONG)*outlen;
	ks_status st;
	CK_RV rv;
	int cached;

	if ((st = kx_need_session(ctx)) != KS_OK)
		return st;
	cached = cached_key(ctx, label, kt, &key);
	if (!cached && (st = lookup_key(ctx, label, kt, &key)) != KS_OK)
		return st;
	rv = p11_sign_init(&ctx->sess, mech, key);
	if (rv != CKR_OK && cached && stale_handle(rv)) {
		/* destroyed or changed since it was found: once more */
		if ((st = lookup_key(ctx, label, kt, &key)) != KS_OK)
			return st;
		rv = p11_sign_init(&ctx->sess, mech, key);
	}
	if (rv != CKR_OK)
		ctx->sign_key = CK_INVALID_HANDLE;
	if (rv == CKR_MECHANISM_INVALID && mech->mechanism == CKM_RSA_PKCS_PSS)
		return kx_fail_rv(ctx, rv, "token '%s' cannot sign with "
		    "RSA-PSS (CKM_RSA_PKCS_PSS)", ctx->token.label);
	if (rv == CKR_MECHANISM_INVALID && mech->mechanism != CKM_RSA_PKCS)
		return kx_fail_rv(ctx, rv, "token '%s' cannot sign with %s",
		    ctx->token.label, mech->mechanism == CKM_ECDSA ?
		    "CKM_ECDSA" : mech->mechanism == CKM_EDDSA ? "CKM_EDDSA" :
		    "this mechanism");
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot sign with key '%s'", label);
	rv = p11_sign_data(&ctx->sess, in, inlen, out, &len);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot sign with key '%s'", label);
	*outlen = (size_t)len;
	return KS_OK;
}

ks_status
ks_sign(ks_ctx *ctx, const char *label, ks_sig sig, const unsigned char *in,
    size_t inlen, unsigned char *out, size_t *outlen)
{
	unsigned char buf[DIGESTINFO_MAX + SIGN_HASH_MAX];
	const struct sigdef *d;
	CK_RSA_PKCS_PSS_PARAMS pss;
	CK_MECHANISM mech;
	ks_status st;

	if ((d = sigdef_of(sig)) == NULL)
		return kx_fail(ctx, KS_EUSAGE, "unknown signature mechanism "
		    "%d", (int)sig);
	if (d->hashlen != 0 && inlen != d->hashlen)
		return kx_fail(ctx, KS_EUSAGE, "a hash of %zu bytes where %zu "
		    "are expected", inlen, d->hashlen);
	if (d->mech == CKM_ECDSA &&
	    (inlen < ECDSA_HASH_MIN || inlen > SIGN_HASH_MAX))
		return kx_fail(ctx, KS_EUSAGE, "a hash of %zu bytes where %d "
		    "to %d are expected", inlen, ECDSA_HASH_MIN,
		    SIGN_HASH_MAX);
	mech.mechanism = d->mech;
	mech.pParameter = NULL;
	mech.ulParameterLen = 0;
	if (d->mech == CKM_RSA_PKCS_PSS) {
		pss.hashAlg = d->pss_hash;
		pss.mgf = d->pss_mgf;
		pss.sLen = (CK_ULONG)d->hashlen;
		mech.pParameter = &pss;
		mech.ulParameterLen = sizeof(pss);
	}
	if (d->dilen == 0)
		return sign_with(ctx, label, d->key_type, &mech, in, inlen,
		    out, outlen);
	if (d->dilen + inlen > sizeof(buf))
		return kx_fail(ctx, KS_EUSAGE, "hash too long");
	memcpy(buf, d->di, d->dilen);
	memcpy(buf + d->dilen, in, inlen);
	st = sign_with(ctx, label, d->key_type, &mech, buf, d->dilen + inlen,
	    out, outlen);
	OPENSSL_cleanse(buf, sizeof(buf));
	return st;
}
