/* test_stress.c -- ストレスチェック scoring against mappings/rules/stress-check.tsv.
 *
 * The test keeps its own copy of the facts it checks (which items are
 * reversed, which way each 素点 term runs) so that an edit to the data file
 * that changes them shows up here as a failure, not as a silent re-scoring.
 * Two 素点換算表 are used below: a SYNTHETIC one (not the manual's) that
 * exercises the converted method's mechanics, and the shipped
 * rules/stress-conversion.tsv, whose expected 評価点 are written out here by
 * hand from the sources cited in that file. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "core/stress.h"
#include "testutil.h"

#define N COLINK_STRESS_NITEMS
#define IA(k) ((k) - 1)       /* a01..a17 */
#define IB(k) (17 + (k) - 1)  /* b01..b29 */
#define IC(k) (46 + (k) - 1)  /* c01..c09 */

static struct colink_stress_rules *rules;
static char *shipped;      /* text of the shipped stress-check.tsv */
static char *shipped_conv; /* text of the shipped stress-conversion.tsv */

static int setup(void)
{
	struct colink_error err = {0};
	char *dir = tu_fmt("%s/mappings", tu_srcdir());
	char *path = tu_fmt("%s/rules/stress-check.tsv", dir);
	int rc = colink_stress_rules_load(&rules, dir, &err);
	if (rc)
		fprintf(stderr, "stress rules: %s\n", err.msg);
	shipped = tu_read_file(path, NULL);
	free(path);
	path = tu_fmt("%s/rules/stress-conversion.tsv", dir);
	shipped_conv = tu_read_file(path, NULL);
	free(dir);
	free(path);
	return rc || !shipped || !shipped_conv;
}

static int teardown(void)
{
	colink_stress_rules_free(rules);
	free(shipped);
	free(shipped_conv);
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
			COLINK_REJECTED);
	CU_ASSERT_STRING_EQUAL(why, "item b04 has no answer");
	make_total(ans, 40, 70, 20);
	ans[IA(6)] = 7;
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 1, COLINK_STRESS_TOTAL, &res, why, sizeof(why)),
			COLINK_REJECTED);
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

/* 1-based line on which `needle` starts in `text`. */
static int line_of(const char *text, const char *needle);

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
	CU_ASSERT_EQUAL(CONV(r, b12, 0, &res, why), COLINK_REJECTED);
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
			COLINK_REJECTED);
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
	expect_conv_error(NULL, 0, "活気\t1\t3\t3\t6\n", "points must be 1..5 or '?'", 1);
	expect_conv_error(NULL, 0, "活気\t1\t3\t3\t?x\n", "points must be 1..5 or '?'", 1);
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

/* ---- the shipped 素点換算表 ---- */

/* The shipped table (a copy: callers free it). */
static char *resolved_conv(void)
{
	return tu_fmt("%s", shipped_conv);
}

static struct colink_stress_rules *load_resolved(char **dir)
{
	struct colink_stress_rules *r = NULL;
	struct colink_error err = {0};
	char *conv = resolved_conv();
	*dir = make_dir(shipped, conv);
	if (colink_stress_rules_load(&r, *dir, &err))
		fprintf(stderr, "resolved conversion: %s\n", err.msg);
	free(conv);
	return r;
}

