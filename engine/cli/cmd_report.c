/*
 * cmd_report.c -- `colink report referral|guidance|smoking|whitepaper`.
 *
 * Reads a warehouse (named by a job, or by --warehouse), evaluates the rules
 * of mappings/rules/ (engine/programs) and writes CSV or JSON.  Every report
 * goes through the joint-use agreement: each item the report would release
 * is checked for the recipient (party, role), the purpose and the level
 * (pseudonymized, or individual for an identified action list); an item the
 * agreement does not allow is withheld, and a report left with nothing is
 * refused.  One audit entry (kind "export") is appended per report before
 * any row is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "cli/cli.h"
#include "base/text.h"
#include "base/paths.h"
#include "programs/programs.h"
#include "programs/whitepaper.h"
#include "cli/report_src.h"

#define MAX_SETTINGS 16

enum what { W_REFERRAL, W_GUIDANCE, W_SMOKING };

struct opts {
	enum what what;
	struct colink_report_src_opts src; /* JOB, --warehouse, --agreement, --purpose, --role, --party, --audit-log */
	const char *rules_set, *settings[MAX_SETTINGS + 1];
	int nsettings, fy, json, all, identified, persons;
	long k; /* smallest released person count of an aggregate (smoking rates) */
	const char *out_path, *roster, *roster_mapping, *key_file;
};

/* Everything a report run holds; freed by ctx_free. */
struct ctx {
	struct cli_global *g;
	struct opts *o;
	struct colink_report_src src; /* job, agreement, recipient, warehouse, items released */
	struct colink_rules *rules;
	struct colink_reident *reid;
	struct colink_followup *fu; /* referral: 受診状況確認 (from claims where they exist) */
	const char *key_file; /* borrowed from the options or the job */
	int area_ok[COLINK_AREA_COUNT];
	int detail_ok; /* ages, reasons, values: only for the data's own party */
	int site_ok;
	int followup_ok; /* the follow-up's sources (claims, medication answers) may be released */
	FILE *out;
	/* pass 1 */
	char **wanted;
	size_t nwanted, capwanted;
	long rows, unlinked, outside; /* outside: exams of years the rule set is not for */
	long withheld; /* aggregate counts withheld (below k, or protecting one) */
	int pass;
};

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink report referral|guidance|smoking [options] [JOB]\n"
		"       colink report whitepaper ...   (see colink report whitepaper --help)\n"
		"\n"
		"referral   受診勧奨: per person-exam, the level of each area (bp, lipid, liver,\n"
		"           glucose, kidney, anemia: none/guidance/recommend/urgent/unknown),\n"
		"           the rules that fired and the follow-up (saw a doctor: yes/no/unknown).\n"
		"           Rows with an area at 'recommend' or above (all rows with --all).\n"
		"guidance   特定保健指導 階層化: active/motivational targets (all with --all),\n"
		"           with the risk count and the reasons.\n"
		"smoking    禁煙推進: quit, relapse and smoker rates from FY-1 to FY per site\n"
		"           (--persons: each person's status per exam instead).  A count\n"
		"           below k, and what would give one away, is withheld (\"*\").\n"
		"\n"
		"The warehouse, agreement, purpose, recipient and key come from JOB, or from:\n"
		"  --warehouse DB  --agreement FILE  --purpose P  --party association|employer\n"
		"  --role R  --key FILE  --audit-log FILE (default: audit.log beside the warehouse)\n"
		"Options:\n"
		"  --fiscal-year FY    only exams of fiscal year FY (smoking: default the latest)\n"
		"  --rules SET         rule set (mappings/rules/guidance-SET.tsv; default 4th)\n"
		"  --set NAME=VALUE    override an [unverified] rule setting (repeatable)\n"
		"  --identified        employee number + site instead of the pseudonym, when the\n"
		"                      agreement allows it at individual level; needs\n"
		"  --roster FILE --roster-mapping MAPPING  (the employer's own roster) and the key\n"
		"  --k N               smallest released count of the smoking rates (default 10)\n"
		"  --all  --json  -o FILE\n"
		"Purpose defaults: referral 受診勧奨, guidance 特定保健指導, smoking 禁煙推進.\n");
}

/* ---- output helpers ---- */

/* A CSV field (NULL: empty) and its separator, or the line's end when last. */
static void csv(FILE *f, const char *s, int last)
{
	if (s)
		colink_csv_field(f, s);
	fputc(last ? '\n' : ',', f);
}

