/*
 * ikev2.h -- IKEv2 wire constants (RFC 7296 3), the message parser's
 * types (ikev2_pld.c) and the transforms ikesignd offers (ikev2_alg.c).
 */
#ifndef IKEV2_H
#define IKEV2_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#define IKEV2_SPI_LEN		8
#define IKEV2_HDR_LEN		28
#define IKEV2_GEN_LEN		4	/* generic payload header */
#define IKEV2_MSG_MAX		65535	/* the header's length is 32 bits */

/* exchange types (3.1) */
#define IKEV2_XCHG_IKE_SA_INIT		34
#define IKEV2_XCHG_IKE_AUTH		35
#define IKEV2_XCHG_CREATE_CHILD_SA	36
#define IKEV2_XCHG_INFORMATIONAL	37

/* header flags (3.1); the others are ignored on receipt */
#define IKEV2_FLAG_I		0x08	/* sent by the original initiator */
#define IKEV2_FLAG_V		0x10
#define IKEV2_FLAG_R		0x20	/* a response */

/* payload types (3.2) */
#define IKEV2_PLD_NONE		0
#define IKEV2_PLD_SA		33
#define IKEV2_PLD_KE		34
#define IKEV2_PLD_IDI		35
#define IKEV2_PLD_IDR		36
#define IKEV2_PLD_CERT		37
#define IKEV2_PLD_CERTREQ	38
#define IKEV2_PLD_AUTH		39
#define IKEV2_PLD_NONCE		40
#define IKEV2_PLD_N		41
#define IKEV2_PLD_D		42
#define IKEV2_PLD_V		43
#define IKEV2_PLD_TSI		44
#define IKEV2_PLD_TSR		45
#define IKEV2_PLD_SK		46
#define IKEV2_PLD_CP		47
#define IKEV2_PLD_EAP		48
#define IKEV2_PLD_SKF		53	/* RFC 7383 */

#define IKEV2_CRITICAL		0x80	/* the C bit of the generic header */

/* notify types (3.10.1) */
#define IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD	1
#define IKEV2_N_INVALID_IKE_SPI			4
#define IKEV2_N_INVALID_MAJOR_VERSION		5
#define IKEV2_N_INVALID_SYNTAX			7
#define IKEV2_N_INVALID_MESSAGE_ID		9
#define IKEV2_N_INVALID_SPI			11
#define IKEV2_N_NO_PROPOSAL_CHOSEN		14
#define IKEV2_N_INVALID_KE_PAYLOAD		17
#define IKEV2_N_AUTHENTICATION_FAILED		24
#define IKEV2_N_SINGLE_PAIR_REQUIRED		34
#define IKEV2_N_NO_ADDITIONAL_SAS		35
#define IKEV2_N_INTERNAL_ADDRESS_FAILURE	36
#define IKEV2_N_FAILED_CP_REQUIRED		37
#define IKEV2_N_TS_UNACCEPTABLE			38
#define IKEV2_N_INVALID_SELECTORS		39
#define IKEV2_N_TEMPORARY_FAILURE		43
#define IKEV2_N_CHILD_SA_NOT_FOUND		44
#define IKEV2_N_ERROR_MAX			16383	/* errors below */
#define IKEV2_N_INITIAL_CONTACT			16384
#define IKEV2_N_SET_WINDOW_SIZE			16385
#define IKEV2_N_NAT_DETECTION_SOURCE_IP		16388
#define IKEV2_N_NAT_DETECTION_DESTINATION_IP	16389
#define IKEV2_N_COOKIE				16390
#define IKEV2_N_REKEY_SA			16393
#define IKEV2_N_CHILDLESS_IKEV2_SUPPORTED	16418	/* RFC 6023 */
#define IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED	16430	/* RFC 7383 */
#define IKEV2_N_SIGNATURE_HASH_ALGORITHMS	16431	/* RFC 7427 */

/* protocol IDs (3.3.1) */
#define IKEV2_PROTO_IKE		1
#define IKEV2_PROTO_AH		2
#define IKEV2_PROTO_ESP		3

/* transform types and IDs (3.3.2, IANA) */
#define IKEV2_XF_ENCR		1
#define IKEV2_XF_PRF		2
#define IKEV2_XF_INTEG		3
#define IKEV2_XF_DH		4
#define IKEV2_XF_ESN		5

#define IKEV2_ENCR_3DES		3
#define IKEV2_ENCR_AES_CBC	12
#define IKEV2_ENCR_AES_GCM_16	20	/* RFC 5282 */

#define IKEV2_PRF_HMAC_SHA1	2
#define IKEV2_PRF_HMAC_SHA2_256	5
#define IKEV2_PRF_HMAC_SHA2_384	6
#define IKEV2_PRF_HMAC_SHA2_512	7

#define IKEV2_INTEG_NONE		0
#define IKEV2_INTEG_HMAC_SHA1_96	2
#define IKEV2_INTEG_HMAC_SHA2_256_128	12
#define IKEV2_INTEG_HMAC_SHA2_384_192	13
#define IKEV2_INTEG_HMAC_SHA2_512_256	14

#define IKEV2_ATTR_KEY_LENGTH	14	/* TV format: 0x800e */

/* ID types (3.5) */
#define IKEV2_ID_IPV4_ADDR	1
#define IKEV2_ID_FQDN		2
#define IKEV2_ID_RFC822_ADDR	3
#define IKEV2_ID_IPV6_ADDR	5
#define IKEV2_ID_KEY_ID		11

