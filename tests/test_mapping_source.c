/*
 * test_mapping_source.c -- the mapping constructs of issue #18 are checked
 * before any data moves, each error at FILE:LINE: a value built from
 * several columns (<from>, join=), one cell cut into several fields
 * (split=, part=), a target chosen by a flag column (<choose>/<when>) and
 * the null words of one field (nulls=, null-reason=).
 */
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
	tmp = tu_mkdtemp("mapsrc");
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

/* lines 1-3 */
#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<mapping xmlns=\"urn:colink:mapping:1\" id=\"t\" version=\"1\" kind=\"checkup\">\n" \
	"  <input plugin=\"in_csv\"/>\n"
/* lines 4-6: the next element is on line 7 */
#define IDS "  <field target=\"insurer_number\" column=\"保険者番号\"/>\n" \
	"  <field target=\"card_number\" column=\"番号\"/>\n" \
	"  <field target=\"exam_date\" column=\"受診日\"/>\n"
#define END "</mapping>\n"

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

static void test_mapping_source__all_constructs_load(void)
{
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	const struct colink_map_field *f;
	const char *body = HEAD
		"  <field target=\"insurer_number\" column=\"保険者番号\"/>\n"
		"  <field target=\"card_symbol\" column=\"記号番号\" split=\"- －\" part=\"1\"/>\n"
		"  <field target=\"card_number\" column=\"記号番号\" split=\"- －\" part=\"2\"/>\n"
		"  <field target=\"exam_date\" join=\"/\"><from column=\"年\"/><from column=\"月\"/>"
		"<from column=\"日\"/></field>\n"
		"  <field target=\"hba1c\" column=\"HbA1c\" nulls=\"NA - ＊\" null-reason=\"not-performed\"/>\n"
		"  <choose column=\"空腹\">\n"
		"    <when value=\"Y 空腹\"><field target=\"tg_fasting\" column=\"TG\"/></when>\n"
		"    <when value=\"N\"><field target=\"tg_casual\" column=\"TG\"/></when>\n"
		"    <when value=\"9\"/>\n"
		"  </choose>\n" END;
	CU_ASSERT_EQUAL_FATAL(load(body, &m, &err), COLINK_OK);
	f = colink_mapping_find(m, "card_number");
	CU_ASSERT_EQUAL(f->part, 2);
	CU_ASSERT_EQUAL(f->nparts, 2);
	CU_ASSERT_EQUAL(colink_mapping_find(m, "card_symbol")->nparts, 2);
	f = colink_mapping_find(m, "exam_date");
	CU_ASSERT_EQUAL(f->nfrom, 3);
	CU_ASSERT_STRING_EQUAL(f->join, "/");
	CU_ASSERT_STRING_EQUAL(f->label, "年+月+日");
	f = colink_mapping_find(m, "hba1c");
	CU_ASSERT_EQUAL(f->nnullwords, 3);
	CU_ASSERT(colink_map_field_nullword(f, "＊", strlen("＊")));
	CU_ASSERT(!colink_map_field_nullword(f, "N", 1));
	CU_ASSERT_EQUAL(f->null_reason, COLINK_NULL_NOT_PERFORMED);
	CU_ASSERT_EQUAL(m->nchooses, 1);
	CU_ASSERT_EQUAL(m->chooses[0].nvalues, 4);
	CU_ASSERT_EQUAL(m->chooses[0].value_line[3], 12);
	f = colink_mapping_find(m, "tg_casual");
	CU_ASSERT_EQUAL(f->choose, 1);
	CU_ASSERT_EQUAL(f->nwhen, 1);
	CU_ASSERT_STRING_EQUAL(f->label, "TG (when 空腹 is N)");
	/* the flag and the parts are read: not unmapped, not to be ignored */
	CU_ASSERT(colink_mapping_reads(m, "空腹"));
	CU_ASSERT(colink_mapping_reads(m, "月"));
	CU_ASSERT(colink_mapping_reads(m, "記号番号"));
	CU_ASSERT(!colink_mapping_reads(m, "備考"));
	colink_mapping_free(m);
}

static void test_mapping_source__from_errors(void)
{
	expect_error(HEAD IDS "  <field target=\"hba1c\"><from column=\"A\"/></field>\n" END,
		     "m.xml:7: field hba1c: a value built from columns needs two <from> or more");
	expect_error(HEAD IDS "  <field target=\"hba1c\">\n    <from column=\"A\"/>\n"
		     "    <from column=\"A\"/>\n  </field>\n" END,
		     "m.xml:9: field hba1c reads column \"A\" twice");
	expect_error(HEAD IDS "  <field target=\"hba1c\" column=\"A\" join=\"-\"/>\n" END,
		     "m.xml:7: field hba1c: join= applies to a value built from <from> columns");
	expect_error(HEAD IDS "  <ignore column=\"月\"/>\n"
		     "  <field target=\"year_month\"><from column=\"年\"/><from column=\"月\"/></field>\n" END,
		     "m.xml:7: column \"月\" is both ignored and read (field year_month, line 8)");
	expect_error(HEAD IDS "  <field target=\"hba1c\" split=\"-\" part=\"1\">"
		     "<from column=\"A\"/><from column=\"B\"/></field>\n" END,
		     "m.xml:7: field hba1c: split= cuts one column=, not <from> parts");
}

