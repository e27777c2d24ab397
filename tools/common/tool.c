/*
 * tool.c -- global options, configuration resolution, messages.
 *
 * Precedence, highest first:
 *   module:      --module, config "module", the embedded default (SoftHSM2
 *                with its own softhsm2.conf), p11-kit's registered modules
 *   token:       --token, config "token", the only token there is
 *   PIN:         decided in one place, pin_get() (pinsrc.h)
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "conffile.h"
#include "pinsrc.h"
#include "rfile.h"
#include "secret.h"
#include "tool.h"
#include "verb.h"

struct tool_opts tool_opt;
struct tool_env tool_env;
const char *tool_progname = "cryptokey";

struct poptOption tool_global_options[] = {
	{ "module", '\0', POPT_ARG_STRING, &tool_opt.module, 0,
	  "PKCS#11 module to load", "PATH" },
	{ "token", '\0', POPT_ARG_STRING, &tool_opt.token, 0,
	  "token to use, by RFC 7512 URI or label", "URI|LABEL" },
	{ "pin-source", '\0', POPT_ARG_STRING, &tool_opt.pin_source, 0,
	  "where the token PIN comes from: prompt, file:PATH, fd:N, env:VAR",
	  "SRC" },
	{ "passphrase-source", '\0', POPT_ARG_STRING, &tool_opt.pass_source,
	  0, "where passphrases come from: prompt, file:PATH, fd:N, env:VAR",
	  "SRC" },
	{ "config", '\0', POPT_ARG_STRING, &tool_opt.config, 0,
	  "configuration file", "FILE" },
	{ "batch", '\0', POPT_ARG_NONE, &tool_opt.batch, 0,
	  "never prompt", NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &tool_opt.quiet, 0,
	  "print only results and errors", NULL },
	{ "verbose", 'v', POPT_ARG_NONE, &tool_opt.verbose, 0,
	  "say which module, token and files are used", NULL },
	POPT_TABLEEND
};

ks_status
tool_harden(void)
{
	struct rlimit rl = { 0, 0 };

	/* PINs, passphrases and key material never land in a core file,
	 * and no other process of the user may ptrace us to read them */
	if (setrlimit(RLIMIT_CORE, &rl) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return tool_fail(KS_EFAIL, "cannot turn off core dumps: %s",
		    strerror(errno));
	return KS_OK;
}

int
tool_fail(ks_status st, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return (int)st;
}

int
tool_fail_ctx(ks_ctx *ctx, ks_status st)
{
	return tool_fail(st, "%s", ks_ctx_error(ctx));
}

