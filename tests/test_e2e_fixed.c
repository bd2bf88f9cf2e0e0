/*
 * test_e2e_fixed.c -- the fixed-width (固定長) path through the real
 * binary (#20): samples/vendor_e.dat (CP932, header/trailer records) loads
 * into the warehouse with the values at the right CP932 byte offsets, the
 * four persons it shares with samples/vendor_a.csv get the same pseudonyms
 * and rows, a wrong trailer count fails the input with nothing of it
 * loaded, and a truncated last record and a field boundary inside a kanji
 * are rejects naming the record and field.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *key;

static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(NULL, args, out, err);
}

static char *job(const char *name, const char *db, const char *inputs, int max_rejected)
{
	char *p = tu_fmt("%s/%s.xml", dir, name);
	char *body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<job xmlns=\"urn:colink:job:1\" name=\"%s\">\n"
			    "  <agreement file=\"%s/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
			    "  <key file=\"%s\"/>\n  %s\n"
			    "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>\n"
			    "  <options max-rejected=\"%d\"/>\n"
			    "</job>\n", name, tu_srcdir(), key, inputs, db, max_rejected);
	tu_write_file(p, body, strlen(body));
	free(body);
	return p;
}

static char *input(const char *mapping, const char *sample)
{
	return tu_fmt("<input mapping=\"%s/mappings/vendors/%s\" path=\"%s/samples/%s\"/>",
		      tu_srcdir(), mapping, tu_srcdir(), sample);
}

static int setup(void)
{
	char *c;
	dir = tu_mkdtemp("e2efixed");
	key = tu_fmt("%s/k.key", dir);
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
	return 0;
}

/* Run a job; returns colink's exit code, *db the warehouse path. */
static int run(const char *name, const char *inputs, int max_rejected, char **db, char **out)
{
	char *j, *c, *e = NULL;
	int rc;
	*db = tu_fmt("%s/%s.db", dir, name);
	j = job(name, *db, inputs, max_rejected);
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	rc = colink(c, out, &e);
	if (rc > 1)
		fprintf(stderr, "\n  run: %s\n", e ? e : "");
	free(j);
	free(c);
	free(e);
	return rc;
}

static int sql_is(const char *db, const char *sql, const char *want)
{
	char *v = tu_sql1(db, sql);
	int ok = (!v && !want) || (v && want && !strcmp(v, want));
	if (!ok)
		fprintf(stderr, "\n  %s\n  = %s, want %s\n", sql, v ? v : "NULL", want ? want : "NULL");
	free(v);
	return ok;
}

#define EXAMS "('2024-06-10','2024-09-15','2024-11-05','2024-07-01')"

/* One line per shared person: its checkup row and every pseudonym. */
static char *rows(const char *db)
{
	return tu_sql1(db,
		       "SELECT group_concat(r, '|') FROM (SELECT c.exam_date || ',' || "
		       "ifnull(c.height,'-') || ',' || ifnull(c.weight,'-') || ',' || ifnull(c.bmi,'-') || ',' || "
		       "ifnull(c.sbp_1,'-') || ',' || ifnull(c.sbp_2,'-') || ',' || ifnull(c.hba1c,'-') || ',' || "
		       "ifnull(c.urine_protein,'-') || ',' || c.age_at_exam || ',' || c.fiscal_year || ',' || "
		       "p.sex || ',' || p.birth_ym || ',' || p.person_id || ',' || "
		       "(SELECT group_concat(kind || '=' || pseudonym, ';') FROM "
		       " (SELECT kind, pseudonym FROM person_key_hex k WHERE k.person_no = p.person_no "
		       "  ORDER BY kind, pseudonym)) AS r "
		       "FROM checkup c JOIN person p USING (person_no) "
		       "WHERE c.exam_date IN " EXAMS " ORDER BY c.exam_date)");
}


