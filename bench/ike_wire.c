/*
 * ike_wire.c -- what one responder handshake of bench/ike-mm.sh and
 * bench/ike-v2.sh costs beyond its crypto floor (bench/ike_floor.c) in
 * any IKE responder that keeps its key in a separate signing process, as
 * ikesignd does (issue 14 goal 1): the datagrams, the signer's round
 * trips, and the protocol's own small cryptography.  Nothing here parses
 * or builds a message; it is the least such a daemon can do.
 *
 *   wire: a "responder" process (this one) with a UDP socket on
 *   127.0.0.1 that ikesignd's net.c opens, reads and writes, polling it
 *   and a
 *   SOCK_SEQPACKET socket to a "signer" process; a "peer" process sends
 *   the initiator's datagrams, one at a time, each after the answer to
 *   the one before.  The sizes are those of the bench's handshakes
 *   (tcpdump, December 2026); the signer answers the peer key request
 *   ('P') with a 294-octet SubjectPublicKeyInfo and the signature request
 *   with 256 octets, each after a 4-octet ID and a status octet.  The CPU
 *   time of the responder and the signer is counted, not the peer's.
 *   One handshake at a time: with several at once a daemon can take more
 *   than one datagram a wake-up, so under load this overstates a little.
 *
 *   symmetric: the HMACs, hashes, AES-CBC-128 operations and random
 *   octets of that handshake with SHA-256 (RFC 2409 with signatures; RFC
 *   7296 with PRF_HMAC_SHA2_256 and AUTH_HMAC_SHA2_256_128), each HMAC
 *   from a copy of a context kept for the digest, as ikesignd's crypto.c.
 *
 * Built on demand ("make bench/ike_wire"), run by bench/ike-common.sh.
 *
 *	ike_wire 1|2 COUNT
 *
 * Prints one line, CPU milliseconds per handshake (the mean of COUNT):
 *	wire W responder R signer S symmetric C
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "floor.h"
#include "keystore.h"
#include "ikesignd/ikesignd.h"

/* net.c's net_endpoints reads the daemon's configuration through this;
 * the bench links net.c for its sockets and never calls that. */
struct daemon *ikesignd;

/* One step of a handshake seen from the responder. */
enum { IN = 1, OUT, ASK_KEY, ASK_SIG };
struct step {
	int	what;
	size_t	len;	/* of a datagram */
};

/* IKEv1 Main Mode, then the initiator's Delete (no answer). */
static const struct step steps_v1[] = {
	{ IN, 180 }, { OUT, 124 }, { IN, 396 }, { OUT, 396 },
	{ IN, 316 }, { ASK_KEY, 0 }, { ASK_SIG, 0 }, { OUT, 300 },
	{ IN, 108 }, { 0, 0 }
};
/* IKEv2 IKE_SA_INIT, IKE_AUTH, then an INFORMATIONAL Delete, answered. */
static const struct step steps_v2[] = {
	{ IN, 464 }, { OUT, 456 }, { IN, 400 }, { ASK_KEY, 0 },
	{ ASK_SIG, 0 }, { OUT, 368 }, { IN, 80 }, { OUT, 80 }, { 0, 0 }
};

#define REQ_KEY_LEN	25	/* ID, 'P', kind, keyring and identity */
#define REQ_SIG_LEN	38	/* ID, 'H', scheme, a SHA-256 hash */
#define ANS_KEY_LEN	299	/* ID, status, an RSA-2048 SPKI */
#define ANS_SIG_LEN	261	/* ID, status, an RSA-2048 signature */

/* The symmetric cryptography of one handshake. */
enum { HMAC = 1, HASH, AES, RANDOM };
struct op {
	int	what;
	size_t	len;	/* octets put through it */
};

static const struct op ops_v1[] = {
	{ HMAC, 256 },		/* SKEYID = prf(Ni | Nr, g^xy) */
	{ HMAC, 273 },		/* SKEYID_d */
	{ HMAC, 305 },		/* SKEYID_a */
	{ HMAC, 305 },		/* SKEYID_e */
	{ HASH, 512 },		/* the first IV: hash(g^xi | g^xr) */
	{ AES, 288 },		/* message 5 in */
	{ HMAC, 640 },		/* HASH_I, checked */
	{ HMAC, 640 },		/* HASH_R, signed */
	{ AES, 272 },		/* message 6 out */
	{ HASH, 36 },		/* the Delete's IV */
	{ AES, 80 },		/* the Delete in */
	{ HMAC, 44 },		/* its HASH(1) */
	{ RANDOM, 8 },		/* our cookie */
	{ RANDOM, 32 },		/* our nonce */
	{ 0, 0 }
};

