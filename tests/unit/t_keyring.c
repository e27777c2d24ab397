/*
 * t_keyring.c -- the keyring API against a real SoftHSM2 token in a temp
 * dir, above all ks_keyring_peer_key, the lookup ikesignd makes: by
 * address, host name and name, by usage, per keyring.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "keystore.h"
#include "tap.h"
#include "token.h"

struct der {
	unsigned char	*v;
	size_t		 len;
};

static struct der
new_key(void)
{
	struct der d = { NULL, 0 };
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	int n;

	if (pk != NULL && (n = i2d_PUBKEY(pk, &d.v)) > 0)
		d.len = (size_t)n;
	EVP_PKEY_free(pk);
	return d;
}

/* Is the key found for (ring, by, id, usage) the key want? */
static int
finds(ks_ctx *ctx, const char *ring, ks_peer_by by, const char *id,
    ks_usage usage, const struct der *want)
{
	unsigned char *spki = NULL;
	size_t len = 0;
	int same;

	if (ks_keyring_peer_key(ctx, ring, by, id, usage, &spki, &len) !=
	    KS_OK)
		return 0;
	same = len == want->len && memcmp(spki, want->v, len) == 0;
	free(spki);
	return same;
}

static ks_status
lookup(ks_ctx *ctx, const char *ring, ks_peer_by by, const char *id,
    ks_usage usage)
{
	unsigned char *spki = NULL;
	size_t len = 0;
	ks_status st;

	st = ks_keyring_peer_key(ctx, ring, by, id, usage, &spki, &len);
	free(spki);
	return st;
}

static void
test_lookup(ks_ctx *ctx, const struct der *a, const struct der *b)
{
	is_int(lookup(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.1",
	    KS_USAGE_SIGNATURE), KS_ENOTFOUND, "empty pubkey chain: not found");
	is_int(ks_keyring_add_pubkey(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.1",
	    KS_USAGE_GENERAL, a->v, a->len), KS_OK, "add a general key");
	ok(finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.1", KS_USAGE_SIGNATURE,
	    a), "a general key serves signatures");
	ok(finds(ctx, "default", KS_PEER_ADDRESS, "192.0.2.1",
	    KS_USAGE_ENCRYPTION, a), "... and encryption (keyring 'default')");

	is_int(ks_keyring_add_pubkey(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.2",
	    KS_USAGE_SIGNATURE, a->v, a->len), KS_OK, "add a signature key");
	is_int(ks_keyring_add_pubkey(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.2",
	    KS_USAGE_ENCRYPTION, b->v, b->len), KS_OK,
	    "add an encryption key for the same peer");
	is_int(ks_keyring_add_pubkey(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.2",
	    KS_USAGE_GENERAL, b->v, b->len), KS_EEXIST,
	    "a general key beside usage keys is refused");
	ok(finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.2", KS_USAGE_SIGNATURE,
	    a), "signature lookup finds the signature key");
	ok(finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.2", KS_USAGE_ENCRYPTION,
	    b), "encryption lookup finds the encryption key");
	ok(finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.2", KS_USAGE_GENERAL, a),
	    "general lookup prefers the signature key");

	is_int(ks_keyring_add_pubkey(ctx, NULL, KS_PEER_ADDRESS, "2001:db8::5",
	    KS_USAGE_SIGNATURE, b->v, b->len), KS_OK, "add an IPv6 peer");
	ok(finds(ctx, NULL, KS_PEER_ADDRESS, "2001:DB8:0:0:0:0:0:5",
	    KS_USAGE_SIGNATURE, b), "found however the address is written");
	is_int(lookup(ctx, NULL, KS_PEER_ADDRESS, "2001:db8::5",
	    KS_USAGE_ENCRYPTION), KS_ENOTFOUND,
	    "a signature key does not serve encryption");
	is_int(lookup(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.256",
	    KS_USAGE_SIGNATURE), KS_EINPUT, "a bad address is bad input");

	is_int(ks_keyring_add_pubkey(ctx, NULL, KS_PEER_NAME,
	    "peer.example.com", KS_USAGE_SIGNATURE, a->v, a->len), KS_OK,
	    "add a named key");
	ok(finds(ctx, NULL, KS_PEER_HOSTNAME, "peer.example.com",
	    KS_USAGE_SIGNATURE, a), "an FQDN identity finds a named key");
	is_int(ks_keyring_add_pubkey(ctx, NULL, KS_PEER_HOSTNAME,
	    "GW.Example.NET.", KS_USAGE_SIGNATURE, b->v, b->len), KS_OK,
	    "add a key by host name");
	ok(finds(ctx, NULL, KS_PEER_HOSTNAME, "gw.example.net",
	    KS_USAGE_SIGNATURE, b), "found by the normal host name");
	ok(finds(ctx, NULL, KS_PEER_NAME, "GW.example.net", KS_USAGE_SIGNATURE,
	    b), "a name lookup finds a key added by host name");
	is_int(lookup(ctx, NULL, KS_PEER_HOSTNAME, "other.example.net",
	    KS_USAGE_SIGNATURE), KS_ENOTFOUND, "an unknown host: not found");
	ok(strstr(ks_ctx_error(ctx), "other.example.net") != NULL,
	    "the message names the peer: %s", ks_ctx_error(ctx));
}