static void test_mapping_source__split_errors(void)
{
	expect_error(HEAD IDS "  <field target=\"card_symbol\" column=\"C\" split=\"-\"/>\n" END,
		     "m.xml:7: field card_symbol: split= and part= go together");
	expect_error(HEAD IDS "  <field target=\"card_symbol\" column=\"C\" part=\"1\"/>\n" END,
		     "m.xml:7: field card_symbol: split= and part= go together");
	expect_error(HEAD IDS "  <field target=\"card_symbol\" column=\"C\" split=\" \" part=\"1\"/>\n" END,
		     "m.xml:7: field card_symbol: split= names no separator");
	expect_error(HEAD IDS "  <field target=\"card_symbol\" column=\"C\" split=\"-\" part=\"1\"/>\n"
		     "  <field target=\"card_branch\" column=\"C\" split=\"/\" part=\"2\"/>\n" END,
		     "m.xml:7: field card_symbol cuts its cell at \"-\", field card_branch (line 8) at \"/\"");
	expect_error(HEAD IDS "  <field target=\"card_symbol\" column=\"C\" split=\"-\" part=\"1\"/>\n"
		     "  <field target=\"card_branch\" column=\"C\" split=\"-\" part=\"1\"/>\n" END,
		     "m.xml:8: part 1 of the cell is read by field card_symbol too (line 7)");
}

static void test_mapping_source__nulls_errors(void)
{
	expect_error(HEAD IDS "  <field target=\"hba1c\" column=\"A\" null-reason=\"missing\"/>\n" END,
		     "m.xml:7: field hba1c: null-reason= without nulls=");
	expect_error(HEAD IDS "  <field target=\"hba1c\" column=\"A\" nulls=\"NA 9999\" placeholders=\"9999\"/>\n" END,
		     "m.xml:7: field hba1c: \"9999\" is both a null word (a null) and a placeholder (a reject)");
	expect_error(HEAD IDS "  <field target=\"hba1c\" column=\"A\" nulls=\"NA NA\"/>\n" END,
		     "m.xml:7: field hba1c: null word \"NA\" given twice");
	expect_error(HEAD IDS "  <field target=\"hba1c\" column=\"A\" nulls=\"  \"/>\n" END,
		     "m.xml:7: field hba1c: nulls= names no word");
}

static void test_mapping_source__choose_errors(void)
{
	expect_error(HEAD IDS "  <choose column=\"F\">\n"
		     "    <when value=\"Y 1\"><field target=\"tg_fasting\" column=\"TG\"/></when>\n"
		     "    <when value=\"N 1\"><field target=\"tg_casual\" column=\"TG\"/></when>\n"
		     "  </choose>\n" END,
		     "m.xml:9: value \"1\" of column \"F\" is in two <when> (first at line 8)");
	expect_error(HEAD IDS "  <choose column=\"F\">\n"
		     "    <when value=\"Y\">\n      <field target=\"card_symbol\" column=\"C\"/>\n"
		     "    </when>\n  </choose>\n" END,
		     "m.xml:9: identifier card_symbol cannot depend on column \"F\"");
	expect_error(HEAD IDS "  <choose column=\"F\">\n"
		     "    <when value=\"Y\"><field target=\"blood_draw_timing\" column=\"F\"/></when>\n"
		     "  </choose>\n" END,
		     "m.xml:8: field blood_draw_timing reads column \"F\", the flag that chooses it");
	expect_error(HEAD IDS "  <ignore column=\"F\"/>\n  <choose column=\"F\">\n"
		     "    <when value=\"Y\"><field target=\"tg_fasting\" column=\"TG\"/></when>\n"
		     "  </choose>\n" END,
		     "m.xml:7: column \"F\" is both ignored and the flag of the <choose> at line 8");
	expect_error(HEAD IDS "  <choose column=\"F\">\n"
		     "    <when value=\"Y\"><field target=\"tg_fasting\" column=\"TG\"/></when>\n"
		     "  </choose>\n  <choose column=\"F\">\n"
		     "    <when value=\"N\"><field target=\"tg_casual\" column=\"TG\"/></when>\n"
		     "  </choose>\n" END,
		     "m.xml:10: a second <choose> on column \"F\" (first at line 7)");
	expect_error(HEAD IDS "  <field target=\"tg_fasting\" column=\"TG0\"/>\n  <choose column=\"F\">\n"
		     "    <when value=\"Y\"><field target=\"tg_fasting\" column=\"TG\"/></when>\n"
		     "  </choose>\n" END,
		     "m.xml:9: field tg_fasting is mapped twice");
	expect_error(HEAD IDS "  <choose column=\"F\">\n    <when value=\" \"/>\n  </choose>\n" END,
		     "m.xml:8: <when> names no value of column \"F\"");
	/* the schema: a <choose> without <when>, a <when> inside a <when> */
	expect_error(HEAD IDS "  <choose column=\"F\"/>\n" END, "m.xml:7");
}

static const struct tu_test tests[] = {
	TU_TEST(test_mapping_source__all_constructs_load),
	TU_TEST(test_mapping_source__from_errors),
	TU_TEST(test_mapping_source__split_errors),
	TU_TEST(test_mapping_source__nulls_errors),
	TU_TEST(test_mapping_source__choose_errors),
	TU_END
};

int main(void)
{
	if (tu_add_suite("mapping_source", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
