/* test_wp_usefulness.c -- is the white paper useful, and still safe? (#19)
 *
 * Runs the real binary on two generated populations
 * (samples/gen/claims-gen-whitepaper.sh): the sample (710 employees, three
 * sites, 97.5 % uptake) and a 5,000-person company (WP_PERSONS=5640:
 * 5,049 employees, five sites, WP_UNEXAMINED=2: about 95 % uptake).  Each
 * paper is written twice from the same warehouse: with the default
 * protection (k = 10: the paper) and with k = 1 (nothing is suppressed:
 * the truth the test measures against, through the same code paths).
 *
 * Usefulness.  A rate cell is *safe on its own* when its denominator is
 * >= k and both its numerator and its complement (denominator - numerator)
 * are 0 or >= k: releasing it alone reveals no small count.  The rates are
 * those of the by-sex and by-age sections: 健診受診率, 喫煙率 and the six
 * 受診勧奨以上 prevalences.  By sex: the 男 and 女 cells of the 計 row;
 * by age band: every band x (男, 女, 計).  Printed: the share of the safe
 * ones released; asserted: every safe by-sex cell is released unless the
 * test proves (without the engine) that no protection can release it --
 * a sex total T over m non-zero cells of which one is 1..k-1 confines every
 * such cell to 1..T-(m-1) whatever else is withheld, so T - (m-1) < k
 * forces T's suppression -- and >= 80 % of the safe by-age-band cells.
 *
 * Information loss as tau-Argus and sdcTable report it: the number of
 * suppressed cells (primary: 1..k-1; secondary: the rest) and their summed
 * true value, over the released count tables (a sex total or grand total
 * shared by the age, site and job tables counted once).
 *
 * Safety.  Every released count equals the truth and is 0 or >= k; the
 * brute-force audit (sup_audit.h, independent of the engine) of every
 * count table finds no suppressed cell pinned or confined to 1..k-1, and
 * its intervals equal the engine's; every sensitive pair (risk holders of
 * those judged, of the examinees, of the headcount; smokers of those
 * answering, ...; guidance levels of the examinees and the headcount)
 * leaves a complement of 0 or >= k, or one that cannot be narrowed to
 * 1..k-1; no sensitive rate is released that is not safe on its own; the
 * persons of each disease group of the cost by disease group (from the
 * population's UKE claims) pass the same audit and leave no small
 * complement in 全体's cell. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "report_leak.h" /* and sup_audit.h */

#define K 10
#define MAXROWS 20

static char *dir;

/* One released CSV: rows x (男, 女, 計) after fiscal_year and the label,
 * the last row the 計 row.  sup: '*'. */
struct csvt {
	int rows; /* with the 計 row */
	char lab[MAXROWS + 1][64];
	long v[MAXROWS + 1][3];
	int sup[MAXROWS + 1][3];
};

static int csv_read(const char *work, const char *sub, const char *name, struct csvt *t)
{
	char *path = tu_fmt("%s/out/%s/csv/%s.csv", work, sub, name);
	char *text = tu_read_file(path, NULL), *line, *save = NULL;
	int first = 1;
	free(path);
	memset(t, 0, sizeof(*t));
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[8], *p = line;
		int nf = 0, j;
		if (first) {
			first = 0;
			continue;
		}
		while (nf < 8 && p) {
			f[nf++] = p;
			p = strchr(p, ',');
			if (p)
				*p++ = '\0';
		}
		if (nf != 5 || t->rows > MAXROWS) {
			t->rows = -1;
			break;
		}
		snprintf(t->lab[t->rows], 64, "%s", f[1]);
		for (j = 0; j < 3; j++) {
			t->sup[t->rows][j] = !strcmp(f[2 + j], "*");
			t->v[t->rows][j] = t->sup[t->rows][j] ? 0 : strtol(f[2 + j], NULL, 10);
		}
		t->rows++;
	}
	free(text);
	return t->rows;
}

static int small(long x)
{
	return x > 0 && x < K;
}

/* ---- one population ------------------------------------------------- */

struct pop {
	const char *name, *env;
	double min_uptake, max_uptake; /* what the population is meant to be */
	int sites;
};

static const struct pop pops[2] = {
	{ "sample", "", 97.0, 98.0, 3 },
	{ "company5000", "WP_PERSONS=5640 WP_SITES=5 WP_UNEXAMINED=2", 94.5, 95.5, 5 },
};

/* Generate, load, write the paper (script: out/wp) and the truth (k = 1:
 * out/truth).  The work directory, or NULL. */
