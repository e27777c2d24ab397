/*
 * conf.c -- ikesignd.conf: the IOS "crypto isakmp" and "crypto ikev2"
 * (FlexVPN) statements plus the daemon's own lines (token, module,
 * pin-source, key, hostname, listen, control, control-group, user, chroot,
 * peer).  token, module, key, user, chroot and control-group may appear
 * once each.  Bounded: files up to CONF_FILE_MAX, lines up to
 * CONF_LINE_MAX, CONF_WORDS_MAX words.  The first error is reported as
 * "file:line: reason"; weak choices are accepted with a logged warning.
 * IKEv2 proposals, policies and profiles may be named before they are
 * defined: the names are checked at the end of the file, and an error
 * there names the line of the statement concerned.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ikesignd.h"
#include "ikev2.h"
#include "common/pinsrc.h"
#include "common/rfile.h"
#include "common/secret.h"

#define CONF_FILE_MAX	(256 * 1024)
#define CONF_LINE_MAX	1024
#define CONF_WORDS_MAX	16
#define CONF_CONTROL	"/run/ikesignd/ikesignd.sock"
#define CONF_USER	"ikesignd"

#define V2_LIFETIME	86400	/* IOS: lifetime 120-86400, 86400 */
#define V2_FRAG_MTU	576	/* IOS: fragmentation mtu 68-1500, 576 */
#define V2_COOKIE_MAX	1000	/* IOS: cookie-challenge 1-1000 */

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The IOS default policies that authenticate with rsa-sig (section 17). */
static const struct policy ios_defaults[] = {
	{ 65507, IKE_ENC_AES, 128, IKE_HASH_SHA, IKE_AUTH_RSA_SIG, 5, 86400 },
	{ 65509, IKE_ENC_AES, 128, IKE_HASH_MD5, IKE_AUTH_RSA_SIG, 5, 86400 },
	{ 65511, IKE_ENC_3DES, 0, IKE_HASH_SHA, IKE_AUTH_RSA_SIG, 2, 86400 },
	{ 65513, IKE_ENC_3DES, 0, IKE_HASH_MD5, IKE_AUTH_RSA_SIG, 2, 86400 },
};

/*
 * The IKEv2 default proposal (IOS "smart defaults"), as IOS XE 17 shows it
 * ("show crypto ikev2 proposal" on a Catalyst 8000v): AES-CBC-256,
 * integrity and prf SHA-512 and SHA-384, groups 19, 14, 21 and 5.  Group 5
 * (MODP 1536) is left out: ikesignd offers no weak group unless told to.
 * (IOS 15 had AES-CBC-256/192/128, SHA-512 down to MD5, groups 5 and 2.)
 * The default policy matches any local address and names this proposal;
 * a "crypto ikev2 proposal default" of the file replaces it.
 */
static const struct v2_proposal v2_defaults[] = {
	{
		.name = "default",
		.encr = { IKEV2_ENCR_AES_CBC },
		.encr_bits = { 256 },
		.nencr = 1,
		.integ = { IKEV2_INTEG_HMAC_SHA2_512_256,
		    IKEV2_INTEG_HMAC_SHA2_384_192 },
		.ninteg = 2,
		.prf = { IKEV2_PRF_HMAC_SHA2_512, IKEV2_PRF_HMAC_SHA2_384 },
		.nprf = 2,
		.group = { 19, 14, 21 },
		.ngroup = 3,
	},
};

/*
 * The IKEv2 groups ikesignd accepts: dh.c's strong groups and 31
 * (Curve25519, RFC 8031).  IOS also knows 1, 2, 5 and 24; those are
 * refused by name.
 */
static const uint16_t v2_groups[] = { 14, 15, 16, 19, 20, 21, 31 };
static const uint16_t v2_groups_refused[] = { 1, 2, 5, 24 };

/* The sub-modes: the indented lines after a block's statement. */
enum blk {
	BLK_NONE = 0,
	BLK_ISAKMP,		/* crypto isakmp policy N */
	BLK_PROPOSAL,		/* crypto ikev2 proposal NAME */
	BLK_POLICY,		/* crypto ikev2 policy NAME */
	BLK_PROFILE		/* crypto ikev2 profile NAME */
};

static const char *const blk_names[] = { "", "crypto isakmp policy",
    "crypto ikev2 proposal", "crypto ikev2 policy", "crypto ikev2 profile" };

struct parser {
	struct conf	*c;
	const char	*name;
	unsigned	 line;
	enum blk	 blk;		/* the open block */
	enum blk	 closed;	/* the block this line has ended */
	struct policy	*pol;		/* open "crypto isakmp policy" block */
	size_t		 v2i;		/* the open IKEv2 block's index */
	unsigned	 seen[8];	/* line of each once-only statement */
	/* where the IKEv2 blocks start, and the names they refer to */
	unsigned	 prop_line[CONF_V2_MAX];
	unsigned	 v2pol_line[CONF_V2_MAX];
	unsigned	 ref_line[CONF_V2_MAX][CONF_V2_ALGS];
	unsigned	 prof_line[CONF_V2_MAX];
	unsigned	 peer_line[CONF_PEER_MAX];
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
		return perr(p, "%s too long (at most %zu characters)", what,
		    dstsz - 1);
	memcpy(dst, src, strlen(src) + 1);
	return KS_OK;
}

/*
 * A pre-shared key written in the file: "crypto isakmp key KEY address
 * ADDR [MASK]" (or hostname NAME), a keyring's "pre-shared-key address
 * ADDR key KEY", an IKEv2 keyring's "pre-shared-key [local|remote] KEY",
 * and their "no" forms.  Refused wherever it stands: the keys live on the
 * token.  Nothing of the line but its first words goes into the message
 * (the caller wipes the line).
 */
static int
key_line(char **w, int n)
{
	int i = n > 0 && strcmp(w[0], "no") == 0 ? 1 : 0;

	if (i < n && strcmp(w[i], "pre-shared-key") == 0)
		return 1;
	return i + 2 < n && strcmp(w[i], "crypto") == 0 &&
	    strcmp(w[i + 1], "isakmp") == 0 && strcmp(w[i + 2], "key") == 0;
}

