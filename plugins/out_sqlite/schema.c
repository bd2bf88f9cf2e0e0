/*
 * schema.c -- the warehouse schema of out_sqlite: create it from the
 * embedded schema.sql, migrate an older one, and the checks a warehouse
 * must pass before a run writes (columns, key id, normalization version),
 * and the run's transaction: a first load's references checked at once.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "colink/plugin.h"
#include "out_sqlite_int.h"
#include "schema_sql.h"

/*
 * Forward migrations are data: mappings/warehouse/migrate-N.sql turns a
 * warehouse of version N-1 into version N, embedded in order as
 * colink_migration_sql (schema_sql.h, embed-sql.sh; the format and how to
 * add one: mappings/warehouse/README.md).  What only code can do stays
 * here: begin applies every step from the warehouse's version up to
 * COLINK_WAREHOUSE_SCHEMA_VERSION in a transaction of its own
 * (schema_upgrade: foreign keys off, checked before commit, the run's
 * catalogue must fit) and records each version reached in schema_version.
 * tests/test_out_sqlite.c checks that a migrated warehouse equals a new one
 * (test_out_sqlite__migrates_v1_in_place, __migrates_v3_with_both_sides)
 * and that every file is embedded and applied in order
 * (test_out_sqlite__migrations_embedded_in_order).
 */

/*
 * Schema 12 in SQLite only: pseudonyms (person_key.pseudonym) and the
 * comparison features (person_feature) are stored as BLOBs (32 bytes; the
 * name's Bloom filter COLINK_FS_BF_BYTES; the tokens 8 bytes since schema
 * 14, which migrate-14.sql cuts in both dialects), half the bytes of their
 * hex.
 * The columns stay declared TEXT, the type PostgreSQL's dialect of the
 * same schema.sql keeps (it stores the hex: out_postgres); a BLOB value
 * in a TEXT column is stored as it is, and compares and sorts by its
 * bytes, which is the order of its lowercase hex.  The view
 * person_key_hex shows the pseudonyms as 64 hex for people who query by
 * hand.  These statements have no PostgreSQL translation (hex(),
 * typeof()), so they are here, not in migrate-12.sql:
 * mappings/warehouse/README.md.
 */
static const char hex_view_sql[] =
	"CREATE VIEW person_key_hex AS SELECT person_no, kind, "
	"lower(hex(pseudonym)) AS pseudonym, key_id FROM person_key";
static const char to_blob_sql[] =
	"UPDATE person_key SET pseudonym = colink_unhex(pseudonym) "
	"WHERE typeof(pseudonym) = 'text';"
	"UPDATE person_feature SET name_bf = colink_unhex(name_bf), "
	"birth_year = colink_unhex(birth_year), birth_month = colink_unhex(birth_month), "
	"birth_day = colink_unhex(birth_day), birth_md = colink_unhex(birth_md), "
	"sex = colink_unhex(sex), insurer = colink_unhex(insurer), "
	"symbol = colink_unhex(symbol), number = colink_unhex(number);";

/*
 * Schema 13 in SQLite only: link's two person references
 * (employer_person_id, association_person_id -> person.person_id) are
 * checked in bulk after each link phase and migration (link_refs.c,
 * osq_link_refs_check), not per inserted row: the table is rebuilt
 * without them (SQLite cannot drop a constraint), the same columns, keys
 * and run reference.  schema.sql keeps them declared: PostgreSQL's
 * dialect drops them too and checks them in bulk (pg-ddl.sh, BULK), and
 * they still say what the columns mean.  Applied after schema.sql to a
 * new warehouse and after migrate-13.sql to an older one, so both have
 * the same table.
 */
static const char link_bulk_refs_sql[] =
	"CREATE TABLE link_v13 ("
	"employer_person_id TEXT PRIMARY KEY NOT NULL, "
	"association_person_id TEXT NOT NULL UNIQUE, "
	"pass INTEGER NOT NULL, "
	"kind TEXT NOT NULL, "
	"run_id TEXT NOT NULL REFERENCES run (run_id), "
	"weight REAL, "
	"levels TEXT);"
	"INSERT INTO link_v13 (employer_person_id, association_person_id, pass, kind, "
	"run_id, weight, levels) SELECT employer_person_id, association_person_id, pass, "
	"kind, run_id, weight, levels FROM link ORDER BY employer_person_id;"
	"DROP TABLE link;"
	/* a view of the user's naming link must not stop the rename */
	"PRAGMA legacy_alter_table = ON;"
	"ALTER TABLE link_v13 RENAME TO link;"
	"PRAGMA legacy_alter_table = OFF;";

