/*
 * out_sqlite.c -- the SQLite warehouse output plugin.
 *
 * Writes one run into a SQLite file whose schema is defined once, in
 * mappings/warehouse/schema.sql, and migrated by mappings/warehouse/
 * migrate-N.sql, all embedded at build time as schema_sql.h
 * (embed-sql.sh).  The shape of a run:
 *
 *   begin       open (create, mode 0600) the file; migrate an older
 *               warehouse in a transaction of its own (schema.c);
 *               in a short committed transaction create a new schema,
 *               check that every catalogue field has its column, prepare
 *               every statement and insert the ledger row with status
 *               'incomplete'; then BEGIN
 *               IMMEDIATE the run's own transaction, which holds the write
 *               lock until commit or abort.
 *   write ...   one row per record in the table of its kind: checkup,
 *               employee (roster), attendance_month, stress_check (record.c);
 *               its pseudonyms are staged and go into person_key sorted,
 *               before link or commit (osq_keys_flush).
 *   link        optional (ABI 1.1): link the employer's persons to the
 *               association's, in the run's transaction (link.c).
 *   commit      ledger row to 'ok' with counts, COMMIT.
 *   abort       ROLLBACK, then ledger row to 'failed' in its own statement.
 *   dry run     (ABI 2.3) the same on a private copy, ended by abort
 *               (dry.c): the warehouse file is only read.
 *
 * A killed process leaves the ledger row 'incomplete' and nothing else.
 * Defence in depth: a value of an identifier or not-stored field, a
 * pseudonym-typed value, or a person key that is not 64 hex is refused with
 * COLINK_EINVAL before anything of the record is written, so a raw
 * identifier cannot reach the warehouse even if the core passes one.  No
 * message names a value.
 *
 * Memory: everything is allocated in begin (catalogue copy, per-field
 * slots, SQL text); write allocates nothing, so memory stays flat however
 * many records a run has.  An instance may run several runs in sequence.
 *
 * Files: this one (settings, open, ledger, inputs, commit/abort,
 * descriptor), schema.c (create, migrate, the checks a warehouse must
 * pass before a run writes), columns.c (catalogue to columns and SQL), record.c (one
 * record), link.c (linkage), out_sqlite_int.h (what they share).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "colink/plugin.h"
#include "out_sqlite_int.h"

/* ------------------------------------------------------------------ */
/* Settings and static tables                                          */
/* ------------------------------------------------------------------ */

enum { SET_PATH, SET_BUSY_TIMEOUT, SET_SYNCHRONOUS, SET_JOURNAL, SET_COUNT };

static const struct colink_setting_def out_settings[] = {
	{ "path", COLINK_SET_STRING, NULL,
	  "warehouse SQLite file; created with mode 0600 when absent", NULL },
	{ "busy_timeout_ms", COLINK_SET_INT, "10000",
	  "how long to wait for another run's lock before failing", NULL },
	{ "synchronous", COLINK_SET_ENUM, "normal",
	  "SQLite synchronous pragma (durability against power loss)",
	  "full|normal|off" },
	{ "journal", COLINK_SET_ENUM, "wal",
	  "SQLite journal mode: wal lets readers work during a load; delete "
	  "writes each page once (~10 % less CPU for a large first load) but "
	  "locks readers out until the run commits",
	  "wal|delete" },
	COLINK_SETTINGS_END
};

