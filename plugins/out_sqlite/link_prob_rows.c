/*
 * link_prob_rows.c -- out_sqlite: the probabilistic pass's decision and
 * rows (link_prob.c finds and scores the pairs): one-to-one links at or
 * above the upper weight, review groups, link_em, link_weight and the
 * report row.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_prob.h"

static const char *const feat_name[F_COUNT] = {
	"name", "dob", "sex", "insurer", "symbol", "number"
};
static const char *const level_name[F_COUNT][COLINK_FS_MAX_LEVELS] = {
	{"exact", "similar", "else"}, {"exact", "swapped", "partial", "else"},
	{"agree", "else"}, {"agree", "else"}, {"agree", "else"}, {"agree", "else"},
};
/* ---- decision and rows ---- */

enum pst { P_NEVER, P_SEEN, P_LINK, P_LINKED, P_BASE, P_REVIEW, P_REPORT, P_EM, P_HIST, P_COUNT };

static const char *const prob_sql[P_COUNT] = {
	[P_NEVER] = "SELECT 1 FROM link_decision WHERE kind = 'never' AND revoked IS NULL "
		"AND employer_no = ?1 AND association_no = ?2",
	[P_SEEN] = "SELECT 1 FROM link_review AS r JOIN person AS pe ON pe.person_id = "
		"r.employer_person_id JOIN person AS pa ON pa.person_id = r.association_person_id "
		"WHERE r.run_id = ?3 AND pe.person_no = ?1 AND pa.person_no = ?2",
	/* ?1 e, ?2 a, ?3 pass, ?4 kind, ?5 run, ?6 weight, ?7 levels */
	[P_LINK] = "INSERT INTO link (employer_person_id, association_person_id, pass, kind, "
		"run_id, weight, levels) SELECT pe.person_id, pa.person_id, ?3, ?4, ?5, ?6, ?7 "
		"FROM person AS pe, person AS pa WHERE pe.person_no = ?1 AND pa.person_no = ?2",
	[P_LINKED] = "INSERT INTO temp.linked (person_no) VALUES (?1), (?2)",
	[P_BASE] = "SELECT coalesce(max(group_no), 0) FROM link_review",
	/* ?1 e, ?2 a, ?3 pass, ?4 kind, ?5 run, ?6 weight, ?7 levels, ?8 reason, ?9 group */
	[P_REVIEW] = "INSERT INTO link_review (run_id, pass, kind, employer_person_id, "
		"association_person_id, reason, group_no, weight, levels) SELECT ?5, ?3, ?4, "
		"pe.person_id, pa.person_id, ?8, ?9, ?6, ?7 FROM person AS pe, person AS pa "
		"WHERE pe.person_no = ?1 AND pa.person_no = ?2",
	[P_REPORT] = "INSERT INTO link_report (run_id, pass, kind, linked, ambiguous) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
	[P_EM] = "INSERT INTO link_em (run_id, pass, feature, level, m, u, weight) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[P_HIST] = "INSERT INTO link_weight (run_id, pass, bin, pairs) VALUES (?1, ?2, ?3, ?4)",
};

struct writer {
	struct prob *pr;
	sqlite3_stmt *st[P_COUNT];
};

static int run_st(struct writer *w, int id, const char *what, struct colink_error *err)
{
	int src = osq_step_done(w->st[id]);
	sqlite3_reset(w->st[id]);
	sqlite3_clear_bindings(w->st[id]);
	return src == SQLITE_OK ? COLINK_OK : osq_db_err(w->pr->o, src, what, err);
}

/* The levels that fired, e.g. "name=similar dob=exact sex=agree ...". */
static void levels_text(const unsigned char *g, char *buf, size_t n)
{
	size_t f, used = 0;
	buf[0] = '\0';
	for (f = 0; f < F_COUNT && used < n; f++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s=%s", f ? " " : "", feat_name[f],
					 g[f] == COLINK_FS_MISSING ? "missing" : level_name[f][g[f]]);
}

static void bind_pair(struct writer *w, sqlite3_stmt *st, const struct pcand *c, char *lv)
{
	struct prob *pr = w->pr;
	sqlite3_bind_int64(st, 1, c->e);
	sqlite3_bind_int64(st, 2, c->a);
	sqlite3_bind_int(st, 3, pr->pass);
	osq_bind_text(st, 4, pr->p->kind);
	osq_bind_text(st, 5, pr->o->run_id);
	sqlite3_bind_double(st, 6, round(c->w * 100) / 100);
	levels_text(c->g, lv, 160);
	osq_bind_text(st, 7, lv);
}

