/*
 * t_enccopy.c -- the encrypted-copy format (libkeystore/enccopy.c): KDF
 * specs and bounds, key derivation, encode/parse round trip, the MAC, and
 * the parser refusing every malformed or truncated copy.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libkeystore/ks_protect.h"
#include "tap.h"

static int
kdf_ok(const char *spec)
{
	struct ks_kdf k;

	return kx_kdf_parse(spec, &k) == 0;
}

static void
test_kdf_specs(void)
{
	struct ks_kdf k;

	ok(kx_kdf_parse(NULL, &k) == 0 && k.type == KS_KDF_PBKDF2 &&
	    k.iter == KS_PBKDF2_ITER, "default: PBKDF2, 600000 iterations");
	ok(kx_kdf_parse("scrypt", &k) == 0 && k.type == KS_KDF_SCRYPT &&
	    k.log2n == 17 && k.r == 8 && k.p == 1, "scrypt default 2^17/8/1");
	ok(kx_kdf_parse("scrypt:1024:8:1", &k) == 0 && k.log2n == 10,
	    "scrypt:1024:8:1 gives log2 N 10");
	ok(kdf_ok("pbkdf2:1000"), "pbkdf2:1000");
	ok(kdf_ok("pbkdf2:10000000"), "pbkdf2 at its maximum");
	ok(!kdf_ok("pbkdf2:999"), "too few iterations");
	ok(!kdf_ok("pbkdf2:10000001"), "too many iterations");
	ok(!kdf_ok("pbkdf2:"), "no iterations");
	ok(!kdf_ok("pbkdf2:1e4"), "not a number");
	ok(!kdf_ok("pbkdf2:1000:1"), "a field too many");
	ok(!kdf_ok("pbkdf2:99999999999999999999999"), "overflow");
	ok(!kdf_ok("scrypt:1000:8:1"), "N not a power of 2");
	ok(!kdf_ok("scrypt:512:8:1"), "N too small");
	ok(!kdf_ok("scrypt:2097152:1:1"), "N too large");
	ok(!kdf_ok("scrypt:1048576:8:1"), "too much memory");
	ok(!kdf_ok("scrypt:1024:8"), "p missing");
	ok(!kdf_ok("scrypt:1024:0:1"), "r zero");
	ok(!kdf_ok("scrypt:1024:8:17"), "p too large");
	ok(!kdf_ok("md5"), "unknown KDF");
	ok(!kdf_ok(""), "empty");
}

static void
sample(struct ks_enc *e, unsigned char *blob, size_t bloblen)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	e->version = KS_ENC_VERSION;
	kx_kdf_parse("pbkdf2:1000", &e->kdf);
	e->saltlen = KS_ENC_SALT_LEN;
	memset(e->salt, 0x11, e->saltlen);
	e->wrap = CKM_AES_KEY_WRAP_PAD;
	e->idlen = 20;
	for (i = 0; i < e->idlen; i++)
		e->id[i] = (unsigned char)i;
	e->usage = KS_USAGE_SIGNATURE;
	e->attrs[0].type = CKA_SIGN;
	e->attrs[0].value = CK_TRUE;
	e->attrs[1].type = CKA_EXTRACTABLE;
	e->attrs[1].value = CK_TRUE;
	e->nattrs = 2;
	memset(e->spki_sha256, 0x22, sizeof(e->spki_sha256));
	for (i = 0; i < bloblen; i++)
		blob[i] = (unsigned char)(i * 7);
	e->blob = blob;
	e->bloblen = bloblen;
}

static void
test_round_trip(void)
{
	struct ks_enc e, p;
	struct ks_enc_keys k, k2;
	unsigned char blob[48], *out = NULL;
	size_t outlen = 0, n;
	int bad = 0;

	sample(&e, blob, sizeof(blob));
	ok(kx_enc_derive(&e, "passphrase", 10, &k) == 0, "derive keys");
	ok(kx_enc_derive(&e, "passphrase", 10, &k2) == 0 &&
	    memcmp(&k, &k2, sizeof(k)) == 0, "derivation is repeatable");
	ok(kx_enc_derive(&e, "Passphrase", 10, &k2) == 0 &&
	    memcmp(k.kek, k2.kek, sizeof(k.kek)) != 0 &&
	    memcmp(k.mac, k2.mac, sizeof(k.mac)) != 0,
	    "another passphrase gives other keys");
	ok(memcmp(k.kek, k.mac, sizeof(k.kek)) != 0,
	    "the wrapping key and the MAC key differ");
	ok(kx_enc_encode(&e, &k, &out, &outlen) == 0, "encode");
	ok(outlen > 10 && memcmp(out, "CKYENC\001\000", 8) == 0,
	    "magic and version first");
	ok(kx_enc_parse(out, outlen, &p) == 0, "parse it back");
	ok(p.kdf.type == KS_KDF_PBKDF2 && p.kdf.iter == 1000 &&
	    p.saltlen == e.saltlen && memcmp(p.salt, e.salt, e.saltlen) == 0,
	    "KDF and salt");
	ok(p.wrap == CKM_AES_KEY_WRAP_PAD && p.idlen == 20 &&
	    memcmp(p.id, e.id, 20) == 0 && p.usage == KS_USAGE_SIGNATURE,
	    "wrap mechanism, key ID, usage");
	ok(p.nattrs == 2 && p.attrs[0].type == CKA_SIGN &&
	    p.attrs[1].type == CKA_EXTRACTABLE && p.attrs[1].value == CK_TRUE,
	    "attributes to restore");
	ok(memcmp(p.spki_sha256, e.spki_sha256, 32) == 0,
	    "public key hash");
	ok(p.bloblen == sizeof(blob) && memcmp(p.blob, blob, sizeof(blob)) == 0,
	    "wrapped key");
	ok(kx_enc_mac_ok(out, &p, &k), "MAC right with the passphrase");
	ok(!kx_enc_mac_ok(out, &p, &k2), "MAC wrong with another one");
	out[20] ^= 1;
	ok(kx_enc_parse(out, outlen, &p) != 0 || !kx_enc_mac_ok(out, &p, &k),
	    "a changed header byte is caught");
	out[20] ^= 1;
	for (n = 0; n < outlen; n++)
		if (kx_enc_parse(out, n, &p) == 0 && kx_enc_mac_ok(out, &p, &k))
			bad++;
	is_int(bad, 0, "no truncation parses with a right MAC");
	free(out);

	kx_kdf_parse("scrypt:1024:8:1", &e.kdf);
	ok(kx_enc_derive(&e, "passphrase", 10, &k2) == 0 &&
	    memcmp(k.kek, k2.kek, sizeof(k.kek)) != 0, "scrypt derives");
	ok(kx_enc_encode(&e, &k2, &out, &outlen) == 0 &&
	    kx_enc_parse(out, outlen, &p) == 0 && p.kdf.type == KS_KDF_SCRYPT &&
	    p.kdf.log2n == 10 && p.kdf.r == 8 && p.kdf.p == 1,
	    "scrypt parameters round trip");
	free(out);
	kx_enc_keys_clear(&k);
	kx_enc_keys_clear(&k2);
}

/* A copy built by hand, to break one thing at a time. */
struct raw {
	unsigned char	b[512];
	size_t		len;
};

