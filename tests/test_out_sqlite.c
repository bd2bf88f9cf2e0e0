/*
 * test_out_sqlite.c -- the SQLite warehouse plugin, loaded with dlopen as
 * the engine loads it, driven by hand-built records, asserted on the rows
 * that land in a real SQLite file.
 */
#include <CUnit/Basic.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "colink/plugin.h"
#include "mock_host.h"
#include "testutil.h"

static const struct colink_plugin *P;

/* 64-hex pseudonyms: 16 copies of 4 hex digits. */
#define H16(x) x x x x x x x x x x x x x x x x
#define PERSON_A H16("a1a1")
#define PERSON_B H16("b2b2")
#define CARD_A H16("c3c3")
#define KANA_A H16("d4d4")
#define EMP_A H16("e5e5")

/* A small catalogue: rows of mappings/common/fields.tsv. */
enum { F_SEX, F_EXAM_DATE, F_SBP1, F_HBA1C, F_UPROT, F_HBA1C_JDS, F_QSMOKE,
       F_CARD, F_DERIVED, F_N };

static const struct colink_field_def cat[F_N] = {
	[F_SEX] = { "sex", "person", "sex", COLINK_T_CODE, NULL, NULL,
		    "1.2.392.200119.6.1104", 0, "性別" },
	[F_EXAM_DATE] = { "exam_date", "checkup", "exam_date", COLINK_T_DATE,
			  NULL, NULL, NULL, 0, "健診実施日" },
	[F_SBP1] = { "sbp_1", "checkup", "sbp_1", COLINK_T_DECIMAL, "mm[Hg]",
		     NULL, NULL, 0, "収縮期血圧 1回目" },
	[F_HBA1C] = { "hba1c", "checkup", "hba1c", COLINK_T_DECIMAL, "%", NULL,
		      NULL, 0, "HbA1c (NGSP)" },
	[F_UPROT] = { "urine_protein", "checkup", "urine_protein", COLINK_T_CODE,
		      NULL, NULL, "1.2.392.200119.6.2102", 0, "尿蛋白" },
	[F_HBA1C_JDS] = { "hba1c_jds", "observation", NULL, COLINK_T_DECIMAL,
			  "%", NULL, NULL, 0, "HbA1c (JDS)" },
	[F_QSMOKE] = { "q_smoking", "questionnaire", NULL, COLINK_T_CODE, NULL,
		       NULL, "1.2.392.200119.6.24060", 0, "喫煙" },
	[F_CARD] = { "card_number", "-", NULL, COLINK_T_TEXT, NULL, NULL,
		     "1.2.392.200119.6.205",
		     COLINK_FIELD_IDENTIFIER | COLINK_FIELD_NOT_STORED,
		     "被保険者証等番号" },
	[F_DERIVED] = { "derived_only", "-", NULL, COLINK_T_TEXT, NULL, NULL,
			NULL, COLINK_FIELD_NOT_STORED, "used for derivations" },
};

/* ------------------------------------------------------------------ */
/* Fixture helpers                                                      */
/* ------------------------------------------------------------------ */

struct fx {
	char *dir;
	char *db;
	struct mock_host m;
	void *ctx;
	struct colink_error err;
};

static void fx_open(struct fx *f, const char *extra)
{
	char *path;
	const char *settings[4] = { NULL, NULL, NULL, NULL };
	memset(f, 0, sizeof(*f));
	f->dir = tu_mkdtemp("outsq");
	f->db = tu_fmt("%s/w.db", f->dir);
	mock_host_init(&f->m);
	path = tu_fmt("path=%s", f->db);
	settings[0] = path;
	settings[1] = extra;
	CU_ASSERT_EQUAL_FATAL(mock_plugin_init(P, &f->m, settings, &f->ctx, &f->err),
			      COLINK_OK);
	free(path);
}

/* A second instance on the same warehouse. */
static int fx_other(struct fx *f, const char *extra, void **ctx,
		    struct mock_host *m, struct colink_error *err)
{
	char *path = tu_fmt("path=%s", f->db);
	const char *settings[3] = { path, extra, NULL };
	int rc;
	mock_host_init(m);
	rc = mock_plugin_init(P, m, settings, ctx, err);
	free(path);
	return rc;
}

static void fx_close(struct fx *f)
{
	P->fini(f->ctx);
	mock_host_reset(&f->m);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->db);
}

static struct colink_run_info run_info(const char *run_id)
{
	struct colink_run_info r;
	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	r.run_id = run_id;
	r.job_name = "collabo-2024";
	r.job_path = "/jobs/collabo.xml";
	r.job_sha256 = H16("0f0f");
	r.purpose = "collabo-health";
	r.key_id = "k1";
	r.os_user = "tester";
	r.started = "2024-06-01T00:00:00Z";
	r.version = "0.1-test";
	r.nfields = F_N;
	r.fields = cat;
	return r;
}

static int begin(struct fx *f, const char *run_id)
{
	struct colink_run_info r = run_info(run_id);
	return P->output->begin(f->ctx, &r, &f->err);
}

static int commit(struct fx *f, uint64_t read, uint64_t loaded, uint64_t rejected)
{
	struct colink_run_summary s = { "ok", NULL, "2024-06-01T00:05:00Z",
					read, loaded, rejected };
	return P->output->commit(f->ctx, &s, &f->err);
}

