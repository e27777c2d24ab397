/*
 * t_pem.c -- the PEM reader and writer of libkeystore (pem.c) without a
 * token: formats, passphrases, limits and malformed input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "libkeystore/ks_xfer.h"
#include "tap.h"

static ks_ctx *ctx;
static EVP_PKEY *key, *key2;
static int pass_calls;

static ks_status
pass_fn(void *arg, const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	const char *p = arg;

	(void)prompt;
	pass_calls++;
	if (strlen(p) > bufsz)
		return KS_EFAIL;
	memcpy(buf, p, strlen(p));
	*len = strlen(p);
	return KS_OK;
}

/* The text in a memory BIO, NUL-terminated, allocated. */
static char *
bio_text(BIO *b)
{
	BUF_MEM *bm;
	char *s;

	BIO_get_mem_ptr(b, &bm);
	if ((s = malloc(bm->length + 1)) == NULL)
		abort();
	memcpy(s, bm->data, bm->length);
	s[bm->length] = '\0';
	return s;
}

static char *
pkcs1(EVP_PKEY *pk)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s;

	PEM_write_bio_PrivateKey_traditional(b, pk, NULL, NULL, 0, NULL, NULL);
	s = bio_text(b);
	BIO_free(b);
	return s;
}

static char *
encrypted(EVP_PKEY *pk, ks_cipher c, const char *pass)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s;

	if (kx_pem_write_private(ctx, pk, c, pass, strlen(pass), b) != KS_OK) {
		BIO_free(b);
		return NULL;
	}
	s = bio_text(b);
	BIO_free(b);
	return s;
}

static ks_status
rd(const char *text, const char *pass, unsigned long max_iter,
    struct ks_pem *p)
{
	pass_calls = 0;
	return kx_pem_read(ctx, text, strlen(text), KS_KEY_RSA, pass_fn,
	    (void *)pass, max_iter, p);
}

static void
expect(const char *text, ks_status want, const char *what)
{
	struct ks_pem p;
	ks_status st = rd(text, "pass-word", KS_PBE_ITER_MAX, &p);

	is_int(st, want, "%s: status %d (%s)", what, (int)want,
	    st != KS_OK ? ks_ctx_error(ctx) : "ok");
	kx_pem_clear(&p);
}

static char *
cat(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);

	if (s == NULL)
		abort();
	strcpy(s, a);
	strcat(s, b);
	return s;
}

/* Replace the first occurrence of from with to (same length or shorter). */
static char *
subst(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *s;

	if (at == NULL || (s = malloc(strlen(text) + strlen(to) + 1)) == NULL)
		abort();
	memcpy(s, text, (size_t)(at - text));
	strcpy(s + (at - text), to);
	strcat(s, at + strlen(from));
	return s;
}

static void
test_plain(void)
{
	struct ks_pem p;
	char *t = pkcs1(key), *s;

	ok(rd(t, "x", 1000, &p) == KS_OK && p.npriv == 1 &&
	    EVP_PKEY_eq(p.priv[0].pkey, key) == 1, "PKCS#1 in clear");
	is_int(pass_calls, 0, "no passphrase asked for a clear key");
	kx_pem_clear(&p);

	s = cat("% Key name: k\n   Usage: Encryption Key\n", t);
	ok(rd(s, "x", 1000, &p) == KS_OK && p.priv[0].tagged &&
	    p.priv[0].usage == KS_USAGE_ENCRYPTION, "IOS Usage: line tags");
	kx_pem_clear(&p);
	free(s);

	s = subst(t, "-----BEGIN", "garbage text-----BEGIN");
	expect(s, KS_OK, "text glued before BEGIN");
	free(s);
	s = subst(t, "\n", "\r\n");
	expect(s, KS_OK, "CRLF after BEGIN");
	free(s);
	s = subst(t, "M", "=");
	expect(s, KS_EINPUT, "'=' inside base64");
	free(s);
	s = subst(t, "M", "*");
	expect(s, KS_EINPUT, "'*' inside base64");
	free(s);
	s = subst(t, "-----END RSA PRIVATE KEY-----", "");
	expect(s, KS_EINPUT, "no END line");
	free(s);
	s = subst(t, "-----END RSA", "-----END DSA");
	expect(s, KS_EINPUT, "END of another type");
	free(s);
	s = subst(t, "BEGIN RSA PRIVATE KEY", "BEGIN RSA PRIVATE KEX");
	expect(s, KS_EINPUT, "unknown block type");
	free(s);
	s = subst(t, "KEY-----\n", "KEY-----\nProc-Type: 4,ENCRYPTED\n\n");
	expect(s, KS_EINPUT, "Proc-Type without DEK-Info");
	free(s);
	s = subst(t, "KEY-----\n", "KEY-----\nProc-Type: 9,MAGIC\n\n");
	expect(s, KS_EINPUT, "unknown Proc-Type");
	free(s);
	free(t);
}

