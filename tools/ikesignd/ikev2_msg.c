/*
 * ikev2_msg.c -- IKEv2 messages on the wire: build them payload by
 * payload, protect them in an Encrypted payload (split into Encrypted
 * Fragment payloads when the peer supports RFC 7383 and the message would
 * not fit the configured MTU), send them, keep our last request for
 * retransmission (window size 1: RFC 7296 2.1, 2.3) and our last response
 * for the peer's retransmissions, and open what peers send.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikev2_int.h"

#define RTX_FIRST_MS	1000
#define RTX_TRIES	5
#define IPV4_UDP_LEN	28	/* what the path MTU also carries */
#define SKF_HDR_LEN	8	/* generic header, number, total */

void
v2msg_init(struct v2msg *mb, const struct ike_sa *sa, uint8_t xchg,
    int response, uint32_t mid)
{
	uint8_t flags = 0;

	if (sa->initiator)
		flags |= IKEV2_FLAG_I;
	if (response)
		flags |= IKEV2_FLAG_R;
	wb_init(&mb->w, mb->buf, sizeof(mb->buf));
	wb_bytes(&mb->w, sa->icky, IKEV2_SPI_LEN);
	wb_bytes(&mb->w, sa->rcky, IKEV2_SPI_LEN);
	mb->nextoff = mb->w.len;
	wb_u8(&mb->w, IKEV2_PLD_NONE);
	wb_u8(&mb->w, 0x20);		/* version 2.0 */
	wb_u8(&mb->w, xchg);
	wb_u8(&mb->w, flags);
	wb_u32(&mb->w, mid);
	wb_u32(&mb->w, 0);		/* length, set when finished */
	mb->pldoff = 0;
	mb->skoff = 0;
	mb->xchg = xchg;
}

void
v2msg_begin(struct v2msg *mb, uint8_t type)
{
	wb_set_u8(&mb->w, mb->nextoff, type);
	mb->pldoff = mb->w.len;
	mb->nextoff = mb->w.len;
	wb_u8(&mb->w, IKEV2_PLD_NONE);
	wb_u8(&mb->w, 0);
	wb_u16(&mb->w, 0);
}

void
v2msg_end(struct v2msg *mb)
{
	size_t len = mb->w.len - mb->pldoff;

	if (len > 0xffff)
		mb->w.err = 1;
	wb_set_u16(&mb->w, mb->pldoff + 2, (uint16_t)len);
}

void
v2msg_sk(struct v2msg *mb, const struct ike_sa *sa)
{
	v2msg_begin(mb, IKEV2_PLD_SK);
	mb->skoff = mb->pldoff;
	wb_zero(&mb->w, ikev2_sk_ivlen(&sa->v2->suite));
}

void
v2msg_notify(struct v2msg *mb, uint8_t proto, uint16_t type,
    const void *data, size_t len)
{
	v2msg_begin(mb, IKEV2_PLD_N);
	wb_u8(&mb->w, proto);
	wb_u8(&mb->w, 0);		/* SPI size */
	wb_u16(&mb->w, type);
	if (len > 0)
		wb_bytes(&mb->w, data, len);
	v2msg_end(mb);
}

