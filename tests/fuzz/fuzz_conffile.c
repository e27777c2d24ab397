/*
 * fuzz_conffile.c -- libFuzzer target for the cryptokey.conf parser, and
 * for the pin-value check of the token URI it yields (pinsrc.c).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "common/conffile.h"
#include "common/pinsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[512];

	if (config_parse((const char *)data, size, "fuzz", &c, err,
	    sizeof(err)) == KS_OK) {
		(void)pin_uri_has_value(c.token);
		config_free(&c);
	}
	return 0;
}
