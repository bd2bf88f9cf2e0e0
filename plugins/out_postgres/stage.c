/*
 * stage.c -- out_postgres: one record, checked and staged.
 *
 * Every check of out_sqlite that needs no database runs here, before the
 * record is staged, with out_sqlite's reasons (value types, identifier
 * and not-stored fields, pseudonyms that are not 64 hex, a field with two
 * values, a missing or invalid row key): such a record is rejected at
 * once and leaves no line.  The checks that need the warehouse (a person
 * of the other side, a second row of this run for the same key) run set
 * by set when the input is merged (merge.c).
 *
 * Every kind of out_sqlite is written: checkups, roster, attendance,
 * stress checks, claims summaries, participation, the UKE claims (claim,
 * diagnosis, claim_item) and the code masters (no person: a master record
 * with a person key is refused, as out_sqlite refuses it).
 *
 * A staged record is lines of PostgreSQL COPY text, appended to one
 * temporary file per staging table (s_rec, s_w<i>, s_obs, s_q, s_sans,
 * s_key): memory stays flat however long the input; merge.c streams each
 * file to the server with COPY at the end of the input.  Nothing of a
 * record is ever sent row by row.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "out_postgres_int.h"

#define BIT(d) (1u << (d))

const struct opg_kind opg_kinds[K_COUNT] = {
	[K_CHECKUP] = { "checkup", "association", DEST_CHECKUP,
			BIT(DEST_PERSON) | BIT(DEST_CHECKUP) | BIT(DEST_OBSERVATION) |
			BIT(DEST_QUESTIONNAIRE), 0,
			"no exam date", "invalid exam date",
			"duplicate checkup for this person and exam date", 0 },
	[K_ROSTER] = { "roster", "employer", DEST_EMPLOYEE,
		       BIT(DEST_PERSON) | BIT(DEST_EMPLOYEE), 0, NULL, NULL,
		       "duplicate roster record for this person", 0 },
	[K_ATTENDANCE] = { "attendance", "employer", DEST_ATTENDANCE,
			   BIT(DEST_PERSON) | BIT(DEST_ATTENDANCE), 1,
			   "no year and month", "invalid year and month",
			   "duplicate attendance for this person and month", 0 },
	[K_STRESS] = { "stress", "employer", DEST_STRESS,
		       BIT(DEST_PERSON) | BIT(DEST_STRESS) | BIT(DEST_STRESS_ANSWER), 0,
		       "no stress check date", "invalid stress check date",
		       "duplicate stress check for this person and date", 0 },
	[K_CLAIMS] = { "claims", "association", DEST_CLAIMS,
		       BIT(DEST_PERSON) | BIT(DEST_CLAIMS), 0,
		       "no fiscal year", "invalid fiscal year",
		       "duplicate claims summary for this person and fiscal year", 1 },
	[K_PARTICIPATION] = { "participation", "employer", DEST_PARTICIPATION,
			      BIT(DEST_PERSON) | BIT(DEST_PARTICIPATION), 0,
			      "no participation date or programme",
			      "invalid participation date or programme",
			      "duplicate participation for this person, programme and date", 0 },
	/* レセプト (UKE, #21): a claim by its key; a diagnosis or item by its
	 * claim's key and its place in the claim (the second key) */
	[K_CLAIM] = { "claim", "association", DEST_CLAIM,
		      BIT(DEST_PERSON) | BIT(DEST_CLAIM), 0,
		      "no claim key", "invalid claim key",
		      "duplicate claim for this person and claim key", 0, 1 },
	[K_DIAGNOSIS] = { "diagnosis", "association", DEST_DIAGNOSIS,
			  BIT(DEST_PERSON) | BIT(DEST_DIAGNOSIS), 0,
			  "no claim key or sequence number",
			  "invalid claim key or sequence number",
			  "duplicate diagnosis for this person, claim and sequence number", 0, 1 },
	[K_ITEM] = { "claim_item", "association", DEST_ITEM,
		     BIT(DEST_PERSON) | BIT(DEST_ITEM), 0,
		     "no claim key or sequence number",
		     "invalid claim key or sequence number",
		     "duplicate claim item for this person, claim and sequence number", 0, 1 },
	/* code masters: no person, no side; a row per code, the code of a
	 * later run replaces the earlier one */
	[K_DISEASE_MASTER] = { "disease_master", NULL, DEST_DISEASE_MASTER,
			       BIT(DEST_DISEASE_MASTER), 0, "no code", "invalid code",
			       "duplicate code in the disease master", 0, 1 },
	[K_DRUG_MASTER] = { "drug_master", NULL, DEST_DRUG_MASTER,
			    BIT(DEST_DRUG_MASTER), 0, "no code", "invalid code",
			    "duplicate code in the drug master", 0, 1 },
	/* 傷病手当金 (schema 9): a payment by its person and period start */
	[K_ALLOWANCE] = { "allowance", "association", DEST_ALLOWANCE,
			  BIT(DEST_PERSON) | BIT(DEST_ALLOWANCE), 0,
			  "no allowance period start (allowance_from)",
			  "invalid allowance period start (allowance_from)",
			  "duplicate allowance payment for this person and period start", 0 },
};

