/*
 * kr_internal.h -- what the keyring files of libkeystore share (keyring.c,
 * krname.c, peer.c, peerid.c, peerkey.c, psk.c, peerspki.c, keystring.c).
 *
 * Who calls whom, downward only: keyring.c (create, delete, list) calls
 * peerkey.c and psk.c for the entries; all three call krname.c (names,
 * existence) and peer.c, peerid.c (entries, labels, identities).
 *
 * Objects on the token (see the comment at the top of each file):
 *	keyring record	CKO_DATA, CKA_APPLICATION "cryptokey-keyring",
 *			CKA_LABEL "keyring/NAME"			keyring.c
 *	peer key	CKO_PUBLIC_KEY CKK_RSA,
 *			CKA_LABEL "peer/KEYRING/MATCH:ID"		peerkey.c
 *	pre-shared key	CKO_SECRET_KEY CKK_GENERIC_SECRET,
 *			CKA_LABEL "psk/KEYRING/MATCH:ID"		psk.c
 * MATCH is "address", "hostname" or "name"; ID is the normal form of the
 * peer identity (peerid.c).
 */
#ifndef KR_INTERNAL_H
#define KR_INTERNAL_H

#include "ks_internal.h"

#define KS_APP_KEYRING		"cryptokey-keyring"
#define KR_PREFIX_RING		"keyring/"
#define KR_PREFIX_PEER		"peer/"
#define KR_PREFIX_PSK		"psk/"
#define KR_LABEL_MAX		256	/* longest entry label we make or read */
#define KR_SPKI_MAX		4096	/* longest peer SPKI we accept */
#define KR_PEER_BITS_MIN	1024

struct ks_peer {
	ks_peer_kind		 kind;
	ks_peer_by		 by;
	char			*keyring;
	char			*id;
	char			*label;
	ks_usage		 usage;
	ks_keytype		 type;		/* public keys */
	ks_curve		 curve;		/* EC public keys */
	unsigned		 bits;
	unsigned char		*spki;
	size_t			 spkilen;
	unsigned char		 keyid[KS_ID_MAX];
	size_t			 keyidlen;
	int			 sensitive;
	int			 extractable;
	char			*uri;
	CK_OBJECT_HANDLE	 h;
};

struct ks_peers {
	ks_peer			**v;
	size_t			  n;
};

struct ks_keyring {
	char			*name;
	char			*description;
	char			*local_address;
	char			*uri;
	int			 has_record;
	CK_OBJECT_HANDLE	 h;
	struct ks_peers		 peers;
};

/* The keyring record's text (keyring.c). */
#define KR_RECORD_MAX		512
struct kr_record {
	char	description[KS_KEYRING_DESC_MAX + 1];
	char	local_address[KS_PEER_ID_MAX + 1];
};
int		 kr_record_encode(const struct kr_record *r, char *buf,
		    size_t bufsz);
int		 kr_record_parse(const char *buf, size_t len,
		    struct kr_record *r);

/* krname.c */
/* The records of keyring name (NULL: every keyring); *h allocated. */
ks_status	 kr_find_records(ks_ctx *ctx, const char *name,
		    CK_OBJECT_HANDLE **h, size_t *n);
/* KS_OK when the keyring may take entries: "default" or a record. */
ks_status	 kr_keyring_exists(ks_ctx *ctx, const char *name);

/* peer.c */
/* p11_get_fixed; an object gone meanwhile has no attributes (CKR_OK) */
CK_RV		 kr_read_attrs(ks_ctx *ctx, CK_OBJECT_HANDLE h, CK_ATTRIBUTE *a,
		    CK_ULONG n);
int		 kr_attr_have(const CK_ATTRIBUTE *a);
int		 kr_attr_true(const CK_ATTRIBUTE *a);	/* a CK_BBOOL, TRUE */
ks_peer		*kr_peer_new(ks_peer_kind kind, const char *label,
		    const char *keyring, ks_peer_by by, const char *id);
void		 kr_peer_free(ks_peer *p);
int		 kr_peers_push(struct ks_peers *ps, ks_peer *p);
void		 kr_peers_clear(struct ks_peers *ps);
void		 kr_peers_sort(struct ks_peers *ps);
/* Load one object found by kr_peers_scan into out (if it belongs there). */
typedef ks_status (*kr_load_fn)(ks_ctx *ctx, CK_OBJECT_HANDLE h,
		    const char *ring, struct ks_peers *out);
/* Every object that matches the template, through load; out is cleared
 * on failure. */
ks_status	 kr_peers_scan(ks_ctx *ctx, CK_ATTRIBUTE *tmpl, CK_ULONG n,
		    kr_load_fn load, const char *ring, struct ks_peers *out);

/* peerid.c */
/* "PREFIX" "KEYRING/MATCH:ID" into buf; -1 when it does not fit. */
int		 kr_label_make(const char *prefix, const char *keyring,
		    ks_peer_by by, const char *id, char *buf, size_t bufsz);
/* Split a label made by kr_label_make; -1 when it is not one. */
int		 kr_label_split(const char *prefix, const char *label,
		    size_t len, char *keyring, size_t ringsz, ks_peer_by *by,
		    char *id, size_t idsz);

/* peerspki.c: DER to a checked RSA SPKI in canonical DER (allocated). */
ks_status	 kr_spki_check(ks_ctx *ctx, const unsigned char *der,
		    size_t len, const char *what, unsigned char **out,
		    size_t *outlen, unsigned *bits);
/* Modulus and exponent of a checked SPKI (allocated). */
ks_status	 kr_spki_rsa(ks_ctx *ctx, const unsigned char *spki,
		    size_t len, unsigned char **n, size_t *nlen,
		    unsigned char **e, size_t *elen);

/* peerkey.c, psk.c: the entries of keyring (NULL: all) */
ks_status	 kr_pubkeys_scan(ks_ctx *ctx, const char *keyring,
		    struct ks_peers *out);
ks_status	 kr_psks_scan(ks_ctx *ctx, const char *keyring,
		    struct ks_peers *out);

#endif /* KR_INTERNAL_H */
