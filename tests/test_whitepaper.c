/* test_whitepaper.c -- `colink report whitepaper` end to end.
 *
 * The test writes a warehouse (the real schema.sql) holding a population it
 * generates person by person from fixed rules: 252 employees in four sites
 * (two below 50), linked to association persons with checkups in FY2023 and
 * FY2024, smoking answers, attendance and claims.  The headcount by age band
 * and sex has cells of 0, 9 and 10, and a row (60代: 男 19, 女 9, 計 28)
 * whose total minus the released 19 would give the 9 back.  Then it runs the
 * real binary and checks:
 *   - the released CSV tables: the 9s suppressed, 10 and 0 released, and an
 *     AUDIT (tests/sup_audit.h) of every released count table: no suppressed
 *     cell is pinned or confined below k by the released numbers;
 *   - no count 1..k-1 anywhere in the CSVs or in the HTML;
 *   - the site rule (merge, withhold), k configurable, the agreement gate
 *     and the audit entry;
 *   - the HTML: self-contained, lang=ja, the SVG charts present, and it
 *     renders in headless Chromium without console errors
 *     (tests/html_render.sh; skipped when Chromium is missing). */
#include <CUnit/Basic.h>
#include <ctype.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "report_leak.h" /* and sup_audit.h */
#include "warehouse/warehouse.h" /* COLINK_WH_SCHEMA_VERSION */

#define NPERS 252
#define FY 2024

static char *dir, *db_path;

/* ---- the population ------------------------------------------------ */

struct person {
	int sex;   /* 1 male, 2 female */
	int age;   /* on 31 March 2025 */
	int band;  /* 0 〜19 .. 6 70〜 */
	int site;  /* 0..3: S01..S04 */
	int job;   /* 0..3: 01, 02, 05, 06 */
	int exam23, exam24, smoke23, smoke24; /* smoke: 1 current 2 quit 3 never */
	int sbp;
};

static struct person pop[NPERS];
static const long planted[7][2] = {
	{ 0, 0 }, { 40, 9 }, { 10, 35 }, { 45, 30 }, { 35, 20 }, { 19, 9 }, { 0, 0 }
};
static const int site_sizes[4] = { 130, 70, 30, 22 };
static const char *const site_codes[4] = { "S01", "S02", "S03", "S04" };
static const char *const job_codes[4] = { "01", "02", "05", "06" };

static uint64_t rs = 20250331;
static uint32_t rnd(void)
{
	rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rs >> 33);
}

static void generate(void)
{
	size_t n = 0, i;
	int b, s, k, site = 0, left = site_sizes[0];
	for (b = 0; b < 7; b++)
		for (s = 0; s < 2; s++)
			for (k = 0; k < planted[b][s]; k++, n++) {
				pop[n].sex = s + 1;
				pop[n].band = b;
				pop[n].age = b == 0 ? 18 : b == 6 ? 72 : 10 * (b + 1) + k % 10;
			}
	CU_ASSERT_FATAL(n == NPERS);
	/* shuffle, then sites in blocks and the rest by rule */
	for (i = NPERS; i > 1; i--) {
		size_t j = rnd() % i;
		struct person t = pop[i - 1];
		pop[i - 1] = pop[j];
		pop[j] = t;
	}
	for (i = 0; i < NPERS; i++) {
		struct person *p = &pop[i];
		if (!left)
			left = site_sizes[++site];
		left--;
		p->site = site;
		p->job = i % 50 < 4 ? 2 : (int)(rnd() % 3 == 0 ? 0 : rnd() % 2 ? 1 : 3);
		p->exam24 = rnd() % 10 < 8;
		p->exam23 = rnd() % 10 < 8;
		p->smoke23 = rnd() % 4 == 0 ? 1 : rnd() % 5 == 0 ? 2 : 3;
		p->smoke24 = p->smoke23 == 1 ? (rnd() % 4 == 0 ? 2 : 1) : (rnd() % 15 == 0 ? 1 : p->smoke23);
		p->sbp = 110 + (int)(rnd() % 50);
	}
	/* a planted complement: 50代 女 has 20 persons, 14 examined in FY, so
	 * headcount - examinees = 6 would be derivable from two counts >= k */
	for (i = 0, k = 0; i < NPERS; i++)
		if (pop[i].band == 4 && pop[i].sex == 2)
			pop[i].exam24 = k++ < 14;
	CU_ASSERT_FATAL(k == 20);
}

static void hexid(char out[65], int side, size_t i)
{
	snprintf(out, 65, "%056x%08x", (unsigned)side, (unsigned)i);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "sql: %s\n  %s\n", msg ? msg : "?", sql);
	CU_ASSERT_EQUAL_FATAL(rc, SQLITE_OK);
	sqlite3_free(msg);
}

/* the person_no of pseudonym '%s': fact tables name a person by it (schema v4) */
#define PNO "(SELECT person_no FROM person WHERE person_id = '%s')"

static void add_checkup(sqlite3 *db, size_t i, const char *aid, int fy, long *ckid)
{
	const struct person *p = &pop[i];
	int smoke = fy == FY ? p->smoke24 : p->smoke23;
	char *sql = tu_fmt("INSERT INTO checkup (checkup_id, person_no, exam_date, fiscal_year, age_at_exam, "
			   "age_fy_end, sbp_1, dbp_1, ldl, hba1c, run_id, input_no, record_no) VALUES "
			   "(%ld, " PNO ", '%d-06-10', %d, %d, %d, %d, %d, %d, %.1f, 'r1', 1, %ld);"
			   "INSERT INTO questionnaire (checkup_id, field, answer, code_system) VALUES "
			   "(%ld, 'q_smoking', '%d', '1.2.392.200119.6.24060');",
			   *ckid, aid, fy, fy, p->age - (FY - fy), p->age - (FY - fy),
			   p->sbp - (FY - fy) * 3, 70 + p->sbp % 25, 100 + (int)(i % 70),
			   5.0 + (double)(i % 20) / 10.0, *ckid, *ckid, smoke);
	exec_ok(db, sql);
	free(sql);
	(*ckid)++;
}

