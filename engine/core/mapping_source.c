/*
 * mapping_source.c -- where a field's value comes from when it is not
 * simply one column (#18): a value built from several columns
 * (<from column=.../>, join=), one cell split into several fields (split=,
 * part=), a target chosen by a flag column of the same record
 * (<choose column=...><when value=...>), and the null words of one field
 * (nulls=, null-reason=).  Every error is "FILE:LINE: ...".
 */
#include "core/mapping_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "base/xmlutil.h"
#include "core/form.h"
#include "core/value.h"

#define OOM(err) COLINK_ERR(err, COLINK_ENOMEM, "out of memory reading mapping")

/* A formatted, owned string; NULL when out of memory. */
static char *fmt(const char *f, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;
	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || !(s = colink_malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Split a blank-separated list into owned words; -1 out of memory. */
static int words(const char *s, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	while (s && *s) {
		const char *e;
		char **w;
		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		for (e = s; *e && !is_blank(*e); e++)
			;
		w = colink_mapping_append((void **)out, n, sizeof(char *));
		if (!w || !(*w = colink_strndup(s, (size_t)(e - s))))
			return -1;
		s = e;
	}
	return 0;
}

static void free_words(char **w, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		colink_free(w[i]);
	colink_free(w);
}

static int has_word(char *const *w, size_t n, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strlen(w[i]) == len && !memcmp(w[i], s, len))
			return 1;
	return 0;
}

int colink_map_field_nullword(const struct colink_map_field *f, const char *s, size_t len)
{
	return f && has_word(f->nullwords, f->nnullwords, s, len);
}

int colink_mapping_reads(const struct colink_mapping *m, const char *column)
{
	size_t i, k;
	for (i = 0; m && column && i < m->nfields; i++) {
		const struct colink_map_field *f = &m->fields[i];
		if (f->column && !strcmp(f->column, column))
			return 1;
		for (k = 0; k < f->nfrom; k++)
			if (!strcmp(f->from[k], column))
				return 1;
	}
	for (i = 0; m && column && i < m->nchooses; i++)
		if (!strcmp(m->chooses[i].column, column))
			return 1;
	return 0;
}

/* ---- <from column=.../> parts and join= ---- */

static int read_from(struct colink_mapping *m, struct colink_map_field *f, xmlNodePtr n,
		     struct colink_error *err)
{
	xmlNodePtr c;
	char *join = colink_xml_attr(n, "join");
	size_t k;
	for (c = n->children; c; c = c->next) {
		char *col, **slot;
		if (!colink_xml_is(c, "from"))
			continue;
		if (!(col = colink_xml_attr(c, "column")))
			return colink_free(join), OOM(err);
		for (k = 0; k < f->nfrom; k++)
			if (!strcmp(f->from[k], col)) {
				colink_free(join);
				COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s reads column \"%s\" twice",
					   m->path, colink_xml_line(c), f->field->name, col);
				colink_free(col);
				return COLINK_EINVAL;
			}
		if (!(slot = colink_mapping_append((void **)&f->from, &f->nfrom, sizeof(char *)))) {
			colink_free(col);
			colink_free(join);
			return OOM(err);
		}
		*slot = col;
	}
	if (f->nfrom == 1 || (join && !f->nfrom)) {
		colink_free(join);
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: field %s: %s", m->path, f->line, f->field->name,
				  f->nfrom ? "a value built from columns needs two <from> or more "
					     "(one column is column=)"
					   : "join= applies to a value built from <from> columns");
	}
	if (f->nfrom && !join && !(join = colink_strdup("-")))
		return OOM(err);
	f->join = join;
	return COLINK_OK;
}

/* ---- split= and part= ---- */

static int read_split(struct colink_mapping *m, struct colink_map_field *f, xmlNodePtr n,
		      struct colink_error *err)
{
	char *split = colink_xml_attr(n, "split"), *part = colink_xml_attr(n, "part");
	char **w = NULL;
	size_t nw = 0;
	int rc = COLINK_OK;
	if (!split && !part)
		return COLINK_OK;
	if (!split || !part)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s: split= and part= go together "
				"(split=\"-\" part=\"2\": the second piece of the cell cut at \"-\")",
				m->path, f->line, f->field->name);
	else if (f->nfrom)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s: split= cuts one column=, not <from> parts",
				m->path, f->line, f->field->name);
	else if (words(split, &w, &nw))
		rc = OOM(err);
	else if (!nw)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s: split= names no separator",
				m->path, f->line, f->field->name);
	else if ((f->part = (unsigned)strtoul(part, NULL, 10)) < 1 || f->part > 16)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s: part= is 1 to 16",
				m->path, f->line, f->field->name);
	free_words(w, nw);
	colink_free(part);
	if (rc)
		colink_free(split);
	else
		f->split = split;
	return rc;
}

