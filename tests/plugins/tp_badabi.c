/*
 * tp_badabi.c -- a plugin built for the next ABI major.  The loader must
 * refuse it after reading abi_major alone.
 */
#include "colink/plugin.h"

static const struct colink_plugin tp_badabi_plugin = {
	.abi_major = COLINK_ABI_MAJOR + 1,
	.abi_minor = 0,
	.struct_size = sizeof(struct colink_plugin),
	.kind = COLINK_PLUGIN_INPUT,
	.name = "tp_badabi",
};

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &tp_badabi_plugin;
}
