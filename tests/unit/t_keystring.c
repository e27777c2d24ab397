/*
 * t_keystring.c -- the IOS key-string parser, PEM public keys, peer
 * identity normal forms, entry labels and the keyring record.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "libkeystore/kr_internal.h"
#include "common/tool.h"
#include "tap.h"

static ks_ctx *ctx;

static unsigned char *
spki_of(EVP_PKEY *pk, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pk, &der);

	*len = n > 0 ? (size_t)n : 0;
	return der;
}

/* IOS Key Data layout through the tools' own printer. */
static char *
keydata(const unsigned char *der, size_t len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);

	if (f == NULL)
		return NULL;
	keydata_print(f, der, len, "  ");
	fclose(f);
	return buf;
}

static char *
hex_of(const unsigned char *der, size_t len, int upper)
{
	char *s = malloc(len * 2 + 1);
	size_t i;

	for (i = 0; s != NULL && i < len; i++)
		snprintf(s + 2 * i, 3, upper ? "%02X" : "%02x", der[i]);
	return s;
}

/* Parse text; on success compare with want. */
static ks_status
parse(const char *text, const unsigned char *want, size_t wantlen)
{
	unsigned char *spki = NULL;
	size_t len = 0;
	ks_status st;

	st = ks_keystring_parse(ctx, text, strlen(text), &spki, &len);
	if (st == KS_OK && want != NULL &&
	    (len != wantlen || memcmp(spki, want, len) != 0))
		st = KS_EFAIL;
	free(spki);
	return st;
}

static int
err_has(const char *what)
{
	return strstr(ks_ctx_error(ctx), what) != NULL;
}

static void
test_keystring(const unsigned char *der, size_t len)
{
	char *kd = keydata(der, len), *hex = hex_of(der, len, 0), *t;
	size_t big = KS_KEYSTRING_MAX + 2;

	/* also keeps -O1 -fsanitize builds from warning of a NULL %s */
	if (kd == NULL || hex == NULL ||
	    (t = malloc(strlen(kd) + strlen(hex) + 16)) == NULL) {
		ok(0, "out of memory");
		free(kd);
		free(hex);
		return;
	}
	is_int(parse(kd, der, len), KS_OK, "Key Data as 'cryptokey show' "
	    "prints it parses to the same SPKI");
	snprintf(t, strlen(kd) + 16, "%s  quit\n", kd);
	is_int(parse(t, der, len), KS_OK, "... with a trailing 'quit' line");
	snprintf(t, strlen(kd) + 16, "%sQUIT", kd);
	is_int(parse(t, der, len), KS_OK, "... with 'QUIT' and no newline");
	snprintf(t, strlen(kd) + 16, "%squit\n00\n", kd);
	is_int(parse(t, NULL, 0), KS_EINPUT, "hex after 'quit' is refused");
	ok(err_has("after 'quit'"), "  message: %s", ks_ctx_error(ctx));
	snprintf(t, strlen(kd) + 16, "%squitx\n", kd);
	is_int(parse(t, NULL, 0), KS_EINPUT, "'quitx' is refused");
	free(t);
	is_int(parse(hex, der, len), KS_OK, "one line of lower-case hex");

	t = malloc(strlen(hex) + 8);
	snprintf(t, strlen(hex) + 8, "%s0", hex);
	is_int(parse(t, NULL, 0), KS_EINPUT, "odd number of digits refused");
	ok(err_has("odd number of hex digits"), "  message: %s",
	    ks_ctx_error(ctx));
	snprintf(t, strlen(hex) + 8, "%s00", hex);
	is_int(parse(t, NULL, 0), KS_EINPUT, "a byte after the SPKI refused");
	ok(err_has("bytes after"), "  message: %s", ks_ctx_error(ctx));
	free(t);

	is_int(parse("3082\n 01Zz", NULL, 0), KS_EINPUT, "non-hex refused");
	ok(err_has("line 2, column 4: 'Z'"), "  message names line and "
	    "column: %s", ks_ctx_error(ctx));
	is_int(parse("30\x01", NULL, 0), KS_EINPUT, "a control byte refused");
	ok(err_has("byte 0x01"), "  message: %s", ks_ctx_error(ctx));
	is_int(parse("", NULL, 0), KS_EINPUT, "empty text refused");
	ok(err_has("no hex digits"), "  message: %s", ks_ctx_error(ctx));
	is_int(parse(" \n quit \n", NULL, 0), KS_EINPUT, "only 'quit' refused");
	is_int(parse("quit 3082", NULL, 0), KS_EINPUT, "'quit' first refused");
	is_int(parse("DEADBEEF", NULL, 0), KS_EINPUT, "not DER refused");
	ok(err_has("not a DER SubjectPublicKeyInfo"), "  message: %s",
	    ks_ctx_error(ctx));

	t = malloc(big + 1);
	memset(t, '0', big);
	t[big] = '\0';
	is_int(parse(t, NULL, 0), KS_EINPUT, "text over KS_KEYSTRING_MAX refused");
	memset(t, ' ', big);
	memset(t, 'a', 2 * KR_SPKI_MAX + 2);
	is_int(ks_keystring_parse(ctx, t, KS_KEYSTRING_MAX, &(unsigned char *){
	    NULL }, &(size_t){ 0 }), KS_EINPUT, "more than KR_SPKI_MAX bytes "
	    "of hex refused");
	free(t);
	free(kd);
	free(hex);
}

