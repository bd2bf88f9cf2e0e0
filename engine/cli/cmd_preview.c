/* cmd_preview.c -- `colink preview MAPPING INPUT`: mapped records, nothing written. */
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/mapping.h"
#include "base/paths.h"
#include "steward/read_mapped.h"
#include "core/transform.h"

struct preview {
	struct colink_transform *t;
	struct colink_error *err;
	long limit, shown;
	int fatal;
	const char *key_file; /* NULL: a throw-away random key */
	struct colink_key *key;
};

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink preview [-n N] [--key FILE] [--agreement ID] MAPPING INPUT\n"
		"\n"
		"Reads the first N records (default 10) of INPUT through MAPPING and\n"
		"prints the typed values, null reasons and rejects: every failing\n"
		"field of a rejected record, in the order of the mapping's columns,\n"
		"the first on the REJECTED line and the others on \"and column\" lines\n"
		"under it.  Identifiers are shown only as pseudonyms.  Without --key a\n"
		"throw-away random key is used, so the pseudonyms will not match the\n"
		"warehouse.  Nothing is written anywhere.\n");
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
	if (rc == COLINK_REJECTED) {
		/* every reason, in the order of the mapping's columns (#25) */
		printf("record %llu (line %llu): REJECTED column %s: %s\n",
		       (unsigned long long)rec->record_no, (unsigned long long)rec->line_no,
		       rj.column ? rj.column : "-", rj.reason);
		for (i = 1; i < rj.nreasons; i++)
			printf("  and column %s: %s\n",
			       rj.reasons[i].column ? rj.reasons[i].column : "-", rj.reasons[i].reason);
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

/* Called once the mapping is checked: the key the pseudonyms are made with. */
static int preview_key(void *ud, const struct colink_mapping *m, const struct colink_key **key,
		       struct colink_error *err)
{
	struct preview *pv = ud;
	int rc = load_key(pv->key_file, &pv->key, err);
	*key = pv->key;
	return rc;
}

static int preview(struct cli_global *g, const char *mpath, const char *input,
		   const char *keyfile, const char *agreement, long limit,
		   struct colink_error *err)
{
	struct preview pv = {NULL, err, limit, 0, 0, keyfile, NULL};
	struct colink_emitter em = {on_header, on_record, on_reject, &pv};
	const struct colink_read_mapped rm = {colink_data_dir(g->data_dir), g->plugin_dirs, mpath,
					      input, agreement, preview_key, &pv.t, &em, &pv.fatal};
	int rc = colink_read_mapped(&rm, err);
	colink_key_free(pv.key);
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
		cli_error("%s", err.msg);
		return cli_exit_for_plan(rc);
	}
	return EXIT_OK;
}
