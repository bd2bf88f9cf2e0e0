/* sup_audit.h -- the brute-force AUDIT of a released table, shared by
 * tests/test_suppress.c and tests/test_whitepaper.c (static: include once
 * per test program).  Written independently of engine/programs/suppress.c:
 * it enumerates every integer table that agrees with the released numbers
 * (suppressed cells >= 1 when zeros are released, as a reader knows) and
 * collects each suppressed cell's feasible values. */
#ifndef COLINK_SUP_AUDIT_H
#define COLINK_SUP_AUDIT_H

#include <CUnit/Basic.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "programs/suppress.h"

#define AT(t, i, j) COLINK_SUP_AT(t, i, j)
/* not every program including this uses every check (report_leak.h) */
#if defined(__GNUC__)
#define SUP_AUDIT_UNUSED __attribute__((unused))
#else
#define SUP_AUDIT_UNUSED
#endif
#define MAXCELLS 64

struct audit {
	const struct colink_sup_table *t;
	long lo, ub;                /* reader's lower bound, search bound */
	long clo[MAXCELLS];         /* per withheld cell: the reader's lower bound (>= lo) */
	long val[MAXCELLS];         /* current candidate grid (interior) */
	long minv[MAXCELLS], maxv[MAXCELLS];
	size_t vars[MAXCELLS], nvars;
	long long nodes, budget;
	long solutions;
	int first_only;             /* stop at the first solution (audit_witness) */
	unsigned char desc[MAXCELLS]; /* per var: with first_only, values tried high to low */
};

static int released(const struct colink_sup_table *t, size_t c)
{
	return t->state[c] == COLINK_SUP_RELEASED;
}

/* Sum of row i (is_row) or column j over interior cells fixed so far (the
 * first `upto` vars assigned); *open counts unassigned suppressed cells. */
static long partial(struct audit *a, int is_row, size_t k, size_t upto, size_t *open)
{
	const struct colink_sup_table *t = a->t;
	size_t n = is_row ? t->cols : t->rows, m, v;
	long s = 0;
	*open = 0;
	for (m = 0; m < n; m++) {
		size_t c = is_row ? AT(t, k, m) : AT(t, m, k);
		if (released(t, c)) {
			s += t->v[c];
			continue;
		}
		for (v = 0; v < upto && a->vars[v] != c; v++)
			;
		if (v < upto)
			s += a->val[c];
		else
			(*open)++;
	}
	return s;
}

static void leaf(struct audit *a)
{
	const struct colink_sup_table *t = a->t;
	size_t R = t->rows, C = t->cols, i, j, c;
	long g = 0;
	long grid[MAXCELLS];
	for (i = 0; i < R; i++)
		for (j = 0; j < C; j++) {
			c = AT(t, i, j);
			grid[c] = released(t, c) ? t->v[c] : a->val[c];
		}
	for (i = 0; i < R; i++) {
		long s = 0;
		for (j = 0; j < C; j++)
			s += grid[AT(t, i, j)];
		grid[AT(t, i, C)] = s;
		g += s;
	}
	for (j = 0; j < C; j++) {
		long s = 0;
		for (i = 0; i < R; i++)
			s += grid[AT(t, i, j)];
		grid[AT(t, R, j)] = s;
	}
	grid[AT(t, R, C)] = g;
	for (c = 0; c < (R + 1) * (C + 1); c++) {
		if (released(t, c) && grid[c] != t->v[c])
			return;
		if (!released(t, c) && grid[c] < a->clo[c])
			return;
	}
	a->solutions++;
	for (c = 0; c < (R + 1) * (C + 1); c++) {
		if (grid[c] < a->minv[c])
			a->minv[c] = grid[c];
		if (grid[c] > a->maxv[c])
			a->maxv[c] = grid[c];
	}
}

