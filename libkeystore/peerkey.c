/*
 * peerkey.c -- peers' RSA public keys in keyrings (the IOS pubkey chain).
 */
#include "config.h"

#include <stdlib.h>

#include "ks_internal.h"

ks_status
ks_keyring_peer_key(ks_ctx *ctx, const char *keyring, ks_peer_by by,
    const char *id, ks_usage usage, unsigned char **spki, size_t *spkilen)
{
	(void)keyring;
	(void)by;
	(void)usage;
	*spki = NULL;
	*spkilen = 0;
	return ks_fail(ctx, KS_ENOTFOUND, "no key for peer '%s' (keyrings "
	    "are not implemented yet)", id != NULL ? id : "");
}
