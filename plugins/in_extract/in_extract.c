/*
 * in_extract -- reads a pseudonymized extract written by `colink
 * pseudonymize` at another site (split-site deployment).
 *
 * An extract is a warehouse-format SQLite file (see
 * mappings/warehouse/schema.sql) that holds pseudonyms, never raw
 * identifiers.  Each checkup row becomes one record whose fields are named
 * for the engine's extract mode (mapping <extract/>):
 *   extract.key_id          the key id the extract was made with
 *   pseudonym.<kind>        every pseudonym of the person (person_key)
 *   derived.<x>             birth_ym, age_at_exam, age_fy_end, fiscal_year
 *   <field>                 common-schema fields (sex, exam_date, sbp_1 ...)
 *   <field or item code>    observation and questionnaire rows, with unit,
 *                           code system, null reason and flag
 * The exact text of an observation row wins over the REAL wide column of
 * the same field (it carries the reason or flag the column cannot).
 *
 * One record in memory at a time: rows are read with prepared statements
 * and their text copied into a per-instance pool reset for every record.
 */
#include <colink/plugin.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

struct pool {
	char *buf;
	size_t len, cap;
};

struct ctx {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	sqlite3 *db;
	sqlite3_stmt *q_rows, *q_keys, *q_obs, *q_quest;
	char key_id[64];
	struct colink_raw_field *f;
	size_t nf, capf;
	struct pool pool;
	int ncols;            /* columns of the row query */
	int first_wide;       /* index of the first wide column in the row query */
	const char *person;   /* the column naming a person in checkup and person_key:
	                         person_no (schema v4), person_id (v3 extracts) */
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

static int null_from_name(const char *s)
{
	static const char *const names[] = {"", "not-performed", "unmeasurable", "missing",
					     "below-range", "above-range", "invalid"};
	size_t i;
	for (i = 1; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return COLINK_NULL_NONE;
}

/* ---- per-record storage ---- */

/* Copy s into the pool; returns an offset (pointers are fixed up at emit,
 * since the pool may move while a record is being assembled). */
static long pool_put(struct ctx *c, const char *s)
{
	size_t l = strlen(s) + 1;
	long off = (long)c->pool.len;
	if (c->pool.len + l > c->pool.cap) {
		size_t nc = c->pool.cap ? c->pool.cap * 2 : 4096;
		char *nb;
		while (nc < c->pool.len + l)
			nc *= 2;
		nb = c->host->realloc(c->pool.buf, nc);
		if (!nb)
			return -1;
		c->pool.buf = nb;
		c->pool.cap = nc;
	}
	memcpy(c->pool.buf + c->pool.len, s, l);
	c->pool.len += l;
	return off;
}

#define OFF(x) ((const char *)(uintptr_t)(x))
#define NOSTR ((long)-2)

/* Add a field; strings are stored as pool offsets until emit. */
static int add(struct ctx *c, const char *name, const char *value, const char *unit,
	       const char *cs, int null_reason, char flag)
{
	struct colink_raw_field *f;
	long on, ov, ou = NOSTR, oc = NOSTR;
	if (c->nf == c->capf) {
		size_t nc = c->capf ? c->capf * 2 : 128;
		struct colink_raw_field *nf = c->host->realloc(c->f, nc * sizeof(*nf));
		if (!nf)
			return COLINK_ENOMEM;
		c->f = nf;
		c->capf = nc;
	}
	on = pool_put(c, name);
	ov = value ? pool_put(c, value) : NOSTR;
	if (unit)
		ou = pool_put(c, unit);
	if (cs)
		oc = pool_put(c, cs);
	if (on < 0 || ov == -1 || ou == -1 || oc == -1)
		return COLINK_ENOMEM;
	f = &c->f[c->nf++];
	memset(f, 0, sizeof(*f));
	f->name = OFF(on);
	f->value = OFF(ov);
	f->unit = OFF(ou);
	f->code_system = OFF(oc);
	f->null_reason = null_reason;
	f->flag = flag;
	f->index = (uint32_t)c->nf;
	return COLINK_OK;
}

static const char *fix(struct ctx *c, const char *off)
{
	long o = (long)(uintptr_t)off;
	return o == NOSTR ? NULL : c->pool.buf + o;
}

static int emit(struct ctx *c, struct colink_emitter *em, uint64_t recno)
{
	struct colink_raw_record r = COLINK_RAW_RECORD_INIT(.nfields = 0);
	size_t i;
	for (i = 0; i < c->nf; i++) {
		c->f[i].name = fix(c, c->f[i].name);
		c->f[i].value = fix(c, c->f[i].value);
		c->f[i].len = c->f[i].value ? strlen(c->f[i].value) : 0;
		c->f[i].unit = fix(c, c->f[i].unit);
		c->f[i].code_system = fix(c, c->f[i].code_system);
	}
	r.record_no = recno;
	r.line_no = 0;
	r.nfields = c->nf;
	r.fields = c->f;
	return c->host->emit(em, &r);
}

static int has_field(struct ctx *c, const char *name)
{
	size_t i;
	for (i = 0; i < c->nf; i++)
		if (!strcmp(c->pool.buf + (long)(uintptr_t)c->f[i].name, name))
			return 1;
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* observation and questionnaire rows of one checkup */
static int add_long(struct ctx *c, sqlite3_int64 id)
{
	int rc = COLINK_OK;
	sqlite3_reset(c->q_obs);
	sqlite3_bind_int64(c->q_obs, 1, id);
	while (rc == COLINK_OK && sqlite3_step(c->q_obs) == SQLITE_ROW) {
		const char *name = col_text(c->q_obs, 0) ? col_text(c->q_obs, 0) : col_text(c->q_obs, 1);
		const char *flag = col_text(c->q_obs, 5);
		if (name)
			rc = add(c, name, col_text(c->q_obs, 2), col_text(c->q_obs, 3),
				 col_text(c->q_obs, 6), null_from_name(col_text(c->q_obs, 4)),
				 flag ? flag[0] : 0);
	}
	sqlite3_reset(c->q_quest);
	sqlite3_bind_int64(c->q_quest, 1, id);
	while (rc == COLINK_OK && sqlite3_step(c->q_quest) == SQLITE_ROW) {
		const char *name = col_text(c->q_quest, 0) ? col_text(c->q_quest, 0) : col_text(c->q_quest, 1);
		if (name)
			rc = add(c, name, col_text(c->q_quest, 2), NULL, col_text(c->q_quest, 3),
				 null_from_name(col_text(c->q_quest, 4)), 0);
	}
	return rc;
}

/* person: the row's person_no (v4) or person_id (v3), bound as it is */
static int add_person(struct ctx *c, sqlite3_value *person)
{
	char name[96];
	int rc = add(c, "extract.key_id", c->key_id, NULL, NULL, 0, 0);
	sqlite3_reset(c->q_keys);
	sqlite3_bind_value(c->q_keys, 1, person);
	while (rc == COLINK_OK && sqlite3_step(c->q_keys) == SQLITE_ROW) {
		snprintf(name, sizeof(name), "pseudonym.%s", col_text(c->q_keys, 0));
		rc = add(c, name, col_text(c->q_keys, 1), NULL, NULL, 0, 0);
	}
	return rc;
}

static int add_row(struct ctx *c, sqlite3_int64 *id)
{
	sqlite3_stmt *st = c->q_rows;
	static const char *const derived[] = {"derived.birth_ym", "derived.age_at_exam",
					      "derived.age_fy_end", "derived.fiscal_year"};
	int i, rc;
	*id = sqlite3_column_int64(st, 0);
	rc = add_person(c, sqlite3_column_value(st, 1));
	/* row query: checkup_id, person_no (or v3 person_id), birth_ym, age_at_exam, age_fy_end,
	 * fiscal_year, sex, then the wide columns */
	for (i = 0; rc == COLINK_OK && i < 4; i++)
		if (col_text(st, 2 + i))
			rc = add(c, derived[i], col_text(st, 2 + i), NULL, NULL, 0, 0);
	if (rc == COLINK_OK && col_text(st, 6))
		rc = add(c, "sex", col_text(st, 6), NULL, NULL, 0, 0);
	if (rc == COLINK_OK)
		rc = add_long(c, *id);
	for (i = c->first_wide; rc == COLINK_OK && i < c->ncols; i++) {
		const char *name = sqlite3_column_name(st, i);
		if (col_text(st, i) && !has_field(c, name))
			rc = add(c, name, col_text(st, i), NULL, NULL, 0, 0);
	}
	return rc;
}

/* ---- opening ---- */

static int db_fail(struct ctx *c, const char *path, const char *what,
		   struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_EFORMAT, "%s: %s: %s", path, what,
			  c->db ? sqlite3_errmsg(c->db) : "cannot open");
}

static int read_key_id(struct ctx *c, const char *path, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int n = 0, rc = COLINK_OK;
	if (sqlite3_prepare_v2(c->db, "SELECT DISTINCT key_id FROM run WHERE status = 'ok'",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(c, path, "not a colink extract", err);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = col_text(st, 0);
		if (n++ == 0)
			snprintf(c->key_id, sizeof(c->key_id), "%s", k ? k : "");
		else
			rc = COLINK_ERR(err, COLINK_EFORMAT,
					"%s: the extract holds runs made with more than one key", path);
	}
	sqlite3_finalize(st);
	if (rc == COLINK_OK && n == 0)
		rc = COLINK_ERR(err, COLINK_EFORMAT, "%s: the extract has no successful run", path);
	return rc;
}

/* The row query over the checkup columns this extract has. */
static int build_rows(struct ctx *c, const char *path, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	char *sql;
	size_t len = 256, used;
	int rc = COLINK_OK;
	if (sqlite3_prepare_v2(c->db, "SELECT name FROM pragma_table_info('checkup')", -1, &st, NULL) != SQLITE_OK)
		return db_fail(c, path, "not a colink extract", err);
	c->person = "person_id";
	while (sqlite3_step(st) == SQLITE_ROW) {
		len += strlen(col_text(st, 0)) + 8;
		if (!strcmp(col_text(st, 0), "person_no"))
			c->person = "person_no";
	}
	sql = c->host->malloc(len);
	if (!sql) {
		sqlite3_finalize(st);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	used = (size_t)snprintf(sql, len, "SELECT c.checkup_id, c.%s, p.birth_ym, c.age_at_exam, "
				"c.age_fy_end, c.fiscal_year, p.sex", c->person);
	c->first_wide = 7;
	c->ncols = 7;
	sqlite3_reset(st);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = col_text(st, 0);
		if (is_meta(name))
			continue;
		used += (size_t)snprintf(sql + used, len - used, ", c.\"%s\"", name);
		c->ncols++;
	}
	sqlite3_finalize(st);
	snprintf(sql + used, len - used, " FROM checkup c JOIN person p USING(%s) ORDER BY c.checkup_id",
		 c->person);
	if (sqlite3_prepare_v2(c->db, sql, -1, &c->q_rows, NULL) != SQLITE_OK)
		rc = db_fail(c, path, "reading checkups", err);
	c->host->free(sql);
	return rc;
}

static int open_extract(struct ctx *c, const char *path, struct colink_error *err)
{
	char keys_sql[96];
	int rc;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return db_fail(c, path, "cannot open", err);
	if ((rc = read_key_id(c, path, err)) || (rc = build_rows(c, path, err)))
		return rc;
	snprintf(keys_sql, sizeof(keys_sql), "SELECT kind, pseudonym FROM person_key WHERE %s = ?1 "
		 "ORDER BY kind", c->person);
	if (sqlite3_prepare_v2(c->db, keys_sql, -1, &c->q_keys, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT field, item_code, value_text, unit, null_reason, flag, "
			       "code_system FROM observation WHERE checkup_id = ?1 ORDER BY rowid",
			       -1, &c->q_obs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT field, item_code, answer, code_system, null_reason "
			       "FROM questionnaire WHERE checkup_id = ?1 ORDER BY rowid",
			       -1, &c->q_quest, NULL) != SQLITE_OK)
		return db_fail(c, path, "not a colink extract", err);
	return COLINK_OK;
}

static void close_extract(struct ctx *c)
{
	sqlite3_finalize(c->q_rows);
	sqlite3_finalize(c->q_keys);
	sqlite3_finalize(c->q_obs);
	sqlite3_finalize(c->q_quest);
	sqlite3_close(c->db);
	c->q_rows = c->q_keys = c->q_obs = c->q_quest = NULL;
	c->db = NULL;
}

static int ex_read(void *vctx, const char *path, struct colink_emitter *em,
		   struct colink_error *err)
{
	struct ctx *c = vctx;
	uint64_t recno = 0;
	int rc = open_extract(c, path, err), src;
	while (rc == COLINK_OK && (src = sqlite3_step(c->q_rows)) == SQLITE_ROW) {
		sqlite3_int64 id;
		c->nf = 0;
		c->pool.len = 0;
		rc = add_row(c, &id);
		if (rc == COLINK_ENOMEM)
			rc = COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory", path);
		else if (rc == COLINK_OK)
			rc = emit(c, em, ++recno);
	}
	if (rc == COLINK_OK && src != SQLITE_DONE)
		rc = db_fail(c, path, "reading checkups", err);
	close_extract(c);
	return rc;
}

static int ex_init(void **out, const struct colink_host *host, struct colink_host_ctx *hc,
		   const struct colink_setting_values *vals, struct colink_error *err)
{
	struct ctx *c = host->calloc(1, sizeof(*c));
	(void)vals;
	if (!c)
		return COLINK_ERR(err, COLINK_ENOMEM, "in_extract: out of memory");
	c->host = host;
	c->hc = hc;
	*out = c;
	return COLINK_OK;
}

static void ex_fini(void *vctx)
{
	struct ctx *c = vctx;
	if (!c)
		return;
	close_extract(c);
	c->host->free(c->f);
	c->host->free(c->pool.buf);
	c->host->free(c);
}

static const struct colink_setting_def settings[] = { COLINK_SETTINGS_END };

static const struct colink_input_ops ops = COLINK_INPUT_OPS_INIT(
	.read = ex_read);

static const struct colink_plugin plugin = COLINK_INPUT_PLUGIN_INIT(
	.name = "in_extract",
	.version = "1.0",
	.description = "pseudonymized extracts written by `colink pseudonymize` (split-site mode)",
	.settings = settings,
	.init = ex_init,
	.fini = ex_fini,
	.input = &ops);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &plugin;
}
