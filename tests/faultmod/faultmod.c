/*
 * faultmod.c -- a PKCS#11 module that forwards every call to a real module
 * (SoftHSM2 in the tests) and injects one fault at the Nth call.
 *
 *	CRYPTOKEY_FAULT_TARGET	path of the real module (required)
 *	CRYPTOKEY_FAULT_AT	N: the call that goes wrong (1-based; 0 = none);
 *				read at every call, so that a test can aim
 *				at a call of its own process (setenv with
 *				the count so far plus k)
 *	CRYPTOKEY_FAULT_MODE	fail:  call N returns CKR_DEVICE_ERROR and
 *				       never reaches the real module
 *				crash: call N reaches the real module, then
 *				       the process dies (_exit 137) before the
 *				       caller sees the result
 *				error: as fail, but as a token that keeps
 *				       to PKCS#11 fails: when call N is one
 *				       whose failure ends an operation (a
 *				       single-part C_Sign, C_Verify,
 *				       C_Encrypt, C_Decrypt, C_Digest, their
 *				       Final, and C_FindObjectsFinal), the
 *				       real module gets it and ends the
 *				       operation (its output goes to a
 *				       scratch buffer and is wiped); the
 *				       caller gets CKR_DEVICE_ERROR and no
 *				       output.  With fail the operation stays
 *				       active in the real module.
 *	CRYPTOKEY_FAULT_COUNT	file that receives the number of calls made,
 *				rewritten after every call
 *	CRYPTOKEY_FAULT_TRACE	file that gets one line per call, appended:
 *				its number and the function's name
 *	CRYPTOKEY_FAULT_NO_UNWRAP
 *				1: act as a token that cannot unwrap (as
 *				one behind p11-kit's RPC): no CKF_UNWRAP in
 *				C_GetMechanismInfo, and C_UnwrapKey answers
 *				CKR_MECHANISM_INVALID
 *	CRYPTOKEY_FAULT_NO_PSS	1: act as a token without RSA-PSS: no
 *				CKM_RSA_PKCS_PSS in C_GetMechanismList or
 *				C_GetMechanismInfo, and C_SignInit with it
 *				answers CKR_MECHANISM_INVALID
 *	CRYPTOKEY_FAULT_NO_MECH	a CKM_* number (0x... allowed): act as
 *				a token without that mechanism in
 *				C_GetMechanismInfo and C_SignInit, which
 *				answer CKR_MECHANISM_INVALID
 *	CRYPTOKEY_FAULT_SIGN_DELAY_MS
 *				N: C_Sign waits N ms before the real one,
 *				as a slow token does
 *	CRYPTOKEY_FAULT_SIGN_LOG
 *				file that gets "begin" and "end" lines
 *				around each C_Sign, appended: a test sees
 *				whether signatures overlapped, and what
 *				happened while one was being made
 *	CRYPTOKEY_FAULT_HOLD	a file: while it exists, C_FindObjectsInit
 *				and C_GetAttributeValue wait (60 s at
 *				most), as on a token busy with a long
 *				command; each call that waits writes
 *				"held" and then "released" to
 *				CRYPTOKEY_FAULT_SIGN_LOG
 *
 * All but CRYPTOKEY_FAULT_AT are read at each C_GetFunctionList, i.e. when
 * a caller loads the module.  Calls may come from several threads (the
 * signer's workers): the count is kept under a lock, and each thread
 * remembers the number of its own call for the crash point.
 *
 * Test code only: it lets the crash-safety tests stop an operation at every
 * step and look at what the token holds afterwards.
 */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST *real;
static CK_FUNCTION_LIST wrapped;
static unsigned long calls, fault_at;
static _Thread_local unsigned long this_call;	/* the thread's last */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int crash_mode, error_mode, no_unwrap, no_pss;
static unsigned long no_mech;	/* 0: none refused */
static unsigned long sign_delay_ms;
static const char *count_file, *logins_file, *broken_file, *trace_file;
static const char *sign_log, *hold_file;

