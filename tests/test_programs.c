/* test_programs.c -- the programs' rules (mappings/rules/referral-r6, guidance-4th, smoking-2024)
 * evaluated on single exams: every threshold of issue #7 on both sides, both
 * age rules, smoking only alongside another risk, the medication exclusion,
 * missing data; the rule-table reader; and the warehouse-level functions
 * (evaluation order, fiscal-year filter, site via link, smoking transitions,
 * follow-up) on a warehouse built from mappings/warehouse/schema.sql.
 *
 * The expected levels here are written from the reference tables
 * (jp-health-data.md §3, §4), not read from the rule files, so an edit of a
 * threshold in the data shows up as a failure. */
#include <CUnit/Basic.h>
#include <sqlite3.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "programs/programs.h"
#include "testutil.h"
#include "core/value.h"
#include "report_leak.h"

static struct colink_rules *rules;
static char *datadir;

static int setup(void)
{
	struct colink_error err = {0};
	datadir = tu_fmt("%s/mappings", tu_srcdir());
	if (colink_rules_load(&rules, datadir, NULL, NULL, &err)) {
		fprintf(stderr, "rules: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static int teardown(void)
{
	colink_rules_free(rules);
	free(datadir);
	return 0;
}

/* A healthy 50-year-old man, everything measured, fasting, no medication. */
static void healthy(struct colink_exam *e)
{
	colink_exam_init(e);
	e->sex = 1;
	e->age_at_exam = e->age_fy_end = 50;
	e->fiscal_year = 2024;
	e->waist = 80;
	e->bmi = 22;
	e->sbp_1 = e->sbp_2 = 120;
	e->dbp_1 = e->dbp_2 = 70;
	e->blood_draw_timing = 2;
	e->tg_fasting = 100;
	e->hdl = 60;
	e->ldl = 100;
	e->non_hdl = 120;
	e->ast = e->alt = 20;
	e->ggt = 30;
	e->fpg = 90;
	e->hba1c = 5.2;
	e->urine_protein = 1;
	e->egfr = 80;
	e->hemoglobin = 14.5;
	e->med_bp = e->med_glucose = e->med_lipid = 2;
	e->smoking = COLINK_SMOKING_NEVER;
}

static struct colink_exam_result eval_with(const struct colink_rules *r, const struct colink_exam *e)
{
	struct colink_exam_result res;
	CU_ASSERT_EQUAL(colink_exam_evaluate(r, e, &res), 0);
	return res;
}

static struct colink_exam_result eval(const struct colink_exam *e)
{
	return eval_with(rules, e);
}

/* ---- 受診勧奨: every boundary of the issue, both sides ---- */

struct bcase {
	const char *what;
	size_t off;        /* double field of struct colink_exam */
	size_t off2;       /* a second field set to the same value (SIZE_MAX: none) */
	double v;
	int sex;           /* 0: leave the healthy default */
	int timing;        /* 0: leave */
	enum colink_area area;
	enum colink_referral_level want;
};

#define F(x) offsetof(struct colink_exam, x)
#define NO2 ((size_t)-1)
static const struct bcase referral_cases[] = {
	{"sbp", F(sbp_1), F(sbp_2), 129, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_NONE},
	{"sbp", F(sbp_1), F(sbp_2), 130, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_GUIDANCE},
	{"sbp", F(sbp_1), F(sbp_2), 139, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_GUIDANCE},
	{"sbp", F(sbp_1), F(sbp_2), 140, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_RECOMMEND},
	{"sbp", F(sbp_1), F(sbp_2), 159, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_RECOMMEND},
	{"sbp", F(sbp_1), F(sbp_2), 160, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_URGENT},
	{"dbp", F(dbp_1), F(dbp_2), 84, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_NONE},
	{"dbp", F(dbp_1), F(dbp_2), 85, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_GUIDANCE},
	{"dbp", F(dbp_1), F(dbp_2), 89, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_GUIDANCE},
	{"dbp", F(dbp_1), F(dbp_2), 90, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_RECOMMEND},
	{"dbp", F(dbp_1), F(dbp_2), 99, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_RECOMMEND},
	{"dbp", F(dbp_1), F(dbp_2), 100, 0, 0, COLINK_AREA_BP, COLINK_REFERRAL_URGENT},
	{"tg fasting", F(tg_fasting), NO2, 149, 0, 2, COLINK_AREA_LIPID, COLINK_REFERRAL_NONE},
	{"tg fasting", F(tg_fasting), NO2, 150, 0, 2, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"tg fasting", F(tg_fasting), NO2, 299, 0, 2, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"tg fasting", F(tg_fasting), NO2, 300, 0, 2, COLINK_AREA_LIPID, COLINK_REFERRAL_RECOMMEND},
	{"tg casual", F(tg_fasting), NO2, 174, 0, 3, COLINK_AREA_LIPID, COLINK_REFERRAL_NONE},
	{"tg casual", F(tg_fasting), NO2, 175, 0, 3, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"tg casual", F(tg_fasting), NO2, 299, 0, 3, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"tg casual", F(tg_fasting), NO2, 300, 0, 3, COLINK_AREA_LIPID, COLINK_REFERRAL_RECOMMEND},
	{"hdl", F(hdl), NO2, 40, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_NONE},
	{"hdl", F(hdl), NO2, 39, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"hdl", F(hdl), NO2, 30, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"ldl", F(ldl), NO2, 119, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_NONE},
	{"ldl", F(ldl), NO2, 120, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"ldl", F(ldl), NO2, 139, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"ldl", F(ldl), NO2, 140, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_RECOMMEND},
	{"non-hdl", F(non_hdl), NO2, 149, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_NONE},
	{"non-hdl", F(non_hdl), NO2, 150, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"non-hdl", F(non_hdl), NO2, 169, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_GUIDANCE},
	{"non-hdl", F(non_hdl), NO2, 170, 0, 0, COLINK_AREA_LIPID, COLINK_REFERRAL_RECOMMEND},
	{"ast", F(ast), NO2, 30, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_NONE},
	{"ast", F(ast), NO2, 31, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_GUIDANCE},
	{"ast", F(ast), NO2, 50, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_GUIDANCE},
	{"ast", F(ast), NO2, 51, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_RECOMMEND},
	{"alt", F(alt), NO2, 30, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_NONE},
	{"alt", F(alt), NO2, 31, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_GUIDANCE},
	{"alt", F(alt), NO2, 50, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_GUIDANCE},
	{"alt", F(alt), NO2, 51, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_RECOMMEND},
	{"ggt", F(ggt), NO2, 50, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_NONE},
	{"ggt", F(ggt), NO2, 51, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_GUIDANCE},
	{"ggt", F(ggt), NO2, 100, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_GUIDANCE},
	{"ggt", F(ggt), NO2, 101, 0, 0, COLINK_AREA_LIVER, COLINK_REFERRAL_RECOMMEND},
	{"fpg", F(fpg), NO2, 99, 0, 0, COLINK_AREA_GLUCOSE, COLINK_REFERRAL_NONE},
	{"fpg", F(fpg), NO2, 100, 0, 0, COLINK_AREA_GLUCOSE, COLINK_REFERRAL_GUIDANCE},
	{"fpg", F(fpg), NO2, 125, 0, 0, COLINK_AREA_GLUCOSE, COLINK_REFERRAL_GUIDANCE},
	{"fpg", F(fpg), NO2, 126, 0, 0, COLINK_AREA_GLUCOSE, COLINK_REFERRAL_RECOMMEND},
	{"hba1c", F(hba1c), NO2, 5.5, 0, 0, COLINK_AREA_GLUCOSE, COLINK_REFERRAL_NONE},
	{"hba1c", F(hba1c), NO2, 5.6, 0, 0, COLINK_AREA_GLUCOSE, COLINK_REFERRAL_GUIDANCE},
	{"hba1c", F(hba1c), NO2, 6.4, 0, 0, COLINK_AREA_GLUCOSE, COLINK_REFERRAL_GUIDANCE},
	{"hba1c", F(hba1c), NO2, 6.5, 0, 0, COLINK_AREA_GLUCOSE, COLINK_REFERRAL_RECOMMEND},
	{"egfr", F(egfr), NO2, 60, 0, 0, COLINK_AREA_KIDNEY, COLINK_REFERRAL_NONE},
	{"egfr", F(egfr), NO2, 59.9, 0, 0, COLINK_AREA_KIDNEY, COLINK_REFERRAL_GUIDANCE},
	{"egfr", F(egfr), NO2, 45, 0, 0, COLINK_AREA_KIDNEY, COLINK_REFERRAL_GUIDANCE},
	{"egfr", F(egfr), NO2, 44.9, 0, 0, COLINK_AREA_KIDNEY, COLINK_REFERRAL_URGENT},
	{"hb male", F(hemoglobin), NO2, 13.1, 1, 0, COLINK_AREA_ANEMIA, COLINK_REFERRAL_NONE},
	{"hb male", F(hemoglobin), NO2, 13.0, 1, 0, COLINK_AREA_ANEMIA, COLINK_REFERRAL_GUIDANCE},
	{"hb male", F(hemoglobin), NO2, 12.1, 1, 0, COLINK_AREA_ANEMIA, COLINK_REFERRAL_GUIDANCE},
	{"hb male", F(hemoglobin), NO2, 12.0, 1, 0, COLINK_AREA_ANEMIA, COLINK_REFERRAL_RECOMMEND},
	{"hb female", F(hemoglobin), NO2, 12.1, 2, 0, COLINK_AREA_ANEMIA, COLINK_REFERRAL_NONE},
	{"hb female", F(hemoglobin), NO2, 12.0, 2, 0, COLINK_AREA_ANEMIA, COLINK_REFERRAL_GUIDANCE},
	{"hb female", F(hemoglobin), NO2, 11.1, 2, 0, COLINK_AREA_ANEMIA, COLINK_REFERRAL_GUIDANCE},
	{"hb female", F(hemoglobin), NO2, 11.0, 2, 0, COLINK_AREA_ANEMIA, COLINK_REFERRAL_RECOMMEND},
};

static void set_d(struct colink_exam *e, size_t off, double v)
{
	*(double *)(void *)((char *)e + off) = v;
}

static void test_programs__referral_boundaries_both_sides(void)
{
	size_t i;
	for (i = 0; i < sizeof(referral_cases) / sizeof(referral_cases[0]); i++) {
		const struct bcase *k = &referral_cases[i];
		struct colink_exam e;
		struct colink_exam_result r;
		healthy(&e);
		if (k->sex)
			e.sex = k->sex;
		if (k->timing)
			e.blood_draw_timing = k->timing;
		set_d(&e, k->off, k->v);
		if (k->off2 != NO2)
			set_d(&e, k->off2, k->v);
		r = eval(&e);
		if (r.referral[k->area] != k->want)
			fprintf(stderr, "\n  %s %g: %s, want %s (%s)\n", k->what, k->v,
				colink_referral_name(r.referral[k->area]), colink_referral_name(k->want),
				r.referral_rules);
		CU_ASSERT_EQUAL(r.referral[k->area], k->want);
	}
}

static void test_programs__urine_protein_levels(void)
{
	struct colink_exam e;
	struct colink_exam_result r;
	healthy(&e);
	e.urine_protein = 1; /* (-) */
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_KIDNEY], COLINK_REFERRAL_NONE);
	e.urine_protein = 2; /* (±) */
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_KIDNEY], COLINK_REFERRAL_GUIDANCE);
	e.urine_protein = 3; /* (1+) */
	r = eval(&e);
	CU_ASSERT_EQUAL(r.referral[COLINK_AREA_KIDNEY], COLINK_REFERRAL_RECOMMEND);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.referral_rules, "kidney.urine_protein.recommend(>=3): 1+"));
	e.egfr = 44.9; /* eGFR <45 is urgent whatever the urine protein */
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_KIDNEY], COLINK_REFERRAL_URGENT);
}

