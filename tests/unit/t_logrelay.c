/*
 * t_logrelay.c -- the network process's log through the parent
 * (logrelay.c) on a real SOCK_SEQPACKET pair, as main.c makes it: each
 * line is one IPC_LOG message, its priority digit first; a line that does
 * not fit in the queue is dropped without waiting, and the count of lines
 * lost comes as a warning before the next line that fits; the parent's
 * side takes information, warnings and debugging lines only.  Both sides
 * run in this one process: the parent's logrelay_line passes a line it
 * takes on to log.c, whose sink here is the relay again, so what it takes
 * shows on the socket.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/socket.h>

#include "tools/ikesignd/ikesignd.h"
#include "tap.h"

static int sv[2];

/* The next message on the parent's end as "TYPE:TEXT", or "" when none. */
static const char *
next_msg(void)
{
	static char out[IPC_MSG_MAX + 2];
	char text[IPC_MSG_MAX];
	int type, fd;
	ssize_t n;
	uint8_t peek;

	n = recv(sv[1], &peek, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n <= 0)
		return "";
	if (ipc_recv(sv[1], &type, text, sizeof(text), &fd) != 0)
		return "(error)";
	if (fd >= 0)
		close(fd);
	snprintf(out, sizeof(out), "%c:%s", type, text);
	return out;
}

int
main(void)
{
	int sndbuf = 4096, sent, got, i;
	char want[128];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) {
		perror("socketpair");
		return 1;
	}
	log_init(0, 1);		/* not the foreground, debugging lines on */
	logrelay_start(sv[0]);

	log_info("ikesignd started: %d", 42);
	is_str(next_msg(), "L:6ikesignd started: 42",
	    "an information line is one IPC_LOG message, priority 6 first");
	log_warnx("a %s", "warning");
	is_str(next_msg(), "L:4a warning", "a warning: priority 4");
	log_debug("a debugging line");
	is_str(next_msg(), "L:7a debugging line", "a debugging line: 7");
	is_str(next_msg(), "", "nothing else was sent");

	/* a small queue, filled without reading: the sender never waits */
	ok(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)) == 0, "SO_SNDBUF %d", sndbuf);
	for (sent = 0; sent < 2000; sent++)
		log_info("line %d", sent);
	for (got = 0; next_msg()[0] == 'L'; got++)
		;
	ok(got > 0 && got < sent, "%d of %d lines fitted; the rest were "
	    "dropped, not waited for", got, sent);
	log_info("after");
	snprintf(want, sizeof(want), "L:4%d log line(s) lost: the parent did "
	    "not take them in time", sent - got);
	is_str(next_msg(), want, "the count of lines lost comes first, as a "
	    "warning");
	is_str(next_msg(), "L:6after", "then the line");
	log_info("and on");
	is_str(next_msg(), "L:6and on", "the count is logged once");

	/* the parent's side: what it takes goes on to syslog (here: back) */
	logrelay_line("6from the network process");
	is_str(next_msg(), "L:6from the network process",
	    "the parent takes an information line");
	logrelay_line("4careful");
	is_str(next_msg(), "L:4careful", "a warning");
	logrelay_line("7detail");
	is_str(next_msg(), "L:7detail", "a debugging line");
	for (i = '0'; i <= '9'; i++) {
		char line[16];

		if (i == '0' + LOG_INFO || i == '0' + LOG_WARNING ||
		    i == '0' + LOG_DEBUG)
			continue;
		snprintf(line, sizeof(line), "%cpanic", i);
		logrelay_line(line);
		is_str(next_msg(), "", "priority %c (%s) is refused", i,
		    i == '0' + LOG_EMERG ? "an emergency" : "not ours");
	}
	logrelay_line("");
	is_str(next_msg(), "", "an empty text is refused");
	logrelay_line("x6");
	is_str(next_msg(), "", "a text without a priority is refused");
	return done_testing();
}
