/*
 * ikev1_ph1.c -- what IKEv1 Main Mode (ikev1_mm.c) and Aggressive Mode
 * (ikev1_am.c) share: vendor IDs, NAT-D, the identities, the proofs
 * (HASH_I/HASH_R with pre-shared keys, SIG_I/SIG_R with signatures), the
 * Diffie-Hellman values, nonces and keys (RFC 2409 5).  With pre-shared
 * keys SKEYID comes from the signer, which keeps the key on the token.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikesignd.h"
#include "ikev1_ph1.h"

/* Vendor IDs we recognise (RFC 3706, RFC 3947, drafts, Cisco). */
const uint8_t ph1_vid_dpd[16] = { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1,
    0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 };
const uint8_t ph1_vid_natt[16] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03,
    0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f };
static const struct vid_name {
	const char	*name;
	const uint8_t	 v[16];
	size_t		 len;
	int		 flag;	/* 1 DPD, 2 NAT-T RFC 3947 */
} vids[] = {
	{ "DPD", { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b,
	    0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 }, 16, 1 },
	{ "NAT-T (RFC 3947)", { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58,
	    0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f }, 16, 2 },
	{ "draft-ietf-ipsec-nat-t-ike-02\\n", { 0x90, 0xcb, 0x80, 0x91,
	    0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42,
	    0x7b, 0x1f }, 16, 0 },
	{ "draft-ietf-ipsec-nat-t-ike-02", { 0xcd, 0x60, 0x46, 0x43, 0x35,
	    0xdf, 0x21, 0xf8, 0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4,
	    0x48 }, 16, 0 },
	{ "draft-ietf-ipsec-nat-t-ike-03", { 0x7d, 0x94, 0x19, 0xa6, 0x53,
	    0x10, 0xca, 0x6f, 0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d,
	    0x56 }, 16, 0 },
	{ "XAuth", { 0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12 }, 8, 0 },
	{ "Cisco Fragmentation", { 0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc,
	    0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3 },
	    16, 0 },
};

void
ph1_read_vids(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct pld *p;
	size_t i, j;

	for (i = 0; (p = msg_find(m, IKE_PLD_VID, i)) != NULL; i++) {
		for (j = 0; j < sizeof(vids) / sizeof(vids[0]); j++)
			if (p->len >= vids[j].len &&
			    memcmp(p->body, vids[j].v, vids[j].len) == 0)
				break;
		if (j == sizeof(vids) / sizeof(vids[0])) {
			log_debug("%s: unknown vendor ID (%zu octets)",
			    sa->peer_name, p->len);
			continue;
		}
		log_debug("%s: received vendor ID %s", sa->peer_name,
		    vids[j].name);
		if (vids[j].flag == 1)
			sa->peer_dpd = 1;
		if (vids[j].flag == 2)
			sa->peer_natt = 1;
	}
}

void
ph1_add_vid(struct msgb *mb, const uint8_t *v, size_t len)
{
	msgb_pld_begin(mb, IKE_PLD_VID);
	wb_bytes(&mb->w, v, len);
	msgb_pld_end(mb);
}

/* NAT-D = HASH(CKY-I | CKY-R | IP | port) (RFC 3947 3.2). */
static int
natd_hash(const struct ike_sa *sa, const struct sockaddr_in *a, uint8_t *out)
{
	struct iov v[4];

	v[0].p = sa->icky;
	v[0].len = IKE_COOKIE_LEN;
	v[1].p = sa->rcky;
	v[1].len = IKE_COOKIE_LEN;
	v[2].p = &a->sin_addr.s_addr;
	v[2].len = 4;
	v[3].p = &a->sin_port;
	v[3].len = 2;
	return crypto_hash(alg_hash(sa->chosen.hash), v, 4, out);
}

int
ph1_add_natd(struct ike_sa *sa, struct msgb *mb)
{
	uint8_t h[IKE_HASH_MAX];
	const struct ike_hash *ih = alg_hash(sa->chosen.hash);

	if (!sa->peer_natt)
		return 0;
	/* the first is the destination, then our own address */
	if (natd_hash(sa, &sa->remote, h) != 0)
		return -1;
	msgb_pld_begin(mb, IKE_PLD_NATD);
	wb_bytes(&mb->w, h, ih->len);
	msgb_pld_end(mb);
	if (natd_hash(sa, &sa->local, h) != 0)
		return -1;
	msgb_pld_begin(mb, IKE_PLD_NATD);
	wb_bytes(&mb->w, h, ih->len);
	msgb_pld_end(mb);
	return 0;
}

