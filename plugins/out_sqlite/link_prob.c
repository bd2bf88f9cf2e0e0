/*
 * link_prob.c -- out_sqlite: the probabilistic link pass (#23).
 *
 * After the exact passes, over the persons not linked yet, with the keyed
 * comparison features of person_feature (engine identity/feature.h; never
 * a raw value):
 *
 *   blocking    candidate pairs (employer e, association a) share the
 *               insurer, birth year and sex (COLINK_BLOCK_INSURER_YEAR) or the
 *               birth year and {month, day} unordered
 *               (COLINK_BLOCK_BIRTH_DATE, which also catches a swapped day
 *               and month); a pair both rules find counts once;
 *   comparison  per feature a level (levels[] below): the name's Bloom
 *               filters exact / Dice >= the pass's dice / else; the birth
 *               date exact / day and month swapped / two of year, month,
 *               day / else; sex, insurer, 記号, 番号 agree / else; a
 *               feature either side lacks is "missing" and weighs nothing;
 *   estimates   u from random pairs (a fixed-seed sample, so a run is
 *               reproducible), then m and the match share by EM with u
 *               fixed (engine/linkage/fs.c) over the blocked pairs of
 *               every person, linked or not (the linked ones are the
 *               clearest matches EM can learn m from), every n-th pair
 *               when there are more than EST_PAIRS;
 *   decision    a pair of two unlinked persons at or above the upper
 *               weight links when neither person has another pair at or
 *               above the lower one (one-to-one, as the exact passes);
 *               every other pair at or above the lower weight goes to
 *               review (link_review, with its weight and levels; the pairs
 *               that share a person are one review group), unless an exact
 *               pass of this run sent it there already; below, nothing.
 *
 * Every link and review row records its match weight and the levels that
 * fired; link_em keeps the estimates, link_weight the histogram of the
 * weights of the pairs judged.  Memory: one small record per person with
 * features and the pairs at or above the lower weight; the blocked pairs
 * are enumerated twice (estimate, then score), never stored.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_sqlite_int.h"

/* in the order of person_feature's token columns (OSQ_FEATURE_COLUMNS) */
enum tok { T_YEAR, T_MONTH, T_DAY, T_MD, T_SEX, T_INS, T_SYM, T_NUM, T_COUNT };
#define HAS(t) (1u << (t))
#define HAS_BF (1u << T_COUNT)

enum feat { F_NAME, F_DOB, F_SEX, F_INS, F_SYM, F_NUM, F_COUNT };
static const char *const feat_name[F_COUNT] = {
	"name", "dob", "sex", "insurer", "symbol", "number"
};
static const unsigned feat_nlev[F_COUNT] = {3, 4, 2, 2, 2, 2};
static const char *const level_name[F_COUNT][COLINK_FS_MAX_LEVELS] = {
	{"exact", "similar", "else"}, {"exact", "swapped", "partial", "else"},
	{"agree", "else"}, {"agree", "else"}, {"agree", "else"}, {"agree", "else"},
};
/* vectors as a mixed-radix number, a missing level as nlev */
#define NPAT (4 * 5 * 3 * 3 * 3 * 3)
#define U_SAMPLE 200000u
#define EST_PAIRS 2000000u /* blocked pairs EM sees at most */
#define EM_MAXITER 200u
#define EM_TOL 1e-7
#define HIST_MIN (-40)
#define HIST_MAX 40

struct pperson {
	int64_t no;
	uint64_t tok[T_COUNT];      /* the first 64 bits of each token */
	unsigned char bf[COLINK_FS_BF_MAX_BYTES];
	unsigned has;               /* HAS(t), HAS_BF */
	unsigned bfpop;             /* bits set in bf */
	unsigned bflen;             /* bytes of bf in use (plain or balanced) */
	unsigned char employer, linked;
	uint32_t ncand;             /* pairs at or above the lower weight */
	int64_t partner;            /* an employer person's linked partner, or 0 */
};

struct pcand {
	uint32_t e, a;              /* indexes into pr->pp */
	double w;
	unsigned char g[F_COUNT];
	unsigned char link;
	unsigned char reviewed;     /* an earlier pass of this run sent it to review */
};

struct bkey {
	uint64_t k1, k2;
	uint32_t idx;
};

