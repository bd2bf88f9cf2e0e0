/*
 * out_postgres.c -- the PostgreSQL warehouse output plugin (#16).
 *
 * Writes one run into a PostgreSQL schema holding the warehouse of
 * mappings/warehouse/schema.sql, translated at build time to PostgreSQL's
 * dialect by pg-ddl.sh and embedded as pg_schema_sql.h (no second DDL).
 * The same semantics as out_sqlite:
 *
 *   begin       connect (libpq; the password comes from ~/.pgpass,
 *               PGPASSFILE or a service file, never from the job: a
 *               conninfo naming one is refused), take the warehouse's
 *               advisory lock (pg_try_advisory_lock, retried for
 *               lock_timeout_ms, then COLINK_EBUSY: exit 6), create the
 *               schema or migrate it in a transaction of its own, then in
 *               a short committed transaction the ledger row
 *               'incomplete'; then BEGIN the run's transaction.
 *   write ...   stage.c: checks, then COPY text lines in temporary files.
 *   input_end   merge.c: COPY the input's lines to staging tables and merge
 *               them set by set; the run_input row.
 *   link        link.c, set-based SQL in the run's transaction.
 *   commit      the references pg-ddl.sh left out of the fact tables
 *               checked set by set (check_bulk_refs), ledger row 'ok',
 *               COMMIT, unlock.
 *   abort       ROLLBACK, ledger row 'failed'.
 *
 * A killed process: the server rolls the run's transaction back when the
 * connection drops and frees the lock; the ledger row stays 'incomplete'.
 * Errors name the server's message and the warehouse as "PostgreSQL
 * warehouse DB on HOST, schema S" -- never the connection string (which
 * might hold a password despite the refusal below) nor a value.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "colink/plugin.h"
#include "out_postgres_int.h"
#include "pg_schema_sql.h"

/* The first schema version a PostgreSQL warehouse was created at: there
 * are no PostgreSQL warehouses of older versions, so only the
 * migrate-N.sql with N above it are translated and embedded (pg-sql.sh). */
#ifndef COLINK_WAREHOUSE_MIGRATIONS
#define COLINK_WAREHOUSE_MIGRATIONS 0
static const struct colink_migration_sql { int to; const char *sql; } colink_migration_sql[1];
#endif

enum { SET_CONNINFO, SET_SERVICE, SET_SCHEMA, SET_LOCK_TIMEOUT, SET_MERGE_BATCH, SET_COUNT };

static const struct colink_setting_def out_settings[] = {
	{ "conninfo", COLINK_SET_STRING, "",
	  "libpq connection string or URI (host=/run/postgresql dbname=warehouse); "
	  "no password: use ~/.pgpass, PGPASSFILE or a service file", NULL },
	{ "service", COLINK_SET_STRING, "",
	  "service name of pg_service.conf (PGSERVICEFILE), instead of or with conninfo", NULL },
	{ "schema", COLINK_SET_STRING, "colink",
	  "schema holding the warehouse; created when absent", NULL },
	{ "lock_timeout_ms", COLINK_SET_INT, "10000",
	  "how long to wait for another run's lock on the warehouse before failing", NULL },
	{ "merge_batch", COLINK_SET_INT, "100000",
	  "records staged before an input's end merges them into the warehouse (disk, not memory)",
	  NULL },
	COLINK_SETTINGS_END
};

/* ------------------------------------------------------------------ */
/* libpq helpers                                                        */
/* ------------------------------------------------------------------ */