static char *make_population(const struct pop *p)
{
	char *work = tu_fmt("%s/%s", dir, p->name), *errout = NULL;
	char *cmd = tu_fmt("%s sh '%s/samples/gen/claims-gen-whitepaper.sh' '%s' '%s' >/dev/null && cd '%s' && "
			   "'%s' -q report whitepaper job.xml --fiscal-year 2024 --k 1 -o out/truth",
			   p->env, tu_srcdir(), tu_builddir(), work, work, tu_colink());
	int rc = tu_run(cmd, NULL, &errout);
	if (rc)
		fprintf(stderr, "%s: exit %d: %s\n", p->name, rc, errout ? errout : "");
	CU_ASSERT_EQUAL(rc, 0);
	free(errout);
	free(cmd);
	if (rc) {
		free(work);
		return NULL;
	}
	return work;
}

struct rate {
	const char *rate, *num, *den;
	int sensitive; /* the numerator is in the default sensitive set */
};

#define NRATES 8
static const struct rate rates[NRATES] = {
	{ "uptake_rate", "examined", "headcount", 0 },
	{ "smoker_rate", "smokers", "smoking_answered", 1 },
	{ "prevalence_bp", "risk_bp", "measured_bp", 1 },
	{ "prevalence_lipid", "risk_lipid", "measured_lipid", 1 },
	{ "prevalence_liver", "risk_liver", "measured_liver", 1 },
	{ "prevalence_glucose", "risk_glucose", "measured_glucose", 1 },
	{ "prevalence_kidney", "risk_kidney", "measured_kidney", 1 },
	{ "prevalence_anemia", "risk_anemia", "measured_anemia", 1 },
};
static const char *const dims[3] = { "age", "site", "job" };

/* Whether the sex total (column j) of count table `name` cannot be
 * released whatever is withheld: in some dimension's table of the truth,
 * its column holds a cell 1..k-1 among m non-zero cells summing to T with
 * T - (m - 1) < k (each such cell would be confined to 1..k-1). */
static int forced_total(const char *work, const char *name, int j, char *why, size_t whylen)
{
	int d;
	for (d = 0; d < 3; d++) {
		struct csvt t;
		char file[96];
		int i, m = 0, n_small = 0;
		long T;
		snprintf(file, sizeof(file), "%s_%s", name, dims[d]);
		if (csv_read(work, "truth", file, &t) < 2)
			continue;
		T = t.v[t.rows - 1][j];
		for (i = 0; i < t.rows - 1; i++) {
			m += t.v[i][j] > 0;
			n_small += small(t.v[i][j]);
		}
		if (n_small && T - (m - 1) < K) {
			snprintf(why, whylen, "%s: total %ld over %d non-zero cells, %d of them 1..%d: each confined "
				 "to 1..%ld", file, T, m, n_small, K - 1, T - (m - 1));
			return 1;
		}
	}
	return 0;
}

struct use {
	int sex_safe, sex_rel, sex_forced;
	int age_safe, age_rel, age_safe_sexcells, age_rel_sexcells;
	int released_not_safe_population; /* uptake: a population's complement, not protected */
};

static void usefulness(const char *work, struct use *u)
{
	size_t r;
	memset(u, 0, sizeof(*u));
	for (r = 0; r < NRATES; r++) {
		struct csvt num, den, rel;
		char f[96];
		int i, j, R;
		snprintf(f, sizeof(f), "%s_age", rates[r].num);
		CU_ASSERT_FATAL(csv_read(work, "truth", f, &num) > 1);
		snprintf(f, sizeof(f), "%s_age", rates[r].den);
		CU_ASSERT_FATAL(csv_read(work, "truth", f, &den) == num.rows);
		snprintf(f, sizeof(f), "%s_age", rates[r].rate);
		CU_ASSERT_FATAL(csv_read(work, "wp", f, &rel) == num.rows);
		R = num.rows - 1;
		for (i = 0; i <= R; i++)
			for (j = 0; j < 3; j++) {
				long n = num.v[i][j], d = den.v[i][j];
				int safe = d >= K && (n == 0 || n >= K) && (d - n == 0 || d - n >= K);
				int released = !rel.sup[i][j];
				if (released && !safe) {
					/* a sensitive rate only when safe on its own */
					CU_ASSERT(!rates[r].sensitive);
					if (rates[r].sensitive)
						fprintf(stderr, "%s: released %s %s/%d = %ld/%ld is not safe on its own\n",
							work, rates[r].rate, rel.lab[i], j, n, d);
					u->released_not_safe_population++;
				}
				if (!safe)
					continue;
				if (i == R && j < 2) { /* by sex */
					char why[256];
					u->sex_safe++;
					u->sex_rel += released;
					if (!released && forced_total(work, rates[r].num, j, why, sizeof(why))) {
						u->sex_forced++;
						fprintf(stderr, "  by sex, %s %s withheld, forced: %s\n", rates[r].rate,
							j ? "女" : "男", why);
					} else if (!released) {
						fprintf(stderr, "  by sex, %s %s withheld: %ld of %ld, safe on its own\n",
							rates[r].rate, j ? "女" : "男", n, d);
					}
				} else if (i < R) { /* by age band */
					u->age_safe++;
					u->age_rel += released;
					if (j < 2) {
						u->age_safe_sexcells++;
						u->age_rel_sexcells += released;
					}
				}
			}
	}
}

