/*
 * ikev2_sa.c -- the IKEv2 SA payload (RFC 7296 3.3): read the proposals a
 * peer offers, choose one against the configured proposals, read the
 * one a responder chose, and write offers and replies.  Only IKE
 * proposals matter here: CHILD_SA proposals are declined elsewhere.
 */
#include "config.h"

#include <string.h>

#include "ikev2_int.h"

#define PROP_HDR_LEN	8
#define XFORM_HDR_LEN	8
#define LAST		0
#define MORE_PROP	2
#define MORE_XFORM	3

/* One transform: its attributes must all be understood (3.3.6). */
static int
xform_read(struct rbuf *r, uint8_t *type, uint16_t *id, unsigned *keybits,
    int *usable)
{
	struct rbuf a;
	uint16_t atype, aval;

	*type = rb_u8(r);
	(void)rb_u8(r);
	*id = rb_u16(r);
	*keybits = 0;
	*usable = 1;
	while (!r->err && rb_left(r) > 0) {
		atype = rb_u16(r);
		if ((atype & 0x8000) == 0) {	/* TLV: none are defined */
			aval = rb_u16(r);
			if (rb_sub(r, &a, aval) != 0)
				return -1;
			*usable = 0;
			continue;
		}
		aval = rb_u16(r);
		if ((atype & 0x7fff) == IKEV2_ATTR_KEY_LENGTH)
			*keybits = aval;
		else
			*usable = 0;
	}
	return r->err ? -1 : 0;
}

/* One proposal substructure's body into p; -1 when malformed. */
static int
prop_read(struct rbuf *r, struct v2_prop *p)
{
	struct rbuf x;
	uint8_t more, ntx, spisize, type;
	uint16_t len, id;
	unsigned keybits, i;
	int usable;

	memset(p, 0, sizeof(*p));
	p->num = rb_u8(r);
	p->proto = rb_u8(r);
	spisize = rb_u8(r);
	ntx = rb_u8(r);
	if (r->err || spisize > sizeof(p->spi) || rb_copy(r, p->spi,
	    spisize) != 0)
		return -1;
	p->spilen = spisize;
	for (i = 0; i < ntx; i++) {
		more = rb_u8(r);
		(void)rb_u8(r);
		len = rb_u16(r);
		if (r->err || len < XFORM_HDR_LEN ||
		    rb_sub(r, &x, len - 4) != 0 ||
		    (more != LAST && more != MORE_XFORM) ||
		    (more == LAST) != (i + 1 == ntx))
			return -1;
		if (xform_read(&x, &type, &id, &keybits, &usable) != 0)
			return -1;
		if (!usable || p->nx == V2_XFORM_MAX)
			continue;
		p->x[p->nx].type = type;
		p->x[p->nx].id = id;
		p->x[p->nx].keybits = keybits;
		p->nx++;
	}
	return rb_left(r) == 0 ? 0 : -1;
}

int
v2_sa_parse(const uint8_t *body, size_t len, struct v2_offer *o)
{
	struct rbuf r, pr;
	struct v2_prop p;
	uint8_t more;
	uint16_t plen;

	memset(o, 0, sizeof(*o));
	rb_init(&r, body, len);
	do {
		more = rb_u8(&r);
		(void)rb_u8(&r);
		plen = rb_u16(&r);
		if (r.err || plen < PROP_HDR_LEN ||
		    rb_sub(&r, &pr, plen - 4) != 0 ||
		    (more != LAST && more != MORE_PROP) ||
		    prop_read(&pr, &p) != 0)
			return -1;
		if (o->nprop < V2_PROP_MAX)
			o->prop[o->nprop++] = p;
	} while (more == MORE_PROP);
	return rb_left(&r) == 0 && o->nprop > 0 ? 0 : -1;
}

static int
has(const struct v2_prop *p, uint8_t type, uint16_t id, unsigned keybits)
{
	size_t i;

	for (i = 0; i < p->nx; i++)
		if (p->x[i].type == type && p->x[i].id == id &&
		    p->x[i].keybits == keybits)
			return 1;
	return 0;
}

