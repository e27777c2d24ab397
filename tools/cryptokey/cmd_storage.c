/*
 * cmd_storage.c -- cryptokey storage [TOKEN] (IOS "crypto key storage").
 */
#include "config.h"

#include <stdio.h>

#include "common/conffile.h"
#include "cryptokey.h"

static int opt_json;
static int opt_probe;

static struct poptOption options[] = {
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0,
	  "print a JSON object", NULL },
	{ "probe", '\0', POPT_ARG_NONE, &opt_probe, 0,
	  "log in and try data objects and extractable keys", NULL },
	POPT_TABLEEND
};

static const char *
yes_no(int v)
{
	return v == KS_CAP_UNKNOWN ? "unknown (storage --probe tries it)" :
	    v ? "yes" : "no";
}

/* "yes, 1024 to 4096 bits", "yes", "no" */
static void
print_range(const char *what, int v, unsigned min, unsigned max)
{
	if (v && min != 0 && max != 0)
		printf("  %s: yes, %u to %u bits\n", what, min, max);
	else
		printf("  %s: %s\n", what, yes_no(v));
}

static void
caps_text(const ks_caps *c)
{
	printf(" Capabilities:\n");
	printf("  Login required: %s\n", yes_no(c->login_required));
	printf("  PIN pad: %s\n", yes_no(c->pin_pad));
	printf("  Write-protected: %s\n", yes_no(c->write_protected));
	print_range("RSA key generation", c->rsa_keygen, c->rsa_min_bits,
	    c->rsa_max_bits);
	printf("  RSA signing: %s\n", yes_no(c->rsa_sign));
	printf("  RSA decryption: %s\n", yes_no(c->rsa_decrypt));
	print_range("EC key generation", c->ec_keygen, c->ec_min_bits,
	    c->ec_max_bits);
	printf("  EC named curves: %s\n", yes_no(c->ec_named_curves));
	printf("  ECDSA signing: %s\n", yes_no(c->ecdsa_sign));
	printf("  Ed25519 key generation: %s\n", yes_no(c->ed25519_keygen));
	printf("  EdDSA signing: %s\n", yes_no(c->eddsa_sign));
	printf("  ECDH key agreement: %s\n", yes_no(c->ecdh_derive));
	printf("  Key wrap (AES-KWP): %s\n", yes_no(c->wrap));
	printf("  Key unwrap (AES-KWP): %s\n", yes_no(c->unwrap));
	printf("  Token data objects: %s\n", yes_no(c->data_objects));
	printf("  Extractable keys: %s\n", yes_no(c->extractable));
}

static void
json_bool(const char *name, int v)
{
	printf(", \"%s\": %s", name, v == KS_CAP_UNKNOWN ? "null" :
	    v ? "true" : "false");
}

static void
json_uint(const char *name, unsigned v)
{
	printf(", \"%s\": %u", name, v);
}

static void
caps_json(const ks_caps *c)
{
	printf("\"login_required\": %s", c->login_required ? "true" :
	    "false");
	json_bool("pin_pad", c->pin_pad);
	json_bool("write_protected", c->write_protected);
	json_bool("rsa_keygen", c->rsa_keygen);
	json_uint("rsa_min_bits", c->rsa_min_bits);
	json_uint("rsa_max_bits", c->rsa_max_bits);
	json_bool("rsa_sign", c->rsa_sign);
	json_bool("rsa_decrypt", c->rsa_decrypt);
	json_bool("ec_keygen", c->ec_keygen);
	json_uint("ec_min_bits", c->ec_min_bits);
	json_uint("ec_max_bits", c->ec_max_bits);
	json_bool("ec_named_curves", c->ec_named_curves);
	json_bool("ecdsa_sign", c->ecdsa_sign);
	json_bool("ed25519_keygen", c->ed25519_keygen);
	json_bool("eddsa_sign", c->eddsa_sign);
	json_bool("ecdh_derive", c->ecdh_derive);
	json_bool("wrap", c->wrap);
	json_bool("unwrap", c->unwrap);
	json_bool("data_objects", c->data_objects);
	json_bool("extractable", c->extractable);
}

