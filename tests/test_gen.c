/*
 * test_gen.c -- samples/gen/colink-gen, the benchmark's data source:
 * the same seed gives the same bytes (and --xml never changes the CSVs);
 * the XML archive is valid under the MHLW schemas when they are at hand;
 * the real colink loads every generated document with no reject and every
 * item mapped; and vendor_a.csv of the same seed, loaded afterwards into
 * the same warehouse, adds no person: both sources give the same
 * pseudonyms, and each vendor A row replaces the XML checkup of the same
 * exam.
 *
 * Environment (set by `make check`): COLINK_GEN, COLINK_BIN,
 * COLINK_TEST_SRCDIR; COLINK_MHLW_XSD overrides where the XSDs are looked
 * for (default /work/shared/reference/mhlw-xsd, never part of the tree).
 */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

#define PERSONS 50
#define SEED 7
#define DEFAULT_XSD_DIR "/work/shared/reference/mhlw-xsd"

static char *dir, *gen, *key, *archive, *db;

/* Run colink-gen with `args`; returns its exit status. */
static int run_gen(const char *args)
{
	char *c = tu_fmt("'%s' %s", gen, args), *e = NULL;
	int rc = tu_run(c, NULL, &e);
	if (rc)
		fprintf(stderr, "\n  colink-gen %s: %s\n", args, e ? e : "");
	free(c);
	free(e);
	return rc;
}

static int colink(const char *args, char **err)
{
	char *c = tu_fmt("'%s' %s", tu_colink(), args);
	int rc = tu_run(c, NULL, err);
	free(c);
	return rc;
}

/* The one entry of `parent` (the archive folder), or NULL. */
static char *only_entry(const char *parent)
{
	DIR *d = opendir(parent);
	struct dirent *de;
	char *found = NULL;
	int n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		free(found);
		found = tu_fmt("%s/%s", parent, de->d_name);
	}
	closedir(d);
	if (n != 1) {
		free(found);
		return NULL;
	}
	return found;
}