static const struct op ops_v2[] = {
	{ HMAC, 256 },		/* SKEYSEED = prf(Ni | Nr, g^ir) */
	{ HMAC, 81 },		/* prf+: SK_d, SK_a, SK_e, SK_p (192) */
	{ HMAC, 113 }, { HMAC, 113 }, { HMAC, 113 }, { HMAC, 113 },
	{ HMAC, 113 },
	{ HMAC, 400 },		/* IKE_AUTH in: integrity */
	{ AES, 320 },		/* and decryption */
	{ HMAC, 12 },		/* prf(SK_pi, IDi') */
	{ HASH, 528 },		/* the peer's signed octets */
	{ HMAC, 12 },		/* prf(SK_pr, IDr') */
	{ HASH, 520 },		/* ours */
	{ AES, 304 },		/* IKE_AUTH out: encryption */
	{ HMAC, 368 },		/* and integrity */
	{ HMAC, 80 }, { AES, 16 },	/* INFORMATIONAL in */
	{ AES, 16 }, { HMAC, 80 },	/* and its answer */
	{ RANDOM, 8 },		/* our SPI */
	{ RANDOM, 32 },		/* our nonce */
	{ RANDOM, 16 }, { RANDOM, 16 },	/* the IVs of our two answers */
	{ 0, 0 }
};

static double
ru_ms(const struct rusage *ru)
{
	return ru->ru_utime.tv_sec * 1e3 + ru->ru_utime.tv_usec / 1e3 +
	    ru->ru_stime.tv_sec * 1e3 + ru->ru_stime.tv_usec / 1e3;
}

/* The signer: an answer to each request, of the size its operation has;
 * until the socket ends. */
static void
signer(int fd)
{
	uint8_t req[64], ans[ANS_KEY_LEN];
	ssize_t n;

	memset(ans, 0x42, sizeof(ans));
	while ((n = recv(fd, req, sizeof(req), 0)) > 4)
		if (send(fd, ans, req[4] == 'P' ? ANS_KEY_LEN : ANS_SIG_LEN,
		    MSG_NOSIGNAL) < 0)
			_exit(1);
	_exit(n == 0 ? 0 : 1);
}

/* The peer: the initiator's side of count handshakes, to fd (connected). */
static void
peer(int fd, const struct step *steps, long count)
{
	uint8_t buf[1024];
	const struct step *s;
	long i;

	memset(buf, 0x17, sizeof(buf));
	for (i = 0; i < count; i++)
		for (s = steps; s->what != 0; s++) {
			if (s->what == IN && send(fd, buf, s->len, 0) < 0)
				_exit(1);
			if (s->what == OUT && recv(fd, buf, sizeof(buf), 0) < 0)
				_exit(1);
		}
	_exit(0);
}

/* Until fd is readable, with the other socket polled too, as a daemon's
 * event loop does; 0 or -1. */
static int
wait_for(int fd, int other)
{
	struct pollfd pfd[2];
	int n;

	pfd[0].fd = fd;
	pfd[1].fd = other;
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		n = poll(pfd, 2, 5000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;	/* failed, or nothing for 5 s */
		if (pfd[0].revents & POLLIN)
			return 0;
		if (pfd[0].revents != 0 ||
		    (pfd[1].revents & (POLLHUP | POLLERR)))
			return -1;
	}
}

/* A request to the signer ('P' the peer's key, 'H' a signature) and its
 * answer. */
static int
ask(int sfd, int udp, uint8_t op)
{
	uint8_t req[64], ans[ANS_KEY_LEN];

	memset(req, 0, sizeof(req));
	req[4] = op;
	if (send(sfd, req, op == 'P' ? REQ_KEY_LEN : REQ_SIG_LEN,
	    MSG_NOSIGNAL) < 0 ||
	    wait_for(sfd, udp) != 0 ||
	    recv(sfd, ans, sizeof(ans), MSG_DONTWAIT) <= 0)
		return -1;
	return 0;
}

/* The responder's side of one handshake. */
static int
respond(int udp, int sfd, const struct step *steps)
{
	static struct sockaddr_in from, to;
	uint8_t in[IKE_RECV_MAX], out[1024];
	const struct step *s;

	memset(out, 0x61, sizeof(out));
	for (s = steps; s->what != 0; s++) {
		switch (s->what) {
		case IN:
			if (wait_for(udp, sfd) != 0 ||
			    net_recv(udp, in, sizeof(in), &from, &to) <= 0)
				return -1;
			break;
		case OUT:
			if (net_send(udp, &from, out, s->len) != 0)
				return -1;
			break;
		case ASK_KEY:
		case ASK_SIG:
			if (ask(sfd, udp, s->what == ASK_KEY ? 'P' : 'H') !=
			    0)
				return -1;
			break;
		}
	}
	return 0;
}

