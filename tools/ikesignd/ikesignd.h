/*
 * ikesignd.h -- ikesignd's runtime types and the prototypes shared between
 * its files, grouped by file.  Wire constants are in ikev1.h.
 */
#ifndef IKESIGND_H
#define IKESIGND_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <openssl/evp.h>

#include "keystore.h"
#include "ikev1.h"

/* ibuf.c -------------------------------------------------------------- */

struct rbuf {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	int		 err;
};

struct wbuf {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
	int		 err;
};

void		 rb_init(struct rbuf *, const uint8_t *, size_t);
size_t		 rb_left(const struct rbuf *);
const uint8_t	*rb_ptr(struct rbuf *, size_t);
uint8_t		 rb_u8(struct rbuf *);
uint16_t	 rb_u16(struct rbuf *);
uint32_t	 rb_u32(struct rbuf *);
int		 rb_copy(struct rbuf *, void *, size_t);
int		 rb_sub(struct rbuf *, struct rbuf *, size_t);

void		 wb_init(struct wbuf *, uint8_t *, size_t);
uint8_t		*wb_reserve(struct wbuf *, size_t);
void		 wb_u8(struct wbuf *, uint8_t);
void		 wb_u16(struct wbuf *, uint16_t);
void		 wb_u32(struct wbuf *, uint32_t);
void		 wb_bytes(struct wbuf *, const void *, size_t);
void		 wb_zero(struct wbuf *, size_t);
void		 wb_set_u8(struct wbuf *, size_t, uint8_t);
void		 wb_set_u16(struct wbuf *, size_t, uint16_t);
void		 wb_set_u32(struct wbuf *, size_t, uint32_t);
uint8_t		*wb_at(struct wbuf *, size_t, size_t);

/* log.c --------------------------------------------------------------- */

#define LOG_LINE_MAX	1024	/* a log line's octets, with its NUL */

void	log_init(int foreground, int verbose);
void	log_set_sink(void (*)(int pri, const char *line));
void	log_line(int pri, const char *line);
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

/* ikev1_alg.c: cipher, hash and group names ---------------------------- */

struct ike_hash {
	int		 id;		/* IKE_HASH_* */
	const char	*ios;		/* IOS keyword */
	const char	*name;		/* for logs */
	const char	*evp;		/* OpenSSL digest name */
	size_t		 len;
	int		 weak;
};

struct ike_enc {
	int		 id;		/* IKE_ENC_* */
	unsigned	 keybits;	/* 0: fixed-length cipher */
	const char	*name;
	const char	*evp;		/* OpenSSL cipher name */
	size_t		 keylen;	/* octets */
	size_t		 blocklen;
	int		 weak;
};

const struct ike_hash	*alg_hash(int id);
const struct ike_hash	*alg_hash_ios(const char *word);
const struct ike_enc	*alg_enc(int id, unsigned keybits);
const EVP_MD		*alg_md(const struct ike_hash *);
const EVP_CIPHER	*alg_cipher(const struct ike_enc *);
void			 alg_free(void);

/* dh.c ---------------------------------------------------------------- */

#define DH_PUB_MAX	512	/* MODP 4096 */
#define DH_SECRET_MAX	512

#define DH_MODP		0
#define DH_ECP		1	/* NIST curve: KE x | y, g^xy x (RFC 5903) */
#define DH_X25519	2	/* Curve25519: 32 octets each way (RFC 8031) */

struct dh_group {
	int		 id;
	const char	*name;
	int		 ecp;		/* DH_*; nonzero: elliptic curve */
	size_t		 publen;	/* KE data length */
	int		 weak;
};

const struct dh_group	*dh_group_get(int id);
/* Make a key pair; its public value (KE data) goes to pub (publen). */
int	dh_create(const struct dh_group *, EVP_PKEY **key, uint8_t *pub);
/* Check the peer's value and derive g^xy (MODP: padded to the prime). */
int	dh_derive(const struct dh_group *, EVP_PKEY *key, const uint8_t *peer,
	    size_t peerlen, uint8_t *secret, size_t *secretlen);

/* conf.c -------------------------------------------------------------- */

#define CONF_POLICY_MAX	64
#define CONF_PEER_MAX	256
#define CONF_NAME_MAX	256
#define CONF_KEYRING_MAX (KS_KEYRING_NAME_MAX + 1)	/* as libkeystore */
#define CONF_PROFILE_MAX 64	/* an IKEv2 profile's name, NUL included */

struct policy {
	unsigned	 prio;
	int		 enc;		/* IKE_ENC_* */
	unsigned	 keybits;	/* AES key length, else 0 */
	int		 hash;		/* IKE_HASH_* */
	int		 auth;		/* IKE_AUTH_* */
	int		 group;
	uint32_t	 lifetime;	/* seconds */
};

struct peer {
	char		 name[64];	/* the address as written */
	struct in_addr	 addr;
	unsigned	 prefix;	/* 32: one address; less: a range
					 * ikesignd only responds to */
	uint16_t	 port;
	int		 version;
	int		 aggressive;	/* IKEv1: initiate Aggressive Mode */
	int		 id_type;	/* IKEv1: the identity we send; 0:
					 * crypto isakmp identity */
	char		 id[KS_PEER_ID_MAX + 1];	/* its text */
	char		 keyring[CONF_KEYRING_MAX];
	char		 profile[CONF_PROFILE_MAX];	/* IKEv2; "": by match */
};

/* IKEv2 (FlexVPN) configuration: proposals, policies, profiles. */
#define CONF_V2_MAX		16	/* proposals, policies, profiles each */
#define CONF_V2_ALGS		8	/* values of one kind per proposal */
#define CONF_V2_MATCH		8	/* match lines per policy or profile */

enum v2_auth {
	V2_AUTH_NONE = 0,
	V2_AUTH_RSA_SIG,		/* method 1 or RFC 7427 (14) */
	V2_AUTH_PSS,			/* rsa-sig, RFC 7427 RSASSA-PSS */
	V2_AUTH_PRE_SHARE,		/* the profile keyring's PSK, on the
					 * token */
	V2_AUTH_ECDSA			/* methods 9-11 or RFC 7427 ECDSA */
};

