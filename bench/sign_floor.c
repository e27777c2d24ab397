/*
 * sign_floor.c -- what one RSA signature costs at each layer, on the same
 * key and mechanism (CKM_RSA_PKCS over a SHA-256 DigestInfo, what IKEv2's
 * PKCS#1 signatures are): the floor, a bare C_SignInit + C_Sign loop on a
 * key handle found once; ks_sign in libkeystore; and signer_sign_now
 * through ikesignd's signer process (IPC included).  Each layer is a
 * worker process of its own that loads and logs in to the module once
 * (the signer worker spawns a signer); then the three take turns: ROUNDS
 * rounds of COUNT signatures each, one layer at a time, the order turning
 * each round, so that all three see the same load on a busy machine.
 * Built on demand ("make bench/sign_floor"); run by bench/sign-floor.sh,
 * which makes the token.
 *
 *	sign_floor MODULE TOKEN PINFILE LABEL COUNT [ROUNDS]
 *
 * Prints one line per layer: the median over the rounds of signatures per
 * second (wall time) and of the CPU time per signature (the signer's
 * layer: the client's and the signer process's together, from
 * /proc/PID/schedstat), each with the median of the rounds' ratios to the
 * floor (time per signature over the floor's, so 1.15 is "15% dearer").
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <p11-kit/p11-kit.h>

#include "floor.h"

#include "keystore.h"
#include "ikesignd/ikesignd.h"

static const char *module, *token, *pinfile, *label;
static long count;
static pid_t signer_child = -1;	/* the signer worker's signer */

/* signer.c calls it; the sandbox is not measured here */
void
sandbox_nocore(void)
{
}

/* Time on a CPU of another process and all its threads (the first field
 * of each /proc/PID/task/TID/schedstat, in ns), in microseconds; 0 when
 * unknown.  The signer answers with several threads. */
