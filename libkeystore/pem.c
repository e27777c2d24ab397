/*
 * pem.c -- RSA and EC private keys in PEM: read what people bring, write
 * what IOS and OpenSSL read.
 *
 * Reading (outside input, so bounded and strict):
 *   - at most KS_PEM_MAX bytes, no NUL bytes, at most KS_PEM_BLOCKS_MAX
 *     blocks; a BEGIN line may have text before it on its line (IOS
 *     transcripts do), an END line must name the same type;
 *   - base64 is checked character by character (pem_b64decode);
 *   - block types come from one table: public keys and certificates are
 *     kept to check the private keys against, private keys are of the
 *     type asked for (RSA, or EC on P-256, P-384, P-521 or Ed25519),
 *     traditional ("BEGIN RSA PRIVATE KEY" / "BEGIN EC PRIVATE KEY",
 *     plain or with Proc-Type and DEK-Info) or PKCS#8 (plain or
 *     encrypted); DSA and OpenSSH keys are refused by name;
 *   - text outside blocks is skipped, except IOS "Usage:" lines, which tag
 *     the next private key;
 *   - the passphrase is asked for once, when the first encrypted block is
 *     met, and wiped at the end.  PBE iteration counts are capped.
 * A wrong passphrase is KS_EAUTH; anything malformed is KS_EINPUT.
 *
 * Writing: PKCS#8 "ENCRYPTED PRIVATE KEY" with AES-256-CBC and
 * PBKDF2-HMAC-SHA256, or the traditional IOS format with DES-EDE3-CBC or
 * DES-CBC (PKCS#1 RSAPrivateKey or SEC 1 ECPrivateKey inside; Ed25519 has
 * no traditional form).  Single DES lives in OpenSSL's legacy provider,
 * which is loaded into a private library context and must be there:
 * OpenSSL's own writer silently writes the key in clear when the cipher
 * is missing.  Whatever is written is checked to be encrypted and read
 * back before it is handed out.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ks_xfer.h"

#define TYPE_MAX	40	/* longest block type we look at */
#define PASS_MAX	1024

enum block_kind {
	B_PUB_SPKI, B_PUB_PKCS1, B_CERT, B_RSA_TRAD, B_EC_TRAD, B_PKCS8,
	B_PKCS8_ENC, B_PARAMS, B_REFUSE
};

static const struct block_type {
	const char	*name;
	enum block_kind	 kind;
	const char	*why;		/* B_REFUSE: what it is */
} block_types[] = {
	{ "PUBLIC KEY", B_PUB_SPKI, NULL },
	{ "RSA PUBLIC KEY", B_PUB_PKCS1, NULL },
	{ "CERTIFICATE", B_CERT, NULL },
	{ "X509 CERTIFICATE", B_CERT, NULL },
	{ "RSA PRIVATE KEY", B_RSA_TRAD, NULL },
	{ "PRIVATE KEY", B_PKCS8, NULL },
	{ "ENCRYPTED PRIVATE KEY", B_PKCS8_ENC, NULL },
	{ "EC PARAMETERS", B_PARAMS, NULL },
	{ "DSA PARAMETERS", B_PARAMS, NULL },
	{ "DSA PRIVATE KEY", B_REFUSE, "a DSA key" },
	{ "EC PRIVATE KEY", B_EC_TRAD, NULL },
	{ "OPENSSH PRIVATE KEY", B_REFUSE, "an OpenSSH key (convert it "
	    "with 'ssh-keygen -p -m PEM')" },
	{ "SSH2 ENCRYPTED PRIVATE KEY", B_REFUSE, "an SSH2 key" },
	{ "PGP PRIVATE KEY BLOCK", B_REFUSE, "a PGP key" },
	{ "NEW CERTIFICATE REQUEST", B_REFUSE, "a certificate request" },
	{ "CERTIFICATE REQUEST", B_REFUSE, "a certificate request" },
};
#define NBLOCK_TYPES	(sizeof(block_types) / sizeof(block_types[0]))

/* Ciphers of the traditional format (DEK-Info names). */
static const struct trad_cipher {
	const char	*dek;
	int		 legacy;	/* in the legacy provider only */
} trad_ciphers[] = {
	{ "DES-EDE3-CBC", 0 },
	{ "DES-CBC", 1 },
	{ "AES-128-CBC", 0 },
	{ "AES-192-CBC", 0 },
	{ "AES-256-CBC", 0 },
};
#define NTRAD_CIPHERS	(sizeof(trad_ciphers) / sizeof(trad_ciphers[0]))

/* Reading state. */
struct rd {
	ks_ctx		*ctx;
	struct ks_pem	*out;
	ks_secret_fn	 passfn;
	void		*passarg;
	unsigned long	 max_iter;
	int		 types;		/* KS_KEY_*: what may be imported */
	char		 pass[PASS_MAX];
	size_t		 passlen;
	int		 have_pass;
	OSSL_LIB_CTX	*lctx;		/* legacy + default, made when needed */
	OSSL_PROVIDER	*prov_legacy, *prov_default;
	ks_usage	 usage;		/* from the last "Usage:" line */
	int		 tagged;
	size_t		 nblocks;
};

/* One block found in the input. */
struct block {
	const struct block_type	*type;
	char			 name[TYPE_MAX + 1];
	const char		*hdr, *hdrend;	/* header lines, if any */
	const char		*body, *bodyend;
	size_t			 line;		/* of the BEGIN line */
};

/* Legacy provider ----------------------------------------------------- */

