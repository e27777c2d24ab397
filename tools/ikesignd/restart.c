/*
 * restart.c -- when a new signer may be started.
 *
 * A token counts wrong PINs and locks after a few: a signer whose login
 * was refused (KS_EAUTH: CKR_PIN_INCORRECT, CKR_PIN_LOCKED,
 * CKR_PIN_EXPIRED, CKR_PIN_LEN_RANGE, CKR_PIN_INVALID, or no PIN to
 * give) is never followed by another login until an operator asks for
 * one (ikesignctl reload, SIGHUP) or restarts the daemon.  Any other
 * failure is retried after 1, 2, 4 ... RESTART_MAX seconds; a signer
 * that ran for RESTART_MAX seconds starts the sequence again at 1.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ikesignd.h"

#define RESTART_MAX	60

void
restart_init(struct restart *r, time_t now)
{
	memset(r, 0, sizeof(*r));
	r->delay = 1;
	r->started = now;
	snprintf(r->why, sizeof(r->why), "running");
}

/* The CKR_* name in a library message, else the whole message. */
static void
reason(const char *err, char *out, size_t outsz)
{
	const char *p = strstr(err, "CKR_");
	size_t n = 0;

	if (p == NULL) {
		snprintf(out, outsz, "%s", err);
		return;
	}
	while (p[n] == '_' || (p[n] >= 'A' && p[n] <= 'Z') ||
	    (p[n] >= '0' && p[n] <= '9'))
		n++;
	snprintf(out, outsz, "%.*s", (int)n, p);
}

/* The running signer went away. */
void
restart_died(struct restart *r, time_t now, const char *why)
{
	if (now - r->started >= RESTART_MAX)
		r->delay = 1;
	r->next = now + (time_t)r->delay;
	log_warnx("signer: %s; starting a new one in %u s", why, r->delay);
	snprintf(r->why, sizeof(r->why), "not running (%s); next start in "
	    "%u s", why, r->delay);
}

int
restart_due(const struct restart *r, time_t now)
{
	return !r->held && r->next != 0 && now >= r->next;
}

/* What became of a start: st and err as signer_spawn gave them. */
void
restart_result(struct restart *r, time_t now, ks_status st, const char *err)
{
	char ckr[256];

	r->next = 0;
	if (st == KS_OK) {
		r->started = now;
		snprintf(r->why, sizeof(r->why), "running");
		log_info("signer restarted");
		return;
	}
	if (st == KS_EAUTH) {
		r->held = 1;
		reason(err, ckr, sizeof(ckr));
		log_warnx("signer: PIN refused by the token (%s); not logging "
		    "in again until 'ikesignctl reload' or SIGHUP: %s", ckr,
		    err);
		snprintf(r->why, sizeof(r->why), "PIN refused by the token "
		    "(%s); fix pin-source and run ikesignctl reload", ckr);
		return;
	}
	r->delay = r->delay * 2 > RESTART_MAX ? RESTART_MAX : r->delay * 2;
	r->next = now + (time_t)r->delay;
	log_warnx("signer: cannot start (%s); next try in %u s", err,
	    r->delay);
	snprintf(r->why, sizeof(r->why), "cannot start (%s); next try in "
	    "%u s", err, r->delay);
}

/* An operator asked: one more try now, whatever failed before. */
int
restart_reload(struct restart *r, time_t now)
{
	if (!r->held && r->next == 0)
		return 0;
	r->held = 0;
	r->delay = 1;
	r->next = now;
	return 1;
}

int
restart_held(const struct restart *r)
{
	return r->held;
}
