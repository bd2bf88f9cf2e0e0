/*
 * record.c -- out_sqlite: one record into the warehouse.
 *
 * A record's kind decides its side, its table and which fields it may
 * carry (`kinds` below).  Every check runs before anything of the record
 * is written (value checks, identifier refusal, person key and side, the
 * row key such as the exam date, duplicate), so a rejected or refused
 * record leaves no row.  Then: the person insert or update and its pseudonyms, the
 * kind's row (wide columns; decimals as REAL), and its long rows
 * (checkup: observation, questionnaire; stress: stress_answer).  Nothing
 * here allocates.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_sqlite_int.h"

static const char *const null_reason_names[] = {
	NULL, "not-performed", "unmeasurable", "missing", "below-range",
	"above-range", "invalid"
};

static const char *const type_names[] = {
	"null", "text", "int", "decimal", "date", "code"
};

#define BIT(d) (1u << (d))

/*
 * What each record kind writes.  `dest` is the kind's wide table (one row
 * per record); its row is identified by person_no and, when the table has
 * a key column (columns.c), that column's value: a second record for the
 * same row within one run is rejected with `dup`, a row of an earlier run
 * is replaced (`find` locates it, `del` removes it and its long rows).
 */
static const struct kind_def {
	const char *name;    /* colink_out_record.kind */
	const char *side;    /* person.side */
	int dest;            /* the kind's wide table */
	unsigned dests;      /* BIT(dest) of every table its fields may fill */
	int month;           /* key stored as YYYY-MM, not YYYY-MM-DD */
	const char *no_key;  /* reject reasons, never a value */
	const char *bad_key;
	const char *dup;
	int find;            /* enum stmt */
	int ndel;
	int del[3];          /* enum stmt, each bound with the found id */
	int int_key;         /* the key is an INT field (a year), not a date */
	int text_key;        /* the key is a text (a claim key), not a date */
} kinds[K_COUNT] = {
	[K_CHECKUP] = { "checkup", "association", DEST_CHECKUP,
			BIT(DEST_PERSON) | BIT(DEST_CHECKUP) | BIT(DEST_OBSERVATION) |
			BIT(DEST_QUESTIONNAIRE), 0,
			"no exam date", "invalid exam date",
			"duplicate checkup for this person and exam date",
			ST_CK_FIND, 3, { ST_CK_DEL_OBS, ST_CK_DEL_Q, ST_CK_DEL } },
	[K_ROSTER] = { "roster", "employer", DEST_EMPLOYEE,
		       BIT(DEST_PERSON) | BIT(DEST_EMPLOYEE), 0, NULL, NULL,
		       "duplicate roster record for this person",
		       ST_EMP_FIND, 1, { ST_EMP_DEL } },
	[K_ATTENDANCE] = { "attendance", "employer", DEST_ATTENDANCE,
			   BIT(DEST_PERSON) | BIT(DEST_ATTENDANCE), 1,
			   "no year and month", "invalid year and month",
			   "duplicate attendance for this person and month",
			   ST_AT_FIND, 1, { ST_AT_DEL } },
	[K_STRESS] = { "stress", "employer", DEST_STRESS,
		       BIT(DEST_PERSON) | BIT(DEST_STRESS) | BIT(DEST_STRESS_ANSWER), 0,
		       "no stress check date", "invalid stress check date",
		       "duplicate stress check for this person and date",
		       ST_SC_FIND, 2, { ST_SC_DEL_ANS, ST_SC_DEL } },
	[K_CLAIMS] = { "claims", "association", DEST_CLAIMS,
		       BIT(DEST_PERSON) | BIT(DEST_CLAIMS), 0,
		       "no fiscal year", "invalid fiscal year",
		       "duplicate claims summary for this person and fiscal year",
		       ST_CL_FIND, 1, { ST_CL_DEL }, 1 },
	/* the row is the person's programme on a date: the programme is the
	 * second key (columns.c key2), a code that must be present */
	[K_PARTICIPATION] = { "participation", "employer", DEST_PARTICIPATION,
			      BIT(DEST_PERSON) | BIT(DEST_PARTICIPATION), 0,
			      "no participation date or programme",
			      "invalid participation date or programme",
			      "duplicate participation for this person, programme and date",
			      ST_PA_FIND, 1, { ST_PA_DEL } },
	/* レセプト (UKE, #21): a claim by its key; a diagnosis or item by its
	 * claim's key and its place in the claim (the second key) */
	[K_CLAIM] = { "claim", "association", DEST_CLAIM,
		      BIT(DEST_PERSON) | BIT(DEST_CLAIM), 0,
		      "no claim key", "invalid claim key",
		      "duplicate claim for this person and claim key",
		      ST_RC_FIND, 1, { ST_RC_DEL }, 0, 1 },
	[K_DIAGNOSIS] = { "diagnosis", "association", DEST_DIAGNOSIS,
			  BIT(DEST_PERSON) | BIT(DEST_DIAGNOSIS), 0,
			  "no claim key or sequence number",
			  "invalid claim key or sequence number",
			  "duplicate diagnosis for this person, claim and sequence number",
			  ST_DG_FIND, 1, { ST_DG_DEL }, 0, 1 },
	[K_ITEM] = { "claim_item", "association", DEST_ITEM,
		     BIT(DEST_PERSON) | BIT(DEST_ITEM), 0,
		     "no claim key or sequence number",
		     "invalid claim key or sequence number",
		     "duplicate claim item for this person, claim and sequence number",
		     ST_IT_FIND, 1, { ST_IT_DEL }, 0, 1 },
	/* code masters (#21): no person, no side; a row per code, the code of
	 * a later run replaces the earlier one */
	[K_DISEASE_MASTER] = { "disease_master", NULL, DEST_DISEASE_MASTER,
			       BIT(DEST_DISEASE_MASTER), 0, "no code", "invalid code",
			       "duplicate code in the disease master",
			       ST_DM_FIND, 1, { ST_DM_DEL }, 0, 1 },
	[K_DRUG_MASTER] = { "drug_master", NULL, DEST_DRUG_MASTER,
			    BIT(DEST_DRUG_MASTER), 0, "no code", "invalid code",
			    "duplicate code in the drug master",
			    ST_MM_FIND, 1, { ST_MM_DEL }, 0, 1 },
	/* 傷病手当金 (v9): one payment per person and period start; a later
	 * run's payment for the same start replaces the earlier one */
	[K_ALLOWANCE] = { "allowance", "association", DEST_ALLOWANCE,
			  BIT(DEST_PERSON) | BIT(DEST_ALLOWANCE), 0,
			  "no allowance period start (allowance_from)",
			  "invalid allowance period start (allowance_from)",
			  "duplicate allowance payment for this person and period start",
			  ST_AL_FIND, 1, { ST_AL_DEL } },
};

