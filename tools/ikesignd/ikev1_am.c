/*
 * ikev1_am.c -- IKEv1 Aggressive Mode (RFC 2409 5.1, 5.4) with RSA
 * signatures or pre-shared keys, as initiator and as responder:
 *
 *	1  HDR, SA, KE, Ni, IDii, VID              -->
 *	2      <--  HDR, SA, KE, Nr, IDir, VID, [NAT-D], SIG_R|HASH_R
 *	3  HDR*, [NAT-D], SIG_I|HASH_I, [N]        -->
 *
 * Message 3 is encrypted when we send it (as strongSwan and IOS do) and
 * accepted either way.  The initiator's identity comes first, so the
 * responder can choose the pre-shared key by the name the peer gives
 * (ID_FQDN, ID_USER_FQDN, ID_KEY_ID) for peers whose address is not known
 * in advance ("peer ADDRESS/PREFIX" lines).
 *
 * The price: message 2 carries HASH_R, a value computed from the
 * pre-shared key and values the initiator knows, so anyone who sends a
 * message 1 with a valid identity can guess the key offline.  That is why
 * "crypto isakmp aggressive-mode disable" refuses message 1 without any
 * answer, and why an identity without a key gets no answer either.
 *
 * A responder negotiation is an SA of the table from message 1 on (it has
 * DH state and keys); their number is bounded by the half-open limit.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikesignd.h"
#include "ikev1_ph1.h"

/* What each message may hold. */
#define AM_FIRST_PLDS	(PLD_BIT(IKE_PLD_SA) | PLD_BIT(IKE_PLD_KE) | \
			PLD_BIT(IKE_PLD_NONCE) | PLD_BIT(IKE_PLD_ID) | \
			PLD_BIT(IKE_PLD_VID) | PLD_BIT(IKE_PLD_CR))
#define AM_SECOND_PLDS	(AM_FIRST_PLDS | PLD_BIT(IKE_PLD_HASH) | \
			PLD_BIT(IKE_PLD_SIG) | PLD_BIT(IKE_PLD_CERT) | \
			PLD_BIT(IKE_PLD_N) | PLD_BIT(IKE_PLD_NATD) | \
			PLD_BIT(IKE_PLD_NATD_DRAFT))
#define AM_LAST_PLDS	(PLD_BIT(IKE_PLD_HASH) | PLD_BIT(IKE_PLD_SIG) | \
			PLD_BIT(IKE_PLD_CERT) | PLD_BIT(IKE_PLD_N) | \
			PLD_BIT(IKE_PLD_NATD) | PLD_BIT(IKE_PLD_NATD_DRAFT) | \
			PLD_BIT(IKE_PLD_VID))

/* Exactly one payload of each type in types[]; else NULL. */
static const struct pld *
one_each(const struct ike_msg *m, const uint8_t *types, size_t n)
{
	const struct pld *p = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if ((p = msg_find(m, types[i], 0)) == NULL ||
		    msg_find(m, types[i], 1) != NULL)
			return NULL;
	return p;
}

/* The policies offered with one DH group (Aggressive Mode sends one KE):
 * those of the group of the first; how many. */
static size_t
offer_policies(struct policy *pols, size_t max)
{
	size_t n = ph1_policies(pols, max), i, k = 0;

	for (i = 0; i < n; i++)
		if (pols[i].group == pols[0].group)
			pols[k++] = pols[i];
	return k;
}

/* Responder ------------------------------------------------------------ */

/* Responder negotiations waiting for message 3. */
static size_t
am_half_open(void)
{
	const struct ike_sa *sa;
	size_t n = 0;

	TAILQ_FOREACH(sa, &ikesignd->sas, entry)
		if (sa->state == AG_AUTH)
			n++;
	return n;
}

/* Message 1 checked for shape, a peer line and a policy; the chosen
 * policy, or NULL when it was refused (logged, maybe answered). */
