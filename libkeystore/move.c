/*
 * move.c -- move key pairs to another token (IOS "crypto key move rsa"),
 * or make them non-exportable where they are.
 *
 * move, for the pairs of a name on the source token:
 *   0. checks, before anything changes: the destination is another token;
 *      a pair with a private key is exportable (a non-exportable key never
 *      leaves its token); --non-exportable refuses encrypted pairs (their
 *      copy opens with the passphrase anywhere); the destination holds no
 *      other key of the name; a destination that cannot unwrap takes a
 *      private key of the type by C_CreateObject (a session key made for
 *      the purpose: tpm2-pkcs11 takes none, and is refused here).  A pair
 *      there with the same ID and public key was left by an earlier run:
 *      complete, it is kept; partial, it is removed and made again.
 *   1. on the destination, in this order: the record, the encrypted copy,
 *      the private key, the public key.  Until the private key is there the
 *      partial copy is not listed (kx_pair_listed); once it is, it signs.
 *      The private key goes by C_WrapKey on the source and C_UnwrapKey on
 *      the destination under one session AES key made on both tokens, so
 *      it is never in our memory in clear; a destination that cannot
 *      unwrap (p11-kit's RPC, many smart cards) gets it by C_CreateObject
 *      after a software unwrap (wrap.c).  The new key's public key and
 *      attributes are read back.
 *   2. the copy is checked: the pair is found complete on the destination,
 *      and its private key signs random data that the source's public key
 *      verifies (decrypts, for an encryption-only RSA key; agrees on an
 *      ECDH secret, for an EC one: keycheck.c).  A locked pair has
 *      no private key: its encrypted copy must read back byte for byte.
 *   3. only then the source pairs are removed (kx_remove_pair).
 * A failure in 1 removes the partial copy again.  A crash in 1 leaves the
 * source whole, and at most a partial copy that a rerun replaces; after 1
 * the key is on both tokens, and a rerun checks the copy again and removes
 * the source; in 3 the source is partly removed, and a rerun removes the
 * rest.  Never a lost key.
 *
 * non-exportable in place: C_SetAttributeValue(CKA_EXTRACTABLE=FALSE) on
 * each private key, read back -- one call per pair.  Irreversible: tokens
 * refuse FALSE -> TRUE.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ks_protect.h"

#define CHALLENGE_LEN	32
#define SIG_MAX		(KS_MODULUS_MAX / 8)

/* An error on dst, reported in src. */
static ks_status
on_dst(ks_ctx *src, ks_ctx *dst, ks_status st)
{
	return kx_fail(src, st, "%s", ks_ctx_error(dst));
}

static int
same_token(const ks_ctx *a, const ks_ctx *b)
{
	return strcmp(a->token.label, b->token.label) == 0 &&
	    strcmp(a->token.serial, b->token.serial) == 0 &&
	    memcmp(a->token.info.model, b->token.info.model,
	    sizeof(a->token.info.model)) == 0 &&
	    memcmp(a->token.info.manufacturerID, b->token.info.manufacturerID,
	    sizeof(a->token.info.manufacturerID)) == 0;
}

static ks_key *
match(ks_key **keys, size_t n, const ks_key *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i]->idlen == k->idlen &&
		    memcmp(keys[i]->id, k->id, k->idlen) == 0 &&
		    strcmp(keys[i]->label, k->label) == 0)
			return keys[i];
	return NULL;
}

static int
same_public(const ks_key *a, const ks_key *b)
{
	return a->spki != NULL && b->spki != NULL &&
	    a->spkilen == b->spkilen &&
	    memcmp(a->spki, b->spki, a->spkilen) == 0;
}

/* d holds everything of s, last part included. */
static int
complete(const ks_key *s, const ks_key *d)
{
	return d != NULL && d->has_meta && d->has_pub && same_public(s, d) &&
	    (!s->has_priv || d->has_priv) && (!s->has_enc || d->has_enc);
}

/*
 * s may go from the source: d is its complete copy; or s is what an earlier
 * run left of a pair in its removal (no public or private key, so no
 * public key to compare) and d, same label and ID, is a usable pair.
 */
