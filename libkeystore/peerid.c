/*
 * peerid.c -- peer identities in keyrings: their normal form and the
 * CKA_LABEL of an entry built from keyring and identity.
 *
 * Normal forms (so that one peer has one label however it was typed):
 *	address		inet_ntop's text of an IPv4 or IPv6 address, plus
 *			"/N" for a subnet (a PSK by subnet) shorter than the
 *			address; the mask is given as /N or, for IPv4, as a
 *			dotted mask; host bits must be zero
 *	hostname	lower case, no trailing dot, letters, digits, '-',
 *			'_' and dots, at most 253 bytes
 *	name		printable ASCII without spaces, as given
 * Labels: PREFIX KEYRING "/" MATCH ":" ID, e.g. "peer/default/address:
 * 192.0.2.1" or "psk/branch/address:10.0.0.0/24".
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_internal.h"

#define HOSTNAME_MAX	253
#define LABEL_PART_MAX	63

static const char *const by_names[] = { "address", "hostname", "name" };

const char *
ks_peer_by_name(ks_peer_by by)
{
	if ((size_t)by >= sizeof(by_names) / sizeof(by_names[0]))
		return "?";
	return by_names[by];
}

/* Prefix length of a dotted IPv4 mask; -1 when the ones are not leading. */
static int
mask_bits(const struct in_addr *m)
{
	unsigned long v = ntohl(m->s_addr);
	int bits = 0;

	while (bits < 32 && (v & (0x80000000UL >> bits)) != 0)
		bits++;
	if (bits < 32 && (v & (0xffffffffUL >> bits)) != 0)
		return -1;
	return bits;
}

static int
parse_prefix(const char *s, int maxbits)
{
	int v = 0;
	size_t i, len = strlen(s);

	if (len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (len > 1 && s[0] == '0')
		return -1;
	return v <= maxbits ? v : -1;
}

/* Are the bits of addr after the first bits all zero? */
static int
host_bits_zero(const unsigned char *addr, size_t alen, int bits)
{
	size_t i;

	for (i = 0; i < alen; i++) {
		int keep = bits - (int)i * 8;
		unsigned char m;

		if (keep >= 8)
			continue;
		m = keep <= 0 ? 0xff : (unsigned char)(0xff >> keep);
		if ((addr[i] & m) != 0)
			return 0;
	}
	return 1;
}

static ks_status
normalise_address(ks_ctx *ctx, int mask_ok, const char *in, char *out,
    size_t outsz)
{
	char host[INET6_ADDRSTRLEN + 1], text[INET6_ADDRSTRLEN];
	unsigned char addr[16];
	const char *slash, *mask = NULL;
	struct in_addr dotted;
	size_t hlen;
	int af, full, bits;

	slash = strchr(in, '/');
	hlen = slash != NULL ? (size_t)(slash - in) : strlen(in);
	if (hlen == 0 || hlen >= sizeof(host))
		return kx_fail(ctx, KS_EINPUT, "'%s' is not an IPv4 or IPv6 "
		    "address", in);
	memcpy(host, in, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, addr) == 1) {
		af = AF_INET;
		full = 32;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		af = AF_INET6;
		full = 128;
	} else
		return kx_fail(ctx, KS_EINPUT, "'%s' is not an IPv4 or IPv6 "
		    "address", host);
	bits = full;
	if (slash != NULL) {
		mask = slash + 1;
		if (!mask_ok)
			return kx_fail(ctx, KS_EINPUT, "'%s': a peer key belongs "
			    "to one address, not a subnet", in);
		if (af == AF_INET && strchr(mask, '.') != NULL) {
			if (inet_pton(AF_INET, mask, &dotted) != 1 ||
			    (bits = mask_bits(&dotted)) < 0)
				return kx_fail(ctx, KS_EINPUT, "'%s' is not a "
				    "network mask (like 255.255.255.0 or /24)",
				    mask);
		} else if ((bits = parse_prefix(mask, full)) < 0)
			return kx_fail(ctx, KS_EINPUT, "'/%s' is not a prefix "
			    "length from 0 to %d", mask, full);
	}
	if (!host_bits_zero(addr, af == AF_INET ? 4 : 16, bits))
		return kx_fail(ctx, KS_EINPUT, "'%s' has bits set after the "
		    "first %d; give the network address of the subnet", in,
		    bits);
	if (inet_ntop(af, addr, text, sizeof(text)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "cannot format address '%s'",
		    host);
	if (bits < full) {
		if ((size_t)snprintf(out, outsz, "%s/%d", text, bits) >= outsz)
			return kx_fail(ctx, KS_EINPUT, "address '%s' is too "
			    "long", in);
	} else if ((size_t)snprintf(out, outsz, "%s", text) >= outsz)
		return kx_fail(ctx, KS_EINPUT, "address '%s' is too long", in);
	return KS_OK;
}

static ks_status
normalise_hostname(ks_ctx *ctx, const char *in, char *out, size_t outsz)
{
	unsigned char a[16];
	size_t len = strlen(in), i, part = 0;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0)
		return kx_fail(ctx, KS_EINPUT, "empty host name");
	if (len > HOSTNAME_MAX || len >= outsz)
		return kx_fail(ctx, KS_EINPUT, "host name '%s' is longer than "
		    "%d bytes", in, HOSTNAME_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			if (part == 0)
				return kx_fail(ctx, KS_EINPUT, "host name "
				    "'%s' has an empty label", in);
			part = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++part > LABEL_PART_MAX)
				return kx_fail(ctx, KS_EINPUT, "host name "
				    "'%s' has a label longer than %d bytes",
				    in, LABEL_PART_MAX);
		} else
			return kx_fail(ctx, KS_EINPUT, "host name '%s' has "
			    "'%c' at byte %zu; use letters, digits, '-' and "
			    "dots", in, isprint(c) ? c : '?', i + 1);
		out[i] = (char)tolower(c);
	}
	if (part == 0)
		return kx_fail(ctx, KS_EINPUT, "host name '%s' has an empty "
		    "label", in);
	out[len] = '\0';
	if (inet_pton(AF_INET, out, a) == 1 || inet_pton(AF_INET6, out, a) == 1)
		return kx_fail(ctx, KS_EINPUT, "'%s' is an address, not a host "
		    "name; use the address form", in);
	return KS_OK;
}

