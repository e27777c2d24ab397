/*
 * pubfmt.c -- a public key in the forms peers paste (show --format):
 *
 *	pem	 -----BEGIN PUBLIC KEY----- (SubjectPublicKeyInfo)
 *	rfc3110	 0s + base64 of the RFC 3110 RSA key (libreswan leftrsasigkey)
 *	openssh	 ssh-rsa / ecdsa-sha2-nistp256|384|521 / ssh-ed25519 AAAA... name
 *		 (RFC 4253 6.6, RFC 5656 3.1, RFC 8709 4)
 *	ios	 the key-string hex of the SubjectPublicKeyInfo, then "quit"
 *
 * Everything comes from the DER SubjectPublicKeyInfo that libkeystore
 * lists, decoded once by OpenSSL; each length is checked before a byte is
 * written.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cryptokey.h"

#define BLOB_MAX	(KS_MODULUS_MAX / 8 + 64)	/* RSA: e, n, names */

/* A growing buffer of at most BLOB_MAX bytes; full on overflow. */
struct blob {
	unsigned char	b[BLOB_MAX];
	size_t		len;
	int		full;
};

static void
put(struct blob *o, const void *p, size_t n)
{
	if (o->full || n > sizeof(o->b) - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->b + o->len, p, n);
	o->len += n;
}

/* RFC 4251 5: uint32 length, then the bytes */
static void
put_string(struct blob *o, const void *p, size_t n)
{
	unsigned char l[4];

	if (n > UINT32_MAX) {
		o->full = 1;
		return;
	}
	l[0] = (unsigned char)(n >> 24);
	l[1] = (unsigned char)(n >> 16);
	l[2] = (unsigned char)(n >> 8);
	l[3] = (unsigned char)n;
	put(o, l, 4);
	put(o, p, n);
}

/* RFC 4251 5 mpint of a positive number: a 0 first when the top bit is
 * set */
static void
put_mpint(struct blob *o, const BIGNUM *bn)
{
	unsigned char buf[KS_MODULUS_MAX / 8 + 1];
	int n = BN_num_bytes(bn);

	if (n <= 0 || (size_t)n >= sizeof(buf)) {
		o->full = 1;
		return;
	}
	buf[0] = 0;
	BN_bn2bin(bn, buf + 1);
	if (buf[1] & 0x80)
		put_string(o, buf, (size_t)n + 1);
	else
		put_string(o, buf + 1, (size_t)n);
}

static void
print_b64(FILE *f, const unsigned char *p, size_t n)
{
	unsigned char line[65];
	size_t off, k;
	int w;

	for (off = 0; off < n; off += k) {
		k = n - off > 48 ? 48 : n - off;
		w = EVP_EncodeBlock(line, p + off, (int)k);
		if (w > 0)
			fwrite(line, 1, (size_t)w, f);
	}
}

static EVP_PKEY *
decode(const ks_key *k)
{
	const unsigned char *spki, *p;
	size_t len;

	if ((spki = ks_key_spki(k, &len)) == NULL || len > LONG_MAX)
		return NULL;
	p = spki;
	return d2i_PUBKEY(NULL, &p, (long)len);
}

static int
rsa_parts(EVP_PKEY *pk, BIGNUM **n, BIGNUM **e)
{
	*n = *e = NULL;
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, e) == 1)
		return 0;
	BN_free(*n);
	BN_free(*e);
	*n = *e = NULL;
	return -1;
}

/* RFC 3110 2: exponent length (1 byte, or 0 and 2 bytes), exponent,
 * modulus */
static int
rfc3110(FILE *f, EVP_PKEY *pk)
{
	struct blob *o;
	unsigned char buf[KS_MODULUS_MAX / 8], l[3];
	BIGNUM *n, *e;
	int elen, nlen, rc = -1;

	if (rsa_parts(pk, &n, &e) != 0)
		return -1;
	elen = BN_num_bytes(e);
	nlen = BN_num_bytes(n);
	if ((o = calloc(1, sizeof(*o))) != NULL && elen > 0 &&
	    elen <= 0xffff && nlen > 0 && (size_t)nlen <= sizeof(buf)) {
		if (elen <= 255) {
			l[0] = (unsigned char)elen;
			put(o, l, 1);
		} else {
			l[0] = 0;
			l[1] = (unsigned char)(elen >> 8);
			l[2] = (unsigned char)elen;
			put(o, l, 3);
		}
		BN_bn2bin(e, buf);
		put(o, buf, (size_t)elen);
		BN_bn2bin(n, buf);
		put(o, buf, (size_t)nlen);
		if (!o->full) {
			fputs("0s", f);
			print_b64(f, o->b, o->len);
			fputc('\n', f);
			rc = 0;
		}
	}
	free(o);
	BN_free(n);
	BN_free(e);
	return rc;
}

