/*
 * wh_pg_shard.c -- `colink warehouse init|status|recover` (shard.h, #17).
 *
 * The layout (docs/postgres-shards.md): the coordinator holds the whole
 * warehouse of mappings/warehouse/schema.sql (pg_schema_sql.h, the same
 * DDL out_postgres creates), except that each fact table
 * (COLINK_SHARD_FACTS) is a parent PARTITION BY HASH (person_no) whose
 * partition REMAINDER i is a postgres_fdw foreign table on shard i (server
 * <schema>_shard_i); the shards hold those tables, plain, in a schema of
 * the same name, without foreign keys (their references are on the
 * coordinator: out_postgres checks them there before the rows go out).
 * The long tables (observation, questionnaire, stress_answer) get their
 * parent's person_no, so that everything of one person is on one shard.
 * The surrogate ids (checkup_id, stress_check_id) come from sequences on
 * the coordinator, so they are unique across shards.  colink_shard lists
 * the shards for out_postgres (its connection strings carry no password).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "warehouse/shard.h"

#ifndef COLINK_WITH_LIBPQ
static int no_libpq(struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_EINVAL, "this colink was built without libpq: "
			  "no PostgreSQL warehouse");
}
int colink_wh_shard_init(const char *warehouse, const char *shards, FILE *out,
			 struct colink_error *err)
{
	return no_libpq(err);
}
int colink_wh_shard_status(const char *warehouse, FILE *out, struct colink_error *err)
{
	return no_libpq(err);
}
int colink_wh_shard_recover(const char *warehouse, FILE *out, struct colink_error *err)
{
	return no_libpq(err);
}
#else

#include <libpq-fe.h>

#include "warehouse/pg_2pc.h"
#include "pg_schema_sql.h"

#define MAX_SHARDS 64

static const char *const facts[] = { COLINK_SHARD_FACTS };
static const char *const longs[] = { COLINK_SHARD_LONGS };
#define NFACTS (sizeof(facts) / sizeof(facts[0]))
#define NLONGS (sizeof(longs) / sizeof(longs[0]))
_Static_assert(NFACTS == COLINK_SHARD_NFACTS, "one list of fact tables");

struct conn {
	PGconn *db;
	char name[160]; /* "coordinator (db on host)", "shard 2 (db on host)" */
	char *conninfo; /* as given, no password */
};

struct cluster {
	char *schema;
	struct conn coord;
	struct conn shard[MAX_SHARDS];
	size_t n;
};

static int pg_err(const struct conn *c, const char *what, const char *msg,
		  struct colink_error *err)
{
	size_t n = msg ? strcspn(msg, "\n") : 0;
	return COLINK_ERR(err, COLINK_EIO, "%s: %s: %.*s", c->name, what, (int)n, msg ? msg : "");
}

static int exec(const struct conn *c, const char *sql, const char *what, struct colink_error *err)
{
	PGresult *res = PQexec(c->db, sql);
	int rc = COLINK_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_err(c, what, PQresultErrorMessage(res), err);
	PQclear(res);
	return rc;
}

/* A connection string or URI without a password; what names it. */
static int no_password(const char *conninfo, const char *what, struct colink_error *err)
{
	PQconninfoOption *opts, *p;
	char *msg = NULL;
	opts = PQconninfoParse(conninfo, &msg);
	if (!opts) {
		PQfreemem(msg); /* it may quote the string */
		return COLINK_ERR(err, COLINK_EINVAL, "%s is not a libpq connection string or URI",
				  what);
	}
	for (p = opts; p->keyword; p++)
		if (!strcmp(p->keyword, "password") && p->val && *p->val) {
			PQconninfoFree(opts);
			return COLINK_ERR(err, COLINK_EINVAL, "%s carries a password, which colink "
					  "does not take on its command line: put it in ~/.pgpass, "
					  "PGPASSFILE or a service file", what);
		}
	PQconninfoFree(opts);
	return COLINK_OK;
}

