/*
 * test_e2e_xml.c -- MHLW standard XML archives through the real binary:
 * the three fixture people land with exactly the values, units, null
 * reasons and questionnaire answers of tests/data/mhlw_fixture, from the
 * folder and the zip form, and a person delivered once as a vendor CSV row
 * and once as an XML document is one person.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *key, *fixture;

/* the binary under test, run from the current directory */
static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(NULL, args, out, err);
}

/* Write a job loading `inputs` (XML elements) into `db`; returns its path. */
static char *job(const char *name, const char *db, const char *inputs)
{
	char *p = tu_fmt("%s/%s.xml", dir, name);
	char *body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<job xmlns=\"urn:colink:job:1\" name=\"%s\">\n"
			    "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
			    "  <key file=\"%s\"/>\n  %s\n"
			    "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>\n"
			    "</job>\n", name, key, inputs, db);
	tu_write_file(p, body, strlen(body));
	free(body);
	return p;
}

static char *xml_input(const char *path)
{
	return tu_fmt("<input mapping=\"%s/mappings/vendors/mhlw_xml.xml\" path=\"%s\"/>",
		      tu_srcdir(), path);
}

static int setup(void)
{
	char *c;
	dir = tu_mkdtemp("e2exml");
	key = tu_fmt("%s/k.key", dir);
	fixture = tu_fmt("%s/tests/data/mhlw_fixture", tu_srcdir());
	c = tu_fmt("key new '%s'", key);
	if (colink(c, NULL, NULL))
		return 1;
	free(c);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(key);
	free(fixture);
	return 0;
}

/* Load the fixture from `path` into a fresh warehouse; returns its path. */
static char *load(const char *name, const char *path)
{
	char *db = tu_fmt("%s/%s.db", dir, name), *in = xml_input(path);
	char *j = job(name, db, in), *c = tu_fmt("run --unsigned-agreement '%s'", j), *e = NULL;
	int rc = colink(c, NULL, &e);
	if (rc)
		fprintf(stderr, "\n  run: %s\n", e ? e : "");
	CU_ASSERT_EQUAL(rc, 0);
	free(in);
	free(j);
	free(c);
	free(e);
	return db;
}

#define P1 "FROM checkup WHERE exam_date='2024-06-10'"
#define P2 "FROM checkup WHERE exam_date='2024-09-15'"
#define P3 "FROM checkup WHERE exam_date='2024-11-05'"

static double d(const char *db, const char *sql)
{
	char *s = tu_sql1(db, sql);
	double v = s ? strtod(s, NULL) : -1;
	free(s);
	return v;
}

static char *obs(const char *db, const char *exam, const char *field, const char *col)
{
	char *sql = tu_fmt("SELECT o.%s FROM observation o JOIN checkup c USING(checkup_id) "
			   "WHERE c.exam_date='%s' AND o.field='%s'", col, exam, field);
	char *v = tu_sql1(db, sql);
	free(sql);
	return v;
}

static int obs_is(const char *db, const char *exam, const char *field, const char *col,
		  const char *want)
{
	char *v = obs(db, exam, field, col);
	int ok = v && !strcmp(v, want);
	if (!ok)
		fprintf(stderr, "\n  %s %s.%s = %s, want %s\n", exam, field, col, v ? v : "NULL", want);
	free(v);
	return ok;
}

static char *answer(const char *db, const char *exam, const char *field)
{
	char *sql = tu_fmt("SELECT q.answer || '@' || q.code_system FROM questionnaire q JOIN checkup c "
			   "USING(checkup_id) WHERE c.exam_date='%s' AND q.field='%s'", exam, field);
	char *v = tu_sql1(db, sql);
	free(sql);
	return v;
}