static void
write_count(void)
{
	char buf[32];
	int fd, n;

	if (count_file == NULL)
		return;
	if ((fd = open(count_file, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%lu\n", calls);
	(void)!write(fd, buf, (size_t)n);
	close(fd);
}

static void
write_trace(const char *name)
{
	char buf[96];
	int fd, n;

	if (trace_file == NULL)
		return;
	if ((fd = open(trace_file, O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%lu %s\n", calls, name);
	(void)!write(fd, buf, (size_t)n);
	close(fd);
}

/* Before the real call: CKR_OK to go on, or the injected failure. */
static CK_RV
before(const char *name)
{
	const char *at;
	int fail;

	(void)pthread_mutex_lock(&count_lock);
	this_call = ++calls;
	write_count();
	write_trace(name);
	at = getenv("CRYPTOKEY_FAULT_AT");
	fault_at = at != NULL ? strtoul(at, NULL, 10) : 0;
	fail = fault_at != 0 && this_call == fault_at && !crash_mode;
	(void)pthread_mutex_unlock(&count_lock);
	return fail ? CKR_DEVICE_ERROR : CKR_OK;
}

/* After the real call: die here when this was the crash point. */
static CK_RV
after(CK_RV rv)
{
	if (fault_at != 0 && this_call == fault_at && crash_mode)
		_exit(137);
	return rv;
}

/* One line of CRYPTOKEY_FAULT_SIGN_LOG: what, the thread. */
static void
sign_log_line(const char *what)
{
	char buf[64];
	int fd, n;

	if (sign_log == NULL)
		return;
	if ((fd = open(sign_log, O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%s %lu\n", what,
	    (unsigned long)pthread_self());
	(void)!write(fd, buf, (size_t)n);
	close(fd);
}

/* While CRYPTOKEY_FAULT_HOLD's file exists (60 s at most). */
static void
hold(void)
{
	struct timespec ts;
	int i;

	if (hold_file == NULL || access(hold_file, F_OK) != 0)
		return;
	sign_log_line("held");
	for (i = 0; i < 6000 && access(hold_file, F_OK) == 0; i++) {
		ts.tv_sec = 0;
		ts.tv_nsec = 10 * 1000000L;
		while (nanosleep(&ts, &ts) != 0)
			;
	}
	sign_log_line("released");
}

/* what a call that ends an operation writes in error mode, then wiped */
static unsigned char scratch[16384];

/*
 * A call whose failure ends an operation: in error mode the injected
 * failure reaches the real module as endargs (the scratch buffer for the
 * output), so that the operation ends there as on a conforming token.
 */
#define FWD_END(name, params, args, endargs)			\
static CK_RV							\
w_##name params							\
{								\
	CK_ULONG sl = sizeof(scratch);				\
	CK_RV rv;						\
								\
	(void)sl;						\
	if ((rv = before(#name)) != CKR_OK) {			\
		if (error_mode) {				\
			(void)real->name endargs;		\
			memset(scratch, 0, sizeof(scratch));	\
		}						\
		return rv;					\
	}							\
	return after(real->name args);				\
}

/* A call forwarded as it is; held (1): after waiting while
 * CRYPTOKEY_FAULT_HOLD's file exists. */
#define FWD_HOLD(name, params, args, held)			\
static CK_RV							\
w_##name params							\
{								\
	CK_RV rv;						\
								\
	if ((rv = before(#name)) != CKR_OK)			\
		return rv;					\
	if (held)						\
		hold();						\
	return after(real->name args);				\
}
#define FWD(name, params, args)		FWD_HOLD(name, params, args, 0)
#define FWD_HELD(name, params, args)	FWD_HOLD(name, params, args, 1)

static CK_RV
w_C_Initialize(CK_VOID_PTR a)
{
	CK_RV rv;

	if ((rv = before("C_Initialize")) != CKR_OK)
		return rv;
	if (broken_file != NULL && access(broken_file, F_OK) == 0)
		return after(CKR_DEVICE_ERROR);
	return after(real->C_Initialize(a));
}

FWD(C_Finalize, (CK_VOID_PTR a), (a))
FWD(C_GetInfo, (CK_INFO_PTR a), (a))
FWD(C_GetSlotList, (CK_BBOOL a, CK_SLOT_ID_PTR b, CK_ULONG_PTR c), (a, b, c))
FWD(C_GetSlotInfo, (CK_SLOT_ID a, CK_SLOT_INFO_PTR b), (a, b))

/*
 * CRYPTOKEY_FAULT_TOKEN_FLAGS=N (decimal or 0x hex): ORed into the flags
 * C_GetTokenInfo reports, e.g. CKF_USER_PIN_COUNT_LOW (0x10000), which
 * SoftHSM2 never sets for its user PIN's last tries.
 */
static CK_FLAGS extra_token_flags;

static CK_RV
w_C_GetTokenInfo(CK_SLOT_ID a, CK_TOKEN_INFO_PTR b)
{
	CK_RV rv;

	if ((rv = before("C_GetTokenInfo")) != CKR_OK)
		return rv;
	rv = real->C_GetTokenInfo(a, b);
	if (rv == CKR_OK && b != NULL)
		b->flags |= extra_token_flags;
	return after(rv);
}
static CK_RV
w_C_GetMechanismList(CK_SLOT_ID a, CK_MECHANISM_TYPE_PTR b, CK_ULONG_PTR c)
{
	CK_ULONG i, j;
	CK_RV rv;

	if ((rv = before("C_GetMechanismList")) != CKR_OK)
		return rv;
	rv = real->C_GetMechanismList(a, b, c);
	if (rv == CKR_OK && no_pss && b != NULL) {
		for (i = 0, j = 0; i < *c; i++)
			if (b[i] != CKM_RSA_PKCS_PSS)
				b[j++] = b[i];
		*c = j;
	}
	return after(rv);
}

static CK_RV
w_C_GetMechanismInfo(CK_SLOT_ID a, CK_MECHANISM_TYPE b, CK_MECHANISM_INFO_PTR c)
{
	CK_RV rv;

	if ((rv = before("C_GetMechanismInfo")) != CKR_OK)
		return rv;
	if (no_pss && b == CKM_RSA_PKCS_PSS)
		return after(CKR_MECHANISM_INVALID);
	if (no_mech != 0 && b == no_mech)
		return after(CKR_MECHANISM_INVALID);
	rv = real->C_GetMechanismInfo(a, b, c);
	if (rv == CKR_OK && no_unwrap)
		c->flags &= ~(CK_FLAGS)CKF_UNWRAP;
	return after(rv);
}

FWD(C_InitToken, (CK_SLOT_ID a, CK_UTF8CHAR_PTR b, CK_ULONG c,
    CK_UTF8CHAR_PTR d), (a, b, c, d))
FWD(C_InitPIN, (CK_SESSION_HANDLE a, CK_UTF8CHAR_PTR b, CK_ULONG c),
    (a, b, c))
FWD(C_SetPIN, (CK_SESSION_HANDLE a, CK_UTF8CHAR_PTR b, CK_ULONG c,
    CK_UTF8CHAR_PTR d, CK_ULONG e), (a, b, c, d, e))
FWD(C_OpenSession, (CK_SLOT_ID a, CK_FLAGS b, CK_VOID_PTR c, CK_NOTIFY d,
    CK_SESSION_HANDLE_PTR e), (a, b, c, d, e))
FWD(C_CloseSession, (CK_SESSION_HANDLE a), (a))
FWD(C_CloseAllSessions, (CK_SLOT_ID a), (a))
FWD(C_GetSessionInfo, (CK_SESSION_HANDLE a, CK_SESSION_INFO_PTR b), (a, b))
FWD(C_GetOperationState, (CK_SESSION_HANDLE a, CK_BYTE_PTR b,
    CK_ULONG_PTR c), (a, b, c))
FWD(C_SetOperationState, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_OBJECT_HANDLE d, CK_OBJECT_HANDLE e), (a, b, c, d, e))
static void
log_login(void)
{
	char buf[32];
	int fd, n;

	if (logins_file == NULL)
		return;
	if ((fd = open(logins_file, O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0)
		return;
	n = snprintf(buf, sizeof(buf), "login %ld\n", (long)getpid());
	(void)!write(fd, buf, (size_t)n);
	close(fd);
}

static CK_RV
w_C_Login(CK_SESSION_HANDLE a, CK_USER_TYPE b, CK_UTF8CHAR_PTR c, CK_ULONG d)
{
	CK_RV rv;

	log_login();
	if ((rv = before("C_Login")) != CKR_OK)
		return rv;
	return after(real->C_Login(a, b, c, d));
}
FWD(C_Logout, (CK_SESSION_HANDLE a), (a))
FWD(C_CreateObject, (CK_SESSION_HANDLE a, CK_ATTRIBUTE_PTR b, CK_ULONG c,
    CK_OBJECT_HANDLE_PTR d), (a, b, c, d))
FWD(C_CopyObject, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b,
    CK_ATTRIBUTE_PTR c, CK_ULONG d, CK_OBJECT_HANDLE_PTR e), (a, b, c, d, e))
FWD(C_DestroyObject, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b), (a, b))
FWD(C_GetObjectSize, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b,
    CK_ULONG_PTR c), (a, b, c))
FWD_HELD(C_GetAttributeValue, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b,
    CK_ATTRIBUTE_PTR c, CK_ULONG d), (a, b, c, d))
FWD(C_SetAttributeValue, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b,
    CK_ATTRIBUTE_PTR c, CK_ULONG d), (a, b, c, d))
FWD_HELD(C_FindObjectsInit, (CK_SESSION_HANDLE a, CK_ATTRIBUTE_PTR b,
    CK_ULONG c), (a, b, c))
FWD(C_FindObjects, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE_PTR b, CK_ULONG c,
    CK_ULONG_PTR d), (a, b, c, d))
FWD_END(C_FindObjectsFinal, (CK_SESSION_HANDLE a), (a), (a))
FWD(C_EncryptInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b,
    CK_OBJECT_HANDLE c), (a, b, c))
FWD_END(C_Encrypt, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e), (a, b, c, scratch, &sl))
FWD(C_EncryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e))
FWD_END(C_EncryptFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c),
    (a, b, c), (a, scratch, &sl))
FWD(C_DecryptInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b,
    CK_OBJECT_HANDLE c), (a, b, c))
FWD_END(C_Decrypt, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e), (a, b, c, scratch, &sl))
FWD(C_DecryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e))
FWD_END(C_DecryptFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c),
    (a, b, c), (a, scratch, &sl))
