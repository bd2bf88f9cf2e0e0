/*
 * suppress.h -- small-cell protection of released count tables (健康白書).
 *
 * A table is R rows x C columns of person counts with its margins: row
 * totals (column C), column totals (row R) and the grand total (R, C).
 * Every cell of that (R+1) x (C+1) grid is a released number unless it is
 * suppressed.  The rules (jp-health-data.md section 5, NDB 最小集計単位の原則):
 *
 *   primary        a count 1 <= n < k is suppressed (0 is released, unless
 *                  suppress_zeros: then 0 <= n < k); a caller may also mark
 *                  a cell primary (a withheld site, a rate whose complement
 *                  is small);
 *   complementary  suppressed cells are never alone in a released linear
 *                  relation (a row or column with its total): the smallest
 *                  non-zero released partner is suppressed (ties: the lowest
 *                  index), iterated to a fixed point;
 *   exact check    then, per table, the feasible interval of every suppressed
 *                  cell given every released number is computed exactly (a
 *                  table with margins is a circulation in a network: the
 *                  bounds are max-flow problems, integral), where an attacker
 *                  knows every suppressed cell is >= 1 when zeros are
 *                  released.  A cell whose interval is one value, or lies
 *                  below k, gets one more partner suppressed; repeat.
 *
 * Tables protected together may share cells: the margins of a dimension
 * (named by row_dim / col_dim) and the grand total are the same numbers in
 * every table of the set, so a margin suppressed in one is suppressed in
 * all.  Cross-table intervals of a shared margin are intersected and checked
 * the same way (an attacker combines the tables).
 *
 * Memory: a table owns its arrays (colink_sup_table_free).  Nothing here
 * reads data; the caller fills counts.
 */
#ifndef COLINK_SUPPRESS_H
#define COLINK_SUPPRESS_H

#include <stddef.h>

#include "colink/plugin.h" /* struct colink_error */

enum colink_sup_state {
	COLINK_SUP_RELEASED = 0,
	COLINK_SUP_PRIMARY = 1,   /* below k (or marked by the caller) */
	COLINK_SUP_SECONDARY = 2  /* complementary: protects a primary cell */
};

struct colink_sup_opts {
	long k;             /* minimum released count, >= 1 (default 10) */
	int suppress_zeros; /* 1: 0 is suppressed like 1..k-1 */
};

struct colink_sup_table {
	const char *name;     /* borrowed; for messages */
	const char *row_dim;  /* borrowed; dimension of the rows ("age", "site") */
	const char *col_dim;  /* borrowed; dimension of the columns ("sex") */
	size_t rows, cols;    /* interior size */
	long *v;              /* (rows+1)*(cols+1) counts, row-major, margins last */
	unsigned char *state; /* enum colink_sup_state per cell */
	int prefer_row_totals; /* 1: a partner is taken from the row totals first,
				* then the interior cells, the grand total, the
				* column totals last (each: the smallest non-zero;
				* the white paper, whose column totals carry the
				* by-sex rates); 0 (init): the smallest non-zero
				* anywhere */
};

/* Index of cell (i, j), 0 <= i <= rows, 0 <= j <= cols. */
#define COLINK_SUP_AT(t, i, j) ((i) * ((t)->cols + 1) + (j))

/* Allocate a zeroed rows x cols table (margins included).  0 or
 * COLINK_ENOMEM.  Free with colink_sup_table_free (accepts NULL members). */
int colink_sup_table_init(struct colink_sup_table *t, const char *name,
			  const char *row_dim, const char *col_dim,
			  size_t rows, size_t cols, struct colink_error *err);
void colink_sup_table_free(struct colink_sup_table *t);

/* Recompute the margins from the interior counts. */
void colink_sup_margins(struct colink_sup_table *t);
/* The same for a per-cell array s of t's shape (sums that go with the
 * counts: days, yen): its margins from its interior. */
void colink_sup_margins_of(const struct colink_sup_table *t, double *s);
/* 1 when no cell of t (margins included) is released. */
int colink_sup_all_withheld(const struct colink_sup_table *t);

/* Protect n tables together (see above).  The states are reset, primary
 * cells the caller marked (state COLINK_SUP_PRIMARY before the call) are
 * kept.  0, or COLINK_EINVAL / COLINK_ENOMEM with err set. */
int colink_sup_protect(struct colink_sup_table *tables, size_t n,
		       const struct colink_sup_opts *o, struct colink_error *err);

/* One more partner for the suppressed cell c of t (the exact check's
 * widening: in its row or column, else anywhere, a released zero last),
 * marked COLINK_SUP_PRIMARY so that a later colink_sup_protect keeps it.
 * 1 if a cell was suppressed, 0 if every cell already is, -1 when out
 * of memory. */
int colink_sup_widen(struct colink_sup_table *t, size_t c, const struct colink_sup_opts *o);

/* The exact feasible interval of cell (i, j) of t given its released
 * numbers (the attacker's view: suppressed cells >= lo, lo = 1 when zeros
 * are released).  *hi = -1 when unbounded.  0 or COLINK_ENOMEM. */
int colink_sup_interval(const struct colink_sup_table *t, size_t i, size_t j,
			const struct colink_sup_opts *o, long *lo_out, long *hi_out,
			struct colink_error *err);

/* A nested pair: the child cell cc of tc counts a subset of the persons of
 * the parent cell pc of tp (examinees of the headcount), so parent - child
 * is a person count too.  *reveals = 1 when the released numbers give it
 * away: both released and 1 <= parent - child < k (0 too with
 * suppress_zeros); or, with one of them suppressed, the complement's
 * interval (from each table's exact interval and child <= parent) is one
 * value or lies in 1..k-1 (0..k-1 with suppress_zeros) while the complement
 * is not an allowed 0, or the
 * pair pins a suppressed cell.  The intervals are each table's own, so this
 * is a necessary condition, like the shared-margin check.  0 or
 * COLINK_ENOMEM. */
int colink_sup_pair_check(const struct colink_sup_table *tp, size_t pc,
			  const struct colink_sup_table *tc, size_t cc,
			  const struct colink_sup_opts *o, int *reveals,
			  struct colink_error *err);
/* Parent cell c of tp, child cell c of tc (same shape): when the pair
 * reveals its complement (colink_sup_pair_check), withhold the child cell,
 * or, when it is withheld already, the whole child table, and protect the
 * child's group (the n tables from `group` protected together, tc among
 * them) again.  The parent is left alone: a population the recipient
 * knows, or a count protected on its own.  1 changed, 0 not (also when
 * nothing of the child is released), < 0 error. */
int colink_sup_nest_child(const struct colink_sup_table *tp, struct colink_sup_table *tc, size_t c,
			  struct colink_sup_table *group, size_t n, const struct colink_sup_opts *o,
			  struct colink_error *err);

#endif