static void check_fixture(const char *db)
{
	char *a;
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_read || records_loaded || records_rejected FROM run_input"), 330);
	/* person 1: 積極的支援 case */
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT waist " P1), 92.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT sbp_1 " P1), 146, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT sbp_2 " P1), 142, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT dbp_1 " P1), 90, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT dbp_2 " P1), 88, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT tg_fasting " P1), 180, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT hdl " P1), 38, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT ldl " P1), 150, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT fpg " P1), 118, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT hba1c " P1), 6.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT alt " P1), 52, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT ggt " P1), 110, 1e-9);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT age_fy_end " P1), 54);
	a = answer(db, "2024-06-10", "q_smoking");
	CU_ASSERT_PTR_NOT_NULL(a && strstr(a, "1@1.2.392.200119.6.24060"));
	free(a);
	/* person 2: BMI route, 随時TG, ex-smoker, urine protein not performed */
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT bmi " P2), 25.8, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT waist " P2), 80, 1e-9);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT blood_draw_timing " P2), 3);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT tg_casual " P2), 200, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT non_hdl " P2), 160, 1e-9);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) " P2 " AND ldl IS NULL AND urine_protein IS NULL"), 1);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT hba1c " P2), 5.8, 1e-9);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT age_fy_end " P2), 68);
	CU_ASSERT(obs_is(db, "2024-09-15", "urine_protein", "null_reason", "not-performed"));
	CU_ASSERT(obs_is(db, "2024-09-15", "not_done_reason", "value_text", "1"));
	a = answer(db, "2024-09-15", "q_smoking");
	CU_ASSERT_PTR_NOT_NULL(a && !strncmp(a, "2@", 2));
	free(a);
	/* person 3: medication, immediate-referral values, H flag, NI */
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT sbp_other " P3), 165, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT dbp_other " P3), 102, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT tg_fasting " P3), 2500, 1e-9);
	CU_ASSERT(obs_is(db, "2024-11-05", "tg_fasting", "flag", "H"));
	CU_ASSERT(obs_is(db, "2024-11-05", "tg_fasting", "value_text", "2500"));
	CU_ASSERT(obs_is(db, "2024-11-05", "ldl", "null_reason", "unmeasurable"));
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT non_hdl " P3), 210, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT hdl " P3), 33, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT fpg " P3), 132, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT hba1c " P3), 6.7, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT egfr " P3), 38.9, 1e-9);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT urine_protein " P3), 4);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT age_fy_end " P3), 46);
	a = answer(db, "2024-11-05", "q_med_bp");
	CU_ASSERT_PTR_NOT_NULL(a && !strncmp(a, "1@", 2));
	free(a);
	/* units as delivered, exact decimal text kept in the long table */
	CU_ASSERT(obs_is(db, "2024-11-05", "tg_fasting", "unit", "mg/dL"));
	/* item codes colink does not know are kept, with their code */
	CU_ASSERT(tu_sql_long(db, "SELECT count(*) FROM observation WHERE field IS NULL AND length(item_code)=17") >= 1);
	/* the doctor's name (author) is not stored */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM observation WHERE item_code LIKE '%author%'"), 0);
}

static void test_e2e_xml__folder_form_loads_the_fixture_exactly(void)
{
	char *db = load("folder", fixture);
	check_fixture(db);
	free(db);
}

static void test_e2e_xml__zip_form_loads_the_same(void)
{
	const char *name = "1311234567_06139992_202504010_1";
	char *c = tu_fmt("cd '%s' && mkdir %s && cp -r '%s'/* %s/ && zip -qr %s.zip %s",
			 dir, name, fixture, name, name, name);
	char *zip = tu_fmt("%s/%s.zip", dir, name), *db;
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	db = load("zip", zip);
	check_fixture(db);
	free(db);
	free(zip);
	free(c);
}

