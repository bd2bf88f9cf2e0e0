/*
 * wh_sqlite_extract.c -- reading a pseudonymized extract (a warehouse-
 * format SQLite file written by `colink pseudonymize` at another site) for
 * in_extract, which reaches it through the host table (host->extract_read).
 *
 * Each checkup row gives the fields of one record, named for the engine's
 * extract mode (mapping <extract/>); see warehouse.h.  The exact text of an
 * observation row wins over the REAL wide column of the same field (it
 * carries the reason or flag the column cannot).  One checkup at a time:
 * rows come from prepared statements, names given in this record are kept
 * in a pool reset for every record.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "warehouse/warehouse.h"

#include <sqlite3.h>

struct rd {
	const char *path;
	const struct colink_extract_sink *sink;
	sqlite3 *db;
	sqlite3_stmt *q_rows, *q_keys, *q_obs, *q_quest;
	char key_id[64];
	char normalization[96]; /* "" when the extract's runs recorded none (schema < 5) */
	const char *person; /* person_no (schema v4) or person_id (v3 extracts) */
	int ncols, first_wide;
	char *names;        /* NUL-separated names given in this record */
	size_t nlen, ncap;
	int oom;
};

static const char *const meta_columns[] = {
	"checkup_id", "person_id", "person_no", "run_id", "input_no", "record_no", "line_no",
	"fiscal_year", "age_at_exam", "age_fy_end", NULL
};

static int is_meta(const char *c)
{
	size_t i;
	for (i = 0; meta_columns[i]; i++)
		if (!strcmp(meta_columns[i], c))
			return 1;
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int given(const struct rd *r, const char *name)
{
	size_t off = 0;
	while (off < r->nlen) {
		if (!strcmp(r->names + off, name))
			return 1;
		off += strlen(r->names + off) + 1;
	}
	return 0;
}

static int remember(struct rd *r, const char *name)
{
	size_t l = strlen(name) + 1;
	if (r->nlen + l > r->ncap) {
		size_t nc = r->ncap ? r->ncap * 2 : 4096;
		char *nb;
		while (nc < r->nlen + l)
			nc *= 2;
		if (!(nb = colink_realloc(r->names, nc))) {
			r->oom = 1;
			return COLINK_ENOMEM;
		}
		r->names = nb;
		r->ncap = nc;
	}
	memcpy(r->names + r->nlen, name, l);
	r->nlen += l;
	return COLINK_OK;
}

static int put(struct rd *r, const char *name, const char *value, const char *unit, const char *cs,
	       const char *null_reason, const char *flag)
{
	struct colink_extract_field f;
	int rc;
	if ((rc = remember(r, name)))
		return rc;
	memset(&f, 0, sizeof(f));
	f.struct_size = sizeof(f);
	f.name = name;
	f.value = value;
	f.unit = unit;
	f.code_system = cs;
	f.null_reason = null_reason;
	f.flag = flag;
	return r->sink->field(r->sink->ud, &f);
}

static int fail(struct rd *r, const char *what, struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_EFORMAT, "%s: %s: %s", r->path, what,
			  r->db ? sqlite3_errmsg(r->db) : "cannot open");
}

/* observation and questionnaire rows of one checkup */
static int put_long(struct rd *r, sqlite3_int64 id)
{
	int rc = COLINK_OK;
	sqlite3_reset(r->q_obs);
	sqlite3_bind_int64(r->q_obs, 1, id);
	while (rc == COLINK_OK && sqlite3_step(r->q_obs) == SQLITE_ROW) {
		const char *name = col_text(r->q_obs, 0) ? col_text(r->q_obs, 0) : col_text(r->q_obs, 1);
		if (name)
			rc = put(r, name, col_text(r->q_obs, 2), col_text(r->q_obs, 3),
				 col_text(r->q_obs, 6), col_text(r->q_obs, 4), col_text(r->q_obs, 5));
	}
	sqlite3_reset(r->q_quest);
	sqlite3_bind_int64(r->q_quest, 1, id);
	while (rc == COLINK_OK && sqlite3_step(r->q_quest) == SQLITE_ROW) {
		const char *name = col_text(r->q_quest, 0) ? col_text(r->q_quest, 0) : col_text(r->q_quest, 1);
		if (name)
			rc = put(r, name, col_text(r->q_quest, 2), NULL, col_text(r->q_quest, 3),
				 col_text(r->q_quest, 4), NULL);
	}
	return rc;
}

