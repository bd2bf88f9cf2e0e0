/*
 * guidance.c -- 特定保健指導 階層化: step 1 (waist / BMI), step 2 (risk count,
 * smoking only alongside another risk), step 3 (積極的 / 動機付け), step 4
 * (65-74 downgrade, medication exclusion), all thresholds from the guidance
 * table.  Missing data never count as "no risk": the level is computed with
 * every unknown as absent and as present, and is "undetermined" when the two
 * differ.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "programs/programs_int.h"

enum tri { NO = 0, YES = 1, UNKNOWN = 2 };
enum route { R_NONE = 0, R_WAIST, R_BMI };

/* Alternatives that answer one question: either is enough to know it. */
static const char *slot_of(const char *measure)
{
	if (!strcmp(measure, "tg_fasting") || !strcmp(measure, "tg_casual"))
		return "tg";
	if (!strcmp(measure, "fpg") || !strcmp(measure, "casual_glucose") ||
	    !strcmp(measure, "hba1c") || !strcmp(measure, "hba1c_jds"))
		return "glucose";
	if (!strcmp(measure, "waist") || !strcmp(measure, "visceral_fat_area"))
		return "waist";
	return measure;
}

static const char *sex_tag(int sex)
{
	return sex == 1 ? "(M)" : sex == 2 ? "(F)" : "";
}

/* The rules of `group` (and `level`, if not NULL): YES when one fires, NO when
 * every slot they need is known and none fires, else UNKNOWN.  Fired rules
 * are described in `why`. */
static enum tri judge(const struct colink_rules *r, const struct colink_exam *e,
		      const struct prog_values *v, const char *group, const char *level,
		      const char *only_measure, char *why, size_t wn)
{
	const struct prog_table *t = &r->guidance;
	const char *unknown_slot = NULL;
	size_t i, j;
	int any = 0, fired = 0;
	for (i = 0; i < t->n; i++) {
		const struct prog_rule *ru = &t->rules[i];
		double x;
		int slot_known = 0;
		if (strcmp(ru->group, group) || (level && strcmp(ru->level, level)))
			continue;
		if (only_measure && strcmp(ru->measure, only_measure))
			continue;
		any = 1;
		/* a slot is known when any measure of it has a value */
		for (j = 0; j < t->n; j++)
			if (!strcmp(t->rules[j].group, group) &&
			    !strcmp(slot_of(t->rules[j].measure), slot_of(ru->measure)) &&
			    !isnan(prog_measure(v, e, t->rules[j].measure)))
				slot_known = 1;
		if (ru->sex && !e->sex) {
			unknown_slot = ru->measure; /* a sex-specific rule without a sex */
			continue;
		}
		if (ru->sex && ru->sex != e->sex)
			continue;
		x = prog_measure(v, e, ru->measure);
		if (!slot_known)
			unknown_slot = slot_of(ru->measure);
		if (isnan(x) || !prog_rule_fires(ru, x))
			continue;
		fired = 1;
		prog_append(why, wn, "%s%s %g%s%s%s", why[0] ? "; " : "", ru->measure, x,
			    prog_op_text(ru->op), ru->threshold_text, sex_tag(ru->sex));
	}
	if (fired)
		return YES;
	if (!any)
		return NO;
	if (unknown_slot) {
		prog_append(why, wn, "%s%s: not known", why[0] ? "; " : "", unknown_slot);
		return UNKNOWN;
	}
	return NO;
}

/* Step 3 (and the downgrade) for a route and a risk count. */
static enum colink_guidance_level level_for(const struct colink_rules *r, enum route rt, int n,
					    int downgrade)
{
	const struct prog_table *t = &r->guidance;
	const char *g = rt == R_WAIST ? "step3-waist" : "step3-bmi";
	enum colink_guidance_level lv = COLINK_GUIDANCE_INFO;
	size_t i;
	if (rt == R_NONE)
		return COLINK_GUIDANCE_INFO;
	for (i = 0; i < t->n; i++) {
		const struct prog_rule *ru = &t->rules[i];
		if (strcmp(ru->group, g) || !prog_rule_fires(ru, (double)n))
			continue;
		if (!strcmp(ru->level, "active"))
			lv = COLINK_GUIDANCE_ACTIVE;
		else if (lv != COLINK_GUIDANCE_ACTIVE)
			lv = COLINK_GUIDANCE_MOTIVATIONAL;
	}
	if (downgrade && lv == COLINK_GUIDANCE_ACTIVE)
		lv = COLINK_GUIDANCE_MOTIVATIONAL;
	return lv;
}

static int age_rules(const struct colink_rules *r, const struct colink_exam *e,
		     const char *step, int *all)
{
	const struct prog_table *t = &r->guidance;
	size_t i;
	int any = 0;
	*all = 1;
	for (i = 0; i < t->n; i++) {
		const struct prog_rule *ru = &t->rules[i];
		if (strcmp(ru->group, "age") || strcmp(ru->level, step))
			continue;
		if (prog_rule_fires(ru, (double)e->age_fy_end))
			any = 1;
		else
			*all = 0;
	}
	return any;
}

