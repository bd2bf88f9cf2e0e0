/*
 * rules.c -- the programs' rule tables: mappings/rules/guidance-<set>.tsv, the
 * referral-*.tsv and smoking-*.tsv tables it names, and `name=value`
 * overrides of the settings they declare.  A strict reader: every problem is
 * one "FILE:LINE: message" error and nothing is half-loaded.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "programs/programs_int.h"
#include "base/util.h"

#define TSV_MAX_BYTES (1u << 20)
#define TSV_MAX_COLS 12
#define DEFAULT_SET "4th"

enum table_kind { T_GUIDANCE, T_REFERRAL, T_SMOKING, T_DISEASE };

struct loading {
	struct colink_rules *r;
	enum table_kind kind;
	const char *path;
	char referral_name[64], smoking_name[64]; /* from the guidance table's meta */
	char glucose_allowed[64];
};

static const char *const measures[] = {
	"sbp", "dbp", "tg_fasting", "tg_casual", "hdl", "ldl", "non_hdl", "ast", "alt", "ggt",
	"fpg", "casual_glucose", "hba1c", "hba1c_jds", "egfr", "urine_protein", "hemoglobin",
	"waist", "visceral_fat_area", "bmi", NULL};
static const char *const areas[] = {"bp", "lipid", "liver", "glucose", "kidney", "anemia", NULL};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

const char *prog_op_text(int op)
{
	static const char *const t[] = {">=", ">", "<=", "<"};
	return op >= 0 && op <= PROG_LT ? t[op] : "?";
}

int prog_rule_fires(const struct prog_rule *ru, double v)
{
	/* values and thresholds are short decimals: allow for binary rounding */
	const double eps = 1e-9;
	if (!ru->enabled || isnan(v))
		return 0;
	switch (ru->op) {
	case PROG_GE: return v >= ru->threshold - eps;
	case PROG_GT: return v > ru->threshold + eps;
	case PROG_LE: return v <= ru->threshold + eps;
	case PROG_LT: return v < ru->threshold - eps;
	}
	return 0;
}

void prog_append(char *buf, size_t n, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	if (used + 1 >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, n - used, fmt, ap);
	va_end(ap);
}

static int copy_field(char *dst, size_t n, const char *src, const struct loading *ld, int line,
		      const char *what, struct colink_error *err)
{
	if (!*src || strlen(src) >= n)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: %s is empty or longer than %zu bytes",
				  ld->path, line, what, n - 1);
	memcpy(dst, src, strlen(src) + 1);
	return COLINK_OK;
}

/* A threshold: a plain decimal ("130", "5.6", "-1"), or "none" when allowed. */
static int parse_threshold(const char *s, double *out, int *enabled)
{
	char *end;
	size_t i;
	if (!strcmp(s, "none")) {
		*enabled = 0;
		*out = 0;
		return 0;
	}
	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != '.' && !(i == 0 && s[i] == '-'))
			return -1;
	if (!i || strlen(s) > 20)
		return -1;
	*out = strtod(s, &end);
	if (*end || !isfinite(*out))
		return -1;
	*enabled = 1;
	return 0;
}

static int parse_op(const char *s)
{
	int op;
	for (op = PROG_GE; op <= PROG_LT; op++)
		if (!strcmp(s, prog_op_text(op)))
			return op;
	return -1;
}

/* group / measure / level combinations a table may use */
static int check_rule_kind(const struct prog_rule *ru, enum table_kind kind)
{
	if (kind == T_REFERRAL)
		return in_list(ru->group, areas) && in_list(ru->measure, measures) &&
		       (!strcmp(ru->level, "guidance") || !strcmp(ru->level, "recommend") ||
			!strcmp(ru->level, "urgent"));
	if (!strcmp(ru->group, "age"))
		return !strcmp(ru->measure, "age_fy_end") &&
		       (!strcmp(ru->level, "target") || !strcmp(ru->level, "downgrade"));
	if (!strcmp(ru->group, "step1"))
		return (!strcmp(ru->measure, "waist") || !strcmp(ru->measure, "visceral_fat_area") ||
			!strcmp(ru->measure, "bmi")) &&
		       (!strcmp(ru->level, "waist") || !strcmp(ru->level, "bmi"));
	if (!strcmp(ru->group, "bp") || !strcmp(ru->group, "lipid") || !strcmp(ru->group, "glucose"))
		return in_list(ru->measure, measures) && !strcmp(ru->level, "risk");
	if (!strcmp(ru->group, "step3-waist") || !strcmp(ru->group, "step3-bmi"))
		return !strcmp(ru->measure, "risks") &&
		       (!strcmp(ru->level, "active") || !strcmp(ru->level, "motivational"));
	return 0;
}

