/*
 * ident.c -- a peer's identity, as both IKE versions carry it (ID_IPV4_ADDR,
 * ID_FQDN, ID_USER_FQDN / ID_RFC822_ADDR and ID_KEY_ID are numbered 1, 2, 3
 * and 11 in RFC 2407 4.6.2.1 and RFC 7296 3.5 alike), turned into the text
 * logs and ikesignctl show, and into the kind of keyring lookup that finds
 * its key.  A KEY_ID is taken only when it is printable text (the group
 * names IOS and strongSwan's "keyid:" send).
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ikesignd.h"

#define ID_IPV4_ADDR	1
#define ID_FQDN		2
#define ID_USER_FQDN	3
#define ID_KEY_ID	11

/* Printable ASCII without spaces: what a name may hold. */
static int
name_ok(const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (data[i] <= ' ' || data[i] >= 0x7f)
			return 0;
	return len > 0;
}

int
ident_text(uint8_t type, const uint8_t *data, size_t len, char *out,
    size_t outsz, int *kind)
{
	switch (type) {
	case ID_IPV4_ADDR:
		if (len != 4 || inet_ntop(AF_INET, data, out,
		    (socklen_t)outsz) == NULL)
			return -1;
		*kind = KS_PEER_ADDRESS;
		return 0;
	case ID_FQDN:
	case ID_USER_FQDN:
	case ID_KEY_ID:
		if (len >= outsz || !name_ok(data, len))
			return -1;
		memcpy(out, data, len);
		out[len] = '\0';
		*kind = type == ID_FQDN ? KS_PEER_HOSTNAME : KS_PEER_NAME;
		return 0;
	default:
		return -1;
	}
}
