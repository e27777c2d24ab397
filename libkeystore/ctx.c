/*
 * ctx.c -- the library context: module, token, session, login, errors.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ks_internal.h"

#define PIN_MAX	256

ks_status
ks_ctx_new(ks_ctx **out)
{
	ks_ctx *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return KS_EFAIL;
	ctx->token_lock = ctx->module_lock = -1;
	ctx->key_types = KS_KEY_ALL;
	*out = ctx;
	return KS_OK;
}

void
ks_ctx_set_key_types(ks_ctx *ctx, int types)
{
	types &= KS_KEY_ALL;
	ctx->key_types = types != 0 ? types : KS_KEY_ALL;
}

void
ks_ctx_free(ks_ctx *ctx)
{
	size_t i;

	if (ctx == NULL)
		return;
	p11_session_close(&ctx->sess);
	p11_close(ctx->p11);
	kx_unlock_module(&ctx->module_lock);
	kx_unlock_token(&ctx->token_lock);
	p11_selector_free(ctx->sel);
	free(ctx->module_path);
	free(ctx->module_init);
	free(ctx->token_spec);
	free(ctx->token_uri);
	for (i = 0; i < KX_PEERS_SEEN; i++)
		free(ctx->peer_seen[i].label);
	free(ctx);
}

const char *
ks_ctx_error(const ks_ctx *ctx)
{
	return ctx->err[0] != '\0' ? ctx->err : "unknown error";
}

ks_status
kx_fail(ks_ctx *ctx, ks_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
	ctx->lost = 0;
	return st;
}

ks_status
ks_ctx_fail(ks_ctx *ctx, ks_status st, const char *msg)
{
	return kx_fail(ctx, st, "%s", msg);
}

static ks_status
class_status(enum p11_class c)
{
	switch (c) {
	case P11_CLASS_OK:
		return KS_OK;
	case P11_CLASS_AUTH:
		return KS_EAUTH;
	case P11_CLASS_DENIED:
		return KS_EPERM;
	case P11_CLASS_INPUT:
		return KS_EINPUT;
	case P11_CLASS_NOTFOUND:
		return KS_ENOTFOUND;
	case P11_CLASS_FAILURE:
	default:
		return KS_ETOKEN;
	}
}

ks_status
kx_fail_rv(ks_ctx *ctx, CK_RV rv, const char *fmt, ...)
{
	char what[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(ctx->err, sizeof(ctx->err), "%s: %s (%s, module %s)", what,
	    p11_rv_text(rv), p11_rv_name(rv),
	    ctx->have_token ? ctx->token.mod->path :
	    (ctx->module_path != NULL ? ctx->module_path : "p11-kit"));
	ctx->lost = p11_rv_gone(rv);
	return class_status(p11_rv_class(rv));
}

int
ks_ctx_token_lost(const ks_ctx *ctx)
{
	return ctx->lost;
}

static ks_status
set_string(char **dst, const char *src)
{
	char *s = NULL;

	if (src != NULL && (s = strdup(src)) == NULL)
		return KS_EFAIL;
	free(*dst);
	*dst = s;
	return KS_OK;
}

ks_status
ks_ctx_set_module(ks_ctx *ctx, const char *path)
{
	return set_string(&ctx->module_path, path);
}

ks_status
ks_ctx_set_module_init_args(ks_ctx *ctx, const char *args)
{
	return set_string(&ctx->module_init, args);
}

ks_status
ks_ctx_set_token(ks_ctx *ctx, const char *spec)
{
	struct p11_selector *sel = NULL;

	if (spec != NULL) {
		switch (p11_selector_parse(spec, &sel)) {
		case P11_SELECT_OK:
			break;
		case P11_SELECT_UNRECOGNISED:
			return kx_fail(ctx, KS_EUSAGE, "token URI '%s' has "
			    "attributes cryptokey does not know", spec);
		case P11_SELECT_NOT_TOKEN:
			return kx_fail(ctx, KS_EUSAGE, "token URI '%s' names "
			    "an object; give only token attributes", spec);
		case P11_SELECT_EMPTY:
			return kx_fail(ctx, KS_EUSAGE, "empty token name");
		case P11_SELECT_BAD_URI:
		default:
			return kx_fail(ctx, KS_EUSAGE, "'%s' is neither a "
			    "pkcs11: URI nor a token label of at most %d "
			    "bytes", spec, P11_LABEL_MAX);
		}
	}
	p11_selector_free(ctx->sel);
	ctx->sel = sel;
	return set_string(&ctx->token_spec, spec);
}

const char *
ks_ctx_uri_pin_source(const ks_ctx *ctx)
{
	return p11_selector_pin_source(ctx->sel);
}

const char *
ks_ctx_uri_pin_value(const ks_ctx *ctx)
{
	return p11_selector_pin_value(ctx->sel);
}

void
ks_ctx_set_pin_fn(ks_ctx *ctx, ks_secret_fn fn, void *arg)
{
	ctx->pin_fn = fn;
	ctx->pin_arg = arg;
}

void
ks_ctx_set_wait_fn(ks_ctx *ctx, ks_wait_fn fn, void *arg)
{
	ctx->wait_fn = fn;
	ctx->wait_arg = arg;
}

static void
list_labels(const struct p11_token *t, size_t n, char *buf, size_t bufsz)
{
	size_t i, used = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && used < bufsz; i++) {
		w = snprintf(buf + used, bufsz - used, "%s'%s'",
		    i > 0 ? ", " : "", t[i].label);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Without a selector, write-protected tokens (p11-kit's "System Trust")
 * are not candidates: keys cannot live there. */
