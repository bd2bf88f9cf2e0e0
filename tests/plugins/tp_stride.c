/*
 * tp_stride.c -- an ABI 2 input plugin whose settings table declares an
 * element stride smaller than an ABI 2.0 colink_setting_def.  The loader
 * must refuse it rather than step through the table at its own size.
 */
#include "colink/plugin.h"

static const struct colink_setting_def tp_stride_settings[] = {
	COLINK_SETTING("x", COLINK_SET_STRING, "", "unused", NULL),
	COLINK_SETTINGS_END
};

static int tp_stride_init(void **ctx, const struct colink_host *host,
			  struct colink_host_ctx *hc,
			  const struct colink_setting_values *vals,
			  struct colink_error *err)
{
	(void)host;
	(void)hc;
	(void)vals;
	(void)err;
	*ctx = NULL;
	return COLINK_OK;
}

static void tp_stride_fini(void *ctx)
{
	(void)ctx;
}

static int tp_stride_read(void *ctx, const char *path, struct colink_emitter *em,
			  struct colink_error *err)
{
	(void)ctx;
	(void)path;
	(void)em;
	(void)err;
	return COLINK_OK;
}

static const struct colink_input_ops tp_stride_input = COLINK_INPUT_OPS_INIT(
	.read = tp_stride_read);

/* Filled by hand, unlike a real plugin: the wrong stride is the point. */
static const struct colink_plugin tp_stride_plugin = {
	.abi_major = COLINK_ABI_MAJOR,
	.abi_minor = COLINK_ABI_MINOR,
	.struct_size = sizeof(struct colink_plugin),
	.kind = COLINK_PLUGIN_INPUT,
	.name = "tp_stride",
	.version = "1.0",
	.description = "loader test plugin (settings stride too small)",
	.settings = tp_stride_settings,
	.setting_size = 8,
	.init = tp_stride_init,
	.fini = tp_stride_fini,
	.input = &tp_stride_input,
};

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &tp_stride_plugin;
}
