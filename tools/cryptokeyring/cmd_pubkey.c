/*
 * cmd_pubkey.c -- cryptokeyring add-pubkey / del-pubkey (IOS "rsa-pubkey"
 * in a keyring; "addressed-key" and "named-key" in the pubkey chain).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cryptokeyring.h"

static char *opt_in, *opt_keystring, *opt_usage;

static struct poptOption add_own[] = {
	{ "in", '\0', POPT_ARG_STRING, &opt_in, 0,
	  "the peer's public key in PEM (PUBLIC KEY, RSA PUBLIC KEY or a "
	  "CERTIFICATE)", "PEMFILE" },
	{ "key-string", '\0', POPT_ARG_STRING, &opt_keystring, 0,
	  "the peer's key as IOS key-string hex (- for standard input)",
	  "FILE|-" },
	{ "usage", '\0', POPT_ARG_STRING, &opt_usage, 0,
	  "signature or encryption (default: general purpose)", "USAGE" },
	POPT_TABLEEND
};

static struct poptOption add_options[] = {
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, peer_options, 0, NULL, NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, add_own, 0, NULL, NULL },
	POPT_TABLEEND
};

static struct poptOption del_options[] = {
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, peer_options, 0, NULL, NULL },
	POPT_TABLEEND
};

static int
parse_usage(ks_usage *u)
{
	*u = KS_USAGE_GENERAL;
	if (opt_usage == NULL || strcmp(opt_usage, "general") == 0)
		return KS_OK;
	if (strcmp(opt_usage, "signature") == 0)
		*u = KS_USAGE_SIGNATURE;
	else if (strcmp(opt_usage, "encryption") == 0)
		*u = KS_USAGE_ENCRYPTION;
	else
		return tool_fail(KS_EUSAGE, "--usage is signature or "
		    "encryption, not '%s'", opt_usage);
	return KS_OK;
}

/* The key from --in or --key-string, checked, before the token opens. */
static int
load_key(unsigned char **spki, size_t *spkilen)
{
	const char *path = opt_in != NULL ? opt_in : opt_keystring;
	char *text = NULL;
	size_t len = 0;
	ks_ctx *ctx;
	ks_status st;

	if ((opt_in != NULL) == (opt_keystring != NULL))
		return tool_fail(KS_EUSAGE, "give the key with exactly one of "
		    "--in PEMFILE or --key-string FILE|-");
	if ((st = read_text(path, opt_keystring != NULL, &text, &len)) !=
	    KS_OK)
		return st;
	if (ks_ctx_new(&ctx) != KS_OK) {
		free(text);
		return tool_fail(KS_EFAIL, "out of memory");
	}
	if (opt_in != NULL)
		st = ks_pubkey_pem_parse(ctx, text, len, spki, spkilen);
	else
		st = ks_keystring_parse(ctx, text, len, spki, spkilen);
	if (st != KS_OK)
		tool_fail(st, "%s: %s", strcmp(path, "-") == 0 ?
		    "standard input" : path, ks_ctx_error(ctx));
	ks_ctx_free(ctx);
	free(text);
	return st;
}

static int
run_add(const char **args, int nargs)
{
	char norm[KS_PEER_ID_MAX + 1];
	unsigned char *spki = NULL;
	size_t spkilen = 0;
	ks_peer_by by;
	ks_usage usage;
	ks_ctx *ctx = NULL;
	ks_status st;

	(void)nargs;
	if ((st = check_keyring(args[0])) != KS_OK ||
	    (st = peer_choice(0, &by, norm, sizeof(norm))) != KS_OK ||
	    (st = parse_usage(&usage)) != KS_OK ||
	    (st = load_key(&spki, &spkilen)) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		goto out;
	st = ks_keyring_add_pubkey(ctx, args[0], by, norm, usage, spki,
	    spkilen);
	if (st != KS_OK)
		tool_fail_ctx(ctx, st);
	else
		tool_note("%% Added %s key for %s %s to keyring '%s'.",
		    ks_usage_name(usage), ks_peer_by_name(by), norm, args[0]);
out:
	ks_ctx_free(ctx);
	free(spki);
	return (int)st;
}

static int
run_del(const char **args, int nargs)
{
	char norm[KS_PEER_ID_MAX + 1];
	size_t removed = 0;
	ks_peer_by by;
	ks_ctx *ctx;
	ks_status st;

	(void)nargs;
	if ((st = check_keyring(args[0])) != KS_OK ||
	    (st = peer_choice(0, &by, norm, sizeof(norm))) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	st = ks_keyring_del_pubkey(ctx, args[0], by, norm, &removed);
	if (st != KS_OK)
		tool_fail_ctx(ctx, st);
	else
		tool_note("%% Removed %zu key%s for %s %s from keyring '%s'.",
		    removed, removed == 1 ? "" : "s", ks_peer_by_name(by),
		    norm, args[0]);
	ks_ctx_free(ctx);
	return (int)st;
}

struct verb verb_add_pubkey = {
	"add-pubkey", NULL, 1, 1,
	"add-pubkey NAME (--address ADDR | --hostname FQDN | --name NAME) "
	    "(--in PEMFILE | --key-string FILE|-) "
	    "[--usage signature|encryption]",
	"add a peer's RSA public key (IOS rsa-pubkey, addressed-key, "
	    "named-key)",
	add_options, run_add
};

struct verb verb_del_pubkey = {
	"del-pubkey", NULL, 1, 1,
	"del-pubkey NAME (--address ADDR | --hostname FQDN | --name NAME)",
	"remove a peer's public keys",
	del_options, run_del
};
