/*
 * spki.c -- public keys as OpenSSL sees them: SubjectPublicKeyInfo and PEM.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>

#include "ks_internal.h"

/* DER length octets for len into p (NULL: only counted); their number. */
static size_t
der_len(unsigned char *p, size_t len)
{
	size_t n = 1, i, l;

	if (len >= 0x80)
		for (l = len; l > 0; l >>= 8)
			n++;
	if (p == NULL)
		return n;
	if (len < 0x80) {
		p[0] = (unsigned char)len;
		return 1;
	}
	p[0] = (unsigned char)(0x80 | (n - 1));
	for (i = n - 1; i > 0; i--, len >>= 8)
		p[i] = (unsigned char)(len & 0xff);
	return n;
}

/* A positive INTEGER of the big-endian octets v (leading zeros dropped)
 * into p (NULL: only counted); its length, or 0 for zero. */
static size_t
der_uint(unsigned char *p, const unsigned char *v, size_t len)
{
	size_t pad, off;

	while (len > 0 && v[0] == 0) {
		v++;
		len--;
	}
	if (len == 0)
		return 0;
	pad = (v[0] & 0x80) != 0;
	off = 1 + der_len(NULL, len + pad);
	if (p != NULL) {
		p[0] = 0x02;
		(void)der_len(p + 1, len + pad);
		if (pad)
			p[off] = 0;
		memcpy(p + off + pad, v, len);
	}
	return off + pad + len;
}

/* AlgorithmIdentifier: rsaEncryption, NULL parameters (RFC 3279 2.3.1) */
static const unsigned char rsa_alg[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x01, 0x05, 0x00
};

/*
 * The SubjectPublicKeyInfo of an RSA public key, DER, written here: the
 * same octets as OpenSSL's i2d_PUBKEY, without building an EVP_PKEY and
 * an encoder for each key (most of what listing 1000 keys cost in
 * OpenSSL).
 */
ks_status
kx_spki_from_rsa(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen, unsigned char **der, size_t *derlen, unsigned *bits)
{
	size_t in, ie, rsapub, bitstr, total, off;
	unsigned char *p;
	unsigned top;

	*der = NULL;
	*derlen = 0;
	if (nlen == 0 || nlen > KS_MODULUS_MAX / 8 || elen == 0 || elen > 16)
		return KS_EINPUT;
	if ((in = der_uint(NULL, n, nlen)) == 0 ||
	    (ie = der_uint(NULL, e, elen)) == 0)
		return KS_EINPUT;
	rsapub = 1 + der_len(NULL, in + ie) + in + ie;
	bitstr = 1 + der_len(NULL, rsapub + 1) + 1 + rsapub;
	total = 1 + der_len(NULL, sizeof(rsa_alg) + bitstr) +
	    sizeof(rsa_alg) + bitstr;
	if ((p = malloc(total)) == NULL)
		return KS_EFAIL;
	off = 0;
	p[off++] = 0x30;
	off += der_len(p + off, sizeof(rsa_alg) + bitstr);
	memcpy(p + off, rsa_alg, sizeof(rsa_alg));
	off += sizeof(rsa_alg);
	p[off++] = 0x03;
	off += der_len(p + off, rsapub + 1);
	p[off++] = 0x00;	/* no unused bits */
	p[off++] = 0x30;
	off += der_len(p + off, in + ie);
	off += der_uint(p + off, n, nlen);
	off += der_uint(p + off, e, elen);
	/* the modulus's bits, as BN_num_bits counts them */
	while (nlen > 0 && n[0] == 0) {
		n++;
		nlen--;
	}
	for (top = 0; (n[0] >> top) != 0; top++)
		;
	*bits = (unsigned)((nlen - 1) * 8 + top);
	*der = p;
	*derlen = off;
	return KS_OK;
}

/* The SPKI is already DER: wrap it in PEM without decoding it again. */
char *
ks_key_public_pem(const ks_key *k)
{
	BIO *bio;
	BUF_MEM *mem;
	char *out = NULL;

	if (k->spki == NULL || k->spkilen > LONG_MAX)
		return NULL;
	if ((bio = BIO_new(BIO_s_mem())) != NULL &&
	    PEM_write_bio(bio, "PUBLIC KEY", "", k->spki,
	    (long)k->spkilen) > 0) {
		BIO_get_mem_ptr(bio, &mem);
		if ((out = malloc(mem->length + 1)) != NULL) {
			memcpy(out, mem->data, mem->length);
			out[mem->length] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}