struct prob {
	struct out_sqlite *o;
	const struct colink_link_pass *p;
	int pass;
	struct pperson *pp;
	size_t np;
	struct colink_fs_model fm;
	double count[NPAT];         /* blocked pairs per vector */
	double known[NPAT];         /* of them, pairs the warehouse links */
	double weight[NPAT];
	uint64_t hist[HIST_MAX - HIST_MIN + 1];
	struct pcand *c;
	size_t nc, capc;
	int scoring;                /* second enumeration: keep candidates */
	int counting;               /* only count the blocked pairs (npairs) */
	uint64_t npairs, seen, every; /* the estimate visits every `every`th pair */
};

/* ---- loading the features ---- */

/* The first 8 bytes of a token, big-endian (tokens are uniform: 64 bits
 * tell two apart as well as 256). */
static uint64_t tok64(const unsigned char *b, int n)
{
	uint64_t v = 0;
	int i;
	for (i = 0; i < 8 && i < n; i++)
		v = v << 8 | b[i];
	return v;
}

/* Column c of person_feature (OSQ_FEATURE_COLUMNS: name_bf, then the
 * tokens in enum tok order), a BLOB since schema 12. */
static void set_feature(struct pperson *x, size_t c, const unsigned char *v, int n)
{
	if (c == 0) { /* a plain filter or a balanced one, twice as long */
		if (n != COLINK_FS_BF_BYTES && n != 2 * COLINK_FS_BF_BYTES)
			return;
		memcpy(x->bf, v, (size_t)n);
		x->has |= HAS_BF;
		x->bflen = (unsigned)n;
		x->bfpop = colink_fs_popcount(x->bf, NULL, n);
		return;
	}
	x->tok[c - 1] = tok64(v, n);
	x->has |= HAS(c - 1);
}

static const char load_sql[] =
	"SELECT f.person_no, p.side = 'employer', "
	"EXISTS (SELECT 1 FROM temp.linked AS l WHERE l.person_no = f.person_no), "
	"f.name_bf, f.birth_year, f.birth_month, f.birth_day, f.birth_md, f.sex, f.insurer, "
	"f.symbol, f.number "
	"FROM person_feature AS f JOIN person AS p ON p.person_no = f.person_no "
	"ORDER BY f.person_no";

static const char partner_sql[] =
	"SELECT pe.person_no, pa.person_no FROM link AS l "
	"JOIN person AS pe ON pe.person_id = l.employer_person_id "
	"JOIN person AS pa ON pa.person_id = l.association_person_id";

static struct pperson *find_person(struct prob *pr, int64_t no)
{
	size_t lo = 0, hi = pr->np;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pr->pp[mid].no < no)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pr->np && pr->pp[lo].no == no ? &pr->pp[lo] : NULL;
}

/* Each linked employer person's partner: the pairs EM starts from. */
static int load_partners(struct prob *pr, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(pr->o->db, partner_sql, -1, &st, NULL);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		struct pperson *x = find_person(pr, sqlite3_column_int64(st, 0));
		if (x)
			x->partner = sqlite3_column_int64(st, 1);
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return osq_db_err(pr->o, src, "reading the links", err);
	return COLINK_OK;
}

static int load(struct prob *pr, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int src = sqlite3_prepare_v2(pr->o->db, load_sql, -1, &st, NULL);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		struct pperson *x;
		size_t c;
		if (pr->np == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct pperson *n = realloc(pr->pp, ncap * sizeof(*n));
			if (!n) {
				sqlite3_finalize(st);
				return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			}
			pr->pp = n;
			cap = ncap;
		}
		x = &pr->pp[pr->np++];
		memset(x, 0, sizeof(*x));
		x->no = sqlite3_column_int64(st, 0);
		x->employer = (unsigned char)sqlite3_column_int(st, 1);
		x->linked = (unsigned char)sqlite3_column_int(st, 2);
		for (c = 0; c <= T_COUNT; c++) {
			const unsigned char *v = sqlite3_column_blob(st, 3 + (int)c);
			if (v)
				set_feature(x, c, v, sqlite3_column_bytes(st, 3 + (int)c));
		}
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return osq_db_err(pr->o, src, "reading the comparison features", err);
	return load_partners(pr, err);
}

/* ---- comparison ---- */