static const char *const fixed_sql[ST_COUNT] = {
	[ST_PERSON_SIDE] = "SELECT side, person_no, last_run_id IS ?2 FROM person "
		"WHERE person_id = ?1",
	[ST_PERSON_NO] = "SELECT person_id, side FROM person WHERE person_no = ?1",
	[ST_KEY_STAGE] = "INSERT INTO temp.osq_key_stage (person_no, kind_no, "
		"prefix, pseudonym, kind) VALUES (?, ?, ?, ?, ?)",
	/* the person's latest value of each feature (#23): the update, and
	 * the insert when the update found no row (record.c's feature_write;
	 * not an upsert, which SQLite journals: see columns.c's person insert) */
	[ST_FEATURE] = "INSERT INTO person_feature (person_no, key_id, name_bf, birth_year, "
		"birth_month, birth_day, birth_md, sex, insurer, symbol, number) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_FEATURE_UPD] = "UPDATE person_feature SET "
		"key_id = ?2, name_bf = coalesce(?3, name_bf), "
		"birth_year = coalesce(?4, birth_year), "
		"birth_month = coalesce(?5, birth_month), "
		"birth_day = coalesce(?6, birth_day), "
		"birth_md = coalesce(?7, birth_md), "
		"sex = coalesce(?8, sex), insurer = coalesce(?9, insurer), "
		"symbol = coalesce(?10, symbol), number = coalesce(?11, number) "
		"WHERE person_no = ?1",
	[ST_CK_FIND] = "SELECT checkup_id, run_id, input_no, record_no "
		"FROM checkup WHERE person_no = ? AND exam_date = ?",
	[ST_CK_DEL_OBS] = "DELETE FROM observation WHERE checkup_id = ?",
	[ST_CK_DEL_Q] = "DELETE FROM questionnaire WHERE checkup_id = ?",
	[ST_CK_DEL] = "DELETE FROM checkup WHERE checkup_id = ?",
	[ST_EMP_FIND] = "SELECT rowid, run_id, input_no, record_no "
		"FROM employee WHERE person_no = ?",
	[ST_EMP_DEL] = "DELETE FROM employee WHERE rowid = ?",
	[ST_AT_FIND] = "SELECT person_no, run_id, input_no, record_no "
		"FROM attendance_month WHERE person_no = ? AND year_month = ?",
	[ST_AT_DEL] = "DELETE FROM attendance_month WHERE person_no = ?1 AND year_month = ?2",
	[ST_SC_FIND] = "SELECT stress_check_id, run_id, input_no, record_no "
		"FROM stress_check WHERE person_no = ? AND stress_date = ?",
	[ST_SC_DEL_ANS] = "DELETE FROM stress_answer WHERE stress_check_id = ?",
	[ST_SC_DEL] = "DELETE FROM stress_check WHERE stress_check_id = ?",
	[ST_CL_FIND] = "SELECT person_no, run_id, input_no, record_no "
		"FROM claims_summary WHERE person_no = ? AND fiscal_year = ?",
	[ST_CL_DEL] = "DELETE FROM claims_summary WHERE person_no = ?1 AND fiscal_year = ?2",
	[ST_PA_FIND] = "SELECT person_no, run_id, input_no, record_no FROM participation "
		"WHERE person_no = ?1 AND participation_date = ?2 AND program = ?3",
	[ST_PA_DEL] = "DELETE FROM participation WHERE person_no = ?1 AND "
		"participation_date = ?2 AND program = ?3",
	[ST_RC_FIND] = "SELECT person_no, run_id, input_no, record_no FROM claim "
		"WHERE person_no = ?1 AND claim_key = ?2",
	[ST_RC_DEL] = "DELETE FROM claim WHERE person_no = ?1 AND claim_key = ?2",
	[ST_DG_FIND] = "SELECT person_no, run_id, input_no, record_no FROM claim_diagnosis "
		"WHERE person_no = ?1 AND claim_key = ?2 AND seq = ?3",
	[ST_DG_DEL] = "DELETE FROM claim_diagnosis WHERE person_no = ?1 AND "
		"claim_key = ?2 AND seq = ?3",
	[ST_IT_FIND] = "SELECT person_no, run_id, input_no, record_no FROM claim_item "
		"WHERE person_no = ?1 AND claim_key = ?2 AND seq = ?3",
	[ST_IT_DEL] = "DELETE FROM claim_item WHERE person_no = ?1 AND "
		"claim_key = ?2 AND seq = ?3",
	/* code masters: ?1 (the person) is unused */
	[ST_DM_FIND] = "SELECT ?1, run_id, input_no, record_no FROM disease_master WHERE code = ?2",
	[ST_DM_DEL] = "DELETE FROM disease_master WHERE ?1 IS NOT NULL AND code = ?2",
	[ST_MM_FIND] = "SELECT ?1, run_id, input_no, record_no FROM drug_master WHERE code = ?2",
	[ST_MM_DEL] = "DELETE FROM drug_master WHERE ?1 IS NOT NULL AND code = ?2",
	[ST_AL_FIND] = "SELECT person_no, run_id, input_no, record_no FROM allowance "
		"WHERE person_no = ?1 AND period_from = ?2",
	[ST_AL_DEL] = "DELETE FROM allowance WHERE person_no = ?1 AND period_from = ?2",
	[ST_OBS] = "INSERT INTO observation (checkup_id, item_code, field, "
		"value_type, value_text, value_num, code_system, unit, "
		"null_reason, flag, raw, source_column) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_Q] = "INSERT INTO questionnaire (checkup_id, item_code, field, "
		"answer, code_system, null_reason, raw, source_column) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_SANS] = "INSERT INTO stress_answer (stress_check_id, field, answer, "
		"null_reason, raw, source_column) VALUES (?, ?, ?, ?, ?, ?)",
	[ST_REJECT] = "INSERT INTO reject (run_id, input_no, record_no, "
		"line_no, source_column, reason) VALUES (?, ?, ?, ?, ?, ?)",
	[ST_INPUT] = "INSERT INTO run_input (run_id, input_no, path, sha256, "
		"size, plugin, mapping_path, mapping_id, mapping_sha256, "
		"records_read, records_loaded, records_rejected, status) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_FIELD_MAP] = "INSERT INTO input_field_map (run_id, input_no, "
		"field, source) VALUES (?, ?, ?, ?)",
	/* Policy: identical input bytes are loaded once (schema.sql). */
	[ST_SKIP] = "SELECT 1 FROM run_input AS i JOIN run AS r "
		"ON r.run_id = i.run_id WHERE i.sha256 = ? "
		"AND i.status = 'loaded' AND r.status = 'ok' LIMIT 1",
	[ST_RUN_OK] = "UPDATE run SET status = 'ok', "
		"finished = coalesce(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), "
		"message = ?, records_read = ?, records_loaded = ?, "
		"records_rejected = ?, checkups_replaced = ?, employees_replaced = ?, "
		"attendance_replaced = ?, stress_replaced = ?, claims_replaced = ?, "
		"participation_replaced = ?, claim_rows_replaced = ?, "
		"allowance_replaced = ? "
		"WHERE run_id = ?",
};

/* ------------------------------------------------------------------ */
/* SQLite helpers                                                       */
/* ------------------------------------------------------------------ */

/* Turn an SQLite failure into a colink error naming the warehouse. */
int osq_db_err(struct out_sqlite *o, int src, const char *what,
	       struct colink_error *err)
{
	if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
		return COLINK_ERR(err, COLINK_EBUSY,
				  "%s: warehouse is locked by another run", o->path);
	return COLINK_ERR(err, COLINK_EIO, "%s: %s: %s", o->path, what,
			  o->db ? sqlite3_errmsg(o->db) : sqlite3_errstr(src));
}

int osq_exec(struct out_sqlite *o, const char *sql, const char *what,
		struct colink_error *err)
{
	int src = sqlite3_exec(o->db, sql, NULL, NULL, NULL);
	return src == SQLITE_OK ? COLINK_OK : osq_db_err(o, src, what, err);
}

void osq_rollback_if_open(struct out_sqlite *o)
{
	if (o->db && !sqlite3_get_autocommit(o->db))
		sqlite3_exec(o->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Single-integer query; *is_null set when no row or SQL NULL. */
int osq_query_int(struct out_sqlite *o, const char *sql, int64_t *out,
		     int *is_null, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(o->db, sql, -1, &st, NULL);
	if (src != SQLITE_OK)
		return osq_db_err(o, src, "reading the warehouse", err);
	src = sqlite3_step(st);
	*is_null = src != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL;
	*out = *is_null ? 0 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return osq_db_err(o, src, "reading the warehouse", err);
	return COLINK_OK;
}

/* Forget the counters and key columns of a run. */
static void run_reset(struct out_sqlite *o)
{
	size_t i;
	for (i = 0; i < NWIDE; i++)
		o->key_field[i] = o->key2_field[i] = NOT_FOUND;
	memset(o->replaced, 0, sizeof(o->replaced));
	o->staged = 0;
	o->linked = 0;
	o->bulk_refs = 0;
	memset(&o->last, 0, sizeof(o->last));
}

/* Free everything of the current run and close the database.  An open
 * transaction is rolled back by sqlite3_close. */
static void run_close(struct out_sqlite *o)
{
	const struct colink_host *h = o->host;
	size_t i;
	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(o->st[i]);
		o->st[i] = NULL;
	}
	if (o->db)
		sqlite3_close_v2(o->db);
	o->db = NULL;
	for (i = 0; o->cat && i < o->ncat; i++) {
		h->free(o->cat[i].name);
		h->free(o->cat[i].column);
	}
	h->free(o->cat);
	h->free(o->slot);
	h->free(o->wfield);
	h->free(o->run_id);
	h->free(o->key_id);
	for (i = 0; i < NWIDE; i++) {
		h->free(o->built_sql[i]);
		o->built_sql[i] = NULL;
	}
	for (i = 0; i < 2; i++) {
		h->free(o->person_upd_sql[i]);
		o->person_upd_sql[i] = NULL;
	}
	o->cat = NULL;
	o->slot = NULL;
	o->wfield = NULL;
	o->run_id = o->key_id = NULL;
	o->ncat = 0;
	o->dry = 0;
	osq_person_map_free(o);
	run_reset(o);
}

/* ------------------------------------------------------------------ */
/* Opening the warehouse and the ledger transaction                    */
/* ------------------------------------------------------------------ */

/*
 * Memory budget (issue #9: peak RSS at most 200 MB, flat as inputs grow):
 * the page cache; plus, while a step sorts, SQLite's sorter, which may hold
 * as much as the cache size of that moment (osq_sort_cache shrinks it for
 * those steps; memory the cache already holds is not given back to the
 * system, so the two add up); plus ~45 MB for the rest of the process,
 * and ~20 MB more since records are written on a second thread (the
 * reader's short-lived allocations interleave with the cache's pages:
 * measured 213 MB with a 112 MiB cache over 100,000 XML documents, 193 MB
 * with 96 MiB).
 */
#define OSQ_CACHE_KIB "98304" /* 96 MiB of page cache per run, at most */
#define OSQ_SORT_CACHE_KIB "32768" /* 32 MiB while the link passes sort */
/* The link passes (osq_link) keep the sorting cache (48 and 96 MiB were
 * measured at 1M persons: no steadier gain, and 96 MiB took the peak to
 * 237 MB with the sorter's share) and give the temporary schema, where
 * temp.linked and the candidates live, 16 MiB instead of SQLite's 2 MB
 * (bench/RESULTS.md, round 7). */
#define OSQ_LINK_CACHE_KIB OSQ_SORT_CACHE_KIB
/* The pseudonym flush (osq_keys_flush) and the index builds of a first
 * load sort with 4 MiB: SQLite's sorter sorts runs of the cache's size in
 * memory, and small runs stay in the CPU's caches.  At 1M persons the
 * flush's sort took 8.0 s with 4 MiB, 10.2 s with 16 MiB and 14-15 s with
 * 32 MiB; person_key_person's build 2.7 s against 4.1 s with 16 MiB
 * (bench/RESULTS.md, rounds 7 and 14).  A sorter helper thread (PRAGMA
 * threads = 1) saves wall time there but costs more CPU than it saves
 * (round 14: the flush 20.4 -> 16.3 s wall, 20.3 -> 26.2 s CPU). */
#define OSQ_FLUSH_CACHE_KIB "4096"
/* The least page cache a first load's person map leaves the load
 * (osq_cache_less). */
#define OSQ_MAP_LEAST_KIB "16384"
#define OSQ_LINK_TEMP_CACHE_KIB "16384"
/* Page size of a warehouse file this plugin creates (an existing one keeps
 * its own): bigger pages than SQLite's 4096 make the random-key indexes
 * shallower and cost fewer page moves per insert (bench/RESULTS.md). */
#ifndef OSQ_PAGE_SIZE
#define OSQ_PAGE_SIZE "16384"
#endif

/*
 * A run is one transaction of random-key inserts (pseudonyms): with
 * SQLite's default 2 MB page cache nearly every insert spilled a page to
 * the WAL and read one back (bench/RESULTS.md).  The cache fills only as
 * far as the warehouse needs; OSQ_CACHE_KIB bounds it.
 */
static int cache_size(struct out_sqlite *o, struct colink_error *err)
{
	return osq_exec(o, "PRAGMA cache_size = -" OSQ_CACHE_KIB, "sizing the page cache", err);
}

/* The run's page cache less `kib` (a first load's person map holds them:
 * person_map.c), down to OSQ_MAP_LEAST_KIB. */
int osq_cache_less(struct out_sqlite *o, size_t kib, struct colink_error *err)
{
	char sql[48];
	size_t run = (size_t)atol(OSQ_CACHE_KIB), least = (size_t)atol(OSQ_MAP_LEAST_KIB);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%zu",
		 kib < run - least ? run - kib : least);
	return osq_exec(o, sql, "sizing the page cache", err);
}

/*
 * SQLite's sorter (ORDER BY of an INSERT ... SELECT, index builds) may
 * hold as much memory as the page cache, on top of it.  The steps that
 * sort shrink the cache while they run, so that peak memory stays near
 * OSQ_CACHE_KIB: the pseudonym flush (OSQ_CACHE_SORT) and the link passes
 * (OSQ_CACHE_LINK, which also give the temporary schema, where the
 * passes' candidate and linked-person tables live, a cache of its own
 * instead of SQLite's 2 MB); OSQ_CACHE_RUN gives both back.
 */
int osq_sort_cache(struct out_sqlite *o, int sort, struct colink_error *err)
{
	switch (sort) {
	case OSQ_CACHE_RUN:
		return cache_size(o, err) ||
			osq_exec(o, "PRAGMA temp.cache_size = -2000", "sizing the page cache", err);
	case OSQ_CACHE_LINK:
		return osq_exec(o, "PRAGMA cache_size = -" OSQ_LINK_CACHE_KIB,
				"sizing the page cache", err) ||
			osq_exec(o, "PRAGMA temp.cache_size = -" OSQ_LINK_TEMP_CACHE_KIB,
				 "sizing the page cache", err);
	default:
		return osq_exec(o, "PRAGMA cache_size = -" OSQ_FLUSH_CACHE_KIB,
				"sizing the page cache", err);
	}
}

/*
 * An existing warehouse the run cannot write, or whose folder it cannot
 * write (SQLite puts its -wal/-shm or -journal files there), is refused
 * up front: SQLite would open it read-only and fail later with "unable to
 * open database file" at the first PRAGMA (issue #24).
 */
static int check_writable(const struct out_sqlite *o, struct colink_error *err)
{
	const char *slash = strrchr(o->path, '/');
	size_t n = slash ? (size_t)(slash - o->path) : 0;
	char dir[4096];

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (n == 0)
		snprintf(dir, sizeof(dir), "/");
	else if (n < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)n, o->path);
	else
		dir[0] = '\0'; /* longer than any path the system takes: SQLite will say */
	if (access(o->path, W_OK) || (dir[0] && access(dir, W_OK | X_OK)))
		return COLINK_ERR(err, COLINK_EIO,
				  "%s: the warehouse is read-only (or its directory is): %s",
				  o->path, strerror(errno));
	return COLINK_OK;
}

/* Create the missing directories above the warehouse, mode 0700 (#18):
 * the job's out/ folder need not exist yet. */
static int mkdir_parents(const char *path)
{
	char buf[4096];
	size_t n, i;
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	n = (size_t)(slash - path);
	if (n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n);
	buf[n] = '\0';
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -1;
		if (i < n)
			buf[i] = '/';
	}
	return 0;
}

static int db_open(struct out_sqlite *o, struct colink_error *err)
{
	char sql[64];
	int fd, src, created = 0;
	int64_t unused;
	int is_null;
	if (o->dry) {
		src = osq_dry_open(o, &created, err);
		if (src)
			return src;
		goto opened;
	}
	/* Create the file ourselves, 0600: SQLite would follow the umask, and
	 * its -wal/-shm/-journal files copy the database file's mode. */
	if (mkdir_parents(o->path))
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot create the warehouse's folder: %s",
				  o->path, strerror(errno));
	fd = open(o->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		created = 1;
	} else if (errno != EEXIST)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot create the warehouse: %s",
				  o->path, strerror(errno));
	else if (check_writable(o, err))
		return err->code;
	src = sqlite3_open_v2(o->path, &o->db, SQLITE_OPEN_READWRITE, NULL);
	if (src != SQLITE_OK)
		return osq_db_err(o, src, "cannot open the warehouse", err);
