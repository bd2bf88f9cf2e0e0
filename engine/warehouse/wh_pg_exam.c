/*
 * wh_pg_exam.c -- the programs' reads on PostgreSQL (#16 part 4): the
 * SQL of wh_sqlite_exam.c in PostgreSQL's dialect, so `colink report
 * referral|guidance|smoking` give the bytes they give on SQLite.  The
 * differences: numbered parameters $n with their types; text compared
 * and ordered COLLATE "C" (bytes, as SQLite's BINARY); to_regclass for
 * an optional table; the run ledger in the order the runs started (no
 * rowid).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse/wh_pg_int.h"

typedef int (*row_fn)(void *ud, PGresult *res, int r);

/* Each row of sql (params: text values) to fn; fn's non-zero stops the
 * loop and is returned; -1 on a database error.  The whole result is read
 * first: fn may run queries of its own on the connection (referral's
 * follow-up), which libpq's single-row mode would not allow. */
static int each(struct colink_wh *wh, const char *sql, int n, const char *const *v, row_fn fn,
		void *ud, const char *what, struct colink_error *err)
{
	PGresult *res = PQexecParams(whp_db(wh), sql, n, NULL, v, NULL, NULL, 0);
	int i, ret = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		whp_err(wh, what, PQresultErrorMessage(res), err);
		PQclear(res);
		return -1;
	}
	for (i = 0; !ret && i < PQntuples(res); i++)
		ret = fn(ud, res, i);
	PQclear(res);
	return ret;
}

