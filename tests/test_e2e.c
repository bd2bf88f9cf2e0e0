/*
 * test_e2e.c -- the real `colink` binary, real dlopen'ed plugins, real
 * SQLite files: run the sample job and assert on what landed.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <iconv.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/catalog.h"
#include "identity/identity.h"
#include "core/mapping.h"
#include "core/run.h"
#include "testutil.h"

static char *dir;     /* scratch copy of the samples */
static char *db;      /* its warehouse */
static char *job;     /* its job file */
static char *out1, *err1; /* output of the first run */
static int rc1;

/* the binary under test, run from the current directory */
static int run_colink(const char *args, char **out, char **err)
{
	return tu_colink_run(NULL, args, out, err);
}

static void write_job(const char *path, const char *extra_options)
{
	char *body = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"e2e\">\n"
		"  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/>\n"
		"  <purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		"  <key file=\"sample.key\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"vendor_a.csv\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_b.xml\" path=\"vendor_b.csv\"/>\n"
		"  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"warehouse.db\"/></output>\n"
		"  %s\n"
		"</job>\n", tu_srcdir(), tu_srcdir(), extra_options);
	tu_write_file(path, body, strlen(body));
	free(body);
}

static int setup(void)
{
	char *c;
	dir = tu_mkdtemp("e2e");
	if (!dir)
		return 1;
	c = tu_fmt("cp '%s/samples/vendor_a.csv' '%s/samples/vendor_b.csv' '%s/'",
		   tu_srcdir(), tu_srcdir(), dir);
	if (tu_run(c, NULL, NULL)) {
		free(c);
		return 1;
	}
	free(c);
	job = tu_fmt("%s/job.xml", dir);
	db = tu_fmt("%s/warehouse.db", dir);
	write_job(job, "<options log=\"run.log\"/>");
	c = tu_fmt("key new '%s/sample.key'", dir);
	if (run_colink(c, NULL, NULL)) {
		free(c);
		return 1;
	}
	free(c);
	c = tu_fmt("-v run --json --unsigned-agreement '%s'", job);
	rc1 = run_colink(c, &out1, &err1);
	free(c);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(db);
	free(job);
	free(out1);
	free(err1);
	return 0;
}

static long q(const char *sql)
{
	return tu_sql_long(db, sql);
}

static void test_e2e__sample_run_commits_with_expected_rejects(void)
{
	if (rc1 != 1)
		fprintf(stderr, "\nstdout: %s\nstderr: %s\n", out1, err1);
	CU_ASSERT_EQUAL(rc1, 1); /* committed, with the samples' planted rejects */
	CU_ASSERT_PTR_NOT_NULL(strstr(out1, "\"status\":\"ok\""));
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run WHERE status='ok'"), 1);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run_input"), 2);
	/* counts balance: read = loaded + rejected, per input and in total */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run_input WHERE records_read != records_loaded + records_rejected"), 0);
	CU_ASSERT_EQUAL(q("SELECT records_read FROM run"), q("SELECT records_loaded + records_rejected FROM run"));
	CU_ASSERT_EQUAL(q("SELECT records_rejected FROM run"), q("SELECT count(*) FROM reject"));
	CU_ASSERT_EQUAL(q("SELECT records_loaded FROM run"), q("SELECT count(*) FROM checkup"));
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM reject"), 3);
}

static void test_e2e__rejects_name_line_column_and_reason(void)
{
	char *r;
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM reject WHERE reason IS NULL OR reason = '' OR record_no < 1"), 0);
	r = tu_sql1(db, "SELECT group_concat(source_column || ': ' || reason, ' | ') FROM reject");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "maximum 300"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "平成 ended on 2019-04-30"));
	free(r);
}

static void test_e2e__fixture_person_values_land_typed(void)
{
	/* person 1 of the MHLW fixture: b. 1970-05-15, exam 2024-06-10 */
	const char *w = "FROM checkup WHERE exam_date='2024-06-10' AND waist=92.0 AND sbp_1=146";
	char *s = tu_fmt("SELECT count(*) %s", w);
	CU_ASSERT_EQUAL(q(s), 1);
	free(s);
	CU_ASSERT_EQUAL(q("SELECT sbp_2 FROM checkup WHERE exam_date='2024-06-10' AND waist=92.0"), 142);
	CU_ASSERT_EQUAL(q("SELECT age_fy_end FROM checkup WHERE exam_date='2024-06-10' AND waist=92.0"), 54);
	CU_ASSERT_EQUAL(q("SELECT age_at_exam FROM checkup WHERE exam_date='2024-06-10' AND waist=92.0"), 54);
	CU_ASSERT_EQUAL(q("SELECT fiscal_year FROM checkup WHERE exam_date='2024-06-10' AND waist=92.0"), 2024);
	CU_ASSERT_EQUAL(q("SELECT p.birth_ym FROM checkup c JOIN person p USING(person_no) WHERE exam_date='2024-06-10' AND waist=92.0"), 197005);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM checkup WHERE exam_date='2024-06-10' AND waist=92.0 AND hba1c=6.0 AND ggt=110 AND typeof(hba1c)='real'"), 1);
	/* questionnaire: current smoker, answer code 1 */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM questionnaire qq JOIN checkup c USING(checkup_id) "
			  "WHERE c.exam_date='2024-06-10' AND c.waist=92.0 AND qq.field='q_smoking' AND qq.answer='1'"), 1);
	/* person 3: born 1979-01-01, age 46 on 2025-03-31 */
	CU_ASSERT_EQUAL(q("SELECT age_fy_end FROM checkup WHERE exam_date='2024-11-05' AND sbp_1=165"), 46);
}

static void test_e2e__null_reasons_and_lineage(void)
{
	/* 未実施 urine protein for person 2 keeps its reason in the long table */
	CU_ASSERT(q("SELECT count(*) FROM observation WHERE field='urine_protein' AND null_reason='not-performed'") >= 1);
	CU_ASSERT(q("SELECT count(*) FROM observation WHERE field='ldl' AND null_reason='unmeasurable'") >= 1);
	CU_ASSERT(q("SELECT count(*) FROM observation WHERE null_reason='below-range' AND value_text IS NOT NULL") >= 1);
	/* lineage: which column fed which field, per input */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM input_field_map WHERE input_no=1 AND field='sbp_1' AND source='収縮期血圧1'"), 1);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM checkup WHERE record_no IS NULL OR input_no IS NULL OR run_id IS NULL"), 0);
}

static void test_e2e__same_person_across_vendors_links(void)
{
	/* vendor B holds one person also in vendor A (CP932, full-width card
	 * fields, unpadded insurer number): one person, two checkups */
	CU_ASSERT(q("SELECT count(*) FROM (SELECT person_no FROM checkup GROUP BY person_no "
		    "HAVING count(DISTINCT input_no) = 2)") >= 1);
}