/* The sockets; 0 or -1. */
static int
sockets(int *udp, int *pfd, int sv[2])
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct in_addr lo;

	lo.s_addr = htonl(INADDR_LOOPBACK);
	if ((*udp = net_open(lo, 0)) < 0 || net_pktinfo(*udp) != 0 ||
	    getsockname(*udp, (struct sockaddr *)&sin, &len) != 0 ||
	    (*pfd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    connect(*pfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
		return -1;
	return 0;
}

/* CPU ms per handshake of the responder (*resp) and signer (*sign). */
static int
wire(const struct step *steps, long count, double *resp, double *sign)
{
	struct rusage r0, r1, rs, rp;
	pid_t ps, pp;
	int udp, pfd, sv[2], st, rc = 0;
	long i;

	if (sockets(&udp, &pfd, sv) != 0)
		return -1;
	if ((ps = fork()) == 0) {
		close(sv[0]);
		signer(sv[1]);
	}
	if (ps < 0 || (pp = fork()) < 0)
		return -1;
	if (pp == 0) {
		close(sv[0]);
		peer(pfd, steps, count);
	}
	close(sv[1]);
	close(pfd);
	(void)getrusage(RUSAGE_SELF, &r0);
	for (i = 0; i < count && rc == 0; i++)
		rc = respond(udp, sv[0], steps);
	(void)getrusage(RUSAGE_SELF, &r1);
	close(sv[0]);
	close(udp);
	if (rc != 0)
		kill(pp, SIGTERM);
	if (wait4(ps, &st, 0, &rs) != ps || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0 ||
	    wait4(pp, &st, 0, &rp) != pp || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0 || rc != 0)
		return -1;
	*resp = (ru_ms(&r1) - ru_ms(&r0)) / count;
	*sign = ru_ms(&rs) / count;
	return 0;
}

/* One HMAC-SHA-256 over len octets, from a copy of tmpl. */
static int
hmac(EVP_MAC_CTX *tmpl, const uint8_t *p, size_t len)
{
	static const uint8_t key[32] = { 1 };
	uint8_t out[32];
	size_t outlen;
	EVP_MAC_CTX *c;
	int ok;

	if ((c = EVP_MAC_CTX_dup(tmpl)) == NULL)
		return -1;
	ok = EVP_MAC_init(c, key, sizeof(key), NULL) &&
	    EVP_MAC_update(c, p, len) &&
	    EVP_MAC_final(c, out, &outlen, sizeof(out));
	EVP_MAC_CTX_free(c);
	return ok ? 0 : -1;
}

/* One AES-128-CBC operation over len octets (a multiple of 16). */
static int
aes(const EVP_CIPHER *cipher, const uint8_t *p, size_t len, uint8_t *out)
{
	static const uint8_t key[16] = { 2 }, iv[16] = { 3 };
	EVP_CIPHER_CTX *c;
	int n, ok;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_CipherInit_ex(c, cipher, NULL, key, iv, 1) &&
	    EVP_CIPHER_CTX_set_padding(c, 0) &&
	    EVP_CipherUpdate(c, out, &n, p, (int)len);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static int
one_op(const struct op *o, EVP_MAC_CTX *tmpl, const EVP_CIPHER *cipher,
    const EVP_MD *md)
{
	static uint8_t in[1024], out[1024 + 16];
	uint8_t md_out[32];

	switch (o->what) {
	case HMAC:
		return hmac(tmpl, in, o->len);
	case HASH:
		return EVP_Digest(in, o->len, md_out, NULL, md, NULL) ? 0 : -1;
	case AES:
		return aes(cipher, in, o->len, out);
	case RANDOM:
		return RAND_bytes(out, (int)o->len) == 1 ? 0 : -1;
	}
	return -1;
}

/* CPU ms of the symmetric cryptography of one handshake. */
static double
symmetric(const struct op *ops, long count)
{
	OSSL_PARAM p[2];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *tmpl = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	const struct op *o;
	double t0 = -1;
	long i;

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_end();
	if (tmpl == NULL || cipher == NULL || md == NULL ||
	    !EVP_MAC_CTX_set_params(tmpl, p))
		goto out;
	t0 = floor_cpu_us();
	for (i = 0; i < count; i++)
		for (o = ops; o->what != 0; o++)
			if (one_op(o, tmpl, cipher, md) != 0) {
				t0 = -1;
				goto out;
			}
	t0 = (floor_cpu_us() - t0) / 1e3 / count;
out:
	EVP_MAC_CTX_free(tmpl);
	EVP_MAC_free(mac);
	EVP_CIPHER_free(cipher);
	EVP_MD_free(md);
	return t0;
}

int
main(int argc, char **argv)
{
	double r, s, c;
	long count;
	int v2;

	if (argc != 3 || (strcmp(argv[1], "1") != 0 &&
	    strcmp(argv[1], "2") != 0) || (count = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: ike_wire 1|2 COUNT\n");
		return 2;
	}
	v2 = argv[1][0] == '2';
	if (wire(v2 ? steps_v2 : steps_v1, count, &r, &s) != 0) {
		fprintf(stderr, "ike_wire: the wire's processes failed: %s\n",
		    strerror(errno));
		return 1;
	}
	if ((c = symmetric(v2 ? ops_v2 : ops_v1, count)) < 0) {
		fprintf(stderr, "ike_wire: OpenSSL failed\n");
		return 1;
	}
	printf("wire %.3f responder %.3f signer %.3f symmetric %.3f\n",
	    r + s, r, s, c);
	return 0;
}
