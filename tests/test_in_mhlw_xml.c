/*
 * test_in_mhlw_xml.c -- the MHLW XML archive input plugin, loaded with
 * dlopen and driven through the mock host.  Archives (folders and zips)
 * are built at run time in a temporary folder from the project's
 * synthetic fixture (tests/data/mhlw_fixture: three fictional people).
 */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "base/alloc.h"
#include "mock_host.h"
#include "testutil.h"

#define TOP "1311234567_06139992_202504010_1"
#define DOC1 "h13112345672025040100000001.xml"
#define DOC2 "h13112345672025040100000002.xml"
#define DOC3 "h13112345672025040100000003.xml"
#define NS2024 "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html"
#define NS2008 "http://tokuteikenshin.jp/checkup/2007"

static const struct colink_plugin *plug;

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static char *fixture(const char *rel, size_t *len)
{
	char *p = tu_fmt("%s/tests/data/mhlw_fixture/%s", tu_srcdir(), rel);
	char *s = tu_read_file(p, len);
	free(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* s with the first `from` replaced by `to` (from must occur). */
static char *replace1(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	return tu_fmt("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

static void put(const char *dir, const char *rel, const char *data, size_t len)
{
	char *p = tu_fmt("%s/%s", dir, rel), *slash;
	for (slash = strchr(p + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(p, 0700);
		*slash = '/';
	}
	CU_ASSERT_EQUAL_FATAL(tu_write_file(p, data, len), 0);
	free(p);
}

static void put_s(const char *dir, const char *rel, const char *data)
{
	put(dir, rel, data, strlen(data));
}

static void put_fixture(const char *dir, const char *rel, const char *src)
{
	size_t len;
	char *s = fixture(src, &len);
	put(dir, rel, s, len);
	free(s);
}

/* dir/TOP/ with the fixture's index and three documents. */
static char *fixture_folder(const char *tmp)
{
	char *root = tu_fmt("%s/%s", tmp, TOP);
	put_fixture(root, "ix08_V08.xml", "ix08_V08.xml");
	put_fixture(root, "DATA/" DOC1, "DATA/" DOC1);
	put_fixture(root, "DATA/" DOC2, "DATA/" DOC2);
	put_fixture(root, "DATA/" DOC3, "DATA/" DOC3);
	return root;
}

/* An ix08 with the given namespace and count. */
static char *index_xml(const char *ns, int count)
{
	return tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<index xmlns=\"%s\"><interactionType code=\"1\"/>"
		      "<creationTime value=\"20250401\"/><sender><id root=\"1.2.392.200119.6.102\""
		      " extension=\"1311234567\"/></sender><serviceEventType code=\"1\"/>"
		      "<totalRecordCount value=\"%d\"/></index>\n", ns, count);
}

struct zent {
	const char *name;
	const char *data;
	size_t len;
};

/* Write a zip of `n` entries (deflated).  The data must stay alive. */
static void make_zip(const char *path, const struct zent *e, size_t n)
{
	int ze = 0;
	size_t i;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	for (i = 0; i < n; i++) {
		zip_source_t *src = zip_source_buffer(z, e[i].data, e[i].len, 0);
		zip_int64_t idx;
		CU_ASSERT_PTR_NOT_NULL_FATAL(src);
		idx = zip_file_add(z, e[i].name, src, ZIP_FL_ENC_UTF_8);
		CU_ASSERT_FATAL(idx >= 0);
		zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9);
	}
	CU_ASSERT_EQUAL_FATAL(zip_close(z), 0);
}

/* Load, init with `settings`, read `path`, fini.  Returns read()'s rc
 * (or init's when it fails). */
static int run_read(const char *const *settings, const char *path,
		    struct mock_host *m, struct colink_error *err)
{
	void *ctx = NULL;
	int rc;
	colink_error_clear(err);
	rc = mock_plugin_init(plug, m, settings, &ctx, err);
	if (rc)
		return rc;
	rc = plug->input->read(ctx, path, mock_host_emitter(m), err);
	plug->fini(ctx);
	return rc;
}

static const struct mock_field *fld(const struct mock_host *m, size_t r,
				    const char *name)
{
	size_t j;
	if (r >= m->nrecs)
		return NULL;
	for (j = 0; j < m->recs[r].nfields; j++)
		if (m->recs[r].fields[j].name &&
		    !strcmp(m->recs[r].fields[j].name, name))
			return &m->recs[r].fields[j];
	return NULL;
}

static int str_is(const char *got, const char *want)
{
	return got && want && !strcmp(got, want);
}

/* 1 when field `name` of record r has exactly this value, unit and code
 * system (NULL: none) and no null reason; a mismatch is printed. */
static int val_ok(const struct mock_host *m, size_t r, const char *name,
		  const char *val, const char *unit, const char *cs)
{
	const struct mock_field *f = fld(m, r, name);
	int ok = f && str_is(f->value, val) && f->len == strlen(val) &&
		 f->null_reason == COLINK_NULL_NONE &&
		 (unit ? str_is(f->unit, unit) : !f->unit) &&
		 (cs ? str_is(f->code_system, cs) : !f->code_system);
	if (!ok)
		fprintf(stderr, "\nfield %s of record %zu: got %s unit=%s cs=%s null=%d\n",
			name, r, f && f->value ? f->value : "(null)",
			f && f->unit ? f->unit : "-", f && f->code_system ? f->code_system : "-",
			f ? f->null_reason : -1);
	return ok;
}

/* 1 when field `name` is a null with this reason and flag. */
static int null_ok(const struct mock_host *m, size_t r, const char *name,
		   int reason, char flag)
{
	const struct mock_field *f = fld(m, r, name);
	return f && !f->value && f->null_reason == reason && f->flag == flag;
}

#define ASSERT_VAL(m, r, name, val, unit, cs) CU_ASSERT(val_ok((m), (r), (name), (val), (unit), (cs)))
#define ASSERT_NULLV(m, r, name, reason, flag) CU_ASSERT(null_ok((m), (r), (name), (reason), (flag)))

#define CS(x) "1.2.392.200119.6." x

/* Every field: 1-based running index; all strings valid UTF-8. */
static void assert_well_formed(const struct mock_host *m, size_t r)
{
	size_t j;
	for (j = 0; j < m->recs[r].nfields; j++) {
		const struct mock_field *f = &m->recs[r].fields[j];
		CU_ASSERT_EQUAL(f->index, (uint32_t)(j + 1));
		CU_ASSERT_PTR_NOT_NULL(f->name);
		if (f->value)
			CU_ASSERT_EQUAL(f->len, strlen(f->value));
	}
}

static void assert_person1(const struct mock_host *m, size_t r)
{
	const struct mock_record *rec = &m->recs[r];
	CU_ASSERT_FALSE(rec->rejected);
	CU_ASSERT_EQUAL(rec->line_no, 0);
	CU_ASSERT_EQUAL(rec->nfields, 12 + 50 + 1);
	assert_well_formed(m, r);
	CU_ASSERT_STRING_EQUAL(rec->fields[0].name, "hdr.insurer_number");
	CU_ASSERT_STRING_EQUAL(rec->fields[11].name, "hdr.document");
	CU_ASSERT_STRING_EQUAL(rec->fields[12].name, "9N001000000000001");
	ASSERT_VAL(m, r, "hdr.insurer_number", "06139992", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.card_symbol", "１２３", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.card_number", "４５６７", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.card_branch", "00", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.name_kana", "テスト　イチロウ", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.sex", "1", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.birth_date", "19700515", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.exam_date", "20240610", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.program_type", "010", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.report_type", "10", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.exam_org", "1311234567", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.document", "DATA/" DOC1, NULL, NULL);
	ASSERT_VAL(m, r, "9N016160100000001", "92.0", "cm", NULL);
	ASSERT_VAL(m, r, "9N011000000000001", "26.1", "kg/m2", NULL);
	ASSERT_VAL(m, r, "9A751000000000001", "146", "mm[Hg]", NULL);
	ASSERT_VAL(m, r, "9A752000000000001", "142", "mm[Hg]", NULL);
	ASSERT_VAL(m, r, "9A761000000000001", "90", "mm[Hg]", NULL);
	ASSERT_VAL(m, r, "9A762000000000001", "88", "mm[Hg]", NULL);
	ASSERT_VAL(m, r, "3F015000002327101", "180", "mg/dL", NULL);
	ASSERT_VAL(m, r, "3F070000002327101", "38", "mg/dL", NULL);
	ASSERT_VAL(m, r, "3F077000002327101", "150", "mg/dL", NULL);
	ASSERT_VAL(m, r, "3D010000002227101", "118", "mg/dL", NULL);
	ASSERT_VAL(m, r, "3D046000001906202", "6.0", "%", NULL);
	ASSERT_VAL(m, r, "3B045000002327201", "52", "U/L", NULL);
	ASSERT_VAL(m, r, "3B090000002327101", "110", "U/L", NULL);
	/* serial group, flattened (COMP, COMP, RSON) */
	ASSERT_VAL(m, r, "3C015000002327101", "0.95", "mg/dL", NULL);
	ASSERT_VAL(m, r, "8A065000002391901", "66.8", "ml/min/1.73m2", NULL);
	ASSERT_VAL(m, r, "3C015161602399911", "0", NULL, CS("18110"));
	ASSERT_VAL(m, r, "9N736000000000011", "1", NULL, CS("24060"));
	ASSERT_VAL(m, r, "9N141000000000011", "2", NULL, CS("2202"));
	ASSERT_VAL(m, r, "1A010000000191111", "2", NULL, CS("2102"));
	ASSERT_VAL(m, r, "9N791000000000011", "3", NULL, CS("24050"));
	ASSERT_VAL(m, r, "9N701000000000011", "2", NULL, CS("2003"));
	ASSERT_VAL(m, r, "9N511000000000049", "要医療（血圧・肝機能）", NULL, NULL);
	ASSERT_VAL(m, r, "9N511000000000049.author", "架空　医師", NULL, NULL);
	ASSERT_VAL(m, r, "9N808000000000011", "2", NULL, CS("2003"));
	CU_ASSERT_STRING_EQUAL(rec->fields[62].name, "9N808000000000011");
}

static void assert_person2(const struct mock_host *m, size_t r)
{
	const struct mock_record *rec = &m->recs[r];
	CU_ASSERT_FALSE(rec->rejected);
	CU_ASSERT_EQUAL(rec->nfields, 11 + 44 + 1);
	assert_well_formed(m, r);
	CU_ASSERT_PTR_NULL(fld(m, r, "hdr.card_symbol"));
	CU_ASSERT_STRING_EQUAL(rec->fields[1].name, "hdr.card_number");
	ASSERT_VAL(m, r, "hdr.card_number", "00001234", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.card_branch", "01", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.name_kana", "テスト　ハナコ", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.sex", "2", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.birth_date", "19560820", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.exam_date", "20240915", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.document", "DATA/" DOC2, NULL, NULL);
	ASSERT_VAL(m, r, "9N016160100000001", "80.0", "cm", NULL);
	ASSERT_VAL(m, r, "9N011000000000001", "25.8", "kg/m2", NULL);
	ASSERT_VAL(m, r, "9N141000000000011", "3", NULL, CS("2202"));
	ASSERT_VAL(m, r, "3F015129902327101", "200", "mg/dL", NULL);
	ASSERT_VAL(m, r, "3F069000002391901", "160", "mg/dL", NULL);
	ASSERT_VAL(m, r, "3D046000001920402", "5.8", "%", NULL);
	ASSERT_VAL(m, r, "9N736000000000011", "2", NULL, CS("24060"));
	ASSERT_NULLV(m, r, "1A010000000190111", COLINK_NULL_NOT_PERFORMED, 0);
	CU_ASSERT_PTR_NULL(fld(m, r, "1A010000000190111")->code_system);
	ASSERT_VAL(m, r, "9N512000000000011", "1", NULL, CS("24080"));
	CU_ASSERT_PTR_NULL(fld(m, r, "3F077000002327101"));
}

static void assert_person3(const struct mock_host *m, size_t r)
{
	const struct mock_record *rec = &m->recs[r];
	const struct mock_field *tg;
	CU_ASSERT_FALSE(rec->rejected);
	CU_ASSERT_EQUAL(rec->nfields, 12 + 49 + 1);
	assert_well_formed(m, r);
	ASSERT_VAL(m, r, "hdr.card_number", "４５６８", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.birth_date", "19790101", NULL, NULL);
	ASSERT_VAL(m, r, "hdr.exam_date", "20241105", NULL, NULL);
	ASSERT_VAL(m, r, "9A755000000000001", "165", "mm[Hg]", NULL);
	ASSERT_VAL(m, r, "9A765000000000001", "102", "mm[Hg]", NULL);
	tg = fld(m, r, "3F015000002327101");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tg);
	CU_ASSERT_STRING_EQUAL(tg->value, "2500");
	CU_ASSERT(str_is(tg->unit, "mg/dL"));
	CU_ASSERT_EQUAL(tg->flag, 'H');
	CU_ASSERT_EQUAL(tg->null_reason, COLINK_NULL_NONE);
	ASSERT_NULLV(m, r, "3F077000002327101", COLINK_NULL_UNMEASURABLE, 0);
	ASSERT_VAL(m, r, "3F069000002391901", "210", "mg/dL", NULL);
	ASSERT_VAL(m, r, "3F070000002327101", "33", "mg/dL", NULL);
	ASSERT_VAL(m, r, "3D010000002227101", "132", "mg/dL", NULL);
	ASSERT_VAL(m, r, "3D046000001906202", "6.7", "%", NULL);
	ASSERT_VAL(m, r, "3C015000002327101", "1.60", "mg/dL", NULL);
	ASSERT_VAL(m, r, "8A065000002391901", "38.9", "ml/min/1.73m2", NULL);
	ASSERT_VAL(m, r, "1A010000000191111", "4", NULL, CS("2102"));
	ASSERT_VAL(m, r, "9N701000000000011", "1", NULL, CS("2003"));
	ASSERT_VAL(m, r, "9N511000000000049", "要医療", NULL, NULL);
}

static void assert_fixture_loaded(const struct mock_host *m)
{
	size_t i;
	CU_ASSERT_EQUAL_FATAL(m->nrecs, 3);
	CU_ASSERT_EQUAL(mock_host_rejected(m), 0);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(m->recs[i].record_no, i + 1);
	assert_person1(m, 0);
	assert_person2(m, 1);
	assert_person3(m, 2);
}

/* ------------------------------------------------------------------ */
/* Per-test scaffold                                                    */
/* ------------------------------------------------------------------ */

struct t {
	struct mock_host m;
	struct colink_error err;
	char *tmp;  /* removed by t_end */
	char *root; /* archive folder: tmp/TOP with the fixture, or tmp/x */
};

static void t_begin(struct t *t, int with_fixture)
{
	mock_host_init(&t->m);
	colink_error_clear(&t->err);
	t->tmp = tu_mkdtemp("mhlw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->tmp);
	t->root = with_fixture ? fixture_folder(t->tmp) : tu_fmt("%s/x", t->tmp);
}

static void t_end(struct t *t)
{
	mock_host_reset(&t->m);
	tu_rmtree(t->tmp);
	free(t->root);
	free(t->tmp);
}

static void t_index(struct t *t, const char *ns, int count)
{
	char *ix = index_xml(ns, count);
	put_s(t->root, "ix08_V08.xml", ix);
	free(ix);
}

/* read() `path` (NULL: the archive folder) with `settings`; the records
 * of an earlier read are dropped first. */
static int t_read(struct t *t, const char *const *settings, const char *path)
{
	mock_host_reset(&t->m);
	return run_read(settings, path ? path : t->root, &t->m, &t->err);
}

/* ------------------------------------------------------------------ */
/* The fixture in its three forms                                       */
/* ------------------------------------------------------------------ */

static void test_in_mhlw_xml__fixture_folder(void)
{
	struct t t;
	t_begin(&t, 1);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	assert_fixture_loaded(&t.m);
	CU_ASSERT_STRING_EQUAL(t.m.log, "");
	/* the parent of the archive folder works the same */
	CU_ASSERT_EQUAL(t_read(&t, NULL, t.tmp), COLINK_OK);
	assert_fixture_loaded(&t.m);
	t_end(&t);
}

/* The fixture as a zip named like a real submission, entries added in
 * reverse order: records still come in path order. */
static char *fixture_zip(const char *tmp, const char *prefix)
{
	static const char *const src[4] = { "DATA/" DOC3, "DATA/" DOC2,
					     "DATA/" DOC1, "ix08_V08.xml" };
	char *zpath = tu_fmt("%s/%s.zip", tmp, TOP), *names[4], *data[4];
	struct zent e[4];
	size_t i;
	for (i = 0; i < 4; i++) {
		data[i] = fixture(src[i], &e[i].len);
		names[i] = tu_fmt("%s%s", prefix, src[i]);
		e[i].name = names[i];
		e[i].data = data[i];
	}
	make_zip(zpath, e, 4);
	for (i = 0; i < 4; i++) {
		free(names[i]);
		free(data[i]);
	}
	return zpath;
}

static void test_in_mhlw_xml__fixture_zip(void)
{
	struct t t;
	char *z, *z0;
	t_begin(&t, 0);
	z = fixture_zip(t.tmp, TOP "/");
	CU_ASSERT_EQUAL(t_read(&t, NULL, z), COLINK_OK);
	assert_fixture_loaded(&t.m);
	/* no top folder at all */
	z0 = fixture_zip(t.tmp, "");
	CU_ASSERT_EQUAL(t_read(&t, NULL, z0), COLINK_OK);
	assert_fixture_loaded(&t.m);
	free(z);
	free(z0);
	t_end(&t);
}

static void test_in_mhlw_xml__index_2008_namespace(void)
{
	struct t t;
	t_begin(&t, 1);
	t_index(&t, NS2008, 3);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT_EQUAL(mock_host_loaded(&t.m), 3);
	CU_ASSERT_STRING_EQUAL(t.m.log, "");
	t_end(&t);
}

static void test_in_mhlw_xml__missing_card_symbol_omitted(void)
{
	struct t t;
	t_begin(&t, 0);
	t_index(&t, NS2024, 1);
	put_fixture(t.root, "DATA/" DOC2, "DATA/" DOC2);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(t.m.nrecs, 1);
	assert_person2(&t.m, 0);
	CU_ASSERT_STRING_EQUAL(t.m.recs[0].fields[0].name, "hdr.insurer_number");
	t_end(&t);
}

static void test_in_mhlw_xml__vendor_data_name(void)
{
	struct t t;
	t_begin(&t, 0);
	t_index(&t, NS2024, 1);
	put_fixture(t.root, "DATA/h1311234567_20240527_01_0001_00280081.xml",
		    "DATA/" DOC1);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(t.m.nrecs, 1);
	ASSERT_VAL(&t.m, 0, "hdr.document",
		   "DATA/h1311234567_20240527_01_0001_00280081.xml", NULL, NULL);
	ASSERT_VAL(&t.m, 0, "hdr.exam_date", "20240610", NULL, NULL);
	/* a file name that is not UTF-8 (e.g. Shift_JIS on disk) is shown
	 * with '?' but still read */
	put_fixture(t.root, "DATA/h\x83\x65.xml", "DATA/" DOC3);
	t_index(&t, NS2024, 2);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(t.m.nrecs, 2);
	CU_ASSERT_FALSE(t.m.recs[1].rejected);
	ASSERT_VAL(&t.m, 1, "hdr.document", "DATA/h?e.xml", NULL, NULL);
	ASSERT_VAL(&t.m, 1, "hdr.exam_date", "20241105", NULL, NULL);
	CU_ASSERT_STRING_EQUAL(t.m.log, "");
	t_end(&t);
}

static void test_in_mhlw_xml__record_count_mismatch_logged(void)
{
	struct t t;
	t_begin(&t, 1);
	t_index(&t, NS2024, 5);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT_EQUAL(mock_host_loaded(&t.m), 3);
	CU_ASSERT_EQUAL(mock_host_rejected(&t.m), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.m.log,
		"ix08_V08.xml: totalRecordCount says 5, archive has 3 files\n"));
	t_end(&t);
}

/*
 * #25 part 4: the index's creationTime and receiver are checked, with a
 * warning naming the field (never its value); the documents still load.
 */
static void test_in_mhlw_xml__index_fields_checked(void)
{
	static const struct {
		const char *creation, *receiver, *warning;
	} cases[] = {
		{"<creationTime value=\"20250401\"/>",
		 "<receiver><id root=\"1.2.392.200119.6.101\" extension=\"06139992\"/></receiver>", NULL},
		{"<creationTime value=\"20250431\"/>", "", "creationTime@value is not a calendar date"},
		{"<creationTime value=\"2025-04-01\"/>", "", "creationTime@value is not a date YYYYMMDD"},
		{"<creationTime value=\"29991231\"/>", "", "creationTime@value is in the future"},
		{"", "", "creationTime@value is missing"},
		{"<creationTime value=\"20250401\"/>",
		 "<receiver><id root=\"1.2.3.4\" extension=\"06139992\"/></receiver>",
		 "receiver/id@root is not the OID of an insurer (...6.101), checkup institution (...6.102), "
		 "agency (...6.103) or municipality (...6.105)"},
		{"<creationTime value=\"20250401\"/>",
		 "<receiver><id root=\"1.2.392.200119.6.101\" extension=\"0613999\"/></receiver>",
		 "receiver/id@extension is not an 8-digit insurer number"},
		{"<creationTime value=\"20250401\"/>",
		 "<receiver><id root=\"1.2.392.200119.6.102\" extension=\"99999999\"/></receiver>",
		 "receiver/id@extension is not a 10-digit institution number"},
		{"<creationTime value=\"20250401\"/>", "<receiver><id extension=\"06139992\"/></receiver>",
		 "receiver/id@root is missing"},
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct t t;
		char *ix = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<index xmlns=\"%s\">"
				  "<interactionType code=\"1\"/>%s<sender><id root=\"1.2.392.200119.6.102\""
				  " extension=\"1311234567\"/></sender>%s<serviceEventType code=\"1\"/>"
				  "<totalRecordCount value=\"3\"/></index>\n", NS2024, cases[i].creation,
				  cases[i].receiver);
		t_begin(&t, 1);
		put_s(t.root, "ix08_V08.xml", ix);
		CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
		CU_ASSERT_EQUAL(mock_host_loaded(&t.m), 3);
		if (cases[i].warning) {
			char *want = tu_fmt("ix08_V08.xml: %s\n", cases[i].warning);
			if (!strstr(t.m.log, want))
				fprintf(stderr, "\ncase %zu: want '%s' in '%s'\n", i, want, t.m.log);
			CU_ASSERT_PTR_NOT_NULL(strstr(t.m.log, want));
			free(want);
		} else {
			CU_ASSERT_STRING_EQUAL(t.m.log, "");
		}
		/* the receiver's number is never printed (the archive's folder
		 * name, which carries it, is the path) */
		{
			const char *msg = strstr(t.m.log, "ix08_V08.xml:");
			CU_ASSERT_PTR_NULL(msg ? strstr(msg, "0613999") : NULL);
		}
		t_end(&t);
		free(ix);
	}
}

/* g* documents and CLAIMS/ files count for the index but are not read;
 * files in sub-folders of DATA/ are not part of the archive. */
static void test_in_mhlw_xml__guidance_and_claims_skipped(void)
{
	struct t t;
	t_begin(&t, 1);
	t_index(&t, NS2024, 5);
	put_s(t.root, "DATA/g13112345672025040100000009.xml", "<not-read/>");
	put_s(t.root, "CLAIMS/c13112345672025040100000001.xml", "<not-read/>");
	put_s(t.root, "DATA/old/h1.xml", "<not-read/>");
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT_EQUAL(mock_host_loaded(&t.m), 3);
	CU_ASSERT_EQUAL(mock_host_rejected(&t.m), 0);
	CU_ASSERT_PTR_NULL(strstr(t.m.log, "totalRecordCount"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.m.log, "1 guidance documents (DATA/g*) skipped"));
	t_end(&t);
}

/* ------------------------------------------------------------------ */
/* Values beyond the fixture                                            */
/* ------------------------------------------------------------------ */

static void test_in_mhlw_xml__section_01990_and_range_flags(void)
{
	static const char extra[] =
		"<component><section><code code=\"01990\" codeSystem=\"1.2.392.200119.6.1010\"/>"
		"<entry><observation classCode=\"OBS\" moodCode=\"EVN\">"
		"<code code=\"3C020000002327101\"/><value xsi:type=\"PQ\" value=\"7.5\" unit=\"mg/dL\"/>"
		"</observation></entry>"
		"<entry><observation classCode=\"OBS\" moodCode=\"EVN\">"
		"<code code=\"3B035000002399901\"/><value xsi:type=\"CD\" code=\"L\" codeSystem=\"2.16.840.1.113883.5.83\"/>"
		"</observation></entry>"
		"<entry><observation classCode=\"OBS\" moodCode=\"EVN\">"
		"<code code=\"3B045000002399901\"/><value xsi:type=\"CD\" code=\"H\" codeSystem=\"2.16.840.1.113883.5.83\"/>"
		"</observation></entry>"
		"<entry><observation classCode=\"OBS\" moodCode=\"EVN\">"
		"<code code=\"9N051000000000049\"/><value xsi:type=\"ST\">事務職</value>"
		"</observation></entry>"
		"<entry><observation classCode=\"OBS\" moodCode=\"EVN\">"
		"<code code=\"9N021000000000001\"/></observation></entry>"
		"</section></component></structuredBody>";
	struct t t;
	char *doc1 = fixture("DATA/" DOC1, NULL);
	char *doc = replace1(doc1, "</structuredBody>", extra);
	t_begin(&t, 0);
	t_index(&t, NS2024, 1);
	put_s(t.root, "DATA/h1.xml", doc);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(t.m.nrecs, 1);
	CU_ASSERT_EQUAL(t.m.recs[0].nfields, 63 + 5);
	ASSERT_VAL(&t.m, 0, "3C020000002327101", "7.5", "mg/dL", NULL);
	ASSERT_NULLV(&t.m, 0, "3B035000002399901", COLINK_NULL_BELOW_RANGE, 'L');
	ASSERT_NULLV(&t.m, 0, "3B045000002399901", COLINK_NULL_ABOVE_RANGE, 'H');
	ASSERT_VAL(&t.m, 0, "9N051000000000049", "事務職", NULL, NULL);
	ASSERT_NULLV(&t.m, 0, "9N021000000000001", COLINK_NULL_MISSING, 0);
	CU_ASSERT_STRING_EQUAL(t.m.recs[0].fields[67].name, "9N021000000000001");
	t_end(&t);
	free(doc1);
	free(doc);
}

/* A Shift_JIS document arrives as UTF-8. */
static void test_in_mhlw_xml__non_utf8_encoding_converted(void)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n"
		"<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><recordTarget><patientRole>"
		"<patient><name>\x83\x65\x83\x58\x83\x67</name></patient>"
		"</patientRole></recordTarget></ClinicalDocument>\n";
	struct t t;
	t_begin(&t, 0);
	t_index(&t, NS2024, 1);
	put_s(t.root, "DATA/h1.xml", doc);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(t.m.nrecs, 1);
	CU_ASSERT_FALSE(t.m.recs[0].rejected);
	CU_ASSERT_EQUAL(t.m.recs[0].nfields, 2);
	ASSERT_VAL(&t.m, 0, "hdr.name_kana", "テスト", NULL, NULL);
	ASSERT_VAL(&t.m, 0, "hdr.document", "DATA/h1.xml", NULL, NULL);
	t_end(&t);
}

/* ------------------------------------------------------------------ */
/* Hostile documents: rejected one by one, the archive still loads      */
/* ------------------------------------------------------------------ */

/* Fixture plus DATA/h0.xml = `bad`: h0 is rejected as record 1 with
 * `reason` (or a reason starting so), the three people are records 2-4,
 * all within two seconds. */
static void one_bad_doc(const char *bad, size_t badlen, const char *reason,
			int prefix_only)
{
	struct t t;
	time_t t0 = time(NULL);
	const char *got;
	size_t i;
	t_begin(&t, 1);
	t_index(&t, NS2024, 4);
	put(t.root, "DATA/h0.xml", bad, badlen);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT(time(NULL) - t0 <= 2);
	CU_ASSERT_EQUAL_FATAL(t.m.nrecs, 4);
	CU_ASSERT_TRUE(t.m.recs[0].rejected);
	CU_ASSERT_EQUAL(t.m.recs[0].record_no, 1);
	CU_ASSERT_EQUAL(t.m.recs[0].line_no, 0);
	CU_ASSERT(str_is(t.m.recs[0].reject_column, "DATA/h0.xml"));
	got = t.m.recs[0].reject_reason;
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT(prefix_only ? !strncmp(got, reason, strlen(reason)) :
		  !strcmp(got, reason));
	CU_ASSERT_PTR_NULL(strchr(got, '\n'));
	for (i = 1; i < 4; i++) {
		CU_ASSERT_FALSE(t.m.recs[i].rejected);
		CU_ASSERT_EQUAL(t.m.recs[i].record_no, i + 1);
	}
	assert_person1(&t.m, 1);
	/* nothing of /etc/passwd anywhere */
	CU_ASSERT_PTR_NULL(strstr(t.m.log, "root:"));
	CU_ASSERT_PTR_NULL(strstr(got, "root:"));
	t_end(&t);
}

static void test_in_mhlw_xml__external_entity_rejected(void)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE ClinicalDocument [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><code code=\"&x;\"/>"
		"<title>&x;</title></ClinicalDocument>\n";
	static const char dtd[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE ClinicalDocument SYSTEM \"file:///etc/passwd\">\n"
		"<ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>\n";
	one_bad_doc(doc, sizeof(doc) - 1, "DOCTYPE declaring entities refused", 0);
	one_bad_doc(dtd, sizeof(dtd) - 1,
		    "DOCTYPE with an external identifier refused", 0);
}

static void test_in_mhlw_xml__billion_laughs_rejected(void)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
		"]>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>&lol9;</title></ClinicalDocument>\n";
	one_bad_doc(doc, sizeof(doc) - 1, "DOCTYPE declaring entities refused", 0);
}

static void test_in_mhlw_xml__doctype_url_rejected_offline(void)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE ClinicalDocument PUBLIC \"-//X//DTD X//EN\" \"http://192.0.2.1/x.dtd\">\n"
		"<ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>\n";
	one_bad_doc(doc, sizeof(doc) - 1,
		    "DOCTYPE with an external identifier refused", 0);
}

static void test_in_mhlw_xml__malformed_rejected(void)
{
	size_t len;
	char *doc1 = fixture("DATA/" DOC1, &len);
	char *bad = replace1(doc1, "</patient>", "</patientX>");
	/* not UTF-8 although declared so: the reason quotes no bytes */
	char *bad2 = replace1(doc1, "テスト　イチロウ", "\xff\xfe\x83\x65");
	one_bad_doc(bad, strlen(bad),
		    "malformed XML at line 27: Opening and ending tag mismatch: patient line 23 and patientX",
		    0);
	one_bad_doc(bad2, strlen(bad2),
		    "malformed XML at line 24: Input is not proper UTF-8, indicate encoding !", 0);
	one_bad_doc(doc1, len / 2, "malformed XML at line ", 1);
	one_bad_doc("", 0, "empty document", 0);
	one_bad_doc("<x xmlns=\"urn:other\"/>", 22,
		    "root element is not a CDA ClinicalDocument (urn:hl7-org:v3)", 0);
	free(bad);
	free(bad2);
	free(doc1);
}

static void test_in_mhlw_xml__symlink_rejected(void)
{
	struct t t;
	char *link;
	t_begin(&t, 1);
	t_index(&t, NS2024, 4);
	link = tu_fmt("%s/DATA/h0.xml", t.root);
	CU_ASSERT_EQUAL_FATAL(symlink("/etc/passwd", link), 0);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(t.m.nrecs, 4);
	CU_ASSERT_TRUE(t.m.recs[0].rejected);
	CU_ASSERT(str_is(t.m.recs[0].reject_reason,
			 "not a regular file (symbolic link refused)"));
	CU_ASSERT_EQUAL(mock_host_loaded(&t.m), 3);
	free(link);
	t_end(&t);
}

/* ------------------------------------------------------------------ */
/* Hostile zips                                                         */
/* ------------------------------------------------------------------ */

static void test_in_mhlw_xml__zip_slip_refused(void)
{
	struct t t;
	char *ix = index_xml(NS2024, 2), *d1 = fixture("DATA/" DOC1, NULL), *z;
	struct zent e[4] = {
		{ TOP "/ix08_V08.xml", ix, strlen(ix) },
		{ TOP "/DATA/" DOC1, d1, strlen(d1) },
		{ TOP "/DATA/../../evil.xml", d1, strlen(d1) },
		{ "../outside.xml", "x", 1 },
	};
	t_begin(&t, 0);
	z = tu_fmt("%s/a.zip", t.tmp);
	make_zip(z, e, 4);
	CU_ASSERT_EQUAL(t_read(&t, NULL, z), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(t.m.nrecs, 2);
	CU_ASSERT_TRUE(t.m.recs[0].rejected);
	CU_ASSERT_EQUAL(t.m.recs[0].record_no, 1);
	CU_ASSERT(str_is(t.m.recs[0].reject_column, "DATA/../../evil.xml"));
	CU_ASSERT(str_is(t.m.recs[0].reject_reason, "zip entry with unsafe path"));
	CU_ASSERT_EQUAL(t.m.recs[1].record_no, 2);
	assert_person1(&t.m, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.m.log, "zip entry 4 with unsafe path ignored"));
	t_end(&t);
	free(ix);
	free(d1);
	free(z);
}

/* Make the zip lie: set the uncompressed size of entry `name` in its local
 * and central headers to `size` (little endian, no zip64). */
static void lie_about_size(const char *zpath, const char *name, uint32_t size)
{
	size_t len, i, nl = strlen(name), patched = 0;
	unsigned char *b = (unsigned char *)tu_read_file(zpath, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (i = 0; i + 46 + nl <= len; i++) {
		size_t at = 0;
		if (!memcmp(b + i, "PK\x03\x04", 4) && !memcmp(b + i + 30, name, nl))
			at = i + 22;
		else if (!memcmp(b + i, "PK\x01\x02", 4) && !memcmp(b + i + 46, name, nl))
			at = i + 24;
		if (at) {
			b[at] = size & 0xff;
			b[at + 1] = (size >> 8) & 0xff;
			b[at + 2] = (size >> 16) & 0xff;
			b[at + 3] = (size >> 24) & 0xff;
			patched++;
		}
	}
	CU_ASSERT_EQUAL_FATAL(patched, 2);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(zpath, (char *)b, len), 0);
	free(b);
}

/* The bomb: DATA/h2.xml is 100 MiB of zeros (about 100 KiB deflated). */
static void assert_bomb_refused(struct t *t, const char *const *settings,
				const char *zip, const char *reason)
{
	CU_ASSERT_EQUAL(t_read(t, settings, zip), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(t->m.nrecs, 2);
	assert_person1(&t->m, 0);
	CU_ASSERT_TRUE(t->m.recs[1].rejected);
	CU_ASSERT(str_is(t->m.recs[1].reject_column, "DATA/h2.xml"));
	CU_ASSERT(str_is(t->m.recs[1].reject_reason, reason));
}

static void test_in_mhlw_xml__zip_bomb_refused(void)
{
	static const char *const big_limit[] = { "max_entry_bytes=200000000", NULL };
	static const char *const size_only[] = { "max_entry_bytes=5000000",
						  "max_ratio=1000000", NULL };
	struct t t;
	size_t big = 100u * 1024 * 1024;
	char *ix = index_xml(NS2024, 2), *d1 = fixture("DATA/" DOC1, NULL);
	char *zeros = calloc(1, big), *z;
	struct zent e[3] = {
		{ "ix08_V08.xml", ix, strlen(ix) },
		{ "DATA/" DOC1, d1, strlen(d1) },
		{ "DATA/h2.xml", zeros, big },
	};
	clock_t c0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(zeros);
	t_begin(&t, 0);
	z = tu_fmt("%s/bomb.zip", t.tmp);
	make_zip(z, e, 3);
	free(zeros);
	c0 = clock();
	assert_bomb_refused(&t, NULL, z,
			    "entry of 104857600 bytes exceeds max_entry_bytes 67108864");
	/* under a larger size limit, the ratio refuses it */
	assert_bomb_refused(&t, big_limit, z, "compression ratio above max_ratio 200");
	/* both refused from the declared sizes: nothing was inflated */
	CU_ASSERT((double)(clock() - c0) / CLOCKS_PER_SEC < 1.0);
	/* a zip that declares 1000 bytes is refused while inflating, by
	 * whichever limit is reached first */
	lie_about_size(z, "DATA/h2.xml", 1000);
	assert_bomb_refused(&t, big_limit, z, "compression ratio above max_ratio 200");
	assert_bomb_refused(&t, size_only, z, "entry larger than max_entry_bytes 5000000");
	t_end(&t);
	free(ix);
	free(d1);
	free(z);
}

/* ------------------------------------------------------------------ */
/* Fatal archive problems                                               */
/* ------------------------------------------------------------------ */

static void test_in_mhlw_xml__missing_index_fatal(void)
{
	struct t t;
	char *d1 = fixture("DATA/" DOC1, NULL), *z;
	struct zent e[1] = { { "a/DATA/h1.xml", d1, strlen(d1) } };
	t_begin(&t, 0);
	put_s(t.root, "DATA/h1.xml", d1);
	z = tu_fmt("%s/a.zip", t.tmp);
	make_zip(z, e, 1);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_EFORMAT);
	CU_ASSERT_EQUAL(t.err.code, COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err.msg, "no ix08_V08.xml in the folder or in one sub-folder"));
	CU_ASSERT_EQUAL(t_read(&t, NULL, z), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err.msg, "no ix08_V08.xml at the top of the zip or in one top folder"));
	CU_ASSERT_EQUAL(t.m.nrecs, 0);
	t_end(&t);
	free(d1);
	free(z);
}