static struct colink_input_info input(uint32_t no, const char *sha256)
{
	struct colink_input_info in;
	memset(&in, 0, sizeof(in));
	in.input_no = no;
	in.path = "/data/vendor_a.csv";
	in.sha256 = sha256;
	in.size = 1234;
	in.plugin = "in_csv";
	in.mapping_path = "/maps/vendor_a.xml";
	in.mapping_sha256 = H16("1e1e");
	in.mapping_id = "vendor_a";
	in.status = "loaded";
	return in;
}

/* One record under construction. */
struct recb {
	struct colink_out_value v[16];
	struct colink_pseudonym ps[3];
	struct colink_out_record r;
};

static struct colink_out_value *add(struct recb *b, int field, int type,
				    const char *text, const char *source)
{
	struct colink_out_value *ov = &b->v[b->r.nvalues++];
	memset(ov, 0, sizeof(*ov));
	ov->field = field >= 0 ? &cat[field] : NULL;
	ov->source = source;
	ov->v.type = type;
	ov->v.text = text;
	ov->v.raw = text;
	return ov;
}

/* A checkup of `person` on 2024-05-10 with a card and a kana pseudonym. */
static void rec_init(struct recb *b, const char *person, uint64_t record_no)
{
	memset(b, 0, sizeof(*b));
	b->ps[0].kind = "card";
	b->ps[0].value = CARD_A;
	b->ps[1].kind = "kana_dob_sex";
	b->ps[1].value = KANA_A;
	b->r.struct_size = sizeof(b->r);
	b->r.kind = "checkup";
	b->r.input_no = 1;
	b->r.record_no = record_no;
	b->r.line_no = record_no + 1;
	b->r.person = person;
	b->r.npseudonyms = 2;
	b->r.pseudonyms = b->ps;
	b->r.values = b->v;
	b->r.birth_ym = 198504;
	b->r.age_at_exam = 39;
	b->r.age_fy_end = 39;
	b->r.fiscal_year = 2024;
	add(b, F_EXAM_DATE, COLINK_T_DATE, "2024/05/10", "受診日")->v.i = 20240510;
}

static int write_rec(struct fx *f, struct recb *b)
{
	return P->output->write(f->ctx, &b->r, &f->err);
}

/* Assert that a single-value query returns `expect` (NULL: SQL NULL). */
#define SQL_EQ(db, expect, ...) sql_eq(db, expect, __LINE__, __VA_ARGS__)

static void sql_eq(const char *db, const char *expect, int line, const char *fmt, ...)
{
	va_list ap;
	char *sql = NULL, *got;
	int ok;
	va_start(ap, fmt);
	if (vasprintf(&sql, fmt, ap) < 0)
		sql = NULL;
	va_end(ap);
	got = tu_sql1(db, sql);
	ok = expect ? got && !strcmp(got, expect) : !got;
	if (!ok)
		fprintf(stderr, "\nline %d: %s\n  expected %s, got %s\n", line, sql,
			expect ? expect : "NULL", got ? got : "NULL");
	CU_ASSERT(ok);
	free(got);
	free(sql);
}

