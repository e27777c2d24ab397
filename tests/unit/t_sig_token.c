/*
 * t_sig_token.c -- IKE signatures made on a real SoftHSM2 token.
 *
 * ks_sign's hash variants: PKCS#1 v1.5 through the DigestInfo and
 * CKM_RSA_PKCS (the same octets as the token's own CKM_SHA*_RSA_PKCS over
 * the message), RSASSA-PSS through CKM_RSA_PKCS_PSS; each checked by
 * OpenSSL over the message and by sig_verify over the hash.  Then a token
 * without CKM_RSA_PKCS_PSS (tests/faultmod), and the signer process's 'H'
 * request end to end: signer_spawn, signer_sign_now, and malformed
 * requests written to its socket.
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "tools/ikesignd/ikesignd.h"
#include "tap.h"
#include "token.h"
#include "signer_raw.h"
#include "faultmod.h"

#define KEY	"ike"
#define MSG	"the InitiatorSignedOctets stand-in"

static const enum sig_scheme all[] = {
	SIG_PKCS1_SHA1, SIG_PKCS1_SHA256, SIG_PKCS1_SHA384, SIG_PKCS1_SHA512,
	SIG_PSS_SHA256, SIG_PSS_SHA384, SIG_PSS_SHA512
};
#define NALL	(sizeof(all) / sizeof(all[0]))

static struct conf conf;	/* the signer's configuration */

/* The signer child calls it; the sandbox is not under test here. */
void
sandbox_nocore(void)
{
}

static int
is_pss(enum sig_scheme s)
{
	return s >= SIG_PSS_SHA256;
}

static const char *
scheme_name(enum sig_scheme s)
{
	static const char *names[] = { "?", "PKCS1-SHA1", "PKCS1-SHA256",
	    "PKCS1-SHA384", "PKCS1-SHA512", "PSS-SHA256", "PSS-SHA384",
	    "PSS-SHA512" };

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* The hash of MSG under s's hash. */
static size_t
msg_hash(enum sig_scheme s, uint8_t *out)
{
	const struct ike_hash *h = sig_hash(s);
	struct iov v = { MSG, strlen(MSG) };

	if (h == NULL || crypto_hash(h, &v, 1, out) != 0)
		return 0;
	return h->len;
}

/* OpenSSL's own check over the message: 1 when good. */
static int
openssl_verify(const uint8_t *spki, size_t spkilen, enum sig_scheme s,
    const uint8_t *sig, size_t siglen)
{
	const unsigned char *p = spki;
	const struct ike_hash *h = sig_hash(s);
	const EVP_MD *md = alg_md(h);
	EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)spkilen);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int rc = 0;

	if (key == NULL || mctx == NULL || md == NULL ||
	    EVP_DigestVerifyInit(mctx, &pctx, md, NULL, key) != 1)
		goto out;
	if (is_pss(s) && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)h->len) <= 0))
		goto out;
	rc = EVP_DigestVerify(mctx, sig, siglen, (const uint8_t *)MSG,
	    strlen(MSG)) == 1;
out:
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(key);
	return rc;
}

static int
key_spki(ks_ctx *ctx, const char *label, uint8_t *spki, size_t *spkilen)
{
	ks_key **keys = NULL;
	const unsigned char *p;
	size_t n = 0, len = 0;
	int rc = -1;

	if (ks_list(ctx, label, &keys, &n) == KS_OK && n == 1 &&
	    (p = ks_key_spki(keys[0], &len)) != NULL && len <= *spkilen) {
		memcpy(spki, p, len);
		*spkilen = len;
		rc = 0;
	}
	ks_keys_free(keys, n);
	return rc;
}

