/*
 * doc_mapping.c -- the document of a mapping file: every source column to
 * its target field, with parse format, unit, valid range, code map, null
 * handling and identifier handling, so a reviewer can check the file
 * without reading XML.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "steward/doc/doc.h"
#include "steward/doc/doc_int.h"
#include "core/value.h"

/* ---- shared helpers (doc_int.h) --------------------------------------- */

const char *doc_format_name(const struct colink_map_field *f)
{
	static const char *const dates[] = {"auto", "iso", "yyyymmdd", "wareki", "yyyymm"};
	static const char *const durs[] = {"minutes", "hours", "h:mm"};
	size_t i;
	if (f->dur_format) {
		for (i = 0; i < sizeof(durs) / sizeof(durs[0]); i++)
			if (colink_duration_format_from_name(durs[i]) == f->dur_format)
				return durs[i];
		return "auto";
	}
	if (f->field->type != COLINK_T_DATE)
		return "";
	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
		if (colink_date_format_from_name(dates[i]) == f->date_format)
			return dates[i];
	return "";
}

char *doc_range(const char *min, const char *max)
{
	if (min && max)
		return colink_docw_fmt("%s..%s", min, max);
	if (min)
		return colink_docw_fmt("≥ %s", min);
	if (max)
		return colink_docw_fmt("≤ %s", max);
	return colink_strdup("");
}

/* " or "-joined values of a conditional field, owned. */
static char *when_list(const struct colink_map_field *f)
{
	size_t i;
	char *s = colink_strdup("");
	for (i = 0; s && i < f->nwhen; i++) {
		char *t = colink_docw_fmt("%s%s%s", s, !i ? "" : i + 1 == f->nwhen ? " or " : ", ",
					  f->when[i]);
		colink_free(s);
		s = t;
	}
	return s;
}

/* The source without its condition: a column, a position, the <from>
 * parts or a piece of a cut cell (#18). */
static char *plain_source(const struct colink_map_field *f)
{
	char *s, *t;
	size_t k;
	if (f->nfrom) {
		s = colink_docw_fmt("columns \"%s\"", f->from[0]);
		for (k = 1; s && k < f->nfrom; k++) {
			t = colink_docw_fmt("%s + \"%s\"", s, f->from[k]);
			colink_free(s);
			s = t;
		}
		t = s ? colink_docw_fmt("%s joined with \"%s\"", s, f->join) : NULL;
		colink_free(s);
		return t;
	}
	s = f->byte_len ? colink_docw_fmt("bytes %lu–%lu (%lu+%lu)", (unsigned long)f->byte_start,
					  (unsigned long)f->byte_start + f->byte_len - 1,
					  (unsigned long)f->byte_start, (unsigned long)f->byte_len)
	    : f->column ? colink_docw_fmt("column \"%s\"", f->column)
		      : colink_docw_fmt("position %u", (unsigned)f->position);
	if (!f->split || !s)
		return s;
	t = colink_docw_fmt("%s, piece %u of %u cut at \"%s\"", s, f->part, f->nparts, f->split);
	colink_free(s);
	return t;
}

char *doc_source(const struct colink_map_field *f)
{
	char *s = plain_source(f), *w, *t;
	if (!s || !f->when_column)
		return s;
	w = when_list(f);
	t = w ? colink_docw_fmt("%s, when column \"%s\" is %s", s, f->when_column, w) : NULL;
	colink_free(s);
	colink_free(w);
	return t;
}

/* The null words of f ("NA, - (missing)"), owned; "" when none. */
char *doc_nullwords(const struct colink_map_field *f)
{
	size_t i;
	char *s = colink_strdup(""), *t;
	for (i = 0; s && i < f->nnullwords; i++) {
		t = colink_docw_fmt("%s%s%s", s, i ? " " : "", f->nullwords[i]);
		colink_free(s);
		s = t;
	}
	if (!s || !*s)
		return s;
	t = colink_docw_fmt("%s (%s)", s, colink_null_name(f->null_reason));
	colink_free(s);
	return t;
}