static void test_programs__bp_uses_average_then_single_then_other(void)
{
	struct colink_exam e;
	struct colink_exam_result r;
	healthy(&e);
	e.sbp_1 = 145; /* alone: recommend */
	e.sbp_2 = 133; /* average 139: guidance */
	r = eval(&e);
	CU_ASSERT_EQUAL(r.referral[COLINK_AREA_BP], COLINK_REFERRAL_GUIDANCE);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.referral_rules, "bp.sbp.guidance(>=130): 139"));
	e.sbp_2 = NAN;
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_BP], COLINK_REFERRAL_RECOMMEND);
	e.sbp_1 = NAN;
	e.sbp_2 = 161; /* only the 2nd reading */
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_BP], COLINK_REFERRAL_URGENT);
	e.sbp_2 = NAN;
	e.dbp_1 = e.dbp_2 = NAN;
	e.sbp_other = 165;
	e.dbp_other = 102;
	r = eval(&e);
	CU_ASSERT_EQUAL(r.referral[COLINK_AREA_BP], COLINK_REFERRAL_URGENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.referral_rules, "bp.sbp.urgent(>=160): 165; bp.dbp.urgent(>=100): 102"));
	e.sbp_1 = 120; /* a 1st reading wins over the other slot */
	e.dbp_1 = 70;
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_BP], COLINK_REFERRAL_NONE);
}

static void test_programs__missing_area_is_unknown_never_none(void)
{
	struct colink_exam e;
	struct colink_exam_result r;
	int a;
	colink_exam_init(&e);
	e.sex = 1;
	e.age_fy_end = 50;
	r = eval(&e);
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		CU_ASSERT_EQUAL(r.referral[a], COLINK_REFERRAL_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(r.referral_rules, "");
	CU_ASSERT_EQUAL(r.guidance, COLINK_GUIDANCE_UNDETERMINED);
	healthy(&e);
	e.ast = e.alt = e.ggt = NAN;
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_LIVER], COLINK_REFERRAL_UNKNOWN);
	healthy(&e);
	e.sex = 0; /* Hb thresholds are sex-specific */
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_ANEMIA], COLINK_REFERRAL_UNKNOWN);
	healthy(&e);
	e.alt = 60; /* one liver value present is enough to judge the area */
	e.ast = e.ggt = NAN;
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_LIVER], COLINK_REFERRAL_RECOMMEND);
}