void
tool_note(const char *fmt, ...)
{
	va_list ap;

	if (tool_opt.quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
tool_debug(const char *fmt, ...)
{
	va_list ap;

	if (!tool_opt.verbose)
		return;
	fprintf(stderr, "%s: ", tool_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
tool_popt_fail(poptContext pc, int rc)
{
	return tool_fail(KS_EUSAGE, "%s: %s (see --help)",
	    poptBadOption(pc, POPT_BADOPTION_NOALIAS), poptStrerror(rc));
}

static const char *
first(const char *a, const char *b)
{
	return a != NULL ? a : b;
}

static ks_status
dup_into(char **dst, const char *src)
{
	free(*dst);
	*dst = NULL;
	if (src != NULL && (*dst = strdup(src)) == NULL)
		return KS_EFAIL;
	return KS_OK;
}

static ks_status
resolve_config(struct config *c)
{
	char err[512];
	ks_status st;

	memset(c, 0, sizeof(*c));
	if (tool_opt.config != NULL)
		snprintf(tool_env.config_path, sizeof(tool_env.config_path),
		    "%s", tool_opt.config);
	else if (config_default_path(tool_env.config_path,
	    sizeof(tool_env.config_path)) != KS_OK)
		tool_env.config_path[0] = '\0';
	if (tool_env.config_path[0] == '\0')
		return KS_OK;
	st = config_load(tool_env.config_path, c, err, sizeof(err));
	if (st == KS_ENOTFOUND &&
	    (tool_opt.config == NULL || tool_opt.config_may_be_missing))
		return KS_OK;	/* no configuration at all is fine */
	if (st != KS_OK)
		return tool_fail(st, "%s", err);
	/* a PIN others can read is refused even when --token overrides it */
	if (pin_uri_has_value(c->token) &&
	    (st = rfile_private(tool_env.config_path, c->mode, c->uid, err,
	    sizeof(err))) != KS_OK) {
		config_free(c);
		return tool_fail(st, "the token URI in %s carries a pin-value, "
		    "so the file must be private: %s", tool_env.config_path,
		    err);
	}
	tool_env.config_found = 1;
	tool_debug("configuration %s", tool_env.config_path);
	return KS_OK;
}

ks_status
tool_resolve(void)
{
	struct config c;
	char err[256], pinfile[4096 + 8];
	const char *module;
	ks_status st;

	if ((st = tool_cli_token("--token", tool_opt.token)) != KS_OK)
		return st;
	if ((st = resolve_config(&c)) != KS_OK)
		return st;
	module = first(tool_opt.module, c.module);
	if (ks_embedded_dir(tool_env.embedded_dir,
	    sizeof(tool_env.embedded_dir)) != KS_OK)
		tool_env.embedded_dir[0] = '\0';
	if (module == NULL && tool_env.embedded_dir[0] != '\0' &&
	    ks_embedded_exists(tool_env.embedded_dir)) {
		tool_env.embedded = 1;
		module = SOFTHSM_MODULE;
		if (ks_embedded_use(tool_env.embedded_dir) != KS_OK) {
			config_free(&c);
			return tool_fail(KS_EFAIL, "cannot use %s",
			    tool_env.embedded_dir);
		}
		tool_debug("embedded token in %s", tool_env.embedded_dir);
	}
	st = dup_into(&tool_env.module, module);
	/* the file's init arguments belong to the file's module only */
	if (st == KS_OK)
		st = dup_into(&tool_env.module_init, module != NULL &&
		    c.module != NULL && strcmp(module, c.module) == 0 ?
		    c.module_init : NULL);
	if (st == KS_OK)
		st = dup_into(&tool_env.token, first(tool_opt.token, c.token));
	if (st == KS_OK)
		st = dup_into(&tool_env.pin_source, c.pin_source);
	if (st == KS_OK)
		st = dup_into(&tool_env.pass_source,
		    first(tool_opt.pass_source, c.pass_source));
	config_free(&c);
	if (st != KS_OK)
		return tool_fail(st, "out of memory");
	if (tool_env.embedded && ks_embedded_pin_file(tool_env.embedded_dir,
	    pinfile + 5, sizeof(pinfile) - 5) == KS_OK &&
	    access(pinfile + 5, F_OK) == 0) {
		memcpy(pinfile, "file:", 5);
		if (dup_into(&tool_env.embedded_pin, pinfile) != KS_OK)
			return tool_fail(KS_EFAIL, "out of memory");
	}
	if (tool_opt.pin_source != NULL &&
	    (st = secret_check(tool_opt.pin_source, err, sizeof(err))) != KS_OK)
		return tool_fail(st, "--pin-source: %s", err);
	if (tool_env.pass_source != NULL &&
	    (st = secret_check(tool_env.pass_source, err, sizeof(err))) != KS_OK)
		return tool_fail(st, "--passphrase-source: %s", err);
	return KS_OK;
}

ks_status
tool_cli_token(const char *opt, const char *token)
{
	if (!pin_uri_has_value(token))
		return KS_OK;
	return tool_fail(KS_EUSAGE, "%s: pin-value is not accepted on the "
	    "command line (other users can read it); use --pin-source", opt);
}

ks_status
tool_pin_read(ks_ctx *ctx, const char *cli, const char *config,
    const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	struct pin_inputs in;
	char err[512];
	ks_status st;

	memset(&in, 0, sizeof(in));
	in.cli = cli;
	in.uri_value = ks_ctx_uri_pin_value(ctx);
	in.uri_source = ks_ctx_uri_pin_source(ctx);
	in.config = config;
	in.embedded = tool_env.embedded_pin;
	in.prompt = tool_opt.batch ? PIN_PROMPT_BATCH : PIN_PROMPT_YES;
	tool_debug("PIN from %s", pin_from_name(pin_pick(&in)));
	st = pin_get(&in, prompt, buf, bufsz, len, err, sizeof(err));
	if (st != KS_OK)
		return ks_ctx_fail(ctx, st, err);
	return KS_OK;
}

static ks_status
pin_cb(void *arg, const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	return tool_pin_read(arg, tool_opt.pin_source, tool_env.pin_source,
	    prompt, buf, bufsz, len);
}

/* The library waits for another command's token lock. */
static void
lock_wait_cb(void *arg, const char *what)
{
	(void)arg;
	tool_note("%% waiting for %s: another command is changing it", what);
}

ks_status
tool_open(ks_ctx **out, int flags)
{
	ks_ctx *ctx;
	ks_status st;

	*out = NULL;
	if ((st = tool_resolve()) != KS_OK)
		return st;
	if (ks_ctx_new(&ctx) != KS_OK)
		return tool_fail(KS_EFAIL, "out of memory");
	if ((st = ks_ctx_set_module(ctx, tool_env.module)) != KS_OK ||
	    (st = ks_ctx_set_module_init_args(ctx, tool_env.module_init)) !=
	    KS_OK ||
	    (st = ks_ctx_set_token(ctx, tool_env.token)) != KS_OK) {
		tool_fail_ctx(ctx, st);
		ks_ctx_free(ctx);
		return st;
	}
	ks_ctx_set_pin_fn(ctx, pin_cb, ctx);
	ks_ctx_set_wait_fn(ctx, lock_wait_cb, NULL);
	/* "zeroize rsa" acts on RSA keys only, as IOS does */
	if (verb_keyword != NULL && strcmp(verb_keyword, "rsa") == 0)
		ks_ctx_set_key_types(ctx, KS_KEY_RSA);
	else if (verb_keyword != NULL && strcmp(verb_keyword, "ec") == 0)
		ks_ctx_set_key_types(ctx, KS_KEY_EC);
	if ((st = ks_ctx_open(ctx, flags)) != KS_OK) {
		tool_fail_ctx(ctx, st);
		ks_ctx_free(ctx);
		return st;
	}
	tool_debug("module %s, token '%s'", ks_ctx_module_path(ctx),
	    ks_ctx_token_label(ctx));
	*out = ctx;
	return KS_OK;
}

ks_status
tool_passphrase(const char *prompt, int confirm, char *buf, size_t bufsz,
    size_t *len)
{
	char err[512];
	ks_status st;

	st = secret_read(tool_env.pass_source, prompt, tool_opt.batch, confirm,
	    buf, bufsz, len, err, sizeof(err));
	if (st != KS_OK)
		return tool_fail(st, "%s", err);
	return KS_OK;
}

static int pass_failed;

static ks_status
pass_ask(void *arg, const char *prompt, char *buf, size_t bufsz,
    size_t *len, int confirm)
{
	ks_ctx *ctx = arg;
	ks_status st;

	if ((st = tool_passphrase(prompt, confirm, buf, bufsz, len)) != KS_OK) {
		pass_failed = 1;	/* tool_passphrase said why */
		return ks_ctx_fail(ctx, st, "no passphrase");
	}
	return KS_OK;
}

ks_status
tool_pass_new(void *ctx, const char *prompt, char *buf, size_t bufsz,
    size_t *len)
{
	return pass_ask(ctx, prompt, buf, bufsz, len, 1);
}

ks_status
tool_pass_old(void *ctx, const char *prompt, char *buf, size_t bufsz,
    size_t *len)
{
	return pass_ask(ctx, prompt, buf, bufsz, len, 0);
}

int
tool_pass_failed(void)
{
	return pass_failed;
}
