/*
 * wh_sqlite_wp.c -- the white paper's per-person work set (SQLite): one
 * TEMP table (wp_person) of the read-only connection, so that C memory
 * holds only the released tables, never a row per person; and the claims
 * per age band.  Ages and bands come from the SQL functions wh_sqlite.c
 * registers (core/value.c's and warehouse.c's definitions).
 */
#include <stdio.h>
#include <string.h>

#include "warehouse/wh_sqlite_int.h"

static int db_fail(sqlite3 *db, const char *what, struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_EIO, "white paper: %s: %s", what, sqlite3_errmsg(db));
}

static int exec(sqlite3 *db, const char *sql, const char *what, struct colink_error *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, what, err);
	return COLINK_OK;
}

static const char *const dim_cols[] = {"band", "site_idx", "job_idx"};

int whs_wp_begin(struct colink_wh *wh, int fy, struct colink_error *err)
{
	struct whs *s = whs_of(wh);
	sqlite3 *db = s->db;
	char sql[2048];
	int rc;
	sqlite3_finalize(s->wp_up); /* statements of the previous year's table */
	sqlite3_finalize(s->wp_site_of);
	s->wp_up = s->wp_site_of = NULL;
	rc = exec(db, "DROP TABLE IF EXISTS temp.wp_person;"
		      "CREATE TEMP TABLE wp_person ("
		      " eid INTEGER PRIMARY KEY, aid TEXT, sex INTEGER, age INTEGER,"
		      " site TEXT, job TEXT, band INTEGER, site_idx INTEGER, job_idx INTEGER,"
		      " examined INTEGER DEFAULT 0, guidance INTEGER,"
		      " r0 INTEGER, r1 INTEGER, r2 INTEGER, r3 INTEGER, r4 INTEGER, r5 INTEGER,"
		      " smoking INTEGER, att_n INTEGER DEFAULT 0, ot REAL, sick REAL);"
		      "CREATE INDEX temp.wp_person_aid ON wp_person (aid);",
		      "creating the work table", err);
	if (rc)
		return rc;
	/* eid: the employee's person_no (what attendance_month refers to), aid:
	 * the linked association pseudonym (what a checkup's row names); the
	 * age on 31 March from the birth month until an exam's replaces it */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO wp_person (eid, aid, sex, age, site, job) "
		 "SELECT e.person_no, l.association_person_id, CAST(p.sex AS INTEGER), "
		 " colink_age_fy_end_ym(p.birth_ym, %d), e.site, e.job_type "
		 "FROM employee e JOIN person p ON p.person_no = e.person_no "
		 "LEFT JOIN link l ON l.employer_person_id = p.person_id "
		 "WHERE (e.hire_date IS NULL OR e.hire_date <= '%04d-03-31') "
		 "AND (e.leave_date IS NULL OR e.leave_date >= '%04d-04-01') "
		 "AND p.birth_ym IS NOT NULL AND p.sex IN ('1', '2', 1, 2)",
		 fy, fy + 1, fy);
	return exec(db, sql, "reading the employees of the year", err);
}

int whs_wp_exam(struct colink_wh *wh, const struct colink_wh_wp_exam *x, struct colink_error *err)
{
	struct whs *s = whs_of(wh);
	sqlite3_stmt *st;
	int a;
	if (!s->wp_up && sqlite3_prepare_v2(s->db,
			"UPDATE wp_person SET examined = 1, age = coalesce(?1, age), guidance = ?2, "
			"r0 = ?3, r1 = ?4, r2 = ?5, r3 = ?6, r4 = ?7, r5 = ?8, smoking = ?9 "
			"WHERE aid = ?10", -1, &s->wp_up, NULL) != SQLITE_OK)
		return db_fail(s->db, "preparing the evaluation", err);
	st = s->wp_up;
	sqlite3_reset(st);
	if (x->age_fy_end >= 0)
		sqlite3_bind_int(st, 1, x->age_fy_end);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int(st, 2, x->guidance);
	for (a = 0; a < COLINK_WH_WP_AREAS; a++) {
		if (x->risk[a] < 0)
			sqlite3_bind_null(st, 3 + a);
		else
			sqlite3_bind_int(st, 3 + a, x->risk[a]);
	}
	sqlite3_bind_int(st, 3 + COLINK_WH_WP_AREAS, x->smoking);
	sqlite3_bind_text(st, 4 + COLINK_WH_WP_AREAS, x->person_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(s->db, "storing an evaluated checkup", err);
	return COLINK_OK;
}

int whs_wp_attendance(struct colink_wh *wh, int fy, struct colink_error *err)
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "UPDATE wp_person SET "
		 "att_n = (SELECT count(*) FROM attendance_month a WHERE a.person_no = eid "
		 "  AND a.year_month BETWEEN '%04d-04' AND '%04d-03'), "
		 "ot = (SELECT avg(overtime_minutes) / 60.0 FROM attendance_month a WHERE a.person_no = eid "
		 "  AND a.year_month BETWEEN '%04d-04' AND '%04d-03'), "
		 "sick = (SELECT total(sick_days) FROM attendance_month a WHERE a.person_no = eid "
		 "  AND a.year_month BETWEEN '%04d-04' AND '%04d-03')",
		 fy, fy + 1, fy, fy + 1, fy, fy + 1);
	return exec(whs_db(wh), sql, "reading attendance", err);
}

