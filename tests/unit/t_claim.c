/*
 * t_claim.c -- the verify-after-create rule of claim.c, decided for each
 * interleaving of two commands on two hosts sharing one token.
 *
 * Racing two processes cannot prove the rule on SoftHSM2: its file store
 * does not show one process the objects another has just made.  Here one
 * process plays both hosts on one session, so every object is seen, and
 * builds the state a rival would have left at each step: a complete pair
 * or a bare record under the same name, with a lower or a higher CKA_ID,
 * or our own record gone.  Pairs are made with ks_generate under another
 * name and renamed (CKA_LABEL) into the contested one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkeystore/ks_internal.h"
#include "tap.h"
#include "token.h"

/* Every object labelled from gets the label to. */
static int
rename_objects(ks_ctx *ctx, const char *from, const char *to)
{
	CK_ATTRIBUTE t = { CKA_LABEL, (void *)from, strlen(from) };
	CK_ATTRIBUTE nt = { CKA_LABEL, (void *)to, strlen(to) };
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (p11_find(&ctx->sess, &t, 1, &h, &n) != CKR_OK || n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if (ctx->sess.fn->C_SetAttributeValue(ctx->sess.h, h[i], &nt,
		    1) != CKR_OK)
			rc = -1;
	free(h);
	return rc;
}

/* Destroy the keys of id under label (the record has no CKA_ID). */
static int
destroy_keys(ks_ctx *ctx, const char *label, const unsigned char *id)
{
	CK_ATTRIBUTE t[] = {
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, (void *)id, KS_ID_LEN },
	};
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	int done = 0;

	if (p11_find(&ctx->sess, t, 2, &h, &n) != CKR_OK)
		return -1;
	for (i = 0; i < n; i++)
		if (p11_destroy(&ctx->sess, h[i]) == CKR_OK)
			done++;
	free(h);
	return done == 2 ? 0 : -1;
}

/* Destroy the record of id under label: the data object whose value
 * names that CKA_ID. */
static int
destroy_record(ks_ctx *ctx, const char *label, const unsigned char *id)
{
	CK_OBJECT_CLASS data = CKO_DATA;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_OBJECT_HANDLE *h = NULL;
	char buf[KS_META_MAX];
	CK_ATTRIBUTE v;
	struct ks_meta m;
	size_t n = 0, i;
	int done = 0;

	if (p11_find(&ctx->sess, t, 2, &h, &n) != CKR_OK)
		return -1;
	for (i = 0; i < n; i++) {
		v.type = CKA_VALUE;
		v.pValue = buf;
		v.ulValueLen = sizeof(buf);
		if (ctx->sess.fn->C_GetAttributeValue(ctx->sess.h, h[i], &v,
		    1) != CKR_OK || kx_meta_parse(buf, v.ulValueLen, &m) != 0 ||
		    m.idlen != KS_ID_LEN || memcmp(m.id, id, KS_ID_LEN) != 0)
			continue;
		if (p11_destroy(&ctx->sess, h[i]) == CKR_OK)
			done++;
	}
	free(h);
	return done == 1 ? 0 : -1;
}

/* A complete pair named "x"; its CKA_ID into id. */
static int
make_pair(ks_ctx *ctx, unsigned char *id)
{
	ks_key **k = NULL;
	size_t n = 0;
	int rc = -1;

	if (ks_generate(ctx, "tmp", 1024, KS_KIND_GENERAL, 0) != KS_OK ||
	    rename_objects(ctx, "tmp", "x") != 0)
		return -1;
	/* the newest pair of "x" is the one no id was taken from yet */
	if (kx_find_pairs(ctx, "x", &k, &n, 0) == KS_OK && n > 0) {
		size_t i;

		for (i = 0; i < n; i++)
			if (k[i]->idlen == KS_ID_LEN &&
			    memcmp(k[i]->id, id, KS_ID_LEN) != 0) {
				memcpy(id, k[i]->id, KS_ID_LEN);
				rc = 0;
			}
	}
	ks_keys_free(k, n);
	return rc;
}

