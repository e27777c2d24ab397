/*
 * t_ike.c -- unit tests of ikesignd's parts that need no token and no
 * network: the packet reader/writer, the configuration parser, the
 * Diffie-Hellman groups and their peer-value checks, the phase 1 key
 * material and CBC chaining, the raw-hash RSA check, and SA payloads.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "tap.h"
#include "ikesignd/ikesignd.h"

static void
test_ibuf(void)
{
	static const uint8_t in[] = { 1, 2, 3, 4, 5 };
	uint8_t out[4];
	struct rbuf r, sub;
	struct wbuf w;

	rb_init(&r, in, sizeof(in));
	is_int(rb_u16(&r), 0x0102, "rb_u16 reads big-endian");
	ok(rb_sub(&r, &sub, 2) == 0 && rb_u16(&sub) == 0x0304,
	    "rb_sub gives a bounded reader");
	is_int(rb_u32(&r), 0, "reading past the end gives 0");
	ok(r.err && rb_u8(&r) == 0 && rb_left(&r) == 0,
	    "and the error is sticky");
	wb_init(&w, out, sizeof(out));
	wb_u16(&w, 0xabcd);
	wb_u16(&w, 0x1234);
	ok(!w.err && out[0] == 0xab && out[3] == 0x34, "wb writes big-endian");
	wb_u8(&w, 1);
	ok(w.err && w.len == 4, "writing past the capacity is an error");
	wb_set_u16(&w, 3, 0);
	ok(w.err, "patching past the end is an error");
}

static ks_status
parse(const char *text, struct conf *c, char *err, size_t errsz)
{
	return conf_parse(text, strlen(text), "t.conf", c, err, errsz);
}

static void
test_conf(void)
{
	static struct conf c;
	struct policy p[CONF_POLICY_MAX];
	char err[512];
	size_t n;

	ok(parse("crypto isakmp policy 20\n encryption 3des\n"
	    "crypto isakmp policy 10\n encryption aes 256\n hash sha256\n"
	    " group 14\n lifetime 3600\n!\nkey k\n"
	    "crypto isakmp identity hostname\n"
	    "crypto isakmp keepalive 15 3 periodic\n"
	    "peer 192.0.2.2 ike-version 1 keyring ring\n", &c, err,
	    sizeof(err)) == KS_OK, "a full configuration parses");
	n = conf_policies(&c, p, CONF_POLICY_MAX);
	ok(n == 2 && p[0].prio == 10 && p[0].enc == IKE_ENC_AES &&
	    p[0].keybits == 256 && p[0].hash == IKE_HASH_SHA256 &&
	    p[0].group == 14 && p[0].lifetime == 3600,
	    "policies come sorted by priority with their values");
	ok(p[1].enc == IKE_ENC_3DES && p[1].hash == IKE_HASH_SHA &&
	    p[1].auth == IKE_AUTH_RSA_SIG && p[1].group == 1 &&
	    p[1].lifetime == 86400, "unset fields take the IOS defaults");
	ok(c.identity == IKE_ID_FQDN && c.keepalive == 15 &&
	    c.keepalive_retry == 3 && c.keepalive_periodic,
	    "identity and keepalive");
	ok(c.npeer == 1 && strcmp(c.peers[0].keyring, "ring") == 0 &&
	    conf_peer_name(&c, "192.0.2.2") != NULL, "peer line");
	ok(parse("key k\n", &c, err, sizeof(err)) == KS_OK &&
	    conf_policies(&c, p, CONF_POLICY_MAX) == 4 && p[0].prio == 65507 &&
	    p[0].group == 5 && p[3].enc == IKE_ENC_3DES,
	    "no policy: the IOS default rsa-sig policies");
	ok(parse("key k\nno crypto isakmp default policy\n", &c, err,
	    sizeof(err)) == KS_OK && conf_policies(&c, p, CONF_POLICY_MAX) == 0,
	    "no crypto isakmp default policy turns them off");
	ok(parse("key k\ncrypto isakmp policy 1\n group 3\n", &c, err,
	    sizeof(err)) == KS_EINPUT && strncmp(err, "t.conf:3: ", 10) == 0,
	    "an unknown group names line 3 (%s)", err);
	ok(parse("crypto isakmp policy 0\n", &c, err, sizeof(err)) ==
	    KS_EINPUT, "priority 0 is refused");
	ok(parse("crypto isakmp policy 1\n lifetime 59\n", &c, err,
	    sizeof(err)) == KS_EINPUT, "lifetime below 60 is refused");
	ok(parse("peer 192.0.2.1\npeer 192.0.2.1\n", &c, err, sizeof(err)) ==
	    KS_EINPUT, "a peer twice is refused");
	ok(parse("listen ::1\n", &c, err, sizeof(err)) == KS_EINPUT,
	    "an IPv6 listen address is refused");
	ok(parse("key k\ncrypto isakmp keepalive 5\n", &c, err,
	    sizeof(err)) == KS_EINPUT, "keepalive below 10 is refused");
	ok(parse("key a b\n", &c, err, sizeof(err)) == KS_EINPUT,
	    "extra words are refused");
}

#define KEY_TEXT	"Sup3rS3cretPSK"
#define KEY_ERR		"pre-shared keys are not written in " \
			"ikesignd.conf: store them on the token with " \
			"'cryptokeyring add-psk"

/* Pre-shared keys (issue 16): pre-share accepted, keys in the file not,
 * the Aggressive Mode switch. */
