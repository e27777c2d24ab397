/*
 * hex.c -- hexadecimal digits, for the record IDs, PEM IVs and key-strings.
 */
#include "config.h"

#include "ks_internal.h"

int
kx_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
kx_hex_decode(const char *hex, size_t hexlen, unsigned char *out,
    size_t outsz)
{
	size_t i;
	int hi, lo;

	if (hexlen % 2 != 0 || hexlen / 2 > outsz)
		return -1;
	for (i = 0; i < hexlen; i += 2) {
		if ((hi = kx_hexval(hex[i])) < 0 ||
		    (lo = kx_hexval(hex[i + 1])) < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(hexlen / 2);
}
