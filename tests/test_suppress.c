/* test_suppress.c -- small-cell protection (engine/programs/suppress.c).
 *
 * The proof is an AUDIT written independently of the engine: for every
 * released table, a brute-force search enumerates every integer table that
 * agrees with the released numbers (suppressed cells >= 1 when zeros are
 * released, as a reader knows) and collects each suppressed cell's feasible
 * values.  No suppressed cell may be pinned to one value, nor confined below
 * k.  The engine's own interval (a max-flow computation) must equal the
 * brute force's, cell by cell.  The population of the planted case is
 * generated here, person by person, from a fixed seed. */
#include <CUnit/Basic.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "programs/suppress.h"
#include "testutil.h"

#include "sup_audit.h"

/* ---- a deterministic population ------------------------------------ */

static uint64_t rng_state;
static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

struct person {
	int sex;  /* 0 male, 1 female */
	int band; /* 10-year band index */
	int site;
};

/* The planted counts (age band x sex): 20s M 9 F 0; 30s M 10 F 25;
 * 40s M 31 F 9 (the row total 40 minus 31 would reveal the 9); 50s M 14
 * F 12.  Persons are generated one by one in a shuffled order. */
static const long planted[4][2] = { { 9, 0 }, { 10, 25 }, { 31, 9 }, { 14, 12 } };

static size_t make_population(struct person *p, size_t cap)
{
	size_t n = 0, i, a;
	int b, s;
	for (b = 0; b < 4; b++)
		for (s = 0; s < 2; s++)
			for (a = 0; a < (size_t)planted[b][s] && n < cap; a++) {
				p[n].sex = s;
				p[n].band = b;
				p[n].site = (int)(n % 3);
				n++;
			}
	rng_state = 20240401;
	for (i = n; i > 1; i--) {
		size_t j = rng() % i;
		struct person tmp = p[i - 1];
		p[i - 1] = p[j];
		p[j] = tmp;
	}
	return n;
}

static void tabulate_age_sex(struct colink_sup_table *t, const struct person *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		t->v[AT(t, (size_t)p[i].band, (size_t)p[i].sex)]++;
	colink_sup_margins(t);
}

/* ---- tests --------------------------------------------------------- */

static void test_suppress__planted_0_9_10_and_revealing_margin(void)
{
	struct person pop[200];
	size_t n = make_population(pop, 200);
	struct colink_sup_table t;
	struct colink_sup_opts o = { 10, 0 };
	struct colink_error err = {0};
	CU_ASSERT_EQUAL(n, 110);
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&t, "age_sex", "age", "sex", 4, 2, &err), 0);
	tabulate_age_sex(&t, pop, n);
	/* the table the population gives */
	CU_ASSERT_EQUAL(t.v[AT(&t, 0, 0)], 9);
	CU_ASSERT_EQUAL(t.v[AT(&t, 0, 1)], 0);
	CU_ASSERT_EQUAL(t.v[AT(&t, 1, 0)], 10);
	CU_ASSERT_EQUAL(t.v[AT(&t, 2, 1)], 9);
	CU_ASSERT_EQUAL(t.v[AT(&t, 2, 2)], 40);
	CU_ASSERT_EQUAL(t.v[AT(&t, 4, 2)], 110);
	CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&t, 1, &o, &err), 0);
	/* primary: the 9s and the 20s row total 9; 0 and 10 are released */
	CU_ASSERT_EQUAL(t.state[AT(&t, 0, 0)], COLINK_SUP_PRIMARY);
	CU_ASSERT_EQUAL(t.state[AT(&t, 2, 1)], COLINK_SUP_PRIMARY);
	CU_ASSERT_EQUAL(t.state[AT(&t, 0, 2)], COLINK_SUP_PRIMARY);
	CU_ASSERT_EQUAL(t.state[AT(&t, 0, 1)], COLINK_SUP_RELEASED);
	/* the 40s row: 40 - 31 must not give the 9 back */
	CU_ASSERT(t.state[AT(&t, 2, 0)] || t.state[AT(&t, 2, 2)]);
	CU_ASSERT(audit_table(&t, &o));
	colink_sup_table_free(&t);
}