/* Columns the plugin fills itself (as out_sqlite's columns.c). */
static const char *const reserved_person[] = {
	"person_no", "person_id", "key_id", "birth_ym", "first_run_id", "last_run_id", "side",
	NULL
};
static const char *const reserved_checkup[] = {
	"checkup_id", "person_no", "fiscal_year", "age_at_exam", "age_fy_end",
	"run_id", "input_no", "record_no", "line_no", NULL
};
static const char *const reserved_row[] = {
	"person_no", "run_id", "input_no", "record_no", "line_no", NULL
};
static const char *const reserved_master[] = {
	"run_id", "input_no", "record_no", "line_no", NULL
};
static const char *const reserved_stress[] = {
	"stress_check_id", "person_no", "run_id", "input_no", "record_no", "line_no", NULL
};

static const struct wide {
	const char *table;
	const char *const *reserved;
	const char *key, *key2;
} wides[NWIDE] = {
	[WIDE_INDEX(DEST_PERSON)] = { "person", reserved_person, NULL, NULL },
	[WIDE_INDEX(DEST_CHECKUP)] = { "checkup", reserved_checkup, "exam_date", NULL },
	[WIDE_INDEX(DEST_EMPLOYEE)] = { "employee", reserved_row, NULL, NULL },
	[WIDE_INDEX(DEST_ATTENDANCE)] = { "attendance_month", reserved_row, "year_month", NULL },
	[WIDE_INDEX(DEST_STRESS)] = { "stress_check", reserved_stress, "stress_date", NULL },
	[WIDE_INDEX(DEST_CLAIMS)] = { "claims_summary", reserved_row, "fiscal_year", NULL },
	[WIDE_INDEX(DEST_PARTICIPATION)] = { "participation", reserved_row,
					     "participation_date", "program" },
	[WIDE_INDEX(DEST_CLAIM)] = { "claim", reserved_row, "claim_key", NULL },
	[WIDE_INDEX(DEST_DIAGNOSIS)] = { "claim_diagnosis", reserved_row, "claim_key", "seq" },
	[WIDE_INDEX(DEST_ITEM)] = { "claim_item", reserved_row, "claim_key", "seq" },
	[WIDE_INDEX(DEST_DISEASE_MASTER)] = { "disease_master", reserved_master, "code", NULL },
	[WIDE_INDEX(DEST_DRUG_MASTER)] = { "drug_master", reserved_master, "code", NULL },
	[WIDE_INDEX(DEST_ALLOWANCE)] = { "allowance", reserved_row, "period_from", NULL },
};

static const struct {
	const char *name;
	int dest;
} table_names[] = {
	{ "person", DEST_PERSON }, { "checkup", DEST_CHECKUP },
	{ "observation", DEST_OBSERVATION }, { "questionnaire", DEST_QUESTIONNAIRE },
	{ "employee", DEST_EMPLOYEE }, { "attendance", DEST_ATTENDANCE },
	{ "attendance_month", DEST_ATTENDANCE }, { "stress", DEST_STRESS },
	{ "stress_check", DEST_STRESS }, { "stress_answer", DEST_STRESS_ANSWER },
	{ "claims_summary", DEST_CLAIMS }, { "participation", DEST_PARTICIPATION },
	{ "claim", DEST_CLAIM }, { "claim_diagnosis", DEST_DIAGNOSIS },
	{ "claim_item", DEST_ITEM }, { "disease_master", DEST_DISEASE_MASTER },
	{ "drug_master", DEST_DRUG_MASTER },
	{ "allowance", DEST_ALLOWANCE },
};

static const char *const null_reason_names[] = {
	NULL, "not-performed", "unmeasurable", "missing", "below-range",
	"above-range", "invalid"
};
static const char *const type_names[] = {
	"null", "text", "int", "decimal", "date", "code"
};

int opg_table_dest(const struct colink_field_def *f)
{
	size_t i;
	if ((f->flags & (COLINK_FIELD_IDENTIFIER | COLINK_FIELD_NOT_STORED)) ||
	    !f->table || !strcmp(f->table, "-"))
		return DEST_NEVER;
	for (i = 0; i < sizeof(table_names) / sizeof(table_names[0]); i++)
		if (!strcmp(f->table, table_names[i].name))
			return table_names[i].dest;
	return DEST_UNKNOWN;
}

const char *opg_wide_table(int dest)
{
	return DEST_IS_WIDE(dest) ? wides[WIDE_INDEX(dest)].table : NULL;
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcasecmp(*list, s))
			return 1;
	return 0;
}

static int cat_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat_field *)a)->name,
		      ((const struct cat_field *)b)->name);
}

/* By table, then name: a table's columns are one range (dest_first), in
 * the order of their names as before. */
static int cat_dest_cmp(const void *a, const void *b)
{
	const struct cat_field *x = a, *y = b;
	return x->dest != y->dest ? (x->dest < y->dest ? -1 : 1) : strcmp(x->name, y->name);
}

