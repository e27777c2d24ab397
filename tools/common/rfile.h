/*
 * rfile.h -- open the files the tools read (--in, --config, ikesignd -f,
 * secret files): a regular file or nothing, and for secrets, a file only
 * its owner can read, owned by the user or root (as OpenSSH treats a
 * private key).
 */
#ifndef CK_RFILE_H
#define CK_RFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "keystore.h"

/*
 * Open path read-only without blocking on a FIFO and without opening a
 * device: KS_EINPUT when it is not a regular file, KS_ENOTFOUND when it
 * does not exist, KS_EFAIL otherwise; the message names path.
 */
ks_status	rfile_open(const char *path, int *fd, char *err, size_t errsz);

/*
 * May a file of this mode and owner hold a secret?  KS_EPERM with a message
 * that says how to fix it when group or others have any access or the
 * owner is neither the effective user nor root.
 */
ks_status	rfile_private(const char *path, mode_t mode, uid_t uid,
		    char *err, size_t errsz);

/* rfile_open, then rfile_private on what was opened. */
ks_status	rfile_open_secret(const char *path, int *fd, char *err,
		    size_t errsz);

#endif
