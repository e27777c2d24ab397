/*
 * ikev2_pld.c -- parse and validate IKEv2 messages (RFC 7296 3.1, 3.2).
 *
 * As ikev1_pld.c does for IKEv1: first the fixed header, then the payload
 * chain, each payload checked for shape (its length within the bounds of
 * its type, and for some the counts inside it) before anything reads what
 * it means.  Nothing here keeps state or allocates; parsed payloads point
 * into the message.
 */
#include "config.h"

#include <string.h>

#include "ikesignd.h"
#include "ikev2.h"
#include "ikev2_int.h"

typedef int (*v2_validate_fn)(const uint8_t *, size_t);

static int val_notify(const uint8_t *, size_t);
static int val_delete(const uint8_t *, size_t);

/* Body octets (without the generic header) each type may have. */
static const struct v2_type {
	uint8_t		 type;
	const char	*name;
	size_t		 min;
	size_t		 max;
	v2_validate_fn	 validate;
} v2_types[] = {
	{ IKEV2_PLD_SA, "SA", 0, 65535, NULL },	/* iked 7.2 sends it empty */
	{ IKEV2_PLD_KE, "KE", 5, 4 + DH_PUB_MAX, NULL },
	{ IKEV2_PLD_IDI, "IDi", 5, 1024, NULL },
	{ IKEV2_PLD_IDR, "IDr", 5, 1024, NULL },
	{ IKEV2_PLD_CERT, "CERT", 1, 65535, NULL },
	{ IKEV2_PLD_CERTREQ, "CERTREQ", 1, 65535, NULL },
	{ IKEV2_PLD_AUTH, "AUTH", 5, 4 + 256 + SIG_MAX, NULL },
	{ IKEV2_PLD_NONCE, "Nonce", 16, 256, NULL },
	{ IKEV2_PLD_N, "N", 4, 65535, val_notify },
	{ IKEV2_PLD_D, "D", 4, 65535, val_delete },
	{ IKEV2_PLD_V, "V", 1, 1024, NULL },
	{ IKEV2_PLD_TSI, "TSi", 4, 65535, NULL },
	{ IKEV2_PLD_TSR, "TSr", 4, 65535, NULL },
	{ IKEV2_PLD_SK, "SK", 1, 65535, NULL },
	{ IKEV2_PLD_CP, "CP", 4, 65535, NULL },
	{ IKEV2_PLD_EAP, "EAP", 4, 65535, NULL },
	{ IKEV2_PLD_SKF, "SKF", 5, 65535, NULL },
};
#define NV2_TYPES	(sizeof(v2_types) / sizeof(v2_types[0]))

static const struct v2_type *
v2_type(uint8_t type)
{
	size_t i;

	for (i = 0; i < NV2_TYPES; i++)
		if (v2_types[i].type == type)
			return &v2_types[i];
	return NULL;
}

const char *
ikev2_pld_name(uint8_t type)
{
	const struct v2_type *t = v2_type(type);

	return t == NULL ? "unknown" : t->name;
}

/* Protocol ID, SPI size, Notify type (3.10): the SPI fits. */
static int
val_notify(const uint8_t *b, size_t len)
{
	return (size_t)b[1] <= len - 4 ? 0 : -1;
}

/* Protocol ID, SPI size, number of SPIs (3.11): exactly that many. */
static int
val_delete(const uint8_t *b, size_t len)
{
	size_t spisize = b[1], n = (size_t)b[2] << 8 | b[3];

	return spisize * n == len - 4 ? 0 : -1;
}