static ks_status
normalise_name(ks_ctx *ctx, const char *in, char *out, size_t outsz)
{
	size_t len = strlen(in), i;

	if (len == 0)
		return kx_fail(ctx, KS_EINPUT, "empty peer name");
	if (len > KS_PEER_ID_MAX || len >= outsz)
		return kx_fail(ctx, KS_EINPUT, "peer name is %zu bytes; at "
		    "most %d are allowed", len, KS_PEER_ID_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c <= ' ' || c >= 0x7f)
			return kx_fail(ctx, KS_EINPUT, "peer name has a space "
			    "or control character at byte %zu", i + 1);
	}
	memcpy(out, in, len + 1);
	return KS_OK;
}

ks_status
ks_peer_id_normalise(ks_ctx *ctx, ks_peer_by by, int mask_ok, const char *in,
    char *out, size_t outsz)
{
	if (in == NULL || out == NULL || outsz == 0)
		return kx_fail(ctx, KS_EUSAGE, "no peer identity given");
	switch (by) {
	case KS_PEER_ADDRESS:
		return normalise_address(ctx, mask_ok, in, out, outsz);
	case KS_PEER_HOSTNAME:
		return normalise_hostname(ctx, in, out, outsz);
	case KS_PEER_NAME:
		return normalise_name(ctx, in, out, outsz);
	}
	return kx_fail(ctx, KS_EUSAGE, "unknown kind of peer identity");
}

int
kr_label_make(const char *prefix, const char *keyring, ks_peer_by by,
    const char *id, char *buf, size_t bufsz)
{
	int n;

	n = snprintf(buf, bufsz, "%s%s/%s:%s", prefix, keyring,
	    ks_peer_by_name(by), id);
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

int
kr_label_split(const char *prefix, const char *label, size_t len,
    char *keyring, size_t ringsz, ks_peer_by *by, char *id, size_t idsz)
{
	size_t plen = strlen(prefix), i, rlen, blen, v;
	const char *p, *end = label + len, *slash, *colon;

	if (len <= plen || memcmp(label, prefix, plen) != 0)
		return -1;
	p = label + plen;
	if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL)
		return -1;
	rlen = (size_t)(slash - p);
	if (rlen == 0 || rlen > KS_KEYRING_NAME_MAX || rlen >= ringsz)
		return -1;
	for (i = 0; i < rlen; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-' &&
		    p[i] != '_' && p[i] != '.')
			return -1;
	memcpy(keyring, p, rlen);
	keyring[rlen] = '\0';
	p = slash + 1;
	if ((colon = memchr(p, ':', (size_t)(end - p))) == NULL)
		return -1;
	blen = (size_t)(colon - p);
	for (v = 0; v < sizeof(by_names) / sizeof(by_names[0]); v++)
		if (strlen(by_names[v]) == blen &&
		    memcmp(by_names[v], p, blen) == 0)
			break;
	if (v == sizeof(by_names) / sizeof(by_names[0]))
		return -1;
	*by = (ks_peer_by)v;
	p = colon + 1;
	if (p == end || (size_t)(end - p) >= idsz ||
	    memchr(p, '\0', (size_t)(end - p)) != NULL)
		return -1;
	memcpy(id, p, (size_t)(end - p));
	id[end - p] = '\0';
	return 0;
}
