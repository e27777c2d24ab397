/*
 * signer.c -- privilege separation: the only process that touches the
 * token.
 *
 * signer_spawn() (in the privileged parent) forks before anything loads a
 * PKCS#11 module; the child (the signer: root, for the token's files, no
 * core dumps) loads the module, logs in and then answers these requests
 * over a SOCK_SEQPACKET socketpair, one datagram each way (at most
 * SIGNER_MSG_MAX octets):
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
 *	                     and its curve (KS_CURVE_*; NONE for RSA)
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
#include <poll.h>
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

#include "ikesignd.h"
#include "common/pinsrc.h"

#define SIGNER_MSG_MAX	16384
/* op, hash, by, two names with their NULs, and the data */
#define PSK_REQ_HEAD	3
_Static_assert(PSK_REQ_HEAD + 2 * CONF_NAME_MAX + SIGNER_DATA_MAX <=
    SIGNER_MSG_MAX, "a PSK request with the longest names and data fits");

/* RFC 7296 2.15: the key pad of a PSK AUTH, 17 octets, no NUL */
static const uint8_t key_pad[] = "Key Pad for IKEv2";
#define KEY_PAD_LEN	(sizeof(key_pad) - 1)
#define SIGNER_TIMEOUT	15000	/* ms */

static int signer_fd = -1;
static pid_t signer_pid = -1;
static char signer_why[768] = "running";

/* The signer's own state (child only). */
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

/* The curve of the signing key (KS_CURVE_NONE: RSA), for 'C'. */
static ks_curve skey_curve;

static ks_status
key_check(void)
{
	ks_key **keys = NULL;
	size_t n = 0, i;
	ks_status st;
	int usable = 0, locked = 0;

	if ((st = ks_list(sctx, sconf->key, &keys, &n)) != KS_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (ks_key_usage(keys[i]) == KS_USAGE_ENCRYPTION)
			continue;
		if (ks_key_locked(keys[i]))
			locked = 1;
		else
			usable = 1;
		skey_curve = ks_key_type(keys[i]) == KS_KEY_EC ?
		    ks_key_curve(keys[i]) : KS_CURVE_NONE;
	}
	ks_keys_free(keys, n);
	if (usable)
		return KS_OK;
	if (locked)
		return ks_ctx_fail(sctx, KS_EPERM, "key is locked");
	return ks_ctx_fail(sctx, KS_ENOTFOUND, "no signing key by that name "
	    "on the token");
}

static size_t
reply_err(uint8_t *out, ks_status st)
{
	const char *msg = ks_ctx_error(sctx);
	size_t n = strlen(msg);

	if (n > SIGNER_MSG_MAX - 1)
		n = SIGNER_MSG_MAX - 1;
	out[0] = (uint8_t)st;
	memcpy(out + 1, msg, n);
	return n + 1;
}

static size_t
serve_sign(const uint8_t *in, size_t len, uint8_t *out)
{
	size_t siglen = SIGNER_MSG_MAX - 1;
	ks_status st;

	st = ks_sign(sctx, sconf->key, KS_SIG_RSA_PKCS_RAW, in, len, out + 1,
	    &siglen);
	if (st != KS_OK)
		return reply_err(out, st);
	out[0] = KS_OK;
	return siglen + 1;
}

/* 'H': the scheme is known and the hash as long as its hash. */
static size_t
serve_sign_hash(const uint8_t *in, size_t len, uint8_t *out)
{
	const struct ike_hash *h;
	size_t siglen = SIGNER_MSG_MAX - 1;
	char msg[128];
	ks_sig ks;
	ks_status st;

	if (len < 1 || sig_ks((enum sig_scheme)in[0], &ks) != 0 ||
	    (h = sig_hash((enum sig_scheme)in[0])) == NULL)
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
		    "unknown signature scheme"));
	if (len - 1 != h->len) {
		snprintf(msg, sizeof(msg), "a %s hash of %zu bytes",
		    h->name, len - 1);
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT, msg));
	}
	st = ks_sign(sctx, sconf->key, ks, in + 1, len - 1, out + 1, &siglen);
	if (st != KS_OK)
		return reply_err(out, st);
	out[0] = KS_OK;
	return siglen + 1;
}

/* 'E': Ed25519 over the octets themselves. */
static size_t
serve_sign_octets(const uint8_t *in, size_t len, uint8_t *out)
{
	size_t siglen = SIGNER_MSG_MAX - 1;
	ks_status st;

	if (len == 0)
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
		    "no octets to sign"));
	st = ks_sign(sctx, sconf->key, KS_SIG_EDDSA, in, len, out + 1,
	    &siglen);
	if (st != KS_OK)
		return reply_err(out, st);
	out[0] = KS_OK;
	return siglen + 1;
}