static void test_e2e__ledger_records_hashes_and_key_id(void)
{
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run_input WHERE length(sha256)=64 AND length(mapping_sha256)=64 AND size>0"), 2);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run WHERE length(key_id)=16 AND finished IS NOT NULL"), 1);
}

static void test_e2e__rerun_skips_identical_inputs(void)
{
	char *c = tu_fmt("run --unsigned-agreement '%s'", job), *o = NULL;
	long before = q("SELECT count(*) FROM checkup");
	int rc = run_colink(c, &o, NULL);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "skipped-duplicate"));
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM checkup"), before);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run WHERE status='ok'"), 2);
	free(c);
	free(o);
}

/* ---- the leak test: no raw identifier anywhere ---- */

struct needles {
	char **v;
	size_t n;
};

static void add_needle(struct needles *nd, const char *s, size_t len)
{
	if (len < 4)
		return;
	nd->v = realloc(nd->v, (nd->n + 1) * sizeof(char *));
	nd->v[nd->n] = malloc(len + 1);
	memcpy(nd->v[nd->n], s, len);
	nd->v[nd->n][len] = '\0';
	nd->n++;
}

/* The value, and the value with ASCII / full-width spaces and '-' removed. */
static void add_variants(struct needles *nd, const char *s)
{
	char buf[512];
	size_t o = 0;
	const char *p;
	add_needle(nd, s, strlen(s));
	for (p = s; *p && o < sizeof(buf) - 4; p++) {
		if (*p == ' ' || *p == '-' || *p == '/' || *p == '.')
			continue;
		if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80) {
			p += 2;
			continue;
		}
		buf[o++] = *p;
	}
	add_needle(nd, buf, o);
}

static char *to_utf8(const char *in, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	size_t cap = len * 3 + 1, il = len, ol = cap;
	char *out = calloc(1, cap), *ip = (char *)in, *op = out;
	iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	return out;
}

/* Collect identifier cells of a sample CSV (no quoted fields in samples). */
static void collect(struct needles *nd, const char *csv, const char *mapping, int cp932,
		    int min_ids)
{
	struct colink_catalog *cat = NULL;
	struct colink_variant_table *vt = NULL;
	struct colink_mapping *m = NULL;
	struct colink_error err = {0};
	char *dd = tu_fmt("%s/mappings", tu_srcdir()), *raw, *text, *line, *save = NULL;
	size_t len, i;
	int idcol[64] = {0}, ncols = 0, first = 1, c_ids;
	CU_ASSERT_EQUAL_FATAL(colink_env_load(&cat, &vt, dd, &err), 0);
	CU_ASSERT_EQUAL_FATAL(colink_mapping_load(&m, mapping, cat, vt, &err), 0);
	raw = tu_read_file(csv, &len);
	text = cp932 ? to_utf8(raw, len) : strdup(raw);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *cell, *rest = line;
		int c = 0;
		line[strcspn(line, "\r")] = '\0';
		/* strsep keeps empty cells; the samples quote only whole cells */
		while ((cell = strsep(&rest, ",")) && c < 64) {
			size_t cl = strlen(cell);
			if (cl >= 2 && cell[0] == '"' && cell[cl - 1] == '"') {
				cell[cl - 1] = '\0';
				cell++;
			}
			if (first) {
				for (i = 0; i < m->nfields; i++)
					if (m->fields[i].column && !strcmp(m->fields[i].column, cell) &&
					    (m->fields[i].field->flags & COLINK_FIELD_IDENTIFIER))
						idcol[c] = 1;
				ncols = c + 1;
			} else if (idcol[c]) {
				add_variants(nd, cell);
			}
			c++;
		}
		first = 0;
	}
	for (i = 0, c_ids = 0; i < 64; i++)
		c_ids += idcol[i];
	CU_ASSERT(c_ids >= min_ids); /* every identifier column was found in the header */
	CU_ASSERT(ncols > 5);
	free(raw);
	free(text);
	free(dd);
	colink_mapping_free(m);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
}

/*
 * A text to search, with what cannot carry a raw identifier blanked out:
 * runs of 16 or more hex digits (pseudonyms, hashes, run ids) and the
 * warehouse's own schema text (its comments cite OIDs such as 6.1002).
 */
static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void blank_hex_runs(char *b, size_t n)
{
	size_t i = 0, j;
	while (i < n) {
		for (j = i; j < n && is_hex(b[j]); j++)
			;
		if (j - i >= 16)
			memset(b + i, ' ', j - i);
		i = j > i ? j : i + 1;
	}
}

static void blank_schema(char *b, size_t n, const char *dbpath)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *sql = (const char *)sqlite3_column_text(st, 0);
			size_t l = strlen(sql);
			char *p = b;
			while (l && (p = memmem(p, n - (size_t)(p - b), sql, l)))
				memset(p, ' ', l);
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* 1 when needle occurs in b as a token: an all-digit needle must not be
 * part of a longer digit run (a card number inside a facility number). */
static int occurs(const char *b, size_t n, const char *needle)
{
	size_t l = strlen(needle), k;
	int digits = 1;
	const char *p = b;
	for (k = 0; k < l; k++)
		digits &= needle[k] >= '0' && needle[k] <= '9';
	while ((p = memmem(p, n - (size_t)(p - b), needle, l))) {
		int before = p > b && p[-1] >= '0' && p[-1] <= '9';
		int after = (size_t)(p - b) + l < n && p[l] >= '0' && p[l] <= '9';
		if (!digits || (!before && !after))
			return 1;
		p++;
	}
	return 0;
}

static char *searchable(const char *path, size_t *n, int is_db)
{
	char *b = tu_read_file(path, n);
	if (!b)
		return NULL;
	blank_hex_runs(b, *n);
	if (is_db)
		blank_schema(b, *n, path);
	return b;
}

/* Every cell of every warehouse table, compared whole with the needle. */
static long cells_equal(const char *dbpath, const char *needle)
{
	static const char *tables[] = {"run", "run_input", "input_field_map", "reject", "person",
				       "person_key", "checkup", "observation", "questionnaire",
				       "employee", "attendance_month", "stress_check", "stress_answer",
				       "claims_summary", "link", "link_review"};
	long hits = 0;
	size_t i;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		sqlite3 *h = NULL;
		sqlite3_stmt *st = NULL;
		char *sql = tu_fmt("SELECT * FROM %s", tables[i]);
		if (sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				int c;
				for (c = 0; c < sqlite3_column_count(st); c++) {
					const char *v = (const char *)sqlite3_column_text(st, c);
					if (v && !strcmp(v, needle))
						hits++;
				}
			}
		}
		sqlite3_finalize(st);
		sqlite3_close(h);
		free(sql);
	}
	return hits;
}

