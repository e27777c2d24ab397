/*
 * t_ikev2.c -- the IKEv2 message parser (ikev2_pld.c): the fixed header,
 * the payload chain with its bounds per type, the critical bit of unknown
 * payloads (RFC 7296 2.5), SK ending the chain, and every way a length can
 * lie.
 */
#include "config.h"

#include <string.h>

#include "tools/ikesignd/ikesignd.h"
#include "tools/ikesignd/ikev2.h"
#include "tap.h"

#define ALL	0xffffffffu

struct mb {
	uint8_t	 b[2048];
	size_t	 len;
	size_t	 nextoff;	/* the "next payload" octet to patch */
};

/* A header for an IKE_SA_INIT request; payloads follow. */
static void
mb_init(struct mb *m)
{
	memset(m, 0, sizeof(*m));
	memset(m->b, 0xa5, 8);			/* SPIi */
	m->b[17] = 0x20;			/* version 2.0 */
	m->b[18] = IKEV2_XCHG_IKE_SA_INIT;
	m->b[19] = IKEV2_FLAG_I;
	m->len = IKEV2_HDR_LEN;
	m->nextoff = 16;
}

/* A payload of type with len body octets of fill. */
static void
mb_pld(struct mb *m, uint8_t type, int critical, size_t len, uint8_t fill)
{
	size_t at = m->len;

	m->b[m->nextoff] = type;
	m->b[at] = 0;
	m->b[at + 1] = critical ? IKEV2_CRITICAL : 0;
	m->b[at + 2] = (uint8_t)((len + 4) >> 8);
	m->b[at + 3] = (uint8_t)(len + 4);
	memset(m->b + at + 4, fill, len);
	m->nextoff = at;
	m->len += len + 4;
}

static int
mb_parse(struct mb *m, struct ikev2_msg *msg, uint32_t allowed)
{
	int rc;

	m->b[24] = (uint8_t)(m->len >> 24);
	m->b[25] = (uint8_t)(m->len >> 16);
	m->b[26] = (uint8_t)(m->len >> 8);
	m->b[27] = (uint8_t)m->len;
	if ((rc = ikev2_parse_header(m->b, m->len, msg)) != 0)
		return rc;
	return ikev2_parse_clear(msg, allowed);
}

