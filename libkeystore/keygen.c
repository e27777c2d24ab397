/*
 * keygen.c -- generate RSA and EC key pairs on the token.
 *
 * Order of state changes (a crash at any step leaves the old state or the
 * new one, never a lost key):
 *   1. look up the name; refuse if it exists and replace was not asked for;
 *      remove records of the name left without keys (nothing lists them)
 *   2. for each pair to make: store its record, then C_GenerateKeyPair,
 *      then read CKA_SENSITIVE/CKA_EXTRACTABLE back.  A failure here
 *      removes what this call made (the token is as it was).
 *   3. only then remove the old pairs of the name (private, public, record)
 * A crash between 2 and 3 leaves old and new side by side: "show" lists
 * both and a rerun of "generate --replace" or "zeroize" completes.
 * A crash inside 2 leaves at worst a record with no key, which nothing
 * lists and "zeroize" or the next "generate" of the name removes.
 *
 * Concurrency.  Local commands hold the token's lock (tokenlock.c), so a
 * second "generate" of the name waits and then fails in step 1 (exit 4).
 * Commands on other hosts sharing a network HSM do not see that lock; for
 * them step 2 checks the claim (the record) after storing it and again
 * after making the keys, and backs out if another command's pair wins by
 * the rule in claim.c.  Backing out destroys exactly what this call made
 * (keys, then record).
 *
 * A name is one name across key types (IOS says "You already have EC keys
 * defined named ..." when RSA keys are asked for): step 1 looks at pairs
 * of every type, and step 3 removes them whatever their type.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>

#include "ks_internal.h"

struct made {
	CK_OBJECT_HANDLE	meta, pub, priv;
	int			has_meta, has_keys;
};

static void
undo(ks_ctx *ctx, struct made *m)
{
	/* best effort: the caller reports the first failure, not these */
	if (m->has_keys) {
		(void)p11_destroy(&ctx->sess, m->priv);
		(void)p11_destroy(&ctx->sess, m->pub);
	}
	if (m->has_meta)
		(void)p11_destroy(&ctx->sess, m->meta);
	m->has_keys = m->has_meta = 0;
}