static void test_e2e__no_raw_identifier_anywhere(void)
{
	struct needles nd = {NULL, 0};
	char *a = tu_fmt("%s/vendor_a.csv", dir), *b = tu_fmt("%s/vendor_b.csv", dir);
	char *ma = tu_fmt("%s/mappings/vendors/vendor_a.xml", tu_srcdir());
	char *mb = tu_fmt("%s/mappings/vendors/vendor_b.xml", tu_srcdir());
	char *log = tu_fmt("%s/run.log", dir), *wal = tu_fmt("%s-wal", db);
	char *text[5];
	size_t len[5], i, k, leaks = 0;
	collect(&nd, a, ma, 0, 5);
	collect(&nd, b, mb, 1, 5);
	CU_ASSERT(nd.n >= 40); /* the samples really have identifiers to look for */
	text[0] = searchable(db, &len[0], 1);
	text[1] = searchable(wal, &len[1], 0);
	text[2] = searchable(log, &len[2], 0);
	text[3] = strdup(out1 ? out1 : "");
	len[3] = strlen(text[3]);
	blank_hex_runs(text[3], len[3]);
	text[4] = strdup(err1 ? err1 : "");
	len[4] = strlen(text[4]);
	blank_hex_runs(text[4], len[4]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text[0]);
	CU_ASSERT_PTR_NOT_NULL(text[2] && strstr(text[2], "loaded")); /* the log has content */
	for (i = 0; i < nd.n; i++) {
		for (k = 0; k < 5; k++) {
			if (text[k] && occurs(text[k], len[k], nd.v[i])) {
				fprintf(stderr, "\n  LEAK: identifier value #%zu of the samples found in %s\n", i,
					k == 0 ? "the warehouse" : k == 1 ? "the WAL" : k == 2 ? "the log" : "the output");
				leaks++;
			}
		}
		if (cells_equal(db, nd.v[i])) {
			fprintf(stderr, "\n  LEAK: identifier value #%zu is a warehouse cell\n", i);
			leaks++;
		}
		free(nd.v[i]);
	}
	CU_ASSERT_EQUAL(leaks, 0);
	for (k = 0; k < 5; k++)
		free(text[k]);
	free(nd.v);
	free(a);
	free(b);
	free(ma);
	free(mb);
	free(log);
	free(wal);
}

/*
 * The same search over the whole sample job -- both parties, claims, the
 * audit log -- and over what the programs release from it in pseudonymized
 * form (referral, guidance, smoking, the white paper's HTML and CSV).  The
 * identified lists are left out on purpose: carrying the employee number
 * is what they are for.
 */
static void test_e2e__no_raw_identifier_in_the_full_sample_run(void)
{
	static const struct {
		const char *csv, *mapping;
		int cp932, min_ids;
	} in[] = {
		{"vendor_a.csv", "vendors/vendor_a.xml", 0, 5},
		{"vendor_b.csv", "vendors/vendor_b.xml", 1, 5},
		{"claims_summary.csv", "association/claims_summary.xml", 0, 4},
		{"employer/roster.csv", "employer/roster.xml", 0, 8},
		{"employer/attendance_kot.csv", "employer/attendance_kot.xml", 1, 1},
		{"employer/attendance_freee.csv", "employer/attendance_freee.xml", 0, 1},
		{"employer/stress_check.csv", "employer/stress_check.xml", 0, 1},
		/* 傷病手当金 (#21 part 5): the card of every payment */
		{"association/allowance.csv", "association/allowance.xml", 0, 4},
	};
	static const char *const reports[] = {"referral", "guidance --all", "smoking"};
	struct needles nd = {NULL, 0};
	char *d = tu_mkdtemp("e2eall"), *c, *out = NULL, *err = NULL, *all, *wdb, *files;
	size_t i, k, len, leaks = 0;
	int rc;
	/* no sample.key either: ./quickstart.sh (README command 1) leaves one
	 * in the source tree, and this test makes its own */
	c = tu_fmt("cp -r '%s/samples' '%s/mappings' '%s/' && rm -rf '%s/samples/out' '%s/samples/keys' "
		   "'%s/samples/agreement.xml.sig' '%s/samples/sample.key' && mkdir '%s/samples/out'",
		   tu_srcdir(), tu_srcdir(), d, d, d, d, d, d);
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	free(c);
	/* the sample agreement signed by both parties, as the quick start does (#24) */
	c = tu_fmt("'%s/samples/sign-sample.sh' '%s' '%s/samples'", tu_srcdir(), tu_colink(), d);
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	free(c);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *csv = tu_fmt("%s/samples/%s", tu_srcdir(), in[i].csv);
		char *map = tu_fmt("%s/mappings/%s", tu_srcdir(), in[i].mapping);
		collect(&nd, csv, map, in[i].cp932, in[i].min_ids);
		free(csv);
		free(map);
	}
	CU_ASSERT(nd.n >= 100); /* both parties really have identifiers to look for */
	/* the free-text 傷病名 of the 傷病手当金 payments is <ignore>d: it must
	 * not be anywhere either */
	add_variants(&nd, "腰痛症");
	add_variants(&nd, "適応障害");
	add_variants(&nd, "自律神経失調症");
	c = tu_fmt("key new '%s/samples/sample.key'", d);
	CU_ASSERT_EQUAL_FATAL(run_colink(c, NULL, NULL), 0);
	free(c);
	/* everything the run and the reports print, then every file they
	 * wrote; the run logs in JSON lines and writes a metrics file (#22):
	 * both are searched too (the JSON log passes UTF-8 through, so an
	 * identifier would appear there as it is) */
	c = tu_fmt("-v --log-format=json run --json --metrics-file='%s/run.prom' '%s/samples/sample-job.xml'",
		   d, d);
	rc = run_colink(c, &out, &err);
	free(c);
	CU_ASSERT_EQUAL(rc, 1); /* the three planted rejects */
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "{\"time\":") && strstr(err, "\"level\":\"info\""));
	all = tu_fmt("%s\n%s", out ? out : "", err ? err : "");
	free(out);
	free(err);
	for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		char *prev = all;
		out = err = NULL;
		c = tu_fmt("report %s '%s/samples/sample-job.xml'", reports[i], d);
		CU_ASSERT_EQUAL(run_colink(c, &out, &err), 0);
		CU_ASSERT(out && strlen(out) > 40); /* the report has rows */
		all = tu_fmt("%s\n%s\n%s", prev, out ? out : "", err ? err : "");
		free(prev);
		free(out);
		free(err);
		free(c);
	}
	out = err = NULL;
	c = tu_fmt("report whitepaper '%s/samples/sample-job.xml' --fiscal-year 2024 -o '%s/wp'", d, d);
	CU_ASSERT_EQUAL(run_colink(c, &out, &err), 0);
	free(c);
	c = tu_fmt("%s\n%s\n%s", all, out ? out : "", err ? err : "");
	free(all);
	all = c;
	free(out);
	free(err);
	/* the text files: audit log, white paper HTML and CSVs, the metrics
	 * (the warehouse below) */
	files = NULL;
	c = tu_fmt("cd '%s' && cat samples/out/audit.log wp/whitepaper.html wp/csv/*.csv run.prom", d);
	CU_ASSERT_EQUAL(tu_run(c, &files, NULL), 0);
	free(c);
	CU_ASSERT_FATAL(files && strlen(files) > 10000);
	CU_ASSERT_PTR_NOT_NULL(strstr(files, "colink_input_records_read{")); /* the metrics are in */
	CU_ASSERT_PTR_NOT_NULL(strstr(files, "\"kind\":\"export\"")); /* reports were audited */
	c = tu_fmt("%s\n%s", all, files);
	free(all);
	free(files);
	all = c;
	len = strlen(all);
	wdb = tu_fmt("%s/samples/out/warehouse.db", d);
	{
		size_t blen = 0, wlen = 0;
		char *wal = tu_fmt("%s-wal", wdb);
		char *bin = searchable(wdb, &blen, 1), *wbin = searchable(wal, &wlen, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(bin);
		blank_hex_runs(all, len);
		for (i = 0; i < nd.n; i++) {
			if (occurs(all, len, nd.v[i]) || occurs(bin, blen, nd.v[i]) ||
			    (wbin && occurs(wbin, wlen, nd.v[i]))) {
				fprintf(stderr, "\n  LEAK: identifier value #%zu of the samples found in the "
					"run's or the reports' output or files\n", i);
				leaks++;
			}
			k = (size_t)cells_equal(wdb, nd.v[i]);
			if (k) {
				fprintf(stderr, "\n  LEAK: identifier value #%zu is a warehouse cell\n", i);
				leaks++;
			}
			free(nd.v[i]);
		}
		free(bin);
		free(wbin);
		free(wal);
	}
	CU_ASSERT_EQUAL(leaks, 0);
	free(nd.v);
	free(all);
	free(wdb);
	tu_rmtree(d);
	free(d);
}

