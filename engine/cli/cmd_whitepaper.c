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

#include "cli/cli.h"
#include "base/paths.h"
#include "programs/whitepaper.h"
#include "cli/report_src.h"

#define MAX_SETTINGS 16

struct wp_args {
	struct colink_report_src_opts src; /* JOB, --warehouse, --agreement, --purpose, --role, --party, --audit-log */
	const char *rules_set, *settings[MAX_SETTINGS + 1], *out_dir;
	int nsettings;
	struct colink_wp_opts wp;
};

struct wp_ctx {
	struct wp_args *a;
	struct colink_report_src src; /* job, agreement, recipient, warehouse, items released */
	struct colink_rules *rules;
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
		"  --sensitive LIST        counts that describe a health attribute: each is protected\n"
		"                          with its complement (those not at risk, the non-smokers);\n"
		"                          the others are populations the recipient knows, released\n"
		"                          when >= k.  Names: examined, attendance, measured, answered,\n"
		"                          risk, smokers, guidance, allowance, disease (default\n"
		"                          risk,smokers,guidance,allowance,disease;\n"
		"                          docs/whitepaper.md, the threat model)\n"
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
		else if (report_src_option(&a->src, o, v))
			i++;
		OPT("--rules", rules_set)
		OPT("-o", out_dir)
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
		} else if (!strcmp(o, "--sensitive") && v) {
			struct colink_error e = { 0 };
			if (colink_wp_sensitive_parse(v, &a->wp.sensitive, &e)) {
				fprintf(stderr, "colink: %s\n", e.msg);
				return -1;
			}
			i++;
		} else if (!strcmp(o, "--suppress-zeros"))
			a->wp.suppress_zeros = 1;
		else if (!strcmp(o, "--set") && v && a->nsettings < MAX_SETTINGS) {
			a->settings[a->nsettings++] = v;
			i++;
		} else if (o[0] != '-' && !a->src.job)
			a->src.job = o;
		else
			return -1;
	}
	a->settings[a->nsettings] = NULL;
	return a->out_dir ? 0 : -1;
}

static int setup(struct wp_ctx *c, const char *data_dir, struct colink_error *err)
{
	struct wp_args *a = c->a;
	int rc;
	a->src.default_purpose = "健康白書";
	a->src.subject = "the white paper is";
	rc = colink_report_src_open(&c->src, &a->src, data_dir, err);
	return rc ? rc : colink_rules_load(&c->rules, data_dir, a->rules_set,
					   (const char *const *)a->settings, err);
}

/* ---- the agreement gate (aggregate level; engine/policy/report_gate.c) ---- */

static int gate(struct wp_ctx *c, struct colink_error *err)
{
	int rc = colink_report_gate_whitepaper(&c->src, &c->a->wp.attendance_allowed,
					       &c->a->wp.claims_allowed, &c->a->wp.claims_roster_age, err);
	if (!rc) { /* ⑤ その他, allowance, cost by disease group: left out unless allowed */
		c->a->wp.participation_allowed = colink_report_gate_participation(&c->src);
		c->a->wp.allowance_allowed = colink_report_gate_allowance(&c->src);
		c->a->wp.claim_groups_allowed = colink_report_gate_claim_groups(&c->src);
	}
	return rc;
}

static int audit(struct wp_ctx *c, const char *status, const char *message,
		 const struct colink_wp_result *res, struct colink_error *err)
{
	struct colink_audit_count counts[3];
	counts[0] = (struct colink_audit_count){ "tables", res ? (uint64_t)res->tables : 0 };
	counts[1] = (struct colink_audit_count){ "suppressed_cells", res ? (uint64_t)res->suppressed : 0 };
	counts[2] = (struct colink_audit_count){ "k", (uint64_t)c->a->wp.k };
	return colink_report_src_audit(&c->src, "report whitepaper", status, message, NULL,
				       c->a->out_dir, counts, 3, err);
}

static void ctx_free(struct wp_ctx *c)
{
	colink_rules_free(c->rules);
	colink_report_src_free(&c->src);
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
		a.wp.source = c.src.agreement_id;
		rc = colink_whitepaper_write(c.src.wh, c.rules, &a.wp, &res, &err);
		if (rc) /* a second entry says the export did not complete */
			(void)audit(&c, "failed", err.msg, &res, &aerr);
	}
	ctx_free(&c);
	if (rc) {
		cli_error("%s", err.msg);
		return cli_exit_for_plan(rc);
	}
	if (!g->quiet)
		printf("white paper %d: %s/whitepaper.html and %ld CSV tables in %s/csv "
		       "(k=%ld; %ld cells suppressed; sites merged %ld, withheld %ld)\n",
		       res.fiscal_year, a.out_dir, res.tables, a.out_dir, a.wp.k, res.suppressed,
		       res.sites_merged, res.sites_withheld);
	return EXIT_OK;
}
