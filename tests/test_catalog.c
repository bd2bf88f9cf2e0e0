/* test_catalog.c -- the common-schema catalogue as shipped in mappings/. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/catalog.h"
#include "testutil.h"

static struct colink_catalog *cat;

static int setup(void)
{
	struct colink_error err = {0};
	char *dir = tu_fmt("%s/mappings", tu_srcdir());
	int rc = colink_catalog_load(&cat, dir, &err);
	if (rc)
		fprintf(stderr, "catalog: %s\n", err.msg);
	free(dir);
	return rc;
}

static int teardown(void)
{
	colink_catalog_free(cat);
	return 0;
}

static void test_catalog__fields_have_tables_and_types(void)
{
	const struct colink_field_def *f = colink_catalog_field(cat, "sbp_1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(f->table, "checkup");
	CU_ASSERT_STRING_EQUAL(f->column, "sbp_1");
	CU_ASSERT_EQUAL(f->type, COLINK_T_DECIMAL);
	CU_ASSERT_STRING_EQUAL(f->unit, "mm[Hg]");
	CU_ASSERT_EQUAL(f->flags, 0);
}

static void test_catalog__identifiers_are_never_stored(void)
{
	static const char *ids[] = {"insurer_number", "card_symbol", "card_number", "card_branch",
				    "name_kana", "name_kanji", "employee_number", "birth_date"};
	size_t i;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct colink_field_def *f = colink_catalog_field(cat, ids[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT(f->flags & COLINK_FIELD_IDENTIFIER);
		CU_ASSERT(f->flags & COLINK_FIELD_NOT_STORED);
		CU_ASSERT_STRING_EQUAL(f->table, "-");
	}
}

static void test_catalog__item_codes_map_methods_to_one_field(void)
{
	const struct colink_item *a = colink_catalog_item(cat, "3D046000001906202");
	const struct colink_item *b = colink_catalog_item(cat, "3D046000001920402");
	const struct colink_item *jds = colink_catalog_item(cat, "3D045000001906202");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jds);
	CU_ASSERT_STRING_EQUAL(a->field->name, "hba1c");
	CU_ASSERT_PTR_EQUAL(a->field, b->field);
	/* legacy JDS HbA1c stays distinct from NGSP */
	CU_ASSERT_STRING_EQUAL(jds->field->name, "hba1c_jds");
	CU_ASSERT_PTR_NULL(colink_catalog_item(cat, "99999000000000000"));
}

static void test_catalog__every_item_field_exists_and_questionnaire_has_22(void)
{
	size_t i, q = 0;
	for (i = 0; i < cat->nitems; i++) {
		CU_ASSERT_EQUAL(strlen(cat->items[i].code), 17);
		if (!strcmp(cat->items[i].field->table, "questionnaire"))
			q++;
	}
	CU_ASSERT_EQUAL(q, 22);
}

static void test_catalog__card_key_parts(void)
{
	const struct colink_key_kind *k = colink_catalog_key(cat, "card");
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(k->nparts, 4);
	CU_ASSERT_STRING_EQUAL(k->parts[0], "insurer_number");
	CU_ASSERT_EQUAL(k->optional[0], 0);
	CU_ASSERT_EQUAL(k->optional[1], 1); /* 記号 may be absent */
	CU_ASSERT_STRING_EQUAL(k->parts[2], "card_number");
}

static void test_catalog__codemaps(void)
{
	const struct colink_codemap *sex = colink_catalog_codemap(cat, "sex");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sex);
	CU_ASSERT_STRING_EQUAL(colink_codemap_lookup(sex, "男"), "1");
	CU_ASSERT_STRING_EQUAL(colink_codemap_lookup(sex, "女"), "2");
	CU_ASSERT_PTR_NULL(colink_codemap_lookup(sex, "X"));
}

static void test_catalog__bad_file_names_file_and_line(void)
{
	struct colink_error err = {0};
	struct colink_catalog *c = NULL;
	char *dir = tu_mkdtemp("cat");
	char *common = tu_fmt("%s/common", dir);
	char *f = tu_fmt("%s/fields.tsv", common);
	const char *bad = "# comment\nsex\tperson\tsex\tcode\t-\t-\t-\t-\tok\nweird\tcheckup\tw\tfloat\t-\t-\t-\t-\tbad type\n";
	CU_ASSERT_EQUAL(mkdir(common, 0700), 0);
	CU_ASSERT_EQUAL(tu_write_file(f, bad, strlen(bad)), 0);
	CU_ASSERT_EQUAL(colink_catalog_load(&c, dir, &err), COLINK_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "fields.tsv:3: unknown type 'float'"));
	CU_ASSERT_PTR_NULL(c);
	tu_rmtree(dir);
	free(dir);
	free(common);
	free(f);
}

static const struct tu_test tests[] = {
	TU_TEST(test_catalog__fields_have_tables_and_types),
	TU_TEST(test_catalog__identifiers_are_never_stored),
	TU_TEST(test_catalog__item_codes_map_methods_to_one_field),
	TU_TEST(test_catalog__every_item_field_exists_and_questionnaire_has_22),
	TU_TEST(test_catalog__card_key_parts),
	TU_TEST(test_catalog__codemaps),
	TU_TEST(test_catalog__bad_file_names_file_and_line),
	TU_END
};

int main(void)
{
	if (tu_add_suite("catalog", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
