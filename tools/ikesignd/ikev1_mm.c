/*
 * ikev1_mm.c -- IKEv1 Main Mode with RSA signatures (RFC 2409 5.1), as
 * initiator and as responder:
 *
 *	1  HDR, SA, VID               -->
 *	2                             <--  HDR, SA, VID
 *	3  HDR, KE, Ni, [NAT-D]       -->
 *	4                             <--  HDR, KE, Nr, [NAT-D]
 *	5  HDR*, IDii, SIG_I, [N]     -->
 *	6                             <--  HDR*, IDir, SIG_R
 *
 * Each step first parses the message with only the payloads that step
 * accepts (ikev1_pld.c validates their shape), then looks at what they
 * mean.  Any failure marks the SA dead with the reason; ikesignd.c reaps
 * it.  Peer keys come from the token's keyring through the signer.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikesignd.h"

#define NONCE_LEN	32

/* Vendor IDs we recognise (RFC 3706, RFC 3947, drafts, Cisco). */
static const uint8_t vid_dpd[] = { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1,
    0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 };
static const uint8_t vid_natt[] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03,
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

static void
read_vids(struct ike_sa *sa, const struct ike_msg *m)
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

static void
add_vid(struct msgb *mb, const uint8_t *v, size_t len)
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

static int
add_natd(struct ike_sa *sa, struct msgb *mb)
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

static void
check_natd(struct ike_sa *sa, const struct ike_msg *m)
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

static void
send_notify_clear(struct ike_sa *sa, uint16_t type)
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
static void
mm_error(struct ike_sa *sa, uint16_t n, int encrypted, const char *reason)
{
	char why[sizeof(sa->why)];

	/* reason may be sa->why itself */
	snprintf(why, sizeof(why), "%s", reason);
	if (n != 0) {
		if (encrypted)
			info_notify(sa, n, NULL, 0);
		else
			send_notify_clear(sa, n);
	}
	sa_fail(sa, "%s", why);
}

/* Our identity payload body: ID_IPV4_ADDR or ID_FQDN, proto/port 0. */
static void
build_id(const struct ike_sa *sa, struct wbuf *w)
{
	const char *host = ikesignd->conf.hostname;

	if (sa->identity == IKE_ID_FQDN) {
		wb_u8(w, IKE_ID_FQDN);
		wb_u8(w, 0);
		wb_u16(w, 0);
		wb_bytes(w, host, strlen(host));
	} else {
		wb_u8(w, IKE_ID_IPV4_ADDR);
		wb_u8(w, 0);
		wb_u16(w, 0);
		wb_bytes(w, &sa->local.sin_addr.s_addr, 4);
	}
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

	v[0].p = of_initiator ? sa->gxi : sa->gxr;
	v[1].p = of_initiator ? sa->gxr : sa->gxi;
	v[0].len = v[1].len = gl;
	v[2].p = of_initiator ? sa->icky : sa->rcky;
	v[3].p = of_initiator ? sa->rcky : sa->icky;
	v[2].len = v[3].len = IKE_COOKIE_LEN;
	v[4].p = sa->sai;
	v[4].len = sa->sailen;
	v[5].p = id;
	v[5].len = idlen;
	return crypto_prf(sa->k.h, sa->k.skeyid, sa->k.h->len, v, 6, out);
}

/* ID and SIG (or, with pre-shared keys, HASH) payloads of message 5 or 6;
 * 0, or the notify to send. */