static void test_programs__timing_decides_fasting_or_casual(void)
{
	struct colink_exam e;
	healthy(&e);
	e.hdl = e.ldl = e.non_hdl = NAN;
	e.tg_fasting = NAN;
	e.tg_casual = 160; /* casual: below 175 */
	e.blood_draw_timing = 3;
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_NONE);
	e.blood_draw_timing = 2; /* the same value drawn fasting: >= 150 */
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_GUIDANCE);
	e.blood_draw_timing = 4; /* within 3.5 h of a meal: not judged */
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_UNKNOWN);
	e.blood_draw_timing = 0; /* no timing: the column decides (casual) */
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_NONE);
}

static void test_programs__casual_glucose_only_without_fpg_and_hba1c(void)
{
	struct colink_exam e;
	healthy(&e);
	e.fpg = NAN;
	e.blood_draw_timing = 3;
	e.casual_glucose = 130;
	e.hba1c = 5.2; /* HbA1c present: the casual value is not used */
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_GLUCOSE], COLINK_REFERRAL_NONE);
	e.hba1c = NAN;
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_GLUCOSE], COLINK_REFERRAL_RECOMMEND);
	e.casual_glucose = 125;
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_GLUCOSE], COLINK_REFERRAL_GUIDANCE);
	e.casual_glucose = 99;
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_GLUCOSE], COLINK_REFERRAL_NONE);
}

static void test_programs__unverified_items_are_settings(void)
{
	struct colink_rules *r = NULL;
	struct colink_error err = {0};
	const char *set[] = {"referral.hdl_recommend=34", "referral.tg_urgent=500", NULL};
	struct colink_exam e;
	healthy(&e);
	e.hdl = 34;
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_GUIDANCE); /* default: none */
	CU_ASSERT_EQUAL_FATAL(colink_rules_load(&r, datadir, NULL, set, &err), 0);
	CU_ASSERT_EQUAL(eval_with(r, &e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_RECOMMEND);
	e.hdl = 35;
	CU_ASSERT_EQUAL(eval_with(r, &e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_GUIDANCE);
	e.hdl = 60;
	e.tg_fasting = 499;
	CU_ASSERT_EQUAL(eval_with(r, &e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_RECOMMEND);
	e.tg_fasting = 500;
	CU_ASSERT_EQUAL(eval_with(r, &e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_URGENT);
	CU_ASSERT_EQUAL(eval(&e).referral[COLINK_AREA_LIPID], COLINK_REFERRAL_RECOMMEND); /* default off */
	colink_rules_free(r);
}

/* ---- 階層化 ---- */

static struct colink_exam_result g(const struct colink_exam *e)
{
	return eval(e);
}

static void test_programs__step1_waist_and_bmi_boundaries(void)
{
	struct colink_exam e;
	healthy(&e);
	e.sbp_1 = e.sbp_2 = 130; /* one risk */
	e.waist = 84;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_INFO);
	e.waist = 85; /* man: waist route, 1 risk -> motivational */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	e.sex = 2;
	e.waist = 89;
	e.hemoglobin = 13;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_INFO);
	e.waist = 90;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	e.sex = 1;
	e.waist = 80;
	e.bmi = 24.9;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_INFO);
	e.bmi = 25.0; /* BMI route */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	e.bmi = 22;
	e.waist = NAN; /* visceral fat area measured instead of the waist */
	e.visceral_fat_area = 99;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_INFO);
	e.visceral_fat_area = 100;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
}

/* waist route with exactly one step-2 value changed: that value decides */
static enum colink_guidance_level one_risk(void (*set)(struct colink_exam *, double), double v)
{
	struct colink_exam e;
	healthy(&e);
	e.waist = 90;
	set(&e, v);
	return g(&e).guidance;
}

static void s_sbp(struct colink_exam *e, double v) { e->sbp_1 = e->sbp_2 = v; }
static void s_dbp(struct colink_exam *e, double v) { e->dbp_1 = e->dbp_2 = v; }
static void s_tgf(struct colink_exam *e, double v) { e->tg_fasting = v; }
static void s_tgc(struct colink_exam *e, double v) { e->blood_draw_timing = 3; e->tg_fasting = NAN; e->tg_casual = v; }
static void s_hdl(struct colink_exam *e, double v) { e->hdl = v; }
static void s_fpg(struct colink_exam *e, double v) { e->fpg = v; }
static void s_a1c(struct colink_exam *e, double v) { e->fpg = NAN; e->hba1c = v; }
static void s_cgl(struct colink_exam *e, double v)
{
	e->blood_draw_timing = 3;
	e->fpg = e->hba1c = NAN;
	e->casual_glucose = v;
	e->tg_fasting = NAN;
	e->tg_casual = 100;
}

static void test_programs__step2_risk_boundaries(void)
{
	const enum colink_guidance_level I = COLINK_GUIDANCE_INFO, M = COLINK_GUIDANCE_MOTIVATIONAL;
	CU_ASSERT_EQUAL(one_risk(s_sbp, 129), I);
	CU_ASSERT_EQUAL(one_risk(s_sbp, 130), M);
	CU_ASSERT_EQUAL(one_risk(s_dbp, 84), I);
	CU_ASSERT_EQUAL(one_risk(s_dbp, 85), M);
	CU_ASSERT_EQUAL(one_risk(s_tgf, 149), I);
	CU_ASSERT_EQUAL(one_risk(s_tgf, 150), M);
	CU_ASSERT_EQUAL(one_risk(s_tgc, 174), I);
	CU_ASSERT_EQUAL(one_risk(s_tgc, 175), M);
	CU_ASSERT_EQUAL(one_risk(s_hdl, 40), I);
	CU_ASSERT_EQUAL(one_risk(s_hdl, 39), M);
	CU_ASSERT_EQUAL(one_risk(s_fpg, 99), I);
	CU_ASSERT_EQUAL(one_risk(s_fpg, 100), M);
	CU_ASSERT_EQUAL(one_risk(s_a1c, 5.5), I);
	CU_ASSERT_EQUAL(one_risk(s_a1c, 5.6), M);
	CU_ASSERT_EQUAL(one_risk(s_cgl, 99), I);
	CU_ASSERT_EQUAL(one_risk(s_cgl, 100), M);
}

