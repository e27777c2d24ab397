/*
 * pinsrc.c -- the PIN policy (see pinsrc.h for the order and why).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>

#include "pinsrc.h"
#include "secret.h"

static int
given(const char *s)
{
	return s != NULL && s[0] != '\0';
}

enum pin_from
pin_pick(const struct pin_inputs *in)
{
	if (given(in->cli))
		return PIN_FROM_CLI;
	if (in->uri_value != NULL)	/* even empty: refused below */
		return PIN_FROM_URI_VALUE;
	if (given(in->uri_source))
		return PIN_FROM_URI_SOURCE;
	if (given(in->config))
		return PIN_FROM_CONFIG;
	if (given(in->embedded))
		return PIN_FROM_EMBEDDED;
	if (in->prompt == PIN_PROMPT_NEVER)
		return PIN_FROM_NONE;
	return PIN_FROM_PROMPT;
}

const char *
pin_from_name(enum pin_from from)
{
	switch (from) {
	case PIN_FROM_CLI:
		return "--pin-source";
	case PIN_FROM_URI_VALUE:
		return "the token URI's pin-value";
	case PIN_FROM_URI_SOURCE:
		return "the token URI's pin-source";
	case PIN_FROM_CONFIG:
		return "the configuration's pin-source";
	case PIN_FROM_EMBEDDED:
		return "the embedded token's user.pin";
	case PIN_FROM_PROMPT:
		return "the terminal";
	case PIN_FROM_NONE:
	default:
		return "no PIN source";
	}
}

static const char *
source_of(const struct pin_inputs *in, enum pin_from from)
{
	switch (from) {
	case PIN_FROM_CLI:
		return in->cli;
	case PIN_FROM_URI_SOURCE:
		return in->uri_source;
	case PIN_FROM_CONFIG:
		return in->config;
	case PIN_FROM_EMBEDDED:
		return in->embedded;
	default:
		return "prompt";
	}
}

static ks_status
from_value(const char *v, char *buf, size_t bufsz, size_t *len, char *err,
    size_t errsz)
{
	size_t n = strlen(v);

	if (n > bufsz) {
		snprintf(err, errsz, "the token URI's pin-value is longer "
		    "than %zu bytes", bufsz);
		return KS_EINPUT;
	}
	memcpy(buf, v, n);
	*len = n;
	return KS_OK;
}

ks_status
pin_get(const struct pin_inputs *in, const char *prompt, char *buf,
    size_t bufsz, size_t *len, char *err, size_t errsz)
{
	enum pin_from from = pin_pick(in);
	char serr[512];
	ks_status st;

	*len = 0;
	if (from == PIN_FROM_NONE) {
		snprintf(err, errsz, "no PIN source: set pin-source in the "
		    "configuration or in the token URI (no terminal to ask)");
		return KS_EAUTH;
	}
	if (from == PIN_FROM_URI_VALUE)
		st = from_value(in->uri_value, buf, bufsz, len, err, errsz);
	else {
		st = secret_read(source_of(in, from), prompt,
		    in->prompt != PIN_PROMPT_YES, 0, buf, bufsz, len, serr,
		    sizeof(serr));
		if (st != KS_OK)
			snprintf(err, errsz, "%s", serr);
	}
	if (st == KS_OK && *len == 0) {
		/* do not spend a login attempt on it */
		snprintf(err, errsz, "%s gave an empty PIN", pin_from_name(from));
		st = KS_EINPUT;
	}
	if (st != KS_OK) {
		OPENSSL_cleanse(buf, bufsz);
		*len = 0;
	}
	return st;
}

int
pin_uri_has_value(const char *token)
{
	const char *q, *end;
	size_t n = strlen("pin-value");

	if (token == NULL || strncasecmp(token, "pkcs11:", 7) != 0 ||
	    (q = strchr(token, '?')) == NULL)
		return 0;
	for (q++; *q != '\0'; q = *end == '\0' ? end : end + 1) {
		if ((end = strchr(q, '&')) == NULL)
			end = q + strlen(q);
		if ((size_t)(end - q) >= n && strncasecmp(q, "pin-value",
		    n) == 0 && (q[n] == '=' || q + n == end))
			return 1;
	}
	return 0;
}