/* The 18 尺度 of A, B, C: first answer index of each item (test's own copy). */
static const struct {
	const char *name;
	char scale;
	int n;
	int items[11];
} scl[] = {
	{"量", 'A', 3, {IA(1), IA(2), IA(3)}},
	{"質", 'A', 3, {IA(4), IA(5), IA(6)}},
	{"身体", 'A', 1, {IA(7)}},
	{"コントロール", 'A', 3, {IA(8), IA(9), IA(10)}},
	{"技能", 'A', 1, {IA(11)}},
	{"対人", 'A', 3, {IA(12), IA(13), IA(14)}},
	{"環境", 'A', 1, {IA(15)}},
	{"適性", 'A', 1, {IA(16)}},
	{"働きがい", 'A', 1, {IA(17)}},
	{"活気", 'B', 3, {IB(1), IB(2), IB(3)}},
	{"イライラ感", 'B', 3, {IB(4), IB(5), IB(6)}},
	{"疲労感", 'B', 3, {IB(7), IB(8), IB(9)}},
	{"不安感", 'B', 3, {IB(10), IB(11), IB(12)}},
	{"抑うつ感", 'B', 6, {IB(13), IB(14), IB(15), IB(16), IB(17), IB(18)}},
	{"身体愁訴", 'B', 11, {IB(19), IB(20), IB(21), IB(22), IB(23), IB(24), IB(25), IB(26), IB(27), IB(28), IB(29)}},
	{"上司", 'C', 3, {IC(1), IC(4), IC(7)}},
	{"同僚", 'C', 3, {IC(2), IC(5), IC(8)}},
	{"家族", 'C', 3, {IC(3), IC(6), IC(9)}}};
#define NSCL ((int)(sizeof(scl) / sizeof(scl[0])))

static int scl_index(const char *name)
{
	int i;
	for (i = 0; i < NSCL && strcmp(scl[i].name, name); i++)
		;
	CU_ASSERT_FATAL(i < NSCL);
	return i;
}

/* Answer the items of 尺度 `k` so that its 素点 is `raw` (raw_term 1..4 per
 * item, answer = 5 - term where the 素点 term is reversed). */
static void set_raw(int *ans, int k, int raw)
{
	int j, left = raw - scl[k].n;
	CU_ASSERT_FATAL(left >= 0 && left <= 3 * scl[k].n);
	for (j = 0; j < scl[k].n; j++) {
		int t = 1 + (left > 3 ? 3 : left), i = scl[k].items[j];
		left -= t - 1;
		ans[i] = raw_reversed(i) ? 5 - t : t;
	}
}

/* Every 尺度 at its lowest 素点 (n), D answered 2.  評価点 there, from the
 * table by hand: A 量 5 質 5 身体 4 コントロール 1 技能 1 対人 5 環境 4 (men)
 * or 5 (women) 適性 1 働きがい 1 = 27 / 28; B 活気 1 + 5 x 5 = 26; C 1+1+1 = 3. */
static void base_answers(int *ans)
{
	int k;
	for (k = 0; k < NSCL; k++)
		set_raw(ans, k, scl[k].n);
	ans[55] = ans[56] = 2;
}

#define BASE_A(sex) ((sex) == 1 ? 27 : 28)
#define BASE_B 26
#define BASE_C 3

/* Band edges, from the shipped table's sources (see its header); `base` is
 * the 尺度's 評価点 at its lowest 素点. */
