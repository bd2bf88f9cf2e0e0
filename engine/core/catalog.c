/* catalog.c -- see catalog.h */
#include "core/catalog.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

#define TSV_MAX_BYTES (4u << 20)
#define TSV_MAX_COLS 16

int colink_type_from_name(const char *s)
{
	if (!strcmp(s, "text")) return COLINK_T_TEXT;
	if (!strcmp(s, "int")) return COLINK_T_INT;
	if (!strcmp(s, "decimal")) return COLINK_T_DECIMAL;
	if (!strcmp(s, "date")) return COLINK_T_DATE;
	if (!strcmp(s, "code")) return COLINK_T_CODE;
	return -1;
}

const char *colink_type_name(int type)
{
	switch (type) {
	case COLINK_T_TEXT: return "text";
	case COLINK_T_INT: return "int";
	case COLINK_T_DECIMAL: return "decimal";
	case COLINK_T_DATE: return "date";
	case COLINK_T_CODE: return "code";
	case COLINK_T_PSEUDONYM: return "pseudonym";
	default: return "null";
	}
}

/* ---- a tiny TSV reader: calls `row` for each data line ---- */

typedef int (*row_fn)(void *ud, const char *file, int line, char **cols,
		      int ncols, struct colink_error *err);

static int tsv_each(const char *path, int want, row_fn row, void *ud,
		    struct colink_error *err)
{
	char *buf, *p, *cols[TSV_MAX_COLS];
	size_t len;
	int line = 0, rc;

	rc = colink_read_small_file(path, TSV_MAX_BYTES, &buf, &len, err);
	if (rc)
		return rc;
	for (p = buf; rc == COLINK_OK && p && *p;) {
		char *nl = strchr(p, '\n'), *q;
		int n = 0;
		if (nl)
			*nl = '\0';
		line++;
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*p && *p != '#') {
			for (q = p; n < TSV_MAX_COLS;) {
				char *t = strchr(q, '\t');
				cols[n++] = q;
				if (!t)
					break;
				*t = '\0';
				q = t + 1;
			}
			if (n < want)
				rc = COLINK_ERR(err, COLINK_EINVAL,
						"%s:%d: expected %d tab-separated columns, found %d",
						path, line, want, n);
			else
				rc = row(ud, path, line, cols, n, err);
		}
		p = nl ? nl + 1 : NULL;
	}
	colink_free(buf);
	return rc;
}

static char *dash_null(const char *s)
{
	return (!s[0] || !strcmp(s, "-")) ? NULL : colink_strdup(s);
}

/* Append one zeroed element (catalogues are small: realloc per row). */
static int grow(void **arr, size_t *n, size_t elem)
{
	size_t bytes;
	void *na;
	if (colink_size_mul(&bytes, *n + 1, elem))
		return -1;
	na = colink_realloc(*arr, bytes);
	if (!na)
		return -1;
	*arr = na;
	memset((char *)na + *n * elem, 0, elem);
	(*n)++;
	return 0;
}

/* ---- fields.tsv ---- */

