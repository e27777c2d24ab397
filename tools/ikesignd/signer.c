/*
 * signer.c -- privilege separation: the only process that touches the
 * token.
 *
 * signer_spawn() (in the privileged parent) forks before anything loads a
 * PKCS#11 module; the child (the signer: root, for the token's files, no
 * core dumps) loads the module, logs in and then answers four requests
 * over a SOCK_SEQPACKET socketpair, one datagram each way:
 *	'S' octets        -> status, signature (CKM_RSA_PKCS over the octets;
 *	                     IKEv1)
 *	'H' scheme hash   -> status, signature of the hash under scheme (one
 *	                     octet, enum sig_scheme): PKCS#1 v1.5 with the
 *	                     hash's DigestInfo, or RSASSA-PSS (sig.c says why)
 *	'P' by keyring\0id\0 -> status, the peer's DER SubjectPublicKeyInfo
 *	'C'               -> status: is the local key there and unlocked?
 * A failing status carries the library's one-line message instead.  The
 * signer never sees packets, and the network process never holds a token
 * session or a key; the parent hands it the socket.  The signer exits
 * when the socket closes.
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
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "ikesignd.h"
#include "common/pinsrc.h"

#define SIGNER_MSG_MAX	8192
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

static void
signer_main(int fd, const struct conf *c)
{
	uint8_t in[SIGNER_MSG_MAX], out[SIGNER_MSG_MAX];
	ssize_t n;
	size_t olen;
	ks_status st;

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
		n = recv(fd, in, sizeof(in), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		switch (in[0]) {
		case 'S':
			olen = serve_sign(in + 1, (size_t)n - 1, out);
			break;
		case 'H':
			olen = serve_sign_hash(in + 1, (size_t)n - 1, out);
			break;
		case 'P':
			olen = serve_peer(in + 1, (size_t)n - 1, out);
			break;
		case 'C':
			st = key_check();
			olen = st == KS_OK ? (out[0] = KS_OK, 1) :
			    reply_err(out, st);
			break;
		default:
			olen = reply_err(out, ks_ctx_fail(sctx, KS_EINPUT,
			    "unknown request"));
			break;
		}
		if (send(fd, out, olen, 0) < 0)
			break;
		OPENSSL_cleanse(in, sizeof(in));
	}
done:
	ks_ctx_free(sctx);
	_exit(0);
}

static ks_status
call(const uint8_t *req, size_t reqlen, uint8_t *resp, size_t *resplen,
    char *err, size_t errsz)
{
	struct pollfd pfd;
	ssize_t n;

	if (signer_fd < 0) {
		snprintf(err, errsz, "the signer process is not running");
		return KS_ETOKEN;
	}
	if (req != NULL && send(signer_fd, req, reqlen, 0) < 0) {
		snprintf(err, errsz, "the signer process went away (%s)",
		    strerror(errno));
		close(signer_fd);
		signer_fd = -1;
		return KS_ETOKEN;
	}
	pfd.fd = signer_fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, SIGNER_TIMEOUT) != 1) {
		snprintf(err, errsz, "the signer did not answer in %d s",
		    SIGNER_TIMEOUT / 1000);
		return KS_ETOKEN;
	}
	n = recv(signer_fd, resp, SIGNER_MSG_MAX, 0);
	if (n <= 0) {
		snprintf(err, errsz, "the signer process went away");
		close(signer_fd);
		signer_fd = -1;
		return KS_ETOKEN;
	}
	if (resp[0] != KS_OK) {
		snprintf(err, errsz, "%.*s", (int)(n - 1), resp + 1);
		return (ks_status)resp[0];
	}
	*resplen = (size_t)n - 1;
	return KS_OK;
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
	ks_status st;
	pid_t p;
	int sv[2];

	*fd = -1;
	*pid = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errsz, "socketpair: %s", strerror(errno));
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
	if (rlen > *siglen) {
		snprintf(err, errsz, "signature too long");
		return KS_EFAIL;
	}
	memcpy(sig, resp + 1, rlen);
	*siglen = rlen;
	return KS_OK;
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
	if (rlen > *siglen) {
		snprintf(err, errsz, "signature too long");
		return KS_EFAIL;
	}
	memcpy(sig, resp + 1, rlen);
	*siglen = rlen;
	return KS_OK;
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
signer_key_check(char *err, size_t errsz)
{
	uint8_t req = 'C', resp[SIGNER_MSG_MAX];
	size_t rlen;

	return call(&req, 1, resp, &rlen, err, errsz);
}
