/*
 * exam.c -- one person-exam as the rules see it: which stored values the
 * rules judge (BP average, fasting vs casual by blood_draw_timing, ...), the
 * pure evaluation of one exam, and the streaming evaluation of a warehouse.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "programs/programs_int.h"

void colink_exam_init(struct colink_exam *e)
{
	memset(e, 0, sizeof(*e));
	e->age_at_exam = e->age_fy_end = -1;
	e->waist = e->visceral_fat_area = e->bmi = NAN;
	e->sbp_1 = e->sbp_2 = e->sbp_other = e->dbp_1 = e->dbp_2 = e->dbp_other = NAN;
	e->tg_fasting = e->tg_casual = e->hdl = e->ldl = e->non_hdl = NAN;
	e->ast = e->alt = e->ggt = NAN;
	e->fpg = e->casual_glucose = e->hba1c = e->hba1c_jds = NAN;
	e->egfr = e->hemoglobin = NAN;
	e->smoking = COLINK_SMOKING_UNKNOWN;
}

/* 標準的な健診・保健指導プログラム: the average of the 1st and 2nd readings when
 * both exist, else the one present, else the "other" slot (README). */
static double bp(double first, double second, double other)
{
	if (!isnan(first) && !isnan(second))
		return (first + second) / 2;
	if (!isnan(first))
		return first;
	if (!isnan(second))
		return second;
	return other;
}

void prog_pick(const struct colink_exam *e, struct prog_values *v)
{
	int t = e->blood_draw_timing;
	double tg = !isnan(e->tg_fasting) ? e->tg_fasting : e->tg_casual;
	int tg_fasting = !isnan(e->tg_fasting);
	double glu = !isnan(e->fpg) ? e->fpg : e->casual_glucose;
	int glu_fasting = !isnan(e->fpg);
	v->sbp = bp(e->sbp_1, e->sbp_2, e->sbp_other);
	v->dbp = bp(e->dbp_1, e->dbp_2, e->dbp_other);
	/* The draw timing, when recorded, says whether a value is fasting (2) or
	 * casual (3); within 3.5 h of a meal (4) TG and glucose are not judged.
	 * Without a timing the item code (column) decides. */
	if (t == 2)
		tg_fasting = glu_fasting = 1;
	else if (t == 3)
		tg_fasting = glu_fasting = 0;
	v->tg_fasting = v->tg_casual = v->fpg = v->casual_glucose = NAN;
	if (t != 4) {
		*(tg_fasting ? &v->tg_fasting : &v->tg_casual) = tg;
		*(glu_fasting ? &v->fpg : &v->casual_glucose) = glu;
	}
	v->hdl = e->hdl;
	v->ldl = e->ldl;
	v->non_hdl = e->non_hdl;
	v->ast = e->ast;
	v->alt = e->alt;
	v->ggt = e->ggt;
	v->hba1c = e->hba1c;
	v->hba1c_jds = e->hba1c_jds;
	/* 随時血糖 only when there is neither a fasting value nor an HbA1c (WIC165) */
	if (!isnan(v->hba1c) || !isnan(v->hba1c_jds))
		v->casual_glucose = NAN;
	v->urine_protein = e->urine_protein > 0 ? (double)e->urine_protein : NAN;
	v->egfr = e->egfr;
	v->hemoglobin = e->hemoglobin;
	v->waist = e->waist;
	v->visceral_fat_area = e->visceral_fat_area;
	v->bmi = e->bmi;
}

double prog_measure(const struct prog_values *v, const struct colink_exam *e, const char *m)
{
	static const struct { const char *name; size_t off; } tab[] = {
#define M(x) {#x, offsetof(struct prog_values, x)}
		M(sbp), M(dbp), M(tg_fasting), M(tg_casual), M(hdl), M(ldl), M(non_hdl), M(ast),
		M(alt), M(ggt), M(fpg), M(casual_glucose), M(hba1c), M(hba1c_jds), M(urine_protein),
		M(egfr), M(hemoglobin), M(waist), M(visceral_fat_area), M(bmi)
#undef M
	};
	size_t i;
	if (!strcmp(m, "age_fy_end"))
		return e->age_fy_end >= 0 ? (double)e->age_fy_end : NAN;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(tab[i].name, m))
			return *(const double *)(const void *)((const char *)v + tab[i].off);
	return NAN;
}

