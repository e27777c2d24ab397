/*
 * ikev2.h -- IKEv2 wire constants (RFC 7296 3) and the message parser's
 * types (ikev2_pld.c).  ikesignd does not speak IKEv2 yet: dispatch.c
 * drops IKEv2 datagrams; this parser is the first part of it.
 */
#ifndef IKEV2_H
#define IKEV2_H

#include <stddef.h>
#include <stdint.h>

#define IKEV2_SPI_LEN		8
#define IKEV2_HDR_LEN		28
#define IKEV2_GEN_LEN		4	/* generic payload header */
#define IKEV2_MSG_MAX		65535	/* the header's length is 32 bits */

/* exchange types (3.1) */
#define IKEV2_XCHG_IKE_SA_INIT		34
#define IKEV2_XCHG_IKE_AUTH		35
#define IKEV2_XCHG_CREATE_CHILD_SA	36
#define IKEV2_XCHG_INFORMATIONAL	37

/* header flags (3.1); the others are ignored on receipt */
#define IKEV2_FLAG_I		0x08	/* sent by the original initiator */
#define IKEV2_FLAG_V		0x10
#define IKEV2_FLAG_R		0x20	/* a response */

/* payload types (3.2) */
#define IKEV2_PLD_NONE		0
#define IKEV2_PLD_SA		33
#define IKEV2_PLD_KE		34
#define IKEV2_PLD_IDI		35
#define IKEV2_PLD_IDR		36
#define IKEV2_PLD_CERT		37
#define IKEV2_PLD_CERTREQ	38
#define IKEV2_PLD_AUTH		39
#define IKEV2_PLD_NONCE		40
#define IKEV2_PLD_N		41
#define IKEV2_PLD_D		42
#define IKEV2_PLD_V		43
#define IKEV2_PLD_TSI		44
#define IKEV2_PLD_TSR		45
#define IKEV2_PLD_SK		46
#define IKEV2_PLD_CP		47
#define IKEV2_PLD_EAP		48
#define IKEV2_PLD_SKF		53	/* RFC 7383 */

#define IKEV2_CRITICAL		0x80	/* the C bit of the generic header */

/* error notify types the parser reports (3.10.1) */
#define IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD	1
#define IKEV2_N_INVALID_MAJOR_VERSION		5
#define IKEV2_N_INVALID_SYNTAX			7

#define IKEV2_PLD_MAX		32	/* payloads in one message, at most */

/* Bit of a payload type in an "allowed" mask: types 33..63. */
#define IKEV2_BIT(t)	((t) > 32 && (t) < 64 ? (uint32_t)1 << ((t) - 32) : 0)

struct ikev2_pld {
	uint8_t		 type;
	int		 critical;
	uint8_t		 inner;		/* SK, SKF: the first inner payload */
	const uint8_t	*raw;		/* with the generic header */
	size_t		 rawlen;
	const uint8_t	*body;		/* without it */
	size_t		 len;
};

struct ikev2_msg {
	const uint8_t	*data;
	size_t		 len;		/* as the header says */
	uint8_t		 ispi[IKEV2_SPI_LEN];
	uint8_t		 rspi[IKEV2_SPI_LEN];
	uint8_t		 next;
	uint8_t		 version;
	uint8_t		 xchg;
	uint8_t		 flags;
	uint32_t	 mid;
	struct ikev2_pld pld[IKEV2_PLD_MAX];
	size_t		 npld;
	uint8_t		 bad_type;	/* the unsupported critical payload */
};

/* The fixed header of an IKEv2 datagram; 0 or an IKEV2_N_* to report. */
int	ikev2_parse_header(const uint8_t *pkt, size_t len, struct ikev2_msg *);
/*
 * The payload chain starting with type first in body (the clear part of a
 * message, or the decrypted inside of SK).  allowed is an IKEV2_BIT mask
 * of the types this exchange may carry.  An SK or SKF payload ends the
 * chain: it runs to the end of body, and its inner type is kept.  An
 * unknown type is skipped unless its critical bit is set (then
 * UNSUPPORTED_CRITICAL_PAYLOAD, with bad_type set: RFC 7296 2.5); a known
 * type this exchange may not carry, or a payload out of shape, is
 * INVALID_SYNTAX.
 */
int	ikev2_parse_payloads(struct ikev2_msg *, uint8_t first,
	    const uint8_t *body, size_t len, uint32_t allowed);
/* The unencrypted body after the header. */
int	ikev2_parse_clear(struct ikev2_msg *, uint32_t allowed);
const struct ikev2_pld *ikev2_find(const struct ikev2_msg *, uint8_t type,
	    size_t nth);
const char *ikev2_pld_name(uint8_t type);

#endif
