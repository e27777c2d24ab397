/*
 * cmd_psk.c -- cryptokeyring add-psk / del-psk (IOS "pre-shared-key" in a
 * keyring; "crypto isakmp key" for the default keyring).
 *
 * The key comes from the passphrase source (a prompt asks twice), goes to
 * the token as a sensitive, non-extractable secret key, and is wiped here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "cryptokeyring.h"

static struct poptOption options[] = {
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, psk_peer_options, 0, NULL,
	  NULL },
	POPT_TABLEEND
};

/* Refuse an unknown keyring or a duplicate before asking for the key. */
static int
precheck(ks_ctx *ctx, const char *name, ks_peer_by by, const char *norm)
{
	ks_keyring **rings = NULL;
	const ks_peer *p;
	size_t n = 0, i;
	ks_status st;

	if ((st = ks_keyring_list(ctx, name, &rings, &n)) != KS_OK)
		return tool_fail_ctx(ctx, st);
	for (i = 0; n > 0 && i < ks_keyring_count(rings[0]); i++) {
		p = ks_keyring_entry(rings[0], i);
		if (ks_peer_kind_of(p) == KS_PEER_PSK && ks_peer_match(p) == by &&
		    strcmp(ks_peer_id(p), norm) == 0) {
			st = tool_fail(KS_EEXIST, "keyring '%s' already has a "
			    "pre-shared key for %s %s; remove it with del-psk "
			    "first", name, ks_peer_by_name(by), norm);
			break;
		}
	}
	ks_keyrings_free(rings, n);
	return st;
}

static int
run_add(const char **args, int nargs)
{
	char norm[KS_PEER_ID_MAX + 1], prompt[KS_PEER_ID_MAX + 64];
	char psk[KS_PSK_MAX + 1];
	size_t psklen = 0;
	ks_peer_by by;
	ks_ctx *ctx;
	ks_status st;

	(void)nargs;
	if ((st = check_keyring(args[0])) != KS_OK ||
	    (st = peer_choice(1, &by, norm, sizeof(norm))) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	if ((st = precheck(ctx, args[0], by, norm)) != KS_OK)
		goto out;
	snprintf(prompt, sizeof(prompt), "Pre-shared key for %s %s: ",
	    ks_peer_by_name(by), norm);
	if ((st = tool_passphrase(prompt, 1, psk, sizeof(psk), &psklen)) !=
	    KS_OK)
		goto out;
	st = ks_keyring_add_psk(ctx, args[0], by, norm,
	    (const unsigned char *)psk, psklen);
	if (st != KS_OK)
		tool_fail_ctx(ctx, st);
	else
		tool_note("%% Added pre-shared key for %s %s to keyring '%s'.",
		    ks_peer_by_name(by), norm, args[0]);
out:
	OPENSSL_cleanse(psk, sizeof(psk));
	ks_ctx_free(ctx);
	return (int)st;
}

static int
run_del(const char **args, int nargs)
{
	char norm[KS_PEER_ID_MAX + 1];
	ks_peer_by by;
	ks_ctx *ctx;
	ks_status st;

	(void)nargs;
	if ((st = check_keyring(args[0])) != KS_OK ||
	    (st = peer_choice(1, &by, norm, sizeof(norm))) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	st = ks_keyring_del_psk(ctx, args[0], by, norm);
	if (st != KS_OK)
		tool_fail_ctx(ctx, st);
	else
		tool_note("%% Removed pre-shared key for %s %s from keyring "
		    "'%s'.", ks_peer_by_name(by), norm, args[0]);
	ks_ctx_free(ctx);
	return (int)st;
}

struct verb verb_add_psk = {
	"add-psk", NULL, 1, 1,
	"add-psk NAME (--address ADDR[/MASK] | --hostname FQDN | --name ID)",
	"add a pre-shared key from the passphrase source (IOS pre-shared-key)",
	options, run_add
};

struct verb verb_del_psk = {
	"del-psk", NULL, 1, 1,
	"del-psk NAME (--address ADDR[/MASK] | --hostname FQDN | --name ID)",
	"remove a pre-shared key",
	options, run_del
};