/* The first catalogue entry of table dest (o->ncat when it has none). */
static size_t dest_first(const struct out_postgres *o, int dest)
{
	size_t lo = 0, hi = o->ncat;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (o->cat[mid].dest < dest)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void opg_cat_free(struct out_postgres *o)
{
	size_t i;
	for (i = 0; o->cat && i < o->ncat; i++) {
		o->host->free(o->cat[i].name);
		o->host->free(o->cat[i].column);
	}
	o->host->free(o->cat);
	o->host->free(o->slot);
	o->host->free(o->by_run);
	o->cat = NULL;
	o->slot = NULL;
	o->by_run = NULL;
	o->ncat = 0;
}

static int cat_copy(struct out_postgres *o, struct cat_field *c,
		    const struct colink_field_def *f, struct colink_error *err)
{
	if (!f->name)
		return COLINK_ERR(err, COLINK_EINVAL, "a catalogue entry has no name");
	c->dest = opg_table_dest(f);
	if (c->dest == DEST_UNKNOWN)
		return COLINK_ERR(err, COLINK_EINVAL, "field %s names unknown warehouse table %s",
				  f->name, f->table);
	c->name = opg_strdup(o->host, f->name);
	if (!c->name)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (!DEST_IS_WIDE(c->dest))
		return COLINK_OK;
	if (!f->column || !*f->column || !strcmp(f->column, "-"))
		return COLINK_ERR(err, COLINK_EINVAL, "field %s (table %s) names no column",
				  f->name, f->table);
	if (in_list(wides[WIDE_INDEX(c->dest)].reserved, f->column))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s claims column %s.%s, which out_postgres fills itself",
				  f->name, f->table, f->column);
	c->column = opg_strdup(o->host, f->column);
	return c->column ? COLINK_OK : COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
}

/* The run's catalogue, sorted by name; key columns found. */
int opg_cat_alloc(struct out_postgres *o, const struct colink_run_info *run,
		  struct colink_error *err)
{
	const struct colink_host *h = o->host;
	size_t i, j, n = run->nfields;
	int rc, w;
	if (n && run->field_size < COLINK_SIZE_TO(struct colink_field_def, description))
		return COLINK_ERR(err, COLINK_EABI, "catalogue entries %zu bytes apart",
				  run->field_size);
	if (n >= COLINK_NO_FIELD)
		return COLINK_ERR(err, COLINK_EINVAL, "catalogue of %zu fields is too large", n);
	for (w = 0; w < NWIDE; w++)
		o->key_field[w] = o->key2_field[w] = NOT_FOUND;
	o->cat = h->calloc(n ? n : 1, sizeof(*o->cat));
	o->slot = h->calloc(n ? n : 1, sizeof(*o->slot));
	o->by_run = h->calloc(n ? n : 1, sizeof(*o->by_run));
	if (!o->cat || !o->slot || !o->by_run)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	o->run_fields = run->fields;
	o->run_field_size = run->field_size;
	for (i = 0; i < n; i++) {
		o->ncat = i + 1;
		rc = cat_copy(o, &o->cat[i], COLINK_AT(struct colink_field_def, run->fields,
							run->field_size, i), err);
		if (rc)
			return rc;
		o->cat[i].src = i;
	}
	qsort(o->cat, o->ncat, sizeof(*o->cat), cat_cmp);
	for (i = 1; i < o->ncat; i++)
		if (!strcmp(o->cat[i].name, o->cat[i - 1].name))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "field %s appears twice in the catalogue", o->cat[i].name);
	/* staging a record walks its tables' columns, not the catalogue */
	qsort(o->cat, o->ncat, sizeof(*o->cat), cat_dest_cmp);
	for (i = 0; i < o->ncat; i++) {
		struct cat_field *c = &o->cat[i];
		o->by_run[c->src] = i;
		if (!c->column)
			continue;
		for (j = 0; j < i; j++)
			if (o->cat[j].dest == c->dest && o->cat[j].column &&
			    !strcasecmp(o->cat[j].column, c->column))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "fields %s and %s both fill column %s",
						  o->cat[j].name, c->name, c->column);
		w = WIDE_INDEX(c->dest);
		if (wides[w].key && !strcasecmp(c->column, wides[w].key))
			o->key_field[w] = i;
		if (wides[w].key2 && !strcasecmp(c->column, wides[w].key2))
			o->key2_field[w] = i;
	}
	return COLINK_OK;
}

/* ---- COPY text lines ---- */

static void line_put(struct out_postgres *o, const char *s, size_t n)
{
	size_t need;
	if (o->line_failed)
		return;
	if (colink_checked_add(&need, o->line_len, n) || colink_checked_add(&need, need, 2) ||
	    colink_grow(o->host->realloc, (void **)&o->line, &o->line_cap, need, 1)) {
		o->line_failed = 1;
		return;
	}
	memcpy(o->line + o->line_len, s, n);
	o->line_len += n;
}

void opg_line_start(struct out_postgres *o)
{
	o->line_len = 0;
	o->line_failed = 0;
}

static void line_sep(struct out_postgres *o)
{
	if (o->line_len)
		line_put(o, "\t", 1);
}

/* A field of COPY text: \N for NULL; backslash, tab, newline and carriage
 * return escaped. */
void opg_line_text(struct out_postgres *o, const char *s)
{
	const char *run;
	line_sep(o);
	if (!s) {
		line_put(o, "\\N", 2);
		return;
	}
	for (run = s; *s; s++) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t"
				: *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : NULL;
		if (!esc)
			continue;
		line_put(o, run, (size_t)(s - run));
		line_put(o, esc, 2);
		run = s + 1;
	}
	line_put(o, run, (size_t)(s - run));
}

