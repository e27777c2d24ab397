/*
 * sign_scale.c -- how signing through ikesignd's signer scales with its
 * workers (issue 14 goal 3): RSA signatures per second through one signer
 * with one worker, and through one with N (the online CPUs, at least 2),
 * each kept busy by a client with one request in flight per worker and
 * one more, as the network process keeps it under load
 * (signer_client.c).  Beside them, the machine's own ceiling: the
 * bare C_SignInit + C_Sign loop of sign_floor.c in one process, and in N
 * processes at once.  The four take turns for ROUNDS rounds of COUNT
 * signatures each, so that all see the same load.  Built on demand ("make
 * bench/sign_scale"); run by bench/sign-floor.sh after sign_floor.
 *
 *	sign_scale MODULE TOKEN PINFILE LABEL COUNT [ROUNDS]
 *
 * Prints the median over the rounds of signatures per second of each, and
 * the medians of the rounds' ratios N / 1.  Goal: the signer's ratio at
 * least 1.8 with 2 cores.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <p11-kit/p11-kit.h>

#include "floor.h"

#include "keystore.h"
#include "ikesignd/ikesignd.h"
#include "ikesignd/signer.h"

#define TEAM_MAX	16

static const char *module, *token, *pinfile, *label;

/* signer.c calls it; the sandbox is not measured here */
void
sandbox_nocore(void)
{
}

/* A signer with this many workers; its socket, or -1. */
static int
signer_start(unsigned workers, pid_t *pid)
{
	static struct conf c[2];
	static int used;
	char err[512];
	int fd;

	if (used == 2)
		return -1;
	snprintf(c[used].module, sizeof(c[used].module), "%s", module);
	snprintf(c[used].token, sizeof(c[used].token), "%s", token);
	snprintf(c[used].pin_source, sizeof(c[used].pin_source), "file:%s",
	    pinfile);
	snprintf(c[used].key, sizeof(c[used].key), "%s", label);
	c[used].signer_workers = workers;
	if (signer_spawn(&c[used], &fd, pid, err, sizeof(err)) != KS_OK) {
		fprintf(stderr, "sign_scale: signer: %s\n", err);
		return -1;
	}
	used++;
	return fd;
}

/* One request: its ID, 'H', PKCS#1 with SHA-256, the hash. */
static int
ask(int fd, uint32_t id)
{
	uint8_t req[SIGNER_ID_LEN + 2 + 32];

	signer_id_put(req, id);
	req[SIGNER_ID_LEN] = 'H';
	req[SIGNER_ID_LEN + 1] = SIG_PKCS1_SHA256;
	memset(req + SIGNER_ID_LEN + 2, 0x5a, 32);
	return send(fd, req, sizeof(req), 0) == (ssize_t)sizeof(req) ? 0 : -1;
}

/* count signatures through the signer on fd, depth in flight; the wall
 * time in microseconds, or -1. */
static double
through_signer(int fd, long count, long depth)
{
	uint8_t resp[SIGNER_MSG_MAX];
	long sent = 0, got = 0;
	double t0 = floor_now_us();
	ssize_t n;

	while (sent < depth && sent < count)
		if (ask(fd, (uint32_t)++sent) != 0)
			return -1;
	while (got < count) {
		if ((n = recv(fd, resp, sizeof(resp), 0)) <= SIGNER_HEAD ||
		    resp[SIGNER_ID_LEN] != KS_OK) {
			fprintf(stderr, "sign_scale: the signer failed\n");
			return -1;
		}
		got++;
		if (sent < count && ask(fd, (uint32_t)++sent) != 0)
			return -1;
	}
	return floor_now_us() - t0;
}

/* The floor in one process: C_SignInit + C_Sign on a handle found once,
 * count at a time on command. */
static int
floor_loop(int cmd, int res)
{
	struct floor_key fk;
	char ok;
	long k;

	ok = floor_key_open(&fk, module, token, pinfile, label) == 0;
	if (write(res, &ok, 1) != 1 || !ok)
		return 1;
	while (read(cmd, &k, sizeof(k)) == (ssize_t)sizeof(k) && k > 0) {
		if (floor_key_sign(&fk, k) != 0)
			return 1;
		if (write(res, &ok, 1) != 1)
			return 1;
	}
	floor_key_close(&fk);
	return 0;
}

/* Floor processes that sign together on command. */
struct team {
	int	 n;
	pid_t	 pid[TEAM_MAX];
	int	 cmd[TEAM_MAX], res[TEAM_MAX];
};

