/*
 * ikev2_init.c -- the IKE_SA_INIT exchange (RFC 7296 1.2) in both roles:
 * proposals, Diffie-Hellman and nonces, the keys that follow from them,
 * INVALID_KE_PAYLOAD (1.3) and COOKIE (2.6) both ways, and the notifies
 * that announce what each side supports (NAT detection 2.23,
 * fragmentation RFC 7383, signature hashes RFC 7427, childless RFC 6023).
 *
 * A responder keeps no state for a request it refuses, asks for a cookie,
 * or cannot admit (max-in-negotiation-sa): those are answered, or
 * dropped, from the request alone.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ikev2_int.h"

#define KE_RETRIES	2	/* INVALID_KE answers we follow */
#define COOKIE_RETRIES	2
#define COOKIE_LEN	(1 + 32)	/* version octet, SHA-256 */

/* The hashes we can verify and sign with under RFC 7427. */
static const uint8_t our_hashes[] = { 0, IKEV2_HASH_SHA2_256, 0,
    IKEV2_HASH_SHA2_384, 0, IKEV2_HASH_SHA2_512, 0, IKEV2_HASH_IDENTITY };

/* The COOKIE secrets (2.6): a new one every COOKIE_ROTATE_S seconds; a
 * cookie made with the one before is still good. */
#define COOKIE_ROTATE_S	300
static uint8_t cookie_secret[2][32];
static uint8_t cookie_gen;		/* the version octet of the newest */
static time_t cookie_made;

size_t
v2_half_open(void)
{
	const struct ike_sa *sa;
	size_t n = 0;

	TAILQ_FOREACH(sa, &ikesignd->sas, entry)
		if (sa->version == 2 && !sa->initiator &&
		    sa->state == V2_SA_INIT)
			n++;
	return n;
}

static size_t
half_open_max(void)
{
	unsigned n = ikesignd->conf.v2.max_in_negotiation;

	return n != 0 ? n : HO_DEFAULT;
}

/* NAT_DETECTION_*_IP data: SHA-1(SPIi | SPIr | IP | port) (2.23). */
static int
natd_hash(const uint8_t *spii, const uint8_t *spir,
    const struct sockaddr_in *a, uint8_t *out)
{
	struct iov v[4];

	v[0].p = spii;
	v[1].p = spir;
	v[0].len = v[1].len = IKEV2_SPI_LEN;
	v[2].p = &a->sin_addr.s_addr;
	v[2].len = 4;
	v[3].p = &a->sin_port;
	v[3].len = 2;
	return crypto_hash(alg_hash(IKE_HASH_SHA), v, 4, out);
}

static void
add_natd(struct v2msg *mb, const struct ike_sa *sa)
{
	uint8_t h[IKE_HASH_MAX];

	if (natd_hash(sa->icky, sa->rcky, &sa->local, h) == 0)
		v2msg_notify(mb, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP, h, 20);
	if (natd_hash(sa->icky, sa->rcky, &sa->remote, h) == 0)
		v2msg_notify(mb, 0, IKEV2_N_NAT_DETECTION_DESTINATION_IP, h,
		    20);
}

