/*
 * peerkey.c -- peers' RSA and EC public keys in keyrings (IOS "rsa-pubkey"
 * in a keyring, "addressed-key"/"named-key" in the pubkey chain).
 *
 * Each key is one CKO_PUBLIC_KEY object that standard tools can use:
 *	CKK_RSA (or CKK_EC, CKK_EC_EDWARDS), CKA_TOKEN=TRUE, CKA_PRIVATE=FALSE,
 *	CKA_LABEL "peer/KEYRING/address:192.0.2.1" (or hostname:, name:),
 *	CKA_ID = SHA-1 of the DER SubjectPublicKeyInfo,
 *	CKA_MODULUS, CKA_PUBLIC_EXPONENT (EC: CKA_EC_PARAMS, CKA_EC_POINT),
 *	CKA_VERIFY / CKA_ENCRYPT by usage (general: both), CKA_WRAP=FALSE.
 * A signature key and an encryption key of one peer share the label and
 * are told apart by CKA_VERIFY/CKA_ENCRYPT, as our own usage keys are.
 *
 * Order of state changes: adding is one C_CreateObject after every check
 * (the keyring exists, the input is a key we take, no overlapping entry), so
 * a crash leaves the key there or not.  Removing destroys the peer's
 * objects one by one; a crash part way leaves fewer, and a rerun removes
 * the rest.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "kr_internal.h"

#define MOD_BUF		(KS_MODULUS_MAX / 8)
#define EXP_BUF		16

/* An EC peer key's SubjectPublicKeyInfo from its parameters and point. */
static ks_status
load_ec(ks_ctx *ctx, CK_OBJECT_HANDLE h, const char *lab, ks_peer *p)
{
	unsigned char params[KS_EC_PARAMS_MAX], point[KS_EC_POINT_MAX];
	CK_ATTRIBUTE a[] = {
		{ CKA_EC_PARAMS, params, sizeof(params) },
		{ CKA_EC_POINT, point, sizeof(point) },
	};
	const struct ks_curvedef *d;
	ks_curve curve;
	ks_status st;
	CK_RV rv;

	if ((rv = kr_read_attrs(ctx, h, a, 2)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read the key of '%s'", lab);
	if (!kr_attr_have(&a[0]) || !kr_attr_have(&a[1]))
		return KS_OK;	/* listed without data */
	st = kx_spki_from_ec(params, a[0].ulValueLen, point, a[1].ulValueLen,
	    &p->spki, &p->spkilen, &curve);
	if (st == KS_EINPUT)
		return KS_OK;
	if (st != KS_OK)
		return kx_fail(ctx, st, "cannot encode the key of '%s'", lab);
	if ((d = kx_curvedef(curve)) != NULL) {
		p->bits = d->bits;
		p->curve = curve;
	}
	return KS_OK;
}

static ks_usage
usage_of(const CK_ATTRIBUTE *verify, const CK_ATTRIBUTE *encrypt)
{
	if (kr_attr_true(verify) && !kr_attr_true(encrypt))
		return KS_USAGE_SIGNATURE;
	if (!kr_attr_true(verify) && kr_attr_true(encrypt))
		return KS_USAGE_ENCRYPTION;
	return KS_USAGE_GENERAL;
}

/* One object into an entry (no URI); none when it is not a peer key of
 * ring. */
static ks_status
load_one(ks_ctx *ctx, CK_OBJECT_HANDLE h, const char *ring,
    struct ks_peers *out)
{
	char lab[KR_LABEL_MAX + 1], kr[KS_KEYRING_NAME_MAX + 1];
	char id[KS_PEER_ID_MAX + 1];
	unsigned char keyid[KS_ID_MAX], mod[MOD_BUF], exp[EXP_BUF];
	CK_BBOOL verify = CK_FALSE, encrypt = CK_FALSE;
	CK_KEY_TYPE kt = CKK_VENDOR_DEFINED;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_ATTRIBUTE a[] = {
		{ CKA_LABEL, lab, KR_LABEL_MAX },
		{ CKA_ID, keyid, sizeof(keyid) },
		{ CKA_MODULUS, mod, sizeof(mod) },
		{ CKA_PUBLIC_EXPONENT, exp, sizeof(exp) },
		{ CKA_VERIFY, &verify, sizeof(verify) },
		{ CKA_ENCRYPT, &encrypt, sizeof(encrypt) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_CLASS, &cls, sizeof(cls) },
	};
	ks_peer_by by;
	CK_RV rv;
	ks_peer *p;
	ks_status st;

	/* the class too: a remembered handle is read without a search */
	if ((rv = kr_read_attrs(ctx, h, a, 8)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read an object on token "
		    "'%s'", ctx->token.label);
	if (!kr_attr_have(&a[0]) || !kr_attr_have(&a[6]) ||
	    !kr_attr_have(&a[7]) || cls != CKO_PUBLIC_KEY ||
	    kx_keytype_of(kt) == 0)
		return KS_OK;	/* gone meanwhile, unnamed, or not RSA or EC */
	lab[a[0].ulValueLen] = '\0';
	if (kr_label_split(KR_PREFIX_PEER, lab, a[0].ulValueLen, kr,
	    sizeof(kr), &by, id, sizeof(id)) != 0)
		return KS_OK;	/* not a peer key */
	if (ring != NULL && strcmp(ring, kr) != 0)
		return KS_OK;
	if ((p = kr_peer_new(KS_PEER_PUBKEY, lab, kr, by, id)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	p->h = h;
	p->usage = usage_of(&a[4], &a[5]);
	p->type = kx_keytype_of(kt);
	if (kr_attr_have(&a[1])) {
		memcpy(p->keyid, keyid, a[1].ulValueLen);
		p->keyidlen = a[1].ulValueLen;
	}
	if (kx_keytype_of(kt) == KS_KEY_EC) {
		if ((st = load_ec(ctx, h, lab, p)) != KS_OK) {
			kr_peer_free(p);
			return st;
		}
	} else if (kr_attr_have(&a[2]) && kr_attr_have(&a[3])) {
		st = kx_spki_from_rsa(mod, a[2].ulValueLen, exp,
		    a[3].ulValueLen, &p->spki, &p->spkilen, &p->bits);
		if (st != KS_OK && st != KS_EINPUT) {
			kr_peer_free(p);
			return kx_fail(ctx, st, "cannot encode the key of '%s'",
			    lab);
		}
	}
	if (kr_peers_push(out, p) != 0) {
		kr_peer_free(p);
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	}
	return KS_OK;
}

/* load_one, and the entry's URI for a listing (lookups do without). */
static ks_status
load_listed(ks_ctx *ctx, CK_OBJECT_HANDLE h, const char *ring,
    struct ks_peers *out)
{
	size_t n = out->n;
	ks_peer *p;
	ks_status st;

	if ((st = load_one(ctx, h, ring, out)) != KS_OK || out->n == n)
		return st;
	p = out->v[n];
	p->uri = p11_token_uri(&ctx->token, p->label, p->keyid, p->keyidlen);
	return KS_OK;
}

/* Peer keys with exactly label (NULL: all, of ring or of every ring, with
 * their URIs). */
static ks_status
scan(ks_ctx *ctx, const char *label, const char *ring, struct ks_peers *out)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, label != NULL ? strlen(label) : 0 },
	};

	/* every key type: load_one keeps RSA and EC keys */
	if (label != NULL)
		return kr_peers_scan(ctx, t, 2, load_one, ring, out);
	return kr_peers_scan(ctx, t, 1, load_listed, ring, out);
}

ks_status
kr_pubkeys_scan(ks_ctx *ctx, const char *keyring, struct ks_peers *out)
{
	return scan(ctx, NULL, keyring, out);
}

/* Checked keyring name and normal identity; the entry's label. */
static ks_status
entry_label(ks_ctx *ctx, const char *keyring, ks_peer_by by, const char *id,
    char *norm, size_t normsz, char *label, size_t labelsz)
{
	ks_status st;

	if ((st = ks_keyring_name_check(ctx, keyring)) != KS_OK ||
	    (st = ks_peer_id_normalise(ctx, by, 0, id, norm, normsz)) != KS_OK)
		return st;
	if (kr_label_make(KR_PREFIX_PEER, keyring, by, norm, label,
	    labelsz) != 0)
		return kx_fail(ctx, KS_EINPUT, "peer identity '%s' is too "
		    "long", id);
	return KS_OK;
}

static int
overlaps(ks_usage a, ks_usage b)
{
	return a == b || a == KS_USAGE_GENERAL || b == KS_USAGE_GENERAL;
}

/* The key's own attributes: n and e (allocated), or the EC parameters
 * (static) and point (into point). */
static ks_status
key_attrs(ks_ctx *ctx, const unsigned char *spki, size_t spkilen,
    CK_KEY_TYPE *kt, CK_ATTRIBUTE a[2], unsigned char *point)
{
	const struct ks_curvedef *d = NULL;
	const unsigned char *p = spki;
	size_t nlen = 0, elen = 0, pointlen = 0;
	unsigned char *n = NULL, *e = NULL;
	EVP_PKEY *pk;
	ks_status st;

	if ((pk = d2i_PUBKEY(NULL, &p, (long)spkilen)) == NULL) {
		ERR_clear_error();
		return kx_fail(ctx, KS_EINPUT, "not a public key");
	}
	if (kx_pkey_type(pk) == KS_KEY_EC) {
		st = kx_ec_point_of(pk, &d, point, &pointlen);
		EVP_PKEY_free(pk);
		if (st != KS_OK)
			return kx_fail(ctx, st, "not an EC key cryptokey takes");
		*kt = d->key_type;
		a[0].type = CKA_EC_PARAMS;
		a[0].pValue = (void *)d->params;
		a[0].ulValueLen = (CK_ULONG)d->paramslen;
		a[1].type = CKA_EC_POINT;
		a[1].pValue = point;
		a[1].ulValueLen = (CK_ULONG)pointlen;
		return KS_OK;
	}
	EVP_PKEY_free(pk);
	if ((st = kr_spki_rsa(ctx, spki, spkilen, &n, &nlen, &e, &elen)) !=
	    KS_OK)
		return st;
	*kt = CKK_RSA;
	a[0].type = CKA_MODULUS;
	a[0].pValue = n;
	a[0].ulValueLen = (CK_ULONG)nlen;
	a[1].type = CKA_PUBLIC_EXPONENT;
	a[1].pValue = e;
	a[1].ulValueLen = (CK_ULONG)elen;
	return KS_OK;
}

static ks_status
create(ks_ctx *ctx, const char *label, ks_usage usage,
    const unsigned char *spki, size_t spkilen)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL verify = usage != KS_USAGE_ENCRYPTION ? CK_TRUE : CK_FALSE;
	CK_BBOOL encrypt = usage != KS_USAGE_SIGNATURE ? CK_TRUE : CK_FALSE;
	unsigned char keyid[EVP_MAX_MD_SIZE], point[KS_EC_POINT_MAX];
	unsigned int idlen = 0;
	CK_ATTRIBUTE key[2] = { { 0, NULL, 0 }, { 0, NULL, 0 } };
	CK_OBJECT_HANDLE h;
	ks_status st;
	CK_RV rv;

	if (EVP_Digest(spki, spkilen, keyid, &idlen, EVP_sha1(), NULL) != 1)
		return kx_fail(ctx, KS_EFAIL, "cannot hash the public key");
	if ((st = key_attrs(ctx, spki, spkilen, &kt, key, point)) != KS_OK)
		return st;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, keyid, idlen },
		key[0],
		key[1],
		{ CKA_VERIFY, &verify, sizeof(verify) },
		{ CKA_ENCRYPT, &encrypt, sizeof(encrypt) },
		{ CKA_WRAP, &no, sizeof(no) },
		{ CKA_VERIFY_RECOVER, &no, sizeof(no) },
	};
	rv = p11_create(&ctx->sess, t, sizeof(t) / sizeof(t[0]), &h);
	if (kt == CKK_RSA) {
		free(key[0].pValue);
		free(key[1].pValue);
	}
	/* one object, so a refusal leaves the token as it was */
	if (rv != CKR_OK && kt != CKK_RSA && kx_rv_template_refused(rv))
		return kx_fail(ctx, KS_ETOKEN, "token '%s' refuses an %s public "
		    "key (%s): it keeps only RSA ones (as tpm2-pkcs11 does), "
		    "so this peer's key cannot be in its keyrings; keep the "
		    "keyring on a token that takes EC public keys",
		    ctx->token.label, kt == CKK_EC ? "EC" : "Ed25519",
		    p11_rv_name(rv));
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot store peer key '%s' on "
		    "token '%s'", label, ctx->token.label);
	return KS_OK;
}