static void
test_rings(ks_ctx *ctx, const struct der *a, const struct der *b)
{
	ks_keyring **rings;
	size_t n = 0, removed = 0;

	is_int(ks_keyring_add_pubkey(ctx, "branch", KS_PEER_ADDRESS,
	    "192.0.2.1", KS_USAGE_GENERAL, b->v, b->len), KS_ENOTFOUND,
	    "adding to a keyring that does not exist: not found");
	is_int(ks_keyring_create(ctx, "branch", "Branch offices",
	    "192.0.2.254"), KS_OK, "create keyring 'branch'");
	is_int(ks_keyring_create(ctx, "branch", NULL, NULL), KS_EEXIST,
	    "create it twice: exists");
	is_int(ks_keyring_add_pubkey(ctx, "branch", KS_PEER_ADDRESS,
	    "192.0.2.1", KS_USAGE_GENERAL, b->v, b->len), KS_OK,
	    "the same peer in another keyring");
	ok(finds(ctx, "branch", KS_PEER_ADDRESS, "192.0.2.1",
	    KS_USAGE_SIGNATURE, b), "keyring 'branch' gives its own key");
	ok(finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.1", KS_USAGE_SIGNATURE,
	    a), "the default keyring still gives its own");
	is_int(lookup(ctx, "nosuch", KS_PEER_ADDRESS, "192.0.2.1",
	    KS_USAGE_SIGNATURE), KS_ENOTFOUND, "unknown keyring: not found");
	is_int(lookup(ctx, "bad/ring", KS_PEER_ADDRESS, "192.0.2.1",
	    KS_USAGE_SIGNATURE), KS_EUSAGE, "a bad keyring name is a usage "
	    "error");

	is_int(ks_keyring_add_psk(ctx, "branch", KS_PEER_ADDRESS,
	    "10.1.0.0/16", (const unsigned char *)"k", 1), KS_OK,
	    "add a one-byte PSK");
	is_int(ks_keyring_add_psk(ctx, "branch", KS_PEER_NAME, "x y",
	    (const unsigned char *)"k", 1), KS_EINPUT, "a PSK for a name with a "
	    "space refused");
	is_int(ks_keyring_add_psk(ctx, "branch", KS_PEER_HOSTNAME, "h.example",
	    (const unsigned char *)"", 0), KS_EINPUT, "an empty PSK refused");

	is_int(ks_keyring_list(ctx, "branch", &rings, &n), KS_OK, "list branch");
	if (n == 1) {
		is_str(ks_keyring_description(rings[0]), "Branch offices",
		    "its description");
		is_str(ks_keyring_local_address(rings[0]), "192.0.2.254",
		    "its local address");
		is_int(ks_keyring_count(rings[0]), 2, "two entries");
		ok(ks_peer_kind_of(ks_keyring_entry(rings[0], 1)) ==
		    KS_PEER_PSK && ks_peer_sensitive(ks_keyring_entry(rings[0],
		    1)) && !ks_peer_extractable(ks_keyring_entry(rings[0], 1)),
		    "the PSK reads back sensitive and not extractable");
	} else
		ok(0, "list gave %zu keyrings, wanted 1", n);
	ks_keyrings_free(rings, n);
	is_int(ks_keyring_list(ctx, NULL, &rings, &n), KS_OK, "list all");
	is_int(n, 2, "default and branch");
	ks_keyrings_free(rings, n);

	is_int(ks_keyring_delete(ctx, "default", &removed), KS_EPERM,
	    "the default keyring cannot be deleted");
	is_int(ks_keyring_delete(ctx, "branch", &removed), KS_OK,
	    "delete branch");
	is_int(removed, 2, "with its two entries");
	is_int(lookup(ctx, "branch", KS_PEER_ADDRESS, "192.0.2.1",
	    KS_USAGE_SIGNATURE), KS_ENOTFOUND, "its key is gone");
	is_int(ks_keyring_del_pubkey(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.2",
	    &removed), KS_OK, "del-pubkey of a peer with usage keys");
	is_int(removed, 2, "removes both");
}

