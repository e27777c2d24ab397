/*
 * zeroize.c -- remove key pairs (IOS "crypto key zeroize rsa").
 *
 * Per pair: public key, private key, then the record (kx_remove_pair), so
 * that a run cut short still shows a usable pair or nothing, and a rerun
 * completes it (it also removes records left without keys).
 * Without a name only pairs carrying cryptokey's record are removed, and
 * records left without keys: a shared token's other keys are not ours.
 */
#include "config.h"

#include "ks_internal.h"

ks_status
ks_zeroize(ks_ctx *ctx, const char *label, size_t *removed)
{
	ks_key **keys;
	size_t n, i, leftovers = 0;
	ks_status st;

	*removed = 0;
	if ((st = kx_need_session(ctx)) != KS_OK)
		return st;
	if (label != NULL && (st = ks_label_check(ctx, label)) != KS_OK)
		return st;
	if ((st = kx_find_pairs(ctx, label, &keys, &n, 0)) != KS_OK)
		return st;
	for (i = 0; i < n && st == KS_OK; i++) {
		ks_key *k = keys[i];

		if (!kx_pair_ours(k) || (label == NULL && !k->managed))
			continue;
		st = kx_remove_pair(ctx, k);
		if (st == KS_OK && kx_pair_listed(k))
			(*removed)++;
		else if (st == KS_OK)
			leftovers++;
	}
	ks_keys_free(keys, n);
	if (st == KS_OK && *removed == 0 && leftovers == 0 && label != NULL)
		return kx_fail(ctx, KS_ENOTFOUND, "no key named '%s' on token "
		    "'%s'", label, ctx->token.label);
	return st;
}
