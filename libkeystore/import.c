/*
 * import.c -- RSA and EC private keys from PEM onto the token (IOS "crypto
 * key import rsa|ec ... pem").
 *
 * Order of state changes (a failure or crash at any step leaves the old
 * state or the new one, never a lost key):
 *   1. check everything before the token changes: the name, whether it
 *      exists, of any type (refused unless replace), the PEM (pem.c:
 *      format, passphrase, the context's key types only; Ed25519 not for
 *      encryption), the number of keys for the kind, each key's consistency,
 *      and that any public key in the input belongs to a private one
 *      Then records of the name left without keys are removed (nothing
 *      lists them).
 *   2. a session wrapping key (CKA_TOKEN=FALSE: it dies with the session)
 *   3. for each pair: the cryptokey-meta record first, then C_UnwrapKey of
 *      the private key (CKA_SENSITIVE=TRUE, CKA_EXTRACTABLE as asked, label,
 *      ID, usage flags as generate sets them) and read SENSITIVE and
 *      EXTRACTABLE back, then C_CreateObject of the public key.  A failure
 *      here removes what this call made: the token is as it was.  The
 *      record is checked after it is stored and again after the public
 *      key (claim.c: another host's pair of the name may win).
 *   4. the session wrapping key is destroyed (on every path)
 *   5. only then, for replace, the old pairs of the name are removed
 * A crash between 3 and 5 leaves old and new side by side: "show" lists
 * both and a rerun of "import --replace" or "zeroize" completes.  (An EC
 * pair is listed only once its public key, made last, is there.)  A crash
 * inside 3 leaves at worst a record, or a record and a private key, which
 * "zeroize" removes.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ks_xfer.h"

struct made {
	CK_OBJECT_HANDLE	meta, priv, pub;
	int			has_meta, has_priv, has_pub;
};

static void
undo(ks_ctx *ctx, struct made *m)
{
	/* best effort: the caller reports the first failure, not these */
	if (m->has_pub)
		(void)p11_destroy(&ctx->sess, m->pub);
	if (m->has_priv)
		(void)p11_destroy(&ctx->sess, m->priv);
	if (m->has_meta)
		(void)p11_destroy(&ctx->sess, m->meta);
	m->has_pub = m->has_priv = m->has_meta = 0;
}

/* 1. The usages of the keys in the input, for the kind asked for. */
static ks_status
assign_usages(ks_ctx *ctx, const struct ks_pem *pem, ks_kind kind,
    ks_usage u[2])
{
	const struct ks_pem_key *k = pem->priv;

	if (kind != KS_KIND_USAGE_KEYS) {
		if (pem->npriv != 1)
			return kx_fail(ctx, KS_EINPUT, "the input holds %zu "
			    "private keys; import a signature and an "
			    "encryption pair with --usage usage-keys",
			    pem->npriv);
		u[0] = kind == KS_KIND_SIGNATURE ? KS_USAGE_SIGNATURE :
		    kind == KS_KIND_ENCRYPTION ? KS_USAGE_ENCRYPTION :
		    KS_USAGE_GENERAL;
		return KS_OK;
	}
	if (pem->npriv != 2)
		return kx_fail(ctx, KS_EINPUT, "usage keys need two private "
		    "keys (signature, then encryption); the input holds %zu",
		    pem->npriv);
	u[0] = KS_USAGE_SIGNATURE;
	u[1] = KS_USAGE_ENCRYPTION;
	if (k[0].tagged && k[1].tagged) {
		if (k[0].usage == KS_USAGE_ENCRYPTION &&
		    k[1].usage == KS_USAGE_SIGNATURE) {
			u[0] = KS_USAGE_ENCRYPTION;
			u[1] = KS_USAGE_SIGNATURE;
		} else if (k[0].usage != KS_USAGE_SIGNATURE ||
		    k[1].usage != KS_USAGE_ENCRYPTION)
			return kx_fail(ctx, KS_EINPUT, "usage keys need a "
			    "Signature Key and an Encryption Key; the input's "
			    "Usage: lines say otherwise");
	}
	if (EVP_PKEY_eq(k[0].pkey, k[1].pkey) == 1) {
		ERR_clear_error();
		return kx_fail(ctx, KS_EINPUT, "the signature and encryption "
		    "keys in the input are the same key");
	}
	ERR_clear_error();
	return KS_OK;
}

