/*
 * floor.c -- the PIN file, the token's slot and the median for the floor
 * benches (floor.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "floor.h"

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