/* Hex digits by byte (a lookup: every pseudonym and feature of every
 * record is checked, a Bloom filter is 128 digits). */
static const unsigned char hexd[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
	['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
	['e'] = 1, ['f'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
};

static int is_hexn(const char *s, size_t n)
{
	size_t i;
	unsigned char ok = 1;
	if (!s)
		return 0;
	for (i = 0; i < n && s[i]; i++)
		ok &= hexd[(unsigned char)s[i]];
	return ok && i == n && s[n] == '\0';
}

static int is_hex64(const char *s)
{
	return is_hexn(s, 64);
}

static unsigned hexval(unsigned char c)
{
	return (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10) & 15u;
}

/* Hex digits to bytes; n digits (even) of s. */
size_t osq_unhex(const char *s, size_t n, unsigned char *out)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		out[i / 2] = (unsigned char)(hexval((unsigned char)s[i]) << 4 |
					     hexval((unsigned char)s[i + 1]));
	return n / 2;
}

int osq_bind_hex(sqlite3_stmt *st, int i, const char *s)
{
	unsigned char b[OSQ_BLOB_MAX];
	size_t n = s ? strlen(s) : 0;
	if (!s)
		return sqlite3_bind_null(st, i);
	if (n > 2 * OSQ_BLOB_MAX || (n & 1) || !is_hexn(s, n))
		return SQLITE_MISUSE; /* the caller checked: never reached */
	return sqlite3_bind_blob(st, i, b, (int)osq_unhex(s, n, b), SQLITE_TRANSIENT);
}

/* colink_unhex(x): x's bytes when x is hex text, else x as it is (a blob
 * already, NULL, or not hex: left for the checks to find). */
static void unhex_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned char b[OSQ_BLOB_MAX];
	const char *s;
	size_t n;
	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	s = (const char *)sqlite3_value_text(argv[0]);
	n = s ? strlen(s) : 0;
	if (!s || n > 2 * OSQ_BLOB_MAX || (n & 1) || !is_hexn(s, n)) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	sqlite3_result_blob(ctx, b, (int)osq_unhex(s, n, b), SQLITE_TRANSIENT);
}

int osq_register_unhex(sqlite3 *db)
{
	return sqlite3_create_function(db, "colink_unhex", 1,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				       unhex_fn, NULL, NULL);
}

/* A comparison feature (#23, kind "feature.*"): a keyed token
 * (OSQ_FEATURE_TOKEN_HEX hex, schema 14) or the name's Bloom filter
 * (OSQ_FEATURE_BF_HEX hex, twice that balanced). */
static int is_feature(const char *kind)
{
	return !strncmp(kind, OSQ_FEATURE_PREFIX, sizeof(OSQ_FEATURE_PREFIX) - 1);
}

static int pseudonym_ok(const struct colink_pseudonym *ps)
{
	if (!ps->kind)
		return 0;
	if (is_feature(ps->kind))
		return is_hexn(ps->value, OSQ_FEATURE_BF_HEX) ||
		       is_hexn(ps->value, 2 * OSQ_FEATURE_BF_HEX) ||
		       is_hexn(ps->value, OSQ_FEATURE_TOKEN_HEX);
	return is_hex64(ps->value);
}

/* YYYY-MM-DD of a yyyymmdd value, by hand: snprintf here was ~1 % of a
 * load's CPU (every attendance row's key; bench/RESULTS.md, round 8). */
