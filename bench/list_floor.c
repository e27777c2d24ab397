/*
 * list_floor.c -- the floor under "cryptokey show --json": what listing a
 * token's objects costs the module itself, and show's time against it,
 * measured in turns in one run.  Built on demand ("make bench/list_floor");
 * run by bench/show-vs-pkcs11-tool.sh.
 *
 *	list_floor floor MODULE TOKEN PINFILE
 *	list_floor compare RUNS MODULE TOKEN PINFILE CRYPTOKEY
 *
 * floor: load the module as libkeystore does (p11-kit, managed),
 * C_Initialize, find the token by label, open a read-only session, log in
 * with the PIN of PINFILE, then one search over every object (an empty
 * template) and one C_GetAttributeValue per object with every attribute
 * show prints or needs (class, label, ID, key type, the record's
 * application and value, the usage flags, modulus and exponent, curve and
 * point), C_Finalize; print the number of objects.  The fewest calls any
 * listing can make: show pays the same process start, module load,
 * C_Initialize (SoftHSM2 reads every object's file there) and login.
 *
 * compare: RUNS times, in turns, this program's floor and "CRYPTOKEY
 * --module MODULE --token TOKEN --pin-source file:PINFILE show --json"
 * (output to /dev/null), each a fresh process; prints the medians of the
 * wall and CPU (user + system) times and the medians of the runs' ratios
 * (show / floor).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <p11-kit/p11-kit.h>

#include "floor.h"

#define FIND_BATCH	256

/* One C_GetAttributeValue of everything show needs; 0 when it answered. */
static int
read_object(CK_FUNCTION_LIST *fn, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h,
    unsigned long *sum)
{
	static unsigned char value[16384];
	unsigned char label[256], id[64], app[64], params[32], mod[2048];
	unsigned char exp[16], point[160];
	CK_OBJECT_CLASS cls;
	CK_KEY_TYPE kt;
	CK_BBOOL sign, decrypt, extractable, derive;
	CK_ATTRIBUTE a[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, label, sizeof(label) },
		{ CKA_ID, id, sizeof(id) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_APPLICATION, app, sizeof(app) },
		{ CKA_VALUE, value, sizeof(value) },
		{ CKA_SIGN, &sign, sizeof(sign) },
		{ CKA_DECRYPT, &decrypt, sizeof(decrypt) },
		{ CKA_EXTRACTABLE, &extractable, sizeof(extractable) },
		{ CKA_DERIVE, &derive, sizeof(derive) },
		{ CKA_EC_PARAMS, params, sizeof(params) },
		{ CKA_MODULUS, mod, sizeof(mod) },
		{ CKA_PUBLIC_EXPONENT, exp, sizeof(exp) },
		{ CKA_EC_POINT, point, sizeof(point) },
	};
	CK_ULONG i, n = sizeof(a) / sizeof(a[0]);
	CK_RV rv;

	rv = fn->C_GetAttributeValue(s, h, a, n);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID &&
	    rv != CKR_ATTRIBUTE_SENSITIVE && rv != CKR_BUFFER_TOO_SMALL)
		return -1;
	for (i = 0; i < n; i++)
		if (a[i].ulValueLen != CK_UNAVAILABLE_INFORMATION)
			*sum += a[i].ulValueLen;
	return 0;
}

