/*
 * pinsrc.h -- where a token PIN comes from: the one place that decides,
 * for every tool and for ikesignd's signer.
 *
 * Highest first:
 *   1. the command line's --pin-source (move: --to-pin-source)
 *   2. the token URI's pin-value (only from a configuration file that only
 *      its owner can read; refused on the command line)
 *   3. the token URI's pin-source
 *   4. the configuration's pin-source (cryptokey.conf, ikesignd.conf)
 *   5. the embedded token's user.pin
 *   6. a prompt on the terminal; never with --batch, never in the daemon
 * What the user typed for this run beats what was written down before; a
 * token URI names one token and so beats a configuration-wide default.
 * A bare absolute path is file:PATH wherever a source is taken.  An empty
 * PIN is refused before any login attempt is spent on it.
 */
#ifndef CK_PINSRC_H
#define CK_PINSRC_H

#include <stddef.h>

#include "keystore.h"

enum pin_prompt {
	PIN_PROMPT_YES,		/* a terminal may be asked */
	PIN_PROMPT_BATCH,	/* --batch: say so */
	PIN_PROMPT_NEVER	/* the daemon: no terminal, ever */
};

enum pin_from {
	PIN_FROM_CLI,
	PIN_FROM_URI_VALUE,
	PIN_FROM_URI_SOURCE,
	PIN_FROM_CONFIG,
	PIN_FROM_EMBEDDED,
	PIN_FROM_PROMPT,
	PIN_FROM_NONE		/* nothing, and no prompt allowed */
};

struct pin_inputs {
	const char	*cli;		/* NULL or "" when absent, all of them */
	const char	*uri_value;
	const char	*uri_source;
	const char	*config;
	const char	*embedded;	/* a source, e.g. file:DIR/user.pin */
	enum pin_prompt	 prompt;
};

/* Which input wins, by the order above. */
enum pin_from	pin_pick(const struct pin_inputs *in);
/* Its name for messages ("--pin-source", "the token URI's pin-source"...). */
const char	*pin_from_name(enum pin_from from);

/*
 * The PIN from the winning input into buf (*len bytes, not NUL-terminated;
 * the caller cleanses buf).  On failure a message in err that never shows
 * a secret.
 */
ks_status	pin_get(const struct pin_inputs *in, const char *prompt,
		    char *buf, size_t bufsz, size_t *len, char *err,
		    size_t errsz);

/* Does the token string carry a pin-value attribute (RFC 7512 query)? */
int		pin_uri_has_value(const char *token);

#endif
