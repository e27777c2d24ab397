/*
 * embedded.c -- the embedded default: a SoftHSM2 token in a directory of
 * cryptokey's own.  Nothing outside that directory is touched.
 *
 *	DIR/softhsm2.conf	SoftHSM2 configuration (tokendir DIR/tokens)
 *	DIR/tokens/		the token
 *	DIR/user.pin		user PIN, mode 0600 (unless the caller gave one)
 *	DIR/so.pin		security officer PIN, mode 0600
 *
 * Init order: directory, configuration, PIN files, C_InitToken, C_InitPIN.
 * A complete token is refused before any PIN file is read or written, so a
 * refused init changes nothing.
 * A run cut short is completed by running init again: an existing token
 * whose user PIN is not set yet gets a new one (its so.pin is read back);
 * a complete one is "already there".  A user.pin found in the directory
 * is never taken as the new token's PIN, and the directory must be the
 * user's and not writable by group or others.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ks_internal.h"

#define PIN_FILE_MAX	256

ks_status
ks_embedded_dir(char *buf, size_t bufsz)
{
	const char *env, *home;
	int n;

	if ((env = getenv("CRYPTOKEY_DIR")) != NULL && *env != '\0')
		n = snprintf(buf, bufsz, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, bufsz, "/var/lib/cryptokey");
	else if ((env = getenv("XDG_DATA_HOME")) != NULL && *env == '/')
		n = snprintf(buf, bufsz, "%s/cryptokey", env);
	else if ((home = getenv("HOME")) != NULL && *home == '/')
		n = snprintf(buf, bufsz, "%s/.local/share/cryptokey", home);
	else
		return KS_EFAIL;
	return n > 0 && (size_t)n < bufsz ? KS_OK : KS_EFAIL;
}

static int
path_in(char *buf, size_t bufsz, const char *dir, const char *name)
{
	int n = snprintf(buf, bufsz, "%s/%s", dir, name);

	return n > 0 && (size_t)n < bufsz ? 0 : -1;
}

int
ks_embedded_exists(const char *dir)
{
	char conf[4096];
	struct stat st;

	return path_in(conf, sizeof(conf), dir, "softhsm2.conf") == 0 &&
	    stat(conf, &st) == 0 && S_ISREG(st.st_mode);
}

ks_status
ks_embedded_use(const char *dir)
{
	char conf[4096];

	if (path_in(conf, sizeof(conf), dir, "softhsm2.conf") != 0)
		return KS_EFAIL;
	return setenv("SOFTHSM2_CONF", conf, 1) == 0 ? KS_OK : KS_EFAIL;
}

ks_status
ks_embedded_pin_file(const char *dir, char *buf, size_t bufsz)
{
	return path_in(buf, bufsz, dir, "user.pin") == 0 ? KS_OK : KS_EFAIL;
}

/* Write a whole file through a temporary name, then rename: no reader ever
 * sees half of it. */
static ks_status
write_file(ks_ctx *ctx, const char *dir, const char *name, const char *data,
    size_t len, mode_t mode)
{
	char path[4096], tmp[4096 + 8];
	ssize_t w;
	size_t off = 0;
	int fd;

	if (path_in(path, sizeof(path), dir, name) != 0)
		return kx_fail(ctx, KS_EUSAGE, "directory name too long");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
		return kx_fail(ctx, KS_EFAIL, "cannot create %s: %s", tmp,
		    strerror(errno));
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return kx_fail(ctx, KS_EFAIL, "cannot write %s: %s",
			    tmp, strerror(errno));
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return kx_fail(ctx, KS_EFAIL, "cannot write %s: %s", path,
		    strerror(errno));
	}
	return KS_OK;
}

/* A directory that will hold PIN files: ours, and no one else may add,
 * remove or replace files in it. */