static void test_e2e_xml__csv_and_xml_of_one_person_are_one_person(void)
{
	char *db = tu_fmt("%s/both.db", dir);
	char *csv = tu_fmt("<input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/samples/vendor_a.csv\"/>",
			   tu_srcdir(), tu_srcdir());
	char *xml = xml_input(fixture);
	char *j1 = job("csv", db, csv), *j2 = job("xml", db, xml);
	char *c1 = tu_fmt("run --unsigned-agreement '%s'", j1), *c2 = tu_fmt("run --unsigned-agreement '%s'", j2);
	long persons, rc;
	rc = colink(c1, NULL, NULL);
	CU_ASSERT(rc == 0 || rc == 1);
	persons = tu_sql_long(db, "SELECT count(*) FROM person");
	CU_ASSERT_EQUAL(colink(c2, NULL, NULL), 0);
	/* the three XML people were already known from the CSV: no new person */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM person"), persons);
	/* the XML checkups replaced the CSV ones of the same person and date */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT checkups_replaced FROM run WHERE job_name='xml'"), 3);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM checkup WHERE exam_date IN "
				       "('2024-06-10','2024-09-15','2024-11-05')"), 3);
	/* with the same values */
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT sbp_1 " P1), 146, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d(db, "SELECT hba1c " P3), 6.7, 1e-9);
	/* and the same second key (kana name, birth date, sex) */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(DISTINCT pseudonym) FROM person_key k JOIN checkup c "
				       "USING(person_no) WHERE k.kind='kana_dob_sex' AND c.exam_date='2024-06-10'"), 1);
	free(db);
	free(csv);
	free(xml);
	free(j1);
	free(j2);
	free(c1);
	free(c2);
}

static void test_e2e_xml__no_identifier_of_the_fixture_lands(void)
{
	static const char *needles[] = {"テスト　イチロウ", "テストイチロウ", "19700515", "1970-05-15",
					"19560820", "19790101", "06139992", "４５６７", "00001234"};
	char *db = tu_fmt("%s/folder.db", dir);
	size_t i;
	for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		CU_ASSERT_FALSE(tu_file_contains(db, needles[i], strlen(needles[i])));
	free(db);
}

/* A 健診プログラム種別 outside its OID table is a reject naming the column,
 * not a code that lands unseen (#25). */
static void test_e2e_xml__unknown_program_type_is_rejected(void)
{
	char *bad = tu_fmt("%s/badprog", dir), *db = tu_fmt("%s/badprog.db", dir);
	char *c = tu_fmt("cp -r '%s' '%s' && sed -i 's/code=\"010\" codeSystem=\"1.2.392.200119.6.1002\"/"
			 "code=\"999\" codeSystem=\"1.2.392.200119.6.1002\"/' "
			 "'%s/DATA/h13112345672025040100000002.xml'", fixture, bad, bad);
	char *in, *j, *r, *reason;
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	in = xml_input(bad);
	j = job("badprog", db, in);
	r = tu_fmt("run --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(colink(r, NULL, NULL), 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_rejected FROM run_input"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_loaded FROM run_input"), 2);
	reason = tu_sql1(db, "SELECT reason FROM reject");
	CU_ASSERT_PTR_NOT_NULL(reason);
	CU_ASSERT_PTR_NOT_NULL(reason ? strstr(reason, "program_type") : NULL);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM checkup WHERE exam_date='2024-09-15'"), 0);
	free(reason);
	free(r);
	/* the reject names its document, not "line 0" (#18): dry run, --json,
	 * preview (over another warehouse: in this one the archive is loaded
	 * already, which the dry run sees) */
	{
		char *out = NULL, *db2 = tu_fmt("%s/badprog2.db", dir), *j2 = job("badprog2", db2, in);
		r = tu_fmt("run --dry-run --unsigned-agreement '%s'", j2);
		CU_ASSERT_EQUAL(colink(r, &out, NULL), 1);
		CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "rejected: input 1 record 2 (document "
						       "DATA/h13112345672025040100000002.xml):\n"
						       "    column hdr.program_type:"));
		CU_ASSERT_PTR_NULL(out ? strstr(out, "line 0") : "");
		free(out);
		free(r);
		r = tu_fmt("run --dry-run --json --unsigned-agreement '%s'", j2);
		CU_ASSERT_EQUAL(colink(r, &out, NULL), 1);
		CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "\"record\":2,\"line\":0,\"document\":"
						       "\"DATA/h13112345672025040100000002.xml\""));
		free(out);
		free(r);
		r = tu_fmt("preview -n 3 '%s/mappings/vendors/mhlw_xml.xml' '%s'", tu_srcdir(), bad);
		CU_ASSERT_EQUAL(colink(r, &out, NULL), 0);
		CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "record 1 (document DATA/h13112345672025040100000001.xml): person "));
		CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "record 2 (document DATA/h13112345672025040100000002.xml): REJECTED column hdr.program_type"));
		CU_ASSERT_PTR_NULL(out ? strstr(out, "line 0") : "");
		free(out);
		free(db2);
		free(j2);
	}
	free(r);
	free(j);
	free(in);
	free(c);
	free(db);
	free(bad);
}