/* person: the row's person_no (v4) or person_id (v3), bound as it is */
static int put_person(struct rd *r, sqlite3_value *person)
{
	char name[96];
	int rc = put(r, "extract.key_id", r->key_id, NULL, NULL, NULL, NULL);
	if (rc == COLINK_OK)
		rc = put(r, "extract.normalization",
			 r->normalization[0] ? r->normalization : "unrecorded", NULL, NULL, NULL, NULL);
	sqlite3_reset(r->q_keys);
	sqlite3_bind_value(r->q_keys, 1, person);
	while (rc == COLINK_OK && sqlite3_step(r->q_keys) == SQLITE_ROW) {
		snprintf(name, sizeof(name), "pseudonym.%s", col_text(r->q_keys, 0));
		rc = put(r, name, col_text(r->q_keys, 1), NULL, NULL, NULL, NULL);
	}
	return rc;
}

static int put_row(struct rd *r)
{
	sqlite3_stmt *st = r->q_rows;
	static const char *const derived[] = {"derived.birth_ym", "derived.age_at_exam",
					      "derived.age_fy_end", "derived.fiscal_year"};
	sqlite3_int64 id = sqlite3_column_int64(st, 0);
	int i, rc;
	r->nlen = 0;
	rc = put_person(r, sqlite3_column_value(st, 1));
	/* row query: checkup_id, person_no (or v3 person_id), birth_ym, age_at_exam, age_fy_end,
	 * fiscal_year, sex, then the wide columns */
	for (i = 0; rc == COLINK_OK && i < 4; i++)
		if (col_text(st, 2 + i))
			rc = put(r, derived[i], col_text(st, 2 + i), NULL, NULL, NULL, NULL);
	if (rc == COLINK_OK && col_text(st, 6))
		rc = put(r, "sex", col_text(st, 6), NULL, NULL, NULL, NULL);
	if (rc == COLINK_OK)
		rc = put_long(r, id);
	for (i = r->first_wide; rc == COLINK_OK && i < r->ncols; i++) {
		const char *name = sqlite3_column_name(st, i);
		if (col_text(st, i) && !given(r, name))
			rc = put(r, name, col_text(st, i), NULL, NULL, NULL, NULL);
	}
	return rc == COLINK_OK ? r->sink->record_end(r->sink->ud) : rc;
}