/* 1 when statement `id` finds the pair, 0 when not, else an error. */
static int pair_in(struct writer *w, int id, const struct pcand *c, struct colink_error *err)
{
	sqlite3_stmt *st = w->st[id];
	int src;
	sqlite3_bind_int64(st, 1, c->e);
	sqlite3_bind_int64(st, 2, c->a);
	if (id == P_SEEN)
		osq_bind_text(st, 3, w->pr->o->run_id);
	src = sqlite3_step(st);
	sqlite3_reset(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return osq_db_err(w->pr->o, src, "reading the link decisions and review", err);
	return src == SQLITE_ROW;
}

static int pcount_cmp(const void *x, const void *y)
{
	const struct pcount *a = x, *b = y;
	return a->no < b->no ? -1 : a->no > b->no;
}

/* The index of person `no` among the persons of the pairs. */
static uint32_t pidx(const struct prob *pr, int64_t no)
{
	struct pcount key = {no, 0};
	const struct pcount *hit = bsearch(&key, pr->pc, pr->npc, sizeof(*pr->pc), pcount_cmp);
	return (uint32_t)(hit - pr->pc);
}

/* The pairs in the order one enumeration of all persons finds them: rule
 * A's blocks, then rule B's, each in key order, then the persons. */
static int cand_cmp(const void *x, const void *y)
{
	const struct pcand *a = x, *b = y;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2 ? -1 : 1;
	if (a->e != b->e)
		return a->e < b->e ? -1 : 1;
	return a->a < b->a ? -1 : a->a > b->a;
}

/* Drop the pairs a "never" decision keeps apart, mark those an exact pass
 * of this run already sent to review (they count as candidates but get
 * no second review row), then count each person's pairs. */
static int filter_never(struct writer *w, struct colink_error *err)
{
	struct prob *pr = w->pr;
	size_t i, n = 0, m = 0;
	int r;
	if (pr->nc)
		qsort(pr->c, pr->nc, sizeof(*pr->c), cand_cmp);
	for (i = 0; i < pr->nc; i++) {
		if ((r = pair_in(w, P_NEVER, &pr->c[i], err)) < 0)
			return r;
		if (r)
			continue;
		if ((r = pair_in(w, P_SEEN, &pr->c[i], err)) < 0)
			return r;
		pr->c[i].reviewed = (unsigned char)r;
		pr->c[n++] = pr->c[i];
	}
	pr->nc = n;
	if (!(pr->pc = malloc((2 * n + 1) * sizeof(*pr->pc))))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		pr->pc[2 * i] = (struct pcount){pr->c[i].e, 0};
		pr->pc[2 * i + 1] = (struct pcount){pr->c[i].a, 0};
	}
	if (n)
		qsort(pr->pc, 2 * n, sizeof(*pr->pc), pcount_cmp);
	for (i = 0; i < 2 * n; i++)
		if (!m || pr->pc[m - 1].no != pr->pc[i].no)
			pr->pc[m++] = pr->pc[i];
	pr->npc = m;
	for (i = 0; i < n; i++) {
		pr->pc[pidx(pr, pr->c[i].e)].ncand++;
		pr->pc[pidx(pr, pr->c[i].a)].ncand++;
	}
	return COLINK_OK;
}

