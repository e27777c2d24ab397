/*
 * ikev1_ph1.h -- IKEv1 phase 1 pieces that Main Mode and Aggressive Mode
 * share (ikev1_ph1.c).  Internal to the IKEv1 exchange files.
 */
#ifndef IKESIGND_IKEV1_PH1_H
#define IKESIGND_IKEV1_PH1_H

#define PH1_NONCE_LEN	32

/* The policies the local key can use (ecdsa-sig resolved); how many. */
size_t	ph1_policies(struct policy *, size_t max);

/* Vendor IDs we send: DPD (RFC 3706) and NAT-T (RFC 3947). */
extern const uint8_t ph1_vid_dpd[16];
extern const uint8_t ph1_vid_natt[16];

void	ph1_read_vids(struct ike_sa *, const struct ike_msg *);
void	ph1_add_vid(struct msgb *, const uint8_t *v, size_t len);
int	ph1_add_natd(struct ike_sa *, struct msgb *);
void	ph1_check_natd(struct ike_sa *, const struct ike_msg *);
void	ph1_log_offer(const char *who, const struct sa_offer *);
const struct peer *ph1_responder_peer(const struct sockaddr_in *from,
	    const char *mode, char *who, size_t whosz);
void	ph1_drop_tx(struct ike_sa *);
const struct policy *ph1_choose(const struct ike_msg *,
	    const struct sockaddr_in *from, const char *who, const char *mode,
	    const struct sa_offer *, struct policy *pols, size_t *xi);

/* A clear Informational notify to the peer. */
void	ph1_notify_clear(struct ike_sa *, uint16_t type);
/* Tell the peer n (unless 0; encrypted once keys exist) and fail sa. */
void	ph1_error(struct ike_sa *, uint16_t n, int encrypted,
	    const char *reason);
/* A notify in place of the answer we wait for: sa failed, 1. */
int	ph1_refused(struct ike_sa *, const struct ike_msg *);

/* Identities and proofs; the int results are 0 or a notify type. */
void	ph1_set_identity(struct ike_sa *, const struct peer *);
void	ph1_build_id(const struct ike_sa *, struct wbuf *);
/*
 * PH1_PENDING: the signer is at work for sa (a signature, a peer's key, a
 * pre-shared key's prf) and the network process goes on with other
 * packets; again(sa) is called from the main loop when the answer is in,
 * and calls the same function again, which then takes it.  Meanwhile the
 * SA's datagrams are dropped (signer_waiting).
 */
#define PH1_PENDING	0x10000		/* no notify type */
/* After a step that may wait for the signer (rc: 0, a notify type with
 * sa->why set, or PH1_PENDING): 1 when the exchange stops there, waiting
 * or failed (ph1_error with the notify, encrypted or not); 0 to go on. */
int	ph1_stopped(struct ike_sa *, int rc, int encrypted);
/* Our proof (HASH or SIG); PH1_PENDING while the token signs: again(sa)
 * builds the message anew. */
int	ph1_add_proof(struct ike_sa *, sa_resume_fn again, struct msgb *,
	    const uint8_t *idb, size_t idlen);
/* Our ID payload into mb, its body into idb (idbsz octets); 0 or -1. */
int	ph1_add_id(struct ike_sa *, struct msgb *, uint8_t *idb, size_t idbsz,
	    size_t *idlen);
int	ph1_add_id_proof(struct ike_sa *, sa_resume_fn again, struct msgb *);
int	ph1_take_peer_id(struct ike_sa *, const struct pld *);
/*
 * The peer's proof in m (ph1_verify_peer: its ID first), kept
 * (ph1_keep_proof: 0 or a notify type) and checked (ph1_check_kept: 0, a
 * notify type, or PH1_PENDING while the signer looks up a SIG's key, then
 * again(sa), which calls ph1_check_kept(sa, again) for the result).
 */
int	ph1_check_proof(struct ike_sa *, const struct ike_msg *,
	    sa_resume_fn again);
int	ph1_verify_peer(struct ike_sa *, const struct ike_msg *,
	    sa_resume_fn again);
int	ph1_keep_proof(struct ike_sa *, const struct ike_msg *);
int	ph1_check_kept(struct ike_sa *, sa_resume_fn again);

/* Keys: nonce and DH value, the peer's, then SKEYID and the rest. */
int	ph1_new_dh(struct ike_sa *);
void	ph1_add_ke_nonce(struct ike_sa *, struct msgb *);
int	ph1_take_ke_nonce(struct ike_sa *, const struct ike_msg *,
	    const struct pld **ke);
/* g^xy from the peer's KE (our DH key is freed); 0 or -1. */
int	ph1_derive(struct ike_sa *, const uint8_t *ke, size_t kelen);
/* SKEYID, with a pre-shared key's prf asked of the signer, and the keys:
 * 0, a notify type with sa->why set, or PH1_PENDING (again(sa) then calls
 * ph1_keys(sa, again) for the result). */
int	ph1_keys(struct ike_sa *, sa_resume_fn again);

int	ph1_decrypt(struct ike_sa *, struct ike_msg *, uint8_t *buf,
	    size_t len, uint32_t allowed);
void	ph1_unreadable(const struct ike_sa *, int n);
int	ph1_has_initial_contact(const struct ike_msg *);
void	ph1_add_initial_contact(struct ike_sa *, struct msgb *);

#endif
