/* run.c -- running a planned job (see run.h; planning is plan.c). */
#include "core/run.h"

#include <glob.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "policy/audit.h"
#include "policy/audit_ledger.h"
#include "core/host.h"
#include "base/log.h"
#include "base/paths.h"
#include "policy/policy.h"
#include "core/settings.h"
#include "core/transform.h"
#include "base/util.h"
#include "core/writer.h"
#include "identity/identity.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* ================================================================== */
/* Run                                                                  */
/* ================================================================== */

struct run_state {
	struct colink_plan *p;
	const struct colink_output_ops *out;
	void *out_ctx;
	struct colink_transform *t;
	struct colink_input_result *ir;
	struct colink_error *err;
	int fatal;             /* a fatal error is in *err */
	int progress;
	time_t last_progress;
	uint32_t input_no;
	int src_party;         /* source party of the current input's mapping */
	/* the output's write and reject calls while an input is read
	 * (writer.h); NULL between inputs */
	struct colink_writer *w;
	struct colink_reject_sample *sample; /* the run's first rejects (#25) */
};

static void progress(struct run_state *st, int force)
{
	uint64_t loaded, rejected;
	time_t now;
	if (!st->progress)
		return;
	now = time(NULL);
	if (!force && now == st->last_progress)
		return;
	st->last_progress = now;
	loaded = st->ir->loaded;
	rejected = st->ir->rejected;
	if (st->w)
		colink_writer_counts(st->w, &loaded, &rejected);
	fprintf(stderr, "\rcolink: input %u %s: %llu read, %llu loaded, %llu rejected%s",
		st->input_no, colink_path_base(st->ir->path),
		(unsigned long long)st->ir->read, (unsigned long long)loaded,
		(unsigned long long)rejected, force ? "\n" : "");
}

static int fail(struct run_state *st, int rc)
{
	if (!st->fatal) {
		st->fatal = 1;
		if (st->err->code == COLINK_OK)
			COLINK_ERR(st->err, rc, "run failed");
	}
	return COLINK_EABORT;
}

/* A failure handing a record or reject to the writer: its copy had no
 * memory, or the writer failed (its reason comes at colink_writer_finish). */
static int hand_over_failed(struct run_state *st, int rc)
{
	if (rc == COLINK_EABORT) /* the writer's own reason is kept for run_file */
		return COLINK_EABORT;
	if (rc == COLINK_ENOMEM && st->err->code == COLINK_OK)
		COLINK_ERR(st->err, rc, "out of memory");
	return fail(st, rc);
}

/* A reject goes to the writer, in order with the records (it counts it). */
static int write_reject(struct run_state *st, const struct colink_reject *rj)
{
	int rc = colink_writer_reject(st->w, rj);
	return rc ? hand_over_failed(st, rc) : COLINK_OK;
}

static int on_header(void *ud, size_t n, const char *const *names)
{
	struct run_state *st = ud;
	int rc = colink_transform_header(st->t, n, names, st->err);
	return rc ? fail(st, rc) : COLINK_OK;
}

static int on_record(void *ud, const struct colink_raw_record *rec)
{
	struct run_state *st = ud;
	const struct colink_out_record *orec;
	struct colink_reject rj;
	int rc;
	if (st->fatal || colink_writer_failed(st->w))
		return COLINK_EABORT;
	st->ir->read++;
	if ((st->ir->read & 4095) == 0)
		progress(st, 0);
	colink_log_set_record(rec->record_no); /* what the core logs meanwhile names it */
	rc = colink_transform_record(st->t, rec, &orec, &rj, st->err);
	if (rc == COLINK_REJECTED)
		rc = write_reject(st, &rj);
	else if (rc)
		rc = fail(st, rc);
	/* the agreement, enforced here: the output sees allowed values only */
	else if (st->p->policy &&
		 (rc = colink_policy_filter(st->p->policy, st->src_party, orec, &orec, st->err)))
		rc = fail(st, rc);
	/* the writer calls out->write, and records the output's rejects */
	else if ((rc = colink_writer_record(st->w, orec)))
		rc = hand_over_failed(st, rc);
	colink_log_set_record(0);
	return rc;
}