static void test_suppress__zero_suppression_setting(void)
{
	struct colink_sup_table t;
	struct colink_sup_opts o = { 10, 1 };
	struct colink_error err = {0};
	static const long v[3][2] = { { 0, 40 }, { 12, 30 }, { 25, 18 } };
	size_t i, j;
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&t, "z", "r", "c", 3, 2, &err), 0);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++)
			t.v[AT(&t, i, j)] = v[i][j];
	colink_sup_margins(&t);
	CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&t, 1, &o, &err), 0);
	CU_ASSERT_EQUAL(t.state[AT(&t, 0, 0)], COLINK_SUP_PRIMARY);
	CU_ASSERT(audit_table(&t, &o));
	/* with zeros released, the same 0 is released */
	o.suppress_zeros = 0;
	memset(t.state, 0, 4 * 3);
	CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&t, 1, &o, &err), 0);
	CU_ASSERT_EQUAL(t.state[AT(&t, 0, 0)], COLINK_SUP_RELEASED);
	colink_sup_table_free(&t);
}

/* A row of two small cells whose total is small too (1 + 1 = 2): "no row
 * with a lone suppressed cell" holds, yet a reader who knows suppressed
 * cells are >= 1 pins both.  The exact check must catch it. */
static void test_suppress__two_ones_need_more_than_pairing(void)
{
	struct colink_sup_table t;
	struct colink_sup_opts o = { 10, 0 };
	struct colink_error err = {0};
	static const long v[3][3] = { { 1, 1, 30 }, { 20, 22, 25 }, { 15, 40, 12 } };
	size_t i, j;
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&t, "ones", "r", "c", 3, 3, &err), 0);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			t.v[AT(&t, i, j)] = v[i][j];
	colink_sup_margins(&t);
	CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&t, 1, &o, &err), 0);
	CU_ASSERT(audit_table(&t, &o));
	colink_sup_table_free(&t);
}

/* A caller-marked cell (a withheld site) stays suppressed and protected. */
static void test_suppress__marked_row_is_protected(void)
{
	struct colink_sup_table t;
	struct colink_sup_opts o = { 10, 0 };
	struct colink_error err = {0};
	static const long v[4][2] = { { 20, 25 }, { 30, 14 }, { 16, 12 }, { 11, 13 } };
	size_t i, j;
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&t, "site_sex", "site", "sex", 4, 2, &err), 0);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 2; j++)
			t.v[AT(&t, i, j)] = v[i][j];
	colink_sup_margins(&t);
	for (j = 0; j <= 2; j++)
		t.state[AT(&t, 3, j)] = COLINK_SUP_PRIMARY; /* site 4: withheld */
	CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&t, 1, &o, &err), 0);
	for (j = 0; j <= 2; j++)
		CU_ASSERT_EQUAL(t.state[AT(&t, 3, j)], COLINK_SUP_PRIMARY);
	/* its total (24) cannot be had as grand total minus the other sites */
	{
		long lo, hi;
		CU_ASSERT_EQUAL(colink_sup_interval(&t, 3, 2, &o, &lo, &hi, &err), 0);
		CU_ASSERT(lo < hi);
	}
	CU_ASSERT(audit_table(&t, &o));
	colink_sup_table_free(&t);
}

/* Two tables sharing the sex margins and the grand total: the margin
 * suppressed in one is suppressed in both, and each passes the audit. */
