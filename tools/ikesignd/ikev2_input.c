/*
 * ikev2_input.c -- an IKEv2 datagram to the exchange it belongs to (RFC
 * 7296 2.1-2.3): a new IKE_SA_INIT, a response to our one outstanding
 * request, the peer's next request, or a retransmitted request that gets
 * our cached response again.  Everything else is dropped.  Messages are
 * opened here (SK, or SKF put together) before any exchange reads them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikev2_int.h"

#define CLEAR_SK	(IKEV2_BIT(IKEV2_PLD_SK) | IKEV2_BIT(IKEV2_PLD_SKF))

static uint8_t pkt[IKEV2_MSG_MAX];
static uint8_t plain[IKEV2_MSG_MAX];

/* What each exchange may carry inside SK, by direction (3.2). */
static uint32_t
allowed(uint8_t xchg, int response)
{
	uint32_t common = IKEV2_BIT(IKEV2_PLD_N) | IKEV2_BIT(IKEV2_PLD_V);

	switch (xchg) {
	case IKEV2_XCHG_IKE_AUTH:
		return common | IKEV2_BIT(IKEV2_PLD_IDR) |
		    IKEV2_BIT(IKEV2_PLD_AUTH) | IKEV2_BIT(IKEV2_PLD_SA) |
		    IKEV2_BIT(IKEV2_PLD_TSI) | IKEV2_BIT(IKEV2_PLD_TSR) |
		    IKEV2_BIT(IKEV2_PLD_CERT) | IKEV2_BIT(IKEV2_PLD_CP) |
		    (response ? 0 : IKEV2_BIT(IKEV2_PLD_IDI) |
		    IKEV2_BIT(IKEV2_PLD_CERTREQ) | IKEV2_BIT(IKEV2_PLD_EAP));
	case IKEV2_XCHG_CREATE_CHILD_SA:
		return common | IKEV2_BIT(IKEV2_PLD_SA) |
		    IKEV2_BIT(IKEV2_PLD_KE) | IKEV2_BIT(IKEV2_PLD_NONCE) |
		    IKEV2_BIT(IKEV2_PLD_TSI) | IKEV2_BIT(IKEV2_PLD_TSR);
	case IKEV2_XCHG_INFORMATIONAL:
		return common | IKEV2_BIT(IKEV2_PLD_D) |
		    IKEV2_BIT(IKEV2_PLD_CP);
	default:
		return 0;
	}
}

static struct ike_sa *
find(const struct ikev2_msg *m, const struct sockaddr_in *from)
{
	static const uint8_t zero[IKEV2_SPI_LEN];
	struct ike_sa *sa = NULL;

	while ((sa = sa_lookup(m->ispi, from, sa)) != NULL) {
		if (sa->version != 2)
			continue;
		if (memcmp(sa->rcky, m->rspi, IKEV2_SPI_LEN) == 0)
			return sa;
		/* the response to our IKE_SA_INIT names the responder's SPI */
		if (sa->initiator && sa->state == V2_SA_INIT &&
		    memcmp(sa->rcky, zero, IKEV2_SPI_LEN) == 0)
			return sa;
	}
	return NULL;
}

/* A repeated IKE_SA_INIT: answer it again if it is the one we answered. */
static int
init_repeat(const struct ikev2_msg *m, const struct sockaddr_in *from)
{
	struct ike_sa *sa = NULL;

	while ((sa = sa_lookup(m->ispi, from, sa)) != NULL) {
		if (sa->version != 2 || sa->initiator)
			continue;
		if (sa->state == V2_SA_INIT && sa->v2->init_i != NULL &&
		    sa->v2->init_ilen == m->len &&
		    memcmp(sa->v2->init_i, m->data, m->len) == 0) {
			log_debug("%s: repeated IKE_SA_INIT; answering again",
			    sa->peer_name);
			v2_pkts_send(sa, &sa->v2->resp);
		}
		return 1;
	}
	return 0;
}

static void
response_in(struct ike_sa *sa, struct ikev2_msg *m)
{
	struct ikev2_state *st = sa->v2;
	size_t plainlen = sizeof(plain);

	if (!st->req_open || m->mid != st->mid_out - 1 ||
	    m->xchg != st->req_xchg) {
		log_debug("%s: response %u to no request of ours dropped",
		    sa->peer_name, m->mid);
		return;
	}
	if (m->xchg == IKEV2_XCHG_IKE_SA_INIT) {
		v2_init_response(sa, m, pkt);
		return;
	}
	if (ikev2_parse_clear(m, CLEAR_SK) != 0 ||
	    v2_open(sa, m, pkt, m->len, allowed(m->xchg, 1), plain,
	    &plainlen) != 0)
		return;
	sa->last_rx = now_s();
	switch (m->xchg) {
	case IKEV2_XCHG_IKE_AUTH:
		v2_auth_response(sa, m);
		break;
	case IKEV2_XCHG_INFORMATIONAL:
		v2_info_response(sa, m);
		break;
	case IKEV2_XCHG_CREATE_CHILD_SA:
		v2_child_response(sa, m);
		break;
	}
}

