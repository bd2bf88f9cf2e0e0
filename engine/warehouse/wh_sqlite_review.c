/*
 * wh_sqlite_review.c -- review decisions that stick (#18 part 6), SQLite:
 * the open review with its evidence, the decisions, and recording or
 * revoking one.  Evidence is computed inside the database: only the names
 * of what agrees reach C, never a pseudonym, sex or birth month.
 *
 * Writing (decide, revoke) is one BEGIN IMMEDIATE transaction: validate,
 * write, call the caller's hook (the audit entry, on disk before the
 * COMMIT, as a run's is), COMMIT.  A failing hook rolls it all back.
 */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "warehouse/wh_sqlite_int.h"

static int db_err(struct colink_wh *wh, const char *what, struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	int e = sqlite3_errcode(db);
	return COLINK_ERR(err, e == SQLITE_BUSY || e == SQLITE_LOCKED ? COLINK_EBUSY : COLINK_EIO,
			  "%s: %s: %s", wh->name, what, sqlite3_errmsg(db));
}

static void add(char *buf, size_t n, const char *name)
{
	size_t len = strlen(buf);
	snprintf(buf + len, n - len, "%s%s", len ? "," : "", name);
}

/* The evidence of one pair: per key kind of either person, then sex and
 * birth month (0 agree, 1 disagree, 2 missing on a side). */
static const char kinds_sql[] =
	"SELECT k.kind, max(k.person_no = ?1) AND max(k.person_no = ?2), "
	"EXISTS (SELECT 1 FROM person_key AS x JOIN person_key AS y ON y.kind = x.kind "
	"AND y.pseudonym = x.pseudonym WHERE x.kind = k.kind AND x.person_no = ?1 "
	"AND y.person_no = ?2) FROM person_key AS k WHERE k.person_no IN (?1, ?2) "
	"GROUP BY k.kind ORDER BY k.kind";
static const char attrs_sql[] =
	"SELECT CASE WHEN e.sex IS NULL OR a.sex IS NULL THEN 2 WHEN e.sex = a.sex THEN 0 ELSE 1 END, "
	"CASE WHEN e.birth_ym IS NULL OR a.birth_ym IS NULL THEN 2 "
	"WHEN e.birth_ym = a.birth_ym THEN 0 ELSE 1 END "
	"FROM person AS e, person AS a WHERE e.person_no = ?1 AND a.person_no = ?2";

struct evidence {
	char agree[256], disagree[256], missing[256];
};

static void sort_in(struct evidence *ev, const char *name, int how)
{
	add(how == 0 ? ev->agree : how == 1 ? ev->disagree : ev->missing, sizeof(ev->agree), name);
}

