/*
 * psk.c -- pre-shared keys in keyrings (IOS "pre-shared-key" in a keyring,
 * "crypto isakmp key" for the default keyring).
 *
 * Each PSK is one CKO_SECRET_KEY object:
 *	CKK_GENERIC_SECRET, CKA_TOKEN=TRUE, CKA_PRIVATE=TRUE,
 *	CKA_SENSITIVE=TRUE, CKA_EXTRACTABLE=FALSE (read back after creation),
 *	CKA_SIGN/CKA_VERIFY=TRUE so that the IKE prf (an HMAC over the PSK)
 *	runs inside the token, nothing else allowed,
 *	CKA_LABEL "psk/KEYRING/address:10.0.0.0/24" or ".../hostname:FQDN",
 *	CKA_ID random (20 bytes).
 * The value is never read back, listed or printed; callers wipe theirs.
 *
 * A key shorter than PSK_PAD bytes is stored zero-padded to PSK_PAD bytes.
 * HMAC pads its key with zeros to the hash block size (64 bytes for MD5,
 * SHA-1 and SHA-256, 128 for SHA-384 and SHA-512) before use, so the HMAC
 * under the padded key is the HMAC under the key as typed, for every
 * hash; and tokens (SoftHSM2 among them) refuse HMAC keys shorter than
 * the hash output with CKR_KEY_SIZE_RANGE.  The stored length then also
 * says nothing about the key's length.
 *
 * Order of state changes: one C_CreateObject after every check, then the
 * flags are read back; if the token did not honour them the object is
 * destroyed and the call fails (the token is as it was).  A crash between
 * the two leaves a PSK that "show" lists with its flags.  Removing
 * destroys the objects with the label; a rerun finishes a cut-short one.
 *
 * Use: ks_keyring_psk_prf computes HMAC(PSK, data) with the token's HMAC
 * mechanism; the PSK stays inside, and the caller gets only the HMAC.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "kr_internal.h"

#define PSK_PAD		64

static ks_status
load_one(ks_ctx *ctx, CK_OBJECT_HANDLE h, const char *ring,
    struct ks_peers *out)
{
	char lab[KR_LABEL_MAX + 1], kr[KS_KEYRING_NAME_MAX + 1];
	char id[KS_PEER_ID_MAX + 1];
	unsigned char keyid[KS_ID_MAX];
	CK_BBOOL sens = CK_FALSE, extr = CK_TRUE;
	CK_ATTRIBUTE a[] = {
		{ CKA_LABEL, lab, KR_LABEL_MAX },
		{ CKA_ID, keyid, sizeof(keyid) },
		{ CKA_SENSITIVE, &sens, sizeof(sens) },
		{ CKA_EXTRACTABLE, &extr, sizeof(extr) },
	};
	ks_peer_by by;
	CK_RV rv;
	ks_peer *p;

	if ((rv = kr_read_attrs(ctx, h, a, 4)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read an object on token "
		    "'%s'", ctx->token.label);
	if (!kr_attr_have(&a[0]))
		return KS_OK;
	lab[a[0].ulValueLen] = '\0';
	if (kr_label_split(KR_PREFIX_PSK, lab, a[0].ulValueLen, kr, sizeof(kr),
	    &by, id, sizeof(id)) != 0)
		return KS_OK;
	if (ring != NULL && strcmp(ring, kr) != 0)
		return KS_OK;
	if ((p = kr_peer_new(KS_PEER_PSK, lab, kr, by, id)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	p->h = h;
	p->sensitive = kr_attr_true(&a[2]);
	/* unknown counts as extractable: we do not claim what we cannot see */
	p->extractable = !kr_attr_have(&a[3]) || kr_attr_true(&a[3]);
	if (kr_attr_have(&a[1])) {
		memcpy(p->keyid, keyid, a[1].ulValueLen);
		p->keyidlen = a[1].ulValueLen;
	}
	p->uri = p11_token_uri(&ctx->token, lab, p->keyid, p->keyidlen);
	if (kr_peers_push(out, p) != 0) {
		kr_peer_free(p);
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	}
	return KS_OK;
}

