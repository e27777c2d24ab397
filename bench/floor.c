/*
 * floor.c -- the PIN file, the token's slot, the median and the clocks for
 * the floor benches (floor.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <p11-kit/p11-kit.h>

#include "floor.h"

static const unsigned char di_sha256[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};

static double
clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

double
floor_now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

double
floor_cpu_us(void)
{
	return clock_us(CLOCK_PROCESS_CPUTIME_ID);
}

int
floor_read_pin(const char *path, char *pin, size_t pinsz)
{
	FILE *f = fopen(path, "r");

	if (f == NULL || fgets(pin, (int)pinsz, f) == NULL) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	pin[strcspn(pin, "\r\n")] = '\0';
	return 0;
}

int
floor_find_slot(CK_FUNCTION_LIST *fn, const char *token, CK_SLOT_ID *slot)
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

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
floor_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
floor_key_open(struct floor_key *k, const char *module, const char *token,
    const char *pinfile, const char *label)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)(uintptr_t)label, strlen(label) },
	};
	CK_SLOT_ID slot;
	CK_ULONG n = 0;
	char pin[256];

	k->fn = p11_kit_module_load(module, 0);
	if (k->fn == NULL || p11_kit_module_initialize(k->fn) != CKR_OK)
		return -1;
	if (floor_find_slot(k->fn, token, &slot) != 0 ||
	    floor_read_pin(pinfile, pin, sizeof(pin)) != 0 ||
	    k->fn->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL,
	    &k->s) != CKR_OK || k->fn->C_Login(k->s, CKU_USER,
	    (CK_UTF8CHAR *)pin, strlen(pin)) != CKR_OK ||
	    k->fn->C_FindObjectsInit(k->s, t, 2) != CKR_OK ||
	    k->fn->C_FindObjects(k->s, &k->key, 1, &n) != CKR_OK || n != 1 ||
	    k->fn->C_FindObjectsFinal(k->s) != CKR_OK)
		return -1;
	return 0;
}

int
floor_key_sign(const struct floor_key *k, long count)
{
	CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
	unsigned char in[sizeof(di_sha256) + 32], sig[1024];
	CK_ULONG siglen;
	long i;

	memcpy(in, di_sha256, sizeof(di_sha256));
	memset(in + sizeof(di_sha256), 0x5a, 32);
	for (i = 0; i < count; i++) {
		siglen = sizeof(sig);
		if (k->fn->C_SignInit(k->s, &mech, k->key) != CKR_OK ||
		    k->fn->C_Sign(k->s, in, sizeof(in), sig, &siglen) !=
		    CKR_OK)
			return -1;
	}
	return 0;
}

void
floor_key_close(struct floor_key *k)
{
	if (k->fn == NULL)
		return;
	(void)k->fn->C_CloseSession(k->s);
	(void)p11_kit_module_finalize(k->fn);
	p11_kit_module_release(k->fn);
	k->fn = NULL;
}