/* Two complete pairs named "x": lo has the lower CKA_ID. */
static int
two_pairs(ks_ctx *ctx, unsigned char *lo, unsigned char *hi)
{
	unsigned char a[KS_ID_LEN], b[KS_ID_LEN];

	memset(a, 0, sizeof(a));
	if (make_pair(ctx, a) != 0)
		return -1;
	memcpy(b, a, sizeof(b));
	if (make_pair(ctx, b) != 0)
		return -1;
	if (memcmp(a, b, KS_ID_LEN) < 0) {
		memcpy(lo, a, KS_ID_LEN);
		memcpy(hi, b, KS_ID_LEN);
	} else {
		memcpy(lo, b, KS_ID_LEN);
		memcpy(hi, a, KS_ID_LEN);
	}
	return 0;
}

/* The claim of a command that made id and found nothing in step 1. */
static void
claim_of(struct ks_claim *c, const unsigned char *id)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->ids[0], id, KS_ID_LEN);
	c->nids = 1;
}

static ks_status
check(ks_ctx *ctx, const unsigned char *id, int have_keys)
{
	struct ks_claim c;

	claim_of(&c, id);
	return kx_claim_check(ctx, "x", &c, id, have_keys);
}

static void
clear_x(ks_ctx *ctx)
{
	size_t removed;

	(void)ks_zeroize(ctx, "x", &removed);
}

int
main(void)
{
	char dir[] = "/tmp/t_claim.XXXXXX", cmd[256];
	unsigned char lo[KS_ID_LEN], hi[KS_ID_LEN];
	struct ks_claim c;
	ks_key **old = NULL;
	size_t nold = 0;
	ks_ctx *ctx;

	if ((ctx = unit_token(dir)) == NULL)
		return 1;

	/* b. both made their keys: the lower CKA_ID keeps the name */
	ok(two_pairs(ctx, lo, hi) == 0, "two complete pairs under one name");
	is_int(check(ctx, lo, 1), KS_OK, "after its keys, the lower CKA_ID "
	    "keeps its pair");
	is_int(check(ctx, hi, 1), KS_EEXIST, "after its keys, the higher "
	    "CKA_ID backs out (exit 4)");
	/* a. a complete pair appeared before ours had keys: it was first */
	is_int(check(ctx, lo, 0), KS_EEXIST, "before its keys, a rival's "
	    "complete pair wins even over a lower CKA_ID");
	/* a pair step 1 listed (a replace) is no rival */
	if (kx_find_pairs(ctx, "x", &old, &nold, 0) == KS_OK) {
		size_t i, j = 0;

		for (i = 0; i < nold; i++)
			if (memcmp(old[i]->id, lo, KS_ID_LEN) == 0)
				j = i;
		/* keep only lo's pair in old: what step 1 found */
		if (j != 0) {
			ks_key *t = old[0];

			old[0] = old[j];
			old[j] = t;
		}
		claim_of(&c, hi);
		c.old = old;
		c.nold = 1;
		is_int(kx_claim_check(ctx, "x", &c, hi, 1), KS_OK,
		    "the pair a replace found in step 1 is no rival");
	} else
		ok(0, "list the pairs of x");
	ks_keys_free(old, nold);

	/* b. a rival's bare record (its keys still coming) */
	ok(destroy_keys(ctx, "x", lo) == 0, "the lower pair loses its "
	    "keys: a bare record");
	is_int(check(ctx, hi, 1), KS_EEXIST, "a bare record with a lower "
	    "CKA_ID wins too");
	is_int(check(ctx, hi, 0), KS_OK, "before its keys, a bare record "
	    "is no rival (it may be a leftover)");
	clear_x(ctx);

	ok(two_pairs(ctx, lo, hi) == 0, "two complete pairs again");
	ok(destroy_keys(ctx, "x", hi) == 0, "the higher one's keys go");
	is_int(check(ctx, lo, 1), KS_OK, "a bare record with a higher "
	    "CKA_ID is no rival");

	/* our own record removed by the other host (its step 1 or zeroize) */
	ok(destroy_record(ctx, "x", lo) == 0, "our record goes");
	is_int(check(ctx, lo, 1), KS_EEXIST, "record gone, another's record "
	    "there: back out, exit 4");
	clear_x(ctx);
	memset(lo, 0, sizeof(lo));
	ok(make_pair(ctx, lo) == 0, "one pair");
	ok(destroy_record(ctx, "x", lo) == 0, "its record goes");
	is_int(check(ctx, lo, 1), KS_EFAIL, "record gone, nothing else: "
	    "back out, exit 1");
	is_int(check(ctx, lo, 0), KS_EFAIL, "the same before the keys");
	clear_x(ctx);

	ks_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return done_testing();
}
