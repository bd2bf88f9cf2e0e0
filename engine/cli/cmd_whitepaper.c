/*
 * cmd_whitepaper.c -- `colink report whitepaper JOB|--warehouse DB ... -o DIR`.
 *
 * 健康白書: aggregates of one fiscal year with small-cell protection, as
 * DIR/whitepaper.html (self-contained, SVG charts) and DIR/csv/
 * (engine/programs/whitepaper.c).  Like every report it goes through the
 * joint-use agreement at aggregate level: the association's items (checkup
 * results, questionnaire, claims) and the employer's (site, job type,
 * attendance) must each be allowed to reach the recipient for the purpose
 * (default 健康白書).  Site and job type and the checkup items are the
 * paper itself: refused without them; attendance means and medical cost are
 * left out (with a note) when not allowed.  One audit entry (kind "export")
 * is appended before anything is written, and a final one when it is done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agreement.h"
#include "alloc.h"
#include "audit.h"
#include "cli.h"
#include "job.h"
#include "paths.h"
#include "programs/whitepaper.h"
#include "util.h"

#define MAX_SETTINGS 16

struct wp_args {
	const char *job, *warehouse, *agreement_file, *purpose, *role, *party;
	const char *rules_set, *settings[MAX_SETTINGS + 1], *out_dir, *audit_log;
	int nsettings;
	struct colink_wp_opts wp;
};

struct wp_ctx {
	struct wp_args *a;
	struct colink_job *job;
	struct colink_agreement *agr;
	struct colink_rules *rules;
	sqlite3 *db;
	char *warehouse, *audit_log;
	const char *purpose, *role;
	int party;
	const char *items[48];
	size_t nitems;
};

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink report whitepaper [options] JOB|--warehouse DB -o DIR\n"
		"\n"
		"健康白書: headcount, checkup uptake, 受診勧奨 prevalence per area, 特定保健指導\n"
		"levels, smoker rate, quit/relapse by site (year over year), mean overtime and\n"
		"sick days, medical cost per person by age band; by sex, age band, site and job\n"
		"type.  Every count below k is suppressed, with complementary suppression so\n"
		"that no suppressed count can be recomputed from the released numbers.\n"
		"Writes DIR/whitepaper.html (self-contained, SVG charts, printable) and\n"
		"DIR/csv/ (one CSV per released table; '*' = suppressed).\n"
		"\n"
		"The warehouse, agreement, recipient come from JOB, or from:\n"
		"  --warehouse DB  --agreement FILE  --party association|employer  --role R\n"
		"  --purpose P (default 健康白書)  --audit-log FILE (default audit.log beside the warehouse)\n"
		"Options:\n"
		"  --fiscal-year FY        the year (default: the latest with a checkup)\n"
		"  --k N                   smallest released person count (default 10)\n"
		"  --suppress-zeros        suppress 0 too (default: 0 is released, as in the NDB rule)\n"
		"  --min-site N            smallest site released on its own (default 50)\n"
		"  --site-rule merge|withhold  small sites merged into その他の事業所 (default) or withheld\n"
		"  --rules SET  --set NAME=VALUE   rule set and overrides (as colink report)\n"
		"  -o DIR                  output directory (created if missing)\n");
}

static int parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long x = strtol(v, &end, 10);
	if (!*v || *end || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

static int parse_args(struct wp_args *a, int argc, char **argv)
{
	int i;
	long x;
	a->wp.k = 10;
	a->wp.min_site = 50;
	a->wp.site_rule = COLINK_WP_SITE_MERGE;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, field) else if (!strcmp(o, name) && v) { a->field = v; i++; }
		if (cli_is_help(o))
			return 1;
		OPT("--warehouse", warehouse)
		OPT("--agreement", agreement_file)
		OPT("--purpose", purpose)
		OPT("--role", role)
		OPT("--party", party)
		OPT("--rules", rules_set)
		OPT("-o", out_dir)
		OPT("--audit-log", audit_log)
#undef OPT
		else if (!strcmp(o, "--fiscal-year") && v && !parse_long(v, 1900, 2200, &x)) {
			a->wp.fiscal_year = (int)x;
			i++;
		} else if (!strcmp(o, "--k") && v && !parse_long(v, 1, 1000000, &x)) {
			a->wp.k = x;
			i++;
		} else if (!strcmp(o, "--min-site") && v && !parse_long(v, 0, 100000000, &x)) {
			a->wp.min_site = x;
			i++;
		} else if (!strcmp(o, "--site-rule") && v && (!strcmp(v, "merge") || !strcmp(v, "withhold"))) {
			a->wp.site_rule = !strcmp(v, "merge") ? COLINK_WP_SITE_MERGE : COLINK_WP_SITE_WITHHOLD;
			i++;
		} else if (!strcmp(o, "--suppress-zeros"))
			a->wp.suppress_zeros = 1;
		else if (!strcmp(o, "--set") && v && a->nsettings < MAX_SETTINGS) {
			a->settings[a->nsettings++] = v;
			i++;
		} else if (o[0] != '-' && !a->job)
			a->job = o;
		else
			return -1;
	}
	a->settings[a->nsettings] = NULL;
	return a->out_dir ? 0 : -1;
}

static const char *job_output_path(const struct colink_job *j)
{
	size_t i;
	for (i = 0; i < j->noutput_settings; i++)
		if (!strcmp(j->output_settings[i].name, "path"))
			return j->output_settings[i].value;
	return NULL;
}

static int setup(struct wp_ctx *c, const char *data_dir, struct colink_error *err)
{
	struct wp_args *a = c->a;
	const char *afile = a->agreement_file, *wh = a->warehouse, *alog = a->audit_log;
	int rc;
	c->purpose = a->purpose ? a->purpose : "健康白書";
	c->role = a->role;
	c->party = a->party ? colink_party_parse(a->party) : COLINK_PARTY_NONE;
	if (a->job) {
		if ((rc = colink_job_load(&c->job, a->job, data_dir, err)))
			return rc;
		if (!wh)
			wh = job_output_path(c->job);
		if (!afile)
			afile = c->job->agreement_file;
		if (!alog)
			alog = c->job->audit_log;
		if (!c->role)
			c->role = c->job->recipient_role;
		if (!a->party)
			c->party = c->job->recipient_party;
	}
	if (!wh)
		return COLINK_ERR(err, COLINK_EINVAL, "no warehouse: give a JOB whose output has a path, or --warehouse DB");
	if (!afile)
		return COLINK_ERR(err, COLINK_EINVAL, "no agreement: the white paper is checked against the joint-use "
				  "agreement (JOB's <agreement file> or --agreement FILE)");
	if (!(c->warehouse = colink_strdup(wh)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if ((rc = colink_agreement_load(&c->agr, afile, data_dir, NULL, err)))
		return rc;
	if (c->job && c->job->agreement && strcmp(c->job->agreement, colink_agreement_id(c->agr)))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: the job's agreement id '%s' is not the agreement file's '%s'",
				  a->job, c->job->agreement, colink_agreement_id(c->agr));
	if (c->party == COLINK_PARTY_NONE || !c->role)
		return COLINK_ERR(err, COLINK_EINVAL, "no recipient: give --party association|employer and --role ROLE "
				  "(or a JOB with <recipient party role>)");
	if (!colink_agreement_has_role(c->agr, c->party, c->role))
		return COLINK_ERR(err, COLINK_EPOLICY, "%s: '%s' is not a role of the %s party",
				  colink_agreement_path(c->agr), c->role, colink_party_name(c->party));
	if (alog)
		c->audit_log = colink_strdup(alog);
	else {
		char *dir = colink_path_dir(c->warehouse);
		c->audit_log = dir ? colink_path_join(dir, "audit.log") : NULL;
		colink_free(dir);
	}
	if (!c->audit_log)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (access(c->warehouse, R_OK))
		return COLINK_ERR(err, COLINK_ENOTFOUND, "%s: cannot read the warehouse", c->warehouse);
	if (sqlite3_open_v2(c->warehouse, &c->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot open the warehouse: %s", c->warehouse,
				  sqlite3_errmsg(c->db));
	sqlite3_busy_timeout(c->db, 5000);
	return colink_rules_load(&c->rules, data_dir, a->rules_set, (const char *const *)a->settings, err);
}

/* ---- the agreement gate (aggregate level) ---- */