static int rule_row(struct loading *ld, int line, char **c, int nc, struct colink_error *err)
{
	struct prog_table *t = ld->kind == T_REFERRAL ? &ld->r->referral : &ld->r->guidance;
	struct prog_rule *ru;
	size_t i;
	int rc;
	if (nc < 9 || nc > 10)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a rule row has 9 or 10 columns "
				  "(rule id group measure op threshold level sex setting [note]), not %d",
				  ld->path, line, nc);
	if (t->n >= PROG_MAX_RULES)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: more than %d rules", ld->path, line,
				  PROG_MAX_RULES);
	ru = &t->rules[t->n];
	memset(ru, 0, sizeof(*ru));
	if ((rc = copy_field(ru->id, sizeof(ru->id), c[1], ld, line, "id", err)) ||
	    (rc = copy_field(ru->group, sizeof(ru->group), c[2], ld, line, "group", err)) ||
	    (rc = copy_field(ru->measure, sizeof(ru->measure), c[3], ld, line, "measure", err)) ||
	    (rc = copy_field(ru->threshold_text, sizeof(ru->threshold_text), c[5], ld, line,
			     "threshold", err)) ||
	    (rc = copy_field(ru->level, sizeof(ru->level), c[6], ld, line, "level", err)))
		return rc;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->rules[i].id, ru->id))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: rule id '%s' given twice",
					  ld->path, line, ru->id);
	if ((ru->op = parse_op(c[4])) < 0)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: rule %s: comparison '%s' is not one of "
				  ">= > <= <", ld->path, line, ru->id, c[4]);
	if (parse_threshold(c[5], &ru->threshold, &ru->enabled))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: rule %s: threshold '%s' is not a "
				  "decimal or \"none\"", ld->path, line, ru->id, c[5]);
	if (!check_rule_kind(ru, ld->kind))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: rule %s: group '%s', measure '%s' and "
				  "level '%s' do not go together in a %s table", ld->path, line, ru->id,
				  ru->group, ru->measure, ru->level,
				  ld->kind == T_REFERRAL ? "referral" : "guidance");
	if (!strcmp(c[7], "M"))
		ru->sex = 1;
	else if (!strcmp(c[7], "F"))
		ru->sex = 2;
	else if (strcmp(c[7], "-"))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: rule %s: sex '%s' is not M, F or -",
				  ld->path, line, ru->id, c[7]);
	if (strcmp(c[8], "-") &&
	    (rc = copy_field(ru->setting, sizeof(ru->setting), c[8], ld, line, "setting", err)))
		return rc;
	if (!ru->enabled && !ru->setting[0])
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: rule %s: threshold \"none\" needs a "
				  "setting name", ld->path, line, ru->id);
	t->n++;
	return COLINK_OK;
}