static void exec_sql(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	CU_ASSERT_EQUAL(sqlite3_open(db, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */
/* ------------------------------------------------------------------ */

static void test_out_sqlite__descriptor(void)
{
	CU_ASSERT_EQUAL(P->kind, COLINK_PLUGIN_OUTPUT);
	CU_ASSERT_STRING_EQUAL(P->name, "out_sqlite");
	CU_ASSERT_STRING_EQUAL(P->settings[0].name, "path");
	CU_ASSERT_PTR_NULL(P->settings[0].default_value);
	CU_ASSERT_STRING_EQUAL(P->settings[1].name, "busy_timeout_ms");
	CU_ASSERT_STRING_EQUAL(P->settings[1].default_value, "10000");
	CU_ASSERT_STRING_EQUAL(P->settings[2].choices, "full|normal|off");
	CU_ASSERT_STRING_EQUAL(P->settings[3].choices, "wal|delete");
	CU_ASSERT_PTR_NULL(P->settings[4].name);
}

static void test_out_sqlite__creates_schema_and_ledger(void)
{
	struct fx f;
	struct stat st;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL(begin(&f, "r1"), COLINK_OK);
	/* committed before the run's transaction: visible as incomplete */
	SQL_EQ(f.db, "incomplete", "SELECT status FROM run WHERE run_id = 'r1'");
	CU_ASSERT_EQUAL(commit(&f, 0, 0, 0), COLINK_OK);
	SQL_EQ(f.db, "1", "SELECT max(version) FROM schema_version");
	SQL_EQ(f.db, "ok|collabo-2024|/jobs/collabo.xml|collabo-health|k1|tester|0.1-test"
	       "|2024-06-01T00:00:00Z|2024-06-01T00:05:00Z|0|0|0|0",
	       "SELECT status||'|'||job_name||'|'||job_path||'|'||purpose||'|'||key_id"
	       "||'|'||os_user||'|'||colink_version||'|'||started||'|'||finished"
	       "||'|'||records_read||'|'||records_loaded||'|'||records_rejected"
	       "||'|'||checkups_replaced FROM run");
	SQL_EQ(f.db, H16("0f0f"), "SELECT job_sha256 FROM run");
	SQL_EQ(f.db, "wal", "PRAGMA journal_mode");
	CU_ASSERT_EQUAL(stat(f.db, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	fx_close(&f);
}

/* A checkup with one value of every kind of destination and null. */
static void rec_full(struct recb *b)
{
	struct colink_out_value *ov;
	rec_init(b, PERSON_A, 7);
	add(b, F_SEX, COLINK_T_CODE, "1", "性別");
	ov = add(b, F_SBP1, COLINK_T_DECIMAL, "168", "sbp");
	ov->v.flag = 'H';
	ov->item_code = "9A751000000000001";
	/* censored: ">14.0" keeps its bound as text */
	ov = add(b, F_HBA1C, COLINK_T_DECIMAL, "14.0", "hba1c");
	ov->v.null_reason = COLINK_NULL_ABOVE_RANGE;
	ov->v.raw = ">14.0";
	ov = add(b, F_UPROT, COLINK_T_NULL, NULL, "尿蛋白");
	ov->v.null_reason = COLINK_NULL_NOT_PERFORMED;
	ov->v.raw = "未実施";
	ov = add(b, F_HBA1C_JDS, COLINK_T_DECIMAL, "5.80", "jds");
	ov->item_code = "3D045000001906202";
	ov = add(b, F_QSMOKE, COLINK_T_CODE, "3", "q10");
	ov->item_code = "9N736000000000011";
	ov = add(b, -1, COLINK_T_TEXT, "所見なし", "col_x");
	ov->item_code = "9N999000000000001";
}

static void test_out_sqlite__writes_checkup_rows(void)
{
	struct fx f;
	struct recb b;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	rec_full(&b);
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_OK);
	CU_ASSERT_EQUAL(commit(&f, 1, 1, 0), COLINK_OK);

	SQL_EQ(f.db, "k1|1|198504|r1|r1", "SELECT key_id||'|'||sex||'|'||birth_ym"
	       "||'|'||first_run_id||'|'||last_run_id FROM person WHERE person_id = '"
	       PERSON_A "'");
	SQL_EQ(f.db, "2", "SELECT count(*) FROM person_key WHERE person_id = '" PERSON_A "'");
	SQL_EQ(f.db, "k1", "SELECT key_id FROM person_key WHERE kind = 'card' AND "
	       "pseudonym = '" CARD_A "'");
	SQL_EQ(f.db, "2024-05-10|2024|39|39|r1|1|7|8",
	       "SELECT exam_date||'|'||fiscal_year||'|'||age_at_exam||'|'||age_fy_end"
	       "||'|'||run_id||'|'||input_no||'|'||record_no||'|'||line_no FROM checkup");
	SQL_EQ(f.db, "real|168.0", "SELECT typeof(sbp_1)||'|'||sbp_1 FROM checkup");
	SQL_EQ(f.db, "null|null", "SELECT typeof(hba1c)||'|'||typeof(urine_protein) FROM checkup");
	SQL_EQ(f.db, "5", "SELECT count(*) FROM observation");
	SQL_EQ(f.db, "9A751000000000001|decimal|168|168.0|mm[Hg]|H|168|sbp|1",
	       "SELECT item_code||'|'||value_type||'|'||value_text||'|'||value_num"
	       "||'|'||unit||'|'||flag||'|'||raw||'|'||source_column||'|'||"
	       "(null_reason IS NULL) FROM observation WHERE field = 'sbp_1'");
	SQL_EQ(f.db, "decimal|14.0|above-range|>14.0|1|%",
	       "SELECT value_type||'|'||value_text||'|'||null_reason||'|'||raw||'|'||"
	       "(value_num IS NULL)||'|'||unit FROM observation WHERE field = 'hba1c'");
	SQL_EQ(f.db, "null|1|not-performed|1.2.392.200119.6.2102|未実施|尿蛋白",
	       "SELECT value_type||'|'||(value_text IS NULL)||'|'||null_reason||'|'||"
	       "code_system||'|'||raw||'|'||source_column FROM observation "
	       "WHERE field = 'urine_protein'");
	SQL_EQ(f.db, "3D045000001906202|5.80|5.8|%",
	       "SELECT item_code||'|'||value_text||'|'||value_num||'|'||unit "
	       "FROM observation WHERE field = 'hba1c_jds'");
	SQL_EQ(f.db, "text|所見なし|col_x", "SELECT value_type||'|'||value_text||'|'||"
	       "source_column FROM observation WHERE field IS NULL AND "
	       "item_code = '9N999000000000001'");
	SQL_EQ(f.db, "9N736000000000011|q_smoking|3|1.2.392.200119.6.24060|3|q10|1",
	       "SELECT item_code||'|'||field||'|'||answer||'|'||code_system||'|'||raw"
	       "||'|'||source_column||'|'||(null_reason IS NULL) FROM questionnaire");
	/* every long row belongs to the checkup */
	SQL_EQ(f.db, "0", "SELECT count(*) FROM observation WHERE checkup_id NOT IN "
	       "(SELECT checkup_id FROM checkup)");
	fx_close(&f);
}

static void test_out_sqlite__ledger_inputs_and_rejects(void)
{
	struct fx f;
	struct recb b;
	struct colink_input_info in = input(1, H16("5a5a"));
	struct colink_reject rj = { 1, 2, 3, "sbp", "sbp: not a number" };
	const char *mf[] = { "sbp_1", "exam_date" }, *ms[] = { "sbp", "受診日" };
	int skip = -1;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	CU_ASSERT_EQUAL(P->output->input_begin(f.ctx, &in, &skip, &f.err), COLINK_OK);
	CU_ASSERT_EQUAL(skip, 0);
	rec_init(&b, PERSON_A, 1);
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_OK);
	CU_ASSERT_EQUAL(P->output->reject(f.ctx, &rj, &f.err), COLINK_OK);
	in.read = 2;
	in.loaded = 1;
	in.rejected = 1;
	in.nmap = 2;
	in.map_fields = mf;
	in.map_sources = ms;
	CU_ASSERT_EQUAL(P->output->input_end(f.ctx, &in, &f.err), COLINK_OK);
	CU_ASSERT_EQUAL(commit(&f, 2, 1, 1), COLINK_OK);
	SQL_EQ(f.db, "ok|2|1|1", "SELECT status||'|'||records_read||'|'||records_loaded"
	       "||'|'||records_rejected FROM run WHERE run_id = 'r1'");
	SQL_EQ(f.db, "r1|1|/data/vendor_a.csv|1234|in_csv|/maps/vendor_a.xml|vendor_a|2|1|1|loaded",
	       "SELECT run_id||'|'||input_no||'|'||path||'|'||size||'|'||plugin||'|'||"
	       "mapping_path||'|'||mapping_id||'|'||records_read||'|'||records_loaded"
	       "||'|'||records_rejected||'|'||status FROM run_input");
	SQL_EQ(f.db, H16("5a5a"), "SELECT sha256 FROM run_input");
	SQL_EQ(f.db, H16("1e1e"), "SELECT mapping_sha256 FROM run_input");
	SQL_EQ(f.db, "exam_date=受診日,sbp_1=sbp", "SELECT group_concat(field||'='||source, ',') "
	       "FROM (SELECT field, source FROM input_field_map WHERE run_id = 'r1' "
	       "AND input_no = 1 ORDER BY field)");
	SQL_EQ(f.db, "r1|1|2|3|sbp|sbp: not a number",
	       "SELECT run_id||'|'||input_no||'|'||record_no||'|'||line_no||'|'||"
	       "source_column||'|'||reason FROM reject");
	fx_close(&f);
}

static void test_out_sqlite__duplicate_in_run_rejected(void)
{
	struct fx f;
	struct recb a, b;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	rec_init(&a, PERSON_A, 4);
	add(&a, F_SBP1, COLINK_T_DECIMAL, "120", "sbp");
	CU_ASSERT_EQUAL(write_rec(&f, &a), COLINK_OK);
	rec_init(&b, PERSON_A, 9);
	add(&b, F_SBP1, COLINK_T_DECIMAL, "150", "sbp");
	b.ps[2].kind = "employee";
	b.ps[2].value = EMP_A;
	b.r.npseudonyms = 3;
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EREJECT);
	CU_ASSERT_STRING_EQUAL(f.err.msg, "duplicate checkup for this person and exam date "
			       "(input 1 record 4)");
	CU_ASSERT_EQUAL(commit(&f, 2, 1, 1), COLINK_OK);
	SQL_EQ(f.db, "1|120.0|4", "SELECT count(*)||'|'||sbp_1||'|'||record_no FROM checkup");
	/* nothing of the rejected record was written */
	SQL_EQ(f.db, "0", "SELECT count(*) FROM person_key WHERE kind = 'employee'");
	fx_close(&f);
}

static void test_out_sqlite__replaces_earlier_run(void)
{
	struct fx f;
	struct recb b;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	rec_init(&b, PERSON_A, 1);
	add(&b, F_SEX, COLINK_T_CODE, "2", "性別");
	add(&b, F_SBP1, COLINK_T_DECIMAL, "120", "sbp");
	add(&b, F_HBA1C_JDS, COLINK_T_DECIMAL, "5.2", "jds");
	add(&b, F_QSMOKE, COLINK_T_CODE, "1", "q10");
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_OK);
	CU_ASSERT_EQUAL(commit(&f, 1, 1, 0), COLINK_OK);
	CU_ASSERT_PTR_NULL(strstr(f.m.log, "replaced"));

	CU_ASSERT_EQUAL_FATAL(begin(&f, "r2"), COLINK_OK);
	rec_init(&b, PERSON_A, 5);
	b.r.input_no = 2;
	b.r.birth_ym = 0;
	add(&b, F_SBP1, COLINK_T_DECIMAL, "130.5", "sbp");
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_OK);
	CU_ASSERT_EQUAL(commit(&f, 1, 1, 0), COLINK_OK);

	SQL_EQ(f.db, "1|130.5|r2|2|5", "SELECT count(*)||'|'||sbp_1||'|'||run_id||'|'||"
	       "input_no||'|'||record_no FROM checkup");
	SQL_EQ(f.db, "0", "SELECT count(*) FROM observation");
	SQL_EQ(f.db, "0", "SELECT count(*) FROM questionnaire");
	/* first run kept; null sex and birth_ym do not erase known ones */
	SQL_EQ(f.db, "r1|r2|2|198504", "SELECT first_run_id||'|'||last_run_id||'|'||sex"
	       "||'|'||birth_ym FROM person");
	SQL_EQ(f.db, "0", "SELECT checkups_replaced FROM run WHERE run_id = 'r1'");
	SQL_EQ(f.db, "1", "SELECT checkups_replaced FROM run WHERE run_id = 'r2'");
	SQL_EQ(f.db, "2", "SELECT count(*) FROM person_key");
	CU_ASSERT_PTR_NOT_NULL(strstr(f.m.log, ": 1 checkups replaced earlier loads\n"));
	fx_close(&f);
}

