/*
 * wh_pg.c -- engine/warehouse's PostgreSQL backend (#16 part 4): open,
 * schema version and the link report (link_summary, link_report) of a
 * warehouse out_postgres wrote; wh_pg_exam.c has the programs' reads,
 * wh_pg_wp.c and wh_pg_part.c the white paper's, wh_pg_review.c review
 * decisions.  Extracts are SQLite files whatever the warehouse (colink
 * pseudonymize always writes one), read by wh_sqlite_extract.c.
 *
 * URI: "postgresql://..." or "postgres://..." (libpq's URI, passed to
 * libpq as is), optionally ending in "#SCHEMA" (default "colink", as
 * out_postgres's schema setting).  A password in the URI is masked in
 * every message (the handle's name is rewritten); libpq's own messages
 * never carry it.  Read only: the session is READ ONLY, so a report can
 * change nothing, and sees the last committed state of a run; only
 * wh_pg_review.c's decide and revoke open a READ WRITE transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "warehouse/wh_pg_int.h"

/* The URI with its password (user:PASSWORD@ or password=...) masked. */
static char *masked(const char *uri)
{
	char *m = colink_strdup(uri), *at, *colon, *p;
	if (!m)
		return NULL;
	p = strstr(m, "://");
	at = p ? strchr(p + 3, '@') : NULL;
	colon = p ? strchr(p + 3, ':') : NULL;
	if (at && colon && colon < at)
		memmove(colon + 4, at, strlen(at) + 1), memcpy(colon + 1, "***", 3);
	if ((p = strstr(m, "password=")) != NULL) {
		char *e = p + 9 + strcspn(p + 9, "&# ");
		memmove(p + 12, e, strlen(e) + 1);
		memcpy(p + 9, "***", 3);
	}
	return m;
}

int whp_err(struct colink_wh *wh, const char *what, const char *msg, struct colink_error *err)
{
	size_t n = msg ? strcspn(msg, "\n") : 0;
	return COLINK_ERR(err, COLINK_EIO, "%s: %s: %.*s", wh->name, what, (int)n, msg ? msg : "");
}

static int whp_open(struct colink_wh *wh, const char *target, unsigned flags,
		    struct colink_error *err)
{
	struct whp *s = colink_calloc(1, sizeof(*s));
	char *uri, *hash, *schema, *q, sql[300], *name;
	PGresult *res;
	int rc = COLINK_OK;
	/* read only by default (a lock held by a run never blocks a read);
	 * wh_pg_review.c's writes open a READ WRITE transaction of their own */
	if (!s)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	wh->impl = s;
	s->flags = flags;
	if ((name = masked(wh->name)) != NULL) {
		colink_free(wh->name);
		wh->name = name;
	}
	/* the scheme was cut off by warehouse.c; libpq wants the whole URI */
	uri = colink_malloc(strlen(target) + 16);
	if (!uri)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	snprintf(uri, strlen(target) + 16, "postgresql:%s", target);
	hash = strchr(uri, '#');
	schema = hash ? hash + 1 : "colink";
	if (hash)
		*hash = '\0';
	s->db = PQconnectdb(uri);
	if (!s->db || PQstatus(s->db) != CONNECTION_OK)
		rc = whp_err(wh, "cannot connect", s->db ? PQerrorMessage(s->db) : "out of memory",
				  err);
	if (!rc && !(s->schema = colink_strdup(schema)))
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (!rc && !(q = PQescapeIdentifier(s->db, schema, strlen(schema))))
		rc = whp_err(wh, "schema name", PQerrorMessage(s->db), err);
	if (!rc) {
		snprintf(sql, sizeof(sql), "SET search_path TO %s; SET client_encoding TO 'UTF8'; "
			 "SET default_transaction_read_only TO on", q);
		PQfreemem(q);
		res = PQexec(s->db, sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = whp_err(wh, "cannot open the warehouse", PQresultErrorMessage(res), err);
		PQclear(res);
	}
	/* a sharded warehouse (#17): aggregates and joins per partition, so a
	 * GROUP BY person_no runs on the shards (postgres_fdw pushes the
	 * per-partition aggregate into its Remote SQL) */
	if (!rc) {
		res = PQexec(s->db, "SELECT to_regclass('colink_shard') IS NOT NULL");
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    PQgetvalue(res, 0, 0)[0] == 't') {
			PQclear(res);
			res = PQexec(s->db, "SET enable_partitionwise_aggregate TO on; "
				     "SET enable_partitionwise_join TO on");
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				rc = whp_err(wh, "cannot open the warehouse", PQresultErrorMessage(res),
					     err);
		}
		PQclear(res);
	}
	colink_free(uri);
	return rc;
}

static void whp_close(struct colink_wh *wh)
{
	struct whp *s = wh->impl;
	if (!s)
		return;
	if (s->db)
		PQfinish(s->db);
	colink_free(s->schema);
	colink_free(s);
	wh->impl = NULL;
}

static void whp_schema_version(struct colink_wh *wh, long long *v)
{
	struct whp *s = wh->impl;
	PGresult *res = PQexec(s->db, "SELECT max(version) FROM schema_version");
	*v = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		*v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
}

