/*
 * keyring.c -- keyrings (IOS "crypto keyring"): their records on the token,
 * creating, deleting and listing them with their entries.
 *
 * A keyring is a CKO_DATA object, CKA_TOKEN=TRUE, CKA_PRIVATE=FALSE (like
 * IOS running configuration it holds nothing secret),
 * CKA_APPLICATION "cryptokey-keyring", CKA_LABEL "keyring/NAME", and
 * CKA_VALUE a few text lines read by a bounded parser:
 *
 *	cryptokey-keyring 1
 *	description Branch offices		(optional)
 *	local-address 192.0.2.1			(optional)
 *
 * Unknown lines are skipped so that a later version can add some.  The
 * keyring "default" (the IOS pubkey chain and global ISAKMP keys) has no
 * record and always exists.  The entries (peerkey.c, psk.c) name their
 * keyring in their labels; nothing else ties them together, so nothing can
 * drift apart.
 *
 * Order of state changes: create is one C_CreateObject.  Delete destroys
 * the entries first and the record last, so a run cut short leaves a
 * keyring with fewer entries (or entries without a record, which list
 * shows as orphaned) and a rerun of delete completes it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_internal.h"

#define RECORD_MAGIC	"cryptokey-keyring"
#define RECORD_VERSION	1
#define IFNAME_MAX	64

struct rings {
	ks_keyring	**v;
	size_t		  n;
};

/* Printable ASCII, spaces allowed inside (IOS description text). */
static int
desc_ok(const char *v, size_t len)
{
	size_t i;

	if (len == 0 || len > KS_KEYRING_DESC_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < ' ' || (unsigned char)v[i] >= 0x7f)
			return 0;
	return 1;
}

/* An address, or an interface name such as GigabitEthernet0/1 or eth0. */
static int
local_ok(const char *v, size_t len)
{
	size_t i;

	if (len == 0 || len > KS_PEER_ID_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (!isalnum(c) && c != '.' && c != ':' && c != '/' &&
		    c != '-' && c != '_')
			return 0;
	}
	return 1;
}

int
kr_record_encode(const struct kr_record *r, char *buf, size_t bufsz)
{
	int n;

	n = snprintf(buf, bufsz, "%s %d\n%s%s%s%s%s%s", RECORD_MAGIC,
	    RECORD_VERSION,
	    r->description[0] != '\0' ? "description " : "", r->description,
	    r->description[0] != '\0' ? "\n" : "",
	    r->local_address[0] != '\0' ? "local-address " : "",
	    r->local_address, r->local_address[0] != '\0' ? "\n" : "");
	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return n;
}

static int
set_field(char *dst, size_t dstsz, const char *v, size_t vlen,
    int (*ok)(const char *, size_t))
{
	if (dst[0] != '\0' || vlen >= dstsz || !ok(v, vlen))
		return -1;	/* twice, too long or bad */
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return 0;
}

static int
parse_line(const char *line, size_t len, struct kr_record *r)
{
	static const char desc[] = "description ", local[] = "local-address ";

	if (len > sizeof(desc) - 1 && memcmp(line, desc, sizeof(desc) - 1) == 0)
		return set_field(r->description, sizeof(r->description),
		    line + sizeof(desc) - 1, len - (sizeof(desc) - 1), desc_ok);
	if (len > sizeof(local) - 1 &&
	    memcmp(line, local, sizeof(local) - 1) == 0)
		return set_field(r->local_address, sizeof(r->local_address),
		    line + sizeof(local) - 1, len - (sizeof(local) - 1),
		    local_ok);
	return 0;	/* unknown: skip */
}

/* The first line: the magic, a space and a version of 1 to 999. */
static int
parse_magic(const char *line, size_t len)
{
	size_t mlen = sizeof(RECORD_MAGIC) - 1, i;

	if (len < mlen + 2 || len > mlen + 4 ||
	    memcmp(line, RECORD_MAGIC " ", mlen + 1) != 0 ||
	    line[mlen + 1] == '0')
		return -1;
	for (i = mlen + 1; i < len; i++)
		if (!isdigit((unsigned char)line[i]))
			return -1;
	return 0;
}

