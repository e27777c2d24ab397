/*
 * tokenlock.c -- advisory locks that serialise our processes on one token.
 *
 * Two kinds of lock file live in the runtime directory ($XDG_RUNTIME_DIR/
 * cryptokey, else /run/cryptokey for root, else /tmp/cryptokey-UID; mode
 * 0700, owned by the user):
 *
 *   token-SERIAL-HASH.lock  held (flock, exclusive) by a state-changing
 *                           command from token lookup to exit.  SERIAL is
 *                           the token's serial number (unsafe characters
 *                           as '_'), HASH an FNV-1a digest of manufacturer
 *                           and model, so equal serials of two makers'
 *                           tokens stay apart.
 *   module-HASH.lock        held (flock, exclusive) for the few
 *                           milliseconds from C_Initialize to
 *                           C_OpenSession and again around C_Login, by
 *                           every command, readers too.  SoftHSM2 rewrites
 *                           token.object on every C_Login, and a process
 *                           that reads it meanwhile (C_Initialize,
 *                           C_Login) sees no token or no user PIN.  HASH
 *                           digests the module path.
 *
 * Waits for either lock are bounded by CRYPTOKEY_LOCK_TIMEOUT seconds
 * (default 30); after one second the caller's wait callback is told once
 * of a wait for the token lock, so a tool can say what it waits for.  The
 * module lock is best effort and silent: after that time, or when it
 * cannot be used, the command goes on without it rather than fail.  Its
 * waits add up: fifty commands started at once each wait for those
 * before them, which under the sanitizers took more than the five
 * seconds this limit once was, and the last ones then failed as the
 * lock is there to prevent.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ks_internal.h"

#define LOCK_TIMEOUT_DEFAULT	30
#define LOCK_TIMEOUT_MAX	3600
#define LOCK_NOTICE_MS		1000
#define LOCK_POLL_MS		10

static uint64_t
fnv1a(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_INIT	0xcbf29ce484222325ULL

/* The runtime directory, created 0700 if missing; ours and private. */
static ks_status
run_dir(ks_ctx *ctx, char *buf, size_t bufsz)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat sb;
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, bufsz, "%s/cryptokey", xdg);
	else if (geteuid() == 0)
		n = snprintf(buf, bufsz, "/run/cryptokey");
	else
		n = snprintf(buf, bufsz, "/tmp/cryptokey-%lu",
		    (unsigned long)geteuid());
	if (n < 0 || (size_t)n >= bufsz)
		return kx_fail(ctx, KS_EFAIL, "runtime directory name too "
		    "long; set XDG_RUNTIME_DIR to a shorter path");
	if (mkdir(buf, 0700) == -1 && errno != EEXIST)
		return kx_fail(ctx, KS_EFAIL, "cannot create the lock "
		    "directory %s: %s", buf, strerror(errno));
	if (lstat(buf, &sb) == -1)
		return kx_fail(ctx, KS_EFAIL, "cannot use the lock directory "
		    "%s: %s", buf, strerror(errno));
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return kx_fail(ctx, KS_EPERM, "lock directory %s is not a "
		    "directory of yours that only you can write; remove it "
		    "or set XDG_RUNTIME_DIR", buf);
	return KS_OK;
}

static unsigned
lock_timeout(void)
{
	const char *s = getenv("CRYPTOKEY_LOCK_TIMEOUT");
	unsigned long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return LOCK_TIMEOUT_DEFAULT;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > LOCK_TIMEOUT_MAX)
		return LOCK_TIMEOUT_DEFAULT;
	return (unsigned)v;
}

static long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	(void)nanosleep(&ts, NULL);
}

/*
 * Open dir/name and take an exclusive flock within timeout seconds.  *fd
 * is the held lock, or -1.  KS_EFAIL when the wait timed out (the message
 * says so) or the file could not be used.  what NULL: wait silently.
 */
static ks_status
take(ks_ctx *ctx, const char *dir, const char *name, const char *what,
    unsigned timeout, int *fd)
{
	char path[512];
	long start, limit;
	int n, f, notified = 0;

	*fd = -1;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return kx_fail(ctx, KS_EFAIL, "lock file name too long in %s",
		    dir);
	f = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f == -1)
		return kx_fail(ctx, KS_EFAIL, "cannot open lock file %s: %s",
		    path, strerror(errno));
	start = now_ms();
	limit = (long)timeout * 1000;
	while (flock(f, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			kx_fail(ctx, KS_EFAIL, "cannot lock %s: %s", path,
			    strerror(errno));
			close(f);
			return KS_EFAIL;
		}
		if (now_ms() - start >= limit) {
			kx_fail(ctx, KS_EFAIL, "%s is still busy after %u s: "
			    "another process holds %s; try again later or "
			    "set CRYPTOKEY_LOCK_TIMEOUT", what != NULL ? what :
			    "the PKCS#11 module", timeout, path);
			close(f);
			return KS_EFAIL;
		}
		if (!notified && now_ms() - start >= LOCK_NOTICE_MS) {
			notified = 1;
			if (ctx->wait_fn != NULL && what != NULL)
				ctx->wait_fn(ctx->wait_arg, what);
		}
		nap_ms(LOCK_POLL_MS);
	}
	*fd = f;
	return KS_OK;
}

