/*
 * test_linkage.c -- engine/linkage/fs.c (Fellegi-Sunter scoring and EM)
 * and engine/identity/feature.c (the keyed comparison features), #23.
 */
#include <CUnit/Basic.h>
#include <math.h>
#include <string.h>

#include "identity/feature.h"
#include "identity/identity.h"
#include "identity/pseudo_set.h"
#include "linkage/fs.h"
#include "testutil.h"

#define NEAR(a, b) CU_ASSERT(fabs((a) - (b)) < 1e-12)

static struct colink_key *key;

static int suite_init(void)
{
	unsigned char raw[32];
	struct colink_error err;
	int i;
	for (i = 0; i < 32; i++)
		raw[i] = (unsigned char)(i * 7 + 1);
	if (colink_crypto_init(&err))
		return -1;
	return colink_key_from_bytes(&key, raw, &err) ? -1 : 0;
}

static int suite_clean(void)
{
	colink_key_free(key);
	return 0;
}

/*
 * A small fixed dataset: two binary features (level 0 agree, 1 else),
 * vectors (0,0) seen 3 times, (1,1) 5 times, (0,1) twice.  u fixed at
 * f0 = (0.2, 0.8), f1 = (0.1, 0.9); EM starts from m = (0.9, 0.1) on both
 * and lambda = 0.1.  One EM step by hand:
 *   (0,0): lambda m m = 0.1 * 0.9 * 0.9 = 0.081, (1 - lambda) u u =
 *          0.9 * 0.2 * 0.1 = 0.018, so P(match) = 0.081 / 0.099 = 9/11;
 *   (1,1): 0.1 * 0.1 * 0.1 = 0.001 against 0.9 * 0.8 * 0.9 = 0.648: 1/649;
 *   (0,1): 0.1 * 0.9 * 0.1 = 0.009 against 0.9 * 0.2 * 0.9 = 0.162: 1/19.
 *   W = 3 * 9/11 + 5 * 1/649 + 2 * 1/19 (the expected matches)
 *   lambda = W / 10 = 3166/12331
 *   m0(agree) = (3 * 9/11 + 2 * 1/19) / W = 6313/6332
 *   m1(agree) = (3 * 9/11) / W = 30267/31660
 */
static const unsigned char hand_g[] = {0, 0, 1, 1, 0, 1};
static const double hand_n[] = {3, 5, 2};

static void hand_model(struct colink_fs_model *fm)
{
	static const unsigned nlev[2] = {2, 2};
	CU_ASSERT_EQUAL_FATAL(colink_fs_init(fm, 2, nlev), 0);
	fm->u[0][0] = 0.2;
	fm->u[0][1] = 0.8;
	fm->u[1][0] = 0.1;
	fm->u[1][1] = 0.9;
}

static void test_linkage__em_step_matches_hand_computation(void)
{
	struct colink_fs_model fm;
	hand_model(&fm);
	NEAR(fm.m[0][0], 0.9);
	NEAR(fm.lambda, 0.1);
	colink_fs_em(&fm, hand_g, hand_n, 3, 1, 0);
	CU_ASSERT_EQUAL(fm.iterations, 1);
	NEAR(fm.lambda, 3166.0 / 12331.0);
	NEAR(fm.m[0][0], 6313.0 / 6332.0);
	NEAR(fm.m[0][1], 19.0 / 6332.0);
	NEAR(fm.m[1][0], 30267.0 / 31660.0);
	NEAR(fm.m[1][1], 1393.0 / 31660.0);
	/* u is not EM's to move */
	NEAR(fm.u[0][0], 0.2);
	NEAR(fm.u[1][1], 0.9);
}

/* At the fixed point one more step moves nothing; the weights are the
 * log2 ratios of the estimates. */
