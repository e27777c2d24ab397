/*
 * signer.h -- the signer's protocol, shared by the signer process
 * (signer.c) and its clients (signer_client.c: the parent at start and
 * reload, the network process after).
 *
 * One SOCK_SEQPACKET datagram each way.  The signer's first datagram says
 * whether it logged in: status, then the library's message on failure.
 * After it, every request starts with a request ID of SIGNER_ID_LEN
 * octets that the answer repeats, then the operation octet (signer.c lists
 * them); every answer: the ID, the status octet, the result or on failure
 * the library's one-line message.  The signer answers with several
 * workers, in the order they finish, so a client matches answers to
 * requests by their IDs, never by their order.
 */
#ifndef SIGNER_H
#define SIGNER_H

#include <stdint.h>

#include "keystore.h"

#define SIGNER_MSG_MAX		16384
#define SIGNER_ID_LEN		4
/* the answer's head: its ID and its status */
#define SIGNER_HEAD		(SIGNER_ID_LEN + 1)
/* a PSK request: op, hash, by, then two names with their NULs, the data */
#define PSK_REQ_HEAD		3
#define SIGNER_TIMEOUT		15000	/* ms: a synchronous request */

/* The signer's first datagram on fd: KS_OK once it has logged in, else
 * its status and why in err (signer_client.c). */
ks_status	signer_ready(int fd, char *err, size_t errsz);
/* IKE_HASH_* to the library's HMAC; -1 when there is none (signer.c). */
int		signer_psk_hmac(int hash, ks_hmac *h);

static inline void
signer_id_put(uint8_t *p, uint32_t id)
{
	p[0] = (uint8_t)(id >> 24);
	p[1] = (uint8_t)(id >> 16);
	p[2] = (uint8_t)(id >> 8);
	p[3] = (uint8_t)id;
}

static inline uint32_t
signer_id_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

#endif