static const struct {
	int sex;
	const char *sub;
	int raw, pts, base;
} edges[] = {
	{1, "量", 5, 5, 5}, {1, "量", 6, 4, 5}, {1, "量", 8, 3, 5}, {1, "量", 9, 3, 5},
	{1, "量", 7, 4, 5}, {1, "量", 10, 2, 5}, {1, "量", 11, 2, 5}, {1, "量", 12, 1, 5},
	{2, "量", 4, 5, 5}, {2, "量", 5, 4, 5}, {2, "量", 6, 4, 5}, {2, "量", 7, 3, 5},
	{2, "量", 9, 3, 5}, {2, "量", 10, 2, 5}, {2, "量", 12, 1, 5},
	{1, "質", 5, 5, 5}, {1, "質", 7, 4, 5}, {1, "質", 8, 3, 5},
	{2, "質", 4, 5, 5}, {2, "質", 5, 4, 5}, {2, "質", 8, 3, 5}, {2, "質", 9, 2, 5}, {2, "質", 11, 1, 5},
	{1, "身体", 4, 1, 4}, {2, "身体", 2, 3, 4},
	{1, "環境", 4, 1, 4}, {2, "環境", 2, 3, 5}, {2, "環境", 4, 1, 5},
	{1, "技能", 4, 4, 1}, {2, "技能", 3, 3, 1}, {2, "技能", 4, 4, 1},
	{1, "コントロール", 4, 1, 1}, {1, "コントロール", 5, 2, 1}, {1, "コントロール", 12, 5, 1},
	{2, "コントロール", 4, 2, 1}, {2, "コントロール", 8, 3, 1}, {2, "コントロール", 9, 4, 1},
	{1, "適性", 3, 3, 1}, {1, "適性", 4, 5, 1}, {2, "働きがい", 4, 5, 1},
	{1, "対人", 4, 4, 5}, {2, "対人", 10, 1, 5},
	{1, "活気", 4, 2, 1}, {2, "活気", 10, 5, 1},
	{1, "イライラ感", 9, 2, 5}, {1, "イライラ感", 10, 1, 5}, {2, "イライラ感", 8, 3, 5}, {2, "イライラ感", 11, 1, 5},
	{1, "疲労感", 4, 4, 5}, {1, "疲労感", 5, 3, 5}, {1, "疲労感", 10, 2, 5}, {1, "疲労感", 11, 1, 5},
	{2, "疲労感", 5, 4, 5}, {2, "疲労感", 6, 3, 5}, {2, "疲労感", 11, 2, 5}, {2, "疲労感", 12, 1, 5},
	{1, "不安感", 10, 1, 5}, {2, "不安感", 10, 2, 5},
	{1, "抑うつ感", 16, 2, 5}, {1, "抑うつ感", 17, 1, 5}, {2, "抑うつ感", 17, 2, 5}, {2, "抑うつ感", 18, 1, 5},
	{1, "身体愁訴", 12, 4, 5}, {1, "身体愁訴", 26, 2, 5}, {1, "身体愁訴", 27, 1, 5},
	{2, "身体愁訴", 13, 5, 5}, {2, "身体愁訴", 14, 4, 5}, {2, "身体愁訴", 29, 2, 5}, {2, "身体愁訴", 30, 1, 5},
	{1, "上司", 4, 1, 1}, {1, "上司", 5, 2, 1}, {1, "上司", 11, 5, 1},
	{2, "上司", 4, 2, 1}, {2, "上司", 10, 4, 1},
	{1, "同僚", 5, 1, 1}, {2, "同僚", 12, 5, 1},
	{1, "家族", 6, 1, 1}, {1, "家族", 7, 2, 1}, {2, "家族", 9, 3, 1}, {2, "家族", 12, 5, 1}};