void
ph1_check_natd(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct pld *p0, *p;
	uint8_t me[IKE_HASH_MAX], them[IKE_HASH_MAX];
	size_t hl = alg_hash(sa->chosen.hash)->len, i;
	int me_ok, them_ok = 0;

	if ((p0 = msg_find(m, IKE_PLD_NATD, 0)) == NULL)
		return;
	if (natd_hash(sa, &sa->local, me) != 0 ||
	    natd_hash(sa, &sa->remote, them) != 0)
		return;
	me_ok = p0->len == hl && memcmp(p0->body, me, hl) == 0;
	for (i = 1; (p = msg_find(m, IKE_PLD_NATD, i)) != NULL; i++)
		if (p->len == hl && memcmp(p->body, them, hl) == 0)
			them_ok = 1;
	if (!me_ok || !them_ok)
		log_warnx("%s: NAT-D says there is a NAT (%s side); ikesignd "
		    "does not float to port 4500", sa->peer_name,
		    !me_ok ? "our" : "peer");
	else
		log_debug("%s: NAT-D: no NAT", sa->peer_name);
}

void
ph1_notify_clear(struct ike_sa *sa, uint16_t type)
{
	struct msgb mb;
	uint32_t mid;

	crypto_random((uint8_t *)&mid, sizeof(mid));
	msgb_init(&mb, sa, IKE_XCHG_INFO, mid);
	msgb_pld_begin(&mb, IKE_PLD_N);
	wb_u32(&mb.w, IKE_DOI_IPSEC);
	wb_u8(&mb.w, IKE_PROTO_ISAKMP);
	wb_u8(&mb.w, 0);
	wb_u16(&mb.w, type);
	msgb_pld_end(&mb);
	if (msgb_finish(&mb, sa, NULL) == 0)
		(void)msg_send(sa, &mb, 0);
}

/* An error found in a step: tell the peer (when n != 0) and give up. */
void
ph1_error(struct ike_sa *sa, uint16_t n, int encrypted, const char *reason)
{
	char why[sizeof(sa->why)];

	/* reason may be sa->why itself */
	snprintf(why, sizeof(why), "%s", reason);
	if (n != 0) {
		if (encrypted)
			info_notify(sa, n, NULL, 0);
		else
			ph1_notify_clear(sa, n);
	}
	sa_fail(sa, "%s", why);
}

/* Our identity payload body, proto/port 0: ID_IPV4_ADDR (the address used
 * towards the peer), ID_FQDN (our hostname), or ID_USER_FQDN / ID_KEY_ID
 * (the text of the peer line's identity). */
void
ph1_build_id(const struct ike_sa *sa, struct wbuf *w)
{
	const char *text = sa->identity == IKE_ID_FQDN ?
	    ikesignd->conf.hostname : sa->local_id != NULL ? sa->local_id : "";

	wb_u8(w, (uint8_t)sa->identity);
	wb_u8(w, 0);
	wb_u16(w, 0);
	if (sa->identity == IKE_ID_IPV4_ADDR)
		wb_bytes(w, &sa->local.sin_addr.s_addr, 4);
	else
		wb_bytes(w, text, strlen(text));
}

/* The prf of HASH_I and HASH_R: the negotiated hash's, but with ECDSA
 * (RFC 4754) the method's own hash, as strongSwan computes it. */
static const struct ike_hash *
proof_hash(const struct ike_sa *sa)
{
	enum sig_scheme s = sig_ecdsa_of_method(sa->chosen.auth);

	return s != 0 ? sig_hash(s) : sa->k.h;
}

