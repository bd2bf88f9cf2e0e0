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
 * weights of the pairs judged.
 *
 * Memory: a pass over person_feature (in person_no order) writes each
 * person's features as one fixed-size record to spill files, one per group
 * of birth years (unlinked temporary files; keyed features only, the same
 * bytes the warehouse holds).  Both blocking rules key on the birth year,
 * so every block lies in one file: the pass then reads one file at a time
 * and holds only its persons.  It reads them three times: to count the
 * blocked pairs of each block (so that the estimate's sample, every n-th
 * pair in the order of the blocks' keys, is the one of an enumeration of
 * all persons at once), to compare that sample, then to score the pairs of
 * the unlinked persons.  The random pairs of u are read from the files by
 * position.  What stays in memory across files: a position per person
 * (4 bytes), the blocks' pair counts and the pairs at or above the lower
 * weight.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#define NFILE 64            /* spill files of persons with a birth year */
#define NOYEAR NFILE        /* the file of those without: never blocked */
#define LOC_BITS 24         /* a person's position: file << LOC_BITS | record */
#define YMAP 1024           /* birth years told apart when spreading them */

/* One person, as the spill files hold it (fixed size: read by position). */
struct prec {
	int64_t no;
	int64_t partner;            /* an employer person's linked partner, or 0 */
	uint64_t tok[T_COUNT];      /* the first 64 bits of each token */
	unsigned char bf[COLINK_FS_BF_MAX_BYTES];
	uint16_t has;               /* HAS(t), HAS_BF */
	uint16_t bfpop;             /* bits set in bf */
	uint16_t bflen;             /* bytes of bf in use (plain or balanced) */
	unsigned char employer, linked;
};

/* A pair at or above the lower weight; rule and block give the order in
 * which an enumeration of all persons at once finds it. */
struct pcand {
	int64_t e, a;               /* person_no */
	uint64_t k1, k2;            /* its block's key */
	double w;
	unsigned char g[F_COUNT];
	unsigned char rule;         /* 0 rule A, 1 rule B */
	unsigned char link;
	unsigned char reviewed;     /* an earlier pass of this run sent it to review */
};

struct pcount {
	int64_t no;
	uint32_t ncand;             /* pairs at or above the lower weight */
};

struct bkey {
	uint64_t k1, k2;
	uint32_t idx;
};

/* A block of one rule: its key, its pairs, where they start in the order
 * of all blocks' keys (rule A's, then rule B's). */
struct blk {
	uint64_t k1, k2, n, start;
};

struct blist {
	struct blk *b;
	size_t n, cap;
	uint64_t total;
};

enum mode { M_COUNT, M_SAMPLE, M_SCORE };

struct prob {
	struct out_sqlite *o;
	const struct colink_link_pass *p;
	int pass;
	FILE *f[NFILE + 1];
	uint32_t nrec[NFILE + 1];
	uint64_t ykey[YMAP];
	unsigned char yfile[YMAP], yused[YMAP];
	unsigned nyears;
	uint32_t *emp, *ass;        /* positions of each side, in person_no order */
	size_t ne, na, cape, capa;
	struct prec *r;             /* one file's persons */
	struct bkey *ek, *ak;
	size_t capr;
	struct blist bl[2];         /* rule A's blocks, rule B's */
	struct colink_fs_model fm;
	double count[NPAT];         /* blocked pairs per vector */
	double known[NPAT];         /* of them, pairs the warehouse links */
	double weight[NPAT];
	uint64_t hist[HIST_MAX - HIST_MIN + 1];
	struct pcand *c;
	size_t nc, capc;
	struct pcount *pc;          /* the persons of the pairs, by person_no */
	size_t npc;
	uint64_t npairs, every;     /* the estimate visits every `every`th pair */
};