/* In a process of its own (this program run again, as another program
 * would): remove the key of address from the default keyring. */
static int
del_elsewhere(const char *self, const char *address)
{
	pid_t pid;
	int status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execl(self, self, "--del", address, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int
del_main(const char *address)
{
	ks_ctx *ctx;
	size_t removed = 0;
	int rc = 1;

	if (ks_ctx_new(&ctx) != KS_OK)
		return 1;
	ks_ctx_set_module(ctx, SOFTHSM_MODULE);
	ks_ctx_set_pin_fn(ctx, unit_secret_cb, (void *)UNIT_PIN);
	if (ks_ctx_open(ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE) == KS_OK &&
	    ks_keyring_del_pubkey(ctx, NULL, KS_PEER_ADDRESS, address,
	    &removed) == KS_OK && removed == 1)
		rc = 0;
	ks_ctx_free(ctx);
	return rc;
}

/* The lookup remembers the key it found (peerkey.c): a key removed or
 * replaced is seen at the next lookup. */
static void
test_remembered(ks_ctx *ctx, const struct der *a, const struct der *b)
{
	size_t removed = 0;

	is_int(ks_keyring_add_pubkey(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9",
	    KS_USAGE_SIGNATURE, a->v, a->len), KS_OK, "add 192.0.2.9");
	ok(finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9", KS_USAGE_SIGNATURE,
	    a) && finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9",
	    KS_USAGE_SIGNATURE, a), "found twice (the second read again)");
	is_int(ks_keyring_del_pubkey(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9",
	    &removed), KS_OK, "remove it");
	is_int(lookup(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9",
	    KS_USAGE_SIGNATURE), KS_ENOTFOUND, "the next lookup: not found");
	is_int(ks_keyring_add_pubkey(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9",
	    KS_USAGE_SIGNATURE, b->v, b->len), KS_OK, "add another key");
	ok(finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9", KS_USAGE_SIGNATURE,
	    b), "the next lookup finds the new key");
}

/* As ikesignd's signer: a reader, while another process removes the key
 * it found (the writer context is closed: it holds the token's lock). */
static void
test_elsewhere(const char *self, const struct der *b)
{
	ks_ctx *ctx;

	ks_ctx_new(&ctx);
	ks_ctx_set_module(ctx, SOFTHSM_MODULE);
	ks_ctx_set_pin_fn(ctx, unit_secret_cb, (void *)UNIT_PIN);
	is_int(ks_ctx_open(ctx, KS_OPEN_LOGIN), KS_OK, "open a reader");
	ok(finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9", KS_USAGE_SIGNATURE,
	    b) && finds(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9",
	    KS_USAGE_SIGNATURE, b), "it finds the key twice");
	is_int(del_elsewhere(self, "192.0.2.9"), 0,
	    "another process removes it");
	is_int(lookup(ctx, NULL, KS_PEER_ADDRESS, "192.0.2.9",
	    KS_USAGE_SIGNATURE), KS_ENOTFOUND, "the next lookup: not found");
	ks_ctx_free(ctx);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/t_keyring.XXXXXX", cmd[64];
	struct der a, b;
	ks_ctx *ctx;
	int rc;

	if (argc == 3 && strcmp(argv[1], "--del") == 0)
		return del_main(argv[2]);
	if ((ctx = unit_token(dir)) == NULL)
		return 1;
	a = new_key();
	b = new_key();
	test_lookup(ctx, &a, &b);
	test_rings(ctx, &a, &b);
	test_remembered(ctx, &a, &b);
	ks_ctx_free(ctx);
	test_elsewhere(argv[0], &b);
	OPENSSL_free(a.v);
	OPENSSL_free(b.v);
	rc = done_testing();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