static int input_skip(struct fx *f, const char *sha)
{
	struct colink_input_info in = input(1, sha);
	int skip = -1;
	CU_ASSERT_EQUAL(P->output->input_begin(f->ctx, &in, &skip, &f->err), COLINK_OK);
	return skip;
}

static void test_out_sqlite__skips_input_loaded_by_ok_run(void)
{
	struct fx f;
	struct colink_input_info in = input(1, H16("5a5a"));
	struct colink_run_summary fail = { "failed", "boom", NULL, 0, 0, 0 };
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	CU_ASSERT_EQUAL(input_skip(&f, H16("5a5a")), 0);
	CU_ASSERT_EQUAL(P->output->input_end(f.ctx, &in, &f.err), COLINK_OK);
	CU_ASSERT_EQUAL(commit(&f, 0, 0, 0), COLINK_OK);

	CU_ASSERT_EQUAL_FATAL(begin(&f, "r2"), COLINK_OK);
	CU_ASSERT_EQUAL(input_skip(&f, H16("5a5a")), 1);
	CU_ASSERT_EQUAL(input_skip(&f, H16("6b6b")), 0);
	/* an input of a failed run does not count as loaded */
	in.sha256 = H16("6b6b");
	CU_ASSERT_EQUAL(P->output->input_end(f.ctx, &in, &f.err), COLINK_OK);
	P->output->abort(f.ctx, &fail);

	CU_ASSERT_EQUAL_FATAL(begin(&f, "r3"), COLINK_OK);
	CU_ASSERT_EQUAL(input_skip(&f, H16("6b6b")), 0);
	CU_ASSERT_EQUAL(commit(&f, 0, 0, 0), COLINK_OK);
	/* a loaded input row whose run is not 'ok' does not count either */
	exec_sql(f.db, "UPDATE run SET status = 'failed' WHERE run_id = 'r1'");
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r4"), COLINK_OK);
	CU_ASSERT_EQUAL(input_skip(&f, H16("5a5a")), 0);
	CU_ASSERT_EQUAL(commit(&f, 0, 0, 0), COLINK_OK);
	fx_close(&f);
}

