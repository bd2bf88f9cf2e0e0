/*
 * wh_sqlite_exam.c -- the programs' reads (SQLite): person-exams with the
 * values the rules judge, smoking answers of two fiscal years, the
 * 受診状況確認 evidence, the latest fiscal year, the linked employer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse/wh_sqlite_int.h"

#define Q(f) "(SELECT answer FROM questionnaire q WHERE q.checkup_id = c.checkup_id AND " \
	     "q.field = '" f "' AND q.answer IS NOT NULL LIMIT 1)"

static const char exam_sql[] =
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

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void read_exam(sqlite3_stmt *st, struct colink_wh_exam *e)
{
	double *d[] = {&e->waist, &e->visceral_fat_area, &e->bmi, &e->sbp_1, &e->sbp_2,
		       &e->sbp_other, &e->dbp_1, &e->dbp_2, &e->dbp_other};
	double *d2[] = {&e->tg_fasting, &e->tg_casual, &e->hdl, &e->ldl, &e->non_hdl, &e->ast,
			&e->alt, &e->ggt, &e->fpg, &e->casual_glucose, &e->hba1c, &e->hba1c_jds};
	size_t i;
	memset(e, 0, sizeof(*e));
	e->checkup_id = sqlite3_column_int64(st, 0);
	e->person_id = text(st, 1);
	e->exam_date = text(st, 2);
	e->fiscal_year = intval(st, 3, 0);
	e->sex = code(st, 4);
	e->age_at_exam = intval(st, 5, -1);
	e->age_fy_end = intval(st, 6, -1);
	e->site = text(st, 7);
	e->job_type = text(st, 8);
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
	e->smoking = text(st, 37);
	e->smoking_system = text(st, 38);
}

int whs_exams(struct colink_wh *wh, int fy, colink_wh_exam_cb cb, void *ud,
	      struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL;
	struct colink_wh_exam e;
	int rc, ret = 0;
	if (sqlite3_prepare_v2(db, exam_sql, -1, &st, NULL) != SQLITE_OK) {
		COLINK_ERR(err, COLINK_EIO, "%s: cannot read checkups: %s", sqlite3_db_filename(db, "main"),
			   sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_bind_int(st, 1, fy);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* the text pointers stay valid until the next step */
		read_exam(st, &e);
		e.person_id = text(st, 1);
		e.exam_date = text(st, 2);
		if ((ret = cb(ud, &e)) != 0)
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

static const char smoking_sql[] =
	"SELECT p.person_id, c.fiscal_year, e.site, q.answer, q.code_system "
	"FROM checkup c JOIN person p ON p.person_no = c.person_no "
	"LEFT JOIN questionnaire q ON q.checkup_id = c.checkup_id AND q.field = 'q_smoking' "
	"AND q.answer IS NOT NULL "
	"LEFT JOIN link l ON l.association_person_id = p.person_id "
	"LEFT JOIN person pe ON pe.person_id = l.employer_person_id "
	"LEFT JOIN employee e ON e.person_no = pe.person_no "
	"WHERE c.fiscal_year IN (?1 - 1, ?1) "
	"ORDER BY c.person_no, c.fiscal_year, c.exam_date";