static unsigned char tok_level(const struct pperson *e, const struct pperson *a, int t)
{
	if (!(e->has & a->has & HAS(t)))
		return COLINK_FS_MISSING;
	return e->tok[t] == a->tok[t] ? 0 : 1;
}

static void compare(const struct prob *pr, const struct pperson *e,
		    const struct pperson *a, unsigned char g[F_COUNT])
{
	const unsigned dob = HAS(T_YEAR) | HAS(T_MONTH) | HAS(T_DAY) | HAS(T_MD);
	/* Dice >= t, without a division; filters of two lengths (encodings)
	 * do not compare */
	if (e->has & a->has & HAS_BF && e->bflen == a->bflen) {
		unsigned both = colink_fs_popcount(e->bf, a->bf, e->bflen);
		g[F_NAME] = both == e->bfpop && both == a->bfpop ? 0 :
			2.0 * both >= pr->p->dice * (e->bfpop + a->bfpop) ? 1 : 2;
	} else
		g[F_NAME] = COLINK_FS_MISSING;
	if ((e->has & dob) == dob && (a->has & dob) == dob) {
		int y = e->tok[T_YEAR] == a->tok[T_YEAR], m = e->tok[T_MONTH] == a->tok[T_MONTH];
		int d = e->tok[T_DAY] == a->tok[T_DAY], md = e->tok[T_MD] == a->tok[T_MD];
		g[F_DOB] = y && m && d ? 0 : y && md && !m ? 1 : y + m + d == 2 ? 2 : 3;
	} else
		g[F_DOB] = COLINK_FS_MISSING;
	g[F_SEX] = tok_level(e, a, T_SEX);
	g[F_INS] = tok_level(e, a, T_INS);
	g[F_SYM] = tok_level(e, a, T_SYM);
	g[F_NUM] = tok_level(e, a, T_NUM);
}

static size_t pattern(const unsigned char g[F_COUNT])
{
	size_t f, idx = 0;
	for (f = 0; f < F_COUNT; f++)
		idx = idx * (feat_nlev[f] + 1) + (g[f] < feat_nlev[f] ? g[f] : feat_nlev[f]);
	return idx;
}

static void unpattern(size_t idx, unsigned char g[F_COUNT])
{
	size_t f;
	for (f = F_COUNT; f-- > 0;) {
		unsigned c = (unsigned)(idx % (feat_nlev[f] + 1));
		idx /= feat_nlev[f] + 1;
		g[f] = c == feat_nlev[f] ? COLINK_FS_MISSING : (unsigned char)c;
	}
}

/* ---- blocking ---- */

static int bkey_cmp(const void *x, const void *y)
{
	const struct bkey *a = x, *b = y;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2 ? -1 : 1;
	return 0;
}

static int add_cand(struct prob *pr, uint32_t e, uint32_t a, const unsigned char *g, double w)
{
	struct pcand *c;
	if (pr->nc == pr->capc) {
		size_t ncap = pr->capc ? pr->capc * 2 : 256;
		struct pcand *n = realloc(pr->c, ncap * sizeof(*n));
		if (!n)
			return COLINK_ENOMEM;
		pr->c = n;
		pr->capc = ncap;
	}
	c = &pr->c[pr->nc++];
	c->e = e;
	c->a = a;
	c->w = w;
	c->link = 0;
	memcpy(c->g, g, F_COUNT);
	return COLINK_OK;
}

/* One blocked pair: counted (estimate) or scored. */
static int visit(struct prob *pr, uint32_t e, uint32_t a)
{
	const struct pperson *pe = &pr->pp[e], *pa = &pr->pp[a];
	unsigned char g[F_COUNT];
	size_t k;
	double w;
	long bin;
	compare(pr, pe, pa, g);
	k = pattern(g);
	if (!pr->scoring) {
		pr->count[k] += 1;
		if (pe->partner && pe->partner == pa->no)
			pr->known[k] += 1;
		return COLINK_OK;
	}
	if (pe->linked || pa->linked)
		return COLINK_OK;
	w = pr->weight[k];
	bin = lround(floor(w));
	bin = bin < HIST_MIN ? HIST_MIN : bin > HIST_MAX ? HIST_MAX : bin;
	pr->hist[bin - HIST_MIN]++;
	return w >= pr->p->lower ? add_cand(pr, e, a, g, w) : COLINK_OK;
}