opened:
	sqlite3_busy_timeout(o->db, o->busy_ms);
	snprintf(sql, sizeof(sql), "PRAGMA synchronous = %s", o->synchronous);
	/* The page size before the cache size: PRAGMA page_size on a new
	 * file keeps the number of cache pages SQLite computed for 4096-byte
	 * pages (measured with SQLite 3.40: 567 MB peak instead of 150 MB at
	 * 100,000 persons).  An existing 16 KiB-page file is not affected
	 * (measured: 141 MB peak replacing 400,000 rows of one). */
	if (osq_exec(o, sql, "setting synchronous", err) ||
	    (created && osq_exec(o, "PRAGMA page_size = " OSQ_PAGE_SIZE,
			     "setting the page size", err)) ||
	    cache_size(o, err) ||
	    osq_exec(o, "PRAGMA foreign_keys = ON", "enabling foreign keys", err) ||
	    osq_key_stage_create(o, err))
		return err->code;
	if (o->dry) /* a private temporary copy keeps SQLite's own journal */
		return COLINK_OK;
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", o->journal);
	return osq_query_int(o, sql, &unused, &is_null, err);
}

/* Log (not fail) when the file system refused the journal mode. */
static void check_journal(struct out_sqlite *o)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(o->db, "PRAGMA journal_mode", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    strcasecmp((const char *)sqlite3_column_text(st, 0), o->journal))
		o->host->log(o->hc, COLINK_LOG_WARN,
			     "%s: journal mode %s is not available here; using %s",
			     o->path, o->journal,
			     (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static int prepare_all(struct out_sqlite *o, struct colink_error *err)
{
	size_t i;
	for (i = 0; i < ST_COUNT; i++) {
		const char *sql = i < NWIDE ? o->built_sql[i] :
			i >= ST_PERSON_UPD ? o->person_upd_sql[i - ST_PERSON_UPD] :
			fixed_sql[i];
		int src = sqlite3_prepare_v3(o->db, sql, -1,
					     SQLITE_PREPARE_PERSISTENT, &o->st[i], NULL);
		if (src != SQLITE_OK)
			return osq_db_err(o, src, "preparing a warehouse statement", err);
	}
	return COLINK_OK;
}

static int insert_run(struct out_sqlite *o, const struct colink_run_info *run,
		      struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(o->db,
		"INSERT INTO run (run_id, job_name, job_path, job_sha256, purpose, "
		"key_id, os_user, colink_version, started, status, normalization, "
		"agreement_signing) VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), "
		"'incomplete', ?, ?)", -1, &st, NULL);
	if (src == SQLITE_OK) {
		osq_bind_text(st, 1, run->run_id);
		osq_bind_text(st, 2, run->job_name);
		osq_bind_text(st, 3, run->job_path);
		osq_bind_text(st, 4, run->job_sha256);
		osq_bind_text(st, 5, run->purpose);
		osq_bind_text(st, 6, run->key_id);
		osq_bind_text(st, 7, run->os_user);
		osq_bind_text(st, 8, run->version);
		osq_bind_text(st, 9, run->started);
		if (COLINK_HAS(struct colink_run_info, run->struct_size, agreement_signing)) {
			osq_bind_text(st, 10, run->normalization);
			osq_bind_text(st, 11, run->agreement_signing);
		}
		src = osq_step_done(st);
	}
	sqlite3_finalize(st);
	if (src == SQLITE_CONSTRAINT)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: run %s is already in the warehouse", o->path,
				  run->run_id);
	return src == SQLITE_OK ? COLINK_OK
				: osq_db_err(o, src, "recording the run", err);
}

static int ledger_begin(struct out_sqlite *o, const struct colink_run_info *run,
			struct colink_error *err)
{
	int rc = osq_schema_upgrade(o, err);
	if (rc)
		return rc;
	rc = osq_exec(o, "BEGIN IMMEDIATE", "starting the ledger transaction", err);
	if (!rc)
		rc = osq_schema_ensure(o, err);
	if (!rc)
		rc = osq_check_columns(o, err);

	if (!rc)
		rc = prepare_all(o, err);
	if (!rc)
		rc = insert_run(o, run, err);
	if (!rc)
		rc = osq_exec(o, "COMMIT", "committing the ledger row", err);
	if (rc)
		osq_rollback_if_open(o);
	return rc;
}

/* The run row is committed but the run cannot go on: mark it failed. */
static void mark_failed(struct out_sqlite *o, const char *message,
			const struct colink_run_summary *s)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(o->db,
		"UPDATE run SET status = 'failed', message = ?, "
		"finished = coalesce(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), "
		"records_read = ?, records_loaded = 0, records_rejected = 0, "
		"checkups_replaced = 0, employees_replaced = 0, attendance_replaced = 0, "
		"stress_replaced = 0 WHERE run_id = ? AND status = 'incomplete'",
		-1, &st, NULL);
	if (src == SQLITE_OK) {
		osq_bind_text(st, 1, message);
		osq_bind_text(st, 2, s ? s->finished : NULL);
		osq_bind_u64(st, 3, s ? s->read : 0);
		osq_bind_text(st, 4, o->run_id);
		src = osq_step_done(st);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_OK)
		o->host->log(o->hc, COLINK_LOG_WARN,
			     "%s: could not mark run %s failed: %s", o->path,
			     o->run_id, sqlite3_errstr(src));
}