static int connect_one(struct conn *c, const char *label, const char *schema,
		       struct colink_error *err)
{
	char sql[300], *q;
	int rc;
	c->db = PQconnectdb(c->conninfo);
	if (!c->db)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	snprintf(c->name, sizeof(c->name), "%s (%s on %s)", label,
		 PQdb(c->db) ? PQdb(c->db) : "?",
		 PQhost(c->db) && *PQhost(c->db) ? PQhost(c->db) : "the default socket");
	if (PQstatus(c->db) != CONNECTION_OK)
		return pg_err(c, "cannot connect", PQerrorMessage(c->db), err);
	q = PQescapeIdentifier(c->db, schema, strlen(schema));
	if (!q)
		return pg_err(c, "schema name", PQerrorMessage(c->db), err);
	snprintf(sql, sizeof(sql), "SET search_path TO %s; SET client_encoding TO 'UTF8'; "
		 "SET client_min_messages TO warning", q);
	PQfreemem(q);
	rc = exec(c, sql, "configuring the session", err);
	return rc;
}

static void cluster_close(struct cluster *k)
{
	size_t i;
	if (k->coord.db)
		PQfinish(k->coord.db);
	colink_free(k->coord.conninfo);
	for (i = 0; i < k->n; i++) {
		if (k->shard[i].db)
			PQfinish(k->shard[i].db);
		colink_free(k->shard[i].conninfo);
	}
	colink_free(k->schema);
	memset(k, 0, sizeof(*k));
}

/* "postgresql://...#SCHEMA": the coordinator's connection string and the
 * schema (default colink). */
static int open_coord(struct cluster *k, const char *warehouse, struct colink_error *err)
{
	char *hash;
	int rc;
	if (strncmp(warehouse, "postgresql://", 13) && strncmp(warehouse, "postgres://", 11))
		return COLINK_ERR(err, COLINK_EINVAL, "the warehouse must be a PostgreSQL URI "
				  "(postgresql://...[#SCHEMA])");
	k->coord.conninfo = colink_strdup(warehouse);
	if (!k->coord.conninfo)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	hash = strchr(k->coord.conninfo, '#');
	k->schema = colink_strdup(hash && hash[1] ? hash + 1 : "colink");
	if (hash)
		*hash = '\0';
	if (!k->schema)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	rc = no_password(k->coord.conninfo, "the warehouse URI", err);
	if (!rc)
		rc = connect_one(&k->coord, "coordinator", k->schema, err);
	return rc;
}

/* One value of a one-row query (empty when none or NULL). */
static int query1(const struct conn *c, const char *sql, int n, const char *const *v, char *buf,
		  size_t size, const char *what, struct colink_error *err)
{
	PGresult *res = PQexecParams(c->db, sql, n, NULL, v, NULL, NULL, 0);
	int rc = COLINK_OK;
	buf[0] = '\0';
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_err(c, what, PQresultErrorMessage(res), err);
	else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		snprintf(buf, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

/* The shards of colink_shard, connected (status, recover). */
static int open_shards(struct cluster *k, int tolerate, FILE *out, struct colink_error *err)
{
	PGresult *res;
	char buf[64], label[32];
	int i, rc = query1(&k->coord, "SELECT to_regclass('colink_shard')::text", 0, NULL, buf,
			   sizeof(buf), "reading the shards", err);
	if (rc)
		return rc;
	if (!*buf)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: schema %s is not a sharded warehouse "
				  "(no colink_shard table: see colink warehouse init)", k->coord.name,
				  k->schema);
	res = PQexec(k->coord.db, "SELECT conninfo FROM colink_shard ORDER BY shard_no");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_err(&k->coord, "reading the shards", PQresultErrorMessage(res), err);
		PQclear(res);
		return rc;
	}
	for (i = 0; !rc && i < PQntuples(res) && i < MAX_SHARDS; i++) {
		struct conn *c = &k->shard[k->n++];
		c->conninfo = colink_strdup(PQgetvalue(res, i, 0));
		if (!c->conninfo) {
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			break;
		}
		snprintf(label, sizeof(label), "shard %d", i + 1);
		rc = connect_one(c, label, k->schema, err);
		if (rc && tolerate) {
			fprintf(out, "%s: not reachable: %s\n", label, err->msg);
			PQfinish(c->db);
			c->db = NULL;
			rc = COLINK_OK;
		}
	}
	PQclear(res);
	return rc;
}

/* The warehouse's lock, as out_postgres takes it (one run at a time). */
static int take_lock(struct cluster *k, struct colink_error *err)
{
	const char *v[1] = { k->schema };
	char buf[8];
	int rc = query1(&k->coord, "SELECT pg_try_advisory_lock(hashtext('colink warehouse ' || $1))",
			1, v, buf, sizeof(buf), "taking the warehouse lock", err);
	if (!rc && buf[0] != 't')
		rc = COLINK_ERR(err, COLINK_EBUSY, "%s: warehouse is locked by a run", k->coord.name);
	return rc;
}

