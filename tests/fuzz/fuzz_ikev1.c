/*
 * fuzz_ikev1.c -- libFuzzer target for ikesignd's IKEv1 message parser:
 * the header, the payload chain with every type allowed, and each
 * payload's own parser (SA offers with the policy choice and the reply
 * built from it, notifications, deletes, identities).  No token, no
 * sockets, no keys: the path a datagram takes before any state exists.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "ikesignd/ikesignd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct policy pols[] = {
	{ 10, IKE_ENC_AES, 128, IKE_HASH_SHA256, IKE_AUTH_RSA_SIG, 14, 86400 },
	{ 20, IKE_ENC_3DES, 0, IKE_HASH_MD5, IKE_AUTH_RSA_SIG, 2, 86400 },
};

static void
payload(const struct pld *p)
{
	static struct sa_offer offer;
	const struct policy *chosen;
	struct notify n;
	struct delete d;
	struct ident id;
	char text[256];
	int kind;
	uint8_t buf[IKE_MSG_MAX];
	struct wbuf w;
	size_t xi;

	switch (p->type) {
	case IKE_PLD_SA:
		if (sa_parse(p->body, p->len, &offer) != 0)
			break;
		if (sa_choose(&offer, pols, 2, &xi, &chosen) == 0) {
			wb_init(&w, buf, sizeof(buf));
			sa_build_reply(&w, &offer, xi);
		}
		break;
	case IKE_PLD_N:
		(void)pld_notify(p, &n);
		break;
	case IKE_PLD_D:
		(void)pld_delete(p, &d);
		break;
	case IKE_PLD_ID:
		/* Aggressive Mode reads the identity from message 1 */
		if (pld_ident(p, &id) == 0)
			(void)ident_text(id.type, id.data, id.len, text,
			    sizeof(text), &kind);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	size_t i;

	if (msg_parse_header(data, size, &m) != 0)
		return 0;
	if (msg_parse_clear(&m, 0xffffffffu) != 0)
		return 0;
	for (i = 0; i < m.npld; i++)
		payload(&m.pld[i]);
	return 0;
}