static void test_in_mhlw_xml__bad_index_fatal(void)
{
	static const char *const tiny[] = { "max_entry_bytes=100", NULL };
	struct t t;
	char *other = index_xml("urn:example:other", 3);
	char *good = replace1(other, "urn:example:other", NS2024);
	char *nocount = replace1(good, "value=\"3\"", "value=\"3x\"");
	t_begin(&t, 1);
	put_s(t.root, "ix08_V08.xml", "<index");
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err.msg, ": ix08_V08.xml: malformed XML at line 1"));
	put_s(t.root, "ix08_V08.xml", other);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err.msg, "ix08_V08.xml: root element is not an index of the 2024 or 2008 MHLW namespace"));
	put_s(t.root, "ix08_V08.xml", nocount);
	CU_ASSERT_EQUAL(t_read(&t, NULL, NULL), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err.msg, "ix08_V08.xml: totalRecordCount missing or not a count"));
	/* an index refused by the size limit is fatal too */
	put_s(t.root, "ix08_V08.xml", good);
	CU_ASSERT_EQUAL(t_read(&t, tiny, NULL), COLINK_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err.msg, "ix08_V08.xml: entry of"));
	CU_ASSERT_EQUAL(t.m.nrecs, 0);
	t_end(&t);
	free(other);
	free(good);
	free(nocount);
}