/* What the peer says it supports; NAT detection for the log. */
static void
read_notifies(struct ike_sa *sa, const struct ikev2_msg *m)
{
	struct ikev2_state *st = sa->v2;
	struct v2_notify n;
	uint8_t h[IKE_HASH_MAX];

	if (v2_find_notify(m, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, &n) != NULL) {
		st->peer_hasheslen = n.len < sizeof(st->peer_hashes) ?
		    n.len : sizeof(st->peer_hashes);
		memcpy(st->peer_hashes, n.data, st->peer_hasheslen);
	}
	st->peer_frag = v2_find_notify(m,
	    IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, &n) != NULL &&
	    ikesignd->conf.v2.fragmentation;
	st->peer_childless = v2_find_notify(m,
	    IKEV2_N_CHILDLESS_IKEV2_SUPPORTED, &n) != NULL;
	if (v2_find_notify(m, IKEV2_N_NAT_DETECTION_DESTINATION_IP, &n) !=
	    NULL && n.len == 20 && natd_hash(m->ispi, m->rspi, &sa->local,
	    h) == 0 && memcmp(h, n.data, 20) != 0)
		st->nat_here = 1;
	if (v2_find_notify(m, IKEV2_N_NAT_DETECTION_SOURCE_IP, &n) != NULL &&
	    n.len == 20 && natd_hash(m->ispi, m->rspi, &sa->remote, h) == 0 &&
	    memcmp(h, n.data, 20) != 0)
		st->nat_there = 1;
	if (st->nat_here || st->nat_there)
		log_warnx("%s: a NAT is in the path (%s); ikesignd does not "
		    "move to port 4500, so the SA may not survive it",
		    sa->peer_name, st->nat_here ? "on our side" : "peer side");
}

/* Our supports: fragmentation, signature hashes, childless. */
static void
add_supports(struct v2msg *mb)
{
	if (ikesignd->conf.v2.fragmentation)
		v2msg_notify(mb, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED,
		    NULL, 0);
	v2msg_notify(mb, 0, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, our_hashes,
	    sizeof(our_hashes));
	v2msg_notify(mb, 0, IKEV2_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
}

static void
add_ke_nonce(struct v2msg *mb, const struct ike_sa *sa, const uint8_t *nonce,
    size_t noncelen)
{
	const struct dh_group *g = sa->v2->suite.group;

	v2msg_begin(mb, IKEV2_PLD_KE);
	wb_u16(&mb->w, (uint16_t)g->id);
	wb_u16(&mb->w, 0);
	wb_bytes(&mb->w, sa->initiator ? sa->ng->gxi : sa->ng->gxr, g->publen);
	v2msg_end(mb);
	v2msg_begin(mb, IKEV2_PLD_NONCE);
	wb_bytes(&mb->w, nonce, noncelen);
	v2msg_end(mb);
}

static uint8_t *
copy_of(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len);

	if (c != NULL)
		memcpy(c, p, len);
	return c;
}

/* g^ir from the peer's KE data, then SKEYSEED and the SK_* keys. */
static int
make_keys(struct ike_sa *sa, const uint8_t *ke, size_t kelen)
{
	struct ikev2_state *st = sa->v2;

	sa->ng->gxylen = sizeof(sa->ng->gxy);
	if (dh_derive(st->suite.group, sa->ng->dh, ke, kelen, sa->ng->gxy,
	    &sa->ng->gxylen) != 0)
		return -1;
	if (sa->initiator)
		memcpy(sa->ng->gxr, ke, kelen);
	else
		memcpy(sa->ng->gxi, ke, kelen);
	if (ikev2_keys_derive(&st->keys, &st->suite, sa->ng->ni, sa->ng->nilen,
	    sa->ng->nr, sa->ng->nrlen, sa->ng->gxy, sa->ng->gxylen, sa->icky, sa->rcky) != 0)
		return -1;
	OPENSSL_cleanse(sa->ng->gxy, sizeof(sa->ng->gxy));
	EVP_PKEY_free(sa->ng->dh);
	sa->ng->dh = NULL;
	st->keyed = 1;
	return 0;
}

static struct ikev2_state *
state_new(struct ike_sa *sa)
{
	if ((sa->v2 = calloc(1, sizeof(*sa->v2))) == NULL)
		return NULL;
	sa->v2->frag_mtu = ikesignd->conf.v2.fragmentation ?
	    ikesignd->conf.v2.frag_mtu : 0;
	sa->v2->lifetime = 86400;
	return sa->v2;
}

/* Responder ------------------------------------------------------------- */

