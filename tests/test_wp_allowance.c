/* test_wp_allowance.c -- the white paper's 傷病手当金 figures and medical
 * cost by disease group (issue #21 parts 5 and 6) end to end through
 * `colink report whitepaper`.
 *
 * A small warehouse (the real schema.sql) of 70 employees in service in
 * FY2023 and FY2024 (hired 2015):
 *   S01: 20 men aged 35 (30代), 20 women aged 45 (40代);
 *   S02: 15 men aged 45 (40代), 15 women aged 35 (30代);
 * each linked to an association person A<i> (the insured person the
 * payments and claims name), plus one association person linked to nobody.
 *
 * 傷病手当金, FY2024 (支給期間 starting 2024-04-01..2025-03-31), by hand:
 *   men 30代 i 0-9: a payment of 20 days (M545); i 0 a second one of 10
 *     days (傷病名コード 9990101 -> I10): 10 recipients, 210 days, 0 F;
 *   women 40代 i 20-29: 15 days each, cause F (i 20-24 through the master:
 *     9990601 -> F329; i 25-29 ICD-10 F432): 10 recipients, 150 days, 10 F;
 *   not counted: i 30 (starts 2025-04-01), i 31 (starts 2024-03-31, FY2023),
 *     the unlinked person.
 *   recipients        30代 10/0/10, 40代 0/10/10, 計 10/10/20 (男/女/計)
 *   per 1,000 在籍者   30代 500.0/0.0/285.7, 40代 0.0/500.0/285.7,
 *                     計 285.7/285.7/285.7
 *   days per 1,000    30代 10500.0/-/6000.0 (210/20, -, 210/35), 40代
 *                     -/7500.0/4285.7, 計 6000.0/4285.7/5142.9 (360/70)
 *                     ("-": fewer than k recipients, "*" in the CSV)
 *   F share           30代 0.0/-/0.0, 40代 -/100.0/100.0, 計 0.0/100.0/50.0
 * FY2023 holds small cells only (men 30代 i 10-12, two of them F; i 31):
 * nothing of them may show or be recoverable.
 *
 * Medical cost by disease group, FY2024 (診療年月 2024-04..2025-03):
 *   A0-A9   a claim of 10,000 yen, 主傷病 9990101 (I10: hypertension), and
 *           one of 5,000 whose first 主傷病 is 疑い (9990201) and the
 *           next 9990301 (E785: dyslipidaemia);
 *   A10-A19 a claim of 10,000 yen, 主傷病 9990501 (J069: no group);
 *   A20-A39 a claim of 20,000 yen: SY 1 I10 not 主傷病, SY 2 9990201 (E119,
 *           主傷病: diabetes);
 *   A0      a claim of 2025-04 (FY2025): not counted.
 *   全体      30代 men 20 persons 250,000 -> 12500.0; 40代 women 20, 400,000
 *           -> 20000.0; 計 40, 650,000 -> 16250.0
 *   hypertension 30代 men 10, 100,000 -> 10000.0; dyslipidaemia 10, 50,000
 *           -> 5000.0; その他 10, 100,000 -> 10000.0; diabetes 40代 women
 *           20, 400,000 -> 20000.0. */
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

static void person_of(int i, int *sex, int *age, const char **site)
{
	*sex = (i < 20 || (i >= 40 && i < 55)) ? 1 : 2;
	*age = (i < 20 || i >= 55) ? 35 : 45;
	*site = i < 40 ? "S01" : "S02";
}

/* Association person A<i>: person_id 'a' + 63 hex digits of i. */
#define APERSON "(SELECT person_no FROM person WHERE person_id = 'a%063x')"

static void pay(sqlite3 *db, int i, const char *from, const char *to, int days, const char *icd,
		const char *code)
{
	char *sql = tu_fmt("INSERT INTO allowance (person_no, period_from, period_to, days, amount, icd10, "
			   "disease_code, run_id, input_no, record_no) VALUES (" APERSON ", '%s', '%s', %d, "
			   "%d, %s, %s, 'r1', 3, %d)",
			   (unsigned)i + 1, from, to, days, days * 7000, icd, code, i + 1);
	exec_ok(db, sql);
	free(sql);
}