static int
add_id_sig(struct ike_sa *sa, struct msgb *mb)
{
	uint8_t idb[CONF_NAME_MAX + 8], h[IKE_HASH_MAX], sig[SIG_MAX];
	struct wbuf w;
	size_t siglen = sizeof(sig);
	char err[256];
	ks_status st;

	wb_init(&w, idb, sizeof(idb));
	build_id(sa, &w);
	if (w.err || auth_hash(sa, sa->initiator, idb, w.len, h) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	if (sa->chosen.auth == IKE_AUTH_PSK) {
		/* pre-shared keys: HASH_I or HASH_R is the proof */
		msgb_pld_begin(mb, IKE_PLD_ID);
		wb_bytes(&mb->w, idb, w.len);
		msgb_pld_end(mb);
		msgb_pld_begin(mb, IKE_PLD_HASH);
		wb_bytes(&mb->w, h, sa->k.h->len);
		msgb_pld_end(mb);
		OPENSSL_cleanse(h, sizeof(h));
		return 0;
	}
	st = signer_sign(h, sa->k.h->len, sig, &siglen, err, sizeof(err));
	OPENSSL_cleanse(h, sizeof(h));
	if (st != KS_OK) {
		log_warnx("cannot sign for %s with key '%s': %s",
		    sa->peer_name, sa->key, err);
		if (st == KS_ENOTFOUND || st == KS_EPERM)
			ikesignd->key_ok = 0;
		return IKE_N_AUTHENTICATION_FAILED;
	}
	msgb_pld_begin(mb, IKE_PLD_ID);
	wb_bytes(&mb->w, idb, w.len);
	msgb_pld_end(mb);
	msgb_pld_begin(mb, IKE_PLD_SIG);
	wb_bytes(&mb->w, sig, siglen);
	msgb_pld_end(mb);
	return 0;
}

/* The peer's HASH_I or HASH_R: it knew the pre-shared key. */
static int
verify_psk(struct ike_sa *sa, const struct pld *pid, const struct pld *ph)
{
	uint8_t h[IKE_HASH_MAX];
	int bad;

	bad = ph->len != sa->k.h->len ||
	    auth_hash(sa, !sa->initiator, pid->body, pid->len, h) != 0 ||
	    CRYPTO_memcmp(h, ph->body, ph->len) != 0;
	OPENSSL_cleanse(h, sizeof(h));
	if (bad) {
		snprintf(sa->why, sizeof(sa->why), "the HASH of '%s' does not "
		    "match: its pre-shared key is not the one keyring '%s' "
		    "holds for %s", sa->peer_id, sa->keyring, sa->peer_name);
		return IKE_N_AUTHENTICATION_FAILED;
	}
	return 0;
}

/* Check the peer's ID and SIG (message 5 or 6); 0, or a notify type. */
static int
verify_peer(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct pld *pid, *psig;
	struct ident id;
	uint8_t spki[SPKI_MAX], h[IKE_HASH_MAX];
	size_t spkilen = sizeof(spki);
	char err[256];
	int kind;
	ks_status st;

	uint8_t proof = sa->chosen.auth == IKE_AUTH_PSK ? IKE_PLD_HASH :
	    IKE_PLD_SIG;

	if ((pid = msg_find(m, IKE_PLD_ID, 0)) == NULL ||
	    (psig = msg_find(m, proof, 0)) == NULL ||
	    msg_find(m, IKE_PLD_ID, 1) != NULL ||
	    msg_find(m, proof, 1) != NULL) {
		snprintf(sa->why, sizeof(sa->why), "message without one ID "
		    "and one %s payload", proof == IKE_PLD_HASH ? "HASH" :
		    "SIG");
		return IKE_N_PAYLOAD_MALFORMED;
	}
	if (pld_ident(pid, &id) != 0 || ident_text(id.type, id.data, id.len,
	    sa->peer_id, sizeof(sa->peer_id), &kind) != 0) {
		snprintf(sa->why, sizeof(sa->why), "peer identity of type %d "
		    "is not supported", id.type);
		return IKE_N_INVALID_ID_INFORMATION;
	}
	if (proof == IKE_PLD_HASH)
		return verify_psk(sa, pid, psig);
	st = signer_peer_key(sa->keyring, kind, sa->peer_id, spki, &spkilen,
	    err, sizeof(err));
	if (st != KS_OK) {
		snprintf(sa->why, sizeof(sa->why), "no public key for '%.160s' in "
		    "keyring '%.64s': %.256s", sa->peer_id, sa->keyring, err);
		return IKE_N_INVALID_ID_INFORMATION;
	}
	if (auth_hash(sa, !sa->initiator, pid->body, pid->len, h) != 0 ||
	    crypto_verify(spki, spkilen, h, sa->k.h->len, psig->body,
	    psig->len) != 0) {
		snprintf(sa->why, sizeof(sa->why), "signature of '%s' does "
		    "not verify with its key in keyring '%s'", sa->peer_id,
		    sa->keyring);
		return IKE_N_AUTHENTICATION_FAILED;
	}
	return 0;
}

/*
 * With pre-shared keys SKEYID = prf(pre-shared-key, Ni_b | Nr_b): the
 * signer makes it on the token with the keyring's key for the peer's
 * address (the longest mask that matches); the key itself stays there.
 * 0, or -1 with sa->why set.
 */
static int
psk_skeyid(struct ike_sa *sa, uint8_t *skeyid)
{
	uint8_t nonces[512];
	size_t len = IKE_HASH_MAX;
	char err[256];
	ks_status st;

	if (sa->nilen + sa->nrlen > sizeof(nonces))
		return -1;
	memcpy(nonces, sa->ni, sa->nilen);
	memcpy(nonces + sa->nilen, sa->nr, sa->nrlen);
	st = signer_psk_prf(sa->keyring, KS_PEER_ADDRESS, sa->peer_name,
	    sa->chosen.hash, nonces, sa->nilen + sa->nrlen, skeyid, &len, err,
	    sizeof(err));
	if (st != KS_OK || len != alg_hash(sa->chosen.hash)->len) {
		snprintf(sa->why, sizeof(sa->why), "no pre-shared key for %s: "
		    "%.400s", sa->peer_name, st != KS_OK ? err :
		    "the token's HMAC has the wrong length");
		return -1;
	}
	return 0;
}

/* g^xy, then SKEYID and the keys; 0, or -1 (sa->why set for a PSK). */
static int
make_keys(struct ike_sa *sa, const uint8_t *ke, size_t kelen)
{
	const struct ike_enc *e = alg_enc(sa->chosen.enc, sa->chosen.keybits);
	uint8_t skeyid[IKE_HASH_MAX];
	int psk = sa->chosen.auth == IKE_AUTH_PSK, rc;

	sa->why[0] = '\0';
	if (dh_derive(sa->group, sa->dh, ke, kelen, sa->gxy,
	    &sa->gxylen) != 0)
		return -1;
	if (sa->initiator)
		memcpy(sa->gxr, ke, kelen);
	else
		memcpy(sa->gxi, ke, kelen);
	if (psk && psk_skeyid(sa, skeyid) != 0)
		return -1;
	rc = crypto_keys(&sa->k, alg_hash(sa->chosen.hash), e, sa->ni,
	    sa->nilen, sa->nr, sa->nrlen, sa->gxy, sa->gxylen, sa->gxi,
	    sa->gxr, sa->group->publen, sa->icky, sa->rcky,
	    psk ? skeyid : NULL);
	OPENSSL_cleanse(skeyid, sizeof(skeyid));
	EVP_PKEY_free(sa->dh);
	sa->dh = NULL;
	return rc;
}

/* KE and nonce from message 3 or 4. */
static int
take_ke_nonce(struct ike_sa *sa, const struct ike_msg *m,
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
		memcpy(sa->nr, nonce->body, nonce->len);
		sa->nrlen = nonce->len;
	} else {
		memcpy(sa->ni, nonce->body, nonce->len);
		sa->nilen = nonce->len;
	}
	return 0;
}