/* A JSON member: ,"name":"value" (value NULL -> null). */
static void jstr(FILE *f, const char *name, const char *v, int first)
{
	fprintf(f, "%s\"%s\":", first ? "" : ",", name);
	if (v)
		colink_json_str(f, v);
	else
		fputs("null", f);
}

/* ---- arguments ---- */

static int parse_args(struct opts *o, int argc, char **argv)
{
	int i;
	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "referral"))
		o->what = W_REFERRAL;
	else if (!strcmp(argv[1], "guidance"))
		o->what = W_GUIDANCE;
	else if (!strcmp(argv[1], "smoking"))
		o->what = W_SMOKING;
	else
		return -1;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, field) else if (!strcmp(a, name) && v) { o->field = v; i++; }
		if (cli_is_help(a))
			return 1;
		else if (report_src_option(&o->src, a, v))
			i++;
		OPT("--rules", rules_set)
		OPT("-o", out_path)
		OPT("--roster", roster)
		OPT("--roster-mapping", roster_mapping)
		OPT("--key", key_file)
#undef OPT
		else if (!strcmp(a, "--fiscal-year") && v) {
			char *end;
			long fy = strtol(v, &end, 10);
			if (*end || fy < 1900 || fy > 2200)
				return -1;
			o->fy = (int)fy;
			i++;
		} else if (!strcmp(a, "--k") && v) {
			char *end;
			long k = strtol(v, &end, 10);
			if (*end || k < 1 || k > 1000000)
				return -1;
			o->k = k;
			i++;
		} else if (!strcmp(a, "--set") && v) {
			if (o->nsettings >= MAX_SETTINGS)
				return -1;
			o->settings[o->nsettings++] = v;
			i++;
		} else if (!strcmp(a, "--json"))
			o->json = 1;
		else if (!strcmp(a, "--all"))
			o->all = 1;
		else if (!strcmp(a, "--identified"))
			o->identified = 1;
		else if (!strcmp(a, "--persons"))
			o->persons = 1;
		else if (a[0] != '-' && !o->src.job)
			o->src.job = a;
		else
			return -1;
	}
	o->settings[o->nsettings] = NULL;
	return 0;
}

/* ---- set-up ---- */

static const char *default_purpose(enum what w)
{
	return w == W_REFERRAL ? "受診勧奨" : w == W_GUIDANCE ? "特定保健指導" : "禁煙推進";
}

static int setup(struct ctx *c, struct colink_error *err)
{
	const struct opts *o = c->o;
	const char *data_dir = colink_data_dir(c->g->data_dir);
	struct colink_report_src_opts so = o->src;
	int rc;
	so.default_purpose = default_purpose(o->what);
	so.subject = "every report is";
	if ((rc = colink_report_src_open(&c->src, &so, data_dir, err)))
		return rc;
	c->key_file = o->key_file ? o->key_file : c->src.job ? c->src.job->key_file : NULL;
	return colink_rules_load(&c->rules, data_dir, o->rules_set, (const char *const *)o->settings,
				 err);
}

static void ctx_free(struct ctx *c)
{
	size_t i;
	for (i = 0; i < c->nwanted; i++)
		colink_free(c->wanted[i]);
	colink_free(c->wanted);
	colink_reident_free(c->reid);
	colink_followup_free(c->fu);
	colink_rules_free(c->rules);
	colink_report_src_free(&c->src);
}

/* ---- the agreement gate (engine/policy/report_gate.c) ---- */

static int gate(struct ctx *c, char *why, size_t wn)
{
	static const enum colink_report_kind kinds[] = {COLINK_REPORT_REFERRAL, COLINK_REPORT_GUIDANCE,
							COLINK_REPORT_SMOKING};
	struct colink_report_release rel;
	int rc = colink_report_gate_programs(&c->src, kinds[c->o->what], c->o->identified,
					     c->o->persons, &rel, why, wn);
	int a;
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		c->area_ok[a] = rel.area_ok[a];
	c->detail_ok = rel.detail_ok;
	c->site_ok = rel.site_ok;
	c->followup_ok = rel.followup_ok;
	return rc;
}