static void build_warehouse(void)
{
	sqlite3 *db;
	char *schema_path = tu_fmt("%s/mappings/warehouse/schema.sql", tu_srcdir());
	char *schema = tu_read_file(schema_path, NULL);
	long ckid = 1;
	size_t i;
	int m;
	CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path, &db), SQLITE_OK);
	exec_ok(db, schema);
	exec_ok(db, "BEGIN; INSERT INTO run (run_id, started, status) VALUES ('r1', '2025-05-01T00:00:00Z', 'ok');");
	for (i = 0; i < NPERS; i++) {
		const struct person *p = &pop[i];
		char eid[65], aid[65];
		int by = (FY + 1) - p->age; /* born in January */
		char *sql;
		hexid(eid, 1, i);
		hexid(aid, 2, i);
		sql = tu_fmt("INSERT INTO person (person_id, sex, birth_ym, side) VALUES ('%s', '%d', %d01, 'employer');"
			     "INSERT INTO person (person_id, sex, birth_ym, side) VALUES ('%s', '%d', %d01, 'association');"
			     "INSERT INTO employee (person_no, site, job_type, hire_date, run_id, input_no, record_no) "
			     "VALUES (" PNO ", '%s', '%s', '2015-04-01', 'r1', 2, %zu);"
			     "INSERT INTO link (employer_person_id, association_person_id, pass, kind, run_id) "
			     "VALUES ('%s', '%s', 1, 'card', 'r1');"
			     "INSERT INTO claims_summary (person_no, fiscal_year, medical_cost, visit_days, run_id) "
			     "VALUES (" PNO ", %d, %d, %d, 'r1');",
			     eid, p->sex, by, aid, p->sex, by, eid, site_codes[p->site], job_codes[p->job], i + 1,
			     eid, aid, aid, FY, 60000 + p->band * 40000 + (int)(i % 9) * 1000, (int)(i % 12));
		exec_ok(db, sql);
		free(sql);
		for (m = 0; m < 12; m++) {
			sql = tu_fmt("INSERT INTO attendance_month (person_no, year_month, overtime_minutes, sick_days, "
				     "run_id, input_no, record_no) VALUES (" PNO ", '%04d-%02d', %d, %.1f, 'r1', 3, %zu)",
				     eid, m < 9 ? FY : FY + 1, (m + 3) % 12 + 1, 600 + (int)(i % 20) * 60,
				     (double)((i + (size_t)m) % 7 == 0), i * 12 + (size_t)m);
			exec_ok(db, sql);
			free(sql);
		}
		if (p->exam23)
			add_checkup(db, i, aid, FY - 1, &ckid);
		if (p->exam24)
			add_checkup(db, i, aid, FY, &ckid);
	}
	exec_ok(db, "COMMIT");
	sqlite3_close(db);
	free(schema);
	free(schema_path);
}

static int setup(void)
{
	dir = tu_mkdtemp("whitepaper");
	if (!dir)
		return 1;
	db_path = tu_fmt("%s/warehouse.db", dir);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(db_path);
	return 0;
}

/* Run the white paper into dir/NAME with extra options; exit status. */
static int run_wp(const char *name, const char *opts, char **out, char **errout)
{
	char *args = tu_fmt("report whitepaper --warehouse '%s' --agreement '%s/samples/agreement.xml' "
			    "--party association --role 保健事業担当者 --audit-log '%s/audit.log' "
			    "--fiscal-year %d %s -o '%s/%s'",
			    db_path, tu_srcdir(), dir, FY, opts, dir, name);
	int rc = tu_colink_run(dir, args, out, errout);
	free(args);
	return rc;
}

/* ---- reading the released CSV back --------------------------------- */

/* Read DIR/NAME/csv/FILE (rows x 男,女,計 after fiscal_year and label;
 * the medical-cost table: 男,女,不明,計) into t (values; state suppressed
 * for "*"); labels into lab. */
static int read_counts(const char *name, const char *file, struct colink_sup_table *t,
		       char lab[][64], size_t maxrows)
{
	char *path = tu_fmt("%s/%s/csv/%s", dir, name, file);
	char *text = tu_read_file(path, NULL), *line, *save = NULL;
	size_t rows = 0, i;
	long vals[32][4];
	int sup[32][4], first = 1, ncol = 0;
	struct colink_error err = {0};
	free(path);
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
		if (!ncol && (nf == 5 || nf == 6))
			ncol = nf - 2;
		if (nf != ncol + 2 || rows >= maxrows || rows >= 32)
			break;
		snprintf(lab[rows], 64, "%s", f[1]);
		for (j = 0; j < ncol; j++) {
			sup[rows][j] = !strcmp(f[2 + j], "*");
			vals[rows][j] = sup[rows][j] ? 0 : strtol(f[2 + j], NULL, 10);
		}
		rows++;
	}
	free(text);
	if (rows < 2 || colink_sup_table_init(t, file, "r", "sex", rows - 1, (size_t)ncol - 1, &err))
		return -1;
	for (i = 0; i < rows; i++) {
		int j;
		for (j = 0; j < ncol; j++) {
			t->v[COLINK_SUP_AT(t, i, (size_t)j)] = vals[i][j];
			t->state[COLINK_SUP_AT(t, i, (size_t)j)] = sup[i][j] ? COLINK_SUP_PRIMARY : 0;
		}
	}
	return (int)(rows - 1);
}