/* ---- all-or-nothing, exit codes, the other verbs ---- */

static void test_e2e__other_key_refused_on_existing_warehouse(void)
{
	char *d = tu_mkdtemp("e2ekey"), *c, *e = NULL;
	char *j = tu_fmt("%s/job.xml", d);
	long persons = q("SELECT count(*) FROM person");
	/* same warehouse, same inputs, a different key */
	char *body = tu_fmt("<?xml version=\"1.0\"?>\n<job xmlns=\"urn:colink:job:1\" name=\"k\">"
			    "<agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>"
			    "<key file=\"other.key\"/><input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/vendor_a.csv\"/>"
			    "<output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output></job>\n",
			    tu_srcdir(), dir, db);
	tu_write_file(j, body, strlen(body));
	c = tu_fmt("key new '%s/other.key'", d);
	CU_ASSERT_EQUAL(run_colink(c, NULL, NULL), 0);
	free(c);
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(run_colink(c, NULL, &e), 5);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "holds pseudonyms made with key id"));
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person"), persons);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM run WHERE status='failed' AND message LIKE '%key id%'"), 1);
	tu_rmtree(d);
	free(d);
	free(c);
	free(e);
	free(j);
	free(body);
}

/* A job in folder D: vendor_a into warehouse WH, the setup's key, and
 * `options` (e.g. a log). */
static char *small_job(const char *d, const char *wh, const char *options)
{
	char *j = tu_fmt("%s/job.xml", d);
	char *body = tu_fmt("<?xml version=\"1.0\"?>\n<job xmlns=\"urn:colink:job:1\" name=\"s\">"
			    "<agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>"
			    "<key file=\"%s/sample.key\"/><input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/vendor_a.csv\"/>"
			    "<output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s\"/></output>%s</job>\n",
			    dir, tu_srcdir(), dir, wh, options);
	CU_ASSERT_EQUAL(tu_write_file(j, body, strlen(body)), 0);
	free(body);
	return j;
}

static unsigned file_mode(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0u : (unsigned)(st.st_mode & 07777);
}

/* Issue #24: run.log holds what the warehouse and the audit log hold
 * about a run, so it is created 0600 like them, whatever the umask. */
static void test_e2e__run_log_created_0600(void)
{
	char *d = tu_mkdtemp("e2elog"), *wh = tu_fmt("%s/w.db", d);
	char *log = tu_fmt("%s/run.log", d), *opt = tu_fmt("<options log=\"%s\"/>", log);
	char *j = small_job(d, wh, opt), *c = tu_fmt("run --unsigned-agreement '%s'", j);
	mode_t old = umask(022);
	int rc = run_colink(c, NULL, NULL);

	umask(old);
	CU_ASSERT(rc == 0 || rc == 1);
	CU_ASSERT_EQUAL(file_mode(wh), 0600);
	CU_ASSERT_EQUAL(file_mode(log), 0600);
	if (file_mode(log) != 0600)
		fprintf(stderr, "\n  run.log created %04o\n", file_mode(log));
	tu_rmtree(d);
	free(d);
	free(wh);
	free(log);
	free(opt);
	free(j);
	free(c);
}

/* Issue #24: a warehouse the run cannot write says so in one line, not
 * "setting synchronous: unable to open database file".  As root (modes do
 * not stop root) the folder is a tmpfs remounted read-only. */
static void test_e2e__read_only_warehouse_says_so(void)
{
	char *d = tu_mkdtemp("e2ero"), *m = tu_fmt("%s/ro", d), *wh = tu_fmt("%s/w.db", m);
	char *j = small_job(d, wh, ""), *c = tu_fmt("run --unsigned-agreement '%s'", j), *e = NULL;
	int root = geteuid() == 0, rc;

	CU_ASSERT_EQUAL_FATAL(mkdir(m, 0700), 0);
	if (root && mount("tmpfs", m, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m")) {
		printf("\n  read-only warehouse: cannot mount (%s); case skipped\n", strerror(errno));
		goto out;
	}
	rc = run_colink(c, NULL, NULL);
	CU_ASSERT(rc == 0 || rc == 1);
	if (root) {
		CU_ASSERT_EQUAL(mount("tmpfs", m, "tmpfs", MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
				      "size=4m"), 0);
	} else {
		CU_ASSERT(chmod(wh, 0400) == 0 && chmod(m, 0500) == 0);
	}
	CU_ASSERT_EQUAL(run_colink(c, NULL, &e), 5);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "the warehouse is read-only (or its directory is)"));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, wh));
	CU_ASSERT_PTR_NULL(e && strstr(e, "synchronous"));
	CU_ASSERT_PTR_NOT_NULL(e && !strchr(e, '\n')[1]); /* one line */
	if (!e || !strstr(e, "read-only"))
		fprintf(stderr, "\n  read-only warehouse: %s", e ? e : "(no message)");
	if (root) {
		CU_ASSERT_EQUAL(umount(m), 0);
	} else {
		chmod(m, 0700);
	}
