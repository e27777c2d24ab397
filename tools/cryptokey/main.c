/*
 * main.c -- cryptokey(1): find the verb, parse its options with popt, run.
 *
 *	cryptokey [global options] VERB [rsa] [options] [args]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cryptokey.h"

static struct verb *const verbs[] = {
	&verb_init, &verb_storage, &verb_generate, &verb_show, &verb_export,
	&verb_import, &verb_encrypt, &verb_decrypt, &verb_lock, &verb_unlock,
	&verb_move, &verb_zeroize,
};
#define NVERBS	(sizeof(verbs) / sizeof(verbs[0]))

static int opt_version;

static struct poptOption version_option[] = {
	{ "version", '\0', POPT_ARG_NONE, &opt_version, 0,
	  "print the version and exit", NULL },
	POPT_TABLEEND
};

int
check_label(const char *label)
{
	ks_ctx *ctx;
	ks_status st;

	if (ks_ctx_new(&ctx) != KS_OK)
		return tool_fail(KS_EFAIL, "out of memory");
	if ((st = ks_label_check(ctx, label)) != KS_OK)
		tool_fail_ctx(ctx, st);
	ks_ctx_free(ctx);
	return (int)st;
}

/* Is argv[i] a global option whose value is the next word? */
static int
takes_value(const char *arg)
{
	const struct poptOption *o;

	if (strncmp(arg, "--", 2) != 0 || strchr(arg, '=') != NULL)
		return 0;
	for (o = tool_global_options; o->longName != NULL; o++)
		if (strcmp(arg + 2, o->longName) == 0)
			return (o->argInfo & POPT_ARG_MASK) == POPT_ARG_STRING;
	return 0;
}

static struct verb *
find_verb(int argc, const char **argv)
{
	size_t v;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			i++;
		else if (argv[i][0] == '-') {
			if (takes_value(argv[i]))
				i++;
			continue;
		}
		if (i >= argc)
			break;
		for (v = 0; v < NVERBS; v++)
			if (strcmp(argv[i], verbs[v]->name) == 0)
				return verbs[v];
		return NULL;
	}
	return NULL;
}

static int
has_word(int argc, const char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			return 1;
		if (takes_value(argv[i]))
			i++;
	}
	return 0;
}

static int
general_help(FILE *f, int argc, const char **argv, int status)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, tool_global_options, 0,
		  "Global options:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, version_option, 0, NULL,
		  NULL },
		POPT_AUTOHELP
		POPT_TABLEEND
	};
	poptContext pc;
	size_t v;

	pc = poptGetContext(tool_progname, argc, argv, table, 0);
	poptSetOtherOptionHelp(pc, "VERB [rsa] [OPTION...]");
	poptPrintHelp(pc, f, 0);
	fprintf(f, "\nVerbs:\n");
	for (v = 0; v < NVERBS; v++)
		fprintf(f, "  %s\n      %s\n", verbs[v]->synopsis,
		    verbs[v]->summary);
	fprintf(f, "\n'cryptokey VERB --help' lists a verb's options; "
	    "cryptokey(1) has examples.\n");
	poptFreeContext(pc);
	return status;
}

/* No verb: name a bad option if there is one, else print the usage. */
static int
no_verb(int argc, const char **argv)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, tool_global_options, 0,
		  NULL, NULL },
		POPT_TABLEEND
	};
	poptContext pc;
	int rc;

	pc = poptGetContext(tool_progname, argc, argv, table, 0);
	while ((rc = poptGetNextOpt(pc)) > 0)
		;
	if (rc < -1)
		rc = tool_popt_fail(pc, rc);
	else
		rc = general_help(stderr, argc, argv, KS_EUSAGE);
	poptFreeContext(pc);
	return rc;
}

/* Our own --help and --usage: popt's autohelp always claims --usage, which
 * "import" needs for the IOS usage keyword. */