static int format_date(int64_t ymd, char out[11])
{
	int y = (int)(ymd / 10000), m = (int)(ymd / 100 % 100), d = (int)(ymd % 100);
	if (ymd < 0 || ymd / 10000 > 9999 || y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return 0;
}

/* The row key of a kind: YYYY-MM-DD, or YYYY-MM for a month (the day of
 * a month value is the 1st by fields.tsv; any valid day names the month). */
static int format_key(const struct kind_def *kd, int64_t ymd, char out[11])
{
	if (format_date(ymd, out))
		return -1;
	if (kd->month)
		out[7] = '\0';
	return 0;
}

/* A value is present when it has no null reason and carries something. */
static int present(const struct colink_value *v)
{
	if (v->null_reason != COLINK_NULL_NONE || v->type == COLINK_T_NULL)
		return 0;
	return v->type == COLINK_T_INT || v->type == COLINK_T_DATE || v->text;
}

/*
 * The exact text of a value: the canonical text, INT in decimal, DATE as
 * YYYY-MM-DD; for a censored null the bound.  NULL when there is none.
 * The result may point into buf (32 bytes).
 */
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

/* Checks of one value that do not depend on where it goes (dest: its
 * osq_table_dest, looked up once by the caller). */
static int value_check(const struct colink_out_record *rec,
		       const struct colink_out_value *ov, int dest,
		       struct colink_error *err)
{
	const struct colink_field_def *f = ov->field;
	const char *name = f && f->name ? f->name
			 : ov->item_code ? ov->item_code : "(unnamed)";
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
				  " record %" PRIu64 ")", name, ov->v.type, rec->input_no,
				  rec->record_no);
	if (ov->v.null_reason < COLINK_NULL_NONE ||
	    ov->v.null_reason > COLINK_NULL_INVALID)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s: unknown null reason %d (input %" PRIu32
				  " record %" PRIu64 ")", name, ov->v.null_reason,
				  rec->input_no, rec->record_no);
	if (ov->v.flag && ov->v.flag != 'H' && ov->v.flag != 'L')
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s: flag must be H or L (input %" PRIu32
				  " record %" PRIu64 ")", name, rec->input_no, rec->record_no);
	if (f && dest == DEST_UNKNOWN)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s names unknown warehouse table %s", name, f->table);
	return COLINK_OK;
}

/* A value may only fill a table of its record's kind; an item without a
 * common field has a place (observation) only in a checkup. */
static int dest_check(const struct kind_def *kd, const struct colink_out_record *rec,
		      const struct colink_out_value *ov, int dest,
		      struct colink_error *err)
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
				  PRIu32 " record %" PRIu64 ")", ov->field->name,
				  ov->field->table, kd->name, rec->input_no, rec->record_no);
	if (dest == DEST_STRESS_ANSWER && present(&ov->v) && ov->v.type != COLINK_T_INT)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "field %s: a stress answer must be an int value (input %"
				  PRIu32 " record %" PRIu64 ")", ov->field->name,
				  rec->input_no, rec->record_no);
	return COLINK_OK;
}

/* The cat index of a catalogue value, from the field_index the core gave
 * it (ABI 2.0), or NOT_FOUND when the index is out of range or names
 * another field than the value's own pointer: no name is looked up. */
static size_t cat_of(const struct out_sqlite *o, const struct colink_out_value *ov)
{
	uint32_t fi = ov->field_index;
	if (fi >= o->ncat ||
	    ov->field != COLINK_AT(struct colink_field_def, o->run_fields,
				   o->run_field_size, fi))
		return NOT_FOUND;
	return o->by_run[fi];
}

/* Where a value goes (enum dest); classify checked its index first. */
static int value_dest(const struct out_sqlite *o, const struct colink_out_value *ov)
{
	return ov->field ? o->cat[o->by_run[ov->field_index]].dest : DEST_OBSERVATION;
}

/* Check every value and put each present value of a wide table or a
 * stress answer in its slot.  Nothing is written yet. */
static int classify(struct out_sqlite *o, const struct kind_def *kd,
		    const struct colink_out_record *rec, struct colink_error *err)
{
	size_t i, k;
	int rc, dest;
	memset(o->slot, 0, o->ncat * sizeof(*o->slot));
	for (i = 0; i < rec->nvalues; i++) {
		const struct colink_out_value *ov = OSQ_VAL(rec, i);
		k = ov->field ? cat_of(o, ov) : NOT_FOUND;
		if (ov->field && k == NOT_FOUND)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "field %s is not in the run's catalogue as table %s (input %"
					  PRIu32 " record %" PRIu64 ")", ov->field->name,
					  ov->field->table, rec->input_no, rec->record_no);
		dest = ov->field ? o->cat[k].dest : DEST_OBSERVATION;
		rc = value_check(rec, ov, dest, err);
		if (rc)
			return rc;
		rc = dest_check(kd, rec, ov, dest, err);
		if (rc)
			return rc;
		if (!DEST_IS_WIDE(dest) && dest != DEST_STRESS_ANSWER)
			continue;
		if (!present(&ov->v))
			continue;
		if (o->slot[k])
			return COLINK_REJECT(err,
					  "field %s has two values (sources %s and %s)",
					  o->cat[k].name,
					  o->slot[k]->source ? o->slot[k]->source : "?",
					  ov->source ? ov->source : "?");
		o->slot[k] = ov;
	}
	return COLINK_OK;
}

