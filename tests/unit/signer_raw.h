/*
 * signer_raw.h -- for unit tests that talk to a real ikesignd signer over
 * its socket: one raw request, bypassing the network-side checks.
 */
#ifndef SIGNER_RAW_H
#define SIGNER_RAW_H

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

/* One raw request to the signer; its status octet, or -1. */
static int
raw_call(int fd, const uint8_t *req, size_t len, char *msg, size_t msgsz)
{
	uint8_t resp[16384];
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;

	if (send(fd, req, len, 0) < 0 || poll(&pfd, 1, 15000) != 1 ||
	    (n = recv(fd, resp, sizeof(resp), 0)) <= 0)
		return -1;
	snprintf(msg, msgsz, "%.*s", (int)(n - 1), resp + 1);
	return resp[0];
}

#endif
