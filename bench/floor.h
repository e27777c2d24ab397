/*
 * floor.h -- what the floor benches (sign_floor, list_floor, ike_floor,
 * ike_wire) share: the PIN from a file and the slot of a token, both as a
 * bare PKCS#11 caller finds them, without libkeystore; the median of the
 * rounds; the clocks.
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
/* The bare signing floor: a session on token, logged in with the PIN in
 * pinfile, and the handle of the private key label, found once (the
 * module initialised through p11-kit); 0 or -1. */
struct floor_key {
	CK_FUNCTION_LIST	*fn;
	CK_SESSION_HANDLE	 s;
	CK_OBJECT_HANDLE	 key;
};
int	floor_key_open(struct floor_key *, const char *module,
	    const char *token, const char *pinfile, const char *label);
/* count RSA signatures (CKM_RSA_PKCS over a SHA-256 DigestInfo, what
 * IKEv2's PKCS#1 signatures are): C_SignInit + C_Sign each; 0 or -1. */
int	floor_key_sign(const struct floor_key *, long count);
void	floor_key_close(struct floor_key *);
/* CLOCK_MONOTONIC, and this process's CPU time, in microseconds. */
double	floor_now_us(void);
double	floor_cpu_us(void);

#endif /* BENCH_FLOOR_H */
