/*
 * cmd_generate.c -- cryptokey generate rsa|ec (IOS "crypto key generate
 * rsa|ec").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <time.h>

#include "cryptokey.h"

enum { KIND_GENERAL = 1, KIND_USAGE, KIND_SIGNATURE, KIND_ENCRYPTION };

static char *opt_label, *opt_on, *opt_modulus_s, *opt_keysize_s, *opt_curve;
static int opt_modulus = KS_MODULUS_DEFAULT, opt_exportable, opt_replace;
static int nkinds;
static ks_kind kind = KS_KIND_GENERAL;

/* Decimal digits only: popt's own integers take 0x800 and 04000. */
static int
parse_modulus(const char *s)
{
	size_t i, n = strlen(s);
	int v = 0;

	if (n == 0 || n > 5 || s[0] == '0')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	opt_modulus = v;
	return 0;
}

static void
kind_cb(poptContext pc, enum poptCallbackReason why,
    const struct poptOption *o, const char *arg, void *data)
{
	static const ks_kind map[] = {
		[KIND_GENERAL] = KS_KIND_GENERAL,
		[KIND_USAGE] = KS_KIND_USAGE_KEYS,
		[KIND_SIGNATURE] = KS_KIND_SIGNATURE,
		[KIND_ENCRYPTION] = KS_KIND_ENCRYPTION,
	};

	(void)pc;
	(void)arg;
	(void)data;
	if (why != POPT_CALLBACK_REASON_OPTION || o->val < KIND_GENERAL ||
	    o->val > KIND_ENCRYPTION)
		return;
	kind = map[o->val];
	nkinds++;
}

static struct poptOption options[] = {
	{ NULL, '\0', POPT_ARG_CALLBACK, (void *)kind_cb, 0, NULL, NULL },
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "key name (default: the host's FQDN)", "NAME" },
	{ "modulus", '\0', POPT_ARG_STRING, &opt_modulus_s, 0,
	  "modulus size, 1024 to 16384 (default 2048)", "BITS" },
	{ "keysize", '\0', POPT_ARG_STRING, &opt_keysize_s, 0,
	  "EC key size: 256, 384 or 521 (default 256)", "BITS" },
	{ "curve", '\0', POPT_ARG_STRING, &opt_curve, 0,
	  "EC curve: p-256, p-384, p-521 or ed25519", "CURVE" },
	{ "general-keys", '\0', POPT_ARG_NONE, NULL, KIND_GENERAL,
	  "one general-purpose pair (default)", NULL },
	{ "usage-keys", '\0', POPT_ARG_NONE, NULL, KIND_USAGE,
	  "a signature pair and an encryption pair", NULL },
	{ "signature", '\0', POPT_ARG_NONE, NULL, KIND_SIGNATURE,
	  "a signature pair only", NULL },
	{ "encryption", '\0', POPT_ARG_NONE, NULL, KIND_ENCRYPTION,
	  "an encryption pair only", NULL },
	{ "exportable", '\0', POPT_ARG_NONE, &opt_exportable, 0,
	  "allow the private key to be exported later", NULL },
	{ "on", '\0', POPT_ARG_STRING, &opt_on, 0,
	  "generate on this token instead of the storage token", "TOKEN" },
	{ "replace", '\0', POPT_ARG_NONE, &opt_replace, 0,
	  "replace existing keys of the same name", NULL },
	POPT_TABLEEND
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* IOS tells before it starts whether the name is taken (of any type). */
static ks_status
check_existing(ks_ctx *ctx, const char *label)
{
	ks_key **keys = NULL;
	size_t n = 0;
	ks_status st;
	int ec;

	if ((st = ks_list(ctx, label, &keys, &n)) != KS_OK)
		return tool_fail_ctx(ctx, st);
	ec = n > 0 && ks_key_type(keys[0]) == KS_KEY_EC;
	ks_keys_free(keys, n);
	if (n == 0)
		return KS_OK;
	if (!opt_replace)
		return tool_fail(KS_EEXIST, "key '%s' already exists on token "
		    "'%s'; use --replace to replace it", label,
		    ks_ctx_token_label(ctx));
	tool_note("%% You already have %s keys defined named %s.",
	    ec ? "EC" : "RSA", label);
	tool_note("%% They will be replaced.");
	return KS_OK;
}

/* --keysize 256|384|521 or --curve NAME (not both); default P-256. */
static int
parse_curve(ks_curve *curve)
{
	static const struct {
		const char	*name;
		ks_curve	 curve;
	} names[] = {
		{ "p-256", KS_CURVE_P256 }, { "p256", KS_CURVE_P256 },
		{ "prime256v1", KS_CURVE_P256 }, { "secp256r1", KS_CURVE_P256 },
		{ "p-384", KS_CURVE_P384 }, { "p384", KS_CURVE_P384 },
		{ "secp384r1", KS_CURVE_P384 },
		{ "p-521", KS_CURVE_P521 }, { "p521", KS_CURVE_P521 },
		{ "secp521r1", KS_CURVE_P521 },
		{ "ed25519", KS_CURVE_ED25519 },
	};
	size_t i;

	*curve = KS_CURVE_P256;
	if (opt_modulus_s != NULL)
		return tool_fail(KS_EUSAGE, "EC keys take --keysize or "
		    "--curve, not --modulus");
	if (opt_keysize_s != NULL && opt_curve != NULL)
		return tool_fail(KS_EUSAGE, "give --keysize or --curve, not "
		    "both");
	if (opt_keysize_s != NULL) {
		if (strcmp(opt_keysize_s, "256") != 0 &&
		    strcmp(opt_keysize_s, "384") != 0 &&
		    strcmp(opt_keysize_s, "521") != 0)
			return tool_fail(KS_EUSAGE, "--keysize takes 256, 384 "
			    "or 521, not '%.16s'", opt_keysize_s);
		*curve = ks_curve_of_bits((unsigned)atoi(opt_keysize_s));
		return KS_OK;
	}
	if (opt_curve == NULL)
		return KS_OK;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(opt_curve, names[i].name) == 0) {
			*curve = names[i].curve;
			return KS_OK;
		}
	return tool_fail(KS_EUSAGE, "--curve takes p-256, p-384, p-521 or "
	    "ed25519, not '%.32s'", opt_curve);
}