static void dfs(struct audit *a, size_t k)
{
	const struct colink_sup_table *t = a->t;
	size_t c, i, j, ro, co;
	long from = a->lo, to = a->ub, x, rs, cs;
	if (++a->nodes > a->budget || (a->first_only && a->solutions))
		return;
	if (k == a->nvars) {
		leaf(a);
		return;
	}
	c = a->vars[k];
	i = c / (t->cols + 1);
	j = c % (t->cols + 1);
	rs = partial(a, 1, i, k, &ro);
	cs = partial(a, 0, j, k, &co);
	if (released(t, AT(t, i, t->cols))) {
		long tot = t->v[AT(t, i, t->cols)];
		if (ro == 1)
			from = to = tot - rs;
		else if (tot - rs - a->lo * (long)(ro - 1) < to)
			to = tot - rs - a->lo * (long)(ro - 1);
	}
	if (released(t, AT(t, t->rows, j))) {
		long tot = t->v[AT(t, t->rows, j)];
		if (co == 1) {
			if (tot - cs < from || tot - cs > to)
				return;
			from = to = tot - cs;
		} else if (tot - cs - a->lo * (long)(co - 1) < to)
			to = tot - cs - a->lo * (long)(co - 1);
	}
	if (released(t, AT(t, t->rows, t->cols))) { /* the grand total: the sum of every interior cell */
		long tot = t->v[AT(t, t->rows, t->cols)], gs = 0;
		size_t open = a->nvars - k, m;
		for (m = 0; m < t->rows * (t->cols + 1); m++)
			if (m % (t->cols + 1) < t->cols && released(t, m))
				gs += t->v[m];
		for (m = 0; m < k; m++)
			gs += a->val[a->vars[m]];
		if (open == 1) {
			if (tot - gs < from || tot - gs > to)
				return;
			from = to = tot - gs;
		} else if (tot - gs - a->lo * (long)(open - 1) < to)
			to = tot - gs - a->lo * (long)(open - 1);
	}
	if (from < a->clo[c])
		from = a->clo[c];
	if (a->first_only) { /* a witness: the target's line high to low, the rest low to high */
		for (x = a->desc[k] ? to : from; x >= from && x <= to && !a->solutions; x += a->desc[k] ? -1 : 1) {
			a->val[c] = x;
			dfs(a, k + 1);
		}
		return;
	}
	for (x = from; x <= to; x++) {
		a->val[c] = x;
		dfs(a, k + 1);
	}
}

/* Run the audit of t; 0 when the budget ran out (not audited).  clo: the
 * reader's lower bound per cell (NULL: 1 when zeros are released, else 0,
 * for every withheld cell) -- a cell merely not printed, rather than
 * withheld, may be 0. */
static int audit_run_lo(struct audit *a, const struct colink_sup_table *t,
			const struct colink_sup_opts *o, const long *clo)
{
	size_t c, n = (t->rows + 1) * (t->cols + 1);
	CU_ASSERT_FATAL(n <= MAXCELLS);
	memset(a, 0, sizeof(*a));
	a->t = t;
	a->lo = o->suppress_zeros ? 0 : 1;
	/* a released grand total bounds every cell; else search well past it */
	a->ub = released(t, AT(t, t->rows, t->cols)) ? t->v[AT(t, t->rows, t->cols)]
						     : 2 * t->v[AT(t, t->rows, t->cols)] + 3 * o->k;
	a->budget = 5000000;
	for (c = 0; c < n; c++) {
		a->clo[c] = clo ? clo[c] : a->lo;
		a->minv[c] = LONG_MAX;
		a->maxv[c] = LONG_MIN;
		if (!released(t, c) && c / (t->cols + 1) < t->rows && c % (t->cols + 1) < t->cols)
			a->vars[a->nvars++] = c;
	}
	if (clo) /* the pruning needs a bound below every cell's */
		for (c = 0; c < n; c++)
			if (clo[c] < a->lo)
				a->lo = clo[c];
	dfs(a, 0);
	return a->nodes <= a->budget;
}

