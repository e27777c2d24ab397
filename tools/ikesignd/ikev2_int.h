/*
 * ikev2_int.h -- what the IKEv2 exchange files (ikev2_*.c) share: the
 * per-SA IKEv2 state, the SA payload codec, message building and the
 * entry points of each exchange.  Nothing outside ikev2_*.c includes it
 * except the table of operations (ikev2_ops in ikesignd.h).
 */
#ifndef IKEV2_INT_H
#define IKEV2_INT_H

#include "ikesignd.h"
#include "ikev2.h"
#include "ikev2_crypto.h"

#define V2_PROP_MAX	16	/* proposals read from one SA payload */
#define V2_XFORM_MAX	64	/* usable transforms of one proposal */
#define V2_FRAG_MAX	32	/* fragments of one message (RFC 7383) */
#define V2_NONCE_LEN	32
#define V2_COOKIE_MAX	64
#define V2_BUILD_MAX	16384	/* one message before fragmentation */

/* ikev2_sa.c ------------------------------------------------------------ */

struct v2_xform {
	uint8_t		 type;		/* IKEV2_XF_* */
	uint16_t	 id;
	unsigned	 keybits;
};

struct v2_prop {
	uint8_t		 num;
	uint8_t		 proto;		/* IKEV2_PROTO_* */
	uint8_t		 spi[8];
	size_t		 spilen;
	struct v2_xform	 x[V2_XFORM_MAX];
	size_t		 nx;
};

struct v2_offer {
	struct v2_prop	 prop[V2_PROP_MAX];
	size_t		 nprop;
};

int	v2_sa_parse(const uint8_t *body, size_t len, struct v2_offer *);
/* Responder: the first of ours (in order) that a proposal of proto
 * matches; *pi is that proposal's index in the offer. */
int	v2_sa_choose(const struct v2_offer *, uint8_t proto,
	    const struct v2_proposal *const *ours, size_t nours,
	    struct ikev2_suite *, size_t *pi);
/* Initiator: the responder's one proposal, which must be one of ours. */
int	v2_sa_chosen(const struct v2_offer *,
	    const struct v2_proposal *const *ours, size_t nours,
	    struct ikev2_suite *);
void	v2_sa_prop_of(const struct v2_proposal *, struct v2_prop *);
void	v2_sa_offer(struct wbuf *, const struct v2_proposal *const *ours,
	    size_t nours, const uint8_t *spi, size_t spilen);
void	v2_sa_reply(struct wbuf *, uint8_t num, const struct ikev2_suite *,
	    const uint8_t *spi, size_t spilen);
void	v2_suite_string(const struct ikev2_suite *, char *, size_t);

/* the per-SA state --------------------------------------------------- */

/* One message as sent: whole, or as its fragments, back to back. */
struct v2_pkts {
	uint8_t		*buf;
	uint16_t	 len[V2_FRAG_MAX];	/* datagrams: under 64 KiB */
	size_t		 n;
};

/* Fragments of one received message being put together (RFC 7383). */
struct v2_reasm {
	uint32_t	 mid;
	int		 response;
	uint16_t	 total;		/* 0: nothing collected */
	uint16_t	 got;
	uint8_t		 first;		/* fragment 1's inner payload type */
	uint8_t		*part[V2_FRAG_MAX];
	size_t		 partlen[V2_FRAG_MAX];
};

struct v2_rekey;

struct ikev2_state {
	struct ikev2_suite	 suite;
	struct ikev2_keys	 keys;
	int			 keyed;
	uint32_t		 mid_out;	/* our next request */
	uint32_t		 mid_in;	/* the peer's next request */
	int			 child_asked;	/* responder: IKE_AUTH had an SA
						 * payload (a CHILD_SA) */
	int			 req_open;	/* ours awaits its response */
	uint8_t			 req_xchg;
	int			 req_delete;	/* it is our Delete */
	struct v2_pkts		 req;		/* to retransmit */
	struct v2_pkts		 resp;		/* to the peer's mid_in - 1 */
	int			 resp_valid;
	uint8_t			 reqsum[32];	/* SHA-256 of that request, or
						 * of its first fragment */
	uint8_t			*init_i;	/* IKE_SA_INIT request */
	size_t			 init_ilen;
	uint8_t			*init_r;	/* and response */
	size_t			 init_rlen;
	uint8_t			 cookie[V2_COOKIE_MAX];
	size_t			 cookielen;
	uint8_t			 peer_hashes[32]; /* SIGNATURE_HASH_ALGORITHMS */
	size_t			 peer_hasheslen;
	int			 peer_frag;
	int			 peer_childless;
	int			 nat_here;	/* we are behind a NAT */
	int			 nat_there;
	int			 ke_retries;
	uint16_t		 group_want;	/* INVALID_KE asked for it */
	char			 profile[CONF_PROFILE_MAX];
	enum v2_auth		 auth_local;
	enum v2_auth		 auth_remote;
	int			 peer_kind;	/* KS_PEER_*: how it named itself */
	int			 method_local;	/* IKEV2_AUTH_* */
	int			 method_peer;
	int			 scheme_local;	/* enum sig_scheme, 0: none */
	int			 scheme_peer;
	unsigned		 frag_mtu;	/* 0: never fragment */
	uint32_t		 lifetime;
	struct v2_reasm		*reasm;		/* while fragments come in */
	struct v2_rekey		*rekey;		/* ours, under way */
	int			 superseded;	/* the peer rekeyed it: only
						 * its Delete is to come */
	unsigned		 rekeyed_by_peer; /* its new conn-id, while
						  * ours is under way */
};

