/*
 * ipc.c -- messages between ikesignd's privileged parent and its network
 * process: one SOCK_SEQPACKET datagram each, a type octet and a text of
 * at most IPC_MSG_MAX - 1 octets, with at most one descriptor
 * (SCM_RIGHTS).  The text that arrives is always NUL-terminated.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "ikesignd.h"

static int
send_frame(int sock, int type, const char *text, int fd, int flags)
{
	uint8_t msg[IPC_MSG_MAX];
	size_t len = strlen(text);

	if (len > sizeof(msg) - 1)
		len = sizeof(msg) - 1;
	msg[0] = (uint8_t)type;
	memcpy(msg + 1, text, len);
	return fdpass_send(sock, msg, len + 1, fd, flags) ==
	    (ssize_t)(len + 1) ? 0 : -1;
}

int
ipc_send(int sock, int type, const char *text, int fd)
{
	return send_frame(sock, type, text, fd, 0);
}

/* A message without a descriptor that is dropped (-1) rather than wait
 * when the other side's queue is full. */
int
ipc_post(int sock, int type, const char *text)
{
	return send_frame(sock, type, text, -1, MSG_DONTWAIT);
}

int
ipc_recv(int sock, int *type, char *text, size_t textsz, int *fd)
{
	uint8_t msg[IPC_MSG_MAX];
	ssize_t n;
	size_t len;

	if ((n = fdpass_recv(sock, msg, sizeof(msg), fd)) == 0)
		return 1;
	if (n < 0)
		return -1;
	*type = msg[0];
	len = (size_t)n - 1;
	if (len > textsz - 1)
		len = textsz - 1;
	memcpy(text, msg + 1, len);
	text[len] = '\0';
	return 0;
}
