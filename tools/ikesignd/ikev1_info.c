/*
 * ikev1_info.c -- informational exchanges on an IKE SA (RFC 2408 4.8,
 * RFC 2409 5.7): notifications, Delete, dead peer detection (RFC 3706
 * R-U-THERE / R-U-THERE-ACK), and declining Quick Mode with
 * NO-PROPOSAL-CHOSEN (ikesignd negotiates no IPsec SAs).
 *
 * Once keys exist every message is HDR*, HASH(1), N/D with
 * HASH(1) = prf(SKEYID_a, M-ID | N/D) and its own IV,
 * hash(last phase 1 CBC block | M-ID).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikesignd.h"

static const char *
notify_name(uint16_t t)
{
	switch (t) {
	case IKE_N_INVALID_PAYLOAD_TYPE:
		return "INVALID-PAYLOAD-TYPE";
	case IKE_N_NO_PROPOSAL_CHOSEN:
		return "NO-PROPOSAL-CHOSEN";
	case IKE_N_PAYLOAD_MALFORMED:
		return "PAYLOAD-MALFORMED";
	case IKE_N_INVALID_KEY_INFORMATION:
		return "INVALID-KEY-INFORMATION";
	case IKE_N_INVALID_ID_INFORMATION:
		return "INVALID-ID-INFORMATION";
	case IKE_N_INVALID_HASH_INFORMATION:
		return "INVALID-HASH-INFORMATION";
	case IKE_N_AUTHENTICATION_FAILED:
		return "AUTHENTICATION-FAILED";
	case IKE_N_INVALID_SIGNATURE:
		return "INVALID-SIGNATURE";
	case IKE_N_INITIAL_CONTACT:
		return "INITIAL-CONTACT";
	case IKE_N_DPD_R_U_THERE:
		return "R-U-THERE";
	case IKE_N_DPD_R_U_THERE_ACK:
		return "R-U-THERE-ACK";
	default:
		return "notify";
	}
}

/* Send HDR*, HASH(1), one payload built by the caller's fill. */
static int
info_send(struct ike_sa *sa, uint8_t type, const uint8_t *body, size_t len)
{
	uint8_t iv[IKE_BLOCK_MAX], h[IKE_HASH_MAX], m[4], *p;
	size_t hoff, from;
	struct msgb mb;
	struct iov v[2];
	uint32_t mid;

	if (sa->k.e == NULL)
		return -1;
	do
		crypto_random((uint8_t *)&mid, sizeof(mid));
	while (mid == 0);
	msgb_init(&mb, sa, IKE_XCHG_INFO, mid);
	msgb_pld_begin(&mb, IKE_PLD_HASH);
	hoff = mb.w.len;
	wb_zero(&mb.w, sa->k.h->len);
	msgb_pld_end(&mb);
	from = mb.w.len;
	msgb_pld_begin(&mb, type);
	wb_bytes(&mb.w, body, len);
	msgb_pld_end(&mb);
	if (mb.w.err || (p = wb_at(&mb.w, from, mb.w.len - from)) == NULL)
		return -1;
	m[0] = (uint8_t)(mid >> 24);
	m[1] = (uint8_t)(mid >> 16);
	m[2] = (uint8_t)(mid >> 8);
	m[3] = (uint8_t)mid;
	v[0].p = m;
	v[0].len = 4;
	v[1].p = p;
	v[1].len = mb.w.len - from;
	if (crypto_prf(sa->k.h, sa->k.skeyid_a, sa->k.h->len, v, 2, h) != 0 ||
	    (p = wb_at(&mb.w, hoff, sa->k.h->len)) == NULL)
		return -1;
	memcpy(p, h, sa->k.h->len);
	if (crypto_mid_iv(&sa->k, sa->k.iv, mid, iv) != 0 ||
	    msgb_finish(&mb, sa, iv) != 0)
		return -1;
	return msg_send(sa, &mb, 0);
}

/* A notify about the ISAKMP SA itself: SPI = CKY-I | CKY-R. */
void
info_notify(struct ike_sa *sa, uint16_t type, const uint8_t *data,
    size_t datalen)
{
	uint8_t buf[64];
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	wb_u32(&w, IKE_DOI_IPSEC);
	wb_u8(&w, IKE_PROTO_ISAKMP);
	wb_u8(&w, 2 * IKE_COOKIE_LEN);
	wb_u16(&w, type);
	wb_bytes(&w, sa->icky, IKE_COOKIE_LEN);
	wb_bytes(&w, sa->rcky, IKE_COOKIE_LEN);
	wb_bytes(&w, data, datalen);
	if (w.err || info_send(sa, IKE_PLD_N, buf, w.len) != 0)
		log_warnx("%s: cannot send %s", sa->peer_name,
		    notify_name(type));
	else
		log_debug("%s: sent %s", sa->peer_name, notify_name(type));
}