static void test_out_sqlite__abort_leaves_failed_run_only(void)
{
	struct fx f;
	struct recb b;
	struct colink_input_info in = input(1, H16("5a5a"));
	struct colink_reject rj = { 1, 2, 3, NULL, "bad record" };
	struct colink_run_summary s = { "failed", "input 1: mapping error", "2024-06-01T00:09:00Z",
					2, 1, 1 };
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	rec_init(&b, PERSON_A, 1);
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_OK);
	CU_ASSERT_EQUAL(P->output->reject(f.ctx, &rj, &f.err), COLINK_OK);
	CU_ASSERT_EQUAL(P->output->input_end(f.ctx, &in, &f.err), COLINK_OK);
	P->output->abort(f.ctx, &s);
	SQL_EQ(f.db, "failed|input 1: mapping error|2024-06-01T00:09:00Z|2|0|0",
	       "SELECT status||'|'||message||'|'||finished||'|'||records_read||'|'||"
	       "records_loaded||'|'||records_rejected FROM run");
	SQL_EQ(f.db, "0", "SELECT (SELECT count(*) FROM checkup) + (SELECT count(*) FROM person)"
	       " + (SELECT count(*) FROM person_key) + (SELECT count(*) FROM reject)"
	       " + (SELECT count(*) FROM run_input) + (SELECT count(*) FROM observation)");
	/* commit after abort has no run to commit */
	CU_ASSERT_EQUAL(commit(&f, 0, 0, 0), COLINK_EINVAL);
	fx_close(&f);
}

static void test_out_sqlite__second_writer_gets_ebusy(void)
{
	struct fx f;
	struct mock_host m2;
	struct colink_error err2;
	struct colink_run_info r2 = run_info("r2");
	void *ctx2 = NULL;
	time_t t0;
	char *want;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(fx_other(&f, "busy_timeout_ms=100", &ctx2, &m2, &err2), COLINK_OK);
	t0 = time(NULL);
	CU_ASSERT_EQUAL(P->output->begin(ctx2, &r2, &err2), COLINK_EBUSY);
	CU_ASSERT(time(NULL) - t0 < 5);
	want = tu_fmt("%s: warehouse is locked by another run", f.db);
	CU_ASSERT_STRING_EQUAL(err2.msg, want);
	free(want);
	/* the blocked run left no ledger row; the first run is unharmed */
	CU_ASSERT_EQUAL(commit(&f, 0, 0, 0), COLINK_OK);
	SQL_EQ(f.db, "1", "SELECT count(*) FROM run");
	/* once the lock is gone the same instance can run */
	CU_ASSERT_EQUAL(P->output->begin(ctx2, &r2, &err2), COLINK_OK);
	CU_ASSERT_EQUAL(P->output->commit(ctx2, NULL, &err2), COLINK_OK);
	SQL_EQ(f.db, "ok,ok", "SELECT group_concat(status) FROM run");
	P->fini(ctx2);
	mock_host_reset(&m2);
	fx_close(&f);
}

