/*
 * t_psk_prf.c -- the IKE prf under pre-shared keys kept on a real
 * SoftHSM2 token (issue 16).
 *
 * ks_keyring_psk_prf: the PSK chosen by address with the longest mask
 * (IOS), by hostname case-insensitively, none for an address no entry
 * covers; the HMAC the token computes equals OpenSSL's under the key as
 * typed, for every hash, a short (zero-padded) key and a long one alike.
 * Then a token without the HMAC mechanism (tests/faultmod); each PKCS#11
 * call of a lookup failing in turn (tests/faultmod): a clean token error
 * naming what failed, no output, the session usable at once, the objects
 * unchanged; and the signer
 * process end to end: 'K' (IKEv1 SKEYID), 'A' (IKEv2 AUTH over 5000
 * octets), 'R' and the start's keyring check, and malformed requests
 * written to its socket.
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "libkeystore/ks_internal.h"
#include "tools/ikesignd/ikesignd.h"
#include "tap.h"
#include "token.h"
#include "signer_raw.h"
#include "faultmod.h"

#define KEY	"ike"
#define RING	"vpn"
#define KEY_PAD	"Key Pad for IKEv2"

/* The PSKs of RING, and one in "default" for the same host. */
static const char k8[] = "the key of the whole of 10.0.0.0/8, 40 bytes";
static const char k16[] = "ten-one sixteen";
static const char k32[] = "shortpsk";	/* 8 bytes: stored zero-padded */
static const char kdef[] = "the default keyring's key for 10.1.2.3";
static const char kn[] = "the key of the name Road@Warrior.example";
/* 80 bytes: longer than the SHA-256 block, hashed by HMAC first */
static const char kh[] = "gw.example's key: 0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abc";

static struct conf conf;	/* the signer's configuration */

static const struct {
	ks_hmac		 h;
	int		 ike;		/* IKE_HASH_* */
	const char	*name;
} hashes[] = {
	{ KS_HMAC_MD5, IKE_HASH_MD5, "MD5" },
	{ KS_HMAC_SHA1, IKE_HASH_SHA, "SHA1" },
	{ KS_HMAC_SHA256, IKE_HASH_SHA256, "SHA256" },
	{ KS_HMAC_SHA384, IKE_HASH_SHA384, "SHA384" },
	{ KS_HMAC_SHA512, IKE_HASH_SHA512, "SHA512" },
};
#define NHASH	(sizeof(hashes) / sizeof(hashes[0]))

/* The signer child calls it; the sandbox is not under test here. */
void
sandbox_nocore(void)
{
}

static const EVP_MD *
md_of(int ike)
{
	switch (ike) {
	case IKE_HASH_MD5:
		return EVP_md5();
	case IKE_HASH_SHA:
		return EVP_sha1();
	case IKE_HASH_SHA256:
		return EVP_sha256();
	case IKE_HASH_SHA384:
		return EVP_sha384();
	default:
		return EVP_sha512();
	}
}

/* OpenSSL's HMAC under key as typed; its length. */
static size_t
ref_hmac(int ike, const void *key, size_t keylen, const void *data,
    size_t len, uint8_t *out)
{
	unsigned int olen = 0;

	if (HMAC(md_of(ike), key, (int)keylen, data, len, out, &olen) == NULL)
		return 0;
	return olen;
}

/* RFC 7296 2.15 in OpenSSL: prf(prf(key, "Key Pad for IKEv2"), octets) */
static size_t
ref_auth(int ike, const char *key, const uint8_t *octets, size_t len,
    uint8_t *out)
{
	uint8_t inner[EVP_MAX_MD_SIZE];
	size_t ilen;

	ilen = ref_hmac(ike, key, strlen(key), KEY_PAD, strlen(KEY_PAD),
	    inner);
	return ref_hmac(ike, inner, ilen, octets, len, out);
}

static int
add(ks_ctx *ctx, const char *ring, ks_peer_by by, const char *id,
    const char *psk)
{
	return ks_keyring_add_psk(ctx, ring, by, id,
	    (const unsigned char *)psk, strlen(psk)) == KS_OK;
}

static const char data[] = "Ni_b | Nr_b stand-in: 32 + 32 octets of nonce";