static int
moved(const ks_key *s, const ks_key *d)
{
	if (kx_pair_listed(s))
		return complete(s, d);
	return d != NULL && d->has_meta && d->has_pub &&
	    (d->has_priv || d->has_enc) && (!s->has_enc || d->has_enc);
}

/* Step 0 ------------------------------------------------------------------ */

static ks_status
check_move(ks_ctx *src, ks_ctx *dst, const char *label, ks_key **sk,
    size_t sn, ks_key **dk, size_t dn, int flags)
{
	size_t i, listed = 0;
	ks_key *d;

	if (same_token(src, dst))
		return kx_fail(src, KS_EUSAGE, "key '%s' is on token '%s' "
		    "already; name another token", label, src->token.label);
	for (i = 0; i < sn; i++) {
		const ks_key *s = sk[i];

		if (!kx_pair_listed(s))
			continue;
		listed++;
		if (s->spki == NULL)
			return kx_fail(src, KS_ETOKEN, "token '%s' shows no "
			    "public key for '%s'", src->token.label, label);
		if (s->has_priv && !s->exportable)
			return kx_fail(src, KS_EPERM, "key '%s' is not "
			    "exportable: it cannot leave token '%s'", label,
			    src->token.label);
		if ((flags & KS_MOVE_NON_EXPORTABLE) && s->has_enc)
			return kx_fail(src, KS_EPERM, "key '%s' is encrypted, "
			    "and its encrypted copy opens with the passphrase "
			    "anywhere; decrypt it before making it "
			    "non-exportable", label);
		d = match(dk, dn, s);
		if (d != NULL && d->spki != NULL && !same_public(s, d))
			return kx_fail(src, KS_EEXIST, "token '%s' has another "
			    "key '%s' with the same ID", dst->token.label,
			    label);
	}
	if (listed == 0) {
		for (i = 0; i < sn; i++)
			if (kx_pair_ours(sk[i]) &&
			    moved(sk[i], match(dk, dn, sk[i])))
				return KS_OK;	/* only leftovers of a move */
		return kx_fail(src, KS_ENOTFOUND, "no key named '%s' on token "
		    "'%s'", label, src->token.label);
	}
	for (i = 0; i < dn; i++)
		if (kx_pair_listed(dk[i]) && match(sk, sn, dk[i]) == NULL)
			return kx_fail(src, KS_EEXIST, "key '%s' already "
			    "exists on token '%s'", label, dst->token.label);
	return KS_OK;
}

/* Step 1 ------------------------------------------------------------------ */

/* What one copy made on the destination, undone when it fails. */
struct made {
	CK_OBJECT_HANDLE	h[4];
	size_t			n;
};

static void
made_add(struct made *m, CK_OBJECT_HANDLE h)
{
	if (m->n < sizeof(m->h) / sizeof(m->h[0]))
		m->h[m->n++] = h;
}

static void
undo(ks_ctx *dst, struct made *m)
{
	/* best effort, newest first: the caller reports the first failure */
	while (m->n > 0)
		(void)p11_destroy(&dst->sess, m->h[--m->n]);
}

static ks_status
copy_record(ks_ctx *src, ks_ctx *dst, const ks_key *s, struct made *made)
{
	struct ks_meta m;
	CK_OBJECT_HANDLE h;
	ks_status st;

	memset(&m, 0, sizeof(m));
	m.version = 1;
	m.usage = s->usage;
	m.created = s->created != 0 ? s->created : time(NULL);
	memcpy(m.id, s->id, s->idlen);
	m.idlen = s->idlen;
	if ((st = kx_meta_create(dst, s->label, &m, &h)) != KS_OK)
		return on_dst(src, dst, st);
	made_add(made, h);
	return KS_OK;
}

/* An EC public key: CKA_EC_PARAMS and CKA_EC_POINT from the pair's
 * SubjectPublicKeyInfo (the source's public object made it; an EC private
 * object has no point). */
