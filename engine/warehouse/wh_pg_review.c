/*
 * wh_pg_review.c -- review decisions that stick (#18 part 6) on a
 * PostgreSQL warehouse: wh_sqlite_review.c's reads and writes in
 * PostgreSQL's dialect, with the same checks, messages and results.
 * Evidence is computed on the server: only the names of what agrees reach
 * C, never a pseudonym, sex or birth month.
 *
 * The session is READ ONLY by default (wh_pg.c); decide and revoke open
 * one "BEGIN READ WRITE" transaction of their own: take the warehouse's
 * lock (the advisory lock out_postgres holds for a whole run, as a
 * transaction lock here: waited for up to 5 s with COLINK_WH_WAIT, then
 * COLINK_EBUSY), validate, write, call the caller's hook (the audit entry,
 * on disk before the COMMIT), COMMIT.  A failing hook rolls it all back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "warehouse/wh_pg_int.h"

static long long num(PGresult *res, int r, int c)
{
	return strtoll(PQgetvalue(res, r, c), NULL, 10);
}

static const char *txt(PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

/* A query with up to three bigint parameters; NULL (err set) on failure. */
static PGresult *q3(struct colink_wh *wh, const char *sql, int n, long long p1, long long p2,
		    long long p3, const char *what, struct colink_error *err)
{
	char b[3][24];
	const char *v[3] = { b[0], b[1], b[2] };
	PGresult *res;
	snprintf(b[0], sizeof(b[0]), "%lld", p1);
	snprintf(b[1], sizeof(b[1]), "%lld", p2);
	snprintf(b[2], sizeof(b[2]), "%lld", p3);
	res = PQexecParams(whp_db(wh), sql, n, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		whp_err(wh, what, PQresultErrorMessage(res), err);
		PQclear(res);
		return NULL;
	}
	return res;
}

static void add(char *buf, size_t n, const char *name)
{
	size_t len = strlen(buf);
	snprintf(buf + len, n - len, "%s%s", len ? "," : "", name);
}

/* As wh_sqlite_review.c: per key kind of either person (in byte order, as
 * SQLite sorts), then sex and birth month (0 agree, 1 disagree, 2 missing
 * on a side). */
static const char kinds_sql[] =
	"SELECT k.kind, bool_or(k.person_no = $1::bigint) AND bool_or(k.person_no = $2::bigint), "
	"EXISTS (SELECT 1 FROM person_key AS x JOIN person_key AS y ON y.kind = x.kind "
	"AND y.pseudonym = x.pseudonym WHERE x.kind = k.kind AND x.person_no = $1::bigint "
	"AND y.person_no = $2::bigint) FROM person_key AS k "
	"WHERE k.person_no IN ($1::bigint, $2::bigint) "
	"GROUP BY k.kind ORDER BY k.kind COLLATE \"C\"";
static const char attrs_sql[] =
	"SELECT CASE WHEN e.sex IS NULL OR a.sex IS NULL THEN 2 WHEN e.sex = a.sex THEN 0 ELSE 1 END, "
	"CASE WHEN e.birth_ym IS NULL OR a.birth_ym IS NULL THEN 2 "
	"WHEN e.birth_ym = a.birth_ym THEN 0 ELSE 1 END "
	"FROM person AS e, person AS a WHERE e.person_no = $1::bigint AND a.person_no = $2::bigint";

struct evidence {
	char agree[256], disagree[256], missing[256];
};

static void sort_in(struct evidence *ev, const char *name, int how)
{
	add(how == 0 ? ev->agree : how == 1 ? ev->disagree : ev->missing, sizeof(ev->agree), name);
}

static int evidence(struct colink_wh *wh, long long e, long long a, struct evidence *ev,
		    struct colink_error *err)
{
	PGresult *res;
	int i;
	memset(ev, 0, sizeof(*ev));
	if (!(res = q3(wh, kinds_sql, 2, e, a, 0, "reading the review evidence", err)))
		return COLINK_EIO;
	for (i = 0; i < PQntuples(res); i++)
		sort_in(ev, PQgetvalue(res, i, 0),
			*PQgetvalue(res, i, 2) == 't' ? 0 : *PQgetvalue(res, i, 1) == 't' ? 1 : 2);
	PQclear(res);
	if (!(res = q3(wh, attrs_sql, 2, e, a, 0, "reading the review evidence", err)))
		return COLINK_EIO;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return whp_err(wh, "reading the review evidence", "a person of the pair is missing",
			       err);
	}
	sort_in(ev, "sex", (int)num(res, 0, 0));
	sort_in(ev, "birth_ym", (int)num(res, 0, 1));
	PQclear(res);
	return COLINK_OK;
}

/* The open pairs of run $1: both persons unlinked, no decision in force on
 * the group. */
