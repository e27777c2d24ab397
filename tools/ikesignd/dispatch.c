/*
 * dispatch.c -- every datagram the network process reads comes here first.
 * IKEv1 (RFC 2408 3.1) and IKEv2 (RFC 7296 3.1) headers are laid out
 * alike: 28 octets, the version octet at offset 17 with the major version
 * in its high nibble.  That nibble says which protocol parses the rest.
 */
#include "config.h"

#include <arpa/inet.h>

#include "ikesignd.h"

#define HDR_VERSION_OFF	17	/* MjVer | MnVer */

void
ike_input(const uint8_t *pkt, size_t len, const struct sockaddr_in *from,
    const struct sockaddr_in *local)
{
	char who[INET_ADDRSTRLEN];
	unsigned major;

	if (len < IKE_HDR_LEN) {
		log_debug("malformed datagram of %zu octets dropped", len);
		return;
	}
	major = pkt[HDR_VERSION_OFF] >> 4;
	switch (major) {
	case 1:
		ikev1_input(pkt, len, from, local);
		return;
	case 2:
		ikev2_input(pkt, len, from, local);
		return;
	default:
		inet_ntop(AF_INET, &from->sin_addr, who, sizeof(who));
		log_debug("%s: datagram with IKE major version %u dropped",
		    who, major);
		return;
	}
}