ks_status
ks_keyring_add_pubkey(ks_ctx *ctx, const char *keyring, ks_peer_by by,
    const char *id, ks_usage usage, const unsigned char *spki,
    size_t spkilen)
{
	char norm[KS_PEER_ID_MAX + 1], label[KR_LABEL_MAX + 1];
	struct ks_peers have = { NULL, 0 };
	unsigned char *canon = NULL;
	size_t canonlen = 0, i;
	unsigned bits;
	ks_status st;

	if (keyring == NULL)
		keyring = KS_KEYRING_DEFAULT;
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = entry_label(ctx, keyring, by, id, norm, sizeof(norm), label,
	    sizeof(label))) != KS_OK ||
	    (st = kr_keyring_exists(ctx, keyring)) != KS_OK)
		return st;
	if ((st = kr_spki_check(ctx, spki, spkilen, "the public key", &canon,
	    &canonlen, &bits)) != KS_OK)
		return st;
	if ((st = scan(ctx, label, NULL, &have)) != KS_OK)
		goto out;
	for (i = 0; i < have.n; i++) {
		if (overlaps(have.v[i]->usage, usage)) {
			st = kx_fail(ctx, KS_EEXIST, "keyring '%s' already has "
			    "a %s key for %s %s; remove it with del-pubkey "
			    "first", keyring, ks_usage_name(have.v[i]->usage),
			    ks_peer_by_name(by), norm);
			goto out;
		}
	}
	st = create(ctx, label, usage, canon, canonlen);