static size_t
drop_read_only(struct p11_token *t, size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (!(t[i].info.flags & CKF_WRITE_PROTECTED))
			t[kept++] = t[i];
	return kept;
}

static ks_status
choose_token(ks_ctx *ctx)
{
	struct p11_token *all = NULL, *match = NULL;
	size_t nall = 0, nmatch = 0;
	char names[256];
	ks_status st = KS_OK;
	CK_RV rv;

	if ((rv = p11_tokens_select(ctx->p11, ctx->sel, &all, &nall, &match,
	    &nmatch)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot list tokens");
	if (ctx->sel == NULL) {
		nall = drop_read_only(all, nall);
		nmatch = drop_read_only(match, nmatch);
	}
	list_labels(all, nall, names, sizeof(names));
	if (nall == 0)
		st = kx_fail(ctx, KS_ENOTFOUND, "no initialised token in "
		    "module %s; run 'cryptokey init' or name a --module",
		    ctx->module_path != NULL ? ctx->module_path :
		    "(p11-kit modules)");
	else if (nmatch == 0)
		st = kx_fail(ctx, KS_ENOTFOUND, "token '%s' not found "
		    "(tokens present: %s)", ctx->token_spec, names);
	else if (nmatch > 1 && ctx->sel == NULL)
		st = kx_fail(ctx, KS_EUSAGE, "%zu tokens present (%s); "
		    "choose one with --token or 'cryptokey storage'",
		    nmatch, names);
	else if (nmatch > 1)
		st = kx_fail(ctx, KS_EUSAGE, "%zu tokens match '%s'; use a "
		    "pkcs11: URI with serial=", nmatch, ctx->token_spec);
	else {
		ctx->token = match[0];
		ctx->have_token = 1;
	}
	free(all);
	free(match);
	return st;
}

/*
 * C_Login under the module lock (SoftHSM2 rewrites token.object at every
 * login, failed ones too).  On failure *flags is what the token then says
 * about its PIN counter, 0 when it cannot say.
 */
static CK_RV
locked_login(ks_ctx *ctx, const char *pin, size_t len, CK_FLAGS *flags)
{
	CK_TOKEN_INFO info;
	CK_RV rv;

	*flags = 0;
	kx_lock_module(ctx);
	rv = p11_login(&ctx->sess, CKU_USER, pin, len);
	if (rv != CKR_OK && p11_token_info(&ctx->token, &info) == CKR_OK)
		*flags = info.flags;
	kx_unlock_module(&ctx->module_lock);
	return rv;
}

/* A failed login, with what the token says about its PIN counter. */
static ks_status
login_failed(ks_ctx *ctx, CK_RV rv, CK_FLAGS flags)
{
	const char *said = p11_pin_flags_text(flags);
	ks_status st;
	size_t len;

	st = kx_fail_rv(ctx, rv, "cannot log in to token '%s'",
	    ctx->token.label);
	len = strlen(ctx->err);
	if (said != NULL && len < sizeof(ctx->err))
		snprintf(ctx->err + len, sizeof(ctx->err) - len,
		    "; the token says: %s", said);
	return st;
}

static ks_status
login(ks_ctx *ctx)
{
	char pin[PIN_MAX], prompt[96];
	const char *uripin;
	size_t len = 0;
	CK_FLAGS flags = 0;
	ks_status st;
	CK_RV rv;

	/* a PIN pad waits for a person: not under the module lock */
	if (ctx->token.info.flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
		rv = p11_login(&ctx->sess, CKU_USER, NULL, 0);
		goto done;
	}
	/* a PIN callback decides, pin-value included (the tools' policy) */
	if (ctx->pin_fn == NULL &&
	    (uripin = ks_ctx_uri_pin_value(ctx)) != NULL) {
		rv = locked_login(ctx, uripin, strlen(uripin), &flags);
		goto done;
	}
	if (ctx->pin_fn == NULL)
		return kx_fail(ctx, KS_EAUTH, "token '%s' needs a PIN and no "
		    "PIN source is set; use --pin-source", ctx->token.label);
	snprintf(prompt, sizeof(prompt), "PIN for token '%s': ",
	    ctx->token.label);
	st = ctx->pin_fn(ctx->pin_arg, prompt, pin, sizeof(pin), &len);
	if (st != KS_OK) {
		OPENSSL_cleanse(pin, sizeof(pin));
		if (ctx->err[0] == '\0')
			kx_fail(ctx, st, "cannot read the PIN for token '%s'",
			    ctx->token.label);
		return st;
	}
	rv = locked_login(ctx, pin, len, &flags);
	OPENSSL_cleanse(pin, sizeof(pin));
done:
	if (rv != CKR_OK)
		return login_failed(ctx, rv, flags);
	return KS_OK;
}

/* Module, token and session: the part the module lock covers. */
static ks_status
open_token(ks_ctx *ctx, int flags)
{
	const char *errpath, *detail;
	ks_status st;
	CK_RV rv;

	rv = p11_open_init(&ctx->p11, ctx->module_path, ctx->module_init,
	    &errpath, &detail);
	if (rv != CKR_OK) {
		if (detail != NULL)
			return kx_fail(ctx, KS_ETOKEN, "cannot load PKCS#11 "
			    "module %s: %s", errpath, detail);
		return kx_fail(ctx, KS_ETOKEN, "cannot initialise PKCS#11 "
		    "module %s: %s (%s); check its configuration (for "
		    "SoftHSM2: SOFTHSM2_CONF and its tokendir)", errpath,
		    p11_rv_text(rv), p11_rv_name(rv));
	}
	if ((st = choose_token(ctx)) != KS_OK)
		return st;
	free(ctx->token_uri);
	ctx->token_uri = p11_token_uri(&ctx->token, NULL, NULL, 0);
	if (flags & KS_OPEN_WRITE)
		rv = p11_session_open(&ctx->token, &ctx->sess);
	else
		rv = p11_session_open_ro(&ctx->token, &ctx->sess);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot open a session on token "
		    "'%s'", ctx->token.label);
	return KS_OK;
}

/*
 * Every command holds the module lock from C_Initialize to C_OpenSession
 * and again around C_Login (a few milliseconds each; tokenlock.c says
 * why), but not while the PIN is read.  A state-changing
 * command then waits for the token's lock and keeps it until
 * ks_ctx_free, so that it sees the token as no other local command
 * leaves it half-changed.  Readers never take the token lock.
 */
ks_status
ks_ctx_open(ks_ctx *ctx, int flags)
{
	ks_status st;

	if (ctx->p11 != NULL)
		return kx_fail(ctx, KS_EFAIL, "context already open");
	kx_lock_module(ctx);
	st = open_token(ctx, flags);
	kx_unlock_module(&ctx->module_lock);
	if (st == KS_OK && (flags & KS_OPEN_LOGIN))
		st = login(ctx);
	if (st == KS_OK && (flags & KS_OPEN_WRITE))
		st = kx_lock_token(ctx);
	return st;
}

/*
 * The clone borrows ctx's loaded module (its p11 stays NULL, so that
 * ks_ctx_free leaves the module to ctx) and copies the token; only the
 * session is its own.  p11_session_close logs out when the session did
 * the login; the clone's never did, so freeing it leaves ctx logged in.
 */
ks_status
ks_ctx_open_session(ks_ctx *ctx, ks_ctx **out)
{
	ks_ctx *c;
	ks_status st;
	CK_RV rv;

	*out = NULL;
	if (ctx->p11 == NULL || !ctx->have_token)
		return kx_fail(ctx, KS_EFAIL, "no token is open");
	if ((st = ks_ctx_new(&c)) != KS_OK)
		return kx_fail(ctx, st, "out of memory");
	c->token = ctx->token;
	c->have_token = 1;
	c->key_types = ctx->key_types;
	if ((ctx->module_path != NULL &&
	    (c->module_path = strdup(ctx->module_path)) == NULL) ||
	    (ctx->token_uri != NULL &&
	    (c->token_uri = strdup(ctx->token_uri)) == NULL)) {
		ks_ctx_free(c);
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	}
	if ((rv = p11_session_open_ro(&c->token, &c->sess)) != CKR_OK) {
		ks_ctx_free(c);
		return kx_fail_rv(ctx, rv, "cannot open another session on "
		    "token '%s'", ctx->token.label);
	}
	*out = c;
	return KS_OK;
}

ks_status
kx_need_session(ks_ctx *ctx)
{
	if (ctx->sess.fn == NULL)
		return kx_fail(ctx, KS_EFAIL, "no token is open");
	return KS_OK;
}

const char *
ks_ctx_module_path(const ks_ctx *ctx)
{
	if (ctx->have_token)
		return ctx->token.mod->path;
	return ctx->module_path;
}

const char *
ks_ctx_token_label(const ks_ctx *ctx)
{
	return ctx->have_token ? ctx->token.label : NULL;
}

const char *
ks_ctx_token_uri(const ks_ctx *ctx)
{
	return ctx->token_uri;
}