static void
test_ks_sign(ks_ctx *ctx, const uint8_t *spki, size_t spkilen)
{
	static const ks_sig whole[] = { KS_SIG_SHA1_RSA_PKCS,
	    KS_SIG_SHA256_RSA_PKCS, KS_SIG_SHA384_RSA_PKCS,
	    KS_SIG_SHA512_RSA_PKCS };
	uint8_t hash[IKE_HASH_MAX], sig[512], sig2[512];
	size_t i, hlen, siglen, sig2len;
	ks_sig ks;

	for (i = 0; i < NALL; i++) {
		const char *n = scheme_name(all[i]);

		hlen = msg_hash(all[i], hash);
		siglen = sizeof(sig);
		if (hlen == 0 || sig_ks(all[i], &ks) != 0) {
			ok(0, "%s: a hash and a ks_sig", n);
			continue;
		}
		is_int(ks_sign(ctx, KEY, ks, hash, hlen, sig, &siglen), KS_OK,
		    "%s: the token signs the hash", n);
		ok(siglen == 256 && sig_verify(spki, spkilen, all[i], -1, hash,
		    hlen, sig, siglen) == 0, "%s: sig_verify takes it", n);
		ok(openssl_verify(spki, spkilen, all[i], sig, siglen),
		    "%s: OpenSSL verifies it over the message", n);
		sig2len = sizeof(sig2);
		if (is_pss(all[i]))
			ok(ks_sign(ctx, KEY, ks, hash, hlen, sig2, &sig2len) ==
			    KS_OK && sig2len == siglen &&
			    memcmp(sig, sig2, siglen) != 0 &&
			    sig_verify(spki, spkilen, all[i], -1, hash, hlen,
			    sig2, sig2len) == 0, "%s: a second signature "
			    "differs (a random salt) and verifies", n);
		else
			ok(ks_sign(ctx, KEY, whole[all[i] - SIG_PKCS1_SHA1],
			    (const uint8_t *)MSG, strlen(MSG), sig2,
			    &sig2len) == KS_OK && sig2len == siglen &&
			    memcmp(sig, sig2, siglen) == 0, "%s: the same "
			    "octets as the token's CKM_SHA*_RSA_PKCS over the "
			    "message", n);
		siglen = sizeof(sig);
		is_int(ks_sign(ctx, KEY, ks, hash, hlen - 1, sig, &siglen),
		    KS_EUSAGE, "%s: a hash one octet short refused", n);
		siglen = sizeof(sig);
		is_int(ks_sign(ctx, KEY, ks, hash, hlen + 1, sig, &siglen),
		    KS_EUSAGE, "%s: one octet long refused", n);
	}
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, KEY, (ks_sig)99, hash, 32, sig, &siglen),
	    KS_EUSAGE, "an unknown ks_sig refused");
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, "nosuch", KS_SIG_RSA_PSS_SHA256, hash, 32, sig,
	    &siglen), KS_ENOTFOUND, "PSS with no such key: not found");
}

/* Through faultmod acting as a token without CKM_RSA_PKCS_PSS. */
static void
test_no_pss(void)
{
	uint8_t hash[IKE_HASH_MAX], sig[512];
	char mod[4096];
	size_t siglen = sizeof(sig);
	ks_ctx *ctx = NULL;
	ks_status st;

	if (unit_faultmod(mod, sizeof(mod)) != 0)
		return;
	setenv("CRYPTOKEY_FAULT_NO_PSS", "1", 1);
	ks_ctx_new(&ctx);
	ks_ctx_set_module(ctx, mod);
	ks_ctx_set_pin_fn(ctx, unit_secret_cb, (void *)UNIT_PIN);
	if (!ok(ks_ctx_open(ctx, KS_OPEN_LOGIN) == KS_OK, "the token "
	    "through faultmod"))
		goto out;
	(void)msg_hash(SIG_PSS_SHA256, hash);
	st = ks_sign(ctx, KEY, KS_SIG_RSA_PSS_SHA256, hash, 32, sig, &siglen);
	is_int(st, KS_ETOKEN, "without CKM_RSA_PKCS_PSS: a token failure");
	ok(strstr(ks_ctx_error(ctx), "token 'unit' cannot sign with RSA-PSS "
	    "(CKM_RSA_PKCS_PSS)") != NULL, "and it says so: %s",
	    ks_ctx_error(ctx));
	siglen = sizeof(sig);
	is_int(ks_sign(ctx, KEY, KS_SIG_RSA_PKCS_SHA256_HASH, hash, 32, sig,
	    &siglen), KS_OK, "PKCS#1 v1.5 still signs there");
out:
	ks_ctx_free(ctx);
	unsetenv("CRYPTOKEY_FAULT_NO_PSS");
	unsetenv("CRYPTOKEY_FAULT_TARGET");
}

/* The network process's loop, once: the signer's two sockets polled
 * for ms at most, the answers collected, the ready ones resumed. */
static void
signer_turn(int ms)
{
	struct pollfd pfd[2];

	pfd[0].fd = signer_fd_get();
	pfd[1].fd = signer_short_fd_get();
	pfd[0].events = pfd[1].events = POLLIN;
	if (poll(pfd, 2, ms) > 0)
		signer_collect(pfd[0].revents != 0, pfd[1].revents != 0);
	signer_run_ready();
}

