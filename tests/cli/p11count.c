/*
 * p11count -- how many objects a token holds, for the module matrix
 * (tests/cli/modules.sh): pkcs11-tool cannot pass C_Initialize's
 * pReserved, which NSS's softoken needs.
 *
 *	p11count MODULE TOKEN-LABEL PIN [INIT-ARGS]
 *
 * Logs in and prints the number of objects C_FindObjects finds with an
 * empty template.  Exit 0, or 1 with a message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/p11.h"

static int
count(struct p11 *p, const char *label, const char *pin)
{
	struct p11_selector *sel = NULL;
	struct p11_token *t = NULL;
	struct p11_session s;
	CK_OBJECT_HANDLE *h = NULL;
	size_t nt = 0, n = 0;
	CK_RV rv;

	if (p11_selector_parse(label, &sel) != P11_SELECT_OK) {
		fprintf(stderr, "p11count: bad token label %s\n", label);
		return 1;
	}
	rv = p11_tokens(p, sel, &t, &nt);
	p11_selector_free(sel);
	if (rv != CKR_OK || nt != 1) {
		fprintf(stderr, "p11count: token %s: %s (%zu found)\n", label,
		    p11_rv_name(rv), nt);
		free(t);
		return 1;
	}
	memset(&s, 0, sizeof(s));
	if ((rv = p11_session_open_ro(&t[0], &s)) != CKR_OK ||
	    (rv = p11_login(&s, CKU_USER, pin, strlen(pin))) != CKR_OK ||
	    (rv = p11_find(&s, NULL, 0, &h, &n)) != CKR_OK) {
		fprintf(stderr, "p11count: %s\n", p11_rv_name(rv));
		p11_session_close(&s);
		free(t);
		return 1;
	}
	printf("%zu\n", n);
	free(h);
	p11_session_close(&s);
	free(t);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *errpath, *detail;
	struct p11 *p;
	CK_RV rv;
	int rc;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: p11count MODULE TOKEN PIN "
		    "[INIT-ARGS]\n");
		return 1;
	}
	rv = p11_open_init(&p, argv[1], argc == 5 ? argv[4] : NULL, &errpath,
	    &detail);
	if (rv != CKR_OK) {
		fprintf(stderr, "p11count: %s: %s\n", errpath,
		    detail != NULL ? detail : p11_rv_name(rv));
		return 1;
	}
	rc = count(p, argv[2], argv[3]);
	p11_close(p);
	return rc;
}
