/*
 * referral.c -- 受診勧奨: per area, the highest level any rule of the referral
 * table reaches, and the rules that fired; 受診状況確認 (did the person see a
 * doctor afterwards).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "programs/programs_int.h"

static enum colink_referral_level level_of(const char *s)
{
	if (!strcmp(s, "urgent"))
		return COLINK_REFERRAL_URGENT;
	if (!strcmp(s, "recommend"))
		return COLINK_REFERRAL_RECOMMEND;
	return COLINK_REFERRAL_GUIDANCE;
}

static int area_of(const char *s)
{
	int a;
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		if (!strcmp(s, colink_area_name((enum colink_area)a)))
			return a;
	return -1;
}

/* Value text for a rule: dipstick codes as printed, numbers as short decimals. */
static void value_text(const char *measure, double v, char *buf, size_t n)
{
	static const char *const dip[] = {"?", "-", "+-", "1+", "2+", "3+"};
	if (!strcmp(measure, "urine_protein") && v >= 1 && v <= 5)
		snprintf(buf, n, "%s", dip[(int)v]);
	else
		snprintf(buf, n, "%g", v);
}

static int applies(const struct prog_rule *ru, const struct colink_exam *e)
{
	return !ru->sex || ru->sex == e->sex;
}

void prog_referral(const struct colink_rules *r, const struct colink_exam *e,
		   const struct prog_values *v, struct colink_exam_result *out)
{
	const struct prog_table *t = &r->referral;
	char fired[PROG_MAX_RULES];
	size_t i, j;
	int a;
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		out->referral[a] = COLINK_REFERRAL_UNKNOWN;
	out->referral_rules[0] = '\0';
	for (i = 0; i < t->n; i++) {
		const struct prog_rule *ru = &t->rules[i];
		double x = prog_measure(v, e, ru->measure);
		fired[i] = 0;
		if ((a = area_of(ru->group)) < 0 || isnan(x) || !applies(ru, e))
			continue;
		if (out->referral[a] == COLINK_REFERRAL_UNKNOWN)
			out->referral[a] = COLINK_REFERRAL_NONE;
		if (prog_rule_fires(ru, x)) {
			fired[i] = 1;
			if (level_of(ru->level) > out->referral[a])
				out->referral[a] = level_of(ru->level);
		}
	}
	/* per measure, only the highest rule that fired is named */
	for (i = 0; i < t->n; i++) {
		const struct prog_rule *ru = &t->rules[i];
		char val[32];
		if (!fired[i])
			continue;
		for (j = 0; j < t->n; j++)
			if (j != i && fired[j] && !strcmp(t->rules[j].measure, ru->measure) &&
			    !strcmp(t->rules[j].group, ru->group) &&
			    (level_of(t->rules[j].level) > level_of(ru->level) ||
			     (level_of(t->rules[j].level) == level_of(ru->level) && j < i)))
				break;
		if (j < t->n)
			continue;
		value_text(ru->measure, prog_measure(v, e, ru->measure), val, sizeof(val));
		prog_append(out->referral_rules, sizeof(out->referral_rules), "%s%s(%s%s): %s",
			    out->referral_rules[0] ? "; " : "", ru->id, prog_op_text(ru->op),
			    ru->threshold_text, val);
	}
}

/* ---- 受診状況確認 ---- */

/* Evidence from later checkups (and claims_summary unless `flags` has
 * COLINK_WH_NO_SUMMARY): 1 yes, 0 no, -1 unknown, -2 error. */
