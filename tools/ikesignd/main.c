/*
 * main.c -- ikesignd(8): read the configuration, start the signer before
 * anything touches a token, open the sockets, fork the network process
 * (which drops its privileges, see sandbox.c, and runs the event loop:
 * IKE datagrams, control connections, timers, the key check) and stay
 * as its privileged parent (parent.c).
 *
 *	ikesignd -f CONFIG [-d] [-n] [-v]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ikesignd.h"
#include "ikev2.h"
#include "common/tool.h"

#define KEY_CHECK_S	2
#define RECV_BURST	64

static char *opt_config;
static int opt_debug, opt_check, opt_verbose, opt_version;
#define CHILD_READY_MS	30000

static volatile sig_atomic_t got_quit;
static int parent_sock = -1;	/* the network process's end */

static struct poptOption options[] = {
	{ "config", 'f', POPT_ARG_STRING, &opt_config, 0,
	  "configuration file (ikesignd.conf(5))", "FILE" },
	{ "debug", 'd', POPT_ARG_NONE, &opt_debug, 0,
	  "stay in the foreground and log to stderr", NULL },
	{ "check", 'n', POPT_ARG_NONE, &opt_check, 0,
	  "check the configuration and exit", NULL },
	{ "verbose", 'v', POPT_ARG_NONE, &opt_verbose, 0,
	  "log every message and decision", NULL },
	{ "version", '\0', POPT_ARG_NONE, &opt_version, 0,
	  "print the version and exit", NULL },
	POPT_AUTOHELP
	POPT_TABLEEND
};

static void
on_signal(int sig)
{
	(void)sig;
	got_quit = 1;
}

static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);	/* the parent's: it reloads */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
}

/* Pre-shared keys with Aggressive Mode accepted: its responder's answer
 * lets a listener test guesses of the PSK offline (ikesignd.conf(5)). */
static void
check_psk(const struct conf *c, const struct policy *pols, size_t n)
{
	size_t i;

	if (c->aggressive_off)
		return;
	for (i = 0; i < n; i++)
		if (pols[i].auth == IKE_AUTH_PSK)
			break;
	if (i == n)
		return;
	log_warnx("%s: warning: pre-shared keys with Aggressive Mode on: "
	    "policy %u authenticates with pre-share and 'crypto isakmp "
	    "aggressive-mode disable' is not set; see ikesignd.conf(5)",
	    c->path, pols[i].prio);
}

static int
check_summary(const struct conf *c)
{
	struct policy pols[CONF_POLICY_MAX];
	size_t n = conf_policies(c, pols, CONF_POLICY_MAX), i;

	for (i = 0; i < n; i++)
		if (alg_cipher(alg_enc(pols[i].enc, pols[i].keybits)) == NULL)
			log_warnx("%s: policy %u: this OpenSSL has no %s; the "
			    "policy never matches", c->path, pols[i].prio,
			    alg_enc(pols[i].enc, pols[i].keybits)->name);
	if (n == 0)
		log_warnx("%s: no isakmp policy and 'no crypto isakmp default "
		    "policy': every negotiation fails", c->path);
	else if (c->npol == 0)
		log_info("%s: no isakmp policy configured: using the IOS "
		    "default policies", c->path);
	if (c->npeer == 0)
		log_warnx("%s: no peer lines: every peer is refused", c->path);
	check_psk(c, pols, n);
	return (int)n;
}

struct ring_probe {
	ks_ctx	*ctx;
	char	 err[640];
};

static ks_status
ring_on_token(const char *ring, const char *who, void *arg)
{
	struct ring_probe *rp = arg;
	ks_status st;

	if (ring[0] == '\0' || strcmp(ring, KS_KEYRING_DEFAULT) == 0)
		return KS_OK;	/* always there */
	if ((st = ks_keyring_exists(rp->ctx, ring)) != KS_OK)
		snprintf(rp->err, sizeof(rp->err), "%s names keyring '%s': "
		    "%.500s", who, ring, ks_ctx_error(rp->ctx));
	return st;
}

/*
 * -n: the keyrings the configuration names are on the token.  Keyrings
 * are public objects, so this needs no login and no PIN.  A token that
 * cannot be reached is only a warning (the start checks again); a
 * missing keyring is an error.  0, or the exit status.
 */
