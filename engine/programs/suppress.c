/*
 * suppress.c -- small-cell protection: primary, complementary, exact check.
 *
 * The exact check rests on one observation: a two-way table with its
 * margins is a circulation in the network
 *
 *     S --(row total i)--> row i --(cell i,j)--> col j --(col total j)--> T
 *     T --(grand total)--> S
 *
 * so the released numbers fix some edge flows and leave the suppressed ones
 * free (>= lo).  The largest value a suppressed edge u->v can take is its
 * value plus the maximum flow from v back to u in the residual network
 * without that edge; the smallest is its value minus the maximum flow from
 * u to v.  Network matrices are totally unimodular, so these bounds are
 * attained by integer tables: they are exactly what anyone can deduce from
 * the released numbers of one table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "programs/suppress.h"

#define INF_CAP ((long long)1 << 50)
#define UNBOUNDED ((long long)1 << 45)

int colink_sup_table_init(struct colink_sup_table *t, const char *name,
			  const char *row_dim, const char *col_dim,
			  size_t rows, size_t cols, struct colink_error *err)
{
	size_t n;
	memset(t, 0, sizeof(*t));
	if (rows == 0 || cols == 0 || rows > 100000 || cols > 100000)
		return COLINK_ERR(err, COLINK_EINVAL, "table %s: %zu x %zu is not a table size",
				  name ? name : "?", rows, cols);
	n = (rows + 1) * (cols + 1);
	t->name = name;
	t->row_dim = row_dim;
	t->col_dim = col_dim;
	t->rows = rows;
	t->cols = cols;
	t->v = colink_calloc(n, sizeof(*t->v));
	t->state = colink_calloc(n, 1);
	if (!t->v || !t->state) {
		colink_sup_table_free(t);
		return COLINK_ERR(err, COLINK_ENOMEM, "table %s: out of memory", name ? name : "?");
	}
	return COLINK_OK;
}

void colink_sup_table_free(struct colink_sup_table *t)
{
	if (!t)
		return;
	colink_free(t->v);
	colink_free(t->state);
	t->v = NULL;
	t->state = NULL;
}

void colink_sup_margins(struct colink_sup_table *t)
{
	size_t i, j, R = t->rows, C = t->cols;
	for (i = 0; i <= R; i++)
		t->v[COLINK_SUP_AT(t, i, C)] = 0;
	for (j = 0; j < C; j++)
		t->v[COLINK_SUP_AT(t, R, j)] = 0;
	for (i = 0; i < R; i++)
		for (j = 0; j < C; j++) {
			long x = t->v[COLINK_SUP_AT(t, i, j)];
			t->v[COLINK_SUP_AT(t, i, C)] += x;
			t->v[COLINK_SUP_AT(t, R, j)] += x;
			t->v[COLINK_SUP_AT(t, R, C)] += x;
		}
}

void colink_sup_margins_of(const struct colink_sup_table *t, double *s)
{
	size_t i, j, R = t->rows, C = t->cols;
	for (i = 0; i <= R; i++)
		s[COLINK_SUP_AT(t, i, C)] = 0;
	for (j = 0; j < C; j++)
		s[COLINK_SUP_AT(t, R, j)] = 0;
	for (i = 0; i < R; i++)
		for (j = 0; j < C; j++) {
			double x = s[COLINK_SUP_AT(t, i, j)];
			s[COLINK_SUP_AT(t, i, C)] += x;
			s[COLINK_SUP_AT(t, R, j)] += x;
			s[COLINK_SUP_AT(t, R, C)] += x;
		}
}

int colink_sup_all_withheld(const struct colink_sup_table *t)
{
	size_t c, n = (t->rows + 1) * (t->cols + 1);
	for (c = 0; c < n; c++)
		if (!t->state[c])
			return 0;
	return 1;
}

/* ---- the network view of one table --------------------------------- */

/* Nodes: 0 = S, 1 = T, 2..R+1 rows, R+2..R+C+1 columns.  Cell (i, j) of
 * the grid is the edge edge_of() returns. */
static void edge_of(const struct colink_sup_table *t, size_t i, size_t j,
		    size_t *u, size_t *v)
{
	size_t R = t->rows, C = t->cols;
	if (i < R && j < C) {
		*u = 2 + i;
		*v = 2 + R + j;
	} else if (i < R) { /* row total */
		*u = 0;
		*v = 2 + i;
	} else if (j < C) { /* column total */
		*u = 2 + R + j;
		*v = 1;
	} else {            /* grand total */
		*u = 1;
		*v = 0;
	}
}

