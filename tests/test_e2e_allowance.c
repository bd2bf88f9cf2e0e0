/*
 * test_e2e_allowance.c -- 傷病手当金 payments end to end (issue #21 part 5):
 * the real `colink` binary loads a payments file through
 * mappings/association/allowance.xml (kind allowance) into a SQLite
 * warehouse, and the tests assert on what landed: the values, the rejects
 * with their reasons naming the field (end before start, negative days,
 * negative amount, more days than the period, a second payment of one
 * period start), the replacement of a payment by a later run (counted in
 * run.allowance_replaced), a payment meeting its person's checkup on one
 * person_no, and no card number and no free-text 傷病名 anywhere in the
 * warehouse, the log or the output.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *db, *out1, *err1, *out2, *err2, *logtext;
static int rc1, rc2;

#define HEADER "保険者番号,被保険者証記号,被保険者証番号,枝番,支給開始日,支給終了日,支給日数,支給額,傷病名,ICD10,傷病名コード\n"

/* line 2: テスト イチロウ of vendor_a.csv (checkup 2024-06-10); lines 3 on:
 * card numbers no other file has (searched for below) */
static const char *const run1 =
	HEADER
	"06139992,123,4567,00,2024-07-01,2024-07-31,28,196000,テスト腰痛症,M545,\n"        /* 2 ok */
	"06139984,50,9183746,00,2024-10-01,2024-10-20,17,102000,,,9990201\n"                /* 3 ok */
	"06279996,7,8273645,00,2024-09-15,2024-08-19,25,230000,テスト抑うつ,F329,\n"        /* 4 end < start */
	"06139992,123,7364554,00,2025-01-14,2025-02-12,-3,137700,,F329,\n"                  /* 5 days < 0 */
	"06139992,123,6455463,00,2024-12-02,2024-12-25,21,-5,,C509,\n"                      /* 6 amount < 0 */
	"06139984,50,5546372,00,2024-04-08,2024-04-10,4,184600,テスト失調症,F459,\n"        /* 7 4 days in 3 */
	"06279996,7,4637281,00,2024-06-03,2024-06-16,14,77000,テスト骨折,S822,\n"           /* 8 ok: 14 of 14 */
	"06139992,123,4567,00,2024-07-01,2024-07-30,27,189000,,M545,\n";                     /* 9 duplicate */

/* a corrected file: line 2's payment with 30 days, a new one for line 3's person */
static const char *const run2 =
	HEADER
	"06139992,123,4567,00,2024-07-01,2024-07-31,30,210000,テスト腰痛症,M545,\n"
	"06139984,50,9183746,00,2025-02-03,2025-02-20,18,108000,,F412,\n";

static int write_job(const char *csv, const char *name)
{
	char *path = tu_fmt("%s/%s.xml", dir, name);
	char *job = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<job xmlns=\"urn:colink:job:1\" name=\"allowance-%s\">\n"
			   "  <agreement file=\"agreement.xml\" id=\"sample-collabo-2024\"/>\n"
			   "  <purpose>健康白書</purpose>\n"
			   "  <recipient party=\"association\" role=\"保健事業担当者\"/>\n"
			   "  <key file=\"sample.key\"/>\n"
			   "  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"vendor_a.csv\"/>\n"
			   "  <input mapping=\"%s/mappings/association/allowance.xml\" path=\"%s\"/>\n"
			   "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"wh.db\"/></output>\n"
			   "  <audit log=\"audit.log\"/>\n"
			   "  <options log=\"run.log\" max-rejected=\"10\"/>\n"
			   "</job>\n", name, tu_srcdir(), tu_srcdir(), csv);
	int rc = tu_write_file(path, job, strlen(job));
	free(job);
	free(path);
	return rc;
}

static int setup(void)
{
	char *c, *p;
	size_t len;
	dir = tu_mkdtemp("e2e-allowance");
	if (!dir)
		return 1;
	c = tu_fmt("cp '%s/samples/vendor_a.csv' '%s/samples/agreement.xml' '%s/'", tu_srcdir(), tu_srcdir(),
		   dir);
	if (tu_run(c, NULL, NULL))
		return 1;
	free(c);
	p = tu_fmt("%s/pay1.csv", dir);
	if (tu_write_file(p, run1, strlen(run1)))
		return 1;
	free(p);
	p = tu_fmt("%s/pay2.csv", dir);
	if (tu_write_file(p, run2, strlen(run2)))
		return 1;
	free(p);
	if (write_job("pay1.csv", "job1") || write_job("pay2.csv", "job2"))
		return 1;
	c = tu_fmt("key new '%s/sample.key'", dir);
	if (tu_colink_run(NULL, c, NULL, NULL))
		return 1;
	free(c);
	c = tu_fmt("-v run --unsigned-agreement '%s/job1.xml'", dir);
	rc1 = tu_colink_run(NULL, c, &out1, &err1);
	free(c);
	c = tu_fmt("-v run --unsigned-agreement '%s/job2.xml'", dir);
	rc2 = tu_colink_run(NULL, c, &out2, &err2);
	free(c);
	db = tu_fmt("%s/wh.db", dir);
	c = tu_fmt("%s/run.log", dir);
	logtext = tu_read_file(c, &len);
	free(c);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(db);
	free(out1);
	free(err1);
	free(out2);
	free(err2);
	free(logtext);
	return 0;
}

static long q(const char *sql)
{
	return tu_sql_long(db, sql);
}

