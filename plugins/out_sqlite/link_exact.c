/*
 * link_exact.c -- out_sqlite: an exact pass from memory (#23, part 3).
 *
 * The rules are link.c's (candidates: an employer and an association
 * person, both unlinked, sharing a pseudonym of the pass's kind and kept
 * apart by no "never" decision; link the pairs whose two persons have no
 * other candidate; send every other pair to review); link.c's SQL is the
 * reference and stays the fallback.  At 1M persons that SQL looked each
 * candidate's sides up in person_side and each linked person's pseudonym
 * up in person at random, page reads SQLite's cache could not hold
 * (bench/RESULTS.md, "The exact passes from memory").  Here:
 *
 *   persons     one scan of person_side gives each person_no's side, in a
 *               byte per person (plus "linked", from temp.linked);
 *   candidates  one scan of person_key's primary key over the pass's kind
 *               yields each pseudonym's persons together, in pseudonym
 *               order; the pairs go to an array, sorted and deduplicated
 *               by (employer, association), the first pseudonym kept (as
 *               link.c's INSERT OR IGNORE of rows sorted by pair does);
 *   pseudonyms  the linked pairs' person_id are read by person_no in
 *               ascending order (each page of person once), held as the 32
 *               bytes their hex spells, and the link rows inserted in
 *               employer person_id order, as link.c inserts them.
 *
 * Review rows (few) are written as link.c writes them: the same reason
 * text, group_no by dense rank of the shared pseudonym after the
 * warehouse's highest group, inserted in (employer, association)
 * person_id order.  When a person_id is not 64 lowercase hex, or
 * person_no is out of the range an array can hold, the pass returns
 * OSQ_EXACT_FALLBACK before it writes anything, and link.c runs its SQL.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_sqlite_int.h"

/* person_no beyond this: the SQL path (an array of a byte a person) */
#define EX_MAX_PERSON_NO ((int64_t)1 << 28)

enum { S_EMPLOYER = 1, S_ASSOCIATION = 2, S_LINKED = 4 };

/*
 * A pass writes its links chunk by chunk, EX_CHUNK pairs (72 bytes each,
 * 45 MB) at a time: at 4M persons pass 1 links 2.1M pairs, whose 151 MB
 * held at once took the job's peak RSS to 316 MB (bench/RESULTS.md, round
 * 12).  A pass of at most EX_CHUNK links (1M persons: ~524k) is written as
 * before, in one sorted sweep; a larger one first checks every linked
 * person_id (so that the SQL fallback still finds nothing written), then
 * writes each chunk sorted, the link rows the same, their order of
 * insertion (rowids) not.  COLINK_TEST_EXACT_CHUNK=N (tests) sets it.
 */
#define EX_CHUNK ((size_t)640 * 1024)

struct osq_exact {
	struct out_sqlite *o;
	size_t chunk;  /* links written at a time (EX_CHUNK) */
	uint8_t *st;   /* per person_no: S_* */
	size_t nst;    /* person_no < nst */
	uint32_t *never; /* "never" pairs in force, (e, a) sorted, 2 per pair */
	size_t nnever;
};

struct cand {
	uint32_t e, a, g; /* g: the shared pseudonym's rank in key order */
};

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *p = x, *q = y;
	if (p->e != q->e)
		return p->e < q->e ? -1 : 1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return (p->g > q->g) - (p->g < q->g);
}

static int pair_cmp(const void *x, const void *y)
{
	const uint32_t *p = x, *q = y;
	if (p[0] != q[0])
		return p[0] < q[0] ? -1 : 1;
	return (p[1] > q[1]) - (p[1] < q[1]);
}

static int oom(struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
}

