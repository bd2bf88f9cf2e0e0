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

/* The job NAME.xml into warehouse WH, with audit log LOG (NULL: none). */
static void write_job(const char *name, const char *wh, const char *log)
{
	const char *s = tu_srcdir();
	char *p, *body, *audit = log ? tu_fmt("<audit log=\"%s\"/>", log) : tu_fmt("%s", "");
	p = tu_fmt("%s/%s.xml", dir, name);
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
		"  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>\n"
		"  <link><pass key=\"card\"/><pass key=\"kana_dob_sex_insurer\"/></link>\n"
		"  %s\n"
		"</job>\n", s, s, s, s, s, s, s, s, s, s, s, s, wh, audit);
	tu_write_file(p, body, strlen(body));
	free(p);
	free(body);
	free(audit);
}

static int setup(void)
{
	dir = tu_mkdtemp("link");
	db = tu_fmt("%s/w.db", dir);
	write_job("job", "w.db", NULL);
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

/* ---- review decisions that stick (#18 part 6) ---- */

/* Raw values of the twins' rows (samples/employer/README.md rows 5 and 6,
 * vendor A row 7) and their pseudonyms must never be printed. */
static void assert_no_leak(const char *out, const char *wh)
{
	static const char *const raw[] = { "0100105", "0100106", "タナカ", "ﾀﾅｶ", "田中",
		"1964-12-01", "19641201", "196412", "06279996", "6279996", "S39" };
	size_t i;
	long n = tu_sql_long(wh, "SELECT count(*) FROM link_review");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		if (strstr(out, raw[i]))
			CU_FAIL(raw[i]);
	for (i = 0; (long)i < n; i++) { /* every pseudonym of a review row */
		char *q = tu_fmt("SELECT employer_person_id || ' ' || association_person_id FROM "
				 "link_review LIMIT 1 OFFSET %zu", i), *ids = tu_sql1(wh, q), *sp;
		CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
		sp = strchr(ids, ' ');
		*sp = '\0';
		CU_ASSERT_PTR_NULL(strstr(out, ids));
		CU_ASSERT_PTR_NULL(strstr(out, sp + 1));
		free(ids);
		free(q);
	}
	/* nor any other pseudonym of the twins (person_key) */
	n = tu_sql_long(wh, "SELECT count(*) FROM person_key");
	for (i = 0; (long)i < n; i += 7) {
		char *q = tu_fmt("SELECT substr(pseudonym, 1, 12) FROM person_key_hex LIMIT 1 OFFSET %zu", i);
		char *ps = tu_sql1(wh, q);
		if (ps)
			CU_ASSERT_PTR_NULL(strstr(out, ps));
		free(ps);
		free(q);
	}
}

/* A fresh warehouse NAME.db with audit log NAME.log, loaded by one run. */
static char *fresh(const char *name)
{
	char *wh = tu_fmt("%s.db", name), *log = tu_fmt("%s.log", name), *path;
	char *cmd = tu_fmt("run --unsigned-agreement %s.xml", name);
	write_job(name, wh, log);
	CU_ASSERT_EQUAL(colink(cmd, NULL, NULL), 1);
	path = tu_fmt("%s/%s", dir, wh);
	free(wh);
	free(log);
	free(cmd);
	return path;
}

static int rerun(const char *name, char **out)
{
	char *cmd = tu_fmt("run --json --unsigned-agreement %s.xml", name);
	int rc = colink(cmd, out, NULL);
	free(cmd);
	return rc;
}

/* The twins' group and person numbers: the employer persons in order. */
static void twins(const char *wh, long *group, long *e1, long *e2, long *a)
{
	*group = tu_sql_long(wh, "SELECT max(group_no) FROM link_review");
	*e1 = tu_sql_long(wh, "SELECT min(p.person_no) FROM link_review r JOIN person p "
			  "ON p.person_id = r.employer_person_id");
	*e2 = tu_sql_long(wh, "SELECT max(p.person_no) FROM link_review r JOIN person p "
			  "ON p.person_id = r.employer_person_id");
	*a = tu_sql_long(wh, "SELECT max(p.person_no) FROM link_review r JOIN person p "
			 "ON p.person_id = r.association_person_id");
}

static int decide(const char *name, long group, const char *kind, long x, long y)
{
	char *cmd = tu_fmt("link decide %s.db %ld --%s %ld %ld --by 'steward A' --why "
			   "'roster checked by phone' --audit-log %s.log", name, group, kind, x, y, name);
	int rc = colink(cmd, NULL, NULL);
	free(cmd);
	return rc;
}

static void audit_ok(const char *name)
{
	char *cmd = tu_fmt("audit verify --warehouse %s.db %s.log", name, name), *o = NULL;
	CU_ASSERT_EQUAL(colink(cmd, &o, NULL), 0);
	free(o);
	free(cmd);
}

static void test_e2e_link__review_lists_twins_without_values(void)
{
	char *o = NULL, *t = NULL, *c = tu_fmt("link review --json '%s'", db), *want;
	long g, e1, e2, a;
	twins(db, &g, &e1, &e2, &a);
	CU_ASSERT(g > 0 && e1 != e2);
	CU_ASSERT_EQUAL(colink(c, &o, NULL), 0);
	want = tu_fmt("{\"group\":%ld,\"pass\":2,\"key\":\"kana_dob_sex_insurer\",\"pairs\":["
		      "{\"employer_person\":%ld,\"association_person\":%ld,\"agree\":[", g, e1, a);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, want));
	free(want);
	want = tu_fmt("{\"employer_person\":%ld,\"association_person\":%ld,", e2, a);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, want));
	free(want);
	/* the twins share kana, birth date and sex; no card was entered */
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "\"agree\":[\"kana_dob_sex\",\"kana_dob_sex_insurer\","
					   "\"sex\",\"birth_ym\"],\"disagree\":[],\"missing\":[\"card\""));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "\"decisions\":[]"));
	assert_no_leak(o, db);
	free(c);
	c = tu_fmt("link review '%s'", db);
	CU_ASSERT_EQUAL(colink(c, &t, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(t && strstr(t, "1 open groups, 2 candidate pairs"));
	assert_no_leak(t, db);
	free(o);
	free(t);
	free(c);
}

static void test_e2e_link__decide_link_links_next_run(void)
{
	char *wh = fresh("d1"), *o = NULL, *log = tu_fmt("%s/d1.log", dir), *q;
	long g, e1, e2, a;
	twins(wh, &g, &e1, &e2, &a);
	CU_ASSERT_EQUAL(decide("d1", g, "link", a, e1), 0); /* either order */
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link_decision WHERE kind = 'link' "
				    "AND revoked IS NULL AND decided_by = 'steward A'"), 1);
	/* a second link of the same association person is refused */
	CU_ASSERT_EQUAL(decide("d1", g, "link", e2, a), 3);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link_decision"), 1);
	/* the decided group is no longer open */
	CU_ASSERT_EQUAL(colink("link review d1.db", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "0 open groups, 0 candidate pairs"));
	free(o);
	o = NULL;
	CU_ASSERT_EQUAL(rerun("d1", &o), 0);
	q = tu_fmt("SELECT count(*) FROM link l JOIN person pe ON pe.person_id = l.employer_person_id "
		   "JOIN person pa ON pa.person_id = l.association_person_id WHERE pe.person_no = %ld "
		   "AND pa.person_no = %ld AND l.pass = 0 AND l.kind = 'decision'", e1, a);
	CU_ASSERT_EQUAL(tu_sql_long(wh, q), 1);
	free(q);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "\"linked_total\":16,\"ambiguous\":0,"));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "\"review_association\":0,\"review_employer\":0,"
					   "\"linked_decision\":1,"));
	/* nothing of the twins sent to review again */
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link_review r JOIN run USING (run_id) "
				    "WHERE run.rowid = (SELECT max(rowid) FROM run)"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT linked FROM link_report WHERE pass = 0"), 1);
	/* the audit log holds the decision and still verifies */
	CU_ASSERT(tu_file_contains(log, "\"kind\":\"link-decision\"", 22));
	audit_ok("d1");
	free(o);
	free(wh);
	free(log);
}

