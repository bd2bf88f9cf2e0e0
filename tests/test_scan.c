/*
 * test_scan.c -- `colink scan`, the steward's onboarding tool, end to end:
 * the real binary profiles the sample vendor files, its draft is checked
 * (TODOs listed with FILE:LINE, exit 3), filled from what a steward would
 * type (tests/data/scan/vendor_?.fill) and loaded; the warehouse it gives must be
 * row for row the one the hand-written mappings give.
 */
#include <CUnit/Basic.h>
#include <iconv.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/run.h"
#include "steward/scan.h"
#include "testutil.h"

static char *dir; /* scratch directory */

static int setup(void)
{
	char *c;
	int rc;
	dir = tu_mkdtemp("scan");
	if (!dir)
		return 1;
	c = tu_fmt("key new '%s/test.key'", dir);
	rc = tu_colink_run(NULL, c, NULL, NULL);
	free(c);
	return rc != 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

/* `colink scan ARGS`; output in *out (caller frees). */
static int scan(const char *args, char **out, char **err)
{
	char *c = tu_fmt("scan %s", args);
	int rc = tu_colink_run(NULL, c, out, err);
	free(c);
	return rc;
}

static char *sample(const char *name)
{
	return tu_fmt("%s/samples/%s", tu_srcdir(), name);
}

/* ------------------------------------------------------------------ */
/* Profiles                                                             */
/* ------------------------------------------------------------------ */

static void test_scan__vendor_a_profile(void)
{
	char *f = sample("vendor_a.csv"), *args = tu_fmt("--json '%s'", f), *out = NULL;
	CU_ASSERT_EQUAL_FATAL(scan(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"encoding\":\"UTF-8\",\"bom\":false,\"delimiter\":\",\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"header\":true,\"line_ends\":{\"crlf\":0,\"lf\":13,\"cr\":0}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"columns_count\":35,\"rows\":12,\"ragged_rows\":0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"kind\":\"checkup\",\"primary_key\":\"card\",\"todo\":1"));
	/* ISO dates; the planted 2025-02-30 is a date-shaped value that is not valid */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":6,\"header\":\"生年月日\",\"type\":\"date\",\"date_format\":\"iso\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":8,\"header\":\"受診日\",\"type\":\"date\",\"date_format\":\"iso\","
				      "\"values\":12,\"empty\":0,\"nullwords\":0,\"distinct\":12,\"distinct_capped\":false,\"unparsed\":1,"));
	/* numbers: decimal with a range; the planted SBP 999 shows as the maximum */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":9,\"header\":\"身長\",\"type\":\"decimal\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"header\":\"収縮期血圧1\",\"type\":\"integer\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"min\":\"102\",\"max\":\"999\""));
	/* "<5" is a censored number; 未実施 a null word */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"header\":\"ALT\",\"type\":\"decimal\",\"values\":12,\"empty\":0,"
				      "\"nullwords\":0,\"distinct\":11,\"distinct_capped\":false,\"unparsed\":0,\"censored\":1,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"header\":\"尿蛋白\",\"type\":\"code\",\"values\":12,\"empty\":0,\"nullwords\":1,"));
	/* codes with leading zeros are codes, never numbers */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":1,\"header\":\"保険者番号\",\"type\":\"code\","));
	/* identifier columns: no value, no range */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"header\":\"生年月日\",\"type\":\"date\",\"date_format\":\"iso\",\"values\":12,"
				      "\"empty\":0,\"nullwords\":0,\"distinct\":12,\"distinct_capped\":false,\"unparsed\":0,"
				      "\"censored\":0,\"identifier_like\":true,\"frequent\":[],\"status\":\"mapped\",\"target\":\"birth_date\""));
	/* 性別: 1 occurs 8 times and is shown; 2 occurs 4 times and is not */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"frequent\":[{\"value\":\"1\",\"count\":8}],\"status\":\"mapped\",\"target\":\"sex\",\"suggest\":[],\"codemap\":\"sex\""));
	/* the ambiguous column: two candidates, a TODO */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"status\":\"todo\",\"target\":null,\"suggest\":[\"tg_fasting\",\"tg_casual\"]"));
	free(out);
	free(args);
	free(f);
}

static void test_scan__vendor_b_profile(void)
{
	char *f = sample("vendor_b.csv"), *args = tu_fmt("--json '%s'", f), *out = NULL;
	CU_ASSERT_EQUAL_FATAL(scan(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"encoding\":\"CP932\",\"bom\":false,\"delimiter\":\",\",\"quoted\":true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"line_ends\":{\"crlf\":11,\"lf\":0,\"cr\":0}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"columns_count\":38,\"rows\":10,"));
	/* 和暦 in both spellings (R06.04.22, 令和6年10月7日); H31.05.01 is past 平成's end */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":1,\"header\":\"健診日\",\"type\":\"date\",\"date_format\":\"wareki\","
				      "\"values\":10,\"empty\":0,\"nullwords\":0,\"distinct\":10,\"distinct_capped\":false,\"unparsed\":1,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":6,\"header\":\"生年月日\",\"type\":\"date\",\"date_format\":\"wareki\","));
	/* full-width digits and thousands separators are numbers */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":12,\"header\":\"身長\",\"type\":\"decimal\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"header\":\"中性脂肪(空腹時)\",\"type\":\"integer\",\"values\":8,\"empty\":2,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"min\":\"40\",\"max\":\"1250\""));
	/* words map through the shared code maps */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"target\":\"sex\",\"suggest\":[],\"codemap\":\"sex\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"target\":\"urine_protein\",\"suggest\":[],\"codemap\":\"dipstick\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"target\":\"q_smoking\",\"suggest\":[],\"codemap\":\"smoking_2024\""));
	/* a generic header is a suggestion to confirm */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"header\":\"番号\",\"type\":\"code\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"status\":\"confirm\",\"target\":\"card_number\""));
	free(out);
	free(args);
	free(f);
}

