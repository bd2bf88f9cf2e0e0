/*
 * test_warehouse.c -- engine/warehouse against a real warehouse: the
 * samples of both parties loaded and linked by a real `colink run` (as in
 * test_e2e_link), then read through the module's API only.  The numbers
 * are the samples': 14 + 1 links, the exams of vendor A and B, a known
 * person's stored values.
 */
#include <CUnit/Basic.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/value.h"
#include "testutil.h"
#include "warehouse/warehouse.h"

static char *dir, *db;
static int run_rc = -1;

static int setup(void)
{
	const char *s = tu_srcdir();
	char *p, *body;
	dir = tu_mkdtemp("warehouse");
	db = tu_fmt("%s/w.db", dir);
	p = tu_fmt("%s/job.xml", dir);
	body = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"both\">\n"
		"  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/><key file=\"k.key\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/samples/vendor_a.csv\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_b.xml\" path=\"%s/samples/vendor_b.csv\"/>\n"
		"  <input mapping=\"%s/mappings/employer/roster.xml\" path=\"%s/samples/employer/roster.csv\"/>\n"
		"  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"w.db\"/></output>\n"
		"  <link><pass key=\"card\"/><pass key=\"kana_dob_sex_insurer\"/></link>\n"
		"</job>\n", s, s, s, s, s, s);
	tu_write_file(p, body, strlen(body));
	free(p);
	free(body);
	if (tu_colink_run(dir, "key new k.key", NULL, NULL))
		return 1;
	run_rc = tu_colink_run(dir, "run --unsigned-agreement job.xml", NULL, NULL);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(db);
	return 0;
}

static struct colink_wh *open_ro(const char *path)
{
	struct colink_wh *wh = NULL;
	struct colink_error err = {0};
	CU_ASSERT_EQUAL(colink_wh_open(&wh, path, COLINK_WH_READONLY | COLINK_WH_MUST_EXIST, &err), 0);
	return wh;
}

struct exams {
	long n, fy2024, linked;
	char first[65];
	double sbp_1;
	int age_fy_end;
	char date[16];
};

static int on_exam(void *ud, const struct colink_wh_exam *e)
{
	struct exams *x = ud;
	if (!x->n) {
		snprintf(x->first, sizeof(x->first), "%s", e->person_id);
		snprintf(x->date, sizeof(x->date), "%s", e->exam_date);
		x->sbp_1 = e->sbp_1;
		x->age_fy_end = e->age_fy_end;
	}
	x->n++;
	x->fy2024 += e->fiscal_year == 2024;
	x->linked += e->site != NULL;
	return 0;
}

static void test_warehouse__opens_and_checks_the_version(void)
{
	struct colink_wh *wh;
	struct colink_error err = {0};
	CU_ASSERT_FATAL(run_rc == 0 || run_rc == 1); /* 1: vendor A's planted rejects */
	wh = open_ro(db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wh);
	CU_ASSERT_STRING_EQUAL(colink_wh_name(wh), db);
	CU_ASSERT_EQUAL(colink_wh_check_version(wh, &err), 0);
	colink_wh_close(wh);
	/* the same file named by URI */
	{
		char *uri = tu_fmt("sqlite:%s", db);
		CU_ASSERT_EQUAL(colink_wh_open(&wh, uri, COLINK_WH_READONLY, &err), 0);
		CU_ASSERT_EQUAL(colink_wh_check_version(wh, &err), 0);
		colink_wh_close(wh);
		free(uri);
	}
	{
		char *none = tu_fmt("%s/none.db", dir);
		CU_ASSERT_EQUAL(colink_wh_open(&wh, none, COLINK_WH_READONLY | COLINK_WH_MUST_EXIST, &err),
				COLINK_ENOTFOUND);
		CU_ASSERT_PTR_NULL(wh);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "none.db: cannot read the warehouse"));
		free(none);
	}
}

