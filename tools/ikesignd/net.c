/*
 * net.c -- the UDP socket IKE runs over (IPv4, port 500 by default).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ikesignd.h"

int
net_open(struct in_addr addr, uint16_t port)
{
	struct sockaddr_in sin;
	int fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = addr;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
net_send(int fd, const struct sockaddr_in *to, const uint8_t *p, size_t len)
{
	ssize_t n;

	n = sendto(fd, p, len, 0, (const struct sockaddr *)to, sizeof(*to));
	if (n < 0 || (size_t)n != len)
		return -1;
	return 0;
}

/* The address the kernel would send from to reach remote. */
int
net_local_for(const struct sockaddr_in *remote, struct in_addr *local)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, rc = -1;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)remote, sizeof(*remote)) ==
	    0 && getsockname(fd, (struct sockaddr *)&sin, &len) == 0) {
		*local = sin.sin_addr;
		rc = 0;
	}
	close(fd);
	return rc;
}

/* Ask for the destination address of each datagram (IP_PKTINFO). */
int
net_pktinfo(int fd)
{
	int on = 1;

	return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
}

/* One datagram; to gets the address it was sent to. -1 when none. */
ssize_t
net_recv(int fd, uint8_t *buf, size_t len, struct sockaddr_in *from,
    struct sockaddr_in *to)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cbuf;
	struct cmsghdr *cm;
	struct in_pktinfo *pi;
	struct msghdr mh;
	struct iovec iov;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = len;
	mh.msg_name = from;
	mh.msg_namelen = sizeof(*from);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	if ((n = recvmsg(fd, &mh, 0)) < 0)
		return -1;
	if (mh.msg_namelen != sizeof(*from) || from->sin_family != AF_INET ||
	    (mh.msg_flags & MSG_TRUNC))
		return 0;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO) {
			pi = (struct in_pktinfo *)(void *)CMSG_DATA(cm);
			to->sin_addr = pi->ipi_addr;
		}
	return n;
}

/* The addresses an SA we initiate to peer uses: its port, and our listen
 * address or, listening on any, the one the route to it takes. */
int
net_endpoints(struct in_addr peer, uint16_t port, struct sockaddr_in *local,
    struct sockaddr_in *remote)
{
	memset(remote, 0, sizeof(*remote));
	remote->sin_family = AF_INET;
	remote->sin_addr = peer;
	remote->sin_port = htons(port);
	memset(local, 0, sizeof(*local));
	local->sin_family = AF_INET;
	local->sin_port = htons(ikesignd->conf.port);
	local->sin_addr = ikesignd->conf.listen;
	if (local->sin_addr.s_addr == htonl(INADDR_ANY) &&
	    net_local_for(remote, &local->sin_addr) != 0)
		return -1;
	return 0;
}
