/*
 * sig.c -- the signature schemes of IKE authentication, network side, for
 * both IKE versions: RFC 7296 AUTH method 1 (RSASSA-PKCS1-v1_5, SHA-1),
 * RFC 7427 digital signatures (method 14) with RSASSA-PKCS1-v1_5,
 * RSASSA-PSS or ECDSA over SHA-256, SHA-384 or SHA-512, and the ECDSA of
 * RFC 4754 (IKEv2 methods 9-11, IKEv1 methods 9-11), whose signature is
 * r || s where RFC 7427's is the DER ECDSA-Sig-Value.
 *
 * Who hashes, who pads.  The octets an IKEv2 peer signs (RFC 7296 2.15)
 * hold a whole IKE_SA_INIT message, so the network process hashes them
 * itself and asks the signer to sign the hash under a named scheme
 * (request 'H', signer.c).  The signer checks that the hash is as long as
 * the scheme's hash and has libkeystore (sign.c) build what the token
 * needs: for PKCS#1 v1.5 the DigestInfo of that hash, signed with
 * CKM_RSA_PKCS, which every RSA token has (unlike the combined
 * CKM_SHA*_RSA_PKCS mechanisms, which would also want the octets
 * themselves carried over the socket); for PSS CKM_RSA_PKCS_PSS over the
 * hash with MGF1 of the same hash and a salt as long as the hash (RFC 8247
 * 3.2's advice).  So the signer signs no octets the network process chose,
 * only a hash of a known length under a scheme it knows.
 *
 * Here: the AlgorithmIdentifiers we send (static tables, as RFC 7427
 * Appendix A and strongSwan write them: NULL parameters, PSS parameters
 * explicit) and those we take, read by a bounded DER reader over ibuf.c
 * (no allocation, no recursion, definite minimal lengths only); the
 * Authentication Data of method 14; the SIGNATURE_HASH_ALGORITHMS notify;
 * and the check of a peer's signature with its public key.
 *
 * SHA-1 is here because AUTH method 1 and IKEv1 use it.  RFC 8247 3.2 says
 * it MUST NOT be used in method 14: that is the exchange's rule to apply
 * (sig_algid_parse recognises sha1WithRSAEncryption, sig_choose never
 * picks it).
 */
#include "config.h"

#include <limits.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ikesignd.h"
#include "pkey_ctx.h"
#include "ikev2.h"

/* 1.2.840.113549.1.1 (PKCS #1) and 2.16.840.1.101.3.4.2 (NIST hashes):
 * the OIDs this file knows are one of these and one more arc. */
static const uint8_t oid_pkcs1[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01
};
static const uint8_t oid_nisthash[] = {
	0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02
};
/* 1.2.840.10045.4.3 (ecdsa-with-SHA2): ecdsa-with-SHA256 is arc 2. */
static const uint8_t oid_ecdsa_sha2[] = {
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03
};
#define ARC_MGF1	8	/* id-mgf1 under PKCS #1 */
#define ARC_RSASSA_PSS	10	/* id-RSASSA-PSS under PKCS #1 */

#define DER_SEQUENCE	0x30
#define DER_INTEGER	0x02
#define DER_NULL	0x05
#define DER_OID		0x06
#define DER_CTX(n)	(0xa0 + (n))	/* [n] EXPLICIT, constructed */

#define PSS_SALT_DEFAULT	20	/* RSASSA-PSS-params (RFC 8017 A.2.3) */

/* sha*WithRSAEncryption with NULL parameters (RFC 7427 A.1). */
static const uint8_t algid_pkcs1_sha1[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x05, 0x05, 0x00
};
static const uint8_t algid_pkcs1_sha256[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0b, 0x05, 0x00
};
static const uint8_t algid_pkcs1_sha384[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0c, 0x05, 0x00
};
static const uint8_t algid_pkcs1_sha512[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0d, 0x05, 0x00
};

/*
 * id-RSASSA-PSS with RSASSA-PSS-params: hashAlgorithm shaN (NULL
 * parameters), maskGenAlgorithm mgf1 with shaN, saltLength the hash's
 * length, trailerField left at its default (RFC 7427 A.4.3 is the SHA-256
 * one, octet for octet).
 */
