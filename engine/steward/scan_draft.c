/*
 * scan_draft.c -- target suggestions for a scanned file, and its draft
 * mapping (see scan.h).
 *
 * A header name is compared with every name the catalogue knows, in
 * every spelling scan_match.c derives from it (NFKC, case, punctuation,
 * units, legends, brackets, item numbers).  Names carry
 * a strength: 3 synonyms.tsv, 2 the field's own name, its whole fields.tsv
 * description or a whole items.tsv name, 1 the same texts cut at their
 * first space or parenthesis.  The strongest level wins; one field there
 * is a suggestion, several are a <todo> for the steward.  A suggestion
 * still needs the values to agree (numbers for a number, a date format for
 * a date, a code map that covers every code), else it carries todo=.
 */
#include "steward/scan_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/text.h"
#include "identity/identity.h"
#include "core/mapping.h"
#include "base/util.h"
#include "core/value.h"

static int add_name(struct colink_scan_vocab *v, const char *text, size_t len,
		    const struct colink_field_def *f, int level, int weak)
{
	char key[KEY_MAX];
	struct name *nn;
	scan_key_of(v, text, len, key);
	if (!key[0])
		return 0;
	nn = colink_realloc(v->names, (v->nnames + 1) * sizeof(*nn));
	if (!nn)
		return -1;
	v->names = nn;
	nn = &v->names[v->nnames];
	if (!(nn->key = colink_strdup(key)))
		return -1;
	nn->field = f;
	nn->level = level;
	nn->weak = weak;
	v->nnames++;
	return 0;
}

/* The text whole (level 2) and cut at its first space or '(' (level 1). */
static int add_text(struct colink_scan_vocab *v, const char *t, const struct colink_field_def *f)
{
	size_t cut = strcspn(t, " (\xEF"); /* \xEF: （ and other full-width forms */
	if (!t || !*t)
		return 0;
	if (add_name(v, t, strlen(t), f, 2, 0))
		return -1;
	/* a one-letter cut ("A" of "A 仕事のストレス要因") names nothing */
	return cut > 1 && cut < strlen(t) ? add_name(v, t, cut, f, 1, 0) : 0;
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */
/* ------------------------------------------------------------------ */

/* `unit - TEXT` and `kind KIND TEXT` rows. */
static int vocab_row(struct colink_scan_vocab *v, char **c, const char *path, int line,
		     struct colink_error *err)
{
	char key[KEY_MAX];
	size_t i;
	scan_key_of(v, c[2], strlen(c[2]), key);
	if (!key[0])
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: an empty %s", path, line, c[0]);
	if (!strcmp(c[0], "unit")) {
		if (strcmp(c[1], "-"))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a unit row has field \"-\"", path, line);
		if (v->nunits >= SCAN_MAX_UNITS)
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: more than %d units", path, line,
					  SCAN_MAX_UNITS);
		if (!(v->unit[v->nunits] = scan_nfkc(v, c[2])) ||
		    !(v->unitkey[v->nunits] = colink_strdup(key))) {
			colink_free(v->unit[v->nunits]);
			v->unit[v->nunits] = NULL;
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		}
		v->nunits++;
		return COLINK_OK;
	}
	for (i = 0; i < SCAN_NKINDS && strcmp(colink_scan_kinds[i], c[1]); i++)
		;
	if (i == SCAN_NKINDS)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown kind of file '%s'", path, line, c[1]);
	{
		struct kindword *k = colink_realloc(v->kindwords, (v->nkindwords + 1) * sizeof(*k));
		if (!k)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		v->kindwords = k;
		if (!(k[v->nkindwords].key = colink_strdup(key)))
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		k[v->nkindwords++].kind = colink_scan_kinds[i];
	}
	return COLINK_OK;
}

