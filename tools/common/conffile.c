/*
 * conffile.c -- read and update cryptokey.conf.
 *
 * The parser is bounded (file and line sizes), knows its keys from one
 * table, and names the file and line of anything it refuses.
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

#include "conffile.h"
#include "rfile.h"
#include "secret.h"

static const struct {
	const char	*key;
	size_t		 off;
	int		 is_secret_source;
} keys[] = {
	{ "module", offsetof(struct config, module), 0 },
	{ "module-init-args", offsetof(struct config, module_init), 0 },
	{ "token", offsetof(struct config, token), 0 },
	{ "pin-source", offsetof(struct config, pin_source), 1 },
	{ "passphrase-source", offsetof(struct config, pass_source), 1 },
};

void
config_free(struct config *c)
{
	free(c->module);
	free(c->module_init);
	free(c->token);
	free(c->pin_source);
	free(c->pass_source);
	memset(c, 0, sizeof(*c));
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trim [*s, *e) of blanks at both ends. */
static void
trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

static ks_status
parse_line(const char *s, const char *e, const char *name, unsigned lineno,
    struct config *c, char *err, size_t errsz)
{
	const char *eq, *ks, *ke, *vs, *ve;
	char **slot;
	char serr[256];
	size_t i;

	trim(&s, &e);
	if (s == e || *s == '#')
		return KS_OK;
	if ((eq = memchr(s, '=', (size_t)(e - s))) == NULL) {
		snprintf(err, errsz, "%s:%u: expected 'key = value'", name,
		    lineno);
		return KS_EINPUT;
	}
	ks = s;
	ke = eq;
	vs = eq + 1;
	ve = e;
	trim(&ks, &ke);
	trim(&vs, &ve);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strlen(keys[i].key) == (size_t)(ke - ks) &&
		    memcmp(keys[i].key, ks, (size_t)(ke - ks)) == 0)
			break;
	}
	if (i == sizeof(keys) / sizeof(keys[0])) {
		snprintf(err, errsz, "%s:%u: unknown key '%.*s' (known: "
		    "module, module-init-args, token, pin-source, "
		    "passphrase-source)", name,
		    lineno, (int)(ke - ks > 64 ? 64 : ke - ks), ks);
		return KS_EINPUT;
	}
	if (vs == ve || memchr(vs, '\0', (size_t)(ve - vs)) != NULL) {
		snprintf(err, errsz, "%s:%u: '%s' needs a value", name, lineno,
		    keys[i].key);
		return KS_EINPUT;
	}
	slot = (char **)((char *)c + keys[i].off);
	if (*slot != NULL) {
		snprintf(err, errsz, "%s:%u: '%s' is set twice", name, lineno,
		    keys[i].key);
		return KS_EINPUT;
	}
	if ((*slot = malloc((size_t)(ve - vs) + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return KS_EFAIL;
	}
	memcpy(*slot, vs, (size_t)(ve - vs));
	(*slot)[ve - vs] = '\0';
	if (keys[i].is_secret_source &&
	    secret_check(*slot, serr, sizeof(serr)) != KS_OK) {
		snprintf(err, errsz, "%s:%u: %s", name, lineno, serr);
		return KS_EINPUT;
	}
	return KS_OK;
}

ks_status
config_parse(const char *text, size_t len, const char *name, struct config *c,
    char *err, size_t errsz)
{
	const char *p = text, *end = text + len, *nl;
	unsigned lineno = 0;
	ks_status st;

	memset(c, 0, sizeof(*c));
	if (len > CONFIG_FILE_MAX) {
		snprintf(err, errsz, "%s: larger than %d bytes", name,
		    CONFIG_FILE_MAX);
		return KS_EINPUT;
	}
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl - p > CONFIG_LINE_MAX) {
			snprintf(err, errsz, "%s:%u: line longer than %d bytes",
			    name, lineno, CONFIG_LINE_MAX);
			config_free(c);
			return KS_EINPUT;
		}
		st = parse_line(p, nl, name, lineno, c, err, errsz);
		if (st != KS_OK) {
			config_free(c);
			return st;
		}
		p = nl + 1;
	}
	return KS_OK;
}

