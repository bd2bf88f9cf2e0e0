/* cmd_preview.c -- `colink preview MAPPING INPUT`: mapped records, nothing written. */
#include <errno.h>
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fnmatch.h>
#include <glob.h>
#include <limits.h>

#include "cli/cli.h"
#include "core/job.h"
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
		"       colink preview [-n N] --job JOB [MAPPING] INPUT\n"
		"\n"
		"Reads the first N records (default 10) of INPUT through MAPPING and\n"
		"prints the typed values, null reasons and rejects: every failing\n"
		"field of a rejected record, in the order of the mapping's columns,\n"
		"the first on the REJECTED line and the others on \"and column\" lines\n"
		"under it.  Identifiers are shown only as pseudonyms; a record without\n"
		"an exam date says \"age unknown\".  Without --key a throw-away random\n"
		"key is used, so the pseudonyms will not match the warehouse.  Nothing\n"
		"is written anywhere.\n"
		"\n"
		"  --job JOB      the job's key file and agreement id, so that the\n"
		"                 pseudonyms are the ones its run stores; without\n"
		"                 MAPPING, the mapping of the job's <input> whose path\n"
		"                 (or pattern) names INPUT\n");
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

/* Where a record is: "(document 0003.xml)" for an archive's (#18),
 * "(line N)", or nothing when neither is known (never "line 0"). */
static const char *where(const struct colink_raw_record *rec, uint64_t line, char *buf, size_t n)
{
	const char *doc = rec && COLINK_HAS(struct colink_raw_record, rec->struct_size, document)
		? rec->document : NULL;
	if (doc)
		snprintf(buf, n, " (document %s)", doc);
	else if (line)
		snprintf(buf, n, " (line %llu)", (unsigned long long)line);
	else
		buf[0] = '\0';
	return buf;
}

static int on_record(void *ud, const struct colink_raw_record *rec)
{
	struct preview *pv = ud;
	const struct colink_out_record *o;
	struct colink_reject rj;
	size_t i;
	int rc;
	char w[300];
	if (pv->shown >= pv->limit)
		return COLINK_EABORT;
	pv->shown++;
	rc = colink_transform_record(pv->t, rec, &o, &rj, pv->err);
	if (rc == COLINK_REJECTED) {
		/* every reason, in the order of the mapping's columns (#25) */
		printf("record %llu%s: REJECTED column %s: %s\n",
		       (unsigned long long)rec->record_no, where(rec, rec->line_no, w, sizeof(w)),
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
	printf("record %llu%s: person %.16s...", (unsigned long long)o->record_no,
	       where(rec, o->line_no, w, sizeof(w)), o->person ? o->person : "(none)");
	if (o->birth_ym && o->age_at_exam >= 0)
		printf(" birth %04d-%02d, age %d at exam, %d at FY end", o->birth_ym / 100,
		       o->birth_ym % 100, o->age_at_exam, o->age_fy_end);
	else if (o->birth_ym) /* no exam date in the record (#18) */
		printf(" birth %04d-%02d, age unknown", o->birth_ym / 100, o->birth_ym % 100);
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
	char w[40];
	if (pv->shown >= pv->limit)
		return COLINK_EABORT;
	pv->shown++;
	printf("record %llu%s: REJECTED column %s: %s\n", (unsigned long long)rn,
	       where(NULL, ln, w, sizeof(w)), col ? col : "-", why);
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

/* Whether `input` is one of the files the job input's path or pattern
 * names (compared as real paths). */
static int job_input_names(const struct colink_job_input *in, const char *real)
{
	glob_t gl;
	char rp[PATH_MAX];
	size_t i;
	int hit = 0;
	if (glob(in->path, 0, NULL, &gl))
		return 0;
	for (i = 0; !hit && i < gl.gl_pathc; i++)
		hit = realpath(gl.gl_pathv[i], rp) && !strcmp(rp, real);
	globfree(&gl);
	return hit;
}

/* --job (#18): the job's key file and agreement id, and the mapping of its
 * input that names `input` when none is given.  *mapping borrows from *job. */
static int job_context(struct cli_global *g, const char *jobpath, const char *input,
		       struct colink_job **job, const char **mapping, struct colink_error *err)
{
	char real[PATH_MAX];
	size_t i;
	int rc = colink_job_load(job, jobpath, colink_data_dir(g->data_dir), err);
	if (rc)
		return rc;
	if (!(*job)->key_file)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: the job names no key file (only a key id): "
				  "its pseudonyms cannot be made here", jobpath);
	if (*mapping)
		return COLINK_OK;
	if (!realpath(input, real))
		return COLINK_ERR(err, COLINK_ENOTFOUND, "%s: cannot open: %s", input, strerror(errno));
	for (i = 0; i < (*job)->ninputs; i++)
		if (job_input_names(&(*job)->inputs[i], real)) {
			*mapping = (*job)->inputs[i].mapping;
			return COLINK_OK;
		}
	return COLINK_ERR(err, COLINK_EINVAL, "%s: no <input> of %s names this file; give the MAPPING too",
			  input, jobpath);
}

int cmd_preview(struct cli_global *g, int argc, char **argv)
{
	struct colink_error err = {0};
	const char *pos[2] = {NULL, NULL}, *key = NULL, *agreement = "preview", *jobpath = NULL;
	const char *mapping, *input;
	struct colink_job *job = NULL;
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
		} else if (!strcmp(argv[i], "--job") && i + 1 < argc) {
			jobpath = argv[++i];
		} else if (argv[i][0] != '-' && np < 2) {
			pos[np++] = argv[i];
		} else {
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if ((np != 2 && !(jobpath && np == 1)) || n <= 0 || (jobpath && key)) {
		help(stderr);
		return EXIT_USAGE;
	}
	mapping = np == 2 ? pos[0] : NULL;
	input = pos[np - 1];
	rc = jobpath ? job_context(g, jobpath, input, &job, &mapping, &err) : COLINK_OK;
	if (rc == COLINK_OK && job) {
		key = job->key_file;
		agreement = job->agreement;
	}
	if (rc == COLINK_OK)
		rc = preview(g, mapping, input, key, agreement, n, &err);
	colink_job_free(job);
	if (rc) {
		cli_error("%s", err.msg);
		return cli_exit_for_plan(rc);
	}
	return EXIT_OK;
}
