/*
 * ikev1_halfopen.c -- the half-open table: responder negotiations that
 * have seen only message 1.
 *
 * Message 1 costs a sender nothing and can come from a spoofed address,
 * so what it creates must not be able to crowd out anyone else.  Such a
 * negotiation therefore does not get a struct ike_sa (about 5 KB, in the
 * table of established SAs) but a struct half_open holding only what
 * Main Mode needs later: the cookies, both addresses, the chosen
 * transform, the initiator's SA payload body (SAi_b, hashed into HASH_I
 * and HASH_R), the vendor IDs seen, message 2 for a repeated message 1
 * and that message 1's digest.  A separate struct rather than ike_sa on
 * a second list keeps the per-entry memory small and makes it impossible
 * for code handling established SAs to meet a half-open one by mistake.
 *
 * The table is bounded ("crypto call admission limit ike in-negotiation-sa
 * N", HO_DEFAULT by default) and one source address may hold at most a
 * quarter of it.  A new message 1 is never refused for lack of room: the
 * source's own oldest entry makes room when the source is at its cap,
 * otherwise the oldest entry of the whole table does.  A flood from one
 * address thus only churns its own entries, and a flood from many
 * addresses ages entries out instead of locking the table.  A real
 * peer's message 3 arrives one round trip after message 2, long before
 * its entry could become the oldest.
 *
 * Message 3 with matching cookies moves the negotiation into the SA
 * table (ho_promote): only then does it get DH state and a full SA.
 * Entries are kept oldest first, so eviction and expiry take the head.
 * Lookups walk the list; it holds at most HO_LIMIT_MAX entries.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikesignd.h"
#include "ikev1_ph1.h"

#define HO_SOURCE_SHARE	4	/* one source: at most 1/4 of the table */
#define HO_LOG_EVERY_S	10	/* at most one eviction warning per 10 s */

struct half_open {
	TAILQ_ENTRY(half_open)	 entry;
	uint8_t			 icky[IKE_COOKIE_LEN];
	uint8_t			 rcky[IKE_COOKIE_LEN];
	struct sockaddr_in	 local;
	struct sockaddr_in	 remote;
	struct policy		 chosen;	/* with the offered lifetime */
	int			 peer_dpd;
	int			 peer_natt;
	uint8_t			*sai;		/* SAi_b */
	size_t			 sailen;
	uint8_t			*tx;		/* our message 2 */
	size_t			 txlen;
	uint8_t			 rxsum[32];	/* digest of message 1 */
	time_t			 created;
};

TAILQ_HEAD(ho_list, half_open);

static struct ho_list	ho_list = TAILQ_HEAD_INITIALIZER(ho_list);
static struct ho_stats	ho_st;
static uint64_t		ho_logged;	/* evictions already logged */
static time_t		ho_log_at;

size_t
ho_limit(void)
{
	unsigned n = ikesignd->conf.half_open_max;

	return n != 0 ? n : HO_DEFAULT;
}

size_t
ho_source_limit(void)
{
	size_t n = ho_limit() / HO_SOURCE_SHARE;

	return n != 0 ? n : 1;
}

static void
ho_free(struct half_open *ho)
{
	TAILQ_REMOVE(&ho_list, ho, entry);
	ho_st.count--;
	free(ho->sai);
	free(ho->tx);
	OPENSSL_cleanse(ho, sizeof(*ho));
	free(ho);
}

/* Say now and then that entries are being evicted, never per packet. */
static void
ho_log_evictions(time_t now)
{
	uint64_t n = ho_st.evicted + ho_st.evicted_source;

	if (n == ho_logged || now - ho_log_at < HO_LOG_EVERY_S)
		return;
	log_warnx("half-open IKE SAs: %llu evicted to make room since the "
	    "last report (%zu of %zu in use, at most %zu per source); a "
	    "flood of Main Mode message 1?", (unsigned long long)(n -
	    ho_logged), ho_st.count, ho_limit(), ho_source_limit());
	ho_logged = n;
	ho_log_at = now;
}

/* Room for one more entry from remote: evict what must go. */
static void
ho_make_room(const struct sockaddr_in *remote)
{
	struct half_open *ho, *oldest = NULL;
	size_t mine = 0;

	TAILQ_FOREACH(ho, &ho_list, entry)
		if (ho->remote.sin_addr.s_addr == remote->sin_addr.s_addr &&
		    mine++ == 0)
			oldest = ho;
	if (oldest != NULL && mine >= ho_source_limit()) {
		ho_free(oldest);
		ho_st.evicted_source++;
	}
	while (ho_st.count >= ho_limit() &&
	    (ho = TAILQ_FIRST(&ho_list)) != NULL) {
		ho_free(ho);
		ho_st.evicted++;
	}
	ho_log_evictions(now_s());
}