/* A document with five header faults is one rejected record with five
 * reject rows, in the order of mhlw_xml.xml's columns (#25). */
static void test_e2e_xml__every_header_fault_is_a_reason(void)
{
	static const char *const want[] = {
		"hdr.insurer_number|insurer_number: insurer number check digit does not match",
		"hdr.card_branch|card_branch: branch number must be 1 or 2 digits",
		"hdr.birth_date|birth_date: year outside 1868-2200",
		"hdr.sex|sex: code not in codemap 'sex'",
		"hdr.program_type|program_type: code not in codemap"};
	char *bad = tu_fmt("%s/fivefaults", dir), *db = tu_fmt("%s/fivefaults.db", dir);
	char *c = tu_fmt("cp -r '%s' '%s' && sed -i -e 's/extension=\"06139992\" root=\"1.2.392.200119.6.101\"/"
			 "extension=\"06139993\" root=\"1.2.392.200119.6.101\"/' "
			 "-e 's/extension=\"01\" root=\"1.2.392.200119.6.211\"/extension=\"123\" root=\"1.2.392.200119.6.211\"/' "
			 "-e 's/birthTime value=\"19560820\"/birthTime value=\"18500820\"/' "
			 "-e 's/administrativeGenderCode code=\"2\"/administrativeGenderCode code=\"9\"/' "
			 "-e 's/code=\"010\" codeSystem=\"1.2.392.200119.6.1002\"/code=\"999\" codeSystem=\"1.2.392.200119.6.1002\"/' "
			 "'%s/DATA/h13112345672025040100000002.xml'", fixture, bad, bad);
	char *in, *j, *r, *rows, *out = NULL;
	const char *s;
	size_t i;
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	in = xml_input(bad);
	j = job("fivefaults", db, in);
	r = tu_fmt("run --json --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(colink(r, &out, NULL), 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_rejected FROM run_input"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_loaded FROM run_input"), 2);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM (SELECT DISTINCT input_no, record_no FROM reject)"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM reject"), 5);
	rows = tu_sql1(db, "SELECT group_concat(source_column || '|' || reason, ' / ') FROM "
		       "(SELECT source_column, reason FROM reject ORDER BY rowid)");
	for (i = 0, s = rows; s && i < 5; i++) {
		s = strstr(s, want[i]);
		CU_ASSERT_PTR_NOT_NULL(s);
		if (s)
			s += strlen(want[i]);
	}
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "\"column\":\"hdr.program_type\"") : NULL);
	CU_ASSERT_PTR_NULL(rows ? strstr(rows, "06139993") : NULL);
	free(rows);
	free(out);
	free(r);
	free(j);
	free(in);
	free(c);
	free(db);
	free(bad);
}

/* A copy of the fixture whose first document also carries `entries`
 * (observation <entry> elements) before its first entry; returns its path. */