int
kr_record_parse(const char *buf, size_t len, struct kr_record *r)
{
	const char *p = buf, *end = buf + len, *nl;

	memset(r, 0, sizeof(*r));
	if (len > KR_RECORD_MAX)
		return -1;
	if ((nl = memchr(p, '\n', len)) == NULL ||
	    parse_magic(p, (size_t)(nl - p)) != 0)
		return -1;
	for (p = nl + 1; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return -1;	/* every line ends in a newline */
		if (parse_line(p, (size_t)(nl - p), r) != 0)
			return -1;
	}
	return 0;
}

static ks_status
check_local(ks_ctx *ctx, const char *in, char *out, size_t outsz)
{
	unsigned char a[16];
	size_t len = strlen(in);

	if (inet_pton(AF_INET, in, a) == 1 || inet_pton(AF_INET6, in, a) == 1)
		return ks_peer_id_normalise(ctx, KS_PEER_ADDRESS, 0, in, out,
		    outsz);
	if (len == 0 || len > IFNAME_MAX || len >= outsz ||
	    !isalpha((unsigned char)in[0]) || !local_ok(in, len))
		return kx_fail(ctx, KS_EINPUT, "local address '%s' is neither "
		    "an IPv4 or IPv6 address nor an interface name", in);
	memcpy(out, in, len + 1);
	return KS_OK;
}

ks_status
ks_keyring_create(ks_ctx *ctx, const char *name, const char *description,
    const char *local_address)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	char label[sizeof(KR_PREFIX_RING) + KS_KEYRING_NAME_MAX];
	char value[KR_RECORD_MAX];
	struct kr_record r;
	CK_OBJECT_HANDLE *h = NULL, obj;
	size_t n = 0;
	ks_status st;
	CK_RV rv;
	int len;

	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = ks_keyring_name_check(ctx, name)) != KS_OK)
		return st;
	if (strcmp(name, KS_KEYRING_DEFAULT) == 0)
		return kx_fail(ctx, KS_EEXIST, "keyring 'default' (the pubkey "
		    "chain) always exists");
	memset(&r, 0, sizeof(r));
	if (description != NULL && !desc_ok(description, strlen(description)))
		return kx_fail(ctx, KS_EINPUT, "description must be 1 to %d "
		    "printable characters", KS_KEYRING_DESC_MAX);
	if (description != NULL)
		memcpy(r.description, description, strlen(description) + 1);
	if (local_address != NULL && (st = check_local(ctx, local_address,
	    r.local_address, sizeof(r.local_address))) != KS_OK)
		return st;
	if ((st = kr_find_records(ctx, name, &h, &n)) != KS_OK)
		return st;
	free(h);
	if (n > 0)
		return kx_fail(ctx, KS_EEXIST, "keyring '%s' already exists on "
		    "token '%s'", name, ctx->token.label);
	if ((len = kr_record_encode(&r, value, sizeof(value))) < 0)
		return kx_fail(ctx, KS_EFAIL, "cannot encode keyring '%s'",
		    name);
	snprintf(label, sizeof(label), "%s%s", KR_PREFIX_RING, name);
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_APPLICATION, KS_APP_KEYRING, sizeof(KS_APP_KEYRING) - 1 },
		{ CKA_LABEL, label, strlen(label) },
		{ CKA_VALUE, value, (CK_ULONG)len },
	};
	rv = p11_create(&ctx->sess, t, sizeof(t) / sizeof(t[0]), &obj);
	if (kx_rv_template_refused(rv))
		return kx_fail(ctx, KS_ETOKEN, "token '%s' keeps no public data "
		    "objects, and keyring '%s' is one (%s): keep keyrings on a "
		    "token that does", ctx->token.label, name,
		    p11_rv_name(rv));
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot store keyring '%s' on token "
		    "'%s'", name, ctx->token.label);
	return KS_OK;
}

static ks_status
destroy_entries(ks_ctx *ctx, struct ks_peers *ps, size_t *removed)
{
	size_t i;
	CK_RV rv;

	for (i = 0; i < ps->n; i++) {
		rv = p11_destroy(&ctx->sess, ps->v[i]->h);
		if (rv != CKR_OK && rv != CKR_OBJECT_HANDLE_INVALID)
			return kx_fail_rv(ctx, rv, "cannot remove '%s'",
			    ps->v[i]->label);
		(*removed)++;
	}
	return KS_OK;
}