static void
test_other_keys(EVP_PKEY *rsa)
{
	unsigned char *der = NULL, *spki = NULL;
	size_t slen = 0;
	char *hex;
	int len;
	EVP_PKEY *ec, *small;

	/* PKCS#1 RSAPublicKey is not an SPKI */
	len = i2d_PublicKey(rsa, &der);
	hex = hex_of(der, (size_t)len, 1);
	is_int(parse(hex, NULL, 0), KS_EINPUT, "PKCS#1 RSAPublicKey refused");
	ok(err_has("PKCS#1"), "  message: %s", ks_ctx_error(ctx));
	OPENSSL_free(der);
	free(hex);

	/* EC keys on the curves cryptokey takes are accepted as they are */
	ec = EVP_EC_gen("P-256");
	der = spki_of(ec, &slen);
	hex = hex_of(der, slen, 1);
	is_int(parse(hex, NULL, 0), KS_OK, "a P-256 key accepted");
	OPENSSL_free(der);
	free(hex);
	EVP_PKEY_free(ec);
	ec = EVP_EC_gen("secp256k1");
	der = spki_of(ec, &slen);
	hex = hex_of(der, slen, 1);
	is_int(parse(hex, NULL, 0), KS_EINPUT, "a secp256k1 key refused");
	ok(err_has("EC key on a curve"), "  message: %s", ks_ctx_error(ctx));
	OPENSSL_free(der);
	free(hex);
	EVP_PKEY_free(ec);

	small = EVP_RSA_gen(512);
	der = spki_of(small, &slen);
	hex = hex_of(der, slen, 1);
	is_int(parse(hex, NULL, 0), KS_EINPUT, "a 512-bit RSA key refused");
	ok(err_has("512-bit"), "  message: %s", ks_ctx_error(ctx));
	OPENSSL_free(der);
	free(hex);
	EVP_PKEY_free(small);
	free(spki);
}

static char *
pem_of(EVP_PKEY *pk, int private)
{
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *m;
	char *s;

	if (private)
		PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	else
		PEM_write_bio_PUBKEY(b, pk);
	BIO_get_mem_ptr(b, &m);
	if ((s = malloc(m->length + 1)) != NULL) {
		memcpy(s, m->data, m->length);
		s[m->length] = '\0';
	}
	BIO_free(b);
	return s;
}

static void
test_pem(EVP_PKEY *rsa, const unsigned char *der, size_t len)
{
	unsigned char *spki = NULL;
	size_t slen = 0;
	char *pem = pem_of(rsa, 0);
	ks_status st;

	st = ks_pubkey_pem_parse(ctx, pem, strlen(pem), &spki, &slen);
	ok(st == KS_OK && slen == len && memcmp(spki, der, len) == 0,
	    "PEM PUBLIC KEY parses to the same SPKI");
	free(spki);
	free(pem);
	pem = pem_of(rsa, 1);
	is_int(ks_pubkey_pem_parse(ctx, pem, strlen(pem), &spki, &slen),
	    KS_EINPUT, "a PEM private key refused");
	ok(err_has("private key"), "  message: %s", ks_ctx_error(ctx));
	free(pem);
	is_int(ks_pubkey_pem_parse(ctx, "hello", 5, &spki, &slen), KS_EINPUT,
	    "text without PEM refused");
}

