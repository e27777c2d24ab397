/*
 * ikev2_auth.c -- the IKE_AUTH exchange (RFC 7296 1.2, 2.15) in both
 * roles: identities, the profile that an identity selects, signatures
 * made by the signer over the octets of 2.15 (AUTH method 1, or RFC 7427
 * digital signatures when the peer announced SIGNATURE_HASH_ALGORITHMS),
 * the peer's signature checked with its key from the keyring, pre-shared
 * keys (method 2) whose prf runs in the signer and on the token, and
 * CHILD_SAs declined with the IKE SA kept (1.2; childless per RFC 6023).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>

#include "ikev2_int.h"

/*
 * V2_PENDING: the signer is at work for sa (a signature, a peer's key, a
 * pre-shared key's prf) and the network process goes on with other
 * packets; again(sa) is called from the main loop when the answer is in,
 * and calls the same function again, which then takes it.  Meanwhile the
 * SA's datagrams are dropped (signer_waiting).
 */
#define V2_PENDING	0x10000		/* no notify type */

/* The profile's choices for this SA; with no profile, IOS's defaults. */
void
v2_profile_apply(struct ike_sa *sa, const struct v2_profile *prof,
    const struct peer *peer)
{
	struct ikev2_state *st = sa->v2;
	const char *kr = peer != NULL ? peer->keyring : "default";

	/* without a line: sign as the key can, take RSA signatures */
	st->auth_local = ikesignd->key_curve != KS_CURVE_NONE ?
	    V2_AUTH_ECDSA : V2_AUTH_RSA_SIG;
	st->auth_remote = V2_AUTH_RSA_SIG;
	st->lifetime = 86400;
	st->profile[0] = '\0';
	sa->dpd_interval = 0;
	if (prof != NULL) {
		snprintf(st->profile, sizeof(st->profile), "%s", prof->name);
		if (prof->keyring[0] != '\0')
			kr = prof->keyring;
		if (prof->auth_local != V2_AUTH_NONE)
			st->auth_local = prof->auth_local;
		if (prof->auth_remote != V2_AUTH_NONE)
			st->auth_remote = prof->auth_remote;
		if (prof->lifetime != 0)
			st->lifetime = prof->lifetime;
		sa->dpd_interval = prof->dpd;
		sa->dpd_retry = prof->dpd_retry;
		sa->dpd_periodic = prof->dpd_periodic;
	}
	snprintf(sa->keyring, sizeof(sa->keyring), "%s", kr);
}

/* sa_fail() with the reason already in sa->why (it formats into it). */
static void
fail_why(struct ike_sa *sa)
{
	char why[sizeof(sa->why)];

	memcpy(why, sa->why, sizeof(why));
	sa_fail(sa, "%s", why);
}

/* Our ID payload body (3.5): the profile's identity local, else the
 * address we send from (IOS's default). */
static void
build_id(const struct ike_sa *sa, struct wbuf *w)
{
	const struct v2_profile *prof = NULL;
	struct in_addr a = sa->local.sin_addr;

	if (sa->v2->profile[0] != '\0')
		prof = conf_v2_profile(&ikesignd->conf, sa->v2->profile);
	if (prof != NULL && prof->id_fqdn) {
		wb_u8(w, IKEV2_ID_FQDN);
		wb_zero(w, 3);
		wb_bytes(w, prof->id_name, strlen(prof->id_name));
		return;
	}
	if (prof != NULL && prof->id_name[0] != '\0')
		(void)inet_pton(AF_INET, prof->id_name, &a);
	wb_u8(w, IKEV2_ID_IPV4_ADDR);
	wb_zero(w, 3);
	wb_bytes(w, &a.s_addr, 4);
}

/*
 * What one side authenticates (2.15):
 *   initiator: RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
 *   responder: RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
 * idbody is the ID payload without its generic header.  Into a buffer of
 * *len octets (the caller frees it); NULL on failure.
 */
