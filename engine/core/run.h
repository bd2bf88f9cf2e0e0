/*
 * run.h -- planning and running a job.
 *
 * colink_plan_load() does every check that can be done before data moves:
 * the job and each mapping against their schemas and the catalogue, every
 * plugin found and its settings valid, every input path matching a file,
 * the key file readable and private.  colink_run() then runs the plan as
 * one transaction: every record read ends loaded or rejected with a
 * reason, and either all of it lands or none of it does.
 */
#ifndef COLINK_RUN_H
#define COLINK_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "policy/agreement.h"
#include "policy/agreement_sig.h"
#include "core/catalog.h"
#include "colink/plugin.h"
#include "identity/identity.h"
#include "core/job.h"
#include "core/loader.h"
#include "core/mapping.h"
#include "core/reject_sample.h"

struct colink_plan_input {
	struct colink_mapping *map;
	const struct colink_loaded_plugin *plugin;
	struct colink_setting_value *vals;
	char **files;      /* expanded path(s), sorted */
	size_t nfiles;
};

struct colink_plan {
	struct colink_catalog *cat;
	struct colink_variant_table *vt;
	struct colink_job *job;
	struct colink_loader *loader;
	struct colink_plan_input *inputs;
	size_t ninputs;
	const struct colink_loaded_plugin *out_plugin;
	struct colink_setting_value *out_vals;
	struct colink_key *key;
	struct colink_agreement *agreement; /* the job's joint-use agreement */
	struct colink_policy *policy;       /* the agreement applied to this job */
	char *audit_log;                    /* where the run's audit entry goes */
	/* the agreement's signatures (#24), verified against the job's
	 * <signer> keys: NULL when they could not be read (check only) */
	struct colink_agreement_sigs *sigs;
	/* for the ledger and the audit entry: "signed: association NAME at
	 * TIME; employer NAME at TIME", "unsigned" (--unsigned-agreement), or
	 * for `check` and a refusal why it does not verify */
	char *signing;
};

/* Catalogue and variant-kanji table from `data_dir`. */
int colink_env_load(struct colink_catalog **cat, struct colink_variant_table **vt,
		    const char *data_dir, struct colink_error *err);

/* Load a mapping and check its input plugin and settings. */
int colink_mapping_check(const char *path, const struct colink_catalog *cat,
			 const struct colink_variant_table *vt,
			 struct colink_loader *loader, struct colink_mapping **map,
			 const struct colink_loaded_plugin **plugin,
			 struct colink_setting_value **vals,
			 struct colink_error *err);

/* A loader over the configured plugin directories (`extra` may be NULL). */
int colink_loader_default(struct colink_loader **out, const char *extra,
			  struct colink_error *err);

int colink_plan_load(struct colink_plan **out, const char *job_path,
		     const char *data_dir, const char *plugin_dirs,
		     struct colink_error *err);
void colink_plan_free(struct colink_plan *p);

/* The output plugin's "path" setting (the warehouse file), or NULL. */
const char *colink_plan_output_path(const struct colink_plan *p);

/* How a plan-time refusal is audited (colink_plan_load_audited). */
struct colink_plan_audit {
	const char *kind;   /* the entry's kind: NULL = "run"; "export" for an extract */
	const char *output; /* the output to name (an extract); NULL = the job's */
	int unsigned_agreement; /* --unsigned-agreement: run although the agreement's
				 * signatures do not both verify (recorded "unsigned") */
	int no_entry;           /* --dry-run: refuse as a run would, but append no
				 * "refused" entry (a dry run writes nothing) */
};