static long count_files(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	long n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int setup(void)
{
	const char *g = getenv("COLINK_GEN");
	char *args, *c;
	int rc;
	dir = tu_mkdtemp("gen");
	gen = g && *g ? strdup(g) : tu_fmt("%s/samples/colink-gen", tu_builddir());
	key = tu_fmt("%s/k.key", dir);
	db = tu_fmt("%s/w.db", dir);
	args = tu_fmt("--persons %d --seed %d --out '%s/csv' --xml '%s/xml'", PERSONS, SEED, dir,
		      dir);
	c = tu_fmt("key new '%s'", key);
	rc = !dir || run_gen(args) || colink(c, NULL);
	free(args);
	free(c);
	if (rc)
		return 1;
	c = tu_fmt("%s/xml", dir);
	archive = only_entry(c);
	free(c);
	return archive ? 0 : 1;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(gen);
	free(key);
	free(archive);
	free(db);
	return 0;
}

/* `diff -r a b` exit status: 0 same, 1 different. */
static int diff_dirs(const char *a, const char *b)
{
	char *c = tu_fmt("diff -r '%s/%s' '%s/%s' >/dev/null 2>&1", dir, a, dir, b);
	int rc = tu_run(c, NULL, NULL);
	free(c);
	return rc;
}

static void test_gen__same_seed_same_bytes(void)
{
	char *again = tu_fmt("--persons %d --seed %d --out '%s/csv2' --xml '%s/xml2'", PERSONS, SEED,
			     dir, dir);
	char *csv_only = tu_fmt("--persons %d --seed %d --out '%s/csv3'", PERSONS, SEED, dir);
	char *other = tu_fmt("--persons %d --seed %d --xml '%s/xml4'", PERSONS, SEED + 1, dir);
	char *data = tu_fmt("%s/DATA", archive);
	CU_ASSERT_EQUAL(count_files(data), PERSONS);
	CU_ASSERT_EQUAL_FATAL(run_gen(again), 0);
	CU_ASSERT_EQUAL(diff_dirs("csv", "csv2"), 0);
	CU_ASSERT_EQUAL(diff_dirs("xml", "xml2"), 0);
	/* writing the XML too never changes a CSV byte */
	CU_ASSERT_EQUAL_FATAL(run_gen(csv_only), 0);
	CU_ASSERT_EQUAL(diff_dirs("csv", "csv3"), 0);
	/* and the seed does matter */
	CU_ASSERT_EQUAL_FATAL(run_gen(other), 0);
	CU_ASSERT_EQUAL(diff_dirs("xml", "xml4"), 1);
	free(again);
	free(csv_only);
	free(other);
	free(data);
}

static void test_gen__an_existing_archive_is_not_overwritten(void)
{
	char *c = tu_fmt("'%s' --persons 3 --xml '%s/xml' 2>/dev/null", gen, dir);
	char *data = tu_fmt("%s/DATA", archive);
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 1);
	CU_ASSERT_EQUAL(count_files(data), PERSONS);
	free(c);
	free(data);
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_gen__xml_is_valid_under_the_mhlw_xsd(void)
{
	const char *env = getenv("COLINK_MHLW_XSD");
	const char *xsd = env && *env ? env : DEFAULT_XSD_DIR;
	char *c, *e = NULL;
	int rc;
	if (!is_dir(xsd)) {
		fprintf(stderr, "\n  skipped: no MHLW XSDs at %s (set COLINK_MHLW_XSD)\n", xsd);
		return;
	}
	if (tu_run("command -v xmllint >/dev/null 2>&1", NULL, NULL)) {
		fprintf(stderr, "\n  skipped: xmllint not found\n");
		return;
	}
	/* xmllint writes "FILE validates" for each file on stderr */
	c = tu_fmt("xmllint --noout --schema '%s/hc08_V08.xsd' '%s'/DATA/*.xml && "
		   "xmllint --noout --schema '%s/ix08_V08.xsd' '%s/ix08_V08.xml'",
		   xsd, archive, xsd, archive);
	rc = tu_run(c, NULL, &e);
	if (rc)
		fprintf(stderr, "\n  %s\n", e ? e : "");
	CU_ASSERT_EQUAL(rc, 0);
	free(c);
	free(e);
}

/* Write and run a job loading one input into the shared warehouse. */
static int load(const char *name, const char *mapping, const char *path)
{
	char *j = tu_fmt("%s/%s.xml", dir, name);
	char *body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<job xmlns=\"urn:colink:job:1\" name=\"%s\">\n"
			    "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
			    "  <key file=\"%s\"/>\n"
			    "  <input mapping=\"%s/mappings/vendors/%s\" path=\"%s\"/>\n"
			    "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>\n"
			    "</job>\n", name, key, tu_srcdir(), mapping, path, db);
	char *c = tu_fmt("run --unsigned-agreement '%s'", j), *e = NULL;
	int rc;
	tu_write_file(j, body, strlen(body));
	rc = colink(c, &e);
	if (rc)
		fprintf(stderr, "\n  run %s: %s\n", name, e ? e : "");
	free(j);
	free(body);
	free(c);
	free(e);
	return rc;
}

static void test_gen__colink_loads_every_document(void)
{
	CU_ASSERT_EQUAL_FATAL(load("xml", "mhlw_xml.xml", archive), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_read FROM run WHERE job_name='xml'"), PERSONS);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_loaded FROM run WHERE job_name='xml'"), PERSONS);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_rejected FROM run WHERE job_name='xml'"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM reject"), 0);
	/* every card is unique: one person per document */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM person"), PERSONS);
	/* every item code is in the catalogue, so none is kept as unknown */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM observation WHERE field IS NULL"), 0);
	/* the 22 questionnaire items arrive (飲酒量 only for drinkers) */
	CU_ASSERT(tu_sql_long(db, "SELECT count(DISTINCT field) FROM questionnaire") >= 21);
}

static void test_gen__vendor_a_of_the_same_seed_adds_no_person(void)
{
	char *csv = tu_fmt("%s/csv/vendor_a.csv", dir);
	long rows;
	CU_ASSERT_EQUAL_FATAL(load("csv", "vendor_a.xml", csv), 0);
	rows = tu_sql_long(db, "SELECT records_loaded FROM run WHERE job_name='csv'");
	CU_ASSERT(rows > 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_read FROM run WHERE job_name='csv'"), rows);
	/* the same pseudonyms: no new person */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM person"), PERSONS);
	/* and the same exam: each row replaced the XML checkup of its person and date */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT checkups_replaced FROM run WHERE job_name='csv'"), rows);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM checkup"), PERSONS);
	free(csv);
}

