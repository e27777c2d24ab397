/*
 * ikev2_rekey.c -- rekeying an IKE SA with CREATE_CHILD_SA (RFC 7296
 * 1.3.2, 2.18), in both directions, and the simultaneous case (2.8.1).
 *
 * Order, so that an SA is never lost: the new IKE SA is made (keys from
 * the old SK_d, the new g^ir and both new nonces) and put in the table
 * before anything deletes the old one; only then does the rekey's
 * initiator send Delete for the old SA on the old SA.  The rekey's
 * responder keeps the old SA until that Delete arrives (or it expires).
 * When both ends rekeyed at once, both new SAs exist for a moment; the
 * one made with the lowest of the four nonces is redundant and its
 * creator deletes it, and the other creator deletes the old SA.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ikev2_int.h"

#define REKEY_RETRY_S	10	/* after TEMPORARY_FAILURE or a busy SA */

/* Our half of a rekey we started, until its response. */
struct v2_rekey {
	uint8_t		 spi[IKEV2_SPI_LEN];
	uint8_t		 nonce[V2_NONCE_LEN];
	EVP_PKEY	*dh;
	const struct dh_group *group;
	uint8_t		 pub[DH_PUB_MAX];
	int		 ke_retries;
};

void
v2_rekey_free(struct ike_sa *sa)
{
	struct v2_rekey *rk = sa->v2->rekey;

	if (rk == NULL)
		return;
	EVP_PKEY_free(rk->dh);
	OPENSSL_cleanse(rk, sizeof(*rk));
	free(rk);
	sa->v2->rekey = NULL;
}

/* The new SA: what the old one was, with new SPIs, suite and keys. */
static struct ike_sa *
rekey_into(struct ike_sa *old, int initiator, const struct ikev2_suite *s,
    const uint8_t *spii, const uint8_t *spir, const uint8_t *ni, size_t nilen,
    const uint8_t *nr, size_t nrlen, const uint8_t *gir, size_t girlen)
{
	struct ikev2_state *o = old->v2, *st;
	struct ike_sa *sa;
	time_t now = now_s();

	if ((sa = sa_new_v2(initiator, &old->local, &old->remote, spii)) ==
	    NULL)
		return NULL;
	if ((st = sa->v2 = calloc(1, sizeof(*st))) == NULL) {
		sa->state = MM_DEAD;
		return NULL;
	}
	if (ikev2_keys_rekey(&st->keys, s, o->suite.prf, o->keys.sk_d,
	    o->keys.prflen, gir, girlen, ni, nilen, nr, nrlen, spii,
	    spir) != 0) {
		sa->state = MM_DEAD;
		return NULL;
	}
	st->keyed = 1;
	st->suite = *s;
	memcpy(st->peer_hashes, o->peer_hashes, sizeof(st->peer_hashes));
	st->peer_hasheslen = o->peer_hasheslen;
	st->peer_frag = o->peer_frag;
	st->peer_childless = o->peer_childless;
	st->frag_mtu = o->frag_mtu;
	st->lifetime = o->lifetime;
	st->auth_local = o->auth_local;
	st->auth_remote = o->auth_remote;
	st->method_local = o->method_local;
	st->method_peer = o->method_peer;
	st->scheme_local = o->scheme_local;
	st->scheme_peer = o->scheme_peer;
	memcpy(st->profile, o->profile, sizeof(st->profile));
	memcpy(sa->rcky, spir, IKEV2_SPI_LEN);
	memcpy(sa->ng->ni, ni, nilen);
	sa->ng->nilen = nilen;
	memcpy(sa->ng->nr, nr, nrlen);
	sa->ng->nrlen = nrlen;
	memcpy(sa->keyring, old->keyring, sizeof(sa->keyring));
	memcpy(sa->key, old->key, sizeof(sa->key));
	memcpy(sa->peer_id, old->peer_id, sizeof(sa->peer_id));
	sa->dpd_interval = old->dpd_interval;
	sa->dpd_retry = old->dpd_retry;
	sa->dpd_periodic = old->dpd_periodic;
	sa->peer_dpd = 1;
	sa->state = QM_IDLE;
	sa->established = now;
	sa->expires = now + st->lifetime;
	sa->rekey_at = initiator ? now + st->lifetime - st->lifetime / 10 : 0;
	sa->dpd_next = now + sa->dpd_interval;
	log_info("%s: IKEv2 SA conn-id %u rekeyed into conn-id %u (%s)",
	    old->peer_name, old->conn_id, sa->conn_id,
	    initiator ? "we rekeyed" : "the peer rekeyed");
	return sa;
}

