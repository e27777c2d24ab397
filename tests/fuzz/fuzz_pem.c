/*
 * fuzz_pem.c -- libFuzzer target for the PEM / PKCS#8 reader (pem.c), the
 * path every file given to "cryptokey import" takes.  Encrypted inputs are
 * tried with the passphrase "fuzz" (the seed corpus uses it), so the
 * decryption and the parsing of decrypted keys are reached too.  The PBE
 * work is capped low to keep runs fast.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "libkeystore/ks_xfer.h"

#define FUZZ_ITER_MAX	4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ks_status
pass_fn(void *arg, const char *prompt, char *buf, size_t bufsz, size_t *len)
{
	(void)arg;
	(void)prompt;
	if (bufsz < 4)
		return KS_EFAIL;
	memcpy(buf, "fuzz", 4);
	*len = 4;
	return KS_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ks_ctx *ctx;
	struct ks_pem pem;

	if (ctx == NULL && ks_ctx_new(&ctx) != KS_OK)
		return 0;
	if (kx_pem_read(ctx, (const char *)data, size, KS_KEY_ALL, pass_fn,
	    NULL, FUZZ_ITER_MAX, &pem) == KS_OK)
		kx_pem_clear(&pem);
	return 0;
}
