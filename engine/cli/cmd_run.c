/* cmd_run.c -- `colink run JOB`: plan, run, summarize. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "colink/plugin.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/text.h"
#include "core/metrics.h"
#include "core/run.h"
#include "core/settings.h"
#include "steward/unmapped.h"
#include "warehouse/warehouse.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink run [--json] [--no-progress] [--unsigned-agreement] [--dry-run]\n"
		"                  [--metrics-file=PATH] JOB\n"
		"\n"
		"Runs JOB as one transaction: validates the job, its mappings, plugins,\n"
		"settings and key first, and the job against its joint-use agreement\n"
		"(purpose, recipient role, effective period, every item it can move);\n"
		"then reads every input, maps, pseudonymizes and loads it, passing\n"
		"only what the agreement allows to the output.  Either everything lands\n"
		"or nothing does (the ledger keeps a failed row).  Every record read is\n"
		"loaded or rejected with a reason; the summary shows the counts per\n"
		"input.  Each run appends one entry to the job's audit log, and so\n"
		"does a job the agreement refuses (status \"refused\", nothing read).\n"
		"The agreement must be signed by both parties (colink agreement sign)\n"
		"under public keys the job declares (<signer> in its <agreement>);\n"
		"otherwise the job is refused (exit 3, a \"refused\" audit entry).\n"
		"COLINK_RUN_DATE=YYYY-MM-DD overrides the run date (tests only).\n"
		"\n"
		"  --json         print the summary as JSON on stdout\n"
		"  --no-progress  no progress line on stderr (default: shown on a terminal)\n"
		"  --unsigned-agreement  run although the agreement's signatures do not\n"
		"                 both verify; recorded as \"unsigned\" in the ledger\n"
		"                 (run.agreement_signing) and the audit entry\n"
		"  --dry-run      everything a run does, then a rollback: validate,\n"
		"                 read, map, pseudonymize and filter every input, load\n"
		"                 it with the output's own checks (duplicate checkups,\n"
		"                 a person on both sides, inputs loaded before) and\n"
		"                 link; print the same summary with every rejected\n"
		"                 record and all its reasons (the first 10000), with\n"
		"                 the same exit codes; then roll back.  out_sqlite\n"
		"                 works on a private temporary copy of the warehouse:\n"
		"                 the file stays byte for byte as it was (a missing one\n"
		"                 is not created), no ledger row, no audit entry, no\n"
		"                 log file.  An output that cannot (out_postgres, a\n"
		"                 plugin older than ABI 2.3) is not opened at all; a\n"
		"                 note says that its checks and the linkage were not made\n"
		"  --metrics-file=PATH  at the end of the run (a failed or refused one\n"
		"                 too), replace PATH atomically with the run's metrics\n"
		"                 in the Prometheus text format, for node_exporter's\n"
		"                 textfile collector: exit code, duration, records read,\n"
		"                 loaded and rejected per input, link counts, the last\n"
		"                 success time (counts and labels only, mode 0644; not\n"
		"                 with --dry-run).  Also COLINK_METRICS_FILE=PATH\n"
		"\n"
		"The summary lists rejected records with every reason: each failing\n"
		"field of the record (column and rule, never a value), in the order of\n"
		"the mapping's columns (--json: \"rejects\", all of them; the reject\n"
		"table has one row per reason).  A record is rejected and counted once.\n"
		"A run that fails (e.g. more rejects than max-rejected) keeps no reject\n"
		"rows: it prints the first 10 rejected records with their reasons on\n"
		"stderr (--json: all of them in \"rejects\").\n"
		"\n"
		"exit: 0 ok; 1 ok with rejected records; 3 invalid configuration;\n"
		"4 missing file; 5 failed and rolled back; 6 warehouse locked.\n");
}

/* Where a kept reject is in its input: " (document 0003.xml)" for a
 * record of an archive (#18), " (line N)", or "" when neither is known. */
static const char *where(const struct colink_reject_kept *rk, char *buf, size_t n)
{
	if (rk->document)
		snprintf(buf, n, " (document %s)", rk->document);
	else if (rk->line_no)
		snprintf(buf, n, " (line %llu)", (unsigned long long)rk->line_no);
	else
		buf[0] = '\0';
	return buf;
}