static int
has_type(const struct v2_prop *p, uint8_t type)
{
	size_t i;

	for (i = 0; i < p->nx; i++)
		if (p->x[i].type == type)
			return 1;
	return 0;
}

/* The first of ours the peer's proposal p also has; 0 and *suite set. */
static int
intersect(const struct v2_prop *p, const struct v2_proposal *c,
    struct ikev2_suite *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < c->nencr && s->encr == NULL; i++)
		if (has(p, IKEV2_XF_ENCR, c->encr[i], c->encr_bits[i]))
			s->encr = ikev2_encr_get(c->encr[i], c->encr_bits[i]);
	for (i = 0; i < c->nprf && s->prf == NULL; i++)
		if (has(p, IKEV2_XF_PRF, c->prf[i], 0))
			s->prf = ikev2_prf_get(c->prf[i]);
	for (i = 0; i < c->ninteg && s->integ == NULL; i++)
		if (has(p, IKEV2_XF_INTEG, c->integ[i], 0))
			s->integ = ikev2_integ_get(c->integ[i]);
	for (i = 0; i < c->ngroup && s->group == NULL; i++)
		if (has(p, IKEV2_XF_DH, c->group[i], 0))
			s->group = dh_group_get(c->group[i]);
	if (s->encr == NULL || s->prf == NULL || s->group == NULL)
		return -1;
	if (s->encr->icvlen != 0) {
		/* AEAD: no INTEG, or INTEG NONE only (RFC 5282 8) */
		s->integ = NULL;
		return !has_type(p, IKEV2_XF_INTEG) ||
		    has(p, IKEV2_XF_INTEG, IKEV2_INTEG_NONE, 0) ? 0 : -1;
	}
	return s->integ != NULL ? 0 : -1;
}

int
v2_sa_choose(const struct v2_offer *o, uint8_t proto,
    const struct v2_proposal *const *ours, size_t nours,
    struct ikev2_suite *s, size_t *pi)
{
	size_t i, j;

	for (i = 0; i < nours; i++)
		for (j = 0; j < o->nprop; j++) {
			if (o->prop[j].proto != proto)
				continue;
			if (intersect(&o->prop[j], ours[i], s) == 0) {
				*pi = j;
				return 0;
			}
		}
	return -1;
}

/* The responder's reply: one transform of each type, one we offered. */
int
v2_sa_chosen(const struct v2_offer *o, const struct v2_proposal *const *ours,
    size_t nours, struct ikev2_suite *s)
{
	const struct v2_prop *p;
	struct v2_proposal one;
	size_t i, n[6] = { 0 };

	if (o->nprop != 1 || o->prop[0].proto != IKEV2_PROTO_IKE)
		return -1;
	p = &o->prop[0];
	memset(&one, 0, sizeof(one));
	for (i = 0; i < p->nx; i++) {
		if (p->x[i].type > IKEV2_XF_ESN || ++n[p->x[i].type] > 1)
			return -1;
		switch (p->x[i].type) {
		case IKEV2_XF_ENCR:
			one.encr[0] = p->x[i].id;
			one.encr_bits[0] = (uint16_t)p->x[i].keybits;
			one.nencr = 1;
			break;
		case IKEV2_XF_PRF:
			one.prf[0] = p->x[i].id;
			one.nprf = 1;
			break;
		case IKEV2_XF_INTEG:
			one.integ[0] = p->x[i].id;
			one.ninteg = 1;
			break;
		case IKEV2_XF_DH:
			one.group[0] = p->x[i].id;
			one.ngroup = 1;
			break;
		default:
			return -1;
		}
	}
	if (intersect(p, &one, s) != 0)
		return -1;
	/* and it must be something we offered */
	for (i = 0; i < nours; i++) {
		struct ikev2_suite t;
		struct v2_prop mine;

		v2_sa_prop_of(ours[i], &mine);
		if (intersect(&mine, &one, &t) == 0 && t.encr == s->encr &&
		    t.prf == s->prf && t.integ == s->integ &&
		    t.group == s->group)
			return 0;
	}
	return -1;
}

