/*
 * fuzz_ikev2.c -- libFuzzer target for ikesignd's IKEv2 parsers of
 * outside data, all reached from one input:
 *
 *  - the input as a datagram (ikev2_pld.c): the header, the clear payload
 *    chain with every type allowed, and the body of an SK payload parsed
 *    as if it were the decrypted inner chain;
 *  - the input as the plaintext of an SK payload, without keys: its first
 *    octet is the type of the first inner payload (SK's Next Payload),
 *    the rest the chain (what ikev2_parse_payloads sees after
 *    ikev2_sk_open in ikev2_msg.c);
 *
 * and in each chain every payload's own parser: SA offers (ikev2_sa.c,
 * with the responder's choice and reply and the initiator's check of a
 * reply, against fixed proposals), notifications (with the
 * SIGNATURE_HASH_ALGORITHMS list), KE, IDi/IDr, AUTH (and for method 14
 * the RFC 7427 Authentication Data with its DER AlgorithmIdentifier,
 * sig.c; for other methods the DER reader over the data as it is).
 *
 * No keys, no sockets, no daemon state; the target allocates nothing
 * (the parsers allocate nothing either).  What a parser hands back is
 * read through, so ASan sees a pointer or length that leaves the input.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikesignd/ikesignd.h"
#include "ikesignd/ikev2.h"
#include "ikesignd/ikev2_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Two fixed proposals of ours (what conf_v2_proposals would give):
 * AES-GCM and AES-CBC/3DES with key lengths, SHA-2 and SHA-1, ECP, MODP
 * and Curve25519. */
static const struct v2_proposal prop_cbc = {
	"fuzz-cbc",
	{ IKEV2_ENCR_AES_CBC, IKEV2_ENCR_AES_CBC, IKEV2_ENCR_3DES },
	{ 256, 128, 0 }, 3,
	{ IKEV2_INTEG_HMAC_SHA2_256_128, IKEV2_INTEG_HMAC_SHA1_96 }, 2,
	{ IKEV2_PRF_HMAC_SHA2_256, IKEV2_PRF_HMAC_SHA1 }, 2,
	{ 19, 14, 31 }, 3,
};
static const struct v2_proposal prop_gcm = {
	"fuzz-gcm",
	{ IKEV2_ENCR_AES_GCM_16, IKEV2_ENCR_AES_GCM_16 }, { 256, 128 }, 2,
	{ 0 }, 0,
	{ IKEV2_PRF_HMAC_SHA2_512, IKEV2_PRF_HMAC_SHA2_384 }, 2,
	{ 20, 21 }, 2,
};
static const struct v2_proposal *const ours[] = { &prop_gcm, &prop_cbc };
#define NOURS	(sizeof(ours) / sizeof(ours[0]))

static volatile uint8_t sink;

/* Read every octet of a slice a parser returned. */
static void
touch(const uint8_t *p, size_t len)
{
	uint8_t x = 0;
	size_t i;

	if (p == NULL && len != 0)
		abort();
	for (i = 0; i < len; i++)
		x ^= p[i];
	sink ^= x;
}

/* A slice the parser returned must lie inside the payload's body. */
static void
inside(const struct ikev2_pld *p, const uint8_t *s, size_t len)
{
	if (s < p->body || len > p->len || (size_t)(s - p->body) >
	    p->len - len)
		abort();
	touch(s, len);
}