static ks_status
legacy_open(ks_ctx *ctx, OSSL_LIB_CTX **lctx, OSSL_PROVIDER **legacy,
    OSSL_PROVIDER **dflt)
{
	if (*lctx != NULL)
		return KS_OK;
	if ((*lctx = OSSL_LIB_CTX_new()) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	*legacy = OSSL_PROVIDER_load(*lctx, "legacy");
	*dflt = OSSL_PROVIDER_load(*lctx, "default");
	if (*legacy == NULL || *dflt == NULL) {
		ERR_clear_error();
		return kx_fail(ctx, KS_EFAIL, "single DES needs OpenSSL's "
		    "legacy provider (legacy.so in %s), which cannot be "
		    "loaded; install it or use 3des or aes256",
		    getenv("OPENSSL_MODULES") != NULL ?
		    getenv("OPENSSL_MODULES") : "OpenSSL's module directory");
	}
	return KS_OK;
}

static void
legacy_close(OSSL_LIB_CTX **lctx, OSSL_PROVIDER **legacy,
    OSSL_PROVIDER **dflt)
{
	if (*legacy != NULL)
		OSSL_PROVIDER_unload(*legacy);
	if (*dflt != NULL)
		OSSL_PROVIDER_unload(*dflt);
	OSSL_LIB_CTX_free(*lctx);
	*lctx = NULL;
	*legacy = *dflt = NULL;
}

static const struct trad_cipher *
trad_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NTRAD_CIPHERS; i++)
		if (strlen(trad_ciphers[i].dek) == len &&
		    strncasecmp(trad_ciphers[i].dek, name, len) == 0)
			return &trad_ciphers[i];
	return NULL;
}

/* Fetch a traditional cipher; single DES from the legacy context. */
static ks_status
trad_fetch(ks_ctx *ctx, const struct trad_cipher *tc, OSSL_LIB_CTX **lctx,
    OSSL_PROVIDER **legacy, OSSL_PROVIDER **dflt, EVP_CIPHER **c)
{
	ks_status st;

	*c = NULL;
	if (tc->legacy &&
	    (st = legacy_open(ctx, lctx, legacy, dflt)) != KS_OK)
		return st;
	*c = EVP_CIPHER_fetch(tc->legacy ? *lctx : NULL, tc->dek, NULL);
	if (*c == NULL) {
		ERR_clear_error();
		return kx_fail(ctx, KS_EFAIL, "OpenSSL cannot provide the "
		    "cipher %s%s", tc->dek, tc->legacy ? " even with its "
		    "legacy provider" : "");
	}
	return KS_OK;
}

/* Passphrase ------------------------------------------------------------ */

static ks_status
rd_pass(struct rd *r)
{
	ks_status st;

	if (r->have_pass)
		return KS_OK;
	if (r->passfn == NULL)
		return kx_fail(r->ctx, KS_EAUTH, "the private key is "
		    "encrypted and no passphrase was given");
	st = r->passfn(r->passarg, "Passphrase for the private key: ",
	    r->pass, sizeof(r->pass), &r->passlen);
	if (st != KS_OK) {
		OPENSSL_cleanse(r->pass, sizeof(r->pass));
		if (ks_ctx_error(r->ctx)[0] == '\0')
			kx_fail(r->ctx, st, "cannot read the passphrase");
		return st;
	}
	if (r->passlen > sizeof(r->pass)) {
		OPENSSL_cleanse(r->pass, sizeof(r->pass));
		return kx_fail(r->ctx, KS_EFAIL, "passphrase too long");
	}
	r->have_pass = 1;
	return KS_OK;
}

/* Base64 ---------------------------------------------------------------- */

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode [in, end) skipping white space; '=' only as padding at the end.
 * out must hold (end - in) / 4 * 3 + 3 bytes.  Returns the length, or -1.
 */
static long
pem_b64decode(const char *in, const char *end, unsigned char *out)
{
	unsigned long acc = 0;
	size_t n = 0, o = 0, pad = 0;
	int v;

	for (; in < end; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			if (++pad > 2)
				return -1;
			n++;
			continue;
		}
		if (pad > 0 || (v = b64val(c)) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		if (++n % 4 == 0) {
			out[o++] = (acc >> 16) & 0xff;
			out[o++] = (acc >> 8) & 0xff;
			out[o++] = acc & 0xff;
			acc = 0;
		}
	}
	if (n % 4 != 0)
		return -1;
	if (pad == 1) {		/* acc holds 3 sextets: 2 bytes */
		out[o++] = (acc >> 10) & 0xff;
		out[o++] = (acc >> 2) & 0xff;
	} else if (pad == 2) {	/* 2 sextets: 1 byte */
		out[o++] = (acc >> 4) & 0xff;
	}
	return (long)o;
}

static ks_status
block_decode(struct rd *r, const struct block *b, unsigned char **der,
    size_t *len)
{
	size_t cap = (size_t)(b->bodyend - b->body) / 4 * 3 + 3;
	long n;

	*der = NULL;
	*len = 0;
	if ((*der = malloc(cap)) == NULL)
		return kx_fail(r->ctx, KS_EFAIL, "out of memory");
	n = pem_b64decode(b->body, b->bodyend, *der);
	if (n <= 0) {
		free(*der);
		*der = NULL;
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "is not valid base64", b->name, b->line);
	}
	*len = (size_t)n;
	return KS_OK;
}

static void
der_free(unsigned char *der, size_t len)
{
	if (der != NULL)
		OPENSSL_cleanse(der, len);
	free(der);
}

/* Keys ------------------------------------------------------------------ */