static void test_linkage__em_converges_and_weighs(void)
{
	struct colink_fs_model fm, again;
	unsigned char agree[2] = {0, 0}, none[2] = {1, 1}, half[2] = {0, COLINK_FS_MISSING};
	hand_model(&fm);
	colink_fs_em(&fm, hand_g, hand_n, 3, 500, 1e-12);
	CU_ASSERT(fm.iterations > 1 && fm.iterations < 500);
	again = fm;
	colink_fs_em(&again, hand_g, hand_n, 3, 1, 0);
	CU_ASSERT(fabs(again.lambda - fm.lambda) < 1e-9);
	CU_ASSERT(fabs(again.m[1][0] - fm.m[1][0]) < 1e-9);
	/* the three agreeing pairs and some of the half: between 0.3 and 0.5 */
	CU_ASSERT(fm.lambda > 0.3 && fm.lambda < 0.5);
	NEAR(colink_fs_weight(&fm, agree),
	     log2(fm.m[0][0] / fm.u[0][0]) + log2(fm.m[1][0] / fm.u[1][0]));
	NEAR(colink_fs_weight(&fm, none),
	     log2(fm.m[0][1] / fm.u[0][1]) + log2(fm.m[1][1] / fm.u[1][1]));
	/* a missing feature weighs nothing */
	NEAR(colink_fs_weight(&fm, half), log2(fm.m[0][0] / fm.u[0][0]));
	CU_ASSERT(colink_fs_weight(&fm, agree) > 0 && colink_fs_weight(&fm, none) < 0);
}

/* u from random pairs: the level shares with add-one-half smoothing; a
 * missing feature is left out of its feature's count. */
static void test_linkage__u_from_pairs(void)
{
	static const unsigned nlev[2] = {3, 2};
	static const unsigned char g[] = {
		2, 1, 2, 1, 1, 1, 0, COLINK_FS_MISSING, 2, 0,
	};
	struct colink_fs_model fm;
	CU_ASSERT_EQUAL_FATAL(colink_fs_init(&fm, 2, nlev), 0);
	colink_fs_estimate_u(&fm, g, 5);
	NEAR(fm.u[0][0], 1.5 / 6.5);
	NEAR(fm.u[0][1], 1.5 / 6.5);
	NEAR(fm.u[0][2], 3.5 / 6.5);
	NEAR(fm.u[1][0], 1.5 / 5.0);
	NEAR(fm.u[1][1], 3.5 / 5.0);
	CU_ASSERT_EQUAL(colink_fs_init(&fm, 0, nlev), -1);
	CU_ASSERT_EQUAL(colink_fs_init(&fm, 9, nlev), -1);
}

/* A closer level never weighs less than a looser one. */
static void test_linkage__weights_monotone(void)
{
	static const unsigned nlev[1] = {3};
	struct colink_fs_model fm;
	unsigned char exact[1] = {0}, similar[1] = {1}, other[1] = {2};
	CU_ASSERT_EQUAL_FATAL(colink_fs_init(&fm, 1, nlev), 0);
	fm.m[0][0] = 0.90; fm.u[0][0] = 0.010;  /* log2 90 */
	fm.m[0][1] = 0.05; fm.u[0][1] = 0.0001; /* log2 500: more than exact */
	fm.m[0][2] = 0.05; fm.u[0][2] = 0.9899;
	NEAR(colink_fs_weight(&fm, similar), log2(500.0));
	NEAR(colink_fs_weight(&fm, exact), log2(500.0));
	NEAR(colink_fs_weight(&fm, other), log2(0.05 / 0.9899));
	fm.m[0][1] = 0.0001; /* similar now below exact: each its own */
	NEAR(colink_fs_weight(&fm, exact), log2(90.0));
	NEAR(colink_fs_weight(&fm, similar), log2(1.0));
}

static void test_linkage__dice(void)
{
	unsigned char a[4] = {0x0f, 0, 0, 0}, b[4] = {0x03, 0x03, 0, 0}, z[4] = {0};
	NEAR(colink_fs_dice(a, a, 4), 1.0);
	NEAR(colink_fs_dice(a, b, 4), 2.0 * 2 / 8);
	NEAR(colink_fs_dice(z, z, 4), 0.0);
	NEAR(colink_fs_dice(a, z, 4), 0.0);
}

static struct colink_pseudo_set *pset(const char *agreement)
{
	struct colink_pseudo_set *ps = NULL;
	struct colink_error err;
	CU_ASSERT_EQUAL_FATAL(colink_pseudo_set_new(&ps, key, NULL, agreement, &err), COLINK_OK);
	return ps;
}

static unsigned popcount(const unsigned char *bf)
{
	unsigned n = 0, i;
	for (i = 0; i < COLINK_FS_BF_BYTES; i++)
		n += (unsigned)__builtin_popcount(bf[i]);
	return n;
}