#define OPT_HELP	0x4845
#define OPT_USAGE	0x4855
static struct poptOption help_options[] = {
	{ "help", '?', POPT_ARG_NONE, NULL, OPT_HELP,
	  "show this help message", NULL },
	{ "usage", '\0', POPT_ARG_NONE, NULL, OPT_USAGE,
	  "show a brief usage message", NULL },
	POPT_TABLEEND
};

static int
is_empty_table(const struct poptOption *o)
{
	return o->longName == NULL && o->shortName == '\0' && o->argInfo == 0;
}

/* Does the verb have an option of that name? */
static int
has_option(const struct poptOption *o, const char *name)
{
	for (; !is_empty_table(o); o++)
		if (o->longName != NULL && strcmp(o->longName, name) == 0)
			return 1;
	return 0;
}

static int
run_verb(struct verb *vb, int argc, const char **argv)
{
	struct poptOption table[4];
	const struct poptOption end = POPT_TABLEEND;
	const char **args;
	poptContext pc;
	int rc, nargs = 0, first = 1, status, n = 0;

	if (!is_empty_table(vb->options))
		table[n++] = (struct poptOption){ NULL, '\0',
		    POPT_ARG_INCLUDE_TABLE, vb->options, 0, "Options:", NULL };
	table[n++] = (struct poptOption){ NULL, '\0', POPT_ARG_INCLUDE_TABLE,
	    tool_global_options, 0, "Global options:", NULL };
	/* "import" uses --usage for the key usage: it gets --help alone */
	if (has_option(vb->options, "usage"))
		table[n++] = (struct poptOption){ "help", '?', POPT_ARG_NONE,
		    NULL, OPT_HELP, "show this help message", NULL };
	else
		table[n++] = (struct poptOption){ NULL, '\0',
		    POPT_ARG_INCLUDE_TABLE, help_options, 0, "Help options:",
		    NULL };
	table[n] = end;
	pc = poptGetContext(tool_progname, argc, argv, table, 0);
	poptSetOtherOptionHelp(pc, vb->synopsis);
	while ((rc = poptGetNextOpt(pc)) > 0) {
		if (rc == OPT_HELP || rc == OPT_USAGE) {
			if (rc == OPT_HELP)
				poptPrintHelp(pc, stdout, 0);
			else
				poptPrintUsage(pc, stdout, 0);
			poptFreeContext(pc);
			return 0;
		}
	}
	if (rc < -1) {
		status = tool_popt_fail(pc, rc);
		poptFreeContext(pc);
		return status;
	}
	args = poptGetArgs(pc);
	while (args != NULL && args[nargs] != NULL)
		nargs++;
	/* args[0] is the verb itself */
	if (vb->needs_rsa) {
		if (nargs < 2 || strcmp(args[1], "rsa") != 0) {
			poptFreeContext(pc);
			return tool_fail(KS_EUSAGE, "expected 'rsa' after "
			    "'%s' (usage: cryptokey %s)", vb->name,
			    vb->synopsis);
		}
		first = 2;
	}
	if (nargs - first > vb->max_args) {
		status = tool_fail(KS_EUSAGE, "unexpected argument '%s' "
		    "(usage: cryptokey %s)", args[first + vb->max_args],
		    vb->synopsis);
		poptFreeContext(pc);
		return status;
	}
	status = vb->run(args + first, nargs - first);
	poptFreeContext(pc);
	return status;
}

int
main(int argc, const char **argv)
{
	struct verb *vb;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("cryptokey %s\n", PACKAGE_VERSION);
			return 0;
		}
	}
	if ((vb = find_verb(argc, argv)) != NULL)
		return run_verb(vb, argc, argv);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-?") == 0 ||
		    strcmp(argv[i], "--usage") == 0)
			return general_help(stdout, argc, argv, 0);
	if (has_word(argc, argv)) {
		for (i = 1; i < argc && argv[i][0] == '-'; i++)
			if (takes_value(argv[i]))
				i++;
		return tool_fail(KS_EUSAGE, "unknown verb '%s'; "
		    "'cryptokey --help' lists them", argv[i]);
	}
	return no_verb(argc, argv);
}