/*
 * colink_plan_load() checks the agreement's signatures (#24) but refuses
 * nothing for them: the caller (`check`) reads p->sigs and p->signing.
 *
 * colink_plan_load_audited(), for a verb that moves data (`run`, `pseudonymize`):
 * unless a->unsigned_agreement, an agreement without a verifying signature
 * of both parties under the job's <signer> keys is refused (COLINK_EPOLICY,
 * audited as below).  When the agreement refuses the job (run date, purpose, recipient role,
 * an item, or another agreement id), one entry with status "refused", the
 * refusal's line as message, no inputs, no items and zero counts is first
 * appended to the plan's audit log (best effort: a failure is logged, the
 * refusal is returned either way).  A job or agreement that cannot be read
 * leaves no entry: there is nothing to attribute it to.  `a` is borrowed;
 * NULL = kind "run", the job's output.
 */
int colink_plan_load_audited(struct colink_plan **out, const char *job_path,
			     const char *data_dir, const char *plugin_dirs,
			     const struct colink_plan_audit *a, struct colink_error *err);

struct colink_input_result {
	char *path;
	char *mapping;
	char sha256[65];
	uint64_t read, loaded, rejected;
	/* values kept in the observation table under a code the catalogue
	 * does not map (= uncatalogued_items + nonstandard_items), and items
	 * the source named with no value, stored as null "missing" (#25) */
	uint64_t unknown_items, uncatalogued_items, nonstandard_items, items_without_value;
	char status[24]; /* loaded / skipped-duplicate / failed */
};

struct colink_run_result {
	char run_id[33];
	char status[16];          /* ok / failed */
	char message[COLINK_ERRMSG_MAX];
	char key_id[17];
	char started[32], finished[32];
	char *warehouse;          /* output "path" setting, if any */
	struct colink_input_result *inputs;
	size_t ninputs;
	uint64_t read, loaded, rejected;
	double seconds;
	double load_seconds;      /* from the start to the end of the last input */
	double link_seconds;      /* the link passes (0 without link rules) */
	int linked;                       /* the job had link rules and they ran */
	struct colink_link_report link;   /* valid when linked */
	size_t nlink;
	const char *const *link_kinds;    /* borrowed from the plan's job */
	/* the agreement (issue #6) */
	uint64_t withheld_consent;        /* records whose stress results were withheld */
	uint64_t withheld_values;         /* values dropped as not allowed */
	char audit_message[COLINK_ERRMSG_MAX]; /* "" or why the audit entry failed */
	/* the first rejects with every reason (#25), in the order written */
	struct colink_reject_sample rejects;
	int dry_run;                      /* nothing was written (colink_run_opts) */
	/* a dry run that went through the output (it declares
	 * COLINK_OUTPUT_DRY_RUN, ABI 2.3) and was rolled back there: its
	 * duplicate checks and linkage ran; 0: the output was not opened */
	int dry_run_output;
	const char *output_plugin;        /* the output's name (borrowed from the plan) */
};

struct colink_run_opts {
	int progress; /* a progress line on stderr */
	const char *audit_kind; /* audit entry kind: NULL = "run"; "export" for an extract */
	size_t reject_sample;   /* rejects kept in res->rejects: 0 = 20 */
	/* everything a run does, then a rollback (#18): an output declaring
	 * COLINK_OUTPUT_DRY_RUN runs the whole transaction (its duplicate
	 * checks, inputs loaded before, linkage) and leaves its destination
	 * as it was; any other output is not opened at all (its checks do
	 * not run, res->dry_run_output is 0).  No audit entry, no log file
	 * either way. */
	int dry_run;
};

/* Run a loaded plan.  Returns COLINK_OK when the run committed (rejects
 * may exist: see res->rejected), else the failure code with *err set; in
 * both cases *res is filled as far as the run got.  Every record passes
 * the agreement's filter before the output sees it.  After the commit (or
 * the rollback) one entry goes to the plan's audit log; if that append
 * fails the run returns COLINK_EIO with res->audit_message set (the data
 * stays committed: res->status says so). */
int colink_run(struct colink_plan *p, const struct colink_run_opts *o,
	       struct colink_run_result *res, struct colink_error *err);
void colink_run_result_clear(struct colink_run_result *r);

#endif