struct net {
	size_t n;
	long long *cap; /* n*n residual capacities */
	size_t *prev, *queue;
};

static void net_free(struct net *g)
{
	colink_free(g->cap);
	colink_free(g->prev);
	colink_free(g->queue);
}

/* Residual network of t without cell (xi, xj): suppressed cells can grow
 * without bound and shrink down to lo; released cells are fixed. */
static int net_build(struct net *g, const struct colink_sup_table *t, size_t xi,
		     size_t xj, long lo)
{
	size_t i, j, u, v;
	g->n = t->rows + t->cols + 2;
	g->cap = colink_calloc(g->n * g->n, sizeof(*g->cap));
	g->prev = colink_calloc(g->n, sizeof(*g->prev));
	g->queue = colink_calloc(g->n, sizeof(*g->queue));
	if (!g->cap || !g->prev || !g->queue)
		return -1;
	for (i = 0; i <= t->rows; i++)
		for (j = 0; j <= t->cols; j++) {
			size_t c = COLINK_SUP_AT(t, i, j);
			long x = t->v[c];
			if (!t->state[c] || (i == xi && j == xj))
				continue;
			edge_of(t, i, j, &u, &v);
			g->cap[u * g->n + v] += INF_CAP;
			if (x > lo)
				g->cap[v * g->n + u] += x - lo;
		}
	return 0;
}

/* Edmonds-Karp from s to t, at most `limit`. */
static long long max_flow(struct net *g, size_t s, size_t t, long long limit)
{
	long long total = 0;
	size_t n = g->n;
	while (total < limit) {
		size_t head = 0, tail = 0, u, v;
		long long b;
		for (u = 0; u < n; u++)
			g->prev[u] = SIZE_MAX;
		g->prev[s] = s;
		g->queue[tail++] = s;
		while (head < tail && g->prev[t] == SIZE_MAX) {
			u = g->queue[head++];
			for (v = 0; v < n; v++)
				if (g->prev[v] == SIZE_MAX && g->cap[u * n + v] > 0) {
					g->prev[v] = u;
					g->queue[tail++] = v;
				}
		}
		if (g->prev[t] == SIZE_MAX)
			break;
		b = limit - total;
		for (v = t; v != s; v = g->prev[v])
			if (g->cap[g->prev[v] * n + v] < b)
				b = g->cap[g->prev[v] * n + v];
		for (v = t; v != s; v = g->prev[v]) {
			g->cap[g->prev[v] * n + v] -= b;
			g->cap[v * n + g->prev[v]] += b;
		}
		total += b;
	}
	return total;
}

int colink_sup_interval(const struct colink_sup_table *t, size_t i, size_t j,
			const struct colink_sup_opts *o, long *lo_out, long *hi_out,
			struct colink_error *err)
{
	struct net g = { 0 };
	size_t u, v, c = COLINK_SUP_AT(t, i, j);
	long lo = o->suppress_zeros ? 0 : 1, x = t->v[c];
	long long up, down;
	if (!t->state[c]) {
		*lo_out = *hi_out = x;
		return COLINK_OK;
	}
	edge_of(t, i, j, &u, &v);
	if (net_build(&g, t, i, j, lo))
		goto oom;
	up = max_flow(&g, v, u, UNBOUNDED);
	net_free(&g);
	memset(&g, 0, sizeof(g));
	if (net_build(&g, t, i, j, lo))
		goto oom;
	down = x > lo ? max_flow(&g, u, v, x - lo) : 0;
	net_free(&g);
	*hi_out = up >= UNBOUNDED ? -1 : (long)(x + up);
	*lo_out = (long)(x - down);
	return COLINK_OK;
oom:
	net_free(&g);
	return COLINK_ERR(err, COLINK_ENOMEM, "table %s: out of memory", t->name ? t->name : "?");
}

/* ---- the protection loop ------------------------------------------- */

/* Whether an interval gives too much away: one value, or entirely below k
 * (it then says "a small count" even when not which). */
static int revealing(long lo, long hi, const struct colink_sup_opts *o)
{
	if (hi < 0)
		return 0;
	return lo == hi || hi < o->k;
}

/* The preference class of grid cell c when t->prefer_row_totals: a
 * total rather than a cell of a column (a sex): row totals (0), interior
 * cells (1), the grand total (2), the column totals (3) last. */