static void test_programs__fpg_priority_is_a_setting(void)
{
	struct colink_rules *r = NULL;
	struct colink_error err = {0};
	const char *either[] = {"guidance.glucose_priority=either", NULL};
	struct colink_exam e;
	healthy(&e);
	e.waist = 90;
	e.fpg = 95;
	e.hba1c = 5.8; /* both measured: the fasting value decides by default */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_INFO);
	CU_ASSERT_EQUAL_FATAL(colink_rules_load(&r, datadir, NULL, either, &err), 0);
	CU_ASSERT_EQUAL(eval_with(r, &e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	colink_rules_free(r);
}

static void test_programs__step3_counts_per_route(void)
{
	struct colink_exam e;
	struct colink_exam_result r;
	healthy(&e);
	e.waist = 85;
	e.sbp_1 = e.sbp_2 = 135;
	e.hdl = 38; /* waist route, 2 risks -> active */
	r = g(&e);
	CU_ASSERT_EQUAL(r.guidance, COLINK_GUIDANCE_ACTIVE);
	CU_ASSERT_EQUAL(r.guidance_risks, 2);
	e.waist = 80;
	e.bmi = 25; /* BMI route, 2 risks -> motivational */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	e.fpg = 110; /* BMI route, 3 risks -> active */
	r = g(&e);
	CU_ASSERT_EQUAL(r.guidance, COLINK_GUIDANCE_ACTIVE);
	CU_ASSERT_EQUAL(r.guidance_risks, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.guidance_reasons, "bmi 25>=25"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.guidance_reasons, "hdl 38<40"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.guidance_reasons, "route BMI, risks 3"));
	e.bmi = 22; /* no step 1: information only, whatever the risks */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_INFO);
}

static void test_programs__smoking_counts_only_with_another_risk(void)
{
	struct colink_exam e;
	struct colink_exam_result r;
	healthy(&e);
	e.waist = 90;
	e.smoking = COLINK_SMOKING_CURRENT; /* smoker, no other risk */
	r = g(&e);
	CU_ASSERT_EQUAL(r.guidance, COLINK_GUIDANCE_INFO);
	CU_ASSERT_EQUAL(r.guidance_risks, 0);
	e.sbp_1 = e.sbp_2 = 130; /* + one risk: 2 -> active */
	r = g(&e);
	CU_ASSERT_EQUAL(r.guidance, COLINK_GUIDANCE_ACTIVE);
	CU_ASSERT_EQUAL(r.guidance_risks, 2);
	e.smoking = COLINK_SMOKING_QUIT; /* ex-smoker: not counted */
	r = g(&e);
	CU_ASSERT_EQUAL(r.guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	CU_ASSERT_EQUAL(r.guidance_risks, 1);
	e.smoking = COLINK_SMOKING_UNKNOWN; /* not answered: it could make 2 */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_UNDETERMINED);
}

static void test_programs__age_at_fiscal_year_end_and_downgrade(void)
{
	struct colink_exam e;
	healthy(&e);
	e.waist = 90;
	e.sbp_1 = e.sbp_2 = 130;
	e.hdl = 38; /* active at 50 */
	e.age_at_exam = 39;
	e.age_fy_end = 39;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_NOT_TARGET);
	e.age_fy_end = 40; /* 39 at the exam, 40 by 31 March: a target */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_ACTIVE);
	e.age_at_exam = 64;
	e.age_fy_end = 64;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_ACTIVE);
	e.age_fy_end = 65; /* 64 at the exam, 65 by 31 March: 積極的 -> 動機付け */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(g(&e).guidance_reasons, "age 65: active -> motivational"));
	e.age_at_exam = e.age_fy_end = 74;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	e.age_fy_end = 75; /* 74 at the exam, 75 by 31 March: not a target */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_NOT_TARGET);
	e.age_fy_end = -1;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_UNDETERMINED);
}

static void test_programs__age_law_birthday_on_april_first(void)
{
	/* 年齢計算ニ関スル法律: born 1 April 1985, 40 is reached at the end of
	 * 31 March 2025, so a FY2024 exam counts 40; born 2 April: 39. */
	CU_ASSERT_EQUAL(colink_age_fy_end(19850401, 20240610), 40);
	CU_ASSERT_EQUAL(colink_age_fy_end(19850402, 20240610), 39);
	CU_ASSERT_EQUAL(colink_age_on(19850401, 20240610), 39);
	CU_ASSERT_EQUAL(colink_age_fy_end(19500401, 20250331), 75);
	CU_ASSERT_EQUAL(colink_age_fy_end(19500402, 20250331), 74);
}

static void test_programs__medication_excludes(void)
{
	struct colink_exam e;
	struct colink_exam_result r;
	healthy(&e);
	e.waist = 90;
	e.sbp_1 = e.sbp_2 = 165;
	e.hdl = 33;
	e.med_bp = 1;
	r = g(&e);
	CU_ASSERT_EQUAL(r.guidance, COLINK_GUIDANCE_EXCLUDED_MEDICATION);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.guidance_reasons, "on medication: BP"));
	CU_ASSERT_EQUAL(r.referral[COLINK_AREA_BP], COLINK_REFERRAL_URGENT); /* referral still judged */
	e.med_bp = 2;
	e.med_lipid = 1;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_EXCLUDED_MEDICATION);
	e.med_lipid = 2;
	e.med_glucose = 1;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_EXCLUDED_MEDICATION);
	e.med_glucose = 2;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_ACTIVE);
}

static void test_programs__missing_data_undetermined_only_when_it_matters(void)
{
	struct colink_exam e;
	healthy(&e);
	e.waist = 90;
	e.sbp_1 = e.sbp_2 = 130;
	e.fpg = e.hba1c = NAN; /* glucose unknown: 1 or 2 risks -> could be active */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_UNDETERMINED);
	e.hdl = 38; /* 2 known risks: active whatever glucose is */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_ACTIVE);
	healthy(&e);
	e.waist = NAN; /* waist unknown, BMI 26: route waist or BMI */
	e.bmi = 26;
	e.sbp_1 = e.sbp_2 = 130; /* 1 risk: motivational on both routes */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	e.hdl = 38; /* 2 risks: active (waist) or motivational (BMI) */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_UNDETERMINED);
	healthy(&e);
	e.waist = 80;
	e.bmi = NAN; /* waist below and no BMI: could be the BMI route */
	e.sbp_1 = e.sbp_2 = 130;
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_UNDETERMINED);
	e.sbp_1 = e.sbp_2 = 120; /* no risk at all: information whatever the route */
	CU_ASSERT_EQUAL(g(&e).guidance, COLINK_GUIDANCE_INFO);
}

