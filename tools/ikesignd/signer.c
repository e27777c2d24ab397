/*
 * signer.c -- privilege separation: the only process that touches the
 * token.
 *
 * signer_spawn() (in the privileged parent) forks before anything loads a
 * PKCS#11 module; the child (the signer: root, for the token's files, no
 * core dumps) loads the module and logs in once.  It then answers with
 * several workers, threads of its own, each with its own session on the
 * token (ks_ctx_open_session: PKCS#11 keeps the login per process, so the
 * PIN is used once), all reading the one SOCK_SEQPACKET socket: the kernel
 * hands each datagram to one of them, and signatures are made on as many
 * cores as there are workers ("signer-workers" in ikesignd.conf(5); by
 * default one per online CPU, at most SIGNER_WORKERS_AUTO).  The main
 * thread answers a second socket, on the session that logged in: the
 * network process asks for it ('Q') and sends its short requests there,
 * so that they never wait behind signatures.  With no worker (a token
 * that opens one session) the main thread answers the first socket
 * alone, and there is no second.  signer.h
 * frames the datagrams (a request ID each way, at most SIGNER_MSG_MAX
 * octets); the requests after the ID:
 *	'S' octets        -> status, signature (CKM_RSA_PKCS over the octets;
 *	                     IKEv1)
 *	'H' scheme hash   -> status, signature of the hash under scheme (one
 *	                     octet, enum sig_scheme): PKCS#1 v1.5 with the
 *	                     hash's DigestInfo, RSASSA-PSS (sig.c says why),
 *	                     or ECDSA as r || s (CKM_ECDSA)
 *	'E' octets        -> status, the Ed25519 signature of the octets
 *	                     (CKM_EDDSA: RFC 8420 signs them, not a hash)
 *	'P' by keyring\0id\0 -> status, the peer's DER SubjectPublicKeyInfo
 *	'C'               -> status: is the local key there and unlocked?
 *	                     then its curve (KS_CURVE_*; NONE for RSA) and
 *	                     the number of workers answering
 *	'K' hash by keyring\0id\0 data
 *	                  -> status, prf(PSK, data): HMAC under the peer's
 *	                     pre-shared key, on the token (IKEv1 SKEYID =
 *	                     prf(PSK, Ni_b | Nr_b), RFC 2409 5.4)
 *	'A' hash by keyring\0id\0 octets
 *	                  -> status, prf(prf(PSK, "Key Pad for IKEv2"),
 *	                     octets) (IKEv2 AUTH, RFC 7296 2.15): the inner
 *	                     prf on the token, the outer here, the inner
 *	                     value wiped at once
 *	'R' keyring\0     -> status: is the keyring on the token?
 *	'Q'               -> status, and with it (SCM_RIGHTS) the client's
 *	                     end of the short requests' socket; once
 * hash is one octet, IKE_HASH_* (the prf's HMAC); by one octet, ks_peer_by;
 * data and octets are 1 to SIGNER_DATA_MAX octets.  A failing status
 * carries the library's one-line message instead.  The signer never sees
 * packets, and the network process never holds a token session, a key, a
 * pre-shared key or anything equivalent to one (it gets SKEYID and AUTH,
 * which the peer's protocol gives it anyway); the parent hands it the
 * socket.  The signer exits when the socket closes, and after the answer
 * to a request that the module failed with a code that says the token,
 * its device or the session is gone (ks_ctx_token_lost: a network HSM's
 * server went away, a token was pulled): a session in this process does
 * not come back, so the parent starts a new signer (restart.c) and the
 * network process fails only the negotiations that needed it meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <pthread.h>

#include "ikesignd.h"
#include "signer.h"
#include "common/pinsrc.h"

/* "signer-workers" unset: one per online CPU, at most this many */
#define SIGNER_WORKERS_AUTO	8

_Static_assert(PSK_REQ_HEAD + 2 * CONF_NAME_MAX + SIGNER_DATA_MAX <=
    SIGNER_MSG_MAX, "a PSK request with the longest names and data fits");

/* RFC 7296 2.15: the key pad of a PSK AUTH, 17 octets, no NUL */
static const uint8_t key_pad[] = "Key Pad for IKEv2";
#define KEY_PAD_LEN	(sizeof(key_pad) - 1)

