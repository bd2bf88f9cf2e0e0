/* transform.c -- raw record -> typed, pseudonymized record (transform.h). */
#include "core/transform.h"

#include <stdarg.h>
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

#define NUMBUF 72

/* Raw field k of a record, through the stride its plugin declared
 * (checked by colink_raw_record_check). */
#define RAW(rec, k) COLINK_AT(struct colink_raw_field, (rec)->fields, (rec)->field_size, (k))

/* Per mapped field: where it comes from and scratch space for its value. */
struct slot {
	const struct colink_map_field *mf;
	uint32_t src;        /* resolved 1-based source index, 0 = by name */
	char num[NUMBUF];    /* canonical decimal / ISO date */
	char *ident;         /* normalized identifier (wiped after use) */
	size_t ident_len;
	int present;         /* identifier or code value present this record */
	const char *code;    /* code value (for key parts such as sex) */
	char source[24];     /* "#N" lineage label for positional fields */
};

struct key_plan {
	const struct colink_key_kind *k;
	int *slot_of_part;   /* slot index per part, -1 when not mapped */
};

struct colink_transform {
	const struct colink_mapping *m;
	const struct colink_catalog *cat;
	struct colink_pseudo_set *ps;
	uint32_t input_no;
	const char *path;
	int norm_warned; /* an extract that recorded no normalization was logged */
	struct slot *slots;
	size_t nslots;
	int have_header;
	struct key_plan *plans;
	size_t nplans;
	/* per-record output */
	struct colink_out_value *vals;
	size_t nvals, capvals;
	char (**chunks)[NUMBUF]; /* scratch buffers that never move */
	size_t nchunks, used;    /* buffers handed out this record */
	struct colink_pseudonym *pseud;
	char (*pseud_hex)[65];
	struct colink_out_record rec;
	char reason[320];
	char column[128];
	struct colink_items_seen seen; /* unmapped item codes, valueless items */
	const char **lin_fields, **lin_sources;
	int birth_slot, exam_slot;
	int32_t today;       /* yyyymmdd (UTC) when the transform began: no birth after it */
};

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
	t->pseud = colink_calloc(t->cat->nkeys ? t->cat->nkeys : 1, sizeof(*t->pseud));
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
		t->lin_sources[i] = s->mf->column ? s->mf->column : s->source;
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
	for (i = 0; i < m->nfields; i++) {
		t->slots[i].mf = &m->fields[i];
		t->slots[i].src = m->fields[i].column ? 0 : m->fields[i].position;
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
	for (i = 0; i < t->nslots; i++)
		colink_wipe_free(t->slots[i].ident, t->slots[i].ident_len);
	for (i = 0; i < t->nplans; i++)
		colink_free(t->plans[i].slot_of_part);
	colink_free(t->plans);
	colink_free(t->pseud);
	colink_free(t->pseud_hex);
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

int colink_transform_header(struct colink_transform *t, size_t n,
			    const char *const *names, struct colink_error *err)
{
	size_t i, j;
	t->have_header = 1;
	for (i = 0; i < t->nslots; i++) {
		struct slot *s = &t->slots[i];
		if (!s->mf->column)
			continue;
		for (j = 0; j < n; j++)
			if (names[j] && !strcmp(names[j], s->mf->column))
				break;
		if (j == n)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s: column '%s' (mapping %s:%d) is not in the header",
					  t->path, s->mf->column, t->m->path, s->mf->line);
		s->src = (uint32_t)(j + 1);
	}
	if (t->m->unmapped == COLINK_UNMAPPED_REJECT) {
		for (j = 0; j < n; j++) {
			for (i = 0; i < t->nslots; i++)
				if (t->slots[i].src == j + 1)
					break;
			if (i == t->nslots && !colink_mapping_ignores(t->m, names[j]))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s: column %zu ('%s') is not mapped and the mapping %s says unmapped columns are an error",
						  t->path, j + 1, names[j] ? names[j] : "", t->m->path);
		}
	}
	return COLINK_OK;
}

/* ---- per-record helpers ---- */

static const struct colink_raw_field *find_raw(const struct slot *s,
					       const struct colink_raw_record *rec)
{
	size_t k;
	if (s->src) {
		if (s->src <= rec->nfields && RAW(rec, s->src - 1)->index == s->src)
			return RAW(rec, s->src - 1);
		for (k = 0; k < rec->nfields; k++)
			if (RAW(rec, k)->index == s->src)
				return RAW(rec, k);
		return NULL;
	}
	for (k = 0; s->mf->column && k < rec->nfields; k++)
		if (RAW(rec, k)->name && !strcmp(RAW(rec, k)->name, s->mf->column))
			return RAW(rec, k);
	return NULL;
}