static int meta_row(struct loading *ld, int line, char **c, int nc, struct colink_error *err)
{
	struct prog_table *t = ld->kind == T_REFERRAL ? &ld->r->referral : &ld->r->guidance;
	if (nc != 3)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a meta row has 3 columns (meta key value)",
				  ld->path, line);
	if (!strcmp(c[1], "version") && ld->kind == T_DISEASE)
		return copy_field(ld->r->disease_groups_version, sizeof(ld->r->disease_groups_version),
				  c[2], ld, line, "version", err);
	if (!strcmp(c[1], "version"))
		return copy_field(ld->kind == T_SMOKING ? ld->r->smoking_version : t->version,
				  sizeof(t->version), c[2], ld, line, "version", err);
	if (!strcmp(c[1], "disease_groups") && ld->kind == T_REFERRAL)
		return copy_field(ld->r->disease_groups_name, sizeof(ld->r->disease_groups_name), c[2],
				  ld, line, "disease_groups", err);
	if (!strcmp(c[1], "fiscal_years") && (ld->kind == T_GUIDANCE || ld->kind == T_REFERRAL)) {
		char tail[4] = "";
		int n = sscanf(c[2], "%4d-%4d%1s", &t->fy_from, &t->fy_to, tail);
		if (n == 1 && !strcmp(c[2] + strlen(c[2]) - 1, "-") && strlen(c[2]) == 5)
			t->fy_to = 0;
		else if (n != 2 || t->fy_to < t->fy_from)
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: fiscal_years '%s' is not YYYY- or "
					  "YYYY-YYYY", ld->path, line, c[2]);
		return copy_field(t->fiscal_years, sizeof(t->fiscal_years), c[2], ld, line,
				  "fiscal_years", err);
	}
	if (!strcmp(c[1], "source"))
		return COLINK_OK;
	if (!strcmp(c[1], "referral") && ld->kind == T_GUIDANCE)
		return copy_field(ld->referral_name, sizeof(ld->referral_name), c[2], ld, line,
				  "referral", err);
	if (!strcmp(c[1], "smoking") && ld->kind == T_GUIDANCE)
		return copy_field(ld->smoking_name, sizeof(ld->smoking_name), c[2], ld, line,
				  "smoking", err);
	return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown meta key '%s' (valid: version%s)",
			  ld->path, line, c[1],
			  ld->kind == T_GUIDANCE ? ", fiscal_years, source, referral, smoking"
			  : ld->kind == T_REFERRAL ? ", fiscal_years, source, disease_groups"
			  : ld->kind == T_SMOKING ? ", source" : ", source");
}

static int set_glucose_priority(struct colink_rules *r, const char *v)
{
	if (!strcmp(v, "fpg"))
		r->glucose_priority = PROG_GLUCOSE_FPG;
	else if (!strcmp(v, "either"))
		r->glucose_priority = PROG_GLUCOSE_EITHER;
	else
		return -1;
	return 0;
}

/* followup.months: whole months 1-36; followup.suspected: yes | no. */
static int set_followup(struct colink_rules *r, const char *name, const char *v)
{
	if (!strcmp(name, "followup.months")) {
		char *end;
		long m = strtol(v, &end, 10);
		if (!*v || *end || m < 1 || m > 36 || !isdigit((unsigned char)v[0]))
			return -1;
		r->followup_months = (int)m;
		r->followup_set |= 1;
		return 0;
	}
	if (!strcmp(v, "yes") || !strcmp(v, "no")) {
		r->followup_suspected = !strcmp(v, "yes");
		r->followup_set |= 2;
		return 0;
	}
	return -1;
}

static int setting_row(struct loading *ld, int line, char **c, int nc, struct colink_error *err)
{
	if (ld->kind == T_REFERRAL && nc >= 4 && nc <= 5) {
		if (strcmp(c[1], "followup.months") && strcmp(c[1], "followup.suspected"))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown setting '%s' (valid: "
					  "followup.months, followup.suspected)", ld->path, line, c[1]);
		if (set_followup(ld->r, c[1], c[2]))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: setting %s: '%s' is not %s", ld->path,
					  line, c[1], c[2], !strcmp(c[1], "followup.months") ?
					  "a whole number of months from 1 to 36" : "yes or no");
		return COLINK_OK;
	}
	if (ld->kind != T_GUIDANCE || nc < 4 || nc > 5)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a setting row (setting name value "
				  "allowed [note]) belongs in a guidance or referral table", ld->path, line);
	if (strcmp(c[1], "guidance.glucose_priority"))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown setting '%s' (valid: "
				  "guidance.glucose_priority)", ld->path, line, c[1]);
	if (set_glucose_priority(ld->r, c[2]))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: setting %s: '%s' is not fpg or either",
				  ld->path, line, c[1], c[2]);
	return COLINK_OK;
}