static const char *
types_words(int types)
{
	if (types == KS_KEY_RSA)
		return "RSA keys";
	if (types == KS_KEY_EC)
		return "EC keys (P-256, P-384, P-521, Ed25519)";
	return "RSA and EC keys";
}

static ks_status
check_type(struct rd *r, const struct block *b, EVP_PKEY *pk)
{
	const char *type;
	int bits, t = kx_pkey_type(pk);

	if (t == 0 || (t & r->types) == 0) {
		type = EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC ?
		    (t == 0 ? "EC (explicit parameters or a curve cryptokey "
		    "does not take)" :
		    "EC") : EVP_PKEY_get0_type_name(pk);
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "holds a%s %s key; only %s can be imported here",
		    b->name, b->line, type != NULL && strchr("AEIOU",
		    type[0]) != NULL ? "n" : "", type != NULL ? type :
		    "different", types_words(r->types));
	}
	if (t != KS_KEY_RSA)
		return KS_OK;
	bits = EVP_PKEY_get_bits(pk);
	if (bits < KS_MODULUS_MIN || bits > KS_MODULUS_MAX)
		return kx_fail(r->ctx, KS_EINPUT, "the RSA key at line %zu "
		    "has %d bits; cryptokey takes %d to %d", b->line, bits,
		    KS_MODULUS_MIN, KS_MODULUS_MAX);
	return KS_OK;
}

static ks_status
add_public(struct rd *r, const struct block *b, EVP_PKEY *pk)
{
	ks_status st;

	if (pk == NULL) {
		ERR_clear_error();
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "does not hold a valid key", b->name, b->line);
	}
	if ((st = check_type(r, b, pk)) != KS_OK) {
		EVP_PKEY_free(pk);
		return st;
	}
	if (r->out->npub >= KS_PEM_KEYS_MAX) {
		EVP_PKEY_free(pk);
		return kx_fail(r->ctx, KS_EINPUT, "too many public keys "
		    "(more than %d)", KS_PEM_KEYS_MAX);
	}
	r->out->pub[r->out->npub++] = pk;
	return KS_OK;
}

static ks_status
add_private(struct rd *r, const struct block *b, EVP_PKEY *pk)
{
	struct ks_pem_key *k;
	ks_status st;

	if ((st = check_type(r, b, pk)) != KS_OK) {
		EVP_PKEY_free(pk);
		return st;
	}
	if (r->out->npriv >= KS_PEM_KEYS_MAX) {
		EVP_PKEY_free(pk);
		return kx_fail(r->ctx, KS_EINPUT, "too many private keys "
		    "(more than %d)", KS_PEM_KEYS_MAX);
	}
	k = &r->out->priv[r->out->npriv++];
	k->pkey = pk;
	k->usage = r->usage;
	k->tagged = r->tagged;
	r->tagged = 0;
	r->usage = KS_USAGE_GENERAL;
	return KS_OK;
}

/* PKCS#8 PrivateKeyInfo (pkcs8), else PKCS#1 RSAPrivateKey or SEC 1
 * ECPrivateKey (trad: EVP_PKEY_RSA or EVP_PKEY_EC), all bytes used. */
static EVP_PKEY *
parse_private(const unsigned char *der, size_t len, int pkcs8, int trad)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *pk = NULL;

	if (len > LONG_MAX)
		return NULL;
	if (pkcs8) {
		p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
		if (p8 != NULL && p == der + len)
			pk = EVP_PKCS82PKEY(p8);
		PKCS8_PRIV_KEY_INFO_free(p8);
	} else {
		pk = d2i_PrivateKey(trad, NULL, &p, (long)len);
		if (pk != NULL && p != der + len) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
	}
	ERR_clear_error();
	return pk;
}

static ks_status
do_public(struct rd *r, const struct block *b, const unsigned char *der,
    size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *pk = NULL;
	X509 *x;

	switch (b->type->kind) {
	case B_PUB_SPKI:
		pk = d2i_PUBKEY(NULL, &p, (long)len);
		break;
	case B_PUB_PKCS1:
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
		break;
	default:	/* B_CERT */
		if ((x = d2i_X509(NULL, &p, (long)len)) != NULL)
			pk = X509_get_pubkey(x);
		X509_free(x);
		break;
	}
	if (pk != NULL && p != der + len) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	return add_public(r, b, pk);
}