/* The true headcount table of a dimension, from the generated people. */
static void truth_fill(struct colink_sup_table *t, int dim, char lab[][64])
{
	size_t i, r;
	for (r = 0; r < t->rows; r++)
		for (i = 0; i < 2; i++)
			if (t->state[COLINK_SUP_AT(t, r, i)])
				t->v[COLINK_SUP_AT(t, r, i)] = 0;
	for (i = 0; i < NPERS; i++) {
		const struct person *p = &pop[i];
		const char *want = NULL;
		char buf[16];
		if (dim == 0) {
			static const char *const bands[7] = { "〜19歳", "20代", "30代", "40代", "50代", "60代",
							      "70歳〜" };
			want = bands[p->band];
		} else if (dim == 1) {
			want = p->site >= 2 ? "その他の事業所" : site_codes[p->site];
		} else {
			snprintf(buf, sizeof(buf), "%s", job_codes[p->job]);
			want = buf;
		}
		for (r = 0; r < t->rows; r++)
			if (!strcmp(lab[r], want))
				break;
		CU_ASSERT_FATAL(r < t->rows);
		if (t->state[COLINK_SUP_AT(t, r, (size_t)(p->sex - 1))])
			t->v[COLINK_SUP_AT(t, r, (size_t)(p->sex - 1))]++;
	}
	/* suppressed margins: the true sums */
	for (r = 0; r <= t->rows; r++)
		for (i = 0; i <= 2; i++) {
			size_t c = COLINK_SUP_AT(t, r, i);
			if (t->state[c] && (r == t->rows || i == 2)) {
				long s = 0;
				size_t a;
				if (r < t->rows)
					for (a = 0; a < 2; a++)
						s += t->v[COLINK_SUP_AT(t, r, a)];
				else if (i < 2)
					for (a = 0; a < t->rows; a++)
						s += t->v[COLINK_SUP_AT(t, a, i)];
				else
					s = NPERS;
				t->v[c] = s;
			}
		}
}

/* ---- tests --------------------------------------------------------- */

static void test_whitepaper__planted_cells_and_audit(void)
{
	struct colink_sup_opts o = { 10, 0 };
	struct colink_sup_table t;
	char lab[32][64], *out = NULL, *errout = NULL;
	int rows, d;
	static const char *const files[3] = { "headcount_age.csv", "headcount_site.csv", "headcount_job.csv" };
	/* the warehouse every test of the suite reads (built here: CUnit
	 * asserts only work inside a test) */
	generate();
	build_warehouse();
	CU_ASSERT_EQUAL(run_wp("wp", "", &out, &errout), 0);
	if (errout && *errout)
		fprintf(stderr, "%s", errout);
	CU_ASSERT_PTR_NOT_NULL(strstr(out ? out : "", "white paper 2024"));
	free(out);
	free(errout);
	/* the age table: the planted cells */
	rows = read_counts("wp", "headcount_age.csv", &t, lab, 32);
	CU_ASSERT_EQUAL_FATAL(rows, 7);
	CU_ASSERT_STRING_EQUAL(lab[1], "20代");
	CU_ASSERT_EQUAL(t.state[COLINK_SUP_AT(&t, 1, 1)], COLINK_SUP_PRIMARY); /* 20代 女 9 */
	CU_ASSERT_EQUAL(t.state[COLINK_SUP_AT(&t, 5, 1)], COLINK_SUP_PRIMARY); /* 60代 女 9 */
	CU_ASSERT(!t.state[COLINK_SUP_AT(&t, 2, 0)]);                          /* 30代 男 10 */
	CU_ASSERT_EQUAL(t.v[COLINK_SUP_AT(&t, 2, 0)], 10);
	CU_ASSERT(!t.state[COLINK_SUP_AT(&t, 0, 0)]);                          /* 〜19 男 0 */
	CU_ASSERT_EQUAL(t.v[COLINK_SUP_AT(&t, 0, 0)], 0);
	/* 60代: 計 28 - 男 19 must not be available */
	CU_ASSERT(t.state[COLINK_SUP_AT(&t, 5, 0)] || t.state[COLINK_SUP_AT(&t, 5, 2)]);
	CU_ASSERT(!t.state[COLINK_SUP_AT(&t, 7, 2)]);
	CU_ASSERT_EQUAL(t.v[COLINK_SUP_AT(&t, 7, 2)], NPERS);
	colink_sup_table_free(&t);
	/* the audit of the three headcount tables, with the true values */
	for (d = 0; d < 3; d++) {
		rows = read_counts("wp", files[d], &t, lab, 32);
		CU_ASSERT_FATAL(rows > 0);
		truth_fill(&t, d, lab);
		CU_ASSERT(audit_table(&t, &o));
		colink_sup_table_free(&t);
	}
}

/* Every count table in csv/: no count 1..k-1, and the audit (truth not
 * known here: only the released numbers). */
