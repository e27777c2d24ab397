/*
 * main.c -- ikesignctl(8): talk to a running ikesignd over its control
 * socket.  One request line out, a status line and text back; the status
 * is the exit code.
 *
 *	ikesignctl [-s SOCKET] show sa|half-open [--json] | initiate PEER |
 *	    clear sa [PEER] | rekey sa PEER | reload
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <popt.h>

#define CTL_DEFAULT	"/run/ikesignd/ikesignd.sock"
/* "show sa --json" of a full SA table (4096 entries) is near 2 MiB; the
 * bound only keeps a runaway reply from eating memory */
#define REPLY_MAX	(64 * 1024 * 1024)
#define REPLY_STEP	(1024 * 1024)

static char *opt_socket;
static int opt_json, opt_version;

static struct poptOption options[] = {
	{ "socket", 's', POPT_ARG_STRING, &opt_socket, 0,
	  "ikesignd's control socket (default " CTL_DEFAULT ")", "SOCKET" },
	{ "json", '\0', POPT_ARG_NONE, &opt_json, 0,
	  "with show: print JSON", NULL },
	{ "version", '\0', POPT_ARG_NONE, &opt_version, 0,
	  "print the version and exit", NULL },
	POPT_AUTOHELP
	POPT_TABLEEND
};

static int
fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(int rc, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ikesignctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return rc;
}

/* The request line for the words, or NULL with a usage error. */
static int
request(const char **w, int n, char *line, size_t len)
{
	if (n == 2 && strcmp(w[0], "show") == 0 && (strcmp(w[1], "sa") == 0 ||
	    strcmp(w[1], "half-open") == 0))
		snprintf(line, len, "show %s%s\n", w[1], opt_json ? " json" :
		    "");
	else if (n == 2 && strcmp(w[0], "initiate") == 0)
		snprintf(line, len, "initiate %s\n", w[1]);
	else if ((n == 2 || n == 3) && strcmp(w[0], "clear") == 0 &&
	    strcmp(w[1], "sa") == 0)
		snprintf(line, len, "clear sa%s%s\n", n == 3 ? " " : "",
		    n == 3 ? w[2] : "");
	else if (n == 3 && strcmp(w[0], "rekey") == 0 &&
	    strcmp(w[1], "sa") == 0)
		snprintf(line, len, "rekey sa %s\n", w[2]);
	else if (n == 1 && strcmp(w[0], "reload") == 0)
		snprintf(line, len, "reload\n");
	else
		return -1;
	if (strchr(line, '\n') != line + strlen(line) - 1)
		return -1;	/* no newlines inside words */
	return 0;
}

static int
talk(const char *path, const char *line)
{
	struct sockaddr_un sun;
	char *buf, *text, *more;
	size_t len = 0, size = REPLY_STEP;
	ssize_t n;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return fail(2, "%s: socket path too long", path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		return fail(1, "cannot reach ikesignd at %s: %s (is it "
		    "running?)", path, strerror(errno));
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) !=
	    (ssize_t)strlen(line)) {
		close(fd);
		return fail(1, "%s: %s", path, strerror(errno));
	}
	if ((buf = malloc(size + 1)) == NULL) {
		close(fd);
		return fail(1, "out of memory");
	}
	/* to the end: a reply cut short would pass for a whole one */
	while ((n = read(fd, buf + len, size - len)) > 0) {
		len += (size_t)n;
		if (len < size)
			continue;
		if (size >= REPLY_MAX ||
		    (more = realloc(buf, size + REPLY_STEP + 1)) == NULL) {
			close(fd);
			free(buf);
			return fail(1, "the answer of ikesignd at %s is too "
			    "long", path);
		}
		buf = more;
		size += REPLY_STEP;
	}
	close(fd);
	buf[len] = '\0';
	if ((text = strchr(buf, '\n')) == NULL) {
		free(buf);
		return fail(1, "ikesignd at %s closed the connection without "
		    "an answer", path);
	}
	*text++ = '\0';
	rc = atoi(buf);
	if (rc < 0 || rc > 8)
		rc = 1;
	if (rc == 0)
		fputs(text, stdout);
	else
		fprintf(stderr, "ikesignctl: %s%s", text,
		    text[0] != '\0' && text[strlen(text) - 1] == '\n' ? "" :
		    "\n");
	free(buf);
	return rc;
}

int
main(int argc, const char **argv)
{
	const char *w[8];
	char line[512];
	poptContext pc;
	int rc, n = 0;

	pc = poptGetContext("ikesignctl", argc, argv, options, 0);
	poptSetOtherOptionHelp(pc, "[-s SOCKET] show sa|half-open [--json] | "
	    "initiate PEER | clear sa [PEER] | rekey sa PEER | reload");
	if ((rc = poptGetNextOpt(pc)) < -1) {
		fprintf(stderr, "ikesignctl: %s: %s (see --help)\n",
		    poptBadOption(pc, POPT_BADOPTION_NOALIAS),
		    poptStrerror(rc));
		poptFreeContext(pc);
		return 2;
	}
	if (opt_version) {
		printf("ikesignctl %s\n", PACKAGE_VERSION);
		poptFreeContext(pc);
		return 0;
	}
	while (n < 8 && (w[n] = poptGetArg(pc)) != NULL)
		n++;
	if (n == 0 || n == 8 || request(w, n, line, sizeof(line)) != 0 ||
	    (opt_json && strcmp(w[0], "show") != 0)) {
		poptFreeContext(pc);
		return fail(2, "usage: ikesignctl [-s SOCKET] show sa|half-open "
		    "[--json] | initiate PEER | clear sa [PEER] | rekey sa PEER | reload");
	}
	rc = talk(opt_socket != NULL ? opt_socket : CTL_DEFAULT, line);
	poptFreeContext(pc);
	return rc;
}