static int field_row(void *ud, const char *file, int line, char **c, int n,
		     struct colink_error *err)
{
	struct colink_catalog *cat = ud;
	struct colink_field_def *f;
	int type = colink_type_from_name(c[3]);
	(void)n;
	if (type < 0)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown type '%s'", file, line, c[3]);
	if (colink_catalog_field(cat, c[0]))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field '%s' defined twice", file, line, c[0]);
	{
		size_t nf = cat->nfields, nn = cat->nfields;
		if (grow((void **)&cat->fields, &nf, sizeof(*cat->fields)) ||
		    grow((void **)&cat->field_normalize, &nn, sizeof(char *)))
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		cat->nfields = nf;
	}
	f = &cat->fields[cat->nfields - 1];
	f->name = colink_strdup(c[0]);
	f->table = colink_strdup(c[1]);
	f->column = dash_null(c[2]);
	f->type = type;
	f->unit = dash_null(c[4]);
	f->code_system = dash_null(c[5]);
	f->flags = 0;
	if (strstr(c[6], "id"))
		f->flags |= COLINK_FIELD_IDENTIFIER | COLINK_FIELD_NOT_STORED;
	if (strstr(c[6], "ns") || !strcmp(c[1], "-"))
		f->flags |= COLINK_FIELD_NOT_STORED;
	cat->field_normalize[cat->nfields - 1] = dash_null(c[7]);
	f->description = colink_strdup(c[8]);
	if (!f->name || !f->table || !f->description)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

/* ---- items.tsv ---- */

static int item_row(void *ud, const char *file, int line, char **c, int n,
		    struct colink_error *err)
{
	struct colink_catalog *cat = ud;
	struct colink_item *it;
	const struct colink_field_def *f = colink_catalog_field(cat, c[1]);
	(void)n;
	if (strlen(c[0]) != 17)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: item code '%s' is not 17 characters",
				  file, line, c[0]);
	if (!f)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown field '%s' (not in fields.tsv)",
				  file, line, c[1]);
	if (grow((void **)&cat->items, &cat->nitems, sizeof(*cat->items)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	it = &cat->items[cat->nitems - 1];
	it->code = colink_strdup(c[0]);
	it->field = f;
	it->method = dash_null(c[2]);
	it->value_type = colink_strdup(c[3]);
	it->unit = dash_null(c[4]);
	it->name = colink_strdup(c[5]);
	if (!it->code || !it->value_type || !it->name)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct colink_item *)a)->code,
		      ((const struct colink_item *)b)->code);
}

/* ---- keys.tsv ---- */

static int key_row(void *ud, const char *file, int line, char **c, int n,
		   struct colink_error *err)
{
	struct colink_catalog *cat = ud;
	struct colink_key_kind *k;
	char *p;
	size_t i = 0, np = 1;
	(void)n;
	for (p = c[1]; *p; p++)
		np += *p == ',';
	if (grow((void **)&cat->keys, &cat->nkeys, sizeof(*cat->keys)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	k = &cat->keys[cat->nkeys - 1];
	k->kind = colink_strdup(c[0]);
	k->description = colink_strdup(c[2]);
	k->parts = colink_calloc(np, sizeof(char *));
	k->optional = colink_calloc(np, sizeof(int));
	if (!k->kind || !k->description || !k->parts || !k->optional)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (p = c[1]; p; i++) {
		char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		if (l && p[l - 1] == '?') {
			k->optional[i] = 1;
			l--;
		}
		k->parts[i] = colink_strndup(p, l);
		k->nparts = i + 1;
		if (!k->parts[i])
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		if (!colink_catalog_field(cat, k->parts[i]))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: key part '%s' is not a field",
					  file, line, k->parts[i]);
		p = comma ? comma + 1 : NULL;
	}
	return COLINK_OK;
}

/* ---- codemaps.tsv (name from to note) ---- */

static int codemap_add(struct colink_codemap *m, const char *from, const char *to)
{
	char **nf, **nt;
	nf = colink_realloc(m->from, (m->n + 1) * sizeof(char *));
	if (!nf)
		return -1;
	m->from = nf;
	nt = colink_realloc(m->to, (m->n + 1) * sizeof(char *));
	if (!nt)
		return -1;
	m->to = nt;
	m->from[m->n] = colink_strdup(from);
	m->to[m->n] = colink_strdup(to);
	m->n++;
	return (m->from[m->n - 1] && m->to[m->n - 1]) ? 0 : -1;
}

static int codemap_row(void *ud, const char *file, int line, char **c, int n,
		       struct colink_error *err)
{
	struct colink_catalog *cat = ud;
	struct colink_codemap *m = (struct colink_codemap *)colink_catalog_codemap(cat, c[0]);
	(void)n;
	if (!m) {
		if (grow((void **)&cat->codemaps, &cat->ncodemaps, sizeof(*cat->codemaps)))
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		m = &cat->codemaps[cat->ncodemaps - 1];
		m->name = colink_strdup(c[0]);
		m->line = line;
		if (!m->name)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	if (colink_codemap_lookup(m, c[1]))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: code '%s' mapped twice in map '%s'",
				  file, line, c[1], c[0]);
	if (codemap_add(m, c[1], c[2]))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

int colink_catalog_load(struct colink_catalog **out, const char *data_dir,
			struct colink_error *err)
{
	static const struct { const char *file; int cols; row_fn fn; } parts[] = {
		{"common/fields.tsv", 9, field_row},
		{"common/items.tsv", 6, item_row},
		{"common/keys.tsv", 3, key_row},
		{"common/codemaps.tsv", 3, codemap_row},
	};
	struct colink_catalog *c = colink_calloc(1, sizeof(*c));
	size_t i;
	int rc = COLINK_OK;

