/*
 * fdpass.c -- one datagram on a Unix socket with at most one descriptor
 * (SCM_RIGHTS), each way: the messages between the parent and the
 * network process (ipc.c) and the signer's second socket ('Q': signer.c,
 * signer_client.c).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ikesignd.h"

union fd_cmsg {
	struct cmsghdr	hdr;
	uint8_t		buf[CMSG_SPACE(sizeof(int))];
};

/* mh for one datagram of len octets at buf, with room for one
 * descriptor in cbuf (cbuf NULL: none). */
static void
one_datagram(struct msghdr *mh, struct iovec *iov, void *buf, size_t len,
    union fd_cmsg *cbuf)
{
	memset(mh, 0, sizeof(*mh));
	iov->iov_base = buf;
	iov->iov_len = len;
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	if (cbuf != NULL) {
		memset(cbuf, 0, sizeof(*cbuf));
		mh->msg_control = cbuf->buf;
		mh->msg_controllen = sizeof(cbuf->buf);
	}
}

ssize_t
fdpass_send(int sock, const void *buf, size_t len, int fd, int flags)
{
	union fd_cmsg cbuf;
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	ssize_t n;

	one_datagram(&mh, &iov, (void *)(uintptr_t)buf, len,
	    fd >= 0 ? &cbuf : NULL);
	if (fd >= 0) {
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
	while (n < 0 && errno == EINTR);
	return n;
}

ssize_t
fdpass_recv(int sock, void *buf, size_t len, int *fd)
{
	union fd_cmsg cbuf;
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	ssize_t n;

	*fd = -1;
	one_datagram(&mh, &iov, buf, len, &cbuf);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)) && *fd < 0)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}
