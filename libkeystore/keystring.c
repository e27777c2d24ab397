/*
 * keystring.c -- the IOS "key-string" form of a public key: the hex of a
 * DER SubjectPublicKeyInfo, as "show crypto key mypubkey rsa" prints it
 * under "Key Data:" and as "key-string ... quit" takes it.
 *
 * Accepted: hex digits in either case, any whitespace (spaces, tabs,
 * newlines) anywhere, and one optional "quit" (any case) after the last
 * digit.  At most KS_KEYSTRING_MAX bytes of text and KR_SPKI_MAX bytes of
 * key.  Everything else is refused with the line and column of the first
 * fault; the bytes must then pass kr_spki_check (an RSA or EC SPKI).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kr_internal.h"

struct scan {
	const char	*text;
	size_t		 len;
	size_t		 pos;
	unsigned	 line;
	size_t		 linestart;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

/* "quit" at pos, followed by whitespace or the end? */
static int
at_quit(const struct scan *s)
{
	size_t rest = s->len - s->pos;

	if (rest < 4 || strncasecmp(s->text + s->pos, "quit", 4) != 0)
		return 0;
	return rest == 4 || is_space(s->text[s->pos + 4]);
}

static ks_status
bad_char(ks_ctx *ctx, const struct scan *s)
{
	unsigned char c = (unsigned char)s->text[s->pos];
	size_t col = s->pos - s->linestart + 1;

	if (c > ' ' && c < 0x7f)
		return kx_fail(ctx, KS_EINPUT, "key-string line %u, column %zu: "
		    "'%c' is not a hexadecimal digit", s->line, col, c);
	return kx_fail(ctx, KS_EINPUT, "key-string line %u, column %zu: byte "
	    "0x%02X is not a hexadecimal digit", s->line, col, c);
}

/* Hex digits into buf (KR_SPKI_MAX bytes); *ndigits counts them. */
static ks_status
scan_hex(ks_ctx *ctx, struct scan *s, unsigned char *buf, size_t *ndigits)
{
	int quit = 0, v;
	size_t n = 0;

	for (s->pos = 0; s->pos < s->len; s->pos++) {
		char c = s->text[s->pos];

		if (c == '\n') {
			s->line++;
			s->linestart = s->pos + 1;
			continue;
		}
		if (is_space(c))
			continue;
		if (quit)
			return kx_fail(ctx, KS_EINPUT, "key-string line %u: text "
			    "after 'quit'", s->line);
		if (at_quit(s)) {
			quit = 1;
			s->pos += 3;
			continue;
		}
		if ((v = kx_hexval(c)) < 0)
			return bad_char(ctx, s);
		if (n / 2 >= KR_SPKI_MAX)
			return kx_fail(ctx, KS_EINPUT, "key-string is longer "
			    "than %d bytes; a public key is shorter",
			    KR_SPKI_MAX);
		if (n % 2 == 0)
			buf[n / 2] = (unsigned char)(v << 4);
		else
			buf[n / 2] |= (unsigned char)v;
		n++;
	}
	*ndigits = n;
	return KS_OK;
}

ks_status
ks_keystring_parse(ks_ctx *ctx, const char *text, size_t len,
    unsigned char **spki, size_t *spkilen)
{
	struct scan s;
	unsigned char *buf;
	size_t ndigits = 0;
	unsigned bits;
	ks_status st;

	*spki = NULL;
	*spkilen = 0;
	if (len > KS_KEYSTRING_MAX)
		return kx_fail(ctx, KS_EINPUT, "key-string text is %zu bytes; "
		    "at most %d are read", len, KS_KEYSTRING_MAX);
	memset(&s, 0, sizeof(s));
	s.text = text;
	s.len = len;
	s.line = 1;
	if ((buf = malloc(KR_SPKI_MAX)) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	if ((st = scan_hex(ctx, &s, buf, &ndigits)) != KS_OK)
		goto out;
	if (ndigits == 0)
		st = kx_fail(ctx, KS_EINPUT, "key-string has no hex digits");
	else if (ndigits % 2 != 0)
		st = kx_fail(ctx, KS_EINPUT, "key-string has an odd number of "
		    "hex digits (%zu); every byte is two digits", ndigits);
	else
		st = kr_spki_check(ctx, buf, ndigits / 2, "the key-string",
		    spki, spkilen, &bits);
out:
	free(buf);
	return st;
}
