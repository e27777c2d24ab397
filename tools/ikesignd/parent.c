/*
 * parent.c -- ikesignd's privileged parent (the OpenIKED shape).
 *
 * It holds the configuration and the right to start signers; it never
 * reads a packet.  It starts each new signer by restart.c's rules and
 * hands its socket to the network process (SCM_RIGHTS), re-reads the
 * configuration on SIGHUP or when the network process forwards an
 * ikesignctl reload (the parsed result goes over as a memfd), and at the
 * end stops both children and removes the control socket.  When the
 * network process dies, the daemon stops.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ikesignd.h"

#define CHILD_STOP_MS	10000	/* its Deletes, then SIGKILL */

struct parent {
	struct conf	*conf;
	const char	*confpath;
	int		 sock;		/* to the network process */
	pid_t		 child;
	pid_t		 signer;
	struct restart	 rs;
	int		 rc;
};

static volatile sig_atomic_t p_quit, p_hup, p_chld;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		p_hup = 1;
	else if (sig == SIGCHLD)
		p_chld = 1;
	else
		p_quit = 1;
}

/* Set as soon as the network process is forked: a SIGTERM that arrives
 * while it starts is not lost. */
void
parent_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		snprintf(buf, len, "killed by SIGSYS: a system call outside "
		    "its seccomp list (the kernel log names it)");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "stopped (status %#x)", (unsigned)status);
}

/* usable: 0 when new negotiations must be refused (no signer for now). */
static void
send_status(struct parent *p, int usable)
{
	char text[sizeof(p->rs.why) + 1];

	snprintf(text, sizeof(text), "%c%s", usable ? '+' : '-', p->rs.why);
	if (ipc_send(p->sock, IPC_STATUS, text, -1) != 0)
		log_warnx("cannot tell the network process: %s",
		    strerror(errno));
}

/*
 * The network process ended.  It exits 0 only when it was told to stop: a
 * SIGTERM of its own (systemd signals every process of the unit at once,
 * and that SIGCHLD may come before the parent's own SIGTERM is seen), or
 * the parent's socket closing.  Then the daemon stops cleanly; anything
 * else is a failure.
 */
static void
child_gone(struct parent *p, int status)
{
	char how[160];

	p_quit = 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("the network process (pid %ld) stopped; stopping",
		    (long)p->child);
		p->child = -1;
		return;
	}
	describe(status, how, sizeof(how));
	log_warnx("the network process (pid %ld) %s; stopping",
	    (long)p->child, how);
	p->child = -1;
	p->rc = 1;
}

static void
reap(struct parent *p)
{
	char how[160];
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		describe(status, how, sizeof(how));
		if (pid == p->child)
			child_gone(p, status);
		else if (pid == p->signer) {
			p->signer = -1;
			if (WIFEXITED(status) &&
			    WEXITSTATUS(status) == SIGNER_EXIT_LOST)
				snprintf(how, sizeof(how), "lost the token (the "
				    "module says the device, the token or the "
				    "session is gone)");
			restart_died(&p->rs, now_s(), how);
			send_status(p, 1);	/* the SAs stay up */
		}
	}
}

static void
start_signer(struct parent *p)
{
	char err[512], pid[32];
	ks_status st;
	pid_t spid;
	int fd;

	if (!restart_due(&p->rs, now_s()))
		return;
	st = signer_spawn(p->conf, &fd, &spid, err, sizeof(err));
	restart_result(&p->rs, now_s(), st, err);
	if (st == KS_OK) {
		p->signer = spid;
		snprintf(pid, sizeof(pid), "%ld", (long)spid);
		if (ipc_send(p->sock, IPC_SIGNER, pid, fd) != 0)
			log_warnx("cannot hand the signer to the network "
			    "process: %s", strerror(errno));
		close(fd);
	}
	send_status(p, st == KS_OK);
}

