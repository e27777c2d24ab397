/*
 * sa_timers.c -- time in the life of the IKE SAs: retransmission, the
 * deadline of a negotiation, lifetime expiry, rekeying and dead peer
 * detection, run from the network process's loop.
 */
#include "config.h"

#include <string.h>

#include "ikesignd.h"

#define HALF_OPEN_S	30	/* a negotiation must finish in this time */
#define REKEY_NONCES_S	60	/* longer than a rekey exchange retries */
#define QUIET_S		300	/* longer than any peer retransmits */
#define DPD_TRIES	5

static void
sa_timer_established(struct ike_sa *sa, time_t now)
{
	/* an SA made by an IKEv2 rekey keeps its nonces while a crossing
	 * rekey may still compare them (ikev2_rekey.c), then lets go */
	if (sa->ng != NULL && now - sa->established > REKEY_NONCES_S)
		sa_nego_done(sa);
	if (now - sa->last_rx > QUIET_S)
		sa->ops->quiet(sa);
	if (now >= sa->expires) {
		log_info("%s: IKE SA conn-id %u lifetime expired",
		    sa->peer_name, sa->conn_id);
		sa->ops->tell_delete(sa);
		sa_fail_quiet(sa, "lifetime expired");
		return;
	}
	/* each version's rekey says what it does, or why it does not */
	if (sa->rekey_at != 0 && now >= sa->rekey_at) {
		sa->rekey_at = 0;
		sa->ops->rekey(sa);
	}
	if (sa->dpd_interval == 0 || !sa->peer_dpd || now < sa->dpd_next)
		return;
	if (sa->dpd_out) {
		if (++sa->dpd_tries > DPD_TRIES) {
			log_warnx("%s: peer is dead: no answer to %d liveness "
			    "checks (DPD); deleting IKE SA conn-id %u",
			    sa->peer_name, DPD_TRIES, sa->conn_id);
			sa_fail_quiet(sa, "peer dead (DPD)");
			return;
		}
		sa->ops->liveness(sa);
		sa->dpd_next = now + sa->dpd_retry;
		return;
	}
	/* periodic: every SECONDS; on-demand: after SECONDS of silence */
	if (sa->dpd_periodic || now - sa->last_rx >= sa->dpd_interval) {
		sa->ops->liveness(sa);
		sa->dpd_next = now + sa->dpd_retry;
	} else
		sa->dpd_next = sa->last_rx + sa->dpd_interval;
}

/*
 * A negotiation that did not finish in time.  IKEv2 responders that never
 * heard IKE_AUTH are what a spoofed IKE_SA_INIT flood leaves behind: they
 * go with one line every ten seconds that counts them, not one each.
 */
static void
expire(struct ike_sa *sa, time_t now)
{
	static time_t last;
	static unsigned long quiet;

	if (sa->version != 2 || sa->initiator || sa->state != V2_SA_INIT) {
		sa_fail(sa, "negotiation did not finish in %d s", HALF_OPEN_S);
		return;
	}
	sa_fail_quiet(sa, "no IKE_AUTH followed IKE_SA_INIT");
	quiet++;
	if (now - last >= 10) {
		log_info("%lu IKEv2 negotiation%s expired half open (no "
		    "IKE_AUTH within %d s)", quiet, quiet == 1 ? "" : "s",
		    HALF_OPEN_S);
		last = now;
		quiet = 0;
	}
}

void
sa_timers(uint64_t nowms, int *timeout)
{
	struct ike_sa *sa, *next;
	time_t now = now_s();
	uint64_t wait;

	ho_expire(HALF_OPEN_S);
	TAILQ_FOREACH(sa, &ikesignd->sas, entry) {
		if (sa->state == MM_DEAD)
			continue;
		if (sa->state == QM_IDLE)
			sa_timer_established(sa, now);
		else if (now - sa->created > HALF_OPEN_S) {
			expire(sa, now);
			continue;
		}
		/* requests of established IKEv2 SAs are retransmitted too */
		if (sa->state != MM_DEAD && sa->tx_next != 0 &&
		    nowms >= sa->tx_next)
			sa->ops->retransmit(sa);
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
