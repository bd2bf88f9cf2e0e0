/* mapping.c -- loading and checking mapping files (see mapping.h). */
#include "core/mapping_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "core/value.h"
#include "base/xmlutil.h"

int colink_null_from_name(const char *s)
{
	if (!strcmp(s, "not-performed")) return COLINK_NULL_NOT_PERFORMED;
	if (!strcmp(s, "unmeasurable")) return COLINK_NULL_UNMEASURABLE;
	if (!strcmp(s, "missing")) return COLINK_NULL_MISSING;
	if (!strcmp(s, "below-range")) return COLINK_NULL_BELOW_RANGE;
	if (!strcmp(s, "above-range")) return COLINK_NULL_ABOVE_RANGE;
	if (!strcmp(s, "invalid")) return COLINK_NULL_INVALID;
	return -1;
}

const char *colink_null_name(int reason)
{
	switch (reason) {
	case COLINK_NULL_NOT_PERFORMED: return "not-performed";
	case COLINK_NULL_UNMEASURABLE: return "unmeasurable";
	case COLINK_NULL_MISSING: return "missing";
	case COLINK_NULL_BELOW_RANGE: return "below-range";
	case COLINK_NULL_ABOVE_RANGE: return "above-range";
	case COLINK_NULL_INVALID: return "invalid";
	default: return NULL;
	}
}

const struct colink_map_field *colink_mapping_find(const struct colink_mapping *m,
						   const char *field)
{
	size_t i;
	for (i = 0; m && i < m->nfields; i++)
		if (!strcmp(m->fields[i].field->name, field))
			return &m->fields[i];
	return NULL;
}

int colink_mapping_ignores(const struct colink_mapping *m, const char *column)
{
	size_t i;
	for (i = 0; m && column && i < m->nignored; i++)
		if (!strcmp(m->ignored[i].column, column))
			return 1;
	return 0;
}

static const struct colink_map_constant *find_constant(const struct colink_mapping *m,
							const char *field)
{
	size_t i;
	for (i = 0; i < m->nconstants; i++)
		if (!strcmp(m->constants[i].field->name, field))
			return &m->constants[i];
	return NULL;
}

/* Append one zeroed element to a small array (mapping_int.h). */
void *colink_mapping_append(void **arr, size_t *n, size_t elem)
{
	size_t bytes;
	void *na;
	if (colink_size_mul(&bytes, *n + 1, elem))
		return NULL;
	na = colink_realloc(*arr, bytes);
	if (!na)
		return NULL;
	*arr = na;
	memset((char *)na + *n * elem, 0, elem);
	return (char *)na + (*n)++ * elem;
}

#define OOM(err) COLINK_ERR(err, COLINK_ENOMEM, "out of memory reading mapping")

const struct colink_codemap *colink_mapping_codemap(const struct colink_mapping *m,
						    const struct colink_catalog *cat,
						    const char *name)
{
	size_t i;
	for (i = 0; i < m->nlocal; i++)
		if (!strcmp(m->local_maps[i].name, name))
			return &m->local_maps[i];
	return colink_catalog_codemap(cat, name);
}

/* ---- <codemap> (first pass, so fields can refer to maps declared later) */

static int read_codemap(struct colink_mapping *m, xmlNodePtr n,
			struct colink_error *err)
{
	struct colink_codemap *cm;
	xmlNodePtr c;
	char *other;
	size_t i;
	int line = colink_xml_line(n);
	char *name = colink_xml_attr(n, "name");
	if (!name)
		return OOM(err);
	for (i = 0; i < m->nlocal; i++)
		if (!strcmp(m->local_maps[i].name, name)) {
			colink_free(name);
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: codemap '%s' declared twice (first at line %d)",
					  m->path, line, m->local_maps[i].name, m->local_maps[i].line);
		}
	cm = colink_mapping_append((void **)&m->local_maps, &m->nlocal, sizeof(*cm));
	if (!cm) {
		colink_free(name);
		return OOM(err);
	}
	cm->name = name;
	cm->line = line;
	other = colink_xml_attr(n, "other");
	cm->other_keep = other && !strcmp(other, "keep");
	colink_free(other);
	for (c = n->children; c; c = c->next) {
		char *from, *to;
		int bad = 0;
		if (!colink_xml_is(c, "code"))
			continue;
		from = colink_xml_attr(c, "from");
		to = colink_xml_attr(c, "to");
		if (!from || !to)
			bad = -1;
		else if (colink_codemap_lookup(cm, from))
			bad = 1;
		if (!bad) {
			char **nf = colink_realloc(cm->from, (cm->n + 1) * sizeof(char *));
			char **nt = nf ? colink_realloc(cm->to, (cm->n + 1) * sizeof(char *)) : NULL;
			if (nf)
				cm->from = nf;
			if (nt)
				cm->to = nt;
			if (!nf || !nt) {
				bad = -1;
			} else {
				cm->from[cm->n] = from;
				cm->to[cm->n] = to;
				cm->n++;
				continue;
			}
		}
		colink_free(from);
		colink_free(to);
		if (bad > 0)
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: code mapped twice in codemap '%s'",
					  m->path, colink_xml_line(c), cm->name);
		return OOM(err);
	}
	return COLINK_OK;
}