static void test_whitepaper__every_released_count_table_passes_the_audit(void)
{
	struct colink_sup_opts o = { 10, 0 };
	char *list = NULL, *save = NULL, *name;
	char *cmd = tu_fmt("cd '%s/wp/csv' && ls | grep -v -e _rate_ -e prevalence_ -e _mean_ -e medical_cost", dir);
	int audited = 0;
	CU_ASSERT_EQUAL(tu_run(cmd, &list, NULL), 0);
	free(cmd);
	for (name = strtok_r(list, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
		struct colink_sup_table t;
		char lab[32][64];
		int rows = read_counts("wp", name, &t, lab, 32);
		CU_ASSERT(rows > 0);
		if (rows <= 0)
			continue;
		int one = 0;
		if (t.state[COLINK_SUP_AT(&t, t.rows, t.cols)])
			t.v[COLINK_SUP_AT(&t, t.rows, t.cols)] = NPERS; /* bound the search */
		sup_leak_check(&t, &o, name, NULL, &one); /* report_leak.h, shared by every report verb */
		audited += one;
		colink_sup_table_free(&t);
	}
	free(list);
	CU_ASSERT(audited >= 40);
	fprintf(stderr, "count tables audited: %d\n", audited);
}

/* Nested counts, every count sensitive (--sensitive: the old rule): every released (parent, child) pair of the same cell in
 * every table leaves a complement of 0 or >= k, and no suppressed member
 * of a pair lets it be narrowed to 1..k-1 (sup_audit.h audit_pair); the
 * planted 50代 女 (20 persons, 14 examined: 6 not examined) is protected. */
static void test_whitepaper__no_complement_below_k(void)
{
	static const char *const pairs[][2] = {
		{ "headcount", "examined" }, { "headcount", "attendance_persons" },
		{ "examined", "smoking_answered" }, { "smoking_answered", "smokers" },
		{ "examined", "smokers" }, { "headcount", "smoking_answered" }, { "headcount", "smokers" },
	};
	static const char *const areas[6] = { "bp", "lipid", "liver", "glucose", "kidney", "anemia" };
	static const char *const dims[3] = { "age", "site", "job" };
	struct colink_sup_opts o = { 10, 0 };
	struct colink_sup_table pt, ct, g;
	char lab[32][64], pf[64], cf[64], *path, *text;
	long checked = 0;
	size_t p, d, a, i, j, np = sizeof(pairs) / sizeof(pairs[0]);
	int n;
	/* every count sensitive (--sensitive): the not examined protected too */
	CU_ASSERT_EQUAL_FATAL(run_wp("wpall", "--sensitive examined,attendance,measured,answered,risk,smokers,guidance",
				     NULL, NULL), 0);
	/* by default (risk, smokers, guidance) the examinees are a population
	 * the recipient knows: the planted 14 of 20 is released, and its rate */
	CU_ASSERT_EQUAL_FATAL(read_counts("wp", "examined_age.csv", &ct, lab, 32), 7);
	CU_ASSERT(!ct.state[COLINK_SUP_AT(&ct, 4, 1)]);
	CU_ASSERT_EQUAL(ct.v[COLINK_SUP_AT(&ct, 4, 1)], 14);
	colink_sup_table_free(&ct);
	CU_ASSERT_EQUAL(run_wp("bad", "--sensitive examined,height", NULL, NULL), 2);
	/* the planted cell: the truth, and what the paper says about it */
	for (i = 0, n = 0; i < NPERS; i++)
		n += pop[i].band == 4 && pop[i].sex == 2 && pop[i].exam24;
	CU_ASSERT_EQUAL(n, 14);
	CU_ASSERT_EQUAL_FATAL(read_counts("wpall", "headcount_age.csv", &pt, lab, 32), 7);
	CU_ASSERT_EQUAL_FATAL(read_counts("wpall", "examined_age.csv", &ct, lab, 32), 7);
	CU_ASSERT_STRING_EQUAL(lab[4], "50代");
	CU_ASSERT(!pt.state[COLINK_SUP_AT(&pt, 4, 1)]);
	CU_ASSERT_EQUAL(pt.v[COLINK_SUP_AT(&pt, 4, 1)], 20);
	CU_ASSERT(ct.state[COLINK_SUP_AT(&ct, 4, 1)]); /* 14 of 20: suppressed */
	colink_sup_table_free(&pt);
	colink_sup_table_free(&ct);
	path = tu_fmt("%s/wpall/csv/uptake_rate_age.csv", dir);
	text = tu_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n2024,50代,")); /* the row, and its 女 rate withheld */
	CU_ASSERT_PTR_NULL(strstr(text, "\n2024,50代,*,70.0"));
	CU_ASSERT_PTR_NULL(strstr(text, ",70.0,"));
	free(text);
	free(path);
	/* every pair, every table */
	for (p = 0; p < np + 3 * 6; p++)
		for (d = 0; d < 3; d++) {
			if (p < np) {
				snprintf(pf, sizeof(pf), "%s_%s.csv", pairs[p][0], dims[d]);
				snprintf(cf, sizeof(cf), "%s_%s.csv", pairs[p][1], dims[d]);
			} else {
				static const char *const parents[3] = { "headcount", "examined", "measured_" };
				a = (p - np) % 6;
				if ((p - np) / 6 < 2) {
					snprintf(pf, sizeof(pf), "%s_%s.csv", parents[(p - np) / 6], dims[d]);
					snprintf(cf, sizeof(cf), "measured_%s_%s.csv", areas[a], dims[d]);
				} else {
					snprintf(pf, sizeof(pf), "measured_%s_%s.csv", areas[a], dims[d]);
					snprintf(cf, sizeof(cf), "risk_%s_%s.csv", areas[a], dims[d]);
				}
			}
			CU_ASSERT_FATAL(read_counts("wpall", pf, &pt, lab, 32) > 0);
			CU_ASSERT_FATAL(read_counts("wpall", cf, &ct, lab, 32) > 0);
			if (pt.state[COLINK_SUP_AT(&pt, pt.rows, 2)])
				pt.v[COLINK_SUP_AT(&pt, pt.rows, 2)] = NPERS; /* bound the search */
			if (ct.state[COLINK_SUP_AT(&ct, ct.rows, 2)])
				ct.v[COLINK_SUP_AT(&ct, ct.rows, 2)] = NPERS;
			checked += audit_pair(&pt, &ct, &o);
			colink_sup_table_free(&pt);
			colink_sup_table_free(&ct);
		}
	/* risk holders of the examinees and the headcount (through measured) */
	for (a = 0; a < 6; a++)
		for (d = 0; d < 3; d++)
			for (p = 0; p < 2; p++) {
				snprintf(pf, sizeof(pf), "%s_%s.csv", p ? "examined" : "headcount", dims[d]);
				snprintf(cf, sizeof(cf), "risk_%s_%s.csv", areas[a], dims[d]);
				CU_ASSERT_FATAL(read_counts("wpall", pf, &pt, lab, 32) > 0);
				CU_ASSERT_FATAL(read_counts("wpall", cf, &ct, lab, 32) > 0);
				if (pt.state[COLINK_SUP_AT(&pt, pt.rows, 2)])
					pt.v[COLINK_SUP_AT(&pt, pt.rows, 2)] = NPERS;
				if (ct.state[COLINK_SUP_AT(&ct, ct.rows, 2)])
					ct.v[COLINK_SUP_AT(&ct, ct.rows, 2)] = NPERS;
				checked += audit_pair(&pt, &ct, &o);
				colink_sup_table_free(&pt);
				colink_sup_table_free(&ct);
			}
	/* guidance levels (and their total) of the examinees / headcount of each sex */
	CU_ASSERT_EQUAL_FATAL(read_counts("wpall", "guidance_levels.csv", &g, lab, 32), 5);
	for (p = 0; p < 2; p++) {
		CU_ASSERT_FATAL(read_counts("wpall", p ? "examined_age.csv" : "headcount_age.csv", &pt, lab, 32) > 0);
		for (i = 0; i <= g.rows; i++)
			for (j = 0; j <= 2; j++) {
				size_t gc = COLINK_SUP_AT(&g, i, j), pc = COLINK_SUP_AT(&pt, pt.rows, j);
				long diff = pt.v[pc] - g.v[gc];
				if (g.state[gc] || pt.state[pc])
					continue;
				CU_ASSERT(diff == 0 || diff >= 10);
				if (diff > 0 && diff < 10)
					fprintf(stderr, "complement guidance (%zu,%zu) = %ld\n", i, j, diff);
				checked++;
			}
		colink_sup_table_free(&pt);
	}
	colink_sup_table_free(&g);
	fprintf(stderr, "released nested pairs checked: %ld\n", checked);
	CU_ASSERT(checked >= 500);
}

/* An integer 1..9 printed as a count in the HTML: a table cell or a chart
 * label without a decimal point. */
static int html_has_small_count(const char *html)
{
	const char *p = html;
	static const char *const pre[2] = { "<td>", "class=\"vl\">" };
	int k;
	for (k = 0; k < 2; k++)
		for (p = html; (p = strstr(p, pre[k])); p++) {
			const char *v = p + strlen(pre[k]);
			if (v[0] >= '1' && v[0] <= '9' && v[1] == '<')
				return 1;
		}
	return 0;
}

static void test_whitepaper__html_is_self_contained_with_charts(void)
{
	char *path = tu_fmt("%s/wp/whitepaper.html", dir);
	char *html = tu_read_file(path, NULL);
	static const char *const charts[] = {
		"id=\"chart-yoy\"", "id=\"chart-sex-risk\"", "id=\"chart-age-headcount\"",
		"id=\"chart-age-uptake\"", "id=\"chart-age-cost\"", "id=\"chart-site-uptake\"",
		"id=\"chart-site-quit\"", "id=\"chart-job-uptake\"", NULL
	};
	size_t i;
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<html lang=\"ja\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "■性別による特徴"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "■年代による特徴"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "■事業所による特徴"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "■職種による特徴"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "@media print"));
	for (i = 0; charts[i]; i++) {
		CU_ASSERT_PTR_NOT_NULL(strstr(html, charts[i]));
		if (!strstr(html, charts[i]))
			fprintf(stderr, "missing chart %s\n", charts[i]);
	}
	/* no fetch, no script: nothing outside the file */
	CU_ASSERT_PTR_NULL(strstr(html, "<script"));
	CU_ASSERT_PTR_NULL(strstr(html, "src=\"http"));
	CU_ASSERT_PTR_NULL(strstr(html, "href=\"http"));
	/* the 20代 女 9 and the 60代 女 9 nowhere as a number */
	CU_ASSERT(!html_has_small_count(html));
	/* a suppressed bar is a marked placeholder, not a gap */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<rect class=\"bar sup\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "class=\"vl sup\">秘匿</text>"));
	/* the merged site, never the small ones by name */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "その他の事業所"));
	CU_ASSERT_PTR_NULL(strstr(html, ">S03<"));
	CU_ASSERT_PTR_NULL(strstr(html, ">S04<"));
	free(html);
	free(path);
}