static size_t
serve_peer(const uint8_t *in, size_t len, uint8_t *out)
{
	const char *keyring, *id;
	unsigned char *spki = NULL;
	size_t spkilen = 0, klen, ilen;
	ks_status st;

	/* by, keyring NUL, id NUL: all inside the datagram */
	if (len < 3 || in[len - 1] != '\0' || in[0] > KS_PEER_NAME)
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
		    "malformed peer key request"));
	keyring = (const char *)in + 1;
	klen = strnlen(keyring, len - 1);
	if (klen + 2 >= len)
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
		    "malformed peer key request"));
	id = keyring + klen + 1;
	ilen = strnlen(id, len - klen - 2);
	if (ilen + klen + 3 != len)
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
		    "malformed peer key request"));
	st = ks_keyring_peer_key(sctx, keyring, (ks_peer_by)in[0], id,
	    KS_USAGE_SIGNATURE, &spki, &spkilen);
	if (st != KS_OK)
		return reply_err(out, st);
	if (spkilen > SIGNER_MSG_MAX - 1) {
		free(spki);
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
		    "peer key too large"));
	}
	out[0] = KS_OK;
	memcpy(out + 1, spki, spkilen);
	free(spki);
	return spkilen + 1;
}

/* IKE_HASH_* to the library's HMAC; -1 when there is none. */
static int
psk_hmac(int hash, ks_hmac *h)
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

	if (len < 2 || psk_hmac(in[0], &r->h) != 0 || in[1] > KS_PEER_NAME)
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
serve_psk_prf(const uint8_t *in, size_t len, uint8_t *out)
{
	struct psk_req r;
	size_t olen = IKE_HASH_MAX;
	ks_status st;

	if (psk_req_parse(in, len, &r) != 0)
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
		    "malformed pre-shared key prf request"));
	st = ks_keyring_psk_prf(sctx, r.keyring, r.by, r.id, r.h, r.data,
	    r.len, out + 1, &olen);
	if (st != KS_OK)
		return reply_err(out, st);
	out[0] = KS_OK;
	return olen + 1;
}

/* 'A': prf(prf(PSK, "Key Pad for IKEv2"), octets); the inner prf on the
 * token, the outer here under the inner value, which is wiped at once. */
static size_t
serve_psk_auth(const uint8_t *in, size_t len, uint8_t *out)
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
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
		    "malformed pre-shared key AUTH request"));
	st = ks_keyring_psk_prf(sctx, r.keyring, r.by, r.id, r.h, key_pad,
	    KEY_PAD_LEN, inner, &ilen);
	if (st != KS_OK) {
		OPENSSL_cleanse(inner, sizeof(inner));
		return reply_err(out, st);
	}
	v.p = r.data;
	v.len = r.len;
	rc = ilen == ih->len ? crypto_prf(ih, inner, ilen, &v, 1, out + 1) :
	    -1;
	OPENSSL_cleanse(inner, sizeof(inner));
	if (rc != 0) {
		OPENSSL_cleanse(out, 1 + IKE_HASH_MAX);
		return reply_err(out, ks_ctx_fail(sctx, KS_EFAIL, "cannot "
		    "compute the outer prf of a pre-shared key AUTH"));
	}
	out[0] = KS_OK;
	return ih->len + 1;
}

/* 'R': keyring NUL. */
static size_t
serve_keyring(const uint8_t *in, size_t len, uint8_t *out)
{
	ks_status st;

	if (len < 2 || len > CONF_NAME_MAX || in[len - 1] != '\0' ||
	    strlen((const char *)in) != len - 1)
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
		    "malformed keyring request"));
	if ((st = ks_keyring_exists(sctx, (const char *)in)) != KS_OK)
		return reply_err(out, st);
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

