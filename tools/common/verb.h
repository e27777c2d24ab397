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
	/* The word after the verb, or NULL; "rsa|ec": one of them, which
	 * verb_keyword names while the verb runs. */
	const char		*keyword;
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

/* The keyword given after the verb ("rsa", "ec"), or NULL. */
extern const char	*verb_keyword;

/* The whole main(): an exit status. */
int	verb_main(const struct verb_tool *t, int argc, const char **argv);

#endif
