/*
 * ikev1_input.c -- an IKEv1 datagram to the exchange it belongs to: a new
 * Main Mode or Aggressive Mode, the half-open table, an SA of the table
 * (Main Mode, Aggressive Mode, Informational, Quick Mode declined), or
 * nowhere; and the operations the
 * shared SA table asks of IKEv1 (ikev1_ops).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ikesignd.h"

static const char *
ikev1_state_name(const struct ike_sa *sa)
{
	switch (sa->state) {
	case MM_NO_STATE:
		return sa->aggressive ? "AG_NO_STATE" : "MM_NO_STATE";
	case MM_SA_SETUP:
		return "MM_SA_SETUP";
	case MM_KEY_EXCH:
		return "MM_KEY_EXCH";
	case MM_KEY_AUTH:
		return "MM_KEY_AUTH";
	case AG_INIT_EXCH:
		return "AG_INIT_EXCH";
	case AG_AUTH:
		return "AG_AUTH";
	case QM_IDLE:
		return "QM_IDLE";
	default:
		return "MM_NO_STATE";
	}
}

/* A new phase 1 with the same peer, in the mode of its peer line; the
 * old SA lives until it expires. */
static void
ikev1_rekey(struct ike_sa *sa)
{
	const struct peer *peer;
	char err[256];

	peer = conf_peer(&ikesignd->conf, sa->remote.sin_addr);
	if (peer == NULL) {
		log_info("%s: IKE SA conn-id %u is not rekeyed: the peer is "
		    "no longer configured", sa->peer_name, sa->conn_id);
		return;
	}
	log_info("%s: rekeying IKE SA conn-id %u", sa->peer_name, sa->conn_id);
	if (v1_initiate(peer, err, sizeof(err)) == NULL)
		log_warnx("%s: cannot rekey: %s", sa->peer_name, err);
}

static void
ikev1_view(const struct ike_sa *sa, struct sa_view *v)
{
	const struct ike_enc *e = alg_enc(sa->chosen.enc, sa->chosen.keybits);
	const struct ike_hash *h = alg_hash(sa->chosen.hash);

	memset(v, 0, sizeof(*v));
	snprintf(v->encryption, sizeof(v->encryption), "%s",
	    e != NULL ? e->name : "");
	snprintf(v->integrity, sizeof(v->integrity), "%s",
	    h != NULL ? h->name : "");
	v->group = sa->chosen.group;
	v->lifetime = sa->chosen.lifetime;
	snprintf(v->auth, sizeof(v->auth), "%s", sa->state != QM_IDLE ? "" :
	    policy_proof_name(sa->chosen.auth));
}

/* A responder's copy of message 6 (or 2) for a repeated request. */
static void
ikev1_quiet(struct ike_sa *sa)
{
	if (sa->tx_next != 0)
		return;		/* a request of ours still retransmits */
	free(sa->tx);
	sa->tx = NULL;
	sa->txlen = 0;
}

const struct ike_ops ikev1_ops = {
	.view = ikev1_view,
	.tell_delete = info_delete,
	.liveness = info_dpd,
	.rekey = ikev1_rekey,
	.retransmit = msg_retransmit,
	.release = NULL,
	.quiet = ikev1_quiet,
	.state_name = ikev1_state_name,
};

/* Phase 1 exchanges: Main Mode and Aggressive Mode. */
static int
is_phase1(const struct ike_msg *m)
{
	return m->xchg == IKE_XCHG_IDPROT || m->xchg == IKE_XCHG_AGGRESSIVE;
}

/* Message 1 of a phase 1 we respond to: clear, no CKY-R, M-ID 0. */
static int
is_first(const struct ike_msg *m)
{
	static const uint8_t zero[IKE_COOKIE_LEN];

	return is_phase1(m) && m->mid == 0 &&
	    (m->flags & IKE_FLAG_ENC) == 0 &&
	    memcmp(m->rcookie, zero, IKE_COOKIE_LEN) == 0;
}

