/*
 * tp_noentry.c -- a shared object that exports a symbol, but not
 * colink_plugin_entry.
 */
#include "colink/plugin.h"

COLINK_EXPORT int tp_noentry_something(void);

COLINK_EXPORT int tp_noentry_something(void)
{
	return COLINK_ABI_MAJOR;
}