static int partner_class(const struct colink_sup_table *t, size_t c)
{
	size_t i = c / (t->cols + 1), j = c % (t->cols + 1);
	if (!t->prefer_row_totals)
		return 0;
	if (i < t->rows)
		return j == t->cols ? 0 : 1;
	return j == t->cols ? 2 : 3;
}

/* Suppress the preferred released cell among the n grid cells listed in
 * idx: the lowest partner_class, then the smallest non-zero (ties: first
 * listed); zeros too when zeros is set.  Its index, or SIZE_MAX. */
static size_t pick_smallest(struct colink_sup_table *t, const size_t *idx, size_t n, int zeros,
			    const struct colink_sup_opts *o)
{
	size_t a, best = SIZE_MAX;
	int bc = 0;
	for (a = 0; a < n; a++) {
		size_t c = idx[a];
		int k;
		if (t->state[c] || (t->v[c] == 0 && !zeros))
			continue;
		k = partner_class(t, c);
		if (best == SIZE_MAX || k < bc || (k == bc && t->v[c] < t->v[best])) {
			best = c;
			bc = k;
		}
	}
	if (best != SIZE_MAX)
		t->state[best] = COLINK_SUP_SECONDARY;
	return best;
}

static int suppress_smallest(struct colink_sup_table *t, const size_t *idx, size_t n,
			     const struct colink_sup_opts *o)
{
	return pick_smallest(t, idx, n, 0, o) != SIZE_MAX;
}

/* Grid indices of row i (cols 0..C) or column j (rows 0..R) into idx. */
static size_t relation(const struct colink_sup_table *t, int is_row, size_t k, size_t *idx)
{
	size_t a, n = is_row ? t->cols + 1 : t->rows + 1;
	for (a = 0; a < n; a++)
		idx[a] = is_row ? COLINK_SUP_AT(t, k, a) : COLINK_SUP_AT(t, a, k);
	return n;
}

/* No relation with exactly one suppressed cell.  Returns changes made. */
static int complementary(struct colink_sup_table *t, const struct colink_sup_opts *o, size_t *idx)
{
	int changed = 0, is_row;
	size_t k, a, n;
	for (is_row = 1; is_row >= 0; is_row--)
		for (k = 0; k <= (is_row ? t->rows : t->cols); k++) {
			size_t nsup = 0;
			n = relation(t, is_row, k, idx);
			for (a = 0; a < n; a++)
				nsup += t->state[idx[a]] != 0;
			if (nsup == 1)
				changed += suppress_smallest(t, idx, n, o);
		}
	return changed;
}

/* One more partner for the revealed cell (i, j): in its row or column,
 * else anywhere in the table; a released zero only as the last resort
 * (suppressing a zero makes the reader's "suppressed >= 1" wrong, which
 * costs nothing but a number). */
static size_t widen_cell(struct colink_sup_table *t, size_t i, size_t j, size_t *idx,
			 const struct colink_sup_opts *o)
{
	size_t n = relation(t, 1, i, idx), c;
	n += relation(t, 0, j, idx + n);
	if ((c = pick_smallest(t, idx, n, 0, o)) != SIZE_MAX)
		return c;
	for (n = 0; n < (t->rows + 1) * (t->cols + 1); n++)
		idx[n] = n;
	if ((c = pick_smallest(t, idx, n, 0, o)) != SIZE_MAX)
		return c;
	return pick_smallest(t, idx, n, 1, o);
}

static int widen(struct colink_sup_table *t, size_t i, size_t j, size_t *idx,
		 const struct colink_sup_opts *o)
{
	return widen_cell(t, i, j, idx, o) != SIZE_MAX;
}

int colink_sup_widen(struct colink_sup_table *t, size_t c, const struct colink_sup_opts *o)
{
	size_t n = (t->rows + 1) * (t->cols + 1), got;
	size_t *idx = colink_calloc(n, sizeof(*idx));
	if (!idx)
		return -1;
	got = widen_cell(t, c / (t->cols + 1), c % (t->cols + 1), idx, o);
	colink_free(idx);
	if (got == SIZE_MAX)
		return 0;
	t->state[got] = COLINK_SUP_PRIMARY;
	return 1;
}

/* The exact check of one table: widen at the first revealing cell.
 * 1 if something changed, 0 if the table is safe, <0 on error. */