static void test_whitepaper__renders_in_headless_chromium(void)
{
	char *cmd = tu_fmt("sh '%s/tests/html_render.sh' '%s/wp/whitepaper.html' '%s/wp.png'", tu_srcdir(), dir, dir);
	char *errout = NULL;
	int rc = tu_run(cmd, NULL, &errout);
	if (rc == 77) {
		fprintf(stderr, "chromium not installed: render skipped\n");
	} else {
		if (rc)
			fprintf(stderr, "%s", errout ? errout : "");
		CU_ASSERT_EQUAL(rc, 0);
		free(cmd);
		cmd = tu_fmt("%s/wp.png", dir);
		CU_ASSERT(tu_file_contains(cmd, "IHDR", 4));
	}
	free(errout);
	free(cmd);
}

static void test_whitepaper__site_rule_withhold_and_k(void)
{
	struct colink_sup_table t;
	char lab[32][64];
	int rows;
	size_t j;
	CU_ASSERT_EQUAL(run_wp("wh", "--site-rule withhold", NULL, NULL), 0);
	rows = read_counts("wh", "headcount_site.csv", &t, lab, 32);
	CU_ASSERT_EQUAL_FATAL(rows, 3);
	CU_ASSERT_STRING_EQUAL(lab[2], "非公表の事業所");
	for (j = 0; j <= 2; j++)
		CU_ASSERT(t.state[COLINK_SUP_AT(&t, 2, j)] != 0);
	/* 252 - 130 - 70 would give the withheld 52 back: more is suppressed */
	CU_ASSERT(t.state[COLINK_SUP_AT(&t, 0, 2)] || t.state[COLINK_SUP_AT(&t, 1, 2)] ||
		  t.state[COLINK_SUP_AT(&t, 3, 2)]);
	colink_sup_table_free(&t);
	/* k = 1000: nothing releasable, so no chart draws bare axes: each is
	 * one line saying why */
	CU_ASSERT_EQUAL(run_wp("kbig", "--k 1000", NULL, NULL), 0);
	{
		char *path = tu_fmt("%s/kbig/whitepaper.html", dir), *html = tu_read_file(path, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(html);
		CU_ASSERT_PTR_NULL(strstr(html, "class=\"bar-chart\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "<p id=\"chart-age-uptake\" class=\"note chart-empty\">"));
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "図なし。どの値も秘匿"));
		free(html);
		free(path);
	}
	/* k = 5: the 9s are released */
	CU_ASSERT_EQUAL(run_wp("k5", "--k 5", NULL, NULL), 0);
	rows = read_counts("k5", "headcount_age.csv", &t, lab, 32);
	CU_ASSERT_EQUAL_FATAL(rows, 7);
	CU_ASSERT(!t.state[COLINK_SUP_AT(&t, 1, 1)]);
	CU_ASSERT_EQUAL(t.v[COLINK_SUP_AT(&t, 1, 1)], 9);
	colink_sup_table_free(&t);
}

