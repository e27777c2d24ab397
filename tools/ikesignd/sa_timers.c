/*
 * sa_timers.c -- time in the life of the IKE SAs: retransmission, the
 * deadline of a negotiation, lifetime expiry, rekeying and dead peer
 * detection, run from the network process's loop.
 */
#include "config.h"

#include <string.h>

#include "ikesignd.h"

#define HALF_OPEN_S	30	/* a negotiation must finish in this time */
#define DPD_TRIES	5

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