static const struct policy *
first_checks(struct ike_msg *m, const struct sockaddr_in *from,
    const char *who, struct sa_offer *offer, struct policy *pols,
    size_t *xi)
{
	static const uint8_t need[] = { IKE_PLD_SA, IKE_PLD_KE,
	    IKE_PLD_NONCE, IKE_PLD_ID };
	const struct pld *psa;
	int rc;

	if ((rc = msg_parse_clear(m, AM_FIRST_PLDS)) != 0 ||
	    one_each(m, need, sizeof(need)) == NULL ||
	    (psa = msg_find(m, IKE_PLD_SA, 0)) == NULL ||
	    sa_parse(psa->body, psa->len, offer) != 0) {
		log_debug("%s: malformed Aggressive Mode message 1 dropped",
		    who);
		info_notify_clear(m, from, rc != 0 ? (uint16_t)rc :
		    IKE_N_PAYLOAD_MALFORMED);
		return NULL;
	}
	return ph1_choose(m, from, who, "Aggressive Mode", offer, pols, xi);
}

/* The SA for a new responder negotiation, its message 1 taken in. */
static struct ike_sa *
resp_sa(struct ike_msg *m, const struct sockaddr_in *from,
    const struct sockaddr_in *local, const struct peer *peer,
    const struct sa_offer *offer, size_t xi, const struct policy *chosen)
{
	const struct pld *psa = msg_find(m, IKE_PLD_SA, 0);
	struct ike_sa *sa;

	if ((sa = sa_new(0, local, from, m->icookie)) == NULL)
		return NULL;
	sa->aggressive = 1;
	crypto_random(sa->rcky, IKE_COOKIE_LEN);
	snprintf(sa->keyring, sizeof(sa->keyring), "%s", peer->keyring);
	ph1_set_identity(sa, peer);
	sa->chosen = *chosen;
	sa->chosen.lifetime = offer->x[xi].p.lifetime;	/* <= ours */
	sa->group = dh_group_get(chosen->group);
	ph1_read_vids(sa, m);
	if ((sa->sai = malloc(psa->len)) == NULL) {
		sa_fail(sa, "out of memory");
		return NULL;
	}
	memcpy(sa->sai, psa->body, psa->len);
	sa->sailen = psa->len;
	return sa;
}

static void resp_send2(struct ike_sa *);

/* Our SA payload's body for message 2, kept until message 2 is built
 * (a signature may come later than this message 1); 0 or -1. */
static int
keep_reply_sa(struct ike_sa *sa, const struct sa_offer *offer, size_t xi)
{
	uint8_t buf[IKE_RECV_MAX];
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	sa_build_reply(&w, offer, xi);
	if (w.err || (sa->ng->sar = malloc(w.len)) == NULL)
		return -1;
	memcpy(sa->ng->sar, buf, w.len);
	sa->ng->sarlen = w.len;
	return 0;
}

/* Message 2: SA, KE, Nr, IDir, VIDs, NAT-D, then the proof over IDir; 0,
 * PH1_PENDING (resp_send2 again when the signature comes) or the
 * notify to send. */