static void test_suppress__shared_margins_across_tables(void)
{
	struct colink_sup_table t[2];
	struct colink_sup_opts o = { 10, 0 };
	struct colink_error err = {0};
	static const long a[3][2] = { { 30, 3 }, { 25, 4 }, { 40, 2 } };  /* 9 women */
	static const long b[2][2] = { { 50, 5 }, { 45, 4 } };
	size_t i, j, w;
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&t[0], "age_sex", "age", "sex", 3, 2, &err), 0);
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&t[1], "site_sex", "site", "sex", 2, 2, &err), 0);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++)
			t[0].v[AT(&t[0], i, j)] = a[i][j];
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			t[1].v[AT(&t[1], i, j)] = b[i][j];
	colink_sup_margins(&t[0]);
	colink_sup_margins(&t[1]);
	CU_ASSERT_EQUAL(t[0].v[AT(&t[0], 3, 1)], 9);
	CU_ASSERT_EQUAL(t[1].v[AT(&t[1], 2, 1)], 9);
	CU_ASSERT_EQUAL_FATAL(colink_sup_protect(t, 2, &o, &err), 0);
	for (w = 0; w < 2; w++) {
		CU_ASSERT_EQUAL(t[w].state[AT(&t[w], t[w].rows, 1)] != 0, 1);
		CU_ASSERT_EQUAL(t[w].state[AT(&t[w], t[w].rows, 2)] != 0,
				t[1 - w].state[AT(&t[1 - w], t[1 - w].rows, 2)] != 0);
		CU_ASSERT(audit_table(&t[w], &o));
	}
	colink_sup_table_free(&t[0]);
	colink_sup_table_free(&t[1]);
}

/* Random small tables rich in small counts: every one passes the audit. */
static void test_suppress__random_tables_pass_the_audit(void)
{
	struct colink_sup_opts opts[3] = { { 10, 0 }, { 5, 0 }, { 10, 1 } };
	int round, audited = 0, tried = 0;
	rng_state = 7;
	for (round = 0; round < 300; round++) {
		struct colink_sup_table t;
		struct colink_error err = {0};
		const struct colink_sup_opts *o = &opts[round % 3];
		size_t R = 2 + rng() % 2, C = R == 3 ? 2 : 2 + rng() % 2, i, j; /* up to 3x2, 2x3 */
		CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&t, "random", "r", "c", R, C, &err), 0);
		for (i = 0; i < R; i++)
			for (j = 0; j < C; j++) {
				uint32_t r = rng() % 10;
				t.v[AT(&t, i, j)] = r < 2 ? 0 : r < 6 ? (long)(1 + rng() % 9) : (long)(10 + rng() % 12);
			}
		colink_sup_margins(&t);
		CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&t, 1, o, &err), 0);
		tried++;
		audited += audit_table(&t, o);
		colink_sup_table_free(&t);
	}
	fprintf(stderr, "random tables audited: %d of %d\n", audited, tried);
	CU_ASSERT(audited >= tried * 9 / 10); /* the rest: unbounded searches */
}

/* Nested pairs (colink_sup_pair_check): the complement parent - child of
 * two released cells, and of a suppressed one via its interval. */