static int allowed(struct wp_ctx *c, const char *field, int owner)
{
	enum colink_flow dir = owner == c->party ? COLINK_FLOW_NONE
			       : owner == COLINK_PARTY_ASSOCIATION ? COLINK_FLOW_ASSOCIATION_TO_EMPLOYER
								   : COLINK_FLOW_EMPLOYER_TO_ASSOCIATION;
	size_t i;
	if (colink_agreement_check(c->agr, field, dir, c->purpose, c->role, COLINK_LEVEL_AGGREGATE, NULL, 0))
		return 0;
	for (i = 0; i < c->nitems; i++)
		if (!strcmp(c->items[i], field))
			return 1;
	if (c->nitems < sizeof(c->items) / sizeof(c->items[0]))
		c->items[c->nitems++] = field;
	return 1;
}

static int all_allowed(struct wp_ctx *c, const char *const *fields, int owner, const char **first_refused)
{
	int ok = 1;
	for (; *fields; fields++)
		if (!allowed(c, *fields, owner)) {
			if (ok && first_refused)
				*first_refused = *fields;
			ok = 0;
		}
	return ok;
}

/* What the paper reads, by the party that owns it. */
static const char *const assoc_core[] = {
	"exam_date", "sbp_1", "sbp_2", "sbp_other", "dbp_1", "dbp_2", "dbp_other",
	"tg_fasting", "tg_casual", "hdl", "ldl", "non_hdl", "ast", "alt", "ggt",
	"fpg", "casual_glucose", "hba1c", "egfr", "urine_protein", "hemoglobin", NULL
};
static const char *const employer_core[] = { "sex", "site", "job_type", "hire_date", "leave_date", NULL };
static const char *const employer_attendance[] = { "overtime_minutes", "sick_days", NULL };
static const char *const assoc_claims[] = { "medical_cost", NULL };

