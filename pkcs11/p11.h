/*
 * pkcs11/ -- token access: modules, slots, sessions, URIs, objects.
 *
 * The lowest layer.  It knows PKCS#11 and p11-kit and nothing about key
 * names, usages or IOS.  Every function returns a CK_RV; CKR_OK is success.
 * Nothing here prints or exits.  ckr.c is the one place where CKR_* codes
 * become words.
 */
#ifndef CK_P11_H
#define CK_P11_H

#include <stddef.h>
#include <p11-kit/pkcs11.h>

/* ckr.c ------------------------------------------------------------------ */

/* What a CKR_* code means for the caller, coarse enough for an exit code. */
enum p11_class {
	P11_CLASS_OK = 0,
	P11_CLASS_FAILURE,	/* the token or module failed */
	P11_CLASS_AUTH,		/* PIN wrong, locked, expired */
	P11_CLASS_DENIED,	/* key unextractable, read-only attribute, ... */
	P11_CLASS_INPUT,	/* data or template the token refused */
	P11_CLASS_NOTFOUND	/* handle or token gone */
};

const char	*p11_rv_name(CK_RV rv);		/* "CKR_PIN_INCORRECT" */
const char	*p11_rv_text(CK_RV rv);		/* "the PIN is incorrect" */
enum p11_class	 p11_rv_class(CK_RV rv);
int		 p11_rv_gone(CK_RV rv);		/* device, token or session gone */
/* CKF_USER_PIN_{LOCKED,FINAL_TRY,COUNT_LOW} of a token, in words, or NULL */
const char	*p11_pin_flags_text(CK_FLAGS flags);

/* module.c --------------------------------------------------------------- */

struct p11_module {
	CK_FUNCTION_LIST	*fn;
	char			*path;		/* file name of the module */
};

struct p11 {
	struct p11_module	*mods;
	size_t			 nmods;
	CK_FUNCTION_LIST	**kit_list;	/* set when loaded by discovery */
	CK_FUNCTION_LIST	*kit_single;	/* set when loaded by path */
};

/*
 * Load and initialise modules.  With a path, exactly that module; without,
 * every module p11-kit has registered, and if there are none, the SoftHSM2
 * module named at configure time.  On failure *errpath names what failed
 * and *detail, when not NULL, is p11-kit's own explanation.
 */
CK_RV	p11_open(struct p11 **out, const char *module_path,
	    const char **errpath, const char **detail);
/* As p11_open; with a path, init_reserved (when not NULL) goes to the
 * module's C_Initialize as pReserved. */
CK_RV	p11_open_init(struct p11 **out, const char *module_path,
	    const char *init_reserved, const char **errpath,
	    const char **detail);
void	p11_close(struct p11 *p);

/* token.c ---------------------------------------------------------------- */

#define P11_LABEL_MAX	32

struct p11_token {
	struct p11_module	*mod;
	CK_SLOT_ID		 slot;
	CK_TOKEN_INFO		 info;
	char			 label[P11_LABEL_MAX + 1];	/* trimmed */
	char			 serial[16 + 1];		/* trimmed */
};

/* A parsed token selector: an RFC 7512 URI or a bare token label. */
struct p11_selector;

enum p11_select_err {
	P11_SELECT_OK = 0,
	P11_SELECT_BAD_URI,		/* p11-kit could not parse it */
	P11_SELECT_UNRECOGNISED,	/* parsed, with attributes we do not know */
	P11_SELECT_NOT_TOKEN,		/* names an object; a token is wanted */
	P11_SELECT_EMPTY
};

enum p11_select_err p11_selector_parse(const char *spec,
	    struct p11_selector **out);
void	 p11_selector_free(struct p11_selector *sel);
/* pin-value / pin-source attributes of the URI, or NULL */
const char *p11_selector_pin_value(const struct p11_selector *sel);
const char *p11_selector_pin_source(const struct p11_selector *sel);
int	 p11_selector_matches(const struct p11_selector *sel,
	    const struct p11_module *mod, const CK_TOKEN_INFO *info);

/*
 * Every initialised token that matches sel (NULL: every token).  The array
 * is allocated; *n is its length.  A module that cannot list its slots or
 * describe a token hides only itself, but when nothing matches, the first
 * such failure is returned instead of an empty list: a broken module is
 * not "no token".
 */
CK_RV	p11_tokens(struct p11 *p, const struct p11_selector *sel,
	    struct p11_token **out, size_t *n);