/* The RSA options, checked; KS_OK or an exit status. */
static int
check_rsa_options(void)
{
	if (opt_keysize_s != NULL || opt_curve != NULL)
		return tool_fail(KS_EUSAGE, "RSA keys take --modulus, not "
		    "--keysize or --curve");
	if (opt_modulus_s != NULL && parse_modulus(opt_modulus_s) != 0)
		return tool_fail(KS_EUSAGE, "--modulus takes a decimal number "
		    "of bits, %d to %d (e.g. 2048), not '%.16s'",
		    KS_MODULUS_MIN, KS_MODULUS_MAX, opt_modulus_s);
	if (opt_modulus < KS_MODULUS_MIN || opt_modulus > KS_MODULUS_MAX)
		return tool_fail(KS_EUSAGE, "modulus %d is out of range; "
		    "choose %d to %d bits", opt_modulus, KS_MODULUS_MIN,
		    KS_MODULUS_MAX);
	return KS_OK;
}

static ks_status
generate(ks_ctx *ctx, const char *label, int ec, ks_curve curve)
{
	int flags = (opt_exportable ? KS_GEN_EXPORTABLE : 0) |
	    (opt_replace ? KS_GEN_REPLACE : 0);
	const char *how = opt_exportable ? "exportable" : "non-exportable";

	if (ec && curve == KS_CURVE_ED25519) {
		tool_note("%% Generating Ed25519 keys, keys will be %s...",
		    how);
		return ks_generate_ec(ctx, label, curve, kind, flags);
	}
	if (ec) {
		tool_note("%% The key modulus size is %s bits",
		    ks_curve_name(curve) + 2);
		tool_note("%% Generating %s bit EC keys, keys will be %s...",
		    ks_curve_name(curve) + 2, how);
		return ks_generate_ec(ctx, label, curve, kind, flags);
	}
	if (opt_modulus < 2048)
		tool_note("%% Warning: a %d-bit modulus is weak; use 2048 "
		    "bits or more", opt_modulus);
	tool_note("%% The key modulus size is %d bits", opt_modulus);
	tool_note("%% Generating %d bit RSA keys, keys will be %s...",
	    opt_modulus, how);
	return ks_generate(ctx, label, (unsigned)opt_modulus, kind, flags);
}

static int
run(const char **args, int nargs)
{
	char host[KS_LABEL_MAX + 1];
	const char *label = opt_label;
	ks_curve curve = KS_CURVE_NONE;
	int ec = verb_keyword != NULL && strcmp(verb_keyword, "ec") == 0;
	ks_ctx *ctx;
	ks_status st;
	double t0;

	(void)args;
	(void)nargs;
	if (nkinds > 1)
		return tool_fail(KS_EUSAGE, "choose one of --general-keys, "
		    "--usage-keys, --signature and --encryption");
	if ((st = ec ? parse_curve(&curve) : check_rsa_options()) != KS_OK)
		return st;
	if (curve == KS_CURVE_ED25519 && kind != KS_KIND_GENERAL &&
	    kind != KS_KIND_SIGNATURE)
		return tool_fail(KS_EUSAGE, "Ed25519 keys sign only; choose "
		    "--general-keys or --signature");
	if (label == NULL) {
		if (ks_default_label(host, sizeof(host)) != KS_OK)
			return tool_fail(KS_EFAIL, "cannot tell this host's "
			    "name; give a key name with --label");
		label = host;
	}
	if ((st = check_label(label)) != KS_OK)
		return st;
	if (opt_on != NULL)
		tool_opt.token = opt_on;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	/* a name is one name whatever the type of its keys */
	ks_ctx_set_key_types(ctx, KS_KEY_ALL);
	if ((st = check_existing(ctx, label)) != KS_OK) {
		ks_ctx_free(ctx);
		return st;
	}
	if (opt_label == NULL)
		tool_note("The name for the keys will be: %s", label);
	t0 = now();
	st = generate(ctx, label, ec, curve);
	if (st != KS_OK)
		tool_fail_ctx(ctx, st);
	else
		tool_note("[OK] (elapsed time was %.0f seconds)", now() - t0);
	ks_ctx_free(ctx);
	return (int)st;
}

struct verb verb_generate = {
	"generate", "rsa|ec", 0, 0,
	"generate rsa|ec [--label NAME] [--modulus BITS | --keysize BITS | "
	"--curve ed25519] ...",
	"generate an RSA or EC key pair on the token",
	options, run
};
