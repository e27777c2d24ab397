/*
 * ikev1.h -- IKEv1 / ISAKMP wire constants (RFC 2408, 2409, 2407, 3706,
 * 3947).  Wire format only; the runtime lives in ikesignd.h.
 */
#ifndef IKESIGND_IKEV1_H
#define IKESIGND_IKEV1_H

#define IKE_PORT		500
#define IKE_HDR_LEN		28	/* RFC2408 3.1 */
#define IKE_GEN_LEN		4	/* generic payload header */
#define IKE_COOKIE_LEN		8
#define IKE_VERSION		0x10	/* major 1, minor 0 */
#define IKE_MSG_MAX		8192	/* largest message we build */
#define IKE_RECV_MAX		65535	/* largest datagram we read */

/* Exchange types (RFC2408 3.1, RFC2409 5) */
#define IKE_XCHG_IDPROT		2	/* Main Mode */
#define IKE_XCHG_AGGRESSIVE	4
#define IKE_XCHG_INFO		5
#define IKE_XCHG_QUICK		32

/* Header flags (RFC2408 3.1) */
#define IKE_FLAG_ENC		0x01
#define IKE_FLAG_COMMIT		0x02
#define IKE_FLAG_AUTHONLY	0x04

/* Payload types (RFC2408 3.1, RFC3947 3) */
#define IKE_PLD_NONE		0
#define IKE_PLD_SA		1
#define IKE_PLD_P		2
#define IKE_PLD_T		3
#define IKE_PLD_KE		4
#define IKE_PLD_ID		5
#define IKE_PLD_CERT		6
#define IKE_PLD_CR		7
#define IKE_PLD_HASH		8
#define IKE_PLD_SIG		9
#define IKE_PLD_NONCE		10
#define IKE_PLD_N		11
#define IKE_PLD_D		12
#define IKE_PLD_VID		13
#define IKE_PLD_NATD		20	/* RFC3947 */
#define IKE_PLD_NATOA		21	/* RFC3947 */
#define IKE_PLD_NATD_DRAFT	130	/* draft-ietf-ipsec-nat-t-ike-02/03 */
#define IKE_PLD_NATOA_DRAFT	131
#define IKE_PLD_FRAG		132	/* Cisco fragmentation */

/* DOI and situation (RFC2407 4.2) */
#define IKE_DOI_IPSEC		1
#define IKE_SIT_IDENTITY_ONLY	1

/* Protocol and transform ids (RFC2407 4.4.1, RFC2409 App. A) */
#define IKE_PROTO_ISAKMP	1
#define IKE_PROTO_IPSEC_ESP	3
#define IKE_KEY_IKE		1

/* Phase 1 SA attributes (RFC2409 App. A) */
#define IKE_ATTR_AF		0x8000	/* type/value form */
#define IKE_ATTR_ENC		1
#define IKE_ATTR_HASH		2
#define IKE_ATTR_AUTH		3
#define IKE_ATTR_GROUP		4
#define IKE_ATTR_LIFE_TYPE	11
#define IKE_ATTR_LIFE_DUR	12
#define IKE_ATTR_KEYLEN		14

#define IKE_ENC_DES		1
#define IKE_ENC_3DES		5
#define IKE_ENC_AES		7

#define IKE_HASH_MD5		1
#define IKE_HASH_SHA		2
#define IKE_HASH_SHA256		4
#define IKE_HASH_SHA384		5
#define IKE_HASH_SHA512		6

#define IKE_AUTH_PSK		1
#define IKE_AUTH_RSA_SIG	3
#define IKE_AUTH_ECDSA_256	9	/* RFC 4754: P-256, SHA-256 */
#define IKE_AUTH_ECDSA_384	10	/* P-384, SHA-384 */
#define IKE_AUTH_ECDSA_521	11	/* P-521, SHA-512 */
/* Not on the wire: "authentication ecdsa-sig" in a policy, the method of
 * the local key's curve once the key is known (ph1_policies). */
#define IKE_AUTH_ECDSA_ANY	0x7f09

#define IKE_LIFE_SECONDS	1
#define IKE_LIFE_KILOBYTES	2

/* Identification types (RFC2407 4.6.2.1) */
#define IKE_ID_IPV4_ADDR	1
#define IKE_ID_FQDN		2
#define IKE_ID_USER_FQDN	3
#define IKE_ID_IPV6_ADDR	5
#define IKE_ID_DER_ASN1_DN	9
#define IKE_ID_KEY_ID		11

/* Notify message types (RFC2408 3.14.1, RFC2407 4.6.3, RFC3706) */
#define IKE_N_INVALID_PAYLOAD_TYPE	1
#define IKE_N_DOI_NOT_SUPPORTED		2
#define IKE_N_INVALID_EXCHANGE_TYPE	7
#define IKE_N_INVALID_FLAGS		8
#define IKE_N_INVALID_MESSAGE_ID	9
#define IKE_N_INVALID_PROTOCOL_ID	10
#define IKE_N_INVALID_SPI		11
#define IKE_N_NO_PROPOSAL_CHOSEN	14
#define IKE_N_PAYLOAD_MALFORMED		16
#define IKE_N_INVALID_KEY_INFORMATION	17
#define IKE_N_INVALID_ID_INFORMATION	18
#define IKE_N_INVALID_HASH_INFORMATION	23
#define IKE_N_AUTHENTICATION_FAILED	24
#define IKE_N_INVALID_SIGNATURE		25
#define IKE_N_ERROR_MAX			16383
#define IKE_N_INITIAL_CONTACT		24578
#define IKE_N_DPD_R_U_THERE		36136
#define IKE_N_DPD_R_U_THERE_ACK		36137

#endif