int
ikev2_parse_header(const uint8_t *pkt, size_t len, struct ikev2_msg *m)
{
	struct rbuf r;

	memset(m, 0, sizeof(*m));
	rb_init(&r, pkt, len);
	if (rb_copy(&r, m->ispi, IKEV2_SPI_LEN) != 0 ||
	    rb_copy(&r, m->rspi, IKEV2_SPI_LEN) != 0)
		return IKEV2_N_INVALID_SYNTAX;
	m->next = rb_u8(&r);
	m->version = rb_u8(&r);
	m->xchg = rb_u8(&r);
	m->flags = rb_u8(&r);
	m->mid = rb_u32(&r);
	m->len = rb_u32(&r);
	if (r.err)
		return IKEV2_N_INVALID_SYNTAX;
	if ((m->version >> 4) != 2)
		return IKEV2_N_INVALID_MAJOR_VERSION;
	if (m->len < IKEV2_HDR_LEN || m->len > len)
		return IKEV2_N_INVALID_SYNTAX;
	m->data = pkt;
	return 0;
}

/* Keep one payload; SK and SKF keep their inner type. */
static int
keep(struct ikev2_msg *m, uint8_t type, int critical, uint8_t next,
    const uint8_t *raw, const struct rbuf *p)
{
	struct ikev2_pld *pl;

	if (m->npld == IKEV2_PLD_MAX)
		return IKEV2_N_INVALID_SYNTAX;
	pl = &m->pld[m->npld++];
	pl->type = type;
	pl->critical = critical;
	pl->inner = (type == IKEV2_PLD_SK || type == IKEV2_PLD_SKF) ? next : 0;
	pl->raw = raw;
	pl->rawlen = p->len + IKEV2_GEN_LEN;
	pl->body = p->p;
	pl->len = p->len;
	return 0;
}

int
ikev2_parse_payloads(struct ikev2_msg *m, uint8_t first, const uint8_t *body,
    size_t len, uint32_t allowed)
{
	const struct v2_type *t;
	struct rbuf r, p;
	uint8_t next = first, type;
	uint16_t plen;
	const uint8_t *raw;
	int critical, rc;

	m->npld = 0;
	rb_init(&r, body, len);
	while (next != IKEV2_PLD_NONE) {
		type = next;
		if (rb_left(&r) < IKEV2_GEN_LEN)
			return IKEV2_N_INVALID_SYNTAX;
		raw = rb_ptr(&r, 0);
		next = rb_u8(&r);
		critical = (rb_u8(&r) & IKEV2_CRITICAL) != 0;
		plen = rb_u16(&r);
		if (plen < IKEV2_GEN_LEN ||
		    rb_sub(&r, &p, plen - IKEV2_GEN_LEN) != 0)
			return IKEV2_N_INVALID_SYNTAX;
		if ((t = v2_type(type)) == NULL) {
			if (critical) {
				m->bad_type = type;
				return IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD;
			}
			continue;	/* 2.5: skipped */
		}
		if ((IKEV2_BIT(type) & allowed) == 0 ||
		    p.len < t->min || p.len > t->max ||
		    (t->validate != NULL && t->validate(p.p, p.len) != 0))
			return IKEV2_N_INVALID_SYNTAX;
		if ((rc = keep(m, type, critical, next, raw, &p)) != 0)
			return rc;
		if (type == IKEV2_PLD_SK || type == IKEV2_PLD_SKF)
			return rb_left(&r) == 0 ? 0 : IKEV2_N_INVALID_SYNTAX;
	}
	return rb_left(&r) == 0 ? 0 : IKEV2_N_INVALID_SYNTAX;
}

int
ikev2_parse_clear(struct ikev2_msg *m, uint32_t allowed)
{
	return ikev2_parse_payloads(m, m->next, m->data + IKEV2_HDR_LEN,
	    m->len - IKEV2_HDR_LEN, allowed);
}

const struct ikev2_pld *
ikev2_find(const struct ikev2_msg *m, uint8_t type, size_t nth)
{
	size_t i;

	for (i = 0; i < m->npld; i++)
		if (m->pld[i].type == type && nth-- == 0)
			return &m->pld[i];
	return NULL;
}

/* Payload bodies; their shape was checked when the chain was parsed. ---- */

