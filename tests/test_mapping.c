/* test_mapping.c -- mapping files are checked before any data moves. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "identity/identity.h"
#include "core/mapping.h"
#include "core/run.h"
#include "testutil.h"

static struct colink_catalog *cat;
static struct colink_variant_table *vt;
static char *tmp;

static int setup(void)
{
	struct colink_error err = {0};
	char *dir = tu_fmt("%s/mappings", tu_srcdir());
	int rc = colink_env_load(&cat, &vt, dir, &err);
	if (rc)
		fprintf(stderr, "env: %s\n", err.msg);
	free(dir);
	tmp = tu_mkdtemp("map");
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

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<mapping xmlns=\"urn:colink:mapping:1\" id=\"t\" version=\"1\" kind=\"checkup\">\n" \
	"  <input plugin=\"in_csv\"/>\n"
#define IDS "  <field target=\"insurer_number\" column=\"保険者番号\"/>\n" \
	"  <field target=\"card_number\" column=\"番号\"/>\n" \
	"  <field target=\"exam_date\" column=\"受診日\"/>\n"

/* Load `body` as a mapping; returns rc, message in err. */
static int load(const char *body, struct colink_mapping **m, struct colink_error *err)
{
	char *p = tu_fmt("%s/m.xml", tmp);
	int rc;
	tu_write_file(p, body, strlen(body));
	rc = colink_mapping_load(m, p, cat, vt, err);
	free(p);
	return rc;
}

static void expect_error(const char *body, const char *fragment)
{
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	CU_ASSERT_NOT_EQUAL(load(body, &m, &err), COLINK_OK);
	CU_ASSERT_PTR_NULL(m);
	if (!strstr(err.msg, fragment))
		fprintf(stderr, "\n  expected '%s' in: %s\n", fragment, err.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, fragment));
	colink_mapping_free(m);
}

static void test_mapping__valid_mapping_compiles(void)
{
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	const char *body = HEAD IDS
		"  <field target=\"sbp_1\" column=\"SBP\" unit=\"mm[Hg]\" min=\"50\" max=\"300\"/>\n"
		"  <field target=\"sex\" column=\"性別\" codemap=\"sex\"/>\n"
		"  <constant target=\"program_type\" value=\"010\"/>\n"
		"  <null text=\"未実施\" reason=\"not-performed\"/>\n"
		"</mapping>\n";
	CU_ASSERT_EQUAL_FATAL(load(body, &m, &err), COLINK_OK);
	CU_ASSERT_EQUAL(m->nfields, 5);
	CU_ASSERT_STRING_EQUAL(colink_mapping_find(m, "sbp_1")->min, "50");
	CU_ASSERT_PTR_NOT_NULL(colink_mapping_find(m, "sex")->codemap);
	CU_ASSERT_PTR_NOT_NULL(colink_mapping_find(m, "insurer_number")->norm);
	CU_ASSERT_STRING_EQUAL(m->primary_key->kind, "card");
	CU_ASSERT_EQUAL(strlen(m->sha256), 64);
	colink_mapping_free(m);
}

static void test_mapping__schema_error_has_file_and_line(void)
{
	expect_error(HEAD IDS "  <field target=\"sbp_1\" colum=\"SBP\"/>\n</mapping>\n", "m.xml:7:");
}

static void test_mapping__not_well_formed(void)
{
	expect_error(HEAD IDS "  <field target=\"sbp_1\" column=\"SBP\">\n</mapping>\n", "m.xml:");
}

static void test_mapping__unknown_target(void)
{
	expect_error(HEAD IDS "  <field target=\"blood_pressure\" column=\"SBP\"/>\n</mapping>\n",
		     "m.xml:7: unknown target field 'blood_pressure'");
}

static void test_mapping__mapped_twice(void)
{
	expect_error(HEAD IDS "  <field target=\"sbp_1\" column=\"A\"/>\n  <field target=\"sbp_1\" column=\"B\"/>\n</mapping>\n",
		     "m.xml:8: field sbp_1 is mapped twice");
}

static void test_mapping__unit_mismatch(void)
{
	expect_error(HEAD IDS "  <field target=\"sbp_1\" column=\"A\" unit=\"kPa\"/>\n</mapping>\n",
		     "m.xml:7: unit 'kPa' of field sbp_1 differs");
}