/* A header's value, or NULL: "Name: value" lines in [hdr, hdrend). */
static const char *
header(const struct block *b, const char *name, size_t *vlen)
{
	const char *p = b->hdr, *eol, *v;
	size_t nlen = strlen(name);

	while (p != NULL && p < b->hdrend) {
		if ((eol = memchr(p, '\n', (size_t)(b->hdrend - p))) == NULL)
			eol = b->hdrend;
		if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 &&
		    p[nlen] == ':') {
			v = p + nlen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			while (*vlen > 0 && isspace((unsigned char)v[*vlen - 1]))
				(*vlen)--;
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

/* Decrypt a traditional body: EVP_BytesToKey(MD5, salt = IV[0..7], 1). */
static ks_status
trad_decrypt(struct rd *r, const struct block *b, const struct trad_cipher *tc,
    const char *ivhex, size_t ivhexlen, unsigned char *der, size_t *len)
{
	unsigned char iv[EVP_MAX_IV_LENGTH], key[EVP_MAX_KEY_LENGTH];
	EVP_CIPHER *c = NULL;
	EVP_CIPHER_CTX *cc = NULL;
	int ivlen, blk, outl = 0, finl = 0;
	ks_status st;

	if ((st = trad_fetch(r->ctx, tc, &r->lctx, &r->prov_legacy,
	    &r->prov_default, &c)) != KS_OK)
		return st;
	ivlen = EVP_CIPHER_get_iv_length(c);
	blk = EVP_CIPHER_get_block_size(c);
	st = KS_EINPUT;
	if (ivlen < 8 || ivlen > (int)sizeof(iv) || ivhexlen != 2 * (size_t)ivlen) {
		kx_fail(r->ctx, st, "the %s block at line %zu has a bad "
		    "DEK-Info IV", b->name, b->line);
		goto out;
	}
	if (kx_hex_decode(ivhex, ivhexlen, iv, sizeof(iv)) != ivlen) {
		kx_fail(r->ctx, st, "the %s block at line %zu has a bad "
		    "DEK-Info IV", b->name, b->line);
		goto out;
	}
	if (*len == 0 || blk <= 0 || *len % (size_t)blk != 0 ||
	    *len > INT_MAX) {
		kx_fail(r->ctx, st, "the %s block at line %zu is truncated "
		    "(%zu bytes of ciphertext)", b->name, b->line, *len);
		goto out;
	}
	if ((st = rd_pass(r)) != KS_OK)
		goto out;
	st = KS_EFAIL;
	if (EVP_BytesToKey(c, EVP_md5(), iv, (const unsigned char *)r->pass,
	    (int)r->passlen, 1, key, NULL) <= 0 ||
	    (cc = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex2(cc, c, key, iv, NULL) != 1 ||
	    EVP_DecryptUpdate(cc, der, &outl, der, (int)*len) != 1) {
		kx_fail(r->ctx, st, "cannot decrypt with %s", tc->dek);
		goto out;
	}
	if (EVP_DecryptFinal_ex(cc, der + outl, &finl) != 1) {
		st = kx_fail(r->ctx, KS_EAUTH, "cannot decrypt the private "
		    "key at line %zu: wrong passphrase", b->line);
		goto out;
	}
	*len = (size_t)outl + (size_t)finl;
	st = KS_OK;
 out:
	ERR_clear_error();
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_CTX_free(cc);
	EVP_CIPHER_free(c);
	return st;
}

static ks_status
do_trad(struct rd *r, const struct block *b, unsigned char *der, size_t len)
{
	const struct trad_cipher *tc;
	const char *proc, *dek, *comma;
	size_t plen = 0, dlen = 0;
	EVP_PKEY *pk;
	ks_status st;
	int encrypted = 0, ec;

	proc = header(b, "Proc-Type", &plen);
	dek = header(b, "DEK-Info", &dlen);
	if (proc != NULL) {
		if (plen != 11 || strncasecmp(proc, "4,ENCRYPTED", 11) != 0)
			return kx_fail(r->ctx, KS_EINPUT, "the %s block at "
			    "line %zu has an unknown Proc-Type", b->name,
			    b->line);
		if (dek == NULL || (comma = memchr(dek, ',', dlen)) == NULL)
			return kx_fail(r->ctx, KS_EINPUT, "the %s block at "
			    "line %zu is encrypted but has no usable "
			    "DEK-Info", b->name, b->line);
		if ((tc = trad_find(dek, (size_t)(comma - dek))) == NULL)
			return kx_fail(r->ctx, KS_EINPUT, "the %s block at "
			    "line %zu uses the cipher '%.*s', which cryptokey "
			    "does not read", b->name, b->line,
			    (int)(comma - dek) > 32 ? 32 : (int)(comma - dek),
			    dek);
		st = trad_decrypt(r, b, tc, comma + 1,
		    dlen - (size_t)(comma + 1 - dek), der, &len);
		if (st != KS_OK)
			return st;
		encrypted = 1;
	} else if (dek != NULL)
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "has DEK-Info but no Proc-Type", b->name, b->line);
	ec = b->type->kind == B_EC_TRAD;
	if ((pk = parse_private(der, len, 0, ec ? EVP_PKEY_EC :
	    EVP_PKEY_RSA)) == NULL) {
		if (encrypted)
			return kx_fail(r->ctx, KS_EAUTH, "cannot decrypt the "
			    "private key at line %zu: wrong passphrase, or "
			    "the key is damaged", b->line);
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "does not hold a valid %s private key", b->name,
		    b->line, ec ? "EC" : "RSA");
	}
	return add_private(r, b, pk);
}

/* Cap the work a PBE asks for before anything derives a key. */
static ks_status
pbe_check(struct rd *r, const struct block *b, const X509_SIG *sig)
{
	const X509_ALGOR *alg;
	PBE2PARAM *pbe2 = NULL;
	PBKDF2PARAM *kdf = NULL;
	SCRYPT_PARAMS *sc = NULL;
	PBEPARAM *pbe1 = NULL;
	uint64_t iter = 0, n = 0, rr = 0, p = 0;
	int nid, ok = 0;

	X509_SIG_get0(sig, &alg, NULL);
	nid = OBJ_obj2nid(alg->algorithm);
	if (nid == NID_pbes2) {
		pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM),
		    alg->parameter);
		if (pbe2 == NULL || pbe2->keyfunc == NULL)
			goto out;
		nid = OBJ_obj2nid(pbe2->keyfunc->algorithm);
		if (nid == NID_id_pbkdf2) {
			kdf = ASN1_TYPE_unpack_sequence(
			    ASN1_ITEM_rptr(PBKDF2PARAM),
			    pbe2->keyfunc->parameter);
			ok = kdf != NULL && kdf->iter != NULL &&
			    ASN1_INTEGER_get_uint64(&iter, kdf->iter) == 1 &&
			    iter >= 1 && iter <= r->max_iter;
		} else if (nid == NID_id_scrypt) {
			sc = ASN1_TYPE_unpack_sequence(
			    ASN1_ITEM_rptr(SCRYPT_PARAMS),
			    pbe2->keyfunc->parameter);
			ok = sc != NULL &&
			    ASN1_INTEGER_get_uint64(&n, sc->costParameter) ==
			    1 && ASN1_INTEGER_get_uint64(&rr,
			    sc->blockSize) == 1 &&
			    ASN1_INTEGER_get_uint64(&p,
			    sc->parallelizationParameter) == 1 &&
			    n >= 2 && n <= (1 << 20) && rr >= 1 && rr <= 32 &&
			    p >= 1 && p <= 16 &&
			    n * rr * p <= (uint64_t)r->max_iter * 8;
		}
	} else if (nid != NID_undef) {
		pbe1 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM),
		    alg->parameter);
		ok = pbe1 != NULL && pbe1->iter != NULL &&
		    ASN1_INTEGER_get_uint64(&iter, pbe1->iter) == 1 &&
		    iter >= 1 && iter <= r->max_iter;
	}
 out:
	PBE2PARAM_free(pbe2);
	PBKDF2PARAM_free(kdf);
	SCRYPT_PARAMS_free(sc);
	PBEPARAM_free(pbe1);
	ERR_clear_error();
	if (!ok)
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "uses an unknown key derivation or one that asks for "
		    "too much work", b->name, b->line);
	return KS_OK;
}