static int out_begin(void *vctx, const struct colink_run_info *run,
		     struct colink_error *err)
{
	struct out_sqlite *o = vctx;
	int rc;
	if (o->db || o->cat)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: begin called while a run is open", o->path);
	if (!run || run->struct_size < sizeof(*run) || !run->run_id ||
	    (run->nfields && !run->fields))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: begin: incomplete run information", o->path);
	o->dry = COLINK_HAS(struct colink_run_info, run->struct_size, dry_run) && run->dry_run;
	rc = osq_run_alloc(o, run, err);
	if (!rc)
		rc = osq_person_map_alloc(o, err);
	if (!rc)
		rc = db_open(o, err);
	if (!rc)
		rc = ledger_begin(o, run, err);
	if (!rc) {
		if (!o->dry)
			check_journal(o);
		rc = osq_check_key_id(o, run, err);
		if (!rc)
			rc = osq_check_normalization(o, run, err);
		if (!rc)
			rc = osq_run_transaction(o, err);
		if (rc) {
			osq_rollback_if_open(o);
			mark_failed(o, err->msg, NULL);
		}
	}
	if (rc)
		run_close(o);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Inputs and rejects                                                   */
/* ------------------------------------------------------------------ */

int osq_in_run(struct out_sqlite *o, const char *what, struct colink_error *err)
{
	if (!o->db || sqlite3_get_autocommit(o->db))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: %s outside a run",
				  o->path ? o->path : "out_sqlite", what);
	return COLINK_OK;
}