static int record_check(struct out_sqlite *o, const struct colink_out_record *rec,
			const struct kind_def **kd, struct colink_error *err)
{
	size_t i;
	int rc = osq_in_run(o, "write", err);
	if (rc)
		return rc;
	if (!rec || rec->struct_size < COLINK_SIZE_TO(struct colink_out_record, fiscal_year) ||
	    (rec->nvalues && (!rec->values ||
			      rec->value_size < COLINK_SIZE_TO(struct colink_out_value, v.raw))) ||
	    (rec->npseudonyms && (!rec->pseudonyms ||
				  rec->pseudonym_size < COLINK_SIZE_TO(struct colink_pseudonym, value))))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: write: malformed record", o->path);
	for (*kd = NULL, i = 0; rec->kind && i < K_COUNT && !*kd; i++)
		if (!strcmp(rec->kind, kinds[i].name))
			*kd = &kinds[i];
	if (!*kd)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "record kind %s is not supported by out_sqlite (input %"
				  PRIu32 " record %" PRIu64 ")",
				  rec->kind ? rec->kind : "(none)", rec->input_no,
				  rec->record_no);
	/* A pseudonym is 64 hex, a feature a token or name filter of its
	 * width (pseudonym_ok); anything else may be a raw identifier. */
	if (rec->person && !is_hex64(rec->person))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "person key is not a 64-hex pseudonym (input %" PRIu32
				  " record %" PRIu64 ")", rec->input_no, rec->record_no);
	for (i = 0; i < rec->npseudonyms; i++)
		if (!pseudonym_ok(OSQ_PS(rec, i)))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "pseudonym %zu is not a kind with 64 hex, nor a feature "
					  "of its width (input %"
					  PRIu32 " record %" PRIu64 ")", i + 1,
					  rec->input_no, rec->record_no);
	return COLINK_OK;
}

/*
 * A person belongs to one side for good: a record of the other side for
 * the same person key is rejected (the job keys both sides alike, or a
 * pseudonym collides).  Read only.  *this_run: the person's last run is
 * this one (person_write need not set it again).
 */
static int side_check(struct out_sqlite *o, const struct kind_def *kd,
		      const char *person, sqlite3_int64 *person_no,
		      int *this_run, struct colink_error *err)
{
	sqlite3_stmt *st;
	const unsigned char *side;
	int src, other, mapped;
	int rc = osq_person_find(o, person, kd->side, person_no, &other, &mapped, err);
	*this_run = mapped; /* a first load's person is this run's (person_map.c) */
	if (rc)
		return rc;
	if (!mapped) {
		st = osq_use(o, ST_PERSON_SIDE);
		osq_bind_text(st, 1, person);
		osq_bind_text(st, 2, o->run_id);
		src = sqlite3_step(st);
		*person_no = 0; /* 0: the person has no row yet */
		if (src == SQLITE_ROW) {
			side = sqlite3_column_text(st, 0);
			other = side && strcmp((const char *)side, kd->side);
			*person_no = sqlite3_column_int64(st, 1);
			*this_run = sqlite3_column_int(st, 2);
		}
		sqlite3_reset(st);
		if (src != SQLITE_ROW && src != SQLITE_DONE)
			return osq_db_err(o, src, "looking up the person", err);
	}
	if (other)
		return COLINK_REJECT(err,
				  "the person key belongs to a person of the other side; "
				  "records of kind %s are the %s's", kd->name, kd->side);
	return COLINK_OK;
}

/*
 * The kind's row for person (+ key): one of this run is a duplicate
 * (reject); one of an earlier run is replaced (deleted here, with its long
 * rows, and inserted again by the caller).
 */
static int row_claim(struct out_sqlite *o, const struct kind_def *kd,
		     sqlite3_int64 person_no, const char *key, struct colink_error *err)
{
	sqlite3_stmt *st = osq_use(o, kd->find);
	sqlite3_int64 id, in_no, rec_no;
	const char *key2 = o->key2[0] ? o->key2 : NULL; /* set by record_key */
	int src, same_run, i;
	sqlite3_bind_int64(st, 1, person_no);
	if (key)
		osq_bind_text(st, 2, key);
	if (key2) /* checked by record_key */
		osq_bind_text(st, 3, key2);
	src = sqlite3_step(st);
	if (src == SQLITE_DONE) {
		sqlite3_reset(st);
		return COLINK_OK;
	}
	if (src != SQLITE_ROW)
		return osq_db_err(o, src, "looking up an earlier row", err);
	id = sqlite3_column_int64(st, 0);
	same_run = !strcmp((const char *)sqlite3_column_text(st, 1), o->run_id);
	in_no = sqlite3_column_int64(st, 2);
	rec_no = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	if (same_run)
		return COLINK_REJECT(err, "%s (input %lld record %lld)",
				  kd->dup, (long long)in_no, (long long)rec_no);
	for (i = 0; i < kd->ndel; i++) {
		st = osq_use(o, kd->del[i]);
		sqlite3_bind_int64(st, 1, id);
		if (key && sqlite3_bind_parameter_count(st) > 1) /* WITHOUT ROWID */
			osq_bind_text(st, 2, key);
		if (key2 && sqlite3_bind_parameter_count(st) > 2)
			osq_bind_text(st, 3, key2);
		src = osq_step_done(st);
		if (src != SQLITE_OK)
			return osq_db_err(o, src, "replacing an earlier row", err);
	}
	o->replaced[kd - kinds]++;
	return COLINK_OK;
}