/* One lookup under every hash against OpenSSL with the expected key. */
static void
expect_key(ks_ctx *ctx, const char *ring, ks_peer_by by, const char *id,
    const char *key, const char *why)
{
	uint8_t got[64], want[EVP_MAX_MD_SIZE];
	size_t i, glen, wlen;
	ks_status st;

	for (i = 0; i < NHASH; i++) {
		glen = sizeof(got);
		st = ks_keyring_psk_prf(ctx, ring, by, id, hashes[i].h,
		    (const unsigned char *)data, strlen(data), got, &glen);
		wlen = ref_hmac(hashes[i].ike, key, strlen(key), data,
		    strlen(data), want);
		ok(st == KS_OK && glen == wlen && memcmp(got, want, wlen) == 0,
		    "%s %s, HMAC-%s: %s", ks_peer_by_name(by), id,
		    hashes[i].name, why);
		if (st != KS_OK)
			printf("# %s\n", ks_ctx_error(ctx));
	}
}

static void
test_library(ks_ctx *ctx)
{
	uint8_t out[64];
	size_t olen;
	ks_status st;

	if (!ok(ks_keyring_create(ctx, RING, NULL, NULL) == KS_OK &&
	    add(ctx, RING, KS_PEER_ADDRESS, "10.0.0.0/8", k8) &&
	    add(ctx, RING, KS_PEER_ADDRESS, "10.1.0.0/255.255.0.0", k16) &&
	    add(ctx, RING, KS_PEER_ADDRESS, "10.1.2.3", k32) &&
	    add(ctx, RING, KS_PEER_HOSTNAME, "gw.example", kh) &&
	    add(ctx, RING, KS_PEER_NAME, "Road@Warrior.example", kn) &&
	    add(ctx, NULL, KS_PEER_ADDRESS, "10.1.2.3", kdef),
	    "PSKs stored: 10.0.0.0/8, 10.1.0.0/16, 10.1.2.3, gw.example and "
	    "the name Road@Warrior.example in '" RING "', 10.1.2.3 in "
	    "'default'")) {
		printf("# %s\n", ks_ctx_error(ctx));
		return;
	}
	expect_key(ctx, RING, KS_PEER_ADDRESS, "10.1.2.3", k32,
	    "the host entry (/32) wins; an 8-byte key padded on the token "
	    "gives the 8-byte key's HMAC");
	expect_key(ctx, RING, KS_PEER_ADDRESS, "10.1.9.9", k16,
	    "the /16 wins over the /8");
	expect_key(ctx, RING, KS_PEER_ADDRESS, "10.9.9.9", k8,
	    "only the /8 covers it");
	expect_key(ctx, RING, KS_PEER_HOSTNAME, "gw.example", kh,
	    "by hostname, an 80-byte key");
	expect_key(ctx, RING, KS_PEER_HOSTNAME, "GW.EXAMPLE.", kh,
	    "by hostname in capitals with a trailing dot");
	expect_key(ctx, RING, KS_PEER_NAME, "Gw.Example", kh,
	    "by name: the hostname's key");
	expect_key(ctx, RING, KS_PEER_NAME, "Road@Warrior.example", kn,
	    "by name (an ID_USER_FQDN): the name's own key");
	expect_key(ctx, NULL, KS_PEER_ADDRESS, "10.1.2.3", kdef,
	    "keyring NULL is 'default', and its key is its own");
	olen = sizeof(out);
	is_int(ks_keyring_psk_prf(ctx, RING, KS_PEER_NAME,
	    "road@warrior.example", KS_HMAC_SHA256,
	    (const unsigned char *)data, strlen(data), out, &olen),
	    KS_ENOTFOUND, "a name is matched as written (case kept)");
	is_str(ks_ctx_error(ctx), "keyring 'vpn' on token 'unit' has no "
	    "pre-shared key for name road@warrior.example", "with its message");
	olen = sizeof(out);
	is_int(ks_keyring_psk_prf(ctx, RING, KS_PEER_HOSTNAME,
	    "Road@Warrior.example", KS_HMAC_SHA256,
	    (const unsigned char *)data, strlen(data), out, &olen),
	    KS_EINPUT, "a name is no hostname: the hostname lookup refuses it");

	olen = sizeof(out);
	st = ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "11.0.0.1",
	    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data), out,
	    &olen);
	is_int(st, KS_ENOTFOUND, "11.0.0.1: no entry covers it");
	is_str(ks_ctx_error(ctx), "keyring 'vpn' on token 'unit' has no "
	    "pre-shared key for address 11.0.0.1", "and the message names "
	    "keyring and peer");
	olen = sizeof(out);
	is_int(ks_keyring_psk_prf(ctx, RING, KS_PEER_HOSTNAME, "gw2.example",
	    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data), out,
	    &olen), KS_ENOTFOUND, "no such hostname: not found");
	is_str(ks_ctx_error(ctx), "keyring 'vpn' on token 'unit' has no "
	    "pre-shared key for hostname gw2.example", "with its message");
	olen = sizeof(out);
	is_int(ks_keyring_psk_prf(ctx, RING, KS_PEER_NAME, "CN=gw",
	    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data), out,
	    &olen), KS_ENOTFOUND, "a name that is no hostname: not found");
	olen = sizeof(out);
	is_int(ks_keyring_psk_prf(ctx, "nosuch", KS_PEER_ADDRESS, "10.1.2.3",
	    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data), out,
	    &olen), KS_ENOTFOUND, "a keyring with no PSKs: not found");
	olen = sizeof(out);
	is_int(ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "10.1.2.0/24",
	    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data), out,
	    &olen), KS_EINPUT, "a peer is one address, not a subnet");
	olen = 31;
	is_int(ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "10.1.2.3",
	    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data), out,
	    &olen), KS_EUSAGE, "a 31-byte buffer for HMAC-SHA-256 refused");
	olen = sizeof(out);
	is_int(ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "10.1.2.3",
	    (ks_hmac)9, (const unsigned char *)data, strlen(data), out,
	    &olen), KS_EUSAGE, "an unknown ks_hmac refused");
	olen = sizeof(out);
	ok(ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "10.1.2.3",
	    KS_HMAC_SHA1, NULL, 0, out, &olen) == KS_OK && olen == 20,
	    "HMAC over no data is HMAC over no data");

	is_int(ks_keyring_exists(ctx, RING), KS_OK, "keyring 'vpn' exists");
	is_int(ks_keyring_exists(ctx, NULL), KS_OK, "'default' always does");
	is_int(ks_keyring_exists(ctx, "nosuch"), KS_ENOTFOUND,
	    "'nosuch' does not");
	is_str(ks_ctx_error(ctx), "no keyring 'nosuch' on token 'unit'; "
	    "create it first", "and the message says so");
	is_int(ks_keyring_exists(ctx, "bad/name"), KS_EUSAGE,
	    "a malformed name refused");
}