int whs_wp_band(struct colink_wh *wh, struct colink_error *err)
{
	return exec(whs_db(wh), "DELETE FROM wp_person WHERE age IS NULL OR age < 0;"
		    "UPDATE wp_person SET band = colink_age_band10(age);",
		    "banding ages", err);
}

int whs_wp_sites(struct colink_wh *wh, colink_wh_wp_site_cb cb, void *ud, struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL, *up = NULL;
	int rc = COLINK_OK, src;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(site, ''), count(*) FROM wp_person GROUP BY 1 ORDER BY 1",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE wp_person SET site_idx = ?1 WHERE coalesce(site, '') = ?2",
			       -1, &up, NULL) != SQLITE_OK) {
		rc = db_fail(db, "grouping sites", err);
		goto out;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *site = (const char *)sqlite3_column_text(st, 0);
		int idx = -2;
		if ((rc = cb(ud, site, (long)sqlite3_column_int64(st, 1), &idx)))
			goto out;
		sqlite3_reset(up);
		sqlite3_bind_int(up, 1, idx);
		sqlite3_bind_text(up, 2, site, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(up) != SQLITE_DONE) {
			rc = db_fail(db, "grouping sites", err);
			goto out;
		}
	}
	if (src != SQLITE_DONE)
		rc = db_fail(db, "grouping sites", err);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	return rc;
}

int whs_wp_site_merge(struct colink_wh *wh, int idx, struct colink_error *err)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "UPDATE wp_person SET site_idx = %d WHERE site_idx = -2", idx);
	return exec(whs_db(wh), sql, "grouping sites", err);
}