int doc_codemap_is_local(const struct colink_mapping *m, const struct colink_codemap *cm)
{
	size_t i;
	for (i = 0; i < m->nlocal; i++)
		if (&m->local_maps[i] == cm)
			return 1;
	return 0;
}

const char *doc_default_chain(const struct colink_catalog *cat,
			      const struct colink_field_def *f)
{
	size_t i = colink_catalog_field_index(cat, f);
	return i < cat->nfields ? cat->field_normalize[i] : NULL;
}

const char *doc_unmapped_name(int u)
{
	return u == COLINK_UNMAPPED_REJECT ? "reject"
	       : u == COLINK_UNMAPPED_OBSERVATION ? "observation" : "ignore";
}

int doc_is_derived(const struct colink_mapping *m, const struct colink_field_def *f)
{
	size_t i;
	if (!m->stress || !f->table || strcmp(f->table, "stress_check") ||
	    (f->flags & (COLINK_FIELD_IDENTIFIER | COLINK_FIELD_NOT_STORED)) ||
	    colink_mapping_find(m, f->name))
		return 0;
	for (i = 0; i < m->nconstants; i++)
		if (m->constants[i].field == f)
			return 0;
	return 1;
}

/* ---- cells ------------------------------------------------------------ */

#define MAXCELLS 10

struct row {
	char *c[MAXCELLS];
	size_t n;
};

static void cell(struct row *r, char *owned)
{
	if (r->n < MAXCELLS)
		r->c[r->n++] = owned; /* NULL (OOM) is flagged by colink_docw_row */
	else
		colink_free(owned);
}

static void emit(struct colink_docw *d, struct row *r)
{
	size_t i;
	colink_docw_row(d, (const char *const *)r->c);
	for (i = 0; i < r->n; i++)
		colink_free(r->c[i]);
	r->n = 0;
}

static char *stored_in(const struct colink_field_def *f)
{
	if (f->flags & COLINK_FIELD_IDENTIFIER)
		return colink_strdup("not stored: pseudonyms only");
	if (f->flags & COLINK_FIELD_NOT_STORED)
		return colink_strdup("not stored: used for derivations only");
	if (!f->column || !strcmp(f->column, "-"))
		return colink_docw_fmt("%s (by item code %s)", f->table, f->item_code ? f->item_code : "-");
	return colink_docw_fmt("%s.%s", f->table, f->column);
}

static char *codemap_cell(const struct colink_mapping *m, const struct colink_codemap *cm)
{
	if (!cm)
		return colink_strdup("");
	return colink_docw_fmt("%s (%zu spellings; unknown: %s; %s)", cm->name, cm->n,
			       cm->other_keep ? "kept as is" : "record rejected",
			       doc_codemap_is_local(m, cm) ? "this file" : "common/codemaps.tsv");
}

static char *nulls_cell(const struct colink_map_field *f)
{
	const char *pat = colink_form_pattern(f->form), *ph = colink_form_placeholders(f->form);
	char *nw = doc_nullwords(f), *c;
	if (!nw)
		return NULL;
	c = colink_docw_fmt("%s%s%s; censored (<5, >1000): %s; unparseable%s: %s%s%s%s%s%s",
			       f->required ? "required: empty rejects the record"
					   : "empty: missing null",
			       *nw ? "; null words of this field: " : "", nw,
			       f->censored_allow ? "below/above-range null with its bound"
						 : "record rejected",
			       (f->min || f->max) ? " or out of range" : "",
			       f->on_error_null ? "null (invalid)" : "record rejected",
			       pat ? "; must match " : "", pat ? pat : "",
			       pat ? " (whole value) or the record is rejected" : "",
			       ph ? "; placeholders (mean unknown, record rejected): " : "", ph ? ph : "");
	colink_free(nw);
	return c;
}