static ks_status
scan(ks_ctx *ctx, const char *label, const char *ring, struct ks_peers *out)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, label != NULL ? strlen(label) : 0 },
	};

	return kr_peers_scan(ctx, t, label != NULL ? 2 : 1, load_one, ring,
	    out);
}

ks_status
kr_psks_scan(ks_ctx *ctx, const char *keyring, struct ks_peers *out)
{
	return scan(ctx, NULL, keyring, out);
}

static ks_status
entry_label(ks_ctx *ctx, const char *keyring, ks_peer_by by, const char *id,
    char *norm, size_t normsz, char *label, size_t labelsz)
{
	ks_status st;

	if (by != KS_PEER_ADDRESS && by != KS_PEER_HOSTNAME &&
	    by != KS_PEER_NAME)
		return kx_fail(ctx, KS_EUSAGE, "a pre-shared key belongs to an "
		    "address, a hostname or a name");
	if ((st = ks_keyring_name_check(ctx, keyring)) != KS_OK ||
	    (st = ks_peer_id_normalise(ctx, by, by == KS_PEER_ADDRESS, id,
	    norm, normsz)) != KS_OK)
		return st;
	if (kr_label_make(KR_PREFIX_PSK, keyring, by, norm, label,
	    labelsz) != 0)
		return kx_fail(ctx, KS_EINPUT, "peer identity '%s' is too "
		    "long", id);
	return KS_OK;
}

static ks_status
check_flags(ks_ctx *ctx, CK_OBJECT_HANDLE h, const char *label)
{
	CK_BBOOL sens = CK_FALSE, extr = CK_TRUE;
	CK_ATTRIBUTE a[] = {
		{ CKA_SENSITIVE, &sens, sizeof(sens) },
		{ CKA_EXTRACTABLE, &extr, sizeof(extr) },
	};
	CK_RV rv;

	if ((rv = p11_get_fixed(&ctx->sess, h, a, 2)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read back pre-shared key "
		    "'%s'", label);
	if (a[0].ulValueLen != sizeof(sens) || sens != CK_TRUE ||
	    a[1].ulValueLen != sizeof(extr) || extr != CK_FALSE)
		return kx_fail(ctx, KS_ETOKEN, "token '%s' did not make "
		    "pre-shared key '%s' sensitive and non-extractable; "
		    "refusing to keep it", ctx->token.label, label);
	return KS_OK;
}

static ks_status
create(ks_ctx *ctx, const char *label, const unsigned char *psk,
    size_t psklen)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE gen = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	unsigned char keyid[KS_ID_LEN];
	unsigned char value[KS_PSK_MAX];
	CK_ULONG vlen = psklen < PSK_PAD ? PSK_PAD : psklen;
	CK_OBJECT_HANDLE h;
	ks_status st;
	CK_RV rv;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &gen, sizeof(gen) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, keyid, sizeof(keyid) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_ENCRYPT, &no, sizeof(no) },
		{ CKA_DECRYPT, &no, sizeof(no) },
		{ CKA_WRAP, &no, sizeof(no) },
		{ CKA_UNWRAP, &no, sizeof(no) },
		{ CKA_DERIVE, &no, sizeof(no) },
		{ CKA_VALUE, value, vlen },
	};

	if (psklen > sizeof(value))
		return kx_fail(ctx, KS_EINPUT, "pre-shared key too long");
	if (RAND_bytes(keyid, sizeof(keyid)) != 1)
		return kx_fail(ctx, KS_EFAIL, "no random bytes for a key ID");
	memset(value, 0, sizeof(value));
	memcpy(value, psk, psklen);
	rv = p11_create(&ctx->sess, t, sizeof(t) / sizeof(t[0]), &h);
	OPENSSL_cleanse(value, sizeof(value));
	if (kx_rv_template_refused(rv))
		return kx_fail(ctx, KS_ETOKEN, "cannot store pre-shared key "
		    "'%s': token '%s' refuses a generic secret key from outside "
		    "(%s); keep pre-shared keys on a token that takes them",
		    label, ctx->token.label, p11_rv_name(rv));
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot store pre-shared key '%s' "
		    "on token '%s'", label, ctx->token.label);
	if ((st = check_flags(ctx, h, label)) != KS_OK)
		(void)p11_destroy(&ctx->sess, h);
	return st;
}

