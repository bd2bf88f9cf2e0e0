/*
 * test_e2e_dry.c -- `colink run --dry-run` goes through the output (#18):
 * both parties' samples, a checkup repeated within the run and linkage,
 * through the real binary and the real out_sqlite.  The dry run must find
 * what only the output finds (the duplicate, the links, inputs loaded
 * before), report the same figures as the real run, and leave nothing:
 * no warehouse or folder created, an existing warehouse and audit log
 * byte for byte as they were, no ledger row.  An output that cannot
 * (out_postgres) is not opened, with a note.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char *dir, *db, *audit;

static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(dir, args, out, err);
}

static void write_job(const char *name, const char *output)
{
	const char *s = tu_srcdir();
	char *p = tu_fmt("%s/%s", dir, name);
	char *body = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"dry\">\n"
		"  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/><key file=\"k.key\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"vendor_a.csv\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_b.xml\" path=\"%s/samples/vendor_b.csv\"/>\n"
		"  <input mapping=\"%s/mappings/employer/roster.xml\" path=\"%s/samples/employer/roster.csv\"/>\n"
		"  %s\n"
		"  <link><pass key=\"card\"/><pass key=\"kana_dob_sex_insurer\"/></link>\n"
		"  <audit log=\"out/audit.log\"/>\n"
		"</job>\n", s, s, s, s, s, output);
	tu_write_file(p, body, strlen(body));
	free(p);
	free(body);
}

static int setup(void)
{
	char *c;
	dir = tu_mkdtemp("dry");
	db = tu_fmt("%s/out/w.db", dir);
	audit = tu_fmt("%s/out/audit.log", dir);
	/* vendor A with its second data row once more at the end: the output's
	 * within-run duplicate check rejects record 31 */
	c = tu_fmt("cp '%s/samples/vendor_a.csv' '%s/' && sed -n 2p '%s/samples/vendor_a.csv' >> '%s/vendor_a.csv'",
		   tu_srcdir(), dir, tu_srcdir(), dir);
	if (tu_run(c, NULL, NULL)) {
		free(c);
		return 1;
	}
	free(c);
	write_job("job.xml", "<output plugin=\"out_sqlite\"><set name=\"path\" value=\"out/w.db\"/></output>");
	write_job("pg.xml", "<output plugin=\"out_postgres\"><set name=\"conninfo\" value=\"host=/nonexistent dbname=none\"/></output>");
	return colink("key new k.key", NULL, NULL) ? 1 : 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(db);
	free(audit);
	return 0;
}

/* The text of "KEY":N in JSON s, or -1. */
static long json_num(const char *s, const char *key)
{
	char *k = tu_fmt("\"%s\":", key);
	const char *at = s ? strstr(s, k) : NULL;
	long v = at ? strtol(at + strlen(k), NULL, 10) : -1;
	free(k);
	return v;
}

/* No raw identifier of the inputs (name, birth date, card number) in
 * what a dry run prints, on stdout or stderr. */
static void no_raw(const char *out, const char *err)
{
	static const char *const raw[] = {"テスト イチロウ", "1970-05-15", "00001234", "サトウ ケンジ"};
	size_t i;
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		CU_ASSERT_PTR_NULL(out ? strstr(out, raw[i]) : NULL);
		CU_ASSERT_PTR_NULL(err ? strstr(err, raw[i]) : NULL);
	}
}

static void test_e2e_dry__dry_run_finds_what_the_output_finds_and_writes_nothing(void)
{
	char *out = NULL, *err = NULL, *o2 = NULL, *outdir = tu_fmt("%s/out", dir);
	long rd, ld, rj, lt, amb;
	/* first, with no warehouse at all */
	CU_ASSERT_EQUAL(colink("run --dry-run --unsigned-agreement job.xml", &out, &err), 1);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "dry run "));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "loaded and linked, then rolled back"));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "  link: 18 association persons, 18 employer persons"));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "duplicate checkup for this person and exam date (input 1 record 1)"));
	CU_ASSERT_PTR_NULL(out ? strstr(out, "note:") : "");
	CU_ASSERT_NOT_EQUAL(access(outdir, F_OK), 0); /* not even the folder */
	no_raw(out, err);
	free(out);
	free(err);
	CU_ASSERT_EQUAL(colink("run --dry-run --json --unsigned-agreement job.xml", &out, &err), 1);
	no_raw(out, err);
	free(err);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "\"dry_run\":true,\"dry_run_output\":true,"));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "\"reason\":\"duplicate checkup for this person and exam date (input 1 record 1)\""));
	CU_ASSERT_NOT_EQUAL(access(outdir, F_OK), 0);
	rd = json_num(out, "read");
	ld = json_num(out, "loaded");
	rj = json_num(out, "rejected");
	lt = json_num(out, "linked_total");
	amb = json_num(out, "ambiguous");

	/* the real run has the same figures, and keeps them */
	CU_ASSERT_EQUAL(colink("run --json --unsigned-agreement job.xml", &o2, NULL), 1);
	CU_ASSERT_EQUAL(json_num(o2, "read"), rd);
	CU_ASSERT_EQUAL(json_num(o2, "loaded"), ld);
	CU_ASSERT_EQUAL(json_num(o2, "rejected"), rj);
	CU_ASSERT_EQUAL(json_num(o2, "linked_total"), lt);
	CU_ASSERT_EQUAL(json_num(o2, "ambiguous"), amb);
	CU_ASSERT(lt > 0 && rj == 4); /* 3 planted + the duplicate */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM reject WHERE reason LIKE 'duplicate checkup%'"), 1);
	free(out);
	free(o2);
	free(outdir);
}