/* A witness: whether some integer table agrees with the released numbers
 * of t (withheld cells >= 1 when zeros are released, >= 0 otherwise) and
 * has cell c >= at_least.  1 found, 0 none, -1 the search ran out of its
 * budget.  Where the full enumeration of audit_table is out of reach (many
 * withheld cells), a witness with a withheld cell of 1..k-1 at >= k proves
 * it is neither pinned nor confined below k. */
SUP_AUDIT_UNUSED static int audit_witness(const struct colink_sup_table *t, const struct colink_sup_opts *o,
					  size_t c, long at_least)
{
	struct audit a;
	long clo[MAXCELLS];
	size_t i, n = (t->rows + 1) * (t->cols + 1);
	int done;
	for (i = 0; i < n && i < MAXCELLS; i++)
		clo[i] = o->suppress_zeros ? 0 : 1;
	clo[c] = at_least;
	/* audit_run_lo, stopping at the first table found */
	CU_ASSERT_FATAL(n <= MAXCELLS);
	memset(&a, 0, sizeof(a));
	a.t = t;
	a.lo = o->suppress_zeros ? 0 : 1;
	a.ub = released(t, AT(t, t->rows, t->cols)) ? t->v[AT(t, t->rows, t->cols)]
						    : 2 * t->v[AT(t, t->rows, t->cols)] + 3 * o->k;
	if (a.ub < at_least)
		a.ub = at_least;
	a.budget = 5000000;
	a.first_only = 1;
	/* the withheld interior cells of c's row or column first (c itself
	 * first), tried high to low; then the others, low to high */
	{
		size_t ci = c / (t->cols + 1), cj = c % (t->cols + 1), pass;
		for (pass = 0; pass < 3; pass++)
			for (i = 0; i < n; i++) {
				size_t ri = i / (t->cols + 1), rj = i % (t->cols + 1);
				int line = (ci == t->rows || ri == ci) && (cj == t->cols || rj == cj);
				line = line || (ci < t->rows && cj < t->cols && (ri == ci || rj == cj));
				if (released(t, i) || ri >= t->rows || rj >= t->cols)
					continue;
				if ((pass == 0 && i == c) || (pass == 1 && i != c && line) || (pass == 2 && !line)) {
					a.desc[a.nvars] = pass < 2;
					a.vars[a.nvars++] = i;
				}
			}
	}
	for (i = 0; i < n; i++) {
		a.clo[i] = clo[i];
		a.minv[i] = LONG_MAX;
		a.maxv[i] = LONG_MIN;
	}
	dfs(&a, 0);
	done = a.nodes <= a.budget || a.solutions;
	return a.solutions ? 1 : done ? 0 : -1;
}

SUP_AUDIT_UNUSED static int audit_run(struct audit *a, const struct colink_sup_table *t,
		     const struct colink_sup_opts *o)
{
	return audit_run_lo(a, t, o, NULL);
}

/* Every suppressed cell: not pinned, not confined below k; the engine's
 * exact interval equals the brute force's.  Returns the audited flag. */
static int audit_table_lo(const struct colink_sup_table *t, const struct colink_sup_opts *o, int truth,
			  const long *clo)
{
	struct audit a;
	size_t i, j;
	if (!audit_run_lo(&a, t, o, clo))
		return 0;
	CU_ASSERT_FATAL(a.solutions >= 1); /* the true table is one */
	for (i = 0; i <= t->rows; i++)
		for (j = 0; j <= t->cols; j++) {
			size_t c = AT(t, i, j);
			long lo, hi;
			struct colink_error err = {0};
			if (released(t, c))
				continue;
			if (a.clo[c] == 0 && a.minv[c] == 0 && !o->suppress_zeros)
				continue; /* possibly 0, which may be released: nothing small revealed */
			CU_ASSERT(a.minv[c] < a.maxv[c]);       /* not pinned */
			CU_ASSERT(a.maxv[c] >= o->k);          /* not confined to 1..k-1 */
			if (a.minv[c] >= a.maxv[c] || a.maxv[c] < o->k)
				fprintf(stderr, "revealed: %s cell (%zu,%zu) in [%ld,%ld]\n",
					t->name, i, j, a.minv[c], a.maxv[c]);
			if (!truth)
				continue;
			CU_ASSERT(a.minv[c] <= t->v[c] && t->v[c] <= a.maxv[c]);
			CU_ASSERT_EQUAL(colink_sup_interval(t, i, j, o, &lo, &hi, &err), 0);
			CU_ASSERT_EQUAL(lo, a.minv[c]);
			if (hi >= 0) {
				CU_ASSERT_EQUAL(hi, a.maxv[c]);
			} else { /* unbounded: the search reaches its own bound */
				CU_ASSERT(a.maxv[c] >= a.ub);
			}
		}
	return 1;
}