/* Bind a present value to a wide column: decimals as REAL. */
static int bind_column(sqlite3_stmt *st, int param,
		       const struct colink_out_value *ov,
		       const struct colink_out_record *rec, struct colink_error *err)
{
	char buf[32];
	double d;
	switch (ov->v.type) {
	case COLINK_T_DECIMAL:
		if (osq_decimal_num(ov->v.text, &d))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "field %s: decimal text is not a number (input %"
					  PRIu32 " record %" PRIu64 ")", ov->field->name,
					  rec->input_no, rec->record_no);
		sqlite3_bind_double(st, param, d);
		return COLINK_OK;
	case COLINK_T_INT:
		sqlite3_bind_int64(st, param, ov->v.i);
		return COLINK_OK;
	case COLINK_T_DATE:
		if (format_date(ov->v.i, buf))
			return COLINK_REJECT(err, "invalid date in field %s",
					  ov->field->name);
		osq_bind_copy(st, param, buf);
		return COLINK_OK;
	default:
		osq_bind_text(st, param, ov->v.text);
		return COLINK_OK;
	}
}

/* Whether the record would only repeat the previous record's person
 * update (see struct osq_last_person): same person, side, birth month and
 * pseudonyms, and no person column of its own. */
static int same_person(const struct out_sqlite *o, const struct kind_def *kd,
		       const struct colink_out_record *rec)
{
	const struct osq_last_person *l = &o->last;
	size_t i;
	if (!l->valid || l->side != kd->side || l->birth_ym != rec->birth_ym ||
	    l->npseudonyms != rec->npseudonyms || strcmp(l->person, rec->person))
		return 0;
	for (i = o->wstart[WIDE_INDEX(DEST_PERSON)];
	     i < o->wstart[WIDE_INDEX(DEST_PERSON) + 1]; i++)
		if (o->slot[o->wfield[i]])
			return 0;
	for (i = 0; i < rec->npseudonyms; i++)
		if (strcmp(l->kind[i], OSQ_PS(rec, i)->kind) ||
		    strcmp(l->value[i], OSQ_PS(rec, i)->value))
			return 0;
	return 1;
}

/* Remember the person just written, when it fits (else forget). */
static void remember_person(struct out_sqlite *o, const struct kind_def *kd,
			    const struct colink_out_record *rec, sqlite3_int64 person_no)
{
	struct osq_last_person *l = &o->last;
	size_t i;
	l->valid = 0;
	if (rec->npseudonyms > OSQ_LAST_MAXPS || strlen(rec->person) >= sizeof(l->person))
		return;
	for (i = 0; i < rec->npseudonyms; i++) {
		if (strlen(OSQ_PS(rec, i)->kind) >= sizeof(l->kind[i]) ||
		    strlen(OSQ_PS(rec, i)->value) >= sizeof(l->value[i]))
			return;
		strcpy(l->kind[i], OSQ_PS(rec, i)->kind);
		strcpy(l->value[i], OSQ_PS(rec, i)->value);
	}
	strcpy(l->person, rec->person);
	l->person_no = person_no;
	l->side = kd->side;
	l->birth_ym = rec->birth_ym;
	l->npseudonyms = rec->npseudonyms;
	l->valid = 1;
}

/* Bind the record's comparison features to st (?1 person_no, ?2 key_id,
 * then OSQ_FEATURE_COLUMNS' order); a feature the record lacks stays NULL. */
static void feature_bind(struct out_sqlite *o, sqlite3_stmt *st,
			 const struct colink_out_record *rec, sqlite3_int64 person_no)
{
	static const char *const cols[OSQ_NFEATURES] = {OSQ_FEATURE_COLUMNS};
	size_t i, c;
	sqlite3_bind_int64(st, 1, person_no);
	osq_bind_text(st, 2, o->key_id);
	for (i = 0; i < rec->npseudonyms; i++) {
		const char *k = OSQ_PS(rec, i)->kind;
		if (!is_feature(k))
			continue;
		for (c = 0; c < OSQ_NFEATURES; c++) /* the names differ: one at most */
			if (!strcmp(k + sizeof(OSQ_FEATURE_PREFIX) - 1, cols[c])) {
				osq_bind_hex(st, 3 + (int)c, OSQ_PS(rec, i)->value);
				break;
			}
	}
}

/* The record's comparison features (#23) into the person's row of
 * person_feature: what the record lacks stays as it was.  A person known
 * before this record may have the row (update; insert if it had none); a
 * new one has none (insert). */
static int feature_write(struct out_sqlite *o, const struct colink_out_record *rec,
			 sqlite3_int64 person_no, int known)
{
	sqlite3_stmt *st;
	int src;
	if (known) {
		st = osq_use(o, ST_FEATURE_UPD);
		feature_bind(o, st, rec, person_no);
		src = osq_step_done(st);
		if (src != SQLITE_OK || sqlite3_changes(o->db))
			return src;
	}
	st = osq_use(o, ST_FEATURE);
	feature_bind(o, st, rec, person_no);
	return osq_step_done(st);
}

/* The person's insert or update (columns.c) and its pseudonyms (staged:
 * osq_keys_flush); *person_no is the person's row, known before (non-zero:
 * an update, this_run as side_check said) or new (an insert). */