static void test_e2e_fixed__sample_values(void)
{
	char *in = input("vendor_e.xml", "vendor_e.dat"), *db = NULL;
	CU_ASSERT_EQUAL_FATAL(run("fixed", in, 0, &db, NULL), 0);
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM checkup", "4"));
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM reject", "0"));
	CU_ASSERT(sql_is(db, "SELECT group_concat(exam_date, ',') FROM (SELECT exam_date FROM checkup ORDER BY exam_date)",
			 "2024-06-10,2024-07-01,2024-09-15,2024-11-05"));
	CU_ASSERT(sql_is(db, "SELECT group_concat(birth_ym, ',') FROM (SELECT birth_ym FROM person ORDER BY birth_ym)",
			 "195608,197005,197901,198503"));
	/* fields after the 20-byte kana name: right only if a kana counts 2 bytes */
	CU_ASSERT(sql_is(db, "SELECT age_at_exam || ' ' || height || ' ' || bmi || ' ' || sbp_2 || ' ' || hba1c || ' ' || ldl "
			 "FROM checkup WHERE exam_date='2024-06-10'", "54 170.0 26.1 142.0 6.0 150.0"));
	/* lineage: the physical record (the header is record 1) */
	CU_ASSERT(sql_is(db, "SELECT group_concat(line_no, ',') FROM (SELECT line_no FROM checkup ORDER BY record_no)",
			 "2,3,4,5"));
	/* CP932 null words in the last field */
	CU_ASSERT(sql_is(db, "SELECT o.null_reason FROM observation o JOIN checkup c USING (checkup_id) "
			 "WHERE c.exam_date='2024-09-15' AND o.field='urine_protein'", "not-performed"));
	CU_ASSERT(sql_is(db, "SELECT o.null_reason FROM observation o JOIN checkup c USING (checkup_id) "
			 "WHERE c.exam_date='2024-11-05' AND o.field='ldl'", "unmeasurable"));
	free(in);
	free(db);
}

static void test_e2e_fixed__same_as_csv(void)
{
	char *inf = input("vendor_e.xml", "vendor_e.dat"), *inc = input("vendor_a.xml", "vendor_a.csv");
	char *dbf = NULL, *dbc = NULL, *rf, *rc;
	CU_ASSERT_EQUAL_FATAL(run("f", inf, 0, &dbf, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(run("c", inc, 2, &dbc, NULL), 1); /* its 2 bad rows */
	rf = rows(dbf);
	rc = rows(dbc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
	CU_ASSERT_STRING_EQUAL(rf, rc);
	if (strcmp(rf, rc))
		fprintf(stderr, "\n  fixed: %s\n  csv:   %s\n", rf, rc);
	CU_ASSERT(strstr(rf, "kana_dob_sex=") != NULL);
	free(rf);
	free(rc);
	free(inf);
	free(inc);
	free(dbf);
	free(dbc);
}

/* The sample with its lines edited: `edit` gets the file as bytes. */
static char *variant(const char *name, void (*edit)(char *buf, size_t *len))
{
	char *src = tu_fmt("%s/samples/vendor_e.dat", tu_srcdir());
	char *p = tu_fmt("%s/%s.dat", dir, name);
	size_t n = 0;
	char *buf = tu_read_file(src, &n);
	edit(buf, &n);
	tu_write_file(p, buf, n);
	free(buf);
	free(src);
	return p;
}

/* records are 108 bytes with CRLF: the trailer is record 6 at 5 * 108 */
#define REC 108
static void wrong_count(char *b, size_t *n)
{
	(void)n;
	memcpy(b + 5 * REC + 1, "000005", 6);
}

static void drop_trailer_truncate(char *b, size_t *n)
{
	/* the last data record cut inside its fields, then no trailer */
	*n = 4 * REC + 60;
	(void)b;
}

static char *input_at(const char *path)
{
	return tu_fmt("<input mapping=\"%s/mappings/vendors/vendor_e.xml\" path=\"%s\"/>", tu_srcdir(), path);
}

/* Run a job on `inputs` expecting a failure; returns colink's stderr. */
static char *run_err(const char *name, const char *inputs, int *rc, char **db)
{
	char *j, *c, *err = NULL;
	*db = tu_fmt("%s/%s.db", dir, name);
	j = job(name, *db, inputs, 10);
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	*rc = colink(c, NULL, &err);
	free(j);
	free(c);
	return err ? err : tu_fmt("%s", "");
}

static void test_e2e_fixed__wrong_trailer_count(void)
{
	char *p = variant("count", wrong_count), *in = input_at(p), *db = NULL, *err;
	char *inc = input("vendor_a.xml", "vendor_a.csv"), *both = tu_fmt("%s\n  %s", inc, in);
	int rc;
	err = run_err("count", both, &rc, &db);
	CU_ASSERT(rc > 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "count.dat: record 6: trailer count says 5 data records, 4 were read"));
	/* nothing half-loaded: not the fixed-width rows, not the CSV's */
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM sqlite_master WHERE name='checkup' AND "
			 "(SELECT count(*) FROM checkup) > 0", "0"));
	free(err);
	free(p);
	free(in);
	free(inc);
	free(both);
	free(db);
}