ks_status
ks_keyring_delete(ks_ctx *ctx, const char *name, size_t *removed)
{
	struct ks_peers ps = { NULL, 0 };
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	ks_status st;
	CK_RV rv;

	*removed = 0;
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = ks_keyring_name_check(ctx, name)) != KS_OK)
		return st;
	if (strcmp(name, KS_KEYRING_DEFAULT) == 0)
		return kx_fail(ctx, KS_EPERM, "keyring 'default' (the pubkey "
		    "chain) cannot be deleted; remove its entries one by one");
	if ((st = kr_find_records(ctx, name, &h, &n)) != KS_OK)
		return st;
	if ((st = kr_pubkeys_scan(ctx, name, &ps)) != KS_OK ||
	    (st = kr_psks_scan(ctx, name, &ps)) != KS_OK)
		goto out;
	if (n == 0 && ps.n == 0) {
		st = kx_fail(ctx, KS_ENOTFOUND, "no keyring '%s' on token '%s'",
		    name, ctx->token.label);
		goto out;
	}
	if ((st = destroy_entries(ctx, &ps, removed)) != KS_OK)
		goto out;
	for (i = 0; i < n; i++) {
		rv = p11_destroy(&ctx->sess, h[i]);
		if (rv != CKR_OK && rv != CKR_OBJECT_HANDLE_INVALID) {
			st = kx_fail_rv(ctx, rv, "cannot remove keyring '%s'",
			    name);
			break;
		}
	}
out:
	kr_peers_clear(&ps);
	free(h);
	return st;
}

static void
ring_free(ks_keyring *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->description);
	free(r->local_address);
	free(r->uri);
	kr_peers_clear(&r->peers);
	free(r);
}

void
ks_keyrings_free(ks_keyring **rings, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ring_free(rings[i]);
	free(rings);
}

static ks_keyring *
rings_get(struct rings *rs, const char *name)
{
	ks_keyring **grown, *r;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i]->name, name) == 0)
			return rs->v[i];
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->name = strdup(name)) == NULL) {
		free(r);
		return NULL;
	}
	grown = reallocarray(rs->v, rs->n + 1, sizeof(*grown));
	if (grown == NULL) {
		ring_free(r);
		return NULL;
	}
	rs->v = grown;
	rs->v[rs->n++] = r;
	return r;
}

static char *
dup_or_null(const char *s)
{
	return s[0] != '\0' ? strdup(s) : NULL;
}

