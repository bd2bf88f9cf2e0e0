/*
 * wh_pg_part.c -- programme participation for the white paper's ⑤ その他
 * on PostgreSQL (#16 part 4): wh_sqlite_part.c's reader in PostgreSQL's
 * dialect, over the work set of wh_pg_wp.c (wp_person: the employees in
 * service in the year, with their band and site row).
 * participation.person_no is the employee's person, the work set's eid.
 */
#include <stdio.h>
#include <stdlib.h>

#include "warehouse/wh_pg_int.h"

/* Whether the warehouse has table `name` (an optional table of a later
 * schema version). */
int whp_table_exists(struct colink_wh *wh, const char *name)
{
	const char *v[1] = { name };
	PGresult *res = PQexecParams(whp_db(wh), "SELECT to_regclass($1) IS NOT NULL", 1, NULL, v,
				     NULL, NULL, 0);
	int yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		  PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return yes;
}

int whp_wp_participation(struct colink_wh *wh, int fy, int *present, colink_wh_participation_cb cb,
			 void *ud, struct colink_error *err)
{
	static const char *const dim_cols[2] = { "band", "site_idx" };
	char sql[1024], from[32], to[32];
	const char *v[2] = { from, to };
	int d, i;
	*present = whp_table_exists(wh, "participation");
	if (!*present)
		return COLINK_OK;
	snprintf(from, sizeof(from), "%04d-04-01", fy);
	snprintf(to, sizeof(to), "%04d-03-31", fy + 1);
	for (d = 0; d < 2; d++) {
		PGresult *res;
		/* one row per person and programme first (a person who took part
		 * twice counts once; completed once is completed), then counted */
		snprintf(sql, sizeof(sql),
			 "SELECT program, %s, sex, count(*), coalesce(sum(done), 0) FROM ("
			 " SELECT x.program AS program, w.%s AS %s, w.sex AS sex,"
			 "  max(CASE WHEN coalesce(x.completed, '') = '1' THEN 1 ELSE 0 END) AS done"
			 " FROM participation x JOIN wp_person w ON w.eid = x.person_no"
			 " WHERE x.participation_date BETWEEN $1 AND $2 AND w.%s IS NOT NULL"
			 " GROUP BY x.person_no, x.program, w.%s, w.sex) y"
			 " GROUP BY 1, 2, 3 ORDER BY program COLLATE \"C\", 2, 3",
			 dim_cols[d], dim_cols[d], dim_cols[d], dim_cols[d], dim_cols[d]);
		if (!(res = whp_wp_query(wh, sql, 2, v, "reading participation", err)))
			return COLINK_EIO;
		for (i = 0; i < PQntuples(res); i++)
			cb(ud, PQgetvalue(res, i, 0), d, strtol(PQgetvalue(res, i, 1), NULL, 10),
			   atoi(PQgetvalue(res, i, 2)), strtol(PQgetvalue(res, i, 3), NULL, 10),
			   strtol(PQgetvalue(res, i, 4), NULL, 10));
		PQclear(res);
	}
	return COLINK_OK;
}