/* Grow *v (elements of `size` bytes) to hold n + 1. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *x;
	size_t ncap;
	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 1024;
	x = realloc(*v, ncap * size);
	if (!x)
		return -1;
	*v = x;
	*cap = ncap;
	return 0;
}

void osq_exact_close(struct osq_exact *x)
{
	if (!x)
		return;
	free(x->st);
	free(x->never);
	free(x);
}

/* Rows of a two-integer query into v (pairs), or each person_no's byte. */
static int read_ints(struct osq_exact *x, const char *sql, int what,
		     struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int src = sqlite3_prepare_v2(x->o->db, sql, -1, &st, NULL);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(st, 0);
		src = SQLITE_OK;
		if (what == 2) { /* never pairs */
			int64_t a = sqlite3_column_int64(st, 1);
			if (n < 0 || a < 0 || (size_t)n >= x->nst || (size_t)a >= x->nst)
				continue; /* no person: no candidate either */
			if (grow((void **)&x->never, &cap, x->nnever * 2 + 1, sizeof(uint32_t))) {
				sqlite3_finalize(st);
				return oom(err);
			}
			x->never[x->nnever * 2] = (uint32_t)n;
			x->never[x->nnever * 2 + 1] = (uint32_t)a;
			x->nnever++;
			continue;
		}
		if (n < 0 || (size_t)n >= x->nst)
			continue;
		if (what == 1)
			x->st[n] |= S_LINKED;
		else if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			x->st[n] |= sqlite3_column_int(st, 1) ? S_EMPLOYER : S_ASSOCIATION;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return osq_db_err(x->o, src, "reading the persons to link", err);
	return COLINK_OK;
}

/* The persons' sides and links (temp.linked, after pass 0), and the
 * "never" decisions in force.  *out stays NULL when person_no is out of
 * the arrays' range: link.c's SQL then. */
int osq_exact_open(struct out_sqlite *o, struct osq_exact **out,
		   struct colink_error *err)
{
	const char *tc = getenv("COLINK_TEST_EXACT_CHUNK");
	int test_chunk = tc ? atoi(tc) : 0;
	struct osq_exact *x;
	int64_t max = 0, min = 0;
	int is_null, rc;
	*out = NULL;
	rc = osq_query_int(o, "SELECT coalesce(max(person_no), 0) FROM person", &max,
			   &is_null, err);
	if (!rc)
		rc = osq_query_int(o, "SELECT coalesce(min(person_no), 0) FROM person", &min,
				   &is_null, err);
	if (rc || max >= EX_MAX_PERSON_NO || min < 0)
		return rc;
	x = calloc(1, sizeof(*x));
	if (!x)
		return oom(err);
	x->o = o;
	x->nst = (size_t)max + 1;
	x->chunk = test_chunk > 0 ? (size_t)test_chunk : EX_CHUNK;
	x->st = calloc(x->nst, 1);
	if (!x->st) {
		osq_exact_close(x);
		return oom(err);
	}
	rc = read_ints(x, "SELECT person_no, CASE side WHEN 'employer' THEN 1 "
		       "WHEN 'association' THEN 0 END FROM person INDEXED BY person_side", 0, err);
	if (!rc)
		rc = read_ints(x, "SELECT person_no FROM temp.linked", 1, err);
	if (!rc)
		rc = read_ints(x, "SELECT employer_no, association_no FROM link_decision "
			       "WHERE kind = 'never' AND revoked IS NULL", 2, err);
	if (rc) {
		osq_exact_close(x);
		return rc;
	}
	if (x->nnever > 1)
		qsort(x->never, x->nnever, 2 * sizeof(uint32_t), pair_cmp);
	*out = x;
	return COLINK_OK;
}

static int is_never(const struct osq_exact *x, uint32_t e, uint32_t a)
{
	uint32_t k[2] = {e, a};
	return x->nnever &&
		bsearch(k, x->never, x->nnever, 2 * sizeof(uint32_t), pair_cmp) != NULL;
}

/* One pass's candidates: the pairs of each pseudonym's persons. */
struct gather {
	struct cand *c;
	size_t n, cap;
	uint32_t *es, *as; /* the current pseudonym's unlinked persons */
	size_t ne, na, ecap, acap;
};

static int emit(struct osq_exact *x, struct gather *g, uint32_t grp)
{
	size_t i, j;
	for (i = 0; i < g->ne; i++)
		for (j = 0; j < g->na; j++) {
			if (is_never(x, g->es[i], g->as[j]))
				continue;
			if (grow((void **)&g->c, &g->cap, g->n, sizeof(*g->c)))
				return -1;
			g->c[g->n].e = g->es[i];
			g->c[g->n].a = g->as[j];
			g->c[g->n++].g = grp;
		}
	g->ne = g->na = 0;
	return 0;
}

