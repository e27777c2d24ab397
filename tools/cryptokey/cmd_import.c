/*
 * cmd_import.c -- cryptokey import rsa|ec (IOS "crypto key import rsa|ec
 * ... pem").
 *
 * The input is read whole (at most KS_PEM_MAX bytes) before the token is
 * opened; the library checks it all before the token changes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "common/rfile.h"
#include "cryptokey.h"

static char *opt_label, *opt_in, *opt_usage, *opt_on;
static int opt_exportable, opt_replace;

static struct poptOption options[] = {
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "name for the imported keys", "NAME" },
	{ "in", '\0', POPT_ARG_STRING, &opt_in, 0,
	  "PEM file to read ('-': standard input)", "FILE" },
	{ "usage", '\0', POPT_ARG_STRING, &opt_usage, 0,
	  "general (default), usage-keys, signature or encryption", "USAGE" },
	{ "exportable", '\0', POPT_ARG_NONE, &opt_exportable, 0,
	  "allow the imported private key to be exported again", NULL },
	{ "on", '\0', POPT_ARG_STRING, &opt_on, 0,
	  "import to this token instead of the storage token", "TOKEN" },
	{ "replace", '\0', POPT_ARG_NONE, &opt_replace, 0,
	  "replace existing keys of the same name", NULL },
	POPT_TABLEEND
};

static const struct tool_name kinds[] = {
	{ "general", KS_KIND_GENERAL },
	{ "general-purpose", KS_KIND_GENERAL },
	{ "usage-keys", KS_KIND_USAGE_KEYS },
	{ "signature", KS_KIND_SIGNATURE },
	{ "encryption", KS_KIND_ENCRYPTION },
};

/* On a terminal a line "quit" ends the input, as on IOS. */
static int
ends_with_quit(const char *buf, size_t n)
{
	static const char quit[] = "quit\n";
	size_t q = sizeof(quit) - 1;

	return n >= q && memcmp(buf + n - q, quit, q) == 0 &&
	    (n == q || buf[n - q - 1] == '\n');
}

/* The whole input, at most KS_PEM_MAX bytes; *buf wiped and freed by the
 * caller. */
static int
read_input(const char *path, const char *name, char **buf, size_t *len)
{
	struct stat sb;
	char err[512];
	ks_status st;
	size_t cap = KS_PEM_MAX + 1, n = 0;
	ssize_t r;
	int fd, saved, tty;

	*buf = NULL;
	*len = 0;
	if (path == NULL)
		fd = STDIN_FILENO;
	else if ((st = rfile_open(path, &fd, err, sizeof(err))) != KS_OK)
		return tool_fail(st, "%s", err);	/* no FIFO, no device */
	if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
		if (fd != STDIN_FILENO)
			close(fd);
		return tool_fail(KS_EINPUT, "%s is a directory, not a PEM "
		    "key file", name);
	}
	if ((*buf = malloc(cap)) == NULL) {
		if (fd != STDIN_FILENO)
			close(fd);
		return tool_fail(KS_EFAIL, "out of memory");
	}
	tty = isatty(fd);
	if (tty)
		tool_note("%% Enter the PEM-formatted key pair.\n"
		    "%% End with \"quit\" on a line by itself.");
	while (n < cap) {
		if ((r = read(fd, *buf + n, cap - n)) < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			if (fd != STDIN_FILENO)
				close(fd);
			return tool_fail(saved == EISDIR ? KS_EINPUT : KS_EFAIL,
			    "cannot read %s: %s", name, strerror(saved));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (tty && ends_with_quit(*buf, n))
			break;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*len = n;
	if (n > KS_PEM_MAX)
		return tool_fail(KS_EINPUT, "%s is larger than %d KiB; that "
		    "is not a PEM key file", name, KS_PEM_MAX / 1024);
	if (n == 0)
		return tool_fail(KS_EINPUT, "%s is empty; expected a PEM key",
		    name);
	return KS_OK;
}

static int
run(const char **args, int nargs)
{
	ks_kind kind = KS_KIND_GENERAL;
	const char *path, *name;
	int k;
	char *buf = NULL;
	size_t len = 0;
	ks_ctx *ctx = NULL;
	ks_status st;

	(void)args;
	(void)nargs;
	if (opt_label == NULL)
		return tool_fail(KS_EUSAGE, "name the imported keys with "
		    "--label");
	if (opt_in == NULL)
		return tool_fail(KS_EUSAGE, "which file? give it with --in "
		    "FILE (or --in - for standard input)");
	if (opt_usage != NULL) {
		if ((k = tool_name_value(kinds, sizeof(kinds) /
		    sizeof(kinds[0]), opt_usage)) < 0)
			return tool_fail(KS_EUSAGE, "unknown usage '%s'; "
			    "choose general, usage-keys, signature or "
			    "encryption", opt_usage);
		kind = (ks_kind)k;
	}
	path = strcmp(opt_in, "-") == 0 ? NULL : opt_in;
	name = path != NULL ? path : "standard input";
	if ((st = check_label(opt_label)) != KS_OK)
		return st;
	if ((st = read_input(path, name, &buf, &len)) != KS_OK)
		goto out;
	if (opt_on != NULL)
		tool_opt.token = opt_on;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		goto out;
	st = ks_import(ctx, opt_label, buf, len, kind,
	    (opt_exportable ? KS_IMPORT_EXPORTABLE : 0) |
	    (opt_replace ? KS_IMPORT_REPLACE : 0), tool_pass_old, ctx);
	if (st == KS_EINPUT || (st == KS_EAUTH && !tool_pass_failed()))
		tool_fail(st, "%s: %s", name, ks_ctx_error(ctx));
	else if (st != KS_OK && !tool_pass_failed())
		tool_fail_ctx(ctx, st);
	else if (st == KS_OK)
		tool_note("%% Key pair import succeeded; keys '%s' are %s.",
		    opt_label, opt_exportable ? "exportable" :
		    "not exportable");
 out:
	ks_ctx_free(ctx);
	if (buf != NULL)
		OPENSSL_clear_free(buf, KS_PEM_MAX + 1);
	return (int)st;
}

struct verb verb_import = {
	"import", "rsa|ec", 0, 0,
	"import rsa|ec --label NAME --in FILE|- [--usage USAGE] "
	    "[--exportable] [--on TOKEN] [--replace]",
	"import an RSA or EC key pair from PEM",
	options, run
};
