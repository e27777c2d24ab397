/*
 * verb.c -- verb dispatch for the cryptokey tools.
 *
 * The verb is the first word that is neither a global option nor the value
 * of one; its own popt table is parsed together with the global options.
 * --help and --usage are ours, not popt's autohelp: "cryptokey import"
 * needs --usage for the IOS usage keyword, and gets --help alone.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "keystore.h"
#include "tool.h"
#include "verb.h"

#define OPT_HELP	0x4845
#define OPT_USAGE	0x4855

static int opt_version;
const char *verb_keyword;

static struct poptOption version_option[] = {
	{ "version", '\0', POPT_ARG_NONE, &opt_version, 0,
	  "print the version and exit", NULL },
	POPT_TABLEEND
};

static struct poptOption help_options[] = {
	{ "help", '?', POPT_ARG_NONE, NULL, OPT_HELP,
	  "show this help message", NULL },
	{ "usage", '\0', POPT_ARG_NONE, NULL, OPT_USAGE,
	  "show a brief usage message", NULL },
	POPT_TABLEEND
};

static int
is_end(const struct poptOption *o)
{
	return o->longName == NULL && o->shortName == '\0' && o->argInfo == 0;
}

static int
has_option(const struct poptOption *o, const char *name)
{
	for (; !is_end(o); o++)
		if (o->longName != NULL && strcmp(o->longName, name) == 0)
			return 1;
	return 0;
}

/* Is arg a global option whose value is the next word? */
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

/* Index of the first word that is not a global option or its value. */
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
find_verb(const struct verb_tool *t, const char *word)
{
	size_t v;

	for (v = 0; v < t->nverbs; v++)
		if (strcmp(word, t->verbs[v]->name) == 0)
			return t->verbs[v];
	return NULL;
}

static int
general_help(const struct verb_tool *t, FILE *f, int argc, const char **argv,
    int status)
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

	pc = poptGetContext(t->name, argc, argv, table, 0);
	poptSetOtherOptionHelp(pc, t->other_help);
	poptPrintHelp(pc, f, 0);
	fprintf(f, "\nVerbs:\n");
	for (v = 0; v < t->nverbs; v++)
		fprintf(f, "  %s\n      %s\n", t->verbs[v]->synopsis,
		    t->verbs[v]->summary);
	fprintf(f, "\n'%s VERB --help' lists a verb's options; %s(1) has "
	    "examples.\n", t->name, t->name);
	poptFreeContext(pc);
	return status;
}

/* No verb: name a bad option if there is one, else print the usage. */
static int
no_verb(const struct verb_tool *t, int argc, const char **argv)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, tool_global_options, 0,
		  NULL, NULL },
		POPT_TABLEEND
	};
	poptContext pc;
	int rc;

	pc = poptGetContext(t->name, argc, argv, table, 0);
	while ((rc = poptGetNextOpt(pc)) > 0)
		;
	if (rc < -1)
		rc = tool_popt_fail(pc, rc);
	else
		rc = general_help(t, stderr, argc, argv, KS_EUSAGE);
	poptFreeContext(pc);
	return rc;
}

/* Is word one of the '|'-separated keywords? */
static int
keyword_is(const char *keywords, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = keywords, *bar;

	for (;;) {
		bar = strchr(p, '|');
		if ((bar != NULL ? (size_t)(bar - p) : strlen(p)) == wlen &&
		    strncmp(p, word, wlen) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

/* The positional words after the verb (and its keyword) fit the verb? */
static int
check_args(const struct verb_tool *t, const struct verb *vb,
    const char **args, int nargs, int *first)
{
	*first = 1;		/* args[0] is the verb itself */
	if (vb->keyword != NULL) {
		if (nargs < 2 || !keyword_is(vb->keyword, args[1]))
			return tool_fail(KS_EUSAGE, "expected '%s' after '%s' "
			    "(usage: %s %s)", vb->keyword, vb->name, t->name,
			    vb->synopsis);
		verb_keyword = args[1];
		*first = 2;
	}
	if (nargs - *first < vb->min_args)
		return tool_fail(KS_EUSAGE, "'%s' is missing an argument "
		    "(usage: %s %s)", vb->name, t->name, vb->synopsis);
	if (nargs - *first > vb->max_args)
		return tool_fail(KS_EUSAGE, "unexpected argument '%s' "
		    "(usage: %s %s)", args[*first + vb->max_args], t->name,
		    vb->synopsis);
	return KS_OK;
}

static int
run_verb(const struct verb_tool *t, struct verb *vb, int argc,
    const char **argv)
{
	const struct poptOption end = POPT_TABLEEND;
	struct poptOption table[4];
	const char **args;
	poptContext pc;
	int rc, nargs = 0, first, status, n = 0;

	if (!is_end(vb->options))
		table[n++] = (struct poptOption){ NULL, '\0',
		    POPT_ARG_INCLUDE_TABLE, vb->options, 0, "Options:", NULL };
	table[n++] = (struct poptOption){ NULL, '\0', POPT_ARG_INCLUDE_TABLE,
	    tool_global_options, 0, "Global options:", NULL };
	if (has_option(vb->options, "usage"))
		table[n++] = help_options[0];
	else
		table[n++] = (struct poptOption){ NULL, '\0',
		    POPT_ARG_INCLUDE_TABLE, help_options, 0, "Help options:",
		    NULL };
	table[n] = end;
	pc = poptGetContext(t->name, argc, argv, table, 0);
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
	status = check_args(t, vb, args, nargs, &first);
	if (status == KS_OK)
		status = vb->run(args + first, nargs - first);
	poptFreeContext(pc);
	return status;
}

int
verb_main(const struct verb_tool *t, int argc, const char **argv)
{
	struct verb *vb;
	int i, w;

	tool_progname = t->name;
	if (tool_harden() != KS_OK)
		return KS_EFAIL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s %s\n", t->name, PACKAGE_VERSION);
			return 0;
		}
	}
	w = first_word(argc, argv);
	if (w > 0 && (vb = find_verb(t, argv[w])) != NULL)
		return run_verb(t, vb, argc, argv);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-?") == 0 ||
		    strcmp(argv[i], "--usage") == 0)
			return general_help(t, stdout, argc, argv, 0);
	if (w > 0)
		return tool_fail(KS_EUSAGE, "unknown verb '%s'; '%s --help' "
		    "lists them", argv[w], t->name);
	return no_verb(t, argc, argv);
}
