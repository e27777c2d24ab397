/*
 * t_meta.c -- the cryptokey-meta record: encode, parse, refuse garbage.
 */
#include "config.h"

#include <string.h>

#include "libkeystore/ks_internal.h"
#include "tap.h"

static int
parses(const char *s)
{
	struct ks_meta m;

	return kx_meta_parse(s, strlen(s), &m) == 0;
}

int
main(void)
{
	struct ks_meta m, back;
	char buf[KS_META_MAX];
	int n;

	memset(&m, 0, sizeof(m));
	m.usage = KS_USAGE_ENCRYPTION;
	m.created = 1795000000;	/* 2026-11-18 */
	m.idlen = 3;
	m.id[0] = 0x0a;
	m.id[1] = 0xbc;
	m.id[2] = 0xff;
	n = kx_meta_encode(&m, buf, sizeof(buf));
	ok(n > 0, "encode");
	is_str(buf, "cryptokey-meta 1\nid 0abcff\nusage encryption\n"
	    "created 2026-11-18T11:06:40Z\n", "text form");
	ok(kx_meta_parse(buf, (size_t)n, &back) == 0, "parse back");
	is_int(back.usage, KS_USAGE_ENCRYPTION, "usage survives");
	is_int(back.created, m.created, "time survives");
	ok(back.idlen == 3 && memcmp(back.id, m.id, 3) == 0, "id survives");
	ok(kx_meta_encode(&m, buf, 20) < 0, "short buffer refused");

	ok(parses("cryptokey-meta 1\nid 01\nusage general\n"
	    "created 2026-01-01T00:00:00Z\nfuture thing\n"),
	    "unknown lines are skipped");
	ok(!parses("cryptokey-meta 2\nid 01\nusage general\n"
	    "created 2026-01-01T00:00:00Z\n"), "other versions refused");
	ok(!parses("cryptokey-meta 1\nid 01\nusage general\n"),
	    "missing field refused");
	ok(!parses("cryptokey-meta 1\nid 01\nid 02\nusage general\n"
	    "created 2026-01-01T00:00:00Z\n"), "repeated field refused");
	ok(!parses("cryptokey-meta 1\nid 0\nusage general\n"
	    "created 2026-01-01T00:00:00Z\n"), "odd hex id refused");
	ok(!parses("cryptokey-meta 1\nid zz\nusage general\n"
	    "created 2026-01-01T00:00:00Z\n"), "non-hex id refused");
	ok(!parses("cryptokey-meta 1\nid 01\nusage sideways\n"
	    "created 2026-01-01T00:00:00Z\n"), "unknown usage refused");
	ok(!parses("cryptokey-meta 1\nid 01\nusage general\n"
	    "created 2026-13-01T00:00:00Z\n"), "month 13 refused");
	ok(!parses("cryptokey-meta 1\nid 01\nusage general\n"
	    "created 2026-01-01T00:00:00Z"), "missing final newline refused");
	ok(!parses(""), "empty refused");
	memset(buf, 'a', sizeof(buf));
	ok(kx_meta_parse(buf, sizeof(buf) + 0, &back) != 0,
	    "no newline in a full buffer refused");
	return done_testing();
}
