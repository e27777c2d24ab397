/*
 * cmd_generate.c -- cryptokey generate rsa (IOS "crypto key generate rsa").
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cryptokey.h"

enum { KIND_GENERAL = 1, KIND_USAGE, KIND_SIGNATURE, KIND_ENCRYPTION };

static char *opt_label, *opt_on, *opt_modulus_s;
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

/* IOS tells before it starts whether the name is taken. */
static ks_status
check_existing(ks_ctx *ctx, const char *label)
{
	ks_key **keys = NULL;
	size_t n = 0;
	ks_status st;

	if ((st = ks_list(ctx, label, &keys, &n)) != KS_OK)
		return tool_fail_ctx(ctx, st);
	ks_keys_free(keys, n);
	if (n == 0)
		return KS_OK;
	if (!opt_replace)
		return tool_fail(KS_EEXIST, "key '%s' already exists on token "
		    "'%s'; use --replace to replace it", label,
		    ks_ctx_token_label(ctx));
	tool_note("%% You already have RSA keys defined named %s.", label);
	tool_note("%% They will be replaced.");
	return KS_OK;
}

static int
run(const char **args, int nargs)
{
	char host[KS_LABEL_MAX + 1];
	const char *label = opt_label;
	ks_ctx *ctx;
	ks_status st;
	double t0;

	(void)args;
	(void)nargs;
	if (nkinds > 1)
		return tool_fail(KS_EUSAGE, "choose one of --general-keys, "
		    "--usage-keys, --signature and --encryption");
	if (opt_modulus_s != NULL && parse_modulus(opt_modulus_s) != 0)
		return tool_fail(KS_EUSAGE, "--modulus takes a decimal number "
		    "of bits, %d to %d (e.g. 2048), not '%.16s'",
		    KS_MODULUS_MIN, KS_MODULUS_MAX, opt_modulus_s);
	if (opt_modulus < KS_MODULUS_MIN || opt_modulus > KS_MODULUS_MAX)
		return tool_fail(KS_EUSAGE, "modulus %d is out of range; "
		    "choose %d to %d bits", opt_modulus, KS_MODULUS_MIN,
		    KS_MODULUS_MAX);
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
	if ((st = check_existing(ctx, label)) != KS_OK) {
		ks_ctx_free(ctx);
		return st;
	}
	if (opt_label == NULL)
		tool_note("The name for the keys will be: %s", label);
	if (opt_modulus < 2048)
		tool_note("%% Warning: a %d-bit modulus is weak; use 2048 "
		    "bits or more", opt_modulus);
	tool_note("%% The key modulus size is %d bits", opt_modulus);
	tool_note("%% Generating %d bit RSA keys, keys will be %s...",
	    opt_modulus, opt_exportable ? "exportable" : "non-exportable");
	t0 = now();
	st = ks_generate(ctx, label, (unsigned)opt_modulus, kind,
	    (opt_exportable ? KS_GEN_EXPORTABLE : 0) |
	    (opt_replace ? KS_GEN_REPLACE : 0));
	if (st != KS_OK)
		tool_fail_ctx(ctx, st);
	else
		tool_note("[OK] (elapsed time was %.0f seconds)", now() - t0);
	ks_ctx_free(ctx);
	return (int)st;
}

struct verb verb_generate = {
	"generate", "rsa", 0, 0,
	"generate rsa [--label NAME] [--modulus BITS] ...",
	"generate an RSA key pair on the token",
	options, run
};