static int on_reject(void *ud, uint64_t record_no, uint64_t line_no,
		     const char *column, const char *reason)
{
	struct run_state *st = ud;
	struct colink_reject_reason one = {column, reason};
	struct colink_reject rj = COLINK_REJECT_INIT(.input_no = st->input_no,
		.record_no = record_no, .line_no = line_no, .column = column,
		.reason = reason, .nreasons = 1, .reasons = &one);
	int rc;
	if (st->fatal || colink_writer_failed(st->w))
		return COLINK_EABORT;
	st->ir->read++;
	colink_log_set_record(record_no);
	rc = write_reject(st, &rj);
	colink_log_set_record(0);
	return rc;
}

static void fill_info(struct colink_input_info *ii, struct run_state *st,
		      struct colink_plan_input *in, const char *path, uint64_t size)
{
	memset(ii, 0, sizeof(*ii));
	ii->struct_size = sizeof(*ii);
	ii->input_no = st->input_no;
	ii->path = path;
	ii->sha256 = st->ir->sha256;
	ii->size = size;
	ii->plugin = in->plugin->desc->name;
	ii->mapping_path = in->map->path;
	ii->mapping_sha256 = in->map->sha256;
	ii->mapping_id = in->map->id;
}

/* Read one input file through its plugin into the output. */
static int run_file(struct run_state *st, struct colink_plan_input *in,
		    const char *path, struct colink_host *host,
		    struct colink_pseudo_set *ps)
{
	struct colink_input_info ii;
	const struct colink_items_seen *seen;
	struct colink_host_ctx hc = {in->plugin->desc->name, ps};
	struct colink_emitter em = {on_header, on_record, on_reject, st};
	void *ictx = NULL;
	uint64_t size = 0;
	int skip = 0, rc;

	st->src_party = colink_policy_source_party(in->map);
	colink_log_set_input(st->input_no, path);
	st->ir->path = colink_strdup(path);
	st->ir->mapping = colink_strdup(in->map->path);
	if (!st->ir->path || !st->ir->mapping)
		return COLINK_ERR(st->err, COLINK_ENOMEM, "out of memory");
	rc = colink_sha256_path(path, st->ir->sha256, &size, st->err);
	if (rc)
		return rc;
	fill_info(&ii, st, in, path, size);
	if (st->out->input_begin && (rc = st->out->input_begin(st->out_ctx, &ii, &skip, st->err)))
		return rc;
	snprintf(st->ir->status, sizeof(st->ir->status), "%s", skip ? "skipped-duplicate" : "loaded");
	if (skip) {
		colink_log(COLINK_LOG_WARN, "%s: identical bytes were already loaded by an earlier run; skipped", path);
	} else {
		rc = colink_transform_new(&st->t, in->map, st->p->cat, ps, st->input_no, path, st->err);
		if (!rc)
			colink_transform_set_features(st->t, st->p->job->prob.on,
						      st->p->job->prob.name_filter,
						      st->p->job->prob.window);
		if (rc == COLINK_OK) {
			struct colink_setting_values sv = colink_settings_view(
				in->vals, colink_settings_count(in->plugin->settings));
			rc = in->plugin->desc->init(&ictx, host, &hc, &sv, st->err);
		}
		if (rc == COLINK_OK)
			rc = colink_writer_start(&st->w, st->out, st->out_ctx, st->input_no, st->err);
		if (rc == COLINK_OK) {
			colink_writer_sample(st->w, st->sample);
			/* the plugin gets its own error: when the core stopped it,
			 * the core's reason (in st->err) is the one to keep */
			struct colink_error perr = {0}, werr = {0};
			int wrc;
			rc = in->plugin->desc->input->read(ictx, path, &em, &perr);
			/* everything handed over is written before anything else
			 * calls the output; a writer failure is the run's reason */
			wrc = colink_writer_finish(st->w, &st->ir->loaded, &st->ir->rejected, &werr);
			st->w = NULL;
			if (wrc && !st->fatal) {
				*st->err = werr;
				st->fatal = 1;
			}
			if (st->fatal)
				rc = st->err->code ? st->err->code : COLINK_EABORT;
			else if (rc == COLINK_EABORT)
				rc = COLINK_ERR(st->err, COLINK_EABORT, "%s: reading stopped", path);
			else if (rc)
				*st->err = perr;
		}
		in->plugin->desc->fini(ictx);
		progress(st, 1);
		if (rc)
			return rc;
		ii.nmap = colink_transform_lineage(st->t, &ii.map_fields, &ii.map_sources);
		seen = colink_transform_items_seen(st->t);
		st->ir->unknown_items = colink_items_seen_unknown(seen);
		st->ir->uncatalogued_items = seen->count[COLINK_ITEM_UNCATALOGUED];
		st->ir->nonstandard_items = seen->count[COLINK_ITEM_NONSTANDARD];
		st->ir->items_without_value = seen->count[COLINK_ITEM_NO_VALUE];
		colink_items_seen_log(seen, path);
	}
	ii.read = st->ir->read;
	ii.loaded = st->ir->loaded;
	ii.rejected = st->ir->rejected;
	ii.status = st->ir->status;
	if (st->out->input_end)
		rc = st->out->input_end(st->out_ctx, &ii, st->err);
	colink_transform_free(st->t);
	st->t = NULL;
	return rc;
}

