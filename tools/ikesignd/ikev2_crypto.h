/*
 * ikev2_crypto.h -- IKEv2 keys and the Encrypted payload: the IKE SA's
 * key material (RFC 7296 2.13, 2.14, 2.18; ikev2_keys.c) and the sealing
 * and opening of SK and SKF payloads (RFC 7296 3.14, RFC 7383 2.5, RFC
 * 5282; ikev2_sk.c).  Nothing here logs: -1 is all a caller learns.
 */
#ifndef IKEV2_CRYPTO_H
#define IKEV2_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "ikev2.h"

struct dh_group;

/* The transforms of one IKE SA. */
struct ikev2_suite {
	const struct ikev2_encr		*encr;
	const struct ikev2_prf		*prf;
	const struct ikev2_integ	*integ;	/* NULL with an AEAD cipher */
	const struct dh_group		*group;
};

#define IKEV2_KEY_MAX		64	/* SK_d of PRF_HMAC_SHA2_512 */
#define IKEV2_NONCE_MAX		256	/* 3.9 */
#define IKEV2_PRFPLUS_MAX	255	/* iterations of prf+ (2.13) */
#define IKEV2_SKF_HDR_LEN	8	/* RFC 7383 2.5: and fragment numbers */

/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}, 2.14. */
struct ikev2_keys {
	uint8_t		 sk_d[IKEV2_KEY_MAX];
	uint8_t		 sk_ai[IKEV2_KEY_MAX];
	uint8_t		 sk_ar[IKEV2_KEY_MAX];
	uint8_t		 sk_ei[IKEV2_KEY_MAX];	/* AEAD: ends in the salt */
	uint8_t		 sk_er[IKEV2_KEY_MAX];
	uint8_t		 sk_pi[IKEV2_KEY_MAX];
	uint8_t		 sk_pr[IKEV2_KEY_MAX];
	size_t		 prflen;	/* SK_d, SK_pi, SK_pr */
	size_t		 integlen;	/* SK_a; 0 with an AEAD cipher */
	size_t		 enclen;	/* SK_e, salt included */
};

/* ikev2_keys.c ----------------------------------------------------------- */

/*
 * 1 when the suite can key an IKE SA: ENCR and PRF known, INTEG present
 * exactly when the cipher is not AEAD, every key within IKEV2_KEY_MAX.
 * The group is not looked at.
 */
int	ikev2_suite_ok(const struct ikev2_suite *);
/* prf+ (2.13): outlen octets of T1 | T2 | ..., at most 255 blocks. */
int	ikev2_prfplus(const struct ikev2_prf *, const uint8_t *key,
	    size_t keylen, const uint8_t *seed, size_t seedlen, uint8_t *out,
	    size_t outlen);
/*
 * The keys of a new IKE SA (2.14): SKEYSEED = prf(Ni | Nr, g^ir), then
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).  The SPIs are IKEV2_SPI_LEN
 * octets; the nonces 1 to IKEV2_NONCE_MAX (the parser holds them to 16 at
 * least).  On failure the keys are wiped.
 */
int	ikev2_keys_derive(struct ikev2_keys *, const struct ikev2_suite *,
	    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
	    const uint8_t *gir, size_t girlen, const uint8_t *spii,
	    const uint8_t *spir);
/*
 * The keys of the IKE SA that replaces one (2.18): SKEYSEED =
 * prf(SK_d (old), g^ir (new) | Ni | Nr) with the old SA's PRF, then prf+
 * as above with the new suite's PRF and the new SA's SPIs.
 */
int	ikev2_keys_rekey(struct ikev2_keys *, const struct ikev2_suite *,
	    const struct ikev2_prf *old_prf, const uint8_t *old_sk_d,
	    size_t old_sk_dlen, const uint8_t *gir, size_t girlen,
	    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
	    const uint8_t *spii, const uint8_t *spir);
void	ikev2_keys_wipe(struct ikev2_keys *);

/* ikev2_sk.c ------------------------------------------------------------- */

/* Octets of the IV that starts the body of SK and SKF; 0 for a bad suite. */
size_t	ikev2_sk_ivlen(const struct ikev2_suite *);
/*
 * Encrypt the inner payloads in place.  buf holds the IKE header and any
 * clear payloads, the SK (4-octet) or SKF (8-octet) payload header at
 * pldoff, ivlen octets of room at ivoff = pldoff + 4 or 8, and ptlen
 * octets of inner payloads after that.  The caller has filled in both
 * headers but their lengths; this writes a random IV, the padding and pad
 * length, encrypts, sets the IKE header's length and the payload's, and
 * then appends the ICV over them.  from_initiator picks SK_ei/SK_ai or
 * SK_er/SK_ar.  The message ends at *outlen.  -1, with buf as it was,
 * when cap is too small; -1 too if OpenSSL fails.
 */
int	ikev2_sk_seal(const struct ikev2_suite *, const struct ikev2_keys *,
	    int from_initiator, uint8_t *buf, size_t cap, size_t pldoff,
	    size_t ivoff, size_t ptlen, size_t *outlen);
/*
 * Check and decrypt, in place, the message msg of len octets (as its
 * header must say) whose last payload is SK or SKF with its body, the
 * IV, at ivoff.  from_initiator: the sender's direction, whose keys open
 * it.  A CBC message's ICV is checked before it is decrypted, a GCM
 * message's tag as it is.  The inner payloads are then at *ptoff for
 * *ptlen octets.  -1 when the lengths do not fit, the ICV does not match
 * or the pad length runs over; the encrypted octets may then have been
 * zeroed.
 */
int	ikev2_sk_open(const struct ikev2_suite *, const struct ikev2_keys *,
	    int from_initiator, uint8_t *msg, size_t len, size_t ivoff,
	    size_t *ptoff, size_t *ptlen);

#endif