static void test_out_sqlite__refuses_newer_schema(void)
{
	struct fx f;
	char *want;
	fx_open(&f, NULL);
	exec_sql(f.db, "CREATE TABLE schema_version (version INTEGER NOT NULL, "
		 "applied TEXT NOT NULL); INSERT INTO schema_version VALUES (3, 'x');");
	CU_ASSERT_EQUAL(begin(&f, "r1"), COLINK_EINVAL);
	want = tu_fmt("%s: warehouse schema version 3 is newer than this colink supports (1)",
		      f.db);
	CU_ASSERT_STRING_EQUAL(f.err.msg, want);
	free(want);
	SQL_EQ(f.db, "1", "SELECT count(*) FROM sqlite_master");
	fx_close(&f);
}

static void test_out_sqlite__refuses_foreign_database(void)
{
	struct fx f;
	fx_open(&f, NULL);
	exec_sql(f.db, "CREATE TABLE t (x)");
	CU_ASSERT_EQUAL(begin(&f, "r1"), COLINK_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.err.msg, "not a colink warehouse"));
	SQL_EQ(f.db, "t", "SELECT group_concat(name) FROM sqlite_master");
	fx_close(&f);
}

static void test_out_sqlite__refuses_missing_column(void)
{
	struct fx f;
	struct colink_field_def more[F_N + 1];
	struct colink_run_info r = run_info("r1");
	char *want;
	memcpy(more, cat, sizeof(cat));
	more[F_N] = (struct colink_field_def){ "uric_acid2", "checkup", "uric_acid2",
					       COLINK_T_DECIMAL, "mg/dL", NULL, NULL, 0, "x" };
	r.fields = more;
	r.nfields = F_N + 1;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL(P->output->begin(f.ctx, &r, &f.err), COLINK_EINVAL);
	want = tu_fmt("%s: warehouse table checkup has no column uric_acid2 for field uric_acid2",
		      f.db);
	CU_ASSERT_STRING_EQUAL(f.err.msg, want);
	free(want);
	/* the ledger transaction rolled back whole: no schema, no run */
	SQL_EQ(f.db, "0", "SELECT count(*) FROM sqlite_master");
	fx_close(&f);
}

static void test_out_sqlite__refuses_identifiers(void)
{
	struct fx f;
	struct recb b;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	rec_init(&b, PERSON_A, 3);
	add(&b, F_SBP1, COLINK_T_DECIMAL, "120", "sbp");
	add(&b, F_CARD, COLINK_T_TEXT, "98765432", "card")->v.raw = NULL;
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EINVAL);
	CU_ASSERT_STRING_EQUAL(f.err.msg,
			       "identifier field card_number reached the output (input 1 record 3)");
	rec_init(&b, PERSON_A, 4);
	add(&b, F_DERIVED, COLINK_T_TEXT, "x", "d");
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EINVAL);
	CU_ASSERT_STRING_EQUAL(f.err.msg,
			       "not-stored field derived_only reached the output (input 1 record 4)");
	rec_init(&b, PERSON_A, 5);
	add(&b, F_SBP1, COLINK_T_PSEUDONYM, CARD_A, "sbp");
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EINVAL);
	/* a person key that is not a pseudonym may be a raw identifier */
	rec_init(&b, "98765432", 6);
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EINVAL);
	CU_ASSERT_STRING_EQUAL(f.err.msg,
			       "person key is not a 64-hex pseudonym (input 1 record 6)");
	rec_init(&b, PERSON_A, 7);
	b.ps[1].value = "98765432";
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EINVAL);
	CU_ASSERT_PTR_NULL(strstr(f.err.msg, "98765432"));
	CU_ASSERT_EQUAL(commit(&f, 0, 0, 0), COLINK_OK);
	SQL_EQ(f.db, "0", "SELECT (SELECT count(*) FROM checkup) + (SELECT count(*) FROM person)"
	       " + (SELECT count(*) FROM person_key) + (SELECT count(*) FROM observation)");
	CU_ASSERT_FALSE(tu_file_contains(f.db, "98765432", 8));
	fx_close(&f);
}

static void test_out_sqlite__rejects_records_without_keys(void)
{
	struct fx f;
	struct recb b;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	rec_init(&b, NULL, 1);
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EREJECT);
	CU_ASSERT_STRING_EQUAL(f.err.msg, "record has no person key");
	rec_init(&b, PERSON_A, 2);
	b.r.nvalues = 0; /* drop the exam date */
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EREJECT);
	CU_ASSERT_STRING_EQUAL(f.err.msg, "no exam date");
	rec_init(&b, PERSON_A, 3);
	b.v[0].v.type = COLINK_T_NULL;
	b.v[0].v.null_reason = COLINK_NULL_MISSING;
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EREJECT);
	CU_ASSERT_STRING_EQUAL(f.err.msg, "no exam date");
	rec_init(&b, PERSON_A, 4);
	add(&b, F_SBP1, COLINK_T_DECIMAL, "120", "sbp");
	add(&b, F_SBP1, COLINK_T_DECIMAL, "122", "sbp_b");
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EREJECT);
	CU_ASSERT_STRING_EQUAL(f.err.msg, "field sbp_1 has two values (sources sbp and sbp_b)");
	rec_init(&b, PERSON_A, 5);
	b.r.kind = "claim";
	CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_EINVAL);
	CU_ASSERT_EQUAL(commit(&f, 5, 0, 5), COLINK_OK);
	SQL_EQ(f.db, "0", "SELECT count(*) FROM checkup");
	SQL_EQ(f.db, "0", "SELECT count(*) FROM person");
	fx_close(&f);
}