/* Trim ASCII blanks and U+3000 (E3 80 80) at both ends. */
static void trim(const char **p, size_t *len)
{
	const char *s = *p, *e = s + *len;
	for (;;) {
		if (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
			s++;
		else if (e - s >= 3 && (unsigned char)s[0] == 0xE3 &&
			 (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
			s += 3;
		else
			break;
	}
	for (;;) {
		if (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
			e--;
		else if (e - s >= 3 && (unsigned char)e[-3] == 0xE3 &&
			 (unsigned char)e[-2] == 0x80 && (unsigned char)e[-1] == 0x80)
			e -= 3;
		else
			break;
	}
	*p = s;
	*len = (size_t)(e - s);
}

static int reject(struct colink_transform *t, const char *column,
		  const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
static int reject(struct colink_transform *t, const char *column,
		  const char *fmt, ...)
{
	va_list ap;
	snprintf(t->column, sizeof(t->column), "%s", column ? column : "");
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
	return COLINK_REJECTED;
}

static struct colink_out_value *push_val(struct colink_transform *t,
					 struct colink_error *err)
{
	struct colink_out_value *v;
	if (t->nvals == t->capvals) {
		size_t nc = t->capvals ? t->capvals * 2 : 64, bytes;
		struct colink_out_value *nv;
		if (colink_size_mul(&bytes, nc, sizeof(*nv)) ||
		    !(nv = colink_realloc(t->vals, bytes))) {
			COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			return NULL;
		}
		t->vals = nv;
		t->capvals = nc;
	}
	v = &t->vals[t->nvals++];
	memset(v, 0, sizeof(*v));
	return v;
}

static int range_check(const struct colink_map_field *mf, const char *canon,
		       char *why, size_t wl)
{
	if (!mf)
		return COLINK_OK;
	if (mf->min && colink_decimal_cmp(canon, mf->min) < 0) {
		snprintf(why, wl, "value below the allowed minimum %s", mf->min);
		return COLINK_REJECTED;
	}
	if (mf->max && colink_decimal_cmp(canon, mf->max) > 0) {
		snprintf(why, wl, "value above the allowed maximum %s", mf->max);
		return COLINK_REJECTED;
	}
	return COLINK_OK;
}

static int convert_number(const struct colink_map_field *mf, int type,
			  const char *s, size_t len, char *buf,
			  struct colink_value *v, char *why, size_t wl)
{
	char cz = 0;
	int64_t i = 0;
	int rc;
	if (mf && mf->dur_format) {
		rc = colink_parse_duration(s, len, mf->dur_format, &i, why, wl);
		if (rc)
			return rc;
		snprintf(buf, NUMBUF, "%lld", (long long)i);
	} else if (type == COLINK_T_INT) {
		rc = colink_parse_int(s, len, &i, why, wl);
		if (rc)
			return rc;
		snprintf(buf, NUMBUF, "%lld", (long long)i);
	} else {
		rc = colink_parse_decimal(s, len, mf ? mf->censored_allow : 1, buf,
					  NUMBUF, &cz, why, wl);
		if (rc)
			return rc;
	}
	v->text = buf;
	v->i = i;
	if (cz) {
		v->null_reason = cz == '<' ? COLINK_NULL_BELOW_RANGE : COLINK_NULL_ABOVE_RANGE;
		return COLINK_OK;
	}
	return range_check(mf, buf, why, wl);
}

static int convert_code(const struct colink_map_field *mf, const char *s,
			size_t len, char *buf, struct colink_value *v,
			char *why, size_t wl)
{
	const char *mapped;
	if (len >= NUMBUF) {
		snprintf(why, wl, "code longer than %d bytes", NUMBUF - 1);
		return COLINK_REJECTED;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	v->text = buf;
	if (!mf || !mf->codemap)
		return COLINK_OK;
	mapped = colink_codemap_lookup(mf->codemap, buf);
	if (mapped) {
		v->text = mapped;
		return COLINK_OK;
	}
	if (mf->codemap->other_keep)
		return COLINK_OK;
	snprintf(why, wl, "code not in codemap '%s'", mf->codemap->name);
	return COLINK_REJECTED;
}

/* Convert one present, non-identifier value to its field's type. */
static int convert(const struct colink_transform *t, const struct colink_field_def *f,
		   const struct colink_map_field *mf, const struct colink_raw_field *raw,
		   char *buf, struct colink_value *v, char *why, size_t wl)
{
	const char *s = raw ? raw->value : NULL;
	size_t len = s ? raw->len : 0, i;
	v->type = f ? f->type : COLINK_T_TEXT;
	v->raw = s;
	v->flag = raw ? raw->flag : 0;
	v->unit = raw && raw->unit ? raw->unit : f ? f->unit : NULL;
	v->code_system = raw && raw->code_system ? raw->code_system : f ? f->code_system : NULL;
	if (s)
		trim(&s, &len);
	if (!s || !len) {
		v->null_reason = raw && raw->null_reason ? raw->null_reason : COLINK_NULL_MISSING;
		v->source_null = raw && raw->null_reason; /* the source named it (#25) */
		return COLINK_OK;
	}
	for (i = 0; i < t->m->nnulls; i++)
		if (strlen(t->m->nulls[i].text) == len && !memcmp(t->m->nulls[i].text, s, len)) {
			v->null_reason = t->m->nulls[i].reason;
			return COLINK_OK;
		}
	switch (v->type) {
	case COLINK_T_DECIMAL:
	case COLINK_T_INT:
		return convert_number(mf, v->type, s, len, buf, v, why, wl);
	case COLINK_T_DATE: {
		int32_t ymd;
		int rc = colink_parse_date(s, len, mf ? mf->date_format : COLINK_DATE_AUTO,
					   &ymd, why, wl);
		if (rc)
			return rc;
		v->i = ymd;
		colink_date_iso(ymd, buf);
		v->text = buf;
		return COLINK_OK;
	}
	case COLINK_T_CODE:
		return convert_code(mf, s, len, buf, v, why, wl);
	default:
		v->text = raw->value;
		return COLINK_OK;
	}
}

/* A NUMBUF scratch buffer valid until the next record.  Buffers live in
 * chunks of 64 that never move, so earlier pointers stay valid. */
#define CHUNK 64
static char *scratch(struct colink_transform *t, struct colink_error *err)
{
	size_t c = t->used / CHUNK;
	if (c == t->nchunks) {
		char (**nc)[NUMBUF] = colink_realloc(t->chunks, (c + 1) * sizeof(*nc));
		if (!nc) {
			COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			return NULL;
		}
		t->chunks = nc;
		nc[c] = colink_malloc(CHUNK * NUMBUF);
		if (!nc[c]) {
			COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			return NULL;
		}
		t->nchunks++;
	}
	return t->chunks[c][t->used++ % CHUNK];
}

/* ---- identifiers: normalize now, hash later, never output ---- */

static int do_ident(struct colink_transform *t, struct slot *s,
		    const struct colink_raw_field *raw, int32_t *birth)
{
	const char *v = raw ? raw->value : NULL;
	size_t len = v ? raw->len : 0;
	char why[192];
	int rc;
	const char *col = s->mf->column ? s->mf->column : s->source;
	if (v)
		trim(&v, &len);
	if (!v || !len) {
		if (s->mf->required)
			return reject(t, col, "required identifier %s is empty", s->mf->field->name);
		return COLINK_OK;
	}
	if (s->mf->field->type == COLINK_T_DATE) {
		int32_t ymd;
		rc = colink_parse_date(v, len, s->mf->date_format, &ymd, why, sizeof(why));
		if (rc)
			return reject(t, col, "%s: %s", s->mf->field->name, why);
		snprintf(s->num, sizeof(s->num), "%08ld", (long)ymd);
		s->ident = colink_strdup(s->num);
		if (!s->ident)
			return COLINK_ENOMEM;
		s->ident_len = 8;
		if (!strcmp(s->mf->field->name, "birth_date")) {
			/* a person not born yet: no age can be derived (#24) */
			if (ymd > t->today)
				return reject(t, col, "birth_date: a date in the future");
			*birth = ymd;
		}
	} else {
		rc = colink_normalize(s->mf->norm, v, len, &s->ident, &s->ident_len,
				      why, sizeof(why));
		if (rc == COLINK_REJECTED)
			return reject(t, col, "%s: %s", s->mf->field->name, why);
		if (rc)
			return rc;
	}
	s->present = 1;
	return COLINK_OK;
}

static void wipe_idents(struct colink_transform *t)
{
	size_t i;
	for (i = 0; i < t->nslots; i++) {
		struct slot *s = &t->slots[i];
		if (s->ident) {
			colink_wipe_free(s->ident, s->ident_len);
			s->ident = NULL;
			s->ident_len = 0;
		}
		if (s->mf->field->flags & COLINK_FIELD_IDENTIFIER)
			memset(s->num, 0, sizeof(s->num));
		s->present = 0;
		s->code = NULL;
	}
}

static int map_fields(struct colink_transform *t, const struct colink_raw_record *rec,
		      int32_t *birth, int32_t *exam, struct colink_error *err)
{
	size_t i;
	char why[192];
	for (i = 0; i < t->nslots; i++) {
		struct slot *s = &t->slots[i];
		const struct colink_raw_field *raw = find_raw(s, rec);
		const struct colink_field_def *f = s->mf->field;
		const char *col = s->mf->column ? s->mf->column : s->source;
		struct colink_value v;
		struct colink_out_value *ov;
		int rc;
		if (f->flags & COLINK_FIELD_IDENTIFIER) {
			if ((rc = do_ident(t, s, raw, birth)))
				return rc;
			continue;
		}
		memset(&v, 0, sizeof(v));
		rc = convert(t, f, s->mf, raw, s->num, &v, why, sizeof(why));
		if (rc == COLINK_REJECTED && s->mf->on_error_null) {
			memset(&v, 0, sizeof(v));
			v.type = f->type;
			v.null_reason = COLINK_NULL_INVALID;
			v.raw = raw ? raw->value : NULL;
		} else if (rc || (s->mf->form && !v.null_reason && v.text && /* pattern, placeholders */
				  colink_form_check(s->mf->form, v.text, strlen(v.text), why, sizeof(why)))) {
			return reject(t, col, "%s: %s", f->name, why);
		}
		if (v.null_reason == COLINK_NULL_MISSING && s->mf->required)
			return reject(t, col, "required field %s is empty", f->name);
		if (f->type == COLINK_T_CODE && !v.null_reason)
			s->code = v.text;
		if (!strcmp(f->name, "exam_date") && !v.null_reason)
			*exam = (int32_t)v.i;
		if (f->flags & COLINK_FIELD_NOT_STORED)
			continue;
		if (!(ov = push_val(t, err)))
			return COLINK_ENOMEM;
		ov->field = f;
		ov->item_code = s->mf->item ? s->mf->item->code : NULL;
		ov->source = col;
		ov->v = v;
	}
	return COLINK_OK;
}

static int map_constants(struct colink_transform *t, int32_t *exam,
			 struct colink_error *err)
{
	size_t i;
	char why[192];
	for (i = 0; i < t->m->nconstants; i++) {
		const struct colink_map_constant *c = &t->m->constants[i];
		struct colink_raw_field raw;
		struct colink_out_value *ov = push_val(t, err);
		char *buf = ov ? scratch(t, err) : NULL;
		int rc;
		if (!buf)
			return COLINK_ENOMEM;
		memset(&raw, 0, sizeof(raw));
		raw.value = c->value;
		raw.len = strlen(c->value);
		ov->field = c->field;
		ov->source = "(constant)";
		rc = convert(t, c->field, NULL, &raw, buf, &ov->v, why, sizeof(why));
		if (rc)
			return reject(t, "(constant)", "%s: %s", c->field->name, why);
		if (!strcmp(c->field->name, "exam_date"))
			*exam = (int32_t)ov->v.i;
	}
	return COLINK_OK;
}

/* ---- fields named by item code (MHLW XML) and unmapped columns ---- */

static int explicitly_mapped(const struct colink_transform *t,
			     const struct colink_raw_field *rf)
{
	size_t i;
	for (i = 0; i < t->nslots; i++) {
		const struct slot *s = &t->slots[i];
		if (s->mf->column ? (rf->name && !strcmp(s->mf->column, rf->name))
				  : s->src == rf->index)
			return 1;
	}
	return colink_mapping_ignores(t->m, rf->name); /* dropped on purpose */
}

static int extra_field(struct colink_transform *t, const struct colink_raw_field *rf,
		       struct colink_error *err)
{
	int std = colink_item_code_is_standard(rf->name), coded = t->m->items_catalogue && !t->m->extract;
	const struct colink_item *it = std ? colink_catalog_item(t->cat, rf->name) : NULL;
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
		return reject(t, rf->name, "%s: a value shaped like %s in a column kept as an observation "
			      "(map the column, or drop it with <ignore>)",
			      rf->name ? rf->name : "unnamed column", shape);
	}
	if (!std && coded) /* fields named by code: this one is no item code */
		colink_items_seen_note(&t->seen, COLINK_ITEM_NONSTANDARD, rf->name);
	if (!(ov = push_val(t, err)) || !(buf = scratch(t, err)))
		return COLINK_ENOMEM;
	ov->field = f;
	ov->item_code = rf->name;
	ov->source = rf->name;
	rc = convert(t, f, NULL, rf, buf, &ov->v, why, sizeof(why));
	if (rc == COLINK_REJECTED && !f) {
		/* an unknown item keeps its text */
		memset(&ov->v, 0, sizeof(ov->v));
		ov->v.type = COLINK_T_TEXT;
		ov->v.text = rf->value;
		ov->v.raw = rf->value;
		return COLINK_OK;
	}
	if (rc)
		return reject(t, rf->name, "%s: %s", f ? f->name : rf->name, why);
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
		if (explicitly_mapped(t, rf))
			continue;
		if ((rc = extra_field(t, rf, err)))
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
			if (p->k == t->m->primary_key) {
				int si = slot_index(t, missing);
				const char *col = si < 0 ? missing : t->slots[si].mf->column
					? t->slots[si].mf->column : t->slots[si].source;
				return reject(t, col, "cannot form the person key '%s': %s is empty",
					      p->k->kind, missing);
			}
			continue;
		}
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
	if (!(ov = push_val(t, err)) || !(buf = scratch(t, err)))
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
		return reject(t, NULL, "stress check: %s", why);
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
		return reject(t, rf->name, "%s is not a pseudonym (64 hex digits)", rf->name);
	if (n >= t->cat->nkeys)
		return reject(t, rf->name, "pseudonym kind %s given twice", k->kind);
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
		return reject(t, rf->name, "an extract must not carry %s", f->name);
	if (!(ov = push_val(t, err)) || !(buf = scratch(t, err)))
		return COLINK_ENOMEM;
	ov->field = f;
	ov->source = rf->name;
	rc = convert(t, f, NULL, rf, buf, &ov->v, why, sizeof(why));
	return rc ? reject(t, rf->name, "%s: %s", f->name, why) : COLINK_OK;
}

static int map_extract(struct colink_transform *t, const struct colink_raw_record *rec,
		       struct colink_error *err)
{
	const char *want = colink_pseudo_set_key_id(t->ps);
	size_t k;
	int rc = COLINK_OK;
	t->rec.npseudonyms = 0;
	t->rec.pseudonyms = t->pseud;
	t->rec.person = NULL;
	t->rec.birth_ym = 0;
	t->rec.age_at_exam = t->rec.age_fy_end = -1;
	t->rec.fiscal_year = 0;
	for (k = 0; rc == COLINK_OK && k < rec->nfields; k++) {
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
		} else if (!strncmp(rf->name, "derived.", 8)) {
			extract_derived(t, rf);
		} else if ((f = colink_catalog_field(t->cat, rf->name))) {
			rc = extract_value(t, rf, f, err);
		} else {
			rc = extra_field(t, rf, err);
		}
	}
	if (rc == COLINK_OK && !t->rec.person)
		rc = reject(t, NULL, "extract record has no '%s' pseudonym", t->m->primary_key->kind);
	return rc;
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
	return reject(t, s->mf->column ? s->mf->column : s->source,
		      "birth_date: after the exam date");
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
	rc = map_fields(t, rec, &birth, &exam, err);
	if (rc == COLINK_OK)
		rc = map_constants(t, &exam, err);
	if (rc == COLINK_OK && birth && exam && birth > exam)
		rc = birth_after_exam(t);
	if (rc == COLINK_OK && t->m->extract)
		rc = map_extract(t, rec, err);
	else if (rc == COLINK_OK)
		rc = map_extras(t, rec, err);
	if (rc == COLINK_OK && t->m->stress && !t->m->extract)
		rc = score_stress(t, err);
	if (rc == COLINK_OK && !t->m->extract)
		rc = make_keys(t, err);
	wipe_idents(t);
	if (rc == COLINK_ENOMEM && (!err || err->code != COLINK_ENOMEM))
		COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (rc == COLINK_REJECTED) {
		rej->struct_size = sizeof(*rej);
		rej->input_no = t->input_no;
		rej->record_no = rec->record_no;
		rej->line_no = rec->line_no;
		rej->column = t->column[0] ? t->column : NULL;
		rej->reason = t->reason;
		return rc;
	}
	if (rc)
		return rc;
	finish_record(t, rec, birth, exam);
	*out = &t->rec;
	return COLINK_OK;
}