/* Read back what the token made: sensitive always, extractable as asked. */
ks_status
kx_check_private(ks_ctx *ctx, const char *label, CK_OBJECT_HANDLE priv,
    int exportable)
{
	CK_BBOOL sens = CK_FALSE, extr = CK_FALSE;
	CK_ATTRIBUTE a[] = {
		{ CKA_SENSITIVE, &sens, sizeof(sens) },
		{ CKA_EXTRACTABLE, &extr, sizeof(extr) },
	};
	CK_RV rv;

	if ((rv = p11_get_fixed(&ctx->sess, priv, a, 2)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read back key '%s'", label);
	if (a[0].ulValueLen != sizeof(sens) || sens != CK_TRUE)
		return kx_fail(ctx, KS_ETOKEN, "token '%s' did not make key "
		    "'%s' sensitive; refusing to keep it", ctx->token.label,
		    label);
	if (a[1].ulValueLen != sizeof(extr) ||
	    (extr == CK_TRUE) != (exportable != 0))
		return kx_fail(ctx, KS_ETOKEN, "token '%s' ignored the "
		    "exportable setting of key '%s'; refusing to keep it",
		    ctx->token.label, label);
	return KS_OK;
}

/* What to make: an RSA modulus size, or a curve. */
struct genspec {
	unsigned			 bits;
	const struct ks_curvedef	*ec;
};

static ks_status
make_pair(ks_ctx *ctx, const char *label, const struct genspec *g,
    ks_usage usage, int exportable, struct ks_claim *claim, struct made *m)
{
	static CK_BYTE e65537[] = { 0x01, 0x00, 0x01 };
	CK_MECHANISM mech = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL sign = usage != KS_USAGE_ENCRYPTION ? CK_TRUE : CK_FALSE;
	CK_BBOOL crypt = usage != KS_USAGE_SIGNATURE ? CK_TRUE : CK_FALSE;
	CK_BBOOL extr = exportable ? CK_TRUE : CK_FALSE;
	CK_ULONG modbits = g->bits;
	CK_OBJECT_CLASS pubcls = CKO_PUBLIC_KEY, privcls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	struct ks_meta meta;
	size_t llen = strlen(label);
	char what[32];
	ks_status st;
	CK_RV rv;

	memset(&meta, 0, sizeof(meta));
	meta.version = 1;
	meta.usage = usage;
	meta.created = time(NULL);
	meta.idlen = KS_ID_LEN;
	if (RAND_bytes(meta.id, KS_ID_LEN) != 1)
		return kx_fail(ctx, KS_EFAIL, "no random bytes for a key ID");

	CK_ATTRIBUTE pub[] = {
		{ CKA_CLASS, &pubcls, sizeof(pubcls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_LABEL, (void *)label, llen },
		{ CKA_ID, meta.id, KS_ID_LEN },
		{ CKA_VERIFY, &sign, sizeof(sign) },
		{ CKA_WRAP, &no, sizeof(no) },
		/* RSA from here; EC replaces them (fewer) */
		{ CKA_MODULUS_BITS, &modbits, sizeof(modbits) },
		{ CKA_PUBLIC_EXPONENT, e65537, sizeof(e65537) },
		{ CKA_ENCRYPT, &crypt, sizeof(crypt) },
	};
	CK_ATTRIBUTE priv[] = {
		{ CKA_CLASS, &privcls, sizeof(privcls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, llen },
		{ CKA_ID, meta.id, KS_ID_LEN },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &extr, sizeof(extr) },
		{ CKA_SIGN, &sign, sizeof(sign) },
		{ CKA_UNWRAP, &no, sizeof(no) },
		/* RSA: decrypt; EC: key agreement */
		{ CKA_DECRYPT, &crypt, sizeof(crypt) },
	};
	CK_ULONG npub = sizeof(pub) / sizeof(pub[0]);
	CK_ULONG npriv = sizeof(priv) / sizeof(priv[0]);

	if (g->ec != NULL) {
		mech.mechanism = g->ec->gen;
		kt = g->ec->key_type;
		pub[8].type = CKA_EC_PARAMS;
		pub[8].pValue = (void *)g->ec->params;
		pub[8].ulValueLen = g->ec->paramslen;
		npub = 9;
		priv[10].type = CKA_DERIVE;
		npriv = g->ec->key_type == CKK_EC ? 11 : 10;
		(void)snprintf(what, sizeof(what), "an EC %s", g->ec->name);
	} else
		(void)snprintf(what, sizeof(what), "a %u-bit RSA", g->bits);

	if ((st = kx_meta_create(ctx, label, &meta, &m->meta)) != KS_OK)
		return st;
	m->has_meta = 1;
	memcpy(claim->ids[claim->nids++], meta.id, KS_ID_LEN);
	if ((st = kx_claim_check(ctx, label, claim, meta.id, 0)) != KS_OK)
		return st;
	rv = p11_generate_pair(&ctx->sess, &mech, pub, npub, priv, npriv,
	    &m->pub, &m->priv);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot generate %s key '%s' on "
		    "token '%s'", what, label, ctx->token.label);
	m->has_keys = 1;
	if ((st = kx_check_private(ctx, label, m->priv, exportable)) != KS_OK)
		return st;
	return kx_claim_check(ctx, label, claim, meta.id, 1);
}

/* The token has the curve's generation and signing mechanisms and
 * generates keys of its size. */
static ks_status
check_curve(ks_ctx *ctx, const struct ks_curvedef *d, ks_kind kind)
{
	CK_MECHANISM_INFO mi;
	CK_RV rv;

	if (d->key_type == CKK_EC_EDWARDS && kind != KS_KIND_GENERAL &&
	    kind != KS_KIND_SIGNATURE)
		return kx_fail(ctx, KS_EUSAGE, "%s keys sign only; they have "
		    "no encryption use", d->name);
	rv = p11_mech_info(&ctx->token, d->gen, &mi);
	if (rv == CKR_MECHANISM_INVALID)
		return kx_fail(ctx, KS_ETOKEN, "token '%s' lacks the "
		    "mechanism %s to generate %s keys", ctx->token.label,
		    d->key_type == CKK_EC ? "CKM_EC_KEY_PAIR_GEN" :
		    "CKM_EC_EDWARDS_KEY_PAIR_GEN", d->name);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "token '%s' cannot generate %s "
		    "keys", ctx->token.label, d->name);
	if (mi.ulMinKeySize != 0 && mi.ulMaxKeySize != 0 &&
	    (d->bits < mi.ulMinKeySize || d->bits > mi.ulMaxKeySize))
		return kx_fail(ctx, KS_ETOKEN, "token '%s' generates EC "
		    "keys of %lu to %lu bits, not %s", ctx->token.label,
		    (unsigned long)mi.ulMinKeySize,
		    (unsigned long)mi.ulMaxKeySize, d->name);
	rv = p11_mech_info(&ctx->token, d->sign, &mi);
	if (rv == CKR_MECHANISM_INVALID)
		return kx_fail(ctx, KS_ETOKEN, "token '%s' lacks the "
		    "mechanism %s to sign with %s keys", ctx->token.label,
		    d->sign == CKM_ECDSA ? "CKM_ECDSA" : "CKM_EDDSA", d->name);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "token '%s' cannot sign with %s "
		    "keys", ctx->token.label, d->name);
	return KS_OK;
}