static int
err_unsupported(void)
{
	unsigned long e;
	int unsup = 0;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_REASON(e) == ERR_R_UNSUPPORTED ||
		    ERR_GET_REASON(e) == EVP_R_UNSUPPORTED_CIPHER ||
		    ERR_GET_REASON(e) == EVP_R_UNKNOWN_CIPHER)
			unsup = 1;
	return unsup;
}

static ks_status
do_pkcs8_enc(struct rd *r, const struct block *b, const unsigned char *der,
    size_t len)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	X509_SIG *sig;
	EVP_PKEY *pk = NULL;
	ks_status st;

	sig = d2i_X509_SIG(NULL, &p, (long)len);
	if (sig == NULL || p != der + len) {
		X509_SIG_free(sig);
		ERR_clear_error();
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "is not a valid encrypted PKCS#8 key", b->name, b->line);
	}
	if ((st = pbe_check(r, b, sig)) != KS_OK ||
	    (st = rd_pass(r)) != KS_OK) {
		X509_SIG_free(sig);
		return st;
	}
	p8 = PKCS8_decrypt_ex(sig, r->pass, (int)r->passlen, NULL, NULL);
	if (p8 == NULL && err_unsupported()) {
		/* single DES and friends: the legacy provider */
		if ((st = legacy_open(r->ctx, &r->lctx, &r->prov_legacy,
		    &r->prov_default)) != KS_OK) {
			X509_SIG_free(sig);
			return st;
		}
		p8 = PKCS8_decrypt_ex(sig, r->pass, (int)r->passlen, r->lctx,
		    NULL);
		if (p8 == NULL && err_unsupported()) {
			X509_SIG_free(sig);
			return kx_fail(r->ctx, KS_EINPUT, "the %s block at "
			    "line %zu uses an encryption OpenSSL does not "
			    "support", b->name, b->line);
		}
	}
	X509_SIG_free(sig);
	ERR_clear_error();
	if (p8 == NULL)
		return kx_fail(r->ctx, KS_EAUTH, "cannot decrypt the private "
		    "key at line %zu: wrong passphrase", b->line);
	pk = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	ERR_clear_error();
	if (pk == NULL)
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "does not hold a key OpenSSL can read", b->name, b->line);
	return add_private(r, b, pk);
}

static ks_status
do_block(struct rd *r, const struct block *b)
{
	unsigned char *der = NULL;
	size_t len = 0;
	EVP_PKEY *pk;
	ks_status st;

	if (b->type == NULL)
		return kx_fail(r->ctx, KS_EINPUT, "the block at line %zu is "
		    "a '%s', not a key cryptokey can import", b->line,
		    b->name);
	if (b->type->kind == B_REFUSE)
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "is %s; only %s can be imported here", b->name, b->line,
		    b->type->why, types_words(r->types));
	if (b->type->kind == B_PARAMS)
		return KS_OK;
	if (b->type->kind != B_RSA_TRAD && b->type->kind != B_EC_TRAD &&
	    b->hdr != NULL)
		return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu "
		    "has headers it should not have", b->name, b->line);
	if ((st = block_decode(r, b, &der, &len)) != KS_OK)
		return st;
	switch (b->type->kind) {
	case B_PUB_SPKI:
	case B_PUB_PKCS1:
	case B_CERT:
		st = do_public(r, b, der, len);
		break;
	case B_RSA_TRAD:
	case B_EC_TRAD:
		st = do_trad(r, b, der, len);
		break;
	case B_PKCS8:
		if ((pk = parse_private(der, len, 1, 0)) == NULL)
			st = kx_fail(r->ctx, KS_EINPUT, "the %s block at line "
			    "%zu is not a valid PKCS#8 key", b->name, b->line);
		else
			st = add_private(r, b, pk);
		break;
	default:	/* B_PKCS8_ENC */
		st = do_pkcs8_enc(r, b, der, len);
		break;
	}
	der_free(der, len);
	return st;
}

/* Lines ----------------------------------------------------------------- */

