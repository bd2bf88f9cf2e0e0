/* test_stress.c -- ストレスチェック scoring against mappings/rules/stress-check.tsv.
 *
 * The test keeps its own copy of the facts it checks (which items are
 * reversed, which way each 素点 term runs) so that an edit to the data file
 * that changes them shows up here as a failure, not as a silent re-scoring.
 * The 素点換算表 used below is SYNTHETIC (not the manual's): it only
 * exercises the converted method's mechanics. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "stress.h"
#include "testutil.h"

#define N COLINK_STRESS_NITEMS
#define IA(k) ((k) - 1)       /* a01..a17 */
#define IB(k) (17 + (k) - 1)  /* b01..b29 */
#define IC(k) (46 + (k) - 1)  /* c01..c09 */

static struct colink_stress_rules *rules;
static char *shipped; /* text of the shipped stress-check.tsv */

static int setup(void)
{
	struct colink_error err = {0};
	char *dir = tu_fmt("%s/mappings", tu_srcdir());
	char *path = tu_fmt("%s/rules/stress-check.tsv", dir);
	int rc = colink_stress_rules_load(&rules, dir, &err);
	if (rc)
		fprintf(stderr, "stress rules: %s\n", err.msg);
	shipped = tu_read_file(path, NULL);
	free(dir);
	free(path);
	return rc || !shipped;
}

static int teardown(void)
{
	colink_stress_rules_free(rules);
	free(shipped);
	return 0;
}

/* ---- answers by 合計点数 term (1..4, higher = more stress) ---- */

/* Reversed for the total method per the manual: A1-7, A11-13, A15, B1-3. */
static int total_reversed(int i)
{
	static const int rev[] = {IA(1), IA(2), IA(3), IA(4), IA(5), IA(6), IA(7), IA(11),
				  IA(12), IA(13), IA(15), IB(1), IB(2), IB(3)};
	size_t k;
	for (k = 0; k < sizeof(rev) / sizeof(rev[0]); k++)
		if (rev[k] == i)
			return 1;
	return 0;
}

/* Fill items [first, first+n) so that their total terms sum to `sum`. */
static void fill_total(int *ans, int first, int n, int sum)
{
	int i, left = sum - n;
	CU_ASSERT_FATAL(left >= 0 && left <= 3 * n);
	for (i = first; i < first + n; i++) {
		int t = 1 + (left > 3 ? 3 : left);
		left -= t - 1;
		ans[i] = total_reversed(i) ? 5 - t : t;
	}
}

/* A, B, C set to the given totals; D answered 2. */
static void make_total(int *ans, int a, int b, int c)
{
	fill_total(ans, IA(1), 17, a);
	fill_total(ans, IB(1), 29, b);
	fill_total(ans, IC(1), 9, c);
	ans[55] = ans[56] = 2;
}

static int score_total(int a, int b, int c, struct colink_stress_result *res, char *why)
{
	int ans[N];
	make_total(ans, a, b, c);
	return colink_stress_score(rules, ans, 0, COLINK_STRESS_TOTAL, res, why, 256);
}