static int person_write(struct out_sqlite *o, const struct kind_def *kd,
			const struct colink_out_record *rec,
			sqlite3_int64 *person_no, int this_run, struct colink_error *err)
{
	sqlite3_stmt *st = osq_use(o, !*person_no ? ST_PERSON :
				  this_run ? ST_PERSON_UPD : ST_PERSON_UPD_RUN);
	size_t i, nfeat = 0;
	int src, rc, known = *person_no != 0;
	osq_bind_text(st, 1, rec->person);
	osq_bind_text(st, 2, o->key_id);
	osq_bind_pos(st, 3, rec->birth_ym, 1);
	osq_bind_text(st, 4, o->run_id);
	osq_bind_text(st, 5, kd->side);
	if (*person_no)
		sqlite3_bind_int64(st, osq_person_no_param(o), *person_no);
	for (i = o->wstart[WIDE_INDEX(DEST_PERSON)];
	     i < o->wstart[WIDE_INDEX(DEST_PERSON) + 1]; i++) {
		size_t k = o->wfield[i];
		if (o->slot[k]) {
			rc = bind_column(st, o->cat[k].param, o->slot[k], rec, err);
			if (rc)
				return rc;
		}
	}
	src = osq_step_done(st);
	/* a new person's row is the one just inserted */
	if (src == SQLITE_OK && !*person_no) {
		*person_no = sqlite3_last_insert_rowid(o->db);
		rc = osq_person_added(o, rec->person, *person_no, err);
		if (rc)
			return rc;
	}
	for (i = 0; src == SQLITE_OK && i < rec->npseudonyms; i++) {
		if (is_feature(OSQ_PS(rec, i)->kind)) {
			nfeat++;
			continue;
		}
		rc = osq_key_stage(o, *person_no, OSQ_PS(rec, i)->kind, OSQ_PS(rec, i)->value, err);
		if (rc)
			return rc;
	}
	if (src == SQLITE_OK && nfeat)
		src = feature_write(o, rec, *person_no, known);
	return src == SQLITE_OK ? COLINK_OK : osq_db_err(o, src, "writing the person", err);
}

/* The kind's row: the fixed columns in the order of columns.c's wides[],
 * the catalogue columns, and the key column as `key` (a month as YYYY-MM).
 * Binds only; row_step runs it. */
static int row_bind(struct out_sqlite *o, const struct kind_def *kd,
		    const struct colink_out_record *rec, sqlite3_int64 person_no,
		    const char *key, struct colink_error *err)
{
	sqlite3_stmt *st = osq_use(o, ST_PERSON + WIDE_INDEX(kd->dest));
	size_t i, kf = o->key_field[WIDE_INDEX(kd->dest)];
	int rc, p = 1;
	if (kd->side) /* a code master has no person */
		sqlite3_bind_int64(st, p++, person_no);
	if (kd->dest == DEST_CHECKUP) {
		osq_bind_pos(st, p++, rec->fiscal_year, 1);
		osq_bind_pos(st, p++, rec->age_at_exam, 0);
		osq_bind_pos(st, p++, rec->fiscal_year ? rec->age_fy_end : -1, 0);
	}
	osq_bind_text(st, p++, o->run_id);
	sqlite3_bind_int64(st, p++, rec->input_no);
	osq_bind_u64(st, p++, rec->record_no);
	osq_bind_pos(st, p, (int64_t)rec->line_no, 1);
	for (i = o->wstart[WIDE_INDEX(kd->dest)];
	     i < o->wstart[WIDE_INDEX(kd->dest) + 1]; i++) {
		size_t k = o->wfield[i];
		if (o->slot[k]) {
			rc = bind_column(st, o->cat[k].param, o->slot[k], rec, err);
			if (rc)
				return rc;
		}
	}
	if (key && kf != NOT_FOUND)
		osq_bind_copy(st, o->cat[kf].param, key);
	return COLINK_OK;
}

/* Run the row statement row_bind bound (its bindings survive a reset):
 * the SQLite result code; *id the new row's rowid on SQLITE_OK. */
static int row_step(struct out_sqlite *o, const struct kind_def *kd,
		    sqlite3_int64 *id)
{
	int src = osq_step_done(o->st[ST_PERSON + WIDE_INDEX(kd->dest)]);
	if (src == SQLITE_OK)
		*id = sqlite3_last_insert_rowid(o->db);
	return src;
}

static int row_write(struct out_sqlite *o, const struct kind_def *kd,
		     const struct colink_out_record *rec, sqlite3_int64 person_no,
		     const char *key, sqlite3_int64 *id, struct colink_error *err)
{
	int src, rc = row_bind(o, kd, rec, person_no, key, err);
	if (rc)
		return rc;
	src = row_step(o, kd, id);
	return src == SQLITE_OK ? COLINK_OK : osq_db_err(o, src, "writing the record", err);
}

/*
 * row_claim then row_write, for a record whose person update is skipped
 * (same_person), with the same outcome in fewer statements: the insert
 * runs first and only when it hits a constraint (the row's UNIQUE key:
 * a duplicate of this run or a row of an earlier run; or any other
 * constraint) does row_claim look the row up, reject or replace it, and
 * the insert run again.  A failed insert changes nothing (statement
 * rollback), so a rejected record still leaves no row; errors come in the
 * same order as row_claim, row_write would give them.
 */