static uint8_t *
octets_make(const struct ike_sa *sa, int of_initiator, const uint8_t *idbody,
    size_t idlen, size_t *len)
{
	const struct ikev2_state *st = sa->v2;
	const struct ike_hash *ph = ikev2_prf_hash(st->suite.prf);
	const uint8_t *msg = of_initiator ? st->init_i : st->init_r;
	const uint8_t *nonce = of_initiator ? sa->ng->nr : sa->ng->ni;
	size_t msglen = of_initiator ? st->init_ilen : st->init_rlen;
	size_t noncelen = of_initiator ? sa->ng->nrlen : sa->ng->nilen;
	struct iov v;
	uint8_t *o;

	if (msg == NULL || (o = malloc(msglen + noncelen + ph->len)) == NULL)
		return NULL;
	memcpy(o, msg, msglen);
	memcpy(o + msglen, nonce, noncelen);
	v.p = idbody;
	v.len = idlen;
	if (crypto_prf(ph, of_initiator ? st->keys.sk_pi : st->keys.sk_pr,
	    st->keys.prflen, &v, 1, o + msglen + noncelen) != 0) {
		free(o);
		return NULL;
	}
	*len = msglen + noncelen + ph->len;
	return o;
}

/* The same octets hashed with h, for a signature. */
static int
octets_hash(const struct ike_sa *sa, int of_initiator, const uint8_t *idbody,
    size_t idlen, const struct ike_hash *h, uint8_t *out)
{
	struct iov v;
	uint8_t *o;
	int rc;

	if ((o = octets_make(sa, of_initiator, idbody, idlen, &v.len)) == NULL)
		return -1;
	v.p = o;
	rc = crypto_hash(h, &v, 1, out);
	free(o);
	return rc;
}

/*
 * AUTH = prf(prf(PSK, "Key Pad for IKEv2"), octets) for one side's octets,
 * made by the signer: the inner prf on the token, the outer in the signer;
 * the pre-shared key of the keyring for the peer stays there.  A peer that
 * named itself by host name (known once its ID is read) gets the key for
 * that name if the keyring has one, as IOS does; else, and before, the key
 * for its address (sa->ng->psk_by_address once the name's was not found).
 * 0, -1 with sa->why set, or V2_PENDING (then again(sa)).
 */
static int
psk_auth(struct ike_sa *sa, sa_resume_fn again, int of_initiator,
    const uint8_t *idbody, size_t idlen, uint8_t *out, size_t *outlen)
{
	const struct ike_hash *ph = ikev2_prf_hash(sa->v2->suite.prf);
	const char *id = sa->peer_name;
	char err[256];
	size_t len, outsz = *outlen;
	uint8_t *o;
	int kind = KS_PEER_ADDRESS, rc;
	ks_status st;

	if (sa->v2->peer_kind == KS_PEER_HOSTNAME && sa->peer_id[0] != '\0' &&
	    !sa->ng->psk_by_address) {
		kind = KS_PEER_HOSTNAME;
		id = sa->peer_id;
	}
	if ((o = octets_make(sa, of_initiator, idbody, idlen, &len)) == NULL) {
		snprintf(sa->why, sizeof(sa->why), "out of memory");
		return -1;
	}
	rc = signer_psk_async(sa, again, 'A', kind, id, ph->id, o, len, out,
	    outlen, &st, err, sizeof(err));
	free(o);
	if (rc == SIGN_PENDING)
		return V2_PENDING;
	if (kind != KS_PEER_ADDRESS && st == KS_ENOTFOUND) {
		sa->ng->psk_by_address = 1;
		*outlen = outsz;
		return psk_auth(sa, again, of_initiator, idbody, idlen, out,
		    outlen);
	}
	sa->ng->psk_by_address = 0;
	if (st != KS_OK || *outlen != ph->len) {
		snprintf(sa->why, sizeof(sa->why), "no pre-shared key for %s: "
		    "%.400s", sa->peer_name, st != KS_OK ? err : "the signer's "
		    "prf has the wrong length");
		return -1;
	}
	return 0;
}

static const char *
method_name(int method, int scheme)
{
	if (method == IKEV2_AUTH_PSK)
		return "pre-shared key";
	if (method == IKEV2_AUTH_RSA_SIG)
		return "RSA signature (method 1, SHA-1)";
	return sig_scheme_name(scheme);
}