	*out = NULL;
	if (!c || !(c->dir = colink_strdup(data_dir))) {
		colink_free(c);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory loading the catalogue");
	}
	for (i = 0; rc == COLINK_OK && i < sizeof(parts) / sizeof(parts[0]); i++) {
		char *p = colink_path_join(data_dir, parts[i].file);
		rc = p ? tsv_each(p, parts[i].cols, parts[i].fn, c, err)
		       : COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		colink_free(p);
	}
	if (rc) {
		colink_catalog_free(c);
		return rc;
	}
	if (c->nitems)
		qsort(c->items, c->nitems, sizeof(*c->items), item_cmp);
	*out = c;
	return COLINK_OK;
}

void colink_codemap_clear(struct colink_codemap *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		colink_free(m->from[i]);
		colink_free(m->to[i]);
	}
	colink_free(m->from);
	colink_free(m->to);
	colink_free(m->name);
}

void colink_catalog_free(struct colink_catalog *c)
{
	size_t i, j;
	if (!c)
		return;
	for (i = 0; i < c->nfields; i++) {
		struct colink_field_def *f = &c->fields[i];
		colink_free((char *)f->name);
		colink_free((char *)f->table);
		colink_free((char *)f->column);
		colink_free((char *)f->unit);
		colink_free((char *)f->code_system);
		colink_free((char *)f->description);
		colink_free(c->field_normalize[i]);
	}
	colink_free(c->fields);
	colink_free(c->field_normalize);
	for (i = 0; i < c->nitems; i++) {
		colink_free(c->items[i].code);
		colink_free(c->items[i].method);
		colink_free(c->items[i].value_type);
		colink_free(c->items[i].unit);
		colink_free(c->items[i].name);
	}
	colink_free(c->items);
	for (i = 0; i < c->nkeys; i++) {
		for (j = 0; j < c->keys[i].nparts; j++)
			colink_free(c->keys[i].parts[j]);
		colink_free(c->keys[i].parts);
		colink_free(c->keys[i].optional);
		colink_free(c->keys[i].kind);
		colink_free(c->keys[i].description);
	}
	colink_free(c->keys);
	for (i = 0; i < c->ncodemaps; i++)
		colink_codemap_clear(&c->codemaps[i]);
	colink_free(c->codemaps);
	colink_free(c->dir);
	colink_free(c);
}

const struct colink_field_def *colink_catalog_field(const struct colink_catalog *c,
						    const char *name)
{
	size_t i;
	for (i = 0; c && name && i < c->nfields; i++)
		if (!strcmp(c->fields[i].name, name))
			return &c->fields[i];
	return NULL;
}

size_t colink_catalog_field_index(const struct colink_catalog *c,
				  const struct colink_field_def *f)
{
	return (size_t)(f - c->fields);
}

const struct colink_item *colink_catalog_item(const struct colink_catalog *c,
					      const char *code)
{
	struct colink_item key;
	if (!c || !code || !c->nitems)
		return NULL;
	key.code = (char *)code;
	return bsearch(&key, c->items, c->nitems, sizeof(*c->items), item_cmp);
}

const struct colink_key_kind *colink_catalog_key(const struct colink_catalog *c,
						 const char *kind)
{
	size_t i;
	for (i = 0; c && kind && i < c->nkeys; i++)
		if (!strcmp(c->keys[i].kind, kind))
			return &c->keys[i];
	return NULL;
}

const struct colink_codemap *colink_catalog_codemap(const struct colink_catalog *c,
						    const char *name)
{
	size_t i;
	for (i = 0; c && name && i < c->ncodemaps; i++)
		if (!strcmp(c->codemaps[i].name, name))
			return &c->codemaps[i];
	return NULL;
}

const char *colink_codemap_lookup(const struct colink_codemap *m, const char *from)
{
	size_t i;
	for (i = 0; m && i < m->n; i++)
		if (!strcmp(m->from[i], from))
			return m->to[i];
	return NULL;
}