static int evidence(struct colink_wh *wh, sqlite3_stmt *ks, sqlite3_stmt *as, long long e,
		    long long a, struct evidence *ev)
{
	int src;
	memset(ev, 0, sizeof(*ev));
	sqlite3_reset(ks);
	sqlite3_bind_int64(ks, 1, e);
	sqlite3_bind_int64(ks, 2, a);
	while ((src = sqlite3_step(ks)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(ks, 0);
		sort_in(ev, k ? k : "?", sqlite3_column_int(ks, 2) ? 0 : sqlite3_column_int(ks, 1) ? 1 : 2);
	}
	if (src != SQLITE_DONE)
		return -1;
	sqlite3_reset(as);
	sqlite3_bind_int64(as, 1, e);
	sqlite3_bind_int64(as, 2, a);
	if (sqlite3_step(as) != SQLITE_ROW)
		return -1;
	sort_in(ev, "sex", sqlite3_column_int(as, 0));
	sort_in(ev, "birth_ym", sqlite3_column_int(as, 1));
	sqlite3_reset(as);
	(void)wh;
	return 0;
}

/* The open pairs of run ?1: both persons unlinked, no decision in force on
 * the group. */
static const char review_sql[] =
	"SELECT r.group_no, r.pass, r.kind, pe.person_no, pa.person_no, r.weight, r.levels "
	"FROM link_review AS r "
	"JOIN person AS pe ON pe.person_id = r.employer_person_id "
	"JOIN person AS pa ON pa.person_id = r.association_person_id "
	"WHERE r.run_id = ?1 AND r.group_no IS NOT NULL "
	"AND NOT EXISTS (SELECT 1 FROM link AS l WHERE l.employer_person_id = r.employer_person_id) "
	"AND NOT EXISTS (SELECT 1 FROM link AS l "
	"WHERE l.association_person_id = r.association_person_id) "
	"AND NOT EXISTS (SELECT 1 FROM link_decision AS d WHERE d.revoked IS NULL "
	"AND d.group_no = r.group_no) "
	"ORDER BY r.group_no, pe.person_no, pa.person_no";

int whs_link_review(struct colink_wh *wh, char run_id[72], colink_wh_review_cb cb, void *ud,
		    struct colink_error *err)
{
	sqlite3 *db = whs_db(wh);
	sqlite3_stmt *st = NULL, *ks = NULL, *as = NULL;
	struct colink_wh_link_summary s;
	struct colink_wh_review_pair p;
	struct evidence ev;
	int rc = whs_link_summary(wh, NULL, &s, err), src = SQLITE_DONE;
	if (rc <= 0)
		return rc; /* 0: no run linked, nothing to review */
	snprintf(run_id, 72, "%s", s.run_id);
	rc = COLINK_OK;
	if (sqlite3_prepare_v2(db, review_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, kinds_sql, -1, &ks, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, attrs_sql, -1, &as, NULL) != SQLITE_OK) {
		rc = db_err(wh, "reading the link review", err);
		goto out;
	}
	sqlite3_bind_text(st, 1, s.run_id, -1, SQLITE_STATIC);
	while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
		p.group_no = sqlite3_column_int64(st, 0);
		p.pass = sqlite3_column_int64(st, 1);
		p.kind = (const char *)sqlite3_column_text(st, 2);
		p.employer_no = sqlite3_column_int64(st, 3);
		p.association_no = sqlite3_column_int64(st, 4);
		p.weight = sqlite3_column_double(st, 5);
		p.levels = (const char *)sqlite3_column_text(st, 6);
		if (evidence(wh, ks, as, p.employer_no, p.association_no, &ev)) {
			rc = db_err(wh, "reading the review evidence", err);
			break;
		}
		p.agree = ev.agree;
		p.disagree = ev.disagree;
		p.missing = ev.missing;
		rc = cb(ud, &p);
	}
	if (!rc && src != SQLITE_DONE)
		rc = db_err(wh, "reading the link review", err);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ks);
	sqlite3_finalize(as);
	return rc;
}

static const char decisions_sql[] =
	"SELECT decision_id, group_no, employer_no, association_no, kind, decided_by, why, "
	"decided, revoked, revoked_by, revoked_why FROM link_decision";

static void row_decision(sqlite3_stmt *st, struct colink_wh_decision *d)
{
	d->decision_id = sqlite3_column_int64(st, 0);
	d->group_no = sqlite3_column_int64(st, 1);
	d->employer_no = sqlite3_column_int64(st, 2);
	d->association_no = sqlite3_column_int64(st, 3);
	d->kind = (const char *)sqlite3_column_text(st, 4);
	d->by = (const char *)sqlite3_column_text(st, 5);
	d->why = (const char *)sqlite3_column_text(st, 6);
	d->decided = (const char *)sqlite3_column_text(st, 7);
	d->revoked = (const char *)sqlite3_column_text(st, 8);
	d->revoked_by = (const char *)sqlite3_column_text(st, 9);
	d->revoked_why = (const char *)sqlite3_column_text(st, 10);
}

int whs_link_decisions(struct colink_wh *wh, colink_wh_decision_cb cb, void *ud,
		       struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	struct colink_wh_decision d;
	int rc = COLINK_OK, src = SQLITE_DONE;
	if (sqlite3_prepare_v2(whs_db(wh), decisions_sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return db_err(wh, "reading the link decisions", err);
	}
	while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
		row_decision(st, &d);
		rc = cb(ud, &d);
	}
	if (!rc && src != SQLITE_DONE)
		rc = db_err(wh, "reading the link decisions", err);
	sqlite3_finalize(st);
	return rc;
}

