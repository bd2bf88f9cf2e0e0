/* plan.c -- loading a job into a plan: environment, plugins, inputs,
 * the agreement and its signatures, refusals audited (see run.h). */
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
/* Plan                                                                 */
/* ================================================================== */

int colink_env_load(struct colink_catalog **cat, struct colink_variant_table **vt,
		    const char *data_dir, struct colink_error *err)
{
	char *p;
	int rc;
	*cat = NULL;
	*vt = NULL;
	rc = colink_catalog_load(cat, data_dir, err);
	if (rc)
		return rc;
	p = colink_path_join(data_dir, "common/variant-kanji.tsv");
	rc = p ? colink_variant_table_load(vt, p, err)
	       : COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	colink_free(p);
	if (rc) {
		colink_catalog_free(*cat);
		*cat = NULL;
	}
	return rc;
}

int colink_loader_default(struct colink_loader **out, const char *extra,
			  struct colink_error *err)
{
	char **dirs = colink_plugin_dirs(extra);
	int rc;
	if (!dirs)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	rc = colink_loader_new(out, (const char *const *)dirs, err);
	colink_plugin_dirs_free(dirs);
	return rc;
}

int colink_mapping_check(const char *path, const struct colink_catalog *cat,
			 const struct colink_variant_table *vt,
			 struct colink_loader *loader, struct colink_mapping **map,
			 const struct colink_loaded_plugin **plugin,
			 struct colink_setting_value **vals,
			 struct colink_error *err)
{
	const struct colink_loaded_plugin *lp;
	int rc = colink_mapping_load(map, path, cat, vt, err);
	if (rc)
		return rc;
	rc = colink_loader_get(loader, (*map)->plugin, &lp, err);
	if (rc) {
		char why[COLINK_ERRMSG_MAX];
		snprintf(why, sizeof(why), "%s", err->msg);
		rc = COLINK_ERR(err, rc, "%s:%d: %s", path, (*map)->plugin_line, why);
	} else if (lp->desc->kind != COLINK_PLUGIN_INPUT) {
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: plugin %s is not an input plugin",
				path, (*map)->plugin_line, (*map)->plugin);
	} else {
		rc = colink_settings_resolve(lp->settings, (*map)->settings,
					     (*map)->nsettings, path, lp->desc->name,
					     vals, err);
	}
	if (rc) {
		colink_mapping_free(*map);
		*map = NULL;
		return rc;
	}
	*plugin = lp;
	return COLINK_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expand a path or glob pattern into a sorted list of files. */
static int expand(struct colink_plan_input *in, const char *pattern,
		  const char *job, int line, struct colink_error *err)
{
	glob_t g;
	size_t i;
	int r = glob(pattern, GLOB_NOSORT, NULL, &g);
	if (r == GLOB_NOMATCH || (r == 0 && g.gl_pathc == 0)) {
		if (r == 0)
			globfree(&g);
		return COLINK_ERR(err, COLINK_ENOTFOUND, "%s:%d: input '%s' matches no file",
				  job, line, pattern);
	}
	if (r)
		return COLINK_ERR(err, COLINK_EIO, "%s:%d: cannot expand '%s'", job, line, pattern);
	in->files = colink_calloc(g.gl_pathc, sizeof(char *));
	for (i = 0; in->files && i < g.gl_pathc; i++) {
		if (!(in->files[i] = colink_strdup(g.gl_pathv[i])))
			break;
		in->nfiles++;
	}
	globfree(&g);
	if (!in->files || in->nfiles != i)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	qsort(in->files, in->nfiles, sizeof(char *), cmp_str);
	return COLINK_OK;
}

static int plan_output(struct colink_plan *p, struct colink_error *err)
{
	struct colink_job *j = p->job;
	int rc = colink_loader_get(p->loader, j->output_plugin, &p->out_plugin, err);
	if (rc) {
		char why[COLINK_ERRMSG_MAX];
		snprintf(why, sizeof(why), "%s", err->msg);
		return COLINK_ERR(err, rc, "%s:%d: %s", j->path, j->output_line, why);
	}
	if (p->out_plugin->desc->kind != COLINK_PLUGIN_OUTPUT)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: plugin %s is not an output plugin",
				  j->path, j->output_line, j->output_plugin);
	return colink_settings_resolve(p->out_plugin->settings, j->output_settings,
				       j->noutput_settings, j->path, j->output_plugin,
				       &p->out_vals, err);
}

