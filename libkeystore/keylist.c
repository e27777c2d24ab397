/*
 * keylist.c -- find the key pairs on a token and describe them.
 *
 * One search (every object, or those of one label), one
 * C_GetAttributeValue per object with buffers sized for the largest value
 * we accept (and one more for the value of our data objects), and a merge
 * by (label, CKA_ID); keys of types we do not handle are skipped.  No
 * per-object size queries unless a value does not fit.  A key
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
#define APP_BUF		32	/* ours are shorter; longer is not ours */
#define OBJ_NATTRS	13

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

/*
 * What one C_GetAttributeValue reads of every object the search found:
 * its class, and what a public key, a private key or one of our data
 * objects gives a pair.  Never CKA_VALUE here: on a private or secret key
 * that is the key itself (a non-sensitive EC key would hand it over);
 * data objects of ours have theirs read on its own (read_value).
 */
struct obj {
	CK_OBJECT_CLASS	 cls;
	char		 lab[LABEL_BUF];
	unsigned char	 id[KS_ID_MAX];
	CK_KEY_TYPE	 kt;
	char		 app[APP_BUF];
	CK_BBOOL	 sign, decrypt, extractable, derive;
	unsigned char	 params[EC_PARAMS_BUF];
	unsigned char	 mod[MOD_BUF], exp[EXP_BUF], point[EC_POINT_BUF];
	CK_ATTRIBUTE	 a[OBJ_NATTRS];
};

enum {
	A_CLASS, A_LABEL, A_ID, A_KEY_TYPE, A_APP, A_SIGN, A_DECRYPT,
	A_EXTRACTABLE, A_DERIVE, A_EC_PARAMS, A_MODULUS, A_EXPONENT,
	A_EC_POINT
};

static CK_RV
read_obj(ks_ctx *ctx, CK_OBJECT_HANDLE h, struct obj *o, int with_spki)
{
	CK_ATTRIBUTE a[OBJ_NATTRS] = {
		{ CKA_CLASS, &o->cls, sizeof(o->cls) },
		{ CKA_LABEL, o->lab, sizeof(o->lab) },
		{ CKA_ID, o->id, sizeof(o->id) },
		{ CKA_KEY_TYPE, &o->kt, sizeof(o->kt) },
		{ CKA_APPLICATION, o->app, sizeof(o->app) },
		{ CKA_SIGN, &o->sign, sizeof(o->sign) },
		{ CKA_DECRYPT, &o->decrypt, sizeof(o->decrypt) },
		{ CKA_EXTRACTABLE, &o->extractable, sizeof(o->extractable) },
		{ CKA_DERIVE, &o->derive, sizeof(o->derive) },
		{ CKA_EC_PARAMS, o->params, sizeof(o->params) },
		{ CKA_MODULUS, o->mod, sizeof(o->mod) },
		{ CKA_PUBLIC_EXPONENT, o->exp, sizeof(o->exp) },
		{ CKA_EC_POINT, o->point, sizeof(o->point) },
	};

	memcpy(o->a, a, sizeof(a));
	return p11_get_fixed(&ctx->sess, h, o->a, with_spki ? OBJ_NATTRS :
	    A_MODULUS);
}

/* Is the data object's CKA_APPLICATION app? */
static int
is_app(const struct obj *o, const char *app)
{
	size_t len = strlen(app);

	return have(&o->a[A_APP]) && o->a[A_APP].ulValueLen == len &&
	    memcmp(o->app, app, len) == 0;
}

/* CKA_VALUE of one of our data objects into buf; 0, or -1 to skip it. */
static CK_RV
read_value(ks_ctx *ctx, CK_OBJECT_HANDLE h, void *buf, size_t size,
    size_t *len)
{
	CK_ATTRIBUTE a = { CKA_VALUE, buf, size };
	CK_RV rv;

	*len = 0;
	if ((rv = p11_get_fixed(&ctx->sess, h, &a, 1)) != CKR_OK)
		return rv;
	if (have(&a))
		*len = a.ulValueLen;
	return CKR_OK;
}