static void test_stress__b_77_is_high_and_76_is_not(void)
{
	struct colink_stress_result res;
	char why[256];
	CU_ASSERT_EQUAL(score_total(17, 77, 9, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_b, 77);
	CU_ASSERT_EQUAL(res.high, 1);
	CU_ASSERT_STRING_EQUAL(why, "high stress: B >= 77 (total_b_min)");
	CU_ASSERT_EQUAL(score_total(17, 76, 9, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_b, 76);
	CU_ASSERT_EQUAL(res.high, 0);
	CU_ASSERT_STRING_EQUAL(why, "not high stress (total method)");
}

static void test_stress__ac_76_with_b_63_is_high(void)
{
	struct colink_stress_result res;
	char why[256];
	CU_ASSERT_EQUAL(score_total(50, 63, 26, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_a + res.score_c, 76);
	CU_ASSERT_EQUAL(res.high, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "A+C >= 76 and B >= 63"));
	/* the same at the top of the range: A and C maximal */
	CU_ASSERT_EQUAL(score_total(68, 63, 36, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.high, 1);
}

static void test_stress__ac_75_with_b_63_is_not_high(void)
{
	struct colink_stress_result res;
	char why[256];
	CU_ASSERT_EQUAL(score_total(50, 63, 25, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_a + res.score_c, 75);
	CU_ASSERT_EQUAL(res.high, 0);
}

static void test_stress__ac_76_with_b_62_is_not_high(void)
{
	struct colink_stress_result res;
	char why[256];
	CU_ASSERT_EQUAL(score_total(50, 62, 26, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_a + res.score_c, 76);
	CU_ASSERT_EQUAL(res.score_b, 62);
	CU_ASSERT_EQUAL(res.high, 0);
	CU_ASSERT_EQUAL(score_total(68, 62, 36, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.high, 0);
}

static void test_stress__reversal_applied(void)
{
	struct colink_stress_result res;
	int ans[N], i;
	for (i = 0; i < N; i++)
		ans[i] = 1;
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 0, COLINK_STRESS_TOTAL, &res, NULL, 0), COLINK_OK);
	/* A: 11 reversed items 4 each + 6 as answered = 50; B: 3 x 4 + 26 = 38 */
	CU_ASSERT_EQUAL(res.score_a, 50);
	CU_ASSERT_EQUAL(res.score_b, 38);
	CU_ASSERT_EQUAL(res.score_c, 9);
	CU_ASSERT_EQUAL(res.high, 0);
	for (i = 0; i < N; i++)
		ans[i] = 4;
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 0, COLINK_STRESS_TOTAL, &res, NULL, 0), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_a, 35);
	CU_ASSERT_EQUAL(res.score_b, 107);
	CU_ASSERT_EQUAL(res.score_c, 36);
	CU_ASSERT_EQUAL(res.high, 1);
	/* a14 (職場の雰囲気は友好的) is taken as answered: 4 -> 1 lowers A by 3 */
	ans[IA(14)] = 1;
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 0, COLINK_STRESS_TOTAL, &res, NULL, 0), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_a, 32);
	/* a15 (作業環境はよくない) is reversed: 4 -> 1 raises A by 3 */
	ans[IA(14)] = 4;
	ans[IA(15)] = 1;
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 0, COLINK_STRESS_TOTAL, &res, NULL, 0), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_a, 38);
}

static void test_stress__missing_answer_rejected_naming_item(void)
{
	struct colink_stress_result res;
	char why[256];
	int ans[N];
	make_total(ans, 40, 70, 20);
	ans[IB(4)] = 0;
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 1, COLINK_STRESS_TOTAL, &res, why, sizeof(why)),
			COLINK_EREJECT);
	CU_ASSERT_STRING_EQUAL(why, "item b04 has no answer");
	make_total(ans, 40, 70, 20);
	ans[IA(6)] = 7;
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 1, COLINK_STRESS_TOTAL, &res, why, sizeof(why)),
			COLINK_EREJECT);
	CU_ASSERT_STRING_EQUAL(why, "item a06: answer out of range 1..4");
	CU_ASSERT_PTR_NULL(strchr(why, '7'));
	/* D is not used for the decision: unanswered D is scored */
	make_total(ans, 40, 70, 20);
	ans[55] = ans[56] = 0;
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 1, COLINK_STRESS_TOTAL, &res, why, sizeof(why)),
			COLINK_OK);
	CU_ASSERT_EQUAL(res.score_b, 70);
	/* a bad method is the caller's error, not the record's */
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 1, 9, &res, why, sizeof(why)), COLINK_EINVAL);
}

static void test_stress__converted_refused_without_table(void)
{
	struct colink_stress_result res;
	char why[256];
	int ans[N];
	CU_ASSERT_EQUAL(colink_stress_rules_has_conversion(rules), 0);
	make_total(ans, 40, 70, 20);
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 1, COLINK_STRESS_CONVERTED, &res, why, sizeof(why)),
			COLINK_EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "converted-score method needs rules/stress-conversion.tsv");
}

