/*
 * tp_oldabi.c -- a plugin built for plugin ABI 1.1, the layout before 2.0:
 * the descriptor as it was (no setting_size, init taking the settings
 * array itself).  The 2.0 loader must refuse it after reading abi_major
 * alone, with a one-line message naming both majors; nothing else of the
 * descriptor is read.
 */
#include <stddef.h>

#include "colink/plugin.h"

/* struct colink_plugin of ABI 1.1, member for member. */
struct tp_v1_plugin {
	int abi_major;
	int abi_minor;
	size_t struct_size;
	int kind;
	const char *name;
	const char *version;
	const char *description;
	const void *settings;
	int (*init)(void **ctx, const void *host, void *hc, const void *vals, void *err);
	void (*fini)(void *ctx);
	const void *input;
	const void *output;
};

static int tp_oldabi_init(void **ctx, const void *host, void *hc, const void *vals,
			  void *err)
{
	(void)host;
	(void)hc;
	(void)vals;
	(void)err;
	*ctx = NULL;
	return 0;
}

static void tp_oldabi_fini(void *ctx)
{
	(void)ctx;
}

static const struct tp_v1_plugin tp_oldabi_plugin = {
	.abi_major = 1,
	.abi_minor = 1,
	.struct_size = sizeof(struct tp_v1_plugin),
	.kind = COLINK_PLUGIN_INPUT,
	.name = "tp_oldabi",
	.version = "1.0",
	.description = "loader test plugin (built for ABI 1.1)",
	.init = tp_oldabi_init,
	.fini = tp_oldabi_fini,
};

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void);

/* The cast is the point: the host sees an ABI 1 descriptor. */
COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return (const struct colink_plugin *)(const void *)&tp_oldabi_plugin;
}