/* "-----BEGIN TYPE-----" somewhere in [p, eol): the type, else NULL. */
static const char *
find_marker(const char *p, const char *eol, const char *what, size_t *tlen)
{
	size_t wlen = strlen(what);
	const char *s, *t, *e;

	for (s = p; (size_t)(eol - s) >= wlen; s++) {
		if (memcmp(s, what, wlen) != 0)
			continue;
		t = s + wlen;
		for (e = t; e < eol && *e != '-'; e++)
			;
		if ((size_t)(eol - e) < 5 || memcmp(e, "-----", 5) != 0)
			return NULL;
		*tlen = (size_t)(e - t);
		return t;
	}
	return NULL;
}

static int
blank(const char *p, const char *eol)
{
	for (; p < eol; p++)
		if (!isspace((unsigned char)*p))
			return 0;
	return 1;
}

/* IOS "   Usage: Signature Key" before a key tags it. */
static void
usage_line(struct rd *r, const char *p, const char *eol)
{
	static const struct {
		const char	*words;
		ks_usage	 usage;
	} tags[] = {
		{ "Usage: General Purpose Key", KS_USAGE_GENERAL },
		{ "Usage: Signature Key", KS_USAGE_SIGNATURE },
		{ "Usage: Encryption Key", KS_USAGE_ENCRYPTION },
	};
	size_t i, len;

	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		len = strlen(tags[i].words);
		if ((size_t)(eol - p) >= len && memcmp(p, tags[i].words,
		    len) == 0) {
			r->usage = tags[i].usage;
			r->tagged = 1;
		}
	}
}

static const struct block_type *
type_find(const char *name)
{
	size_t i;

	for (i = 0; i < NBLOCK_TYPES; i++)
		if (strcmp(block_types[i].name, name) == 0)
			return &block_types[i];
	return NULL;
}

/*
 * The block that starts after the BEGIN line at *pp: headers, body, END.
 * On return *pp is past the END line.
 */
static ks_status
scan_block(struct rd *r, const char **pp, const char *end, struct block *b,
    size_t *line)
{
	const char *p = *pp, *eol, *t;
	size_t tlen;
	int in_hdr = 1;

	b->hdr = b->hdrend = NULL;
	b->body = NULL;
	for (; p < end; p = eol + 1) {
		(*line)++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((t = find_marker(p, eol, "-----END ", &tlen)) != NULL) {
			if (tlen != strlen(b->name) ||
			    memcmp(t, b->name, tlen) != 0)
				return kx_fail(r->ctx, KS_EINPUT, "the %s "
				    "block at line %zu ends with a different "
				    "END line", b->name, b->line);
			if (b->body == NULL)
				b->body = p;
			b->bodyend = p;
			*pp = eol < end ? eol + 1 : end;
			return KS_OK;
		}
		if (find_marker(p, eol, "-----BEGIN ", &tlen) != NULL)
			break;
		if (in_hdr && b->body == NULL) {
			if (memchr(p, ':', (size_t)(eol - p)) != NULL) {
				if (b->hdr == NULL)
					b->hdr = p;
				b->hdrend = eol;
				continue;
			}
			if (blank(p, eol))
				continue;
			in_hdr = 0;
		}
		if (b->body == NULL)
			b->body = p;
	}
	return kx_fail(r->ctx, KS_EINPUT, "the %s block at line %zu has no "
	    "END line; the file is truncated", b->name, b->line);
}

static ks_status
scan(struct rd *r, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *eol, *t;
	struct block b;
	size_t line = 0, tlen;
	ks_status st;

	while (p < end) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((t = find_marker(p, eol, "-----BEGIN ", &tlen)) == NULL) {
			usage_line(r, p, eol);
			p = eol < end ? eol + 1 : end;
			continue;
		}
		memset(&b, 0, sizeof(b));
		b.line = line;
		if (tlen == 0 || tlen > TYPE_MAX)
			return kx_fail(r->ctx, KS_EINPUT, "the BEGIN line at "
			    "line %zu names no block type cryptokey knows",
			    line);
		memcpy(b.name, t, tlen);
		b.name[tlen] = '\0';
		b.type = type_find(b.name);
		if (++r->nblocks > KS_PEM_BLOCKS_MAX)
			return kx_fail(r->ctx, KS_EINPUT, "too many PEM blocks "
			    "(more than %d)", KS_PEM_BLOCKS_MAX);
		p = eol < end ? eol + 1 : end;
		if ((st = scan_block(r, &p, end, &b, &line)) != KS_OK ||
		    (st = do_block(r, &b)) != KS_OK)
			return st;
	}
	return KS_OK;
}

ks_status
kx_pem_read(ks_ctx *ctx, const char *buf, size_t len, int types,
    ks_secret_fn passfn, void *passarg, unsigned long max_iter,
    struct ks_pem *out)
{
	struct rd r;
	ks_status st;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return kx_fail(ctx, KS_EINPUT, "the input is empty");
	if (len > KS_PEM_MAX)
		return kx_fail(ctx, KS_EINPUT, "the input is larger than %d "
		    "bytes; that is not a key file", KS_PEM_MAX);
	if (memchr(buf, '\0', len) != NULL)
		return kx_fail(ctx, KS_EINPUT, "the input is not text "
		    "(it holds NUL bytes); cryptokey reads PEM");
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.out = out;
	r.passfn = passfn;
	r.passarg = passarg;
	r.max_iter = max_iter;
	r.types = types & KS_KEY_ALL;
	st = scan(&r, buf, len);
	if (st == KS_OK && r.nblocks == 0)
		st = kx_fail(ctx, KS_EINPUT, "the input holds no PEM block "
		    "(no -----BEGIN line)");
	if (st == KS_OK && out->npriv == 0)
		st = kx_fail(ctx, KS_EINPUT, "the input holds %s but no "
		    "private key", out->npub > 0 ? "only a public key" :
		    "no key");
	OPENSSL_cleanse(r.pass, sizeof(r.pass));
	legacy_close(&r.lctx, &r.prov_legacy, &r.prov_default);
	ERR_clear_error();
	if (st != KS_OK)
		kx_pem_clear(out);
	return st;
}