/*
 * Schema 15 in SQLite only: person.person_id's UNIQUE becomes the named
 * index person_person_id, which a first load drops for its transaction
 * and builds again by one sort (person_map.c, osq_person_index); SQLite
 * cannot drop a column constraint's index.  person is rebuilt from its own
 * stored definition (a new warehouse's is schema.sql's, a migrated one's
 * migrate-4.sql's plus later columns) with the UNIQUE left out, its rows
 * copied in person_no order, and its other indexes and triggers made
 * again as they were.  Applied after schema.sql to a new warehouse and
 * after migrate-15.sql to an older one (foreign keys are off there, and a
 * new warehouse has no row that refers to a person).
 */
#define PERSON_ID_UNIQUE "person_id TEXT NOT NULL UNIQUE"

static int has_person_id_index(struct out_sqlite *o)
{
	int64_t n = 0;
	int is_null;
	struct colink_error e = { 0 };
	return !osq_query_int(o, "SELECT count(*) FROM pragma_index_list('person') "
			      "WHERE name = 'person_person_id' AND \"unique\"", &n, &is_null, &e) &&
		n == 1;
}

static int person_id_index(struct out_sqlite *o, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	sqlite3_str *b = sqlite3_str_new(o->db), *others = sqlite3_str_new(o->db);
	const char *sql, *u, *open;
	char *bs, *os;
	int src, rc = COLINK_OK;
	src = sqlite3_prepare_v2(o->db, "SELECT sql FROM sqlite_master WHERE type = 'table' "
				 "AND name = 'person'", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src != SQLITE_ROW)
		rc = osq_db_err(o, src == SQLITE_DONE ? SQLITE_CORRUPT : src,
				"reading table person's definition", err);
	sql = rc ? NULL : (const char *)sqlite3_column_text(st, 0);
	u = sql ? strstr(sql, PERSON_ID_UNIQUE) : NULL;
	open = sql ? strchr(sql, '(') : NULL;
	if (!rc && !u && has_person_id_index(o)) { /* done before (a test's older
						   * version made from a new warehouse) */
		sqlite3_finalize(st);
		sqlite3_free(sqlite3_str_finish(b));
		sqlite3_free(sqlite3_str_finish(others));
		return COLINK_OK;
	}
	if (!rc && (!u || !open || open > u || strstr(u + 1, PERSON_ID_UNIQUE)))
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: table person is not as colink made it "
				"(its definition should declare " PERSON_ID_UNIQUE " once)", o->path);
	if (!rc) { /* the definition from its "(", without " UNIQUE" */
		sqlite3_str_appendall(b, "CREATE TABLE person_v15 ");
		sqlite3_str_append(b, open, (int)(u - open) +
				   (int)(sizeof(PERSON_ID_UNIQUE) - sizeof(" UNIQUE")));
		sqlite3_str_appendall(b, u + sizeof(PERSON_ID_UNIQUE) - 1);
		sqlite3_str_appendall(b, ";INSERT INTO person_v15 SELECT * FROM person "
				      "ORDER BY person_no;");
	}
	sqlite3_finalize(st);
	st = NULL;
	/* the other indexes and triggers on person, to make again */
	if (!rc && (src = sqlite3_prepare_v2(o->db, "SELECT sql FROM sqlite_master WHERE "
					     "tbl_name = 'person' AND type IN ('index', 'trigger') "
					     "AND sql IS NOT NULL ORDER BY type, name", -1, &st,
					     NULL)) != SQLITE_OK)
		rc = osq_db_err(o, src, "reading table person's indexes", err);
	while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_str_appendall(others, (const char *)sqlite3_column_text(st, 0));
		sqlite3_str_appendall(others, ";");
	}
	if (!rc && src != SQLITE_DONE)
		rc = osq_db_err(o, src, "reading table person's indexes", err);
	sqlite3_finalize(st);
	if (!rc && (sqlite3_str_errcode(b) || sqlite3_str_errcode(others)))
		rc = COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory", o->path);
	bs = sqlite3_str_finish(b);
	os = sqlite3_str_finish(others);
	/* the copy's and the index's sorts in place of most of the page
	 * cache (1.5M persons: 221 MB of RSS with the whole cache beside them) */
	if (!rc)
		rc = osq_sort_cache(o, OSQ_CACHE_SORT, err);
	if (!rc)
		rc = osq_exec(o, bs, "rebuilding table person", err);
	/* a view of the user's naming person must not stop the rename */
	if (!rc)
		rc = osq_exec(o, "DROP TABLE person;PRAGMA legacy_alter_table = ON;"
			      "ALTER TABLE person_v15 RENAME TO person;"
			      "PRAGMA legacy_alter_table = OFF;", "rebuilding table person", err);
	if (!rc && os)
		rc = osq_exec(o, os, "rebuilding table person's indexes", err);
	if (!rc)
		rc = osq_exec(o, OSQ_PERSON_ID_INDEX_SQL, "indexing person_id", err);
	if (!rc)
		rc = osq_sort_cache(o, OSQ_CACHE_RUN, err);
	sqlite3_free(bs);
	sqlite3_free(os);
	return rc;
}

