/* test_form.c -- <field pattern= placeholders=>: the form a mapped value
 * must have (engine/core/form.c), compiled from a mapping (#25). */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/form.h"
#include "core/mapping.h"
#include "core/run.h"
#include "identity/identity.h"
#include "testutil.h"

static struct colink_catalog *cat;
static struct colink_variant_table *vt;
static char *tmp;

static int setup(void)
{
	struct colink_error err = {0};
	char *dir = tu_fmt("%s/mappings", tu_srcdir());
	int rc = colink_env_load(&cat, &vt, dir, &err);
	free(dir);
	tmp = tu_mkdtemp("form");
	return rc || !tmp;
}

static int teardown(void)
{
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	tu_rmtree(tmp);
	free(tmp);
	return 0;
}

#define MAP(attrs) "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<mapping xmlns=\"urn:colink:mapping:1\" id=\"t\" version=\"1\" kind=\"checkup\">\n" \
	"  <input plugin=\"in_csv\"/>\n" \
	"  <field target=\"insurer_number\" column=\"保険者番号\"/>\n" \
	"  <field target=\"card_number\" column=\"番号\"/>\n" \
	"  <field target=\"exam_date\" column=\"受診日\"/>\n" \
	"  <field target=\"exam_org\" column=\"機関番号\" " attrs "/>\n</mapping>\n"

static int load(const char *body, struct colink_mapping **m, struct colink_error *err)
{
	char *p = tu_fmt("%s/m.xml", tmp);
	int rc;
	tu_write_file(p, body, strlen(body));
	rc = colink_mapping_load(m, p, cat, vt, err);
	free(p);
	return rc;
}

static int check(const struct colink_form *f, const char *v, char *why)
{
	why[0] = '\0';
	return colink_form_check(f, v, strlen(v), why, 192);
}

static void test_form__pattern_is_anchored_and_placeholders_are_rejected(void)
{
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	const struct colink_form *f;
	char why[192];
	CU_ASSERT_EQUAL_FATAL(load(MAP("pattern=\"[0-9]{10}\" placeholders=\"9999999999 0000000000\""),
				   &m, &err), COLINK_OK);
	f = colink_mapping_find(m, "exam_org")->form;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(colink_form_pattern(f), "[0-9]{10}");
	CU_ASSERT_EQUAL(check(f, "1311234567", why), COLINK_OK);
	CU_ASSERT_EQUAL(check(f, " 1311234567 ", why), COLINK_OK); /* trimmed first */
	/* anchored: a 10-digit run inside a longer value does not match */
	CU_ASSERT_EQUAL(check(f, "13112345678", why), COLINK_REJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "does not match the pattern [0-9]{10}"));
	CU_ASSERT_PTR_NULL(strstr(why, "13112345678"));
	CU_ASSERT_EQUAL(check(f, "x1311234567", why), COLINK_REJECTED);
	CU_ASSERT_EQUAL(check(f, "13112345", why), COLINK_REJECTED);
	CU_ASSERT_EQUAL(check(f, "", why), COLINK_REJECTED);
	/* every placeholder, whatever the pattern says of it */
	CU_ASSERT_EQUAL(check(f, "9999999999", why), COLINK_REJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "placeholder"));
	CU_ASSERT_EQUAL(check(f, "0000000000", why), COLINK_REJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "placeholder"));
	CU_ASSERT_EQUAL(check(f, "999999999", why), COLINK_REJECTED); /* 9 digits: the pattern */
	CU_ASSERT_PTR_NULL(strstr(why, "placeholder"));
	colink_mapping_free(m);
}

static void test_form__placeholders_alone(void)
{
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	const struct colink_form *f;
	char why[192];
	CU_ASSERT_EQUAL_FATAL(load(MAP("placeholders=\"不明  -\""), &m, &err), COLINK_OK);
	f = colink_mapping_find(m, "exam_org")->form;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NULL(colink_form_pattern(f));
	CU_ASSERT_EQUAL(check(f, "不明", why), COLINK_REJECTED);
	CU_ASSERT_EQUAL(check(f, "-", why), COLINK_REJECTED);
	CU_ASSERT_EQUAL(check(f, "不明な機関", why), COLINK_OK);
	colink_mapping_free(m);
}

static void test_form__bad_pattern_is_a_file_line_error(void)
{
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	CU_ASSERT_EQUAL(load(MAP("pattern=\"[0-9\""), &m, &err), COLINK_EINVAL);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "m.xml:7: pattern"));
	colink_mapping_free(m);
}

static void test_form__no_attributes_no_form(void)
{
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	CU_ASSERT_EQUAL_FATAL(load(MAP(""), &m, &err), COLINK_OK);
	CU_ASSERT_PTR_NULL(colink_mapping_find(m, "exam_org")->form);
	colink_mapping_free(m);
}

static const struct tu_test tests[] = {
	TU_TEST(test_form__pattern_is_anchored_and_placeholders_are_rejected),
	TU_TEST(test_form__placeholders_alone),
	TU_TEST(test_form__bad_pattern_is_a_file_line_error),
	TU_TEST(test_form__no_attributes_no_form),
	TU_END
};

int main(void)
{
	if (tu_add_suite("form", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