static void
test_conf_psk(void)
{
	static const char *keys[] = {
		"crypto isakmp key " KEY_TEXT " address 10.0.0.1\n",
		"crypto isakmp key " KEY_TEXT " address 10.0.0.0 255.0.0.0\n",
		"crypto isakmp key 6 " KEY_TEXT " hostname gw.example\n",
		"no crypto isakmp key " KEY_TEXT " address 10.0.0.1\n",
		"pre-shared-key address 10.0.0.1 key " KEY_TEXT "\n",
		" pre-shared-key address 10.0.0.0 255.0.0.0 key " KEY_TEXT "\n",
		" pre-shared-key hostname gw.example key " KEY_TEXT "\n",
		" pre-shared-key local " KEY_TEXT "\n",
		"crypto isakmp policy 10\n pre-shared-key address 10.0.0.1 key "
		    KEY_TEXT "\n",
	};
	static struct conf c;
	struct policy p[CONF_POLICY_MAX];
	char err[512], text[256];
	size_t i;
	unsigned line;

	ok(parse("key k\ncrypto isakmp policy 10\n authentication pre-share\n"
	    "crypto isakmp policy 20\n authentication rsa-sig\n", &c, err,
	    sizeof(err)) == KS_OK &&
	    conf_policies(&c, p, CONF_POLICY_MAX) == 2 &&
	    p[0].auth == IKE_AUTH_PSK && p[1].auth == IKE_AUTH_RSA_SIG,
	    "authentication pre-share: IKE_AUTH_PSK");
	ok(parse("key k\ncrypto isakmp policy 10\n authentication rsa-encr\n",
	    &c, err, sizeof(err)) == KS_EINPUT && strcmp(err, "t.conf:3: "
	    "authentication rsa-encr is not supported by ikesignd; use "
	    "rsa-sig or pre-share") == 0, "rsa-encr still refused");
	ok(parse("key k\ncrypto isakmp policy 10\n authentication pre-share "
	    "x\n", &c, err, sizeof(err)) == KS_EINPUT && strcmp(err,
	    "t.conf:3: usage: authentication rsa-sig|ecdsa-sig|pre-share") ==
	    0, "pre-share takes no more words");
	ok(parse("key k\ncrypto isakmp policy 10\n authentication ecdsa-sig\n",
	    &c, err, sizeof(err)) == KS_OK &&
	    conf_policies(&c, p, CONF_POLICY_MAX) == 1 &&
	    p[0].auth == IKE_AUTH_ECDSA_ANY, "authentication ecdsa-sig: the "
	    "method waits for the key's curve");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(text, sizeof(text), "key k\n%s", keys[i]);
		line = 2 + (strstr(keys[i], "policy") != NULL);
		ok(parse(text, &c, err, sizeof(err)) == KS_EINPUT &&
		    strncmp(err, "t.conf:", 7) == 0 &&
		    (unsigned)atoi(err + 7) == line &&
		    strstr(err, KEY_ERR) != NULL &&
		    strstr(err, "the key on this line was not used") != NULL &&
		    strstr(err, KEY_TEXT) == NULL, "a key in the file refused, "
		    "the key not in the message: %.*s",
		    (int)strcspn(keys[i], "\n"), keys[i]);
	}
	ok(parse("key k\n", &c, err, sizeof(err)) == KS_OK &&
	    c.aggressive_off == 0, "Aggressive Mode accepted by default (IOS)");
	ok(parse("key k\ncrypto isakmp aggressive-mode disable\n", &c, err,
	    sizeof(err)) == KS_OK && c.aggressive_off == 1,
	    "crypto isakmp aggressive-mode disable");
	ok(parse("key k\ncrypto isakmp aggressive-mode disable\n"
	    "no crypto isakmp aggressive-mode disable\n", &c, err,
	    sizeof(err)) == KS_OK && c.aggressive_off == 0,
	    "and its no form");
	ok(parse("key k\ncrypto isakmp aggressive-mode\n", &c, err,
	    sizeof(err)) == KS_EINPUT && strcmp(err, "t.conf:2: usage: [no] "
	    "crypto isakmp aggressive-mode disable") == 0,
	    "aggressive-mode without disable refused");
}