static int checkup_followup(struct colink_wh *wh, const char *person_id, const char *exam_date,
			    const enum colink_referral_level referral[COLINK_AREA_COUNT],
			    unsigned flags, char *date, size_t date_len, char *evidence,
			    size_t evidence_len, struct colink_error *err)
{
	struct colink_wh_followup fu;
	unsigned med = flags;
	if (evidence_len)
		evidence[0] = '\0';
	if (date_len)
		date[0] = '\0';
	if (referral[COLINK_AREA_BP] >= COLINK_REFERRAL_RECOMMEND)
		med |= COLINK_WH_MED_BP;
	if (referral[COLINK_AREA_LIPID] >= COLINK_REFERRAL_RECOMMEND)
		med |= COLINK_WH_MED_LIPID;
	if (referral[COLINK_AREA_GLUCOSE] >= COLINK_REFERRAL_RECOMMEND)
		med |= COLINK_WH_MED_GLUCOSE;
	if (colink_wh_followup(wh, person_id, exam_date, med, &fu, err))
		return -2;
	switch (fu.kind) {
	case COLINK_WH_FU_CLAIMS_VISIT:
		snprintf(evidence, evidence_len, "claims: visit on %s", fu.date);
		snprintf(date, date_len, "%s", fu.date);
		return 1;
	case COLINK_WH_FU_MEDICATION:
		snprintf(evidence, evidence_len, "checkup %s: %s = yes", fu.date, fu.field);
		snprintf(date, date_len, "%s", fu.date);
		return 1;
	case COLINK_WH_FU_CLAIMS_NO_VISIT:
		snprintf(evidence, evidence_len, "claims FY%s: no visit after the exam", fu.date);
		return 0;
	case COLINK_WH_FU_CHECKUP_NO_MED:
		snprintf(evidence, evidence_len, "checkup %s: no medication for the referred areas", fu.date);
		return 0;
	default:
		snprintf(evidence, evidence_len, "no later claims or checkup");
		return -1;
	}
}

int colink_referral_followup(struct colink_wh *wh, const char *person_id, const char *exam_date,
			     const enum colink_referral_level referral[COLINK_AREA_COUNT],
			     char *evidence, size_t evidence_len, struct colink_error *err)
{
	char date[64];
	return checkup_followup(wh, person_id, exam_date, referral, 0, date, sizeof(date), evidence,
				evidence_len, err);
}

/* ---- 受診状況確認 from claims' diagnoses ---- */

struct colink_followup {
	struct colink_wh *wh;
	const struct colink_rules *r;
	char (*months)[8]; /* YYYY-MM with claims, ascending */
	size_t nmonths, cap;
};

static int add_month(void *ud, const char *m)
{
	struct colink_followup *fu = ud;
	if (fu->nmonths == fu->cap) {
		size_t cap = fu->cap ? fu->cap * 2 : 64;
		char (*n)[8] = colink_realloc(fu->months, cap * sizeof(*n));
		if (!n)
			return COLINK_ENOMEM;
		fu->months = n;
		fu->cap = cap;
	}
	snprintf(fu->months[fu->nmonths++], 8, "%.7s", m ? m : "");
	return 0;
}

int colink_followup_open(struct colink_followup **out, struct colink_wh *wh,
			 const struct colink_rules *r, int use_claims, struct colink_error *err)
{
	struct colink_followup *fu = colink_calloc(1, sizeof(*fu));
	int rc;
	*out = NULL;
	if (!fu)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	fu->wh = wh;
	fu->r = r;
	if (use_claims && (rc = colink_wh_claim_months(wh, add_month, fu, err))) {
		if (rc == COLINK_ENOMEM)
			COLINK_ERR(err, COLINK_ENOMEM, "out of memory reading the claims' months");
		colink_followup_free(fu);
		return rc;
	}
	*out = fu;
	return COLINK_OK;
}

void colink_followup_free(struct colink_followup *fu)
{
	if (!fu)
		return;
	colink_free(fu->months);
	colink_free(fu);
}

int colink_followup_has_claims(const struct colink_followup *fu)
{
	return fu && fu->nmonths > 0;
}

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

/* The last day of the window: exam date + n months, the day cut to the
 * month's length (2024-08-31 + 6 = 2025-02-28).  -1 on a malformed date. */
