/*
 * lock.c -- lock and unlock encrypted keys (IOS "crypto key lock rsa|ec"
 * and "crypto key unlock rsa|ec").  Locked = the usable private key object is
 * gone; the pair is its public key, its record and its encrypted copy
 * (protect.c).
 *
 * lock, for the pairs asked for (all of them are checked before any is
 * locked; one that fails a check stops the whole run unchanged):
 *   1. the copy parses and belongs to the pair (key ID, SHA-256 of the
 *      public key); with the passphrase also: its MAC is right and it
 *      unwraps, as a session object, to a key whose public key is the
 *      pair's (the session object is destroyed at once)
 *   2. C_DestroyObject of the private key -- the one step that changes
 *      the token
 * A crash anywhere leaves the pair unlocked or locked, and the copy that
 * unlocks it has been proven first.
 *
 * unlock, for the pairs asked for (every copy must open with the
 * passphrase before anything changes: a wrong one changes nothing):
 *   1. C_UnwrapKey of the copy as a token object with the pair's label,
 *      ID and attributes; its public key and attributes are read back, and
 *      a mismatch destroys it again
 * One call creates the key, so a crash leaves the pair locked or unlocked.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ks_protect.h"

/* Which pairs need the operation; *todo counts them.  label's pairs must
 * all be encrypted. */
static ks_status
pick(ks_ctx *ctx, const char *label, ks_key **keys, size_t n, int want_priv,
    size_t *todo)
{
	size_t i;

	*todo = 0;
	for (i = 0; i < n; i++) {
		if (!keys[i]->has_enc) {
			if (label == NULL)
				continue;	/* --all: plain keys stay */
			return kx_fail(ctx, KS_EPERM, "key '%s' is not "
			    "encrypted; encrypt it first (cryptokey encrypt "
			    "%s --label %s)", keys[i]->label,
			    keys[i]->type == KS_KEY_EC ? "ec" : "rsa",
			    keys[i]->label);
		}
		if (keys[i]->has_priv == want_priv)
			(*todo)++;
	}
	return KS_OK;
}

ks_status
ks_lock(ks_ctx *ctx, const char *label, int flags, ks_secret_fn passfn,
    void *passarg, size_t *done)
{
	struct ks_opened o;
	CK_OBJECT_HANDLE check;
	ks_key **keys = NULL;
	size_t n = 0, i, todo = 0, passlen = 0;
	char pass[KS_ENC_PASS_MAX];
	int with_pass = !(flags & KS_LOCK_NO_PASSPHRASE);
	ks_status st;
	CK_RV rv;

	*done = 0;
	if ((st = kx_protect_targets(ctx, label, &keys, &n)) != KS_OK)
		return st;
	if ((st = pick(ctx, label, keys, n, 1, &todo)) != KS_OK || todo == 0)
		goto out;
	if (with_pass && (st = kx_ask_pass(ctx, passfn, passarg, "Passphrase "
	    "of the encrypted copy: ", pass, sizeof(pass), &passlen)) != KS_OK)
		goto out;
	/* 1. every copy is proven before any key is locked */
	for (i = 0; i < n && st == KS_OK; i++) {
		if (!keys[i]->has_enc || !keys[i]->has_priv)
			continue;
		st = kx_enc_open(ctx, keys[i], with_pass ? pass : NULL, passlen,
		    &o);
		if (st == KS_OK && with_pass) {
			st = kx_enc_unwrap(ctx, keys[i], &o, 0, &check);
			if (st == KS_OK)
				(void)p11_destroy(&ctx->sess, check);
		}
		kx_enc_close(&o);
	}
	OPENSSL_cleanse(pass, sizeof(pass));
	/* 2. the usable objects go */
	for (i = 0; i < n && st == KS_OK; i++) {
		if (!keys[i]->has_enc || !keys[i]->has_priv)
			continue;
		rv = p11_destroy(&ctx->sess, keys[i]->priv);
		if (rv != CKR_OK && rv != CKR_OBJECT_HANDLE_INVALID)
			st = kx_fail_rv(ctx, rv, "cannot remove the private key "
			    "of '%s'", keys[i]->label);
		else
			(*done)++;
	}
 out:
	ks_keys_free(keys, n);
	return st;
}

ks_status
ks_unlock(ks_ctx *ctx, const char *label, ks_secret_fn passfn, void *passarg,
    size_t *done)
{
	struct ks_opened *o = NULL;
	CK_OBJECT_HANDLE h;
	ks_key **keys = NULL;
	size_t n = 0, i, todo = 0, passlen = 0;
	char pass[KS_ENC_PASS_MAX];
	ks_status st;

	*done = 0;
	if ((st = kx_protect_targets(ctx, label, &keys, &n)) != KS_OK)
		return st;
	if ((st = pick(ctx, label, keys, n, 0, &todo)) != KS_OK || todo == 0)
		goto out;
	if ((o = calloc(n, sizeof(*o))) == NULL) {
		st = kx_fail(ctx, KS_EFAIL, "out of memory");
		goto out;
	}
	if ((st = kx_ask_pass(ctx, passfn, passarg, "Passphrase of the "
	    "encrypted copy: ", pass, sizeof(pass), &passlen)) != KS_OK)
		goto out;
	/* every copy opens before anything changes */
	for (i = 0; i < n && st == KS_OK; i++)
		if (keys[i]->has_enc && !keys[i]->has_priv)
			st = kx_enc_open(ctx, keys[i], pass, passlen, &o[i]);
	OPENSSL_cleanse(pass, sizeof(pass));
	/* 1. the usable objects come back */
	for (i = 0; i < n && st == KS_OK; i++) {
		if (!keys[i]->has_enc || keys[i]->has_priv)
			continue;
		if ((st = kx_enc_unwrap(ctx, keys[i], &o[i], 1, &h)) == KS_OK)
			(*done)++;
	}
 out:
	if (o != NULL) {
		for (i = 0; i < n; i++)
			kx_enc_close(&o[i]);
		free(o);
	}
	ks_keys_free(keys, n);
	return st;
}
