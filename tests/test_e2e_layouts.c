/*
 * test_e2e_layouts.c -- real vendor layouts loaded with a mapping file
 * alone (#18 part 1), through the real binary: samples/vendor_c.csv (a
 * fasting flag that chooses the target of TG and GLU, 記号-番号 in one
 * cell, the birth date in three columns, null words, ignored columns) and
 * samples/employer/attendance_ym.csv (year and month in two columns,
 * night and holiday work minutes).  `colink preview`, `doc` and `diff` show
 * each construct; a run puts the values asserted here in the warehouse.
 */
#include <CUnit/Basic.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *db, *run_out, *run_err;

/* Blank every run of 12 or more hex digits with a letter among them (a
 * pseudonym's prefix, a run id): they are made under a key or a random of
 * the moment, so any four digits may turn up in one (one CI run found
 * "3461", the raw 記号 the tests look for, in a pseudonym preview printed).
 * A run of decimal digits alone is left: it could be raw identifiers. */
static void blank_hex(char *out)
{
	char *p = out, *q;
	int letter;
	while (p && *p) {
		for (q = p, letter = 0; isxdigit((unsigned char)*q); q++)
			letter |= !isdigit((unsigned char)*q);
		if (q - p >= 12 && letter)
			memset(p, '#', (size_t)(q - p));
		p = *q ? q + 1 : q;
	}
}

static int run_rc;

static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(dir, args, out, err);
}

/* The same card as vendor_c.csv line 3 (健12－3457, typed with a
 * full-width hyphen there), in separate 記号 and 番号 columns. */
static const char card_cols_csv[] = "保険者番号,記号,番号,枝番,受診日\n"
				    "06139992,健１２,3457,01,2024-08-01\n";
static const char card_cols_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<mapping xmlns=\"urn:colink:mapping:1\" id=\"cardcols\" version=\"1\" kind=\"checkup\">\n"
	"  <input plugin=\"in_csv\"><set name=\"header\" value=\"true\"/></input>\n"
	"  <field target=\"insurer_number\" column=\"保険者番号\"/>\n"
	"  <field target=\"card_symbol\" column=\"記号\"/>\n"
	"  <field target=\"card_number\" column=\"番号\"/>\n"
	"  <field target=\"card_branch\" column=\"枝番\"/>\n"
	"  <field target=\"exam_date\" column=\"受診日\"/>\n"
	"  <constant target=\"program_type\" value=\"010\"/>\n"
	"</mapping>\n";

static int setup(void)
{
	const char *s = tu_srcdir();
	char *p, *body;
	dir = tu_mkdtemp("layouts");
	db = tu_fmt("%s/w.db", dir);
	p = tu_fmt("%s/card_cols.csv", dir);
	tu_write_file(p, card_cols_csv, strlen(card_cols_csv));
	free(p);
	p = tu_fmt("%s/card_cols.xml", dir);
	tu_write_file(p, card_cols_xml, strlen(card_cols_xml));
	free(p);
	p = tu_fmt("%s/job.xml", dir);
	body = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"layouts\">\n"
		"  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/><key file=\"k.key\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_c.xml\" path=\"%s/samples/vendor_c.csv\"/>\n"
		"  <input mapping=\"card_cols.xml\" path=\"card_cols.csv\"/>\n"
		"  <input mapping=\"%s/mappings/employer/attendance_ym.xml\" path=\"%s/samples/employer/attendance_ym.csv\"/>\n"
		"  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"w.db\"/></output>\n"
		"</job>\n", s, s, s, s);
	tu_write_file(p, body, strlen(body));
	free(p);
	free(body);
	if (colink("key new k.key", NULL, NULL))
		return 1;
	run_rc = colink("run --unsigned-agreement job.xml", &run_out, &run_err);
	blank_hex(run_out); /* the raw-identifier searches below see no run id */
	blank_hex(run_err);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(db);
	free(run_out);
	free(run_err);
	return 0;
}