/* ---- TODO markers of a draft (colink scan) ---- */

/* 1 when n is a TODO marker: a <todo> or a <field todo="...">. */
static int is_todo(xmlNodePtr n)
{
	return colink_xml_is(n, "todo") ||
	       (colink_xml_is(n, "field") && xmlHasProp(n, (const xmlChar *)"todo"));
}

/* The one-line message for a marker, into buf. */
static void todo_message(char *buf, size_t len, const char *path, int line,
			 const char *column, uint32_t position)
{
	if (column)
		snprintf(buf, len, "%s:%d: column \"%s\" is still unmapped (TODO)", path, line, column);
	else
		snprintf(buf, len, "%s:%d: column %u is still unmapped (TODO)", path, line,
			 (unsigned)position);
}

/* A <todo position="A+N"> of a fixed-width draft: its column "bytes A-B". */
static void todo_bytes(char **col, char **pos)
{
	uint32_t s, l;
	if (!*col && colink_mapping_is_byte_range(*pos) &&
	    !colink_mapping_parse_byte_range(*pos, &s, &l)) {
		*col = colink_mapping_byte_column(s, l);
		colink_free(*pos);
		*pos = NULL;
	}
}

static int todo_error(struct colink_mapping *m, xmlNodePtr n, struct colink_error *err)
{
	char *col = colink_xml_attr(n, "column"), *pos = colink_xml_attr(n, "position");
	char msg[COLINK_ERRMSG_MAX];
	todo_bytes(&col, &pos);
	todo_message(msg, sizeof(msg), m->path, colink_xml_line(n), col,
		     pos ? (uint32_t)strtoul(pos, NULL, 10) : 0);
	colink_free(col);
	colink_free(pos);
	return COLINK_ERR(err, COLINK_EINVAL, "%s", msg);
}

int colink_mapping_todos(const char *path, const char *data_dir,
			 colink_todo_fn fn, void *ud, struct colink_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr n;
	int count = 0, rc = colink_xml_load(path, data_dir, "mapping", &doc, err);
	if (rc)
		return rc;
	colink_xml_oom_reset();
	for (n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
		char *col, *pos;
		if (!is_todo(n))
			continue;
		col = colink_xml_attr(n, "column");
		pos = colink_xml_attr(n, "position");
		todo_bytes(&col, &pos);
		if (fn && (col || pos))
			fn(ud, colink_xml_line(n), col, pos ? (uint32_t)strtoul(pos, NULL, 10) : 0);
		colink_free(col);
		colink_free(pos);
		count++;
	}
	xmlFreeDoc(doc);
	if (colink_xml_oom_seen())
		return OOM(err);
	return count;
}

/* ---- <field> ---- */

static int check_range(struct colink_mapping *m, struct colink_map_field *f,
		       const char *attr, char **dst, xmlNodePtr n,
		       struct colink_error *err)
{
	char *v = colink_xml_attr(n, attr), buf[64], why[96], cz = 0;
	if (!v)
		return COLINK_OK;
	if (colink_parse_decimal(v, strlen(v), 0, buf, sizeof(buf), &cz, why, sizeof(why))) {
		colink_free(v);
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: %s of field %s is not a decimal: %s",
				  m->path, f->line, attr, f->field->name, why);
	}
	colink_free(v);
	*dst = colink_strdup(buf);
	return *dst ? COLINK_OK : OOM(err);
}

