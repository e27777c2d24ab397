/*
 * t_secret.c -- secret sources: file, fd, env; prompt refused in batch.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/secret.h"
#include "tap.h"

static ks_status
rd(const char *src, int batch, char *buf, size_t *len)
{
	char err[512];

	return secret_read(src, "PIN: ", batch, 0, buf, SECRET_MAX, len, err,
	    sizeof(err));
}

int
main(void)
{
	char buf[SECRET_MAX], path[] = "/tmp/t_secret.XXXXXX", src[64];
	char err[256];
	size_t len;
	int fd, p[2];

	is_int(secret_check("prompt", err, sizeof(err)), KS_OK, "prompt");
	is_int(secret_check("file:/x", err, sizeof(err)), KS_OK, "file:");
	is_int(secret_check("fd:3", err, sizeof(err)), KS_OK, "fd:");
	is_int(secret_check("env:X", err, sizeof(err)), KS_OK, "env:");
	is_int(secret_check("1234", err, sizeof(err)), KS_EUSAGE,
	    "a bare value is refused");
	is_int(secret_check("file:", err, sizeof(err)), KS_EUSAGE,
	    "file: without a path is refused");
	is_int(secret_check("fd:-1", err, sizeof(err)), KS_EUSAGE,
	    "negative fd refused");

	fd = mkstemp(path);
	(void)!write(fd, "s3cret\nsecond line\n", 19);
	close(fd);
	snprintf(src, sizeof(src), "file:%s", path);
	is_int(rd(src, 1, buf, &len), KS_OK, "file read");
	ok(len == 6 && memcmp(buf, "s3cret", 6) == 0, "first line only");
	unlink(path);
	is_int(rd(src, 1, buf, &len), KS_ENOTFOUND, "missing file");

	(void)!pipe(p);
	(void)!write(p[1], "fromfd\r\n", 8);
	close(p[1]);
	snprintf(src, sizeof(src), "fd:%d", p[0]);
	is_int(rd(src, 1, buf, &len), KS_OK, "fd read");
	ok(len == 6 && memcmp(buf, "fromfd", 6) == 0, "CR LF stripped");
	close(p[0]);

	setenv("T_SECRET_PIN", "envpin", 1);
	is_int(rd("env:T_SECRET_PIN", 1, buf, &len), KS_OK, "env read");
	ok(len == 6 && memcmp(buf, "envpin", 6) == 0, "env value");
	is_int(rd("env:T_SECRET_UNSET_VAR", 1, buf, &len), KS_ENOTFOUND,
	    "unset env var");

	is_int(rd("prompt", 1, buf, &len), KS_EUSAGE,
	    "prompt refused in batch mode");

	(void)!pipe(p);
	{
		char big[SECRET_MAX + 10];

		memset(big, 'x', sizeof(big));
		(void)!write(p[1], big, sizeof(big));
	}
	close(p[1]);
	snprintf(src, sizeof(src), "fd:%d", p[0]);
	is_int(rd(src, 1, buf, &len), KS_EINPUT, "overlong secret refused");
	close(p[0]);
	return done_testing();
}