static ks_status
key_refused(struct parser *p)
{
	return perr(p, "pre-shared keys are not written in ikesignd.conf: "
	    "store them on the token with 'cryptokeyring add-psk KEYRING "
	    "--address ADDRESS[/MASK]' or '--hostname NAME' (see "
	    "cryptokeyring(1)); the key on this line was not used");
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
		if (n == 2 && strcmp(w[1], "rsa-encr") == 0)
			return perr(p, "authentication rsa-encr is not "
			    "supported by ikesignd; use rsa-sig or pre-share");
		if (n == 2 && strcmp(w[1], "rsa-sig") == 0)
			pol->auth = IKE_AUTH_RSA_SIG;
		else if (n == 2 && strcmp(w[1], "ecdsa-sig") == 0)
			pol->auth = IKE_AUTH_ECDSA_ANY;	/* by the key */
		else if (n == 2 && strcmp(w[1], "pre-share") == 0)
			pol->auth = IKE_AUTH_PSK;	/* on the token */
		else
			return perr(p, "usage: authentication rsa-sig|"
			    "ecdsa-sig|pre-share");
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
			p->blk = BLK_ISAKMP;
			p->pol = &c->pol[i];	/* re-enter, as IOS does */
			return KS_OK;
		}
	if (c->npol == CONF_POLICY_MAX)
		return perr(p, "more than %d policies", CONF_POLICY_MAX);
	p->blk = BLK_ISAKMP;
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

/* IKEv2 (FlexVPN) -------------------------------------------------------- */

/* The index of name in an array of structs that begin with their name. */
static size_t
find_name(const void *base, size_t size, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp((const char *)base + i * size, name) == 0)
			return i;
	return n;
}
_Static_assert(offsetof(struct v2_proposal, name) == 0, "name comes first");
_Static_assert(offsetof(struct v2_policy, name) == 0, "name comes first");
_Static_assert(offsetof(struct v2_profile, name) == 0, "name comes first");

static int
in_list(const uint16_t *list, size_t n, unsigned long v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return 1;
	return 0;
}

/* Append v unless it is there already: 0, or -1 when the list is full. */
static int
add_value(uint16_t *list, size_t *n, uint16_t v)
{
	if (in_list(list, *n, v))
		return 0;
	if (*n == CONF_V2_ALGS)
		return -1;
	list[(*n)++] = v;
	return 0;
}

static ks_status
v2_encr(struct parser *p, struct v2_proposal *pr, const char *word)
{
	const struct ikev2_encr *e;
	char what[64];
	size_t i;

	if ((e = ikev2_encr_ios(word)) == NULL)
		return perr(p, "unknown encryption '%s'; use aes-cbc-128, "
		    "aes-cbc-192, aes-cbc-256, aes-gcm-128, aes-gcm-256 or 3des",
		    word);
	for (i = 0; i < pr->nencr; i++)
		if (pr->encr[i] == e->id && pr->encr_bits[i] == e->keybits)
			return KS_OK;
	if (pr->nencr == CONF_V2_ALGS)
		return perr(p, "more than %d encryption values", CONF_V2_ALGS);
	pr->encr[pr->nencr] = e->id;
	pr->encr_bits[pr->nencr++] = (uint16_t)e->keybits;
	if (e->weak) {
		snprintf(what, sizeof(what), "encryption %s", e->ios);
		pwarn(p, what);
	}
	return KS_OK;
}

static ks_status
v2_integ(struct parser *p, struct v2_proposal *pr, const char *word)
{
	const struct ikev2_integ *t;

	if ((t = ikev2_integ_ios(word)) == NULL)
		return perr(p, "unknown integrity '%s'; use sha1, sha256, "
		    "sha384 or sha512", word);
	if (add_value(pr->integ, &pr->ninteg, t->id) != 0)
		return perr(p, "more than %d integrity values", CONF_V2_ALGS);
	return KS_OK;
}

static ks_status
v2_prf(struct parser *p, struct v2_proposal *pr, const char *word)
{
	const struct ikev2_prf *f;

	if ((f = ikev2_prf_ios(word)) == NULL)
		return perr(p, "unknown prf '%s'; use sha1, sha256, sha384 or "
		    "sha512", word);
	if (add_value(pr->prf, &pr->nprf, f->id) != 0)
		return perr(p, "more than %d prf values", CONF_V2_ALGS);
	return KS_OK;
}

static ks_status
v2_group(struct parser *p, struct v2_proposal *pr, const char *word)
{
	unsigned long v;

	if (number(word, 0, 65535, &v) != 0 ||
	    (!in_list(v2_groups, NELEM(v2_groups), v) &&
	    !in_list(v2_groups_refused, NELEM(v2_groups_refused), v)))
		return perr(p, "unknown group '%s'; use 14, 15, 16, 19, 20, "
		    "21 or 31", word);
	if (!in_list(v2_groups, NELEM(v2_groups), v))
		return perr(p, "group %lu is not implemented by ikesignd; use "
		    "14, 15, 16, 19, 20, 21 or 31", v);
	if (add_value(pr->group, &pr->ngroup, (uint16_t)v) != 0)
		return perr(p, "more than %d groups", CONF_V2_ALGS);
	return KS_OK;
}

static const struct v2_kind {
	const char	*word;
	ks_status	(*add)(struct parser *, struct v2_proposal *,
			    const char *);
} v2_kinds[] = {
	{ "encryption", v2_encr },
	{ "integrity", v2_integ },
	{ "prf", v2_prf },
	{ "group", v2_group },
};

/* encryption|integrity|prf|group VALUE...: appended, each value once */
static ks_status
v2_proposal_line(struct parser *p, char **w, int n)
{
	struct v2_proposal *pr = &p->c->v2.proposals[p->v2i];
	size_t k;
	int i;

	for (k = 0; k < NELEM(v2_kinds); k++)
		if (strcmp(w[0], v2_kinds[k].word) == 0)
			break;
	if (k == NELEM(v2_kinds))
		return perr(p, "unknown proposal command '%s'", w[0]);
	if (n < 2)
		return perr(p, "usage: %s VALUE...", w[0]);
	for (i = 1; i < n; i++)
		if (v2_kinds[k].add(p, pr, w[i]) != KS_OK)
			return KS_EINPUT;
	return KS_OK;
}

/* IOS: without a prf line, the prf list is the integrity list. */
static ks_status
v2_prf_default(struct parser *p, struct v2_proposal *pr)
{
	const struct ikev2_integ *t;
	const struct ikev2_prf *f;
	size_t i;

	for (i = 0; i < pr->ninteg; i++)
		if ((t = ikev2_integ_get(pr->integ[i])) == NULL ||
		    (f = ikev2_prf_ios(t->ios)) == NULL ||
		    add_value(pr->prf, &pr->nprf, f->id) != 0)
			return perr(p, "proposal '%s': no prf for its "
			    "integrity; name one", pr->name);
	return KS_OK;
}

