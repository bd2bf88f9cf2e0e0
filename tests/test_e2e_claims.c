/*
 * test_e2e_claims.c -- レセプト (UKE) claims end to end (issue #21): the
 * real `colink` binary runs samples/claims-job.xml (checkups of vendors A
 * and B, the 医科 and 調剤 UKE files of samples/claims/ read by
 * plugins/in_receipt) and the tests assert on what landed: claims grouped
 * claim by claim, malformed claims rejected whole with line, record type
 * and field, the values of claim / claim_diagnosis / claim_item and the
 * claim_year view, claims meeting their persons' checkups on one
 * person_no, and no name, card number or birth date of a claim anywhere
 * in the warehouse, the log or the output.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *db, *out1, *err1, *logtext;
static int rc1;
/* the referral reports of the follow-up tests, searched for leaks at the end */
static char *reports[8];
static size_t nreports;

static long q(const char *sql)
{
	return tu_sql_long(db, sql);
}

static char *s1(const char *sql)
{
	return tu_sql1(db, sql);
}

static int setup(void)
{
	char *c, *j, *body;
	size_t len;
	dir = tu_mkdtemp("e2e-claims");
	if (!dir)
		return 1;
	c = tu_fmt("cp -R '%s/samples/vendor_a.csv' '%s/samples/vendor_b.csv' '%s/samples/claims' "
		   "'%s/samples/masters' '%s/samples/association' '%s/samples/claims-job.xml' "
		   "'%s/samples/agreement.xml' '%s/'",
		   tu_srcdir(), tu_srcdir(), tu_srcdir(), tu_srcdir(), tu_srcdir(), tu_srcdir(), tu_srcdir(),
		   dir);
	if (tu_run(c, NULL, NULL))
		return 1;
	free(c);
	/* the job's mappings are ../mappings from samples/: point them at the
	 * source tree; keep everything else of the sample job as it is */
	j = tu_fmt("%s/claims-job.xml", dir);
	body = tu_read_file(j, &len);
	if (!body)
		return 1;
	c = tu_fmt("sed -e 's|\\.\\./mappings/|%s/mappings/|' -e 's|out/claims-audit.log|audit.log|' "
		   "-e 's|out/claims.db|claims.db|' -e 's|<options |<options log=\"run.log\" |' "
		   "'%s' > '%s.new' && mv '%s.new' '%s'", tu_srcdir(), j, j, j, j);
	free(body);
	if (tu_run(c, NULL, NULL))
		return 1;
	free(c);
	c = tu_fmt("key new '%s/sample.key'", dir);
	if (tu_colink_run(NULL, c, NULL, NULL))
		return 1;
	free(c);
	c = tu_fmt("-v run --unsigned-agreement '%s'", j);
	rc1 = tu_colink_run(NULL, c, &out1, &err1);
	free(c);
	free(j);
	db = tu_fmt("%s/claims.db", dir);
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
	free(logtext);
	while (nreports)
		free(reports[--nreports]);
	return 0;
}

static void test_claims__run_commits_with_the_planted_rejects(void)
{
	if (rc1 != 1)
		fprintf(stderr, "\nstdout: %s\nstderr: %s\n", out1, err1);
	CU_ASSERT_EQUAL(rc1, 1); /* committed, with rejects */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run WHERE status = 'ok'"), 1);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run_input"), 15); /* the last: 傷病手当金 */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run_input WHERE records_read != records_loaded + records_rejected"), 0);
	/* 3 checkup rejects, 3 in the first 医科 file's claim input, 1 in the
	 * FY2024 one's, none elsewhere */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM reject"), 7);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM reject WHERE input_no = 5"), 3);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM reject WHERE input_no = 10"), 1);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM reject WHERE input_no IN (3, 4, 6, 7, 8, 9, 11, 12, "
			  "13, 14, 15)"), 0);
	/* the unknown ZZ record is counted in the log, not a reject */
	CU_ASSERT_PTR_NOT_NULL(err1 && strstr(err1, "1 ZZ record(s)"));
}