out:
	tu_rmtree(d);
	free(d);
	free(m);
	free(wh);
	free(j);
	free(c);
	free(e);
}

static void test_e2e__failed_run_leaves_only_a_failed_ledger_row(void)
{
	char *d = tu_mkdtemp("e2efail");
	char *c = tu_fmt("cp '%s'/vendor_a.csv '%s'/vendor_b.csv '%s'/sample.key '%s'/", dir, dir, dir, d);
	char *j = tu_fmt("%s/job.xml", d), *w = tu_fmt("%s/warehouse.db", d), *e = NULL;
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	write_job(j, "<options max-rejected=\"0\"/>");
	free(c);
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(run_colink(c, NULL, &e), 5);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "max-rejected"));
	/* it still says why (#18): each reject, column and rule, on stderr */
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "input 1 record 11 (line 12): column 受診日: exam_date:"));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "input 1 record 12 (line 13): column 収縮期血圧1:"));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "input 2 record 10 (line 11): column 健診日:"));
	/* never a value: not the bad date, not the person's card number */
	CU_ASSERT_PTR_NULL(e && strstr(e, "2025-02-30"));
	CU_ASSERT_PTR_NULL(e && strstr(e, "310058"));
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM run WHERE status='failed' AND message LIKE '%max-rejected%'"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM checkup"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM reject"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT count(*) FROM person"), 0);
	tu_rmtree(d);
	free(d);
	free(c);
	free(j);
	free(w);
	free(e);
}

/* A failed run with more than 20 rejects: the first 10 on stderr, every one
 * in --json (#18); before, --json stopped at 20 and stderr had none. */
static void test_e2e__failed_run_lists_every_reject(void)
{
	char *d = tu_mkdtemp("e2efail2");
	char *c = tu_fmt("cp '%s'/vendor_a.csv '%s'/vendor_b.csv '%s'/sample.key '%s'/ && "
			 "for i in $(seq 25); do sed -n 12p '%s'/vendor_a.csv; done >> '%s'/vendor_a.csv",
			 dir, dir, dir, d, dir, d);
	char *j = tu_fmt("%s/job.xml", d), *o = NULL, *e = NULL, *p;
	size_t n = 0;
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	write_job(j, "<options max-rejected=\"5\"/>");
	free(c);
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(run_colink(c, NULL, &e), 5);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "28 records were rejected"));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "... and 18 more"));
	for (p = e; p && (p = strstr(p, "\n  input ")); p++)
		n++;
	CU_ASSERT_EQUAL(n, 10); /* records 11 and 12, then 8 of the copies */
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "input 1 record 12 (line 13): column 収縮期血圧1:"));
	free(c);
	c = tu_fmt("run --json --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(run_colink(c, &o, NULL), 5);
	for (n = 0, p = o; p && (p = strstr(p, "{\"input\":")); p++)
		n++;
	CU_ASSERT_EQUAL(n, 28);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "\"rejects_not_shown\":0"));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "{\"input\":2,\"record\":10,\"line\":11,"));
	tu_rmtree(d);
	free(d);
	free(c);
	free(j);
	free(o);
	free(e);
}

/* The folders of the warehouse and of the audit log are created, 0700,
 * when missing (#18); before, the run failed "No such file or directory". */
static void test_e2e__missing_output_folders_are_created_0700(void)
{
	char *d = tu_mkdtemp("e2edirs");
	char *c = tu_fmt("cp '%s'/vendor_a.csv '%s'/vendor_b.csv '%s'/sample.key '%s'/", dir, dir, dir, d);
	char *j = tu_fmt("%s/job.xml", d), *w = tu_fmt("%s/out/wh/warehouse.db", d);
	char *a = tu_fmt("%s/logs/audit.log", d), *p = tu_fmt("%s/out", d), *body;
	struct stat st;
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	body = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"e2e\">\n"
		"  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/>\n"
		"  <purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		"  <key file=\"sample.key\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"vendor_a.csv\"/>\n"
		"  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"out/wh/warehouse.db\"/></output>\n"
		"  <audit log=\"logs/audit.log\"/>\n"
		"</job>\n", tu_srcdir());
	tu_write_file(j, body, strlen(body));
	free(c);
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(run_colink(c, NULL, NULL), 1); /* vendor A's 2 planted rejects */
	CU_ASSERT_EQUAL(tu_sql_long(w, "SELECT records_rejected FROM run"), 2);
	CU_ASSERT_EQUAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
	free(p);
	p = tu_fmt("%s/out/wh", d);
	CU_ASSERT_EQUAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
	free(p);
	p = tu_fmt("%s/logs", d);
	CU_ASSERT_EQUAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
	CU_ASSERT_EQUAL(stat(a, &st), 0);
	tu_rmtree(d);
	free(d);
	free(c);
	free(j);
	free(w);
	free(a);
	free(p);
	free(body);
}

static void test_e2e__missing_input_and_bad_mapping_exit_codes(void)
{
	char *d = tu_mkdtemp("e2ebad"), *j = tu_fmt("%s/job.xml", d), *c, *e = NULL;
	char *m = tu_fmt("%s/bad.xml", d);
	const char *bad = "<?xml version=\"1.0\"?>\n<mapping xmlns=\"urn:colink:mapping:1\" id=\"x\" version=\"1\" kind=\"checkup\">\n"
			  "  <input plugin=\"in_csv\"><set name=\"encodng\" value=\"UTF-8\"/></input>\n"
			  "  <field target=\"insurer_number\" column=\"a\"/><field target=\"card_number\" column=\"b\"/>\n"
			  "  <field target=\"exam_date\" column=\"c\"/>\n</mapping>\n";
	write_job(j, "");
	c = tu_fmt("cp '%s'/sample.key '%s'/", dir, d);
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	free(c);
	c = tu_fmt("run --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(run_colink(c, NULL, &e), 4); /* vendor_a.csv is not there */
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "job.xml:6: input"));
	free(c);
	free(e);
	e = NULL;
	tu_write_file(m, bad, strlen(bad));
	c = tu_fmt("check '%s'", m);
	CU_ASSERT_EQUAL(run_colink(c, NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "bad.xml:3: unknown setting 'encodng' for plugin in_csv (valid: "));
	tu_rmtree(d);
	free(d);
	free(j);
	free(m);
	free(c);
	free(e);
}