static void
add_sa_ke_nonce(struct v2msg *mb, const struct v2_proposal *const *ours,
    size_t nours, const struct ikev2_suite *chosen, uint8_t propnum,
    const uint8_t *spi, const struct dh_group *g, const uint8_t *pub,
    const uint8_t *nonce)
{
	v2msg_begin(mb, IKEV2_PLD_SA);
	if (chosen != NULL)
		v2_sa_reply(&mb->w, propnum, chosen, spi, IKEV2_SPI_LEN);
	else
		v2_sa_offer(&mb->w, ours, nours, spi, IKEV2_SPI_LEN);
	v2msg_end(mb);
	v2msg_begin(mb, IKEV2_PLD_NONCE);
	wb_bytes(&mb->w, nonce, V2_NONCE_LEN);
	v2msg_end(mb);
	v2msg_begin(mb, IKEV2_PLD_KE);
	wb_u16(&mb->w, (uint16_t)g->id);
	wb_u16(&mb->w, 0);
	wb_bytes(&mb->w, pub, g->publen);
	v2msg_end(mb);
}

/* Rekeying we start: CREATE_CHILD_SA { SA, Ni, KEi } (1.3.2). */
void
v2_rekey_start(struct ike_sa *sa)
{
	const struct v2_proposal *ours[CONF_V2_MAX];
	struct ikev2_state *st = sa->v2;
	struct v2_rekey *rk = st->rekey;
	struct v2msg *mb;
	size_t n;

	if (st->superseded) {		/* its successor is rekeyed instead */
		sa->rekey_at = 0;
		log_info("%s: IKEv2 SA conn-id %u is not rekeyed: the peer's "
		    "rekey has replaced it", sa->peer_name, sa->conn_id);
		return;
	}
	if (sa->state != QM_IDLE || st->req_open) {
		sa->rekey_at = now_s() + REKEY_RETRY_S;
		return;
	}
	n = conf_v2_proposals(&ikesignd->conf, sa->local.sin_addr, ours,
	    CONF_V2_MAX);
	if (n == 0) {
		log_info("%s: IKEv2 SA conn-id %u is not rekeyed: no IKEv2 "
		    "policy is configured any more", sa->peer_name,
		    sa->conn_id);
		return;
	}
	if (rk == NULL) {
		if ((rk = st->rekey = calloc(1, sizeof(*rk))) == NULL) {
			log_warnx("%s: cannot rekey: out of memory",
			    sa->peer_name);
			return;
		}
		rk->group = st->suite.group;
	}
	EVP_PKEY_free(rk->dh);
	rk->dh = NULL;
	crypto_random(rk->spi, sizeof(rk->spi));
	crypto_random(rk->nonce, sizeof(rk->nonce));
	if (dh_create(rk->group, &rk->dh, rk->pub) != 0 ||
	    (mb = malloc(sizeof(*mb))) == NULL) {
		log_warnx("%s: cannot build the rekey request",
		    sa->peer_name);
		v2_rekey_free(sa);
		return;
	}
	v2msg_init(mb, sa, IKEV2_XCHG_CREATE_CHILD_SA, 0, st->mid_out);
	v2msg_sk(mb, sa);
	add_sa_ke_nonce(mb, ours, n, NULL, 0, rk->spi, rk->group, rk->pub,
	    rk->nonce);
	if (v2_request(sa, mb) != 0) {
		log_warnx("%s: cannot build the rekey request", sa->peer_name);
		v2_rekey_free(sa);
	} else
		log_info("%s: rekeying IKEv2 SA conn-id %u (CREATE_CHILD_SA)",
		    sa->peer_name, sa->conn_id);
	OPENSSL_cleanse(mb, sizeof(*mb));
	free(mb);
}

/* Lexical order of nonces; a shorter prefix is lower. */
static int
nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/*
 * Both ends rekeyed (2.8.1): mine came from my request, theirs from my
 * answer to theirs.  The SA whose exchange holds the lowest nonce is
 * redundant: if that is mine I delete it (and the peer deletes the old
 * SA), else the peer deletes theirs and I delete the old one.
 */