FWD(C_DigestInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b), (a, b))
FWD_END(C_Digest, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e), (a, b, c, scratch, &sl))
FWD(C_DigestUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c),
    (a, b, c))
FWD(C_DigestKey, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b), (a, b))
FWD_END(C_DigestFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c),
    (a, b, c), (a, scratch, &sl))
static CK_RV
w_C_SignInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c)
{
	CK_RV rv;

	if ((rv = before("C_SignInit")) != CKR_OK)
		return rv;
	if (no_pss && b != NULL && b->mechanism == CKM_RSA_PKCS_PSS)
		return after(CKR_MECHANISM_INVALID);
	if (no_mech != 0 && b != NULL && b->mechanism == no_mech)
		return after(CKR_MECHANISM_INVALID);
	return after(real->C_SignInit(a, b, c));
}
/* C_Sign: FWD_END's, as slow as CRYPTOKEY_FAULT_SIGN_DELAY_MS says, and
 * logged. */
static CK_RV
w_C_Sign(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
    CK_ULONG_PTR e)
{
	CK_ULONG sl = sizeof(scratch);
	struct timespec ts;
	CK_RV rv;

	if ((rv = before("C_Sign")) != CKR_OK) {
		if (error_mode) {
			(void)real->C_Sign(a, b, c, scratch, &sl);
			memset(scratch, 0, sizeof(scratch));
		}
		return rv;
	}
	sign_log_line("begin");
	if (sign_delay_ms > 0) {
		ts.tv_sec = (time_t)(sign_delay_ms / 1000);
		ts.tv_nsec = (long)(sign_delay_ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) != 0)
			;
	}
	rv = real->C_Sign(a, b, c, d, e);
	sign_log_line("end");
	return after(rv);
}
FWD(C_SignUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c),
    (a, b, c))