struct v2_proposal {
	char		 name[CONF_NAME_MAX];
	uint16_t	 encr[CONF_V2_ALGS];	/* IKEV2_ENCR_* */
	uint16_t	 encr_bits[CONF_V2_ALGS];	/* Key Length; 0 none */
	size_t		 nencr;
	uint16_t	 integ[CONF_V2_ALGS];	/* IKEV2_INTEG_*; none: AEAD */
	size_t		 ninteg;
	uint16_t	 prf[CONF_V2_ALGS];	/* IKEV2_PRF_* */
	size_t		 nprf;
	uint16_t	 group[CONF_V2_ALGS];	/* DH group numbers */
	size_t		 ngroup;
};

struct v2_policy {
	char		 name[CONF_NAME_MAX];
	char		 proposal[CONF_V2_ALGS][CONF_NAME_MAX];
	size_t		 nproposal;
	struct in_addr	 local[CONF_V2_MATCH];	/* match address local */
	size_t		 nlocal;		/* 0: any */
};

struct v2_match {
	int		 fqdn;		/* 1: name, 0: addr/mask */
	int		 domain;	/* fqdn: 1 "fqdn domain", a suffix */
	struct in_addr	 addr;		/* masked */
	struct in_addr	 mask;
	char		 name[CONF_NAME_MAX];
};

struct v2_profile {
	char		 name[CONF_PROFILE_MAX];
	struct v2_match	 match[CONF_V2_MATCH];	/* match identity remote */
	size_t		 nmatch;
	int		 id_fqdn;	/* identity local: 1 fqdn, 0 address */
	char		 id_name[CONF_NAME_MAX];	/* fqdn, or address
							 * as written; "" */
	enum v2_auth	 auth_local;
	enum v2_auth	 auth_remote;
	char		 keyring[CONF_KEYRING_MAX];	/* "": "default" */
	uint32_t	 lifetime;	/* seconds; IOS default 86400 */
	unsigned	 dpd;		/* seconds; 0: off */
	unsigned	 dpd_retry;
	int		 dpd_periodic;
};

struct v2_conf {
	struct v2_proposal proposals[CONF_V2_MAX];
	size_t		 nproposal;	/* 0: IOS's default proposal */
	struct v2_policy policies[CONF_V2_MAX];
	size_t		 npolicy;	/* 0: IOS's default policy */
	struct v2_profile profiles[CONF_V2_MAX];
	size_t		 nprofile;
	unsigned	 cookie_challenge;	/* half-open; 0: off */
	unsigned	 max_in_negotiation;	/* 0: HO_DEFAULT */
	int		 fragmentation;		/* 1: on */
	unsigned	 frag_mtu;		/* IOS default 576 */
};

struct conf {
	char		 path[4096];
	struct policy	 pol[CONF_POLICY_MAX];
	size_t		 npol;
	int		 default_policy;	/* the IOS default table */
	int		 identity;		/* IKE_ID_IPV4_ADDR | _FQDN */
	char		 hostname[CONF_NAME_MAX];
	unsigned	 keepalive;		/* 0: off */
	unsigned	 keepalive_retry;
	int		 keepalive_periodic;
	char		 module[4096];
	char		 token[CONF_NAME_MAX];
	char		 pin_source[4096];
	char		 key[KS_LABEL_MAX + 1];
	struct in_addr	 listen;
	uint16_t	 port;
	char		 control[108];
	char		 control_group[64];	/* "": root only */
	char		 user[64];		/* the network process's */
	char		 chroot_dir[4096];	/* "": none (the default) */
	unsigned	 signer_workers;	/* 0: one per online CPU */
	struct peer	 peers[CONF_PEER_MAX];
	size_t		 npeer;
	unsigned	 half_open_max;	/* 0: HO_DEFAULT */
	int		 aggressive_off;	/* crypto isakmp
						 * aggressive-mode disable;
						 * 0: accepted (IOS) */
	struct v2_conf	 v2;
};

/* KS_OK, else KS_EINPUT/KS_ENOTFOUND with "file:line: reason" in err. */
ks_status	 conf_load(const char *path, struct conf *, char *err,
		    size_t errsz);
ks_status	 conf_parse(const char *text, size_t len, const char *name,
		    struct conf *, char *err, size_t errsz);
/* The policies in force, highest priority first. */
size_t		 conf_policies(const struct conf *, struct policy *out,
		    size_t max);
/* The peer line for an address: its own, else the longest range. */
const struct peer *conf_peer(const struct conf *, struct in_addr);
/* Call fn for each keyring a peer line or profile names ("who" says
 * which); stops at and returns the first status other than KS_OK. */
ks_status conf_keyrings(const struct conf *, ks_status (*fn)(const char *ring,
    const char *who, void *arg), void *arg);
const struct peer *conf_peer_name(const struct conf *, const char *);
/* IKEv2: the proposals in force for a local address (the policy that
 * names it, else one that matches any address, else the default policy),
 * in order; the profile for a peer line, or the one whose "match identity
 * remote" matches (the longest mask; an exact fqdn before a domain, the
 * longest domain first). */
size_t		 conf_v2_proposals(const struct conf *, struct in_addr local,
		    const struct v2_proposal **out, size_t max);
const struct v2_profile *conf_v2_profile(const struct conf *,
		    const char *name);
const struct v2_profile *conf_v2_match_addr(const struct conf *,
		    struct in_addr);
int		 conf_v2_covers(const struct v2_profile *, const char *name,
		    struct in_addr);
const struct v2_profile *conf_v2_match_fqdn(const struct conf *,
		    const char *);

/* ikev1_pld.c: parse and validate messages ----------------------------- */

#define MSG_PLD_MAX	32

struct pld {
	uint8_t		 type;
	const uint8_t	*raw;		/* with the generic header */
	size_t		 rawlen;
	const uint8_t	*body;		/* without it */
	size_t		 len;
};

struct ike_msg {
	const uint8_t	*data;
	size_t		 len;		/* as the header says */
	uint8_t		 icookie[IKE_COOKIE_LEN];
	uint8_t		 rcookie[IKE_COOKIE_LEN];
	uint8_t		 next;
	uint8_t		 version;
	uint8_t		 xchg;
	uint8_t		 flags;
	uint32_t	 mid;
	struct pld	 pld[MSG_PLD_MAX];
	size_t		 npld;
};

struct notify {
	uint32_t	 doi;
	uint8_t		 proto;
	uint16_t	 type;
	const uint8_t	*spi;
	size_t		 spilen;
	const uint8_t	*data;
	size_t		 datalen;
};