/* pattern= and placeholders= (form.h); a bad pattern is file:line. */
static int field_form(struct colink_mapping *m, struct colink_map_field *f, xmlNodePtr n,
		      struct colink_error *err)
{
	char *pat = colink_xml_attr(n, "pattern"), *ph = colink_xml_attr(n, "placeholders");
	char where[512];
	int rc = COLINK_OK;
	snprintf(where, sizeof(where), "%s:%d", m->path, f->line);
	if (pat || ph)
		rc = colink_form_compile(&f->form, pat, ph, where, err);
	colink_free(pat);
	colink_free(ph);
	return rc;
}

static int field_formats(struct colink_mapping *m, struct colink_map_field *f,
			 xmlNodePtr n, struct colink_error *err)
{
	char *fmt = colink_xml_attr(n, "format");
	int rc = COLINK_OK;
	f->date_format = COLINK_DATE_AUTO;
	if (!fmt)
		return COLINK_OK;
	if (f->field->type == COLINK_T_DATE && colink_date_format_from_name(fmt) >= 0)
		f->date_format = colink_date_format_from_name(fmt);
	else if ((f->field->type == COLINK_T_INT || f->field->type == COLINK_T_DECIMAL) &&
		 colink_duration_format_from_name(fmt) > 0)
		f->dur_format = colink_duration_format_from_name(fmt);
	else
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: format '%s' does not apply to %s field %s",
				m->path, f->line, fmt, colink_type_name(f->field->type), f->field->name);
	colink_free(fmt);
	return rc;
}

static int field_target(struct colink_mapping *m, struct colink_map_field *f,
			xmlNodePtr n, const struct colink_catalog *cat,
			struct colink_error *err)
{
	char *target = colink_xml_attr(n, "target"), *item = colink_xml_attr(n, "item");
	int rc = COLINK_OK;
	if (item) {
		f->item = colink_catalog_item(cat, item);
		if (!f->item)
			rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: item code %s is not in common/items.tsv",
					m->path, f->line, item);
		else
			f->field = f->item->field;
	} else if (target) {
		f->field = colink_catalog_field(cat, target);
		if (!f->field)
			rc = COLINK_ERR(err, COLINK_EINVAL,
					"%s:%d: unknown target field '%s' (see common/fields.tsv)",
					m->path, f->line, target);
	}
	colink_free(target);
	colink_free(item);
	if (rc == COLINK_OK && !f->field)
		rc = OOM(err); /* the schema requires one of the two attributes */
	return rc;
}

static int field_unit_and_map(struct colink_mapping *m, struct colink_map_field *f,
			      xmlNodePtr n, const struct colink_catalog *cat,
			      struct colink_error *err)
{
	char *unit = colink_xml_attr(n, "unit"), *cm = colink_xml_attr(n, "codemap");
	int rc = COLINK_OK;
	if (unit && (!f->field->unit || strcmp(unit, f->field->unit)))
		rc = COLINK_ERR(err, COLINK_EINVAL,
				"%s:%d: unit '%s' of field %s differs from the common schema unit '%s' (no conversion is defined)",
				m->path, f->line, unit, f->field->name,
				f->field->unit ? f->field->unit : "none");
	else if (cm && !(f->codemap = colink_mapping_codemap(m, cat, cm)))
		rc = COLINK_ERR(err, COLINK_EINVAL,
				"%s:%d: codemap '%s' is neither in this mapping nor in common/codemaps.tsv",
				m->path, f->line, cm);
	colink_free(unit);
	colink_free(cm);
	return rc;
}

static int field_identity(struct colink_mapping *m, struct colink_map_field *f,
			  xmlNodePtr n, const struct colink_catalog *cat,
			  const struct colink_variant_table *vt,
			  struct colink_error *err)
{
	char *chain = colink_xml_attr(n, "normalize");
	size_t idx = colink_catalog_field_index(cat, f->field);
	int rc;
	if (!(f->field->flags & COLINK_FIELD_IDENTIFIER)) {
		int bad = chain != NULL;
		colink_free(chain);
		if (bad)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s:%d: normalize= applies only to identifier fields; %s is not one",
					  m->path, f->line, f->field->name);
		return COLINK_OK;
	}
	if (!chain && cat->field_normalize[idx])
		chain = colink_strdup(cat->field_normalize[idx]);
	if (!chain)
		chain = colink_strdup("nfkc");
	if (!chain)
		return OOM(err);
	f->normalize = chain;
	rc = colink_normalizer_new(&f->norm, chain, vt, err);
	if (rc) {
		char why[COLINK_ERRMSG_MAX];
		snprintf(why, sizeof(why), "%s", err->msg);
		return COLINK_ERR(err, rc, "%s:%d: field %s: %s", m->path, f->line,
				  f->field->name, why);
	}
	return COLINK_OK;
}

