/*
 * conf.c -- ikesignd.conf: the IOS "crypto isakmp" statements plus the
 * daemon's own lines (token, module, pin-source, key, hostname, listen,
 * control, control-group, user, chroot, peer).  token, module, key, user,
 * chroot and control-group may appear once each.  Bounded: files up to CONF_FILE_MAX, lines up to
 * CONF_LINE_MAX, CONF_WORDS_MAX words.  The first error is reported as
 * "file:line: reason"; weak choices are accepted with a logged warning.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ikesignd.h"
#include "common/pinsrc.h"
#include "common/rfile.h"
#include "common/secret.h"

#define CONF_FILE_MAX	(256 * 1024)
#define CONF_LINE_MAX	1024
#define CONF_WORDS_MAX	16
#define CONF_CONTROL	"/run/ikesignd.sock"
#define CONF_USER	"ikesignd"
#define CONF_CHROOT	"/var/empty"

/* The IOS default policies that authenticate with rsa-sig (section 17). */
static const struct policy ios_defaults[] = {
	{ 65507, IKE_ENC_AES, 128, IKE_HASH_SHA, IKE_AUTH_RSA_SIG, 5, 86400 },
	{ 65509, IKE_ENC_AES, 128, IKE_HASH_MD5, IKE_AUTH_RSA_SIG, 5, 86400 },
	{ 65511, IKE_ENC_3DES, 0, IKE_HASH_SHA, IKE_AUTH_RSA_SIG, 2, 86400 },
	{ 65513, IKE_ENC_3DES, 0, IKE_HASH_MD5, IKE_AUTH_RSA_SIG, 2, 86400 },
};

struct parser {
	struct conf	*c;
	const char	*name;
	unsigned	 line;
	struct policy	*pol;		/* open "crypto isakmp policy" block */
	unsigned	 seen[8];	/* line of each once-only statement */
	char		*err;
	size_t		 errsz;
};

static ks_status
perr(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static ks_status
perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errsz, "%s:%u: ", p->name, p->line);
	if (n < 0 || (size_t)n >= p->errsz)
		return KS_EINPUT;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return KS_EINPUT;
}

static void
pwarn(struct parser *p, const char *what)
{
	log_warnx("%s:%u: %s is weak; accepted", p->name, p->line, what);
}