static int gather(struct osq_exact *x, const char *kind, struct gather *g,
		  struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	unsigned char prev[64];
	int prevlen = -1, prevtype = 0, src;
	uint32_t grp = 0;
	src = sqlite3_prepare_v2(x->o->db, "SELECT pseudonym, person_no FROM person_key "
				 "WHERE kind = ?1 ORDER BY pseudonym, person_no", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		int type = sqlite3_column_type(st, 0);
		const void *p = type == SQLITE_TEXT ? (const void *)sqlite3_column_text(st, 0)
			: sqlite3_column_blob(st, 0);
		int len = sqlite3_column_bytes(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);
		uint8_t s;
		src = SQLITE_OK;
		if (len > (int)sizeof(prev)) { /* not a pseudonym this path knows */
			sqlite3_finalize(st);
			return OSQ_EXACT_FALLBACK;
		}
		if (len != prevlen || type != prevtype || (len && memcmp(p, prev, (size_t)len))) {
			if (g->ne && g->na && emit(x, g, grp))
				goto nomem;
			g->ne = g->na = 0;
			grp++;
			prevlen = len;
			prevtype = type;
			if (len)
				memcpy(prev, p, (size_t)len);
		}
		if (n < 0 || (size_t)n >= x->nst)
			continue;
		s = x->st[n];
		if (s & S_LINKED)
			continue;
		if (s & S_EMPLOYER) {
			if (grow((void **)&g->es, &g->ecap, g->ne, sizeof(*g->es)))
				goto nomem;
			g->es[g->ne++] = (uint32_t)n;
		} else if (s & S_ASSOCIATION) {
			if (grow((void **)&g->as, &g->acap, g->na, sizeof(*g->as)))
				goto nomem;
			g->as[g->na++] = (uint32_t)n;
		}
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return osq_db_err(x->o, src, "finding link candidates", err);
	if (g->ne && g->na && emit(x, g, grp))
		return oom(err);
	return COLINK_OK;
nomem:
	sqlite3_finalize(st);
	return oom(err);
}

/* The person_id of person_no n: 64 lowercase hex into 32 bytes (1), or
 * 0 when it is not that, or an SQLite error (< 0, negated). */
static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int read_id(sqlite3_stmt *st, uint32_t n, unsigned char *out)
{
	const unsigned char *t;
	int src, i;
	sqlite3_bind_int64(st, 1, n);
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		sqlite3_reset(st);
		return src == SQLITE_DONE ? 0 : -src;
	}
	t = sqlite3_column_text(st, 0);
	if (!t || sqlite3_column_bytes(st, 0) != 64) {
		sqlite3_reset(st);
		return 0;
	}
	for (i = 0; i < 32; i++) {
		int h = hexval(t[2 * i]), l = hexval(t[2 * i + 1]);
		if (h < 0 || l < 0) {
			sqlite3_reset(st);
			return 0;
		}
		out[i] = (unsigned char)(h << 4 | l);
	}
	sqlite3_reset(st);
	return 1;
}

