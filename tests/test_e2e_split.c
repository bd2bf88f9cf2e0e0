/*
 * test_e2e_split.c -- split-site mode: each site runs `colink pseudonymize`
 * on its own raw files; the linkage site loads the extracts with only the
 * key id, never the key.  The result must equal a direct load.
 */
#include <CUnit/Basic.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char *dir, *kid;

/* the binary under test, run from the test's scratch directory */
static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(dir, args, out, err);
}

static void job(const char *name, const char *key, const char *inputs, const char *db)
{
	char *p = tu_fmt("%s/%s.xml", dir, name);
	char *b = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<job xmlns=\"urn:colink:job:1\" name=\"%s\">\n"
			 "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
			 "  %s\n  %s\n"
			 "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>\n"
			 "</job>\n", name, key, inputs, db);
	tu_write_file(p, b, strlen(b));
	free(p);
	free(b);
}

static int setup(void)
{
	char *in_a, *in_b, *in_x, *keyid;
	dir = tu_mkdtemp("split");
	if (colink("key new site.key", NULL, NULL) || colink("key new other.key", NULL, NULL) ||
	    colink("key id site.key", &kid, NULL))
		return 1;
	kid[strcspn(kid, "\n")] = '\0';
	in_a = tu_fmt("<input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/samples/vendor_a.csv\"/>",
		      tu_srcdir(), tu_srcdir());
	in_b = tu_fmt("<input mapping=\"%s/mappings/vendors/mhlw_xml.xml\" path=\"%s/tests/data/mhlw_fixture\"/>",
		      tu_srcdir(), tu_srcdir());
	in_x = tu_fmt("<input mapping=\"%s/mappings/vendors/extract.xml\" path=\"ex_*.db\"/>", tu_srcdir());
	keyid = tu_fmt("<key id=\"%s\"/>", kid);
	job("site_a", "<key file=\"site.key\"/>", in_a, "unused_a.db");
	job("site_b", "<key file=\"site.key\"/>", in_b, "unused_b.db");
	job("direct", "<key file=\"site.key\"/>", in_a, "direct.db");
	job("link", keyid, in_x, "linked.db");
	job("raw_no_key", keyid, in_a, "bad.db");
	free(in_a);
	free(in_b);
	free(in_x);
	free(keyid);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(kid);
	return 0;
}

static char *path(const char *name)
{
	return tu_fmt("%s/%s", dir, name);
}

static void test_e2e_split__each_site_writes_a_self_contained_extract(void)
{
	char *a = path("ex_a.db"), *b = path("ex_b.db"), *wal = path("ex_a.db-wal");
	struct stat st;
	int rc = colink("pseudonymize --unsigned-agreement site_a.xml ex_a.db", NULL, NULL);
	CU_ASSERT_EQUAL(rc, 1); /* vendor A's two planted rejects */
	CU_ASSERT_EQUAL(colink("pseudonymize --unsigned-agreement site_b.xml ex_b.db", NULL, NULL), 0);
	CU_ASSERT_EQUAL(stat(wal, &st), -1); /* one file, no WAL beside it */
	CU_ASSERT_EQUAL(tu_sql_long(a, "SELECT count(*) FROM checkup"), 10);
	CU_ASSERT_EQUAL(tu_sql_long(b, "SELECT count(*) FROM checkup"), 3);
	{
		char *sql = tu_fmt("SELECT count(*) FROM run WHERE key_id='%s' AND status='ok'", kid);
		CU_ASSERT_EQUAL(tu_sql_long(a, sql), 1);
		free(sql);
	}
	/* the extract was never the job's declared output */
	{
		char *u = path("unused_a.db");
		CU_ASSERT_EQUAL(access(u, F_OK), -1);
		free(u);
	}
	free(a);
	free(b);
	free(wal);
}