/* The rejects kept with every reason (#25), as a JSON array. */
static void json_rejects(const struct colink_reject_sample *s)
{
	size_t i, k;
	printf(",\"rejects\":[");
	for (i = 0; i < s->n; i++) {
		const struct colink_reject_kept *rk = &s->items[i];
		printf("%s{\"input\":%u,\"record\":%llu,\"line\":%llu,", i ? "," : "",
		       rk->input_no, (unsigned long long)rk->record_no, (unsigned long long)rk->line_no);
		if (rk->document) {
			printf("\"document\":");
			colink_json_str(stdout, rk->document);
			printf(",");
		}
		printf("\"reasons\":[");
		for (k = 0; k < rk->nreasons; k++) {
			printf("%s{\"column\":", k ? "," : "");
			if (rk->reasons[k].column)
				colink_json_str(stdout, rk->reasons[k].column);
			else
				printf("null");
			printf(",\"reason\":");
			colink_json_str(stdout, rk->reasons[k].reason);
			printf("}");
		}
		printf("]}");
	}
	printf("],\"rejects_not_shown\":%llu", (unsigned long long)s->not_kept);
}

/* Linked persons as a percentage of a side's persons. */
static double rate(uint64_t linked, uint64_t persons)
{
	return persons ? 100.0 * (double)linked / (double)persons : 0.0;
}

static void print_json(const struct colink_run_result *r, const struct colink_plan *p)
{
	size_t i;
	printf("{\"run_id\":\"%s\",%s%s\"status\":", r->run_id, r->dry_run ? "\"dry_run\":true," : "",
	       !r->dry_run ? "" : r->dry_run_output ? "\"dry_run_output\":true," : "\"dry_run_output\":false,");
	colink_json_str(stdout, r->status);
	printf(",\"message\":");
	colink_json_str(stdout, r->message);
	printf(",\"key_id\":\"%s\",\"started\":\"%s\",\"finished\":\"%s\",\"seconds\":%.3f,"
	       "\"load_seconds\":%.3f,\"link_seconds\":%.3f,\"warehouse\":",
	       r->key_id, r->started, r->finished, r->seconds, r->load_seconds, r->link_seconds);
	colink_json_str(stdout, r->warehouse ? r->warehouse : "");
	printf(",\"read\":%llu,\"loaded\":%llu,\"rejected\":%llu,\"inputs\":[",
	       (unsigned long long)r->read, (unsigned long long)r->loaded,
	       (unsigned long long)r->rejected);
	for (i = 0; i < r->ninputs; i++) {
		const struct colink_input_result *in = &r->inputs[i];
		printf("%s{\"path\":", i ? "," : "");
		colink_json_str(stdout, in->path ? in->path : "");
		printf(",\"mapping\":");
		colink_json_str(stdout, in->mapping ? in->mapping : "");
		printf(",\"sha256\":\"%s\",\"status\":\"%s\",\"read\":%llu,\"loaded\":%llu,"
		       "\"rejected\":%llu,\"unknown_items\":%llu,\"uncatalogued_items\":%llu,"
		       "\"nonstandard_items\":%llu,\"items_without_value\":%llu}",
		       in->sha256, in->status, (unsigned long long)in->read,
		       (unsigned long long)in->loaded, (unsigned long long)in->rejected,
		       (unsigned long long)in->unknown_items, (unsigned long long)in->uncatalogued_items,
		       (unsigned long long)in->nonstandard_items,
		       (unsigned long long)in->items_without_value);
	}
	printf("],\"withheld_without_consent\":%llu,\"withheld_not_agreed\":%llu",
	       (unsigned long long)r->withheld_consent, (unsigned long long)r->withheld_values);
	json_rejects(&r->rejects);
	if (p->agreement) {
		printf(",\"agreement\":{\"id\":");
		colink_json_str(stdout, colink_agreement_id(p->agreement));
		printf(",\"sha256\":\"%s\"},\"purpose\":", colink_agreement_sha256(p->agreement));
		colink_json_str(stdout, p->job->purpose);
		printf(",\"recipient\":{\"party\":\"%s\",\"role\":",
		       colink_party_name(p->job->recipient_party));
		colink_json_str(stdout, p->job->recipient_role);
		printf("},\"audit_log\":");
		colink_json_str(stdout, p->audit_log ? p->audit_log : "");
		printf(",\"audit_message\":");
		colink_json_str(stdout, r->audit_message);
	}
	if (r->linked) {
		printf(",\"link\":{\"association_persons\":%llu,\"employer_persons\":%llu,\"passes\":[",
		       (unsigned long long)r->link.association_persons,
		       (unsigned long long)r->link.employer_persons);
		for (i = 0; i < r->nlink; i++) {
			printf("%s{\"pass\":%zu,\"key\":", i ? "," : "", i + 1);
			colink_json_str(stdout, r->link_kinds[i]);
			printf(",\"linked\":%llu}", (unsigned long long)r->link.linked[i]);
		}
		/* persons, not pairs (#18): linked + in review + unmatched = a
		 * side's persons; ambiguous stays the count of candidate pairs */
		printf("],\"linked_total\":%llu,\"ambiguous\":%llu,\"unmatched_association\":%llu,"
		       "\"unmatched_employer\":%llu,\"review_association\":%llu,"
		       "\"review_employer\":%llu,\"linked_decision\":%llu,"
		       "\"link_rate_association\":%.1f,\"link_rate_employer\":%.1f}",
		       (unsigned long long)r->link.linked_total, (unsigned long long)r->link.ambiguous,
		       (unsigned long long)r->link.unmatched_association,
		       (unsigned long long)r->link.unmatched_employer,
		       (unsigned long long)r->link.review_association,
		       (unsigned long long)r->link.review_employer,
		       (unsigned long long)r->link.linked_decision,
		       rate(r->link.linked_total, r->link.association_persons),
		       rate(r->link.linked_total, r->link.employer_persons));
	}
	printf("}\n");
}