static int lands(const char *s)
{
	int found = tu_file_contains(db, s, strlen(s));
	if (found)
		fprintf(stderr, "\n  found in the warehouse: %s\n", s);
	return found;
}

/* The first data row's kana name, in every spelling the CSV and the XML use, never lands. */
static void test_gen__no_identifier_lands(void)
{
	char *csv = tu_fmt("%s/csv/vendor_a.csv", dir);
	char *text = tu_read_file(csv, NULL);
	char *row = text ? strchr(text, '\n') : NULL, *sur, *given, *joined, *spaced, *wide;
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	for (int i = 0; i < 4 && row; i++) /* 保険者番号,記号,番号,枝番, then the kana */
		row = strchr(row + 1, ',');
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	sur = strndup(row + 1, strcspn(row + 1, ","));
	given = strchr(sur, ' ');
	CU_ASSERT_PTR_NOT_NULL_FATAL(given);
	*given++ = '\0';
	joined = tu_fmt("%s%s", sur, given);
	spaced = tu_fmt("%s %s", sur, given);
	wide = tu_fmt("%s\u3000%s", sur, given);
	CU_ASSERT_FALSE(lands(joined));
	CU_ASSERT_FALSE(lands(spaced));
	CU_ASSERT_FALSE(lands(wide));
	/* the doctor's name carried in observation/author */
	CU_ASSERT_FALSE(lands("架空\u3000医師"));
	free(joined);
	free(spaced);
	free(wide);
	free(sur);
	free(text);
	free(csv);
}

/* ------------------------------------------------------------------ */
/* --employer: roster.csv and attendance.csv (the bench's employer side) */
/* ------------------------------------------------------------------ */

#define EMP_PERSONS 2000

/* Field `k` (0-based) of a comma-separated line without quotes, into out. */
static void csv_field(const char *line, int k, char *out, size_t cap)
{
	size_t n;
	while (k-- > 0 && line)
		if ((line = strchr(line, ',')) != NULL)
			line++;
	n = line ? strcspn(line, ",\r\n") : 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, line ? line : "", n);
	out[n] = '\0';
}

/* 保険者番号 as colink normalizes it: zero-padded to 8 digits. */
static void pad8(char *s)
{
	size_t n = strlen(s);
	if (n < 8) {
		memmove(s + 8 - n, s, n + 1);
		memset(s, '0', 8 - n);
	}
}

/*
 * From the files alone: how many employees carry exactly the card of their
 * vendor A row (pass 1 must link them) and how many carry it with another
 * 枝番 (the planted typos, for pass 2).  番号 is the person number, unique.
 */
