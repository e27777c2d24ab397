/*
 * keyprobe -- the state of a token's key pairs in one process, for the
 * crash-safety sweeps (tests/cli/crash.sh), which ask thousands of times
 * what "cryptokey show", pkcs11-tool and OpenSSL's pkcs11 engine would
 * each have taken a process of their own to tell.
 *
 *	keyprobe MODULE PINFILE [-c] [-t rsa|ec] [-l LABEL] TOKEN...
 *	keyprobe -p PEMFILE
 *
 * For each TOKEN, in order, lines of words:
 *
 *	TOKEN count N		objects on the token (C_FindObjects, empty
 *				template, logged in)
 *	TOKEN pair ID USAGE STATE SPKI USE
 *				one per pair the library lists (ks_list, as
 *				"cryptokey show" lists them; LABEL and the key
 *				type as its options say), sorted by ID
 *	TOKEN error TEXT	the token could not be opened or listed
 *
 * STATE is plain, unlocked or locked; SPKI the first 16 hex digits of the
 * SHA-256 of the pair's DER public key; USE is "signs" when the private
 * key with the pair's CKA_ID (the first the token finds, as OpenSSL's
 * pkcs11 engine takes it) signs and the signature verifies with the listed
 * public key (an encryption pair: "decrypts" when it decrypts what the
 * public key encrypted), "bad" when not, "-" for a locked pair.
 *
 * -c prints the count only; -p prints SPKI for the public key in PEMFILE.
 * Exit 0, or 1 when a token gave an error line or an argument is wrong.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ks_internal.h"
#include "tools/ikesignd/ikesignd.h"	/* sig_ecdsa_to_der */
#include "tests/unit/token.h"	/* unit_secret_cb */

#define MSG	"keyprobe test message"

/* the first 8 bytes of SHA-256 of der, as hex, into out (17 bytes) */
static int
spki_hash(const unsigned char *der, size_t len, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < 8)
		return -1;
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int
pem_hash(const char *path)
{
	EVP_PKEY *pk = NULL;
	unsigned char *der = NULL;
	char hash[17];
	FILE *f;
	int len, rc = 1;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "keyprobe: cannot open %s\n", path);
		return 1;
	}
	pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (pk != NULL && (len = i2d_PUBKEY(pk, &der)) > 0 &&
	    spki_hash(der, (size_t)len, hash) == 0) {
		printf("%s\n", hash);
		rc = 0;
	} else
		fprintf(stderr, "keyprobe: no public key in %s\n", path);
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
	return rc;
}

/* the first private key with CKA_ID id; 0 when found */
static int
find_private(struct p11_session *s, const ks_key *k, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, (void *)k->id, k->idlen },
	};
	CK_OBJECT_HANDLE *found = NULL;
	size_t n = 0;

	if (p11_find(s, t, 2, &found, &n) != CKR_OK || n == 0) {
		free(found);
		return -1;
	}
	*h = found[0];
	free(found);
	return 0;
}

/* the private key signs, and the public key verifies it (ECDSA's r || s
 * made DER as ikesignd makes it, sig.c) */
