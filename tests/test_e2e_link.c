/*
 * test_e2e_link.c -- both parties' samples through the real binary: the
 * association's checkups and the employer's roster, two attendance export
 * shapes and stress checks, linked in two passes.  Every number asserted
 * here is derived by hand in samples/employer/README.md.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *db, *out1;
static int rc1;

/* the binary under test, run from the test's scratch directory */
static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(dir, args, out, err);
}

static int setup(void)
{
	const char *s = tu_srcdir();
	char *p, *body;
	dir = tu_mkdtemp("link");
	db = tu_fmt("%s/w.db", dir);
	p = tu_fmt("%s/job.xml", dir);
	body = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"both\">\n"
		"  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/><key file=\"k.key\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/samples/vendor_a.csv\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_b.xml\" path=\"%s/samples/vendor_b.csv\"/>\n"
		"  <input mapping=\"%s/mappings/employer/roster.xml\" path=\"%s/samples/employer/roster.csv\"/>\n"
		"  <input mapping=\"%s/mappings/employer/attendance_kot.xml\" path=\"%s/samples/employer/attendance_kot.csv\"/>\n"
		"  <input mapping=\"%s/mappings/employer/attendance_freee.xml\" path=\"%s/samples/employer/attendance_freee.csv\"/>\n"
		"  <input mapping=\"%s/mappings/employer/stress_check.xml\" path=\"%s/samples/employer/stress_check.csv\"/>\n"
		"  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"w.db\"/></output>\n"
		"  <link><pass key=\"card\"/><pass key=\"kana_dob_sex_insurer\"/></link>\n"
		"</job>\n", s, s, s, s, s, s, s, s, s, s, s, s);
	tu_write_file(p, body, strlen(body));
	free(p);
	free(body);
	if (colink("key new k.key", NULL, NULL))
		return 1;
	rc1 = colink("run --json --unsigned-agreement job.xml", &out1, NULL);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(db);
	free(out1);
	return 0;
}

static long q(const char *sql)
{
	return tu_sql_long(db, sql);
}

static void test_e2e_link__both_parties_load(void)
{
	CU_ASSERT_EQUAL(rc1, 1); /* the vendor samples' 3 planted rejects */
	CU_ASSERT_EQUAL(q("SELECT records_rejected FROM run"), 3);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM employee"), 18);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person WHERE side='employer'"), 18);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person WHERE side='association'"), 18);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run_input WHERE records_read != records_loaded + records_rejected"), 0);
}

static void test_e2e_link__report_counts(void)
{
	CU_ASSERT_PTR_NOT_NULL(out1 && strstr(out1, "\"association_persons\":18,\"employer_persons\":18"));
	CU_ASSERT_PTR_NOT_NULL(out1 && strstr(out1, "{\"pass\":1,\"key\":\"card\",\"linked\":14}"));
	CU_ASSERT_PTR_NOT_NULL(out1 && strstr(out1, "{\"pass\":2,\"key\":\"kana_dob_sex_insurer\",\"linked\":1}"));
	/* persons, not pairs (#18): 18 = 15 linked + 1 in review (the twins'
	 * checkup) + 2 unmatched association persons; 18 = 15 + 2 (the
	 * twins) + 1 employer persons; the 2 candidate pairs stay "ambiguous" */
	CU_ASSERT_PTR_NOT_NULL(out1 && strstr(out1, "\"linked_total\":15,\"ambiguous\":2,"
					      "\"unmatched_association\":2,\"unmatched_employer\":1,"
					      "\"review_association\":1,\"review_employer\":2,"
					      "\"linked_decision\":0,\"link_rate_association\":83.3,"
					      "\"link_rate_employer\":83.3}"));
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link"), 15);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link WHERE pass=1 AND kind='card'"), 14);
}