struct delete {
	uint32_t	 doi;
	uint8_t		 proto;
	uint8_t		 spilen;
	uint16_t	 nspi;
	const uint8_t	*spis;
};

struct ident {
	uint8_t		 type;
	uint8_t		 proto;
	uint16_t	 port;
	const uint8_t	*data;
	size_t		 len;
};

#define PLD_BIT(t)	pld_bit(t)
uint32_t	 pld_bit(uint8_t type);
const char	*pld_name(uint8_t type);
/* The fixed header only; 0 or an IKE_N_* to report. */
int		 msg_parse_header(const uint8_t *pkt, size_t len,
		    struct ike_msg *);
/* The payload chain in body (decrypted or not); allowed is a PLD_BIT mask. */
int		 msg_parse_payloads(struct ike_msg *, uint8_t first,
		    const uint8_t *body, size_t len, uint32_t allowed);
/* The unencrypted body after the header. */
int		 msg_parse_clear(struct ike_msg *, uint32_t allowed);
const struct pld *msg_find(const struct ike_msg *, uint8_t type, size_t nth);
int		 pld_notify(const struct pld *, struct notify *);
int		 pld_delete(const struct pld *, struct delete *);
int		 pld_ident(const struct pld *, struct ident *);

/* ikev1_sa.c: SA payloads ---------------------------------------------- */

#define SA_XFORM_MAX	64

struct xform {
	uint8_t		 num;
	struct policy	 p;		/* prio unused */
	int		 unsupported;	/* an attribute we cannot honour */
	const uint8_t	*raw;		/* the whole transform payload */
	size_t		 rawlen;
};

struct sa_offer {
	uint8_t		 propnum;
	struct xform	 x[SA_XFORM_MAX];
	size_t		 nx;
};

int	sa_parse(const uint8_t *body, size_t len, struct sa_offer *);
/* Responder choice in policy order; -1 when nothing matches. */
int	sa_choose(const struct sa_offer *, const struct policy *, size_t,
	    size_t *xi, const struct policy **chosen);
void	sa_build_offer(struct wbuf *, const struct policy *, size_t);
void	sa_build_reply(struct wbuf *, const struct sa_offer *, size_t xi);
void	policy_string(const struct policy *, char *, size_t);
/* How a peer of the auth method proves itself: "pre-shared key", ... */
const char *policy_proof_name(int auth);

/* crypto.c, ikev1_crypto.c ------------------------------------------- */

#define IKE_HASH_MAX	64
#define IKE_KEY_MAX	32
#define IKE_BLOCK_MAX	16

struct ike_keys {
	const struct ike_hash	*h;
	const struct ike_enc	*e;
	uint8_t		 skeyid[IKE_HASH_MAX];
	uint8_t		 skeyid_d[IKE_HASH_MAX];
	uint8_t		 skeyid_a[IKE_HASH_MAX];
	uint8_t		 skeyid_e[IKE_HASH_MAX];
	uint8_t		 key[IKE_KEY_MAX];
	uint8_t		 iv[IKE_BLOCK_MAX];	/* phase 1 CBC chain */
};

struct iov {
	const void	*p;
	size_t		 len;
};

/* crypto.c: shared by the IKE versions */
void	crypto_random(uint8_t *, size_t);
void	crypto_digest256(const uint8_t *, size_t, uint8_t *out);
int	crypto_prf(const struct ike_hash *, const uint8_t *key, size_t keylen,
	    const struct iov *, size_t n, uint8_t *out);
int	crypto_hash(const struct ike_hash *, const struct iov *, size_t n,
	    uint8_t *out);
/* The key of a DER SubjectPublicKeyInfo, referenced (EVP_PKEY_free);
 * *whole: the DER was all of it.  The last few are kept by their DER. */
EVP_PKEY *crypto_pubkey(const uint8_t *spki, size_t spkilen, int *whole);
/* RSA PKCS#1 v1.5 over the raw hash with a DER SubjectPublicKeyInfo. */
int	crypto_verify(const uint8_t *spki, size_t spkilen, const uint8_t *hash,
	    size_t hashlen, const uint8_t *sig, size_t siglen);

/* ikev1_crypto.c: IKEv1 phase 1 keys and IVs */

/* SKEYID (for signatures; psk_skeyid, h->len octets, when the signer made
 * it from a pre-shared key) and its descendants, the key and first IV. */
int	crypto_keys(struct ike_keys *, const struct ike_hash *,
	    const struct ike_enc *, const uint8_t *ni, size_t nilen,
	    const uint8_t *nr, size_t nrlen, const uint8_t *gxy, size_t gxylen,
	    const uint8_t *gxi, const uint8_t *gxr, size_t gxlen,
	    const uint8_t *icky, const uint8_t *rcky, const uint8_t *psk_skeyid);
/* In place; len a multiple of the block; iv becomes the last cipher block. */
int	crypto_encrypt(const struct ike_keys *, uint8_t *iv, uint8_t *buf,
	    size_t len);
int	crypto_decrypt(const struct ike_keys *, uint8_t *iv, uint8_t *buf,
	    size_t len);
/* IV of an informational or quick mode exchange (RFC2409 App. B). */
int	crypto_mid_iv(const struct ike_keys *, const uint8_t *p1iv,
	    uint32_t mid, uint8_t *iv);

/* sig.c: signature schemes ------------------------------------------- */

/* RSA signatures of IKE authentication: PKCS#1 v1.5 (AUTH method 1 is
 * SHA-1; IKEv2 method 14 the SHA-2 ones) and RSASSA-PSS (method 14). */
enum sig_scheme {
	SIG_PKCS1_SHA1 = 1,
	SIG_PKCS1_SHA256,
	SIG_PKCS1_SHA384,
	SIG_PKCS1_SHA512,
	SIG_PSS_SHA256,
	SIG_PSS_SHA384,
	SIG_PSS_SHA512,
	SIG_ECDSA_SHA256,	/* RFC 4754 method 9 on P-256, or 7427 */
	SIG_ECDSA_SHA384,	/* method 10, P-384 */
	SIG_ECDSA_SHA512,	/* method 11, P-521 */
	SIG_ED25519		/* RFC 8420: method 14, no hash */
};

/* Kinds of scheme (sig_choose). */
#define SIGK_PKCS1	0
#define SIGK_PSS	1
#define SIGK_ECDSA	2
#define SIGK_EDDSA	3	/* signs the octets themselves */