static void medication(const struct colink_exam *e, char *why, size_t wn)
{
	prog_append(why, wn, "%son medication:%s%s%s", why[0] ? "; " : "",
		    e->med_bp == 1 ? " BP" : "", e->med_glucose == 1 ? " glucose" : "",
		    e->med_lipid == 1 ? " lipid" : "");
}

/* Step 1: the routes the values allow (one, or several when a value is missing). */
static int step1(const struct colink_rules *r, const struct colink_exam *e,
		 const struct prog_values *v, enum route routes[3], char *why, size_t wn)
{
	enum tri w = judge(r, e, v, "step1", "waist", NULL, why, wn), b;
	int n = 0;
	if (w == YES) {
		routes[n++] = R_WAIST;
		return n;
	}
	b = judge(r, e, v, "step1", "bmi", NULL, why, wn);
	if (w == UNKNOWN)
		routes[n++] = R_WAIST;
	if (b != NO)
		routes[n++] = R_BMI;
	if (b != YES)
		routes[n++] = R_NONE;
	return n;
}

/* Step 2: the risk count with every unknown absent (*lo) and present (*hi). */
static void step2(const struct colink_rules *r, const struct colink_exam *e,
		  const struct prog_values *v, int *lo, int *hi, char *why, size_t wn)
{
	static const char *const groups[3] = {"bp", "lipid", "glucose"};
	size_t k;
	*lo = *hi = 0;
	for (k = 0; k < 3; k++) {
		const char *only = NULL;
		enum tri t;
		if (!strcmp(groups[k], "glucose") && r->glucose_priority == PROG_GLUCOSE_FPG &&
		    !isnan(v->fpg))
			only = "fpg"; /* both measured: the fasting value decides */
		t = judge(r, e, v, groups[k], "risk", only, why, wn);
		*lo += t == YES;
		*hi += t != NO;
	}
	/* smoking counts only alongside another risk */
	if (e->smoking == COLINK_SMOKING_CURRENT && *lo >= 1)
		prog_append(why, wn, "%ssmoking", why[0] ? "; " : "");
	else if (e->smoking == COLINK_SMOKING_CURRENT)
		prog_append(why, wn, "%ssmoking (not counted: no other risk)", why[0] ? "; " : "");
	else if (e->smoking == COLINK_SMOKING_UNKNOWN)
		prog_append(why, wn, "%ssmoking: not answered", why[0] ? "; " : "");
	*hi += (e->smoking == COLINK_SMOKING_CURRENT || e->smoking == COLINK_SMOKING_UNKNOWN) &&
	       *hi >= 1;
	*lo += e->smoking == COLINK_SMOKING_CURRENT && *lo >= 1;
}

void prog_guidance(const struct colink_rules *r, const struct colink_exam *e,
		   const struct prog_values *v, struct colink_exam_result *out)
{
	char *why = out->guidance_reasons;
	size_t wn = sizeof(out->guidance_reasons);
	enum route routes[3];
	int nroutes, lo, hi, all, downgrade, i;
	enum colink_guidance_level first = COLINK_GUIDANCE_INFO, lv;
	int same = 1;

	why[0] = '\0';
	out->guidance_risks = 0;
	if (e->age_fy_end < 0) {
		prog_append(why, wn, "age at fiscal-year end unknown");
		out->guidance = COLINK_GUIDANCE_UNDETERMINED;
		return;
	}
	age_rules(r, e, "target", &all);
	if (!all) {
		prog_append(why, wn, "age %d at fiscal-year end: outside the target ages", e->age_fy_end);
		out->guidance = COLINK_GUIDANCE_NOT_TARGET;
		return;
	}
	downgrade = age_rules(r, e, "downgrade", &all);
	nroutes = step1(r, e, v, routes, why, wn);
	step2(r, e, v, &lo, &hi, why, wn);
	out->guidance_risks = lo;
	/* steps 3 and 4 for every combination the unknowns allow */
	for (i = 0; i < nroutes; i++) {
		enum colink_guidance_level a = level_for(r, routes[i], lo, downgrade);
		enum colink_guidance_level c = level_for(r, routes[i], hi, downgrade);
		if (i == 0)
			first = a;
		if (a != first || c != first)
			same = 0;
	}
	lv = same ? first : COLINK_GUIDANCE_UNDETERMINED;
	prog_append(why, wn, "%sroute %s, risks %d%s", why[0] ? "; " : "",
		    nroutes == 1 ? (routes[0] == R_WAIST ? "waist" : routes[0] == R_BMI ? "BMI" : "none")
				 : "unknown",
		    lo, hi != lo ? " (more if known)" : "");
	if (downgrade && lv == COLINK_GUIDANCE_MOTIVATIONAL &&
	    level_for(r, routes[0], lo, 0) == COLINK_GUIDANCE_ACTIVE)
		prog_append(why, wn, "; age %d: active -> motivational", e->age_fy_end);
	if (e->med_bp == 1 || e->med_glucose == 1 || e->med_lipid == 1) {
		medication(e, why, wn);
		lv = COLINK_GUIDANCE_EXCLUDED_MEDICATION;
	}
	out->guidance = lv;
}