/* Through faultmod acting as a token without CKM_SHA256_HMAC. */
static void
test_no_hmac(void)
{
	uint8_t out[64];
	char mod[4096];
	size_t olen = sizeof(out);
	ks_ctx *ctx = NULL;

	if (unit_faultmod(mod, sizeof(mod)) != 0)
		return;
	/* CKM_SHA256_HMAC */
	setenv("CRYPTOKEY_FAULT_NO_MECH", "0x251", 1);
	ks_ctx_new(&ctx);
	ks_ctx_set_module(ctx, mod);
	ks_ctx_set_pin_fn(ctx, unit_secret_cb, (void *)UNIT_PIN);
	if (!ok(ks_ctx_open(ctx, KS_OPEN_LOGIN) == KS_OK, "the token "
	    "through faultmod"))
		goto out;
	is_int(ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "10.1.2.3",
	    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data), out,
	    &olen), KS_ETOKEN, "without CKM_SHA256_HMAC: a token failure");
	ok(strstr(ks_ctx_error(ctx), "token 'unit' cannot compute "
	    "HMAC-SHA-256 (CKM_SHA256_HMAC)") != NULL, "and it names the "
	    "mechanism: %s", ks_ctx_error(ctx));
	olen = sizeof(out);
	is_int(ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "10.1.2.3",
	    KS_HMAC_SHA384, (const unsigned char *)data, strlen(data), out,
	    &olen), KS_OK, "HMAC-SHA-384 still works there");
out:
	ks_ctx_free(ctx);
	unsetenv("CRYPTOKEY_FAULT_NO_MECH");
	unsetenv("CRYPTOKEY_FAULT_TARGET");
}

