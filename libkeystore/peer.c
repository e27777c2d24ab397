/*
 * peer.c -- one keyring entry as listed (a peer's public key or a
 * pre-shared key): reading its attributes from the token, making,
 * freeing, sorting and reading it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kr_internal.h"

/*
 * p11_get_fixed, where an object destroyed meanwhile reads as one without
 * attributes (CKR_OK); any other failure is returned, so that a listing
 * never silently drops an object it could not read (delete relies on
 * seeing every entry).
 */
CK_RV
kr_read_attrs(ks_ctx *ctx, CK_OBJECT_HANDLE h, CK_ATTRIBUTE *a, CK_ULONG n)
{
	CK_RV rv;

	rv = p11_get_fixed(&ctx->sess, h, a, n);
	return rv == CKR_OBJECT_HANDLE_INVALID ? CKR_OK : rv;
}

int
kr_attr_have(const CK_ATTRIBUTE *a)
{
	return a->ulValueLen != CK_UNAVAILABLE_INFORMATION;
}

int
kr_attr_true(const CK_ATTRIBUTE *a)
{
	return kr_attr_have(a) && a->ulValueLen == sizeof(CK_BBOOL) &&
	    *(CK_BBOOL *)a->pValue == CK_TRUE;
}

ks_peer *
kr_peer_new(ks_peer_kind kind, const char *label, const char *keyring,
    ks_peer_by by, const char *id)
{
	ks_peer *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->kind = kind;
	p->by = by;
	p->usage = KS_USAGE_GENERAL;
	if ((p->label = strdup(label)) == NULL ||
	    (p->keyring = strdup(keyring)) == NULL ||
	    (p->id = strdup(id)) == NULL) {
		kr_peer_free(p);
		return NULL;
	}
	return p;
}

void
kr_peer_free(ks_peer *p)
{
	if (p == NULL)
		return;
	free(p->label);
	free(p->keyring);
	free(p->id);
	free(p->spki);
	free(p->uri);
	free(p);
}

int
kr_peers_push(struct ks_peers *ps, ks_peer *p)
{
	ks_peer **grown;

	grown = reallocarray(ps->v, ps->n + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	ps->v = grown;
	ps->v[ps->n++] = p;
	return 0;
}

void
kr_peers_clear(struct ks_peers *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		kr_peer_free(ps->v[i]);
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

ks_status
kr_peers_scan(ks_ctx *ctx, CK_ATTRIBUTE *tmpl, CK_ULONG n, kr_load_fn load,
    const char *ring, struct ks_peers *out)
{
	CK_OBJECT_HANDLE *h = NULL;
	size_t nh = 0, i;
	ks_status st;
	CK_RV rv;

	if ((st = kx_need_session(ctx)) != KS_OK)
		return st;
	rv = p11_find(&ctx->sess, tmpl, n, &h, &nh);
	if (rv != CKR_OK)
		return kx_fail_rv(ctx, rv, "cannot search token '%s'",
		    ctx->token.label);
	for (i = 0; i < nh && st == KS_OK; i++)
		st = load(ctx, h[i], ring, out);
	free(h);
	if (st != KS_OK)
		kr_peers_clear(out);
	return st;
}

static int
peer_cmp(const void *a, const void *b)
{
	const ks_peer *x = *(ks_peer *const *)a, *y = *(ks_peer *const *)b;
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->by != y->by)
		return x->by < y->by ? -1 : 1;
	if ((c = strcmp(x->id, y->id)) != 0)
		return c;
	if (x->usage != y->usage)
		return x->usage < y->usage ? -1 : 1;
	return 0;
}

void
kr_peers_sort(struct ks_peers *ps)
{
	if (ps->n > 1)
		qsort(ps->v, ps->n, sizeof(*ps->v), peer_cmp);
}

ks_peer_kind
ks_peer_kind_of(const ks_peer *p)
{
	return p->kind;
}

ks_peer_by
ks_peer_match(const ks_peer *p)
{
	return p->by;
}

const char *
ks_peer_id(const ks_peer *p)
{
	return p->id;
}

const char *
ks_peer_label(const ks_peer *p)
{
	return p->label;
}

const unsigned char *
ks_peer_key_id(const ks_peer *p, size_t *len)
{
	*len = p->keyidlen;
	return p->keyid;
}

const char *
ks_peer_uri(const ks_peer *p)
{
	return p->uri;
}

ks_usage
ks_peer_usage(const ks_peer *p)
{
	return p->usage;
}

unsigned
ks_peer_bits(const ks_peer *p)
{
	return p->bits;
}

ks_keytype
ks_peer_key_type(const ks_peer *p)
{
	return p->type == KS_KEY_EC ? KS_KEY_EC : KS_KEY_RSA;
}

ks_curve
ks_peer_curve(const ks_peer *p)
{
	return p->curve;
}

const unsigned char *
ks_peer_spki(const ks_peer *p, size_t *len)
{
	*len = p->spkilen;
	return p->spki;
}

char *
ks_peer_public_pem(const ks_peer *p)
{
	const unsigned char *d = p->spki;
	EVP_PKEY *pk;
	BIO *bio;
	BUF_MEM *mem;
	char *out = NULL;

	if (p->spki == NULL)
		return NULL;
	if ((pk = d2i_PUBKEY(NULL, &d, (long)p->spkilen)) == NULL)
		return NULL;
	if ((bio = BIO_new(BIO_s_mem())) != NULL &&
	    PEM_write_bio_PUBKEY(bio, pk) == 1) {
		BIO_get_mem_ptr(bio, &mem);
		if ((out = malloc(mem->length + 1)) != NULL) {
			memcpy(out, mem->data, mem->length);
			out[mem->length] = '\0';
		}
	}
	BIO_free(bio);
	EVP_PKEY_free(pk);
	return out;
}

int
ks_peer_sensitive(const ks_peer *p)
{
	return p->sensitive;
}

int
ks_peer_extractable(const ks_peer *p)
{
	return p->extractable;
}