/* A BOM, semicolons, YYYYMMDD and 和暦 with slashes, no identifiers. */
static void test_scan__bom_semicolon_and_date_formats(void)
{
	char *f = tu_fmt("%s/odd.csv", dir), *args = tu_fmt("--json '%s'", f), *out = NULL;
	const char body[] = "\xEF\xBB\xBF" "受診日;和暦日;体重;メモ\r\n"
			    "20240610;H2/5/3;60.5;a\r\n20240611;R6.4.1;61.0;a\r\n"
			    "20240612;H2/5/4;;a\r\n20240613;R6.4.2;62.5;a\r\n20240614;R6.4.3;63.0;a\r\n";
	CU_ASSERT_EQUAL_FATAL(tu_write_file(f, body, sizeof(body) - 1), 0);
	CU_ASSERT_EQUAL_FATAL(scan(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"encoding\":\"UTF-8\",\"bom\":true,\"delimiter\":\";\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"line_ends\":{\"crlf\":6,\"lf\":0,\"cr\":0}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":1,\"header\":\"受診日\",\"type\":\"date\",\"date_format\":\"yyyymmdd\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"first_month\":\"2024-06\",\"last_month\":\"2024-06\",\"frequent\":[],"
				      "\"status\":\"mapped\",\"target\":\"exam_date\""));
	/* a date column nobody named, every value different: it may be a
	 * birth date, so no month range is shown */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":2,\"header\":\"和暦日\",\"type\":\"date\",\"date_format\":\"wareki\","
				      "\"values\":5,\"empty\":0,\"nullwords\":0,\"distinct\":5,\"distinct_capped\":false,"
				      "\"unparsed\":0,\"censored\":0,\"identifier_like\":true,\"frequent\":[]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"no\":3,\"header\":\"体重\",\"type\":\"decimal\",\"values\":4,\"empty\":1,"));
	/* "a" five times: a frequent value of a column with no target */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"header\":\"メモ\",\"type\":\"code\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"frequent\":[{\"value\":\"a\",\"count\":5}],\"status\":\"todo\""));
	free(out);
	free(args);
	free(f);
}

/* A vendor's title and output-date lines above the header (CP932, TAB):
 * scan skips them (skip_lines in the draft, as in_csv reads it), profiles
 * the columns under the real header, and numbers rows by physical line.
 * A header with one field fewer than its rows (a trailing TAB on each row)
 * is still the header, not a title. */
static void test_scan__title_lines_above_the_header_are_skipped(void)
{
	char *f = tu_fmt("%s/titled.tsv", dir), *d = tu_fmt("%s/titled.xml", dir);
	char *args = tu_fmt("-o '%s' '%s'", d, f), *out = NULL, *draft, *cp;
	char *g = tu_fmt("%s/trailing.tsv", dir), *dg = tu_fmt("%s/trailing.xml", dir);
	char *args2 = tu_fmt("-o '%s' '%s'", dg, g), *out2 = NULL, *draft2;
	const char body[] = "健診結果一覧（テスト健診センター）\r\n"
			    "出力日\t令和6年7月1日\r\n"
			    "受診日\t性別\t身長\t体重\t腹囲\t喫煙\r\n"
			    "20240610\t1\t170.0\t75.5\t92.0\t1\r\n"
			    "20240611\t2\t152.3\t59.9\t80.0\t2\r\n"
			    "20240612\t1\t181.0\t88.0\t101.0\t2\r\n"
			    "合計\t3件\r\n";
	const char trailing[] = "受診日\t身長\t体重\n20240610\t170.0\t75.5\t\n20240611\t152.3\t59.9\t\n"
				"20240612\t181.0\t88.0\t\n";
	iconv_t cd = iconv_open("CP932", "UTF-8");
	size_t il = sizeof(body) - 1, ol = 4 * il;
	char *ip = (char *)body, *op;
	CU_ASSERT_FATAL(cd != (iconv_t)-1);
	cp = op = calloc(1, ol);
	CU_ASSERT_FATAL(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(f, cp, (size_t)(op - cp)), 0);
	CU_ASSERT_EQUAL_FATAL(scan(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "CP932, CRLF line ends, delimiter \"TAB\", header row, 6 columns, 4 data rows"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "the first 2 lines above the header are no table"));
	/* the 合計 line under the table: not profiled, so 受診日 stays a date
	 * column and 性別 a code, and strict_columns will reject it */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "1 row has at most half the header's fields (a total or a note"));
	CU_ASSERT_PTR_NULL(strstr(out, "another number of fields"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "date(yyyymmdd)        3      0     0        3  mapped   exam_date"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "integer               3      0     0        2  mapped   sex"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "range 152.3 .. 181.0"));
	draft = tu_read_file(d, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(draft);
	CU_ASSERT_PTR_NOT_NULL(strstr(draft, "<set name=\"skip_lines\" value=\"2\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(draft, "<set name=\"delimiter\" value=\"tab\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(draft, "column=\"受診日\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(draft, "<set name=\"strict_columns\" value=\"true\"/>"));
	CU_ASSERT_EQUAL_FATAL(tu_write_file(g, trailing, sizeof(trailing) - 1), 0);
	CU_ASSERT_EQUAL_FATAL(scan(args2, &out2, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out2, "delimiter \"TAB\", header row, 4 columns, 3 data rows"));
	CU_ASSERT_PTR_NULL(strstr(out2, "above the header"));
	draft2 = tu_read_file(dg, NULL);
	CU_ASSERT_PTR_NOT_NULL(draft2 && strstr(draft2, "<set name=\"skip_lines\" value=\"0\"/>"));
	free(draft2);
	free(out2);
	free(args2);
	free(dg);
	free(g);
	free(draft);
	free(cp);
	free(out);
	free(args);
	free(d);
	free(f);
}