/* The number in a faultmod count file; 0 when there is none. */
static unsigned long
read_count(const char *path)
{
	unsigned long n = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%lu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

/* The name faultmod's trace gives call n; "" when it has none. */
static void
trace_name(const char *path, unsigned long n, char *name, size_t namesz)
{
	char line[128], fn[32];
	unsigned long k;
	FILE *f;

	name[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%lu %31s", &k, fn) == 2 && k == n)
			snprintf(name, namesz, "%s", fn);
	fclose(f);
}

/* Every object the session sees (the PIN is in: private ones too). */
static long
count_objects(ks_ctx *ctx)
{
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0;

	if (p11_find(&ctx->sess, NULL, 0, &h, &n) != CKR_OK)
		return -1;
	free(h);
	return (long)n;
}

/* What the library's message starts with when call fn fails. */
static const char *
sweep_what(const char *fn)
{
	if (strncmp(fn, "C_FindObjects", 13) == 0)
		return "cannot search token 'unit': ";
	if (strcmp(fn, "C_GetAttributeValue") == 0)
		return "cannot read an object on token 'unit': ";
	if (strcmp(fn, "C_SignInit") == 0 || strcmp(fn, "C_Sign") == 0)
		return "cannot compute HMAC-SHA-256 with pre-shared key "
		    "'psk/vpn/address:10.1.0.0/16': ";
	return NULL;
}

#define SWEEP_MAX	64

/*
 * Each PKCS#11 call ks_keyring_psk_prf makes fails in turn (faultmod,
 * CKR_DEVICE_ERROR, aimed at the call through CRYPTOKEY_FAULT_AT and the
 * count so far): a token failure whose message says what failed, no
 * output claimed, and the next lookup on the same session works with
 * the same calls as before (nothing left active, nothing reopened).
 * The token's objects are the same before and after.
 *
 * The faults are those of a token that keeps to PKCS#11 (faultmod's
 * error mode): a failed C_Sign has ended the signing, a failed
 * C_FindObjectsFinal the search.  With faultmod's fail mode, where the
 * failed call never reaches SoftHSM2, the search or the signing stays
 * active in the session, and every later lookup on it fails with
 * CKR_OPERATION_ACTIVE: the library makes no attempt to end an
 * operation the token may have left active.
 */
static void
test_fault_sweep(const char *dir)
{
	char mod[4096], cpath[256], tpath[256], at[32];
	char names[SWEEP_MAX][32], fn[32];
	uint8_t out[64], want[EVP_MAX_MD_SIZE], fill[64];
	unsigned long c0, c1, c, n, k;
	size_t olen, wlen;
	const char *what, *e;
	ks_ctx *ctx = NULL;
	long before, after;
	ks_status st;
	int seen_init = 0, seen_find = 0, seen_final = 0, seen_attr = 0;
	int seen_signinit = 0, seen_sign = 0;

	if (unit_faultmod(mod, sizeof(mod)) != 0)
		return;
	snprintf(cpath, sizeof(cpath), "%s/fault.count", dir);
	snprintf(tpath, sizeof(tpath), "%s/fault.trace", dir);
	setenv("CRYPTOKEY_FAULT_COUNT", cpath, 1);
	setenv("CRYPTOKEY_FAULT_TRACE", tpath, 1);
	setenv("CRYPTOKEY_FAULT_AT", "0", 1);
	setenv("CRYPTOKEY_FAULT_MODE", "error", 1);
	ks_ctx_new(&ctx);
	ks_ctx_set_module(ctx, mod);
	ks_ctx_set_pin_fn(ctx, unit_secret_cb, (void *)UNIT_PIN);
	if (!ok(ks_ctx_open(ctx, KS_OPEN_LOGIN) == KS_OK, "sweep: the token "
	    "through faultmod"))
		goto out;
	before = count_objects(ctx);
	ok(before > 0, "sweep: %ld objects on the token", before);
	wlen = ref_hmac(IKE_HASH_SHA256, k16, strlen(k16), data, strlen(data),
	    want);

	/* the calls of one lookup, without faults */
	c0 = read_count(cpath);
	olen = sizeof(out);
	st = ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "10.1.9.9",
	    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data), out,
	    &olen);
	c1 = read_count(cpath);
	n = c1 - c0;
	if (!ok(st == KS_OK && olen == wlen && memcmp(out, want, wlen) == 0 &&
	    n > 0 && n <= SWEEP_MAX, "sweep: one lookup makes %lu PKCS#11 "
	    "calls", n))
		goto out;
	for (k = 1; k <= n; k++) {
		trace_name(tpath, c0 + k, names[k - 1], sizeof(names[0]));
		printf("#   call %lu: %s\n", k, names[k - 1]);
		seen_init |= strcmp(names[k - 1], "C_FindObjectsInit") == 0;
		seen_find |= strcmp(names[k - 1], "C_FindObjects") == 0;
		seen_final |= strcmp(names[k - 1], "C_FindObjectsFinal") == 0;
		seen_attr |= strcmp(names[k - 1], "C_GetAttributeValue") == 0;
		seen_signinit |= strcmp(names[k - 1], "C_SignInit") == 0;
		seen_sign |= strcmp(names[k - 1], "C_Sign") == 0;
	}
	ok(seen_init && seen_find && seen_final && seen_attr &&
	    seen_signinit && seen_sign, "sweep: the lookup searches "
	    "(C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal), reads "
	    "attributes and signs (C_SignInit, C_Sign)");

	memset(fill, 0xa5, sizeof(fill));
	for (k = 1; k <= n; k++) {
		memcpy(fn, names[k - 1], sizeof(fn));
		c = read_count(cpath);
		snprintf(at, sizeof(at), "%lu", c + k);
		setenv("CRYPTOKEY_FAULT_AT", at, 1);
		memcpy(out, fill, sizeof(out));
		olen = sizeof(out);
		st = ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "10.1.9.9",
		    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data),
		    out, &olen);
		setenv("CRYPTOKEY_FAULT_AT", "0", 1);
		trace_name(tpath, c + k, names[k - 1], sizeof(names[0]));
		if (strcmp(names[k - 1], fn) != 0)
			printf("# call %lu was %s, not %s\n", k, names[k - 1],
			    fn);
		e = ks_ctx_error(ctx);
		what = sweep_what(fn);
		ok(st == KS_ETOKEN && what != NULL &&
		    strncmp(e, what, strlen(what)) == 0 &&
		    strstr(e, "(CKR_DEVICE_ERROR, module ") != NULL,
		    "call %lu (%s) fails: a token failure that says what "
		    "failed: %s", k, fn, e);
		ok(olen == sizeof(out) && memcmp(out, fill, sizeof(out)) == 0,
		    "call %lu (%s) fails: no output bytes claimed or written",
		    k, fn);
		c = read_count(cpath);
		olen = sizeof(out);
		st = ks_keyring_psk_prf(ctx, RING, KS_PEER_ADDRESS, "10.1.9.9",
		    KS_HMAC_SHA256, (const unsigned char *)data, strlen(data),
		    out, &olen);
		ok(st == KS_OK && olen == wlen && memcmp(out, want, wlen) == 0 &&
		    read_count(cpath) - c == n, "call %lu (%s) failed: the next "
		    "lookup on the same session works, in the same %lu calls",
		    k, fn, n);
		if (st != KS_OK)
			printf("# %s\n", ks_ctx_error(ctx));
	}
	after = count_objects(ctx);
	is_int(after, before, "sweep: the token holds the same %ld objects",
	    before);
