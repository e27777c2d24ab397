/*
 * cryptokeyring.h -- the verbs of cryptokeyring(1), and what they share:
 * the peer options and reading a key file.
 */
#ifndef CK_CRYPTOKEYRING_H
#define CK_CRYPTOKEYRING_H

#include <popt.h>

#include "keystore.h"
#include "common/tool.h"
#include "common/verb.h"


extern struct verb verb_create, verb_delete, verb_show, verb_add_pubkey,
    verb_del_pubkey, verb_add_psk, verb_del_psk;

/* peeropt.c: --address / --hostname / --name, shared by the entry verbs */
extern struct poptOption peer_options[];	/* all three */
extern struct poptOption psk_peer_options[];	/* address[/mask], hostname */
/*
 * The one peer identity given, checked and in normal form (norm, normsz);
 * an exit status with the message printed when none, two, or a bad one.
 */
int	peer_choice(int mask_ok, ks_peer_by *by, char *norm, size_t normsz);
/* A keyring name checked before anything asks for a PIN. */
int	check_keyring(const char *name);

/* input.c: a whole text file, or stdin for "-" (allocated, bounded by
 * KS_KEYSTRING_MAX; stops after a line "quit" when stop_at_quit). */
int	read_text(const char *path, int stop_at_quit, char **buf,
	    size_t *len);

/* show_ios.c: keyrings as IOS configuration */
void	show_ios(FILE *f, ks_keyring **rings, size_t n, int asked);

#endif