/* ---- sections --------------------------------------------------------- */

static void sec_input(struct colink_docw *d, const struct colink_mapping *m, int level)
{
	static const char *const h[] = {"setting", "value"};
	size_t i;
	colink_docw_heading(d, level, "Input / 入力");
	colink_docw_para(d, "Read by the input plugin %s%s.", m->plugin,
			 m->extract ? "; the input is a pseudonymized extract (its records carry "
				      "pseudonyms and derived ages, never raw identifiers)" : "");
	if (m->nsettings > m->nsettings_given)
		colink_docw_para(d, "Fixed-width records: the field layout is the byte range of "
				 "each field below (bytes of the source encoding, 1-based).");
	if (!m->nsettings_given)
		return;
	colink_docw_table(d, 2, h);
	for (i = 0; i < m->nsettings_given; i++) {
		const char *c[2] = {m->settings[i].name, m->settings[i].value};
		colink_docw_row(d, c);
	}
	colink_docw_table_end(d);
}

static int has_target(const struct colink_mapping *m, const char *name)
{
	size_t i;
	if (colink_mapping_find(m, name))
		return 1;
	for (i = 0; i < m->nconstants; i++)
		if (!strcmp(m->constants[i].field->name, name))
			return 1;
	return 0;
}

static void sec_keys(struct colink_docw *d, const struct colink_mapping *m,
		     const struct colink_catalog *cat, int level)
{
	static const char *const h[] = {"key kind", "parts (encoding order)", "derived here", "meaning"};
	size_t i, j;
	colink_docw_heading(d, level, "Person keys / 本人の識別");
	if (m->extract) {
		colink_docw_para(d, "Pseudonyms arrive with the records (extract); nothing is hashed here.");
		return;
	}
	colink_docw_para(d, "The person is identified by the key kind %s. A record gets a pseudonym of "
			    "every kind whose required parts it has: HMAC-SHA256 of the normalized, "
			    "length-prefixed parts under a key derived per kind from the master key "
			    "and the agreement id.",
			 m->primary_key ? m->primary_key->kind : "card");
	colink_docw_table(d, 4, h);
	for (i = 0; i < cat->nkeys; i++) {
		const struct colink_key_kind *k = &cat->keys[i];
		struct row r = {{0}, 0};
		char *parts = colink_strdup("");
		int derived = 1;
		for (j = 0; j < k->nparts && parts; j++) {
			char *p = colink_docw_fmt("%s%s%s%s", parts, j ? ", " : "", k->parts[j],
						  k->optional[j] ? " (optional)" : "");
			colink_free(parts);
			parts = p;
			if (!k->optional[j] && !has_target(m, k->parts[j]))
				derived = 0;
		}
		cell(&r, colink_strdup(k->kind));
		cell(&r, parts);
		cell(&r, colink_strdup(derived ? (m->primary_key == k ? "yes (person key)" : "yes")
					       : "no (parts missing)"));
		cell(&r, colink_strdup(k->description ? k->description : ""));
		emit(d, &r);
	}
	colink_docw_table_end(d);
}

static char *key_kinds_of(const struct colink_catalog *cat, const char *field)
{
	size_t i, j;
	char *s = colink_strdup("");
	for (i = 0; i < cat->nkeys && s; i++)
		for (j = 0; j < cat->keys[i].nparts; j++)
			if (!strcmp(cat->keys[i].parts[j], field)) {
				char *t = colink_docw_fmt("%s%s%s (part %zu of %zu)", s, *s ? ", " : "",
							  cat->keys[i].kind, j + 1, cat->keys[i].nparts);
				colink_free(s);
				s = t;
				break;
			}
	return s;
}