static long q(const char *sql)
{
	return tu_sql_long(db, sql);
}

static char *qs(const char *sql)
{
	return tu_sql1(db, sql);
}

/* A checkup column of the person born in yyyymm (one exam in July). */
static char *value_of(int birth_ym, const char *column)
{
	char *sql = tu_fmt("SELECT IFNULL(c.%s, 'NULL') FROM checkup c JOIN person p USING (person_no) "
			   "WHERE p.birth_ym = %d AND c.exam_date LIKE '2024-07-%%'", column, birth_ym);
	char *v = qs(sql);
	free(sql);
	return v;
}

static void expect_value(int birth_ym, const char *column, const char *want)
{
	char *v = value_of(birth_ym, column);
	if (!v || strcmp(v, want))
		fprintf(stderr, "\n  %d %s: %s, expected %s\n", birth_ym, column, v ? v : "(no row)", want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(v, want);
	free(v);
}

static void test_e2e_layouts__vendor_c_counts(void)
{
	/* 9 records: 5 loaded, 4 rejected (unknown flag, uncut card cell,
	 * empty flag with a TG value, a birth-date part empty) */
	CU_ASSERT_PTR_NOT_NULL(strstr(run_out, "9 read, 5 loaded, 4 rejected"));
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM reject WHERE input_no = 1"), 4);
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM checkup"), 6);
}

/* (a) the fasting flag chooses the target of TG and GLU */
static void test_e2e_layouts__flag_chooses_the_target(void)
{
	expect_value(197204, "tg_fasting", "150.0"); /* 空腹 */
	expect_value(197204, "fpg", "98.0");
	expect_value(197204, "tg_casual", "NULL");
	expect_value(197204, "casual_glucose", "NULL");
	expect_value(198011, "tg_casual", "210.0"); /* 随時 */
	expect_value(198011, "casual_glucose", "135.0");
	expect_value(198011, "tg_fasting", "NULL");
	expect_value(198011, "fpg", "NULL");
	expect_value(199012, "tg_casual", "95.0"); /* N */
	expect_value(199502, "tg_fasting", "NULL"); /* empty flag, no value: loads */
	expect_value(199502, "tg_casual", "NULL");
	CU_ASSERT_EQUAL(q("SELECT line_no FROM reject WHERE source_column = '空腹区分' "
			  "AND reason LIKE 'value \"不明\" is in no <when>%'"), 6);
	CU_ASSERT_EQUAL(q("SELECT line_no FROM reject WHERE source_column = '空腹区分' "
			  "AND reason LIKE 'empty, but TG has a value%'"), 8);
}

/* (b) 記号-番号 cut in two; the birth date built from three columns */
static void test_e2e_layouts__split_and_composite(void)
{
	char *r;
	/* the card cut from 健12－3457 is the card of separate columns: one
	 * person, two checkups, the birth month from the composite date */
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM person WHERE side = 'association'"), 5);
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM checkup c JOIN person p USING (person_no) "
			  "WHERE p.birth_ym = 198011"), 2);
	CU_ASSERT_EQUAL(q("SELECT age_at_exam FROM checkup c JOIN person p USING (person_no) "
			  "WHERE p.birth_ym = 197204"), 52);
	/* "-3459": a card without 記号 loads */
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM person WHERE birth_ym = 199012"), 1);
	/* one reason for the uncut cell, never its value */
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM reject WHERE input_no = 1 AND line_no = 7"), 1);
	r = qs("SELECT reason FROM reject WHERE line_no = 7 AND source_column = '記号番号'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "1 piece cut at"));
	CU_ASSERT_PTR_NULL(strstr(r, "3461"));
	free(r);
	CU_ASSERT_EQUAL(q("SELECT line_no FROM reject WHERE source_column = '生月'"), 9);
	/* no raw identifier anywhere the run writes text */
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM reject WHERE reason LIKE '%健12%' OR reason LIKE '%3461%' "
			  "OR reason LIKE '%1960%'"), 0);
	CU_ASSERT_PTR_NULL(strstr(run_out, "3461"));
	CU_ASSERT_PTR_NULL(strstr(run_err ? run_err : "", "3461"));
}