/* The scheme's hash (alg_hash); NULL for an unknown scheme and for
 * Ed25519, which signs the octets themselves (sig_verify_octets). */
const struct ike_hash *sig_hash(enum sig_scheme);
/* "RSASSA-PSS with SHA-256" and so on. */
const char	*sig_scheme_name(enum sig_scheme);
/* Its IKEV2_HASH_* for SIGNATURE_HASH_ALGORITHMS; -1 when unknown. */
int	sig_hash_alg(enum sig_scheme);
/* What the signer asks the token for (ks_sign over the hash). */
int	sig_ks(enum sig_scheme, ks_sig *);
/* The DER AlgorithmIdentifier we send for it (RFC 7427 Appendix A; PSS
 * with explicit parameters, salt as long as the hash). */
int	sig_algid(enum sig_scheme, const uint8_t **der, size_t *len);
/* One we receive: sha*WithRSAEncryption with NULL or no parameters, or
 * RSASSA-PSS with the same SHA-2 hash for message and MGF1 and a salt of
 * 0 to twice the hash's length (*saltlen; -1 for PKCS#1).  -1 otherwise. */
int	sig_algid_parse(const uint8_t *der, size_t len, enum sig_scheme *,
	    int *saltlen);
/* The Authentication Data of AUTH method 14 (after the Auth Method and
 * RESERVED octets): ASN.1 length octet, AlgorithmIdentifier, signature. */
int	sig_auth14_parse(const uint8_t *data, size_t len, enum sig_scheme *,
	    int *saltlen, const uint8_t **sig, size_t *siglen);
int	sig_auth14_build(struct wbuf *, enum sig_scheme, const uint8_t *sig,
	    size_t siglen);
/* From the peer's SIGNATURE_HASH_ALGORITHMS data, SHA-256, SHA-384 or
 * SHA-512 in that order of preference, of kind SIGK_PSS or SIGK_PKCS1;
 * 0: none. */
enum sig_scheme sig_choose(const uint8_t *data, size_t len, int kind);
/* The ECDSA scheme of a key's curve (KS_CURVE_*: the hash of its size,
 * as RFC 4754 pairs them); 0 for no EC curve of ECDSA. */
enum sig_scheme sig_ecdsa_scheme(int curve);
/* Does the peer's SIGNATURE_HASH_ALGORITHMS list the scheme's hash? */
int	sig_listed(const uint8_t *data, size_t len, enum sig_scheme);
int	sig_is_ecdsa(enum sig_scheme);
/* r || s to DER (*derlen: the buffer's size on entry); 0 or -1. */
int	sig_ecdsa_to_der(const uint8_t *raw, size_t rawlen, uint8_t *der,
	    size_t *derlen);
/* The length of r || s for the peer's EC key; -1 when it is not one. */
int	sig_ecdsa_raw_len(const uint8_t *spki, size_t spkilen);
/* The peer's r || s (RFC 4754) as DER, when it is as long as its key
 * makes it; 0 or -1. */
int	sig_ecdsa_der_of_raw(const uint8_t *spki, size_t spkilen,
	    const uint8_t *raw, size_t rawlen, uint8_t *der, size_t *derlen);
/* RFC 4754 AUTH methods 9, 10, 11 (IKEv1 and IKEv2 alike) and their
 * schemes; 0 for none. */
int	sig_ecdsa_method(enum sig_scheme);
enum sig_scheme sig_ecdsa_of_method(int method);
/* 0 when sig is the peer's Ed25519 signature of the octets. */
int	sig_verify_octets(const uint8_t *spki, size_t spkilen,
	    const uint8_t *octets, size_t len, const uint8_t *sig,
	    size_t siglen);
/* 0 when sig is good for hash under the peer's DER SubjectPublicKeyInfo;
 * saltlen for PSS (-1: the hash's length), as sig_algid_parse gave it;
 * ECDSA signatures in DER (sig_ecdsa_to_der makes it of r || s). */
int	sig_verify(const uint8_t *spki, size_t spkilen, enum sig_scheme,
	    int saltlen, const uint8_t *hash, size_t hashlen,
	    const uint8_t *sig, size_t siglen);

/* signer.c: the privilege-separated token process ---------------------- */

/* The signer's exit status when the module said the token, its device or
 * the session is gone (ks_ctx_token_lost): the parent starts a new one by
 * restart.c's back-off, which opens the module afresh. */
#define SIGNER_EXIT_LOST	3
/* "signer-workers" at most */
#define SIGNER_WORKERS_MAX	16

/* Fork the signer (the parent does); *fd is the socket to it, which
 * goes to the network process.  The signer has logged in when KS_OK. */
ks_status	 signer_spawn(const struct conf *, int *fd, pid_t *pid,
		    char *err, size_t errsz);
/* In the network process: use this signer socket from now on. */
void		 signer_use(int fd, long pid);
long		 signer_pid_get(void);
void		 signer_stop(void);
int		 signer_running(void);
struct ike_sa;
/* Where an exchange that waited for the signer goes on. */
typedef void (*sa_resume_fn)(struct ike_sa *);

/* A signature to ask the signer for: 'S' (IKEv1 RSA: CKM_RSA_PKCS over the
 * octets as they are, at most IKE_HASH_MAX), 'H' (a hash, as long as the
 * scheme's, signed under scheme: sig.c) or 'E' (Ed25519, RFC 8420, over
 * the octets themselves, 1 to SIGNER_DATA_MAX). */
struct sign_req {
	uint8_t			 op;
	enum sig_scheme		 scheme;	/* 'H' only */
	const uint8_t		*data;
	size_t			 len;
};
/* Ask and wait for the answer (tests and benches; ikesignd signs with
 * signer_sign_async). */
ks_status	 signer_sign_now(const struct sign_req *, uint8_t *sig,
		    size_t *siglen, char *err, size_t errsz);
/*
 * The network process's signatures, asked for without waiting.  The
 * function that builds the message calls it; SIGN_PENDING means the
 * signer is at work and resume(sa) will be called from the main loop
 * when the answer is in, to build the message again: this call then gives
 * the answer (same request) and returns 0, with *st its status and on
 * KS_OK the signature in sig, else the signer's message in err.  Until
 * resume, the SA's datagrams are dropped (signer_waiting): the peer
 * retransmits.  0 with *st set also when nothing could be asked.
 */
