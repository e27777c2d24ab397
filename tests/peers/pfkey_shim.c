/*
 * pfkey_shim.c -- an LD_PRELOAD library that lets OpenIKED run as an IKE
 * peer in the tests on a kernel without PF_KEY (CONFIG_NET_KEY unset) and
 * without ESP.  Loaded into iked only (tests/cli/t_ike_peers.sh); never
 * part of the installed programs.
 *
 * - socket(PF_KEY, ...) returns an AF_UNIX datagram socket bound to an
 *   abstract name "pfkey-shim:PID:N" instead.
 * - A message iked writes (writev or write) to such a socket is answered
 *   at once, the way the kernel would: the request's header with errno 0
 *   and, for SADB_GETSPI, an SA extension carrying a fresh SPI.  The reply
 *   is sent to the socket's own address, so it is already queued when iked
 *   polls for it (iked waits 1 ms).  Nothing is installed anywhere: iked
 *   believes its CHILD_SAs are in the kernel.  iked passes the socket to
 *   its other processes; they recognise it by its name, so no state is
 *   kept here.
 * - setsockopt(IP_IPSEC_POLICY / IPV6_IPSEC_POLICY) succeeds: iked's
 *   per-socket IPsec bypass on its IKE sockets is a PF_KEY format policy,
 *   which this kernel refuses.
 *
 * PFKEY_SHIM_DEBUG=1 in the environment logs each message to stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#define SHIM_PF_KEY	15	/* PF_KEY */
#define SHIM_PREFIX	"pfkey-shim:"
#define SADB_V2		2
#define SADB_GETSPI_	1
#define SADB_EXT_SA_	1
#define SADB_MAXMSG	65536

/* RFC 2367 headers, as the kernel lays them out */
struct shim_sadb_msg {
	uint8_t  version, type, errnum, satype;
	uint16_t len;		/* in 8-byte units */
	uint16_t reserved;
	uint32_t seq, pid;
};
struct shim_sadb_sa {
	uint16_t len, exttype;
	uint32_t spi;		/* network order */
	uint8_t  replay, state, auth, encrypt;
	uint32_t flags;
};

static int (*real_socket)(int, int, int);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);

static void *
next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		fprintf(stderr, "pfkey-shim: no %s\n", name);
		abort();
	}
	return f;
}

static int
debug(void)
{
	const char *d = getenv("PFKEY_SHIM_DEBUG");

	return d != NULL && *d != '\0' && *d != '0';
}

/* is fd one of our sockets? its own address then goes to *sun */
static int
is_shim(int fd, struct sockaddr_un *sun, socklen_t *len)
{
	*len = sizeof(*sun);
	memset(sun, 0, sizeof(*sun));
	if (getsockname(fd, (struct sockaddr *)sun, len) != 0 ||
	    sun->sun_family != AF_UNIX)
		return 0;
	return *len > offsetof(struct sockaddr_un, sun_path) +
	    sizeof(SHIM_PREFIX) && sun->sun_path[0] == '\0' &&
	    memcmp(sun->sun_path + 1, SHIM_PREFIX,
	    sizeof(SHIM_PREFIX) - 1) == 0;
}

int
socket(int domain, int type, int protocol)
{
	static unsigned int n;
	struct sockaddr_un sun;
	socklen_t len;
	int fd, size = 1 << 20;

	if (real_socket == NULL)
		real_socket = next("socket");
	if (domain != SHIM_PF_KEY)
		return real_socket(domain, type, protocol);

	fd = real_socket(AF_UNIX, SOCK_DGRAM |
	    (type & (SOCK_NONBLOCK | SOCK_CLOEXEC)), 0);
	if (fd == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    (size_t)snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
	    SHIM_PREFIX "%ld:%u", (long)getpid(), n++));
	if (bind(fd, (struct sockaddr *)&sun, len) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (debug())
		fprintf(stderr, "pfkey-shim: PF_KEY socket is fd %d\n", fd);
	return fd;
}

/* answer one PF_KEY message the way the kernel would */
static void
answer(int fd, const struct sockaddr_un *self, socklen_t selflen,
    const unsigned char *msg, size_t len)
{
	struct {
		struct shim_sadb_msg h;
		struct shim_sadb_sa sa;
	} r;
	size_t rlen = sizeof(r.h);
	uint32_t spi = 0;

	if (len < sizeof(r.h))
		return;
	memcpy(&r.h, msg, sizeof(r.h));
	r.h.errnum = 0;
	if (r.h.type == SADB_GETSPI_) {
		/* fresh, non-zero, above the reserved range 1..255 */
		if (getrandom(&spi, sizeof(spi), 0) != sizeof(spi))
			spi = (uint32_t)getpid();
		spi = 0x1000u + (spi & 0x0fffffffu);
		memset(&r.sa, 0, sizeof(r.sa));
		r.sa.len = sizeof(r.sa) / 8;
		r.sa.exttype = SADB_EXT_SA_;
		r.sa.spi = htonl(spi);
		rlen += sizeof(r.sa);
	}
	r.h.len = (uint16_t)(rlen / 8);
	if (debug())
		fprintf(stderr, "pfkey-shim: type %u satype %u seq %u: ok\n",
		    r.h.type, r.h.satype, r.h.seq);
	(void)sendto(fd, &r, rlen, 0, (const struct sockaddr *)self, selflen);
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	static unsigned char buf[SADB_MAXMSG];
	struct sockaddr_un sun;
	socklen_t len;
	size_t n = 0;
	int i;

	if (real_writev == NULL)
		real_writev = next("writev");
	if (!is_shim(fd, &sun, &len))
		return real_writev(fd, iov, iovcnt);
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > sizeof(buf) - n) {
			errno = EMSGSIZE;
			return -1;
		}
		memcpy(buf + n, iov[i].iov_base, iov[i].iov_len);
		n += iov[i].iov_len;
	}
	answer(fd, &sun, len, buf, n);
	return (ssize_t)n;
}

ssize_t
write(int fd, const void *p, size_t n)
{
	struct sockaddr_un sun;
	socklen_t len;

	if (real_write == NULL)
		real_write = next("write");
	if (!is_shim(fd, &sun, &len))
		return real_write(fd, p, n);
	answer(fd, &sun, len, p, n);
	return (ssize_t)n;
}

int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	if (real_setsockopt == NULL)
		real_setsockopt = next("setsockopt");
	if ((level == IPPROTO_IP && name == IP_IPSEC_POLICY) ||
	    (level == IPPROTO_IPV6 && name == IPV6_IPSEC_POLICY)) {
		if (real_setsockopt(fd, level, name, val, len) != 0 &&
		    debug())
			fprintf(stderr, "pfkey-shim: IPsec policy bypass "
			    "on fd %d: %s (ignored)\n", fd, strerror(errno));
		return 0;
	}
	return real_setsockopt(fd, level, name, val, len);
}
