/*
 * caps.c -- what the token can do, discovered, not assumed.
 *
 * Mechanisms and token flags are read (p11_caps).  Data objects and
 * extractable keys are no mechanism: they are tried, and only when asked
 * (KS_CAPS_PROBE) on a read/write session that is logged in.  The data
 * object is a private token object, destroyed at once; the key pair is a
 * pair of session objects (CKA_TOKEN=FALSE), which never reach the token's
 * storage and are destroyed at once too.  A probe object a killed run
 * left behind is removed by the next probe.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks_internal.h"

#define KS_APP_PROBE	"cryptokey-probe"

/* PKCS#11 2.40 names that p11-kit 0.24's header lacks */
#ifndef CKF_EC_F_2M
#define CKF_EC_F_2M		(1UL << 21)
#endif
#ifndef CKF_EC_ECPARAMETERS
#define CKF_EC_ECPARAMETERS	(1UL << 22)
#endif

/* P-256's named-curve OID, DER: the cheapest pair to generate. */
static const unsigned char p256_oid[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};

static int
has(const CK_MECHANISM_INFO *mi, CK_FLAGS flag)
{
	return (mi->flags & flag) != 0;
}

static void
from_p11(const struct p11_caps *c, ks_caps *k)
{
	CK_FLAGS curves = CKF_EC_F_P | CKF_EC_F_2M | CKF_EC_ECPARAMETERS |
	    CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS | CKF_EC_COMPRESS;

	k->login_required = (c->token_flags & CKF_LOGIN_REQUIRED) != 0;
	k->pin_pad = (c->token_flags &
	    CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
	k->write_protected = (c->token_flags & CKF_WRITE_PROTECTED) != 0;
	k->rsa_keygen = has(&c->rsa_gen, CKF_GENERATE_KEY_PAIR);
	k->rsa_min_bits = (unsigned)c->rsa_gen.ulMinKeySize;
	k->rsa_max_bits = (unsigned)c->rsa_gen.ulMaxKeySize;
	k->rsa_sign = has(&c->rsa, CKF_SIGN);
	k->rsa_decrypt = has(&c->rsa, CKF_DECRYPT);
	k->ec_keygen = has(&c->ec_gen, CKF_GENERATE_KEY_PAIR);
	k->ec_min_bits = (unsigned)c->ec_gen.ulMinKeySize;
	k->ec_max_bits = (unsigned)c->ec_gen.ulMaxKeySize;
	k->ec_named_curves = k->ec_keygen &&
	    (has(&c->ec_gen, CKF_EC_NAMEDCURVE) ||
	    (c->ec_gen.flags & curves) == 0);
	k->ecdsa_sign = has(&c->ecdsa, CKF_SIGN);
	k->ed25519_keygen = has(&c->ed_gen, CKF_GENERATE_KEY_PAIR);
	k->eddsa_sign = has(&c->eddsa, CKF_SIGN);
	k->ecdh_derive = has(&c->ecdh, CKF_DERIVE);
	k->wrap = has(&c->kwp, CKF_WRAP);
	k->unwrap = has(&c->kwp, CKF_UNWRAP);
	k->data_objects = KS_CAP_UNKNOWN;
	k->extractable = KS_CAP_UNKNOWN;
}

/* A refusal of the template is an answer; anything else is a failure. */
static int
is_refusal(CK_RV rv)
{
	enum p11_class c = p11_rv_class(rv);

	return c == P11_CLASS_INPUT || c == P11_CLASS_DENIED ||
	    rv == CKR_FUNCTION_NOT_SUPPORTED || rv == CKR_MECHANISM_INVALID;
}

/* Probe objects a killed run left behind go first. */
static ks_status
remove_old_probes(ks_ctx *ctx)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_APPLICATION, KS_APP_PROBE, sizeof(KS_APP_PROBE) - 1 },
	};
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	CK_RV rv;

	rv = p11_find(&ctx->sess, t, sizeof(t) / sizeof(t[0]), &h, &n);
	for (i = 0; rv == CKR_OK && i < n; i++)
		rv = p11_destroy(&ctx->sess, h[i]);
	free(h);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot remove an old probe data "
		    "object '%s' from token '%s'", KS_APP_PROBE,
		    ctx->token.label);
	return KS_OK;
}

static ks_status
probe_data(ks_ctx *ctx, int *answer)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_APPLICATION, KS_APP_PROBE, sizeof(KS_APP_PROBE) - 1 },
		{ CKA_LABEL, KS_APP_PROBE, sizeof(KS_APP_PROBE) - 1 },
		{ CKA_VALUE, "probe", 5 },
	};
	CK_OBJECT_HANDLE h;
	ks_status st;
	CK_RV rv;

	if ((st = remove_old_probes(ctx)) != KS_OK)
		return st;
	rv = p11_create(&ctx->sess, t, sizeof(t) / sizeof(t[0]), &h);
	if (rv != CKR_OK && is_refusal(rv)) {
		*answer = KS_CAP_NO;
		return KS_OK;
	}
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot try a data object on token "
		    "'%s'", ctx->token.label);
	/* a probe must not stay: a failed destroy is tried once more */
	if ((rv = p11_destroy(&ctx->sess, h)) != CKR_OK)
		rv = p11_destroy(&ctx->sess, h);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot destroy the probe data "
		    "object '%s' on token '%s'", KS_APP_PROBE,
		    ctx->token.label);
	*answer = KS_CAP_YES;
	return KS_OK;
}