int colink_mapping_read_field(struct colink_mapping *m, xmlNodePtr n,
			      const struct colink_catalog *cat,
			      const struct colink_variant_table *vt,
			      struct colink_error *err)
{
	struct colink_map_field *f = colink_mapping_append((void **)&m->fields, &m->nfields, sizeof(*f));
	char *pos, *s;
	int rc;
	if (!f)
		return OOM(err);
	f->line = colink_xml_line(n);
	f->censored_allow = 1;
	if ((rc = field_target(m, f, n, cat, err)))
		return rc;
	if (colink_mapping_find(m, f->field->name) != f || find_constant(m, f->field->name))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s is mapped twice",
				  m->path, f->line, f->field->name);
	f->column = colink_xml_attr(n, "column");
	pos = colink_xml_attr(n, "position");
	if (pos && colink_mapping_is_byte_range(pos))
		rc = colink_mapping_byte_position(m, f, pos, err);
	else if (pos)
		f->position = (uint32_t)strtoul(pos, NULL, 10);
	colink_free(pos);
	if (rc)
		return rc;
	if ((s = colink_xml_attr(n, "censored"))) {
		f->censored_allow = strcmp(s, "reject") != 0;
		colink_free(s);
	}
	if ((s = colink_xml_attr(n, "required"))) {
		f->required = !strcmp(s, "true") || !strcmp(s, "1");
		colink_free(s);
	}
	if ((s = colink_xml_attr(n, "on-error"))) {
		f->on_error_null = !strcmp(s, "null");
		colink_free(s);
	}
	if ((rc = field_form(m, f, n, err)) || (rc = colink_mapping_field_sources(m, f, n, err)) ||
	    (rc = field_formats(m, f, n, err)) || (rc = field_unit_and_map(m, f, n, cat, err)) ||
	    (rc = check_range(m, f, "min", &f->min, n, err)) ||
	    (rc = check_range(m, f, "max", &f->max, n, err)))
		return rc;
	if ((f->min || f->max) && f->field->type != COLINK_T_DECIMAL && f->field->type != COLINK_T_INT)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: min/max apply to numbers; %s is %s",
				  m->path, f->line, f->field->name, colink_type_name(f->field->type));
	if (f->min && f->max && colink_decimal_cmp(f->min, f->max) > 0)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: min is greater than max for %s",
				  m->path, f->line, f->field->name);
	return field_identity(m, f, n, cat, vt, err);
}

static int read_constant(struct colink_mapping *m, xmlNodePtr n,
			 const struct colink_catalog *cat, struct colink_error *err)
{
	struct colink_map_constant *c;
	char *target = colink_xml_attr(n, "target");
	const struct colink_field_def *f = colink_catalog_field(cat, target);
	int line = colink_xml_line(n);
	if (!f) {
		COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown target field '%s' (see common/fields.tsv)",
			   m->path, line, target ? target : "");
		colink_free(target);
		return COLINK_EINVAL;
	}
	colink_free(target);
	if (f->flags & COLINK_FIELD_IDENTIFIER)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: identifier field %s cannot be a constant",
				  m->path, line, f->name);
	if (colink_mapping_find(m, f->name) || find_constant(m, f->name))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: field %s is mapped twice", m->path, line, f->name);
	c = colink_mapping_append((void **)&m->constants, &m->nconstants, sizeof(*c));
	if (!c)
		return OOM(err);
	c->field = f;
	c->line = line;
	c->value = colink_xml_attr(n, "value");
	return c->value ? COLINK_OK : OOM(err);
}

static int read_null(struct colink_mapping *m, xmlNodePtr n, struct colink_error *err)
{
	struct colink_null_text *nt = colink_mapping_append((void **)&m->nulls, &m->nnulls, sizeof(*nt));
	char *r;
	if (!nt)
		return OOM(err);
	nt->text = colink_xml_attr(n, "text");
	r = colink_xml_attr(n, "reason");
	nt->reason = r ? colink_null_from_name(r) : -1;
	colink_free(r);
	if (!nt->text)
		return OOM(err);
	return COLINK_OK;
}

