/*
 * fuzz_ikev2.c -- libFuzzer target for ikesignd's IKEv2 message parser
 * (ikev2_pld.c): the header, the payload chain with every type allowed,
 * and the body of an SK payload parsed as if it were the decrypted inner
 * chain.  No keys, no sockets: what a datagram meets first.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "ikesignd/ikesignd.h"
#include "ikesignd/ikev2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ikev2_msg m, inner;
	const struct ikev2_pld *sk;

	if (ikev2_parse_header(data, size, &m) != 0)
		return 0;
	if (ikev2_parse_clear(&m, 0xffffffffu) != 0)
		return 0;
	if ((sk = ikev2_find(&m, IKEV2_PLD_SK, 0)) != NULL) {
		inner = m;
		(void)ikev2_parse_payloads(&inner, sk->inner, sk->body,
		    sk->len, 0xffffffffu);
	}
	(void)ikev2_pld_name(m.npld > 0 ? m.pld[0].type : 0);
	return 0;
}
