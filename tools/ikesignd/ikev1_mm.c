/*
 * ikev1_mm.c -- IKEv1 Main Mode with RSA signatures or pre-shared keys
 * (RFC 2409 5.1, 5.4), as initiator and as responder:
 *
 *	1  HDR, SA, VID                 -->
 *	2                               <--  HDR, SA, VID
 *	3  HDR, KE, Ni, [NAT-D]         -->
 *	4                               <--  HDR, KE, Nr, [NAT-D]
 *	5  HDR*, IDii, SIG_I|HASH_I, [N] -->
 *	6                               <--  HDR*, IDir, SIG_R|HASH_R
 *
 * Each step first parses the message with only the payloads that step
 * accepts (ikev1_pld.c validates their shape), then looks at what they
 * mean.  Any failure marks the SA dead with the reason; sa_timers.c reaps
 * it.  Peer keys come from the token's keyring through the signer; what
 * Aggressive Mode shares with it is in ikev1_ph1.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikesignd.h"
#include "ikev1_ph1.h"

/* What messages 5 and 6 may hold. */
#define MM_LAST_PLDS	(PLD_BIT(IKE_PLD_ID) | PLD_BIT(IKE_PLD_SIG) | \
			PLD_BIT(IKE_PLD_HASH) | PLD_BIT(IKE_PLD_N) | \
			PLD_BIT(IKE_PLD_CERT) | PLD_BIT(IKE_PLD_CR) | \
			PLD_BIT(IKE_PLD_VID))

/* Responder ------------------------------------------------------------ */

/*
 * Message 1: choose a transform and answer with message 2.  The state
 * kept until message 3 goes to the half-open table (ikev1_halfopen.c),
 * never to the SA table; tmp only carries it there.
 */
void
mm_recv_first(struct ike_msg *m, const struct sockaddr_in *from,
    const struct sockaddr_in *local, const uint8_t *rxsum)
{
	struct policy pols[CONF_POLICY_MAX];
	const struct policy *chosen;
	const struct peer *peer;
	const struct pld *psa;
	struct sa_offer offer;
	struct ike_sa tmp;
	struct msgb mb;
	char who[INET_ADDRSTRLEN], buf[128];
	size_t xi;
	int rc;

	if ((peer = ph1_responder_peer(from, "Main Mode", who,
	    sizeof(who))) == NULL)
		return;
	/* validate before any state exists: garbage costs nothing */
	if ((rc = msg_parse_clear(m, PLD_BIT(IKE_PLD_SA) |
	    PLD_BIT(IKE_PLD_VID))) != 0 ||
	    (psa = msg_find(m, IKE_PLD_SA, 0)) == NULL ||
	    msg_find(m, IKE_PLD_SA, 1) != NULL ||
	    sa_parse(psa->body, psa->len, &offer) != 0) {
		log_debug("%s: malformed Main Mode message 1 dropped", who);
		info_notify_clear(m, from, rc != 0 ? (uint16_t)rc :
		    IKE_N_PAYLOAD_MALFORMED);
		return;
	}
	if ((chosen = ph1_choose(m, from, who, "Main Mode", &offer, pols,
	    &xi)) == NULL)
		return;
	memset(&tmp, 0, sizeof(tmp));
	tmp.local = *local;
	tmp.remote = *from;
	snprintf(tmp.peer_name, sizeof(tmp.peer_name), "%s", who);
	memcpy(tmp.icky, m->icookie, IKE_COOKIE_LEN);
	crypto_random(tmp.rcky, IKE_COOKIE_LEN);
	tmp.chosen = *chosen;
	tmp.chosen.lifetime = offer.x[xi].p.lifetime;	/* <= ours */
	ph1_read_vids(&tmp, m);
	msgb_init(&mb, &tmp, IKE_XCHG_IDPROT, 0);
	msgb_pld_begin(&mb, IKE_PLD_SA);
	sa_build_reply(&mb.w, &offer, xi);
	msgb_pld_end(&mb);
	ph1_add_vid(&mb, ph1_vid_dpd, sizeof(ph1_vid_dpd));
	if (tmp.peer_natt)
		ph1_add_vid(&mb, ph1_vid_natt, sizeof(ph1_vid_natt));
	if (msgb_finish(&mb, &tmp, NULL) != 0) {
		log_warnx("%s: cannot build message 2", who);
		return;
	}
	if (ho_add(&tmp, psa->body, psa->len, mb.buf, mb.w.len, rxsum) != 0) {
		log_debug("%s: Main Mode message 1 dropped: no half-open "
		    "entry for it (SA payload of %zu octets)", who, psa->len);
		return;
	}
	policy_string(chosen, buf, sizeof(buf));
	log_info("%s: Main Mode responder, policy %u chosen: %s", who,
	    chosen->prio, buf);
	if (net_send(ikesignd->udp, from, mb.buf, mb.w.len) != 0)
		log_warnx("cannot send to %s", who);
}