/* Does the configuration name a keyring other than "default"? */
static ks_status
ring_named(const char *ring, const char *who, void *arg)
{
	(void)who;
	if (ring[0] != '\0' && strcmp(ring, KS_KEYRING_DEFAULT) != 0)
		*(int *)arg = 1;
	return KS_OK;
}

static int
check_keyrings(const struct conf *c)
{
	struct ring_probe rp;
	ks_status st;
	int named = 0;

	/* "default" is always there: no token to open for it */
	(void)conf_keyrings(c, ring_named, &named);
	if (!named)
		return 0;
	memset(&rp, 0, sizeof(rp));
	if (ks_ctx_new(&rp.ctx) != KS_OK)
		return tool_fail(KS_EFAIL, "out of memory");
	if ((st = ks_ctx_set_module(rp.ctx, c->module[0] != '\0' ?
	    c->module : NULL)) != KS_OK ||
	    (st = ks_ctx_set_token(rp.ctx, c->token[0] != '\0' ? c->token :
	    NULL)) != KS_OK ||
	    (st = ks_ctx_open(rp.ctx, 0)) != KS_OK) {
		log_warnx("%s: warning: the keyrings were not checked: %s; "
		    "ikesignd checks them when it starts", c->path,
		    ks_ctx_error(rp.ctx));
		ks_ctx_free(rp.ctx);
		return 0;
	}
	st = conf_keyrings(c, ring_on_token, &rp);
	ks_ctx_free(rp.ctx);
	if (st != KS_OK)
		return tool_fail(st, "%s: %s", c->path, rp.err);
	return 0;
}

/* The parent's answer to a reload: a memfd with the parsed struct conf.
 * Its size comes from lseek: the sandbox refuses the C library's fstat. */
static void
conf_received(int fd, const char *note)
{
	struct conf *nc;
	char text[400], why[512];
	size_t off = 0;
	ssize_t n;
	ks_status st;
	int rfd = ikesignd->reload_fd;

	ikesignd->reload_fd = -1;
	if (lseek(fd, 0, SEEK_END) != (off_t)sizeof(*nc) ||
	    (nc = malloc(sizeof(*nc))) == NULL) {
		log_warnx("reload: the parent's configuration is unusable");
		if (rfd >= 0)
			control_reply(rfd, KS_EFAIL, "reload failed\n");
		return;
	}
	while (off < sizeof(*nc) && (n = pread(fd, (uint8_t *)nc + off,
	    sizeof(*nc) - off, (off_t)off)) > 0)
		off += (size_t)n;
	if (off == sizeof(*nc) && (st = signer_check_keyrings_now(nc, why,
	    sizeof(why))) != KS_OK && st != KS_ETOKEN) {
		/* a keyring the new file names is not on the token */
		free(nc);
		log_warnx("reload refused: %s", why);
		snprintf(text, sizeof(text), "reload failed: %.300s\n", why);
		if (rfd >= 0)
			control_reply(rfd, st, text);
		return;
	}
	if (off == sizeof(*nc)) {
		ikesignd->conf = *nc;
		(void)check_summary(&ikesignd->conf);
		log_info("configuration reloaded from %s", ikesignd->confpath);
	}
	free(nc);
	snprintf(text, sizeof(text), "%s%.100s\n", off == sizeof(*nc) ?
	    "configuration reloaded" : "reload failed", note);
	if (rfd >= 0)
		control_reply(rfd, off == sizeof(*nc) ? 0 : KS_EFAIL, text);
}

static void
conf_refused(ks_status st, const char *err)
{
	char text[600];

	snprintf(text, sizeof(text), "reload failed: %.500s\n", err);
	if (ikesignd->reload_fd >= 0)
		control_reply(ikesignd->reload_fd, st, text);
	ikesignd->reload_fd = -1;
}

/* No signer can be started for now: new negotiations are refused (logged
 * once); the established SAs need no signer and stay up. */
static void
signer_unusable(const char *why)
{
	if (!ikesignd->key_ok)
		return;
	ikesignd->key_ok = 0;
	log_warnx("refusing new IKE SAs: the signer %s; established SAs stay "
	    "up", why);
}