static void test_suppress__pair_check_complements(void)
{
	struct colink_sup_opts o = { 10, 0 }, oz = { 10, 1 };
	struct colink_sup_table p, c;
	struct colink_error err = {0};
	int rev = -1;
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&p, "head", "r", "c", 2, 2, &err), 0);
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&c, "exam", "r", "c", 2, 2, &err), 0);
	p.v[AT(&p, 0, 0)] = 20, p.v[AT(&p, 0, 1)] = 30, p.v[AT(&p, 1, 0)] = 25, p.v[AT(&p, 1, 1)] = 10;
	c.v[AT(&c, 0, 0)] = 14, c.v[AT(&c, 0, 1)] = 30, c.v[AT(&c, 1, 0)] = 15, c.v[AT(&c, 1, 1)] = 8;
	colink_sup_margins(&p);
	colink_sup_margins(&c);
	/* released 20 and 14: 6 not examined */
	CU_ASSERT_EQUAL(colink_sup_pair_check(&p, AT(&p, 0, 0), &c, AT(&c, 0, 0), &o, &rev, &err), 0);
	CU_ASSERT_EQUAL(rev, 1);
	/* 30 and 30: everyone (0 allowed), unless zeros are suppressed */
	CU_ASSERT_EQUAL(colink_sup_pair_check(&p, AT(&p, 0, 1), &c, AT(&c, 0, 1), &o, &rev, &err), 0);
	CU_ASSERT_EQUAL(rev, 0);
	CU_ASSERT_EQUAL(colink_sup_pair_check(&p, AT(&p, 0, 1), &c, AT(&c, 0, 1), &oz, &rev, &err), 0);
	CU_ASSERT_EQUAL(rev, 1);
	/* 25 and 15: 10 */
	CU_ASSERT_EQUAL(colink_sup_pair_check(&p, AT(&p, 1, 0), &c, AT(&c, 1, 0), &o, &rev, &err), 0);
	CU_ASSERT_EQUAL(rev, 0);
	/* protect the child with its 14 and its 8 suppressed: 10 - (1..) is
	 * 0..9, which does not tell "everyone" from "a few" */
	c.state[AT(&c, 0, 0)] = COLINK_SUP_PRIMARY;
	CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&c, 1, &o, &err), 0);
	CU_ASSERT(c.state[AT(&c, 1, 1)] != 0);
	CU_ASSERT_EQUAL(colink_sup_pair_check(&p, AT(&p, 1, 1), &c, AT(&c, 1, 1), &o, &rev, &err), 0);
	CU_ASSERT_EQUAL(rev, 0);
	/* a child confined to 9..12 under a released 14: complement 2..5
	 * (rows 11+2 = 13, 12+3 = 15, first column 23 released) */
	colink_sup_table_free(&c);
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&c, "exam", "r", "c", 2, 2, &err), 0);
	c.v[AT(&c, 0, 0)] = 11, c.v[AT(&c, 0, 1)] = 2, c.v[AT(&c, 1, 0)] = 12, c.v[AT(&c, 1, 1)] = 3;
	colink_sup_margins(&c);
	c.state[AT(&c, 0, 0)] = c.state[AT(&c, 0, 1)] = c.state[AT(&c, 1, 0)] = COLINK_SUP_PRIMARY;
	c.state[AT(&c, 1, 1)] = c.state[AT(&c, 2, 1)] = COLINK_SUP_PRIMARY;
	{
		long lo, hi;
		CU_ASSERT_EQUAL(colink_sup_interval(&c, 0, 0, &o, &lo, &hi, &err), 0);
		CU_ASSERT_EQUAL(lo, 9);
		CU_ASSERT_EQUAL(hi, 12);
	}
	p.v[AT(&p, 0, 0)] = 14;
	colink_sup_margins(&p);
	memset(p.state, 0, 9);
	CU_ASSERT_EQUAL(colink_sup_pair_check(&p, AT(&p, 0, 0), &c, AT(&c, 0, 0), &o, &rev, &err), 0);
	CU_ASSERT_EQUAL(rev, 1);
	colink_sup_table_free(&c);
	colink_sup_table_free(&p);
}

/* Random parent/child tables, the child a subset cell by cell, made safe
 * the way the white paper does (child primary, else parent, else all):
 * the independent audit_pair finds no complement 1..k-1. */
static void test_suppress__random_pairs_pass_the_pair_audit(void)
{
	struct colink_sup_opts opts[2] = { { 10, 0 }, { 10, 1 } };
	int round;
	long checked = 0;
	rng_state = 11;
	for (round = 0; round < 200; round++) {
		struct colink_sup_table p, c;
		struct colink_error err = {0};
		const struct colink_sup_opts *o = &opts[round % 2];
		size_t i, j, n, guard = 0;
		int changed = 1;
		CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&p, "parent", "r", "c", 3, 2, &err), 0);
		CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&c, "child", "r", "c", 3, 2, &err), 0);
		for (i = 0; i < 3; i++)
			for (j = 0; j < 2; j++) {
				long x = rng() % 4 == 0 ? (long)(rng() % 10) : (long)(10 + rng() % 25);
				p.v[AT(&p, i, j)] = x;
				c.v[AT(&c, i, j)] = rng() % 5 == 0 ? x : x - (long)(rng() % (x + 1));
			}
		colink_sup_margins(&p);
		colink_sup_margins(&c);
		CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&p, 1, o, &err), 0);
		CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&c, 1, o, &err), 0);
		n = (p.rows + 1) * (p.cols + 1);
		while (changed && guard++ < 200) {
			changed = 0;
			for (i = 0; i < n && !changed; i++) {
				int rev;
				CU_ASSERT_EQUAL_FATAL(colink_sup_pair_check(&p, i, &c, i, o, &rev, &err), 0);
				if (!rev)
					continue;
				changed = 1;
				if (!c.state[i])
					c.state[i] = COLINK_SUP_PRIMARY;
				else if (!p.state[i])
					p.state[i] = COLINK_SUP_PRIMARY;
				else if (memchr(c.state, 0, n))
					memset(c.state, COLINK_SUP_PRIMARY, n);
				else
					memset(p.state, COLINK_SUP_PRIMARY, n);
				CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&p, 1, o, &err), 0);
				CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&c, 1, o, &err), 0);
			}
		}
		CU_ASSERT(!changed);
		checked += audit_pair(&p, &c, o);
		colink_sup_table_free(&p);
		colink_sup_table_free(&c);
	}
	fprintf(stderr, "random pairs: %ld released cell pairs checked\n", checked);
	CU_ASSERT(checked >= 500);
}