static const char review_sql[] =
	"SELECT r.group_no, r.pass, r.kind, pe.person_no, pa.person_no, r.weight, r.levels "
	"FROM link_review AS r "
	"JOIN person AS pe ON pe.person_id = r.employer_person_id "
	"JOIN person AS pa ON pa.person_id = r.association_person_id "
	"WHERE r.run_id = $1 AND r.group_no IS NOT NULL "
	"AND NOT EXISTS (SELECT 1 FROM link AS l WHERE l.employer_person_id = r.employer_person_id) "
	"AND NOT EXISTS (SELECT 1 FROM link AS l "
	"WHERE l.association_person_id = r.association_person_id) "
	"AND NOT EXISTS (SELECT 1 FROM link_decision AS d WHERE d.revoked IS NULL "
	"AND d.group_no = r.group_no) "
	"ORDER BY r.group_no, pe.person_no, pa.person_no";

int whp_link_review(struct colink_wh *wh, char run_id[72], colink_wh_review_cb cb, void *ud,
		    struct colink_error *err)
{
	struct colink_wh_link_summary s;
	struct colink_wh_review_pair p;
	struct evidence ev;
	const char *v[1];
	PGresult *res;
	int rc, i;
	memset(&s, 0, sizeof(s));
	rc = wh->be->link_summary(wh, NULL, &s, err);
	if (rc <= 0)
		return rc; /* 0: no run linked, nothing to review */
	snprintf(run_id, 72, "%s", s.run_id);
	v[0] = s.run_id;
	res = PQexecParams(whp_db(wh), review_sql, 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = whp_err(wh, "reading the link review", PQresultErrorMessage(res), err);
		PQclear(res);
		return rc;
	}
	rc = COLINK_OK;
	memset(&p, 0, sizeof(p));
	for (i = 0; !rc && i < PQntuples(res); i++) {
		p.group_no = num(res, i, 0);
		p.pass = num(res, i, 1);
		p.kind = PQgetvalue(res, i, 2);
		p.employer_no = num(res, i, 3);
		p.association_no = num(res, i, 4);
		/* #23: NULL for an exact pass, as sqlite3_column_double/text give */
		p.weight = PQgetisnull(res, i, 5) ? 0 : strtod(PQgetvalue(res, i, 5), NULL);
		p.levels = txt(res, i, 6);
		if ((rc = evidence(wh, p.employer_no, p.association_no, &ev, err)))
			break;
		p.agree = ev.agree;
		p.disagree = ev.disagree;
		p.missing = ev.missing;
		rc = cb(ud, &p);
	}
	PQclear(res);
	return rc;
}

static const char decisions_sql[] =
	"SELECT decision_id, group_no, employer_no, association_no, kind, decided_by, why, "
	"decided, revoked, revoked_by, revoked_why FROM link_decision";

static void row_decision(PGresult *res, int r, struct colink_wh_decision *d)
{
	d->decision_id = num(res, r, 0);
	d->group_no = num(res, r, 1);
	d->employer_no = num(res, r, 2);
	d->association_no = num(res, r, 3);
	d->kind = txt(res, r, 4);
	d->by = txt(res, r, 5);
	d->why = txt(res, r, 6);
	d->decided = txt(res, r, 7);
	d->revoked = txt(res, r, 8);
	d->revoked_by = txt(res, r, 9);
	d->revoked_why = txt(res, r, 10);
}

/* Oldest first: SQLite reads them in rowid order, which is decision_id. */
int whp_link_decisions(struct colink_wh *wh, colink_wh_decision_cb cb, void *ud,
		       struct colink_error *err)
{
	char sql[sizeof(decisions_sql) + 32];
	struct colink_wh_decision d;
	PGresult *res;
	int rc = COLINK_OK, i;
	snprintf(sql, sizeof(sql), "%s ORDER BY decision_id", decisions_sql);
	res = PQexec(whp_db(wh), sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = whp_err(wh, "reading the link decisions", PQresultErrorMessage(res), err);
		PQclear(res);
		return rc;
	}
	for (i = 0; !rc && i < PQntuples(res); i++) {
		row_decision(res, i, &d);
		rc = cb(ud, &d);
	}
	PQclear(res);
	return rc;
}

/* One integer from `sql` with $1..$3; *found 0 when no row. */
static int one(struct colink_wh *wh, const char *sql, long long p1, long long p2, long long p3,
	       long long *v, int *found, struct colink_error *err)
{
	PGresult *res = q3(wh, sql, 3, p1, p2, p3, "reading the link decisions", err);
	*found = 0;
	if (!res)
		return COLINK_EIO;
	if (PQntuples(res) > 0) {
		*found = 1;
		*v = num(res, 0, 0);
	}
	PQclear(res);
	return COLINK_OK;
}