FWD_END(C_SignFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c),
    (a, b, c), (a, scratch, &sl))
FWD(C_SignRecoverInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b,
    CK_OBJECT_HANDLE c), (a, b, c))
FWD(C_SignRecover, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e))
FWD(C_VerifyInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b,
    CK_OBJECT_HANDLE c), (a, b, c))
FWD_END(C_Verify, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG e), (a, b, c, d, e), (a, b, c, d, e))
FWD(C_VerifyUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c),
    (a, b, c))
FWD_END(C_VerifyFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c),
    (a, b, c), (a, b, c))
FWD(C_VerifyRecoverInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b,
    CK_OBJECT_HANDLE c), (a, b, c))
FWD(C_VerifyRecover, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e))
FWD(C_DigestEncryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e))
FWD(C_DecryptDigestUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e))
FWD(C_SignEncryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e))
FWD(C_DecryptVerifyUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
    CK_BYTE_PTR d, CK_ULONG_PTR e), (a, b, c, d, e))
FWD(C_GenerateKey, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b,
    CK_ATTRIBUTE_PTR c, CK_ULONG d, CK_OBJECT_HANDLE_PTR e), (a, b, c, d, e))
FWD(C_GenerateKeyPair, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b,
    CK_ATTRIBUTE_PTR c, CK_ULONG d, CK_ATTRIBUTE_PTR e, CK_ULONG f,
    CK_OBJECT_HANDLE_PTR g, CK_OBJECT_HANDLE_PTR h), (a, b, c, d, e, f, g, h))