/* One integer from `sql` with ?1..?3 bound; *found 0 when no row. */
static int one(struct colink_wh *wh, const char *sql, long long p1, long long p2, long long p3,
	       long long *v, int *found, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int src;
	*found = 0;
	if (sqlite3_prepare_v2(whs_db(wh), sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return db_err(wh, "reading the link decisions", err);
	}
	sqlite3_bind_int64(st, 1, p1);
	sqlite3_bind_int64(st, 2, p2);
	sqlite3_bind_int64(st, 3, p3);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		*found = 1;
		*v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return db_err(wh, "reading the link decisions", err);
	return COLINK_OK;
}

/* The checks of a new decision, inside the transaction; *e, *a: the pair's
 * employer and association person. */
static int decide_checks(struct colink_wh *wh, long long group, long long x, long long y,
			 const char *kind, long long *e, long long *a, struct colink_error *err)
{
	long long v = 0;
	int found, rc;
	rc = one(wh, "SELECT count(*) FROM link_review WHERE group_no = ?1", group, 0, 0, &v,
		 &found, err);
	if (rc)
		return rc;
	if (!v)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: no review group %lld (colink link review "
				  "lists the open groups)", wh->name, group);
	rc = one(wh, "SELECT pe.person_no FROM link_review AS r JOIN person AS pe "
		 "ON pe.person_id = r.employer_person_id JOIN person AS pa "
		 "ON pa.person_id = r.association_person_id WHERE r.group_no = ?1 AND "
		 "((pe.person_no = ?2 AND pa.person_no = ?3) OR (pe.person_no = ?3 AND pa.person_no = ?2))",
		 group, x, y, &v, &found, err);
	if (rc)
		return rc;
	if (!found)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: review group %lld has no pair of persons "
				  "%lld and %lld", wh->name, group, x, y);
	*e = v;
	*a = v == x ? y : x;
	rc = one(wh, "SELECT decision_id FROM link_decision WHERE revoked IS NULL AND "
		 "employer_no = ?1 AND association_no = ?2", *e, *a, 0, &v, &found, err);
	if (rc)
		return rc;
	if (found)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: decision %lld already settles persons %lld "
				  "and %lld (colink link revoke it first)", wh->name, v, *e, *a);
	if (strcmp(kind, "link"))
		return COLINK_OK;
	rc = one(wh, "SELECT p.person_no FROM person AS p JOIN link AS l ON "
		 "l.employer_person_id = p.person_id OR l.association_person_id = p.person_id "
		 "WHERE p.person_no IN (?1, ?2) LIMIT 1", *e, *a, 0, &v, &found, err);
	if (rc)
		return rc;
	if (found)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: person %lld is linked already", wh->name, v);
	rc = one(wh, "SELECT decision_id FROM link_decision WHERE revoked IS NULL AND kind = 'link' "
		 "AND (employer_no = ?1 OR association_no = ?2)", *e, *a, 0, &v, &found, err);
	if (rc)
		return rc;
	if (found)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: decision %lld links one of persons %lld and "
				  "%lld already (colink link revoke it first)", wh->name, v, *e, *a);
	return COLINK_OK;
}