static int checked, checked_curve;
static ks_status checked_st;

static void
key_checked(ks_status st, int curve, const char *err)
{
	(void)err;
	checked = 1;
	checked_st = st;
	checked_curve = curve;
}

/* The key check, asked without waiting ('C'), then waited for (10 s at
 * most): its status, and the key's curve in *curve. */
static ks_status
check_now(int *curve)
{
	int rounds = 100;

	checked = 0;
	signer_key_check_async(key_checked);
	while (!checked && rounds-- > 0)
		signer_turn(100);
	if (!checked)
		return KS_ETOKEN;
	*curve = checked_curve;
	return checked_st;
}

/* One signature through the signer, waited for (signer_sign_now). */
static ks_status
sign_now(uint8_t op, enum sig_scheme s, const uint8_t *data, size_t len,
    uint8_t *sig, size_t *siglen, char *err, size_t errsz)
{
	struct sign_req r = { op, s, data, len };

	return signer_sign_now(&r, sig, siglen, err, errsz);
}

static void
test_signer(const char *dir, const uint8_t *spki, size_t spkilen)
{
	uint8_t hash[IKE_HASH_MAX], sig[2048], req[2 + IKE_HASH_MAX];
	char err[768], msg[768];
	size_t i, hlen, siglen;
	pid_t pid;
	int fd, status;
	ks_status st;

	if (unit_signer_start(dir, &conf, KEY, &fd, &pid) != 0)
		return;
	signer_use(fd, (long)pid);

	for (i = 0; i < NALL; i++) {
		hlen = msg_hash(all[i], hash);
		siglen = sizeof(sig);
		st = sign_now('H', all[i], hash, hlen, sig, &siglen, err,
		    sizeof(err));
		ok(st == KS_OK && sig_verify(spki, spkilen, all[i], -1, hash,
		    hlen, sig, siglen) == 0 && openssl_verify(spki, spkilen,
		    all[i], sig, siglen), "%s: the signer's signature "
		    "verifies", scheme_name(all[i]));
	}
	siglen = sizeof(sig);
	is_int(sign_now('H', SIG_PSS_SHA384, hash, 32, sig, &siglen, err,
	    sizeof(err)), KS_EUSAGE, "a hash of the wrong length is not sent");
	is_int(sign_now('H', 0, hash, 32, sig, &siglen, err, sizeof(err)),
	    KS_EUSAGE, "nor one of scheme 0");
	siglen = 10;
	is_int(sign_now('H', SIG_PSS_SHA256, hash, 32, sig, &siglen, err,
	    sizeof(err)), KS_EFAIL, "a signature longer than the buffer");

	/* what the signer itself refuses */
	memset(req, 0x11, sizeof(req));
	req[0] = 'H';
	req[1] = 0;
	is_int(raw_call(fd, req, 34, msg, sizeof(msg)), KS_EINPUT,
	    "signer: scheme 0 refused");
	is_str(msg, "unknown signature scheme", "with its reason");
	req[1] = SIG_ECDSA_SHA512 + 1;
	is_int(raw_call(fd, req, 66, msg, sizeof(msg)), KS_EINPUT,
	    "signer: a scheme past the last refused");
	req[1] = SIG_PSS_SHA256;
	is_int(raw_call(fd, req, 33, msg, sizeof(msg)), KS_EINPUT,
	    "signer: a 31-octet hash for PSS-SHA256 refused");
	is_str(msg, "a SHA256 hash of 31 bytes", "with its reason");
	is_int(raw_call(fd, req, 35, msg, sizeof(msg)), KS_EINPUT,
	    "signer: a 33-octet one too");
	is_int(raw_call(fd, req, 1, msg, sizeof(msg)), KS_EINPUT,
	    "signer: 'H' alone refused");
	is_int(raw_call(fd, req, 34, msg, sizeof(msg)), KS_OK,
	    "signer: a 32-octet one signed");

	/* IKEv1's request is as it was: CKM_RSA_PKCS over the octets */
	hlen = msg_hash(SIG_PKCS1_SHA256, hash);
	siglen = sizeof(sig);
	ok(sign_now('S', 0, hash, hlen, sig, &siglen, err, sizeof(err)) ==
	    KS_OK &&
	    crypto_verify(spki, spkilen, hash, hlen, sig, siglen) == 0,
	    "'S' signs the octets as they are (IKEv1)");

	signer_stop();
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the signer exits when its socket "
	    "closes");
}