static void test_e2e_fixed__truncated_last_record(void)
{
	char *p = variant("trunc", drop_trailer_truncate), *db = NULL, *err = NULL, *j, *c;
	char *in = input_at(p);
	int rc;
	db = tu_fmt("%s/trunc.db", dir);
	j = job("trunc", db, in, 10);
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	rc = colink(c, NULL, &err);
	/* no trailer: the file is incomplete, the input fails */
	CU_ASSERT(rc > 1);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "no trailer record"));
	free(j);
	free(c);
	free(err);
	free(db);
	free(p);
	free(in);
}


static void cut_record_5(char *b, size_t *n)
{
	/* data record 4 (line 5) cut to 60 bytes, its CRLF and the trailer kept */
	memmove(b + 4 * REC + 60, b + 5 * REC - 2, 2 + REC);
	*n = 4 * REC + 62 + REC;
}

static void no_line_ends(char *b, size_t *n)
{
	size_t i, o = 0;
	for (i = 0; i < *n; i++)
		if (b[i] != '\r' && b[i] != '\n')
			b[o++] = b[i];
	*n = o;
}

static void no_line_ends_cut(char *b, size_t *n)
{
	no_line_ends(b, n);
	*n -= 10; /* the trailer record short by 10 bytes */
}

/* vendor_e.xml with `from` replaced by `to`, written to dir/NAME.xml */
static char *mapping_variant(const char *name, const char *from, const char *to)
{
	char *src = tu_fmt("%s/mappings/vendors/vendor_e.xml", tu_srcdir());
	char *p = tu_fmt("%s/map-%s.xml", dir, name), *text = tu_read_file(src, NULL), *at, *out;
	at = strstr(text, from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	*at = '\0';
	out = tu_fmt("%s%s%s", text, to, at + strlen(from));
	tu_write_file(p, out, strlen(out));
	free(out);
	free(text);
	free(src);
	return p;
}

static void test_e2e_fixed__truncated_record_reject(void)
{
	char *p = variant("cut", cut_record_5), *in = input_at(p), *db = NULL;
	CU_ASSERT_EQUAL_FATAL(run("cut", in, 10, &db, NULL), 1);
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM checkup", "3"));
	CU_ASSERT(sql_is(db, "SELECT record_no || '@' || line_no || ':' || reason FROM reject",
			 "4@5:truncated record: 60 bytes, the layout needs 106"));
	free(p);
	free(in);
	free(db);
}

/* a field boundary inside a two-byte kana: every record is rejected,
 * naming the field and its byte range, never the name itself */
static void test_e2e_fixed__split_character(void)
{
	char *m = mapping_variant("split", "position=\"32+20\"", "position=\"32+5\"");
	char *in = tu_fmt("<input mapping=\"%s\" path=\"%s/samples/vendor_e.dat\"/>", m, tu_srcdir());
	char *db = NULL;
	CU_ASSERT_EQUAL_FATAL(run("split", in, 10, &db, NULL), 1);
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM checkup", "0"));
	CU_ASSERT(sql_is(db, "SELECT count(*) || ' ' || min(source_column) || ' ' || min(reason) FROM reject",
			 "4 bytes 32-36 byte range 32+5 splits a multi-byte character"));
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM reject WHERE reason LIKE '%テスト%' OR reason LIKE '%サトウ%'", "0"));
	free(m);
	free(in);
	free(db);
}

/* the same records with no line ends: record_length=106 */
static void test_e2e_fixed__no_line_ends(void)
{
	char *m = mapping_variant("nolf", "<set name=\"encoding\" value=\"CP932\"/>",
				  "<set name=\"encoding\" value=\"CP932\"/><set name=\"record_length\" value=\"106\"/>");
	char *p = variant("nolf", no_line_ends), *q = variant("nolfcut", no_line_ends_cut);
	char *in = tu_fmt("<input mapping=\"%s\" path=\"%s\"/>", m, p);
	char *in2 = tu_fmt("<input mapping=\"%s\" path=\"%s\"/>", m, q);
	char *db = NULL, *db2 = NULL, *err;
	int rc;
	CU_ASSERT_EQUAL_FATAL(run("nolf", in, 0, &db, NULL), 0);
	CU_ASSERT(sql_is(db, "SELECT count(*) FROM checkup", "4"));
	CU_ASSERT(sql_is(db, "SELECT sbp_2 || ' ' || hba1c FROM checkup WHERE exam_date='2024-06-10'", "142.0 6.0"));
	/* the trailer cut short: its count field is gone, the input fails */
	err = run_err("nolfcut", in2, &rc, &db2);
	CU_ASSERT(rc > 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nolfcut.dat: record 6: truncated last record: 96 of 106 bytes"));
	free(err);
	free(m);
	free(p);
	free(q);
	free(in);
	free(in2);
	free(db);
	free(db2);
}

/* The layout is the fields' byte ranges (position="START+LEN"): colink
 * check refuses overlapping ranges at FILE:LINE of the later field */
static void test_e2e_fixed__check_overlap(void)
{
	char *m = mapping_variant("overlap", "position=\"30+2\"", "position=\"29+2\"");
	char *c = tu_fmt("check '%s'", m), *err = NULL, *want;
	CU_ASSERT_EQUAL(colink(c, NULL, &err), 3);
	want = tu_fmt("%s:33: field card_branch: bytes 29-30 overlap bytes 20-29 of field card_number (line 32)", m);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, want));
	free(want);
	free(err);
	free(c);
	c = tu_fmt("check '%s/mappings/vendors/vendor_e.xml'", tu_srcdir());
	CU_ASSERT_EQUAL(colink(c, NULL, NULL), 0);
	free(c);
	free(m);
}

