/*
 * main.c -- cryptokeyring(1): the verb table; tools/common/verb.c does the
 * rest.
 *
 *	cryptokeyring [global options] VERB [options] [NAME]
 */
#include "config.h"

#include "cryptokeyring.h"

static struct verb *const verbs[] = {
	&verb_create, &verb_delete, &verb_show, &verb_add_pubkey,
	&verb_del_pubkey, &verb_add_psk, &verb_del_psk,
};

static const struct verb_tool tool = {
	"cryptokeyring", "VERB [OPTION...] [NAME]", verbs,
	sizeof(verbs) / sizeof(verbs[0])
};

int
main(int argc, const char **argv)
{
	return verb_main(&tool, argc, argv);
}