/* Read decision `id` back and hand it to the hook, then COMMIT. */
static int hook_and_commit(struct colink_wh *wh, long long id, colink_wh_before_commit hook,
			   void *ud, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	struct colink_wh_decision d;
	char sql[sizeof(decisions_sql) + 32];
	int rc = COLINK_OK;
	snprintf(sql, sizeof(sql), "%s WHERE decision_id = ?1", decisions_sql);
	if (sqlite3_prepare_v2(whs_db(wh), sql, -1, &st, NULL) != SQLITE_OK)
		rc = db_err(wh, "reading the link decision", err);
	else if (sqlite3_bind_int64(st, 1, id), sqlite3_step(st) != SQLITE_ROW)
		rc = db_err(wh, "reading the link decision", err);
	if (!rc) {
		row_decision(st, &d);
		if (hook)
			rc = hook(ud, &d, err);
	}
	sqlite3_finalize(st);
	if (!rc && sqlite3_exec(whs_db(wh), "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = db_err(wh, "committing the link decision", err);
	return rc;
}

static int begin(struct colink_wh *wh, struct colink_error *err)
{
	if (sqlite3_exec(whs_db(wh), "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_err(wh, "starting the link decision", err);
	return COLINK_OK;
}

static void rollback(struct colink_wh *wh)
{
	if (!sqlite3_get_autocommit(whs_db(wh)))
		sqlite3_exec(whs_db(wh), "ROLLBACK", NULL, NULL, NULL);
}

int whs_link_decide(struct colink_wh *wh, long long group, long long x, long long y,
		    const char *kind, const char *by, const char *why,
		    colink_wh_before_commit hook, void *ud, long long *decision_id,
		    struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	char user[128];
	long long e = 0, a = 0;
	int rc = begin(wh, err);
	if (!rc)
		rc = decide_checks(wh, group, x, y, kind, &e, &a, err);
	if (!rc && sqlite3_prepare_v2(whs_db(wh), "INSERT INTO link_decision (group_no, "
				      "employer_no, association_no, kind, decided_by, why, decided, "
				      "os_user) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
				      "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?7)", -1, &st,
				      NULL) != SQLITE_OK)
		rc = db_err(wh, "recording the link decision", err);
	if (!rc) {
		colink_os_user(user, sizeof(user));
		sqlite3_bind_int64(st, 1, group);
		sqlite3_bind_int64(st, 2, e);
		sqlite3_bind_int64(st, 3, a);
		sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, why, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, user, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_err(wh, "recording the link decision", err);
		else
			*decision_id = sqlite3_last_insert_rowid(whs_db(wh));
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = hook_and_commit(wh, *decision_id, hook, ud, err);
	if (rc) {
		*decision_id = 0;
		rollback(wh);
	}
	return rc;
}

int whs_link_revoke(struct colink_wh *wh, long long id, const char *by, const char *why,
		    colink_wh_before_commit hook, void *ud, int *unlinked,
		    struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	long long v = 0;
	int found = 0, rc = begin(wh, err);
	if (!rc)
		rc = one(wh, "SELECT revoked IS NOT NULL FROM link_decision WHERE decision_id = ?1", id,
			 0, 0, &v, &found, err);
	if (!rc && !found)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: no link decision %lld", wh->name, id);
	else if (!rc && v)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: link decision %lld is revoked already",
				wh->name, id);
	if (!rc && sqlite3_prepare_v2(whs_db(wh), "UPDATE link_decision SET revoked = "
				      "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), revoked_by = ?2, "
				      "revoked_why = ?3 WHERE decision_id = ?1", -1, &st,
				      NULL) != SQLITE_OK)
		rc = db_err(wh, "revoking the link decision", err);
	if (!rc) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, why, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_err(wh, "revoking the link decision", err);
	}
	sqlite3_finalize(st);
	st = NULL;
	/* the link a "link" decision made (pass 0) goes with it */
	if (!rc && sqlite3_prepare_v2(whs_db(wh), "DELETE FROM link WHERE kind = 'decision' AND "
				      "employer_person_id = (SELECT p.person_id FROM person AS p "
				      "JOIN link_decision AS d ON d.employer_no = p.person_no "
				      "WHERE d.decision_id = ?1 AND d.kind = 'link') AND "
				      "association_person_id = (SELECT p.person_id FROM person AS p "
				      "JOIN link_decision AS d ON d.association_no = p.person_no "
				      "WHERE d.decision_id = ?1)", -1, &st, NULL) != SQLITE_OK)
		rc = db_err(wh, "revoking the link decision", err);
	if (!rc) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_err(wh, "removing the decision's link", err);
		else
			*unlinked = sqlite3_changes(whs_db(wh)) > 0;
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = hook_and_commit(wh, id, hook, ud, err);
	if (rc) {
		*unlinked = 0;
		rollback(wh);
	}
	return rc;
}