static void test_mapping__unknown_codemap(void)
{
	expect_error(HEAD IDS "  <field target=\"sex\" column=\"A\" codemap=\"nope\"/>\n</mapping>\n",
		     "m.xml:7: codemap 'nope'");
}

static void test_mapping__min_above_max(void)
{
	expect_error(HEAD IDS "  <field target=\"sbp_1\" column=\"A\" min=\"300\" max=\"50\"/>\n</mapping>\n",
		     "m.xml:7: min is greater than max");
}

static void test_mapping__date_format_on_number(void)
{
	expect_error(HEAD IDS "  <field target=\"sbp_1\" column=\"A\" format=\"wareki\"/>\n</mapping>\n",
		     "m.xml:7: format 'wareki' does not apply to decimal field sbp_1");
}

static void test_mapping__normalize_only_for_identifiers(void)
{
	expect_error(HEAD IDS "  <field target=\"sbp_1\" column=\"A\" normalize=\"nfkc\"/>\n</mapping>\n",
		     "m.xml:7: normalize= applies only to identifier fields");
}

static void test_mapping__bad_normalize_step(void)
{
	expect_error(HEAD "  <field target=\"insurer_number\" column=\"I\" normalize=\"nfkc,frobnicate\"/>\n"
			  "  <field target=\"card_number\" column=\"N\"/>\n  <field target=\"exam_date\" column=\"D\"/>\n</mapping>\n",
		     "m.xml:4: field insurer_number:");
}

static void test_mapping__primary_key_needs_parts(void)
{
	expect_error(HEAD "  <field target=\"insurer_number\" column=\"I\"/>\n  <field target=\"exam_date\" column=\"D\"/>\n</mapping>\n",
		     "primary key 'card' needs field card_number");
}

static void test_mapping__identifier_constant_refused(void)
{
	expect_error(HEAD IDS "  <constant target=\"card_branch\" value=\"00\"/>\n</mapping>\n",
		     "m.xml:7: identifier field card_branch cannot be a constant");
}

static void test_mapping__doctype_refused(void)
{
	expect_error("<?xml version=\"1.0\"?>\n<!DOCTYPE mapping [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		     "<mapping xmlns=\"urn:colink:mapping:1\" id=\"t\" version=\"1\" kind=\"checkup\"/>\n",
		     "DOCTYPE declarations are not allowed");
}

/* Issue #24: the message names the DOCTYPE's own line, not line 1, even
 * after a comment that mentions one. */
static void test_mapping__doctype_reported_at_its_line(void)
{
	expect_error("<?xml version=\"1.0\"?>\n<!DOCTYPE mapping>\n"
		     "<mapping xmlns=\"urn:colink:mapping:1\" id=\"t\" version=\"1\" kind=\"checkup\"/>\n",
		     "m.xml:2: DOCTYPE declarations are not allowed");
	expect_error("<?xml version=\"1.0\"?>\n<!-- no <!DOCTYPE here,\n please -->\n\n"
		     "<!DOCTYPE mapping [\n<!ENTITY x \"y\">]>\n"
		     "<mapping xmlns=\"urn:colink:mapping:1\" id=\"t\" version=\"1\" kind=\"checkup\"/>\n",
		     "m.xml:5: DOCTYPE declarations are not allowed");
}

static void test_mapping__shipped_vendor_mappings_load(void)
{
	static const char *names[] = {"vendor_a.xml", "vendor_b.xml", "vendor_c.xml"};
	size_t i;
	for (i = 0; i < 3; i++) {
		struct colink_error err = {0};
		struct colink_mapping *m = NULL;
		char *p = tu_fmt("%s/mappings/vendors/%s", tu_srcdir(), names[i]);
		int rc = colink_mapping_load(&m, p, cat, vt, &err);
		if (rc)
			fprintf(stderr, "\n  %s\n", err.msg);
		CU_ASSERT_EQUAL(rc, COLINK_OK);
		colink_mapping_free(m);
		free(p);
	}
}

/* Issue #21: the claims and master mappings load; a code master has no
 * person, so a primary key or an identifier in one is refused. */