static int
number(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static ks_status
copy_word(struct parser *p, char *dst, size_t dstsz, const char *src,
    const char *what)
{
	if (strlen(src) >= dstsz)
		return perr(p, "%s too long", what);
	memcpy(dst, src, strlen(src) + 1);
	return KS_OK;
}

/* "encryption des|3des|aes [128|192|256]" and the other policy lines */
static ks_status
policy_line(struct parser *p, char **w, int n)
{
	struct policy *pol = p->pol;
	const struct ike_hash *h;
	unsigned long v;

	if (strcmp(w[0], "encryption") == 0) {
		if (n == 2 && strcmp(w[1], "des") == 0) {
			pol->enc = IKE_ENC_DES;
			pol->keybits = 0;
			pwarn(p, "encryption des");
		} else if (n == 2 && strcmp(w[1], "3des") == 0) {
			pol->enc = IKE_ENC_3DES;
			pol->keybits = 0;
		} else if ((n == 2 || n == 3) && strcmp(w[1], "aes") == 0) {
			v = 128;
			if (n == 3 && (number(w[2], 128, 256, &v) != 0 ||
			    (v != 128 && v != 192 && v != 256)))
				return perr(p, "aes key length must be 128, "
				    "192 or 256");
			pol->enc = IKE_ENC_AES;
			pol->keybits = (unsigned)v;
		} else
			return perr(p, "usage: encryption des|3des|aes "
			    "[128|192|256]");
	} else if (strcmp(w[0], "hash") == 0) {
		if (n != 2 || (h = alg_hash_ios(w[1])) == NULL)
			return perr(p, "usage: hash md5|sha|sha256|sha384|"
			    "sha512");
		pol->hash = h->id;
		if (h->weak)
			pwarn(p, "hash md5");
	} else if (strcmp(w[0], "authentication") == 0) {
		if (n != 2)
			return perr(p, "usage: authentication rsa-sig");
		if (strcmp(w[1], "pre-share") == 0 ||
		    strcmp(w[1], "rsa-encr") == 0)
			return perr(p, "authentication %s is not supported by "
			    "ikesignd; use rsa-sig", w[1]);
		if (strcmp(w[1], "rsa-sig") != 0)
			return perr(p, "usage: authentication rsa-sig");
		pol->auth = IKE_AUTH_RSA_SIG;
	} else if (strcmp(w[0], "group") == 0) {
		if (n != 2 || number(w[1], 1, 21, &v) != 0 ||
		    dh_group_get((int)v) == NULL)
			return perr(p, "usage: group 1|2|5|14|15|16|19|20|21");
		pol->group = (int)v;
		if (dh_group_get((int)v)->weak)
			pwarn(p, "a Diffie-Hellman group below 14");
	} else if (strcmp(w[0], "lifetime") == 0) {
		if (n != 2 || number(w[1], 60, 86400, &v) != 0)
			return perr(p, "usage: lifetime SECONDS (60-86400)");
		pol->lifetime = (uint32_t)v;
	} else if (strcmp(w[0], "exit") == 0 && n == 1) {
		p->pol = NULL;
	} else
		return perr(p, "unknown policy command '%s'", w[0]);
	return KS_OK;
}

static ks_status
isakmp_policy(struct parser *p, char **w, int n)
{
	struct conf *c = p->c;
	unsigned long prio;
	size_t i;

	if (n != 4 || number(w[3], 1, 10000, &prio) != 0)
		return perr(p, "usage: crypto isakmp policy PRIORITY (1-10000)");
	for (i = 0; i < c->npol; i++)
		if (c->pol[i].prio == prio) {
			p->pol = &c->pol[i];	/* re-enter, as IOS does */
			return KS_OK;
		}
	if (c->npol == CONF_POLICY_MAX)
		return perr(p, "more than %d policies", CONF_POLICY_MAX);
	p->pol = &c->pol[c->npol++];
	/* IOS field defaults: DES, SHA-1, rsa-sig, group 1, 86400 s */
	p->pol->prio = (unsigned)prio;
	p->pol->enc = IKE_ENC_DES;
	p->pol->keybits = 0;
	p->pol->hash = IKE_HASH_SHA;
	p->pol->auth = IKE_AUTH_RSA_SIG;
	p->pol->group = 1;
	p->pol->lifetime = 86400;
	return KS_OK;
}

static ks_status
isakmp_keepalive(struct parser *p, char **w, int n)
{
	unsigned long s, r = 2;
	int i = 4;

	if (n < 4 || number(w[3], 10, 3600, &s) != 0)
		return perr(p, "usage: crypto isakmp keepalive SECONDS (10-3600)"
		    " [RETRY (2-60)] [periodic|on-demand]");
	p->c->keepalive_periodic = 0;
	if (i < n && number(w[i], 0, ~0UL, &r) == 0) {
		if (r < 2 || r > 60)
			return perr(p, "keepalive retry must be 2-60 seconds");
		i++;
	}
	if (i < n) {
		if (strcmp(w[i], "periodic") == 0)
			p->c->keepalive_periodic = 1;
		else if (strcmp(w[i], "on-demand") != 0)
			return perr(p, "keepalive mode must be periodic or "
			    "on-demand");
		i++;
	}
	if (i != n)
		return perr(p, "extra words after keepalive");
	p->c->keepalive = (unsigned)s;
	p->c->keepalive_retry = (unsigned)r;
	return KS_OK;
}

/* crypto call admission limit ike in-negotiation-sa N: the size of the
 * half-open table (ikev1_halfopen.c); the no form, N optional as on IOS,
 * restores the default */
static ks_status
call_admission(struct parser *p, char **w, int n, int no)
{
	unsigned long v;

	if (n < 6 || strcmp(w[2], "admission") != 0 ||
	    strcmp(w[3], "limit") != 0 || strcmp(w[4], "ike") != 0 ||
	    strcmp(w[5], "in-negotiation-sa") != 0 || n > 7 ||
	    (!no && n != 7) ||
	    (n == 7 && number(w[6], HO_LIMIT_MIN, HO_LIMIT_MAX, &v) != 0))
		return perr(p, "usage: crypto call admission limit ike "
		    "in-negotiation-sa N (%d-%d)", HO_LIMIT_MIN, HO_LIMIT_MAX);
	p->c->half_open_max = no ? 0 : (unsigned)v;
	return KS_OK;
}

static ks_status
crypto_line(struct parser *p, char **w, int n, int no)
{
	struct conf *c = p->c;

	if (n >= 2 && strcmp(w[1], "call") == 0)
		return call_admission(p, w, n, no);
	if (n < 3 || strcmp(w[1], "isakmp") != 0)
		return perr(p, "only 'crypto isakmp' statements are "
		    "understood here");
	if (strcmp(w[2], "policy") == 0 && !no)
		return isakmp_policy(p, w, n);
	if (strcmp(w[2], "default") == 0 && n == 4 &&
	    strcmp(w[3], "policy") == 0) {
		c->default_policy = !no;
		return KS_OK;
	}
	if (strcmp(w[2], "identity") == 0) {
		if (no && n == 3)
			c->identity = IKE_ID_IPV4_ADDR;
		else if (!no && n == 4 && strcmp(w[3], "address") == 0)
			c->identity = IKE_ID_IPV4_ADDR;
		else if (!no && n == 4 && strcmp(w[3], "hostname") == 0)
			c->identity = IKE_ID_FQDN;
		else if (!no && n == 4 && strcmp(w[3], "dn") == 0)
			return perr(p, "identity dn needs certificates, which "
			    "ikesignd does not use");
		else
			return perr(p, "usage: crypto isakmp identity "
			    "address|hostname");
		return KS_OK;
	}
	if (strcmp(w[2], "keepalive") == 0) {
		if (no) {
			c->keepalive = 0;
			return KS_OK;
		}
		return isakmp_keepalive(p, w, n);
	}
	return perr(p, "unknown statement 'crypto isakmp %s'", w[2]);
}

static ks_status
listen_line(struct parser *p, char **w, int n)
{
	unsigned long port = IKE_PORT;

	if ((n != 2 && n != 4) ||
	    inet_pton(AF_INET, w[1], &p->c->listen) != 1)
		return perr(p, "usage: listen IPV4-ADDRESS [port N]");
	if (n == 4 && (strcmp(w[2], "port") != 0 ||
	    number(w[3], 1, 65535, &port) != 0))
		return perr(p, "usage: listen IPV4-ADDRESS [port N]");
	p->c->port = (uint16_t)port;
	return KS_OK;
}

/* peer ADDRESS [ike-version 1] [keyring NAME] [port N] */
static ks_status
peer_line(struct parser *p, char **w, int n)
{
	struct conf *c = p->c;
	struct peer *pe;
	unsigned long v;
	int i;

	if (n < 2)
		return perr(p, "usage: peer IPV4-ADDRESS [ike-version 1] "
		    "[keyring NAME] [port N]");
	if (c->npeer == CONF_PEER_MAX)
		return perr(p, "more than %d peers", CONF_PEER_MAX);
	pe = &c->peers[c->npeer];
	memset(pe, 0, sizeof(*pe));
	if (inet_pton(AF_INET, w[1], &pe->addr) != 1)
		return perr(p, "peer '%s' is not an IPv4 address", w[1]);
	if (conf_peer(c, pe->addr) != NULL)
		return perr(p, "peer %s is configured twice", w[1]);
	snprintf(pe->name, sizeof(pe->name), "%s", w[1]);
	pe->version = 1;
	pe->port = IKE_PORT;
	snprintf(pe->keyring, sizeof(pe->keyring), "default");
	for (i = 2; i < n; i += 2) {
		if (i + 1 >= n)
			return perr(p, "'%s' needs a value", w[i]);
		if (strcmp(w[i], "ike-version") == 0) {
			if (number(w[i + 1], 1, 2, &v) != 0)
				return perr(p, "ike-version must be 1 or 2");
			if (v == 2)
				return perr(p, "ike-version 2 is not "
				    "implemented yet; use 1");
			pe->version = (int)v;
		} else if (strcmp(w[i], "keyring") == 0) {
			if (copy_word(p, pe->keyring, sizeof(pe->keyring),
			    w[i + 1], "keyring name") != KS_OK)
				return KS_EINPUT;
		} else if (strcmp(w[i], "port") == 0) {
			if (number(w[i + 1], 1, 65535, &v) != 0)
				return perr(p, "port must be 1-65535");
			pe->port = (uint16_t)v;
		} else
			return perr(p, "unknown peer option '%s'", w[i]);
	}
	c->npeer++;
	return KS_OK;
}

/* The statements that may appear once, by their index in seen[]. */
static const char *const once_words[] = { "token", "module", "key", "user",
    "chroot", "control-group" };
_Static_assert(sizeof(once_words) / sizeof(once_words[0]) <=
    sizeof(((struct parser *)0)->seen) / sizeof(unsigned),
    "one seen[] slot per once-only statement");

static ks_status
once(struct parser *p, const char *word)
{
	size_t i;

	for (i = 0; i < sizeof(once_words) / sizeof(once_words[0]); i++) {
		if (strcmp(word, once_words[i]) != 0)
			continue;
		if (p->seen[i] != 0)
			return perr(p, "a second '%s' line (the first is on "
			    "line %u); ikesignd uses one", word, p->seen[i]);
		p->seen[i] = p->line;
	}
	return KS_OK;
}

static ks_status
own_line(struct parser *p, char **w, int n)
{
	struct conf *c = p->c;
	char err[256];

	if (strcmp(w[0], "listen") == 0)
		return listen_line(p, w, n);
	if (strcmp(w[0], "peer") == 0)
		return peer_line(p, w, n);
	if (n != 2)
		return perr(p, "usage: %s VALUE", w[0]);
	if (once(p, w[0]) != KS_OK)
		return KS_EINPUT;
	if (strcmp(w[0], "token") == 0)
		return copy_word(p, c->token, sizeof(c->token), w[1], "token");
	if (strcmp(w[0], "module") == 0)
		return copy_word(p, c->module, sizeof(c->module), w[1],
		    "module path");
	if (strcmp(w[0], "pin-source") == 0) {
		if (secret_check(w[1], err, sizeof(err)) != KS_OK)
			return perr(p, "pin-source: %s", err);
		return copy_word(p, c->pin_source, sizeof(c->pin_source), w[1],
		    "pin-source");
	}
	if (strcmp(w[0], "key") == 0)
		return copy_word(p, c->key, sizeof(c->key), w[1], "key name");
	if (strcmp(w[0], "hostname") == 0)
		return copy_word(p, c->hostname, sizeof(c->hostname), w[1],
		    "hostname");
	if (strcmp(w[0], "control") == 0)
		return copy_word(p, c->control, sizeof(c->control), w[1],
		    "control socket path");
	if (strcmp(w[0], "control-group") == 0)
		return copy_word(p, c->control_group,
		    sizeof(c->control_group), w[1], "control-group name");
	if (strcmp(w[0], "user") == 0)
		return copy_word(p, c->user, sizeof(c->user), w[1],
		    "user name");
	if (strcmp(w[0], "chroot") == 0) {
		if (w[1][0] != '/')
			return perr(p, "chroot needs an absolute path");
		return copy_word(p, c->chroot_dir, sizeof(c->chroot_dir),
		    w[1], "chroot path");
	}
	return perr(p, "unknown statement '%s'", w[0]);
}

static int
split(char *s, char **w)
{
	int n = 0;
	char *tok, *save = NULL;

	for (tok = strtok_r(s, " \t\r", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == CONF_WORDS_MAX)
			return -1;
		w[n++] = tok;
	}
	return n;
}

static int
is_policy_word(const char *s)
{
	static const char *const words[] = { "encryption", "hash",
	    "authentication", "group", "lifetime", "exit" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

static ks_status
parse_line(struct parser *p, char *line)
{
	char *w[CONF_WORDS_MAX];
	int n, indented = line[0] == ' ' || line[0] == '\t';

	if ((n = split(line, w)) < 0)
		return perr(p, "too many words");
	if (n == 0 || w[0][0] == '!' || w[0][0] == '#')
		return KS_OK;
	if (p->pol != NULL && is_policy_word(w[0]))
		return policy_line(p, w, n);
	if (indented && p->pol == NULL && is_policy_word(w[0]))
		return perr(p, "'%s' outside a crypto isakmp policy", w[0]);
	p->pol = NULL;
	if (strcmp(w[0], "crypto") == 0)
		return crypto_line(p, w, n, 0);
	if (strcmp(w[0], "no") == 0 && n > 1 && strcmp(w[1], "crypto") == 0)
		return crypto_line(p, w + 1, n - 1, 1);
	return own_line(p, w, n);
}

static void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->default_policy = 1;
	c->identity = IKE_ID_IPV4_ADDR;
	c->keepalive_retry = 2;
	c->port = IKE_PORT;
	c->listen.s_addr = htonl(INADDR_ANY);
	snprintf(c->control, sizeof(c->control), "%s", CONF_CONTROL);
	snprintf(c->user, sizeof(c->user), "%s", CONF_USER);
	snprintf(c->chroot_dir, sizeof(c->chroot_dir), "%s", CONF_CHROOT);
}

ks_status
conf_parse(const char *text, size_t len, const char *name, struct conf *c,
    char *err, size_t errsz)
{
	struct parser p;
	char line[CONF_LINE_MAX + 1];
	size_t i = 0, j;
	ks_status st;

	conf_defaults(c);
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.name = name;
	p.err = err;
	p.errsz = errsz;
	while (i < len) {
		p.line++;
		for (j = 0; i < len && text[i] != '\n'; i++) {
			if (text[i] == '\0')
				return perr(&p, "NUL character");
			if (j == CONF_LINE_MAX)
				return perr(&p, "line longer than %d "
				    "characters", CONF_LINE_MAX);
			line[j++] = text[i];
		}
		line[j] = '\0';
		i++;	/* the newline */
		if ((st = parse_line(&p, line)) != KS_OK)
			return st;
	}
	if (c->key[0] == '\0' &&
	    ks_default_label(c->key, sizeof(c->key)) != KS_OK) {
		p.line = 0;
		return perr(&p, "no 'key' line and no host name to default to");
	}
	if (c->hostname[0] == '\0' &&
	    ks_default_label(c->hostname, sizeof(c->hostname)) != KS_OK)
		snprintf(c->hostname, sizeof(c->hostname), "localhost");
	return KS_OK;
}

/* A pin-value in the token URI only from a file that only its owner (the
 * user or root) can read. */
static ks_status
conf_pin_value_ok(const char *path, const struct stat *sb, struct conf *c,
    char *err, size_t errsz)
{
	char why[512];
	ks_status st;

	if (!pin_uri_has_value(c->token))
		return KS_OK;
	st = rfile_private(path, sb->st_mode, sb->st_uid, why, sizeof(why));
	if (st == KS_OK)
		return KS_OK;
	snprintf(err, errsz, "the token URI in %s carries a pin-value, so the "
	    "file must be private: %s", path, why);
	OPENSSL_cleanse(c->token, sizeof(c->token));
	return st;
}

ks_status
conf_load(const char *path, struct conf *c, char *err, size_t errsz)
{
	char *buf;
	struct stat sb;
	ssize_t n;
	size_t have = 0;
	ks_status st;
	int fd;

	if ((st = rfile_open(path, &fd, err, errsz)) != KS_OK)
		return st;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > CONF_FILE_MAX) {
		snprintf(err, errsz, "%s: not a regular file of at most %d "
		    "bytes", path, CONF_FILE_MAX);
		close(fd);
		return KS_EINPUT;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		snprintf(err, errsz, "out of memory");
		return KS_EFAIL;
	}
	while (have < (size_t)sb.st_size &&
	    (n = read(fd, buf + have, (size_t)sb.st_size - have)) > 0)
		have += (size_t)n;
	close(fd);
	st = conf_parse(buf, have, path, c, err, errsz);
	OPENSSL_cleanse(buf, have);	/* may hold a pin-value */
	free(buf);
	if (st == KS_OK)
		st = conf_pin_value_ok(path, &sb, c, err, errsz);
	if (st == KS_OK)
		snprintf(c->path, sizeof(c->path), "%s", path);
	return st;
}

static int
by_prio(const void *a, const void *b)
{
	const struct policy *x = a, *y = b;

	return (x->prio > y->prio) - (x->prio < y->prio);
}

size_t
conf_policies(const struct conf *c, struct policy *out, size_t max)
{
	size_t i, n = 0;

	if (c->npol > 0) {
		for (i = 0; i < c->npol && n < max; i++)
			out[n++] = c->pol[i];
	} else if (c->default_policy) {
		for (i = 0; i < sizeof(ios_defaults) /
		    sizeof(ios_defaults[0]) && n < max; i++)
			out[n++] = ios_defaults[i];
	}
	qsort(out, n, sizeof(*out), by_prio);
	return n;
}

const struct peer *
conf_peer(const struct conf *c, struct in_addr a)
{
	size_t i;

	for (i = 0; i < c->npeer; i++)
		if (c->peers[i].addr.s_addr == a.s_addr)
			return &c->peers[i];
	return NULL;
}

const struct peer *
conf_peer_name(const struct conf *c, const char *name)
{
	struct in_addr a;

	if (inet_pton(AF_INET, name, &a) != 1)
		return NULL;
	return conf_peer(c, a);
}
