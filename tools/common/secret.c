/*
 * secret.c -- read PINs and passphrases from prompt, file, fd or env.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "rfile.h"
#include "secret.h"

enum src_kind { SRC_PROMPT, SRC_FILE, SRC_FD, SRC_ENV, SRC_BAD };

static enum src_kind
src_kind(const char *src, const char **arg)
{
	static const struct {
		const char	*prefix;
		enum src_kind	 kind;
	} kinds[] = {
		{ "file:", SRC_FILE },
		{ "fd:", SRC_FD },
		{ "env:", SRC_ENV },
	};
	size_t i, n;

	*arg = NULL;
	if (src == NULL || strcmp(src, "prompt") == 0)
		return SRC_PROMPT;
	if (src[0] == '/') {	/* a bare absolute path is a file */
		*arg = src;
		return SRC_FILE;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i].prefix);
		if (strncmp(src, kinds[i].prefix, n) == 0 && src[n] != '\0') {
			*arg = src + n;
			return kinds[i].kind;
		}
	}
	return SRC_BAD;
}

static int
parse_fd(const char *s, int *fd)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < 0 || v > INT_MAX)
		return -1;
	*fd = (int)v;
	return 0;
}

ks_status
secret_check(const char *src, char *err, size_t errsz)
{
	const char *arg;
	int fd;

	switch (src_kind(src, &arg)) {
	case SRC_BAD:
		/* never echoed: it may be the secret itself */
		snprintf(err, errsz, "the secret source is not prompt, "
		    "file:PATH, an absolute path, fd:N or env:VAR (the value "
		    "given is not shown)");
		return KS_EUSAGE;
	case SRC_FD:
		if (parse_fd(arg, &fd) != 0) {
			snprintf(err, errsz, "fd: takes a descriptor number "
			    "(the value given is not shown)");
			return KS_EUSAGE;
		}
		return KS_OK;
	default:
		return KS_OK;
	}
}

/* First line of fd, without its newline; at most bufsz bytes. */
static ks_status
read_line_fd(int fd, char *buf, size_t bufsz, size_t *len)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return KS_EFAIL;
		if (r == 0 || c == '\n')
			break;
		if (n == bufsz)
			return KS_EINPUT;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	*len = n;
	c = 0;
	return KS_OK;
}

static ks_status
read_file(const char *path, char *buf, size_t bufsz, size_t *len, char *err,
    size_t errsz)
{
	ks_status st;
	int fd;

	if ((st = rfile_open_secret(path, &fd, err, errsz)) != KS_OK)
		return st;
	st = read_line_fd(fd, buf, bufsz, len);
	close(fd);
	if (st == KS_EINPUT)
		snprintf(err, errsz, "secret in %s is longer than %zu bytes",
		    path, bufsz);
	else if (st != KS_OK)
		snprintf(err, errsz, "cannot read secret file %s: %s", path,
		    strerror(errno));
	return st;
}

static ks_status
read_fd(const char *arg, char *buf, size_t bufsz, size_t *len, char *err,
    size_t errsz)
{
	ks_status st;
	int fd;

	if (parse_fd(arg, &fd) != 0) {
		snprintf(err, errsz, "fd: takes a descriptor number (the "
		    "value given is not shown)");
		return KS_EUSAGE;
	}
	st = read_line_fd(fd, buf, bufsz, len);
	if (st == KS_EINPUT)
		snprintf(err, errsz, "secret on fd %d is longer than %zu "
		    "bytes", fd, bufsz);
	else if (st != KS_OK)
		snprintf(err, errsz, "cannot read a secret from fd %d: %s", fd,
		    strerror(errno));
	return st;
}

static ks_status
read_env(const char *var, char *buf, size_t bufsz, size_t *len, char *err,
    size_t errsz)
{
	const char *v = getenv(var);
	size_t n;

	if (v == NULL) {
		snprintf(err, errsz, "environment variable %s is not set", var);
		return KS_ENOTFOUND;
	}
	if ((n = strlen(v)) > bufsz) {
		snprintf(err, errsz, "secret in %s is longer than %zu bytes",
		    var, bufsz);
		return KS_EINPUT;
	}
	memcpy(buf, v, n);
	*len = n;
	return KS_OK;
}

/* One line from the terminal with echo off; the terminal is restored even
 * when a signal arrives in between. */
static ks_status
tty_line(int tty, const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	struct termios old, quiet;
	sigset_t block, saved;
	ks_status st;
	int restore = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTSTP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &saved);
	if (tcgetattr(tty, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		restore = tcsetattr(tty, TCSAFLUSH, &quiet) == 0;
	}
	/* Prompt only now: what is typed after it is neither echoed nor
	 * flushed (readpassphrase(3) does the same). */
	if (write(tty, prompt, strlen(prompt)) < 0)
		st = KS_EFAIL;
	else
		st = read_line_fd(tty, buf, bufsz, len);
	if (restore)
		(void)tcsetattr(tty, TCSAFLUSH, &old);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (write(tty, "\n", 1) < 0)
		st = st == KS_OK ? KS_EFAIL : st;
	return st;
}

static ks_status
read_prompt(const char *prompt, int batch, int confirm, char *buf,
    size_t bufsz, size_t *len, char *err, size_t errsz)
{
	char again[SECRET_MAX];
	size_t alen = 0;
	ks_status st;
	int tty;

	if (batch) {
		snprintf(err, errsz, "%sneeded, and --batch forbids prompting; "
		    "give a source with --pin-source or --passphrase-source",
		    prompt);
		return KS_EUSAGE;
	}
	if ((tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(err, errsz, "%sneeded and there is no terminal to "
		    "ask; give a source with --pin-source or "
		    "--passphrase-source", prompt);
		return KS_EUSAGE;
	}
	st = tty_line(tty, prompt, buf, bufsz, len);
	if (st == KS_OK && confirm) {
		st = tty_line(tty, "Again: ", again,
		    bufsz < sizeof(again) ? bufsz : sizeof(again), &alen);
		if (st == KS_OK && (alen != *len ||
		    memcmp(again, buf, alen) != 0)) {
			snprintf(err, errsz, "the two entries differ");
			st = KS_EAUTH;
		}
		OPENSSL_cleanse(again, sizeof(again));
	} else if (st != KS_OK)
		snprintf(err, errsz, "cannot read from the terminal");
	close(tty);
	return st;
}

ks_status
secret_read(const char *src, const char *prompt, int batch, int confirm,
    char *buf, size_t bufsz, size_t *len, char *err, size_t errsz)
{
	const char *arg;
	ks_status st;

	*len = 0;
	switch (src_kind(src, &arg)) {
	case SRC_PROMPT:
		st = read_prompt(prompt, batch, confirm, buf, bufsz, len, err,
		    errsz);
		break;
	case SRC_FILE:
		st = read_file(arg, buf, bufsz, len, err, errsz);
		break;
	case SRC_FD:
		st = read_fd(arg, buf, bufsz, len, err, errsz);
		break;
	case SRC_ENV:
		st = read_env(arg, buf, bufsz, len, err, errsz);
		break;
	case SRC_BAD:
	default:
		return secret_check(src, err, errsz);
	}
	if (st != KS_OK)
		OPENSSL_cleanse(buf, bufsz);
	return st;
}