FWD(C_WrapKey, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c,
    CK_OBJECT_HANDLE d, CK_BYTE_PTR e, CK_ULONG_PTR f), (a, b, c, d, e, f))

static CK_RV
w_C_UnwrapKey(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c,
    CK_BYTE_PTR d, CK_ULONG e, CK_ATTRIBUTE_PTR f, CK_ULONG g,
    CK_OBJECT_HANDLE_PTR h)
{
	CK_RV rv;

	if ((rv = before("C_UnwrapKey")) != CKR_OK)
		return rv;
	if (no_unwrap)
		return after(CKR_MECHANISM_INVALID);
	return after(real->C_UnwrapKey(a, b, c, d, e, f, g, h));
}

FWD(C_DeriveKey, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c,
    CK_ATTRIBUTE_PTR d, CK_ULONG e, CK_OBJECT_HANDLE_PTR f),
    (a, b, c, d, e, f))
FWD(C_SeedRandom, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c), (a, b, c))
FWD(C_GenerateRandom, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c),
    (a, b, c))
FWD(C_GetFunctionStatus, (CK_SESSION_HANDLE a), (a))
FWD(C_CancelFunction, (CK_SESSION_HANDLE a), (a))
FWD(C_WaitForSlotEvent, (CK_FLAGS a, CK_SLOT_ID_PTR b, CK_VOID_PTR c),
    (a, b, c))

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

