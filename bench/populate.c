/*
 * populate.c -- fill a token with N key pairs made the way cryptokey makes
 * them, fast: copies of one pair that "cryptokey generate rsa" made.
 *
 *	populate MODULE TOKEN-LABEL PIN-FILE SOURCE-LABEL N PREFIX
 *
 * For i in 1..N: C_CopyObject of the source's private and public key with
 * CKA_LABEL "PREFIXiiii" and a new CKA_ID, and a new cryptokey-meta record
 * (CKO_DATA, see libkeystore/meta.c) naming that ID.  The source pair stays
 * as it is.  A benchmark helper, built by bench/show-vs-pkcs11-tool.sh; not
 * part of the build or the tests.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <p11-kit/pkcs11.h>

#define META_APP	"cryptokey-meta"
#define ID_LEN		20
#define LABEL_MAX	128

static CK_FUNCTION_LIST *fn;
static CK_SESSION_HANDLE sess;

static int
fail(const char *what, CK_RV rv)
{
	fprintf(stderr, "populate: %s: CKR 0x%08lx\n", what, (unsigned long)rv);
	return 1;
}

static int
load(const char *module)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	void *h;
	CK_RV rv;

	if ((h = dlopen(module, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "populate: %s\n", dlerror());
		return 1;
	}
	*(void **)&get = dlsym(h, "C_GetFunctionList");
	if (get == NULL) {
		fprintf(stderr, "populate: %s has no C_GetFunctionList\n",
		    module);
		return 1;
	}
	if ((rv = get(&fn)) != CKR_OK)
		return fail("C_GetFunctionList", rv);
	if ((rv = fn->C_Initialize(NULL)) != CKR_OK)
		return fail("C_Initialize", rv);
	return 0;
}

static int
read_pin(const char *path, char *pin, size_t pinsz)
{
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return 1;
	}
	if (fgets(pin, (int)pinsz, f) == NULL) {
		fclose(f);
		fprintf(stderr, "populate: %s is empty\n", path);
		return 1;
	}
	fclose(f);
	pin[strcspn(pin, "\r\n")] = '\0';
	return 0;
}

static int
open_token(const char *label, const char *pinfile)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	char pin[256];
	size_t llen = strlen(label);
	CK_RV rv;

	if ((rv = fn->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
		return fail("C_GetSlotList", rv);
	for (i = 0; i < n; i++) {
		if (fn->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (llen <= sizeof(ti.label) &&
		    memcmp(ti.label, label, llen) == 0 &&
		    (llen == sizeof(ti.label) || ti.label[llen] == ' '))
			break;
	}
	if (i == n) {
		fprintf(stderr, "populate: no token '%s'\n", label);
		return 1;
	}
	rv = fn->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION,
	    NULL, NULL, &sess);
	if (rv != CKR_OK)
		return fail("C_OpenSession", rv);
	if (read_pin(pinfile, pin, sizeof(pin)) != 0)
		return 1;
	rv = fn->C_Login(sess, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	memset(pin, 0, sizeof(pin));
	if (rv != CKR_OK)
		return fail("C_Login", rv);
	return 0;
}

/* The one object of class cls labelled label; 0 if not exactly one. */
static CK_OBJECT_HANDLE
find_one(CK_OBJECT_CLASS cls, const char *label)
{
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_OBJECT_HANDLE h[2];
	CK_ULONG got = 0;

	if (fn->C_FindObjectsInit(sess, t, 2) != CKR_OK)
		return 0;
	if (fn->C_FindObjects(sess, h, 2, &got) != CKR_OK)
		got = 0;
	(void)fn->C_FindObjectsFinal(sess);
	return got == 1 ? h[0] : 0;
}

static int
copy_key(CK_OBJECT_HANDLE src, const char *label, const unsigned char *id)
{
	CK_ATTRIBUTE t[] = {
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, (void *)id, ID_LEN },
	};
	CK_OBJECT_HANDLE h;
	CK_RV rv;

	if ((rv = fn->C_CopyObject(sess, src, t, 2, &h)) != CKR_OK)
		return fail("C_CopyObject", rv);
	return 0;
}

/* The record as libkeystore/meta.c writes it. */
static int
create_meta(const char *label, const unsigned char *id, time_t created)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	char value[512], hex[2 * ID_LEN + 1], when[32];
	struct tm tm;
	CK_OBJECT_HANDLE h;
	size_t i;
	int n;
	CK_RV rv;

	for (i = 0; i < ID_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	if (gmtime_r(&created, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return 1;
	n = snprintf(value, sizeof(value), "%s 1\nid %s\nusage general\n"
	    "created %s\n", META_APP, hex, when);
	if (n < 0 || (size_t)n >= sizeof(value))
		return 1;

	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_APPLICATION, META_APP, sizeof(META_APP) - 1 },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_VALUE, value, (CK_ULONG)n },
	};

	if ((rv = fn->C_CreateObject(sess, t, 6, &h)) != CKR_OK)
		return fail("C_CreateObject (record)", rv);
	return 0;
}

int
main(int argc, char **argv)
{
	CK_OBJECT_HANDLE priv, pub;
	unsigned char id[ID_LEN];
	char label[LABEL_MAX + 1];
	time_t now = time(NULL);
	long i, count;
	char *end;
	int status = 0;

	if (argc != 7) {
		fprintf(stderr, "usage: populate MODULE TOKEN-LABEL PIN-FILE "
		    "SOURCE-LABEL N PREFIX\n");
		return 2;
	}
	count = strtol(argv[5], &end, 10);
	if (*end != '\0' || count < 0 || count > 99999 ||
	    strlen(argv[6]) > LABEL_MAX - 5) {
		fprintf(stderr, "populate: bad N or PREFIX\n");
		return 2;
	}
	if (load(argv[1]) != 0 || open_token(argv[2], argv[3]) != 0)
		return 1;
	priv = find_one(CKO_PRIVATE_KEY, argv[4]);
	pub = find_one(CKO_PUBLIC_KEY, argv[4]);
	if (priv == 0 || pub == 0) {
		fprintf(stderr, "populate: no single pair '%s'\n", argv[4]);
		return 1;
	}
	for (i = 1; i <= count && status == 0; i++) {
		snprintf(label, sizeof(label), "%s%05ld", argv[6], i);
		memset(id, 0, sizeof(id));
		memcpy(id, "bench", 5);
		id[ID_LEN - 3] = (unsigned char)(i >> 16);
		id[ID_LEN - 2] = (unsigned char)(i >> 8);
		id[ID_LEN - 1] = (unsigned char)i;
		status = create_meta(label, id, now) ||
		    copy_key(priv, label, id) || copy_key(pub, label, id);
	}
	(void)fn->C_Logout(sess);
	(void)fn->C_CloseSession(sess);
	(void)fn->C_Finalize(NULL);
	return status;
}