/* crypto call admission limit ike in-negotiation-sa N: the half-open table */
static void
test_conf_admission(void)
{
	static const char *bad[] = {
		"crypto call admission limit ike in-negotiation-sa 9\n",
		"crypto call admission limit ike in-negotiation-sa 16385\n",
		"crypto call admission limit ike in-negotiation-sa 0x40\n",
		"crypto call admission limit ike in-negotiation-sa\n",
		"crypto call admission limit ike in-negotiation-sa 64 x\n",
		"crypto call admission limit ike 64\n",
		"no crypto call admission limit ike in-negotiation-sa 5\n",
	};
	struct conf c;
	char err[256], text[128];
	size_t i;

	ok(parse("key k\n", &c, err, sizeof(err)) == KS_OK &&
	    c.half_open_max == 0, "no limit line: the default table");
	ok(parse("key k\ncrypto call admission limit ike in-negotiation-sa "
	    "10\n", &c, err, sizeof(err)) == KS_OK && c.half_open_max == 10,
	    "in-negotiation-sa 10, the smallest");
	ok(parse("key k\ncrypto call admission limit ike in-negotiation-sa "
	    "16384\nno crypto call admission limit ike in-negotiation-sa\n",
	    &c, err, sizeof(err)) == KS_OK && c.half_open_max == 0,
	    "the no form restores the default");
	ok(parse("key k\ncrypto call admission limit ike in-negotiation-sa "
	    "64\nno crypto call admission limit ike in-negotiation-sa 64\n",
	    &c, err, sizeof(err)) == KS_OK && c.half_open_max == 0,
	    "so does the no form with the old number, as on IOS");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "key k\n%s", bad[i]);
		ok(parse(text, &c, err, sizeof(err)) == KS_EINPUT &&
		    strstr(err, "t.conf:2: usage: crypto call admission limit "
		    "ike in-negotiation-sa N (10-16384)") != NULL,
		    "refused with its usage: %.*s",
		    (int)strcspn(bad[i], "\n"), bad[i]);
	}
}