static int icd_block(const char *s)
{
	return strlen(s) == 3 && isupper((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]);
}

/* range group area from to status [note] (mappings/rules/disease-groups.tsv) */
static int range_row(struct loading *ld, int line, char **c, int nc, struct colink_error *err)
{
	struct prog_range *g;
	int a, rc;
	if (nc < 6 || nc > 7)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a range row has 6 or 7 columns (range "
				  "group area from to status [note]), not %d", ld->path, line, nc);
	if (ld->r->nranges >= PROG_MAX_RANGES)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: more than %d ranges", ld->path, line,
				  PROG_MAX_RANGES);
	g = &ld->r->ranges[ld->r->nranges];
	memset(g, 0, sizeof(*g));
	if ((rc = copy_field(g->group, sizeof(g->group), c[1], ld, line, "group", err)))
		return rc;
	for (a = 0; a < COLINK_AREA_COUNT && strcmp(c[2], areas[a]); a++)
		;
	if (a == COLINK_AREA_COUNT)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: area '%s' is not one of bp, lipid, liver, "
				  "glucose, kidney, anemia", ld->path, line, c[2]);
	g->area = a;
	if (!icd_block(c[3]) || !icd_block(c[4]) || strcmp(c[3], c[4]) > 0)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: range %s-%s is not two 3-character ICD-10 "
				  "codes (a letter, two digits) in order", ld->path, line, c[3], c[4]);
	memcpy(g->from, c[3], 4);
	memcpy(g->to, c[4], 4);
	if (strcmp(c[5], "verified") && strcmp(c[5], "unverified"))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: status '%s' is not verified or unverified",
				  ld->path, line, c[5]);
	ld->r->nranges++;
	return COLINK_OK;
}

size_t prog_disease_ranges(const struct colink_rules *r, struct colink_wh_icd_range *out, size_t max)
{
	size_t i;
	for (i = 0; r && i < r->nranges && i < max; i++) {
		out[i].group = r->ranges[i].group;
		memcpy(out[i].from, r->ranges[i].from, 4);
		memcpy(out[i].to, r->ranges[i].to, 4);
	}
	return i;
}

static int answer_row(struct loading *ld, int line, char **c, int nc, struct colink_error *err)
{
	struct prog_answer *a;
	size_t i;
	int rc;
	if (ld->kind != T_SMOKING || nc < 4 || nc > 5)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: an answer row (answer code_system code "
				  "status [note]) belongs in a smoking table", ld->path, line);
	if (ld->r->nanswers >= PROG_MAX_ANSWERS)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: more than %d answers", ld->path, line,
				  PROG_MAX_ANSWERS);
	a = &ld->r->answers[ld->r->nanswers];
	if ((rc = copy_field(a->code_system, sizeof(a->code_system), c[1], ld, line, "code_system",
			     err)) ||
	    (rc = copy_field(a->code, sizeof(a->code), c[2], ld, line, "code", err)))
		return rc;
	for (i = 0; i < ld->r->nanswers; i++)
		if (!strcmp(ld->r->answers[i].code_system, a->code_system) &&
		    !strcmp(ld->r->answers[i].code, a->code))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: answer %s of %s given twice",
					  ld->path, line, a->code, a->code_system);
	if (!strcmp(c[3], "current"))
		a->status = COLINK_SMOKING_CURRENT;
	else if (!strcmp(c[3], "quit"))
		a->status = COLINK_SMOKING_QUIT;
	else if (!strcmp(c[3], "never"))
		a->status = COLINK_SMOKING_NEVER;
	else
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: status '%s' is not current, quit or never",
				  ld->path, line, c[3]);
	ld->r->nanswers++;
	return COLINK_OK;
}