out:
	kr_peers_clear(&have);
	free(canon);
	return st;
}

ks_status
ks_keyring_del_pubkey(ks_ctx *ctx, const char *keyring, ks_peer_by by,
    const char *id, size_t *removed)
{
	char norm[KS_PEER_ID_MAX + 1], label[KR_LABEL_MAX + 1];
	struct ks_peers have = { NULL, 0 };
	size_t i;
	ks_status st;
	CK_RV rv;

	*removed = 0;
	if (keyring == NULL)
		keyring = KS_KEYRING_DEFAULT;
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = entry_label(ctx, keyring, by, id, norm, sizeof(norm), label,
	    sizeof(label))) != KS_OK)
		return st;
	if ((st = scan(ctx, label, NULL, &have)) != KS_OK)
		return st;
	if (have.n == 0)
		st = kx_fail(ctx, KS_ENOTFOUND, "keyring '%s' has no public "
		    "key for %s %s", keyring, ks_peer_by_name(by), norm);
	for (i = 0; i < have.n && st == KS_OK; i++) {
		rv = p11_destroy(&ctx->sess, have.v[i]->h);
		if (rv != CKR_OK && rv != CKR_OBJECT_HANDLE_INVALID)
			st = kx_fail_rv(ctx, rv, "cannot remove peer key '%s'",
			    label);
		else
			(*removed)++;
	}
	kr_peers_clear(&have);
	return st;
}