static void test_e2e__check_plugins_preview(void)
{
	char *o = NULL, *c;
	c = tu_fmt("check --unsigned-agreement '%s'", job);
	CU_ASSERT_EQUAL(run_colink(c, &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, ": ok (job e2e"));
	free(c);
	free(o);
	CU_ASSERT_EQUAL(run_colink("plugins", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "in_csv"));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "out_sqlite"));
	free(o);
	CU_ASSERT_EQUAL(run_colink("plugins in_csv", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "encoding"));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "UTF-8|CP932"));
	free(o);
	{
		char *c2 = tu_fmt("preview -n 3 '%s/mappings/vendors/vendor_a.xml' ", tu_srcdir());
		char *c3 = tu_fmt("%s'%s/samples/vendor_a.csv'", c2, tu_srcdir());
		CU_ASSERT_EQUAL(run_colink(c3, &o, NULL), 0);
		CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "record 1 (line 2): person "));
		CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "sbp_1"));
		CU_ASSERT_PTR_NULL(o && strstr(o, "record 4"));
		CU_ASSERT_PTR_NULL(o && strstr(o, "06139992")); /* identifiers only as pseudonyms */
		free(o);
		free(c2);
		free(c3);
	}
	CU_ASSERT_EQUAL(run_colink("frobnicate", NULL, NULL), 2);
	CU_ASSERT_EQUAL(run_colink("--version", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "colink "));
	free(o);
}

/* ---- issue #24: unmapped identifier columns never land in observation ---- */

/* A vendor file with columns the mapping does not name: two identifiers
 * colink has no field for or that the mapping forgot (受診券整理番号, 氏名,
 * カナ氏名), a free comment and a lab item the catalogue does not know. */
static const char obs_csv[] =
	"保険者番号,被保険者証番号,受診日,生年月日,性別,受診券整理番号,氏名,カナ氏名,備考,ペプシノゲン\n"
	"06139992,77123456,2024-06-10,1970-05-15,1,24061000123,山田　太郎,ヤマダ　タロウ,特記事項なし,45.2\n"
	"06139992,77123457,2024-06-11,1980-02-01,2,24061100456,鈴木　花子,スズキ　ハナコ,再検査希望,38.0\n";
static const char *const obs_raw[] = {"24061000123", "24061100456", "山田", "鈴木", "ヤマダ",
				      "スズキ", "77123456", "77123457"};

/* Folder d gets `body` as obs.csv, a mapping whose <unmapped> is on line
 * 11 (with `extra` on line 10), and a job; returns the job's path. */
static char *obs_job_of(const char *d, const char *extra, const char *body_csv)
{
	char *csv = tu_fmt("%s/obs.csv", d), *map = tu_fmt("%s/obs.xml", d);
	char *j = tu_fmt("%s/job.xml", d);
	char *m = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<mapping xmlns=\"urn:colink:mapping:1\" id=\"obs\" version=\"1\" kind=\"checkup\">\n"
		"  <input plugin=\"in_csv\"><set name=\"encoding\" value=\"UTF-8\"/><set name=\"header\" value=\"true\"/></input>\n"
		"  <primary-key kind=\"card\"/>\n"
		"  <field target=\"insurer_number\" column=\"保険者番号\"/>\n"
		"  <field target=\"card_number\" column=\"被保険者証番号\"/>\n"
		"  <field target=\"birth_date\" column=\"生年月日\" format=\"iso\"/>\n"
		"  <field target=\"sex\" column=\"性別\" codemap=\"sex\"/>\n"
		"  <field target=\"exam_date\" column=\"受診日\" format=\"iso\"/>\n"
		"  %s\n"
		"  <unmapped columns=\"observation\"/>\n"
		"</mapping>\n", extra);
	char *body = tu_fmt("<?xml version=\"1.0\"?>\n<job xmlns=\"urn:colink:job:1\" name=\"obs\">"
			    "<agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>"
			    "<key file=\"%s/sample.key\"/><input mapping=\"%s\" path=\"%s\"/>"
			    "<output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s/w.db\"/></output>"
			    "<options log=\"%s/run.log\"/></job>\n", dir, map, csv, d, d);
	CU_ASSERT_EQUAL(tu_write_file(csv, body_csv, strlen(body_csv)), 0);
	CU_ASSERT_EQUAL(tu_write_file(map, m, strlen(m)), 0);
	CU_ASSERT_EQUAL(tu_write_file(j, body, strlen(body)), 0);
	free(csv);
	free(map);
	free(m);
	free(body);
	return j;
}

static char *obs_job(const char *d, const char *extra)
{
	return obs_job_of(d, extra, obs_csv);
}

/* Leaks of obs_raw in the warehouse (file, WAL, cells), the log and text. */
static size_t obs_leaks(const char *d, const char *text)
{
	char *wh = tu_fmt("%s/w.db", d), *wal = tu_fmt("%s/w.db-wal", d);
	char *log = tu_fmt("%s/run.log", d);
	size_t i, leaks = 0;
	for (i = 0; i < sizeof(obs_raw) / sizeof(obs_raw[0]); i++) {
		const char *r = obs_raw[i];
		int hit = tu_file_contains(wh, r, strlen(r)) || tu_file_contains(wal, r, strlen(r)) ||
			  tu_file_contains(log, r, strlen(r)) || (text && strstr(text, r)) ||
			  (access(wh, F_OK) == 0 && cells_equal(wh, r));
		if (hit)
			fprintf(stderr, "\n  LEAK: raw value #%zu of obs.csv found\n", i);
		leaks += hit;
	}
	free(wh);
	free(wal);
	free(log);
	return leaks;
}