#define SIGN_PENDING	1
int		 signer_sign_async(struct ike_sa *, sa_resume_fn resume,
		    const struct sign_req *, uint8_t *sig, size_t *siglen,
		    ks_status *st, char *err, size_t errsz);
/*
 * The public key of sa's peer (sa->peer_id, its kind KS_PEER_ADDRESS /
 * _HOSTNAME / _NAME) in keyring sa->keyring, as DER SPKI into spki: asked
 * for as signer_sign_async asks for a signature, on the short requests'
 * socket and never queued, so that a token busy signing (a smart card
 * does one thing at a time) does not stop the network process.
 */
int		 signer_peer_key_async(struct ike_sa *, sa_resume_fn resume,
		    int kind, uint8_t *spki, size_t *spkilen, ks_status *st,
		    char *err, size_t errsz);
/* While sa's signature, peer key or pre-shared key's prf is being asked
 * for or waits to be resumed, what it waits for ("the token's
 * signature"); else NULL. */
const char	*signer_waiting(const struct ike_sa *);
/* sa_free: drop sa's request; a later answer is dropped by its ID. */
void		 signer_forget(struct ike_sa *);
/* The main loop: the signer's two sockets (-1: none); the answers in
 * those poll found readable (or ended): first, the signatures' socket,
 * second, the short requests'; after each event, the SAs whose answers
 * came. */
int		 signer_fd_get(void);
int		 signer_short_fd_get(void);
void		 signer_collect(int first, int second);
void		 signer_run_ready(void);
/* How many workers the signer said it has (0: not known yet). */
unsigned	 signer_workers_get(void);
/* Signatures with the signer now, and those waiting in the network
 * process to be sent (at most one per worker and one more are sent at a
 * time, so that a short request waits behind few). */
void		 signer_counts(unsigned *asked, unsigned *queued);
/*
 * Is the local key usable?  Asked without waiting: done(st, curve, err)
 * is called from signer_run_ready when the answer comes (curve: the key's
 * KS_CURVE_*, NONE for RSA, on KS_OK; else the signer's message in err).
 * Nothing is asked while an earlier check waits for its answer; one that
 * has waited SIGNER_TIMEOUT gets KS_ETOKEN at the next call instead, and
 * one whose signer goes away gets no call.
 */
typedef void (*signer_check_fn)(ks_status st, int curve, const char *err);
void		 signer_key_check_async(signer_check_fn done);
/* The same over the parent's fd, waited for, before the network process
 * runs. */
ks_status	 signer_key_check_fd(int fd, int *curve, char *err,
		    size_t errsz);
/*
 * Pre-shared keys (issue 16).  The PSK stays on the token; the network
 * process gets only the prf's output.  keyring: the keyring's name ("default"
 * for crypto isakmp key); kind: KS_PEER_ADDRESS (id a dotted address: the
 * entry with the longest matching mask), KS_PEER_HOSTNAME or KS_PEER_NAME
 * (id an FQDN, case-insensitive); hash: IKE_HASH_* of the prf's HMAC;
 * data/octets: 1 to SIGNER_DATA_MAX octets; *outlen: the buffer size in
 * (IKE_HASH_MAX is enough), the prf's length out.  KS_ENOTFOUND when the
 * keyring has no PSK for the peer, KS_EUSAGE for arguments refused before
 * anything is sent.
 */
#define SIGNER_DATA_MAX	15360
/* 'K': prf(PSK, data); IKEv1 SKEYID = prf(PSK, Ni_b | Nr_b). */
ks_status	 signer_psk_prf(const char *keyring, int kind, const char *id,
		    int hash, const uint8_t *data, size_t len, uint8_t *out,
		    size_t *outlen, char *err, size_t errsz);
/* 'A': IKEv2 AUTH = prf(prf(PSK, "Key Pad for IKEv2"), octets) (RFC 7296
 * 2.15); hash: IKE_HASH_SHA, _SHA256, _SHA384 or _SHA512 (the IKE SA's
 * prf), not MD5. */
ks_status	 signer_psk_auth(const char *keyring, int kind, const char *id,
		    int hash, const uint8_t *octets, size_t len, uint8_t *out,
		    size_t *outlen, char *err, size_t errsz);
/* The same ('K' or 'A' as op, under the key for kind and id in keyring
 * sa->keyring), asked for as signer_peer_key_async asks for a key; the
 * network process uses these, the two above are waited for (tests). */
int		 signer_psk_async(struct ike_sa *, sa_resume_fn resume,
		    uint8_t op, int kind, const char *id, int hash,
		    const uint8_t *data, size_t len, uint8_t *out,
		    size_t *outlen, ks_status *st, char *err, size_t errsz);
/* 'R': KS_OK when keyring is on the token. */
ks_status	 signer_keyring_exists(const char *keyring, char *err,
		    size_t errsz);
/* At start, over a new signer's socket fd: every keyring that a peer line
 * or an IKEv2 profile names is on the token; else its status and
 * "peer ADDR names keyring 'K': ..." in err. */
ks_status	 signer_check_keyrings(int fd, const struct conf *,
		    char *err, size_t errsz);
/* The same, by the network process's own signer (a reload). */
ks_status	 signer_check_keyrings_now(const struct conf *, char *err,
		    size_t errsz);
/* One line on the signer's state for ikesignctl show. */
void		 signer_set_status(const char *);
const char	*signer_status(void);

/* restart.c: when a new signer may be started -------------------------- */

struct restart {
	int		 held;		/* PIN refused: no login until reload */
	unsigned	 delay;		/* the next backoff, seconds */
	time_t		 next;		/* when to start one; 0: not planned */
	time_t		 started;	/* when the running one came up */
	char		 why[768];	/* the signer's state, for show */
};

void	restart_init(struct restart *, time_t now);
void	restart_died(struct restart *, time_t now, const char *why);
int	restart_due(const struct restart *, time_t now);
void	restart_result(struct restart *, time_t now, ks_status,
	    const char *err);
/* 1 when a start is now planned (the signer was held or backing off). */
int	restart_reload(struct restart *, time_t now);
int	restart_held(const struct restart *);

/* sandbox.c: core dumps, privilege drop, chroot, seccomp ----------------- */

#define SANDBOX_MEMBERS_MAX	64