static char *fixture_with(const char *name, const char *entries)
{
	char *copy = tu_fmt("%s/%s", dir, name);
	char *c = tu_fmt("cp -r '%s' '%s'", fixture, copy);
	char *doc = tu_fmt("%s/DATA/h13112345672025040100000001.xml", copy), *text, *at, *out;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	text = tu_read_file(doc, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	at = strstr(text, "          <entry>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	*at = '\0';
	out = tu_fmt("%s%s          <entry>%s", text, entries, at + strlen("          <entry>"));
	tu_write_file(doc, out, strlen(out));
	free(out);
	free(text);
	free(doc);
	free(c);
	return copy;
}

/* `"key":N` of the first input in a run --json summary, or -1. */
static long json_count(const char *json, const char *name)
{
	char *k = tu_fmt("\"%s\":", name);
	const char *p = json ? strstr(json, k) : NULL;
	long v = p ? strtol(p + strlen(k), NULL, 10) : -1;
	free(k);
	return v;
}

/* Run the fixture at `path` with --json into `db`; stdout and stderr out. */
static int run_json(const char *name, const char *path, char **out, char **err)
{
	char *db = tu_fmt("%s/%s.db", dir, name), *in = xml_input(path);
	char *j = job(name, db, in), *c = tu_fmt("run --json --unsigned-agreement '%s'", j);
	int rc = colink(c, out, err);
	free(db);
	free(in);
	free(j);
	free(c);
	return rc;
}

#define OBS(code, inner) "          <entry><observation classCode=\"OBS\" moodCode=\"EVN\">" \
	"<code code=\"" code "\"/>" inner "</observation></entry>\n"

/* Nothing an MHLW document names is dropped without a trace (#25): an item
 * named with no value is a null "missing" row, a code that is no item code
 * is kept and counted, and the three kinds are counted apart and named by
 * code in the warning, never by value. */
static void test_e2e_xml__valueless_and_unknown_items_are_kept_counted_and_named(void)
{
	char *fx = fixture_with("items", OBS("9N021000000000001", "")             /* catalogued, no value */
				      OBS("9Z998000000000001", "")                /* uncatalogued, no value */
				      OBS("LOCAL-42", "<value xsi:type=\"PQ\" value=\"77.7\" unit=\"mg\"/>")
				      OBS("9N.LOCAL", "<value xsi:type=\"ST\">4321.5</value>")
				      OBS("9Z999000000000001", "<value xsi:type=\"PQ\" value=\"88.8\" unit=\"mg\"/>"));
	char *db = tu_fmt("%s/items.db", dir), *base = NULL, *out = NULL, *err = NULL, *v;
	CU_ASSERT_EQUAL(run_json("itemsbase", fixture, &base, NULL), 0);
	CU_ASSERT_EQUAL(run_json("items", fx, &out, &err), 0);
	/* counted apart, the total still their sum */
	CU_ASSERT_EQUAL(json_count(out, "uncatalogued_items") - json_count(base, "uncatalogued_items"), 2);
	CU_ASSERT_EQUAL(json_count(out, "nonstandard_items") - json_count(base, "nonstandard_items"), 2);
	CU_ASSERT_EQUAL(json_count(out, "items_without_value") - json_count(base, "items_without_value"), 2);
	CU_ASSERT_EQUAL(json_count(out, "unknown_items"),
			json_count(out, "uncatalogued_items") + json_count(out, "nonstandard_items"));
	/* stored: the valueless items as null "missing", the others with their value */
	CU_ASSERT(obs_is(db, "2024-06-10", "visceral_fat_area", "null_reason", "missing"));
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM observation WHERE item_code='9Z998000000000001' "
				       "AND field IS NULL AND null_reason='missing' AND value_text IS NULL"), 1);
	v = tu_sql1(db, "SELECT value_text FROM observation WHERE item_code='LOCAL-42'");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "77.7");
	free(v);
	v = tu_sql1(db, "SELECT value_text FROM observation WHERE item_code='9N.LOCAL'");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "4321.5");
	free(v);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM observation WHERE item_code='9Z999000000000001' "
				       "AND value_text='88.8'"), 1);
	/* named by code in the warning, never by value */
	CU_ASSERT_PTR_NOT_NULL(err ? strstr(err, "LOCAL-42") : NULL);
	CU_ASSERT_PTR_NOT_NULL(err ? strstr(err, "9N.LOCAL") : NULL);
	CU_ASSERT_PTR_NOT_NULL(err ? strstr(err, "9Z999000000000001") : NULL);
	CU_ASSERT_PTR_NULL(err ? strstr(err, "77.7") : "");
	CU_ASSERT_PTR_NULL(err ? strstr(err, "88.8") : "");
	CU_ASSERT_PTR_NULL(err ? strstr(err, "4321.5") : "");
	free(base);
	free(out);
	free(err);
	free(db);
	free(fx);
}


