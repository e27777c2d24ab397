/*
 * keylist.c -- find the key pairs on a token and describe them.
 *
 * Four searches by template (private keys, public keys, our records, our
 * encrypted copies; keys of types we do not handle are skipped), one
 * C_GetAttributeValue per object with buffers sized for the largest value
 * we accept, and a merge by (label, CKA_ID).  No per-object size queries unless a value does not fit.  A key
 * with an encrypted copy is "encrypted"; without its private key object as
 * well, "locked" (it is listed by its public key).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks_protect.h"

#define LABEL_BUF	256
#define MOD_BUF		(KS_MODULUS_MAX / 8)
#define EXP_BUF		16
#define EC_PARAMS_BUF	KS_EC_PARAMS_MAX
#define EC_POINT_BUF	KS_EC_POINT_MAX

struct pairs {
	ks_key	**v;
	size_t	  n;
};

static ks_key *
pairs_find(struct pairs *ps, const char *label, size_t llen,
    const unsigned char *id, size_t idlen)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		ks_key *k = ps->v[i];

		if (k->idlen == idlen && memcmp(k->id, id, idlen) == 0 &&
		    strlen(k->label) == llen && memcmp(k->label, label, llen) == 0)
			return k;
	}
	return NULL;
}

static ks_key *
pairs_add(struct pairs *ps, const char *label, size_t llen,
    const unsigned char *id, size_t idlen)
{
	ks_key **grown, *k;

	if (idlen > KS_ID_MAX)
		return NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	/* not strndup: label is a counted buffer, not a C string */
	if ((k->label = malloc(llen + 1)) == NULL) {
		free(k);
		return NULL;
	}
	memcpy(k->label, label, llen);
	k->label[llen] = '\0';
	memcpy(k->id, id, idlen);
	k->idlen = idlen;
	grown = reallocarray(ps->v, ps->n + 1, sizeof(*grown));
	if (grown == NULL) {
		free(k->label);
		free(k);
		return NULL;
	}
	ps->v = grown;
	ps->v[ps->n++] = k;
	return k;
}

static ks_key *
pairs_get(struct pairs *ps, const char *label, size_t llen,
    const unsigned char *id, size_t idlen)
{
	ks_key *k = pairs_find(ps, label, llen, id, idlen);

	return k != NULL ? k : pairs_add(ps, label, llen, id, idlen);
}

void
kx_key_free(ks_key *k)
{
	if (k == NULL)
		return;
	free(k->label);
	free(k->spki);
	free(k->uri);
	free(k);
}

void
ks_keys_free(ks_key **keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		kx_key_free(keys[i]);
	free(keys);
}

/* Template for one class (data objects: of application app), optionally
 * narrowed to a label.  Keys of every type: the caller reads CKA_KEY_TYPE. */
static CK_RV
find_class(ks_ctx *ctx, CK_OBJECT_CLASS cls, const char *app,
    const char *label, CK_OBJECT_HANDLE **h, size_t *n)
{
	CK_ATTRIBUTE t[3];
	CK_ULONG nt = 0;

	t[nt].type = CKA_CLASS;
	t[nt].pValue = &cls;
	t[nt++].ulValueLen = sizeof(cls);
	if (cls == CKO_DATA) {
		t[nt].type = CKA_APPLICATION;
		t[nt].pValue = (void *)app;
		t[nt++].ulValueLen = strlen(app);
	}
	if (label != NULL) {
		t[nt].type = CKA_LABEL;
		t[nt].pValue = (void *)label;
		t[nt++].ulValueLen = strlen(label);
	}
	return p11_find(&ctx->sess, t, nt, h, n);
}

int
kx_keytype_of(CK_KEY_TYPE t)
{
	switch (t) {
	case CKK_RSA:
		return KS_KEY_RSA;
	case CKK_EC:
	case CKK_EC_EDWARDS:
		return KS_KEY_EC;
	default:
		return 0;
	}
}

static int
have(const CK_ATTRIBUTE *a)
{
	return a->ulValueLen != CK_UNAVAILABLE_INFORMATION;
}

static int
is_true(const CK_ATTRIBUTE *a)
{
	return have(a) && a->ulValueLen == sizeof(CK_BBOOL) &&
	    *(CK_BBOOL *)a->pValue == CK_TRUE;
}

