/*
 * diff_mapping.c -- what changed between two versions of a mapping, in the
 * terms a reviewer signs off: a field added, a range widened, a code map
 * value added, an identifier's normalization changed.  Not a text diff:
 * moving lines, comments and attribute order do not count.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "steward/doc/doc.h"
#include "steward/doc/doc_int.h"
#include "core/value.h"

/* ---- the change list ---------------------------------------------------- */

void colink_change_add(struct colink_changes *c, char op, const char *what,
		       const char *name, int raises_exposure, const char *fmt, ...)
{
	struct colink_change *x;
	char *detail = NULL;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		void *v = colink_realloc(c->v, cap * sizeof(*c->v));
		if (!v) {
			c->oom = 1;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	if (fmt) {
		va_list ap, cp;
		int n;
		va_start(ap, fmt);
		va_copy(cp, ap);
		n = vsnprintf(NULL, 0, fmt, cp);
		va_end(cp);
		if (n >= 0 && (detail = colink_malloc((size_t)n + 1)))
			vsnprintf(detail, (size_t)n + 1, fmt, ap);
		va_end(ap);
		if (!detail) {
			c->oom = 1;
			return;
		}
	}
	x = &c->v[c->n];
	x->op = op;
	x->what = colink_strdup(what);
	x->name = colink_strdup(name ? name : "");
	x->detail = detail;
	x->raises_exposure = raises_exposure;
	if (!x->what || !x->name) {
		colink_free(x->what);
		colink_free(x->name);
		colink_free(detail);
		c->oom = 1;
		return;
	}
	c->n++;
}

void colink_changes_clear(struct colink_changes *c)
{
	size_t i;
	for (i = 0; i < c->n; i++) {
		colink_free(c->v[i].what);
		colink_free(c->v[i].name);
		colink_free(c->v[i].detail);
	}
	colink_free(c->v);
	memset(c, 0, sizeof(*c));
}

void colink_change_print(FILE *f, const struct colink_change *c)
{
	const char *sep = !c->detail ? "" : c->detail[0] == '(' ? " " : ": ";
	fprintf(f, "%c %s%s%s%s%s%s\n", c->op, c->what, *c->name ? " " : "", c->name, sep,
		c->detail ? c->detail : "",
		c->raises_exposure ? " [raises exposure]" : "");
}

/* ---- helpers ------------------------------------------------------------ */

static int streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static const char *what_of(const struct colink_map_field *f)
{
	return (f->field->flags & COLINK_FIELD_IDENTIFIER) ? "identifier" : "field";
}

/* Bound comparison with NULL as "no bound": lower bounds NULL = -inf. */
static int lo_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a ? 1 : 0) - (b ? 1 : 0);
	return colink_decimal_cmp(a, b);
}

static int hi_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return (b ? 1 : 0) - (a ? 1 : 0);
	return colink_decimal_cmp(a, b);
}

static void diff_range(struct colink_changes *out, const struct colink_map_field *a,
		       const struct colink_map_field *b)
{
	int lo = lo_cmp(b->min, a->min), hi = hi_cmp(b->max, a->max);
	const char *how;
	char *ra, *rb;
	if (!lo && !hi)
		return;
	if (lo <= 0 && hi >= 0)
		how = "widened";
	else if (lo >= 0 && hi <= 0)
		how = "narrowed";
	else
		how = "shifted";
	ra = doc_range(a->min, a->max);
	rb = doc_range(b->min, b->max);
	colink_change_add(out, '~', what_of(b), b->field->name, 0, "range %s → %s (%s)",
			  ra && *ra ? ra : "none", rb && *rb ? rb : "none", how);
	colink_free(ra);
	colink_free(rb);
}