/* The signer's own state: the context that logged in, whose token URI
 * the PIN source may use (pin_cb), and the configuration. */
static ks_ctx *sctx;
static const struct conf *sconf;

/* The PIN by the tools' one policy (pinsrc.h); the daemon never prompts. */
static ks_status
pin_cb(void *arg, const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	struct pin_inputs in;
	char err[512];
	ks_status st;

	(void)arg;
	memset(&in, 0, sizeof(in));
	in.uri_value = ks_ctx_uri_pin_value(sctx);
	in.uri_source = ks_ctx_uri_pin_source(sctx);
	in.config = sconf->pin_source;
	in.prompt = PIN_PROMPT_NEVER;
	st = pin_get(&in, prompt, buf, bufsz, len, err, sizeof(err));
	if (st != KS_OK)
		return ks_ctx_fail(sctx, st, err);
	return KS_OK;
}

/* The workers answering, for 'C' (set while workers already answer). */
static _Atomic unsigned nworkers = 1;

/* The client's end of the short requests' socket, until 'Q' takes it;
 * -1 after, or when there is none. */
static int short_client = -1;
static pthread_mutex_t short_mu = PTHREAD_MUTEX_INITIALIZER;

/* Is the signing key there and unlocked?  *curve: its curve (KS_CURVE_NONE:
 * RSA). */
static ks_status
key_check(ks_ctx *ctx, ks_curve *curve)
{
	ks_key **keys = NULL;
	size_t n = 0, i;
	ks_status st;
	int usable = 0, locked = 0;

	*curve = KS_CURVE_NONE;
	if ((st = ks_list(ctx, sconf->key, &keys, &n)) != KS_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (ks_key_usage(keys[i]) == KS_USAGE_ENCRYPTION)
			continue;
		if (ks_key_locked(keys[i]))
			locked = 1;
		else
			usable = 1;
		*curve = ks_key_type(keys[i]) == KS_KEY_EC ?
		    ks_key_curve(keys[i]) : KS_CURVE_NONE;
	}
	ks_keys_free(keys, n);
	if (usable)
		return KS_OK;
	if (locked)
		return ks_ctx_fail(ctx, KS_EPERM, "key is locked");
	return ks_ctx_fail(ctx, KS_ENOTFOUND, "no signing key by that name "
	    "on the token");
}

/* The answer after the request ID: the status and the library's message. */
static size_t
reply_err(ks_ctx *ctx, uint8_t *out, ks_status st)
{
	const char *msg = ks_ctx_error(ctx);
	size_t n = strlen(msg);

	if (n > SIGNER_MSG_MAX - SIGNER_HEAD)
		n = SIGNER_MSG_MAX - SIGNER_HEAD;
	out[0] = (uint8_t)st;
	memcpy(out + 1, msg, n);
	return n + 1;
}

static size_t
serve_sign(ks_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t siglen = SIGNER_MSG_MAX - SIGNER_HEAD;
	ks_status st;

	st = ks_sign(ctx, sconf->key, KS_SIG_RSA_PKCS_RAW, in, len, out + 1,
	    &siglen);
	if (st != KS_OK)
		return reply_err(ctx, out, st);
	out[0] = KS_OK;
	return siglen + 1;
}

/* 'H': the scheme is known and the hash as long as its hash. */
static size_t
serve_sign_hash(ks_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	const struct ike_hash *h;
	size_t siglen = SIGNER_MSG_MAX - SIGNER_HEAD;
	char msg[128];
	ks_sig ks;
	ks_status st;

	if (len < 1 || sig_ks((enum sig_scheme)in[0], &ks) != 0 ||
	    (h = sig_hash((enum sig_scheme)in[0])) == NULL)
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "unknown signature scheme"));
	if (len - 1 != h->len) {
		snprintf(msg, sizeof(msg), "a %s hash of %zu bytes",
		    h->name, len - 1);
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT, msg));
	}
	st = ks_sign(ctx, sconf->key, ks, in + 1, len - 1, out + 1, &siglen);
	if (st != KS_OK)
		return reply_err(ctx, out, st);
	out[0] = KS_OK;
	return siglen + 1;
}