int
main(void)
{
	struct ikev2_msg msg;
	struct mb m;
	size_t i;

	/* header */
	mb_init(&m);
	mb_pld(&m, IKEV2_PLD_SA, 0, 8, 0);
	mb_pld(&m, IKEV2_PLD_KE, 0, 4 + 32, 0);
	mb_pld(&m, IKEV2_PLD_NONCE, 0, 32, 0x11);
	is_int(mb_parse(&m, &msg, ALL), 0, "SA, KE, Nonce parse");
	is_int(msg.npld, 3, "three payloads");
	is_int(msg.xchg, IKEV2_XCHG_IKE_SA_INIT, "exchange type");
	ok(msg.flags == IKEV2_FLAG_I && msg.mid == 0 && msg.ispi[0] == 0xa5,
	    "flags, message ID, SPIi");
	ok(ikev2_find(&msg, IKEV2_PLD_NONCE, 0) != NULL &&
	    ikev2_find(&msg, IKEV2_PLD_NONCE, 0)->len == 32, "the nonce found");
	ok(ikev2_find(&msg, IKEV2_PLD_N, 0) == NULL, "no notify found");
	is_int(ikev2_parse_header(m.b, 27, &msg), IKEV2_N_INVALID_SYNTAX,
	    "27 octets: no header");
	is_int(ikev2_parse_header(m.b, m.len - 1, &msg),
	    IKEV2_N_INVALID_SYNTAX, "the header says more than arrived");
	m.b[17] = 0x10;
	is_int(ikev2_parse_header(m.b, m.len, &msg),
	    IKEV2_N_INVALID_MAJOR_VERSION, "major version 1 is not IKEv2");
	m.b[17] = 0x2f;
	is_int(ikev2_parse_header(m.b, m.len, &msg), 0,
	    "a minor version is ignored");
	m.b[17] = 0x20;
	m.b[19] = 0xff;
	is_int(mb_parse(&m, &msg, ALL), 0, "unknown flags are ignored");

	/* allowed types, bounds per type */
	is_int(mb_parse(&m, &msg, IKEV2_BIT(IKEV2_PLD_SA) |
	    IKEV2_BIT(IKEV2_PLD_NONCE)), IKEV2_N_INVALID_SYNTAX,
	    "a KE where none may be is refused");
	mb_init(&m);
	mb_pld(&m, IKEV2_PLD_NONCE, 0, 15, 0);
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "a 15-octet nonce is refused");
	mb_init(&m);
	mb_pld(&m, IKEV2_PLD_NONCE, 0, 257, 0);
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "a 257-octet nonce is refused");

	/* unknown payloads: skipped, unless critical */
	mb_init(&m);
	mb_pld(&m, 99, 0, 10, 0);
	mb_pld(&m, IKEV2_PLD_NONCE, 0, 16, 0);
	is_int(mb_parse(&m, &msg, ALL), 0, "an unknown payload is skipped");
	is_int(msg.npld, 1, "only the nonce is kept");
	mb_init(&m);
	mb_pld(&m, 99, 1, 10, 0);
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD,
	    "an unknown critical payload is refused");
	is_int(msg.bad_type, 99, "and its type is kept for the notify");

	/* notify and delete: counts inside */
	mb_init(&m);
	mb_pld(&m, IKEV2_PLD_N, 0, 4, 0);
	m.b[IKEV2_HDR_LEN + 5] = 1;	/* SPI size 1, no room */
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "a notify whose SPI does not fit is refused");
	mb_init(&m);
	mb_pld(&m, IKEV2_PLD_D, 0, 4 + 16, 0);
	m.b[IKEV2_HDR_LEN + 5] = 8;	/* SPI size 8 */
	m.b[IKEV2_HDR_LEN + 7] = 2;	/* two SPIs: 16 octets */
	is_int(mb_parse(&m, &msg, ALL), 0, "a delete of two SPIs");
	m.b[IKEV2_HDR_LEN + 7] = 3;
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "a delete that claims three is refused");

	/* SK ends the chain and keeps its inner type */
	mb_init(&m);
	mb_pld(&m, IKEV2_PLD_SK, 0, 64, 0);
	m.b[IKEV2_HDR_LEN] = IKEV2_PLD_IDI;	/* first inner payload */
	is_int(mb_parse(&m, &msg, ALL), 0, "an SK payload");
	ok(msg.npld == 1 && msg.pld[0].inner == IKEV2_PLD_IDI,
	    "its inner type is kept");
	m.len += 4;
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "octets after SK are refused");

	/* lengths that lie */
	mb_init(&m);
	mb_pld(&m, IKEV2_PLD_NONCE, 0, 16, 0);
	m.b[IKEV2_HDR_LEN + 3] = 21;	/* one past the end */
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "a payload longer than the message is refused");
	m.b[IKEV2_HDR_LEN + 3] = 3;
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "a payload shorter than its header is refused");
	mb_init(&m);
	mb_pld(&m, IKEV2_PLD_NONCE, 0, 16, 0);
	m.len += 3;
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "octets after the last payload are refused");
	mb_init(&m);
	mb_pld(&m, IKEV2_PLD_NONCE, 0, 16, 0);
	m.b[IKEV2_HDR_LEN] = IKEV2_PLD_V;	/* a next that is not there */
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "a chain that names a payload past the end is refused");
	mb_init(&m);
	for (i = 0; i < IKEV2_PLD_MAX + 1; i++)
		mb_pld(&m, IKEV2_PLD_V, 0, 1, 0);
	is_int(mb_parse(&m, &msg, ALL), IKEV2_N_INVALID_SYNTAX,
	    "33 payloads are refused");
	ok(strcmp(ikev2_pld_name(IKEV2_PLD_SKF), "SKF") == 0 &&
	    strcmp(ikev2_pld_name(7), "unknown") == 0, "payload names");
	return done_testing();
}