/* ---- nulls= and null-reason= ---- */

static int read_nullwords(struct colink_mapping *m, struct colink_map_field *f, xmlNodePtr n,
			  struct colink_error *err)
{
	char *nulls = colink_xml_attr(n, "nulls"), *reason = colink_xml_attr(n, "null-reason");
	const char *ph = colink_form_placeholders(f->form);
	char **phw = NULL;
	size_t nph = 0, i;
	int rc = COLINK_OK;
	f->null_reason = COLINK_NULL_MISSING;
	if (reason && !nulls)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s: null-reason= without nulls=",
				m->path, f->line, f->field->name);
	else if (reason && colink_null_from_name(reason) < 0)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s: unknown null-reason '%s'",
				m->path, f->line, f->field->name, reason);
	else if (nulls && (words(nulls, &f->nullwords, &f->nnullwords) || words(ph, &phw, &nph)))
		rc = OOM(err);
	else if (nulls && !f->nnullwords)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s: nulls= names no word",
				m->path, f->line, f->field->name);
	if (reason && rc == COLINK_OK)
		f->null_reason = colink_null_from_name(reason);
	for (i = 0; rc == COLINK_OK && i < f->nnullwords; i++)
		if (has_word(phw, nph, f->nullwords[i], strlen(f->nullwords[i])))
			rc = COLINK_ERR(err, COLINK_EINVAL,
					"%s:%d: field %s: \"%s\" is both a null word (a null) and a "
					"placeholder (a reject)", m->path, f->line, f->field->name,
					f->nullwords[i]);
		else if (has_word(f->nullwords, i, f->nullwords[i], strlen(f->nullwords[i])))
			rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s: null word \"%s\" given twice",
					m->path, f->line, f->field->name, f->nullwords[i]);
	free_words(phw, nph);
	colink_free(nulls);
	colink_free(reason);
	return rc;
}

/* The source as a reader says it: "年+月", "記号番号 part 2". */
static int make_label(struct colink_map_field *f)
{
	size_t k;
	if (f->nfrom) {
		char *s = colink_strdup(f->from[0]);
		for (k = 1; s && k < f->nfrom; k++) {
			char *t = fmt("%s+%s", s, f->from[k]);
			colink_free(s);
			s = t;
		}
		f->label = s;
	} else if (f->split) {
		if (f->column)
			f->label = fmt("%s part %u", f->column, f->part);
		else
			f->label = fmt("#%u part %u", (unsigned)f->position, f->part);
	} else {
		return 0;
	}
	return f->label ? 0 : -1;
}

int colink_mapping_field_sources(struct colink_mapping *m, struct colink_map_field *f,
				 xmlNodePtr n, struct colink_error *err)
{
	int rc;
	if (!f->column && !f->position && !xmlHasProp(n, (const xmlChar *)"column")) {
		if ((rc = read_from(m, f, n, err)))
			return rc;
		if (!f->nfrom) /* the schema requires column=, position= or <from> */
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s names no source",
					  m->path, f->line, f->field->name);
	} else if ((rc = read_from(m, f, n, err))) {
		return rc;
	}
	if ((rc = read_split(m, f, n, err)) || (rc = read_nullwords(m, f, n, err)))
		return rc;
	return make_label(f) ? OOM(err) : COLINK_OK;
}

/* ---- <choose column=...> ---- */