/* check: FILE:LINE errors of the layout in the mapping */
static void check_err(const char *name, const char *from, const char *to, const char *want_tail)
{
	char *m = mapping_variant(name, from, to), *c = tu_fmt("check '%s'", m), *err = NULL;
	char *want = tu_fmt("%s:%s", m, want_tail);
	CU_ASSERT_EQUAL(colink(c, NULL, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, want));
	if (!err || !strstr(err, want))
		fprintf(stderr, "\n  want %s\n  got  %s\n", want, err ? err : "");
	free(want);
	free(err);
	free(c);
	free(m);
}

static void test_e2e_fixed__layout_errors(void)
{
	check_err("backwards", "position=\"52+8\"", "position=\"59-52\"",
		  "35: field birth_date: position \"59-52\" is not a byte range START+LENGTH or START-END");
	check_err("zero", "position=\"52+8\"", "position=\"52+0\"",
		  "35: field birth_date: position \"52+0\" is not a byte range");
	check_err("mixed", "position=\"60+1\"", "column=\"性別\"",
		  "36: field sex reads a named column, but this mapping reads fixed-width records "
		  "(byte ranges, line 30): give it position=\"START+LENGTH\"");
	check_err("byhand", "<set name=\"trailer_count\" value=\"2+6\"/>",
		  "<set name=\"trailer_count\" value=\"2+6\"/><set name=\"layout\" value=\"A=1+1\"/>",
		  "25: the field layout is the byte-range position= of each field");
	/* a layout past the fixed record length: the plugin's check, at <input> */
	check_err("pastend", "<set name=\"encoding\" value=\"CP932\"/>",
		  "<set name=\"encoding\" value=\"CP932\"/><set name=\"record_length\" value=\"100\"/>",
		  "19: in_fixed: the layout reaches byte 106, beyond the record length 100");
}