static void sec_identifiers(struct colink_docw *d, const struct colink_mapping *m,
			    const struct colink_catalog *cat, int level)
{
	static const char *const h[] = {"source", "identifier", "normalization", "used in key kinds",
					"handling", "line"};
	size_t i, n = 0;
	colink_docw_heading(d, level, "Identifiers / 識別子 (pseudonymized; raw never stored)");
	for (i = 0; i < m->nfields; i++) {
		const struct colink_map_field *f = &m->fields[i];
		const char *def;
		struct row r = {{0}, 0};
		if (!(f->field->flags & COLINK_FIELD_IDENTIFIER))
			continue;
		if (!n++)
			colink_docw_table(d, 6, h);
		def = doc_default_chain(cat, f->field);
		cell(&r, doc_source(f));
		cell(&r, colink_docw_fmt("%s — %s", f->field->name,
					 f->field->description ? f->field->description : ""));
		cell(&r, colink_docw_fmt("%s (%s)", f->normalize ? f->normalize : "-",
					 def && f->normalize && !strcmp(def, f->normalize)
						 ? "default of common/fields.tsv"
						 : "overridden in this file"));
		cell(&r, key_kinds_of(cat, f->field->name));
		{
			char *nw = doc_nullwords(f);
			cell(&r, colink_docw_fmt("normalized, hashed into the pseudonyms, then wiped; %s%s%s",
						 f->required ? "required: empty rejects the record"
							     : "may be empty",
						 nw && *nw ? "; read as empty: " : "", nw ? nw : ""));
			colink_free(nw);
		}
		cell(&r, colink_docw_fmt("%d", f->line));
		emit(d, &r);
	}
	if (n)
		colink_docw_table_end(d);
	else
		colink_docw_para(d, "This file maps no identifier.");
	colink_docw_note(d, "No identifier (name, card number, employee number, birth date) is "
			    "stored: each exists only in memory between the input plugin and the "
			    "pseudonym step. Neither the raw nor the normalized form reaches the "
			    "warehouse, a log, an error message or a reject row.");
}

static void sec_values(struct colink_docw *d, const struct colink_mapping *m, int level)
{
	static const char *const h[] = {"source", "target field", "stored in", "type", "format",
					"unit", "valid range", "code map", "nulls and errors", "line"};
	size_t i, n = 0;
	colink_docw_heading(d, level, "Data items / データ項目");
	for (i = 0; i < m->nfields; i++) {
		const struct colink_map_field *f = &m->fields[i];
		struct row r = {{0}, 0};
		if (f->field->flags & COLINK_FIELD_IDENTIFIER)
			continue;
		if (!n++)
			colink_docw_table(d, 10, h);
		cell(&r, doc_source(f));
		cell(&r, colink_docw_fmt("%s%s%s%s — %s", f->field->name,
					 f->item ? " (item " : "", f->item ? f->item->code : "",
					 f->item ? ")" : "",
					 f->field->description ? f->field->description : ""));
		cell(&r, stored_in(f->field));
		cell(&r, colink_strdup(colink_type_name(f->field->type)));
		cell(&r, colink_strdup(doc_format_name(f)));
		cell(&r, colink_strdup(f->field->unit ? f->field->unit : ""));
		cell(&r, doc_range(f->min, f->max));
		cell(&r, codemap_cell(m, f->codemap));
		cell(&r, nulls_cell(f));
		cell(&r, colink_docw_fmt("%d", f->line));
		emit(d, &r);
	}
	if (n)
		colink_docw_table_end(d);
	else if (m->extract)
		colink_docw_para(d, "An extract is already in the warehouse schema: every value arrives "
				    "under its common-schema field name, already typed, and lands as is "
				    "(what may reach the recipient is decided by the job's agreement).");
	else
		colink_docw_para(d, "No value fields are named.");
	if (m->items_catalogue)
		colink_docw_para(d, "Sources named by a 17-digit 特定健診項目コード map to their field "
				    "through common/items.tsv; a code the catalogue does not know is kept "
				    "in the observation table with its code.");
}