static size_t count_files(const struct colink_plan *p)
{
	size_t i, n = 0;
	for (i = 0; i < p->ninputs; i++)
		n += p->inputs[i].nfiles;
	return n;
}

static int run_inputs(struct run_state *st, struct colink_run_result *res,
		      struct colink_host *host, struct colink_pseudo_set *ps)
{
	size_t i, k;
	int rc = COLINK_OK;
	for (i = 0; rc == COLINK_OK && i < st->p->ninputs; i++) {
		struct colink_plan_input *in = &st->p->inputs[i];
		for (k = 0; rc == COLINK_OK && k < in->nfiles; k++) {
			st->ir = &res->inputs[res->ninputs++];
			st->input_no = (uint32_t)res->ninputs;
			rc = run_file(st, in, in->files[k], host, ps);
			colink_log_set_input(0, NULL);
			res->read += st->ir->read;
			res->loaded += st->ir->loaded;
			res->rejected += st->ir->rejected;
		}
	}
	if (rc == COLINK_OK && st->p->job->max_rejected >= 0 &&
	    res->rejected > (uint64_t)st->p->job->max_rejected)
		rc = COLINK_ERR(st->err, COLINK_EINVAL,
				"%llu records rejected, more than the job's max-rejected %lld: nothing is loaded",
				(unsigned long long)res->rejected, (long long)st->p->job->max_rejected);
	return rc;
}

/* The output's "path" setting as resolved (the plan's output may have been
 * retargeted, e.g. by `colink pseudonymize`). */
static int run_link(struct run_state *st, struct colink_run_result *res)
{
	struct colink_link_pass passes[COLINK_LINK_MAX_PASSES];
	struct colink_link_rules rules = COLINK_LINK_RULES_INIT(.npasses = 0);
	size_t i;
	int rc;
	if (!st->p->job->nlink)
		return COLINK_OK;
	memset(passes, 0, sizeof(passes));
	for (i = 0; i < st->p->job->nlink; i++)
		passes[i].kind = st->p->job->link_kinds[i];
	if (st->p->job->prob.on) { /* the last pass (job.c) */
		struct colink_link_pass *pp = &passes[st->p->job->nlink - 1];
		pp->probabilistic = 1;
		pp->upper = st->p->job->prob.upper;
		pp->lower = st->p->job->prob.lower;
		pp->dice = st->p->job->prob.dice;
		pp->blocking = st->p->job->prob.blocking;
	}
	rules.npasses = st->p->job->nlink;
	rules.passes = passes;
	res->link = (struct colink_link_report)COLINK_LINK_REPORT_INIT(.linked_total = 0);
	rc = st->out->link(st->out_ctx, &rules, &res->link, st->err);
	if (rc == COLINK_OK) {
		res->linked = 1;
		res->nlink = st->p->job->nlink;
		res->link_kinds = (const char *const *)st->p->job->link_kinds;
	}
	return rc;
}

