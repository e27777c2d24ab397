/*
 * show_ios.c -- keyrings as IOS configuration, to paste into a router:
 *
 *	crypto keyring NAME			a keyring
 *	 description TEXT
 *	 local-address ADDR
 *	 pre-shared-key address A [MASK] key ******
 *	 rsa-pubkey address A [signature|encryption]
 *	  address A
 *	  key-string
 *	   30820122 ...
 *	  quit
 *	crypto key pubkey-chain rsa		the keyring "default"
 *	 addressed-key A [signature|encryption]
 *	 named-key NAME [signature|encryption]
 *	crypto isakmp key ****** address A [MASK]
 *
 * Pre-shared keys never leave the token: "******" stands in for them and
 * a comment says so.  IOS keyrings and the pubkey chain hold RSA keys
 * only (IOS authenticates ECDSA peers by certificate), so an EC peer key
 * is printed as a comment that names it, its curve and its key-string:
 *
 *	! ec-pubkey address A [signature|encryption] (P-256): IOS keyrings
 *	! hold RSA keys only; this one is for cryptokey and ikesignd
 *	!  key-string
 *	!   30593013 ...
 *	!  quit
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cryptokeyring.h"

#define MASKED	"******"

static const char *
usage_word(ks_usage u)
{
	switch (u) {
	case KS_USAGE_SIGNATURE:
		return " signature";
	case KS_USAGE_ENCRYPTION:
		return " encryption";
	case KS_USAGE_GENERAL:
	default:
		return "";
	}
}

/* "10.0.0.0/24" as "10.0.0.0 255.255.255.0"; IPv6 as "ipv6 P/N". */
static void
ios_address(FILE *f, const char *id)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(id, '/');
	unsigned long bits, mask;
	size_t hlen;

	if (strchr(id, ':') != NULL) {
		fprintf(f, "ipv6 %s%s", id, slash == NULL ? "/128" : "");
		return;
	}
	if (slash == NULL) {
		fputs(id, f);
		return;
	}
	hlen = (size_t)(slash - id);
	if (hlen >= sizeof(host)) {
		fputs(id, f);
		return;
	}
	memcpy(host, id, hlen);
	host[hlen] = '\0';
	bits = strtoul(slash + 1, NULL, 10);
	mask = bits == 0 ? 0 : (0xffffffffUL << (32 - bits)) & 0xffffffffUL;
	fprintf(f, "%s %lu.%lu.%lu.%lu", host, mask >> 24, (mask >> 16) & 0xff,
	    (mask >> 8) & 0xff, mask & 0xff);
}

static void
key_string(FILE *f, const ks_peer *p)
{
	const unsigned char *spki;
	size_t len;

	fprintf(f, "  key-string\n");
	if ((spki = ks_peer_spki(p, &len)) != NULL)
		keydata_print(f, spki, len, "   ");
	fprintf(f, "  quit\n");
}

/* An EC key: IOS has no statement for it, so all of it is a comment. */
static void
ec_pubkey(FILE *f, const ks_peer *p)
{
	const unsigned char *spki;
	const char *curve = ks_curve_name(ks_peer_curve(p));
	size_t len;

	fprintf(f, " ! ec-pubkey %s %s%s (%s): IOS keyrings hold RSA keys "
	    "only;\n ! this one is for cryptokey and ikesignd\n",
	    ks_peer_by_name(ks_peer_match(p)), ks_peer_id(p),
	    usage_word(ks_peer_usage(p)), curve != NULL ? curve : "EC");
	fprintf(f, " !  key-string\n");
	if ((spki = ks_peer_spki(p, &len)) != NULL)
		keydata_print(f, spki, len, " !   ");
	fprintf(f, " !  quit\n");
}

static void
keyring_pubkey(FILE *f, const ks_peer *p)
{
	int byaddr = ks_peer_match(p) == KS_PEER_ADDRESS;

	if (ks_peer_key_type(p) == KS_KEY_EC) {
		ec_pubkey(f, p);
		return;
	}
	fprintf(f, " rsa-pubkey %s %s%s\n", byaddr ? "address" : "name",
	    ks_peer_id(p), usage_word(ks_peer_usage(p)));
	if (byaddr)
		fprintf(f, "  address %s\n", ks_peer_id(p));
	key_string(f, p);
}

