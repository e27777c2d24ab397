/*
 * conffile.h -- cryptokey.conf: "key = value" lines, '#' comments.
 *
 * Keys: module, module-init-args, token, pin-source, passphrase-source.
 */
#ifndef CK_CONFIG_H
#define CK_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "keystore.h"

#define CONFIG_FILE_MAX	(64 * 1024)
#define CONFIG_LINE_MAX	1024

struct config {
	char	*module;
	char	*module_init;	/* module-init-args */
	char	*token;
	char	*pin_source;
	char	*pass_source;
	mode_t	 mode;		/* of the file config_load read */
	uid_t	 uid;
};

/* Parse a whole file's text; KS_EINPUT names the line on failure. */
ks_status	config_parse(const char *text, size_t len, const char *name,
		    struct config *c, char *err, size_t errsz);
/* Load path, a regular file (KS_EINPUT when not); KS_ENOTFOUND when it
 * does not exist.  Its mode and owner are kept in c. */
ks_status	config_load(const char *path, struct config *c, char *err,
		    size_t errsz);
/* Set key to value in path, keeping every other line; creates the file. */
ks_status	config_set(const char *path, const char *key, const char *value,
		    char *err, size_t errsz);
void		config_free(struct config *c);
/* --config, else $CRYPTOKEY_CONF, else the per-user or system default. */
ks_status	config_default_path(char *buf, size_t bufsz);

#endif
