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
#include <string.h>

#include "p11.h"

#define MECH_MAX	4096	/* more than any token lists */

/*
 * The token's mechanisms into *list (calloc'd; NULL when it lists none),
 * *n of them.
 */
static CK_RV
mech_list(const struct p11_token *t, CK_MECHANISM_TYPE **list, CK_ULONG *n)
{
	CK_RV rv;

	*list = NULL;
	*n = 0;
	rv = t->mod->fn->C_GetMechanismList(t->slot, NULL, n);
	if (rv != CKR_OK || *n == 0)
		return rv;
	if (*n > MECH_MAX)
		return CKR_GENERAL_ERROR;
	/*
	 * One entry to spare: p11-kit's RPC client before 0.25 reads one entry
	 * past the list when it drops a mechanism from it (p11-kit #456).
	 */
	if ((*list = calloc(*n + 1, sizeof(**list))) == NULL)
		return CKR_HOST_MEMORY;
	rv = t->mod->fn->C_GetMechanismList(t->slot, *list, n);
	if (rv == CKR_OK && *n > MECH_MAX)
		rv = CKR_GENERAL_ERROR;
	if (rv != CKR_OK) {
		free(*list);
		*list = NULL;
		*n = 0;
	}
	return rv;
}

/* Is m among the n mechanisms of list? */
static int
in_list(const CK_MECHANISM_TYPE *list, CK_ULONG n, CK_MECHANISM_TYPE m)
{
	CK_ULONG i;

	for (i = 0; i < n; i++)
		if (list[i] == m)
			return 1;
	return 0;
}

static CK_RV
listed(const struct p11_token *t, CK_MECHANISM_TYPE m, int *yes)
{
	CK_MECHANISM_TYPE *list;
	CK_ULONG n;
	CK_RV rv;

	rv = mech_list(t, &list, &n);
	*yes = rv == CKR_OK && in_list(list, n, m);
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

CK_RV
p11_mech_info(const struct p11_token *t, CK_MECHANISM_TYPE m,
    CK_MECHANISM_INFO *info)
{
	return t->mod->fn->C_GetMechanismInfo(t->slot, m, info);
}

/* What mechanism m does on the token, from one list already read. */
static CK_RV
info_in(const struct p11_token *t, const CK_MECHANISM_TYPE *list,
    CK_ULONG n, CK_MECHANISM_TYPE m, CK_MECHANISM_INFO *info)
{
	CK_RV rv;

	memset(info, 0, sizeof(*info));
	if (!in_list(list, n, m))
		return CKR_OK;
	rv = t->mod->fn->C_GetMechanismInfo(t->slot, m, info);
	if (rv == CKR_MECHANISM_INVALID) {
		memset(info, 0, sizeof(*info));
		return CKR_OK;
	}
	return rv;
}

/* The mechanisms p11_caps asks about, and where their answers go. */
static CK_MECHANISM_INFO *
cap_slot(struct p11_caps *c, size_t i, CK_MECHANISM_TYPE *m)
{
	static const CK_MECHANISM_TYPE mechs[] = {
		CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_RSA_PKCS, CKM_EC_KEY_PAIR_GEN,
		CKM_ECDSA, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA,
		CKM_ECDH1_DERIVE, CKM_AES_KEY_WRAP_PAD,
	};
	CK_MECHANISM_INFO *slots[] = {
		&c->rsa_gen, &c->rsa, &c->ec_gen, &c->ecdsa, &c->ed_gen,
		&c->eddsa, &c->ecdh, &c->kwp,
	};

	if (i >= sizeof(mechs) / sizeof(mechs[0]))
		return NULL;
	*m = mechs[i];
	return slots[i];
}

CK_RV
p11_caps(const struct p11_token *t, struct p11_caps *c)
{
	CK_MECHANISM_TYPE *list, m;
	CK_MECHANISM_INFO *info;
	CK_ULONG n;
	size_t i;
	CK_RV rv;

	memset(c, 0, sizeof(*c));
	c->token_flags = t->info.flags;
	if ((rv = mech_list(t, &list, &n)) != CKR_OK || n == 0)
		return rv;
	for (i = 0; rv == CKR_OK && (info = cap_slot(c, i, &m)) != NULL; i++)
		rv = info_in(t, list, n, m, info);
	free(list);
	return rv;
}