/* Review groups: the pairs that share a person (union-find over persons). */
static uint32_t find(uint32_t *up, uint32_t x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

static int write_rows(struct writer *w, uint64_t *linked, uint64_t *review,
		      struct colink_error *err)
{
	struct prob *pr = w->pr;
	uint32_t *up = malloc((pr->npc + 1) * sizeof(*up)), *gno = calloc(pr->npc + 1, sizeof(*gno));
	sqlite3_int64 base = 0, next = 0;
	char lv[160], reason[160];
	size_t i;
	int rc = COLINK_OK, src;
	if (!up || !gno) {
		free(up);
		free(gno);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	for (i = 0; i < pr->npc; i++)
		up[i] = (uint32_t)i;
	for (i = 0; i < pr->nc; i++) {
		struct pcand *c = &pr->c[i];
		uint32_t e = pidx(pr, c->e), a = pidx(pr, c->a);
		c->link = c->w >= pr->p->upper && pr->pc[e].ncand == 1 && pr->pc[a].ncand == 1;
		if (!c->link)
			up[find(up, e)] = find(up, a);
	}
	src = sqlite3_step(w->st[P_BASE]);
	if (src == SQLITE_ROW)
		base = sqlite3_column_int64(w->st[P_BASE], 0);
	sqlite3_reset(w->st[P_BASE]);
	if (src != SQLITE_ROW)
		rc = osq_db_err(pr->o, src, "numbering the review groups", err);
	for (i = 0; i < pr->nc && !rc; i++) {
		struct pcand *c = &pr->c[i];
		uint32_t r, ne = pr->pc[pidx(pr, c->e)].ncand, na = pr->pc[pidx(pr, c->a)].ncand;
		if (c->link) {
			bind_pair(w, w->st[P_LINK], c, lv);
			rc = run_st(w, P_LINK, "linking persons", err);
			sqlite3_bind_int64(w->st[P_LINKED], 1, c->e);
			sqlite3_bind_int64(w->st[P_LINKED], 2, c->a);
			if (!rc)
				rc = run_st(w, P_LINKED, "linking persons", err);
			(*linked)++;
			continue;
		}
		if (c->reviewed)
			continue; /* its review row is the exact pass's */
		r = find(up, pidx(pr, c->e));
		if (!gno[r])
			gno[r] = (uint32_t)++next;
		if (ne > 1 || na > 1)
			snprintf(reason, sizeof(reason), "employer person has %" PRIu32 " candidates; "
				 "association person has %" PRIu32 " candidates (match weight %.2f)",
				 ne, na, c->w);
		else
			snprintf(reason, sizeof(reason), "match weight %.2f is below the link "
				 "threshold %.2f", c->w, pr->p->upper);
		bind_pair(w, w->st[P_REVIEW], c, lv);
		osq_bind_text(w->st[P_REVIEW], 8, reason);
		sqlite3_bind_int64(w->st[P_REVIEW], 9, base + gno[r]);
		rc = run_st(w, P_REVIEW, "recording link candidates for review", err);
		(*review)++;
	}
	free(up);
	free(gno);
	return rc;
}

/* The run's estimates (link_em), histogram (link_weight) and report row. */
static int write_figures(struct writer *w, uint64_t linked, uint64_t review,
			 struct colink_error *err)
{
	struct prob *pr = w->pr;
	size_t f;
	unsigned l;
	int b, rc = COLINK_OK;
	for (f = 0; f < F_COUNT && !rc; f++)
		for (l = 0; l < feat_nlev[f] && !rc; l++) {
			sqlite3_stmt *st = w->st[P_EM];
			osq_bind_text(st, 1, pr->o->run_id);
			sqlite3_bind_int(st, 2, pr->pass);
			osq_bind_text(st, 3, feat_name[f]);
			osq_bind_text(st, 4, level_name[f][l]);
			sqlite3_bind_double(st, 5, pr->fm.m[f][l]);
			sqlite3_bind_double(st, 6, pr->fm.u[f][l]);
			sqlite3_bind_double(st, 7, colink_fs_level_weight(&pr->fm, f, l));
			rc = run_st(w, P_EM, "recording the link estimates", err);
		}
	if (!rc) { /* the prior: m holds the match share EM found, u the rest */
		sqlite3_stmt *st = w->st[P_EM];
		osq_bind_text(st, 1, pr->o->run_id);
		sqlite3_bind_int(st, 2, pr->pass);
		osq_bind_text(st, 3, "prior");
		osq_bind_text(st, 4, "match");
		sqlite3_bind_double(st, 5, pr->fm.lambda);
		sqlite3_bind_double(st, 6, 1 - pr->fm.lambda);
		sqlite3_bind_double(st, 7, log2(pr->fm.lambda / (1 - pr->fm.lambda)));
		rc = run_st(w, P_EM, "recording the link estimates", err);
	}
	for (b = HIST_MIN; b <= HIST_MAX && !rc; b++) {
		sqlite3_stmt *st = w->st[P_HIST];
		if (!pr->hist[b - HIST_MIN])
			continue;
		osq_bind_text(st, 1, pr->o->run_id);
		sqlite3_bind_int(st, 2, pr->pass);
		sqlite3_bind_int(st, 3, b);
		osq_bind_u64(st, 4, pr->hist[b - HIST_MIN]);
		rc = run_st(w, P_HIST, "recording the weight histogram", err);
	}
	if (!rc) {
		sqlite3_stmt *st = w->st[P_REPORT];
		osq_bind_text(st, 1, pr->o->run_id);
		sqlite3_bind_int(st, 2, pr->pass);
		osq_bind_text(st, 3, pr->p->kind);
		osq_bind_u64(st, 4, linked);
		osq_bind_u64(st, 5, review);
		rc = run_st(w, P_REPORT, "recording the link report", err);
	}
	return rc;
}

int osq_prob_write(struct prob *pr, uint64_t *linked, uint64_t *review,
		   struct colink_error *err)
{
	struct writer w;
	size_t i;
	int src, rc = COLINK_OK;
	memset(&w, 0, sizeof(w));
	w.pr = pr;
	for (i = 0; i < P_COUNT && !rc; i++) {
		src = sqlite3_prepare_v2(pr->o->db, prob_sql[i], -1, &w.st[i], NULL);
		if (src != SQLITE_OK)
			rc = osq_db_err(pr->o, src, "preparing a link statement", err);
	}
	if (!rc)
		rc = filter_never(&w, err);
	if (!rc)
		rc = write_rows(&w, linked, review, err);
	if (!rc)
		rc = write_figures(&w, *linked, *review, err);
	for (i = 0; i < P_COUNT; i++)
		sqlite3_finalize(w.st[i]);
	return rc;
}