/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 */
static int
auth_hash(const struct ike_sa *sa, int of_initiator, const uint8_t *id,
    size_t idlen, uint8_t *out)
{
	struct iov v[6];
	size_t gl = sa->group->publen;

	v[0].p = of_initiator ? sa->ng->gxi : sa->ng->gxr;
	v[1].p = of_initiator ? sa->ng->gxr : sa->ng->gxi;
	v[0].len = v[1].len = gl;
	v[2].p = of_initiator ? sa->icky : sa->rcky;
	v[3].p = of_initiator ? sa->rcky : sa->icky;
	v[2].len = v[3].len = IKE_COOKIE_LEN;
	v[4].p = sa->sai;
	v[4].len = sa->sailen;
	v[5].p = id;
	v[5].len = idlen;
	return crypto_prf(proof_hash(sa), sa->k.skeyid, sa->k.h->len, v, 6,
	    out);
}

/* Our signature over HASH (the token's: RSA raw, or ECDSA r || s), asked
 * of the signer; SIGN_PENDING until it comes (then again runs). */
static int
sign_hash(struct ike_sa *sa, sa_resume_fn again, const uint8_t *h,
    uint8_t *sig, size_t *siglen, ks_status *st, char *err, size_t errsz)
{
	struct sign_req r;

	r.scheme = sig_ecdsa_of_method(sa->chosen.auth);
	r.op = r.scheme != 0 ? 'H' : 'S';
	r.data = h;
	r.len = r.scheme != 0 ? sig_hash(r.scheme)->len : sa->k.h->len;
	return signer_sign_async(sa, again, &r, sig, siglen, st, err, errsz);
}

/*
 * Our proof over our identity payload body idb: with pre-shared keys a
 * HASH payload (HASH_I or HASH_R), else a SIG payload made on the token.
 * 0, the notify to send, or PH1_PENDING: the signature is being made,
 * and again(sa) builds the message anew when it is there.
 */