/* (c) null words of the mapping and of one field: nulls, not rejects */
static void test_e2e_layouts__null_words(void)
{
	expect_value(198011, "ldl", "NULL");      /* NA (ldl nulls=) */
	expect_value(196501, "hba1c", "NULL");    /* - (hba1c nulls=) */
	expect_value(199012, "hba1c", "NULL");    /* ＊ */
	expect_value(196501, "fpg", "NULL");      /* ＊ (fpg nulls=) */
	expect_value(196501, "tg_fasting", "NULL"); /* 未測定 (<null>) */
	expect_value(196501, "ldl", "140.0");
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM observation WHERE field = 'tg_fasting' "
			  "AND null_reason = 'not-performed'"), 1);
}

/* (c) ignored columns: read, never stored, not an unmapped column */
static void test_e2e_layouts__ignored_columns(void)
{
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM observation WHERE value_text LIKE '%再検査%' "
			  "OR value_text LIKE 'R000%'"), 0);
}

static void test_e2e_layouts__preview_shows_each_construct(void)
{
	char *out = NULL, *args = tu_fmt("preview -n 9 %s/mappings/vendors/vendor_c.xml %s/samples/vendor_c.csv",
					 tu_srcdir(), tu_srcdir());
	CU_ASSERT_EQUAL(colink(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "tg_casual              210 mg/dL    <- TG (when 空腹区分 is 随時, N)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "fpg                    98 mg/dL    <- GLU (when 空腹区分 is 空腹, Y)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ldl                    NULL (missing) mg/dL    <- LDL"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "record 2 (line 3): person"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "birth 1980-11"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "record 5 (line 6): REJECTED column 空腹区分: value \"不明\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "record 6 (line 7): REJECTED column 記号番号: the cell has 1 piece"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "record 8 (line 9): REJECTED column 生月: birth_date"));
	blank_hex(out);
	CU_ASSERT_PTR_NULL(strstr(out, "3461"));
	CU_ASSERT_PTR_NULL(strstr(out, "健12"));
	free(out);
	free(args);
}

static void test_e2e_layouts__doc_shows_each_construct(void)
{
	char *args = tu_fmt("doc %s/mappings/vendors/vendor_c.xml --markdown c.md -o c.html", tu_srcdir());
	char *md = tu_fmt("%s/c.md", dir), *t;
	CU_ASSERT_EQUAL(colink(args, NULL, NULL), 0);
	t = tu_read_file(md, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "column \"記号番号\", piece 2 of 2 cut at \"- －\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "columns \"生年\" + \"生月\" + \"生日\" joined with \"-\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "column \"TG\", when column \"空腹区分\" is 随時 or N"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "Conditional targets"));
	/* (Markdown escapes the underscore) */
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "| 随時 | tg\\_casual ← column \"TG\"; casual\\_glucose ← column \"GLU\" | 64 |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "null words of this field: - ＊ (missing)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "備考 (line"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "受付番号 (line"));
	free(t);
	free(md);
	free(args);
}

/* Replace the first `from` in the vendor C mapping, write it as name. */
static char *mutated(const char *name, const char *from, const char *to)
{
	char *src = tu_fmt("%s/mappings/vendors/vendor_c.xml", tu_srcdir());
	char *text = tu_read_file(src, NULL), *at, *body, *p;
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	at = strstr(text, from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	*at = '\0';
	body = tu_fmt("%s%s%s", text, to, at + strlen(from));
	p = tu_fmt("%s/%s", dir, name);
	tu_write_file(p, body, strlen(body));
	free(src);
	free(text);
	free(body);
	return p;
}

static void expect_diff(const char *from, const char *to, const char *want)
{
	char *p = mutated("c2.xml", from, to), *out = NULL;
	char *args = tu_fmt("diff %s/mappings/vendors/vendor_c.xml %s", tu_srcdir(), p);
	colink(args, &out, NULL);
	if (!out || !strstr(out, want))
		fprintf(stderr, "\n  expected '%s' in:\n%s\n", want, out ? out : "(nothing)");
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, want));
	free(out);
	free(args);
	free(p);
}