/* ---- loading the features into the spill files ---- */

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
static void set_feature(struct prec *x, size_t c, const unsigned char *v, int n)
{
	if (c == 0) { /* a plain filter or a balanced one, twice as long */
		if (n != COLINK_FS_BF_BYTES && n != 2 * COLINK_FS_BF_BYTES)
			return;
		memcpy(x->bf, v, (size_t)n);
		x->has |= HAS_BF;
		x->bflen = (uint16_t)n;
		x->bfpop = (uint16_t)colink_fs_popcount(x->bf, NULL, (size_t)n);
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

struct partner {
	int64_t e, a;
};

static int partner_cmp(const void *x, const void *y)
{
	const struct partner *a = x, *b = y;
	return a->e < b->e ? -1 : a->e > b->e;
}

/* Each linked employer person's partner (the pairs EM starts from),
 * sorted by the employer person. */
static int load_partners(struct prob *pr, struct partner **out, size_t *np,
			 struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	struct partner *v = NULL;
	size_t n = 0, cap = 0;
	int src = sqlite3_prepare_v2(pr->o->db, partner_sql, -1, &st, NULL);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct partner *x = realloc(v, ncap * sizeof(*x));
			if (!x) {
				sqlite3_finalize(st);
				free(v);
				return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			}
			v = x;
			cap = ncap;
		}
		v[n].e = sqlite3_column_int64(st, 0);
		v[n++].a = sqlite3_column_int64(st, 1);
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		free(v);
		return osq_db_err(pr->o, src, "reading the links", err);
	}
	if (n)
		qsort(v, n, sizeof(*v), partner_cmp);
	*out = v;
	*np = n;
	return COLINK_OK;
}

/* The spill file of a birth year: years spread over the files in the
 * order they first come (so no file holds two years while another holds
 * none), by their bits once YMAP/2 years are known. */
static unsigned year_file(struct prob *pr, uint64_t y)
{
	size_t i = (size_t)(y & (YMAP - 1));
	while (pr->yused[i]) {
		if (pr->ykey[i] == y)
			return pr->yfile[i];
		i = (i + 1) & (YMAP - 1);
	}
	if (pr->nyears >= YMAP / 2)
		return (unsigned)(y % NFILE);
	pr->yused[i] = 1;
	pr->ykey[i] = y;
	pr->yfile[i] = (unsigned char)(pr->nyears++ % NFILE);
	return pr->yfile[i];
}

static int push_loc(uint32_t **v, size_t *n, size_t *cap, uint32_t loc)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4096;
		uint32_t *x = realloc(*v, ncap * sizeof(*x));
		if (!x)
			return COLINK_ENOMEM;
		*v = x;
		*cap = ncap;
	}
	(*v)[(*n)++] = loc;
	return COLINK_OK;
}

static int spill_err(struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_EIO, "writing or reading the probabilistic pass's "
			  "temporary files failed");
}

