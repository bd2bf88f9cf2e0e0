/*
 * wh_sqlite_part.c -- programme participation for the white paper's
 * ⑤ その他 (issue #19): participants and completers per programme, age band
 * or site row, and sex, over the white paper's work set (wp_person of
 * wh_sqlite_wp.c: the employees in service in the year, with their band
 * and site row).  participation.person_no is the employee's person, the
 * work set's eid: no link is needed.
 */
#include <stdio.h>

#include "warehouse/wh_sqlite_int.h"

static int db_fail(sqlite3 *db, const char *what, struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_EIO, "white paper: %s: %s", what, sqlite3_errmsg(db));
}

int whs_wp_participation(struct colink_wh *wh, int fy, int *present, colink_wh_participation_cb cb,
			 void *ud, struct colink_error *err)
{
	static const char *const dim_cols[2] = { "band", "site_idx" };
	sqlite3 *db = whs_db(wh);
	char sql[1024], from[32], to[32];
	int d, src;
	*present = whs_table_exists(db, "participation");
	if (!*present)
		return COLINK_OK;
	snprintf(from, sizeof(from), "%04d-04-01", fy);
	snprintf(to, sizeof(to), "%04d-03-31", fy + 1);
	for (d = 0; d < 2; d++) {
		sqlite3_stmt *st;
		/* one row per person and programme first (a person who took part
		 * twice counts once; completed once is completed), then counted */
		snprintf(sql, sizeof(sql),
			 "SELECT program, %s, sex, count(*), total(done) FROM ("
			 " SELECT x.program AS program, w.%s AS %s, w.sex AS sex,"
			 "  max(coalesce(x.completed, '') = '1') AS done"
			 " FROM participation x JOIN wp_person w ON w.eid = x.person_no"
			 " WHERE x.participation_date BETWEEN ?1 AND ?2 AND w.%s IS NOT NULL"
			 " GROUP BY x.person_no, x.program)"
			 " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
			 dim_cols[d], dim_cols[d], dim_cols[d], dim_cols[d]);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			return db_fail(db, "reading participation", err);
		sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
		while ((src = sqlite3_step(st)) == SQLITE_ROW)
			cb(ud, (const char *)sqlite3_column_text(st, 0), d, (long)sqlite3_column_int64(st, 1),
			   sqlite3_column_int(st, 2), (long)sqlite3_column_int64(st, 3),
			   (long)sqlite3_column_double(st, 4));
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			return db_fail(db, "reading participation", err);
	}
	return COLINK_OK;
}