/* One request (len >= 1) into its answer in out; the answer's length. */
static size_t
serve(const uint8_t *in, size_t len, uint8_t *out)
{
	ks_status st;

	switch (in[0]) {
	case 'S':
		return serve_sign(in + 1, len - 1, out);
	case 'H':
		return serve_sign_hash(in + 1, len - 1, out);
	case 'E':
		return serve_sign_octets(in + 1, len - 1, out);
	case 'P':
		return serve_peer(in + 1, len - 1, out);
	case 'K':
		return serve_psk_prf(in + 1, len - 1, out);
	case 'A':
		return serve_psk_auth(in + 1, len - 1, out);
	case 'R':
		return serve_keyring(in + 1, len - 1, out);
	case 'C':
		if ((st = key_check()) != KS_OK)
			return reply_err(out, st);
		out[0] = KS_OK;
		out[1] = (uint8_t)skey_curve;
		return 2;
	default:
		return reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
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

static void
signer_main(int fd, const struct conf *c)
{
	uint8_t in[SIGNER_MSG_MAX], out[SIGNER_MSG_MAX];
	char msg[64];
	ssize_t n;
	size_t olen;
	ks_status st;
	int trunc, lost = 0;

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
			st = key_check();
	}
	/* the first datagram says whether the token is ready */
	olen = st == KS_OK ? (out[0] = KS_OK, 1) : reply_err(out, st);
	if (send(fd, out, olen, 0) < 0 || st != KS_OK)
		goto done;
	for (;;) {
		n = recv_request(fd, in, sizeof(in), &trunc);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (trunc) {
			snprintf(msg, sizeof(msg), "a request longer than %d "
			    "octets", SIGNER_MSG_MAX);
			olen = reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
			    msg));
		} else
			olen = serve(in, (size_t)n, out);
		lost = out[0] != KS_OK && ks_ctx_token_lost(sctx);
		if (send(fd, out, olen, 0) < 0)
			break;
		/* what came and went: a PSK request's data, SKEYID, AUTH */
		OPENSSL_cleanse(in, trunc ? sizeof(in) : (size_t)n);
		OPENSSL_cleanse(out, olen);
		if (lost)
			break;
	}
done:
	ks_ctx_free(sctx);
	_exit(lost ? SIGNER_EXIT_LOST : 0);
}

/* One request on fd and its answer; *gone when the signer went away. */
static ks_status
exchange(int fd, const uint8_t *req, size_t reqlen, uint8_t *resp,
    size_t *resplen, char *err, size_t errsz, int *gone)
{
	ssize_t n;

	*gone = 0;
	if (req != NULL && send(fd, req, reqlen, 0) < 0) {
		snprintf(err, errsz, "the signer process went away (%s)",
		    strerror(errno));
		*gone = 1;
		return KS_ETOKEN;
	}
	/* a blocking recv, its timeout SO_RCVTIMEO (signer_spawn): one
	 * system call where poll and recv were two */
	while ((n = recv(fd, resp, SIGNER_MSG_MAX, 0)) < 0 && errno == EINTR)
		;
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
	*resplen = (size_t)n - 1;
	return KS_OK;
}

static ks_status
call(const uint8_t *req, size_t reqlen, uint8_t *resp, size_t *resplen,
    char *err, size_t errsz)
{
	ks_status st;
	int gone;

	if (signer_fd < 0) {
		snprintf(err, errsz, "the signer process is not running");
		return KS_ETOKEN;
	}
	st = exchange(signer_fd, req, reqlen, resp, resplen, err, errsz,
	    &gone);
	if (gone) {
		close(signer_fd);
		signer_fd = -1;
	}
	return st;
}