static void test_e2e__unmapped_identifier_columns_refused_before_any_data_moves(void)
{
	char *d = tu_mkdtemp("e2eobs"), *j = obs_job(d, ""), *c, *o = NULL, *e = NULL, *all;
	char *where = tu_fmt("%s/obs.xml:11: ", d), *wh = tu_fmt("%s/w.db", d);
	int rc;
	c = tu_fmt("check --unsigned-agreement '%s'", j);
	rc = run_colink(c, &o, &e);
	CU_ASSERT_EQUAL(rc, 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, where));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "受診券整理番号"));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "<ignore column="));
	if (rc != 3 || !e || !strstr(e, where))
		fprintf(stderr, "\n  check: exit %d: %s", rc, e ? e : "");
	all = tu_fmt("%s%s", o ? o : "", e ? e : "");
	CU_ASSERT_EQUAL(obs_leaks(d, all), 0);
	free(all);
	free(c);
	free(o);
	free(e);
	o = e = NULL;
	/* the run is refused like an invalid mapping: nothing is written */
	c = tu_fmt("-v run --unsigned-agreement '%s'", j);
	rc = run_colink(c, &o, &e);
	CU_ASSERT_EQUAL(rc, 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, where));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "受診券整理番号"));
	CU_ASSERT_EQUAL(access(wh, F_OK), -1);
	all = tu_fmt("%s%s", o ? o : "", e ? e : "");
	CU_ASSERT_EQUAL(obs_leaks(d, all), 0);
	if (rc != 3)
		fprintf(stderr, "\n  run: exit %d: %s", rc, e ? e : "");
	free(all);
	free(c);
	free(o);
	free(e);
	free(j);
	free(where);
	free(wh);
	tu_rmtree(d);
	free(d);
}

/* Each identifier column named alone is still refused; named in <ignore>
 * they are dropped, and the comment and the unknown lab item still load. */
static void test_e2e__unmapped_observation_loads_once_identifiers_are_ignored(void)
{
	static const char *const alone[] = {
		"<ignore column=\"氏名\"/><ignore column=\"カナ氏名\"/>",
		"<ignore column=\"受診券整理番号\"/><ignore column=\"カナ氏名\"/>",
		"<ignore column=\"受診券整理番号\"/><ignore column=\"氏名\"/>",
	};
	static const char *const named[] = {"受診券整理番号", "氏名", "カナ氏名"};
	char *d = tu_mkdtemp("e2eobs2"), *j, *c, *o = NULL, *e = NULL, *all, *wh = tu_fmt("%s/w.db", d);
	size_t i;
	int rc;
	for (i = 0; i < 3; i++) {
		char *want = tu_fmt("column \"%s\"", named[i]);
		j = obs_job(d, alone[i]);
		c = tu_fmt("run --unsigned-agreement '%s'", j);
		CU_ASSERT_EQUAL(run_colink(c, NULL, &e), 3);
		CU_ASSERT_PTR_NOT_NULL(e && strstr(e, want));
		if (!e || !strstr(e, want))
			fprintf(stderr, "\n  %s: %s", named[i], e ? e : "");
		free(e);
		e = NULL;
		free(c);
		free(j);
		free(want);
	}
	j = obs_job(d, "<ignore column=\"受診券整理番号\"/><ignore column=\"氏名\"/><ignore column=\"カナ氏名\"/>");
	c = tu_fmt("check --unsigned-agreement '%s'", j);
	CU_ASSERT_EQUAL(run_colink(c, NULL, NULL), 0);
	free(c);
	c = tu_fmt("-v run --unsigned-agreement '%s'", j);
	rc = run_colink(c, &o, &e);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\n  run: exit %d: %s", rc, e ? e : "");
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM checkup"), 2);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM observation WHERE value_text='特記事項なし'"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM observation WHERE value_text='45.2'"), 1);
	all = tu_fmt("%s%s", o ? o : "", e ? e : "");
	CU_ASSERT_EQUAL(obs_leaks(d, all), 0);
	free(all);
	free(c);
	free(o);
	free(e);
	free(j);
	free(wh);
	tu_rmtree(d);
	free(d);
}

/* A comment column whose name says nothing but one of whose values is a
 * phone number, mid-file: that record is rejected naming the column, the
 * others load, and the number is nowhere. */
static void test_e2e__identifier_shaped_value_in_a_kept_column_rejects_its_record(void)
{
	static const char body[] =
		"保険者番号,被保険者証番号,受診日,生年月日,性別,受診券整理番号,氏名,カナ氏名,備考,ペプシノゲン\n"
		"06139992,77123456,2024-06-10,1970-05-15,1,24061000123,山田　太郎,ヤマダ　タロウ,特記事項なし,45.2\n"
		"06139992,77123457,2024-06-11,1980-02-01,2,24061100456,鈴木　花子,スズキ　ハナコ,連絡先 090-3141-5926,38.0\n"
		"06139992,77123458,2024-06-12,1975-03-03,1,24061200789,佐藤　一郎,サトウ　イチロウ,再検査希望,40.1\n";
	char *d = tu_mkdtemp("e2eobs3"), *wh = tu_fmt("%s/w.db", d), *c, *o = NULL, *e = NULL, *all;
	char *j = obs_job_of(d, "<ignore column=\"受診券整理番号\"/><ignore column=\"氏名\"/><ignore column=\"カナ氏名\"/>",
			     body);
	int rc;
	c = tu_fmt("-v run --unsigned-agreement '%s'", j);
	rc = run_colink(c, &o, &e);
	CU_ASSERT_EQUAL(rc, 1); /* committed, one record rejected */
	if (rc != 1)
		fprintf(stderr, "\n  run: exit %d: %s", rc, e ? e : "");
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM checkup"), 2);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM reject WHERE source_column='備考' "
				    "AND reason LIKE '%shaped like a phone number%' AND record_no=2"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM observation WHERE value_text='再検査希望'"), 1);
	all = tu_fmt("%s%s", o ? o : "", e ? e : "");
	CU_ASSERT_EQUAL(obs_leaks(d, all), 0);
	CU_ASSERT(!tu_file_contains(wh, "3141", 4) && !strstr(all, "3141"));
	free(all);
	free(c);
	free(o);
	free(e);
	free(j);
	free(wh);
	tu_rmtree(d);
	free(d);
}


/* The five faults of one vendor_a row, in the order of vendor_a.xml's
 * columns: 保険者番号 (check digit), 枝番 (3 digits), 生年月日 and 受診日
 * (years out of range), 性別 (9, not in the sex code map). */
static const char *const five_columns[] = {"保険者番号", "枝番", "生年月日", "性別", "受診日"};
static const char *const five_reasons[] = {
	"insurer_number: insurer number check digit does not match",
	"card_branch: branch number must be 1 or 2 digits",
	"birth_date: year outside 1868-2200",
	"sex: code not in codemap 'sex'",
	"exam_date: year outside 1868-2200"};

/* Every needle occurs in s, each after the one before. */
static int in_order(const char *s, const char *const *needles, size_t n)
{
	size_t i;
	for (i = 0; s && i < n; i++) {
		const char *at = strstr(s, needles[i]);
		if (!at)
			return 0;
		s = at + strlen(needles[i]);
	}
	return s != NULL;
}

/* A row with five independent faults is one rejected record with five
 * reasons, in column order, everywhere: --dry-run (nothing written),
 * preview, run --json's reject sample, and the reject table (#25). */