static double dice_of(struct colink_pseudo_set *ps, const char *x, const char *y)
{
	unsigned char a[COLINK_FS_BF_BYTES], b[COLINK_FS_BF_BYTES];
	struct colink_error err;
	CU_ASSERT_EQUAL(colink_feature_bloom(ps, x, strlen(x), a, &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_feature_bloom(ps, y, strlen(y), b, &err), COLINK_OK);
	return colink_fs_dice(a, b, sizeof(a));
}

/* The name's filter: folded spellings are one filter, a one-character
 * change stays similar, another name is not, and another agreement's key
 * gives another filter. */
static void test_linkage__bloom_filter(void)
{
	struct colink_pseudo_set *ps = pset("agr-1"), *other = pset("agr-2");
	unsigned char a[COLINK_FS_BF_BYTES], b[COLINK_FS_BF_BYTES];
	struct colink_error err;
	NEAR(dice_of(ps, "キョウコ", "キヨウコ"), 1.0);   /* ョ/ヨ */
	NEAR(dice_of(ps, "フジタ", "フヂタ"), 1.0);       /* ジ/ヂ */
	CU_ASSERT(dice_of(ps, "ヤマダタロウ", "ヤマダタロオ") >= 0.7);
	CU_ASSERT(dice_of(ps, "ヤマダタロウ", "スズキハナコ") < 0.3);
	/* 7 bigrams (padded) of k positions: at most 7k bits, most of them */
	CU_ASSERT_EQUAL(colink_feature_bloom(ps, "ヤマダタロウ", strlen("ヤマダタロウ"), a, &err),
			COLINK_OK);
	CU_ASSERT(popcount(a) <= 7 * COLINK_FEATURE_BF_K && popcount(a) > 5 * COLINK_FEATURE_BF_K);
	CU_ASSERT_EQUAL(colink_feature_bloom(other, "ヤマダタロウ", strlen("ヤマダタロウ"), b, &err),
			COLINK_OK);
	CU_ASSERT(colink_fs_dice(a, b, sizeof(a)) < 0.5);
	CU_ASSERT_EQUAL(colink_feature_bloom(ps, "", 0, a, &err), COLINK_EINVAL);
	colink_pseudo_set_free(ps);
	colink_pseudo_set_free(other);
}

static const char *find(const struct colink_feature *f, size_t n, const char *kind)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(f[i].kind, kind))
			return f[i].value;
	return NULL;
}

/* Every feature a record has, each under its own key; the birth date's
 * day and month unordered; no value appears in what is made. */