/* EC keys on the token, and what the signer makes with them ---------- */

static struct eckey {
	const char	*label;
	ks_curve	 curve;
	enum sig_scheme	 scheme;
	uint8_t		 spki[SPKI_MAX];
	size_t		 spkilen;
} eckeys[] = {
	{ "ike-p256", KS_CURVE_P256, SIG_ECDSA_SHA256, { 0 }, 0 },
	{ "ike-p384", KS_CURVE_P384, SIG_ECDSA_SHA384, { 0 }, 0 },
	{ "ike-p521", KS_CURVE_P521, SIG_ECDSA_SHA512, { 0 }, 0 },
};
#define NECKEYS	(sizeof(eckeys) / sizeof(eckeys[0]))

static uint8_t ed_spki[SPKI_MAX];
static size_t ed_spkilen;

static int
ec_keys(ks_ctx *ctx)
{
	size_t i;

	ed_spkilen = sizeof(ed_spki);
	if (ks_generate_ec(ctx, "ike-ed", KS_CURVE_ED25519, KS_KIND_GENERAL,
	    0) != KS_OK || key_spki(ctx, "ike-ed", ed_spki, &ed_spkilen) != 0)
		ed_spkilen = 0;	/* a token without Ed25519 */

	for (i = 0; i < NECKEYS; i++) {
		eckeys[i].spkilen = sizeof(eckeys[i].spki);
		if (ks_generate_ec(ctx, eckeys[i].label, eckeys[i].curve,
		    KS_KIND_GENERAL, 0) != KS_OK || key_spki(ctx,
		    eckeys[i].label, eckeys[i].spki, &eckeys[i].spkilen) != 0)
			return -1;
	}
	return 0;
}

/* A signer per EC key: 'C' says its curve, 'H' signs r || s that OpenSSL
 * verifies against the key's SubjectPublicKeyInfo. */
static void
test_signer_ecdsa(const char *dir)
{
	uint8_t hash[IKE_HASH_MAX], sig[512], der[160];
	char err[768];
	size_t i, siglen, derlen;
	pid_t pid;
	int fd, status, curve = -1;
	ks_status st;

	for (i = 0; i < NECKEYS; i++) {
		struct eckey *k = &eckeys[i];
		const struct ike_hash *h = sig_hash(k->scheme);

		if (unit_signer_start(dir, &conf, k->label, &fd, &pid) != 0)
			return;
		signer_use(fd, (long)pid);
		is_int(check_now(&curve), KS_OK,
		    "%s: the signer finds the key", k->label);
		is_int(curve, k->curve, "%s: and says its curve", k->label);
		memset(hash, 0xa5, sizeof(hash));
		siglen = sizeof(sig);
		derlen = sizeof(der);
		st = sign_now('H', k->scheme, hash, h->len, sig, &siglen,
		    err, sizeof(err));
		ok(st == KS_OK && (int)siglen == sig_ecdsa_raw_len(k->spki,
		    k->spkilen), "%s: %s gives r || s of %zu octets",
		    k->label, sig_scheme_name(k->scheme), siglen);
		ok(st == KS_OK && sig_ecdsa_to_der(sig, siglen, der,
		    &derlen) == 0 && sig_verify(k->spki, k->spkilen, k->scheme,
		    -1, hash, h->len, der, derlen) == 0,
		    "%s: and it verifies with the key's public key", k->label);
		siglen = sizeof(sig);
		is_int(sign_now('H', SIG_PKCS1_SHA256, hash, 32, sig,
		    &siglen, err, sizeof(err)), KS_ENOTFOUND,
		    "%s: no RSA signature from an EC key", k->label);
		signer_stop();
		ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status),
		    "%s: the signer exits", k->label);
	}
}

