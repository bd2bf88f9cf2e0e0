/* cmd_check.c -- `colink check FILE...`: validate mapping and job files. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cli.h"
#include "paths.h"
#include "run.h"
#include "settings.h"
#include "xmlutil.h"

static int check_mapping(struct cli_global *g, const char *path, struct colink_error *err)
{
	struct colink_catalog *cat = NULL;
	struct colink_variant_table *vt = NULL;
	struct colink_loader *l = NULL;
	struct colink_mapping *m = NULL;
	const struct colink_loaded_plugin *lp = NULL;
	struct colink_setting_value *vals = NULL;
	int rc = colink_env_load(&cat, &vt, colink_data_dir(g->data_dir), err);
	if (rc == COLINK_OK)
		rc = colink_loader_default(&l, g->plugin_dirs, err);
	if (rc == COLINK_OK)
		rc = colink_mapping_check(path, cat, vt, l, &m, &lp, &vals, err);
	if (rc == COLINK_OK) {
		printf("%s: ok (mapping %s version %s: %zu fields, %zu constants, input %s)\n",
		       path, m->id, m->version, m->nfields, m->nconstants, m->plugin);
		colink_settings_free(vals, 0);
	}
	colink_mapping_free(m);
	colink_loader_free(l);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	return rc;
}

static int check_job(struct cli_global *g, const char *path, struct colink_error *err)
{
	struct colink_plan *p = NULL;
	size_t i, files = 0;
	int rc = colink_plan_load(&p, path, colink_data_dir(g->data_dir), g->plugin_dirs, err);
	if (rc)
		return rc;
	for (i = 0; i < p->ninputs; i++)
		files += p->inputs[i].nfiles;
	printf("%s: ok (job %s: %zu inputs matching %zu files, output %s, key id %s)\n",
	       path, p->job->name, p->ninputs, files, p->job->output_plugin,
	       p->key ? colink_key_id(p->key) : p->job->key_id);
	colink_plan_free(p);
	return COLINK_OK;
}

int cmd_check(struct cli_global *g, int argc, char **argv)
{
	int i, worst = EXIT_OK;
	if (argc < 2 || cli_is_help(argv[1])) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, "usage: colink check FILE...\n\n"
			   "Validates mapping and job files against their schemas and the common\n"
			   "schema, loads the plugins they name and checks their settings; for a\n"
			   "job also its inputs and key file.  Nothing is read or written.\n"
			   "Errors are FILE:LINE: message.  Exit 0 when all are valid, else 3\n"
			   "(invalid) or 4 (a named file is missing).\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (i = 1; i < argc; i++) {
		struct colink_error err = {0};
		xmlDocPtr doc = NULL;
		int rc = colink_xml_read(argv[i], &doc, &err);
		if (rc == COLINK_OK) {
			xmlNodePtr root = xmlDocGetRootElement(doc);
			int is_job = colink_xml_is(root, "job"), is_map = colink_xml_is(root, "mapping");
			xmlFreeDoc(doc);
			if (is_job)
				rc = check_job(g, argv[i], &err);
			else if (is_map)
				rc = check_mapping(g, argv[i], &err);
			else
				rc = COLINK_ERR(&err, COLINK_EINVAL,
						"%s:1: not a colink mapping or job file (root element must be <mapping> or <job>)",
						argv[i]);
		}
		if (rc) {
			int code = cli_exit_for_plan(rc);
			fprintf(stderr, "%s\n", err.msg);
			if (code > worst)
				worst = code;
		}
	}
	return worst;
}