/* 'E': Ed25519 over the octets themselves. */
static size_t
serve_sign_octets(ks_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t siglen = SIGNER_MSG_MAX - SIGNER_HEAD;
	ks_status st;

	if (len == 0)
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "no octets to sign"));
	st = ks_sign(ctx, sconf->key, KS_SIG_EDDSA, in, len, out + 1,
	    &siglen);
	if (st != KS_OK)
		return reply_err(ctx, out, st);
	out[0] = KS_OK;
	return siglen + 1;
}

static size_t
serve_peer(ks_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	const char *keyring, *id;
	unsigned char *spki = NULL;
	size_t spkilen = 0, klen, ilen;
	ks_status st;

	/* by, keyring NUL, id NUL: all inside the datagram */
	if (len < 3 || in[len - 1] != '\0' || in[0] > KS_PEER_NAME)
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "malformed peer key request"));
	keyring = (const char *)in + 1;
	klen = strnlen(keyring, len - 1);
	if (klen + 2 >= len)
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "malformed peer key request"));
	id = keyring + klen + 1;
	ilen = strnlen(id, len - klen - 2);
	if (ilen + klen + 3 != len)
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "malformed peer key request"));
	st = ks_keyring_peer_key(ctx, keyring, (ks_peer_by)in[0], id,
	    KS_USAGE_SIGNATURE, &spki, &spkilen);
	if (st != KS_OK)
		return reply_err(ctx, out, st);
	if (spkilen > SIGNER_MSG_MAX - SIGNER_HEAD) {
		free(spki);
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "peer key too large"));
	}
	out[0] = KS_OK;
	memcpy(out + 1, spki, spkilen);
	free(spki);
	return spkilen + 1;
}

int
signer_psk_hmac(int hash, ks_hmac *h)
{
	switch (hash) {
	case IKE_HASH_MD5:
		*h = KS_HMAC_MD5;
		return 0;
	case IKE_HASH_SHA:
		*h = KS_HMAC_SHA1;
		return 0;
	case IKE_HASH_SHA256:
		*h = KS_HMAC_SHA256;
		return 0;
	case IKE_HASH_SHA384:
		*h = KS_HMAC_SHA384;
		return 0;
	case IKE_HASH_SHA512:
		*h = KS_HMAC_SHA512;
		return 0;
	default:
		return -1;
	}
}

struct psk_req {
	int		 hash;		/* IKE_HASH_* */
	ks_hmac		 h;
	ks_peer_by	 by;
	const char	*keyring;
	const char	*id;
	const uint8_t	*data;
	size_t		 len;
};

/* hash, by, keyring NUL, id NUL, data (not empty): all inside in. */
static int
psk_req_parse(const uint8_t *in, size_t len, struct psk_req *r)
{
	size_t klen, ilen, off;

	if (len < 2 || signer_psk_hmac(in[0], &r->h) != 0 || in[1] > KS_PEER_NAME)
		return -1;
	r->hash = in[0];
	r->by = (ks_peer_by)in[1];
	off = 2;
	klen = strnlen((const char *)in + off, len - off);
	if (klen == 0 || klen >= CONF_NAME_MAX || klen == len - off)
		return -1;
	r->keyring = (const char *)in + off;
	off += klen + 1;
	ilen = strnlen((const char *)in + off, len - off);
	if (ilen == 0 || ilen >= CONF_NAME_MAX || ilen == len - off)
		return -1;
	r->id = (const char *)in + off;
	off += ilen + 1;
	if (off >= len || len - off > SIGNER_DATA_MAX)
		return -1;
	r->data = in + off;
	r->len = len - off;
	return 0;
}

/* 'K': prf(PSK, data) on the token. */
static size_t
serve_psk_prf(ks_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	struct psk_req r;
	size_t olen = IKE_HASH_MAX;
	ks_status st;

	if (psk_req_parse(in, len, &r) != 0)
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "malformed pre-shared key prf request"));
	st = ks_keyring_psk_prf(ctx, r.keyring, r.by, r.id, r.h, r.data,
	    r.len, out + 1, &olen);
	if (st != KS_OK)
		return reply_err(ctx, out, st);
	out[0] = KS_OK;
	return olen + 1;
}

