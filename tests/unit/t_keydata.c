/*
 * t_keydata.c -- IOS "Key Data:" layout and JSON strings.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/tool.h"
#include "tap.h"

static const char *
capture(void (*fn)(FILE *, const void *), const void *arg)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	fn(f, arg);
	fclose(f);
	return buf;
}

static void
kd(FILE *f, const void *arg)
{
	const unsigned char *der = arg;

	keydata_print(f, der, 37, "  ");
}

static void
js(FILE *f, const void *arg)
{
	json_string(f, arg);
}

int
main(void)
{
	unsigned char der[37];
	size_t i;

	for (i = 0; i < sizeof(der); i++)
		der[i] = (unsigned char)(i * 7);
	is_str(capture(kd, der),
	    "  00070E15 1C232A31 383F464D 545B6269 70777E85 8C939AA1 "
	    "A8AFB6BD C4CBD2D9\n  E0E7EEF5 FC\n",
	    "8 groups of 8 uppercase digits, short last line");
	is_str(capture(js, "a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"",
	    "JSON escapes");
	return done_testing();
}
