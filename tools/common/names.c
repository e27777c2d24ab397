/*
 * names.c -- an option's word to the value it stands for, by table.
 */
#include "config.h"

#include <string.h>

#include "tool.h"

int
tool_name_value(const struct tool_name *t, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, t[i].name) == 0)
			return t[i].value;
	return -1;
}
