/* cmd_preview.c -- `colink preview MAPPING INPUT`: mapped records, nothing written. */
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "host.h"
#include "mapping.h"
#include "paths.h"
#include "run.h"
#include "settings.h"
#include "transform.h"

struct preview {
	struct colink_transform *t;
	struct colink_error *err;
	long limit, shown;
	int fatal;
};

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink preview [-n N] [--key FILE] [--agreement ID] MAPPING INPUT\n"
		"\n"
		"Reads the first N records (default 10) of INPUT through MAPPING and\n"
		"prints the typed values, null reasons and rejects.  Identifiers are\n"
		"shown only as pseudonyms.  Without --key a throw-away random key is\n"
		"used, so the pseudonyms will not match the warehouse.  Nothing is\n"
		"written anywhere.\n");
}

static void show_value(const struct colink_out_value *v)
{
	const char *name = v->field ? v->field->name : v->item_code;
	printf("  %-22s ", name ? name : "?");
	if (v->v.null_reason) {
		printf("NULL (%s%s%s)", colink_null_name(v->v.null_reason),
		       v->v.text ? ", bound " : "", v->v.text ? v->v.text : "");
	} else {
		printf("%s", v->v.text ? v->v.text : "");
	}
	if (v->v.unit)
		printf(" %s", v->v.unit);
	if (v->v.flag)
		printf(" [%c]", v->v.flag);
	printf("    <- %s\n", v->source ? v->source : "");
}

static int on_header(void *ud, size_t n, const char *const *names)
{
	struct preview *pv = ud;
	if (colink_transform_header(pv->t, n, names, pv->err)) {
		pv->fatal = 1;
		return COLINK_EABORT;
	}
	return COLINK_OK;
}

static int on_record(void *ud, const struct colink_raw_record *rec)
{
	struct preview *pv = ud;
	const struct colink_out_record *o;
	struct colink_reject rj;
	size_t i;
	int rc;
	if (pv->shown >= pv->limit)
		return COLINK_EABORT;
	pv->shown++;
	rc = colink_transform_record(pv->t, rec, &o, &rj, pv->err);
	if (rc == COLINK_EREJECT) {
		printf("record %llu (line %llu): REJECTED column %s: %s\n",
		       (unsigned long long)rec->record_no, (unsigned long long)rec->line_no,
		       rj.column ? rj.column : "-", rj.reason);
		return COLINK_OK;
	}
	if (rc) {
		pv->fatal = 1;
		return COLINK_EABORT;
	}
	printf("record %llu (line %llu): person %.16s...", (unsigned long long)o->record_no,
	       (unsigned long long)o->line_no, o->person ? o->person : "(none)");
	if (o->birth_ym)
		printf(" birth %04d-%02d, age %d at exam, %d at FY end", o->birth_ym / 100,
		       o->birth_ym % 100, o->age_at_exam, o->age_fy_end);
	printf("\n");
	for (i = 0; i < o->npseudonyms; i++)
		printf("  %-22s %.16s...\n", o->pseudonyms[i].kind, o->pseudonyms[i].value);
	for (i = 0; i < o->nvalues; i++)
		show_value(&o->values[i]);
	return COLINK_OK;
}

static int on_reject(void *ud, uint64_t rn, uint64_t ln, const char *col, const char *why)
{
	struct preview *pv = ud;
	if (pv->shown >= pv->limit)
		return COLINK_EABORT;
	pv->shown++;
	printf("record %llu (line %llu): REJECTED column %s: %s\n", (unsigned long long)rn,
	       (unsigned long long)ln, col ? col : "-", why);
	return COLINK_OK;
}

static int load_key(const char *file, struct colink_key **k, struct colink_error *err)
{
	unsigned char raw[32];
	int rc;
	if (file)
		return colink_key_load(k, file, err);
	gcry_randomize(raw, sizeof(raw), GCRY_STRONG_RANDOM);
	rc = colink_key_from_bytes(k, raw, err);
	memset(raw, 0, sizeof(raw));
	return rc;
}

static int preview(struct cli_global *g, const char *mpath, const char *input,
		   const char *keyfile, const char *agreement, long limit,
		   struct colink_error *err)
{
	struct colink_catalog *cat = NULL;
	struct colink_variant_table *vt = NULL;
	struct colink_loader *l = NULL;
	struct colink_mapping *m = NULL;
	const struct colink_loaded_plugin *lp = NULL;
	struct colink_setting_value *vals = NULL;
	struct colink_key *key = NULL;
	struct colink_pseudo_set *ps = NULL;
	struct preview pv = {NULL, err, limit, 0, 0};
	struct colink_emitter em = {on_header, on_record, on_reject, &pv};
	struct colink_host host;
	struct colink_host_ctx hc;
	void *ictx = NULL;
	int rc = colink_env_load(&cat, &vt, colink_data_dir(g->data_dir), err);
	if (rc == COLINK_OK)
		rc = colink_loader_default(&l, g->plugin_dirs, err);
	if (rc == COLINK_OK)
		rc = colink_mapping_check(mpath, cat, vt, l, &m, &lp, &vals, err);
	if (rc == COLINK_OK)
		rc = load_key(keyfile, &key, err);
	if (rc == COLINK_OK)
		rc = colink_pseudo_set_new(&ps, key, NULL, agreement, err);
	if (rc == COLINK_OK)
		rc = colink_transform_new(&pv.t, m, cat, ps, 1, input, err);
	if (rc == COLINK_OK) {
		colink_host_init(&host);
		hc.plugin = lp->desc->name;
		hc.ps = ps;
		rc = lp->desc->init(&ictx, &host, &hc, vals, err);
		if (rc == COLINK_OK) {
			rc = lp->desc->input->read(ictx, input, &em, err);
			if (rc == COLINK_EABORT && !pv.fatal)
				rc = COLINK_OK;
		}
		lp->desc->fini(ictx);
	}
	colink_transform_free(pv.t);
	colink_pseudo_set_free(ps);
	colink_key_free(key);
	colink_settings_free(vals, 0);
	colink_mapping_free(m);
	colink_loader_free(l);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	return rc;
}

int cmd_preview(struct cli_global *g, int argc, char **argv)
{
	struct colink_error err = {0};
	const char *pos[2] = {NULL, NULL}, *key = NULL, *agreement = "preview";
	long n = 10;
	int i, np = 0, rc;
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			help(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--key") && i + 1 < argc) {
			key = argv[++i];
		} else if (!strcmp(argv[i], "--agreement") && i + 1 < argc) {
			agreement = argv[++i];
		} else if (argv[i][0] != '-' && np < 2) {
			pos[np++] = argv[i];
		} else {
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (np != 2 || n <= 0) {
		help(stderr);
		return EXIT_USAGE;
	}
	rc = preview(g, pos[0], pos[1], key, agreement, n, &err);
	if (rc) {
		fprintf(stderr, "colink: %s\n", err.msg);
		return cli_exit_for_plan(rc);
	}
	return EXIT_OK;
}