static int load(struct prob *pr, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	struct partner *part = NULL;
	size_t npart = 0, i;
	int src, rc = load_partners(pr, &part, &npart, err);
	if (rc)
		return rc;
	for (i = 0; i <= NFILE; i++)
		if (!(pr->f[i] = tmpfile())) {
			free(part);
			return spill_err(err);
		}
	src = sqlite3_prepare_v2(pr->o->db, load_sql, -1, &st, NULL);
	while (!rc && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		struct prec x;
		unsigned file;
		size_t c;
		memset(&x, 0, sizeof(x));
		x.no = sqlite3_column_int64(st, 0);
		x.employer = (unsigned char)sqlite3_column_int(st, 1);
		x.linked = (unsigned char)sqlite3_column_int(st, 2);
		for (c = 0; c <= T_COUNT; c++) {
			const unsigned char *v = sqlite3_column_blob(st, 3 + (int)c);
			if (v)
				set_feature(&x, c, v, sqlite3_column_bytes(st, 3 + (int)c));
		}
		if (x.employer && npart) {
			struct partner key = {x.no, 0}, *hit;
			hit = bsearch(&key, part, npart, sizeof(*part), partner_cmp);
			if (hit)
				x.partner = hit->a;
		}
		file = x.has & HAS(T_YEAR) ? year_file(pr, x.tok[T_YEAR]) : NOYEAR;
		if (pr->nrec[file] >= 1u << LOC_BITS) {
			rc = COLINK_ERR(err, COLINK_EINVAL, "too many persons of one birth year "
					"for the probabilistic pass");
			break;
		}
		if (fwrite(&x, sizeof(x), 1, pr->f[file]) != 1) {
			rc = spill_err(err);
			break;
		}
		rc = x.employer ? push_loc(&pr->emp, &pr->ne, &pr->cape, file << LOC_BITS | pr->nrec[file])
			: push_loc(&pr->ass, &pr->na, &pr->capa, file << LOC_BITS | pr->nrec[file]);
		if (rc)
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		pr->nrec[file]++;
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	free(part);
	if (!rc && src != SQLITE_DONE)
		return osq_db_err(pr->o, src, "reading the comparison features", err);
	for (i = 0; i <= NFILE && !rc; i++)
		if (fflush(pr->f[i]))
			rc = spill_err(err);
	return rc;
}

static int read_at(FILE *f, void *buf, size_t n, off_t off)
{
	char *p = buf;
	while (n) {
		ssize_t got = pread(fileno(f), p, n, off);
		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
		off += got;
	}
	return 0;
}

static int fetch(const struct prob *pr, uint32_t loc, struct prec *x)
{
	return read_at(pr->f[loc >> LOC_BITS], x, sizeof(*x),
		       (off_t)(loc & ((1u << LOC_BITS) - 1)) * (off_t)sizeof(*x));
}

/* ---- comparison ---- */

static unsigned char tok_level(const struct prec *e, const struct prec *a, int t)
{
	if (!(e->has & a->has & HAS(t)))
		return COLINK_FS_MISSING;
	return e->tok[t] == a->tok[t] ? 0 : 1;
}

static void compare(const struct prob *pr, const struct prec *e,
		    const struct prec *a, unsigned char g[F_COUNT])
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

/* Key order, then the person's order in its file (person_no order). */
static int bkey_cmp(const void *x, const void *y)
{
	const struct bkey *a = x, *b = y;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2 ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int same_key(const struct bkey *a, const struct bkey *b)
{
	return a->k1 == b->k1 && a->k2 == b->k2;
}

static int blk_cmp(const void *x, const void *y)
{
	const struct blk *a = x, *b = y;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	return a->k2 < b->k2 ? -1 : a->k2 > b->k2;
}

static int add_cand(struct prob *pr, unsigned rule, const struct bkey *blk,
		    const struct prec *e, const struct prec *a, const unsigned char *g, double w)
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
	memset(c, 0, sizeof(*c));
	c->e = e->no;
	c->a = a->no;
	c->k1 = blk->k1;
	c->k2 = blk->k2;
	c->rule = rule == COLINK_BLOCK_BIRTH_DATE;
	c->w = w;
	memcpy(c->g, g, F_COUNT);
	return COLINK_OK;
}

/* One pair of the estimate's sample. */
static void sample(struct prob *pr, const struct prec *pe, const struct prec *pa)
{
	unsigned char g[F_COUNT];
	size_t k;
	compare(pr, pe, pa, g);
	k = pattern(g);
	pr->count[k] += 1;
	if (pe->partner && pe->partner == pa->no)
		pr->known[k] += 1;
}

/* One pair of two unlinked persons: judged. */
static int score(struct prob *pr, unsigned rule, const struct bkey *blk,
		 const struct prec *pe, const struct prec *pa)
{
	unsigned char g[F_COUNT];
	double w;
	long bin;
	compare(pr, pe, pa, g);
	w = pr->weight[pattern(g)];
	bin = lround(floor(w));
	bin = bin < HIST_MIN ? HIST_MIN : bin > HIST_MAX ? HIST_MAX : bin;
	pr->hist[bin - HIST_MIN]++;
	return w >= pr->p->lower ? add_cand(pr, rule, blk, pe, pa, g, w) : COLINK_OK;
}

/* Rule A's second key: the birth year and the sex (a person without a
 * sex token blocks with the others without one).  The sex halves rule
 * A's blocks, and no corruption the pass is for changes it; a pair
 * whose sex differs can still be found by rule B. */
static uint64_t year_sex(const struct prec *x)
{
	return x->tok[T_YEAR] ^ (x->has & HAS(T_SEX) ? x->tok[T_SEX] * 0x9e3779b97f4a7c15u : 0);
}

/* The keys of rule `rule` for one side of the file's persons; persons
 * without them are left out, and the linked ones when scoring. */
static size_t keys(const struct prob *pr, int mode, unsigned rule, int employer, size_t np,
		   struct bkey *out)
{
	size_t i, n = 0;
	for (i = 0; i < np; i++) {
		const struct prec *x = &pr->r[i];
		if (x->employer != employer || (mode == M_SCORE && x->linked))
			continue; /* scoring judges the unlinked persons only */
		if (rule == COLINK_BLOCK_INSURER_YEAR && (x->has & HAS(T_INS)) && (x->has & HAS(T_YEAR)))
			out[n++] = (struct bkey){x->tok[T_INS], year_sex(x), (uint32_t)i};
		else if (rule == COLINK_BLOCK_BIRTH_DATE && (x->has & HAS(T_YEAR)) && (x->has & HAS(T_MD)))
			out[n++] = (struct bkey){x->tok[T_YEAR], x->tok[T_MD], (uint32_t)i};
	}
	qsort(out, n, sizeof(*out), bkey_cmp);
	return n;
}

/* Whether rule A (run before B) already finds the pair. */
static int found_by_a(const struct prob *pr, const struct prec *pe, const struct prec *pa)
{
	const unsigned both = HAS(T_INS) | HAS(T_YEAR);
	return (pr->p->blocking & COLINK_BLOCK_INSURER_YEAR) && (pe->has & both) == both &&
	       (pa->has & both) == both && pe->tok[T_INS] == pa->tok[T_INS] &&
	       year_sex(pe) == year_sex(pa);
}

static int push_blk(struct blist *l, const struct bkey *k, uint64_t n)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 256;
		struct blk *x = realloc(l->b, ncap * sizeof(*x));
		if (!x)
			return COLINK_ENOMEM;
		l->b = x;
		l->cap = ncap;
	}
	l->b[l->n++] = (struct blk){k->k1, k->k2, n, 0};
	l->total += n;
	return COLINK_OK;
}