/* ikev2_msg.c: build, protect, send, retransmit ---------------------- */

struct v2msg {
	struct wbuf	 w;
	uint8_t		 buf[V2_BUILD_MAX];
	size_t		 nextoff;	/* the "next payload" octet to patch */
	size_t		 pldoff;	/* the open payload */
	size_t		 skoff;		/* the SK payload; 0: clear */
	uint8_t		 xchg;
};

void	v2msg_init(struct v2msg *, const struct ike_sa *, uint8_t xchg,
	    int response, uint32_t mid);
/* Open SK: the payloads after it are encrypted by v2msg_finish. */
void	v2msg_sk(struct v2msg *, const struct ike_sa *);
void	v2msg_begin(struct v2msg *, uint8_t type);
void	v2msg_end(struct v2msg *);
void	v2msg_notify(struct v2msg *, uint8_t proto, uint16_t type,
	    const void *data, size_t len);
/* Seal (and fragment when the peer allows it) into out; -1 on overflow. */
int	v2msg_finish(struct v2msg *, struct ike_sa *, struct v2_pkts *out);
void	v2_pkts_free(struct v2_pkts *);
void	v2_pkts_send(const struct ike_sa *, const struct v2_pkts *);
/* Send a request and keep it for retransmission. */
int	v2_request(struct ike_sa *, struct v2msg *);
/* Send a response and keep it for the peer's retransmissions. */
int	v2_respond(struct ike_sa *, struct v2msg *);
void	v2_retransmit(struct ike_sa *);
/* Our request got its response. */
void	v2_request_done(struct ike_sa *);
void	v2_reasm_free(struct ike_sa *);
/* A clear notify-only response to a request no SA will hold. */
void	v2_notify_clear(const struct ikev2_msg *, const struct sockaddr_in *to,
	    uint16_t type, const void *data, size_t len);
/* The inside of a received SK or SKF message: 0 and the payloads parsed
 * into m; 1 when a fragment was kept and more are needed; -1 dropped. */
int	v2_open(struct ike_sa *, struct ikev2_msg *, uint8_t *pkt,
	    size_t len, uint32_t allowed, uint8_t *plain, size_t *plainlen);

/* ikev2_init.c: IKE_SA_INIT -------------------------------------------- */

void		 v2_init_respond(struct ikev2_msg *, const uint8_t *pkt,
		    const struct sockaddr_in *from,
		    const struct sockaddr_in *local);
void		 v2_init_response(struct ike_sa *, struct ikev2_msg *,
		    const uint8_t *pkt);
size_t		 v2_half_open(void);

/* ikev2_auth.c: IKE_AUTH ------------------------------------------------- */

int	v2_auth_request(struct ike_sa *);
void	v2_auth_respond(struct ike_sa *, struct ikev2_msg *);
void	v2_auth_response(struct ike_sa *, struct ikev2_msg *);

/* ikev2_info.c: INFORMATIONAL, CREATE_CHILD_SA, the SA's life ------------ */

void	v2_info_request(struct ike_sa *, struct ikev2_msg *);
void	v2_info_response(struct ike_sa *, struct ikev2_msg *);
void	v2_child_request(struct ike_sa *, struct ikev2_msg *);
void	v2_child_response(struct ike_sa *, struct ikev2_msg *);
void	v2_established(struct ike_sa *);
/* ikev2_auth.c */
void	v2_profile_apply(struct ike_sa *, const struct v2_profile *,
	    const struct peer *);
const char *v2_auth_name(int method, int scheme);
void	v2_state_free(struct ike_sa *);

/* ikev2_rekey.c: IKE SA rekeying by CREATE_CHILD_SA ------------------- */

void	v2_rekey_start(struct ike_sa *);
void	v2_rekey_request(struct ike_sa *, struct ikev2_msg *);
void	v2_rekey_response(struct ike_sa *, struct ikev2_msg *);
void	v2_rekey_free(struct ike_sa *);

/* ikev2_pld.c: payload bodies --------------------------------------------- */

struct v2_notify {
	uint8_t		 proto;
	uint16_t	 type;
	const uint8_t	*spi;
	size_t		 spilen;
	const uint8_t	*data;
	size_t		 len;
};

struct v2_id {
	uint8_t		 type;
	const uint8_t	*data;
	size_t		 len;
};

int	v2_pld_notify(const struct ikev2_pld *, struct v2_notify *);
int	v2_pld_ke(const struct ikev2_pld *, uint16_t *group,
	    const uint8_t **data, size_t *len);
int	v2_pld_id(const struct ikev2_pld *, struct v2_id *);
int	v2_pld_auth(const struct ikev2_pld *, uint8_t *method,
	    const uint8_t **data, size_t *len);
/* The nth notify of type in m, or NULL. */
const struct ikev2_pld *v2_find_notify(const struct ikev2_msg *,
	    uint16_t type, struct v2_notify *);
/* The first error notify (type < 16384) in m; 0 if none. */
uint16_t v2_error_notify(const struct ikev2_msg *);
const char *v2_notify_name(uint16_t type);

#endif