static int
team_start(struct team *t, int n)
{
	int c[2], r[2], i;
	char ok = 0;

	t->n = n;
	for (i = 0; i < n; i++) {
		if (pipe(c) != 0 || pipe(r) != 0 || (t->pid[i] = fork()) < 0)
			return -1;
		if (t->pid[i] == 0) {
			close(c[1]);
			close(r[0]);
			_exit(floor_loop(c[0], r[1]));
		}
		close(c[0]);
		close(r[1]);
		t->cmd[i] = c[1];
		t->res[i] = r[0];
		if (read(t->res[i], &ok, 1) != 1 || !ok) {
			fprintf(stderr, "sign_scale: a floor process cannot "
			    "start\n");
			return -1;
		}
	}
	return 0;
}

/* count signatures shared by the team; the wall time, or -1. */
static double
team_round(struct team *t, long count)
{
	double t0 = floor_now_us();
	long k = count / t->n;
	char ok;
	int i;

	for (i = 0; i < t->n; i++)
		if (write(t->cmd[i], &k, sizeof(k)) != (ssize_t)sizeof(k))
			return -1;
	for (i = 0; i < t->n; i++)
		if (read(t->res[i], &ok, 1) != 1)
			return -1;
	return floor_now_us() - t0;
}

static void
team_stop(struct team *t)
{
	long stop = 0;
	int i;

	for (i = 0; i < t->n; i++) {
		(void)!write(t->cmd[i], &stop, sizeof(stop));
		(void)waitpid(t->pid[i], NULL, 0);
	}
}

enum { SIGNER_1, SIGNER_N, FLOOR_1, FLOOR_N, NWAYS };

int
main(int argc, char **argv)
{
	static const char *const names[NWAYS] = { "signer, 1 worker",
	    "signer, N workers", "floor, 1 process", "floor, N processes" };
	struct team t1, tn;
	double *per[NWAYS], ratio_s[64], ratio_f[64], us;
	long count;
	pid_t p1, pn;
	int rounds = 10, ncpu, fd1, fdn, i, j, w;

	if ((argc != 6 && argc != 7) || (count = atol(argv[5])) <= 0 ||
	    (argc == 7 && ((rounds = atoi(argv[6])) <= 0 || rounds > 64))) {
		fprintf(stderr, "usage: sign_scale MODULE TOKEN PINFILE LABEL "
		    "COUNT [ROUNDS (1-64)]\n");
		return 2;
	}
	module = argv[1];
	token = argv[2];
	pinfile = argv[3];
	label = argv[4];
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 2)
		ncpu = 2;
	if (ncpu > TEAM_MAX)
		ncpu = TEAM_MAX;
	for (w = 0; w < NWAYS; w++)
		if ((per[w] = calloc((size_t)rounds, sizeof(double))) == NULL)
			return 1;
	/* the floor processes first: forked later, they would hold the
	 * signers' sockets open, and the signers would never see their end */
	if (team_start(&t1, 1) != 0 || team_start(&tn, ncpu) != 0 ||
	    (fd1 = signer_start(1, &p1)) < 0 ||
	    (fdn = signer_start((unsigned)ncpu, &pn)) < 0)
		return 1;
	/* a warm-up round each, not counted */
	if (through_signer(fd1, 16, 2) < 0 ||
	    through_signer(fdn, 16, ncpu + 1) < 0 || team_round(&t1, 8) < 0 ||
	    team_round(&tn, 8 * ncpu) < 0)
		return 1;
	for (i = 0; i < rounds; i++)
		for (j = 0; j < NWAYS; j++) {
			w = (i + j) % NWAYS;
			us = w == SIGNER_1 ? through_signer(fd1, count, 2) :
			    w == SIGNER_N ? through_signer(fdn, count,
			    ncpu + 1) :
			    w == FLOOR_1 ? team_round(&t1, count) :
			    team_round(&tn, count / ncpu * ncpu);
			if (us <= 0)
				return 1;
			per[w][i] = (w == FLOOR_N ? count / ncpu * ncpu :
			    count) / (us / 1e6);
		}
	close(fd1);
	close(fdn);
	(void)waitpid(p1, NULL, 0);
	(void)waitpid(pn, NULL, 0);
	team_stop(&t1);
	team_stop(&tn);
	for (i = 0; i < rounds; i++) {
		ratio_s[i] = per[SIGNER_N][i] / per[SIGNER_1][i];
		ratio_f[i] = per[FLOOR_N][i] / per[FLOOR_1][i];
	}
	printf("N = %d (online CPUs); %d rounds of %ld signatures each; "
	    "the signer's client keeps one request per worker and one more "
	    "in flight\n", ncpu, rounds, count);
	for (w = 0; w < NWAYS; w++)
		printf("%-22s %9.1f sig/s\n", names[w],
		    floor_median(per[w], rounds));
	printf("%-22s %9.2f (goal: 1.8 or more with 2 CPUs)\n",
	    "signer N / 1", floor_median(ratio_s, rounds));
	printf("%-22s %9.2f (the machine's own)\n", "floor N / 1",
	    floor_median(ratio_f, rounds));
	return 0;
}