ks_status
ks_keyring_add_psk(ks_ctx *ctx, const char *keyring, ks_peer_by by,
    const char *id, const unsigned char *psk, size_t psklen)
{
	char norm[KS_PEER_ID_MAX + 1], label[KR_LABEL_MAX + 1];
	struct ks_peers have = { NULL, 0 };
	ks_status st;

	if (keyring == NULL)
		keyring = KS_KEYRING_DEFAULT;
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = entry_label(ctx, keyring, by, id, norm, sizeof(norm), label,
	    sizeof(label))) != KS_OK)
		return st;
	if (psk == NULL || psklen == 0)
		return kx_fail(ctx, KS_EINPUT, "empty pre-shared key");
	if (psklen > KS_PSK_MAX)
		return kx_fail(ctx, KS_EINPUT, "pre-shared key is %zu bytes; "
		    "at most %d are allowed", psklen, KS_PSK_MAX);
	if ((st = kr_keyring_exists(ctx, keyring)) != KS_OK ||
	    (st = scan(ctx, label, NULL, &have)) != KS_OK)
		return st;
	if (have.n > 0)
		st = kx_fail(ctx, KS_EEXIST, "keyring '%s' already has a "
		    "pre-shared key for %s %s; remove it with del-psk first",
		    keyring, ks_peer_by_name(by), norm);
	else
		st = create(ctx, label, psk, psklen);
	kr_peers_clear(&have);
	return st;
}

ks_status
ks_keyring_del_psk(ks_ctx *ctx, const char *keyring, ks_peer_by by,
    const char *id)
{
	char norm[KS_PEER_ID_MAX + 1], label[KR_LABEL_MAX + 1];
	struct ks_peers have = { NULL, 0 };
	size_t i;
	ks_status st;
	CK_RV rv;

	if (keyring == NULL)
		keyring = KS_KEYRING_DEFAULT;
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = entry_label(ctx, keyring, by, id, norm, sizeof(norm), label,
	    sizeof(label))) != KS_OK ||
	    (st = scan(ctx, label, NULL, &have)) != KS_OK)
		return st;
	if (have.n == 0)
		st = kx_fail(ctx, KS_ENOTFOUND, "keyring '%s' has no pre-shared "
		    "key for %s %s", keyring, ks_peer_by_name(by), norm);
	for (i = 0; i < have.n && st == KS_OK; i++) {
		rv = p11_destroy(&ctx->sess, have.v[i]->h);
		if (rv != CKR_OK && rv != CKR_OBJECT_HANDLE_INVALID)
			st = kx_fail_rv(ctx, rv, "cannot remove pre-shared key "
			    "'%s'", label);
	}
	kr_peers_clear(&have);
	return st;
}

/*
 * The IKE prf over a PSK, on the token: C_SignInit with the HMAC
 * mechanism and the PSK object, C_Sign over the data.  The PSK is found
 * as IOS finds it: by address, the entry whose address and mask cover the
 * peer with the longest mask (a host entry is a /32 or /128); by hostname
 * (or name, the same FQDN identity), the entry of that hostname in lower
 * case.
 */
struct hmacdef {
	ks_hmac			 h;
	CK_MECHANISM_TYPE	 mech;
	const char		*name;
	const char		*ckm;
	size_t			 len;
};

static const struct hmacdef hmacdefs[] = {
	{ KS_HMAC_MD5, CKM_MD5_HMAC, "HMAC-MD5", "CKM_MD5_HMAC", 16 },
	{ KS_HMAC_SHA1, CKM_SHA_1_HMAC, "HMAC-SHA-1", "CKM_SHA_1_HMAC", 20 },
	{ KS_HMAC_SHA256, CKM_SHA256_HMAC, "HMAC-SHA-256", "CKM_SHA256_HMAC",
	    32 },
	{ KS_HMAC_SHA384, CKM_SHA384_HMAC, "HMAC-SHA-384", "CKM_SHA384_HMAC",
	    48 },
	{ KS_HMAC_SHA512, CKM_SHA512_HMAC, "HMAC-SHA-512", "CKM_SHA512_HMAC",
	    64 },
};

