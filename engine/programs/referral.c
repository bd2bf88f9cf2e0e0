/*
 * referral.c -- 受診勧奨: per area, the highest level any rule of the referral
 * table reaches, and the rules that fired; 受診状況確認 (did the person see a
 * doctor afterwards).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

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

int colink_referral_followup(struct colink_wh *wh, const char *person_id, const char *exam_date,
			     const enum colink_referral_level referral[COLINK_AREA_COUNT],
			     char *evidence, size_t evidence_len, struct colink_error *err)
{
	struct colink_wh_followup fu;
	unsigned med = 0;
	if (evidence_len)
		evidence[0] = '\0';
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
		return 1;
	case COLINK_WH_FU_MEDICATION:
		snprintf(evidence, evidence_len, "checkup %s: %s = yes", fu.date, fu.field);
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