static void
cookie_rotate(void)
{
	time_t now = now_s();

	if (cookie_made != 0 && now - cookie_made < COOKIE_ROTATE_S)
		return;
	if (cookie_made == 0)	/* no secret before the first: a random one */
		crypto_random(cookie_secret[1], sizeof(cookie_secret[1]));
	else
		memcpy(cookie_secret[1], cookie_secret[0],
		    sizeof(cookie_secret[0]));
	crypto_random(cookie_secret[0], sizeof(cookie_secret[0]));
	cookie_gen++;
	cookie_made = now;
}

/* Cookie = version | SHA-256(Ni | IPi | SPIi | secret) (2.6); gen 0 is
 * the newest secret, 1 the one before. */
static int
cookie_make(int gen, const uint8_t *ni, size_t nilen,
    const struct sockaddr_in *from, const uint8_t *spii, uint8_t *out)
{
	struct iov v[4];

	v[0].p = ni;
	v[0].len = nilen;
	v[1].p = &from->sin_addr.s_addr;
	v[1].len = 4;
	v[2].p = spii;
	v[2].len = IKEV2_SPI_LEN;
	v[3].p = cookie_secret[gen];
	v[3].len = sizeof(cookie_secret[gen]);
	out[0] = (uint8_t)(cookie_gen - gen);
	return crypto_hash(alg_hash(IKE_HASH_SHA256), v, 4, out + 1);
}

/* 0 when the request may go on; else it was answered with a COOKIE. */
static int
cookie_check(const struct ikev2_msg *m, const struct ikev2_pld *nonce,
    const struct sockaddr_in *from, const char *who)
{
	unsigned threshold = ikesignd->conf.v2.cookie_challenge;
	uint8_t want[COOKIE_LEN];
	struct v2_notify n;

	if (threshold == 0 || v2_half_open() < threshold)
		return 0;
	cookie_rotate();
	if (m->npld > 0 && v2_pld_notify(&m->pld[0], &n) == 0 &&
	    n.type == IKEV2_N_COOKIE && n.len == COOKIE_LEN &&
	    (n.data[0] == cookie_gen || n.data[0] == (uint8_t)(cookie_gen -
	    1)) && cookie_make(n.data[0] == cookie_gen ? 0 : 1, nonce->body,
	    nonce->len, from, m->ispi, want) == 0 &&
	    CRYPTO_memcmp(n.data, want, COOKIE_LEN) == 0)
		return 0;
	if (cookie_make(0, nonce->body, nonce->len, from, m->ispi, want) != 0)
		return -1;
	log_debug("%s: %zu IKE_SA_INITs half open: asking for a cookie", who,
	    v2_half_open());
	v2_notify_clear(m, from, IKEV2_N_COOKIE, want, COOKIE_LEN);
	return 1;
}

static void
log_offer(const char *who, const struct v2_offer *o)
{
	size_t i, j;

	for (i = 0; i < o->nprop; i++)
		for (j = 0; j < o->prop[i].nx; j++)
			log_debug("%s: offered proposal %u transform type %u "
			    "id %u key length %u", who, o->prop[i].num,
			    o->prop[i].x[j].type, o->prop[i].x[j].id,
			    o->prop[i].x[j].keybits);
}

/* The request's SA, KE and Nonce against our proposals; 0, or the
 * notify to answer with (INVALID_KE: *want is the group). */
