/*
 * test_in_xlsx.c -- the .xlsx input plugin, loaded with dlopen and driven
 * through the mock host: the sample workbook cell by cell (merged
 * headers, serial dates, leading zeros, #N/A, phonetic runs, sparse and
 * blank rows), the date rules (1900 leap-year bug, 1904 system, custom
 * formats), settings, hostile workbooks (zip bomb, entities, shared
 * string index out of range, unsafe part names) and a 1,048,576-row
 * sheet read with flat memory.
 */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_host.h"
#include "testutil.h"
#include "xlsx_build.h"

static const struct colink_plugin *plugin;
static char *dir;
static int nfiles;

static int suite_init(void)
{
	plugin = mock_load_plugin("in_xlsx");
	dir = tu_mkdtemp("in_xlsx");
	return plugin && dir ? 0 : 1;
}

static int suite_clean(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

#define SET(...) ((const char *const[]){ __VA_ARGS__, NULL })

static int read_path(struct mock_host *m, const char *const *settings, const char *path,
		     struct colink_error *err)
{
	void *ctx = NULL;
	int rc;
	colink_error_clear(err);
	rc = mock_plugin_init(plugin, m, settings, &ctx, err);
	CU_ASSERT_EQUAL_FATAL(rc, COLINK_OK);
	rc = plugin->input->read(ctx, path, mock_host_emitter(m), err);
	plugin->fini(ctx);
	return rc;
}

static int read_book(struct mock_host *m, const char *const *settings,
		     const struct xb_book *b, struct colink_error *err)
{
	char *path = tu_fmt("%s/b%d.xlsx", dir, nfiles++);
	int rc;
	CU_ASSERT_EQUAL_FATAL(xb_write(path, b), 0);
	rc = read_path(m, settings, path, err);
	free(path);
	return rc;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Field `name` of record i (emitted, not rejected), or NULL. */
static const struct mock_field *fld(const struct mock_host *m, size_t i, const char *name)
{
	size_t k;
	if (i >= m->nrecs)
		return NULL;
	for (k = 0; k < m->recs[i].nfields; k++)
		if (m->recs[i].fields[k].name && !strcmp(m->recs[i].fields[k].name, name))
			return &m->recs[i].fields[k];
	return NULL;
}

static const char *val(const struct mock_host *m, size_t i, const char *name)
{
	const struct mock_field *f = fld(m, i, name);
	return f ? f->value : "(no such field)";
}

#define EXPECT_VAL(m, i, name, want) do { \
	const char *got_ = val((m), (i), (name)); \
	if (!same(got_, (want))) \
		fprintf(stderr, "\n  record %d %s: got '%s' want '%s'\n", (int)(i), (name), \
			got_ ? got_ : "(null)", (want) ? (want) : "(null)"); \
	CU_ASSERT(same(got_, (want))); \
} while (0)

/* ------------------------------------------------------------------ */

static void test_in_xlsx__sample_workbook(void)
{
	struct mock_host m;
	struct colink_error err;
	char *path = tu_fmt("%s/samples/vendor_d.xlsx", tu_srcdir());
	static const char *const want_header[] = {
		"保険者番号", "被保険者証記号", "被保険者証番号", "枝番", "氏名カナ", "生年月日",
		"性別", "受診日", "身長", "体重", "BMI", "収縮期血圧", "収縮期血圧_2", "HbA1c",
		"LDL", "尿蛋白" };
	const struct mock_field *f;
	size_t i;
	mock_host_init(&m);
	CU_ASSERT_EQUAL_FATAL(read_path(&m, SET("sheet=健診結果", "header_row=2"), path, &err),
			      COLINK_OK);
	/* the merged header cells named: L2:M2 spread, N1:N2 from row 1 */
	CU_ASSERT_EQUAL_FATAL(m.nheader, 16);
	for (i = 0; i < 16; i++)
		CU_ASSERT_STRING_EQUAL(m.header[i], want_header[i]);
	/* four persons; the formatted blank rows 7-9 are not records */
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 4);
	CU_ASSERT_EQUAL(mock_host_rejected(&m), 0);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(m.recs[i].record_no, i + 1);
		CU_ASSERT_EQUAL(m.recs[i].line_no, i + 3); /* the sheet row */
		CU_ASSERT_EQUAL(m.recs[i].nfields, 16);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(m.log, "3 blank rows skipped"));
	/* leading zeros: text, and a number shown as 00000000 / 00 */
	EXPECT_VAL(&m, 0, "保険者番号", "06139992");
	EXPECT_VAL(&m, 3, "保険者番号", "06139984");
	EXPECT_VAL(&m, 0, "枝番", "00");
	EXPECT_VAL(&m, 1, "枝番", "01");
	EXPECT_VAL(&m, 1, "被保険者証番号", "00001234");
	/* serial dates, built-in style 14 and custom yyyy"年"m"月"d"日" */
	EXPECT_VAL(&m, 0, "生年月日", "1970-05-15");
	EXPECT_VAL(&m, 0, "受診日", "2024-06-10");
	EXPECT_VAL(&m, 1, "生年月日", "1956-08-20");
	EXPECT_VAL(&m, 3, "受診日", "2024-07-01");
	/* phonetic runs left out, rich runs joined, inline strings */
	EXPECT_VAL(&m, 0, "氏名カナ", "テスト イチロウ");
	EXPECT_VAL(&m, 1, "氏名カナ", "テスト ハナコ");
	EXPECT_VAL(&m, 2, "氏名カナ", "テスト ジロウ");
	/* numbers: Excel's 17-digit doubles shown as Excel shows them; a
	 * formula's cached value */
	EXPECT_VAL(&m, 0, "BMI", "26.1");
	EXPECT_VAL(&m, 1, "身長", "152.3");
	EXPECT_VAL(&m, 2, "体重", "80.1");
	EXPECT_VAL(&m, 0, "収縮期血圧_2", "142");
	EXPECT_VAL(&m, 0, "HbA1c", "6");
	/* sparse row: omitted cells are empty, the others in their columns */
	EXPECT_VAL(&m, 1, "被保険者証記号", "");
	EXPECT_VAL(&m, 1, "収縮期血圧_2", "");
	EXPECT_VAL(&m, 1, "LDL", "");
	EXPECT_VAL(&m, 1, "HbA1c", "5.8");
	EXPECT_VAL(&m, 1, "尿蛋白", "未実施");
	/* #N/A: a null with reason invalid, counted in the log by cell */
	f = fld(&m, 2, "LDL");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NULL(f->value);
	CU_ASSERT_EQUAL(f->null_reason, COLINK_NULL_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.log, "1 error cells"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.log, "健診結果!O5"));
	mock_host_reset(&m);
	/* the first sheet is the cover note: by index */
	CU_ASSERT_EQUAL(read_path(&m, SET("sheet_index=1", "header_row=0"), path, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
	CU_ASSERT_STRING_EQUAL(mock_field_value(&m, 0, 1), "この表紙は読み込みません");
	CU_ASSERT_PTR_NULL(m.recs[0].fields[0].name);
	mock_host_reset(&m);
	CU_ASSERT_EQUAL(read_path(&m, SET("sheet=nope"), path, &err), COLINK_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no sheet named 'nope'"));
	CU_ASSERT_EQUAL(read_path(&m, SET("sheet_index=3"), path, &err), COLINK_ENOTFOUND);
	mock_host_reset(&m);
	free(path);
}

/* One number cell per row in column A with style s, header "v". */
static void test_in_xlsx__dates(void)
{
	struct mock_host m;
	struct colink_error err;
	struct xb_book b;
	memset(&b, 0, sizeof(b));
	b.sst = "<si><t>v</t></si>";
	b.numfmts = "<numFmt numFmtId=\"170\" formatCode=\"[$-411]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
		"<numFmt numFmtId=\"171\" formatCode=\"h:mm\"/>"
		"<numFmt numFmtId=\"172\" formatCode=\"[Red]0.0\"/>"
		"<numFmt numFmtId=\"173\" formatCode=\"mm:ss\"/>"
		"<numFmt numFmtId=\"174\" formatCode=\"&quot;day&quot; 0\"/>";
	b.xfs = "<xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"170\"/><xf numFmtId=\"171\"/>"
		"<xf numFmtId=\"172\"/><xf numFmtId=\"173\"/><xf numFmtId=\"174\"/><xf numFmtId=\"22\"/>"
		"<xf numFmtId=\"49\"/>";
	b.sheets[0] =
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
		"<row r=\"2\"><c r=\"A2\" s=\"1\"><v>59</v></c></row>"
		"<row r=\"3\"><c r=\"A3\" s=\"1\"><v>60</v></c></row>"
		"<row r=\"4\"><c r=\"A4\" s=\"1\"><v>61</v></c></row>"
		"<row r=\"5\"><c r=\"A5\" s=\"1\"><v>1</v></c></row>"
		"<row r=\"6\"><c r=\"A6\" s=\"2\"><v>43586</v></c></row>"
		"<row r=\"7\"><c r=\"A7\" s=\"3\"><v>0.5</v></c></row>"
		"<row r=\"8\"><c r=\"A8\" s=\"4\"><v>36.5</v></c></row>"
		"<row r=\"9\"><c r=\"A9\" s=\"5\"><v>0.25</v></c></row>"
		"<row r=\"10\"><c r=\"A10\" s=\"6\"><v>3</v></c></row>"
		"<row r=\"11\"><c r=\"A11\" s=\"7\"><v>45453.75</v></c></row>"
		"<row r=\"12\"><c r=\"A12\" s=\"8\"><v>45453</v></c></row>"
		"<row r=\"13\"><c r=\"A13\" s=\"1\"><v>2958465</v></c></row>"
		"<row r=\"14\"><c r=\"A14\" s=\"1\"><v>-1</v></c></row>"
		"<row r=\"15\"><c r=\"A15\" t=\"d\"><v>2024-06-10T00:00:00</v></c></row>"
		"<row r=\"16\"><c r=\"A16\" t=\"b\"><v>1</v></c></row>"
		"<row r=\"17\"><c r=\"A17\" t=\"str\"><f>A1&amp;\"x\"</f><v>vx</v></c></row>";
	mock_host_init(&m);
	CU_ASSERT_EQUAL_FATAL(read_book(&m, NULL, &b, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 16);
	EXPECT_VAL(&m, 0, "v", "1900-02-28");
	EXPECT_VAL(&m, 1, "v", "1900-02-29"); /* Lotus's day that never was */
	EXPECT_VAL(&m, 2, "v", "1900-03-01");
	EXPECT_VAL(&m, 3, "v", "1900-01-01");
	EXPECT_VAL(&m, 4, "v", "2019-05-01"); /* 令和元年5月1日 */
	EXPECT_VAL(&m, 5, "v", "0.5");        /* h:mm is a time, not a date */
	EXPECT_VAL(&m, 6, "v", "36.5");
	EXPECT_VAL(&m, 7, "v", "0.25");       /* mm:ss: minutes */
	EXPECT_VAL(&m, 8, "v", "3");          /* "day" quoted: no date token */
	EXPECT_VAL(&m, 9, "v", "2024-06-10"); /* 22: date and time, the date kept */
	EXPECT_VAL(&m, 10, "v", "45453");     /* 49 is text: as typed */
	EXPECT_VAL(&m, 11, "v", "9999-12-31");
	EXPECT_VAL(&m, 12, "v", "-1");        /* no date before 1900 */
	EXPECT_VAL(&m, 13, "v", "2024-06-10");
	EXPECT_VAL(&m, 14, "v", "TRUE");
	EXPECT_VAL(&m, 15, "v", "vx");
	mock_host_reset(&m);
	/* the 1904 date system: serial 0 is 1904-01-01 */
	b.date1904 = 1;
	b.sheets[0] = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
		"<row r=\"2\"><c r=\"A2\" s=\"1\"><v>0</v></c></row>"
		"<row r=\"3\"><c r=\"A3\" s=\"1\"><v>43991</v></c></row>";
	CU_ASSERT_EQUAL_FATAL(read_book(&m, NULL, &b, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2);
	EXPECT_VAL(&m, 0, "v", "1904-01-01");
	EXPECT_VAL(&m, 1, "v", "2024-06-10");
	mock_host_reset(&m);
}

static void test_in_xlsx__layout_settings(void)
{
	struct mock_host m;
	struct colink_error err;
	struct xb_book b;
	void *ctx;
	memset(&b, 0, sizeof(b));
	/* cells without r follow the previous one; a row without r too */
	b.sheets[0] =
		"<row r=\"1\"><c t=\"inlineStr\"><is><t>x</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>a</t></is></c>"
		"<c t=\"inlineStr\"><is><t>b</t></is></c><c r=\"D1\" t=\"inlineStr\"><is><t>c</t></is></c></row>"
		"<row r=\"2\"><c r=\"C2\"><v>3</v></c></row>"
		"<row><c r=\"B3\"><v>1</v></c><c><v>2</v></c></row>"
		"<row r=\"7\"><c r=\"A7\"><v>9</v></c><c r=\"E7\"><v>5</v></c></row>";
	mock_host_init(&m);
	CU_ASSERT_EQUAL_FATAL(read_book(&m, SET("range=B:D"), &b, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nheader, 3);
	CU_ASSERT_STRING_EQUAL(m.header[0], "a");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2); /* row 7 has nothing in B:D */
	EXPECT_VAL(&m, 0, "a", "");
	EXPECT_VAL(&m, 0, "b", "3");
	EXPECT_VAL(&m, 1, "a", "1");
	EXPECT_VAL(&m, 1, "b", "2");
	CU_ASSERT_EQUAL(m.recs[1].line_no, 3);
	CU_ASSERT_EQUAL(m.recs[0].fields[0].index, 1);
	mock_host_reset(&m);
	/* the whole sheet: row 7 has a value beyond the header: rejected by cell */
	CU_ASSERT_EQUAL_FATAL(read_book(&m, NULL, &b, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	CU_ASSERT_EQUAL(m.recs[2].rejected, 1);
	CU_ASSERT_EQUAL(m.recs[2].line_no, 7);
	CU_ASSERT_STRING_EQUAL(m.recs[2].reject_column, "Sheet1!E7");
	mock_host_reset(&m);
	/* header_row 0: fields by position, first_data_row, a row range */
	CU_ASSERT_EQUAL_FATAL(read_book(&m, SET("header_row=0", "range=A2:D3"), &b, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2);
	CU_ASSERT_EQUAL(m.nheader, 0);
	CU_ASSERT_STRING_EQUAL(mock_field_value(&m, 0, 3), "3");
	CU_ASSERT_STRING_EQUAL(mock_field_value(&m, 1, 2), "1");
	mock_host_reset(&m);
	CU_ASSERT_EQUAL_FATAL(read_book(&m, SET("first_data_row=3"), &b, &err), COLINK_OK);
	CU_ASSERT_EQUAL(m.recs[0].line_no, 3);
	mock_host_reset(&m);
	/* settings refused */
	CU_ASSERT_NOT_EQUAL(mock_plugin_init(plugin, &m, SET("range=B"), &ctx, &err), COLINK_OK);
	CU_ASSERT_NOT_EQUAL(mock_plugin_init(plugin, &m, SET("sheet_index=0"), &ctx, &err), COLINK_OK);
	CU_ASSERT_NOT_EQUAL(mock_plugin_init(plugin, &m, SET("header_row=3", "first_data_row=2"), &ctx,
					     &err), COLINK_OK);
	CU_ASSERT_NOT_EQUAL(mock_plugin_init(plugin, &m, SET("header_row=1", "range=A2:C9"), &ctx, &err),
			    COLINK_OK);
	/* no header row in the sheet */
	CU_ASSERT_EQUAL(read_book(&m, SET("header_row=5"), &b, &err), COLINK_EFORMAT);
	mock_host_reset(&m);
}

/* ---- hostile workbooks ---- */

static void test_in_xlsx__hostile(void)
{
	struct mock_host m;
	struct colink_error err;
	struct xb_book b;
	char *path, *big;
	size_t n = 50u << 20;
	memset(&b, 0, sizeof(b));
	mock_host_init(&m);
	/* a shared string index out of range: that record rejected, by cell */
	b.sst = "<si><t>h</t></si><si><t>ok</t></si>";
	b.sheets[0] = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
		"<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c></row>"
		"<row r=\"3\"><c r=\"A3\" t=\"s\"><v>18446744073709551616</v></c></row>"
		"<row r=\"4\"><c r=\"A4\" t=\"s\"><v>1</v></c></row>";
	CU_ASSERT_EQUAL_FATAL(read_book(&m, NULL, &b, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	CU_ASSERT_EQUAL(m.recs[0].rejected, 1);
	CU_ASSERT_STRING_EQUAL(m.recs[0].reject_column, "Sheet1!A2");
	CU_ASSERT_PTR_NOT_NULL(strstr(m.recs[0].reject_reason, "shared string index out of range"));
	CU_ASSERT_EQUAL(m.recs[0].record_no, 1);
	CU_ASSERT_EQUAL(m.recs[1].rejected, 1);
	EXPECT_VAL(&m, 2, "h", "ok");
	mock_host_reset(&m);
	/* entities: a DOCTYPE in a sheet part is refused, nothing expanded */
	b.sheets[0] = "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
		"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
		"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>";
	CU_ASSERT_EQUAL(read_book(&m, NULL, &b, &err), COLINK_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "DOCTYPE refused"));
	CU_ASSERT_EQUAL(m.nrecs, 0);
	b.sheets[0] = "<?xml version=\"1.0\"?><!DOCTYPE w SYSTEM \"file:///etc/passwd\">"
		"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData/></worksheet>";
	CU_ASSERT_EQUAL(read_book(&m, NULL, &b, &err), COLINK_EPERM);
	/* an undeclared entity is malformed XML */
	b.sheets[0] = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&xxe;</t></is></c></row>";
	CU_ASSERT_EQUAL(read_book(&m, NULL, &b, &err), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "malformed XML"));
	/* a sheet relationship pointing out of the package */
	b.sheets[0] = "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>";
	b.sheet_target = "../../etc/passwd";
	CU_ASSERT_EQUAL(read_book(&m, NULL, &b, &err), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "has no part"));
	b.sheet_target = NULL;
	/* a row beyond Excel's last row */
	b.sheets[0] = "<row r=\"1048577\"><c r=\"A1048577\"><v>1</v></c></row>";
	CU_ASSERT_EQUAL(read_book(&m, SET("header_row=0"), &b, &err), COLINK_EFORMAT);
	/* not a zip */
	path = tu_fmt("%s/notzip.xlsx", dir);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, "PK\3\4garbage", 11), 0);
	CU_ASSERT_EQUAL(read_path(&m, NULL, path, &err), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an .xlsx workbook"));
	free(path);
	/* a zip bomb: 50 MiB of one byte in the sheet part (ratio ~1000) */
	big = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', n);
	memcpy(big, "<?xml version=\"1.0\"?>", 21);
	b.sheets[0] = big;
	big[n - 1] = '\0';
	CU_ASSERT_EQUAL(read_book(&m, NULL, &b, &err), COLINK_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "compression ratio above max_ratio"));
	/* and the size cap, whatever the ratio */
	CU_ASSERT_EQUAL(read_book(&m, SET("max_ratio=100000", "max_part_bytes=1000000"), &b, &err),
			COLINK_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "max_part_bytes"));
	free(big);
	/* the shared strings cap */
	b.sst = "<si><t>0123456789</t></si><si><t>0123456789</t></si>";
	b.sheets[0] = "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>";
	CU_ASSERT_EQUAL(read_book(&m, SET("max_shared_bytes=15"), &b, &err), COLINK_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "max_shared_bytes"));
	mock_host_reset(&m);
}

/* ---- a full-height sheet, memory flat ---- */

static size_t tr_live, tr_peak;
#define TR_HDR 16

static void *tr_malloc(size_t n)
{
	char *p = malloc(n + TR_HDR);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	tr_live += n;
	if (tr_live > tr_peak)
		tr_peak = tr_live;
	return p + TR_HDR;
}

static void tr_free(void *q)
{
	size_t n;
	if (!q)
		return;
	memcpy(&n, (char *)q - TR_HDR, sizeof(n));
	tr_live -= n;
	free((char *)q - TR_HDR);
}

static void *tr_realloc(void *q, size_t n)
{
	void *d;
	size_t old;
	if (!q)
		return tr_malloc(n);
	memcpy(&old, (char *)q - TR_HDR, sizeof(old));
	if (!(d = tr_malloc(n)))
		return NULL;
	memcpy(d, q, old < n ? old : n);
	tr_free(q);
	return d;
}

static void *tr_calloc(size_t n, size_t size)
{
	void *p;
	if (size && n > SIZE_MAX / size)
		return NULL;
	if ((p = tr_malloc(n * size)))
		memset(p, 0, n * size);
	return p;
}

static uint64_t big_n, big_last_line, big_sum;
static int count_emit(struct colink_emitter *em, const struct colink_raw_record *rec)
{
	const struct colink_raw_field *f = rec->fields;
	(void)em;
	big_n++;
	big_last_line = rec->line_no;
	if (rec->nfields == 2 && f[1].value)
		big_sum += strtoull(f[1].value, NULL, 10);
	return COLINK_OK;
}

static void test_in_xlsx__million_rows_flat(void)
{
	struct mock_host m;
	struct colink_error err;
	struct xb_book b;
	char *sheet = tu_fmt("%s/big_sheet.xml", dir), *path = tu_fmt("%s/big.xlsx", dir);
	FILE *f = fopen(sheet, "w");
	uint32_t r;
	uint64_t want = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	      "<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>", f);
	for (r = 2; r <= 1048576u; r++) {
		fprintf(f, "<row r=\"%u\"><c r=\"A%u\" t=\"s\"><v>%u</v></c><c r=\"B%u\"><v>%u</v></c></row>",
			r, r, r % 3 + 2, r, r % 1000);
		want += r % 1000;
	}
	fputs("</sheetData></worksheet>", f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	memset(&b, 0, sizeof(b));
	b.sheet_files[0] = sheet;
	b.sst = "<si><t>id</t></si><si><t>n</t></si><si><t>a</t></si><si><t>b</t></si><si><t>c</t></si>";
	CU_ASSERT_EQUAL_FATAL(xb_write(path, &b), 0);
	remove(sheet);
	mock_host_init(&m);
	m.host.emit = count_emit;
	m.host.malloc = tr_malloc;
	m.host.calloc = tr_calloc;
	m.host.realloc = tr_realloc;
	m.host.free = tr_free;
	tr_live = tr_peak = 0;
	CU_ASSERT_EQUAL_FATAL(read_path(&m, NULL, path, &err), COLINK_OK);
	CU_ASSERT_EQUAL(big_n, 1048575u);
	CU_ASSERT_EQUAL(big_last_line, 1048576u);
	CU_ASSERT_EQUAL(big_sum, want);
	CU_ASSERT_EQUAL(tr_live, 0);
	/* the plugin's own memory: a 64 KiB read chunk and one row */
	CU_ASSERT(tr_peak < 256 * 1024);
	if (tr_peak >= 256 * 1024)
		fprintf(stderr, "\n  peak %zu bytes\n", tr_peak);
	mock_host_reset(&m);
	free(sheet);
	free(path);
}

/* merges at the end of the header row; a stray empty cell after it; a
 * workbook without relationships parts */
static void test_in_xlsx__header_edges(void)
{
	struct mock_host m;
	struct colink_error err;
	struct xb_book b;
	static const char *const names[] = { "xl/workbook.xml", "xl/worksheets/sheet1.xml" };
	static const char *const datas[] = {
		"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheets>"
		"<sheet name=\"S\" sheetId=\"1\"/></sheets></workbook>",
		"<worksheet/>" };
	size_t lens[2];
	char *path;
	memset(&b, 0, sizeof(b));
	b.sheets[0] = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c>"
		"<c r=\"B1\" t=\"inlineStr\"><is><t>bp</t></is></c><c r=\"C1\" s=\"0\"/><c r=\"D1\"/></row>"
		"<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"B2\"><v>120</v></c><c r=\"C2\"><v>118</v></c></row>";
	b.tail[0] = "<mergeCells><mergeCell ref=\"B1:C1\"/></mergeCells>";
	mock_host_init(&m);
	CU_ASSERT_EQUAL_FATAL(read_book(&m, NULL, &b, &err), COLINK_OK);
	if (m.nheader != 3)
		fprintf(stderr, "\n  header %zu: %s|%s\n", m.nheader, m.nheader > 0 ? m.header[0] : "",
			m.nheader > 1 ? m.header[1] : "");
	CU_ASSERT_EQUAL_FATAL(m.nheader, 3);
	CU_ASSERT_STRING_EQUAL(m.header[2], "bp_2");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
	EXPECT_VAL(&m, 0, "bp_2", "118");
	mock_host_reset(&m);
	/* without the merge, C has no name: its value is refused by cell */
	b.tail[0] = NULL;
	CU_ASSERT_EQUAL_FATAL(read_book(&m, NULL, &b, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nheader, 2);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
	CU_ASSERT_EQUAL(m.recs[0].rejected, 1);
	CU_ASSERT_STRING_EQUAL(m.recs[0].reject_column, "Sheet1!C2");
	mock_host_reset(&m);
	/* no _rels parts at all: the workbook is found, its sheet has no part */
	lens[0] = strlen(datas[0]);
	lens[1] = strlen(datas[1]);
	path = tu_fmt("%s/norels.xlsx", dir);
	CU_ASSERT_EQUAL_FATAL(xb_zip(path, 2, names, datas, lens), 0);
	CU_ASSERT_EQUAL(read_path(&m, NULL, path, &err), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "sheet 'S' has no part"));
	free(path);
	mock_host_reset(&m);
}

static const struct tu_test tests[] = {
	TU_TEST_AS("header_edges", test_in_xlsx__header_edges),
	TU_TEST_AS("sample_workbook", test_in_xlsx__sample_workbook),
	TU_TEST_AS("dates", test_in_xlsx__dates),
	TU_TEST_AS("layout_settings", test_in_xlsx__layout_settings),
	TU_TEST_AS("hostile", test_in_xlsx__hostile),
	TU_TEST_AS("million_rows_flat", test_in_xlsx__million_rows_flat),
	TU_END
};

int main(void)
{
	if (tu_add_suite("in_xlsx", suite_init, suite_clean, tests))
		return 1;
	return tu_run_suites();
}
