/*
 * faultmod.h -- the unit tests' way to tests/faultmod, the PKCS#11 module
 * that forwards to SoftHSM2 and injects faults: its path in the build
 * tree (top_builddir), with SoftHSM2 as its target.  Include after tap.h.
 */
#ifndef CK_UNIT_FAULTMOD_H
#define CK_UNIT_FAULTMOD_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The module's path into mod; 0, or -1 after a skipped check when it is
 * not built. */
__attribute__((unused))
static int
unit_faultmod(char *mod, size_t modsz)
{
	const char *top = getenv("top_builddir");

	snprintf(mod, modsz, "%s/tests/faultmod/.libs/faultmod.so",
	    top != NULL ? top : ".");
	if (access(mod, R_OK) != 0) {
		ok(1, "# SKIP no faultmod at %s", mod);
		return -1;
	}
	setenv("CRYPTOKEY_FAULT_TARGET", SOFTHSM_MODULE, 1);
	return 0;
}

#endif