static int row_claim_write(struct out_sqlite *o, const struct kind_def *kd,
			   const struct colink_out_record *rec, sqlite3_int64 person_no,
			   const char *key, sqlite3_int64 *id, struct colink_error *err)
{
	int src, rc = row_bind(o, kd, rec, person_no, key, err);
	if (rc) { /* row_claim comes first, then the value's error */
		int claim = row_claim(o, kd, person_no, key, err);
		return claim ? claim : rc;
	}
	src = row_step(o, kd, id);
	if ((src & 0xff) == SQLITE_CONSTRAINT) {
		rc = row_claim(o, kd, person_no, key, err);
		if (rc)
			return rc;
		src = row_step(o, kd, id);
	}
	return src == SQLITE_OK ? COLINK_OK : osq_db_err(o, src, "writing the record", err);
}

static int observation_write(struct out_sqlite *o, sqlite3_int64 id,
			     const struct colink_out_value *ov)
{
	const struct colink_field_def *f = ov->field;
	const struct colink_value *v = &ov->v;
	sqlite3_stmt *st = osq_use(o, ST_OBS);
	char buf[32], flag[2] = { v->flag, 0 };
	double d;
	sqlite3_bind_int64(st, 1, id);
	osq_bind_text(st, 2, ov->item_code ? ov->item_code : f ? f->item_code : NULL);
	osq_bind_text(st, 3, f ? f->name : NULL);
	osq_bind_text(st, 4, type_names[v->type]);
	osq_bind_copy(st, 5, value_text(v, buf));
	if (present(v) && v->type == COLINK_T_DECIMAL && !osq_decimal_num(v->text, &d))
		sqlite3_bind_double(st, 6, d);
	else if (present(v) && v->type == COLINK_T_INT)
		sqlite3_bind_int64(st, 6, v->i);
	osq_bind_text(st, 7, v->code_system ? v->code_system : f ? f->code_system : NULL);
	osq_bind_text(st, 8, v->unit ? v->unit : f ? f->unit : NULL);
	osq_bind_text(st, 9, null_reason_names[v->null_reason]);
	osq_bind_copy(st, 10, v->flag ? flag : NULL);
	osq_bind_text(st, 11, v->raw);
	osq_bind_text(st, 12, ov->source);
	return osq_step_done(st);
}

static int questionnaire_write(struct out_sqlite *o, sqlite3_int64 id,
			       const struct colink_out_value *ov)
{
	const struct colink_field_def *f = ov->field;
	const struct colink_value *v = &ov->v;
	sqlite3_stmt *st = osq_use(o, ST_Q);
	char buf[32];
	sqlite3_bind_int64(st, 1, id);
	osq_bind_text(st, 2, ov->item_code ? ov->item_code : f->item_code);
	osq_bind_text(st, 3, f->name);
	osq_bind_copy(st, 4, present(v) ? value_text(v, buf) : NULL);
	osq_bind_text(st, 5, v->code_system ? v->code_system : f->code_system);
	osq_bind_text(st, 6, null_reason_names[v->null_reason]);
	osq_bind_text(st, 7, v->raw);
	osq_bind_text(st, 8, ov->source);
	return osq_step_done(st);
}

static int answer_write(struct out_sqlite *o, sqlite3_int64 id,
			const struct colink_out_value *ov)
{
	const struct colink_value *v = &ov->v;
	sqlite3_stmt *st = osq_use(o, ST_SANS);
	sqlite3_bind_int64(st, 1, id);
	osq_bind_text(st, 2, ov->field->name);
	if (present(v))
		sqlite3_bind_int64(st, 3, v->i);
	osq_bind_text(st, 4, null_reason_names[v->null_reason]);
	osq_bind_text(st, 5, v->raw);
	osq_bind_text(st, 6, ov->source);
	return osq_step_done(st);
}

/*
 * The long rows of a checkup: observation and questionnaire fields, unknown
 * items, and the exact text of wide-column values that are null with a
 * reason or flagged; of a stress check: its answers.  A value with neither content nor reason is skipped;
 * "missing" from an empty source cell is not a reason worth a row: the NULL
 * column already says it, and a row per empty cell would multiply the
 * long table for nothing.  "missing" the source stated (an MHLW item named
 * with no value: source_null, ABI 2.2) is: the item was there (#25).
 */
static int stated_null(const struct colink_out_record *rec, const struct colink_out_value *ov)
{
	return COLINK_HAS(struct colink_out_value, rec->value_size, v.source_null) &&
	       ov->v.source_null && ov->v.null_reason != COLINK_NULL_NONE;
}

static int long_rows(struct out_sqlite *o, const struct kind_def *kd,
		     const struct colink_out_record *rec, sqlite3_int64 id,
		     struct colink_error *err)
{
	size_t i;
	int src = SQLITE_OK;
	for (i = 0; i < rec->nvalues && src == SQLITE_OK; i++) {
		const struct colink_out_value *ov = OSQ_VAL(rec, i);
		int dest = value_dest(o, ov);
		int reasoned = (ov->v.null_reason != COLINK_NULL_NONE &&
				 ov->v.null_reason != COLINK_NULL_MISSING) || stated_null(rec, ov);
		if (kd->dest == DEST_STRESS) {
			if (dest == DEST_STRESS_ANSWER && (reasoned || present(&ov->v)))
				src = answer_write(o, id, ov);
		} else if (dest == DEST_QUESTIONNAIRE && (reasoned || present(&ov->v)))
			src = questionnaire_write(o, id, ov);
		else if (dest == DEST_OBSERVATION && (reasoned || present(&ov->v)))
			src = observation_write(o, id, ov);
		else if ((dest == DEST_PERSON || dest == DEST_CHECKUP) &&
			 (reasoned || ov->v.flag))
			src = observation_write(o, id, ov);
	}
	if (src != SQLITE_OK)
		return COLINK_ERR(err, COLINK_EIO,
				  "%s: writing the values of input %" PRIu32
				  " record %" PRIu64 ": %s", o->path, rec->input_no,
				  rec->record_no, sqlite3_errmsg(o->db));
	return COLINK_OK;
}