/* 1. Each private key consistent; each public key belongs to one. */
static ks_status
check_keys(ks_ctx *ctx, const struct ks_pem *pem)
{
	EVP_PKEY_CTX *pc;
	size_t i, j;
	int ok;

	for (i = 0; i < pem->npriv; i++) {
		pc = EVP_PKEY_CTX_new_from_pkey(NULL, pem->priv[i].pkey, NULL);
		ok = pc != NULL && EVP_PKEY_pairwise_check(pc) == 1;
		EVP_PKEY_CTX_free(pc);
		ERR_clear_error();
		if (!ok)
			return kx_fail(ctx, KS_EINPUT, "private key %zu in the "
			    "input is not a consistent %s key", i + 1,
			    kx_pkey_type(pem->priv[i].pkey) == KS_KEY_EC ?
			    "EC" : "RSA");
	}
	for (i = 0; i < pem->npub; i++) {
		for (j = 0; j < pem->npriv; j++)
			if (EVP_PKEY_eq(pem->pub[i], pem->priv[j].pkey) == 1)
				break;
		ERR_clear_error();
		if (j == pem->npriv)
			return kx_fail(ctx, KS_EINPUT, "public key %zu in the "
			    "input does not belong to any private key in it",
			    i + 1);
	}
	return KS_OK;
}

/* 1. Ed25519 keys sign only. */
static ks_status
check_ed25519(ks_ctx *ctx, const struct ks_pem *pem, ks_kind kind)
{
	size_t i;

	if (kind == KS_KIND_GENERAL || kind == KS_KIND_SIGNATURE)
		return KS_OK;
	for (i = 0; i < pem->npriv; i++)
		if (EVP_PKEY_get_base_id(pem->priv[i].pkey) == EVP_PKEY_ED25519)
			return kx_fail(ctx, KS_EUSAGE, "Ed25519 keys sign "
			    "only; import them as general or signature keys");
	return KS_OK;
}

/* 1. The name: refuse an existing one unless replace. */
static ks_status
check_name(ks_ctx *ctx, const char *label, int flags, ks_key ***old,
    size_t *nold)
{
	size_t i, nown = 0;
	ks_status st;

	/* a name is one name whatever the type of its keys */
	if ((st = kx_find_pairs_typed(ctx, label, old, nold, 0,
	    KS_KEY_ALL)) != KS_OK)
		return st;
	for (i = 0; i < *nold; i++)
		if (kx_pair_listed((*old)[i]))
			nown++;
	if (nown > 0 && !(flags & KS_IMPORT_REPLACE))
		return kx_fail(ctx, KS_EEXIST, "key '%s' already exists on "
		    "token '%s'; use --replace to replace it", label,
		    ctx->token.label);
	return KS_OK;
}

/* n or e of an RSA key as big-endian bytes (allocated). */
static unsigned char *
rsa_param(EVP_PKEY *pk, const char *name, size_t *len)
{
	BIGNUM *bn = NULL;
	unsigned char *buf = NULL;
	int n;

	if (EVP_PKEY_get_bn_param(pk, name, &bn) != 1 ||
	    (n = BN_num_bytes(bn)) <= 0 || (buf = malloc((size_t)n)) == NULL ||
	    BN_bn2bin(bn, buf) != n) {
		free(buf);
		buf = NULL;
	} else
		*len = (size_t)n;
	BN_free(bn);
	ERR_clear_error();
	return buf;
}

/* The RSA public key's own attributes (n and e, allocated into a[]). */
static int
rsa_public_attrs(EVP_PKEY *pk, CK_ATTRIBUTE a[2])
{
	size_t nlen = 0, elen = 0;

	a[0].type = CKA_MODULUS;
	a[1].type = CKA_PUBLIC_EXPONENT;
	a[0].pValue = rsa_param(pk, OSSL_PKEY_PARAM_RSA_N, &nlen);
	a[1].pValue = rsa_param(pk, OSSL_PKEY_PARAM_RSA_E, &elen);
	a[0].ulValueLen = (CK_ULONG)nlen;
	a[1].ulValueLen = (CK_ULONG)elen;
	return a[0].pValue != NULL && a[1].pValue != NULL;
}