static void
put(struct raw *r, const void *p, size_t n)
{
	memcpy(r->b + r->len, p, n);
	r->len += n;
}

static void
field(struct raw *r, int tag, const void *v, size_t n)
{
	unsigned char th[2] = { (unsigned char)tag, (unsigned char)n };

	put(r, th, 2);
	put(r, v, n);
}

enum { F_KDF = 1, F_SALT, F_WRAP, F_ID, F_USAGE, F_ATTRS, F_SPKI };

/* skip: leave field out; dup: repeat it; bad: its broken value */
static int
build(int skip, int dup, int bad, size_t bloblen, const unsigned char *magic)
{
	static const unsigned char kdf[] = { 1, 0, 0, 0x03, 0xe8 };
	static const unsigned char kdf_bad[] = { 1, 0, 0, 0, 1 };
	static const unsigned char wrap[] = { 0, 0, 0x21, 0x0a };
	static const unsigned char wrap_bad[] = { 0, 0, 0x21, 0x09 };
	static const unsigned char attrs[] = { 0, 0, 1, 8, 1 };
	static const unsigned char attrs_bad[] = { 0, 0, 1, 0x20, 1 };
	unsigned char salt[32], id[20], spki[32], usage = 0, usage_bad = 9;
	unsigned char blob[64] = { 0 }, mac[32] = { 0 };
	struct raw r;
	struct ks_enc e;
	size_t hstart;
	int f;

	memset(salt, 1, sizeof(salt));
	memset(id, 2, sizeof(id));
	memset(spki, 3, sizeof(spki));
	memset(&r, 0, sizeof(r));
	put(&r, magic, 8);
	put(&r, "\0\0", 2);
	hstart = r.len;
	for (f = F_KDF; f <= F_SPKI; f++) {
		int n = f == skip ? 0 : f == dup ? 2 : 1;

		while (n-- > 0) {
			switch (f) {
			case F_KDF:
				field(&r, f, bad == f ? kdf_bad : kdf, 5);
				break;
			case F_SALT:
				field(&r, f, salt, bad == f ? 8 : 32);
				break;
			case F_WRAP:
				field(&r, f, bad == f ? wrap_bad : wrap, 4);
				break;
			case F_ID:
				field(&r, f, id, bad == f ? 0 : 20);
				break;
			case F_USAGE:
				field(&r, f, bad == f ? &usage_bad : &usage, 1);
				break;
			case F_ATTRS:
				field(&r, f, bad == f ? attrs_bad : attrs, 5);
				break;
			case F_SPKI:
				field(&r, f, spki, bad == f ? 31 : 32);
				break;
			}
		}
	}
	r.b[8] = (unsigned char)((r.len - hstart) >> 8);
	r.b[9] = (unsigned char)(r.len - hstart);
	put(&r, blob, bloblen);
	put(&r, mac, sizeof(mac));
	return kx_enc_parse(r.b, r.len, &e);
}

static void
test_refusals(void)
{
	static const unsigned char good[8] = "CKYENC\001\000";
	static const unsigned char magic[8] = "CKYENX\001\000";
	static const unsigned char v2[8] = "CKYENC\002\000";
	static const unsigned char rsv[8] = "CKYENC\001\001";
	int f;

	is_int(build(0, 0, 0, 40, good), 0, "the hand-made copy parses");
	ok(build(0, 0, 0, 40, magic) != 0, "bad magic");
	ok(build(0, 0, 0, 40, v2) != 0, "a later version");
	ok(build(0, 0, 0, 40, rsv) != 0, "reserved byte set");
	ok(build(0, 0, 0, 36, good) != 0, "wrapped key not a multiple of 8");
	ok(build(0, 0, 0, 8, good) != 0, "wrapped key too short");
	for (f = F_KDF; f <= F_SPKI; f++) {
		ok(build(f, 0, 0, 40, good) != 0, "field %d missing", f);
		ok(build(0, f, 0, 40, good) != 0, "field %d twice", f);
		ok(build(0, 0, f, 40, good) != 0, "field %d malformed", f);
	}
}

int
main(void)
{
	test_kdf_specs();
	test_round_trip();
	test_refusals();
	return done_testing();
}
