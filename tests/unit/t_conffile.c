/*
 * t_conffile.c -- cryptokey.conf parsing and in-place update.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conffile.h"
#include "tap.h"

static ks_status
parse(const char *text, struct config *c, char *err, size_t errsz)
{
	return config_parse(text, strlen(text), "f", c, err, errsz);
}

static char *
slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int
main(void)
{
	struct config c;
	char err[512], dir[] = "/tmp/t_conffile.XXXXXX", path[600];
	char *big;

	is_int(parse("# comment\n\n module = /m.so \ntoken=pkcs11:token=a\n"
	    "pin-source = file:/p\npassphrase-source = prompt\n", &c, err,
	    sizeof(err)), KS_OK, "full file parses");
	is_str(c.module, "/m.so", "module trimmed");
	is_str(c.token, "pkcs11:token=a", "token with '=' in the value");
	is_str(c.pin_source, "file:/p", "pin-source");
	is_str(c.pass_source, "prompt", "passphrase-source");
	config_free(&c);

	is_int(parse("module-init-args = configdir='sql:/d' flags=\n", &c,
	    err, sizeof(err)), KS_OK, "module-init-args parses");
	is_str(c.module_init, "configdir='sql:/d' flags=",
	    "module-init-args: the whole value, quotes and '=' kept");
	config_free(&c);

	is_int(parse("module = a\nmodel = b\n", &c, err, sizeof(err)),
	    KS_EINPUT, "unknown key refused");
	ok(strstr(err, "f:2:") != NULL, "error names the line: %s", err);
	is_int(parse("module\n", &c, err, sizeof(err)), KS_EINPUT,
	    "line without '=' refused");
	is_int(parse("module =\n", &c, err, sizeof(err)), KS_EINPUT,
	    "empty value refused");
	is_int(parse("token = a\ntoken = b\n", &c, err, sizeof(err)),
	    KS_EINPUT, "repeated key refused");
	is_int(parse("pin-source = 1234\n", &c, err, sizeof(err)), KS_EINPUT,
	    "a PIN as a pin-source value is refused");
	is_int(parse("pin-source = fd:x\n", &c, err, sizeof(err)), KS_EINPUT,
	    "fd: without a number refused");

	big = malloc(CONFIG_LINE_MAX + 20);
	memset(big, '#', CONFIG_LINE_MAX + 19);
	big[CONFIG_LINE_MAX + 19] = '\0';
	is_int(parse(big, &c, err, sizeof(err)), KS_EINPUT,
	    "overlong line refused");
	free(big);

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/sub/cryptokey.conf", dir);
	is_int(config_load(path, &c, err, sizeof(err)), KS_ENOTFOUND,
	    "missing file is 'not found'");
	is_int(config_set(path, "token", "a", err, sizeof(err)), KS_OK,
	    "set creates the file and its directory");
	is_str(slurp(path), "token = a\n", "one line written");
	FILE *f = fopen(path, "w");
	fputs("# keep me\nmodule = /m.so\ntoken = old\npin-source = prompt", f);
	fclose(f);
	is_int(config_set(path, "token", "new", err, sizeof(err)), KS_OK,
	    "set replaces a key");
	is_str(slurp(path), "# keep me\nmodule = /m.so\ntoken = new\n"
	    "pin-source = prompt\n", "other lines kept, in order");
	f = fopen(path, "w");
	fputs("bogus = 1\n", f);
	fclose(f);
	is_int(config_set(path, "token", "x", err, sizeof(err)), KS_EINPUT,
	    "a broken file is not rewritten");
	is_str(slurp(path), "bogus = 1\n", "and stays as it was");
	chmod(path, 0640);
	f = fopen(path, "w");
	fputs("token = t\n", f);
	fclose(f);
	is_int(config_load(path, &c, err, sizeof(err)), KS_OK, "loads");
	ok((c.mode & 07777) == 0640 && c.uid == geteuid(),
	    "the file's mode and owner are kept");
	config_free(&c);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	is_int(config_load(path, &c, err, sizeof(err)), KS_EINPUT,
	    "a directory is bad input");
	ok(strstr(err, "a directory, not a regular file") != NULL,
	    "and the message says so: %s", err);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) == 0) {
		is_int(config_load(path, &c, err, sizeof(err)), KS_EINPUT,
		    "a FIFO is bad input, without blocking");
		unlink(path);
	} else
		ok(0, "mkfifo");
	is_int(config_load("/dev/null", &c, err, sizeof(err)), KS_EINPUT,
	    "a device is bad input");
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
	return done_testing();
}
