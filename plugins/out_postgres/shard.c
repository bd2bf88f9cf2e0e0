/*
 * shard.c -- out_postgres on a sharded warehouse (#17; the layout:
 * engine/warehouse/wh_pg_shard.c, `colink warehouse init`).
 *
 * A warehouse whose schema has a colink_shard table is sharded: the run
 * connects to the coordinator (the job's conninfo) and to every shard
 * listed there, and
 *   begin   resolves the in-doubt prepared transactions of killed runs
 *           (engine/warehouse/pg_2pc.c, under the warehouse's lock), then
 *           opens a transaction on every server; the coordinator's work
 *           tables are UNLOGGED tables of the schema, not TEMP ones (a
 *           transaction that touched a temporary table cannot be
 *           prepared), dropped before PREPARE;
 *   merge   merge.c as on one server, with every fact table replaced by
 *           its pending table p_<table> on the coordinator (same columns;
 *           the surrogate ids from the coordinator's sequences), so that
 *           the checks of the merge -- sides, repeated rows, persons,
 *           references -- are the single server's, and the coordinator's
 *           transaction never touches a foreign table (postgres_fdw
 *           refuses to prepare one that did);
 *   commit  push: per fact table, one COPY out of the coordinator with
 *           each row's partition (satisfies_hash_partition on the parent:
 *           PostgreSQL's own routing), one COPY into each shard, all
 *           shards' COPYs at once (their data sent in turn); on every
 *           shard at once (PQsendQuery), the rows of earlier runs the new
 *           ones replace deleted with their long rows, the new rows
 *           inserted; then PREPARE TRANSACTION 'colink-<run>-<i>' on each
 *           shard (i = 1..N) and the coordinator (i = 0), COMMIT PREPARED
 *           on the coordinator -- the decision, with the ledger's 'ok' --
 *           then on the shards.
 * A run killed anywhere leaves either nothing (no coordinator commit: the
 * open transactions roll back with their connections, the prepared ones
 * are rolled back by the next run or `colink warehouse recover`) or
 * everything (the coordinator committed: the shards' prepared
 * transactions are committed by the next run or recover).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out_postgres_int.h"
#include "pg_schema_sql.h" /* COLINK_WAREHOUSE_SCHEMA_VERSION */
#include "warehouse/pg_2pc.h"

static const char *const facts[] = { COLINK_SHARD_FACTS };
#define NFACTS (sizeof(facts) / sizeof(facts[0]))
static const char *const pending[] = {
	"p_checkup", "p_observation", "p_questionnaire", "p_employee", "p_attendance_month",
	"p_stress_check", "p_stress_answer", "p_claims_summary", "p_participation", "p_claim",
	"p_claim_diagnosis", "p_claim_item", "p_allowance",
};
_Static_assert(sizeof(pending) / sizeof(pending[0]) == COLINK_SHARD_NFACTS,
	       "a pending table per fact table");

/* The long tables: table, parent, the parent's id column. */
static const struct {
	const char *table, *parent, *id;
} longs[] = {
	{ "observation", "checkup", "checkup_id" },
	{ "questionnaire", "checkup", "checkup_id" },
	{ "stress_answer", "stress_check", "stress_check_id" },
};
#define NLONGS (sizeof(longs) / sizeof(longs[0]))

static void kill_at(struct out_postgres *o, const char *point)
{
	if (o->kill_at && !strcmp(o->kill_at, point))
		raise(SIGKILL); /* crash tests only */
}

static int fact_index(const char *table)
{
	size_t i;
	for (i = 0; table && i < NFACTS; i++)
		if (!strcmp(facts[i], table))
			return (int)i;
	return -1;
}

const char *opg_fact(const struct out_postgres *o, const char *table)
{
	int i = o->nshards ? fact_index(table) : -1;
	return i >= 0 ? pending[i] : table;
}

const char *opg_fact_table(const struct out_postgres *o, int dest)
{
	return opg_fact(o, opg_wide_table(dest));
}

