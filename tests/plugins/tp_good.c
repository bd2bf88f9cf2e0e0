/*
 * tp_good.c -- a minimal, well-formed input plugin for the loader tests.
 * It declares one STRING setting and a read that emits nothing.  The
 * instance context is a single host-allocated byte so that init/fini
 * exercise the host allocator and hold no globals.
 */
#include "colink/plugin.h"

static const struct colink_setting_def tp_good_settings[] = {
	COLINK_SETTING("path_hint", COLINK_SET_STRING, "", "unused test setting", NULL),
	COLINK_SETTINGS_END
};

struct tp_good_ctx {
	const struct colink_host *host;
};

static int tp_good_init(void **ctx, const struct colink_host *host,
			struct colink_host_ctx *hc,
			const struct colink_setting_values *vals,
			struct colink_error *err)
{
	struct tp_good_ctx *c = host->calloc(1, sizeof(*c));
	(void)hc;
	(void)vals;
	if (!c)
		return COLINK_ERR(err, COLINK_ENOMEM, "tp_good: out of memory");
	c->host = host;
	*ctx = c;
	return COLINK_OK;
}

static void tp_good_fini(void *ctx)
{
	struct tp_good_ctx *c = ctx;
	if (c)
		c->host->free(c);
}

static int tp_good_read(void *ctx, const char *path, struct colink_emitter *em,
			struct colink_error *err)
{
	(void)ctx;
	(void)path;
	(void)em;
	(void)err;
	return COLINK_OK;
}

static const struct colink_input_ops tp_good_input = COLINK_INPUT_OPS_INIT(
	.read = tp_good_read);

static const struct colink_plugin tp_good_plugin = COLINK_INPUT_PLUGIN_INIT(
	.name = "tp_good",
	.version = "1.0",
	.description = "loader test plugin (well formed)",
	.settings = tp_good_settings,
	.init = tp_good_init,
	.fini = tp_good_fini,
	.input = &tp_good_input);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &tp_good_plugin;
}
