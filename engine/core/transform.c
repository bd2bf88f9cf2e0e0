/* transform.c -- raw record -> typed, pseudonymized record (transform.h). */
#include "core/transform_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "core/items_seen.h"
#include "core/value.h"

/* ================================================================== */
/* Transform                                                            */
/* ================================================================== */

/* Today as yyyymmdd, UTC (a day early or late at most against Japan's
 * date: a birth "tomorrow" in JST is still refused by the exam check). */
static int32_t today_utc(void)
{
	time_t now = time(NULL);
	struct tm tm;
	if (now == (time_t)-1 || !gmtime_r(&now, &tm))
		return 99991231;
	return (int32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

static void names_free(struct colink_transform *t);

static int slot_index(const struct colink_transform *t, const char *field)
{
	size_t i;
	for (i = 0; i < t->nslots; i++)
		if (!strcmp(t->slots[i].mf->field->name, field))
			return (int)i;
	return -1;
}

static int make_plans(struct colink_transform *t, struct colink_error *err)
{
	size_t i, j;
	t->plans = colink_calloc(t->cat->nkeys ? t->cat->nkeys : 1, sizeof(*t->plans));
	/* room for every key kind and the comparison features (#23) */
	t->pseud = colink_calloc(t->cat->nkeys + COLINK_FEATURE_MAX, sizeof(*t->pseud));
	t->pseud_hex = colink_calloc(t->cat->nkeys ? t->cat->nkeys : 1, 65);
	if (!t->plans || !t->pseud || !t->pseud_hex)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; i < t->cat->nkeys; i++) {
		struct key_plan *p = &t->plans[t->nplans++];
		p->k = &t->cat->keys[i];
		p->slot_of_part = colink_calloc(p->k->nparts, sizeof(int));
		if (!p->slot_of_part)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		for (j = 0; j < p->k->nparts; j++)
			p->slot_of_part[j] = slot_index(t, p->k->parts[j]);
	}
	return COLINK_OK;
}

static int make_lineage(struct colink_transform *t, struct colink_error *err)
{
	size_t i;
	t->lin_fields = colink_calloc(t->nslots + 1, sizeof(char *));
	t->lin_sources = colink_calloc(t->nslots + 1, sizeof(char *));
	if (!t->lin_fields || !t->lin_sources)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; i < t->nslots; i++) {
		struct slot *s = &t->slots[i];
		if (!s->mf->column)
			snprintf(s->source, sizeof(s->source), "#%u", s->mf->position);
		t->lin_fields[i] = s->mf->field->name;
		t->lin_sources[i] = tf_slot_source(s);
	}
	return COLINK_OK;
}