static ks_status
copy_public_ec(ks_ctx *src, ks_ctx *dst, const ks_key *s, struct made *made)
{
	const struct ks_curvedef *d = NULL;
	const unsigned char *p = s->spki;
	unsigned char point[KS_EC_POINT_MAX];
	size_t pointlen = 0;
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL verify = s->usage != KS_USAGE_ENCRYPTION ? CK_TRUE : CK_FALSE;
	CK_OBJECT_HANDLE h;
	EVP_PKEY *pk = NULL;
	ks_status st;
	CK_RV rv;

	if (s->spki != NULL && s->spkilen <= LONG_MAX)
		pk = d2i_PUBKEY(NULL, &p, (long)s->spkilen);
	st = pk != NULL ? kx_ec_point_of(pk, &d, point, &pointlen) : KS_EINPUT;
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (st != KS_OK)
		return kx_fail(src, KS_ETOKEN, "token '%s' shows no usable "
		    "public key for '%s'", src->token.label, s->label);
	kt = d->key_type;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_LABEL, s->label, strlen(s->label) },
		{ CKA_ID, (void *)s->id, s->idlen },
		{ CKA_EC_PARAMS, (void *)d->params, d->paramslen },
		{ CKA_EC_POINT, point, pointlen },
		{ CKA_VERIFY, &verify, sizeof(verify) },
		{ CKA_WRAP, &no, sizeof(no) },
	};
	rv = p11_create(&dst->sess, t, sizeof(t) / sizeof(t[0]), &h);
	if (rv != CKR_OK)
		return kx_fail_rv(src, rv, "cannot store the public key of "
		    "'%s' on token '%s'", s->label, dst->token.label);
	made_add(made, h);
	return KS_OK;
}

static ks_status
copy_public(ks_ctx *src, ks_ctx *dst, const ks_key *s, struct made *made)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE rsa = CKK_RSA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL verify = s->usage != KS_USAGE_ENCRYPTION ? CK_TRUE : CK_FALSE;
	CK_BBOOL crypt = s->usage != KS_USAGE_SIGNATURE ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE ne[] = {
		{ CKA_MODULUS, NULL, 0 },
		{ CKA_PUBLIC_EXPONENT, NULL, 0 },
	};
	CK_OBJECT_HANDLE h;
	ks_status st = KS_OK;
	CK_RV rv;

	if (s->type == KS_KEY_EC)
		return copy_public_ec(src, dst, s, made);
	rv = p11_get_attrs(&src->sess, s->has_pub ? s->pub : s->priv, ne, 2);
	if (rv != CKR_OK)
		return kx_fail_rv(src, rv, "cannot read the public key of '%s'",
		    s->label);
	if (ne[0].pValue == NULL || ne[1].pValue == NULL) {
		p11_attrs_free(ne, 2);
		return kx_fail(src, KS_ETOKEN, "token '%s' shows no modulus for "
		    "key '%s'", src->token.label, s->label);
	}
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &rsa, sizeof(rsa) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_LABEL, s->label, strlen(s->label) },
		{ CKA_ID, (void *)s->id, s->idlen },
		{ CKA_MODULUS, ne[0].pValue, ne[0].ulValueLen },
		{ CKA_PUBLIC_EXPONENT, ne[1].pValue, ne[1].ulValueLen },
		{ CKA_VERIFY, &verify, sizeof(verify) },
		{ CKA_ENCRYPT, &crypt, sizeof(crypt) },
		{ CKA_WRAP, &no, sizeof(no) },
	};
	rv = p11_create(&dst->sess, t, sizeof(t) / sizeof(t[0]), &h);
	if (rv != CKR_OK)
		st = kx_fail_rv(src, rv, "cannot store the public key of '%s' "
		    "on token '%s'", s->label, dst->token.label);
	else
		made_add(made, h);
	p11_attrs_free(ne, 2);
	return st;
}

static ks_status
copy_encrypted(ks_ctx *src, ks_ctx *dst, const ks_key *s, struct made *made)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	CK_OBJECT_HANDLE h;
	ks_status st;

	if ((st = kx_enc_read(src, s->enc, s->label, &buf, &len)) != KS_OK)
		return st;
	if ((st = kx_enc_store(dst, s->label, buf, len, &h)) != KS_OK)
		st = on_dst(src, dst, st);
	else
		made_add(made, h);
	free(buf);	/* encrypted */
	return st;
}