static int add_values(struct colink_mapping *m, struct colink_map_choose *ch, xmlNodePtr w,
		      char ***vals, size_t *nvals, struct colink_error *err)
{
	char *v = colink_xml_attr(w, "value");
	size_t i, k;
	int line = colink_xml_line(w);
	if (!v || words(v, vals, nvals))
		return colink_free(v), OOM(err);
	colink_free(v);
	if (!*nvals)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: <when> names no value of column \"%s\"",
				  m->path, line, ch->column);
	for (i = 0; i < *nvals; i++) {
		const char *x = (*vals)[i];
		char **slot;
		int *ln;
		for (k = 0; k < ch->nvalues; k++)
			if (!strcmp(ch->values[k], x))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s:%d: value \"%s\" of column \"%s\" is in two <when> "
						  "(first at line %d)", m->path, line, x, ch->column,
						  ch->value_line[k]);
		slot = colink_mapping_append((void **)&ch->values, &ch->nvalues, sizeof(char *));
		if (!slot)
			return OOM(err);
		ch->nvalues--;
		ln = colink_mapping_append((void **)&ch->value_line, &ch->nvalues, sizeof(int));
		if (!ln || !(*slot = colink_strdup(x))) {
			if (ln)
				ch->nvalues--;
			return OOM(err);
		}
		*ln = line;
	}
	return COLINK_OK;
}

/* The field just read becomes conditional on choose `ci`, values vals. */
static int make_conditional(struct colink_mapping *m, size_t ci, char *const *vals, size_t nv,
			    struct colink_error *err)
{
	struct colink_map_field *f = &m->fields[m->nfields - 1];
	const struct colink_map_choose *ch = &m->chooses[ci];
	const char *base = f->label ? f->label : f->column;
	char *list, *label;
	size_t i;
	if (f->field->flags & COLINK_FIELD_IDENTIFIER)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: identifier %s cannot depend on column \"%s\" (a person "
				  "key must not change with a flag)", m->path, f->line,
				  f->field->name, ch->column);
	f->choose = ci + 1;
	if (!(f->when_column = colink_strdup(ch->column)) || !(list = colink_strdup("")))
		return OOM(err);
	for (i = 0; i < nv && list; i++) {
		char **w = colink_mapping_append((void **)&f->when, &f->nwhen, sizeof(char *));
		char *t = fmt("%s%s%s", list, i ? ", " : "", vals[i]);
		colink_free(list);
		list = t;
		if (!w || !(*w = colink_strdup(vals[i]))) {
			colink_free(list);
			return OOM(err);
		}
	}
	if (!list)
		return OOM(err);
	if (base)
		label = fmt("%s (when %s is %s)", base, ch->column, list);
	else
		label = fmt("#%u (when %s is %s)", (unsigned)f->position, ch->column, list);
	colink_free(list);
	if (!label)
		return OOM(err);
	colink_free(f->label);
	f->label = label;
	return COLINK_OK;
}

int colink_mapping_read_choose(struct colink_mapping *m, xmlNodePtr n,
			       const struct colink_catalog *cat,
			       const struct colink_variant_table *vt,
			       struct colink_error *err)
{
	struct colink_map_choose *ch;
	xmlNodePtr w, c;
	size_t ci, i;
	char *col = colink_xml_attr(n, "column");
	int rc = COLINK_OK;
	if (!col)
		return OOM(err);
	for (i = 0; i < m->nchooses; i++)
		if (!strcmp(m->chooses[i].column, col)) {
			COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a second <choose> on column \"%s\" "
				   "(first at line %d): put every <when> in one",
				   m->path, colink_xml_line(n), col, m->chooses[i].line);
			colink_free(col);
			return COLINK_EINVAL;
		}
	if (!(ch = colink_mapping_append((void **)&m->chooses, &m->nchooses, sizeof(*ch)))) {
		colink_free(col);
		return OOM(err);
	}
	ch->column = col;
	ch->line = colink_xml_line(n);
	ci = m->nchooses - 1;
	for (w = n->children; rc == COLINK_OK && w; w = w->next) {
		char **vals = NULL;
		size_t nv = 0;
		if (!colink_xml_is(w, "when"))
			continue;
		rc = add_values(m, &m->chooses[ci], w, &vals, &nv, err);
		for (c = w->children; rc == COLINK_OK && c; c = c->next) {
			if (!colink_xml_is(c, "field"))
				continue;
			if (xmlHasProp(c, (const xmlChar *)"todo"))
				rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a field still marked TODO",
						m->path, colink_xml_line(c));
			else if (!(rc = colink_mapping_read_field(m, c, cat, vt, err)))
				rc = make_conditional(m, ci, vals, nv, err);
		}
		free_words(vals, nv);
	}
	if (rc == COLINK_OK && !m->chooses[ci].nvalues)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: <choose> on column \"%s\" has no <when>",
				m->path, m->chooses[ci].line, m->chooses[ci].column);
	return rc;
}