/* A message from the privileged parent. */
static void
from_parent(time_t *last_check)
{
	char text[IPC_MSG_MAX];
	int type, fd, rc;

	if ((rc = ipc_recv(parent_sock, &type, text, sizeof(text), &fd)) !=
	    0) {
		if (rc > 0)
			log_warnx("the parent went away; stopping");
		got_quit = 1;
		return;
	}
	switch (type) {
	case IPC_SIGNER:
		if (fd < 0)
			break;
		signer_use(fd, strtol(text, NULL, 10));
		fd = -1;
		*last_check = 0;	/* check the key at once */
		break;
	case IPC_STATUS:	/* '+' or '-' (refuse new SAs), then why */
		signer_set_status(text[0] != '\0' ? text + 1 : text);
		if (text[0] == '-')
			signer_unusable(text + 1);
		break;
	case IPC_CONF:
		if (fd >= 0)
			conf_received(fd, text);
		break;
	case IPC_CONF_ERR:
		/* its status digit, then why */
		if (text[0] >= '1' && text[0] <= '9')
			conf_refused((ks_status)(text[0] - '0'), text + 1);
		else
			conf_refused(KS_EFAIL, text);
		break;
	default:
		break;
	}
	if (fd >= 0)
		close(fd);
}

static void
read_udp(void)
{
	static uint8_t buf[IKE_RECV_MAX];
	struct sockaddr_in from, to;
	ssize_t n;
	int i;

	for (i = 0; i < RECV_BURST; i++) {
		memset(&from, 0, sizeof(from));
		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		to.sin_addr = ikesignd->conf.listen;
		to.sin_port = htons(ikesignd->conf.port);
		n = net_recv(ikesignd->udp, buf, sizeof(buf), &from, &to);
		if (n < 0)
			break;
		if (n > 0)
			ike_input(buf, (size_t)n, &from, &to);
	}
}

/* The answer to check_key's question. */
static void
key_checked(ks_status st, int curve, const char *err)
{
	if (st == KS_OK)
		ikesignd->key_curve = curve;
	key_state(st == KS_OK, err);
}

/* The parent replaces a signer that died (restart.c) and says so; here
 * only the key's state is followed, asked for without waiting, so that a
 * token busy with something else never stops the network process.  The
 * SAs outlive a signer. */
static void
check_key(time_t *last)
{
	time_t now = now_s();

	if (!signer_running() || now - *last < KEY_CHECK_S)
		return;
	*last = now;
	signer_key_check_async(key_checked);
}

/* Until asked to stop (0), or poll fails (1). */
static int
event_loop(void)
{
	struct pollfd pfd[5];
	time_t last_check = 0;	/* the key at once: also the signer's workers */
	int timeout;

	while (!got_quit) {
		if (ikesignd->reload) {
			ikesignd->reload = 0;
			if (ipc_send(parent_sock, IPC_RELOAD, "", -1) != 0)
				conf_refused(KS_EFAIL, "the parent does not answer");
		}
		timeout = 1000;
		sa_timers(now_ms(), &timeout);
		pfd[0].fd = ikesignd->udp;
		pfd[0].events = POLLIN;
		pfd[1].fd = ikesignd->ctl;
		pfd[1].events = POLLIN;
		pfd[2].fd = parent_sock;
		pfd[2].events = POLLIN;
		/* the signer's two sockets; -1: none, not polled */
		pfd[3].fd = signer_fd_get();
		pfd[3].events = POLLIN;
		pfd[4].fd = signer_short_fd_get();
		pfd[4].events = POLLIN;
		if (poll(pfd, 5, timeout) < 0 && errno != EINTR) {
			log_warnx("poll: %s", strerror(errno));
			return 1;
		}
		/* the signer's answers first: they finish handshakes */
		signer_collect(pfd[3].revents & (POLLIN | POLLHUP | POLLERR),
		    pfd[4].revents & (POLLIN | POLLHUP | POLLERR));
		signer_run_ready();
		if (pfd[0].revents & POLLIN)
			read_udp();
		if (pfd[1].revents & POLLIN)
			control_accept(ikesignd->ctl);
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))
			from_parent(&last_check);
		check_key(&last_check);
		/* answers that came while another request waited */
		signer_run_ready();
	}
	return 0;
}

/* Background mode: the parent waits for the child to say it is ready. */
static int
background(int *notify)
{
	char buf[1100];
	ssize_t n;
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		(void)setsid();
		*notify = p[1];
		return 0;
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	if (n <= 0)
		exit(1);
	buf[n] = '\0';
	status = buf[0] - '0';
	if (n > 2)
		fprintf(stderr, "ikesignd: %s\n", buf + 2);
	exit(status);
}

