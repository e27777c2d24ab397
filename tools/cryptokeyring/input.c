/*
 * input.c -- read a key file, or a key pasted on standard input.
 *
 * At most KS_KEYSTRING_MAX bytes.  For a key-string pasted at a terminal
 * a line "quit" ends the input, as it ends "key-string" on a router, so
 * the paste needs no end-of-file.  Files and pipes are read to their end,
 * so that the parser sees (and refuses) anything after "quit".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/rfile.h"
#include "cryptokeyring.h"

/* Is the line "quit", give or take blanks? */
static int
is_quit(const char *line, size_t len)
{
	size_t s = 0;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
	    line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	while (s < len && (line[s] == ' ' || line[s] == '\t'))
		s++;
	return len - s == 4 && strncasecmp(line + s, "quit", 4) == 0;
}

/* Byte by byte: a NUL in the input reaches the parser, which refuses it. */
static int
read_all(FILE *f, const char *name, int stop_at_quit, char *buf,
    size_t *len)
{
	size_t start = 0;
	int c;

	*len = 0;
	while ((c = getc(f)) != EOF) {
		if (*len >= KS_KEYSTRING_MAX)
			return tool_fail(KS_EINPUT, "%s is longer than %d "
			    "bytes; that is not a public key", name,
			    KS_KEYSTRING_MAX);
		buf[(*len)++] = (char)c;
		if (c != '\n')
			continue;
		if (stop_at_quit && is_quit(buf + start, *len - start))
			break;
		start = *len;
	}
	if (ferror(f))
		return tool_fail(errno == EISDIR ? KS_EINPUT : KS_EFAIL,
		    "cannot read %s: %s", name, strerror(errno));
	return KS_OK;
}

int
read_text(const char *path, int stop_at_quit, char **out, size_t *outlen)
{
	int from_stdin = strcmp(path, "-") == 0;
	char err[512];
	FILE *f;
	char *buf;
	int st, fd;

	*out = NULL;
	*outlen = 0;
	if (from_stdin)
		f = stdin;
	else if ((st = rfile_open(path, &fd, err, sizeof(err))) != KS_OK)
		return tool_fail(st, "%s", err);	/* no FIFO, no device */
	else if ((f = fdopen(fd, "r")) == NULL) {
		st = tool_fail(KS_EFAIL, "cannot read %s: %s", path,
		    strerror(errno));
		close(fd);
		return st;
	}
	stop_at_quit = stop_at_quit && from_stdin && isatty(STDIN_FILENO);
	if (stop_at_quit && !tool_opt.quiet && !tool_opt.batch)
		fprintf(stderr, "Enter a public key as a hexadecimal number; "
		    "end with a line \"quit\".\nkey-string: ");
	if ((buf = malloc(KS_KEYSTRING_MAX + 1)) == NULL)
		st = tool_fail(KS_EFAIL, "out of memory");
	else
		st = read_all(f, from_stdin ? "standard input" : path,
		    stop_at_quit, buf, outlen);
	if (!from_stdin)
		fclose(f);
	if (st != KS_OK) {
		free(buf);
		return st;
	}
	buf[*outlen] = '\0';
	*out = buf;
	return KS_OK;
}