static void print_link(const struct colink_run_result *r)
{
	size_t i;
	const struct colink_link_report *l = &r->link;
	printf("  link: %llu association persons, %llu employer persons\n",
	       (unsigned long long)l->association_persons, (unsigned long long)l->employer_persons);
	if (l->linked_decision)
		printf("    pass 0 (decision): %llu linked\n", (unsigned long long)l->linked_decision);
	for (i = 0; i < r->nlink; i++)
		printf("    pass %zu (%s): %llu linked\n", i + 1, r->link_kinds[i],
		       (unsigned long long)l->linked[i]);
	printf("    linked in total: %llu persons on each side; link rate %.1f%% of association "
	       "persons, %.1f%% of employer persons\n", (unsigned long long)l->linked_total,
	       rate(l->linked_total, l->association_persons), rate(l->linked_total, l->employer_persons));
	printf("    in review: %llu association, %llu employer persons (%llu candidate pairs)\n",
	       (unsigned long long)l->review_association, (unsigned long long)l->review_employer,
	       (unsigned long long)l->ambiguous);
	printf("    unmatched: %llu association, %llu employer persons\n",
	       (unsigned long long)l->unmatched_association, (unsigned long long)l->unmatched_employer);
}

/* A dry run's rejects, every reason of each (#25). */
static void print_rejects(const struct colink_run_result *r)
{
	const struct colink_reject_sample *s = &r->rejects;
	size_t i, k;
	char w[300];
	for (i = 0; i < s->n; i++) {
		const struct colink_reject_kept *rk = &s->items[i];
		printf("  rejected: input %u record %llu%s:\n", rk->input_no,
		       (unsigned long long)rk->record_no, where(rk, w, sizeof(w)));
		for (k = 0; k < rk->nreasons; k++)
			printf("    column %s: %s\n", rk->reasons[k].column ? rk->reasons[k].column : "-",
			       rk->reasons[k].reason);
	}
	if (s->not_kept)
		printf("  ... and %llu more rejected records not shown\n", (unsigned long long)s->not_kept);
}

