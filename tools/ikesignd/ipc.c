/*
 * ipc.c -- messages between ikesignd's privileged parent and its network
 * process: one SOCK_SEQPACKET datagram each, a type octet and a text of
 * at most IPC_MSG_MAX - 1 octets, with at most one descriptor
 * (SCM_RIGHTS).  The text that arrives is always NUL-terminated.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ikesignd.h"

static int
send_frame(int sock, int type, const char *text, int fd, int flags)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	uint8_t msg[IPC_MSG_MAX];
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	size_t len = strlen(text);
	ssize_t n;

	if (len > sizeof(msg) - 1)
		len = sizeof(msg) - 1;
	msg[0] = (uint8_t)type;
	memcpy(msg + 1, text, len);
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = msg;
	iov.iov_len = len + 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)(len + 1) ? 0 : -1;
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
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	uint8_t msg[IPC_MSG_MAX];
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	ssize_t n;
	size_t len;

	*fd = -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = msg;
	iov.iov_len = sizeof(msg);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 1;
	if (n < 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)) && *fd < 0)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -1;
	}
	*type = msg[0];
	len = (size_t)n - 1;
	if (len > textsz - 1)
		len = textsz - 1;
	memcpy(text, msg + 1, len);
	text[len] = '\0';
	return 0;
}
