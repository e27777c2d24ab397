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
/* Our proof (HASH or SIG); PROOF_PENDING while the token signs: again(sa)
 * is called to build the message anew once the signature is in. */
#define PROOF_PENDING	0x10000		/* no notify type */
int	ph1_add_proof(struct ike_sa *, sa_resume_fn again, struct msgb *,
	    const uint8_t *idb, size_t idlen);
/* Our ID payload into mb, its body into idb (idbsz octets); 0 or -1. */
int	ph1_add_id(struct ike_sa *, struct msgb *, uint8_t *idb, size_t idbsz,
	    size_t *idlen);
int	ph1_add_id_proof(struct ike_sa *, sa_resume_fn again, struct msgb *);
int	ph1_take_peer_id(struct ike_sa *, const struct pld *);
/*
 * The peer's proof in m (ph1_verify_peer: its ID first).  A HASH is
 * checked at once; a SIG is kept and checked with the peer's key, which
 * the signer looks up on the token without the network process waiting:
 * PROOF_PENDING until the key comes, then again(sa) is called, which
 * calls ph1_check_sig(sa, again) for the result.
 */
int	ph1_check_proof(struct ike_sa *, const struct ike_msg *,
	    sa_resume_fn again);
int	ph1_verify_peer(struct ike_sa *, const struct ike_msg *,
	    sa_resume_fn again);
int	ph1_check_sig(struct ike_sa *, sa_resume_fn again);

/* Keys: nonce and DH value, the peer's, then SKEYID and the rest. */
int	ph1_new_dh(struct ike_sa *);
void	ph1_add_ke_nonce(struct ike_sa *, struct msgb *);
int	ph1_take_ke_nonce(struct ike_sa *, const struct ike_msg *,
	    const struct pld **ke);
int	ph1_make_keys(struct ike_sa *, const uint8_t *ke, size_t kelen);

int	ph1_decrypt(struct ike_sa *, struct ike_msg *, uint8_t *buf,
	    size_t len, uint32_t allowed);
void	ph1_unreadable(const struct ike_sa *, int n);
int	ph1_has_initial_contact(const struct ike_msg *);
void	ph1_add_initial_contact(struct ike_sa *, struct msgb *);

#endif