static void
add_ke_nonce(struct ike_sa *sa, struct msgb *mb)
{
	msgb_pld_begin(mb, IKE_PLD_KE);
	wb_bytes(&mb->w, sa->initiator ? sa->gxi : sa->gxr,
	    sa->group->publen);
	msgb_pld_end(mb);
	msgb_pld_begin(mb, IKE_PLD_NONCE);
	wb_bytes(&mb->w, sa->initiator ? sa->ni : sa->nr, NONCE_LEN);
	msgb_pld_end(mb);
}

static int
new_dh(struct ike_sa *sa)
{
	uint8_t *pub = sa->initiator ? sa->gxi : sa->gxr;

	if (sa->initiator) {
		crypto_random(sa->ni, NONCE_LEN);
		sa->nilen = NONCE_LEN;
	} else {
		crypto_random(sa->nr, NONCE_LEN);
		sa->nrlen = NONCE_LEN;
	}
	return dh_create(sa->group, &sa->dh, pub);
}

/* Responder ------------------------------------------------------------ */

static void
log_offer(const char *who, const struct sa_offer *o)
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

/*
 * Message 1: choose a transform and answer with message 2.  The state
 * kept until message 3 goes to the half-open table (ikev1_halfopen.c),
 * never to the SA table; tmp only carries it there.
 */