static void test_claims__grouped_claim_by_claim(void)
{
	/* 医科: 7 RE, of which 2 rejected; 調剤: 2 RE */
	CU_ASSERT_EQUAL(q("SELECT records_loaded FROM run_input WHERE input_no = 5"), 5);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim WHERE billing_month = '2024-11-01'"), 7);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim WHERE score_table = '1' AND "
			  "billing_month = '2024-11-01'"), 5);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim WHERE score_table = '4' AND "
			  "billing_month = '2024-11-01'"), 2);
	/* the FY2024 files: 医科 17 RE of which 1 rejected (16 claims, 12 months of
	 * one person's colds); 調剤 2 */
	CU_ASSERT_EQUAL(q("SELECT records_read FROM run_input WHERE input_no = 10"), 17);
	CU_ASSERT_EQUAL(q("SELECT records_loaded FROM run_input WHERE input_no = 10"), 16);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim WHERE billing_month = '2025-04-01' AND "
			  "score_table = '1'"), 16);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim WHERE billing_month = '2025-04-01' AND "
			  "score_table = '4'"), 2);
	CU_ASSERT_EQUAL(q("SELECT count(DISTINCT substr(service_month, 1, 7)) FROM claim WHERE "
			  "billing_month = '2025-04-01'"), 12);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim"), 25);
	/* children of the loaded claims only: SY 2+1+2+1+1, items 4+2+2+2+2 and 2+1;
	 * FY2024: SY 12+1+1+1+2, items 12+2+2+1+2 and 1+1 */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim_diagnosis"), 24);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim_item"), 36);
	/* every child row has its claim, and each claim counts its children */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim_diagnosis d LEFT JOIN claim c USING (person_no, claim_key) "
			  "WHERE c.claim_key IS NULL"), 0);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim_item i LEFT JOIN claim c USING (person_no, claim_key) "
			  "WHERE c.claim_key IS NULL"), 0);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim c WHERE n_diagnoses != (SELECT count(*) FROM "
			  "claim_diagnosis d WHERE d.person_no = c.person_no AND d.claim_key = c.claim_key)"), 0);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim c WHERE n_items != (SELECT count(*) FROM "
			  "claim_item i WHERE i.person_no = c.person_no AND i.claim_key = c.claim_key)"), 0);
	/* the rejected claims left nothing: no claim numbered 5 or 6 of 2024-11,
	 * none numbered 17 of 2025-04 */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim WHERE receipt_no IN ('5', '6') AND "
			  "billing_month = '2024-11-01'"), 0);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim WHERE receipt_no = '17'"), 0);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim_diagnosis WHERE claim_key LIKE '%-17'"), 0);
}

static void test_claims__rejects_name_line_record_and_field(void)
{
	char *r = s1("SELECT group_concat(line_no || '|' || source_column || '|' || reason, ' # ') "
		     "FROM (SELECT * FROM reject WHERE input_no = 5 ORDER BY line_no)");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "2|SY|line 2: record outside any claim"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "36|SY field 3|claim rejected: line 36 SY start: is not a date"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "38|RE field 4|claim rejected: line 38 RE month: is empty"));
	/* never the value judged */
	CU_ASSERT_PTR_NULL(strstr(r, "20241340"));
	free(r);
	r = s1("SELECT group_concat(line_no || '|' || source_column || '|' || reason, ' # ') "
	       "FROM reject WHERE input_no = 10");
	CU_ASSERT_STRING_EQUAL(r ? r : "", "86|RE field 4|claim rejected: line 86 RE month: is not a "
			       "year and month (YYYYMM or GYYMM)");
	free(r);
}

/* テスト イチロウ (vendor_a row 1): 1970-05-15, card 06139992 123 4567 00 */
#define ICHIRO "(SELECT person_no FROM claim WHERE claim_key = '1311234567-202411-202410-1')"

