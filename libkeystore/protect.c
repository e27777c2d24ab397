/*
 * protect.c -- encrypted copies on the token (IOS "crypto key encrypt rsa"
 * and "crypto key decrypt rsa"), and the helpers lock.c and move.c use.
 *
 * An encrypted copy is a CKO_DATA object (CKA_APPLICATION
 * "cryptokey-encrypted", CKA_LABEL = the key name, CKA_PRIVATE) holding
 * the private key wrapped by the token (C_WrapKey, CKM_AES_KEY_WRAP_PAD)
 * under an AES-256 key derived from a passphrase; ks_protect.h has the
 * format.  The derived key is on the token only as a session object for
 * the one wrap or unwrap, and is wiped from memory after it.  The private
 * key is never in our memory in clear.
 *
 * encrypt, per pair (every pair is checked first: exportable, unlocked,
 * not yet encrypted; nothing changes if one is not):
 *   1. derive the keys from the passphrase and a fresh salt
 *   2. put the derived key on the token (session object), C_WrapKey
 *   3. unwrap the result into a session object and compare its public key
 *      with the pair's: the copy is proven before it is kept
 *   4. C_CreateObject of the copy -- the one step that changes the token
 * A crash before 4 leaves the key plain (session objects die with the
 * session); after 4 it is encrypted.
 *
 * decrypt, per pair (every copy is opened with the passphrase first; a
 * wrong one changes nothing):
 *   1. if the key is locked, unwrap the copy into a token object with the
 *      pair's label, ID and attributes and check it (lock.c, as unlock)
 *   2. destroy the copy
 * A crash between 1 and 2 leaves the key encrypted and unlocked; a rerun
 * finishes.  The usable key exists before the copy goes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "ks_protect.h"

/* Token objects --------------------------------------------------------- */

ks_status
kx_enc_read(ks_ctx *ctx, CK_OBJECT_HANDLE h, const char *label,
    unsigned char **buf, size_t *len)
{
	CK_ATTRIBUTE a = { CKA_VALUE, NULL, 0 };
	CK_RV rv;

	*buf = NULL;
	*len = 0;
	if ((rv = p11_get_attrs(&ctx->sess, h, &a, 1)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read the encrypted copy of "
		    "key '%s'", label);
	if (a.pValue == NULL || a.ulValueLen > KS_ENC_MAX) {
		p11_attrs_free(&a, 1);
		return kx_fail(ctx, KS_EINPUT, "the encrypted copy of key '%s' "
		    "on token '%s' is empty or too large", label,
		    ctx->token.label);
	}
	*buf = a.pValue;
	*len = a.ulValueLen;
	return KS_OK;
}

ks_status
kx_enc_store(ks_ctx *ctx, const char *label, const unsigned char *buf,
    size_t len, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_APPLICATION, KS_APP_ENC, sizeof(KS_APP_ENC) - 1 },
		{ CKA_VALUE, (void *)buf, len },
	};
	CK_RV rv;

	rv = p11_create(&ctx->sess, t, sizeof(t) / sizeof(t[0]), h);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot store the encrypted copy of "
		    "key '%s' on token '%s'", label, ctx->token.label);
	return KS_OK;
}