static int
openssh(FILE *f, EVP_PKEY *pk, const ks_key *k)
{
	static const struct {
		ks_curve	 curve;
		const char	*type, *id;
	} ec[] = {
		{ KS_CURVE_P256, "ecdsa-sha2-nistp256", "nistp256" },
		{ KS_CURVE_P384, "ecdsa-sha2-nistp384", "nistp384" },
		{ KS_CURVE_P521, "ecdsa-sha2-nistp521", "nistp521" },
	};
	unsigned char pt[160];
	const char *type = NULL;
	struct blob *o;
	BIGNUM *n = NULL, *e = NULL;
	size_t i, ptlen = 0;
	int rc = -1;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return -1;
	if (ks_key_type(k) == KS_KEY_RSA && rsa_parts(pk, &n, &e) == 0) {
		type = "ssh-rsa";
		put_string(o, type, strlen(type));
		put_mpint(o, e);
		put_mpint(o, n);
	} else if (ks_key_curve(k) == KS_CURVE_ED25519) {
		ptlen = sizeof(pt);
		if (EVP_PKEY_get_raw_public_key(pk, pt, &ptlen) == 1) {
			type = "ssh-ed25519";
			put_string(o, type, strlen(type));
			put_string(o, pt, ptlen);
		}
	} else {
		for (i = 0; i < sizeof(ec) / sizeof(ec[0]); i++)
			if (ec[i].curve == ks_key_curve(k))
				break;
		if (i < sizeof(ec) / sizeof(ec[0]) &&
		    EVP_PKEY_get_octet_string_param(pk,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen) == 1) {
			type = ec[i].type;
			put_string(o, type, strlen(type));
			put_string(o, ec[i].id, strlen(ec[i].id));
			put_string(o, pt, ptlen);
		}
	}
	if (type != NULL && !o->full) {
		fprintf(f, "%s ", type);
		print_b64(f, o->b, o->len);
		fprintf(f, " %s\n", ks_key_label(k));
		rc = 0;
	}
	BN_free(n);
	BN_free(e);
	free(o);
	return rc;
}

int
pubfmt_check(const char *fmt)
{
	return strcmp(fmt, "pem") == 0 || strcmp(fmt, "rfc3110") == 0 ||
	    strcmp(fmt, "openssh") == 0 || strcmp(fmt, "ios") == 0 ? 0 : -1;
}

ks_status
pubfmt_print(FILE *f, const char *fmt, const ks_key *k)
{
	const unsigned char *spki;
	size_t len;
	EVP_PKEY *pk;
	char *pem;
	int rc = -1;

	if ((spki = ks_key_spki(k, &len)) == NULL)
		return tool_fail(KS_ETOKEN, "the token shows no public key for "
		    "'%s'", ks_key_label(k));
	if (strcmp(fmt, "ios") == 0) {
		keydata_print(f, spki, len, "  ");
		fputs("  quit\n", f);
		return KS_OK;
	}
	if (strcmp(fmt, "pem") == 0) {
		if ((pem = ks_key_public_pem(k)) == NULL)
			return tool_fail(KS_EFAIL, "out of memory");
		fputs(pem, f);
		free(pem);
		return KS_OK;
	}
	if (strcmp(fmt, "rfc3110") == 0 && ks_key_type(k) != KS_KEY_RSA)
		return tool_fail(KS_EUSAGE, "key '%s' is an EC key; RFC 3110 "
		    "is for RSA keys only (use 'show rsa', or --format pem "
		    "or openssh)", ks_key_label(k));
	if ((pk = decode(k)) == NULL) {
		ERR_clear_error();
		return tool_fail(KS_ETOKEN, "cannot decode the public key of "
		    "'%s'", ks_key_label(k));
	}
	if (strcmp(fmt, "rfc3110") == 0)
		rc = rfc3110(f, pk);
	else
		rc = openssh(f, pk, k);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (rc != 0)
		return tool_fail(KS_EFAIL, "cannot write the public key of "
		    "'%s' as %s", ks_key_label(k), fmt);
	return KS_OK;
}
