/*
 * columns.c -- out_sqlite: which catalogue field fills which column.
 *
 * begin copies the run's catalogue (fields.tsv rows), sorted by name for
 * lookups, numbers the SQL parameter of every column of a wide table
 * (person, checkup, employee, attendance_month, stress_check,
 * claims_summary, participation), and builds
 * the person insert and update and one insert per other wide table once from it.
 * Column names are quoted as SQL identifiers; out_sqlite.c checks
 * afterwards that the warehouse has every one of them.  Also the
 * decimal text -> double of every REAL column value (osq_decimal_num).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "out_sqlite_int.h"

/* Columns the plugin fills itself: no catalogue field may claim them. */
static const char *const reserved_person[] = {
	"person_no", "person_id", "key_id", "birth_ym", "first_run_id", "last_run_id", "side",
	NULL
};
static const char *const reserved_checkup[] = {
	"checkup_id", "person_no", "fiscal_year", "age_at_exam", "age_fy_end",
	"run_id", "input_no", "record_no", "line_no", NULL
};
static const char *const reserved_row[] = {
	"person_no", "run_id", "input_no", "record_no", "line_no", NULL
};
static const char *const reserved_master[] = {
	"run_id", "input_no", "record_no", "line_no", NULL
};
static const char *const reserved_stress[] = {
	"stress_check_id", "person_no", "run_id", "input_no", "record_no",
	"line_no", NULL
};

/* The wide tables, indexed by WIDE_INDEX(dest).  `fixed` are the columns
 * the plugin binds as ?1..?nfixed (record.c binds them in this order);
 * `key` is the column that with person_no identifies a row, if any. */
static const struct wide {
	const char *table;
	const char *const *reserved;
	const char *fixed;
	int nfixed;
	const char *key;
	const char *key2; /* a second key column (participation: program) */
} wides[NWIDE] = {
	[WIDE_INDEX(DEST_PERSON)] = { "person", reserved_person, NULL,
				      PERSON_FIXED_PARAMS, NULL },
	[WIDE_INDEX(DEST_CHECKUP)] = { "checkup", reserved_checkup,
				       "person_no, fiscal_year, age_at_exam, age_fy_end, "
				       "run_id, input_no, record_no, line_no",
				       CHECKUP_FIXED_PARAMS, "exam_date" },
	[WIDE_INDEX(DEST_EMPLOYEE)] = { "employee", reserved_row,
					"person_no, run_id, input_no, record_no, line_no",
					ROW_FIXED_PARAMS, NULL },
	[WIDE_INDEX(DEST_ATTENDANCE)] = { "attendance_month", reserved_row,
					  "person_no, run_id, input_no, record_no, line_no",
					  ROW_FIXED_PARAMS, "year_month" },
	[WIDE_INDEX(DEST_STRESS)] = { "stress_check", reserved_stress,
				      "person_no, run_id, input_no, record_no, line_no",
				      ROW_FIXED_PARAMS, "stress_date" },
	[WIDE_INDEX(DEST_CLAIMS)] = { "claims_summary", reserved_row,
				      "person_no, run_id, input_no, record_no, line_no",
				      ROW_FIXED_PARAMS, "fiscal_year" },
	[WIDE_INDEX(DEST_PARTICIPATION)] = { "participation", reserved_row,
					     "person_no, run_id, input_no, record_no, line_no",
					     ROW_FIXED_PARAMS, "participation_date", "program" },
	[WIDE_INDEX(DEST_CLAIM)] = { "claim", reserved_row,
				     "person_no, run_id, input_no, record_no, line_no",
				     ROW_FIXED_PARAMS, "claim_key" },
	[WIDE_INDEX(DEST_DIAGNOSIS)] = { "claim_diagnosis", reserved_row,
					 "person_no, run_id, input_no, record_no, line_no",
					 ROW_FIXED_PARAMS, "claim_key", "seq" },
	[WIDE_INDEX(DEST_ITEM)] = { "claim_item", reserved_row,
				    "person_no, run_id, input_no, record_no, line_no",
				    ROW_FIXED_PARAMS, "claim_key", "seq" },
	/* code masters: a row per code, no person */
	[WIDE_INDEX(DEST_DISEASE_MASTER)] = { "disease_master", reserved_master,
					      "run_id, input_no, record_no, line_no",
					      MASTER_FIXED_PARAMS, "code" },
	[WIDE_INDEX(DEST_DRUG_MASTER)] = { "drug_master", reserved_master,
					   "run_id, input_no, record_no, line_no",
					   MASTER_FIXED_PARAMS, "code" },
	/* 傷病手当金 (v9): a payment by its person and period start */
	[WIDE_INDEX(DEST_ALLOWANCE)] = { "allowance", reserved_row,
					 "person_no, run_id, input_no, record_no, line_no",
					 ROW_FIXED_PARAMS, "period_from" },
};