/* <ignore column="X"/>: once, and not a column a <field> reads too. */
static int read_ignore(struct colink_mapping *m, xmlNodePtr n, struct colink_error *err)
{
	struct colink_map_ignore *ig;
	int line = colink_xml_line(n);
	char *col = colink_xml_attr(n, "column");
	size_t i;
	if (!col)
		return OOM(err);
	for (i = 0; i < m->nignored; i++)
		if (!strcmp(m->ignored[i].column, col)) {
			COLINK_ERR(err, COLINK_EINVAL, "%s:%d: column \"%s\" is ignored twice (first at line %d)",
				   m->path, line, col, m->ignored[i].line);
			colink_free(col);
			return COLINK_EINVAL;
		}
	ig = colink_mapping_append((void **)&m->ignored, &m->nignored, sizeof(*ig));
	if (!ig) {
		colink_free(col);
		return OOM(err);
	}
	ig->column = col;
	ig->line = line;
	return COLINK_OK;
}

/* An ignored column that a <field> also reads: one of the two is wrong. */
static int check_ignored(const struct colink_mapping *m, struct colink_error *err)
{
	size_t i, k;
	for (i = 0; i < m->nignored; i++)
		for (k = 0; k < m->nfields; k++)
			if (m->fields[k].column && !strcmp(m->fields[k].column, m->ignored[i].column))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s:%d: column \"%s\" is both ignored and mapped (field %s, line %d)",
						  m->path, m->ignored[i].line, m->ignored[i].column,
						  m->fields[k].field->name, m->fields[k].line);
	return COLINK_OK;
}

static int read_input(struct colink_mapping *m, xmlNodePtr n, struct colink_error *err)
{
	xmlNodePtr c;
	m->plugin = colink_xml_attr(n, "plugin");
	m->plugin_line = colink_xml_line(n);
	if (!m->plugin)
		return OOM(err);
	for (c = n->children; c; c = c->next) {
		struct colink_setting_given *g;
		if (!colink_xml_is(c, "set"))
			continue;
		g = colink_mapping_append((void **)&m->settings, &m->nsettings, sizeof(*g));
		if (!g)
			return OOM(err);
		g->name = colink_xml_attr(c, "name");
		g->value = colink_xml_attr(c, "value");
		g->line = colink_xml_line(c);
		if (!g->name || !g->value)
			return OOM(err);
	}
	return COLINK_OK;
}

/* The date that identifies a record of each kind (NULL: none needed). */
static const char *kind_date_field(const char *kind)
{
	if (!strcmp(kind, "checkup"))
		return "exam_date";
	if (!strcmp(kind, "attendance"))
		return "year_month";
	if (!strcmp(kind, "stress"))
		return "stress_date";
	if (!strcmp(kind, "claims"))
		return "claims_year"; /* a year, not a date: the row key all the same */
	if (!strcmp(kind, "participation"))
		return "participation_date"; /* with the programme: the row key */
	/* レセプト (UKE, #21): the claim key; a child's is its claim's */
	if (!strcmp(kind, "claim"))
		return "claim_key";
	if (!strcmp(kind, "diagnosis"))
		return "diag_claim_key";
	if (!strcmp(kind, "claim_item"))
		return "item_claim_key";
	/* code masters (#21): the code is the row key */
	if (!strcmp(kind, "disease_master"))
		return "master_disease_code";
	if (!strcmp(kind, "drug_master"))
		return "master_drug_code";
	/* 傷病手当金 (#21 part 5): a payment is its person's period start */
	if (!strcmp(kind, "allowance"))
		return "allowance_from";
	return NULL;
}

int colink_mapping_is_master(const struct colink_mapping *m)
{
	return m && m->kind && (!strcmp(m->kind, "disease_master") || !strcmp(m->kind, "drug_master"));
}

/* Kinds of the association's records: persons by insurance card. */
static int association_kind(const char *kind)
{
	static const char *const kinds[] = { "checkup", "claims", "claim", "diagnosis",
					     "claim_item", "allowance", NULL };
	size_t i;
	for (i = 0; kinds[i]; i++)
		if (!strcmp(kind, kinds[i]))
			return 1;
	return 0;
}