static ks_status
add_public(ks_ctx *ctx, struct pairs *ps, CK_OBJECT_HANDLE h, struct obj *o,
    int with_spki)
{
	CK_ATTRIBUTE *a = o->a;
	ks_key *k;

	if (!have(&a[A_LABEL]) || !have(&a[A_ID]) ||
	    type_of(&a[A_KEY_TYPE]) == 0)
		return KS_OK;	/* not named the way we name pairs */
	k = pairs_get(ps, o->lab, a[A_LABEL].ulValueLen, o->id,
	    a[A_ID].ulValueLen);
	if (k == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	/* a public object names the pair's type and key before its
	 * private one does, whichever the token lists first */
	if (!k->has_pub)
		k->type = 0;
	set_type(k, &a[A_KEY_TYPE]);
	k->pub = h;
	k->has_pub = 1;
	if (type_of(&a[A_KEY_TYPE]) == KS_KEY_EC) {
		if (have(&a[A_EC_PARAMS]))
			k->curve = KS_CURVE_NONE;	/* the public one's */
		if (with_spki)
			return set_public_ec(ctx, k, &a[A_EC_PARAMS],
			    &a[A_EC_POINT]);
		set_curve(k, &a[A_EC_PARAMS]);
		return KS_OK;
	}
	if (with_spki)
		return set_public(ctx, k, &a[A_MODULUS], &a[A_EXPONENT]);
	return KS_OK;
}

static ks_status
add_private(ks_ctx *ctx, struct pairs *ps, CK_OBJECT_HANDLE h,
    struct obj *o)
{
	CK_ATTRIBUTE *a = o->a;
	int crypt, type = type_of(&a[A_KEY_TYPE]);
	ks_key *k;

	if (!have(&a[A_LABEL]) || !have(&a[A_ID]) || type == 0)
		return KS_OK;
	k = pairs_get(ps, o->lab, a[A_LABEL].ulValueLen, o->id,
	    a[A_ID].ulValueLen);
	if (k == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	set_type(k, &a[A_KEY_TYPE]);
	if (type == KS_KEY_EC)
		set_curve(k, &a[A_EC_PARAMS]);
	k->priv = h;
	k->has_priv = 1;
	k->exportable = is_true(&a[A_EXTRACTABLE]);
	if (k->has_meta)
		return KS_OK;	/* the record says the usage */
	/* an EC key "encrypts" by key agreement */
	crypt = is_true(&a[A_DECRYPT]) ||
	    (type == KS_KEY_EC && is_true(&a[A_DERIVE]));
	if (is_true(&a[A_SIGN]) && !crypt)
		k->usage = KS_USAGE_SIGNATURE;
	else if (!is_true(&a[A_SIGN]) && crypt)
		k->usage = KS_USAGE_ENCRYPTION;
	else
		k->usage = KS_USAGE_GENERAL;
	return KS_OK;
}

static ks_status
add_meta(ks_ctx *ctx, struct pairs *ps, CK_OBJECT_HANDLE h, struct obj *o)
{
	char val[KS_META_MAX];
	struct ks_meta m;
	size_t len;
	ks_key *k;
	CK_RV rv;

	if ((rv = read_value(ctx, h, val, sizeof(val), &len)) ==
	    CKR_OBJECT_HANDLE_INVALID)
		return KS_OK;	/* deleted meanwhile */
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read a cryptokey record");
	if (!have(&o->a[A_LABEL]) || len == 0 ||
	    kx_meta_parse(val, len, &m) != 0)
		return KS_OK;	/* not a record we can read: leave it */
	k = pairs_get(ps, o->lab, o->a[A_LABEL].ulValueLen, m.id, m.idlen);
	if (k == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	k->meta = h;
	k->has_meta = 1;
	k->managed = 1;
	k->usage = m.usage;
	k->created = m.created;
	return KS_OK;
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
add_enc(ks_ctx *ctx, struct pairs *ps, CK_OBJECT_HANDLE h, struct obj *o,
    unsigned char **val)
{
	struct ks_enc e;
	size_t len;
	ks_key *k;
	CK_RV rv;

	if (*val == NULL && (*val = malloc(KS_ENC_MAX)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	if ((rv = read_value(ctx, h, *val, KS_ENC_MAX, &len)) ==
	    CKR_OBJECT_HANDLE_INVALID)
		return KS_OK;
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read an encrypted copy");
	if (!have(&o->a[A_LABEL]) || len == 0 ||
	    kx_enc_parse(*val, len, &e) != 0)
		return KS_OK;	/* not a copy we can read: leave it */
	k = pairs_get(ps, o->lab, o->a[A_LABEL].ulValueLen, e.id, e.idlen);
	if (k == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	k->enc = h;
	k->has_enc = 1;
	k->enc_exportable = enc_extractable(&e);
	return KS_OK;
}

/*
 * One search (every object, or those of one label) and one
 * C_GetAttributeValue per object, where four searches by class were: on
 * SoftHSM2 a search visits every object of the token, whatever the
 * template, so four of them cost four times one.  Our data objects need
 * a second call for their value.  The pairs do not depend on the order
 * the token lists objects in: a public key's type, curve and public key
 * come before a private key's (add_public), a record's usage before the
 * key's flags (add_private), and what only a private key can give is
 * settled once all are read (kx_find_pairs_typed).
 */
static ks_status
load_all(ks_ctx *ctx, struct pairs *ps, const char *label, int with_spki)
{
	CK_ATTRIBUTE t = { CKA_LABEL, (void *)label,
	    label != NULL ? strlen(label) : 0 };
	CK_OBJECT_HANDLE *h = NULL;
	unsigned char *encbuf = NULL;
	struct obj *o;
	size_t n = 0, i;
	ks_status st = KS_OK;
	CK_RV rv;

	if ((o = malloc(sizeof(*o))) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	rv = p11_find(&ctx->sess, &t, label != NULL ? 1 : 0, &h, &n);
	if (rv != CKR_OK) {
		free(o);
		return kx_fail_rv(ctx, rv, "cannot search token '%s'",
		    ctx->token.label);
	}
	for (i = 0; i < n && st == KS_OK; i++) {
		rv = read_obj(ctx, h[i], o, with_spki);
		if (rv == CKR_OBJECT_HANDLE_INVALID)
			continue;	/* deleted meanwhile */
		if (rv != CKR_OK) {
			st = kx_fail_rv(ctx, rv, "cannot read an object on "
			    "token '%s'", ctx->token.label);
			break;
		}
		if (!have(&o->a[A_CLASS]) ||
		    o->a[A_CLASS].ulValueLen != sizeof(o->cls))
			continue;
		if (o->cls == CKO_PUBLIC_KEY)
			st = add_public(ctx, ps, h[i], o, with_spki);
		else if (o->cls == CKO_PRIVATE_KEY)
			st = add_private(ctx, ps, h[i], o);
		else if (o->cls == CKO_DATA && is_app(o, KS_APP_META))
			st = add_meta(ctx, ps, h[i], o);
		else if (o->cls == CKO_DATA && is_app(o, KS_APP_ENC))
			st = add_enc(ctx, ps, h[i], o, &encbuf);
	}
	free(encbuf);	/* wrapped keys only */
	free(o);
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
	if ((st = load_all(ctx, &ps, label, with_spki)) != KS_OK) {
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
		if (k->locked)	/* as unlock will make it */
			k->exportable = k->enc_exportable;
		ps.v[kept++] = k;
	}
	ps.n = kept;
	/* no public object: the private one's n and e (RSA) */
	for (i = 0; i < ps.n && with_spki; i++)
		if (ps.v[i]->spki == NULL && ps.v[i]->has_priv &&
		    (st = private_public(ctx, ps.v[i])) != KS_OK) {
			ks_keys_free(ps.v, ps.n);
			return st;
		}
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