static void test_stress__shipped_table_band_edges(void)
{
	struct colink_stress_result res;
	char *dir, why[256];
	int ans[N], sex;
	size_t e;
	struct colink_stress_rules *r = load_resolved(&dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(colink_stress_rules_has_conversion(r), 1);
	CU_ASSERT_PTR_NULL(colink_stress_rules_conversion_why(r));
	for (sex = 1; sex <= 2; sex++) {
		base_answers(ans);
		CU_ASSERT_EQUAL(colink_stress_score(r, ans, sex, COLINK_STRESS_CONVERTED, &res, why, sizeof(why)), COLINK_OK);
		CU_ASSERT_EQUAL(res.score_a, BASE_A(sex));
		CU_ASSERT_EQUAL(res.score_b, BASE_B);
		CU_ASSERT_EQUAL(res.score_c, BASE_C);
		CU_ASSERT_EQUAL(res.high, 0);
	}
	for (e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
		int k = scl_index(edges[e].sub), got, want;
		base_answers(ans);
		set_raw(ans, k, edges[e].raw);
		CU_ASSERT_EQUAL_FATAL(colink_stress_score(r, ans, edges[e].sex, COLINK_STRESS_CONVERTED, &res, why,
							  sizeof(why)), COLINK_OK);
		got = scl[k].scale == 'A' ? res.score_a : scl[k].scale == 'B' ? res.score_b : res.score_c;
		want = (scl[k].scale == 'A' ? BASE_A(edges[e].sex) : scl[k].scale == 'B' ? BASE_B : BASE_C) -
		       edges[e].base + edges[e].pts;
		if (got != want)
			fprintf(stderr, "\n  %s sex %d 素点 %d: domain %d, want %d\n", edges[e].sub, edges[e].sex,
				edges[e].raw, got, want);
		CU_ASSERT_EQUAL(got, want);
	}
	colink_stress_rules_free(r);
	tu_rmtree(dir);
	free(dir);
}

/* The two cells the sources disagreed on, settled by the manual's own
 * 素点換算表 (#19 part 4): 量 男性 素点 7 -> 評価点 4 (column "6-7"), 技能の活用度
 * 女性 素点 4 -> 評価点 4 (column "4").  量's 素点 is 15 - (A1 + A2 + A3),
 * set to 7; 技能's is set to 4; every other 尺度 at its lowest 素点
 * (base_answers: A 評価点 27 for men, 28 for women, with 量's 評価点 5 and
 * 技能's 1 in them).  By hand: the man's A = 27 - 5 + 4 = 26; the woman's
 * A = 28 - 1 + 4 = 31. */
static void test_stress__shipped_table_scores_the_settled_cells(void)
{
	struct colink_stress_result res;
	char why[256];
	int ans[N];
	CU_ASSERT_EQUAL(colink_stress_rules_has_conversion(rules), 1);
	CU_ASSERT_PTR_NULL(colink_stress_rules_conversion_why(rules));
	CU_ASSERT_PTR_NULL(strstr(shipped_conv, "\t?\n")); /* no cell left undecided */
	CU_ASSERT_PTR_NOT_NULL(strstr(shipped_conv, "\n心理的な仕事の負担(量)\t1\t7\t7\t4\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(shipped_conv, "\n技能の活用度\t2\t4\t4\t4\n"));
	base_answers(ans);
	set_raw(ans, scl_index("量"), 7);
	CU_ASSERT_EQUAL(15 - (ans[IA(1)] + ans[IA(2)] + ans[IA(3)]), 7); /* 15 - (A1 + A2 + A3) */
	CU_ASSERT_EQUAL_FATAL(colink_stress_score(rules, ans, 1, COLINK_STRESS_CONVERTED, &res, why, sizeof(why)),
			      COLINK_OK);
	CU_ASSERT_EQUAL(res.score_a, 26);
	base_answers(ans);
	set_raw(ans, scl_index("技能"), 4);
	CU_ASSERT_EQUAL_FATAL(colink_stress_score(rules, ans, 2, COLINK_STRESS_CONVERTED, &res, why, sizeof(why)),
			      COLINK_OK);
	CU_ASSERT_EQUAL(res.score_a, 31);
	/* the total method is unaffected */
	CU_ASSERT_EQUAL(colink_stress_score(rules, ans, 1, COLINK_STRESS_TOTAL, &res, why, sizeof(why)), COLINK_OK);
}

/* Score `ans` by both methods for `sex`. */
static void both(struct colink_stress_rules *r, const int *ans, int sex, struct colink_stress_result *tot,
		 struct colink_stress_result *conv, char *why)
{
	CU_ASSERT_EQUAL(colink_stress_score(r, ans, sex, COLINK_STRESS_TOTAL, tot, NULL, 0), COLINK_OK);
	CU_ASSERT_EQUAL(colink_stress_score(r, ans, sex, COLINK_STRESS_CONVERTED, conv, why, 256), COLINK_OK);
}

static void test_stress__shipped_table_methods_differ(void)
{
	struct colink_stress_result tot, conv;
	char *dir, why[256];
	int ans[N];
	struct colink_stress_rules *r = load_resolved(&dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);

	/* Base answers, by hand, total method: A = a01-07 1 each (7) + a08-10 4
	 * each (12) + a11 5-1 (4) + a12-13 1 each (2) + a14 1 + a15 1 + a16-17 4
	 * each (8) = 35; B = b01-03 5-1 (12) + 26 x 1 = 38; C = 9 x 4 = 36. */
	base_answers(ans);
	both(r, ans, 1, &tot, &conv, why);
	CU_ASSERT_EQUAL(tot.score_a, 35);
	CU_ASSERT_EQUAL(tot.score_b, 38);
	CU_ASSERT_EQUAL(tot.score_c, 36);
	CU_ASSERT_EQUAL(tot.high, 0);
	CU_ASSERT_EQUAL(conv.high, 0);

	/* High under その2 only (man): 量 素点 12 (評価点 5 -> 1), イライラ感 12
	 * (5 -> 1), 疲労感 12 (5 -> 1), 不安感 5 (5 -> 3).  Converted: A 27-4 = 23,
	 * C 3, A+C 26 <= 26; B 26-4-4-2 = 16 <= 17: high.  Total: A 35+9 = 44,
	 * A+C 80 >= 76 but B 38+9+9+2 = 58 < 63 (and < 77): not high. */
	set_raw(ans, scl_index("量"), 12);
	set_raw(ans, scl_index("イライラ感"), 12);
	set_raw(ans, scl_index("疲労感"), 12);
	set_raw(ans, scl_index("不安感"), 5);
	both(r, ans, 1, &tot, &conv, why);
	CU_ASSERT_EQUAL(conv.score_a, 23);
	CU_ASSERT_EQUAL(conv.score_b, 16);
	CU_ASSERT_EQUAL(conv.score_c, 3);
	CU_ASSERT_EQUAL(conv.high, 1);
	CU_ASSERT_STRING_EQUAL(why, "high stress: A+C <= 26 and B <= 17 (converted_ac_max, converted_ac_b_max)");
	CU_ASSERT_EQUAL(tot.score_a + tot.score_c, 80);
	CU_ASSERT_EQUAL(tot.score_b, 58);
	CU_ASSERT_EQUAL(tot.high, 0);
	/* the same answers from a woman: 不安感 5 is 評価点 3 too, 量 12 is 1, A
	 * base 28: A 24, A+C 27 > 26; B 16: not high under その2 either */
	both(r, ans, 2, &tot, &conv, why);
	CU_ASSERT_EQUAL(conv.score_a, 24);
	CU_ASSERT_EQUAL(conv.score_b, 16);
	CU_ASSERT_EQUAL(conv.high, 0);

	/* High under その1 only (man): 身体愁訴 素点 44 (5 -> 1), 抑うつ感 12
	 * (5 -> 3).  Total: B 38 + 33 + 6 = 77 >= 77: high.  Converted: B
	 * 26-4-2 = 20 > 17, A+C 30: not high. */
	base_answers(ans);
	set_raw(ans, scl_index("身体愁訴"), 44);
	set_raw(ans, scl_index("抑うつ感"), 12);
	both(r, ans, 1, &tot, &conv, why);
	CU_ASSERT_EQUAL(tot.score_b, 77);
	CU_ASSERT_EQUAL(tot.high, 1);
	CU_ASSERT_EQUAL(conv.score_b, 20);
	CU_ASSERT_EQUAL(conv.score_a + conv.score_c, 30);
	CU_ASSERT_EQUAL(conv.high, 0);
	CU_ASSERT_STRING_EQUAL(why, "not high stress (converted method)");

	/* B <= 12, and the sex-specific tables: 活気 6 (3), イライラ感 10,
	 * 疲労感 11, 不安感 10, 抑うつ感 17, 身体愁訴 11.  Man: 3+1+1+1+1+5 = 12:
	 * high.  Woman: 3 + 2 (9-10) + 2 (9-11) + 2 (8-10) + 2 (13-17) + 5 = 16,
	 * A+C 28+3 = 31: not high. */
	base_answers(ans);
	set_raw(ans, scl_index("活気"), 6);
	set_raw(ans, scl_index("イライラ感"), 10);
	set_raw(ans, scl_index("疲労感"), 11);
	set_raw(ans, scl_index("不安感"), 10);
	set_raw(ans, scl_index("抑うつ感"), 17);
	both(r, ans, 1, &tot, &conv, why);
	CU_ASSERT_EQUAL(conv.score_b, 12);
	CU_ASSERT_EQUAL(conv.high, 1);
	CU_ASSERT_STRING_EQUAL(why, "high stress: B <= 12 (converted_b_max)");
	both(r, ans, 2, &tot, &conv, why);
	CU_ASSERT_EQUAL(conv.score_b, 16);
	CU_ASSERT_EQUAL(conv.high, 0);
	/* man, 活気 8 (4): B 13, A+C 30: not high */
	set_raw(ans, scl_index("活気"), 8);
	both(r, ans, 1, &tot, &conv, why);
	CU_ASSERT_EQUAL(conv.score_b, 13);
	CU_ASSERT_EQUAL(conv.high, 0);

	colink_stress_rules_free(r);
	tu_rmtree(dir);
	free(dir);
}

/* A cell marked undecided ('?') keeps the converted method refused, naming
 * its row (the shipped table has none since #19; planted here). */
static void test_stress__an_undecided_cell_keeps_method_refused(void)
{
	struct colink_stress_rules *r = NULL;
	struct colink_error err = {0};
	char *conv = replace(shipped_conv, "技能の活用度\t2\t4\t4\t4\n", "技能の活用度\t2\t4\t4\t?\n");
	char *dir = make_dir(shipped, conv);
	char *want = tu_fmt("rules/stress-conversion.tsv:%d: 素点 4..4 of '技能の活用度' sex 2 is undecided ('?')",
			    line_of(conv, "技能の活用度\t2\t4\t4\t?\n"));
	CU_ASSERT_EQUAL_FATAL(colink_stress_rules_load(&r, dir, &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_stress_rules_has_conversion(r), 0);
	CU_ASSERT_STRING_EQUAL(colink_stress_rules_conversion_why(r), want);
	colink_stress_rules_free(r);
	/* and without the file: not installed */
	tu_rmtree(dir);
	free(dir);
	dir = make_dir(shipped, NULL);
	CU_ASSERT_EQUAL_FATAL(colink_stress_rules_load(&r, dir, &err), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(colink_stress_rules_conversion_why(r), "rules/stress-conversion.tsv is not installed");
	colink_stress_rules_free(r);
	tu_rmtree(dir);
	free(dir);
	free(conv);
	free(want);
}

/* ---- end to end: <stress method="converted"/> through the colink binary ---- */

/* Symlink every entry of the source mappings dir into `to`, except rules/,
 * which gets stress-check.tsv, excluded-purposes.tsv (read with every
 * agreement) and `conv` as stress-conversion.tsv. */
static void make_data_dir(const char *to, const char *conv)
{
	static const char *const top[] = {"common", "schema", "warehouse", "vendors", "employer", "association"};
	char *src = tu_fmt("%s/mappings", tu_srcdir()), *p, *q;
	size_t i;
	CU_ASSERT_EQUAL_FATAL(mkdir(to, 0700), 0);
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		p = tu_fmt("%s/%s", src, top[i]);
		q = tu_fmt("%s/%s", to, top[i]);
		CU_ASSERT_EQUAL(symlink(p, q), 0);
		free(p);
		free(q);
	}
	p = tu_fmt("%s/rules", to);
	CU_ASSERT_EQUAL_FATAL(mkdir(p, 0700), 0);
	free(p);
	p = tu_fmt("%s/rules/stress-check.tsv", src);
	q = tu_fmt("%s/rules/stress-check.tsv", to);
	CU_ASSERT_EQUAL(symlink(p, q), 0);
	free(p);
	free(q);
	/* the floor of excluded purposes is read with every agreement (#24) */
	p = tu_fmt("%s/rules/excluded-purposes.tsv", src);
	q = tu_fmt("%s/rules/excluded-purposes.tsv", to);
	CU_ASSERT_EQUAL(symlink(p, q), 0);
	free(p);
	free(q);
	q = tu_fmt("%s/rules/stress-conversion.tsv", to);
	CU_ASSERT_EQUAL(tu_write_file(q, conv, strlen(conv)), 0);
	free(q);
	free(src);
}

static void test_stress__e2e_converted_method(void)
{
	char *dir = tu_mkdtemp("stress-e2e"), *conv = resolved_conv(), *p, *xml, *map, *csv, *job, *err = NULL,
	     *args, *db;
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	p = tu_fmt("%s/m", dir);
	make_data_dir(p, conv);
	free(p);

	/* the sample mapping (which maps 性別) + <stress method="converted"/> */
	p = tu_fmt("%s/mappings/employer/stress_check.xml", tu_srcdir());
	xml = tu_read_file(p, NULL);
	free(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	map = replace(xml, "<unmapped columns=\"reject\"/>",
		      "<stress method=\"converted\"/>\n  <unmapped columns=\"reject\"/>");
	p = tu_fmt("%s/s.xml", dir);
	CU_ASSERT_EQUAL(tu_write_file(p, map, strlen(map)), 0);
	free(p);
	p = tu_fmt("%s/samples/employer/stress_check.csv", tu_srcdir());
	csv = tu_read_file(p, NULL);
	free(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	CU_ASSERT_PTR_NOT_NULL(strstr(csv, ",性別\n")); /* the sample carries the sex the method needs */
	p = tu_fmt("%s/s.csv", dir);
	CU_ASSERT_EQUAL(tu_write_file(p, csv, strlen(csv)), 0);
	free(p);

	/* the shipped table: the mapping checks (the converted method is available) */
	args = tu_fmt("--data-dir '%s/mappings' check s.xml", tu_srcdir());
	CU_ASSERT_EQUAL(tu_colink_run(dir, args, NULL, &err), 0);
	free(args);
	free(err);
	err = NULL;

	/* the shipped table: the run loads all 17 */
	job = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<job xmlns=\"urn:colink:job:1\" name=\"conv\">\n"
		     "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/>"
		     "<purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>"
		     "<key file=\"k.key\"/>\n"
		     "  <input mapping=\"s.xml\" path=\"s.csv\"/>\n"
		     "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"w.db\"/></output>\n"
		     "</job>\n");
	p = tu_fmt("%s/job.xml", dir);
	CU_ASSERT_EQUAL(tu_write_file(p, job, strlen(job)), 0);
	free(p);
	CU_ASSERT_EQUAL(tu_colink_run(dir, "key new k.key", NULL, NULL), 0);
	CU_ASSERT_EQUAL(tu_colink_run(dir, "--data-dir m run --unsigned-agreement job.xml", NULL, &err), 0);
	if (err && *err)
		fprintf(stderr, "\n  run: %s\n", err);
	free(err);
	db = tu_fmt("%s/w.db", dir);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_check WHERE method='converted'"), 17);
	/* 4 high: 0100102, 0001234, 0045678 (B <= 12), 0067890 (A+C <= 26, B <= 17).
	 * The total method flags three others in the same file (test_e2e_link). */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_check WHERE high_stress='1'"), 4);
	/* 0100102 (男), by hand from the table.  A: 量 15-(2+4+4)=5 -> 5; 質
	 * 15-(1+3+1)=10 -> 2; 身体 5-3=2 -> 3; コントロール 15-(1+3+4)=7 -> 3;
	 * 技能 3 -> 3; 対人 10-(1+2)+4=11 -> 1; 環境 5-1=4 -> 1; 適性 5-2=3 -> 3;
	 * 働きがい 5-4=1 -> 1; A = 22.  B: 活気 1+4+1=6 -> 3; イライラ 3+3+3=9 -> 2;
	 * 疲労 4+4+2=10 -> 2; 不安 3+4+4=11 -> 1; 抑うつ 3+4+4+4+4+3=22 -> 1;
	 * 身体愁訴 1+4+4+2+4+1+2+4+1+2+2=27 -> 1; B = 10.  C: 上司 15-(4+2+4)=5
	 * -> 2; 同僚 15-(4+1+3)=7 -> 2; 家族 15-(4+4+4)=3 -> 1; C = 5.
	 * B 10 <= 12: high. */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_check WHERE score_a=22 AND score_b=10 "
					"AND score_c=5 AND high_stress='1'"), 1);
	/* 0067890 (男).  A: 量 15-(1+3+2)=9 -> 3; 質 15-(3+2+1)=9 -> 3; 身体
	 * 5-1=4 -> 1; コントロール 15-(2+3+3)=7 -> 3; 技能 2 -> 2; 対人
	 * 10-(3+3)+3=7 -> 3; 環境 4 -> 1; 適性 5-4=1 -> 1; 働きがい 1 -> 1; A = 18.
	 * B: 活気 2+3+1=6 -> 3; イライラ 3+1+3=7 -> 3; 疲労 2+1+1=4 -> 4; 不安
	 * 2+4+2=8 -> 2; 抑うつ 2+1+3+4+3+1=14 -> 2; 身体愁訴
	 * 3+2+1+2+3+3+1+2+1+1+2=21 -> 3; B = 17.  C: 上司 15-(1+1+4)=9 -> 4;
	 * 同僚 15-(4+2+4)=5 -> 1; 家族 15-(3+3+2)=7 -> 2; C = 7.
	 * A+C 25 <= 26 and B 17 <= 17: high. */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_check WHERE score_a=18 AND score_b=17 "
					"AND score_c=7 AND high_stress='1'"), 1);
	/* 0100109 (女, 女性用 table).  A: 量 15-(1+2+2)=10 -> 2; 質 15-(3+3+1)=8
	 * -> 3; 身体 5-3=2 -> 3; コントロール 15-(2+3+4)=6 -> 3; 技能 2 -> 2; 対人
	 * 10-(1+3)+4=10 -> 1; 環境 4 -> 1; 適性 5-3=2 -> 2; 働きがい 5-1=4 -> 5;
	 * A = 22.  B: 活気 4+4+3=11 -> 5; イライラ 1+4+2=7 -> 3; 疲労 3+2+2=7
	 * -> 3; 不安 4+2+3=9 -> 2; 抑うつ 2+2+4+3+3+2=16 -> 2; 身体愁訴
	 * 4+4+1+3+3+3+2+3+1+1+2=27 -> 2 (24-29); B = 17.  C: 上司 15-(1+3+4)=7
	 * -> 3; 同僚 15-(3+4+1)=7 -> 2; 家族 15-(4+3+2)=6 -> 1; C = 6.
	 * A+C 28 > 26, B 17 > 12: not high. */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_check WHERE score_a=22 AND score_b=17 "
					"AND score_c=6 AND high_stress='2'"), 1);
	free(db);
	tu_rmtree(dir);
	free(dir);
	free(conv);
	free(xml);
	free(map);
	free(csv);
	free(job);
}

