/*
 * ikev1_msg.c -- build ISAKMP messages payload by payload, pad and encrypt
 * them (RFC 2408 3.1, RFC 2409 App. B), send them and keep the last one
 * for retransmission, and decrypt received bodies.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ikesignd.h"

#define RTX_FIRST_MS	1000
#define RTX_TRIES	5

void
msgb_init(struct msgb *mb, const struct ike_sa *sa, uint8_t xchg,
    uint32_t mid)
{
	wb_init(&mb->w, mb->buf, sizeof(mb->buf));
	wb_bytes(&mb->w, sa->icky, IKE_COOKIE_LEN);
	wb_bytes(&mb->w, sa->rcky, IKE_COOKIE_LEN);
	mb->nextoff = mb->w.len;
	wb_u8(&mb->w, IKE_PLD_NONE);
	wb_u8(&mb->w, IKE_VERSION);
	wb_u8(&mb->w, xchg);
	wb_u8(&mb->w, 0);		/* flags, set by msgb_finish */
	wb_u32(&mb->w, mid);
	wb_u32(&mb->w, 0);		/* length, set by msgb_finish */
	mb->pldoff = 0;
}

void
msgb_pld_begin(struct msgb *mb, uint8_t type)
{
	wb_set_u8(&mb->w, mb->nextoff, type);
	mb->pldoff = mb->w.len;
	mb->nextoff = mb->w.len;
	wb_u8(&mb->w, IKE_PLD_NONE);
	wb_u8(&mb->w, 0);
	wb_u16(&mb->w, 0);
}

void
msgb_pld_end(struct msgb *mb)
{
	size_t len = mb->w.len - mb->pldoff;

	if (len > 0xffff)
		mb->w.err = 1;
	wb_set_u16(&mb->w, mb->pldoff + 2, (uint16_t)len);
}

int
msgb_finish(struct msgb *mb, const struct ike_sa *sa, uint8_t *iv)
{
	size_t body, bl, pad;
	uint8_t *p;

	if (iv != NULL) {
		bl = sa->k.e->blocklen;
		body = mb->w.len - IKE_HDR_LEN;
		pad = (bl - body % bl) % bl;
		wb_zero(&mb->w, pad);
		body += pad;
		if ((p = wb_at(&mb->w, IKE_HDR_LEN, body)) == NULL ||
		    crypto_encrypt(&sa->k, iv, p, body) != 0)
			return -1;
		wb_set_u8(&mb->w, 19, IKE_FLAG_ENC);
	}
	wb_set_u32(&mb->w, 24, (uint32_t)mb->w.len);
	return mb->w.err ? -1 : 0;
}

int
msg_send(struct ike_sa *sa, struct msgb *mb, int keep)
{
	if (mb->w.err)
		return -1;
	if (net_send(ikesignd->udp, &sa->remote, mb->buf, mb->w.len) != 0)
		log_warnx("cannot send to %s", sa->peer_name);
	if (!keep)
		return 0;
	free(sa->tx);
	if ((sa->tx = malloc(mb->w.len)) == NULL) {
		sa->txlen = 0;
		return -1;
	}
	memcpy(sa->tx, mb->buf, mb->w.len);
	sa->txlen = mb->w.len;
	sa->tx_tries = 0;
	/* only the initiator retransmits on a timer; a responder answers
	 * a repeated request with its copy */
	sa->tx_next = sa->initiator && keep > 1 ? now_ms() + RTX_FIRST_MS : 0;
	return 0;
}

void
msg_retransmit(struct ike_sa *sa)
{
	if (sa->tx == NULL)
		return;
	if (sa->tx_next != 0) {
		if (++sa->tx_tries > RTX_TRIES) {
			sa_fail(sa, "no answer from %s after %d "
			    "retransmissions", sa->peer_name, RTX_TRIES);
			return;
		}
		sa->tx_next = now_ms() + ((uint64_t)RTX_FIRST_MS <<
		    sa->tx_tries);
		log_debug("retransmitting to %s (%d)", sa->peer_name,
		    sa->tx_tries);
	}
	(void)net_send(ikesignd->udp, &sa->remote, sa->tx, sa->txlen);
}

int
msg_decrypt(const struct ike_sa *sa, const struct ike_msg *m, uint8_t *iv,
    uint8_t *buf, size_t *len)
{
	struct rbuf r;
	const uint8_t *body;
	size_t blen;

	if (sa->k.e == NULL || (m->flags & IKE_FLAG_ENC) == 0)
		return -1;
	rb_init(&r, m->data, m->len);
	(void)rb_ptr(&r, IKE_HDR_LEN);
	blen = rb_left(&r);
	if ((body = rb_ptr(&r, blen)) == NULL || blen == 0 ||
	    blen % sa->k.e->blocklen != 0 || blen > *len)
		return -1;
	memcpy(buf, body, blen);
	if (crypto_decrypt(&sa->k, iv, buf, blen) != 0)
		return -1;
	*len = blen;
	return 0;
}