/*
 * One block, employer keys e[0..ne) by association keys a[0..na):
 * M_COUNT records its pairs, M_SAMPLE compares the pairs whose position
 * in the order of all blocks is a multiple of `every` (as one counter
 * over an enumeration of all persons would pick them), M_SCORE judges
 * every pair.  Rule B leaves out the pairs rule A finds.
 */
static int one_block(struct prob *pr, int mode, unsigned rule, const struct bkey *e, size_t ne,
		     const struct bkey *a, size_t na)
{
	struct blist *l = &pr->bl[rule == COLINK_BLOCK_BIRTH_DATE];
	const int b = rule == COLINK_BLOCK_BIRTH_DATE;
	uint64_t pos = 0, next = 0;
	size_t x, y;
	int rc = COLINK_OK;
	if (mode == M_COUNT && !b)
		return push_blk(l, e, (uint64_t)ne * na);
	if (mode == M_SAMPLE) {
		struct blk key = {e->k1, e->k2, 0, 0};
		const struct blk *hit = bsearch(&key, l->b, l->n, sizeof(*l->b), blk_cmp);
		if (!hit)
			return COLINK_OK; /* no pair */
		next = (pr->every - hit->start % pr->every) % pr->every;
		if (!b) {
			uint64_t q;
			for (q = next; q < hit->n; q += pr->every)
				sample(pr, &pr->r[e[q / na].idx], &pr->r[a[q % na].idx]);
			return COLINK_OK;
		}
	}
	for (x = 0; x < ne && !rc; x++)
		for (y = 0; y < na && !rc; y++) {
			const struct prec *pe = &pr->r[e[x].idx], *pa = &pr->r[a[y].idx];
			if (b && found_by_a(pr, pe, pa))
				continue;
			if (mode == M_SCORE)
				rc = score(pr, rule, e, pe, pa);
			else if (mode == M_SAMPLE && pos == next) {
				sample(pr, pe, pa);
				next += pr->every;
			}
			pos++;
		}
	if (mode == M_COUNT && pos)
		rc = push_blk(l, e, pos);
	return rc;
}

static int block(struct prob *pr, int mode, unsigned rule, size_t np)
{
	size_t ne = keys(pr, mode, rule, 1, np, pr->ek), na = keys(pr, mode, rule, 0, np, pr->ak);
	size_t i = 0, j = 0;
	int rc = COLINK_OK;
	while (i < ne && j < na && !rc) {
		int c = bkey_cmp(&pr->ek[i], &pr->ak[j]);
		size_t i2 = i, j2 = j;
		if (!same_key(&pr->ek[i], &pr->ak[j])) {
			c < 0 ? i++ : j++;
			continue;
		}
		while (i2 < ne && same_key(&pr->ek[i2], &pr->ek[i]))
			i2++;
		while (j2 < na && same_key(&pr->ak[j2], &pr->ak[j]))
			j2++;
		rc = one_block(pr, mode, rule, pr->ek + i, i2 - i, pr->ak + j, j2 - j);
		i = i2;
		j = j2;
	}
	return rc;
}