#define HMAC_OUT_MAX	64

static const struct hmacdef *
hmacdef_of(ks_hmac h)
{
	size_t i;

	for (i = 0; i < sizeof(hmacdefs) / sizeof(hmacdefs[0]); i++)
		if (hmacdefs[i].h == h)
			return &hmacdefs[i];
	return NULL;
}

/* An address with an optional "/N" (an entry's normal form) to its octets
 * and prefix length; -1 when it is not one. */
static int
parse_net(const char *s, unsigned char *addr, size_t *alen, int *bits)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned long v;
	char *end;
	int full;

	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, addr) == 1) {
		*alen = 4;
		full = 32;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		*alen = 16;
		full = 128;
	} else
		return -1;
	*bits = full;
	if (slash == NULL)
		return 0;
	errno = 0;
	v = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
	    v > (unsigned long)full)
		return -1;
	*bits = (int)v;
	return 0;
}

/* Do the first bits of a and b agree? */
static int
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int i;

	for (i = 0; i < bits / 8; i++)
		if (a[i] != b[i])
			return 0;
	if (bits % 8 != 0 &&
	    ((a[i] ^ b[i]) & (unsigned char)(0xff << (8 - bits % 8))) != 0)
		return 0;
	return 1;
}

/* The entry of ps with the longest mask that covers the address norm. */
static ks_peer *
by_address(const struct ks_peers *ps, const char *norm)
{
	unsigned char want[16], have[16];
	size_t wlen, hlen, i;
	ks_peer *best = NULL;
	int wbits, hbits, bestbits = -1;

	if (parse_net(norm, want, &wlen, &wbits) != 0)
		return NULL;
	for (i = 0; i < ps->n; i++) {
		if (ps->v[i]->by != KS_PEER_ADDRESS ||
		    parse_net(ps->v[i]->id, have, &hlen, &hbits) != 0 ||
		    hlen != wlen || !prefix_match(want, have, hbits))
			continue;
		if (hbits > bestbits) {
			best = ps->v[i];
			bestbits = hbits;
		}
	}
	return best;
}

/* The entry stored for exactly this hostname or name. */
static ks_peer *
by_id(const struct ks_peers *ps, ks_peer_by by, const char *norm)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->v[i]->by == by && strcmp(ps->v[i]->id, norm) == 0)
			return ps->v[i];
	return NULL;
}

/*
 * The peer's entry: by address, the longest mask that covers it; by
 * hostname, the one stored for the name in lower case; by name (an
 * ID_USER_FQDN or ID_KEY_ID), the one stored for that name as it is,
 * else the hostname entry when the name is also a host name.  KS_EINPUT
 * for an identity no entry could have; KS_ENOTFOUND when none has it.
 */
static ks_status
find_entry(ks_ctx *ctx, const char *keyring, const struct ks_peers *ps,
    ks_peer_by by, const char *id, ks_peer **out)
{
	char norm[KS_PEER_ID_MAX + 1];
	ks_status st;

	*out = NULL;
	if (by == KS_PEER_ADDRESS) {
		if ((st = ks_peer_id_normalise(ctx, KS_PEER_ADDRESS, 0, id,
		    norm, sizeof(norm))) != KS_OK)
			return st;
		*out = by_address(ps, norm);
	} else if (by == KS_PEER_NAME) {
		if ((st = ks_peer_id_normalise(ctx, KS_PEER_NAME, 0, id, norm,
		    sizeof(norm))) != KS_OK)
			return st;
		*out = by_id(ps, KS_PEER_NAME, norm);
		if (*out == NULL && ks_peer_id_normalise(ctx, KS_PEER_HOSTNAME,
		    0, id, norm, sizeof(norm)) == KS_OK)
			*out = by_id(ps, KS_PEER_HOSTNAME, norm);
		else if (*out == NULL)
			snprintf(norm, sizeof(norm), "%s", id);
	} else {
		if ((st = ks_peer_id_normalise(ctx, KS_PEER_HOSTNAME, 0, id,
		    norm, sizeof(norm))) != KS_OK)
			return st;
		*out = by_id(ps, KS_PEER_HOSTNAME, norm);
	}
	if (*out != NULL)
		return KS_OK;
	return kx_fail(ctx, KS_ENOTFOUND, "keyring '%s' on token '%s' has no "
	    "pre-shared key for %s %s", keyring, ctx->token.label,
	    ks_peer_by_name(by), norm);
}

