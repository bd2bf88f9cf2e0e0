/*
 * pg_2pc.c -- in-doubt prepared transactions of a sharded PostgreSQL
 * warehouse, resolved from the coordinator's ledger (pg_2pc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse/pg_2pc.h"

void colink_pg_2pc_gid(char *buf, size_t size, const char *run_id, int i)
{
	snprintf(buf, size, "colink-%s-%d", run_id, i);
}

static void first_line(char *msg, size_t size, const char *what, const char *pgmsg)
{
	size_t n = pgmsg ? strcspn(pgmsg, "\n") : 0;
	snprintf(msg, size, "%s: %.*s", what, (int)n, pgmsg ? pgmsg : "");
}

long colink_pg_2pc_count(PGconn *db)
{
	PGresult *res = PQexec(db, "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE "
			       "'colink-%' AND database = current_database()");
	long n = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

/* The run's ledger status on the coordinator into st ("" when no row). */
static int ledger_status(PGconn *coord, const char *run_id, char *st, size_t size, char *msg,
			 size_t msgsize)
{
	const char *v[1] = { run_id };
	PGresult *res = PQexecParams(coord, "SELECT status FROM run WHERE run_id = $1", 1, NULL, v,
				     NULL, NULL, 0);
	int rc = 0;
	st[0] = '\0';
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		first_line(msg, msgsize, "reading the run ledger", PQresultErrorMessage(res));
		rc = -1;
	} else if (PQntuples(res) == 1)
		snprintf(st, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

/* One server's colink-* prepared transactions, each decided by the ledger.
 * The coordinator is done first, so that a shard's decision reads the
 * coordinator's ledger as committed or rolled back. */
static int resolve_one(PGconn *coord, PGconn *db, unsigned *committed, unsigned *rolled_back,
		       char *msg, size_t msgsize)
{
	PGresult *res = PQexec(db, "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'colink-%' "
			       "AND database = current_database() ORDER BY gid");
	int i, rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		first_line(msg, msgsize, "listing prepared transactions", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	for (i = 0; !rc && i < PQntuples(res); i++) {
		const char *gid = PQgetvalue(res, i, 0);
		char run[80], st[32], sql[200], *dash;
		PGresult *r2;
		snprintf(run, sizeof(run), "%s", gid + 7);
		dash = strrchr(run, '-');
		if (!dash)
			continue; /* not one of ours */
		*dash = '\0';
		rc = ledger_status(coord, run, st, sizeof(st), msg, msgsize);
		if (rc)
			break;
		/* gid is colink-HEX-DIGITS: no quote can be in it, but quote anyway */
		{
			char *lit = PQescapeLiteral(db, gid, strlen(gid));
			if (!lit) {
				first_line(msg, msgsize, "quoting", PQerrorMessage(db));
				rc = -1;
				break;
			}
			snprintf(sql, sizeof(sql), "%s PREPARED %s",
				 !strcmp(st, "ok") ? "COMMIT" : "ROLLBACK", lit);
			PQfreemem(lit);
		}
		r2 = PQexec(db, sql);
		if (PQresultStatus(r2) != PGRES_COMMAND_OK) {
			first_line(msg, msgsize, "resolving a prepared transaction",
				   PQresultErrorMessage(r2));
			rc = -1;
		} else if (!strcmp(st, "ok"))
			++*committed;
		else
			++*rolled_back;
		PQclear(r2);
	}
	PQclear(res);
	return rc;
}

int colink_pg_2pc_resolve(PGconn *coord, PGconn *const *shards, size_t n, unsigned *committed,
			  unsigned *rolled_back, char *msg, size_t msgsize)
{
	size_t i;
	*committed = *rolled_back = 0;
	msg[0] = '\0';
	if (resolve_one(coord, coord, committed, rolled_back, msg, msgsize))
		return -1;
	for (i = 0; i < n; i++)
		if (shards[i] && resolve_one(coord, shards[i], committed, rolled_back, msg, msgsize))
			return -1;
	return 0;
}

/* max(version) of schema_version on one server into *v (-1: no table). */
static int max_version(PGconn *db, long *v, char *pgmsg, size_t size)
{
	PGresult *res = PQexec(db, "SELECT to_regclass('schema_version') IS NOT NULL");
	int rc = 0;
	*v = -1;
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = -1;
	else if (PQgetvalue(res, 0, 0)[0] == 't') {
		PQclear(res);
		res = PQexec(db, "SELECT coalesce(max(version), -1) FROM schema_version");
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
			rc = -1;
		else
			*v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	}
	if (rc)
		snprintf(pgmsg, size, "%.*s", (int)strcspn(PQresultErrorMessage(res), "\n"),
			 PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

/* "postgresql:///db?host=h&user=u" as given, or its database and host
 * only when it carries a password. */
static void shard_uri(const char *uri, char *buf, size_t size)
{
	PQconninfoOption *opts = PQconninfoParse(uri, NULL), *p;
	const char *db = "?", *host = "the default socket";
	int pw = 0;
	for (p = opts; p && p->keyword; p++) {
		if (!p->val || !*p->val)
			continue;
		if (!strcmp(p->keyword, "password"))
			pw = 1;
		else if (!strcmp(p->keyword, "dbname"))
			db = p->val;
		else if (!strcmp(p->keyword, "host"))
			host = p->val;
	}
	if (opts && !pw)
		snprintf(buf, size, "%s", uri);
	else
		snprintf(buf, size, "database %s on %s", db, host);
	PQconninfoFree(opts);
}

int colink_pg_shard_versions(PGconn *coord, PGconn *const *shards, const char *const *uris,
			     size_t n, long *version, char *msg, size_t msgsize)
{
	char pgmsg[300], uri[400];
	long v;
	size_t i;
	if (max_version(coord, version, pgmsg, sizeof(pgmsg))) {
		first_line(msg, msgsize, "coordinator: reading the schema version", pgmsg);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!shards[i])
			continue;
		shard_uri(uris[i] ? uris[i] : "", uri, sizeof(uri));
		if (max_version(shards[i], &v, pgmsg, sizeof(pgmsg))) {
			snprintf(msg, msgsize, "shard %zu (%s): reading the schema version: %s", i + 1,
				 uri, pgmsg);
			return -1;
		}
		if (v == *version)
			continue;
		if (v < 0)
			snprintf(msg, msgsize, "shard %zu (%s) has no schema version (its "
				 "schema_version table is missing or empty), the coordinator is at %ld: bring the shard "
				 "to the coordinator's version (docs/postgres-shards.md, Migrations)",
				 i + 1, uri, *version);
		else
			snprintf(msg, msgsize, "shard %zu (%s) is at schema version %ld, the "
				 "coordinator at %ld: bring every shard to the coordinator's version "
				 "(docs/postgres-shards.md, Migrations)", i + 1, uri, v, *version);
		return -1;
	}
	return 0;
}