static const uint8_t algid_pss_sha256[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60,
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1,
	0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20
};
static const uint8_t algid_pss_sha384[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60,
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa1,
	0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x30
};
static const uint8_t algid_pss_sha512[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60,
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0xa1,
	0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x40
};

/* ecdsa-with-SHA256/384/512, parameters absent (RFC 7427 A.3, RFC 5758). */
static const uint8_t algid_ecdsa_sha256[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
};
static const uint8_t algid_ecdsa_sha384[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03
};
static const uint8_t algid_ecdsa_sha512[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04
};

/* id-Ed25519 (RFC 8410), no parameters (RFC 8420 3). */
static const uint8_t algid_ed25519[] = {
	0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70
};
static const uint8_t oid_ed25519[] = { 0x2b, 0x65, 0x70 };

struct sigdef {
	enum sig_scheme	 scheme;
	int		 hash;		/* IKE_HASH_* */
	int		 v2hash;	/* IKEV2_HASH_* */
	int		 pss;		/* SIGK_* */
	ks_sig		 ks;		/* what the signer asks the token for */
	uint8_t		 arc;		/* PKCS#1: of sha*WithRSAEncryption;
					 * PSS: of the NIST hash; ECDSA: of
					 * ecdsa-with-SHA2 */
	const uint8_t	*algid;		/* what we send */
	size_t		 algidlen;
	const char	*name;		/* for logs and ikesignctl show */
};

#define ALGID(x)	x, sizeof(x)

static const struct sigdef sigdefs[] = {
	{ SIG_PKCS1_SHA1, IKE_HASH_SHA, IKEV2_HASH_SHA1, 0,
	    KS_SIG_RSA_PKCS_SHA1_HASH, 5, ALGID(algid_pkcs1_sha1),
	    "RSASSA-PKCS1-v1_5 with SHA-1" },
	{ SIG_PKCS1_SHA256, IKE_HASH_SHA256, IKEV2_HASH_SHA2_256, 0,
	    KS_SIG_RSA_PKCS_SHA256_HASH, 11, ALGID(algid_pkcs1_sha256),
	    "RSASSA-PKCS1-v1_5 with SHA-256" },
	{ SIG_PKCS1_SHA384, IKE_HASH_SHA384, IKEV2_HASH_SHA2_384, 0,
	    KS_SIG_RSA_PKCS_SHA384_HASH, 12, ALGID(algid_pkcs1_sha384),
	    "RSASSA-PKCS1-v1_5 with SHA-384" },
	{ SIG_PKCS1_SHA512, IKE_HASH_SHA512, IKEV2_HASH_SHA2_512, 0,
	    KS_SIG_RSA_PKCS_SHA512_HASH, 13, ALGID(algid_pkcs1_sha512),
	    "RSASSA-PKCS1-v1_5 with SHA-512" },
	{ SIG_PSS_SHA256, IKE_HASH_SHA256, IKEV2_HASH_SHA2_256, 1,
	    KS_SIG_RSA_PSS_SHA256, 1, ALGID(algid_pss_sha256),
	    "RSASSA-PSS with SHA-256" },
	{ SIG_PSS_SHA384, IKE_HASH_SHA384, IKEV2_HASH_SHA2_384, 1,
	    KS_SIG_RSA_PSS_SHA384, 2, ALGID(algid_pss_sha384),
	    "RSASSA-PSS with SHA-384" },
	{ SIG_PSS_SHA512, IKE_HASH_SHA512, IKEV2_HASH_SHA2_512, 1,
	    KS_SIG_RSA_PSS_SHA512, 3, ALGID(algid_pss_sha512),
	    "RSASSA-PSS with SHA-512" },
	{ SIG_ECDSA_SHA256, IKE_HASH_SHA256, IKEV2_HASH_SHA2_256, SIGK_ECDSA,
	    KS_SIG_ECDSA_HASH, 2, ALGID(algid_ecdsa_sha256),
	    "ECDSA with SHA-256" },
	{ SIG_ECDSA_SHA384, IKE_HASH_SHA384, IKEV2_HASH_SHA2_384, SIGK_ECDSA,
	    KS_SIG_ECDSA_HASH, 3, ALGID(algid_ecdsa_sha384),
	    "ECDSA with SHA-384" },
	{ SIG_ECDSA_SHA512, IKE_HASH_SHA512, IKEV2_HASH_SHA2_512, SIGK_ECDSA,
	    KS_SIG_ECDSA_HASH, 4, ALGID(algid_ecdsa_sha512),
	    "ECDSA with SHA-512" },
	{ SIG_ED25519, 0, IKEV2_HASH_IDENTITY, SIGK_EDDSA, KS_SIG_EDDSA, 0,
	    ALGID(algid_ed25519), "Ed25519" },
};
#define NSIGDEFS	(sizeof(sigdefs) / sizeof(sigdefs[0]))