static void test_claims__values(void)
{
	char *v;
	CU_ASSERT_EQUAL(q("SELECT points FROM claim WHERE claim_key = '1311234567-202411-202410-1'"), 1250);
	CU_ASSERT_EQUAL(q("SELECT yen FROM claim WHERE claim_key = '1311234567-202411-202410-1'"), 12500);
	CU_ASSERT_EQUAL(q("SELECT days FROM claim WHERE claim_key = '1311234567-202411-202410-1'"), 2);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim WHERE yen != points * 10"), 0);
	v = s1("SELECT service_month || ' ' || billing_month || ' ' || receipt_type FROM claim "
	       "WHERE claim_key = '1311234567-202411-202410-1'");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "2024-10-01 2024-11-01 1112");
	free(v);
	/* 主傷病 and 疑い (修飾語 8002) */
	v = s1("SELECT group_concat(diagnosis_code || ':' || main || suspected || ':' || start_date, ' ') FROM "
	       "(SELECT * FROM claim_diagnosis WHERE person_no = " ICHIRO " ORDER BY seq)");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "9990101:10:2024-10-01 9990301:01:2024-10-01");
	free(v);
	/* 和暦 (GYYMM 50610, GYYMMDD 5061001) read as 2024-10 / 2024-10-01 */
	v = s1("SELECT c.claim_key || ' ' || c.service_month || ' ' || d.start_date FROM claim c JOIN "
	       "claim_diagnosis d USING (person_no, claim_key) WHERE c.receipt_no = '2' AND c.score_table = '1' "
	       "AND c.billing_month = '2024-11-01'");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "1311234567-202411-202410-2 2024-10-01 2024-10-01");
	free(v);
	/* 診療識別 carried to the following line of its group; blank points stay NULL */
	v = s1("SELECT group_concat(record_type || ':' || group_code || ':' || item_code || ':' || "
	       "coalesce(points, '-') || ':' || times, ' ') FROM (SELECT * FROM claim_item WHERE "
	       "claim_key = '1311234567-202411-202410-1' ORDER BY seq)");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "SI:12:999000101:288:1 IY:21:999100101:12:28 "
			       "IY:21:999100102:-:28 SI:60:999000201:950:1");
	free(v);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim_item WHERE record_type = 'TO'"), 1);
	/* the claims_summary totals, derived: 医科 12500 + 調剤 4200 yen */
	CU_ASSERT_EQUAL(q("SELECT medical_cost FROM claim_year WHERE person_no = " ICHIRO
			  " AND fiscal_year = 2024"), 16700);
	CU_ASSERT_EQUAL(q("SELECT claims FROM claim_year WHERE person_no = " ICHIRO), 2);
}

static void test_claims__claims_meet_checkups_on_one_person(void)
{
	/* every claim's person has a checkup: the card pseudonym is the same */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim c WHERE NOT EXISTS (SELECT 1 FROM checkup k "
			  "WHERE k.person_no = c.person_no)"), 0);
	/* so the claims add no person: 18 from the checkups */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person"), 18);
	/* テスト イチロウ's 医科 and 調剤 claims are one person's */
	CU_ASSERT_EQUAL(q("SELECT count(DISTINCT person_no) FROM claim WHERE receipt_no = '1' AND "
			  "billing_month = '2024-11-01'"), 1);
	/* テスト ハナコ (枝番 01 from SN) is vendor_a row 2 and vendor_b row 1 */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM checkup WHERE person_no = (SELECT person_no FROM claim "
			  "WHERE receipt_no = '2' AND score_table = '1' AND billing_month = '2024-11-01')"), 2);
}

/* ---- code masters and disease groups ---- */

/* Persons with a non-suspected diagnosis in `group` of
 * mappings/rules/disease-groups.tsv, the ranges read from the file. */
static long group_persons(const char *group)
{
	char *p = tu_fmt("%s/mappings/rules/disease-groups.tsv", tu_srcdir());
	char *text = tu_read_file(p, NULL), *line, *save = NULL, *where = strdup("0"), *sql;
	char g[32], from[8], to[8];
	long n;
	free(p);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "range\t%31[^\t]\t%*[^\t]\t%7[^\t]\t%7[^\t]", g, from, to) != 3 ||
		    strcmp(g, group))
			continue;
		p = tu_fmt("%s OR substr(m.icd10, 1, 3) BETWEEN '%s' AND '%s'", where, from, to);
		free(where);
		where = p;
	}
	free(text);
	sql = tu_fmt("SELECT count(DISTINCT d.person_no) FROM claim_diagnosis d JOIN disease_master m "
		     "ON m.code = d.diagnosis_code WHERE d.suspected = 0 AND (%s)", where);
	n = q(sql);
	free(sql);
	free(where);
	return n;
}

static void test_claims__masters_and_disease_groups(void)
{
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM disease_master"), 6);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM drug_master"), 4);
	/* the masters add no person */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person"), 18);
	/* every coded diagnosis finds its ICD-10; 0000999 (未コード化) does not */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim_diagnosis d LEFT JOIN disease_master m "
			  "ON m.code = d.diagnosis_code WHERE m.icd10 IS NULL"), 1);
	/* IY drugs: 6 of 2024-11, 2 医科 and 2 調剤 of FY2024 */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM claim_item i JOIN drug_master m ON m.code = i.item_code "
			  "WHERE i.record_type = 'IY'"), 10);
	/* the rule table's ranges: hypertension テスト イチロウ, ワタナベ and テスト
	 * ジロウ (コバヤシ's is 疑い, left out); diabetes テスト ハナコ, タナカ and 中村
	 * 大輔; dyslipidaemia 髙橋 (テスト イチロウ's is 疑い); CKD ワタナベ */
	CU_ASSERT_EQUAL(group_persons("hypertension"), 3);
	CU_ASSERT_EQUAL(group_persons("diabetes"), 3);
	CU_ASSERT_EQUAL(group_persons("dyslipidaemia"), 1);
	CU_ASSERT_EQUAL(group_persons("ckd"), 1);
}

