/*
 * test_report.c -- `colink report` end to end through the real binary.
 *
 * The MHLW fixture (tests/data/mhlw_fixture, loaded by
 * tests/data/programs/fixture-job.xml) must give exactly the 階層化 results
 * and referral levels of the shared reference's cda-synthetic/README.md; the
 * sample job's warehouse gives the employer's identified action list only to
 * the roles the sample agreement allows, pseudonymized output otherwise, and
 * every report leaves one audit entry; the 受診状況確認 follow-up is yes /
 * no / unknown from the sample's claims summary, withheld from a recipient
 * the agreement does not give the claims and medication items.
 */
#include <CUnit/Basic.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "testutil.h"
#include "report_leak.h"
#include "warehouse/warehouse.h" /* COLINK_WH_SCHEMA_VERSION */

static char *dir, *job, *sdir, *sjob, *roster_args;

static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(NULL, args, out, err);
}

/* Replace every `from` in s (malloc'd, freed) by `to`. */
static char *subst(char *s, const char *from, const char *to)
{
	char *p;
	while ((p = strstr(s, from))) {
		char *n = tu_fmt("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
		free(s);
		s = n;
	}
	return s;
}

static int setup(void)
{
	char *t = tu_fmt("%s/tests/data/programs/fixture-job.xml", tu_srcdir());
	char *body = tu_read_file(t, NULL), *c, *e = NULL;
	int rc;
	free(t);
	dir = tu_mkdtemp("report");
	if (!body || !dir)
		return 1;
	body = subst(subst(body, "@SRCDIR@", tu_srcdir()), "@DIR@", dir);
	job = tu_fmt("%s/fixture-job.xml", dir);
	tu_write_file(job, body, strlen(body));
	free(body);
	c = tu_fmt("key new '%s/k.key'", dir);
	rc = colink(c, NULL, NULL);
	free(c);
	c = tu_fmt("run --unsigned-agreement '%s'", job);
	rc |= colink(c, NULL, &e);
	if (rc)
		fprintf(stderr, "fixture run: %s\n", e ? e : "");
	free(c);
	free(e);
	/* the sample job, as shipped, in a copy of the samples folder */
	sdir = tu_fmt("%s/s", dir);
	c = tu_fmt("mkdir -p '%s' && cp -r '%s/samples' '%s/' && ln -s '%s/mappings' '%s/mappings' && "
		   "cd '%s/samples' && rm -rf out sample.key && mkdir out", sdir, tu_srcdir(), sdir,
		   tu_srcdir(), sdir, sdir);
	rc |= tu_run(c, NULL, NULL);
	free(c);
	sjob = tu_fmt("%s/samples/sample-job.xml", sdir);
	c = tu_fmt("key new '%s/samples/sample.key'", sdir);
	rc |= colink(c, NULL, NULL);
	free(c);
	c = tu_fmt("run --unsigned-agreement '%s'", sjob);
	if (colink(c, NULL, NULL) != 1) /* three planted rejects */
		rc = 1;
	free(c);
	roster_args = tu_fmt("--roster '%s/samples/employer/roster.csv' --roster-mapping "
			     "'%s/mappings/employer/roster.xml'", sdir, sdir);
	return rc;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(job);
	free(sdir);
	free(sjob);
	free(roster_args);
	return 0;
}

/* `colink report ARGS` with the fixture job; stdout returned (caller frees). */
static char *report(const char *args, int want_rc)
{
	char *c = tu_fmt("report %s '%s'", args, job), *out = NULL, *err = NULL;
	int rc = colink(c, &out, &err);
	if (rc != want_rc)
		fprintf(stderr, "\n  %s: exit %d: %s\n", c, rc, err ? err : "");
	CU_ASSERT_EQUAL(rc, want_rc);
	free(c);
	free(err);
	return out ? out : tu_fmt("%s", "");
}

static char *sample_report(const char *args, int want_rc, char **err)
{
	char *c = tu_fmt("report %s '%s'", args, sjob), *out = NULL;
	int rc = colink(c, &out, err);
	if (rc != want_rc)
		fprintf(stderr, "\n  %s: exit %d: %s\n", c, rc, err && *err ? *err : "");
	CU_ASSERT_EQUAL(rc, want_rc);
	free(c);
	return out ? out : tu_fmt("%s", "");
}

/* The line of `out` containing `needle`, or NULL (malloc'd). */
static char *line_with(const char *out, const char *needle)
{
	const char *p = strstr(out, needle), *b, *e;
	if (!p)
		return NULL;
	for (b = p; b > out && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	return tu_fmt("%.*s", (int)(e ? e - b : (long)strlen(b)), b);
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int has(const char *hay, const char *needle)
{
	int ok = hay && strstr(hay, needle) != NULL;
	if (!ok)
		fprintf(stderr, "\n  missing '%s' in: %s\n", needle, hay ? hay : "(null)");
	return ok;
}

/* 1 when s holds a run of 64 hex digits (a pseudonym). */
static int has_pseudonym(const char *s)
{
	int run = 0;
	for (; *s; s++) {
		run = isxdigit((unsigned char)*s) ? run + 1 : 0;
		if (run == 64)
			return 1;
	}
	return 0;
}

static long audit_entries(const char *log, const char *needle)
{
	char *text = tu_read_file(log, NULL), *p;
	long n = 0;
	for (p = text; p && (p = strstr(p, needle)); p++)
		n++;
	free(text);
	return n;
}

/* ---- the fixture: exactly the reference's outcomes ---- */

static void test_report__fixture_guidance_exactly_as_the_reference(void)
{
	char *out = report("guidance --all", 0), *l;
	char *db = tu_fmt("%s/fixture.db", dir);
	char *p1 = tu_sql1(db, "SELECT p.person_id FROM checkup c JOIN person p USING (person_no) "
			   "WHERE c.exam_date = '2024-06-10'");
	CU_ASSERT_EQUAL(count_lines(out), 4);
	CU_ASSERT(has(out, "person,exam_date,fiscal_year,age_fy_end,level,risks,reasons\n"));
	l = line_with(out, ",2024-06-10,");
	CU_ASSERT(has(l, ",2024-06-10,2024,54,active,4,"));
	CU_ASSERT(has(l, "waist 92>=85(M); sbp 144>=130; dbp 89>=85; tg_fasting 180>=150; hdl 38<40; "
		      "fpg 118>=100; smoking; route waist, risks 4"));
	CU_ASSERT(p1 && l && !strncmp(l, p1, 64));
	free(l);
	l = line_with(out, ",2024-09-15,");
	CU_ASSERT(has(l, ",2024-09-15,2024,68,motivational,2,"));
	CU_ASSERT(has(l, "bmi 25.8>=25; tg_casual 200>=175; hba1c 5.8>=5.6; route BMI, risks 2"));
	CU_ASSERT(l && !strstr(l, "smoking")); /* ex-smoker: not counted, not named */
	free(l);
	l = line_with(out, ",2024-11-05,");
	CU_ASSERT(has(l, ",2024-11-05,2024,46,excluded-medication,"));
	CU_ASSERT(has(l, "on medication: BP"));
	free(l);
	free(out);
	/* the interview list: active and motivational only */
	out = report("guidance", 0);
	CU_ASSERT_EQUAL(count_lines(out), 3);
	CU_ASSERT(!strstr(out, "2024-11-05"));
	free(out);
	free(p1);
	free(db);
}

static void test_report__fixture_referral_exactly_as_the_reference(void)
{
	char *out = report("referral", 0), *l;
	CU_ASSERT(has(out, "person,exam_date,fiscal_year,age_fy_end,bp,lipid,liver,glucose,kidney,anemia,"
		      "level,rules,followup,followup_date,followup_evidence\n"));
	CU_ASSERT_EQUAL(count_lines(out), 3); /* person 2 is not referred */
	CU_ASSERT(!strstr(out, "2024-09-15"));
	l = line_with(out, ",2024-06-10,");
	CU_ASSERT(has(l, ",2024-06-10,2024,54,recommend,recommend,recommend,guidance,guidance,unknown,recommend,"));
	CU_ASSERT(has(l, "bp.sbp.recommend(>=140): 144"));
	CU_ASSERT(has(l, "lipid.ldl.recommend(>=140): 150"));
	CU_ASSERT(has(l, "liver.alt.recommend(>=51): 52"));
	CU_ASSERT(has(l, "liver.ggt.recommend(>=101): 110"));
	CU_ASSERT(has(l, ",unknown,,no later claims or checkup"));
	free(l);
	l = line_with(out, ",2024-11-05,");
	CU_ASSERT(has(l, ",2024-11-05,2024,46,urgent,recommend,none,recommend,urgent,unknown,urgent,"));
	CU_ASSERT(has(l, "bp.sbp.urgent(>=160): 165; bp.dbp.urgent(>=100): 102"));
	CU_ASSERT(has(l, "kidney.egfr.urgent(<45): 38.9"));
	free(l);
	free(out);
	out = report("referral --all", 0);
	CU_ASSERT_EQUAL(count_lines(out), 4);
	l = line_with(out, ",2024-09-15,");
	CU_ASSERT(has(l, ",2024-09-15,2024,68,none,guidance,none,guidance,unknown,unknown,guidance,"));
	CU_ASSERT(has(l, ",n/a,,"));
	free(l);
	free(out);
}

static void test_report__json_and_output_file(void)
{
	char *out = report("guidance --all --json", 0), *f, *text;
	CU_ASSERT(has(out, "{\"report\":\"guidance\",\"rules\":\"4th (referral r6, guidance 4th, smoking 2024)\""));
	CU_ASSERT(has(out, "\"exam_date\":\"2024-06-10\",\"fiscal_year\":2024,\"age_fy_end\":54,"
		      "\"level\":\"active\",\"risks\":4,"));
	CU_ASSERT(has(out, "\"level\":\"excluded-medication\""));
	CU_ASSERT(has(out, "]}\n"));
	free(out);
	f = tu_fmt("referral -o '%s/ref.csv'", dir);
	out = report(f, 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	free(out);
	free(f);
	f = tu_fmt("%s/ref.csv", dir);
	text = tu_read_file(f, NULL);
	CU_ASSERT(has(text, ",2024-11-05,2024,46,urgent,"));
	free(text);
	free(f);
}

/* A report cut short by a full disk is a failure, not a shorter report:
 * to a file (-o) and to standard output alike (/dev/full fails every write). */
static void test_report__a_full_disk_is_an_error(void)
{
	char *c, *err = NULL;
	int rc;
	c = tu_fmt("report referral --all -o /dev/full '%s'", job);
	rc = colink(c, NULL, &err);
	CU_ASSERT_EQUAL(rc, 4);
	CU_ASSERT(has(err, "/dev/full: writing the report failed"));
	free(c);
	free(err);
	err = NULL;
	c = tu_fmt("'%s' report referral --all '%s' >/dev/full", tu_colink(), job);
	rc = tu_run(c, NULL, &err);
	CU_ASSERT_EQUAL(rc, 4);
	CU_ASSERT(has(err, "writing the standard output failed"));
	free(c);
	free(err);
	err = NULL;
	c = tu_fmt("'%s' link report '%s/samples/out/warehouse.db' >/dev/full", tu_colink(), sdir);
	rc = tu_run(c, NULL, &err);
	CU_ASSERT_EQUAL(rc, 4);
	CU_ASSERT(has(err, "writing the standard output failed"));
	free(c);
	free(err);
}

static void test_report__rule_settings_change_the_result(void)
{
	char *out = report("referral --all --set referral.hdl_recommend=34", 0), *l;
	l = line_with(out, ",2024-11-05,"); /* HDL 33 */
	CU_ASSERT(has(l, "lipid.hdl.recommend(<=34): 33"));
	free(l);
	free(out);
	out = report("referral --set referral.nope=1", 3);
	CU_ASSERT_STRING_EQUAL(out, "");
	free(out);
}

static void test_report__smoking_rates(void)
{
	char *out = report("smoking --party employer --role 健康管理チーム", 0);
	/* one fiscal year only: no transitions; 1 current smoker of 3 answering */
	CU_ASSERT(has(out, "fiscal_year,site,current_before,quit_after,quit_rate,noncurrent_before,"
		      "relapse_after,relapse_rate,current_now,answered_now,smoker_rate\n"));
	/* 1 smoker of 3 is below k = 10: withheld, with the 3 and the rate (#19) */
	CU_ASSERT(has(out, "\n2024,,0,0,,0,0,,*,*,*\n"));
	free(out);
	out = report("smoking --party employer --role 健康管理チーム --json", 0);
	CU_ASSERT(has(out, "\"current_now\":null,\"answered_now\":null,\"smoker_rate\":null}"));
	free(out);
	/* --k 1 releases every count, as before the protection */
	out = report("smoking --party employer --role 健康管理チーム --k 1", 0);
	CU_ASSERT(has(out, "\n2024,,0,0,,0,0,,1,3,33.3\n"));
	free(out);
	out = report("smoking --persons --all", 0);
	CU_ASSERT(has(out, ",2024-06-10,2024,current\n"));
	CU_ASSERT(has(out, ",2024-09-15,2024,quit\n"));
	CU_ASSERT(has(out, ",2024-11-05,2024,never\n"));
	free(out);
}

/* The leak check (report_leak.h) on what every report verb releases: the
 * smoking rates of the fixture and of the sample job for each recipient, and
 * the person-level lists of referral, guidance and smoking --persons. */
static void test_report__no_small_count_in_any_report(void)
{
	static const char *const smoking[] = {
		"smoking --party employer --role 健康管理チーム",
		"smoking --party employer --role 健康管理チーム --fiscal-year 2023",
		"smoking",
	};
	static const char *const lists[] = { "referral --all", "guidance --all", "smoking --persons --all" };
	size_t i;
	int rows = 0;
	for (i = 0; i < sizeof(smoking) / sizeof(smoking[0]); i++) {
		char *out = report(smoking[i], 0), *err = NULL;
		rows += leak_check_smoking_csv(out, 10);
		free(out);
		out = sample_report(smoking[i], 0, &err);
		rows += leak_check_smoking_csv(out, 10);
		free(out);
		free(err);
	}
	CU_ASSERT(rows >= 6);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		char *out = report(lists[i], 0);
		CU_ASSERT(leak_check_person_list(out) > 0);
		free(out);
	}
}

/* ---- the sample job: identified only where the agreement allows ---- */

static void test_report__identified_action_list_for_allowed_role(void)
{
	char *args = tu_fmt("referral --party employer --role 産業医 --identified %s", roster_args);
	char *log = tu_fmt("%s/samples/out/audit.log", sdir), *err = NULL, *out, *l;
	long before = audit_entries(log, "\"kind\":\"export\"");
	out = sample_report(args, 0, &err);
	CU_ASSERT(has(out, "employee_number,site,exam_date,fiscal_year,bp,lipid,liver,glucose,kidney,"
		      "anemia,level,rules,followup,followup_date,followup_evidence\n"));
	/* roster 0100101 (S01) is vendor_a's テスト イチロウ; 0100102 (S02) テスト ジロウ */
	l = line_with(out, "0100101,");
	CU_ASSERT(has(l, "0100101,S01,2024-06-10,2024,recommend,recommend,recommend,guidance,guidance,"
		      "withheld,recommend,bp.sbp.recommend(>=140): 144"));
	free(l);
	l = line_with(out, "0100102,");
	CU_ASSERT(has(l, "0100102,S02,2024-11-05,2024,urgent,recommend,none,recommend,urgent,withheld,urgent,"));
	CU_ASSERT(l && !strstr(l, "anemia."));
	free(l);
	CU_ASSERT(!has_pseudonym(out));
	CU_ASSERT(!strstr(out, "テスト") && !strstr(out, "1970"));
	CU_ASSERT_EQUAL(audit_entries(log, "\"kind\":\"export\""), before + 1);
	CU_ASSERT_EQUAL(audit_entries(log, "\"items\":[\"employee_number\",\"site\",\"exam_date\""), 1);
	free(out);
	free(err);
	free(args);
	free(log);
}

static void test_report__identified_guidance_carries_no_health_values(void)
{
	char *args = tu_fmt("guidance --party employer --role 保健師 --identified %s", roster_args);
	char *err = NULL, *out = sample_report(args, 0, &err);
	CU_ASSERT(has(out, "employee_number,site,exam_date,fiscal_year,level\n"));
	CU_ASSERT(has(out, "\n0100101,S01,2024-06-10,2024,active\n"));
	CU_ASSERT(!strstr(out, "waist") && !strstr(out, "route"));
	CU_ASSERT(!has_pseudonym(out));
	free(out);
	free(err);
	free(args);
}

static void test_report__identified_falls_back_to_pseudonyms(void)
{
	/* the job's own recipient (association staff): employee numbers are not theirs */
	char *args = tu_fmt("referral --identified %s", roster_args);
	char *err = NULL, *out = sample_report(args, 0, &err);
	CU_ASSERT(has(err, "notice: the agreement does not allow employee_number"));
	CU_ASSERT(has(err, "the report is pseudonymized"));
	CU_ASSERT(has(out, "person,exam_date,"));
	CU_ASSERT(has_pseudonym(out));
	CU_ASSERT(!strstr(out, "0100101") && !strstr(out, "0100102"));
	free(out);
	free(err);
	free(args);
}

static void test_report__role_without_clause_is_refused_and_audited(void)
{
	char *log = tu_fmt("%s/samples/out/audit.log", sdir), *err = NULL;
	long before = audit_entries(log, "\"status\":\"refused\"");
	char *out = sample_report("referral --party employer --role 健康管理チーム", 3, &err);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT(has(err, "the agreement allows none of the report's items for purpose 受診勧奨, "
		      "role 健康管理チーム"));
	CU_ASSERT_EQUAL(audit_entries(log, "\"status\":\"refused\""), before + 1);
	free(out);
	free(err);
	err = NULL;
	out = sample_report("referral --party employer --role 社長", 3, &err);
	CU_ASSERT(has(err, "'社長' is not a role of the employer party"));
	free(out);
	free(err);
	err = NULL;
	out = sample_report("referral --purpose 人事評価 --party employer --role 産業医", 3, &err);
	CU_ASSERT_STRING_EQUAL(out, "");
	free(out);
	free(err);
	free(log);
}

/* ---- 受診状況確認: the follow-up from the claims summary ---- */

/*
 * The referral columns of the three sample people below (samples/README.md,
 * "claims_summary.csv"): exam date and FY; the areas bp..kidney; the
 * level and the rules.  The association's staff also get the age and the
 * anaemia area; an employer-side recipient gets neither (R1 has no
 * hemoglobin).
 */
#define A1_EXAM ",2024-06-10,2024"
#define A1_AREAS ",recommend,recommend,recommend,guidance,guidance"
#define A1_RULES ",recommend,bp.sbp.recommend(>=140): 144; bp.dbp.guidance(>=85): 89; " \
	"lipid.tg_fasting.guidance(>=150): 180; lipid.hdl.guidance(<=39): 38; lipid.ldl.recommend(>=140): 150; " \
	"liver.ast.guidance(>=31): 35; liver.alt.recommend(>=51): 52; liver.ggt.recommend(>=101): 110; " \
	"glucose.fpg.guidance(>=100): 118; glucose.hba1c.guidance(>=5.6): 6; kidney.urine_protein.guidance(>=2): +-,"
#define A3_EXAM ",2024-11-05,2024"
#define A3_AREAS ",urgent,recommend,none,recommend,urgent"
#define A3_RULES ",urgent,bp.sbp.urgent(>=160): 165; bp.dbp.urgent(>=100): 102; " \
	"lipid.tg_fasting.recommend(>=300): 2500; lipid.hdl.guidance(<=39): 33; lipid.non_hdl.recommend(>=170): 210; " \
	"glucose.fpg.recommend(>=126): 132; glucose.hba1c.recommend(>=6.5): 6.7; kidney.egfr.urgent(<45): 38.9; " \
	"kidney.urine_protein.recommend(>=3): 2+,"
#define B2_EXAM ",2024-06-10,2024"
#define B2_AREAS ",recommend,recommend,recommend,guidance,none"
#define B2_RULES ",recommend,bp.sbp.recommend(>=140): 152; bp.dbp.recommend(>=90): 96; " \
	"lipid.tg_fasting.guidance(>=150): 220; lipid.ldl.recommend(>=140): 162; lipid.non_hdl.recommend(>=170): 198; " \
	"liver.ast.guidance(>=31): 38; liver.alt.recommend(>=51): 56; liver.ggt.recommend(>=101): 120; " \
	"glucose.fpg.guidance(>=100): 112; glucose.hba1c.guidance(>=5.6): 6.1,"
/* as the association's staff see them (age 54/46/54; anaemia not measured / none) */
#define A1_ASSOC A1_EXAM ",54" A1_AREAS ",unknown" A1_RULES
#define A3_ASSOC A3_EXAM ",46" A3_AREAS ",unknown" A3_RULES
#define B2_ASSOC B2_EXAM ",54" B2_AREAS ",none" B2_RULES
/* as the employer's 産業医 sees them, after the employee number */
#define A1_EMPL ",S01" A1_EXAM A1_AREAS ",withheld" A1_RULES
#define A3_EMPL ",S02" A3_EXAM A3_AREAS ",withheld" A3_RULES
#define B2_EMPL ",S01" B2_EXAM B2_AREAS ",withheld" B2_RULES

/* Occurrences of `needle` in s. */
static int count_of(const char *s, const char *needle)
{
	int n = 0;
	for (; s && (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* The line of `out` that starts with `key` followed by a comma, exactly. */
static void assert_row(const char *out, const char *key, const char *rest)
{
	char *want = tu_fmt("%s%s", key, rest), *needle = tu_fmt("\n%s,", key);
	char *l = line_with(out, needle + 1);
	CU_ASSERT_EQUAL(count_of(out, needle), 1);
	CU_ASSERT_PTR_NOT_NULL(l);
	if (l)
		CU_ASSERT_STRING_EQUAL(l, want);
	if (l && strcmp(l, want))
		fprintf(stderr, "\n  want %s\n  got  %s\n", want, l);
	free(l);
	free(needle);
	free(want);
}

static void test_report__followup_from_claims(void)
{
	char *db = tu_fmt("%s/samples/out/warehouse.db", sdir), *err = NULL, *out, *args, *agr, *text;
	/* A1 (テスト イチロウ): exam 2024-06-10, claims: last visit 2024-09-02 */
	char *a1 = tu_sql1(db, "SELECT p.person_id FROM claims_summary c JOIN person p USING (person_no) "
			   "WHERE c.last_visit_date = '2024-09-02'");
	/* A3 (テスト ジロウ): exam 2024-11-05, claims FY2024: last visit 2024-10-11, before it */
	char *a3 = tu_sql1(db, "SELECT p.person_id FROM claims_summary c JOIN person p USING (person_no) "
			   "WHERE c.last_visit_date = '2024-10-11'");
	/* B2 (髙橋 一郎): exam 2024-06-10, no claims row, no later checkup */
	char *b2 = tu_sql1(db, "SELECT p.person_id FROM checkup c JOIN person p USING (person_no) "
			   "WHERE c.exam_date = '2024-06-10' AND "
			   "c.person_no NOT IN (SELECT person_no FROM claims_summary)");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b2);
	/* the sample's claims rows all landed, on the checkups' persons where they have one */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claims_summary WHERE fiscal_year = 2024"), 12);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claims_summary WHERE person_no IN "
					"(SELECT person_no FROM checkup)"), 10);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM checkup WHERE person_no = (SELECT person_no "
					"FROM checkup WHERE exam_date = '2024-06-10' AND person_no NOT IN "
					"(SELECT person_no FROM claims_summary))"), 1);

	/* pseudonymized, for the association's own staff (the job's recipient) */
	out = sample_report("referral", 0, &err);
	assert_row(out, a1, A1_ASSOC "yes,2024-09-02,claims: visit on 2024-09-02");
	assert_row(out, a3, A3_ASSOC "no,,claims FY2024: no visit after the exam");
	assert_row(out, b2, B2_ASSOC "unknown,,no later claims or checkup");
	CU_ASSERT_EQUAL(count_lines(out), 11); /* header + 10 referred exams */
	CU_ASSERT_EQUAL(count_of(out, ",claims: visit on "), 2);
	CU_ASSERT_EQUAL(count_of(out, ",no,,claims FY2024: no visit after the exam\n"), 3);
	CU_ASSERT_EQUAL(count_of(out, ",unknown,,no later claims or checkup\n"), 5);
	free(out);
	free(err);
	err = NULL;

	/* identified, for the employer's 産業医: the sample agreement's clause
	 * R1 names no claims or medication item, so the follow-up is withheld */
	args = tu_fmt("referral --party employer --role 産業医 --identified %s", roster_args);
	out = sample_report(args, 0, &err);
	assert_row(out, "0100101", A1_EMPL "withheld,,");
	assert_row(out, "0100102", A3_EMPL "withheld,,");
	CU_ASSERT(!strstr(out, "claims") && !strstr(out, ",yes,") && !strstr(out, ",no,"));
	CU_ASSERT_EQUAL(count_of(out, ",withheld,,\n"), 9);
	free(out);
	free(err);
	err = NULL;

	/* ... and shown when the agreement lets those items cross (R1 extended) */
	agr = tu_fmt("%s/agreement-followup.xml", dir);
	text = tu_fmt("%s/samples/agreement.xml", tu_srcdir());
	{
		char *s = tu_read_file(text, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		/* (the replacement must not contain what it replaces) */
		s = subst(s, "<item field=\"urine_protein\"/>",
			  "<item field=\"urine_protein\" /><item field=\"last_visit_date\"/>"
			  "<item field=\"q_med_bp\"/><item field=\"q_med_lipid\"/><item field=\"q_med_glucose\"/>");
		tu_write_file(agr, s, strlen(s));
		free(s);
	}
	free(args);
	args = tu_fmt("referral --party employer --role 産業医 --identified --agreement '%s' %s", agr,
		      roster_args);
	out = sample_report(args, 0, &err);
	assert_row(out, "0100101", A1_EMPL "yes,2024-09-02,claims: visit on 2024-09-02");
	assert_row(out, "0100102", A3_EMPL "no,,claims FY2024: no visit after the exam");
	/* B2 is the roster's 0001234 */
	assert_row(out, "0001234", B2_EMPL "unknown,,no later claims or checkup");
	CU_ASSERT(!has_pseudonym(out));
	free(out);
	free(err);
	free(args);
	free(text);
	free(agr);
	free(a1);
	free(a3);
	free(b2);
	free(db);
}

static void test_report__exams_outside_the_rule_sets_years_are_named(void)
{
	char *err = NULL, *out = sample_report("guidance --all", 0, &err);
	/* the sample has one FY2019 exam; the default set declares 2024- */
	CU_ASSERT(has(out, ",2019-10-01,2019,"));
	CU_ASSERT(has(err, "notice: 1 rows are exams of fiscal years outside those of rule set 4th"));
	free(out);
	free(err);
	err = NULL;
	out = sample_report("guidance --all --fiscal-year 2024", 0, &err);
	CU_ASSERT(!strstr(out, ",2019-10-01,"));
	CU_ASSERT(!err || !strstr(err, "outside"));
	free(out);
	free(err);
}

static void test_report__usage_and_missing_files(void)
{
	char *out = NULL, *err = NULL, *c;
	CU_ASSERT_EQUAL(colink("report bogus", &out, &err), 2);
	free(out);
	free(err);
	CU_ASSERT_EQUAL(colink("report referral --help", &out, &err), 0);
	CU_ASSERT(has(out, "usage: colink report referral|guidance|smoking"));
	free(out);
	free(err);
	c = tu_fmt("report referral --warehouse '%s/none.db' --agreement '%s/samples/agreement.xml' "
		   "--party association --role 保健事業担当者", dir, tu_srcdir());
	CU_ASSERT_EQUAL(colink(c, &out, &err), 4);
	CU_ASSERT(has(err, "none.db: cannot read the warehouse"));
	free(out);
	free(err);
	free(c);
	c = tu_fmt("report referral --warehouse '%s/fixture.db' --party association --role x", dir);
	CU_ASSERT_EQUAL(colink(c, &out, &err), 3);
	CU_ASSERT(has(err, "no agreement"));
	free(out);
	free(err);
	free(c);
}

/* A warehouse of an older schema (v3: before person_no) is refused with
 * what to do, not an SQL error; a run migrates it (test_out_sqlite). */
static void test_report__refuses_a_warehouse_not_migrated(void)
{
	char *out = NULL, *err = NULL, *c, *want;
	char *db = tu_fmt("%s/v3.db", dir), *sql;
	sqlite3 *h = NULL;
	c = tu_fmt("%s/tests/data/warehouse/schema-v3.sql", tu_srcdir());
	sql = tu_read_file(c, NULL);
	free(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sql);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	free(sql);
	c = tu_fmt("report referral --warehouse '%s' --agreement '%s/samples/agreement.xml' "
		   "--party association --role 保健事業担当者", db, tu_srcdir());
	CU_ASSERT_EQUAL(colink(c, &out, &err), 3);
	want = tu_fmt("%s: warehouse schema version 3 is older than this colink's (%d): run a "
		      "job against it once (colink run JOB) to migrate it", db,
		      COLINK_WH_SCHEMA_VERSION);
	CU_ASSERT(has(err, want));
	free(want);
	free(out);
	free(err);
	free(c);
	free(db);
}

static const struct tu_test tests[] = {
	TU_TEST(test_report__fixture_guidance_exactly_as_the_reference),
	TU_TEST(test_report__fixture_referral_exactly_as_the_reference),
	TU_TEST(test_report__json_and_output_file),
	TU_TEST(test_report__rule_settings_change_the_result),
	TU_TEST(test_report__smoking_rates),
	TU_TEST(test_report__no_small_count_in_any_report),
	TU_TEST(test_report__a_full_disk_is_an_error),
	TU_TEST(test_report__identified_action_list_for_allowed_role),
	TU_TEST(test_report__identified_guidance_carries_no_health_values),
	TU_TEST(test_report__identified_falls_back_to_pseudonyms),
	TU_TEST(test_report__role_without_clause_is_refused_and_audited),
	TU_TEST(test_report__followup_from_claims),
	TU_TEST(test_report__refuses_a_warehouse_not_migrated),
	TU_TEST(test_report__exams_outside_the_rule_sets_years_are_named),
	TU_TEST(test_report__usage_and_missing_files),
	TU_END
};

int main(void)
{
	if (tu_add_suite("report", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