/*
 * The same from one enumeration, with every initialised token as well
 * (all may be NULL): *match is what p11_tokens would give, *all every
 * token (with none matching, a broken module's failure is returned as
 * there).  Both arrays are allocated.
 */
CK_RV	p11_tokens_select(struct p11 *p, const struct p11_selector *sel,
	    struct p11_token **all, size_t *nall, struct p11_token **match,
	    size_t *nmatch);

/* "pkcs11:model=...;token=..." for the token, plus optional object parts. */
char	*p11_token_uri(const struct p11_token *t, const char *object_label,
	    const unsigned char *id, size_t idlen);

/* Free slot (token not initialised) of a module, for p11_init_token. */
CK_RV	p11_free_slot(struct p11_module *mod, CK_SLOT_ID *slot);
/* The token's info as it is now (PIN counter flags after a login). */
CK_RV	p11_token_info(const struct p11_token *t, CK_TOKEN_INFO *info);
/* Initialise the token in slot with the SO PIN and a label of at most
 * P11_LABEL_MAX bytes (padded with blanks here). */
CK_RV	p11_init_token(struct p11_module *mod, CK_SLOT_ID slot,
	    const char *so, size_t solen, const char *label);

/* mech.c ------------------------------------------------------------------ */

/*
 * The CKF_* flags of mechanism m on the token: 0 when the token does not
 * list it.  An error only when the token could not say.
 */
CK_RV	p11_mech_flags(const struct p11_token *t, CK_MECHANISM_TYPE m,
	    CK_FLAGS *flags);
/* C_GetMechanismInfo as the token answers it: CKR_MECHANISM_INVALID when
 * it does not know m (the mechanism list is not consulted). */
CK_RV	p11_mech_info(const struct p11_token *t, CK_MECHANISM_TYPE m,
	    CK_MECHANISM_INFO *info);

/*
 * What the token says it can do: the info of each mechanism cryptokey
 * uses, all zero when the token does not list it, and the token's flags.
 */
struct p11_caps {
	CK_FLAGS		token_flags;	/* CKF_LOGIN_REQUIRED, ... */
	CK_MECHANISM_INFO	rsa_gen;	/* CKM_RSA_PKCS_KEY_PAIR_GEN */
	CK_MECHANISM_INFO	rsa;		/* CKM_RSA_PKCS */
	CK_MECHANISM_INFO	ec_gen;		/* CKM_EC_KEY_PAIR_GEN */
	CK_MECHANISM_INFO	ecdsa;		/* CKM_ECDSA */
	CK_MECHANISM_INFO	ed_gen;		/* CKM_EC_EDWARDS_KEY_PAIR_GEN */
	CK_MECHANISM_INFO	eddsa;		/* CKM_EDDSA */
	CK_MECHANISM_INFO	ecdh;		/* CKM_ECDH1_DERIVE */
	CK_MECHANISM_INFO	kwp;		/* CKM_AES_KEY_WRAP_PAD */
};
CK_RV	p11_caps(const struct p11_token *t, struct p11_caps *c);

/* session.c -------------------------------------------------------------- */

struct p11_session {
	CK_FUNCTION_LIST	*fn;
	CK_SESSION_HANDLE	 h;
	int			 logged_in;
};

/* A read/write session (to change objects), or a read-only one. */
CK_RV	p11_session_open(const struct p11_token *t, struct p11_session *s);
CK_RV	p11_session_open_ro(const struct p11_token *t, struct p11_session *s);
void	p11_session_close(struct p11_session *s);
/* pin NULL: protected authentication path (PIN pad). */
CK_RV	p11_login(struct p11_session *s, CK_USER_TYPE who,
	    const char *pin, size_t pinlen);
/* State and flags of the session (CKS_RW_USER_FUNCTIONS, ...). */
CK_RV	p11_session_info(struct p11_session *s, CK_SESSION_INFO *info);
/* Set the user PIN; the session is logged in as security officer. */
CK_RV	p11_init_pin(struct p11_session *s, const char *pin, size_t pinlen);

/* object.c --------------------------------------------------------------- */

/*
 * Find every object that matches the template.  The handle array is
 * allocated (NULL when *n is 0).
 */
CK_RV	p11_find(struct p11_session *s, CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl,
	    CK_OBJECT_HANDLE **out, size_t *n);