static void
test_dh(void)
{
	static const int ids[] = { 1, 2, 5, 14, 19, 20, 21 };
	uint8_t pa[DH_PUB_MAX], pb[DH_PUB_MAX], bad[DH_PUB_MAX];
	uint8_t sa[DH_SECRET_MAX], sb[DH_SECRET_MAX];
	size_t la, lb, i;
	const struct dh_group *g;
	EVP_PKEY *ka, *kb;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		g = dh_group_get(ids[i]);
		ka = kb = NULL;
		ok(g != NULL && dh_create(g, &ka, pa) == 0 &&
		    dh_create(g, &kb, pb) == 0, "group %d: key pairs", ids[i]);
		ok(dh_derive(g, ka, pb, g->publen, sa, &la) == 0 &&
		    dh_derive(g, kb, pa, g->publen, sb, &lb) == 0 && la == lb &&
		    memcmp(sa, sb, la) == 0, "group %d: both sides agree",
		    ids[i]);
		ok(g->ecp ? la == (g->publen / 2) : la == g->publen,
		    "group %d: g^xy has the group's length", ids[i]);
		ok(dh_derive(g, ka, pb, g->publen - 1, sa, &la) != 0,
		    "group %d: a short value is refused", ids[i]);
		memset(bad, 0, g->publen);
		ok(dh_derive(g, ka, bad, g->publen, sa, &la) != 0,
		    "group %d: zero is refused", ids[i]);
		if (!g->ecp) {
			bad[g->publen - 1] = 1;
			ok(dh_derive(g, ka, bad, g->publen, sa, &la) != 0,
			    "group %d: 1 is refused", ids[i]);
			memset(bad, 0xff, g->publen);
			ok(dh_derive(g, ka, bad, g->publen, sa, &la) != 0,
			    "group %d: a value above p is refused", ids[i]);
		} else {
			memcpy(bad, pb, g->publen);
			bad[g->publen - 1] ^= 1;
			ok(dh_derive(g, ka, bad, g->publen, sa, &la) != 0,
			    "group %d: a point off the curve is refused",
			    ids[i]);
		}
		EVP_PKEY_free(ka);
		EVP_PKEY_free(kb);
	}
	ok(dh_group_get(3) == NULL && dh_group_get(24) == NULL,
	    "groups 3 and 24 are unknown");
}

static void
test_crypto(void)
{
	static struct ike_keys k1, k2;
	uint8_t ni[32], nr[32], gxy[256], gx[256], ic[8], rc[8];
	uint8_t buf[64], orig[64], iv1[16], iv2[16], h[32], sig[256];
	unsigned char *der = NULL;
	EVP_PKEY *rsa;
	EVP_PKEY_CTX *ctx;
	size_t siglen = sizeof(sig);
	int derlen;

	memset(ni, 1, sizeof(ni));
	memset(nr, 2, sizeof(nr));
	memset(gxy, 3, sizeof(gxy));
	memset(gx, 4, sizeof(gx));
	memset(ic, 5, sizeof(ic));
	memset(rc, 6, sizeof(rc));
	ok(crypto_keys(&k1, alg_hash(IKE_HASH_MD5), alg_enc(IKE_ENC_3DES, 0),
	    ni, 32, nr, 32, gxy, 256, gx, gx, 256, ic, rc, NULL) == 0,
	    "3DES with MD5: keys are expanded past the hash length");
	ok(memcmp(k1.key, k1.skeyid_e, 16) != 0,
	    "the expanded key is prf(SKEYID_e, 0)..., not SKEYID_e");
	ok(crypto_keys(&k2, alg_hash(IKE_HASH_SHA256),
	    alg_enc(IKE_ENC_AES, 128), ni, 32, nr, 32, gxy, 256, gx, gx, 256,
	    ic, rc, NULL) == 0 && memcmp(k2.key, k2.skeyid_e, 16) == 0,
	    "AES-128 with SHA-256: the key is SKEYID_e cut short");
	{
		struct ike_keys k3;
		uint8_t sk[32];

		memset(sk, 7, sizeof(sk));
		ok(crypto_keys(&k3, alg_hash(IKE_HASH_SHA256),
		    alg_enc(IKE_ENC_AES, 128), ni, 32, nr, 32, gxy, 256, gx,
		    gx, 256, ic, rc, sk) == 0 &&
		    memcmp(k3.skeyid, sk, 32) == 0 &&
		    memcmp(k3.skeyid_d, k2.skeyid_d, 32) != 0,
		    "pre-shared keys: the SKEYID given is the one used");
	}
	crypto_random(orig, sizeof(orig));
	memcpy(buf, orig, sizeof(buf));
	memcpy(iv1, k2.iv, 16);
	memcpy(iv2, k2.iv, 16);
	ok(crypto_encrypt(&k2, iv1, buf, 64) == 0 &&
	    memcmp(iv1, buf + 48, 16) == 0,
	    "after encryption the IV is the last cipher block");
	ok(crypto_decrypt(&k2, iv2, buf, 64) == 0 &&
	    memcmp(buf, orig, 64) == 0 && memcmp(iv1, iv2, 16) == 0,
	    "decryption restores the text and chains the same IV");
	ok(crypto_encrypt(&k2, iv1, buf, 63) != 0,
	    "a partial block is refused");
	ok(crypto_mid_iv(&k2, k2.iv, 1, iv1) == 0 &&
	    crypto_mid_iv(&k2, k2.iv, 2, iv2) == 0 && memcmp(iv1, iv2, 16),
	    "each message ID has its own IV");

	/* raw-hash PKCS#1 v1.5, as the token's CKM_RSA_PKCS makes it */
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	memset(h, 7, sizeof(h));
	ctx = EVP_PKEY_CTX_new(rsa, NULL);
	ok(rsa != NULL && ctx != NULL && EVP_PKEY_sign_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_sign(ctx, sig, &siglen, h, sizeof(h)) > 0,
	    "sign a raw hash");
	derlen = i2d_PUBKEY(rsa, &der);
	ok(derlen > 0 && crypto_verify(der, (size_t)derlen, h, sizeof(h), sig,
	    siglen) == 0, "crypto_verify accepts it");
	h[0] ^= 1;
	ok(crypto_verify(der, (size_t)derlen, h, sizeof(h), sig, siglen) != 0,
	    "and refuses another hash");
	ok(crypto_verify(der, (size_t)derlen - 1, h, sizeof(h), sig,
	    siglen) != 0, "and a truncated key");
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(rsa);
	OPENSSL_free(der);
}