/* IOS's rules for a complete proposal. */
static ks_status
v2_proposal_check(struct parser *p, struct v2_proposal *pr)
{
	const struct ikev2_encr *e;
	size_t i, aead = 0;

	if (pr->nencr == 0)
		return perr(p, "proposal '%s' has no encryption", pr->name);
	if (pr->ngroup == 0)
		return perr(p, "proposal '%s' has no group", pr->name);
	for (i = 0; i < pr->nencr; i++)
		if ((e = ikev2_encr_get(pr->encr[i], pr->encr_bits[i])) !=
		    NULL && e->icvlen != 0)
			aead++;
	if (aead != 0 && aead != pr->nencr)
		return perr(p, "proposal '%s' mixes aes-gcm with other "
		    "ciphers; put them in separate proposals", pr->name);
	if (aead != 0 && pr->ninteg != 0)
		return perr(p, "proposal '%s': aes-gcm takes no integrity",
		    pr->name);
	if (aead != 0 && pr->nprf == 0)
		return perr(p, "proposal '%s': aes-gcm needs a prf", pr->name);
	if (aead == 0 && pr->ninteg == 0)
		return perr(p, "proposal '%s' has no integrity", pr->name);
	if (pr->nprf == 0)
		return v2_prf_default(p, pr);
	return KS_OK;
}

/* proposal NAME: one a line, in order of preference */
static ks_status
v2_policy_proposal(struct parser *p, char **w, int n)
{
	struct v2_policy *pol = &p->c->v2.policies[p->v2i];
	size_t i;

	if (n != 2)
		return perr(p, "usage: proposal NAME");
	if (strlen(w[1]) >= CONF_NAME_MAX)
		return perr(p, "proposal name too long");
	for (i = 0; i < pol->nproposal; i++)
		if (strcmp(pol->proposal[i], w[1]) == 0)
			return KS_OK;
	if (pol->nproposal == CONF_V2_ALGS)
		return perr(p, "more than %d proposals in policy '%s'",
		    CONF_V2_ALGS, pol->name);
	memcpy(pol->proposal[i], w[1], strlen(w[1]) + 1);
	p->ref_line[p->v2i][pol->nproposal++] = p->line;
	return KS_OK;
}

/* match address local ADDRESS (several: any of them); match fvrf any */
static ks_status
v2_policy_match(struct parser *p, char **w, int n)
{
	struct v2_policy *pol = &p->c->v2.policies[p->v2i];
	struct in_addr a;
	size_t i;

	if (n == 3 && strcmp(w[1], "fvrf") == 0 && strcmp(w[2], "any") == 0)
		return KS_OK;
	if (n != 4 || strcmp(w[1], "address") != 0 ||
	    strcmp(w[2], "local") != 0 || inet_pton(AF_INET, w[3], &a) != 1)
		return perr(p, "usage: match address local IPV4-ADDRESS");
	for (i = 0; i < pol->nlocal; i++)
		if (pol->local[i].s_addr == a.s_addr)
			return KS_OK;
	if (pol->nlocal == CONF_V2_MATCH)
		return perr(p, "more than %d 'match address local' lines in "
		    "policy '%s'", CONF_V2_MATCH, pol->name);
	pol->local[pol->nlocal++] = a;
	return KS_OK;
}

static struct v2_profile *
cur_profile(struct parser *p)
{
	return &p->c->v2.profiles[p->v2i];
}

static int
netmask_ok(struct in_addr m)
{
	uint32_t inv = ~ntohl(m.s_addr);

	return (inv & (inv + 1)) == 0;
}

#define MATCH_USAGE	"usage: match identity remote address IPV4-ADDRESS " \
			"[MASK] | match identity remote fqdn [domain] NAME"

/* match identity remote address ADDRESS [MASK] | fqdn [domain] NAME;
 * match fvrf any */
static ks_status
prof_match(struct parser *p, char **w, int n)
{
	struct v2_profile *pr = cur_profile(p);
	struct v2_match m;

	if (n == 3 && strcmp(w[1], "fvrf") == 0 && strcmp(w[2], "any") == 0)
		return KS_OK;
	if (n < 5 || n > 6 || strcmp(w[1], "identity") != 0 ||
	    strcmp(w[2], "remote") != 0)
		return perr(p, MATCH_USAGE);
	memset(&m, 0, sizeof(m));
	if (strcmp(w[3], "address") == 0) {
		if (inet_pton(AF_INET, w[4], &m.addr) != 1)
			return perr(p, "match identity remote address: '%s' "
			    "is not an IPv4 address", w[4]);
		m.mask.s_addr = INADDR_BROADCAST;
		if (n == 6 && (inet_pton(AF_INET, w[5], &m.mask) != 1 ||
		    !netmask_ok(m.mask)))
			return perr(p, "match identity remote address: '%s' "
			    "is not a netmask", w[5]);
		m.addr.s_addr &= m.mask.s_addr;
	} else if (strcmp(w[3], "fqdn") == 0 &&
	    (n == 6) == (strcmp(w[4], "domain") == 0)) {
		m.fqdn = 1;
		m.domain = n == 6;
		if (copy_word(p, m.name, sizeof(m.name), w[n - 1],
		    "fqdn") != KS_OK)
			return KS_EINPUT;
	} else
		return perr(p, MATCH_USAGE);
	if (pr->nmatch == CONF_V2_MATCH)
		return perr(p, "more than %d 'match identity' lines in "
		    "profile '%s'", CONF_V2_MATCH, pr->name);
	pr->match[pr->nmatch++] = m;
	return KS_OK;
}

/* identity local address ADDRESS | identity local fqdn NAME */
static ks_status
prof_identity(struct parser *p, char **w, int n)
{
	struct v2_profile *pr = cur_profile(p);
	struct in_addr a;

	if (n != 4 || strcmp(w[1], "local") != 0 ||
	    (strcmp(w[2], "address") != 0 && strcmp(w[2], "fqdn") != 0))
		return perr(p, "usage: identity local address IPV4-ADDRESS | "
		    "identity local fqdn NAME");
	pr->id_fqdn = strcmp(w[2], "fqdn") == 0;
	if (!pr->id_fqdn && inet_pton(AF_INET, w[3], &a) != 1)
		return perr(p, "identity local address: '%s' is not an IPv4 "
		    "address", w[3]);
	return copy_word(p, pr->id_name, sizeof(pr->id_name), w[3],
	    "identity");
}