/* The row key of the record (exam date, month, stress date) into key;
 * *has_key 0 for a kind whose row is the person's alone. */
static int record_key(struct out_sqlite *o, const struct kind_def *kd,
		      char key[OSQ_KEY_MAX], int *has_key, struct colink_error *err)
{
	size_t kf = o->key_field[WIDE_INDEX(kd->dest)];
	size_t k2 = o->key2_field[WIDE_INDEX(kd->dest)];
	const struct colink_out_value *kv;
	*has_key = kd->no_key != NULL;
	o->key2[0] = '\0';
	if (!*has_key)
		return COLINK_OK;
	if (kd->dest == DEST_PARTICIPATION || kd->dest == DEST_DIAGNOSIS ||
	    kd->dest == DEST_ITEM) { /* the second key: a present code or number */
		kv = k2 != NOT_FOUND ? o->slot[k2] : NULL;
		if (!kv || !present(&kv->v))
			return COLINK_REJECT(err, "%s", kd->no_key);
		if (kv->v.type == COLINK_T_INT)
			snprintf(o->key2, sizeof(o->key2), "%" PRId64, kv->v.i);
		else if (!kv->v.text || !*kv->v.text || strlen(kv->v.text) >= sizeof(o->key2))
			return COLINK_REJECT(err, "%s", kd->bad_key);
		else
			strcpy(o->key2, kv->v.text);
	}
	kv = kf != NOT_FOUND ? o->slot[kf] : NULL;
	if (!kv)
		return COLINK_REJECT(err, "%s", kd->no_key);
	if (kd->text_key) { /* a claim key */
		if (!kv->v.text || !*kv->v.text || strlen(kv->v.text) >= OSQ_KEY_MAX)
			return COLINK_REJECT(err, "%s", kd->bad_key);
		strcpy(key, kv->v.text);
		return COLINK_OK;
	}
	if (kd->int_key) { /* a fiscal year */
		if (kv->v.type != COLINK_T_INT || kv->v.i < 1900 || kv->v.i > 2200)
			return COLINK_REJECT(err, "%s", kd->bad_key);
		snprintf(key, 11, "%d", (int)kv->v.i);
		return COLINK_OK;
	}
	if (kv->v.type != COLINK_T_DATE || format_key(kd, kv->v.i, key))
		return COLINK_REJECT(err, "%s", kd->bad_key);
	return COLINK_OK;
}

/*
 * One record: every check runs before anything is written, so a rejected
 * or refused record leaves no row.  A failure after the first write is
 * COLINK_EIO and ends the run (the core aborts; the transaction rolls
 * back).
 */
int osq_write(void *vctx, const struct colink_out_record *rec,
	      struct colink_error *err)
{
	struct out_sqlite *o = vctx;
	const struct kind_def *kd = NULL;
	sqlite3_int64 id = 0, person_no = 0;
	char key[OSQ_KEY_MAX];
	int has_key, repeat, this_run = 0, rc = record_check(o, rec, &kd, err);
	if (!rc)
		rc = classify(o, kd, rec, err);
	if (rc)
		return rc;
	if (!kd->side) { /* a code master: a row per code, no person */
		if (rec->person || rec->npseudonyms)
			return COLINK_ERR(err, COLINK_EINVAL, "a %s record carries a person key (input %"
					  PRIu32 " record %" PRIu64 ")", kd->name, rec->input_no,
					  rec->record_no);
		rc = record_key(o, kd, key, &has_key, err);
		if (!rc)
			rc = row_claim(o, kd, 1, key, err);
		if (!rc)
			rc = row_write(o, kd, rec, 0, key, &id, err);
		return rc;
	}
	if (!rec->person)
		return COLINK_REJECT(err, "record has no person key");
	rc = record_key(o, kd, key, &has_key, err);
	repeat = !rc && same_person(o, kd, rec);
	if (!rc && repeat)
		rc = row_claim_write(o, kd, rec, o->last.person_no,
				     has_key ? key : NULL, &id, err);
	else if (!rc) {
		rc = side_check(o, kd, rec->person, &person_no, &this_run, err);
		/* A person without a row has no person_no yet, so no row of any
		 * run refers to it (foreign key): nothing to claim. */
		if (!rc && person_no)
			rc = row_claim(o, kd, person_no, has_key ? key : NULL, err);
		if (!rc) {
			o->last.valid = 0;
			rc = person_write(o, kd, rec, &person_no, this_run, err);
			if (!rc)
				remember_person(o, kd, rec, person_no);
		}
		if (!rc)
			rc = row_write(o, kd, rec, person_no, has_key ? key : NULL, &id, err);
	}
	if (!rc && (kd->dest == DEST_CHECKUP || kd->dest == DEST_STRESS))
		rc = long_rows(o, kd, rec, id, err);
	return rc;
}