static void sec_constants_nulls(struct colink_docw *d, const struct colink_mapping *m, int level)
{
	static const char *const hc[] = {"target field", "value", "stored in", "line"};
	static const char *const hn[] = {"source text", "means"};
	size_t i;
	if (m->nconstants) {
		colink_docw_heading(d, level, "Constants / 固定値");
		colink_docw_table(d, 4, hc);
		for (i = 0; i < m->nconstants; i++) {
			struct row r = {{0}, 0};
			cell(&r, colink_strdup(m->constants[i].field->name));
			cell(&r, colink_strdup(m->constants[i].value));
			cell(&r, stored_in(m->constants[i].field));
			cell(&r, colink_docw_fmt("%d", m->constants[i].line));
			emit(d, &r);
		}
		colink_docw_table_end(d);
	}
	colink_docw_heading(d, level, "Null words / 欠損の表記");
	colink_docw_para(d, "An empty cell is a missing null. These words, in any field, are "
			    "nulls with a reason (the exact text is kept in the observation table):");
	if (!m->nnulls) {
		colink_docw_para(d, "None declared.");
		return;
	}
	colink_docw_table(d, 2, hn);
	for (i = 0; i < m->nnulls; i++) {
		const char *c[2] = {m->nulls[i].text, colink_null_name(m->nulls[i].reason)};
		colink_docw_row(d, c);
	}
	colink_docw_table_end(d);
}

static void codemap_table(struct colink_docw *d, const struct colink_mapping *m,
			  const struct colink_codemap *cm, int level)
{
	static const char *const h[] = {"source spelling", "standard code"};
	size_t i;
	char at[32] = "";
	if (doc_codemap_is_local(m, cm))
		snprintf(at, sizeof(at), " (line %d)", cm->line);
	colink_docw_heading(d, level, "Code map %s", cm->name);
	colink_docw_para(d, "Declared %s%s. A spelling not listed: %s.",
			 doc_codemap_is_local(m, cm) ? "in this file" : "in common/codemaps.tsv", at,
			 cm->other_keep ? "kept as is" : "the record is rejected");
	colink_docw_table(d, 2, h);
	for (i = 0; i < cm->n; i++) {
		const char *c[2] = {cm->from[i], cm->to[i]};
		colink_docw_row(d, c);
	}
	colink_docw_table_end(d);
}

static void sec_codemaps(struct colink_docw *d, const struct colink_mapping *m, int level)
{
	size_t i, j;
	int any = 0;
	for (i = 0; i < m->nfields; i++) {
		const struct colink_codemap *cm = m->fields[i].codemap;
		if (!cm)
			continue;
		for (j = 0; j < i; j++)
			if (m->fields[j].codemap == cm)
				break;
		if (j < i)
			continue; /* documented once */
		if (!any++)
			colink_docw_heading(d, level, "Code maps / コード変換");
		codemap_table(d, m, cm, level + 1);
	}
}

static void sec_derived(struct colink_docw *d, const struct colink_mapping *m,
			const struct colink_catalog *cat, int level)
{
	size_t i;
	if (!m->stress)
		return;
	colink_docw_heading(d, level, "Derived by scoring / 採点で求める項目");
	colink_docw_para(d, "The 57 answers are scored by mappings/rules/stress-check.tsv, method "
			    "%s (MHLW manual); the scores are stored with the answers:",
			 m->stress_method == COLINK_STRESS_CONVERTED ? "converted (その2 素点換算)"
								     : "total (その1 合計点数)");
	for (i = 0; i < cat->nfields; i++)
		if (doc_is_derived(m, &cat->fields[i]))
			colink_docw_item(d, "%s — %s (%s.%s)", cat->fields[i].name,
					 cat->fields[i].description ? cat->fields[i].description : "",
					 cat->fields[i].table, cat->fields[i].column);
}