/*
 * Token locks this process holds, so that a second context on the same
 * token (move to the token the key is on) shares the lock instead of
 * waiting for itself.
 */
#define HELD_MAX	4
static struct held {
	dev_t		dev;
	ino_t		ino;
	int		fd;
	unsigned	refs;
} held[HELD_MAX];

/* Take the lock in dir/name, or share the one this process holds. */
static ks_status
take_shared(ks_ctx *ctx, const char *dir, const char *name,
    const char *what, int *slot)
{
	struct stat sb;
	ks_status st;
	int fd, i, n;
	char path[512];

	*slot = -1;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n >= 0 && (size_t)n < sizeof(path) && lstat(path, &sb) == 0)
		for (i = 0; i < HELD_MAX; i++)
			if (held[i].refs > 0 && held[i].dev == sb.st_dev &&
			    held[i].ino == sb.st_ino) {
				held[i].refs++;
				*slot = i;
				return KS_OK;
			}
	for (i = 0; i < HELD_MAX && held[i].refs > 0; i++)
		;
	if (i == HELD_MAX)
		return kx_fail(ctx, KS_EFAIL, "too many token locks held");
	if ((st = take(ctx, dir, name, what, lock_timeout(), &fd)) != KS_OK)
		return st;
	if (fstat(fd, &sb) == -1) {
		close(fd);
		return kx_fail(ctx, KS_EFAIL, "cannot use lock file %s: %s",
		    path, strerror(errno));
	}
	held[i].dev = sb.st_dev;
	held[i].ino = sb.st_ino;
	held[i].fd = fd;
	held[i].refs = 1;
	*slot = i;
	return KS_OK;
}

void
kx_unlock_token(int *slot)
{
	if (*slot < 0 || *slot >= HELD_MAX || held[*slot].refs == 0)
		return;
	if (--held[*slot].refs == 0) {
		(void)flock(held[*slot].fd, LOCK_UN);
		(void)close(held[*slot].fd);
		held[*slot].fd = -1;
	}
	*slot = -1;
}

void
kx_unlock_module(int *fd)
{
	if (*fd < 0)
		return;
	(void)flock(*fd, LOCK_UN);
	(void)close(*fd);
	*fd = -1;
}

/* Keep [A-Za-z0-9.-] of the serial, '_' for the rest. */
static void
safe_serial(const char *serial, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; serial[i] != '\0' && i + 1 < outsz; i++) {
		char c = serial[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ? c : '_';
	}
	out[i] = '\0';
}

ks_status
kx_lock_token(ks_ctx *ctx)
{
	char dir[256], name[96], serial[sizeof(ctx->token.serial)];
	char what[96];
	uint64_t h;
	ks_status st;

	if (ctx->token_lock >= 0)
		return KS_OK;
	if ((st = run_dir(ctx, dir, sizeof(dir))) != KS_OK)
		return st;
	safe_serial(ctx->token.serial, serial, sizeof(serial));
	h = fnv1a(FNV_INIT, ctx->token.info.manufacturerID,
	    sizeof(ctx->token.info.manufacturerID));
	h = fnv1a(h, ctx->token.info.model, sizeof(ctx->token.info.model));
	snprintf(name, sizeof(name), "token-%s-%08lx.lock",
	    serial[0] != '\0' ? serial : "noserial",
	    (unsigned long)(h & 0xffffffffUL));
	snprintf(what, sizeof(what), "token '%s'", ctx->token.label);
	return take_shared(ctx, dir, name, what, &ctx->token_lock);
}

void
kx_lock_module(ks_ctx *ctx)
{
	const char *path = ctx->module_path != NULL ? ctx->module_path :
	    "p11-kit";
	char dir[256], name[64], saved[sizeof(ctx->err)];
	uint64_t h;

	if (ctx->module_lock >= 0)
		return;
	/* best effort: a failure here is not the command's failure */
	memcpy(saved, ctx->err, sizeof(saved));
	h = fnv1a(FNV_INIT, path, strlen(path));
	snprintf(name, sizeof(name), "module-%016llx.lock",
	    (unsigned long long)h);
	if (run_dir(ctx, dir, sizeof(dir)) == KS_OK)
		(void)take(ctx, dir, name, NULL, lock_timeout(),
		    &ctx->module_lock);
	memcpy(ctx->err, saved, sizeof(saved));
}
