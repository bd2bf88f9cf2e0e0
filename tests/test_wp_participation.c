/* test_wp_participation.c -- the white paper's ⑤ その他 (programme
 * participation, issue #19) end to end through `colink report whitepaper`.
 *
 * A small warehouse (the real schema.sql) of 70 employees in FY2024:
 *   S01: 20 men aged 35 (30代), 20 women aged 45 (40代);
 *   S02: 15 men aged 45 (40代), 15 women aged 35 (30代);
 * and participation rows written so that every walking-event figure can be
 * computed by hand (below), with rows that must not count (another fiscal
 * year; a second row of the same person), plus a 禁煙治療補助 of three men
 * of S01 that must never show and a seminar of 15 of the 20 men of S01
 * (15 >= k, but the 5 who stayed away are a small complement).  The test checks the walking figures
 * against the hand computation, the leak check of every report verb
 * (tests/report_leak.h) on every released count table of the section, the
 * nested complements (participants of the headcount, completers of the
 * participants and of the headcount: sup_audit.h audit_pair), that no rate
 * rests on a withheld count, and the agreement gate (no clause W5: no
 * section, no CSV).
 *
 * Walking event, by hand:
 *   S01 men 0-9 took part, completed          -> 10 participants, 10 completers
 *   S01 women all 20: 0-4 completed, 5-9 first not then completed (two
 *     rows: counted once, completed), 10-17 not completed, 18-19 not
 *     recorded                                 -> 20, 10
 *   S02 men: rows dated 2024-03-31 and 2025-04-01 only (other years) -> 0, 0
 *   S02 women all 15 took part, completed      -> 15, 15
 * participants by site  S01 10/20/30, S02 0/15/15, 計 10/35/45 (男/女/計)
 * participation rate    S01 50.0/100.0/75.0, S02 0.0/100.0/50.0,
 *                       計 10/35 = 28.6, 35/35 = 100.0, 45/70 = 64.3
 * completion rate       S01 100.0/50.0/66.7, S02 -/100.0/100.0 (no man
 *                       took part: no rate), 計 100.0/71.4/77.8
 * by age band           30代 (S01 men + S02 women) 10/15/25 of 20/15/35:
 *                       50.0/100.0/71.4; 40代 0/20/20 of 15/20/35:
 *                       0.0/100.0/57.1; completion 30代 100.0/100.0/100.0,
 *                       40代 -/50.0/50.0 ("-": withheld, "*" in the CSV). */
#include <CUnit/Basic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "report_leak.h" /* and sup_audit.h */

#define NPERS 70

static char *dir, *db_path;

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "sql: %s\n  %s\n", msg ? msg : "?", sql);
	CU_ASSERT_EQUAL_FATAL(rc, SQLITE_OK);
	sqlite3_free(msg);
}

/* employee i: 0-19 S01 men 35, 20-39 S01 women 45, 40-54 S02 men 45,
 * 55-69 S02 women 35 */
static void person_of(int i, int *sex, int *age, const char **site)
{
	*sex = (i < 20 || (i >= 40 && i < 55)) ? 1 : 2;
	*age = (i < 20 || i >= 55) ? 35 : 45;
	*site = i < 40 ? "S01" : "S02";
}

static void participate(sqlite3 *db, int i, const char *prog, const char *date, const char *done)
{
	char *sql = tu_fmt("INSERT INTO participation (person_no, program, participation_date, completed, "
			   "run_id, input_no, record_no) VALUES ((SELECT person_no FROM person WHERE "
			   "person_id = '%064x'), '%s', '%s', %s, 'r1', 2, 1)",
			   (unsigned)i + 1, prog, date, done);
	exec_ok(db, sql);
	free(sql);
}

