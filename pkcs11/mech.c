/*
 * mech.c -- what a token can do with a mechanism.
 *
 * A mechanism counts only when the token lists it (C_GetMechanismList) and
 * its info has the flag: p11-kit's RPC client leaves out of the list the
 * mechanisms whose parameters it cannot carry, while C_GetMechanismInfo
 * still answers for them from the module behind it.
 */
#include "config.h"

#include <stdlib.h>

#include "p11.h"

#define MECH_MAX	4096	/* more than any token lists */

static CK_RV
listed(const struct p11_token *t, CK_MECHANISM_TYPE m, int *yes)
{
	CK_MECHANISM_TYPE *list;
	CK_ULONG n = 0, i;
	CK_RV rv;

	*yes = 0;
	rv = t->mod->fn->C_GetMechanismList(t->slot, NULL, &n);
	if (rv != CKR_OK || n == 0)
		return rv;
	if (n > MECH_MAX)
		return CKR_GENERAL_ERROR;
	/*
	 * One entry to spare: p11-kit's RPC client before 0.25 reads one entry
	 * past the list when it drops a mechanism from it (p11-kit #456).
	 */
	if ((list = calloc(n + 1, sizeof(*list))) == NULL)
		return CKR_HOST_MEMORY;
	rv = t->mod->fn->C_GetMechanismList(t->slot, list, &n);
	for (i = 0; rv == CKR_OK && i < n && i < MECH_MAX; i++)
		if (list[i] == m)
			*yes = 1;
	free(list);
	return rv;
}

CK_RV
p11_mech_flags(const struct p11_token *t, CK_MECHANISM_TYPE m, CK_FLAGS *flags)
{
	CK_MECHANISM_INFO info;
	int yes;
	CK_RV rv;

	*flags = 0;
	if ((rv = listed(t, m, &yes)) != CKR_OK || !yes)
		return rv;
	rv = t->mod->fn->C_GetMechanismInfo(t->slot, m, &info);
	if (rv == CKR_MECHANISM_INVALID)
		return CKR_OK;
	if (rv == CKR_OK)
		*flags = info.flags;
	return rv;
}