#define AUTH_USAGE	"usage: authentication local rsa-sig [pss] | " \
			"authentication local ecdsa-sig|pre-share | " \
			"authentication remote rsa-sig|ecdsa-sig|pre-share"

/* authentication local rsa-sig [pss] | authentication local ecdsa-sig |
 * authentication local pre-share | authentication remote
 * rsa-sig|ecdsa-sig|pre-share; pss is ikesignd's: sign with RSASSA-PSS
 * (RFC 7427).  Local and remote may differ, as on IOS.  The pre-shared
 * keys are the profile keyring's, on the token. */
static ks_status
prof_auth(struct parser *p, char **w, int n)
{
	struct v2_profile *pr = cur_profile(p);
	enum v2_auth a = V2_AUTH_RSA_SIG;
	int local;

	/* IOS: authentication local|remote pre-share [key [0|6] KEY] */
	if (n > 3 && strcmp(w[2], "pre-share") == 0 &&
	    strcmp(w[3], "key") == 0)
		return key_refused(p);
	if (n < 3 || n > 4 || (strcmp(w[1], "local") != 0 &&
	    strcmp(w[1], "remote") != 0))
		return perr(p, AUTH_USAGE);
	local = strcmp(w[1], "local") == 0;
	if (strcmp(w[2], "pre-share") == 0 || strcmp(w[2], "ecdsa-sig") == 0) {
		if (n != 3)
			return perr(p, AUTH_USAGE);
		a = strcmp(w[2], "pre-share") == 0 ? V2_AUTH_PRE_SHARE :
		    V2_AUTH_ECDSA;
	} else if (strcmp(w[2], "rsa-sig") != 0)
		return perr(p, AUTH_USAGE);
	if (n == 4 && a == V2_AUTH_RSA_SIG) {
		if (strcmp(w[3], "pss") != 0)
			return perr(p, AUTH_USAGE);
		if (!local)
			return perr(p, "'pss' chooses how ikesignd signs: it "
			    "goes with authentication local only");
		a = V2_AUTH_PSS;
	}
	if (local)
		pr->auth_local = a;
	else
		pr->auth_remote = a;
	return KS_OK;
}

/* keyring NAME, or IOS's keyring local NAME */
static ks_status
prof_keyring(struct parser *p, char **w, int n)
{
	struct v2_profile *pr = cur_profile(p);

	if ((n != 2 && n != 3) || (n == 3 && strcmp(w[1], "local") != 0) ||
	    (n == 2 && strcmp(w[1], "local") == 0))
		return perr(p, "usage: keyring [local] NAME");
	return copy_word(p, pr->keyring, sizeof(pr->keyring), w[n - 1],
	    "keyring name");
}

static ks_status
prof_lifetime(struct parser *p, char **w, int n)
{
	unsigned long v;

	if (n != 2 || number(w[1], 120, 86400, &v) != 0)
		return perr(p, "usage: lifetime SECONDS (120-86400)");
	cur_profile(p)->lifetime = (uint32_t)v;
	return KS_OK;
}

/* dpd INTERVAL RETRY on-demand|periodic, all three as on IOS */
static ks_status
prof_dpd(struct parser *p, char **w, int n)
{
	struct v2_profile *pr = cur_profile(p);
	unsigned long s, r;

	if (n != 4 || number(w[1], 10, 3600, &s) != 0 ||
	    number(w[2], 2, 60, &r) != 0 || (strcmp(w[3], "on-demand") != 0 &&
	    strcmp(w[3], "periodic") != 0))
		return perr(p, "usage: dpd INTERVAL (10-3600) RETRY (2-60) "
		    "on-demand|periodic");
	pr->dpd = (unsigned)s;
	pr->dpd_retry = (unsigned)r;
	pr->dpd_periodic = strcmp(w[3], "periodic") == 0;
	return KS_OK;
}

/* crypto ikev2 proposal|policy|profile NAME: open or re-enter the block */
static ks_status
v2_block(struct parser *p, char **w, int n, int no)
{
	struct v2_conf *v = &p->c->v2;
	unsigned *lines;
	size_t size, *count, i;
	enum blk blk;
	char *base;

	if (no)
		return perr(p, "'no crypto ikev2 %s' is not supported: delete "
		    "the block's lines", w[2]);
	if (n != 4)
		return perr(p, "usage: crypto ikev2 %s NAME", w[2]);
	if (strcmp(w[2], "proposal") == 0) {
		base = (char *)v->proposals;
		size = sizeof(v->proposals[0]);
		count = &v->nproposal;
		lines = p->prop_line;
		blk = BLK_PROPOSAL;
	} else if (strcmp(w[2], "policy") == 0) {
		base = (char *)v->policies;
		size = sizeof(v->policies[0]);
		count = &v->npolicy;
		lines = p->v2pol_line;
		blk = BLK_POLICY;
	} else {
		base = (char *)v->profiles;
		size = sizeof(v->profiles[0]);
		count = &v->nprofile;
		lines = p->prof_line;
		blk = BLK_PROFILE;
	}
	if (strlen(w[3]) >= (blk == BLK_PROFILE ? CONF_PROFILE_MAX :
	    CONF_NAME_MAX))
		return perr(p, "%s name too long (at most %d characters)", w[2],
		    (blk == BLK_PROFILE ? CONF_PROFILE_MAX : CONF_NAME_MAX) - 1);
	if ((i = find_name(base, size, *count, w[3])) == *count) {
		if (i == CONF_V2_MAX)
			return perr(p, "more than %d '%s' blocks", CONF_V2_MAX,
			    blk_names[blk]);
		memcpy(base + i * size, w[3], strlen(w[3]) + 1);
		lines[i] = p->line;
		(*count)++;
		if (blk == BLK_PROFILE)
			v->profiles[i].lifetime = V2_LIFETIME;
	}
	p->blk = blk;
	p->v2i = i;
	return KS_OK;
}

/* crypto ikev2 cookie-challenge N; the no form, N optional, turns it off */
static ks_status
v2_cookie(struct parser *p, char **w, int n, int no)
{
	unsigned long v = 0;

	if (n > 4 || (!no && n != 4) ||
	    (n == 4 && number(w[3], 1, V2_COOKIE_MAX, &v) != 0))
		return perr(p, "usage: crypto ikev2 cookie-challenge N (1-%d)",
		    V2_COOKIE_MAX);
	p->c->v2.cookie_challenge = no ? 0 : (unsigned)v;
	return KS_OK;
}