/* Create the schema in an empty database (inside the ledger transaction). */
static int schema_create(struct out_sqlite *o, struct colink_error *err)
{
	int64_t n;
	int is_null, rc;
	rc = osq_query_int(o, "SELECT count(*) FROM sqlite_master", &n, &is_null, err);
	if (!rc && n)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: not a colink warehouse (it has tables but no schema_version)",
				  o->path);
	if (!rc)
		rc = osq_exec(o, colink_schema_sql, "creating the warehouse schema", err);
	if (!rc)
		rc = osq_exec(o, hex_view_sql, "creating the warehouse schema", err);
	if (!rc)
		rc = osq_exec(o, link_bulk_refs_sql, "creating the warehouse schema", err);
	if (!rc)
		rc = person_id_index(o, err);
	if (!rc)
		rc = osq_query_int(o, "SELECT max(version) FROM schema_version", &n,
			       &is_null, err);
	if (!rc && (is_null || n != COLINK_WAREHOUSE_SCHEMA_VERSION))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: the embedded schema.sql records version %" PRId64
				  " but declares %d", o->path, is_null ? 0 : n,
				  COLINK_WAREHOUSE_SCHEMA_VERSION);
	return rc;
}

/* Apply the migrations from version v up to the plugin's version. */
static int schema_migrate(struct out_sqlite *o, int64_t v, struct colink_error *err)
{
	size_t i;
	char sql[160];
	for (; v < COLINK_WAREHOUSE_SCHEMA_VERSION; v++) {
		for (i = 0; i < COLINK_WAREHOUSE_MIGRATIONS &&
			    colink_migration_sql[i].to != v + 1; i++)
			;
		if (i == COLINK_WAREHOUSE_MIGRATIONS)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s: no migration from warehouse schema version %" PRId64,
					  o->path, v);
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version (version, applied) "
			 "VALUES (%" PRId64 ", strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'))",
			 v + 1);
		if (osq_exec(o, colink_migration_sql[i].sql, "migrating the warehouse schema", err) ||
		    (v + 1 == 12 && (osq_exec(o, to_blob_sql, "storing pseudonyms as blobs", err) ||
				     osq_exec(o, hex_view_sql, "migrating the warehouse schema", err))) ||
		    (v + 1 == 13 && osq_exec(o, link_bulk_refs_sql,
					     "checking link's person references in bulk", err)) ||
		    (v + 1 == 15 && person_id_index(o, err)) ||
		    osq_exec(o, sql, "recording the schema version", err))
			return err->code;
	}
	return COLINK_OK;
}

/* Bring the schema to COLINK_WAREHOUSE_SCHEMA_VERSION (inside the ledger
 * transaction): create it, refuse a newer one, or migrate an older one. */
int osq_schema_ensure(struct out_sqlite *o, struct colink_error *err)
{
	int64_t v;
	int is_null, rc;
	if (osq_register_unhex(o->db) != SQLITE_OK)
		return osq_db_err(o, sqlite3_errcode(o->db), "registering colink_unhex", err);
	rc = osq_query_int(o, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
		       "AND name = 'schema_version'", &v, &is_null, err);
	if (rc)
		return rc;
	if (!v)
		return schema_create(o, err);
	rc = osq_query_int(o, "SELECT max(version) FROM schema_version", &v, &is_null, err);
	if (rc)
		return rc;
	if (is_null)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: warehouse table schema_version is empty", o->path);
	if (v > COLINK_WAREHOUSE_SCHEMA_VERSION)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: warehouse schema version %" PRId64
				  " is newer than this colink supports (%d)",
				  o->path, v, COLINK_WAREHOUSE_SCHEMA_VERSION);
	return schema_migrate(o, v, err);
}