static void test_mapping__claims_and_master_mappings(void)
{
	static const char *names[] = { "uke_claim.xml", "uke_diagnosis.xml", "uke_item.xml",
				       "disease_master.xml", "drug_master.xml" };
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct colink_error err = {0};
		struct colink_mapping *m = NULL;
		char *p = tu_fmt("%s/mappings/association/%s", tu_srcdir(), names[i]);
		int rc = colink_mapping_load(&m, p, cat, vt, &err);
		if (rc)
			fprintf(stderr, "\n  %s\n", err.msg);
		CU_ASSERT_EQUAL(rc, COLINK_OK);
		CU_ASSERT_EQUAL(m && colink_mapping_is_master(m), i >= 3);
		CU_ASSERT(!m || i >= 3 || (m->primary_key && !strcmp(m->primary_key->kind, "card")));
		colink_mapping_free(m);
		free(p);
	}
#define MASTER "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<mapping xmlns=\"urn:colink:mapping:1\" id=\"t\" version=\"1\" kind=\"disease_master\">\n" \
	"  <input plugin=\"in_csv\"/>\n"
	expect_error(MASTER "  <primary-key kind=\"card\"/>\n"
		     "  <field target=\"master_disease_code\" column=\"c\"/>\n</mapping>\n",
		     "has no primary-key");
	expect_error(MASTER "  <field target=\"master_disease_code\" column=\"c\"/>\n"
		     "  <field target=\"name_kana\" column=\"k\"/>\n</mapping>\n",
		     "cannot map identifier name_kana");
	expect_error(MASTER "  <field target=\"master_disease_name\" column=\"n\"/>\n</mapping>\n",
		     "must map master_disease_code");
#undef MASTER
}

/* Issue #24: <ignore column> drops a column on purpose, once, and never a
 * column a <field> reads. */
static void test_mapping__ignored_columns(void)
{
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	const char *body = HEAD IDS "  <ignore column=\"受診券整理番号\"/>\n"
		"  <unmapped columns=\"observation\"/>\n</mapping>\n";
	CU_ASSERT_EQUAL_FATAL(load(body, &m, &err), COLINK_OK);
	CU_ASSERT_EQUAL(m->nignored, 1);
	CU_ASSERT_EQUAL(m->unmapped_line, 8);
	CU_ASSERT(colink_mapping_ignores(m, "受診券整理番号"));
	CU_ASSERT(!colink_mapping_ignores(m, "備考"));
	CU_ASSERT(!colink_mapping_ignores(m, NULL));
	colink_mapping_free(m);
	expect_error(HEAD IDS "  <ignore column=\"X\"/>\n  <ignore column=\"X\"/>\n</mapping>\n",
		     "m.xml:8: column \"X\" is ignored twice (first at line 7)");
	expect_error(HEAD IDS "  <ignore column=\"番号\"/>\n</mapping>\n",
		     "m.xml:7: column \"番号\" is both ignored and mapped (field card_number, line 5)");
}

static const struct tu_test tests[] = {
	TU_TEST(test_mapping__valid_mapping_compiles),
	TU_TEST(test_mapping__schema_error_has_file_and_line),
	TU_TEST(test_mapping__not_well_formed),
	TU_TEST(test_mapping__unknown_target),
	TU_TEST(test_mapping__mapped_twice),
	TU_TEST(test_mapping__unit_mismatch),
	TU_TEST(test_mapping__unknown_codemap),
	TU_TEST(test_mapping__min_above_max),
	TU_TEST(test_mapping__date_format_on_number),
	TU_TEST(test_mapping__normalize_only_for_identifiers),
	TU_TEST(test_mapping__bad_normalize_step),
	TU_TEST(test_mapping__primary_key_needs_parts),
	TU_TEST(test_mapping__identifier_constant_refused),
	TU_TEST(test_mapping__doctype_refused),
	TU_TEST(test_mapping__doctype_reported_at_its_line),
	TU_TEST(test_mapping__shipped_vendor_mappings_load),
	TU_TEST(test_mapping__claims_and_master_mappings),
	TU_TEST(test_mapping__ignored_columns),
	TU_END
};

int main(void)
{
	if (tu_add_suite("mapping", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