/* ---- connections ---- */

static int shard_err(struct out_postgres *o, size_t i, const PGresult *res, const char *what,
		     struct colink_error *err)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	size_t n;
	if (!msg)
		msg = PQerrorMessage(o->shard[i]);
	n = strcspn(msg, "\n");
	return COLINK_ERR(err, COLINK_EIO, "%s: shard %zu: %s: %.*s", o->where, i + 1, what,
			  (int)n, msg);
}

static int shard_exec(struct out_postgres *o, size_t i, const char *sql, uint64_t *rows,
		      const char *what, struct colink_error *err)
{
	PGresult *res = PQexec(o->shard[i], sql);
	int rc = COLINK_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = shard_err(o, i, res, what, err);
	else if (rows)
		*rows = strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return rc;
}

/* The same statement on every shard at once; *rows summed. */
static int shards_exec(struct out_postgres *o, const char *sql, uint64_t *rows, const char *what,
		       struct colink_error *err)
{
	size_t i;
	int rc = COLINK_OK;
	PGresult *res;
	if (rows)
		*rows = 0;
	for (i = 0; i < o->nshards; i++)
		if (!PQsendQuery(o->shard[i], sql) && !rc)
			rc = shard_err(o, i, NULL, what, err);
	for (i = 0; i < o->nshards; i++)
		while ((res = PQgetResult(o->shard[i])) != NULL) {
			ExecStatusType st = PQresultStatus(res);
			if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
				if (!rc)
					rc = shard_err(o, i, res, what, err);
			} else if (rows)
				*rows += strtoull(PQcmdTuples(res), NULL, 10);
			PQclear(res);
		}
	return rc;
}

void opg_shard_close(struct out_postgres *o)
{
	size_t i;
	for (i = 0; i < o->nshards; i++)
		if (o->shard[i])
			PQfinish(o->shard[i]); /* an open transaction rolls back */
	o->host->free(o->shard);
	o->shard = NULL;
	o->nshards = 0;
	o->shards_prepared = o->coord_prepared = o->coord_committed = 0;
}

/* Every shard's tables at the coordinator's schema version, and that
 * version this colink's: a run migrates the coordinator alone, so it
 * migrates no sharded warehouse (docs/postgres-shards.md, Migrations).
 * res: colink_shard's conninfo column, the shards in order. */
static int check_versions(struct out_postgres *o, const PGresult *res, struct colink_error *err)
{
	const char **uris = o->host->calloc(o->nshards, sizeof(*uris));
	char msg[600];
	long v;
	size_t i;
	int rc = COLINK_OK;
	(void)colink_schema_sql; /* out_postgres.c's */
	(void)colink_migration_sql;
	(void)opg_bulk_refs;
	if (!uris)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; i < o->nshards; i++)
		uris[i] = PQgetvalue(res, (int)i, 0);
	if (colink_pg_shard_versions(o->db, o->shard, uris, o->nshards, &v, msg, sizeof(msg)))
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: %s", o->where, msg);
	else if (v >= 0 && v < COLINK_WAREHOUSE_SCHEMA_VERSION)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: the sharded warehouse is at schema version "
				"%ld, this colink's is %d: a run migrates no sharded warehouse; bring the "
				"coordinator and every shard to %d first (docs/postgres-shards.md, "
				"Migrations)", o->where, v, COLINK_WAREHOUSE_SCHEMA_VERSION,
				COLINK_WAREHOUSE_SCHEMA_VERSION);
	o->host->free(uris);
	return rc;
}

