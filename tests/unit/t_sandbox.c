/*
 * t_sandbox.c -- the network process's seccomp filter (sandbox_filter),
 * installed in a child: the file system is closed (open, openat, stat,
 * lstat, the C library's fstat, statx, access, faccessat: EACCES, for a
 * missing path as for an existing one), socket() makes IPv4 sockets only
 * (AF_UNIX, AF_INET6, AF_NETLINK: EACCES), ioctl answers ENOTTY; what the
 * network loop does still works: an IPv4 UDP socket connected for its
 * local address (net_local_for), lseek for a descriptor's size, write,
 * getrandom.  A call on neither list (readlink) kills the child with
 * SIGSYS, except under the sanitizers, where it is only logged.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "tools/ikesignd/ikesignd.h"
#include "tap.h"

#define PASSWD	"/etc/passwd"
#define MISSING	"/nonexistent/t_sandbox"
#define MEMFD_LEN	123

static int memfd = -1;

/* each probe: 0 when the call worked, else its errno */
static int
result(long rc)
{
	return rc < 0 ? errno : 0;
}

static int
sock(int domain, int type)
{
	int fd;

	if ((fd = socket(domain, type, 0)) < 0)
		return errno;
	close(fd);
	return 0;
}

static int
p_open(void)
{
	return result(open(PASSWD, O_RDONLY));
}

static int
p_open_sys(void)
{
#ifdef SYS_open
	return result(syscall(SYS_open, PASSWD, O_RDONLY));
#else
	return EACCES;	/* no open(2) here: openat only */
#endif
}

static int
p_openat(void)
{
	return result(openat(AT_FDCWD, PASSWD, O_RDONLY));
}

static int
stat_with(int (*fn)(const char *, struct stat *), const char *path)
{
	struct stat st;

	return result(fn(path, &st));
}

static int
p_stat(void)
{
	return stat_with(stat, PASSWD);
}

static int
p_stat_missing(void)
{
	return stat_with(stat, MISSING);
}

static int
p_lstat(void)
{
	return stat_with(lstat, PASSWD);
}

static int
p_fstat(void)
{
	struct stat st;

	return result(fstat(memfd, &st));
}

static int
p_statx(void)
{
	struct statx stx;

	return result(statx(AT_FDCWD, PASSWD, 0, STATX_BASIC_STATS, &stx));
}

static int
p_access(void)
{
	return result(access(PASSWD, R_OK));
}

static int
p_faccessat(void)
{
	return result(faccessat(AT_FDCWD, PASSWD, R_OK, 0));
}

static int
p_unix(void)
{
	return sock(AF_UNIX, SOCK_DGRAM);
}

static int
p_inet6(void)
{
	return sock(AF_INET6, SOCK_DGRAM);
}

static int
p_netlink(void)
{
	return sock(AF_NETLINK, SOCK_RAW);
}

static int
p_ioctl(void)
{
	struct winsize ws;

	return result(ioctl(memfd, TIOCGWINSZ, &ws));
}

/* what net_local_for does */
static int
p_inet(void)
{
	struct sockaddr_in sin, local;
	socklen_t len = sizeof(local);
	int fd, rc;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(500);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &len) != 0 ? errno : 0;
	close(fd);
	return rc;
}

static int
p_lseek(void)
{
	off_t end = lseek(memfd, 0, SEEK_END);

	return end < 0 ? errno : end == MEMFD_LEN ? 0 : -1;
}

static int
p_getrandom(void)
{
	unsigned char b[16];

	return getrandom(b, sizeof(b), 0) == (ssize_t)sizeof(b) ? 0 : errno;
}

static const struct {
	const char	*what;
	int		(*call)(void);
	int		 want;
} probes[] = {
	{ "open " PASSWD, p_open, EACCES },
	{ "open(2) itself, where there is one", p_open_sys, EACCES },
	{ "openat " PASSWD, p_openat, EACCES },
	{ "stat " PASSWD, p_stat, EACCES },
	{ "stat of a missing path: the same answer", p_stat_missing, EACCES },
	{ "lstat " PASSWD, p_lstat, EACCES },
	{ "the C library's fstat (newfstatat)", p_fstat, EACCES },
	{ "statx " PASSWD, p_statx, EACCES },
	{ "access " PASSWD, p_access, EACCES },
	{ "faccessat " PASSWD, p_faccessat, EACCES },
	{ "socket(AF_UNIX)", p_unix, EACCES },
	{ "socket(AF_INET6)", p_inet6, EACCES },
	{ "socket(AF_NETLINK)", p_netlink, EACCES },
	{ "ioctl", p_ioctl, ENOTTY },
	{ "socket(AF_INET), connect, getsockname", p_inet, 0 },
	{ "lseek for a descriptor's size", p_lseek, 0 },
	{ "getrandom", p_getrandom, 0 },
};
#define NPROBES	(sizeof(probes) / sizeof(probes[0]))

/* In a child: the filter, then FN; its exit status is FN's. */
static pid_t
sandboxed(int (*fn)(int), int arg)
{
	char err[256];
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) != 0)
		return pid;
	if (sandbox_filter(err, sizeof(err)) != 0) {
		fprintf(stderr, "t_sandbox: %s\n", err);
		_exit(2);
	}
	_exit(fn(arg));
}

/* the probes' answers into FD; a failed write shows as a short read */
static int
run_probes(int fd)
{
	int got[NPROBES];
	size_t i;

	for (i = 0; i < NPROBES; i++)
		got[i] = probes[i].call();
	return write(fd, got, sizeof(got)) == (ssize_t)sizeof(got) ? 0 : 3;
}

static int
run_readlink(int unused)
{
	char buf[64];

	(void)unused;
	return readlink("/proc/self/exe", buf, sizeof(buf)) < 0 ? 4 : 5;
}

static int
reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int
main(void)
{
	int got[NPROBES], fd[2], status;
	char pad[MEMFD_LEN];
	size_t i;
	pid_t pid;

	memset(pad, 'x', sizeof(pad));
	if ((memfd = memfd_create("t_sandbox", MFD_CLOEXEC)) < 0 ||
	    write(memfd, pad, sizeof(pad)) != (ssize_t)sizeof(pad) ||
	    pipe(fd) != 0) {
		printf("Bail out! memfd or pipe: %s\n", strerror(errno));
		return 1;
	}
	if ((pid = sandboxed(run_probes, fd[1])) < 0) {
		printf("Bail out! fork: %s\n", strerror(errno));
		return 1;
	}
	close(fd[1]);
	memset(got, 0xff, sizeof(got));
	ok(read(fd[0], got, sizeof(got)) == (ssize_t)sizeof(got),
	    "the filtered child reports every probe");
	close(fd[0]);
	status = reap(pid);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "and exits 0 (status %#x)", (unsigned)status);
	for (i = 0; i < NPROBES; i++)
		is_int(got[i], probes[i].want, "%s: %s", probes[i].what,
		    probes[i].want ? strerror(probes[i].want) : "works");

	status = reap(sandboxed(run_readlink, 0));
	if (sandbox_kills())
		ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
		    "readlink, on neither list, kills with SIGSYS (status %#x)",
		    (unsigned)status);
	else
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 5,
		    "readlink, on neither list, is only logged under the "
		    "sanitizers (status %#x)", (unsigned)status);
	return done_testing();
}