/* How well a key of usage have serves want: 0 best, -1 not at all. */
static int
rank(ks_usage want, ks_usage have)
{
	if (have == want)
		return 0;
	if (want == KS_USAGE_GENERAL)
		return have == KS_USAGE_SIGNATURE ? 1 : 2;
	return have == KS_USAGE_GENERAL ? 1 : -1;
}

/* The best key under one match and identity into *best (kept in ps). */
static ks_status
candidates(ks_ctx *ctx, const char *keyring, ks_peer_by by, const char *norm,
    ks_usage usage, struct ks_peers *ps, ks_peer **best, int *bestrank)
{
	char label[KR_LABEL_MAX + 1];
	size_t first = ps->n, i;
	ks_status st;
	int r;

	if (kr_label_make(KR_PREFIX_PEER, keyring, by, norm, label,
	    sizeof(label)) != 0)
		return KS_OK;
	if ((st = scan(ctx, label, NULL, ps)) != KS_OK)
		return st;
	for (i = first; i < ps->n; i++) {
		if (ps->v[i]->spki == NULL)
			continue;
		r = rank(usage, ps->v[i]->usage);
		if (r >= 0 && (*best == NULL || r < *bestrank)) {
			*best = ps->v[i];
			*bestrank = r;
		}
	}
	return KS_OK;
}

/*
 * The key ks_keyring_peer_key found last under the entry's own label (not
 * through the other FQDN form) is remembered by its object handle, and
 * the next lookup of that entry and usage reads that object again (one
 * C_GetAttributeValue, the same attributes a search reads of each object
 * it finds) instead of searching the token (C_FindObjectsInit, which on
 * SoftHSM2 refreshes every object of the token; ikesignd looks up its
 * peer's key at every handshake).  The key given is the one the object
 * holds now, as a search would read it.  Why this gives what a search
 * would:
 *  - a key removed (del-pubkey, a keyring deleted, another program): its
 *    handle names no object any more, the read fails with
 *    CKR_OBJECT_HANDLE_INVALID and the token is searched.  SoftHSM2
 *    checks the object's file at every C_GetAttributeValue, also when
 *    another process removed it, and never gives its handle to another
 *    object (its handles count up for the life of the process).
 *  - a key replaced: cryptokeyring removes the old object first (add-pubkey
 *    refuses an entry that overlaps one there), so as above.
 *  - an object changed in place (relabelled out of the keyring, its usage
 *    changed): the label and usage are checked on every read.
 *  - a token that gives a destroyed object's handle to a new object: the
 *    new object is used only if it is a public key under the same entry
 *    label, usable for the usage, which a search could give as well.
 * What a search would see and the read does not: a second object added
 * under the same label beside the remembered one.  cryptokeyring never
 * makes one (an overlapping usage is refused); another program's is found
 * once the remembered key is gone.
 */
