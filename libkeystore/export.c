/*
 * export.c -- the pairs of a name as PEM text (IOS "crypto key export
 * rsa|ec ... pem terminal").
 *
 * Nothing on the token changes.  Per pair, in the order "show" lists them
 * (signature before encryption):
 *
 *	% Key name: NAME
 *	   Usage: General Purpose Key
 *	   Key data:
 *	-----BEGIN PUBLIC KEY-----
 *	...
 *	-----BEGIN ENCRYPTED PRIVATE KEY-----	(or BEGIN RSA / EC PRIVATE KEY
 *	...			 with Proc-Type/DEK-Info for 3des/des)
 *
 * Every pair is checked for exportability before the passphrase is asked
 * for.  The private key leaves the token only through C_WrapKey under a
 * session key (wrap.c), is checked against the pair's public key, and is
 * encrypted under the passphrase before it is handed out; the clear
 * PKCS#8 is wiped at once.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ks_xfer.h"

#define PASS_MAX	1024

static const char *
type_word(const ks_key *k)
{
	return k->type == KS_KEY_EC ? "EC" : "RSA";
}

/* Every pair must have a usable, exportable private key. */
static ks_status
check_exportable(ks_ctx *ctx, ks_key **keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!keys[i]->has_priv && keys[i]->locked)
			return kx_fail(ctx, KS_EPERM, "%s key '%s' is locked; "
			    "unlock it first, or export only its public key",
			    type_word(keys[i]), keys[i]->label);
		if (!keys[i]->has_priv)
			return kx_fail(ctx, KS_EPERM, "%s key '%s' has no "
			    "private key on token '%s'; only its public key can "
			    "be exported", type_word(keys[i]), keys[i]->label,
			    ctx->token.label);
		if (!keys[i]->exportable)
			return kx_fail(ctx, KS_EPERM, "%s key '%s' is not "
			    "exportable; only --public can export it",
			    type_word(keys[i]), keys[i]->label);
	}
	return KS_OK;
}

/* Ed25519 keys have no traditional PEM form: refuse before asking. */
static ks_status
check_cipher(ks_ctx *ctx, ks_key **keys, size_t n, ks_cipher cipher)
{
	size_t i;

	if (cipher == KS_CIPHER_AES256)
		return KS_OK;
	for (i = 0; i < n; i++)
		if (keys[i]->curve == KS_CURVE_ED25519)
			return kx_fail(ctx, KS_EUSAGE, "Ed25519 key '%s' has "
			    "no traditional PEM form; export it with --cipher "
			    "aes256", keys[i]->label);
	return KS_OK;
}

static ks_status
get_pass(ks_ctx *ctx, ks_secret_fn passfn, void *passarg, char *pass,
    size_t passsz, size_t *passlen)
{
	ks_status st;

	if (passfn == NULL)
		return kx_fail(ctx, KS_EUSAGE, "exporting a private key needs "
		    "a passphrase");
	ctx->err[0] = '\0';
	st = passfn(passarg, "Passphrase to encrypt the private key: ", pass,
	    passsz, passlen);
	if (st != KS_OK) {
		if (ctx->err[0] == '\0')
			kx_fail(ctx, st, "cannot read the passphrase");
		return st;
	}
	if (*passlen > passsz)
		return kx_fail(ctx, KS_EFAIL, "passphrase too long");
	if (*passlen < KS_PASSPHRASE_MIN)
		return kx_fail(ctx, KS_EUSAGE, "the passphrase must have at "
		    "least %d characters", KS_PASSPHRASE_MIN);
	return KS_OK;
}

static EVP_PKEY *
spki_key(const ks_key *k)
{
	const unsigned char *p = k->spki;

	if (k->spki == NULL || k->spkilen > LONG_MAX)
		return NULL;
	return d2i_PUBKEY(NULL, &p, (long)k->spkilen);
}

/* The private key of k, out through the wrapping key. */
static ks_status
private_key(ks_ctx *ctx, struct ks_wrapkey *wk, const ks_key *k,
    EVP_PKEY *pub, EVP_PKEY **out)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t derlen = 0;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	EVP_PKEY *pk = NULL;
	ks_status st;

	*out = NULL;
	if ((st = kx_wrap_private(ctx, wk, k->priv, k->label, &der,
	    &derlen)) != KS_OK)
		return st;
	p = der;
	if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)derlen)) != NULL)
		pk = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	kx_der_free(der, derlen);
	ERR_clear_error();
	if (pk == NULL)
		return kx_fail(ctx, KS_ETOKEN, "token '%s' wrapped key '%s' in "
		    "a form OpenSSL cannot read", ctx->token.label, k->label);
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_get_base_id(pub) ||
	    EVP_PKEY_eq(pk, pub) != 1) {
		EVP_PKEY_free(pk);
		ERR_clear_error();
		return kx_fail(ctx, KS_ETOKEN, "the private key of '%s' does "
		    "not match its public key; not exporting it", k->label);
	}
	/* a token may wrap an EC key without its public point (SoftHSM2
	 * does); what we write has it, as OpenSSL and IOS write them */
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	    EVP_PKEY_set_int_param(pk, OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC,
	    1) != 1) {
		EVP_PKEY_free(pk);
		ERR_clear_error();
		return kx_fail(ctx, KS_EFAIL, "cannot encode the EC key '%s'",
		    k->label);
	}
	*out = pk;
	return KS_OK;
}