static void test_whitepaper__rates_and_means_only_over_k(void)
{
	char *path = tu_fmt("%s/wp/csv/medical_cost_per_person_age.csv", dir);
	char *text = tu_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	/* 20代 女 (9 persons): no mean; 30代 男 (10): a mean */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "2024,20代,"));
	{
		char *row = strstr(text, "2024,20代,");
		char *nl = row ? strchr(row, '\n') : NULL;
		if (nl)
			*nl = '\0';
		CU_ASSERT_PTR_NOT_NULL(row && strstr(row, ",*,"));
		if (nl)
			*nl = '\n';
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "2024,30代,"));
	CU_ASSERT_PTR_NULL(strstr(text, "2024,30代,*"));
	free(text);
	free(path);
}

static void test_whitepaper__agreement_gate_and_audit_entry(void)
{
	char *errout = NULL, *log, *path;
	int rc;
	/* 禁煙推進 does not cover site for the association's staff: refused */
	rc = run_wp("refused", "--purpose 禁煙推進", NULL, &errout);
	CU_ASSERT_EQUAL(rc, 3);
	CU_ASSERT_PTR_NOT_NULL(errout && strstr(errout, "does not allow"));
	free(errout);
	path = tu_fmt("%s/refused/whitepaper.html", dir);
	CU_ASSERT(!tu_file_contains(path, "<html", 5));
	free(path);
	path = tu_fmt("%s/audit.log", dir);
	log = tu_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "\"job\":\"report whitepaper\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "\"status\":\"refused\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "\"kind\":\"export\""));
	free(log);
	free(path);
}

/* The claims input end to end: kind claims through the real binary and
 * plugins, keyed by the card exactly like the checkups of the same file
 * set, a later run's row replacing the earlier one, no raw card number. */
static void test_whitepaper__claims_load_end_to_end(void)
{
	char *cdir = tu_fmt("%s/claims", dir), *job, *path, *db, *csv, *edited, *p;
	const char *src = tu_srcdir();
	size_t len;
	int rc;
	path = tu_fmt("mkdir -p '%s/out'", cdir);
	CU_ASSERT_EQUAL_FATAL(tu_run(path, NULL, NULL), 0);
	free(path);
	path = tu_fmt("%s/sample.key", cdir);
	job = tu_fmt("key new '%s'", path);
	CU_ASSERT_EQUAL(tu_colink_run(cdir, job, NULL, NULL), 0);
	free(job);
	free(path);
	path = tu_fmt("%s/samples/claims_summary.csv", src);
	csv = tu_read_file(path, &len);
	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	path = tu_fmt("%s/claims.csv", cdir);
	CU_ASSERT_EQUAL(tu_write_file(path, csv, len), 0);
	free(path);
	job = tu_fmt("<job xmlns=\"urn:colink:job:1\" name=\"claims\">\n"
		     "<agreement file=\"%s/samples/agreement.xml\" id=\"sample-collabo-2024\"/>\n"
		     "<purpose>健康白書</purpose>\n<recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		     "<key file=\"sample.key\"/>\n"
		     "<input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/samples/vendor_a.csv\"/>\n"
		     "<input mapping=\"%s/mappings/association/claims_summary.xml\" path=\"claims.csv\"/>\n"
		     "<output plugin=\"out_sqlite\"><set name=\"path\" value=\"out/warehouse.db\"/></output>\n"
		     "<audit log=\"out/audit.log\"/>\n<options max-rejected=\"3\"/>\n</job>\n",
		     src, src, src, src);
	path = tu_fmt("%s/job.xml", cdir);
	CU_ASSERT_EQUAL(tu_write_file(path, job, strlen(job)), 0);
	free(job);
	rc = tu_colink_run(cdir, "run --unsigned-agreement job.xml", NULL, NULL);
	CU_ASSERT(rc == 0 || rc == 1); /* vendor_a.csv holds two planted rejects */
	db = tu_fmt("%s/out/warehouse.db", cdir);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claims_summary"), 12);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT sum(medical_cost) FROM claims_summary WHERE fiscal_year = 2024"),
			2123130);
	/* the same person as the person's checkup: 10 checkups loaded, all matched */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claims_summary c JOIN checkup k "
				    "ON k.person_no = c.person_no"), 10);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claims_summary WHERE last_visit_date IS NULL"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT max(version) FROM schema_version"),
			COLINK_WH_SCHEMA_VERSION);
	/* no raw card number anywhere in the file */
	CU_ASSERT(!tu_file_contains(db, "00001234", 8));
	CU_ASSERT(!tu_file_contains(db, "310022", 6));
	/* a corrected export: the row is replaced, not duplicated */
	edited = tu_fmt("%s", csv);
	p = strstr(edited, ",2024,186750,");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(p, ",2024,186751,", 13);
	free(path);
	path = tu_fmt("%s/claims.csv", cdir);
	CU_ASSERT_EQUAL(tu_write_file(path, edited, len), 0);
	rc = tu_colink_run(cdir, "run --unsigned-agreement job.xml", NULL, NULL);
	CU_ASSERT(rc == 0 || rc == 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claims_summary"), 12);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT sum(medical_cost) FROM claims_summary"), 2123131);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT claims_replaced FROM run ORDER BY started DESC, rowid DESC LIMIT 1"), 12);
	free(edited);
	free(csv);
	free(db);
	free(path);
	free(cdir);
}

