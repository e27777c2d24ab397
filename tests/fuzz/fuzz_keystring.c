/*
 * fuzz_keystring.c -- libFuzzer target for the IOS key-string parser
 * (hex of a SubjectPublicKeyInfo, free whitespace, optional "quit").
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "libkeystore/kr_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ks_ctx *ctx;
	unsigned char *spki = NULL;
	size_t len = 0;

	if (ctx == NULL && ks_ctx_new(&ctx) != KS_OK)
		return 0;
	if (ks_keystring_parse(ctx, (const char *)data, size, &spki, &len) ==
	    KS_OK && (len == 0 || spki == NULL))
		abort();	/* success must give a key */
	free(spki);
	return 0;
}