/*
 * Read attributes whose sizes are not known: pValue of each entry must be
 * NULL on entry and is allocated here (free with p11_attrs_free).  An
 * attribute the object does not have, or that is sensitive, comes back with
 * ulValueLen == CK_UNAVAILABLE_INFORMATION and pValue NULL.
 */
CK_RV	p11_get_attrs(struct p11_session *s, CK_OBJECT_HANDLE o,
	    CK_ATTRIBUTE *a, CK_ULONG n);
void	p11_attrs_free(CK_ATTRIBUTE *a, CK_ULONG n);
/*
 * Read attributes into the caller's buffers (at most P11_FIXED_MAX) in one
 * call: one that does not fit, is sensitive or is missing comes back with
 * ulValueLen == CK_UNAVAILABLE_INFORMATION; so does every one on an error.
 */
#define P11_FIXED_MAX	16
CK_RV	p11_get_fixed(struct p11_session *s, CK_OBJECT_HANDLE o,
	    CK_ATTRIBUTE *a, CK_ULONG n);
/*
 * One C_GetAttributeValue into the caller's buffers, its CK_RV unchanged
 * (CKR_ATTRIBUTE_TYPE_INVALID and the like are the caller's to judge).
 */
CK_RV	p11_get_values(struct p11_session *s, CK_OBJECT_HANDLE o,
	    CK_ATTRIBUTE *a, CK_ULONG n);
/* Change attributes of an object (C_SetAttributeValue). */
CK_RV	p11_set_attrs(struct p11_session *s, CK_OBJECT_HANDLE o,
	    CK_ATTRIBUTE *a, CK_ULONG n);
/* Destroy an object. */
CK_RV	p11_destroy(struct p11_session *s, CK_OBJECT_HANDLE o);
/* Create an object from a template. */
CK_RV	p11_create(struct p11_session *s, CK_ATTRIBUTE *tmpl, CK_ULONG n,
	    CK_OBJECT_HANDLE *o);
/* len random bytes from the token. */
CK_RV	p11_random(struct p11_session *s, unsigned char *buf, size_t len);

/* crypt.c ---------------------------------------------------------------- */

/* Start a single-part signature (or MAC) with key. */
CK_RV	p11_sign_init(struct p11_session *s, CK_MECHANISM *mech,
	    CK_OBJECT_HANDLE key);
/* Sign in after p11_sign_init; *outlen is the size of out, then the
 * length of the signature. */
CK_RV	p11_sign_data(struct p11_session *s, const unsigned char *in,
	    size_t inlen, unsigned char *out, CK_ULONG *outlen);
/* p11_sign_init and p11_sign_data in one. */
CK_RV	p11_sign(struct p11_session *s, CK_MECHANISM *mech,
	    CK_OBJECT_HANDLE key, const unsigned char *in, size_t inlen,
	    unsigned char *out, CK_ULONG *outlen);
/* Decrypt in with key, single-part; *outlen as for p11_sign_data. */
CK_RV	p11_decrypt(struct p11_session *s, CK_MECHANISM *mech,
	    CK_OBJECT_HANDLE key, const unsigned char *in, size_t inlen,
	    unsigned char *out, CK_ULONG *outlen);
/* Wrap key with wrapping; out NULL asks only for the length. */
CK_RV	p11_wrap(struct p11_session *s, CK_MECHANISM *mech,
	    CK_OBJECT_HANDLE wrapping, CK_OBJECT_HANDLE key,
	    unsigned char *out, CK_ULONG *outlen);
/* Unwrap blob with unwrapping into a new object made from tmpl. */
CK_RV	p11_unwrap(struct p11_session *s, CK_MECHANISM *mech,
	    CK_OBJECT_HANDLE unwrapping, const unsigned char *blob,
	    size_t bloblen, CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl,
	    CK_OBJECT_HANDLE *key);
/* Derive a new key from base (ECDH and the like). */
CK_RV	p11_derive(struct p11_session *s, CK_MECHANISM *mech,
	    CK_OBJECT_HANDLE base, CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl,
	    CK_OBJECT_HANDLE *key);
/* Generate a key pair from the two templates. */
CK_RV	p11_generate_pair(struct p11_session *s, CK_MECHANISM *mech,
	    CK_ATTRIBUTE *pubt, CK_ULONG npub, CK_ATTRIBUTE *privt,
	    CK_ULONG npriv, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);

#endif /* CK_P11_H */
