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
 * of birth years (temporary files in $TMPDIR or /tmp, unlinked as soon as
 * made; keyed features only, the same bytes the warehouse holds).  Both
 * blocking rules key on the birth year, so every block lies in one file:
 * the pass then reads one file at a time and holds only its persons.  It reads them three times: to count the
 * blocked pairs of each block (so that the estimate's sample, every n-th
 * pair in the order of the blocks' keys, is the one of an enumeration of
 * all persons at once), to compare that sample, then to score the pairs of
 * the unlinked persons.  The random pairs of u are read back from the files
 * by position, U_CHUNK pairs at a time.  What stays in memory across files: a position per person
 * (4 bytes), the blocks' pair counts and the pairs at or above the lower
 * weight.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "link_prob.h"

/* ---- loading the features into the spill files ---- */

/* A token's COLINK_FS_TOKEN_BYTES (8) bytes, big-endian: since schema 14
 * the token is the HMAC's first 8 bytes, the bits this pass compared when
 * the whole 32 were stored. */
static uint64_t tok64(const unsigned char *b)
{
	uint64_t v = 0;
	int i;
	for (i = 0; i < COLINK_FS_TOKEN_BYTES; i++)
		v = v << 8 | b[i];
	return v;
}

/* Column c of person_feature (OSQ_FEATURE_COLUMNS: name_bf, then the
 * tokens in enum tok order), a BLOB since schema 12; a value of another
 * length is not a feature this colink wrote and counts as absent, as a
 * filter of a wrong length does. */
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
	if (n != COLINK_FS_TOKEN_BYTES)
		return;
	x->tok[c - 1] = tok64(v);
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

/* An unlinked temporary file (mode 0600) in $TMPDIR, else /tmp. */
static FILE *spill_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *f;
	int fd;
	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/colink-prob-XXXXXX", dir) >= sizeof(path))
		return NULL;
	if ((fd = mkstemp(path)) < 0)
		return NULL;
	unlink(path);
	if (!(f = fdopen(fd, "w+b")))
		close(fd);
	return f;
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
		if (!(pr->f[i] = spill_file())) {
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

#define U_CHUNK 16384u /* random pairs read back at a time */
#define U_GAP 16u      /* records read through rather than skipped between two wanted */
#define U_RUN 256u     /* records one read takes at most */

struct want {
	uint32_t loc, slot;
};

static int want_cmp(const void *x, const void *y)
{
	const struct want *a = x, *b = y;
	return a->loc < b->loc ? -1 : a->loc > b->loc;
}

/* Records w[0..n) (sorted by position) into rec[slot]: neighbours in one
 * file, at most U_GAP records apart, come in one read (one pread per
 * record cost more than the sample's pairs loops at 100k persons). */
static int fetch_wanted(const struct prob *pr, const struct want *w, size_t n,
			struct prec *rec, struct prec *buf)
{
	const uint32_t mask = (1u << LOC_BITS) - 1;
	size_t i = 0, j;
	while (i < n) {
		uint32_t f = w[i].loc >> LOC_BITS, lo = w[i].loc & mask, hi = lo;
		for (j = i + 1; j < n && w[j].loc >> LOC_BITS == f &&
		     (w[j].loc & mask) - hi <= U_GAP && (w[j].loc & mask) - lo < U_RUN; j++)
			hi = w[j].loc & mask;
		if (read_at(pr->f[f], buf, (size_t)(hi - lo + 1) * sizeof(*buf),
			    (off_t)lo * (off_t)sizeof(*buf)))
			return -1;
		for (; i < j; i++)
			rec[w[i].slot] = buf[(w[i].loc & mask) - lo];
	}
	return 0;
}

/* u from random pairs (read back from the spill files by position, in
 * chunks), fixed seed. */
static int estimate_u(struct prob *pr, struct colink_error *err)
{
	unsigned char *g;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	struct want *w;
	struct prec *rec, *buf;
	size_t i, k;
	int rc = COLINK_OK;
	colink_fs_init(&pr->fm, F_COUNT, feat_nlev);
	if (!pr->ne || !pr->na)
		return COLINK_OK;
	g = malloc((size_t)U_SAMPLE * F_COUNT);
	w = malloc(2 * U_CHUNK * sizeof(*w));
	rec = malloc(2 * U_CHUNK * sizeof(*rec));
	buf = malloc(U_RUN * sizeof(*buf));
	if (!g || !w || !rec || !buf)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	for (i = 0; i < U_SAMPLE && !rc; i += k) {
		size_t n = U_SAMPLE - i < U_CHUNK ? U_SAMPLE - i : U_CHUNK;
		for (k = 0; k < n; k++) {
			/* the association side's draw first, as the pass always drew */
			w[2 * k + 1] = (struct want){pr->ass[xorshift(&seed) % pr->na], (uint32_t)(2 * k + 1)};
			w[2 * k] = (struct want){pr->emp[xorshift(&seed) % pr->ne], (uint32_t)(2 * k)};
		}
		qsort(w, 2 * n, sizeof(*w), want_cmp);
		if (fetch_wanted(pr, w, 2 * n, rec, buf)) {
			rc = spill_err(err);
			break;
		}
		for (k = 0; k < n; k++)
			compare(pr, &rec[2 * k], &rec[2 * k + 1], g + (i + k) * F_COUNT);
	}
	if (!rc)
		colink_fs_estimate_u(&pr->fm, g, U_SAMPLE);
	free(g);
	free(w);
	free(rec);
	free(buf);
	return rc;
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

int osq_link_prob(struct out_sqlite *o, int pass, const struct colink_link_pass *p,
		  uint64_t *linked, uint64_t *review, struct colink_error *err)
{
	struct prob *pr = calloc(1, sizeof(*pr));
	size_t i;
	int rc;
	*linked = *review = 0;
	if (!pr)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	pr->o = o;
	pr->p = p;
	pr->pass = pass;
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
	if (!rc)
		rc = osq_prob_write(pr, linked, review, err);
	free(pr->c);
	free(pr->pc);
	free(pr);
	return rc;
}