static void test_allowance__runs_commit_with_the_rejects(void)
{
	if (rc1 != 1 || rc2 != 0)
		fprintf(stderr, "\nrun 1 (%d): %s\n%s\nrun 2 (%d): %s\n%s\n", rc1, out1, err1, rc2, out2, err2);
	CU_ASSERT_EQUAL(rc1, 1); /* committed, with rejects */
	CU_ASSERT_EQUAL(rc2, 0);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run WHERE status = 'ok'"), 2);
	/* vendor_a's two planted rejects, then five of the payments */
	CU_ASSERT_EQUAL(q("SELECT max(records_read) FROM run_input WHERE input_no = 2"), 8);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM reject WHERE input_no = 2"), 5);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run_input WHERE records_read != records_loaded + records_rejected"),
			0);
}

static void test_allowance__rejects_name_the_field(void)
{
	char *r = tu_sql1(db, "SELECT group_concat(line_no || '|' || coalesce(source_column, '') || '|' || reason, ' # ') "
			      "FROM (SELECT * FROM reject WHERE input_no = 2 ORDER BY line_no)");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "4|支給終了日|allowance_to: the period ends before it starts "
					 "(allowance_from)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "5|支給日数|allowance_days: negative"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "6|支給額|allowance_amount: negative"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "7|支給日数|allowance_days: more days than the period"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "9|"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "duplicate allowance payment for this person and period start"));
	/* never the value judged */
	CU_ASSERT_PTR_NULL(strstr(r, "-3"));
	CU_ASSERT_PTR_NULL(strstr(r, "2024-08-19"));
	CU_ASSERT_PTR_NULL(strstr(r, "184600"));
	free(r);
}

/* テスト イチロウ: the person of vendor_a's first checkup */
#define ICHIRO "(SELECT person_no FROM checkup WHERE exam_date = '2024-06-10' LIMIT 1)"

static void test_allowance__values_and_replacement(void)
{
	char *s;
	/* line 2 (replaced by run 2), line 3, line 8, and run 2's new payment */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM allowance"), 4);
	CU_ASSERT_EQUAL(q("SELECT days FROM allowance WHERE person_no = " ICHIRO), 30);
	CU_ASSERT_EQUAL(q("SELECT amount FROM allowance WHERE person_no = " ICHIRO), 210000);
	s = tu_sql1(db, "SELECT period_from || ' ' || period_to || ' ' || icd10 || ' ' || "
			"coalesce(disease_code, '-') FROM allowance WHERE person_no = " ICHIRO);
	CU_ASSERT_STRING_EQUAL(s ? s : "", "2024-07-01 2024-07-31 M545 -");
	free(s);
	s = tu_sql1(db, "SELECT coalesce(icd10, '-') || ' ' || disease_code || ' ' || days FROM allowance "
			"WHERE period_from = '2024-10-01'");
	CU_ASSERT_STRING_EQUAL(s ? s : "", "- 9990201 17");
	free(s);
	/* 14 days paid for a 14-day period is allowed */
	CU_ASSERT_EQUAL(q("SELECT days FROM allowance WHERE period_from = '2024-06-03'"), 14);
	/* the replacement: counted in the ledger, lineage of the later run */
	CU_ASSERT_EQUAL(q("SELECT allowance_replaced FROM run ORDER BY rowid LIMIT 1 OFFSET 1"), 1);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM allowance a JOIN run r ON r.run_id = a.run_id "
			  "WHERE a.person_no = " ICHIRO " AND r.run_id = (SELECT run_id FROM run ORDER BY "
			  "rowid LIMIT 1 OFFSET 1)"), 1);
	/* two payments of one person (lines 3 and run 2) on one person_no */
	CU_ASSERT_EQUAL(q("SELECT count(DISTINCT person_no) FROM allowance WHERE disease_code = '9990201' "
			  "OR icd10 = 'F412'"), 1);
	/* the payment and the checkup meet on one person, on the association's side */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM allowance a JOIN person p USING (person_no) "
			  "WHERE p.side = 'association'"), 4);
}

static int contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* No card number and no free-text 傷病名 in the warehouse, the audit log,
 * the run log or anything the runs printed. */
static void test_allowance__leak_search(void)
{
	static const char *const needles[] = {
		"9183746", "8273645", "7364554", "6455463", "5546372", "4637281",
		"テスト腰痛症", "テスト抑うつ", "テスト失調症", "テスト骨折",
	};
	char *audit = tu_fmt("%s/audit.log", dir), *atext = tu_read_file(audit, NULL);
	size_t i;
	CU_ASSERT_PTR_NOT_NULL(logtext);
	CU_ASSERT_PTR_NOT_NULL(atext);
	for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
		const char *n = needles[i];
		CU_ASSERT_FALSE(tu_file_contains(db, n, strlen(n)));
		CU_ASSERT_FALSE(contains(logtext, n));
		CU_ASSERT_FALSE(contains(atext, n));
		CU_ASSERT_FALSE(contains(out1, n) || contains(err1, n) || contains(out2, n) || contains(err2, n));
	}
	free(atext);
	free(audit);
}

static const struct tu_test tests[] = {
	TU_TEST(test_allowance__runs_commit_with_the_rejects),
	TU_TEST(test_allowance__rejects_name_the_field),
	TU_TEST(test_allowance__values_and_replacement),
	TU_TEST(test_allowance__leak_search),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_allowance", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