int colink_exam_evaluate(const struct colink_rules *r, const struct colink_exam *e,
			 struct colink_exam_result *out)
{
	struct prog_values v;
	memset(out, 0, sizeof(*out));
	prog_pick(e, &v);
	prog_referral(r, e, &v, out);
	prog_guidance(r, e, &v, out);
	return 0;
}

/* ---- the warehouse, one person-exam at a time ---- */

struct eval_ctx {
	const struct colink_rules *r;
	colink_program_cb cb;
	void *ctx;
};

static void to_exam(const struct colink_rules *r, const struct colink_wh_exam *w, struct colink_exam *e)
{
	colink_exam_init(e);
	e->fiscal_year = w->fiscal_year;
	e->sex = w->sex;
	e->age_at_exam = w->age_at_exam;
	e->age_fy_end = w->age_fy_end;
	e->waist = w->waist;
	e->visceral_fat_area = w->visceral_fat_area;
	e->bmi = w->bmi;
	e->sbp_1 = w->sbp_1;
	e->sbp_2 = w->sbp_2;
	e->sbp_other = w->sbp_other;
	e->dbp_1 = w->dbp_1;
	e->dbp_2 = w->dbp_2;
	e->dbp_other = w->dbp_other;
	e->blood_draw_timing = w->blood_draw_timing;
	e->tg_fasting = w->tg_fasting;
	e->tg_casual = w->tg_casual;
	e->hdl = w->hdl;
	e->ldl = w->ldl;
	e->non_hdl = w->non_hdl;
	e->ast = w->ast;
	e->alt = w->alt;
	e->ggt = w->ggt;
	e->fpg = w->fpg;
	e->casual_glucose = w->casual_glucose;
	e->hba1c = w->hba1c;
	e->hba1c_jds = w->hba1c_jds;
	e->urine_protein = w->urine_protein;
	e->egfr = w->egfr;
	e->hemoglobin = w->hemoglobin;
	e->med_bp = w->med_bp;
	e->med_glucose = w->med_glucose;
	e->med_lipid = w->med_lipid;
	e->smoking = colink_rules_smoking(r, w->smoking, w->smoking_system);
}

static int on_exam(void *ud, const struct colink_wh_exam *w)
{
	struct eval_ctx *x = ud;
	struct colink_exam e;
	struct colink_exam_result res;
	struct colink_program_row row;
	int i;
	to_exam(x->r, w, &e);
	colink_exam_evaluate(x->r, &e, &res);
	memset(&row, 0, sizeof(row));
	row.checkup_id = w->checkup_id;
	row.person_id = w->person_id;
	row.exam_date = w->exam_date;
	row.fiscal_year = e.fiscal_year;
	row.sex = e.sex;
	row.age_fy_end = e.age_fy_end;
	row.site = w->site;
	row.job_type = w->job_type;
	row.guidance = res.guidance;
	row.guidance_risks = res.guidance_risks;
	row.guidance_reasons = res.guidance_reasons;
	for (i = 0; i < COLINK_AREA_COUNT; i++)
		row.referral[i] = res.referral[i];
	row.referral_rules = res.referral_rules;
	row.smoking = e.smoking;
	return x->cb(x->ctx, &row);
}

int colink_programs_evaluate(struct colink_wh *wh, const struct colink_rules *r, int fiscal_year,
			     colink_program_cb cb, void *ctx, struct colink_error *err)
{
	struct eval_ctx x = {r, cb, ctx};
	return colink_wh_exams(wh, fiscal_year, on_exam, &x, err);
}