/* Rule A's second key: the birth year and the sex (a person without a
 * sex token blocks with the others without one).  The sex halves rule
 * A's blocks, and no corruption the pass is for changes it; a pair
 * whose sex differs can still be found by rule B. */
static uint64_t year_sex(const struct pperson *x)
{
	return x->tok[T_YEAR] ^ (x->has & HAS(T_SEX) ? x->tok[T_SEX] * 0x9e3779b97f4a7c15u : 0);
}

/* The keys of rule `rule` for one side; persons without them are left out. */
static size_t keys(const struct prob *pr, unsigned rule, int employer, struct bkey *out)
{
	size_t i, n = 0;
	for (i = 0; i < pr->np; i++) {
		const struct pperson *x = &pr->pp[i];
		if (x->employer != employer || (pr->scoring && x->linked))
			continue; /* scoring judges the unlinked persons only */
		if (rule == COLINK_BLOCK_INSURER_YEAR && (x->has & HAS(T_INS)) && (x->has & HAS(T_YEAR)))
			out[n++] = (struct bkey){x->tok[T_INS], year_sex(x), (uint32_t)i};
		else if (rule == COLINK_BLOCK_BIRTH_DATE && (x->has & HAS(T_YEAR)) && (x->has & HAS(T_MD)))
			out[n++] = (struct bkey){x->tok[T_YEAR], x->tok[T_MD], (uint32_t)i};
	}
	qsort(out, n, sizeof(*out), bkey_cmp);
	return n;
}

/* Whether rule A (run before B) already found the pair. */
static int found_by_a(const struct prob *pr, uint32_t e, uint32_t a)
{
	const struct pperson *pe = &pr->pp[e], *pa = &pr->pp[a];
	const unsigned both = HAS(T_INS) | HAS(T_YEAR);
	return (pr->p->blocking & COLINK_BLOCK_INSURER_YEAR) && (pe->has & both) == both &&
	       (pa->has & both) == both && pe->tok[T_INS] == pa->tok[T_INS] &&
	       year_sex(pe) == year_sex(pa);
}

static int block(struct prob *pr, unsigned rule, struct bkey *ek, struct bkey *ak)
{
	size_t ne = keys(pr, rule, 1, ek), na = keys(pr, rule, 0, ak), i = 0, j = 0, x, y;
	int rc = COLINK_OK;
	while (i < ne && j < na && !rc) {
		int c = bkey_cmp(&ek[i], &ak[j]);
		size_t i2 = i, j2 = j;
		if (c) {
			c < 0 ? i++ : j++;
			continue;
		}
		while (i2 < ne && !bkey_cmp(&ek[i2], &ek[i]))
			i2++;
		while (j2 < na && !bkey_cmp(&ak[j2], &ak[j]))
			j2++;
		for (x = i; x < i2 && !rc; x++)
			for (y = j; y < j2 && !rc; y++)
				if (rule == COLINK_BLOCK_INSURER_YEAR ||
				    !found_by_a(pr, ek[x].idx, ak[y].idx)) {
					if (pr->counting)
						pr->npairs++;
					else if (pr->scoring || pr->seen++ % pr->every == 0)
						rc = visit(pr, ek[x].idx, ak[y].idx);
				}
		i = i2;
		j = j2;
	}
	return rc;
}

static int enumerate(struct prob *pr, struct colink_error *err)
{
	struct bkey *ek = malloc((pr->np + 1) * sizeof(*ek));
	struct bkey *ak = malloc((pr->np + 1) * sizeof(*ak));
	int rc = ek && ak ? COLINK_OK : COLINK_ENOMEM;
	if (!rc && (pr->p->blocking & COLINK_BLOCK_INSURER_YEAR))
		rc = block(pr, COLINK_BLOCK_INSURER_YEAR, ek, ak);
	if (!rc && (pr->p->blocking & COLINK_BLOCK_BIRTH_DATE))
		rc = block(pr, COLINK_BLOCK_BIRTH_DATE, ek, ak);
	free(ek);
	free(ak);
	return rc ? COLINK_ERR(err, COLINK_ENOMEM, "out of memory") : COLINK_OK;
}

/* ---- estimates ---- */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * EM's starting point: m and the match share from the blocked pairs the
 * warehouse already links (the exact passes', the decisions'), smoothed;
 * the defaults of colink_fs_init when there are none.  Blocking makes
 * most blocked pairs agree on the insurer or the birth date, so EM started
 * blind can settle on "same block" as its match class; started from the
 * known matches it keeps to the real one.
 */