/* ---- checks that need every field ---- */

static int same_source(const struct colink_map_field *a, const struct colink_map_field *b)
{
	if (a->column || b->column)
		return a->column && b->column && !strcmp(a->column, b->column);
	return a->position && a->position == b->position;
}

static int check_splits(struct colink_mapping *m, struct colink_error *err)
{
	size_t i, k;
	for (i = 0; i < m->nfields; i++) {
		struct colink_map_field *f = &m->fields[i];
		if (!f->split)
			continue;
		f->nparts = f->part;
		for (k = 0; k < m->nfields; k++) {
			const struct colink_map_field *g = &m->fields[k];
			if (k == i || !g->split || !same_source(f, g))
				continue;
			if (strcmp(f->split, g->split))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s:%d: field %s cuts its cell at \"%s\", field %s (line %d) "
						  "at \"%s\": one cell has one set of separators",
						  m->path, f->line, f->field->name, f->split,
						  g->field->name, g->line, g->split);
			if (g->part == f->part && k < i && g->choose == f->choose && !f->choose)
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s:%d: part %u of the cell is read by field %s too (line %d)",
						  m->path, f->line, f->part, g->field->name, g->line);
			if (g->part > f->nparts)
				f->nparts = g->part;
		}
	}
	return COLINK_OK;
}

static int check_read_ignored(struct colink_mapping *m, struct colink_error *err)
{
	size_t i, k, j;
	for (i = 0; i < m->nignored; i++) {
		const char *col = m->ignored[i].column;
		for (k = 0; k < m->nfields; k++)
			for (j = 0; j < m->fields[k].nfrom; j++)
				if (!strcmp(m->fields[k].from[j], col))
					return COLINK_ERR(err, COLINK_EINVAL,
							  "%s:%d: column \"%s\" is both ignored and read "
							  "(field %s, line %d)", m->path, m->ignored[i].line,
							  col, m->fields[k].field->name, m->fields[k].line);
		for (k = 0; k < m->nchooses; k++)
			if (!strcmp(m->chooses[k].column, col))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s:%d: column \"%s\" is both ignored and the flag of the "
						  "<choose> at line %d", m->path, m->ignored[i].line, col,
						  m->chooses[k].line);
	}
	return COLINK_OK;
}

int colink_mapping_check_sources(struct colink_mapping *m, struct colink_error *err)
{
	size_t i, j;
	int rc = check_splits(m, err);
	if (rc == COLINK_OK)
		rc = check_read_ignored(m, err);
	if (rc == COLINK_OK)
		rc = colink_mapping_byte_layout(m, err);
	for (i = 0; rc == COLINK_OK && i < m->nfields; i++) {
		const struct colink_map_field *f = &m->fields[i];
		const struct colink_map_choose *ch = f->choose ? &m->chooses[f->choose - 1] : NULL;
		if (!ch)
			continue;
		if (f->column && !strcmp(f->column, ch->column))
			rc = COLINK_ERR(err, COLINK_EINVAL,
					"%s:%d: field %s reads column \"%s\", the flag that chooses it",
					m->path, f->line, f->field->name, ch->column);
		for (j = 0; rc == COLINK_OK && j < f->nfrom; j++)
			if (!strcmp(f->from[j], ch->column))
				rc = COLINK_ERR(err, COLINK_EINVAL,
						"%s:%d: field %s reads column \"%s\", the flag that chooses it",
						m->path, f->line, f->field->name, ch->column);
	}
	return rc;
}

void colink_mapping_free_field_sources(struct colink_map_field *f)
{
	free_words(f->from, f->nfrom);
	free_words(f->when, f->nwhen);
	free_words(f->nullwords, f->nnullwords);
	colink_free(f->join);
	colink_free(f->split);
	colink_free(f->when_column);
	colink_free(f->label);
}

void colink_mapping_free_chooses(struct colink_mapping *m)
{
	size_t i;
	for (i = 0; i < m->nchooses; i++) {
		free_words(m->chooses[i].values, m->chooses[i].nvalues);
		colink_free(m->chooses[i].value_line);
		colink_free(m->chooses[i].column);
	}
	colink_free(m->chooses);
}