/* Decimal digits without snprintf (a dozen per staged record). */
void opg_line_int(struct out_postgres *o, int64_t v, int present_)
{
	char buf[24], *e = buf + sizeof(buf), *p = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	if (!present_) {
		opg_line_text(o, NULL);
		return;
	}
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	line_sep(o);
	line_put(o, p, (size_t)(e - p));
}

/* The line to its staging file; a failed write ends the run. */
int opg_line_end(struct out_postgres *o, int stage, struct colink_error *err)
{
	line_put(o, "\n", 1);
	if (o->line_failed)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (fwrite(o->line, 1, o->line_len, o->stage[stage]) != o->line_len)
		return COLINK_ERR(err, COLINK_EIO, "%s: writing the staging file: %s",
				  o->where, strerror(errno));
	o->staged[stage]++;
	return COLINK_OK;
}

/* ---- record checks (out_sqlite's, record.c) ---- */

static int is_hex64(const char *s)
{
	size_t i;
	if (!s)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return s[64] == '\0';
}

static int format_date(int64_t ymd, char out[11])
{
	int64_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	if (ymd < 0 || y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
	return 0;
}

static int present(const struct colink_value *v)
{
	if (v->null_reason != COLINK_NULL_NONE || v->type == COLINK_T_NULL)
		return 0;
	return v->type == COLINK_T_INT || v->type == COLINK_T_DATE || v->text;
}

static const char *value_text(const struct colink_value *v, char *buf)
{
	switch (v->type) {
	case COLINK_T_INT:
		snprintf(buf, 32, "%" PRId64, v->i);
		return buf;
	case COLINK_T_DATE:
		if (v->null_reason != COLINK_NULL_NONE && v->i == 0)
			return v->text;
		return format_date(v->i, buf) ? NULL : buf;
	default:
		return v->text;
	}
}

static int decimal_num(const char *text, double *out)
{
	char *end;
	if (!text || !*text)
		return -1;
	errno = 0;
	*out = strtod(text, &end);
	return (*end || errno == ERANGE) ? -1 : 0;
}

static size_t cat_of(const struct out_postgres *o, const struct colink_out_value *ov)
{
	uint32_t fi = ov->field_index;
	if (fi >= o->ncat ||
	    ov->field != COLINK_AT(struct colink_field_def, o->run_fields, o->run_field_size, fi))
		return NOT_FOUND;
	return o->by_run[fi];
}

static int value_check(const struct colink_out_record *rec, const struct colink_out_value *ov,
		       int dest, struct colink_error *err)
{
	const struct colink_field_def *f = ov->field;
	const char *name = f && f->name ? f->name : ov->item_code ? ov->item_code : "(unnamed)";
	if (f && (f->flags & COLINK_FIELD_IDENTIFIER))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "identifier field %s reached the output (input %" PRIu32
				  " record %" PRIu64 ")", name, rec->input_no, rec->record_no);
	if (f && dest == DEST_NEVER)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "not-stored field %s reached the output (input %" PRIu32
				  " record %" PRIu64 ")", name, rec->input_no, rec->record_no);
	if (ov->v.type == COLINK_T_PSEUDONYM || ov->v.type < COLINK_T_NULL ||
	    ov->v.type > COLINK_T_CODE)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s: value type %d cannot be stored (input %" PRIu32
				  " record %" PRIu64 ")", name, ov->v.type, rec->input_no, rec->record_no);
	if (ov->v.null_reason < COLINK_NULL_NONE || ov->v.null_reason > COLINK_NULL_INVALID)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s: unknown null reason %d (input %" PRIu32 " record %" PRIu64 ")",
				  name, ov->v.null_reason, rec->input_no, rec->record_no);
	if (ov->v.flag && ov->v.flag != 'H' && ov->v.flag != 'L')
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s: flag must be H or L (input %" PRIu32 " record %" PRIu64 ")",
				  name, rec->input_no, rec->record_no);
	return COLINK_OK;
}

static int dest_check(const struct opg_kind *kd, const struct colink_out_record *rec,
		      const struct colink_out_value *ov, int dest, struct colink_error *err)
{
	if (!ov->field && !(kd->dests & BIT(DEST_OBSERVATION)))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "item %s has no common field; records of kind %s store catalogue "
				  "fields only (input %" PRIu32 " record %" PRIu64 ")",
				  ov->item_code ? ov->item_code : ov->source ? ov->source : "(unnamed)",
				  kd->name, rec->input_no, rec->record_no);
	if (!(kd->dests & BIT(dest)))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s (table %s) cannot be stored from a record of kind %s (input %"
				  PRIu32 " record %" PRIu64 ")", ov->field->name, ov->field->table,
				  kd->name, rec->input_no, rec->record_no);
	if (dest == DEST_STRESS_ANSWER && present(&ov->v) && ov->v.type != COLINK_T_INT)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s: a stress answer must be an int value (input %" PRIu32
				  " record %" PRIu64 ")", ov->field->name, rec->input_no, rec->record_no);
	return COLINK_OK;
}