static ks_status
check_modulus(ks_ctx *ctx, unsigned bits)
{
	CK_MECHANISM_INFO mi;
	CK_RV rv;

	if (bits < KS_MODULUS_MIN || bits > KS_MODULUS_MAX)
		return kx_fail(ctx, KS_EUSAGE, "modulus %u is out of range; "
		    "choose %d to %d bits", bits, KS_MODULUS_MIN,
		    KS_MODULUS_MAX);
	rv = p11_mech_info(&ctx->token, CKM_RSA_PKCS_KEY_PAIR_GEN, &mi);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "token '%s' cannot generate RSA "
		    "keys", ctx->token.label);
	if (mi.ulMinKeySize != 0 && mi.ulMaxKeySize != 0 &&
	    (bits < mi.ulMinKeySize || bits > mi.ulMaxKeySize))
		return kx_fail(ctx, KS_EUSAGE, "token '%s' generates RSA "
		    "keys of %lu to %lu bits, not %u", ctx->token.label,
		    (unsigned long)mi.ulMinKeySize,
		    (unsigned long)mi.ulMaxKeySize, bits);
	return KS_OK;
}

static ks_status
generate(ks_ctx *ctx, const char *label, const struct genspec *g,
    ks_kind kind, int flags)
{
	static const ks_usage usages[][2] = {
		[KS_KIND_GENERAL] = { KS_USAGE_GENERAL, KS_USAGE_GENERAL },
		[KS_KIND_USAGE_KEYS] = { KS_USAGE_SIGNATURE,
		    KS_USAGE_ENCRYPTION },
		[KS_KIND_SIGNATURE] = { KS_USAGE_SIGNATURE, KS_USAGE_SIGNATURE },
		[KS_KIND_ENCRYPTION] = { KS_USAGE_ENCRYPTION,
		    KS_USAGE_ENCRYPTION },
	};
	struct made made[2];
	struct ks_claim claim;
	ks_key **old = NULL;
	size_t nold = 0, i, nmake, nown = 0;
	ks_status st;

	/* 1. the name, whatever the type of the pairs it has */
	st = kx_find_pairs_typed(ctx, label, &old, &nold, 0, KS_KEY_ALL);
	if (st != KS_OK)
		return st;
	for (i = 0; i < nold; i++)
		if (kx_pair_listed(old[i]))
			nown++;
	if (nown > 0 && !(flags & KS_GEN_REPLACE)) {
		ks_keys_free(old, nold);
		return kx_fail(ctx, KS_EEXIST, "key '%s' already exists on "
		    "token '%s'; use --replace to replace it", label,
		    ctx->token.label);
	}
	if ((st = kx_remove_leftovers(ctx, old, nold)) != KS_OK) {
		ks_keys_free(old, nold);
		return st;
	}
	/* 2. the new pairs */
	memset(made, 0, sizeof(made));
	nmake = kind == KS_KIND_USAGE_KEYS ? 2 : 1;
	memset(&claim, 0, sizeof(claim));
	claim.old = old;
	claim.nold = nold;
	for (i = 0; i < nmake; i++) {
		st = make_pair(ctx, label, g, usages[kind][i],
		    flags & KS_GEN_EXPORTABLE, &claim, &made[i]);
		if (st != KS_OK) {
			undo(ctx, &made[1]);
			undo(ctx, &made[0]);
			ks_keys_free(old, nold);
			return st;
		}
	}
	/* 3. the old pairs */
	for (i = 0; i < nold && st == KS_OK; i++)
		if (kx_pair_listed(old[i]) && kx_pair_ours(old[i]))
			st = kx_remove_pair(ctx, old[i]);
	ks_keys_free(old, nold);
	return st;
}

ks_status
ks_generate(ks_ctx *ctx, const char *label, unsigned bits, ks_kind kind,
    int flags)
{
	struct genspec g = { bits, NULL };
	ks_status st;

	if ((unsigned)kind > KS_KIND_ENCRYPTION)
		return kx_fail(ctx, KS_EUSAGE, "unknown key kind");
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = ks_label_check(ctx, label)) != KS_OK ||
	    (st = check_modulus(ctx, bits)) != KS_OK ||
	    (st = kx_need_data_objects(ctx, "a key pair")) != KS_OK ||
	    ((flags & KS_GEN_EXPORTABLE) &&
	    (st = kx_need_extractable(ctx)) != KS_OK))
		return st;
	return generate(ctx, label, &g, kind, flags);
}

ks_status
ks_generate_ec(ks_ctx *ctx, const char *label, ks_curve curve, ks_kind kind,
    int flags)
{
	struct genspec g = { 0, NULL };
	ks_status st;

	if ((unsigned)kind > KS_KIND_ENCRYPTION)
		return kx_fail(ctx, KS_EUSAGE, "unknown key kind");
	if ((g.ec = kx_curvedef(curve)) == NULL)
		return kx_fail(ctx, KS_EUSAGE, "unknown curve");
	g.bits = g.ec->bits;
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = ks_label_check(ctx, label)) != KS_OK ||
	    (st = check_curve(ctx, g.ec, kind)) != KS_OK ||
	    (st = kx_need_data_objects(ctx, "a key pair")) != KS_OK ||
	    ((flags & KS_GEN_EXPORTABLE) &&
	    (st = kx_need_extractable(ctx)) != KS_OK))
		return st;
	return generate(ctx, label, &g, kind, flags);
}
