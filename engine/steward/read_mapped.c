/*
 * read_mapped.c -- one input file through its mapping (read_mapped.h).
 */
#include <string.h>

#include "steward/read_mapped.h"
#include "core/run.h"
#include "core/settings.h"
#include "steward/unmapped.h"

int colink_mapping_load_checked(struct colink_checked_mapping *cm, const char *path,
				const char *data_dir, const char *plugin_dirs,
				struct colink_error *err)
{
	int rc = colink_env_load(&cm->cat, &cm->vt, data_dir, err);
	if (rc == COLINK_OK)
		rc = colink_loader_default(&cm->loader, plugin_dirs, err);
	if (rc == COLINK_OK)
		rc = colink_mapping_check(path, cm->cat, cm->vt, cm->loader, &cm->m, &cm->plugin,
					  &cm->vals, err);
	return rc;
}

void colink_mapping_unload(struct colink_checked_mapping *cm)
{
	colink_settings_free(cm->vals, 0);
	colink_mapping_free(cm->m);
	colink_loader_free(cm->loader);
	colink_variant_table_free(cm->vt);
	colink_catalog_free(cm->cat);
	memset(cm, 0, sizeof(*cm));
}

/* The input plugin's instance over r->input. */
static int read_input(const struct colink_read_mapped *r, const struct colink_loaded_plugin *lp,
		      struct colink_pseudo_set *ps, const struct colink_setting_value *vals,
		      struct colink_error *err)
{
	struct colink_host host;
	struct colink_host_ctx hc;
	void *ictx = NULL;
	struct colink_setting_values sv =
		colink_settings_view(vals, colink_settings_count(lp->settings));
	int rc;
	colink_host_init(&host);
	hc.plugin = lp->desc->name;
	hc.ps = ps;
	if ((rc = lp->desc->init(&ictx, &host, &hc, &sv, err)))
		return rc;
	rc = lp->desc->input->read(ictx, r->input, r->em, err);
	if (rc == COLINK_EABORT && !*r->fatal)
		rc = COLINK_OK;
	lp->desc->fini(ictx);
	return rc;
}

/* Unmapped columns kept raw: none may be an identifier (unmapped.h). */
static int check_unmapped(const struct colink_read_mapped *r, const struct colink_checked_mapping *cm,
			  struct colink_error *err)
{
	struct colink_scan_vocab *v = NULL;
	int rc;
	if (cm->m->unmapped != COLINK_UNMAPPED_OBSERVATION)
		return COLINK_OK;
	rc = colink_scan_vocab_load(&v, r->data_dir, cm->cat, err);
	if (rc == COLINK_OK)
		rc = colink_unmapped_check_file(cm->m, v, cm->plugin, cm->vals, r->input, err);
	colink_scan_vocab_free(v);
	return rc;
}

int colink_read_mapped(const struct colink_read_mapped *r, struct colink_error *err)
{
	struct colink_checked_mapping cm = {0};
	const struct colink_key *key = NULL;
	struct colink_pseudo_set *ps = NULL;
	int rc = colink_mapping_load_checked(&cm, r->mapping, r->data_dir, r->plugin_dirs, err);
	if (rc == COLINK_OK)
		rc = check_unmapped(r, &cm, err);
	if (rc == COLINK_OK)
		rc = r->prepare(r->em->ud, cm.m, &key, err);
	if (rc == COLINK_OK)
		rc = colink_pseudo_set_new(&ps, key, NULL, r->agreement_id, err);
	if (rc == COLINK_OK)
		rc = colink_transform_new(r->t, cm.m, cm.cat, ps, 1, r->input, err);
	if (rc == COLINK_OK)
		rc = read_input(r, cm.plugin, ps, cm.vals, err);
	colink_transform_free(*r->t);
	*r->t = NULL;
	colink_pseudo_set_free(ps);
	colink_mapping_unload(&cm);
	return rc;
}