static int classify(struct out_postgres *o, const struct opg_kind *kd,
		    const struct colink_out_record *rec, struct colink_error *err)
{
	size_t i, k;
	int rc, dest;
	memset(o->slot, 0, (o->ncat ? o->ncat : 1) * sizeof(*o->slot));
	for (i = 0; i < rec->nvalues; i++) {
		const struct colink_out_value *ov =
			COLINK_AT(struct colink_out_value, rec->values, rec->value_size, i);
		k = ov->field ? cat_of(o, ov) : NOT_FOUND;
		if (ov->field && k == NOT_FOUND)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "field %s is not in the run's catalogue as table %s (input %"
					  PRIu32 " record %" PRIu64 ")", ov->field->name,
					  ov->field->table, rec->input_no, rec->record_no);
		dest = ov->field ? o->cat[k].dest : DEST_OBSERVATION;
		rc = value_check(rec, ov, dest, err);
		if (!rc)
			rc = dest_check(kd, rec, ov, dest, err);
		if (rc)
			return rc;
		if ((!DEST_IS_WIDE(dest) && dest != DEST_STRESS_ANSWER) || !present(&ov->v))
			continue;
		if (o->slot[k])
			return COLINK_REJECT(err, "field %s has two values (sources %s and %s)",
					     o->cat[k].name,
					     o->slot[k]->source ? o->slot[k]->source : "?",
					     ov->source ? ov->source : "?");
		o->slot[k] = ov;
	}
	return COLINK_OK;
}

static int record_check(struct out_postgres *o, const struct colink_out_record *rec,
			const struct opg_kind **kd, struct colink_error *err)
{
	size_t i;
	int rc = opg_in_run(o, "write", err);
	if (rc)
		return rc;
	if (!rec || rec->struct_size < COLINK_SIZE_TO(struct colink_out_record, fiscal_year) ||
	    (rec->nvalues && (!rec->values ||
			      rec->value_size < COLINK_SIZE_TO(struct colink_out_value, v.raw))) ||
	    (rec->npseudonyms && (!rec->pseudonyms ||
				  rec->pseudonym_size < COLINK_SIZE_TO(struct colink_pseudonym, value))))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: write: malformed record", o->where);
	for (*kd = NULL, i = 0; rec->kind && i < K_COUNT && !*kd; i++)
		if (!strcmp(rec->kind, opg_kinds[i].name))
			*kd = &opg_kinds[i];
	if (!*kd)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "record kind %s is not supported by out_postgres (input %" PRIu32
				  " record %" PRIu64 ")", rec->kind ? rec->kind : "(none)",
				  rec->input_no, rec->record_no);
	if (rec->person && !is_hex64(rec->person))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "person key is not a 64-hex pseudonym (input %" PRIu32
				  " record %" PRIu64 ")", rec->input_no, rec->record_no);
	for (i = 0; i < rec->npseudonyms; i++) {
		const struct colink_pseudonym *ps =
			COLINK_AT(struct colink_pseudonym, rec->pseudonyms, rec->pseudonym_size, i);
		if (!ps->kind || !is_hex64(ps->value))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "pseudonym %zu is not a kind with 64 hex (input %" PRIu32
					  " record %" PRIu64 ")", i + 1, rec->input_no, rec->record_no);
	}
	return COLINK_OK;
}

/* The row key (exam date, month, stress date, year, claim key, code)
 * into key; into key2 the second key (participation's programme, a claim
 * child's sequence number) as text, else "".  out_sqlite's record_key. */
static int record_key(struct out_postgres *o, const struct opg_kind *kd, char key[OPG_KEY_MAX],
		      char key2[OPG_KEY2_MAX], int *has_key, struct colink_error *err)
{
	size_t kf = o->key_field[WIDE_INDEX(kd->dest)];
	size_t k2 = o->key2_field[WIDE_INDEX(kd->dest)];
	const struct colink_out_value *kv;
	key2[0] = '\0';
	*has_key = kd->no_key != NULL;
	if (!*has_key)
		return COLINK_OK;
	if (kd->dest == DEST_PARTICIPATION || kd->dest == DEST_DIAGNOSIS ||
	    kd->dest == DEST_ITEM) { /* the second key: a present code or number */
		kv = k2 != NOT_FOUND ? o->slot[k2] : NULL;
		if (!kv || !present(&kv->v))
			return COLINK_REJECT(err, "%s", kd->no_key);
		if (kv->v.type == COLINK_T_INT)
			snprintf(key2, OPG_KEY2_MAX, "%" PRId64, kv->v.i);
		else if (!kv->v.text || !*kv->v.text || strlen(kv->v.text) >= OPG_KEY2_MAX)
			return COLINK_REJECT(err, "%s", kd->bad_key);
		else
			strcpy(key2, kv->v.text);
	}
	kv = kf != NOT_FOUND ? o->slot[kf] : NULL;
	if (!kv)
		return COLINK_REJECT(err, "%s", kd->no_key);
	if (kd->text_key) { /* a claim key, a code */
		if (!kv->v.text || !*kv->v.text || strlen(kv->v.text) >= OPG_KEY_MAX)
			return COLINK_REJECT(err, "%s", kd->bad_key);
		strcpy(key, kv->v.text);
		return COLINK_OK;
	}
	if (kd->int_key) {
		if (kv->v.type != COLINK_T_INT || kv->v.i < 1900 || kv->v.i > 2200)
			return COLINK_REJECT(err, "%s", kd->bad_key);
		snprintf(key, 11, "%d", (int)kv->v.i);
		return COLINK_OK;
	}
	if (kv->v.type != COLINK_T_DATE || format_date(kv->v.i, key))
		return COLINK_REJECT(err, "%s", kd->bad_key);
	if (kd->month)
		key[7] = '\0';
	return COLINK_OK;
}