static ks_status
check_dir(ks_ctx *ctx, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return kx_fail(ctx, KS_EFAIL, "cannot use directory %s: %s",
		    path, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return kx_fail(ctx, KS_EINPUT, "%s is not a directory", path);
	if (sb.st_uid != geteuid())
		return kx_fail(ctx, KS_EPERM, "%s is owned by uid %lu, not by "
		    "you (uid %lu); choose a directory of your own with --dir",
		    path, (unsigned long)sb.st_uid, (unsigned long)geteuid());
	if ((sb.st_mode & 022) != 0)
		return kx_fail(ctx, KS_EPERM, "%s: permissions %04o let others "
		    "replace its files; run chmod go-w %s", path,
		    (unsigned)(sb.st_mode & 07777), path);
	return KS_OK;
}

static ks_status
make_dir(ks_ctx *ctx, const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return kx_fail(ctx, KS_EFAIL, "cannot create directory %s: %s",
		    path, strerror(errno));
	return check_dir(ctx, path);
}

/* mkdir -p for the parents of dir, then dir itself at 0700. */
static ks_status
make_dirs(ks_ctx *ctx, const char *dir)
{
	char path[4096];
	size_t i, len = strlen(dir);
	ks_status st;

	if (len == 0 || len >= sizeof(path))
		return kx_fail(ctx, KS_EUSAGE, "bad directory name");
	memcpy(path, dir, len + 1);
	for (i = 1; i < len; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return kx_fail(ctx, KS_EFAIL, "cannot create directory "
			    "%s: %s", path, strerror(errno));
		path[i] = '/';
	}
	if ((st = make_dir(ctx, dir)) != KS_OK)
		return st;
	if (path_in(path, sizeof(path), dir, "tokens") != 0)
		return kx_fail(ctx, KS_EUSAGE, "directory name too long");
	return make_dir(ctx, path);
}

/* Read so.pin of a token we created, to finish its init; only a file of
 * our own that no one else can read. */
static ks_status
read_pin(ks_ctx *ctx, const char *dir, const char *name, char *pin,
    size_t pinsz, size_t *pinlen)
{
	char path[4096];
	struct stat sb;
	ssize_t r;
	int fd;

	if (path_in(path, sizeof(path), dir, name) != 0)
		return kx_fail(ctx, KS_EUSAGE, "directory name too long");
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return kx_fail(ctx, KS_EFAIL, "cannot open %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != geteuid() || (sb.st_mode & 077) != 0) {
		close(fd);
		return kx_fail(ctx, KS_EPERM, "%s is not a private file of "
		    "yours; run chmod 600 %s, or remove the directory and "
		    "init again", path, path);
	}
	r = read(fd, pin, pinsz - 1);
	close(fd);
	if (r <= 0)
		return kx_fail(ctx, KS_EFAIL, "cannot read %s", path);
	*pinlen = (size_t)r;
	while (*pinlen > 0 && pin[*pinlen - 1] == '\n')
		(*pinlen)--;
	return KS_OK;
}

/* A new random PIN, written to DIR/name (replacing whatever was there:
 * a PIN file found in the directory is never taken as the new PIN). */
static ks_status
new_pin(ks_ctx *ctx, const char *dir, const char *name, char *pin,
    size_t pinsz, size_t *pinlen)
{
	unsigned char raw[12];
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1 || pinsz < 2 * sizeof(raw) + 2)
		return kx_fail(ctx, KS_EFAIL, "no random bytes for a PIN");
	for (i = 0; i < sizeof(raw); i++)
		snprintf(pin + 2 * i, 3, "%02x", raw[i]);
	OPENSSL_cleanse(raw, sizeof(raw));
	*pinlen = 2 * sizeof(raw);
	/* no newline: libp11's pin-source=file: takes the file whole */
	return write_file(ctx, dir, name, pin, *pinlen, 0600);
}

static ks_status
write_conf(ks_ctx *ctx, const char *dir)
{
	char conf[4096 + 128];
	int n;

	n = snprintf(conf, sizeof(conf),
	    "# SoftHSM2 configuration of cryptokey's embedded token\n"
	    "directories.tokendir = %s/tokens\n"
	    "objectstore.backend = file\n"
	    "log.level = ERROR\n"
	    "slots.removable = false\n", dir);
	if (n < 0 || (size_t)n >= sizeof(conf))
		return kx_fail(ctx, KS_EUSAGE, "directory name too long");
	return write_file(ctx, dir, "softhsm2.conf", conf, (size_t)n, 0644);
}

