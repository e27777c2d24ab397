/*
 * fuzz_keyring.c -- libFuzzer target for the keyring record parser and
 * the peer identity normaliser (addresses with masks, host names, names).
 * The first byte picks the identity kind and whether a mask is allowed.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libkeystore/kr_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ks_ctx *ctx;
	char in[512], out[KS_PEER_ID_MAX + 1], again[KS_PEER_ID_MAX + 1];
	char buf[KR_RECORD_MAX];
	struct kr_record r;
	ks_peer_by by;
	int mask_ok;

	if (ctx == NULL && ks_ctx_new(&ctx) != KS_OK)
		return 0;
	if (kr_record_parse((const char *)data, size, &r) == 0 &&
	    kr_record_encode(&r, buf, sizeof(buf)) < 0)
		abort();	/* what parses must encode */
	if (size < 1 || size - 1 >= sizeof(in))
		return 0;
	by = (ks_peer_by)(data[0] % 3);
	mask_ok = (data[0] >> 2) & 1;
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	if (ks_peer_id_normalise(ctx, by, mask_ok, in, out, sizeof(out)) !=
	    KS_OK)
		return 0;
	/* a normal form is its own normal form */
	if (ks_peer_id_normalise(ctx, by, mask_ok, out, again,
	    sizeof(again)) != KS_OK || strcmp(out, again) != 0)
		abort();
	return 0;
}