int whs_wp_jobs(struct colink_wh *wh, colink_wh_wp_job_cb cb, void *ud, struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st;
	int rc = COLINK_OK, src;
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT coalesce(job, '') FROM wp_person ORDER BY 1", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(db, "grouping job types", err);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = cb(ud, (const char *)sqlite3_column_text(st, 0))))
			break;
	if (!rc && src != SQLITE_DONE)
		rc = db_fail(db, "grouping job types", err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	/* job_idx = rank of the job code in that order: ranked once per code,
	 * then one index lookup per person (not a scan of wp_person per person) */
	return exec(db,
		    "DROP TABLE IF EXISTS temp.wp_job;"
		    "CREATE TEMP TABLE wp_job (job TEXT PRIMARY KEY, idx INTEGER NOT NULL);"
		    "INSERT INTO wp_job SELECT j, row_number() OVER (ORDER BY j) - 1 "
		    " FROM (SELECT DISTINCT coalesce(job, '') AS j FROM wp_person);"
		    "UPDATE wp_person SET job_idx = (SELECT idx FROM wp_job WHERE wp_job.job = "
		    " coalesce(wp_person.job, ''));"
		    "DROP TABLE temp.wp_job;",
		    "grouping job types", err);
}

static void filter_sql(enum colink_wh_wp_filter f, int arg, char *buf, size_t n)
{
	switch (f) {
	case COLINK_WH_WP_EXAMINED:
		snprintf(buf, n, "examined = 1");
		break;
	case COLINK_WH_WP_MEASURED:
		snprintf(buf, n, "r%d IS NOT NULL", arg);
		break;
	case COLINK_WH_WP_RISK:
		snprintf(buf, n, "r%d = 1", arg);
		break;
	case COLINK_WH_WP_SMOKING_ANSWERED:
		snprintf(buf, n, "smoking > 0");
		break;
	case COLINK_WH_WP_SMOKING_IS:
		snprintf(buf, n, "smoking = %d", arg);
		break;
	case COLINK_WH_WP_ATTENDANCE:
		snprintf(buf, n, "att_n > 0");
		break;
	default:
		snprintf(buf, n, "1");
	}
}

int whs_wp_count(struct colink_wh *wh, enum colink_wh_wp_dim dim, enum colink_wh_wp_filter filter,
		 int arg, enum colink_wh_wp_sum sum, colink_wh_wp_count_cb cb, void *ud,
		 struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	char sql[512], cond[64];
	sqlite3_stmt *st;
	int src;
	filter_sql(filter, arg, cond, sizeof(cond));
	snprintf(sql, sizeof(sql),
		 "SELECT %s, sex, count(*), total(%s) FROM wp_person WHERE %s GROUP BY 1, 2",
		 dim_cols[dim], sum == COLINK_WH_WP_OVERTIME ? "ot" : sum == COLINK_WH_WP_SICK ? "sick" : "0",
		 cond);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "counting", err);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		cb(ud, (long)sqlite3_column_int64(st, 0), (long)sqlite3_column_int64(st, 1),
		   (long)sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_fail(db, "counting", err);
	return COLINK_OK;
}

int whs_wp_guidance(struct colink_wh *wh, colink_wh_wp_level_cb cb, void *ud,
		    struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st;
	int src;
	if (sqlite3_prepare_v2(db, "SELECT guidance, sex, count(*) FROM wp_person WHERE examined = 1 "
			       "AND age BETWEEN 40 AND 74 GROUP BY 1, 2", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "counting guidance levels", err);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		cb(ud, sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
		   (long)sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_fail(db, "counting guidance levels", err);
	return COLINK_OK;
}

long whs_wp_site_row(struct colink_wh *wh, const char *site, struct colink_error *err)
{
	struct whs *s = whs_of(wh);
	long idx = -1;
	if (!s->wp_site_of &&
	    sqlite3_prepare_v2(s->db, "SELECT site_idx FROM wp_person WHERE coalesce(site, '') = ?1 LIMIT 1",
			       -1, &s->wp_site_of, NULL) != SQLITE_OK)
		return db_fail(s->db, "smoking transitions", err), -2;
	sqlite3_reset(s->wp_site_of);
	sqlite3_bind_text(s->wp_site_of, 1, site, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s->wp_site_of) == SQLITE_ROW)
		idx = (long)sqlite3_column_int64(s->wp_site_of, 0);
	return idx;
}

void whs_wp_end(struct colink_wh *wh)
{
	struct whs *s = whs_of(wh);
	sqlite3_finalize(s->wp_up);
	sqlite3_finalize(s->wp_site_of);
	s->wp_up = s->wp_site_of = NULL;
	sqlite3_exec(s->db, "DROP TABLE IF EXISTS temp.wp_person; DROP TABLE IF EXISTS temp.wp_job", NULL,
		     NULL, NULL);
}

int whs_claims_by_band(struct colink_wh *wh, int fy, int roster, int *present, colink_wh_claims_cb cb, void *ud,
		       struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st;
	int src;
	*present = whs_table_exists(db, "claims_summary");
	if (!*present)
		return COLINK_OK;
	/* every association person with a cost for the year, once: age on 31
	 * March and sex from the association person (its checkups), else (?2)
	 * from the linked employee's roster; band NULL / sex 0 when unknown */
	if (sqlite3_prepare_v2(db,
			       "SELECT coalesce(colink_age_band10(CASE WHEN a >= 0 THEN a END), -1), sex, count(*), "
			       "total(cost) FROM (SELECT coalesce(colink_age_fy_end_ym(p.birth_ym, ?1), "
			       " CASE WHEN ?2 THEN colink_age_fy_end_ym(e.birth_ym, ?1) END) AS a, "
			       " CASE WHEN p.sex IN ('1', '2', 1, 2) THEN CAST(p.sex AS INTEGER) "
			       "  WHEN ?2 AND e.sex IN ('1', '2', 1, 2) THEN CAST(e.sex AS INTEGER) ELSE 0 END AS sex, "
			       " c.medical_cost AS cost FROM claims_summary c JOIN person p ON p.person_no = c.person_no "
			       " LEFT JOIN link l ON l.association_person_id = p.person_id "
			       " LEFT JOIN person e ON e.person_id = l.employer_person_id "
			       " WHERE c.fiscal_year = ?1 AND c.medical_cost IS NOT NULL) GROUP BY 1, 2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading claims_summary", err);
	sqlite3_bind_int(st, 2, roster != 0);
	sqlite3_bind_int(st, 1, fy);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		cb(ud, sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
		   (long)sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_fail(db, "reading claims_summary", err);
	return COLINK_OK;
}
