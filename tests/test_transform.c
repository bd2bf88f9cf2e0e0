/*
 * test_transform.c -- the core step alone (engine/core/transform.c): raw
 * fields in, typed values, null reasons, pseudonyms or a reject out,
 * through the real catalogue (mappings/common) and a small mapping written
 * here.  No plugin, no output: what a record becomes before the agreement
 * and the warehouse see it.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/mapping.h"
#include "core/run.h"
#include "core/transform.h"
#include "identity/identity.h"
#include "testutil.h"

static struct colink_catalog *cat;
static struct colink_variant_table *vt;
static struct colink_key *key;
static struct colink_pseudo_set *ps;
static struct colink_mapping *map;
static char *tmp;

/* The columns of the test source, in order (1-based positions). */
static const char *const cols[] = { "保険者番号", "番号", "受診日", "性別",
				    "SBP", "A1c", "UPROT", "生年月日" };
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

#define INSURER "06139992" /* a valid 保険者番号 (check digit), samples/ */
#define CARD "4567"

static const char mapping_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<mapping xmlns=\"urn:colink:mapping:1\" id=\"t\" version=\"1\" kind=\"checkup\">\n"
	"  <input plugin=\"in_csv\"/>\n"
	"  <primary-key kind=\"card\"/>\n"
	"  <field target=\"insurer_number\" column=\"保険者番号\" required=\"true\"/>\n"
	"  <field target=\"card_number\" column=\"番号\" required=\"true\"/>\n"
	"  <field target=\"exam_date\" column=\"受診日\" format=\"iso\" required=\"true\"/>\n"
	"  <field target=\"sex\" column=\"性別\" codemap=\"sex\"/>\n"
	"  <field target=\"sbp_1\" column=\"SBP\" unit=\"mm[Hg]\" min=\"50\" max=\"300\"/>\n"
	"  <field target=\"hba1c\" column=\"A1c\" unit=\"%\"/>\n"
	"  <field target=\"urine_protein\" column=\"UPROT\" codemap=\"dipstick\"/>\n"
	"  <field target=\"birth_date\" column=\"生年月日\" format=\"auto\"/>\n"
	"  <constant target=\"program_type\" value=\"010\"/>\n"
	"  <null text=\"未実施\" reason=\"not-performed\"/>\n"
	"</mapping>\n";

static int setup(void)
{
	static const unsigned char raw[32] = "colink-test-transform-key-012345";
	struct colink_error err = {0};
	char *dir = tu_fmt("%s/mappings", tu_srcdir()), *p;
	int rc = colink_env_load(&cat, &vt, dir, &err);
	free(dir);
	tmp = tu_mkdtemp("xf");
	if (rc || !tmp) {
		fprintf(stderr, "env: %s\n", err.msg);
		return 1;
	}
	p = tu_fmt("%s/t.xml", tmp);
	tu_write_file(p, mapping_xml, strlen(mapping_xml));
	rc = colink_mapping_load(&map, p, cat, vt, &err);
	free(p);
	if (!rc)
		rc = colink_key_from_bytes(&key, raw, &err);
	if (!rc)
		rc = colink_pseudo_set_new(&ps, key, NULL, "test-agreement", &err);
	if (rc)
		fprintf(stderr, "setup: %s\n", err.msg);
	return rc != 0;
}

static int teardown(void)
{
	colink_pseudo_set_free(ps);
	colink_key_free(key);
	colink_mapping_free(map);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	tu_rmtree(tmp);
	free(tmp);
	return 0;
}