static void test_scan__headerless_tab_file_uses_positions(void)
{
	char *f = tu_fmt("%s/nohead.tsv", dir), *d = tu_fmt("%s/nohead.xml", dir);
	char *args = tu_fmt("-o '%s' '%s'", d, f), *out = NULL, *draft;
	const char body[] = "1\t2024-06-10\t170.5\n2\t2024-06-11\t160.0\n1\t2024-06-12\t150.5\n";
	CU_ASSERT_EQUAL_FATAL(tu_write_file(f, body, sizeof(body) - 1), 0);
	CU_ASSERT_EQUAL_FATAL(scan(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "LF line ends, delimiter \"TAB\", no header row, 3 columns, 3 data rows"));
	draft = tu_read_file(d, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(draft);
	CU_ASSERT_PTR_NOT_NULL(strstr(draft, "<set name=\"delimiter\" value=\"tab\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(draft, "<set name=\"header\" value=\"false\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(draft, "<todo position=\"1\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(draft, "<todo position=\"3\"/>"));
	free(draft);
	free(out);
	free(args);
	free(d);
	free(f);
}

/* Text columns only: the first row may be a person, so it is data. */
static void test_scan__text_only_file_has_no_header_and_shows_no_names(void)
{
	char *f = tu_fmt("%s/names.csv", dir), *args = tu_fmt("'%s'", f), *out = NULL;
	const char body[] = "山田 太郎,東京都千代田区見本町1-2-3\n佐藤 花子,大阪府大阪市見本区4-5-6\n"
			    "鈴木 一郎,愛知県名古屋市見本区7-8-9\n";
	CU_ASSERT_EQUAL_FATAL(tu_write_file(f, body, sizeof(body) - 1), 0);
	CU_ASSERT_EQUAL_FATAL(scan(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "no header row, 2 columns, 3 data rows"));
	CU_ASSERT_PTR_NULL(strstr(out, "山田"));
	CU_ASSERT_PTR_NULL(strstr(out, "東京都"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "identifier-like: no values shown"));
	free(out);
	free(args);
	free(f);
}

/* Issue #24: a byte neither encoding accepts is reported on its own line:
 * a CP932 file (so not UTF-8 from line 1) with 85 40 on line 13, and a
 * UTF-8 file with FF on line 13. */
static void expect_bad_line_13(const char *name, const char *first_line)
{
	char *f = tu_fmt("%s/%s", dir, name), *args = tu_fmt("'%s'", f);
	char *body = tu_fmt("%s\n%s", first_line,
			    "a,1\nb,2\nc,3\nd,4\ne,5\nf,6\ng,7\nh,8\ni,9\nj,10\nk,11\nl,\x85\x40\xff\nm,14\n");
	char *want = tu_fmt("%s: line 13: neither UTF-8 nor CP932", f), *err = NULL;
	CU_ASSERT_EQUAL_FATAL(tu_write_file(f, body, strlen(body)), 0);
	CU_ASSERT_NOT_EQUAL(scan(args, NULL, &err), 0);
	if (!err || !strstr(err, want))
		fprintf(stderr, "\n  %s: %s", name, err ? err : "(no message)");
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, want));
	free(err);
	free(want);
	free(body);
	free(args);
	free(f);
}

static void test_scan__bad_byte_reported_on_its_line(void)
{
	expect_bad_line_13("bad13_cp932.csv", "\x8e\x52\x93\x63,\x94\x4e\x97\xee"); /* 山田,年齢 */
	expect_bad_line_13("bad13_utf8.csv", "山田,年齢");
}

static void test_scan__rows_limit_and_no_overwrite(void)
{
	char *f = sample("vendor_a.csv"), *d = tu_fmt("%s/again.xml", dir);
	char *args = tu_fmt("--rows 3 --json -o '%s' '%s'", d, f), *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL_FATAL(scan(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"rows\":3,\"ragged_rows\":0,\"truncated\":true"));
	free(out);
	out = NULL;
	/* the steward may have edited it: a second scan refuses, --force overwrites */
	CU_ASSERT_EQUAL(scan(args, &out, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "exists"));
	free(out);
	free(err);
	free(args);
	args = tu_fmt("--force -o '%s' '%s'", d, f);
	CU_ASSERT_EQUAL(scan(args, NULL, NULL), 0);
	free(args);
	args = tu_fmt("'%s/missing.csv'", dir);
	CU_ASSERT_EQUAL(scan(args, NULL, NULL), 4);
	free(args);
	CU_ASSERT_EQUAL(scan("--rows 0 x.csv", NULL, NULL), 2);
	free(d);
	free(f);
}