static long long col(PGresult *res, int r, int c)
{
	return strtoll(PQgetvalue(res, r, c), NULL, 10);
}

/* As whs_link_summary: 1 found, 0 none, -1 error.  The latest run is the
 * latest started (ties: the greater run id; PostgreSQL has no rowid). */
static int whp_link_summary(struct colink_wh *wh, const char *run,
			    struct colink_wh_link_summary *out, struct colink_error *err)
{
	struct whp *s = wh->impl;
	const char *sel = "SELECT s.run_id, r.started, s.association_persons, s.employer_persons, "
			  "s.linked_new, s.linked_total, s.ambiguous, s.unmatched_association, "
			  "s.unmatched_employer, s.review_association, s.review_employer, "
			  "s.linked_decision FROM link_summary s JOIN run r USING (run_id) ";
	char sql[600];
	const char *v[1] = { run };
	PGresult *res;
	int found;
	snprintf(sql, sizeof(sql), "%s%s", sel, run ? "WHERE s.run_id = $1"
		 : "WHERE r.status = 'ok' ORDER BY r.started DESC, r.run_id DESC LIMIT 1");
	res = PQexecParams(s->db, sql, run ? 1 : 0, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		whp_err(wh, "reading the link report", PQresultErrorMessage(res), err);
		PQclear(res);
		return -1;
	}
	found = PQntuples(res) > 0;
	if (found) {
		snprintf(out->run_id, sizeof(out->run_id), "%s", PQgetvalue(res, 0, 0));
		snprintf(out->started, sizeof(out->started), "%s", PQgetvalue(res, 0, 1));
		out->association_persons = col(res, 0, 2);
		out->employer_persons = col(res, 0, 3);
		out->linked_new = col(res, 0, 4);
		out->linked_total = col(res, 0, 5);
		out->ambiguous = col(res, 0, 6);
		out->unmatched_association = col(res, 0, 7);
		out->unmatched_employer = col(res, 0, 8);
		out->review_association = PQgetisnull(res, 0, 9) ? -1 : col(res, 0, 9); /* v9 */
		out->review_employer = PQgetisnull(res, 0, 10) ? -1 : col(res, 0, 10);
		out->linked_decision = PQgetisnull(res, 0, 11) ? -1 : col(res, 0, 11);
	}
	PQclear(res);
	return found;
}

static int whp_link_passes(struct colink_wh *wh, const char *run, colink_wh_link_pass_cb cb,
			   void *ud, struct colink_error *err)
{
	struct whp *s = wh->impl;
	const char *v[1] = { run };
	struct colink_wh_link_pass p;
	PGresult *res = PQexecParams(s->db, "SELECT pass, kind, linked, ambiguous FROM link_report "
				     "WHERE run_id = $1 ORDER BY pass", 1, NULL, v, NULL, NULL, 0);
	int i, ret = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		whp_err(wh, "reading the link report", PQresultErrorMessage(res), err);
		PQclear(res);
		return -1;
	}
	for (i = 0; !ret && i < PQntuples(res); i++) {
		p.pass = col(res, i, 0);
		p.kind = PQgetvalue(res, i, 1);
		p.linked = col(res, i, 2);
		p.ambiguous = col(res, i, 3);
		ret = cb(ud, &p);
	}
	PQclear(res);
	return ret;
}

/* Every operation of wh_int.h; extracts are files (colink_wh_extract_read). */
const struct wh_backend wh_pg_backend = {
	.scheme = "postgresql",
	.alias = "postgres",
	.open = whp_open,
	.close = whp_close,
	.schema_version = whp_schema_version,
	.exams = whp_exams,
	.smoking_answers = whp_smoking_answers,
	.latest_fiscal_year = whp_latest_fiscal_year,
	.followup = whp_followup,
	.claim_months = whp_claim_months,
	.first_diagnosis = whp_first_diagnosis,
	.linked_employer = whp_linked_employer,
	.runs = whp_runs,
	.link_summary = whp_link_summary,
	.link_passes = whp_link_passes,
	/* the white paper (wh_pg_wp.c, wh_pg_part.c, wh_pg_allow.c) */
	.wp_begin = whp_wp_begin,
	.wp_exam = whp_wp_exam,
	.wp_attendance = whp_wp_attendance,
	.wp_band = whp_wp_band,
	.wp_sites = whp_wp_sites,
	.wp_site_merge = whp_wp_site_merge,
	.wp_jobs = whp_wp_jobs,
	.wp_count = whp_wp_count,
	.wp_guidance = whp_wp_guidance,
	.wp_site_row = whp_wp_site_row,
	.wp_end = whp_wp_end,
	.claims_by_band = whp_claims_by_band,
	.wp_participation = whp_wp_participation,
	.wp_allowance = whp_wp_allowance,
	.claims_by_group = whp_claims_by_group,
	/* review decisions (wh_pg_review.c) */
	.link_review = whp_link_review,
	.link_decisions = whp_link_decisions,
	.link_decide = whp_link_decide,
	.link_revoke = whp_link_revoke,
};