/* A wide column's value as COPY text; checks it as out_sqlite binds it. */
static int wide_value(struct out_postgres *o, size_t k, const struct colink_out_record *rec,
		      struct colink_error *err)
{
	const struct colink_out_value *ov = o->slot[k];
	char buf[32];
	double d;
	if (!ov) {
		opg_line_text(o, NULL);
		return COLINK_OK;
	}
	switch (ov->v.type) {
	case COLINK_T_DECIMAL:
		if (decimal_num(ov->v.text, &d))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "field %s: decimal text is not a number (input %" PRIu32
					  " record %" PRIu64 ")", ov->field->name, rec->input_no,
					  rec->record_no);
		opg_line_text(o, ov->v.text);
		return COLINK_OK;
	case COLINK_T_INT:
		opg_line_int(o, ov->v.i, 1);
		return COLINK_OK;
	case COLINK_T_DATE:
		if (format_date(ov->v.i, buf))
			return COLINK_REJECT(err, "invalid date in field %s", ov->field->name);
		opg_line_text(o, buf);
		return COLINK_OK;
	default:
		opg_line_text(o, ov->v.text);
		return COLINK_OK;
	}
}

/* `n` bytes of `s` onto o->kcur (0, or -1 out of memory) */
static int kcur_put(struct out_postgres *o, const char *s, size_t n)
{
	size_t need;
	if (colink_checked_add(&need, o->kcur_len, n) ||
	    colink_grow(o->host->realloc, (void **)&o->kcur, &o->kcur_cap, need, 1))
		return -1;
	memcpy(o->kcur + o->kcur_len, s, n);
	o->kcur_len += n;
	return 0;
}

/*
 * Whose s_key lines carry the record's pseudonyms (*kseq, 0: it has
 * none), and whether it stages them itself (*own).  The attendance file
 * repeats its person's pseudonyms on each month's record: a record of the
 * same person with the same pseudonyms as the last record that staged
 * its own (in this merge's stage) stages none, and its s_rec line names
 * that record instead (s_kseq).  So a twin rejected late at the merge
 * still leaves its pseudonyms to the twins that stay (merge.c, keys).
 */
static int kseq_of(struct out_postgres *o, const struct colink_out_record *rec, uint64_t *kseq,
		   int *own, struct colink_error *err)
{
	size_t i;
	*kseq = 0;
	*own = 0;
	if (!rec->person || !rec->npseudonyms)
		return COLINK_OK;
	o->kcur_len = 0;
	if (kcur_put(o, rec->person, strlen(rec->person) + 1))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; i < rec->npseudonyms; i++) {
		const struct colink_pseudonym *ps =
			COLINK_AT(struct colink_pseudonym, rec->pseudonyms, rec->pseudonym_size, i);
		if (kcur_put(o, ps->kind, strlen(ps->kind) + 1) ||
		    kcur_put(o, ps->value, strlen(ps->value) + 1))
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	if (o->kprev_seq && o->kprev_len == o->kcur_len &&
	    !memcmp(o->kprev, o->kcur, o->kcur_len)) {
		*kseq = o->kprev_seq;
		return COLINK_OK;
	}
	*kseq = o->seq + 1;
	*own = 1;
	return COLINK_OK;
}

/* The record's staged pseudonyms are now the ones its twins name. */
static void kseq_keep(struct out_postgres *o)
{
	char *p = o->kprev;
	size_t cap = o->kprev_cap;
	o->kprev = o->kcur;
	o->kprev_cap = o->kcur_cap;
	o->kprev_len = o->kcur_len;
	o->kcur = p;
	o->kcur_cap = cap;
	o->kcur_len = 0;
	o->kprev_seq = o->seq + 1;
}

/* The record's s_rec line (with the person columns) and its wide line;
 * built in full before either is written, so a value's error leaves none. */
