/*
 * cmd_show.c -- cryptokey show [rsa|ec] (IOS "show crypto key mypubkey
 * rsa|ec|all").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cryptokey.h"

static char *opt_label, *opt_format;
static int opt_json;

static struct poptOption options[] = {
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "show only the keys of this name", "NAME" },
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0,
	  "print a JSON array", NULL },
	{ "format", '\0', POPT_ARG_STRING, &opt_format, 0,
	  "print the public keys only: pem, rfc3110 (RSA), openssh or ios",
	  "FORMAT" },
	POPT_TABLEEND
};

static void
print_id(FILE *f, const ks_key *k)
{
	const unsigned char *id;
	size_t len, i;

	id = ks_key_id(k, &len);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", id[i]);
}

/* Labels come from the token: print control characters as \ooo so that
 * a label cannot drive the terminal. */
static void
print_label(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; p != NULL && *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\%03o", *p);
		else
			fputc(*p, f);
	}
}

static void
show_text(FILE *f, const ks_key *k, const char *token)
{
	const unsigned char *spki;
	char when[64] = "(not recorded)";
	time_t t = ks_key_created(k);
	struct tm tm;
	size_t len;

	if (t != 0 && gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%H:%M:%S UTC %b %d %Y", &tm);
	fprintf(f, "%% Key pair was generated at: %s\n", when);
	fprintf(f, "Key name: ");
	print_label(f, ks_key_label(k));
	if (ks_key_type(k) == KS_KEY_EC) {
		fprintf(f, "\nKey type: EC KEYS\n");
		fprintf(f, " Curve: %s\n", ks_curve_name(ks_key_curve(k)) !=
		    NULL ? ks_curve_name(ks_key_curve(k)) : "(unknown)");
	} else
		fprintf(f, "\nKey type: RSA KEYS\n");
	fprintf(f, " Storage Device: ");
	print_label(f, token);
	fputc('\n', f);
	fprintf(f, " Usage: %s\n", ks_usage_words(ks_key_usage(k)));
	if (ks_key_encrypted(k))
		fprintf(f, " *** The key is protected and %s. ***\n",
		    ks_key_locked(k) ? "LOCKED" : "UNLOCKED");
	fprintf(f, " Key is %sexportable.\n",
	    ks_key_exportable(k) ? "" : "not ");
	fprintf(f, " Key ID: ");
	print_id(f, k);
	fprintf(f, "\n URI: %s\n", ks_key_uri(k) != NULL ? ks_key_uri(k) : "");
	fprintf(f, " Key Data:\n");
	spki = ks_key_spki(k, &len);
	if (spki != NULL)
		keydata_print(f, spki, len, "  ");
}

static void
json_bool_field(FILE *f, const char *name, int v)
{
	fprintf(f, ", \"%s\": %s", name, v ? "true" : "false");
}

static void
show_json(FILE *f, const ks_key *k, const char *token)
{
	char when[32];
	time_t t = ks_key_created(k);
	struct tm tm;
	char *pem;

	fprintf(f, "{\"label\": ");
	json_string(f, ks_key_label(k));
	fprintf(f, ", \"usage\": \"%s\", \"type\": \"%s\"",
	    ks_usage_name(ks_key_usage(k)), ks_keytype_name(ks_key_type(k)));
	if (ks_key_type(k) == KS_KEY_EC) {
		fprintf(f, ", \"curve\": ");
		if (ks_curve_name(ks_key_curve(k)) != NULL)
			json_string(f, ks_curve_name(ks_key_curve(k)));
		else
			fprintf(f, "null");
	}
	fprintf(f, ", \"bits\": %u, \"id\": \"", ks_key_bits(k));
	print_id(f, k);
	fprintf(f, "\"");
	json_bool_field(f, "exportable", ks_key_exportable(k));
	json_bool_field(f, "encrypted", ks_key_encrypted(k));
	json_bool_field(f, "locked", ks_key_locked(k));
	fprintf(f, ", \"token\": ");
	json_string(f, token);
	fprintf(f, ", \"uri\": ");
	json_string(f, ks_key_uri(k));
	fprintf(f, ", \"created\": ");
	if (t != 0 && gmtime_r(&t, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) != 0)
		json_string(f, when);
	else
		fprintf(f, "null");
	fprintf(f, ", \"public_key\": ");
	pem = ks_key_public_pem(k);
	if (pem != NULL)
		json_string(f, pem);
	else
		fprintf(f, "null");
	free(pem);
	fprintf(f, "}");
}

/* Every key in fmt, or none: a key the format cannot carry (RFC 3110 of
 * an EC key) stops it before anything is printed. */
static ks_status
show_format(FILE *f, ks_key **keys, size_t n)
{
	size_t i;
	ks_status st = KS_OK;

	for (i = 0; i < n; i++)
		if (strcmp(opt_format, "rfc3110") == 0 &&
		    ks_key_type(keys[i]) != KS_KEY_RSA)
			return pubfmt_print(f, opt_format, keys[i]);
	for (i = 0; i < n && st == KS_OK; i++)
		st = pubfmt_print(f, opt_format, keys[i]);
	return st;
}

static int
run(const char **args, int nargs)
{
	ks_key **keys = NULL;
	size_t n = 0, i;
	ks_ctx *ctx;
	ks_status st;
	const char *token;
	int types = KS_KEY_ALL;

	if (nargs == 1 && strcmp(args[0], "rsa") == 0)
		types = KS_KEY_RSA;
	else if (nargs == 1 && strcmp(args[0], "ec") == 0)
		types = KS_KEY_EC;
	else if (nargs == 1 && strcmp(args[0], "all") != 0)
		return tool_fail(KS_EUSAGE, "show takes rsa, ec or all, not "
		    "'%.16s'", args[0]);
	if (opt_format != NULL && opt_json)
		return tool_fail(KS_EUSAGE, "--json and --format exclude each "
		    "other");
	if (opt_format != NULL && pubfmt_check(opt_format) != 0)
		return tool_fail(KS_EUSAGE, "--format takes pem, rfc3110, "
		    "openssh or ios, not '%.16s'", opt_format);
	if (opt_label != NULL && (st = check_label(opt_label)) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN)) != KS_OK)
		return st;
	ks_ctx_set_key_types(ctx, types);
	if ((st = ks_list(ctx, opt_label, &keys, &n)) != KS_OK) {
		tool_fail_ctx(ctx, st);
		ks_ctx_free(ctx);
		return st;
	}
	token = ks_ctx_token_label(ctx);
	if (opt_label != NULL && n == 0) {
		st = tool_fail(KS_ENOTFOUND, "no key named '%s' on token '%s'",
		    opt_label, token);
	} else if (opt_format != NULL) {
		st = show_format(stdout, keys, n);
	} else if (opt_json) {
		fputs("[", stdout);
		for (i = 0; i < n; i++) {
			fputs(i == 0 ? "\n  " : ",\n  ", stdout);
			show_json(stdout, keys[i], token);
		}
		fputs(n > 0 ? "\n]\n" : "]\n", stdout);
	} else {
		for (i = 0; i < n; i++)
			show_text(stdout, keys[i], token);
	}
	ks_keys_free(keys, n);
	ks_ctx_free(ctx);
	if (st == KS_OK && fflush(stdout) != 0)
		st = tool_fail(KS_EFAIL, "cannot write the output");
	return (int)st;
}

struct verb verb_show = {
	"show", NULL, 0, 1,
	"show [rsa|ec|all] [--label NAME] [--json | --format FORMAT]",
	"show key pairs (IOS show crypto key mypubkey rsa|ec|all)",
	options, run
};