/* ---- information loss and the audit --------------------------------- */

struct loss {
	long cells, value, sup, sup_value, primary, secondary, secondary_value;
	int tables, audited, witnessed, pairs;
};

/* t (engine layout) from the released CSV, the suppressed cells holding
 * the truth. */
static int to_table(const struct csvt *rel, const struct csvt *tru, const char *name,
		    struct colink_sup_table *t)
{
	struct colink_error err = { 0 };
	int i, j;
	if (colink_sup_table_init(t, name, "r", "sex", (size_t)rel->rows - 1, 2, &err))
		return -1;
	for (i = 0; i < rel->rows; i++)
		for (j = 0; j < 3; j++) {
			size_t c = COLINK_SUP_AT(t, (size_t)i, (size_t)j);
			t->v[c] = tru->v[i][j];
			t->state[c] = rel->sup[i][j] ? COLINK_SUP_PRIMARY : COLINK_SUP_RELEASED;
		}
	return 0;
}

/* The count tables of the sections this test measures.  ⑤ その他's
 * participants_* / completers_* (completers nested in participants) are
 * audited by tests/test_wp_participation.c, with their gaps (audit_pair)
 * and the leak check, not here; claims_persons_age (男, 女, 不明, 計: a
 * 性別不明 column these two-sex readers do not take) by test_whitepaper's
 * audit of every count table; the disease groups' claims_persons_GROUP_age
 * (the same four columns) by audit_claim_groups below. */
static int is_count_table(const char *name)
{
	return strcmp(name, "claims_persons_age") && strncmp(name, "claims_persons_", 15) && strncmp(name, "participants_", 13) && strncmp(name, "completers_", 11) && !strstr(name, "_rate_") && strncmp(name, "prevalence_", 11) && !strstr(name, "_mean_") &&
	       !strstr(name, "medical_cost");
}

/* A site or job table of a measure that also has an age table: its 計 row
 * (the sex totals and the grand total) is the age table's. */
static int shares_margins(const char *work, const char *name)
{
	size_t n = strlen(name);
	char *age, *path, *text;
	int yes;
	if (n > 5 && !strcmp(name + n - 5, "_site"))
		n -= 5;
	else if (n > 4 && !strcmp(name + n - 4, "_job"))
		n -= 4;
	else
		return 0;
	age = tu_fmt("%.*s_age", (int)n, name);
	path = tu_fmt("%s/out/wp/csv/%s.csv", work, age);
	text = tu_read_file(path, NULL);
	yes = text != NULL;
	free(text);
	free(path);
	free(age);
	return yes;
}