/* fields.tsv table names (and the warehouse names, accepted alike). */
static const struct {
	const char *name;
	int dest;
} table_names[] = {
	{ "person", DEST_PERSON },
	{ "checkup", DEST_CHECKUP },
	{ "observation", DEST_OBSERVATION },
	{ "questionnaire", DEST_QUESTIONNAIRE },
	{ "employee", DEST_EMPLOYEE },
	{ "attendance", DEST_ATTENDANCE },
	{ "attendance_month", DEST_ATTENDANCE },
	{ "stress", DEST_STRESS },
	{ "stress_check", DEST_STRESS },
	{ "stress_answer", DEST_STRESS_ANSWER },
	{ "claims_summary", DEST_CLAIMS },
	{ "participation", DEST_PARTICIPATION },
	{ "claim", DEST_CLAIM },
	{ "claim_diagnosis", DEST_DIAGNOSIS },
	{ "claim_item", DEST_ITEM },
	{ "disease_master", DEST_DISEASE_MASTER },
	{ "drug_master", DEST_DRUG_MASTER },
	{ "allowance", DEST_ALLOWANCE },
};

char *osq_strdup(const struct colink_host *h, const char *s)
{
	size_t n;
	char *d;
	if (!s)
		return NULL;
	n = strlen(s);
	if (n == SIZE_MAX)
		return NULL;
	d = h->malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

/* A growing string in host memory; `failed` sticks after OOM/overflow. */
struct sbuf {
	const struct colink_host *host;
	char *p;
	size_t len, cap;
	int failed;
};

static void sb_put(struct sbuf *b, const char *s)
{
	size_t n = strlen(s), need;
	if (b->failed)
		return;
	if (colink_checked_add(&need, b->len, n) || colink_checked_add(&need, need, 1) ||
	    colink_grow(b->host->realloc, (void **)&b->p, &b->cap, need, 1)) {
		b->failed = 1;
		return;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static void sb_num(struct sbuf *b, int n)
{
	char tmp[16];
	snprintf(tmp, sizeof(tmp), "%d", n);
	sb_put(b, tmp);
}

/* An SQL identifier, double-quoted with embedded quotes doubled. */
static void sb_ident(struct sbuf *b, const char *name)
{
	char one[2] = { 0, 0 };
	sb_put(b, "\"");
	for (; *name; name++) {
		one[0] = *name;
		sb_put(b, *name == '"' ? "\"\"" : one);
	}
	sb_put(b, "\"");
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcasecmp(*list, s))
			return 1;
	return 0;
}

int osq_table_dest(const struct colink_field_def *f)
{
	size_t i;
	if ((f->flags & (COLINK_FIELD_IDENTIFIER | COLINK_FIELD_NOT_STORED)) ||
	    !f->table || !strcmp(f->table, "-"))
		return DEST_NEVER;
	for (i = 0; i < sizeof(table_names) / sizeof(table_names[0]); i++)
		if (!strcmp(f->table, table_names[i].name))
			return table_names[i].dest;
	return DEST_UNKNOWN;
}

const char *osq_wide_table(int dest)
{
	return DEST_IS_WIDE(dest) ? wides[WIDE_INDEX(dest)].table : NULL;
}

static int cat_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat_field *)a)->name,
		      ((const struct cat_field *)b)->name);
}

size_t osq_cat_find(const struct out_sqlite *o, const char *name)
{
	size_t lo = 0, hi = o->ncat;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, o->cat[mid].name);
		if (!c)
			return mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NOT_FOUND;
}

/* Copy one catalogue entry into o->cat[i]. */
static int cat_copy(struct out_sqlite *o, size_t i,
		    const struct colink_field_def *f, struct colink_error *err)
{
	struct cat_field *c = &o->cat[i];
	if (!f->name)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "catalogue entry %zu has no name", i + 1);
	c->dest = osq_table_dest(f);
	if (c->dest == DEST_UNKNOWN)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s names unknown warehouse table %s",
				  f->name, f->table);
	c->name = osq_strdup(o->host, f->name);
	if (!c->name)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (!DEST_IS_WIDE(c->dest))
		return COLINK_OK;
	if (!f->column || !*f->column || !strcmp(f->column, "-"))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s (table %s) names no column",
				  f->name, f->table);
	if (in_list(wides[WIDE_INDEX(c->dest)].reserved, f->column))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s claims column %s.%s, which out_sqlite fills itself",
				  f->name, f->table, f->column);
	c->column = osq_strdup(o->host, f->column);
	if (!c->column)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

/* Refuse two fields with one name or one column; number the parameters;
 * find the key column of each wide table. */