static const struct {
	ks_peer_by	 by;
	int		 mask_ok;
	const char	*in;
	const char	*want;	/* NULL: refused */
} ids[] = {
	{ KS_PEER_ADDRESS, 0, "192.0.2.1", "192.0.2.1" },
	{ KS_PEER_ADDRESS, 0, "2001:DB8:0:0::0:1", "2001:db8::1" },
	{ KS_PEER_ADDRESS, 0, "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
	{ KS_PEER_ADDRESS, 0, "192.0.2.0/24", NULL },
	{ KS_PEER_ADDRESS, 1, "192.0.2.0/24", "192.0.2.0/24" },
	{ KS_PEER_ADDRESS, 1, "10.0.0.0/255.255.255.0", "10.0.0.0/24" },
	{ KS_PEER_ADDRESS, 1, "10.1.2.3/32", "10.1.2.3" },
	{ KS_PEER_ADDRESS, 1, "10.1.2.3/255.255.255.255", "10.1.2.3" },
	{ KS_PEER_ADDRESS, 1, "0.0.0.0/0", "0.0.0.0/0" },
	{ KS_PEER_ADDRESS, 1, "0.0.0.0/0.0.0.0", "0.0.0.0/0" },
	{ KS_PEER_ADDRESS, 1, "2001:db8:0::/48", "2001:db8::/48" },
	{ KS_PEER_ADDRESS, 1, "2001:db8::1/128", "2001:db8::1" },
	{ KS_PEER_ADDRESS, 1, "10.0.0.1/24", NULL },
	{ KS_PEER_ADDRESS, 1, "10.0.0.0/33", NULL },
	{ KS_PEER_ADDRESS, 1, "10.0.0.0/024", NULL },
	{ KS_PEER_ADDRESS, 1, "10.0.0.0/", NULL },
	{ KS_PEER_ADDRESS, 1, "10.0.0.0/255.0.255.0", NULL },
	{ KS_PEER_ADDRESS, 1, "2001:db8::/255.255.0.0", NULL },
	{ KS_PEER_ADDRESS, 1, "2001:db8::/129", NULL },
	{ KS_PEER_ADDRESS, 0, "300.1.1.1", NULL },
	{ KS_PEER_ADDRESS, 0, "fe80::1%eth0", NULL },
	{ KS_PEER_ADDRESS, 0, "", NULL },
	{ KS_PEER_ADDRESS, 0, "peer.example.com", NULL },
	{ KS_PEER_HOSTNAME, 0, "Peer.Example.COM.", "peer.example.com" },
	{ KS_PEER_HOSTNAME, 0, "vpn-1_a.example", "vpn-1_a.example" },
	{ KS_PEER_HOSTNAME, 0, "a..b", NULL },
	{ KS_PEER_HOSTNAME, 0, ".", NULL },
	{ KS_PEER_HOSTNAME, 0, "rrr..", NULL },	/* found by fuzz_keyring */
	{ KS_PEER_HOSTNAME, 0, "bad host", NULL },
	{ KS_PEER_HOSTNAME, 0, "192.0.2.1", NULL },
	{ KS_PEER_NAME, 0, "Router-7.Example", "Router-7.Example" },
	{ KS_PEER_NAME, 0, "two words", NULL },
	{ KS_PEER_NAME, 0, "", NULL },
};

static void
test_ids(void)
{
	char out[KS_PEER_ID_MAX + 1];
	size_t i;
	ks_status st;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		st = ks_peer_id_normalise(ctx, ids[i].by, ids[i].mask_ok,
		    ids[i].in, out, sizeof(out));
		if (ids[i].want == NULL)
			is_int(st, KS_EINPUT, "%s '%s'%s refused (%s)",
			    ks_peer_by_name(ids[i].by), ids[i].in,
			    ids[i].mask_ok ? " (mask allowed)" : "",
			    ks_ctx_error(ctx));
		else
			ok(st == KS_OK && strcmp(out, ids[i].want) == 0,
			    "%s '%s' -> '%s'", ks_peer_by_name(ids[i].by),
			    ids[i].in, st == KS_OK ? out : ks_ctx_error(ctx));
	}
}

