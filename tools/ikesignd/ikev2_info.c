/*
 * ikev2_info.c -- an IKEv2 SA once it is up: INFORMATIONAL exchanges
 * (Delete, liveness checks by empty requests, 1.4 and 2.4), CREATE_CHILD_SA
 * requests for CHILD_SAs declined (1.3: NO_PROPOSAL_CHOSEN) and those that
 * rekey the IKE SA passed to ikev2_rekey.c, and the operations the shared
 * SA table asks of IKEv2 (ikev2_ops).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikev2_int.h"

void
v2_established(struct ike_sa *sa)
{
	struct ikev2_state *st = sa->v2;
	char buf[128], text[512];
	time_t now = now_s();

	sa->state = QM_IDLE;
	sa->established = now;
	sa->expires = now + st->lifetime;
	sa->rekey_at = sa->initiator ? now + st->lifetime -
	    st->lifetime / 10 : 0;
	sa->peer_dpd = 1;		/* liveness is part of IKEv2 */
	sa->dpd_next = now + sa->dpd_interval;
	free(st->init_i);
	free(st->init_r);
	st->init_i = st->init_r = NULL;
	sa_nego_done(sa);
	v2_suite_string(&st->suite, buf, sizeof(buf));
	log_info("%s: authentication of '%s' with %s successful (key from "
	    "keyring '%s')", sa->peer_name, sa->peer_id,
	    v2_auth_name(st->method_peer, st->scheme_peer), sa->keyring);
	log_info("%s: IKEv2 SA conn-id %u established as %s: %s, local key "
	    "'%s' (%s)", sa->peer_name, sa->conn_id,
	    sa->initiator ? "initiator" : "responder", buf, sa->key,
	    v2_auth_name(st->method_local, st->scheme_local));
	if (sa->waiter >= 0) {
		snprintf(text, sizeof(text), "IKEv2 SA with %s established "
		    "(conn-id %u, peer id '%s', %s)\n", sa->peer_name,
		    sa->conn_id, sa->peer_id, buf);
		control_reply(sa->waiter, 0, text);
		sa->waiter = -1;
	}
}

/* An INFORMATIONAL request with what add() puts in; -1 if not sent. */
static int
info_send(struct ike_sa *sa, int delete)
{
	struct v2msg *mb;
	int rc;

	if (sa->v2 == NULL || !sa->v2->keyed || sa->v2->req_open)
		return -1;
	if ((mb = malloc(sizeof(*mb))) == NULL)
		return -1;
	v2msg_init(mb, sa, IKEV2_XCHG_INFORMATIONAL, 0, sa->v2->mid_out);
	v2msg_sk(mb, sa);
	if (delete) {
		v2msg_begin(mb, IKEV2_PLD_D);
		wb_u8(&mb->w, IKEV2_PROTO_IKE);
		wb_u8(&mb->w, 0);	/* SPI size */
		wb_u16(&mb->w, 0);	/* number of SPIs */
		v2msg_end(mb);
	}
	rc = v2_request(sa, mb);
	OPENSSL_cleanse(mb, sizeof(*mb));
	free(mb);
	if (rc == 0)
		sa->v2->req_delete = delete;
	return rc;
}

/* The table is about to drop the SA: tell the peer, once. */
static void
v2_tell_delete(struct ike_sa *sa)
{
	if (sa->v2 != NULL && sa->v2->req_open)
		v2_request_done(sa);	/* ours wins: the SA goes anyway */
	if (info_send(sa, 1) == 0)
		log_debug("%s: Delete sent for IKEv2 SA conn-id %u",
		    sa->peer_name, sa->conn_id);
}

/* An empty INFORMATIONAL request (2.4); retransmission gives up on a
 * dead peer (v2_retransmit). */
static void
v2_liveness(struct ike_sa *sa)
{
	if (info_send(sa, 0) == 0) {
		sa->dpd_out = 1;
		if (sa->dpd_retry != 0)
			sa->tx_next = now_ms() + (uint64_t)sa->dpd_retry * 1000;
		log_debug("%s: liveness check sent", sa->peer_name);
	}
}

static void
respond_empty(struct ike_sa *sa, uint8_t xchg, uint16_t notify)
{
	struct v2msg *mb;

	if ((mb = malloc(sizeof(*mb))) == NULL)
		return;
	v2msg_init(mb, sa, xchg, 1, sa->v2->mid_in - 1);
	v2msg_sk(mb, sa);
	if (notify != 0)
		v2msg_notify(mb, 0, notify, NULL, 0);
	if (v2_respond(sa, mb) != 0)
		log_warnx("%s: cannot answer an INFORMATIONAL request",
		    sa->peer_name);
	free(mb);
}

