/*
 * cmd_show.c -- cryptokeyring show: keyrings and their entries as text
 * (IOS-like, keys with their Key Data), as JSON, or as IOS configuration
 * (show_ios.c).  Pre-shared keys are never printed, only masked.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cryptokeyring.h"

static int opt_json, opt_ios;

static struct poptOption options[] = {
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0,
	  "print a JSON array of keyrings", NULL },
	{ "ios", '\0', POPT_ARG_NONE, &opt_ios, 0,
	  "print IOS configuration (pre-shared keys masked)", NULL },
	POPT_TABLEEND
};

static void
print_hex(FILE *f, const unsigned char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", v[i]);
}

static void
text_entry(FILE *f, const ks_peer *p)
{
	const unsigned char *v;
	size_t len;

	if (ks_peer_kind_of(p) == KS_PEER_PSK) {
		fprintf(f, " Pre-shared key: %s %s\n",
		    ks_peer_by_name(ks_peer_match(p)), ks_peer_id(p));
		fprintf(f, "  Key: ******** (%ssensitive, %sextractable)\n",
		    ks_peer_sensitive(p) ? "" : "NOT ",
		    ks_peer_extractable(p) ? "" : "not ");
	} else {
		fprintf(f, " Peer key: %s %s\n",
		    ks_peer_by_name(ks_peer_match(p)), ks_peer_id(p));
		fprintf(f, "  Usage: %s\n", ks_usage_words(ks_peer_usage(p)));
		if (ks_peer_key_type(p) == KS_KEY_EC)
			fprintf(f, "  Key type: EC, curve %s\n",
			    ks_curve_name(ks_peer_curve(p)) != NULL ?
			    ks_curve_name(ks_peer_curve(p)) : "(unknown)");
		fprintf(f, "  Key size: %u bits\n", ks_peer_bits(p));
	}
	fprintf(f, "  Key ID: ");
	v = ks_peer_key_id(p, &len);
	print_hex(f, v, len);
	fprintf(f, "\n  URI: %s\n", ks_peer_uri(p) != NULL ?
	    ks_peer_uri(p) : "");
	if (ks_peer_kind_of(p) == KS_PEER_PUBKEY &&
	    (v = ks_peer_spki(p, &len)) != NULL) {
		fprintf(f, "  Key Data:\n");
		keydata_print(f, v, len, "   ");
	}
}

static void
show_text(FILE *f, const ks_keyring *r, const char *token)
{
	size_t i;

	fprintf(f, "Keyring: %s%s\n", ks_keyring_name(r),
	    ks_keyring_uri(r) == NULL && !ks_keyring_orphaned(r) ?
	    " (pubkey chain and global keys)" : "");
	if (ks_keyring_orphaned(r))
		fprintf(f, " *** The keyring's record is missing; 'cryptokeyring "
		    "delete %s' removes these entries. ***\n", ks_keyring_name(r));
	if (ks_keyring_description(r) != NULL)
		fprintf(f, " Description: %s\n", ks_keyring_description(r));
	if (ks_keyring_local_address(r) != NULL)
		fprintf(f, " Local address: %s\n", ks_keyring_local_address(r));
	fprintf(f, " Storage Device: %s\n", token);
	if (ks_keyring_uri(r) != NULL)
		fprintf(f, " URI: %s\n", ks_keyring_uri(r));
	if (ks_keyring_count(r) == 0)
		fprintf(f, " (no keys)\n");
	for (i = 0; i < ks_keyring_count(r); i++)
		text_entry(f, ks_keyring_entry(r, i));
}

static void
json_opt_string(FILE *f, const char *name, const char *v)
{
	fprintf(f, ", \"%s\": ", name);
	if (v != NULL)
		json_string(f, v);
	else
		fputs("null", f);
}

static void
json_entry(FILE *f, const ks_peer *p)
{
	const unsigned char *v;
	size_t len;
	char *pem;

	fprintf(f, "{\"kind\": \"%s\", \"match\": \"%s\", \"peer\": ",
	    ks_peer_kind_of(p) == KS_PEER_PSK ? "pre-shared-key" :
	    ks_peer_key_type(p) == KS_KEY_EC ? "ec-pubkey" : "rsa-pubkey",
	    ks_peer_by_name(ks_peer_match(p)));
	json_string(f, ks_peer_id(p));
	json_opt_string(f, "label", ks_peer_label(p));
	fprintf(f, ", \"id\": \"");
	v = ks_peer_key_id(p, &len);
	print_hex(f, v, len);
	fprintf(f, "\"");
	json_opt_string(f, "uri", ks_peer_uri(p));
	if (ks_peer_kind_of(p) == KS_PEER_PSK) {
		fprintf(f, ", \"sensitive\": %s, \"extractable\": %s}",
		    ks_peer_sensitive(p) ? "true" : "false",
		    ks_peer_extractable(p) ? "true" : "false");
		return;
	}
	fprintf(f, ", \"usage\": \"%s\", \"type\": \"%s\"",
	    ks_usage_name(ks_peer_usage(p)),
	    ks_keytype_name(ks_peer_key_type(p)));
	if (ks_peer_key_type(p) == KS_KEY_EC)
		json_opt_string(f, "curve", ks_curve_name(ks_peer_curve(p)));
	fprintf(f, ", \"bits\": %u", ks_peer_bits(p));
	pem = ks_peer_public_pem(p);
	json_opt_string(f, "public_key", pem);
	free(pem);
	fputs("}", f);
}

static void
show_json(FILE *f, const ks_keyring *r, const char *token)
{
	size_t i, n = ks_keyring_count(r);

	fprintf(f, "{\"name\": ");
	json_string(f, ks_keyring_name(r));
	json_opt_string(f, "description", ks_keyring_description(r));
	json_opt_string(f, "local_address", ks_keyring_local_address(r));
	fprintf(f, ", \"orphaned\": %s",
	    ks_keyring_orphaned(r) ? "true" : "false");
	json_opt_string(f, "token", token);
	json_opt_string(f, "uri", ks_keyring_uri(r));
	fprintf(f, ", \"entries\": [");
	for (i = 0; i < n; i++) {
		fputs(i == 0 ? "\n    " : ",\n    ", f);
		json_entry(f, ks_keyring_entry(r, i));
	}
	fputs(n > 0 ? "\n  ]}" : "]}", f);
}

static int
run(const char **args, int nargs)
{
	const char *name = nargs > 0 ? args[0] : NULL;
	ks_keyring **rings = NULL;
	const char *token;
	size_t n = 0, i;
	ks_ctx *ctx;
	ks_status st;

	if (opt_json && opt_ios)
		return tool_fail(KS_EUSAGE, "--json and --ios exclude each "
		    "other");
	if (name != NULL && (st = check_keyring(name)) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN)) != KS_OK)
		return st;
	if ((st = ks_keyring_list(ctx, name, &rings, &n)) != KS_OK) {
		tool_fail_ctx(ctx, st);
		ks_ctx_free(ctx);
		return st;
	}
	token = ks_ctx_token_label(ctx);
	if (opt_ios)
		show_ios(stdout, rings, n, name != NULL);
	else if (opt_json) {
		fputs("[", stdout);
		for (i = 0; i < n; i++) {
			fputs(i == 0 ? "\n  " : ",\n  ", stdout);
			show_json(stdout, rings[i], token);
		}
		fputs(n > 0 ? "\n]\n" : "]\n", stdout);
	} else {
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputc('\n', stdout);
			show_text(stdout, rings[i], token);
		}
	}
	ks_keyrings_free(rings, n);
	ks_ctx_free(ctx);
	if (fflush(stdout) != 0)
		st = tool_fail(KS_EFAIL, "cannot write the output");
	return (int)st;
}

struct verb verb_show = {
	"show", NULL, 0, 1,
	"show [NAME] [--json | --ios]",
	"show keyrings and their keys (IOS show crypto keyring / pubkey-chain)",
	options, run
};