/* Whole file into memory, at most CONFIG_FILE_MAX bytes. */
static ks_status
slurp(const char *path, char **out, size_t *outlen, struct stat *sb,
    char *err, size_t errsz)
{
	char *buf;
	size_t len = 0;
	ssize_t r;
	ks_status st;
	int fd;

	*out = NULL;
	*outlen = 0;
	if ((st = rfile_open(path, &fd, err, errsz)) != KS_OK)
		return st;
	if (fstat(fd, sb) != 0) {
		snprintf(err, errsz, "cannot read %s: %s", path,
		    strerror(errno));
		close(fd);
		return KS_EFAIL;
	}
	if ((buf = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		close(fd);
		snprintf(err, errsz, "out of memory");
		return KS_EFAIL;
	}
	while (len <= CONFIG_FILE_MAX) {
		r = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		snprintf(err, errsz, "cannot read %s: %s", path,
		    strerror(errno));
		return KS_EFAIL;
	}
	*out = buf;
	*outlen = len;
	return KS_OK;
}

ks_status
config_load(const char *path, struct config *c, char *err, size_t errsz)
{
	struct stat sb;
	char *text;
	size_t len;
	ks_status st;

	memset(c, 0, sizeof(*c));
	if ((st = slurp(path, &text, &len, &sb, err, errsz)) != KS_OK)
		return st;
	st = config_parse(text, len, path, c, err, errsz);
	free(text);
	c->mode = sb.st_mode;
	c->uid = sb.st_uid;
	return st;
}

static int
line_has_key(const char *s, const char *e, const char *key)
{
	size_t klen = strlen(key);

	while (s < e && is_space(*s))
		s++;
	if ((size_t)(e - s) < klen || memcmp(s, key, klen) != 0)
		return 0;
	s += klen;
	while (s < e && is_space(*s))
		s++;
	return s < e && *s == '=';
}

/* Create the missing directories above path, mode 0700 as the XDG base
 * directory spec asks: a first "storage" may need ~/.config/cryptokey and
 * ~/.config itself. */
static int
make_parents(const char *path)
{
	char dir[4096];
	char *slash;
	size_t i, len;

	if (strlen(path) >= sizeof(dir))
		return -1;
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return -1;
	*slash = '\0';
	len = strlen(dir);
	for (i = 1; i <= len; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		if (i < len)
			dir[i] = '/';
	}
	return 0;
}

/* Replace the file through a temporary name.  A symlink's target is
 * rewritten, not the link, and an existing file keeps its mode. */
static ks_status
write_whole(const char *path, const char *text, size_t len, char *err,
    size_t errsz)
{
	char real[PATH_MAX], tmp[PATH_MAX + 8];
	struct stat sb;
	mode_t mode = 0644;
	int fd, n;

	if (realpath(path, real) != NULL)
		path = real;
	if (stat(path, &sb) == 0)
		mode = sb.st_mode & 07777;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errsz, "path too long");
		return KS_EUSAGE;
	}
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT && make_parents(path) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errsz, "cannot create %s: %s", tmp,
		    strerror(errno));
		return KS_EFAIL;
	}
	if (fchmod(fd, mode) != 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		snprintf(err, errsz, "cannot write %s: %s", tmp,
		    strerror(errno));
		return KS_EFAIL;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		snprintf(err, errsz, "cannot replace %s: %s", path,
		    strerror(errno));
		return KS_EFAIL;
	}
	return KS_OK;
}

ks_status
config_set(const char *path, const char *key, const char *value, char *err,
    size_t errsz)
{
	struct config check;
	struct stat sb;
	char *text = NULL, *out, *o;
	const char *p, *end, *nl;
	size_t len = 0, cap;
	int replaced = 0;
	ks_status st;

	st = slurp(path, &text, &len, &sb, err, errsz);
	if (st != KS_OK && st != KS_ENOTFOUND)
		return st;
	if (st == KS_OK) {	/* refuse to rewrite a file we cannot read */
		st = config_parse(text, len, path, &check, err, errsz);
		config_free(&check);
		if (st != KS_OK) {
			free(text);
			return st;
		}
	}
	cap = len + strlen(key) + strlen(value) + 8;
	if ((out = malloc(cap)) == NULL) {
		free(text);
		snprintf(err, errsz, "out of memory");
		return KS_EFAIL;
	}
	o = out;
	for (p = text, end = text + len; p != NULL && p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (line_has_key(p, nl, key)) {
			if (!replaced)
				o += sprintf(o, "%s = %s\n", key, value);
			replaced = 1;
			continue;
		}
		memcpy(o, p, (size_t)(nl - p));
		o += nl - p;
		*o++ = '\n';
	}
	if (!replaced)
		o += sprintf(o, "%s = %s\n", key, value);
	free(text);
	st = write_whole(path, out, (size_t)(o - out), err, errsz);
	free(out);
	return st;
}

ks_status
config_default_path(char *buf, size_t bufsz)
{
	const char *env, *home;
	int n;

	if ((env = getenv("CRYPTOKEY_CONF")) != NULL && *env != '\0')
		n = snprintf(buf, bufsz, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, bufsz, "/etc/cryptokey.conf");
	else if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/')
		n = snprintf(buf, bufsz, "%s/cryptokey/cryptokey.conf", env);
	else if ((home = getenv("HOME")) != NULL && *home == '/')
		n = snprintf(buf, bufsz, "%s/.config/cryptokey/cryptokey.conf",
		    home);
	else
		return KS_EFAIL;
	return n > 0 && (size_t)n < bufsz ? KS_OK : KS_EFAIL;
}
