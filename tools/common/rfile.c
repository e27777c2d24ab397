/*
 * rfile.c -- open a regular file for reading, never a FIFO or a device.
 *
 * stat() first so that nothing but a regular file is ever opened (opening
 * a FIFO blocks until a writer comes, opening a device may act on it),
 * then open with O_NONBLOCK and check again with fstat() what was really
 * opened, in case the path changed in between.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rfile.h"

static const char *
kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

static ks_status
not_regular(const char *path, mode_t m, char *err, size_t errsz)
{
	snprintf(err, errsz, "%s is %s, not a regular file; give a regular "
	    "file", path, kind(m));
	return KS_EINPUT;
}

static ks_status
open_fail(const char *path, int e, char *err, size_t errsz)
{
	snprintf(err, errsz, "cannot open %s: %s", path, strerror(e));
	return e == ENOENT ? KS_ENOTFOUND : KS_EFAIL;
}

ks_status
rfile_open(const char *path, int *fdp, char *err, size_t errsz)
{
	struct stat sb;
	int fd, fl;

	*fdp = -1;
	if (stat(path, &sb) != 0)
		return open_fail(path, errno, err, errsz);
	if (!S_ISREG(sb.st_mode))
		return not_regular(path, sb.st_mode, err, errsz);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return open_fail(path, errno, err, errsz);
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errsz, "cannot read %s: %s", path,
		    strerror(errno));
		close(fd);
		return KS_EFAIL;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return not_regular(path, sb.st_mode, err, errsz);
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		snprintf(err, errsz, "cannot read %s: %s", path,
		    strerror(errno));
		close(fd);
		return KS_EFAIL;
	}
	*fdp = fd;
	return KS_OK;
}

ks_status
rfile_private(const char *path, mode_t mode, uid_t uid, char *err,
    size_t errsz)
{
	uid_t me = geteuid();

	if (uid != me && uid != 0) {
		snprintf(err, errsz, "%s is owned by uid %lu, not by you (uid "
		    "%lu) or root; a secret file must be your own: run chown "
		    "%lu %s", path, (unsigned long)uid, (unsigned long)me,
		    (unsigned long)me, path);
		return KS_EPERM;
	}
	if ((mode & 077) != 0) {
		snprintf(err, errsz, "%s: permissions %04o are too open; a "
		    "secret file must not be accessible by others: run chmod "
		    "600 %s", path, (unsigned)(mode & 07777), path);
		return KS_EPERM;
	}
	return KS_OK;
}

ks_status
rfile_open_secret(const char *path, int *fdp, char *err, size_t errsz)
{
	struct stat sb;
	ks_status st;

	if ((st = rfile_open(path, fdp, err, errsz)) != KS_OK)
		return st;
	if (fstat(*fdp, &sb) != 0) {
		snprintf(err, errsz, "cannot read %s: %s", path,
		    strerror(errno));
		st = KS_EFAIL;
	} else
		st = rfile_private(path, sb.st_mode, sb.st_uid, err, errsz);
	if (st != KS_OK) {
		close(*fdp);
		*fdp = -1;
	}
	return st;
}