static int
signs(struct p11_session *s, CK_OBJECT_HANDLE priv, EVP_PKEY *pub)
{
	unsigned char sig[1024], md[32], der[160];
	const unsigned char *in = (const unsigned char *)MSG, *v = sig;
	CK_ULONG siglen = sizeof(sig);
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	EVP_MD_CTX *mctx;
	const EVP_MD *dg = EVP_sha256();
	size_t inlen = strlen(MSG), vlen, derlen = sizeof(der);
	unsigned int mdlen = 0;
	int ok = 0;

	switch (EVP_PKEY_get_base_id(pub)) {
	case EVP_PKEY_RSA:
		if (p11_sign(s, &mech, priv, in, inlen, sig, &siglen) != CKR_OK)
			return 0;
		vlen = siglen;
		break;
	case EVP_PKEY_EC:
		mech.mechanism = CKM_ECDSA;
		if (EVP_Digest(in, inlen, md, &mdlen, dg, NULL) != 1 ||
		    p11_sign(s, &mech, priv, md, mdlen, sig, &siglen) !=
		    CKR_OK || sig_ecdsa_to_der(sig, siglen, der, &derlen) != 0)
			return 0;
		v = der;
		vlen = derlen;
		break;
	case EVP_PKEY_ED25519:
		mech.mechanism = CKM_EDDSA;
		dg = NULL;
		if (p11_sign(s, &mech, priv, in, inlen, sig, &siglen) != CKR_OK)
			return 0;
		vlen = siglen;
		break;
	default:
		return 0;
	}
	if ((mctx = EVP_MD_CTX_new()) != NULL) {
		ok = EVP_DigestVerifyInit(mctx, NULL, dg, NULL, pub) == 1 &&
		    EVP_DigestVerify(mctx, v, vlen, in, inlen) == 1;
		EVP_MD_CTX_free(mctx);
	}
	return ok;
}

