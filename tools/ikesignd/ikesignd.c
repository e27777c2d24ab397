/*
 * ikesignd.c -- the IKE SAs of the network process: the table, their life
 * (established, expiry, rekey, dead peer detection, INITIAL-CONTACT,
 * clearing) and the dispatch of each received datagram to the exchange it
 * belongs to.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "ikesignd.h"

/* Negotiations past message 3 and established SAs; responders reach it
 * only by answering message 2, half-open ones live in ikev1_halfopen.c */
#define SA_MAX		4096	/* bound on memory an attacker can pin */
#define HALF_OPEN_S	30	/* a negotiation must finish in this time */
#define DPD_TRIES	5

struct daemon *ikesignd;

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

time_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

const char *
sa_state_name(enum sa_state s)
{
	switch (s) {
	case MM_NO_STATE:
		return "MM_NO_STATE";
	case MM_SA_SETUP:
		return "MM_SA_SETUP";
	case MM_KEY_EXCH:
		return "MM_KEY_EXCH";
	case MM_KEY_AUTH:
		return "MM_KEY_AUTH";
	case QM_IDLE:
		return "QM_IDLE";
	case MM_DEAD:
	default:
		return "MM_NO_STATE";
	}
}

struct ike_sa *
sa_new(int initiator, const struct sockaddr_in *local,
    const struct sockaddr_in *remote)
{
	struct ike_sa *sa;
	size_t n = 0;

	TAILQ_FOREACH(sa, &ikesignd->sas, entry)
		n++;
	if (n >= SA_MAX)
		return NULL;
	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	sa->conn_id = ikesignd->next_conn_id++;
	sa->initiator = initiator;
	sa->state = MM_NO_STATE;
	sa->local = *local;
	sa->remote = *remote;
	inet_ntop(AF_INET, &remote->sin_addr, sa->peer_name,
	    sizeof(sa->peer_name));
	snprintf(sa->key, sizeof(sa->key), "%s", ikesignd->conf.key);
	sa->identity = ikesignd->conf.identity;
	sa->created = sa->last_rx = now_s();
	sa->waiter = -1;
	TAILQ_INSERT_TAIL(&ikesignd->sas, sa, entry);
	return sa;
}

struct ike_sa *
sa_find(const uint8_t *icky, const uint8_t *rcky,
    const struct sockaddr_in *remote)
{
	static const uint8_t zero[IKE_COOKIE_LEN];
	struct ike_sa *sa;

	TAILQ_FOREACH(sa, &ikesignd->sas, entry) {
		if (sa->state == MM_DEAD ||
		    sa->remote.sin_addr.s_addr != remote->sin_addr.s_addr ||
		    memcmp(sa->icky, icky, IKE_COOKIE_LEN) != 0)
			continue;
		if (memcmp(sa->rcky, rcky, IKE_COOKIE_LEN) == 0 ||
		    (sa->initiator && memcmp(sa->rcky, zero,
		    IKE_COOKIE_LEN) == 0))
			return sa;
	}
	return NULL;
}