static void expected_links(const char *d, long *card, long *typo, long *roster_rows)
{
	char *ap = tu_fmt("%s/vendor_a.csv", d), *rp = tu_fmt("%s/roster.csv", d);
	char *a = tu_read_file(ap, NULL), *r = tu_read_file(rp, NULL), *line;
	char (*cards)[64] = calloc(EMP_PERSONS + 1, sizeof *cards);
	char ins[16], sym[16], num[16], br[16];
	*card = *typo = *roster_rows = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (line = strchr(a, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		long no;
		csv_field(line + 1, 0, ins, sizeof ins);
		csv_field(line + 1, 1, sym, sizeof sym);
		csv_field(line + 1, 2, num, sizeof num);
		csv_field(line + 1, 3, br, sizeof br);
		no = atol(num);
		if (no >= 1 && no <= EMP_PERSONS)
			snprintf(cards[no], sizeof cards[no], "%s|%s|%s", ins, sym, br);
	}
	for (line = strchr(r, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		char got[40];
		long no;
		(*roster_rows)++;
		csv_field(line + 1, 7, ins, sizeof ins);
		csv_field(line + 1, 8, sym, sizeof sym);
		csv_field(line + 1, 9, num, sizeof num);
		csv_field(line + 1, 10, br, sizeof br);
		pad8(ins);
		no = atol(num);
		if (no < 1 || no > EMP_PERSONS || !cards[no][0])
			continue; /* no checkup row in vendor A */
		snprintf(got, sizeof got, "%s|%s|", ins, sym);
		if (strncmp(cards[no], got, strlen(got)))
			continue; /* another insurer or symbol: no pass finds it */
		if (!strcmp(cards[no] + strlen(got), br))
			(*card)++;
		else
			(*typo)++;
	}
	free(cards);
	free(a);
	free(r);
	free(ap);
	free(rp);
}

static void test_gen__employer_files_are_deterministic_and_change_nothing_else(void)
{
	char *a = tu_fmt("--persons %d --seed %d --out '%s/emp1' --employer", PERSONS, SEED, dir);
	char *b = tu_fmt("--persons %d --seed %d --out '%s/emp2' --employer", PERSONS, SEED, dir);
	char *o = tu_fmt("--persons %d --seed %d --out '%s/emp3' --employer", PERSONS, SEED + 1, dir);
	char *c, *e = NULL;
	CU_ASSERT_EQUAL_FATAL(run_gen(a), 0);
	CU_ASSERT_EQUAL_FATAL(run_gen(b), 0);
	CU_ASSERT_EQUAL_FATAL(run_gen(o), 0);
	CU_ASSERT_EQUAL(diff_dirs("emp1", "emp2"), 0);
	CU_ASSERT_EQUAL(diff_dirs("emp1", "emp3"), 1);
	/* the vendor files and truth.tsv are the bytes written without --employer */
	c = tu_fmt("cd '%s' && cmp csv/vendor_a.csv emp1/vendor_a.csv && "
		   "cmp csv/vendor_b.csv emp1/vendor_b.csv && cmp csv/truth.tsv emp1/truth.tsv", dir);
	CU_ASSERT_EQUAL(tu_run(c, NULL, &e), 0);
	free(c);
	free(e);
	/* --employer needs --out */
	c = tu_fmt("'%s' --persons 3 --xml '%s/xml9' --employer 2>/dev/null", gen, dir);
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 2);
	free(c);
	free(a);
	free(b);
	free(o);
}

static void test_gen__employer_side_loads_and_links(void)
{
	char *args = tu_fmt("--persons %d --seed %d --out '%s/emp' --only vendor_a --employer",
			    EMP_PERSONS, SEED, dir);
	char *d = tu_fmt("%s/emp", dir), *j = tu_fmt("%s/emp.xml", dir);
	char *w = tu_fmt("%s/emp.db", dir), *c, *e = NULL, *body;
	long card, typo, roster, p1, p2, review;
	int rc;
	CU_ASSERT_EQUAL_FATAL(run_gen(args), 0);
	expected_links(d, &card, &typo, &roster);
	/* about 90% of persons are employees, ~3% of them with a card typo */
	CU_ASSERT(roster > EMP_PERSONS * 85 / 100 && roster < EMP_PERSONS * 95 / 100);
	CU_ASSERT(card > 0);
	CU_ASSERT(typo > 0 && typo < card / 10);
	body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<job xmlns=\"urn:colink:job:1\" name=\"emp\">\n"
		      "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		      "  <key file=\"%s\"/>\n"
		      "  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/vendor_a.csv\"/>\n"
		      "  <input mapping=\"%s/mappings/employer/roster.xml\" path=\"%s/roster.csv\"/>\n"
		      "  <input mapping=\"%s/mappings/employer/attendance_freee.xml\" path=\"%s/attendance.csv\"/>\n"
		      "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>\n"
		      "  <link><pass key=\"card\"/><pass key=\"kana_dob_sex_insurer\"/></link>\n"
		      "</job>\n", key, tu_srcdir(), d, tu_srcdir(), d, tu_srcdir(), d, w);
	tu_write_file(j, body, strlen(body));
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	rc = colink(c, &e);
	if (rc)
		fprintf(stderr, "\n  run emp: %s\n", e ? e : "");
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	/* every row loads: the generator writes what the mappings accept */
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM reject"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM employee"), roster);
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM attendance_month"), roster * 12);
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(DISTINCT year_month) FROM attendance_month"), 12);
	/* pass 1 links exactly the employees whose card matches their checkup row */
	p1 = tu_sql_long(w, "SELECT linked FROM link_report WHERE pass = 1");
	p2 = tu_sql_long(w, "SELECT linked FROM link_report WHERE pass = 2");
	review = tu_sql_long(w, "SELECT count(DISTINCT employer_person_id) FROM link_review");
	if (p1 != card || p2 < typo - review || p2 > typo + review)
		fprintf(stderr, "\n  expected %ld by card, %ld typos; linked %ld + %ld, %ld to review\n",
			card, typo, p1, p2, review);
	CU_ASSERT_EQUAL(p1, card);
	/* pass 2 finds the typos, unless a kana/birth/sex twin sends one to review */
	CU_ASSERT(p2 <= typo + review);
	CU_ASSERT(p2 >= typo - review);
	CU_ASSERT(p2 > 0);
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM link"), p1 + p2);
	free(args);
	free(d);
	free(j);
	free(w);
	free(c);
	free(e);
	free(body);
}