static ks_status
copy_private(ks_ctx *src, ks_ctx *dst, const ks_key *s, int flags,
    struct made *made)
{
	struct ks_enc_attr attrs[KS_ENC_ATTRS_MAX];
	struct ks_wrapkey wks, wkd;
	unsigned char *blob = NULL;
	size_t nattrs = 0, bloblen = 0;
	CK_OBJECT_HANDLE h;
	ks_status st;

	if ((st = kx_priv_attrs(src, s->priv, s->label, attrs,
	    &nattrs)) != KS_OK)
		return st;
	if ((st = kx_wrapkey_make(src, &wks)) != KS_OK)
		return st;
	if ((st = kx_wrapkey_load(dst, &wkd, wks.key)) != KS_OK) {
		kx_wrapkey_destroy(src, &wks);
		return on_dst(src, dst, st);
	}
	st = kx_wrap_blob(src, &wks, s->priv, s->label, &blob, &bloblen);
	if (st == KS_OK) {
		st = kx_unwrap_checked(dst, &wkd, blob, bloblen, s, attrs,
		    nattrs, 1, flags & KS_MOVE_NON_EXPORTABLE, &h);
		if (st == KS_OK)
			made_add(made, h);
		else
			st = on_dst(src, dst, st);
	}
	kx_wrapkey_destroy(dst, &wkd);
	kx_wrapkey_destroy(src, &wks);
	free(blob);	/* wrapped */
	return st;
}

static ks_status
copy_pair(ks_ctx *src, ks_ctx *dst, const ks_key *s, int flags)
{
	struct made made;
	ks_status st;

	memset(&made, 0, sizeof(made));
	if ((st = copy_record(src, dst, s, &made)) != KS_OK ||
	    (s->has_enc && (st = copy_encrypted(src, dst, s, &made)) != KS_OK) ||
	    (s->has_priv && (st = copy_private(src, dst, s, flags,
	    &made)) != KS_OK) ||
	    (st = copy_public(src, dst, s, &made)) != KS_OK)
		undo(dst, &made);
	return st;
}

/* Step 2 ------------------------------------------------------------------ */

static EVP_PKEY *
pkey_of(const ks_key *k)
{
	const unsigned char *p = k->spki;

	return d2i_PUBKEY(NULL, &p, (long)k->spkilen);
}

