/*
 * signer_raw.h -- for unit tests that talk to a real ikesignd signer over
 * its socket: start one on the unit token, and send one raw request,
 * bypassing the network-side checks.  Include after tap.h, token.h and
 * tools/ikesignd/ikesignd.h.
 */
#ifndef SIGNER_RAW_H
#define SIGNER_RAW_H

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

/* One raw request to the signer, after a request ID (signer.h); its
 * status octet, or -1 (also when the answer has another ID). */
static int
raw_call(int fd, const uint8_t *req, size_t len, char *msg, size_t msgsz)
{
	static const uint8_t id[4] = { 0x7f, 0x00, 0x00, 0x01 };
	uint8_t frame[4 + 20000], resp[16384];
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;

	if (len > sizeof(frame) - sizeof(id))
		return -1;
	memcpy(frame, id, sizeof(id));
	memcpy(frame + sizeof(id), req, len);
	if (send(fd, frame, len + sizeof(id), 0) < 0 ||
	    poll(&pfd, 1, 15000) != 1 ||
	    (n = recv(fd, resp, sizeof(resp), 0)) <= (ssize_t)sizeof(id) ||
	    memcmp(resp, id, sizeof(id)) != 0)
		return -1;
	snprintf(msg, msgsz, "%.*s", (int)(n - 5), resp + 5);
	return resp[4];
}

/* A signer for key on the unit token of dir through module, its PIN in
 * dir/pin; 0 and its socket and pid, or -1 after a failed check. */
static int
unit_signer_start_module(const char *dir, struct conf *c, const char *key,
    const char *module, int *fd, pid_t *pid)
{
	char pin[256], err[768];
	int pfd;
	ks_status st;

	snprintf(pin, sizeof(pin), "%s/pin", dir);
	if ((pfd = open(pin, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    write(pfd, UNIT_PIN, strlen(UNIT_PIN)) !=
	    (ssize_t)strlen(UNIT_PIN)) {
		ok(0, "a PIN file");
		return -1;
	}
	close(pfd);
	snprintf(c->module, sizeof(c->module), "%s", module);
	snprintf(c->token, sizeof(c->token), "unit");
	snprintf(c->pin_source, sizeof(c->pin_source), "file:%s", pin);
	snprintf(c->key, sizeof(c->key), "%s", key);
	st = signer_spawn(c, fd, pid, err, sizeof(err));
	if (!is_int(st, KS_OK, "the signer logs in")) {
		printf("# %s\n", err);
		return -1;
	}
	return 0;
}

/* The same with SoftHSM2 itself. */
__attribute__((unused))
static int
unit_signer_start(const char *dir, struct conf *c, const char *key, int *fd,
    pid_t *pid)
{
	return unit_signer_start_module(dir, c, key, SOFTHSM_MODULE, fd, pid);
}

#endif
