/*
 * t_selector.c -- token selectors: RFC 7512 URIs through p11-kit, labels.
 */
#include "config.h"

#include <string.h>

#include "pkcs11/p11.h"
#include "tap.h"

static enum p11_select_err
sel(const char *s)
{
	struct p11_selector *p = NULL;
	enum p11_select_err e = p11_selector_parse(s, &p);

	p11_selector_free(p);
	return e;
}

static CK_TOKEN_INFO
token(const char *label)
{
	CK_TOKEN_INFO ti;

	memset(&ti, ' ', sizeof(ti));
	memcpy(ti.label, label, strlen(label));
	return ti;
}

int
main(void)
{
	struct p11_selector *p = NULL;
	struct p11_module mod = { NULL, (char *)"/x.so" };
	CK_TOKEN_INFO ti = token("vpn-gw");

	is_int(sel("vpn-gw"), P11_SELECT_OK, "a label");
	is_int(sel("pkcs11:token=vpn-gw"), P11_SELECT_OK, "a token URI");
	is_int(sel("pkcs11:token=a;serial=1?pin-source=file:/p"),
	    P11_SELECT_OK, "URI with serial and pin-source");
	is_int(sel("pkcs11:foo=bar"), P11_SELECT_UNRECOGNISED,
	    "unknown attribute refused");
	is_int(sel("pkcs11:token=a;type=bogus"), P11_SELECT_UNRECOGNISED,
	    "unknown type refused");
	is_int(sel("pkcs11:object=k"), P11_SELECT_NOT_TOKEN,
	    "an object URI is not a token");
	is_int(sel("pkcs11:token=%zz"), P11_SELECT_BAD_URI, "bad escape");
	is_int(sel(""), P11_SELECT_EMPTY, "empty");
	is_int(sel("0123456789012345678901234567890123"), P11_SELECT_BAD_URI,
	    "label over 32 bytes");

	p11_selector_parse("vpn-gw", &p);
	ok(p11_selector_matches(p, &mod, &ti), "label matches padded label");
	p11_selector_free(p);
	p11_selector_parse("vpn", &p);
	ok(!p11_selector_matches(p, &mod, &ti), "prefix does not match");
	p11_selector_free(p);
	p11_selector_parse("pkcs11:token=vpn-gw?pin-value=1234", &p);
	is_str(p11_selector_pin_value(p), "1234", "pin-value");
	ok(p11_selector_pin_source(p) == NULL, "no pin-source");
	p11_selector_free(p);
	p11_selector_parse("pkcs11:token=vpn-gw?module-path=/y.so", &p);
	ok(!p11_selector_matches(p, &mod, &ti), "module-path must match");
	p11_selector_free(p);
	return done_testing();
}