/* the private key decrypts what the public key encrypted (RSA PKCS#1) */
static int
decrypts(struct p11_session *s, CK_OBJECT_HANDLE priv, EVP_PKEY *pub)
{
	unsigned char ct[1024], back[1024];
	size_t ctlen = sizeof(ct);
	CK_ULONG backlen = sizeof(back);
	CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
	EVP_PKEY_CTX *pctx;
	int ok;

	if ((pctx = EVP_PKEY_CTX_new(pub, NULL)) == NULL)
		return 0;
	ok = EVP_PKEY_encrypt_init(pctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_encrypt(pctx, ct, &ctlen, (const unsigned char *)MSG,
	    strlen(MSG)) == 1;
	EVP_PKEY_CTX_free(pctx);
	if (!ok || p11_decrypt(s, &mech, priv, ct, ctlen, back, &backlen) !=
	    CKR_OK)
		return 0;
	return backlen == strlen(MSG) && memcmp(back, MSG, backlen) == 0;
}

/* "signs", "decrypts" or "bad" for an unlocked pair */
static const char *
use_of(struct p11_session *s, const ks_key *k)
{
	const unsigned char *p = k->spki;
	CK_OBJECT_HANDLE priv;
	EVP_PKEY *pub;
	int ok = 0;

	if ((pub = d2i_PUBKEY(NULL, &p, (long)k->spkilen)) == NULL ||
	    find_private(s, k, &priv) != 0) {
		EVP_PKEY_free(pub);
		return "bad";
	}
	if (k->usage == KS_USAGE_ENCRYPTION) {
		ok = decrypts(s, priv, pub);
		EVP_PKEY_free(pub);
		return ok ? "decrypts" : "bad";
	}
	ok = signs(s, priv, pub);
	EVP_PKEY_free(pub);
	return ok ? "signs" : "bad";
}

static int
by_id(const void *a, const void *b)
{
	const ks_key *x = *(ks_key *const *)a, *y = *(ks_key *const *)b;
	size_t n = x->idlen < y->idlen ? x->idlen : y->idlen;
	int c = memcmp(x->id, y->id, n);

	if (c != 0)
		return c;
	return x->idlen < y->idlen ? -1 : x->idlen > y->idlen;
}

static void
print_pair(struct p11_session *s, const char *token, const ks_key *k)
{
	char hash[17] = "-";
	size_t i;

	printf("%s pair ", token);
	for (i = 0; i < k->idlen; i++)
		printf("%02x", k->id[i]);
	if (k->spki == NULL || spki_hash(k->spki, k->spkilen, hash) != 0)
		strcpy(hash, "-");
	printf(" %s %s %s %s\n", ks_usage_name(k->usage),
	    k->locked ? "locked" : k->encrypted ? "unlocked" : "plain", hash,
	    k->locked ? "-" : use_of(s, k));
}

struct probe {
	const char	*module;
	const char	*pin;
	const char	*label;		/* NULL: every pair */
	int		 types;
	int		 count_only;	/* -c: no pairs */
};

/* the lines of one token; 0, or 1 after an error line */
static int
probe_token(const struct probe *pr, const char *token)
{
	ks_ctx *ctx = NULL;
	ks_key **keys = NULL;
	CK_OBJECT_HANDLE *all = NULL;
	size_t n = 0, nall = 0, i;
	int rc = 0;

	if (ks_ctx_new(&ctx) != KS_OK) {
		printf("%s error out of memory\n", token);
		return 1;
	}
	ks_ctx_set_pin_fn(ctx, unit_secret_cb, (void *)pr->pin);
	if (ks_ctx_set_module(ctx, pr->module) != KS_OK ||
	    ks_ctx_set_token(ctx, token) != KS_OK ||
	    ks_ctx_open(ctx, KS_OPEN_LOGIN) != KS_OK) {
		printf("%s error %s\n", token, ks_ctx_error(ctx));
		ks_ctx_free(ctx);
		return 1;
	}
	if (p11_find(&ctx->sess, NULL, 0, &all, &nall) == CKR_OK)
		printf("%s count %zu\n", token, nall);
	else {
		printf("%s error cannot count the objects\n", token);
		rc = 1;
	}
	free(all);
	if (pr->count_only) {
		ks_ctx_free(ctx);
		return rc;
	}
	ks_ctx_set_key_types(ctx, pr->types);
	if (ks_list(ctx, pr->label, &keys, &n) != KS_OK) {
		printf("%s error %s\n", token, ks_ctx_error(ctx));
		ks_ctx_free(ctx);
		return 1;
	}
	if (n > 1)
		qsort(keys, n, sizeof(*keys), by_id);
	for (i = 0; i < n; i++)
		print_pair(&ctx->sess, token, keys[i]);
	ks_keys_free(keys, n);
	ks_ctx_free(ctx);
	return rc;
}

/* the first line of path, without its newline, allocated; NULL on error */
static char *
read_pin(const char *path)
{
	char buf[256], *pin;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	pin = strdup(buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return pin;
}

static int
usage(void)
{
	fprintf(stderr, "usage: keyprobe MODULE PINFILE [-c] [-t rsa|ec] "
	    "[-l LABEL] TOKEN...\n       keyprobe -p PEMFILE\n");
	return 1;
}

int
main(int argc, char **argv)
{
	struct probe pr = { NULL, NULL, NULL, KS_KEY_ALL, 0 };
	char *pin;
	int i, rc = 0;

	if (argc == 3 && strcmp(argv[1], "-p") == 0)
		return pem_hash(argv[2]);
	if (argc < 4)
		return usage();
	pr.module = argv[1];
	if ((pin = read_pin(argv[2])) == NULL) {
		fprintf(stderr, "keyprobe: cannot read a PIN from %s\n",
		    argv[2]);
		return 1;
	}
	pr.pin = pin;
	for (i = 3; i < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-c") == 0) {
			pr.count_only = 1;
			i--;
			continue;
		}
		if (i + 1 >= argc) {
			rc = usage();
			break;
		}
		if (strcmp(argv[i], "-l") == 0)
			pr.label = argv[i + 1];
		else if (strcmp(argv[i], "-t") == 0 &&
		    strcmp(argv[i + 1], "rsa") == 0)
			pr.types = KS_KEY_RSA;
		else if (strcmp(argv[i], "-t") == 0 &&
		    strcmp(argv[i + 1], "ec") == 0)
			pr.types = KS_KEY_EC;
		else {
			rc = usage();
			break;
		}
	}
	if (rc == 0 && i >= argc)
		rc = usage();
	if (rc == 0)
		for (; i < argc; i++)
			rc |= probe_token(&pr, argv[i]);
	OPENSSL_cleanse(pin, strlen(pin));
	free(pin);
	return rc;
}
