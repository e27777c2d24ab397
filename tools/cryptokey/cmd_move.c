/*
 * cmd_move.c -- cryptokey move rsa|ec (IOS "crypto key move rsa").
 *
 *	move rsa|ec --label NAME --to TOKEN [--to-module PATH] [--non-exportable]
 *	move rsa|ec --label NAME --non-exportable
 *
 * The destination token is looked for in the source's module(s), or in
 * --to-module.  One process sees one SoftHSM2 configuration, so a SoftHSM2
 * token in another token directory is reached through a module that
 * forwards elsewhere, e.g. p11-kit-client.so talking to "p11-kit server"
 * started with that directory's SOFTHSM2_CONF.  Its PIN comes from
 * --to-pin-source, the --to URI's pin-source, else the source's PIN
 * source; a pin-value in --to is refused like one in --token.  The order of the token changes is written down in
 * libkeystore/move.c.
 */
#include "config.h"

#include "cryptokey.h"
#include "common/secret.h"

static char *opt_label, *opt_to, *opt_to_module, *opt_to_init, *opt_to_pin;
static int opt_nonexp;

static struct poptOption options[] = {
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "the key to move", "NAME" },
	{ "to", '\0', POPT_ARG_STRING, &opt_to, 0,
	  "the destination token (URI or label)", "TOKEN" },
	{ "to-module", '\0', POPT_ARG_STRING, &opt_to_module, 0,
	  "PKCS#11 module of the destination token (default: the source's)",
	  "PATH" },
	{ "to-module-init-args", '\0', POPT_ARG_STRING, &opt_to_init, 0,
	  "C_Initialize's pReserved for --to-module (as module-init-args)",
	  "STRING" },
	{ "to-pin-source", '\0', POPT_ARG_STRING, &opt_to_pin, 0,
	  "where the destination token's PIN comes from (default: as for "
	  "the source)", "SRC" },
	{ "non-exportable", '\0', POPT_ARG_NONE, &opt_nonexp, 0,
	  "make the key non-exportable (irreversible)", NULL },
	POPT_TABLEEND
};

/* The destination's PIN: --to-pin-source, the --to URI's pin-value or
 * pin-source, else the source's --pin-source or configured source. */
static ks_status
dst_pin(void *arg, const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	return tool_pin_read(arg, opt_to_pin, tool_opt.pin_source != NULL ?
	    tool_opt.pin_source : tool_env.pin_source, prompt, buf, bufsz,
	    len);
}

static int
open_dst(ks_ctx **out)
{
	const char *module = opt_to_module != NULL ? opt_to_module :
	    tool_env.module;
	ks_ctx *ctx;
	ks_status st;

	*out = NULL;
	if (ks_ctx_new(&ctx) != KS_OK)
		return tool_fail(KS_EFAIL, "out of memory");
	if ((st = ks_ctx_set_module(ctx, module)) != KS_OK ||
	    (st = ks_ctx_set_module_init_args(ctx, opt_to_init)) != KS_OK ||
	    (st = ks_ctx_set_token(ctx, opt_to)) != KS_OK) {
		tool_fail_ctx(ctx, st);
		ks_ctx_free(ctx);
		return st;
	}
	ks_ctx_set_pin_fn(ctx, dst_pin, ctx);
	if ((st = ks_ctx_open(ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK) {
		tool_fail_ctx(ctx, st);
		ks_ctx_free(ctx);
		return st;
	}
	*out = ctx;
	return KS_OK;
}

static int
in_place(ks_ctx *ctx)
{
	size_t done = 0;
	ks_status st;

	st = ks_make_non_exportable(ctx, opt_label, &done);
	if (st != KS_OK)
		return tool_fail_ctx(ctx, st);
	if (done > 0)
		tool_note("%% Key %s is now non-exportable; this cannot be "
		    "undone.", opt_label);
	else
		tool_note("%% Key %s was non-exportable already.", opt_label);
	return KS_OK;
}

static int
run(const char **args, int nargs)
{
	char err[512];
	ks_ctx *src = NULL, *dst = NULL;
	ks_status st;

	(void)args;
	(void)nargs;
	if (opt_label == NULL)
		return tool_fail(KS_EUSAGE, "which key? give its name with "
		    "--label");
	if (opt_to == NULL && !opt_nonexp)
		return tool_fail(KS_EUSAGE, "move where? give --to TOKEN, or "
		    "--non-exportable alone to protect the key in place");
	if (opt_to_init != NULL && opt_to_module == NULL)
		return tool_fail(KS_EUSAGE, "--to-module-init-args goes with "
		    "--to-module");
	if (opt_to == NULL && (opt_to_module != NULL || opt_to_pin != NULL))
		return tool_fail(KS_EUSAGE, "--to-module and --to-pin-source "
		    "need --to TOKEN");
	if (opt_to_pin != NULL &&
	    (st = secret_check(opt_to_pin, err, sizeof(err))) != KS_OK)
		return tool_fail(st, "--to-pin-source: %s", err);
	if ((st = tool_cli_token("--to", opt_to)) != KS_OK)
		return st;
	if ((st = check_label(opt_label)) != KS_OK)
		return st;
	if ((st = tool_open(&src, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	if (opt_to == NULL) {
		st = in_place(src);
		ks_ctx_free(src);
		return (int)st;
	}
	if ((st = open_dst(&dst)) != KS_OK) {
		ks_ctx_free(src);
		return st;
	}
	st = ks_move(src, dst, opt_label,
	    opt_nonexp ? KS_MOVE_NON_EXPORTABLE : 0);
	if (st != KS_OK)
		tool_fail_ctx(src, st);
	else
		tool_note("%% Key %s moved from token '%s' to token '%s'%s.",
		    opt_label, ks_ctx_token_label(src),
		    ks_ctx_token_label(dst),
		    opt_nonexp ? " and made non-exportable" : "");
	ks_ctx_free(dst);
	ks_ctx_free(src);
	return (int)st;
}

struct verb verb_move = {
	"move", "rsa|ec", 0, 0,
	"move rsa|ec --label NAME (--to TOKEN [--to-module PATH] "
	    "[--to-pin-source SRC] [--non-exportable] | --non-exportable)",
	"move a key pair to another token, or make it non-exportable",
	options, run
};