char *opg_strdup(const struct colink_host *h, const char *s)
{
	size_t n;
	char *d;
	if (!s)
		return NULL;
	n = strlen(s);
	d = h->malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

char *opg_ident(struct out_postgres *o, const char *name)
{
	return PQescapeIdentifier(o->db, name, strlen(name));
}

/* The server's message, on one line (libpq ends it with a newline and may
 * add DETAIL lines; DETAIL can quote a row's values, so it is dropped). */
static const char *one_line(const char *msg, char *buf, size_t size)
{
	size_t n;
	if (!msg || !*msg)
		return "no message from the server";
	n = strcspn(msg, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(buf, msg, n);
	buf[n] = '\0';
	return buf;
}

int opg_db_err(struct out_postgres *o, const PGresult *res, const char *what,
	       struct colink_error *err)
{
	char line[512];
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg)
		msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
						       : PQerrorMessage(o->db);
	return COLINK_ERR(err, COLINK_EIO, "%s: %s: %s", o->where, what,
			  one_line(msg, line, sizeof(line)));
}

/* On a sharded warehouse the run's transaction is prepared, and one that
 * touched a temporary table cannot be: the work tables of merge.c and
 * link.c ("CREATE TEMP TABLE x ... ON COMMIT DROP") become UNLOGGED
 * tables of the schema, which shard.c drops before PREPARE (#17).  NULL
 * when sql is kept as is. */
static char *untemp(struct out_postgres *o, const char *sql)
{
	static const char *const from[2] = { "CREATE TEMP TABLE", " ON COMMIT DROP" };
	static const char *const to[2] = { "CREATE UNLOGGED TABLE", "" };
	size_t n = strlen(sql) * 2 + 1, len = 0;
	char *d;
	int i;
	if (!o->nshards || !strstr(sql, from[0]) || !(d = o->host->malloc(n)))
		return NULL;
	while (*sql) {
		for (i = 0; i < 2; i++)
			if (!strncmp(sql, from[i], strlen(from[i]))) {
				memcpy(d + len, to[i], strlen(to[i]));
				len += strlen(to[i]);
				sql += strlen(from[i]);
				break;
			}
		if (i == 2)
			d[len++] = *sql++;
	}
	d[len] = '\0';
	return d;
}

int opg_exec_params(struct out_postgres *o, const char *sql, int n,
		    const char *const *vals, uint64_t *rows, const char *what,
		    struct colink_error *err)
{
	char *u = untemp(o, sql);
	PGresult *res = n ? PQexecParams(o->db, u ? u : sql, n, NULL, vals, NULL, NULL, 0)
			  : PQexec(o->db, u ? u : sql);
	int rc = COLINK_OK;
	ExecStatusType st = PQresultStatus(res);
	o->host->free(u);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = opg_db_err(o, res, what, err);
	else if (rows)
		*rows = strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return rc;
}

int opg_exec(struct out_postgres *o, const char *sql, const char *what,
	     struct colink_error *err)
{
	return opg_exec_params(o, sql, 0, NULL, NULL, what, err);
}

int opg_query_text(struct out_postgres *o, const char *sql, int n,
		   const char *const *vals, char *buf, size_t size, int *found,
		   const char *what, struct colink_error *err)
{
	PGresult *res = PQexecParams(o->db, sql, n, NULL, vals, NULL, NULL, 0);
	int rc = COLINK_OK;
	*found = 0;
	buf[0] = '\0';
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = opg_db_err(o, res, what, err);
	else if (PQntuples(res) > 0) {
		*found = 1;
		snprintf(buf, size, "%s", PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	return rc;
}

int opg_in_run(struct out_postgres *o, const char *what, struct colink_error *err)
{
	if (!o->db || !o->in_run)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: %s outside a run", o->where, what);
	return COLINK_OK;
}

static void rollback_if_open(struct out_postgres *o)
{
	if (o->db && PQtransactionStatus(o->db) != PQTRANS_IDLE) {
		PGresult *res = PQexec(o->db, "ROLLBACK");
		PQclear(res);
	}
	o->in_run = 0;
}

static void run_close(struct out_postgres *o)
{
	const struct colink_host *h = o->host;
	int s;
	if (o->db)
		PQfinish(o->db); /* an open transaction rolls back; the lock goes */
	o->db = NULL;
	o->in_run = 0;
	for (s = 0; s < S_COUNT; s++) {
		if (o->stage[s])
			fclose(o->stage[s]);
		o->stage[s] = NULL;
		o->staged[s] = 0;
	}
	opg_cat_free(o);
	opg_order_reset(o);
	opg_shard_close(o);
	h->free(o->run_id);
	h->free(o->key_id);
	o->run_id = o->key_id = NULL;
	o->seq = o->lineno = 0;
	o->kprev_seq = o->person_vals = 0;
	memset(o->replaced, 0, sizeof(o->replaced));
	o->late_rejected = 0;
	o->linked = 0;
}

/* ------------------------------------------------------------------ */
/* Connection, lock, schema                                             */
/* ------------------------------------------------------------------ */

/* "PostgreSQL warehouse DB on HOST, schema S": names the place, never a
 * secret (set once connected, from what the server reports). */
static void set_where(struct out_postgres *o)
{
	char buf[512];
	const char *host = o->db ? PQhost(o->db) : NULL;
	snprintf(buf, sizeof(buf), "PostgreSQL warehouse %s on %s, schema %s",
		 o->db && PQdb(o->db) ? PQdb(o->db) : "?", host && *host ? host : "the default socket",
		 o->schema);
	o->host->free(o->where);
	o->where = opg_strdup(o->host, buf);
	if (!o->where)
		o->where = opg_strdup(o->host, "PostgreSQL warehouse");
}

static int db_connect(struct out_postgres *o, struct colink_error *err)
{
	char line[512];
	PGresult *res;
	char *q;
	int rc;
	o->db = PQconnectdb(o->conninfo);
	if (!o->db)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	set_where(o);
	if (PQstatus(o->db) != CONNECTION_OK)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot connect: %s", o->where,
				  one_line(PQerrorMessage(o->db), line, sizeof(line)));
	if (PQclientEncoding(o->db) != pg_char_to_encoding("UTF8") &&
	    PQsetClientEncoding(o->db, "UTF8"))
		return COLINK_ERR(err, COLINK_EIO, "%s: the server cannot talk UTF-8", o->where);
	/* the schema, then every unqualified name resolves in it (and
	 * pg_temp for the staging tables) */
	q = opg_ident(o, o->schema);
	if (!q)
		return COLINK_ERR(err, COLINK_EIO, "%s: %s", o->where,
				  one_line(PQerrorMessage(o->db), line, sizeof(line)));
	snprintf(line, sizeof(line), "SET search_path TO %s, pg_temp", q);
	PQfreemem(q);
	res = PQexec(o->db, line);
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? COLINK_OK
		: opg_db_err(o, res, "choosing the schema", err);
	PQclear(res);
	if (!rc)
		rc = opg_exec(o, "SET client_min_messages TO warning", "configuring the session", err);
	return rc;
}

/* The warehouse's lock: one per schema and database, held by the session
 * from before the ledger row to commit or abort (or the connection's end,
 * when the process dies). */
static int take_lock(struct out_postgres *o, struct colink_error *err)
{
	const char *v[1] = { o->schema };
	char buf[8];
	int found, rc, waited = 0;
	for (;;) {
		rc = opg_query_text(o, "SELECT pg_try_advisory_lock(hashtext('colink warehouse ' || $1))",
				    1, v, buf, sizeof(buf), &found, "taking the warehouse lock", err);
		if (rc)
			return rc;
		if (found && buf[0] == 't')
			return COLINK_OK;
		if (waited >= o->lock_ms)
			return COLINK_ERR(err, COLINK_EBUSY,
					  "%s: warehouse is locked by another run", o->where);
		usleep(100 * 1000);
		waited += 100;
	}
}

/* Every catalogue column must be in the warehouse (a stale warehouse or a
 * new field without its migration): one query over the catalogue, as two
 * arrays (table, column), and one line naming the first missing column. */
static void arr_put(struct out_postgres *o, char **buf, size_t *len, size_t *cap,
		    const char *s, int esc, int *failed)
{
	for (; *s && !*failed; s++) {
		if (*len + 3 >= *cap &&
		    colink_grow(o->host->realloc, (void **)buf, cap, *len + 3, 1)) {
			*failed = 1;
			return;
		}
		if (esc && (*s == '"' || *s == '\\'))
			(*buf)[(*len)++] = '\\';
		(*buf)[(*len)++] = *s;
	}
}

static int check_columns(struct out_postgres *o, struct colink_error *err)
{
	char *arr[2] = { NULL, NULL }, found_col[256];
	size_t len[2] = { 0, 0 }, cap[2] = { 0, 0 }, k;
	int failed = 0, found, rc, a;
	for (a = 0; a < 2; a++)
		arr_put(o, &arr[a], &len[a], &cap[a], "{", 0, &failed);
	for (k = 0; k < o->ncat; k++) {
		const char *tc[2] = { opg_wide_table(o->cat[k].dest), o->cat[k].column };
		if (!o->cat[k].column)
			continue;
		for (a = 0; a < 2; a++) {
			arr_put(o, &arr[a], &len[a], &cap[a], len[a] > 1 ? ",\"" : "\"", 0, &failed);
			arr_put(o, &arr[a], &len[a], &cap[a], tc[a], 1, &failed);
			arr_put(o, &arr[a], &len[a], &cap[a], "\"", 0, &failed);
		}
	}
	for (a = 0; a < 2; a++) {
		arr_put(o, &arr[a], &len[a], &cap[a], "}", 0, &failed);
		if (!failed)
			arr[a][len[a]] = '\0';
	}
	if (failed) {
		o->host->free(arr[0]);
		o->host->free(arr[1]);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	{
		const char *v[3] = { o->schema, arr[0], arr[1] };
		rc = opg_query_text(o, "SELECT x.t || '.' || x.c FROM unnest($2::text[], $3::text[]) "
				    "AS x (t, c) WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a JOIN "
				    "pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON "
				    "n.oid = r.relnamespace WHERE n.nspname = $1 AND r.relname = x.t "
				    "AND a.attname = x.c AND a.attnum > 0 AND NOT a.attisdropped) LIMIT 1",
				    3, v, found_col, sizeof(found_col), &found, "reading the warehouse",
				    err);
	}
	o->host->free(arr[0]);
	o->host->free(arr[1]);
	if (!rc && found)
		rc = COLINK_ERR(err, COLINK_EINVAL,
				"%s: the catalogue needs column %s, which the warehouse lacks "
				"(a field added without its migration?)", o->where, found_col);
	return rc;
}

#define NBULK (sizeof(opg_bulk_refs) / sizeof(opg_bulk_refs[0]))

/* A warehouse created before pg-ddl.sh left out the bulk-checked
 * references (opg_bulk_refs) still has their per-row foreign keys: drop
 * them, in the schema transaction, only when one is found (an ALTER TABLE
 * waits for every reader of the table). */
static int drop_bulk_fks(struct out_postgres *o, struct colink_error *err)
{
	const char *v[1];
	char buf[256], sql[512];
	int found, rc = COLINK_OK;
	size_t i;
	for (i = 0; !rc && i < NBULK; i++) {
		if (i && !strcmp(opg_bulk_refs[i][0], opg_bulk_refs[i - 1][0]))
			continue;
		v[0] = opg_bulk_refs[i][0];
		rc = opg_query_text(o, "SELECT string_agg(quote_ident(conname), ',') FROM "
				    "pg_constraint WHERE contype = 'f' AND conrelid = "
				    "to_regclass(quote_ident($1))", 1, v, buf, sizeof(buf), &found,
				    "reading the foreign keys", err);
		while (!rc && found && *buf) {
			char *c = strrchr(buf, ',');
			c = c ? c + 1 : buf;
			snprintf(sql, sizeof(sql), "ALTER TABLE %s DROP CONSTRAINT %s",
				 opg_bulk_refs[i][0], c);
			rc = opg_exec(o, sql, "dropping a per-row foreign key", err);
			c[c == buf ? 0 : -1] = '\0';
		}
	}
	return rc;
}

/* The column naming the run that wrote a row of bulk-checked table t;
 * NULL for a long table (observation, questionnaire, stress_answer: a
 * parent's values, no run of their own). */
static const char *bulk_run_column(const char *t)
{
	if (!strcmp(t, "person"))
		return "last_run_id";
	if (!strcmp(t, "observation") || !strcmp(t, "questionnaire") ||
	    !strcmp(t, "stress_answer"))
		return NULL;
	return "run_id";
}

/* The references pg-ddl.sh left out of the DDL, checked set by set before
 * COMMIT: one anti-join per table and reference over this run's rows.  A
 * violation refuses the run (the caller rolls back), naming the table and
 * column, never a value. */
static int check_bulk_refs(struct out_postgres *o, struct colink_error *err)
{
	const char *v[1] = { o->run_id };
	char sql[512], buf[8];
	int found, rc;
	size_t i;
	/* a hash anti-join, never a probe of the referenced index per row
	 * (the planner, knowing nothing of the rows just written, would pick
	 * the probes: 1.4 s for the 1.08 M attendance months of 100k persons) */
	rc = opg_exec(o, "SET LOCAL enable_nestloop = off", "checking the references", err);
	for (i = 0; !rc && i < NBULK; i++) {
		const char *const *r = opg_bulk_refs[i];
		const char *run = bulk_run_column(r[0]);
		/* a row this run wrote: its run_id; a person's, its last_run_id
		 * (merge.c sets it on every person the run inserts or changes);
		 * a long table's rows carry no run: the whole table against its
		 * parent (the pending tables of a sharded warehouse: the run's
		 * rows only), which also finds a row whose parent a replacement
		 * deleted */
		if (run)
			snprintf(sql, sizeof(sql), "SELECT 1 FROM %s x WHERE x.%s = $1 AND "
				 "x.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s y WHERE "
				 "y.%s = x.%s) LIMIT 1", opg_fact(o, r[0]), run, r[1],
				 opg_fact(o, r[2]), r[3], r[1]);
		else
			snprintf(sql, sizeof(sql), "SELECT 1 FROM %s x WHERE x.%s IS NOT NULL AND "
				 "NOT EXISTS (SELECT 1 FROM %s y WHERE y.%s = x.%s) LIMIT 1",
				 opg_fact(o, r[0]), r[1], opg_fact(o, r[2]), r[3], r[1]);
		rc = opg_query_text(o, sql, run ? 1 : 0, v, buf, sizeof(buf), &found,
				    "checking the references", err);
		if (!rc && found)
			rc = COLINK_ERR(err, COLINK_EINVAL, "%s: %s.%s refers to a %s row the "
					"warehouse does not have: the run is refused and rolled back",
					o->where, r[0], r[1], r[2]);
	}
	if (!rc)
		rc = opg_exec(o, "SET LOCAL enable_nestloop = on", "checking the references", err);
	return rc;
}

/* Create the schema, or migrate it, in a transaction of its own. */
static int schema_upgrade(struct out_postgres *o, struct colink_error *err)
{
	const char *v[1] = { o->schema };
	char buf[32], sql[160], *q;
	int found, rc, i;
	long version;
	rc = opg_query_text(o, "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 "
			    "AND table_name = 'schema_version'", 1, v, buf, sizeof(buf), &found,
			    "reading the warehouse", err);
	if (!rc)
		rc = opg_exec(o, "BEGIN", "starting the schema transaction", err);
	if (rc)
		return rc;
	if (!found) {
		q = opg_ident(o, o->schema);
		if (!q)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS %s", q);
		PQfreemem(q);
		rc = opg_exec(o, sql, "creating the schema", err);
		if (!rc)
			rc = opg_exec(o, colink_schema_sql, "creating the warehouse tables", err);
	} else {
		rc = opg_query_text(o, "SELECT max(version) FROM schema_version", 0, NULL, buf,
				    sizeof(buf), &found, "reading the schema version", err);
		version = rc ? 0 : strtol(buf, NULL, 10);
		if (!rc && version > COLINK_WAREHOUSE_SCHEMA_VERSION)
			rc = COLINK_ERR(err, COLINK_EINVAL,
					"%s: the warehouse is at schema version %ld, newer than this "
					"colink's %d: use a newer colink", o->where, version,
					COLINK_WAREHOUSE_SCHEMA_VERSION);
		else if (!rc && version < COLINK_WAREHOUSE_SCHEMA_VERSION - COLINK_WAREHOUSE_MIGRATIONS)
			rc = COLINK_ERR(err, COLINK_EINVAL,
					"%s: the warehouse is at schema version %ld, which this colink "
					"cannot migrate", o->where, version);
		for (i = 0; !rc && i < COLINK_WAREHOUSE_MIGRATIONS; i++) {
			if (colink_migration_sql[i].to <= version)
				continue;
			rc = opg_exec(o, colink_migration_sql[i].sql, "migrating the warehouse", err);
			snprintf(sql, sizeof(sql), "INSERT INTO schema_version (version, applied) "
				 "VALUES (%d, to_char(now() AT TIME ZONE 'UTC', "
				 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))", colink_migration_sql[i].to);
			if (!rc)
				rc = opg_exec(o, sql, "migrating the warehouse", err);
		}
	}
	if (!rc)
		rc = check_columns(o, err);
	if (!rc)
		rc = drop_bulk_fks(o, err);
	if (!rc)
		rc = opg_exec(o, "COMMIT", "committing the schema", err);
	if (rc)
		rollback_if_open(o);
	return rc;
}

/* out_sqlite's refusals: another key's pseudonyms, another normalization. */
static int check_run(struct out_postgres *o, const struct colink_run_info *run,
		     struct colink_error *err)
{
	char buf[256];
	int found, rc;
	if (run->key_id) {
		const char *v[1] = { run->key_id };
		rc = opg_query_text(o, "SELECT key_id FROM person WHERE key_id IS NOT NULL AND "
				    "key_id <> $1 LIMIT 1", 1, v, buf, sizeof(buf), &found,
				    "reading the warehouse", err);
		if (rc)
			return rc;
		if (found)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s: the warehouse holds pseudonyms made with key id %s; this run "
					  "uses key id %s (pseudonyms of different keys never match: use the "
					  "warehouse's key, or load into a new warehouse)", o->where, buf,
					  run->key_id);
	}
	if (COLINK_HAS(struct colink_run_info, run->struct_size, normalization) &&
	    run->normalization) {
		const char *v[1] = { run->normalization };
		rc = opg_query_text(o, "SELECT normalization FROM run WHERE status = 'ok' AND "
				    "normalization IS NOT NULL AND normalization <> $1 LIMIT 1", 1, v,
				    buf, sizeof(buf), &found, "reading the warehouse", err);
		if (rc)
			return rc;
		if (found)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s: the warehouse holds pseudonyms made under identity "
					  "normalization '%s'; this colink normalizes under '%s' (the same "
					  "name may give another pseudonym: load into a new warehouse with "
					  "this colink, or run the colink that made it)", o->where, buf,
					  run->normalization);
	}
	return COLINK_OK;
}