static const char *text(PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

static double num(PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NAN : strtod(PQgetvalue(res, r, c), NULL);
}

static int code(PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? 0 : atoi(PQgetvalue(res, r, c));
}

static int intval(PGresult *res, int r, int c, int dflt)
{
	return PQgetisnull(res, r, c) ? dflt : atoi(PQgetvalue(res, r, c));
}

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
	"WHERE $1::bigint = 0 OR c.fiscal_year = $1::bigint "
	"ORDER BY p.person_id COLLATE \"C\", c.exam_date COLLATE \"C\"";

struct exam_x {
	colink_wh_exam_cb cb;
	void *ud;
};

static int on_exam(void *ud, PGresult *res, int r)
{
	struct exam_x *x = ud;
	struct colink_wh_exam e;
	double *d[] = {&e.waist, &e.visceral_fat_area, &e.bmi, &e.sbp_1, &e.sbp_2,
		       &e.sbp_other, &e.dbp_1, &e.dbp_2, &e.dbp_other};
	double *d2[] = {&e.tg_fasting, &e.tg_casual, &e.hdl, &e.ldl, &e.non_hdl, &e.ast,
			&e.alt, &e.ggt, &e.fpg, &e.casual_glucose, &e.hba1c, &e.hba1c_jds};
	size_t i;
	memset(&e, 0, sizeof(e));
	e.checkup_id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
	e.person_id = text(res, r, 1);
	e.exam_date = text(res, r, 2);
	e.fiscal_year = intval(res, r, 3, 0);
	e.sex = code(res, r, 4);
	e.age_at_exam = intval(res, r, 5, -1);
	e.age_fy_end = intval(res, r, 6, -1);
	e.site = text(res, r, 7);
	e.job_type = text(res, r, 8);
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		*d[i] = num(res, r, 9 + (int)i);
	e.blood_draw_timing = code(res, r, 18);
	for (i = 0; i < sizeof(d2) / sizeof(d2[0]); i++)
		*d2[i] = num(res, r, 19 + (int)i);
	e.urine_protein = code(res, r, 31);
	e.egfr = num(res, r, 32);
	e.hemoglobin = num(res, r, 33);
	e.med_bp = code(res, r, 34);
	e.med_glucose = code(res, r, 35);
	e.med_lipid = code(res, r, 36);
	e.smoking = text(res, r, 37);
	e.smoking_system = text(res, r, 38);
	return x->cb(x->ud, &e);
}

int whp_exams(struct colink_wh *wh, int fy, colink_wh_exam_cb cb, void *ud,
	      struct colink_error *err)
{
	struct exam_x x = { cb, ud };
	char a[24];
	const char *v[1] = { a };
	snprintf(a, sizeof(a), "%d", fy);
	return each(wh, exam_sql, 1, v, on_exam, &x, "reading checkups", err);
}

/* SQLite orders by c.person_no, the order the persons were first loaded;
 * out_postgres numbers them in the same order. */
static const char smoking_sql[] =
	"SELECT p.person_id, c.fiscal_year, e.site, q.answer, q.code_system "
	"FROM checkup c JOIN person p ON p.person_no = c.person_no "
	"LEFT JOIN questionnaire q ON q.checkup_id = c.checkup_id AND q.field = 'q_smoking' "
	"AND q.answer IS NOT NULL "
	"LEFT JOIN link l ON l.association_person_id = p.person_id "
	"LEFT JOIN person pe ON pe.person_id = l.employer_person_id "
	"LEFT JOIN employee e ON e.person_no = pe.person_no "
	"WHERE c.fiscal_year IN ($1::bigint - 1, $1::bigint) "
	"ORDER BY c.person_no, c.fiscal_year, c.exam_date COLLATE \"C\"";

struct smoking_x {
	colink_wh_smoking_cb cb;
	void *ud;
};

static int on_answer(void *ud, PGresult *res, int r)
{
	struct smoking_x *x = ud;
	struct colink_wh_smoking_answer a;
	a.person_id = text(res, r, 0);
	a.fiscal_year = intval(res, r, 1, 0);
	a.site = text(res, r, 2);
	a.answer = text(res, r, 3);
	a.code_system = text(res, r, 4);
	return x->cb(x->ud, &a);
}

int whp_smoking_answers(struct colink_wh *wh, int fy, colink_wh_smoking_cb cb, void *ud,
			struct colink_error *err)
{
	struct smoking_x x = { cb, ud };
	char a[24];
	const char *v[1] = { a };
	snprintf(a, sizeof(a), "%d", fy);
	return each(wh, smoking_sql, 1, v, on_answer, &x, "reading questionnaires", err);
}

int whp_latest_fiscal_year(struct colink_wh *wh, int *fy, struct colink_error *err)
{
	PGresult *res = PQexec(whp_db(wh), "SELECT max(fiscal_year) FROM checkup");
	int rc = COLINK_OK;
	*fy = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = whp_err(wh, "reading checkups", PQresultErrorMessage(res), err);
	else if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		*fy = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

/* ---- 受診状況確認 ---- */

/* One-row query: 1 (columns 0 and 1 into a, b), 0 none, -1 error. */
static int one(struct colink_wh *wh, const char *sql, const char *p1, const char *p2, char *a,
	       char *b, size_t n, struct colink_error *err)
{
	const char *v[2] = { p1, p2 };
	PGresult *res = PQexecParams(whp_db(wh), sql, 2, NULL, v, NULL, NULL, 0);
	int rc;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		whp_err(wh, "follow-up query", PQresultErrorMessage(res), err);
		PQclear(res);
		return -1;
	}
	rc = PQntuples(res) > 0;
	if (rc) {
		snprintf(a, n, "%s", PQgetvalue(res, 0, 0));
		if (b)
			snprintf(b, n, "%s", PQnfields(res) > 1 ? PQgetvalue(res, 0, 1) : "");
	}
	PQclear(res);
	return rc;
}

#define PERSON_NO "(SELECT person_no FROM person WHERE person_id = $1::text)"

/* Asked once per connection: referral asks for every referred exam. */
static int has_claims(struct colink_wh *wh)
{
	struct whp *s = wh->impl;
	PGresult *res;
	if (s->claims)
		return s->claims == 2;
	res = PQexec(s->db, "SELECT to_regclass('claims_summary') IS NOT NULL");
	s->claims = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? 2 : 1;
	PQclear(res);
	return s->claims == 2;
}

int whp_followup(struct colink_wh *wh, const char *person_id, const char *exam_date, int exam_fy,
		 unsigned med, struct colink_wh_followup *out, struct colink_error *err)
{
	char sql[700], fields[96] = "", fy[24];
	int claims = !(med & COLINK_WH_NO_SUMMARY) && has_claims(wh), rc;
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
	snprintf(fy, sizeof(fy), "%d", exam_fy);
	if (claims) {
		rc = one(wh, "SELECT last_visit_date FROM claims_summary WHERE person_no = " PERSON_NO
			 " AND last_visit_date COLLATE \"C\" > $2::text "
			 "ORDER BY last_visit_date COLLATE \"C\" LIMIT 1",
			 person_id, exam_date, out->date, NULL, n, err);
		if (rc < 0)
			return COLINK_EIO;
		if (rc) {
			out->kind = COLINK_WH_FU_CLAIMS_VISIT;
			return COLINK_OK;
		}
	}
	if (fields[0]) {
		snprintf(sql, sizeof(sql), "SELECT c.exam_date, q.field FROM checkup c JOIN questionnaire q "
			 "ON q.checkup_id = c.checkup_id WHERE c.person_no = " PERSON_NO " AND "
			 "c.exam_date COLLATE \"C\" > $2::text AND q.answer = '1' AND q.field IN (%s) "
			 "ORDER BY c.exam_date COLLATE \"C\" LIMIT 1", fields);
		if ((rc = one(wh, sql, person_id, exam_date, out->date, out->field, n, err)) < 0)
			return COLINK_EIO;
		if (rc) {
			out->kind = COLINK_WH_FU_MEDICATION;
			return COLINK_OK;
		}
	}
	/* later data that show no visit */
	if (claims) {
		rc = one(wh, "SELECT fiscal_year FROM claims_summary WHERE person_no = " PERSON_NO " AND "
			 "fiscal_year >= $2::bigint ORDER BY fiscal_year DESC LIMIT 1", person_id, fy,
			 out->date, NULL, n, err);
		if (rc < 0)
			return COLINK_EIO;
		if (rc) {
			out->kind = COLINK_WH_FU_CLAIMS_NO_VISIT;
			return COLINK_OK;
		}
	}
	rc = one(wh, "SELECT exam_date FROM checkup WHERE person_no = " PERSON_NO " AND "
		 "exam_date COLLATE \"C\" > $2::text ORDER BY exam_date COLLATE \"C\" LIMIT 1",
		 person_id, exam_date, out->date, NULL, n, err);
	if (rc < 0)
		return COLINK_EIO;
	out->kind = rc ? COLINK_WH_FU_CHECKUP_NO_MED : COLINK_WH_FU_NONE;
	return COLINK_OK;
}

int whp_linked_employer(struct colink_wh *wh, const char *person_id, char out[65])
{
	const char *v[1] = { person_id };
	PGresult *res = PQexecParams(whp_db(wh), "SELECT employer_person_id FROM link WHERE "
				     "association_person_id = $1::text", 1, NULL, v, NULL, NULL, 0);
	int yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 &&
		  !PQgetisnull(res, 0, 0);
	if (yes)
		snprintf(out, 65, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return yes;
}

/* ---- the run ledger ---- */

struct runs_x {
	colink_wh_run_cb cb;
	void *ud;
};

static int on_run(void *ud, PGresult *res, int r)
{
	struct runs_x *x = ud;
	struct colink_wh_run run;
	run.run_id = text(res, r, 0);
	run.status = text(res, r, 1);
	run.job_name = text(res, r, 2);
	run.started = text(res, r, 3);
	return run.run_id && run.status ? x->cb(x->ud, &run) : 0;
}

/* Oldest run first: SQLite's rowid order is the order the ledger rows
 * were inserted, which is the order the runs started. */
int whp_runs(struct colink_wh *wh, colink_wh_run_cb cb, void *ud, struct colink_error *err)
{
	struct runs_x x = { cb, ud };
	PGresult *res = PQexec(whp_db(wh), "SELECT to_regclass('run') IS NOT NULL");
	int yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		  strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!yes)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: not a colink warehouse (no run ledger)",
				  wh->name);
	yes = each(wh, "SELECT run_id, status, job_name, started FROM run "
		   "ORDER BY started COLLATE \"C\", run_id COLLATE \"C\"", 0, NULL, on_run, &x,
		   "reading the run ledger", err);
	return yes == -1 ? COLINK_EIO : yes;
}
