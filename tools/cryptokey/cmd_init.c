/*
 * cmd_init.c -- cryptokey init: create the embedded SoftHSM2 token.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/secret.h"
#include "cryptokey.h"

#define DEFAULT_TOKEN_LABEL	"cryptokey"

static char *opt_dir, *opt_token_label;

static struct poptOption options[] = {
	{ "dir", '\0', POPT_ARG_STRING, &opt_dir, 0,
	  "directory of the embedded token (default: the data directory)",
	  "DIR" },
	{ "token-label", '\0', POPT_ARG_STRING, &opt_token_label, 0,
	  "label of the new token (default: cryptokey)", "LABEL" },
	POPT_TABLEEND
};

static int
run(const char **args, int nargs)
{
	char dir[4096], pin[SECRET_MAX], err[512];
	const char *label = opt_token_label ? opt_token_label :
	    DEFAULT_TOKEN_LABEL;
	size_t pinlen = 0;
	ks_ctx *ctx;
	ks_status st;

	(void)args;
	(void)nargs;
	if (opt_dir != NULL)
		snprintf(dir, sizeof(dir), "%s", opt_dir);
	else if (ks_embedded_dir(dir, sizeof(dir)) != KS_OK)
		return tool_fail(KS_EFAIL, "cannot tell the data directory; "
		    "give one with --dir");
	if (dir[0] != '/')
		return tool_fail(KS_EUSAGE, "--dir needs an absolute path");
	if (tool_opt.pin_source != NULL) {
		st = secret_read(tool_opt.pin_source, "New user PIN: ",
		    tool_opt.batch, 1, pin, sizeof(pin), &pinlen, err,
		    sizeof(err));
		if (st != KS_OK)
			return tool_fail(st, "%s", err);
	}
	if (ks_ctx_new(&ctx) != KS_OK)
		return tool_fail(KS_EFAIL, "out of memory");
	if (tool_opt.module != NULL)
		(void)ks_ctx_set_module(ctx, tool_opt.module);
	st = ks_embedded_init(ctx, dir, label,
	    tool_opt.pin_source != NULL ? pin : NULL, pinlen);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (st != KS_OK) {
		tool_fail_ctx(ctx, st);
		ks_ctx_free(ctx);
		return st;
	}
	tool_note("%% Token '%s' created in %s", label, dir);
	tool_note("%% Module %s", ks_ctx_module_path(ctx));
	if (tool_opt.pin_source == NULL)
		tool_note("%% User PIN kept in %s/user.pin (mode 0600)", dir);
	if (opt_dir != NULL)
		tool_note("%% Set CRYPTOKEY_DIR=%s for the other commands to "
		    "use it", dir);
	ks_ctx_free(ctx);
	return KS_OK;
}

struct verb verb_init = {
	"init", NULL, 0, 0,
	"init [--dir DIR] [--token-label LABEL]",
	"create the embedded SoftHSM2 token",
	options, run
};