static void
test_sa(void)
{
	static struct sa_offer o;
	struct policy p[2] = {
		{ 10, IKE_ENC_AES, 256, IKE_HASH_SHA, IKE_AUTH_RSA_SIG, 2,
		  3600 },
		{ 20, IKE_ENC_3DES, 0, IKE_HASH_MD5, IKE_AUTH_RSA_SIG, 2,
		  86400 },
	}, mine = p[1];
	const struct policy *chosen;
	uint8_t buf[1024], buf2[1024];
	struct wbuf w, w2;
	size_t xi;

	wb_init(&w, buf, sizeof(buf));
	sa_build_offer(&w, p, 2);
	ok(!w.err && sa_parse(buf, w.len, &o) == 0 && o.nx == 2 &&
	    o.x[0].p.keybits == 256 && o.x[1].p.lifetime == 86400,
	    "our offer parses back");
	ok(sa_choose(&o, &mine, 1, &xi, &chosen) == 0 && xi == 1,
	    "a responder with only 3DES/MD5 picks transform 2");
	mine.lifetime = 3600;
	ok(sa_choose(&o, &mine, 1, &xi, &chosen) != 0,
	    "an offered lifetime longer than ours does not match");
	ok(sa_choose(&o, p, 2, &xi, &chosen) == 0 && xi == 0 &&
	    chosen == &p[0], "the first policy by priority wins");
	wb_init(&w2, buf2, sizeof(buf2));
	sa_build_reply(&w2, &o, 1);
	ok(!w2.err && sa_parse(buf2, w2.len, &o) == 0 && o.nx == 1 &&
	    o.x[0].p.enc == IKE_ENC_3DES, "the reply holds the one transform");
	ok(sa_parse(buf, w.len - 1, &o) != 0, "a truncated SA is refused");
	buf[11] = 0xff;		/* proposal length */
	ok(sa_parse(buf, w.len, &o) != 0, "a proposal too long is refused");
}

int
main(void)
{
	test_ibuf();
	test_conf();
	test_conf_admission();
	test_conf_psk();
	test_dh();
	test_crypto();
	test_sa();
	return done_testing();
}
