/*
 * label.c -- key names: the IOS default (the host's FQDN) and what we allow.
 */
#include "config.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ks_internal.h"

ks_status
ks_default_label(char *buf, size_t bufsz)
{
	struct addrinfo hints, *res = NULL;
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		return KS_EFAIL;
	host[sizeof(host) - 1] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = AI_CANONNAME;
	if (strchr(host, '.') == NULL &&
	    getaddrinfo(host, NULL, &hints, &res) == 0 && res != NULL &&
	    res->ai_canonname != NULL && strchr(res->ai_canonname, '.') != NULL)
		snprintf(host, sizeof(host), "%s", res->ai_canonname);
	if (res != NULL)
		freeaddrinfo(res);
	if (strlen(host) >= bufsz || strlen(host) > KS_LABEL_MAX)
		return KS_EFAIL;
	memcpy(buf, host, strlen(host) + 1);
	return KS_OK;
}

/* Printable ASCII without spaces, like an IOS key name, and not the "peer/"
 * or "psk/" prefixes keyrings use. */
ks_status
ks_label_check(ks_ctx *ctx, const char *label)
{
	size_t i, len;

	if (label == NULL || (len = strlen(label)) == 0)
		return kx_fail(ctx, KS_EUSAGE, "empty key name");
	if (len > KS_LABEL_MAX)
		return kx_fail(ctx, KS_EUSAGE, "key name is %zu bytes; at most "
		    "%d are allowed", len, KS_LABEL_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (c <= ' ' || c >= 0x7f)
			return kx_fail(ctx, KS_EUSAGE, "key name has a space "
			    "or control character at byte %zu; use printable "
			    "ASCII without spaces", i + 1);
	}
	if (strncmp(label, "peer/", 5) == 0 || strncmp(label, "psk/", 4) == 0 ||
	    strncmp(label, "keyring/", 8) == 0)
		return kx_fail(ctx, KS_EUSAGE, "key name '%s' uses a prefix "
		    "reserved for keyrings", label);
	return KS_OK;
}