void
v2_pkts_free(struct v2_pkts *p)
{
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

/* Take n packets of lens from buf. */
static int
pkts_set(struct v2_pkts *p, const uint8_t *buf, const size_t *lens, size_t n)
{
	size_t i, total = 0;

	v2_pkts_free(p);
	for (i = 0; i < n; i++)
		total += lens[i];
	if ((p->buf = malloc(total)) == NULL)
		return -1;
	memcpy(p->buf, buf, total);
	for (i = 0; i < n; i++)
		p->len[i] = lens[i];
	p->n = n;
	return 0;
}

/* The most one SK or SKF payload's padding, pad length and ICV add. */
static size_t
overhead(const struct ikev2_suite *s)
{
	return s->encr->blocklen + (s->integ != NULL ? s->integ->icvlen :
	    s->encr->icvlen);
}

/*
 * Fragments (RFC 7383 2.5): each carries the header, an SKF payload with
 * its number and the total, and a slice of the plaintext, protected on
 * its own.  Only the first names the first inner payload.
 */
static int
fragment(struct v2msg *mb, struct ike_sa *sa, struct v2_pkts *out)
{
	const struct ikev2_suite *s = &sa->v2->suite;
	size_t ivlen = ikev2_sk_ivlen(s), ptoff, ptlen, room, n, i, at, chunk;
	size_t lens[V2_FRAG_MAX], used = 0, flen;
	uint8_t *all, *f;
	int rc = -1;

	ptoff = mb->skoff + IKEV2_GEN_LEN + ivlen;
	ptlen = mb->w.len - ptoff;
	if (sa->v2->frag_mtu < IPV4_UDP_LEN + IKEV2_HDR_LEN + SKF_HDR_LEN +
	    ivlen + overhead(s) + 16)
		return -1;
	room = sa->v2->frag_mtu - IPV4_UDP_LEN - IKEV2_HDR_LEN - SKF_HDR_LEN -
	    ivlen - overhead(s);
	n = (ptlen + room - 1) / room;
	if (n == 0 || n > V2_FRAG_MAX)
		return -1;
	if ((all = malloc(n * sa->v2->frag_mtu)) == NULL)
		return -1;
	for (i = 0, at = 0; i < n; i++, at += chunk) {
		chunk = ptlen - at < room ? ptlen - at : room;
		f = all + used;
		memcpy(f, mb->buf, IKEV2_HDR_LEN);
		f[16] = IKEV2_PLD_SKF;
		f[IKEV2_HDR_LEN] = i == 0 ? mb->buf[mb->skoff] : 0;
		f[IKEV2_HDR_LEN + 1] = 0;
		f[IKEV2_HDR_LEN + 4] = (uint8_t)((i + 1) >> 8);
		f[IKEV2_HDR_LEN + 5] = (uint8_t)(i + 1);
		f[IKEV2_HDR_LEN + 6] = (uint8_t)(n >> 8);
		f[IKEV2_HDR_LEN + 7] = (uint8_t)n;
		memcpy(f + IKEV2_HDR_LEN + SKF_HDR_LEN + ivlen,
		    mb->buf + ptoff + at, chunk);
		if (ikev2_sk_seal(s, &sa->v2->keys, sa->initiator, f,
		    sa->v2->frag_mtu - IPV4_UDP_LEN, IKEV2_HDR_LEN,
		    IKEV2_HDR_LEN + SKF_HDR_LEN, chunk, &flen) != 0)
			goto done;
		lens[i] = flen;
		used += flen;
	}
	rc = pkts_set(out, all, lens, n);
	log_debug("%s: message %u sent in %zu fragments", sa->peer_name,
	    (unsigned)(mb->buf[20] << 24 | mb->buf[21] << 16 |
	    mb->buf[22] << 8 | mb->buf[23]), n);
done:
	OPENSSL_cleanse(all, n * sa->v2->frag_mtu);
	free(all);
	return rc;
}

int
v2msg_finish(struct v2msg *mb, struct ike_sa *sa, struct v2_pkts *out)
{
	const struct ikev2_suite *s;
	size_t ivlen, ptoff, len;

	if (mb->w.err)
		return -1;
	if (mb->skoff == 0) {
		wb_set_u32(&mb->w, 24, (uint32_t)mb->w.len);
		len = mb->w.len;
		return mb->w.err ? -1 : pkts_set(out, mb->buf, &len, 1);
	}
	s = &sa->v2->suite;
	ivlen = ikev2_sk_ivlen(s);
	ptoff = mb->skoff + IKEV2_GEN_LEN + ivlen;
	if (sa->v2->peer_frag && sa->v2->frag_mtu != 0 &&
	    mb->xchg != IKEV2_XCHG_IKE_SA_INIT &&
	    mb->w.len + overhead(s) + IPV4_UDP_LEN > sa->v2->frag_mtu)
		return fragment(mb, sa, out);
	if (ikev2_sk_seal(s, &sa->v2->keys, sa->initiator, mb->buf,
	    sizeof(mb->buf), mb->skoff, mb->skoff + IKEV2_GEN_LEN,
	    mb->w.len - ptoff, &len) != 0)
		return -1;
	return pkts_set(out, mb->buf, &len, 1);
}

void
v2_pkts_send(const struct ike_sa *sa, const struct v2_pkts *p)
{
	size_t i, at = 0;

	for (i = 0; i < p->n; i++) {
		if (net_send(ikesignd->udp, &sa->remote, p->buf + at,
		    p->len[i]) != 0)
			log_warnx("cannot send to %s", sa->peer_name);
		at += p->len[i];
	}
}

int
v2_request(struct ike_sa *sa, struct v2msg *mb)
{
	struct ikev2_state *st = sa->v2;

	if (v2msg_finish(mb, sa, &st->req) != 0)
		return -1;
	OPENSSL_cleanse(mb->buf, sizeof(mb->buf));
	v2_pkts_send(sa, &st->req);
	st->req_open = 1;
	st->req_xchg = mb->xchg;
	st->mid_out++;
	sa->tx_tries = 0;
	sa->tx_next = now_ms() + RTX_FIRST_MS;
	return 0;
}

int
v2_respond(struct ike_sa *sa, struct v2msg *mb)
{
	struct ikev2_state *st = sa->v2;

	if (v2msg_finish(mb, sa, &st->resp) != 0)
		return -1;
	OPENSSL_cleanse(mb->buf, sizeof(mb->buf));
	v2_pkts_send(sa, &st->resp);
	st->resp_valid = 1;
	return 0;
}

/* Our request got its response: no more retransmissions. */
void
v2_request_done(struct ike_sa *sa)
{
	sa->v2->req_open = 0;
	sa->v2->req_delete = 0;
	sa->tx_next = 0;
	v2_pkts_free(&sa->v2->req);
}

void
v2_retransmit(struct ike_sa *sa)
{
	struct ikev2_state *st = sa->v2;

	if (st == NULL || !st->req_open)
		return;
	/* a liveness check: repeated every dpd retry seconds (IOS) until
	 * the dead peer detection of sa_timers.c gives up */
	if (sa->dpd_out && sa->dpd_retry != 0 && sa->state == QM_IDLE) {
		sa->tx_next = now_ms() + (uint64_t)sa->dpd_retry * 1000;
		log_debug("%s: liveness check repeated", sa->peer_name);
		v2_pkts_send(sa, &st->req);
		return;
	}
	if (++sa->tx_tries > RTX_TRIES) {
		sa->tx_next = 0;
		if (sa->state == QM_IDLE)
			log_warnx("%s: peer is dead: no answer after %d "
			    "retransmissions; deleting IKE SA conn-id %u",
			    sa->peer_name, RTX_TRIES, sa->conn_id);
		sa_fail(sa, "no answer from %s after %d retransmissions",
		    sa->peer_name, RTX_TRIES);
		return;
	}
	sa->tx_next = now_ms() + ((uint64_t)RTX_FIRST_MS << sa->tx_tries);
	log_debug("retransmitting to %s (%d)", sa->peer_name, sa->tx_tries);
	v2_pkts_send(sa, &st->req);
}

void
v2_notify_clear(const struct ikev2_msg *m, const struct sockaddr_in *to,
    uint16_t type, const void *data, size_t len)
{
	uint8_t buf[IKEV2_HDR_LEN + IKEV2_GEN_LEN + 4 + V2_COOKIE_MAX];
	struct wbuf w;

	if (len > V2_COOKIE_MAX)
		return;
	wb_init(&w, buf, sizeof(buf));
	wb_bytes(&w, m->ispi, IKEV2_SPI_LEN);
	wb_zero(&w, IKEV2_SPI_LEN);
	wb_u8(&w, IKEV2_PLD_N);
	wb_u8(&w, 0x20);
	wb_u8(&w, m->xchg);
	wb_u8(&w, IKEV2_FLAG_R);
	wb_u32(&w, m->mid);
	wb_u32(&w, (uint32_t)(IKEV2_HDR_LEN + IKEV2_GEN_LEN + 4 + len));
	wb_u8(&w, IKEV2_PLD_NONE);
	wb_u8(&w, 0);
	wb_u16(&w, (uint16_t)(IKEV2_GEN_LEN + 4 + len));
	wb_u8(&w, 0);			/* protocol: none */
	wb_u8(&w, 0);
	wb_u16(&w, type);
	if (len > 0)
		wb_bytes(&w, data, len);
	if (!w.err && net_send(ikesignd->udp, to, buf, w.len) != 0)
		log_debug("cannot send a notify");
}

static void
reasm_clear(struct v2_reasm *r)
{
	size_t i;

	for (i = 0; i < V2_FRAG_MAX; i++) {
		if (r->part[i] != NULL)
			OPENSSL_cleanse(r->part[i], r->partlen[i]);
		free(r->part[i]);
		r->part[i] = NULL;
		r->partlen[i] = 0;
	}
	r->total = r->got = 0;
}

void
v2_reasm_free(struct ike_sa *sa)
{
	if (sa->v2->reasm == NULL)
		return;
	reasm_clear(sa->v2->reasm);
	free(sa->v2->reasm);
	sa->v2->reasm = NULL;
}

/* One fragment, already opened; 0 when the message is whole in plain. */
static int
reasm_add(struct ike_sa *sa, const struct ikev2_msg *m, uint16_t num,
    uint16_t total, uint8_t first, const uint8_t *pt, size_t ptlen,
    uint8_t *plain, size_t *plainlen, uint8_t *firstout)
{
	struct v2_reasm *r = sa->v2->reasm;
	int response = (m->flags & IKEV2_FLAG_R) != 0;
	size_t i, at;

	/* allocated for a fragmented message only, freed when it is whole */
	if (r == NULL && (r = sa->v2->reasm = calloc(1, sizeof(*r))) == NULL)
		return -1;
	if (r->total != 0 && (r->mid != m->mid || r->response != response ||
	    r->total != total))
		reasm_clear(r);		/* a newer message: start again */
	if (r->total == 0) {
		r->mid = m->mid;
		r->response = response;
		r->total = total;
	}
	if (r->part[num - 1] != NULL)
		return 1;		/* a copy */
	if ((r->part[num - 1] = malloc(ptlen + 1)) == NULL)
		return -1;
	memcpy(r->part[num - 1], pt, ptlen);
	r->partlen[num - 1] = ptlen;
	if (num == 1)
		r->first = first;
	if (++r->got < r->total)
		return 1;
	for (i = 0, at = 0; i < r->total; i++) {
		if (at + r->partlen[i] > *plainlen) {
			reasm_clear(r);
			return -1;
		}
		memcpy(plain + at, r->part[i], r->partlen[i]);
		at += r->partlen[i];
	}
	*plainlen = at;
	*firstout = r->first;
	v2_reasm_free(sa);
	return 0;
}

int
v2_open(struct ike_sa *sa, struct ikev2_msg *m, uint8_t *pkt, size_t len,
    uint32_t allowed, uint8_t *plain, size_t *plainlen)
{
	const struct ikev2_pld *p;
	struct ikev2_state *st = sa->v2;
	size_t ptoff, ptlen;
	uint16_t num, total;
	uint8_t first;
	int rc, from_i = (m->flags & IKEV2_FLAG_I) != 0;

	if (!st->keyed || m->npld == 0)
		return -1;
	p = &m->pld[m->npld - 1];
	if (p->type == IKEV2_PLD_SK) {
		if (ikev2_sk_open(&st->suite, &st->keys, from_i, pkt, len,
		    (size_t)(p->body - pkt), &ptoff, &ptlen) != 0) {
			log_debug("%s: message %u failed its integrity check; "
			    "dropped", sa->peer_name, m->mid);
			return -1;
		}
		first = p->inner;
		rc = ikev2_parse_payloads(m, first, pkt + ptoff, ptlen,
		    allowed);
		goto parsed;
	}
	if (p->type != IKEV2_PLD_SKF || p->len < 4)
		return -1;
	num = (uint16_t)(p->body[0] << 8 | p->body[1]);
	total = (uint16_t)(p->body[2] << 8 | p->body[3]);
	if (num == 0 || total == 0 || num > total || total > V2_FRAG_MAX) {
		log_debug("%s: fragment %u of %u dropped", sa->peer_name, num,
		    total);
		return -1;
	}
	if (ikev2_sk_open(&st->suite, &st->keys, from_i, pkt, len,
	    (size_t)(p->body - pkt) + 4, &ptoff, &ptlen) != 0) {
		log_debug("%s: fragment %u of message %u failed its integrity "
		    "check; dropped", sa->peer_name, num, m->mid);
		return -1;
	}
	if ((rc = reasm_add(sa, m, num, total, p->inner, pkt + ptoff, ptlen,
	    plain, plainlen, &first)) != 0)
		return rc;
	log_debug("%s: message %u put together from %u fragments",
	    sa->peer_name, m->mid, total);
	rc = ikev2_parse_payloads(m, first, plain, *plainlen, allowed);
parsed:
	if (rc != 0) {
		log_info("%s: malformed %s payloads in message %u (%s); "
		    "dropped", sa->peer_name, rc ==
		    IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ? "critical" :
		    "encrypted", m->mid, v2_notify_name((uint16_t)rc));
		return -1;
	}
	return 0;
}