void
sa_free(struct ike_sa *sa)
{
	TAILQ_REMOVE(&ikesignd->sas, sa, entry);
	if (sa->waiter >= 0)
		control_reply(sa->waiter, 1, sa->why[0] != '\0' ? sa->why :
		    "the negotiation was abandoned");
	free(sa->sai);
	free(sa->tx);
	EVP_PKEY_free(sa->dh);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

void
sa_fail(struct ike_sa *sa, const char *fmt, ...)
{
	va_list ap;

	if (sa->state == MM_DEAD)
		return;
	va_start(ap, fmt);
	vsnprintf(sa->why, sizeof(sa->why), fmt, ap);
	va_end(ap);
	log_warnx("%s: IKE SA conn-id %u failed in %s: %s", sa->peer_name,
	    sa->conn_id, sa_state_name(sa->state), sa->why);
	sa->state = MM_DEAD;
	if (sa->waiter >= 0) {
		control_reply(sa->waiter, 1, sa->why);
		sa->waiter = -1;
	}
}

void
sa_established(struct ike_sa *sa)
{
	char buf[128], text[512];
	time_t now = now_s();

	sa->state = QM_IDLE;
	sa->established = now;
	sa->expires = now + sa->chosen.lifetime;
	sa->rekey_at = sa->initiator ? now + sa->chosen.lifetime -
	    sa->chosen.lifetime / 10 : 0;
	sa->dpd_next = now + ikesignd->conf.keepalive;
	free(sa->sai);
	sa->sai = NULL;
	OPENSSL_cleanse(sa->gxy, sizeof(sa->gxy));
	policy_string(&sa->chosen, buf, sizeof(buf));
	log_info("%s: authentication of '%s' with RSA signature successful "
	    "(key from keyring '%s')", sa->peer_name, sa->peer_id,
	    sa->keyring);
	log_info("%s: IKE SA conn-id %u established as %s: %s, local key "
	    "'%s'", sa->peer_name, sa->conn_id,
	    sa->initiator ? "initiator" : "responder", buf, sa->key);
	if (sa->waiter >= 0) {
		snprintf(text, sizeof(text), "IKE SA with %s established "
		    "(conn-id %u, peer id '%s', %s)\n", sa->peer_name,
		    sa->conn_id, sa->peer_id, buf);
		control_reply(sa->waiter, 0, text);
		sa->waiter = -1;
	}
}

/* Another established SA with the same peer? */
int
sa_has_peer_sa(const struct ike_sa *sa)
{
	const struct ike_sa *x;

	TAILQ_FOREACH(x, &ikesignd->sas, entry)
		if (x != sa && x->state == QM_IDLE &&
		    x->remote.sin_addr.s_addr == sa->remote.sin_addr.s_addr)
			return 1;
	return 0;
}

void
sa_initial_contact(struct ike_sa *sa)
{
	struct ike_sa *x;

	TAILQ_FOREACH(x, &ikesignd->sas, entry) {
		if (x == sa || x->state != QM_IDLE ||
		    x->remote.sin_addr.s_addr != sa->remote.sin_addr.s_addr)
			continue;
		log_info("%s: INITIAL-CONTACT: dropping older IKE SA conn-id "
		    "%u", x->peer_name, x->conn_id);
		x->state = MM_DEAD;
		snprintf(x->why, sizeof(x->why), "replaced after "
		    "INITIAL-CONTACT");
	}
}

/* Delete the SAs of peer (or all), notifying the peer of established
 * ones; returns how many were established. */
int
sa_clear_matching(const char *peer, const char *key, const char *why)
{
	struct ike_sa *sa;
	int n = 0;

	(void)ho_clear(peer);	/* half-open ones use the one local key */
	TAILQ_FOREACH(sa, &ikesignd->sas, entry) {
		if (sa->state == MM_DEAD)
			continue;
		if (peer != NULL && strcmp(peer, sa->peer_name) != 0)
			continue;
		if (key != NULL && strcmp(key, sa->key) != 0)
			continue;
		if (sa->state == QM_IDLE) {
			info_delete(sa);
			log_info("%s: IKE SA conn-id %u deleted: %s",
			    sa->peer_name, sa->conn_id, why);
			n++;
		}
		sa_fail_quiet(sa, why);
	}
	return n;
}

void
sa_fail_quiet(struct ike_sa *sa, const char *why)
{
	snprintf(sa->why, sizeof(sa->why), "%s", why);
	sa->state = MM_DEAD;
	if (sa->waiter >= 0) {
		control_reply(sa->waiter, 1, sa->why);
		sa->waiter = -1;
	}
}

static void
sa_timer_established(struct ike_sa *sa, time_t now)
{
	const struct conf *c = &ikesignd->conf;
	const struct peer *peer;
	char err[256];

	if (now >= sa->expires) {
		log_info("%s: IKE SA conn-id %u lifetime expired",
		    sa->peer_name, sa->conn_id);
		info_delete(sa);
		sa_fail_quiet(sa, "lifetime expired");
		return;
	}
	if (sa->rekey_at != 0 && now >= sa->rekey_at) {
		sa->rekey_at = 0;
		peer = conf_peer(c, sa->remote.sin_addr);
		log_info("%s: rekeying IKE SA conn-id %u", sa->peer_name,
		    sa->conn_id);
		if (peer != NULL && mm_initiate(peer, err, sizeof(err)) == NULL)
			log_warnx("%s: cannot rekey: %s", sa->peer_name, err);
	}
	if (c->keepalive == 0 || !sa->peer_dpd || now < sa->dpd_next)
		return;
	if (sa->dpd_out) {
		if (++sa->dpd_tries > DPD_TRIES) {
			log_warnx("%s: peer is dead: no R-U-THERE-ACK after %d "
			    "tries; deleting IKE SA conn-id %u",
			    sa->peer_name, DPD_TRIES, sa->conn_id);
			sa_fail_quiet(sa, "peer dead (DPD)");
			return;
		}
		info_dpd(sa);
		sa->dpd_next = now + c->keepalive_retry;
		return;
	}
	/* periodic: every SECONDS; on-demand: after SECONDS of silence */
	if (c->keepalive_periodic || now - sa->last_rx >= c->keepalive) {
		info_dpd(sa);
		sa->dpd_next = now + c->keepalive_retry;
	} else
		sa->dpd_next = sa->last_rx + c->keepalive;
}

void
sa_timers(uint64_t nowms, int *timeout)
{
	struct ike_sa *sa, *next;
	time_t now = now_s();
	uint64_t wait;

	ho_expire(HALF_OPEN_S);
	TAILQ_FOREACH(sa, &ikesignd->sas, entry) {
		if (sa->state == QM_IDLE) {
			sa_timer_established(sa, now);
			continue;
		}
		if (sa->state == MM_DEAD)
			continue;
		if (now - sa->created > HALF_OPEN_S) {
			sa_fail(sa, "negotiation did not finish in %d s",
			    HALF_OPEN_S);
			continue;
		}
		if (sa->tx_next != 0 && nowms >= sa->tx_next)
			msg_retransmit(sa);
		if (sa->tx_next != 0 && sa->state != MM_DEAD) {
			wait = sa->tx_next > nowms ? sa->tx_next - nowms : 0;
			if (wait < (uint64_t)*timeout)
				*timeout = (int)wait;
		}
	}
	for (sa = TAILQ_FIRST(&ikesignd->sas); sa != NULL; sa = next) {
		next = TAILQ_NEXT(sa, entry);
		if (sa->state == MM_DEAD)
			sa_free(sa);
	}
}

static void
digest(const uint8_t *p, size_t len, uint8_t *out)
{
	unsigned int n = 32;

	if (!EVP_Digest(p, len, out, &n, EVP_sha256(), NULL))
		memset(out, 0, 32);
}

/* Message 1 of a Main Mode we respond to: clear, no CKY-R, M-ID 0. */
static int
is_first(const struct ike_msg *m)
{
	static const uint8_t zero[IKE_COOKIE_LEN];

	return m->xchg == IKE_XCHG_IDPROT && m->mid == 0 &&
	    (m->flags & IKE_FLAG_ENC) == 0 &&
	    memcmp(m->rcookie, zero, IKE_COOKIE_LEN) == 0;
}

/*
 * A message 1 for no SA of the table: a repeated one finds its
 * negotiation by CKY-I alone, in the half-open table or (after message
 * 3) in the SA table; otherwise it starts a new one.  NULL when done.
 */
static struct ike_sa *
first_input(struct ike_msg *m, const uint8_t *sum,
    const struct sockaddr_in *from, const struct sockaddr_in *local)
{
	struct half_open *ho;
	struct ike_sa *sa;

	if ((ho = ho_find(m->icookie, NULL, from)) != NULL) {
		ho_repeat(ho, sum);
		return NULL;
	}
	TAILQ_FOREACH(sa, &ikesignd->sas, entry)
		if (!sa->initiator && sa->state != MM_DEAD &&
		    sa->remote.sin_addr.s_addr == from->sin_addr.s_addr &&
		    memcmp(sa->icky, m->icookie, IKE_COOKIE_LEN) == 0)
			break;
	if (sa == NULL) {
		mm_recv_first(m, from, local, sum);
		return NULL;
	}
	if (sa->state != MM_SA_SETUP) {
		log_debug("%s: late copy of message 1 dropped", sa->peer_name);
		return NULL;
	}
	return sa;
}

/* One datagram from the network. */
void
ike_input(const uint8_t *pkt, size_t len, const struct sockaddr_in *from,
    const struct sockaddr_in *local)
{
	struct ike_msg m;
	struct half_open *ho;
	struct ike_sa *sa;
	uint8_t sum[32] = { 0 };
	int rc;

	if ((rc = msg_parse_header(pkt, len, &m)) != 0) {
		log_debug("malformed datagram of %zu octets dropped", len);
		return;
	}
	if (m.xchg == IKE_XCHG_IDPROT)
		digest(pkt, m.len, sum);
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
	if (m.xchg == IKE_XCHG_IDPROT && !sa->initiator && sa->tx != NULL &&
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

/* The local key went away or came back (checked every few seconds). */
void
key_state(int ok, const char *why)
{
	int n;

	if (!ok && ikesignd->key_ok) {
		ikesignd->key_ok = 0;
		n = sa_clear_matching(NULL, ikesignd->conf.key,
		    "the local key is locked or missing");
		log_warnx("local key '%s' is unusable (%s): deleted %d IKE "
		    "SAs, refusing new ones", ikesignd->conf.key, why, n);
	} else if (ok && !ikesignd->key_ok) {
		ikesignd->key_ok = 1;
		log_info("local key '%s' is usable again; accepting "
		    "negotiations", ikesignd->conf.key);
	}
}