static void
sa(const struct ikev2_pld *p)
{
	static struct v2_offer offer;
	struct ikev2_suite suite;
	uint8_t buf[512];
	char str[128];
	struct wbuf w;
	size_t pi;

	if (v2_sa_parse(p->body, p->len, &offer) != 0)
		return;
	if (offer.nprop == 0 || offer.nprop > V2_PROP_MAX)
		abort();
	/* responder (ikev2_init.c choose, respond_build) */
	if (v2_sa_choose(&offer, IKEV2_PROTO_IKE, ours, NOURS, &suite,
	    &pi) == 0) {
		if (pi >= offer.nprop || suite.encr == NULL ||
		    suite.prf == NULL || suite.group == NULL)
			abort();
		wb_init(&w, buf, sizeof(buf));
		v2_sa_reply(&w, offer.prop[pi].num, &suite, offer.prop[pi].spi,
		    offer.prop[pi].spilen);
		if (w.err)
			abort();
		v2_suite_string(&suite, str, sizeof(str));
	}
	/* initiator, the responder's reply (ikev2_init.c, ikev2_rekey.c) */
	if (v2_sa_chosen(&offer, ours, NOURS, &suite) == 0)
		v2_suite_string(&suite, str, sizeof(str));
}

static void
notify(const struct ikev2_pld *p)
{
	struct v2_notify n;

	if (v2_pld_notify(p, &n) != 0)
		return;
	inside(p, n.spi, n.spilen);
	inside(p, n.data, n.len);
	(void)v2_notify_name(n.type);
	if (n.type == IKEV2_N_SIGNATURE_HASH_ALGORITHMS) {
		(void)sig_choose(n.data, n.len, 0);
		(void)sig_choose(n.data, n.len, 1);
	}
}

static void
auth(const struct ikev2_pld *p)
{
	const uint8_t *d, *sig;
	size_t len, siglen;
	enum sig_scheme s;
	int saltlen;
	uint8_t method;

	if (v2_pld_auth(p, &method, &d, &len) != 0)
		return;
	inside(p, d, len);
	if (method == IKEV2_AUTH_SIG) {
		if (sig_auth14_parse(d, len, &s, &saltlen, &sig, &siglen) != 0)
			return;
		if (siglen == 0 || sig_hash(s) == NULL)
			abort();
		inside(p, sig, siglen);
		(void)sig_scheme_name(s);
		(void)sig_hash_alg(s);
	} else if (sig_algid_parse(d, len, &s, &saltlen) == 0) {
		if (sig_hash(s) == NULL)
			abort();
	}
}

static void
payload(const struct ikev2_pld *p)
{
	struct v2_id id;
	const uint8_t *ke;
	size_t kelen;
	uint16_t group;

	(void)ikev2_pld_name(p->type);
	switch (p->type) {
	case IKEV2_PLD_SA:
		sa(p);
		break;
	case IKEV2_PLD_N:
		notify(p);
		break;
	case IKEV2_PLD_KE:
		if (v2_pld_ke(p, &group, &ke, &kelen) == 0) {
			inside(p, ke, kelen);
			(void)dh_group_get(group);
		}
		break;
	case IKEV2_PLD_IDI:
	case IKEV2_PLD_IDR:
		if (v2_pld_id(p, &id) == 0)
			inside(p, id.data, id.len);
		break;
	case IKEV2_PLD_AUTH:
		auth(p);
		break;
	default:
		break;
	}
}

static void
chain(const struct ikev2_msg *m)
{
	struct v2_notify n;
	size_t i;

	for (i = 0; i < m->npld; i++)
		payload(&m->pld[i]);
	(void)v2_error_notify(m);
	(void)v2_find_notify(m, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, &n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ikev2_msg m, inner;
	const struct ikev2_pld *sk;

	/* the input as an SK plaintext: first octet, then the chain */
	if (size > 0) {
		memset(&inner, 0, sizeof(inner));
		if (ikev2_parse_payloads(&inner, data[0], data + 1, size - 1,
		    0xffffffffu) == 0)
			chain(&inner);
	}

	/* the input as a datagram */
	if (ikev2_parse_header(data, size, &m) != 0)
		return 0;
	if (ikev2_parse_clear(&m, 0xffffffffu) != 0)
		return 0;
	chain(&m);
	if ((sk = ikev2_find(&m, IKEV2_PLD_SK, 0)) != NULL) {
		inner = m;
		if (ikev2_parse_payloads(&inner, sk->inner, sk->body,
		    sk->len, 0xffffffffu) == 0)
			chain(&inner);
	}
	return 0;
}
