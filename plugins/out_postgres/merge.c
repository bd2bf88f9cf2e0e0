/*
 * merge.c -- out_postgres: the staged records into the warehouse.
 *
 * stage.c leaves each record as COPY text lines in temporary files.  At
 * the end of an input once merge_batch records are staged (so that a
 * run of many small inputs pays the merge's fixed cost per batch, not per
 * input), and always before link and commit, this file
 *   1. streams each file to its temporary staging table with COPY
 *      (s_rec, s_w1.., s_obs, s_q, s_sans, s_key; created per run, ON COMMIT
 *      DROP);
 *   2. finds, set by set, the records out_sqlite would have rejected with
 *      the warehouse's help, with out_sqlite's reasons: a person of the
 *      other side (an existing person's side, or for a new person the side
 *      of its first record), then a second row of this run for the same key
 *      (one of an earlier input of the run, else the first of this input
 *      wins); writes their reject rows and drops them from the stage
 *      (the run's and the inputs' rows count them rejected);
 *   3. upserts the persons in the order of their first record (person_no
 *      in load order; a later non-null birth_ym or person column wins, as
 *      out_sqlite's record-by-record upsert leaves it);
 *   4. deletes the rows of earlier runs the new rows replace, with their
 *      long rows (counted per kind), inserts the new rows in record order,
 *      then their long rows and the pseudonyms (person_key).
 * A code master's rows (disease_master, drug_master) have no person: they
 * skip steps 2's side check and 3, and a row is the same row as another by
 * its code alone.  The claims' rows (claim, claim_diagnosis, claim_item)
 * are a person's like any other, by claim key (and sequence number).
 * Everything runs in the run's transaction, as set-based SQL on the
 * server; nothing is sent row by row.
 *
 * COPY text, not binary (measured with psql \copy of 100,000 rows shaped
 * like s_rec plus a checkup's columns into a PostgreSQL 15 table, three
 * runs each on a shared 2-core machine): text 16.6 MB in 1.33-2.42 s,
 * binary 31.7 MB in 2.11-2.62 s.  Binary sends every integer and double
 * as 8 bytes plus a 4-byte length, so for these short numbers it is twice
 * the bytes and no faster to parse; it would also tie stage.c to the exact
 * type of every warehouse column.  Text lets the server convert each
 * column to its own type.  Measured again on whole warehouse tables of the
 * 100k bench (psql \copy into a temporary table, three runs each):
 * attendance_month, 1.08 M rows, text 97 MB in 2.3-3.5 s, binary 187 MB
 * in 3.3-3.5 s; checkup, 60,000 rows, text 12 MB in 0.42-0.66 s, binary
 * 26 MB in 0.45-0.88 s.
 *
 * Where the merge's time goes (bench/RESULTS.md, "PostgreSQL"): the
 * big tables' per-row foreign-key triggers are gone (pg-ddl.sh, BULK:
 * checked set by set before COMMIT); what is left is the inserts
 * themselves (heap and indexes: attendance_month, person_key, person) and
 * sorts and hashes over the stage, kept in memory by the run's work_mem
 * (opg_stage_create).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out_postgres_int.h"

/* A growing string in host memory; `failed` sticks. */
struct sb {
	const struct colink_host *h;
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct sb *b, const char *s)
{
	size_t n = strlen(s), need;
	if (b->failed)
		return;
	if (colink_checked_add(&need, b->len, n) || colink_checked_add(&need, need, 1) ||
	    colink_grow(b->h->realloc, (void **)&b->p, &b->cap, need, 1)) {
		b->failed = 1;
		return;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/* `prefix` then the quoted column name. */
static void put_col(struct out_postgres *o, struct sb *b, const char *prefix, const char *col)
{
	char *q = opg_ident(o, col);
	if (!q) {
		b->failed = 1;
		return;
	}
	put(b, prefix);
	put(b, q);
	PQfreemem(q);
}

static void put_num(struct sb *b, long long n)
{
	char tmp[24];
	snprintf(tmp, sizeof(tmp), "%lld", n);
	put(b, tmp);
}

static int run_sb(struct out_postgres *o, struct sb *b, int n, const char *const *vals,
		  uint64_t *rows, const char *what, struct colink_error *err)
{
	int rc;
	if (b->failed)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	else
		rc = opg_exec_params(o, b->p, n, vals, rows, what, err);
	o->host->free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	return rc;
}

/* The columns of the wide table `dest` the catalogue fills, in cat
 * order (the order stage.c writes them), each after `prefix`. */
static void put_cols(struct out_postgres *o, struct sb *b, int dest, const char *prefix)
{
	size_t k;
	for (k = 0; k < o->ncat; k++)
		if (o->cat[k].dest == dest)
			put_col(o, b, prefix, o->cat[k].column);
}

static const char *stage_name(int s)
{
	static const char *const names[S_COUNT] = {
		[S_REC] = "s_rec", [S_WIDE] = "s_w1", [S_WIDE + 1] = "s_w2",
		[S_WIDE + 2] = "s_w3", [S_WIDE + 3] = "s_w4", [S_WIDE + 4] = "s_w5",
		[S_WIDE + 5] = "s_w6", [S_WIDE + 6] = "s_w7", [S_WIDE + 7] = "s_w8",
		[S_WIDE + 8] = "s_w9", [S_WIDE + 9] = "s_w10", [S_WIDE + 10] = "s_w11",
		[S_WIDE + 11] = "s_w12", [S_WIDE + 12] = "s_w13", [S_OBS] = "s_obs",
		[S_Q] = "s_q", [S_SANS] = "s_sans", [S_KEY] = "s_key",
	};
	return names[s];
}
_Static_assert(S_OBS == S_WIDE + 13, "a staging table name per wide table");

/* work_mem and temp_buffers of the run's transaction (opg_stage_create) */
#define OPG_WORK_MEM "256MB"
#define OPG_TEMP_BUFFERS "256MB"

/* Whether records of kind k belong to a person (a code master does not). */
static int has_person(int k)
{
	return opg_kinds[k].side != NULL;
}

/* The staging tables, typed after the warehouse's own columns (a column
 * the catalogue names and the warehouse lacks fails here, by name). */
int opg_stage_create(struct out_postgres *o, struct colink_error *err)
{
	struct sb b = { o->host, NULL, 0, 0, 0 };
	int d, rc;
	/* Memory for the merge, for this transaction only (bench/RESULTS.md,
	 * "PostgreSQL"): the default 4 MB sent every sort and hash of a
	 * 100,000-record merge to temporary files, and the default 8 MB of
	 * temporary buffers wrote the staging tables out between the COPY
	 * and each join.  temp_buffers takes effect only before the
	 * session's first temporary table: these are its first.  JIT
	 * compiles every statement for tens of milliseconds and runs each
	 * once. */
	rc = opg_exec(o, "SET LOCAL work_mem = '" OPG_WORK_MEM "'; "
		      "SET LOCAL temp_buffers = '" OPG_TEMP_BUFFERS "'; SET LOCAL jit = off",
		      "setting the merge's memory", err);
	if (!rc && o->nshards)
		rc = opg_shard_pending(o, err);
	if (rc)
		return rc;
	put(&b, "CREATE TEMP TABLE s_rec ON COMMIT DROP AS SELECT NULL::bigint AS s_seq, "
		"NULL::int AS s_kind, NULL::text AS s_person_id, NULL::text AS s_side, "
		"NULL::bigint AS s_birth_ym, NULL::text AS s_key, NULL::text AS s_key2, "
		"NULL::bigint AS s_input_no, NULL::bigint AS s_record_no, NULL::bigint AS s_line_no, "
		"NULL::bigint AS s_fiscal_year, NULL::bigint AS s_age_at_exam, "
		"NULL::bigint AS s_age_fy_end, NULL::bigint AS s_kseq");
	put_cols(o, &b, DEST_PERSON, ", ");
	put(&b, " FROM person WITH NO DATA");
	rc = run_sb(o, &b, 0, NULL, NULL, "creating the staging tables", err);
	for (d = DEST_CHECKUP; !rc && d <= DEST_LAST_WIDE; d++) {
		put(&b, "CREATE TEMP TABLE ");
		put(&b, stage_name(S_WIDE + WIDE_INDEX(d) - 1));
		put(&b, " ON COMMIT DROP AS SELECT NULL::bigint AS s_seq");
		put_cols(o, &b, d, ", ");
		put(&b, " FROM ");
		put(&b, opg_fact_table(o, d));
		put(&b, " WITH NO DATA");
		rc = run_sb(o, &b, 0, NULL, NULL, "creating the staging tables", err);
	}
	if (!rc)
		rc = opg_exec(o,
			"CREATE TEMP TABLE s_obs ON COMMIT DROP AS SELECT NULL::bigint AS s_seq, "
			"NULL::bigint AS s_no, item_code, field, value_type, value_text, value_num, "
			"code_system, unit, null_reason, flag, raw, source_column FROM observation "
			"WITH NO DATA; "
			"CREATE TEMP TABLE s_q ON COMMIT DROP AS SELECT NULL::bigint AS s_seq, "
			"NULL::bigint AS s_no, item_code, field, answer, code_system, null_reason, raw, "
			"source_column FROM questionnaire WITH NO DATA; "
			"CREATE TEMP TABLE s_sans ON COMMIT DROP AS SELECT NULL::bigint AS s_seq, "
			"NULL::bigint AS s_no, field, answer, null_reason, raw, source_column "
			"FROM stress_answer WITH NO DATA; "
			"CREATE TEMP TABLE s_key ON COMMIT DROP AS SELECT NULL::bigint AS s_seq, "
			"NULL::text AS s_person_id, kind, pseudonym FROM person_key WITH NO DATA; "
			"CREATE TEMP TABLE s_rej (s_seq bigint PRIMARY KEY, reason text NOT NULL) "
			"ON COMMIT DROP",
			"creating the staging tables", err);
	return rc;
}

/* ---- 1. COPY ---- */

static int copy_stage(struct out_postgres *o, int s, struct colink_error *err)
{
	FILE *f = o->stage[s];
	char buf[65536], sql[64];
	size_t n;
	int first = 1, rc = COLINK_OK;
	PGresult *res;
	if (!o->staged[s])
		return COLINK_OK;
	if (fflush(f) || fseek(f, 0, SEEK_SET))
		return COLINK_ERR(err, COLINK_EIO, "%s: reading the staging file", o->where);
	snprintf(sql, sizeof(sql), "COPY %s FROM STDIN", stage_name(s));
	res = PQexec(o->db, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = opg_db_err(o, res, "starting COPY", err);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (PQputCopyData(o->db, buf, (int)n) != 1) {
			rc = opg_db_err(o, NULL, "sending COPY data", err);
			break;
		}
		/* crash tests only: a kill in the middle of the COPY */
		if (first && o->kill_at && !strcmp(o->kill_at, "during-copy"))
			raise(SIGKILL);
		first = 0;
	}
	if (PQputCopyEnd(o->db, rc ? "colink: staging read failed" : NULL) != 1 && !rc)
		rc = opg_db_err(o, NULL, "ending COPY", err);
	while ((res = PQgetResult(o->db)) != NULL) {
		if (!rc && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = opg_db_err(o, res, "loading the staged records (COPY)", err);
		PQclear(res);
	}
	if (fseek(f, 0, SEEK_SET) || ftruncate(fileno(f), 0)) {
		if (!rc)
			rc = COLINK_ERR(err, COLINK_EIO, "%s: clearing the staging file", o->where);
	}
	o->staged[s] = 0;
	return rc;
}

/* ---- 2. late rejects ---- */

/* "(VALUES (0, 'checkup', 'dup'), ...) AS k (kind, name, dup)" */
static void put_kinds(struct out_postgres *o, struct sb *b)
{
	int k;
	put(b, "(VALUES ");
	for (k = 0; k < K_COUNT; k++) {
		char *name = PQescapeLiteral(o->db, opg_kinds[k].name, strlen(opg_kinds[k].name));
		char *dup = PQescapeLiteral(o->db, opg_kinds[k].dup, strlen(opg_kinds[k].dup));
		if (!name || !dup)
			b->failed = 1;
		put(b, k ? ", (" : "(");
		put_num(b, k);
		put(b, ", ");
		put(b, name ? name : "''");
		put(b, ", ");
		put(b, dup ? dup : "''");
		put(b, ")");
		PQfreemem(name);
		PQfreemem(dup);
	}
	put(b, ") AS k (kind, name, dup)");
}

/* The condition that a warehouse row t and the staged wide row w are the
 * same row (person_no joined by the caller): the key columns. */
static void put_keys(struct out_postgres *o, struct sb *b, int dest)
{
	size_t kf = o->key_field[WIDE_INDEX(dest)], k2 = o->key2_field[WIDE_INDEX(dest)];
	if (kf != NOT_FOUND) {
		put_col(o, b, " AND t.", o->cat[kf].column);
		put_col(o, b, " = w.", o->cat[kf].column);
	}
	if (k2 != NOT_FOUND) {
		put_col(o, b, " AND t.", o->cat[k2].column);
		put_col(o, b, " = w.", o->cat[k2].column);
	}
}

/* "s_rec r JOIN s_wN w ON ... JOIN person p ON ..." for kind k (no
 * person for a code master) */
static void put_from(struct sb *b, int k)
{
	put(b, " FROM s_rec r JOIN ");
	put(b, stage_name(S_WIDE + WIDE_INDEX(opg_kinds[k].dest) - 1));
	put(b, " w ON w.s_seq = r.s_seq");
	if (has_person(k))
		put(b, " JOIN person p ON p.person_id = r.s_person_id");
}

/* " JOIN table t ON <the same row as w>" for kind k: the person and the
 * key columns */
static void put_join_row(struct out_postgres *o, struct sb *b, int k)
{
	int d = opg_kinds[k].dest;
	put(b, " JOIN ");
	put(b, opg_fact_table(o, d));
	put(b, has_person(k) ? " t ON t.person_no = p.person_no" : " t ON TRUE");
	put_keys(o, b, d);
}

/* Whether the query finds a row (a probe before a costlier statement). */
static int probe(struct out_postgres *o, struct sb *b, int *found, const char *what,
		 struct colink_error *err)
{
	char one[8];
	int rc;
	if (b->failed)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	else
		rc = opg_query_text(o, b->p, 0, NULL, one, sizeof(one), found, what, err);
	o->host->free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	return rc;
}

/* Whether a staged record may be of the other side than its person: a
 * person whose records in the stage are of two sides, or an existing
 * person of the other side.  One aggregate; when it finds nothing (the
 * usual case) the side check below, with its sort of the whole stage by
 * person and record, cannot find anything either. */
static int sides_mixed(struct out_postgres *o, int *found, struct colink_error *err)
{
	struct sb b = { o->host, NULL, 0, 0, 0 };
	put(&b, "SELECT 1 FROM s_rec r LEFT JOIN person p ON p.person_id = r.s_person_id "
		"WHERE r.s_person_id IS NOT NULL GROUP BY r.s_person_id HAVING "
		"min(r.s_side) <> max(r.s_side) OR bool_or(p.side <> r.s_side) LIMIT 1");
	return probe(o, &b, found, "checking the sides of persons", err);
}

/* Whether two staged records of kind k have the same row key (person and
 * key columns); when none do, the window below cannot find a second row. */
static int keys_repeat(struct out_postgres *o, int k, int *found, struct colink_error *err)
{
	struct sb b = { o->host, NULL, 0, 0, 0 };
	int d = opg_kinds[k].dest;
	size_t kf = o->key_field[WIDE_INDEX(d)], k2 = o->key2_field[WIDE_INDEX(d)];
	if (!o->order[k].maybe) { /* staged in an order that repeats no key (stage.c) */
		*found = 0;
		return COLINK_OK;
	}
	if (k2 == NOT_FOUND) {
		/* s_rec's s_key is the key column's value as stage.c wrote it
		 * (record_key: canonical text, one text per value), so the
		 * probe needs no join with the wide stage */
		put(&b, "SELECT 1 FROM s_rec r WHERE r.s_kind = ");
		put_num(&b, k);
		put(&b, kf != NOT_FOUND ? " GROUP BY r.s_person_id, r.s_key" :
			" GROUP BY r.s_person_id");
		put(&b, " HAVING count(*) > 1 LIMIT 1");
		return probe(o, &b, found, "checking for duplicate rows", err);
	}
	put(&b, "SELECT 1 FROM s_rec r JOIN ");
	put(&b, stage_name(S_WIDE + WIDE_INDEX(d) - 1));
	put(&b, " w ON w.s_seq = r.s_seq WHERE r.s_kind = ");
	put_num(&b, k);
	put(&b, " GROUP BY r.s_person_id");
	if (kf != NOT_FOUND)
		put_col(o, &b, ", w.", o->cat[kf].column);
	put_col(o, &b, ", w.", o->cat[k2].column);
	put(&b, " HAVING count(*) > 1 LIMIT 1");
	return probe(o, &b, found, "checking for duplicate rows", err);
}

static int late_rejects(struct out_postgres *o, struct colink_error *err)
{
	struct sb b = { o->host, NULL, 0, 0, 0 };
	const char *v[1] = { o->run_id };
	uint64_t n = 0;
	int k, rc, found = 0;
	rc = sides_mixed(o, &found, err);
	if (rc || !found)
		goto dups;
	/* the side of an existing person; else of the person's first record */
	put(&b, "INSERT INTO s_rej (s_seq, reason) SELECT r.s_seq, 'the person key belongs to a "
		"person of the other side; records of kind ' || k.name || ' are the ' || "
		"r.s_side || '''s' FROM s_rec r JOIN ");
	put_kinds(o, &b);
	put(&b, " ON k.kind = r.s_kind LEFT JOIN person p ON p.person_id = r.s_person_id "
		"LEFT JOIN (SELECT DISTINCT ON (s_person_id) s_person_id, s_side FROM s_rec "
		"ORDER BY s_person_id, s_seq) f ON f.s_person_id = r.s_person_id "
		"WHERE coalesce(p.side, f.s_side) <> r.s_side");
	rc = run_sb(o, &b, 0, NULL, NULL, "checking the sides of persons", err);
dups:
	for (k = 0; !rc && k < K_COUNT; k++) {
		int d = opg_kinds[k].dest;
		size_t kf = o->key_field[WIDE_INDEX(d)], k2 = o->key2_field[WIDE_INDEX(d)];
		if (!o->staged[S_WIDE + WIDE_INDEX(d) - 1])
			continue;
		/* a row of an earlier input of this run */
		put(&b, "INSERT INTO s_rej (s_seq, reason) SELECT r.s_seq, k.dup || ' (input ' || "
			"t.input_no || ' record ' || t.record_no || ')'");
		put_from(&b, k);
		put(&b, " JOIN ");
		put_kinds(o, &b);
		put(&b, " ON k.kind = r.s_kind");
		put_join_row(o, &b, k);
		put(&b, " WHERE r.s_kind = ");
		put_num(&b, k);
		put(&b, " AND t.run_id = $1 AND NOT EXISTS (SELECT 1 FROM s_rej x "
			"WHERE x.s_seq = r.s_seq)");
		rc = run_sb(o, &b, 1, v, NULL, "checking for duplicate rows", err);
		if (!rc)
			rc = keys_repeat(o, k, &found, err);
		if (rc)
			break;
		if (!found)
			continue;
		/* the second of this input: the first one wins */
		put(&b, "INSERT INTO s_rej (s_seq, reason) SELECT z.s_seq, k.dup || ' (input ' || "
			"z.fi || ' record ' || z.fr || ')' FROM (SELECT r.s_seq, r.s_kind, "
			"first_value(r.s_input_no) OVER win AS fi, first_value(r.s_record_no) OVER win "
			"AS fr, row_number() OVER win AS n FROM s_rec r JOIN ");
		put(&b, stage_name(S_WIDE + WIDE_INDEX(d) - 1));
		put(&b, " w ON w.s_seq = r.s_seq WHERE r.s_kind = ");
		put_num(&b, k);
		put(&b, " AND NOT EXISTS (SELECT 1 FROM s_rej x WHERE x.s_seq = r.s_seq) "
			"WINDOW win AS (PARTITION BY r.s_person_id");
		if (kf != NOT_FOUND)
			put_col(o, &b, ", w.", o->cat[kf].column);
		if (k2 != NOT_FOUND)
			put_col(o, &b, ", w.", o->cat[k2].column);
		put(&b, " ORDER BY r.s_seq)) z JOIN ");
		put_kinds(o, &b);
		put(&b, " ON k.kind = z.s_kind WHERE z.n > 1");
		rc = run_sb(o, &b, 0, NULL, NULL, "checking for duplicate rows", err);
	}
	if (!rc)
		rc = opg_exec_params(o, "INSERT INTO reject (run_id, input_no, record_no, line_no, "
				     "source_column, reason) SELECT $1, r.s_input_no, r.s_record_no, "
				     "r.s_line_no, NULL, x.reason FROM s_rej x JOIN s_rec r "
				     "ON r.s_seq = x.s_seq ORDER BY x.s_seq", 1, v, &n,
				     "recording rejects", err);
	/* the inputs' rows (written at their end) count them rejected */
	if (!rc && n)
		rc = opg_exec_params(o, "UPDATE run_input AS i SET records_loaded = "
				     "i.records_loaded - x.n, records_rejected = i.records_rejected + x.n "
				     "FROM (SELECT r.s_input_no, count(*) AS n FROM s_rej j JOIN s_rec r "
				     "ON r.s_seq = j.s_seq GROUP BY 1) AS x WHERE i.run_id = $1 AND "
				     "i.input_no = x.s_input_no", 1, v, NULL, "recording rejects", err);
	if (!rc && n)
		rc = opg_exec(o, "DELETE FROM s_rec WHERE s_seq IN (SELECT s_seq FROM s_rej)",
			      "dropping rejected records", err);
	/* the pseudonyms no record that stays names (stage.c, kseq_of: a
	 * rejected record's twins keep the ones it staged for them) */
	if (!rc && n)
		rc = opg_exec(o, "DELETE FROM s_key k WHERE NOT EXISTS (SELECT 1 FROM s_rec r "
			      "WHERE r.s_kseq = k.s_seq)", "dropping rejected records", err);
	if (!rc)
		rc = opg_exec(o, "TRUNCATE s_rej", "dropping rejected records", err);
	o->late_rejected += n;
	if (!rc && n)
		o->host->log(o->hc, COLINK_LOG_WARN,
			     "%s: %" PRIu64 " more records rejected when merged (a person of the "
			     "other side, or a second row of this run): see the reject table",
			     o->where, n);
	return rc;
}

/* ---- 3. persons ---- */

/* One statement: the run's persons aggregated once (a), the ones the
 * warehouse has updated (u), the new ones inserted in the order of their
 * first record.  Not INSERT ... ON CONFLICT: its speculative insertion
 * probes and locks the index per row; the run holds the warehouse's lock,
 * so no other writer can add a person between the two. */
static int persons(struct out_postgres *o, int split, struct colink_error *err)
{
	struct sb b = { o->host, NULL, 0, 0, 0 };
	const char *v[2] = { o->run_id, o->key_id };
	size_t k;
	/* a0: every person of the stage, by hash (late_rejects left each
	 * person's records of one side: min is its first record's side);
	 * a1: the last non-null values, from the records that carry any
	 * (the ordered aggregates sort per person: an attendance month
	 * carries none, and skips them).  When most staged records carry
	 * person values (a checkup, a roster row: stage.c counts them), one
	 * aggregate sorted once does both. */
	if (split)
		put(&b, "WITH a0 AS (SELECT s_person_id, min(s_seq) AS s_first, min(s_side) AS "
			"s_side FROM s_rec WHERE s_person_id IS NOT NULL GROUP BY s_person_id), a1 AS (");
	else
		put(&b, "WITH a AS MATERIALIZED (");
	put(&b, "SELECT s_person_id, (array_agg(s_birth_ym ORDER BY s_seq DESC) FILTER "
		"(WHERE s_birth_ym IS NOT NULL))[1] AS s_birth_ym");
	for (k = 0; k < o->ncat; k++)
		if (o->cat[k].dest == DEST_PERSON) {
			put_col(o, &b, ", (array_agg(", o->cat[k].column);
			put(&b, " ORDER BY s_seq DESC) FILTER (WHERE ");
			put_col(o, &b, "", o->cat[k].column);
			put(&b, " IS NOT NULL))[1] AS ");
			put_col(o, &b, "", o->cat[k].column);
		}
	if (!split)
		put(&b, ", min(s_seq) AS s_first, min(s_side) AS s_side");
	put(&b, " FROM s_rec WHERE s_person_id IS NOT NULL");
	if (split) {
		put(&b, " AND (s_birth_ym IS NOT NULL");
		for (k = 0; k < o->ncat; k++)
			if (o->cat[k].dest == DEST_PERSON) {
				put_col(o, &b, " OR ", o->cat[k].column);
				put(&b, " IS NOT NULL");
			}
		put(&b, ") GROUP BY s_person_id), a AS MATERIALIZED (SELECT a0.s_person_id, "
			"a0.s_first, a0.s_side, a1.s_birth_ym");
		put_cols(o, &b, DEST_PERSON, ", a1.");
		put(&b, " FROM a0 LEFT JOIN a1 ON a1.s_person_id = a0.s_person_id), ");
	} else
		put(&b, " GROUP BY s_person_id), ");
	put(&b, "u AS (UPDATE person SET last_run_id = $1, birth_ym = coalesce(a.s_birth_ym, "
		"person.birth_ym)");
	for (k = 0; k < o->ncat; k++)
		if (o->cat[k].dest == DEST_PERSON) {
			put_col(o, &b, ", ", o->cat[k].column);
			put_col(o, &b, " = coalesce(a.", o->cat[k].column);
			put_col(o, &b, ", person.", o->cat[k].column);
			put(&b, ")");
		}
	/* only a person whose row changes: one written by an earlier merge of
	 * this run is usually as it was, and updating a row of this
	 * transaction checks its foreign keys again */
	put(&b, " FROM a WHERE person.person_id = a.s_person_id AND (person.last_run_id IS "
		"DISTINCT FROM $1 OR coalesce(a.s_birth_ym, person.birth_ym) IS DISTINCT FROM "
		"person.birth_ym");
	for (k = 0; k < o->ncat; k++)
		if (o->cat[k].dest == DEST_PERSON) {
			put_col(o, &b, " OR coalesce(a.", o->cat[k].column);
			put_col(o, &b, ", person.", o->cat[k].column);
			put_col(o, &b, ") IS DISTINCT FROM person.", o->cat[k].column);
		}
	put(&b, ")) INSERT INTO person (person_id, key_id, birth_ym, first_run_id, last_run_id, side");
	put_cols(o, &b, DEST_PERSON, ", ");
	put(&b, ") SELECT a.s_person_id, $2, a.s_birth_ym, $1, $1, a.s_side");
	put_cols(o, &b, DEST_PERSON, ", a.");
	put(&b, " FROM a WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.person_id = "
		"a.s_person_id) ORDER BY a.s_first");
	return run_sb(o, &b, 2, v, NULL, "writing the persons", err);
}

/* ---- 4. rows ---- */

/* The long tables of a kind: table, the parent's id column. */
static const struct {
	int kind;
	const char *table, *id, *cols;
	int stage;
} longs[] = {
	{ K_CHECKUP, "observation", "checkup_id", "item_code, field, value_type, value_text, "
	  "value_num, code_system, unit, null_reason, flag, raw, source_column", S_OBS },
	{ K_CHECKUP, "questionnaire", "checkup_id", "item_code, field, answer, code_system, "
	  "null_reason, raw, source_column", S_Q },
	{ K_STRESS, "stress_answer", "stress_check_id", "field, answer, null_reason, raw, "
	  "source_column", S_SANS },
};
#define NLONGS (sizeof(longs) / sizeof(longs[0]))

/* Each column of the list "a, b, c" after `prefix`. */
static void put_prefixed(struct sb *b, const char *cols, const char *prefix)
{
	char one[64];
	const char *e;
	while (*cols) {
		size_t n;
		e = strchr(cols, ',');
		n = e ? (size_t)(e - cols) : strlen(cols);
		if (n >= sizeof(one)) {
			b->failed = 1;
			return;
		}
		memcpy(one, cols, n);
		one[n] = '\0';
		put(b, prefix);
		put(b, one);
		cols += n;
		while (*cols == ',' || *cols == ' ')
			cols++;
	}
}

static int kind_rows(struct out_postgres *o, int k, struct colink_error *err)
{
	struct sb b = { o->host, NULL, 0, 0, 0 };
	const char *v[1] = { o->run_id };
	int d = opg_kinds[k].dest, rc = COLINK_OK;
	const char *id = NULL;
	uint64_t n = 0;
	size_t i;
	for (i = 0; i < NLONGS; i++)
		if (longs[i].kind == k)
			id = longs[i].id;
	/* the rows of earlier runs this input replaces, with their long rows */
	put(&b, "WITH old AS (SELECT t.");
	put(&b, id ? id : "ctid");
	put(&b, " AS id");
	put_from(&b, k);
	put_join_row(o, &b, k);
	put(&b, " WHERE r.s_kind = ");
	put_num(&b, k);
	put(&b, ")");
	for (i = 0; i < NLONGS; i++)
		if (longs[i].kind == k) {
			put(&b, ", d");
			put_num(&b, (long long)i);
			put(&b, " AS (DELETE FROM ");
			put(&b, opg_fact(o, longs[i].table));
			put(&b, " WHERE ");
			put(&b, id);
			put(&b, " IN (SELECT id FROM old))");
		}
	put(&b, " DELETE FROM ");
	put(&b, opg_fact_table(o, d));
	put(&b, " WHERE ");
	put(&b, id ? id : "ctid");
	put(&b, " IN (SELECT id FROM old)");
	rc = run_sb(o, &b, 0, NULL, &n, "replacing earlier rows", err);
	if (rc)
		return rc;
	o->replaced[k] += n;
	/* the new rows, in record order */
	put(&b, "INSERT INTO ");
	put(&b, opg_fact_table(o, d));
	if (d == DEST_CHECKUP)
		put(&b, " (person_no, fiscal_year, age_at_exam, age_fy_end, run_id, input_no, "
			"record_no, line_no");
	else
		put(&b, has_person(k) ? " (person_no, run_id, input_no, record_no, line_no" :
			" (run_id, input_no, record_no, line_no");
	put_cols(o, &b, d, ", ");
	if (d == DEST_CHECKUP)
		put(&b, ") SELECT p.person_no, r.s_fiscal_year, r.s_age_at_exam, r.s_age_fy_end, "
			"$1, r.s_input_no, r.s_record_no, r.s_line_no");
	else
		put(&b, has_person(k) ? ") SELECT p.person_no, $1, r.s_input_no, r.s_record_no, "
			"r.s_line_no" : ") SELECT $1, r.s_input_no, r.s_record_no, r.s_line_no");
	put_cols(o, &b, d, ", w.");
	put_from(&b, k);
	put(&b, " WHERE r.s_kind = ");
	put_num(&b, k);
	put(&b, " ORDER BY r.s_seq");
	rc = run_sb(o, &b, 1, v, NULL, "writing the records", err);
	for (i = 0; !rc && i < NLONGS; i++) {
		if (longs[i].kind != k)
			continue;
		put(&b, "INSERT INTO ");
		put(&b, opg_fact(o, longs[i].table));
		put(&b, " (");
		put(&b, id);
		put(&b, o->nshards ? ", person_no, " : ", "); /* a shard's long rows: #17 */
		put(&b, longs[i].cols);
		put(&b, ") SELECT t.");
		put(&b, id);
		if (o->nshards)
			put(&b, ", t.person_no");
		put_prefixed(&b, longs[i].cols, ", l.");
		put_from(&b, k);
		put_join_row(o, &b, k);
		put(&b, " JOIN ");
		put(&b, stage_name(longs[i].stage));
		put(&b, " l ON l.s_seq = r.s_seq ORDER BY l.s_no");
		rc = run_sb(o, &b, 0, NULL, NULL, "writing the values", err);
	}
	return rc;
}

/* The pseudonyms: made distinct by person before the person's number is
 * looked up, then the ones the warehouse lacks, in key order.  s_key has
 * a line per pseudonym and run of records of one person with the same
 * pseudonyms (stage.c, kseq_of), with the person: a month of attendance
 * no longer repeats its person's pseudonym, and no line of s_key is
 * joined with s_rec (late_rejects dropped the lines no record names).
 * One statement per key kind, the kinds in bytewise order, each sorted by
 * pseudonym: the rows reach the primary-key index (kind, pseudonym,
 * person_no) in its order, as one statement sorted by kind and pseudonym
 * would, but each sort's leading key is the pseudonym, whose abbreviated
 * keys (COLLATE "C": memcmp) decide almost every comparison; with the
 * kind leading, three or four values, every comparison went to the full
 * tuples (bench/RESULTS.md, "PostgreSQL": 540,000 pseudonyms of the first
 * merge of the 100k bench, 12.1 s one statement, 8.5 s per kind).  The
 * database's own collation would compare with strcoll and no abbreviation;
 * 64 hex and the kinds sort the same either way. */
static int keys(struct out_postgres *o, struct colink_error *err)
{
	const char *v[2] = { o->key_id, NULL };
	PGresult *res;
	int i, n, rc = COLINK_OK;
	res = PQexecParams(o->db, "SELECT kind COLLATE \"C\" FROM s_key GROUP BY 1 ORDER BY 1",
			   0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = opg_db_err(o, res, "writing the pseudonyms", err);
		PQclear(res);
		return rc;
	}
	n = PQntuples(res);
	for (i = 0; !rc && i < n; i++) {
		v[1] = PQgetvalue(res, i, 0);
		rc = opg_exec_params(o, "INSERT INTO person_key (person_no, kind, pseudonym, key_id) "
				     "SELECT p.person_no, d.kind, d.pseudonym, $1::text FROM (SELECT "
				     "DISTINCT s_person_id, kind, pseudonym FROM s_key WHERE kind = $2) d "
				     "JOIN person p ON p.person_id = d.s_person_id "
				     "WHERE NOT EXISTS (SELECT 1 FROM person_key x WHERE x.kind = d.kind "
				     "AND x.pseudonym = d.pseudonym AND x.person_no = p.person_no) "
				     "ORDER BY d.pseudonym COLLATE \"C\", 1",
				     2, v, NULL, "writing the pseudonyms", err);
	}
	PQclear(res);
	return rc;
}

int opg_merge(struct out_postgres *o, struct colink_error *err)
{
	uint64_t wide[NWIDE];
	int s, k, split, rc = COLINK_OK;
	o->kprev_seq = 0; /* the next record stages its pseudonyms (stage.c) */
	split = o->person_vals * 2 < o->staged[S_REC]; /* persons() */
	o->person_vals = 0;
	if (!o->staged[S_REC])
		return COLINK_OK;
	for (s = 0; s < NWIDE; s++)
		wide[s] = o->staged[S_WIDE + s];
	for (s = 0; !rc && s < S_COUNT; s++)
		rc = copy_stage(o, s, err);
	/* the planner knows nothing of a freshly filled temporary table:
	 * analyse the ones this merge joins (the long tables are only read
	 * whole), and only the columns it joins, groups and filters on: the
	 * statistics of every column of the wide s_rec (a sort of the
	 * 30,000-row sample per column, text by the database's collation)
	 * were 1.3-1.5 s per merge of the 100k bench */
	if (!rc) {
		struct sb b = { o->host, NULL, 0, 0, 0 };
		size_t kf;
		put(&b, "ANALYZE s_rec (s_seq, s_kind, s_person_id, s_side, s_key, s_kseq, "
			"s_birth_ym");
		put_cols(o, &b, DEST_PERSON, ", ");
		put(&b, "), s_key (s_seq, s_person_id, kind, pseudonym)");
		for (s = 0; s < NWIDE; s++)
			if (wide[s]) {
				put(&b, ", ");
				put(&b, stage_name(S_WIDE + s));
				put(&b, " (s_seq");
				kf = o->key_field[s + 1];
				if (kf != NOT_FOUND)
					put_col(o, &b, ", ", o->cat[kf].column);
				kf = o->key2_field[s + 1];
				if (kf != NOT_FOUND)
					put_col(o, &b, ", ", o->cat[kf].column);
				put(&b, ")");
			}
		rc = run_sb(o, &b, 0, NULL, NULL, "analysing the staged records", err);
	}
	for (s = 0; s < NWIDE; s++) /* late_rejects skips kinds without rows */
		o->staged[S_WIDE + s] = wide[s];
	if (!rc)
		rc = late_rejects(o, err);
	if (!rc)
		rc = persons(o, split, err);
	for (k = 0; !rc && k < K_COUNT; k++)
		if (wide[WIDE_INDEX(opg_kinds[k].dest) - 1])
			rc = kind_rows(o, k, err);
	if (!rc)
		rc = keys(o, err);
	for (s = 0; s < NWIDE; s++)
		o->staged[S_WIDE + s] = 0;
	opg_order_reset(o); /* the next merge's records (stage.c, order_note) */
	if (!rc) { /* every staging table (s_w<NWIDE> is never created: no person stage) */
		char sql[256] = "TRUNCATE s_rec, s_obs, s_q, s_sans, s_key";
		for (s = 0; s < NWIDE - 1; s++) {
			size_t n = strlen(sql);
			snprintf(sql + n, sizeof(sql) - n, ", %s", stage_name(S_WIDE + s));
		}
		rc = opg_exec(o, sql, "clearing the staging tables", err);
	}
	return rc;
}