/* Every spill file in turn, its persons in memory, each rule's blocks. */
static int sweep(struct prob *pr, int mode, struct colink_error *err)
{
	size_t f;
	int rc = COLINK_OK;
	for (f = 0; f < NFILE && !rc; f++) {
		size_t n = pr->nrec[f];
		if (!n)
			continue;
		if (n > pr->capr) {
			struct prec *r = realloc(pr->r, n * sizeof(*r));
			struct bkey *ek = r ? realloc(pr->ek, n * sizeof(*ek)) : NULL;
			struct bkey *ak = ek ? realloc(pr->ak, n * sizeof(*ak)) : NULL;
			if (r)
				pr->r = r;
			if (ek)
				pr->ek = ek;
			if (!ak)
				return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			pr->ak = ak;
			pr->capr = n;
		}
		if (read_at(pr->f[f], pr->r, n * sizeof(*pr->r), 0))
			return spill_err(err);
		if (pr->p->blocking & COLINK_BLOCK_INSURER_YEAR)
			rc = block(pr, mode, COLINK_BLOCK_INSURER_YEAR, n);
		if (!rc && (pr->p->blocking & COLINK_BLOCK_BIRTH_DATE))
			rc = block(pr, mode, COLINK_BLOCK_BIRTH_DATE, n);
	}
	return rc ? COLINK_ERR(err, COLINK_ENOMEM, "out of memory") : COLINK_OK;
}

/* After M_COUNT: the blocks in key order, where each one's pairs start
 * (rule A's first), and the estimate's stride. */
static void place_blocks(struct prob *pr)
{
	uint64_t at = 0;
	size_t r, i;
	for (r = 0; r < 2; r++) {
		struct blist *l = &pr->bl[r];
		if (l->n)
			qsort(l->b, l->n, sizeof(*l->b), blk_cmp);
		for (i = 0; i < l->n; i++) {
			l->b[i].start = at;
			at += l->b[i].n;
		}
	}
	pr->npairs = at;
	pr->every = pr->npairs / EST_PAIRS + 1;
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

/* u from random pairs (read from the spill files by position), fixed seed. */
static int estimate_u(struct prob *pr, struct colink_error *err)
{
	unsigned char *g;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	size_t i;
	colink_fs_init(&pr->fm, F_COUNT, feat_nlev);
	if (!pr->ne || !pr->na)
		return COLINK_OK;
	if (!(g = malloc((size_t)U_SAMPLE * F_COUNT)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; i < U_SAMPLE; i++) {
		struct prec e, a;
		/* the association side's draw first, as the pass always drew */
		uint32_t la = pr->ass[xorshift(&seed) % pr->na];
		uint32_t le = pr->emp[xorshift(&seed) % pr->ne];
		if (fetch(pr, le, &e) || fetch(pr, la, &a)) {
			free(g);
			return spill_err(err);
		}
		compare(pr, &e, &a, g + i * F_COUNT);
	}
	colink_fs_estimate_u(&pr->fm, g, U_SAMPLE);
	free(g);
	return COLINK_OK;
}

/* m by EM over the sample of the blocked pairs' vectors, u fixed. */
static void estimate_m(struct prob *pr)
{
	unsigned char pg[NPAT][F_COUNT];
	double cnt[NPAT];
	size_t n = 0, k;
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
	if (!rc)
		rc = estimate_u(pr, err);
	free(pr->emp);
	free(pr->ass);
	pr->emp = pr->ass = NULL;
	/* the estimate needs a sample of the blocked pairs, not all of them:
	 * every `every`th, at most EST_PAIRS (count them first) */
	if (!rc)
		rc = sweep(pr, M_COUNT, err);
	if (!rc) {
		place_blocks(pr);
		rc = sweep(pr, M_SAMPLE, err);
	}
	if (!rc) {
		estimate_m(pr);
		rc = sweep(pr, M_SCORE, err);
	}
	free(pr->r);
	free(pr->ek);
	free(pr->ak);
	free(pr->bl[0].b);
	free(pr->bl[1].b);
	for (i = 0; i <= NFILE; i++)
		if (pr->f[i])
			fclose(pr->f[i]);
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
	free(pr->c);
	free(pr->pc);
	free(pr);
	return rc;
}
