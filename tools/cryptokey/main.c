/*
 * main.c -- cryptokey(1): the verb table; tools/common/verb.c does the rest.
 *
 *	cryptokey [global options] VERB [rsa] [options] [args]
 */
#include "config.h"

#include "cryptokey.h"

static struct verb *const verbs[] = {
	&verb_init, &verb_storage, &verb_generate, &verb_show, &verb_export,
	&verb_import, &verb_encrypt, &verb_decrypt, &verb_lock, &verb_unlock,
	&verb_move, &verb_zeroize,
};

static const struct verb_tool tool = {
	"cryptokey", "VERB [rsa] [OPTION...]", verbs,
	sizeof(verbs) / sizeof(verbs[0])
};

int
check_label(const char *label)
{
	ks_ctx *ctx;
	ks_status st;

	if (ks_ctx_new(&ctx) != KS_OK)
		return tool_fail(KS_EFAIL, "out of memory");
	if ((st = ks_label_check(ctx, label)) != KS_OK)
		tool_fail_ctx(ctx, st);
	ks_ctx_free(ctx);
	return (int)st;
}

int
main(int argc, const char **argv)
{
	return verb_main(&tool, argc, argv);
}