/* The checks of a new decision, inside the transaction; *e, *a: the pair's
 * employer and association person.  Every query names $1..$3 (unused ones
 * in a dummy condition) so that one() can bind three. */
static int decide_checks(struct colink_wh *wh, long long group, long long x, long long y,
			 const char *kind, long long *e, long long *a, struct colink_error *err)
{
	long long v = 0;
	int found, rc;
	rc = one(wh, "SELECT count(*) FROM link_review WHERE group_no = $1::bigint "
		 "AND $2::bigint IS NOT NULL AND $3::bigint IS NOT NULL", group, 0, 0, &v, &found, err);
	if (rc)
		return rc;
	if (!v)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: no review group %lld (colink link review "
				  "lists the open groups)", wh->name, group);
	rc = one(wh, "SELECT pe.person_no FROM link_review AS r JOIN person AS pe "
		 "ON pe.person_id = r.employer_person_id JOIN person AS pa "
		 "ON pa.person_id = r.association_person_id WHERE r.group_no = $1::bigint AND "
		 "((pe.person_no = $2::bigint AND pa.person_no = $3::bigint) OR "
		 "(pe.person_no = $3::bigint AND pa.person_no = $2::bigint)) LIMIT 1",
		 group, x, y, &v, &found, err);
	if (rc)
		return rc;
	if (!found)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: review group %lld has no pair of persons "
				  "%lld and %lld", wh->name, group, x, y);
	*e = v;
	*a = v == x ? y : x;
	rc = one(wh, "SELECT decision_id FROM link_decision WHERE revoked IS NULL AND "
		 "employer_no = $1::bigint AND association_no = $2::bigint AND $3::bigint IS NOT NULL "
		 "ORDER BY decision_id LIMIT 1", *e, *a, 0, &v, &found, err);
	if (rc)
		return rc;
	if (found)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: decision %lld already settles persons %lld "
				  "and %lld (colink link revoke it first)", wh->name, v, *e, *a);
	if (strcmp(kind, "link"))
		return COLINK_OK;
	rc = one(wh, "SELECT p.person_no FROM person AS p JOIN link AS l ON "
		 "l.employer_person_id = p.person_id OR l.association_person_id = p.person_id "
		 "WHERE p.person_no IN ($1::bigint, $2::bigint) AND $3::bigint IS NOT NULL "
		 "ORDER BY p.person_no LIMIT 1", *e, *a, 0, &v, &found, err);
	if (rc)
		return rc;
	if (found)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: person %lld is linked already", wh->name, v);
	rc = one(wh, "SELECT decision_id FROM link_decision WHERE revoked IS NULL AND kind = 'link' "
		 "AND (employer_no = $1::bigint OR association_no = $2::bigint) "
		 "AND $3::bigint IS NOT NULL ORDER BY decision_id LIMIT 1", *e, *a, 0, &v, &found, err);
	if (rc)
		return rc;
	if (found)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: decision %lld links one of persons %lld and "
				  "%lld already (colink link revoke it first)", wh->name, v, *e, *a);
	return COLINK_OK;
}