ks_status
kx_key_spki_of(ks_ctx *ctx, CK_OBJECT_HANDLE h, const char *label,
    unsigned char **spki, size_t *spkilen)
{
	CK_ATTRIBUTE a[] = {
		{ CKA_MODULUS, NULL, 0 },
		{ CKA_PUBLIC_EXPONENT, NULL, 0 },
	};
	unsigned bits;
	ks_status st;
	CK_RV rv;

	*spki = NULL;
	*spkilen = 0;
	if ((rv = p11_get_attrs(&ctx->sess, h, a, 2)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot read the public part of key "
		    "'%s'", label);
	if (a[0].pValue == NULL || a[1].pValue == NULL)
		st = kx_fail(ctx, KS_ETOKEN, "token '%s' shows no modulus for "
		    "key '%s'", ctx->token.label, label);
	else
		st = kx_spki_from_rsa(a[0].pValue, a[0].ulValueLen,
		    a[1].pValue, a[1].ulValueLen, spki, spkilen, &bits);
	if (st != KS_OK && st != KS_ETOKEN)
		st = kx_fail(ctx, st, "cannot encode the public key of '%s'",
		    label);
	p11_attrs_free(a, 2);
	return st;
}

/* The boolean attributes of a private key that unlock and move restore. */
ks_status
kx_priv_attrs(ks_ctx *ctx, CK_OBJECT_HANDLE priv, const char *label,
    struct ks_enc_attr *attrs, size_t *n)
{
	static const CK_ATTRIBUTE_TYPE types[] = {
		CKA_SIGN, CKA_DECRYPT, CKA_UNWRAP, CKA_EXTRACTABLE, CKA_DERIVE,
	};
	CK_BBOOL v[sizeof(types) / sizeof(types[0])];
	CK_ATTRIBUTE a[sizeof(types) / sizeof(types[0])];
	size_t i;
	CK_RV rv;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		a[i].type = types[i];
		a[i].pValue = &v[i];
		a[i].ulValueLen = sizeof(v[i]);
	}
	rv = p11_get_values(&ctx->sess, priv, a, i);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID)
		return kx_fail_rv(ctx, rv, "cannot read the private key of "
		    "'%s'", label);
	*n = 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (a[i].ulValueLen != sizeof(CK_BBOOL))
			continue;
		attrs[*n].type = types[i];
		attrs[*n].value = v[i] == CK_TRUE ? CK_TRUE : CK_FALSE;
		(*n)++;
	}
	return KS_OK;
}

static CK_BBOOL
attr_value(const struct ks_enc_attr *attrs, size_t n, CK_ATTRIBUTE_TYPE t,
    CK_BBOOL dflt)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (attrs[i].type == t)
			return attrs[i].value;
	return dflt;
}

/*
 * Unwrap blob with wk into a private key object: on the token with the
 * pair's label, ID and attributes (extractable forced FALSE when
 * non_exportable), or as a bare session object for a check.  Then the
 * object must belong to k's public key (kx_private_matches), and a token
 * object must be sensitive and as exportable as asked; otherwise it is
 * destroyed again.
 */
ks_status
kx_unwrap_checked(ks_ctx *ctx, struct ks_wrapkey *wk,
    const unsigned char *blob, size_t bloblen, const struct ks_key *k,
    const struct ks_enc_attr *attrs, size_t nattrs, int on_token,
    int non_exportable, CK_OBJECT_HANDLE *out)
{
	const struct ks_curvedef *d = kx_curvedef(k->curve);
	int ec = k->type == KS_KEY_EC;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = !ec ? CKK_RSA : d != NULL ? d->key_type : CKK_EC;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BBOOL sign = attr_value(attrs, nattrs, CKA_SIGN, CK_TRUE);
	/* RSA decrypts; EC agrees on keys */
	CK_BBOOL decrypt = attr_value(attrs, nattrs,
	    ec ? CKA_DERIVE : CKA_DECRYPT, ec ? CK_FALSE : CK_TRUE);
	CK_BBOOL unwrap = attr_value(attrs, nattrs, CKA_UNWRAP, CK_FALSE);
	CK_BBOOL extr = attr_value(attrs, nattrs, CKA_EXTRACTABLE, CK_FALSE);
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, on_token ? &yes : &no, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &extr, sizeof(extr) },
		{ CKA_SIGN, &sign, sizeof(sign) },
		{ ec ? CKA_DERIVE : CKA_DECRYPT, &decrypt, sizeof(decrypt) },
		{ CKA_UNWRAP, &unwrap, sizeof(unwrap) },
		{ CKA_LABEL, k->label, strlen(k->label) },
		{ CKA_ID, (void *)k->id, k->idlen },
	};
	CK_OBJECT_HANDLE h;
	ks_status st;

	if (ec && d == NULL)
		return kx_fail(ctx, KS_ETOKEN, "key '%s' is on a curve "
		    "cryptokey does not know", k->label);
	if (non_exportable || !on_token)
		extr = CK_FALSE;
	st = kx_unwrap_blob(ctx, wk, blob, bloblen, t,
	    on_token ? sizeof(t) / sizeof(t[0]) : 6, k->label, &h);
	if (st != KS_OK)
		return st;
	if ((st = kx_private_matches(ctx, h, k)) != KS_OK)
		goto bad;
	if (on_token &&
	    (st = kx_check_private(ctx, k->label, h, extr == CK_TRUE)) != KS_OK)
		goto bad;
	*out = h;
	return KS_OK;
 bad:
	(void)p11_destroy(&ctx->sess, h);	/* best effort */
	return st;
}