/* max_prepared_transactions must allow a run's prepared transaction. */
static int check_2pc(const struct conn *c, struct colink_error *err)
{
	char buf[32];
	int rc = query1(c, "SELECT current_setting('max_prepared_transactions')", 0, NULL, buf,
			sizeof(buf), "reading max_prepared_transactions", err);
	if (!rc && atol(buf) < 1)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: max_prepared_transactions is 0: a sharded "
				"warehouse commits each run on every server with PREPARE TRANSACTION; "
				"set max_prepared_transactions = 10 (or more) in postgresql.conf and "
				"restart the server", c->name);
	return rc;
}

static int schema_absent(const struct conn *c, const char *schema, struct colink_error *err)
{
	const char *v[1] = { schema };
	char buf[8];
	int rc = query1(c, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, v, buf, sizeof(buf),
			"reading the schemas", err);
	if (!rc && *buf)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: schema %s exists already: init makes a new "
				"warehouse (drop it, or choose another #SCHEMA)", c->name, schema);
	return rc;
}

/* CREATE SCHEMA and the warehouse's DDL, in the open transaction. */
static int create_schema(struct cluster *k, const struct conn *c, struct colink_error *err)
{
	char sql[300], *q = PQescapeIdentifier(c->db, k->schema, strlen(k->schema));
	int rc;
	if (!q)
		return pg_err(c, "schema name", PQerrorMessage(c->db), err);
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s; SET LOCAL search_path TO %s", q, q);
	PQfreemem(q);
	rc = exec(c, sql, "creating the schema", err);
	if (!rc)
		rc = exec(c, colink_schema_sql, "creating the warehouse tables", err);
	return rc;
}

/* '{checkup,observation,...}' */
static void facts_array(char *buf, size_t size)
{
	size_t i, n;
	snprintf(buf, size, "{");
	for (i = 0; i < NFACTS; i++) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%s%s", i ? "," : "", facts[i]);
	}
	n = strlen(buf);
	snprintf(buf + n, size - n, "}");
}

/* A shard: the fact tables only, plain, no foreign keys, person_no on the
 * long tables. */
