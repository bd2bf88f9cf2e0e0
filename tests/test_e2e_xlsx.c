/*
 * test_e2e_xlsx.c -- the Excel workbook path through the real binary:
 * samples/vendor_d.xlsx loads into the warehouse with its leading zeros,
 * serial dates and #N/A as the values a vendor meant, and the four
 * persons it shares with samples/vendor_a.csv get the same pseudonyms and
 * the same checkup rows whether they come as CSV or as .xlsx.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *key;

static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(NULL, args, out, err);
}

static char *job(const char *name, const char *db, const char *inputs, int max_rejected)
{
	char *p = tu_fmt("%s/%s.xml", dir, name);
	char *body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<job xmlns=\"urn:colink:job:1\" name=\"%s\">\n"
			    "  <agreement file=\"%s/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
			    "  <key file=\"%s\"/>\n  %s\n"
			    "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>\n"
			    "  <options max-rejected=\"%d\"/>\n"
			    "</job>\n", name, tu_srcdir(), key, inputs, db, max_rejected);
	tu_write_file(p, body, strlen(body));
	free(body);
	return p;
}

static char *input(const char *mapping, const char *sample)
{
	return tu_fmt("<input mapping=\"%s/mappings/vendors/%s\" path=\"%s/samples/%s\"/>",
		      tu_srcdir(), mapping, tu_srcdir(), sample);
}

static int setup(void)
{
	char *c;
	dir = tu_mkdtemp("e2exlsx");
	key = tu_fmt("%s/k.key", dir);
	c = tu_fmt("key new '%s'", key);
	if (colink(c, NULL, NULL))
		return 1;
	free(c);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(key);
	return 0;
}

/* Run a job; returns colink's exit code, *db the warehouse path. */
static int run(const char *name, const char *inputs, int max_rejected, char **db, char **out)
{
	char *j, *c, *e = NULL;
	int rc;
	*db = tu_fmt("%s/%s.db", dir, name);
	j = job(name, *db, inputs, max_rejected);
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	rc = colink(c, out, &e);
	if (rc > 1)
		fprintf(stderr, "\n  run: %s\n", e ? e : "");
	free(j);
	free(c);
	free(e);
	return rc;
}

static int sql_is(const char *db, const char *sql, const char *want)
{
	char *v = tu_sql1(db, sql);
	int ok = (!v && !want) || (v && want && !strcmp(v, want));
	if (!ok)
		fprintf(stderr, "\n  %s\n  = %s, want %s\n", sql, v ? v : "NULL", want ? want : "NULL");
	free(v);
	return ok;
}

#define EXAMS "('2024-06-10','2024-09-15','2024-11-05','2024-07-01')"

/* One line per shared person: its checkup row and every pseudonym. */
static char *rows(const char *db)
{
	return tu_sql1(db,
		       "SELECT group_concat(r, '|') FROM (SELECT c.exam_date || ',' || "
		       "ifnull(c.height,'-') || ',' || ifnull(c.weight,'-') || ',' || ifnull(c.bmi,'-') || ',' || "
		       "ifnull(c.sbp_1,'-') || ',' || ifnull(c.sbp_2,'-') || ',' || ifnull(c.hba1c,'-') || ',' || "
		       "ifnull(c.urine_protein,'-') || ',' || c.age_at_exam || ',' || c.fiscal_year || ',' || "
		       "p.sex || ',' || p.birth_ym || ',' || p.person_id || ',' || "
		       "(SELECT group_concat(kind || '=' || pseudonym, ';') FROM "
		       " (SELECT kind, pseudonym FROM person_key_hex k WHERE k.person_no = p.person_no "
		       "  ORDER BY kind, pseudonym)) AS r "
		       "FROM checkup c JOIN person p USING (person_no) "
		       "WHERE c.exam_date IN " EXAMS " ORDER BY c.exam_date)");
}