struct sandbox {
	int		 root;		/* started as root: drop to uid */
	uid_t		 uid;
	gid_t		 gid;
	char		 user[64];
	char		 dir[4096];	/* the chroot; "": none */
	int		 have_group;	/* control-group set */
	gid_t		 group;
	uid_t		 members[SANDBOX_MEMBERS_MAX];
	size_t		 nmembers;
};

void	sandbox_nocore(void);
int	sandbox_prepare(const struct conf *, struct sandbox *, char *err,
	    size_t errsz);
int	sandbox_enter(const struct sandbox *, char *err, size_t errsz);
int	sandbox_filter(char *err, size_t errsz);
int	sandbox_kills(void);

/* fdpass.c: a datagram with at most one descriptor ---------------------- */

ssize_t	fdpass_send(int sock, const void *buf, size_t len, int fd, int flags);
ssize_t	fdpass_recv(int sock, void *buf, size_t len, int *fd);

/* ipc.c: messages between the parent and the network process ------------ */

#define IPC_MSG_MAX	2048

enum ipc_type {
	IPC_READY = 'O',	/* child: sandboxed, running; text: "" */
	IPC_FAILED = 'X',	/* child: cannot start; text: why */
	IPC_RELOAD = 'R',	/* child: ikesignctl asked for a reload */
	IPC_SIGNER = 'F',	/* parent: a new signer; fd, text: its pid */
	IPC_STATUS = 'S',	/* parent: the signer's state; text */
	IPC_CONF = 'C',		/* parent: new configuration; fd (memfd),
				 * text: what to answer */
	IPC_CONF_ERR = 'E',	/* parent: reload failed; text: the status
				 * (a digit, the ks_status) and why */
	IPC_LOG = 'L'		/* child: a log line; text: its syslog
				 * priority (a digit), then the line */
};

int	ipc_send(int sock, int type, const char *text, int fd);
int	ipc_post(int sock, int type, const char *text);
/* 0 and the message, 1 on end of file, -1 on error; *fd -1 if none. */
int	ipc_recv(int sock, int *type, char *text, size_t textsz, int *fd);

/* logrelay.c: the network process's log, through the parent ------------- */

void	logrelay_start(int sock);
void	logrelay_line(const char *text);

/* parent.c: the privileged parent ---------------------------------------- */

void	parent_signals(void);
int	parent_main(struct conf *, const char *confpath, int sock,
	    pid_t child, pid_t signer_pid);

/* net.c ---------------------------------------------------------------- */

int	net_open(struct in_addr, uint16_t port);
int	net_send(int fd, const struct sockaddr_in *to, const uint8_t *,
	    size_t);
int	net_local_for(const struct sockaddr_in *remote, struct in_addr *);
int	net_pktinfo(int fd);
int	net_endpoints(struct in_addr peer, uint16_t port,
	    struct sockaddr_in *local, struct sockaddr_in *remote);
ssize_t	net_recv(int fd, uint8_t *, size_t, struct sockaddr_in *from,
	    struct sockaddr_in *to);

/* sa_table.c: the IKE SAs -------------------------------------------- */

enum sa_state {
	MM_NO_STATE = 0,
	MM_SA_SETUP,
	MM_KEY_EXCH,
	MM_KEY_AUTH,
	AG_INIT_EXCH,	/* Aggressive Mode initiator: message 1 sent */
	AG_AUTH,	/* Aggressive Mode responder: message 2 sent */
	QM_IDLE,	/* established, both versions */
	V2_SA_INIT,	/* IKEv2: in IKE_SA_INIT */
	V2_AUTH,	/* IKEv2: in IKE_AUTH */
	MM_DEAD		/* to be freed, both versions */
};

#define SPKI_MAX	2600
#define SIG_MAX		2048

struct ike_sa;
struct ikev2_state;

/*
 * What the shared SA table and timers ask of an IKE version; each
 * version's exchange files fill one (ikev1_ops, ikev2_ops), so the shared
 * core never calls into an exchange file by name.
 */
/* What ikesignctl show prints of an SA, whatever its version. */
struct sa_view {
	char		 encryption[32];
	char		 integrity[32];	/* IKEv1: the hash */
	char		 prf[32];	/* IKEv2 only */
	int		 group;
	char		 auth[48];	/* how the peer authenticated */
	uint32_t	 lifetime;
};

struct ike_ops {
	void	(*view)(const struct ike_sa *, struct sa_view *);
	void	(*tell_delete)(struct ike_sa *);	/* Delete to the peer */
	void	(*liveness)(struct ike_sa *);		/* DPD / empty INFO */
	void	(*rekey)(struct ike_sa *);		/* start a rekey */
	void	(*retransmit)(struct ike_sa *);
	void	(*release)(struct ike_sa *);		/* free version state */
	/* the peer has been quiet for QUIET_S: drop the copy of our last
	 * answer (no retransmission of its request can come now) */
	void	(*quiet)(struct ike_sa *);
	const char *(*state_name)(const struct ike_sa *);
};

extern const struct ike_ops ikev1_ops;
extern const struct ike_ops ikev2_ops;

/* What only the negotiation of an SA needs: the Diffie-Hellman values,
 * the nonces and the peer's proof.  Allocated with the SA, wiped and freed
 * once it is established (sa_nego_done, which frees sa->peer_idb too), so
 * an established SA holds only its keys. */
struct ike_nego {
	EVP_PKEY		*dh;
	uint8_t			 gxi[DH_PUB_MAX];
	uint8_t			 gxr[DH_PUB_MAX];
	uint8_t			 gxy[DH_SECRET_MAX];
	size_t			 gxylen;
	uint8_t			 ni[256];
	uint8_t			 nr[256];
	size_t			 nilen;
	size_t			 nrlen;
	uint8_t			*sar;	/* Aggressive Mode responder: the
					 * body of our SA payload */
	size_t			 sarlen;
	uint8_t			*proof;	/* the peer's HASH or SIG payload
					 * body (IKEv1) or AUTH data
					 * (IKEv2), until it is checked */
	size_t			 prooflen;
	int			 psk_by_address; /* the prf under the
					 * key for the peer's name: not
					 * found, the address's is asked */
};

/* A signature, a peer's key or a pre-shared key's prf asked of the
 * signer for an SA without waiting (signer_client.c). */
