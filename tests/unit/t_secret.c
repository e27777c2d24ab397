/*
 * t_secret.c -- secret sources: file, fd, env; prompt refused in batch;
 * secret files private and regular; refused sources never echoed; the one
 * PIN policy (pinsrc.c): its order, bare paths, empty PINs, pin-value.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "common/pinsrc.h"
#include "common/secret.h"
#include "tap.h"

static ks_status
rd(const char *src, int batch, char *buf, size_t *len)
{
	char err[512];

	return secret_read(src, "PIN: ", batch, 0, buf, SECRET_MAX, len, err,
	    sizeof(err));
}

static void
file_rule_tests(void)
{
	char dir[] = "/tmp/t_secret.d.XXXXXX", path[128], src[160];
	char buf[SECRET_MAX], err[512];
	size_t len;
	int fd;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/pin", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	(void)!write(fd, "4321\n", 5);
	close(fd);
	is_int(secret_check(path, err, sizeof(err)), KS_OK,
	    "a bare absolute path is a source");
	is_int(secret_read(path, "PIN: ", 1, 0, buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_OK, "a bare path reads the file");
	ok(len == 4 && memcmp(buf, "4321", 4) == 0, "its first line");
	chmod(path, 0644);
	snprintf(src, sizeof(src), "file:%s", path);
	is_int(secret_read(src, "PIN: ", 1, 0, buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_EPERM, "a world-readable secret file is refused");
	ok(strstr(err, "permissions 0644 are too open") != NULL &&
	    strstr(err, "chmod 600") != NULL, "the message: %s", err);
	chmod(path, 0620);
	is_int(secret_read(src, "PIN: ", 1, 0, buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_EPERM, "a group-writable secret file is refused");
	chmod(path, 0600);
	if (geteuid() == 0) {
		(void)!chown(path, 65534, 65534);
		is_int(secret_read(src, "PIN: ", 1, 0, buf, sizeof(buf), &len,
		    err, sizeof(err)), KS_EPERM,
		    "a secret file of another user is refused");
	}
	unlink(path);
	mkfifo(path, 0600);
	is_int(secret_read(src, "PIN: ", 1, 0, buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_EINPUT, "a FIFO is refused without blocking");
	unlink(path);
	snprintf(src, sizeof(src), "file:%s", dir);
	is_int(secret_read(src, "PIN: ", 1, 0, buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_EINPUT, "a directory is refused");
	is_int(secret_read("file:/dev/zero", "PIN: ", 1, 0, buf, sizeof(buf),
	    &len, err, sizeof(err)), KS_EINPUT, "a device is refused");
	rmdir(dir);

	is_int(secret_check("7340981", err, sizeof(err)), KS_EUSAGE,
	    "a PIN as a source");
	ok(strstr(err, "7340981") == NULL, "is not echoed: %s", err);
	is_int(secret_check("fd:9x9x", err, sizeof(err)), KS_EUSAGE,
	    "a bad fd: source");
	ok(strstr(err, "9x9x") == NULL, "is not echoed: %s", err);
}

static void
policy_tests(void)
{
	struct pin_inputs in;
	char buf[SECRET_MAX], err[512];
	size_t len;

	memset(&in, 0, sizeof(in));
	is_int(pin_pick(&in), PIN_FROM_PROMPT, "nothing given: prompt");
	in.prompt = PIN_PROMPT_NEVER;
	is_int(pin_pick(&in), PIN_FROM_NONE, "the daemon: no prompt");
	is_int(pin_get(&in, "PIN: ", buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_EAUTH, "and no PIN");
	in.embedded = "env:T_P_EMB";
	is_int(pin_pick(&in), PIN_FROM_EMBEDDED, "user.pin beats the prompt");
	in.config = "env:T_P_CONF";
	is_int(pin_pick(&in), PIN_FROM_CONFIG, "config beats user.pin");
	in.uri_source = "env:T_P_URI";
	is_int(pin_pick(&in), PIN_FROM_URI_SOURCE,
	    "the URI's pin-source beats the config");
	in.uri_value = "5555";
	is_int(pin_pick(&in), PIN_FROM_URI_VALUE,
	    "the URI's pin-value beats its pin-source");
	in.cli = "env:T_P_CLI";
	is_int(pin_pick(&in), PIN_FROM_CLI, "--pin-source beats them all");
	in.cli = "";
	is_int(pin_pick(&in), PIN_FROM_URI_VALUE, "an empty string is absent");

	setenv("T_P_CLI", "1111", 1);
	setenv("T_P_URI", "2222", 1);
	in.cli = "env:T_P_CLI";
	is_int(pin_get(&in, "PIN: ", buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_OK, "pin_get");
	ok(len == 4 && memcmp(buf, "1111", 4) == 0, "reads the winner");
	in.cli = NULL;
	is_int(pin_get(&in, "PIN: ", buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_OK, "pin_get with pin-value");
	ok(len == 4 && memcmp(buf, "5555", 4) == 0, "gives the pin-value");
	in.uri_value = "";
	is_int(pin_get(&in, "PIN: ", buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_EINPUT, "an empty pin-value is refused");
	in.uri_value = NULL;
	setenv("T_P_URI", "", 1);
	is_int(pin_get(&in, "PIN: ", buf, sizeof(buf), &len, err,
	    sizeof(err)), KS_EINPUT, "an empty PIN from a source is refused");
	ok(strstr(err, "pin-source gave an empty PIN") != NULL,
	    "naming the source: %s", err);

	ok(pin_uri_has_value("pkcs11:token=a?pin-value=1"), "pin-value found");
	ok(pin_uri_has_value("pkcs11:token=a?module-name=m&pin-value=1"),
	    "pin-value after another query attribute");
	ok(pin_uri_has_value("PKCS11:token=a?PIN-VALUE=1"), "in any case");
	ok(!pin_uri_has_value("pkcs11:token=a?pin-source=file:/x"),
	    "pin-source is not pin-value");
	ok(!pin_uri_has_value("pkcs11:token=pin-value"), "a label is not");
	ok(!pin_uri_has_value("pin-value=1"), "a plain label is not");
	ok(!pin_uri_has_value(NULL), "no token");
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
	file_rule_tests();
	policy_tests();
	return done_testing();
}