/* doc lists every field's bytes; diff says when a range moves */
static void test_e2e_fixed__doc_and_diff(void)
{
	char *m = mapping_variant("moved", "position=\"93+8\"", "position=\"93-99\"");
	char *c = tu_fmt("doc '%s/mappings/vendors/vendor_e.xml'", tu_srcdir()), *out = NULL;
	CU_ASSERT_EQUAL(colink(c, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "bytes 32–51 (32+20)"));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "bytes 2–9 (2+8)"));
	free(out);
	free(c);
	out = NULL;
	c = tu_fmt("diff '%s/mappings/vendors/vendor_e.xml' '%s'", tu_srcdir(), m);
	colink(c, &out, NULL);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "source bytes 93–100 (93+8) → bytes 93–99 (93+7)"));
	if (!out || !strstr(out, "93–99"))
		fprintf(stderr, "\n  diff: %s\n", out ? out : "");
	free(out);
	free(c);
	free(m);
}

/* scan proposes record length, encoding, type field and trailer count,
 * says offsets come from the layout document, prints no value; its draft
 * reads the file with in_fixed and check lists the bytes still to lay out */
static void test_e2e_fixed__scan(void)
{
	char *draft = tu_fmt("%s/scan-draft.xml", dir), *out = NULL, *text, *err = NULL;
	char *c = tu_fmt("scan '%s/samples/vendor_e.dat' -o '%s'", tu_srcdir(), draft);
	CU_ASSERT_EQUAL_FATAL(colink(c, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "record length: 106 bytes (every one of the 6 records read), CRLF"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "encoding: CP932"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "'2' data (4 records), '1' header (the first record), '9' trailer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "trailer_count=\"2+6\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "from the vendor's layout document"));
	/* no value of the file: not an insurer number, not a birth date */
	CU_ASSERT_PTR_NULL(strstr(out, "06139992"));
	CU_ASSERT_PTR_NULL(strstr(out, "19700515"));
	text = tu_read_file(draft, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<input plugin=\"in_fixed\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<set name=\"trailer_types\" value=\"9\"/>"));
	CU_ASSERT_PTR_NULL(strstr(text, "06139992"));
	free(c);
	c = tu_fmt("check '%s'", draft);
	CU_ASSERT_EQUAL(colink(c, NULL, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "column \"bytes 2-106\" is still unmapped (TODO)"));
	free(err);
	free(text);
	free(out);
	free(c);
	/* a CSV is still a CSV */
	c = tu_fmt("scan '%s/samples/vendor_a.csv'", tu_srcdir());
	out = NULL;
	CU_ASSERT_EQUAL(colink(c, &out, NULL), 0);
	CU_ASSERT_PTR_NULL(out && strstr(out, "fixed-width"));
	free(out);
	free(c);
	free(draft);
}

static const struct tu_test tests[] = {
	TU_TEST_AS("sample_values", test_e2e_fixed__sample_values),
	TU_TEST_AS("same_as_csv", test_e2e_fixed__same_as_csv),
	TU_TEST_AS("wrong_trailer_count", test_e2e_fixed__wrong_trailer_count),
	TU_TEST_AS("truncated_last_record", test_e2e_fixed__truncated_last_record),
	TU_TEST_AS("truncated_record_reject", test_e2e_fixed__truncated_record_reject),
	TU_TEST_AS("split_character", test_e2e_fixed__split_character),
	TU_TEST_AS("no_line_ends", test_e2e_fixed__no_line_ends),
	TU_TEST_AS("check_overlap", test_e2e_fixed__check_overlap),
	TU_TEST_AS("layout_errors", test_e2e_fixed__layout_errors),
	TU_TEST_AS("doc_and_diff", test_e2e_fixed__doc_and_diff),
	TU_TEST_AS("scan", test_e2e_fixed__scan),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_fixed", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