static int gate(struct wp_ctx *c, struct colink_error *err)
{
	const char *refused = NULL;
	if (!all_allowed(c, employer_core, COLINK_PARTY_EMPLOYER, &refused) ||
	    !all_allowed(c, assoc_core, COLINK_PARTY_ASSOCIATION, &refused))
		return COLINK_ERR(err, COLINK_EPOLICY,
				  "%s: the agreement does not allow %s for purpose %s, role %s (%s) at aggregate level; "
				  "the white paper needs it", colink_agreement_path(c->agr), refused, c->purpose, c->role,
				  colink_party_name(c->party));
	c->a->wp.attendance_allowed = all_allowed(c, employer_attendance, COLINK_PARTY_EMPLOYER, NULL);
	(void)all_allowed(c, assoc_claims, COLINK_PARTY_ASSOCIATION, NULL);
	return COLINK_OK;
}

static int claims_allowed(struct wp_ctx *c)
{
	size_t i;
	for (i = 0; i < c->nitems; i++)
		if (!strcmp(c->items[i], "medical_cost"))
			return 1;
	return 0;
}

static int audit(struct wp_ctx *c, const char *status, const char *message,
		 const struct colink_wp_result *res, struct colink_error *err)
{
	struct colink_audit_entry e;
	struct colink_audit_count counts[3];
	memset(&e, 0, sizeof(e));
	e.kind = "export";
	e.status = status;
	e.job = "report whitepaper";
	e.job_sha256 = c->job ? c->job->sha256 : NULL;
	e.purpose = c->purpose;
	e.recipient_party = colink_party_name(c->party);
	e.recipient_role = c->role;
	e.agreement_id = colink_agreement_id(c->agr);
	e.agreement_sha256 = colink_agreement_sha256(c->agr);
	e.output = c->a->out_dir;
	e.message = message;
	e.nitems = c->nitems;
	e.items = c->items;
	counts[0] = (struct colink_audit_count){ "tables", res ? (uint64_t)res->tables : 0 };
	counts[1] = (struct colink_audit_count){ "suppressed_cells", res ? (uint64_t)res->suppressed : 0 };
	counts[2] = (struct colink_audit_count){ "k", (uint64_t)c->a->wp.k };
	e.ncounts = 3;
	e.counts = counts;
	return colink_audit_append(c->audit_log, &e, err);
}

static void ctx_free(struct wp_ctx *c)
{
	colink_rules_free(c->rules);
	sqlite3_close(c->db);
	colink_agreement_free(c->agr);
	colink_job_free(c->job);
	colink_free(c->warehouse);
	colink_free(c->audit_log);
}

int cmd_report_whitepaper(struct cli_global *g, int argc, char **argv)
{
	struct wp_args a;
	struct wp_ctx c;
	struct colink_wp_result res;
	struct colink_error err = {0}, aerr = {0};
	int rc;
	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	memset(&res, 0, sizeof(res));
	rc = parse_args(&a, argc, argv);
	if (rc) {
		help(rc > 0 ? stdout : stderr);
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	}
	c.a = &a;
	rc = setup(&c, colink_data_dir(g->data_dir), &err);
	if (!rc && (rc = gate(&c, &err)) == COLINK_EPOLICY)
		(void)audit(&c, "refused", err.msg, NULL, &aerr);
	if (!rc) /* the export is recorded before anything is written */
		rc = audit(&c, "ok", NULL, NULL, &err);
	if (!rc) {
		a.wp.out_dir = a.out_dir;
		a.wp.source = colink_agreement_id(c.agr);
		a.wp.claims_allowed = claims_allowed(&c);
		rc = colink_whitepaper_write(c.db, c.rules, &a.wp, &res, &err);
		if (rc) /* a second entry says the export did not complete */
			(void)audit(&c, "failed", err.msg, &res, &aerr);
	}
	ctx_free(&c);
	if (rc) {
		fprintf(stderr, "colink: %s\n", err.msg);
		return cli_exit_for_plan(rc);
	}
	if (!g->quiet)
		printf("white paper %d: %s/whitepaper.html and %ld CSV tables in %s/csv "
		       "(k=%ld; %ld cells suppressed; sites merged %ld, withheld %ld)\n",
		       res.fiscal_year, a.out_dir, res.tables, a.out_dir, a.wp.k, res.suppressed,
		       res.sites_merged, res.sites_withheld);
	return EXIT_OK;
}