enum sign_state {
	SIGN_QUEUED = 1,	/* not sent yet: enough are with the signer */
	SIGN_ASKED,		/* on the list of requests in flight */
	SIGN_READY,		/* answered, on the list to resume */
	SIGN_TAKEN		/* answered, its SA resumed */
};
struct sa_sign {
	uint32_t		 id;
	enum sign_state		 state;
	uint8_t			 op;		/* the request's first octet:
						 * 'S', 'H', 'E', 'P', 'K', 'A' */
	uint8_t			*req;		/* SIGN_QUEUED: the request */
	size_t			 reqlen;
	uint8_t			 sum[32];	/* SHA-256 of the request */
	sa_resume_fn		 resume;
	ks_status		 st;
	size_t			 len;
	/* a signature (SIG_MAX), a key (SPKI_MAX) or the error */
	uint8_t			 answer[SPKI_MAX > SIG_MAX ? SPKI_MAX : SIG_MAX];
};

struct ike_sa {
	TAILQ_ENTRY(ike_sa)	 entry;
	TAILQ_ENTRY(ike_sa)	 hentry;	/* its bucket (sa_table.c) */
	unsigned		 conn_id;
	int			 version;	/* IKE major version: 1, 2 */
	const struct ike_ops	*ops;
	struct ikev2_state	*v2;		/* IKEv2 only */
	int			 initiator;
	enum sa_state		 state;
	uint8_t			 icky[IKE_COOKIE_LEN];
	uint8_t			 rcky[IKE_COOKIE_LEN];
	struct sockaddr_in	 local;
	struct sockaddr_in	 remote;
	char			 peer_name[INET_ADDRSTRLEN];	/* its address */
	char			 keyring[CONF_KEYRING_MAX];
	char			 key[KS_LABEL_MAX + 1];
	int			 identity;	/* IKE_ID_* we send */
	char			*local_id;	/* its text for USER_FQDN and
					 * KEY_ID (NULL: none) */
	int			 aggressive;	/* IKEv1 Aggressive Mode */
	struct policy		 chosen;
	const struct dh_group	*group;
	/* initiator's SA payload body, for HASH_I/HASH_R */
	uint8_t			*sai;
	size_t			 sailen;
	struct ike_nego		*ng;	/* until established, then NULL */
	struct ike_keys		 k;	/* k.iv: the Main Mode CBC chain;
					 * after message 6 the base of the
					 * IVs of later exchanges */
	char			 peer_id[KS_PEER_ID_MAX + 1];
	int			 peer_kind;	/* KS_PEER_*: its lookup */
	uint8_t			*peer_idb;	/* the peer's ID payload body
					 * (IKEv1 IDii_b / IDir_b, IKEv2
					 * RestOfIDPayload) until its proof
					 * is checked */
	size_t			 peer_idblen;
	int			 peer_dpd;
	int			 peer_natt;
	int			 peer_ic;	/* IKEv1: INITIAL-CONTACT came
					 * with the peer's proof */
	/* times (monotonic seconds) */
	time_t			 created;
	time_t			 established;
	time_t			 expires;
	time_t			 rekey_at;
	time_t			 last_rx;
	/* retransmission of our last message */
	uint8_t			*tx;
	size_t			 txlen;
	uint8_t			 rxsum[32];	/* digest of the last request */
	int			 tx_tries;
	uint64_t		 tx_next;	/* ms; 0: none pending */
	/* dead peer detection: seconds, from the keepalive or profile */
	unsigned		 dpd_interval;	/* 0: off */
	unsigned		 dpd_retry;
	int			 dpd_periodic;
	uint32_t		 dpd_seq;
	int			 dpd_out;
	int			 dpd_tries;
	time_t			 dpd_next;
	int			 waiter;	/* control fd awaiting result */
	struct sa_sign		*sign;	/* a signature asked for; NULL: none */
	TAILQ_ENTRY(ike_sa)	 sentry;	/* signer_client.c's lists */
	char			 why[512];	/* why it failed */
};

TAILQ_HEAD(sa_list, ike_sa);

/* daemon.c -- the network process's state -------------------------- */

struct daemon {
	struct conf		 conf;
	char			 confpath[4096];
	int			 udp;
	int			 ctl;
	struct sa_list		 sas;
	unsigned		 next_conn_id;
	int			 key_ok;	/* local key usable */
	int			 key_curve;	/* its KS_CURVE_* (NONE: RSA) */
	time_t			 key_checked;
	int			 quit;
	int			 reload;
	int			 reload_fd;	/* control fd awaiting reload */
};

extern struct daemon *ikesignd;

/* clock.c: the monotonic clock */
uint64_t	 now_ms(void);
time_t		 now_s(void);

void		 key_state(int ok, const char *why);

/* sa_table.c */
/* A new IKEv1 SA under the initiator's cookie icky (NULL: a random one,
 * ours), which it keeps for life; NULL when the table is full. */
struct ike_sa	*sa_new(int initiator, const struct sockaddr_in *local,
		    const struct sockaddr_in *remote, const uint8_t *icky);
/* The same for IKEv2 (version 2, ikev2_ops) under the initiator's SPI;
 * the caller fills sa->v2. */
struct ike_sa	*sa_new_v2(int initiator, const struct sockaddr_in *local,
		    const struct sockaddr_in *remote, const uint8_t *spii);
struct ike_sa	*sa_find(const uint8_t *icky, const uint8_t *rcky,
		    const struct sockaddr_in *remote);
/* The live SAs of one peer address under one initiator cookie/SPI, one
 * after another (after: NULL for the first); O(1) in the table's size. */
struct ike_sa	*sa_lookup(const uint8_t *icky,
		    const struct sockaddr_in *remote, struct ike_sa *after);
size_t		 sa_count(void);
void		 sa_free(struct ike_sa *);
/* The negotiation is over: its DH values and nonces are wiped, freed. */
void		 sa_nego_done(struct ike_sa *);
/* A copy of len octets of src in *dst, whose old copy is freed; 0, or -1
 * when out of memory (*dst NULL then). */
int		 sa_copy(uint8_t **dst, size_t *dstlen, const uint8_t *src,
		    size_t len);