static void
ready(int notify, int st, const char *msg)
{
	char buf[1100];

	if (notify < 0) {
		if (st != 0)
			fprintf(stderr, "ikesignd: %s\n", msg);
		return;
	}
	snprintf(buf, sizeof(buf), "%d %s", st, st != 0 ? msg : "");
	/* a failed write leaves the waiting parent an EOF: it exits 1 */
	if (write(notify, buf, strlen(buf)) < 0)
		log_warnx("cannot tell the starting process: %s",
		    strerror(errno));
	close(notify);
}

static void
stdio_null(void)
{
	int null;

	if ((null = open("/dev/null", O_RDWR)) < 0)
		return;
	(void)dup2(null, 0);
	(void)dup2(null, 1);
	(void)dup2(null, 2);
	if (null > 2)
		close(null);
}

/*
 * The network process: sandboxed, then the event loop.  Under the
 * sanitizers it leaves with _exit: LeakSanitizer's check at exit reads
 * /proc, which the seccomp filter does not let it open, and would fail.
 */
static void
network_main(struct daemon *d, const struct sandbox *sb, int notify)
{
	char err[512];
	int t = 0, rc;

	if (notify >= 0) {
		close(notify);
		stdio_null();
	}
	signals();
	logrelay_start(parent_sock);	/* outside -d: no syslog socket */
	if (sandbox_enter(sb, err, sizeof(err)) != 0) {
		(void)ipc_send(parent_sock, IPC_FAILED, err, -1);
		_exit(1);
	}
	log_info("ikesignd started: key '%s', listening on UDP port %u, "
	    "control socket %s; network process pid %ld as uid %ld",
	    d->conf.key, (unsigned)d->conf.port, d->conf.control,
	    (long)getpid(), (long)getuid());
	(void)ipc_send(parent_sock, IPC_READY, "", -1);
	rc = event_loop();
	log_info("shutting down: deleting %d IKE SAs",
	    sa_clear_matching(NULL, NULL, "ikesignd is stopping"));
	sa_timers(now_ms(), &t);	/* frees them */
	close(d->ctl);
	close(d->udp);
	signer_stop();
	close(parent_sock);
	alg_free();
	ikev2_alg_free();
	/* 0 only when asked to stop: the parent then stops cleanly too */
#if defined(__SANITIZE_ADDRESS__)
	_exit(rc);
#else
	exit(rc);
#endif
}

/* The first word from the network process: sandboxed, or why not (its log
 * lines before it are passed on). */
static int
child_ready(char *err, size_t errsz)
{
	struct pollfd pfd;
	int type, fd, rc;

	pfd.fd = parent_sock;
	pfd.events = POLLIN;
	do {
		while ((rc = poll(&pfd, 1, CHILD_READY_MS)) < 0 &&
		    errno == EINTR)
			;
		if (rc != 1 ||
		    ipc_recv(parent_sock, &type, err, errsz, &fd) != 0) {
			snprintf(err, errsz, "the network process did not "
			    "start");
			return -1;
		}
		if (fd >= 0)
			close(fd);
		if (type == IPC_LOG)
			logrelay_line(err);
	} while (type == IPC_LOG);
	return type == IPC_READY ? 0 : -1;
}

static int
start_failed(int notify, int st, const char *msg, int sfd, pid_t spid)
{
	ready(notify, st, msg);
	if (sfd >= 0)
		close(sfd);	/* the signer exits when its socket closes */
	if (spid > 0)
		(void)waitpid(spid, NULL, 0);
	return st;
}