static int
choose(const struct ikev2_msg *m, const struct sockaddr_in *local,
    const char *who, struct ikev2_suite *s, uint8_t *propnum,
    uint16_t *want)
{
	const struct v2_proposal *ours[CONF_V2_MAX];
	struct v2_offer *o;
	uint16_t group;
	const uint8_t *ke;
	size_t n, pi, kelen;
	int rc = 0;

	if ((o = malloc(sizeof(*o))) == NULL)
		return IKEV2_N_NO_PROPOSAL_CHOSEN;
	n = conf_v2_proposals(&ikesignd->conf, local->sin_addr, ours,
	    CONF_V2_MAX);
	if (v2_sa_parse(ikev2_find(m, IKEV2_PLD_SA, 0)->body,
	    ikev2_find(m, IKEV2_PLD_SA, 0)->len, o) != 0) {
		log_info("%s: IKE_SA_INIT with a malformed SA payload", who);
		rc = IKEV2_N_INVALID_SYNTAX;
	} else if (v2_sa_choose(o, IKEV2_PROTO_IKE, ours, n, s, &pi) != 0) {
		log_offer(who, o);
		log_warnx("IKE_SA_INIT from %s: proposal mismatch: none of "
		    "the %zu proposals matches ours (-v lists them)", who,
		    o->nprop);
		rc = IKEV2_N_NO_PROPOSAL_CHOSEN;
	} else if (v2_pld_ke(ikev2_find(m, IKEV2_PLD_KE, 0), &group, &ke,
	    &kelen) != 0 || group != s->group->id) {
		log_info("%s: KE for group %u, but group %d was chosen: "
		    "INVALID_KE_PAYLOAD", who, group, s->group->id);
		*want = (uint16_t)s->group->id;
		rc = IKEV2_N_INVALID_KE_PAYLOAD;
	} else if (kelen != s->group->publen) {
		log_info("%s: KE data of %zu octets for group %u", who, kelen,
		    group);
		rc = IKEV2_N_INVALID_SYNTAX;
	} else
		*propnum = o->prop[pi].num;
	free(o);
	return rc;
}

static int
respond_build(struct ike_sa *sa, uint8_t propnum, struct v2_pkts *out)
{
	struct v2msg *mb;
	int rc;

	if ((mb = malloc(sizeof(*mb))) == NULL)
		return -1;
	v2msg_init(mb, sa, IKEV2_XCHG_IKE_SA_INIT, 1, 0);
	v2msg_begin(mb, IKEV2_PLD_SA);
	v2_sa_reply(&mb->w, propnum, &sa->v2->suite, NULL, 0);
	v2msg_end(mb);
	add_ke_nonce(mb, sa, sa->ng->nr, sa->ng->nrlen);
	add_natd(mb, sa);
	add_supports(mb);
	rc = v2msg_finish(mb, sa, out);
	free(mb);
	return rc;
}

