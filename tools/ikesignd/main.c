/*
 * main.c -- ikesignd(8): read the configuration, start the signer before
 * anything touches a token, open the sockets, then run the event loop
 * (IKE datagrams, control connections, timers, the key check).
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
#include <unistd.h>

#include "ikesignd.h"
#include "common/tool.h"

#define KEY_CHECK_S	2
#define RECV_BURST	64

static char *opt_config;
static int opt_debug, opt_check, opt_verbose, opt_version;
static volatile sig_atomic_t got_quit, got_hup;
static struct restart ikesignd_restart;

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
	if (sig == SIGHUP)
		got_hup = 1;
	else
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
	(void)sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
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
	return (int)n;
}

static void
do_reload(void)
{
	struct conf *nc;
	char err[512], text[600];
	int fd = ikesignd->reload_fd;

	ikesignd->reload = 0;
	ikesignd->reload_fd = -1;
	if ((nc = malloc(sizeof(*nc))) == NULL)
		return;
	if (conf_load(ikesignd->confpath, nc, err, sizeof(err)) != KS_OK) {
		log_warnx("reload failed, keeping the old configuration: %s",
		    err);
		snprintf(text, sizeof(text), "reload failed: %s\n", err);
		if (fd >= 0)
			control_reply(fd, KS_EINPUT, text);
		free(nc);
		return;
	}
	if (strcmp(nc->token, ikesignd->conf.token) != 0 ||
	    strcmp(nc->module, ikesignd->conf.module) != 0 ||
	    strcmp(nc->key, ikesignd->conf.key) != 0 ||
	    strcmp(nc->pin_source, ikesignd->conf.pin_source) != 0 ||
	    nc->listen.s_addr != ikesignd->conf.listen.s_addr ||
	    nc->port != ikesignd->conf.port ||
	    strcmp(nc->control, ikesignd->conf.control) != 0)
		log_warnx("reload: token, key, listen and control settings "
		    "take effect on restart");
	/* keep what only a restart changes */
	memcpy(nc->token, ikesignd->conf.token, sizeof(nc->token));
	memcpy(nc->module, ikesignd->conf.module, sizeof(nc->module));
	memcpy(nc->key, ikesignd->conf.key, sizeof(nc->key));
	memcpy(nc->pin_source, ikesignd->conf.pin_source,
	    sizeof(nc->pin_source));
	nc->listen = ikesignd->conf.listen;
	nc->port = ikesignd->conf.port;
	memcpy(nc->control, ikesignd->conf.control, sizeof(nc->control));
	ikesignd->conf = *nc;
	free(nc);
	(void)check_summary(&ikesignd->conf);
	log_info("configuration reloaded from %s", ikesignd->confpath);
	if (restart_reload(&ikesignd_restart, now_s())) {
		log_info("reload: starting the signer again");
		if (fd >= 0)
			control_reply(fd, 0, "configuration reloaded; "
			    "starting the signer again\n");
	} else if (fd >= 0)
		control_reply(fd, 0, "configuration reloaded\n");
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

/* A signer that died is replaced by the rules in restart.c. */
static void
start_signer(time_t *last)
{
	char err[512];
	ks_status st;

	if (!restart_due(&ikesignd_restart, now_s()))
		return;
	signer_stop();
	st = signer_start(&ikesignd->conf, err, sizeof(err));
	restart_result(&ikesignd_restart, now_s(), st, err);
	signer_set_status(ikesignd_restart.why);
	if (st != KS_OK)
		key_state(0, ikesignd_restart.why);
	*last = 0;	/* check the key at once */
}

static void
check_key(time_t *last)
{
	char err[512];
	time_t now = now_s();
	ks_status st;

	if (!signer_running()) {
		start_signer(last);
		if (!signer_running())
			return;
	}
	if (now - *last < KEY_CHECK_S)
		return;
	*last = now;
	st = signer_key_check(err, sizeof(err));
	if (st != KS_OK && !signer_running()) {
		restart_died(&ikesignd_restart, now, err);
		signer_set_status(ikesignd_restart.why);
	}
	key_state(st == KS_OK, err);
}

static void
event_loop(void)
{
	struct pollfd pfd[2];
	time_t last_check = now_s();
	int timeout;

	while (!got_quit) {
		if (got_hup) {
			got_hup = 0;
			ikesignd->reload = 1;
		}
		if (ikesignd->reload)
			do_reload();
		timeout = 1000;
		sa_timers(now_ms(), &timeout);
		pfd[0].fd = ikesignd->udp;
		pfd[0].events = POLLIN;
		pfd[1].fd = ikesignd->ctl;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR) {
			log_warnx("poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN)
			read_udp();
		if (pfd[1].revents & POLLIN)
			control_accept(ikesignd->ctl);
		check_key(&last_check);
	}
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
	(void)write(notify, buf, strlen(buf));
	close(notify);
}

static int
run(struct daemon *d)
{
	char err[512], msg[1024];
	int notify = -1, null;
	ks_status st;

	if (!opt_debug && background(&notify) != 0)
		return tool_fail(KS_EFAIL, "cannot fork: %s", strerror(errno));
	log_init(opt_debug, opt_verbose);
	signals();
	/* the signer forks before any PKCS#11 call */
	if ((st = signer_start(&d->conf, err, sizeof(err))) != KS_OK) {
		snprintf(msg, sizeof(msg), "cannot use key '%s': %s",
		    d->conf.key, err);
		ready(notify, (int)st, msg);
		return (int)st;
	}
	d->key_ok = 1;
	restart_init(&ikesignd_restart, now_s());
	signer_set_status(ikesignd_restart.why);
	if ((d->udp = net_open(d->conf.listen, d->conf.port)) < 0 ||
	    net_pktinfo(d->udp) != 0) {
		snprintf(msg, sizeof(msg), "cannot listen on UDP port %u: %s",
		    (unsigned)d->conf.port, strerror(errno));
		ready(notify, KS_EFAIL, msg);
		signer_stop();
		return KS_EFAIL;
	}
	if ((d->ctl = control_open(d->conf.control, err, sizeof(err))) < 0) {
		ready(notify, KS_EFAIL, err);
		signer_stop();
		return KS_EFAIL;
	}
	log_info("ikesignd started: key '%s', listening on UDP port %u, "
	    "control socket %s", d->conf.key, (unsigned)d->conf.port,
	    d->conf.control);
	ready(notify, 0, "");
	if (notify >= 0 && (null = open("/dev/null", O_RDWR)) >= 0) {
		(void)dup2(null, 0);
		(void)dup2(null, 1);
		(void)dup2(null, 2);
		if (null > 2)
			close(null);
	}
	event_loop();
	log_info("shutting down: deleting %d IKE SAs",
	    sa_clear_matching(NULL, NULL, "ikesignd is stopping"));
	{
		int t = 0;

		sa_timers(now_ms(), &t);	/* frees them */
	}
	control_close(d->ctl, d->conf.control);
	close(d->udp);
	signer_stop();
	alg_free();
	return 0;
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
		rc = check_summary(&d.conf);
		printf("%s: configuration OK: %d polic%s, %zu peer%s, key "
		    "'%s'\n", opt_config, rc, rc == 1 ? "y" : "ies",
		    d.conf.npeer, d.conf.npeer == 1 ? "" : "s", d.conf.key);
		return 0;
	}
	(void)check_summary(&d.conf);
	return run(&d);
}