/* A claim of A<i> with its diagnoses: "code:main:suspected" each. */
static void claim(sqlite3 *db, int i, const char *month, int yen, const char *key, const char *d1,
		  const char *d2)
{
	const char *d[2] = { d1, d2 };
	char *sql = tu_fmt("INSERT INTO claim (person_no, claim_key, service_month, yen, run_id) VALUES ("
			   APERSON ", '%s', '%s', %d, 'r1')", (unsigned)i + 1, key, month, yen);
	int k;
	exec_ok(db, sql);
	free(sql);
	for (k = 0; k < 2 && d[k]; k++) {
		char code[8];
		int main_, susp;
		CU_ASSERT_FATAL(sscanf(d[k], "%7[0-9]:%d:%d", code, &main_, &susp) == 3);
		sql = tu_fmt("INSERT INTO claim_diagnosis (person_no, claim_key, seq, diagnosis_code, main, "
			     "suspected, run_id) VALUES (" APERSON ", '%s', %d, '%s', %d, %d, 'r1')",
			     (unsigned)i + 1, key, k + 1, code, main_, susp);
		exec_ok(db, sql);
		free(sql);
	}
}

static void people(sqlite3 *db)
{
	int i;
	for (i = 0; i <= NPERS; i++) {
		int sex, age;
		const char *site;
		char *sql;
		person_of(i, &sex, &age, &site);
		sql = tu_fmt("INSERT INTO person (person_id, sex, birth_ym, side) VALUES ('a%063x', '%d', %d01, "
			     "'association');", (unsigned)i + 1, sex, 2025 - age);
		exec_ok(db, sql);
		free(sql);
		if (i == NPERS)
			break; /* the last association person is linked to nobody */
		sql = tu_fmt("INSERT INTO person (person_id, sex, birth_ym, side) VALUES ('%064x', '%d', %d01, "
			     "'employer');"
			     "INSERT INTO employee (person_no, site, job_type, hire_date, run_id, input_no, record_no) "
			     "VALUES ((SELECT person_no FROM person WHERE person_id = '%064x'), '%s', '01', "
			     "'2015-04-01', 'r1', 1, %d);"
			     "INSERT INTO link (employer_person_id, association_person_id, pass, kind, run_id) "
			     "VALUES ('%064x', 'a%063x', 1, 'card', 'r1');",
			     (unsigned)i + 1, sex, 2025 - age, (unsigned)i + 1, site, i + 1, (unsigned)i + 1,
			     (unsigned)i + 1);
		exec_ok(db, sql);
		free(sql);
	}
}

static void build_warehouse(void)
{
	sqlite3 *db;
	char *schema_path = tu_fmt("%s/mappings/warehouse/schema.sql", tu_srcdir());
	char *schema = tu_read_file(schema_path, NULL), key[32];
	int i;
	CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path, &db), SQLITE_OK);
	exec_ok(db, schema);
	exec_ok(db, "BEGIN; INSERT INTO run (run_id, started, status) VALUES ('r1', '2025-05-01T00:00:00Z', 'ok');"
		    "INSERT INTO disease_master (code, icd10) VALUES ('9990101', 'I10'), ('9990201', 'E119'), "
		    "('9990301', 'E785'), ('9990501', 'J069'), ('9990601', 'F329');");
	people(db);
	/* 傷病手当金 FY2024 */
	for (i = 0; i < 10; i++)
		pay(db, i, "2024-05-01", "2024-05-20", 20, "'M545'", "NULL");
	pay(db, 0, "2024-09-01", "2024-09-10", 10, "NULL", "'9990101'");
	for (i = 20; i < 30; i++)
		pay(db, i, "2024-06-03", "2024-06-17", 15, i < 25 ? "NULL" : "'F432'", i < 25 ? "'9990601'" : "NULL");
	pay(db, 30, "2025-04-01", "2025-04-20", 20, "'F329'", "NULL");
	pay(db, 31, "2024-03-31", "2024-04-10", 11, "'F329'", "NULL");
	pay(db, NPERS, "2024-05-01", "2024-05-20", 20, "'F329'", "NULL");
	/* FY2023: small cells only */
	for (i = 10; i < 13; i++)
		pay(db, i, "2023-06-01", "2023-06-30", 30, i < 12 ? "'F329'" : "'S822'", "NULL");
	/* claims FY2024 */
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (i < 10)
			claim(db, i, "2024-06-01", 10000, key, "9990101:1:0", NULL);
		else if (i < 20)
			claim(db, i, "2024-06-01", 10000, key, "9990501:1:0", NULL);
		else
			claim(db, i, "2024-08-01", 20000, key, "9990101:0:0", "9990201:1:0");
	}
	for (i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "s%d", i);
		claim(db, i, "2024-07-01", 5000, key, "9990201:1:1", "9990301:1:0");
	}
	claim(db, 0, "2025-04-01", 99999, "late", "9990101:1:0", NULL);
	exec_ok(db, "COMMIT");
	sqlite3_close(db);
	free(schema);
	free(schema_path);
}