static int exact_pass(struct colink_sup_table *t, const struct colink_sup_opts *o,
		      size_t *idx, struct colink_error *err)
{
	size_t i, j;
	for (i = 0; i <= t->rows; i++)
		for (j = 0; j <= t->cols; j++) {
			long lo, hi;
			int rc;
			if (!t->state[COLINK_SUP_AT(t, i, j)])
				continue;
			rc = colink_sup_interval(t, i, j, o, &lo, &hi, err);
			if (rc)
				return rc;
			if (revealing(lo, hi, o))
				return widen(t, i, j, idx, o) ? 1 : 0;
		}
	return 0;
}

/* The shared identity of cell (i, j): a margin of a named dimension, the
 * grand total, or (NULL) an interior cell of this table alone. */
static const char *shared_dim(const struct colink_sup_table *t, size_t i, size_t j, size_t *pos)
{
	if (i == t->rows && j == t->cols) {
		*pos = 0;
		return "";
	}
	if (i == t->rows) {
		*pos = j;
		return t->col_dim;
	}
	if (j == t->cols) {
		*pos = i;
		return t->row_dim;
	}
	return NULL;
}

/* Margins shared between tables: one suppressed, all suppressed. */
static int sync_shared(struct colink_sup_table *ts, size_t n)
{
	int changed = 0;
	size_t a, b, i, j, pa, pb;
	for (a = 0; a < n; a++)
		for (i = 0; i <= ts[a].rows; i++)
			for (j = 0; j <= ts[a].cols; j++) {
				const char *da = shared_dim(&ts[a], i, j, &pa);
				size_t c = COLINK_SUP_AT(&ts[a], i, j);
				if (!da || !ts[a].state[c])
					continue;
				for (b = 0; b < n; b++) {
					size_t bi, bj;
					if (b == a)
						continue;
					for (bi = 0; bi <= ts[b].rows; bi++)
						for (bj = 0; bj <= ts[b].cols; bj++) {
							const char *db = shared_dim(&ts[b], bi, bj, &pb);
							size_t cb = COLINK_SUP_AT(&ts[b], bi, bj);
							if (db && pb == pa && !strcmp(da, db) &&
							    !ts[b].state[cb]) {
								ts[b].state[cb] = COLINK_SUP_SECONDARY;
								changed++;
							}
						}
				}
			}
	return changed;
}

/* A shared margin is known to each table's reader at once: intersect the
 * intervals every table gives it.  Widen in the first table if revealing. */
static int shared_pass(struct colink_sup_table *ts, size_t n, const struct colink_sup_opts *o,
		       size_t *idx, struct colink_error *err)
{
	size_t a, b, i, j, pa, pb;
	for (a = 0; a < n; a++)
		for (i = 0; i <= ts[a].rows; i++)
			for (j = 0; j <= ts[a].cols; j++) {
				const char *da = shared_dim(&ts[a], i, j, &pa);
				long lo, hi;
				int rc;
				if (!da || !ts[a].state[COLINK_SUP_AT(&ts[a], i, j)])
					continue;
				if ((rc = colink_sup_interval(&ts[a], i, j, o, &lo, &hi, err)))
					return rc;
				for (b = a + 1; b < n; b++) {
					size_t bi, bj;
					for (bi = 0; bi <= ts[b].rows; bi++)
						for (bj = 0; bj <= ts[b].cols; bj++) {
							const char *db = shared_dim(&ts[b], bi, bj, &pb);
							long l2, h2;
							if (!db || pb != pa || strcmp(da, db))
								continue;
							if ((rc = colink_sup_interval(&ts[b], bi, bj, o, &l2, &h2, err)))
								return rc;
							if (l2 > lo)
								lo = l2;
							if (h2 >= 0 && (hi < 0 || h2 < hi))
								hi = h2;
						}
				}
				if (revealing(lo, hi, o))
					return widen(&ts[a], i, j, idx, o) ? 1 : 0;
			}
	return 0;
}

static void primary(struct colink_sup_table *t, const struct colink_sup_opts *o)
{
	size_t c, n = (t->rows + 1) * (t->cols + 1);
	for (c = 0; c < n; c++) {
		long x = t->v[c];
		if (t->state[c] != COLINK_SUP_PRIMARY)
			t->state[c] = COLINK_SUP_RELEASED;
		if (x < o->k && (x > 0 || o->suppress_zeros))
			t->state[c] = COLINK_SUP_PRIMARY;
	}
}