int opg_shard_open(struct out_postgres *o, struct colink_error *err)
{
	char buf[64], line[512], *q;
	unsigned committed = 0, rolled = 0;
	int found, rc, n, i;
	PGresult *res;
	rc = opg_query_text(o, "SELECT to_regclass('colink_shard')::text", 0, NULL, buf,
			    sizeof(buf), &found, "reading the shards", err);
	if (rc || !*buf)
		return rc; /* one server */
	res = PQexec(o->db, "SELECT conninfo FROM colink_shard ORDER BY shard_no");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = opg_db_err(o, res, "reading the shards", err);
		PQclear(res);
		return rc;
	}
	n = PQntuples(res);
	o->shard = n ? o->host->calloc((size_t)n, sizeof(*o->shard)) : NULL;
	if (!n || !o->shard) {
		PQclear(res);
		return n ? COLINK_ERR(err, COLINK_ENOMEM, "out of memory")
			 : COLINK_ERR(err, COLINK_EINVAL, "%s: colink_shard lists no shard", o->where);
	}
	o->nshards = (size_t)n;
	q = opg_ident(o, o->schema);
	for (i = 0; !rc && i < n; i++) {
		o->shard[i] = PQconnectdb(PQgetvalue(res, i, 0));
		if (!o->shard[i] || PQstatus(o->shard[i]) != CONNECTION_OK) {
			rc = o->shard[i] ? shard_err(o, (size_t)i, NULL, "cannot connect", err)
					 : COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			break;
		}
		snprintf(line, sizeof(line), "SET search_path TO %s; SET client_encoding TO 'UTF8'; "
			 "SET client_min_messages TO warning", q ? q : "colink");
		rc = shard_exec(o, (size_t)i, line, NULL, "configuring the session", err);
	}
	PQfreemem(q);
	if (!rc && colink_pg_2pc_resolve(o->db, o->shard, o->nshards, &committed, &rolled, line,
					 sizeof(line)))
		rc = COLINK_ERR(err, COLINK_EIO, "%s: %s", o->where, line);
	if (!rc && (committed || rolled))
		o->host->log(o->hc, COLINK_LOG_WARN, "%s: in-doubt prepared transactions of an "
			     "interrupted run: %u committed, %u rolled back (as the ledger says)",
			     o->where, committed, rolled);
	if (!rc)
		rc = check_versions(o, res, err);
	PQclear(res);
	return rc;
}

int opg_shard_begin(struct out_postgres *o, struct colink_error *err)
{
	size_t i;
	int rc = COLINK_OK;
	for (i = 0; !rc && i < o->nshards; i++)
		rc = shard_exec(o, i, "BEGIN; SET LOCAL work_mem = '256MB'; SET LOCAL jit = off", NULL,
				"starting the run transaction", err);
	return rc;
}

/* The pending tables on the coordinator (before merge.c's staging tables,
 * which take their types from them). */
int opg_shard_pending(struct out_postgres *o, struct colink_error *err)
{
	char sql[256];
	size_t i;
	int rc = COLINK_OK;
	for (i = 0; !rc && i < NFACTS; i++) {
		snprintf(sql, sizeof(sql), "CREATE UNLOGGED TABLE %s (LIKE %s INCLUDING DEFAULTS)",
			 pending[i], facts[i]);
		rc = opg_exec(o, sql, "creating the pending tables", err);
	}
	return rc;
}

/* ---- push ---- */

/* COPY each shard's file into x_<table> on that shard, all shards at
 * once: every COPY is started, then the files go out a chunk per shard in
 * turn (each server parses its chunk while the next is sent to another),
 * then every COPY is ended and its result read. */
