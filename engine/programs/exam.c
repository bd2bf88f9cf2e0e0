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

#define Q(f) "(SELECT answer FROM questionnaire q WHERE q.checkup_id = c.checkup_id AND " \
	     "q.field = '" f "' AND q.answer IS NOT NULL LIMIT 1)"

static const char eval_sql[] =
	"SELECT c.checkup_id, p.person_id, c.exam_date, c.fiscal_year, p.sex, c.age_at_exam, "
	"c.age_fy_end, e.site, e.job_type, "
	"coalesce(c.waist, c.waist_self_judged, c.waist_self_reported), c.visceral_fat_area, c.bmi, "
	"c.sbp_1, c.sbp_2, c.sbp_other, c.dbp_1, c.dbp_2, c.dbp_other, c.blood_draw_timing, "
	"c.tg_fasting, c.tg_casual, c.hdl, c.ldl, c.non_hdl, c.ast, c.alt, c.ggt, c.fpg, "
	"c.casual_glucose, c.hba1c, "
	"(SELECT o.value_num FROM observation o WHERE o.checkup_id = c.checkup_id AND "
	" o.field = 'hba1c_jds' AND o.value_num IS NOT NULL LIMIT 1), "
	"c.urine_protein, c.egfr, c.hemoglobin, "
	Q("q_med_bp") ", " Q("q_med_glucose") ", " Q("q_med_lipid") ", " Q("q_smoking") ", "
	"(SELECT code_system FROM questionnaire q WHERE q.checkup_id = c.checkup_id AND "
	" q.field = 'q_smoking' AND q.answer IS NOT NULL LIMIT 1) "
	"FROM checkup c JOIN person p ON p.person_no = c.person_no "
	"LEFT JOIN link l ON l.association_person_id = p.person_id "
	"LEFT JOIN person pe ON pe.person_id = l.employer_person_id "
	"LEFT JOIN employee e ON e.person_no = pe.person_no "
	"WHERE ?1 = 0 OR c.fiscal_year = ?1 "
	"ORDER BY p.person_id, c.exam_date";

static double num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static int code(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? atoi((const char *)t) : 0;
}

static int intval(sqlite3_stmt *st, int i, int dflt)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_int(st, i);
}

static void read_exam(const struct colink_rules *r, sqlite3_stmt *st, struct colink_exam *e)
{
	double *d[] = {&e->waist, &e->visceral_fat_area, &e->bmi, &e->sbp_1, &e->sbp_2,
		       &e->sbp_other, &e->dbp_1, &e->dbp_2, &e->dbp_other};
	double *d2[] = {&e->tg_fasting, &e->tg_casual, &e->hdl, &e->ldl, &e->non_hdl, &e->ast,
			&e->alt, &e->ggt, &e->fpg, &e->casual_glucose, &e->hba1c, &e->hba1c_jds};
	size_t i;
	colink_exam_init(e);
	e->fiscal_year = intval(st, 3, 0);
	e->sex = code(st, 4);
	e->age_at_exam = intval(st, 5, -1);
	e->age_fy_end = intval(st, 6, -1);
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		*d[i] = num(st, 9 + (int)i);
	e->blood_draw_timing = code(st, 18);
	for (i = 0; i < sizeof(d2) / sizeof(d2[0]); i++)
		*d2[i] = num(st, 19 + (int)i);
	e->urine_protein = code(st, 31);
	e->egfr = num(st, 32);
	e->hemoglobin = num(st, 33);
	e->med_bp = code(st, 34);
	e->med_glucose = code(st, 35);
	e->med_lipid = code(st, 36);
	e->smoking = colink_rules_smoking(r, (const char *)sqlite3_column_text(st, 37),
					  (const char *)sqlite3_column_text(st, 38));
}

int colink_programs_evaluate(sqlite3 *db, const struct colink_rules *r, int fiscal_year,
			     colink_program_cb cb, void *ctx, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	struct colink_exam e;
	struct colink_exam_result res;
	struct colink_program_row row;
	int rc, ret = 0, i;
	if (sqlite3_prepare_v2(db, eval_sql, -1, &st, NULL) != SQLITE_OK) {
		COLINK_ERR(err, COLINK_EIO, "%s: cannot read checkups: %s", sqlite3_db_filename(db, "main"),
			   sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_bind_int(st, 1, fiscal_year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_exam(r, st, &e);
		colink_exam_evaluate(r, &e, &res);
		memset(&row, 0, sizeof(row));
		row.checkup_id = sqlite3_column_int64(st, 0);
		row.person_id = (const char *)sqlite3_column_text(st, 1);
		row.exam_date = (const char *)sqlite3_column_text(st, 2);
		row.fiscal_year = e.fiscal_year;
		row.sex = e.sex;
		row.age_fy_end = e.age_fy_end;
		row.site = (const char *)sqlite3_column_text(st, 7);
		row.job_type = (const char *)sqlite3_column_text(st, 8);
		row.guidance = res.guidance;
		row.guidance_risks = res.guidance_risks;
		row.guidance_reasons = res.guidance_reasons;
		for (i = 0; i < COLINK_AREA_COUNT; i++)
			row.referral[i] = res.referral[i];
		row.referral_rules = res.referral_rules;
		row.smoking = e.smoking;
		if ((ret = cb(ctx, &row)) != 0)
			break;
	}
	if (!ret && rc != SQLITE_DONE) {
		COLINK_ERR(err, COLINK_EIO, "%s: reading checkups: %s", sqlite3_db_filename(db, "main"),
			   sqlite3_errmsg(db));
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}