static ks_status
set_public(ks_ctx *ctx, ks_key *k, CK_ATTRIBUTE *mod, CK_ATTRIBUTE *exp)
{
	ks_status st;

	if (k->spki != NULL || !have(mod) || !have(exp))
		return KS_OK;
	st = kx_spki_from_rsa(mod->pValue, mod->ulValueLen, exp->pValue,
	    exp->ulValueLen, &k->spki, &k->spkilen, &k->bits);
	if (st == KS_EINPUT)
		return KS_OK;	/* a foreign odd key: list it without data */
	if (st != KS_OK)
		return kx_fail(ctx, st, "cannot encode the public key of '%s'",
		    k->label);
	return KS_OK;
}

/* The curve from CKA_EC_PARAMS (private or public object). */
static void
set_curve(ks_key *k, CK_ATTRIBUTE *params)
{
	const struct ks_curvedef *d;

	if (k->curve != KS_CURVE_NONE || !have(params))
		return;
	d = kx_curvedef_of_params(params->pValue, params->ulValueLen);
	if (d != NULL) {
		k->curve = d->curve;
		k->bits = d->bits;
	}
}

static ks_status
set_public_ec(ks_ctx *ctx, ks_key *k, CK_ATTRIBUTE *params,
    CK_ATTRIBUTE *point)
{
	ks_status st;

	set_curve(k, params);
	if (k->spki != NULL || !have(params) || !have(point))
		return KS_OK;
	st = kx_spki_from_ec(params->pValue, params->ulValueLen,
	    point->pValue, point->ulValueLen, &k->spki, &k->spkilen,
	    &k->curve);
	if (st == KS_EINPUT)
		return KS_OK;	/* a curve we do not know: no data */
	if (st != KS_OK)
		return kx_fail(ctx, st, "cannot encode the public key of '%s'",
		    k->label);
	return KS_OK;
}

/* Type of a key object: KS_KEY_*, or 0 for types we skip. */
static int
type_of(CK_ATTRIBUTE *kt)
{
	if (!have(kt) || kt->ulValueLen != sizeof(CK_KEY_TYPE))
		return 0;
	return kx_keytype_of(*(CK_KEY_TYPE *)kt->pValue);
}

/* The pair's type, from the first of its objects that names one. */
static void
set_type(ks_key *k, CK_ATTRIBUTE *kt)
{
	if (k->type == 0)
		k->type = type_of(kt);
}

