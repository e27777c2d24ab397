/*
 * ikev1_sa.c -- phase 1 SA payloads (RFC 2408 3.4-3.6, RFC 2409 5 and
 * App. A): parse and validate an offer, choose a transform by our policy
 * priority the way IOS does, and build our offer or our reply.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ikesignd.h"

#define LIFETIME_DEFAULT	28800	/* RFC2407 4.5 */

static uint32_t
attr_value(const uint8_t *v, size_t len)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x << 8 | v[i];
		if (x > UINT32_MAX)
			return UINT32_MAX;
	}
	return (uint32_t)x;
}

static int
parse_attrs(struct rbuf *r, struct xform *x)
{
	uint16_t type, alen;
	const uint8_t *v;
	uint32_t val;
	int lifetype = IKE_LIFE_SECONDS;

	x->p.lifetime = LIFETIME_DEFAULT;
	while (rb_left(r) > 0) {
		type = rb_u16(r);
		if (type & IKE_ATTR_AF) {
			val = rb_u16(r);
		} else {
			alen = rb_u16(r);
			if ((v = rb_ptr(r, alen)) == NULL)
				return -1;
			val = attr_value(v, alen);
		}
		if (r->err)
			return -1;
		switch (type & ~IKE_ATTR_AF) {
		case IKE_ATTR_ENC:
			x->p.enc = (int)val;
			break;
		case IKE_ATTR_HASH:
			x->p.hash = (int)val;
			break;
		case IKE_ATTR_AUTH:
			x->p.auth = (int)val;
			break;
		case IKE_ATTR_GROUP:
			x->p.group = (int)val;
			break;
		case IKE_ATTR_KEYLEN:
			x->p.keybits = val;
			break;
		case IKE_ATTR_LIFE_TYPE:
			lifetype = (int)val;
			if (lifetype != IKE_LIFE_SECONDS &&
			    lifetype != IKE_LIFE_KILOBYTES)
				x->unsupported = 1;
			break;
		case IKE_ATTR_LIFE_DUR:
			if (lifetype == IKE_LIFE_SECONDS)
				x->p.lifetime = val;
			break;	/* no volume limit, as on IOS */
		default:
			x->unsupported = 1;	/* own groups, PRF, ... */
			break;
		}
	}
	return 0;
}

static int
parse_transform(struct rbuf *r, struct xform *x)
{
	uint8_t id;

	x->num = rb_u8(r);
	id = rb_u8(r);
	(void)rb_u16(r);	/* RESERVED2 */
	if (r->err)
		return -1;
	if (id != IKE_KEY_IKE)
		x->unsupported = 1;
	return parse_attrs(r, x);
}

/* One proposal payload's body; the transforms go to o when keep is set. */
static int
parse_proposal(struct rbuf *r, struct sa_offer *o, int keep)
{
	uint8_t num, proto, spisize, ntrans, next = IKE_PLD_T;
	uint16_t tlen;
	struct rbuf t;
	struct xform *x, dummy;
	const uint8_t *raw;
	size_t i;

	num = rb_u8(r);
	proto = rb_u8(r);
	spisize = rb_u8(r);
	ntrans = rb_u8(r);
	(void)rb_ptr(r, spisize);
	if (r->err || ntrans == 0)
		return -1;
	if (proto != IKE_PROTO_ISAKMP)
		keep = 0;
	for (i = 0; i < ntrans; i++) {
		if (next != IKE_PLD_T)
			return -1;
		raw = rb_ptr(r, 0);
		next = rb_u8(r);
		(void)rb_u8(r);
		tlen = rb_u16(r);
		if (tlen < IKE_GEN_LEN + 4 ||
		    rb_sub(r, &t, tlen - IKE_GEN_LEN) != 0)
			return -1;
		x = &dummy;
		if (keep && o->nx < SA_XFORM_MAX)
			x = &o->x[o->nx];
		memset(x, 0, sizeof(*x));
		if (parse_transform(&t, x) != 0)
			return -1;
		x->raw = raw;
		x->rawlen = tlen;
		if (x != &dummy)
			o->nx++;
	}
	if (next != IKE_PLD_NONE || rb_left(r) != 0)
		return -1;
	if (keep)
		o->propnum = num;
	return 0;
}

int
sa_parse(const uint8_t *body, size_t len, struct sa_offer *o)
{
	struct rbuf r, p;
	uint32_t doi, sit;
	uint8_t next = IKE_PLD_P;
	uint16_t plen;
	int first = 1;

	memset(o, 0, sizeof(*o));
	rb_init(&r, body, len);
	doi = rb_u32(&r);
	sit = rb_u32(&r);
	if (r.err || doi != IKE_DOI_IPSEC || sit != IKE_SIT_IDENTITY_ONLY)
		return -1;
	while (next == IKE_PLD_P) {
		next = rb_u8(&r);
		(void)rb_u8(&r);
		plen = rb_u16(&r);
		if (plen < IKE_GEN_LEN + 4 ||
		    rb_sub(&r, &p, plen - IKE_GEN_LEN) != 0)
			return -1;
		/* phase 1 has one proposal; later ones are only checked */
		if (parse_proposal(&p, o, first) != 0)
			return -1;
		first = 0;
	}
	if (next != IKE_PLD_NONE || rb_left(&r) != 0 || o->nx == 0)
		return -1;
	return 0;
}