/* ------------------------------------------------------------------ */
/* Privacy: no identifier value, and no value seen under 5 times       */
/* ------------------------------------------------------------------ */

static char *to_utf8(const char *cp932, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	char *out = calloc(1, 3 * n + 1), *ip = (char *)cp932, *op = out;
	size_t il = n, ol = 3 * n;
	if (cd == (iconv_t)-1 || !out)
		return out;
	iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	return out;
}

/* Every value of the given columns (0-based) that occurs fewer than
 * `below` times and has at least 3 bytes must be absent from each text;
 * returns how many values were checked. */
static int assert_values_absent(const char *csv, const int *cols, int ncols,
				const char *const *texts, int ntexts, int below)
{
	enum { MAXV = 512 };
	char *vals[MAXV];
	int counts[MAXV], nv = 0, checked = 0, i, j, line = 0;
	char *copy = strdup(csv), *save = NULL, *ln;
	for (ln = strtok_r(copy, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save), line++) {
		char *p = ln;
		int col = 0;
		if (line == 0)
			continue; /* header */
		while (p) {
			char *comma = strchr(p, ','), *v = p;
			size_t len;
			if (comma)
				*comma = '\0';
			len = strlen(v);
			if (len && v[len - 1] == '\r')
				v[--len] = '\0';
			if (len >= 2 && v[0] == '"')
				v[len - 1] = '\0', v++;
			for (i = 0; i < ncols; i++)
				if (cols[i] == col && nv < MAXV) {
					for (j = 0; j < nv && strcmp(vals[j], v); j++)
						;
					if (j == nv)
						vals[nv] = v, counts[nv++] = 0;
					counts[j]++;
				}
			col++;
			p = comma ? comma + 1 : NULL;
		}
	}
	for (j = 0; j < nv; j++) {
		if (counts[j] >= below || strlen(vals[j]) < 3)
			continue;
		checked++;
		for (i = 0; i < ntexts; i++)
			if (strstr(texts[i], vals[j])) {
				fprintf(stderr, "\nan identifier value leaked into output %d\n", i);
				CU_FAIL("identifier value in scan output");
			}
	}
	free(copy);
	return checked;
}

/* below: values occurring fewer times than this must not show (5: the
 * rare ones; a huge number: every value). */
static void privacy_file(char *f, const char *name, int cp932, const int *cols, int ncols, int min_checked,
			 int below)
{
	char *d = tu_fmt("%s/priv-%s.xml", dir, name);
	char *a1 = tu_fmt("--force -o '%s' '%s'", d, f), *a2 = tu_fmt("--json '%s'", f);
	char *table = NULL, *json = NULL, *draft, *raw, *csv;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(scan(a1, &table, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(scan(a2, &json, NULL), 0);
	draft = tu_read_file(d, NULL);
	raw = tu_read_file(f, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(draft);
	CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
	csv = cp932 ? to_utf8(raw, n) : strdup(raw);
	{
		const char *texts[3] = {table, json, draft};
		CU_ASSERT(assert_values_absent(csv, cols, ncols, texts, 3, below) >= min_checked);
	}
	free(csv);
	free(raw);
	free(draft);
	free(table);
	free(json);
	free(a1);
	free(a2);
	free(d);
	free(f);
}

static void privacy_case(const char *name, int cp932, const int *cols, int ncols, int min_checked)
{
	privacy_file(sample(name), name, cp932, cols, ncols, min_checked, 5);
}

static void test_scan__no_identifier_or_rare_value_is_printed(void)
{
	/* vendor_a: 保険者番号 記号 番号 枝番 氏名カナ 生年月日 */
	static const int a[] = {0, 1, 2, 3, 4, 5};
	/* vendor_b: カナ氏名 漢字氏名 生年月日 保険者番号 記号 番号 枝番 社員番号 */
	static const int b[] = {2, 3, 5, 6, 7, 8, 9, 10};
	privacy_case("vendor_a.csv", 0, a, 6, 38);
	privacy_case("vendor_b.csv", 1, b, 8, 58);
}

/* Issue #18: a monthly attendance export repeats each employee's
 * identifiers twelve times, so "shown only when it occurs 5 times" shows
 * them all.  None of its identifier columns may show a single value:
 * 社員番号 and 氏名 (by name), スタッフNo (digit strings of an
 * identifier's length), 個人コード (one value per person), ｼﾒｲ (by name,
 * half width), 誕生日付 (dates over decades). */
static void test_scan__repeated_identifiers_of_a_monthly_file_never_show(void)
{
	static const int cols[] = {0, 1, 2, 3, 4, 5};
	char *f = tu_fmt("%s/tests/data/scan/attendance_monthly.csv", tu_srcdir());
	privacy_file(f, "attendance_monthly.csv", 0, cols, 6, 48, 1 << 30);
}

/* ------------------------------------------------------------------ */
/* Draft -> check -> fill -> run, compared with the hand-written maps  */
/* ------------------------------------------------------------------ */

/* Line number (1-based) of the first line of `text` containing `needle`. */
static int line_of(const char *text, const char *needle)
{
	const char *hit = strstr(text, needle), *p;
	int line = 1;
	if (!hit)
		return 0;
	for (p = text; p < hit; p++)
		line += *p == '\n';
	return line;
}

static void test_scan__check_lists_each_todo_with_file_line(void)
{
	char *f = sample("vendor_b.csv"), *d = tu_fmt("%s/todo-b.xml", dir);
	char *args = tu_fmt("--force -o '%s' '%s'", d, f), *draft, *err = NULL, *c, *want;
	CU_ASSERT_EQUAL_FATAL(scan(args, NULL, NULL), 0);
	draft = tu_read_file(d, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(draft);
	c = tu_fmt("check '%s'", d);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, NULL, &err), 3);
	want = tu_fmt("%s:%d: column \"記号\" is still unmapped (TODO)\n", d,
		      line_of(draft, "column=\"記号\" todo="));
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, want));
	free(want);
	want = tu_fmt("%s:%d: column \"番号\" is still unmapped (TODO)\n", d,
		      line_of(draft, "column=\"番号\" required=\"true\" todo="));
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, want));
	free(want);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "2 TODOs left"));
	CU_ASSERT_PTR_NULL(err && strstr(err, "枝番")); /* a certain match is no TODO */
	free(err);
	free(c);
	free(draft);
	free(args);
	free(d);
	f = (free(f), sample("vendor_a.csv"));
	d = tu_fmt("%s/todo-a.xml", dir);
	args = tu_fmt("--force -o '%s' '%s'", d, f);
	CU_ASSERT_EQUAL_FATAL(scan(args, NULL, NULL), 0);
	draft = tu_read_file(d, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(draft);
	err = NULL;
	c = tu_fmt("check '%s'", d);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, NULL, &err), 3);
	want = tu_fmt("%s:%d: column \"中性脂肪\" is still unmapped (TODO)\n", d,
		      line_of(draft, "<todo column=\"中性脂肪\" suggest=\"tg_fasting tg_casual\"/>"));
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, want));
	free(want);
	free(err);
	free(c);
	free(draft);
	free(args);
	free(d);
	free(f);
}