/* Over an existing warehouse: inputs loaded before are seen as such, and
 * the warehouse and the audit log stay byte for byte; no ledger row. */
static void test_e2e_dry__existing_warehouse_and_audit_log_unchanged(void)
{
	size_t n1 = 0, n2 = 0, a1 = 0, a2 = 0;
	char *out = NULL, *before = tu_read_file(db, &n1), *abefore = tu_read_file(audit, &a1);
	char *after, *aafter, *wal;
	long runs = tu_sql_long(db, "SELECT count(*) FROM run");
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	CU_ASSERT_PTR_NOT_NULL_FATAL(abefore);
	wal = tu_fmt("%s-wal", db);
	CU_ASSERT_EQUAL(colink("run --dry-run --json --unsigned-agreement job.xml", &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "\"status\":\"skipped-duplicate\""));
	CU_ASSERT_EQUAL(json_num(out, "loaded"), 0);
	after = tu_read_file(db, &n2);
	aafter = tu_read_file(audit, &a2);
	CU_ASSERT(after && n1 == n2 && !memcmp(before, after, n1));
	CU_ASSERT(aafter && a1 == a2 && !memcmp(abefore, aafter, a1));
	/* no -wal left behind (the test's own read-only reads leave one,
	 * which the dry run's read-write reader removes as a run does) */
	CU_ASSERT_NOT_EQUAL(access(wal, F_OK), 0);
	free(wal);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM run"), runs);
	free(out);
	free(before);
	free(after);
	free(abefore);
	free(aafter);
}

/* out_postgres cannot do a dry run: it is not opened (no server needed),
 * the summary says so, and no linkage is reported. */
static void test_e2e_dry__output_without_support_is_not_opened(void)
{
	char *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(colink("run --dry-run --unsigned-agreement pg.xml", &out, &err), 1);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "note: out_postgres cannot do a dry run"));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "(dry run: not opened; nothing written)"));
	CU_ASSERT_PTR_NULL(out ? strstr(out, "  link:") : "");
	no_raw(out, err);
	free(out);
	free(err);
	CU_ASSERT_EQUAL(colink("run --dry-run --json --unsigned-agreement pg.xml", &out, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "\"dry_run_output\":false"));
	free(out);
}

/* The 16-hex prefix after "  card  " in preview output, as a LIKE pattern. */
static char *card_prefix(const char *out)
{
	const char *at = out ? strstr(out, "  card ") : NULL;
	if (!at)
		return NULL;
	at += strlen("  card ");
	while (*at == ' ')
		at++;
	return tu_fmt("%.16s%%", at);
}

/* preview --job (#18): the job's key and agreement, so the pseudonyms are
 * the ones the run stored (runs after the first test's real run); the
 * mapping is the job's <input> that names the file; a roster record has
 * no exam date: "age unknown", never "age -1". */
static void test_e2e_dry__preview_with_the_job_gives_the_run_pseudonyms(void)
{
	char *out = NULL, *err = NULL, *like, *sql, *c;
	CU_ASSERT_EQUAL(colink("preview -n 3 --job job.xml vendor_a.csv", &out, &err), 0);
	like = card_prefix(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(like);
	/* (both sides' persons carry the card: one or two rows) */
	sql = tu_fmt("SELECT count(*) > 0 FROM person_key_hex WHERE kind = 'card' AND pseudonym LIKE '%s'", like);
	CU_ASSERT_EQUAL(tu_sql_long(db, sql), 1);
	no_raw(out, err);
	free(out);
	free(err);
	free(like);
	free(sql);
	/* without the job: a throw-away key, another pseudonym */
	c = tu_fmt("preview -n 3 '%s/mappings/vendors/vendor_a.xml' vendor_a.csv", tu_srcdir());
	CU_ASSERT_EQUAL(colink(c, &out, NULL), 0);
	free(c);
	like = card_prefix(out);
	sql = tu_fmt("SELECT count(*) FROM person_key_hex WHERE pseudonym LIKE '%s'", like ? like : "x");
	CU_ASSERT_EQUAL(tu_sql_long(db, sql), 0);
	free(out);
	free(like);
	free(sql);
	/* the roster: found by its path in the job, no exam date */
	c = tu_fmt("preview -n 2 --job job.xml '%s/samples/employer/roster.csv'", tu_srcdir());
	CU_ASSERT_EQUAL(colink(c, &out, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, ", age unknown\n"));
	CU_ASSERT_PTR_NULL(out ? strstr(out, "age -1") : "");
	no_raw(out, err);
	free(c);
	free(out);
	free(err);
	/* a file the job does not name, without a mapping: said so */
	CU_ASSERT_EQUAL(colink("preview --job job.xml k.key", NULL, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "no <input> of job.xml names this file"));
	free(err);
}

static const struct tu_test tests[] = {
	TU_TEST(test_e2e_dry__dry_run_finds_what_the_output_finds_and_writes_nothing),
	TU_TEST(test_e2e_dry__existing_warehouse_and_audit_log_unchanged),
	TU_TEST(test_e2e_dry__preview_with_the_job_gives_the_run_pseudonyms),
	TU_TEST(test_e2e_dry__output_without_support_is_not_opened),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_dry", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