static void
forget(struct kx_peer_seen *k)
{
	free(k->label);
	k->label = NULL;
	k->h = CK_INVALID_HANDLE;
}

static void
remember(ks_ctx *ctx, const ks_peer *p, ks_usage usage)
{
	struct kx_peer_seen *k;

	k = &ctx->peer_seen[ctx->peer_next++ % KX_PEERS_SEEN];
	forget(k);
	if ((k->label = strdup(p->label)) == NULL)
		return;	/* then the next lookup searches */
	k->usage = usage;
	k->h = p->h;
}

/* The remembered key of entry label, read again into ps; *best stays NULL
 * when there is none or the object is no longer a usable key of label. */
static void
reread(ks_ctx *ctx, const char *label, ks_usage usage, struct ks_peers *ps,
    ks_peer **best)
{
	struct kx_peer_seen *k = NULL;
	size_t i;

	for (i = 0; i < KX_PEERS_SEEN && k == NULL; i++)
		if (ctx->peer_seen[i].label != NULL &&
		    ctx->peer_seen[i].usage == usage &&
		    strcmp(ctx->peer_seen[i].label, label) == 0)
			k = &ctx->peer_seen[i];
	if (k == NULL)
		return;
	if (load_one(ctx, k->h, NULL, ps) == KS_OK && ps->n == 1 &&
	    strcmp(ps->v[0]->label, label) == 0 && ps->v[0]->spki != NULL &&
	    rank(usage, ps->v[0]->usage) >= 0) {
		*best = ps->v[0];
		return;
	}
	kr_peers_clear(ps);	/* searched for instead */
	forget(k);
}

ks_status
ks_keyring_peer_key(ks_ctx *ctx, const char *keyring, ks_peer_by by,
    const char *id, ks_usage usage, unsigned char **spki, size_t *spkilen)
{
	char norm[KS_PEER_ID_MAX + 1], other[KS_PEER_ID_MAX + 1];
	char label[KR_LABEL_MAX + 1];
	struct ks_peers ps = { NULL, 0 };
	ks_peer *best = NULL;
	int bestrank = 0;
	ks_status st;

	*spki = NULL;
	*spkilen = 0;
	if (keyring == NULL)
		keyring = KS_KEYRING_DEFAULT;
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = ks_keyring_name_check(ctx, keyring)) != KS_OK ||
	    (st = ks_peer_id_normalise(ctx, by, 0, id, norm, sizeof(norm))) !=
	    KS_OK)
		return st;
	if (kr_label_make(KR_PREFIX_PEER, keyring, by, norm, label,
	    sizeof(label)) == 0)
		reread(ctx, label, usage, &ps, &best);
	if (best == NULL) {
		st = candidates(ctx, keyring, by, norm, usage, &ps, &best,
		    &bestrank);
		/* rank 2 (an encryption key for any use): a signature key
		 * added beside it would rank better, so search again */
		if (st == KS_OK && best != NULL && bestrank < 2)
			remember(ctx, best, usage);
	}
	/* a hostname and a name both stand for the peer's FQDN identity */
	if (st == KS_OK && best == NULL && by == KS_PEER_HOSTNAME &&
	    ks_peer_id_normalise(ctx, KS_PEER_NAME, 0, id, other,
	    sizeof(other)) == KS_OK)
		st = candidates(ctx, keyring, KS_PEER_NAME, other, usage, &ps,
		    &best, &bestrank);
	if (st == KS_OK && best == NULL && by == KS_PEER_NAME &&
	    ks_peer_id_normalise(ctx, KS_PEER_HOSTNAME, 0, id, other,
	    sizeof(other)) == KS_OK)
		st = candidates(ctx, keyring, KS_PEER_HOSTNAME, other, usage,
		    &ps, &best, &bestrank);
	if (st == KS_OK && best == NULL)
		st = kx_fail(ctx, KS_ENOTFOUND, "keyring '%s' on token '%s' "
		    "has no %s RSA key for %s %s", keyring, ctx->token.label,
		    usage == KS_USAGE_GENERAL ? "usable" : ks_usage_name(usage),
		    ks_peer_by_name(by), norm);
	if (st == KS_OK) {
		if ((*spki = malloc(best->spkilen)) == NULL)
			st = kx_fail(ctx, KS_EFAIL, "out of memory");
		else {
			memcpy(*spki, best->spki, best->spkilen);
			*spkilen = best->spkilen;
		}
	}
	kr_peers_clear(&ps);
	return st;
}
