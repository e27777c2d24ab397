/*
 * token.c -- find tokens by RFC 7512 URI or by label, never by slot number.
 *
 * URIs are parsed by p11-kit; we only add the checks it leaves to callers:
 * unrecognised attributes are refused, and a token selector must not name
 * an object.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "p11.h"

struct p11_selector {
	P11KitUri	*uri;		/* NULL for a bare label */
	char		 label[P11_LABEL_MAX + 1];
};

static void
trim_copy(char *dst, size_t dstsz, const unsigned char *src, size_t srclen)
{
	size_t n = p11_kit_space_strlen(src, srclen);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

enum p11_select_err
p11_selector_parse(const char *spec, struct p11_selector **out)
{
	struct p11_selector *sel;
	CK_ULONG nattrs = 0;

	*out = NULL;
	if (spec == NULL || *spec == '\0')
		return P11_SELECT_EMPTY;
	if ((sel = calloc(1, sizeof(*sel))) == NULL)
		return P11_SELECT_EMPTY;
	if (strncmp(spec, "pkcs11:", 7) != 0) {
		if (strlen(spec) > P11_LABEL_MAX) {
			free(sel);
			return P11_SELECT_BAD_URI;
		}
		strcpy(sel->label, spec);
		*out = sel;
		return P11_SELECT_OK;
	}
	if ((sel->uri = p11_kit_uri_new()) == NULL) {
		free(sel);
		return P11_SELECT_EMPTY;
	}
	if (p11_kit_uri_parse(spec, P11_KIT_URI_FOR_ANY, sel->uri) !=
	    P11_KIT_URI_OK) {
		p11_selector_free(sel);
		return P11_SELECT_BAD_URI;
	}
	if (p11_kit_uri_any_unrecognized(sel->uri)) {
		p11_selector_free(sel);
		return P11_SELECT_UNRECOGNISED;
	}
	(void)p11_kit_uri_get_attributes(sel->uri, &nattrs);
	if (nattrs != 0) {
		p11_selector_free(sel);
		return P11_SELECT_NOT_TOKEN;
	}
	*out = sel;
	return P11_SELECT_OK;
}

void
p11_selector_free(struct p11_selector *sel)
{
	if (sel == NULL)
		return;
	if (sel->uri != NULL)
		p11_kit_uri_free(sel->uri);
	free(sel);
}

const char *
p11_selector_pin_value(const struct p11_selector *sel)
{
	return sel != NULL && sel->uri != NULL ?
	    p11_kit_uri_get_pin_value(sel->uri) : NULL;
}

const char *
p11_selector_pin_source(const struct p11_selector *sel)
{
	return sel != NULL && sel->uri != NULL ?
	    p11_kit_uri_get_pin_source(sel->uri) : NULL;
}

int
p11_selector_matches(const struct p11_selector *sel,
    const struct p11_module *mod, const CK_TOKEN_INFO *info)
{
	char label[P11_LABEL_MAX + 1];
	CK_INFO minfo;
	const char *mpath;

	if (sel == NULL)
		return 1;
	if (sel->uri == NULL) {
		trim_copy(label, sizeof(label), info->label,
		    sizeof(info->label));
		return strcmp(label, sel->label) == 0;
	}
	if (!p11_kit_uri_match_token_info(sel->uri, info))
		return 0;
	mpath = p11_kit_uri_get_module_path(sel->uri);
	if (mpath != NULL && strcmp(mpath, mod->path) != 0)
		return 0;
	if (mod->fn->C_GetInfo(&minfo) != CKR_OK)
		return 0;
	return p11_kit_uri_match_module_info(sel->uri, &minfo);
}

static CK_RV
slot_list(CK_FUNCTION_LIST *fn, CK_SLOT_ID **out, CK_ULONG *n)
{
	CK_SLOT_ID *slots = NULL, *grown;
	CK_ULONG count = 0;
	CK_RV rv;

	/* The list may grow between the two calls; ask until it fits. */
	for (;;) {
		rv = fn->C_GetSlotList(CK_TRUE, NULL, &count);
		if (rv != CKR_OK)
			break;
		if (count == 0)
			break;
		grown = reallocarray(slots, count, sizeof(*slots));
		if (grown == NULL) {
			rv = CKR_HOST_MEMORY;
			break;
		}
		slots = grown;
		rv = fn->C_GetSlotList(CK_TRUE, slots, &count);
		if (rv != CKR_BUFFER_TOO_SMALL)
			break;
	}
	if (rv != CKR_OK || count == 0) {
		free(slots);
		slots = NULL;
		count = 0;
	}
	*out = slots;
	*n = count;
	return rv;
}

static CK_RV
push_token(struct p11_token **arr, size_t *n, struct p11_module *mod,
    CK_SLOT_ID slot, const CK_TOKEN_INFO *info)
{
	struct p11_token *grown, *t;

	grown = reallocarray(*arr, *n + 1, sizeof(**arr));
	if (grown == NULL)
		return CKR_HOST_MEMORY;
	*arr = grown;
	t = &grown[*n];
	memset(t, 0, sizeof(*t));
	t->mod = mod;
	t->slot = slot;
	t->info = *info;
	trim_copy(t->label, sizeof(t->label), info->label, sizeof(info->label));
	trim_copy(t->serial, sizeof(t->serial), info->serialNumber,
	    sizeof(info->serialNumber));
	(*n)++;
	return CKR_OK;
}

/*
 * Every initialised token of every module, in module and slot order.
 * *broken is the first failure of a module that could not list its slots
 * or of a slot that could not describe its token (not "no token"): it
 * hides only itself here; the callers decide what it means.
 */
static CK_RV
enumerate(struct p11 *p, struct p11_token **out, size_t *n, CK_RV *broken)
{
	struct p11_token *arr = NULL;
	CK_SLOT_ID *slots;
	CK_ULONG nslots, j;
	CK_TOKEN_INFO info;
	CK_RV rv = CKR_OK, r;
	size_t i, count = 0;

	*broken = CKR_OK;
	for (i = 0; i < p->nmods && rv == CKR_OK; i++) {
		struct p11_module *mod = &p->mods[i];

		if ((r = slot_list(mod->fn, &slots, &nslots)) != CKR_OK) {
			if (*broken == CKR_OK)
				*broken = r;
			continue;
		}
		for (j = 0; j < nslots && rv == CKR_OK; j++) {
			r = mod->fn->C_GetTokenInfo(slots[j], &info);
			if (r != CKR_OK) {
				if (*broken == CKR_OK &&
				    r != CKR_TOKEN_NOT_PRESENT)
					*broken = r;
				continue;
			}
			if (info.flags & CKF_TOKEN_INITIALIZED)
				rv = push_token(&arr, &count, mod, slots[j],
				    &info);
		}
		free(slots);
	}
	if (rv != CKR_OK) {
		free(arr);
		arr = NULL;
		count = 0;
	}
	*out = arr;
	*n = count;
	return rv;
}

CK_RV
p11_tokens_select(struct p11 *p, const struct p11_selector *sel,
    struct p11_token **all, size_t *nall, struct p11_token **match,
    size_t *nmatch)
{
	struct p11_token *arr, *sub = NULL;
	size_t count, i, kept = 0;
	CK_RV rv, broken;

	*match = NULL;
	*nmatch = 0;
	if (all != NULL) {
		*all = NULL;
		*nall = 0;
	}
	if ((rv = enumerate(p, &arr, &count, &broken)) != CKR_OK)
		return rv;
	if (count > 0 && (sub = calloc(count, sizeof(*sub))) == NULL) {
		free(arr);
		return CKR_HOST_MEMORY;
	}
	for (i = 0; i < count; i++)
		if (p11_selector_matches(sel, arr[i].mod, &arr[i].info))
			sub[kept++] = arr[i];
	if (kept == 0) {
		free(sub);
		sub = NULL;
		/* a broken module is not "no token" */
		if (broken != CKR_OK) {
			free(arr);
			return broken;
		}
	}
	*match = sub;
	*nmatch = kept;
	if (all != NULL) {
		*all = arr;
		*nall = count;
	} else
		free(arr);
	return CKR_OK;
}

CK_RV
p11_tokens(struct p11 *p, const struct p11_selector *sel,
    struct p11_token **out, size_t *n)
{
	return p11_tokens_select(p, sel, NULL, NULL, out, n);
}

char *
p11_token_uri(const struct p11_token *t, const char *object_label,
    const unsigned char *id, size_t idlen)
{
	P11KitUri *uri;
	CK_TOKEN_INFO *ti;
	CK_ATTRIBUTE a;
	char *s = NULL;

	if ((uri = p11_kit_uri_new()) == NULL)
		return NULL;
	ti = p11_kit_uri_get_token_info(uri);
	memcpy(ti->label, t->info.label, sizeof(ti->label));
	memcpy(ti->manufacturerID, t->info.manufacturerID,
	    sizeof(ti->manufacturerID));
	memcpy(ti->model, t->info.model, sizeof(ti->model));
	memcpy(ti->serialNumber, t->info.serialNumber,
	    sizeof(ti->serialNumber));
	if (object_label != NULL) {
		a.type = CKA_LABEL;
		a.pValue = (void *)object_label;
		a.ulValueLen = strlen(object_label);
		(void)p11_kit_uri_set_attribute(uri, &a);
	}
	if (id != NULL && idlen > 0) {
		a.type = CKA_ID;
		a.pValue = (void *)id;
		a.ulValueLen = idlen;
		(void)p11_kit_uri_set_attribute(uri, &a);
	}
	if (p11_kit_uri_format(uri, P11_KIT_URI_FOR_OBJECT_ON_TOKEN, &s) !=
	    P11_KIT_URI_OK)
		s = NULL;
	p11_kit_uri_free(uri);
	return s;
}

CK_RV
p11_free_slot(struct p11_module *mod, CK_SLOT_ID *slot)
{
	CK_SLOT_ID *slots;
	CK_ULONG n, j;
	CK_TOKEN_INFO info;
	CK_RV rv;

	if ((rv = slot_list(mod->fn, &slots, &n)) != CKR_OK)
		return rv;
	rv = CKR_SLOT_ID_INVALID;
	for (j = 0; j < n; j++) {
		if (mod->fn->C_GetTokenInfo(slots[j], &info) != CKR_OK)
			continue;
		if (!(info.flags & CKF_TOKEN_INITIALIZED)) {
			*slot = slots[j];
			rv = CKR_OK;
			break;
		}
	}
	free(slots);
	return rv;
}

CK_RV
p11_token_info(const struct p11_token *t, CK_TOKEN_INFO *info)
{
	return t->mod->fn->C_GetTokenInfo(t->slot, info);
}

CK_RV
p11_init_token(struct p11_module *mod, CK_SLOT_ID slot, const char *so,
    size_t solen, const char *label)
{
	CK_UTF8CHAR padded[P11_LABEL_MAX];
	size_t len = strlen(label);

	if (len > sizeof(padded))
		return CKR_ARGUMENTS_BAD;
	memset(padded, ' ', sizeof(padded));
	memcpy(padded, label, len);
	return mod->fn->C_InitToken(slot, (CK_UTF8CHAR_PTR)so, (CK_ULONG)solen,
	    padded);
}