/* Message 3 or 4 (n), in the clear: our KE, nonce and NAT-D, sent and
 * kept as msg_send's keep says.  0, or -1 with sa failed. */
static int
send_ke_nonce(struct ike_sa *sa, int n, int keep)
{
	struct msgb mb;

	msgb_init(&mb, sa, IKE_XCHG_IDPROT, 0);
	ph1_add_ke_nonce(sa, &mb);
	if (ph1_add_natd(sa, &mb) != 0 || msgb_finish(&mb, sa, NULL) != 0 ||
	    msg_send(sa, &mb, keep) != 0) {
		sa_fail(sa, "cannot build message %d", n);
		return -1;
	}
	return 0;
}

/* Message 3's keys made (rc as ph1_keys): message 4, or the error. */
static void
resp_keyed(struct ike_sa *sa, int rc)
{
	if (ph1_stopped(sa, rc, 0) || send_ke_nonce(sa, 4, 1) != 0)
		return;
	sa->state = MM_KEY_EXCH;
}

/* The pre-shared key's prf came: the keys, then message 4. */
static void
resp_keys_in(struct ike_sa *sa)
{
	resp_keyed(sa, ph1_keys(sa, resp_keys_in));
}

static void
resp_msg3(struct ike_sa *sa, struct ike_msg *m)
{
	const struct pld *ke;
	int rc;

	if ((rc = msg_parse_clear(m, PLD_BIT(IKE_PLD_KE) |
	    PLD_BIT(IKE_PLD_NONCE) | PLD_BIT(IKE_PLD_NATD) |
	    PLD_BIT(IKE_PLD_NATD_DRAFT) | PLD_BIT(IKE_PLD_VID))) != 0 ||
	    (rc = ph1_take_ke_nonce(sa, m, &ke)) != 0) {
		ph1_error(sa, (uint16_t)rc, 0, "malformed message 3");
		return;
	}
	if (ph1_new_dh(sa) != 0 || ph1_derive(sa, ke->body, ke->len) != 0) {
		ph1_error(sa, IKE_N_INVALID_KEY_INFORMATION, 0, "bad KE value "
		    "in message 3 (out of range or not on the curve)");
		return;
	}
	ph1_check_natd(sa, m);
	resp_keyed(sa, ph1_keys(sa, resp_keys_in));
}

/* Message 6: our ID and proof.  Built again when the token's signature
 * comes (ph1_add_proof). */
static void
resp_send6(struct ike_sa *sa)
{
	struct msgb mb;
	int rc;

	msgb_init(&mb, sa, IKE_XCHG_IDPROT, 0);
	if ((rc = ph1_add_id_proof(sa, resp_send6, &mb)) == PH1_PENDING)
		return;
	if (rc != 0) {
		ph1_error(sa, (uint16_t)rc, 1, "cannot sign message 6");
		return;
	}
	if (msgb_finish(&mb, sa, sa->k.iv) != 0 || msg_send(sa, &mb, 1) != 0) {
		sa_fail(sa, "cannot build message 6");
		return;
	}
	if (sa->peer_ic)
		sa_initial_contact(sa);
	sa_established(sa);
}

/* Message 5 checked (rc: 0, a notify type, or PH1_PENDING while the
 * token looks the peer's key up): message 6, or the error. */
static void
resp_checked(struct ike_sa *sa, int rc)
{
	if (ph1_stopped(sa, rc, 1))
		return;
	if (!ikesignd->key_ok) {
		ph1_error(sa, IKE_N_AUTHENTICATION_FAILED, 1, "refused: the "
		    "local key is locked or missing");
		return;
	}
	resp_send6(sa);
}

/* The peer's key came: its signature in message 5, checked. */
static void
resp_key_in(struct ike_sa *sa)
{
	resp_checked(sa, ph1_check_kept(sa, resp_key_in));
}

static void
resp_msg5(struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t buf[IKE_RECV_MAX];

	if (ph1_decrypt(sa, m, buf, sizeof(buf), MM_LAST_PLDS) != 0) {
		/* a message we cannot read: the peer retransmits or fails */
		ph1_unreadable(sa, 5);
		return;
	}
	sa->peer_ic = ph1_has_initial_contact(m);
	resp_checked(sa, ph1_verify_peer(sa, m, resp_key_in));
}