static void start_from_known(struct prob *pr)
{
	double tot = 0, all = 0, lv[F_COUNT][COLINK_FS_MAX_LEVELS], den[F_COUNT];
	unsigned char g[F_COUNT];
	size_t k, f;
	unsigned l;
	memset(lv, 0, sizeof(lv));
	memset(den, 0, sizeof(den));
	for (k = 0; k < NPAT; k++) {
		all += pr->count[k];
		if (!pr->known[k])
			continue;
		tot += pr->known[k];
		unpattern(k, g);
		for (f = 0; f < F_COUNT; f++)
			if (g[f] < feat_nlev[f]) {
				lv[f][g[f]] += pr->known[k];
				den[f] += pr->known[k];
			}
	}
	if (tot < 1)
		return;
	for (f = 0; f < F_COUNT; f++)
		for (l = 0; l < feat_nlev[f]; l++)
			pr->fm.m[f][l] = fmax(1e-3, (lv[f][l] + 0.5) / (den[f] + 0.5 * feat_nlev[f]));
	pr->fm.lambda = (tot + 1) / (all + 2);
}

/* u from random pairs, then m by EM over the blocked pairs' vectors. */
static int estimate(struct prob *pr, struct colink_error *err)
{
	uint32_t *emp = malloc((pr->np + 1) * sizeof(*emp)), *ass = malloc((pr->np + 1) * sizeof(*ass));
	unsigned char *g = NULL, pg[NPAT][F_COUNT];
	double cnt[NPAT];
	size_t ne = 0, na = 0, i, n = 0, k;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	if (!emp || !ass) {
		free(emp);
		free(ass);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	for (i = 0; i < pr->np; i++) {
		if (pr->pp[i].employer)
			emp[ne++] = (uint32_t)i;
		else
			ass[na++] = (uint32_t)i;
	}
	colink_fs_init(&pr->fm, F_COUNT, feat_nlev);
	if (ne && na && (g = malloc((size_t)U_SAMPLE * F_COUNT))) {
		for (i = 0; i < U_SAMPLE; i++)
			compare(pr, &pr->pp[emp[xorshift(&seed) % ne]],
				&pr->pp[ass[xorshift(&seed) % na]], g + i * F_COUNT);
		colink_fs_estimate_u(&pr->fm, g, U_SAMPLE);
	}
	free(g);
	free(emp);
	free(ass);
	if (ne && na && !g)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	/* EM sees the blocked pairs without the features blocking made agree
	 * (insurer, birth date, sex): within a block they agree for matches and
	 * non-matches alike, which u from random pairs cannot know, and EM
	 * would take "same block" for "match".  Their m stays the known
	 * matches' (start_from_known). */
	for (k = 0; k < NPAT; k++)
		if (pr->count[k] > 0) {
			unpattern(k, pg[n]);
			pg[n][F_INS] = COLINK_FS_MISSING;
			pg[n][F_DOB] = COLINK_FS_MISSING;
			pg[n][F_SEX] = COLINK_FS_MISSING; /* rule A's blocks share it */
			cnt[n++] = pr->count[k];
		}
	start_from_known(pr);
	colink_fs_em(&pr->fm, &pg[0][0], cnt, n, EM_MAXITER, EM_TOL);
	for (k = 0; k < NPAT; k++) {
		unsigned char gk[F_COUNT];
		unpattern(k, gk);
		pr->weight[k] = colink_fs_weight(&pr->fm, gk);
	}
	return COLINK_OK;
}

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
	sqlite3_bind_int64(st, 1, pr->pp[c->e].no);
	sqlite3_bind_int64(st, 2, pr->pp[c->a].no);
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
	sqlite3_bind_int64(st, 1, w->pr->pp[c->e].no);
	sqlite3_bind_int64(st, 2, w->pr->pp[c->a].no);
	if (id == P_SEEN)
		osq_bind_text(st, 3, w->pr->o->run_id);
	src = sqlite3_step(st);
	sqlite3_reset(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return osq_db_err(w->pr->o, src, "reading the link decisions and review", err);
	return src == SQLITE_ROW;
}

/* Drop the pairs a "never" decision keeps apart, mark those an exact pass
 * of this run already sent to review (they count as candidates but get
 * no second review row), then count each person's pairs. */
static int filter_never(struct writer *w, struct colink_error *err)
{
	struct prob *pr = w->pr;
	size_t i, n = 0;
	int r;
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
	for (i = 0; i < n; i++) {
		pr->pp[pr->c[i].e].ncand++;
		pr->pp[pr->c[i].a].ncand++;
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
	uint32_t *up = malloc((pr->np + 1) * sizeof(*up)), *gno = calloc(pr->np + 1, sizeof(*gno));
	sqlite3_int64 base = 0, next = 0;
	char lv[160], reason[160];
	size_t i;
	int rc = COLINK_OK, src;
	if (!up || !gno) {
		free(up);
		free(gno);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	for (i = 0; i < pr->np; i++)
		up[i] = (uint32_t)i;
	for (i = 0; i < pr->nc; i++) {
		struct pcand *c = &pr->c[i];
		c->link = c->w >= pr->p->upper && pr->pp[c->e].ncand == 1 && pr->pp[c->a].ncand == 1;
		if (!c->link)
			up[find(up, c->e)] = find(up, c->a);
	}
	src = sqlite3_step(w->st[P_BASE]);
	if (src == SQLITE_ROW)
		base = sqlite3_column_int64(w->st[P_BASE], 0);
	sqlite3_reset(w->st[P_BASE]);
	if (src != SQLITE_ROW)
		rc = osq_db_err(pr->o, src, "numbering the review groups", err);
	for (i = 0; i < pr->nc && !rc; i++) {
		struct pcand *c = &pr->c[i];
		uint32_t r;
		if (c->link) {
			bind_pair(w, w->st[P_LINK], c, lv);
			rc = run_st(w, P_LINK, "linking persons", err);
			sqlite3_bind_int64(w->st[P_LINKED], 1, pr->pp[c->e].no);
			sqlite3_bind_int64(w->st[P_LINKED], 2, pr->pp[c->a].no);
			if (!rc)
				rc = run_st(w, P_LINKED, "linking persons", err);
			(*linked)++;
			continue;
		}
		if (c->reviewed)
			continue; /* its review row is the exact pass's */
		r = find(up, c->e);
		if (!gno[r])
			gno[r] = (uint32_t)++next;
		if (pr->pp[c->e].ncand > 1 || pr->pp[c->a].ncand > 1)
			snprintf(reason, sizeof(reason), "employer person has %" PRIu32 " candidates; "
				 "association person has %" PRIu32 " candidates (match weight %.2f)",
				 pr->pp[c->e].ncand, pr->pp[c->a].ncand, c->w);
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

int osq_link_prob(struct out_sqlite *o, int pass, const struct colink_link_pass *p,
		  uint64_t *linked, uint64_t *review, struct colink_error *err)
{
	struct prob *pr = calloc(1, sizeof(*pr));
	struct writer w;
	size_t i;
	int src, rc;
	*linked = *review = 0;
	if (!pr)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	pr->o = o;
	pr->p = p;
	pr->pass = pass;
	memset(&w, 0, sizeof(w));
	w.pr = pr;
	rc = load(pr, err);
	/* the estimate needs a sample of the blocked pairs, not all of them:
	 * every `every`th, at most EST_PAIRS (count them first) */
	pr->counting = 1;
	if (!rc)
		rc = enumerate(pr, err);
	pr->counting = 0;
	pr->every = pr->npairs / EST_PAIRS + 1;
	if (!rc)
		rc = enumerate(pr, err);
	if (!rc)
		rc = estimate(pr, err);
	if (!rc) {
		pr->scoring = 1;
		rc = enumerate(pr, err);
	}
	for (i = 0; i < P_COUNT && !rc; i++) {
		src = sqlite3_prepare_v2(o->db, prob_sql[i], -1, &w.st[i], NULL);
		if (src != SQLITE_OK)
			rc = osq_db_err(o, src, "preparing a link statement", err);
	}
	if (!rc)
		rc = filter_never(&w, err);
	if (!rc)
		rc = write_rows(&w, linked, review, err);
	if (!rc)
		rc = write_figures(&w, *linked, *review, err);
	for (i = 0; i < P_COUNT; i++)
		sqlite3_finalize(w.st[i]);
	free(pr->pp);
	free(pr->c);
	free(pr);
	return rc;
}