/* The parsed configuration for the network process, in a memfd. */
static int
conf_memfd(const struct conf *c)
{
	const uint8_t *b = (const uint8_t *)c;
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = memfd_create("ikesignd.conf", MFD_CLOEXEC)) < 0)
		return -1;
	while (off < sizeof(*c)) {
		if ((n = write(fd, b + off, sizeof(*c) - off)) <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return fd;
}

/* IPC_CONF_ERR: the status as a digit, then why. */
static void
conf_err(struct parent *p, ks_status st, const char *why)
{
	char text[IPC_MSG_MAX - 8];

	snprintf(text, sizeof(text), "%d%s", (int)st, why);
	(void)ipc_send(p->sock, IPC_CONF_ERR, text, -1);
}

/* What a signer is started from. */
static int
signer_conf_changed(const struct conf *nc, const struct conf *c)
{
	return strcmp(nc->token, c->token) != 0 ||
	    strcmp(nc->module, c->module) != 0 ||
	    strcmp(nc->key, c->key) != 0 ||
	    strcmp(nc->pin_source, c->pin_source) != 0 ||
	    nc->signer_workers != c->signer_workers;
}

/*
 * A reload that changes the token, module, key, PIN source or the number
 * of signer workers while a signer runs.  The order keeps a signer for
 * every request:
 *   1. a signer for the new settings starts beside the old one, logs in
 *      and finds the new key;
 *   2. it is handed to the network process, which waits for the
 *      signatures the old signer is making, lets go of it (it exits when
 *      its socket closes) and signs with the new one from its next
 *      request on.
 * When 1 fails, the whole reload is refused with the new signer's status
 * (3: no such key, 5: key locked, 6: PIN refused, 8: token failure) and
 * the old signer and configuration stay.  -1 then, with why in err.
 */
static int
switch_signer(struct parent *p, const struct conf *nc, ks_status *st,
    char *err, size_t errsz)
{
	char pid[32], why[512];
	pid_t spid;
	int fd;

	if ((*st = signer_spawn(nc, &fd, &spid, why, sizeof(why))) != KS_OK) {
		snprintf(err, errsz, "key '%s' on token '%s' cannot be used "
		    "(%.400s); the signer keeps key '%s'", nc->key, nc->token, why,
		    p->conf->key);
		return -1;
	}
	snprintf(pid, sizeof(pid), "%ld", (long)spid);
	if (ipc_send(p->sock, IPC_SIGNER, pid, fd) != 0) {
		close(fd);
		(void)kill(spid, SIGTERM);
		(void)waitpid(spid, NULL, 0);
		*st = KS_EFAIL;
		snprintf(err, errsz, "cannot hand the new signer to the "
		    "network process: %s", strerror(errno));
		return -1;
	}
	close(fd);
	log_info("reload: the signer for key '%s' (pid %ld) replaces the one "
	    "for key '%s' (pid %ld)", nc->key, (long)spid, p->conf->key,
	    (long)p->signer);
	p->signer = spid;	/* the old one is reaped as a stranger */
	restart_init(&p->rs, now_s());
	send_status(p, 1);
	return 0;
}

/* Settings that only a restart changes stay as they are. */
static void
keep_restart_only(struct conf *nc, const struct conf *c)
{
	if (nc->listen.s_addr != c->listen.s_addr || nc->port != c->port ||
	    strcmp(nc->control, c->control) != 0 ||
	    strcmp(nc->control_group, c->control_group) != 0 ||
	    strcmp(nc->user, c->user) != 0 ||
	    strcmp(nc->chroot_dir, c->chroot_dir) != 0)
		log_warnx("reload: listen, control, user and chroot settings "
		    "take effect on restart");
	nc->listen = c->listen;
	nc->port = c->port;
	memcpy(nc->control, c->control, sizeof(nc->control));
	memcpy(nc->control_group, c->control_group,
	    sizeof(nc->control_group));
	memcpy(nc->user, c->user, sizeof(nc->user));
	memcpy(nc->chroot_dir, c->chroot_dir, sizeof(nc->chroot_dir));
}

static void
reload(struct parent *p)
{
	struct conf *nc;
	char err[1024];
	ks_status st;
	int fd, again;

	if ((nc = malloc(sizeof(*nc))) == NULL) {
		conf_err(p, KS_EFAIL, "out of memory");
		return;
	}
	if (conf_load(p->confpath, nc, err, sizeof(err)) != KS_OK) {
		log_warnx("reload failed, keeping the old configuration: %s",
		    err);
		conf_err(p, KS_EINPUT, err);
		free(nc);
		return;
	}
	keep_restart_only(nc, p->conf);
	if (signer_conf_changed(nc, p->conf) && p->signer > 0 &&
	    switch_signer(p, nc, &st, err, sizeof(err)) != 0) {
		log_warnx("reload refused, keeping the old configuration: %s",
		    err);
		conf_err(p, st, err);
		free(nc);
		return;
	}
	*p->conf = *nc;
	free(nc);
	/* a running signer, also one just switched to, is not due again */
	if ((again = restart_reload(&p->rs, now_s())) != 0)
		log_info("reload: starting the signer again");
	if ((fd = conf_memfd(p->conf)) < 0) {
		log_warnx("reload: cannot pass the configuration on: %s",
		    strerror(errno));
		conf_err(p, KS_EFAIL, "cannot pass the configuration to the "
		    "network process");
		return;
	}
	(void)ipc_send(p->sock, IPC_CONF, again ? "; starting the signer "
	    "again" : "", fd);
	close(fd);
}

static void
from_child(struct parent *p)
{
	char text[IPC_MSG_MAX];
	int type, fd, rc, status;
	pid_t w = -1;

	rc = ipc_recv(p->sock, &type, text, sizeof(text), &fd);
	if (fd >= 0)
		close(fd);	/* the network process passes none */
	if (rc != 0) {
		/* its end closed: it is exiting or gone.  The SIGCHLD of its
		 * death may interrupt the wait, which must not lose the
		 * reason (reap() may also have had it already). */
		while (p->child > 0 && (w = waitpid(p->child, &status, 0)) < 0 &&
		    errno == EINTR)
			continue;
		if (p->child > 0 && w == p->child)
			child_gone(p, status);
		p_quit = 1;
		return;
	}
	if (type == IPC_LOG)
		logrelay_line(text);
	else if (type == IPC_RELOAD)
		reload(p);
}

/*
 * While the network process stops, its log lines (the rest of what it
 * says is moot): 1 when one was read, else 0 after waiting up to MS.
 */
static int
stopping_child_log(struct parent *p, int ms)
{
	struct pollfd pfd;
	char text[IPC_MSG_MAX];
	int type, fd;

	pfd.fd = p->sock;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) != 1)
		return 0;
	if (ipc_recv(p->sock, &type, text, sizeof(text), &fd) != 0) {
		(void)usleep((useconds_t)ms * 1000);	/* its end closed */
		return 0;
	}
	if (fd >= 0)
		close(fd);
	if (type == IPC_LOG)
		logrelay_line(text);
	return 1;
}