int
ph1_add_proof(struct ike_sa *sa, sa_resume_fn again, struct msgb *mb,
    const uint8_t *idb, size_t idlen)
{
	uint8_t h[IKE_HASH_MAX], sig[SIG_MAX];
	size_t siglen = sizeof(sig);
	char err[256];
	ks_status st;
	int rc;

	if (auth_hash(sa, sa->initiator, idb, idlen, h) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	if (sa->chosen.auth == IKE_AUTH_PSK) {
		msgb_pld_begin(mb, IKE_PLD_HASH);
		wb_bytes(&mb->w, h, sa->k.h->len);
		msgb_pld_end(mb);
		OPENSSL_cleanse(h, sizeof(h));
		return 0;
	}
	rc = sign_hash(sa, again, h, sig, &siglen, &st, err, sizeof(err));
	OPENSSL_cleanse(h, sizeof(h));
	if (rc == SIGN_PENDING)
		return PH1_PENDING;
	if (st != KS_OK) {
		log_warnx("cannot sign for %s with key '%s': %s",
		    sa->peer_name, sa->key, err);
		if (st == KS_ENOTFOUND || st == KS_EPERM)
			ikesignd->key_ok = 0;
		return IKE_N_AUTHENTICATION_FAILED;
	}
	msgb_pld_begin(mb, IKE_PLD_SIG);
	wb_bytes(&mb->w, sig, siglen);
	msgb_pld_end(mb);
	return 0;
}

int
ph1_add_id(struct ike_sa *sa, struct msgb *mb, uint8_t *idb, size_t idbsz,
    size_t *idlen)
{
	struct wbuf w;

	wb_init(&w, idb, idbsz);
	ph1_build_id(sa, &w);
	if (w.err)
		return -1;
	msgb_pld_begin(mb, IKE_PLD_ID);
	wb_bytes(&mb->w, idb, w.len);
	msgb_pld_end(mb);
	*idlen = w.len;
	return 0;
}

/* Our ID payload and its proof (Main Mode message 5 or 6); as
 * ph1_add_proof. */
int
ph1_add_id_proof(struct ike_sa *sa, sa_resume_fn again, struct msgb *mb)
{
	uint8_t idb[KS_PEER_ID_MAX + 8];
	size_t idlen;

	if (ph1_add_id(sa, mb, idb, sizeof(idb), &idlen) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	return ph1_add_proof(sa, again, mb, idb, idlen);
}

/* The peer's ID payload: its text, its kind of keyring lookup, and its
 * body for the proof still to come.  0, or a notify type (sa->why set). */
int
ph1_take_peer_id(struct ike_sa *sa, const struct pld *pid)
{
	struct ident id;

	if (pld_ident(pid, &id) != 0 || ident_text(id.type, id.data, id.len,
	    sa->peer_id, sizeof(sa->peer_id), &sa->peer_kind) != 0) {
		snprintf(sa->why, sizeof(sa->why), "peer identity of type %d "
		    "is not supported", pid->len > 0 ? pid->body[0] : 0);
		return IKE_N_INVALID_ID_INFORMATION;
	}
	if (sa_copy(&sa->peer_idb, &sa->peer_idblen, pid->body,
	    pid->len) != 0) {
		snprintf(sa->why, sizeof(sa->why), "out of memory");
		return IKE_N_PAYLOAD_MALFORMED;
	}
	return 0;
}

/* The peer's HASH_I or HASH_R, kept: it knew the pre-shared key. */
static int
check_hash(struct ike_sa *sa)
{
	uint8_t h[IKE_HASH_MAX];
	int bad;

	bad = sa->ng->prooflen != sa->k.h->len || auth_hash(sa,
	    !sa->initiator, sa->peer_idb, sa->peer_idblen, h) != 0 ||
	    CRYPTO_memcmp(h, sa->ng->proof, sa->ng->prooflen) != 0;
	OPENSSL_cleanse(h, sizeof(h));
	if (bad) {
		snprintf(sa->why, sizeof(sa->why), "the HASH of '%s' does not "
		    "match: its pre-shared key is not the one keyring '%s' "
		    "holds for it", sa->peer_id, sa->keyring);
		return IKE_N_AUTHENTICATION_FAILED;
	}
	return 0;
}

/* RSA: PKCS#1 over the bare HASH; ECDSA: r || s over it (RFC 4754). */
static int
verify_sig(const struct ike_sa *sa, const uint8_t *spki, size_t spkilen,
    const uint8_t *h, const uint8_t *sig, size_t siglen)
{
	enum sig_scheme s = sig_ecdsa_of_method(sa->chosen.auth);
	uint8_t der[2 * 66 + 16];
	size_t derlen = sizeof(der);

	if (s == 0)
		return crypto_verify(spki, spkilen, h, sa->k.h->len, sig,
		    siglen);
	if (sig_ecdsa_der_of_raw(spki, spkilen, sig, siglen, der,
	    &derlen) != 0)
		return -1;
	return sig_verify(spki, spkilen, s, -1, h, sig_hash(s)->len, der,
	    derlen);
}

/* The peer's SIG, kept, with its public key from the keyring. */
static int
check_sig(struct ike_sa *sa, sa_resume_fn again)
{
	uint8_t spki[SPKI_MAX], h[IKE_HASH_MAX];
	size_t spkilen = sizeof(spki);
	char err[256];
	ks_status st;

	if (signer_peer_key_async(sa, again, sa->peer_kind, spki, &spkilen,
	    &st, err, sizeof(err)) == SIGN_PENDING)
		return PH1_PENDING;
	if (st != KS_OK) {
		snprintf(sa->why, sizeof(sa->why), "no public key for '%.160s' in "
		    "keyring '%.64s': %.256s", sa->peer_id, sa->keyring, err);
		return IKE_N_INVALID_ID_INFORMATION;
	}
	if (auth_hash(sa, !sa->initiator, sa->peer_idb, sa->peer_idblen,
	    h) != 0 || verify_sig(sa, spki, spkilen, h, sa->ng->proof,
	    sa->ng->prooflen) != 0) {
		snprintf(sa->why, sizeof(sa->why), "signature of '%s' does "
		    "not verify with its key in keyring '%s'", sa->peer_id,
		    sa->keyring);
		return IKE_N_AUTHENTICATION_FAILED;
	}
	return 0;
}

int
ph1_check_kept(struct ike_sa *sa, sa_resume_fn again)
{
	if (sa->ng->proof == NULL || sa->peer_idb == NULL) {
		snprintf(sa->why, sizeof(sa->why), "no peer identity and "
		    "proof to check");
		return IKE_N_PAYLOAD_MALFORMED;
	}
	return sa->chosen.auth == IKE_AUTH_PSK ? check_hash(sa) :
	    check_sig(sa, again);
}

int
ph1_keep_proof(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct pld *p;
	uint8_t type = sa->chosen.auth == IKE_AUTH_PSK ? IKE_PLD_HASH :
	    IKE_PLD_SIG;

	if ((p = msg_find(m, type, 0)) == NULL ||
	    msg_find(m, type, 1) != NULL) {
		snprintf(sa->why, sizeof(sa->why), "message without one %s "
		    "payload", type == IKE_PLD_HASH ? "HASH" : "SIG");
		return IKE_N_PAYLOAD_MALFORMED;
	}
	if (sa->peer_idb == NULL) {
		snprintf(sa->why, sizeof(sa->why), "no peer identity to check "
		    "the %s against", type == IKE_PLD_HASH ? "HASH" : "SIG");
		return IKE_N_PAYLOAD_MALFORMED;
	}
	if (sa_copy(&sa->ng->proof, &sa->ng->prooflen, p->body,
	    p->len) != 0) {
		snprintf(sa->why, sizeof(sa->why), "out of memory");
		return IKE_N_PAYLOAD_MALFORMED;
	}
	return 0;
}

int
ph1_check_proof(struct ike_sa *sa, const struct ike_msg *m,
    sa_resume_fn again)
{
	int rc;

	if ((rc = ph1_keep_proof(sa, m)) != 0)
		return rc;
	return ph1_check_kept(sa, again);
}

/* Main Mode message 5 or 6: one ID, then its proof.  As ph1_check_proof. */
int
ph1_verify_peer(struct ike_sa *sa, const struct ike_msg *m,
    sa_resume_fn again)
{
	const struct pld *pid;
	int rc;

	if ((pid = msg_find(m, IKE_PLD_ID, 0)) == NULL ||
	    msg_find(m, IKE_PLD_ID, 1) != NULL) {
		snprintf(sa->why, sizeof(sa->why), "message without one ID "
		    "payload");
		return IKE_N_PAYLOAD_MALFORMED;
	}
	if ((rc = ph1_take_peer_id(sa, pid)) != 0)
		return rc;
	return ph1_check_proof(sa, m, again);
}

/*
 * With pre-shared keys SKEYID = prf(pre-shared-key, Ni_b | Nr_b): the
 * signer makes it on the token with the keyring's key for the peer, and
 * the key itself stays there.  Main Mode knows only the peer's address
 * here (the longest mask that matches).  Aggressive Mode has the peer's
 * identity first: the key stored for that hostname or name, else the
 * address's (sa->ng->psk_by_address once the name's was not found; its
 * message stays in sa->why).  Asked without waiting: 0, -1 with sa->why
 * set, or PH1_PENDING until the signer answers (then again(sa)).
 */
static int
psk_skeyid(struct ike_sa *sa, sa_resume_fn again, uint8_t *skeyid)
{
	uint8_t nonces[512];
	size_t len = IKE_HASH_MAX, nlen = sa->ng->nilen + sa->ng->nrlen;
	char err[256];
	int byid = sa->peer_idb != NULL && sa->peer_kind != KS_PEER_ADDRESS;
	int kind = KS_PEER_ADDRESS, rc;
	const char *id = sa->peer_name;
	ks_status st;

	if (nlen > sizeof(nonces)) {
		snprintf(sa->why, sizeof(sa->why), "nonces of %zu octets",
		    nlen);
		return -1;
	}
	memcpy(nonces, sa->ng->ni, sa->ng->nilen);
	memcpy(nonces + sa->ng->nilen, sa->ng->nr, sa->ng->nrlen);
	if (byid && !sa->ng->psk_by_address) {
		kind = sa->peer_kind;
		id = sa->peer_id;
	}
	rc = signer_psk_async(sa, again, 'K', kind, id, sa->chosen.hash,
	    nonces, nlen, skeyid, &len, &st, err, sizeof(err));
	OPENSSL_cleanse(nonces, sizeof(nonces));
	if (rc == SIGN_PENDING)
		return PH1_PENDING;
	if (st == KS_OK && len == alg_hash(sa->chosen.hash)->len) {
		sa->ng->psk_by_address = 0;
		sa->why[0] = '\0';
		return 0;
	}
	/* when the address is asked after the name, the name's message is
	 * the one to give */
	if (!sa->ng->psk_by_address)
		snprintf(sa->why, sizeof(sa->why), "no pre-shared key for %s: "
		    "%.400s%s", id, st != KS_OK ? err : "the token's HMAC has "
		    "the wrong length", sa->aggressive && !sa->initiator ?
		    "; no answer sent" : "");
	if (kind != KS_PEER_ADDRESS && st == KS_ENOTFOUND) {
		sa->ng->psk_by_address = 1;
		return psk_skeyid(sa, again, skeyid);
	}
	sa->ng->psk_by_address = 0;
	return -1;
}

int
ph1_derive(struct ike_sa *sa, const uint8_t *ke, size_t kelen)
{
	int rc;

	rc = dh_derive(sa->group, sa->ng->dh, ke, kelen, sa->ng->gxy,
	    &sa->ng->gxylen);
	EVP_PKEY_free(sa->ng->dh);
	sa->ng->dh = NULL;
	if (rc != 0)
		return -1;
	if (sa->initiator)
		memcpy(sa->ng->gxr, ke, kelen);
	else
		memcpy(sa->ng->gxi, ke, kelen);
	return 0;
}

int
ph1_keys(struct ike_sa *sa, sa_resume_fn again)
{
	const struct ike_enc *e = alg_enc(sa->chosen.enc, sa->chosen.keybits);
	uint8_t skeyid[IKE_HASH_MAX];
	int psk = sa->chosen.auth == IKE_AUTH_PSK, rc = 0;

	if (psk && (rc = psk_skeyid(sa, again, skeyid)) != 0) {
		OPENSSL_cleanse(skeyid, sizeof(skeyid));
		return rc == PH1_PENDING ? PH1_PENDING :
		    IKE_N_AUTHENTICATION_FAILED;
	}
	rc = crypto_keys(&sa->k, alg_hash(sa->chosen.hash), e, sa->ng->ni,
	    sa->ng->nilen, sa->ng->nr, sa->ng->nrlen, sa->ng->gxy,
	    sa->ng->gxylen, sa->ng->gxi, sa->ng->gxr, sa->group->publen,
	    sa->icky, sa->rcky, psk ? skeyid : NULL);
	OPENSSL_cleanse(skeyid, sizeof(skeyid));
	if (rc != 0) {
		snprintf(sa->why, sizeof(sa->why), "cannot derive the keys");
		return IKE_N_INVALID_KEY_INFORMATION;
	}
	return 0;
}

/* The peer's KE and nonce, one of each. */
int
ph1_take_ke_nonce(struct ike_sa *sa, const struct ike_msg *m,
    const struct pld **ke)
{
	const struct pld *nonce;

	if ((*ke = msg_find(m, IKE_PLD_KE, 0)) == NULL ||
	    (nonce = msg_find(m, IKE_PLD_NONCE, 0)) == NULL ||
	    msg_find(m, IKE_PLD_KE, 1) != NULL ||
	    msg_find(m, IKE_PLD_NONCE, 1) != NULL)
		return IKE_N_PAYLOAD_MALFORMED;
	if ((*ke)->len != sa->group->publen)
		return IKE_N_INVALID_KEY_INFORMATION;
	if (sa->initiator) {
		memcpy(sa->ng->nr, nonce->body, nonce->len);
		sa->ng->nrlen = nonce->len;
	} else {
		memcpy(sa->ng->ni, nonce->body, nonce->len);
		sa->ng->nilen = nonce->len;
	}
	return 0;
}

void
ph1_add_ke_nonce(struct ike_sa *sa, struct msgb *mb)
{
	msgb_pld_begin(mb, IKE_PLD_KE);
	wb_bytes(&mb->w, sa->initiator ? sa->ng->gxi : sa->ng->gxr,
	    sa->group->publen);
	msgb_pld_end(mb);
	msgb_pld_begin(mb, IKE_PLD_NONCE);
	wb_bytes(&mb->w, sa->initiator ? sa->ng->ni : sa->ng->nr, PH1_NONCE_LEN);
	msgb_pld_end(mb);
}

/* Our nonce and Diffie-Hellman key for sa->group. */
int
ph1_new_dh(struct ike_sa *sa)
{
	uint8_t *pub = sa->initiator ? sa->ng->gxi : sa->ng->gxr;

	if (sa->initiator) {
		crypto_random(sa->ng->ni, PH1_NONCE_LEN);
		sa->ng->nilen = PH1_NONCE_LEN;
	} else {
		crypto_random(sa->ng->nr, PH1_NONCE_LEN);
		sa->ng->nrlen = PH1_NONCE_LEN;
	}
	return dh_create(sa->group, &sa->ng->dh, pub);
}

/* INITIAL-CONTACT, sent only when we hold no other SA with the peer (a
 * rekey must not make it forget the SA being replaced). */
void
ph1_add_initial_contact(struct ike_sa *sa, struct msgb *mb)
{
	if (sa_has_peer_sa(sa))
		return;
	msgb_pld_begin(mb, IKE_PLD_N);
	wb_u32(&mb->w, IKE_DOI_IPSEC);
	wb_u8(&mb->w, IKE_PROTO_ISAKMP);
	wb_u8(&mb->w, 2 * IKE_COOKIE_LEN);
	wb_u16(&mb->w, IKE_N_INITIAL_CONTACT);
	wb_bytes(&mb->w, sa->icky, IKE_COOKIE_LEN);
	wb_bytes(&mb->w, sa->rcky, IKE_COOKIE_LEN);
	msgb_pld_end(mb);
}

void
ph1_log_offer(const char *who, const struct sa_offer *o)
{
	char buf[128];
	size_t i;

	for (i = 0; i < o->nx && i < 8; i++) {
		policy_string(&o->x[i].p, buf, sizeof(buf));
		log_debug("%s offered transform %u: %s%s", who,
		    (unsigned)o->x[i].num, buf,
		    o->x[i].unsupported ? " (with attributes we do not "
		    "support)" : "");
	}
}

/* Decrypt an encrypted phase 1 message (Main Mode 5 or 6, Aggressive
 * Mode 3) into buf and parse it; the IV moves on only on success. */
int
ph1_decrypt(struct ike_sa *sa, struct ike_msg *m, uint8_t *buf, size_t len,
    uint32_t allowed)
{
	uint8_t iv[IKE_BLOCK_MAX];
	int rc;

	memcpy(iv, sa->k.iv, sizeof(iv));
	if (msg_decrypt(sa, m, iv, buf, &len) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	if ((rc = msg_parse_payloads(m, m->next, buf, len, allowed)) != 0)
		return rc;
	memcpy(sa->k.iv, iv, sizeof(iv));
	return 0;
}

int
ph1_stopped(struct ike_sa *sa, int rc, int encrypted)
{
	if (rc == PH1_PENDING)
		return 1;
	if (rc != 0) {
		ph1_error(sa, (uint16_t)rc, encrypted, sa->why);
		return 1;
	}
	return 0;
}

/* A phase 1 message that does not decrypt: dropped (the peer may repeat
 * it).  With a pre-shared key, that is what a different key looks like. */
void
ph1_unreadable(const struct ike_sa *sa, int n)
{
	if (sa->chosen.auth == IKE_AUTH_PSK)
		log_warnx("%s: cannot decrypt message %d: the peer's pre-shared "
		    "key does not match the one keyring '%s' holds for %s; "
		    "dropped", sa->peer_name, n, sa->keyring,
		    sa->peer_id[0] != '\0' ? sa->peer_id : sa->peer_name);
	else
		log_warnx("%s: cannot decrypt or parse message %d; dropped",
		    sa->peer_name, n);
}

int
ph1_has_initial_contact(const struct ike_msg *m)
{
	const struct pld *p;
	struct notify n;
	size_t i;

	for (i = 0; (p = msg_find(m, IKE_PLD_N, i)) != NULL; i++)
		if (pld_notify(p, &n) == 0 && n.type == IKE_N_INITIAL_CONTACT)
			return 1;
	return 0;
}

/* A notify in place of the answer we wait for (phase 1 errors). */
int
ph1_refused(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct pld *p;
	struct notify n;

	if ((p = msg_find(m, IKE_PLD_N, 0)) == NULL || pld_notify(p, &n) != 0)
		return 0;
	sa_fail(sa, "%s refused: notify %u", sa->peer_name, n.type);
	return 1;
}

/* The identity we send: the peer line's, else (as sa_new set it) the
 * one of "crypto isakmp identity". */
void
ph1_set_identity(struct ike_sa *sa, const struct peer *peer)
{
	if (peer == NULL || peer->id_type == 0)
		return;
	if (peer->id[0] != '\0' && (sa->local_id = strdup(peer->id)) == NULL)
		return;		/* out of memory: the default identity */
	sa->identity = peer->id_type;
}

/* The peer line for a first message from "from" (mode: "Main Mode" or
 * "Aggressive Mode"); NULL, logged, when none covers it or it says
 * IKEv2.  who receives the address as text. */
const struct peer *
ph1_responder_peer(const struct sockaddr_in *from, const char *mode,
    char *who, size_t whosz)
{
	const struct peer *peer;

	inet_ntop(AF_INET, &from->sin_addr, who, (socklen_t)whosz);
	if ((peer = conf_peer(&ikesignd->conf, from->sin_addr)) == NULL) {
		log_warnx("%s from unknown peer %s ignored: no 'peer' line "
		    "covers it", mode, who);
		return NULL;
	}
	if (peer->version != 1) {
		log_warnx("%s from %s ignored: its peer line says ike-version "
		    "2", mode, who);
		return NULL;
	}
	return peer;
}

/*
 * A responder's choice for message 1 (mode: "Main Mode" or "Aggressive
 * Mode"): refused, logged and answered with NO-PROPOSAL-CHOSEN while the
 * local key is unusable or when no policy matches the offer; else the
 * chosen policy, one of pols (CONF_POLICY_MAX of them), *xi its transform.
 */
const struct policy *
ph1_choose(const struct ike_msg *m, const struct sockaddr_in *from,
    const char *who, const char *mode, const struct sa_offer *offer,
    struct policy *pols, size_t *xi)
{
	const struct policy *chosen;
	size_t npol;

	if (!ikesignd->key_ok) {
		log_warnx("%s from %s refused: the local key '%s' is locked or "
		    "missing", mode, who, ikesignd->conf.key);
		info_notify_clear(m, from, IKE_N_NO_PROPOSAL_CHOSEN);
		return NULL;
	}
	npol = ph1_policies(pols, CONF_POLICY_MAX);
	if (sa_choose(offer, pols, npol, xi, &chosen) != 0) {
		ph1_log_offer(who, offer);
		log_warnx("%s from %s: proposal mismatch: no policy matches the "
		    "%zu transform%s offered (-v lists them)", mode, who,
		    offer->nx, offer->nx == 1 ? "" : "s");
		info_notify_clear(m, from, IKE_N_NO_PROPOSAL_CHOSEN);
		return NULL;
	}
	return chosen;
}

/* Our last message needs no copy any more: no repeat, no timer. */
void
ph1_drop_tx(struct ike_sa *sa)
{
	free(sa->tx);
	sa->tx = NULL;
	sa->txlen = 0;
	sa->tx_next = 0;
}

/*
 * The policies as the local key can use them: "ecdsa-sig" becomes the
 * method of the key's curve, and the signature policies of the other key
 * type are left out (an RSA key cannot make ECDSA signatures, nor the
 * other way round).  Pre-share policies stay.  How many.
 */
size_t
ph1_policies(struct policy *pols, size_t max)
{
	size_t n = conf_policies(&ikesignd->conf, pols, max), i, k = 0;
	int ec = sig_ecdsa_method(sig_ecdsa_scheme(ikesignd->key_curve));

	for (i = 0; i < n; i++) {
		if (pols[i].auth == IKE_AUTH_ECDSA_ANY) {
			if (ec == 0)
				continue;
			pols[i].auth = ec;
		} else if (pols[i].auth == IKE_AUTH_RSA_SIG && ec != 0)
			continue;
		pols[k++] = pols[i];
	}
	return k;
}