/* ID and a pre-shared key AUTH (method 2); as add_id_auth. */
static int
add_id_psk(struct ike_sa *sa, sa_resume_fn again, struct v2msg *mb,
    const uint8_t *idb, size_t idlen)
{
	uint8_t auth[IKE_HASH_MAX];
	size_t authlen = sizeof(auth);
	int rc;

	if ((rc = psk_auth(sa, again, sa->initiator, idb, idlen, auth,
	    &authlen)) != 0)
		return rc;
	sa->v2->method_local = IKEV2_AUTH_PSK;
	v2msg_begin(mb, sa->initiator ? IKEV2_PLD_IDI : IKEV2_PLD_IDR);
	wb_bytes(&mb->w, idb, idlen);
	v2msg_end(mb);
	v2msg_begin(mb, IKEV2_PLD_AUTH);
	wb_u8(&mb->w, IKEV2_AUTH_PSK);
	wb_zero(&mb->w, 3);
	wb_bytes(&mb->w, auth, authlen);
	v2msg_end(mb);
	OPENSSL_cleanse(auth, sizeof(auth));
	return 0;
}

/*
 * How we sign: with an EC key and "authentication local ecdsa-sig", the
 * ECDSA of the key's curve, in RFC 7427 form when the peer announced its
 * hash, else as RFC 4754 method 9, 10 or 11; with an RSA key and rsa-sig,
 * RFC 7427 PKCS#1 or PSS, else method 1.  0, or -1 with sa->why set.
 */
static int
choose_method(struct ike_sa *sa)
{
	struct ikev2_state *st = sa->v2;
	enum sig_scheme scheme;
	int ec = ikesignd->key_curve != KS_CURVE_NONE;

	if (ec != (st->auth_local == V2_AUTH_ECDSA)) {
		snprintf(sa->why, sizeof(sa->why), "the profile signs with "
		    "%s and key '%.64s' is an %s key", ec ? "rsa-sig" :
		    "ecdsa-sig", sa->key, ec ? "EC" : "RSA");
		return -1;
	}
	if (ikesignd->key_curve == KS_CURVE_ED25519) {
		/* RFC 8420: only with a peer that takes the octets signed */
		if (!sig_listed(st->peer_hashes, st->peer_hasheslen,
		    SIG_ED25519)) {
			snprintf(sa->why, sizeof(sa->why), "key '%.64s' is "
			    "Ed25519 and the peer did not announce the "
			    "Identity hash of RFC 8420", sa->key);
			return -1;
		}
		st->scheme_local = SIG_ED25519;
		st->method_local = IKEV2_AUTH_SIG;
		return 0;
	}
	if (ec) {
		if ((scheme = sig_ecdsa_scheme(ikesignd->key_curve)) == 0) {
			snprintf(sa->why, sizeof(sa->why), "key '%.64s' is on "
			    "a curve IKE has no ECDSA method for", sa->key);
			return -1;
		}
		st->scheme_local = scheme;
		st->method_local = sig_listed(st->peer_hashes,
		    st->peer_hasheslen, scheme) ? IKEV2_AUTH_SIG :
		    sig_ecdsa_method(scheme);
		return 0;
	}
	scheme = sig_choose(st->peer_hashes, st->peer_hasheslen,
	    st->auth_local == V2_AUTH_PSS ? SIGK_PSS : SIGK_PKCS1);
	if (scheme == 0 && st->auth_local == V2_AUTH_PSS) {
		snprintf(sa->why, sizeof(sa->why), "the profile signs with "
		    "RSA-PSS, which needs RFC 7427, and the peer did not "
		    "announce SIGNATURE_HASH_ALGORITHMS");
		return -1;
	}
	st->method_local = scheme != 0 ? IKEV2_AUTH_SIG : IKEV2_AUTH_RSA_SIG;
	st->scheme_local = scheme != 0 ? scheme : SIG_PKCS1_SHA1;
	return 0;
}

/* Ed25519 (RFC 8420): the signer signs our octets themselves. */
static int
sign_octets(struct ike_sa *sa, sa_resume_fn again, const uint8_t *idb,
    size_t idlen, uint8_t *sig, size_t *siglen, ks_status *st, char *err,
    size_t errsz)
{
	struct sign_req r;
	uint8_t *o;
	size_t len;
	int rc;

	if ((o = octets_make(sa, sa->initiator, idb, idlen, &len)) == NULL) {
		*st = KS_EFAIL;
		snprintf(err, errsz, "out of memory");
		return 0;
	}
	r.op = 'E';
	r.scheme = SIG_ED25519;
	r.data = o;
	r.len = len;
	rc = signer_sign_async(sa, again, &r, sig, siglen, st, err, errsz);
	free(o);
	return rc;
}

