/*
 * verb.h -- "prog [global options] VERB [keyword] [options] [args]": find
 * the verb, parse its options with popt beside the global ones, check the
 * positional arguments, run it.  Shared by cryptokey and cryptokeyring.
 */
#ifndef CK_VERB_H
#define CK_VERB_H

#include <stddef.h>
#include <popt.h>

struct verb {
	const char		*name;
	const char		*keyword;	/* "rsa" after the verb, or NULL */
	int			 min_args;	/* positional arguments after */
	int			 max_args;
	const char		*synopsis;
	const char		*summary;
	struct poptOption	*options;
	int			(*run)(const char **args, int nargs);
};

struct verb_tool {
	const char		*name;		/* also tool_progname */
	const char		*other_help;	/* "VERB [rsa] [OPTION...]" */
	struct verb *const	*verbs;
	size_t			 nverbs;
};

/* The whole main(): an exit status. */
int	verb_main(const struct verb_tool *t, int argc, const char **argv);

#endif
