/*
 * cmd_protect.c -- cryptokey encrypt, decrypt, lock and unlock rsa|ec (IOS
 * "crypto key encrypt|decrypt|lock|unlock rsa|ec").  The four verbs differ
 * only in the library call and the words; the order of the token changes
 * is written down in libkeystore/protect.c and lock.c.
 */
#include "config.h"

#include <stdio.h>

#include "cryptokey.h"

static char *opt_label, *opt_kdf;
static int opt_all, opt_no_pass;

static struct poptOption encrypt_options[] = {
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "the key to encrypt", "NAME" },
	{ "all", '\0', POPT_ARG_NONE, &opt_all, 0,
	  "every key cryptokey manages on the token", NULL },
	{ "kdf", '\0', POPT_ARG_STRING, &opt_kdf, 0,
	  "pbkdf2[:ITERATIONS] (default pbkdf2:600000) or scrypt[:N:r:p]",
	  "KDF" },
	POPT_TABLEEND
};

static struct poptOption decrypt_options[] = {
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "the key to decrypt", "NAME" },
	POPT_TABLEEND
};

static struct poptOption lock_options[] = {
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "the key to lock", "NAME" },
	{ "all", '\0', POPT_ARG_NONE, &opt_all, 0,
	  "every encrypted key cryptokey manages on the token", NULL },
	{ "no-passphrase", '\0', POPT_ARG_NONE, &opt_no_pass, 0,
	  "check the encrypted copy by key ID and public key only "
	  "(for locking at boot)", NULL },
	POPT_TABLEEND
};

static struct poptOption unlock_options[] = {
	{ "label", '\0', POPT_ARG_STRING, &opt_label, 0,
	  "the key to unlock", "NAME" },
	{ "all", '\0', POPT_ARG_NONE, &opt_all, 0,
	  "every locked key cryptokey manages on the token", NULL },
	POPT_TABLEEND
};

/* --label NAME or --all (when allowed); checked before any PIN. */
static int
check_target(int all_ok)
{
	if (opt_label != NULL && opt_all)
		return tool_fail(KS_EUSAGE, "give --label or --all, not both");
	if (opt_label == NULL && !opt_all)
		return tool_fail(KS_EUSAGE, all_ok ? "which key? give --label "
		    "NAME, or --all for every key" : "which key? give its name "
		    "with --label");
	if (opt_label != NULL)
		return check_label(opt_label);
	return KS_OK;
}

static int
finish(ks_ctx *ctx, ks_status st)
{
	if (st != KS_OK && !tool_pass_failed())
		tool_fail_ctx(ctx, st);
	ks_ctx_free(ctx);
	return (int)st;
}

static const char *
plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static int
run_encrypt(const char **args, int nargs)
{
	size_t done = 0;
	ks_ctx *ctx;
	ks_status st;

	(void)args;
	(void)nargs;
	if ((st = check_target(1)) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	st = ks_encrypt(ctx, opt_label, opt_kdf, tool_pass_new, ctx, &done);
	if (st == KS_OK && opt_label != NULL)
		tool_note("%% Key %s is encrypted; it stays UNLOCKED until "
		    "'cryptokey lock %s'.", opt_label, verb_keyword);
	else if (st == KS_OK)
		tool_note("%% Encrypted %zu key pair%s on token '%s'.", done,
		    plural(done), ks_ctx_token_label(ctx));
	return finish(ctx, st);
}

static int
run_decrypt(const char **args, int nargs)
{
	ks_ctx *ctx;
	ks_status st;

	(void)args;
	(void)nargs;
	if ((st = check_target(0)) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	st = ks_decrypt(ctx, opt_label, tool_pass_old, ctx);
	if (st == KS_OK)
		tool_note("%% Key %s is no longer encrypted.", opt_label);
	return finish(ctx, st);
}

/* lock and unlock: what changed, then the exit status */
static int
finish_state(ks_ctx *ctx, ks_status st, size_t done, const char *state,
    const char *verb)
{
	if (st == KS_OK && opt_label != NULL)
		tool_note(done > 0 ? "%% Key %s is %s." :
		    "%% Key %s was already %s.", opt_label, state);
	else if (st == KS_OK)
		tool_note("%% %s %zu key pair%s on token '%s'.", verb, done,
		    plural(done), ks_ctx_token_label(ctx));
	return finish(ctx, st);
}

static int
run_lock(const char **args, int nargs)
{
	size_t done = 0;
	ks_ctx *ctx;
	ks_status st;

	(void)args;
	(void)nargs;
	if ((st = check_target(1)) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	st = ks_lock(ctx, opt_label, opt_no_pass ? KS_LOCK_NO_PASSPHRASE : 0,
	    tool_pass_old, ctx, &done);
	return finish_state(ctx, st, done, "LOCKED", "Locked");
}

static int
run_unlock(const char **args, int nargs)
{
	size_t done = 0;
	ks_ctx *ctx;
	ks_status st;

	(void)args;
	(void)nargs;
	if ((st = check_target(1)) != KS_OK)
		return st;
	if ((st = tool_open(&ctx, KS_OPEN_LOGIN | KS_OPEN_WRITE)) != KS_OK)
		return st;
	st = ks_unlock(ctx, opt_label, tool_pass_old, ctx, &done);
	return finish_state(ctx, st, done, "UNLOCKED", "Unlocked");
}

struct verb verb_encrypt = {
	"encrypt", "rsa|ec", 0, 0,
	"encrypt rsa|ec (--label NAME | --all) [--kdf KDF]",
	"keep an encrypted copy of a key (passphrase); it stays usable",
	encrypt_options, run_encrypt
};

struct verb verb_decrypt = {
	"decrypt", "rsa|ec", 0, 0,
	"decrypt rsa|ec --label NAME",
	"remove the encrypted copy; the key is plain again",
	decrypt_options, run_decrypt
};

struct verb verb_lock = {
	"lock", "rsa|ec", 0, 0,
	"lock rsa|ec (--label NAME | --all) [--no-passphrase]",
	"remove the usable private key of an encrypted key",
	lock_options, run_lock
};

struct verb verb_unlock = {
	"unlock", "rsa|ec", 0, 0,
	"unlock rsa|ec (--label NAME | --all)",
	"make a locked key usable again (passphrase)",
	unlock_options, run_unlock
};