/* A configured proposal as a parsed one, to compare with. */
void
v2_sa_prop_of(const struct v2_proposal *c, struct v2_prop *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->proto = IKEV2_PROTO_IKE;
#define ADD(t, i_, k) do {						\
	if (p->nx < V2_XFORM_MAX) {					\
		p->x[p->nx].type = (t);					\
		p->x[p->nx].id = (i_);					\
		p->x[p->nx].keybits = (k);				\
		p->nx++;						\
	}								\
} while (0)
	for (i = 0; i < c->nencr; i++)
		ADD(IKEV2_XF_ENCR, c->encr[i], c->encr_bits[i]);
	for (i = 0; i < c->nprf; i++)
		ADD(IKEV2_XF_PRF, c->prf[i], 0);
	for (i = 0; i < c->ninteg; i++)
		ADD(IKEV2_XF_INTEG, c->integ[i], 0);
	for (i = 0; i < c->ngroup; i++)
		ADD(IKEV2_XF_DH, c->group[i], 0);
#undef ADD
}

static void
xform_write(struct wbuf *w, int last, uint8_t type, uint16_t id,
    unsigned keybits)
{
	wb_u8(w, last ? LAST : MORE_XFORM);
	wb_u8(w, 0);
	wb_u16(w, keybits != 0 ? XFORM_HDR_LEN + 4 : XFORM_HDR_LEN);
	wb_u8(w, type);
	wb_u8(w, 0);
	wb_u16(w, id);
	if (keybits != 0) {
		wb_u16(w, 0x8000 | IKEV2_ATTR_KEY_LENGTH);
		wb_u16(w, (uint16_t)keybits);
	}
}

static void
prop_write(struct wbuf *w, int last, uint8_t num, const struct v2_prop *p,
    const uint8_t *spi, size_t spilen)
{
	size_t start = w->len, i;

	wb_u8(w, last ? LAST : MORE_PROP);
	wb_u8(w, 0);
	wb_u16(w, 0);			/* length, below */
	wb_u8(w, num);
	wb_u8(w, IKEV2_PROTO_IKE);
	wb_u8(w, (uint8_t)spilen);
	wb_u8(w, (uint8_t)p->nx);
	wb_bytes(w, spi, spilen);
	for (i = 0; i < p->nx; i++)
		xform_write(w, i + 1 == p->nx, p->x[i].type, p->x[i].id,
		    p->x[i].keybits);
	wb_set_u16(w, start + 2, (uint16_t)(w->len - start));
}

void
v2_sa_offer(struct wbuf *w, const struct v2_proposal *const *ours,
    size_t nours, const uint8_t *spi, size_t spilen)
{
	struct v2_prop p;
	size_t i;

	for (i = 0; i < nours; i++) {
		v2_sa_prop_of(ours[i], &p);
		prop_write(w, i + 1 == nours, (uint8_t)(i + 1), &p, spi,
		    spilen);
	}
}

void
v2_sa_reply(struct wbuf *w, uint8_t num, const struct ikev2_suite *s,
    const uint8_t *spi, size_t spilen)
{
	struct v2_prop p;

	memset(&p, 0, sizeof(p));
	p.x[p.nx].type = IKEV2_XF_ENCR;
	p.x[p.nx].id = s->encr->id;
	p.x[p.nx++].keybits = s->encr->keybits;
	p.x[p.nx].type = IKEV2_XF_PRF;
	p.x[p.nx++].id = s->prf->id;
	if (s->integ != NULL) {
		p.x[p.nx].type = IKEV2_XF_INTEG;
		p.x[p.nx++].id = s->integ->id;
	}
	p.x[p.nx].type = IKEV2_XF_DH;
	p.x[p.nx++].id = (uint16_t)s->group->id;
	prop_write(w, 1, num, &p, spi, spilen);
}

void
v2_suite_string(const struct ikev2_suite *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s%s%s/prf-%s/group %d", s->encr->ios,
	    s->integ != NULL ? "integ-" : "",
	    s->integ != NULL ? s->integ->ios : "",
	    s->integ != NULL ? "" : "aead", s->prf->ios, s->group->id);
}