static void test_out_sqlite__settings(void)
{
	struct fx f;
	struct mock_host m;
	struct colink_error err;
	void *ctx = NULL;
	fx_open(&f, "journal=delete");
	CU_ASSERT_EQUAL_FATAL(begin(&f, "r1"), COLINK_OK);
	CU_ASSERT_EQUAL(commit(&f, 0, 0, 0), COLINK_OK);
	SQL_EQ(f.db, "delete", "PRAGMA journal_mode");
	CU_ASSERT_EQUAL(fx_other(&f, "busy_timeout_ms=-1", &ctx, &m, &err), COLINK_EINVAL);
	CU_ASSERT_PTR_NULL(ctx);
	CU_ASSERT_STRING_EQUAL(err.msg, "busy_timeout_ms must be between 0 and 2147483647");
	mock_host_reset(&m);
	/* outside a run every call is refused, nothing crashes */
	CU_ASSERT_EQUAL(P->output->input_begin(f.ctx, NULL, &(int){ 0 }, &f.err), COLINK_EINVAL);
	P->output->abort(f.ctx, NULL);
	P->fini(NULL);
	fx_close(&f);
}

/* Every stored field of mappings/common/fields.tsv has its column, with
 * decimals as REAL: the catalogue and schema.sql agree. */
static void test_out_sqlite__schema_matches_fields_tsv(void)
{
	struct colink_field_def defs[200];
	static const int tmap[] = { COLINK_T_TEXT, COLINK_T_INT, COLINK_T_DECIMAL,
				    COLINK_T_DATE, COLINK_T_CODE };
	static const char *const tnames[] = { "text", "int", "decimal", "date", "code" };
	char *path = tu_fmt("%s/mappings/common/fields.tsv", tu_srcdir());
	char *data = tu_read_file(path, NULL), *line, *save = NULL;
	struct colink_run_info r = run_info("r1");
	struct fx f;
	size_t n = 0, i, ndec = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	for (line = strtok_r(data, "\n", &save); line && n < 200;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c[9], *s = line, *t;
		int k = 0;
		if (line[0] == '#')
			continue;
		while (k < 9 && (t = strsep(&s, "\t")))
			c[k++] = t;
		CU_ASSERT_EQUAL_FATAL(k, 9);
		memset(&defs[n], 0, sizeof(defs[n]));
		defs[n].name = c[0];
		defs[n].table = c[1];
		defs[n].column = strcmp(c[2], "-") ? c[2] : NULL;
		for (i = 0; i < 5; i++)
			if (!strcmp(c[3], tnames[i]))
				defs[n].type = tmap[i];
		defs[n].flags = strstr(c[6], "id") ? COLINK_FIELD_IDENTIFIER | COLINK_FIELD_NOT_STORED
			      : !strcmp(c[1], "-") ? COLINK_FIELD_NOT_STORED : 0;
		n++;
	}
	CU_ASSERT(n > 60);
	r.fields = defs;
	r.nfields = n;
	fx_open(&f, NULL);
	CU_ASSERT_EQUAL(P->output->begin(f.ctx, &r, &f.err), COLINK_OK);
	CU_ASSERT_EQUAL(commit(&f, 0, 0, 0), COLINK_OK);
	for (i = 0; i < n; i++) {
		if (strcmp(defs[i].table, "checkup") || defs[i].type != COLINK_T_DECIMAL)
			continue;
		SQL_EQ(f.db, "REAL", "SELECT type FROM pragma_table_info('checkup') "
		       "WHERE name = '%s'", defs[i].column);
		ndec++;
	}
	CU_ASSERT(ndec > 20);
	fx_close(&f);
	free(data);
	free(path);
}

/* Fail the Nth allocation through init, begin, write and commit: every
 * failure is a clean COLINK_ENOMEM, leaves no file behind, and leaks
 * nothing (ASan checks the last part). */
static void test_out_sqlite__allocation_failures(void)
{
	long n;
	int done = 0;
	for (n = 0; n < 200 && !done; n++) {
		struct fx f;
		struct recb b;
		struct colink_run_info r = run_info("r1");
		char *path;
		const char *settings[2];
		int rc;
		memset(&f, 0, sizeof(f));
		f.dir = tu_mkdtemp("outsq");
		f.db = tu_fmt("%s/w.db", f.dir);
		path = tu_fmt("path=%s", f.db);
		settings[0] = path;
		settings[1] = NULL;
		mock_host_init(&f.m);
		colink_alloc_fail_after(n);
		rc = mock_plugin_init(P, &f.m, settings, &f.ctx, &f.err);
		if (!rc) {
			rc = P->output->begin(f.ctx, &r, &f.err);
			if (rc)
				CU_ASSERT_NOT_EQUAL(access(f.db, F_OK), 0);
		}
		if (!rc) {
			rec_init(&b, PERSON_A, 1);
			CU_ASSERT_EQUAL(write_rec(&f, &b), COLINK_OK);
			CU_ASSERT_EQUAL(commit(&f, 1, 1, 0), COLINK_OK);
			done = 1;
		}
		colink_alloc_fail_after(-1);
		if (!done)
			CU_ASSERT_EQUAL(rc, COLINK_ENOMEM);
		if (done)
			SQL_EQ(f.db, "1", "SELECT count(*) FROM checkup");
		P->fini(f.ctx);
		mock_host_reset(&f.m);
		tu_rmtree(f.dir);
		free(f.dir);
		free(f.db);
		free(path);
	}
	CU_ASSERT(done);
	CU_ASSERT(n > 3);
}

