/*
 * columns.c -- out_sqlite: which catalogue field fills which column.
 *
 * begin copies the run's catalogue (fields.tsv rows), sorted by name for
 * lookups, numbers the SQL parameter of every person/checkup column, and
 * builds the person upsert and the checkup insert once from it.  Column
 * names are quoted as SQL identifiers; out_sqlite.c checks afterwards that
 * the warehouse has every one of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "out_sqlite_int.h"

/* Columns the plugin fills itself: no catalogue field may claim them. */
static const char *const reserved_person[] = {
	"person_id", "key_id", "birth_ym", "first_run_id", "last_run_id", NULL
};
static const char *const reserved_checkup[] = {
	"checkup_id", "person_id", "fiscal_year", "age_at_exam", "age_fy_end",
	"run_id", "input_no", "record_no", "line_no", NULL
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
	size_t n = strlen(s), need, cap;
	char *np;
	if (b->failed)
		return;
	if (n > SIZE_MAX - b->len - 1) {
		b->failed = 1;
		return;
	}
	need = b->len + n + 1;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		np = b->host->realloc(b->p, cap);
		if (!np) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
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
	if ((f->flags & (COLINK_FIELD_IDENTIFIER | COLINK_FIELD_NOT_STORED)) ||
	    !f->table || !strcmp(f->table, "-"))
		return DEST_NEVER;
	if (!strcmp(f->table, "person"))
		return DEST_PERSON;
	if (!strcmp(f->table, "checkup"))
		return DEST_CHECKUP;
	if (!strcmp(f->table, "observation"))
		return DEST_OBSERVATION;
	if (!strcmp(f->table, "questionnaire"))
		return DEST_QUESTIONNAIRE;
	return DEST_UNKNOWN;
}

/* yyyymmdd -> "YYYY-MM-DD"; -1 when not a plausible date. */
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
	if (c->dest != DEST_PERSON && c->dest != DEST_CHECKUP)
		return COLINK_OK;
	if (!f->column || !*f->column || !strcmp(f->column, "-"))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s (table %s) names no column",
				  f->name, f->table);
	if (in_list(c->dest == DEST_PERSON ? reserved_person : reserved_checkup,
		    f->column))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s claims column %s.%s, which out_sqlite fills itself",
				  f->name, f->table, f->column);
	c->column = osq_strdup(o->host, f->column);
	if (!c->column)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

/* Refuse two fields with one name or one column; number the parameters. */
static int cat_check(struct out_sqlite *o, struct colink_error *err)
{
	size_t i, j;
	int pp = PERSON_FIXED_PARAMS, cp = CHECKUP_FIXED_PARAMS;
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
		c->param = c->dest == DEST_PERSON ? ++pp : ++cp;
		if (c->dest == DEST_CHECKUP && !strcasecmp(c->column, "exam_date"))
			o->exam_date = i;
	}
	return COLINK_OK;
}

/*
 * Person upsert: ?1 person_id, ?2 key_id, ?3 birth_ym, ?4 run_id, then the
 * catalogue's person columns.  The first run is kept; later values replace
 * earlier ones only when not null.
 */
static void build_person_sql(struct out_sqlite *o, struct sbuf *b)
{
	size_t i;
	sb_put(b, "INSERT INTO person (person_id, key_id, birth_ym, "
		  "first_run_id, last_run_id");
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == DEST_PERSON) {
			sb_put(b, ", ");
			sb_ident(b, o->cat[i].column);
		}
	sb_put(b, ") VALUES (?1, ?2, ?3, ?4, ?4");
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == DEST_PERSON) {
			sb_put(b, ", ?");
			sb_num(b, o->cat[i].param);
		}
	sb_put(b, ") ON CONFLICT (person_id) DO UPDATE SET "
		  "last_run_id = excluded.last_run_id, "
		  "birth_ym = coalesce(excluded.birth_ym, birth_ym)");
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == DEST_PERSON) {
			sb_put(b, ", ");
			sb_ident(b, o->cat[i].column);
			sb_put(b, " = coalesce(excluded.");
			sb_ident(b, o->cat[i].column);
			sb_put(b, ", ");
			sb_ident(b, o->cat[i].column);
			sb_put(b, ")");
		}
}

/* Checkup insert: ?1..?8 fixed (see below), then the catalogue columns. */
static void build_checkup_sql(struct out_sqlite *o, struct sbuf *b)
{
	size_t i;
	sb_put(b, "INSERT INTO checkup (person_id, fiscal_year, age_at_exam, "
		  "age_fy_end, run_id, input_no, record_no, line_no");
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == DEST_CHECKUP) {
			sb_put(b, ", ");
			sb_ident(b, o->cat[i].column);
		}
	sb_put(b, ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8");
	for (i = 0; i < o->ncat; i++)
		if (o->cat[i].dest == DEST_CHECKUP) {
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
	struct sbuf pb = { h, NULL, 0, 0, 0 }, cb = { h, NULL, 0, 0, 0 };
	size_t i, n = run->nfields;
	int rc;
	o->run_id = osq_strdup(h, run->run_id);
	o->key_id = osq_strdup(h, run->key_id);
	o->cat = h->calloc(n ? n : 1, sizeof(*o->cat));
	o->slot = h->calloc(n ? n : 1, sizeof(*o->slot));
	if (!o->run_id || (run->key_id && !o->key_id) || !o->cat || !o->slot)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		o->ncat = i + 1; /* so run_close frees what was copied */
		rc = cat_copy(o, i, &run->fields[i], err);
		if (rc)
			return rc;
	}
	qsort(o->cat, o->ncat, sizeof(*o->cat), cat_cmp);
	rc = cat_check(o, err);
	if (rc)
		return rc;
	build_person_sql(o, &pb);
	build_checkup_sql(o, &cb);
	o->person_sql = pb.p;
	o->checkup_sql = cb.p;
	if (pb.failed || cb.failed)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