static void test_e2e_link__decide_never_keeps_apart(void)
{
	char *wh = fresh("d2"), *o = NULL;
	long g, e1, e2, a;
	twins(wh, &g, &e1, &e2, &a);
	CU_ASSERT_EQUAL(decide("d2", g, "never", e1, a), 0);
	CU_ASSERT_EQUAL(decide("d2", g, "never", e2, a), 0);
	CU_ASSERT_EQUAL(decide("d2", g, "never", e2, a), 3); /* already settled */
	CU_ASSERT_EQUAL(rerun("d2", &o), 0);
	/* the twins' checkup stays unlinked and nothing goes to review */
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link l JOIN person p ON "
				    "p.person_id = l.association_person_id JOIN checkup c USING "
				    "(person_no) WHERE c.exam_date = '2024-05-20'"), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "\"linked_total\":15,\"ambiguous\":0,"
					   "\"unmatched_association\":3,\"unmatched_employer\":3,"
					   "\"review_association\":0,\"review_employer\":0,"));
	free(o);
	o = NULL;
	/* and every later run keeps it so */
	CU_ASSERT_EQUAL(rerun("d2", &o), 0);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link_review r JOIN run USING (run_id) "
				    "WHERE run.rowid = (SELECT max(rowid) FROM run)"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link"), 15);
	audit_ok("d2");
	free(o);
	free(wh);
}