static CK_RV
load_real(void)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	const char *target;
	void *dl;

	if (real != NULL)
		return CKR_OK;
	if ((target = getenv("CRYPTOKEY_FAULT_TARGET")) == NULL)
		return CKR_GENERAL_ERROR;
	if ((dl = dlopen(target, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return CKR_GENERAL_ERROR;
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	if (get == NULL || get(&real) != CKR_OK || real == NULL)
		return CKR_GENERAL_ERROR;
	return CKR_OK;
}

/*
 * The settings, read at every C_GetFunctionList: a process that loads the
 * module again (a unit test with one context after another) may find it
 * still in memory, and gets the settings of its environment now.
 */
static void
read_settings(void)
{
	const char *mode, *nu;

	mode = getenv("CRYPTOKEY_FAULT_MODE");
	crash_mode = mode != NULL && strcmp(mode, "crash") == 0;
	error_mode = mode != NULL && strcmp(mode, "error") == 0;
	count_file = getenv("CRYPTOKEY_FAULT_COUNT");
	trace_file = getenv("CRYPTOKEY_FAULT_TRACE");
	logins_file = getenv("CRYPTOKEY_FAULT_LOGINS");
	broken_file = getenv("CRYPTOKEY_FAULT_BROKEN");
	nu = getenv("CRYPTOKEY_FAULT_NO_UNWRAP");
	no_unwrap = nu != NULL && strcmp(nu, "1") == 0;
	nu = getenv("CRYPTOKEY_FAULT_NO_PSS");
	no_pss = nu != NULL && strcmp(nu, "1") == 0;
	nu = getenv("CRYPTOKEY_FAULT_NO_MECH");
	no_mech = nu != NULL ? strtoul(nu, NULL, 0) : 0;
	nu = getenv("CRYPTOKEY_FAULT_TOKEN_FLAGS");
	extra_token_flags = nu != NULL ? strtoul(nu, NULL, 0) : 0;
	nu = getenv("CRYPTOKEY_FAULT_SIGN_DELAY_MS");
	sign_delay_ms = nu != NULL ? strtoul(nu, NULL, 10) : 0;
	sign_log = getenv("CRYPTOKEY_FAULT_SIGN_LOG");
	hold_file = getenv("CRYPTOKEY_FAULT_HOLD");
}

#define SET(name)	wrapped.name = w_##name

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	CK_RV rv;

	if ((rv = load_real()) != CKR_OK)
		return rv;
	read_settings();
	wrapped.version = real->version;
	wrapped.C_GetFunctionList = C_GetFunctionList;
	SET(C_Initialize); SET(C_Finalize); SET(C_GetInfo);
	SET(C_GetSlotList); SET(C_GetSlotInfo); SET(C_GetTokenInfo);
	SET(C_GetMechanismList); SET(C_GetMechanismInfo); SET(C_InitToken);
	SET(C_InitPIN); SET(C_SetPIN); SET(C_OpenSession);
	SET(C_CloseSession); SET(C_CloseAllSessions); SET(C_GetSessionInfo);
	SET(C_GetOperationState); SET(C_SetOperationState); SET(C_Login);
	SET(C_Logout); SET(C_CreateObject); SET(C_CopyObject);
	SET(C_DestroyObject); SET(C_GetObjectSize); SET(C_GetAttributeValue);
	SET(C_SetAttributeValue); SET(C_FindObjectsInit); SET(C_FindObjects);
	SET(C_FindObjectsFinal); SET(C_EncryptInit); SET(C_Encrypt);
	SET(C_EncryptUpdate); SET(C_EncryptFinal); SET(C_DecryptInit);
	SET(C_Decrypt); SET(C_DecryptUpdate); SET(C_DecryptFinal);
	SET(C_DigestInit); SET(C_Digest); SET(C_DigestUpdate);
	SET(C_DigestKey); SET(C_DigestFinal); SET(C_SignInit); SET(C_Sign);
	SET(C_SignUpdate); SET(C_SignFinal); SET(C_SignRecoverInit);
	SET(C_SignRecover); SET(C_VerifyInit); SET(C_Verify);
	SET(C_VerifyUpdate); SET(C_VerifyFinal); SET(C_VerifyRecoverInit);
	SET(C_VerifyRecover); SET(C_DigestEncryptUpdate);
	SET(C_DecryptDigestUpdate); SET(C_SignEncryptUpdate);
	SET(C_DecryptVerifyUpdate); SET(C_GenerateKey);
	SET(C_GenerateKeyPair); SET(C_WrapKey); SET(C_UnwrapKey);
	SET(C_DeriveKey); SET(C_SeedRandom); SET(C_GenerateRandom);
	SET(C_GetFunctionStatus); SET(C_CancelFunction);
	SET(C_WaitForSlotEvent);
	*list = &wrapped;
	return CKR_OK;
}