static void loss_and_audit(const char *work, struct loss *l)
{
	struct colink_sup_opts o = { K, 0 };
	char *cmd = tu_fmt("cd '%s/out/wp/csv' && ls | sed 's/[.]csv$//'", work), *list = NULL, *save = NULL, *name;
	memset(l, 0, sizeof(*l));
	CU_ASSERT_EQUAL(tu_run(cmd, &list, NULL), 0);
	free(cmd);
	for (name = strtok_r(list, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
		struct csvt rel, tru;
		struct colink_sup_table t;
		int i, j, rows, shared;
		if (!is_count_table(name))
			continue;
		rows = csv_read(work, "wp", name, &rel);
		if (rows <= 1)
			fprintf(stderr, "%s: %s.csv: no data row\n", work, name);
		CU_ASSERT(rows > 1);
		CU_ASSERT_EQUAL(csv_read(work, "truth", name, &tru), rows);
		if (rows <= 1 || tru.rows != rows)
			continue;
		shared = shares_margins(work, name);
		l->tables++;
		for (i = 0; i < rows; i++)
			for (j = 0; j < 3; j++) {
				long x = tru.v[i][j];
				CU_ASSERT(tru.sup[i][j] == 0); /* k = 1: nothing withheld */
				if (!rel.sup[i][j]) {
					CU_ASSERT_EQUAL(rel.v[i][j], x);
					CU_ASSERT(!small(rel.v[i][j]));
					if (small(rel.v[i][j]))
						fprintf(stderr, "%s: %s (%d,%d) = %ld released\n", work, name, i, j, x);
				}
				if (shared && i == rows - 1)
					continue; /* counted in the age table */
				l->cells++;
				l->value += x;
				if (!rel.sup[i][j])
					continue;
				l->sup++;
				l->sup_value += x;
				if (small(x)) {
					l->primary++;
				} else {
					l->secondary++;
					l->secondary_value += x;
				}
			}
		CU_ASSERT_FATAL(to_table(&rel, &tru, name, &t) == 0);
		if (audit_table(&t, &o)) { /* sup_audit.h: pinned, confined, and the engine's intervals */
			l->audited++;
		} else { /* too many withheld cells to enumerate: a witness per small one */
			size_t c;
			int ok = 1;
			for (c = 0; c < (t.rows + 1) * 3; c++)
				if (t.state[c] && small(t.v[c])) {
					int w = audit_witness(&t, &o, c, K);
					if (w != 1) {
						fprintf(stderr, "%s: %s: withheld cell %zu (%ld): %s\n", work, name, c,
							t.v[c], w ? "the witness search ran out of its budget"
								  : "no table has it >= k: confined to 1..k-1");
						ok = 0;
					}
				}
			CU_ASSERT(ok);
			l->witnessed += ok;
		}
		colink_sup_table_free(&t);
	}
	free(list);
}

/* Every sensitive pair (parent, child) of every dimension. */
static void audit_sensitive_pairs(const char *work, struct loss *l)
{
	static const char *const areas[6] = { "bp", "lipid", "liver", "glucose", "kidney", "anemia" };
	struct colink_sup_opts o = { K, 0 };
	int a, d, p;
	for (a = 0; a < 7; a++)
		for (d = 0; d < 3; d++)
			for (p = 0; p < 3; p++) {
				char pf[96], cf[96];
				struct csvt prel, ptru, crel, ctru;
				struct colink_sup_table pt, ct;
				if (a < 6) {
					static const char *const parents[3] = { "measured_", "examined", "headcount" };
					snprintf(pf, sizeof(pf), "%s%s_%s", parents[p], p ? "" : areas[a], dims[d]);
					snprintf(cf, sizeof(cf), "risk_%s_%s", areas[a], dims[d]);
				} else {
					static const char *const parents[3] = { "smoking_answered", "examined", "headcount" };
					snprintf(pf, sizeof(pf), "%s_%s", parents[p], dims[d]);
					snprintf(cf, sizeof(cf), "smokers_%s", dims[d]);
				}
				CU_ASSERT_FATAL(csv_read(work, "wp", pf, &prel) > 1);
				CU_ASSERT_FATAL(csv_read(work, "truth", pf, &ptru) == prel.rows);
				CU_ASSERT_FATAL(csv_read(work, "wp", cf, &crel) == prel.rows);
				CU_ASSERT_FATAL(csv_read(work, "truth", cf, &ctru) == prel.rows);
				CU_ASSERT_FATAL(to_table(&prel, &ptru, pf, &pt) == 0);
				CU_ASSERT_FATAL(to_table(&crel, &ctru, cf, &ct) == 0);
				l->pairs += (int)audit_pair(&pt, &ct, &o);
				colink_sup_table_free(&pt);
				colink_sup_table_free(&ct);
			}
	/* guidance levels and their total, of the examinees / headcount of each sex */
	for (p = 0; p < 2; p++) {
		struct csvt g, pr;
		int i, j;
		CU_ASSERT_FATAL(csv_read(work, "wp", "guidance_levels", &g) > 1);
		CU_ASSERT_FATAL(csv_read(work, "wp", p ? "examined_age" : "headcount_age", &pr) > 1);
		for (i = 0; i < g.rows; i++)
			for (j = 0; j < 3; j++) {
				long diff = pr.v[pr.rows - 1][j] - g.v[i][j];
				if (g.sup[i][j] || pr.sup[pr.rows - 1][j])
					continue;
				CU_ASSERT(diff == 0 || diff >= K);
				l->pairs++;
			}
	}
}

static double pct(long a, long b)
{
	return b > 0 ? 100.0 * (double)a / (double)b : 0.0;
}

/* One claims_persons_GROUP_age.csv (rows: age bands and 計; columns 男, 女,
 * 不明, 計) of paper SUB as a suppression table with its true values where
 * TRUTH (k = 1) gives them.  Returns the rows read with 計, -1 when absent
 * or of another shape. */
static int read_group(const char *work, const char *sub, const char *name, struct colink_sup_table *t,
		      const struct colink_sup_table *truth)
{
	char *path = tu_fmt("%s/out/%s/csv/%s.csv", work, sub, name);
	char *text = tu_read_file(path, NULL), *line, *save = NULL;
	long v[MAXROWS + 1][4];
	int sup[MAXROWS + 1][4], first = 1, rows = 0, i, j;
	struct colink_error err = {0};
	free(path);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[8], *p = line;
		int nf = 0;
		if (first) {
			first = 0;
			continue;
		}
		while (nf < 8 && p) {
			f[nf++] = p;
			if ((p = strchr(p, ',')))
				*p++ = '\0';
		}
		if (nf != 6 || rows > MAXROWS) {
			rows = -1;
			break;
		}
		for (j = 0; j < 4; j++) {
			sup[rows][j] = !strcmp(f[2 + j], "*");
			v[rows][j] = sup[rows][j] ? 0 : strtol(f[2 + j], NULL, 10);
		}
		rows++;
	}
	free(text);
	if (rows < 2 || colink_sup_table_init(t, name, "age", "sex", (size_t)rows - 1, 3, &err))
		return -1;
	for (i = 0; i < rows; i++)
		for (j = 0; j < 4; j++) {
			size_t c = COLINK_SUP_AT(t, (size_t)i, (size_t)j);
			t->state[c] = sup[i][j] ? COLINK_SUP_PRIMARY : 0;
			t->v[c] = truth ? truth->v[c] : v[i][j];
			if (truth && !sup[i][j])
				CU_ASSERT_EQUAL(v[i][j], truth->v[c]); /* a released count is the truth */
		}
	return rows;
}