static int cat_check(struct out_sqlite *o, struct colink_error *err)
{
	size_t i, j;
	int next[NWIDE], w;
	for (w = 0; w < NWIDE; w++)
		next[w] = wides[w].nfixed;
	for (i = 0; i < o->ncat; i++) {
		struct cat_field *c = &o->cat[i];
		if (i && !strcmp(c->name, o->cat[i - 1].name))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "field %s appears twice in the catalogue", c->name);
		if (!c->column)
			continue;
		for (j = 0; j < i; j++)
			if (o->cat[j].dest == c->dest && o->cat[j].column &&
			    !strcasecmp(o->cat[j].column, c->column))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "fields %s and %s both fill column %s",
						  o->cat[j].name, c->name, c->column);
		w = WIDE_INDEX(c->dest);
		c->param = ++next[w];
		if (wides[w].key && !strcasecmp(c->column, wides[w].key))
			o->key_field[w] = i;
		if (wides[w].key2 && !strcasecmp(c->column, wides[w].key2))
			o->key2_field[w] = i;
	}
	return COLINK_OK;
}

/*
 * Person insert: ?1 person_id, ?2 key_id, ?3 birth_ym, ?4 run_id, ?5 side,
 * then the catalogue's person columns.  record.c runs it only for a
 * person its side lookup did not find, so it never conflicts.  A person
 * found is updated instead (build_person_update_sql).
 *
 * Not an upsert (INSERT ... ON CONFLICT DO UPDATE): SQLite gives an upsert
 * a statement journal, a copy of every page it changes, and once that
 * journal has outgrown 64 KiB it lives in a temporary file for the rest
 * of the run: at 100k persons 464,798 page copies (7.6 GB) written to it
 * (bench/RESULTS.md, round 8).  A plain insert needs none.
 */
static void build_person_sql(struct out_sqlite *o, struct sbuf *b)
{
	size_t i;
	sb_put(b, "INSERT INTO person (person_id, key_id, birth_ym, "
		  "first_run_id, last_run_id, side");
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == DEST_PERSON) {
			sb_put(b, ", ");
			sb_ident(b, o->cat[i].column);
		}
	sb_put(b, ") VALUES (?1, ?2, ?3, ?4, ?4, ?5");
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == DEST_PERSON) {
			sb_put(b, ", ?");
			sb_num(b, o->cat[i].param);
		}
	sb_put(b, ")");
}

/*
 * Person update, with the insert's parameters and the person's person_no
 * as the last one (osq_person_no_param): the first run is kept; later
 * values replace earlier ones only when not null.  The side of an
 * existing person never changes (record.c refuses a record of the other
 * side before it writes; the v1 -> v2 migration gave every person a
 * side), so the update leaves it, and the index person_side, alone.
 * With `run` it sets last_run_id to this run: a foreign key, which makes
 * SQLite journal the statement; record.c leaves it out for a person this
 * run has already written (last_run_id is this run already).
 */
static void build_person_update_sql(struct out_sqlite *o, struct sbuf *b, int run)
{
	size_t i;
	sb_put(b, "UPDATE person SET birth_ym = coalesce(?3, birth_ym)");
	if (run)
		sb_put(b, ", last_run_id = ?4");
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == DEST_PERSON) {
			sb_put(b, ", ");
			sb_ident(b, o->cat[i].column);
			sb_put(b, " = coalesce(?");
			sb_num(b, o->cat[i].param);
			sb_put(b, ", ");
			sb_ident(b, o->cat[i].column);
			sb_put(b, ")");
		}
	sb_put(b, " WHERE person_no = ?");
	sb_num(b, osq_person_no_param(o));
}

/* The person update's last parameter: person_no, after the insert's. */
int osq_person_no_param(const struct out_sqlite *o)
{
	return PERSON_FIXED_PARAMS + (int)(o->wstart[WIDE_INDEX(DEST_PERSON) + 1] -
					   o->wstart[WIDE_INDEX(DEST_PERSON)]) + 1;
}

/* Insert into a wide table other than person: the fixed columns of
 * wides[] as ?1..?nfixed, then the catalogue columns of that table. */
static void build_insert_sql(struct out_sqlite *o, int dest, struct sbuf *b)
{
	const struct wide *w = &wides[WIDE_INDEX(dest)];
	size_t i;
	int k;
	sb_put(b, "INSERT INTO ");
	sb_put(b, w->table);
	sb_put(b, " (");
	sb_put(b, w->fixed);
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == dest) {
			sb_put(b, ", ");
			sb_ident(b, o->cat[i].column);
		}
	sb_put(b, ") VALUES (?1");
	for (k = 2; k <= w->nfixed; k++) {
		sb_put(b, ", ?");
		sb_num(b, k);
	}
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == dest) {
			sb_put(b, ", ?");
			sb_num(b, o->cat[i].param);
		}
	sb_put(b, ")");
}