/* ---- 受診状況確認 from the claims' diagnoses ---- */

/* `colink report referral JOB [args]` on the claims warehouse; the output
 * is kept for the leak search. */
static char *referral(const char *args, int want_rc, char **err)
{
	char *c = tu_fmt("report referral %s '%s/claims-job.xml'", args, dir), *out = NULL;
	int rc = tu_colink_run(NULL, c, &out, err);
	if (rc != want_rc)
		fprintf(stderr, "\n  %s: exit %d: %s\n", c, rc, err && *err ? *err : "");
	CU_ASSERT_EQUAL(rc, want_rc);
	free(c);
	if (!out)
		out = strdup("");
	if (nreports < sizeof(reports) / sizeof(reports[0]))
		reports[nreports++] = strdup(out);
	return out;
}

/* The person_id of the claim with this key, or of the exam on this date
 * ("exam:YYYY-MM-DD", one person). */
static char *pid(const char *what)
{
	char *sql = strncmp(what, "exam:", 5)
			    ? tu_fmt("SELECT p.person_id FROM claim c JOIN person p USING (person_no) "
				     "WHERE c.claim_key = '%s'", what)
			    : tu_fmt("SELECT p.person_id FROM checkup c JOIN person p USING (person_no) "
				     "WHERE c.exam_date = '%s'", what + 5);
	char *v = s1(sql);
	free(sql);
	return v ? v : strdup("?");
}

/* The report line of `who` (a pseudonym) ends with `tail`. */
static void assert_followup(const char *out, const char *who, const char *tail)
{
	char *id = pid(who);
	const char *p = strstr(out, id), *e;
	size_t n = strlen(tail);
	int ok = 0;
	if (p && (e = strchr(p, '\n')) && (size_t)(e - p) >= n)
		ok = !memcmp(e - n, tail, n);
	if (!ok)
		fprintf(stderr, "\n  %s: want ...%s\n  got  %.*s\n", who, tail,
			p ? (int)strcspn(p, "\n") : 4, p ? p : "none");
	CU_ASSERT(ok);
	free(id);
}

static int count_of(const char *s, const char *needle)
{
	int n = 0;
	for (; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

#define ICHIRO_K "1311234567-202411-202410-1"
#define WATANABE_K "1311234567-202411-202410-3"
#define TANAKA_K "1311234567-202411-202410-4"
#define KOBAYASHI_K "1311234567-202504-202412-13"
#define DAISUKE_K "1311234567-202504-202502-14"
#define TAKAHASHI_K "1311234567-202504-202412-15"
#define JIRO_K "1311234567-202504-202411-16"
#define ITO "exam:2024-09-30"

static void test_claims__followup_yes_with_date_no_and_unknown(void)
{
	char *err = NULL, *out = referral("", 0, &err);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ",level,rules,followup,followup_date,followup_evidence\n"));
	/* a diagnosis of the referred area's group within 6 months: yes, its date */
	assert_followup(out, ICHIRO_K, ",yes,2024-10-01,claims: hypertension diagnosis (I10) on 2024-10-01");
	assert_followup(out, TANAKA_K, ",yes,2024-10-07,claims: diabetes diagnosis (E11) on 2024-10-07");
	assert_followup(out, JIRO_K, ",yes,2024-11-20,claims: hypertension diagnosis (I10) on 2024-11-20");
	/* exam 2024-06-10 + 6 months = 2024-12-10: the window's last day counts */
	assert_followup(out, TAKAHASHI_K, ",yes,2024-12-10,claims: dyslipidaemia diagnosis (E78) on 2024-12-10");
	/* every month of the window has claims, and no matching diagnosis: no */
	assert_followup(out, KOBAYASHI_K, ",no,,\"claims 2024-08 to 2025-02: no hypertension, "
			"dyslipidaemia diagnosis within 6 months\"");
	assert_followup(out, DAISUKE_K, ",no,,\"claims 2024-08 to 2025-02: no hypertension, diabetes, "
			"dyslipidaemia diagnosis within 6 months\"");
	assert_followup(out, ITO, ",no,,\"claims 2024-09 to 2025-03: no hypertension, dyslipidaemia, "
			"ckd diagnosis within 6 months\"");
	/* a window reaching 2025-04 (no claims loaded): unknown; ワタナベ's CKD
	 * diagnosis began before his exam and does not count */
	assert_followup(out, WATANABE_K, ",unknown,,no claims loaded for 2025-04; no later checkup");
	CU_ASSERT_EQUAL(count_of(out, ",yes,"), 4);
	CU_ASSERT_EQUAL(count_of(out, ",no,,"), 3);
	CU_ASSERT_EQUAL(count_of(out, ",unknown,,no claims loaded for 2025-04"), 3);
	/* the claims decide: claims_summary's visit flag is not consulted */
	CU_ASSERT_PTR_NULL(strstr(out, "visit on"));
	free(out);
	free(err);
	/* JSON carries the date too */
	err = NULL;
	out = referral("--json", 0, &err);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"followup\":\"yes\",\"followup_date\":\"2024-12-10\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"followup\":\"unknown\",\"followup_date\":null,"));
	free(out);
	free(err);
}