out:
	ks_ctx_free(ctx);
	unsetenv("CRYPTOKEY_FAULT_AT");
	unsetenv("CRYPTOKEY_FAULT_MODE");
	unsetenv("CRYPTOKEY_FAULT_TRACE");
	unsetenv("CRYPTOKEY_FAULT_COUNT");
	unsetenv("CRYPTOKEY_FAULT_TARGET");
}

/* A raw 'K'/'A' request: op hash by keyring\0 id\0 data. */
static size_t
raw_req(uint8_t *req, uint8_t op, uint8_t hash, uint8_t by, const char *ring,
    const char *id, const char *d)
{
	size_t off = 3;

	req[0] = op;
	req[1] = hash;
	req[2] = by;
	memcpy(req + off, ring, strlen(ring) + 1);
	off += strlen(ring) + 1;
	memcpy(req + off, id, strlen(id) + 1);
	off += strlen(id) + 1;
	memcpy(req + off, d, strlen(d));
	return off + strlen(d);
}

static void
test_signer_raw(int fd)
{
	static uint8_t big[20000];	/* past SIGNER_MSG_MAX */
	uint8_t req[512];
	char msg[768];
	size_t len;

	len = raw_req(req, 'K', IKE_HASH_SHA256, KS_PEER_ADDRESS, RING,
	    "10.1.2.3", "nonces");
	is_int(raw_call(fd, req, len, msg, sizeof(msg)), KS_OK,
	    "raw 'K': a well-formed request answered");
	is_int(raw_call(fd, req, 1, msg, sizeof(msg)), KS_EINPUT,
	    "'K' alone refused");
	is_str(msg, "malformed pre-shared key prf request", "with its reason");
	req[1] = 3;	/* no IKE hash 3 */
	is_int(raw_call(fd, req, len, msg, sizeof(msg)), KS_EINPUT,
	    "'K' with hash 3 refused");
	req[1] = IKE_HASH_SHA256;
	req[2] = KS_PEER_NAME + 1;
	is_int(raw_call(fd, req, len, msg, sizeof(msg)), KS_EINPUT,
	    "'K' with kind 3 refused");
	req[2] = KS_PEER_ADDRESS;
	is_int(raw_call(fd, req, len - strlen("nonces"), msg, sizeof(msg)),
	    KS_EINPUT, "'K' with no data refused");
	is_int(raw_call(fd, req, 3 + strlen(RING), msg, sizeof(msg)),
	    KS_EINPUT, "'K' without the keyring's NUL refused");
	is_int(raw_call(fd, req, 3 + strlen(RING) + 1 + 4, msg, sizeof(msg)),
	    KS_EINPUT, "'K' without the identity's NUL refused");
	len = raw_req(req, 'K', IKE_HASH_SHA256, KS_PEER_ADDRESS, "",
	    "10.1.2.3", "nonces");
	is_int(raw_call(fd, req, len, msg, sizeof(msg)), KS_EINPUT,
	    "'K' with an empty keyring name refused");
	len = raw_req(req, 'A', IKE_HASH_MD5, KS_PEER_ADDRESS, RING,
	    "10.1.2.3", "octets");
	is_int(raw_call(fd, req, len, msg, sizeof(msg)), KS_EINPUT,
	    "'A' with MD5 (no IKEv2 prf of ikesignd's) refused");
	is_str(msg, "malformed pre-shared key AUTH request", "with its reason");
	req[1] = IKE_HASH_SHA;
	is_int(raw_call(fd, req, len, msg, sizeof(msg)), KS_OK,
	    "'A' with SHA-1 answered");
	len = raw_req(req, 'A', IKE_HASH_SHA256, KS_PEER_ADDRESS, RING,
	    "11.0.0.1", "octets");
	is_int(raw_call(fd, req, len, msg, sizeof(msg)), KS_ENOTFOUND,
	    "'A' for a peer without a PSK: not found");
	is_str(msg, "keyring 'vpn' on token 'unit' has no pre-shared key for "
	    "address 11.0.0.1", "with the library's message");

	/* data past the limit, and a datagram past SIGNER_MSG_MAX */
	memset(big, 'x', sizeof(big));
	len = raw_req(big, 'K', IKE_HASH_SHA256, KS_PEER_ADDRESS, RING,
	    "10.1.2.3", "");
	is_int(raw_call(fd, big, len + SIGNER_DATA_MAX, msg, sizeof(msg)),
	    KS_OK, "'K' with SIGNER_DATA_MAX octets answered");
	is_int(raw_call(fd, big, len + SIGNER_DATA_MAX + 1, msg, sizeof(msg)),
	    KS_EINPUT, "one octet more refused");
	is_int(raw_call(fd, big, sizeof(big), msg, sizeof(msg)), KS_EINPUT,
	    "a datagram past SIGNER_MSG_MAX refused");
	is_str(msg, "a request longer than 16384 octets", "as too long");
	req[0] = 'R';
	memcpy(req + 1, RING, sizeof(RING));
	is_int(raw_call(fd, req, 1 + sizeof(RING), msg, sizeof(msg)), KS_OK,
	    "raw 'R' vpn: there");
	is_int(raw_call(fd, req, sizeof(RING), msg, sizeof(msg)), KS_EINPUT,
	    "'R' without the NUL refused");
	is_int(raw_call(fd, req, 1, msg, sizeof(msg)), KS_EINPUT,
	    "'R' alone refused");
}