static int
same_suite(const struct policy *a, const struct policy *b)
{
	const struct ike_enc *ea = alg_enc(a->enc, a->keybits);
	const struct ike_enc *eb = alg_enc(b->enc, b->keybits);

	return ea != NULL && ea == eb && a->hash == b->hash &&
	    a->auth == b->auth && a->group == b->group;
}

int
sa_choose(const struct sa_offer *o, const struct policy *pol, size_t npol,
    size_t *xi, const struct policy **chosen)
{
	size_t i, j;

	for (i = 0; i < npol; i++)
		for (j = 0; j < o->nx; j++) {
			if (o->x[j].unsupported ||
			    !same_suite(&o->x[j].p, &pol[i]) ||
			    o->x[j].p.lifetime > pol[i].lifetime ||
			    alg_cipher(alg_enc(pol[i].enc,
			    pol[i].keybits)) == NULL)
				continue;
			*xi = j;
			*chosen = &pol[i];
			return 0;
		}
	return -1;
}

static void
attr_tv(struct wbuf *w, uint16_t type, uint16_t v)
{
	wb_u16(w, IKE_ATTR_AF | type);
	wb_u16(w, v);
}

void
sa_build_offer(struct wbuf *w, const struct policy *pol, size_t n)
{
	size_t i, poff, toff;

	wb_u32(w, IKE_DOI_IPSEC);
	wb_u32(w, IKE_SIT_IDENTITY_ONLY);
	poff = w->len;
	wb_u8(w, IKE_PLD_NONE);
	wb_u8(w, 0);
	wb_u16(w, 0);		/* length, below */
	wb_u8(w, 1);		/* proposal # */
	wb_u8(w, IKE_PROTO_ISAKMP);
	wb_u8(w, 0);		/* SPI size */
	wb_u8(w, (uint8_t)n);
	for (i = 0; i < n; i++) {
		toff = w->len;
		wb_u8(w, i + 1 < n ? IKE_PLD_T : IKE_PLD_NONE);
		wb_u8(w, 0);
		wb_u16(w, 0);
		wb_u8(w, (uint8_t)(i + 1));
		wb_u8(w, IKE_KEY_IKE);
		wb_u16(w, 0);
		attr_tv(w, IKE_ATTR_ENC, (uint16_t)pol[i].enc);
		if (pol[i].enc == IKE_ENC_AES)
			attr_tv(w, IKE_ATTR_KEYLEN, (uint16_t)pol[i].keybits);
		attr_tv(w, IKE_ATTR_HASH, (uint16_t)pol[i].hash);
		attr_tv(w, IKE_ATTR_AUTH, (uint16_t)pol[i].auth);
		attr_tv(w, IKE_ATTR_GROUP, (uint16_t)pol[i].group);
		attr_tv(w, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		wb_u16(w, IKE_ATTR_LIFE_DUR);
		wb_u16(w, 4);
		wb_u32(w, pol[i].lifetime);
		wb_set_u16(w, toff + 2, (uint16_t)(w->len - toff));
	}
	wb_set_u16(w, poff + 2, (uint16_t)(w->len - poff));
}

void
sa_build_reply(struct wbuf *w, const struct sa_offer *o, size_t xi)
{
	size_t poff, toff;

	wb_u32(w, IKE_DOI_IPSEC);
	wb_u32(w, IKE_SIT_IDENTITY_ONLY);
	poff = w->len;
	wb_u8(w, IKE_PLD_NONE);
	wb_u8(w, 0);
	wb_u16(w, 0);
	wb_u8(w, o->propnum);
	wb_u8(w, IKE_PROTO_ISAKMP);
	wb_u8(w, 0);
	wb_u8(w, 1);
	toff = w->len;
	wb_bytes(w, o->x[xi].raw, o->x[xi].rawlen);
	wb_set_u8(w, toff, IKE_PLD_NONE);
	wb_set_u16(w, poff + 2, (uint16_t)(w->len - poff));
}

static const char *
auth_name(int auth)
{
	switch (auth) {
	case IKE_AUTH_RSA_SIG:
		return "rsa-sig";
	case IKE_AUTH_PSK:
		return "pre-share";
	case IKE_AUTH_ECDSA_256:
		return "ecdsa-sig P-256";
	case IKE_AUTH_ECDSA_384:
		return "ecdsa-sig P-384";
	case IKE_AUTH_ECDSA_521:
		return "ecdsa-sig P-521";
	case IKE_AUTH_ECDSA_ANY:
		return "ecdsa-sig";
	default:
		return "?";
	}
}

const char *
policy_proof_name(int auth)
{
	switch (auth) {
	case IKE_AUTH_PSK:
		return "pre-shared key";
	case IKE_AUTH_ECDSA_256:
		return "ECDSA signature (P-256, SHA-256)";
	case IKE_AUTH_ECDSA_384:
		return "ECDSA signature (P-384, SHA-384)";
	case IKE_AUTH_ECDSA_521:
		return "ECDSA signature (P-521, SHA-512)";
	default:
		return "RSA signature";
	}
}

void
policy_string(const struct policy *p, char *buf, size_t len)
{
	const struct ike_enc *e = alg_enc(p->enc, p->keybits);
	const struct ike_hash *h = alg_hash(p->hash);

	snprintf(buf, len, "%s/%s/%s/group %d/%us",
	    e != NULL ? e->name : "?", h != NULL ? h->name : "?",
	    auth_name(p->auth), p->group, (unsigned)p->lifetime);
}