int
v2_pld_notify(const struct ikev2_pld *p, struct v2_notify *n)
{
	if (p == NULL || p->type != IKEV2_PLD_N || p->len < 4 ||
	    (size_t)p->body[1] > p->len - 4)
		return -1;
	n->proto = p->body[0];
	n->spilen = p->body[1];
	n->type = (uint16_t)(p->body[2] << 8 | p->body[3]);
	n->spi = p->body + 4;
	n->data = p->body + 4 + n->spilen;
	n->len = p->len - 4 - n->spilen;
	return 0;
}

/* DH Group Num, RESERVED, Key Exchange Data (3.4). */
int
v2_pld_ke(const struct ikev2_pld *p, uint16_t *group, const uint8_t **data,
    size_t *len)
{
	if (p == NULL || p->type != IKEV2_PLD_KE || p->len < 5)
		return -1;
	*group = (uint16_t)(p->body[0] << 8 | p->body[1]);
	*data = p->body + 4;
	*len = p->len - 4;
	return 0;
}

/* ID Type, RESERVED, Identification Data (3.5). */
int
v2_pld_id(const struct ikev2_pld *p, struct v2_id *id)
{
	if (p == NULL || (p->type != IKEV2_PLD_IDI &&
	    p->type != IKEV2_PLD_IDR) || p->len < 5)
		return -1;
	id->type = p->body[0];
	id->data = p->body + 4;
	id->len = p->len - 4;
	return 0;
}

/* Auth Method, RESERVED, Authentication Data (3.8). */
int
v2_pld_auth(const struct ikev2_pld *p, uint8_t *method, const uint8_t **data,
    size_t *len)
{
	if (p == NULL || p->type != IKEV2_PLD_AUTH || p->len < 5)
		return -1;
	*method = p->body[0];
	*data = p->body + 4;
	*len = p->len - 4;
	return 0;
}

const struct ikev2_pld *
v2_find_notify(const struct ikev2_msg *m, uint16_t type, struct v2_notify *n)
{
	size_t i;

	for (i = 0; i < m->npld; i++)
		if (m->pld[i].type == IKEV2_PLD_N &&
		    v2_pld_notify(&m->pld[i], n) == 0 && n->type == type)
			return &m->pld[i];
	return NULL;
}

uint16_t
v2_error_notify(const struct ikev2_msg *m)
{
	struct v2_notify n;
	size_t i;

	for (i = 0; i < m->npld; i++)
		if (m->pld[i].type == IKEV2_PLD_N &&
		    v2_pld_notify(&m->pld[i], &n) == 0 && n.type != 0 &&
		    n.type <= IKEV2_N_ERROR_MAX)
			return n.type;
	return 0;
}

static const struct {
	uint16_t	 type;
	const char	*name;
} notify_names[] = {
	{ IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD,
	    "UNSUPPORTED_CRITICAL_PAYLOAD" },
	{ IKEV2_N_INVALID_IKE_SPI, "INVALID_IKE_SPI" },
	{ IKEV2_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION" },
	{ IKEV2_N_INVALID_SYNTAX, "INVALID_SYNTAX" },
	{ IKEV2_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID" },
	{ IKEV2_N_INVALID_SPI, "INVALID_SPI" },
	{ IKEV2_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN" },
	{ IKEV2_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD" },
	{ IKEV2_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED" },
	{ IKEV2_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED" },
	{ IKEV2_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS" },
	{ IKEV2_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE" },
	{ IKEV2_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED" },
	{ IKEV2_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE" },
	{ IKEV2_N_INVALID_SELECTORS, "INVALID_SELECTORS" },
	{ IKEV2_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE" },
	{ IKEV2_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND" },
	{ IKEV2_N_INITIAL_CONTACT, "INITIAL_CONTACT" },
	{ IKEV2_N_COOKIE, "COOKIE" },
};

const char *
v2_notify_name(uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof(notify_names) / sizeof(notify_names[0]); i++)
		if (notify_names[i].type == type)
			return notify_names[i].name;
	return "an unknown notify";
}