static void test_e2e__every_reason_of_a_record_is_reported_once(void)
{
	char *d = tu_fmt("%s/five", dir), *csv = tu_fmt("%s/five/five.csv", dir);
	char *jp = tu_fmt("%s/five/job.xml", dir), *wh = tu_fmt("%s/five/w.db", dir);
	char *c, *out = NULL, *body, *r;
	const char *needles[10];
	size_t i;
	c = tu_fmt("mkdir -p '%s' && head -2 '%s/samples/vendor_a.csv' > '%s' && sed -n 2p '%s/samples/vendor_a.csv' | "
		   "awk -F, 'BEGIN{OFS=\",\"}{$1=\"06139993\";$4=\"123\";$6=\"1850-05-15\";$7=\"9\";$8=\"2300-06-10\";print}' >> '%s' && "
		   "sed -n 3p '%s/samples/vendor_a.csv' >> '%s' && cp '%s/sample.key' '%s/'",
		   d, tu_srcdir(), csv, tu_srcdir(), csv, tu_srcdir(), csv, dir, d);
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	free(c);
	body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<job xmlns=\"urn:colink:job:1\" name=\"five\">\n"
		      "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/>\n"
		      "  <purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		      "  <key file=\"sample.key\"/>\n"
		      "  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"five.csv\"/>\n"
		      "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"w.db\"/></output>\n"
		      "</job>\n", tu_srcdir());
	tu_write_file(jp, body, strlen(body));
	free(body);
	for (i = 0; i < 5; i++) {
		needles[2 * i] = five_columns[i];
		needles[2 * i + 1] = five_reasons[i];
	}

	/* --dry-run: the same exit code as the run, every reason, nothing written */
	c = tu_fmt("run --dry-run --unsigned-agreement '%s'", jp);
	CU_ASSERT_EQUAL(run_colink(c, &out, NULL), 1);
	CU_ASSERT(in_order(out, needles, 10));
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "3 read, 2 loaded, 1 rejected") : NULL);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "record 2 (line 3)") : NULL);
	CU_ASSERT_PTR_NULL(out ? strstr(out, "06139993") : NULL); /* never the value */
	CU_ASSERT_PTR_NULL(out ? strstr(out, "1850-05-15") : NULL);
	CU_ASSERT_NOT_EQUAL(access(wh, F_OK), 0);
	r = tu_fmt("%s/audit.log", d);
	CU_ASSERT_NOT_EQUAL(access(r, F_OK), 0);
	free(r);
	free(out);
	free(c);
	c = tu_fmt("run --dry-run --json --unsigned-agreement '%s'", jp);
	CU_ASSERT_EQUAL(run_colink(c, &out, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "\"dry_run\":true") : NULL);
	CU_ASSERT(in_order(out, needles, 10));
	CU_ASSERT_NOT_EQUAL(access(wh, F_OK), 0);
	free(out);
	free(c);

	/* preview: the first reason on the REJECTED line, the others under it */
	c = tu_fmt("preview '%s/mappings/vendors/vendor_a.xml' '%s'", tu_srcdir(), csv);
	CU_ASSERT_EQUAL(run_colink(c, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "REJECTED column 保険者番号: insurer_number") : NULL);
	CU_ASSERT(in_order(out, needles, 10));
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "  and column 受診日: exam_date") : NULL);
	free(out);
	free(c);

	/* the run: the --json reject sample and one reject row per reason */
	c = tu_fmt("run --json --unsigned-agreement '%s'", jp);
	CU_ASSERT_EQUAL(run_colink(c, &out, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "\"rejected\":1,") : NULL);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "\"rejects\":[{\"input\":1,\"record\":2,\"line\":3,\"reasons\":[{\"column\":\"保険者番号\"") : NULL);
	CU_ASSERT(in_order(out, needles, 10));
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT records_rejected FROM run"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT records_loaded FROM run"), 2);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM (SELECT DISTINCT input_no, record_no FROM reject)"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM reject WHERE record_no = 2"), 5);
	r = tu_sql1(wh, "SELECT group_concat(source_column || ': ' || reason, ' | ') FROM "
		    "(SELECT source_column, reason FROM reject ORDER BY rowid)");
	CU_ASSERT(in_order(r, needles, 10));
	free(r);
	free(out);
	free(c);

	/* a dry run over an existing warehouse leaves it byte for byte; it
	 * goes through the output (#18), which sees the input loaded before */
	{
		size_t n1 = 0, n2 = 0;
		char *before = tu_read_file(wh, &n1), *after;
		c = tu_fmt("run --dry-run --unsigned-agreement '%s'", jp);
		CU_ASSERT_EQUAL(run_colink(c, NULL, NULL), 0);
		after = tu_read_file(wh, &n2);
		CU_ASSERT(before && after && n1 == n2 && !memcmp(before, after, n1));
		CU_ASSERT_EQUAL(tu_sql_long(wh, "SELECT count(*) FROM run"), 1);
		free(before);
		free(after);
		free(c);
	}
	free(d);
	free(csv);
	free(jp);
	free(wh);
}

static const struct tu_test tests[] = {
	TU_TEST(test_e2e__sample_run_commits_with_expected_rejects),
	TU_TEST(test_e2e__rejects_name_line_column_and_reason),
	TU_TEST(test_e2e__fixture_person_values_land_typed),
	TU_TEST(test_e2e__null_reasons_and_lineage),
	TU_TEST(test_e2e__same_person_across_vendors_links),
	TU_TEST(test_e2e__ledger_records_hashes_and_key_id),
	TU_TEST(test_e2e__no_raw_identifier_anywhere),
	TU_TEST(test_e2e__no_raw_identifier_in_the_full_sample_run),
	TU_TEST(test_e2e__rerun_skips_identical_inputs),
	TU_TEST(test_e2e__failed_run_leaves_only_a_failed_ledger_row),
	TU_TEST(test_e2e__failed_run_lists_every_reject),
	TU_TEST(test_e2e__missing_output_folders_are_created_0700),
	TU_TEST(test_e2e__other_key_refused_on_existing_warehouse),
	TU_TEST(test_e2e__run_log_created_0600),
	TU_TEST(test_e2e__read_only_warehouse_says_so),
	TU_TEST(test_e2e__missing_input_and_bad_mapping_exit_codes),
	TU_TEST(test_e2e__check_plugins_preview),
	TU_TEST(test_e2e__unmapped_identifier_columns_refused_before_any_data_moves),
	TU_TEST(test_e2e__unmapped_observation_loads_once_identifiers_are_ignored),
	TU_TEST(test_e2e__identifier_shaped_value_in_a_kept_column_rejects_its_record),
	TU_TEST(test_e2e__every_reason_of_a_record_is_reported_once),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