void
info_delete(struct ike_sa *sa)
{
	if (sa->state == QM_IDLE)
		info_delete_sa(sa);
}

/* Delete for an SA with keys, established or not. */
void
info_delete_sa(struct ike_sa *sa)
{
	uint8_t buf[32];
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	wb_u32(&w, IKE_DOI_IPSEC);
	wb_u8(&w, IKE_PROTO_ISAKMP);
	wb_u8(&w, 2 * IKE_COOKIE_LEN);
	wb_u16(&w, 1);
	wb_bytes(&w, sa->icky, IKE_COOKIE_LEN);
	wb_bytes(&w, sa->rcky, IKE_COOKIE_LEN);
	if (w.err || info_send(sa, IKE_PLD_D, buf, w.len) != 0)
		log_warnx("%s: cannot send Delete", sa->peer_name);
	else
		log_info("%s: sent Delete for IKE SA conn-id %u",
		    sa->peer_name, sa->conn_id);
}

void
info_dpd(struct ike_sa *sa)
{
	uint8_t seq[4];

	if (!sa->dpd_out) {
		sa->dpd_seq++;
		sa->dpd_out = 1;
		sa->dpd_tries = 0;
	}
	seq[0] = (uint8_t)(sa->dpd_seq >> 24);
	seq[1] = (uint8_t)(sa->dpd_seq >> 16);
	seq[2] = (uint8_t)(sa->dpd_seq >> 8);
	seq[3] = (uint8_t)sa->dpd_seq;
	info_notify(sa, IKE_N_DPD_R_U_THERE, seq, sizeof(seq));
}

void
info_notify_clear(const struct ike_msg *m, const struct sockaddr_in *to,
    uint16_t type)
{
	struct ike_sa tmp;
	struct msgb mb;

	memset(&tmp, 0, sizeof(tmp));
	memcpy(tmp.icky, m->icookie, IKE_COOKIE_LEN);
	memcpy(tmp.rcky, m->rcookie, IKE_COOKIE_LEN);
	msgb_init(&mb, &tmp, IKE_XCHG_INFO, 0);
	msgb_pld_begin(&mb, IKE_PLD_N);
	wb_u32(&mb.w, IKE_DOI_IPSEC);
	wb_u8(&mb.w, IKE_PROTO_ISAKMP);
	wb_u8(&mb.w, 0);
	wb_u16(&mb.w, type);
	msgb_pld_end(&mb);
	if (msgb_finish(&mb, &tmp, NULL) == 0)
		(void)net_send(ikesignd->udp, to, mb.buf, mb.w.len);
}

/*
 * Decrypt an exchange with its own message ID and check HASH(1):
 * prf(SKEYID_a, M-ID | everything after the HASH payload).
 */
static int
open_exchange(struct ike_sa *sa, struct ike_msg *m, uint8_t *buf,
    size_t bufsz, uint32_t allowed)
{
	uint8_t iv[IKE_BLOCK_MAX], h[IKE_HASH_MAX], mid[4];
	struct iov v[MSG_PLD_MAX + 1];
	size_t len = bufsz, i;

	if (crypto_mid_iv(&sa->k, sa->k.iv, m->mid, iv) != 0 ||
	    msg_decrypt(sa, m, iv, buf, &len) != 0 ||
	    msg_parse_payloads(m, m->next, buf, len,
	    allowed | PLD_BIT(IKE_PLD_HASH)) != 0)
		return -1;
	if (m->npld < 1 || m->pld[0].type != IKE_PLD_HASH ||
	    m->pld[0].len != sa->k.h->len)
		return -1;
	mid[0] = (uint8_t)(m->mid >> 24);
	mid[1] = (uint8_t)(m->mid >> 16);
	mid[2] = (uint8_t)(m->mid >> 8);
	mid[3] = (uint8_t)m->mid;
	v[0].p = mid;
	v[0].len = 4;
	for (i = 1; i < m->npld; i++) {
		v[i].p = m->pld[i].raw;
		v[i].len = m->pld[i].rawlen;
	}
	if (crypto_prf(sa->k.h, sa->k.skeyid_a, sa->k.h->len, v, m->npld,
	    h) != 0 || CRYPTO_memcmp(h, m->pld[0].body, sa->k.h->len) != 0)
		return -1;
	return 0;
}