/* A transform over the test mapping, header given. */
static struct colink_transform *xf_new(void)
{
	struct colink_error err = {0};
	struct colink_transform *t = NULL;
	CU_ASSERT_EQUAL_FATAL(colink_transform_new(&t, map, cat, ps, 3, "/in/t.csv", &err),
			      COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(colink_transform_header(t, NCOLS, cols, &err), COLINK_OK);
	return t;
}

/* One record of the test source: vals[i] is column i+1's text (NULL: no
 * value).  The fields are built as an input plugin builds them. */
struct raw {
	struct colink_raw_field f[NCOLS];
	struct colink_raw_record r;
};

static const struct colink_raw_record *raw_rec(struct raw *b, const char *const vals[NCOLS],
					       uint64_t record_no)
{
	size_t i;
	memset(b, 0, sizeof(*b));
	for (i = 0; i < NCOLS; i++) {
		b->f[i].name = cols[i];
		b->f[i].index = (uint32_t)(i + 1);
		b->f[i].value = vals[i];
		b->f[i].len = vals[i] ? strlen(vals[i]) : 0;
	}
	b->r = (struct colink_raw_record)COLINK_RAW_RECORD_INIT(
		.record_no = record_no, .line_no = record_no + 1, .nfields = NCOLS,
		.fields = b->f);
	return &b->r;
}

/* The value of common field `name` in a transformed record, or NULL. */
static const struct colink_out_value *value_of(const struct colink_out_record *o,
					       const char *name)
{
	size_t i;
	for (i = 0; i < o->nvalues; i++) {
		const struct colink_out_value *v =
			COLINK_AT(struct colink_out_value, o->values, o->value_size, i);
		if (v->field && !strcmp(v->field->name, name))
			return v;
	}
	return NULL;
}

/* Does `needle` appear anywhere a transformed record carries text? */
static int record_mentions(const struct colink_out_record *o, const char *needle)
{
	size_t i;
	for (i = 0; i < o->nvalues; i++) {
		const struct colink_out_value *v = &o->values[i];
		if ((v->v.text && strstr(v->v.text, needle)) ||
		    (v->v.raw && strstr(v->v.raw, needle)) ||
		    (v->source && strstr(v->source, needle)))
			return 1;
	}
	for (i = 0; i < o->npseudonyms; i++)
		if (strstr(o->pseudonyms[i].value, needle))
			return 1;
	return 0;
}

static int is_hex64(const char *s)
{
	size_t i;
	for (i = 0; s && s[i]; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return s && i == 64;
}

static void test_transform__typed_values(void)
{
	const char *const in[NCOLS] = { INSURER, CARD, "2024-06-10", "男", "146", "6.0", "2" };
	struct colink_transform *t = xf_new();
	struct colink_error err = {0};
	struct colink_reject rj;
	const struct colink_out_record *o = NULL;
	const struct colink_out_value *v;
	struct raw b;
	size_t i;
	CU_ASSERT_EQUAL_FATAL(colink_transform_record(t, raw_rec(&b, in, 1), &o, &rj, &err),
			      COLINK_OK);
	CU_ASSERT_EQUAL(o->struct_size, sizeof(*o));
	CU_ASSERT_EQUAL(o->value_size, sizeof(struct colink_out_value));
	CU_ASSERT_EQUAL(o->pseudonym_size, sizeof(struct colink_pseudonym));
	CU_ASSERT_STRING_EQUAL(o->kind, "checkup");
	CU_ASSERT_EQUAL(o->input_no, 3);
	CU_ASSERT_EQUAL(o->record_no, 1);
	CU_ASSERT_EQUAL(o->line_no, 2);
	CU_ASSERT_EQUAL(o->fiscal_year, 2024);
	v = value_of(o, "exam_date");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->v.type, COLINK_T_DATE);
	CU_ASSERT_EQUAL(v->v.i, 20240610);
	CU_ASSERT_STRING_EQUAL(v->source, "受診日");
	v = value_of(o, "sbp_1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->v.type, COLINK_T_DECIMAL);
	CU_ASSERT_STRING_EQUAL(v->v.text, "146");
	CU_ASSERT_STRING_EQUAL(v->v.raw, "146");
	CU_ASSERT_EQUAL(v->v.null_reason, COLINK_NULL_NONE);
	v = value_of(o, "hba1c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(v->v.text, "6.0"); /* exact decimal text, never a float */
	v = value_of(o, "program_type"); /* a constant of the mapping */
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->v.type, COLINK_T_CODE);
	CU_ASSERT_STRING_EQUAL(v->v.text, "010");
	/* every catalogue value carries its index in the catalogue (ABI 2.0) */
	for (i = 0; i < o->nvalues; i++) {
		const struct colink_out_value *ov = &o->values[i];
		if (!ov->field) {
			CU_ASSERT_EQUAL(ov->field_index, COLINK_NO_FIELD);
			continue;
		}
		CU_ASSERT_EQUAL(ov->field_index, colink_catalog_field_index(cat, ov->field));
		CU_ASSERT_PTR_EQUAL(&cat->fields[ov->field_index], ov->field);
	}
	colink_transform_free(t);
}

static void test_transform__code_maps(void)
{
	const char *sexes[][2] = { { "男", "1" }, { "F", "2" }, { "2", "2" }, { "男性", "1" } };
	struct colink_transform *t = xf_new();
	struct colink_error err = {0};
	struct colink_reject rj;
	const struct colink_out_record *o = NULL;
	struct raw b;
	size_t i;
	for (i = 0; i < sizeof(sexes) / sizeof(sexes[0]); i++) {
		const char *in[NCOLS] = { INSURER, CARD, "2024-06-10", sexes[i][0], "120", "", "1" };
		const struct colink_out_value *v;
		CU_ASSERT_EQUAL_FATAL(colink_transform_record(t, raw_rec(&b, in, i + 1), &o, &rj,
							      &err), COLINK_OK);
		v = value_of(o, "sex");
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		CU_ASSERT_EQUAL(v->v.type, COLINK_T_CODE);
		CU_ASSERT_STRING_EQUAL(v->v.text, sexes[i][1]);
		CU_ASSERT_STRING_EQUAL(v->v.raw, sexes[i][0]);
	}
	{
		/* a code outside the map rejects the record, naming the column */
		const char *in[NCOLS] = { INSURER, CARD, "2024-06-10", "X", "120", "", "1" };
		CU_ASSERT_EQUAL(colink_transform_record(t, raw_rec(&b, in, 9), &o, &rj, &err),
				COLINK_REJECTED);
		CU_ASSERT_STRING_EQUAL(rj.column, "性別");
		CU_ASSERT_PTR_NOT_NULL(strstr(rj.reason, "codemap 'sex'"));
	}
	colink_transform_free(t);
}

static void test_transform__null_reasons(void)
{
	const char *const in[NCOLS] = { INSURER, CARD, "2024-06-10", "1", "", "未実施", "1" };
	struct colink_transform *t = xf_new();
	struct colink_error err = {0};
	struct colink_reject rj;
	const struct colink_out_record *o = NULL;
	const struct colink_out_value *v;
	struct raw b;
	CU_ASSERT_EQUAL_FATAL(colink_transform_record(t, raw_rec(&b, in, 1), &o, &rj, &err),
			      COLINK_OK);
	v = value_of(o, "sbp_1"); /* empty cell */
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->v.null_reason, COLINK_NULL_MISSING);
	v = value_of(o, "hba1c"); /* the mapping's <null text="未実施"> */
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->v.null_reason, COLINK_NULL_NOT_PERFORMED);
	CU_ASSERT_STRING_EQUAL(v->v.raw, "未実施");
	colink_transform_free(t);