static void test_in_mhlw_xml__not_an_archive_fatal(void)
{
	struct t t;
	char *f, *missing;
	t_begin(&t, 0);
	f = tu_fmt("%s/x.zip", t.tmp);
	missing = tu_fmt("%s/none.zip", t.tmp);
	put_s(t.tmp, "x.zip", "this is not a zip file");
	CU_ASSERT_EQUAL(t_read(&t, NULL, f), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err.msg, "not a readable zip archive or folder"));
	CU_ASSERT_EQUAL(t_read(&t, NULL, missing), COLINK_ENOTFOUND);
	CU_ASSERT_EQUAL(t_read(&t, NULL, "/dev/null"), COLINK_EFORMAT);
	t_end(&t);
	free(f);
	free(missing);
}

/* ------------------------------------------------------------------ */
/* Settings, abort, allocation failures                                 */
/* ------------------------------------------------------------------ */

static void test_in_mhlw_xml__settings_checked(void)
{
	static const char *const zero_ratio[] = { "max_ratio=0", NULL };
	static const char *const zero_bytes[] = { "max_entry_bytes=0", NULL };
	static const char *const unknown[] = { "validat=true", NULL };
	const struct colink_setting_def *s = plug->settings;
	struct mock_host m;
	struct colink_error err;
	void *ctx = (void *)1;
	CU_ASSERT_STRING_EQUAL(s[0].name, "validate");
	CU_ASSERT_EQUAL(s[0].type, COLINK_SET_BOOL);
	CU_ASSERT_STRING_EQUAL(s[0].default_value, "false");
	CU_ASSERT_STRING_EQUAL(s[1].name, "max_entry_bytes");
	CU_ASSERT_STRING_EQUAL(s[1].default_value, "67108864");
	CU_ASSERT_STRING_EQUAL(s[2].name, "max_ratio");
	CU_ASSERT_STRING_EQUAL(s[2].default_value, "200");
	CU_ASSERT_PTR_NULL(s[3].name);
	CU_ASSERT_EQUAL(plug->kind, COLINK_PLUGIN_INPUT);
	CU_ASSERT_STRING_EQUAL(plug->name, "in_mhlw_xml");
	mock_host_init(&m);
	CU_ASSERT_EQUAL(mock_plugin_init(plug, &m, zero_ratio, &ctx, &err), COLINK_EINVAL);
	CU_ASSERT_PTR_NULL(ctx);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "max_ratio must be at least 1"));
	CU_ASSERT_EQUAL(mock_plugin_init(plug, &m, zero_bytes, &ctx, &err), COLINK_EINVAL);
	CU_ASSERT_NOT_EQUAL(mock_plugin_init(plug, &m, unknown, &ctx, &err), COLINK_OK);
	plug->fini(NULL);
}

