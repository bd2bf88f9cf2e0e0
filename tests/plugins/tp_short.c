/*
 * tp_short.c -- a descriptor shorter than the ABI 2.0 one.  The object
 * really is this small, so a loader that reads past struct_size (or copies
 * the descriptor at its own size) reads beyond it; ASan shows that when the
 * plugin is built with -fsanitize=address.
 */
#include "colink/plugin.h"

struct tp_short_desc {
	int abi_major;
	int abi_minor;
	size_t struct_size;
	int kind;
};

static const struct tp_short_desc tp_short_plugin = {
	.abi_major = COLINK_ABI_MAJOR,
	.abi_minor = COLINK_ABI_MINOR,
	.struct_size = 16,
	.kind = COLINK_PLUGIN_INPUT,
};

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void);

/* The cast is the point of this plugin: the host sees a descriptor pointer
 * whose object is smaller than struct colink_plugin. */
COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return (const struct colink_plugin *)(const void *)&tp_short_plugin;
}