int
ho_add(const struct ike_sa *tmp, const uint8_t *sai, size_t sailen,
    const uint8_t *tx, size_t txlen, const uint8_t *rxsum)
{
	struct half_open *ho;

	if (sailen == 0 || sailen > HO_SAI_MAX || txlen == 0 ||
	    txlen > IKE_MSG_MAX) {
		ho_st.dropped++;
		return -1;
	}
	ho_make_room(&tmp->remote);
	if ((ho = calloc(1, sizeof(*ho))) == NULL ||
	    (ho->sai = malloc(sailen)) == NULL ||
	    (ho->tx = malloc(txlen)) == NULL) {
		if (ho != NULL)
			free(ho->sai);
		free(ho);
		ho_st.dropped++;
		return -1;
	}
	memcpy(ho->icky, tmp->icky, IKE_COOKIE_LEN);
	memcpy(ho->rcky, tmp->rcky, IKE_COOKIE_LEN);
	ho->local = tmp->local;
	ho->remote = tmp->remote;
	ho->chosen = tmp->chosen;
	ho->peer_dpd = tmp->peer_dpd;
	ho->peer_natt = tmp->peer_natt;
	memcpy(ho->sai, sai, sailen);
	ho->sailen = sailen;
	memcpy(ho->tx, tx, txlen);
	ho->txlen = txlen;
	memcpy(ho->rxsum, rxsum, sizeof(ho->rxsum));
	ho->created = now_s();
	TAILQ_INSERT_TAIL(&ho_list, ho, entry);
	ho_st.count++;
	ho_st.admitted++;
	return 0;
}

/* By CKY-I and address; rcky NULL: any CKY-R (a repeated message 1). */
struct half_open *
ho_find(const uint8_t *icky, const uint8_t *rcky,
    const struct sockaddr_in *remote)
{
	struct half_open *ho;

	TAILQ_FOREACH(ho, &ho_list, entry)
		if (ho->remote.sin_addr.s_addr == remote->sin_addr.s_addr &&
		    memcmp(ho->icky, icky, IKE_COOKIE_LEN) == 0 &&
		    (rcky == NULL ||
		    memcmp(ho->rcky, rcky, IKE_COOKIE_LEN) == 0))
			return ho;
	return NULL;
}

/* A repeated message 1 (same digest) gets message 2 again. */
void
ho_repeat(const struct half_open *ho, const uint8_t *rxsum)
{
	char who[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &ho->remote.sin_addr, who, sizeof(who));
	if (memcmp(ho->rxsum, rxsum, sizeof(ho->rxsum)) != 0) {
		log_debug("%s: another message 1 with the same CKY-I dropped",
		    who);
		return;
	}
	log_debug("%s: repeated message 1; answering again", who);
	(void)net_send(ikesignd->udp, &ho->remote, ho->tx, ho->txlen);
}

/*
 * Message 3 arrived: the negotiation leaves the half-open table for the
 * SA table.  NULL when that table is full (the entry stays, so the
 * initiator's retransmission may succeed) or the peer is gone.
 */
struct ike_sa *
ho_promote(struct half_open *ho)
{
	const struct peer *peer;
	struct ike_sa *sa;
	char who[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &ho->remote.sin_addr, who, sizeof(who));
	if ((peer = conf_peer(&ikesignd->conf, ho->remote.sin_addr)) == NULL) {
		log_warnx("%s: message 3 dropped: the peer is no longer "
		    "configured", who);
		ho_free(ho);
		ho_st.dropped++;
		return NULL;
	}
	if ((sa = sa_new(0, &ho->local, &ho->remote, ho->icky)) == NULL) {
		log_warnx("%s: message 3 dropped: too many IKE SAs", who);
		ho_st.dropped++;
		return NULL;
	}
	memcpy(sa->rcky, ho->rcky, IKE_COOKIE_LEN);
	snprintf(sa->keyring, sizeof(sa->keyring), "%s", peer->keyring);
	ph1_set_identity(sa, peer);
	sa->chosen = ho->chosen;
	sa->group = dh_group_get(ho->chosen.group);
	sa->peer_dpd = ho->peer_dpd;
	sa->peer_natt = ho->peer_natt;
	sa->sai = ho->sai;
	sa->sailen = ho->sailen;
	sa->tx = ho->tx;
	sa->txlen = ho->txlen;
	memcpy(sa->rxsum, ho->rxsum, sizeof(sa->rxsum));
	sa->created = ho->created;	/* one time budget for the whole */
	sa->state = MM_SA_SETUP;
	ho->sai = NULL;
	ho->tx = NULL;
	ho_free(ho);
	ho_st.completed++;
	return sa;
}

/* Drop entries older than maxage seconds, and any above the limit (the
 * limit may have shrunk on a reload). */
void
ho_expire(time_t maxage)
{
	struct half_open *ho;
	time_t now = now_s();

	while ((ho = TAILQ_FIRST(&ho_list)) != NULL &&
	    now - ho->created > maxage) {
		ho_free(ho);
		ho_st.expired++;
	}
	while (ho_st.count > ho_limit() &&
	    (ho = TAILQ_FIRST(&ho_list)) != NULL) {
		ho_free(ho);
		ho_st.evicted++;
	}
	ho_log_evictions(now);
}

/* Drop the entries of peer (all when NULL); returns how many. */
size_t
ho_clear(const char *peer)
{
	struct half_open *ho, *next;
	char who[INET_ADDRSTRLEN];
	size_t n = 0;

	for (ho = TAILQ_FIRST(&ho_list); ho != NULL; ho = next) {
		next = TAILQ_NEXT(ho, entry);
		inet_ntop(AF_INET, &ho->remote.sin_addr, who, sizeof(who));
		if (peer != NULL && strcmp(peer, who) != 0)
			continue;
		ho_free(ho);
		n++;
	}
	return n;
}

void
ho_stats(struct ho_stats *st)
{
	*st = ho_st;
	st->limit = ho_limit();
	st->source_limit = ho_source_limit();
}