static void test_e2e_link__pass_two_and_review(void)
{
	/* row 4 (card typed 1031 for 1013) links in pass 2 to vendor A row 6,
	 * the 2024-10-21 checkup */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link l JOIN person p ON p.person_id = l.association_person_id "
			  "JOIN checkup c USING (person_no) WHERE l.pass = 2 AND c.exam_date = '2024-10-21'"), 1);
	/* the twins: two employer candidates for one association person
	 * (vendor A row 7, 2024-05-20): both to review, nobody linked */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link_review r JOIN person p ON p.person_id = r.association_person_id "
			  "JOIN checkup c USING (person_no) WHERE r.pass = 2 AND c.exam_date = '2024-05-20'"), 2);
	CU_ASSERT_EQUAL(q("SELECT count(DISTINCT employer_person_id) FROM link_review"), 2);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link l JOIN person p ON p.person_id = l.association_person_id "
			  "JOIN checkup c USING (person_no) WHERE c.exam_date = '2024-05-20'"), 0);
	/* the dependents (枝番 01) stay unmatched on the association side */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person p WHERE side='association' AND NOT EXISTS "
			  "(SELECT 1 FROM link WHERE association_person_id = p.person_id)"), 3);
}

static void test_e2e_link__attendance_both_shapes(void)
{
	/* KOT (CP932, h:mm) FY2024 and freee (minutes) 2025-04..06 */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM attendance_month"), 255);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM attendance_month WHERE year_month < '2025-04'"), 204);
	CU_ASSERT_EQUAL(q("SELECT sum(overtime_minutes) FROM attendance_month WHERE year_month < '2025-04'"), 234150);
	CU_ASSERT_EQUAL(q("SELECT sum(overtime_minutes) FROM attendance_month WHERE year_month >= '2025-04'"), 60779);
	CU_ASSERT_EQUAL(q("SELECT sum(paid_leave_taken) * 10 FROM attendance_month"), 2265);
	CU_ASSERT_EQUAL(q("SELECT sum(sick_days) FROM attendance_month WHERE year_month < '2025-04'"), 6);
	/* 100:30 parses to 6030 minutes */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM attendance_month WHERE year_month = '2024-11' AND overtime_minutes = 6030"), 1);
	/* the full-width employee code (０００１２３４) is the roster's person: 12 KOT months */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM attendance_month a WHERE NOT EXISTS "
			  "(SELECT 1 FROM employee e WHERE e.person_no = a.person_no)"), 0);
	/* paid-leave usage rate per fiscal year is derivable: 0045678 took 2.5 of 20 */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM (SELECT person_no, sum(paid_leave_taken) t, sum(paid_leave_granted) g "
			  "FROM attendance_month WHERE year_month BETWEEN '2024-04' AND '2025-03' "
			  "GROUP BY person_no) WHERE t = 2.5 AND g = 20"), 1);
}

static void test_e2e_link__stress_scores_and_consent(void)
{
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM stress_check"), 17);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM stress_answer"), 17 * 57);
	/* the two boundary cases among consenting examinees */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM stress_check WHERE high_stress='1' AND consent='1'"), 2);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM stress_check WHERE score_b=77 AND high_stress='1'"), 1);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM stress_check WHERE score_a + score_c = 76 AND score_b = 63 AND high_stress='1'"), 1);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM stress_check WHERE score_b=76 AND high_stress='2'"), 1);
	/* consent is recorded per person, so release can be gated on it */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM stress_check WHERE consent='2'"), 1);
}

static void test_e2e_link__report_command_and_rerun(void)
{
	char *o = NULL, *c = tu_fmt("link report '%s'", db);
	CU_ASSERT_EQUAL(colink(c, &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "pass 2 (kana_dob_sex_insurer): 1 linked, 2 ambiguous"));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "link rate 83.3%"));
	free(o);
	o = NULL;
	/* a second run: inputs skipped as already loaded, links kept, none new */
	CU_ASSERT_EQUAL(colink("run --json --unsigned-agreement job.xml", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "\"linked_total\":15"));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "{\"pass\":1,\"key\":\"card\",\"linked\":0}"));
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link"), 15);
	free(o);
	free(c);
}

static const struct tu_test tests[] = {
	TU_TEST(test_e2e_link__both_parties_load),
	TU_TEST(test_e2e_link__report_counts),
	TU_TEST(test_e2e_link__pass_two_and_review),
	TU_TEST(test_e2e_link__attendance_both_shapes),
	TU_TEST(test_e2e_link__stress_scores_and_consent),
	TU_TEST(test_e2e_link__report_command_and_rerun),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_link", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