/* AUTH methods (3.8, RFC 7427) */
#define IKEV2_AUTH_RSA_SIG	1
#define IKEV2_AUTH_PSK		2
#define IKEV2_AUTH_DSS		3
#define IKEV2_AUTH_ECDSA_256	9
#define IKEV2_AUTH_ECDSA_384	10
#define IKEV2_AUTH_ECDSA_521	11
#define IKEV2_AUTH_SIG		14	/* RFC 7427 digital signature */

/* hash algorithms of SIGNATURE_HASH_ALGORITHMS (RFC 7427 4) */
#define IKEV2_HASH_SHA1		1
#define IKEV2_HASH_SHA2_256	2
#define IKEV2_HASH_SHA2_384	3
#define IKEV2_HASH_SHA2_512	4
#define IKEV2_HASH_IDENTITY	5	/* RFC 8420: EdDSA signs the octets */

#define IKEV2_PLD_MAX		32	/* payloads in one message, at most */

/* Bit of a payload type in an "allowed" mask: types 33..63. */
#define IKEV2_BIT(t)	((t) > 32 && (t) < 64 ? (uint32_t)1 << ((t) - 32) : 0)

struct ikev2_pld {
	uint8_t		 type;
	int		 critical;
	uint8_t		 inner;		/* SK, SKF: the first inner payload */
	const uint8_t	*raw;		/* with the generic header */
	size_t		 rawlen;
	const uint8_t	*body;		/* without it */
	size_t		 len;
};

struct ikev2_msg {
	const uint8_t	*data;
	size_t		 len;		/* as the header says */
	uint8_t		 ispi[IKEV2_SPI_LEN];
	uint8_t		 rspi[IKEV2_SPI_LEN];
	uint8_t		 next;
	uint8_t		 version;
	uint8_t		 xchg;
	uint8_t		 flags;
	uint32_t	 mid;
	struct ikev2_pld pld[IKEV2_PLD_MAX];
	size_t		 npld;
	uint8_t		 bad_type;	/* the unsupported critical payload */
};

/* The fixed header of an IKEv2 datagram; 0 or an IKEV2_N_* to report. */
int	ikev2_parse_header(const uint8_t *pkt, size_t len, struct ikev2_msg *);
/*
 * The payload chain starting with type first in body (the clear part of a
 * message, or the decrypted inside of SK).  allowed is an IKEV2_BIT mask
 * of the types this exchange may carry.  An SK or SKF payload ends the
 * chain: it runs to the end of body, and its inner type is kept.  An
 * unknown type is skipped unless its critical bit is set (then
 * UNSUPPORTED_CRITICAL_PAYLOAD, with bad_type set: RFC 7296 2.5); a known
 * type this exchange may not carry, or a payload out of shape, is
 * INVALID_SYNTAX.
 */
int	ikev2_parse_payloads(struct ikev2_msg *, uint8_t first,
	    const uint8_t *body, size_t len, uint32_t allowed);
/* The unencrypted body after the header. */
int	ikev2_parse_clear(struct ikev2_msg *, uint32_t allowed);
const struct ikev2_pld *ikev2_find(const struct ikev2_msg *, uint8_t type,
	    size_t nth);
const char *ikev2_pld_name(uint8_t type);

/* ikev2_alg.c: the transforms ikesignd knows ---------------------------- */

struct ike_hash;

struct ikev2_encr {
	uint16_t	 id;		/* IKEV2_ENCR_* */
	unsigned	 keybits;	/* the Key Length attribute; 0: none */
	const char	*ios;		/* IOS keyword: aes-cbc-128 ... */
	const char	*evp;		/* OpenSSL cipher name */
	size_t		 keylen;	/* octets of SK_e, salt included */
	size_t		 saltlen;	/* AEAD: the implicit nonce part */
	size_t		 ivlen;		/* the explicit IV in each message */
	size_t		 blocklen;	/* padding unit */
	size_t		 icvlen;	/* AEAD: its tag; 0 for CBC */
	int		 weak;
};

struct ikev2_prf {
	uint16_t	 id;		/* IKEV2_PRF_* */
	const char	*ios;		/* sha1 sha256 sha384 sha512 */
	int		 hash;		/* IKE_HASH_*: HMAC with this hash */
};

struct ikev2_integ {
	uint16_t	 id;		/* IKEV2_INTEG_* */
	const char	*ios;
	int		 hash;		/* IKE_HASH_*: HMAC with this hash */
	size_t		 keylen;	/* SK_a */
	size_t		 icvlen;	/* truncated HMAC */
};

const struct ikev2_encr	 *ikev2_encr_get(uint16_t id, unsigned keybits);
const struct ikev2_encr	 *ikev2_encr_ios(const char *word);
const struct ikev2_prf	 *ikev2_prf_get(uint16_t id);
const struct ikev2_prf	 *ikev2_prf_ios(const char *word);
const struct ikev2_integ *ikev2_integ_get(uint16_t id);
const struct ikev2_integ *ikev2_integ_ios(const char *word);
/* The digest of a PRF or INTEG transform (alg_hash of its hash). */
const struct ike_hash	 *ikev2_prf_hash(const struct ikev2_prf *);
const struct ike_hash	 *ikev2_integ_hash(const struct ikev2_integ *);
const EVP_CIPHER	 *ikev2_cipher(const struct ikev2_encr *);
void			  ikev2_alg_free(void);

#endif