static ks_status
hmac_on_token(ks_ctx *ctx, const struct hmacdef *d, CK_OBJECT_HANDLE key,
    const char *label, const unsigned char *data, size_t datalen,
    unsigned char *out, size_t *outlen)
{
	static const unsigned char none[1];	/* tokens refuse a NULL */
	unsigned char mac[HMAC_OUT_MAX];
	CK_MECHANISM mech = { d->mech, NULL, 0 };
	CK_ULONG len = sizeof(mac);
	CK_RV rv;

	rv = p11_sign_init(&ctx->sess, &mech, key);
	if (rv == CKR_MECHANISM_INVALID) {
		(void)kx_fail_rv(ctx, rv, "token '%s' cannot compute %s (%s)",
		    ctx->token.label, d->name, d->ckm);
		return KS_ETOKEN;
	}
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot compute %s with pre-shared "
		    "key '%s'", d->name, label);
	/* the output always fits: no CKR_BUFFER_TOO_SMALL leaves the
	 * operation active */
	rv = p11_sign_data(&ctx->sess, datalen > 0 ? data : none, datalen,
	    mac, &len);
	if (rv != CKR_OK) {
		OPENSSL_cleanse(mac, sizeof(mac));
		return kx_fail_rv(ctx, rv, "cannot compute %s with pre-shared "
		    "key '%s'", d->name, label);
	}
	if (len != d->len) {
		OPENSSL_cleanse(mac, sizeof(mac));
		return kx_fail(ctx, KS_ETOKEN, "token '%s' gave %lu bytes of "
		    "%s where %zu are due", ctx->token.label,
		    (unsigned long)len, d->name, d->len);
	}
	memcpy(out, mac, d->len);
	*outlen = d->len;
	OPENSSL_cleanse(mac, sizeof(mac));
	return KS_OK;
}

ks_status
ks_keyring_psk_prf(ks_ctx *ctx, const char *keyring, ks_peer_by by,
    const char *id, ks_hmac h, const unsigned char *data, size_t datalen,
    unsigned char *out, size_t *outlen)
{
	struct ks_peers ps = { NULL, 0 };
	const struct hmacdef *d;
	ks_peer *p;
	ks_status st;

	if (keyring == NULL)
		keyring = KS_KEYRING_DEFAULT;
	if ((d = hmacdef_of(h)) == NULL)
		return kx_fail(ctx, KS_EUSAGE, "unknown HMAC %d", (int)h);
	if (by != KS_PEER_ADDRESS && by != KS_PEER_HOSTNAME &&
	    by != KS_PEER_NAME)
		return kx_fail(ctx, KS_EUSAGE, "a pre-shared key is found by "
		    "address, hostname or name");
	if (id == NULL || (data == NULL && datalen != 0))
		return kx_fail(ctx, KS_EUSAGE, "no peer or no data to compute "
		    "%s over", d->name);
	if (*outlen < d->len)
		return kx_fail(ctx, KS_EUSAGE, "%s needs %zu bytes; the buffer "
		    "has %zu", d->name, d->len, *outlen);
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = ks_keyring_name_check(ctx, keyring)) != KS_OK)
		return st;
	if ((st = scan(ctx, NULL, keyring, &ps)) != KS_OK)
		return st;
	if ((st = find_entry(ctx, keyring, &ps, by, id, &p)) == KS_OK)
		st = hmac_on_token(ctx, d, p->h, p->label, data, datalen, out,
		    outlen);
	kr_peers_clear(&ps);
	return st;
}