static int insert_run(struct out_postgres *o, const struct colink_run_info *run,
		      struct colink_error *err)
{
	int signing = COLINK_HAS(struct colink_run_info, run->struct_size, agreement_signing);
	const char *v[11] = { run->run_id, run->job_name, run->job_path, run->job_sha256,
			      run->purpose, run->key_id, run->os_user, run->version, run->started,
			      signing ? run->normalization : NULL,
			      signing ? run->agreement_signing : NULL };
	PGresult *res = PQexecParams(o->db,
		"INSERT INTO run (run_id, job_name, job_path, job_sha256, purpose, key_id, os_user, "
		"colink_version, started, status, normalization, agreement_signing) VALUES "
		"($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, to_char(now() AT TIME ZONE 'UTC', "
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')), 'incomplete', $10, $11)",
		11, NULL, v, NULL, NULL, 0);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	int rc = COLINK_OK;
	if (state && !strcmp(state, "23505"))
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: run %s is already in the warehouse",
				o->where, run->run_id);
	else if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = opg_db_err(o, res, "recording the run", err);
	PQclear(res);
	return rc;
}

static void mark_failed(struct out_postgres *o, const char *message,
			const struct colink_run_summary *s)
{
	char read[24];
	const char *v[4] = { message, s ? s->finished : NULL, read, o->run_id };
	struct colink_error e = { 0 };
	snprintf(read, sizeof(read), "%" PRIu64, s ? s->read : 0);
	if (opg_exec_params(o, "UPDATE run SET status = 'failed', message = $1, finished = "
			    "coalesce($2, to_char(now() AT TIME ZONE 'UTC', "
			    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')), records_read = $3, "
			    "records_loaded = 0, records_rejected = 0, checkups_replaced = 0, "
			    "employees_replaced = 0, attendance_replaced = 0, stress_replaced = 0 "
			    "WHERE run_id = $4 AND status = 'incomplete'", 4, v, NULL,
			    "marking the run failed", &e))
		o->host->log(o->hc, COLINK_LOG_WARN, "%s", e.msg);
}