static void
keyring_psk(FILE *f, const ks_peer *p)
{
	if (ks_peer_match(p) == KS_PEER_ADDRESS) {
		fputs(" pre-shared-key address ", f);
		ios_address(f, ks_peer_id(p));
	} else if (ks_peer_match(p) == KS_PEER_HOSTNAME)
		fprintf(f, " pre-shared-key hostname %s", ks_peer_id(p));
	else	/* IOS keyrings hold no such entry: keep it a comment */
		fprintf(f, " ! pre-shared-key name %s (ikesignd: Aggressive "
		    "Mode ID_USER_FQDN or ID_KEY_ID)", ks_peer_id(p));
	fprintf(f, " key %s\n", MASKED);
}

static size_t
count_kind(const ks_keyring *r, ks_peer_kind kind)
{
	size_t i, c = 0;

	for (i = 0; i < ks_keyring_count(r); i++)
		if (ks_peer_kind_of(ks_keyring_entry(r, i)) == kind)
			c++;
	return c;
}

static void
named_ring(FILE *f, const ks_keyring *r)
{
	const ks_peer *p;
	size_t i;

	fprintf(f, "crypto keyring %s\n", ks_keyring_name(r));
	if (ks_keyring_description(r) != NULL)
		fprintf(f, " description %s\n", ks_keyring_description(r));
	if (ks_keyring_local_address(r) != NULL)
		fprintf(f, " local-address %s\n", ks_keyring_local_address(r));
	for (i = 0; i < ks_keyring_count(r); i++)
		if (ks_peer_kind_of(p = ks_keyring_entry(r, i)) == KS_PEER_PSK)
			keyring_psk(f, p);
	for (i = 0; i < ks_keyring_count(r); i++)
		if (ks_peer_kind_of(p = ks_keyring_entry(r, i)) ==
		    KS_PEER_PUBKEY)
			keyring_pubkey(f, p);
}

static void
default_ring(FILE *f, const ks_keyring *r, int asked)
{
	const ks_peer *p;
	size_t i;

	if (count_kind(r, KS_PEER_PUBKEY) > 0 || asked)
		fprintf(f, "crypto key pubkey-chain rsa\n");
	for (i = 0; i < ks_keyring_count(r); i++) {
		p = ks_keyring_entry(r, i);
		if (ks_peer_kind_of(p) != KS_PEER_PUBKEY)
			continue;
		if (ks_peer_key_type(p) == KS_KEY_EC) {
			ec_pubkey(f, p);
			continue;
		}
		fprintf(f, " %s %s%s\n", ks_peer_match(p) == KS_PEER_ADDRESS ?
		    "addressed-key" : "named-key", ks_peer_id(p),
		    usage_word(ks_peer_usage(p)));
		key_string(f, p);
	}
	for (i = 0; i < ks_keyring_count(r); i++) {
		p = ks_keyring_entry(r, i);
		if (ks_peer_kind_of(p) != KS_PEER_PSK)
			continue;
		if (ks_peer_match(p) == KS_PEER_ADDRESS) {
			fprintf(f, "crypto isakmp key %s address ", MASKED);
			ios_address(f, ks_peer_id(p));
			fputc('\n', f);
		} else
			fprintf(f, "crypto isakmp key %s hostname %s\n", MASKED,
			    ks_peer_id(p));
	}
}

void
show_ios(FILE *f, ks_keyring **rings, size_t n, int asked)
{
	size_t i, psks = 0;

	for (i = 0; i < n; i++)
		psks += count_kind(rings[i], KS_PEER_PSK);
	if (psks > 0)
		fprintf(f, "! Pre-shared keys stay on the token: replace %s "
		    "with each key.\n", MASKED);
	for (i = 0; i < n; i++) {
		if (strcmp(ks_keyring_name(rings[i]), KS_KEYRING_DEFAULT) != 0)
			named_ring(f, rings[i]);
		else if (ks_keyring_count(rings[i]) > 0 || asked)
			default_ring(f, rings[i], asked);
		else
			continue;	/* an empty default says nothing */
		fprintf(f, "!\n");
	}
}