static void
test_signer_calls(void)
{
	static uint8_t octets[5000], big[SIGNER_DATA_MAX + 1];
	uint8_t out[IKE_HASH_MAX], want[EVP_MAX_MD_SIZE];
	static const int v2[] = { IKE_HASH_SHA, IKE_HASH_SHA256,
	    IKE_HASH_SHA384, IKE_HASH_SHA512 };
	char err[768];
	size_t i, olen, wlen;
	ks_status st;

	for (i = 0; i < sizeof(octets); i++)
		octets[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < NHASH; i++) {
		olen = sizeof(out);
		st = signer_psk_prf(RING, KS_PEER_ADDRESS, "10.1.9.9",
		    hashes[i].ike, (const uint8_t *)data, strlen(data), out,
		    &olen, err, sizeof(err));
		wlen = ref_hmac(hashes[i].ike, k16, strlen(k16), data,
		    strlen(data), want);
		ok(st == KS_OK && olen == wlen && memcmp(out, want, wlen) == 0,
		    "'K' HMAC-%s: SKEYID under the /16's key", hashes[i].name);
		if (st != KS_OK)
			printf("# %s\n", err);
	}
	olen = sizeof(out);
	st = signer_psk_prf("default", KS_PEER_ADDRESS, "10.1.2.3",
	    IKE_HASH_SHA, (const uint8_t *)data, strlen(data), out, &olen,
	    err, sizeof(err));
	wlen = ref_hmac(IKE_HASH_SHA, kdef, strlen(kdef), data, strlen(data),
	    want);
	ok(st == KS_OK && olen == wlen && memcmp(out, want, wlen) == 0,
	    "'K' in keyring 'default' (crypto isakmp key)");
	for (i = 0; i < sizeof(v2) / sizeof(v2[0]); i++) {
		olen = sizeof(out);
		st = signer_psk_auth(RING, KS_PEER_HOSTNAME, "GW.example",
		    v2[i], octets, sizeof(octets), out, &olen, err, sizeof(err));
		wlen = ref_auth(v2[i], kh, octets, sizeof(octets), want);
		ok(st == KS_OK && olen == wlen && memcmp(out, want, wlen) == 0,
		    "'A' hash %d: AUTH over 5000 octets is prf(prf(PSK, "
		    "\"Key Pad for IKEv2\"), octets)", v2[i]);
		if (st != KS_OK)
			printf("# %s\n", err);
	}
	olen = sizeof(out);
	st = signer_psk_auth(RING, KS_PEER_ADDRESS, "10.1.2.3",
	    IKE_HASH_SHA256, octets, sizeof(octets), out, &olen, err,
	    sizeof(err));
	wlen = ref_auth(IKE_HASH_SHA256, k32, octets, sizeof(octets), want);
	ok(st == KS_OK && olen == wlen && memcmp(out, want, wlen) == 0,
	    "'A' by address with the 8-byte key");

	olen = sizeof(out);
	is_int(signer_psk_prf(RING, KS_PEER_ADDRESS, "11.0.0.1",
	    IKE_HASH_SHA256, (const uint8_t *)data, strlen(data), out, &olen,
	    err, sizeof(err)), KS_ENOTFOUND, "'K' for a peer without a PSK");
	is_str(err, "keyring 'vpn' on token 'unit' has no pre-shared key for "
	    "address 11.0.0.1", "the library's message comes through");
	olen = sizeof(out);
	is_int(signer_psk_auth(RING, KS_PEER_ADDRESS, "10.1.2.3",
	    IKE_HASH_MD5, octets, 10, out, &olen, err, sizeof(err)), KS_EUSAGE,
	    "'A' with MD5 not sent");
	is_int(signer_psk_prf(RING, KS_PEER_ADDRESS, "10.1.2.3", 3,
	    octets, 10, out, &olen, err, sizeof(err)), KS_EUSAGE,
	    "hash 3 not sent");
	is_int(signer_psk_prf(RING, 7, "10.1.2.3", IKE_HASH_SHA, octets, 10,
	    out, &olen, err, sizeof(err)), KS_EUSAGE, "kind 7 not sent");
	is_int(signer_psk_prf(RING, KS_PEER_ADDRESS, "10.1.2.3", IKE_HASH_SHA,
	    octets, 0, out, &olen, err, sizeof(err)), KS_EUSAGE,
	    "no data not sent");
	is_int(signer_psk_prf("", KS_PEER_ADDRESS, "10.1.2.3", IKE_HASH_SHA,
	    octets, 10, out, &olen, err, sizeof(err)), KS_EUSAGE,
	    "an empty keyring name not sent");
	memset(big, 0, sizeof(big));
	olen = sizeof(out);
	ok(signer_psk_auth(RING, KS_PEER_ADDRESS, "10.1.2.3", IKE_HASH_SHA512,
	    big, SIGNER_DATA_MAX, out, &olen, err, sizeof(err)) == KS_OK &&
	    olen == 64, "'A' over SIGNER_DATA_MAX octets");
	is_int(signer_psk_auth(RING, KS_PEER_ADDRESS, "10.1.2.3",
	    IKE_HASH_SHA512, big, SIGNER_DATA_MAX + 1, out, &olen, err,
	    sizeof(err)), KS_EUSAGE, "one octet more not sent");
	is_str(err, "15361 octets for a pre-shared key prf; the signer takes "
	    "1 to 15360", "and the error says the limit");
	olen = 19;
	is_int(signer_psk_prf(RING, KS_PEER_ADDRESS, "10.1.2.3", IKE_HASH_SHA,
	    octets, 10, out, &olen, err, sizeof(err)), KS_EUSAGE,
	    "a 19-octet buffer for a SHA-1 prf refused");
	is_int(signer_keyring_exists(RING, err, sizeof(err)), KS_OK,
	    "signer_keyring_exists: vpn");
	is_int(signer_keyring_exists("nosuch", err, sizeof(err)),
	    KS_ENOTFOUND, "signer_keyring_exists: nosuch");
}