SUP_AUDIT_UNUSED static int audit_table_ex(const struct colink_sup_table *t, const struct colink_sup_opts *o, int truth)
{
	return audit_table_lo(t, o, truth, NULL);
}

/* The audit, with the true values of the suppressed cells known. */
SUP_AUDIT_UNUSED static int audit_table(const struct colink_sup_table *t, const struct colink_sup_opts *o)
{
	return audit_table_ex(t, o, 1);
}

/* The complement of a nested pair: child table ct counts a subset of the
 * persons of the same cell of parent table pt (examinees of the headcount),
 * so parent - child is a person count.  For every cell: both released ->
 * the difference is 0 or >= k (>= k with suppress_zeros); one or both
 * suppressed -> from the brute-force intervals of each table (and child <=
 * parent) the complement is neither pinned to a non-zero value nor
 * confined to 1..k-1.  Returns the number of released pairs checked. */
SUP_AUDIT_UNUSED static long audit_pair(const struct colink_sup_table *pt, const struct colink_sup_table *ct,
		       const struct colink_sup_opts *o)
{
	struct audit ap, ac;
	size_t c, n = (pt->rows + 1) * (pt->cols + 1);
	long checked = 0;
	int pok, cok;
	CU_ASSERT_FATAL(pt->rows == ct->rows && pt->cols == ct->cols);
	pok = audit_run(&ap, pt, o);
	cok = audit_run(&ac, ct, o);
	for (c = 0; c < n; c++) {
		long plo, phi, clo, chi, dlo, dhi;
		if (released(pt, c) && released(ct, c)) {
			long d = pt->v[c] - ct->v[c];
			CU_ASSERT(d >= 0);
			CU_ASSERT(d >= o->k || (d == 0 && !o->suppress_zeros));
			if (d < 0 || (d < o->k && (d > 0 || o->suppress_zeros)))
				fprintf(stderr, "complement %s - %s cell %zu = %ld\n", pt->name, ct->name, c, d);
			checked++;
			continue;
		}
		if (!pok || !cok)
			continue;
		plo = released(pt, c) ? pt->v[c] : ap.minv[c];
		phi = released(pt, c) ? pt->v[c] : ap.maxv[c];
		clo = released(ct, c) ? ct->v[c] : ac.minv[c];
		chi = released(ct, c) ? ct->v[c] : ac.maxv[c];
		if (!released(pt, c) && phi >= ap.ub)
			continue; /* the parent is open above: the complement too */
		if (chi > phi)
			chi = phi;
		if (plo < clo)
			plo = clo;
		dlo = plo - chi > 0 ? plo - chi : 0;
		dhi = phi - clo;
		CU_ASSERT(!(dlo == dhi && (dlo > 0 || o->suppress_zeros)));
		CU_ASSERT(!(dhi < o->k && (dlo >= 1 || o->suppress_zeros)));
		if ((dlo == dhi && (dlo > 0 || o->suppress_zeros)) || (dhi < o->k && (dlo >= 1 || o->suppress_zeros)))
			fprintf(stderr, "complement %s - %s cell %zu in [%ld,%ld]\n", pt->name, ct->name, c,
				dlo, dhi);
	}
	return checked;
}

#endif