void
kx_pem_clear(struct ks_pem *p)
{
	size_t i;

	for (i = 0; i < p->npriv; i++)
		EVP_PKEY_free(p->priv[i].pkey);
	for (i = 0; i < p->npub; i++)
		EVP_PKEY_free(p->pub[i]);
	memset(p, 0, sizeof(*p));
}

/* Writing --------------------------------------------------------------- */

static ks_status
b64_lines(BIO *out, const unsigned char *der, size_t len)
{
	unsigned char line[65];
	size_t off, n;
	int w;

	for (off = 0; off < len; off += n) {
		n = len - off > 48 ? 48 : len - off;
		w = EVP_EncodeBlock(line, der + off, (int)n);
		if (w <= 0 || BIO_write(out, line, w) != w ||
		    BIO_write(out, "\n", 1) != 1)
			return KS_EFAIL;
	}
	return KS_OK;
}

/* Traditional: PKCS#1, EVP_BytesToKey(MD5, IV[0..7], 1), CBC, headers. */
static ks_status
write_trad(ks_ctx *ctx, EVP_PKEY *pk, const struct trad_cipher *tc,
    const char *pass, size_t passlen, BIO *out)
{
	OSSL_LIB_CTX *lctx = NULL;
	OSSL_PROVIDER *legacy = NULL, *dflt = NULL;
	EVP_CIPHER *c = NULL;
	EVP_CIPHER_CTX *cc = NULL;
	unsigned char iv[EVP_MAX_IV_LENGTH], key[EVP_MAX_KEY_LENGTH];
	unsigned char *der = NULL, *enc = NULL;
	int derlen = 0, ivlen, outl = 0, finl = 0, i;
	size_t enclen = 0;
	const char *what = kx_pkey_type(pk) == KS_KEY_EC ? "EC" : "RSA";
	ks_status st;

	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519)
		return kx_fail(ctx, KS_EUSAGE, "Ed25519 keys have no "
		    "traditional PEM form; export them with --cipher aes256");
	if ((st = trad_fetch(ctx, tc, &lctx, &legacy, &dflt, &c)) != KS_OK)
		goto out;
	st = kx_fail(ctx, KS_EFAIL, "cannot encrypt the private key with %s",
	    tc->dek);
	ivlen = EVP_CIPHER_get_iv_length(c);
	if (ivlen < 8 || ivlen > (int)sizeof(iv) || passlen > INT_MAX ||
	    RAND_bytes(iv, ivlen) != 1 ||
	    (derlen = i2d_PrivateKey(pk, &der)) <= 0 ||
	    (enc = malloc((size_t)derlen + EVP_MAX_BLOCK_LENGTH)) == NULL ||
	    EVP_BytesToKey(c, EVP_md5(), iv, (const unsigned char *)pass,
	    (int)passlen, 1, key, NULL) <= 0 ||
	    (cc = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex2(cc, c, key, iv, NULL) != 1 ||
	    EVP_EncryptUpdate(cc, enc, &outl, der, derlen) != 1 ||
	    EVP_EncryptFinal_ex(cc, enc + outl, &finl) != 1)
		goto out;
	enclen = (size_t)outl + (size_t)finl;
	if (BIO_printf(out, "-----BEGIN %s PRIVATE KEY-----\n"
	    "Proc-Type: 4,ENCRYPTED\nDEK-Info: %s,", what, tc->dek) <= 0)
		goto out;
	for (i = 0; i < ivlen; i++)
		if (BIO_printf(out, "%02X", iv[i]) <= 0)
			goto out;
	if (BIO_printf(out, "\n\n") <= 0 ||
	    b64_lines(out, enc, enclen) != KS_OK ||
	    BIO_printf(out, "-----END %s PRIVATE KEY-----\n", what) <= 0)
		goto out;
	st = KS_OK;
 out:
	ERR_clear_error();
	OPENSSL_cleanse(key, sizeof(key));
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)derlen);
	free(enc);
	EVP_CIPHER_CTX_free(cc);
	EVP_CIPHER_free(c);
	legacy_close(&lctx, &legacy, &dflt);
	return st;
}

/* PKCS#8, PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC. */
static ks_status
write_pkcs8(ks_ctx *ctx, EVP_PKEY *pk, const char *pass, size_t passlen,
    BIO *out)
{
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	X509_SIG *sig = NULL;
	EVP_CIPHER *c = NULL;
	ks_status st = KS_EFAIL;

	if (passlen > INT_MAX ||
	    (c = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL)) == NULL ||
	    (p8 = EVP_PKEY2PKCS8(pk)) == NULL ||
	    (sig = PKCS8_encrypt_ex(-1, c, pass, (int)passlen, NULL, 0,
	    KS_PBKDF2_ITER, p8, NULL, NULL)) == NULL ||
	    PEM_write_bio_PKCS8(out, sig) != 1)
		st = kx_fail(ctx, KS_EFAIL, "cannot encrypt the private key "
		    "with AES-256-CBC");
	else
		st = KS_OK;
	ERR_clear_error();
	X509_SIG_free(sig);
	PKCS8_PRIV_KEY_INFO_free(p8);
	EVP_CIPHER_free(c);
	return st;
}