static void test_e2e_layouts__diff_shows_each_construct(void)
{
	expect_diff("<when value=\"随時 N\">", "<when value=\"随時 N 2\">",
		    "~ choose 空腹区分: value \"2\" added");
	expect_diff("<when value=\"随時 N\">", "<when value=\"随時\">",
		    "~ choose 空腹区分: value \"N\" removed (now rejects the record)");
	expect_diff("<when value=\"随時 N\">", "<when value=\"随時\">",
		    "~ field tg_casual: source column \"TG\", when column \"空腹区分\" is 随時 or N → "
		    "column \"TG\", when column \"空腹区分\" is 随時");
	expect_diff("nulls=\"- ＊\"", "nulls=\"-\"", "~ field hba1c: null words - ＊ (missing) → - (missing)");
	expect_diff("split=\"- －\" part=\"2\"", "split=\"- －\" part=\"3\"",
		    "~ identifier card_number: source column \"記号番号\", piece 2 of 2");
	expect_diff("<from column=\"生日\"/>", "",
		    "~ identifier birth_date: source columns \"生年\" + \"生月\" + \"生日\" joined with \"-\" → "
		    "columns \"生年\" + \"生月\" joined with \"-\"");
}

/* attendance_ym.csv: year_month from 年 + 月; night and holiday work
 * minutes (schema 7) with "-" as a null word */
static void test_e2e_layouts__attendance_year_month_night_holiday(void)
{
	char *v;
	CU_ASSERT_PTR_NOT_NULL(strstr(run_out, "6 read, 4 loaded, 2 rejected"));
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM attendance_month"), 4);
	v = qs("SELECT group_concat(year_month || ':' || overtime_minutes || '/' || "
	       "IFNULL(night_work_minutes, 'NULL') || '/' || IFNULL(holiday_work_minutes, 'NULL'), ' ') "
	       "FROM (SELECT * FROM attendance_month ORDER BY year_month, overtime_minutes)");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(v, "2024-04:0/0/0 2024-04:750/90/480 2024-05:255/NULL/NULL "
			       "2024-05:1800/765/960");
	free(v);
	/* two employees: a person per employee number, months under it */
	CU_ASSERT_EQUAL(q("SELECT COUNT(DISTINCT person_no) FROM attendance_month"), 2);
	CU_ASSERT_EQUAL(q("SELECT line_no FROM reject WHERE input_no = 3 AND source_column = '年+月' "
			  "AND reason LIKE 'year_month: month out of range%'"), 6);
	CU_ASSERT_EQUAL(q("SELECT line_no FROM reject WHERE input_no = 3 AND source_column = '月'"), 7);
	/* 所属メモ is ignored: never stored */
	CU_ASSERT_EQUAL(q("SELECT COUNT(*) FROM reject WHERE reason LIKE '%夜勤あり%'"), 0);
}

static const struct tu_test tests[] = {
	TU_TEST(test_e2e_layouts__vendor_c_counts),
	TU_TEST(test_e2e_layouts__flag_chooses_the_target),
	TU_TEST(test_e2e_layouts__split_and_composite),
	TU_TEST(test_e2e_layouts__null_words),
	TU_TEST(test_e2e_layouts__ignored_columns),
	TU_TEST(test_e2e_layouts__preview_shows_each_construct),
	TU_TEST(test_e2e_layouts__doc_shows_each_construct),
	TU_TEST(test_e2e_layouts__diff_shows_each_construct),
	TU_TEST(test_e2e_layouts__attendance_year_month_night_holiday),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_layouts", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