static int syn_row(struct colink_scan_vocab *v, char **c, const char *path, int line,
		   struct colink_error *err)
{
	const struct colink_field_def *f = NULL;
	if (!strcmp(c[0], "null")) {
		if (v->nnull >= COLINK_SCAN_MAX_NULLWORDS)
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: more than %d null words",
					  path, line, COLINK_SCAN_MAX_NULLWORDS);
		if (strcmp(c[1], "not-performed") && strcmp(c[1], "unmeasurable") && strcmp(c[1], "missing"))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown null reason '%s'", path, line, c[1]);
		v->nullword[v->nnull] = colink_strdup(c[2]);
		v->nullreason[v->nnull] = colink_strdup(c[1]);
		if (!v->nullword[v->nnull] || !v->nullreason[v->nnull]) {
			/* not counted yet: the vocabulary's free would miss them */
			colink_free(v->nullword[v->nnull]);
			colink_free(v->nullreason[v->nnull]);
			v->nullword[v->nnull] = v->nullreason[v->nnull] = NULL;
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		}
		v->nnull++;
		return COLINK_OK;
	}
	if (!strcmp(c[0], "identifier")) {
		char key[KEY_MAX], **nw;
		scan_key_of(v, c[2], strlen(c[2]), key);
		if (!key[0] || strcmp(c[1], "-"))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: an identifier row has field \"-\" and a header name",
					  path, line);
		nw = colink_realloc(v->idwords, (v->nidwords + 1) * sizeof(*nw));
		if (!nw)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		v->idwords = nw;
		if (!(nw[v->nidwords] = colink_strdup(key)))
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		v->nidwords++;
		return COLINK_OK;
	}
	if (!strcmp(c[0], "unit") || !strcmp(c[0], "kind"))
		return vocab_row(v, c, path, line, err);
	if (!(f = colink_catalog_field(v->cat, c[1])))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown field '%s' (not in fields.tsv)",
				  path, line, c[1]);
	if (!strcmp(c[0], "header") || !strcmp(c[0], "header?")) {
		if (add_name(v, c[2], strlen(c[2]), f, 3, c[0][6] == '?'))
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	} else if (!strcmp(c[0], "codemap")) {
		struct hint *h;
		if (!colink_catalog_codemap(v->cat, c[2]))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: codemap '%s' is not in codemaps.tsv",
					  path, line, c[2]);
		h = colink_realloc(v->hints, (v->nhints + 1) * sizeof(*h));
		if (!h)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		v->hints = h;
		h[v->nhints].field = f;
		if (!(h[v->nhints].map = colink_strdup(c[2])))
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		v->nhints++;
	} else {
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown kind '%s' (header, header?, codemap, null, identifier, unit, kind)",
				  path, line, c[0]);
	}
	return COLINK_OK;
}

static int load_synonyms(struct colink_scan_vocab *v, const char *path, struct colink_error *err)
{
	char *buf, *p;
	size_t len;
	int line = 0, rc = colink_read_small_file(path, 1u << 20, &buf, &len, err);
	if (rc)
		return rc;
	for (p = buf; rc == COLINK_OK && p && *p;) {
		char *nl = strchr(p, '\n'), *c[4] = {0};
		int n = 0;
		if (nl)
			*nl = '\0';
		line++;
		if (*p && *p != '#') {
			char *q = p;
			while (n < 4) {
				char *t = strchr(q, '\t');
				c[n++] = q;
				if (!t)
					break;
				*t = '\0';
				q = t + 1;
			}
			if (n < 3)
				rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: expected kind, field and text",
						path, line);
			else
				rc = syn_row(v, c, path, line, err);
		}
		p = nl ? nl + 1 : NULL;
	}
	colink_free(buf);
	return rc;
}