static const struct tu_test tests[] = {
	TU_TEST(test_stress__b_77_is_high_and_76_is_not),
	TU_TEST(test_stress__ac_76_with_b_63_is_high),
	TU_TEST(test_stress__ac_75_with_b_63_is_not_high),
	TU_TEST(test_stress__ac_76_with_b_62_is_not_high),
	TU_TEST(test_stress__reversal_applied),
	TU_TEST(test_stress__missing_answer_rejected_naming_item),
	TU_TEST(test_stress__shipped_table_scores_the_settled_cells),
	TU_TEST(test_stress__bad_rows_name_file_and_line),
	TU_TEST(test_stress__duplicates_and_gaps_are_refused),
	TU_TEST(test_stress__thresholds_are_data),
	TU_TEST(test_stress__converted_b_12_is_high_and_13_is_not),
	TU_TEST(test_stress__converted_ac_26_with_b_17),
	TU_TEST(test_stress__conversion_file_errors),
	TU_TEST(test_stress__load_survives_allocation_failure),
	TU_TEST(test_stress__shipped_table_band_edges),
	TU_TEST(test_stress__shipped_table_methods_differ),
	TU_TEST(test_stress__an_undecided_cell_keeps_method_refused),
	TU_TEST(test_stress__e2e_converted_method),
	TU_END
};

int main(void)
{
	if (tu_add_suite("stress", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