static const struct sigdef *
sigdef_of(enum sig_scheme s)
{
	size_t i;

	for (i = 0; i < NSIGDEFS; i++)
		if (sigdefs[i].scheme == s)
			return &sigdefs[i];
	return NULL;
}

static const struct sigdef *
sigdef_find(int pss, int arc)
{
	size_t i;

	for (i = 0; i < NSIGDEFS; i++)
		if (sigdefs[i].pss == pss && sigdefs[i].arc == arc)
			return &sigdefs[i];
	return NULL;
}

static const struct sigdef *
sigdef_v2hash(int pss, int v2hash)
{
	size_t i;

	for (i = 0; i < NSIGDEFS; i++)
		if (sigdefs[i].pss == pss && sigdefs[i].v2hash == v2hash)
			return &sigdefs[i];
	return NULL;
}

const struct ike_hash *
sig_hash(enum sig_scheme s)
{
	const struct sigdef *d = sigdef_of(s);

	return d == NULL || d->hash == 0 ? NULL : alg_hash(d->hash);
}

const char *
sig_scheme_name(enum sig_scheme s)
{
	const struct sigdef *d = sigdef_of(s);

	return d == NULL ? "an unknown signature scheme" : d->name;
}

int
sig_hash_alg(enum sig_scheme s)
{
	const struct sigdef *d = sigdef_of(s);

	return d == NULL ? -1 : d->v2hash;
}

int
sig_ks(enum sig_scheme s, ks_sig *ks)
{
	const struct sigdef *d = sigdef_of(s);

	if (d == NULL)
		return -1;
	*ks = d->ks;
	return 0;
}

int
sig_algid(enum sig_scheme s, const uint8_t **der, size_t *len)
{
	const struct sigdef *d = sigdef_of(s);

	if (d == NULL)
		return -1;
	*der = d->algid;
	*len = d->algidlen;
	return 0;
}

/* DER reader ------------------------------------------------------------ */

/*
 * The next TLV of b: its tag, and a reader over its contents.  Low tag
 * numbers and definite lengths in their shortest form only; the contents
 * are inside b (an AlgorithmIdentifier in IKE is shorter than 256 octets,
 * so the long form has one length octet).
 */
static int
der_next(struct rbuf *b, uint8_t *tag, struct rbuf *in)
{
	size_t len;
	uint8_t l;

	*tag = rb_u8(b);
	l = rb_u8(b);
	if (b->err || (*tag & 0x1f) == 0x1f)
		return -1;
	if (l < 0x80)
		len = l;
	else if (l == 0x81) {
		len = rb_u8(b);
		if (b->err || len < 0x80)
			return -1;
	} else
		return -1;
	return rb_sub(b, in, len);
}

static int
der_expect(struct rbuf *b, uint8_t tag, struct rbuf *in)
{
	uint8_t t;

	if (der_next(b, &t, in) != 0 || t != tag)
		return -1;
	return 0;
}

/* The last arc of an OID that is prefix (8 octets) and one more arc below
 * 128; -1 for any other OID. */
static int
der_oid_arc_n(struct rbuf *oid, const uint8_t *prefix, size_t plen)
{
	const uint8_t *p;

	if (rb_left(oid) != plen + 1 || (p = rb_ptr(oid, plen + 1)) == NULL ||
	    memcmp(p, prefix, plen) != 0 || p[plen] >= 0x80)
		return -1;
	return p[plen];
}

static int
der_oid_arc(struct rbuf *oid, const uint8_t *prefix)
{
	return der_oid_arc_n(oid, prefix, 8);
}

/*
 * AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER,
 * parameters ANY OPTIONAL }, the whole of b: a reader over the OID's
 * contents and one over the parameters (empty when absent).
 */