static int copy_in(struct out_postgres *o, FILE **files, const char *table,
		   struct colink_error *err)
{
	char buf[65536], sql[128];
	size_t i, n, open = 0;
	int rc = COLINK_OK;
	PGresult *res;
	snprintf(sql, sizeof(sql), "COPY x_%s FROM STDIN", table);
	for (i = 0; !rc && i < o->nshards; i++) {
		if (fflush(files[i]) || fseek(files[i], 0, SEEK_SET))
			rc = COLINK_ERR(err, COLINK_EIO, "%s: reading a shard's file", o->where);
		res = rc ? NULL : PQexec(o->shard[i], sql);
		if (!rc && PQresultStatus(res) != PGRES_COPY_IN)
			rc = shard_err(o, i, res, "starting COPY", err);
		else if (!rc)
			open = i + 1;
		PQclear(res);
	}
	for (;;) {
		int sent = 0;
		for (i = 0; !rc && i < open; i++)
			if ((n = fread(buf, 1, sizeof(buf), files[i])) > 0) {
				sent = 1;
				if (PQputCopyData(o->shard[i], buf, (int)n) != 1)
					rc = shard_err(o, i, NULL, "sending COPY data", err);
			}
		if (rc || !sent)
			break;
	}
	for (i = 0; i < open; i++) {
		if (PQputCopyEnd(o->shard[i], rc ? "colink: the run failed" : NULL) != 1 && !rc)
			rc = shard_err(o, i, NULL, "ending COPY", err);
		while ((res = PQgetResult(o->shard[i])) != NULL) {
			if (!rc && PQresultStatus(res) != PGRES_COMMAND_OK)
				rc = shard_err(o, i, res, "loading the rows (COPY)", err);
			PQclear(res);
		}
	}
	for (i = 0; i < o->nshards; i++)
		if ((fseek(files[i], 0, SEEK_SET) || ftruncate(fileno(files[i]), 0)) && !rc)
			rc = COLINK_ERR(err, COLINK_EIO, "%s: clearing a shard's file", o->where);
	return rc;
}

/* The pending rows of fact table t: out of the coordinator with their
 * partition, into x_<t> on their shard.  *rows: how many. */
