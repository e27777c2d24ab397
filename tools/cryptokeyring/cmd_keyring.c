/*
 * cmd_keyring.c -- cryptokeyring create / delete (IOS "crypto keyring
 * NAME" with its description and local-address, and "no crypto keyring").
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cryptokeyring.h"

static char *opt_description, *opt_local;
static int opt_yes;

static struct poptOption create_options[] = {
	{ "description", '\0', POPT_ARG_STRING, &opt_description, 0,
	  "free text (IOS description), at most 80 characters", "TEXT" },
	{ "local-address", '\0', POPT_ARG_STRING, &opt_local, 0,
	  "use the keyring only for IKE on this address or interface",
	  "ADDR" },
	POPT_TABLEEND
};

static struct poptOption delete_options[] = {
	{ "yes", 'y', POPT_ARG_NONE, &opt_yes, 0,
	  "do not ask for confirmation", NULL },
	POPT_TABLEEND
};

static int
run_create(const char **args, int nargs)
{
	ks_ctx *ctx;
	ks_status st;

	(void)nargs;
	if ((st = check_keyring(args[0])) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	st = ks_keyring_create(ctx, args[0], opt_description, opt_local);
	if (st != KS_OK)
		tool_fail_ctx(ctx, st);
	else
		tool_note("%% Keyring '%s' created on token '%s'.", args[0],
		    ks_ctx_token_label(ctx));
	ks_ctx_free(ctx);
	return (int)st;
}

/* IOS style: "[yes/no]", and only "yes" goes ahead. */
static int
confirmed(const char *name, size_t entries)
{
	char answer[16];
	FILE *tty;
	int ok = 0;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return 0;
	fprintf(tty, "Do you really want to remove keyring '%s' and its %zu "
	    "entr%s? [yes/no]: ", name, entries, entries == 1 ? "y" : "ies");
	fflush(tty);
	if (fgets(answer, sizeof(answer), tty) != NULL)
		ok = strcmp(answer, "yes\n") == 0 || strcmp(answer, "yes") == 0;
	fclose(tty);
	return ok;
}

static int
run_delete(const char **args, int nargs)
{
	ks_keyring **rings = NULL;
	size_t n = 0, removed = 0;
	ks_ctx *ctx;
	ks_status st;

	(void)nargs;
	if ((st = check_keyring(args[0])) != KS_OK)
		return st;
	if (!opt_yes && (tool_opt.batch || !isatty(STDIN_FILENO)))
		return tool_fail(KS_EUSAGE, "delete removes keyring '%s' and "
		    "its keys for good; without a terminal to confirm on, add "
		    "--yes", args[0]);
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	/* see what there is before asking */
	if (strcmp(args[0], KS_KEYRING_DEFAULT) != 0 &&
	    (st = ks_keyring_list(ctx, args[0], &rings, &n)) != KS_OK) {
		tool_fail_ctx(ctx, st);
		goto out;
	}
	if (!opt_yes && n > 0 && !confirmed(args[0],
	    ks_keyring_count(rings[0]))) {
		tool_note("%% Nothing was removed.");
		st = KS_EFAIL;
		goto out;
	}
	if ((st = ks_keyring_delete(ctx, args[0], &removed)) != KS_OK) {
		tool_fail_ctx(ctx, st);
		goto out;
	}
	tool_note("%% Keyring '%s' and %zu entr%s removed from token '%s'.",
	    args[0], removed, removed == 1 ? "y" : "ies",
	    ks_ctx_token_label(ctx));
out:
	ks_keyrings_free(rings, n);
	ks_ctx_free(ctx);
	return (int)st;
}

struct verb verb_create = {
	"create", NULL, 1, 1,
	"create NAME [--description TEXT] [--local-address ADDR]",
	"create a keyring (IOS crypto keyring)",
	create_options, run_create
};

struct verb verb_delete = {
	"delete", NULL, 1, 1,
	"delete NAME [--yes]",
	"remove a keyring with all its keys",
	delete_options, run_delete
};