static void build_warehouse(void)
{
	sqlite3 *db;
	char *schema_path = tu_fmt("%s/mappings/warehouse/schema.sql", tu_srcdir());
	char *schema = tu_read_file(schema_path, NULL);
	int i;
	CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path, &db), SQLITE_OK);
	exec_ok(db, schema);
	exec_ok(db, "BEGIN; INSERT INTO run (run_id, started, status) VALUES ('r1', '2025-05-01T00:00:00Z', 'ok');");
	for (i = 0; i < NPERS; i++) {
		int sex, age;
		const char *site;
		char *sql;
		person_of(i, &sex, &age, &site);
		sql = tu_fmt("INSERT INTO person (person_id, sex, birth_ym, side) VALUES ('%064x', '%d', %d01, "
			     "'employer');"
			     "INSERT INTO employee (person_no, site, job_type, hire_date, run_id, input_no, record_no) "
			     "VALUES ((SELECT person_no FROM person WHERE person_id = '%064x'), '%s', '01', "
			     "'2015-04-01', 'r1', 1, %d);",
			     (unsigned)i + 1, sex, 2025 - age, (unsigned)i + 1, site, i + 1);
		exec_ok(db, sql);
		free(sql);
	}
	for (i = 0; i < 10; i++) /* S01 men */
		participate(db, i, "walking", "2024-05-13", "'1'");
	for (i = 20; i < 40; i++) { /* S01 women */
		int k = i - 20;
		if (k >= 5 && k < 10)
			participate(db, i, "walking", "2024-10-14", "'1'");
		participate(db, i, "walking", "2024-05-13", k < 5 ? "'1'" : k < 18 ? "'2'" : "NULL");
	}
	for (i = 40; i < 46; i++) /* S02 men: other fiscal years only */
		participate(db, i, "walking", i < 45 ? "2024-03-31" : "2025-04-01", "'1'");
	for (i = 55; i < 70; i++) /* S02 women */
		participate(db, i, "walking", "2024-05-13", "'1'");
	for (i = 0; i < 15; i++) /* 15 of the 20 men of S01: the 5 others must not show */
		participate(db, i, "seminar", "2024-07-10", "'1'");
	for (i = 10; i < 13; i++) /* three men of S01: never shown */
		participate(db, i, "smoking_treatment", "2024-09-02", i < 12 ? "'1'" : "'2'");
	exec_ok(db, "COMMIT");
	sqlite3_close(db);
	free(schema);
	free(schema_path);
}

static int setup(void)
{
	dir = tu_mkdtemp("wppart");
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

static int run_wp(const char *name, const char *agreement)
{
	char *args = tu_fmt("report whitepaper --warehouse '%s' --agreement '%s' --party association "
			    "--role 保健事業担当者 --audit-log '%s/audit.log' --fiscal-year 2024 --min-site 10 "
			    "-o '%s/%s'", db_path, agreement, dir, dir, name);
	char *errout = NULL;
	int rc = tu_colink_run(dir, args, NULL, &errout);
	if (rc)
		fprintf(stderr, "colink: %s\n", errout ? errout : "?");
	free(errout);
	free(args);
	return rc;
}

static char *csv(const char *name, const char *file)
{
	char *path = tu_fmt("%s/%s/csv/%s", dir, name, file);
	char *text = tu_read_file(path, NULL);
	free(path);
	return text;
}

/* Row `label` of a CSV as "v1,v2,v3" (after fiscal_year and label). */
static int row_is(const char *text, const char *label, const char *want)
{
	char *needle = tu_fmt("\n2024,%s,%s\n", label, want);
	int ok = text && strstr(text, needle) != NULL;
	if (!ok)
		fprintf(stderr, "row %s: want %s in\n%s\n", label, want, text ? text : "(no file)");
	free(needle);
	return ok;
}

/* Read DIR/NAME/csv/FILE (rows x 男,女,計) into t; "*" = suppressed. */
static int read_counts(const char *name, const char *file, struct colink_sup_table *t)
{
	char *text = csv(name, file), *line, *save = NULL;
	long vals[16][3];
	int sup[16][3], first = 1;
	size_t rows = 0, i;
	struct colink_error err = {0};
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
			if ((p = strchr(p, ',')))
				*p++ = '\0';
		}
		if (nf != 5 || rows >= 16)
			break;
		for (j = 0; j < 3; j++) {
			sup[rows][j] = !strcmp(f[2 + j], "*");
			vals[rows][j] = sup[rows][j] ? 0 : strtol(f[2 + j], NULL, 10);
		}
		rows++;
	}
	free(text);
	if (rows < 2 || colink_sup_table_init(t, file, "r", "sex", rows - 1, 2, &err))
		return -1;
	for (i = 0; i < rows; i++) {
		int j;
		for (j = 0; j < 3; j++) {
			t->v[COLINK_SUP_AT(t, i, (size_t)j)] = vals[i][j];
			t->state[COLINK_SUP_AT(t, i, (size_t)j)] = sup[i][j] ? COLINK_SUP_PRIMARY : 0;
		}
	}
	if (t->state[COLINK_SUP_AT(t, t->rows, 2)])
		t->v[COLINK_SUP_AT(t, t->rows, 2)] = NPERS; /* bound the audit's search */
	return (int)(rows - 1);
}