static int plan_inputs(struct colink_plan *p, struct colink_error *err)
{
	size_t i;
	int rc = COLINK_OK;
	p->inputs = colink_calloc(p->job->ninputs, sizeof(*p->inputs));
	if (!p->inputs)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	p->ninputs = p->job->ninputs;
	for (i = 0; rc == COLINK_OK && i < p->ninputs; i++) {
		struct colink_plan_input *in = &p->inputs[i];
		struct stat st;
		if (stat(p->job->inputs[i].mapping, &st))
			return COLINK_ERR(err, COLINK_ENOTFOUND, "%s:%d: mapping file %s not found",
					  p->job->path, p->job->inputs[i].line,
					  p->job->inputs[i].mapping);
		rc = colink_mapping_check(p->job->inputs[i].mapping, p->cat, p->vt, p->loader,
					  &in->map, &in->plugin, &in->vals, err);
		if (rc == COLINK_OK)
			rc = expand(in, p->job->inputs[i].path, p->job->path,
				    p->job->inputs[i].line, err);
	}
	return rc;
}

/* The output must offer `link` (ABI 1.1) and every pass must name a key
 * kind of the catalogue. */
static int check_link(struct colink_plan *p, struct colink_error *err)
{
	const struct colink_output_ops *ops = p->out_plugin->desc->output;
	size_t i;
	if (!p->job->nlink)
		return COLINK_OK;
	if (p->job->nlink > COLINK_LINK_MAX_PASSES)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: at most %d link passes", p->job->path,
				  p->job->link_lines[0], COLINK_LINK_MAX_PASSES);
	if (ops->struct_size < offsetof(struct colink_output_ops, link) + sizeof(ops->link) || !ops->link)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: output plugin %s cannot link persons",
				  p->job->path, p->job->link_lines[0], p->job->output_plugin);
	/* #23: an output that does not declare it cannot store the comparison
	 * features: the job is refused before any data moves. */
	if (p->job->prob.on &&
	    !(COLINK_HAS(struct colink_output_ops, ops->struct_size, capabilities) &&
	      (ops->capabilities & COLINK_OUTPUT_PROBABILISTIC)))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: output plugin %s cannot run a probabilistic link pass "
				  "(out_sqlite can: it stores the comparison features)",
				  p->job->path, p->job->prob.line, p->job->output_plugin);
	for (i = 0; i < p->job->nlink; i++)
		if (!(p->job->prob.on && i + 1 == p->job->nlink) &&
		    !colink_catalog_key(p->cat, p->job->link_kinds[i]))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s:%d: link pass key '%s' is not a key kind of common/keys.tsv",
					  p->job->path, p->job->link_lines[i], p->job->link_kinds[i]);
	return COLINK_OK;
}

/* A job without a key file may only read pseudonymized extracts. */
static int check_extract_only(struct colink_plan *p, struct colink_error *err)
{
	size_t i;
	for (i = 0; i < p->ninputs; i++)
		if (!p->inputs[i].map->extract)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s:%d: <key id> without a key file is only for jobs whose inputs are all extracts; "
					  "mapping %s reads raw identifiers",
					  p->job->path, p->job->key_line, p->inputs[i].map->path);
	return COLINK_OK;
}

/* Where the run's audit entry goes: the job's <audit log>, else audit.log
 * beside the output (the job's directory when it has no path). */
static int plan_audit_log(struct colink_plan *p, struct colink_error *err)
{
	struct colink_job *j = p->job;
	if (j->audit_log) {
		p->audit_log = colink_strdup(j->audit_log);
	} else {
		const char *out = colink_plan_output_path(p);
		char *dir = out ? colink_path_dir(out) : NULL;
		p->audit_log = colink_path_join(dir ? dir : j->dir, "audit.log");
		colink_free(dir);
	}
	return p->audit_log ? COLINK_OK : COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
}

/*
 * A refusal by the agreement at plan time: the job and the agreement were
 * read and the job is not allowed (run date outside the period, purpose
 * prohibited or not declared, recipient role, an item no clause allows,
 * all COLINK_EPOLICY; or a job naming another agreement id than the
 * file's).  Anything else (a malformed job or agreement, a missing file,
 * out of memory, a bad COLINK_RUN_DATE) is not the agreement's verdict.
 */
static int is_refusal(const struct colink_plan *p, int rc)
{
	return rc == COLINK_EPOLICY ||
	       (rc == COLINK_EINVAL && p->job->agreement &&
		strcmp(p->job->agreement, colink_agreement_id(p->agreement)) != 0);
}

/*
 * One "refused" entry for a job refused at plan time: nothing was read,
 * so no inputs, no items and every count zero; the mappings it would have
 * used are named with their SHA-256, the reason is the refusal's line.
 * Best effort: a failure to append is logged (the refusal stands either
 * way, and a damaged log is never appended to).
 */
