/*
 * wh_sqlite_followup.c -- 受診状況確認 from claims on SQLite: the months
 * the claims cover and a person's first diagnosis of a disease group in
 * the window after an exam (schema v8: claim, claim_diagnosis,
 * disease_master).  wh_pg_followup.c has the same SQL for PostgreSQL.
 */
#include <stdio.h>
#include <string.h>

#include "warehouse/wh_sqlite_int.h"

int whs_claim_months(struct colink_wh *wh, colink_wh_month_cb cb, void *ud,
		     struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;
	if (!whs_table_exists(db, "claim"))
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT substr(service_month, 1, 7) AS m FROM claim "
			       "WHERE service_month IS NOT NULL ORDER BY m", -1, &st,
			       NULL) != SQLITE_OK)
		goto dberr;
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ret = cb(ud, (const char *)sqlite3_column_text(st, 0));
	if (!ret && rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	return ret;
dberr:
	sqlite3_finalize(st);
	return COLINK_ERR(err, COLINK_EIO, "%s: claims' months: %s", sqlite3_db_filename(db, "main"),
			  sqlite3_errmsg(db));
}

/* The date of a diagnosis (warehouse.h): its start date when that lies in
 * its claim's month, else the month's first day. */
#define DX_DATE "CASE WHEN d.start_date > substr(d.service_month, 1, 7) || '-01' AND " \
		"d.start_date < substr(d.service_month, 1, 7) || '-32' THEN d.start_date " \
		"ELSE substr(d.service_month, 1, 7) || '-01' END"

int whs_first_diagnosis(struct colink_wh *wh, const char *person_id, const char *after,
			const char *until, const char *icd_where, int with_suspected, char date[16],
			char icd10[8], struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL;
	char sql[2048];
	int rc;
	if (!whs_table_exists(db, "claim_diagnosis") || !whs_table_exists(db, "disease_master"))
		return 0;
	if ((size_t)snprintf(sql, sizeof(sql),
			     "SELECT dt, icd FROM (SELECT " DX_DATE " AS dt, substr(m.icd10, 1, 3) AS icd "
			     "FROM claim_diagnosis d JOIN disease_master m ON m.code = d.diagnosis_code "
			     "WHERE d.person_no = (SELECT person_no FROM person WHERE person_id = ?1) "
			     "AND d.service_month IS NOT NULL AND (?4 = 1 OR coalesce(d.suspected, 0) = 0) "
			     "AND %s) WHERE dt > ?2 AND dt <= ?3 ORDER BY dt, icd LIMIT 1",
			     icd_where) >= sizeof(sql))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: follow-up: too many disease-group ranges",
				  wh->name);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, person_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, until, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, with_suspected ? 1 : 0);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *a = sqlite3_column_text(st, 0), *b = sqlite3_column_text(st, 1);
		snprintf(date, 16, "%s", a ? (const char *)a : "");
		snprintf(icd10, 8, "%s", b ? (const char *)b : "");
	} else if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW;
dberr:
	sqlite3_finalize(st);
	return COLINK_ERR(err, COLINK_EIO, "%s: follow-up from claims: %s",
			  sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
}