/* The signer's first datagram: has it logged in? */
static ks_status
ready_status(int fd, char *err, size_t errsz)
{
	uint8_t resp[SIGNER_MSG_MAX];
	struct pollfd pfd;
	ssize_t n;
	int rc;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((rc = poll(&pfd, 1, SIGNER_TIMEOUT)) < 0 && errno == EINTR)
		;
	if (rc != 1) {
		snprintf(err, errsz, "the signer did not answer in %d s",
		    SIGNER_TIMEOUT / 1000);
		return KS_ETOKEN;
	}
	while ((n = recv(fd, resp, sizeof(resp), 0)) < 0 && errno == EINTR)
		;
	if (n <= 0) {
		snprintf(err, errsz, "the signer process went away");
		return KS_ETOKEN;
	}
	if (resp[0] != KS_OK) {
		snprintf(err, errsz, "%.*s", (int)(n - 1), resp + 1);
		return (ks_status)resp[0];
	}
	return KS_OK;
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
	if ((st = ready_status(sv[0], err, errsz)) != KS_OK) {
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

void
signer_use(int fd, long pid)
{
	signer_stop();
	signer_fd = fd;
	signer_pid = (pid_t)pid;
}

long
signer_pid_get(void)
{
	return signer_fd >= 0 ? (long)signer_pid : -1L;
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
	if (signer_fd >= 0)
		close(signer_fd);
	signer_fd = -1;
	signer_pid = -1;
}

/* The answer after its status octet into out (*outlen: its size). */
static ks_status
take_answer(const uint8_t *resp, size_t rlen, uint8_t *out, size_t *outlen,
    const char *what, char *err, size_t errsz)
{
	if (rlen > *outlen) {
		snprintf(err, errsz, "%s too long", what);
		return KS_EFAIL;
	}
	memcpy(out, resp + 1, rlen);
	*outlen = rlen;
	return KS_OK;
}

ks_status
signer_sign(const uint8_t *in, size_t inlen, uint8_t *sig, size_t *siglen,
    char *err, size_t errsz)
{
	uint8_t req[1 + IKE_HASH_MAX], resp[SIGNER_MSG_MAX];
	size_t rlen = 0;
	ks_status st;

	if (inlen > IKE_HASH_MAX) {
		snprintf(err, errsz, "nothing that long is signed");
		return KS_EUSAGE;
	}
	req[0] = 'S';
	memcpy(req + 1, in, inlen);
	if ((st = call(req, inlen + 1, resp, &rlen, err, errsz)) != KS_OK)
		return st;
	return take_answer(resp, rlen, sig, siglen, "signature", err,
	    errsz);
}

ks_status
signer_sign_hash(enum sig_scheme s, const uint8_t *hash, size_t hashlen,
    uint8_t *sig, size_t *siglen, char *err, size_t errsz)
{
	uint8_t req[2 + IKE_HASH_MAX], resp[SIGNER_MSG_MAX];
	const struct ike_hash *h = sig_hash(s);
	size_t rlen = 0;
	ks_status st;

	if (h == NULL) {
		snprintf(err, errsz, "unknown signature scheme %d", (int)s);
		return KS_EUSAGE;
	}
	if (hashlen != h->len || hashlen > IKE_HASH_MAX) {
		snprintf(err, errsz, "a %s hash of %zu bytes", h->name,
		    hashlen);
		return KS_EUSAGE;
	}
	req[0] = 'H';
	req[1] = (uint8_t)s;
	memcpy(req + 2, hash, hashlen);
	if ((st = call(req, hashlen + 2, resp, &rlen, err, errsz)) != KS_OK)
		return st;
	return take_answer(resp, rlen, sig, siglen, "signature", err,
	    errsz);
}

ks_status
signer_peer_key(const char *keyring, int kind, const char *id, uint8_t *spki,
    size_t *spkilen, char *err, size_t errsz)
{
	uint8_t req[2 + 2 * CONF_NAME_MAX + 2], resp[SIGNER_MSG_MAX];
	size_t klen = strlen(keyring), ilen = strlen(id), rlen = 0;
	ks_status st;

	if (klen >= CONF_NAME_MAX || ilen >= CONF_NAME_MAX) {
		snprintf(err, errsz, "peer identity too long");
		return KS_EINPUT;
	}
	req[0] = 'P';
	req[1] = (uint8_t)kind;
	memcpy(req + 2, keyring, klen + 1);
	memcpy(req + 3 + klen, id, ilen + 1);
	st = call(req, klen + ilen + 4, resp, &rlen, err, errsz);
	if (st != KS_OK)
		return st;
	if (rlen > *spkilen) {
		snprintf(err, errsz, "peer key too large");
		return KS_EINPUT;
	}
	memcpy(spki, resp + 1, rlen);
	*spkilen = rlen;
	return KS_OK;
}

ks_status
signer_sign_octets(const uint8_t *octets, size_t len, uint8_t *sig,
    size_t *siglen, char *err, size_t errsz)
{
	uint8_t *req, resp[SIGNER_MSG_MAX];
	size_t rlen = 0;
	ks_status st;

	if (len == 0 || len > SIGNER_DATA_MAX) {
		snprintf(err, errsz, "%zu octets to sign; 1 to %d can be sent",
		    len, SIGNER_DATA_MAX);
		return KS_EUSAGE;
	}
	if ((req = malloc(len + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return KS_EFAIL;
	}
	req[0] = 'E';
	memcpy(req + 1, octets, len);
	st = call(req, len + 1, resp, &rlen, err, errsz);
	free(req);
	if (st != KS_OK)
		return st;
	return take_answer(resp, rlen, sig, siglen, "signature", err,
	    errsz);
}

/* The answer to 'C' carries the signing key's curve (NONE: RSA). */
ks_status
signer_key_check(int *curve, char *err, size_t errsz)
{
	uint8_t req = 'C', resp[SIGNER_MSG_MAX];
	size_t rlen = 0;
	ks_status st;

	st = call(&req, 1, resp, &rlen, err, errsz);
	if (st == KS_OK && rlen == 1)
		*curve = resp[1];
	return st;
}

ks_status
signer_key_check_fd(int fd, int *curve, char *err, size_t errsz)
{
	uint8_t req = 'C', resp[SIGNER_MSG_MAX];
	size_t rlen = 0;
	ks_status st;
	int gone;

	st = exchange(fd, &req, 1, resp, &rlen, err, errsz, &gone);
	if (st == KS_OK && rlen == 1)
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

	if (psk_hmac(hash, &h) != 0 || (op == 'A' && hash == IKE_HASH_MD5)) {
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
	return signer_check_keyrings(signer_fd, c, err, errsz);
}