static void
show_json(ks_ctx *ctx, const ks_caps *c)
{
	printf("{\"token\": ");
	json_string(stdout, ks_ctx_token_label(ctx));
	printf(", \"uri\": ");
	json_string(stdout, ks_ctx_token_uri(ctx) ? ks_ctx_token_uri(ctx) :
	    "");
	printf(", \"module\": ");
	json_string(stdout, ks_ctx_module_path(ctx));
	printf(", \"configuration\": ");
	if (tool_env.config_found)
		json_string(stdout, tool_env.config_path);
	else
		printf("null");
	printf(", \"capabilities\": {");
	caps_json(c);
	printf("}}\n");
}

static int
show(void)
{
	ks_ctx *ctx;
	ks_caps caps;
	ks_status st;

	st = tool_open(&ctx, opt_probe ? KS_OPEN_LOGIN | KS_OPEN_WRITE : 0);
	if (st != KS_OK)
		return st;
	if ((st = ks_token_caps(ctx, opt_probe ? KS_CAPS_PROBE : 0,
	    &caps)) != KS_OK) {
		st = tool_fail(st, "%s", ks_ctx_error(ctx));
		ks_ctx_free(ctx);
		return st;
	}
	if (opt_json) {
		show_json(ctx, &caps);
		ks_ctx_free(ctx);
		return KS_OK;
	}
	printf("Storage Device: %s\n", ks_ctx_token_label(ctx));
	printf(" URI: %s\n", ks_ctx_token_uri(ctx) ? ks_ctx_token_uri(ctx) :
	    "");
	printf(" Module: %s\n", ks_ctx_module_path(ctx));
	printf(" Configuration: %s\n", tool_env.config_found ?
	    tool_env.config_path : "(none)");
	if (tool_env.embedded)
		printf(" Embedded token directory: %s\n",
		    tool_env.embedded_dir);
	caps_text(&caps);
	ks_ctx_free(ctx);
	return KS_OK;
}

static int
set(const char *token)
{
	char err[512];
	ks_ctx *ctx;
	ks_status st;

	tool_opt.token = (char *)token;
	tool_opt.config_may_be_missing = 1;
	if ((st = tool_open(&ctx, 0)) != KS_OK)
		return st;	/* the token must exist before we name it */
	if (ks_ctx_uri_pin_value(ctx) != NULL)
		st = tool_fail(KS_EUSAGE, "the URI carries a pin-value; a PIN "
		    "does not belong in %s -- use pin-source or --pin-source",
		    tool_env.config_path);
	else if (tool_env.config_path[0] == '\0')
		st = tool_fail(KS_EFAIL, "no configuration file path; give "
		    "one with --config");
	else if ((st = config_set(tool_env.config_path, "token", token, err,
	    sizeof(err))) != KS_OK)
		tool_fail(st, "%s", err);
	else if (tool_opt.module != NULL &&
	    (st = config_set(tool_env.config_path, "module", tool_opt.module,
	    err, sizeof(err))) != KS_OK)
		tool_fail(st, "%s", err);
	else if (tool_opt.pin_source != NULL &&
	    (st = config_set(tool_env.config_path, "pin-source",
	    tool_opt.pin_source, err, sizeof(err))) != KS_OK)
		tool_fail(st, "%s", err);
	else
		tool_note("%% Storage set to token '%s' in %s",
		    ks_ctx_token_label(ctx), tool_env.config_path);
	ks_ctx_free(ctx);
	return st;
}

static int
run(const char **args, int nargs)
{
	if (nargs > 0 && (opt_json || opt_probe))
		return tool_fail(KS_EUSAGE, "--json and --probe only go with "
		    "showing the storage, not setting it");
	return nargs == 0 ? show() : set(args[0]);
}

struct verb verb_storage = {
	"storage", NULL, 0, 1,
	"storage [--json] [--probe] | storage TOKEN",
	"show the token new keys go to and what it can do, or set it",
	options, run
};
