/*
 * cmd_export.c -- cryptokey export rsa|ec (IOS "crypto key export rsa|ec
 * ... pem").
 *
 * The text goes to standard output or to a new file: written to a
 * temporary file of mode 0600 beside it, then linked to the name (which
 * fails if the name exists) or, with --force, renamed over it.  Either
 * the whole file appears or none.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cryptokey.h"

static char *opt_label, *opt_cipher, *opt_out;
static int opt_public, opt_force;

static struct poptOption options[] = {
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "the key to export", "NAME" },
	{ "cipher", '\0', POPT_ARG_STRING, &opt_cipher, 0,
	  "aes256 (PKCS#8, default), 3des or des (IOS traditional PEM)",
	  "CIPHER" },
	{ "out", '\0', POPT_ARG_STRING, &opt_out, 0,
	  "write to a new file of mode 0600 (default: standard output)",
	  "FILE" },
	{ "public", '\0', POPT_ARG_NONE, &opt_public, 0,
	  "export the public key only (no passphrase)", NULL },
	{ "force", '\0', POPT_ARG_NONE, &opt_force, 0,
	  "overwrite FILE if it exists", NULL },
	POPT_TABLEEND
};

static const struct tool_name ciphers[] = {
	{ "aes256", KS_CIPHER_AES256 },
	{ "aes", KS_CIPHER_AES256 },
	{ "3des", KS_CIPHER_3DES },
	{ "des", KS_CIPHER_DES },
};

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* tmp file beside path, then link (no overwrite) or rename (--force). */
static int
write_file(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	int fd, n, saved;

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return tool_fail(KS_EUSAGE, "%s: file name too long", path);
	if ((fd = mkstemp(tmp)) < 0)	/* O_EXCL, mode 0600 */
		return tool_fail(KS_EFAIL, "cannot create a file beside %s: %s",
		    path, strerror(errno));
	if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 ||
	    write_all(fd, text, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		return tool_fail(KS_EFAIL, "cannot write %s: %s", tmp,
		    strerror(saved));
	}
	if (close(fd) != 0) {
		saved = errno;
		unlink(tmp);
		return tool_fail(KS_EFAIL, "cannot write %s: %s", tmp,
		    strerror(saved));
	}
	if (opt_force) {
		if (rename(tmp, path) != 0) {
			saved = errno;
			unlink(tmp);
			return tool_fail(KS_EFAIL, "cannot write %s: %s", path,
			    strerror(saved));
		}
		return KS_OK;
	}
	if (link(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		if (saved == EEXIST)
			return tool_fail(KS_EEXIST, "%s exists; use --force to "
			    "overwrite it", path);
		return tool_fail(KS_EFAIL, "cannot write %s: %s", path,
		    strerror(saved));
	}
	unlink(tmp);
	return KS_OK;
}

static int
check_out(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return tool_fail(KS_EUSAGE, "%s is a directory; give a "
			    "file name", path);
		if (!opt_force)
			return tool_fail(KS_EEXIST, "%s exists; use --force to "
			    "overwrite it", path);
	}
	return KS_OK;
}

static int
run(const char **args, int nargs)
{
	ks_cipher cipher = KS_CIPHER_AES256;
	const char *out = opt_out;
	int c;
	char *pem = NULL;
	size_t len = 0;
	ks_ctx *ctx;
	ks_status st;

	(void)args;
	(void)nargs;
	if (opt_label == NULL)
		return tool_fail(KS_EUSAGE, "which key? give its name with "
		    "--label");
	if (opt_cipher != NULL) {
		if ((c = tool_name_value(ciphers, sizeof(ciphers) /
		    sizeof(ciphers[0]), opt_cipher)) < 0)
			return tool_fail(KS_EUSAGE, "unknown cipher '%s'; "
			    "choose aes256, 3des or des", opt_cipher);
		cipher = (ks_cipher)c;
	}
	if (out != NULL && strcmp(out, "-") == 0)
		out = NULL;
	if ((st = check_label(opt_label)) != KS_OK ||
	    (out != NULL && (st = check_out(out)) != KS_OK))
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN)) != KS_OK)
		return st;
	st = ks_export(ctx, opt_label, cipher,
	    opt_public ? KS_EXPORT_PUBLIC : 0, tool_pass_new, ctx, &pem, &len);
	if (st != KS_OK) {
		if (!tool_pass_failed())
			tool_fail_ctx(ctx, st);
		ks_ctx_free(ctx);
		return (int)st;
	}
	ks_ctx_free(ctx);
	if (out == NULL) {
		if (fwrite(pem, 1, len, stdout) != len || fflush(stdout) != 0)
			st = tool_fail(KS_EFAIL, "cannot write to standard "
			    "output");
	} else if ((st = write_file(out, pem, len)) == KS_OK)
		tool_note("%% Key %s exported to %s", opt_label, out);
	free(pem);	/* public keys and encrypted private keys only */
	return (int)st;
}

struct verb verb_export = {
	"export", "rsa|ec", 0, 0,
	"export rsa|ec --label NAME [--cipher aes256|3des|des] [--out FILE] "
	    "[--public] [--force]",
	"export a key pair as PEM (private key encrypted)",
	options, run
};