/* ---- tests --------------------------------------------------------- */

static void test_wp_participation__walking_figures_by_hand(void)
{
	char *t = tu_fmt("%s/samples/agreement.xml", tu_srcdir());
	int rc;
	build_warehouse();
	rc = run_wp("wp", t);
	free(t);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	t = csv("wp", "participants_walking_site.csv");
	CU_ASSERT(row_is(t, "S01", "10,20,30"));
	CU_ASSERT(row_is(t, "S02", "0,15,15"));
	CU_ASSERT(row_is(t, "計", "10,35,45"));
	free(t);
	t = csv("wp", "completers_walking_site.csv");
	CU_ASSERT(row_is(t, "S01", "10,10,20"));
	CU_ASSERT(row_is(t, "S02", "0,15,15"));
	CU_ASSERT(row_is(t, "計", "10,25,35"));
	free(t);
	t = csv("wp", "participation_rate_walking_site.csv");
	CU_ASSERT(row_is(t, "S01", "50.0,100.0,75.0"));
	CU_ASSERT(row_is(t, "S02", "0.0,100.0,50.0"));
	CU_ASSERT(row_is(t, "計", "28.6,100.0,64.3"));
	free(t);
	t = csv("wp", "completion_rate_walking_site.csv");
	CU_ASSERT(row_is(t, "S01", "100.0,50.0,66.7"));
	CU_ASSERT(row_is(t, "S02", "*,100.0,100.0"));
	CU_ASSERT(row_is(t, "計", "100.0,71.4,77.8"));
	free(t);
	t = csv("wp", "participants_walking_age.csv");
	CU_ASSERT(row_is(t, "30代", "10,15,25"));
	CU_ASSERT(row_is(t, "40代", "0,20,20"));
	CU_ASSERT(row_is(t, "20代", "0,0,0"));
	free(t);
	t = csv("wp", "participation_rate_walking_age.csv");
	CU_ASSERT(row_is(t, "30代", "50.0,100.0,71.4"));
	CU_ASSERT(row_is(t, "40代", "0.0,100.0,57.1"));
	CU_ASSERT(row_is(t, "20代", "*,*,*")); /* nobody in service */
	free(t);
	t = csv("wp", "completion_rate_walking_age.csv");
	CU_ASSERT(row_is(t, "30代", "100.0,100.0,100.0"));
	CU_ASSERT(row_is(t, "40代", "*,50.0,50.0"));
	free(t);
	/* the HTML section: walking by site, 計 column (participants, rates) */
	t = tu_fmt("%s/wp/whitepaper.html", dir);
	{
		char *html = tu_read_file(t, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(html);
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "<section id=\"other\"><h2>■⑤ その他"));
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "<tr><th>S01</th><td>30</td><td>75.0</td><td>66.7</td>"));
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "<th colspan=\"3\">禁煙治療補助</th>"));
		free(html);
	}
	free(t);
}

/* The three 禁煙治療補助 participants (two completed) never show: each
 * count table of the section passes the leak check every report verb's
 * tests run (no count 1..k-1 released; no withheld count recoverable). */
static void test_wp_participation__leak_check(void)
{
	static const char *const progs[3] = { "walking", "smoking_treatment", "seminar" };
	static const char *const kinds[2] = { "participants", "completers" };
	static const char *const dims[2] = { "site", "age" };
	struct colink_sup_opts o = { 10, 0 };
	size_t p, k, d;
	int audited = 0;
	char *t;
	for (p = 0; p < 3; p++)
		for (k = 0; k < 2; k++)
			for (d = 0; d < 2; d++) {
				struct colink_sup_table tab;
				char *file = tu_fmt("%s_%s_%s.csv", kinds[k], progs[p], dims[d]);
				int one = 0;
				CU_ASSERT_FATAL(read_counts("wp", file, &tab) > 0);
				sup_leak_check(&tab, &o, file, NULL, &one);
				audited += one;
				colink_sup_table_free(&tab);
				free(file);
			}
	CU_ASSERT_EQUAL(audited, 12);
	t = csv("wp", "participants_smoking_treatment_site.csv");
	CU_ASSERT(row_is(t, "S01", "*,0,*"));
	CU_ASSERT(row_is(t, "計", "*,0,*"));
	free(t);
	t = csv("wp", "participation_rate_smoking_treatment_site.csv");
	CU_ASSERT(row_is(t, "S01", "*,0.0,*"));
	free(t);
	/* seminar: 15 of the 20 men of S01 -- a count >= k whose complement
	 * (the 5 who did not take part) is not: withheld as well */
	t = csv("wp", "participants_seminar_site.csv");
	CU_ASSERT(row_is(t, "S01", "*,0,*"));
	CU_ASSERT_PTR_NULL(t ? strstr(t, ",15") : "");
	free(t);
}