static int out_input_begin(void *vctx, const struct colink_input_info *in,
			   int *skip, struct colink_error *err)
{
	struct out_sqlite *o = vctx;
	sqlite3_stmt *st;
	int src, rc = osq_in_run(o, "input_begin", err);
	if (rc)
		return rc;
	*skip = 0;
	if (!in || !in->sha256)
		return COLINK_OK;
	st = osq_use(o, ST_SKIP);
	osq_bind_text(st, 1, in->sha256);
	src = sqlite3_step(st);
	sqlite3_reset(st);
	if (src == SQLITE_ROW)
		*skip = 1;
	else if (src != SQLITE_DONE)
		return osq_db_err(o, src, "looking up earlier loads", err);
	return COLINK_OK;
}

static int out_input_end(void *vctx, const struct colink_input_info *in,
			 struct colink_error *err)
{
	struct out_sqlite *o = vctx;
	sqlite3_stmt *st;
	size_t i;
	int src, rc = osq_in_run(o, "input_end", err);
	if (rc)
		return rc;
	if (!in)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: input_end without input", o->path);
	st = osq_use(o, ST_INPUT);
	osq_bind_text(st, 1, o->run_id);
	sqlite3_bind_int64(st, 2, in->input_no);
	osq_bind_text(st, 3, in->path);
	osq_bind_text(st, 4, in->sha256);
	osq_bind_u64(st, 5, in->size);
	osq_bind_text(st, 6, in->plugin);
	osq_bind_text(st, 7, in->mapping_path);
	osq_bind_text(st, 8, in->mapping_id);
	osq_bind_text(st, 9, in->mapping_sha256);
	osq_bind_u64(st, 10, in->read);
	osq_bind_u64(st, 11, in->loaded);
	osq_bind_u64(st, 12, in->rejected);
	osq_bind_text(st, 13, in->status ? in->status : "loaded");
	src = osq_step_done(st);
	for (i = 0; src == SQLITE_OK && i < in->nmap; i++) {
		if (!in->map_fields || !in->map_fields[i])
			continue;
		st = osq_use(o, ST_FIELD_MAP);
		osq_bind_text(st, 1, o->run_id);
		sqlite3_bind_int64(st, 2, in->input_no);
		osq_bind_text(st, 3, in->map_fields[i]);
		osq_bind_text(st, 4, in->map_sources ? in->map_sources[i] : NULL);
		src = osq_step_done(st);
	}
	if (src != SQLITE_OK)
		return COLINK_ERR(err, COLINK_EIO, "%s: recording input %" PRIu32 ": %s",
				  o->path, in->input_no, sqlite3_errmsg(o->db));
	return COLINK_OK;
}