/* PKCS#8 as written: one ENCRYPTED PRIVATE KEY block, PBES2. */
static int
pkcs8_is_pbes2(const char *pem, size_t len)
{
	const X509_ALGOR *alg;
	X509_SIG *sig;
	BIO *b;
	int ok = 0;

	if (len > INT_MAX || (b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return 0;
	if ((sig = PEM_read_bio_PKCS8(b, NULL, NULL, NULL)) != NULL) {
		X509_SIG_get0(sig, &alg, NULL);
		ok = OBJ_obj2nid(alg->algorithm) == NID_pbes2;
	}
	X509_SIG_free(sig);
	BIO_free(b);
	ERR_clear_error();
	return ok;
}

/*
 * What was written must be encrypted.  The traditional formats, where
 * OpenSSL's own writer can fall back to clear text, are also read back to
 * the same key (cheap: one MD5); PKCS#8 is checked for its PBES2 structure
 * without paying for the key derivation twice.
 */
static ks_status
check_written(ks_ctx *ctx, EVP_PKEY *pk, ks_cipher cipher, const char *pass,
    size_t passlen, const char *pem, size_t len)
{
	struct ks_pem back;
	struct ks_pass fx = { pass, passlen };
	char why[256], trad[80];
	const char *want = cipher == KS_CIPHER_AES256 ?
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" :
	    "Proc-Type: 4,ENCRYPTED\n";
	ks_status st;

	(void)snprintf(trad, sizeof(trad), "-----BEGIN %s PRIVATE KEY-----\n"
	    "Proc-Type: 4,ENCRYPTED\nDEK-Info: ", kx_pkey_type(pk) ==
	    KS_KEY_EC ? "EC" : "RSA");
	if (len < strlen(want) || strstr(pem, want) == NULL ||
	    strstr(pem, "-----BEGIN PRIVATE KEY") != NULL ||
	    (cipher != KS_CIPHER_AES256 && strstr(pem, trad) != pem))
		return kx_fail(ctx, KS_EFAIL, "refusing to write: OpenSSL "
		    "did not encrypt the private key");
	if (cipher == KS_CIPHER_AES256) {
		if (!pkcs8_is_pbes2(pem, len))
			return kx_fail(ctx, KS_EFAIL, "refusing to write: the "
			    "encrypted key is not PBES2");
		return KS_OK;
	}
	st = kx_pem_read(ctx, pem, len, kx_pkey_type(pk), kx_pem_fixed_pass,
	    &fx, KS_PBKDF2_ITER, &back);
	if (st != KS_OK) {
		snprintf(why, sizeof(why), "%s", ks_ctx_error(ctx));
		return kx_fail(ctx, KS_EFAIL, "refusing to write: the "
		    "encrypted key does not read back (%s)", why);
	}
	if (back.npriv != 1 || EVP_PKEY_eq(back.priv[0].pkey, pk) != 1)
		st = kx_fail(ctx, KS_EFAIL, "refusing to write: the encrypted "
		    "key reads back as a different key");
	kx_pem_clear(&back);
	ERR_clear_error();
	return st;
}

ks_status
kx_pem_fixed_pass(void *arg, const char *prompt, char *buf, size_t bufsz,
    size_t *len)
{
	const struct ks_pass *fx = arg;

	(void)prompt;
	if (fx->len > bufsz)
		return KS_EFAIL;
	memcpy(buf, fx->pass, fx->len);
	*len = fx->len;
	return KS_OK;
}

ks_status
kx_pem_write_private(ks_ctx *ctx, EVP_PKEY *pk, ks_cipher cipher,
    const char *pass, size_t passlen, BIO *out)
{
	BIO *mem;
	BUF_MEM *bm = NULL;
	ks_status st;

	if (passlen < KS_PASSPHRASE_MIN)
		return kx_fail(ctx, KS_EUSAGE, "the passphrase must have at "
		    "least %d characters", KS_PASSPHRASE_MIN);
	if ((mem = BIO_new(BIO_s_mem())) == NULL)
		return kx_fail(ctx, KS_EFAIL, "out of memory");
	switch (cipher) {
	case KS_CIPHER_AES256:
		st = write_pkcs8(ctx, pk, pass, passlen, mem);
		break;
	case KS_CIPHER_3DES:
		st = write_trad(ctx, pk, trad_find("DES-EDE3-CBC", 12), pass,
		    passlen, mem);
		break;
	case KS_CIPHER_DES:
		st = write_trad(ctx, pk, trad_find("DES-CBC", 7), pass,
		    passlen, mem);
		break;
	default:
		st = kx_fail(ctx, KS_EUSAGE, "unknown cipher");
		break;
	}
	if (st == KS_OK && (BIO_write(mem, "", 1) != 1 ||
	    BIO_get_mem_ptr(mem, &bm) <= 0 || bm == NULL || bm->length < 1))
		st = kx_fail(ctx, KS_EFAIL, "out of memory");
	if (st == KS_OK)
		st = check_written(ctx, pk, cipher, pass, passlen, bm->data,
		    bm->length - 1);
	if (st == KS_OK && BIO_write(out, bm->data, (int)bm->length - 1) !=
	    (int)bm->length - 1)
		st = kx_fail(ctx, KS_EFAIL, "out of memory");
	BIO_free(mem);
	return st;
}
