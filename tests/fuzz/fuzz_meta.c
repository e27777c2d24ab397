/*
 * fuzz_meta.c -- libFuzzer target for the cryptokey-meta record parser.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "libkeystore/ks_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_meta m;
	char buf[KS_META_MAX];

	if (kx_meta_parse((const char *)data, size, &m) == 0)
		(void)kx_meta_encode(&m, buf, sizeof(buf));
	return 0;
}
