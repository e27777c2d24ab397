/*
 * meta.c -- the record cryptokey keeps beside each key pair.
 *
 * A CKO_DATA object, CKA_APPLICATION "cryptokey-meta", CKA_LABEL = the key
 * name, CKA_VALUE = a few text lines:
 *
 *	cryptokey-meta 1
 *	id 0a1b...			(CKA_ID of the pair, hex)
 *	usage general|signature|encryption
 *	created 2026-11-23T12:49:50Z
 *
 * Text so that pkcs11-tool --read-object shows it plainly.  The parser is
 * bounded and strict about the lines it knows; unknown lines are skipped so
 * that a later version can add some.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ks_internal.h"

#define META_MAGIC	"cryptokey-meta"
#define META_VERSION	1

static int
parse_id(const char *v, size_t vlen, struct ks_meta *m)
{
	int n;

	if (vlen == 0 || (n = kx_hex_decode(v, vlen, m->id,
	    sizeof(m->id))) < 0)
		return -1;
	m->idlen = (size_t)n;
	return 0;
}

static int
parse_usage(const char *v, size_t vlen, struct ks_meta *m)
{
	static const ks_usage all[] = {
		KS_USAGE_GENERAL, KS_USAGE_SIGNATURE, KS_USAGE_ENCRYPTION
	};
	const char *name;
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		name = ks_usage_name(all[i]);
		if (strlen(name) == vlen && memcmp(name, v, vlen) == 0) {
			m->usage = all[i];
			return 0;
		}
	}
	return -1;
}

static int
digits(const char *v, size_t n, int *out)
{
	size_t i;
	int x = 0;

	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return 0;
}

/* Exactly YYYY-MM-DDTHH:MM:SSZ */
static int
parse_created(const char *v, size_t vlen, struct ks_meta *m)
{
	struct tm tm;
	int y, mo, d, h, mi, s;

	if (vlen != 20 || v[4] != '-' || v[7] != '-' || v[10] != 'T' ||
	    v[13] != ':' || v[16] != ':' || v[19] != 'Z')
		return -1;
	if (digits(v, 4, &y) || digits(v + 5, 2, &mo) ||
	    digits(v + 8, 2, &d) || digits(v + 11, 2, &h) ||
	    digits(v + 14, 2, &mi) || digits(v + 17, 2, &s))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || s > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	m->created = timegm(&tm);
	return m->created == (time_t)-1 ? -1 : 0;
}

static const struct {
	const char	*key;
	int		(*parse)(const char *, size_t, struct ks_meta *);
} fields[] = {
	{ "id", parse_id },
	{ "usage", parse_usage },
	{ "created", parse_created },
};

/* One "key value" line; returns -1 on a malformed known field. */
static int
parse_line(const char *line, size_t len, struct ks_meta *m, unsigned *seen)
{
	const char *sp = memchr(line, ' ', len);
	size_t klen, i;

	if (sp == NULL)
		return 0;	/* unknown shape: skip */
	klen = (size_t)(sp - line);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strlen(fields[i].key) != klen ||
		    memcmp(fields[i].key, line, klen) != 0)
			continue;
		if (*seen & (1u << i))
			return -1;	/* twice */
		*seen |= 1u << i;
		return fields[i].parse(sp + 1, len - klen - 1, m);
	}
	return 0;
}

int
kx_meta_parse(const char *buf, size_t len, struct ks_meta *m)
{
	const char *p = buf, *end = buf + len, *nl;
	char first[32];
	unsigned seen = 0;
	size_t l;

	memset(m, 0, sizeof(*m));
	if (len > KS_META_MAX)
		return -1;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL)
		return -1;
	l = (size_t)(nl - p);
	if (l >= sizeof(first))
		return -1;
	memcpy(first, p, l);
	first[l] = '\0';
	if (strcmp(first, META_MAGIC " 1") != 0)
		return -1;
	m->version = META_VERSION;
	for (p = nl + 1; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return -1;	/* every line ends in a newline */
		if (parse_line(p, (size_t)(nl - p), m, &seen) != 0)
			return -1;
	}
	return seen == 0x7 ? 0 : -1;	/* all three fields present */
}

int
kx_meta_encode(const struct ks_meta *m, char *buf, size_t bufsz)
{
	char hex[KS_ID_MAX * 2 + 1], when[32];
	struct tm tm;
	size_t i;
	int n;

	if (m->idlen == 0 || m->idlen > KS_ID_MAX)
		return -1;
	for (i = 0; i < m->idlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", m->id[i]);
	if (gmtime_r(&m->created, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	n = snprintf(buf, bufsz, "%s %d\nid %s\nusage %s\ncreated %s\n",
	    META_MAGIC, META_VERSION, hex, ks_usage_name(m->usage), when);
	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return n;
}

ks_status
kx_meta_create(ks_ctx *ctx, const char *label, const struct ks_meta *m,
    CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	char value[KS_META_MAX];
	int n;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_APPLICATION, KS_APP_META, sizeof(KS_APP_META) - 1 },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_VALUE, value, 0 },
	};
	CK_RV rv;

	if ((n = kx_meta_encode(m, value, sizeof(value))) < 0)
		return kx_fail(ctx, KS_EFAIL, "cannot encode the record of "
		    "key '%s'", label);
	t[5].ulValueLen = (CK_ULONG)n;
	rv = p11_create(&ctx->sess, t, sizeof(t) / sizeof(t[0]), h);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot store the record of key "
		    "'%s' on token '%s'", label, ctx->token.label);
	return KS_OK;
}

const char *
ks_usage_words(ks_usage u)
{
	switch (u) {
	case KS_USAGE_SIGNATURE:
		return "Signature Key";
	case KS_USAGE_ENCRYPTION:
		return "Encryption Key";
	case KS_USAGE_GENERAL:
	default:
		return "General Purpose Key";
	}
}

const char *
ks_usage_name(ks_usage u)
{
	switch (u) {
	case KS_USAGE_SIGNATURE:
		return "signature";
	case KS_USAGE_ENCRYPTION:
		return "encryption";
	case KS_USAGE_GENERAL:
	default:
		return "general";
	}
}