	{
		/* a censored decimal keeps its bound as text */
		const char *const in2[NCOLS] = { INSURER, CARD, "2024-06-10", "1", "120", "<4.0",
						 "1" };
		t = xf_new();
		CU_ASSERT_EQUAL_FATAL(colink_transform_record(t, raw_rec(&b, in2, 2), &o, &rj,
							      &err), COLINK_OK);
		v = value_of(o, "hba1c");
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		CU_ASSERT_EQUAL(v->v.null_reason, COLINK_NULL_BELOW_RANGE);
		CU_ASSERT_STRING_EQUAL(v->v.text, "4.0");
		colink_transform_free(t);
	}
}

static void test_transform__reject_names_column_not_value(void)
{
	struct colink_transform *t = xf_new();
	struct colink_error err = {0};
	struct colink_reject rj;
	const struct colink_out_record *o = NULL;
	struct raw b;
	{
		/* out of the mapping's plausible range */
		const char *const in[NCOLS] = { INSURER, CARD, "2024-06-10", "1", "999", "", "1" };
		memset(&rj, 0, sizeof(rj));
		CU_ASSERT_EQUAL(colink_transform_record(t, raw_rec(&b, in, 4), &o, &rj, &err),
				COLINK_REJECTED);
		CU_ASSERT_EQUAL(rj.struct_size, sizeof(rj));
		CU_ASSERT_EQUAL(rj.input_no, 3);
		CU_ASSERT_EQUAL(rj.record_no, 4);
		CU_ASSERT_EQUAL(rj.line_no, 5);
		CU_ASSERT_STRING_EQUAL(rj.column, "SBP");
		CU_ASSERT_PTR_NOT_NULL(rj.reason);
		CU_ASSERT_PTR_NOT_NULL(strstr(rj.reason, "300"));
		/* a reject is not a fatal error */
		CU_ASSERT_EQUAL(err.code, COLINK_OK);
	}
	{
		/* an identifier that fails its check: the column, never the value */
		const char *const in[NCOLS] = { "06139993", "98765", "2024-06-10", "1", "120", "",
						"1" };
		memset(&rj, 0, sizeof(rj));
		CU_ASSERT_EQUAL(colink_transform_record(t, raw_rec(&b, in, 5), &o, &rj, &err),
				COLINK_REJECTED);
		CU_ASSERT_STRING_EQUAL(rj.column, "保険者番号");
		CU_ASSERT_PTR_NOT_NULL_FATAL(rj.reason);
		CU_ASSERT(strlen(rj.reason) > 0);
		CU_ASSERT_PTR_NULL(strstr(rj.reason, "06139993"));
		CU_ASSERT_PTR_NULL(strstr(rj.reason, "6139993"));
		CU_ASSERT_PTR_NULL(strstr(rj.reason, "98765"));
	}
	{
		/* a required identifier missing */
		const char *const in[NCOLS] = { INSURER, "", "2024-06-10", "1", "120", "", "1" };
		CU_ASSERT_EQUAL(colink_transform_record(t, raw_rec(&b, in, 6), &o, &rj, &err),
				COLINK_REJECTED);
		CU_ASSERT_STRING_EQUAL(rj.column, "番号");
		CU_ASSERT_PTR_NULL(strstr(rj.reason, INSURER));
	}
	colink_transform_free(t);
}