static void diff_source(struct colink_changes *out, const struct colink_map_field *a,
			const struct colink_map_field *b)
{
	/* the whole source as doc says it: a column, <from> parts, a piece
	 * of a cut cell, the <when> that chooses it (#18) */
	char *sa = doc_source(a), *sb = doc_source(b), *na, *nb;
	if (!streq(sa, sb))
		colink_change_add(out, '~', what_of(b), b->field->name, 0, "source %s → %s",
				  sa ? sa : "?", sb ? sb : "?");
	colink_free(sa);
	colink_free(sb);
	na = doc_nullwords(a);
	nb = doc_nullwords(b);
	if (!streq(na, nb))
		colink_change_add(out, '~', what_of(b), b->field->name, 0, "null words %s → %s",
				  na && *na ? na : "none", nb && *nb ? nb : "none");
	colink_free(na);
	colink_free(nb);
}

static void diff_flag(struct colink_changes *out, const struct colink_map_field *b,
		      const char *what, int va, int vb, const char *na, const char *nb)
{
	if (va != vb)
		colink_change_add(out, '~', what_of(b), b->field->name, 0, "%s %s → %s", what,
				  va ? na : nb, vb ? na : nb);
}

/* pattern= and placeholders= (form.h): a rule added tightens what loads,
 * one removed loosens it; two regular expressions are not compared. */
static void diff_form(struct colink_changes *out, const struct colink_map_field *a,
		      const struct colink_map_field *b)
{
	const char *pa = colink_form_pattern(a->form), *pb = colink_form_pattern(b->form);
	const char *ha = colink_form_placeholders(a->form), *hb = colink_form_placeholders(b->form);
	if (!streq(pa, pb))
		colink_change_add(out, '~', what_of(b), b->field->name, 0, "pattern %s → %s (%s)",
				  pa ? pa : "none", pb ? pb : "none",
				  !pa ? "tightened: a value of another form rejects the record"
				  : !pb ? "loosened: any form loads" : "changed");
	if (!streq(ha, hb))
		colink_change_add(out, '~', what_of(b), b->field->name, 0, "placeholders %s → %s (%s)",
				  ha ? ha : "none", hb ? hb : "none",
				  !ha ? "tightened: these values reject the record"
				  : !hb ? "loosened: placeholder values load as values" : "changed");
}

static void diff_field(struct colink_changes *out, const struct colink_map_field *a,
		       const struct colink_map_field *b)
{
	const char *fa = doc_format_name(a), *fb = doc_format_name(b);
	diff_source(out, a, b);
	if (strcmp(fa, fb))
		colink_change_add(out, '~', what_of(b), b->field->name, 0, "format %s → %s",
				  *fa ? fa : "none", *fb ? fb : "none");
	if ((a->item ? a->item->code : NULL) != (b->item ? b->item->code : NULL) &&
	    !streq(a->item ? a->item->code : NULL, b->item ? b->item->code : NULL))
		colink_change_add(out, '~', what_of(b), b->field->name, 0, "item code %s → %s",
				  a->item ? a->item->code : "none", b->item ? b->item->code : "none");
	diff_range(out, a, b);
	diff_form(out, a, b);
	if (!streq(a->codemap ? a->codemap->name : NULL, b->codemap ? b->codemap->name : NULL))
		colink_change_add(out, '~', what_of(b), b->field->name, 0, "code map %s → %s",
				  a->codemap ? a->codemap->name : "none",
				  b->codemap ? b->codemap->name : "none");
	if (!streq(a->normalize, b->normalize))
		colink_change_add(out, '~', what_of(b), b->field->name, 0,
				  "normalization changed: %s → %s (pseudonyms of this kind change: "
				  "earlier runs no longer link)",
				  a->normalize ? a->normalize : "none", b->normalize ? b->normalize : "none");
	diff_flag(out, b, "required", a->required, b->required, "yes", "no");
	diff_flag(out, b, "censored values", a->censored_allow, b->censored_allow,
		  "kept as below/above-range nulls", "rejected");
	diff_flag(out, b, "unparseable values", a->on_error_null, b->on_error_null,
		  "stored as null", "reject the record");
}

/* ---- code maps ------------------------------------------------------------ */

static const char *cm_lookup(const struct colink_codemap *m, const char *from)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->from[i], from))
			return m->to[i];
	return NULL;
}

