/*
 * tp_badname.c -- an otherwise valid input plugin whose descriptor name
 * ("other") differs from its file name (tp_badname.so).
 */
#include "colink/plugin.h"

static int tp_badname_init(void **ctx, const struct colink_host *host,
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

static void tp_badname_fini(void *ctx)
{
	(void)ctx;
}

static int tp_badname_read(void *ctx, const char *path,
			   struct colink_emitter *em, struct colink_error *err)
{
	(void)ctx;
	(void)path;
	(void)em;
	(void)err;
	return COLINK_OK;
}

static const struct colink_input_ops tp_badname_input = COLINK_INPUT_OPS_INIT(
	.read = tp_badname_read);

static const struct colink_plugin tp_badname_plugin = COLINK_INPUT_PLUGIN_INIT(
	.name = "other",
	.version = "1.0",
	.description = "loader test plugin (name differs from file)",
	.init = tp_badname_init,
	.fini = tp_badname_fini,
	.input = &tp_badname_input);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &tp_badname_plugin;
}
