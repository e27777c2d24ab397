/*
 * floor.h -- what the floor benches (sign_floor, list_floor, ike_floor)
 * share: the PIN from a file and the slot of a token, both as a bare
 * PKCS#11 caller finds them, without libkeystore; and the median of the
 * rounds.
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <stddef.h>
#include <p11-kit/pkcs11.h>

/* The first line of PATH, without its newline, into pin; 0 or -1. */
int	floor_read_pin(const char *path, char *pin, size_t pinsz);
/* The slot whose token has this label (space-padded in CK_TOKEN_INFO);
 * 0 or -1. */
int	floor_find_slot(CK_FUNCTION_LIST *fn, const char *token,
	    CK_SLOT_ID *slot);
/* The median of the n values of v, which it sorts. */
double	floor_median(double *v, int n);

#endif /* BENCH_FLOOR_H */
