/*
 * tool.h -- what every cryptokey tool shares: the global options, finding
 * module, token and PIN source, and turning a status into one message and
 * one exit code.
 */
#ifndef CK_TOOL_H
#define CK_TOOL_H

#include <stdio.h>
#include <popt.h>

#include "keystore.h"

struct tool_opts {
	char	*module;
	char	*token;
	char	*pin_source;
	char	*pass_source;
	char	*config;
	int	 batch;
	int	 quiet;
	int	 verbose;
	int	 config_may_be_missing;	/* set by verbs that create it */
};

extern struct tool_opts tool_opt;
extern const char *tool_progname;
/* popt table of the global options (include with POPT_ARG_INCLUDE_TABLE) */
extern struct poptOption tool_global_options[];

/* Where things came from, once tool_setup() resolved them. */
struct tool_env {
	char	 config_path[4096];
	int	 config_found;
	char	 embedded_dir[4096];
	int	 embedded;	/* using the embedded default token */
	char	*module;	/* NULL: p11-kit discovery */
	char	*module_init;	/* module-init-args, for the file's module */
	char	*token;
	char	*pin_source;	/* the configuration's */
	char	*embedded_pin;	/* file:DIR/user.pin of the embedded token */
	char	*pass_source;
};

extern struct tool_env tool_env;

/* Core dumps off and not dumpable, before any secret is read. */
ks_status	tool_harden(void);
/* KS_EUSAGE, said, when a token given on the command line (option opt)
 * carries a pin-value. */
ks_status	tool_cli_token(const char *opt, const char *token);

/* Resolve configuration (--config, $CRYPTOKEY_CONF, default file, embedded
 * default); KS_OK or a status with the message already printed. */
ks_status	tool_resolve(void);
/* Resolve, then open the token; flags as for ks_ctx_open. */
ks_status	tool_open(ks_ctx **ctx, int flags);
/* Read a passphrase from the passphrase source. */
ks_status	tool_passphrase(const char *prompt, int confirm, char *buf,
		    size_t bufsz, size_t *len);

/*
 * ks_secret_fn over the passphrase source, for library calls that ask for a
 * passphrase; arg is the ks_ctx.  tool_pass_new asks twice on a prompt.
 * When reading fails the reason is already printed: tool_pass_failed()
 * then says not to print the library's message as well.
 */
ks_status	tool_pass_new(void *ctx, const char *prompt, char *buf,
		    size_t bufsz, size_t *len);
ks_status	tool_pass_old(void *ctx, const char *prompt, char *buf,
		    size_t bufsz, size_t *len);
int		tool_pass_failed(void);

/*
 * A token PIN for ctx by the one PIN policy (pinsrc.h): cli is the command
 * line's source for this token (--pin-source, move's --to-pin-source) or
 * NULL, config the configured one or NULL.  An empty PIN is refused.
 */
ks_status	tool_pin_read(ks_ctx *ctx, const char *cli, const char *config,
		    const char *prompt, char *buf, size_t bufsz, size_t *len);

/* "prog: message" on stderr; returns st for "return tool_fail(...)". */
int		tool_fail(ks_status st, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* The library's message for st. */
int		tool_fail_ctx(ks_ctx *ctx, ks_status st);
/* Progress and notes on stderr, unless --quiet. */
void		tool_note(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
/* Only with --verbose. */
void		tool_debug(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/* popt error to exit code 2 with popt's words. */
int		tool_popt_fail(poptContext pc, int rc);

/* An option's word and the value it stands for (names.c). */
struct tool_name {
	const char	*name;
	int		 value;		/* >= 0 */
};
/* The value of word s in table t of n rows; -1 when it is none of them. */
int		tool_name_value(const struct tool_name *t, size_t n,
		    const char *s);

/* JSON string with escapes (json.c). */
void		json_string(FILE *f, const char *s);
/* IOS "Key Data:" block: uppercase hex, 8 digits a group, 8 groups a line,
 * each line starting with indent (keydata.c). */
void		keydata_print(FILE *f, const unsigned char *der, size_t len,
		    const char *indent);

#endif