static ks_status
v2_limit_usage(struct parser *p)
{
	return perr(p, "usage: crypto ikev2 limit max-in-negotiation-sa N "
	    "(1-%d) [incoming]", V2_HO_LIMIT_MAX);
}

/* crypto ikev2 limit max-in-negotiation-sa N [incoming]: the half-open
 * table; the no form, N optional, restores the default */
static ks_status
v2_limit(struct parser *p, char **w, int n, int no)
{
	unsigned long v = 0;
	int i = 4;

	if (n < 4 || strcmp(w[3], "max-in-negotiation-sa") != 0)
		return v2_limit_usage(p);
	if (i < n && w[i][0] >= '0' && w[i][0] <= '9') {
		if (number(w[i], 1, V2_HO_LIMIT_MAX, &v) != 0)
			return v2_limit_usage(p);
		i++;
	} else if (!no)
		return v2_limit_usage(p);
	if (i < n && strcmp(w[i], "outgoing") == 0)
		return perr(p, "max-in-negotiation-sa outgoing is not "
		    "implemented: ikesignd limits incoming negotiations");
	if (i < n && strcmp(w[i], "incoming") == 0)
		i++;
	if (i != n)
		return v2_limit_usage(p);
	p->c->v2.max_in_negotiation = no ? 0 : (unsigned)v;
	return KS_OK;
}

/* crypto ikev2 fragmentation [mtu N] (RFC 7383); the no form: off */
static ks_status
v2_frag(struct parser *p, char **w, int n, int no)
{
	unsigned long v = V2_FRAG_MTU;

	if ((n != 3 && n != 5) || (n == 5 && (strcmp(w[3], "mtu") != 0 ||
	    number(w[4], 68, 1500, &v) != 0)))
		return perr(p, "usage: crypto ikev2 fragmentation [mtu N "
		    "(68-1500)]");
	p->c->v2.fragmentation = !no;
	p->c->v2.frag_mtu = no ? V2_FRAG_MTU : (unsigned)v;
	return KS_OK;
}

static ks_status
v2_keyring(struct parser *p, char **w, int n, int no)
{
	(void)w;
	(void)n;
	(void)no;
	return perr(p, "crypto ikev2 keyring is not read by ikesignd: "
	    "keyrings are kept on the token (cryptokeyring); name one in a "
	    "profile with 'keyring NAME'");
}

static const struct v2_stmt {
	const char	*word;
	ks_status	(*fn)(struct parser *, char **, int, int);
} v2_stmts[] = {
	{ "proposal", v2_block },
	{ "policy", v2_block },
	{ "profile", v2_block },
	{ "cookie-challenge", v2_cookie },
	{ "limit", v2_limit },
	{ "fragmentation", v2_frag },
	{ "keyring", v2_keyring },
};

static ks_status
ikev2_line(struct parser *p, char **w, int n, int no)
{
	size_t i;

	if (n < 3)
		return perr(p, "usage: crypto ikev2 proposal|policy|profile "
		    "NAME, or cookie-challenge, limit, fragmentation");
	for (i = 0; i < NELEM(v2_stmts); i++)
		if (strcmp(w[2], v2_stmts[i].word) == 0)
			return v2_stmts[i].fn(p, w, n, no);
	return perr(p, "unknown statement '%scrypto ikev2 %s'", no ? "no " : "",
	    w[2]);
}

/* A proposal by name: the file's, else the built-in "default". */
static const struct v2_proposal *
v2_proposal_get(const struct conf *c, const char *name)
{
	const struct v2_conf *v = &c->v2;
	size_t i;

	i = find_name(v->proposals, sizeof(v->proposals[0]), v->nproposal,
	    name);
	if (i < v->nproposal)
		return &v->proposals[i];
	if (strcmp(name, v2_defaults[0].name) == 0)
		return &v2_defaults[0];
	return NULL;
}

/* A policy names it, or it is the default policy's proposal. */
static int
v2_proposal_used(const struct conf *c, const char *name)
{
	const struct v2_conf *v = &c->v2;
	size_t i, j;

	if (v->npolicy == 0)
		return strcmp(name, v2_defaults[0].name) == 0;
	for (i = 0; i < v->npolicy; i++)
		for (j = 0; j < v->policies[i].nproposal; j++)
			if (strcmp(v->policies[i].proposal[j], name) == 0)
				return 1;
	return 0;
}

/* At the end of the file: complete blocks, and every name defined. */
static ks_status
v2_check(struct parser *p)
{
	struct v2_conf *v = &p->c->v2;
	const struct v2_policy *pol;
	const struct v2_profile *pr;
	const struct peer *pe;
	size_t i, j;

	for (i = 0; i < v->nproposal; i++) {
		p->line = p->prop_line[i];
		if (v2_proposal_check(p, &v->proposals[i]) != KS_OK)
			return KS_EINPUT;
	}
	for (i = 0; i < v->npolicy; i++) {
		pol = &v->policies[i];
		p->line = p->v2pol_line[i];
		if (pol->nproposal == 0)
			return perr(p, "policy '%s' names no proposal",
			    pol->name);
		for (j = 0; j < pol->nproposal; j++) {
			p->line = p->ref_line[i][j];
			if (v2_proposal_get(p->c, pol->proposal[j]) == NULL)
				return perr(p, "proposal '%s' is not defined "
				    "(policy '%s')", pol->proposal[j],
				    pol->name);
		}
	}
	for (i = 0; i < v->nprofile; i++) {
		pr = &v->profiles[i];
		p->line = p->prof_line[i];
		if (pr->auth_local == V2_AUTH_NONE)
			return perr(p, "profile '%s' has no 'authentication "
			    "local'", pr->name);
		if (pr->auth_remote == V2_AUTH_NONE)
			return perr(p, "profile '%s' has no 'authentication "
			    "remote'", pr->name);
	}
	for (i = 0; i < p->c->npeer; i++) {
		pe = &p->c->peers[i];
		p->line = p->peer_line[i];
		if (pe->profile[0] != '\0' &&
		    conf_v2_profile(p->c, pe->profile) == NULL)
			return perr(p, "profile '%s' is not defined",
			    pe->profile);
	}
	for (i = 0; i < v->nproposal; i++)
		if (!v2_proposal_used(p->c, v->proposals[i].name))
			log_warnx("%s:%u: proposal '%s' is named by no crypto "
			    "ikev2 policy, so it is not used", p->name,
			    p->prop_line[i], v->proposals[i].name);
	return KS_OK;
}