static void to_hex(const unsigned char *b, char *out)
{
	static const char hx[] = "0123456789abcdef";
	int i;
	for (i = 0; i < 32; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[64] = '\0';
}

/* A pair to write: its persons and their pseudonyms (72 bytes: at 1M
 * persons pass 1 holds 524k of them, 38 MB). */
struct row {
	unsigned char eid[32], aid[32];
	uint32_t e, a;
};

/* A pair for review: its pseudonym's rank and each person's candidates. */
struct rrow {
	struct row r; /* first: row_cmp sorts either */
	uint32_t g, ne, na;
};

static int row_cmp(const void *x, const void *y)
{
	const struct row *p = x, *q = y;
	int c = memcmp(p->eid, q->eid, 32);
	return c ? c : memcmp(p->aid, q->aid, 32);
}

static int by_a(const void *x, const void *y)
{
	const struct row *p = *(const struct row *const *)x, *q = *(const struct row *const *)y;
	return (p->a > q->a) - (p->a < q->a);
}

static int by_g(const void *x, const void *y)
{
	const uint32_t *p = x, *q = y;
	return (*p > *q) - (*p < *q);
}

/* The rows' person_id, employers in the order given (ascending), then
 * associations in ascending person_no: each page of person read once. */
static int read_ids(struct osq_exact *x, void *base, size_t n, size_t stride,
		    struct colink_error *err)
{
#define ROW(i) ((struct row *)((char *)base + (i) * stride))
	sqlite3_stmt *st = NULL;
	struct row **byA = NULL;
	size_t i;
	int got = 1, src = sqlite3_prepare_v2(x->o->db, "SELECT person_id FROM person "
					      "WHERE person_no = ?1", -1, &st, NULL);
	if (src != SQLITE_OK)
		return osq_db_err(x->o, src, "reading the linked persons", err);
	for (i = 0; i < n && got > 0; i++)
		got = read_id(st, ROW(i)->e, ROW(i)->eid);
	if (got > 0 && n) {
		byA = malloc(n * sizeof(*byA));
		if (!byA) {
			sqlite3_finalize(st);
			return oom(err);
		}
		for (i = 0; i < n; i++)
			byA[i] = ROW(i);
		qsort(byA, n, sizeof(*byA), by_a);
		for (i = 0; i < n && got > 0; i++)
			got = read_id(st, byA[i]->a, byA[i]->aid);
		free(byA);
	}
	sqlite3_finalize(st);
	if (got < 0)
		return osq_db_err(x->o, -got, "reading the linked persons", err);
	return got ? COLINK_OK : OSQ_EXACT_FALLBACK;
#undef ROW
}

static int u32_cmp(const void *x, const void *y);

/* Rows lk[0..m) for the links pr[off..off + m): their two persons. */
static void chunk_rows(struct row *lk, const uint32_t *pr, size_t off, size_t m)
{
	size_t i;
	for (i = 0; i < m; i++) {
		lk[i].e = pr[2 * (off + i)];
		lk[i].a = pr[2 * (off + i) + 1];
	}
}

/* Every linked person's person_id is 64 lowercase hex (COLINK_OK), or
 * OSQ_EXACT_FALLBACK: read_ids' test, before a chunked pass writes
 * anything.  pr: the pairs, (e, a) sorted; employers read in that order,
 * associations in ascending person_no. */
static int check_ids(struct osq_exact *x, const uint32_t *pr, size_t n,
		     struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	uint32_t *as = malloc(n * sizeof(*as));
	unsigned char id[32];
	size_t i;
	int got = 1, src;
	if (!as)
		return oom(err);
	src = sqlite3_prepare_v2(x->o->db, "SELECT person_id FROM person WHERE person_no = ?1",
				 -1, &st, NULL);
	if (src != SQLITE_OK) {
		free(as);
		return osq_db_err(x->o, src, "reading the linked persons", err);
	}
	for (i = 0; i < n && got > 0; i++) {
		got = read_id(st, pr[2 * i], id);
		as[i] = pr[2 * i + 1];
	}
	if (got > 0)
		qsort(as, n, sizeof(*as), u32_cmp);
	for (i = 0; i < n && got > 0; i++)
		got = read_id(st, as[i], id);
	free(as);
	sqlite3_finalize(st);
	if (got < 0)
		return osq_db_err(x->o, -got, "reading the linked persons", err);
	return got ? COLINK_OK : OSQ_EXACT_FALLBACK;
}

/* Review rows: link.c's reason text and group numbers. */
static int write_review(struct osq_exact *x, int pass, const char *kind, struct rrow *r,
			size_t n, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	uint32_t *gs = NULL;
	int64_t base = 0;
	size_t i, ng = 0;
	int is_null, src, rc;
	char eid[65], aid[65], reason[128];
	if (!n)
		return COLINK_OK;
	rc = osq_query_int(x->o, "SELECT coalesce(max(group_no), 0) FROM link_review", &base,
			   &is_null, err);
	if (rc)
		return rc;
	gs = malloc(n * sizeof(*gs)); /* the distinct groups, for the dense rank */
	if (!gs)
		return oom(err);
	for (i = 0; i < n; i++)
		gs[i] = r[i].g;
	qsort(gs, n, sizeof(*gs), by_g);
	for (i = 0; i < n; i++)
		if (!ng || gs[ng - 1] != gs[i])
			gs[ng++] = gs[i];
	qsort(r, n, sizeof(*r), row_cmp);
	src = sqlite3_prepare_v2(x->o->db, "INSERT INTO link_review (run_id, pass, kind, "
				 "employer_person_id, association_person_id, reason, group_no) "
				 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st, NULL);
	for (i = 0; i < n && src == SQLITE_OK; i++) {
		const uint32_t *at = bsearch(&r[i].g, gs, ng, sizeof(*gs), by_g);
		if (r[i].ne > 1 && r[i].na > 1)
			snprintf(reason, sizeof(reason), "employer person has %" PRIu32
				 " candidates; association person has %" PRIu32 " candidates",
				 r[i].ne, r[i].na);
		else if (r[i].ne > 1)
			snprintf(reason, sizeof(reason), "employer person has %" PRIu32
				 " candidates", r[i].ne);
		else
			snprintf(reason, sizeof(reason), "association person has %" PRIu32
				 " candidates", r[i].na);
		to_hex(r[i].r.eid, eid);
		to_hex(r[i].r.aid, aid);
		osq_bind_text(st, 1, x->o->run_id);
		sqlite3_bind_int(st, 2, pass);
		osq_bind_text(st, 3, kind);
		osq_bind_text(st, 4, eid);
		osq_bind_text(st, 5, aid);
		osq_bind_text(st, 6, reason);
		sqlite3_bind_int64(st, 7, base + 1 + (at - gs));
		src = osq_step_done(st);
	}
	sqlite3_finalize(st);
	free(gs);
	if (src != SQLITE_OK)
		return osq_db_err(x->o, src, "recording link candidates for review", err);
	return COLINK_OK;
}

static int u32_cmp(const void *x, const void *y)
{
	const uint32_t *p = x, *q = y;
	return (*p > *q) - (*p < *q);
}

/*
 * The link rows in employer person_id order (link's primary key fills in
 * order, as link.c's ORDER BY has it), then temp.linked in ascending
 * person_no.  At 1M persons, pass 1 took 10.5 s of CPU with each pair's
 * two temp.linked rows inserted beside its link row (temp.linked's pages
 * at random), 8.0 s staged in a temporary table and linked by one INSERT
 * ... SELECT, 7.2 s so (bench/RESULTS.md).
 */
static int write_links(struct osq_exact *x, int pass, const char *kind, struct row *r,
		       size_t n, struct colink_error *err)
{
	sqlite3_stmt *st = NULL, *ln = NULL;
	uint32_t *v = NULL;
	size_t i;
	int src;
	char eid[65], aid[65];
	if (!n) /* nothing to link (and qsort must not see r == NULL) */
		return COLINK_OK;
	qsort(r, n, sizeof(*r), row_cmp);
	v = malloc(2 * n * sizeof(*v));
	if (!v)
		return oom(err);
	src = sqlite3_prepare_v2(x->o->db, "INSERT INTO link (employer_person_id, "
				 "association_person_id, pass, kind, run_id) VALUES (?1, ?2, ?3, ?4, ?5)",
				 -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(x->o->db, "INSERT INTO temp.linked (person_no) "
					 "VALUES (?1)", -1, &ln, NULL);
	for (i = 0; i < n && src == SQLITE_OK; i++) {
		to_hex(r[i].eid, eid);
		to_hex(r[i].aid, aid);
		osq_bind_text(st, 1, eid);
		osq_bind_text(st, 2, aid);
		sqlite3_bind_int(st, 3, pass);
		osq_bind_text(st, 4, kind);
		osq_bind_text(st, 5, x->o->run_id);
		src = osq_step_done(st);
		v[2 * i] = r[i].e;
		v[2 * i + 1] = r[i].a;
		x->st[r[i].e] |= S_LINKED;
		x->st[r[i].a] |= S_LINKED;
	}
	if (src == SQLITE_OK)
		qsort(v, 2 * n, sizeof(*v), u32_cmp);
	for (i = 0; i < 2 * n && src == SQLITE_OK; i++) {
		sqlite3_bind_int64(ln, 1, v[i]);
		src = osq_step_done(ln);
	}
	free(v);
	sqlite3_finalize(st);
	sqlite3_finalize(ln);
	if (src != SQLITE_OK)
		return osq_db_err(x->o, src, "linking persons", err);
	return COLINK_OK;
}

/* Pass `pass` of key kind `kind`: link.c's link_pass from memory. */
int osq_exact_pass(struct osq_exact *x, int pass, const char *kind, uint64_t *linked,
		   uint64_t *review, struct colink_error *err)
{
	struct gather g;
	struct row *lk = NULL;
	struct rrow *rv = NULL;
	uint32_t *na = NULL, *pr = NULL; /* pr: the links' (e, a), in (e, a) order */
	size_t i, j, n, nl = 0, nr = 0, off, m;
	int rc;
	*linked = *review = 0;
	memset(&g, 0, sizeof(g));
	rc = gather(x, kind, &g, err);
	free(g.es);
	free(g.as);
	if (rc)
		goto out;
	if (g.n > 1)
		qsort(g.c, g.n, sizeof(*g.c), cand_cmp);
	for (i = n = 0; i < g.n; i++) /* a pair once, its first pseudonym */
		if (!n || g.c[n - 1].e != g.c[i].e || g.c[n - 1].a != g.c[i].a)
			g.c[n++] = g.c[i];
	g.n = n;
	if (n && n < g.cap) { /* give the doubling's slack back */
		struct cand *c = realloc(g.c, n * sizeof(*c));
		if (c)
			g.c = c;
	}
	na = calloc(x->nst, sizeof(*na));
	if (!na && x->nst) {
		rc = oom(err);
		goto out;
	}
	for (i = 0; i < g.n; i++)
		na[g.c[i].a]++;
	for (i = 0; i < g.n; i = j) { /* count each side's rows apart */
		uint32_t ne;
		for (j = i; j < g.n && g.c[j].e == g.c[i].e; j++)
			;
		ne = (uint32_t)(j - i);
		for (n = i; n < j; n++) {
			if (ne == 1 && na[g.c[n].a] == 1)
				nl++;
			else
				nr++;
		}
	}
	pr = nl ? malloc(nl * 2 * sizeof(*pr)) : NULL;
	rv = nr ? malloc(nr * sizeof(*rv)) : NULL;
	if ((nl && !pr) || (nr && !rv)) {
		rc = oom(err);
		goto out;
	}
	nl = nr = 0;
	for (i = 0; i < g.n; i = j) {
		uint32_t ne;
		for (j = i; j < g.n && g.c[j].e == g.c[i].e; j++)
			;
		ne = (uint32_t)(j - i);
		for (n = i; n < j; n++) {
			if (ne == 1 && na[g.c[n].a] == 1) {
				pr[2 * nl] = g.c[n].e;
				pr[2 * nl++ + 1] = g.c[n].a;
				continue;
			}
			rv[nr].g = g.c[n].g;
			rv[nr].ne = ne;
			rv[nr].na = na[g.c[n].a];
			rv[nr].r.e = g.c[n].e;
			rv[nr++].r.a = g.c[n].a;
		}
	}
	free(na);
	na = NULL;
	free(g.c);
	g.c = NULL;
	m = nl < x->chunk ? nl : x->chunk;
	lk = m ? malloc(m * sizeof(*lk)) : NULL;
	if (m && !lk) {
		rc = oom(err);
		goto out;
	}
	chunk_rows(lk, pr, 0, m);
	rc = read_ids(x, rv, nr, sizeof(*rv), err);
	/* nothing is written before here: a fallback leaves no trace */
	if (!rc)
		rc = nl <= x->chunk ? read_ids(x, lk, nl, sizeof(*lk), err) :
				      check_ids(x, pr, nl, err);
	if (!rc)
		rc = write_review(x, pass, kind, rv, nr, err);
	for (off = 0; !rc && off < nl; off += m) {
		m = nl - off < x->chunk ? nl - off : x->chunk;
		if (off) /* the next chunk; check_ids saw its persons */
			chunk_rows(lk, pr, off, m);
		if (nl > x->chunk) {
			rc = read_ids(x, lk, m, sizeof(*lk), err);
			if (rc == OSQ_EXACT_FALLBACK)
				rc = COLINK_ERR(err, COLINK_EIO, "%s: a linked person's person_id "
						"changed while pass %d linked", x->o->path, pass);
		}
		if (!rc)
			rc = write_links(x, pass, kind, lk, m, err);
	}
	if (!rc) {
		*linked = nl;
		*review = nr;
	}
out:
	free(g.c);
	free(na);
	free(pr);
	free(lk);
	free(rv);
	return rc;
}