static int audit(struct ctx *c, const char *status, const char *message, struct colink_error *err)
{
	static const char *const names[] = {"referral", "guidance", "smoking"};
	struct colink_audit_count counts[2];
	char job[48];
	snprintf(job, sizeof(job), "report %s", names[c->o->what]);
	counts[0] = (struct colink_audit_count){"rows", (uint64_t)c->rows};
	counts[1] = (struct colink_audit_count){"not_identified", (uint64_t)c->unlinked};
	return colink_report_src_audit(&c->src, job, status, message,
				       c->reid ? colink_reident_key_id(c->reid) : NULL,
				       c->o->out_path ? c->o->out_path : "-", counts, 2, err);
}

/* ---- rows ---- */

static enum colink_referral_level max_level(const struct ctx *c, const struct colink_program_row *r)
{
	enum colink_referral_level m = COLINK_REFERRAL_UNKNOWN;
	int a;
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		if (c->area_ok[a] && r->referral[a] > m)
			m = r->referral[a];
	return m;
}

static int wanted_row(const struct ctx *c, const struct colink_program_row *r)
{
	if (c->o->all)
		return 1;
	if (c->o->what == W_REFERRAL)
		return max_level(c, r) >= COLINK_REFERRAL_RECOMMEND;
	if (c->o->what == W_GUIDANCE)
		return r->guidance == COLINK_GUIDANCE_ACTIVE || r->guidance == COLINK_GUIDANCE_MOTIVATIONAL;
	return 1;
}

/* The employer-side person linked to an association person; static buffer. */
static const char *employer_of(struct ctx *c, const char *person_id)
{
	static char pid[65];
	return colink_wh_linked_employer(c->src.wh, person_id, pid) ? pid : NULL;
}

static int want_person(struct ctx *c, const char *pid)
{
	if (c->nwanted == c->capwanted) {
		size_t cap = c->capwanted ? c->capwanted * 2 : 64;
		char **n = colink_realloc(c->wanted, cap * sizeof(*n));
		if (!n)
			return -1;
		c->wanted = n;
		c->capwanted = cap;
	}
	if (!(c->wanted[c->nwanted] = colink_strdup(pid)))
		return -1;
	c->nwanted++;
	return 0;
}

/* The employee number of a row in identified mode, or NULL (not linked / not in the roster). */
static const char *employee_number(struct ctx *c, const struct colink_program_row *r)
{
	const char *emp = employer_of(c, r->person_id);
	return emp ? colink_reident_employee_number(c->reid, emp) : NULL;
}