static int read_key_id(struct rd *r, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int n = 0, rc = COLINK_OK;
	if (sqlite3_prepare_v2(r->db, "SELECT DISTINCT key_id FROM run WHERE status = 'ok'",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(r, "not a colink extract", err);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = col_text(st, 0);
		if (n++ == 0)
			snprintf(r->key_id, sizeof(r->key_id), "%s", k ? k : "");
		else
			rc = COLINK_ERR(err, COLINK_EFORMAT,
					"%s: the extract holds runs made with more than one key", r->path);
	}
	sqlite3_finalize(st);
	if (rc == COLINK_OK && n == 0)
		rc = COLINK_ERR(err, COLINK_EFORMAT, "%s: the extract has no successful run", r->path);
	return rc;
}

/* The identity-normalization version its runs recorded (schema 5), or ""
 * when none did; more than one is refused. */
static int read_normalization(struct rd *r, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int n = 0, rc = COLINK_OK;
	r->normalization[0] = '\0';
	if (sqlite3_prepare_v2(r->db, "SELECT DISTINCT normalization FROM run WHERE status = 'ok' "
			       "AND normalization IS NOT NULL", -1, &st, NULL) != SQLITE_OK)
		return COLINK_OK; /* an extract older than schema 5: not recorded */
	while (rc == COLINK_OK && sqlite3_step(st) == SQLITE_ROW) {
		if (n++ == 0)
			snprintf(r->normalization, sizeof(r->normalization), "%s", col_text(st, 0));
		else
			rc = COLINK_ERR(err, COLINK_EFORMAT,
					"%s: the extract holds runs made under more than one identity "
					"normalization", r->path);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The row query over the checkup columns this extract has. */
static int build_rows(struct rd *r, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	char *sql;
	size_t len = 256, used;
	int rc = COLINK_OK;
	if (sqlite3_prepare_v2(r->db, "SELECT name FROM pragma_table_info('checkup')", -1, &st, NULL) != SQLITE_OK)
		return fail(r, "not a colink extract", err);
	r->person = "person_id";
	while (sqlite3_step(st) == SQLITE_ROW) {
		len += strlen(col_text(st, 0)) + 8;
		if (!strcmp(col_text(st, 0), "person_no"))
			r->person = "person_no";
	}
	if (!(sql = colink_malloc(len))) {
		sqlite3_finalize(st);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	used = (size_t)snprintf(sql, len, "SELECT c.checkup_id, c.%s, p.birth_ym, c.age_at_exam, "
				"c.age_fy_end, c.fiscal_year, p.sex", r->person);
	r->first_wide = 7;
	r->ncols = 7;
	sqlite3_reset(st);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = col_text(st, 0);
		if (is_meta(name))
			continue;
		used += (size_t)snprintf(sql + used, len - used, ", c.\"%s\"", name);
		r->ncols++;
	}
	sqlite3_finalize(st);
	snprintf(sql + used, len - used, " FROM checkup c JOIN person p USING(%s) ORDER BY c.checkup_id",
		 r->person);
	if (sqlite3_prepare_v2(r->db, sql, -1, &r->q_rows, NULL) != SQLITE_OK)
		rc = fail(r, "reading checkups", err);
	colink_free(sql);
	return rc;
}

static int open_extract(struct rd *r, struct colink_error *err)
{
	char keys_sql[192];
	int rc;
	if (sqlite3_open_v2(r->path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return fail(r, "cannot open", err);
	if ((rc = read_key_id(r, err)) || (rc = read_normalization(r, err)) ||
	    (rc = build_rows(r, err)))
		return rc;
	snprintf(keys_sql, sizeof(keys_sql), "SELECT kind, CASE WHEN typeof(pseudonym) = 'blob' "
		 "THEN lower(hex(pseudonym)) ELSE pseudonym END FROM person_key WHERE %s = ?1 "
		 "ORDER BY kind", r->person);
	if (sqlite3_prepare_v2(r->db, keys_sql, -1, &r->q_keys, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "SELECT field, item_code, value_text, unit, null_reason, flag, "
			       "code_system FROM observation WHERE checkup_id = ?1 ORDER BY rowid",
			       -1, &r->q_obs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "SELECT field, item_code, answer, code_system, null_reason "
			       "FROM questionnaire WHERE checkup_id = ?1 ORDER BY rowid",
			       -1, &r->q_quest, NULL) != SQLITE_OK)
		return fail(r, "not a colink extract", err);
	return COLINK_OK;
}

int colink_wh_extract_read(const char *path, const struct colink_extract_sink *sink,
			   struct colink_error *err)
{
	struct rd r;
	int rc, src = SQLITE_DONE;
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.sink = sink;
	rc = open_extract(&r, err);
	while (rc == COLINK_OK && (src = sqlite3_step(r.q_rows)) == SQLITE_ROW)
		rc = put_row(&r);
	if (rc == COLINK_ENOMEM && r.oom)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory", path);
	else if (rc == COLINK_OK && src != SQLITE_DONE)
		rc = fail(&r, "reading checkups", err);
	sqlite3_finalize(r.q_rows);
	sqlite3_finalize(r.q_keys);
	sqlite3_finalize(r.q_obs);
	sqlite3_finalize(r.q_quest);
	sqlite3_close(r.db);
	colink_free(r.names);
	return rc;
}
