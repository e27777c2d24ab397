/*
 * claim.c -- verify after create: of several commands on different hosts
 * that make a pair under one name on a shared network HSM at once, at
 * most one keeps it.  (Local commands never race: tokenlock.c.)
 *
 * The rule, used by generate (keygen.c) and import (import.c), each of
 * which stores the pair's record first, as its claim on the name:
 *   a. after storing the record, before making keys: if a complete pair
 *      of the name that step 1 did not list exists now, it was there
 *      first: back out, exit 4;
 *   b. after making the keys: if a pair or a bare record of the name that
 *      step 1 did not list has a lower CKA_ID than ours, it wins: back
 *      out, exit 4.
 *   In either, if our own record or keys are gone (another host's
 *   zeroize, or its step 1 took our claim for a leftover), back out too:
 *   exit 4 when another pair or record of the name is there, else 1.
 * Two commands can both back out when their steps interleave unluckily;
 * they can never both keep a pair: the later of two winners would have
 * seen the earlier's complete pair in a, or its lower CKA_ID in b.
 */
#include "config.h"

#include <string.h>

#include "ks_internal.h"

static int
same_id(const ks_key *k, const unsigned char *id, size_t idlen)
{
	return k->idlen == idlen && memcmp(k->id, id, idlen) == 0;
}

/* Listed by step 1 (what a replace removes), or made by this call. */
static int
known(const struct ks_claim *c, const ks_key *k)
{
	size_t i;

	for (i = 0; i < c->nold; i++)
		if (kx_pair_listed(c->old[i]) &&
		    same_id(k, c->old[i]->id, c->old[i]->idlen))
			return 1;
	for (i = 0; i < c->nids && i < 2; i++)
		if (same_id(k, c->ids[i], KS_ID_LEN))
			return 1;
	return 0;
}

/* Does k's CKA_ID sort before id (bytewise; a prefix sorts first)? */
static int
id_below(const ks_key *k, const unsigned char *id)
{
	size_t n = k->idlen < KS_ID_LEN ? k->idlen : KS_ID_LEN;
	int c = memcmp(k->id, id, n);

	return c < 0 || (c == 0 && k->idlen < KS_ID_LEN);
}

/* Is id's record, and its keys when made, still on the token? */
static int
still_there(ks_key **keys, size_t n, const unsigned char *id, int have_keys)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same_id(keys[i], id, KS_ID_LEN))
			return keys[i]->has_meta && (!have_keys ||
			    (keys[i]->has_priv && keys[i]->has_pub));
	return 0;
}

ks_status
kx_claim_check(ks_ctx *ctx, const char *label, const struct ks_claim *c,
    const unsigned char *id, int have_keys)
{
	ks_key **keys = NULL;
	size_t n = 0, i;
	int gone, rival = 0, other = 0;
	ks_status st;

	if ((st = kx_find_pairs(ctx, label, &keys, &n, 0)) != KS_OK)
		return st;
	gone = !still_there(keys, n, id, have_keys);
	for (i = 0; i < n; i++) {
		const ks_key *k = keys[i];

		if (known(c, k) || !kx_pair_ours(k))
			continue;
		other = 1;
		if (have_keys ? id_below(k, id) : kx_pair_listed(k))
			rival = 1;
	}
	ks_keys_free(keys, n);
	if (rival || (gone && other))
		return kx_fail(ctx, KS_EEXIST, "key '%s' was created on token "
		    "'%s' by another command at the same time; this one "
		    "backed out", label, ctx->token.label);
	if (gone)
		return kx_fail(ctx, KS_EFAIL, "key '%s' was removed by another "
		    "command while this one made it on token '%s'; nothing "
		    "was kept", label, ctx->token.label);
	return KS_OK;
}

ks_status
kx_remove_leftovers(ks_ctx *ctx, ks_key **old, size_t nold)
{
	size_t i;
	ks_status st = KS_OK;

	for (i = 0; i < nold && st == KS_OK; i++)
		if (!kx_pair_listed(old[i]) && kx_pair_ours(old[i]))
			st = kx_remove_pair(ctx, old[i]);
	return st;
}