/* A copy of the warehouse whose schema_version says v. */
static void version_refused(int v, const char *needle)
{
	char *copy = tu_fmt("%s/v%d.db", dir, v), *sql = tu_fmt("VACUUM INTO '%s'", copy);
	char *set = tu_fmt("UPDATE schema_version SET version = %d", v);
	struct colink_error err = {0};
	struct colink_wh *wh;
	sqlite3 *h = NULL;
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(copy, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, set, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	wh = open_ro(copy);
	CU_ASSERT_EQUAL(colink_wh_check_version(wh, &err), COLINK_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
	CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
	colink_wh_close(wh);
	free(copy);
	free(sql);
	free(set);
}

static void test_warehouse__refuses_other_versions(void)
{
	char *txt = tu_fmt("%s/plain.db", dir);
	struct colink_error err = {0};
	struct colink_wh *wh;
	char *older = tu_fmt("warehouse schema version 3 is older than this colink's (%d): run a job "
			     "against it once (colink run JOB) to migrate it", COLINK_WH_SCHEMA_VERSION);
	char *newer = tu_fmt("warehouse schema version %d is newer than this colink supports (%d)",
			     COLINK_WH_SCHEMA_VERSION + 1, COLINK_WH_SCHEMA_VERSION);
	version_refused(3, older);
	version_refused(COLINK_WH_SCHEMA_VERSION + 1, newer);
	free(older);
	free(newer);
	tu_write_file(txt, "not a database\n", 15);
	wh = open_ro(txt);
	CU_ASSERT_EQUAL(colink_wh_check_version(wh, &err), COLINK_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "plain.db: not a colink warehouse (no schema_version)"));
	colink_wh_close(wh);
	free(txt);
}

static void test_warehouse__exams_in_person_order_with_stored_values(void)
{
	struct colink_wh *wh = open_ro(db);
	struct colink_error err = {0};
	struct exams x;
	char *first, *sql;
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(colink_wh_exams(wh, 0, on_exam, &x, &err), 0);
	CU_ASSERT_EQUAL(x.n, tu_sql_long(db, "SELECT count(*) FROM checkup"));
	CU_ASSERT(x.n >= 10);
	CU_ASSERT_EQUAL(x.linked, tu_sql_long(db, "SELECT count(*) FROM checkup c JOIN person p USING "
					      "(person_no) JOIN link l ON l.association_person_id = p.person_id"));
	/* the first row is the smallest pseudonym's earliest exam, with its stored values */
	first = tu_sql1(db, "SELECT person_id FROM person p JOIN checkup USING (person_no) "
			"ORDER BY person_id, exam_date LIMIT 1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	CU_ASSERT_STRING_EQUAL(x.first, first);
	sql = tu_fmt("SELECT age_fy_end FROM checkup c JOIN person p USING (person_no) WHERE "
		     "p.person_id = '%s' AND exam_date = '%s'", first, x.date);
	CU_ASSERT_EQUAL(x.age_fy_end, tu_sql_long(db, sql));
	free(sql);
	free(first);
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(colink_wh_exams(wh, 2024, on_exam, &x, &err), 0);
	CU_ASSERT_EQUAL(x.n, x.fy2024);
	CU_ASSERT_EQUAL(x.n, tu_sql_long(db, "SELECT count(*) FROM checkup WHERE fiscal_year = 2024"));
	colink_wh_close(wh);
}

/* Vendor A's first row: card 06139992/123/4567, exam 2024-06-10, SBP 146 / 142. */
static int find_146(void *ud, const struct colink_wh_exam *e)
{
	if (!strcmp(e->exam_date, "2024-06-10") && e->sbp_1 == 146.0) {
		*(const struct colink_wh_exam **)ud = e;
		CU_ASSERT_DOUBLE_EQUAL(e->sbp_2, 142.0, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(e->waist, 92.0, 1e-9);
		CU_ASSERT_EQUAL(e->sex, 1);
		CU_ASSERT_EQUAL(e->fiscal_year, 2024);
		/* born 1970-05-15: 54 on 31 March 2025 */
		CU_ASSERT_EQUAL(e->age_fy_end, 54);
		return 1;
	}
	return 0;
}

static void test_warehouse__a_known_persons_exam(void)
{
	struct colink_wh *wh = open_ro(db);
	struct colink_error err = {0};
	const struct colink_wh_exam *hit = NULL;
	CU_ASSERT_EQUAL(colink_wh_exams(wh, 2024, find_146, &hit, &err), 1); /* the callback's value */
	CU_ASSERT_PTR_NOT_NULL(hit);
	colink_wh_close(wh);
}

struct passes {
	int n;
	long long linked[4];
};

static int on_pass(void *ud, const struct colink_wh_link_pass *p)
{
	struct passes *x = ud;
	if (x->n < 4)
		x->linked[x->n] = p->linked;
	x->n++;
	return 0;
}

static void test_warehouse__link_report_of_the_run(void)
{
	struct colink_wh *wh = open_ro(db);
	struct colink_error err = {0};
	struct colink_wh_link_summary s;
	struct passes x;
	char emp[65];
	char *aid;
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL_FATAL(colink_wh_link_summary(wh, NULL, &s, &err), 1);
	CU_ASSERT_EQUAL(strlen(s.run_id), 32);
	CU_ASSERT_EQUAL(s.linked_total, 15);
	CU_ASSERT_EQUAL(s.linked_new, 15);
	CU_ASSERT_EQUAL(s.linked_total, tu_sql_long(db, "SELECT count(*) FROM link"));
	CU_ASSERT_EQUAL(s.employer_persons, tu_sql_long(db, "SELECT count(*) FROM person WHERE side = 'employer'"));
	/* persons (#18): linked + in review (the twins) + unmatched */
	CU_ASSERT_EQUAL(s.review_employer, 2);
	CU_ASSERT_EQUAL(s.review_association, 1);
	CU_ASSERT_EQUAL(s.linked_decision, 0);
	CU_ASSERT_EQUAL(s.unmatched_employer, s.employer_persons - 15 - 2);
	CU_ASSERT_EQUAL(colink_wh_link_passes(wh, s.run_id, on_pass, &x, &err), 0);
	CU_ASSERT_EQUAL(x.n, 2);
	CU_ASSERT_EQUAL(x.linked[0], 14);
	CU_ASSERT_EQUAL(x.linked[1], 1);
	CU_ASSERT_EQUAL(colink_wh_link_summary(wh, "no-such-run", &s, &err), 0);
	/* re-identification read: a linked association person's employer person */
	aid = tu_sql1(db, "SELECT association_person_id FROM link WHERE pass = 2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(aid);
	CU_ASSERT_EQUAL(colink_wh_linked_employer(wh, aid, emp), 1);
	CU_ASSERT_EQUAL(strlen(emp), 64);
	CU_ASSERT_EQUAL(colink_wh_linked_employer(wh, "0000", emp), 0);
	free(aid);
	colink_wh_close(wh);
}

static void test_warehouse__derived_facts_have_one_definition(void)
{
	/* the birth-month age is colink_age_on with the month's last day */
	CU_ASSERT_EQUAL(colink_age_fy_end_ym(197005, 2024), 54);
	CU_ASSERT_EQUAL(colink_age_fy_end_ym(197003, 2024), 55);
	CU_ASSERT_EQUAL(colink_age_fy_end_ym(197004, 2024), 54); /* youngest the month allows */
	CU_ASSERT_EQUAL(colink_age_fy_end_ym(202505, 2024), -1); /* not yet born */
	CU_ASSERT_EQUAL(colink_age_fy_end_ym(0, 2024), -1);
	CU_ASSERT_EQUAL(colink_age_band10(19), 0);
	CU_ASSERT_EQUAL(colink_age_band10(20), 1);
	CU_ASSERT_EQUAL(colink_age_band10(69), 5);
	CU_ASSERT_EQUAL(colink_age_band10(70), 6);
	CU_ASSERT_EQUAL(colink_age_band10(-1), -1);
}

static const struct tu_test tests[] = {
	TU_TEST(test_warehouse__opens_and_checks_the_version),
	TU_TEST(test_warehouse__refuses_other_versions),
	TU_TEST(test_warehouse__exams_in_person_order_with_stored_values),
	TU_TEST(test_warehouse__a_known_persons_exam),
	TU_TEST(test_warehouse__link_report_of_the_run),
	TU_TEST(test_warehouse__derived_facts_have_one_definition),
	TU_END
};

int main(void)
{
	if (tu_add_suite("warehouse", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