static int stage_rows(struct out_postgres *o, const struct opg_kind *kd,
		      const struct colink_out_record *rec, const char *key, const char *key2,
		      uint64_t kseq, struct colink_error *err)
{
	size_t k, kf = o->key_field[WIDE_INDEX(kd->dest)];
	int rc, pass, vals;
	/* pass 0 checks every value without writing; pass 1 writes */
	for (pass = 0; pass < 2; pass++) {
		opg_line_start(o);
		opg_line_int(o, (int64_t)o->seq + 1, 1);
		opg_line_int(o, kd - opg_kinds, 1);
		opg_line_text(o, rec->person);
		opg_line_text(o, kd->side);
		opg_line_int(o, rec->birth_ym, rec->birth_ym >= 1);
		opg_line_text(o, key);
		opg_line_text(o, key2);
		opg_line_int(o, rec->input_no, 1);
		opg_line_int(o, (int64_t)rec->record_no, 1);
		opg_line_int(o, (int64_t)rec->line_no, rec->line_no >= 1);
		opg_line_int(o, rec->fiscal_year, rec->fiscal_year >= 1);
		opg_line_int(o, rec->age_at_exam, rec->age_at_exam >= 0);
		opg_line_int(o, rec->age_fy_end, rec->fiscal_year && rec->age_fy_end >= 0);
		opg_line_int(o, (int64_t)kseq, kseq > 0);
		vals = rec->birth_ym >= 1;
		for (k = dest_first(o, DEST_PERSON); k < o->ncat && o->cat[k].dest == DEST_PERSON; k++) {
			vals |= o->slot[k] != NULL;
			if ((rc = wide_value(o, k, rec, err)))
				return rc;
		}
		if (pass && (rc = opg_line_end(o, S_REC, err)))
			return rc;
		if (pass && vals)
			o->person_vals++;
		opg_line_start(o);
		opg_line_int(o, (int64_t)o->seq + 1, 1);
		for (k = dest_first(o, kd->dest); k < o->ncat && o->cat[k].dest == kd->dest; k++) {
			if (k == kf && key)
				opg_line_text(o, key);
			else if ((rc = wide_value(o, k, rec, err)))
				return rc;
		}
		if (pass && (rc = opg_line_end(o, S_WIDE + WIDE_INDEX(kd->dest) - 1, err)))
			return rc;
	}
	return COLINK_OK;
}

static int stated_null(const struct colink_out_record *rec, const struct colink_out_value *ov)
{
	return COLINK_HAS(struct colink_out_value, rec->value_size, v.source_null) &&
	       ov->v.source_null && ov->v.null_reason != COLINK_NULL_NONE;
}

/* The long rows (out_sqlite's long_rows), numbered in order. */
static int stage_long(struct out_postgres *o, const struct opg_kind *kd,
		      const struct colink_out_record *rec, struct colink_error *err)
{
	size_t i;
	int rc = COLINK_OK;
	for (i = 0; i < rec->nvalues && !rc; i++) {
		const struct colink_out_value *ov =
			COLINK_AT(struct colink_out_value, rec->values, rec->value_size, i);
		const struct colink_field_def *f = ov->field;
		const struct colink_value *v = &ov->v;
		int dest = f ? o->cat[o->by_run[ov->field_index]].dest : DEST_OBSERVATION;
		int reasoned = (v->null_reason != COLINK_NULL_NONE &&
				v->null_reason != COLINK_NULL_MISSING) || stated_null(rec, ov);
		char buf[32], flag[2] = { v->flag, 0 };
		double d;
		int stage;
		if (kd->dest == DEST_STRESS)
			stage = dest == DEST_STRESS_ANSWER && (reasoned || present(v)) ? S_SANS : -1;
		else if (dest == DEST_QUESTIONNAIRE && (reasoned || present(v)))
			stage = S_Q;
		else if (dest == DEST_OBSERVATION && (reasoned || present(v)))
			stage = S_OBS;
		else if ((dest == DEST_PERSON || dest == DEST_CHECKUP) && (reasoned || v->flag))
			stage = S_OBS;
		else
			stage = -1;
		if (stage < 0)
			continue;
		opg_line_start(o);
		opg_line_int(o, (int64_t)o->seq + 1, 1);
		opg_line_int(o, (int64_t)++o->lineno, 1);
		if (stage == S_SANS) {
			opg_line_text(o, f->name);
			opg_line_int(o, v->i, present(v));
			opg_line_text(o, null_reason_names[v->null_reason]);
		} else if (stage == S_Q) {
			opg_line_text(o, ov->item_code ? ov->item_code : f->item_code);
			opg_line_text(o, f->name);
			opg_line_text(o, present(v) ? value_text(v, buf) : NULL);
			opg_line_text(o, v->code_system ? v->code_system : f->code_system);
			opg_line_text(o, null_reason_names[v->null_reason]);
		} else {
			opg_line_text(o, ov->item_code ? ov->item_code : f ? f->item_code : NULL);
			opg_line_text(o, f ? f->name : NULL);
			opg_line_text(o, type_names[v->type]);
			opg_line_text(o, value_text(v, buf));
			if (present(v) && v->type == COLINK_T_DECIMAL && !decimal_num(v->text, &d))
				opg_line_text(o, v->text);
			else
				opg_line_int(o, v->i, present(v) && v->type == COLINK_T_INT);
			opg_line_text(o, v->code_system ? v->code_system : f ? f->code_system : NULL);
			opg_line_text(o, v->unit ? v->unit : f ? f->unit : NULL);
			opg_line_text(o, null_reason_names[v->null_reason]);
			opg_line_text(o, v->flag ? flag : NULL);
		}
		opg_line_text(o, v->raw);
		opg_line_text(o, ov->source);
		rc = opg_line_end(o, stage, err);
	}
	return rc;
}

/* ---- whether a kind's row keys may repeat in the stage ---- */

void opg_order_reset(struct out_postgres *o)
{
	memset(o->order, 0, sizeof(o->order));
	o->host->free(o->seen);
	o->seen = NULL;
	o->seen_cap = o->seen_n = 0;
}

/* At most 2 M slots (16 MB) of fingerprints per merge: memory stays flat
 * however many persons a batch has; past it the merge probes. */
#define OPG_SEEN_MAX ((size_t)1 << 21)

/* Adds the fingerprint; 1 when it was there already (or the set is full
 * or memory ran out: then the merge probes, as it would without this). */