/* Every allocation of the protection can fail: a clean COLINK_ENOMEM, and
 * (under LeakSanitizer) nothing leaked; with enough, the same result. */
static void test_suppress__allocation_failures(void)
{
	struct colink_sup_opts o = { 10, 0 };
	struct colink_error err = {0};
	struct colink_sup_table t;
	unsigned char want[15];
	long n;
	int rc = -1;
	size_t c;
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&t, "oom", "age", "sex", 4, 2, &err), 0);
	for (c = 0; c < 8; c++)
		t.v[AT(&t, c / 2, c % 2)] = planted[c / 2][c % 2];
	colink_sup_margins(&t);
	CU_ASSERT_EQUAL_FATAL(colink_sup_protect(&t, 1, &o, &err), 0);
	memcpy(want, t.state, sizeof(want));
	for (n = 0; n < 100000 && rc; n++) {
		memset(t.state, 0, sizeof(want));
		colink_alloc_fail_after(n);
		rc = colink_sup_protect(&t, 1, &o, &err);
		colink_alloc_fail_after(-1);
		CU_ASSERT(rc == COLINK_OK || rc == COLINK_ENOMEM);
		if (rc == COLINK_ENOMEM)
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "out of memory"));
	}
	CU_ASSERT_EQUAL(rc, COLINK_OK);
	CU_ASSERT(n > 2); /* some allocations did fail on the way */
	CU_ASSERT_EQUAL(memcmp(want, t.state, sizeof(want)), 0);
	colink_sup_table_free(&t);
}

static void test_suppress__bad_k_refused(void)
{
	struct colink_sup_table t;
	struct colink_sup_opts o = { 0, 0 };
	struct colink_error err = {0};
	CU_ASSERT_EQUAL_FATAL(colink_sup_table_init(&t, "t", "r", "c", 1, 1, &err), 0);
	CU_ASSERT_EQUAL(colink_sup_protect(&t, 1, &o, &err), COLINK_EINVAL);
	CU_ASSERT(strstr(err.msg, "k must be at least 1") != NULL);
	colink_sup_table_free(&t);
}

static const struct tu_test tests[] = {
	TU_TEST(test_suppress__planted_0_9_10_and_revealing_margin),
	TU_TEST(test_suppress__zero_suppression_setting),
	TU_TEST(test_suppress__two_ones_need_more_than_pairing),
	TU_TEST(test_suppress__marked_row_is_protected),
	TU_TEST(test_suppress__shared_margins_across_tables),
	TU_TEST(test_suppress__random_tables_pass_the_audit),
	TU_TEST(test_suppress__pair_check_complements),
	TU_TEST(test_suppress__random_pairs_pass_the_pair_audit),
	TU_TEST(test_suppress__allocation_failures),
	TU_TEST(test_suppress__bad_k_refused),
	TU_END
};

int main(void)
{
	if (tu_add_suite("suppress", NULL, NULL, tests))
		return 1;
	return tu_run_suites();
}