static void test_e2e_xlsx__sample_values(void)
{
	char *in = input("vendor_d.xml", "vendor_d.xlsx"), *db = NULL;
	const char *p1 = "FROM checkup WHERE exam_date='2024-06-10'";
	char *q;
	CU_ASSERT_EQUAL_FATAL(run("xlsx", in, 0, &db, NULL), 0);
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM checkup", "4"));
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM reject", "0"));
	/* serial dates converted: the exam dates, and ages from the birth dates */
	CU_ASSERT(sql_is(db, "SELECT group_concat(exam_date, ',') FROM (SELECT exam_date FROM checkup ORDER BY exam_date)",
			 "2024-06-10,2024-07-01,2024-09-15,2024-11-05"));
	CU_ASSERT(sql_is(db, "SELECT group_concat(birth_ym, ',') FROM (SELECT birth_ym FROM person ORDER BY birth_ym)",
			 "195608,197005,197901,198503"));
	q = tu_fmt("SELECT age_at_exam || ' ' || bmi || ' ' || sbp_2 || ' ' || hba1c %s", p1);
	CU_ASSERT(sql_is(db, q, "54 26.1 142.0 6.0"));
	free(q);
	/* lineage: the sheet row */
	CU_ASSERT(sql_is(db, "SELECT group_concat(line_no, ',') FROM (SELECT line_no FROM checkup ORDER BY record_no)",
			 "3,4,5,6"));
	/* #N/A: a null with reason invalid, kept as a row */
	CU_ASSERT(sql_is(db, "SELECT ldl FROM checkup WHERE exam_date='2024-11-05'", NULL));
	CU_ASSERT(sql_is(db, "SELECT o.null_reason || ' ' || o.source_column FROM observation o JOIN checkup c "
			 "USING (checkup_id) WHERE c.exam_date='2024-11-05' AND o.field='ldl'",
			 "invalid LDL"));
	/* 未実施 on a sheet is the mapping's null word, as in a CSV */
	CU_ASSERT(sql_is(db, "SELECT o.null_reason FROM observation o JOIN checkup c USING (checkup_id) "
			 "WHERE c.exam_date='2024-09-15' AND o.field='urine_protein'", "not-performed"));
	/* the merged header's second column */
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM checkup WHERE sbp_2 IS NOT NULL", "2"));
	free(in);
	free(db);
}