/* Opening a copy with a passphrase -------------------------------------- */

void
kx_enc_close(struct ks_opened *o)
{
	free(o->buf);	/* the copy: encrypted */
	kx_enc_keys_clear(&o->keys);
	memset(o, 0, sizeof(*o));
}

/*
 * Read and parse the copy of k and check that it belongs to k (key ID and
 * public key); with a passphrase, derive its keys and check the MAC
 * (KS_EAUTH when wrong).
 */
ks_status
kx_enc_open(ks_ctx *ctx, const ks_key *k, const char *pass, size_t passlen,
    struct ks_opened *o)
{
	unsigned char sum[SHA256_DIGEST_LENGTH];
	ks_status st;

	memset(o, 0, sizeof(*o));
	if ((st = kx_enc_read(ctx, k->enc, k->label, &o->buf, &o->len)) != KS_OK)
		return st;
	if (kx_enc_parse(o->buf, o->len, &o->e) != 0) {
		kx_enc_close(o);
		return kx_fail(ctx, KS_EINPUT, "the encrypted copy of key '%s' "
		    "on token '%s' is damaged or of a later version", k->label,
		    ctx->token.label);
	}
	if (k->spki != NULL)
		SHA256(k->spki, k->spkilen, sum);
	if (o->e.idlen != k->idlen || memcmp(o->e.id, k->id, k->idlen) != 0 ||
	    k->spki == NULL || memcmp(sum, o->e.spki_sha256, sizeof(sum)) != 0) {
		kx_enc_close(o);
		return kx_fail(ctx, KS_EINPUT, "the encrypted copy of key '%s' "
		    "on token '%s' belongs to another public key", k->label,
		    ctx->token.label);
	}
	if (pass == NULL)
		return KS_OK;
	if (kx_enc_derive(&o->e, pass, passlen, &o->keys) != 0) {
		kx_enc_close(o);
		return kx_fail(ctx, KS_EFAIL, "cannot derive a key from the "
		    "passphrase");
	}
	if (!kx_enc_mac_ok(o->buf, &o->e, &o->keys)) {
		kx_enc_close(o);
		return kx_fail(ctx, KS_EAUTH, "wrong passphrase for key '%s' "
		    "(or its encrypted copy is damaged)", k->label);
	}
	return KS_OK;
}

/* Unwrap an opened copy: into a session object (check) or onto the token. */
ks_status
kx_enc_unwrap(ks_ctx *ctx, const ks_key *k, struct ks_opened *o,
    int on_token, CK_OBJECT_HANDLE *h)
{
	struct ks_wrapkey wk;
	ks_status st;

	if ((st = kx_wrapkey_load(ctx, &wk, o->keys.kek)) != KS_OK)
		return st;
	st = kx_unwrap_checked(ctx, &wk, o->e.blob, o->e.bloblen, k,
	    o->e.attrs, o->e.nattrs, on_token, 0, h);
	kx_wrapkey_destroy(ctx, &wk);
	return st;
}

/* Passphrases ----------------------------------------------------------- */

ks_status
kx_ask_pass(ks_ctx *ctx, ks_secret_fn fn, void *arg, const char *prompt,
    char *buf, size_t bufsz, size_t *len)
{
	ks_status st;

	*len = 0;
	if (fn == NULL)
		return kx_fail(ctx, KS_EUSAGE, "no passphrase source");
	if ((st = fn(arg, prompt, buf, bufsz, len)) != KS_OK)
		return st;	/* the callback recorded why */
	if (*len > bufsz) {
		OPENSSL_cleanse(buf, bufsz);
		return kx_fail(ctx, KS_EFAIL, "passphrase callback overran");
	}
	if (*len < KS_PASSPHRASE_MIN) {
		OPENSSL_cleanse(buf, bufsz);
		return kx_fail(ctx, KS_EUSAGE, "the passphrase must have at "
		    "least %d characters", KS_PASSPHRASE_MIN);
	}
	return KS_OK;
}