static void
collision(struct ike_sa *old, struct ike_sa *mine, struct ike_sa *theirs)
{
	const struct ike_nego *m = mine->ng, *t = theirs->ng;
	const uint8_t *low;
	size_t lowlen;
	int mine_low = 1;

	if (m == NULL || t == NULL) {
		/* past REKEY_NONCES_S: cannot happen within an exchange */
		log_warnx("%s: simultaneous rekey of conn-id %u found too late "
		    "to compare nonces", old->peer_name, old->conn_id);
		return;
	}
	low = m->ni;
	lowlen = m->nilen;
	if (nonce_cmp(m->nr, m->nrlen, low, lowlen) < 0) {
		low = m->nr;
		lowlen = m->nrlen;
	}
	if (nonce_cmp(t->ni, t->nilen, low, lowlen) < 0) {
		low = t->ni;
		lowlen = t->nilen;
		mine_low = 0;
	}
	if (nonce_cmp(t->nr, t->nrlen, low, lowlen) < 0)
		mine_low = 0;
	log_info("%s: simultaneous rekey of conn-id %u: keeping conn-id %u",
	    old->peer_name, old->conn_id,
	    mine_low ? theirs->conn_id : mine->conn_id);
	if (mine_low) {
		mine->ops->tell_delete(mine);
		sa_fail_quiet(mine, "redundant after a simultaneous rekey");
		return;
	}
	old->ops->tell_delete(old);
	sa_fail_quiet(old, "rekeyed");
}

static struct ike_sa *
by_conn_id(unsigned id)
{
	struct ike_sa *sa;

	TAILQ_FOREACH(sa, &ikesignd->sas, entry)
		if (sa->conn_id == id && sa->state == QM_IDLE)
			return sa;
	return NULL;
}

/* The response to our rekey request. */
void
v2_rekey_response(struct ike_sa *sa, struct ikev2_msg *m)
{
	const struct v2_proposal *ours[CONF_V2_MAX];
	struct ikev2_state *st = sa->v2;
	struct v2_rekey *rk = st->rekey;
	const struct ikev2_pld *psa, *pn;
	struct ikev2_suite suite;
	struct v2_offer *o;
	struct v2_notify n;
	struct ike_sa *mine, *theirs;
	const uint8_t *ke;
	uint8_t gir[DH_SECRET_MAX];
	size_t kelen, girlen = sizeof(gir), nours;
	uint16_t group, err;
	int bad;

	v2_request_done(sa);
	if (rk == NULL)
		return;
	if (v2_find_notify(m, IKEV2_N_INVALID_KE_PAYLOAD, &n) != NULL &&
	    n.len == 2 && rk->ke_retries++ == 0 &&
	    (rk->group = dh_group_get(n.data[0] << 8 | n.data[1])) != NULL) {
		v2_rekey_start(sa);
		return;
	}
	if ((err = v2_error_notify(m)) != 0) {
		log_warnx("%s: the peer refused to rekey IKEv2 SA conn-id %u: "
		    "%s", sa->peer_name, sa->conn_id, v2_notify_name(err));
		v2_rekey_free(sa);
		sa->rekey_at = err == IKEV2_N_TEMPORARY_FAILURE ?
		    now_s() + REKEY_RETRY_S : 0;
		return;
	}
	nours = conf_v2_proposals(&ikesignd->conf, sa->local.sin_addr, ours,
	    CONF_V2_MAX);
	psa = ikev2_find(m, IKEV2_PLD_SA, 0);
	pn = ikev2_find(m, IKEV2_PLD_NONCE, 0);
	if ((o = malloc(sizeof(*o))) == NULL)
		return;
	bad = psa == NULL || pn == NULL ||
	    v2_sa_parse(psa->body, psa->len, o) != 0 ||
	    v2_sa_chosen(o, ours, nours, &suite) != 0 ||
	    o->prop[0].spilen != IKEV2_SPI_LEN ||
	    v2_pld_ke(ikev2_find(m, IKEV2_PLD_KE, 0), &group, &ke,
	    &kelen) != 0 || suite.group != rk->group ||
	    group != rk->group->id || kelen != rk->group->publen ||
	    dh_derive(rk->group, rk->dh, ke, kelen, gir, &girlen) != 0 ||
	    (mine = rekey_into(sa, 1, &suite, rk->spi, o->prop[0].spi,
	    rk->nonce, sizeof(rk->nonce), pn->body, pn->len, gir,
	    girlen)) == NULL;
	free(o);
	OPENSSL_cleanse(gir, sizeof(gir));
	v2_rekey_free(sa);
	if (bad) {
		log_warnx("%s: malformed rekey response for IKEv2 SA conn-id "
		    "%u; keeping it", sa->peer_name, sa->conn_id);
		return;
	}
	theirs = st->rekeyed_by_peer != 0 ? by_conn_id(st->rekeyed_by_peer) :
	    NULL;
	if (theirs != NULL) {
		collision(sa, mine, theirs);
		return;
	}
	sa->ops->tell_delete(sa);
	sa_fail_quiet(sa, "rekeyed");
}