static int row(struct loading *ld, int line, char **c, int nc, struct colink_error *err)
{
	if (!strcmp(c[0], "rule") && (ld->kind == T_GUIDANCE || ld->kind == T_REFERRAL))
		return rule_row(ld, line, c, nc, err);
	if (!strcmp(c[0], "range") && ld->kind == T_DISEASE)
		return range_row(ld, line, c, nc, err);
	if (!strcmp(c[0], "meta"))
		return meta_row(ld, line, c, nc, err);
	if (!strcmp(c[0], "setting"))
		return setting_row(ld, line, c, nc, err);
	if (!strcmp(c[0], "answer"))
		return answer_row(ld, line, c, nc, err);
	return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown row kind '%s' (valid: %s)", ld->path,
			  line, c[0], ld->kind == T_SMOKING ? "meta, answer" : ld->kind == T_DISEASE ?
			  "meta, range" : "meta, setting, rule");
}

static int read_table(struct loading *ld, struct colink_error *err)
{
	char *buf = NULL, *p, *cols[TSV_MAX_COLS];
	int line = 0, rc;
	rc = colink_read_small_file(ld->path, TSV_MAX_BYTES, &buf, NULL, err);
	if (rc)
		return rc;
	p = buf;
	if (!strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (rc == COLINK_OK && p && *p) {
		char *nl = strchr(p, '\n'), *q = p;
		int nc = 0;
		if (nl)
			*nl = '\0';
		line++;
		if (nl && nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*p && *p != '#') {
			while (q) {
				char *tab = strchr(q, '\t');
				if (nc == TSV_MAX_COLS) {
					rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: more than %d columns",
							ld->path, line, TSV_MAX_COLS);
					break;
				}
				if (tab)
					*tab = '\0';
				cols[nc++] = q;
				q = tab ? tab + 1 : NULL;
			}
			if (rc == COLINK_OK)
				rc = row(ld, line, cols, nc, err);
		}
		p = nl ? nl + 1 : NULL;
	}
	colink_free(buf);
	return rc;
}