static void test_transform__pseudonyms_not_raw(void)
{
	const char *const in[NCOLS] = { INSURER, CARD, "2024-06-10", "1", "120", "", "1" };
	const char *const other[NCOLS] = { INSURER, "4568", "2024-06-10", "1", "120", "", "1" };
	struct colink_transform *t = xf_new();
	struct colink_error err = {0};
	struct colink_reject rj;
	const struct colink_out_record *o = NULL;
	char first[65], again[65];
	struct raw b;
	size_t i;
	CU_ASSERT_EQUAL_FATAL(colink_transform_record(t, raw_rec(&b, in, 1), &o, &rj, &err),
			      COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(o->npseudonyms, 1);
	CU_ASSERT_STRING_EQUAL(o->pseudonyms[0].kind, "card");
	CU_ASSERT(is_hex64(o->pseudonyms[0].value));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o->person);
	CU_ASSERT_STRING_EQUAL(o->person, o->pseudonyms[0].value);
	/* identifiers leave as pseudonyms only: no value, no raw text */
	for (i = 0; i < o->nvalues; i++)
		CU_ASSERT(!o->values[i].field ||
			  !(o->values[i].field->flags & COLINK_FIELD_IDENTIFIER));
	CU_ASSERT_FALSE(record_mentions(o, INSURER));
	CU_ASSERT_FALSE(record_mentions(o, CARD));
	snprintf(first, sizeof(first), "%s", o->person);
	/* the same person again: the same pseudonym; another card: another */
	CU_ASSERT_EQUAL_FATAL(colink_transform_record(t, raw_rec(&b, in, 2), &o, &rj, &err),
			      COLINK_OK);
	snprintf(again, sizeof(again), "%s", o->person);
	CU_ASSERT_STRING_EQUAL(first, again);
	CU_ASSERT_EQUAL_FATAL(colink_transform_record(t, raw_rec(&b, other, 3), &o, &rj, &err),
			      COLINK_OK);
	CU_ASSERT_STRING_NOT_EQUAL(first, o->person);
	colink_transform_free(t);
}