/* embed-sql.sh turns SQL into a C string that compiles to the same bytes. */
static void test_out_sqlite__embed_sql_compiles(void)
{
	char *dir = tu_mkdtemp("outsq-embed");
	char *sql = tu_fmt("%s/s.sql", dir), *hdr = tu_fmt("%s/schema_sql.h", dir);
	char *prog = tu_fmt("%s/p.c", dir), *exe = tu_fmt("%s/p", dir);
	char *res = tu_fmt("%s/out", dir), *cmd, *got, *err = NULL;
	const char *cc = getenv("CC") ? getenv("CC") : "cc";
	static const char src[] =
		"-- schema-version: 7\n"
		"SELECT 'a\\b', \"q\" ?\?( ?\?/ %d;\r\n"
		"\tCREATE TABLE t (x); -- 日本語\n"
		"\n";
	static const char want[] =
		"-- schema-version: 7\n"
		"SELECT 'a\\b', \"q\" ?\?( ?\?/ %d;\n"
		"\tCREATE TABLE t (x); -- 日本語\n"
		"\n";
	static const char main_c[] =
		"#include <stdio.h>\n#include \"schema_sql.h\"\n"
		"int main(int c, char **v) { FILE *f = fopen(v[1], \"wb\"); (void)c;\n"
		"fprintf(f, \"%d\\n\", COLINK_WAREHOUSE_SCHEMA_VERSION);\n"
		"fputs(colink_schema_sql, f); return fclose(f); }\n";
	CU_ASSERT_EQUAL(tu_write_file(sql, src, sizeof(src) - 1), 0);
	CU_ASSERT_EQUAL(tu_write_file(prog, main_c, sizeof(main_c) - 1), 0);
	cmd = tu_fmt("sh '%s/plugins/out_sqlite/embed-sql.sh' '%s' > '%s' && "
		     "%s -std=c11 -Wall -Werror -o '%s' '%s' -I'%s' && '%s' '%s'",
		     tu_srcdir(), sql, hdr, cc, exe, prog, dir, exe, res);
	CU_ASSERT_EQUAL(tu_run(cmd, NULL, &err), 0);
	if (err && *err)
		fprintf(stderr, "%s", err);
	free(err);
	free(cmd);
	got = tu_read_file(res, NULL);
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got) {
		CU_ASSERT_NSTRING_EQUAL(got, "7\n", 2);
		CU_ASSERT_STRING_EQUAL(got + 2, want);
	}
	free(got);
	/* no version line, or two: refused */
	CU_ASSERT_EQUAL(tu_write_file(sql, "SELECT 1;\n", 10), 0);
	cmd = tu_fmt("sh '%s/plugins/out_sqlite/embed-sql.sh' '%s'", tu_srcdir(), sql);
	err = NULL;
	CU_ASSERT_NOT_EQUAL(tu_run(cmd, NULL, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "schema-version") ? err : NULL);
	free(err);
	CU_ASSERT_EQUAL(tu_write_file(sql, "-- schema-version: 1\n-- schema-version: 2\n", 42), 0);
	CU_ASSERT_NOT_EQUAL(tu_run(cmd, NULL, NULL), 0);
	free(cmd);
	tu_rmtree(dir);
	free(dir);
	free(sql);
	free(hdr);
	free(prog);
	free(exe);
	free(res);
}

static int suite_init(void)
{
	P = mock_load_plugin("out_sqlite");
	return P && P->output ? 0 : 1;
}

int main(void)
{
	CU_pSuite s;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("out_sqlite", suite_init, NULL);
#define T(name) CU_add_test(s, #name, name)
	T(test_out_sqlite__descriptor);
	T(test_out_sqlite__creates_schema_and_ledger);
	T(test_out_sqlite__writes_checkup_rows);
	T(test_out_sqlite__ledger_inputs_and_rejects);
	T(test_out_sqlite__duplicate_in_run_rejected);
	T(test_out_sqlite__replaces_earlier_run);
	T(test_out_sqlite__skips_input_loaded_by_ok_run);
	T(test_out_sqlite__abort_leaves_failed_run_only);
	T(test_out_sqlite__second_writer_gets_ebusy);
	T(test_out_sqlite__refuses_newer_schema);
	T(test_out_sqlite__refuses_foreign_database);
	T(test_out_sqlite__refuses_missing_column);
	T(test_out_sqlite__refuses_identifiers);
	T(test_out_sqlite__rejects_records_without_keys);
	T(test_out_sqlite__settings);
	T(test_out_sqlite__schema_matches_fields_tsv);
	T(test_out_sqlite__allocation_failures);
	T(test_out_sqlite__embed_sql_compiles);
#undef T
	return tu_run_suites();
}
