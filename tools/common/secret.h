/*
 * secret.h -- PINs and passphrases from a source, never from argv.
 *
 * A source is "prompt" (the terminal, without echo), "file:PATH" (first
 * line of the file), "fd:N" (first line read from descriptor N) or
 * "env:VAR" (opt-in; the environment leaks to other processes).  A bare
 * absolute path is "file:PATH".  A file must be a regular file that only
 * its owner (the user or root) can read (rfile.h).
 */
#ifndef CK_SECRET_H
#define CK_SECRET_H

#include <stddef.h>

#include "keystore.h"

#define SECRET_MAX	256

/* Check the syntax of a source; KS_EUSAGE with a message when bad. */
ks_status	secret_check(const char *src, char *err, size_t errsz);

/*
 * Read a secret from src into buf (not NUL-terminated; *len bytes).  With
 * batch set, "prompt" is refused.  With confirm set, a prompt asks twice.
 * The caller cleanses buf.
 */
ks_status	secret_read(const char *src, const char *prompt, int batch,
		    int confirm, char *buf, size_t bufsz, size_t *len,
		    char *err, size_t errsz);

#endif