static ks_status
load_public(ks_ctx *ctx, struct pairs *ps, const char *label, int with_spki)
{
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	char lab[LABEL_BUF];
	unsigned char id[KS_ID_MAX], mod[MOD_BUF], exp[EXP_BUF];
	unsigned char params[EC_PARAMS_BUF], point[EC_POINT_BUF];
	CK_KEY_TYPE kt;
	ks_status st = KS_OK;
	CK_RV rv;

	if ((rv = find_class(ctx, CKO_PUBLIC_KEY, NULL, label, &h, &n)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot search token '%s'",
		    ctx->token.label);
	for (i = 0; i < n && st == KS_OK; i++) {
		CK_ATTRIBUTE a[] = {
			{ CKA_LABEL, lab, sizeof(lab) },
			{ CKA_ID, id, sizeof(id) },
			{ CKA_KEY_TYPE, &kt, sizeof(kt) },
			{ CKA_EC_PARAMS, params, sizeof(params) },
			{ CKA_MODULUS, mod, sizeof(mod) },
			{ CKA_PUBLIC_EXPONENT, exp, sizeof(exp) },
			{ CKA_EC_POINT, point, sizeof(point) },
		};
		ks_key *k;

		rv = p11_get_fixed(&ctx->sess, h[i], a, with_spki ? 7 : 4);
		if (rv == CKR_OBJECT_HANDLE_INVALID)
			continue;	/* deleted meanwhile */
		if (rv != CKR_OK) {
			st = kx_fail_rv(ctx, rv, "cannot read a public key");
			break;
		}
		if (!have(&a[0]) || !have(&a[1]) || type_of(&a[2]) == 0)
			continue;	/* not named the way we name pairs */
		k = pairs_get(ps, lab, a[0].ulValueLen, id, a[1].ulValueLen);
		if (k == NULL) {
			st = kx_fail(ctx, KS_EFAIL, "out of memory");
			break;
		}
		set_type(k, &a[2]);
		k->pub = h[i];
		k->has_pub = 1;
		if (type_of(&a[2]) == KS_KEY_EC && with_spki)
			st = set_public_ec(ctx, k, &a[3], &a[6]);
		else if (type_of(&a[2]) == KS_KEY_EC)
			set_curve(k, &a[3]);
		else if (with_spki)
			st = set_public(ctx, k, &a[4], &a[5]);
	}
	free(h);
	return st;
}

/* No public object: the RSA private one has n and e; an EC one only the
 * curve. */
static ks_status
private_public(ks_ctx *ctx, ks_key *k)
{
	unsigned char mod[MOD_BUF], exp[EXP_BUF];
	CK_ATTRIBUTE b[] = {
		{ CKA_MODULUS, mod, sizeof(mod) },
		{ CKA_PUBLIC_EXPONENT, exp, sizeof(exp) },
	};
	CK_RV rv;

	if (k->type != KS_KEY_RSA)
		return KS_OK;
	rv = p11_get_fixed(&ctx->sess, k->priv, b, 2);
	if (rv == CKR_OK)
		return set_public(ctx, k, &b[0], &b[1]);
	if (rv != CKR_OBJECT_HANDLE_INVALID)
		return kx_fail_rv(ctx, rv, "cannot read the private key of "
		    "'%s'", k->label);
	return KS_OK;
}

static ks_status
load_private(ks_ctx *ctx, struct pairs *ps, const char *label, int with_spki)
{
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	char lab[LABEL_BUF];
	unsigned char id[KS_ID_MAX], params[EC_PARAMS_BUF];
	CK_BBOOL sign, decrypt, extractable, derive;
	CK_KEY_TYPE kt;
	ks_status st = KS_OK;
	CK_RV rv;

	if ((rv = find_class(ctx, CKO_PRIVATE_KEY, NULL, label, &h, &n)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot search token '%s'",
		    ctx->token.label);
	for (i = 0; i < n && st == KS_OK; i++) {
		CK_ATTRIBUTE a[] = {
			{ CKA_LABEL, lab, sizeof(lab) },
			{ CKA_ID, id, sizeof(id) },
			{ CKA_SIGN, &sign, sizeof(sign) },
			{ CKA_DECRYPT, &decrypt, sizeof(decrypt) },
			{ CKA_EXTRACTABLE, &extractable, sizeof(extractable) },
			{ CKA_KEY_TYPE, &kt, sizeof(kt) },
			{ CKA_DERIVE, &derive, sizeof(derive) },
			{ CKA_EC_PARAMS, params, sizeof(params) },
		};
		int crypt;
		ks_key *k;

		rv = p11_get_fixed(&ctx->sess, h[i], a, 8);
		if (rv == CKR_OBJECT_HANDLE_INVALID)
			continue;
		if (rv != CKR_OK) {
			st = kx_fail_rv(ctx, rv, "cannot read a private key");
			break;
		}
		if (!have(&a[0]) || !have(&a[1]) || type_of(&a[5]) == 0)
			continue;
		k = pairs_get(ps, lab, a[0].ulValueLen, id, a[1].ulValueLen);
		if (k == NULL) {
			st = kx_fail(ctx, KS_EFAIL, "out of memory");
			break;
		}
		set_type(k, &a[5]);
		if (type_of(&a[5]) == KS_KEY_EC)
			set_curve(k, &a[7]);
		k->priv = h[i];
		k->has_priv = 1;
		k->exportable = is_true(&a[4]);
		/* an EC key "encrypts" by key agreement */
		crypt = is_true(&a[3]) ||
		    (type_of(&a[5]) == KS_KEY_EC && is_true(&a[6]));
		if (is_true(&a[2]) && !crypt)
			k->usage = KS_USAGE_SIGNATURE;
		else if (!is_true(&a[2]) && crypt)
			k->usage = KS_USAGE_ENCRYPTION;
		else
			k->usage = KS_USAGE_GENERAL;
		if (with_spki && k->spki == NULL)
			st = private_public(ctx, k);
	}
	free(h);
	return st;
}

static ks_status
load_meta(ks_ctx *ctx, struct pairs *ps, const char *label)
{
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	char lab[LABEL_BUF], val[KS_META_MAX];
	struct ks_meta m;
	ks_status st = KS_OK;
	CK_RV rv;

	if ((rv = find_class(ctx, CKO_DATA, KS_APP_META, label, &h, &n)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot search token '%s'",
		    ctx->token.label);
	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE a[] = {
			{ CKA_LABEL, lab, sizeof(lab) },
			{ CKA_VALUE, val, sizeof(val) },
		};
		ks_key *k;

		rv = p11_get_fixed(&ctx->sess, h[i], a, 2);
		if (rv == CKR_OBJECT_HANDLE_INVALID)
			continue;
		if (rv != CKR_OK) {
			st = kx_fail_rv(ctx, rv, "cannot read a cryptokey "
			    "record");
			break;
		}
		if (!have(&a[0]) || !have(&a[1]) ||
		    kx_meta_parse(val, a[1].ulValueLen, &m) != 0)
			continue;	/* not a record we can read: leave it */
		k = pairs_get(ps, lab, a[0].ulValueLen, m.id, m.idlen);
		if (k == NULL) {
			st = kx_fail(ctx, KS_EFAIL, "out of memory");
			break;
		}
		k->meta = h[i];
		k->has_meta = 1;
		k->managed = 1;
		k->usage = m.usage;
		k->created = m.created;
	}
	free(h);
	return st;
}

static int
enc_extractable(const struct ks_enc *e)
{
	size_t i;

	for (i = 0; i < e->nattrs; i++)
		if (e->attrs[i].type == CKA_EXTRACTABLE)
			return e->attrs[i].value == CK_TRUE;
	return 0;
}

static ks_status
load_enc(ks_ctx *ctx, struct pairs *ps, const char *label)
{
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	char lab[LABEL_BUF];
	unsigned char *val;
	struct ks_enc e;
	ks_status st = KS_OK;
	CK_RV rv;

	rv = find_class(ctx, CKO_DATA, KS_APP_ENC, label, &h, &n);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot search token '%s'",
		    ctx->token.label);
	if (n > 0 && (val = malloc(KS_ENC_MAX)) == NULL) {
		free(h);
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE a[] = {
			{ CKA_LABEL, lab, sizeof(lab) },
			{ CKA_VALUE, val, KS_ENC_MAX },
		};
		ks_key *k;

		rv = p11_get_fixed(&ctx->sess, h[i], a, 2);
		if (rv == CKR_OBJECT_HANDLE_INVALID)
			continue;
		if (rv != CKR_OK) {
			st = kx_fail_rv(ctx, rv, "cannot read an encrypted "
			    "copy");
			break;
		}
		if (!have(&a[0]) || !have(&a[1]) ||
		    kx_enc_parse(val, a[1].ulValueLen, &e) != 0)
			continue;	/* not a copy we can read: leave it */
		k = pairs_get(ps, lab, a[0].ulValueLen, e.id, e.idlen);
		if (k == NULL) {
			st = kx_fail(ctx, KS_EFAIL, "out of memory");
			break;
		}
		k->enc = h[i];
		k->has_enc = 1;
		if (!k->has_priv)	/* locked: as unlock will make it */
			k->exportable = enc_extractable(&e);
	}
	if (n > 0)
		free(val);	/* wrapped keys only */
	free(h);
	return st;
}

static int
key_cmp(const void *a, const void *b)
{
	const ks_key *x = *(ks_key *const *)a, *y = *(ks_key *const *)b;
	int c = strcmp(x->label, y->label);

	if (c != 0)
		return c;
	if (x->usage != y->usage)
		return x->usage < y->usage ? -1 : 1;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return 0;
}

ks_status
kx_find_pairs_typed(ks_ctx *ctx, const char *label, ks_key ***keys,
    size_t *n, int with_spki, int types)
{
	struct pairs ps = { NULL, 0 };
	size_t i, kept = 0;
	ks_status st;

	*keys = NULL;
	*n = 0;
	if ((st = kx_need_session(ctx)) != KS_OK)
		return st;
	if ((st = load_public(ctx, &ps, label, with_spki)) != KS_OK ||
	    (st = load_private(ctx, &ps, label, with_spki)) != KS_OK ||
	    (st = load_meta(ctx, &ps, label)) != KS_OK ||
	    (st = load_enc(ctx, &ps, label)) != KS_OK) {
		ks_keys_free(ps.v, ps.n);
		return st;
	}
	for (i = 0; i < ps.n; i++) {
		ks_key *k = ps.v[i];

		if (k->type != 0 && (k->type & types) == 0) {
			kx_key_free(k);
			continue;
		}
		k->encrypted = k->has_enc;
		k->locked = k->has_enc && !k->has_priv;
		ps.v[kept++] = k;
	}
	ps.n = kept;
	if (ps.n > 1)
		qsort(ps.v, ps.n, sizeof(*ps.v), key_cmp);
	if (ps.n == 0) {
		free(ps.v);
		ps.v = NULL;
	}
	*keys = ps.v;
	*n = ps.n;
	return KS_OK;
}

ks_status
kx_find_pairs(ks_ctx *ctx, const char *label, ks_key ***keys, size_t *n,
    int with_spki)
{
	return kx_find_pairs_typed(ctx, label, keys, n, with_spki,
	    ctx->key_types);
}

int
kx_pair_listed(const ks_key *k)
{
	/* an EC private object has no public point: without its public
	 * object the pair could not be shown or checked (ks_internal.h) */
	if (k->type == KS_KEY_EC)
		return k->has_pub &&
		    (k->has_priv || k->has_meta || k->has_enc);
	return k->has_priv || (k->has_pub && (k->has_meta || k->has_enc));
}

int
kx_pair_ours(const ks_key *k)
{
	return k->has_priv || k->has_meta || k->has_enc;
}

ks_status
ks_list(ks_ctx *ctx, const char *label, ks_key ***keys, size_t *n)
{
	ks_key **all;
	size_t nall, i, kept = 0;
	ks_status st;

	if ((st = kx_find_pairs(ctx, label, &all, &nall, 1)) != KS_OK)
		return st;
	for (i = 0; i < nall; i++) {
		if (!kx_pair_listed(all[i])) {
			kx_key_free(all[i]);
			continue;
		}
		all[i]->uri = p11_token_uri(&ctx->token, all[i]->label,
		    all[i]->id, all[i]->idlen);
		all[kept++] = all[i];
	}
	if (kept == 0) {
		free(all);
		all = NULL;
	}
	*keys = all;
	*n = kept;
	return KS_OK;
}

/*
 * Public key first, then the private key, then the encrypted copy, then the
 * record.  Cut short after the first step, an RSA pair is still listed and
 * usable (the private object carries n and e), an EC pair is no longer
 * listed (its private object has no public point) and a rerun removes it;
 * after the second, only the copy and the record are left, which nothing
 * lists and a rerun removes.  No step leaves a listed pair that cannot sign
 * or be unlocked.
 */
ks_status
kx_remove_pair(ks_ctx *ctx, const ks_key *k)
{
	CK_RV rv;

	if (k->has_pub && (rv = p11_destroy(&ctx->sess, k->pub)) != CKR_OK &&
	    rv != CKR_OBJECT_HANDLE_INVALID)
		return kx_fail_rv(ctx, rv, "cannot remove the public key of "
		    "'%s'", k->label);
	if (k->has_priv && (rv = p11_destroy(&ctx->sess, k->priv)) != CKR_OK &&
	    rv != CKR_OBJECT_HANDLE_INVALID)
		return kx_fail_rv(ctx, rv, "cannot remove the private key of "
		    "'%s'", k->label);
	if (k->has_enc && (rv = p11_destroy(&ctx->sess, k->enc)) != CKR_OK &&
	    rv != CKR_OBJECT_HANDLE_INVALID)
		return kx_fail_rv(ctx, rv, "cannot remove the encrypted copy "
		    "of '%s'", k->label);
	if (k->has_meta && (rv = p11_destroy(&ctx->sess, k->meta)) != CKR_OK &&
	    rv != CKR_OBJECT_HANDLE_INVALID)
		return kx_fail_rv(ctx, rv, "cannot remove the record of '%s'",
		    k->label);
	return KS_OK;
}

/* Accessors ---------------------------------------------------------------- */

const char *
ks_key_label(const ks_key *k)
{
	return k->label;
}

ks_usage
ks_key_usage(const ks_key *k)
{
	return k->usage;
}

unsigned
ks_key_bits(const ks_key *k)
{
	return k->bits;
}

ks_keytype
ks_key_type(const ks_key *k)
{
	return k->type == KS_KEY_EC ? KS_KEY_EC : KS_KEY_RSA;
}

ks_curve
ks_key_curve(const ks_key *k)
{
	return k->curve;
}

const unsigned char *
ks_key_id(const ks_key *k, size_t *len)
{
	*len = k->idlen;
	return k->id;
}

int
ks_key_exportable(const ks_key *k)
{
	return k->exportable;
}

int
ks_key_encrypted(const ks_key *k)
{
	return k->encrypted;
}

int
ks_key_locked(const ks_key *k)
{
	return k->locked;
}

time_t
ks_key_created(const ks_key *k)
{
	return k->created;
}

const unsigned char *
ks_key_spki(const ks_key *k, size_t *len)
{
	*len = k->spkilen;
	return k->spki;
}

const char *
ks_key_uri(const ks_key *k)
{
	return k->uri;
}

int
ks_key_managed(const ks_key *k)
{
	return k->managed;
}