static ks_status
export_pair(ks_ctx *ctx, const ks_key *k, ks_cipher cipher, int flags,
    struct ks_wrapkey *wk, const char *pass, size_t passlen, BIO *out)
{
	EVP_PKEY *pub, *priv = NULL;
	ks_status st = KS_OK;

	if ((pub = spki_key(k)) == NULL) {
		ERR_clear_error();
		return kx_fail(ctx, KS_ETOKEN, "cannot read the public key of "
		    "'%s'", k->label);
	}
	if (BIO_printf(out, "%% Key name: %s\n   Usage: %s\n   Key data:\n",
	    k->label, ks_usage_words(k->usage)) <= 0 ||
	    PEM_write_bio_PUBKEY(out, pub) != 1)
		st = kx_fail(ctx, KS_EFAIL, "out of memory");
	if (st == KS_OK && !(flags & KS_EXPORT_PUBLIC) &&
	    (st = private_key(ctx, wk, k, pub, &priv)) == KS_OK)
		st = kx_pem_write_private(ctx, priv, cipher, pass, passlen,
		    out);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	ERR_clear_error();
	return st;
}

static ks_status
take_text(ks_ctx *ctx, BIO *bio, char **pem, size_t *len)
{
	BUF_MEM *bm = NULL;

	if (BIO_get_mem_ptr(bio, &bm) <= 0 || bm == NULL ||
	    (*pem = malloc(bm->length + 1)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	memcpy(*pem, bm->data, bm->length);
	(*pem)[bm->length] = '\0';
	*len = bm->length;
	return KS_OK;
}

ks_status
ks_export(ks_ctx *ctx, const char *label, ks_cipher cipher, int flags,
    ks_secret_fn passfn, void *passarg, char **pem, size_t *len)
{
	struct ks_wrapkey wk;
	ks_key **all = NULL, **sel = NULL;
	size_t nall = 0, i, n = 0, passlen = 0;
	char pass[PASS_MAX];
	BIO *bio = NULL;
	ks_status st;

	*pem = NULL;
	*len = 0;
	memset(&wk, 0, sizeof(wk));
	if ((unsigned)cipher > KS_CIPHER_DES)
		return kx_fail(ctx, KS_EUSAGE, "unknown cipher");
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = ks_label_check(ctx, label)) != KS_OK ||
	    (st = kx_find_pairs(ctx, label, &all, &nall, 1)) != KS_OK)
		return st;
	if (nall > 0 && (sel = calloc(nall, sizeof(*sel))) == NULL) {
		st = kx_fail(ctx, KS_EFAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < nall; i++)
		if (kx_pair_listed(all[i]))
			sel[n++] = all[i];
	if (n == 0) {
		st = kx_fail(ctx, KS_ENOTFOUND, "no %s key '%s' on token "
		    "'%s'", ctx->key_types == KS_KEY_RSA ? "RSA" :
		    ctx->key_types == KS_KEY_EC ? "EC" : "such", label,
		    ctx->token.label);
		goto out;
	}
	if (!(flags & KS_EXPORT_PUBLIC) &&
	    ((st = check_exportable(ctx, sel, n)) != KS_OK ||
	    (st = check_cipher(ctx, sel, n, cipher)) != KS_OK ||
	    (st = get_pass(ctx, passfn, passarg, pass, sizeof(pass),
	    &passlen)) != KS_OK ||
	    (st = kx_wrapkey_make(ctx, &wk)) != KS_OK))
		goto out;
	if ((bio = BIO_new(BIO_s_mem())) == NULL) {
		st = kx_fail(ctx, KS_EFAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < n && st == KS_OK; i++)
		st = export_pair(ctx, sel[i], cipher, flags, &wk, pass,
		    passlen, bio);
	if (st == KS_OK)
		st = take_text(ctx, bio, pem, len);
 out:
	kx_wrapkey_destroy(ctx, &wk);
	OPENSSL_cleanse(pass, sizeof(pass));
	BIO_free(bio);
	free(sel);
	ks_keys_free(all, nall);
	return st;
}
