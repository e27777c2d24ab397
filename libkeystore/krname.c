/*
 * krname.c -- keyring names and whether a keyring exists: what keyring.c,
 * peerkey.c and psk.c all need.  It calls none of them, so the keyring
 * files depend on it and on each other only downward: keyring.c lists and
 * deletes the entries of peerkey.c and psk.c, and those two find their
 * keyring here.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_internal.h"

/* KS_OK when name may name a keyring; else KS_EUSAGE with a reason. */
ks_status
ks_keyring_name_check(ks_ctx *ctx, const char *name)
{
	size_t len, i;

	if (name == NULL || (len = strlen(name)) == 0)
		return kx_fail(ctx, KS_EUSAGE, "empty keyring name");
	if (len > KS_KEYRING_NAME_MAX)
		return kx_fail(ctx, KS_EUSAGE, "keyring name is %zu bytes; at "
		    "most %d are allowed", len, KS_KEYRING_NAME_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return kx_fail(ctx, KS_EUSAGE, "keyring name '%s' has "
			    "'%c' at byte %zu; use letters, digits, '-', '_' "
			    "and '.'", name, isprint(c) ? c : '?', i + 1);
	}
	return KS_OK;
}

/* The records of keyring name (NULL: every keyring). */
ks_status
kr_find_records(ks_ctx *ctx, const char *name, CK_OBJECT_HANDLE **h,
    size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	char label[sizeof(KR_PREFIX_RING) + KS_KEYRING_NAME_MAX];
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_APPLICATION, KS_APP_KEYRING, sizeof(KS_APP_KEYRING) - 1 },
		{ CKA_LABEL, label, 0 },
	};
	CK_RV rv;

	if (name != NULL) {
		snprintf(label, sizeof(label), "%s%s", KR_PREFIX_RING, name);
		t[2].ulValueLen = strlen(label);
	}
	rv = p11_find(&ctx->sess, t, name != NULL ? 3 : 2, h, n);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot search token '%s'",
		    ctx->token.label);
	return KS_OK;
}

/* "default" exists always, any other keyring when its record does. */
ks_status
kr_keyring_exists(ks_ctx *ctx, const char *name)
{
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0;
	ks_status st;

	if (strcmp(name, KS_KEYRING_DEFAULT) == 0)
		return KS_OK;
	if ((st = kr_find_records(ctx, name, &h, &n)) != KS_OK)
		return st;
	free(h);
	if (n == 0)
		return kx_fail(ctx, KS_ENOTFOUND, "no keyring '%s' on token "
		    "'%s'; create it first", name, ctx->token.label);
	return KS_OK;
}

/* kr_keyring_exists after the session and the name are checked. */
ks_status
ks_keyring_exists(ks_ctx *ctx, const char *keyring)
{
	ks_status st;

	if (keyring == NULL)
		keyring = KS_KEYRING_DEFAULT;
	if ((st = kx_need_session(ctx)) != KS_OK ||
	    (st = ks_keyring_name_check(ctx, keyring)) != KS_OK)
		return st;
	return kr_keyring_exists(ctx, keyring);
}