static int setup(void)
{
	dir = tu_mkdtemp("wpallow");
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

static int run_wp(const char *name, const char *agreement, const char *party, const char *role, int fy)
{
	char *args = tu_fmt("report whitepaper --warehouse '%s' --agreement '%s' --party %s "
			    "--role %s --audit-log '%s/audit.log' --fiscal-year %d --min-site 10 "
			    "-o '%s/%s'", db_path, agreement, party, role, dir, fy, dir, name);
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

static int row_is(const char *text, const char *label, const char *want)
{
	char *needle = tu_fmt("\n%s,%s\n", label, want);
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

static char *sample_agreement(void)
{
	return tu_fmt("%s/samples/agreement.xml", tu_srcdir());
}

/* ---- tests --------------------------------------------------------- */

static void test_wp_allowance__figures_by_hand(void)
{
	char *a = sample_agreement(), *t;
	build_warehouse(); /* the later tests read this run's output too */
	CU_ASSERT_EQUAL_FATAL(run_wp("wp", a, "association", "保健事業担当者", 2024), 0);
	free(a);
	t = csv("wp", "allowance_recipients_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "10,0,10"));
	CU_ASSERT(row_is(t, "2024,40代", "0,10,10"));
	CU_ASSERT(row_is(t, "2024,計", "10,10,20"));
	free(t);
	t = csv("wp", "allowance_rate_recipients_per_1000_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "500.0,0.0,285.7"));
	CU_ASSERT(row_is(t, "2024,40代", "0.0,500.0,285.7"));
	CU_ASSERT(row_is(t, "2024,計", "285.7,285.7,285.7"));
	free(t);
	t = csv("wp", "allowance_rate_days_per_1000_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "10500.0,*,6000.0"));
	CU_ASSERT(row_is(t, "2024,40代", "*,7500.0,4285.7"));
	CU_ASSERT(row_is(t, "2024,計", "6000.0,4285.7,5142.9"));
	free(t);
	t = csv("wp", "allowance_mental_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "0,0,0"));
	CU_ASSERT(row_is(t, "2024,40代", "0,10,10"));
	CU_ASSERT(row_is(t, "2024,計", "0,10,10"));
	free(t);
	t = csv("wp", "allowance_rate_mental_share_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "0.0,*,0.0"));
	CU_ASSERT(row_is(t, "2024,40代", "*,100.0,100.0"));
	CU_ASSERT(row_is(t, "2024,計", "0.0,100.0,50.0"));
	free(t);
	t = tu_fmt("%s/wp/whitepaper.html", dir);
	{
		char *html = tu_read_file(t, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(html);
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "<section id=\"allowance\"><h2>■傷病手当金"));
		/* 計 row: men, women, total -- per 1,000, days per 1,000, F share */
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "<tr><th>計</th><td>285.7</td><td>6000</td><td>0.0</td>"
						    "<td>285.7</td><td>4286</td><td>100.0</td><td>285.7</td>"
						    "<td>5143</td><td>50.0</td></tr>"));
		free(html);
	}
	free(t);
}

static void test_wp_allowance__cost_by_group_by_hand(void)
{
	char *t, *html, *p;
	t = csv("wp", "claims_persons_all_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "20,0,0,20"));
	CU_ASSERT(row_is(t, "2024,40代", "0,20,0,20"));
	CU_ASSERT(row_is(t, "2024,計", "20,20,0,40"));
	free(t);
	t = csv("wp", "claims_mean_cost_all_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "12500.0,*,*,12500.0"));
	CU_ASSERT(row_is(t, "2024,計", "12500.0,20000.0,*,16250.0"));
	free(t);
	t = csv("wp", "claims_mean_cost_hypertension_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "10000.0,*,*,10000.0"));
	free(t);
	t = csv("wp", "claims_mean_cost_dyslipidaemia_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "5000.0,*,*,5000.0"));
	free(t);
	t = csv("wp", "claims_mean_cost_diabetes_age.csv");
	CU_ASSERT(row_is(t, "2024,40代", "*,20000.0,*,20000.0"));
	CU_ASSERT(row_is(t, "2024,30代", "*,*,*,*"));
	free(t);
	t = csv("wp", "claims_persons_other_age.csv");
	CU_ASSERT(row_is(t, "2024,30代", "10,0,0,10"));
	free(t);
	t = csv("wp", "claims_persons_ckd_age.csv"); /* no claim of the group: no table */
	CU_ASSERT_PTR_NULL(t);
	free(t);
	t = tu_fmt("%s/wp/whitepaper.html", dir);
	html = tu_read_file(t, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	p = strstr(html, "<section id=\"cost-groups\">");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* rows in the rule table's order, その他 last; 計 is the last column */
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<tr><th>全体</th>"));
	CU_ASSERT(strstr(p, "<tr><th>高血圧症</th>") < strstr(p, "<tr><th>糖尿病</th>"));
	CU_ASSERT(strstr(p, "<tr><th>脂質異常症</th>") < strstr(p, "<tr><th>その他・不明</th>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<td>10000</td><td class=\"sup\">‐</td><td class=\"sup\">‐</td>"
					 "<td class=\"sup\">‐</td><td class=\"sup\">‐</td>"
					 "<td class=\"sup\">‐</td><td>10000</td></tr>"));
	free(html);
	free(t);
}

/* FY2023's three men of 30代 (two with F) and one woman of 40代 never show:
 * every count table passes the leak check (no count 1..k-1 released, none
 * recoverable), the nested complements are safe, and no rate rests on a
 * withheld count. */
static void test_wp_allowance__small_cells_hidden(void)
{
	static const char *const files[2] = { "allowance_recipients_age.csv", "allowance_mental_age.csv" };
	struct colink_sup_opts o = { 10, 0 };
	struct colink_sup_table head, rec, ment;
	char *a = sample_agreement(), *t;
	size_t i, c;
	long checked = 0;
	CU_ASSERT_EQUAL_FATAL(run_wp("wp23", a, "association", "保健事業担当者", 2023), 0);
	free(a);
	for (i = 0; i < 2; i++) {
		struct colink_sup_table tab;
		int audited = 0;
		CU_ASSERT_FATAL(read_counts("wp23", files[i], &tab) > 0);
		sup_leak_check(&tab, &o, files[i], NULL, &audited);
		CU_ASSERT_EQUAL(audited, 1);
		colink_sup_table_free(&tab);
	}
	t = csv("wp23", "allowance_recipients_age.csv");
	CU_ASSERT(row_is(t, "2023,30代", "*,0,*"));
	CU_ASSERT(row_is(t, "2023,40代", "0,*,*"));
	CU_ASSERT(row_is(t, "2023,計", "*,*,*"));
	free(t);
	CU_ASSERT_FATAL(read_counts("wp23", "headcount_age.csv", &head) > 0);
	CU_ASSERT_FATAL(read_counts("wp23", files[0], &rec) > 0);
	CU_ASSERT_FATAL(read_counts("wp23", files[1], &ment) > 0);
	checked += audit_pair(&head, &rec, &o);
	checked += audit_pair(&rec, &ment, &o);
	checked += audit_pair(&head, &ment, &o);
	CU_ASSERT(checked > 0);
	/* a printed rate rests on printed counts */
	t = csv("wp23", "allowance_rate_recipients_per_1000_age.csv");
	{
		struct colink_sup_table rate;
		CU_ASSERT_FATAL(read_counts("wp23", "allowance_rate_recipients_per_1000_age.csv", &rate) > 0);
		for (c = 0; c < (rate.rows + 1) * 3; c++)
			CU_ASSERT(rate.state[c] || (!rec.state[c] && !head.state[c] && head.v[c] >= o.k));
		colink_sup_table_free(&rate);
	}
	free(t);
	/* the same fixture in FY2024 passes the pair audit too */
	colink_sup_table_free(&head);
	colink_sup_table_free(&rec);
	colink_sup_table_free(&ment);
	CU_ASSERT_FATAL(read_counts("wp", "headcount_age.csv", &head) > 0);
	CU_ASSERT_FATAL(read_counts("wp", files[0], &rec) > 0);
	CU_ASSERT_FATAL(read_counts("wp", files[1], &ment) > 0);
	CU_ASSERT(audit_pair(&head, &rec, &o) > 0);
	CU_ASSERT(audit_pair(&rec, &ment, &o) > 0);
	colink_sup_table_free(&head);
	colink_sup_table_free(&rec);
	colink_sup_table_free(&ment);
}

/* The sample agreement without clause A1: an employer-side recipient of
 * the white paper (W4) gets no allowance section and no CSV; with A1 it
 * gets them.  The audit entry names the allowance items only when
 * released. */
static void test_wp_allowance__agreement_gate(void)
{
	char *src = sample_agreement();
	char *text = tu_read_file(src, NULL), *a1, *end, *path, *html, *log;
	FILE *f;
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL_FATAL(run_wp("emp", src, "employer", "健康管理チーム", 2024), 0);
	path = tu_fmt("%s/emp/whitepaper.html", dir);
	html = tu_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL(html && strstr(html, "id=\"allowance\""));
	free(html);
	free(path);
	a1 = strstr(text, "  <clause id=\"A1\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a1);
	end = strstr(a1, "</clause>\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	memmove(a1, end + strlen("</clause>\n"), strlen(end + strlen("</clause>\n")) + 1);
	path = tu_fmt("%s/no-a1.xml", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(run_wp("gated", path, "employer", "健康管理チーム", 2024), 0);
	free(path);
	path = tu_fmt("%s/gated/whitepaper.html", dir);
	html = tu_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	CU_ASSERT_PTR_NULL(strstr(html, "id=\"allowance\""));
	CU_ASSERT_PTR_NULL(strstr(html, "傷病手当金"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"guidance\""));
	free(html);
	free(path);
	html = csv("gated", "allowance_recipients_age.csv");
	CU_ASSERT_PTR_NULL(html);
	free(html);
	/* the audit log: the released run names allowance_days, the gated
	 * one (the last entry) does not */
	path = tu_fmt("%s/audit.log", dir);
	log = tu_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "allowance_days"));
	{
		char *last = log, *nl;
		while ((nl = strchr(last, '\n')) && nl[1])
			last = nl + 1;
		CU_ASSERT_PTR_NULL(strstr(last, "allowance_days"));
	}
	free(log);
	free(path);
	free(text);
	free(src);
}

static const struct tu_test tests[] = {
	TU_TEST(test_wp_allowance__figures_by_hand),
	TU_TEST(test_wp_allowance__cost_by_group_by_hand),
	TU_TEST(test_wp_allowance__small_cells_hidden),
	TU_TEST(test_wp_allowance__agreement_gate),
	TU_END
};

int main(void)
{
	if (tu_add_suite("wp_allowance", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