static void
test_limits(void)
{
	char *t = pkcs1(key), *s, *u;
	int i;

	expect("", KS_EINPUT, "empty input");
	expect("just text\n", KS_EINPUT, "no PEM block");
	expect("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
	    KS_EINPUT, "empty block");
	expect("-----BEGIN -----\n", KS_EINPUT, "BEGIN without a type");
	s = strdup(t);
	for (i = 1; i < KS_PEM_KEYS_MAX; i++) {
		u = cat(s, t);
		free(s);
		s = u;
	}
	expect(s, KS_OK, "KS_PEM_KEYS_MAX private keys");
	u = cat(s, t);
	expect(u, KS_EINPUT, "more private keys than KS_PEM_KEYS_MAX");
	free(u);
	free(s);
	s = strdup("");
	for (i = 1; i < KS_PEM_BLOCKS_MAX; i++) {
		u = cat(s, "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
		    "-----END EC PARAMETERS-----\n");
		free(s);
		s = u;
	}
	u = cat(s, t);
	expect(u, KS_OK, "KS_PEM_BLOCKS_MAX blocks");
	free(u);
	u = cat(s, "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
	    "-----END EC PARAMETERS-----\n");
	free(s);
	s = cat(u, t);
	free(u);
	expect(s, KS_EINPUT, "more blocks than KS_PEM_BLOCKS_MAX");
	free(s);
	s = cat(t, "");
	s[100] = '\0';
	{
		struct ks_pem p;

		pass_calls = 0;
		is_int(kx_pem_read(ctx, s, strlen(t), KS_KEY_RSA, pass_fn,
		    "x", 1000, &p), KS_EINPUT, "NUL bytes refused");
	}
	free(s);
	free(t);
}

static void
test_encrypted(void)
{
	struct ks_pem p;
	char *a, *d3, *both;

	a = encrypted(key, KS_CIPHER_AES256, "pass-word");
	d3 = encrypted(key2, KS_CIPHER_3DES, "pass-word");
	ok(a != NULL && strstr(a, "BEGIN ENCRYPTED PRIVATE KEY") != NULL,
	    "aes256 writes encrypted PKCS#8");
	ok(d3 != NULL && strstr(d3, "DEK-Info: DES-EDE3-CBC,") != NULL,
	    "3des writes DEK-Info DES-EDE3-CBC");
	if (a == NULL || d3 == NULL)
		return;
	both = cat(a, d3);
	ok(rd(both, "pass-word", KS_PBE_ITER_MAX, &p) == KS_OK &&
	    p.npriv == 2 && EVP_PKEY_eq(p.priv[0].pkey, key) == 1 &&
	    EVP_PKEY_eq(p.priv[1].pkey, key2) == 1, "both keys read back");
	is_int(pass_calls, 1, "the passphrase is asked for once");
	kx_pem_clear(&p);
	is_int(rd(a, "wrong-pass", KS_PBE_ITER_MAX, &p), KS_EAUTH,
	    "PKCS#8: wrong passphrase is KS_EAUTH");
	is_int(rd(d3, "wrong-pass", KS_PBE_ITER_MAX, &p), KS_EAUTH,
	    "3des: wrong passphrase is KS_EAUTH");
	is_int(rd(a, "pass-word", 1000, &p), KS_EINPUT,
	    "PBKDF2 iterations above the cap are refused");
	is_int(pass_calls, 0, "...before the passphrase is asked for");
	is_int(kx_pem_read(ctx, a, strlen(a), KS_KEY_RSA, NULL, NULL,
	    KS_PBE_ITER_MAX, &p), KS_EAUTH,
	    "encrypted and no passphrase function");
	free(both);
	free(a);
	free(d3);
	{
		BIO *b = BIO_new(BIO_s_mem());

		is_int(kx_pem_write_private(ctx, key, KS_CIPHER_3DES, "abc", 3,
		    b), KS_EUSAGE, "a passphrase of 3 characters is refused");
		BIO_free(b);
	}
}

int
main(void)
{
	if (ks_ctx_new(&ctx) != KS_OK ||
	    (key = EVP_RSA_gen(1024)) == NULL ||
	    (key2 = EVP_RSA_gen(1024)) == NULL) {
		printf("Bail out! setup\n");
		return 1;
	}
	test_plain();
	test_limits();
	test_encrypted();
	EVP_PKEY_free(key);
	EVP_PKEY_free(key2);
	ks_ctx_free(ctx);
	return done_testing();
}
