/*
 * keys.c -- the run's pseudonyms: staged during the load, then flushed
 * into person_key in its key order.
 *
 * record.c stages each person's pseudonyms in the connection's temporary
 * table osq_key_stage (append only, no index) instead of inserting them
 * into person_key one by one: pseudonyms are uniformly random, so single
 * inserts land on random pages of person_key's primary key, which thrash
 * the page cache once the index outgrows it (bench/RESULTS.md).  Before
 * link and commit they go in with one INSERT ... SELECT sorted by that
 * key, so the B-tree fills from left to right.  Duplicates are ignored as
 * before; rowid breaks ties, so the result does not depend on the sort.
 *
 * A staged row is small and sorts fast.  Its kind is a number (the
 * kind's index in o->key_kinds, turned back into the name by the flush;
 * a kind that does not fit there is staged by name instead), the key id
 * is the run's (bound by the flush), and `prefix` holds the kind's rank
 * among the staged kinds in bits 56-62 and the pseudonym's first 7 bytes
 * below them.  So ORDER BY prefix, pseudonym is ORDER BY kind, pseudonym,
 * and SQLite's sorter compares one integer instead of two fields nearly
 * always (bench/RESULTS.md round 14: the flush's sort of 5.4 M pseudonyms
 * 10.2 -> 4.4 s).
 */
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "colink/plugin.h"
#include "out_sqlite_int.h"

#define KIND_SHIFT 56
/* past it kinds share a rank: the order of the insert changes, not what
 * it writes */
#define KIND_RANK_MAX 127

int osq_key_stage_create(struct out_sqlite *o, struct colink_error *err)
{
	o->nkey_kinds = 0;
	return osq_exec(o, "CREATE TEMP TABLE IF NOT EXISTS osq_key_stage (person_no INTEGER "
			"NOT NULL, kind_no INTEGER NOT NULL, prefix INTEGER NOT NULL, "
			"pseudonym BLOB NOT NULL, kind TEXT)",
			"creating the pseudonym staging table", err);
}

/* The first 7 bytes of a hex pseudonym, big-endian (a shorter one padded
 * with zero bytes, which keeps the order: ties go to the full compare). */
static uint64_t hex_prefix(const char *hex)
{
	unsigned char b[KIND_SHIFT / 8] = { 0 };
	uint64_t v = 0;
	size_t i;
	osq_unhex(hex, strnlen(hex, 2 * sizeof(b)) & ~(size_t)1, b);
	for (i = 0; i < sizeof(b); i++)
		v = v << 8 | b[i];
	return v;
}

/* The kind's number, learning it on first sight; OSQ_KEY_KINDS when the
 * table is full or the name too long (the row then carries the name). */
static size_t kind_no(struct out_sqlite *o, const char *kind)
{
	size_t k, n;
	for (k = 0; k < o->nkey_kinds; k++)
		if (!strcmp(o->key_kinds[k], kind))
			return k;
	n = strlen(kind);
	if (o->nkey_kinds == OSQ_KEY_KINDS || n >= OSQ_KEY_KIND_NAME)
		return OSQ_KEY_KINDS;
	memcpy(o->key_kinds[k], kind, n + 1);
	o->nkey_kinds++;
	return k;
}

int osq_key_stage(struct out_sqlite *o, sqlite3_int64 person_no, const char *kind,
		  const char *hex, struct colink_error *err)
{
	sqlite3_stmt *st = osq_use(o, ST_KEY_STAGE);
	size_t k = kind_no(o, kind);
	int src;
	sqlite3_bind_int64(st, 1, person_no);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)k);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)hex_prefix(hex));
	osq_bind_hex(st, 4, hex);
	if (k == OSQ_KEY_KINDS)
		sqlite3_bind_text(st, 5, kind, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	src = osq_step_done(st);
	if (src != SQLITE_OK)
		return osq_db_err(o, src, "writing the person", err);
	o->staged++;
	return COLINK_OK;
}

