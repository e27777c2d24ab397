/*
 * signer_client.c -- asking the signer (signer.c) over its socket: the
 * parent, while a new signer starts, and the network process after.
 *
 * Requests carry an ID (signer.h), and the answers come back in the order
 * the signer's workers finish.  What an exchange needs of the token in the
 * middle of a handshake -- a signature, a peer's public key, a pre-shared
 * key's prf -- is asked for without waiting (signer_sign_async,
 * signer_peer_key_async, signer_psk_async): the network process goes on
 * with other packets, and the exchange that asked resumes when the answer
 * comes (signer_collect, signer_run_ready), so that a token busy with one
 * thing (a smart card making a signature) or slow to answer (an HSM
 * across a network) never stops the network process.  So is the key
 * check every few seconds (signer_key_check_async).  Only what ikesignctl
 * asks for (a reload's keyring check) and the tests wait for the answer.
 *
 * Signatures go on the first socket, which the signer's workers read.
 * Everything else goes on a second socket, which the network process asks
 * the signer for ('Q') when it takes the signer over (signer_use) and
 * which the signer's main thread answers, so that it never waits behind
 * signatures; without it (a signer with no worker) it goes on the first.
 * An answer to another request that comes while one is waited for is
 * kept for its SA.
 *
 * An SA has at most one request asked for without waiting (sa->sign).  A
 * signature is on the list "queued" while enough are with the signer; any
 * request is on "asked" until its answer comes, then on "ready" until the
 * main loop resumes it; sa_free takes it off any (signer_forget), so that
 * an answer for an SA that is gone is dropped by its ID.
 *
 * At most one signature per worker and one more (inflight_max) are with
 * the signer at a time: the workers never wait for their next request,
 * the socket's queue stays short, and a reload that replaces the signer
 * waits for few.  The rest wait here, in the order they came.  The other
 * requests are short and never queued.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "ikesignd.h"
#include "signer.h"

static int signer_fd = -1;
static int short_fd = -1;	/* the short requests' socket, or -1 */
static pid_t signer_pid = -1;
static unsigned signer_workers;		/* the last 'C' said; 0: not known */
static char signer_why[768] = "running";
static uint32_t last_id;
static uint32_t check_id;		/* the key check asked; 0: none */
static time_t check_sent;		/* when, now_s() */
static signer_check_fn check_done;
static struct {				/* its answer, until the main loop
					 * takes it (signer_run_ready) */
	int		 ready;
	ks_status	 st;
	int		 curve;
	char		 err[512];
} check;

TAILQ_HEAD(sign_list, ike_sa);
static struct sign_list queued = TAILQ_HEAD_INITIALIZER(queued);
static struct sign_list asked = TAILQ_HEAD_INITIALIZER(asked);
static struct sign_list ready = TAILQ_HEAD_INITIALIZER(ready);
static unsigned nasked, nqueued;	/* signatures only */

/* How many signatures may be with the signer at once. */
static unsigned
inflight_max(void)
{
	return (signer_workers > 0 ? signer_workers : 1) + 1;
}

/* A signature ('S', 'H', 'E'), for the workers; the other requests are
 * short, for the signer's main thread. */
static int
is_signature(uint8_t op)
{
	return op == 'S' || op == 'H' || op == 'E';
}

/* The next request ID; 0 is never one (a malformed request's answer). */
static uint32_t
next_id(void)
{
	if (++last_id == 0)
		last_id = 1;
	return last_id;
}