/* 'A': prf(prf(PSK, "Key Pad for IKEv2"), octets); the inner prf on the
 * token, the outer here under the inner value, which is wiped at once. */
static size_t
serve_psk_auth(ks_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t inner[IKE_HASH_MAX];
	const struct ike_hash *ih;
	struct psk_req r;
	struct iov v;
	size_t ilen = sizeof(inner);
	ks_status st;
	int rc;

	if (psk_req_parse(in, len, &r) != 0 || r.hash == IKE_HASH_MD5 ||
	    (ih = alg_hash(r.hash)) == NULL)
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "malformed pre-shared key AUTH request"));
	st = ks_keyring_psk_prf(ctx, r.keyring, r.by, r.id, r.h, key_pad,
	    KEY_PAD_LEN, inner, &ilen);
	if (st != KS_OK) {
		OPENSSL_cleanse(inner, sizeof(inner));
		return reply_err(ctx, out, st);
	}
	v.p = r.data;
	v.len = r.len;
	rc = ilen == ih->len ? crypto_prf(ih, inner, ilen, &v, 1, out + 1) :
	    -1;
	OPENSSL_cleanse(inner, sizeof(inner));
	if (rc != 0) {
		OPENSSL_cleanse(out, 1 + IKE_HASH_MAX);
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EFAIL, "cannot "
		    "compute the outer prf of a pre-shared key AUTH"));
	}
	out[0] = KS_OK;
	return ih->len + 1;
}

/* 'R': keyring NUL. */
static size_t
serve_keyring(ks_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	ks_status st;

	if (len < 2 || len > CONF_NAME_MAX || in[len - 1] != '\0' ||
	    strlen((const char *)in) != len - 1)
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "malformed keyring request"));
	if ((st = ks_keyring_exists(ctx, (const char *)in)) != KS_OK)
		return reply_err(ctx, out, st);
	out[0] = KS_OK;
	return 1;
}

/* The signer keeps only its socket: no stdio, no inherited descriptors. */
static void
signer_fds(int keep)
{
	int fd, null;

	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		(void)dup2(null, STDIN_FILENO);
		(void)dup2(null, STDOUT_FILENO);
		(void)dup2(null, STDERR_FILENO);
	}
	for (fd = STDERR_FILENO + 1; fd < 1024; fd++)
		if (fd != keep)
			(void)close(fd);
}

/* 'C': the key's state, its curve and the workers answering. */
static size_t
serve_check(ks_ctx *ctx, uint8_t *out)
{
	ks_curve curve;
	ks_status st;

	if ((st = key_check(ctx, &curve)) != KS_OK)
		return reply_err(ctx, out, st);
	out[0] = KS_OK;
	out[1] = (uint8_t)curve;
	out[2] = (uint8_t)nworkers;
	return 3;
}

/* One request (len >= 1) into its answer in out; the answer's length. */
static size_t
serve(ks_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	switch (in[0]) {
	case 'S':
		return serve_sign(ctx, in + 1, len - 1, out);
	case 'H':
		return serve_sign_hash(ctx, in + 1, len - 1, out);
	case 'E':
		return serve_sign_octets(ctx, in + 1, len - 1, out);
	case 'P':
		return serve_peer(ctx, in + 1, len - 1, out);
	case 'K':
		return serve_psk_prf(ctx, in + 1, len - 1, out);
	case 'A':
		return serve_psk_auth(ctx, in + 1, len - 1, out);
	case 'R':
		return serve_keyring(ctx, in + 1, len - 1, out);
	case 'C':
		return serve_check(ctx, out);
	default:
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "unknown request"));
	}
}

/* One request; *trunc when it was longer than buf (the rest is lost). */
static ssize_t
recv_request(int fd, uint8_t *buf, size_t bufsz, int *trunc)
{
	struct iovec iov;
	struct msghdr m;
	ssize_t n;

	iov.iov_base = buf;
	iov.iov_len = bufsz;
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	n = recvmsg(fd, &m, 0);
	*trunc = n > 0 && (m.msg_flags & MSG_TRUNC) != 0;
	return n;
}