int whs_smoking_answers(struct colink_wh *wh, int fy, colink_wh_smoking_cb cb, void *ud,
			struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL;
	struct colink_wh_smoking_answer a;
	int rc, ret = 0;
	if (sqlite3_prepare_v2(db, smoking_sql, -1, &st, NULL) != SQLITE_OK) {
		COLINK_ERR(err, COLINK_EIO, "%s: cannot read questionnaires: %s",
			   sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_bind_int(st, 1, fy);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a.person_id = text(st, 0);
		a.fiscal_year = sqlite3_column_int(st, 1);
		a.site = text(st, 2);
		a.answer = text(st, 3);
		a.code_system = text(st, 4);
		if ((ret = cb(ud, &a)) != 0)
			break;
	}
	if (!ret && rc != SQLITE_DONE) {
		COLINK_ERR(err, COLINK_EIO, "%s: reading questionnaires: %s",
			   sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

int whs_latest_fiscal_year(struct colink_wh *wh, int *fy, struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL;
	*fy = 0;
	if (sqlite3_prepare_v2(db, "SELECT max(fiscal_year) FROM checkup", -1, &st, NULL) != SQLITE_OK)
		return COLINK_ERR(err, COLINK_EIO, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		*fy = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return COLINK_OK;
}

/* ---- 受診状況確認 ---- */

/* One-row query; 1 row (text of column 0 and 1 into a, b), 0 none, -1 error. */
static int one(sqlite3 *db, const char *sql, const char *p1, const char *p2, int i2, char *a,
	       char *b, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	if (p2)
		sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int(st, 2, i2);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *x = sqlite3_column_text(st, 0);
		const unsigned char *y = sqlite3_column_count(st) > 1 ? sqlite3_column_text(st, 1) : NULL;
		snprintf(a, n, "%s", x ? (const char *)x : "");
		if (b)
			snprintf(b, n, "%s", y ? (const char *)y : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The fact tables refer to a person by person_no (schema v4); the caller
 * knows the pseudonym.  A constant subquery, looked up once per statement
 * through person's UNIQUE (person_id). */
#define PERSON_NO "(SELECT person_no FROM person WHERE person_id = ?1)"

int whs_followup(struct colink_wh *wh, const char *person_id, const char *exam_date, int exam_fy,
		 unsigned med, struct colink_wh_followup *out, struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	char sql[640], fields[96] = "";
	int claims = !(med & COLINK_WH_NO_SUMMARY) && whs_table_exists(db, "claims_summary"), rc;
	size_t n = sizeof(out->date);
	if (med & COLINK_WH_MED_BP)
		snprintf(fields + strlen(fields), sizeof(fields) - strlen(fields), "%s'q_med_bp'",
			 fields[0] ? "," : "");
	if (med & COLINK_WH_MED_LIPID)
		snprintf(fields + strlen(fields), sizeof(fields) - strlen(fields), "%s'q_med_lipid'",
			 fields[0] ? "," : "");
	if (med & COLINK_WH_MED_GLUCOSE)
		snprintf(fields + strlen(fields), sizeof(fields) - strlen(fields), "%s'q_med_glucose'",
			 fields[0] ? "," : "");
	if (claims) {
		rc = one(db, "SELECT last_visit_date FROM claims_summary WHERE person_no = " PERSON_NO " AND "
			 "last_visit_date > ?2 ORDER BY last_visit_date LIMIT 1", person_id, exam_date, 0,
			 out->date, NULL, n);
		if (rc < 0)
			goto dberr;
		if (rc) {
			out->kind = COLINK_WH_FU_CLAIMS_VISIT;
			return COLINK_OK;
		}
	}
	if (fields[0]) {
		snprintf(sql, sizeof(sql), "SELECT c.exam_date, q.field FROM checkup c JOIN questionnaire q "
			 "ON q.checkup_id = c.checkup_id WHERE c.person_no = " PERSON_NO " AND "
			 "c.exam_date > ?2 AND "
			 "q.answer = '1' AND q.field IN (%s) ORDER BY c.exam_date LIMIT 1", fields);
		if ((rc = one(db, sql, person_id, exam_date, 0, out->date, out->field, n)) < 0)
			goto dberr;
		if (rc) {
			out->kind = COLINK_WH_FU_MEDICATION;
			return COLINK_OK;
		}
	}
	/* later data that show no visit */
	if (claims) {
		rc = one(db, "SELECT fiscal_year FROM claims_summary WHERE person_no = " PERSON_NO " AND "
			 "fiscal_year >= ?2 ORDER BY fiscal_year DESC LIMIT 1", person_id, NULL, exam_fy,
			 out->date, NULL, n);
		if (rc < 0)
			goto dberr;
		if (rc) {
			out->kind = COLINK_WH_FU_CLAIMS_NO_VISIT;
			return COLINK_OK;
		}
	}
	rc = one(db, "SELECT exam_date FROM checkup WHERE person_no = " PERSON_NO " AND exam_date > ?2 "
		 "ORDER BY exam_date LIMIT 1", person_id, exam_date, 0, out->date, NULL, n);
	if (rc < 0)
		goto dberr;
	out->kind = rc ? COLINK_WH_FU_CHECKUP_NO_MED : COLINK_WH_FU_NONE;
	return COLINK_OK;
dberr:
	return COLINK_ERR(err, COLINK_EIO, "%s: follow-up query: %s", sqlite3_db_filename(db, "main"),
			  sqlite3_errmsg(db));
}

int whs_linked_employer(struct colink_wh *wh, const char *person_id, char out[65])
{
	struct whs *s = whs_of(wh);
	const unsigned char *t;
	if (!s->link_st && sqlite3_prepare_v2(s->db, "SELECT employer_person_id FROM link WHERE "
					      "association_person_id = ?1", -1, &s->link_st,
					      NULL) != SQLITE_OK)
		return 0;
	sqlite3_reset(s->link_st);
	sqlite3_bind_text(s->link_st, 1, person_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s->link_st) != SQLITE_ROW || !(t = sqlite3_column_text(s->link_st, 0)))
		return 0;
	snprintf(out, 65, "%s", (const char *)t);
	return 1;
}