/* Ed25519 (SoftHSM2 2.6 has it): 'E' signs the octets themselves. */
static void
test_signer_ed25519(const char *dir)
{
	const char *octets = "RealMessage2 | NonceIData | MACedIDForR";
	uint8_t sig[128];
	char err[768];
	size_t siglen = sizeof(sig);
	pid_t pid;
	int fd, status, curve = -1;

	if (!ok(ed_spkilen != 0, "SoftHSM2 made an Ed25519 key"))
		return;
	if (unit_signer_start(dir, &conf, "ike-ed", &fd, &pid) != 0)
		return;
	signer_use(fd, (long)pid);
	ok(check_now(&curve) == KS_OK &&
	    curve == KS_CURVE_ED25519, "ike-ed: the signer says Ed25519");
	ok(sign_now('E', SIG_ED25519, (const uint8_t *)octets,
	    strlen(octets), sig, &siglen, err, sizeof(err)) == KS_OK && sig_verify_octets(ed_spki,
	    ed_spkilen, (const uint8_t *)octets, strlen(octets), sig,
	    siglen) == 0, "ike-ed: 'E' gives an Ed25519 signature of the "
	    "octets that verifies");
	signer_stop();
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status),
	    "ike-ed: the signer exits");
}

/*
 * Asynchronous signing with the network process's queue (signer_client.c)
 * against a real signer with one worker: five SAs ask at once; at most
 * two requests (one per worker and one more) are with the signer at any
 * time and the rest wait in order; a short request made meanwhile is
 * answered; an SA freed while queued is never resumed; the other four
 * resume and get signatures that verify.
 */
#define NQ	5
static struct ike_sa qsa[NQ];
static uint8_t qhash[NQ][32];
static int qresumed[NQ], qgood[NQ];
static const uint8_t *qspki;
static size_t qspkilen;

static void
queue_resume(struct ike_sa *sa)
{
	struct sign_req r = { 'H', SIG_PKCS1_SHA256, NULL, 32 };
	uint8_t sig[512];
	size_t siglen = sizeof(sig), i = (size_t)(sa - qsa);
	char err[256];
	ks_status st;

	r.data = qhash[i];
	qresumed[i]++;
	qgood[i] = signer_sign_async(sa, queue_resume, &r, sig, &siglen, &st,
	    err, sizeof(err)) == 0 && st == KS_OK && sig_verify(qspki,
	    qspkilen, SIG_PKCS1_SHA256, -1, qhash[i], 32, sig, siglen) == 0;
}

/*
 * The network process's loop, for the signer's answers only: the ready
 * SAs resumed, the answers collected, until none is asked or waiting (at
 * most rounds times 100 ms).  The most requests with the signer at once.
 */
static unsigned
run_signer(int rounds)
{
	unsigned nask, nqueue, most = 0;

	while (rounds-- > 0) {
		signer_run_ready();
		signer_counts(&nask, &nqueue);
		if (nask > most)
			most = nask;
		if (nask == 0 && nqueue == 0)
			break;
		signer_turn(100);
	}
	signer_run_ready();
	return most;
}

static void
test_signer_queue(const char *dir, const uint8_t *spki, size_t spkilen)
{
	struct sign_req r = { 'H', SIG_PKCS1_SHA256, NULL, 32 };
	uint8_t sig[512];
	size_t siglen, i;
	char err[768];
	unsigned nask, nqueue, most;
	pid_t pid;
	int fd, curve, pending = 0, status;
	ks_status st;

	qspki = spki;
	qspkilen = spkilen;
	conf.signer_workers = 1;
	if (unit_signer_start(dir, &conf, KEY, &fd, &pid) != 0)
		return;
	conf.signer_workers = 0;
	signer_use(fd, (long)pid);
	ok(check_now(&curve) == KS_OK &&
	    signer_workers_get() == 1, "queue: the signer answers with 1 "
	    "worker");
	for (i = 0; i < NQ; i++) {
		memset(qhash[i], (int)(0x10 + i), 32);
		r.data = qhash[i];
		siglen = sizeof(sig);
		pending += signer_sign_async(&qsa[i], queue_resume, &r, sig,
		    &siglen, &st, err, sizeof(err)) == SIGN_PENDING;
	}
	signer_counts(&nask, &nqueue);
	ok(pending == NQ && nask == 2 && nqueue == 3, "queue: 5 asked at "
	    "once: 2 sent (the worker's and one more), 3 waiting (%u, %u)",
	    nask, nqueue);
	signer_forget(&qsa[4]);
	signer_counts(&nask, &nqueue);
	ok(nqueue == 2, "queue: an SA freed while waiting leaves the queue");
	ok(check_now(&curve) == KS_OK,
	    "queue: a short request meanwhile is answered");
	most = run_signer(200);
	ok(most <= 2, "queue: never more than 2 with the signer (most %u)",
	    most);
	ok(qresumed[0] == 1 && qresumed[1] == 1 && qresumed[2] == 1 &&
	    qresumed[3] == 1 && qresumed[4] == 0, "queue: the four resume "
	    "once each, the freed one never");
	ok(qgood[0] && qgood[1] && qgood[2] && qgood[3],
	    "queue: and each gets a signature of its own hash that verifies");
	for (i = 0; i < NQ; i++)
		signer_forget(&qsa[i]);
	signer_stop();
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status),
	    "queue: the signer exits");
}