static void
test_signer(const char *dir)
{
	char err[768];
	pid_t pid;
	int fd, status;

	if (unit_signer_start(dir, &conf, KEY, &fd, &pid) != 0)
		return;

	/* the start's check of the keyrings the configuration names */
	conf.npeer = 2;
	snprintf(conf.peers[0].name, sizeof(conf.peers[0].name), "10.1.2.3");
	snprintf(conf.peers[0].keyring, sizeof(conf.peers[0].keyring), RING);
	snprintf(conf.peers[1].name, sizeof(conf.peers[1].name), "10.9.9.9");
	snprintf(conf.peers[1].keyring, sizeof(conf.peers[1].keyring),
	    "default");
	conf.v2.nprofile = 1;
	snprintf(conf.v2.profiles[0].name, sizeof(conf.v2.profiles[0].name),
	    "p");
	is_int(signer_check_keyrings(fd, &conf, err, sizeof(err)), KS_OK,
	    "start: 'vpn', 'default' and a profile's \"\" are there");
	snprintf(conf.v2.profiles[0].keyring,
	    sizeof(conf.v2.profiles[0].keyring), "branch");
	is_int(signer_check_keyrings(fd, &conf, err, sizeof(err)),
	    KS_ENOTFOUND, "start: a profile naming a missing keyring fails");
	is_str(err, "crypto ikev2 profile p names keyring 'branch': no keyring "
	    "'branch' on token 'unit'; create it first", "and says which");

	signer_use(fd, (long)pid);
	test_signer_calls();
	test_signer_raw(fd);

	signer_stop();
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the signer exits when its socket "
	    "closes");
}

int
main(void)
{
	char dir[] = "/tmp/t_psk_prf.XXXXXX", cmd[128];
	ks_ctx *ctx;

	if ((ctx = unit_token(dir)) == NULL)
		return 1;
	if (ks_generate(ctx, KEY, 1024, KS_KIND_GENERAL, 0) != KS_OK) {
		printf("Bail out! %s\n", ks_ctx_error(ctx));
		ks_ctx_free(ctx);
		return 1;
	}
	test_library(ctx);
	ks_ctx_free(ctx);	/* the module is loaded again below */
	test_no_hmac();
	test_fault_sweep(dir);
	test_signer(dir);
	alg_free();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return done_testing();
}