static ks_status
load_record(ks_ctx *ctx, CK_OBJECT_HANDLE h, struct rings *rs)
{
	char lab[KR_LABEL_MAX + 1], val[KR_RECORD_MAX];
	CK_ATTRIBUTE a[] = {
		{ CKA_LABEL, lab, KR_LABEL_MAX },
		{ CKA_VALUE, val, sizeof(val) },
	};
	size_t plen = sizeof(KR_PREFIX_RING) - 1;
	struct kr_record rec;
	ks_keyring *r;
	CK_RV rv;

	if ((rv = kr_read_attrs(ctx, h, a, 2)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read an object on token "
		    "'%s'", ctx->token.label);
	if (!kr_attr_have(&a[0]) || a[0].ulValueLen <= plen)
		return KS_OK;
	lab[a[0].ulValueLen] = '\0';
	if (strncmp(lab, KR_PREFIX_RING, plen) != 0 ||
	    strcmp(lab + plen, KS_KEYRING_DEFAULT) == 0 ||
	    ks_keyring_name_check(ctx, lab + plen) != KS_OK)
		return KS_OK;	/* not one of ours */
	if (!kr_attr_have(&a[1]) ||
	    kr_record_parse(val, a[1].ulValueLen, &rec) != 0)
		memset(&rec, 0, sizeof(rec));	/* list it, without details */
	if ((r = rings_get(rs, lab + plen)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	r->has_record = 1;
	r->h = h;
	r->uri = p11_token_uri(&ctx->token, lab, NULL, 0);
	if ((rec.description[0] != '\0' &&
	    (r->description = dup_or_null(rec.description)) == NULL) ||
	    (rec.local_address[0] != '\0' &&
	    (r->local_address = dup_or_null(rec.local_address)) == NULL))
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	return KS_OK;
}

/* Move every entry into its keyring's list (making orphaned ones). */
static ks_status
attach(ks_ctx *ctx, struct ks_peers *ps, struct rings *rs)
{
	ks_keyring *r;
	size_t i;

	for (i = 0; i < ps->n; i++) {
		if ((r = rings_get(rs, ps->v[i]->keyring)) == NULL ||
		    kr_peers_push(&r->peers, ps->v[i]) != 0)
			return kx_fail(ctx, KS_EFAIL, "out of memory");
		ps->v[i] = NULL;
	}
	return KS_OK;
}

static int
ring_cmp(const void *a, const void *b)
{
	const ks_keyring *x = *(ks_keyring *const *)a;
	const ks_keyring *y = *(ks_keyring *const *)b;
	int xd = strcmp(x->name, KS_KEYRING_DEFAULT) == 0;
	int yd = strcmp(y->name, KS_KEYRING_DEFAULT) == 0;

	if (xd != yd)
		return xd ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Keep only name; KS_ENOTFOUND when it is not there. */
static ks_status
keep_only(ks_ctx *ctx, struct rings *rs, const char *name)
{
	size_t i, kept = 0;

	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->v[i]->name, name) == 0)
			rs->v[kept++] = rs->v[i];
		else
			ring_free(rs->v[i]);
	}
	rs->n = kept;
	if (kept == 0)
		return kx_fail(ctx, KS_ENOTFOUND, "no keyring '%s' on token "
		    "'%s'", name, ctx->token.label);
	return KS_OK;
}

ks_status
ks_keyring_list(ks_ctx *ctx, const char *name, ks_keyring ***rings,
    size_t *n)
{
	struct rings rs = { NULL, 0 };
	struct ks_peers ps = { NULL, 0 };
	CK_OBJECT_HANDLE *h = NULL;
	size_t nh = 0, i;
	ks_status st;

	*rings = NULL;
	*n = 0;
	if ((st = kx_need_session(ctx)) != KS_OK)
		return st;
	if (name != NULL && (st = ks_keyring_name_check(ctx, name)) != KS_OK)
		return st;
	if (rings_get(&rs, KS_KEYRING_DEFAULT) == NULL) {
		st = kx_fail(ctx, KS_EFAIL, "out of memory");
		goto out;
	}
	if ((st = kr_find_records(ctx, NULL, &h, &nh)) != KS_OK)
		goto out;
	for (i = 0; i < nh && st == KS_OK; i++)
		st = load_record(ctx, h[i], &rs);
	if (st != KS_OK ||
	    (st = kr_pubkeys_scan(ctx, NULL, &ps)) != KS_OK ||
	    (st = kr_psks_scan(ctx, NULL, &ps)) != KS_OK ||
	    (st = attach(ctx, &ps, &rs)) != KS_OK)
		goto out;
	for (i = 0; i < rs.n; i++)
		kr_peers_sort(&rs.v[i]->peers);
	qsort(rs.v, rs.n, sizeof(*rs.v), ring_cmp);
	if (name != NULL && (st = keep_only(ctx, &rs, name)) != KS_OK)
		goto out;
	*rings = rs.v;
	*n = rs.n;
	rs.v = NULL;
	rs.n = 0;
out:
	kr_peers_clear(&ps);
	ks_keyrings_free(rs.v, rs.n);
	free(h);
	return st;
}

const char *
ks_keyring_name(const ks_keyring *r)
{
	return r->name;
}

const char *
ks_keyring_description(const ks_keyring *r)
{
	return r->description;
}

const char *
ks_keyring_local_address(const ks_keyring *r)
{
	return r->local_address;
}

const char *
ks_keyring_uri(const ks_keyring *r)
{
	return r->uri;
}

int
ks_keyring_orphaned(const ks_keyring *r)
{
	return !r->has_record && strcmp(r->name, KS_KEYRING_DEFAULT) != 0;
}

size_t
ks_keyring_count(const ks_keyring *r)
{
	return r->peers.n;
}

const ks_peer *
ks_keyring_entry(const ks_keyring *r, size_t i)
{
	return i < r->peers.n ? r->peers.v[i] : NULL;
}
