/*
 * fuzz_conffile.c -- libFuzzer target for the cryptokey.conf parser.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "common/conffile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[512];

	if (config_parse((const char *)data, size, "fuzz", &c, err,
	    sizeof(err)) == KS_OK)
		config_free(&c);
	return 0;
}