/* <choose>: which value of the flag column sends a column where (#18). */
static void sec_chooses(struct colink_docw *d, const struct colink_mapping *m, int level)
{
	static const char *const h[] = {"flag value", "fields read (target ← source)", "line"};
	size_t i, v, k;
	if (!m->nchooses)
		return;
	colink_docw_heading(d, level, "Conditional targets / 条件で決まる対応先");
	for (i = 0; i < m->nchooses; i++) {
		const struct colink_map_choose *ch = &m->chooses[i];
		colink_docw_para(d, "Column \"%s\" (line %d) decides the target of the fields below, "
				    "record by record. A value not listed rejects the record (the reason "
				    "names the file, line and this column); an empty flag rejects it when "
				    "a column it decides has a value.", ch->column, ch->line);
		colink_docw_table(d, 3, h);
		for (v = 0; v < ch->nvalues; v++) {
			struct row r = {{0}, 0};
			char *list = colink_strdup("");
			for (k = 0; list && k < m->nfields; k++) {
				const struct colink_map_field *f = &m->fields[k];
				size_t w;
				char *src, *t;
				if (f->choose != i + 1)
					continue;
				for (w = 0; w < f->nwhen && strcmp(f->when[w], ch->values[v]); w++)
					;
				if (w == f->nwhen)
					continue;
				src = plain_source(f);
				t = colink_docw_fmt("%s%s%s ← %s", list, *list ? "; " : "", f->field->name,
						    src ? src : "?");
				colink_free(src);
				colink_free(list);
				list = t;
			}
			if (list && !*list) {
				colink_free(list);
				list = colink_strdup("(nothing: accepted, no field read)");
			}
			cell(&r, colink_strdup(ch->values[v]));
			cell(&r, list);
			cell(&r, colink_docw_fmt("%d", ch->value_line[v]));
			emit(d, &r);
		}
		colink_docw_table_end(d);
	}
}

static void sec_unmapped(struct colink_docw *d, const struct colink_mapping *m, int level)
{
	colink_docw_heading(d, level, "Columns not named here / 対応表にない列");
	switch (m->unmapped) {
	case COLINK_UNMAPPED_REJECT:
		colink_docw_para(d, "unmapped columns=\"reject\": a source column this file does not "
				    "name fails the whole file before any record loads. Every column "
				    "of the input is therefore listed above.");
		break;
	case COLINK_UNMAPPED_OBSERVATION:
		colink_docw_note(d, "unmapped columns=\"observation\": a column this file does not name "
				    "is kept, as text, in the observation table under its header. "
				    "Before any data moves colink refuses the file when such a column "
				    "is or looks like an identifier by its header name (the catalogue, "
				    "synonyms.tsv) or has no header name; such a column must be mapped "
				    "(pseudonymized) or listed below as ignored. Review every vendor "
				    "file for other columns that could carry personal data.");
		break;
	default:
		colink_docw_note(d, "unmapped columns=\"ignore\": a column this file does not name is "
				    "read and dropped; it is never stored. Columns added by the vendor "
				    "later are dropped silently too.");
	}
	if (m->nignored) {
		size_t i;
		colink_docw_para(d, "Columns dropped on purpose (ignore column=…): read, never stored.");
		for (i = 0; i < m->nignored; i++)
			colink_docw_item(d, "%s (line %d)", m->ignored[i].column, m->ignored[i].line);
	}
}

void colink_doc_mapping(struct colink_docw *d, const struct colink_mapping *m,
			const struct colink_catalog *cat, int level)
{
	sec_input(d, m, level);
	sec_keys(d, m, cat, level);
	sec_identifiers(d, m, cat, level);
	sec_values(d, m, level);
	sec_constants_nulls(d, m, level);
	sec_chooses(d, m, level);
	sec_derived(d, m, cat, level);
	sec_codemaps(d, m, level);
	sec_unmapped(d, m, level);
}