int colink_transform_new(struct colink_transform **out,
			 const struct colink_mapping *m,
			 const struct colink_catalog *cat,
			 struct colink_pseudo_set *ps, uint32_t input_no,
			 const char *input_path, struct colink_error *err)
{
	struct colink_transform *t = colink_calloc(1, sizeof(*t));
	size_t i;
	int rc;
	*out = NULL;
	if (!t)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	t->m = m;
	t->cat = cat;
	t->ps = ps;
	t->input_no = input_no;
	t->path = input_path;
	t->nslots = m->nfields;
	t->slots = colink_calloc(m->nfields ? m->nfields : 1, sizeof(*t->slots));
	if (!t->slots) {
		colink_free(t);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	t->choose_src = colink_calloc(m->nchooses + 1, sizeof(*t->choose_src));
	t->choose_pick = colink_calloc(m->nchooses + 1, sizeof(*t->choose_pick));
	t->choose_told = colink_calloc(m->nchooses + 1, sizeof(*t->choose_told));
	if (!t->choose_src || !t->choose_pick || !t->choose_told) {
		colink_transform_free(t);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	for (i = 0; i < m->nfields; i++) {
		t->slots[i].mf = &m->fields[i];
		t->slots[i].src = m->fields[i].column ? 0 : m->fields[i].position;
		t->names_off |= !m->fields[i].column;
		if (m->fields[i].nfrom &&
		    !(t->slots[i].from_src = colink_calloc(m->fields[i].nfrom, sizeof(uint32_t)))) {
			colink_transform_free(t);
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		}
	}
	t->birth_slot = slot_index(t, "birth_date");
	t->exam_slot = slot_index(t, "exam_date");
	t->today = today_utc();
	rc = make_plans(t, err);
	if (rc == COLINK_OK)
		rc = make_lineage(t, err);
	if (rc) {
		colink_transform_free(t);
		return rc;
	}
	t->rec.struct_size = sizeof(t->rec);
	t->rec.pseudonym_size = sizeof(*t->rec.pseudonyms);
	t->rec.value_size = sizeof(*t->rec.values);
	t->rec.kind = m->kind;
	t->rec.input_no = input_no;
	*out = t;
	return COLINK_OK;
}

void colink_transform_free(struct colink_transform *t)
{
	size_t i;
	if (!t)
		return;
	for (i = 0; t->slots && i < t->nslots; i++) {
		colink_wipe_free(t->slots[i].ident, t->slots[i].ident_len);
		colink_free(t->slots[i].from_src);
	}
	colink_free(t->choose_src);
	colink_free(t->choose_pick);
	colink_free(t->choose_told);
	for (i = 0; i < t->nplans; i++)
		colink_free(t->plans[i].slot_of_part);
	colink_free(t->plans);
	colink_free(t->pseud);
	colink_free(t->pseud_hex);
	colink_feature_enc_wipe(&t->enc);
	colink_free(t->slots);
	colink_free(t->vals);
	{
		size_t c;
		for (c = 0; c < t->nchunks; c++)
			colink_free(t->chunks[c]);
		colink_free(t->chunks);
	}
	colink_free(t->lin_fields);
	colink_free(t->lin_sources);
	names_free(t);
	colink_free(t);
}

size_t colink_transform_lineage(const struct colink_transform *t,
				const char *const **fields,
				const char *const **sources)
{
	*fields = t->lin_fields;
	*sources = t->lin_sources;
	return t->nslots;
}

const struct colink_items_seen *colink_transform_items_seen(const struct colink_transform *t)
{
	return &t->seen;
}

/* The 1-based header position of `column`, or an error naming the
 * mapping line that reads it. */
static int header_find(struct colink_transform *t, size_t n, const char *const *names,
		       const char *column, int line, uint32_t *src, struct colink_error *err)
{
	size_t j;
	for (j = 0; j < n; j++)
		if (names[j] && !strcmp(names[j], column)) {
			*src = (uint32_t)(j + 1);
			return COLINK_OK;
		}
	return COLINK_ERR(err, COLINK_EINVAL, "%s: column '%s' (mapping %s:%d) is not in the header",
			  t->path, column, t->m->path, line);
}

int colink_transform_header(struct colink_transform *t, size_t n,
			    const char *const *names, struct colink_error *err)
{
	size_t i, j, k;
	int rc;
	t->have_header = 1;
	for (i = 0; i < t->nslots; i++) {
		struct slot *s = &t->slots[i];
		for (k = 0; k < s->mf->nfrom; k++)
			if ((rc = header_find(t, n, names, s->mf->from[k], s->mf->line,
					      &s->from_src[k], err)))
				return rc;
		if (s->mf->column &&
		    (rc = header_find(t, n, names, s->mf->column, s->mf->line, &s->src, err)))
			return rc;
	}
	for (i = 0; i < t->m->nchooses; i++)
		if ((rc = header_find(t, n, names, t->m->chooses[i].column, t->m->chooses[i].line,
				      &t->choose_src[i], err)))
			return rc;
	if (t->m->unmapped == COLINK_UNMAPPED_REJECT) {
		for (j = 0; j < n; j++) {
			for (i = 0; i < t->nslots; i++)
				if (t->slots[i].src == j + 1)
					break;
			if (i == t->nslots && !colink_mapping_ignores(t->m, names[j]) &&
			    !colink_mapping_reads(t->m, names[j]))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s: column %zu ('%s') is not mapped and the mapping %s says unmapped columns are an error",
						  t->path, j + 1, names[j] ? names[j] : "", t->m->path);
		}
	}
	return COLINK_OK;
}


/* ---- fields named by item code (MHLW XML) and unmapped columns ---- */

static int explicitly_mapped_slow(const struct colink_transform *t,
				  const struct colink_raw_field *rf)
{
	size_t i;
	for (i = 0; i < t->nslots; i++) {
		const struct slot *s = &t->slots[i];
		if (s->mf->column ? (rf->name && !strcmp(s->mf->column, rf->name))
				  : s->src == rf->index)
			return 1;
	}
	/* dropped on purpose, or read as a part or a flag (#18) */
	return colink_mapping_ignores(t->m, rf->name) || colink_mapping_reads(t->m, rf->name);
}

/*
 * What a field's name says (explicitly mapped; a standard item code; its
 * catalogue item), remembered by name: documents and files repeat the
 * same names on every record, and finding them was a linear scan of the
 * mapping and a search of the catalogue for every field of every record.
 * Only names (item codes, column names) are kept, never values; at most
 * NAMES_MAX of them, then the rest is looked up as before.  Off when a
 * slot is mapped by position (then the answer depends on more than the
 * name).
 */
struct tf_name {
	char *name; /* NULL: free entry */
	unsigned char mapped, std;
	const struct colink_item *it;
};

#define NAMES_MAX 4096

static uint64_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void name_fill(const struct colink_transform *t, const struct colink_raw_field *rf,
		      struct tf_name *e)
{
	e->mapped = (unsigned char)explicitly_mapped_slow(t, rf);
	e->std = (unsigned char)colink_item_code_is_standard(rf->name);
	e->it = e->std ? colink_catalog_item(t->cat, rf->name) : NULL;
}

static int names_grow(struct colink_transform *t)
{
	size_t ncap = t->names_cap ? t->names_cap * 2 : 64, i;
	struct tf_name *nt = colink_calloc(ncap, sizeof(*nt));
	if (!nt)
		return -1;
	for (i = 0; i < t->names_cap; i++) {
		size_t j;
		if (!t->names[i].name)
			continue;
		j = (size_t)name_hash(t->names[i].name) & (ncap - 1);
		while (nt[j].name)
			j = (j + 1) & (ncap - 1);
		nt[j] = t->names[i];
	}
	colink_free(t->names);
	t->names = nt;
	t->names_cap = ncap;
	return 0;
}

/* The entry for rf's name, or NULL when it is not cached (then `tmp`
 * holds the answer). */
static const struct tf_name *name_info(struct colink_transform *t,
				       const struct colink_raw_field *rf,
				       struct tf_name *tmp)
{
	size_t j;
	if (!t->names_off && rf->name) {
		uint64_t h = name_hash(rf->name);
		for (j = t->names_cap ? (size_t)h & (t->names_cap - 1) : 0;
		     t->names_cap && t->names[j].name; j = (j + 1) & (t->names_cap - 1))
			if (!strcmp(t->names[j].name, rf->name))
				return &t->names[j];
		if (t->names_n < NAMES_MAX && (2 * (t->names_n + 1) <= t->names_cap ||
					       names_grow(t) == 0)) {
			char *copy = colink_strdup(rf->name);
			if (copy) {
				j = (size_t)h & (t->names_cap - 1);
				while (t->names[j].name)
					j = (j + 1) & (t->names_cap - 1);
				t->names[j].name = copy;
				name_fill(t, rf, &t->names[j]);
				t->names_n++;
				return &t->names[j];
			}
		}
	}
	name_fill(t, rf, tmp);
	return tmp;
}

static int explicitly_mapped(struct colink_transform *t, const struct colink_raw_field *rf)
{
	struct tf_name tmp;
	return name_info(t, rf, &tmp)->mapped;
}

static void names_free(struct colink_transform *t)
{
	size_t i;
	for (i = 0; i < t->names_cap; i++)
		colink_free(t->names[i].name);
	colink_free(t->names);
}

static int extra_field(struct colink_transform *t, const struct colink_raw_field *rf,
		       const struct tf_name *ni, struct colink_error *err)
{
	int std = ni->std, coded = t->m->items_catalogue && !t->m->extract;
	const struct colink_item *it = ni->it;
	const struct colink_field_def *f = NULL;
	const char *shape;
	struct colink_out_value *ov;
	char *buf, why[192];
	int rc;
	if (it && t->m->items_catalogue) {
		f = it->field;
	} else if (t->m->unmapped != COLINK_UNMAPPED_OBSERVATION) {
		return COLINK_OK;
	} else if (std) {
		colink_items_seen_note(&t->seen, COLINK_ITEM_UNCATALOGUED, rf->name);
	} else if (rf->name && strchr(rf->name, '.') &&
		   (!coded || colink_item_is_document_part(rf->name))) {
		return COLINK_OK; /* header parts and author names: only when mapped */
	} else if (!t->m->extract && rf->value &&
		   (shape = colink_identifier_shape(rf->value, rf->len))) {
		/* kept as raw text, so never a value shaped like an identifier
		 * (#24): the column's name was judged before the run, this
		 * catches what a name does not say; the value is not repeated */
		return colink_tf_reject(t, rf->name, "%s: a value shaped like %s in a column kept as an observation "
					"(map the column, or drop it with <ignore>)",
					rf->name ? rf->name : "unnamed column", shape);
	}
	if (!std && coded) /* fields named by code: this one is no item code */
		colink_items_seen_note(&t->seen, COLINK_ITEM_NONSTANDARD, rf->name);
	if (!(ov = colink_tf_push_val(t, err)) || !(buf = colink_tf_scratch(t, err)))
		return COLINK_ENOMEM;
	ov->field = f;
	ov->item_code = rf->name;
	ov->source = rf->name;
	rc = colink_tf_convert(t, f, NULL, rf, buf, &ov->v, why, sizeof(why));
	if (rc == COLINK_REJECTED && !f) {
		/* an unknown item keeps its text */
		memset(&ov->v, 0, sizeof(ov->v));
		ov->v.type = COLINK_T_TEXT;
		ov->v.text = rf->value;
		ov->v.raw = rf->value;
		return COLINK_OK;
	}
	if (rc)
		return colink_tf_reject(t, rf->name, "%s: %s", f ? f->name : rf->name, why);
	if (!f && rf->code_system && ov->v.text)
		ov->v.type = COLINK_T_CODE;
	if (ov->v.source_null && ov->v.null_reason == COLINK_NULL_MISSING)
		colink_items_seen_note(&t->seen, COLINK_ITEM_NO_VALUE, rf->name);
	return COLINK_OK;
}

static int map_extras(struct colink_transform *t, const struct colink_raw_record *rec,
		      struct colink_error *err)
{
	size_t k;
	int rc;
	if (!t->m->items_catalogue && t->m->unmapped != COLINK_UNMAPPED_OBSERVATION)
		return COLINK_OK;
	for (k = 0; k < rec->nfields; k++) {
		const struct colink_raw_field *rf = RAW(rec, k);
		struct tf_name tmp;
		const struct tf_name *ni = name_info(t, rf, &tmp);
		if (ni->mapped)
			continue;
		if ((rc = extra_field(t, rf, ni, err)) && rc != COLINK_REJECTED)
			return rc;
	}
	return COLINK_OK;
}

/* ---- pseudonyms ---- */

static const char *part_value(const struct colink_transform *t, int si, size_t *len)
{
	const struct slot *s;
	if (si < 0)
		return NULL;
	s = &t->slots[si];
	if (s->mf->field->flags & COLINK_FIELD_IDENTIFIER) {
		*len = s->ident_len;
		return s->present ? s->ident : NULL;
	}
	*len = s->code ? strlen(s->code) : 0;
	return s->code;
}

/* The value of field `name` for the features, or NULL. */
static const char *feature_part(const struct colink_transform *t, const char *name, size_t *len)
{
	const char *v = part_value(t, slot_index(t, name), len);
	return v && *len ? v : NULL;
}

/* The keyed comparison features (#23), after the pseudonyms, as more
 * pseudonyms of kinds "feature.*" (feature.h): only for a run whose job
 * has a probabilistic link pass (colink_transform_set_features). */
static int make_features(struct colink_transform *t, struct colink_error *err)
{
	struct colink_feature_input in;
	char birth[9] = "", sex[16] = "", ins[16] = "", sym[64] = "", num[64] = "";
	char *const bufs[4] = {sex, ins, sym, num};
	static const char *const names[4] = {"sex", "insurer_number", "card_symbol", "card_number"};
	size_t i, len, nf = 0;
	const char *v;
	int rc;
	memset(&in, 0, sizeof(in));
	in.name_kana = feature_part(t, "name_kana", &in.name_len);
	if ((v = feature_part(t, "birth_date", &len)) && len == 8) {
		memcpy(birth, v, 8);
		in.birth8 = birth;
	}
	for (i = 0; i < 4; i++)
		if ((v = feature_part(t, names[i], &len)) && len < 16 + (i >= 2) * 48) {
			memcpy(bufs[i], v, len);
			bufs[i][len] = '\0';
		}
	in.sex = sex;
	in.insurer = ins;
	in.symbol = sym;
	in.number = num;
	in.enc = &t->enc;
	rc = colink_features_compute(t->ps, &in, t->feat, &nf, err);
	explicit_bzero(birth, sizeof(birth));
	explicit_bzero(sym, sizeof(sym));
	explicit_bzero(num, sizeof(num));
	if (rc)
		return rc;
	for (i = 0; i < nf; i++) {
		t->pseud[t->rec.npseudonyms].kind = t->feat[i].kind;
		t->pseud[t->rec.npseudonyms++].value = t->feat[i].value;
	}
	return COLINK_OK;
}

void colink_transform_set_features(struct colink_transform *t, int on, unsigned name_filter,
				   unsigned window)
{
	t->features = on;
	colink_feature_enc_wipe(&t->enc);
	t->enc.mode = name_filter;
	t->enc.window = window;
}

static int make_keys(struct colink_transform *t, struct colink_error *err)
{
	size_t i, j, n = 0;
	const char *parts[16];
	size_t lens[16];
	t->rec.person = NULL;
	for (i = 0; i < t->nplans; i++) {
		const struct key_plan *p = &t->plans[i];
		const char *missing = NULL;
		int rc;
		for (j = 0; j < p->k->nparts && j < 16; j++) {
			parts[j] = part_value(t, p->slot_of_part[j], &lens[j]);
			if (!parts[j] && p->k->optional[j]) {
				parts[j] = "";
				lens[j] = 0;
			} else if (!parts[j] && !missing) {
				missing = p->k->parts[j];
			}
		}
		if (missing) {
			int si = slot_index(t, missing);
			/* a part whose field failed has its own reason already */
			if (p->k == t->m->primary_key && !(si >= 0 && t->slots[si].failed)) {
				const char *col = si < 0 ? missing : tf_slot_column(&t->slots[si]);
				colink_tf_reject(t, col, "cannot form the person key '%s': %s is empty",
						 p->k->kind, missing);
			}
			continue;
		}
		if (t->nreasons || t->nmore)
			continue; /* the record is rejected: no pseudonym is needed */
		rc = colink_pseudo_set_compute(t->ps, p->k->kind, j, parts, lens,
					       t->pseud_hex[n], err);
		if (rc)
			return rc;
		t->pseud[n].kind = p->k->kind;
		t->pseud[n].value = t->pseud_hex[n];
		if (p->k == t->m->primary_key)
			t->rec.person = t->pseud_hex[n];
		n++;
	}
	t->rec.npseudonyms = n;
	t->rec.pseudonyms = t->pseud;
	if (t->features && n && !t->nreasons && !t->nmore)
		return make_features(t, err);
	return COLINK_OK;
}

/* ---- stress check: scores and the 高ストレス者 flag, per the rules data ---- */

static int push_int(struct colink_transform *t, const char *field, long v, const char *text,
		    struct colink_error *err)
{
	const struct colink_field_def *f = colink_catalog_field(t->cat, field);
	struct colink_out_value *ov;
	char *buf;
	if (!f)
		return COLINK_OK; /* a catalogue without the derived field: nothing to store */
	if (!(ov = colink_tf_push_val(t, err)) || !(buf = colink_tf_scratch(t, err)))
		return COLINK_ENOMEM;
	if (text)
		snprintf(buf, NUMBUF, "%s", text);
	else
		snprintf(buf, NUMBUF, "%ld", v);
	ov->field = f;
	ov->source = "(derived)";
	ov->v.type = f->type;
	ov->v.text = buf;
	ov->v.i = v;
	ov->v.code_system = f->code_system;
	return COLINK_OK;
}

static int score_stress(struct colink_transform *t, struct colink_error *err)
{
	static const struct { char part; int n; } parts[] = {{'a', 17}, {'b', 29}, {'c', 9}, {'d', 2}};
	int answers[COLINK_STRESS_NITEMS] = {0}, sex = 0, k = 0, rc;
	struct colink_stress_result res;
	char why[192], name[32];
	size_t p, i, j;
	for (p = 0; p < 4; p++)
		for (i = 1; i <= (size_t)parts[p].n; i++, k++) {
			snprintf(name, sizeof(name), "stress_%c%02zu", parts[p].part, i);
			for (j = 0; j < t->nvals; j++)
				if (t->vals[j].field && !strcmp(t->vals[j].field->name, name) &&
				    !t->vals[j].v.null_reason)
					answers[k] = (int)t->vals[j].v.i;
		}
	for (j = 0; j < t->nvals; j++)
		if (t->vals[j].field && !strcmp(t->vals[j].field->name, "sex") && t->vals[j].v.text)
			sex = atoi(t->vals[j].v.text);
	rc = colink_stress_score(t->m->stress, answers, sex, t->m->stress_method, &res, why, sizeof(why));
	if (rc == COLINK_REJECTED)
		return colink_tf_reject(t, NULL, "stress check: %s", why);
	if (rc)
		return COLINK_ERR(err, rc, "%s: stress check: %s", t->path, why);
	if ((rc = push_int(t, "stress_score_a", res.score_a, NULL, err)) ||
	    (rc = push_int(t, "stress_score_b", res.score_b, NULL, err)) ||
	    (rc = push_int(t, "stress_score_c", res.score_c, NULL, err)) ||
	    (rc = push_int(t, "stress_high", res.high ? 1 : 2, res.high ? "1" : "2", err)))
		return rc;
	return push_int(t, "stress_method", 0,
			res.method == COLINK_STRESS_CONVERTED ? "converted" : "total", err);
}

/* ---- 傷病手当金 (kind allowance, #21 part 5): the payment's own rules ---- */

/* Days since 0000-03-01 of a valid yyyymmdd (the civil-calendar count). */
static int64_t day_number(int64_t ymd)
{
	int64_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe;
}

/* The value of `field` in this record (NULL when absent or null) and the
 * column it came from (for the reason). */
static const struct colink_value *allow_val(const struct colink_transform *t, const char *field,
					    const char **column)
{
	size_t j;
	int si = slot_index(t, field);
	*column = si >= 0 ? tf_slot_column(&t->slots[si]) : NULL;
	for (j = 0; j < t->nvals; j++)
		if (t->vals[j].field && !strcmp(t->vals[j].field->name, field))
			return t->vals[j].v.null_reason ? NULL : &t->vals[j].v;
	return NULL;
}

/* A payment whose period ends before it starts, whose days or amount are
 * negative, or which pays more days than its period has, is rejected with
 * a reason naming the field (never its value: an amount could single a
 * person out in a reject listing). */
static void check_allowance(struct colink_transform *t)
{
	const char *cf, *ct, *cd, *ca;
	const struct colink_value *from = allow_val(t, "allowance_from", &cf);
	const struct colink_value *to = allow_val(t, "allowance_to", &ct);
	const struct colink_value *days = allow_val(t, "allowance_days", &cd);
	const struct colink_value *amount = allow_val(t, "allowance_amount", &ca);
	if (from && to && to->i < from->i)
		colink_tf_reject(t, ct, "allowance_to: the period ends before it starts (allowance_from)");
	if (days && days->i < 0)
		colink_tf_reject(t, cd, "allowance_days: negative");
	if (amount && amount->i < 0)
		colink_tf_reject(t, ca, "allowance_amount: negative");
	if (days && from && to && to->i >= from->i && days->i >= 0 &&
	    days->i > day_number(to->i) - day_number(from->i) + 1)
		colink_tf_reject(t, cd, "allowance_days: more days than the period from allowance_from "
				 "to allowance_to has");
}

/* ---- pseudonymized extracts: pseudonyms and ages arrive with the record ---- */

static int is_hex64(const char *v, size_t len)
{
	size_t i;
	if (!v || len != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return 0;
	return 1;
}

static int extract_pseudonym(struct colink_transform *t, const struct colink_raw_field *rf)
{
	const struct colink_key_kind *k = colink_catalog_key(t->cat, rf->name + 10);
	size_t n = t->rec.npseudonyms;
	if (!k)
		return COLINK_OK; /* a kind this catalogue does not define */
	if (!is_hex64(rf->value, rf->len))
		return colink_tf_reject(t, rf->name, "%s is not a pseudonym (64 hex digits)", rf->name);
	if (n >= t->cat->nkeys)
		return colink_tf_reject(t, rf->name, "pseudonym kind %s given twice", k->kind);
	memcpy(t->pseud_hex[n], rf->value, 65);
	t->pseud[n].kind = k->kind;
	t->pseud[n].value = t->pseud_hex[n];
	if (k == t->m->primary_key)
		t->rec.person = t->pseud_hex[n];
	t->rec.npseudonyms = n + 1;
	return COLINK_OK;
}

static void extract_derived(struct colink_transform *t, const struct colink_raw_field *rf)
{
	long v = rf->value ? strtol(rf->value, NULL, 10) : -1;
	if (!strcmp(rf->name, "derived.birth_ym"))
		t->rec.birth_ym = (int)v;
	else if (!strcmp(rf->name, "derived.age_at_exam"))
		t->rec.age_at_exam = (int)v;
	else if (!strcmp(rf->name, "derived.age_fy_end"))
		t->rec.age_fy_end = (int)v;
	else if (!strcmp(rf->name, "derived.fiscal_year"))
		t->rec.fiscal_year = (int)v;
}

static int extract_value(struct colink_transform *t, const struct colink_raw_field *rf,
			 const struct colink_field_def *f, struct colink_error *err)
{
	struct colink_out_value *ov;
	char *buf, why[192];
	int rc;
	if (f->flags & (COLINK_FIELD_IDENTIFIER | COLINK_FIELD_NOT_STORED))
		return colink_tf_reject(t, rf->name, "an extract must not carry %s", f->name);
	if (!(ov = colink_tf_push_val(t, err)) || !(buf = colink_tf_scratch(t, err)))
		return COLINK_ENOMEM;
	ov->field = f;
	ov->source = rf->name;
	rc = colink_tf_convert(t, f, NULL, rf, buf, &ov->v, why, sizeof(why));
	return rc ? colink_tf_reject(t, rf->name, "%s: %s", f->name, why) : COLINK_OK;
}

static int map_extract(struct colink_transform *t, const struct colink_raw_record *rec,
		       struct colink_error *err)
{
	const char *want = colink_pseudo_set_key_id(t->ps);
	size_t k;
	int rc = COLINK_OK, pseud_failed = 0;
	t->rec.npseudonyms = 0;
	t->rec.pseudonyms = t->pseud;
	t->rec.person = NULL;
	t->rec.birth_ym = 0;
	t->rec.age_at_exam = t->rec.age_fy_end = -1;
	t->rec.fiscal_year = 0;
	/* a rejected field adds its reason and the next is read (#25) */
	for (k = 0; (rc == COLINK_OK || rc == COLINK_REJECTED) && k < rec->nfields; k++) {
		const struct colink_raw_field *rf = RAW(rec, k);
		const struct colink_field_def *f;
		if (!rf->name || explicitly_mapped(t, rf))
			continue;
		if (!strcmp(rf->name, "extract.key_id")) {
			if (!rf->value || strcmp(rf->value, want))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s: the extract was made with key id %s; this run uses key id %s",
						  t->path, rf->value ? rf->value : "(none)", want);
		} else if (!strcmp(rf->name, "extract.normalization")) {
			rc = colink_normalization_check(t->path, rf->value, &t->norm_warned, err);
		} else if (!strncmp(rf->name, "pseudonym.", 10)) {
			rc = extract_pseudonym(t, rf);
			pseud_failed |= rc == COLINK_REJECTED;
		} else if (!strncmp(rf->name, "derived.", 8)) {
			extract_derived(t, rf);
		} else if ((f = colink_catalog_field(t->cat, rf->name))) {
			rc = extract_value(t, rf, f, err);
		} else {
			struct tf_name tmp;
			rc = extra_field(t, rf, name_info(t, rf, &tmp), err);
		}
	}
	if (rc != COLINK_OK && rc != COLINK_REJECTED)
		return rc;
	if (!t->rec.person && !pseud_failed)
		colink_tf_reject(t, NULL, "extract record has no '%s' pseudonym", t->m->primary_key->kind);
	return COLINK_OK;
}

static int finish_record(struct colink_transform *t, const struct colink_raw_record *rec,
			 int32_t birth, int32_t exam)
{
	size_t i;
	t->rec.record_no = rec->record_no;
	t->rec.line_no = rec->line_no;
	t->rec.nvalues = t->nvals;
	t->rec.values = t->vals;
	/* every field pointer is into t->cat->fields (colink_catalog_field_index,
	 * spelled out: this runs once per value of every record) */
	for (i = 0; i < t->nvals; i++)
		t->vals[i].field_index = t->vals[i].field
			? (uint32_t)(t->vals[i].field - t->cat->fields)
			: COLINK_NO_FIELD;
	if (t->m->extract)
		return COLINK_OK;
	t->rec.birth_ym = birth ? birth / 100 : 0;
	t->rec.fiscal_year = exam ? colink_fiscal_year(exam) : 0;
	t->rec.age_at_exam = birth && exam ? colink_age_on(birth, exam) : -1;
	t->rec.age_fy_end = birth && exam ? colink_age_fy_end(birth, exam) : -1;
	return COLINK_OK;
}

int colink_raw_record_check(const struct colink_raw_record *rec,
			    struct colink_error *err)
{
	if (!rec || rec->struct_size < COLINK_SIZE_TO(struct colink_raw_record, fields))
		return COLINK_ERR(err, COLINK_EABI,
				  "input plugin handed a record of %zu bytes; ABI %d.0 needs %zu",
				  rec ? rec->struct_size : 0, COLINK_ABI_MAJOR,
				  COLINK_SIZE_TO(struct colink_raw_record, fields));
	if (rec->nfields && (!rec->fields ||
	    rec->field_size < COLINK_SIZE_TO(struct colink_raw_field, flag)))
		return COLINK_ERR(err, COLINK_EABI,
				  "input plugin handed raw fields %zu bytes apart; ABI %d.0 needs %zu",
				  rec->field_size, COLINK_ABI_MAJOR,
				  COLINK_SIZE_TO(struct colink_raw_field, flag));
	return COLINK_OK;
}

/* A birth after the exam (both parsed, possible dates): the record says
 * the person was examined before being born; no age is derivable. */
static int birth_after_exam(struct colink_transform *t)
{
	const struct slot *s = &t->slots[t->birth_slot];
	return colink_tf_reject(t, tf_slot_column(s), "birth_date: after the exam date");
}

/* The record's reasons, in the order found, into *rej (borrowed from t
 * until the next record). */
static void fill_reject(struct colink_transform *t, const struct colink_raw_record *rec,
			struct colink_reject *rej)
{
	size_t i, n = 0;
	for (i = 0; i < t->nreasons; i++, n++) {
		t->out_reasons[n].column = t->reasons[i].column[0] ? t->reasons[i].column : NULL;
		t->out_reasons[n].reason = t->reasons[i].reason;
	}
	if (t->nmore) {
		snprintf(t->more, sizeof(t->more), "%llu more failing fields not listed",
			 (unsigned long long)t->nmore);
		t->out_reasons[n].column = NULL;
		t->out_reasons[n++].reason = t->more;
	}
	memset(rej, 0, sizeof(*rej));
	rej->struct_size = sizeof(*rej);
	rej->input_no = t->input_no;
	rej->record_no = rec->record_no;
	rej->line_no = rec->line_no;
	rej->column = t->out_reasons[0].column;
	rej->reason = t->out_reasons[0].reason;
	rej->nreasons = n;
	rej->reason_size = sizeof(*t->out_reasons);
	rej->reasons = t->out_reasons;
	if (COLINK_HAS(struct colink_raw_record, rec->struct_size, document))
		rej->document = rec->document;
}

int colink_transform_record(struct colink_transform *t,
			    const struct colink_raw_record *rec,
			    const struct colink_out_record **out,
			    struct colink_reject *rej, struct colink_error *err)
{
	int32_t birth = 0, exam = 0;
	int rc = colink_raw_record_check(rec, err);

	if (rc)
		return rc;
	t->nvals = 0;
	t->used = 0;
	t->nreasons = 0;
	t->nmore = 0;
	/* every step adds the reasons it finds and the record goes on to the
	 * next (#25): all of them are reported, the record rejected once */
	rc = colink_tf_map_fields(t, rec, &birth, &exam, err);
	if (rc == COLINK_OK)
		rc = colink_tf_map_constants(t, &exam, err);
	if (rc == COLINK_OK && birth && exam && birth > exam)
		birth_after_exam(t);
	if (rc == COLINK_OK && t->m->extract)
		rc = map_extract(t, rec, err);
	else if (rc == COLINK_OK)
		rc = map_extras(t, rec, err);
	/* scoring reads the answers: only when every field converted */
	if (rc == COLINK_OK && !t->nreasons && t->m->stress && !t->m->extract &&
	    (rc = score_stress(t, err)) == COLINK_REJECTED)
		rc = COLINK_OK;
	if (rc == COLINK_OK && !t->m->extract && t->m->kind && !strcmp(t->m->kind, "allowance"))
		check_allowance(t);
	if (rc == COLINK_OK && !t->m->extract)
		rc = make_keys(t, err);
	colink_tf_wipe_idents(t);
	if (rc == COLINK_ENOMEM && (!err || err->code != COLINK_ENOMEM))
		COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (rc == COLINK_OK && (t->nreasons || t->nmore)) {
		fill_reject(t, rec, rej);
		return COLINK_REJECTED;
	}
	if (rc)
		return rc;
	finish_record(t, rec, birth, exam);
	*out = &t->rec;
	return COLINK_OK;
}