static void test_programs__third_period_set_uses_jds(void)
{
	struct colink_rules *r = NULL;
	struct colink_error err = {0};
	struct colink_exam e;
	CU_ASSERT_EQUAL_FATAL(colink_rules_load(&r, datadir, "3rd", NULL, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(colink_rules_id(r), "guidance 3rd"));
	healthy(&e);
	e.waist = 90;
	e.fpg = e.hba1c = NAN;
	e.hba1c_jds = 5.1;
	CU_ASSERT_EQUAL(eval_with(r, &e).guidance, COLINK_GUIDANCE_INFO);
	e.hba1c_jds = 5.2;
	CU_ASSERT_EQUAL(eval_with(r, &e).guidance, COLINK_GUIDANCE_MOTIVATIONAL);
	e.tg_fasting = NAN; /* no 随時 alternative before 第4期 */
	e.blood_draw_timing = 3;
	e.tg_casual = 300;
	e.hba1c_jds = 5.1;
	CU_ASSERT_EQUAL(eval_with(r, &e).guidance, COLINK_GUIDANCE_UNDETERMINED);
	colink_rules_free(r);
}

/* ---- the rule tables ---- */

static void test_programs__rules_id_and_smoking_table(void)
{
	CU_ASSERT_STRING_EQUAL(colink_rules_id(rules), "4th (referral r6, guidance 4th, smoking 2024)");
	CU_ASSERT_STRING_EQUAL(colink_rules_fiscal_years(rules), "2024-");
	CU_ASSERT_EQUAL(colink_rules_applies_to(rules, 2023), 0);
	CU_ASSERT_EQUAL(colink_rules_applies_to(rules, 2024), 1);
	CU_ASSERT_EQUAL(colink_rules_applies_to(rules, 2031), 1);
	CU_ASSERT_EQUAL(colink_rules_smoking(rules, "1", "1.2.392.200119.6.24060"), COLINK_SMOKING_CURRENT);
	CU_ASSERT_EQUAL(colink_rules_smoking(rules, "2", "1.2.392.200119.6.24060"), COLINK_SMOKING_QUIT);
	CU_ASSERT_EQUAL(colink_rules_smoking(rules, "3", "1.2.392.200119.6.24060"), COLINK_SMOKING_NEVER);
	CU_ASSERT_EQUAL(colink_rules_smoking(rules, "1", "1.2.392.200119.6.2003"), COLINK_SMOKING_CURRENT);
	CU_ASSERT_EQUAL(colink_rules_smoking(rules, "2", "1.2.392.200119.6.2003"), COLINK_SMOKING_NEVER);
	CU_ASSERT_EQUAL(colink_rules_smoking(rules, "9", "1.2.392.200119.6.24060"), COLINK_SMOKING_UNKNOWN);
	CU_ASSERT_EQUAL(colink_rules_smoking(rules, NULL, NULL), COLINK_SMOKING_UNKNOWN);
}

/* A data dir with the shipped referral and smoking tables and a guidance table `body`. */
static char *rules_dir(const char *body)
{
	char *dir = tu_mkdtemp("rules"), *c, *p;
	c = tu_fmt("mkdir '%s/rules' && cp '%s/rules/referral-r6.tsv' '%s/rules/smoking-2024.tsv' "
		   "'%s/rules/disease-groups.tsv' '%s/rules/'", dir, datadir, datadir, datadir, dir);
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	p = tu_fmt("%s/rules/guidance-t.tsv", dir);
	tu_write_file(p, body, strlen(body));
	free(c);
	free(p);
	return dir;
}

#define GOOD_HEAD "meta\tversion\tt\nmeta\treferral\treferral-r6\nmeta\tsmoking\tsmoking-2024\n"
#define GOOD_RULES "rule\tage.min\tage\tage_fy_end\t>=\t40\ttarget\t-\t-\n" \
	"rule\tw\tstep1\twaist\t>=\t85\twaist\t-\t-\nrule\tb\tstep1\tbmi\t>=\t25\tbmi\t-\t-\n" \
	"rule\ta1\tstep3-waist\trisks\t>=\t2\tactive\t-\t-\nrule\ta2\tstep3-bmi\trisks\t>=\t3\tactive\t-\t-\n"

static void expect_error(const char *body, const char *const *settings, const char *want)
{
	char *dir = rules_dir(body);
	struct colink_rules *r = NULL;
	struct colink_error err = {0};
	int rc = colink_rules_load(&r, dir, "t", settings, &err);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NULL(r);
	if (!strstr(err.msg, want))
		fprintf(stderr, "\n  error '%s' lacks '%s'\n", err.msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	colink_rules_free(r);
	tu_rmtree(dir);
	free(dir);
}

static void test_programs__rule_tables_are_read_strictly(void)
{
	const char *bad_setting[] = {"referral.nope=3", NULL};
	const char *bad_value[] = {"referral.hdl_recommend=abc", NULL};
	char *dir = rules_dir(GOOD_HEAD GOOD_RULES);
	struct colink_rules *r = NULL;
	struct colink_error err = {0};
	CU_ASSERT_EQUAL(colink_rules_load(&r, dir, "t", NULL, &err), 0);
	colink_rules_free(r);
	tu_rmtree(dir);
	free(dir);
	expect_error(GOOD_HEAD "rule\tx\tbp\tsbp\t=>\t130\trisk\t-\t-\n" GOOD_RULES,
		     NULL, "guidance-t.tsv:4: rule x: comparison '=>'");
	expect_error(GOOD_HEAD GOOD_RULES "rule\tx\tbp\tsbp\t>=\t13O\trisk\t-\t-\n",
		     NULL, "guidance-t.tsv:9: rule x: threshold '13O'");
	expect_error(GOOD_HEAD GOOD_RULES "rule\tw\tbp\tsbp\t>=\t130\trisk\t-\t-\n",
		     NULL, "guidance-t.tsv:9: rule id 'w' given twice");
	expect_error(GOOD_HEAD GOOD_RULES "rule\tx\tbp\tsbp\t>=\t130\turgent\t-\t-\n",
		     NULL, "guidance-t.tsv:9: rule x: group 'bp', measure 'sbp' and level 'urgent'");
	expect_error(GOOD_HEAD GOOD_RULES "rule\tx\tbp\tsbp\t>=\tnone\trisk\t-\t-\n",
		     NULL, "guidance-t.tsv:9: rule x: threshold \"none\" needs a setting");
	expect_error(GOOD_HEAD GOOD_RULES "rule\tx\tbp\tsbp\t>=\t130\trisk\tX\t-\n",
		     NULL, "guidance-t.tsv:9: rule x: sex 'X'");
	expect_error(GOOD_HEAD GOOD_RULES "bogus\trow\n", NULL, "guidance-t.tsv:9: unknown row kind 'bogus'");
	expect_error(GOOD_HEAD GOOD_RULES "rule\tshort\tbp\n", NULL, "guidance-t.tsv:9: a rule row has 9 or 10");
	expect_error(GOOD_HEAD "rule\tw\tstep1\twaist\t>=\t85\twaist\t-\t-\n", NULL,
		     "no rule of group 'age' with step 'target'");
	expect_error(GOOD_HEAD GOOD_RULES, bad_setting, "unknown rule setting 'referral.nope' (valid: "
		     "guidance.glucose_priority, followup.months, followup.suspected, referral.tg_urgent, "
		     "referral.hdl_recommend");
	expect_error(GOOD_HEAD GOOD_RULES, bad_value, "rule setting referral.hdl_recommend: 'abc'");
	expect_error("meta\tversion\tt\n" GOOD_RULES, NULL, "meta referral and meta smoking must name tables");
	expect_error(GOOD_HEAD "meta\tfiscal_years\t2024-20\n" GOOD_RULES, NULL,
		     "guidance-t.tsv:4: fiscal_years '2024-20' is not YYYY- or YYYY-YYYY");
}

/* The shipped tables with one edit (a sed script) to `file`: refused with `want`. */
static void expect_table_error(const char *file, const char *edit, const char *want)
{
	char *dir = rules_dir(GOOD_HEAD GOOD_RULES), *c;
	struct colink_rules *r = NULL;
	struct colink_error err = {0};
	c = tu_fmt("sed -i -e '%s' '%s/rules/%s'", edit, dir, file);
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	CU_ASSERT_NOT_EQUAL(colink_rules_load(&r, dir, "t", NULL, &err), 0);
	CU_ASSERT_PTR_NULL(r);
	if (!strstr(err.msg, want))
		fprintf(stderr, "\n  %s: error '%s' lacks '%s'\n", edit, err.msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	tu_rmtree(dir);
	free(dir);
	free(c);
}

/* 受診状況確認's settings and disease groups are the tables', read as strictly */
static void test_programs__followup_settings_and_disease_groups_read_strictly(void)
{
	const char *ok_months[] = {"followup.months=36", "followup.suspected=yes", NULL};
	const char *bad_months[] = {"followup.months=37", NULL};
	const char *bad_months2[] = {"followup.months=6x", NULL};
	char *dir = rules_dir(GOOD_HEAD GOOD_RULES);
	struct colink_rules *r = NULL;
	struct colink_error err = {0};
	CU_ASSERT_EQUAL(colink_rules_load(&r, dir, "t", ok_months, &err), 0);
	colink_rules_free(r);
	tu_rmtree(dir);
	free(dir);
	expect_error(GOOD_HEAD GOOD_RULES, bad_months, "rule setting followup.months: '37' is not a "
		     "whole number of months from 1 to 36");
	expect_error(GOOD_HEAD GOOD_RULES, bad_months2, "rule setting followup.months: '6x'");
	/* no default in C: the referral table must give both */
	expect_table_error("referral-r6.tsv", "/^setting\\tfollowup.months/d",
			   "rules/referral-r6.tsv: setting followup.months is missing");
	expect_table_error("referral-r6.tsv", "/^setting\\tfollowup.suspected/d",
			   "rules/referral-r6.tsv: setting followup.suspected is missing");
	expect_table_error("referral-r6.tsv", "s/^setting\\tfollowup.suspected\\tno/setting\\t"
			   "followup.suspected\\tmaybe/",
			   "referral-r6.tsv:26: setting followup.suspected: 'maybe' is not yes or no");
	expect_table_error("referral-r6.tsv", "s/^setting\\tfollowup.months/setting\\tfollowup.weeks/",
			   "referral-r6.tsv:25: unknown setting 'followup.weeks' (valid: followup.months, "
			   "followup.suspected)");
	expect_table_error("referral-r6.tsv", "/^meta\\tdisease_groups/d",
			   "meta disease_groups must name the disease-group table");
	expect_table_error("disease-groups.tsv", "s/\\tI10\\tI15\\t/\\tI15\\tI10\\t/",
			   "disease-groups.tsv:34: range I15-I10 is not two 3-character ICD-10 codes");
	expect_table_error("disease-groups.tsv", "s/\\tE78\\tE78\\t/\\tE78\\tE78.5\\t/",
			   "disease-groups.tsv:36: range E78-E78.5 is not");
	expect_table_error("disease-groups.tsv", "s/^range\\thypertension\\tbp/range\\t"
			   "hypertension\\theart/", "disease-groups.tsv:34: area 'heart' is not one of");
	expect_table_error("disease-groups.tsv", "/^range/d", "rules/disease-groups.tsv: no range rows");
}

static void test_programs__unknown_set_and_unsafe_names_refused(void)
{
	struct colink_rules *r = NULL;
	struct colink_error err = {0};
	CU_ASSERT_NOT_EQUAL(colink_rules_load(&r, datadir, "9th", NULL, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "guidance-9th.tsv"));
	CU_ASSERT_NOT_EQUAL(colink_rules_load(&r, datadir, "../x", NULL, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "must be letters, digits"));
	CU_ASSERT_PTR_NULL(r);
}

static void test_programs__load_survives_allocation_failure(void)
{
	long n;
	for (n = 0; n < 40; n++) {
		struct colink_rules *r = NULL;
		struct colink_error err = {0};
		int rc;
		colink_alloc_fail_after(n);
		rc = colink_rules_load(&r, datadir, NULL, NULL, &err);
		colink_alloc_fail_after(-1);
		if (rc == 0) {
			CU_ASSERT_PTR_NOT_NULL(r);
			colink_rules_free(r);
			break;
		}
		CU_ASSERT_PTR_NULL(r);
		CU_ASSERT(err.msg[0] != '\0');
	}
	CU_ASSERT(n < 40);
}

/* ---- the warehouse functions, on a warehouse made from schema.sql ---- */

static sqlite3 *db;         /* the test's own connection, to write rows */
static struct colink_wh *wh; /* the module's, read-only */
static char *whdir, *whpath;

static void exec(const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fprintf(stderr, "\n  sql: %s\n", msg ? msg : "?");
	CU_ASSERT_PTR_NULL(msg);
	sqlite3_free(msg);
}

#define P(c) "'" #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
	     #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
	     #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
	     #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c "'"
/* the person_no of pseudonym P(c): fact tables name a person by it (schema v4) */
#define N(c) "(SELECT person_no FROM person WHERE person_id = " P(c) ")"

static void make_warehouse(void)
{
	char *schema = tu_fmt("%s/warehouse/schema.sql", datadir), *sql = tu_read_file(schema, NULL);
	whdir = tu_mkdtemp("programs");
	whpath = tu_fmt("%s/wh.db", whdir);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(whpath, &db), SQLITE_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sql);
	exec(sql);
	free(sql);
	free(schema);
	exec("INSERT INTO run (run_id, started, status) VALUES ('r', 'x', 'ok')");
	/* a: smoker in FY2023 who quit in FY2024 at site S1; b: non-smoker who
	 * relapsed, S1; c: smoker both years, S2; d: not linked, never smoker.
	 * person_no runs against the pseudonyms' order, so an order by
	 * person_no where the contract says by pseudonym shows. */
	exec("INSERT INTO person (person_no, person_id, sex, side) VALUES (4, " P(a) ", '1', 'association'), "
	     "(3, " P(b) ", '2', 'association'), (2, " P(c) ", '1', 'association'), "
	     "(1, " P(d) ", '1', 'association'), "
	     "(7, " P(e) ", NULL, 'employer'), (6, " P(f) ", NULL, 'employer'), (5, " P(9) ", NULL, 'employer')");
	exec("INSERT INTO link (employer_person_id, association_person_id, pass, kind, run_id) "
	     "VALUES (" P(e) ", " P(a) ", 1, 'card', 'r'), (" P(f) ", " P(b)
	     ", 1, 'card', 'r'), (" P(9) ", " P(c) ", 1, 'card', 'r')");
	exec("INSERT INTO employee (person_no, site, job_type, run_id, input_no, record_no) VALUES "
	     "(" N(e) ", 'S1', 'J', 'r', 1, 1), (" N(f) ", 'S1', 'J', 'r', 1, 2), (" N(9) ", 'S2', 'J', 'r', 1, 3)");
	exec("INSERT INTO checkup (checkup_id, person_no, exam_date, fiscal_year, age_at_exam, age_fy_end, "
	     "sbp_1, sbp_2, dbp_1, dbp_2, run_id, input_no, record_no) VALUES "
	     "(1, " N(a) ", '2023-06-01', 2023, 50, 50, 150, 150, 80, 80, 'r', 1, 1), "
	     "(2, " N(a) ", '2024-06-01', 2024, 51, 51, 120, 120, 70, 70, 'r', 1, 2), "
	     "(3, " N(b) ", '2023-07-01', 2023, 45, 45, 120, 120, 70, 70, 'r', 1, 3), "
	     "(4, " N(b) ", '2024-07-01', 2024, 46, 46, 120, 120, 70, 70, 'r', 1, 4), "
	     "(5, " N(c) ", '2023-05-01', 2023, 60, 60, 170, 170, 70, 70, 'r', 1, 5), "
	     "(6, " N(c) ", '2024-05-01', 2024, 61, 61, 120, 120, 70, 70, 'r', 1, 6), "
	     "(7, " N(d) ", '2024-08-01', 2024, 41, 41, 120, 120, 70, 70, 'r', 1, 7)");
	exec("INSERT INTO questionnaire (checkup_id, field, answer, code_system) VALUES "
	     "(1, 'q_smoking', '1', '1.2.392.200119.6.2003'), (2, 'q_smoking', '2', '1.2.392.200119.6.24060'), "
	     "(3, 'q_smoking', '2', '1.2.392.200119.6.2003'), (4, 'q_smoking', '1', '1.2.392.200119.6.24060'), "
	     "(5, 'q_smoking', '1', '1.2.392.200119.6.2003'), (6, 'q_smoking', '1', '1.2.392.200119.6.24060'), "
	     "(7, 'q_smoking', '3', '1.2.392.200119.6.24060'), (6, 'q_med_bp', '1', '1.2.392.200119.6.2003')");
	exec("INSERT INTO claims_summary (person_no, fiscal_year, medical_cost, visit_days, last_visit_date, run_id) VALUES (" N(a) ", 2023, 1000, 1, '2023-05-01', 'r')");
}

struct seen {
	char order[16][80];
	int n;
};

static int collect(void *ctx, const struct colink_program_row *r)
{
	struct seen *s = ctx;
	if (s->n < 16)
		snprintf(s->order[s->n++], sizeof(s->order[0]), "%.1s %s %s %s %s", r->person_id,
			 r->exam_date, r->site ? r->site : "-", colink_smoking_name(r->smoking),
			 colink_referral_name(r->referral[COLINK_AREA_BP]));
	return 0;
}

static int stop_at_two(void *ctx, const struct colink_program_row *r)
{
	(void)r;
	return ++*(int *)ctx == 2 ? 7 : 0;
}

static void test_programs__evaluate_orders_filters_and_links(void)
{
	struct seen s;
	struct colink_error err = {0};
	int n = 0;
	make_warehouse();
	CU_ASSERT_EQUAL_FATAL(colink_wh_open(&wh, whpath, COLINK_WH_READONLY | COLINK_WH_WAIT, &err), 0);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(colink_programs_evaluate(wh, rules, 2024, collect, &s, &err), 0);
	CU_ASSERT_EQUAL(s.n, 4);
	CU_ASSERT_STRING_EQUAL(s.order[0], "a 2024-06-01 S1 quit none");
	CU_ASSERT_STRING_EQUAL(s.order[1], "b 2024-07-01 S1 current none");
	CU_ASSERT_STRING_EQUAL(s.order[2], "c 2024-05-01 S2 current none");
	CU_ASSERT_STRING_EQUAL(s.order[3], "d 2024-08-01 - never none");
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(colink_programs_evaluate(wh, rules, 0, collect, &s, &err), 0);
	CU_ASSERT_EQUAL(s.n, 7);
	CU_ASSERT_STRING_EQUAL(s.order[0], "a 2023-06-01 S1 current recommend");
	CU_ASSERT_STRING_EQUAL(s.order[4], "c 2023-05-01 S2 current urgent");
	CU_ASSERT_EQUAL(colink_programs_evaluate(wh, rules, 0, stop_at_two, &n, &err), 7);
	CU_ASSERT_EQUAL(n, 2);
}

struct trans {
	struct colink_smoking_transition t[4];
	char site[4][8];
	int n;
};

static int on_trans(void *ctx, const struct colink_smoking_transition *t)
{
	struct trans *s = ctx;
	if (s->n < 4) {
		s->t[s->n] = *t;
		snprintf(s->site[s->n], sizeof(s->site[0]), "%s", t->site ? t->site : "-");
		s->n++;
	}
	return 0;
}

static void test_programs__smoking_transitions_per_site(void)
{
	struct trans s;
	struct colink_error err = {0};
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL_FATAL(colink_smoking_transitions(wh, rules, 2024, on_trans, &s, &err), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	CU_ASSERT_STRING_EQUAL(s.site[0], "S1");
	CU_ASSERT_EQUAL(s.t[0].current_before, 1);  /* a */
	CU_ASSERT_EQUAL(s.t[0].quit_after, 1);
	CU_ASSERT_EQUAL(s.t[0].noncurrent_before, 1); /* b */
	CU_ASSERT_EQUAL(s.t[0].relapse_after, 1);
	CU_ASSERT_EQUAL(s.t[0].current_now, 1);
	CU_ASSERT_EQUAL(s.t[0].answered_now, 2);
	CU_ASSERT_STRING_EQUAL(s.site[1], "S2");
	CU_ASSERT_EQUAL(s.t[1].current_before, 1);  /* c: still smoking */
	CU_ASSERT_EQUAL(s.t[1].quit_after, 0);
	CU_ASSERT_EQUAL(s.t[1].current_now, 1);
	CU_ASSERT_STRING_EQUAL(s.site[2], "-");     /* d: not linked, only FY2024 */
	CU_ASSERT_EQUAL(s.t[2].current_before + s.t[2].noncurrent_before, 0);
	CU_ASSERT_EQUAL(s.t[2].answered_now, 1);
	CU_ASSERT_EQUAL(s.t[2].current_now, 0);
}

static void test_programs__followup_from_claims_and_later_checkups(void)
{
	enum colink_referral_level lv[COLINK_AREA_COUNT] = {COLINK_REFERRAL_RECOMMEND, 0, 0, 0, 0, 0};
	struct colink_error err = {0};
	char ev[128];
	exec("DELETE FROM claims_summary");
	{
		char pid[65];
		/* c: referred for BP in FY2023, the FY2024 checkup says on BP medication */
		memset(pid, 'c', 64);
		pid[64] = '\0';
		CU_ASSERT_EQUAL(colink_referral_followup(wh, pid, "2023-05-01", lv, ev, sizeof(ev), &err), 1);
		CU_ASSERT_STRING_EQUAL(ev, "checkup 2024-05-01: q_med_bp = yes");
		memset(pid, 'a', 64); /* a: later checkup without medication: no */
		CU_ASSERT_EQUAL(colink_referral_followup(wh, pid, "2023-06-01", lv, ev, sizeof(ev), &err), 0);
		CU_ASSERT_STRING_EQUAL(ev, "checkup 2024-06-01: no medication for the referred areas");
		exec("INSERT INTO claims_summary (person_no, fiscal_year, medical_cost, visit_days, last_visit_date, run_id) VALUES (" N(a) ", 2023, 5000, 2, '2023-09-10', 'r')");
		CU_ASSERT_EQUAL(colink_referral_followup(wh, pid, "2023-06-01", lv, ev, sizeof(ev), &err), 1);
		CU_ASSERT_STRING_EQUAL(ev, "claims: visit on 2023-09-10");
		memset(pid, 'd', 64); /* d: nothing after the exam */
		CU_ASSERT_EQUAL(colink_referral_followup(wh, pid, "2024-08-01", lv, ev, sizeof(ev), &err), -1);
		exec("INSERT INTO claims_summary (person_no, fiscal_year, medical_cost, visit_days, last_visit_date, run_id) VALUES (" N(d) ", 2024, 0, 0, NULL, 'r')");
		CU_ASSERT_EQUAL(colink_referral_followup(wh, pid, "2024-08-01", lv, ev, sizeof(ev), &err), 0);
		CU_ASSERT_STRING_EQUAL(ev, "claims FY2024: no visit after the exam");
	}
	sqlite3_close(db);
	db = NULL;
	colink_wh_close(wh);
	wh = NULL;
	tu_rmtree(whdir);
	free(whdir);
	free(whpath);
}

/* Small-cell protection of a smoking row (issue #19): the site of the issue
 * (1 smoker who quit: "1, 1, 100 %") releases neither the 1 nor the rate,
 * big rows are released whole, and on every row of a sweep the released
 * numbers pass the leak check (report_leak.h: no count 1..k-1, no withheld
 * count pinned or confined below k, by a brute-force audit). */
static void test_programs__smoking_rows_are_protected(void)
{
	struct colink_smoking_transition t = { "S9", 1, 1, 40, 12, 53, 60 };
	struct colink_smoking_release ok;
	struct colink_error err = { 0 };
	long v[6];
	int known[6], i, rows = 0, bad = 0, audited = 0;
	unsigned seed = 19;
	CU_ASSERT_EQUAL_FATAL(colink_smoking_protect(&t, 10, &ok, &err), 0);
	CU_ASSERT(!ok.current_before && !ok.quit_after);
	t = (struct colink_smoking_transition){ "S1", 30, 10, 120, 20, 50, 200 };
	CU_ASSERT_EQUAL_FATAL(colink_smoking_protect(&t, 10, &ok, &err), 0);
	CU_ASSERT(ok.current_before && ok.quit_after && ok.noncurrent_before && ok.relapse_after &&
		  ok.current_now && ok.answered_now);
	for (i = 0; i < 400; i++) { /* random rows: a (still), b (quit), c (relapse), d, e, f */
		long x[6];
		int j;
		for (j = 0; j < 6; j++) {
			seed = seed * 1103515245u + 12345u;
			x[j] = (long)((seed >> 16) % (j < 4 ? 40u : 14u));
			if ((seed >> 8) % 4 == 0)
				x[j] = 0;
		}
		t = (struct colink_smoking_transition){ "S", x[0] + x[1], x[1], x[2] + x[3], x[2],
							x[0] + x[2] + x[4],
							x[0] + x[1] + x[2] + x[3] + x[4] + x[5] };
		CU_ASSERT_EQUAL_FATAL(colink_smoking_protect(&t, 10, &ok, &err), 0);
		v[0] = t.current_before, known[0] = ok.current_before;
		v[1] = t.quit_after, known[1] = ok.quit_after;
		v[2] = t.noncurrent_before, known[2] = ok.noncurrent_before;
		v[3] = t.relapse_after, known[3] = ok.relapse_after;
		v[4] = t.current_now, known[4] = ok.current_now;
		v[5] = t.answered_now, known[5] = ok.answered_now;
		bad += leak_check_smoking_row(v, known, 10, "random smoking row", &j);
		audited += j;
		rows++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(rows, 400);
	/* rows whose withheld totals leave the brute force too many tables are
	 * not audited (the engine's exact check still ran on them) */
	CU_ASSERT(audited >= 350);
	fprintf(stderr, "smoking rows audited: %d of %d\n", audited, rows);
}

static const struct tu_test tests[] = {
	TU_TEST(test_programs__referral_boundaries_both_sides),
	TU_TEST(test_programs__urine_protein_levels),
	TU_TEST(test_programs__bp_uses_average_then_single_then_other),
	TU_TEST(test_programs__missing_area_is_unknown_never_none),
	TU_TEST(test_programs__timing_decides_fasting_or_casual),
	TU_TEST(test_programs__casual_glucose_only_without_fpg_and_hba1c),
	TU_TEST(test_programs__unverified_items_are_settings),
	TU_TEST(test_programs__step1_waist_and_bmi_boundaries),
	TU_TEST(test_programs__step2_risk_boundaries),
	TU_TEST(test_programs__fpg_priority_is_a_setting),
	TU_TEST(test_programs__step3_counts_per_route),
	TU_TEST(test_programs__smoking_counts_only_with_another_risk),
	TU_TEST(test_programs__age_at_fiscal_year_end_and_downgrade),
	TU_TEST(test_programs__age_law_birthday_on_april_first),
	TU_TEST(test_programs__medication_excludes),
	TU_TEST(test_programs__missing_data_undetermined_only_when_it_matters),
	TU_TEST(test_programs__third_period_set_uses_jds),
	TU_TEST(test_programs__rules_id_and_smoking_table),
	TU_TEST(test_programs__rule_tables_are_read_strictly),
	TU_TEST(test_programs__followup_settings_and_disease_groups_read_strictly),
	TU_TEST(test_programs__unknown_set_and_unsafe_names_refused),
	TU_TEST(test_programs__load_survives_allocation_failure),
	TU_TEST(test_programs__evaluate_orders_filters_and_links),
	TU_TEST(test_programs__smoking_transitions_per_site),
	TU_TEST(test_programs__smoking_rows_are_protected),
	TU_TEST(test_programs__followup_from_claims_and_later_checkups),
	TU_END
};

int main(void)
{
	if (tu_add_suite("programs", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
