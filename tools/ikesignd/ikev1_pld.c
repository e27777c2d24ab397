/*
 * ikev1_pld.c -- parse and validate ISAKMP messages (RFC 2408 3).
 *
 * First the fixed header, then the payload chain: each payload is checked
 * for shape (lengths, counts) by its validator before anything looks at
 * what it means, and is accepted only where the caller allows its type.
 * Nothing here keeps state or allocates; parsed payloads point into the
 * message.  Semantics are the state machines' business.
 */
#include "config.h"

#include <string.h>

#include "ikesignd.h"

typedef int (*pld_validate_fn)(const uint8_t *, size_t);

static int val_notify(const uint8_t *, size_t);
static int val_delete(const uint8_t *, size_t);
static int val_ident(const uint8_t *, size_t);

static const struct pld_type {
	uint8_t		 type;
	const char	*name;
	size_t		 min;		/* body octets */
	size_t		 max;
	pld_validate_fn	 validate;
} pld_types[] = {
	{ IKE_PLD_SA, "SA", 8, 65535, NULL },
	{ IKE_PLD_KE, "KE", 1, DH_PUB_MAX, NULL },
	{ IKE_PLD_ID, "ID", 5, 1024, val_ident },
	{ IKE_PLD_CERT, "CERT", 1, 65535, NULL },
	{ IKE_PLD_CR, "CR", 1, 65535, NULL },
	{ IKE_PLD_HASH, "HASH", 1, IKE_HASH_MAX, NULL },
	{ IKE_PLD_SIG, "SIG", 1, SIG_MAX, NULL },
	{ IKE_PLD_NONCE, "NONCE", 8, 256, NULL },
	{ IKE_PLD_N, "N", 8, 65535, val_notify },
	{ IKE_PLD_D, "D", 8, 65535, val_delete },
	{ IKE_PLD_VID, "VID", 1, 1024, NULL },
	{ IKE_PLD_NATD, "NAT-D", 1, IKE_HASH_MAX, NULL },
	{ IKE_PLD_NATOA, "NAT-OA", 4, 20, NULL },
	{ IKE_PLD_NATD_DRAFT, "NAT-D", 1, IKE_HASH_MAX, NULL },
	{ IKE_PLD_NATOA_DRAFT, "NAT-OA", 4, 20, NULL },
	{ IKE_PLD_FRAG, "FRAG", 8, 65535, NULL },
};
#define NPLD_TYPES	(sizeof(pld_types) / sizeof(pld_types[0]))

static const struct pld_type *
pld_type(uint8_t type)
{
	size_t i;

	for (i = 0; i < NPLD_TYPES; i++)
		if (pld_types[i].type == type)
			return &pld_types[i];
	return NULL;
}

const char *
pld_name(uint8_t type)
{
	const struct pld_type *t = pld_type(type);

	return t == NULL ? "unknown" : t->name;
}

/* One bit per payload type; the private-use types share the top bits. */
uint32_t
pld_bit(uint8_t type)
{
	switch (type) {
	case IKE_PLD_NATD_DRAFT:
		return 1u << 29;
	case IKE_PLD_NATOA_DRAFT:
		return 1u << 30;
	case IKE_PLD_FRAG:
		return 1u << 31;
	default:
		return type < 29 ? 1u << type : 0;
	}
}