static int
resp_msg2(struct ike_sa *sa)
{
	uint8_t idb[KS_PEER_ID_MAX + 8];
	size_t idlen;
	struct msgb mb;
	int rc;

	msgb_init(&mb, sa, IKE_XCHG_AGGRESSIVE, 0);
	msgb_pld_begin(&mb, IKE_PLD_SA);
	wb_bytes(&mb.w, sa->ng->sar, sa->ng->sarlen);
	msgb_pld_end(&mb);
	ph1_add_ke_nonce(sa, &mb);
	if (ph1_add_id(sa, &mb, idb, sizeof(idb), &idlen) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	ph1_add_vid(&mb, ph1_vid_dpd, sizeof(ph1_vid_dpd));
	if (sa->peer_natt)
		ph1_add_vid(&mb, ph1_vid_natt, sizeof(ph1_vid_natt));
	if (ph1_add_natd(sa, &mb) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	if ((rc = ph1_add_proof(sa, resp_send2, &mb, idb, idlen)) != 0)
		return rc;
	if (msgb_finish(&mb, sa, NULL) != 0 || msg_send(sa, &mb, 1) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	return 0;
}

/* Message 2 sent, or the negotiation failed; nothing while the token
 * signs. */
static void
resp_send2(struct ike_sa *sa)
{
	char buf[128];
	int rc;

	if ((rc = resp_msg2(sa)) == PH1_PENDING)
		return;
	if (rc != 0) {
		ph1_error(sa, (uint16_t)rc, 0, "cannot build message 2");
		return;
	}
	sa->state = AG_AUTH;
	policy_string(&sa->chosen, buf, sizeof(buf));
	log_info("%s: Aggressive Mode responder for '%s', policy %u chosen: %s",
	    sa->peer_name, sa->peer_id, sa->chosen.prio, buf);
}

/* Message 1's keys made (rc as ph1_keys): message 2; without a
 * pre-shared key for the identity, no answer at all. */
static void
resp_keyed(struct ike_sa *sa, int rc)
{
	if (rc == PH1_PENDING)
		return;
	if (rc != 0) {
		ph1_error(sa, rc == IKE_N_AUTHENTICATION_FAILED ? 0 :
		    (uint16_t)rc, 0, sa->why);
		return;
	}
	resp_send2(sa);
}

/* The pre-shared key's prf came: the keys, then message 2. */
static void
resp_keys_in(struct ike_sa *sa)
{
	resp_keyed(sa, ph1_keys(sa, resp_keys_in));
}

/*
 * Message 1 of an Aggressive Mode we respond to.  Refused without any
 * answer when Aggressive Mode is off and when there is no pre-shared key
 * for the identity: an answer would carry HASH_R, which an attacker could
 * take home to guess the key.
 */
void
am_recv_first(struct ike_msg *m, const struct sockaddr_in *from,
    const struct sockaddr_in *local, const uint8_t *rxsum)
{
	struct policy pols[CONF_POLICY_MAX];
	const struct policy *chosen;
	const struct peer *peer;
	const struct pld *ke;
	struct sa_offer offer;
	struct ike_sa *sa;
	char who[INET_ADDRSTRLEN];
	size_t xi;
	int rc;

	if ((peer = ph1_responder_peer(from, "Aggressive Mode", who,
	    sizeof(who))) == NULL)
		return;
	if (ikesignd->conf.aggressive_off) {
		log_warnx("Aggressive Mode from %s refused without an answer: "
		    "crypto isakmp aggressive-mode disable", who);
		return;
	}
	if ((chosen = first_checks(m, from, who, &offer, pols, &xi)) == NULL)
		return;
	if (am_half_open() >= ho_limit()) {
		log_warnx("Aggressive Mode from %s dropped: %zu negotiations "
		    "wait for their message 3 (crypto call admission limit)",
		    who, am_half_open());
		return;
	}
	if ((sa = resp_sa(m, from, local, peer, &offer, xi, chosen)) == NULL) {
		log_warnx("Aggressive Mode from %s dropped: too many IKE SAs "
		    "or out of memory", who);
		return;
	}
	memcpy(sa->rxsum, rxsum, sizeof(sa->rxsum));
	if ((rc = ph1_take_ke_nonce(sa, m, &ke)) != 0) {
		ph1_error(sa, (uint16_t)rc, 0, "message 1: bad KE or nonce (a "
		    "KE of another group than the chosen policy's)");
		return;
	}
	if ((rc = ph1_take_peer_id(sa, msg_find(m, IKE_PLD_ID, 0))) != 0) {
		ph1_error(sa, (uint16_t)rc, 0, sa->why);
		return;
	}
	if (ph1_new_dh(sa) != 0 || ph1_derive(sa, ke->body, ke->len) != 0) {
		ph1_error(sa, IKE_N_INVALID_KEY_INFORMATION, 0, "bad KE value "
		    "in message 1 (out of range or not on the curve)");
		return;
	}
	if (keep_reply_sa(sa, &offer, xi) != 0) {
		ph1_error(sa, IKE_N_PAYLOAD_MALFORMED, 0, "cannot build "
		    "message 2");
		return;
	}
	resp_keyed(sa, ph1_keys(sa, resp_keys_in));
}

/* Message 3 checked (rc: 0, a notify type, or PH1_PENDING while the
 * token looks the peer's key up): the SA is up, or the error. */
static void
resp_checked(struct ike_sa *sa, int rc)
{
	if (ph1_stopped(sa, rc, 1))
		return;
	/* message 1 will not come again: no copy of message 2 to keep */
	ph1_drop_tx(sa);
	if (sa->peer_ic)
		sa_initial_contact(sa);
	sa_established(sa);
}

/* The peer's key came: its signature in message 3, checked. */
static void
resp_key_in(struct ike_sa *sa)
{
	resp_checked(sa, ph1_check_kept(sa, resp_key_in));
}

/* Message 3: the initiator's proof, encrypted or not. */
static void
resp_msg3(struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t buf[IKE_RECV_MAX];

	if ((m->flags & IKE_FLAG_ENC) != 0) {
		if (ph1_decrypt(sa, m, buf, sizeof(buf), AM_LAST_PLDS) != 0) {
			ph1_unreadable(sa, 3);
			return;
		}
	} else if (msg_parse_clear(m, AM_LAST_PLDS) != 0) {
		log_warnx("%s: malformed Aggressive Mode message 3 dropped",
		    sa->peer_name);
		return;
	}
	ph1_check_natd(sa, m);
	sa->peer_ic = ph1_has_initial_contact(m);
	resp_checked(sa, ph1_check_proof(sa, m, resp_key_in));
}

/* Initiator ------------------------------------------------------------ */

/* Message 1: SA, KE, Ni, IDii, VIDs; keeps SAi_b and starts the timer. */
static int
init_msg1(struct ike_sa *sa, const struct policy *pols, size_t npol)
{
	uint8_t idb[KS_PEER_ID_MAX + 8];
	size_t start, idlen;
	struct msgb mb;

	msgb_init(&mb, sa, IKE_XCHG_AGGRESSIVE, 0);
	msgb_pld_begin(&mb, IKE_PLD_SA);
	start = mb.w.len;
	sa_build_offer(&mb.w, pols, npol);
	msgb_pld_end(&mb);
	if (mb.w.err || (sa->sai = malloc(mb.w.len - start)) == NULL)
		return -1;
	memcpy(sa->sai, wb_at(&mb.w, start, mb.w.len - start),
	    mb.w.len - start);
	sa->sailen = mb.w.len - start;
	ph1_add_ke_nonce(sa, &mb);
	if (ph1_add_id(sa, &mb, idb, sizeof(idb), &idlen) != 0)
		return -1;
	ph1_add_vid(&mb, ph1_vid_dpd, sizeof(ph1_vid_dpd));
	ph1_add_vid(&mb, ph1_vid_natt, sizeof(ph1_vid_natt));
	if (msgb_finish(&mb, sa, NULL) != 0 || msg_send(sa, &mb, 2) != 0)
		return -1;
	return 0;
}

struct ike_sa *
am_initiate(const struct peer *peer, char *err, size_t errsz)
{
	struct policy pols[CONF_POLICY_MAX];
	struct sockaddr_in remote, local;
	struct ike_sa *sa;
	size_t npol;

	if (net_endpoints(peer->addr, peer->port, &local, &remote) != 0) {
		snprintf(err, errsz, "no route to %s", peer->name);
		return NULL;
	}
	if ((npol = offer_policies(pols, CONF_POLICY_MAX)) == 0) {
		snprintf(err, errsz, "no isakmp policy configured and the "
		    "default policy is off");
		return NULL;
	}
	if ((sa = sa_new(1, &local, &remote, NULL)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	sa->aggressive = 1;
	snprintf(sa->keyring, sizeof(sa->keyring), "%s", peer->keyring);
	ph1_set_identity(sa, peer);
	sa->group = dh_group_get(pols[0].group);
	if (sa->group == NULL || ph1_new_dh(sa) != 0 ||
	    init_msg1(sa, pols, npol) != 0) {
		snprintf(err, errsz, "cannot build message 1");
		sa->state = MM_DEAD;
		return NULL;
	}
	sa->state = AG_INIT_EXCH;
	log_info("%s: Aggressive Mode initiator, offering %zu polic%s of "
	    "group %d", peer->name, npol, npol == 1 ? "y" : "ies",
	    sa->group->id);
	return sa;
}

/* The responder's choice: one transform we offered, of our group. */
static int
take_choice(struct ike_sa *sa, const struct ike_msg *m)
{
	struct policy pols[CONF_POLICY_MAX];
	const struct policy *chosen;
	const struct pld *psa;
	struct sa_offer reply;
	size_t npol = offer_policies(pols, CONF_POLICY_MAX), xi;
	char buf[128];

	if ((psa = msg_find(m, IKE_PLD_SA, 0)) == NULL ||
	    msg_find(m, IKE_PLD_SA, 1) != NULL ||
	    sa_parse(psa->body, psa->len, &reply) != 0 || reply.nx != 1 ||
	    sa_choose(&reply, pols, npol, &xi, &chosen) != 0 ||
	    chosen->group != sa->group->id)
		return -1;
	memcpy(sa->rcky, m->rcookie, IKE_COOKIE_LEN);
	sa->chosen = *chosen;
	sa->chosen.lifetime = reply.x[0].p.lifetime < chosen->lifetime ?
	    reply.x[0].p.lifetime : chosen->lifetime;
	policy_string(&sa->chosen, buf, sizeof(buf));
	log_info("%s: peer chose %s", sa->peer_name, buf);
	return 0;
}

static void init_send3(struct ike_sa *);

/* Message 3: [NAT-D], our proof over IDii, [INITIAL-CONTACT], encrypted;
 * 0, PH1_PENDING (init_send3 again when the signature comes) or the
 * notify to send. */
static int
init_msg3(struct ike_sa *sa)
{
	uint8_t idb[KS_PEER_ID_MAX + 8];
	struct msgb mb;
	struct wbuf w;
	int rc;

	wb_init(&w, idb, sizeof(idb));
	ph1_build_id(sa, &w);
	if (w.err)
		return IKE_N_PAYLOAD_MALFORMED;
	msgb_init(&mb, sa, IKE_XCHG_AGGRESSIVE, 0);
	if (ph1_add_natd(sa, &mb) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	if ((rc = ph1_add_proof(sa, init_send3, &mb, idb, w.len)) != 0)
		return rc;
	ph1_add_initial_contact(sa, &mb);
	if (msgb_finish(&mb, sa, sa->k.iv) != 0 || msg_send(sa, &mb, 0) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	return 0;
}

/* Message 2 checked (as resp_checked): message 3, or the error. */
static void
init_checked(struct ike_sa *sa, int rc)
{
	if (ph1_stopped(sa, rc, 1))
		return;
	init_send3(sa);
}

/* The peer's key came: its signature in message 2, checked. */
static void
init_key_in(struct ike_sa *sa)
{
	init_checked(sa, ph1_check_kept(sa, init_key_in));
}

/* Message 2's keys made (rc as ph1_keys): then its proof, kept, is
 * checked. */
static void
init_keyed(struct ike_sa *sa, int rc)
{
	if (ph1_stopped(sa, rc, 0))
		return;
	init_checked(sa, ph1_check_kept(sa, init_key_in));
}

/* The pre-shared key's prf came: the keys, then the proof. */
static void
init_keys_in(struct ike_sa *sa)
{
	init_keyed(sa, ph1_keys(sa, init_keys_in));
}

/* Message 2: the responder's choice, keys, identity and proof. */
static void
init_msg2(struct ike_sa *sa, struct ike_msg *m)
{
	static const uint8_t need[] = { IKE_PLD_KE, IKE_PLD_NONCE,
	    IKE_PLD_ID };
	const struct pld *ke;
	int rc;

	if (msg_parse_clear(m, AM_SECOND_PLDS) != 0) {
		log_warnx("%s: malformed Aggressive Mode message 2 dropped",
		    sa->peer_name);
		return;
	}
	if (ph1_refused(sa, m))
		return;
	if (one_each(m, need, sizeof(need)) == NULL) {
		ph1_error(sa, IKE_N_PAYLOAD_MALFORMED, 0, "message 2 without "
		    "one KE, nonce and ID");
		return;
	}
	if (take_choice(sa, m) != 0) {
		ph1_error(sa, IKE_N_NO_PROPOSAL_CHOSEN, 0, "the peer chose a "
		    "transform we did not offer");
		return;
	}
	ph1_read_vids(sa, m);
	if ((rc = ph1_take_ke_nonce(sa, m, &ke)) != 0 ||
	    (rc = ph1_take_peer_id(sa, msg_find(m, IKE_PLD_ID, 0))) != 0) {
		ph1_error(sa, (uint16_t)rc, 0, sa->why[0] != '\0' ? sa->why :
		    "bad KE or nonce in message 2");
		return;
	}
	/* the proof is kept now, for it is checked once the keys are made
	 * (a malformed one is refused in the clear, as a bad KE is) */
	if ((rc = ph1_keep_proof(sa, m)) != 0) {
		ph1_error(sa, (uint16_t)rc, 0, sa->why);
		return;
	}
	if (ph1_derive(sa, ke->body, ke->len) != 0) {
		ph1_error(sa, IKE_N_INVALID_KEY_INFORMATION, 0, "bad KE value "
		    "in message 2");
		return;
	}
	ph1_check_natd(sa, m);
	/* message 1 is answered: no more retransmissions of it */
	ph1_drop_tx(sa);
	init_keyed(sa, ph1_keys(sa, init_keys_in));
}

/* Message 3 sent and the SA up, or the negotiation failed; nothing while
 * the token signs. */
static void
init_send3(struct ike_sa *sa)
{
	int rc;

	if ((rc = init_msg3(sa)) == PH1_PENDING)
		return;
	if (rc != 0) {
		ph1_error(sa, (uint16_t)rc, 1, "cannot build message 3");
		return;
	}
	sa_established(sa);
}

/* Dispatch ------------------------------------------------------------- */

void
am_recv(struct ike_sa *sa, struct ike_msg *m)
{
	int enc = (m->flags & IKE_FLAG_ENC) != 0;

	if (m->mid != 0) {
		log_warnx("%s: Aggressive Mode message with message ID %u "
		    "dropped", sa->peer_name, m->mid);
		return;
	}
	if (sa->initiator && sa->state == AG_INIT_EXCH && !enc)
		init_msg2(sa, m);
	else if (!sa->initiator && sa->state == AG_AUTH)
		resp_msg3(sa, m);
	else
		log_debug("%s: unexpected Aggressive Mode message in %s",
		    sa->peer_name, sa_state_name(sa));
}

struct ike_sa *
v1_initiate(const struct peer *peer, char *err, size_t errsz)
{
	if (peer->version != 1) {
		snprintf(err, errsz, "%s is configured for ike-version 2",
		    peer->name);
		return NULL;
	}
	if (peer->prefix < 32) {
		snprintf(err, errsz, "peer %s is a range: ikesignd only "
		    "responds to it", peer->name);
		return NULL;
	}
	if (!ikesignd->key_ok) {
		snprintf(err, errsz, "the local key '%s' is locked or missing",
		    ikesignd->conf.key);
		return NULL;
	}
	return peer->aggressive ? am_initiate(peer, err, errsz) :
	    mm_initiate(peer, err, errsz);
}