/*
 * The run's entry in the audit log.  Prepared (log locked, chained,
 * formatted) before the commit, so that a run whose entry cannot be made
 * does not commit; written after it.
 */
static int prepare_audit(struct colink_plan *p, struct colink_run_result *res,
			 const char *kind, const char *user, int wait_ms,
			 struct colink_audit_pending **pending, struct colink_error *err)
{
	struct colink_audit_entry e;
	struct colink_audit_file *maps, *ins;
	struct colink_audit_count counts[5];
	const char **items;
	size_t i, nitems = p->policy ? colink_policy_nreleased(p->policy) : 0;
	int rc;
	if (!p->audit_log || !p->agreement)
		return COLINK_OK;
	maps = colink_calloc(p->ninputs + 1, sizeof(*maps));
	ins = colink_calloc(res->ninputs + 1, sizeof(*ins));
	items = colink_calloc(nitems + 1, sizeof(*items));
	if (!maps || !ins || !items) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		goto out;
	}
	memset(&e, 0, sizeof(e));
	e.kind = kind ? kind : "run";
	e.status = res->status;
	e.user = user;
	e.job = p->job->name;
	e.job_sha256 = p->job->sha256;
	e.run_id = res->run_id;
	e.purpose = p->job->purpose;
	e.recipient_party = colink_party_name(p->job->recipient_party);
	e.recipient_role = p->job->recipient_role;
	e.agreement_id = colink_agreement_id(p->agreement);
	e.agreement_sha256 = colink_agreement_sha256(p->agreement);
	e.agreement_signing = p->signing;
	e.key_id = res->key_id;
	e.output = res->warehouse;
	e.message = res->message[0] ? res->message : NULL;
	for (i = 0; i < p->ninputs; i++) {
		maps[i].path = p->inputs[i].map->path;
		maps[i].sha256 = p->inputs[i].map->sha256;
	}
	e.nmappings = p->ninputs;
	e.mappings = maps;
	for (i = 0; i < res->ninputs; i++) {
		ins[i].path = res->inputs[i].path;
		ins[i].sha256 = res->inputs[i].sha256;
	}
	e.ninputs = res->ninputs;
	e.inputs = ins;
	for (i = 0; i < nitems; i++)
		items[i] = colink_policy_released_at(p->policy, i);
	e.nitems = nitems;
	e.items = items;
	counts[0] = (struct colink_audit_count){"read", res->read};
	counts[1] = (struct colink_audit_count){"loaded", res->loaded};
	counts[2] = (struct colink_audit_count){"rejected", res->rejected};
	counts[3] = (struct colink_audit_count){"withheld_without_consent", res->withheld_consent};
	counts[4] = (struct colink_audit_count){"withheld_not_agreed", res->withheld_values};
	e.ncounts = 5;
	e.counts = counts;
	rc = *pending ? colink_audit_chain(*pending, &e, err)
		      : colink_audit_prepare_within(pending, p->audit_log, &e, wait_ms, err);
out:
	colink_free(maps);
	colink_free(ins);
	colink_free(items);
	return rc;
}

/*
 * Crash tests only (#24, tests/test_agreement.c): COLINK_TEST_KILL_AT=NAME
 * kills the process with SIGKILL at the point NAME of finish_run, as a
 * power cut would: before-commit, after-checkpoint (out_sqlite's commit,
 * which closes the database, returned), after-completion (the "ok" entry
 * is written).  Points inside the commit are out_sqlite's (kill_hooks).
 * Read once per run; no real run sets it.
 */
static void kill_point(const char *at, const char *name)
{
	if (at && !strcmp(at, name))
		raise(SIGKILL);
}

/* How long a failed run waits for the audit log to write its entry. */
#define FAILED_ENTRY_WAIT_MS 10000