void
v2_init_respond(struct ikev2_msg *m, const uint8_t *pkt,
    const struct sockaddr_in *from, const struct sockaddr_in *local)
{
	const struct ikev2_pld *nonce;
	struct ikev2_suite suite;
	struct ike_sa *sa;
	struct ikev2_state *st;
	const uint8_t *ke;
	char who[INET_ADDRSTRLEN], buf[128];
	uint16_t want = 0, group;
	uint8_t propnum = 0, grp[2];
	size_t kelen;
	int rc;

	inet_ntop(AF_INET, &from->sin_addr, who, sizeof(who));
	rc = ikev2_parse_clear(m, IKEV2_BIT(IKEV2_PLD_SA) |
	    IKEV2_BIT(IKEV2_PLD_KE) | IKEV2_BIT(IKEV2_PLD_NONCE) |
	    IKEV2_BIT(IKEV2_PLD_N) | IKEV2_BIT(IKEV2_PLD_V));
	if (rc == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD) {
		v2_notify_clear(m, from, (uint16_t)rc, &m->bad_type, 1);
		return;
	}
	if (rc != 0 || ikev2_find(m, IKEV2_PLD_SA, 1) != NULL ||
	    ikev2_find(m, IKEV2_PLD_KE, 1) != NULL ||
	    (nonce = ikev2_find(m, IKEV2_PLD_NONCE, 0)) == NULL ||
	    ikev2_find(m, IKEV2_PLD_SA, 0) == NULL ||
	    ikev2_find(m, IKEV2_PLD_KE, 0) == NULL) {
		log_debug("%s: malformed IKE_SA_INIT dropped", who);
		return;
	}
	if (v2_half_open() >= half_open_max()) {
		log_debug("%s: IKE_SA_INIT dropped: %zu negotiations half "
		    "open (max-in-negotiation-sa)", who, v2_half_open());
		return;
	}
	if (cookie_check(m, nonce, from, who) != 0)
		return;
	if (!ikesignd->key_ok) {
		log_warnx("IKE_SA_INIT from %s refused: the local key '%s' is "
		    "locked or missing", who, ikesignd->conf.key);
		v2_notify_clear(m, from, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if ((rc = choose(m, local, who, &suite, &propnum, &want)) != 0) {
		grp[0] = (uint8_t)(want >> 8);
		grp[1] = (uint8_t)want;
		if (rc != IKEV2_N_INVALID_SYNTAX)
			v2_notify_clear(m, from, (uint16_t)rc, grp,
			    rc == IKEV2_N_INVALID_KE_PAYLOAD ? 2 : 0);
		return;
	}
	if ((sa = sa_new_v2(0, local, from, m->ispi)) == NULL ||
	    (st = state_new(sa)) == NULL) {
		if (sa != NULL)
			sa->state = MM_DEAD;
		log_debug("%s: IKE_SA_INIT dropped: no room in the SA table",
		    who);
		return;
	}
	st->suite = suite;
	crypto_random(sa->rcky, IKEV2_SPI_LEN);
	memcpy(sa->ng->ni, nonce->body, nonce->len);
	sa->ng->nilen = nonce->len;
	sa->ng->nrlen = V2_NONCE_LEN;
	crypto_random(sa->ng->nr, sa->ng->nrlen);
	read_notifies(sa, m);
	(void)v2_pld_ke(ikev2_find(m, IKEV2_PLD_KE, 0), &group, &ke, &kelen);
	if (dh_create(suite.group, &sa->ng->dh, sa->ng->gxr) != 0 ||
	    make_keys(sa, ke, kelen) != 0 ||
	    (st->init_i = copy_of(pkt, m->len)) == NULL ||
	    respond_build(sa, propnum, &st->resp) != 0 ||
	    (st->init_r = copy_of(st->resp.buf, st->resp.len[0])) == NULL) {
		sa_fail(sa, "cannot answer IKE_SA_INIT");
		return;
	}
	st->init_ilen = m->len;
	st->init_rlen = st->resp.len[0];
	st->resp_valid = 1;
	st->mid_in = 1;
	v2_pkts_send(sa, &st->resp);
	v2_suite_string(&suite, buf, sizeof(buf));
	log_info("%s: IKEv2 responder, proposal chosen: %s", who, buf);
}

/* Initiator ------------------------------------------------------------- */

/* Our IKE_SA_INIT request, again after COOKIE or INVALID_KE. */
static int
init_send(struct ike_sa *sa)
{
	const struct v2_proposal *ours[CONF_V2_MAX];
	struct ikev2_state *st = sa->v2;
	struct v2msg *mb;
	size_t n;
	int rc = -1;

	n = conf_v2_proposals(&ikesignd->conf, sa->local.sin_addr, ours,
	    CONF_V2_MAX);
	if (n == 0 || (mb = malloc(sizeof(*mb))) == NULL)
		return -1;
	st->req_open = 0;
	st->mid_out = 0;
	v2msg_init(mb, sa, IKEV2_XCHG_IKE_SA_INIT, 0, 0);
	if (st->cookielen > 0)
		v2msg_notify(mb, 0, IKEV2_N_COOKIE, st->cookie, st->cookielen);
	v2msg_begin(mb, IKEV2_PLD_SA);
	v2_sa_offer(&mb->w, ours, n, NULL, 0);
	v2msg_end(mb);
	add_ke_nonce(mb, sa, sa->ng->ni, sa->ng->nilen);
	add_natd(mb, sa);
	add_supports(mb);
	if (v2_request(sa, mb) == 0) {
		free(st->init_i);
		st->init_ilen = st->req.len[0];
		if ((st->init_i = copy_of(st->req.buf, st->init_ilen)) != NULL)
			rc = 0;
	}
	free(mb);
	return rc;
}

/* The group of our first proposal, or the one INVALID_KE asked for. */
static int
new_dh(struct ike_sa *sa)
{
	const struct v2_proposal *ours[CONF_V2_MAX];
	size_t n;
	int id;

	n = conf_v2_proposals(&ikesignd->conf, sa->local.sin_addr, ours,
	    CONF_V2_MAX);
	if (n == 0 || ours[0]->ngroup == 0)
		return -1;
	id = sa->v2->group_want != 0 ? sa->v2->group_want : ours[0]->group[0];
	if ((sa->v2->suite.group = dh_group_get(id)) == NULL)
		return -1;
	EVP_PKEY_free(sa->ng->dh);
	sa->ng->dh = NULL;
	return dh_create(sa->v2->suite.group, &sa->ng->dh, sa->ng->gxi);
}

struct ike_sa *
ikev2_initiate(const struct peer *peer, char *err, size_t errsz)
{
	const struct v2_profile *prof;
	struct sockaddr_in remote, local;
	struct ike_sa *sa;
	struct ikev2_state *st;

	if (net_endpoints(peer->addr, peer->port, &local, &remote) != 0) {
		snprintf(err, errsz, "no route to %s", peer->name);
		return NULL;
	}
	if (!ikesignd->key_ok) {
		snprintf(err, errsz, "the local key '%s' is locked or missing",
		    ikesignd->conf.key);
		return NULL;
	}
	prof = peer->profile[0] != '\0' ?
	    conf_v2_profile(&ikesignd->conf, peer->profile) :
	    conf_v2_match_addr(&ikesignd->conf, peer->addr);
	if ((sa = sa_new_v2(1, &local, &remote, NULL)) == NULL ||
	    (st = state_new(sa)) == NULL) {
		if (sa != NULL)
			sa->state = MM_DEAD;
		snprintf(err, errsz, "the SA table is full");
		return NULL;
	}
	v2_profile_apply(sa, prof, peer);
	sa->ng->nilen = V2_NONCE_LEN;
	crypto_random(sa->ng->ni, sa->ng->nilen);
	if (new_dh(sa) != 0 || init_send(sa) != 0) {
		snprintf(err, errsz, "cannot build IKE_SA_INIT");
		sa->state = MM_DEAD;
		return NULL;
	}
	log_info("%s: IKEv2 initiator%s%s", peer->name,
	    prof != NULL ? ", profile " : "", prof != NULL ? prof->name : "");
	return sa;
}

/* COOKIE or INVALID_KE: 1 when the request went out again. */
static int
init_retry(struct ike_sa *sa, const struct ikev2_msg *m)
{
	const struct v2_proposal *ours[CONF_V2_MAX];
	struct ikev2_state *st = sa->v2;
	struct v2_notify n;
	uint16_t g;
	size_t i, j, nours;
	int ok = 0;

	if (v2_find_notify(m, IKEV2_N_COOKIE, &n) != NULL) {
		if (n.len == 0 || n.len > sizeof(st->cookie) ||
		    ++st->ke_retries > KE_RETRIES + COOKIE_RETRIES) {
			sa_fail(sa, "the peer keeps asking for a cookie");
			return 1;
		}
		memcpy(st->cookie, n.data, n.len);
		st->cookielen = n.len;
		log_info("%s: the peer asks for a cookie; sending it",
		    sa->peer_name);
	} else if (v2_find_notify(m, IKEV2_N_INVALID_KE_PAYLOAD, &n) != NULL) {
		if (n.len != 2) {
			sa_fail(sa, "INVALID_KE_PAYLOAD without a group");
			return 1;
		}
		g = (uint16_t)(n.data[0] << 8 | n.data[1]);
		nours = conf_v2_proposals(&ikesignd->conf, sa->local.sin_addr,
		    ours, CONF_V2_MAX);
		for (i = 0; i < nours; i++)
			for (j = 0; j < ours[i]->ngroup; j++)
				ok |= ours[i]->group[j] == g;
		if (!ok || g == st->suite.group->id ||
		    ++st->ke_retries > KE_RETRIES) {
			sa_fail(sa, "the peer wants DH group %u, which we did "
			    "not offer", g);
			return 1;
		}
		log_info("%s: the peer wants DH group %u (INVALID_KE_PAYLOAD); "
		    "sending KE for it", sa->peer_name, g);
		st->group_want = g;
		if (new_dh(sa) != 0) {
			sa_fail(sa, "cannot make a key for group %u", g);
			return 1;
		}
	} else
		return 0;
	if (init_send(sa) != 0)
		sa_fail(sa, "cannot build IKE_SA_INIT");
	return 1;
}

void
v2_init_response(struct ike_sa *sa, struct ikev2_msg *m, const uint8_t *pkt)
{
	static const uint8_t zero[IKEV2_SPI_LEN];
	const struct v2_proposal *ours[CONF_V2_MAX];
	const struct ikev2_pld *nonce, *psa;
	struct ikev2_state *st = sa->v2;
	struct ikev2_suite suite;
	struct v2_offer *o;
	const uint8_t *ke;
	char buf[128];
	uint16_t group, err;
	size_t kelen, n;
	int rc;

	rc = ikev2_parse_clear(m, IKEV2_BIT(IKEV2_PLD_SA) |
	    IKEV2_BIT(IKEV2_PLD_KE) | IKEV2_BIT(IKEV2_PLD_NONCE) |
	    IKEV2_BIT(IKEV2_PLD_N) | IKEV2_BIT(IKEV2_PLD_V) |
	    IKEV2_BIT(IKEV2_PLD_CERTREQ));
	if (rc != 0) {
		log_debug("%s: malformed IKE_SA_INIT response dropped",
		    sa->peer_name);
		return;
	}
	if (init_retry(sa, m))
		return;
	if ((err = v2_error_notify(m)) != 0) {
		sa_fail(sa, "the peer refused IKE_SA_INIT: %s",
		    v2_notify_name(err));
		return;
	}
	if ((psa = ikev2_find(m, IKEV2_PLD_SA, 0)) == NULL ||
	    (nonce = ikev2_find(m, IKEV2_PLD_NONCE, 0)) == NULL ||
	    v2_pld_ke(ikev2_find(m, IKEV2_PLD_KE, 0), &group, &ke,
	    &kelen) != 0 || memcmp(m->rspi, zero, IKEV2_SPI_LEN) == 0) {
		log_debug("%s: IKE_SA_INIT response without SA, KE or Nonce "
		    "dropped", sa->peer_name);
		return;
	}
	if ((o = malloc(sizeof(*o))) == NULL)
		return;
	n = conf_v2_proposals(&ikesignd->conf, sa->local.sin_addr, ours,
	    CONF_V2_MAX);
	rc = v2_sa_parse(psa->body, psa->len, o) != 0 ||
	    v2_sa_chosen(o, ours, n, &suite) != 0;
	free(o);
	if (rc || suite.group != st->suite.group ||
	    group != st->suite.group->id || kelen != suite.group->publen) {
		sa_fail(sa, "the peer chose a proposal or KE we did not offer");
		return;
	}
	v2_request_done(sa);
	st->suite = suite;
	memcpy(sa->rcky, m->rspi, IKEV2_SPI_LEN);
	memcpy(sa->ng->nr, nonce->body, nonce->len);
	sa->ng->nrlen = nonce->len;
	read_notifies(sa, m);
	if ((st->init_r = copy_of(pkt, m->len)) == NULL ||
	    make_keys(sa, ke, kelen) != 0) {
		sa_fail(sa, "cannot derive keys");
		return;
	}
	st->init_rlen = m->len;
	v2_suite_string(&suite, buf, sizeof(buf));
	log_info("%s: IKE_SA_INIT done: %s", sa->peer_name, buf);
	if (v2_auth_request(sa) != 0)
		return;
	sa->state = V2_AUTH;
}