/* Apply a fill file (tests/data/scan/NAME) to the draft text. */
static char *fill_draft(const char *draft, const char *fill_name)
{
	char *fp = tu_fmt("%s/tests/data/scan/%s", tu_srcdir(), fill_name), *fill = tu_read_file(fp, NULL);
	char *cols[32], *edits[32], *adds[8], *save = NULL, *ln, *copy, *out;
	int nf = 0, na = 0, used[32] = {0}, i;
	size_t cap, len = 0;
	free(fp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fill);
	for (ln = strtok_r(fill, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(ln, '\t');
		if (ln[0] == '#' || !tab)
			continue;
		*tab = '\0';
		if (!strcmp(ln, "+") && na < 8)
			adds[na++] = tab + 1;
		else if (nf < 32)
			cols[nf] = ln, edits[nf++] = tab + 1;
	}
	cap = strlen(draft) + 4096;
	out = calloc(1, cap);
	copy = strdup(draft);
	save = NULL;
	for (ln = strtok_r(copy, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		int hit = -1;
		if (strstr(ln, "<unmapped "))
			for (i = 0; i < na; i++)
				len += (size_t)snprintf(out + len, cap - len, "  %s\n", adds[i]);
		for (i = 0; i < nf && !strstr(ln, "<!--"); i++) {
			char *attr = tu_fmt("column=\"%s\"", cols[i]);
			if (strstr(ln, attr))
				hit = i;
			free(attr);
		}
		if (hit < 0) {
			len += (size_t)snprintf(out + len, cap - len, "%s\n", ln);
		} else if (!strcmp(edits[hit], "confirm")) {
			char *t = strstr(ln, " todo=\""), *end = t ? strchr(t + 7, '"') : NULL;
			CU_ASSERT_PTR_NOT_NULL(end);
			if (end)
				memmove(t, end + 1, strlen(end + 1) + 1);
			len += (size_t)snprintf(out + len, cap - len, "%s\n", ln);
			used[hit]++;
		} else {
			len += (size_t)snprintf(out + len, cap - len, "  %s\n", edits[hit]);
			used[hit]++;
		}
	}
	for (i = 0; i < nf; i++)
		CU_ASSERT_EQUAL(used[i], 1); /* every edit applied exactly once */
	free(copy);
	free(fill);
	return out;
}

/* The sample job, as it is today, with our inputs and warehouse: the
 * format may grow (agreement files, roles) and this keeps up with it. */
static char *job_from_sample(const char *name, const char *map_a, const char *map_b,
			     const char *db)
{
	char *jp = sample("sample-job.xml"), *src = tu_read_file(jp, NULL), *save = NULL, *ln;
	char *sdir = sample(""), *out, *copy;
	size_t cap, len = 0;
	int in_link = 0;
	free(jp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	cap = strlen(src) + 8192;
	out = calloc(1, cap);
	copy = strdup(src);
	for (ln = strtok_r(copy, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		char *q;
		if (strstr(ln, "<link>") || strstr(ln, "<link "))
			in_link = 1;
		if (in_link) {
			in_link = !strstr(ln, "</link>");
			continue;
		}
		if (strstr(ln, "<input "))
			continue;
		if (strstr(ln, "<output ")) {
			len += (size_t)snprintf(out + len, cap - len,
						"  <input mapping=\"%s\" path=\"%svendor_a.csv\"/>\n"
						"  <input mapping=\"%s\" path=\"%svendor_b.csv\"/>\n",
						map_a, sdir, map_b, sdir);
		}
		if (strstr(ln, "<key ")) {
			len += (size_t)snprintf(out + len, cap - len, "  <key file=\"%s/test.key\"/>\n", dir);
			continue;
		}
		if (strstr(ln, "name=\"path\"")) {
			len += (size_t)snprintf(out + len, cap - len, "    <set name=\"path\" value=\"%s\"/>\n", db);
			continue;
		}
		/* logs go to our scratch directory, one per job */
		if ((q = strstr(ln, " log=\""))) {
			char *end = strchr(q + 6, '"');
			if (end) {
				len += (size_t)snprintf(out + len, cap - len, "%.*s log=\"%s/%s.log\"%s\n",
							(int)(q - ln), ln, dir, name, end + 1);
				continue;
			}
		}
		/* other relative file references resolve against samples/ */
		if ((q = strstr(ln, " file=\"")) && q[7] != '/') {
			len += (size_t)snprintf(out + len, cap - len, "%.*s file=\"%s%s\n", (int)(q - ln), ln,
						sdir, q + 7);
			continue;
		}
		len += (size_t)snprintf(out + len, cap - len, "%s\n", ln);
	}
	free(copy);
	free(src);
	free(sdir);
	return out;
}

static int run_job(const char *name, const char *map_a, const char *map_b, char **db)
{
	char *job = tu_fmt("%s/%s.xml", dir, name), *body, *c, *out = NULL, *err = NULL;
	int rc;
	*db = tu_fmt("%s/%s.db", dir, name);
	body = job_from_sample(name, map_a, map_b, *db);
	tu_write_file(job, body, strlen(body));
	c = tu_fmt("run --unsigned-agreement '%s'", job);
	rc = tu_colink_run(NULL, c, &out, &err);
	if (rc == 3 && err && strstr(err, "is still unmapped (TODO)"))
		rc = 103; /* refused for its TODOs, as a draft must be */
	else if (rc != 1)
		fprintf(stderr, "\n%s: rc %d\n%s\n%s\n%s\n", name, rc, body, out, err);
	free(c);
	free(out);
	free(err);
	free(body);
	free(job);
	return rc;
}

/* Rows of `sel` in one warehouse that the other lacks, both ways. */
static long differing(sqlite3 *h, const char *sel_main, const char *sel_b)
{
	char *sql = tu_fmt("SELECT (SELECT count(*) FROM (%s EXCEPT %s)) + "
			   "(SELECT count(*) FROM (%s EXCEPT %s))", sel_main, sel_b, sel_b, sel_main);
	sqlite3_stmt *st = NULL;
	long n = -1;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		fprintf(stderr, "\nSQL error: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(st);
	free(sql);
	return n;
}

/* `from` is "T x" or "T x JOIN U y USING (...)", with any number of JOINs;
 * the same query runs against the attached warehouse b (every table
 * qualified with b.). */
static void compare_table(sqlite3 *h, const char *db1, const char *db2, const char *cols,
			  const char *from, long min_rows)
{
	const char *join, *rest;
	char *a = tu_fmt("SELECT %s FROM %s", cols, from), *b = tu_fmt("SELECT %s FROM b.", cols), *cnt;
	for (rest = from; (join = strstr(rest, " JOIN ")); rest = join + 6) {
		char *nb = tu_fmt("%s%.*s JOIN b.", b, (int)(join - rest), rest);
		free(b);
		b = nb;
	}
	cnt = tu_fmt("%s%s", b, rest);
	free(b);
	b = cnt;
	CU_ASSERT_EQUAL(differing(h, a, b), 0);
	cnt = tu_fmt("SELECT count(*) FROM %s", from);
	CU_ASSERT(tu_sql_long(db1, cnt) >= min_rows);
	CU_ASSERT_EQUAL(tu_sql_long(db1, cnt), tu_sql_long(db2, cnt));
	free(cnt);
	free(a);
	free(b);
}

static void test_scan__filled_drafts_load_like_the_hand_written_mappings(void)
{
	const char *names[2] = {"vendor_a", "vendor_b"};
	char *raw[2], *filled[2], *hand_a, *hand_b, *db_hand = NULL, *db_draft = NULL, *attach;
	sqlite3 *h = NULL;
	int i;
	for (i = 0; i < 2; i++) {
		char *csv = tu_fmt("%s/samples/%s.csv", tu_srcdir(), names[i]);
		char *d = tu_fmt("%s/fill-%s.xml", dir, names[i]), *args = tu_fmt("--force -o '%s' '%s'", d, csv);
		char *draft, *fill_name = tu_fmt("%s.fill", names[i]), *text, *c, *out = NULL, *err = NULL;
		CU_ASSERT_EQUAL_FATAL(scan(args, NULL, NULL), 0);
		draft = tu_read_file(d, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(draft);
		raw[i] = strdup(d);
		text = fill_draft(draft, fill_name);
		filled[i] = tu_fmt("%s/filled-%s.xml", dir, names[i]);
		tu_write_file(filled[i], text, strlen(text));
		/* filled in: the draft passes check */
		c = tu_fmt("check '%s'", filled[i]);
		CU_ASSERT_EQUAL(tu_colink_run(NULL, c, &out, &err), 0);
		if (err && *err)
			fprintf(stderr, "\n%s\n", err);
		free(out);
		free(err);
		free(c);
		free(text);
		free(fill_name);
		free(draft);
		free(args);
		free(d);
		free(csv);
	}
	hand_a = tu_fmt("%s/mappings/vendors/vendor_a.xml", tu_srcdir());
	hand_b = tu_fmt("%s/mappings/vendors/vendor_b.xml", tu_srcdir());
	/* a draft with TODOs left never runs */
	CU_ASSERT_EQUAL(run_job("raw", raw[0], raw[1], &db_hand), 103);
	free(db_hand);
	CU_ASSERT_EQUAL_FATAL(run_job("hand", hand_a, hand_b, &db_hand), 1);
	CU_ASSERT_EQUAL_FATAL(run_job("draft", filled[0], filled[1], &db_draft), 1);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_hand, &h), SQLITE_OK);
	attach = tu_fmt("ATTACH '%s' AS b", db_draft);
	CU_ASSERT_EQUAL_FATAL(sqlite3_exec(h, attach, NULL, NULL, NULL), SQLITE_OK);
	compare_table(h, db_hand, db_draft, "person_id, key_id, sex, birth_ym, side", "person", 15);
	compare_table(h, db_hand, db_draft, "p.person_id, k.kind, k.pseudonym, k.key_id",
		      "person_key k JOIN person p USING (person_no)", 30);
	compare_table(h, db_hand, db_draft,
		      "p.person_id, exam_date, fiscal_year, age_at_exam, age_fy_end, program_type, exam_org, "
		      "height, weight, bmi, waist, sbp_1, sbp_2, sbp_other, dbp_1, dbp_2, dbp_other, "
		      "blood_draw_timing, tg_fasting, tg_casual, hdl, ldl, non_hdl, ast, alt, ggt, fpg, "
		      "casual_glucose, hba1c, urine_glucose, urine_protein, creatinine, egfr, hemoglobin, "
		      "input_no, record_no, line_no", "checkup c JOIN person p USING (person_no)", 19);
	compare_table(h, db_hand, db_draft,
		      "p.person_id, c.exam_date, o.item_code, o.field, o.value_type, o.value_text, o.value_num, "
		      "o.code_system, o.unit, o.null_reason, o.flag, o.raw, o.source_column",
		      "observation o JOIN checkup c USING (checkup_id) JOIN person p USING (person_no)", 5);
	compare_table(h, db_hand, db_draft,
		      "p.person_id, c.exam_date, q.item_code, q.field, q.answer, q.code_system, q.null_reason, "
		      "q.raw, q.source_column",
		      "questionnaire q JOIN checkup c USING (checkup_id) JOIN person p USING (person_no)", 70);
	compare_table(h, db_hand, db_draft, "input_no, record_no, line_no, source_column, reason", "reject", 3);
	sqlite3_close(h);
	free(attach);
	free(db_hand);
	free(db_draft);
	free(hand_a);
	free(hand_b);
	free(filled[0]);
	free(filled[1]);
	free(raw[0]);
	free(raw[1]);
}

/* ------------------------------------------------------------------ */
/* In process: every allocation may fail, cleanly                       */
/* ------------------------------------------------------------------ */

/* Profile, suggest and draft once over a loaded catalogue and vocabulary. */
static int scan_once(const struct colink_catalog *cat, const struct colink_scan_vocab *v,
		     const char *csv, FILE *sink)
{
	struct colink_error err = {0};
	struct colink_scan *s = NULL;
	struct colink_scan_opts o = {0};
	int rc;
	o.nullwords = colink_scan_vocab_nullwords(v, &o.nnullwords);
	rc = colink_scan_file(&s, csv, &o, &err);
	if (!rc)
		rc = colink_scan_suggest(s, v, cat, &err);
	if (!rc)
		rc = colink_scan_write_draft(s, v, "oom", sink);
	if (rc && rc != COLINK_ENOMEM)
		fprintf(stderr, "\nunexpected: %s\n", err.msg);
	colink_scan_free(s);
	return rc;
}

static void test_scan__out_of_memory_anywhere_fails_cleanly(void)
{
	char *data_dir = tu_fmt("%s/mappings", tu_srcdir()), *csv = sample("vendor_b.csv");
	struct colink_error err = {0};
	struct colink_catalog *cat = NULL;
	struct colink_variant_table *vt = NULL;
	struct colink_scan_vocab *v = NULL;
	FILE *sink = fopen("/dev/null", "w");
	long i, ok_at = -1;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sink);
	CU_ASSERT_EQUAL_FATAL(colink_env_load(&cat, &vt, data_dir, &err), COLINK_OK);
	/* the vocabulary: every allocation up to 300, then every 37th */
	for (i = 0; ok_at < 0; i += i < 300 ? 1 : 37) {
		int rc;
		colink_alloc_fail_after(i);
		rc = colink_scan_vocab_load(&v, data_dir, cat, &err);
		colink_alloc_fail_after(-1);
		if (rc == COLINK_OK)
			ok_at = i;
		else
			CU_ASSERT_EQUAL_FATAL(rc, COLINK_ENOMEM);
	}
	CU_ASSERT(ok_at > 300);
	/* profile, suggestions and draft: every allocation */
	for (i = 0, ok_at = -1; ok_at < 0 && i < 100000; i++) {
		int rc;
		colink_alloc_fail_after(i);
		rc = scan_once(cat, v, csv, sink);
		colink_alloc_fail_after(-1);
		if (rc == COLINK_OK)
			ok_at = i;
		else
			CU_ASSERT_EQUAL_FATAL(rc, COLINK_ENOMEM);
	}
	CU_ASSERT(ok_at > 100); /* it did need allocations, then it worked */
	colink_scan_vocab_free(v);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	fclose(sink);
	free(csv);
	free(data_dir);
}

/* Issue #24: the identifier decision by name is one function, shared by
 * scan (what it may show) and the unmapped-column check (what may never
 * be stored raw). */
static void test_scan__identifier_by_name_is_one_decision(void)
{
	static const struct {
		const char *header, *field; /* field: NULL = not an identifier */
	} cases[] = {
		{"受診券整理番号", "-"}, {"電話番号", "-"}, {"TEL", "-"}, {"住所", "-"},
		{"氏名", "name_kanji"}, {"カナ氏名", "name_kana"}, {"氏名（カナ）", "name_kana"},
		{"番号", "card_number"}, {"被保険者証番号", "card_number"}, {"生年月日", "birth_date"},
		{"備考", NULL}, {"ペプシノゲン", NULL}, {"収縮期血圧", NULL}, {"", NULL},
		/* #18: the spellings scan reads are the ones the check refuses */
		{"ｶﾅｼﾒｲ", "name_kana"}, {"社員ID", "employee_number"}, {"電話番号(自宅)", "-"},
		{"保険者番号(8桁)", "insurer_number"}, {"記号(被保険者証)", "card_symbol"},
		{"HDL(mg/dL)", NULL}, {"飲酒(1:毎日 2:時々 3:ほとんど飲まない)", NULL},
	};
	char *data_dir = tu_fmt("%s/mappings", tu_srcdir()), *csv = tu_fmt("%s/idword.csv", dir);
	char *args = tu_fmt("'%s'", csv), *out = NULL;
	struct colink_error err = {0};
	struct colink_catalog *cat = NULL;
	struct colink_variant_table *vt = NULL;
	struct colink_scan_vocab *v = NULL;
	const char *body = "受診日,受診券整理番号,判定\n"
			   "2024-06-10,24061000123,A\n2024-06-10,24061000123,A\n2024-06-10,24061000123,A\n"
			   "2024-06-10,24061000123,A\n2024-06-10,24061000123,A\n2024-06-10,24061000123,A\n";
	size_t i;
	CU_ASSERT_EQUAL_FATAL(colink_env_load(&cat, &vt, data_dir, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(colink_scan_vocab_load(&v, data_dir, cat, &err), COLINK_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *f = "?";
		int id = colink_scan_header_is_identifier(v, cases[i].header, &f);
		CU_ASSERT_EQUAL(id, cases[i].field != NULL);
		if (id && strcmp(cases[i].field, f ? f : "-"))
			fprintf(stderr, "\n  %s: field %s, expected %s", cases[i].header, f ? f : "-",
				cases[i].field);
		CU_ASSERT(!id || !strcmp(cases[i].field, f ? f : "-"));
	}
	/* a value repeated in every row has no identifier shape: scan hides
	 * it by its name alone */
	CU_ASSERT_EQUAL(tu_write_file(csv, body, strlen(body)), 0);
	CU_ASSERT_EQUAL(scan(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "受診券整理番号; identifier-like: no values shown"));
	CU_ASSERT_PTR_NULL(out && strstr(out, "24061000123"));
	if (!out || strstr(out, "24061000123"))
		fprintf(stderr, "\n%s", out ? out : "");
	free(out);
	free(args);
	free(csv);
	colink_scan_vocab_free(v);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	free(data_dir);
}

static const struct tu_test tests[] = {
	TU_TEST_AS("scan__vendor_a_profile", test_scan__vendor_a_profile),
	TU_TEST_AS("scan__vendor_b_profile", test_scan__vendor_b_profile),
	TU_TEST_AS("scan__bom_semicolon_and_date_formats",
		   test_scan__bom_semicolon_and_date_formats),
	TU_TEST_AS("scan__title_lines_above_the_header_are_skipped",
		   test_scan__title_lines_above_the_header_are_skipped),
	TU_TEST_AS("scan__headerless_tab_file_uses_positions",
		   test_scan__headerless_tab_file_uses_positions),
	TU_TEST_AS("scan__text_only_file_has_no_header_and_shows_no_names",
		   test_scan__text_only_file_has_no_header_and_shows_no_names),
	TU_TEST_AS("scan__rows_limit_and_no_overwrite", test_scan__rows_limit_and_no_overwrite),
	TU_TEST(test_scan__bad_byte_reported_on_its_line),
	TU_TEST_AS("scan__no_identifier_or_rare_value_is_printed",
		   test_scan__no_identifier_or_rare_value_is_printed),
	TU_TEST_AS("scan__repeated_identifiers_of_a_monthly_file_never_show",
		   test_scan__repeated_identifiers_of_a_monthly_file_never_show),
	TU_TEST_AS("scan__check_lists_each_todo_with_file_line",
		   test_scan__check_lists_each_todo_with_file_line),
	TU_TEST_AS("scan__filled_drafts_load_like_the_hand_written_mappings",
		   test_scan__filled_drafts_load_like_the_hand_written_mappings),
	TU_TEST_AS("scan__out_of_memory_anywhere_fails_cleanly",
		   test_scan__out_of_memory_anywhere_fails_cleanly),
	TU_TEST(test_scan__identifier_by_name_is_one_decision),
	TU_END
};

int main(void)
{
	if (tu_add_suite("scan", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