/*
 * Crash tests only (tests/test_crash.c): a variable set to a PATH (F, its
 * value) makes a run that wrote every row, still holding its write transaction,
 * create PATH and wait until the test removes it, so that a second run
 * meets a writer that cannot finish early however fast the machine.
 * COLINK_TEST_PAUSE_BEFORE_COMMIT stops before the audit log is locked,
 * COLINK_TEST_PAUSE_AFTER_INTENT with the log locked and the intent
 * written, just before the output's commit.  No real run sets them.
 */
static void pause_point(const char *f)
{
	struct stat sb;
	FILE *p;
	if (!f || !*f || !(p = fopen(f, "w")))
		return;
	fclose(p);
	while (stat(f, &sb) == 0)
		usleep(20 * 1000);
}

/*
 * Commit (rc OK so far) or roll back, and record the run in the audit
 * log.  A run that committed has its entry prepared before the commit;
 * a failed run's entry is written on a best-effort basis (its failure is
 * noted in res->audit_message, the run's own error stays the one reported).
 */
static int finish_run(struct run_state *st, struct colink_run_result *res,
		      const struct colink_run_opts *o, const char *user,
		      struct colink_run_summary *sum, int began, int rc)
{
	struct colink_plan *p = st->p;
	struct colink_audit_pending *pending = NULL;
	struct colink_error aerr = {0};
	const char *kind = o ? o->audit_kind : NULL;
	const char *kill_at = getenv("COLINK_TEST_KILL_AT"); /* crash tests only */
	if (p->policy) {
		struct colink_policy_counts pc;
		colink_policy_counts(p->policy, &pc);
		res->withheld_consent = pc.withheld_consent;
		res->withheld_values = pc.withheld_values;
	}
	/* the intent ("committing") is written and fsynced before COMMIT, the
	 * log stays locked, the completion ("ok") is written after (#24) */
	snprintf(res->status, sizeof(res->status), "committing");
	if (rc == COLINK_OK)
		pause_point(getenv("COLINK_TEST_PAUSE_BEFORE_COMMIT"));
	if (rc == COLINK_OK)
		rc = prepare_audit(p, res, kind, user, -1, &pending, st->err);
	snprintf(res->status, sizeof(res->status), "ok");
	if (rc == COLINK_OK && pending)
		rc = prepare_audit(p, res, kind, user, -1, &pending, st->err);
	if (rc == COLINK_OK) {
		kill_point(kill_at, "before-commit");
		pause_point(getenv("COLINK_TEST_PAUSE_AFTER_INTENT"));
	}
	if (rc == COLINK_OK && (rc = st->out->commit(st->out_ctx, sum, st->err)) == COLINK_OK) {
		kill_point(kill_at, "after-checkpoint");
		if (pending && colink_audit_finish(pending, &aerr)) {
			snprintf(res->audit_message, sizeof(res->audit_message), "%s", aerr.msg);
			return COLINK_ERR(st->err, COLINK_EIO, "run %s committed, but its audit entry was not written: %s",
					  res->run_id, aerr.msg);
		}
		kill_point(kill_at, "after-completion");
		return COLINK_OK;
	}
	colink_audit_cancel(pending);
	pending = NULL;
	snprintf(res->status, sizeof(res->status), "failed");
	snprintf(res->message, sizeof(res->message), "%s", st->err->msg);
	sum->status = "failed";
	sum->message = res->message;
	if (began)
		st->out->abort(st->out_ctx, sum);
	/* a failed run's entry waits for the log a bounded time (its holder
	 * is a run inside its commit, which may stall); a run that commits
	 * waits as long as it takes: its intent must be written first */
	if (prepare_audit(p, res, kind, user, FAILED_ENTRY_WAIT_MS, &pending, &aerr) == COLINK_OK && pending &&
	    colink_audit_finish(pending, &aerr) == COLINK_OK)
		return rc;
	if (p->audit_log && p->agreement)
		snprintf(res->audit_message, sizeof(res->audit_message), "%s", aerr.msg);
	return rc;
}

/*
 * A previous run on this warehouse that committed but was killed before
 * its completion entry (its intent is the last word of the log about it)
 * is completed now, in this run's name (#24), before this run writes
 * anything.  Best effort: a failure is logged and the run goes on (a
 * damaged log stops it later, when its own entry is prepared).
 */