/* Whole, or the first of its fragments (RFC 7383 2.6.1: a repeated
 * request is answered on its first fragment only). */
static int
first_part(const struct ikev2_msg *m)
{
	const uint8_t *skf = m->data + IKEV2_HDR_LEN;

	if (m->next != IKEV2_PLD_SKF)
		return 1;
	return m->len >= IKEV2_HDR_LEN + 8 && skf[4] == 0 && skf[5] == 1;
}

static void
request_in(struct ike_sa *sa, struct ikev2_msg *m)
{
	struct ikev2_state *st = sa->v2;
	size_t plainlen = sizeof(plain);
	uint8_t sum[32];
	int first = first_part(m), rc;

	crypto_digest256(m->data, m->len, sum);
	if (st->resp_valid && m->mid + 1 == st->mid_in) {
		/* only the very request we answered gets the answer again:
		 * a forged copy of its header makes us send nothing */
		if (first && memcmp(sum, st->reqsum, sizeof(sum)) == 0) {
			log_debug("%s: repeated request %u; answering again",
			    sa->peer_name, m->mid);
			v2_pkts_send(sa, &st->resp);
		}
		return;
	}
	if (m->mid != st->mid_in) {
		log_debug("%s: request %u out of window (expected %u) dropped",
		    sa->peer_name, m->mid, st->mid_in);
		return;
	}
	if ((sa->state == V2_SA_INIT) != (m->xchg == IKEV2_XCHG_IKE_AUTH) ||
	    sa->state == V2_AUTH) {
		log_debug("%s: %u request in state %s dropped", sa->peer_name,
		    m->xchg, sa_state_name(sa));
		return;
	}
	if (ikev2_parse_clear(m, CLEAR_SK) != 0)
		return;
	rc = v2_open(sa, m, pkt, m->len, allowed(m->xchg, 0), plain,
	    &plainlen);
	if (rc >= 0 && first)	/* authentic: remember it */
		memcpy(st->reqsum, sum, sizeof(sum));
	if (rc != 0)
		return;
	st->mid_in++;
	st->resp_valid = 0;
	sa->last_rx = now_s();
	switch (m->xchg) {
	case IKEV2_XCHG_IKE_AUTH:
		v2_auth_respond(sa, m);
		break;
	case IKEV2_XCHG_INFORMATIONAL:
		v2_info_request(sa, m);
		break;
	case IKEV2_XCHG_CREATE_CHILD_SA:
		v2_child_request(sa, m);
		break;
	}
}

/* One IKEv2 datagram, from dispatch.c. */
void
ikev2_input(const uint8_t *data, size_t len, const struct sockaddr_in *from,
    const struct sockaddr_in *local)
{
	static const uint8_t zero[IKEV2_SPI_LEN];
	struct ikev2_msg m;
	struct ike_sa *sa;
	const char *what;
	char who[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &from->sin_addr, who, sizeof(who));
	if (len > sizeof(pkt) || ikev2_parse_header(data, len, &m) != 0) {
		log_debug("%s: malformed IKEv2 datagram of %zu octets dropped",
		    who, len);
		return;
	}
	memcpy(pkt, data, m.len);
	(void)ikev2_parse_header(pkt, m.len, &m);
	if (m.xchg < IKEV2_XCHG_IKE_SA_INIT ||
	    m.xchg > IKEV2_XCHG_INFORMATIONAL) {
		log_debug("%s: IKEv2 exchange type %u dropped", who, m.xchg);
		goto done;
	}
	if ((m.flags & IKEV2_FLAG_R) == 0 &&
	    m.xchg == IKEV2_XCHG_IKE_SA_INIT) {
		if (m.mid != 0 || memcmp(m.rspi, zero, IKEV2_SPI_LEN) != 0 ||
		    (m.flags & IKEV2_FLAG_I) == 0)
			log_debug("%s: IKE_SA_INIT request with a responder SPI "
			    "or message ID dropped", who);
		else if (!init_repeat(&m, from))
			v2_init_respond(&m, pkt, from, local);
		goto done;
	}
	if ((sa = find(&m, from)) == NULL) {
		log_debug("%s: IKEv2 message for no known IKE SA dropped", who);
		goto done;
	}
	if ((what = signer_waiting(sa)) != NULL) {
		log_debug("%s: waiting for %s; IKEv2 message dropped",
		    sa->peer_name, what);
		goto done;
	}
	/* I is set on what the original initiator sends (3.1) */
	if (((m.flags & IKEV2_FLAG_I) != 0) == (sa->initiator != 0)) {
		log_debug("%s: IKEv2 message with a wrong I flag dropped", who);
		goto done;
	}
	if (m.flags & IKEV2_FLAG_R)
		response_in(sa, &m);
	else
		request_in(sa, &m);
done:
	OPENSSL_cleanse(pkt, m.len <= sizeof(pkt) ? m.len : sizeof(pkt));
}
