/*
 * wh_sqlite.c -- the SQLite backend of engine/warehouse: opening (read-only
 * or not, busy timeout), the schema version, and the derived facts made
 * callable from SQL so that no statement re-derives them: the work tables
 * call colink_age_fy_end_ym(birth_ym, fy) and colink_age_band10(age), the
 * C functions of core/value.c and warehouse.c.
 */
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "core/value.h"
#include "warehouse/wh_sqlite_int.h"

/*
 * SQLite set up for the whole process (outputs, readers, tests) before it
 * initializes, hence at load time (later it would refuse, SQLITE_MISUSE,
 * and change nothing):
 * - memory statistics off: with them on, every sqlite3_malloc and
 *   sqlite3_free takes a global mutex (~2.5 % of the CPU of a
 *   100,000-document XML run); nothing in colink reads them;
 * - multi-thread mode, not serialized: a connection (and its statements)
 *   is used by one thread at a time, which is what colink does and what
 *   the plugin ABI asks of outputs (colink/plugin.h, "Threads"), so the
 *   per-connection mutex taken by every bind, step and reset (~2.4 %)
 *   guarded nothing.
 */
#if defined(__GNUC__)
__attribute__((constructor))
#endif
static void whs_process_config(void)
{
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static void sql_age_fy_end_ym(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	int age;
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	age = colink_age_fy_end_ym(sqlite3_value_int(argv[0]), sqlite3_value_int(argv[1]));
	sqlite3_result_int(cx, age);
}

static void sql_age_band10(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		sqlite3_result_null(cx);
	else
		sqlite3_result_int(cx, colink_age_band10(sqlite3_value_int(argv[0])));
}

static int whs_open(struct colink_wh *wh, const char *target, unsigned flags,
		    struct colink_error *err)
{
	struct whs *s = colink_calloc(1, sizeof(*s));
	const int det = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
	if (!s)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	wh->impl = s;
	if ((flags & COLINK_WH_MUST_EXIST) && access(target, R_OK))
		return COLINK_ERR(err, COLINK_ENOTFOUND, "%s: cannot read the warehouse", wh->name);
	if (sqlite3_open_v2(target, &s->db, (flags & COLINK_WH_READONLY) ? SQLITE_OPEN_READONLY
				    : SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot open the warehouse: %s", wh->name,
				  sqlite3_errmsg(s->db));
	if (flags & COLINK_WH_WAIT)
		sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_create_function(s->db, "colink_age_fy_end_ym", 2, det, NULL, sql_age_fy_end_ym,
				    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "colink_age_band10", 1, det, NULL, sql_age_band10, NULL,
				    NULL) != SQLITE_OK)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot open the warehouse: %s", wh->name,
				  sqlite3_errmsg(s->db));
	return COLINK_OK;
}

static void whs_close(struct colink_wh *wh)
{
	struct whs *s = wh->impl;
	if (!s)
		return;
	whs_wp_end(wh);
	sqlite3_finalize(s->link_st);
	sqlite3_close(s->db);
	colink_free(s);
	wh->impl = NULL;
}

static void whs_schema_version(struct colink_wh *wh, long long *v)
{
	sqlite3_stmt *st = NULL;
	*v = -1;
	if (sqlite3_prepare_v2(whs_db(wh), "SELECT max(version) FROM schema_version", -1, &st,
			       NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
}

int whs_table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int yes = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		yes = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return yes;
}

/* The ledger, oldest run first (rowid: the order the rows were inserted). */
static int whs_runs(struct colink_wh *wh, colink_wh_run_cb cb, void *ud, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	struct colink_wh_run r;
	int src = SQLITE_DONE, rc = COLINK_OK;
	if (!whs_table_exists(whs_db(wh), "run"))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: not a colink warehouse (no run ledger)",
				  wh->name);
	if (sqlite3_prepare_v2(whs_db(wh), "SELECT run_id, status, job_name, started FROM run "
			       "ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return COLINK_ERR(err, COLINK_EIO, "%s: reading the run ledger: %s", wh->name,
				  sqlite3_errmsg(whs_db(wh)));
	while (rc == COLINK_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		r.run_id = (const char *)sqlite3_column_text(st, 0);
		r.status = (const char *)sqlite3_column_text(st, 1);
		r.job_name = (const char *)sqlite3_column_text(st, 2);
		r.started = (const char *)sqlite3_column_text(st, 3);
		if (r.run_id && r.status)
			rc = cb(ud, &r);
	}
	if (rc == COLINK_OK && src != SQLITE_DONE)
		rc = COLINK_ERR(err, src == SQLITE_BUSY ? COLINK_EBUSY : COLINK_EIO,
				"%s: reading the run ledger: %s", wh->name, sqlite3_errmsg(whs_db(wh)));
	sqlite3_finalize(st);
	return rc;
}

const struct wh_backend wh_sqlite_backend = {
	.scheme = "sqlite",
	.open = whs_open,
	.close = whs_close,
	.schema_version = whs_schema_version,
	.exams = whs_exams,
	.smoking_answers = whs_smoking_answers,
	.latest_fiscal_year = whs_latest_fiscal_year,
	.followup = whs_followup,
	.claim_months = whs_claim_months,
	.first_diagnosis = whs_first_diagnosis,
	.linked_employer = whs_linked_employer,
	.link_summary = whs_link_summary,
	.link_passes = whs_link_passes,
	.wp_begin = whs_wp_begin,
	.wp_exam = whs_wp_exam,
	.wp_attendance = whs_wp_attendance,
	.wp_band = whs_wp_band,
	.wp_sites = whs_wp_sites,
	.wp_site_merge = whs_wp_site_merge,
	.wp_jobs = whs_wp_jobs,
	.wp_count = whs_wp_count,
	.wp_guidance = whs_wp_guidance,
	.wp_site_row = whs_wp_site_row,
	.wp_end = whs_wp_end,
	.claims_by_band = whs_claims_by_band,
	.runs = whs_runs,
	.wp_participation = whs_wp_participation,
	.wp_allowance = whs_wp_allowance,
	.claims_by_group = whs_claims_by_group,
	.link_review = whs_link_review,
	.link_figures = whs_link_figures,
	.link_decisions = whs_link_decisions,
	.link_decide = whs_link_decide,
	.link_revoke = whs_link_revoke,
};