int
msg_parse_header(const uint8_t *pkt, size_t len, struct ike_msg *m)
{
	struct rbuf r;

	memset(m, 0, sizeof(*m));
	rb_init(&r, pkt, len);
	if (rb_copy(&r, m->icookie, IKE_COOKIE_LEN) != 0 ||
	    rb_copy(&r, m->rcookie, IKE_COOKIE_LEN) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	m->next = rb_u8(&r);
	m->version = rb_u8(&r);
	m->xchg = rb_u8(&r);
	m->flags = rb_u8(&r);
	m->mid = rb_u32(&r);
	m->len = rb_u32(&r);
	if (r.err)
		return IKE_N_PAYLOAD_MALFORMED;
	if ((m->version >> 4) != 1)
		return IKE_N_INVALID_EXCHANGE_TYPE;	/* not IKEv1 */
	if (m->len < IKE_HDR_LEN || m->len > len)
		return IKE_N_PAYLOAD_MALFORMED;
	if ((m->flags & ~(IKE_FLAG_ENC | IKE_FLAG_COMMIT |
	    IKE_FLAG_AUTHONLY)) != 0)
		return IKE_N_INVALID_FLAGS;
	m->data = pkt;
	return 0;
}

int
msg_parse_payloads(struct ike_msg *m, uint8_t first, const uint8_t *body,
    size_t len, uint32_t allowed)
{
	const struct pld_type *t;
	struct rbuf r, p;
	struct pld *pl;
	uint8_t next = first, type;
	uint16_t plen;
	const uint8_t *raw;

	m->npld = 0;
	rb_init(&r, body, len);
	while (next != IKE_PLD_NONE) {
		type = next;
		if (m->npld == MSG_PLD_MAX)
			return IKE_N_PAYLOAD_MALFORMED;
		if (rb_left(&r) < IKE_GEN_LEN)
			return IKE_N_PAYLOAD_MALFORMED;
		raw = rb_ptr(&r, 0);	/* where this payload starts */
		next = rb_u8(&r);
		(void)rb_u8(&r);	/* RESERVED */
		plen = rb_u16(&r);
		if (plen < IKE_GEN_LEN ||
		    rb_sub(&r, &p, plen - IKE_GEN_LEN) != 0)
			return IKE_N_PAYLOAD_MALFORMED;
		if ((t = pld_type(type)) == NULL ||
		    (pld_bit(type) & allowed) == 0)
			return IKE_N_INVALID_PAYLOAD_TYPE;
		if (p.len < t->min || p.len > t->max ||
		    (t->validate != NULL && t->validate(p.p, p.len) != 0))
			return IKE_N_PAYLOAD_MALFORMED;
		pl = &m->pld[m->npld++];
		pl->type = type;
		pl->raw = raw;
		pl->rawlen = plen;
		pl->body = p.p;
		pl->len = p.len;
	}
	return 0;
}

const struct pld *
msg_find(const struct ike_msg *m, uint8_t type, size_t nth)
{
	size_t i;

	for (i = 0; i < m->npld; i++)
		if (m->pld[i].type == type && nth-- == 0)
			return &m->pld[i];
	return NULL;
}

static int
parse_notify(const uint8_t *b, size_t len, struct notify *n)
{
	struct rbuf r;

	rb_init(&r, b, len);
	n->doi = rb_u32(&r);
	n->proto = rb_u8(&r);
	n->spilen = rb_u8(&r);
	n->type = rb_u16(&r);
	n->spi = rb_ptr(&r, n->spilen);
	n->datalen = rb_left(&r);
	n->data = rb_ptr(&r, n->datalen);
	return r.err ? -1 : 0;
}

static int
val_notify(const uint8_t *b, size_t len)
{
	struct notify n;

	return parse_notify(b, len, &n);
}

int
pld_notify(const struct pld *p, struct notify *n)
{
	return parse_notify(p->body, p->len, n);
}

static int
parse_delete(const uint8_t *b, size_t len, struct delete *d)
{
	struct rbuf r;

	rb_init(&r, b, len);
	d->doi = rb_u32(&r);
	d->proto = rb_u8(&r);
	d->spilen = rb_u8(&r);
	d->nspi = rb_u16(&r);
	d->spis = rb_ptr(&r, (size_t)d->spilen * d->nspi);
	if (r.err || rb_left(&r) != 0 || d->nspi == 0)
		return -1;
	return 0;
}

static int
val_delete(const uint8_t *b, size_t len)
{
	struct delete d;

	return parse_delete(b, len, &d);
}

int
pld_delete(const struct pld *p, struct delete *d)
{
	return parse_delete(p->body, p->len, d);
}

static int
parse_ident(const uint8_t *b, size_t len, struct ident *id)
{
	struct rbuf r;

	rb_init(&r, b, len);
	id->type = rb_u8(&r);
	id->proto = rb_u8(&r);
	id->port = rb_u16(&r);
	id->len = rb_left(&r);
	id->data = rb_ptr(&r, id->len);
	if (r.err || id->len == 0)
		return -1;
	if (id->type == IKE_ID_IPV4_ADDR && id->len != 4)
		return -1;
	if (id->type == IKE_ID_IPV6_ADDR && id->len != 16)
		return -1;
	return 0;
}

static int
val_ident(const uint8_t *b, size_t len)
{
	struct ident id;

	return parse_ident(b, len, &id);
}

int
pld_ident(const struct pld *p, struct ident *id)
{
	return parse_ident(p->body, p->len, id);
}

int
msg_parse_clear(struct ike_msg *m, uint32_t allowed)
{
	struct rbuf r;
	const uint8_t *body;
	size_t len;

	rb_init(&r, m->data, m->len);
	(void)rb_ptr(&r, IKE_HDR_LEN);
	len = rb_left(&r);
	if ((body = rb_ptr(&r, len)) == NULL)
		return IKE_N_PAYLOAD_MALFORMED;
	return msg_parse_payloads(m, m->next, body, len, allowed);
}
