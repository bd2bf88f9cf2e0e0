/* cmd_check.c -- `colink check FILE...`: validate mapping and job files. */
#include <stdio.h>
#include <string.h>

#include "policy/agreement.h"
#include "base/alloc.h"
#include "cli/cli.h"
#include "base/paths.h"
#include "core/settings.h"
#include "steward/read_mapped.h"
#include "steward/unmapped.h"
#include "core/run.h"
#include "base/xmlutil.h"

/* A draft from `colink scan`: one line per TODO marker left. */
static void print_todo(void *ud, int line, const char *column, uint32_t position)
{
	const char *path = ud;
	if (column)
		fprintf(stderr, "%s:%d: column \"%s\" is still unmapped (TODO)\n", path, line, column);
	else
		fprintf(stderr, "%s:%d: column %u is still unmapped (TODO)\n", path, line,
			(unsigned)position);
}

/* Lists the TODO markers of a draft mapping; COLINK_EINVAL when any. */
static int check_todos(struct cli_global *g, const char *path, struct colink_error *err)
{
	int n = colink_mapping_todos(path, colink_data_dir(g->data_dir), print_todo,
				     (void *)path, err);
	if (n > 0)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: %d TODO%s left: map each column (or delete its <todo/>) and check again",
				  path, n, n == 1 ? "" : "s");
	return n;
}

/* The input plugin's own checks of its settings (in_fixed: a layout with
 * overlapping byte ranges): init and fini, no file read.  Errors are
 * FILE:LINE of <input>. */
static int check_plugin_init(const char *path, const struct colink_checked_mapping *cm,
			     struct colink_error *err)
{
	const struct colink_loaded_plugin *lp = cm->plugin;
	struct colink_setting_values sv;
	struct colink_host host;
	struct colink_host_ctx hc = {0};
	struct colink_error perr = {0};
	void *ictx = NULL;
	if (!lp || !lp->desc->input)
		return COLINK_OK;
	sv = colink_settings_view(cm->vals, colink_settings_count(lp->settings));
	colink_host_init(&host);
	hc.plugin = lp->desc->name;
	if (lp->desc->init(&ictx, &host, &hc, &sv, &perr) != COLINK_OK)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: %s", path, cm->m->plugin_line,
				  perr.msg);
	lp->desc->fini(ictx);
	return COLINK_OK;
}

static int check_mapping(struct cli_global *g, const char *path, struct colink_error *err)
{
	struct colink_checked_mapping cm = {0};
	const struct colink_mapping *m;
	int rc = check_todos(g, path, err);
	if (rc == COLINK_OK)
		rc = colink_mapping_load_checked(&cm, path, colink_data_dir(g->data_dir),
						 g->plugin_dirs, err);
	if (rc == COLINK_OK)
		rc = check_plugin_init(path, &cm, err);
	if (rc == COLINK_OK) {
		m = cm.m;
		printf("%s: ok (mapping %s version %s: %zu fields, %zu constants, input %s)\n",
		       path, m->id, m->version, m->nfields, m->nconstants, m->plugin);
	}
	colink_mapping_unload(&cm);
	return rc;
}

/* A joint-use agreement: schema, then coherence against the catalogue. */
static int check_agreement(struct cli_global *g, const char *path, struct colink_error *err)
{
	struct colink_agreement *a = NULL;
	int from, to;
	int rc = colink_agreement_load(&a, path, colink_data_dir(g->data_dir), NULL, err);
	if (rc)
		return rc;
	size_t i;
	colink_agreement_period(a, &from, &to);
	for (i = 0; i < colink_agreement_npurposes(a); i++) {
		int line = 0;
		const char *pu = colink_agreement_purpose_at(a, i, &line);
		if (colink_agreement_is_prohibited(a, pu))
			fprintf(stderr, "%s:%d: warning: purpose %s is also a prohibited use: no job may run for it\n",
				path, line, pu);
	}
	printf("%s: ok (agreement %s version %s: %zu purposes, %zu prohibited uses, %zu clauses, "
	       "effective %04d-%02d-%02d..",
	       path, colink_agreement_id(a), colink_agreement_version(a),
	       colink_agreement_npurposes(a), colink_agreement_nprohibited(a),
	       colink_agreement_nclauses(a), from / 10000, from / 100 % 100, from % 100);
	if (to)
		printf("%04d-%02d-%02d", to / 10000, to / 100 % 100, to % 100);
	printf(", sha256 %s)\n", colink_agreement_sha256(a));
	colink_agreement_free(a);
	return COLINK_OK;
}