/* The medical-cost table drops nobody (#19 part 3).  A warehouse of four
 * groups of 10 persons with claims in FY: A) employees whose association
 * person has a checkup-side birth month and sex (40代 男, 100,000 yen);
 * B) employees whose association person is a claims-only identity (no
 * birth month, no sex), roster 30代 女 (200,000); C) association persons
 * with claims only and no link, e.g. dependants (50,000); D) employees
 * whose association person has a sex (男) but no birth month, roster 50代
 * (300,000).  With the roster's birth month allowed (the sample agreement
 * plus birth_date in clause W1): 40代 男 10, 30代 女 10, 50代 男 10 and
 * 年齢不明 / 不明 10; without it (the sample agreement): 40代 男 10,
 * 年齢不明 男 10, 年齢不明 不明 20.  Either way the table's total is the 40
 * persons with claims (the code before #19 released 10). */
static const char *claims_cell(const char *csv, const char *row, int col)
{
	static char buf[32];
	char *key = tu_fmt("\n%d,%s,", FY, row);
	const char *p = strstr(csv, key);
	int i;
	free(key);
	if (!p)
		return "(no row)";
	for (i = -2, p++; i < col; i++) { /* past fiscal_year, the label and col cells */
		const char *q = strpbrk(p, ",\n");
		if (!q || *q == '\n')
			return "(no column)";
		p = q + 1;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(p, ",\n"), p);
	return buf;
}