/* The answer to one datagram of n octets (its ID already in out). */
static size_t
answer(ks_ctx *ctx, const uint8_t *in, size_t n, int trunc, uint8_t *out)
{
	char msg[64];

	if (trunc) {
		snprintf(msg, sizeof(msg), "a request longer than %d octets",
		    SIGNER_MSG_MAX);
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT, msg));
	}
	if (n <= SIGNER_ID_LEN)
		return reply_err(ctx, out, ks_ctx_fail(ctx, KS_EINPUT,
		    "a request without its ID and operation"));
	return serve(ctx, in + SIGNER_ID_LEN, n - SIGNER_ID_LEN, out);
}

/* Is this request a 'Q', alone? */
static int
is_q(const uint8_t *in, ssize_t n, int trunc)
{
	return !trunc && n == SIGNER_ID_LEN + 1 && in[SIGNER_ID_LEN] == 'Q';
}

/*
 * 'Q': the client's end of the short requests' socket, passed with the
 * answer (its ID in out already); the first 'Q' takes it.  -1 when the
 * send failed.
 */
static int
send_short_socket(ks_ctx *ctx, int fd, uint8_t *out)
{
	size_t olen;
	int sfd, rc;

	pthread_mutex_lock(&short_mu);
	sfd = short_client;
	short_client = -1;
	pthread_mutex_unlock(&short_mu);
	if (sfd < 0) {
		olen = SIGNER_ID_LEN + reply_err(ctx, out + SIGNER_ID_LEN,
		    ks_ctx_fail(ctx, KS_EUSAGE, "no socket for short requests "
		    "(given already, or no worker)"));
		return send(fd, out, olen, 0) < 0 ? -1 : 0;
	}
	out[SIGNER_ID_LEN] = KS_OK;
	rc = fdpass_send(fd, out, SIGNER_HEAD, sfd, 0) < 0 ? -1 : 0;
	close(sfd);
	return rc;
}

/*
 * One thread's socket: requests until it closes.  After the answer to a
 * request that found the token gone, the whole process ends
 * (SIGNER_EXIT_LOST): every session went with the token.
 */
static void
serve_loop(ks_ctx *ctx, int fd)
{
	uint8_t in[SIGNER_MSG_MAX], out[SIGNER_MSG_MAX];
	ssize_t n;
	size_t olen;
	int trunc, lost;

	for (;;) {
		n = recv_request(fd, in, sizeof(in), &trunc);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (n >= SIGNER_ID_LEN)
			memcpy(out, in, SIGNER_ID_LEN);
		else
			memset(out, 0, SIGNER_ID_LEN);
		if (is_q(in, n, trunc)) {
			if (send_short_socket(ctx, fd, out) != 0)
				return;
			continue;
		}
		olen = SIGNER_ID_LEN + answer(ctx, in, (size_t)n, trunc,
		    out + SIGNER_ID_LEN);
		lost = out[SIGNER_ID_LEN] != KS_OK && ks_ctx_token_lost(ctx);
		if (send(fd, out, olen, 0) < 0)
			return;
		/* what came and went: a PSK request's data, SKEYID, AUTH */
		OPENSSL_cleanse(in, trunc ? sizeof(in) : (size_t)n);
		OPENSSL_cleanse(out, olen);
		if (lost)
			_exit(SIGNER_EXIT_LOST);
	}
}

struct worker {
	pthread_t	 thread;
	ks_ctx		*ctx;
	int		 fd;
	int		 short_fd;	/* the main thread's, to end it */
};

/* A worker: requests on the first socket; at its end, the main thread's
 * socket is shut down too, so that the main thread ends with it. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	serve_loop(w->ctx, w->fd);
	(void)shutdown(w->short_fd, SHUT_RDWR);
	return NULL;
}

/* "signer-workers", or one per online CPU up to SIGNER_WORKERS_AUTO. */
static unsigned
workers_wanted(const struct conf *c)
{
	long n;

	if (c->signer_workers > 0)
		return c->signer_workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > SIGNER_WORKERS_AUTO ? SIGNER_WORKERS_AUTO : (unsigned)n;
}