static void test_e2e_split__extracts_hold_no_raw_identifier(void)
{
	static const char *needles[] = {"テスト　イチロウ", "テストイチロウ", "テスト イチロウ", "19700515",
					"1970-05-15", "1956-08-20", "19790101", "06139992", "４５６７",
					"00001234"};
	char *a = path("ex_a.db"), *b = path("ex_b.db");
	size_t i;
	for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
		CU_ASSERT_FALSE(tu_file_contains(a, needles[i], strlen(needles[i])));
		CU_ASSERT_FALSE(tu_file_contains(b, needles[i], strlen(needles[i])));
	}
	free(a);
	free(b);
}

static void test_e2e_split__linkage_site_needs_only_the_key_id(void)
{
	char *w = path("linked.db"), *d = path("direct.db"), *o = NULL, *e = NULL;
	const char *rows = "SELECT group_concat(x, ';') FROM (SELECT p.person_id || exam_date || "
			   "coalesce(sbp_1,'') || coalesce(hba1c,'') || age_fy_end || fiscal_year || "
			   "coalesce(urine_protein,'') AS x FROM checkup JOIN person p USING (person_no) "
			   "ORDER BY x)";
	char *r1, *r2;
	int rc = colink("run --unsigned-agreement link.xml", &o, &e);
	/* ex_a then ex_b: the three XML exams are the same person and date as
	 * three CSV rows: rejected as duplicates within one run, which proves
	 * the two sites' pseudonyms agree */
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM reject WHERE reason LIKE 'duplicate checkup%'"), 3);
	CU_ASSERT_EQUAL(colink("run --unsigned-agreement direct.xml", NULL, NULL), 1);
	r1 = tu_sql1(w, rows);
	r2 = tu_sql1(d, rows);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
	CU_ASSERT_STRING_EQUAL(r1, r2); /* same persons, values and ages as a direct load */
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM person_key"),
			tu_sql_long(d, "SELECT count(*) FROM person_key"));
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM observation WHERE null_reason='not-performed'"),
			tu_sql_long(d, "SELECT count(*) FROM observation WHERE null_reason='not-performed'"));
	free(r1);
	free(r2);
	free(w);
	free(d);
	free(o);
	free(e);
}

/* An extract written before schema v4 names persons by pseudonym
 * (checkup.person_id, person_key.person_id, no person_no): the linkage site
 * still reads it, with the same result as a direct load.  The v3 extract
 * is made from a v4 one by renaming those columns back and storing the
 * pseudonym in them. */
