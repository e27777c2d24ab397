/*
 * fuzz_enccopy.c -- libFuzzer target for the encrypted-copy parser
 * (libkeystore/enccopy.c): parse, and when that succeeds, encode the
 * result again under a fixed MAC key and parse that back.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libkeystore/ks_protect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_enc e, again;
	struct ks_enc_keys k;
	unsigned char *out = NULL;
	size_t outlen = 0;

	if (kx_enc_parse(data, size, &e) != 0)
		return 0;
	memset(&k, 0x5a, sizeof(k));
	(void)kx_enc_mac_ok(data, &e, &k);
	if (kx_enc_encode(&e, &k, &out, &outlen) == 0) {
		if (kx_enc_parse(out, outlen, &again) != 0 ||
		    again.bloblen != e.bloblen || again.idlen != e.idlen ||
		    !kx_enc_mac_ok(out, &again, &k))
			abort();
		free(out);
	}
	return 0;
}