/* One request: its ID, then the operation and its data. */
static int
frame_send(int fd, uint32_t id, const uint8_t *req, size_t len)
{
	uint8_t head[SIGNER_ID_LEN];
	struct iovec iov[2];
	struct msghdr m;

	signer_id_put(head, id);
	iov[0].iov_base = head;
	iov[0].iov_len = sizeof(head);
	iov[1].iov_base = (void *)(uintptr_t)req;
	iov[1].iov_len = len;
	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	return sendmsg(fd, &m, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/*
 * One answer: its ID into *id, the rest (status first) into resp.  The
 * length after the ID; -1 (errno set) when nothing came, 0 at the end of
 * the socket; an answer too short to hold its status is skipped.
 */
static ssize_t
frame_recv(int fd, int flags, uint32_t *id, uint8_t *resp, size_t respsz)
{
	uint8_t head[SIGNER_ID_LEN];
	struct iovec iov[2];
	struct msghdr m;
	ssize_t n;

	for (;;) {
		iov[0].iov_base = head;
		iov[0].iov_len = sizeof(head);
		iov[1].iov_base = resp;
		iov[1].iov_len = respsz;
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = 2;
		if ((n = recvmsg(fd, &m, flags)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		if (n > SIGNER_ID_LEN)
			break;
		log_warnx("an answer of %zd octets from the signer dropped",
		    n);
	}
	*id = signer_id_get(head);
	return n - SIGNER_ID_LEN;
}

/* sa off the list of its state ("ready" is left to the caller). */
static void
unlist(struct ike_sa *sa)
{
	struct sa_sign *s = sa->sign;

	if (s->state == SIGN_QUEUED) {
		TAILQ_REMOVE(&queued, sa, sentry);
		nqueued--;
		OPENSSL_cleanse(s->req, s->reqlen);
		free(s->req);
		s->req = NULL;
	} else if (s->state == SIGN_ASKED) {
		TAILQ_REMOVE(&asked, sa, sentry);
		if (is_signature(s->op))
			nasked--;
	}
}

/* An SA's request state, off its list and wiped. */
static void
sign_free(struct ike_sa *sa)
{
	if (sa->sign == NULL)
		return;
	unlist(sa);
	if (sa->sign->state == SIGN_READY)
		TAILQ_REMOVE(&ready, sa, sentry);
	OPENSSL_cleanse(sa->sign, sizeof(*sa->sign));
	free(sa->sign);
	sa->sign = NULL;
}

/* The answer for an asked or queued SA, kept until the SA resumes. */
static void
sign_answered(struct ike_sa *sa, ks_status st, const uint8_t *data,
    size_t len)
{
	struct sa_sign *s = sa->sign;

	unlist(sa);
	s->state = SIGN_READY;
	s->st = st;
	if (len > sizeof(s->answer)) {
		s->st = KS_EFAIL;
		len = (size_t)snprintf((char *)s->answer, sizeof(s->answer),
		    "an answer of %zu octets from the signer", len);
	} else
		memcpy(s->answer, data, len);
	s->len = len;
	TAILQ_INSERT_TAIL(&ready, sa, sentry);
}

/* The answer to the key check (resp: status first; n >= 1), kept for
 * the main loop: an answer may come while a short request is waited for,
 * in the middle of an exchange, and the key's state may end SAs. */
static void
check_answered(const uint8_t *resp, size_t n)
{
	check_id = 0;
	check.ready = 1;
	check.st = (ks_status)resp[0];
	check.curve = KS_CURVE_NONE;
	check.err[0] = '\0';
	if (check.st == KS_OK && n == 3) {
		check.curve = resp[1];
		signer_workers = resp[2];
	} else if (check.st == KS_OK) {
		check.st = KS_EFAIL;
		snprintf(check.err, sizeof(check.err), "an answer of %zu "
		    "octets to the key check", n);
	} else
		snprintf(check.err, sizeof(check.err), "%.*s", (int)(n - 1),
		    resp + 1);
}

/* An answer of the network process's signer (resp: status first), to
 * whom asked for it; then wiped, for a prf is a secret. */
static void
deliver(uint32_t id, uint8_t *resp, size_t n)
{
	struct ike_sa *sa;

	TAILQ_FOREACH(sa, &asked, sentry)
		if (sa->sign->id == id)
			break;
	if (check_id != 0 && id == check_id)
		check_answered(resp, n);
	else if (sa != NULL)
		sign_answered(sa, (ks_status)resp[0], resp + 1, n - 1);
	else	/* its SA went away meanwhile */
		log_debug("signer answer %u for no waiting SA dropped", id);
	OPENSSL_cleanse(resp, n);
}

/* Every SA on list gets why as its failed answer. */
static void
fail_all(struct sign_list *list, const char *why)
{
	struct ike_sa *sa;

	while ((sa = TAILQ_FIRST(list)) != NULL)
		sign_answered(sa, KS_ETOKEN, (const uint8_t *)why,
		    strlen(why));
}

/* The network process lets go of its signer's socket; the SAs waiting
 * for it, sent or not, fail their negotiations. */
static void
signer_gone(void)
{
	static const char why[] = "the signer process went away";

	if (signer_fd >= 0)
		close(signer_fd);
	signer_fd = -1;
	if (short_fd >= 0)
		close(short_fd);
	short_fd = -1;
	check_id = 0;		/* the next check goes to the next signer */
	fail_all(&asked, why);
	fail_all(&queued, why);
}

/* sa, its request sent, on the list of those the signer was asked for. */
static void
asked_add(struct ike_sa *sa)
{
	sa->sign->state = SIGN_ASKED;
	TAILQ_INSERT_TAIL(&asked, sa, sentry);
	if (is_signature(sa->sign->op))
		nasked++;
}

/* The queued requests, in their order, while the signer may take more.
 * A send that fails ends the signer, and with it every queued one. */
static void
send_queued(void)
{
	struct ike_sa *sa;

	while (signer_fd >= 0 && nasked < inflight_max() &&
	    (sa = TAILQ_FIRST(&queued)) != NULL) {
		if (frame_send(signer_fd, sa->sign->id, sa->sign->req,
		    sa->sign->reqlen) != 0) {
			signer_gone();
			return;
		}
		unlist(sa);	/* its request wiped and freed */
		asked_add(sa);
	}
}

/* The status of an answer (recv's n: the octets from the status on),
 * with the signer's message or why there is none in err. */
static ks_status
answer_status(const uint8_t *resp, ssize_t n, char *err, size_t errsz,
    int *gone)
{
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		snprintf(err, errsz, "the signer did not answer in %d s",
		    SIGNER_TIMEOUT / 1000);
		return KS_ETOKEN;
	}
	if (n <= 0) {
		snprintf(err, errsz, "the signer process went away");
		*gone = 1;
		return KS_ETOKEN;
	}
	if (resp[0] != KS_OK) {
		snprintf(err, errsz, "%.*s", (int)(n - 1), resp + 1);
		return (ks_status)resp[0];
	}
	return KS_OK;
}

/*
 * One request on fd and its answer (resp: status first; *resplen: after
 * the status); *gone when the signer went away.  Answers to other
 * requests that come first are those the network process's SAs asked for
 * without waiting.
 */
static ks_status
exchange(int fd, const uint8_t *req, size_t reqlen, uint8_t *resp,
    size_t *resplen, char *err, size_t errsz, int *gone)
{
	uint32_t id = next_id(), got;
	ks_status st;
	ssize_t n;

	*gone = 0;
	if (frame_send(fd, id, req, reqlen) != 0) {
		snprintf(err, errsz, "the signer process went away (%s)",
		    strerror(errno));
		*gone = 1;
		return KS_ETOKEN;
	}
	/* a blocking recv, its timeout SO_RCVTIMEO (signer_spawn) */
	while ((n = frame_recv(fd, 0, &got, resp, SIGNER_MSG_MAX)) > 0 &&
	    got != id) {
		if (fd == signer_fd || fd == short_fd)
			deliver(got, resp, (size_t)n);
	}
	if ((st = answer_status(resp, n, err, errsz, gone)) != KS_OK)
		return st;
	*resplen = (size_t)n - 1;
	return KS_OK;
}

ks_status
signer_ready(int fd, char *err, size_t errsz)
{
	uint8_t resp[SIGNER_MSG_MAX];
	ssize_t n;
	int gone;

	/* before any request, and without an ID */
	while ((n = recv(fd, resp, sizeof(resp), 0)) < 0 && errno == EINTR)
		;
	return answer_status(resp, n, err, errsz, &gone);
}

/* Where a short request goes: the second socket, when there is one. */
static int
sync_fd(void)
{
	return short_fd >= 0 ? short_fd : signer_fd;
}

/* A request on fd (one of the signer's two sockets), waited for. */
static ks_status
call_on(int fd, const uint8_t *req, size_t reqlen, uint8_t *resp,
    size_t *resplen, char *err, size_t errsz)
{
	ks_status st;
	int gone;

	if (signer_fd < 0) {
		snprintf(err, errsz, "the signer process is not running");
		return KS_ETOKEN;
	}
	st = exchange(fd, req, reqlen, resp, resplen, err, errsz, &gone);
	if (gone)
		signer_gone();
	return st;
}

/* A short request, waited for. */
static ks_status
call(const uint8_t *req, size_t reqlen, uint8_t *resp, size_t *resplen,
    char *err, size_t errsz)
{
	return call_on(sync_fd(), req, reqlen, resp, resplen, err, errsz);
}

/* The answers waiting in fd (one of the signer's two sockets), to their
 * SAs; -1 when the socket ended or failed. */
static int
take_answers(int fd)
{
	uint8_t resp[SIGNER_MSG_MAX];
	uint32_t id;
	ssize_t n;

	while ((n = frame_recv(fd, MSG_DONTWAIT, &id, resp,
	    sizeof(resp))) > 0)
		deliver(id, resp, (size_t)n);
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		return -1;
	return 0;
}

/* The requests still with the signer being replaced, on either socket:
 * its answers are waited for (SIGNER_TIMEOUT at most each) before it
 * goes. */
static void
drain(void)
{
	struct pollfd pfd[2];
	int i, n, ok;

	if (nasked > 0)
		log_info("waiting for %u signature%s of the signer being "
		    "replaced", nasked, nasked == 1 ? "" : "s");
	while (!TAILQ_EMPTY(&asked)) {
		pfd[0].fd = signer_fd;
		pfd[1].fd = short_fd;	/* -1: none, not polled */
		pfd[0].events = pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if ((n = poll(pfd, 2, SIGNER_TIMEOUT)) < 0 && errno == EINTR)
			continue;
		ok = n > 0;
		for (i = 0; ok && i < 2; i++)
			if (pfd[i].revents != 0 && take_answers(pfd[i].fd) != 0)
				ok = 0;
		if (!ok) {
			fail_all(&asked, "the signer being replaced did not "
			    "answer");
			break;
		}
	}
}

/*
 * 'Q' on fd: the signer's second socket, for short requests, with the
 * same receive timeout as the first; -1 when it has none (no worker).
 */
static int
ask_short(int fd)
{
	struct timeval tmo = { SIGNER_TIMEOUT / 1000, 0 };
	uint8_t req = 'Q', resp[SIGNER_MSG_MAX];
	uint32_t id = next_id();
	ssize_t n;
	int sfd = -1;

	if (frame_send(fd, id, &req, 1) != 0)
		return -1;
	n = fdpass_recv(fd, resp, sizeof(resp), &sfd);
	if (n < SIGNER_HEAD || signer_id_get(resp) != id ||
	    resp[SIGNER_ID_LEN] != KS_OK || sfd < 0 ||
	    setsockopt(sfd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) != 0) {
		if (sfd >= 0)
			close(sfd);
		return -1;
	}
	return sfd;
}

/* The queued requests stay: send_queued gives them to the new signer. */
void
signer_use(int fd, long pid)
{
	if (signer_fd >= 0) {
		drain();
		close(signer_fd);
	}
	if (short_fd >= 0)
		close(short_fd);
	signer_fd = fd;
	signer_pid = (pid_t)pid;
	signer_workers = 0;
	check_id = 0;		/* one the old signer had is not answered */
	check.ready = 0;	/* nor is its last answer the new key's */
	/* nothing else is asked of this signer yet: the answer is the next */
	short_fd = ask_short(fd);
}

int
signer_fd_get(void)
{
	return signer_fd;
}

long
signer_pid_get(void)
{
	return signer_fd >= 0 ? (long)signer_pid : -1L;
}

unsigned
signer_workers_get(void)
{
	return signer_fd >= 0 ? signer_workers : 0;
}

void
signer_set_status(const char *why)
{
	snprintf(signer_why, sizeof(signer_why), "%s", why);
}

const char *
signer_status(void)
{
	return signer_why;
}

int
signer_running(void)
{
	return signer_fd >= 0;
}

/* The network process lets go of the signer; the signer, which is the
 * parent's child, exits when its socket closes. */
void
signer_stop(void)
{
	signer_gone();
	signer_pid = -1;
}

/* A signature request into req (SIGNER_MSG_MAX); its length, or 0 after
 * err. */
static size_t
sign_request(const struct sign_req *r, uint8_t *req, char *err,
    size_t errsz)
{
	const struct ike_hash *h;

	switch (r->op) {
	case 'S':
		if (r->len > IKE_HASH_MAX) {
			snprintf(err, errsz, "nothing that long is signed");
			return 0;
		}
		req[0] = 'S';
		memcpy(req + 1, r->data, r->len);
		return r->len + 1;
	case 'H':
		if ((h = sig_hash(r->scheme)) == NULL) {
			snprintf(err, errsz, "unknown signature scheme %d",
			    (int)r->scheme);
			return 0;
		}
		if (r->len != h->len || r->len > IKE_HASH_MAX) {
			snprintf(err, errsz, "a %s hash of %zu bytes", h->name,
			    r->len);
			return 0;
		}
		req[0] = 'H';
		req[1] = (uint8_t)r->scheme;
		memcpy(req + 2, r->data, r->len);
		return r->len + 2;
	case 'E':
		if (r->len == 0 || r->len > SIGNER_DATA_MAX) {
			snprintf(err, errsz, "%zu octets to sign; 1 to %d can "
			    "be sent", r->len, SIGNER_DATA_MAX);
			return 0;
		}
		req[0] = 'E';
		memcpy(req + 1, r->data, r->len);
		return r->len + 1;
	default:
		snprintf(err, errsz, "unknown signature request '%c'", r->op);
		return 0;
	}
}

/* An answer (after its status) into out, of *outlen octets. */
static ks_status
take_answer(const uint8_t *data, size_t len, uint8_t *out, size_t *outlen,
    char *err, size_t errsz)
{
	if (len > *outlen) {
		snprintf(err, errsz, "an answer of %zu octets from the signer "
		    "for a buffer of %zu", len, *outlen);
		return KS_EFAIL;
	}
	memcpy(out, data, len);
	*outlen = len;
	return KS_OK;
}

ks_status
signer_sign_now(const struct sign_req *r, uint8_t *sig, size_t *siglen,
    char *err, size_t errsz)
{
	uint8_t req[SIGNER_MSG_MAX], resp[SIGNER_MSG_MAX];
	size_t reqlen, rlen = 0;
	ks_status st;

	if ((reqlen = sign_request(r, req, err, errsz)) == 0)
		return KS_EUSAGE;
	/* a signature, for the workers: not on the short requests' socket */
	if ((st = call_on(signer_fd, req, reqlen, resp, &rlen, err,
	    errsz)) != KS_OK)
		return st;
	return take_answer(resp + 1, rlen, sig, siglen, err, errsz);
}

/* The answer kept for sa, when it answers this request (sum). */
static int
take_ready(struct ike_sa *sa, const uint8_t *sum, uint8_t *out,
    size_t *outlen, ks_status *st, char *err, size_t errsz)
{
	struct sa_sign *s = sa->sign;

	if (s->state == SIGN_ASKED || s->state == SIGN_QUEUED ||
	    CRYPTO_memcmp(s->sum, sum, sizeof(s->sum)) != 0)
		return -1;
	if (s->st == KS_OK)
		*st = take_answer(s->answer, s->len, out, outlen, err, errsz);
	else {
		*st = s->st;
		snprintf(err, errsz, "%.*s", (int)s->len, s->answer);
	}
	sign_free(sa);
	return 0;
}

/* sa's request waits here until enough signatures are answered. */
static int
queue_request(struct ike_sa *sa, const uint8_t *req, size_t reqlen)
{
	if ((sa->sign->req = malloc(reqlen)) == NULL)
		return -1;
	memcpy(sa->sign->req, req, reqlen);
	sa->sign->reqlen = reqlen;
	sa->sign->state = SIGN_QUEUED;
	TAILQ_INSERT_TAIL(&queued, sa, sentry);
	nqueued++;
	return 0;
}

/*
 * A request for sa without waiting (signer_sign_async,
 * signer_peer_key_async and signer_psk_async say how it is used): its
 * answer when one came for this very request, SIGN_PENDING while it is
 * with the signer, else it is sent now (a short one on the short
 * requests' socket) or, a signature when enough are with the signer,
 * queued.
 */
static int
ask_async(struct ike_sa *sa, sa_resume_fn resume, const uint8_t *req,
    size_t reqlen, uint8_t *out, size_t *outlen, ks_status *st, char *err,
    size_t errsz)
{
	uint8_t sum[32];

	crypto_digest256(req, reqlen, sum);
	if (sa->sign != NULL && (sa->sign->state == SIGN_ASKED ||
	    sa->sign->state == SIGN_QUEUED))
		return SIGN_PENDING;	/* asked already: wait for it */
	if (sa->sign != NULL &&
	    take_ready(sa, sum, out, outlen, st, err, errsz) == 0)
		return 0;
	sign_free(sa);		/* an answer to another request */
	*st = KS_ETOKEN;
	if (signer_fd < 0) {
		snprintf(err, errsz, "the signer process is not running");
		return 0;
	}
	if ((sa->sign = calloc(1, sizeof(*sa->sign))) == NULL) {
		*st = KS_EFAIL;
		snprintf(err, errsz, "out of memory");
		return 0;
	}
	sa->sign->id = next_id();
	sa->sign->op = req[0];
	memcpy(sa->sign->sum, sum, sizeof(sum));
	sa->sign->resume = resume;
	if (is_signature(req[0]) && (nasked >= inflight_max() ||
	    !TAILQ_EMPTY(&queued))) {
		/* its turn comes when an answer frees a place */
		if (queue_request(sa, req, reqlen) == 0)
			return SIGN_PENDING;
		sign_free(sa);
		*st = KS_EFAIL;
		snprintf(err, errsz, "out of memory");
		return 0;
	}
	if (frame_send(is_signature(req[0]) ? signer_fd : sync_fd(),
	    sa->sign->id, req, reqlen) != 0) {
		snprintf(err, errsz, "the signer process went away (%s)",
		    strerror(errno));
		sign_free(sa);
		signer_gone();
		return 0;
	}
	asked_add(sa);
	return SIGN_PENDING;
}

int
signer_sign_async(struct ike_sa *sa, sa_resume_fn resume,
    const struct sign_req *r, uint8_t *sig, size_t *siglen, ks_status *st,
    char *err, size_t errsz)
{
	uint8_t req[SIGNER_MSG_MAX];
	size_t reqlen;

	*st = KS_EUSAGE;
	if ((reqlen = sign_request(r, req, err, errsz)) == 0)
		return 0;
	return ask_async(sa, resume, req, reqlen, sig, siglen, st, err,
	    errsz);
}

int
signer_peer_key_async(struct ike_sa *sa, sa_resume_fn resume, int kind,
    uint8_t *spki, size_t *spkilen, ks_status *st, char *err, size_t errsz)
{
	uint8_t req[2 + 2 * CONF_NAME_MAX + 2];
	size_t klen = strlen(sa->keyring), ilen = strlen(sa->peer_id);
	int rc;

	if (klen >= CONF_NAME_MAX || ilen >= CONF_NAME_MAX) {
		*st = KS_EINPUT;
		snprintf(err, errsz, "peer identity too long");
		return 0;
	}
	req[0] = 'P';
	req[1] = (uint8_t)kind;
	memcpy(req + 2, sa->keyring, klen + 1);
	memcpy(req + 3 + klen, sa->peer_id, ilen + 1);
	rc = ask_async(sa, resume, req, klen + ilen + 4, spki, spkilen, st,
	    err, errsz);
	if (rc == SIGN_PENDING)
		log_debug("%s: the peer's key asked of the signer ('%s' in "
		    "keyring '%s')", sa->peer_name, sa->peer_id, sa->keyring);
	return rc;
}

void
signer_counts(unsigned *nask, unsigned *nqueue)
{
	*nask = nasked;
	*nqueue = nqueued;
}

const char *
signer_waiting(const struct ike_sa *sa)
{
	if (sa->sign == NULL || sa->sign->state == SIGN_TAKEN)
		return NULL;
	if (sa->sign->op == 'P')
		return "the peer's key from the token";
	if (sa->sign->op == 'K' || sa->sign->op == 'A')
		return "the pre-shared key's prf from the token";
	return "the token's signature";
}

void
signer_forget(struct ike_sa *sa)
{
	sign_free(sa);
}

int
signer_short_fd_get(void)
{
	return signer_fd >= 0 ? short_fd : -1;
}

void
signer_collect(int first, int second)
{
	if ((first && signer_fd >= 0 && take_answers(signer_fd) != 0) ||
	    (second && short_fd >= 0 && take_answers(short_fd) != 0))
		signer_gone();
}

/*
 * The queued requests the signer may take now; the key check's answer;
 * then the SAs whose signature or key came, in the order it came.  Each
 * resumes where it asked; the answer stays in sa->sign for
 * signer_sign_async or signer_peer_key_async to take.  A resume may free
 * its SA (a failed negotiation), or others.
 */
void
signer_run_ready(void)
{
	struct ike_sa *sa;

	send_queued();
	if (check.ready) {
		check.ready = 0;
		check_done(check.st, check.curve, check.err);
	}
	while ((sa = TAILQ_FIRST(&ready)) != NULL) {
		TAILQ_REMOVE(&ready, sa, sentry);
		sa->sign->state = SIGN_TAKEN;
		sa->sign->resume(sa);
	}
}

void
signer_key_check_async(signer_check_fn done)
{
	uint8_t req = 'C';
	uint32_t id;

	if (signer_fd < 0)
		return;
	if (check_id != 0 && now_s() - check_sent < SIGNER_TIMEOUT / 1000)
		return;		/* the last one may still be answered */
	if (check_id != 0) {
		/* as a request waited for would have: the key is not
		 * usable; a late answer is dropped by its ID */
		check_id = 0;
		check.ready = 1;
		check.st = KS_ETOKEN;
		check.curve = KS_CURVE_NONE;
		snprintf(check.err, sizeof(check.err), "the signer did not "
		    "answer the key check in %d s", SIGNER_TIMEOUT / 1000);
		return;
	}
	id = next_id();
	if (frame_send(sync_fd(), id, &req, 1) != 0) {
		signer_gone();
		return;
	}
	check_id = id;
	check_sent = now_s();
	check_done = done;
}

/* The answer to 'C': the signing key's curve (NONE: RSA), then the number
 * of workers answering (check_answered for the network process). */
ks_status
signer_key_check_fd(int fd, int *curve, char *err, size_t errsz)
{
	uint8_t req = 'C', resp[SIGNER_MSG_MAX];
	size_t rlen = 0;
	ks_status st;
	int gone;

	st = exchange(fd, &req, 1, resp, &rlen, err, errsz, &gone);
	if (st == KS_OK && rlen == 2)
		*curve = resp[1];
	return st;
}

/* The request of 'K' and 'A' into req; its length, or 0 after err. */
static size_t
psk_request(uint8_t op, const char *keyring, int kind, const char *id,
    int hash, const uint8_t *data, size_t len, uint8_t *req, char *err,
    size_t errsz)
{
	size_t klen = strlen(keyring), ilen = strlen(id), off;
	ks_hmac h;

	if (signer_psk_hmac(hash, &h) != 0 ||
	    (op == 'A' && hash == IKE_HASH_MD5)) {
		snprintf(err, errsz, "no pre-shared key prf with hash %d",
		    hash);
		return 0;
	}
	if (kind != KS_PEER_ADDRESS && kind != KS_PEER_HOSTNAME &&
	    kind != KS_PEER_NAME) {
		snprintf(err, errsz, "unknown kind of peer identity %d", kind);
		return 0;
	}
	if (klen == 0 || klen >= CONF_NAME_MAX || ilen == 0 ||
	    ilen >= CONF_NAME_MAX) {
		snprintf(err, errsz, "keyring name or peer identity empty or "
		    "too long");
		return 0;
	}
	if (len == 0 || len > SIGNER_DATA_MAX) {
		snprintf(err, errsz, "%zu octets for a pre-shared key prf; "
		    "the signer takes 1 to %d", len, SIGNER_DATA_MAX);
		return 0;
	}
	req[0] = op;
	req[1] = (uint8_t)hash;
	req[2] = (uint8_t)kind;
	off = PSK_REQ_HEAD;
	memcpy(req + off, keyring, klen + 1);
	off += klen + 1;
	memcpy(req + off, id, ilen + 1);
	off += ilen + 1;
	memcpy(req + off, data, len);
	return off + len;
}

int
signer_psk_async(struct ike_sa *sa, sa_resume_fn resume, uint8_t op,
    int kind, const char *id, int hash, const uint8_t *data, size_t len,
    uint8_t *out, size_t *outlen, ks_status *st, char *err, size_t errsz)
{
	uint8_t req[SIGNER_MSG_MAX];
	size_t reqlen;
	int rc;

	*st = KS_EUSAGE;
	if ((op != 'K' && op != 'A') || (reqlen = psk_request(op, sa->keyring,
	    kind, id, hash, data, len, req, err, errsz)) == 0)
		return 0;
	rc = ask_async(sa, resume, req, reqlen, out, outlen, st, err, errsz);
	if (rc == SIGN_PENDING)
		log_debug("%s: a pre-shared key's prf asked of the signer "
		    "(the key for '%s' in keyring '%s')", sa->peer_name, id,
		    sa->keyring);
	return rc;
}

static ks_status
psk_call(uint8_t op, const char *keyring, int kind, const char *id,
    int hash, const uint8_t *data, size_t len, uint8_t *out, size_t *outlen,
    char *err, size_t errsz)
{
	uint8_t req[SIGNER_MSG_MAX], resp[SIGNER_MSG_MAX];
	size_t reqlen, rlen = 0;
	ks_status st;

	if ((reqlen = psk_request(op, keyring, kind, id, hash, data, len, req,
	    err, errsz)) == 0)
		return KS_EUSAGE;
	st = call(req, reqlen, resp, &rlen, err, errsz);
	if (st == KS_OK && (rlen == 0 || rlen > IKE_HASH_MAX)) {
		snprintf(err, errsz, "the signer's prf is %zu octets", rlen);
		st = KS_EFAIL;
	} else if (st == KS_OK && rlen > *outlen) {
		snprintf(err, errsz, "a prf of %zu octets for a buffer of %zu",
		    rlen, *outlen);
		st = KS_EUSAGE;
	} else if (st == KS_OK) {
		memcpy(out, resp + 1, rlen);
		*outlen = rlen;
	}
	OPENSSL_cleanse(resp, rlen + 1);
	return st;
}

ks_status
signer_psk_prf(const char *keyring, int kind, const char *id, int hash,
    const uint8_t *data, size_t len, uint8_t *out, size_t *outlen, char *err,
    size_t errsz)
{
	return psk_call('K', keyring, kind, id, hash, data, len, out, outlen,
	    err, errsz);
}

ks_status
signer_psk_auth(const char *keyring, int kind, const char *id, int hash,
    const uint8_t *octets, size_t len, uint8_t *out, size_t *outlen,
    char *err, size_t errsz)
{
	return psk_call('A', keyring, kind, id, hash, octets, len, out, outlen,
	    err, errsz);
}

static size_t
keyring_request(const char *keyring, uint8_t *req, char *err, size_t errsz)
{
	size_t klen = strlen(keyring);

	if (klen == 0 || klen >= CONF_NAME_MAX) {
		snprintf(err, errsz, "keyring name empty or too long");
		return 0;
	}
	req[0] = 'R';
	memcpy(req + 1, keyring, klen + 1);
	return klen + 2;
}

ks_status
signer_keyring_exists(const char *keyring, char *err, size_t errsz)
{
	uint8_t req[1 + CONF_NAME_MAX], resp[SIGNER_MSG_MAX];
	size_t reqlen, rlen = 0;

	if ((reqlen = keyring_request(keyring, req, err, errsz)) == 0)
		return KS_EUSAGE;
	return call(req, reqlen, resp, &rlen, err, errsz);
}

struct keyring_check {
	int	 fd;
	char	*err;
	size_t	 errsz;
};

/* One keyring the configuration names (who: where), over the signer's fd. */
static ks_status
keyring_named(const char *keyring, const char *who, void *arg)
{
	struct keyring_check *kc = arg;
	uint8_t req[1 + CONF_NAME_MAX], resp[SIGNER_MSG_MAX];
	char why[512];
	size_t reqlen, rlen = 0;
	ks_status st;
	int gone;

	if (keyring[0] == '\0' || strcmp(keyring, KS_KEYRING_DEFAULT) == 0)
		return KS_OK;	/* always there */
	if ((reqlen = keyring_request(keyring, req, why, sizeof(why))) == 0)
		st = KS_EUSAGE;
	else
		st = exchange(kc->fd, req, reqlen, resp, &rlen, why,
		    sizeof(why), &gone);
	if (st != KS_OK)
		snprintf(kc->err, kc->errsz, "%s names keyring '%s': %s", who,
		    keyring, why);
	return st;
}

ks_status
signer_check_keyrings(int fd, const struct conf *c, char *err, size_t errsz)
{
	struct keyring_check kc = { fd, err, errsz };

	return conf_keyrings(c, keyring_named, &kc);
}

ks_status
signer_check_keyrings_now(const struct conf *c, char *err, size_t errsz)
{
	if (signer_fd < 0) {
		snprintf(err, errsz, "the signer process is not running");
		return KS_ETOKEN;
	}
	return signer_check_keyrings(sync_fd(), c, err, errsz);
}