/* t (true values known) enumerated by the audit, or, when it has too many
 * withheld cells for that, every withheld cell of 1..k-1 shown to have a
 * table agreeing with the release where it is >= k.  1 when it holds. */
static int audit_or_witness(const struct colink_sup_table *t, const struct colink_sup_opts *o)
{
	size_t c, n = (t->rows + 1) * (t->cols + 1);
	int ok = 1;
	if (audit_table(t, o))
		return 1;
	for (c = 0; c < n; c++)
		if (t->state[c] && small(t->v[c]) && audit_witness(t, o, c, K) != 1) {
			fprintf(stderr, "%s: withheld cell %zu (%ld): no witness >= k\n", t->name, c, t->v[c]);
			ok = 0;
		}
	return ok;
}

/* The medical cost by disease group (section cost-groups, from the
 * population's UKE claims): each group's persons per age band and sex are
 * a health attribute, protected and nested in 全体's (all) cell.  Every
 * released count is the truth and 0 or >= k; the brute-force audit of each
 * table (true values known) finds no withheld cell pinned or confined to
 * 1..k-1; and all - group (those without a claim of the group) leaves no
 * small complement.  Returns the number of group tables audited. */
static int audit_claim_groups(const char *work, struct loss *l)
{
	static const char *const groups[] = { "hypertension", "diabetes", "dyslipidaemia", "ckd", "other" };
	struct colink_sup_opts o = { K, 0 };
	struct colink_sup_table all_t, all;
	size_t g;
	int n = 0;
	if (read_group(work, "truth", "claims_persons_all_age", &all_t, NULL) < 2)
		return 0;
	CU_ASSERT_FATAL(read_group(work, "wp", "claims_persons_all_age", &all, &all_t) == (int)all_t.rows + 1);
	CU_ASSERT(audit_or_witness(&all, &o));
	for (g = 0; g < sizeof groups / sizeof *groups; g++) {
		struct colink_sup_table tt, t;
		char *name = tu_fmt("claims_persons_%s_age", groups[g]);
		if (read_group(work, "truth", name, &tt, NULL) < 2) {
			free(name);
			continue; /* no claim of the group: no table */
		}
		CU_ASSERT_FATAL(read_group(work, "wp", name, &t, &tt) == (int)tt.rows + 1);
		CU_ASSERT(audit_or_witness(&t, &o));
		l->pairs += (int)audit_pair(&all, &t, &o);
		colink_sup_table_free(&t);
		colink_sup_table_free(&tt);
		free(name);
		n++;
	}
	colink_sup_table_free(&all);
	colink_sup_table_free(&all_t);
	return n;
}