/* 機関番号 (exam_org) is 10 digits, and 9999999999 means "unknown": the
 * shipped mapping's pattern= and placeholders= make both a reject naming
 * the column and the rule, never the value (#25). */
static void test_e2e_xml__exam_org_placeholder_and_form_are_rejected(void)
{
	char *bad = tu_fmt("%s/badorg", dir), *db = tu_fmt("%s/badorg.db", dir);
	char *c = tu_fmt("cp -r '%s' '%s' && sed -i 's/extension=\"1311234567\" root=\"1.2.392.200119.6.102\"/"
			 "extension=\"9999999999\" root=\"1.2.392.200119.6.102\"/' "
			 "'%s/DATA/h13112345672025040100000002.xml' && "
			 "sed -i 's/extension=\"1311234567\" root=\"1.2.392.200119.6.102\"/"
			 "extension=\"13112345\" root=\"1.2.392.200119.6.102\"/' "
			 "'%s/DATA/h13112345672025040100000003.xml'", fixture, bad, bad, bad);
	char *in, *j, *r, *ph, *form, *all;
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	in = xml_input(bad);
	j = job("badorg", db, in);
	r = tu_fmt("run --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(colink(r, NULL, NULL), 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_rejected FROM run_input"), 2);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_loaded FROM run_input"), 1);
	ph = tu_sql1(db, "SELECT source_column || ' ' || reason FROM reject WHERE record_no = 2");
	form = tu_sql1(db, "SELECT source_column || ' ' || reason FROM reject WHERE record_no = 3");
	CU_ASSERT_PTR_NOT_NULL(ph && strstr(ph, "hdr.exam_org exam_org: placeholder"));
	CU_ASSERT_PTR_NOT_NULL(form && strstr(form, "hdr.exam_org exam_org: does not match the pattern [0-9]{10}"));
	all = tu_sql1(db, "SELECT group_concat(reason) FROM reject");
	CU_ASSERT_PTR_NULL(all ? strstr(all, "9999999999") : "");
	CU_ASSERT_PTR_NULL(all ? strstr(all, "13112345") : "");
	/* the placeholder is not a stored value */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM checkup WHERE exam_org='9999999999'"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM checkup WHERE exam_org='1311234567'"), 1);
	free(all);
	free(ph);
	free(form);
	free(r);
	free(j);
	free(in);
	free(c);
	free(db);
	free(bad);
}

static const struct tu_test tests[] = {
	TU_TEST(test_e2e_xml__folder_form_loads_the_fixture_exactly),
	TU_TEST(test_e2e_xml__zip_form_loads_the_same),
	TU_TEST(test_e2e_xml__csv_and_xml_of_one_person_are_one_person),
	TU_TEST(test_e2e_xml__no_identifier_of_the_fixture_lands),
	TU_TEST(test_e2e_xml__unknown_program_type_is_rejected),
	TU_TEST(test_e2e_xml__every_header_fault_is_a_reason),
	TU_TEST(test_e2e_xml__valueless_and_unknown_items_are_kept_counted_and_named),
	TU_TEST(test_e2e_xml__exam_org_placeholder_and_form_are_rejected),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_xml", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