static void print_text(const struct colink_run_result *r)
{
	size_t i;
	printf("%s %s: %s\n", r->dry_run ? "dry run" : "run", r->run_id, r->status);
	if (r->message[0])
		printf("  reason: %s\n", r->message);
	for (i = 0; i < r->ninputs; i++) {
		const struct colink_input_result *in = &r->inputs[i];
		printf("  input %zu %s: %llu read, %llu loaded, %llu rejected%s%s\n", i + 1,
		       in->path ? in->path : "?", (unsigned long long)in->read,
		       (unsigned long long)in->loaded, (unsigned long long)in->rejected,
		       strcmp(in->status, "loaded") ? " - " : "", strcmp(in->status, "loaded") ? in->status : "");
		if (in->unknown_items || in->items_without_value)
			printf("    items: %llu under a standard code not in the catalogue, %llu under "
			       "a code that is not a standard item code, %llu named without a value "
			       "(stored null, missing)\n",
			       (unsigned long long)in->uncatalogued_items,
			       (unsigned long long)in->nonstandard_items,
			       (unsigned long long)in->items_without_value);
	}
	printf("  total: %llu read, %llu loaded, %llu rejected in %.2f s\n",
	       (unsigned long long)r->read, (unsigned long long)r->loaded,
	       (unsigned long long)r->rejected, r->seconds);
	printf("  time: load %.2f s, link %.2f s, commit and the rest %.2f s\n", r->load_seconds,
	       r->link_seconds, r->seconds - r->load_seconds - r->link_seconds);
	if (r->withheld_consent)
		printf("  withheld without consent: %llu records (stress-check results)\n",
		       (unsigned long long)r->withheld_consent);
	if (r->withheld_values)
		printf("  withheld, not allowed by the agreement: %llu values\n",
		       (unsigned long long)r->withheld_values);
	if (r->linked)
		print_link(r);
	if (r->dry_run) {
		print_rejects(r);
		printf("  warehouse: %s (dry run: %s)\n  key id: %s\n",
		       r->warehouse ? r->warehouse : "-",
		       !r->dry_run_output ? "not opened; nothing written"
		       : r->linked ? "loaded and linked, then rolled back; nothing written"
				   : "loaded, then rolled back; nothing written", r->key_id);
		if (!r->dry_run_output)
			printf("  note: %s cannot do a dry run (it needs plugin ABI 2.3 and "
			       "COLINK_OUTPUT_DRY_RUN): its own checks (duplicates, inputs loaded "
			       "before) and the linkage were not made\n",
			       r->output_plugin ? r->output_plugin : "the output");
		return;
	}
	printf("  warehouse: %s\n  key id: %s\n", r->warehouse ? r->warehouse : "-", r->key_id);
	if (r->rejected && !strcmp(r->status, "ok")) {
		char q[160];
		colink_wh_rejects_query(q, sizeof(q), r->run_id);
		printf("  rejected records: %s\n", q);
	}
}

/* --metrics-file (#22): where, and since when the command runs. */
struct metrics_opt {
	const char *path; /* NULL: none */
	const char *job;  /* the job file */
	struct timespec t0;
};

static void metrics_start(struct metrics_opt *m, const char *path)
{
	const char *env = getenv("COLINK_METRICS_FILE");
	m->path = path ? path : env && *env ? env : NULL;
	clock_gettime(CLOCK_MONOTONIC, &m->t0);
}

/* Write the metrics file for this outcome; a failure is logged, and the
 * run's exit code stays the command's (the run's data is what it is). */
static void metrics_finish(const struct metrics_opt *m, const struct colink_plan *plan,
			   const struct colink_run_result *res, int code)
{
	struct colink_metrics_run mr;
	struct colink_error err = {0};
	struct timespec t1;
	char *job;
	if (!m->path)
		return;
	job = colink_metrics_job_label(m->job);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	mr.job = job ? job : "";
	mr.plan = plan;
	mr.res = res;
	mr.exit_code = code;
	mr.seconds = (double)(t1.tv_sec - m->t0.tv_sec) + (double)(t1.tv_nsec - m->t0.tv_nsec) / 1e9;
	mr.finished = time(NULL);
	if (colink_metrics_write(m->path, &mr, &err))
		colink_log(COLINK_LOG_ERROR, "the metrics file was not written: %s", err.msg);
	free(job);
}

/* A failed run keeps no reject rows, so say why its records were rejected
 * (#18): the first FAILED_REJECTS on stderr (--json: all, in "rejects"). */
#define FAILED_REJECTS 10
static void failed_rejects(const struct colink_run_result *r)
{
	const struct colink_reject_sample *s = &r->rejects;
	size_t i, k, n = s->n < FAILED_REJECTS ? s->n : FAILED_REJECTS;
	char w[300];
	if (!r->rejected)
		return;
	fprintf(stderr, "colink: %llu records were rejected (no reject row is kept); the first %zu:\n",
		(unsigned long long)r->rejected, n);
	for (i = 0; i < n; i++) {
		const struct colink_reject_kept *rk = &s->items[i];
		fprintf(stderr, "  input %u record %llu%s:", rk->input_no,
			(unsigned long long)rk->record_no, where(rk, w, sizeof(w)));
		for (k = 0; k < rk->nreasons; k++)
			fprintf(stderr, "%s column %s: %s", k ? ";" : "",
				rk->reasons[k].column ? rk->reasons[k].column : "-", rk->reasons[k].reason);
		fputc('\n', stderr);
	}
	if (r->rejected > n)
		fprintf(stderr, "  ... and %llu more (colink run --json lists them all)\n",
			(unsigned long long)(r->rejected - n));
}