static void diff_codemap(struct colink_changes *out, const char *name,
			 const struct colink_codemap *a, const struct colink_codemap *b)
{
	size_t i;
	if (!a && !b)
		return;
	if (!a || !b) {
		const struct colink_codemap *x = a ? a : b;
		colink_change_add(out, a ? '-' : '+', "codemap", name, 0, "%zu spellings", x->n);
		return;
	}
	for (i = 0; i < b->n; i++) {
		const char *was = cm_lookup(a, b->from[i]);
		if (!was)
			colink_change_add(out, '~', "codemap", name, 0, "value \"%s\" added (→ \"%s\")",
					  b->from[i], b->to[i]);
		else if (strcmp(was, b->to[i]))
			colink_change_add(out, '~', "codemap", name, 0, "value \"%s\": \"%s\" → \"%s\"",
					  b->from[i], was, b->to[i]);
	}
	for (i = 0; i < a->n; i++)
		if (!cm_lookup(b, a->from[i]))
			colink_change_add(out, '~', "codemap", name, 0,
					  "value \"%s\" removed (was → \"%s\"; now %s)", a->from[i],
					  a->to[i], b->other_keep ? "kept as is" : "rejects the record");
	if (a->other_keep != b->other_keep)
		colink_change_add(out, '~', "codemap", name, 0, "unknown spellings: %s → %s",
				  a->other_keep ? "kept as is" : "reject the record",
				  b->other_keep ? "kept as is" : "reject the record");
}

static int uses_codemap(const struct colink_mapping *m, const char *name, size_t upto)
{
	size_t i;
	for (i = 0; i < upto && i < m->nfields; i++)
		if (m->fields[i].codemap && !strcmp(m->fields[i].codemap->name, name))
			return 1;
	return 0;
}

/* Every code map a field of either mapping uses, once per name, as each
 * mapping resolves it (its own <codemap> first, then codemaps.tsv). */
static void diff_codemaps(struct colink_changes *out, const struct colink_mapping *a,
			  const struct colink_mapping *b, const struct colink_catalog *cat)
{
	const struct colink_mapping *side[2] = {a, b};
	size_t s, i;
	for (s = 0; s < 2; s++)
		for (i = 0; i < side[s]->nfields; i++) {
			const struct colink_codemap *cm = side[s]->fields[i].codemap;
			const char *name = cm ? cm->name : NULL;
			if (!name || uses_codemap(side[s], name, i) ||
			    (s == 1 && uses_codemap(a, name, a->nfields)))
				continue;
			diff_codemap(out, name,
				     uses_codemap(a, name, a->nfields) ? colink_mapping_codemap(a, cat, name) : NULL,
				     uses_codemap(b, name, b->nfields) ? colink_mapping_codemap(b, cat, name) : NULL);
		}
}

/* ---- the mapping ------------------------------------------------------------ */

/* <ignore column>: a column no longer ignored is stored under observation. */
static void diff_ignored(struct colink_changes *out, const struct colink_mapping *a,
			 const struct colink_mapping *b)
{
	size_t i;
	for (i = 0; i < b->nignored; i++)
		if (!colink_mapping_ignores(a, b->ignored[i].column))
			colink_change_add(out, '+', "ignore", b->ignored[i].column, 0,
					  "(read, never stored)");
	for (i = 0; i < a->nignored; i++)
		if (!colink_mapping_ignores(b, a->ignored[i].column))
			colink_change_add(out, '-', "ignore", a->ignored[i].column,
					  b->unmapped == COLINK_UNMAPPED_OBSERVATION,
					  "(if still sent, it is now %s)",
					  b->unmapped == COLINK_UNMAPPED_OBSERVATION ? "kept as an observation"
					  : b->unmapped == COLINK_UNMAPPED_REJECT ? "an error that fails the file"
					  : "ignored");
}

static const struct colink_map_choose *find_choose(const struct colink_mapping *m,
						    const char *column)
{
	size_t i;
	for (i = 0; i < m->nchooses; i++)
		if (!strcmp(m->chooses[i].column, column))
			return &m->chooses[i];
	return NULL;
}