void
v2_info_request(struct ike_sa *sa, struct ikev2_msg *m)
{
	const struct ikev2_pld *d;
	size_t i;
	int ike = 0;

	for (i = 0; (d = ikev2_find(m, IKEV2_PLD_D, i)) != NULL; i++)
		if (d->body[0] == IKEV2_PROTO_IKE)
			ike = 1;
	respond_empty(sa, IKEV2_XCHG_INFORMATIONAL, 0);
	if (ike) {
		log_info("%s: IKEv2 SA conn-id %u deleted by the peer",
		    sa->peer_name, sa->conn_id);
		sa_fail_quiet(sa, "deleted by the peer");
	} else if (m->npld == 0)
		log_debug("%s: liveness check answered", sa->peer_name);
}

void
v2_info_response(struct ike_sa *sa, struct ikev2_msg *m)
{
	int delete = sa->v2->req_delete;

	(void)m;
	v2_request_done(sa);
	sa->dpd_out = 0;
	sa->dpd_tries = 0;
	if (delete)
		sa_fail_quiet(sa, "deleted");
}

/* A rekey of the IKE SA goes to ikev2_rekey.c; CHILD_SAs are declined. */
void
v2_child_request(struct ike_sa *sa, struct ikev2_msg *m)
{
	const struct ikev2_pld *psa = ikev2_find(m, IKEV2_PLD_SA, 0);

	/* the first proposal's Protocol ID (3.3.1) says what is asked */
	if (psa != NULL && psa->len >= 8 && psa->body[5] == IKEV2_PROTO_IKE &&
	    !sa->v2->req_delete) {
		v2_rekey_request(sa, m);
		return;
	}
	log_info("%s: CREATE_CHILD_SA declined (NO_PROPOSAL_CHOSEN)",
	    sa->peer_name);
	respond_empty(sa, IKEV2_XCHG_CREATE_CHILD_SA,
	    IKEV2_N_NO_PROPOSAL_CHOSEN);
}

void
v2_child_response(struct ike_sa *sa, struct ikev2_msg *m)
{
	if (sa->v2->rekey != NULL)
		v2_rekey_response(sa, m);
	else
		v2_request_done(sa);
}

void
v2_state_free(struct ike_sa *sa)
{
	struct ikev2_state *st = sa->v2;

	if (st == NULL)
		return;
	v2_pkts_free(&st->req);
	v2_pkts_free(&st->resp);
	v2_reasm_free(sa);
	v2_rekey_free(sa);
	free(st->init_i);
	free(st->init_r);
	ikev2_keys_wipe(&st->keys);
	OPENSSL_cleanse(st, sizeof(*st));
	free(st);
	sa->v2 = NULL;
}

static const char *
v2_state_name(const struct ike_sa *sa)
{
	switch (sa->state) {
	case QM_IDLE:
		return "READY";
	case MM_DEAD:
		return "DELETE";
	default:
		return "IN-NEG";
	}
}

static void
v2_view(const struct ike_sa *sa, struct sa_view *v)
{
	const struct ikev2_state *st = sa->v2;

	memset(v, 0, sizeof(*v));
	if (st == NULL || st->suite.encr == NULL)
		return;
	snprintf(v->encryption, sizeof(v->encryption), "%s",
	    st->suite.encr->ios);
	snprintf(v->integrity, sizeof(v->integrity), "%s",
	    st->suite.integ != NULL ? st->suite.integ->ios : "");
	snprintf(v->prf, sizeof(v->prf), "%s", st->suite.prf->ios);
	v->group = st->suite.group != NULL ? st->suite.group->id : 0;
	snprintf(v->auth, sizeof(v->auth), "%s",
	    v2_auth_name(st->method_peer, st->scheme_peer));
	v->lifetime = st->lifetime;
}

static void
v2_quiet(struct ike_sa *sa)
{
	struct ikev2_state *st = sa->v2;

	if (st->resp_valid) {
		v2_pkts_free(&st->resp);
		st->resp_valid = 0;
	}
}

const struct ike_ops ikev2_ops = {
	.view = v2_view,
	.tell_delete = v2_tell_delete,
	.liveness = v2_liveness,
	.rekey = v2_rekey_start,
	.retransmit = v2_retransmit,
	.release = v2_state_free,
	.quiet = v2_quiet,
	.state_name = v2_state_name,
};