/* Run a loaded plan, print the summary, free the plan; the exit code. */
static int run_and_report(struct cli_global *g, struct colink_plan *plan,
			  const struct colink_run_opts *o, int json, const char *failed,
			  const struct metrics_opt *m)
{
	struct colink_error err = {0};
	struct colink_run_result res;
	int rc = colink_run(plan, o, &res, &err), code;
	if (rc && o->dry_run)
		failed = "dry run failed (nothing was written either way)";
	if (json)
		print_json(&res, plan);
	else if (!g->quiet)
		print_text(&res);
	/* a failed run whose own audit entry could not be written either
	 * leaves a gap in the auditor's trail: said on the same line (JSON
	 * has it as audit_message; a run that committed says so in its error
	 * already) */
	if (rc && !json && res.audit_message[0] && strcmp(res.status, "ok"))
		cli_error("%s: %s; its \"failed\" audit entry was not written either: %s",
			  failed, err.msg, res.audit_message);
	else if (rc)
		cli_error("%s: %s", failed, err.msg);
	if (rc && !o->dry_run && !json)
		failed_rejects(&res);
	code = cli_exit_for_run(rc);
	if (code == EXIT_OK && res.rejected)
		code = EXIT_REJECTS;
	if (!o->dry_run)
		metrics_finish(m, plan, &res, code);
	colink_log_set_run(NULL);
	colink_run_result_clear(&res);
	colink_plan_free(plan);
	return code;
}

/* "--NAME=VALUE" or "--NAME VALUE" at argv[*i]: the value (NULL when argv[*i] is
 * not --NAME, or the value is missing or empty: *bad set). */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *bad)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=') {
		*bad = !a[n + 1];
		return a[n + 1] ? a + n + 1 : NULL;
	}
	if (a[n])
		return NULL;
	if (*i + 1 >= argc || !argv[*i + 1][0]) {
		*bad = 1;
		return NULL;
	}
	return argv[++*i];
}

int cmd_run(struct cli_global *g, int argc, char **argv)
{
	struct colink_error err = {0};
	struct colink_plan *plan = NULL;
	struct colink_run_opts o = {0};
	struct colink_plan_audit audit = {NULL, NULL, 0, 0};
	struct metrics_opt m;
	const char *job = NULL, *metrics = NULL, *v;
	int json = 0, i, rc, bad = 0;

	o.progress = isatty(2) && !g->quiet && colink_log_get_format() == COLINK_LOG_FORMAT_TEXT;
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			help(stdout);
			return EXIT_OK;
		} else if ((v = opt_value(argc, argv, &i, "--metrics-file", &bad)) || bad) {
			if (bad) {
				fprintf(stderr, "colink run: --metrics-file needs a PATH\n");
				return EXIT_USAGE;
			}
			metrics = v;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--no-progress")) {
			o.progress = 0;
		} else if (!strcmp(argv[i], "--unsigned-agreement")) {
			audit.unsigned_agreement = 1;
		} else if (!strcmp(argv[i], "--dry-run")) {
			o.dry_run = 1;
			o.reject_sample = 10000;
			audit.no_entry = 1; /* refused as a run is, but nothing appended */
		} else if (argv[i][0] == '-' || job) {
			fprintf(stderr, "colink run: unexpected argument '%s'\n", argv[i]);
			help(stderr);
			return EXIT_USAGE;
		} else {
			job = argv[i];
		}
	}
	if (!job) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (json)
		o.reject_sample = SIZE_MAX; /* every reject in "rejects" (#18) */
	metrics_start(&m, metrics);
	m.job = job;
	/* a job the agreement refuses leaves a "refused" audit entry */
	rc = colink_plan_load_audited(&plan, job, colink_data_dir(g->data_dir), g->plugin_dirs,
				      &audit, &err);
	/* no identifier column stored raw as an observation (#24) */
	if (rc == COLINK_OK)
		rc = colink_unmapped_check_plan(plan, colink_data_dir(g->data_dir), &err);
	if (rc) {
		cli_error("%s", err.msg);
		if (!o.dry_run)
			metrics_finish(&m, NULL, NULL, cli_exit_for_plan(rc));
		colink_plan_free(plan);
		return cli_exit_for_plan(rc);
	}
	return run_and_report(g, plan, &o, json, "run failed, nothing was loaded", &m);
}