static int
floor_main(const char *module, const char *token, const char *pinfile)
{
	CK_FUNCTION_LIST *fn = p11_kit_module_load(module, 0);
	CK_OBJECT_HANDLE h[FIND_BATCH];
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	CK_ULONG got, i;
	unsigned long objects = 0, sum = 0;
	char pin[256];

	if (fn == NULL || p11_kit_module_initialize(fn) != CKR_OK ||
	    floor_find_slot(fn, token, &slot) != 0 ||
	    floor_read_pin(pinfile, pin, sizeof(pin)) != 0 ||
	    fn->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) !=
	    CKR_OK || fn->C_Login(s, CKU_USER, (CK_UTF8CHAR *)pin,
	    strlen(pin)) != CKR_OK || fn->C_FindObjectsInit(s, NULL, 0) !=
	    CKR_OK) {
		fprintf(stderr, "list_floor: cannot open token '%s'\n", token);
		return 1;
	}
	/* as show does: every handle first, then the objects */
	{
		CK_OBJECT_HANDLE *all = NULL, *grown;
		size_t cap = 0;

		for (;;) {
			if (fn->C_FindObjects(s, h, FIND_BATCH, &got) !=
			    CKR_OK) {
				fprintf(stderr, "list_floor: C_FindObjects "
				    "failed\n");
				return 1;
			}
			if (got == 0)
				break;
			if (objects + got > cap) {
				cap = (objects + got) * 2;
				if ((grown = realloc(all, cap *
				    sizeof(*all))) == NULL)
					return 1;
				all = grown;
			}
			memcpy(all + objects, h, got * sizeof(*h));
			objects += got;
		}
		if (fn->C_FindObjectsFinal(s) != CKR_OK)
			return 1;
		for (i = 0; i < objects; i++)
			if (read_object(fn, s, all[i], &sum) != 0) {
				fprintf(stderr, "list_floor: "
				    "C_GetAttributeValue failed\n");
				return 1;
			}
		free(all);
	}
	(void)fn->C_Logout(s);
	(void)fn->C_CloseSession(s);
	(void)p11_kit_module_finalize(fn);
	p11_kit_module_release(fn);
	printf("%lu objects, %lu octets of attributes\n", objects, sum);
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run argv with stdout to /dev/null; its wall and CPU seconds. */
static int
timed(char *const *argv, double *wall, double *cpu)
{
	struct rusage ru;
	double t0 = now();
	pid_t pid;
	int status, null;

	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if ((null = open("/dev/null", O_WRONLY)) < 0 ||
		    dup2(null, STDOUT_FILENO) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	*wall = now() - t0;
	*cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "list_floor: %s failed\n", argv[0]);
		return -1;
	}
	return 0;
}

static int
compare_main(int runs, char *self, char *module, char *token, char *pinfile,
    char *cryptokey)
{
	char pinsrc[4096];
	char *fl[] = { self, "floor", module, token, pinfile, NULL };
	char *ck[] = { cryptokey, "--module", module, "--token", token,
	    "--pin-source", pinsrc, "show", "--json", NULL };
	double *v, *fw, *fc, *sw, *sc, *rw, *rc;
	int i;

	snprintf(pinsrc, sizeof(pinsrc), "file:%s", pinfile);
	if ((v = calloc((size_t)runs * 6, sizeof(*v))) == NULL)
		return 1;
	fw = v;
	fc = v + runs;
	sw = v + 2 * runs;
	sc = v + 3 * runs;
	rw = v + 4 * runs;
	rc = v + 5 * runs;
	/* one of each first, not counted: the files in the page cache */
	if (timed(fl, &fw[0], &fc[0]) != 0 || timed(ck, &sw[0], &sc[0]) != 0)
		return 1;
	for (i = 0; i < runs; i++) {
		if (i % 2 == 0 && (timed(fl, &fw[i], &fc[i]) != 0 ||
		    timed(ck, &sw[i], &sc[i]) != 0))
			return 1;
		if (i % 2 == 1 && (timed(ck, &sw[i], &sc[i]) != 0 ||
		    timed(fl, &fw[i], &fc[i]) != 0))
			return 1;
		rw[i] = sw[i] / fw[i];
		rc[i] = sc[i] / fc[i];
	}
	printf("%.1f %.1f %.1f %.1f %.2f %.2f\n",
	    floor_median(sw, runs) * 1e3, floor_median(fw, runs) * 1e3,
	    floor_median(sc, runs) * 1e3, floor_median(fc, runs) * 1e3,
	    floor_median(rw, runs), floor_median(rc, runs));
	free(v);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "floor") == 0)
		return floor_main(argv[2], argv[3], argv[4]);
	if (argc == 7 && strcmp(argv[1], "compare") == 0 && atoi(argv[2]) > 0)
		return compare_main(atoi(argv[2]), argv[0], argv[3], argv[4],
		    argv[5], argv[6]);
	fprintf(stderr, "usage: list_floor floor MODULE TOKEN PINFILE\n"
	    "       list_floor compare RUNS MODULE TOKEN PINFILE CRYPTOKEY\n");
	return 2;
}
