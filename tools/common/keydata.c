/*
 * keydata.c -- the IOS "Key Data:" hex layout of a SubjectPublicKeyInfo.
 */
#include "config.h"

#include <stdio.h>

#include "tool.h"

void
keydata_print(FILE *f, const unsigned char *der, size_t len,
    const char *indent)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 32 == 0)
			fputs(indent, f);
		else if (i % 4 == 0)
			fputc(' ', f);
		fprintf(f, "%02X", der[i]);
		if (i % 32 == 31 || i == len - 1)
			fputc('\n', f);
	}
}