static void test_e2e_split__reads_an_extract_of_schema_v3(void)
{
	static const char to_v3[] =
		"ALTER TABLE checkup RENAME COLUMN person_no TO person_id;"
		"UPDATE checkup SET person_id = (SELECT p.person_id FROM person p WHERE p.person_no = checkup.person_id);"
		"ALTER TABLE person_key RENAME COLUMN person_no TO person_id;"
		"UPDATE person_key SET person_id = (SELECT p.person_id FROM person p "
		"WHERE p.person_no = person_key.person_id);"
		"DELETE FROM schema_version WHERE version > 3;";
	const char *rows = "SELECT group_concat(x, ';') FROM (SELECT p.person_id || exam_date || "
			   "coalesce(sbp_1,'') || coalesce(hba1c,'') || age_fy_end || fiscal_year || "
			   "coalesce(urine_protein,'') AS x FROM checkup JOIN person p USING (person_no) "
			   "ORDER BY x)";
	const char *keys = "SELECT group_concat(x, ';') FROM (SELECT p.person_id || k.kind || k.pseudonym "
			   "AS x FROM person_key k JOIN person p USING (person_no) ORDER BY x)";
	char *ex3 = path("v3_a.db"), *w = path("linked_v3.db"), *d = path("direct.db"), *e = NULL;
	char *ex = path("ex_a.db");
	char *in = tu_fmt("<input mapping=\"%s/mappings/vendors/extract.xml\" path=\"v3_a.db\"/>", tu_srcdir());
	char *copy = tu_fmt("VACUUM INTO '%s'", ex3), *keyid = tu_fmt("<key id=\"%s\"/>", kid), *r1, *r2;
	sqlite3 *h = NULL;
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(ex, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, copy, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(ex3, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, to_v3, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	/* it is the v3 shape: pseudonyms in checkup and person_key, no person_no */
	CU_ASSERT_EQUAL(tu_sql_long(ex3, "SELECT count(*) FROM pragma_table_info('checkup') WHERE name = 'person_no'"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(ex3, "SELECT count(*) FROM checkup c JOIN person p USING (person_id)"), 10);
	CU_ASSERT_EQUAL(tu_sql_long(ex3, "SELECT count(*) FROM person_key k JOIN person p USING (person_id)"),
			tu_sql_long(ex3, "SELECT count(*) FROM person_key"));
	job("link_v3", keyid, in, "linked_v3.db");
	CU_ASSERT_EQUAL(colink("run --unsigned-agreement link_v3.xml", NULL, &e), 0);
	r1 = tu_sql1(w, rows);
	r2 = tu_sql1(d, rows);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
	CU_ASSERT_STRING_EQUAL(r1, r2); /* same persons, values and ages as a direct load */
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM person_key"),
			tu_sql_long(d, "SELECT count(*) FROM person_key"));
	free(r1);
	free(r2);
	r1 = tu_sql1(w, keys); /* every pseudonym of every person, as a direct load */
	r2 = tu_sql1(d, keys);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
	CU_ASSERT_STRING_EQUAL(r1, r2);
	free(r1);
	free(r2);
	free(ex);
	free(ex3);
	free(w);
	free(d);
	free(e);
	free(in);
	free(copy);
	free(keyid);
}

static void test_e2e_split__refusals(void)
{
	char *e = NULL;
	/* an extract is always a new file */
	CU_ASSERT_EQUAL(colink("pseudonymize --unsigned-agreement site_a.xml ex_a.db", NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "already exists"));
	free(e);
	e = NULL;
	/* a key id alone cannot pseudonymize raw identifiers */
	CU_ASSERT_EQUAL(colink("run --unsigned-agreement raw_no_key.xml", NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "only for jobs whose inputs are all extracts"));
	free(e);
	e = NULL;
	/* an extract made with another key is refused, nothing lands */
	{
		char *in = tu_fmt("<input mapping=\"%s/mappings/vendors/extract.xml\" path=\"ex_a.db\"/>", tu_srcdir());
		char *w = path("other.db");
		job("other", "<key file=\"other.key\"/>", in, "other.db");
		CU_ASSERT_EQUAL(colink("run --unsigned-agreement other.xml", NULL, &e), 5);
		CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "the extract was made with key id"));
		CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM checkup"), 0);
		free(in);
		free(w);
	}
	free(e);
}


