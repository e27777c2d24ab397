/*
 * enccopy.c -- the format of an encrypted copy of a private key, and the
 * keys a passphrase gives for it.  No token here: ks_protect.h describes
 * the bytes, protect.c and lock.c put them on the token and take them off.
 *
 * The parser is bounded: every field length is checked against what is
 * left and against its own limits before anything is read, and the KDF
 * parameters must be within the limits in ks_protect.h, so a copy cannot
 * make us derive for hours or allocate gigabytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ks_protect.h"

#define HDR_FIXED	10	/* magic(6) version(1) 0(1) length(2) */
#define WRAPPED_MIN	16

enum tag {
	TAG_KDF = 1,
	TAG_SALT,
	TAG_WRAP,
	TAG_ID,
	TAG_USAGE,
	TAG_ATTRS,
	TAG_SPKI,
	TAG_LAST = TAG_SPKI
};

/* The boolean attributes a copy may ask us to restore. */
static const CK_ATTRIBUTE_TYPE restorable[] = {
	CKA_SIGN, CKA_DECRYPT, CKA_SIGN_RECOVER, CKA_UNWRAP, CKA_EXTRACTABLE,
	CKA_DERIVE,
};

/* KDF specs --------------------------------------------------------------- */

static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0' && *s != ':'; s++) {
		if (*s < '0' || *s > '9' || v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

static const char *
next_field(const char *s)
{
	const char *c = strchr(s, ':');

	return c != NULL ? c + 1 : NULL;
}

int
kx_kdf_check(const struct ks_kdf *kdf)
{
	switch (kdf->type) {
	case KS_KDF_PBKDF2:
		return kdf->iter >= KS_PBKDF2_MIN &&
		    kdf->iter <= KS_PBKDF2_MAX ? 0 : -1;
	case KS_KDF_SCRYPT:
		if (kdf->log2n < KS_SCRYPT_LOG2N_MIN ||
		    kdf->log2n > KS_SCRYPT_LOG2N_MAX || kdf->r < 1 ||
		    kdf->r > KS_SCRYPT_R_MAX || kdf->p < 1 ||
		    kdf->p > KS_SCRYPT_P_MAX)
			return -1;
		if (128UL * ((unsigned long)1 << kdf->log2n) * kdf->r >
		    KS_SCRYPT_MEM_MAX)
			return -1;
		return 0;
	default:
		return -1;
	}
}

int
kx_kdf_parse(const char *spec, struct ks_kdf *kdf)
{
	unsigned long n, v;
	const char *f;

	memset(kdf, 0, sizeof(*kdf));
	if (spec == NULL || strcmp(spec, "pbkdf2") == 0) {
		kdf->type = KS_KDF_PBKDF2;
		kdf->iter = KS_PBKDF2_ITER;
		return 0;
	}
	if (strcmp(spec, "scrypt") == 0) {
		kdf->type = KS_KDF_SCRYPT;
		kdf->log2n = 17;	/* N = 131072, r = 8: 128 MiB */
		kdf->r = 8;
		kdf->p = 1;
		return 0;
	}
	if (strncmp(spec, "pbkdf2:", 7) == 0) {
		kdf->type = KS_KDF_PBKDF2;
		if (parse_ulong(spec + 7, KS_PBKDF2_MAX, &kdf->iter) != 0 ||
		    next_field(spec + 7) != NULL)
			return -1;
		return kx_kdf_check(kdf);
	}
	if (strncmp(spec, "scrypt:", 7) != 0)
		return -1;
	kdf->type = KS_KDF_SCRYPT;
	f = spec + 7;
	if (parse_ulong(f, 1UL << KS_SCRYPT_LOG2N_MAX, &n) != 0 || n == 0 ||
	    (n & (n - 1)) != 0)
		return -1;
	while ((1UL << kdf->log2n) < n)
		kdf->log2n++;
	if ((f = next_field(f)) == NULL ||
	    parse_ulong(f, KS_SCRYPT_R_MAX, &v) != 0)
		return -1;
	kdf->r = v;
	if ((f = next_field(f)) == NULL ||
	    parse_ulong(f, KS_SCRYPT_P_MAX, &v) != 0 ||
	    next_field(f) != NULL)
		return -1;
	kdf->p = v;
	return kx_kdf_check(kdf);
}

/* Keys -------------------------------------------------------------------- */

/* HKDF-Expand (RFC 5869) of one 32-byte block: HMAC(prk, info || 0x01). */
static int
expand(const unsigned char *prk, const char *info, unsigned char *out)
{
	unsigned char msg[64];
	unsigned int len = 0;
	size_t ilen = strlen(info);

	if (ilen + 1 > sizeof(msg))
		return -1;
	memcpy(msg, info, ilen);
	msg[ilen] = 0x01;
	if (HMAC(EVP_sha256(), prk, 32, msg, ilen + 1, out, &len) == NULL ||
	    len != 32)
		return -1;
	return 0;
}

int
kx_enc_derive(const struct ks_enc *e, const char *pass, size_t passlen,
    struct ks_enc_keys *k)
{
	unsigned char prk[32];
	int ok = 0;

	memset(k, 0, sizeof(*k));
	if (kx_kdf_check(&e->kdf) != 0 || passlen > KS_ENC_PASS_MAX)
		return -1;
	if (e->kdf.type == KS_KDF_PBKDF2)
		ok = PKCS5_PBKDF2_HMAC(pass, (int)passlen, e->salt,
		    (int)e->saltlen, (int)e->kdf.iter, EVP_sha256(),
		    sizeof(prk), prk) == 1;
	else
		ok = EVP_PBE_scrypt(pass, passlen, e->salt, e->saltlen,
		    (uint64_t)1 << e->kdf.log2n, e->kdf.r, e->kdf.p,
		    KS_SCRYPT_MEM_MAX + 1024 * 1024 * 16, prk,
		    sizeof(prk)) == 1;
	ERR_clear_error();
	if (ok)
		ok = expand(prk, "cryptokey-encrypted kek", k->kek) == 0 &&
		    expand(prk, "cryptokey-encrypted mac", k->mac) == 0;
	OPENSSL_cleanse(prk, sizeof(prk));
	if (!ok) {
		kx_enc_keys_clear(k);
		return -1;
	}
	return 0;
}

void
kx_enc_keys_clear(struct ks_enc_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

static int
mac_of(const unsigned char *buf, size_t len, const struct ks_enc_keys *k,
    unsigned char *out)
{
	unsigned int olen = 0;

	if (HMAC(EVP_sha256(), k->mac, sizeof(k->mac), buf, len, out,
	    &olen) == NULL || olen != KS_ENC_MAC_LEN)
		return -1;
	return 0;
}

int
kx_enc_mac_ok(const unsigned char *buf, const struct ks_enc *e,
    const struct ks_enc_keys *k)
{
	unsigned char mac[KS_ENC_MAC_LEN];

	if (mac_of(buf, e->maclen_off, k, mac) != 0)
		return 0;
	return CRYPTO_memcmp(mac, buf + e->maclen_off, sizeof(mac)) == 0;
}

/* Parser ------------------------------------------------------------------ */

static unsigned long
be(const unsigned char *p, size_t n)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int
field_kdf(const unsigned char *v, size_t len, struct ks_enc *e)
{
	if (len < 1)
		return -1;
	e->kdf.type = v[0];
	if (v[0] == KS_KDF_PBKDF2 && len == 5)
		e->kdf.iter = be(v + 1, 4);
	else if (v[0] == KS_KDF_SCRYPT && len == 10) {
		e->kdf.log2n = v[1];
		e->kdf.r = be(v + 2, 4);
		e->kdf.p = be(v + 6, 4);
	} else
		return -1;
	return kx_kdf_check(&e->kdf);
}

static int
field_salt(const unsigned char *v, size_t len, struct ks_enc *e)
{
	if (len < KS_ENC_SALT_MIN || len > sizeof(e->salt))
		return -1;
	memcpy(e->salt, v, len);
	e->saltlen = len;
	return 0;
}

static int
field_wrap(const unsigned char *v, size_t len, struct ks_enc *e)
{
	if (len != 4 || be(v, 4) != CKM_AES_KEY_WRAP_PAD)
		return -1;
	e->wrap = CKM_AES_KEY_WRAP_PAD;
	return 0;
}

static int
field_id(const unsigned char *v, size_t len, struct ks_enc *e)
{
	if (len < 1 || len > sizeof(e->id))
		return -1;
	memcpy(e->id, v, len);
	e->idlen = len;
	return 0;
}

static int
field_usage(const unsigned char *v, size_t len, struct ks_enc *e)
{
	if (len != 1 || v[0] > KS_USAGE_ENCRYPTION)
		return -1;
	e->usage = (ks_usage)v[0];
	return 0;
}

static int
restorable_type(unsigned long t)
{
	size_t i;

	for (i = 0; i < sizeof(restorable) / sizeof(restorable[0]); i++)
		if (restorable[i] == t)
			return 1;
	return 0;
}

static int
field_attrs(const unsigned char *v, size_t len, struct ks_enc *e)
{
	size_t i, j, n;
	unsigned long t;

	if (len % 5 != 0 || (n = len / 5) > KS_ENC_ATTRS_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		t = be(v + 5 * i, 4);
		if (!restorable_type(t) || v[5 * i + 4] > 1)
			return -1;
		for (j = 0; j < i; j++)
			if (e->attrs[j].type == t)
				return -1;	/* twice */
		e->attrs[i].type = t;
		e->attrs[i].value = v[5 * i + 4] ? CK_TRUE : CK_FALSE;
	}
	e->nattrs = n;
	return 0;
}

static int
field_spki(const unsigned char *v, size_t len, struct ks_enc *e)
{
	if (len != sizeof(e->spki_sha256))
		return -1;
	memcpy(e->spki_sha256, v, len);
	return 0;
}

static int (*const fields[TAG_LAST + 1])(const unsigned char *, size_t,
    struct ks_enc *) = {
	[TAG_KDF] = field_kdf,
	[TAG_SALT] = field_salt,
	[TAG_WRAP] = field_wrap,
	[TAG_ID] = field_id,
	[TAG_USAGE] = field_usage,
	[TAG_ATTRS] = field_attrs,
	[TAG_SPKI] = field_spki,
};

int
kx_enc_parse(const unsigned char *buf, size_t len, struct ks_enc *e)
{
	size_t hlen, off, flen, rest;
	unsigned seen = 0, all = 0, tag;

	memset(e, 0, sizeof(*e));
	if (len < HDR_FIXED || len > KS_ENC_MAX ||
	    memcmp(buf, KS_ENC_MAGIC, 6) != 0)
		return -1;
	if (buf[6] != KS_ENC_VERSION || buf[7] != 0)
		return -1;
	e->version = buf[6];
	hlen = be(buf + 8, 2);
	if (hlen > len - HDR_FIXED)
		return -1;
	for (off = HDR_FIXED; off < HDR_FIXED + hlen; off += 2 + flen) {
		if (HDR_FIXED + hlen - off < 2)
			return -1;
		tag = buf[off];
		flen = buf[off + 1];
		if (flen > HDR_FIXED + hlen - off - 2)
			return -1;
		if (tag == 0 || tag > TAG_LAST)
			continue;	/* a later version's field */
		if (seen & (1u << tag))
			return -1;
		seen |= 1u << tag;
		if (fields[tag](buf + off + 2, flen, e) != 0)
			return -1;
	}
	for (tag = 1; tag <= TAG_LAST; tag++)
		all |= 1u << tag;
	if (seen != all)
		return -1;
	rest = len - HDR_FIXED - hlen;
	if (rest < WRAPPED_MIN + KS_ENC_MAC_LEN)
		return -1;
	e->blob = buf + HDR_FIXED + hlen;
	e->bloblen = rest - KS_ENC_MAC_LEN;
	if (e->bloblen % 8 != 0)
		return -1;
	e->maclen_off = len - KS_ENC_MAC_LEN;
	return 0;
}

/* Encoder ----------------------------------------------------------------- */

struct out {
	unsigned char	*p;
	size_t		 len, cap;
	int		 err;
};

static void
put(struct out *o, const void *v, size_t n)
{
	if (o->err || n > o->cap - o->len) {
		o->err = 1;
		return;
	}
	memcpy(o->p + o->len, v, n);
	o->len += n;
}

static void
put_be(struct out *o, unsigned long v, size_t n)
{
	unsigned char b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[n - 1 - i] = (unsigned char)(v >> (8 * i));
	put(o, b, n);
}

static void
put_field(struct out *o, unsigned tag, const void *v, size_t n)
{
	unsigned char th[2];

	if (n > 255) {
		o->err = 1;
		return;
	}
	th[0] = (unsigned char)tag;
	th[1] = (unsigned char)n;
	put(o, th, 2);
	put(o, v, n);
}

int
kx_enc_encode(const struct ks_enc *e, const struct ks_enc_keys *k,
    unsigned char **out, size_t *outlen)
{
	struct out o;
	unsigned char kdf[10], attrs[5 * KS_ENC_ATTRS_MAX], wrap[4], usage;
	size_t kdflen, hstart, i;

	*out = NULL;
	*outlen = 0;
	if (kx_kdf_check(&e->kdf) != 0 || e->nattrs > KS_ENC_ATTRS_MAX ||
	    e->bloblen < WRAPPED_MIN || e->bloblen % 8 != 0 ||
	    e->bloblen > KS_ENC_MAX / 2)
		return -1;
	memset(&o, 0, sizeof(o));
	o.cap = KS_ENC_MAX;
	if ((o.p = malloc(o.cap)) == NULL)
		return -1;
	kdf[0] = (unsigned char)e->kdf.type;
	if (e->kdf.type == KS_KDF_PBKDF2) {
		for (i = 0; i < 4; i++)
			kdf[4 - i] = (unsigned char)(e->kdf.iter >> (8 * i));
		kdflen = 5;
	} else {
		kdf[1] = (unsigned char)e->kdf.log2n;
		for (i = 0; i < 4; i++) {
			kdf[5 - i] = (unsigned char)(e->kdf.r >> (8 * i));
			kdf[9 - i] = (unsigned char)(e->kdf.p >> (8 * i));
		}
		kdflen = 10;
	}
	for (i = 0; i < 4; i++)
		wrap[3 - i] = (unsigned char)(CKM_AES_KEY_WRAP_PAD >> (8 * i));
	for (i = 0; i < e->nattrs; i++) {
		unsigned long t = e->attrs[i].type;

		attrs[5 * i] = (unsigned char)(t >> 24);
		attrs[5 * i + 1] = (unsigned char)(t >> 16);
		attrs[5 * i + 2] = (unsigned char)(t >> 8);
		attrs[5 * i + 3] = (unsigned char)t;
		attrs[5 * i + 4] = e->attrs[i].value ? 1 : 0;
	}
	usage = (unsigned char)e->usage;

	put(&o, KS_ENC_MAGIC, 6);
	put_be(&o, KS_ENC_VERSION, 1);
	put_be(&o, 0, 1);
	put_be(&o, 0, 2);	/* header length, filled in below */
	hstart = o.len;
	put_field(&o, TAG_KDF, kdf, kdflen);
	put_field(&o, TAG_SALT, e->salt, e->saltlen);
	put_field(&o, TAG_WRAP, wrap, sizeof(wrap));
	put_field(&o, TAG_ID, e->id, e->idlen);
	put_field(&o, TAG_USAGE, &usage, 1);
	put_field(&o, TAG_ATTRS, attrs, 5 * e->nattrs);
	put_field(&o, TAG_SPKI, e->spki_sha256, sizeof(e->spki_sha256));
	if (!o.err) {
		o.p[8] = (unsigned char)((o.len - hstart) >> 8);
		o.p[9] = (unsigned char)(o.len - hstart);
	}
	put(&o, e->blob, e->bloblen);
	if (!o.err && o.cap - o.len >= KS_ENC_MAC_LEN &&
	    mac_of(o.p, o.len, k, o.p + o.len) == 0)
		o.len += KS_ENC_MAC_LEN;
	else
		o.err = 1;
	if (o.err) {
		free(o.p);
		return -1;
	}
	*out = o.p;
	*outlen = o.len;
	return 0;
}