static void
test_labels(void)
{
	char label[KR_LABEL_MAX + 1], ring[KS_KEYRING_NAME_MAX + 1];
	char id[KS_PEER_ID_MAX + 1];
	ks_peer_by by;

	ok(kr_label_make(KR_PREFIX_PSK, "ring1", KS_PEER_ADDRESS,
	    "10.0.0.0/24", label, sizeof(label)) == 0 &&
	    strcmp(label, "psk/ring1/address:10.0.0.0/24") == 0,
	    "PSK label '%s'", label);
	ok(kr_label_split(KR_PREFIX_PSK, label, strlen(label), ring,
	    sizeof(ring), &by, id, sizeof(id)) == 0 &&
	    strcmp(ring, "ring1") == 0 && by == KS_PEER_ADDRESS &&
	    strcmp(id, "10.0.0.0/24") == 0, "the label splits back");
	ok(kr_label_split(KR_PREFIX_PEER, label, strlen(label), ring,
	    sizeof(ring), &by, id, sizeof(id)) != 0,
	    "a PSK label is not a peer key label");
	ok(kr_label_split(KR_PREFIX_PEER, "peer/r/fqdn:x", 13, ring,
	    sizeof(ring), &by, id, sizeof(id)) != 0, "unknown match refused");
	ok(kr_label_split(KR_PREFIX_PEER, "peer/r/name:", 12, ring,
	    sizeof(ring), &by, id, sizeof(id)) != 0, "empty identity refused");
	ok(kr_label_split(KR_PREFIX_PEER, "peer//name:x", 12, ring,
	    sizeof(ring), &by, id, sizeof(id)) != 0, "empty keyring refused");
	ok(kr_label_split(KR_PREFIX_PEER, "peer/a b/name:x", 15, ring,
	    sizeof(ring), &by, id, sizeof(id)) != 0, "bad keyring refused");
	ok(kr_label_make(KR_PREFIX_PEER, "r", KS_PEER_NAME,
	    "a", label, 5) != 0, "a label that does not fit is refused");
}

static int
rec(const char *text)
{
	struct kr_record r;

	return kr_record_parse(text, strlen(text), &r);
}

static void
test_record(void)
{
	struct kr_record r, back;
	char buf[KR_RECORD_MAX];
	int n;

	memset(&r, 0, sizeof(r));
	strcpy(r.description, "Branch offices, east");
	strcpy(r.local_address, "GigabitEthernet0/1");
	n = kr_record_encode(&r, buf, sizeof(buf));
	ok(n > 0 && kr_record_parse(buf, (size_t)n, &back) == 0 &&
	    strcmp(back.description, r.description) == 0 &&
	    strcmp(back.local_address, r.local_address) == 0,
	    "keyring record round trip");
	memset(&r, 0, sizeof(r));
	n = kr_record_encode(&r, buf, sizeof(buf));
	is_str(buf, "cryptokey-keyring 1\n", "an empty record is one line");
	ok(rec("cryptokey-keyring 2\nfuture x\n") == 0,
	    "a later version with unknown lines parses");
	ok(rec("cryptokey-keyring 1") != 0, "no newline refused");
	ok(rec("cryptokey-meta 1\n") != 0, "another record refused");
	ok(rec("cryptokey-keyring 1\ndescription a\ndescription b\n") != 0,
	    "a field twice refused");
	ok(rec("cryptokey-keyring 1\ndescription a\tb\n") != 0,
	    "a control character refused");
	ok(rec("cryptokey-keyring 0\n") != 0, "version 0 refused");
	ok(rec("cryptokey-keyring 1\nlocal-address a b\n") != 0,
	    "a space in the local address refused");
}

int
main(void)
{
	EVP_PKEY *rsa;
	unsigned char *der;
	size_t len;

	if (ks_ctx_new(&ctx) != KS_OK || (rsa = EVP_RSA_gen(2048)) == NULL) {
		printf("Bail out! setup\n");
		return 1;
	}
	der = spki_of(rsa, &len);
	test_keystring(der, len);
	test_other_keys(rsa);
	test_pem(rsa, der, len);
	test_ids();
	test_labels();
	test_record();
	OPENSSL_free(der);
	EVP_PKEY_free(rsa);
	ks_ctx_free(ctx);
	return done_testing();
}