/* The EC public key's: CKA_EC_PARAMS (static) and CKA_EC_POINT
 * (allocated into a[1]). */
static int
ec_public_attrs(EVP_PKEY *pk, CK_ATTRIBUTE a[2])
{
	const struct ks_curvedef *d = NULL;
	unsigned char point[KS_EC_POINT_MAX];
	size_t len = 0;

	a[0].type = CKA_EC_PARAMS;
	a[1].type = CKA_EC_POINT;
	a[0].pValue = a[1].pValue = NULL;
	if (kx_ec_point_of(pk, &d, point, &len) != KS_OK ||
	    (a[1].pValue = malloc(len)) == NULL)
		return 0;
	memcpy(a[1].pValue, point, len);
	a[1].ulValueLen = (CK_ULONG)len;
	a[0].pValue = (void *)d->params;
	a[0].ulValueLen = (CK_ULONG)d->paramslen;
	return 1;
}

/* CKK_RSA, CKK_EC or CKK_EC_EDWARDS */
static CK_KEY_TYPE
p11_key_type(EVP_PKEY *pk)
{
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519)
		return CKK_EC_EDWARDS;
	return EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC ? CKK_EC : CKK_RSA;
}

static ks_status
make_public(ks_ctx *ctx, const char *label, EVP_PKEY *pk,
    const struct ks_meta *meta, struct made *m)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = p11_key_type(pk);
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL sign = meta->usage != KS_USAGE_ENCRYPTION ? CK_TRUE : CK_FALSE;
	CK_BBOOL crypt = meta->usage != KS_USAGE_SIGNATURE ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE key[2] = { { 0, NULL, 0 }, { 0, NULL, 0 } };
	ks_status st = KS_OK;
	CK_ULONG nt;
	CK_RV rv;
	int ok;

	ok = kt == CKK_RSA ? rsa_public_attrs(pk, key) :
	    ec_public_attrs(pk, key);
	if (!ok) {
		st = kx_fail(ctx, KS_EFAIL, "cannot read the public part of "
		    "key '%s'", label);
		goto out;
	}
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, (void *)meta->id, meta->idlen },
		key[0],
		key[1],
		{ CKA_VERIFY, &sign, sizeof(sign) },
		{ CKA_WRAP, &no, sizeof(no) },
		{ CKA_ENCRYPT, &crypt, sizeof(crypt) },	/* RSA only */
	};
	nt = sizeof(t) / sizeof(t[0]) - (kt == CKK_RSA ? 0 : 1);
	rv = p11_create(&ctx->sess, t, nt, &m->pub);
	if (rv != CKR_OK) {
		st = kx_fail_rv(ctx, rv, "cannot store the public key of '%s' "
		    "on token '%s'", label, ctx->token.label);
		goto out;
	}
	m->has_pub = 1;
 out:
	if (kt == CKK_RSA)
		free(key[0].pValue);
	free(key[1].pValue);
	return st;
}

static ks_status
make_private(ks_ctx *ctx, struct ks_wrapkey *wk, const char *label,
    EVP_PKEY *pk, const struct ks_meta *meta, int exportable, struct made *m)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = p11_key_type(pk);
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL sign = meta->usage != KS_USAGE_ENCRYPTION ? CK_TRUE : CK_FALSE;
	CK_BBOOL crypt = meta->usage != KS_USAGE_SIGNATURE ? CK_TRUE : CK_FALSE;
	CK_BBOOL extr = exportable ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, (void *)meta->id, meta->idlen },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &extr, sizeof(extr) },
		{ CKA_SIGN, &sign, sizeof(sign) },
		{ CKA_UNWRAP, &no, sizeof(no) },
		/* RSA: decrypt; EC: key agreement, as generate sets them */
		{ kt == CKK_RSA ? CKA_DECRYPT : CKA_DERIVE, &crypt,
		    sizeof(crypt) },
	};
	CK_ULONG nt = sizeof(t) / sizeof(t[0]) -
	    (kt == CKK_EC_EDWARDS ? 1 : 0);
	PKCS8_PRIV_KEY_INFO *p8;
	unsigned char *der = NULL;
	int len = -1;
	ks_status st;

	if ((p8 = EVP_PKEY2PKCS8(pk)) != NULL)
		len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	ERR_clear_error();
	if (len <= 0)
		return kx_fail(ctx, KS_EFAIL, "cannot encode key '%s' as "
		    "PKCS#8", label);
	st = kx_unwrap_private(ctx, wk, der, (size_t)len, t, nt, label,
	    &m->priv);
	OPENSSL_clear_free(der, (size_t)len);
	if (st != KS_OK)
		return st;
	m->has_priv = 1;
	return kx_check_private(ctx, label, m->priv, exportable);
}