static ks_status
crypto_line(struct parser *p, char **w, int n, int no)
{
	struct conf *c = p->c;

	if (n >= 2 && strcmp(w[1], "call") == 0)
		return call_admission(p, w, n, no);
	if (n >= 2 && strcmp(w[1], "ikev2") == 0)
		return ikev2_line(p, w, n, no);
	if (n < 3 || strcmp(w[1], "isakmp") != 0)
		return perr(p, "only 'crypto isakmp', 'crypto ikev2' and "
		    "'crypto call admission' statements are understood here");
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
	if (strcmp(w[2], "aggressive-mode") == 0) {
		/* IOS: accepted unless disabled; the no form accepts it */
		if (n != 4 || strcmp(w[3], "disable") != 0)
			return perr(p, "usage: [no] crypto isakmp "
			    "aggressive-mode disable");
		c->aggressive_off = !no;
		return KS_OK;
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

#define PEER_USAGE	"usage: peer IPV4-ADDRESS[/PREFIX] [ike-version 1|2] " \
			"[profile NAME] [keyring NAME] [port N] " \
			"[mode main|aggressive] [identity address|fqdn|" \
			"user-fqdn ID|key-id ID]"

/* ADDRESS or ADDRESS/PREFIX, the host bits zero. */
static ks_status
peer_address(struct parser *p, struct peer *pe, const char *word)
{
	char host[INET_ADDRSTRLEN];
	const char *slash = strchr(word, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - word) : strlen(word);
	unsigned long bits = 32;
	uint32_t mask;

	if (hlen == 0 || hlen >= sizeof(host))
		return perr(p, "peer '%s' is not an IPv4 address", word);
	memcpy(host, word, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, &pe->addr) != 1)
		return perr(p, "peer '%s' is not an IPv4 address", word);
	if (slash != NULL && number(slash + 1, 0, 32, &bits) != 0)
		return perr(p, "peer '%s': the prefix length is 0 to 32", word);
	mask = bits == 0 ? 0 : htonl(0xffffffffu << (32 - bits));
	if ((pe->addr.s_addr & ~mask) != 0)
		return perr(p, "peer '%s' has bits set after the first %lu; "
		    "give the network address of the range", word, bits);
	pe->prefix = (unsigned)bits;
	return KS_OK;
}

/* identity address | fqdn | user-fqdn ID | key-id ID; *used: its words
 * after "identity". */
static ks_status
peer_identity(struct parser *p, struct peer *pe, char **w, int n, int *used)
{
	static const struct { const char *word; int type; } ids[] = {
		{ "address", IKE_ID_IPV4_ADDR }, { "fqdn", IKE_ID_FQDN },
		{ "user-fqdn", IKE_ID_USER_FQDN }, { "key-id", IKE_ID_KEY_ID },
	};
	size_t i;

	*used = 1;
	for (i = 0; i < NELEM(ids); i++)
		if (n >= 1 && strcmp(w[0], ids[i].word) == 0)
			break;
	if (i == NELEM(ids))
		return perr(p, "usage: identity address | fqdn | user-fqdn ID "
		    "| key-id ID");
	pe->id_type = ids[i].type;
	*used = 1;
	if (pe->id_type == IKE_ID_IPV4_ADDR || pe->id_type == IKE_ID_FQDN)
		return KS_OK;
	if (n < 2 || strlen(w[1]) > KS_PEER_ID_MAX)
		return perr(p, "identity %s needs an identity of 1 to %d "
		    "characters", w[0], KS_PEER_ID_MAX);
	snprintf(pe->id, sizeof(pe->id), "%s", w[1]);
	*used = 2;
	return KS_OK;
}

/* The checks of a whole peer line, once its options are read. */
static ks_status
peer_check(struct parser *p, const struct peer *pe)
{
	if (pe->profile[0] != '\0' && pe->version != 2)
		return perr(p, "a profile is an IKEv2 setting: it needs "
		    "ike-version 2");
	if ((pe->aggressive || pe->id_type != 0) && pe->version != 1)
		return perr(p, "mode and identity are IKEv1 settings; an IKEv2 "
		    "peer's identity is its profile's 'identity local'");
	if (pe->aggressive && pe->prefix < 32)
		return perr(p, "mode aggressive says how to initiate, and "
		    "ikesignd does not initiate to a range of addresses");
	return KS_OK;
}

/* One option of a peer line at w[0]; *used: its words. */
static ks_status
peer_option(struct parser *p, struct peer *pe, char **w, int n, int *used)
{
	unsigned long v;
	ks_status st;

	if (n < 2)
		return perr(p, "'%s' needs a value", w[0]);
	if (strcmp(w[0], "identity") == 0) {
		st = peer_identity(p, pe, w + 1, n - 1, used);
		*used += 1;
		return st;
	}
	*used = 2;
	if (strcmp(w[0], "ike-version") == 0) {
		if (number(w[1], 1, 2, &v) != 0)
			return perr(p, "ike-version must be 1 or 2");
		pe->version = (int)v;
	} else if (strcmp(w[0], "mode") == 0) {
		if (strcmp(w[1], "main") != 0 && strcmp(w[1], "aggressive") != 0)
			return perr(p, "mode must be main or aggressive");
		pe->aggressive = strcmp(w[1], "aggressive") == 0;
	} else if (strcmp(w[0], "profile") == 0) {
		return copy_word(p, pe->profile, sizeof(pe->profile), w[1],
		    "profile name");
	} else if (strcmp(w[0], "keyring") == 0) {
		return copy_word(p, pe->keyring, sizeof(pe->keyring), w[1],
		    "keyring name");
	} else if (strcmp(w[0], "port") == 0) {
		if (number(w[1], 1, 65535, &v) != 0)
			return perr(p, "port must be 1-65535");
		pe->port = (uint16_t)v;
	} else
		return perr(p, "unknown peer option '%s'; %s", w[0],
		    PEER_USAGE);
	return KS_OK;
}

/* peer ADDRESS[/PREFIX] [option value]...; the profile is checked at the
 * end of the file */
static ks_status
peer_line(struct parser *p, char **w, int n)
{
	struct conf *c = p->c;
	struct peer *pe;
	size_t i;
	int k, used = 0;

	if (n < 2)
		return perr(p, PEER_USAGE);
	if (c->npeer == CONF_PEER_MAX)
		return perr(p, "more than %d peers", CONF_PEER_MAX);
	pe = &c->peers[c->npeer];
	memset(pe, 0, sizeof(*pe));
	if (peer_address(p, pe, w[1]) != KS_OK)
		return KS_EINPUT;
	for (i = 0; i < c->npeer; i++)
		if (c->peers[i].addr.s_addr == pe->addr.s_addr &&
		    c->peers[i].prefix == pe->prefix)
			return perr(p, "peer %s is configured twice", w[1]);
	snprintf(pe->name, sizeof(pe->name), "%s", w[1]);
	pe->version = 1;
	pe->port = IKE_PORT;
	snprintf(pe->keyring, sizeof(pe->keyring), "default");
	for (k = 2; k < n; k += used)
		if (peer_option(p, pe, w + k, n - k, &used) != KS_OK)
			return KS_EINPUT;
	if (peer_check(p, pe) != KS_OK)
		return KS_EINPUT;
	p->peer_line[c->npeer++] = p->line;
	return KS_OK;
}

/* The statements that may appear once, by their index in seen[]. */
static const char *const once_words[] = { "token", "module", "key", "user",
    "chroot", "control-group", "signer-workers" };
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

/* The one-value statements of own_line(). */
static int
own_word(const char *word)
{
	static const char *const words[] = { "token", "module", "pin-source",
	    "key", "hostname", "control", "control-group", "user", "chroot",
	    "signer-workers" };
	size_t i;

	for (i = 0; i < NELEM(words); i++)
		if (strcmp(word, words[i]) == 0)
			return 1;
	return 0;
}

/* An unknown word; on an indented line that ended a block, say so. */
static ks_status
unknown(struct parser *p, const char *word)
{
	if (p->closed != BLK_NONE)
		return perr(p, "unknown statement '%s' (nor is it a %s "
		    "command)", word, blk_names[p->closed]);
	return perr(p, "unknown statement '%s'", word);
}

static ks_status
own_line(struct parser *p, char **w, int n)
{
	struct conf *c = p->c;
	char err[256];
	unsigned long v;

	if (strcmp(w[0], "listen") == 0)
		return listen_line(p, w, n);
	if (strcmp(w[0], "peer") == 0)
		return peer_line(p, w, n);
	if (!own_word(w[0]))
		return unknown(p, w[0]);
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
	if (strcmp(w[0], "signer-workers") == 0) {
		if (number(w[1], 1, SIGNER_WORKERS_MAX, &v) != 0)
			return perr(p, "signer-workers takes 1 to %d",
			    SIGNER_WORKERS_MAX);
		c->signer_workers = (unsigned)v;
		return KS_OK;
	}
	if (strcmp(w[0], "chroot") == 0) {
		if (w[1][0] != '/')
			return perr(p, "chroot needs an absolute path");
		return copy_word(p, c->chroot_dir, sizeof(c->chroot_dir),
		    w[1], "chroot path");
	}
	return unknown(p, w[0]);
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

/* The lines of each block, and what reads them. */
static const struct block_cmd {
	enum blk	 blk;
	const char	*word;
	ks_status	(*fn)(struct parser *, char **, int);
} block_cmds[] = {
	{ BLK_ISAKMP, "encryption", policy_line },
	{ BLK_ISAKMP, "hash", policy_line },
	{ BLK_ISAKMP, "authentication", policy_line },
	{ BLK_ISAKMP, "group", policy_line },
	{ BLK_ISAKMP, "lifetime", policy_line },
	{ BLK_PROPOSAL, "encryption", v2_proposal_line },
	{ BLK_PROPOSAL, "integrity", v2_proposal_line },
	{ BLK_PROPOSAL, "prf", v2_proposal_line },
	{ BLK_PROPOSAL, "group", v2_proposal_line },
	{ BLK_POLICY, "proposal", v2_policy_proposal },
	{ BLK_POLICY, "match", v2_policy_match },
	{ BLK_PROFILE, "match", prof_match },
	{ BLK_PROFILE, "identity", prof_identity },
	{ BLK_PROFILE, "authentication", prof_auth },
	{ BLK_PROFILE, "keyring", prof_keyring },
	{ BLK_PROFILE, "lifetime", prof_lifetime },
	{ BLK_PROFILE, "dpd", prof_dpd },
};

static const struct block_cmd *
block_cmd(enum blk blk, const char *word)
{
	size_t i;

	for (i = 0; i < NELEM(block_cmds); i++)
		if (block_cmds[i].blk == blk &&
		    strcmp(block_cmds[i].word, word) == 0)
			return &block_cmds[i];
	return NULL;
}

/* An indented block line with no block open: name the blocks it fits. */
static ks_status
outside(struct parser *p, const char *word)
{
	char where[128] = "";
	size_t i, len;

	for (i = 0; i < NELEM(block_cmds); i++) {
		if (strcmp(block_cmds[i].word, word) != 0)
			continue;
		len = strlen(where);
		snprintf(where + len, sizeof(where) - len, "%s%s",
		    len > 0 ? " or " : "", blk_names[block_cmds[i].blk]);
	}
	if (where[0] == '\0')
		return KS_OK;		/* not a block line */
	return perr(p, "'%s' outside a %s", word, where);
}

static ks_status
parse_line(struct parser *p, char *line)
{
	const struct block_cmd *bc;
	char *w[CONF_WORDS_MAX];
	int n, indented = line[0] == ' ' || line[0] == '\t';

	if ((n = split(line, w)) < 0)
		return perr(p, "too many words");
	if (n == 0 || w[0][0] == '!' || w[0][0] == '#')
		return KS_OK;
	if (key_line(w, n))
		return key_refused(p);
	p->closed = BLK_NONE;
	if (strcmp(w[0], "exit") == 0) {
		if (p->blk == BLK_NONE)
			return perr(p, "'exit' outside a block");
		if (n != 1)
			return perr(p, "usage: exit");
		p->blk = BLK_NONE;
		p->pol = NULL;
		return KS_OK;
	}
	if (p->blk != BLK_NONE && (bc = block_cmd(p->blk, w[0])) != NULL)
		return bc->fn(p, w, n);
	if (p->blk == BLK_NONE && indented && outside(p, w[0]) != KS_OK)
		return KS_EINPUT;
	if (indented)
		p->closed = p->blk;
	p->blk = BLK_NONE;	/* any other statement ends the block */
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
	c->v2.frag_mtu = V2_FRAG_MTU;
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
		st = parse_line(&p, line);
		/* it may hold a key (refused) or a pin-value */
		OPENSSL_cleanse(line, sizeof(line));
		if (st != KS_OK)
			return st;
	}
	if ((st = v2_check(&p)) != KS_OK)
		return st;
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
	const struct peer *best = NULL;
	uint32_t mask;
	size_t i;

	for (i = 0; i < c->npeer; i++) {
		const struct peer *pe = &c->peers[i];

		mask = pe->prefix == 0 ? 0 :
		    htonl(0xffffffffu << (32 - pe->prefix));
		if ((a.s_addr & mask) == pe->addr.s_addr &&
		    (best == NULL || pe->prefix > best->prefix))
			best = pe;
	}
	return best;
}

ks_status
conf_keyrings(const struct conf *c, ks_status (*fn)(const char *,
    const char *, void *), void *arg)
{
	char who[CONF_NAME_MAX + 32];
	size_t i;
	ks_status st;

	for (i = 0; i < c->npeer; i++) {
		snprintf(who, sizeof(who), "peer %s", c->peers[i].name);
		if ((st = fn(c->peers[i].keyring, who, arg)) != KS_OK)
			return st;
	}
	for (i = 0; i < c->v2.nprofile; i++) {
		snprintf(who, sizeof(who), "crypto ikev2 profile %s",
		    c->v2.profiles[i].name);
		if ((st = fn(c->v2.profiles[i].keyring, who, arg)) != KS_OK)
			return st;
	}
	return KS_OK;
}

const struct peer *
conf_peer_name(const struct conf *c, const char *name)
{
	struct in_addr a;

	if (inet_pton(AF_INET, name, &a) != 1)
		return NULL;
	return conf_peer(c, a);
}

/*
 * The policy for a local address: the first that names it, else the first
 * with no "match address local" (any address), else none: the default
 * policy (match address local any, proposal default).
 */
static const struct v2_policy *
v2_policy_for(const struct conf *c, struct in_addr local)
{
	const struct v2_conf *v = &c->v2;
	const struct v2_policy *any = NULL;
	size_t i, j;

	for (i = 0; i < v->npolicy; i++) {
		if (v->policies[i].nlocal == 0 && any == NULL)
			any = &v->policies[i];
		for (j = 0; j < v->policies[i].nlocal; j++)
			if (v->policies[i].local[j].s_addr == local.s_addr)
				return &v->policies[i];
	}
	return any;
}

size_t
conf_v2_proposals(const struct conf *c, struct in_addr local,
    const struct v2_proposal **out, size_t max)
{
	const struct v2_policy *pol;
	const struct v2_proposal *pr;
	size_t i, n = 0;

	if ((pol = v2_policy_for(c, local)) == NULL) {
		if (max > 0 && (pr = v2_proposal_get(c,
		    v2_defaults[0].name)) != NULL)
			out[n++] = pr;
		return n;
	}
	for (i = 0; i < pol->nproposal && n < max; i++)
		if ((pr = v2_proposal_get(c, pol->proposal[i])) != NULL)
			out[n++] = pr;
	return n;
}

const struct v2_profile *
conf_v2_profile(const struct conf *c, const char *name)
{
	const struct v2_conf *v = &c->v2;
	size_t i;

	i = find_name(v->profiles, sizeof(v->profiles[0]), v->nprofile, name);
	return i < v->nprofile ? &v->profiles[i] : NULL;
}

/* The length of a netmask (contiguous: the parser checks). */
static int
mask_bits(struct in_addr m)
{
	uint32_t v = ntohl(m.s_addr);
	int n = 0;

	for (; v != 0; v <<= 1)
		n++;
	return n;
}

/* The profile whose "match identity remote address" covers a: the longest
 * mask, the first profile of those with the same. */
const struct v2_profile *
conf_v2_match_addr(const struct conf *c, struct in_addr a)
{
	const struct v2_conf *v = &c->v2;
	const struct v2_profile *best = NULL;
	const struct v2_match *m;
	size_t i, j;
	int bits, most = -1;

	for (i = 0; i < v->nprofile; i++)
		for (j = 0; j < v->profiles[i].nmatch; j++) {
			m = &v->profiles[i].match[j];
			if (m->fqdn ||
			    (a.s_addr & m->mask.s_addr) != m->addr.s_addr)
				continue;
			if ((bits = mask_bits(m->mask)) > most) {
				most = bits;
				best = &v->profiles[i];
			}
		}
	return best;
}

/* name is domain, or ends with "." and domain; any case */
static int
in_domain(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (n == d)
		return strcasecmp(name, domain) == 0;
	return n > d && name[n - d - 1] == '.' &&
	    strcasecmp(name + n - d, domain) == 0;
}

/* The profile whose "match identity remote fqdn" is name (any case), else
 * the one with the longest "fqdn domain" that name is in. */
/* Does one of the profile's "match identity remote" lines cover the
 * identity (a name, or else the address)?  A profile without them covers
 * every identity. */
int
conf_v2_covers(const struct v2_profile *p, const char *name,
    struct in_addr a)
{
	const struct v2_match *m;
	size_t i;

	if (p->nmatch == 0)
		return 1;
	for (i = 0; i < p->nmatch; i++) {
		m = &p->match[i];
		if (m->fqdn && name != NULL && (m->domain ?
		    in_domain(name, m->name) : strcasecmp(m->name, name) == 0))
			return 1;
		if (!m->fqdn && name == NULL &&
		    (a.s_addr & m->mask.s_addr) == m->addr.s_addr)
			return 1;
	}
	return 0;
}

const struct v2_profile *
conf_v2_match_fqdn(const struct conf *c, const char *name)
{
	const struct v2_conf *v = &c->v2;
	const struct v2_profile *best = NULL;
	const struct v2_match *m;
	size_t i, j, len, most = 0;

	for (i = 0; i < v->nprofile; i++)
		for (j = 0; j < v->profiles[i].nmatch; j++) {
			m = &v->profiles[i].match[j];
			if (!m->fqdn)
				continue;
			if (!m->domain && strcasecmp(m->name, name) == 0)
				return &v->profiles[i];
			if (m->domain && in_domain(name, m->name) &&
			    (len = strlen(m->name) + 1) > most) {
				most = len;
				best = &v->profiles[i];
			}
		}
	return best;
}
