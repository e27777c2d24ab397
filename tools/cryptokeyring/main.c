/*
 * main.c -- cryptokeyring(1): find the verb, parse its options with popt,
 * run it.
 *
 *	cryptokeyring [global options] VERB [options] [NAME]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cryptokeyring.h"

static struct verb *const verbs[] = {
	&verb_create, &verb_delete, &verb_show, &verb_add_pubkey,
	&verb_del_pubkey, &verb_add_psk, &verb_del_psk,
};
#define NVERBS	(sizeof(verbs) / sizeof(verbs[0]))

static int opt_version;

static struct poptOption version_option[] = {
	{ "version", '\0', POPT_ARG_NONE, &opt_version, 0,
	  "print the version and exit", NULL },
	POPT_TABLEEND
};

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

/* The first word that is not a global option or its value. */
static int
first_word(int argc, const char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (argv[i][0] != '-')
			return i;
		if (takes_value(argv[i]))
			i++;
	}
	return -1;
}

static struct verb *
find_verb(const char *word)
{
	size_t v;

	for (v = 0; v < NVERBS; v++)
		if (strcmp(word, verbs[v]->name) == 0)
			return verbs[v];
	return NULL;
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
	poptSetOtherOptionHelp(pc, "VERB [OPTION...] [NAME]");
	poptPrintHelp(pc, f, 0);
	fprintf(f, "\nVerbs:\n");
	for (v = 0; v < NVERBS; v++)
		fprintf(f, "  %s\n      %s\n", verbs[v]->synopsis,
		    verbs[v]->summary);
	fprintf(f, "\n'cryptokeyring VERB --help' lists a verb's options; "
	    "cryptokeyring(1) has examples.\n");
	poptFreeContext(pc);
	return status;
}

static int
run_verb(struct verb *vb, int argc, const char **argv)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, vb->options, 0,
		  "Options:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, tool_global_options, 0,
		  "Global options:", NULL },
		POPT_AUTOHELP
		POPT_TABLEEND
	};
	const char **args;
	poptContext pc;
	int rc, nargs = 0, status;

	pc = poptGetContext(tool_progname, argc, argv, table, 0);
	poptSetOtherOptionHelp(pc, vb->synopsis);
	while ((rc = poptGetNextOpt(pc)) > 0)
		;
	if (rc < -1) {
		status = tool_popt_fail(pc, rc);
		poptFreeContext(pc);
		return status;
	}
	args = poptGetArgs(pc);
	while (args != NULL && args[nargs] != NULL)
		nargs++;
	/* args[0] is the verb itself */
	if (nargs - 1 < vb->min_args)
		status = tool_fail(KS_EUSAGE, "'%s' needs a keyring name "
		    "(usage: cryptokeyring %s)", vb->name, vb->synopsis);
	else if (nargs - 1 > vb->max_args)
		status = tool_fail(KS_EUSAGE, "unexpected argument '%s' "
		    "(usage: cryptokeyring %s)", args[1 + vb->max_args],
		    vb->synopsis);
	else
		status = vb->run(args + 1, nargs - 1);
	poptFreeContext(pc);
	return status;
}

int
main(int argc, const char **argv)
{
	struct verb *vb = NULL;
	int i, w;

	tool_progname = "cryptokeyring";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("cryptokeyring %s\n", PACKAGE_VERSION);
			return 0;
		}
	}
	w = first_word(argc, argv);
	if (w > 0 && (vb = find_verb(argv[w])) != NULL)
		return run_verb(vb, argc, argv);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-?") == 0 ||
		    strcmp(argv[i], "--usage") == 0)
			return general_help(stdout, argc, argv, 0);
	if (w > 0)
		return tool_fail(KS_EUSAGE, "unknown verb '%s'; "
		    "'cryptokeyring --help' lists them", argv[w]);
	general_help(stderr, argc, argv, 0);
	return KS_EUSAGE;
}
