/*
 * cmd_zeroize.c -- cryptokey zeroize rsa|ec (IOS "crypto key zeroize rsa").
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cryptokey.h"

static char *opt_label;
static int opt_yes;

static struct poptOption options[] = {
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "remove only the keys of this name", "NAME" },
	{ "yes", 'y', POPT_ARG_NONE, &opt_yes, 0,
	  "do not ask for confirmation", NULL },
	POPT_TABLEEND
};

/* IOS asks "[yes/no]" and takes only "yes". */
static int
confirmed(void)
{
	char answer[16];
	FILE *tty;
	int ok = 0;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return 0;
	fputs("Do you really want to remove these keys? [yes/no]: ", tty);
	fflush(tty);
	if (fgets(answer, sizeof(answer), tty) != NULL)
		ok = strcmp(answer, "yes\n") == 0 || strcmp(answer, "yes") == 0;
	fclose(tty);
	return ok;
}

/* Pairs the zeroize would remove: the name's, or every managed one. */
static size_t
count_targets(ks_key **keys, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (opt_label != NULL || ks_key_managed(keys[i]))
			c++;
	return c;
}

static int
run(const char **args, int nargs)
{
	ks_key **keys = NULL;
	size_t n = 0, targets, removed = 0;
	ks_ctx *ctx;
	ks_status st;

	(void)args;
	(void)nargs;
	if (opt_label != NULL && (st = check_label(opt_label)) != KS_OK)
		return st;
	if (!opt_yes && (tool_opt.batch || !isatty(STDIN_FILENO)))
		return tool_fail(KS_EUSAGE, "zeroize removes keys for good; "
		    "without a terminal to confirm on, add --yes");
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	if ((st = ks_list(ctx, opt_label, &keys, &n)) != KS_OK) {
		tool_fail_ctx(ctx, st);
		goto out;
	}
	targets = count_targets(keys, n);
	if (opt_label != NULL && targets == 0) {
		/* nothing listed; the library still removes what an
		 * interrupted run left, or says there is nothing */
		if ((st = ks_zeroize(ctx, opt_label, &removed)) != KS_OK)
			tool_fail_ctx(ctx, st);
		else
			tool_note("%% Removed what was left of '%s'.",
			    opt_label);
		goto out;
	}
	if (opt_label != NULL)
		tool_note("%% Keys to be removed are named '%s'.", opt_label);
	else
		tool_note("%% All keys made by cryptokey on token '%s' will be "
		    "removed.", ks_ctx_token_label(ctx));
	if (!opt_yes && !confirmed()) {
		tool_note("%% Nothing was removed.");
		st = KS_EFAIL;
		goto out;
	}
	if ((st = ks_zeroize(ctx, opt_label, &removed)) != KS_OK &&
	    !(st == KS_ENOTFOUND && opt_label == NULL)) {
		tool_fail_ctx(ctx, st);
		goto out;
	}
	st = KS_OK;
	tool_note("%% Removed %zu key pair%s from token '%s'.", removed,
	    removed == 1 ? "" : "s", ks_ctx_token_label(ctx));
out:
	ks_keys_free(keys, n);
	ks_ctx_free(ctx);
	return (int)st;
}

struct verb verb_zeroize = {
	"zeroize", "rsa|ec", 0, 0,
	"zeroize rsa|ec [--label NAME] [--yes]",
	"remove key pairs from the token",
	options, run
};