/* A session pair, sensitive and extractable: EC P-256, else RSA. */
static CK_RV
probe_pair(ks_ctx *ctx, const ks_caps *k, CK_OBJECT_HANDLE *pub,
    CK_OBJECT_HANDLE *priv)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = k->rsa_min_bits > 1024 ? k->rsa_min_bits : 1024;
	unsigned char e[] = { 0x01, 0x00, 0x01 };
	CK_MECHANISM ec = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_MECHANISM rsa = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE ec_pub[] = {
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_EC_PARAMS, (void *)p256_oid, sizeof(p256_oid) },
	};
	CK_ATTRIBUTE rsa_pub[] = {
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
		{ CKA_PUBLIC_EXPONENT, e, sizeof(e) },
	};
	CK_ATTRIBUTE pv[] = {
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	CK_ULONG npv = sizeof(pv) / sizeof(pv[0]);

	if (k->ec_keygen)
		return p11_generate_pair(&ctx->sess, &ec, ec_pub,
		    sizeof(ec_pub) / sizeof(ec_pub[0]), pv, npv, pub, priv);
	return p11_generate_pair(&ctx->sess, &rsa, rsa_pub,
	    sizeof(rsa_pub) / sizeof(rsa_pub[0]), pv, npv, pub, priv);
}

static ks_status
probe_extractable(ks_ctx *ctx, const ks_caps *k, int *answer)
{
	CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE, priv = CK_INVALID_HANDLE;
	CK_BBOOL extr = CK_FALSE;
	CK_ATTRIBUTE a = { CKA_EXTRACTABLE, &extr, sizeof(extr) };
	CK_RV rv;

	if (!k->ec_keygen && !k->rsa_keygen)
		return KS_OK;	/* nothing to try with: unknown */
	rv = probe_pair(ctx, k, &pub, &priv);
	if (rv != CKR_OK && is_refusal(rv)) {
		*answer = KS_CAP_NO;
		return KS_OK;
	}
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot try an extractable key on "
		    "token '%s'", ctx->token.label);
	rv = p11_get_fixed(&ctx->sess, priv, &a, 1);
	*answer = rv == CKR_OK && a.ulValueLen == sizeof(extr) && extr ?
	    KS_CAP_YES : KS_CAP_NO;
	/* session objects: they go with the session if these fail */
	(void)p11_destroy(&ctx->sess, priv);
	(void)p11_destroy(&ctx->sess, pub);
	return KS_OK;
}

/* The token's refusal of a template, whatever code it chose for it. */
int
kx_rv_template_refused(CK_RV rv)
{
	return rv == CKR_ATTRIBUTE_VALUE_INVALID ||
	    rv == CKR_ATTRIBUTE_TYPE_INVALID ||
	    rv == CKR_TEMPLATE_INCONSISTENT ||
	    rv == CKR_TEMPLATE_INCOMPLETE;
}

/* A record of cryptokey's is there already (a key's, never a probe's):
 * the token keeps data objects. */
static int
has_record(ks_ctx *ctx)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_APPLICATION, KS_APP_META, sizeof(KS_APP_META) - 1 },
	};
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0;
	CK_RV rv;

	rv = p11_find(&ctx->sess, t, sizeof(t) / sizeof(t[0]), &h, &n);
	free(h);
	return rv == CKR_OK && n > 0;
}

ks_status
kx_need_data_objects(ks_ctx *ctx, const char *what)
{
	int yes = KS_CAP_UNKNOWN;
	ks_status st;

	/* one search answers where cryptokey keeps a key already; a token
	 * without one is asked by creating a probe object */
	if (has_record(ctx))
		return KS_OK;
	if ((st = probe_data(ctx, &yes)) != KS_OK)
		return st;
	if (yes == KS_CAP_YES)
		return KS_OK;
	return kx_fail(ctx, KS_ETOKEN, "token '%s' keeps no data objects, "
	    "and %s needs one (cryptokey's record of each key, keyrings, "
	    "encrypted copies are data objects); use a token that keeps them "
	    "('cryptokey storage --probe' shows it)", ctx->token.label, what);
}

ks_status
kx_need_extractable(ks_ctx *ctx)
{
	struct p11_caps c;
	ks_caps k;
	int yes = KS_CAP_UNKNOWN;
	ks_status st;
	CK_RV rv;

	if ((rv = p11_caps(&ctx->token, &c)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read the mechanisms of "
		    "token '%s'", ctx->token.label);
	from_p11(&c, &k);
	if ((st = probe_extractable(ctx, &k, &yes)) != KS_OK)
		return st;
	if (yes != KS_CAP_NO)
		return KS_OK;
	return kx_fail(ctx, KS_EPERM, "token '%s' allows no exportable keys "
	    "(it refuses a private key both sensitive and extractable); "
	    "generate the key without --exportable: it then never leaves the "
	    "token", ctx->token.label);
}

ks_status
ks_token_caps(ks_ctx *ctx, int flags, ks_caps *k)
{
	struct p11_caps c;
	CK_SESSION_INFO si;
	ks_status st;
	CK_RV rv;

	memset(k, 0, sizeof(*k));
	if (!ctx->have_token)
		return kx_fail(ctx, KS_EUSAGE, "no token open");
	if ((rv = p11_caps(&ctx->token, &c)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read the mechanisms of "
		    "token '%s'", ctx->token.label);
	from_p11(&c, k);
	if (!(flags & KS_CAPS_PROBE))
		return KS_OK;
	rv = p11_session_info(&ctx->sess, &si);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read the session of token "
		    "'%s'", ctx->token.label);
	if (si.state != CKS_RW_USER_FUNCTIONS)
		return kx_fail(ctx, KS_EUSAGE, "probing token '%s' needs a "
		    "read/write session, logged in", ctx->token.label);
	if ((st = probe_data(ctx, &k->data_objects)) != KS_OK)
		return st;
	return probe_extractable(ctx, k, &k->extractable);
}