/* One reject row: the record, one column at fault and its reason. */
static int reject_row(struct out_sqlite *o, const struct colink_reject *rj,
		      const char *column, const char *reason, struct colink_error *err)
{
	sqlite3_stmt *st = osq_use(o, ST_REJECT);
	int src;
	osq_bind_text(st, 1, o->run_id);
	sqlite3_bind_int64(st, 2, rj->input_no);
	osq_bind_u64(st, 3, rj->record_no);
	osq_bind_pos(st, 4, (int64_t)rj->line_no, 1);
	osq_bind_text(st, 5, column);
	osq_bind_text(st, 6, reason ? reason : "rejected (no reason given)");
	src = osq_step_done(st);
	if (src != SQLITE_OK)
		return COLINK_ERR(err, COLINK_EIO,
				  "%s: recording the reject of input %" PRIu32
				  " record %" PRIu64 ": %s", o->path, rj->input_no,
				  rj->record_no, sqlite3_errmsg(o->db));
	return COLINK_OK;
}

/* One row per reason (#25): a record failing five fields has five rows,
 * in the order of the mapping's columns, and is still one rejected record
 * (run.records_rejected; count distinct input_no, record_no). */
static int out_reject(void *vctx, const struct colink_reject *rj,
		      struct colink_error *err)
{
	struct out_sqlite *o = vctx;
	size_t i;
	int rc = osq_in_run(o, "reject", err);
	if (rc)
		return rc;
	if (!rj)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: reject without a record", o->path);
	/* a core older than ABI 2.2 sends column and reason only */
	if (!COLINK_HAS(struct colink_reject, rj->struct_size, reasons) || !rj->nreasons ||
	    !rj->reasons || rj->reason_size < COLINK_SIZE_TO(struct colink_reject_reason, reason))
		return reject_row(o, rj, rj->column, rj->reason, err);
	for (i = 0; rc == COLINK_OK && i < rj->nreasons; i++) {
		const struct colink_reject_reason *r =
			COLINK_AT(struct colink_reject_reason, rj->reasons, rj->reason_size, i);
		rc = reject_row(o, rj, r->column, r->reason, err);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* End of run                                                           */
/* ------------------------------------------------------------------ */

/*
 * Crash tests only (#24, tests/test_agreement.c; read once at init, no real
 * run sets it): COLINK_TEST_KILL_AT=during-commit kills the process once
 * COMMIT is issued but not durable (commit hook), commit-durable once its
 * frame is in the WAL but COMMIT has not returned (WAL hook), after-commit
 * once it returned, before closing checkpoints the WAL.  The other points
 * are in engine/core/run.c.
 */
static int kill_in_commit_hook(void *ud)
{
	(void)ud;
	return raise(SIGKILL);
}

static int kill_in_wal_hook(void *ud, sqlite3 *db, const char *name, int pages)
{
	(void)ud, (void)db, (void)name, (void)pages;
	return raise(SIGKILL);
}

static void kill_hooks(struct out_sqlite *o)
{
	if (o->kill_at && !strcmp(o->kill_at, "during-commit"))
		sqlite3_commit_hook(o->db, kill_in_commit_hook, NULL);
	else if (o->kill_at && !strcmp(o->kill_at, "commit-durable"))
		sqlite3_wal_hook(o->db, kill_in_wal_hook, NULL);
}

static int out_commit(void *vctx, const struct colink_run_summary *s,
		      struct colink_error *err)
{
	struct out_sqlite *o = vctx;
	sqlite3_stmt *st;
	uint64_t rp[K_COUNT];
	int src, k, rc = osq_in_run(o, "commit", err);
	if (!rc && o->dry) /* the core ends a dry run with abort */
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: commit called in a dry run", o->path);
	if (!rc)
		rc = osq_keys_flush(o, err);
	if (!rc && o->bulk_refs)
		rc = osq_bulk_refs_check(o, err);
	if (rc)
		return rc;
	st = osq_use(o, ST_RUN_OK);
	osq_bind_text(st, 1, s ? s->finished : NULL);
	osq_bind_text(st, 2, s ? s->message : NULL);
	osq_bind_u64(st, 3, s ? s->read : 0);
	osq_bind_u64(st, 4, s ? s->loaded : 0);
	osq_bind_u64(st, 5, s ? s->rejected : 0);
	/* ?6.. in enum kind order: checkups, employees, attendance, stress,
	 * claims, participation; then the UKE claims' rows in one count */
	memcpy(rp, o->replaced, sizeof(rp));
	for (k = 0; k < K_CLAIM; k++)
		osq_bind_u64(st, 6 + k, rp[k]);
	osq_bind_u64(st, 6 + K_CLAIM, rp[K_CLAIM] + rp[K_DIAGNOSIS] + rp[K_ITEM]);
	osq_bind_u64(st, 7 + K_CLAIM, rp[K_ALLOWANCE]); /* 傷病手当金 (v9) */
	osq_bind_text(st, 8 + K_CLAIM, o->run_id);
	src = osq_step_done(st);
	if (src == SQLITE_OK) {
		kill_hooks(o);
		src = sqlite3_exec(o->db, "COMMIT", NULL, NULL, NULL);
	}
	if (src != SQLITE_OK)
		return COLINK_ERR(err, COLINK_EIO, "%s: commit failed: %s", o->path,
				  sqlite3_errmsg(o->db));
	if (o->kill_at && !strcmp(o->kill_at, "after-commit"))
		raise(SIGKILL);
	if (rp[K_CHECKUP])
		o->host->log(o->hc, COLINK_LOG_INFO,
			     "%s: %" PRIu64 " checkups replaced earlier loads",
			     o->path, rp[K_CHECKUP]);
	if (rp[K_ROSTER] || rp[K_ATTENDANCE] || rp[K_STRESS] || rp[K_PARTICIPATION])
		o->host->log(o->hc, COLINK_LOG_INFO,
			     "%s: %" PRIu64 " employee, %" PRIu64 " attendance, %"
			     PRIu64 " stress check and %" PRIu64 " participation rows "
			     "replaced earlier loads", o->path, rp[K_ROSTER],
			     rp[K_ATTENDANCE], rp[K_STRESS], rp[K_PARTICIPATION]);
	if (rp[K_ALLOWANCE])
		o->host->log(o->hc, COLINK_LOG_INFO,
			     "%s: %" PRIu64 " allowance payments replaced earlier loads",
			     o->path, rp[K_ALLOWANCE]);
	run_close(o);
	return COLINK_OK;
}

static void out_abort(void *vctx, const struct colink_run_summary *s)
{
	struct out_sqlite *o = vctx;
	if (!o || !o->db)
		return;
	osq_rollback_if_open(o);
	if (!o->dry) /* a dry run's copy goes with the connection */
		mark_failed(o, s && s->message ? s->message : "run aborted", s);
	run_close(o);
}

/* ------------------------------------------------------------------ */
/* Instance life and descriptor                                         */
/* ------------------------------------------------------------------ */

static int out_init(void **ctx, const struct colink_host *host,
		    struct colink_host_ctx *hc,
		    const struct colink_setting_values *set,
		    struct colink_error *err)
{
	struct colink_setting_value vals[SET_COUNT];
	struct out_sqlite *o;
	*ctx = NULL;
	if (colink_settings_copy(vals, SET_COUNT, set))
		return COLINK_ERR(err, COLINK_EABI, "out_sqlite: malformed settings from the host");
	if (vals[SET_BUSY_TIMEOUT].i < 0 || vals[SET_BUSY_TIMEOUT].i > INT32_MAX)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "busy_timeout_ms must be between 0 and %d", INT32_MAX);
	o = host->calloc(1, sizeof(*o));
	if (!o)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	o->host = host;
	o->hc = hc;
	run_reset(o);
	o->busy_ms = (int)vals[SET_BUSY_TIMEOUT].i;
	/* The pragma text comes from these constants, never from the file. */
	o->synchronous = !strcasecmp(vals[SET_SYNCHRONOUS].text, "full") ? "FULL"
		       : !strcasecmp(vals[SET_SYNCHRONOUS].text, "off") ? "OFF"
		       : "NORMAL";
	o->journal = !strcasecmp(vals[SET_JOURNAL].text, "delete") ? "delete" : "wal";
	o->kill_at = getenv("COLINK_TEST_KILL_AT"); /* crash tests only: kill_hooks() */
	o->path = osq_strdup(host, vals[SET_PATH].text);
	if (!o->path) {
		host->free(o);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	if (!*o->path) {
		host->free(o->path);
		host->free(o);
		return COLINK_ERR(err, COLINK_EINVAL, "path: the warehouse file name is empty");
	}
	*ctx = o;
	return COLINK_OK;
}

/* Without commit or abort, closing rolls the run back and leaves its row
 * 'incomplete', as a killed process would. */
static void out_fini(void *ctx)
{
	struct out_sqlite *o = ctx;
	if (!o)
		return;
	run_close(o);
	o->host->free(o->path);
	o->host->free(o);
}

static const struct colink_output_ops out_ops = COLINK_OUTPUT_OPS_INIT(
	.begin = out_begin,
	.input_begin = out_input_begin,
	.write = osq_write,
	.reject = out_reject,
	.input_end = out_input_end,
	.commit = out_commit,
	.abort = out_abort,
	.link = osq_link,
	.capabilities = COLINK_OUTPUT_DRY_RUN | COLINK_OUTPUT_PROBABILISTIC);

static const struct colink_plugin out_sqlite_plugin = COLINK_OUTPUT_PLUGIN_INIT(
	.name = "out_sqlite",
	.version = "1.1",
	.description = "load runs into a SQLite warehouse (mappings/warehouse/schema.sql)",
	.settings = out_settings,
	.init = out_init,
	.fini = out_fini,
	.output = &out_ops);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &out_sqlite_plugin;
}
