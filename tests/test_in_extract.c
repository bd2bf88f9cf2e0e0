/*
 * test_in_extract.c -- the extract reader in_extract gets through the host
 * table (host->extract_read, engine/warehouse): an extract written by a
 * real `colink pseudonymize` of vendor A's sample, read record by record;
 * the same extract turned into the v3 shape still read alike; a file that
 * is not an extract refused with one line.  (tests/test_e2e_split drives
 * the plugin itself through the binary: a load via extracts equals a
 * direct load.)
 */
#include <CUnit/Basic.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/host.h"
#include "testutil.h"

static char *dir, *ex, *kid;

static int setup(void)
{
	char *p, *b;
	dir = tu_mkdtemp("in_extract");
	ex = tu_fmt("%s/ex_a.db", dir);
	p = tu_fmt("%s/site_a.xml", dir);
	b = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<job xmlns=\"urn:colink:job:1\" name=\"site_a\">\n"
		   "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		   "  <key file=\"site.key\"/>\n"
		   "  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/samples/vendor_a.csv\"/>\n"
		   "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"unused.db\"/></output>\n"
		   "</job>\n", tu_srcdir(), tu_srcdir());
	tu_write_file(p, b, strlen(b));
	free(p);
	free(b);
	if (tu_colink_run(dir, "key new site.key", NULL, NULL) ||
	    tu_colink_run(dir, "key id site.key", &kid, NULL))
		return 1;
	kid[strcspn(kid, "\n")] = '\0';
	return tu_colink_run(dir, "pseudonymize --unsigned-agreement site_a.xml ex_a.db", NULL, NULL) > 1;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(ex);
	free(kid);
	return 0;
}

struct seen {
	long records, fields, in_record;
	long key_ids_ok, with_card, with_fy, with_sbp, flags, null_reasons;
	char first_name[64];
	int first_ok;
	long stop_after;
};

static int on_field(void *ud, const struct colink_extract_field *f)
{
	struct seen *s = ud;
	CU_ASSERT_EQUAL(f->struct_size, sizeof(*f));
	if (!s->in_record++)
		s->first_ok += !strcmp(f->name, "extract.key_id");
	if (!strcmp(f->name, "extract.key_id"))
		s->key_ids_ok += f->value && !strcmp(f->value, kid);
	s->with_card += !strcmp(f->name, "pseudonym.card") && f->value && strlen(f->value) == 64;
	s->with_fy += !strcmp(f->name, "derived.fiscal_year") && f->value && !strcmp(f->value, "2024");
	s->with_sbp += !strcmp(f->name, "sbp_1");
	s->flags += f->flag != NULL;
	s->null_reasons += f->null_reason != NULL;
	s->fields++;
	return 0;
}

static int on_end(void *ud)
{
	struct seen *s = ud;
	s->records++;
	s->in_record = 0;
	return s->stop_after && s->records == s->stop_after ? COLINK_EABORT : 0;
}

static int read_extract(const char *path, struct seen *s, struct colink_error *err)
{
	struct colink_host h;
	struct colink_extract_sink sink = {sizeof(sink), on_field, on_end, s};
	colink_host_init(&h);
	CU_ASSERT(h.struct_size >= offsetof(struct colink_host, extract_read) + sizeof(h.extract_read));
	CU_ASSERT_PTR_NOT_NULL_FATAL(h.extract_read);
	return h.extract_read(NULL, path, &sink, err);
}

static void test_in_extract__records_and_fields_of_an_extract(void)
{
	struct seen s;
	struct colink_error err = {0};
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(read_extract(ex, &s, &err), 0);
	CU_ASSERT_EQUAL(s.records, 10); /* vendor A's 12 rows less its 2 planted rejects */
	CU_ASSERT_EQUAL(s.records, tu_sql_long(ex, "SELECT count(*) FROM checkup"));
	CU_ASSERT_EQUAL(s.first_ok, 10); /* every record starts with the key id */
	CU_ASSERT_EQUAL(s.key_ids_ok, 10);
	CU_ASSERT_EQUAL(s.with_card, 10);
	CU_ASSERT_EQUAL(s.with_fy, tu_sql_long(ex, "SELECT count(*) FROM checkup WHERE fiscal_year = 2024"));
	/* one sbp_1 per checkup that has one: the observation text or the column, never both */
	CU_ASSERT_EQUAL(s.with_sbp, tu_sql_long(ex, "SELECT count(*) FROM checkup WHERE sbp_1 IS NOT NULL"));
	CU_ASSERT_EQUAL(s.flags, tu_sql_long(ex, "SELECT count(*) FROM observation WHERE flag IS NOT NULL"));
	CU_ASSERT_EQUAL(s.null_reasons,
			tu_sql_long(ex, "SELECT count(*) FROM observation WHERE null_reason IS NOT NULL") +
			tu_sql_long(ex, "SELECT count(*) FROM questionnaire WHERE null_reason IS NOT NULL"));
	/* a sink's stop is returned as it is */
	memset(&s, 0, sizeof(s));
	s.stop_after = 3;
	CU_ASSERT_EQUAL(read_extract(ex, &s, &err), COLINK_EABORT);
	CU_ASSERT_EQUAL(s.records, 3);
}

static void test_in_extract__reads_a_v3_extract_alike(void)
{
	static const char to_v3[] =
		"ALTER TABLE checkup RENAME COLUMN person_no TO person_id;"
		"UPDATE checkup SET person_id = (SELECT p.person_id FROM person p WHERE p.person_no = checkup.person_id);"
		"ALTER TABLE person_key RENAME COLUMN person_no TO person_id;"
		"UPDATE person_key SET person_id = (SELECT p.person_id FROM person p "
		"WHERE p.person_no = person_key.person_id);"
		"DELETE FROM schema_version WHERE version > 3;";
	char *v3 = tu_fmt("%s/v3.db", dir), *copy = tu_fmt("VACUUM INTO '%s'", v3);
	struct seen a, b;
	struct colink_error err = {0};
	sqlite3 *h = NULL;
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(ex, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, copy, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(v3, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, to_v3, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CU_ASSERT_EQUAL(read_extract(ex, &a, &err), 0);
	CU_ASSERT_EQUAL(read_extract(v3, &b, &err), 0);
	CU_ASSERT_EQUAL(b.records, 10);
	CU_ASSERT_EQUAL(b.fields, a.fields);
	CU_ASSERT_EQUAL(b.with_card, 10);
	free(v3);
	free(copy);
}

static void test_in_extract__refuses_a_file_that_is_not_an_extract(void)
{
	char *txt = tu_fmt("%s/notes.txt", dir);
	struct seen s;
	struct colink_error err = {0};
	memset(&s, 0, sizeof(s));
	tu_write_file(txt, "hello, world\n", 13);
	CU_ASSERT_EQUAL(read_extract(txt, &s, &err), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "notes.txt: not a colink extract"));
	CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
	CU_ASSERT_EQUAL(s.records, 0);
	free(txt);
}

static const struct tu_test tests[] = {
	TU_TEST(test_in_extract__records_and_fields_of_an_extract),
	TU_TEST(test_in_extract__reads_a_v3_extract_alike),
	TU_TEST(test_in_extract__refuses_a_file_that_is_not_an_extract),
	TU_END
};

int main(void)
{
	if (tu_add_suite("in_extract", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