static void test_in_mhlw_xml__abort_passed_through(void)
{
	struct t t;
	t_begin(&t, 1);
	mock_host_reset(&t.m);
	t.m.abort_after = 1;
	CU_ASSERT_EQUAL(run_read(NULL, t.root, &t.m, &t.err), COLINK_EABORT);
	CU_ASSERT_EQUAL(t.err.code, COLINK_EABORT);
	CU_ASSERT_EQUAL(t.m.nrecs, 1);
	t_end(&t);
}

/* Fail the Nth host allocation of read(): a clean ENOMEM, no leak (ASan). */
static void test_in_mhlw_xml__alloc_failure_clean(void)
{
	struct t t;
	const char *paths[2];
	char *z;
	long n;
	int p, rc = -1;
	t_begin(&t, 1);
	z = fixture_zip(t.tmp, TOP "/");
	paths[0] = t.root;
	paths[1] = z;
	for (p = 0; p < 2; p++) {
		for (n = 0; n < 100000; n++) {
			void *ctx = NULL;
			mock_host_reset(&t.m);
			CU_ASSERT_EQUAL_FATAL(mock_plugin_init(plug, &t.m, NULL, &ctx, &t.err), COLINK_OK);
			colink_alloc_fail_after(n);
			rc = plug->input->read(ctx, paths[p], mock_host_emitter(&t.m), &t.err);
			colink_alloc_fail_after(-1);
			plug->fini(ctx);
			if (rc == COLINK_OK)
				break;
			CU_ASSERT_EQUAL(rc, COLINK_ENOMEM);
			CU_ASSERT_EQUAL(t.err.code, COLINK_ENOMEM);
		}
		CU_ASSERT_EQUAL(rc, COLINK_OK);
		CU_ASSERT(n > 3);
		assert_fixture_loaded(&t.m);
	}
	t_end(&t);
	free(z);
}

