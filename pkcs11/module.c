/*
 * module.c -- load and initialise PKCS#11 modules through p11-kit.
 *
 * A module named by path is loaded alone.  Without a path we take every
 * module p11-kit has registered (module discovery is p11-kit's job), and
 * only when it knows none, the SoftHSM2 module chosen at configure time.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <p11-kit/p11-kit.h>

#include "p11.h"

static CK_RV
add_module(struct p11 *p, CK_FUNCTION_LIST *fn)
{
	struct p11_module *m;
	char *path;

	path = p11_kit_module_get_filename(fn);
	if (path == NULL)
		path = strdup("(unknown module)");
	if (path == NULL)
		return CKR_HOST_MEMORY;
	m = reallocarray(p->mods, p->nmods + 1, sizeof(*m));
	if (m == NULL) {
		free(path);
		return CKR_HOST_MEMORY;
	}
	p->mods = m;
	p->mods[p->nmods].fn = fn;
	p->mods[p->nmods].path = path;
	p->nmods++;
	return CKR_OK;
}

static CK_RV
open_path(struct p11 *p, const char *path, const char **detail)
{
	CK_FUNCTION_LIST *fn;
	CK_RV rv;

	fn = p11_kit_module_load(path, 0);
	if (fn == NULL) {
		*detail = p11_kit_message();
		return CKR_GENERAL_ERROR;
	}
	rv = p11_kit_module_initialize(fn);
	if (rv != CKR_OK) {
		p11_kit_module_release(fn);
		return rv;
	}
	p->kit_single = fn;
	return add_module(p, fn);
}

/*
 * A module that needs a string in C_Initialize's pReserved (NSS's
 * softoken: its database and flags), as p11-kit's x-init-reserved gives
 * it to registered modules.  Loaded unmanaged: p11-kit's managed modules
 * pass their own arguments.
 */
static CK_RV
open_path_reserved(struct p11 *p, const char *path, const char *reserved,
    const char **detail)
{
	CK_C_INITIALIZE_ARGS args;
	CK_FUNCTION_LIST *fn;
	CK_RV rv;

	fn = p11_kit_module_load(path, P11_KIT_MODULE_UNMANAGED);
	if (fn == NULL) {
		*detail = p11_kit_message();
		return CKR_GENERAL_ERROR;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	args.pReserved = (void *)reserved;
	rv = fn->C_Initialize(&args);
	if (rv != CKR_OK) {
		p11_kit_module_release(fn);
		return rv;
	}
	p->kit_single = fn;
	return add_module(p, fn);
}

static CK_RV
open_discovered(struct p11 *p, const char **detail)
{
	CK_FUNCTION_LIST **list;
	CK_RV rv;
	size_t i;

	list = p11_kit_modules_load_and_initialize(0);
	if (list == NULL) {
		*detail = p11_kit_message();
		return CKR_GENERAL_ERROR;
	}
	p->kit_list = list;
	for (i = 0; list[i] != NULL; i++)
		if ((rv = add_module(p, list[i])) != CKR_OK)
			return rv;
	return CKR_OK;
}

CK_RV
p11_open(struct p11 **out, const char *module_path, const char **errpath,
    const char **detail)
{
	return p11_open_init(out, module_path, NULL, errpath, detail);
}

CK_RV
p11_open_init(struct p11 **out, const char *module_path,
    const char *init_reserved, const char **errpath, const char **detail)
{
	struct p11 *p;
	CK_RV rv;

	*out = NULL;
	*detail = NULL;
	*errpath = module_path != NULL ? module_path : "p11-kit modules";
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return CKR_HOST_MEMORY;
	p11_kit_be_quiet();
	if (module_path != NULL && init_reserved != NULL)
		rv = open_path_reserved(p, module_path, init_reserved, detail);
	else if (module_path != NULL)
		rv = open_path(p, module_path, detail);
	else {
		rv = open_discovered(p, detail);
		if (rv == CKR_OK && p->nmods == 0) {
			*errpath = SOFTHSM_MODULE;
			rv = open_path(p, SOFTHSM_MODULE, detail);
		}
	}
	if (rv != CKR_OK) {
		p11_close(p);
		return rv;
	}
	*out = p;
	return CKR_OK;
}

void
p11_close(struct p11 *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nmods; i++)
		free(p->mods[i].path);
	free(p->mods);
	if (p->kit_list != NULL)
		p11_kit_modules_finalize_and_release(p->kit_list);
	if (p->kit_single != NULL) {
		p11_kit_module_finalize(p->kit_single);
		p11_kit_module_release(p->kit_single);
	}
	free(p);
}
