/*
 * logrelay.c -- the network process's log, through the parent.  Outside
 * the foreground the network process keeps no syslog socket: a Unix
 * datagram socket that, once connected or sent to another path, would
 * reach any datagram socket its user may write to, which its seccomp
 * filter cannot tell apart.  Its lines go to the parent instead, an
 * IPC_LOG message each, and the parent passes them to syslog.
 *
 * The network process never waits for the parent: a line that does not
 * fit in the socket's queue is counted and dropped, and the count is
 * logged before the next line that fits.  The parent takes the priority
 * from the line but lets it be a warning, information or debugging only,
 * so that a network process taken over cannot raise an alert.
 */
#include "config.h"

#include <stdio.h>
#include <syslog.h>

#include "ikesignd.h"

static int relay_sock = -1;
static unsigned long relay_lost;

/* Network process: one line to the parent (log.c's sink). */
static void
relay_send(int pri, const char *line)
{
	char text[LOG_LINE_MAX + 1];

	if (relay_lost > 0) {
		snprintf(text, sizeof(text), "%d%lu log line(s) lost: the "
		    "parent did not take them in time", LOG_WARNING,
		    relay_lost);
		if (ipc_post(relay_sock, IPC_LOG, text) != 0) {
			relay_lost++;
			return;
		}
		relay_lost = 0;
	}
	snprintf(text, sizeof(text), "%d%s", pri, line);
	if (ipc_post(relay_sock, IPC_LOG, text) != 0)
		relay_lost++;
}

/* Network process: from now on, log through the parent on SOCK. */
void
logrelay_start(int sock)
{
	relay_sock = sock;
	log_set_sink(relay_send);
}

/* Parent: one IPC_LOG text from the network process. */
void
logrelay_line(const char *text)
{
	int pri = text[0] - '0';

	if (pri != LOG_WARNING && pri != LOG_INFO && pri != LOG_DEBUG)
		return;		/* not a line of ours */
	log_line(pri, text + 1);
}