/*
 * The workers on the first socket, each on a session of its own, beside
 * the main thread on short_fd.  A token that opens fewer sessions gets
 * fewer workers; 'C' tells how many answer.  Returns how many were
 * started.
 */
static unsigned
workers_start(struct worker *w, unsigned want, int fd, int short_fd)
{
	unsigned n = 0;

	while (n < want) {
		if (ks_ctx_open_session(sctx, &w[n].ctx) != KS_OK)
			break;
		w[n].fd = fd;
		w[n].short_fd = short_fd;
		if (pthread_create(&w[n].thread, NULL, worker_main,
		    &w[n]) != 0) {
			ks_ctx_free(w[n].ctx);
			break;
		}
		n++;
	}
	return n;
}

static void
signer_main(int fd, const struct conf *c)
{
	struct worker w[SIGNER_WORKERS_MAX];
	uint8_t out[SIGNER_MSG_MAX];
	size_t olen;
	unsigned n, i;
	ks_curve curve;
	ks_status st;
	int sv[2] = { -1, -1 };

	sconf = c;
	signer_fds(fd);
	sandbox_nocore();
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if ((st = ks_ctx_new(&sctx)) != KS_OK)
		_exit(1);
	if ((st = ks_ctx_set_module(sctx, c->module[0] != '\0' ? c->module :
	    NULL)) == KS_OK &&
	    (st = ks_ctx_set_token(sctx, c->token[0] != '\0' ? c->token :
	    NULL)) == KS_OK) {
		ks_ctx_set_pin_fn(sctx, pin_cb, NULL);
		if ((st = ks_ctx_open(sctx, KS_OPEN_LOGIN)) == KS_OK)
			st = key_check(sctx, &curve);
	}
	/* the first datagram says whether the token is ready */
	olen = st == KS_OK ? (out[0] = KS_OK, 1) : reply_err(sctx, out, st);
	if (send(fd, out, olen, 0) < 0 || st != KS_OK) {
		ks_ctx_free(sctx);
		_exit(0);
	}
	/* the short requests' socket, there for 'Q' before any worker
	 * answers; without it, or without a worker, one thread answers all */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		sv[0] = sv[1] = -1;
	short_client = sv[0];
	n = sv[0] >= 0 ? workers_start(w, workers_wanted(c), fd, sv[1]) : 0;
	if (n == 0) {
		if (sv[0] >= 0) {
			short_client = -1;
			close(sv[0]);
			close(sv[1]);
		}
		serve_loop(sctx, fd);
	} else {
		nworkers = n;	/* until now 'C' said 1 */
		/* until the client closes it, or a worker shuts it down at
		 * the end of the first socket */
		serve_loop(sctx, sv[1]);
	}
	/* the first socket closed: every worker sees the end of it */
	for (i = 0; i < n; i++) {
		(void)pthread_join(w[i].thread, NULL);
		ks_ctx_free(w[i].ctx);
	}
	ks_ctx_free(sctx);
	_exit(0);
}

ks_status
signer_spawn(const struct conf *c, int *fd, pid_t *pid, char *err,
    size_t errsz)
{
	struct timeval tmo = { SIGNER_TIMEOUT / 1000, 0 };
	ks_status st;
	pid_t p;
	int sv[2];

	*fd = -1;
	*pid = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errsz, "socketpair: %s", strerror(errno));
		return KS_EFAIL;
	}
	if (setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) !=
	    0) {
		snprintf(err, errsz, "setsockopt SO_RCVTIMEO: %s",
		    strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return KS_EFAIL;
	}
	fflush(NULL);
	switch ((p = fork())) {
	case -1:
		snprintf(err, errsz, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return KS_EFAIL;
	case 0:
		close(sv[0]);
		signer_main(sv[1], c);
		_exit(1);
	default:
		break;
	}
	close(sv[1]);
	if ((st = signer_ready(sv[0], err, errsz)) != KS_OK) {
		close(sv[0]);
		(void)kill(p, SIGTERM);
		(void)waitpid(p, NULL, 0);
		return st;
	}
	log_info("signer running (pid %ld)", (long)p);
	*fd = sv[0];
	*pid = p;
	return KS_OK;
}

