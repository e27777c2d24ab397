/*
 * object.c -- find objects by template, read, create and destroy them.
 *
 * Searches always carry a template (at least CKA_CLASS): enumerating a
 * whole token and filtering here costs a round trip per object.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "p11.h"

#define FIND_BATCH	64

CK_RV
p11_find(struct p11_session *s, CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl,
    CK_OBJECT_HANDLE **out, size_t *n)
{
	CK_OBJECT_HANDLE *arr = NULL, *grown;
	CK_ULONG got;
	size_t count = 0, cap = 0;
	CK_RV rv, rv2;

	*out = NULL;
	*n = 0;
	if ((rv = s->fn->C_FindObjectsInit(s->h, tmpl, ntmpl)) != CKR_OK)
		return rv;
	for (;;) {
		if (cap - count < FIND_BATCH) {
			grown = reallocarray(arr, cap + FIND_BATCH * 4,
			    sizeof(*arr));
			if (grown == NULL) {
				rv = CKR_HOST_MEMORY;
				break;
			}
			arr = grown;
			cap += FIND_BATCH * 4;
		}
		rv = s->fn->C_FindObjects(s->h, arr + count, FIND_BATCH, &got);
		if (rv != CKR_OK || got == 0)
			break;
		if (got > FIND_BATCH) {
			rv = CKR_GENERAL_ERROR;
			break;
		}
		count += got;
	}
	rv2 = s->fn->C_FindObjectsFinal(s->h);
	if (rv == CKR_OK)
		rv = rv2;
	if (rv != CKR_OK || count == 0) {
		free(arr);
		return rv;
	}
	*out = arr;
	*n = count;
	return CKR_OK;
}

void
p11_attrs_free(CK_ATTRIBUTE *a, CK_ULONG n)
{
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		free(a[i].pValue);
		a[i].pValue = NULL;
	}
}

CK_RV
p11_get_attrs(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE *a,
    CK_ULONG n)
{
	CK_ULONG i;
	CK_RV rv;

	for (i = 0; i < n; i++) {
		a[i].pValue = NULL;
		a[i].ulValueLen = 0;
	}
	/* Sizes first.  Sensitive or missing attributes report "unavailable"
	 * and the call as a whole may say so; that is not an error here. */
	rv = s->fn->C_GetAttributeValue(s->h, o, a, n);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_SENSITIVE &&
	    rv != CKR_ATTRIBUTE_TYPE_INVALID)
		return rv;
	for (i = 0; i < n; i++) {
		if (a[i].ulValueLen == CK_UNAVAILABLE_INFORMATION ||
		    a[i].ulValueLen == 0)
			continue;
		if (a[i].ulValueLen > 1024 * 1024) {	/* no sane attribute */
			p11_attrs_free(a, n);
			return CKR_GENERAL_ERROR;
		}
		if ((a[i].pValue = malloc(a[i].ulValueLen)) == NULL) {
			p11_attrs_free(a, n);
			return CKR_HOST_MEMORY;
		}
	}
	rv = s->fn->C_GetAttributeValue(s->h, o, a, n);
	if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID)
		rv = CKR_OK;
	if (rv != CKR_OK) {
		p11_attrs_free(a, n);
		return rv;
	}
	for (i = 0; i < n; i++) {
		if (a[i].ulValueLen == CK_UNAVAILABLE_INFORMATION) {
			free(a[i].pValue);
			a[i].pValue = NULL;
		}
	}
	return CKR_OK;
}

/*
 * What does not fit, what the token hides and what the object lacks comes
 * back as CK_UNAVAILABLE_INFORMATION, also from a module that reports the
 * needed length instead: nothing longer than its buffer is ever used.
 */
CK_RV
p11_get_fixed(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE *a,
    CK_ULONG n)
{
	CK_ULONG size[P11_FIXED_MAX], i;
	CK_RV rv;

	if (n > P11_FIXED_MAX)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < n; i++)
		size[i] = a[i].ulValueLen;
	rv = s->fn->C_GetAttributeValue(s->h, o, a, n);
	if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
	    rv == CKR_BUFFER_TOO_SMALL)
		rv = CKR_OK;	/* callers check ulValueLen per attribute */
	for (i = 0; i < n; i++)
		if (rv != CKR_OK || a[i].ulValueLen > size[i])
			a[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
	return rv;
}

CK_RV
p11_get_values(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE *a,
    CK_ULONG n)
{
	return s->fn->C_GetAttributeValue(s->h, o, a, n);
}

CK_RV
p11_set_attrs(struct p11_session *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE *a,
    CK_ULONG n)
{
	return s->fn->C_SetAttributeValue(s->h, o, a, n);
}

CK_RV
p11_destroy(struct p11_session *s, CK_OBJECT_HANDLE o)
{
	return s->fn->C_DestroyObject(s->h, o);
}

CK_RV
p11_create(struct p11_session *s, CK_ATTRIBUTE *tmpl, CK_ULONG n,
    CK_OBJECT_HANDLE *o)
{
	return s->fn->C_CreateObject(s->h, tmpl, n, o);
}

CK_RV
p11_random(struct p11_session *s, unsigned char *buf, size_t len)
{
	return s->fn->C_GenerateRandom(s->h, buf, (CK_ULONG)len);
}