static ks_status
init_token(ks_ctx *ctx, const char *label, const char *so, size_t solen)
{
	CK_SLOT_ID slot;
	CK_RV rv;

	if ((rv = p11_free_slot(&ctx->p11->mods[0], &slot)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "no free slot for a new token");
	rv = p11_init_token(&ctx->p11->mods[0], slot, so, solen, label);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot create token '%s'", label);
	return KS_OK;
}

static ks_status
init_pin(ks_ctx *ctx, const char *so, size_t solen, const char *pin,
    size_t pinlen)
{
	CK_RV rv;

	if ((rv = p11_session_open(&ctx->token, &ctx->sess)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot open token '%s'",
		    ctx->token.label);
	if ((rv = p11_login(&ctx->sess, CKU_SO, so, solen)) != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot log in to token '%s' as "
		    "security officer (PIN in so.pin)", ctx->token.label);
	rv = p11_init_pin(&ctx->sess, pin, pinlen);
	p11_session_close(&ctx->sess);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot set the user PIN of token "
		    "'%s'", ctx->token.label);
	return KS_OK;
}

static ks_status
find_created(ks_ctx *ctx, const char *label)
{
	struct p11_selector *sel;
	struct p11_token *t = NULL;
	size_t n = 0;
	CK_RV rv;

	if (p11_selector_parse(label, &sel) != P11_SELECT_OK)
		return kx_fail(ctx, KS_EUSAGE, "bad token label '%s'", label);
	rv = p11_tokens(ctx->p11, sel, &t, &n);
	p11_selector_free(sel);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot list tokens");
	if (n == 1) {
		ctx->token = t[0];
		ctx->have_token = 1;
	}
	free(t);
	return KS_OK;
}

static ks_status
embedded_init(ks_ctx *ctx, const char *dir, const char *label,
    const char *pin, size_t pinlen, char *so, size_t sosz, char *upin,
    size_t upinsz)
{
	char conf[4096];
	const char *errpath, *detail;
	size_t solen = 0, ulen = 0;
	ks_status st;
	CK_RV rv;

	if ((st = make_dirs(ctx, dir)) != KS_OK)
		return st;
	if (!ks_embedded_exists(dir) && (st = write_conf(ctx, dir)) != KS_OK)
		return st;
	if (path_in(conf, sizeof(conf), dir, "softhsm2.conf") != 0 ||
	    setenv("SOFTHSM2_CONF", conf, 1) != 0)
		return kx_fail(ctx, KS_EFAIL, "cannot set SOFTHSM2_CONF");
	rv = p11_open(&ctx->p11, ctx->module_path != NULL ?
	    ctx->module_path : SOFTHSM_MODULE, &errpath, &detail);
	if (rv != CKR_OK)
		return kx_fail(ctx, KS_ETOKEN, "cannot load SoftHSM2 module "
		    "%s: %s", errpath, detail != NULL ? detail :
		    p11_rv_name(rv));
	if ((st = find_created(ctx, label)) != KS_OK)
		return st;
	if (ctx->have_token &&
	    (ctx->token.info.flags & CKF_USER_PIN_INITIALIZED))
		return kx_fail(ctx, KS_EEXIST, "token '%s' already exists in "
		    "%s", label, dir);
	/* so.pin is read only to finish a token we began; user.pin never */
	if (ctx->have_token)
		st = read_pin(ctx, dir, "so.pin", so, sosz, &solen);
	else
		st = new_pin(ctx, dir, "so.pin", so, sosz, &solen);
	if (st != KS_OK)
		return st;
	if (pin == NULL) {
		st = new_pin(ctx, dir, "user.pin", upin, upinsz, &ulen);
		if (st != KS_OK)
			return st;
		pin = upin;
		pinlen = ulen;
	}
	if (!ctx->have_token) {
		if ((st = init_token(ctx, label, so, solen)) != KS_OK ||
		    (st = find_created(ctx, label)) != KS_OK)
			return st;
		if (!ctx->have_token)
			return kx_fail(ctx, KS_ETOKEN, "token '%s' was "
			    "created but cannot be found", label);
	}
	return init_pin(ctx, so, solen, pin, pinlen);
}

ks_status
ks_embedded_init(ks_ctx *ctx, const char *dir, const char *label,
    const char *pin, size_t pinlen)
{
	char so[PIN_FILE_MAX], upin[PIN_FILE_MAX];
	ks_status st;

	if (ctx->p11 != NULL)
		return kx_fail(ctx, KS_EFAIL, "context already open");
	if (label == NULL || *label == '\0' || strlen(label) > P11_LABEL_MAX)
		return kx_fail(ctx, KS_EUSAGE, "token label must be 1 to %d "
		    "bytes", P11_LABEL_MAX);
	st = embedded_init(ctx, dir, label, pin, pinlen, so, sizeof(so), upin,
	    sizeof(upin));
	OPENSSL_cleanse(so, sizeof(so));
	OPENSSL_cleanse(upin, sizeof(upin));
	return st;
}