static int
der_algid(struct rbuf *b, struct rbuf *oid, struct rbuf *params)
{
	struct rbuf seq;

	if (der_expect(b, DER_SEQUENCE, &seq) != 0 || rb_left(b) != 0 ||
	    der_expect(&seq, DER_OID, oid) != 0)
		return -1;
	*params = seq;
	return 0;
}

/* Parameters that are absent or NULL. */
static int
der_null_or_absent(struct rbuf *params)
{
	struct rbuf n;

	if (rb_left(params) == 0)
		return params->err ? -1 : 0;
	if (der_expect(params, DER_NULL, &n) != 0 || rb_left(&n) != 0 ||
	    rb_left(params) != 0)
		return -1;
	return 0;
}

/* An INTEGER, the whole of b, from 0 to 0xffff in its shortest form. */
static int
der_small_uint(struct rbuf *b)
{
	struct rbuf in;
	size_t len;
	const uint8_t *p;
	int v = 0;

	if (der_expect(b, DER_INTEGER, &in) != 0 || rb_left(b) != 0)
		return -1;
	len = rb_left(&in);
	if (len == 0 || len > 3 || (p = rb_ptr(&in, len)) == NULL)
		return -1;
	if (p[0] & 0x80)
		return -1;			/* negative */
	if (len > 1 && p[0] == 0 && !(p[1] & 0x80))
		return -1;			/* not the shortest form */
	if (len == 3 && p[0] != 0)
		return -1;			/* above 0xffff */
	while (len-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* HashAlgorithm (the whole of b): SHA-256/384/512's last arc, else -1. */
static int
der_hash_algid(struct rbuf *b)
{
	struct rbuf oid, params;
	int arc;

	if (der_algid(b, &oid, &params) != 0 ||
	    (arc = der_oid_arc(&oid, oid_nisthash)) < 0 ||
	    der_null_or_absent(&params) != 0)
		return -1;
	return arc;
}

/* MaskGenAlgorithm (the whole of b): mgf1 with a hash; its arc. */
static int
der_mgf1_algid(struct rbuf *b)
{
	struct rbuf oid, params;

	if (der_algid(b, &oid, &params) != 0 ||
	    der_oid_arc(&oid, oid_pkcs1) != ARC_MGF1)
		return -1;
	return der_hash_algid(&params);
}

/*
 * RSASSA-PSS-params (RFC 8017 A.2.3), the whole of params: its fields in
 * order, each at most once, the defaults (SHA-1, MGF1-SHA-1, 20) for those
 * left out.  Taken: the same SHA-2 hash for both, a salt no longer than
 * twice the hash, the trailer field 1 (0xbc).
 */
static int
der_pss_params(struct rbuf *params, const struct sigdef **d, int *saltlen)
{
	struct rbuf seq, f;
	const struct ike_hash *h;
	uint8_t tag;
	int next = 0, hash = -1, mgf = -1, salt = PSS_SALT_DEFAULT;

	if (der_expect(params, DER_SEQUENCE, &seq) != 0 ||
	    rb_left(params) != 0)
		return -1;
	while (rb_left(&seq) > 0) {
		if (der_next(&seq, &tag, &f) != 0 || tag < DER_CTX(next) ||
		    tag > DER_CTX(3))
			return -1;
		next = tag - DER_CTX(0) + 1;
		switch (tag) {
		case DER_CTX(0):
			hash = der_hash_algid(&f);
			if (hash < 0)
				return -1;
			break;
		case DER_CTX(1):
			mgf = der_mgf1_algid(&f);
			if (mgf < 0)
				return -1;
			break;
		case DER_CTX(2):
			salt = der_small_uint(&f);
			if (salt < 0)
				return -1;
			break;
		default:
			if (der_small_uint(&f) != 1)
				return -1;
			break;
		}
	}
	if (seq.err || hash < 0 || mgf != hash ||
	    (*d = sigdef_find(1, hash)) == NULL ||
	    (h = alg_hash((*d)->hash)) == NULL ||
	    (size_t)salt > 2 * h->len)
		return -1;
	*saltlen = salt;
	return 0;
}

/* Is the OID (a copy of the reader) id-Ed25519? */
static int
is_ed25519(struct rbuf oid)
{
	const uint8_t *p;

	return rb_left(&oid) == sizeof(oid_ed25519) &&
	    (p = rb_ptr(&oid, sizeof(oid_ed25519))) != NULL &&
	    memcmp(p, oid_ed25519, sizeof(oid_ed25519)) == 0;
}

int
sig_algid_parse(const uint8_t *der, size_t len, enum sig_scheme *s,
    int *saltlen)
{
	const struct sigdef *d;
	struct rbuf b, oid, params;
	int arc;

	*s = 0;
	*saltlen = -1;
	rb_init(&b, der, len);
	if (der_algid(&b, &oid, &params) != 0)
		return -1;
	if (is_ed25519(oid)) {
		if (rb_left(&params) != 0)	/* RFC 8410 3: absent */
			return -1;
		*s = SIG_ED25519;
		return 0;
	}
	if ((arc = der_oid_arc_n(&oid, oid_ecdsa_sha2,
	    sizeof(oid_ecdsa_sha2))) >= 0) {
		/* RFC 5758 3.2: the parameters are absent */
		if ((d = sigdef_find(SIGK_ECDSA, arc)) == NULL ||
		    rb_left(&params) != 0)
			return -1;
		*s = d->scheme;
		return 0;
	}
	if ((arc = der_oid_arc(&oid, oid_pkcs1)) < 0)
		return -1;
	if (arc == ARC_RSASSA_PSS) {
		if (der_pss_params(&params, &d, saltlen) != 0) {
			*saltlen = -1;
			return -1;
		}
	} else if ((d = sigdef_find(0, arc)) == NULL ||
	    der_null_or_absent(&params) != 0)
		return -1;
	*s = d->scheme;
	return 0;
}

/* AUTH method 14 ------------------------------------------------------- */

/*
 * The Authentication Data of method 14 (RFC 7427 3): one octet, the length
 * of the AlgorithmIdentifier that follows, then the signature.
 */
int
sig_auth14_parse(const uint8_t *data, size_t len, enum sig_scheme *s,
    int *saltlen, const uint8_t **sig, size_t *siglen)
{
	struct rbuf b;
	const uint8_t *algid;
	size_t algidlen;

	*s = 0;
	*saltlen = -1;
	*sig = NULL;
	*siglen = 0;
	rb_init(&b, data, len);
	algidlen = rb_u8(&b);
	if (algidlen == 0 || (algid = rb_ptr(&b, algidlen)) == NULL ||
	    rb_left(&b) == 0)
		return -1;
	if (sig_algid_parse(algid, algidlen, s, saltlen) != 0)
		return -1;
	*siglen = rb_left(&b);
	*sig = rb_ptr(&b, *siglen);
	return 0;
}

int
sig_auth14_build(struct wbuf *w, enum sig_scheme s, const uint8_t *sig,
    size_t siglen)
{
	const uint8_t *algid;
	size_t algidlen;

	if (sig_algid(s, &algid, &algidlen) != 0 || algidlen > UINT8_MAX ||
	    siglen == 0)
		return -1;
	wb_u8(w, (uint8_t)algidlen);
	wb_bytes(w, algid, algidlen);
	wb_bytes(w, sig, siglen);
	return w->err ? -1 : 0;
}

/* SIGNATURE_HASH_ALGORITHMS ------------------------------------------ */

/* Ours first: what RFC 8247 3.2 asks for, then the longer ones. */
static const int hash_pref[] = {
	IKEV2_HASH_SHA2_256, IKEV2_HASH_SHA2_384, IKEV2_HASH_SHA2_512
};

static int
peer_lists(const uint8_t *data, size_t len, int id)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		if ((data[i] << 8 | data[i + 1]) == id)
			return 1;
	return 0;
}

/* The notify's data is a list of 16-bit hash IDs; an odd length is not. */
enum sig_scheme
sig_choose(const uint8_t *data, size_t len, int kind)
{
	const struct sigdef *d;
	size_t i;

	if (data == NULL || len % 2 != 0 || kind == SIGK_ECDSA)
		return 0;
	for (i = 0; i < sizeof(hash_pref) / sizeof(hash_pref[0]); i++)
		if (peer_lists(data, len, hash_pref[i]) &&
		    (d = sigdef_v2hash(kind, hash_pref[i])) != NULL)
			return d->scheme;
	return 0;
}

enum sig_scheme
sig_ecdsa_scheme(int curve)
{
	switch (curve) {
	case KS_CURVE_P256:
		return SIG_ECDSA_SHA256;
	case KS_CURVE_P384:
		return SIG_ECDSA_SHA384;
	case KS_CURVE_P521:
		return SIG_ECDSA_SHA512;
	default:
		return 0;
	}
}

/* RFC 4754 AUTH methods: the same numbers in IKEv1 and IKEv2. */
static const struct {
	int		 method;
	enum sig_scheme	 scheme;
} rfc4754[] = {
	{ 9, SIG_ECDSA_SHA256 },
	{ 10, SIG_ECDSA_SHA384 },
	{ 11, SIG_ECDSA_SHA512 },
};

int
sig_ecdsa_method(enum sig_scheme s)
{
	size_t i;

	for (i = 0; i < sizeof(rfc4754) / sizeof(rfc4754[0]); i++)
		if (rfc4754[i].scheme == s)
			return rfc4754[i].method;
	return 0;
}

enum sig_scheme
sig_ecdsa_of_method(int method)
{
	size_t i;

	for (i = 0; i < sizeof(rfc4754) / sizeof(rfc4754[0]); i++)
		if (rfc4754[i].method == method)
			return rfc4754[i].scheme;
	return 0;
}

int
sig_listed(const uint8_t *data, size_t len, enum sig_scheme s)
{
	const struct sigdef *d = sigdef_of(s);

	return d != NULL && data != NULL && len % 2 == 0 &&
	    peer_lists(data, len, d->v2hash);
}

int
sig_is_ecdsa(enum sig_scheme s)
{
	const struct sigdef *d = sigdef_of(s);

	return d != NULL && d->pss == SIGK_ECDSA;
}

/* ECDSA encodings --------------------------------------------------- */

/* r || s (RFC 4754: each as long as the curve's order) into the DER
 * ECDSA-Sig-Value of RFC 7427 and X9.62. */
int
sig_ecdsa_to_der(const uint8_t *raw, size_t rawlen, uint8_t *der,
    size_t *derlen)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;
	unsigned char *p = der;
	int n, rc = -1;

	if (rawlen == 0 || rawlen % 2 != 0 || rawlen > 2 * 66 ||
	    (es = ECDSA_SIG_new()) == NULL)
		return -1;
	r = BN_bin2bn(raw, (int)(rawlen / 2), NULL);
	s = BN_bin2bn(raw + rawlen / 2, (int)(rawlen / 2), NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -1;
	}
	if ((n = i2d_ECDSA_SIG(es, NULL)) > 0 && (size_t)n <= *derlen &&
	    i2d_ECDSA_SIG(es, &p) == n) {
		*derlen = (size_t)n;
		rc = 0;
	}
	ECDSA_SIG_free(es);
	return rc;
}