/* Checks that need the whole file: the person key and the record date. */
static int check_whole(struct colink_mapping *m, xmlNodePtr root,
		       const struct colink_catalog *cat, struct colink_error *err)
{
	const struct colink_key_kind *k = m->primary_key;
	const char *date_field = kind_date_field(m->kind);
	size_t i;
	int line = colink_xml_line(root);
	/* a code master (傷病名マスター, 医薬品マスター) describes codes, not
	 * persons: no person key, and no identifier may be mapped */
	if (colink_mapping_is_master(m)) {
		if (k)
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a %s mapping has no primary-key (its rows are codes, not persons)",
					  m->path, line, m->kind);
		for (i = 0; i < m->nfields; i++)
			if (m->fields[i].field->flags & COLINK_FIELD_IDENTIFIER)
				return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a %s mapping cannot map identifier %s",
						  m->path, m->fields[i].line, m->kind, m->fields[i].field->name);
		if (!colink_mapping_find(m, date_field))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a %s mapping must map %s",
					  m->path, line, m->kind, date_field);
		return COLINK_OK;
	}
	/* the association's records are persons by insurance card, the
	 * employer's by employee number */
	if (!k)
		k = m->primary_key = colink_catalog_key(cat, association_kind(m->kind) ? "card"
										      : "employee");
	if (!k)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: no primary-key and no 'card' key kind in common/keys.tsv",
				  m->path, line);
	if (m->extract) {
		/* records bring their pseudonyms: nothing raw may be mapped */
		for (i = 0; i < m->nfields; i++)
			if (m->fields[i].field->flags & COLINK_FIELD_IDENTIFIER)
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s:%d: an extract mapping cannot map identifier %s",
						  m->path, m->fields[i].line, m->fields[i].field->name);
		return COLINK_OK;
	}
	for (i = 0; i < k->nparts; i++)
		if (!k->optional[i] && !colink_mapping_find(m, k->parts[i]))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s:%d: primary key '%s' needs field %s, which this mapping does not map",
					  m->path, line, k->kind, k->parts[i]);
	if (!strcmp(m->kind, "stress")) {
		int rc = colink_stress_rules_load(&m->stress, cat->dir, err);
		if (rc)
			return rc;
		if (!m->stress_method)
			m->stress_method = COLINK_STRESS_TOTAL;
		if (m->stress_method == COLINK_STRESS_CONVERTED &&
		    !colink_stress_rules_has_conversion(m->stress))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s:%d: the converted-score method (the manual's 素点換算表) "
					  "is unavailable: %s", m->path, line,
					  colink_stress_rules_conversion_why(m->stress));
	}
	if (date_field && !colink_mapping_find(m, date_field) && !find_constant(m, date_field))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a %s mapping must map %s",
				  m->path, line, m->kind, date_field);
	for (i = 0; i < m->nnulls; i++)
		if (m->nulls[i].reason < 0)
			return COLINK_ERR(err, COLINK_EINVAL, "%s: unknown null reason", m->path);
	return COLINK_OK;
}