static void test_linkage__features_of_a_record(void)
{
	struct colink_pseudo_set *ps = pset("agr-1");
	struct colink_feature f[COLINK_FEATURE_MAX], g[COLINK_FEATURE_MAX];
	struct colink_feature_input in = {"ヤマダタロウ", strlen("ヤマダタロウ"), "19850304",
					  "1", "06139992", "", "1234", NULL};
	struct colink_error err;
	size_t n = 0, m = 0, i;
	CU_ASSERT_EQUAL_FATAL(colink_features_compute(ps, &in, f, &n, &err), COLINK_OK);
	CU_ASSERT_EQUAL(n, 8); /* no 記号 */
	CU_ASSERT_PTR_NULL(find(f, n, "feature.symbol"));
	CU_ASSERT_EQUAL(strlen(find(f, n, "feature.name_bf")), COLINK_FS_BF_BYTES * 2);
	CU_ASSERT_EQUAL(strlen(find(f, n, "feature.number")), COLINK_FEATURE_TOKEN_HEX); /* 16 */
	/* a token is its kind's HMAC cut to 8 bytes (schema 14), memoized
	 * (birth year) or not (番号) */
	{
		const char *yp[1] = {"1985"}, *np[1] = {"1234"};
		char full[65];
		CU_ASSERT_EQUAL_FATAL(colink_pseudo_set_compute(ps, "feature.number", 1, np, NULL,
								full, &err), COLINK_OK);
		CU_ASSERT_EQUAL(strlen(full), 64);
		CU_ASSERT_EQUAL(strncmp(full, find(f, n, "feature.number"), 16), 0);
		CU_ASSERT_EQUAL_FATAL(colink_pseudo_set_compute(ps, "feature.birth_year", 1, yp,
								NULL, full, &err), COLINK_OK);
		CU_ASSERT_EQUAL(strlen(find(f, n, "feature.birth_year")), 16);
		CU_ASSERT_EQUAL(strncmp(full, find(f, n, "feature.birth_year"), 16), 0);
	}
	for (i = 0; i < n; i++)
		CU_ASSERT_PTR_NULL(strstr(f[i].value, "1234"));
	/* day and month swapped: other month and day tokens, the same pair */
	in.birth8 = "19850403";
	CU_ASSERT_EQUAL_FATAL(colink_features_compute(ps, &in, g, &m, &err), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(find(f, n, "feature.birth_md"), find(g, m, "feature.birth_md"));
	CU_ASSERT_STRING_NOT_EQUAL(find(f, n, "feature.birth_month"), find(g, m, "feature.birth_month"));
	CU_ASSERT_STRING_EQUAL(find(f, n, "feature.birth_year"), find(g, m, "feature.birth_year"));
	/* one value under two kinds: two tokens (per-purpose keys) */
	in.sex = "3";
	in.number = "3";
	CU_ASSERT_EQUAL_FATAL(colink_features_compute(ps, &in, g, &m, &err), COLINK_OK);
	CU_ASSERT_STRING_NOT_EQUAL(find(g, m, "feature.sex"), find(g, m, "feature.number"));
	colink_pseudo_set_free(ps);
}

static void memo_eq(struct colink_pseudo_set *ps, const char *kind, size_t n,
		    const char *const *parts, const size_t *lens)
{
	char a[65], b[65];
	struct colink_error err;
	CU_ASSERT_EQUAL_FATAL(colink_pseudo_set_compute(ps, kind, n, parts, lens, a, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(colink_pseudo_set_memo(ps, kind, n, parts, lens, b, &err), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_EQUAL_FATAL(colink_pseudo_set_memo(ps, kind, n, parts, lens, b, &err), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(a, b); /* the remembered one */
}

/* The run's memo of small-domain hashes gives what the HMAC gives: per
 * kind, per split of the parts, past its size and for inputs too long to
 * remember. */
static void test_linkage__memo_is_the_hash(void)
{
	struct colink_pseudo_set *ps = pset("agr-1");
	const char *p12[2] = {"12", "3"}, *p1[2] = {"1", "23"}, *one[1] = {"1985"};
	const char *lng[1] = {"0123456789012345678901234567890123456789"};
	char a[65], b[65], v[16];
	const char *pv[1] = {v};
	struct colink_error err;
	unsigned i;
	memo_eq(ps, "feature.birth_year", 1, one, NULL);
	memo_eq(ps, "feature.sex", 1, one, NULL);
	CU_ASSERT_EQUAL(colink_pseudo_set_memo(ps, "feature.birth_year", 1, one, NULL, a, &err), 0);
	CU_ASSERT_EQUAL(colink_pseudo_set_memo(ps, "feature.sex", 1, one, NULL, b, &err), 0);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	memo_eq(ps, "feature.birth_md", 2, p12, NULL);
	memo_eq(ps, "feature.birth_md", 2, p1, NULL);
	CU_ASSERT_EQUAL(colink_pseudo_set_memo(ps, "feature.birth_md", 2, p12, NULL, a, &err), 0);
	CU_ASSERT_EQUAL(colink_pseudo_set_memo(ps, "feature.birth_md", 2, p1, NULL, b, &err), 0);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	memo_eq(ps, "feature.insurer", 1, lng, NULL);
	for (i = 0; i < 14000; i++) { /* more than it keeps */
		snprintf(v, sizeof(v), "%u", i);
		memo_eq(ps, "feature.name_bf", 1, pv, NULL);
	}
	memo_eq(ps, "feature.birth_year", 1, one, NULL);
	colink_pseudo_set_free(ps);
}

static const struct tu_test tests[] = {
	TU_TEST(test_linkage__em_step_matches_hand_computation),
	TU_TEST(test_linkage__em_converges_and_weighs),
	TU_TEST(test_linkage__u_from_pairs),
	TU_TEST(test_linkage__weights_monotone),
	TU_TEST(test_linkage__dice),
	TU_TEST(test_linkage__bloom_filter),
	TU_TEST(test_linkage__features_of_a_record),
	TU_TEST(test_linkage__memo_is_the_hash),
	TU_END
};

int main(void)
{
	if (tu_add_suite("linkage", suite_init, suite_clean, tests))
		return 1;
	return tu_run_suites();
}
