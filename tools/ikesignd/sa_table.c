/*
 * sa_table.c -- the table of IKE SAs past the half-open stage (negotiations
 * after message 3, and established SAs): create, find, fail, establish,
 * clear.  Half-open responder negotiations live in ikev1_halfopen.c.
 *
 * Every SA is on the list ikesignd->sas (timers, show, clear walk it) and
 * in one bucket of a hash table by its initiator's cookie or SPI and the
 * peer's address, which it keeps for life (sa_new files it), so that a
 * datagram finds its SA in one short bucket however many SAs there are.
 * The hash is keyed with a random value drawn at the first SA: a peer
 * chooses its own cookies, and must not be able to aim them all at one
 * bucket.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikesignd.h"

/* Negotiations past message 3 and established SAs; responders reach it
 * only by answering message 2. */
#define SA_MAX		16384	/* bound on memory an attacker can pin */
#define SA_BUCKETS	32768	/* a power of two, twice SA_MAX */

TAILQ_HEAD(sa_bucket, ike_sa);

static struct sa_bucket	 buckets[SA_BUCKETS];
static uint64_t		 hkey;
static int		 hready;
static size_t		 nsa;

static void
buckets_init(void)
{
	size_t i;

	for (i = 0; i < SA_BUCKETS; i++)
		TAILQ_INIT(&buckets[i]);
	crypto_random((uint8_t *)&hkey, sizeof(hkey));
	hready = 1;
}

/* The bucket of (cookie, address): the keyed value through the
 * splitmix64 finaliser, which spreads every input bit over the output. */
static struct sa_bucket *
bucket_of(const uint8_t *icky, const struct sockaddr_in *remote)
{
	uint64_t x;

	if (!hready)
		buckets_init();
	memcpy(&x, icky, sizeof(x));
	x ^= hkey ^ ((uint64_t)remote->sin_addr.s_addr << 17);
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return &buckets[x & (SA_BUCKETS - 1)];
}

struct ike_sa *
sa_lookup(const uint8_t *icky, const struct sockaddr_in *remote,
    struct ike_sa *after)
{
	struct ike_sa *sa;

	sa = after != NULL ? TAILQ_NEXT(after, hentry) :
	    TAILQ_FIRST(bucket_of(icky, remote));
	for (; sa != NULL; sa = TAILQ_NEXT(sa, hentry))
		if (sa->state != MM_DEAD &&
		    sa->remote.sin_addr.s_addr == remote->sin_addr.s_addr &&
		    memcmp(sa->icky, icky, IKE_COOKIE_LEN) == 0)
			return sa;
	return NULL;
}

size_t
sa_count(void)
{
	return nsa;
}

const char *
sa_state_name(const struct ike_sa *sa)
{
	return sa->ops->state_name(sa);
}

struct ike_sa *
sa_new(int initiator, const struct sockaddr_in *local,
    const struct sockaddr_in *remote, const uint8_t *icky)
{
	struct ike_sa *sa;

	if (nsa >= SA_MAX)
		return NULL;
	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	if ((sa->ng = calloc(1, sizeof(*sa->ng))) == NULL) {
		free(sa);
		return NULL;
	}
	if (icky != NULL)
		memcpy(sa->icky, icky, IKE_COOKIE_LEN);
	else
		crypto_random(sa->icky, IKE_COOKIE_LEN);
	sa->conn_id = ikesignd->next_conn_id++;
	sa->version = 1;
	sa->ops = &ikev1_ops;
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
	TAILQ_INSERT_TAIL(bucket_of(sa->icky, &sa->remote), sa, hentry);
	nsa++;
	return sa;
}

struct ike_sa *
sa_new_v2(int initiator, const struct sockaddr_in *local,
    const struct sockaddr_in *remote, const uint8_t *spii)
{
	struct ike_sa *sa;

	if ((sa = sa_new(initiator, local, remote, spii)) == NULL)
		return NULL;
	sa->version = 2;
	sa->ops = &ikev2_ops;
	sa->state = V2_SA_INIT;
	return sa;
}

struct ike_sa *
sa_find(const uint8_t *icky, const uint8_t *rcky,
    const struct sockaddr_in *remote)
{
	static const uint8_t zero[IKE_COOKIE_LEN];
	struct ike_sa *sa = NULL;

	while ((sa = sa_lookup(icky, remote, sa)) != NULL) {
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
	TAILQ_REMOVE(bucket_of(sa->icky, &sa->remote), sa, hentry);
	nsa--;
	if (sa->waiter >= 0)
		control_reply(sa->waiter, 1, sa->why[0] != '\0' ? sa->why :
		    "the negotiation was abandoned");
	if (sa->ops->release != NULL)
		sa->ops->release(sa);
	signer_forget(sa);
	free(sa->sai);
	free(sa->local_id);
	free(sa->tx);
	sa_nego_done(sa);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

void
sa_nego_done(struct ike_sa *sa)
{
	free(sa->peer_idb);	/* its proof is checked, or never will be */
	sa->peer_idb = NULL;
	sa->peer_idblen = 0;
	if (sa->ng == NULL)
		return;
	EVP_PKEY_free(sa->ng->dh);
	free(sa->ng->sar);
	free(sa->ng->proof);
	OPENSSL_cleanse(sa->ng, sizeof(*sa->ng));
	free(sa->ng);
	sa->ng = NULL;
}

int
sa_copy(uint8_t **dst, size_t *dstlen, const uint8_t *src, size_t len)
{
	free(*dst);
	*dstlen = 0;
	if ((*dst = malloc(len > 0 ? len : 1)) == NULL)
		return -1;
	memcpy(*dst, src, len);
	*dstlen = len;
	return 0;
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
	    sa->conn_id, sa_state_name(sa), sa->why);
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
	sa->dpd_interval = ikesignd->conf.keepalive;
	sa->dpd_retry = ikesignd->conf.keepalive_retry;
	sa->dpd_periodic = ikesignd->conf.keepalive_periodic;
	sa->dpd_next = now + sa->dpd_interval;
	free(sa->sai);
	sa->sai = NULL;
	sa_nego_done(sa);
	policy_string(&sa->chosen, buf, sizeof(buf));
	log_info("%s: authentication of '%s' with %s successful (key from "
	    "keyring '%s')", sa->peer_name, sa->peer_id,
	    policy_proof_name(sa->chosen.auth), sa->keyring);
	log_info("%s: IKE SA conn-id %u established as %s: %s, local key "
	    "'%s'%s", sa->peer_name, sa->conn_id,
	    sa->initiator ? "initiator" : "responder", buf, sa->key,
	    sa->aggressive ? " (Aggressive Mode)" : "");
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
			sa->ops->tell_delete(sa);
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

/* Start a rekey of the established SAs with peer; how many. */
int
sa_rekey_matching(const char *peer)
{
	struct ike_sa *sa;
	int n = 0;

	/* the timers start each rekey (one that the peer has already
	 * replaced declines it there) */
	TAILQ_FOREACH(sa, &ikesignd->sas, entry)
		if (sa->state == QM_IDLE && strcmp(peer, sa->peer_name) == 0) {
			sa->rekey_at = now_s();
			n++;
		}
	return n;
}