/* Rules text without the rules of withheld areas. */
static void kept_rules(const struct ctx *c, const char *rules, char *out, size_t n)
{
	const char *p = rules;
	out[0] = '\0';
	while (p && *p) {
		const char *end = strstr(p, "; ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int a, keep = 0;
		for (a = 0; a < COLINK_AREA_COUNT; a++) {
			const char *name = colink_area_name((enum colink_area)a);
			size_t nl = strlen(name);
			if (c->area_ok[a] && !strncmp(p, name, nl) && p[nl] == '.')
				keep = 1;
		}
		if (keep && strlen(out) + len + 3 < n) {
			if (out[0])
				strcat(out, "; ");
			strncat(out, p, len);
		}
		p = end ? end + 2 : NULL;
	}
}

static void head(struct ctx *c)
{
	const char *cols[24];
	size_t n = 0, i;
	int a;
	if (c->o->json) {
		fprintf(c->out, "{\"report\":\"%s\",\"rules\":",
			c->o->what == W_REFERRAL ? "referral" : c->o->what == W_GUIDANCE ? "guidance" : "smoking");
		colink_json_str(c->out, colink_rules_id(c->rules));
		fprintf(c->out, ",\"identified\":%s,\"purpose\":", c->o->identified ? "true" : "false");
		colink_json_str(c->out, c->src.purpose);
		fputs(",\"rows\":[", c->out);
		return;
	}
	cols[n++] = c->o->identified ? "employee_number" : "person";
	if (c->site_ok && c->o->identified && c->o->what != W_SMOKING)
		cols[n++] = "site";
	cols[n++] = "exam_date";
	cols[n++] = "fiscal_year";
	if (c->o->what == W_SMOKING) {
		cols[n++] = "smoking";
	} else if (c->detail_ok) {
		cols[n++] = "age_fy_end";
	}
	if (c->o->what == W_GUIDANCE) {
		cols[n++] = "level";
		if (c->detail_ok) {
			cols[n++] = "risks";
			cols[n++] = "reasons";
		}
	} else if (c->o->what == W_REFERRAL) {
		for (a = 0; a < COLINK_AREA_COUNT; a++)
			cols[n++] = colink_area_name((enum colink_area)a);
		cols[n++] = "level";
		cols[n++] = "rules";
		cols[n++] = "followup";
		cols[n++] = "followup_date";
		cols[n++] = "followup_evidence";
	}
	for (i = 0; i < n; i++)
		csv(c->out, cols[i], i + 1 == n);
}

/* What a referral and a guidance row start with: the person (pseudonym, or
 * employee number and site), the exam and, for the data's own party, the age. */
static void row_start(struct ctx *c, const struct colink_program_row *r, const char *who,
		      const char *site)
{
	FILE *f = c->out;
	char fy[16], age[16];
	if (c->o->json) {
		fprintf(f, "%s{", c->rows > 1 ? "," : "");
		jstr(f, c->o->identified ? "employee_number" : "person", who, 1);
		if (c->site_ok && c->o->identified)
			jstr(f, "site", site, 0);
		jstr(f, "exam_date", r->exam_date, 0);
		fprintf(f, ",\"fiscal_year\":%d", r->fiscal_year);
		if (c->detail_ok)
			fprintf(f, ",\"age_fy_end\":%d", r->age_fy_end);
		return;
	}
	snprintf(fy, sizeof(fy), "%d", r->fiscal_year);
	snprintf(age, sizeof(age), "%d", r->age_fy_end);
	csv(f, who, 0);
	if (c->site_ok && c->o->identified)
		csv(f, site ? site : "", 0);
	csv(f, r->exam_date, 0);
	csv(f, fy, 0);
	if (c->detail_ok)
		csv(f, age, 0);
}

static int referral_row(struct ctx *c, const struct colink_program_row *r, const char *who,
			const char *site, struct colink_error *err)
{
	FILE *f = c->out;
	char rules[1024];
	const char *fu = "n/a";
	struct colink_followup_result res;
	enum colink_referral_level lv[COLINK_AREA_COUNT], m = max_level(c, r);
	int a, rc;
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		lv[a] = c->area_ok[a] ? r->referral[a] : COLINK_REFERRAL_UNKNOWN;
	kept_rules(c, r->referral_rules, rules, sizeof(rules));
	memset(&res, 0, sizeof(res));
	if (m >= COLINK_REFERRAL_RECOMMEND && !c->followup_ok) {
		fu = "withheld";
	} else if (m >= COLINK_REFERRAL_RECOMMEND) {
		rc = colink_followup_check(c->fu, r->person_id, r->exam_date, lv, &res, err);
		if (rc == -2)
			return -1;
		fu = rc == 1 ? "yes" : rc == 0 ? "no" : "unknown";
	}
	row_start(c, r, who, site);
	if (c->o->json) {
		for (a = 0; a < COLINK_AREA_COUNT; a++)
			jstr(f, colink_area_name((enum colink_area)a),
			     c->area_ok[a] ? colink_referral_name(lv[a]) : "withheld", 0);
		jstr(f, "level", colink_referral_name(m), 0);
		jstr(f, "rules", rules, 0);
		jstr(f, "followup", fu, 0);
		jstr(f, "followup_date", res.date[0] ? res.date : NULL, 0);
		jstr(f, "followup_evidence", res.evidence, 0);
		fputs("}", f);
		return 0;
	}
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		csv(f, c->area_ok[a] ? colink_referral_name(lv[a]) : "withheld", 0);
	csv(f, colink_referral_name(m), 0);
	csv(f, rules, 0);
	csv(f, fu, 0);
	csv(f, res.date, 0);
	csv(f, res.evidence, 1);
	return 0;
}

static void guidance_row(struct ctx *c, const struct colink_program_row *r, const char *who,
			 const char *site)
{
	FILE *f = c->out;
	char risks[16];
	snprintf(risks, sizeof(risks), "%d", r->guidance_risks);
	row_start(c, r, who, site);
	if (c->o->json) {
		jstr(f, "level", colink_guidance_name(r->guidance), 0);
		if (c->detail_ok) {
			fprintf(f, ",\"risks\":%d", r->guidance_risks);
			jstr(f, "reasons", r->guidance_reasons, 0);
		}
		fputs("}", f);
		return;
	}
	if (c->detail_ok) {
		csv(f, colink_guidance_name(r->guidance), 0);
		csv(f, risks, 0);
		csv(f, r->guidance_reasons, 1);
	} else {
		csv(f, colink_guidance_name(r->guidance), 1);
	}
}

static void smoking_person_row(struct ctx *c, const struct colink_program_row *r, const char *who)
{
	FILE *f = c->out;
	char fy[16];
	snprintf(fy, sizeof(fy), "%d", r->fiscal_year);
	if (c->o->json) {
		fprintf(f, "%s{", c->rows > 1 ? "," : "");
		jstr(f, c->o->identified ? "employee_number" : "person", who, 1);
		jstr(f, "exam_date", r->exam_date, 0);
		fprintf(f, ",\"fiscal_year\":%d", r->fiscal_year);
		jstr(f, "smoking", colink_smoking_name(r->smoking), 0);
		fputs("}", f);
		return;
	}
	csv(f, who, 0);
	csv(f, r->exam_date, 0);
	csv(f, fy, 0);
	csv(f, colink_smoking_name(r->smoking), 1);
}

struct row_ctx {
	struct ctx *c;
	struct colink_error *err;
};

enum { PASS_COLLECT = 1, PASS_COUNT, PASS_OUTPUT };

static int on_row(void *ud, const struct colink_program_row *r)
{
	struct row_ctx *rc = ud;
	struct ctx *c = rc->c;
	const char *who = r->person_id;
	if (!wanted_row(c, r))
		return 0;
	if (c->pass == PASS_COLLECT) {
		const char *emp = employer_of(c, r->person_id);
		if (emp && want_person(c, emp)) {
			COLINK_ERR(rc->err, COLINK_ENOMEM, "out of memory");
			return -1;
		}
		return 0;
	}
	if (c->o->identified && !(who = employee_number(c, r))) {
		c->unlinked++;
		return 0;
	}
	c->rows++;
	c->outside += !colink_rules_applies_to(c->rules, r->fiscal_year);
	if (c->pass == PASS_COUNT)
		return 0;
	if (c->o->what == W_REFERRAL)
		return referral_row(c, r, who, r->site, rc->err);
	if (c->o->what == W_GUIDANCE)
		guidance_row(c, r, who, r->site);
	else
		smoking_person_row(c, r, who);
	return 0;
}

static void rate(char *buf, size_t n, long num, long den)
{
	if (den > 0)
		snprintf(buf, n, "%.1f", 100.0 * (double)num / (double)den);
	else
		buf[0] = '\0';
}

struct smoke_ctx {
	struct ctx *c;
	struct colink_error *err;
	struct colink_smoking_transition total;
	int fy;
};

/* A released count, or the withheld mark ("*"; JSON null). */
static void count_text(struct ctx *c, char *buf, size_t n, long v, int ok)
{
	if (ok)
		snprintf(buf, n, "%ld", v);
	else {
		snprintf(buf, n, "%s", c->o->json ? "null" : "*");
		c->withheld++;
	}
}

/* A rate: only over two released counts ("*" / null when one is withheld). */
static void rate_text(struct ctx *c, char *buf, size_t n, long num, int num_ok, long den, int den_ok)
{
	if (num_ok && den_ok)
		rate(buf, n, num, den);
	else
		snprintf(buf, n, "%s", c->o->json ? "null" : "*");
	if (c->o->json && !buf[0])
		snprintf(buf, n, "null");
}

static int smoke_out(struct ctx *c, int fy, const struct colink_smoking_transition *t,
		     struct colink_error *err)
{
	FILE *f = c->out;
	struct colink_smoking_release ok;
	char q[16], r[16], s[16], n[6][24];
	int rc;
	if ((rc = colink_smoking_protect(t, c->o->k, &ok, err)))
		return rc;
	rate_text(c, q, sizeof(q), t->quit_after, ok.quit_after, t->current_before, ok.current_before);
	rate_text(c, r, sizeof(r), t->relapse_after, ok.relapse_after, t->noncurrent_before,
		  ok.noncurrent_before);
	rate_text(c, s, sizeof(s), t->current_now, ok.current_now, t->answered_now, ok.answered_now);
	count_text(c, n[0], sizeof(n[0]), t->current_before, ok.current_before);
	count_text(c, n[1], sizeof(n[1]), t->quit_after, ok.quit_after);
	count_text(c, n[2], sizeof(n[2]), t->noncurrent_before, ok.noncurrent_before);
	count_text(c, n[3], sizeof(n[3]), t->relapse_after, ok.relapse_after);
	count_text(c, n[4], sizeof(n[4]), t->current_now, ok.current_now);
	count_text(c, n[5], sizeof(n[5]), t->answered_now, ok.answered_now);
	c->rows++;
	if (c->o->json) {
		fprintf(f, "%s{\"fiscal_year\":%d", c->rows > 1 ? "," : "", fy);
		jstr(f, "site", t->site ? t->site : "", 0);
		fprintf(f, ",\"current_before\":%s,\"quit_after\":%s,\"quit_rate\":%s,"
			"\"noncurrent_before\":%s,\"relapse_after\":%s,\"relapse_rate\":%s,"
			"\"current_now\":%s,\"answered_now\":%s,\"smoker_rate\":%s}",
			n[0], n[1], q, n[2], n[3], r, n[4], n[5], s);
		return 0;
	}
	fprintf(f, "%d,", fy);
	csv(f, t->site ? t->site : "", 0);
	fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", n[0], n[1], q, n[2], n[3], r, n[4], n[5], s);
	return 0;
}

static int on_transition(void *ud, const struct colink_smoking_transition *t)
{
	struct smoke_ctx *s = ud;
	if (!s->c->site_ok) { /* sites withheld: one row for everybody */
		s->total.current_before += t->current_before;
		s->total.quit_after += t->quit_after;
		s->total.noncurrent_before += t->noncurrent_before;
		s->total.relapse_after += t->relapse_after;
		s->total.current_now += t->current_now;
		s->total.answered_now += t->answered_now;
		return 0;
	}
	return smoke_out(s->c, s->fy, t, s->err) ? 1 : 0;
}

static int smoking_rates(struct ctx *c, struct colink_error *err)
{
	struct smoke_ctx s;
	int fy = c->o->fy, rc;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.err = err;
	if (!fy) {
		struct colink_error ignored = {0};
		(void)colink_wh_latest_fiscal_year(c->src.wh, &fy, &ignored);
	}
	s.fy = fy;
	if (!c->o->json) {
		fputs("fiscal_year,site,current_before,quit_after,quit_rate,noncurrent_before,"
		      "relapse_after,relapse_rate,current_now,answered_now,smoker_rate\n", c->out);
	}
	rc = colink_smoking_transitions(c->src.wh, c->rules, fy, on_transition, &s, err);
	if (rc == 0 && !c->site_ok) {
		s.total.site = "(all)";
		rc = smoke_out(c, fy, &s.total, err);
	}
	return rc;
}

static int identify(struct ctx *c, struct colink_error *err)
{
	struct row_ctx rc = {c, err};
	int r;
	if (!c->o->roster || !c->o->roster_mapping || !c->key_file)
		return COLINK_ERR(err, COLINK_EINVAL, "--identified needs --roster FILE, --roster-mapping "
				  "MAPPING and the pseudonym key (JOB's <key file> or --key FILE)");
	c->pass = PASS_COLLECT;
	r = colink_programs_evaluate(c->src.wh, c->rules, c->o->fy, on_row, &rc, err);
	if (r)
		return r < 0 ? COLINK_EIO : COLINK_ENOMEM;
	return colink_reident_load(&c->reid, colink_data_dir(c->g->data_dir), c->g->plugin_dirs,
				   c->o->roster, c->o->roster_mapping, c->key_file, c->src.agreement_id,
				   (const char *const *)c->wanted, c->nwanted, err);
}

/* The follow-up reads the claims' diagnoses where the warehouse has claims
 * and the agreement releases them (their items join the audit entry). */
static int open_followup(struct ctx *c, struct colink_error *err)
{
	int rc = colink_followup_open(&c->fu, c->src.wh, c->rules, 1, err);
	if (rc || !colink_followup_has_claims(c->fu) ||
	    colink_report_gate_followup_claims(&c->src, c->o->identified))
		return rc;
	colink_followup_free(c->fu);
	c->fu = NULL;
	return colink_followup_open(&c->fu, c->src.wh, c->rules, 0, err);
}

/* Rows and persons left out, before anything is written: they go in the audit entry. */
static int count_rows(struct ctx *c, struct colink_error *err)
{
	struct row_ctx rc = {c, err};
	c->pass = PASS_COUNT;
	c->rows = c->unlinked = 0;
	if (c->o->what == W_SMOKING && !c->o->persons)
		return COLINK_OK;
	return colink_programs_evaluate(c->src.wh, c->rules, c->o->fy, on_row, &rc, err) ? COLINK_EIO
										   : COLINK_OK;
}

static int write_report(struct ctx *c, struct colink_error *err)
{
	struct row_ctx rc = {c, err};
	int r = 0;
	c->rows = c->unlinked = c->outside = 0;
	c->pass = PASS_OUTPUT;
	if (c->o->json && c->o->what == W_SMOKING && !c->o->persons) {
		fputs("{\"report\":\"smoking\",\"rules\":", c->out);
		colink_json_str(c->out, colink_rules_id(c->rules));
		fputs(",\"rows\":[", c->out);
	} else if (!(c->o->what == W_SMOKING && !c->o->persons)) {
		head(c);
	}
	if (c->o->what == W_SMOKING && !c->o->persons)
		r = smoking_rates(c, err);
	else
		r = colink_programs_evaluate(c->src.wh, c->rules, c->o->fy, on_row, &rc, err);
	if (c->o->json)
		fputs("]}\n", c->out);
	return r ? COLINK_EIO : COLINK_OK;
}

static int report(struct ctx *c, struct colink_error *err)
{
	char why[COLINK_ERRMSG_MAX];
	int rc;
	if ((rc = setup(c, err)))
		return rc;
	if (c->o->what == W_SMOKING && !c->o->persons)
		c->o->identified = 0; /* aggregates: nobody to identify */
	if ((rc = gate(c, why, sizeof(why)))) {
		if (c->o->identified && rc == COLINK_EPOLICY) {
			/* fall back to pseudonymized output, with a one-line notice */
			fprintf(stderr, "colink: notice: %s; the report is pseudonymized\n", why);
			c->o->identified = 0;
			c->src.nitems = 0;
			rc = gate(c, why, sizeof(why));
		}
		if (rc) {
			struct colink_error e2 = {0};
			c->src.nitems = 0; /* nothing is released */
			if (audit(c, "refused", why, &e2))
				fprintf(stderr, "colink: %s\n", e2.msg);
			return COLINK_ERR(err, rc, "%s", why);
		}
	}
	if (c->o->identified && (rc = identify(c, err)))
		return rc;
	if (c->o->what == W_REFERRAL && c->followup_ok && (rc = open_followup(c, err)))
		return rc;
	if ((rc = count_rows(c, err)))
		return rc;
	if ((rc = audit(c, "ok", NULL, err)))
		return rc;
	if (c->o->out_path && !(c->out = fopen(c->o->out_path, "w")))
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot write the report", c->o->out_path);
	if (!c->out)
		c->out = stdout;
	rc = write_report(c, err);
	if (c->out != stdout && (ferror(c->out) | fclose(c->out)) && !rc)
		rc = COLINK_ERR(err, COLINK_EIO, "%s: writing the report failed", c->o->out_path);
	c->out = NULL;
	if (!rc && c->outside)
		fprintf(stderr, "colink: notice: %ld rows are exams of fiscal years outside those of rule "
			"set %s (%s); see --rules and --fiscal-year\n", c->outside,
			colink_rules_id(c->rules), colink_rules_fiscal_years(c->rules));
	if (!rc && c->withheld)
		fprintf(stderr, "colink: notice: %ld counts withheld (\"*\"): below k=%ld, or giving "
			"one away\n", c->withheld, c->o->k);
	if (!rc && c->unlinked)
		fprintf(stderr, "colink: notice: %ld person-exams not linked to an employee of the "
			"roster were left out\n", c->unlinked);
	return rc;
}

int cmd_report(struct cli_global *g, int argc, char **argv)
{
	struct opts o;
	struct ctx c;
	struct colink_error err = {0};
	int rc;
	memset(&o, 0, sizeof(o));
	o.k = 10;
	rc = parse_args(&o, argc, argv);
	if (rc) {
		help(rc > 0 || (argc >= 2 && cli_is_help(argv[1])) ? stdout : stderr);
		return rc > 0 || (argc >= 2 && cli_is_help(argv[1])) ? EXIT_OK : EXIT_USAGE;
	}
	memset(&c, 0, sizeof(c));
	c.g = g;
	c.o = &o;
	rc = report(&c, &err);
	ctx_free(&c);
	if (rc) {
		cli_error("%s", err.msg);
		return cli_exit_for_plan(rc);
	}
	return EXIT_OK;
}
