/* cmd_plugins.c -- `colink plugins [NAME]`: list plugins or one's settings. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/loader.h"
#include "core/run.h"
#include "core/settings.h"

static const char *kind_name(int k)
{
	return k == COLINK_PLUGIN_INPUT ? "input" : k == COLINK_PLUGIN_OUTPUT ? "output" : "?";
}

static void on_error(void *ud, const struct colink_error *e)
{
	(void)ud;
	fprintf(stderr, "colink: refused: %s\n", e->msg);
}

static void show_one(const struct colink_loaded_plugin *lp)
{
	const struct colink_setting_def *s;
	printf("%s (%s plugin, version %s, ABI %d.%d)\n  %s\n  file: %s\n\nsettings:\n",
	       lp->desc->name, kind_name(lp->desc->kind), lp->desc->version,
	       lp->desc->abi_major, lp->desc->abi_minor, lp->desc->description, lp->path);
	for (s = lp->settings; s && s->name; s++) {
		printf("  %-18s %-7s default: %s%s%s\n      %s\n", s->name,
		       colink_setting_type_name(s->type),
		       s->default_value ? s->default_value : "(required)",
		       s->choices ? "  choices: " : "", s->choices ? s->choices : "",
		       s->description);
	}
}

int cmd_plugins(struct cli_global *g, int argc, char **argv)
{
	struct colink_error err = {0};
	struct colink_loader *l = NULL;
	const struct colink_loaded_plugin *lp;
	size_t i;
	int rc;

	if (argc >= 2 && cli_is_help(argv[1])) {
		printf("usage: colink plugins [NAME]\n\n"
		       "Without NAME: every plugin found, with kind, version, ABI and settings.\n"
		       "With NAME: each setting's type, default and description.\n");
		return EXIT_OK;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: colink plugins [NAME]\n");
		return EXIT_USAGE;
	}
	rc = colink_loader_default(&l, g->plugin_dirs, &err);
	if (rc == COLINK_OK && argc == 2) {
		rc = colink_loader_get(l, argv[1], &lp, &err);
		if (rc == COLINK_OK)
			show_one(lp);
	} else if (rc == COLINK_OK) {
		rc = colink_loader_scan(l, on_error, NULL, &err);
		printf("%-14s %-7s %-8s %-5s settings\n", "NAME", "KIND", "VERSION", "ABI");
		for (i = 0; rc == COLINK_OK && i < colink_loader_count(l); i++) {
			const struct colink_setting_def *s;
			lp = colink_loader_at(l, i);
			printf("%-14s %-7s %-8s %d.%-3d ", lp->desc->name, kind_name(lp->desc->kind),
			       lp->desc->version, lp->desc->abi_major, lp->desc->abi_minor);
			for (s = lp->settings; s && s->name; s++)
				printf("%s%s", s == lp->settings ? "" : ", ", s->name);
			printf("\n");
		}
	}
	colink_loader_free(l);
	if (rc) {
		cli_error("%s", err.msg);
		return cli_exit_for_plan(rc);
	}
	return EXIT_OK;
}