int colink_scan_vocab_load(struct colink_scan_vocab **out, const char *data_dir,
			   const struct colink_catalog *cat, struct colink_error *err)
{
	struct colink_scan_vocab *v = colink_calloc(1, sizeof(*v));
	char *path = colink_path_join(data_dir, "common/synonyms.tsv");
	size_t i;
	int rc;
	*out = NULL;
	if (!v || !path) {
		colink_free(v);
		colink_free(path);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	v->cat = cat;
	rc = colink_normalizer_new(&v->norm, "nfkc", NULL, err);
	if (!rc)
		rc = load_synonyms(v, path, err);
	for (i = 0; !rc && i < cat->nfields; i++) {
		const struct colink_field_def *f = &cat->fields[i];
		if (add_name(v, f->name, strlen(f->name), f, 2, 0) ||
		    (f->description && add_text(v, f->description, f)))
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	for (i = 0; !rc && i < cat->nitems; i++)
		if (cat->items[i].name && add_text(v, cat->items[i].name, cat->items[i].field))
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	colink_free(path);
	if (rc) {
		colink_scan_vocab_free(v);
		return rc;
	}
	*out = v;
	return COLINK_OK;
}

void colink_scan_vocab_free(struct colink_scan_vocab *v)
{
	size_t i;
	if (!v)
		return;
	for (i = 0; i < v->nnames; i++)
		colink_free(v->names[i].key);
	colink_free(v->names);
	for (i = 0; i < v->nhints; i++)
		colink_free(v->hints[i].map);
	colink_free(v->hints);
	for (i = 0; i < v->nnull; i++) {
		colink_free(v->nullword[i]);
		colink_free(v->nullreason[i]);
	}
	for (i = 0; i < v->nidwords; i++)
		colink_free(v->idwords[i]);
	colink_free(v->idwords);
	for (i = 0; i < v->nunits; i++) {
		colink_free(v->unit[i]);
		colink_free(v->unitkey[i]);
	}
	for (i = 0; i < v->nkindwords; i++)
		colink_free(v->kindwords[i].key);
	colink_free(v->kindwords);
	colink_normalizer_free(v->norm);
	colink_free(v);
}

const char *const *colink_scan_vocab_nullwords(const struct colink_scan_vocab *v, size_t *n)
{
	*n = v->nnull;
	return (const char *const *)v->nullword;
}

const char *colink_scan_vocab_null_reason(const struct colink_scan_vocab *v, size_t i)
{
	return i < v->nnull ? v->nullreason[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Suggestions                                                          */
/* ------------------------------------------------------------------ */

static const char *hint_map(const struct colink_scan_vocab *v, const struct colink_field_def *f)
{
	size_t i;
	for (i = 0; i < v->nhints; i++)
		if (v->hints[i].field == f)
			return v->hints[i].map;
	return NULL;
}

static int is_nullword(const struct colink_scan_vocab *v, const char *t)
{
	size_t i;
	for (i = 0; i < v->nnull; i++)
		if (!strcmp(v->nullword[i], t))
			return 1;
	return 0;
}

/* 1 when the shared map covers every distinct value of the column. */
static int map_covers(const struct colink_scan_vocab *v, const struct colink_scan_column *c,
		      const char *map)
{
	const struct colink_codemap *m = colink_catalog_codemap(v->cat, map);
	size_t i, slots;
	if (!m || c->overflow)
		return 0;
	for (slots = 1; slots < 2 * c->cap; slots <<= 1)
		;
	for (i = 0; c->tab && i < slots; i++) {
		const struct colink_scan_value *e = &c->tab[i];
		if (!e->count)
			continue;
		if (!e->text || (!is_nullword(v, e->text) && !colink_codemap_lookup(m, e->text)))
			return 0;
	}
	return 1;
}

/* A duration field: h:mm when the values are, else minutes to confirm
 * (a decimal could be hours). */
static const char *duration(struct colink_scan_column *c)
{
	uint64_t v = c->values - c->nullwords;
	if (v && c->n_hmm * 10 >= v * 9) {
		c->dur_format = "h:mm";
		return NULL;
	}
	if (c->type == COLINK_SCAN_INTEGER || c->type == COLINK_SCAN_CODE) {
		c->dur_format = "minutes";
		return "confirm: whole numbers read as minutes (hours would be format=\"hours\")";
	}
	if (c->type == COLINK_SCAN_DECIMAL) {
		c->dur_format = "hours";
		return "confirm: decimals read as hours (minutes would be format=\"minutes\")";
	}
	return c->type == COLINK_SCAN_EMPTY ? "no values: choose format= minutes, hours or h:mm"
					    : "the values are not durations";
}

/* Do the values agree with the field's type?  NULL when they do, else why. */
static const char *type_conflict(const struct colink_scan_vocab *v, struct colink_scan_column *c,
				 const struct colink_field_def *f)
{
	const char *map;
	switch (f->type) {
	case COLINK_T_DATE:
		if (c->type == COLINK_SCAN_EMPTY)
			return "no values: choose the date format";
		return c->type == COLINK_SCAN_DATE ? NULL : "the values are not dates";
	case COLINK_T_INT:
	case COLINK_T_DECIMAL:
		if (f->unit && !strcmp(f->unit, "min")) /* a duration: minutes in the warehouse */
			return duration(c);
		if (c->type == COLINK_SCAN_EMPTY || c->type == COLINK_SCAN_INTEGER ||
		    c->type == COLINK_SCAN_DECIMAL ||
		    (c->type == COLINK_SCAN_CODE && c->n_number == c->values - c->nullwords))
			return NULL;
		return "the values are not numbers";
	case COLINK_T_CODE:
		map = hint_map(v, f);
		if (!map)
			return NULL;
		if (map_covers(v, c, map)) {
			c->codemap = map;
			return NULL;
		}
		return "the shared code map does not cover every value: add a <codemap>";
	default:
		return NULL;
	}
}

int colink_scan_header_is_identifier(const struct colink_scan_vocab *v, const char *header,
				     const char **field)
{
	const struct colink_field_def *cand[16];
	const struct colink_item *it;
	size_t n = 0, i;
	int weak, partial;
	*field = NULL;
	if (!header || !*header)
		return 0;
	if ((it = colink_catalog_item(v->cat, header)) && it->field &&
	    (it->field->flags & COLINK_FIELD_IDENTIFIER)) {
		*field = it->field->name;
		return 1;
	}
	scan_level_of(v, header, cand, sizeof(cand) / sizeof(cand[0]), &n, &weak, &partial);
	for (i = 0; i < n; i++)
		if (cand[i]->flags & COLINK_FIELD_IDENTIFIER) {
			*field = cand[i]->name;
			return 1;
		}
	return scan_is_idword(v, header);
}

/* Identifier-like: an identifier target, a header that names one, or
 * values shaped like an identifier's (scan_shape.c). */
static int is_identifier(const struct colink_scan_vocab *v, const struct colink_scan_column *c,
			 uint64_t persons)
{
	size_t i;
	int id = 0;
	if (c->field && (c->field->flags & COLINK_FIELD_IDENTIFIER))
		return 1;
	for (i = 0; i < c->ncand; i++)
		id |= (c->cand[i]->flags & COLINK_FIELD_IDENTIFIER) != 0;
	if (id || scan_is_idword(v, c->header))
		return 1; /* an identifier colink has no field for, too */
	return scan_shape_is_identifier(c, persons);
}

int colink_scan_column_is_identifier(const struct colink_scan_vocab *v,
				     const struct colink_scan_column *c)
{
	return is_identifier(v, c, 0);
}

static void suggest_column(struct colink_scan *s, const struct colink_scan_vocab *v,
			   struct colink_scan_column *c)
{
	size_t i, n = 0;
	int weak = 0, level = 0, partial = 0;
	const struct colink_field_def *cand[4];
	if (c->header)
		level = scan_level_of(v, c->header, cand, 4, &n, &weak, &partial);
	for (i = 0; n == 1 && i < (size_t)(c - s->cols); i++)
		if (s->cols[i].field == cand[0] && !s->cols[i].ncand)
			level = 0; /* an earlier column has it: the steward decides */
	if (n == 1 && level > 0) {
		c->field = cand[0];
		c->todo = type_conflict(v, c, c->field);
		if (!c->todo && weak)
			c->todo = "confirm: this header name does not always mean this field";
		else if (!c->todo && (level == 1 || partial))
			c->todo = "confirm: suggested from a partial name";
	} else {
		memcpy(c->cand, cand, n * sizeof(cand[0]));
		c->ncand = n;
	}
}

/*
 * The kind of records: the kind most column names say (their field's
 * table, or a synonyms.tsv `kind` word such as 点数 for claims); ties go
 * to the earlier of colink_scan_kinds, checkup first.
 */
static void kind_of(struct colink_scan *s, const struct colink_scan_vocab *v)
{
	size_t votes[SCAN_NKINDS] = {0}, i, k, best = 0;
	s->kind_named = 0;
	for (i = 0; i < s->ncols; i++) {
		const char *kind = scan_kind_of_field(s->cols[i].field);
		if (!kind && !s->cols[i].field)
			kind = scan_kind_word(v, s->cols[i].header);
		for (k = 0; kind && k < SCAN_NKINDS; k++)
			if (!strcmp(kind, colink_scan_kinds[k]))
				votes[k]++, s->kind_named++;
	}
	for (k = 1; k < SCAN_NKINDS; k++)
		if (votes[k] > votes[best])
			best = k;
	s->kind = colink_scan_kinds[best];
	s->kind_votes = votes[best];
	s->primary_key = !strcmp(s->kind, "checkup") || !strcmp(s->kind, "claims") ||
			 !strcmp(s->kind, "allowance") ? "card" : "employee";
}

/* 1 when field f belongs to records of this kind. */
static int fits_kind(const struct colink_field_def *f, const char *kind)
{
	const char *t = f->table, *k;
	if (!strcmp(t, "-"))
		return 1; /* identifiers */
	if (!strcmp(kind, "checkup"))
		return !strcmp(t, "checkup") || !strcmp(t, "observation") || !strcmp(t, "questionnaire") ||
		       !strcmp(t, "person");
	if (!strcmp(kind, "roster"))
		return !strcmp(t, "employee") || !strcmp(t, "person");
	return (k = scan_kind_of_field(f)) && !strcmp(k, kind);
}

/* Several candidates by name, one of them of this file's kind: take it,
 * to confirm (実施日 is a stress-check date in a stress-check file). */
static void resolve_by_kind(struct colink_scan *s, const struct colink_scan_vocab *v,
			    struct colink_scan_column *c)
{
	const struct colink_field_def *pick = NULL;
	size_t i, n = 0;
	for (i = 0; i < c->ncand; i++)
		if (fits_kind(c->cand[i], s->kind))
			pick = c->cand[i], n++;
	for (i = 0; pick && i < s->ncols; i++)
		if (s->cols[i].field == pick)
			n = 0; /* taken by another column */
	if (c->field || c->ncand < 2 || n != 1)
		return;
	c->field = pick;
	c->ncand = 0;
	c->todo = type_conflict(v, c, pick);
	if (!c->todo)
		c->todo = "confirm: the one candidate that fits this kind of file";
}

/* The number of persons: the most distinct values of a column named as
 * an identifier (社員番号 of a monthly export: one per employee); 0 when
 * no column says. */
static uint64_t persons_of(const struct colink_scan *s, const struct colink_scan_vocab *v)
{
	uint64_t p = 0;
	size_t i, j;
	for (i = 0; i < s->ncols; i++) {
		const struct colink_scan_column *c = &s->cols[i];
		int id = c->field && (c->field->flags & COLINK_FIELD_IDENTIFIER);
		for (j = 0; j < c->ncand; j++)
			id |= (c->cand[j]->flags & COLINK_FIELD_IDENTIFIER) != 0;
		if (!id && !scan_is_idword(v, c->header))
			continue;
		if (c->overflow)
			return s->rows;
		if (c->distinct > p)
			p = c->distinct;
	}
	return p;
}

int colink_scan_suggest(struct colink_scan *s, const struct colink_scan_vocab *v,
			const struct colink_catalog *cat, struct colink_error *err)
{
	const struct colink_key_kind *k;
	const char *date_field;
	size_t i, j;
	for (i = 0; i < s->ncols; i++) {
		suggest_column(s, v, &s->cols[i]);
		s->nullword_mask |= s->cols[i].nullword_mask;
	}
	kind_of(s, v);
	for (i = 0; i < s->ncols; i++)
		resolve_by_kind(s, v, &s->cols[i]);
	s->persons = persons_of(s, v);
	for (i = 0; i < s->ncols; i++)
		s->cols[i].hidden = is_identifier(v, &s->cols[i], s->persons);
	date_field = !strcmp(s->kind, "checkup") ? "exam_date" : !strcmp(s->kind, "attendance") ? "year_month"
		   : !strcmp(s->kind, "stress") ? "stress_date" : !strcmp(s->kind, "claims") ? "claims_year"
		   : !strcmp(s->kind, "participation") ? "participation_date"
		   : !strcmp(s->kind, "allowance") ? "allowance_from" : NULL;
	k = colink_catalog_key(cat, s->primary_key);
	if (!k)
		return COLINK_ERR(err, COLINK_EINVAL, "key kind '%s' is not in common/keys.tsv", s->primary_key);
	for (i = 0; i < s->ncols; i++) {
		struct colink_scan_column *c = &s->cols[i];
		if (!c->field)
			continue;
		if (date_field && !strcmp(c->field->name, date_field))
			c->required = 1;
		for (j = 0; j < k->nparts; j++)
			if (!k->optional[j] && !strcmp(k->parts[j], c->field->name))
				c->required = 1;
	}
	s->ntodo = 0;
	for (i = 0; i < s->ncols; i++)
		s->ntodo += !s->cols[i].field || s->cols[i].todo;
	return COLINK_OK;
}

/* ------------------------------------------------------------------ */
/* The draft                                                            */
/* ------------------------------------------------------------------ */

/* Text inside <!-- -->: no "--", no line breaks. */
static void xml_comment_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '-' && s[1] == '-')
			fputs("- ", f);
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void column_ref(FILE *f, const struct colink_scan *s, size_t i)
{
	if (s->header && s->cols[i].header) {
		fputs("column=\"", f);
		colink_xml_attr_escape(f, s->cols[i].header);
		fputc('"', f);
	} else {
		fprintf(f, "position=\"%zu\"", i + 1);
	}
}

static void year_month(char out[16], int32_t d)
{
	unsigned v = d < 0 ? 0u : (unsigned)d;
	snprintf(out, 16, "%04u-%02u", v / 10000 % 10000, v / 100 % 100);
}

/* The profile line above each column: type, counts, and a range only
 * for a column that is not identifier-like. */
static void column_comment(FILE *f, const struct colink_scan *s, size_t i)
{
	const struct colink_scan_column *c = &s->cols[i];
	fprintf(f, "  <!-- %zu ", i + 1);
	xml_comment_text(f, c->header ? c->header : "(no header)");
	fprintf(f, ": %s", colink_scan_type_name(c->type));
	if (c->type == COLINK_SCAN_DATE)
		fprintf(f, " (%s)", colink_scan_date_format_name(c->date_format));
	fprintf(f, ", %llu values, %llu empty, %s%zu distinct",
		(unsigned long long)c->values, (unsigned long long)c->empty,
		c->overflow ? ">=" : "", c->distinct);
	if (c->nullwords)
		fprintf(f, ", %llu null words", (unsigned long long)c->nullwords);
	if (c->unparsed)
		fprintf(f, ", %llu not %s", (unsigned long long)c->unparsed,
			c->type == COLINK_SCAN_DATE ? "valid dates" : "numbers");
	if (c->n_censored && c->type != COLINK_SCAN_DATE)
		fprintf(f, ", %llu censored (<, >)", (unsigned long long)c->n_censored);
	if (c->hidden)
		fputs("; identifier-like: no values shown", f);
	else if ((c->type == COLINK_SCAN_INTEGER || c->type == COLINK_SCAN_DECIMAL) && c->num_min[0])
		fprintf(f, "; range %s .. %s", c->num_min, c->num_max);
	else if (c->type == COLINK_SCAN_DATE) {
		char a[16], b[16];
		year_month(a, c->date_min[c->date_format]);
		year_month(b, c->date_max[c->date_format]);
		fprintf(f, "; months %s .. %s", a, b);
	}
	if (c->todo) {
		fputs("; TODO ", f);
		xml_comment_text(f, c->todo);
	}
	fputs(" -->\n", f);
}

static void column_element(FILE *f, const struct colink_scan *s, size_t i)
{
	const struct colink_scan_column *c = &s->cols[i];
	size_t j;
	column_comment(f, s, i);
	if (!c->field) {
		fputs("  <todo ", f);
		column_ref(f, s, i);
		if (c->ncand) {
			fputs(" suggest=\"", f);
			for (j = 0; j < c->ncand; j++)
				fprintf(f, "%s%s", j ? " " : "", c->cand[j]->name);
			fputc('"', f);
		}
		fputs("/>\n", f);
		return;
	}
	fprintf(f, "  <field target=\"%s\" ", c->field->name);
	column_ref(f, s, i);
	if (c->field->type == COLINK_T_DATE && c->type == COLINK_SCAN_DATE)
		fprintf(f, " format=\"%s\"", colink_scan_date_format_name(c->date_format));
	if (c->dur_format)
		fprintf(f, " format=\"%s\"", c->dur_format);
	if (c->codemap)
		fprintf(f, " codemap=\"%s\"", c->codemap);
	if (c->required)
		fputs(" required=\"true\"", f);
	if (c->todo) {
		fputs(" todo=\"", f);
		colink_xml_attr_escape(f, c->todo);
		fputc('"', f);
	}
	fputs("/>\n", f);
}

static void write_input(FILE *f, const struct colink_scan *s)
{
	fputs("  <input plugin=\"in_csv\">\n", f);
	fprintf(f, "    <set name=\"encoding\" value=\"%s\"/>\n",
		s->encoding == COLINK_SCAN_CP932 ? "CP932" : "UTF-8");
	if (s->delimiter == '\t')
		fputs("    <set name=\"delimiter\" value=\"tab\"/>\n", f);
	else
		fprintf(f, "    <set name=\"delimiter\" value=\"%c\"/>\n", s->delimiter);
	fputs("    <set name=\"quote\" value=\"&quot;\"/>\n", f);
	fprintf(f, "    <set name=\"header\" value=\"%s\"/>\n", s->header ? "true" : "false");
	fprintf(f, "    <set name=\"skip_lines\" value=\"%llu\"/>\n", (unsigned long long)s->skip_lines);
	if (s->short_rows)
		fprintf(f, "    <!-- %llu row%s at most half the header's fields (a total or a note?):"
			" strict_columns rejects %s -->\n",
			(unsigned long long)s->short_rows, s->short_rows == 1 ? " has" : "s have",
			s->short_rows == 1 ? "it" : "them");
	if (s->ragged > s->short_rows)
		fprintf(f, "    <!-- TODO: %llu row%s another number of fields than the first -->\n",
			(unsigned long long)(s->ragged - s->short_rows),
			s->ragged - s->short_rows == 1 ? " has" : "s have");
	fprintf(f, "    <set name=\"strict_columns\" value=\"%s\"/>\n",
		s->ragged > s->short_rows ? "false" : "true");
	fputs("    <set name=\"trim\" value=\"true\"/>\n", f);
	fputs("  </input>\n", f);
}

int colink_scan_write_draft(const struct colink_scan *s, const struct colink_scan_vocab *v,
			    const char *id, FILE *f)
{
	size_t i;
	const char *base = colink_path_base(s->path);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--\n  Draft mapping written by `colink scan` from ", f);
	xml_comment_text(f, base);
	fprintf(f, ".\n  %s, %s line ends, delimiter %s, %s%s, %zu columns, %llu data rows%s.\n",
		colink_scan_encoding_name(s->encoding),
		s->crlf >= s->lf ? (s->crlf ? "CRLF" : "no") : "LF",
		s->delimiter == '\t' ? "TAB" : s->delimiter == ',' ? "comma" : s->delimiter == ';' ? "semicolon" : "bar",
		s->skip_lines ? "title lines skipped (skip_lines), " : "",
		s->header ? "one header row" : "no header row", s->ncols, (unsigned long long)s->rows,
		s->truncated ? " scanned (--rows)" : "");
	fprintf(f, "  Kind %s: %zu of the %zu columns whose names say a kind say so (primary key %s).\n",
		s->kind, s->kind_votes, s->kind_named, s->primary_key);
	fprintf(f, "  %zu column%s still need%s a decision: every <todo/> and todo=\"...\" below\n"
		   "  (`colink check` lists them; `colink run` refuses the file until none is left).\n"
		   "  Also add what the file cannot tell: plausibility ranges (min/max, see\n"
		   "  each column's range), constants the file does not carry (program_type,\n"
		   "  exam_org ...), and local <codemap>s for words no shared map knows.\n-->\n",
		s->ntodo, s->ntodo == 1 ? "" : "s", s->ntodo == 1 ? "s" : "");
	fputs("<mapping xmlns=\"urn:colink:mapping:1\" id=\"", f);
	colink_xml_attr_escape(f, id);
	fprintf(f, "\" version=\"1\" kind=\"%s\">\n  <description>Draft from ", s->kind);
	colink_xml_attr_escape(f, base);
	fputs(" (colink scan)</description>\n\n", f);
	write_input(f, s);
	fprintf(f, "\n  <primary-key kind=\"%s\"/>\n\n", s->primary_key);
	for (i = 0; i < s->ncols; i++)
		column_element(f, s, i);
	if (s->nullword_mask)
		fputs("\n  <!-- words this file writes instead of a value -->\n", f);
	for (i = 0; i < v->nnull; i++)
		if (s->nullword_mask & (1ull << i)) {
			fputs("  <null text=\"", f);
			colink_xml_attr_escape(f, v->nullword[i]);
			fprintf(f, "\" reason=\"%s\"/>\n", v->nullreason[i]);
		}
	fputs("\n  <!-- a column this draft does not name fails the file -->\n"
	      "  <unmapped columns=\"reject\"/>\n</mapping>\n", f);
	return ferror(f) ? COLINK_EIO : COLINK_OK;
}