static int open_stage_files(struct out_postgres *o, struct colink_error *err)
{
	int s;
	for (s = 0; s < S_COUNT; s++) {
		o->stage[s] = tmpfile(); /* unlinked at once: gone with the process */
		if (!o->stage[s])
			return COLINK_ERR(err, COLINK_EIO, "%s: cannot create a staging file: %s",
					  o->where, strerror(errno));
	}
	return COLINK_OK;
}

static int out_begin(void *vctx, const struct colink_run_info *run, struct colink_error *err)
{
	struct out_postgres *o = vctx;
	int rc;
	if (o->db || o->cat)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: begin called while a run is open", o->where);
	if (!run || run->struct_size < sizeof(*run) || !run->run_id ||
	    (run->nfields && !run->fields))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: begin: incomplete run information", o->where);
	o->run_id = opg_strdup(o->host, run->run_id);
	o->key_id = opg_strdup(o->host, run->key_id);
	rc = !o->run_id || (run->key_id && !o->key_id)
		? COLINK_ERR(err, COLINK_ENOMEM, "out of memory") : COLINK_OK;
	if (!rc)
		rc = opg_cat_alloc(o, run, err);
	if (!rc)
		rc = open_stage_files(o, err);
	if (!rc)
		rc = db_connect(o, err);
	if (!rc)
		rc = take_lock(o, err);
	if (!rc) /* a sharded warehouse (#17): its shards, in-doubt transactions resolved */
		rc = opg_shard_open(o, err);
	if (!rc)
		rc = schema_upgrade(o, err);
	/* the ledger row, committed alone */
	if (!rc)
		rc = opg_exec(o, "BEGIN", "starting the ledger transaction", err);
	if (!rc)
		rc = insert_run(o, run, err);
	if (!rc)
		rc = opg_exec(o, "COMMIT", "committing the ledger row", err);
	if (rc) {
		rollback_if_open(o);
		run_close(o);
		return rc;
	}
	/* as out_sqlite: a run refused by the warehouse's key or
	 * normalization leaves its ledger row 'failed' */
	rc = check_run(o, run, err);
	if (!rc)
		rc = opg_exec(o, "BEGIN", "starting the run transaction", err);
	if (!rc)
		o->in_run = 1;
	if (!rc)
		rc = opg_shard_begin(o, err);
	if (!rc)
		rc = opg_stage_create(o, err);
	if (rc) {
		rollback_if_open(o);
		mark_failed(o, err->msg, NULL);
		run_close(o);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Inputs and rejects                                                   */
/* ------------------------------------------------------------------ */

static int out_input_begin(void *vctx, const struct colink_input_info *in, int *skip,
			   struct colink_error *err)
{
	struct out_postgres *o = vctx;
	char buf[8];
	int found, rc = opg_in_run(o, "input_begin", err);
	if (rc)
		return rc;
	*skip = 0;
	if (!in || !in->sha256)
		return COLINK_OK;
	{
		const char *v[1] = { in->sha256 };
		/* Policy: identical input bytes are loaded once (schema.sql). */
		rc = opg_query_text(o, "SELECT 1 FROM run_input AS i JOIN run AS r ON r.run_id = "
				    "i.run_id WHERE i.sha256 = $1 AND i.status = 'loaded' AND "
				    "r.status = 'ok' LIMIT 1", 1, v, buf, sizeof(buf), &found,
				    "looking up earlier loads", err);
	}
	if (!rc)
		*skip = found;
	return rc;
}

static int out_input_end(void *vctx, const struct colink_input_info *in, struct colink_error *err)
{
	struct out_postgres *o = vctx;
	char no[16], size[24], rd[24], ld[24], rj[24];
	size_t i;
	int rc = opg_in_run(o, "input_end", err);
	if (rc)
		return rc;
	if (!in)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: input_end without input", o->where);
	snprintf(no, sizeof(no), "%" PRIu32, in->input_no);
	snprintf(size, sizeof(size), "%" PRIu64, in->size);
	snprintf(rd, sizeof(rd), "%" PRIu64, in->read);
	snprintf(ld, sizeof(ld), "%" PRIu64, in->loaded);
	snprintf(rj, sizeof(rj), "%" PRIu64, in->rejected);
	{
		const char *v[13] = { o->run_id, no, in->path, in->sha256, size, in->plugin,
				      in->mapping_path, in->mapping_id, in->mapping_sha256, rd, ld,
				      rj, in->status ? in->status : "loaded" };
		rc = opg_exec_params(o, "INSERT INTO run_input (run_id, input_no, path, sha256, size, "
				     "plugin, mapping_path, mapping_id, mapping_sha256, records_read, "
				     "records_loaded, records_rejected, status) VALUES ($1, $2, $3, $4, "
				     "$5, $6, $7, $8, $9, $10, $11, $12, $13)", 13, v, NULL,
				     "recording the input", err);
	}
	for (i = 0; !rc && i < in->nmap; i++) {
		const char *v[4] = { o->run_id, no, NULL, NULL };
		if (!in->map_fields || !in->map_fields[i])
			continue;
		v[2] = in->map_fields[i];
		v[3] = in->map_sources ? in->map_sources[i] : NULL;
		rc = opg_exec_params(o, "INSERT INTO input_field_map (run_id, input_no, field, source) "
				     "VALUES ($1, $2, $3, $4)", 4, v, NULL, "recording the lineage", err);
	}
	/* merge.c corrects this row's counts for the records it rejects */
	if (!rc && o->staged[S_REC] >= o->merge_batch)
		rc = opg_merge(o, err);
	return rc;
}

static int reject_row(struct out_postgres *o, const struct colink_reject *rj, const char *column,
		      const char *reason, struct colink_error *err)
{
	char no[16], rec[24], line[24];
	const char *v[6] = { o->run_id, no, rec, rj->line_no >= 1 ? line : NULL, column,
			     reason ? reason : "rejected (no reason given)" };
	snprintf(no, sizeof(no), "%" PRIu32, rj->input_no);
	snprintf(rec, sizeof(rec), "%" PRIu64, rj->record_no);
	snprintf(line, sizeof(line), "%" PRIu64, rj->line_no);
	return opg_exec_params(o, "INSERT INTO reject (run_id, input_no, record_no, line_no, "
			       "source_column, reason) VALUES ($1, $2, $3, $4, $5, $6)", 6, v, NULL,
			       "recording a reject", err);
}

/* One row per reason (#25), as out_sqlite.  Rejects are few (the job's
 * max-rejected bounds them), so they go one statement each. */
static int out_reject(void *vctx, const struct colink_reject *rj, struct colink_error *err)
{
	struct out_postgres *o = vctx;
	size_t i;
	int rc = opg_in_run(o, "reject", err);
	if (rc)
		return rc;
	if (!rj)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: reject without a record", o->where);
	if (!COLINK_HAS(struct colink_reject, rj->struct_size, reasons) || !rj->nreasons ||
	    !rj->reasons || rj->reason_size < COLINK_SIZE_TO(struct colink_reject_reason, reason))
		return reject_row(o, rj, rj->column, rj->reason, err);
	for (i = 0; !rc && i < rj->nreasons; i++) {
		const struct colink_reject_reason *r =
			COLINK_AT(struct colink_reject_reason, rj->reasons, rj->reason_size, i);
		rc = reject_row(o, rj, r->column, r->reason, err);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* End of run                                                           */
/* ------------------------------------------------------------------ */

static int out_commit(void *vctx, const struct colink_run_summary *s, struct colink_error *err)
{
	struct out_postgres *o = vctx;
	/* $3..$5 the counts; $6..$11 the rows replaced per kind, checkups to
	 * participation; $12 the UKE claims' rows in one count (out_sqlite's
	 * ST_RUN_OK); $13 the 傷病手当金 payments replaced; the code masters'
	 * replaced codes are not counted */
	char num[3 + K_CLAIM + 2][24];
	const char *v[6 + K_CLAIM + 2];
	int k, rc = opg_in_run(o, "commit", err);
	uint64_t loaded = s ? s->loaded : 0;
	if (!rc)
		rc = opg_merge(o, err);
	if (!rc)
		rc = check_bulk_refs(o, err);
	if (!rc && o->nshards) /* the rows to their shards; counts replaced rows */
		rc = opg_shard_push(o, err);
	if (rc)
		return rc;
	snprintf(num[0], 24, "%" PRIu64, s ? s->read : 0);
	snprintf(num[1], 24, "%" PRIu64, loaded - o->late_rejected);
	snprintf(num[2], 24, "%" PRIu64, (s ? s->rejected : 0) + o->late_rejected);
	for (k = 0; k < K_CLAIM; k++)
		snprintf(num[3 + k], 24, "%" PRIu64, o->replaced[k]);
	snprintf(num[3 + K_CLAIM], 24, "%" PRIu64,
		 o->replaced[K_CLAIM] + o->replaced[K_DIAGNOSIS] + o->replaced[K_ITEM]);
	snprintf(num[4 + K_CLAIM], 24, "%" PRIu64, o->replaced[K_ALLOWANCE]);
	v[0] = s ? s->finished : NULL;
	v[1] = s ? s->message : NULL;
	for (k = 0; k < 3 + K_CLAIM + 2; k++)
		v[2 + k] = num[k];
	v[5 + K_CLAIM + 2] = o->run_id;
	rc = opg_exec_params(o, "UPDATE run SET status = 'ok', finished = coalesce($1, "
			     "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')), "
			     "message = $2, records_read = $3, records_loaded = $4, "
			     "records_rejected = $5, checkups_replaced = $6, employees_replaced = $7, "
			     "attendance_replaced = $8, stress_replaced = $9, claims_replaced = $10, "
			     "participation_replaced = $11, claim_rows_replaced = $12, "
			     "allowance_replaced = $13 "
			     "WHERE run_id = $14", 6 + K_CLAIM + 2, v, NULL, "recording the run", err);
	_Static_assert(K_CLAIM == 6, "$6..$11: checkups to participation");
	if (!rc)
		rc = o->nshards ? opg_shard_commit(o, err)
				: opg_exec(o, "COMMIT", "commit failed", err);
	if (rc)
		return rc;
	o->in_run = 0;
	if (o->kill_at && !strcmp(o->kill_at, "after-commit"))
		raise(SIGKILL);
	if (o->replaced[K_CHECKUP])
		o->host->log(o->hc, COLINK_LOG_INFO, "%s: %" PRIu64 " checkups replaced earlier loads",
			     o->where, o->replaced[K_CHECKUP]);
	run_close(o);
	return COLINK_OK;
}

static void out_abort(void *vctx, const struct colink_run_summary *s)
{
	struct out_postgres *o = vctx;
	if (!o || !o->db)
		return;
	if (o->nshards)
		opg_shard_abort(o);
	rollback_if_open(o);
	if (PQstatus(o->db) == CONNECTION_OK)
		mark_failed(o, s && s->message ? s->message : "run aborted", s);
	run_close(o);
}

/* ------------------------------------------------------------------ */
/* Instance life and descriptor                                         */
/* ------------------------------------------------------------------ */

/* The conninfo, with the service prepended; refused when it carries a
 * password (never printed: the message names only the keyword). */
static int make_conninfo(struct out_postgres *o, const char *conninfo, const char *service,
			 struct colink_error *err)
{
	PQconninfoOption *opts, *p;
	char *msg = NULL;
	size_t n;
	opts = PQconninfoParse(conninfo, &msg);
	if (!opts) {
		PQfreemem(msg); /* libpq's message may quote the string: not shown */
		return COLINK_ERR(err, COLINK_EINVAL,
				  "out_postgres: conninfo is not a valid libpq connection string or URI");
	}
	for (p = opts; p->keyword; p++)
		if (!strcmp(p->keyword, "password") && p->val && *p->val) {
			PQconninfoFree(opts);
			return COLINK_ERR(err, COLINK_EINVAL,
					  "out_postgres: conninfo carries a password, which a job file "
					  "must not: put it in ~/.pgpass, PGPASSFILE or a service file");
		}
	PQconninfoFree(opts);
	n = strlen(conninfo) + strlen(service) + 32;
	o->conninfo = o->host->malloc(n);
	if (!o->conninfo)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (*service) {
		const char *c;
		for (c = service; *c; c++)
			if (*c == ' ' || *c == '\'' || *c == '\\' || *c == '=')
				return COLINK_ERR(err, COLINK_EINVAL,
						  "out_postgres: service: a service name has no spaces, "
						  "quotes, backslashes or '='");
		/* a URI cannot take a prefix: the service goes to libpq alone */
		if (!strncmp(conninfo, "postgres", 8) && strstr(conninfo, "://"))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "out_postgres: give service with a key=value conninfo, not a URI");
		snprintf(o->conninfo, n, "service=%s %s", service, conninfo);
	} else
		snprintf(o->conninfo, n, "%s", conninfo);
	return COLINK_OK;
}

static void out_fini(void *ctx)
{
	struct out_postgres *o = ctx;
	if (!o)
		return;
	run_close(o);
	o->host->free(o->line);
	o->host->free(o->kprev);
	o->host->free(o->kcur);
	o->host->free(o->where);
	o->host->free(o->schema);
	o->host->free(o->conninfo);
	o->host->free(o);
}

static int out_init(void **ctx, const struct colink_host *host, struct colink_host_ctx *hc,
		    const struct colink_setting_values *set, struct colink_error *err)
{
	struct colink_setting_value vals[SET_COUNT];
	struct out_postgres *o;
	int rc;
	*ctx = NULL;
	if (colink_settings_copy(vals, SET_COUNT, set))
		return COLINK_ERR(err, COLINK_EABI, "out_postgres: malformed settings from the host");
	if (vals[SET_LOCK_TIMEOUT].i < 0 || vals[SET_LOCK_TIMEOUT].i > INT32_MAX)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "lock_timeout_ms must be between 0 and %d", INT32_MAX);
	if (vals[SET_MERGE_BATCH].i < 1)
		return COLINK_ERR(err, COLINK_EINVAL, "merge_batch must be at least 1");
	if (!*vals[SET_SCHEMA].text)
		return COLINK_ERR(err, COLINK_EINVAL, "schema: the schema name is empty");
	o = host->calloc(1, sizeof(*o));
	if (!o)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	o->host = host;
	o->hc = hc;
	o->lock_ms = (int)vals[SET_LOCK_TIMEOUT].i;
	o->merge_batch = (uint64_t)vals[SET_MERGE_BATCH].i;
	o->kill_at = getenv("COLINK_TEST_KILL_AT"); /* crash tests only */
	o->schema = opg_strdup(host, vals[SET_SCHEMA].text);
	rc = o->schema ? make_conninfo(o, vals[SET_CONNINFO].text, vals[SET_SERVICE].text, err)
		       : COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (!rc) {
		set_where(o);
		if (!o->where)
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	if (rc) {
		out_fini(o);
		return rc;
	}
	*ctx = o;
	return COLINK_OK;
}

static const struct colink_output_ops out_ops = COLINK_OUTPUT_OPS_INIT(
	.begin = out_begin,
	.input_begin = out_input_begin,
	.write = opg_write,
	.reject = out_reject,
	.input_end = out_input_end,
	.commit = out_commit,
	.abort = out_abort,
	.link = opg_link);

static const struct colink_plugin out_postgres_plugin = COLINK_OUTPUT_PLUGIN_INIT(
	.name = "out_postgres",
	.version = "1.0",
	.description = "load runs into a PostgreSQL warehouse (mappings/warehouse/schema.sql, "
		       "translated by pg-ddl.sh)",
	.settings = out_settings,
	.init = out_init,
	.fini = out_fini,
	.output = &out_ops);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &out_postgres_plugin;
}