static void test_whitepaper__claims_without_checkup_age_are_counted(void)
{
	char *cdb = tu_fmt("%s/claims-age.db", dir), *schema_path, *schema, *agr, *agr2, *args, *csv, *path;
	static const int band_age[4] = { 45, 35, -1, 55 };
	static const int sex_of[4] = { 1, 2, 0, 1 };
	static const int cost_of[4] = { 100000, 200000, 50000, 300000 };
	sqlite3 *db;
	size_t len;
	int g, i, pass;
	schema_path = tu_fmt("%s/mappings/warehouse/schema.sql", tu_srcdir());
	schema = tu_read_file(schema_path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(cdb, &db), SQLITE_OK);
	exec_ok(db, schema);
	exec_ok(db, "BEGIN; INSERT INTO run (run_id, started, status) VALUES ('r1', '2025-05-01T00:00:00Z', 'ok');");
	for (g = 0; g < 4; g++)
		for (i = 0; i < 10; i++) {
			char eid[65], aid[65], bym[16], *sql;
			int by = (FY + 1) - band_age[g];
			snprintf(bym, sizeof(bym), g == 0 ? "%d01" : "NULL", by);
			hexid(eid, 11 + g, (size_t)i);
			hexid(aid, 21 + g, (size_t)i);
			sql = tu_fmt("INSERT INTO person (person_id, sex, birth_ym, side) VALUES ('%s', %s, %s, 'association');"
				     "INSERT INTO claims_summary (person_no, fiscal_year, medical_cost, visit_days, run_id) "
				     "VALUES (" PNO ", %d, %d, 3, 'r1');",
				     aid, g == 0 || g == 3 ? "'1'" : "NULL", bym,
				     aid, FY, cost_of[g]);
			exec_ok(db, sql);
			free(sql);
			if (g == 2)
				continue; /* not an employee: no link */
			sql = tu_fmt("INSERT INTO person (person_id, sex, birth_ym, side) VALUES ('%s', '%d', %d01, 'employer');"
				     "INSERT INTO employee (person_no, site, job_type, hire_date, run_id, input_no, record_no) "
				     "VALUES (" PNO ", 'S01', '01', '2015-04-01', 'r1', 2, %d);"
				     "INSERT INTO link (employer_person_id, association_person_id, pass, kind, run_id) "
				     "VALUES ('%s', '%s', 1, 'card', 'r1');",
				     eid, sex_of[g], by, eid, 10 * g + i + 1, eid, aid);
			exec_ok(db, sql);
			free(sql);
		}
	exec_ok(db, "COMMIT");
	sqlite3_close(db);
	/* the sample agreement, and a copy whose clause W1 also carries birth_date */
	path = tu_fmt("%s/samples/agreement.xml", tu_srcdir());
	agr = tu_read_file(path, &len);
	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(agr);
	{
		const char *w1 = strstr(agr, "<clause id=\"W1\""), *sx = w1 ? strstr(w1, "<item field=\"sex\"/>") : NULL;
		CU_ASSERT_PTR_NOT_NULL_FATAL(sx);
		agr2 = tu_fmt("%.*s<item field=\"birth_date\"/>%s", (int)(sx - agr), agr, sx);
	}
	path = tu_fmt("%s/agreement-birth.xml", dir);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, agr2, strlen(agr2)), 0);
	free(path);
	for (pass = 0; pass < 2; pass++) { /* 0: roster allowed, 1: the sample agreement */
		char *errout = NULL, *afile = pass ? tu_fmt("%s/samples/agreement.xml", tu_srcdir())
						   : tu_fmt("%s/agreement-birth.xml", dir);
		args = tu_fmt("report whitepaper --warehouse '%s' --agreement '%s' --party association "
			      "--role 保健事業担当者 --audit-log '%s/claims-audit.log' --fiscal-year %d -o '%s/claims%d'",
			      cdb, afile, dir, FY, dir, pass);
		free(afile);
		CU_ASSERT_EQUAL(tu_colink_run(dir, args, NULL, &errout), 0);
		if (errout && *errout)
			fprintf(stderr, "%s\n", errout);
		free(errout);
		free(args);
		path = tu_fmt("%s/claims%d/csv/claims_persons_age.csv", dir, pass);
		csv = tu_read_file(path, NULL);
		free(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
		CU_ASSERT_STRING_EQUAL(claims_cell(csv, "計", 3), "40"); /* every person with claims */
		CU_ASSERT_EQUAL(tu_sql_long(cdb, "SELECT count(*) FROM claims_summary WHERE fiscal_year = 2024"), 40);
		CU_ASSERT_STRING_EQUAL(claims_cell(csv, "40代", 0), "10");
		if (!pass) {
			CU_ASSERT_STRING_EQUAL(claims_cell(csv, "30代", 1), "10");
			CU_ASSERT_STRING_EQUAL(claims_cell(csv, "50代", 0), "10");
			CU_ASSERT_STRING_EQUAL(claims_cell(csv, "年齢不明", 2), "10");
			CU_ASSERT_STRING_EQUAL(claims_cell(csv, "年齢不明", 3), "10");
		} else {
			CU_ASSERT_STRING_EQUAL(claims_cell(csv, "30代", 1), "0");
			CU_ASSERT_STRING_EQUAL(claims_cell(csv, "年齢不明", 0), "10");
			CU_ASSERT_STRING_EQUAL(claims_cell(csv, "年齢不明", 2), "20");
			CU_ASSERT_STRING_EQUAL(claims_cell(csv, "年齢不明", 3), "30");
		}
		free(csv);
		path = tu_fmt("%s/claims%d/csv/medical_cost_per_person_age.csv", dir, pass);
		csv = tu_read_file(path, NULL);
		free(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
		/* (10 x 100,000 + 10 x 200,000 + 10 x 50,000 + 10 x 300,000) / 40 */
		CU_ASSERT_STRING_EQUAL(claims_cell(csv, "計", 3), "162500.0");
		/* roster allowed: the dependants alone; else they and group B: (10 x 200,000 + 10 x 50,000) / 20 */
		CU_ASSERT_STRING_EQUAL(claims_cell(csv, "年齢不明", 2), pass ? "125000.0" : "50000.0");
		free(csv);
		path = tu_fmt("%s/claims%d/whitepaper.html", dir, pass);
		CU_ASSERT(tu_file_contains(path, "年齢不明", strlen("年齢不明")));
		CU_ASSERT(tu_file_contains(path, "性別不明", strlen("性別不明")));
		free(path);
	}
	free(agr);
	free(agr2);
	free(schema);
	free(schema_path);
	free(cdb);
}

/* Allocation failures anywhere in `colink report whitepaper` (sampled):
 * a clean exit with one error line, never a crash; with none, success. */
static void test_whitepaper__allocation_failures(void)
{
	long n;
	int ok_seen = 0, failed_seen = 0;
	/* geometric past 200: the exact checks allocate per interval */
	for (n = 0; n < 100000000 && !ok_seen; n += n < 200 ? 7 : n / 4 + 211) {
		char *errout = NULL, *opts = tu_fmt("--k 10 -o '%s/oom'", dir), *args, *env;
		int rc;
		args = tu_fmt("report whitepaper --warehouse '%s' --agreement '%s/samples/agreement.xml' "
			      "--party association --role 保健事業担当者 --audit-log '%s/oom-audit.log' "
			      "--fiscal-year %d %s", db_path, tu_srcdir(), dir, FY, opts);
		env = tu_fmt("cd '%s' && COLINK_FAIL_ALLOC_AFTER=%ld '%s' %s", dir, n, tu_colink(), args);
		rc = tu_run(env, NULL, &errout);
		CU_ASSERT(rc == 0 || rc == 3 || rc == 4 || rc == 5);
		if (rc && rc != 3 && rc != 4 && rc != 5)
			fprintf(stderr, "fail after %ld: exit %d: %s\n", n, rc, errout ? errout : "");
		if (rc == 0)
			ok_seen = 1;
		else {
			failed_seen = 1;
			CU_ASSERT_PTR_NOT_NULL(errout && strstr(errout, "colink: "));
		}
		free(errout);
		free(env);
		free(args);
		free(opts);
	}
	CU_ASSERT(ok_seen);
	CU_ASSERT(failed_seen);
}

static void test_whitepaper__usage(void)
{
	char *errout = NULL;
	CU_ASSERT_EQUAL(tu_colink_run(dir, "report whitepaper --warehouse x.db", NULL, &errout), 2);
	free(errout);
	CU_ASSERT_EQUAL(tu_colink_run(dir, "report whitepaper --k 0 -o x", NULL, NULL), 2);
	CU_ASSERT_EQUAL(tu_colink_run(dir, "report whitepaper --site-rule drop -o x", NULL, NULL), 2);
}

static const struct tu_test tests[] = {
	TU_TEST(test_whitepaper__planted_cells_and_audit),
	TU_TEST(test_whitepaper__every_released_count_table_passes_the_audit),
	TU_TEST(test_whitepaper__no_complement_below_k),
	TU_TEST(test_whitepaper__html_is_self_contained_with_charts),
	TU_TEST(test_whitepaper__renders_in_headless_chromium),
	TU_TEST(test_whitepaper__site_rule_withhold_and_k),
	TU_TEST(test_whitepaper__rates_and_means_only_over_k),
	TU_TEST(test_whitepaper__agreement_gate_and_audit_entry),
	TU_TEST(test_whitepaper__claims_load_end_to_end),
	TU_TEST(test_whitepaper__claims_without_checkup_age_are_counted),
	TU_TEST(test_whitepaper__allocation_failures),
	TU_TEST(test_whitepaper__usage),
	TU_END
};

int main(void)
{
	if (tu_add_suite("whitepaper", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