static void test_e2e_link__revoke_restores_review(void)
{
	char *wh = fresh("d3"), *o = NULL, *log = tu_fmt("%s/d3.log", dir);
	long g, e1, e2, a, id;
	twins(wh, &g, &e1, &e2, &a);
	CU_ASSERT_EQUAL(decide("d3", g, "link", e2, a), 0);
	CU_ASSERT_EQUAL(rerun("d3", NULL), 0);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link WHERE kind = 'decision'"), 1);
	id = tu_sql_long(wh, "SELECT decision_id FROM link_decision");
	o = tu_fmt("link revoke d3.db %ld --by 'steward B' --why 'wrong twin' --audit-log d3.log", id);
	CU_ASSERT_EQUAL(colink(o, NULL, NULL), 0);
	CU_ASSERT_EQUAL(colink(o, NULL, NULL), 3); /* revoked already */
	free(o);
	o = NULL;
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link WHERE kind = 'decision'"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link_decision WHERE revoked IS NOT NULL "
				    "AND revoked_by = 'steward B'"), 1);
	/* the next run sends the twins to review again */
	CU_ASSERT_EQUAL(rerun("d3", NULL), 0);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link_review r JOIN run USING (run_id) "
				    "WHERE run.rowid = (SELECT max(rowid) FROM run)"), 2);
	CU_ASSERT_EQUAL(colink("link review d3.db", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "1 open groups, 2 candidate pairs"));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "revoked at"));
	assert_no_leak(o, wh);
	CU_ASSERT(tu_file_contains(log, "\"kind\":\"link-revoke\"", 20));
	audit_ok("d3");
	free(o);
	free(wh);
	free(log);
}

static void test_e2e_link__decide_refusals(void)
{
	char *wh = fresh("d4"), *e = NULL;
	long g, e1, e2, a;
	twins(wh, &g, &e1, &e2, &a);
	/* the audit log must exist: nothing is recorded without it */
	CU_ASSERT_EQUAL(colink("link decide d4.db 1 --link 1 2 --by s --why w --audit-log none.log",
			       NULL, &e), 4);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "none.log: no audit log there"));
	free(e);
	e = NULL;
	CU_ASSERT_EQUAL(decide("d4", g + 100, "link", e1, a), 3);        /* no such group */
	CU_ASSERT_EQUAL(decide("d4", g, "link", e1, e2), 3);             /* not a pair */
	CU_ASSERT_EQUAL(colink("link decide d4.db 1 --link 1 2 --audit-log d4.log", NULL, NULL), 2);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link_decision"), 0);
	audit_ok("d4");
	free(wh);
}

/* A warehouse of schema version 8 (the released schema.sql of 8) is
 * migrated by the next run and then takes decisions. */
static void test_e2e_link__v8_warehouse_accepts_decisions(void)
{
	char *cmd = tu_fmt("sqlite3 '%s/d5.db' < '%s/tests/data/warehouse/schema-v8.sql'", dir,
			   tu_srcdir());
	char *wh = tu_fmt("%s/d5.db", dir);
	long g, e1, e2, a;
	CU_ASSERT_EQUAL_FATAL(tu_run(cmd, NULL, NULL), 0);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT max(version) FROM schema_version"), 8);
	free(wh);
	wh = fresh("d5");
	CU_ASSERT(tu_sql_long(wh, "SELECT max(version) FROM schema_version") > 8);
	twins(wh, &g, &e1, &e2, &a);
	CU_ASSERT_EQUAL(decide("d5", g, "link", e1, a), 0);
	CU_ASSERT_EQUAL(rerun("d5", NULL), 0);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM link WHERE kind = 'decision'"), 1);
	audit_ok("d5");
	free(wh);
	free(cmd);
}

static const struct tu_test tests[] = {
	TU_TEST(test_e2e_link__both_parties_load),
	TU_TEST(test_e2e_link__report_counts),
	TU_TEST(test_e2e_link__pass_two_and_review),
	TU_TEST(test_e2e_link__attendance_both_shapes),
	TU_TEST(test_e2e_link__stress_scores_and_consent),
	TU_TEST(test_e2e_link__report_command_and_rerun),
	TU_TEST(test_e2e_link__review_lists_twins_without_values),
	TU_TEST(test_e2e_link__decide_link_links_next_run),
	TU_TEST(test_e2e_link__decide_never_keeps_apart),
	TU_TEST(test_e2e_link__revoke_restores_review),
	TU_TEST(test_e2e_link__decide_refusals),
	TU_TEST(test_e2e_link__v8_warehouse_accepts_decisions),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_link", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