/* SQLite's BINARY order of two kinds (memcmp, then the shorter first),
 * which is person_key's primary-key order. */
static int kind_before(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	int c = memcmp(a, b, na < nb ? na : nb);
	return c < 0 || (c == 0 && na < nb);
}

/* The flush's INSERT: ?1..?n the kinds' names, ?n+1 the key id.  A row
 * staged by name (kind_no OSQ_KEY_KINDS) takes the last rank. */
static char *flush_sql(struct out_sqlite *o)
{
	sqlite3_str *q = sqlite3_str_new(o->db);
	size_t i, j, rank;
	sqlite3_str_appendall(q, "INSERT OR IGNORE INTO person_key (person_no, kind, pseudonym, "
			      "key_id) SELECT person_no, CASE kind_no");
	for (i = 0; i < o->nkey_kinds; i++)
		sqlite3_str_appendf(q, " WHEN %lld THEN ?%lld", (long long)i, (long long)i + 1);
	sqlite3_str_appendf(q, " ELSE kind END, pseudonym, ?%lld FROM temp.osq_key_stage "
			    "ORDER BY (CASE kind_no", (long long)o->nkey_kinds + 1);
	for (i = 0; i < o->nkey_kinds; i++) {
		for (rank = 0, j = 0; j < o->nkey_kinds; j++)
			rank += kind_before(o->key_kinds[j], o->key_kinds[i]);
		sqlite3_str_appendf(q, " WHEN %lld THEN %lld", (long long)i,
				    (long long)(rank < KIND_RANK_MAX ? rank : KIND_RANK_MAX));
	}
	sqlite3_str_appendf(q, " ELSE %d END << %d) | prefix, pseudonym, person_no, rowid",
			    KIND_RANK_MAX, KIND_SHIFT);
	return sqlite3_str_finish(q);
}

static int keys_insert(struct out_sqlite *o, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	char *sql = flush_sql(o);
	size_t i;
	int src = sql ? sqlite3_prepare_v2(o->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	for (i = 0; src == SQLITE_OK && i < o->nkey_kinds; i++)
		src = sqlite3_bind_text(st, (int)i + 1, o->key_kinds[i], -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		osq_bind_text(st, (int)o->nkey_kinds + 1, o->key_id);
	if (src == SQLITE_OK)
		src = osq_step_done(st);
	sqlite3_finalize(st);
	return src == SQLITE_OK ? COLINK_OK : osq_db_err(o, src, "writing the pseudonyms", err);
}

int osq_keys_flush(struct out_sqlite *o, struct colink_error *err)
{
	int64_t rows = 0;
	int is_null, rebuild, rc;
	rc = osq_person_index(o, err); /* a first load's, before anything reads it */
	if (rc || !o->staged)
		return rc;
	rc = osq_sort_cache(o, OSQ_CACHE_SORT, err);
	/* person_key_person is keyed by person_no, which the sort above
	 * scatters: for a load that at least adds a quarter to the table,
	 * build that index anew by one sort after the insert (DDL is part of
	 * the run's transaction) instead of inserting into it at random. */
	if (!rc)
		rc = osq_query_int(o, "SELECT coalesce(max(rowid), 0) FROM person_key", &rows,
			       &is_null, err);
	rebuild = !rc && o->staged >= (uint64_t)rows / 4;
	if (!rc && rebuild)
		rc = osq_exec(o, "DROP INDEX person_key_person", "writing the pseudonyms", err);
	if (!rc)
		rc = keys_insert(o, err);
	if (!rc && rebuild) /* the same definition as schema.sql's */
		rc = osq_exec(o, "CREATE INDEX person_key_person ON person_key (person_no)",
			  "indexing the pseudonyms", err);
	if (!rc)
		rc = osq_sort_cache(o, OSQ_CACHE_RUN, err);
	if (!rc)
		rc = osq_exec(o, "DELETE FROM temp.osq_key_stage", "clearing the pseudonym stage", err);
	if (!rc)
		o->staged = 0;
	return rc;
}