/* d's private key signs what s's public key verifies. */
static ks_status
check_sign(ks_ctx *src, ks_ctx *dst, const ks_key *s, const ks_key *d,
    EVP_PKEY *pk)
{
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char msg[CHALLENGE_LEN], sig[SIG_MAX];
	CK_ULONG siglen = sizeof(sig);
	EVP_MD_CTX *md;
	int ok = 0;
	CK_RV rv;

	if (RAND_bytes(msg, sizeof(msg)) != 1)
		return kx_fail(src, KS_EFAIL, "no random bytes");
	rv = p11_sign(&dst->sess, &mech, d->priv, msg, sizeof(msg), sig,
	    &siglen);
	if (rv != CKR_OK)
		return kx_fail_rv(src, rv, "the copy of key '%s' on token '%s' "
		    "cannot sign", s->label, dst->token.label);
	if ((md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	if (!ok)
		return kx_fail(src, KS_ETOKEN, "the copy of key '%s' on token "
		    "'%s' signs, but not as the original", s->label,
		    dst->token.label);
	return KS_OK;
}

/* d's private key decrypts what s's public key encrypted. */
static ks_status
check_decrypt(ks_ctx *src, ks_ctx *dst, const ks_key *s, const ks_key *d,
    EVP_PKEY *pk)
{
	CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
	unsigned char msg[CHALLENGE_LEN], ct[SIG_MAX], pt[SIG_MAX];
	size_t ctlen = sizeof(ct);
	CK_ULONG ptlen = sizeof(pt);
	EVP_PKEY_CTX *pc;
	int ok = 0;
	CK_RV rv;

	if (RAND_bytes(msg, sizeof(msg)) != 1)
		return kx_fail(src, KS_EFAIL, "no random bytes");
	if ((pc = EVP_PKEY_CTX_new(pk, NULL)) != NULL &&
	    EVP_PKEY_encrypt_init(pc) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_encrypt(pc, ct, &ctlen, msg, sizeof(msg)) == 1)
		ok = 1;
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	if (!ok)
		return kx_fail(src, KS_EFAIL, "cannot encrypt with the public "
		    "key of '%s'", s->label);
	rv = p11_decrypt(&dst->sess, &mech, d->priv, ct, ctlen, pt, &ptlen);
	if (rv != CKR_OK || ptlen != sizeof(msg) ||
	    memcmp(pt, msg, sizeof(msg)) != 0)
		return kx_fail(src, KS_ETOKEN, "the copy of key '%s' on token "
		    "'%s' does not decrypt as the original", s->label,
		    dst->token.label);
	return KS_OK;
}

static ks_status
check_copy(ks_ctx *src, ks_ctx *dst, const ks_key *s, const ks_key *d)
{
	unsigned char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	EVP_PKEY *pk;
	ks_status st = KS_OK;

	if (!complete(s, d))
		return kx_fail(src, KS_ETOKEN, "the copy of key '%s' on token "
		    "'%s' is not complete", s->label, dst->token.label);
	if (s->has_enc) {
		if ((st = kx_enc_read(src, s->enc, s->label, &a, &alen)) ==
		    KS_OK && (st = kx_enc_read(dst, d->enc, d->label, &b,
		    &blen)) != KS_OK)
			st = on_dst(src, dst, st);
		if (st == KS_OK && (alen != blen || memcmp(a, b, alen) != 0))
			st = kx_fail(src, KS_ETOKEN, "the encrypted copy of key "
			    "'%s' on token '%s' differs from the original",
			    s->label, dst->token.label);
		free(a);
		free(b);
		if (st != KS_OK)
			return st;
	}
	if (!s->has_priv)
		return KS_OK;
	/* EC: a signature or an ECDH secret, checked with s's public key */
	if (s->type == KS_KEY_EC) {
		if ((st = kx_private_matches(dst, d->priv, s)) != KS_OK)
			return on_dst(src, dst, st);
		return KS_OK;
	}
	if ((pk = pkey_of(s)) == NULL)
		return kx_fail(src, KS_EFAIL, "cannot decode the public key of "
		    "'%s'", s->label);
	if (s->usage != KS_USAGE_ENCRYPTION)
		st = check_sign(src, dst, s, d, pk);
	else
		st = check_decrypt(src, dst, s, d, pk);
	EVP_PKEY_free(pk);
	return st;
}

/*
 * A destination that cannot unwrap gets private keys by C_CreateObject:
 * one refusing that (tpm2-pkcs11 takes only public keys and data objects)
 * is found out here, before anything is made on it.
 */
static ks_status
check_takes(ks_ctx *src, ks_ctx *dst, ks_key **sk, size_t sn)
{
	ks_status st;
	size_t i;
	int unwraps = 0;

	for (i = 0; i < sn; i++) {
		if (!kx_pair_listed(sk[i]) || !sk[i]->has_priv)
			continue;
		if (!unwraps && (st = kx_token_unwraps(dst, &unwraps)) != KS_OK)
			return on_dst(src, dst, st);
		if (unwraps)
			return KS_OK;
		if ((st = kx_need_private_create(dst, sk[i]->type,
		    sk[i]->curve, sk[i]->bits, sk[i]->label)) != KS_OK)
			return on_dst(src, dst, st);
	}
	return KS_OK;
}

/* The whole move ---------------------------------------------------------- */

ks_status
ks_move(ks_ctx *src, ks_ctx *dst, const char *label, int flags)
{
	ks_key **sk = NULL, **dk = NULL;
	size_t sn = 0, dn = 0, i;
	ks_key *d;
	ks_status st;

	if ((st = kx_need_session(src)) != KS_OK)
		return st;
	if ((st = kx_need_session(dst)) != KS_OK)
		return on_dst(src, dst, st);
	if ((st = ks_label_check(src, label)) != KS_OK)
		return st;
	if ((st = kx_need_data_objects(dst, "a moved key")) != KS_OK)
		return on_dst(src, dst, st);
	/* 0. checks */
	if ((st = kx_find_pairs(src, label, &sk, &sn, 1)) != KS_OK)
		return st;
	if ((st = kx_find_pairs(dst, label, &dk, &dn, 1)) != KS_OK) {
		st = on_dst(src, dst, st);
		goto out;
	}
	if ((st = check_move(src, dst, label, sk, sn, dk, dn, flags)) != KS_OK ||
	    (st = check_takes(src, dst, sk, sn)) != KS_OK)
		goto out;
	/* 1. the copies (a partial one from an earlier run is made again) */
	for (i = 0; i < sn && st == KS_OK; i++) {
		if (!kx_pair_listed(sk[i]))
			continue;
		d = match(dk, dn, sk[i]);
		if (complete(sk[i], d))
			continue;
		if (d != NULL && kx_pair_ours(d) &&
		    (st = kx_remove_pair(dst, d)) != KS_OK) {
			st = on_dst(src, dst, st);
			break;
		}
		st = copy_pair(src, dst, sk[i], flags);
	}
	if (st != KS_OK)
		goto out;
	/* 2. check them as the destination now shows them */
	ks_keys_free(dk, dn);
	dk = NULL;
	dn = 0;
	if ((st = kx_find_pairs(dst, label, &dk, &dn, 1)) != KS_OK) {
		st = on_dst(src, dst, st);
		goto out;
	}
	for (i = 0; i < sn && st == KS_OK; i++)
		if (kx_pair_listed(sk[i]))
			st = check_copy(src, dst, sk[i], match(dk, dn, sk[i]));
	/* 3. the source goes; leftovers of an earlier run too */
	for (i = 0; i < sn && st == KS_OK; i++) {
		if (!kx_pair_ours(sk[i]) || !moved(sk[i], match(dk, dn, sk[i])))
			continue;
		st = kx_remove_pair(src, sk[i]);
	}
 out:
	ks_keys_free(sk, sn);
	ks_keys_free(dk, dn);
	return st;
}

/* In place ---------------------------------------------------------------- */

ks_status
ks_make_non_exportable(ks_ctx *ctx, const char *label, size_t *done)
{
	CK_BBOOL no = CK_FALSE, now = CK_TRUE;
	CK_ATTRIBUTE set = { CKA_EXTRACTABLE, &no, sizeof(no) };
	CK_ATTRIBUTE back = { CKA_EXTRACTABLE, &now, sizeof(now) };
	ks_key **keys = NULL;
	size_t n = 0, i;
	ks_status st;
	CK_RV rv;

	*done = 0;
	if (label == NULL)
		return kx_fail(ctx, KS_EUSAGE, "which key? give its name");
	if ((st = kx_protect_targets(ctx, label, &keys, &n)) != KS_OK)
		return st;
	for (i = 0; i < n && st == KS_OK; i++)
		if (keys[i]->has_enc)
			st = kx_fail(ctx, KS_EPERM, "key '%s' is encrypted, and "
			    "its encrypted copy opens with the passphrase "
			    "anywhere; decrypt it before making it "
			    "non-exportable", label);
	for (i = 0; i < n && st == KS_OK; i++) {
		if (!keys[i]->exportable)
			continue;
		rv = p11_set_attrs(&ctx->sess, keys[i]->priv, &set, 1);
		if (rv == CKR_OK) {
			back.ulValueLen = sizeof(now);
			rv = p11_get_fixed(&ctx->sess, keys[i]->priv, &back, 1);
		}
		if (rv != CKR_OK)
			st = kx_fail_rv(ctx, rv, "cannot make key '%s' "
			    "non-exportable", label);
		else if (back.ulValueLen != sizeof(now) || now != CK_FALSE)
			st = kx_fail(ctx, KS_ETOKEN, "token '%s' kept key '%s' "
			    "exportable", ctx->token.label, label);
		else
			(*done)++;
	}
	ks_keys_free(keys, n);
	return st;
}