/*
 * A short request never waits behind signatures: a signer with one
 * worker on SoftHSM2 behind tests/faultmod, whose C_Sign takes SLOW_MS
 * more.  Two signatures asked at once (one being made, one waiting in the
 * signer), then a key check: its answer comes while both are still with
 * the signer, for the signer's main thread answers it (a signer that
 * served its socket in order answered it after both).  Both signatures
 * then come and verify.
 */
#define SLOW_MS	"500"
static void
test_signer_short(const char *dir, const uint8_t *spki, size_t spkilen)
{
	struct sign_req r = { 'H', SIG_PKCS1_SHA256, NULL, 32 };
	char mod[4096], err[768];
	uint8_t sig[512];
	size_t siglen, i;
	unsigned nask, nqueue;
	pid_t pid;
	int fd, curve, pending = 0, status;
	ks_status st;

	if (unit_faultmod(mod, sizeof(mod)) != 0)
		return;
	setenv("CRYPTOKEY_FAULT_SIGN_DELAY_MS", SLOW_MS, 1);
	qspki = spki;
	qspkilen = spkilen;
	conf.signer_workers = 1;
	if (unit_signer_start_module(dir, &conf, KEY, mod, &fd, &pid) != 0)
		goto out;
	signer_use(fd, (long)pid);
	ok(check_now(&curve) == KS_OK &&
	    signer_workers_get() == 1, "short: the signer signs with 1 worker");
	for (i = 0; i < 2; i++) {
		memset(qhash[i], (int)(0x40 + i), 32);
		qresumed[i] = qgood[i] = 0;
		r.data = qhash[i];
		siglen = sizeof(sig);
		pending += signer_sign_async(&qsa[i], queue_resume, &r, sig,
		    &siglen, &st, err, sizeof(err)) == SIGN_PENDING;
	}
	signer_counts(&nask, &nqueue);
	ok(pending == 2 && nask == 2 && nqueue == 0, "short: 2 signatures "
	    "with the signer (%u asked, %u waiting here)", nask, nqueue);
	st = check_now(&curve);
	signer_counts(&nask, &nqueue);
	ok(st == KS_OK && nask == 2, "short: a key check is answered while "
	    "both signatures (" SLOW_MS " ms each) are still being made or "
	    "waiting (%u asked)", nask);
	(void)run_signer(100);
	ok(qresumed[0] == 1 && qresumed[1] == 1 && qgood[0] && qgood[1],
	    "short: then both signatures come, and verify");
	for (i = 0; i < 2; i++)
		signer_forget(&qsa[i]);
	signer_stop();
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status),
	    "short: the signer exits");
out:
	conf.signer_workers = 0;
	unsetenv("CRYPTOKEY_FAULT_SIGN_DELAY_MS");
	unsetenv("CRYPTOKEY_FAULT_TARGET");
}

int
main(void)
{
	char dir[] = "/tmp/t_sig_token.XXXXXX", cmd[128];
	uint8_t spki[SPKI_MAX];
	size_t spkilen = sizeof(spki);
	ks_ctx *ctx;

	if ((ctx = unit_token(dir)) == NULL)
		return 1;
	if (ks_generate(ctx, KEY, 2048, KS_KIND_GENERAL, 0) != KS_OK ||
	    key_spki(ctx, KEY, spki, &spkilen) != 0 || ec_keys(ctx) != 0) {
		printf("Bail out! %s\n", ks_ctx_error(ctx));
		ks_ctx_free(ctx);
		return 1;
	}
	test_ks_sign(ctx, spki, spkilen);
	ks_ctx_free(ctx);	/* the module is loaded again below */
	test_no_pss();
	test_signer(dir, spki, spkilen);
	test_signer_ecdsa(dir);
	test_signer_ed25519(dir);
	test_signer_queue(dir, spki, spkilen);
	test_signer_short(dir, spki, spkilen);
	alg_free();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return done_testing();
}
