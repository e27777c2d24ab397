/*
 * daemon.c -- the network process's state (struct daemon), and what it
 * does when the local key goes away or comes back.
 */
#include "config.h"

#include "ikesignd.h"

struct daemon *ikesignd;

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