/* ---- --uke: the association's claims ---- */

/* Lines of `path` that start with `prefix` (records of a UKE file). */
static long count_records(const char *path, const char *prefix)
{
	size_t len, pl = strlen(prefix);
	char *t = tu_read_file(path, &len), *p = t;
	long n = 0;
	while (p && *p) {
		n += !strncmp(p, prefix, pl);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	free(t);
	return n;
}

static void test_gen__uke_claims_parse_and_meet_the_persons(void)
{
	char *args = tu_fmt("--persons %d --seed %d --uke '%s/uke'", PERSONS, SEED, dir);
	char *args2 = tu_fmt("--persons %d --seed %d --uke '%s/uke2' --out '%s/csv2' --only vendor_a",
			     PERSONS, SEED, dir, dir);
	char *ika = tu_fmt("%s/uke/ika.uke", dir), *chozai = tu_fmt("%s/uke/chozai.uke", dir);
	char *j = tu_fmt("%s/uke.xml", dir), *body, *c, *e = NULL;
	long re_ika, re_chozai, sy, go;
	CU_ASSERT_EQUAL_FATAL(run_gen(args), 0);
	/* the same seed, the same bytes; and --uke changes no other file */
	CU_ASSERT_EQUAL_FATAL(run_gen(args2), 0);
	c = tu_fmt("cmp -s '%s/uke/ika.uke' '%s/uke2/ika.uke' && cmp -s '%s/uke/chozai.uke' "
		   "'%s/uke2/chozai.uke' && cmp -s '%s/csv/vendor_a.csv' '%s/csv2/vendor_a.csv'",
		   dir, dir, dir, dir, dir, dir);
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	free(c);
	re_ika = count_records(ika, "RE,");
	re_chozai = count_records(chozai, "RE,");
	sy = count_records(ika, "SY,");
	go = count_records(ika, "GO,") + count_records(chozai, "GO,");
	CU_ASSERT(re_ika > PERSONS * 2 && re_ika < PERSONS * 8); /* ~3.5 per person */
	CU_ASSERT(re_chozai > 0 && re_chozai < re_ika);
	CU_ASSERT_EQUAL(go, 2);
	/* every line is CRLF and CP932 (a kanji name is not UTF-8 there) */
	CU_ASSERT_EQUAL(count_records(ika, "IR,1,13,1,"), 1);
	body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<job xmlns=\"urn:colink:job:1\" name=\"uke\">\n"
		      "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		      "  <key file=\"%s\"/>\n"
		      "  <input mapping=\"%s/mappings/vendors/vendor_b.xml\" path=\"%s/csv/vendor_b.csv\"/>\n"
		      "  <input mapping=\"%s/mappings/association/uke_claim.xml\" path=\"%s\"/>\n"
		      "  <input mapping=\"%s/mappings/association/uke_diagnosis.xml\" path=\"%s\"/>\n"
		      "  <input mapping=\"%s/mappings/association/uke_claim.xml\" path=\"%s\"/>\n"
		      "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>\n"
		      "</job>\n", key, tu_srcdir(), dir, tu_srcdir(), ika, tu_srcdir(), ika, tu_srcdir(),
		      chozai, db);
	tu_write_file(j, body, strlen(body));
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(colink(c, &e), 0);
	if (e && *e && !strstr(e, "ok"))
		fprintf(stderr, "\n  run uke: %s\n", e);
	/* in_receipt reads every claim and diagnosis, rejects none */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT i.records_read FROM run_input i JOIN run r USING (run_id) "
				    "WHERE r.job_name = 'uke' AND i.input_no = 2"), re_ika);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT i.records_read FROM run_input i JOIN run r USING (run_id) "
				    "WHERE r.job_name = 'uke' AND i.input_no = 3"), sy);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT records_rejected FROM run WHERE job_name = 'uke'"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claim"), re_ika + re_chozai);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claim WHERE score_table = '4'"), re_chozai);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claim_diagnosis"), sy);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claim WHERE yen != points * 10"), 0);
	/* the persons' own cards: with vendor B's rows (the persons the XML
	 * archive does not carry the same way), every claim meets a checkup and
	 * the claims add no person of their own */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claim c WHERE NOT EXISTS (SELECT 1 FROM "
				    "checkup k WHERE k.person_no = c.person_no)"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM person WHERE person_no NOT IN (SELECT "
				    "person_no FROM checkup)"), 0);
	CU_ASSERT(tu_sql_long(db, "SELECT count(DISTINCT person_no) FROM claim") > PERSONS / 2);
	/* the months of FY2024 only */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM claim WHERE service_month < '2024-04-01' "
				    "OR service_month > '2025-03-01'"), 0);
	free(e);
	free(c);
	free(body);
	free(j);
	free(ika);
	free(chozai);
	free(args);
	free(args2);
}

