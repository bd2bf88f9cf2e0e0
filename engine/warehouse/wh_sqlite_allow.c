/*
 * wh_sqlite_allow.c -- the white paper's 傷病手当金 figures and medical cost
 * by disease group (issue #21 parts 5 and 6), SQLite.
 *
 * Allowance: over the work set (wp_person of wh_sqlite_wp.c: the employees
 * in service, with their age band); a payment is the association's, keyed
 * by the insured person, so it reaches an employee through the link
 * (wp_person.aid = person.person_id).  Claims: every association person
 * with a claim of the year, aged and sexed like colink_wh_claims_by_band.
 */
#include <stdio.h>
#include <string.h>

#include "warehouse/wh_sqlite_int.h"

static int db_fail(sqlite3 *db, const char *what, struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_EIO, "white paper: %s: %s", what, sqlite3_errmsg(db));
}

int whs_wp_allowance(struct colink_wh *wh, int fy, int *present, colink_wh_allowance_cb cb, void *ud,
		     struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st;
	char from[32], to[32];
	int src;
	*present = whs_table_exists(db, "allowance");
	if (!*present)
		return COLINK_OK;
	/* no payment of any year: the association loads none (nothing to show,
	 * not a year of zeros) */
	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM allowance)", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading allowance", err);
	*present = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!*present)
		return COLINK_OK;
	snprintf(from, sizeof(from), "%04d-04-01", fy);
	snprintf(to, sizeof(to), "%04d-03-31", fy + 1);
	/* one row per employee first (several payments: days add up; a
	 * mental-disorder cause in any of them counts), then per cell.  The
	 * cause: the payment's ICD-10 code, else the disease master's for its
	 * 傷病名コード (NULL when neither: not counted as F). */
	if (sqlite3_prepare_v2(db,
			       "SELECT w.band, w.sex, count(*), total(x.d), total(x.f) FROM ("
			       " SELECT v.eid AS eid, total(a.days) AS d,"
			       "  max(coalesce(upper(substr(coalesce(a.icd10, m.icd10), 1, 1)) = 'F', 0)) AS f"
			       " FROM allowance a JOIN person p ON p.person_no = a.person_no"
			       " JOIN wp_person v ON v.aid = p.person_id"
			       " LEFT JOIN disease_master m ON m.code = a.disease_code"
			       " WHERE a.period_from BETWEEN ?1 AND ?2 GROUP BY v.eid) x"
			       " JOIN wp_person w ON w.eid = x.eid WHERE w.band IS NOT NULL"
			       " GROUP BY 1, 2 ORDER BY 1, 2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading allowance", err);
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		cb(ud, (long)sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
		   (long)sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3),
		   (long)sqlite3_column_double(st, 4));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_fail(db, "reading allowance", err);
	return COLINK_OK;
}

/* The ranges as a temporary table (ord: the file's order decides a code
 * that two ranges hold).  Emptied, not dropped: a statement of the work
 * set may still be open on the connection, and DROP would be refused
 * (SQLITE_LOCKED); the table goes with the connection. */
static int load_ranges(sqlite3 *db, const struct colink_wh_icd_range *r, size_t n,
		       struct colink_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	if (sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS wp_dgroup (ord INTEGER, grp TEXT, lo TEXT, hi TEXT);"
			 "DELETE FROM temp.wp_dgroup",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO wp_dgroup VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "disease groups", err);
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
		sqlite3_bind_text(st, 2, r[i].group, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, r[i].from, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, r[i].to, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return db_fail(db, "disease groups", err);
		}
	}
	sqlite3_finalize(st);
	return COLINK_OK;
}

int whs_claims_by_group(struct colink_wh *wh, int fy, int roster, const struct colink_wh_icd_range *ranges,
			size_t nranges, int *present, colink_wh_claim_group_cb cb, void *ud,
			struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st;
	char from[32], to[32];
	int src, rc;
	*present = whs_table_exists(db, "claim") && whs_table_exists(db, "claim_diagnosis");
	if (!*present)
		return COLINK_OK;
	if ((rc = load_ranges(db, ranges, nranges, err)))
		return rc;
	snprintf(from, sizeof(from), "%04d-04", fy);
	snprintf(to, sizeof(to), "%04d-03~", fy + 1);
	/* per claim of the year: its group is that of its first (lowest seq)
	 * 主傷病 that is not 疑い, through the master's ICD-10 (first three
	 * characters) and the first range holding it; '' when it has none or
	 * no range holds it.  Then per person and group (g = '*': every claim),
	 * aged and sexed like whs_claims_by_band. */
	if (sqlite3_prepare_v2(db,
			       "WITH cl AS (SELECT c.person_no AS pn, c.yen AS yen, coalesce(("
			       "  SELECT g.grp FROM claim_diagnosis d JOIN disease_master m ON m.code = d.diagnosis_code"
			       "  JOIN wp_dgroup g ON upper(substr(m.icd10, 1, 3)) BETWEEN g.lo AND g.hi"
			       "  WHERE d.person_no = c.person_no AND d.claim_key = c.claim_key AND d.seq = ("
			       "   SELECT min(e.seq) FROM claim_diagnosis e WHERE e.person_no = c.person_no"
			       "   AND e.claim_key = c.claim_key AND e.main = 1 AND coalesce(e.suspected, 0) = 0)"
			       "  ORDER BY g.ord LIMIT 1), '') AS grp"
			       " FROM claim c WHERE c.service_month BETWEEN ?3 AND ?4 AND c.yen IS NOT NULL),"
			       " pg AS (SELECT pn, grp, total(yen) AS cost FROM cl GROUP BY pn, grp"
			       "  UNION ALL SELECT pn, '*', total(yen) FROM cl GROUP BY pn)"
			       "SELECT grp, coalesce(colink_age_band10(CASE WHEN a >= 0 THEN a END), -1), sex, count(*),"
			       " total(cost) FROM (SELECT pg.grp AS grp, pg.cost AS cost,"
			       " coalesce(colink_age_fy_end_ym(p.birth_ym, ?1),"
			       "  CASE WHEN ?2 THEN colink_age_fy_end_ym(e.birth_ym, ?1) END) AS a,"
			       " CASE WHEN p.sex IN ('1', '2', 1, 2) THEN CAST(p.sex AS INTEGER)"
			       "  WHEN ?2 AND e.sex IN ('1', '2', 1, 2) THEN CAST(e.sex AS INTEGER) ELSE 0 END AS sex"
			       " FROM pg JOIN person p ON p.person_no = pg.pn"
			       " LEFT JOIN link l ON l.association_person_id = p.person_id"
			       " LEFT JOIN person e ON e.person_id = l.employer_person_id)"
			       " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading claims by disease group", err);
	sqlite3_bind_int(st, 1, fy);
	sqlite3_bind_int(st, 2, roster != 0);
	sqlite3_bind_text(st, 3, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, to, -1, SQLITE_TRANSIENT);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		cb(ud, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
		   sqlite3_column_int(st, 2), (long)sqlite3_column_int64(st, 3), sqlite3_column_double(st, 4));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_fail(db, "reading claims by disease group", err);
	return COLINK_OK;
}