static void test_claims__followup_months_boundary(void)
{
	char *err = NULL, *out = referral("--set followup.months=7", 0, &err);
	/* 中村 大輔's diagnosis of 2025-02-27 is inside a 7-month window */
	assert_followup(out, DAISUKE_K, ",yes,2025-02-27,claims: diabetes diagnosis (E11) on 2025-02-27");
	/* 伊藤's 7-month window reaches 2025-04, which has no claims */
	assert_followup(out, ITO, ",unknown,,no claims loaded for 2025-04; no later checkup");
	free(out);
	free(err);
	err = NULL;
	out = referral("--set followup.months=5", 0, &err);
	/* 髙橋's 2024-12-10 is a month after a 5-month window (to 2024-11-10) */
	assert_followup(out, TAKAHASHI_K, ",no,,\"claims 2024-06 to 2024-11: no hypertension, "
			"dyslipidaemia diagnosis within 5 months\"");
	assert_followup(out, ICHIRO_K, ",yes,2024-10-01,claims: hypertension diagnosis (I10) on 2024-10-01");
	free(out);
	free(err);
	/* a value outside 1-36 is refused, naming the setting */
	err = NULL;
	out = referral("--set followup.months=0", 3, &err);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "followup.months: '0' is not a whole number of months"));
	free(out);
	free(err);
}

static void test_claims__followup_suspected_on_and_off(void)
{
	char *err = NULL, *out = referral("--set followup.suspected=yes", 0, &err);
	/* コバヤシ's hypertension is 疑い: counted only when the setting says so */
	assert_followup(out, KOBAYASHI_K, ",yes,2024-12-03,claims: hypertension diagnosis (I10) on 2024-12-03");
	/* テスト イチロウ's 疑い dyslipidaemia (E78) now ties with his hypertension on
	 * 2024-10-01: the first ICD-10 code in byte order is named */
	assert_followup(out, ICHIRO_K, ",yes,2024-10-01,claims: dyslipidaemia diagnosis (E78) on 2024-10-01");
	CU_ASSERT_EQUAL(count_of(out, ",yes,"), 5);
	free(out);
	free(err);
	err = NULL;
	out = referral("--set followup.suspected=no", 0, &err);
	assert_followup(out, KOBAYASHI_K, ",no,,\"claims 2024-08 to 2025-02: no hypertension, "
			"dyslipidaemia diagnosis within 6 months\"");
	free(out);
	free(err);
	err = NULL;
	out = referral("--set followup.suspected=maybe", 3, &err);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "followup.suspected: 'maybe' is not yes or no"));
	free(out);
	free(err);
}

/* ---- the leak search ---- */

static char *cp932_file(const char *rel, size_t *len)
{
	char *p = tu_fmt("%s/%s", dir, rel), *raw = tu_read_file(p, len), *out;
	out = raw ? tu_cp932_to_utf8(raw, *len, len) : NULL;
	free(raw);
	free(p);
	return out;
}

struct needles {
	char *v[256];
	size_t n;
};

static void add(struct needles *nd, const char *s)
{
	if (strlen(s) >= 4 && nd->n < 256)
		nd->v[nd->n++] = strdup(s);
}

