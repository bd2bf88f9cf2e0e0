/* wh_sqlite_link.c -- the link report of a run (SQLite): link_summary and
 * link_report, read-only. */
#include <stdio.h>
#include <string.h>

#include "warehouse/wh_sqlite_int.h"

static long long col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_int64(st, i);
}

int whs_link_summary(struct colink_wh *wh, const char *run, struct colink_wh_link_summary *out,
		     struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL;
	const char *sql = run
		? "SELECT s.run_id, r.started, s.association_persons, s.employer_persons, s.linked_new, "
		  "s.linked_total, s.ambiguous, s.unmatched_association, s.unmatched_employer, "
		  "s.review_association, s.review_employer, s.linked_decision "
		  "FROM link_summary s JOIN run r USING(run_id) WHERE s.run_id = ?1"
		: "SELECT s.run_id, r.started, s.association_persons, s.employer_persons, s.linked_new, "
		  "s.linked_total, s.ambiguous, s.unmatched_association, s.unmatched_employer, "
		  "s.review_association, s.review_employer, s.linked_decision "
		  "FROM link_summary s JOIN run r USING(run_id) WHERE r.status = 'ok' "
		  "ORDER BY r.started DESC, r.rowid DESC LIMIT 1";
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL), found, i;
	if (rc != SQLITE_OK) {
		COLINK_ERR(err, COLINK_EIO, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	if (run)
		sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		const unsigned char *id = sqlite3_column_text(st, 0), *started = sqlite3_column_text(st, 1);
		snprintf(out->run_id, sizeof(out->run_id), "%s", id ? (const char *)id : "");
		snprintf(out->started, sizeof(out->started), "%s", started ? (const char *)started : "");
		out->association_persons = col(st, 2);
		out->employer_persons = col(st, 3);
		out->linked_new = col(st, 4);
		out->linked_total = col(st, 5);
		out->ambiguous = col(st, 6);
		out->unmatched_association = col(st, 7);
		out->unmatched_employer = col(st, 8);
		for (i = 9; i < 12; i++) { /* NULL before schema version 9 */
			long long *v = i == 9 ? &out->review_association
				: i == 10 ? &out->review_employer : &out->linked_decision;
			*v = sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : col(st, i);
		}
	}
	sqlite3_finalize(st);
	return found;
}

int whs_link_passes(struct colink_wh *wh, const char *run, colink_wh_link_pass_cb cb, void *ud,
		    struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL;
	struct colink_wh_link_pass p;
	int ret = 0;
	if (sqlite3_prepare_v2(db, "SELECT pass, kind, linked, ambiguous FROM link_report "
			       "WHERE run_id = ?1 ORDER BY pass", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return COLINK_ERR(err, COLINK_EIO, "%s", sqlite3_errmsg(db)), -1;
	}
	sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
	while (!ret && sqlite3_step(st) == SQLITE_ROW) {
		p.pass = col(st, 0);
		p.kind = (const char *)sqlite3_column_text(st, 1);
		p.linked = col(st, 2);
		p.ambiguous = col(st, 3);
		ret = cb(ud, &p);
	}
	sqlite3_finalize(st);
	return ret;
}

/* #23: link_em and link_weight, when the warehouse has them (schema 11). */
int whs_link_figures(struct colink_wh *wh, const char *run, colink_wh_link_figure_cb cb, void *ud,
		     struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL;
	struct colink_wh_link_figure f;
	int ret = 0;
	if (sqlite3_prepare_v2(db, "SELECT 'em', pass, feature, level, m, u, 0, 0, rowid, weight "
			       "FROM link_em WHERE run_id = ?1 UNION ALL SELECT 'weight', pass, '', '', 0, "
			       "0, bin, pairs, bin, 0 FROM link_weight WHERE run_id = ?1 ORDER BY 1, 2, 9", -1, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		if (strstr(sqlite3_errmsg(db), "no such table"))
			return 0; /* a warehouse before schema 11 */
		return COLINK_ERR(err, COLINK_EIO, "%s", sqlite3_errmsg(db)), -1;
	}
	sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
	while (!ret && sqlite3_step(st) == SQLITE_ROW) {
		f.what = (const char *)sqlite3_column_text(st, 0);
		f.pass = col(st, 1);
		f.feature = (const char *)sqlite3_column_text(st, 2);
		f.level = (const char *)sqlite3_column_text(st, 3);
		f.m = sqlite3_column_double(st, 4);
		f.u = sqlite3_column_double(st, 5);
		f.bin = col(st, 6);
		f.pairs = col(st, 7);
		f.weight = sqlite3_column_double(st, 9);
		ret = cb(ud, &f);
	}
	sqlite3_finalize(st);
	return ret;
}