/* ---- temporary mappings dirs ---- */

/* A mappings dir with rules/stress-check.tsv = `check` and, if non-NULL,
 * rules/stress-conversion.tsv = `conv`.  Caller tu_rmtree's and frees. */
static char *make_dir(const char *check, const char *conv)
{
	char *dir = tu_mkdtemp("stress"), *rdir, *p;
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	rdir = tu_fmt("%s/rules", dir);
	CU_ASSERT_EQUAL(mkdir(rdir, 0700), 0);
	p = tu_fmt("%s/stress-check.tsv", rdir);
	CU_ASSERT_EQUAL(tu_write_file(p, check, strlen(check)), 0);
	free(p);
	if (conv) {
		p = tu_fmt("%s/stress-conversion.tsv", rdir);
		CU_ASSERT_EQUAL(tu_write_file(p, conv, strlen(conv)), 0);
		free(p);
	}
	free(rdir);
	return dir;
}

/* `text` with the first `from` replaced by `to` (malloc'd). */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	return tu_fmt("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

/* 1-based line on which `needle` starts in `text`. */
static int line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle), *p;
	int line = 1;
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	for (p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* Load `check`/`conv`; expect rc and a message containing `want`. */
static void expect_load(const char *check, const char *conv, int rc, const char *want)
{
	struct colink_error err = {0};
	struct colink_stress_rules *r = (void *)1;
	char *dir = make_dir(check, conv);
	CU_ASSERT_EQUAL(colink_stress_rules_load(&r, dir, &err), rc);
	if (want && !strstr(err.msg, want))
		fprintf(stderr, "\n  want '%s'\n  got  '%s'\n", want, err.msg);
	CU_ASSERT(!want || strstr(err.msg, want) != NULL);
	if (rc)
		CU_ASSERT_PTR_NULL(r);
	colink_stress_rules_free(rc ? NULL : r);
	tu_rmtree(dir);
	free(dir);
}

/* The shipped line that starts with `prefix`, newline included (malloc'd). */
static char *shipped_line(const char *prefix)
{
	const char *at = strstr(shipped, prefix), *nl;
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	nl = strchr(at, '\n');
	return tu_fmt("%.*s", (int)(nl ? nl - at + 1 : (long)strlen(at)), at);
}

static int count_lines(const char *text)
{
	int n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* Replace `from` in the shipped file, expect EINVAL naming the file and the
 * line on which `from` stood, followed by `msg`. */
static void expect_edit_error(const char *from, const char *to, const char *msg)
{
	char *text = replace(shipped, from, to);
	char *want = tu_fmt("stress-check.tsv:%d: %s", line_of(shipped, from), msg);
	expect_load(text, NULL, COLINK_EINVAL, want);
	free(text);
	free(want);
}

static void test_stress__bad_rows_name_file_and_line(void)
{
	expect_edit_error("item\ta05\tA\t心理的な仕事の負担(質)\t5-x", "item\ta05\tA\t心理的な仕事の負担(質)\t4-x",
			  "item a05: terms must be 'x' or '5-x'");
	expect_edit_error("item\tb01\tB", "item\tb01\tA", "item b01 must have scale B");
	expect_edit_error("item\td01\tD\t仕事や生活の満足度\t-", "item\td01\tD\t仕事や生活の満足度\tx",
			  "item d01: terms must be");
	expect_edit_error("item\tc01\tC\t上司からのサポート", "item\tc01\tC\t活気",
			  "subscale '活気' is scale B at line");
	expect_edit_error("item\ta17", "item\ta18", "unknown item id 'a18'");
	expect_edit_error("threshold\ttotal_ac_min\t76", "threshold\ttotal_ac_min\tseventy",
			  "threshold 'total_ac_min' is not an integer");
	expect_edit_error("threshold\ttotal_b_min", "threshold\ttotal_b_max", "unknown threshold 'total_b_max'");
	expect_edit_error("threshold\tconverted_b_max", "limit\tconverted_b_max", "unknown row kind 'limit'");
}

static void test_stress__duplicates_and_gaps_are_refused(void)
{
	char *dup = tu_fmt("%sitem\ta05\tA\t心理的な仕事の負担(質)\t5-x\t5-x\tdup\n", shipped);
	char *want = tu_fmt("stress-check.tsv:%d: item a05 already defined at line %d",
			    count_lines(shipped) + 1, line_of(shipped, "item\ta05"));
	char *c09 = shipped_line("item\tc09"), *thr = shipped_line("threshold\tconverted_ac_b_max");
	char *no_c09 = replace(shipped, c09, ""), *no_thr = replace(shipped, thr, "");
	char *dir = tu_mkdtemp("stress-empty");
	struct colink_stress_rules *r = NULL;
	struct colink_error err = {0};

	expect_load(dup, NULL, COLINK_EINVAL, want);
	expect_load(no_c09, NULL, COLINK_EINVAL, "stress-check.tsv: item c09 is missing");
	expect_load(no_thr, NULL, COLINK_EINVAL, "stress-check.tsv: threshold 'converted_ac_b_max' is missing");
	CU_ASSERT_EQUAL(colink_stress_rules_load(&r, dir, &err), COLINK_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "rules/stress-check.tsv: cannot open"));
	CU_ASSERT_PTR_NULL(r);
	tu_rmtree(dir);
	free(dir);
	free(dup);
	free(want);
	free(c09);
	free(thr);
	free(no_c09);
	free(no_thr);
}

static void test_stress__thresholds_are_data(void)
{
	char *text = replace(shipped, "threshold\ttotal_b_min\t77", "threshold\ttotal_b_min\t80");
	char *dir = make_dir(text, NULL), why[256];
	struct colink_stress_rules *r = NULL;
	struct colink_stress_result res;
	struct colink_error err = {0};
	int ans[N];
	CU_ASSERT_EQUAL_FATAL(colink_stress_rules_load(&r, dir, &err), COLINK_OK);
	make_total(ans, 17, 79, 9);
	CU_ASSERT_EQUAL(colink_stress_score(r, ans, 0, COLINK_STRESS_TOTAL, &res, why, sizeof(why)), COLINK_OK);
	CU_ASSERT_EQUAL(res.high, 0);
	make_total(ans, 17, 80, 9);
	CU_ASSERT_EQUAL(colink_stress_score(r, ans, 0, COLINK_STRESS_TOTAL, &res, why, sizeof(why)), COLINK_OK);
	CU_ASSERT_EQUAL(res.high, 1);
	CU_ASSERT_STRING_EQUAL(why, "high stress: B >= 80 (total_b_min)");
	colink_stress_rules_free(r);
	tu_rmtree(dir);
	free(dir);
	free(text);
}

/* ---- the converted method with a SYNTHETIC 素点換算表 ---- */

static const struct {
	const char *name;
	int n;
} subs[] = {
	{"心理的な仕事の負担(量)", 3}, {"心理的な仕事の負担(質)", 3}, {"自覚的な身体的負担度", 1},
	{"仕事のコントロール度", 3}, {"技能の活用度", 1}, {"職場の対人関係でのストレス", 3},
	{"職場環境によるストレス", 1}, {"仕事の適性度", 1}, {"働きがい", 1},
	{"活気", 3}, {"イライラ感", 3}, {"疲労感", 3}, {"不安感", 3}, {"抑うつ感", 6}, {"身体愁訴", 11},
	{"上司からのサポート", 3}, {"同僚からのサポート", 3}, {"家族・友人からのサポート", 3}};

/* Synthetic table: sex 1 評価点 = 1 + min(4, 素点 - n) (one row per 素点),
 * sex 2 評価点 = 5 throughout (one band).  The row for (skip, skip_v, sex 1)
 * is left out; `extra` is appended.  Caller frees. */
static char *conv_text(const char *skip, int skip_v, const char *extra)
{
	char *buf = NULL;
	size_t len = 0;
	size_t i;
	int v;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("# SYNTHETIC test table, not the manual's 素点換算表\n", f);
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		for (v = subs[i].n; v <= 4 * subs[i].n; v++)
			if (!skip || strcmp(skip, subs[i].name) || v != skip_v)
				fprintf(f, "%s\t1\t%d\t%d\t%d\n", subs[i].name, v, v,
					1 + (v - subs[i].n > 4 ? 4 : v - subs[i].n));
		fprintf(f, "%s\t2\t%d\t%d\t5\n", subs[i].name, subs[i].n, 4 * subs[i].n);
	}
	fputs(extra ? extra : "", f);
	fclose(f);
	return buf;
}