static int seen_add(struct out_postgres *o, uint64_t fp)
{
	size_t i, mask;
	if (o->seen_n * 2 >= o->seen_cap) {
		size_t cap = o->seen_cap ? o->seen_cap * 2 : 4096, j;
		uint64_t *t = cap > OPG_SEEN_MAX ? NULL : o->host->calloc(cap, sizeof(*t));
		if (!t)
			return 1;
		for (j = 0; j < o->seen_cap; j++)
			if (o->seen[j]) {
				for (i = (size_t)(o->seen[j] & (cap - 1)); t[i]; i = (i + 1) & (cap - 1))
					;
				t[i] = o->seen[j];
			}
		o->host->free(o->seen);
		o->seen = t;
		o->seen_cap = cap;
	}
	mask = o->seen_cap - 1;
	for (i = (size_t)(fp & mask); o->seen[i]; i = (i + 1) & mask)
		if (o->seen[i] == fp)
			return 1;
	o->seen[i] = fp;
	o->seen_n++;
	return 0;
}

/*
 * A staged record of kind k (its person, its key as s_rec has it).  The
 * merge's duplicate probe (merge.c, keys_repeat) groups a batch's records
 * of a kind by person and key -- a hash aggregate of every record (1.1 s
 * of the backend's CPU for the 1.08 M months of the 100k bench) -- to
 * find out whether the window after it has anything to do.  Inputs come
 * sorted by person, then key (a person's months in order), and then no
 * key can repeat: a record of the kind's last person with a greater key,
 * or of a person the kind has not staged since the last merge, is no
 * second row.  Anything else (a person coming back, a key not greater, a
 * kind with a second key, a code master, a fingerprint that collides)
 * marks the kind `maybe`, and the merge probes as before.  Equal persons
 * have equal fingerprints, so a repeat is never missed.
 */
static void order_note(struct out_postgres *o, int k, const struct opg_kind *kd,
		       const char *person, const char *key)
{
	struct opg_order *r = &o->order[k];
	uint64_t fp = 1469598103934665603ULL;
	const char *c;
	size_t n;
	if (r->maybe)
		return;
	if (!person || o->key2_field[WIDE_INDEX(kd->dest)] != NOT_FOUND ||
	    (key && strlen(key) >= sizeof(r->key))) {
		r->maybe = 1;
		return;
	}
	n = strlen(person);
	if (r->started && !strcmp(r->person, person)) {
		if (!key || !r->has_key || strcmp(key, r->key) <= 0)
			r->maybe = 1;
	} else {
		fp ^= (uint64_t)k + 1;
		fp *= 1099511628211ULL;
		for (c = person; *c; c++) {
			fp ^= (unsigned char)*c;
			fp *= 1099511628211ULL;
		}
		if (n >= sizeof(r->person) || seen_add(o, fp ? fp : 1)) {
			r->maybe = 1;
			return;
		}
		memcpy(r->person, person, n + 1);
		r->started = 1;
	}
	r->has_key = key != NULL;
	if (key)
		snprintf(r->key, sizeof(r->key), "%s", key);
}

/*
 * One record: the checks that need no database, then its lines.  The
 * checks that do (side, a second row of this run) are merge.c's.
 */
int opg_write(void *vctx, const struct colink_out_record *rec, struct colink_error *err)
{
	struct out_postgres *o = vctx;
	const struct opg_kind *kd = NULL;
	char key[OPG_KEY_MAX], key2[OPG_KEY2_MAX];
	uint64_t kseq = 0;
	size_t i;
	int has_key, own = 0, rc = record_check(o, rec, &kd, err);
	if (!rc)
		rc = classify(o, kd, rec, err);
	if (rc)
		return rc;
	if (!kd->side) { /* a code master: a row per code, no person */
		if (rec->person || rec->npseudonyms)
			return COLINK_ERR(err, COLINK_EINVAL, "a %s record carries a person key (input %"
					  PRIu32 " record %" PRIu64 ")", kd->name, rec->input_no,
					  rec->record_no);
	} else if (!rec->person)
		return COLINK_REJECT(err, "record has no person key");
	rc = record_key(o, kd, key, key2, &has_key, err);
	if (!rc)
		rc = kseq_of(o, rec, &kseq, &own, err);
	if (!rc)
		rc = stage_rows(o, kd, rec, has_key ? key : NULL, key2[0] ? key2 : NULL, kseq, err);
	if (!rc)
		order_note(o, (int)(kd - opg_kinds), kd, rec->person, has_key ? key : NULL);
	for (i = 0; !rc && own && i < rec->npseudonyms; i++) {
		const struct colink_pseudonym *ps =
			COLINK_AT(struct colink_pseudonym, rec->pseudonyms, rec->pseudonym_size, i);
		opg_line_start(o);
		opg_line_int(o, (int64_t)o->seq + 1, 1);
		opg_line_text(o, rec->person);
		opg_line_text(o, ps->kind);
		opg_line_text(o, ps->value);
		rc = opg_line_end(o, S_KEY, err);
	}
	if (!rc && (kd->dest == DEST_CHECKUP || kd->dest == DEST_STRESS))
		rc = stage_long(o, kd, rec, err);
	if (!rc && own)
		kseq_keep(o);
	if (!rc)
		o->seq++;
	return rc;
}