const char	*sa_state_name(const struct ike_sa *);
void		 sa_fail(struct ike_sa *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* ikev1_halfopen.c: responder negotiations after message 1 ---------- */

#define HO_DEFAULT	1024	/* half-open entries by default */
#define HO_LIMIT_MIN	10	/* IOS's range starts at 10 */
#define HO_LIMIT_MAX	16384	/* lookups walk the table */
#define V2_HO_LIMIT_MAX	2048	/* IKEv2 half-open SAs share the SA table
				 * (4096): half stays for established ones */
#define HO_SAI_MAX	4096	/* SAi_b kept: 64 transforms fit */

struct half_open;

struct ho_stats {
	size_t		 count;		/* entries now */
	size_t		 limit;
	size_t		 source_limit;
	uint64_t	 admitted;	/* message 1s that got an entry */
	uint64_t	 completed;	/* moved on by message 3 */
	uint64_t	 evicted;	/* oldest of the table, to make room */
	uint64_t	 evicted_source; /* oldest of a source at its cap */
	uint64_t	 expired;
	uint64_t	 dropped;	/* message 1 or 3 not taken */
};

size_t		 ho_limit(void);
size_t		 ho_source_limit(void);
/* tmp: cookies, addresses, chosen, VIDs; 0, or -1 (dropped). */
int		 ho_add(const struct ike_sa *tmp, const uint8_t *sai,
		    size_t sailen, const uint8_t *tx, size_t txlen,
		    const uint8_t *rxsum);
struct half_open *ho_find(const uint8_t *icky, const uint8_t *rcky,
		    const struct sockaddr_in *remote);
void		 ho_repeat(const struct half_open *, const uint8_t *rxsum);
struct ike_sa	*ho_promote(struct half_open *);
void		 ho_expire(time_t maxage);
size_t		 ho_clear(const char *peer);
void		 ho_stats(struct ho_stats *);

/* ikev1_msg.c: building, encrypting, sending ------------------------- */

struct msgb {
	struct wbuf	 w;
	uint8_t		 buf[IKE_MSG_MAX];
	size_t		 nextoff;	/* the "next payload" octet to patch */
	size_t		 pldoff;	/* start of the open payload */
};

void	msgb_init(struct msgb *, const struct ike_sa *, uint8_t xchg,
	    uint32_t mid);
void	msgb_pld_begin(struct msgb *, uint8_t type);
void	msgb_pld_end(struct msgb *);
/* Encrypt (when iv is not NULL) and finish the header; -1 on overflow. */
int	msgb_finish(struct msgb *, const struct ike_sa *, uint8_t *iv);
/* Send and keep a copy for retransmission when keep is set. */
int	msg_send(struct ike_sa *, struct msgb *, int keep);
void	msg_retransmit(struct ike_sa *);
/* Decrypt m's body in place into buf; iv in/out. */
int	msg_decrypt(const struct ike_sa *, const struct ike_msg *,
	    uint8_t *iv, uint8_t *buf, size_t *len);

/* ikev1_mm.c: Main Mode ---------------------------------------------- */

struct ike_sa	*mm_initiate(const struct peer *, char *err, size_t errsz);
void		 mm_recv(struct ike_sa *, struct ike_msg *,
		    const struct sockaddr_in *from);
void		 mm_recv_first(struct ike_msg *, const struct sockaddr_in *from,
		    const struct sockaddr_in *local, const uint8_t *rxsum);

/* ikev1_am.c: Aggressive Mode ---------------------------------------- */

struct ike_sa	*am_initiate(const struct peer *, char *err, size_t errsz);
void		 am_recv(struct ike_sa *, struct ike_msg *);
void		 am_recv_first(struct ike_msg *, const struct sockaddr_in *from,
		    const struct sockaddr_in *local, const uint8_t *rxsum);
/* Main Mode or Aggressive Mode, as the peer line says. */
struct ike_sa	*v1_initiate(const struct peer *, char *err, size_t errsz);

/* ikev1_info.c: informational exchanges, DPD, Quick Mode decline ------- */

void	info_recv(struct ike_sa *, struct ike_msg *);
void	info_notify_clear(const struct ike_msg *, const struct sockaddr_in *,
	    uint16_t type);
void	info_notify(struct ike_sa *, uint16_t type, const uint8_t *data,
	    size_t datalen);
void	info_delete(struct ike_sa *);
void	info_delete_sa(struct ike_sa *);
void	info_dpd(struct ike_sa *);
void	qm_decline(struct ike_sa *, struct ike_msg *);

/* sa_table.c: life cycle of SAs ------------------------------------- */

void	sa_established(struct ike_sa *);
/* The peer sent INITIAL-CONTACT: drop its other SAs. */
void	sa_initial_contact(struct ike_sa *);
int	sa_has_peer_sa(const struct ike_sa *);
int	sa_clear_matching(const char *peer, const char *key, const char *why);
/* Ask the timers to rekey the established SAs with peer now. */
int	sa_rekey_matching(const char *peer);
void	sa_fail_quiet(struct ike_sa *, const char *why);

/* sa_timers.c ------------------------------------------------------- */

void	sa_timers(uint64_t now, int *timeout);

/* dispatch.c: a datagram to the parser of its IKE version ------------ */

void	ike_input(const uint8_t *, size_t, const struct sockaddr_in *from,
	    const struct sockaddr_in *local);

/* ikev1_input.c: an IKEv1 datagram to its exchange ------------------- */

void	ikev1_input(const uint8_t *, size_t, const struct sockaddr_in *from,
	    const struct sockaddr_in *local);

/* ident.c: a peer's identity payload as text and as a keyring lookup -- */

/* type: ID_IPV4_ADDR, ID_FQDN or ID_USER_FQDN (RFC822_ADDR), numbered
 * alike in IKEv1 and IKEv2; 0, or -1 for other types and bad data. */
int	ident_text(uint8_t type, const uint8_t *data, size_t len, char *out,
	    size_t outsz, int *kind);

/* ikev2_input.c: an IKEv2 datagram to its exchange ------------------- */

void	ikev2_input(const uint8_t *, size_t, const struct sockaddr_in *from,
	    const struct sockaddr_in *local);
/* ikev2_init.c: start an IKEv2 SA with a peer line of ike-version 2 */
struct ike_sa *ikev2_initiate(const struct peer *, char *err, size_t errsz);

/* control.c ------------------------------------------------------------ */

int	control_open(const char *path, char *err, size_t errsz);
void	control_close(int fd, const char *path);
int	control_access(const char *path, const struct sandbox *,
	    const char *group, char *err, size_t errsz);
void	control_accept(int fd);
void	control_reply(int fd, int rc, const char *text);
void	control_show(int fd, int what, int json);

#endif