static int choose_has(const struct colink_map_choose *ch, const char *v)
{
	size_t i;
	for (i = 0; ch && i < ch->nvalues; i++)
		if (!strcmp(ch->values[i], v))
			return 1;
	return 0;
}

/* <choose>: a flag column added or dropped, a flag value accepted or no
 * longer (the fields each value reads show as source changes) (#18). */
static void diff_chooses(struct colink_changes *out, const struct colink_mapping *a,
			 const struct colink_mapping *b)
{
	size_t i, v;
	for (i = 0; i < b->nchooses; i++) {
		const struct colink_map_choose *cb = &b->chooses[i], *ca = find_choose(a, cb->column);
		if (!ca) {
			colink_change_add(out, '+', "choose", cb->column, 0, "(%zu flag values)",
					  cb->nvalues);
			continue;
		}
		for (v = 0; v < cb->nvalues; v++)
			if (!choose_has(ca, cb->values[v]))
				colink_change_add(out, '~', "choose", cb->column, 0,
						  "value \"%s\" added (line %d)", cb->values[v],
						  cb->value_line[v]);
		for (v = 0; v < ca->nvalues; v++)
			if (!choose_has(cb, ca->values[v]))
				colink_change_add(out, '~', "choose", cb->column, 0,
						  "value \"%s\" removed (now rejects the record)",
						  ca->values[v]);
	}
	for (i = 0; i < a->nchooses; i++)
		if (!find_choose(b, a->chooses[i].column))
			colink_change_add(out, '-', "choose", a->chooses[i].column, 0, "(%zu flag values)",
					  a->chooses[i].nvalues);
}

static void diff_header(struct colink_changes *out, const struct colink_mapping *a,
			const struct colink_mapping *b)
{
	size_t i, j;
	if (!streq(a->id, b->id))
		colink_change_add(out, '~', "mapping", "id", 0, "%s → %s", a->id, b->id);
	if (!streq(a->version, b->version))
		colink_change_add(out, '~', "mapping", "version", 0, "%s → %s", a->version, b->version);
	if (!streq(a->kind, b->kind))
		colink_change_add(out, '~', "mapping", "kind", 0, "%s → %s", a->kind, b->kind);
	if (!streq(a->plugin, b->plugin))
		colink_change_add(out, '~', "input", "plugin", 0, "%s → %s", a->plugin, b->plugin);
	for (i = 0; i < b->nsettings_given; i++) {
		for (j = 0; j < a->nsettings_given && strcmp(a->settings[j].name, b->settings[i].name); j++)
			;
		if (j == a->nsettings_given)
			colink_change_add(out, '+', "setting", b->settings[i].name, 0, "\"%s\"",
					  b->settings[i].value);
		else if (strcmp(a->settings[j].value, b->settings[i].value))
			colink_change_add(out, '~', "setting", b->settings[i].name, 0,
					  "\"%s\" → \"%s\"", a->settings[j].value, b->settings[i].value);
	}
	for (j = 0; j < a->nsettings_given; j++) {
		for (i = 0; i < b->nsettings_given && strcmp(a->settings[j].name, b->settings[i].name); i++)
			;
		if (i == b->nsettings_given)
			colink_change_add(out, '-', "setting", a->settings[j].name, 0,
					  "was \"%s\" (the plugin default applies)", a->settings[j].value);
	}
	if (a->primary_key != b->primary_key)
		colink_change_add(out, '~', "primary-key", NULL, 0, "%s → %s",
				  a->primary_key ? a->primary_key->kind : "card",
				  b->primary_key ? b->primary_key->kind : "card");
	if (a->unmapped != b->unmapped)
		colink_change_add(out, '~', "unmapped columns", NULL,
				  b->unmapped == COLINK_UNMAPPED_OBSERVATION,
				  "%s → %s%s", doc_unmapped_name(a->unmapped), doc_unmapped_name(b->unmapped),
				  b->unmapped == COLINK_UNMAPPED_OBSERVATION ? " (columns nobody reviewed are stored)"
				  : b->unmapped == COLINK_UNMAPPED_IGNORE ? " (new vendor columns pass unnoticed)"
				  : "");
	diff_ignored(out, a, b);
	if (a->items_catalogue != b->items_catalogue)
		colink_change_add(out, b->items_catalogue ? '+' : '-', "items", "catalogue",
				  b->items_catalogue, NULL);
}