static int window_end(const char *exam, int n, char out[16], int *y1, int *m1)
{
	int y, m, d;
	if (sscanf(exam, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1000 || y > 9000 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return -1;
	*y1 = y;
	*m1 = m;
	m += n;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	if (d > days_in(y, m))
		d = days_in(y, m);
	snprintf(out, 16, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
	return 0;
}

static int has_month(const struct colink_followup *fu, const char *m)
{
	size_t lo = 0, hi = fu->nmonths;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(fu->months[mid], m);
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The first month from the exam's to the window end's without claims into
 * missing ("" when every month has claims). */
static void first_missing(const struct colink_followup *fu, int y, int m, const char *end,
			  char missing[8])
{
	char cur[24];
	missing[0] = '\0';
	for (;;) {
		snprintf(cur, sizeof(cur), "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
		if (!has_month(fu, cur)) {
			snprintf(missing, 8, "%.7s", cur);
			return;
		}
		if (!strncmp(cur, end, 7))
			return;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
}

/* The referred areas' groups (names, deduplicated, in table order) and ranges. */
static size_t referred_ranges(const struct colink_rules *r,
			      const enum colink_referral_level referral[COLINK_AREA_COUNT],
			      struct colink_wh_icd_range *rg, char *groups, size_t glen)
{
	size_t i, n = 0;
	groups[0] = '\0';
	for (i = 0; i < r->nranges && n < PROG_MAX_RANGES; i++) {
		const struct prog_range *g = &r->ranges[i];
		if (referral[g->area] < COLINK_REFERRAL_RECOMMEND)
			continue;
		rg[n].group = g->group;
		memcpy(rg[n].from, g->from, 4);
		memcpy(rg[n].to, g->to, 4);
		n++;
		if (!strstr(groups, g->group))
			prog_append(groups, glen, "%s%s", groups[0] ? ", " : "", g->group);
	}
	return n;
}

/* The group of a matched ICD-10 block among the referred areas' ranges. */
static const char *group_of(const struct colink_rules *r,
			    const enum colink_referral_level referral[COLINK_AREA_COUNT],
			    const char *icd)
{
	size_t i;
	for (i = 0; i < r->nranges; i++)
		if (referral[r->ranges[i].area] >= COLINK_REFERRAL_RECOMMEND &&
		    strcmp(icd, r->ranges[i].from) >= 0 && strcmp(icd, r->ranges[i].to) <= 0)
			return r->ranges[i].group;
	return "?";
}

int colink_followup_check(struct colink_followup *fu, const char *person_id, const char *exam_date,
			  const enum colink_referral_level referral[COLINK_AREA_COUNT],
			  struct colink_followup_result *out, struct colink_error *err)
{
	struct colink_wh_icd_range rg[PROG_MAX_RANGES];
	char groups[160], end[16], missing[8] = "", note[96] = "", icd[8];
	size_t n;
	int y, m, rc;
	memset(out, 0, sizeof(*out));
	if (colink_followup_has_claims(fu) &&
	    (n = referred_ranges(fu->r, referral, rg, groups, sizeof(groups))) > 0 &&
	    !window_end(exam_date, fu->r->followup_months, end, &y, &m)) {
		rc = colink_wh_first_diagnosis(fu->wh, person_id, exam_date, end, rg, n,
					       fu->r->followup_suspected, out->date, icd, err);
		if (rc < 0)
			return -2;
		if (rc == 1) {
			snprintf(out->evidence, sizeof(out->evidence), "claims: %s diagnosis (%s) on %s",
				 group_of(fu->r, referral, icd), icd, out->date);
			return out->answer = 1;
		}
		first_missing(fu, y, m, end, missing);
		if (!missing[0]) {
			snprintf(out->evidence, sizeof(out->evidence), "claims %04d-%02d to %.7s: no %s "
				 "diagnosis within %d months", y, m, end, groups, fu->r->followup_months);
			return out->answer = 0;
		}
		snprintf(note, sizeof(note), "no claims loaded for %s", missing);
	}
	/* claims cannot decide: later checkups (claims_summary only without claims) */
	rc = checkup_followup(fu->wh, person_id, exam_date, referral,
			      colink_followup_has_claims(fu) ? COLINK_WH_NO_SUMMARY : 0, out->date,
			      sizeof(out->date), out->evidence, sizeof(out->evidence), err);
	if (rc == -2)
		return -2;
	if (rc == -1 && note[0])
		snprintf(out->evidence, sizeof(out->evidence), "%s; no later checkup", note);
	if (rc != 1)
		out->date[0] = '\0';
	return out->answer = rc;
}