/* ------------------------------------------------------------------ */
/* XSD validation (schemas read from the reference set at run time)     */
/* ------------------------------------------------------------------ */

static const char *xsd_reference(void)
{
	const char *d = getenv("COLINK_MHLW_XSD");
	return d && *d ? d : "/work/shared/reference/mhlw-xsd";
}

static void test_in_mhlw_xml__validate_without_xsd_fatal(void)
{
	static const char *const on[] = { "validate=true", NULL };
	struct t t;
	char *z;
	t_begin(&t, 1);
	z = fixture_zip(t.tmp, "");
	CU_ASSERT_EQUAL(t_read(&t, on, NULL), COLINK_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(t.err.msg, "validate=true but the archive has no XSD/ folder");
	CU_ASSERT_EQUAL(t_read(&t, on, z), COLINK_ENOTFOUND);
	CU_ASSERT_EQUAL(t.m.nrecs, 0);
	t_end(&t);
	free(z);
}

/* Add every file under dir/rel to the zip as rel (recursive). */
static void zip_tree(zip_t *z, const char *dir, const char *rel)
{
	char *path = tu_fmt("%s/%s", dir, rel);
	DIR *d = opendir(path);
	struct dirent *de;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL) {
		char *sub, *full;
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		sub = *rel ? tu_fmt("%s/%s", rel, de->d_name) : tu_fmt("%s", de->d_name);
		full = tu_fmt("%s/%s", dir, sub);
		CU_ASSERT_EQUAL_FATAL(stat(full, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			zip_tree(z, dir, sub);
		} else {
			zip_source_t *src = zip_source_file(z, full, 0, -1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(src);
			CU_ASSERT_FATAL(zip_file_add(z, sub, src, ZIP_FL_ENC_UTF_8) >= 0);
		}
		free(sub);
		free(full);
	}
	closedir(d);
	free(path);
}

static void test_in_mhlw_xml__validate_against_archive_xsd(void)
{
	static const char *const on[] = { "validate=true", NULL };
	struct t t;
	struct stat st;
	char *cmd, *doc1, *bogus, *badroot, *z;
	zip_t *zz;
	int ze = 0;
	if (stat(xsd_reference(), &st) != 0) {
		CU_PASS("reference XSD set absent: validation test skipped");
		return;
	}
	t_begin(&t, 1);
	cmd = tu_fmt("cp -R '%s' '%s/XSD'", xsd_reference(), t.root);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	/* the same archive zipped, XSD/ inside the zip */
	z = tu_fmt("%s/v.zip", t.tmp);
	zz = zip_open(z, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	CU_ASSERT_PTR_NOT_NULL_FATAL(zz);
	zip_tree(zz, t.root, "");
	CU_ASSERT_EQUAL_FATAL(zip_close(zz), 0);
	CU_ASSERT_EQUAL(t_read(&t, on, z), COLINK_OK);
	assert_fixture_loaded(&t.m);
	/* two invalid documents in the folder form */
	doc1 = fixture("DATA/" DOC1, NULL);
	bogus = replace1(doc1, "<id nullFlavor=\"NI\"/>", "<bogus/><id nullFlavor=\"NI\"/>");
	/* a card-number-like value where the schema wants an OID */
	badroot = replace1(doc1, "root=\"1.2.392.200119.6.205\"", "root=\"987654321\"");
	put_s(t.root, "DATA/h4.xml", bogus);
	put_s(t.root, "DATA/h5.xml", badroot);
	CU_ASSERT_EQUAL(t_read(&t, on, NULL), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(t.m.nrecs, 5);
	assert_person1(&t.m, 0);
	assert_person3(&t.m, 2);
	CU_ASSERT_TRUE(t.m.recs[3].rejected);
	CU_ASSERT(str_is(t.m.recs[3].reject_reason,
			 "not valid against XSD/hc08_V08.xsd: line 6, element bogus (libxml2 error 1871)"));
	CU_ASSERT_TRUE(t.m.recs[4].rejected);
	CU_ASSERT(str_is(t.m.recs[4].reject_reason,
			 "not valid against XSD/hc08_V08.xsd: line 19, element id (libxml2 error 1826)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.m.log, "totalRecordCount says 3, archive has 5 files"));
	t_end(&t);
	free(z);
	free(cmd);
	free(doc1);
	free(bogus);
	free(badroot);
}

/* ------------------------------------------------------------------ */

static const struct tu_test tests[] = {
	TU_TEST(test_in_mhlw_xml__fixture_folder),
	TU_TEST(test_in_mhlw_xml__fixture_zip),
	TU_TEST(test_in_mhlw_xml__index_2008_namespace),
	TU_TEST(test_in_mhlw_xml__missing_card_symbol_omitted),
	TU_TEST(test_in_mhlw_xml__vendor_data_name),
	TU_TEST(test_in_mhlw_xml__record_count_mismatch_logged),
	TU_TEST(test_in_mhlw_xml__index_fields_checked),
	TU_TEST(test_in_mhlw_xml__guidance_and_claims_skipped),
	TU_TEST(test_in_mhlw_xml__section_01990_and_range_flags),
	TU_TEST(test_in_mhlw_xml__non_utf8_encoding_converted),
	TU_TEST(test_in_mhlw_xml__external_entity_rejected),
	TU_TEST(test_in_mhlw_xml__billion_laughs_rejected),
	TU_TEST(test_in_mhlw_xml__doctype_url_rejected_offline),
	TU_TEST(test_in_mhlw_xml__malformed_rejected),
	TU_TEST(test_in_mhlw_xml__symlink_rejected),
	TU_TEST(test_in_mhlw_xml__zip_slip_refused),
	TU_TEST(test_in_mhlw_xml__zip_bomb_refused),
	TU_TEST(test_in_mhlw_xml__missing_index_fatal),
	TU_TEST(test_in_mhlw_xml__bad_index_fatal),
	TU_TEST(test_in_mhlw_xml__not_an_archive_fatal),
	TU_TEST(test_in_mhlw_xml__settings_checked),
	TU_TEST(test_in_mhlw_xml__abort_passed_through),
	TU_TEST(test_in_mhlw_xml__alloc_failure_clean),
	TU_TEST(test_in_mhlw_xml__validate_without_xsd_fatal),
	TU_TEST(test_in_mhlw_xml__validate_against_archive_xsd),
	TU_END
};

int main(void)
{
	plug = mock_load_plugin("in_mhlw_xml");
	if (!plug)
		return 1;
	if (tu_add_suite("in_mhlw_xml", NULL, NULL, tests))
		return 1;
	return tu_run_suites();
}