static void test_e2e_xlsx__same_as_csv(void)
{
	char *inx = input("vendor_d.xml", "vendor_d.xlsx"), *inc = input("vendor_a.xml", "vendor_a.csv");
	char *both = tu_fmt("%s\n  %s", inc, inx);
	char *dbx = NULL, *dbc = NULL, *dbb = NULL, *rx, *rc, *q;
	int i;
	CU_ASSERT_EQUAL_FATAL(run("x", inx, 0, &dbx, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(run("c", inc, 2, &dbc, NULL), 1); /* its 2 bad rows */
	rx = rows(dbx);
	rc = rows(dbc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
	/* every pseudonym (card and kana_dob_sex) and every shared value */
	CU_ASSERT_STRING_EQUAL(rx, rc);
	if (strcmp(rx, rc))
		fprintf(stderr, "\n  xlsx: %s\n  csv:  %s\n", rx, rc);
	CU_ASSERT(strstr(rx, "kana_dob_sex=") != NULL);
	/* one job with both: the workbook's four rows are the CSV's persons'
	 * checkups already loaded, rejected as duplicates by name */
	CU_ASSERT_EQUAL_FATAL(run("both", both, 6, &dbb, NULL), 1);
	CU_ASSERT(sql_is(dbb, "SELECT count(*) FROM person", "10"));
	for (i = 1; i <= 4; i++) {
		q = tu_fmt("SELECT reason FROM reject WHERE input_no=2 AND record_no=%d", i);
		char *want = tu_fmt("duplicate checkup for this person and exam date (input 1 record %d)", i);
		CU_ASSERT(sql_is(dbb, q, want));
		free(q);
		free(want);
	}
	free(rx);
	free(rc);
	free(inx);
	free(inc);
	free(both);
	free(dbx);
	free(dbc);
	free(dbb);
}

static void test_e2e_xlsx__rejects_name_the_cell(void)
{
	char *dbx = NULL, *in, *map, *body;
	/* a mapping reading the results sheet with no header: the unnamed
	 * trailing data is refused by cell, and a reject names the sheet row */
	map = tu_fmt("%s/c_bad.xml", dir);
	body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<mapping xmlns=\"urn:colink:mapping:1\" id=\"c-bad\" version=\"1\" kind=\"checkup\">\n"
		      "  <input plugin=\"in_xlsx\"><set name=\"sheet\" value=\"健診結果\"/>"
		      "<set name=\"header_row\" value=\"2\"/><set name=\"range\" value=\"A2:O9\"/></input>\n"
		      "  <primary-key kind=\"card\"/>\n"
		      "  <field target=\"insurer_number\" column=\"保険者番号\" required=\"true\"/>\n"
		      "  <field target=\"card_symbol\" column=\"被保険者証記号\"/>\n"
		      "  <field target=\"card_number\" column=\"被保険者証番号\" required=\"true\"/>\n"
		      "  <field target=\"card_branch\" column=\"枝番\"/>\n"
		      "  <field target=\"birth_date\" column=\"生年月日\" format=\"iso\" required=\"true\"/>\n"
		      "  <field target=\"sex\" column=\"性別\" codemap=\"sex\" required=\"true\"/>\n"
		      "  <field target=\"exam_date\" column=\"受診日\" format=\"iso\" required=\"true\"/>\n"
		      "  <field target=\"sbp_1\" column=\"収縮期血圧\" unit=\"mm[Hg]\" min=\"50\" max=\"140\"/>\n"
		      "  <unmapped columns=\"ignore\"/>\n"
		      "</mapping>\n");
	tu_write_file(map, body, strlen(body));
	in = tu_fmt("<input mapping=\"%s\" path=\"%s/samples/vendor_d.xlsx\"/>", map, tu_srcdir());
	CU_ASSERT_EQUAL_FATAL(run("bad", in, 5, &dbx, NULL), 1);
	/* SBP 146 and 165 break max 140: rows 3 and 5 of the sheet */
	CU_ASSERT(sql_is(dbx, "SELECT group_concat(record_no || '@' || line_no || ':' || source_column, ',') "
			 "FROM (SELECT * FROM reject ORDER BY record_no)", "1@3:収縮期血圧,3@5:収縮期血圧"));
	free(map);
	free(body);
	free(in);
	free(dbx);
}

/* colink scan on the workbook: the sheets listed, the chosen sheet
 * profiled through in_xlsx (dates as dates, the merged header named), a
 * draft that reads it with in_xlsx and passes colink check */
static void test_e2e_xlsx__scan(void)
{
	char *draft = tu_fmt("%s/draft.xml", dir), *out = NULL, *err = NULL, *text;
	char *c = tu_fmt("scan --sheet 健診結果 --header-row 2 -o '%s' '%s/samples/vendor_d.xlsx'", draft,
			 tu_srcdir());
	CU_ASSERT_EQUAL_FATAL(colink(c, &out, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "sheets: 1 '表紙', 2 '健診結果'; reading '健診結果'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "16 columns, 4 data rows"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "months 2024-06 .. 2024-11"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "収縮期血圧_2"));
	/* identifiers stay hidden: no insurer number in the profile */
	CU_ASSERT_PTR_NULL(strstr(out, "06139992"));
	text = tu_read_file(draft, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<input plugin=\"in_xlsx\">\n    <set name=\"sheet\" value=\"健診結果\"/>\n"
				  "    <set name=\"header_row\" value=\"2\"/>\n  </input>"));
	CU_ASSERT_PTR_NULL(strstr(text, "in_csv"));
	free(c);
	free(out);
	free(err);
	c = tu_fmt("check '%s'", draft);
	CU_ASSERT_EQUAL(colink(c, NULL, NULL), 0);
	free(c);
	free(text);
	free(draft);
}

static const struct tu_test tests[] = {
	TU_TEST_AS("scan", test_e2e_xlsx__scan),
	TU_TEST_AS("sample_values", test_e2e_xlsx__sample_values),
	TU_TEST_AS("same_as_csv", test_e2e_xlsx__same_as_csv),
	TU_TEST_AS("rejects_name_the_row", test_e2e_xlsx__rejects_name_the_cell),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_xlsx", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