static int init_shard(struct cluster *k, const struct conn *c, struct colink_error *err)
{
	char arr[400], sql[1400];
	const char *v[1] = { arr };
	PGresult *res;
	size_t i;
	int rc = exec(c, "BEGIN", "starting", err);
	if (!rc)
		rc = create_schema(k, c, err);
	facts_array(arr, sizeof(arr));
	/* and the shard's own schema_version: its tables' version, which every
	 * run checks against the coordinator's (colink_pg_shard_versions) */
	snprintf(arr + strlen(arr) - 1, sizeof(arr) - strlen(arr) + 1, ",schema_version}");
	if (!rc) {
		res = PQexecParams(c->db, "DO $$ DECLARE r record; BEGIN "
			"FOR r IN SELECT k.relname, c.conname FROM pg_constraint c JOIN pg_class k ON "
			"k.oid = c.conrelid WHERE k.relnamespace = current_schema()::regnamespace AND "
			"c.contype = 'f' LOOP EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', "
			"r.relname, r.conname); END LOOP; "
			"FOR r IN SELECT relname FROM pg_class WHERE relnamespace = "
			"current_schema()::regnamespace AND relkind = 'v' LOOP "
			"EXECUTE format('DROP VIEW %I', r.relname); END LOOP; END $$", 0, NULL, NULL,
			NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pg_err(c, "dropping the references", PQresultErrorMessage(res), err);
		PQclear(res);
	}
	if (!rc) {
		/* every table but the facts: one statement (a DO block takes no
		 * parameter, so the list is read from a temporary setting) */
		res = PQexecParams(c->db, "SELECT set_config('colink.facts', $1, true)", 1, NULL, v,
				   NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			rc = pg_err(c, "dropping the other tables", PQresultErrorMessage(res), err);
		PQclear(res);
	}
	if (!rc)
		rc = exec(c, "DO $$ DECLARE r record; BEGIN FOR r IN SELECT relname FROM pg_class "
			  "WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND "
			  "relname <> ALL (current_setting('colink.facts')::text[]) LOOP "
			  "EXECUTE format('DROP TABLE %I CASCADE', r.relname); END LOOP; END $$",
			  "dropping the other tables", err);
	for (i = 0; !rc && i < NLONGS; i++) {
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN person_no bigint; "
			 "CREATE INDEX %s_person ON %s (person_no)", longs[i], longs[i], longs[i]);
		rc = exec(c, sql, "adding person_no", err);
	}
	if (!rc)
		rc = exec(c, "COMMIT", "committing", err);
	if (rc)
		exec(c, "ROLLBACK", "rolling back", &(struct colink_error){ 0 });
	return rc;
}

/* The coordinator: the whole warehouse, the facts turned into partitioned
 * parents of foreign tables. */
static int init_coord(struct cluster *k, struct colink_error *err)
{
	const struct conn *c = &k->coord;
	char sql[2000], *lit, *id;
	PGresult *views = NULL;
	size_t i, s;
	int rc = exec(c, "BEGIN", "starting", err);
	if (!rc)
		rc = exec(c, "CREATE EXTENSION IF NOT EXISTS postgres_fdw WITH SCHEMA public",
			  "creating extension postgres_fdw (the postgresql-15 package ships it)", err);
	if (!rc)
		rc = create_schema(k, c, err);
	if (!rc)
		rc = exec(c, "CREATE TABLE colink_shard (shard_no integer PRIMARY KEY, conninfo text "
			  "NOT NULL, server text NOT NULL UNIQUE, added text NOT NULL DEFAULT "
			  "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
			  "creating colink_shard", err);
	for (s = 0; !rc && s < k->n; s++) {
		const struct conn *sh = &k->shard[s];
		const char *v[6];
		char no[24], server[200], port[16];
		snprintf(no, sizeof(no), "%zu", s + 1);
		snprintf(server, sizeof(server), "%s_shard_%zu", k->schema, s + 1);
		snprintf(port, sizeof(port), "%s", PQport(sh->db) ? PQport(sh->db) : "5432");
		v[0] = no;
		v[1] = sh->conninfo;
		v[2] = server;
		v[3] = PQhost(sh->db) ? PQhost(sh->db) : "";
		v[4] = port;
		v[5] = PQdb(sh->db);
		/* server and mapping by format(): DDL takes no parameters */
		{
			const char *v2[5] = { server, v[3], port, v[5], PQuser(sh->db) };
			PGresult *res = PQexecParams(c->db,
				"SELECT format('CREATE SERVER %I FOREIGN DATA WRAPPER postgres_fdw OPTIONS "
				"(host %L, port %L, dbname %L, fetch_size ''10000''%s); CREATE USER "
				"MAPPING FOR CURRENT_USER SERVER %I OPTIONS (user %L)', $1::text, $2::text, "
				"$3::text, $4::text, CASE WHEN current_setting('server_version_num')::int "
				">= 140000 THEN ', async_capable ''true''' ELSE '' END, $1::text, $5::text)",
				5, NULL, v2, NULL, NULL, 0);
			if (PQresultStatus(res) != PGRES_TUPLES_OK)
				rc = pg_err(c, "creating the foreign server", PQresultErrorMessage(res),
					    err);
			else
				rc = exec(c, PQgetvalue(res, 0, 0), "creating the foreign server", err);
			PQclear(res);
		}
		if (!rc) {
			PGresult *res = PQexecParams(c->db, "INSERT INTO colink_shard (shard_no, "
						     "conninfo, server) VALUES ($1, $2, $3)", 3, NULL,
						     v, NULL, NULL, 0);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				rc = pg_err(c, "recording the shard", PQresultErrorMessage(res), err);
			PQclear(res);
		}
	}
	for (i = 0; !rc && i < NLONGS; i++) {
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN person_no bigint", longs[i]);
		rc = exec(c, sql, "adding person_no", err);
	}
	/* the views over the facts, recreated over the parents */
	if (!rc) {
		views = PQexec(c->db, "SELECT viewname, definition FROM pg_views WHERE schemaname = "
			       "current_schema() ORDER BY 1");
		if (PQresultStatus(views) != PGRES_TUPLES_OK)
			rc = pg_err(c, "reading the views", PQresultErrorMessage(views), err);
	}
	for (i = 0; !rc && i < (size_t)PQntuples(views); i++) {
		snprintf(sql, sizeof(sql), "DROP VIEW %s", PQgetvalue(views, (int)i, 0));
		rc = exec(c, sql, "dropping a view", err);
	}
	for (i = 0; !rc && i < NFACTS; i++) {
		snprintf(sql, sizeof(sql), "ALTER TABLE %s RENAME TO %s__single; CREATE TABLE %s "
			 "(LIKE %s__single INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY "
			 "HASH (person_no)", facts[i], facts[i], facts[i], facts[i]);
		rc = exec(c, sql, "making the partitioned tables", err);
	}
	if (!rc)
		rc = exec(c, "CREATE SEQUENCE checkup_id_seq; CREATE SEQUENCE stress_check_id_seq; "
			  "ALTER TABLE checkup ALTER COLUMN checkup_id SET DEFAULT "
			  "nextval('checkup_id_seq'); ALTER TABLE stress_check ALTER COLUMN "
			  "stress_check_id SET DEFAULT nextval('stress_check_id_seq')",
			  "making the id sequences", err);
	for (i = 0; !rc && i < NFACTS; i++) {
		snprintf(sql, sizeof(sql), "DROP TABLE %s__single CASCADE", facts[i]);
		rc = exec(c, sql, "making the partitioned tables", err);
	}
	for (i = 0; !rc && i < (size_t)PQntuples(views); i++) {
		snprintf(sql, sizeof(sql), "CREATE VIEW %s AS %s", PQgetvalue(views, (int)i, 0),
			 PQgetvalue(views, (int)i, 1));
		rc = exec(c, sql, "recreating a view", err);
	}
	PQclear(views);
	lit = PQescapeLiteral(c->db, k->schema, strlen(k->schema));
	for (i = 0; !rc && lit && i < NFACTS; i++)
		for (s = 0; !rc && s < k->n; s++) {
			char server[200];
			snprintf(server, sizeof(server), "%s_shard_%zu", k->schema, s + 1);
			id = PQescapeIdentifier(c->db, server, strlen(server));
			if (!id) {
				rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
				break;
			}
			snprintf(sql, sizeof(sql), "CREATE FOREIGN TABLE %s_p%zu PARTITION OF %s FOR "
				 "VALUES WITH (MODULUS %zu, REMAINDER %zu) SERVER %s OPTIONS "
				 "(schema_name %s, table_name '%s')", facts[i], s + 1, facts[i], k->n,
				 s, id, lit, facts[i]);
			PQfreemem(id);
			rc = exec(c, sql, "creating the foreign partitions", err);
		}
	if (!lit && !rc)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	PQfreemem(lit);
	if (!rc)
		rc = exec(c, "COMMIT", "committing", err);
	if (rc)
		exec(c, "ROLLBACK", "rolling back", &(struct colink_error){ 0 });
	return rc;
}

int colink_wh_shard_init(const char *warehouse, const char *shards, FILE *out,
			 struct colink_error *err)
{
	struct cluster k = { 0 };
	const char *p = shards;
	char label[32];
	int rc;
	size_t i;
	(void)colink_migration_sql; /* pg_schema_sql.h's other tables: out_postgres's */
	(void)opg_bulk_refs;
	rc = open_coord(&k, warehouse, err);
	while (!rc && p && *p) {
		size_t n = strcspn(p, ",");
		struct conn *c;
		if (k.n == MAX_SHARDS) {
			rc = COLINK_ERR(err, COLINK_EINVAL, "more than %d shards", MAX_SHARDS);
			break;
		}
		c = &k.shard[k.n++];
		c->conninfo = colink_malloc(n + 1);
		if (!c->conninfo) {
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			break;
		}
		memcpy(c->conninfo, p, n);
		c->conninfo[n] = '\0';
		snprintf(label, sizeof(label), "shard %zu", k.n);
		rc = no_password(c->conninfo, label, err);
		if (!rc)
			rc = connect_one(c, label, k.schema, err);
		p += n;
		if (*p == ',')
			p++;
	}
	if (!rc && !k.n)
		rc = COLINK_ERR(err, COLINK_EINVAL, "--shards names no shard");
	if (!rc)
		rc = check_2pc(&k.coord, err);
	for (i = 0; !rc && i < k.n; i++)
		rc = check_2pc(&k.shard[i], err);
	if (!rc)
		rc = schema_absent(&k.coord, k.schema, err);
	for (i = 0; !rc && i < k.n; i++)
		rc = schema_absent(&k.shard[i], k.schema, err);
	for (i = 0; !rc && i < k.n; i++)
		rc = init_shard(&k, &k.shard[i], err);
	if (!rc)
		rc = init_coord(&k, err);
	if (!rc) {
		fprintf(out, "sharded warehouse: schema %s on %s\n", k.schema, k.coord.name);
		for (i = 0; i < k.n; i++)
			fprintf(out, "  %s: %zu fact tables, partition remainder %zu of %zu\n",
				k.shard[i].name, NFACTS, i, k.n);
	}
	cluster_close(&k);
	return rc;
}

/* Every reachable shard's tables at the coordinator's schema version
 * (printed), else the one-line refusal naming the shard. */
static int shard_versions(struct cluster *k, FILE *out, struct colink_error *err)
{
	PGconn *dbs[MAX_SHARDS];
	const char *uris[MAX_SHARDS];
	char msg[600];
	long v;
	size_t s;
	for (s = 0; s < k->n; s++) {
		dbs[s] = k->shard[s].db;
		uris[s] = k->shard[s].conninfo;
	}
	if (colink_pg_shard_versions(k->coord.db, dbs, uris, k->n, &v, msg, sizeof(msg)))
		return COLINK_ERR(err, COLINK_EINVAL, "%s", msg);
	fprintf(out, "schema version: %ld on the coordinator and every shard\n", v);
	return COLINK_OK;
}

static void print_prepared(const struct conn *c, FILE *out)
{
	PGresult *res = PQexec(c->db, "SELECT gid, prepared FROM pg_prepared_xacts WHERE gid LIKE "
			       "'colink-%' AND database = current_database() ORDER BY gid");
	int i;
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		for (i = 0; i < PQntuples(res); i++)
			fprintf(out, "  in doubt on %s: %s (prepared %s)\n", c->name,
				PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	PQclear(res);
}

int colink_wh_shard_status(const char *warehouse, FILE *out, struct colink_error *err)
{
	struct cluster k = { 0 };
	char sql[200];
	long indoubt = 0, n;
	size_t i, s;
	int rc = open_coord(&k, warehouse, err);
	if (!rc)
		rc = open_shards(&k, 1, out, err);
	if (rc) {
		cluster_close(&k);
		return rc;
	}
	fprintf(out, "coordinator: %s, schema %s, %zu shards\n", k.coord.name, k.schema, k.n);
	for (s = 0; s < k.n; s++)
		if (k.shard[s].db)
			fprintf(out, "%s\n", k.shard[s].name);
	fprintf(out, "rows per shard:\n  %-18s", "table");
	for (s = 0; s < k.n; s++)
		fprintf(out, " %12s%zu", "shard ", s + 1);
	fputc('\n', out);
	for (i = 0; i < NFACTS; i++) {
		fprintf(out, "  %-18s", facts[i]);
		for (s = 0; s < k.n; s++) {
			char buf[32] = "?";
			struct colink_error e = { 0 };
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", facts[i]);
			if (k.shard[s].db)
				query1(&k.shard[s], sql, 0, NULL, buf, sizeof(buf), "counting", &e);
			fprintf(out, " %13s", *buf ? buf : "?");
		}
		fputc('\n', out);
	}
	n = colink_pg_2pc_count(k.coord.db);
	indoubt += n > 0 ? n : 0;
	print_prepared(&k.coord, out);
	for (s = 0; s < k.n; s++)
		if (k.shard[s].db) {
			n = colink_pg_2pc_count(k.shard[s].db);
			indoubt += n > 0 ? n : 0;
			print_prepared(&k.shard[s], out);
		}
	fprintf(out, "in-doubt prepared transactions: %ld%s\n", indoubt,
		indoubt ? " (colink warehouse recover, or the next run, resolves them)" : "");
	rc = shard_versions(&k, out, err);
	cluster_close(&k);
	return rc;
}

int colink_wh_shard_recover(const char *warehouse, FILE *out, struct colink_error *err)
{
	struct cluster k = { 0 };
	PGconn *dbs[MAX_SHARDS];
	unsigned committed = 0, rolled = 0;
	char msg[400];
	size_t s;
	int rc = open_coord(&k, warehouse, err);
	if (!rc)
		rc = open_shards(&k, 0, out, err);
	if (!rc)
		rc = take_lock(&k, err);
	for (s = 0; s < k.n; s++)
		dbs[s] = k.shard[s].db;
	if (!rc && colink_pg_2pc_resolve(k.coord.db, dbs, k.n, &committed, &rolled, msg,
					 sizeof(msg)))
		rc = COLINK_ERR(err, COLINK_EIO, "%s", msg);
	if (!rc)
		fprintf(out, "in-doubt prepared transactions: %u committed, %u rolled back\n",
			committed, rolled);
	cluster_close(&k);
	return rc;
}

#endif