static int check_job(struct cli_global *g, const char *path, int allow_unsigned,
		     struct colink_error *err)
{
	struct colink_plan *p = NULL;
	size_t i, files = 0;
	int rc = colink_plan_load(&p, path, colink_data_dir(g->data_dir), g->plugin_dirs, err);
	if (rc == COLINK_OK) /* the inputs' header names, for unmapped columns kept raw */
		rc = colink_unmapped_check_plan(p, colink_data_dir(g->data_dir), err);
	if (rc) {
		colink_plan_free(p);
		return rc;
	}
	/* the agreement's signatures, as `run` will find them (#24) */
	if (!(p->sigs && p->sigs->verified) && !allow_unsigned) {
		rc = COLINK_ERR(err, COLINK_EPOLICY, "%s:%d: agreement %s is %s; run and pseudonymize "
				"refuse it without --unsigned-agreement", path, p->job->agreement_line,
				colink_agreement_id(p->agreement), p->signing);
		colink_plan_free(p);
		return rc;
	}
	for (i = 0; i < p->ninputs; i++)
		files += p->inputs[i].nfiles;
	printf("%s: ok (job %s: %zu inputs matching %zu files, output %s, key id %s)\n",
	       path, p->job->name, p->ninputs, files, p->job->output_plugin,
	       p->key ? colink_key_id(p->key) : p->job->key_id);
	printf("%s: agreement %s%s\n", path, p->sigs && p->sigs->verified ? "" : "unsigned "
	       "(--unsigned-agreement): ", p->signing);
	colink_plan_free(p);
	return rc;
}

int cmd_check(struct cli_global *g, int argc, char **argv)
{
	int i, worst = EXIT_OK, allow_unsigned = 0;
	if (argc >= 2 && !strcmp(argv[1], "--unsigned-agreement")) {
		allow_unsigned = 1;
		argc--;
		argv++;
	}
	if (argc < 2 || cli_is_help(argv[1])) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, "usage: colink check [--unsigned-agreement] FILE...\n\n"
			   "Validates mapping, job and agreement files against their schemas and\n"
			   "the common schema, loads the plugins they name and checks their\n"
			   "settings; for a job also its inputs, its key file and its agreement\n"
			   "(id, purpose, recipient role, effective period, every item it can\n"
			   "move), and that its agreement is signed by both parties under the\n"
			   "public keys the job declares (each job prints who signed and when;\n"
			   "with --unsigned-agreement an unsigned agreement is only reported).\n"
			   "Nothing is written, and no record is read: only for a mapping with\n"
			   "<unmapped columns=\"observation\"/> are the header names of its\n"
			   "inputs read, and a column it would store raw that is or looks like\n"
			   "an identifier (or has no name) is refused.\n"
			   "A draft mapping from `colink scan` lists each TODO left as\n"
			   "FILE:LINE: column \"X\" is still unmapped (TODO).\n"
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
			int is_agreement = colink_xml_is(root, "agreement");
			xmlFreeDoc(doc);
			if (is_job)
				rc = check_job(g, argv[i], allow_unsigned, &err);
			else if (is_agreement)
				rc = check_agreement(g, argv[i], &err);
			else if (is_map)
				rc = check_mapping(g, argv[i], &err);
			else
				rc = COLINK_ERR(&err, COLINK_EINVAL,
						"%s:1: not a colink mapping, job or agreement file (root element must be <mapping>, <job> or <agreement>)",
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