static double
pid_cpu_us(pid_t pid)
{
	char path[300];
	unsigned long long ns, sum = 0;
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	if ((dir = opendir(path)) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/schedstat",
		    (long)pid, d->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(dir);
	return sum / 1e3;
}

static struct floor_key fk;

/* The floor: the handle found once, then only C_SignInit and C_Sign. */
static int
floor_setup(void)
{
	return floor_key_open(&fk, module, token, pinfile, label);
}

static int
floor_run(long k)
{
	return floor_key_sign(&fk, k);
}

static ks_status
pin_cb(void *arg, const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	(void)arg;
	(void)prompt;
	if (floor_read_pin(pinfile, buf, bufsz) != 0)
		return KS_EFAIL;
	*len = strlen(buf);
	return KS_OK;
}

static ks_ctx *kctx;

/* libkeystore: ks_sign, which looks the key up by its name. */
static int
ks_setup(void)
{
	if (ks_ctx_new(&kctx) != KS_OK || ks_ctx_set_module(kctx, module) !=
	    KS_OK || ks_ctx_set_token(kctx, token) != KS_OK)
		return -1;
	ks_ctx_set_pin_fn(kctx, pin_cb, NULL);
	return ks_ctx_open(kctx, KS_OPEN_LOGIN) == KS_OK ? 0 : -1;
}

static int
ks_run(long k)
{
	unsigned char hash[32], sig[1024];
	size_t siglen;
	long i;

	memset(hash, 0x5a, sizeof(hash));
	for (i = 0; i < k; i++) {
		siglen = sizeof(sig);
		if (ks_sign(kctx, label, KS_SIG_RSA_PKCS_SHA256_HASH, hash,
		    sizeof(hash), sig, &siglen) != KS_OK) {
			fprintf(stderr, "ks_sign: %s\n", ks_ctx_error(kctx));
			return -1;
		}
	}
	return 0;
}

/* ikesignd's signer process, over its socket. */
static int
signer_setup(void)
{
	static struct conf c;
	char err[512];
	int fd;

	snprintf(c.module, sizeof(c.module), "%s", module);
	snprintf(c.token, sizeof(c.token), "%s", token);
	snprintf(c.pin_source, sizeof(c.pin_source), "file:%s", pinfile);
	snprintf(c.key, sizeof(c.key), "%s", label);
	if (signer_spawn(&c, &fd, &signer_child, err, sizeof(err)) != KS_OK) {
		fprintf(stderr, "signer: %s\n", err);
		return -1;
	}
	signer_use(fd, (long)signer_child);
	return 0;
}

static int
signer_run(long k)
{
	unsigned char hash[32], sig[1024];
	struct sign_req r = { 'H', SIG_PKCS1_SHA256, hash, sizeof(hash) };
	char err[512];
	size_t siglen;
	long i;

	memset(hash, 0x5a, sizeof(hash));
	for (i = 0; i < k; i++) {
		siglen = sizeof(sig);
		if (signer_sign_now(&r, sig, &siglen, err, sizeof(err)) !=
		    KS_OK) {
			fprintf(stderr, "signer: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static void
signer_done(void)
{
	signer_stop();
	if (signer_child > 0)
		(void)waitpid(signer_child, NULL, 0);
}

struct layer {
	const char	*name;
	int		(*setup)(void);
	int		(*run)(long);
	void		(*done)(void);
	pid_t		 pid;
	int		 cmd, res;	/* pipes to and from the worker */
	double		*wall, *cpu;	/* per signature, per round */
};

struct result {
	double	wall, cpu;	/* microseconds for the round */
};

/* A worker: set up, say so, then one round per command until 0. */
static void
worker(struct layer *l, int cmd, int res)
{
	struct result r;
	double w0, c0, s0;
	long k;
	char ok;

	ok = l->setup() == 0;
	if (write(res, &ok, 1) != 1 || !ok)
		_exit(1);
	while (read(cmd, &k, sizeof(k)) == (ssize_t)sizeof(k) && k > 0) {
		s0 = signer_child > 0 ? pid_cpu_us(signer_child) : 0;
		c0 = floor_cpu_us();
		w0 = floor_now_us();
		if (l->run(k) != 0)
			_exit(1);
		r.wall = floor_now_us() - w0;
		r.cpu = floor_cpu_us() - c0;
		if (signer_child > 0)
			r.cpu += pid_cpu_us(signer_child) - s0;
		if (write(res, &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
	}
	if (l->done != NULL)
		l->done();
	_exit(0);
}

static int
start(struct layer *l)
{
	int c[2], r[2];
	char ok = 0;

	if (pipe(c) != 0 || pipe(r) != 0 || (l->pid = fork()) < 0)
		return -1;
	if (l->pid == 0) {
		close(c[1]);
		close(r[0]);
		worker(l, c[0], r[1]);
	}
	close(c[0]);
	close(r[1]);
	l->cmd = c[1];
	l->res = r[0];
	if (read(l->res, &ok, 1) != 1 || !ok) {
		fprintf(stderr, "sign_floor: %s: cannot start\n", l->name);
		return -1;
	}
	return 0;
}

static int
round_of(struct layer *l, long k, int i)
{
	struct result r;

	if (write(l->cmd, &k, sizeof(k)) != (ssize_t)sizeof(k) ||
	    read(l->res, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
		fprintf(stderr, "sign_floor: %s: a round failed\n", l->name);
		return -1;
	}
	l->wall[i] = r.wall / k;
	l->cpu[i] = r.cpu / k;
	return 0;
}

/* The median over the rounds of a[i] / b[i]. */
static double
median_ratio(const double *a, const double *b, int n, double *tmp)
{
	int i;

	for (i = 0; i < n; i++)
		tmp[i] = a[i] / b[i];
	return floor_median(tmp, n);
}

int
main(int argc, char **argv)
{
	struct layer l[] = {
		{ "C_SignInit + C_Sign (floor)", floor_setup, floor_run, NULL,
		    0, -1, -1, NULL, NULL },
		{ "ks_sign (libkeystore)", ks_setup, ks_run, NULL, 0, -1, -1,
		    NULL, NULL },
		{ "signer_sign_now (signer)", signer_setup, signer_run,
		    signer_done, 0, -1, -1, NULL, NULL },
	};
	const int nl = (int)(sizeof(l) / sizeof(l[0]));
	double wr[3], cr[3], *tmp;
	long k, stop = 0;
	int rounds = 10, i, j;

	if ((argc != 6 && argc != 7) || (count = atol(argv[5])) <= 0 ||
	    (argc == 7 && (rounds = atoi(argv[6])) <= 0)) {
		fprintf(stderr, "usage: sign_floor MODULE TOKEN PINFILE LABEL "
		    "COUNT [ROUNDS]\n");
		return 2;
	}
	module = argv[1];
	token = argv[2];
	pinfile = argv[3];
	label = argv[4];
	if ((tmp = calloc((size_t)rounds, sizeof(double))) == NULL)
		return 1;
	for (j = 0; j < nl; j++) {
		l[j].wall = calloc((size_t)rounds, sizeof(double));
		l[j].cpu = calloc((size_t)rounds, sizeof(double));
		if (l[j].wall == NULL || l[j].cpu == NULL || start(&l[j]) != 0)
			return 1;
	}
	/* a short warm-up round each, not counted */
	k = count < 20 ? count : 20;
	for (j = 0; j < nl; j++)
		if (round_of(&l[j], k, 0) != 0)
			return 1;
	for (i = 0; i < rounds; i++)
		for (j = 0; j < nl; j++)
			if (round_of(&l[(i + j) % nl], count, i) != 0)
				return 1;
	for (j = 0; j < nl; j++) {
		(void)!write(l[j].cmd, &stop, sizeof(stop));
		(void)waitpid(l[j].pid, NULL, 0);
	}
	for (j = 0; j < nl; j++) {
		wr[j] = median_ratio(l[j].wall, l[0].wall, rounds, tmp);
		cr[j] = median_ratio(l[j].cpu, l[0].cpu, rounds, tmp);
	}
	printf("%d rounds of %ld signatures per layer, medians over the "
	    "rounds\n", rounds, count);
	printf("%-30s %9s %7s %11s %7s\n", "RSA, SHA-256 DigestInfo", "sig/s",
	    "ratio", "CPU us/sig", "ratio");
	for (j = 0; j < nl; j++)
		printf("%-30s %9.1f %7.2f %11.1f %7.2f\n", l[j].name,
		    1e6 / floor_median(l[j].wall, rounds), wr[j],
		    floor_median(l[j].cpu, rounds), cr[j]);
	return 0;
}