static void test_transform__malformed_record_is_fatal(void)
{
	const char *const in[NCOLS] = { INSURER, CARD, "2024-06-10", "1", "120", "", "1" };
	struct colink_transform *t = xf_new();
	struct colink_error err = {0};
	struct colink_reject rj;
	const struct colink_out_record *o = NULL;
	struct raw b;
	struct colink_raw_record r = *raw_rec(&b, in, 1);
	/* a plugin built without COLINK_RAW_RECORD_INIT */
	r.struct_size = 0;
	CU_ASSERT_EQUAL(colink_transform_record(t, &r, &o, &rj, &err), COLINK_EABI);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "input plugin handed a record of 0 bytes"));
	r.struct_size = sizeof(r);
	r.field_size = 8; /* fields closer together than ABI 2.0's */
	CU_ASSERT_EQUAL(colink_transform_record(t, &r, &o, &rj, &err), COLINK_EABI);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "raw fields 8 bytes apart"));
	colink_transform_free(t);
}

/* An impossible birth date (in the future, or after the exam) rejects the
 * record, naming the column and why, never the value; a possible one
 * gives the ages (issue #24, finding 5). */
static void test_transform__impossible_birth_date_rejected(void)
{
	static const struct {
		const char *birth, *exam;
	} bad[] = {
		{ "令和99年1月1日", "2024-06-10" },  /* in the future */
		{ "2117-01-01", "2024-06-10" },      /* the same, ISO */
		{ "2024-06-11", "2024-06-10" },      /* the day after the exam */
		{ "R6.12.1", "2024-06-10" },         /* 和暦, after the exam */
	};
	struct colink_transform *t = xf_new();
	struct colink_error err = {0};
	struct colink_reject rj;
	const struct colink_out_record *o = NULL;
	struct raw b;
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *const in[NCOLS] = { INSURER, CARD, bad[i].exam, "1", "120", "", "1",
						bad[i].birth };
		memset(&rj, 0, sizeof(rj));
		CU_ASSERT_EQUAL(colink_transform_record(t, raw_rec(&b, in, i + 1), &o, &rj, &err),
				COLINK_REJECTED);
		CU_ASSERT_EQUAL(err.code, COLINK_OK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rj.column);
		CU_ASSERT_STRING_EQUAL(rj.column, "生年月日");
		CU_ASSERT_PTR_NOT_NULL_FATAL(rj.reason);
		CU_ASSERT_PTR_NOT_NULL(strstr(rj.reason, "birth_date"));
		CU_ASSERT_PTR_NULL(strstr(rj.reason, bad[i].birth));
		CU_ASSERT_PTR_NULL(strstr(rj.reason, "2117"));
		CU_ASSERT_PTR_NULL(strstr(rj.reason, "2024"));
	}
	{
		/* born on the exam day: possible, age 0 */
		const char *const in[NCOLS] = { INSURER, CARD, "2024-06-10", "1", "120", "", "1",
						"2024-06-10" };
		CU_ASSERT_EQUAL_FATAL(colink_transform_record(t, raw_rec(&b, in, 9), &o, &rj, &err),
				      COLINK_OK);
		CU_ASSERT_EQUAL(o->age_at_exam, 0);
	}
	{
		const char *const in[NCOLS] = { INSURER, CARD, "2024-06-10", "1", "120", "", "1",
						"昭和50年4月1日" };
		CU_ASSERT_EQUAL_FATAL(colink_transform_record(t, raw_rec(&b, in, 10), &o, &rj, &err),
				      COLINK_OK);
		CU_ASSERT_EQUAL(o->age_at_exam, 49);
	}
	colink_transform_free(t);
}

static const struct tu_test tests[] = {
	TU_TEST(test_transform__typed_values),
	TU_TEST(test_transform__code_maps),
	TU_TEST(test_transform__null_reasons),
	TU_TEST(test_transform__reject_names_column_not_value),
	TU_TEST(test_transform__pseudonyms_not_raw),
	TU_TEST(test_transform__malformed_record_is_fatal),
	TU_TEST(test_transform__impossible_birth_date_rejected),
	TU_END
};

int main(void)
{
	if (tu_add_suite("transform", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
