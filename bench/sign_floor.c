/*
 * sign_floor.c -- what one RSA signature costs at each layer, on the same
 * key and mechanism (CKM_RSA_PKCS over a SHA-256 DigestInfo, what IKEv2's
 * PKCS#1 signatures are): the floor, a bare C_SignInit + C_Sign loop on a
 * key handle found once; ks_sign in libkeystore; and signer_sign_hash
 * through ikesignd's signer process (IPC included).  Each runs in a
 * process of its own, so that each loads and logs in to the module
 * itself.  Built on demand ("make bench/sign_floor"); run by
 * bench/sign-floor.sh, which makes the token.
 *
 *	sign_floor MODULE TOKEN PINFILE LABEL COUNT
 *
 * Prints one line per layer: microseconds per signature and the ratio
 * to the floor.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <p11-kit/p11-kit.h>

#include "keystore.h"
#include "ikesignd/ikesignd.h"

static const unsigned char di_sha256[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};

static const char *module, *token, *pinfile, *label;
static long count;

/* signer.c calls it; the sandbox is not measured here */
void
sandbox_nocore(void)
{
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
read_pin(char *pin, size_t pinsz)
{
	FILE *f = fopen(pinfile, "r");

	if (f == NULL || fgets(pin, (int)pinsz, f) == NULL) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	pin[strcspn(pin, "\r\n")] = '\0';
	return 0;
}

/* The slot whose token has the label (space-padded in CK_TOKEN_INFO). */
static int
find_slot(CK_FUNCTION_LIST *fn, CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	char want[32];
	size_t len = strlen(token);

	if (len > sizeof(want) || fn->C_GetSlotList(CK_TRUE, slots, &n) !=
	    CKR_OK)
		return -1;
	memset(want, ' ', sizeof(want));
	memcpy(want, token, len);
	for (i = 0; i < n; i++)
		if (fn->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    memcmp(ti.label, want, sizeof(want)) == 0) {
			*slot = slots[i];
			return 0;
		}
	return -1;
}

/* The floor: the handle found once, then only C_SignInit and C_Sign. */
static double
floor_us(void)
{
	CK_FUNCTION_LIST *fn = p11_kit_module_load(module, 0);
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_SLOT_ID slot;
	CK_ULONG n = 0, siglen;
	unsigned char in[sizeof(di_sha256) + 32], sig[1024];
	char pin[256];
	double t0;
	long i;

	if (fn == NULL || fn->C_Initialize(NULL) != CKR_OK ||
	    find_slot(fn, &slot) != 0 || read_pin(pin, sizeof(pin)) != 0 ||
	    fn->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) !=
	    CKR_OK || fn->C_Login(s, CKU_USER, (CK_UTF8CHAR *)pin,
	    strlen(pin)) != CKR_OK || fn->C_FindObjectsInit(s, t, 2) !=
	    CKR_OK || fn->C_FindObjects(s, &key, 1, &n) != CKR_OK || n != 1 ||
	    fn->C_FindObjectsFinal(s) != CKR_OK)
		return -1;
	memcpy(in, di_sha256, sizeof(di_sha256));
	memset(in + sizeof(di_sha256), 0x5a, 32);
	t0 = now_us();
	for (i = 0; i < count; i++) {
		siglen = sizeof(sig);
		if (fn->C_SignInit(s, &mech, key) != CKR_OK ||
		    fn->C_Sign(s, in, sizeof(in), sig, &siglen) != CKR_OK)
			return -1;
	}
	return (now_us() - t0) / count;
}

static ks_status
pin_cb(void *arg, const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	(void)arg;
	(void)prompt;
	if (read_pin(buf, bufsz) != 0)
		return KS_EFAIL;
	*len = strlen(buf);
	return KS_OK;
}

/* libkeystore: ks_sign, which looks the key up by its name. */
static double
ks_us(void)
{
	unsigned char hash[32], sig[1024];
	size_t siglen;
	ks_ctx *ctx;
	double t0;
	long i;

	memset(hash, 0x5a, sizeof(hash));
	if (ks_ctx_new(&ctx) != KS_OK || ks_ctx_set_module(ctx, module) !=
	    KS_OK || ks_ctx_set_token(ctx, token) != KS_OK)
		return -1;
	ks_ctx_set_pin_fn(ctx, pin_cb, NULL);
	if (ks_ctx_open(ctx, KS_OPEN_LOGIN) != KS_OK)
		return -1;
	t0 = now_us();
	for (i = 0; i < count; i++) {
		siglen = sizeof(sig);
		if (ks_sign(ctx, label, KS_SIG_RSA_PKCS_SHA256_HASH, hash,
		    sizeof(hash), sig, &siglen) != KS_OK)
			return -1;
	}
	return (now_us() - t0) / count;
}

/* ikesignd's signer process, over its socket. */
static double
signer_us(void)
{
	static struct conf c;
	unsigned char hash[32], sig[1024];
	char err[512];
	size_t siglen;
	double t0;
	pid_t pid;
	long i;
	int fd;

	snprintf(c.module, sizeof(c.module), "%s", module);
	snprintf(c.token, sizeof(c.token), "%s", token);
	snprintf(c.pin_source, sizeof(c.pin_source), "file:%s", pinfile);
	snprintf(c.key, sizeof(c.key), "%s", label);
	if (signer_spawn(&c, &fd, &pid, err, sizeof(err)) != KS_OK) {
		fprintf(stderr, "signer: %s\n", err);
		return -1;
	}
	signer_use(fd, (long)pid);
	memset(hash, 0x5a, sizeof(hash));
	t0 = now_us();
	for (i = 0; i < count; i++) {
		siglen = sizeof(sig);
		if (signer_sign_hash(SIG_PKCS1_SHA256, hash, sizeof(hash), sig,
		    &siglen, err, sizeof(err)) != KS_OK) {
			fprintf(stderr, "signer: %s\n", err);
			return -1;
		}
	}
	t0 = (now_us() - t0) / count;
	signer_stop();
	(void)waitpid(pid, NULL, 0);
	return t0;
}

/* One measurement in a child of its own; the result over a pipe. */
static double
in_child(double (*fn)(void))
{
	double r = -1;
	int p[2];
	pid_t pid;

	if (pipe(p) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		r = fn();
		(void)!write(p[1], &r, sizeof(r));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		r = -1;
	close(p[0]);
	(void)waitpid(pid, NULL, 0);
	return r;
}

int
main(int argc, char **argv)
{
	double f, k, s;

	if (argc != 6 || (count = atol(argv[5])) <= 0) {
		fprintf(stderr, "usage: sign_floor MODULE TOKEN PINFILE LABEL "
		    "COUNT\n");
		return 2;
	}
	module = argv[1];
	token = argv[2];
	pinfile = argv[3];
	label = argv[4];
	f = in_child(floor_us);
	k = in_child(ks_us);
	s = in_child(signer_us);
	if (f <= 0 || k <= 0 || s <= 0) {
		fprintf(stderr, "sign_floor: a measurement failed\n");
		return 1;
	}
	printf("%-34s %9s %8s\n", "RSA signature, SHA-256 DigestInfo", "us/sig",
	    "ratio");
	printf("%-34s %9.1f %8.2f\n", "C_SignInit + C_Sign (floor)", f, 1.0);
	printf("%-34s %9.1f %8.2f\n", "ks_sign (libkeystore)", k, k / f);
	printf("%-34s %9.1f %8.2f\n", "signer_sign_hash (ikesignd signer)", s,
	    s / f);
	return 0;
}