/* --fixed and --xlsx (#20): vendor A's rows as fixed-width and as a
 * workbook; each loaded alone gives the warehouse of the CSV: the same
 * persons (pseudonyms of every kind) and the same checkup values. */
#define ALT_PERSONS 300
static int load_to(const char *name, const char *mapping, const char *path, const char *w)
{
	char *j = tu_fmt("%s/%s.xml", dir, name);
	char *body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<job xmlns=\"urn:colink:job:1\" name=\"%s\">\n"
			    "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
			    "  <key file=\"%s\"/>\n"
			    "  <input mapping=\"%s\" path=\"%s\"/>\n"
			    "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>\n"
			    "</job>\n", name, key, mapping, path, w);
	char *c = tu_fmt("run --unsigned-agreement '%s'", j), *e = NULL;
	int rc;
	tu_write_file(j, body, strlen(body));
	rc = colink(c, &e);
	if (rc)
		fprintf(stderr, "\n  run %s: %s\n", name, e ? e : "");
	free(j);
	free(body);
	free(c);
	free(e);
	return rc;
}

/* Every person with each pseudonym and checkup values the three formats share. */
static char *alt_rows(const char *w)
{
	return tu_sql1(w,
		       "SELECT group_concat(r, '|') FROM (SELECT c.exam_date || ',' || "
		       "ifnull(c.height,'-') || ',' || ifnull(c.weight,'-') || ',' || ifnull(c.bmi,'-') || ',' || "
		       "ifnull(c.sbp_1,'-') || ',' || ifnull(c.sbp_2,'-') || ',' || ifnull(c.hba1c,'-') || ',' || "
		       "ifnull(c.ldl,'-') || ',' || ifnull(c.urine_protein,'-') || ',' || c.age_at_exam || ',' || "
		       "p.sex || ',' || p.birth_ym || ',' || p.person_id || ',' || "
		       "(SELECT group_concat(kind || '=' || pseudonym, ';') FROM "
		       " (SELECT kind, pseudonym FROM person_key_hex k WHERE k.person_no = p.person_no "
		       "  ORDER BY kind, pseudonym)) AS r "
		       "FROM checkup c JOIN person p USING (person_no) ORDER BY p.person_id, c.exam_date)");
}