static void measure(const struct pop *p)
{
	char *work = make_population(p);
	struct csvt head, exam, site;
	struct use u;
	struct loss l;
	double uptake;
	int groups;
	if (!work)
		return;
	CU_ASSERT_FATAL(csv_read(work, "truth", "headcount_age", &head) > 1);
	CU_ASSERT_FATAL(csv_read(work, "truth", "examined_age", &exam) == head.rows);
	CU_ASSERT_FATAL(csv_read(work, "truth", "headcount_site", &site) > 1);
	uptake = pct(exam.v[exam.rows - 1][2], head.v[head.rows - 1][2]);
	fprintf(stderr, "\nusefulness, %s: %ld employees, %d sites, uptake %.1f %%, k = %d\n", p->name,
		head.v[head.rows - 1][2], site.rows - 1, uptake, K);
	CU_ASSERT(uptake >= p->min_uptake && uptake <= p->max_uptake);
	CU_ASSERT_EQUAL(site.rows - 1, p->sites);
	usefulness(work, &u);
	fprintf(stderr, "  by sex:      %d of %d safe-on-their-own rate cells released (%.1f %%)", u.sex_rel, u.sex_safe,
		pct(u.sex_rel, u.sex_safe));
	if (u.sex_forced)
		fprintf(stderr, "; %d withheld because no protection could release them (above)", u.sex_forced);
	fprintf(stderr, "\n  by age band: %d of %d safe-on-their-own rate cells (band x 男, 女) released (%.1f %%); "
		"with the band totals (計): %d of %d (%.1f %%)\n",
		u.age_rel_sexcells, u.age_safe_sexcells, pct(u.age_rel_sexcells, u.age_safe_sexcells),
		u.age_rel, u.age_safe, pct(u.age_rel, u.age_safe));
	fprintf(stderr, "  released although not safe on their own: %d uptake cells (the not examined are a "
		"population the recipient knows, not protected)\n", u.released_not_safe_population);
	loss_and_audit(work, &l);
	audit_sensitive_pairs(work, &l);
	groups = audit_claim_groups(work, &l);
	fprintf(stderr, "  medical cost by disease group: %d group tables audited, nested in 全体's\n", groups);
	CU_ASSERT(groups >= 3); /* the generated claims have hypertension, diabetes, dyslipidaemia, other */
	fprintf(stderr, "  information loss: %ld of %ld cells suppressed (%.1f %%: %ld primary, %ld secondary); "
		"suppressed value %ld of %ld (%.1f %%), secondary %ld\n",
		l.sup, l.cells, pct(l.sup, l.cells), l.primary, l.secondary, l.sup_value, l.value,
		pct(l.sup_value, l.value), l.secondary_value);
	fprintf(stderr, "  audit: %d count tables: %d enumerated (every table agreeing with the released numbers), "
		"%d by a witness per withheld small cell; %d sensitive pairs checked\n",
		l.tables, l.audited, l.witnessed, l.pairs);
	/* the targets */
	CU_ASSERT(u.sex_safe >= 10);
	CU_ASSERT_EQUAL(u.sex_rel + u.sex_forced, u.sex_safe);
	CU_ASSERT(u.age_safe_sexcells > 0 && u.age_rel_sexcells * 100 >= 80 * u.age_safe_sexcells);
	CU_ASSERT_EQUAL(l.audited + l.witnessed, l.tables);
	CU_ASSERT(l.tables >= 50);
	free(work);
}

static void test_wp_usefulness__sample_population(void)
{
	measure(&pops[0]);
}

static void test_wp_usefulness__company_of_5000(void)
{
	measure(&pops[1]);
}

static int setup(void)
{
	dir = tu_mkdtemp("wp-usefulness");
	return dir ? 0 : 1;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

static const struct tu_test tests[] = {
	TU_TEST(test_wp_usefulness__sample_population),
	TU_TEST(test_wp_usefulness__company_of_5000),
	TU_END
};

int main(void)
{
	if (tu_add_suite("wp_usefulness", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
