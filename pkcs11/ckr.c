/*
 * ckr.c -- the one place where PKCS#11 return codes become words.
 *
 * Each row: the code, its CKR_* name, a short sentence for messages, and
 * the class callers turn into an exit status.
 */
#include "config.h"

#include <stddef.h>

#include "p11.h"

struct rv_row {
	CK_RV		 rv;
	const char	*name;
	const char	*text;
	enum p11_class	 cls;
};

#define ROW(c, t, k)	{ c, #c, t, k }

static const struct rv_row rv_table[] = {
	ROW(CKR_OK, "success", P11_CLASS_OK),
	ROW(CKR_CANCEL, "the operation was cancelled", P11_CLASS_FAILURE),
	ROW(CKR_HOST_MEMORY, "the module ran out of memory", P11_CLASS_FAILURE),
	ROW(CKR_SLOT_ID_INVALID, "the slot does not exist", P11_CLASS_NOTFOUND),
	ROW(CKR_GENERAL_ERROR, "the module reported a general error",
	    P11_CLASS_FAILURE),
	ROW(CKR_FUNCTION_FAILED, "the function failed in the module",
	    P11_CLASS_FAILURE),
	ROW(CKR_ARGUMENTS_BAD, "the module rejected the arguments",
	    P11_CLASS_FAILURE),
	ROW(CKR_ATTRIBUTE_READ_ONLY, "the attribute cannot be changed",
	    P11_CLASS_DENIED),
	ROW(CKR_ATTRIBUTE_SENSITIVE, "the attribute is sensitive",
	    P11_CLASS_DENIED),
	ROW(CKR_ATTRIBUTE_TYPE_INVALID, "the attribute is not valid here",
	    P11_CLASS_INPUT),
	ROW(CKR_ATTRIBUTE_VALUE_INVALID, "an attribute value is not valid",
	    P11_CLASS_INPUT),
	ROW(CKR_DATA_INVALID, "the data is not valid", P11_CLASS_INPUT),
	ROW(CKR_DATA_LEN_RANGE, "the data has the wrong length",
	    P11_CLASS_INPUT),
	ROW(CKR_DEVICE_ERROR, "the token reported a device error",
	    P11_CLASS_FAILURE),
	ROW(CKR_DEVICE_MEMORY, "the token is out of memory", P11_CLASS_FAILURE),
	ROW(CKR_DEVICE_REMOVED, "the token was removed", P11_CLASS_NOTFOUND),
	ROW(CKR_FUNCTION_NOT_SUPPORTED, "the module does not support this",
	    P11_CLASS_FAILURE),
	ROW(CKR_KEY_HANDLE_INVALID, "the key no longer exists",
	    P11_CLASS_NOTFOUND),
	ROW(CKR_KEY_SIZE_RANGE, "the token does not support this key size",
	    P11_CLASS_INPUT),
	ROW(CKR_KEY_TYPE_INCONSISTENT, "the key type does not fit",
	    P11_CLASS_INPUT),
	ROW(CKR_KEY_FUNCTION_NOT_PERMITTED,
	    "the key is not permitted to do this", P11_CLASS_DENIED),
	ROW(CKR_KEY_NOT_WRAPPABLE, "the key cannot be wrapped",
	    P11_CLASS_DENIED),
	ROW(CKR_KEY_UNEXTRACTABLE, "the key is not extractable",
	    P11_CLASS_DENIED),
	ROW(CKR_MECHANISM_INVALID, "the token does not support the mechanism",
	    P11_CLASS_FAILURE),
	ROW(CKR_MECHANISM_PARAM_INVALID, "the mechanism parameters are wrong",
	    P11_CLASS_FAILURE),
	ROW(CKR_OBJECT_HANDLE_INVALID, "the object no longer exists",
	    P11_CLASS_NOTFOUND),
	ROW(CKR_OPERATION_ACTIVE, "another operation is active",
	    P11_CLASS_FAILURE),
	ROW(CKR_PIN_INCORRECT, "the PIN is incorrect", P11_CLASS_AUTH),
	ROW(CKR_PIN_INVALID, "the PIN has invalid characters", P11_CLASS_AUTH),
	ROW(CKR_PIN_LEN_RANGE, "the PIN has the wrong length", P11_CLASS_AUTH),
	ROW(CKR_PIN_EXPIRED, "the PIN has expired", P11_CLASS_AUTH),
	ROW(CKR_PIN_LOCKED, "the PIN is locked", P11_CLASS_AUTH),
	ROW(CKR_SESSION_CLOSED, "the session was closed", P11_CLASS_FAILURE),
	ROW(CKR_SESSION_COUNT, "the token has too many sessions open",
	    P11_CLASS_FAILURE),
	ROW(CKR_SESSION_HANDLE_INVALID, "the session no longer exists",
	    P11_CLASS_FAILURE),
	ROW(CKR_SESSION_READ_ONLY, "the session is read-only",
	    P11_CLASS_DENIED),
	ROW(CKR_SIGNATURE_INVALID, "the signature is not valid",
	    P11_CLASS_INPUT),
	ROW(CKR_SIGNATURE_LEN_RANGE, "the signature has the wrong length",
	    P11_CLASS_INPUT),
	ROW(CKR_TEMPLATE_INCOMPLETE, "the template is incomplete",
	    P11_CLASS_FAILURE),
	ROW(CKR_TEMPLATE_INCONSISTENT, "the template is inconsistent",
	    P11_CLASS_FAILURE),
	ROW(CKR_TOKEN_NOT_PRESENT, "no token is present", P11_CLASS_NOTFOUND),
	ROW(CKR_TOKEN_NOT_RECOGNIZED, "the token is not recognised",
	    P11_CLASS_FAILURE),
	ROW(CKR_TOKEN_WRITE_PROTECTED, "the token is write-protected",
	    P11_CLASS_DENIED),
	ROW(CKR_UNWRAPPING_KEY_HANDLE_INVALID, "the unwrapping key is gone",
	    P11_CLASS_FAILURE),
	ROW(CKR_USER_ALREADY_LOGGED_IN, "the user is already logged in",
	    P11_CLASS_OK),
	ROW(CKR_USER_NOT_LOGGED_IN, "the user is not logged in",
	    P11_CLASS_AUTH),
	ROW(CKR_USER_PIN_NOT_INITIALIZED, "the user PIN is not set",
	    P11_CLASS_AUTH),
	ROW(CKR_USER_TYPE_INVALID, "the user type is not valid",
	    P11_CLASS_FAILURE),
	ROW(CKR_WRAPPED_KEY_INVALID, "the wrapped key is not valid",
	    P11_CLASS_INPUT),
	ROW(CKR_WRAPPED_KEY_LEN_RANGE, "the wrapped key has the wrong length",
	    P11_CLASS_INPUT),
	ROW(CKR_WRAPPING_KEY_HANDLE_INVALID, "the wrapping key is gone",
	    P11_CLASS_FAILURE),
	ROW(CKR_RANDOM_NO_RNG, "the token has no random generator",
	    P11_CLASS_FAILURE),
	ROW(CKR_BUFFER_TOO_SMALL, "the buffer is too small", P11_CLASS_FAILURE),
	ROW(CKR_CRYPTOKI_NOT_INITIALIZED, "the module is not initialised",
	    P11_CLASS_FAILURE),
	ROW(CKR_CRYPTOKI_ALREADY_INITIALIZED, "the module is already initialised",
	    P11_CLASS_FAILURE),
};