/* Which way each 素点 term runs: 5-x for A (but a11, a14) and C, x for B. */
static int raw_reversed(int i)
{
	if (i == IA(11) || i == IA(14))
		return 0;
	return i < IB(1) || i >= IC(1);
}

/* Every A/B/C item at the low end of its 素点 (評価点 1 each: A 9, B 6,
 * C 3), then the listed (item, steps up) pairs; D answered 2. */
static void conv_answers(int *ans, const int (*up)[2], size_t nup)
{
	size_t k;
	int i;
	for (i = 0; i < IC(10); i++)
		ans[i] = raw_reversed(i) ? 4 : 1;
	ans[55] = ans[56] = 2;
	for (k = 0; k < nup; k++)
		ans[up[k][0]] += raw_reversed(up[k][0]) ? -up[k][1] : up[k][1];
}

static struct colink_stress_rules *load_conv(char **dir)
{
	struct colink_stress_rules *r = NULL;
	struct colink_error err = {0};
	char *conv = conv_text(NULL, 0, NULL);
	*dir = make_dir(shipped, conv);
	if (colink_stress_rules_load(&r, *dir, &err))
		fprintf(stderr, "conversion: %s\n", err.msg);
	free(conv);
	return r;
}

#define CONV(r, up, sex, res, why) \
	(conv_answers(ans, up, sizeof(up) / sizeof(up[0])), \
	 colink_stress_score(r, ans, sex, COLINK_STRESS_CONVERTED, res, why, sizeof(why)))