/* Copy a SQLite file and run `sql` on the copy. */
static void copy_db(const char *from, const char *to, const char *sql)
{
	char *f = path(from), *t = path(to), *copy = tu_fmt("VACUUM INTO '%s'", t);
	sqlite3 *h = NULL;
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(f, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, copy, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(t, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	free(f);
	free(t);
	free(copy);
}

/*
 * #24 finding 4: pseudonyms depend on the identity-normalization version
 * (colink's folding rules, the Unicode tables of the installed utf8proc).
 * The ledger of every run -- an extract's too -- records it; an extract
 * or a warehouse of another version is refused, one that recorded none
 * (older than schema 5) is loaded with a warning.
 */
static void test_e2e_split__normalization_version_recorded_and_compared(void)
{
	char *ex = path("ex_a.db"), *e = NULL, *v;
	char *keyid = tu_fmt("<key id=\"%s\"/>", kid);
	char *in_old = tu_fmt("<input mapping=\"%s/mappings/vendors/extract.xml\" path=\"norm_old.db\"/>", tu_srcdir());
	char *in_none = tu_fmt("<input mapping=\"%s/mappings/vendors/extract.xml\" path=\"norm_none.db\"/>", tu_srcdir());
	char *in_a = tu_fmt("<input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/samples/vendor_a.csv\"/>",
			    tu_srcdir(), tu_srcdir());
	char *w_old = path("norm_old_w.db"), *w_none = path("norm_none_w.db"), *w_dir = path("norm_dir.db");
	v = tu_sql1(ex, "SELECT group_concat(DISTINCT normalization) FROM run WHERE status = 'ok'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(strncmp(v, "colink-norm 2; Unicode ", 23), 0);
	free(v);
	/* an extract made under another version: refused, nothing lands */
	copy_db("ex_a.db", "norm_old.db", "UPDATE run SET normalization = 'colink-norm 1; Unicode 9.0.0'");
	job("norm_old", keyid, in_old, "norm_old_w.db");
	CU_ASSERT_EQUAL(colink("run --unsigned-agreement norm_old.xml", NULL, &e), 5);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "norm_old.db: the extract's pseudonyms were made under identity "
					      "normalization 'colink-norm 1; Unicode 9.0.0'; this colink normalizes under "
					      "'colink-norm 2; Unicode "));
	CU_ASSERT_EQUAL(tu_sql_long(w_old, "SELECT count(*) FROM checkup"), 0);
	free(e);
	e = NULL;
	/* one that recorded none (an older colink): loaded, with a warning */
	copy_db("ex_a.db", "norm_none.db", "UPDATE run SET normalization = NULL");
	job("norm_none", keyid, in_none, "norm_none_w.db");
	CU_ASSERT_EQUAL(colink("run --unsigned-agreement norm_none.xml", NULL, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "norm_none.db: the extract does not record its identity normalization"));
	CU_ASSERT_EQUAL(tu_sql_long(w_none, "SELECT count(*) FROM checkup"), 10);
	free(e);
	e = NULL;
	/* a warehouse whose runs were made under another version: refused */
	job("norm_dir", "<key file=\"site.key\"/>", in_a, "norm_dir.db");
	CU_ASSERT_EQUAL(colink("run --unsigned-agreement norm_dir.xml", NULL, NULL), 1); /* loaded, with rejects */
	CU_ASSERT_EQUAL(tu_sql_long(w_dir, "SELECT count(*) FROM run WHERE normalization LIKE 'colink-norm 2; Unicode %'"), 1);
	copy_db("norm_dir.db", "norm_dir2.db", "UPDATE run SET normalization = 'colink-norm 1; Unicode 9.0.0'");
	job("norm_dir2", "<key file=\"site.key\"/>", in_a, "norm_dir2.db");
	CU_ASSERT_NOT_EQUAL(colink("run --unsigned-agreement norm_dir2.xml", NULL, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "norm_dir2.db: the warehouse holds pseudonyms made under identity "
					      "normalization 'colink-norm 1; Unicode 9.0.0'"));
	{
		char *w2 = path("norm_dir2.db");
		CU_ASSERT_EQUAL(tu_sql_long(w2, "SELECT count(*) FROM run WHERE status = 'ok'"), 1);
		free(w2);
	}
	free(e);
	free(ex);
	free(keyid);
	free(in_old);
	free(in_none);
	free(in_a);
	free(w_old);
	free(w_none);
	free(w_dir);
}

static const struct tu_test tests[] = {
	TU_TEST(test_e2e_split__each_site_writes_a_self_contained_extract),
	TU_TEST(test_e2e_split__extracts_hold_no_raw_identifier),
	TU_TEST(test_e2e_split__linkage_site_needs_only_the_key_id),
	TU_TEST(test_e2e_split__reads_an_extract_of_schema_v3),
	TU_TEST(test_e2e_split__refusals),
	TU_TEST(test_e2e_split__normalization_version_recorded_and_compared),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_split", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