/* The other schemes: the signer signs the hash of our octets. */
static int
sign_hash(struct ike_sa *sa, sa_resume_fn again, const uint8_t *idb,
    size_t idlen, uint8_t *sig, size_t *siglen, ks_status *st, char *err,
    size_t errsz)
{
	enum sig_scheme scheme = sa->v2->scheme_local;
	const struct ike_hash *hash = sig_hash(scheme);
	uint8_t h[IKE_HASH_MAX];
	struct sign_req r;
	int rc;

	if (hash == NULL || octets_hash(sa, sa->initiator, idb, idlen, hash,
	    h) != 0) {
		*st = KS_EFAIL;
		snprintf(err, errsz, "cannot hash our AUTH");
		return 0;
	}
	r.op = 'H';
	r.scheme = scheme;
	r.data = h;
	r.len = hash->len;
	rc = signer_sign_async(sa, again, &r, sig, siglen, st, err, errsz);
	OPENSSL_cleanse(h, sizeof(h));
	return rc;
}

/* The token's r || s as the DER ECDSA-Sig-Value of RFC 7427, in place. */
static int
ecdsa_der(struct ike_sa *sa, uint8_t *sig, size_t *siglen)
{
	uint8_t der[2 * 66 + 16];
	size_t derlen = sizeof(der);

	if (sig_ecdsa_to_der(sig, *siglen, der, &derlen) != 0) {
		snprintf(sa->why, sizeof(sa->why), "the token's ECDSA "
		    "signature of %zu octets is not r || s", *siglen);
		return -1;
	}
	memcpy(sig, der, derlen);
	*siglen = derlen;
	return 0;
}

/* Our ID and AUTH payloads; 0, V2_PENDING while the token signs or
 * makes the pre-shared key's prf (again builds the message anew when the
 * answer is in), or -1 with sa->why set. */
static int
add_id_auth(struct ike_sa *sa, sa_resume_fn again, struct v2msg *mb)
{
	struct ikev2_state *st = sa->v2;
	uint8_t idb[CONF_NAME_MAX + 8], sig[SIG_MAX];
	struct wbuf w;
	size_t siglen = sizeof(sig);
	char err[256];
	ks_status st_;
	int rc;

	wb_init(&w, idb, sizeof(idb));
	build_id(sa, &w);
	if (w.err)
		return -1;
	if (st->auth_local == V2_AUTH_PRE_SHARE)
		return add_id_psk(sa, again, mb, idb, w.len);
	if (choose_method(sa) != 0)
		return -1;
	if (st->scheme_local == SIG_ED25519)
		rc = sign_octets(sa, again, idb, w.len, sig, &siglen, &st_,
		    err, sizeof(err));
	else
		rc = sign_hash(sa, again, idb, w.len, sig, &siglen, &st_, err,
		    sizeof(err));
	if (rc == SIGN_PENDING)
		return V2_PENDING;
	if (st_ != KS_OK) {
		snprintf(sa->why, sizeof(sa->why), "cannot sign with key "
		    "'%.64s': %.256s", sa->key, err);
		if (st_ == KS_ENOTFOUND || st_ == KS_EPERM)
			ikesignd->key_ok = 0;
		return -1;
	}
	v2msg_begin(mb, sa->initiator ? IKEV2_PLD_IDI : IKEV2_PLD_IDR);
	wb_bytes(&mb->w, idb, w.len);
	v2msg_end(mb);
	if (st->method_local == IKEV2_AUTH_SIG && sig_is_ecdsa(st->scheme_local)
	    && ecdsa_der(sa, sig, &siglen) != 0)
		return -1;
	v2msg_begin(mb, IKEV2_PLD_AUTH);
	wb_u8(&mb->w, (uint8_t)st->method_local);
	wb_zero(&mb->w, 3);
	if (st->method_local == IKEV2_AUTH_SIG)
		sig_auth14_build(&mb->w, st->scheme_local, sig, siglen);
	else
		wb_bytes(&mb->w, sig, siglen);
	v2msg_end(mb);
	return 0;
}

/* The peer's identity must be one its profile matches (IOS), whichever
 * way the profile was chosen; with no profile, any. */
static int
identity_allowed(const struct ike_sa *sa, int kind)
{
	const struct v2_profile *prof;
	struct in_addr a;

	if (sa->v2->profile[0] == '\0' || (prof = conf_v2_profile(
	    &ikesignd->conf, sa->v2->profile)) == NULL)
		return 1;
	if (kind == KS_PEER_ADDRESS)
		return inet_pton(AF_INET, sa->peer_id, &a) == 1 &&
		    conf_v2_covers(prof, NULL, a);
	a.s_addr = 0;
	return conf_v2_covers(prof, sa->peer_id, a);
}