static int
run(struct daemon *d)
{
	struct sandbox sb;
	char err[512], msg[1024];
	int notify = -1, sv[2], sfd, rc;
	pid_t spid, child;
	ks_status st;

	if (!opt_debug && background(&notify) != 0)
		return tool_fail(KS_EFAIL, "cannot fork: %s", strerror(errno));
	log_init(opt_debug, opt_verbose);
	signals();
	sandbox_nocore();	/* the parent reads the PIN source's name */
	/* the signer forks before any PKCS#11 call */
	if ((st = signer_spawn(&d->conf, &sfd, &spid, err, sizeof(err))) !=
	    KS_OK) {
		snprintf(msg, sizeof(msg), "cannot use key '%s': %s",
		    d->conf.key, err);
		return start_failed(notify, (int)st, msg, -1, -1);
	}
	/* the keyrings the configuration names (-n does not open the token) */
	if ((st = signer_check_keyrings(sfd, &d->conf, err, sizeof(err))) !=
	    KS_OK)
		return start_failed(notify, (int)st, err, sfd, spid);
	if ((st = signer_key_check_fd(sfd, &d->key_curve, err, sizeof(err))) !=
	    KS_OK)
		return start_failed(notify, (int)st, err, sfd, spid);
	d->key_ok = 1;
	signer_set_status("running");
	if ((d->udp = net_open(d->conf.listen, d->conf.port)) < 0 ||
	    net_pktinfo(d->udp) != 0) {
		snprintf(msg, sizeof(msg), "cannot listen on UDP port %u: %s",
		    (unsigned)d->conf.port, strerror(errno));
		return start_failed(notify, KS_EFAIL, msg, sfd, spid);
	}
	if ((d->ctl = control_open(d->conf.control, err, sizeof(err))) < 0)
		return start_failed(notify, KS_EFAIL, err, sfd, spid);
	if (sandbox_prepare(&d->conf, &sb, err, sizeof(err)) != 0 ||
	    control_access(d->conf.control, &sb,
	    d->conf.control_group, err, sizeof(err)) != 0) {
		control_close(d->ctl, d->conf.control);
		return start_failed(notify, KS_EFAIL, err, sfd, spid);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
	    (child = fork()) < 0) {
		snprintf(msg, sizeof(msg), "cannot start the network process: "
		    "%s", strerror(errno));
		control_close(d->ctl, d->conf.control);
		return start_failed(notify, KS_EFAIL, msg, sfd, spid);
	}
	if (child == 0) {
		close(sv[0]);
		parent_sock = sv[1];
		signer_use(sfd, (long)spid);
		network_main(d, &sb, notify);
	}
	parent_signals();
	close(sv[1]);
	parent_sock = sv[0];
	close(sfd);
	close(d->udp);
	close(d->ctl);
	if (child_ready(err, sizeof(err)) != 0) {
		(void)kill(child, SIGKILL);
		(void)waitpid(child, NULL, 0);
		control_close(-1, d->conf.control);
		return start_failed(notify, KS_EFAIL, err, -1, spid);
	}
	ready(notify, 0, "");
	if (notify >= 0)
		stdio_null();
	rc = parent_main(&d->conf, d->confpath, parent_sock, child, spid);
	alg_free();
	ikev2_alg_free();
	return rc;
}

int
main(int argc, const char **argv)
{
	static struct daemon d;
	poptContext pc;
	char err[512];
	ks_status st;
	int rc;

	tool_progname = "ikesignd";
	pc = poptGetContext("ikesignd", argc, argv, options, 0);
	poptSetOtherOptionHelp(pc, "-f CONFIG [-d] [-n] [-v]");
	if ((rc = poptGetNextOpt(pc)) < -1) {
		rc = tool_popt_fail(pc, rc);
		poptFreeContext(pc);
		return rc;
	}
	if (opt_version) {
		printf("ikesignd %s\n", PACKAGE_VERSION);
		poptFreeContext(pc);
		return 0;
	}
	if (opt_config == NULL || poptPeekArg(pc) != NULL) {
		poptFreeContext(pc);
		return tool_fail(KS_EUSAGE, "usage: ikesignd -f CONFIG [-d] "
		    "[-n] [-v] (see --help)");
	}
	poptFreeContext(pc);
	log_init(1, opt_verbose);
	memset(&d, 0, sizeof(d));
	TAILQ_INIT(&d.sas);
	d.next_conn_id = 1001;
	d.udp = d.ctl = d.reload_fd = -1;
	ikesignd = &d;
	snprintf(d.confpath, sizeof(d.confpath), "%s", opt_config);
	if ((st = conf_load(opt_config, &d.conf, err, sizeof(err))) != KS_OK)
		return tool_fail(st, "%s", err);
	if (opt_check) {
		if ((rc = check_keyrings(&d.conf)) != 0)
			return rc;
		rc = check_summary(&d.conf);
		printf("%s: configuration OK: %d polic%s, %zu peer%s, key "
		    "'%s'\n", opt_config, rc, rc == 1 ? "y" : "ies",
		    d.conf.npeer, d.conf.npeer == 1 ? "" : "s", d.conf.key);
		return 0;
	}
	(void)check_summary(&d.conf);
	return run(&d);
}