/* ---- colink pseudonymize JOB EXTRACT ---- */

static void help_pseudonymize(FILE *f)
{
	fprintf(f,
		"usage: colink pseudonymize [--json] [--unsigned-agreement] JOB EXTRACT\n"
		"\n"
		"Split-site mode.  Runs JOB's inputs at this site, but writes them to\n"
		"EXTRACT instead of the job's output: a warehouse-format SQLite file\n"
		"with pseudonyms only (no raw identifier, no name, no birth date) and\n"
		"the key id recorded.  Carry EXTRACT to the linkage site and load it\n"
		"there with mappings/vendors/extract.xml; that job may name only the\n"
		"key id (<key id=\"...\"/>), so the key never leaves this site.\n"
		"EXTRACT must not exist yet.  The agreement's signatures are checked\n"
		"as by `colink run` (--unsigned-agreement as there).  Exit codes as for\n"
		"`colink run`.\n");
}

/* Point the plan's output at a fresh out_sqlite file: one self-contained
 * file (rollback journal, not WAL) so that it can be carried as it is. */
static int retarget(struct colink_plan *plan, const char *extract,
		    struct colink_setting_given given[2], struct colink_error *err)
{
	const struct colink_loaded_plugin *lp;
	int rc = colink_loader_get(plan->loader, "out_sqlite", &lp, err);
	if (rc)
		return rc;
	given[0].name = "path";
	given[0].value = extract;
	given[0].line = 0;
	given[1].name = "journal";
	given[1].value = "delete";
	given[1].line = 0;
	colink_settings_free(plan->out_vals, 0);
	plan->out_vals = NULL;
	plan->out_plugin = lp;
	return colink_settings_resolve(lp->settings, given, 2, "(pseudonymize)",
				       "out_sqlite", &plan->out_vals, err);
}

int cmd_pseudonymize(struct cli_global *g, int argc, char **argv)
{
	struct colink_error err = {0};
	struct colink_plan *plan = NULL;
	struct colink_run_opts o = {0};
	struct colink_setting_given given[2];
	struct colink_plan_audit audit = {NULL, NULL, 0, 0};
	const char *pos[2] = {NULL, NULL};
	struct stat st;
	struct metrics_opt nom = {NULL, NULL, {0, 0}}; /* no metrics: not a scheduled run */
	int json = 0, np = 0, i, rc;

	o.audit_kind = "export";
	o.progress = isatty(2) && !g->quiet && colink_log_get_format() == COLINK_LOG_FORMAT_TEXT;
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			help_pseudonymize(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--unsigned-agreement")) {
			audit.unsigned_agreement = 1;
		} else if (argv[i][0] != '-' && np < 2) {
			pos[np++] = argv[i];
		} else {
			help_pseudonymize(stderr);
			return EXIT_USAGE;
		}
	}
	if (np != 2) {
		help_pseudonymize(stderr);
		return EXIT_USAGE;
	}
	if (!stat(pos[1], &st)) {
		cli_error("%s already exists; an extract is always a new file", pos[1]);
		return EXIT_CONFIG;
	}
	audit.kind = o.audit_kind;
	audit.output = pos[1];
	rc = colink_plan_load_audited(&plan, pos[0], colink_data_dir(g->data_dir), g->plugin_dirs,
				      &audit, &err);
	if (rc == COLINK_OK && !plan->key)
		rc = COLINK_ERR(&err, COLINK_EINVAL, "%s: pseudonymizing needs a key file, not only a key id",
				pos[0]);
	/* #23: the comparison features never leave the site in an extract
	 * (docs/pseudonyms.md, "what an agreement must say") */
	if (rc == COLINK_OK && plan->job->prob.on)
		rc = COLINK_ERR(&err, COLINK_EINVAL, "%s:%d: a probabilistic link pass would put "
				"comparison features into the extract; an extract carries pseudonyms "
				"only: link probabilistically at this site, or drop the pass",
				pos[0], plan->job->prob.line);
	if (rc == COLINK_OK)
		rc = colink_unmapped_check_plan(plan, colink_data_dir(g->data_dir), &err);
	if (rc == COLINK_OK)
		rc = retarget(plan, pos[1], given, &err);
	if (rc) {
		cli_error("%s", err.msg);
		colink_plan_free(plan);
		return cli_exit_for_plan(rc);
	}
	return run_and_report(g, plan, &o, json, "pseudonymizing failed, no extract was written", &nom);
}
