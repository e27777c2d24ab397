/*
 * control.c -- the control socket ikesignctl(8) talks to: a unix stream
 * socket (mode 0600, or 0660 with the control-group), one request line
 * per connection, answered with a status line ("0" or an exit code) and
 * text, then closed.  "initiate" answers once the negotiation is over.
 * Who may talk is checked on every connection with SO_PEERCRED: root,
 * the daemon's own user, or a member of the control-group (resolved
 * before the network process drops its privileges), whatever the file's
 * mode says.
 *
 *	show sa | show sa json | show half-open [json] | initiate PEER |
 *	clear sa [PEER] | reload
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ikesignd.h"
#include "common/tool.h"

#define CTL_LINE_MAX	512

static struct {
	uid_t	 self;
	int	 have_group;
	gid_t	 group;
	char	 name[64];
	uid_t	 members[SANDBOX_MEMBERS_MAX];
	size_t	 nmembers;
} acl;

/* Who may connect; the socket file goes to root:GROUP 0660 with a group. */
int
control_access(const char *path, const struct sandbox *sb,
    const char *group, char *err, size_t errsz)
{
	memset(&acl, 0, sizeof(acl));
	acl.self = getuid();
	acl.have_group = sb->have_group;
	acl.group = sb->group;
	snprintf(acl.name, sizeof(acl.name), "%s", group);
	acl.nmembers = sb->nmembers;
	memcpy(acl.members, sb->members, sb->nmembers * sizeof(uid_t));
	if (!acl.have_group)
		return 0;
	if (chown(path, (uid_t)-1, acl.group) != 0 || chmod(path, 0660) != 0) {
		snprintf(err, errsz, "control socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* 1 when the peer may talk to us, else 0 with the reason in why. */
static int
peer_allowed(int fd, char *why, size_t whysz)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	size_t i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0 ||
	    len != sizeof(uc)) {
		snprintf(why, whysz, "cannot tell who is asking");
		return 0;
	}
	if (uc.uid == 0 || uc.uid == acl.self)
		return 1;
	if (acl.have_group) {
		if (uc.gid == acl.group)
			return 1;
		for (i = 0; i < acl.nmembers; i++)
			if (acl.members[i] == uc.uid)
				return 1;
	}
	snprintf(why, whysz, "uid %ld is neither root nor in the "
	    "control-group%s%s", (long)uc.uid, acl.have_group ? " " : "",
	    acl.have_group ? acl.name : " (none is configured)");
	return 0;
}

/* A socket left by an earlier run is replaced; anything else is kept. */
static int
control_clear(const char *path, char *err, size_t errsz)
{
	struct stat sb;

	if (lstat(path, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(err, errsz, "%s exists and is not a socket; not "
		    "removing it (move it away or set another 'control' "
		    "path)", path);
		return -1;
	}
	if (unlink(path) != 0) {
		snprintf(err, errsz, "cannot remove the old socket %s: %s",
		    path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The socket's directory (the default's, /run/ikesignd, which systemd's
 * RuntimeDirectory= also makes) is created 0755 when it is missing. */
static int
control_dir(const char *path, char *err, size_t errsz)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	struct stat sb;

	if (slash == NULL || slash == path)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &sb) == 0 || errno != ENOENT)
		return 0;	/* bind says what is wrong, if anything */
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "cannot create the control socket's "
		    "directory %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
control_open(const char *path, char *err, size_t errsz)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errsz, "control socket path %s is too long",
		    path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (control_dir(path, err, errsz) != 0 ||
	    control_clear(path, err, errsz) != 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(fd, 16) != 0) {
		snprintf(err, errsz, "cannot create control socket %s: %s",
		    path, strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

/* At exit: only the socket this daemon made (it may have been replaced). */
void
control_close(int fd, const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
		(void)unlink(path);
	if (fd >= 0)
		close(fd);
}

void
control_reply(int fd, int rc, const char *text)
{
	char head[16];
	size_t len = strlen(text), off = 0;
	ssize_t n;

	snprintf(head, sizeof(head), "%d\n", rc);
	if (write(fd, head, strlen(head)) < 0) {
		close(fd);
		return;
	}
	while (off < len && (n = write(fd, text + off, len - off)) > 0)
		off += (size_t)n;
	close(fd);
}

static void
hms(char *buf, size_t len, long s)
{
	if (s < 0)
		s = 0;
	snprintf(buf, len, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

static void
hex(char *out, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void
show_json(FILE *f)
{
	const struct ike_sa *sa;
	struct sa_view v;
	char dst[INET_ADDRSTRLEN], src[INET_ADDRSTRLEN];
	char spii[2 * IKE_COOKIE_LEN + 1], spir[2 * IKE_COOKIE_LEN + 1];
	time_t now = now_s();
	int first = 1;

	fputc('[', f);
	TAILQ_FOREACH(sa, &ikesignd->sas, entry) {
		if (sa->state == MM_DEAD)
			continue;
		inet_ntop(AF_INET, sa->initiator ? &sa->remote.sin_addr :
		    &sa->local.sin_addr, dst, sizeof(dst));
		inet_ntop(AF_INET, sa->initiator ? &sa->local.sin_addr :
		    &sa->remote.sin_addr, src, sizeof(src));
		sa->ops->view(sa, &v);
		hex(spii, sa->icky, IKE_COOKIE_LEN);
		hex(spir, sa->rcky, IKE_COOKIE_LEN);
		fprintf(f, "%s\n  {\"dst\": \"%s\", \"src\": \"%s\", "
		    "\"state\": \"%s\", \"conn_id\": %u, \"status\": \"%s\", "
		    "\"version\": %d, \"role\": \"%s\", \"spi_i\": \"%s\", "
		    "\"spi_r\": \"%s\", \"peer\": ",
		    first ? "" : ",", dst, src, sa_state_name(sa),
		    sa->conn_id, sa->state == QM_IDLE ? "ACTIVE" : "",
		    sa->version, sa->initiator ? "initiator" : "responder",
		    spii, spir);
		json_string(f, sa->peer_name);
		fputs(", \"peer_id\": ", f);
		json_string(f, sa->peer_id);
		fputs(", \"key\": ", f);
		json_string(f, sa->key);
		fputs(", \"keyring\": ", f);
		json_string(f, sa->keyring);
		fputs(", \"auth\": ", f);
		json_string(f, v.auth);
		fprintf(f, ", \"encryption\": \"%s\", \"%s\": \"%s\", ",
		    v.encryption, sa->version == 1 ? "hash" : "integrity",
		    v.integrity);
		if (sa->version == 2)
			fprintf(f, "\"prf\": \"%s\", ", v.prf);
		fprintf(f, "\"group\": %d, \"lifetime\": %u, "
		    "\"lifetime_left\": %ld}", v.group, (unsigned)v.lifetime,
		    sa->state == QM_IDLE ? (long)(sa->expires - now) : 0L);
		first = 0;
	}
	fputs(first ? "]\n" : "\n]\n", f);
}

static void
show_text(FILE *f)
{
	const struct ike_sa *sa;
	char dst[INET_ADDRSTRLEN], src[INET_ADDRSTRLEN], left[32], ver[8];
	time_t now = now_s();

	fprintf(f, "IPv4 Crypto ISAKMP SA\n");
	fprintf(f, "%-15s %-15s %-14s %7s %-7s %-7s %-20s %s\n", "dst", "src",
	    "state", "conn-id", "status", "version", "key", "lifetime");
	TAILQ_FOREACH(sa, &ikesignd->sas, entry) {
		if (sa->state == MM_DEAD)
			continue;
		inet_ntop(AF_INET, sa->initiator ? &sa->remote.sin_addr :
		    &sa->local.sin_addr, dst, sizeof(dst));
		inet_ntop(AF_INET, sa->initiator ? &sa->local.sin_addr :
		    &sa->remote.sin_addr, src, sizeof(src));
		if (sa->state == QM_IDLE)
			hms(left, sizeof(left), (long)(sa->expires - now));
		else
			snprintf(left, sizeof(left), "-");
		snprintf(ver, sizeof(ver), "IKEv%d", sa->version);
		fprintf(f, "%-15s %-15s %-14s %7u %-7s %-7s %-20s %s\n", dst,
		    src, sa_state_name(sa), sa->conn_id,
		    sa->state == QM_IDLE ? "ACTIVE" : "", ver, sa->key, left);
	}
}

/* Last in the text form: the signer's state and who runs what. */
static void
show_processes(FILE *f)
{
	unsigned w = signer_workers_get(), nask, nqueue;

	signer_counts(&nask, &nqueue);
	fprintf(f, "\nsigner: %s", signer_status());
	if (signer_running() && w > 0)
		fprintf(f, ", %u worker%s", w, w == 1 ? "" : "s");
	if (nask > 0 || nqueue > 0)
		fprintf(f, "; signatures: %u being made, %u waiting", nask,
		    nqueue);
	fprintf(f, "\n");
	fprintf(f, "processes: parent %ld, network %ld (uid %ld), signer %ld\n",
	    (long)getppid(), (long)getpid(), (long)getuid(), signer_pid_get());
}

/* The half-open table (ikev1_halfopen.c): after the SAs, or alone. */
static void
show_half_open_json(FILE *f)
{
	struct ho_stats st;

	ho_stats(&st);
	fprintf(f, "{\"half_open\": %zu, \"limit\": %zu, \"source_limit\": "
	    "%zu, \"admitted\": %llu, \"completed\": %llu, \"evicted\": "
	    "%llu, \"evicted_table_full\": %llu, \"evicted_source_cap\": "
	    "%llu, \"expired\": %llu, \"dropped\": %llu}\n", st.count,
	    st.limit, st.source_limit, (unsigned long long)st.admitted,
	    (unsigned long long)st.completed,
	    (unsigned long long)(st.evicted + st.evicted_source),
	    (unsigned long long)st.evicted,
	    (unsigned long long)st.evicted_source,
	    (unsigned long long)st.expired, (unsigned long long)st.dropped);
}

static void
show_half_open(FILE *f, int alone)
{
	struct ho_stats st;

	ho_stats(&st);
	fprintf(f, "%sHalf-open IKE SAs (after message 1): %zu of %zu, at "
	    "most %zu per source\n", alone ? "" : "\n", st.count, st.limit,
	    st.source_limit);
	fprintf(f, "  admitted %llu, completed %llu, evicted %llu (table full "
	    "%llu, source at its cap %llu), expired %llu, dropped %llu\n",
	    (unsigned long long)st.admitted,
	    (unsigned long long)st.completed,
	    (unsigned long long)(st.evicted + st.evicted_source),
	    (unsigned long long)st.evicted,
	    (unsigned long long)st.evicted_source,
	    (unsigned long long)st.expired, (unsigned long long)st.dropped);
}

/* what: 0 the SAs and the half-open table, 1 the half-open table */
void
control_show(int fd, int what, int json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL) {
		control_reply(fd, 1, "out of memory\n");
		return;
	}
	if (what == 1 && json)
		show_half_open_json(f);
	else if (what == 1)
		show_half_open(f, 1);
	else if (json)
		show_json(f);
	else {
		show_text(f);
		show_half_open(f, 0);
		show_processes(f);
	}
	fclose(f);
	control_reply(fd, 0, text);
	free(text);
}

static void
do_initiate(int fd, const char *name)
{
	const struct peer *peer;
	struct ike_sa *sa;
	char err[256], text[4608];

	if ((peer = conf_peer_name(&ikesignd->conf, name)) == NULL) {
		snprintf(text, sizeof(text), "no peer %s in %s\n", name,
		    ikesignd->conf.path);
		control_reply(fd, KS_ENOTFOUND, text);
		return;
	}
	TAILQ_FOREACH(sa, &ikesignd->sas, entry)
		if (sa->state == QM_IDLE &&
		    sa->remote.sin_addr.s_addr == peer->addr.s_addr) {
			snprintf(text, sizeof(text), "IKE SA with %s already "
			    "established (conn-id %u)\n", peer->name,
			    sa->conn_id);
			control_reply(fd, 0, text);
			return;
		}
	sa = peer->version == 2 ? ikev2_initiate(peer, err, sizeof(err)) :
	    v1_initiate(peer, err, sizeof(err));
	if (sa == NULL) {
		snprintf(text, sizeof(text), "cannot initiate to %s: %s\n",
		    peer->name, err);
		control_reply(fd, ikesignd->key_ok ? KS_EFAIL : KS_EPERM, text);
		return;
	}
	sa->waiter = fd;	/* answered when it is established or fails */
}

static void
dispatch(int fd, char *line)
{
	char *w[4], *save = NULL, *tok, text[128];
	int n = 0;

	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL && n < 4;
	    tok = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = tok;
	if (n >= 2 && strcmp(w[0], "show") == 0 && strcmp(w[1], "sa") == 0 &&
	    (n == 2 || (n == 3 && strcmp(w[2], "json") == 0)))
		control_show(fd, 0, n == 3);
	else if (n >= 2 && strcmp(w[0], "show") == 0 &&
	    strcmp(w[1], "half-open") == 0 &&
	    (n == 2 || (n == 3 && strcmp(w[2], "json") == 0)))
		control_show(fd, 1, n == 3);
	else if (n == 2 && strcmp(w[0], "initiate") == 0)
		do_initiate(fd, w[1]);
	else if ((n == 2 || n == 3) && strcmp(w[0], "clear") == 0 &&
	    strcmp(w[1], "sa") == 0) {
		n = sa_clear_matching(n == 3 ? w[2] : NULL, NULL,
		    "cleared by ikesignctl");
		snprintf(text, sizeof(text), "cleared %d IKE SA%s\n", n,
		    n == 1 ? "" : "s");
		control_reply(fd, 0, text);
	} else if (n == 3 && strcmp(w[0], "rekey") == 0 &&
	    strcmp(w[1], "sa") == 0) {
		n = sa_rekey_matching(w[2]);
		snprintf(text, sizeof(text), "rekeying %d IKE SA%s\n", n,
		    n == 1 ? "" : "s");
		control_reply(fd, n > 0 ? 0 : KS_ENOTFOUND, text);
	} else if (n == 1 && strcmp(w[0], "reload") == 0) {
		if (ikesignd->reload_fd >= 0) {
			control_reply(fd, KS_EFAIL, "a reload is already "
			    "under way\n");
			return;
		}
		ikesignd->reload_fd = fd;	/* answered by the main loop */
		ikesignd->reload = 1;
	} else
		control_reply(fd, KS_EUSAGE, "unknown request\n");
}

void
control_accept(int lfd)
{
	struct timeval tv = { 1, 0 };
	char line[CTL_LINE_MAX + 1];
	size_t len = 0;
	char why[160], text[200];
	ssize_t n;
	int fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return;
	/* a client gets one second to send its line */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < CTL_LINE_MAX &&
	    (n = read(fd, line + len, CTL_LINE_MAX - len)) > 0) {
		len += (size_t)n;
		if (memchr(line, '\n', len) != NULL)
			break;
	}
	line[len] = '\0';
	/* checked once the line is in: the client is then reading */
	if (!peer_allowed(fd, why, sizeof(why))) {
		log_warnx("control: connection refused: %s", why);
		snprintf(text, sizeof(text), "permission denied: %s\n", why);
		control_reply(fd, KS_EPERM, text);
		return;
	}
	if (memchr(line, '\n', len) == NULL) {
		control_reply(fd, KS_EUSAGE, "request line missing or too "
		    "long\n");
		return;
	}
	dispatch(fd, line);
}