/* 3. One pair: record, private key, public key. */
static ks_status
make_pair(ks_ctx *ctx, struct ks_wrapkey *wk, const char *label,
    EVP_PKEY *pk, ks_usage usage, int exportable, struct ks_claim *claim,
    struct made *m)
{
	struct ks_meta meta;
	ks_status st;

	memset(&meta, 0, sizeof(meta));
	meta.version = 1;
	meta.usage = usage;
	meta.created = time(NULL);
	meta.idlen = KS_ID_LEN;
	if (RAND_bytes(meta.id, KS_ID_LEN) != 1)
		return kx_fail(ctx, KS_EFAIL, "no random bytes for a key ID");
	if ((st = kx_meta_create(ctx, label, &meta, &m->meta)) != KS_OK)
		return st;
	m->has_meta = 1;
	memcpy(claim->ids[claim->nids++], meta.id, KS_ID_LEN);
	if ((st = kx_claim_check(ctx, label, claim, meta.id, 0)) != KS_OK)
		return st;
	if ((st = make_private(ctx, wk, label, pk, &meta, exportable,
	    m)) != KS_OK)
		return st;
	if ((st = make_public(ctx, label, pk, &meta, m)) != KS_OK)
		return st;
	return kx_claim_check(ctx, label, claim, meta.id, 1);
}

ks_status
ks_import(ks_ctx *ctx, const char *label, const char *pem, size_t len,
    ks_kind kind, int flags, ks_secret_fn passfn, void *passarg)
{
	struct ks_pem in;
	struct ks_wrapkey wk;
	struct made made[2];
	struct ks_claim claim;
	ks_usage usage[2];
	ks_key **old = NULL;
	size_t nold = 0, i;
	ks_status st;

	memset(&in, 0, sizeof(in));
	memset(&wk, 0, sizeof(wk));
	memset(made, 0, sizeof(made));
	memset(&claim, 0, sizeof(claim));
	if ((unsigned)kind > KS_KIND_ENCRYPTION)
		return kx_fail(ctx, KS_EUSAGE, "unknown key kind");
	/* 1. everything checked; nothing changed yet */
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = ks_label_check(ctx, label)) != KS_OK ||
	    (st = kx_need_data_objects(ctx, "an imported key")) != KS_OK ||
	    (st = check_name(ctx, label, flags, &old, &nold)) != KS_OK ||
	    (st = kx_pem_read(ctx, pem, len, ctx->key_types, passfn, passarg,
	    KS_PBE_ITER_MAX, &in)) != KS_OK ||
	    (st = check_ed25519(ctx, &in, kind)) != KS_OK ||
	    (st = assign_usages(ctx, &in, kind, usage)) != KS_OK ||
	    (st = check_keys(ctx, &in)) != KS_OK ||
	    (st = kx_remove_leftovers(ctx, old, nold)) != KS_OK)
		goto out;
	/* 2., 3. */
	if ((st = kx_wrapkey_make(ctx, &wk)) != KS_OK)
		goto out;
	claim.old = old;
	claim.nold = nold;
	for (i = 0; i < in.npriv && i < 2 && st == KS_OK; i++)
		st = make_pair(ctx, &wk, label, in.priv[i].pkey, usage[i],
		    flags & KS_IMPORT_EXPORTABLE, &claim, &made[i]);
	/* 4. */
	kx_wrapkey_destroy(ctx, &wk);
	if (st != KS_OK) {
		undo(ctx, &made[1]);
		undo(ctx, &made[0]);
		goto out;
	}
	/* 5. the old pairs */
	for (i = 0; i < nold && st == KS_OK; i++)
		if (kx_pair_listed(old[i]) && kx_pair_ours(old[i]))
			st = kx_remove_pair(ctx, old[i]);
 out:
	kx_wrapkey_destroy(ctx, &wk);
	kx_pem_clear(&in);
	ks_keys_free(old, nold);
	return st;
}