/*
 * A message 1 for no SA of the table: a repeated one finds its
 * negotiation by CKY-I alone, in the half-open table (Main Mode) or in
 * the SA table (Main Mode after message 3, Aggressive Mode); otherwise it
 * starts a new one.  NULL when done.
 */
static struct ike_sa *
first_input(struct ike_msg *m, const uint8_t *sum,
    const struct sockaddr_in *from, const struct sockaddr_in *local)
{
	struct half_open *ho;
	struct ike_sa *sa;
	int am = m->xchg == IKE_XCHG_AGGRESSIVE;

	if (!am && (ho = ho_find(m->icookie, NULL, from)) != NULL) {
		ho_repeat(ho, sum);
		return NULL;
	}
	sa = NULL;
	while ((sa = sa_lookup(m->icookie, from, sa)) != NULL)
		if (!sa->initiator && sa->version == 1 && sa->aggressive == am)
			break;
	if (sa == NULL) {
		if (am)
			am_recv_first(m, from, local, sum);
		else
			mm_recv_first(m, from, local, sum);
		return NULL;
	}
	if (am)
		return sa;	/* a repeat is answered from sa->tx */
	if (sa->state != MM_SA_SETUP) {
		log_debug("%s: late copy of message 1 dropped", sa->peer_name);
		return NULL;
	}
	return sa;
}

/* One IKEv1 (ISAKMP) datagram, from dispatch.c. */
void
ikev1_input(const uint8_t *pkt, size_t len, const struct sockaddr_in *from,
    const struct sockaddr_in *local)
{
	struct ike_msg m;
	struct half_open *ho;
	struct ike_sa *sa;
	const char *what;
	uint8_t sum[32] = { 0 };
	int rc;

	if ((rc = msg_parse_header(pkt, len, &m)) != 0) {
		log_debug("malformed datagram of %zu octets dropped", len);
		return;
	}
	if (is_phase1(&m))
		crypto_digest256(pkt, m.len, sum);
	sa = sa_find(m.icookie, m.rcookie, from);
	if (sa == NULL && is_first(&m) &&
	    (sa = first_input(&m, sum, from, local)) == NULL)
		return;
	/* message 3 moves a negotiation out of the half-open table */
	if (sa == NULL && m.xchg == IKE_XCHG_IDPROT && m.mid == 0 &&
	    (m.flags & IKE_FLAG_ENC) == 0 &&
	    (ho = ho_find(m.icookie, m.rcookie, from)) != NULL &&
	    (sa = ho_promote(ho)) == NULL)
		return;
	if (sa == NULL) {
		char who[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &from->sin_addr, who, sizeof(who));
		log_debug("datagram for no known IKE SA from %s dropped", who);
		return;
	}
	if ((what = signer_waiting(sa)) != NULL) {
		log_debug("%s: waiting for %s; datagram dropped",
		    sa->peer_name, what);
		return;
	}
	if (is_phase1(&m) && !sa->initiator && sa->tx != NULL &&
	    memcmp(sum, sa->rxsum, sizeof(sum)) == 0) {
		log_debug("%s: repeated request; answering again",
		    sa->peer_name);
		(void)net_send(ikesignd->udp, &sa->remote, sa->tx, sa->txlen);
		return;
	}
	sa->last_rx = now_s();
	switch (m.xchg) {
	case IKE_XCHG_IDPROT:
		mm_recv(sa, &m, from);
		memcpy(sa->rxsum, sum, sizeof(sum));
		break;
	case IKE_XCHG_AGGRESSIVE:
		am_recv(sa, &m);
		memcpy(sa->rxsum, sum, sizeof(sum));
		break;
	case IKE_XCHG_INFO:
		info_recv(sa, &m);
		break;
	case IKE_XCHG_QUICK:
		qm_decline(sa, &m);
		break;
	default:
		log_info("%s: exchange type %u not supported; dropped",
		    sa->peer_name, m.xchg);
		break;
	}
}