void
mm_recv_first(struct ike_msg *m, const struct sockaddr_in *from,
    const struct sockaddr_in *local, const uint8_t *rxsum)
{
	struct policy pols[CONF_POLICY_MAX];
	const struct policy *chosen;
	const struct peer *peer;
	const struct pld *psa;
	struct sa_offer offer;
	struct ike_sa tmp;
	struct msgb mb;
	char who[64], buf[128];
	size_t npol, xi;
	int rc;

	inet_ntop(AF_INET, &from->sin_addr, who, sizeof(who));
	if ((peer = conf_peer(&ikesignd->conf, from->sin_addr)) == NULL) {
		log_warnx("Main Mode from unknown peer %s ignored: no 'peer' "
		    "line for it", who);
		return;
	}
	if (peer->version != 1) {
		log_warnx("Main Mode from %s ignored: its peer line says "
		    "ike-version 2", who);
		return;
	}
	/* validate before any state exists: garbage costs nothing */
	if ((rc = msg_parse_clear(m, PLD_BIT(IKE_PLD_SA) |
	    PLD_BIT(IKE_PLD_VID))) != 0 ||
	    (psa = msg_find(m, IKE_PLD_SA, 0)) == NULL ||
	    msg_find(m, IKE_PLD_SA, 1) != NULL ||
	    sa_parse(psa->body, psa->len, &offer) != 0) {
		log_debug("%s: malformed Main Mode message 1 dropped", who);
		info_notify_clear(m, from, rc != 0 ? (uint16_t)rc :
		    IKE_N_PAYLOAD_MALFORMED);
		return;
	}
	if (!ikesignd->key_ok) {
		log_warnx("Main Mode from %s refused: the local key '%s' is "
		    "locked or missing", who, ikesignd->conf.key);
		info_notify_clear(m, from, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	npol = conf_policies(&ikesignd->conf, pols, CONF_POLICY_MAX);
	if (sa_choose(&offer, pols, npol, &xi, &chosen) != 0) {
		log_offer(who, &offer);
		log_warnx("Main Mode from %s: proposal mismatch: no policy "
		    "matches the %zu transform%s offered (-v lists them)", who,
		    offer.nx, offer.nx == 1 ? "" : "s");
		info_notify_clear(m, from, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.local = *local;
	tmp.remote = *from;
	snprintf(tmp.peer_name, sizeof(tmp.peer_name), "%s", who);
	memcpy(tmp.icky, m->icookie, IKE_COOKIE_LEN);
	crypto_random(tmp.rcky, IKE_COOKIE_LEN);
	tmp.chosen = *chosen;
	tmp.chosen.lifetime = offer.x[xi].p.lifetime;	/* <= ours */
	read_vids(&tmp, m);
	msgb_init(&mb, &tmp, IKE_XCHG_IDPROT, 0);
	msgb_pld_begin(&mb, IKE_PLD_SA);
	sa_build_reply(&mb.w, &offer, xi);
	msgb_pld_end(&mb);
	add_vid(&mb, vid_dpd, sizeof(vid_dpd));
	if (tmp.peer_natt)
		add_vid(&mb, vid_natt, sizeof(vid_natt));
	if (msgb_finish(&mb, &tmp, NULL) != 0) {
		log_warnx("%s: cannot build message 2", who);
		return;
	}
	if (ho_add(&tmp, psa->body, psa->len, mb.buf, mb.w.len, rxsum) != 0) {
		log_debug("%s: Main Mode message 1 dropped: no half-open "
		    "entry for it (SA payload of %zu octets)", who, psa->len);
		return;
	}
	policy_string(chosen, buf, sizeof(buf));
	log_info("%s: Main Mode responder, policy %u chosen: %s", who,
	    chosen->prio, buf);
	if (net_send(ikesignd->udp, from, mb.buf, mb.w.len) != 0)
		log_warnx("cannot send to %s", who);
}

static void
resp_msg3(struct ike_sa *sa, struct ike_msg *m)
{
	const struct pld *ke;
	struct msgb mb;
	int rc;

	if ((rc = msg_parse_clear(m, PLD_BIT(IKE_PLD_KE) |
	    PLD_BIT(IKE_PLD_NONCE) | PLD_BIT(IKE_PLD_NATD) |
	    PLD_BIT(IKE_PLD_NATD_DRAFT) | PLD_BIT(IKE_PLD_VID))) != 0 ||
	    (rc = take_ke_nonce(sa, m, &ke)) != 0) {
		mm_error(sa, (uint16_t)rc, 0, "malformed message 3");
		return;
	}
	if (new_dh(sa) != 0 || make_keys(sa, ke->body, ke->len) != 0) {
		if (sa->why[0] != '\0')	/* no pre-shared key */
			mm_error(sa, IKE_N_AUTHENTICATION_FAILED, 0, sa->why);
		else
			mm_error(sa, IKE_N_INVALID_KEY_INFORMATION, 0, "bad KE "
			    "value in message 3 (out of range or not on the "
			    "curve)");
		return;
	}
	check_natd(sa, m);
	msgb_init(&mb, sa, IKE_XCHG_IDPROT, 0);
	add_ke_nonce(sa, &mb);
	if (add_natd(sa, &mb) != 0 || msgb_finish(&mb, sa, NULL) != 0 ||
	    msg_send(sa, &mb, 1) != 0) {
		sa_fail(sa, "cannot build message 4");
		return;
	}
	sa->state = MM_KEY_EXCH;
}

/* Decrypt a Main Mode message 5 or 6; the IV moves on only on success. */
static int
mm_decrypt(struct ike_sa *sa, struct ike_msg *m, uint8_t *buf, size_t len)
{
	uint8_t iv[IKE_BLOCK_MAX];
	int rc;

	memcpy(iv, sa->k.iv, sizeof(iv));
	if (msg_decrypt(sa, m, iv, buf, &len) != 0)
		return IKE_N_PAYLOAD_MALFORMED;
	if ((rc = msg_parse_payloads(m, m->next, buf, len,
	    PLD_BIT(IKE_PLD_ID) | PLD_BIT(IKE_PLD_SIG) |
	    PLD_BIT(IKE_PLD_HASH) | PLD_BIT(IKE_PLD_N) |
	    PLD_BIT(IKE_PLD_CERT) | PLD_BIT(IKE_PLD_CR) |
	    PLD_BIT(IKE_PLD_VID))) != 0)
		return rc;
	memcpy(sa->k.iv, iv, sizeof(iv));
	return 0;
}

/* Message 5 or 6 that does not decrypt: dropped (the peer may repeat
 * it).  With a pre-shared key, that is what a different key looks like. */
static void
unreadable(const struct ike_sa *sa, int n)
{
	if (sa->chosen.auth == IKE_AUTH_PSK)
		log_warnx("%s: cannot decrypt message %d: the peer's pre-shared "
		    "key does not match the one keyring '%s' holds for %s; "
		    "dropped", sa->peer_name, n, sa->keyring, sa->peer_name);
	else
		log_warnx("%s: cannot decrypt or parse message %d; dropped",
		    sa->peer_name, n);
}

static int
has_initial_contact(const struct ike_msg *m)
{
	const struct pld *p;
	struct notify n;
	size_t i;

	for (i = 0; (p = msg_find(m, IKE_PLD_N, i)) != NULL; i++)
		if (pld_notify(p, &n) == 0 && n.type == IKE_N_INITIAL_CONTACT)
			return 1;
	return 0;
}

static void
resp_msg5(struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t buf[IKE_RECV_MAX];
	struct msgb mb;
	int rc;

	if ((rc = mm_decrypt(sa, m, buf, sizeof(buf))) != 0) {
		/* a message we cannot read: the peer retransmits or fails */
		unreadable(sa, 5);
		return;
	}
	if ((rc = verify_peer(sa, m)) != 0) {
		mm_error(sa, (uint16_t)rc, 1, sa->why);
		return;
	}
	if (!ikesignd->key_ok) {
		mm_error(sa, IKE_N_AUTHENTICATION_FAILED, 1, "refused: the "
		    "local key is locked or missing");
		return;
	}
	msgb_init(&mb, sa, IKE_XCHG_IDPROT, 0);
	if ((rc = add_id_sig(sa, &mb)) != 0) {
		mm_error(sa, (uint16_t)rc, 1, "cannot sign message 6");
		return;
	}
	if (msgb_finish(&mb, sa, sa->k.iv) != 0 || msg_send(sa, &mb, 1) != 0) {
		sa_fail(sa, "cannot build message 6");
		return;
	}
	if (has_initial_contact(m))
		sa_initial_contact(sa);
	sa_established(sa);
}

/* Initiator ------------------------------------------------------------ */

struct ike_sa *
mm_initiate(const struct peer *peer, char *err, size_t errsz)
{
	struct policy pols[CONF_POLICY_MAX];
	struct sockaddr_in remote, local;
	struct ike_sa *sa;
	struct msgb mb;
	size_t npol, start;

	if (peer->version != 1) {
		snprintf(err, errsz, "%s is configured for ike-version 2; Main "
		    "Mode is IKEv1", peer->name);
		return NULL;
	}
	if (net_endpoints(peer->addr, peer->port, &local, &remote) != 0) {
		snprintf(err, errsz, "no route to %s", peer->name);
		return NULL;
	}
	if (!ikesignd->key_ok) {
		snprintf(err, errsz, "the local key '%s' is locked or missing",
		    ikesignd->conf.key);
		return NULL;
	}
	npol = conf_policies(&ikesignd->conf, pols, CONF_POLICY_MAX);
	if (npol == 0) {
		snprintf(err, errsz, "no isakmp policy configured and the "
		    "default policy is off");
		return NULL;
	}
	if ((sa = sa_new(1, &local, &remote)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	snprintf(sa->keyring, sizeof(sa->keyring), "%s", peer->keyring);
	crypto_random(sa->icky, IKE_COOKIE_LEN);
	msgb_init(&mb, sa, IKE_XCHG_IDPROT, 0);
	msgb_pld_begin(&mb, IKE_PLD_SA);
	start = mb.w.len;
	sa_build_offer(&mb.w, pols, npol);
	msgb_pld_end(&mb);
	if (!mb.w.err && (sa->sai = malloc(mb.w.len - start)) != NULL) {
		memcpy(sa->sai, wb_at(&mb.w, start, mb.w.len - start),
		    mb.w.len - start);
		sa->sailen = mb.w.len - start;
	}
	add_vid(&mb, vid_dpd, sizeof(vid_dpd));
	add_vid(&mb, vid_natt, sizeof(vid_natt));
	if (sa->sai == NULL || msgb_finish(&mb, sa, NULL) != 0 ||
	    msg_send(sa, &mb, 2) != 0) {
		snprintf(err, errsz, "cannot build message 1");
		sa->state = MM_DEAD;
		return NULL;
	}
	log_info("%s: Main Mode initiator, offering %zu policies", peer->name,
	    npol);
	return sa;
}

/* A notify in place of the answer we wait for (phase 1 errors). */
static int
refused(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct pld *p;
	struct notify n;

	if ((p = msg_find(m, IKE_PLD_N, 0)) == NULL || pld_notify(p, &n) != 0)
		return 0;
	sa_fail(sa, "%s refused: notify %u", sa->peer_name, n.type);
	return 1;
}

static void
init_msg2(struct ike_sa *sa, struct ike_msg *m)
{
	struct policy pols[CONF_POLICY_MAX];
	const struct policy *chosen;
	const struct pld *psa;
	struct sa_offer reply;
	struct msgb mb;
	size_t npol, xi;
	char buf[128];

	if (msg_parse_clear(m, PLD_BIT(IKE_PLD_SA) | PLD_BIT(IKE_PLD_VID) |
	    PLD_BIT(IKE_PLD_N)) != 0) {
		log_warnx("%s: malformed message 2 dropped", sa->peer_name);
		return;
	}
	if (refused(sa, m))
		return;
	npol = conf_policies(&ikesignd->conf, pols, CONF_POLICY_MAX);
	if ((psa = msg_find(m, IKE_PLD_SA, 0)) == NULL ||
	    sa_parse(psa->body, psa->len, &reply) != 0 || reply.nx != 1 ||
	    sa_choose(&reply, pols, npol, &xi, &chosen) != 0) {
		mm_error(sa, IKE_N_NO_PROPOSAL_CHOSEN, 0, "the peer chose a "
		    "transform we did not offer");
		return;
	}
	memcpy(sa->rcky, m->rcookie, IKE_COOKIE_LEN);
	sa->chosen = *chosen;
	sa->chosen.lifetime = reply.x[0].p.lifetime < chosen->lifetime ?
	    reply.x[0].p.lifetime : chosen->lifetime;
	sa->group = dh_group_get(chosen->group);
	read_vids(sa, m);
	policy_string(&sa->chosen, buf, sizeof(buf));
	log_info("%s: peer chose %s", sa->peer_name, buf);
	if (new_dh(sa) != 0) {
		sa_fail(sa, "cannot make a Diffie-Hellman key");
		return;
	}
	msgb_init(&mb, sa, IKE_XCHG_IDPROT, 0);
	add_ke_nonce(sa, &mb);
	if (add_natd(sa, &mb) != 0 || msgb_finish(&mb, sa, NULL) != 0 ||
	    msg_send(sa, &mb, 2) != 0) {
		sa_fail(sa, "cannot build message 3");
		return;
	}
	sa->state = MM_SA_SETUP;
}

static void
init_msg4(struct ike_sa *sa, struct ike_msg *m)
{
	const struct pld *ke;
	struct msgb mb;
	int rc;

	if (msg_parse_clear(m, PLD_BIT(IKE_PLD_KE) |
	    PLD_BIT(IKE_PLD_NONCE) | PLD_BIT(IKE_PLD_NATD) |
	    PLD_BIT(IKE_PLD_NATD_DRAFT) | PLD_BIT(IKE_PLD_VID) |
	    PLD_BIT(IKE_PLD_N)) != 0) {
		log_warnx("%s: malformed message 4 dropped", sa->peer_name);
		return;
	}
	if (refused(sa, m))
		return;
	if ((rc = take_ke_nonce(sa, m, &ke)) != 0 ||
	    make_keys(sa, ke->body, ke->len) != 0) {
		if (rc == 0 && sa->why[0] != '\0')	/* no pre-shared key */
			mm_error(sa, IKE_N_AUTHENTICATION_FAILED, 0, sa->why);
		else
			mm_error(sa, rc != 0 ? (uint16_t)rc :
			    IKE_N_INVALID_KEY_INFORMATION, 0, "bad KE or nonce "
			    "in message 4");
		return;
	}
	check_natd(sa, m);
	msgb_init(&mb, sa, IKE_XCHG_IDPROT, 0);
	if ((rc = add_id_sig(sa, &mb)) != 0) {
		mm_error(sa, (uint16_t)rc, 1, "cannot sign message 5");
		return;
	}
	/* INITIAL-CONTACT only when we hold no other SA with the peer
	 * (a rekey must not make it forget the SA being replaced) */
	if (!sa_has_peer_sa(sa)) {
		msgb_pld_begin(&mb, IKE_PLD_N);
		wb_u32(&mb.w, IKE_DOI_IPSEC);
		wb_u8(&mb.w, IKE_PROTO_ISAKMP);
		wb_u8(&mb.w, 2 * IKE_COOKIE_LEN);
		wb_u16(&mb.w, IKE_N_INITIAL_CONTACT);
		wb_bytes(&mb.w, sa->icky, IKE_COOKIE_LEN);
		wb_bytes(&mb.w, sa->rcky, IKE_COOKIE_LEN);
		msgb_pld_end(&mb);
	}
	if (msgb_finish(&mb, sa, sa->k.iv) != 0 || msg_send(sa, &mb, 2) != 0) {
		sa_fail(sa, "cannot build message 5");
		return;
	}
	sa->state = MM_KEY_EXCH;
}

static void
init_msg6(struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t buf[IKE_RECV_MAX];
	int rc;

	if (mm_decrypt(sa, m, buf, sizeof(buf)) != 0) {
		unreadable(sa, 6);
		return;
	}
	if ((rc = verify_peer(sa, m)) != 0) {
		/* the responder thinks the SA is up: delete it there too */
		info_notify(sa, (uint16_t)rc, NULL, 0);
		info_delete_sa(sa);
		mm_error(sa, 0, 1, sa->why);
		return;
	}
	free(sa->tx);
	sa->tx = NULL;
	sa->txlen = 0;
	sa->tx_next = 0;
	sa_established(sa);
}

/* Dispatch ------------------------------------------------------------- */

void
mm_recv(struct ike_sa *sa, struct ike_msg *m, const struct sockaddr_in *from)
{
	int enc = (m->flags & IKE_FLAG_ENC) != 0;

	(void)from;
	if (m->mid != 0) {
		log_warnx("%s: Main Mode message with message ID %u dropped",
		    sa->peer_name, m->mid);
		return;
	}
	if (sa->initiator) {
		if (sa->state == MM_NO_STATE && !enc)
			init_msg2(sa, m);
		else if (sa->state == MM_SA_SETUP && !enc)
			init_msg4(sa, m);
		else if (sa->state == MM_KEY_EXCH && enc)
			init_msg6(sa, m);
		else
			log_debug("%s: unexpected Main Mode message in %s",
			    sa->peer_name, sa_state_name(sa));
		return;
	}
	if (sa->state == MM_SA_SETUP && !enc)
		resp_msg3(sa, m);
	else if (sa->state == MM_KEY_EXCH && enc)
		resp_msg5(sa, m);
	else
		log_debug("%s: unexpected Main Mode message in %s",
		    sa->peer_name, sa_state_name(sa));
}