/* The peer rekeys: CREATE_CHILD_SA { SA (IKE), Ni, KEi }. */
void
v2_rekey_request(struct ike_sa *sa, struct ikev2_msg *m)
{
	const struct v2_proposal *ours[CONF_V2_MAX];
	struct ikev2_state *st = sa->v2;
	const struct ikev2_pld *psa, *pn;
	struct ikev2_suite suite;
	struct v2_offer *o = NULL;
	struct v2msg *mb = NULL;
	struct ike_sa *theirs;
	EVP_PKEY *dh = NULL;
	const uint8_t *ke;
	uint8_t spi[IKEV2_SPI_LEN], nonce[V2_NONCE_LEN], pub[DH_PUB_MAX];
	uint8_t gir[DH_SECRET_MAX], grp[2];
	size_t kelen, girlen = sizeof(gir), nours, pi;
	uint16_t group, notify = IKEV2_N_NO_PROPOSAL_CHOSEN;

	nours = conf_v2_proposals(&ikesignd->conf, sa->local.sin_addr, ours,
	    CONF_V2_MAX);
	psa = ikev2_find(m, IKEV2_PLD_SA, 0);
	pn = ikev2_find(m, IKEV2_PLD_NONCE, 0);
	if ((o = malloc(sizeof(*o))) == NULL ||
	    (mb = malloc(sizeof(*mb))) == NULL)
		goto done;
	v2msg_init(mb, sa, IKEV2_XCHG_CREATE_CHILD_SA, 1, st->mid_in - 1);
	v2msg_sk(mb, sa);
	if (psa == NULL || pn == NULL ||
	    v2_sa_parse(psa->body, psa->len, o) != 0 ||
	    v2_sa_choose(o, IKEV2_PROTO_IKE, ours, nours, &suite, &pi) != 0 ||
	    o->prop[pi].spilen != IKEV2_SPI_LEN ||
	    v2_pld_ke(ikev2_find(m, IKEV2_PLD_KE, 0), &group, &ke,
	    &kelen) != 0)
		goto refuse;
	if (group != suite.group->id) {
		notify = IKEV2_N_INVALID_KE_PAYLOAD;
		grp[0] = (uint8_t)(suite.group->id >> 8);
		grp[1] = (uint8_t)suite.group->id;
		v2msg_notify(mb, 0, notify, grp, 2);
		goto send;
	}
	crypto_random(spi, sizeof(spi));
	crypto_random(nonce, sizeof(nonce));
	if (kelen != suite.group->publen ||
	    dh_create(suite.group, &dh, pub) != 0 ||
	    dh_derive(suite.group, dh, ke, kelen, gir, &girlen) != 0)
		goto refuse;
	add_sa_ke_nonce(mb, NULL, 0, &suite, o->prop[pi].num, spi,
	    suite.group, pub, nonce);
	if (v2_respond(sa, mb) != 0) {
		log_warnx("%s: cannot answer the rekey", sa->peer_name);
		goto done;
	}
	/* the response is out: the new SA exists from now on */
	theirs = rekey_into(sa, 0, &suite, o->prop[pi].spi, spi, pn->body,
	    pn->len, nonce, sizeof(nonce), gir, girlen);
	if (theirs != NULL && st->rekey != NULL)
		st->rekeyed_by_peer = theirs->conn_id;	/* 2.8.1 */
	else if (theirs != NULL) {
		/* the peer deletes this one next; nothing more starts on it */
		st->superseded = 1;
		sa->rekey_at = 0;
	}
	goto done;
refuse:
	log_info("%s: rekey of IKEv2 SA conn-id %u refused (%s)",
	    sa->peer_name, sa->conn_id, v2_notify_name(notify));
	v2msg_notify(mb, 0, notify, NULL, 0);
send:
	if (v2_respond(sa, mb) != 0)
		log_warnx("%s: cannot answer the rekey", sa->peer_name);
done:
	EVP_PKEY_free(dh);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (mb != NULL)
		OPENSSL_cleanse(mb, sizeof(*mb));
	free(mb);
	free(o);
}
