/*
 * peeropt.c -- the peer options of the entry verbs (--address,
 * --hostname, --name) and the checks made before the token is opened.
 */
#include "config.h"

#include <stdio.h>

#include "cryptokeyring.h"

static char *opt_address, *opt_hostname, *opt_name;

struct poptOption peer_options[] = {
	{ "address", '\0', POPT_ARG_STRING, &opt_address, 0,
	  "the peer's IPv4 or IPv6 address (IOS addressed-key)", "ADDR" },
	{ "hostname", '\0', POPT_ARG_STRING, &opt_hostname, 0,
	  "the peer's host name (FQDN identity)", "FQDN" },
	{ "name", '\0', POPT_ARG_STRING, &opt_name, 0,
	  "the peer's name (IOS named-key)", "NAME" },
	POPT_TABLEEND
};

struct poptOption psk_peer_options[] = {
	{ "address", '\0', POPT_ARG_STRING, &opt_address, 0,
	  "a peer address or subnet (/N or /255.255.255.0)",
	  "ADDR[/MASK]" },
	{ "hostname", '\0', POPT_ARG_STRING, &opt_hostname, 0,
	  "the peer's host name (FQDN identity)", "FQDN" },
	{ "name", '\0', POPT_ARG_STRING, &opt_name, 0,
	  "the name an Aggressive Mode peer sends (ID_USER_FQDN, ID_KEY_ID)",
	  "NAME" },
	POPT_TABLEEND
};

static int
with_ctx(int (*fn)(ks_ctx *, void *), void *arg)
{
	ks_ctx *ctx;
	int st;

	if (ks_ctx_new(&ctx) != KS_OK)
		return tool_fail(KS_EFAIL, "out of memory");
	st = fn(ctx, arg);
	ks_ctx_free(ctx);
	return st;
}

static int
name_cb(ks_ctx *ctx, void *arg)
{
	ks_status st;

	if ((st = ks_keyring_name_check(ctx, arg)) != KS_OK)
		return tool_fail_ctx(ctx, st);
	return KS_OK;
}

int
check_keyring(const char *name)
{
	return with_ctx(name_cb, (void *)name);
}

struct choice {
	int		 mask_ok;
	ks_peer_by	 by;
	const char	*in;
	char		*norm;
	size_t		 normsz;
};

static int
norm_cb(ks_ctx *ctx, void *arg)
{
	struct choice *c = arg;
	ks_status st;

	st = ks_peer_id_normalise(ctx, c->by, c->mask_ok, c->in, c->norm,
	    c->normsz);
	if (st != KS_OK)
		return tool_fail_ctx(ctx, st);
	return KS_OK;
}

int
peer_choice(int mask_ok, ks_peer_by *by, char *norm, size_t normsz)
{
	struct choice c;
	int given = (opt_address != NULL) + (opt_hostname != NULL) +
	    (opt_name != NULL);

	if (given != 1)
		return tool_fail(KS_EUSAGE, "give the peer as exactly one of "
		    "--address, --hostname or --name");
	c.mask_ok = mask_ok;
	c.norm = norm;
	c.normsz = normsz;
	if (opt_address != NULL) {
		c.by = KS_PEER_ADDRESS;
		c.in = opt_address;
	} else if (opt_hostname != NULL) {
		c.by = KS_PEER_HOSTNAME;
		c.in = opt_hostname;
	} else {
		c.by = KS_PEER_NAME;
		c.in = opt_name;
	}
	*by = c.by;
	return with_ctx(norm_cb, &c);
}