static void audit_refusal(struct colink_plan *p, const struct colink_plan_audit *a,
			  const char *why)
{
	static const char *const names[] = {"read", "loaded", "rejected",
					    "withheld_without_consent", "withheld_not_agreed"};
	struct colink_audit_count counts[5];
	struct colink_audit_file *maps;
	struct colink_audit_entry e;
	struct colink_error aerr = {0};
	size_t i;
	int rc;
	if (a->no_entry) /* a dry run is refused as a run is, and writes nothing */
		return;
	if (!(maps = colink_calloc(p->ninputs + 1, sizeof(*maps)))) {
		colink_log(COLINK_LOG_WARN, "%s: the refusal was not audited: out of memory", p->audit_log);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.kind = a->kind ? a->kind : "run";
	e.status = "refused";
	e.job = p->job->name;
	e.job_sha256 = p->job->sha256;
	e.purpose = p->job->purpose;
	e.recipient_party = colink_party_name(p->job->recipient_party);
	e.recipient_role = p->job->recipient_role;
	e.agreement_id = colink_agreement_id(p->agreement);
	e.agreement_sha256 = colink_agreement_sha256(p->agreement);
	e.key_id = p->job->key_id; /* a key file is not read for a refused job */
	e.agreement_signing = p->signing;
	e.output = a->output ? a->output : colink_plan_output_path(p);
	e.message = why;
	for (i = 0; i < p->ninputs; i++) {
		maps[i].path = p->inputs[i].map->path;
		maps[i].sha256 = p->inputs[i].map->sha256;
	}
	e.nmappings = p->ninputs;
	e.mappings = maps;
	for (i = 0; i < 5; i++)
		counts[i] = (struct colink_audit_count){names[i], 0};
	e.ncounts = 5;
	e.counts = counts;
	rc = colink_audit_append(p->audit_log, &e, &aerr);
	colink_free(maps);
	if (rc)
		colink_log(COLINK_LOG_WARN, "the refusal was not audited: %s", aerr.msg);
}

/* p->signing = "not verified: " + why, or the ledger's word. */
static int set_signing(struct colink_plan *p, const char *prefix, const char *text,
		       struct colink_error *err)
{
	size_t n = strlen(prefix) + strlen(text) + 1;
	colink_free(p->signing);
	if (!(p->signing = colink_malloc(n)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	snprintf(p->signing, n, "%s%s", prefix, text);
	return COLINK_OK;
}

/*
 * The agreement's signatures (#24), before anything else about it is
 * trusted.  `a` NULL (check): nothing is refused, p->sigs / p->signing say
 * what a run would find.  Otherwise an agreement that is not signed by
 * both parties under the job's keys is refused (audited) unless
 * a->unsigned_agreement, which records "unsigned".
 */
static int plan_signatures(struct colink_plan *p, const struct colink_plan_audit *a,
			   struct colink_error *err)
{
	struct colink_job *j = p->job;
	const char *why;
	int rc = colink_agreement_verify_job(&p->sigs, j, err);
	if (rc == COLINK_ENOMEM)
		return rc;
	if (rc == COLINK_OK && p->sigs->verified)
		return set_signing(p, "", p->sigs->summary, err);
	why = rc ? err->msg : p->sigs->summary;
	if (a && a->unsigned_agreement) {
		colink_log(COLINK_LOG_INFO, "%s: agreement %s is %s%s; running unsigned as "
			   "--unsigned-agreement asks (recorded in the ledger and the audit log)",
			   j->path, colink_agreement_id(p->agreement), rc ? "not verified: " : "", why);
		return set_signing(p, "unsigned", "", err);
	}
	if (!a) /* check: say why, refuse nothing a mapping or key error would not */
		return rc == COLINK_ENOTFOUND || rc == COLINK_EIO ? rc
			: set_signing(p, rc ? "not verified: " : "", why, err);
	if (rc == COLINK_OK)
		rc = COLINK_ERR(err, COLINK_EPOLICY, "%s:%d: agreement %s (%s) is %s; a run needs the "
				"signatures of both parties (or --unsigned-agreement, which is recorded)",
				j->path, j->agreement_line, colink_agreement_id(p->agreement),
				j->agreement_file, p->sigs->summary);
	if (rc != COLINK_ENOTFOUND && rc != COLINK_EIO) {
		if (set_signing(p, rc == COLINK_EPOLICY ? "" : "not verified: ",
				rc == COLINK_EPOLICY ? p->sigs->summary : err->msg, err) == COLINK_OK)
			audit_refusal(p, a, err->msg);
		if (rc != COLINK_EPOLICY) {
			char msg[COLINK_ERRMSG_MAX];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			rc = COLINK_ERR(err, COLINK_EPOLICY, "%s", msg);
		}
	}
	return rc;
}

/* The agreement file, the job checked against it (before any data moves),
 * and where the audit entry will go.  With `a`, a refusal is audited. */
static int plan_agreement(struct colink_plan *p, const char *data_dir,
			  const struct colink_plan_audit *a, struct colink_error *err)
{
	struct colink_job *j = p->job;
	const struct colink_mapping **maps;
	struct stat st;
	size_t i;
	int rc;
	if (stat(j->agreement_file, &st))
		return COLINK_ERR(err, COLINK_ENOTFOUND, "%s:%d: agreement file %s not found",
				  j->path, j->agreement_line, j->agreement_file);
	rc = colink_agreement_load(&p->agreement, j->agreement_file, data_dir, p->cat, err);
	if (rc == COLINK_OK)
		rc = plan_audit_log(p, err);
	if (rc == COLINK_OK)
		rc = plan_signatures(p, a, err);
	if (rc)
		return rc;
	maps = colink_calloc(p->ninputs + 1, sizeof(*maps));
	if (!maps)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; i < p->ninputs; i++)
		maps[i] = p->inputs[i].map;
	rc = colink_policy_new(&p->policy, p->agreement, j, maps, p->cat, colink_run_date(), err);
	colink_free(maps);
	if (rc && a && is_refusal(p, rc))
		audit_refusal(p, a, err->msg);
	return rc;
}

static int plan_load(struct colink_plan **out, const char *job_path, const char *data_dir,
		     const char *plugin_dirs, const struct colink_plan_audit *a,
		     struct colink_error *err)
{
	struct colink_plan *p = colink_calloc(1, sizeof(*p));
	int rc;
	*out = NULL;
	if (!p)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	rc = colink_env_load(&p->cat, &p->vt, data_dir, err);
	if (rc == COLINK_OK)
		rc = colink_job_load(&p->job, job_path, data_dir, err);
	if (rc == COLINK_OK)
		rc = colink_loader_default(&p->loader, plugin_dirs, err);
	if (rc == COLINK_OK)
		rc = plan_output(p, err);
	if (rc == COLINK_OK)
		rc = check_link(p, err);
	if (rc == COLINK_OK)
		rc = plan_inputs(p, err);
	if (rc == COLINK_OK)
		rc = plan_agreement(p, data_dir, a, err);
	if (rc == COLINK_OK && !p->job->key_file)
		rc = check_extract_only(p, err);
	else if (rc == COLINK_OK) {
		rc = colink_key_load(&p->key, p->job->key_file, err);
		if (rc) {
			char why[COLINK_ERRMSG_MAX];
			snprintf(why, sizeof(why), "%s", err->msg);
			COLINK_ERR(err, rc, "%s:%d: %s", p->job->path, p->job->key_line, why);
		}
	}
	if (rc) {
		colink_plan_free(p);
		return rc;
	}
	*out = p;
	return COLINK_OK;
}

int colink_plan_load(struct colink_plan **out, const char *job_path,
		     const char *data_dir, const char *plugin_dirs,
		     struct colink_error *err)
{
	return plan_load(out, job_path, data_dir, plugin_dirs, NULL, err);
}

int colink_plan_load_audited(struct colink_plan **out, const char *job_path,
			     const char *data_dir, const char *plugin_dirs,
			     const struct colink_plan_audit *a, struct colink_error *err)
{
	static const struct colink_plan_audit run = {NULL, NULL, 0, 0};
	return plan_load(out, job_path, data_dir, plugin_dirs, a ? a : &run, err);
}

void colink_plan_free(struct colink_plan *p)
{
	size_t i, k;
	if (!p)
		return;
	for (i = 0; i < p->ninputs; i++) {
		struct colink_plan_input *in = &p->inputs[i];
		if (in->plugin)
			colink_settings_free(in->vals, colink_settings_count(in->plugin->settings));
		colink_mapping_free(in->map);
		for (k = 0; k < in->nfiles; k++)
			colink_free(in->files[k]);
		colink_free(in->files);
	}
	colink_free(p->inputs);
	colink_policy_free(p->policy);
	colink_agreement_free(p->agreement);
	colink_agreement_sigs_free(p->sigs);
	colink_free(p->signing);
	colink_free(p->audit_log);
	colink_free(p->out_vals);
	colink_key_free(p->key);
	colink_loader_free(p->loader);
	colink_job_free(p->job);
	colink_variant_table_free(p->vt);
	colink_catalog_free(p->cat);
	colink_free(p);
}

const char *colink_plan_output_path(const struct colink_plan *p)
{
	const struct colink_setting_def *d = p->out_plugin ? p->out_plugin->settings : NULL;
	size_t i;
	for (i = 0; p->out_vals && d && d[i].name; i++)
		if (!strcmp(d[i].name, "path"))
			return p->out_vals[i].text;
	return NULL;
}