/* SIGTERM, its Deletes, and SIGKILL if it takes too long. */
static void
stop_child(struct parent *p)
{
	uint64_t deadline = now_ms() + CHILD_STOP_MS;
	int status;

	if (p->child <= 0)
		return;
	/* Without CAP_KILL (ikesignd.service's bounding set) the network
	 * process, another user's, cannot be signalled: the end of the IPC
	 * socket stops it the same way (from_parent in main.c); its log
	 * lines still come the other way. */
	if (kill(p->child, SIGTERM) != 0)
		(void)shutdown(p->sock, SHUT_WR);
	while (waitpid(p->child, &status, WNOHANG) != p->child) {
		if (now_ms() >= deadline) {
			/* if even this fails, its parent-death signal
			 * (sandbox.c) ends it */
			if (kill(p->child, SIGKILL) == 0)
				(void)waitpid(p->child, &status, 0);
			break;
		}
		(void)stopping_child_log(p, 50);
	}
	while (stopping_child_log(p, 0))
		;
}

int
parent_main(struct conf *c, const char *confpath, int sock, pid_t child,
    pid_t signer_pid)
{
	struct parent p;
	struct pollfd pfd;

	memset(&p, 0, sizeof(p));
	p.conf = c;
	p.confpath = confpath;
	p.sock = sock;
	p.child = child;
	p.signer = signer_pid;
	restart_init(&p.rs, now_s());
	p_chld = 1;	/* a child may have gone before the handler was set */
	while (!p_quit) {
		if (p_chld) {
			p_chld = 0;
			reap(&p);
		}
		if (p_hup) {
			p_hup = 0;
			reload(&p);
		}
		start_signer(&p);
		pfd.fd = sock;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			break;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
			from_child(&p);
	}
	stop_child(&p);
	if (p.signer > 0) {
		(void)kill(p.signer, SIGTERM);
		(void)waitpid(p.signer, NULL, 0);
	}
	control_close(-1, c->control);
	close(sock);
	return p.rc;
}