static void
got_notify(struct ike_sa *sa, const struct notify *n)
{
	uint32_t seq;

	if (n->type == IKE_N_DPD_R_U_THERE ||
	    n->type == IKE_N_DPD_R_U_THERE_ACK) {
		if (n->datalen != 4 || n->spilen != 2 * IKE_COOKIE_LEN)
			return;
		seq = (uint32_t)n->data[0] << 24 | (uint32_t)n->data[1] << 16 |
		    (uint32_t)n->data[2] << 8 | n->data[3];
		if (n->type == IKE_N_DPD_R_U_THERE) {
			log_debug("%s: R-U-THERE %u", sa->peer_name, seq);
			info_notify(sa, IKE_N_DPD_R_U_THERE_ACK, n->data, 4);
		} else if (sa->dpd_out && seq == sa->dpd_seq) {
			log_debug("%s: R-U-THERE-ACK %u", sa->peer_name, seq);
			sa->dpd_out = 0;
			sa->dpd_tries = 0;
		}
		return;
	}
	if (n->type == IKE_N_INITIAL_CONTACT) {
		sa_initial_contact(sa);
		return;
	}
	log_info("%s: received %s (%u) notify", sa->peer_name,
	    notify_name(n->type), n->type);
	if (n->type <= IKE_N_ERROR_MAX && sa->state != QM_IDLE)
		sa_fail(sa, "%s refused: %s", sa->peer_name,
		    notify_name(n->type));
}

static void
got_delete(struct ike_sa *sa, const struct delete *d)
{
	struct ike_sa *x;
	struct rbuf r;
	const uint8_t *spi;
	uint16_t i;

	if (d->proto != IKE_PROTO_ISAKMP) {
		log_debug("%s: Delete for protocol %u ignored (no IPsec SAs "
		    "here)", sa->peer_name, d->proto);
		return;
	}
	if (d->spilen != 2 * IKE_COOKIE_LEN)
		return;
	rb_init(&r, d->spis, (size_t)d->spilen * d->nspi);
	for (i = 0; i < d->nspi; i++) {
		uint8_t icky[IKE_COOKIE_LEN], rcky[IKE_COOKIE_LEN];

		if ((spi = rb_ptr(&r, 0)) == NULL ||
		    rb_copy(&r, icky, IKE_COOKIE_LEN) != 0 ||
		    rb_copy(&r, rcky, IKE_COOKIE_LEN) != 0)
			return;
		x = sa_find(icky, rcky, &sa->remote);
		if (x == NULL || x->state == MM_DEAD)
			continue;
		log_info("%s: received Delete for IKE SA conn-id %u",
		    x->peer_name, x->conn_id);
		x->state = MM_DEAD;
		snprintf(x->why, sizeof(x->why), "deleted by the peer");
	}
}

void
info_recv(struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t buf[IKE_RECV_MAX];
	struct notify n;
	struct delete d;
	size_t i;

	if ((m->flags & IKE_FLAG_ENC) == 0) {
		/* unauthenticated: believed only while phase 1 runs */
		if (sa->state == QM_IDLE || msg_parse_clear(m,
		    PLD_BIT(IKE_PLD_N)) != 0 || m->npld != 1 ||
		    pld_notify(&m->pld[0], &n) != 0)
			return;
		got_notify(sa, &n);
		return;
	}
	if (sa->k.e == NULL || open_exchange(sa, m, buf, sizeof(buf),
	    PLD_BIT(IKE_PLD_N) | PLD_BIT(IKE_PLD_D)) != 0) {
		if (sa->state == AG_AUTH && sa->chosen.auth == IKE_AUTH_PSK)
			sa_fail(sa, "the peer's answer to message 2 does not "
			    "decrypt: its pre-shared key does not match the "
			    "one keyring '%s' holds for '%s'", sa->keyring,
			    sa->peer_id);
		else
			log_warnx("%s: informational exchange that does not "
			    "decrypt or whose HASH does not verify; dropped",
			    sa->peer_name);
		return;
	}
	for (i = 1; i < m->npld; i++) {
		if (m->pld[i].type == IKE_PLD_N &&
		    pld_notify(&m->pld[i], &n) == 0)
			got_notify(sa, &n);
		else if (m->pld[i].type == IKE_PLD_D &&
		    pld_delete(&m->pld[i], &d) == 0)
			got_delete(sa, &d);
	}
}

void
qm_decline(struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t buf[IKE_RECV_MAX];

	if (sa->state != QM_IDLE || m->mid == 0)
		return;
	if (open_exchange(sa, m, buf, sizeof(buf), PLD_BIT(IKE_PLD_SA) |
	    PLD_BIT(IKE_PLD_NONCE) | PLD_BIT(IKE_PLD_KE) |
	    PLD_BIT(IKE_PLD_ID) | PLD_BIT(IKE_PLD_N) |
	    PLD_BIT(IKE_PLD_NATOA) | PLD_BIT(IKE_PLD_NATOA_DRAFT)) != 0) {
		log_warnx("%s: Quick Mode message that does not decrypt or "
		    "whose HASH does not verify; dropped", sa->peer_name);
		return;
	}
	log_info("%s: Quick Mode declined with NO-PROPOSAL-CHOSEN: ikesignd "
	    "negotiates no IPsec SAs", sa->peer_name);
	info_notify(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
}