static void diff_fields(struct colink_changes *out, const struct colink_mapping *a,
			const struct colink_mapping *b)
{
	size_t i;
	for (i = 0; i < b->nfields; i++) {
		const struct colink_map_field *fb = &b->fields[i];
		const struct colink_map_field *fa = colink_mapping_find(a, fb->field->name);
		if (fa) {
			diff_field(out, fa, fb);
		} else {
			char *src = doc_source(fb);
			colink_change_add(out, '+', what_of(fb), fb->field->name,
					  !(fb->field->flags & COLINK_FIELD_IDENTIFIER), "(%s)",
					  src ? src : "?");
			colink_free(src);
		}
	}
	for (i = 0; i < a->nfields; i++) {
		const struct colink_map_field *fa = &a->fields[i];
		if (!colink_mapping_find(b, fa->field->name)) {
			char *src = doc_source(fa);
			colink_change_add(out, '-', what_of(fa), fa->field->name, 0, "(%s; %s)",
					  src ? src : "?",
					  b->unmapped == COLINK_UNMAPPED_REJECT ? "if still sent, it now fails the file"
					  : b->unmapped == COLINK_UNMAPPED_OBSERVATION
						  ? "if still sent, it is now kept as an observation"
						  : "if still sent, it is now ignored");
			colink_free(src);
		}
	}
}

static const struct colink_map_constant *find_const(const struct colink_mapping *m, const char *f)
{
	size_t i;
	for (i = 0; i < m->nconstants; i++)
		if (!strcmp(m->constants[i].field->name, f))
			return &m->constants[i];
	return NULL;
}

static const struct colink_null_text *find_null(const struct colink_mapping *m, const char *t)
{
	size_t i;
	for (i = 0; i < m->nnulls; i++)
		if (!strcmp(m->nulls[i].text, t))
			return &m->nulls[i];
	return NULL;
}

static void diff_constants_nulls(struct colink_changes *out, const struct colink_mapping *a,
				 const struct colink_mapping *b)
{
	size_t i;
	for (i = 0; i < b->nconstants; i++) {
		const struct colink_map_constant *cb = &b->constants[i];
		const struct colink_map_constant *ca = find_const(a, cb->field->name);
		if (!ca)
			colink_change_add(out, '+', "constant", cb->field->name, 1, "\"%s\"", cb->value);
		else if (strcmp(ca->value, cb->value))
			colink_change_add(out, '~', "constant", cb->field->name, 0, "\"%s\" → \"%s\"",
					  ca->value, cb->value);
	}
	for (i = 0; i < a->nconstants; i++)
		if (!find_const(b, a->constants[i].field->name))
			colink_change_add(out, '-', "constant", a->constants[i].field->name, 0, "was \"%s\"",
					  a->constants[i].value);
	for (i = 0; i < b->nnulls; i++) {
		const struct colink_null_text *nb = &b->nulls[i], *na = find_null(a, nb->text);
		if (!na)
			colink_change_add(out, '+', "null word", nb->text, 0, "→ %s",
					  colink_null_name(nb->reason));
		else if (na->reason != nb->reason)
			colink_change_add(out, '~', "null word", nb->text, 0, "%s → %s",
					  colink_null_name(na->reason), colink_null_name(nb->reason));
	}
	for (i = 0; i < a->nnulls; i++)
		if (!find_null(b, a->nulls[i].text))
			colink_change_add(out, '-', "null word", a->nulls[i].text, 0,
					  "no longer a null (was %s)", colink_null_name(a->nulls[i].reason));
}

void colink_diff_mappings(struct colink_changes *out, const struct colink_mapping *a,
			  const struct colink_mapping *b, const struct colink_catalog *cat)
{
	diff_header(out, a, b);
	diff_chooses(out, a, b);
	diff_fields(out, a, b);
	diff_constants_nulls(out, a, b);
	diff_codemaps(out, a, b, cat);
}
