/*
 * wh_pg_followup.c -- 受診状況確認 from claims on PostgreSQL: the SQL of
 * wh_sqlite_followup.c in PostgreSQL's dialect (numbered, typed
 * parameters; text compared and ordered COLLATE "C", as SQLite's BINARY),
 * so that `colink report referral` writes the same bytes on both.
 */
#include <stdio.h>
#include <string.h>

#include "warehouse/wh_pg_int.h"

/* 1 when the table exists in the connection's search path. */
static int exists(struct colink_wh *wh, const char *table)
{
	const char *v[1] = { table };
	PGresult *res = PQexecParams(whp_db(wh), "SELECT to_regclass($1::text) IS NOT NULL", 1, NULL,
				     v, NULL, NULL, 0);
	int yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		  !strcmp(PQgetvalue(res, 0, 0), "t");
	PQclear(res);
	return yes;
}

int whp_claim_months(struct colink_wh *wh, colink_wh_month_cb cb, void *ud,
		     struct colink_error *err)
{
	PGresult *res;
	int i, ret = 0;
	if (!exists(wh, "claim"))
		return 0;
	res = PQexec(whp_db(wh), "SELECT DISTINCT substr(service_month, 1, 7) COLLATE \"C\" AS m "
		     "FROM claim WHERE service_month IS NOT NULL ORDER BY m");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		whp_err(wh, "claims' months", PQresultErrorMessage(res), err);
		PQclear(res);
		return COLINK_EIO;
	}
	for (i = 0; !ret && i < PQntuples(res); i++)
		ret = cb(ud, PQgetvalue(res, i, 0));
	PQclear(res);
	return ret;
}

#define MONTH "substr(d.service_month, 1, 7)"
#define DX_DATE "CASE WHEN d.start_date COLLATE \"C\" > " MONTH " || '-01' AND " \
		"d.start_date COLLATE \"C\" < " MONTH " || '-32' THEN d.start_date " \
		"ELSE " MONTH " || '-01' END"

int whp_first_diagnosis(struct colink_wh *wh, const char *person_id, const char *after,
			const char *until, const char *icd_where, int with_suspected, char date[16],
			char icd10[8], struct colink_error *err)
{
	char sql[2560];
	const char *v[4] = { person_id, after, until, with_suspected ? "1" : "0" };
	PGresult *res;
	int found;
	if (!exists(wh, "claim_diagnosis") || !exists(wh, "disease_master"))
		return 0;
	if ((size_t)snprintf(sql, sizeof(sql),
			     "SELECT dt, icd FROM (SELECT " DX_DATE " AS dt, substr(m.icd10, 1, 3) AS icd "
			     "FROM claim_diagnosis d JOIN disease_master m ON m.code = d.diagnosis_code "
			     "WHERE d.person_no = (SELECT person_no FROM person WHERE person_id = $1::text) "
			     "AND d.service_month IS NOT NULL AND ($4::int = 1 OR coalesce(d.suspected, 0) = 0) "
			     "AND %s) x WHERE dt COLLATE \"C\" > $2::text AND dt COLLATE \"C\" <= $3::text "
			     "ORDER BY dt COLLATE \"C\", icd COLLATE \"C\" LIMIT 1",
			     icd_where) >= sizeof(sql))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: follow-up: too many disease-group ranges",
				  wh->name);
	res = PQexecParams(whp_db(wh), sql, 4, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		whp_err(wh, "follow-up from claims", PQresultErrorMessage(res), err);
		PQclear(res);
		return COLINK_EIO;
	}
	found = PQntuples(res) > 0;
	if (found) {
		snprintf(date, 16, "%s", PQgetvalue(res, 0, 0));
		snprintf(icd10, 8, "%s", PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return found;
}
