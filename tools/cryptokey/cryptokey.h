/*
 * cryptokey.h -- the verbs of cryptokey(1), one file each.
 */
#ifndef CK_CRYPTOKEY_H
#define CK_CRYPTOKEY_H

#include <stdio.h>
#include <popt.h>

#include "keystore.h"
#include "common/tool.h"
#include "common/verb.h"


extern struct verb verb_init, verb_storage, verb_generate, verb_show,
    verb_zeroize, verb_export, verb_import;
/* issue 4: cmd_protect.c, cmd_move.c */
extern struct verb verb_encrypt, verb_decrypt, verb_lock, verb_unlock,
    verb_move;

/* A key name checked before anything asks for a PIN; exits on error. */
int	check_label(const char *label);

/* pubfmt.c: show --format pem|rfc3110|openssh|ios */
int		pubfmt_check(const char *fmt);		/* 0: known */
ks_status	pubfmt_print(FILE *f, const char *fmt, const ks_key *k);

#endif