#undef ROW

static const struct rv_row *
rv_lookup(CK_RV rv)
{
	size_t i;

	for (i = 0; i < sizeof(rv_table) / sizeof(rv_table[0]); i++)
		if (rv_table[i].rv == rv)
			return &rv_table[i];
	return NULL;
}

const char *
p11_rv_name(CK_RV rv)
{
	const struct rv_row *r = rv_lookup(rv);

	return r != NULL ? r->name : "CKR_VENDOR_OR_UNKNOWN";
}

const char *
p11_rv_text(CK_RV rv)
{
	const struct rv_row *r = rv_lookup(rv);

	return r != NULL ? r->text : "the module returned an unknown code";
}

enum p11_class
p11_rv_class(CK_RV rv)
{
	const struct rv_row *r = rv_lookup(rv);

	return r != NULL ? r->cls : P11_CLASS_FAILURE;
}

/*
 * rv says the token, its device, the module's connection to it or the
 * session is gone: nothing in this process gets it back but a new
 * C_Initialize (p11-kit-client.so answers so once its server went away).
 */
int
p11_rv_gone(CK_RV rv)
{
	switch (rv) {
	case CKR_DEVICE_REMOVED:
	case CKR_DEVICE_ERROR:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_GENERAL_ERROR:
		return 1;
	default:
		return 0;
	}
}

/*
 * What the token says about its user PIN after a failed login, in words:
 * the strongest of CKF_USER_PIN_LOCKED, _FINAL_TRY and _COUNT_LOW, or NULL.
 */
const char *
p11_pin_flags_text(CK_FLAGS flags)
{
	if (flags & CKF_USER_PIN_LOCKED)
		return "the PIN is locked (CKF_USER_PIN_LOCKED)";
	if (flags & CKF_USER_PIN_FINAL_TRY)
		return "final try before the PIN locks "
		    "(CKF_USER_PIN_FINAL_TRY)";
	if (flags & CKF_USER_PIN_COUNT_LOW)
		return "few tries left (CKF_USER_PIN_COUNT_LOW)";
	return NULL;
}