static void test_stress__converted_b_12_is_high_and_13_is_not(void)
{
	/* B: 活気 4 + イライラ感 4 + 4 x 1 = 12; A: 量 4 + 8 = 12; C: 3 x 5 = 15 */
	static const int b12[][2] = {{IB(1), 3}, {IB(4), 3}, {IC(1), 3}, {IC(4), 1}, {IC(2), 3},
				     {IC(5), 1}, {IC(3), 3}, {IC(6), 1}, {IA(1), 3}};
	static const int b13[][2] = {{IB(1), 3}, {IB(4), 3}, {IB(7), 1}, {IC(1), 3}, {IC(4), 1},
				     {IC(2), 3}, {IC(5), 1}, {IC(3), 3}, {IC(6), 1}, {IA(1), 3}};
	struct colink_stress_result res;
	char *dir, why[256];
	int ans[N];
	struct colink_stress_rules *r = load_conv(&dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(colink_stress_rules_has_conversion(r), 1);
	CU_ASSERT_EQUAL(CONV(r, b12, 1, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_b, 12);
	CU_ASSERT_EQUAL(res.score_a, 12);
	CU_ASSERT_EQUAL(res.score_c, 15);
	CU_ASSERT_EQUAL(res.high, 1);
	CU_ASSERT_STRING_EQUAL(why, "high stress: B <= 12 (converted_b_max)");
	CU_ASSERT_EQUAL(CONV(r, b13, 1, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_b, 13);
	CU_ASSERT_EQUAL(res.score_a + res.score_c, 27);
	CU_ASSERT_EQUAL(res.high, 0);
	/* the sex-2 table of the fixture gives 5 everywhere */
	CU_ASSERT_EQUAL(CONV(r, b12, 2, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_b, 30);
	CU_ASSERT_EQUAL(res.score_a + res.score_c, 60);
	CU_ASSERT_EQUAL(res.high, 0);
	CU_ASSERT_EQUAL(CONV(r, b12, 0, &res, why), COLINK_EREJECT);
	CU_ASSERT_STRING_EQUAL(why, "sex unknown: the converted method has sex-specific tables");
	colink_stress_rules_free(r);
	tu_rmtree(dir);
	free(dir);
}

static void test_stress__converted_ac_26_with_b_17(void)
{
	/* B: 4 + 4 + 4 + 不安感 3 + 1 + 1 = 17; A: 量 3 + 8 = 11; C 15: A+C 26 */
	static const int hi[][2] = {{IB(1), 3}, {IB(4), 3}, {IB(7), 3}, {IB(10), 2}, {IC(1), 3}, {IC(4), 1},
				    {IC(2), 3}, {IC(5), 1}, {IC(3), 3}, {IC(6), 1}, {IA(1), 2}};
	static const int b18[][2] = {{IB(1), 3}, {IB(4), 3}, {IB(7), 3}, {IB(10), 3}, {IC(1), 3}, {IC(4), 1},
				     {IC(2), 3}, {IC(5), 1}, {IC(3), 3}, {IC(6), 1}, {IA(1), 2}};
	static const int ac27[][2] = {{IB(1), 3}, {IB(4), 3}, {IB(7), 3}, {IB(10), 2}, {IC(1), 3}, {IC(4), 1},
				      {IC(2), 3}, {IC(5), 1}, {IC(3), 3}, {IC(6), 1}, {IA(1), 3}};
	struct colink_stress_result res;
	char *dir, why[256];
	int ans[N];
	struct colink_stress_rules *r = load_conv(&dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(CONV(r, hi, 1, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_b, 17);
	CU_ASSERT_EQUAL(res.score_a + res.score_c, 26);
	CU_ASSERT_EQUAL(res.high, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "A+C <= 26 and B <= 17"));
	CU_ASSERT_EQUAL(CONV(r, b18, 1, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_b, 18);
	CU_ASSERT_EQUAL(res.high, 0);
	CU_ASSERT_EQUAL(CONV(r, ac27, 1, &res, why), COLINK_OK);
	CU_ASSERT_EQUAL(res.score_a + res.score_c, 27);
	CU_ASSERT_EQUAL(res.score_b, 17);
	CU_ASSERT_EQUAL(res.high, 0);
	/* a missing answer is still rejected by item, before any lookup */
	conv_answers(ans, hi, sizeof(hi) / sizeof(hi[0]));
	ans[IC(9)] = 0;
	CU_ASSERT_EQUAL(colink_stress_score(r, ans, 1, COLINK_STRESS_CONVERTED, &res, why, sizeof(why)),
			COLINK_EREJECT);
	CU_ASSERT_STRING_EQUAL(why, "item c09 has no answer");
	colink_stress_rules_free(r);
	tu_rmtree(dir);
	free(dir);
}

static void expect_conv_error(const char *skip, int skip_v, const char *extra, const char *msg,
			      int at_last_line)
{
	char *conv = conv_text(skip, skip_v, extra);
	char *want = at_last_line ? tu_fmt("stress-conversion.tsv:%d: %s", count_lines(conv), msg)
				  : tu_fmt("stress-conversion.tsv: %s", msg);
	expect_load(shipped, conv, COLINK_EINVAL, want);
	free(conv);
	free(want);
}

static void test_stress__conversion_file_errors(void)
{
	expect_conv_error(NULL, 0, "活気\t1\t3\t3\t2\n", "素点 3 of '活気' sex 1 is already in another band", 1);
	expect_conv_error(NULL, 0, "活気\t3\t3\t3\t2\n", "sex must be 1 or 2", 1);
	expect_conv_error(NULL, 0, "活気\t1\t2\t2\t2\n", "raw_min..raw_max must lie in 3..12", 1);
	expect_conv_error(NULL, 0, "活気\t1\t3\t3\t6\n", "points must be 1..5", 1);
	expect_conv_error(NULL, 0, "元気\t1\t3\t3\t1\n", "'元気' is not a subscale of scale A, B or C", 1);
	expect_conv_error(NULL, 0, "仕事や生活の満足度\t1\t2\t8\t1\n", "'仕事や生活の満足度' is not a subscale of scale A, B or C", 1);
	expect_conv_error(NULL, 0, "活気\t1\n", "expected 5 tab-separated columns, found 2", 1);
	expect_conv_error("身体愁訴", 20, NULL, "subscale '身体愁訴' sex 1: 素点 20 has no band", 0);
}

/* Every allocation of a load may fail: a clean ENOMEM, no result, no leak. */
static void test_stress__load_survives_allocation_failure(void)
{
	struct colink_stress_rules *r = NULL;
	struct colink_error err = {0};
	char *conv = conv_text(NULL, 0, NULL);
	char *dir = make_dir(shipped, conv);
	long n;
	int rc = COLINK_ENOMEM;
	for (n = 0; n < 50 && rc == COLINK_ENOMEM; n++) {
		colink_alloc_fail_after(n);
		r = (void *)1;
		rc = colink_stress_rules_load(&r, dir, &err);
		colink_alloc_fail_after(-1);
		if (rc == COLINK_ENOMEM)
			CU_ASSERT_PTR_NULL(r);
	}
	CU_ASSERT(n > 1);
	CU_ASSERT_EQUAL(rc, COLINK_OK);
	CU_ASSERT_EQUAL(colink_stress_rules_has_conversion(r), 1);
	colink_stress_rules_free(rc ? NULL : r);
	tu_rmtree(dir);
	free(dir);
	free(conv);
}

int main(void)
{
	CU_pSuite s;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("stress", setup, teardown);
	CU_add_test(s, "test_stress__b_77_is_high_and_76_is_not", test_stress__b_77_is_high_and_76_is_not);
	CU_add_test(s, "test_stress__ac_76_with_b_63_is_high", test_stress__ac_76_with_b_63_is_high);
	CU_add_test(s, "test_stress__ac_75_with_b_63_is_not_high", test_stress__ac_75_with_b_63_is_not_high);
	CU_add_test(s, "test_stress__ac_76_with_b_62_is_not_high", test_stress__ac_76_with_b_62_is_not_high);
	CU_add_test(s, "test_stress__reversal_applied", test_stress__reversal_applied);
	CU_add_test(s, "test_stress__missing_answer_rejected_naming_item",
		    test_stress__missing_answer_rejected_naming_item);
	CU_add_test(s, "test_stress__converted_refused_without_table", test_stress__converted_refused_without_table);
	CU_add_test(s, "test_stress__bad_rows_name_file_and_line", test_stress__bad_rows_name_file_and_line);
	CU_add_test(s, "test_stress__duplicates_and_gaps_are_refused", test_stress__duplicates_and_gaps_are_refused);
	CU_add_test(s, "test_stress__thresholds_are_data", test_stress__thresholds_are_data);
	CU_add_test(s, "test_stress__converted_b_12_is_high_and_13_is_not",
		    test_stress__converted_b_12_is_high_and_13_is_not);
	CU_add_test(s, "test_stress__converted_ac_26_with_b_17", test_stress__converted_ac_26_with_b_17);
	CU_add_test(s, "test_stress__conversion_file_errors", test_stress__conversion_file_errors);
	CU_add_test(s, "test_stress__load_survives_allocation_failure",
		    test_stress__load_survives_allocation_failure);
	return tu_run_suites();
}