static void test_gen__fixed_and_xlsx_give_the_csv_warehouse(void)
{
	char *args = tu_fmt("--persons %d --seed %d --out '%s/alt' --only vendor_a --fixed --xlsx",
			    ALT_PERSONS, SEED, dir);
	char *d = tu_fmt("%s/alt", dir), *src = tu_fmt("%s/mappings/vendors/vendor_a.xml", tu_srcdir());
	char *mx = tu_fmt("%s/vendor_a_xlsx.xml", dir), *me = tu_fmt("%s/mappings/vendors/vendor_e.xml", tu_srcdir());
	char *text = tu_read_file(src, NULL), *a, *b, *mapping, *csv, *xlsx, *dat;
	char *wc = tu_fmt("%s/alt-csv.db", dir), *wx = tu_fmt("%s/alt-xlsx.db", dir), *wf = tu_fmt("%s/alt-fixed.db", dir);
	char *rc_, *rx, *rf;
	long rows;
	CU_ASSERT_EQUAL_FATAL(run_gen(args), 0);
	/* vendor_a.xml read with in_xlsx: its CSV settings dropped */
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	a = strstr(text, "<input plugin=\"in_csv\">");
	b = strstr(text, "</input>");
	CU_ASSERT_FATAL(a && b && a < b);
	*a = '\0';
	mapping = tu_fmt("%s<input plugin=\"in_xlsx\"/>%s", text, b + strlen("</input>"));
	tu_write_file(mx, mapping, strlen(mapping));
	csv = tu_fmt("%s/vendor_a.csv", d);
	xlsx = tu_fmt("%s/vendor_a.xlsx", d);
	dat = tu_fmt("%s/vendor_a.dat", d);
	CU_ASSERT_EQUAL_FATAL(load_to("alt-csv", src, csv, wc), 0);
	CU_ASSERT_EQUAL_FATAL(load_to("alt-xlsx", mx, xlsx, wx), 0);
	CU_ASSERT_EQUAL_FATAL(load_to("alt-fixed", me, dat, wf), 0);
	rows = tu_sql_long(wc, "SELECT count(*) FROM checkup");
	CU_ASSERT(rows > ALT_PERSONS / 2);
	CU_ASSERT_EQUAL(tu_sql_long(wx, "SELECT count(*) FROM checkup"), rows);
	CU_ASSERT_EQUAL(tu_sql_long(wf, "SELECT count(*) FROM checkup"), rows);
	CU_ASSERT_EQUAL(tu_sql_long(wx, "SELECT count(*) FROM reject") + tu_sql_long(wf, "SELECT count(*) FROM reject"),
			tu_sql_long(wc, "SELECT count(*) FROM reject") * 2);
	rc_ = alt_rows(wc);
	rx = alt_rows(wx);
	rf = alt_rows(wf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rc_);
	CU_ASSERT_PTR_NOT_NULL(strstr(rc_, "kana_dob_sex="));
	CU_ASSERT(rx && !strcmp(rc_, rx));
	CU_ASSERT(rf && !strcmp(rc_, rf));
	if (!rx || !rf || strcmp(rc_, rx) || strcmp(rc_, rf))
		fprintf(stderr, "\n  csv:   %.300s\n  xlsx:  %.300s\n  fixed: %.300s\n", rc_, rx ? rx : "",
			rf ? rf : "");
	free(rc_);
	free(rx);
	free(rf);
	free(args);
	free(d);
	free(src);
	free(mx);
	free(me);
	free(text);
	free(mapping);
	free(csv);
	free(xlsx);
	free(dat);
	free(wc);
	free(wx);
	free(wf);
}

static const struct tu_test tests[] = {
	TU_TEST(test_gen__same_seed_same_bytes),
	TU_TEST(test_gen__an_existing_archive_is_not_overwritten),
	TU_TEST(test_gen__xml_is_valid_under_the_mhlw_xsd),
	TU_TEST(test_gen__colink_loads_every_document),
	TU_TEST(test_gen__vendor_a_of_the_same_seed_adds_no_person),
	TU_TEST(test_gen__no_identifier_lands),
	TU_TEST(test_gen__employer_files_are_deterministic_and_change_nothing_else),
	TU_TEST(test_gen__employer_side_loads_and_links),
	TU_TEST(test_gen__uke_claims_parse_and_meet_the_persons),
	TU_TEST(test_gen__fixed_and_xlsx_give_the_csv_warehouse),
	TU_END
};

int main(void)
{
	if (tu_add_suite("gen", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