int colink_sup_protect(struct colink_sup_table *ts, size_t n,
		       const struct colink_sup_opts *o, struct colink_error *err)
{
	size_t a, maxcells = 0, *idx;
	int rc = COLINK_OK;
	if (o->k < 1)
		return COLINK_ERR(err, COLINK_EINVAL, "suppression: k must be at least 1 (got %ld)", o->k);
	for (a = 0; a < n; a++) {
		size_t c = (ts[a].rows + 1) * (ts[a].cols + 1);
		if (c > maxcells)
			maxcells = c;
		primary(&ts[a], o);
	}
	idx = colink_calloc(maxcells ? maxcells : 1, sizeof(*idx));
	if (!idx)
		return COLINK_ERR(err, COLINK_ENOMEM, "suppression: out of memory");
	for (;;) {
		int changed = sync_shared(ts, n);
		for (a = 0; a < n; a++)
			changed += complementary(&ts[a], o, idx);
		if (changed)
			continue;
		/* rules hold everywhere: now the exact check, one widening at a time */
		for (a = 0; a < n && !changed; a++) {
			rc = exact_pass(&ts[a], o, idx, err);
			if (rc < 0)
				goto out;
			changed = rc;
		}
		if (!changed) {
			rc = shared_pass(ts, n, o, idx, err);
			if (rc < 0)
				goto out;
			changed = rc;
		}
		if (!changed)
			break;
	}
	rc = COLINK_OK;
out:
	colink_free(idx);
	return rc;
}

/* ---- complements of nested counts ---------------------------------- */

static int cell_interval(const struct colink_sup_table *t, size_t c,
			 const struct colink_sup_opts *o, long *lo, long *hi,
			 struct colink_error *err)
{
	return colink_sup_interval(t, c / (t->cols + 1), c % (t->cols + 1), o, lo, hi, err);
}

int colink_sup_pair_check(const struct colink_sup_table *tp, size_t pc,
			  const struct colink_sup_table *tc, size_t cc,
			  const struct colink_sup_opts *o, int *reveals,
			  struct colink_error *err)
{
	long pl, ph, cl, ch, dlo, dhi, d = tp->v[pc] - tc->v[cc];
	int rc;
	*reveals = 0;
	if (!tp->state[pc] && !tc->state[cc]) {
		*reveals = d < o->k && (d > 0 || o->suppress_zeros);
		return COLINK_OK;
	}
	if ((rc = cell_interval(tp, pc, o, &pl, &ph, err)) ||
	    (rc = cell_interval(tc, cc, o, &cl, &ch, err)))
		return rc;
	/* the attacker's joint view of the pair: child <= parent */
	if (ph >= 0 && (ch < 0 || ph < ch))
		ch = ph;
	if (cl > pl)
		pl = cl;
	if (tc->state[cc] && ch >= 0 && cl == ch) /* the child pinned */
		*reveals = 1;
	if (tp->state[pc] && ph >= 0 && pl == ph) /* the parent pinned */
		*reveals = 1;
	if (ph < 0)
		return COLINK_OK; /* the complement is unbounded */
	dhi = ph - cl;
	dlo = ch < 0 ? 0 : pl - ch;
	if (dlo < 0)
		dlo = 0;
	/* the complement pinned, or confined to 1..k-1 (0..k-1 with
	 * suppress_zeros), when it is not an allowed zero: an interval 0..k-1
	 * does not tell "everyone" from "a few" */
	if ((d > 0 || o->suppress_zeros) &&
	    (dlo == dhi || (dhi < o->k && (dlo >= 1 || o->suppress_zeros))))
		*reveals = 1;
	return COLINK_OK;
}

int colink_sup_nest_child(const struct colink_sup_table *tp, struct colink_sup_table *tc, size_t c,
			  struct colink_sup_table *group, size_t n, const struct colink_sup_opts *o,
			  struct colink_error *err)
{
	int reveals, rc;
	if ((rc = colink_sup_pair_check(tp, c, tc, c, o, &reveals, err)))
		return rc;
	if (!reveals)
		return 0;
	if (!tc->state[c])
		tc->state[c] = COLINK_SUP_PRIMARY;
	else if (!colink_sup_all_withheld(tc))
		memset(tc->state, COLINK_SUP_PRIMARY, (tc->rows + 1) * (tc->cols + 1));
	else
		return 0;
	if ((rc = colink_sup_protect(group, n, o, err)))
		return rc;
	return 1;
}