/* Every wide-table field of the catalogue has its column. */
int osq_check_columns(struct out_sqlite *o, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int src, rc = COLINK_OK;
	src = sqlite3_prepare_v2(o->db, "SELECT 1 FROM pragma_table_info(?) "
				 "WHERE name = ? COLLATE NOCASE", -1, &st, NULL);
	if (src != SQLITE_OK)
		return osq_db_err(o, src, "reading the warehouse schema", err);
	for (i = 0; i < o->ncat && !rc; i++) {
		const struct cat_field *c = &o->cat[i];
		const char *table = osq_wide_table(c->dest);
		if (!c->column || !table)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->column, -1, SQLITE_STATIC);
		src = sqlite3_step(st);
		if (src == SQLITE_DONE)
			rc = COLINK_ERR(err, COLINK_EINVAL,
					"%s: warehouse table %s has no column %s for field %s",
					o->path, table, c->column, c->name);
		else if (src != SQLITE_ROW)
			rc = osq_db_err(o, src, "reading the warehouse schema", err);
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Pseudonyms made under different keys never match, so a warehouse holds
 * one key's pseudonyms only: a run with another key id is refused before
 * it writes anything (rotating a key means reloading; see README).
 */
int osq_check_key_id(struct out_sqlite *o, const struct colink_run_info *run,
			struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int src, rc = COLINK_OK;
	if (!run->key_id)
		return COLINK_OK;
	src = sqlite3_prepare_v2(o->db, "SELECT key_id FROM person WHERE key_id IS NOT NULL "
				 "AND key_id != ?1 LIMIT 1", -1, &st, NULL);
	if (src != SQLITE_OK)
		return osq_db_err(o, src, "reading the warehouse", err);
	osq_bind_text(st, 1, run->key_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = COLINK_ERR(err, COLINK_EINVAL,
				"%s: the warehouse holds pseudonyms made with key id %s; this run uses key id %s "
				"(pseudonyms of different keys never match: use the warehouse's key, or load into a new warehouse)",
				o->path, (const char *)sqlite3_column_text(st, 0), run->key_id);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Pseudonyms of one name made under different identity-normalization
 * versions (colink's folding rules, the Unicode tables) may differ, so a
 * warehouse holds one version's pseudonyms: a run of another version is
 * refused before it writes anything.  Runs before schema 5 recorded none
 * and are not compared.
 */
int osq_check_normalization(struct out_sqlite *o, const struct colink_run_info *run,
			       struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int src, rc = COLINK_OK;
	if (!COLINK_HAS(struct colink_run_info, run->struct_size, normalization) ||
	    !run->normalization)
		return COLINK_OK;
	src = sqlite3_prepare_v2(o->db, "SELECT normalization FROM run WHERE status = 'ok' "
				 "AND normalization IS NOT NULL AND normalization != ?1 LIMIT 1",
				 -1, &st, NULL);
	if (src != SQLITE_OK)
		return osq_db_err(o, src, "reading the warehouse", err);
	osq_bind_text(st, 1, run->normalization);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = COLINK_ERR(err, COLINK_EINVAL,
				"%s: the warehouse holds pseudonyms made under identity normalization '%s'; "
				"this colink normalizes under '%s' (the same name may give another pseudonym: "
				"load into a new warehouse with this colink, or run the colink that made it)",
				o->path, (const char *)sqlite3_column_text(st, 0), run->normalization);
	sqlite3_finalize(st);
	return rc;
}

int osq_fk_check(struct out_sqlite *o, int code, const char *what,
		 struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(o->db, "PRAGMA foreign_key_check", -1, &st, NULL);
	int rc = COLINK_OK;
	char row[32] = "a row";
	if (src != SQLITE_OK)
		return osq_db_err(o, src, "checking foreign keys", err);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		/* a WITHOUT ROWID table's row has no rowid to name */
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			snprintf(row, sizeof(row), "row %lld",
				 (long long)sqlite3_column_int64(st, 1));
		rc = COLINK_ERR(err, code, "%s: %s table %s %s: its %s row is missing",
				o->path, what, (const char *)sqlite3_column_text(st, 0), row,
				(const char *)sqlite3_column_text(st, 2));
	} else if (src != SQLITE_DONE)
		rc = osq_db_err(o, src, "checking foreign keys", err);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Migrate an older warehouse in a transaction of its own, before the
 * run's: a migration may rebuild tables (3 -> 4), which needs foreign
 * keys off, and SQLite ignores PRAGMA foreign_keys inside a transaction.
 * PRAGMA foreign_key_check must find nothing, and the run's catalogue must
 * fit the migrated tables (check_columns), before it commits.  The
 * version is read again under the write lock (schema_ensure), so two runs
 * starting at once migrate once.  A newer or broken warehouse is left to
 * ledger_begin's schema_ensure to refuse.
 */
int osq_schema_upgrade(struct out_sqlite *o, struct colink_error *err)
{
	int64_t v;
	int is_null, rc, rc2;
	rc = osq_query_int(o, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
		       "AND name = 'schema_version'", &v, &is_null, err);
	if (!rc && v)
		rc = osq_query_int(o, "SELECT max(version) FROM schema_version", &v,
			       &is_null, err);
	else
		is_null = 1;
	if (rc || is_null || v >= COLINK_WAREHOUSE_SCHEMA_VERSION)
		return rc;
	if (osq_exec(o, "PRAGMA foreign_keys = OFF", "disabling foreign keys", err))
		return err->code;
	rc = osq_exec(o, "BEGIN IMMEDIATE", "starting the migration", err);
	if (!rc)
		rc = osq_schema_ensure(o, err);
	if (!rc) /* a run that cannot load leaves the warehouse as it was */
		rc = osq_check_columns(o, err);
	if (!rc)
		rc = osq_fk_check(o, COLINK_EINVAL, "migration left", err);
	if (!rc) /* what foreign_key_check no longer sees (schema 13) */
		rc = osq_link_refs_check(o, err);
	if (!rc)
		rc = osq_exec(o, "COMMIT", "committing the migration", err);
	if (rc)
		osq_rollback_if_open(o);
	rc2 = osq_exec(o, "PRAGMA foreign_keys = ON", "enabling foreign keys",
		   rc ? &(struct colink_error){ 0 } : err);
	return rc ? rc : rc2;
}

/*
 * The run's transaction.  A first load (no person in the warehouse yet)
 * runs it with foreign keys off and checks every reference once, before
 * COMMIT (out_commit, osq_bulk_refs_check): SQLite's check per inserted
 * row opens a cursor on the parent and looks the key up for every fact
 * and long row; PRAGMA foreign_key_check reads each table once (1.9 s at
 * 1M persons; the load: -2.2 % of its instructions, bench/RESULTS.md
 * round 12).  That cost grows with the warehouse, not with the run, so a
 * later run, which adds to what is there, keeps the per-row checks.
 * Either way a broken reference refuses the run and nothing of it is
 * committed.  PRAGMA foreign_keys cannot change inside a transaction: the
 * mode is chosen before BEGIN and checked again under the write lock
 * (another run may have loaded meanwhile; it then starts over with the
 * per-row checks).
 */
static int no_person(struct out_sqlite *o, int64_t *empty, struct colink_error *err)
{
	int is_null;
	return osq_query_int(o, "SELECT NOT EXISTS (SELECT 1 FROM person)", empty, &is_null, err);
}

int osq_run_transaction(struct out_sqlite *o, struct colink_error *err)
{
	int64_t empty;
	int rc = no_person(o, &empty, err);
	o->bulk_refs = 0;
	if (!rc && empty)
		rc = osq_exec(o, "PRAGMA foreign_keys = OFF", "disabling foreign keys", err);
	if (!rc)
		rc = osq_exec(o, "BEGIN IMMEDIATE", "starting the run transaction", err);
	if (rc || !empty)
		return rc;
	rc = no_person(o, &empty, err);
	if (!rc && !empty) { /* nothing written yet: start over, per row */
		rc = osq_exec(o, "COMMIT", "starting the run transaction", err);
		if (!rc)
			rc = osq_exec(o, "PRAGMA foreign_keys = ON", "enabling foreign keys", err);
		if (!rc)
			rc = osq_exec(o, "BEGIN IMMEDIATE", "starting the run transaction", err);
	}
	o->bulk_refs = !rc && empty;
	if (o->bulk_refs) /* person_map.c */
		rc = osq_person_map_start(o, err);
	return rc;
}

/* A first load's references, all at once (osq_run_transaction), timed. */
int osq_bulk_refs_check(struct out_sqlite *o, struct colink_error *err)
{
	struct osq_lap t;
	double w, cpu;
	int rc;
	osq_lap_start(&t);
	rc = osq_fk_check(o, COLINK_EIO, "the run's rows break a reference:", err);
	w = osq_lap(&t, &cpu);
	if (!rc)
		o->host->log(o->hc, COLINK_LOG_INFO, "%s: first load: every reference checked "
			     "at once in %.2f s (CPU %.2f s)", o->path, w, cpu);
	return rc;
}