static int read_top(struct colink_mapping *m, xmlNodePtr root,
		    const struct colink_catalog *cat,
		    const struct colink_variant_table *vt, struct colink_error *err)
{
	xmlNodePtr n;
	int rc = COLINK_OK;
	m->id = colink_xml_attr(root, "id");
	m->version = colink_xml_attr(root, "version");
	m->kind = colink_xml_attr(root, "kind");
	if (!m->id || !m->version || !m->kind)
		return OOM(err);
	/* code maps first: fields may name a map declared further down */
	for (n = root->children; rc == COLINK_OK && n; n = n->next)
		if (colink_xml_is(n, "codemap"))
			rc = read_codemap(m, n, err);
	for (n = root->children; rc == COLINK_OK && n; n = n->next) {
		if (is_todo(n))
			rc = todo_error(m, n, err); /* a draft: never runs */
		else if (colink_xml_is(n, "description"))
			m->description = colink_xml_text(n);
		else if (colink_xml_is(n, "input"))
			rc = read_input(m, n, err);
		else if (colink_xml_is(n, "primary-key")) {
			char *k = colink_xml_attr(n, "kind");
			m->primary_key = colink_catalog_key(cat, k);
			if (!m->primary_key)
				rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown key kind '%s' (see common/keys.tsv)",
						m->path, colink_xml_line(n), k ? k : "");
			colink_free(k);
		} else if (colink_xml_is(n, "field"))
			rc = colink_mapping_read_field(m, n, cat, vt, err);
		else if (colink_xml_is(n, "choose"))
			rc = colink_mapping_read_choose(m, n, cat, vt, err);
		else if (colink_xml_is(n, "constant"))
			rc = read_constant(m, n, cat, err);
		else if (colink_xml_is(n, "null"))
			rc = read_null(m, n, err);
		else if (colink_xml_is(n, "ignore"))
			rc = read_ignore(m, n, err);
		else if (colink_xml_is(n, "items"))
			m->items_catalogue = 1;
		else if (colink_xml_is(n, "extract"))
			m->extract = 1;
		else if (colink_xml_is(n, "stress")) {
			char *v = colink_xml_attr(n, "method");
			m->stress_method = v && !strcmp(v, "converted") ? COLINK_STRESS_CONVERTED
									 : COLINK_STRESS_TOTAL;
			colink_free(v);
		}
		else if (colink_xml_is(n, "unmapped")) {
			char *v = colink_xml_attr(n, "columns");
			m->unmapped = !v ? 0 : !strcmp(v, "observation") ? COLINK_UNMAPPED_OBSERVATION
				     : !strcmp(v, "reject") ? COLINK_UNMAPPED_REJECT : COLINK_UNMAPPED_IGNORE;
			m->unmapped_line = colink_xml_line(n);
			colink_free(v);
		}
	}
	if (rc == COLINK_OK)
		rc = check_ignored(m, err);
	if (rc == COLINK_OK)
		rc = colink_mapping_check_sources(m, err);
	return rc ? rc : check_whole(m, root, cat, err);
}

int colink_mapping_load(struct colink_mapping **out, const char *path,
			const struct colink_catalog *cat,
			const struct colink_variant_table *vt,
			struct colink_error *err)
{
	struct colink_mapping *m;
	xmlDocPtr doc = NULL;
	int rc;

	*out = NULL;
	m = colink_calloc(1, sizeof(*m));
	if (!m || !(m->path = colink_strdup(path))) {
		colink_free(m);
		return OOM(err);
	}
	rc = colink_sha256_path(path, m->sha256, NULL, err);
	if (rc == COLINK_OK)
		rc = colink_xml_load(path, cat->dir, "mapping", &doc, err);
	colink_xml_oom_reset();
	if (rc == COLINK_OK)
		rc = read_top(m, xmlDocGetRootElement(doc), cat, vt, err);
	/* an attribute lost to out-of-memory reads like an absent one: say
	 * what really happened rather than a misleading validation error */
	if (colink_xml_oom_seen())
		rc = OOM(err);
	if (doc)
		xmlFreeDoc(doc);
	if (rc) {
		colink_mapping_free(m);
		return rc;
	}
	*out = m;
	return COLINK_OK;
}

void colink_mapping_free(struct colink_mapping *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->nfields; i++) {
		struct colink_map_field *f = &m->fields[i];
		colink_free(f->column);
		colink_free(f->min);
		colink_free(f->max);
		colink_free(f->normalize);
		colink_normalizer_free(f->norm);
		colink_form_free(f->form);
		colink_mapping_free_field_sources(f);
	}
	colink_mapping_free_chooses(m);
	colink_free(m->fields);
	for (i = 0; i < m->nignored; i++)
		colink_free(m->ignored[i].column);
	colink_free(m->ignored);
	for (i = 0; i < m->nconstants; i++)
		colink_free(m->constants[i].value);
	colink_free(m->constants);
	for (i = 0; i < m->nnulls; i++)
		colink_free(m->nulls[i].text);
	colink_free(m->nulls);
	for (i = 0; i < m->nlocal; i++)
		colink_codemap_clear(&m->local_maps[i]);
	colink_free(m->local_maps);
	for (i = 0; i < m->nsettings; i++) {
		colink_free((char *)m->settings[i].name);
		colink_free((char *)m->settings[i].value);
	}
	colink_free(m->settings);
	colink_free(m->path);
	colink_free(m->id);
	colink_free(m->version);
	colink_free(m->kind);
	colink_free(m->description);
	colink_free(m->plugin);
	colink_stress_rules_free(m->stress);
	colink_free(m);
}