/* A pre-shared key AUTH, kept: what the signer makes from the keyring's
 * key must be what the peer sent.  As verify_kept. */
static int
verify_psk(struct ike_sa *sa, sa_resume_fn again)
{
	uint8_t want[IKE_HASH_MAX];
	size_t wantlen = sizeof(want);
	int bad, rc;

	rc = psk_auth(sa, again, !sa->initiator, sa->peer_idb, sa->peer_idblen,
	    want, &wantlen);
	if (rc == V2_PENDING)
		return V2_PENDING;
	if (rc != 0)
		return IKEV2_N_AUTHENTICATION_FAILED;
	bad = sa->ng->prooflen != wantlen ||
	    CRYPTO_memcmp(want, sa->ng->proof, wantlen) != 0;
	OPENSSL_cleanse(want, sizeof(want));
	if (bad) {
		snprintf(sa->why, sizeof(sa->why), "the AUTH of '%s' does not "
		    "match: its pre-shared key is not the one keyring '%s' "
		    "holds for %s", sa->peer_id, sa->keyring, sa->peer_name);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	sa->v2->scheme_peer = 0;
	return 0;
}

/* The peer's Ed25519 signature over its octets (RFC 8420), with its ID
 * payload body kept in sa->peer_idb. */
static int
verify_octets(struct ike_sa *sa, const uint8_t *spki, size_t spkilen,
    const uint8_t *sig, size_t siglen)
{
	uint8_t *o;
	size_t len;
	int rc;

	if ((o = octets_make(sa, !sa->initiator, sa->peer_idb,
	    sa->peer_idblen, &len)) == NULL)
		return -1;
	rc = sig_verify_octets(spki, spkilen, o, len, sig, siglen);
	free(o);
	return rc;
}

/*
 * The scheme of the peer's signature AUTH and where its signature is:
 * rsa-sig takes method 1 and RFC 7427 RSA schemes, ecdsa-sig methods 9-11
 * and RFC 7427 ECDSA.  0, or -1 with sa->why set.
 */
static int
peer_scheme(struct ike_sa *sa, uint8_t method, const uint8_t *data,
    size_t len, enum sig_scheme *scheme, int *saltlen, const uint8_t **sig,
    size_t *siglen)
{
	int ecdsa = sa->v2->auth_remote == V2_AUTH_ECDSA;

	*sig = data;
	*siglen = len;
	*saltlen = -1;
	if (method == IKEV2_AUTH_SIG) {
		/* SHA-1 is not for RFC 7427 signatures (RFC 8247 3.2) */
		if (sig_auth14_parse(data, len, scheme, saltlen, sig,
		    siglen) != 0 || *scheme == SIG_PKCS1_SHA1) {
			snprintf(sa->why, sizeof(sa->why), "'%s' signed with "
			    "a signature algorithm we do not know",
			    sa->peer_id);
			return -1;
		}
		if ((sig_is_ecdsa(*scheme) || *scheme == SIG_ED25519) == ecdsa)
			return 0;
	} else if (!ecdsa && method == IKEV2_AUTH_RSA_SIG) {
		*scheme = SIG_PKCS1_SHA1;
		return 0;
	} else if (ecdsa && sig_ecdsa_of_method(method) != 0) {
		*scheme = sig_ecdsa_of_method(method);
		return 0;
	}
	snprintf(sa->why, sizeof(sa->why), "'%s' uses AUTH method %u%s; this "
	    "profile takes %s", sa->peer_id, method, method == IKEV2_AUTH_SIG ?
	    " with another key type" : "", ecdsa ? "ecdsa-sig (methods 9-11 "
	    "and 14 with ECDSA)" : "rsa-sig (methods 1 and 14 with RSA)");
	return -1;
}

/*
 * The peer's AUTH that verify_peer kept, checked: a signature with its
 * key from the keyring, a pre-shared key's against the prf the signer
 * makes (verify_psk).  0, the notify to send with sa->why set, or
 * V2_PENDING until the signer has answered (then again(sa) is called,
 * which calls this again for the result).
 */
static int
verify_kept(struct ike_sa *sa, sa_resume_fn again)
{
	struct ikev2_state *st = sa->v2;
	const struct ike_hash *hash;
	uint8_t spki[SPKI_MAX], h[IKE_HASH_MAX], der[2 * 66 + 16];
	const uint8_t *sig;
	size_t spkilen = sizeof(spki), siglen, derlen = sizeof(der);
	char err[256];
	enum sig_scheme scheme;
	int saltlen, bad;
	ks_status st_;

	if (sa->ng->proof == NULL || sa->peer_idb == NULL) {
		snprintf(sa->why, sizeof(sa->why), "no AUTH of '%s' to check",
		    sa->peer_id);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	if (st->method_peer == IKEV2_AUTH_PSK)
		return verify_psk(sa, again);
	if (peer_scheme(sa, (uint8_t)st->method_peer, sa->ng->proof,
	    sa->ng->prooflen, &scheme, &saltlen, &sig, &siglen) != 0)
		return IKEV2_N_AUTHENTICATION_FAILED;
	if (signer_peer_key_async(sa, again, st->peer_kind, spki, &spkilen,
	    &st_, err, sizeof(err)) == SIGN_PENDING)
		return V2_PENDING;
	if (st_ != KS_OK) {
		snprintf(sa->why, sizeof(sa->why), "no public key for '%.160s' "
		    "in keyring '%.64s': %.256s", sa->peer_id, sa->keyring,
		    err);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	if (sig_ecdsa_method(scheme) == st->method_peer) { /* r || s: DER */
		if (sig_ecdsa_der_of_raw(spki, spkilen, sig, siglen, der,
		    &derlen) != 0) {
			snprintf(sa->why, sizeof(sa->why), "the ECDSA "
			    "signature of '%s' has the wrong length for its "
			    "key", sa->peer_id);
			return IKEV2_N_AUTHENTICATION_FAILED;
		}
		sig = der;
		siglen = derlen;
	}
	if (scheme == SIG_ED25519)
		bad = verify_octets(sa, spki, spkilen, sig, siglen) != 0;
	else {
		hash = sig_hash(scheme);
		bad = hash == NULL || octets_hash(sa, !sa->initiator,
		    sa->peer_idb, sa->peer_idblen, hash, h) != 0 ||
		    sig_verify(spki, spkilen, scheme, saltlen, h, hash->len,
		    sig, siglen) != 0;
	}
	if (bad) {
		snprintf(sa->why, sizeof(sa->why), "signature of '%s' (%s) "
		    "does not verify with its key in keyring '%s'",
		    sa->peer_id, method_name(st->method_peer, scheme),
		    sa->keyring);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	st->scheme_peer = scheme;
	return 0;
}

/* The peer's ID and AUTH, kept for verify_kept.  As verify_kept. */
static int
verify_peer(struct ike_sa *sa, const struct ikev2_msg *m, sa_resume_fn again)
{
	struct ikev2_state *st = sa->v2;
	const struct ikev2_pld *pid, *pauth;
	struct v2_id id;
	uint8_t method;
	const uint8_t *data, *sig;
	size_t len, siglen;
	enum sig_scheme scheme;
	int kind, saltlen;

	pid = ikev2_find(m, sa->initiator ? IKEV2_PLD_IDR : IKEV2_PLD_IDI, 0);
	pauth = ikev2_find(m, IKEV2_PLD_AUTH, 0);
	if (v2_pld_id(pid, &id) != 0 || ident_text(id.type, id.data, id.len,
	    sa->peer_id, sizeof(sa->peer_id), &kind) != 0) {
		snprintf(sa->why, sizeof(sa->why), "peer identity of type %d "
		    "is not supported", pid != NULL ? pid->body[0] : 0);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	st->peer_kind = kind;
	if (!identity_allowed(sa, kind)) {
		snprintf(sa->why, sizeof(sa->why), "'%s' is not an identity "
		    "profile '%s' matches (match identity remote)",
		    sa->peer_id, st->profile);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	if (v2_pld_auth(pauth, &method, &data, &len) != 0) {
		snprintf(sa->why, sizeof(sa->why), "'%s' sent no AUTH payload "
		    "(EAP is not supported)", sa->peer_id);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	if ((method == IKEV2_AUTH_PSK) !=
	    (st->auth_remote == V2_AUTH_PRE_SHARE)) {
		snprintf(sa->why, sizeof(sa->why), "'%s' authenticates with "
		    "%s; the profile wants %s", sa->peer_id,
		    method == IKEV2_AUTH_PSK ? "a pre-shared key" :
		    "a signature", st->auth_remote == V2_AUTH_PRE_SHARE ?
		    "pre-share" : st->auth_remote == V2_AUTH_ECDSA ?
		    "ecdsa-sig" : "rsa-sig");
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	/* refused before the token is asked for anything */
	if (method != IKEV2_AUTH_PSK && peer_scheme(sa, method, data, len,
	    &scheme, &saltlen, &sig, &siglen) != 0)
		return IKEV2_N_AUTHENTICATION_FAILED;
	if (sa_copy(&sa->peer_idb, &sa->peer_idblen, pid->body,
	    pid->len) != 0 ||
	    sa_copy(&sa->ng->proof, &sa->ng->prooflen, data, len) != 0) {
		snprintf(sa->why, sizeof(sa->why), "out of memory");
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	st->method_peer = method;
	return verify_kept(sa, again);
}

static void
auth_request_again(struct ike_sa *sa)
{
	(void)v2_auth_request(sa);
}

/* Initiator: IKE_AUTH request, childless (RFC 6023: no SA, TSi, TSr); 0
 * when sent or while the token signs (built again then), -1 when the SA
 * failed. */
int
v2_auth_request(struct ike_sa *sa)
{
	struct v2msg *mb;
	int rc = -1, auth;

	if ((mb = malloc(sizeof(*mb))) == NULL) {
		sa_fail(sa, "out of memory");
		return -1;
	}
	v2msg_init(mb, sa, IKEV2_XCHG_IKE_AUTH, 0, sa->v2->mid_out);
	v2msg_sk(mb, sa);
	if ((auth = add_id_auth(sa, auth_request_again, mb)) == V2_PENDING) {
		rc = 0;
		goto done;
	}
	if (auth != 0) {
		fail_why(sa);
		goto done;
	}
	if (!sa_has_peer_sa(sa))
		v2msg_notify(mb, 0, IKEV2_N_INITIAL_CONTACT, NULL, 0);
	if (!sa->v2->peer_childless)
		log_debug("%s: the peer did not announce childless IKE SAs; "
		    "asking for none anyway", sa->peer_name);
	if (v2_request(sa, mb) != 0) {
		sa_fail(sa, "cannot build IKE_AUTH");
		goto done;
	}
	rc = 0;
done:
	OPENSSL_cleanse(mb, sizeof(*mb));
	free(mb);
	return rc;
}

/* Responder: the profile for the initiator's identity. */
static const struct v2_profile *
pick_profile(struct ike_sa *sa, const struct ikev2_msg *m)
{
	const struct conf *c = &ikesignd->conf;
	const struct peer *peer = conf_peer(c, sa->remote.sin_addr);
	struct v2_id id;
	struct in_addr a;
	char name[CONF_NAME_MAX];

	if (v2_pld_id(ikev2_find(m, IKEV2_PLD_IDI, 0), &id) == 0) {
		if (id.type == IKEV2_ID_IPV4_ADDR && id.len == 4) {
			memcpy(&a, id.data, 4);
			return conf_v2_match_addr(c, a);
		}
		if (id.type == IKEV2_ID_FQDN && id.len < sizeof(name)) {
			memcpy(name, id.data, id.len);
			name[id.len] = '\0';
			if (conf_v2_match_fqdn(c, name) != NULL)
				return conf_v2_match_fqdn(c, name);
		}
	}
	if (peer != NULL && peer->profile[0] != '\0')
		return conf_v2_profile(c, peer->profile);
	return conf_v2_match_addr(c, sa->remote.sin_addr);
}

static void
refuse(struct ike_sa *sa, uint16_t notify)
{
	struct v2msg *mb;

	if ((mb = malloc(sizeof(*mb))) != NULL) {
		v2msg_init(mb, sa, IKEV2_XCHG_IKE_AUTH, 1, sa->v2->mid_in - 1);
		v2msg_sk(mb, sa);
		v2msg_notify(mb, 0, notify, NULL, 0);
		(void)v2_respond(sa, mb);
		free(mb);
	}
	log_warnx("%s: IKE_AUTH refused (%s): %s", sa->peer_name,
	    v2_notify_name(notify), sa->why);
	fail_why(sa);
}

/* Responder: the IKE_AUTH response, once the initiator's AUTH verified;
 * built again when the token's signature comes. */
static void
auth_respond_send(struct ike_sa *sa)
{
	struct v2msg *mb;
	int rc, child = sa->v2->child_asked;

	if ((mb = malloc(sizeof(*mb))) == NULL) {
		sa_fail(sa, "out of memory");
		return;
	}
	v2msg_init(mb, sa, IKEV2_XCHG_IKE_AUTH, 1, sa->v2->mid_in - 1);
	v2msg_sk(mb, sa);
	if ((rc = add_id_auth(sa, auth_respond_send, mb)) == V2_PENDING) {
		free(mb);
		return;
	}
	if (rc != 0) {
		free(mb);
		refuse(sa, IKEV2_N_AUTHENTICATION_FAILED);
		return;
	}
	if (child)
		v2msg_notify(mb, 0, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	rc = v2_respond(sa, mb);
	OPENSSL_cleanse(mb, sizeof(*mb));
	free(mb);
	if (rc != 0) {
		sa_fail(sa, "cannot build the IKE_AUTH response");
		return;
	}
	if (child)
		log_info("%s: CHILD_SA declined (NO_PROPOSAL_CHOSEN); the IKE "
		    "SA stays up", sa->peer_name);
	if (sa->peer_ic)
		sa_initial_contact(sa);
	v2_established(sa);
}

/* The initiator's AUTH checked (rc: 0, a notify type, or V2_PENDING
 * while the token looks its key up): our response, or the refusal. */
static void
respond_checked(struct ike_sa *sa, int rc)
{
	if (rc == V2_PENDING)
		return;
	if (rc != 0) {
		refuse(sa, (uint16_t)rc);
		return;
	}
	if (!ikesignd->key_ok) {
		snprintf(sa->why, sizeof(sa->why), "the local key '%s' is "
		    "locked or missing", sa->key);
		refuse(sa, IKEV2_N_AUTHENTICATION_FAILED);
		return;
	}
	auth_respond_send(sa);
}

/* The initiator's key came: its AUTH, checked. */
static void
respond_key_in(struct ike_sa *sa)
{
	respond_checked(sa, verify_kept(sa, respond_key_in));
}

void
v2_auth_respond(struct ike_sa *sa, struct ikev2_msg *m)
{
	const struct v2_profile *prof;
	struct v2_notify n;

	prof = pick_profile(sa, m);
	if (prof == NULL && (conf_peer(&ikesignd->conf,
	    sa->remote.sin_addr) == NULL ||
	    conf_peer(&ikesignd->conf, sa->remote.sin_addr)->version != 2)) {
		snprintf(sa->why, sizeof(sa->why), "no IKEv2 profile matches "
		    "the peer's identity and no 'peer' line with ike-version 2 "
		    "names its address");
		refuse(sa, IKEV2_N_AUTHENTICATION_FAILED);
		return;
	}
	v2_profile_apply(sa, prof, conf_peer(&ikesignd->conf,
	    sa->remote.sin_addr));
	sa->v2->child_asked = ikev2_find(m, IKEV2_PLD_SA, 0) != NULL;
	sa->peer_ic = v2_find_notify(m, IKEV2_N_INITIAL_CONTACT, &n) != NULL;
	respond_checked(sa, verify_peer(sa, m, respond_key_in));
}

/* The responder's AUTH checked (as respond_checked): the SA is up. */
static void
response_checked(struct ike_sa *sa, int rc)
{
	if (rc == V2_PENDING)
		return;
	if (rc != 0) {
		fail_why(sa);
		return;
	}
	v2_established(sa);
}

/* The responder's key came: its AUTH, checked. */
static void
response_key_in(struct ike_sa *sa)
{
	response_checked(sa, verify_kept(sa, response_key_in));
}

void
v2_auth_response(struct ike_sa *sa, struct ikev2_msg *m)
{
	uint16_t err;

	v2_request_done(sa);
	if (ikev2_find(m, IKEV2_PLD_AUTH, 0) == NULL &&
	    (err = v2_error_notify(m)) != 0) {
		sa_fail(sa, "the peer refused IKE_AUTH: %s",
		    v2_notify_name(err));
		return;
	}
	response_checked(sa, verify_peer(sa, m, response_key_in));
}

const char *
v2_auth_name(int method, int scheme)
{
	return method == 0 ? "" : method_name(method, scheme);
}