static void complete_previous_runs(struct colink_plan *p, struct colink_run_result *res)
{
	struct colink_error aerr = {0};
	size_t n = 0;
	int rc;
	if (!p->audit_log || !p->agreement || !res->warehouse)
		return;
	rc = colink_audit_ledger_complete(p->audit_log, res->warehouse, res->run_id, &n, &aerr);
	if (rc)
		colink_log(rc == COLINK_EBUSY ? COLINK_LOG_INFO : COLINK_LOG_WARN,
			   "%s: earlier runs were not checked against the audit log: %s",
			   res->warehouse, aerr.msg);
	else if (n)
		colink_log(COLINK_LOG_WARN, "%s: %zu earlier run%s committed but killed before %s completion "
			   "entry; completed in %s by run %s", res->warehouse, n, n == 1 ? "" : "s",
			   n == 1 ? "its" : "their", p->audit_log, res->run_id);
}

/* A dry run (colink_run_opts.dry_run) with an output that cannot do one
 * (before ABI 2.3, or without COLINK_OUTPUT_DRY_RUN): the output plugin is
 * never opened; these take its write and reject calls, so that the writer
 * counts and samples exactly as in a run, and keep nothing. */
static int dry_write(void *ctx, const struct colink_out_record *rec, struct colink_error *err)
{
	return COLINK_OK;
}

static int dry_reject(void *ctx, const struct colink_reject *rj, struct colink_error *err)
{
	return COLINK_OK;
}

static const struct colink_output_ops dry_output = COLINK_OUTPUT_OPS_INIT(
	.write = dry_write, .reject = dry_reject);

/* Whether the output can run a whole dry run and roll it back (#18). */
static int output_dry_capable(const struct colink_plugin *d)
{
	const struct colink_output_ops *ops = d->output;
	return d->abi_minor >= 3 && ops &&
	       COLINK_HAS(struct colink_output_ops, ops->struct_size, capabilities) &&
	       (ops->capabilities & COLINK_OUTPUT_DRY_RUN);
}

/* The end of a dry run: nothing to commit or audit; an output that took
 * part rolls everything back (abort; it leaves no failed ledger row). */
static int finish_dry(struct run_state *st, struct colink_run_result *res,
		      struct colink_run_summary *sum, int began, int rc)
{
	if (st->p->policy) {
		struct colink_policy_counts pc;
		colink_policy_counts(st->p->policy, &pc);
		res->withheld_consent = pc.withheld_consent;
		res->withheld_values = pc.withheld_values;
	}
	snprintf(res->status, sizeof(res->status), "%s", rc == COLINK_OK ? "ok" : "failed");
	if (rc)
		snprintf(res->message, sizeof(res->message), "%s", st->err->msg);
	sum->status = "dry-run";
	sum->message = rc ? res->message : "dry run";
	if (began)
		st->out->abort(st->out_ctx, sum);
	return rc;
}

static void fill_run_info(struct colink_run_info *ri, struct colink_plan *p,
			  struct colink_run_result *res, char *user, size_t ul,
			  char norm[COLINK_NORM_VERSION_MAX])
{
	memset(ri, 0, sizeof(*ri));
	colink_os_user(user, ul);
	ri->struct_size = sizeof(*ri);
	ri->field_size = sizeof(*ri->fields);
	ri->run_id = res->run_id;
	ri->job_name = p->job->name;
	ri->job_path = p->job->path;
	ri->job_sha256 = p->job->sha256;
	ri->purpose = p->job->purpose;
	ri->key_id = res->key_id;
	ri->os_user = user;
	ri->started = res->started;
	ri->version = PACKAGE_VERSION;
	ri->nfields = p->cat->nfields;
	ri->fields = p->cat->fields;
	colink_normalization_version(norm);
	ri->normalization = norm;
	ri->agreement_signing = p->signing; /* NULL without an agreement */
	ri->dry_run = res->dry_run_output;
}

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int colink_run(struct colink_plan *p, const struct colink_run_opts *o,
	       struct colink_run_result *res, struct colink_error *err)
{
	struct run_state st;
	struct colink_host host;
	struct colink_host_ctx ohc;
	struct colink_run_info ri;
	struct colink_run_summary sum;
	struct colink_pseudo_set *ps = NULL;
	char user[128], norm[COLINK_NORM_VERSION_MAX];
	struct timespec t0, tl, t1;
	int rc, began = 0, dry = o && o->dry_run, opened;