static int safe_name(const char *s)
{
	size_t i;
	if (!s || !*s || strlen(s) > 40)
		return 0;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

static int load_one(struct loading *ld, const char *data_dir, const char *file,
		    enum table_kind kind, struct colink_error *err)
{
	char rel[96];
	char *path;
	int rc;
	snprintf(rel, sizeof(rel), "rules/%s.tsv", file);
	if (!(path = colink_path_join(data_dir, rel)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory loading rules");
	ld->kind = kind;
	ld->path = path;
	rc = read_table(ld, err);
	ld->path = NULL;
	colink_free(path);
	return rc;
}

/* A guidance table needs the age range and both step-3 routes. */
static int check_guidance(const struct colink_rules *r, const char *set, struct colink_error *err)
{
	static const char *const need[][2] = {{"age", "target"}, {"step1", "waist"},
					      {"step1", "bmi"}, {"step3-waist", "active"},
					      {"step3-bmi", "active"}};
	size_t i, j;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		for (j = 0; j < r->guidance.n; j++)
			if (!strcmp(r->guidance.rules[j].group, need[i][0]) &&
			    !strcmp(r->guidance.rules[j].level, need[i][1]))
				break;
		if (j == r->guidance.n)
			return COLINK_ERR(err, COLINK_EINVAL, "rules/guidance-%s.tsv: no rule of group "
					  "'%s' with step '%s'", set, need[i][0], need[i][1]);
	}
	return COLINK_OK;
}

/* The follow-up settings are the referral table's, never defaults of the code. */
static int check_followup(const struct colink_rules *r, const char *referral,
			  struct colink_error *err)
{
	if (!(r->followup_set & 1) || !(r->followup_set & 2))
		return COLINK_ERR(err, COLINK_EINVAL, "rules/%s.tsv: setting %s is missing (the "
				  "受診状況確認 window and whether 疑い diagnoses count are the table's)",
				  referral, !(r->followup_set & 1) ? "followup.months" : "followup.suspected");
	if (!safe_name(r->disease_groups_name))
		return COLINK_ERR(err, COLINK_EINVAL, "rules/%s.tsv: meta disease_groups must name the "
				  "disease-group table (letters, digits, - or _)", referral);
	return COLINK_OK;
}

static size_t list_settings(const struct colink_rules *r, char *buf, size_t n)
{
	const struct prog_table *t[2] = {&r->referral, &r->guidance};
	size_t k, i, count = 1;
	snprintf(buf, n, "guidance.glucose_priority, followup.months, followup.suspected");
	for (k = 0; k < 2; k++)
		for (i = 0; i < t[k]->n; i++) {
			const char *s = t[k]->rules[i].setting;
			if (s[0] && !strstr(buf, s)) {
				prog_append(buf, n, ", %s", s);
				count++;
			}
		}
	return count;
}

static int apply_setting(struct colink_rules *r, const char *nv, struct colink_error *err)
{
	struct prog_table *t[2] = {&r->referral, &r->guidance};
	const char *eq = strchr(nv, '=');
	char name[64], valid[512];
	size_t k, i, hits = 0;
	double v = 0;
	int enabled = 0;
	if (!eq || eq == nv || (size_t)(eq - nv) >= sizeof(name))
		return COLINK_ERR(err, COLINK_EINVAL, "rule setting '%s' is not name=value", nv);
	memcpy(name, nv, (size_t)(eq - nv));
	name[eq - nv] = '\0';
	if (!strcmp(name, "guidance.glucose_priority")) {
		if (set_glucose_priority(r, eq + 1))
			return COLINK_ERR(err, COLINK_EINVAL, "rule setting %s: '%s' is not fpg or either",
					  name, eq + 1);
		return COLINK_OK;
	}
	if (!strcmp(name, "followup.months") || !strcmp(name, "followup.suspected")) {
		if (set_followup(r, name, eq + 1))
			return COLINK_ERR(err, COLINK_EINVAL, "rule setting %s: '%s' is not %s", name,
					  eq + 1, !strcmp(name, "followup.months") ?
					  "a whole number of months from 1 to 36" : "yes or no");
		return COLINK_OK;
	}
	if (parse_threshold(eq + 1, &v, &enabled) || strlen(eq + 1) >= sizeof(t[0]->rules[0].threshold_text))
		return COLINK_ERR(err, COLINK_EINVAL, "rule setting %s: '%s' is not a decimal or \"none\"",
				  name, eq + 1);
	for (k = 0; k < 2; k++)
		for (i = 0; i < t[k]->n; i++) {
			struct prog_rule *ru = &t[k]->rules[i];
			if (!ru->setting[0] || strcmp(ru->setting, name))
				continue;
			ru->threshold = v;
			ru->enabled = enabled;
			snprintf(ru->threshold_text, sizeof(ru->threshold_text), "%s", eq + 1);
			hits++;
		}
	if (!hits) {
		list_settings(r, valid, sizeof(valid));
		return COLINK_ERR(err, COLINK_EINVAL, "unknown rule setting '%s' (valid: %s)", name, valid);
	}
	return COLINK_OK;
}

int colink_rules_load(struct colink_rules **out, const char *data_dir, const char *set,
		      const char *const *settings, struct colink_error *err)
{
	struct loading ld;
	char gname[64];
	int rc = COLINK_OK;
	size_t i;
	*out = NULL;
	if (!set)
		set = DEFAULT_SET;
	if (!safe_name(set))
		return COLINK_ERR(err, COLINK_EINVAL, "rule set name '%s' must be letters, digits, - or _",
				  set);
	memset(&ld, 0, sizeof(ld));
	if (!(ld.r = colink_calloc(1, sizeof(*ld.r))))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory loading rules");
	snprintf(gname, sizeof(gname), "guidance-%s", set);
	rc = load_one(&ld, data_dir, gname, T_GUIDANCE, err);
	if (rc == COLINK_OK)
		rc = check_guidance(ld.r, set, err);
	if (rc == COLINK_OK && (!safe_name(ld.referral_name) || !safe_name(ld.smoking_name)))
		rc = COLINK_ERR(err, COLINK_EINVAL, "rules/%s.tsv: meta referral and meta smoking must "
				"name tables (letters, digits, - or _)", gname);
	if (rc == COLINK_OK)
		rc = load_one(&ld, data_dir, ld.referral_name, T_REFERRAL, err);
	if (rc == COLINK_OK)
		rc = check_followup(ld.r, ld.referral_name, err);
	if (rc == COLINK_OK)
		rc = load_one(&ld, data_dir, ld.r->disease_groups_name, T_DISEASE, err);
	if (rc == COLINK_OK && !ld.r->nranges)
		rc = COLINK_ERR(err, COLINK_EINVAL, "rules/%s.tsv: no range rows",
				ld.r->disease_groups_name);
	if (rc == COLINK_OK)
		rc = load_one(&ld, data_dir, ld.smoking_name, T_SMOKING, err);
	for (i = 0; rc == COLINK_OK && settings && settings[i]; i++)
		rc = apply_setting(ld.r, settings[i], err);
	if (rc) {
		colink_free(ld.r);
		return rc;
	}
	snprintf(ld.r->id, sizeof(ld.r->id), "%s (referral %s, guidance %s, smoking %s)", set,
		 ld.r->referral.version[0] ? ld.r->referral.version : "?",
		 ld.r->guidance.version[0] ? ld.r->guidance.version : "?",
		 ld.r->smoking_version[0] ? ld.r->smoking_version : "?");
	*out = ld.r;
	return COLINK_OK;
}

void colink_rules_free(struct colink_rules *r)
{
	colink_free(r);
}

const char *colink_rules_id(const struct colink_rules *r)
{
	return r ? r->id : "";
}

int colink_rules_applies_to(const struct colink_rules *r, int fiscal_year)
{
	const struct prog_table *t = &r->guidance;
	return (!t->fy_from || fiscal_year >= t->fy_from) && (!t->fy_to || fiscal_year <= t->fy_to);
}

const char *colink_rules_fiscal_years(const struct colink_rules *r)
{
	return r->guidance.fiscal_years[0] ? r->guidance.fiscal_years : "any";
}

enum colink_smoking colink_rules_smoking(const struct colink_rules *r, const char *code,
					 const char *code_system)
{
	size_t i;
	if (!r || !code || !code_system)
		return COLINK_SMOKING_UNKNOWN;
	for (i = 0; i < r->nanswers; i++)
		if (!strcmp(r->answers[i].code, code) && !strcmp(r->answers[i].code_system, code_system))
			return r->answers[i].status;
	return COLINK_SMOKING_UNKNOWN;
}

const char *colink_area_name(enum colink_area a)
{
	return a >= 0 && a < COLINK_AREA_COUNT ? areas[a] : "?";
}

const char *colink_referral_name(enum colink_referral_level l)
{
	switch (l) {
	case COLINK_REFERRAL_UNKNOWN: return "unknown";
	case COLINK_REFERRAL_NONE: return "none";
	case COLINK_REFERRAL_GUIDANCE: return "guidance";
	case COLINK_REFERRAL_RECOMMEND: return "recommend";
	case COLINK_REFERRAL_URGENT: return "urgent";
	}
	return "?";
}

const char *colink_guidance_name(enum colink_guidance_level l)
{
	switch (l) {
	case COLINK_GUIDANCE_NOT_TARGET: return "not-target";
	case COLINK_GUIDANCE_UNDETERMINED: return "undetermined";
	case COLINK_GUIDANCE_EXCLUDED_MEDICATION: return "excluded-medication";
	case COLINK_GUIDANCE_INFO: return "info";
	case COLINK_GUIDANCE_MOTIVATIONAL: return "motivational";
	case COLINK_GUIDANCE_ACTIVE: return "active";
	}
	return "?";
}

const char *colink_smoking_name(enum colink_smoking s)
{
	switch (s) {
	case COLINK_SMOKING_UNKNOWN: return "unknown";
	case COLINK_SMOKING_NEVER: return "never";
	case COLINK_SMOKING_QUIT: return "quit";
	case COLINK_SMOKING_CURRENT: return "current";
	}
	return "?";
}
