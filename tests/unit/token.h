/*
 * token.h -- what the unit tests that need a real token share: a secret
 * callback that answers with the string it is given, and a fresh embedded
 * SoftHSM2 token in a temporary directory, opened for writing.
 */
#ifndef UNIT_TOKEN_H
#define UNIT_TOKEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore.h"

#define UNIT_PIN	"4321"

/* A ks_secret_fn: arg is the secret, a NUL-terminated string. */
__attribute__((unused))
static ks_status
unit_secret_cb(void *arg, const char *prompt, char *buf, size_t bufsz,
    size_t *len)
{
	const char *secret = arg;

	(void)prompt;
	if (strlen(secret) > bufsz)
		return KS_EINPUT;
	memcpy(buf, secret, strlen(secret));
	*len = strlen(secret);
	return KS_OK;
}

/*
 * An embedded token made in dir (a mkdtemp template, filled in) with PIN
 * UNIT_PIN, and a context logged in to it with a read-write session; NULL
 * after a "Bail out!" line when any of that fails.
 */
__attribute__((unused))
static ks_ctx *
unit_token(char *dir)
{
	ks_ctx *ctx;

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! no temporary directory\n");
		return NULL;
	}
	unsetenv("SOFTHSM2_CONF");
	ks_ctx_new(&ctx);
	ks_ctx_set_module(ctx, SOFTHSM_MODULE);
	if (ks_embedded_init(ctx, dir, "unit", UNIT_PIN,
	    strlen(UNIT_PIN)) != KS_OK) {
		printf("Bail out! %s\n", ks_ctx_error(ctx));
		ks_ctx_free(ctx);
		return NULL;
	}
	ks_ctx_free(ctx);
	ks_ctx_new(&ctx);
	ks_ctx_set_module(ctx, SOFTHSM_MODULE);
	ks_ctx_set_pin_fn(ctx, unit_secret_cb, (void *)UNIT_PIN);
	if (ks_ctx_open(ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE) != KS_OK) {
		printf("Bail out! %s\n", ks_ctx_error(ctx));
		ks_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

#endif