/* Initiator ------------------------------------------------------------ */

struct ike_sa *
mm_initiate(const struct peer *peer, char *err, size_t errsz)
{
	struct policy pols[CONF_POLICY_MAX];
	struct sockaddr_in remote, local;
	struct ike_sa *sa;
	struct msgb mb;
	size_t npol, start;

	if (peer->version != 1) {
		snprintf(err, errsz, "%s is configured for ike-version 2; Main "
		    "Mode is IKEv1", peer->name);
		return NULL;
	}
	if (net_endpoints(peer->addr, peer->port, &local, &remote) != 0) {
		snprintf(err, errsz, "no route to %s", peer->name);
		return NULL;
	}
	if (!ikesignd->key_ok) {
		snprintf(err, errsz, "the local key '%s' is locked or missing",
		    ikesignd->conf.key);
		return NULL;
	}
	npol = ph1_policies(pols, CONF_POLICY_MAX);
	if (npol == 0) {
		snprintf(err, errsz, "no isakmp policy configured and the "
		    "default policy is off");
		return NULL;
	}
	if ((sa = sa_new(1, &local, &remote, NULL)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	snprintf(sa->keyring, sizeof(sa->keyring), "%s", peer->keyring);
	ph1_set_identity(sa, peer);
	msgb_init(&mb, sa, IKE_XCHG_IDPROT, 0);
	msgb_pld_begin(&mb, IKE_PLD_SA);
	start = mb.w.len;
	sa_build_offer(&mb.w, pols, npol);
	msgb_pld_end(&mb);
	if (!mb.w.err && (sa->sai = malloc(mb.w.len - start)) != NULL) {
		memcpy(sa->sai, wb_at(&mb.w, start, mb.w.len - start),
		    mb.w.len - start);
		sa->sailen = mb.w.len - start;
	}
	ph1_add_vid(&mb, ph1_vid_dpd, sizeof(ph1_vid_dpd));
	ph1_add_vid(&mb, ph1_vid_natt, sizeof(ph1_vid_natt));
	if (sa->sai == NULL || msgb_finish(&mb, sa, NULL) != 0 ||
	    msg_send(sa, &mb, 2) != 0) {
		snprintf(err, errsz, "cannot build message 1");
		sa->state = MM_DEAD;
		return NULL;
	}
	log_info("%s: Main Mode initiator, offering %zu policies", peer->name,
	    npol);
	return sa;
}

static void
init_msg2(struct ike_sa *sa, struct ike_msg *m)
{
	struct policy pols[CONF_POLICY_MAX];
	const struct policy *chosen;
	const struct pld *psa;
	struct sa_offer reply;
	size_t npol, xi;
	char buf[128];

	if (msg_parse_clear(m, PLD_BIT(IKE_PLD_SA) | PLD_BIT(IKE_PLD_VID) |
	    PLD_BIT(IKE_PLD_N)) != 0) {
		log_warnx("%s: malformed message 2 dropped", sa->peer_name);
		return;
	}
	if (ph1_refused(sa, m))
		return;
	npol = ph1_policies(pols, CONF_POLICY_MAX);
	if ((psa = msg_find(m, IKE_PLD_SA, 0)) == NULL ||
	    sa_parse(psa->body, psa->len, &reply) != 0 || reply.nx != 1 ||
	    sa_choose(&reply, pols, npol, &xi, &chosen) != 0) {
		ph1_error(sa, IKE_N_NO_PROPOSAL_CHOSEN, 0, "the peer chose a "
		    "transform we did not offer");
		return;
	}
	memcpy(sa->rcky, m->rcookie, IKE_COOKIE_LEN);
	sa->chosen = *chosen;
	sa->chosen.lifetime = reply.x[0].p.lifetime < chosen->lifetime ?
	    reply.x[0].p.lifetime : chosen->lifetime;
	sa->group = dh_group_get(chosen->group);
	ph1_read_vids(sa, m);
	policy_string(&sa->chosen, buf, sizeof(buf));
	log_info("%s: peer chose %s", sa->peer_name, buf);
	if (ph1_new_dh(sa) != 0) {
		sa_fail(sa, "cannot make a Diffie-Hellman key");
		return;
	}
	if (send_ke_nonce(sa, 3, 2) != 0)
		return;
	sa->state = MM_SA_SETUP;
}

/* Message 5: our ID, proof and INITIAL-CONTACT.  Built again when the
 * token's signature comes (ph1_add_proof). */
static void
init_send5(struct ike_sa *sa)
{
	struct msgb mb;
	int rc;

	msgb_init(&mb, sa, IKE_XCHG_IDPROT, 0);
	if ((rc = ph1_add_id_proof(sa, init_send5, &mb)) == PH1_PENDING)
		return;
	if (rc != 0) {
		ph1_error(sa, (uint16_t)rc, 1, "cannot sign message 5");
		return;
	}
	ph1_add_initial_contact(sa, &mb);
	if (msgb_finish(&mb, sa, sa->k.iv) != 0 || msg_send(sa, &mb, 2) != 0) {
		sa_fail(sa, "cannot build message 5");
		return;
	}
	sa->state = MM_KEY_EXCH;
}

/* Message 4's keys made (rc as ph1_keys): message 5, or the error. */
static void
init_keyed(struct ike_sa *sa, int rc)
{
	if (ph1_stopped(sa, rc, 0))
		return;
	init_send5(sa);
}

/* The pre-shared key's prf came: the keys, then message 5. */
static void
init_keys_in(struct ike_sa *sa)
{
	init_keyed(sa, ph1_keys(sa, init_keys_in));
}

static void
init_msg4(struct ike_sa *sa, struct ike_msg *m)
{
	const struct pld *ke;
	int rc;

	if (msg_parse_clear(m, PLD_BIT(IKE_PLD_KE) |
	    PLD_BIT(IKE_PLD_NONCE) | PLD_BIT(IKE_PLD_NATD) |
	    PLD_BIT(IKE_PLD_NATD_DRAFT) | PLD_BIT(IKE_PLD_VID) |
	    PLD_BIT(IKE_PLD_N)) != 0) {
		log_warnx("%s: malformed message 4 dropped", sa->peer_name);
		return;
	}
	if (ph1_refused(sa, m))
		return;
	if ((rc = ph1_take_ke_nonce(sa, m, &ke)) != 0 ||
	    ph1_derive(sa, ke->body, ke->len) != 0) {
		ph1_error(sa, rc != 0 ? (uint16_t)rc :
		    IKE_N_INVALID_KEY_INFORMATION, 0, "bad KE or nonce in "
		    "message 4");
		return;
	}
	ph1_check_natd(sa, m);
	/* message 3 is answered: no more retransmissions of it while the
	 * token makes the keys or signs message 5 */
	ph1_drop_tx(sa);
	init_keyed(sa, ph1_keys(sa, init_keys_in));
}

/* Message 6 checked (as resp_checked): the SA is up, or the error. */
static void
init_checked(struct ike_sa *sa, int rc)
{
	if (rc == PH1_PENDING)
		return;
	if (rc != 0) {
		/* the responder thinks the SA is up: delete it there too */
		info_notify(sa, (uint16_t)rc, NULL, 0);
		info_delete_sa(sa);
		ph1_error(sa, 0, 1, sa->why);
		return;
	}
	sa_established(sa);
}

/* The peer's key came: its signature in message 6, checked. */
static void
init_key_in(struct ike_sa *sa)
{
	init_checked(sa, ph1_check_kept(sa, init_key_in));
}

static void
init_msg6(struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t buf[IKE_RECV_MAX];

	if (ph1_decrypt(sa, m, buf, sizeof(buf), MM_LAST_PLDS) != 0) {
		ph1_unreadable(sa, 6);
		return;
	}
	/* message 5 is answered: no more retransmissions of it */
	ph1_drop_tx(sa);
	init_checked(sa, ph1_verify_peer(sa, m, init_key_in));
}

/* Dispatch ------------------------------------------------------------- */

void
mm_recv(struct ike_sa *sa, struct ike_msg *m, const struct sockaddr_in *from)
{
	int enc = (m->flags & IKE_FLAG_ENC) != 0;

	(void)from;
	if (m->mid != 0) {
		log_warnx("%s: Main Mode message with message ID %u dropped",
		    sa->peer_name, m->mid);
		return;
	}
	if (sa->initiator) {
		if (sa->state == MM_NO_STATE && !enc)
			init_msg2(sa, m);
		else if (sa->state == MM_SA_SETUP && !enc)
			init_msg4(sa, m);
		else if (sa->state == MM_KEY_EXCH && enc)
			init_msg6(sa, m);
		else
			log_debug("%s: unexpected Main Mode message in %s",
			    sa->peer_name, sa_state_name(sa));
		return;
	}
	if (sa->state == MM_SA_SETUP && !enc)
		resp_msg3(sa, m);
	else if (sa->state == MM_KEY_EXCH && enc)
		resp_msg5(sa, m);
	else
		log_debug("%s: unexpected Main Mode message in %s",
		    sa->peer_name, sa_state_name(sa));
}