	memset(res, 0, sizeof(*res));
	memset(&st, 0, sizeof(st));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st.p = p;
	st.err = err;
	res->dry_run = dry;
	res->dry_run_output = dry && output_dry_capable(p->out_plugin->desc);
	res->output_plugin = p->out_plugin->desc->name;
	opened = !dry || res->dry_run_output; /* the output plugin takes part */
	st.out = opened ? p->out_plugin->desc->output : &dry_output;
	res->rejects.limit = o && o->reject_sample ? o->reject_sample : 20;
	st.sample = &res->rejects;
	st.progress = o && o->progress;
	colink_new_run_id(res->run_id, err);
	colink_log_set_run(res->run_id); /* JSON log lines name it (the caller clears it) */
	colink_now_iso(res->started);
	snprintf(res->key_id, sizeof(res->key_id), "%s", p->key ? colink_key_id(p->key) : p->job->key_id);
	res->warehouse = colink_strdup(colink_plan_output_path(p));
	res->inputs = colink_calloc(count_files(p) + 1, sizeof(*res->inputs));
	if (!res->inputs)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (!dry && p->job->log_file && colink_log_open_file(p->job->log_file))
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot open the log file", p->job->log_file);
	colink_host_init(&host);
	ohc.plugin = p->out_plugin->desc->name;
	ohc.ps = NULL;
	fill_run_info(&ri, p, res, user, sizeof(user), norm);
	colink_log(COLINK_LOG_INFO, "run %s: job %s started by %s", res->run_id, p->job->name, user);
	if (!dry)
		complete_previous_runs(p, res);
	rc = colink_pseudo_set_new(&ps, p->key, p->job->key_id, p->job->agreement, err);
	if (rc == COLINK_OK && opened) {
		struct colink_setting_values sv = colink_settings_view(
			p->out_vals, colink_settings_count(p->out_plugin->settings));
		rc = p->out_plugin->desc->init(&st.out_ctx, &host, &ohc, &sv, err);
	}
	if (rc == COLINK_OK && opened && (rc = st.out->begin(st.out_ctx, &ri, err)) == COLINK_OK)
		began = 1;
	if (rc == COLINK_OK)
		rc = run_inputs(&st, res, &host, ps);
	clock_gettime(CLOCK_MONOTONIC, &tl);
	res->load_seconds = elapsed(&t0, &tl);
	if (rc == COLINK_OK && opened) {
		rc = run_link(&st, res);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		res->link_seconds = elapsed(&tl, &t1);
	}
	colink_transform_free(st.t);
	colink_now_iso(res->finished);
	memset(&sum, 0, sizeof(sum));
	sum.struct_size = sizeof(sum);
	sum.finished = res->finished;
	sum.read = res->read;
	sum.loaded = res->loaded;
	sum.rejected = res->rejected;
	sum.status = "ok";
	rc = dry ? finish_dry(&st, res, &sum, began, rc) : finish_run(&st, res, o, user, &sum, began, rc);
	if (st.out_ctx)
		p->out_plugin->desc->fini(st.out_ctx);
	colink_pseudo_set_free(ps);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->seconds = elapsed(&t0, &t1);
	colink_log(COLINK_LOG_INFO, "run %s: %s: %llu read, %llu loaded, %llu rejected",
		   res->run_id, res->status, (unsigned long long)res->read,
		   (unsigned long long)res->loaded, (unsigned long long)res->rejected);
	colink_log_open_file(NULL);
	return rc;
}

void colink_run_result_clear(struct colink_run_result *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->ninputs; i++) {
		colink_free(r->inputs[i].path);
		colink_free(r->inputs[i].mapping);
	}
	colink_free(r->inputs);
	colink_free(r->warehouse);
	colink_reject_sample_clear(&r->rejects);
	memset(r, 0, sizeof(*r));
}