static int exec(struct colink_wh *wh, const char *sql, const char *what, struct colink_error *err)
{
	PGresult *res = PQexec(whp_db(wh), sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK
		? COLINK_OK : whp_err(wh, what, PQresultErrorMessage(res), err);
	PQclear(res);
	return rc;
}

/* BEGIN READ WRITE, then the warehouse's lock (the key out_postgres's
 * take_lock uses), retried for 5 s with COLINK_WH_WAIT. */
static int begin(struct colink_wh *wh, struct colink_error *err)
{
	struct whp *s = wh->impl;
	const char *v[1] = { s->schema };
	int rc = exec(wh, "BEGIN READ WRITE", "starting the link decision", err), waited = 0;
	while (!rc) {
		PGresult *res = PQexecParams(s->db, "SELECT pg_try_advisory_xact_lock("
					     "hashtext('colink warehouse ' || $1))", 1, NULL, v, NULL,
					     NULL, 0);
		int got = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
			  *PQgetvalue(res, 0, 0) == 't';
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			rc = whp_err(wh, "taking the warehouse lock", PQresultErrorMessage(res), err);
		PQclear(res);
		if (rc || got)
			break;
		if (!(s->flags & COLINK_WH_WAIT) || waited >= 5000)
			rc = COLINK_ERR(err, COLINK_EBUSY, "%s: warehouse is locked by a run", wh->name);
		usleep(100 * 1000);
		waited += 100;
	}
	return rc;
}

static void rollback(struct colink_wh *wh)
{
	if (PQtransactionStatus(whp_db(wh)) != PQTRANS_IDLE)
		PQclear(PQexec(whp_db(wh), "ROLLBACK"));
}

/* Read decision `id` back and hand it to the hook, then COMMIT. */
static int hook_and_commit(struct colink_wh *wh, long long id, colink_wh_before_commit hook,
			   void *ud, struct colink_error *err)
{
	char sql[sizeof(decisions_sql) + 40];
	struct colink_wh_decision d;
	PGresult *res;
	int rc = COLINK_OK;
	snprintf(sql, sizeof(sql), "%s WHERE decision_id = $1::bigint", decisions_sql);
	if (!(res = q3(wh, sql, 1, id, 0, 0, "reading the link decision", err)))
		return COLINK_EIO;
	if (PQntuples(res) != 1)
		rc = whp_err(wh, "reading the link decision", "not found", err);
	if (!rc) {
		row_decision(res, 0, &d);
		if (hook)
			rc = hook(ud, &d, err);
	}
	PQclear(res);
	if (!rc)
		rc = exec(wh, "COMMIT", "committing the link decision", err);
	return rc;
}

/* now() in SQLite's strftime('%Y-%m-%dT%H:%M:%SZ', 'now') form */
#define NOW_UTC "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

int whp_link_decide(struct colink_wh *wh, long long group, long long x, long long y,
		    const char *kind, const char *by, const char *why,
		    colink_wh_before_commit hook, void *ud, long long *decision_id,
		    struct colink_error *err)
{
	char user[128], b[3][24];
	const char *v[7] = { b[0], b[1], b[2], kind, by, why, user };
	long long e = 0, a = 0;
	PGresult *res;
	int rc = begin(wh, err);
	if (!rc)
		rc = decide_checks(wh, group, x, y, kind, &e, &a, err);
	if (!rc) {
		colink_os_user(user, sizeof(user));
		snprintf(b[0], sizeof(b[0]), "%lld", group);
		snprintf(b[1], sizeof(b[1]), "%lld", e);
		snprintf(b[2], sizeof(b[2]), "%lld", a);
		res = PQexecParams(whp_db(wh), "INSERT INTO link_decision (group_no, employer_no, "
				   "association_no, kind, decided_by, why, decided, os_user) VALUES "
				   "($1::bigint, $2::bigint, $3::bigint, $4, $5, $6, " NOW_UTC ", $7) "
				   "RETURNING decision_id", 7, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
			rc = whp_err(wh, "recording the link decision", PQresultErrorMessage(res), err);
		else
			*decision_id = num(res, 0, 0);
		PQclear(res);
	}
	if (!rc)
		rc = hook_and_commit(wh, *decision_id, hook, ud, err);
	if (rc) {
		*decision_id = 0;
		rollback(wh);
	}
	return rc;
}

int whp_link_revoke(struct colink_wh *wh, long long id, const char *by, const char *why,
		    colink_wh_before_commit hook, void *ud, int *unlinked,
		    struct colink_error *err)
{
	char b[24];
	const char *v[3] = { b, by, why };
	long long r = 0;
	PGresult *res;
	int found = 0, rc = begin(wh, err);
	if (!rc)
		rc = one(wh, "SELECT CASE WHEN revoked IS NULL THEN 0 ELSE 1 END FROM link_decision "
			 "WHERE decision_id = $1::bigint AND $2::bigint IS NOT NULL AND "
			 "$3::bigint IS NOT NULL", id, 0, 0, &r, &found, err);
	if (!rc && !found)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: no link decision %lld", wh->name, id);
	else if (!rc && r)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: link decision %lld is revoked already",
				wh->name, id);
	snprintf(b, sizeof(b), "%lld", id);
	if (!rc) {
		res = PQexecParams(whp_db(wh), "UPDATE link_decision SET revoked = " NOW_UTC ", "
				   "revoked_by = $2, revoked_why = $3 WHERE decision_id = $1::bigint",
				   3, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = whp_err(wh, "revoking the link decision", PQresultErrorMessage(res), err);
		PQclear(res);
	}
	/* the link a "link" decision made (pass 0) goes with it */
	if (!rc) {
		res = PQexecParams(whp_db(wh), "DELETE FROM link WHERE kind = 'decision' AND "
				   "employer_person_id = (SELECT p.person_id FROM person AS p "
				   "JOIN link_decision AS d ON d.employer_no = p.person_no "
				   "WHERE d.decision_id = $1::bigint AND d.kind = 'link') AND "
				   "association_person_id = (SELECT p.person_id FROM person AS p "
				   "JOIN link_decision AS d ON d.association_no = p.person_no "
				   "WHERE d.decision_id = $1::bigint)", 1, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = whp_err(wh, "removing the decision's link", PQresultErrorMessage(res), err);
		else
			*unlinked = strtoll(PQcmdTuples(res), NULL, 10) > 0;
		PQclear(res);
	}
	if (!rc)
		rc = hook_and_commit(wh, id, hook, ud, err);
	if (rc) {
		*unlinked = 0;
		rollback(wh);
	}
	return rc;
}
