/*
 * session.c -- read/write sessions and login.
 */
#include "config.h"

#include <string.h>

#include "p11.h"

static CK_RV
session_open(const struct p11_token *t, int rw, struct p11_session *s)
{
	CK_FLAGS flags = CKF_SERIAL_SESSION;
	CK_RV rv;

	memset(s, 0, sizeof(*s));
	s->fn = t->mod->fn;
	if (rw)
		flags |= CKF_RW_SESSION;
	rv = s->fn->C_OpenSession(t->slot, flags, NULL, NULL, &s->h);
	if (rv != CKR_OK)
		s->fn = NULL;
	return rv;
}

CK_RV
p11_session_open(const struct p11_token *t, struct p11_session *s)
{
	return session_open(t, 1, s);
}

CK_RV
p11_session_open_ro(const struct p11_token *t, struct p11_session *s)
{
	return session_open(t, 0, s);
}

void
p11_session_close(struct p11_session *s)
{
	if (s == NULL || s->fn == NULL)
		return;
	if (s->logged_in)
		(void)s->fn->C_Logout(s->h);
	(void)s->fn->C_CloseSession(s->h);
	s->fn = NULL;
	s->logged_in = 0;
}

CK_RV
p11_login(struct p11_session *s, CK_USER_TYPE who, const char *pin,
    size_t pinlen)
{
	CK_RV rv;

	rv = s->fn->C_Login(s->h, who, (CK_UTF8CHAR_PTR)pin,
	    pin != NULL ? (CK_ULONG)pinlen : 0);
	if (rv == CKR_USER_ALREADY_LOGGED_IN)
		rv = CKR_OK;
	if (rv == CKR_OK)
		s->logged_in = 1;
	return rv;
}

CK_RV
p11_session_info(struct p11_session *s, CK_SESSION_INFO *info)
{
	return s->fn->C_GetSessionInfo(s->h, info);
}

CK_RV
p11_init_pin(struct p11_session *s, const char *pin, size_t pinlen)
{
	return s->fn->C_InitPIN(s->h, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)pinlen);
}
