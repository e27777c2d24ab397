/*
 * t_ckr.c -- CKR_* codes become names, sentences and classes in one place.
 */
#include "config.h"

#include "pkcs11/p11.h"
#include "tap.h"

int
main(void)
{
	is_str(p11_rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT",
	    "PIN_INCORRECT has its name");
	is_str(p11_rv_text(CKR_PIN_INCORRECT), "the PIN is incorrect",
	    "and its sentence");
	is_int(p11_rv_class(CKR_PIN_INCORRECT), P11_CLASS_AUTH,
	    "wrong PIN is an authentication failure");
	is_int(p11_rv_class(CKR_PIN_LOCKED), P11_CLASS_AUTH, "locked PIN too");
	is_int(p11_rv_class(CKR_KEY_UNEXTRACTABLE), P11_CLASS_DENIED,
	    "unextractable key is 'not permitted'");
	is_int(p11_rv_class(CKR_GENERAL_ERROR), P11_CLASS_FAILURE,
	    "general error is a token failure");
	is_int(p11_rv_class(CKR_OBJECT_HANDLE_INVALID), P11_CLASS_NOTFOUND,
	    "a vanished object is 'not found'");
	is_str(p11_rv_name(0x80001234UL), "CKR_VENDOR_OR_UNKNOWN",
	    "unknown codes get a name");
	is_int(p11_rv_class(0x80001234UL), P11_CLASS_FAILURE,
	    "and count as a failure");
	is_int(p11_rv_class(CKR_OK), P11_CLASS_OK, "CKR_OK is OK");
	/* a session in this process does not come back from these */
	is_int(p11_rv_gone(CKR_DEVICE_ERROR), 1, "a device error: gone");
	is_int(p11_rv_gone(CKR_DEVICE_REMOVED), 1, "a removed device: gone");
	is_int(p11_rv_gone(CKR_TOKEN_NOT_PRESENT), 1, "no token: gone");
	is_int(p11_rv_gone(CKR_SESSION_HANDLE_INVALID), 1,
	    "an invalid session: gone");
	is_int(p11_rv_gone(CKR_SESSION_CLOSED), 1, "a closed session: gone");
	is_int(p11_rv_gone(CKR_GENERAL_ERROR), 1, "a general error: gone");
	is_int(p11_rv_gone(CKR_PIN_INCORRECT), 0, "a wrong PIN is not");
	is_int(p11_rv_gone(CKR_KEY_HANDLE_INVALID), 0, "nor a vanished key");
	is_int(p11_rv_gone(CKR_FUNCTION_FAILED), 0, "nor a failed function");
	is_int(p11_rv_gone(CKR_OK), 0, "nor CKR_OK");
	return done_testing();
}