/* See out_sqlite_int.h. */
int osq_run_alloc(struct out_sqlite *o, const struct colink_run_info *run,
		  struct colink_error *err)
{
	const struct colink_host *h = o->host;
	size_t i, n = run->nfields;
	int rc, d, failed = 0;
	if (n && run->field_size < COLINK_SIZE_TO(struct colink_field_def, description))
		return COLINK_ERR(err, COLINK_EABI,
				  "catalogue entries %zu bytes apart; ABI %d.0 needs %zu",
				  run->field_size, COLINK_ABI_MAJOR,
				  COLINK_SIZE_TO(struct colink_field_def, description));
	if (n >= COLINK_NO_FIELD)
		return COLINK_ERR(err, COLINK_EINVAL, "catalogue of %zu fields is too large", n);
	o->run_id = osq_strdup(h, run->run_id);
	o->key_id = osq_strdup(h, run->key_id);
	o->cat = h->calloc(n ? n : 1, sizeof(*o->cat));
	o->slot = h->calloc(n ? n : 1, sizeof(*o->slot));
	/* wfield and by_run in one block: n <= UINT32_MAX, so 2n cannot overflow */
	o->wfield = h->calloc(n ? 2 * n : 1, sizeof(*o->wfield));
	if (!o->run_id || (run->key_id && !o->key_id) || !o->cat || !o->slot ||
	    !o->wfield)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	o->by_run = o->wfield + n;
	o->run_fields = run->fields;
	o->run_field_size = run->field_size;
	for (i = 0; i < n; i++) {
		o->ncat = i + 1; /* so run_close frees what was copied */
		rc = cat_copy(o, i, COLINK_AT(struct colink_field_def, run->fields,
					      run->field_size, i), err);
		if (rc)
			return rc;
		o->cat[i].src = i;
	}
	qsort(o->cat, o->ncat, sizeof(*o->cat), cat_cmp);
	rc = cat_check(o, err);
	if (rc)
		return rc;
	for (i = 0; i < o->ncat; i++)
		o->by_run[o->cat[i].src] = i;
	for (n = 0, d = DEST_PERSON; d <= DEST_LAST_WIDE; d++) {
		o->wstart[WIDE_INDEX(d)] = n;
		for (i = 0; i < o->ncat; i++)
			if (o->cat[i].dest == d)
				o->wfield[n++] = i;
	}
	o->wstart[NWIDE] = n;
	for (d = DEST_PERSON; d <= DEST_LAST_WIDE; d++) {
		struct sbuf b = { h, NULL, 0, 0, 0 };
		if (d == DEST_PERSON)
			build_person_sql(o, &b);
		else
			build_insert_sql(o, d, &b);
		o->built_sql[WIDE_INDEX(d)] = b.p; /* freed by run_close */
		failed |= b.failed;
	}
	for (d = 0; d < 2; d++) {
		struct sbuf b = { h, NULL, 0, 0, 0 };
		build_person_update_sql(o, &b, d);
		o->person_upd_sql[d] = b.p; /* freed by run_close */
		failed |= b.failed;
	}
	if (failed)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

/*
 * [-]digits[.digits] with at most 15 digits in all: the digits as an
 * integer m (< 2^53, so exact as a double) and the fraction's length k
 * (<= 15, so 10^k is exact too); m / 10^k is then the correctly rounded
 * quotient, the same double strtod returns (Clinger's fast path).  0 when
 * the text is not of that form (strtod reads it).
 */
static int decimal_fast(const char *s, double *out)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
				       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	int64_t m = 0;
	int neg = *s == '-', nd = 0, k = -1;
	double d;
	for (s += neg; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++nd > 15)
				return 0;
			m = m * 10 + (*s - '0');
			k += k >= 0;
		} else if (*s == '.' && k < 0 && nd) {
			k = 0;
		} else {
			return 0;
		}
	}
	if (!nd || !k) /* no digits, or none after the point */
		return 0;
	d = (double)m / p10[k < 0 ? 0 : k];
	*out = neg ? -d : d;
	return 1;
}

/*
 * Canonical decimal text -> double.  strtod follows LC_NUMERIC; colink's
 * canonical decimals use '.', which every locale the engine runs under
 * (C, ja_JP) shares.  -1 when the text is not wholly a number.  The
 * usual short decimal skips strtod (decimal_fast: ~1.5 % of a load's
 * instructions, bench/RESULTS.md round 9).
 */
int osq_decimal_num(const char *text, double *out)
{
	char *end;
	if (!text || !*text)
		return -1;
	if (decimal_fast(text, out))
		return 0;
	errno = 0;
	*out = strtod(text, &end);
	return (*end || errno == ERANGE) ? -1 : 0;
}