static int ship(struct out_postgres *o, size_t t, FILE **files, uint64_t *rows,
		struct colink_error *err)
{
	char sql[512];
	PGresult *res;
	char *row;
	int len, rc = COLINK_OK;
	*rows = 0;
	snprintf(sql, sizeof(sql), "COPY (SELECT (SELECT r FROM generate_series(0, %zu) r WHERE "
		 "satisfies_hash_partition('%s'::regclass, %zu, r, x.person_no) LIMIT 1), x.* "
		 "FROM %s x) TO STDOUT", o->nshards - 1, facts[t], o->nshards, pending[t]);
	res = PQexec(o->db, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		rc = opg_db_err(o, res, "reading the pending rows", err);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	while ((len = PQgetCopyData(o->db, &row, 0)) > 0) {
		char *tab = memchr(row, '\t', (size_t)len);
		unsigned long r = strtoul(row, NULL, 10);
		if (!rc && (!tab || r >= o->nshards))
			rc = COLINK_ERR(err, COLINK_EIO, "%s: %s: a row without its partition",
					o->where, facts[t]);
		if (!rc && fwrite(tab + 1, 1, (size_t)(len - (tab + 1 - row)), files[r]) !=
		    (size_t)(len - (tab + 1 - row)))
			rc = COLINK_ERR(err, COLINK_EIO, "%s: writing a shard's file", o->where);
		PQfreemem(row);
		++*rows;
	}
	while ((res = PQgetResult(o->db)) != NULL) {
		if (!rc && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = opg_db_err(o, res, "reading the pending rows", err);
		PQclear(res);
	}
	if (rc || !*rows)
		return rc;
	snprintf(sql, sizeof(sql), "CREATE UNLOGGED TABLE x_%s (LIKE %s)", facts[t], facts[t]);
	rc = shards_exec(o, sql, NULL, "creating the shard's work table", err);
	if (!rc)
		rc = copy_in(o, files, facts[t], err);
	return rc;
}

/* The key of wide table dest, "t.person_no = w.person_no AND t.k = w.k". */
static void key_cond(struct out_postgres *o, int dest, char *buf, size_t size)
{
	size_t kf = o->key_field[WIDE_INDEX(dest)], k2 = o->key2_field[WIDE_INDEX(dest)], n;
	snprintf(buf, size, "t.person_no = w.person_no");
	if (kf != NOT_FOUND) {
		n = strlen(buf);
		snprintf(buf + n, size - n, " AND t.\"%s\" = w.\"%s\"", o->cat[kf].column,
			 o->cat[kf].column);
	}
	if (k2 != NOT_FOUND) {
		n = strlen(buf);
		snprintf(buf + n, size - n, " AND t.\"%s\" = w.\"%s\"", o->cat[k2].column,
			 o->cat[k2].column);
	}
}

/* On every shard: replace the rows of wide table dest (and its long rows). */
static int replace_rows(struct out_postgres *o, int dest, const uint64_t *shipped,
			struct colink_error *err)
{
	const char *t = opg_wide_table(dest), *id = NULL;
	char sql[2048], cond[512];
	uint64_t n = 0;
	size_t i, len;
	int k, rc;
	for (i = 0; i < NLONGS; i++)
		if (!strcmp(longs[i].parent, t))
			id = longs[i].id;
	key_cond(o, dest, cond, sizeof(cond));
	snprintf(sql, sizeof(sql), "WITH old AS (SELECT t.%s AS id FROM %s t JOIN x_%s w ON %s)",
		 id ? id : "ctid", t, t, cond);
	for (i = 0; i < NLONGS; i++)
		if (!strcmp(longs[i].parent, t)) {
			len = strlen(sql);
			snprintf(sql + len, sizeof(sql) - len, ", d%zu AS (DELETE FROM %s WHERE %s IN "
				 "(SELECT id FROM old))", i, longs[i].table, id);
		}
	len = strlen(sql);
	snprintf(sql + len, sizeof(sql) - len, " DELETE FROM %s WHERE %s IN (SELECT id FROM old)",
		 t, id ? id : "ctid");
	rc = shards_exec(o, sql, &n, "replacing earlier rows", err);
	for (k = 0; !rc && k < K_COUNT; k++)
		if (opg_kinds[k].dest == dest) {
			o->replaced[k] += n;
			break;
		}
	snprintf(sql, sizeof(sql), "INSERT INTO %s SELECT * FROM x_%s", t, t);
	if (!rc)
		rc = shards_exec(o, sql, NULL, "writing the records", err);
	for (i = 0; !rc && i < NLONGS; i++)
		if (!strcmp(longs[i].parent, t) && shipped[fact_index(longs[i].table)]) {
			snprintf(sql, sizeof(sql), "INSERT INTO %s SELECT * FROM x_%s",
				 longs[i].table, longs[i].table);
			rc = shards_exec(o, sql, NULL, "writing the values", err);
		}
	return rc;
}

/* Wait, in the crash tests only, until the test removes the file (a
 * shard is stopped meanwhile). */
static void pause_point(void)
{
	const char *f = getenv("COLINK_TEST_PAUSE_FILE");
	FILE *p;
	struct stat st;
	if (!f || !*f || !(p = fopen(f, "w")))
		return;
	fclose(p);
	while (stat(f, &st) == 0)
		usleep(50 * 1000);
}

int opg_shard_push(struct out_postgres *o, struct colink_error *err)
{
	FILE **files;
	uint64_t shipped[COLINK_SHARD_NFACTS] = { 0 };
	size_t i;
	int rc = COLINK_OK, d;
	pause_point();
	files = o->host->calloc(o->nshards, sizeof(*files));
	if (!files)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; !rc && i < o->nshards; i++)
		if (!(files[i] = tmpfile()))
			rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot create a shard's file", o->where);
	for (i = 0; !rc && i < NFACTS; i++)
		rc = ship(o, i, files, &shipped[i], err);
	for (d = DEST_CHECKUP; !rc && d <= DEST_LAST_WIDE; d++) {
		int t = fact_index(opg_wide_table(d));
		if (t >= 0 && shipped[t])
			rc = replace_rows(o, d, shipped, err);
	}
	for (i = 0; i < o->nshards; i++)
		if (files[i])
			fclose(files[i]);
	o->host->free(files);
	return rc;
}

/* ---- two-phase commit ---- */

static int prepare(struct out_postgres *o, PGconn *db, int i, const char *verb,
		   struct colink_error *err)
{
	char gid[96], sql[160];
	PGresult *res;
	int rc = COLINK_OK;
	colink_pg_2pc_gid(gid, sizeof(gid), o->run_id, i);
	snprintf(sql, sizeof(sql), "%s '%s'", verb, gid); /* gid: colink-HEX-DIGITS */
	res = PQexec(db, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		if (!m)
			m = PQerrorMessage(db);
		rc = COLINK_ERR(err, COLINK_EIO, "%s: %s %s: %.*s", o->where,
				i ? "shard" : "coordinator", verb, (int)strcspn(m, "\n"), m);
	}
	PQclear(res);
	return rc;
}

int opg_shard_commit(struct out_postgres *o, struct colink_error *err)
{
	char sql[1024] = "DROP TABLE IF EXISTS s_rec, s_obs, s_q, s_sans, s_key, s_rej, "
			 "link_cand, link_new, linked";
	size_t i, n;
	int rc;
	struct colink_error e = { 0 };
	for (i = 0; i < NWIDE; i++) {
		n = strlen(sql);
		snprintf(sql + n, sizeof(sql) - n, ", s_w%zu", i + 1);
	}
	for (i = 0; i < NFACTS; i++) {
		n = strlen(sql);
		snprintf(sql + n, sizeof(sql) - n, ", %s", pending[i]);
	}
	rc = opg_exec(o, sql, "dropping the work tables", err);
	snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS x_%s", facts[0]);
	for (i = 1; i < NFACTS; i++) {
		n = strlen(sql);
		snprintf(sql + n, sizeof(sql) - n, ", x_%s", facts[i]);
	}
	if (!rc)
		rc = shards_exec(o, sql, NULL, "dropping the work tables", err);
	kill_at(o, "before-prepare");
	for (i = 0; !rc && i < o->nshards; i++) {
		rc = prepare(o, o->shard[i], (int)i + 1, "PREPARE TRANSACTION", err);
		if (!rc)
			o->shards_prepared = i + 1;
		kill_at(o, "during-prepare");
	}
	if (!rc)
		rc = prepare(o, o->db, 0, "PREPARE TRANSACTION", err);
	if (rc)
		return rc;
	o->coord_prepared = 1;
	o->in_run = 0;
	kill_at(o, "after-prepare");
	rc = prepare(o, o->db, 0, "COMMIT PREPARED", err);
	if (rc)
		return rc;
	o->coord_committed = 1;
	kill_at(o, "after-coordinator-commit");
	/* the run has committed: a shard that fails now keeps its prepared
	 * transaction for the next run or colink warehouse recover */
	for (i = 0; i < o->nshards; i++)
		if (prepare(o, o->shard[i], (int)i + 1, "COMMIT PREPARED", &e))
			o->host->log(o->hc, COLINK_LOG_WARN, "%s (committed by the next run or "
				     "colink warehouse recover)", e.msg);
	return COLINK_OK;
}

/* After a failure: every transaction of this run rolled back, prepared or
 * not (best effort: what is left is rolled back by the next run). */
void opg_shard_abort(struct out_postgres *o)
{
	struct colink_error e = { 0 };
	size_t i;
	PGresult *res;
	if (o->coord_committed)
		return;
	if (o->coord_prepared && !prepare(o, o->db, 0, "ROLLBACK PREPARED", &e))
		o->coord_prepared = 0;
	for (i = 0; i < o->nshards; i++) {
		if (!o->shard[i] || PQstatus(o->shard[i]) != CONNECTION_OK)
			continue;
		if (PQtransactionStatus(o->shard[i]) != PQTRANS_IDLE) {
			res = PQexec(o->shard[i], "ROLLBACK");
			PQclear(res);
		} else if (i < o->shards_prepared)
			prepare(o, o->shard[i], (int)i + 1, "ROLLBACK PREPARED", &e);
	}
}