/* Nested complements: headcount - participants, participants -
 * completers, headcount - completers are 0 or >= k, or not derivable
 * (sup_audit.h audit_pair); and no rate rests on a withheld count. */
static void test_wp_participation__complements_and_rates(void)
{
	static const char *const progs[3] = { "walking", "smoking_treatment", "seminar" };
	static const char *const dims[2] = { "site", "age" };
	struct colink_sup_opts o = { 10, 0 };
	long checked = 0;
	size_t p, d, q;
	for (p = 0; p < 3; p++)
		for (d = 0; d < 2; d++) {
			struct colink_sup_table head, part, done;
			char *fh = tu_fmt("headcount_%s.csv", dims[d]);
			char *fp = tu_fmt("participants_%s_%s.csv", progs[p], dims[d]);
			char *fd = tu_fmt("completers_%s_%s.csv", progs[p], dims[d]);
			CU_ASSERT_FATAL(read_counts("wp", fh, &head) > 0);
			CU_ASSERT_FATAL(read_counts("wp", fp, &part) > 0);
			CU_ASSERT_FATAL(read_counts("wp", fd, &done) > 0);
			checked += audit_pair(&head, &part, &o);
			checked += audit_pair(&part, &done, &o);
			checked += audit_pair(&head, &done, &o);
			/* a printed rate: its numerator and denominator printed */
			for (q = 0; q < 2; q++) {
				const struct colink_sup_table *num = q ? &done : &part, *den = q ? &part : &head;
				char *fr = tu_fmt("%s_rate_%s_%s.csv", q ? "completion" : "participation", progs[p],
						  dims[d]);
				struct colink_sup_table rate;
				size_t c;
				CU_ASSERT_FATAL(read_counts("wp", fr, &rate) > 0);
				for (c = 0; c < (rate.rows + 1) * 3; c++)
					if (!rate.state[c] && (num->state[c] || den->state[c] || den->v[c] < o.k)) {
						fprintf(stderr, "%s: a rate over a withheld count (cell %zu)\n", fr, c);
						CU_FAIL("rate over a withheld count");
					}
				colink_sup_table_free(&rate);
				free(fr);
			}
			colink_sup_table_free(&head);
			colink_sup_table_free(&part);
			colink_sup_table_free(&done);
			free(fh);
			free(fp);
			free(fd);
		}
	CU_ASSERT(checked > 20);
}

/* Without clause W5 the association may not receive participation: the
 * white paper leaves the section and its CSV out and still runs. */
static void test_wp_participation__agreement_gate(void)
{
	char *src = tu_fmt("%s/samples/agreement.xml", tu_srcdir());
	char *text = tu_read_file(src, NULL), *w5, *end, *path, *html;
	FILE *f;
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	w5 = strstr(text, "  <clause id=\"W5\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w5);
	end = strstr(w5, "</clause>\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	memmove(w5, end + strlen("</clause>\n"), strlen(end + strlen("</clause>\n")) + 1);
	path = tu_fmt("%s/no-w5.xml", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(run_wp("gated", path), 0);
	free(path);
	path = tu_fmt("%s/gated/whitepaper.html", dir);
	html = tu_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	CU_ASSERT_PTR_NULL(strstr(html, "id=\"other\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"guidance\""));
	free(html);
	free(path);
	html = csv("gated", "participants_walking_site.csv");
	CU_ASSERT_PTR_NULL(html);
	free(html);
	free(text);
	free(src);
}

static const struct tu_test tests[] = {
	TU_TEST(test_wp_participation__walking_figures_by_hand),
	TU_TEST(test_wp_participation__leak_check),
	TU_TEST(test_wp_participation__complements_and_rates),
	TU_TEST(test_wp_participation__agreement_gate),
	TU_END
};

int main(void)
{
	if (tu_add_suite("wp_participation", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
