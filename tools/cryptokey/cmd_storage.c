/*
 * cmd_storage.c -- cryptokey storage [TOKEN] (IOS "crypto key storage").
 */
#include "config.h"

#include <stdio.h>

#include "common/conffile.h"
#include "cryptokey.h"

static struct poptOption options[] = {
	POPT_TABLEEND
};

static int
show(void)
{
	ks_ctx *ctx;
	ks_status st;

	if ((st = tool_open(&ctx, 0)) != KS_OK)
		return st;
	printf("Storage Device: %s\n", ks_ctx_token_label(ctx));
	printf(" URI: %s\n", ks_ctx_token_uri(ctx) ? ks_ctx_token_uri(ctx) :
	    "");
	printf(" Module: %s\n", ks_ctx_module_path(ctx));
	printf(" Configuration: %s\n", tool_env.config_found ?
	    tool_env.config_path : "(none)");
	if (tool_env.embedded)
		printf(" Embedded token directory: %s\n",
		    tool_env.embedded_dir);
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
	return nargs == 0 ? show() : set(args[0]);
}

struct verb verb_storage = {
	"storage", NULL, 0, 1,
	"storage [TOKEN]",
	"show or set the token new keys go to",
	options, run
};