/* A value, without its ASCII and full-width spaces too. */
static void add_variants(struct needles *nd, const char *s)
{
	char buf[256];
	size_t o = 0;
	add(nd, s);
	for (; *s && o < sizeof(buf) - 4; s++) {
		if (*s == ' ')
			continue;
		if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80) {
			s += 2;
			continue;
		}
		buf[o++] = *s;
	}
	buf[o] = '\0';
	add(nd, buf);
}

static void on_uke_id(void *ud, const char *value, int text)
{
	if (text)
		add_variants(ud, value);
	else
		add(ud, value);
}

static void collect(struct needles *nd, const char *rel)
{
	char *p = tu_fmt("%s/%s", dir, rel);
	CU_ASSERT(tu_uke_identifiers(p, on_uke_id, nd) > 0);
	free(p);
}

/* Blank runs of 16+ hex digits (pseudonyms, run ids) so that a digit
 * needle cannot match inside one by chance. */
static void blank_hex(char *s, size_t n)
{
	size_t i = 0, j;
	while (i < n) {
		for (j = i; j < n && ((s[j] >= '0' && s[j] <= '9') || (s[j] >= 'a' && s[j] <= 'f')); j++)
			;
		if (j - i >= 16)
			memset(s + i, ' ', j - i);
		i = j > i ? j : i + 1;
	}
}

static int occurs(const char *hay, size_t n, const char *needle)
{
	return hay && memmem(hay, n, needle, strlen(needle)) != NULL;
}

static void test_claims__no_name_card_or_birth_date_anywhere(void)
{
	struct needles nd = { { 0 }, 0 };
	char *text[4 + 8], *p;
	size_t len[4 + 8], i, k, leaks = 0, nt = 4 + nreports;
	collect(&nd, "claims/ika_202411.uke");
	collect(&nd, "claims/chozai_202411.uke");
	collect(&nd, "claims/ika_fy2024.uke");
	collect(&nd, "claims/chozai_fy2024.uke");
	CU_ASSERT(nd.n >= 50); /* the files really have identifiers to look for */
	p = tu_fmt("%s/claims.db", dir);
	text[0] = tu_read_file(p, &len[0]);
	free(p);
	text[1] = strdup(logtext ? logtext : "");
	text[2] = strdup(out1 ? out1 : "");
	text[3] = strdup(err1 ? err1 : "");
	for (k = 0; k < nreports; k++)
		text[4 + k] = strdup(reports[k]);
	CU_ASSERT(nreports >= 6); /* the follow-up tests' reports are searched too */
	for (k = 0; k < nt; k++) {
		if (k)
			len[k] = strlen(text[k]);
		if (text[k])
			blank_hex(text[k], len[k]);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(text[0]);
	CU_ASSERT_PTR_NOT_NULL(strstr(text[1], "loaded")); /* the log has content */
	for (i = 0; i < nd.n; i++) {
		for (k = 0; k < nt; k++)
			if (occurs(text[k], len[k], nd.v[i])) {
				fprintf(stderr, "\n  LEAK: identifier #%zu of the UKE samples in %s\n", i,
					k == 0 ? "the warehouse" : k == 1 ? "the log" : k < 4 ? "the output"
					: "a referral report");
				leaks++;
			}
		free(nd.v[i]);
	}
	CU_ASSERT_EQUAL(leaks, 0);
	/* and the search can find: the names are in the source file */
	p = cp932_file("claims/ika_202411.uke", &len[0]);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "テスト　一郎"));
	free(p);
	for (k = 0; k < nt; k++)
		free(text[k]);
}

int main(void)
{
	static const struct tu_test tests[] = {
		TU_TEST(test_claims__run_commits_with_the_planted_rejects),
		TU_TEST(test_claims__grouped_claim_by_claim),
		TU_TEST(test_claims__rejects_name_line_record_and_field),
		TU_TEST(test_claims__values),
		TU_TEST(test_claims__claims_meet_checkups_on_one_person),
		TU_TEST(test_claims__masters_and_disease_groups),
		TU_TEST(test_claims__followup_yes_with_date_no_and_unknown),
		TU_TEST(test_claims__followup_months_boundary),
		TU_TEST(test_claims__followup_suspected_on_and_off),
		TU_TEST(test_claims__no_name_card_or_birth_date_anywhere),
		TU_END
	};
	if (tu_add_suite("e2e_claims", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