/* The pairs an operation works on: label's, or every one we manage. */
ks_status
kx_protect_targets(ks_ctx *ctx, const char *label, ks_key ***keys, size_t *n)
{
	ks_key **all;
	size_t nall, i, kept = 0;
	ks_status st;

	*keys = NULL;
	*n = 0;
	if ((st = kx_need_session(ctx)) != KS_OK)
		return st;
	if (label != NULL && (st = ks_label_check(ctx, label)) != KS_OK)
		return st;
	if ((st = kx_find_pairs(ctx, label, &all, &nall, 1)) != KS_OK)
		return st;
	for (i = 0; i < nall; i++) {
		if (kx_pair_listed(all[i]) && (label != NULL || all[i]->managed))
			all[kept++] = all[i];
		else
			kx_key_free(all[i]);
	}
	if (kept == 0) {
		free(all);
		all = NULL;
	}
	if (label != NULL && kept == 0)
		return kx_fail(ctx, KS_ENOTFOUND, "no key named '%s' on token "
		    "'%s'", label, ctx->token.label);
	*keys = all;
	*n = kept;
	return KS_OK;
}

/* Encrypt --------------------------------------------------------------- */

static ks_status
encrypt_check(ks_ctx *ctx, const ks_key *k)
{
	if (!k->has_priv)
		return kx_fail(ctx, KS_EPERM, "key '%s' has no usable private "
		    "key (locked?); unlock it first", k->label);
	if (!k->exportable)
		return kx_fail(ctx, KS_EPERM, "key '%s' is not exportable: the "
		    "token will not wrap it, so it cannot be encrypted",
		    k->label);
	if (k->spki == NULL)
		return kx_fail(ctx, KS_ETOKEN, "token '%s' shows no public key "
		    "for '%s'", ctx->token.label, k->label);
	return KS_OK;
}

static ks_status
encrypt_one(ks_ctx *ctx, const ks_key *k, const struct ks_kdf *kdf,
    const char *pass, size_t passlen)
{
	struct ks_enc e;
	struct ks_enc_keys keys;
	struct ks_wrapkey wk;
	unsigned char *blob = NULL, *copy = NULL;
	size_t bloblen = 0, copylen = 0;
	CK_OBJECT_HANDLE check, h;
	ks_status st;

	memset(&e, 0, sizeof(e));
	memset(&keys, 0, sizeof(keys));
	e.version = KS_ENC_VERSION;
	e.kdf = *kdf;
	e.saltlen = KS_ENC_SALT_LEN;
	e.wrap = CKM_AES_KEY_WRAP_PAD;
	memcpy(e.id, k->id, k->idlen);
	e.idlen = k->idlen;
	e.usage = k->usage;
	SHA256(k->spki, k->spkilen, e.spki_sha256);
	if (RAND_bytes(e.salt, (int)e.saltlen) != 1)
		return kx_fail(ctx, KS_EFAIL, "no random bytes for a salt");
	if ((st = kx_priv_attrs(ctx, k->priv, k->label, e.attrs,
	    &e.nattrs)) != KS_OK)
		return st;
	/* 1. the keys */
	if (kx_enc_derive(&e, pass, passlen, &keys) != 0)
		return kx_fail(ctx, KS_EFAIL, "cannot derive a key from the "
		    "passphrase");
	/* 2. wrap under the derived key */
	if ((st = kx_wrapkey_load(ctx, &wk, keys.kek)) != KS_OK)
		goto out;
	if ((st = kx_wrap_blob(ctx, &wk, k->priv, k->label, &blob,
	    &bloblen)) != KS_OK)
		goto out_wk;
	/* 3. prove it unwraps to this key */
	if ((st = kx_unwrap_checked(ctx, &wk, blob, bloblen, k, e.attrs,
	    e.nattrs, 0, 0, &check)) != KS_OK)
		goto out_wk;
	(void)p11_destroy(&ctx->sess, check);	/* a session object */
	e.blob = blob;
	e.bloblen = bloblen;
	if (kx_enc_encode(&e, &keys, &copy, &copylen) != 0) {
		st = kx_fail(ctx, KS_EFAIL, "cannot encode the encrypted copy "
		    "of key '%s'", k->label);
		goto out_wk;
	}
	/* 4. keep it */
	st = kx_enc_store(ctx, k->label, copy, copylen, &h);
 out_wk:
	kx_wrapkey_destroy(ctx, &wk);
 out:
	kx_enc_keys_clear(&keys);
	free(blob);	/* wrapped */
	free(copy);	/* wrapped */
	return st;
}