/* The DER ECDSA-Sig-Value as r || s of rawlen octets in all. */
static int
ecdsa_from_der(const uint8_t *der, size_t derlen, uint8_t *raw,
    size_t rawlen)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	int rc = -1;

	if (derlen > LONG_MAX ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		return -1;
	ECDSA_SIG_get0(es, &r, &s);
	if (p == der + derlen &&
	    BN_bn2binpad(r, raw, (int)(rawlen / 2)) >= 0 &&
	    BN_bn2binpad(s, raw + rawlen / 2, (int)(rawlen / 2)) >= 0)
		rc = 0;
	ECDSA_SIG_free(es);
	return rc;
}

/* Verification -------------------------------------------------------- */

/* The peer's key from its SubjectPublicKeyInfo, if of type (EVP_PKEY_*). */
static EVP_PKEY *
spki_key(const uint8_t *spki, size_t spkilen, int type)
{
	EVP_PKEY *key;
	int whole;

	if ((key = crypto_pubkey(spki, spkilen, &whole)) == NULL)
		return NULL;
	if (!whole || EVP_PKEY_get_base_id(key) != type) {
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

/*
 * An ECDSA signature (DER, as method 14 carries it) over hash.  The DER
 * is taken only in its one canonical form: it is decoded and encoded
 * again and must come out the same, so no signature has two spellings.
 */
static int
ecdsa_verify(EVP_PKEY *key, const uint8_t *hash, size_t hashlen,
    const uint8_t *sig, size_t siglen)
{
	uint8_t raw[2 * 66], again[2 * 66 + 16];
	size_t rawlen, againlen = sizeof(again);
	EVP_PKEY_CTX *ctx;
	int rc = -1;

	rawlen = 2 * (size_t)((EVP_PKEY_get_bits(key) + 7) / 8);
	if (rawlen == 0 || rawlen > sizeof(raw) ||
	    ecdsa_from_der(sig, siglen, raw, rawlen) != 0 ||
	    sig_ecdsa_to_der(raw, rawlen, again, &againlen) != 0 ||
	    againlen != siglen || memcmp(again, sig, siglen) != 0)
		return -1;
	if ((ctx = crypto_verify_ctx(key)) != NULL &&
	    EVP_PKEY_verify(ctx, sig, siglen, hash, hashlen) == 1)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int
sig_verify_octets(const uint8_t *spki, size_t spkilen, const uint8_t *octets,
    size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *mctx;
	EVP_PKEY *key;
	int rc = -1;

	if (octets == NULL || sig == NULL || siglen != 64 ||
	    (key = spki_key(spki, spkilen, EVP_PKEY_ED25519)) == NULL)
		return -1;
	if ((mctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestVerify(mctx, sig, siglen, octets, len) == 1)
		rc = 0;
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(key);
	return rc;
}

int
sig_ecdsa_der_of_raw(const uint8_t *spki, size_t spkilen, const uint8_t *raw,
    size_t rawlen, uint8_t *der, size_t *derlen)
{
	if ((int)rawlen != sig_ecdsa_raw_len(spki, spkilen))
		return -1;
	return sig_ecdsa_to_der(raw, rawlen, der, derlen);
}

int
sig_ecdsa_raw_len(const uint8_t *spki, size_t spkilen)
{
	EVP_PKEY *key;
	int n;

	if ((key = spki_key(spki, spkilen, EVP_PKEY_EC)) == NULL)
		return -1;
	n = 2 * ((EVP_PKEY_get_bits(key) + 7) / 8);
	EVP_PKEY_free(key);
	return n;
}

/* The padding of d on a verify context: PKCS#1 v1.5 with the DigestInfo
 * of md, or PSS with MGF1 of md and saltlen. */
static int
set_padding(EVP_PKEY_CTX *ctx, const struct sigdef *d, const EVP_MD *md,
    int saltlen)
{
	if (!d->pss) {
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
		    EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)
			return -1;
		return 0;
	}
	if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, saltlen) <= 0)
		return -1;
	return 0;
}

int
sig_verify(const uint8_t *spki, size_t spkilen, enum sig_scheme s,
    int saltlen, const uint8_t *hash, size_t hashlen, const uint8_t *sig,
    size_t siglen)
{
	const struct sigdef *d = sigdef_of(s);
	const struct ike_hash *h;
	const EVP_MD *md;
	EVP_PKEY *key;
	EVP_PKEY_CTX *ctx = NULL;
	int rc = -1;

	if (d == NULL || (h = alg_hash(d->hash)) == NULL ||
	    (md = alg_md(h)) == NULL || hash == NULL || hashlen != h->len ||
	    sig == NULL)
		return -1;
	if (d->pss == SIGK_ECDSA) {
		if ((key = spki_key(spki, spkilen, EVP_PKEY_EC)) == NULL)
			return -1;
		rc = ecdsa_verify(key, hash, hashlen, sig, siglen);
		EVP_PKEY_free(key);
		return rc;
	}
	if (saltlen == -1)
		saltlen = (int)h->len;
	if (d->pss && (saltlen < 0 || (size_t)saltlen > 2 * h->len))
		return -1;
	if ((key = spki_key(spki, spkilen, EVP_PKEY_RSA)) == NULL)
		return -1;
	if ((size_t)EVP_PKEY_get_size(key) != siglen)
		goto out;
	if ((ctx = crypto_verify_ctx(key)) == NULL ||
	    set_padding(ctx, d, md, saltlen) != 0)
		goto out;
	if (EVP_PKEY_verify(ctx, sig, siglen, hash, hashlen) == 1)
		rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	return rc;
}
