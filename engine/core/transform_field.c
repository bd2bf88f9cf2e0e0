/* transform_field.c -- one field of a raw record to its typed value
 * (transform_int.h): trimming, nulls, numbers, dates, codes, ranges, and
 * identifiers normalized for the key step; the mapped fields and the
 * mapping's constants of one record. */
#include "core/transform_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/value.h"

/* ---- per-record helpers ---- */

/* The raw field at 1-based source index src, or named `name` (src 0). */
static const struct colink_raw_field *raw_at(const struct colink_raw_record *rec, uint32_t src,
					     const char *name)
{
	size_t k;
	if (src) {
		if (src <= rec->nfields && RAW(rec, src - 1)->index == src)
			return RAW(rec, src - 1);
		for (k = 0; k < rec->nfields; k++)
			if (RAW(rec, k)->index == src)
				return RAW(rec, k);
		return NULL;
	}
	for (k = 0; name && k < rec->nfields; k++)
		if (RAW(rec, k)->name && !strcmp(RAW(rec, k)->name, name))
			return RAW(rec, k);
	return NULL;
}

static const struct colink_raw_field *find_raw(const struct slot *s,
					       const struct colink_raw_record *rec)
{
	return raw_at(rec, s->src, s->mf->column);
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

int colink_tf_reject(struct colink_transform *t, const char *column,
		     const char *fmt, ...)
{
	va_list ap;
	struct tf_reason *r;
	if (t->nreasons == TF_MAX_REASONS) {
		t->nmore++;
		return COLINK_REJECTED;
	}
	r = &t->reasons[t->nreasons++];
	snprintf(r->column, sizeof(r->column), "%s", column ? column : "");
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return COLINK_REJECTED;
}

struct colink_out_value *colink_tf_push_val(struct colink_transform *t,
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
int colink_tf_convert(const struct colink_transform *t, const struct colink_field_def *f,
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
	if (colink_map_field_nullword(mf, s, len)) { /* this field's own (#18) */
		v->null_reason = mf->null_reason;
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
char *colink_tf_scratch(struct colink_transform *t, struct colink_error *err)
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

/* ---- #18: values built from several columns, cut from one cell ---- */

/* The length of the separator of `split` (blank-separated list) that
 * starts at p, or 0. */
static size_t sep_at(const char *split, const char *p, size_t rem)
{
	const char *w = split;
	while (*w) {
		size_t n;
		while (*w == ' ' || *w == '\t' || *w == '\n' || *w == '\r')
			w++;
		for (n = 0; w[n] && w[n] != ' ' && w[n] != '\t' && w[n] != '\n' && w[n] != '\r'; n++)
			;
		if (n && n <= rem && !memcmp(w, p, n))
			return n;
		w += n;
	}
	return 0;
}

/* The built raw field of s with `len` bytes of s->cell. */
static const struct colink_raw_field *built(struct slot *s, const struct colink_raw_field *like,
					    size_t len)
{
	memset(&s->built, 0, sizeof(s->built));
	if (like)
		s->built = *like;
	s->built.value = len ? s->cell : NULL;
	s->built.len = len;
	s->cell[len] = '\0';
	s->cell_used = 1;
	return &s->built;
}

/* <from> parts joined with join=; every part empty is an empty value, some
 * empty is a reject naming the empty part's column (never a value). */
static const struct colink_raw_field *join_parts(struct colink_transform *t, struct slot *s,
						 const struct colink_raw_record *rec, int *rc)
{
	const struct colink_map_field *mf = s->mf;
	const struct colink_raw_field *first = NULL;
	const char *empty = NULL;
	size_t k, len = 0, jl = strlen(mf->join);
	int any = 0;
	for (k = 0; k < mf->nfrom; k++) {
		const struct colink_raw_field *r = raw_at(rec, s->from_src[k], mf->from[k]);
		const char *v = r ? r->value : NULL;
		size_t n = v ? r->len : 0;
		if (v)
			trim(&v, &n);
		if (!n) {
			empty = empty ? empty : mf->from[k];
			continue;
		}
		if (!first)
			first = r;
		any = 1;
		if (len + (k ? jl : 0) + n >= sizeof(s->cell)) {
			*rc = colink_tf_reject(t, mf->label, "%s: the parts joined are longer than %zu bytes",
					       mf->field->name, sizeof(s->cell) - 1);
			return NULL;
		}
		if (k) {
			memcpy(s->cell + len, mf->join, jl);
			len += jl;
		}
		memcpy(s->cell + len, v, n);
		len += n;
	}
	if (any && empty) {
		s->cell_used = 1;
		*rc = colink_tf_reject(t, empty, "%s: column \"%s\" is empty while the other parts of "
				       "%s are not", mf->field->name, empty, mf->label);
		return NULL;
	}
	return built(s, first, any ? len : 0);
}

/* Piece part= of the cell cut at split=: a cell of another number of
 * pieces is a reject (which piece is missing cannot be known). */
static const struct colink_raw_field *cut_cell(struct colink_transform *t, struct slot *s,
					       const struct colink_raw_record *rec, int *rc)
{
	const struct colink_map_field *mf = s->mf;
	const struct colink_raw_field *r = find_raw(s, rec);
	const char *v = r ? r->value : NULL, *p, *start = NULL, *end = NULL;
	size_t n = v ? r->len : 0, pieces = 1;
	if (v)
		trim(&v, &n);
	if (!n)
		return built(s, r, 0);
	for (p = v, start = v; p < v + n;) {
		size_t sl = sep_at(mf->split, p, (size_t)(v + n - p));
		if (!sl) {
			p++;
			continue;
		}
		if (pieces == mf->part)
			end = p;
		pieces++;
		p += sl;
		if (pieces == mf->part)
			start = p;
	}
	if (pieces == mf->part)
		end = v + n;
	if (pieces != mf->nparts) {
		const char *col = mf->column ? mf->column : s->source;
		char why[192];
		size_t i;
		snprintf(why, sizeof(why), "the cell has %zu piece%s cut at \"%s\" where %u are "
			 "expected (split=)", pieces, pieces == 1 ? "" : "s", mf->split, mf->nparts);
		*rc = COLINK_REJECTED;
		for (i = 0; i < t->nreasons; i++) /* one reason per cell, not per piece */
			if (!strcmp(t->reasons[i].column, col) && !strcmp(t->reasons[i].reason, why))
				return NULL;
		colink_tf_reject(t, col, "%s", why);
		return NULL;
	}
	if ((size_t)(end - start) >= sizeof(s->cell)) {
		*rc = colink_tf_reject(t, mf->label, "%s: the piece is longer than %zu bytes",
				       mf->field->name, sizeof(s->cell) - 1);
		return NULL;
	}
	memcpy(s->cell, start, (size_t)(end - start));
	return built(s, r, (size_t)(end - start));
}

/* The raw field slot s reads this record; NULL with *rc = COLINK_REJECTED
 * when building or cutting it failed (the reason is added). */
static const struct colink_raw_field *source_of(struct colink_transform *t, struct slot *s,
						const struct colink_raw_record *rec, int *rc)
{
	*rc = COLINK_OK;
	if (s->mf->nfrom)
		return join_parts(t, s, rec, rc);
	if (s->mf->split)
		return cut_cell(t, s, rec, rc);
	return find_raw(s, rec);
}

/* ---- #18: conditional targets ---- */

/* The value of <choose> ci this record: an index into its values, or
 * TF_CHOOSE_EMPTY / TF_CHOOSE_UNKNOWN (the reject reason is added once). */
static long choose_pick(struct colink_transform *t, size_t ci, const struct colink_raw_record *rec)
{
	const struct colink_map_choose *ch = &t->m->chooses[ci];
	const struct colink_raw_field *r;
	const char *v;
	size_t n, i;
	if (t->choose_pick[ci] != TF_CHOOSE_UNREAD)
		return t->choose_pick[ci];
	r = raw_at(rec, t->choose_src[ci], ch->column);
	v = r ? r->value : NULL;
	n = v ? r->len : 0;
	if (v)
		trim(&v, &n);
	if (!n)
		return t->choose_pick[ci] = TF_CHOOSE_EMPTY;
	for (i = 0; i < ch->nvalues; i++)
		if (strlen(ch->values[i]) == n && !memcmp(ch->values[i], v, n))
			return t->choose_pick[ci] = (long)i;
	/* the flag's value helps the steward; not when it could identify */
	if (n <= 24 && !colink_identifier_shape(v, n))
		colink_tf_reject(t, ch->column, "value \"%.*s\" is in no <when> of the <choose> on this "
				 "column (mapping line %d): the target of its fields is unknown",
				 (int)n, v, ch->line);
	else
		colink_tf_reject(t, ch->column, "a value in no <when> of the <choose> on this column "
				 "(mapping line %d): the target of its fields is unknown", ch->line);
	return t->choose_pick[ci] = TF_CHOOSE_UNKNOWN;
}

/* 1 when a text is a value: not empty, not a null word. */
static int has_value(const struct colink_transform *t, const struct colink_map_field *mf,
		     const struct colink_raw_field *r)
{
	const char *v = r ? r->value : NULL;
	size_t n = v ? r->len : 0, i;
	if (v)
		trim(&v, &n);
	if (!n || colink_map_field_nullword(mf, v, n))
		return 0;
	for (i = 0; i < t->m->nnulls; i++)
		if (strlen(t->m->nulls[i].text) == n && !memcmp(t->m->nulls[i].text, v, n))
			return 0;
	return 1;
}

/* 1 when the conditional field of slot s is chosen this record; 0 when
 * another <when> is (or the flag fails: its reason is added once). */
static int chosen(struct colink_transform *t, struct slot *s, const struct colink_raw_record *rec,
		  const struct colink_raw_field *raw)
{
	size_t ci = s->mf->choose - 1, i;
	const struct colink_map_choose *ch = &t->m->chooses[ci];
	long pick = choose_pick(t, ci, rec);
	if (pick == TF_CHOOSE_EMPTY) {
		if (has_value(t, s->mf, raw) && !t->choose_told[ci]) {
			t->choose_told[ci] = 1;
			colink_tf_reject(t, ch->column, "empty, but %s has a value and this column decides "
					 "its target (<choose>, mapping line %d)", tf_slot_column(s),
					 ch->line);
		}
		return 0;
	}
	if (pick < 0)
		return 0;
	for (i = 0; i < s->mf->nwhen; i++)
		if (!strcmp(s->mf->when[i], ch->values[pick]))
			return 1;
	return 0;
}

/* ---- identifiers: normalize now, hash later, never output ---- */

static int do_ident(struct colink_transform *t, struct slot *s,
		    const struct colink_raw_field *raw, int32_t *birth)
{
	const char *v = raw ? raw->value : NULL;
	size_t len = v ? raw->len : 0;
	char why[192];
	int rc;
	const char *col = tf_slot_column(s);
	if (v)
		trim(&v, &len);
	if (v && colink_map_field_nullword(s->mf, v, len))
		len = 0; /* a null word of this field (#18): as if empty */
	if (!v || !len) {
		if (s->mf->required)
			return colink_tf_reject(t, col, "required identifier %s is empty", s->mf->field->name);
		return COLINK_OK;
	}
	if (s->mf->field->type == COLINK_T_DATE) {
		int32_t ymd;
		rc = colink_parse_date(v, len, s->mf->date_format, &ymd, why, sizeof(why));
		if (rc)
			return colink_tf_reject(t, col, "%s: %s", s->mf->field->name, why);
		snprintf(s->num, sizeof(s->num), "%08ld", (long)ymd);
		s->ident = colink_strdup(s->num);
		if (!s->ident)
			return COLINK_ENOMEM;
		s->ident_len = 8;
		if (!strcmp(s->mf->field->name, "birth_date")) {
			/* a person not born yet: no age can be derived (#24) */
			if (ymd > t->today)
				return colink_tf_reject(t, col, "birth_date: a date in the future");
			*birth = ymd;
		}
	} else {
		rc = colink_normalize(s->mf->norm, v, len, &s->ident, &s->ident_len,
				      why, sizeof(why));
		if (rc == COLINK_REJECTED)
			return colink_tf_reject(t, col, "%s: %s", s->mf->field->name, why);
		if (rc)
			return rc;
	}
	s->present = 1;
	return COLINK_OK;
}

void colink_tf_wipe_idents(struct colink_transform *t)
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
		/* a built or cut identifier; other values stay until the next
		 * record, since the record out points at them */
		if (s->cell_used && (s->mf->field->flags & COLINK_FIELD_IDENTIFIER)) {
			explicit_bzero(s->cell, sizeof(s->cell));
			memset(&s->built, 0, sizeof(s->built));
			s->cell_used = 0;
		}
		s->present = 0;
		s->code = NULL;
		s->failed = 0;
	}
}

int colink_tf_map_fields(struct colink_transform *t, const struct colink_raw_record *rec,
			 int32_t *birth, int32_t *exam, struct colink_error *err)
{
	size_t i;
	char why[192];
	for (i = 0; i < t->m->nchooses; i++) {
		t->choose_pick[i] = TF_CHOOSE_UNREAD;
		t->choose_told[i] = 0;
	}
	for (i = 0; i < t->nslots; i++) {
		struct slot *s = &t->slots[i];
		const struct colink_field_def *f = s->mf->field;
		const char *col = tf_slot_column(s);
		struct colink_value v;
		struct colink_out_value *ov;
		int rc;
		const struct colink_raw_field *raw = source_of(t, s, rec, &rc);
		if (rc == COLINK_REJECTED) {
			s->failed = 1;
			continue;
		}
		if (s->mf->choose && !chosen(t, s, rec, raw))
			continue; /* another <when>'s field, or the flag's reason is given */
		if (f->flags & COLINK_FIELD_IDENTIFIER) {
			/* a failing field is one reason; the next field is read (#25) */
			rc = do_ident(t, s, raw, birth);
			if (rc == COLINK_REJECTED)
				s->failed = 1;
			else if (rc)
				return rc;
			continue;
		}
		memset(&v, 0, sizeof(v));
		rc = colink_tf_convert(t, f, s->mf, raw, s->num, &v, why, sizeof(why));
		if (rc == COLINK_REJECTED && s->mf->on_error_null) {
			memset(&v, 0, sizeof(v));
			v.type = f->type;
			v.null_reason = COLINK_NULL_INVALID;
			v.raw = raw ? raw->value : NULL;
		} else if (rc || (s->mf->form && !v.null_reason && v.text && /* pattern, placeholders */
				  colink_form_check(s->mf->form, v.text, strlen(v.text), why, sizeof(why)))) {
			s->failed = 1;
			colink_tf_reject(t, col, "%s: %s", f->name, why);
			continue;
		}
		if (v.null_reason == COLINK_NULL_MISSING && s->mf->required) {
			s->failed = 1;
			colink_tf_reject(t, col, "required field %s is empty", f->name);
			continue;
		}
		if (f->type == COLINK_T_CODE && !v.null_reason)
			s->code = v.text;
		if (!strcmp(f->name, "exam_date") && !v.null_reason)
			*exam = (int32_t)v.i;
		if (f->flags & COLINK_FIELD_NOT_STORED)
			continue;
		if (!(ov = colink_tf_push_val(t, err)))
			return COLINK_ENOMEM;
		ov->field = f;
		ov->item_code = s->mf->item ? s->mf->item->code : NULL;
		ov->source = tf_slot_source(s);
		ov->v = v;
	}
	return COLINK_OK;
}

int colink_tf_map_constants(struct colink_transform *t, int32_t *exam,
			    struct colink_error *err)
{
	size_t i;
	char why[192];
	for (i = 0; i < t->m->nconstants; i++) {
		const struct colink_map_constant *c = &t->m->constants[i];
		struct colink_raw_field raw;
		struct colink_out_value *ov = colink_tf_push_val(t, err);
		char *buf = ov ? colink_tf_scratch(t, err) : NULL;
		int rc;
		if (!buf)
			return COLINK_ENOMEM;
		memset(&raw, 0, sizeof(raw));
		raw.value = c->value;
		raw.len = strlen(c->value);
		ov->field = c->field;
		ov->source = "(constant)";
		rc = colink_tf_convert(t, c->field, NULL, &raw, buf, &ov->v, why, sizeof(why));
		if (rc) {
			colink_tf_reject(t, "(constant)", "%s: %s", c->field->name, why);
			continue;
		}
		if (!strcmp(c->field->name, "exam_date"))
			*exam = (int32_t)ov->v.i;
	}
	return COLINK_OK;
}