ks_status
ks_encrypt(ks_ctx *ctx, const char *label, const char *kdfspec,
    ks_secret_fn passfn, void *passarg, size_t *done)
{
	struct ks_kdf kdf;
	ks_key **keys = NULL;
	size_t n = 0, i, todo = 0, passlen = 0;
	char pass[KS_ENC_PASS_MAX];
	ks_status st;

	*done = 0;
	if (kx_kdf_parse(kdfspec, &kdf) != 0)
		return kx_fail(ctx, KS_EUSAGE, "bad KDF '%s': give pbkdf2[:"
		    "ITERATIONS] (%lu to %lu) or scrypt[:N:r:p] (N a power of 2 "
		    "from 2^%d to 2^%d, 128*N*r at most %lu MiB)",
		    kdfspec != NULL ? kdfspec : "", KS_PBKDF2_MIN,
		    KS_PBKDF2_MAX, KS_SCRYPT_LOG2N_MIN, KS_SCRYPT_LOG2N_MAX,
		    KS_SCRYPT_MEM_MAX >> 20);
	if ((st = kx_protect_targets(ctx, label, &keys, &n)) != KS_OK)
		return st;
	for (i = 0; i < n && st == KS_OK; i++) {
		if (keys[i]->has_enc)
			continue;
		todo++;
		st = encrypt_check(ctx, keys[i]);
	}
	if (st == KS_OK && todo == 0 && label != NULL)
		st = kx_fail(ctx, KS_EEXIST, "key '%s' is already encrypted; "
		    "to change its passphrase, decrypt it and encrypt it again",
		    label);
	if (st == KS_OK && todo > 0)
		st = kx_ask_pass(ctx, passfn, passarg, "Passphrase for the "
		    "encrypted copy: ", pass, sizeof(pass), &passlen);
	for (i = 0; i < n && st == KS_OK && todo > 0; i++) {
		if (keys[i]->has_enc)
			continue;
		if ((st = encrypt_one(ctx, keys[i], &kdf, pass,
		    passlen)) == KS_OK)
			(*done)++;
	}
	OPENSSL_cleanse(pass, sizeof(pass));
	ks_keys_free(keys, n);
	return st;
}

/* Decrypt --------------------------------------------------------------- */

ks_status
ks_decrypt(ks_ctx *ctx, const char *label, ks_secret_fn passfn,
    void *passarg)
{
	struct ks_opened *o = NULL;
	ks_key **keys = NULL;
	size_t n = 0, i, passlen = 0, todo = 0;
	char pass[KS_ENC_PASS_MAX];
	CK_OBJECT_HANDLE h;
	ks_status st;
	CK_RV rv;

	if (label == NULL)
		return kx_fail(ctx, KS_EUSAGE, "which key? give its name");
	if ((st = kx_protect_targets(ctx, label, &keys, &n)) != KS_OK)
		return st;
	for (i = 0; i < n; i++)
		if (keys[i]->has_enc)
			todo++;
	if (todo == 0) {
		ks_keys_free(keys, n);
		return kx_fail(ctx, KS_EPERM, "key '%s' is not encrypted; "
		    "nothing to decrypt", label);
	}
	if ((o = calloc(n, sizeof(*o))) == NULL) {
		ks_keys_free(keys, n);
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	}
	st = kx_ask_pass(ctx, passfn, passarg, "Passphrase of the encrypted "
	    "copy: ", pass, sizeof(pass), &passlen);
	/* every copy opens with the passphrase before anything changes */
	for (i = 0; i < n && st == KS_OK; i++)
		if (keys[i]->has_enc)
			st = kx_enc_open(ctx, keys[i], pass, passlen, &o[i]);
	OPENSSL_cleanse(pass, sizeof(pass));
	for (i = 0; i < n && st == KS_OK; i++) {
		if (!keys[i]->has_enc)
			continue;
		/* 1. a locked key gets its usable object back first */
		if (!keys[i]->has_priv &&
		    (st = kx_enc_unwrap(ctx, keys[i], &o[i], 1, &h)) != KS_OK)
			break;
		/* 2. then the copy goes */
		rv = p11_destroy(&ctx->sess, keys[i]->enc);
		if (rv != CKR_OK && rv != CKR_OBJECT_HANDLE_INVALID)
			st = kx_fail_rv(ctx, rv, "cannot remove the encrypted "
			    "copy of key '%s'", keys[i]->label);
	}
	for (i = 0; i < n; i++)
		kx_enc_close(&o[i]);
	free(o);
	ks_keys_free(keys, n);
	return st;
}
