/*
 * test_in_csv.c -- the CSV input plugin, loaded with dlopen and driven
 * through the mock host: lineage, quoting, encodings, every reject reason,
 * settings, and flat memory on big and broken files.
 */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "mock_host.h"
#include "testutil.h"

static const struct colink_plugin *plugin;
static char *dir;
static int nfiles;

static int suite_init(void)
{
	plugin = mock_load_plugin("in_csv");
	dir = tu_mkdtemp("in_csv");
	return plugin && dir ? 0 : 1;
}

static int suite_clean(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

static char *tmp_path(void)
{
	return tu_fmt("%s/f%d.csv", dir, nfiles++);
}

/* Run init + read + fini on a file; returns read's code.  m must have
 * been through mock_host_init. */
static int read_path(struct mock_host *m, const char *const *settings,
		     const char *path, struct colink_error *err)
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

static int read_data(struct mock_host *m, const char *const *settings,
		     const char *data, size_t len, struct colink_error *err)
{
	char *path = tmp_path();
	int rc;
	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, data, len), 0);
	rc = read_path(m, settings, path, err);
	free(path);
	return rc;
}

/* String literal data, embedded NULs included. */
#define READ(m, set, lit, err) read_data((m), (set), (lit), sizeof(lit) - 1, (err))
#define SET(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Both NULL, or equal strings. */
static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

#define EXPECT_REC(m, i, rno, lno, nf) do { \
	CU_ASSERT_FATAL((i) < (m)->nrecs); \
	CU_ASSERT_EQUAL((m)->recs[i].rejected, 0); \
	CU_ASSERT_EQUAL((m)->recs[i].record_no, (rno)); \
	CU_ASSERT_EQUAL((m)->recs[i].line_no, (lno)); \
	CU_ASSERT_EQUAL((m)->recs[i].nfields, (nf)); \
} while (0)

#define EXPECT_REJ(m, i, rno, lno, col, why) do { \
	const struct mock_record *r_ = &(m)->recs[i]; \
	CU_ASSERT_FATAL((i) < (m)->nrecs); \
	CU_ASSERT_EQUAL(r_->rejected, 1); \
	CU_ASSERT_EQUAL(r_->record_no, (rno)); \
	CU_ASSERT_EQUAL(r_->line_no, (lno)); \
	CU_ASSERT(same_text(r_->reject_column, (col))); \
	CU_ASSERT(same_text(r_->reject_reason, (why))); \
} while (0)

#define VAL(m, i, idx) (mock_field_value((m), (i), (idx)) ? mock_field_value((m), (i), (idx)) : "(null)")

/* ------------------------------------------------------------------ */
/* Lineage and parsing                                                  */
/* ------------------------------------------------------------------ */

static void test_in_csv__utf8_basic_lineage(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "id,氏名,age\n1,山田 太郎,40\n2,鈴木,\n", &err),
			COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nheader, 3);
	CU_ASSERT_STRING_EQUAL(m.header[0], "id");
	CU_ASSERT_STRING_EQUAL(m.header[1], "氏名");
	CU_ASSERT_STRING_EQUAL(m.header[2], "age");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2);
	EXPECT_REC(&m, 0, 1, 2, 3);
	EXPECT_REC(&m, 1, 2, 3, 3);
	CU_ASSERT_STRING_EQUAL(m.recs[0].fields[1].name, "氏名");
	CU_ASSERT_EQUAL(m.recs[0].fields[1].index, 2);
	CU_ASSERT_STRING_EQUAL(m.recs[0].fields[1].value, "山田 太郎");
	CU_ASSERT_EQUAL(m.recs[0].fields[1].len, strlen("山田 太郎"));
	CU_ASSERT_STRING_EQUAL(m.recs[0].fields[2].name, "age");
	CU_ASSERT_EQUAL(m.recs[0].fields[2].index, 3);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 3), "40");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "鈴木");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 3), "");
	CU_ASSERT_EQUAL(m.recs[1].fields[2].len, 0);
	mock_host_reset(&m);
}

static void test_in_csv__crlf_and_no_final_newline(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "id,name\r\n1,a\r\n2,\"b\"\r\n3,c", &err),
			COLINK_OK);
	CU_ASSERT_STRING_EQUAL(m.header[1], "name");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	EXPECT_REC(&m, 0, 1, 2, 2);
	EXPECT_REC(&m, 1, 2, 3, 2);
	EXPECT_REC(&m, 2, 3, 4, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 2), "a");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "b");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 2, 2), "c");
	CU_ASSERT_EQUAL(mock_host_rejected(&m), 0);
	mock_host_reset(&m);
}

static void test_in_csv__quoted_fields(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL,
			     "id,memo,x\n"
			     "1,\"a,b\",\"say \"\"hi\"\"\"\n"
			     "2,\"line1\nline2\r\nline3\",\"\"\n"
			     "3,c,d\n", &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	CU_ASSERT_EQUAL(mock_host_rejected(&m), 0);
	EXPECT_REC(&m, 0, 1, 2, 3);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 2), "a,b");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 3), "say \"hi\"");
	EXPECT_REC(&m, 1, 2, 3, 3);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "line1\nline2\r\nline3");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 3), "");
	/* record 2 spans lines 3-5: record 3 starts on line 6 */
	EXPECT_REC(&m, 2, 3, 6, 3);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 2, 3), "d");
	mock_host_reset(&m);
}

static void test_in_csv__cp932_decoded(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	/* 氏名 in the header; 髙 (FBFC, NEC EEE0) 﨑 (FAB1, NEC ED95);
	 * ｱｲｳ; ０１; 0x8160 -> U+FF5E; ソ表 (second byte 0x5C) */
	CU_ASSERT_EQUAL(READ(&m, SET("encoding=CP932"),
			     "id,\x8e\x81\x96\xbc,kana,num,tilde\r\n"
			     "1,\xfb\xfc\xee\xe0\xfa\xb1\xed\x95,\xb1\xb2\xb3,"
			     "\x82\x4f\x82\x50,\x81\x60\x83\x5c\x95\x5c\r\n", &err),
			COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nheader, 5);
	CU_ASSERT_STRING_EQUAL(m.header[1], "\xe6\xb0\x8f\xe5\x90\x8d");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
	EXPECT_REC(&m, 0, 1, 2, 5);
	CU_ASSERT_STRING_EQUAL(m.recs[0].fields[1].name, "氏名");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 2),
			       "\xe9\xab\x99\xe9\xab\x99\xef\xa8\x91\xef\xa8\x91");
	CU_ASSERT_EQUAL(m.recs[0].fields[1].len, 12);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 3), "\xef\xbd\xb1\xef\xbd\xb2\xef\xbd\xb3");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 4), "\xef\xbc\x90\xef\xbc\x91");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 5), "\xef\xbd\x9e\xe3\x82\xbd\xe8\xa1\xa8");
	mock_host_reset(&m);
}

static void test_in_csv__bom_stripped_at_start(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "\xEF\xBB\xBFid,name\n1,a\n", &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nheader, 2);
	CU_ASSERT_STRING_EQUAL(m.header[0], "id");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
	EXPECT_REC(&m, 0, 1, 2, 2);
	CU_ASSERT_STRING_EQUAL(m.recs[0].fields[0].name, "id");
	mock_host_reset(&m);
	/* whatever the encoding, and before the preamble */
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, SET("encoding=CP932", "skip_lines=1"),
			     "\xEF\xBB\xBFtitle\nid\n1\n", &err), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(m.header[0], "id");
	EXPECT_REC(&m, 0, 1, 3, 1);
	mock_host_reset(&m);
}

static void test_in_csv__bom_in_data_rejected(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "id,name\n1,\xEF\xBB\xBFx\n2,b\n", &err),
			COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2);
	EXPECT_REJ(&m, 0, 1, 2, "name", "BOM inside data");
	EXPECT_REC(&m, 1, 2, 3, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "b");
	mock_host_reset(&m);
}

/* ------------------------------------------------------------------ */
/* Rejects                                                              */
/* ------------------------------------------------------------------ */

static void test_in_csv__invalid_utf8_rejected(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL,
			     "id,name,x\n"
			     "1,\xC3\x28,y\n"           /* bad continuation */
			     "2,ok,z\n"
			     "3,\xC0\xAF,y\n"           /* overlong '/' */
			     "4,y,\xED\xA0\x80\n"       /* surrogate */
			     "5,\xF4\x90\x80\x80,y\n"   /* above U+10FFFF */
			     "6,ab\xE3\x81\n"           /* truncated */
			     "7,\xF0\x9F\x98\x80,ok\n", /* U+1F600 is fine */
			     &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 7);
	EXPECT_REJ(&m, 0, 1, 2, "name", "invalid UTF-8");
	EXPECT_REC(&m, 1, 2, 3, 3);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "ok");
	EXPECT_REJ(&m, 2, 3, 4, "name", "invalid UTF-8");
	EXPECT_REJ(&m, 3, 4, 5, "x", "invalid UTF-8");
	EXPECT_REJ(&m, 4, 5, 6, "name", "invalid UTF-8");
	EXPECT_REJ(&m, 5, 6, 7, "name", "invalid UTF-8");
	EXPECT_REC(&m, 6, 7, 8, 3);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 6, 2), "\xF0\x9F\x98\x80");
	mock_host_reset(&m);
}

static void test_in_csv__invalid_cp932_rejected(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, SET("encoding=CP932"),
			     "id,name\n"
			     "1,\x81\x7f\n"     /* 0x7F is never a second byte */
			     "2,ab\x82\n"       /* lead byte cut by the delimiter */
			     "3,\xa0\n"         /* unassigned single byte */
			     "4,\x82\xa0\n",    /* あ */
			     &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 4);
	EXPECT_REJ(&m, 0, 1, 2, "name", "invalid CP932 byte sequence");
	EXPECT_REJ(&m, 1, 2, 3, "name", "invalid CP932 byte sequence");
	EXPECT_REJ(&m, 2, 3, 4, "name", "invalid CP932 byte sequence");
	EXPECT_REC(&m, 3, 4, 5, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 3, 2), "あ");
	mock_host_reset(&m);
}

static void test_in_csv__nul_byte_rejected(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "id,name\n1,a\0b\n2,c\n", &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2);
	EXPECT_REJ(&m, 0, 1, 2, "name", "NUL byte");
	EXPECT_REC(&m, 1, 2, 3, 2);
	mock_host_reset(&m);
}

static void test_in_csv__ragged_row(void)
{
	struct mock_host m;
	struct colink_error err;
	const char *data = "a,b,c\n1,2,3\n1,2\n1,2,3,4\n";
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_data(&m, NULL, data, strlen(data), &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	EXPECT_REC(&m, 0, 1, 2, 3);
	EXPECT_REJ(&m, 1, 2, 3, NULL, "row has 2 fields, header has 3");
	EXPECT_REJ(&m, 2, 3, 4, NULL, "row has 4 fields, header has 3");
	mock_host_reset(&m);
	/* strict_columns=false: kept; a field past the header has no name */
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_data(&m, SET("strict_columns=false"), data,
				  strlen(data), &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	EXPECT_REC(&m, 1, 2, 3, 2);
	EXPECT_REC(&m, 2, 3, 4, 4);
	CU_ASSERT_STRING_EQUAL(m.recs[2].fields[2].name, "c");
	CU_ASSERT_PTR_NULL(m.recs[2].fields[3].name);
	CU_ASSERT_EQUAL(m.recs[2].fields[3].index, 4);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 2, 4), "4");
	mock_host_reset(&m);
}

static void test_in_csv__empty_line(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	/* lines 3 and 4 are interior; the blank line 6 ends the file */
	CU_ASSERT_EQUAL(READ(&m, NULL, "id\n1\n\r\n\n2\n\n", &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 4);
	EXPECT_REC(&m, 0, 1, 2, 1);
	EXPECT_REJ(&m, 1, 2, 3, NULL, "empty line");
	EXPECT_REJ(&m, 2, 3, 4, NULL, "empty line");
	EXPECT_REC(&m, 3, 4, 5, 1);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 3, 1), "2");
	CU_ASSERT_EQUAL(mock_host_loaded(&m) + mock_host_rejected(&m), 4);
	mock_host_reset(&m);
	/* a final newline is not an empty line */
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "id\r\n1\r\n", &err), COLINK_OK);
	CU_ASSERT_EQUAL(m.nrecs, 1);
	CU_ASSERT_EQUAL(mock_host_rejected(&m), 0);
	mock_host_reset(&m);
}

static void test_in_csv__unterminated_quote(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "id,name\n1,ok\n2,\"abc\n3,x\n", &err),
			COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2);
	EXPECT_REC(&m, 0, 1, 2, 2);
	EXPECT_REJ(&m, 1, 2, 3, "name", "unterminated quoted field");
	mock_host_reset(&m);
}

static void test_in_csv__malformed_quoting(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL,
			     "id,name\n1,ab\"c\n2,\"x\"y\n3,\"z\" \n4,ok\n", &err),
			COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 4);
	EXPECT_REJ(&m, 0, 1, 2, "name", "malformed quoting");
	EXPECT_REJ(&m, 1, 2, 3, "name", "malformed quoting");
	EXPECT_REJ(&m, 2, 3, 4, "name", "malformed quoting");
	EXPECT_REC(&m, 3, 4, 5, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 3, 2), "ok");
	mock_host_reset(&m);
}

static void test_in_csv__field_over_max_bytes(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, SET("max_field_bytes=8"),
			     "id,name\n1,123456789\n2,12345678\n3,\"1234\"\"567\"\n",
			     &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	EXPECT_REJ(&m, 0, 1, 2, "name", "field longer than max_field_bytes (8)");
	EXPECT_REC(&m, 1, 2, 3, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "12345678");
	EXPECT_REC(&m, 2, 3, 4, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 2, 2), "1234\"567");
	mock_host_reset(&m);
}

static void test_in_csv__runaway_quote_resynchronised(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	/* 2 * 8 + 2 raw bytes without a callback: the field is given up at
	 * the end of line 2 and reading resumes on line 3 */
	CU_ASSERT_EQUAL(READ(&m, SET("max_field_bytes=8"),
			     "id,name\n1,\"xxxxxxxxxxxxxxxxxxxxxxxx\n2,ok\n3,\"q\"\n",
			     &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	EXPECT_REJ(&m, 0, 1, 2, "name", "field longer than max_field_bytes (8)");
	EXPECT_REC(&m, 1, 2, 3, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "ok");
	EXPECT_REC(&m, 2, 3, 4, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 2, 2), "q");
	mock_host_reset(&m);
}

/* ------------------------------------------------------------------ */
/* Settings                                                             */
/* ------------------------------------------------------------------ */

/* n columns "p1".."pn" (prefix p) joined by commas, then '\n'. */
static void put_row(FILE *f, const char *p, size_t n)
{
	size_t i;
	for (i = 1; i <= n; i++)
		fprintf(f, "%s%s%zu", i > 1 ? "," : "", p, i);
	fputc('\n', f);
}

static void test_in_csv__ten_thousand_columns(void)
{
	struct mock_host m;
	struct colink_error err;
	char *path = tmp_path();
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	put_row(f, "c", 10000);
	put_row(f, "v", 10000);
	put_row(f, "w", 10001);
	put_row(f, "x", 10000);
	fclose(f);
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_path(&m, SET("strict_columns=false"), path, &err),
			COLINK_OK);
	CU_ASSERT_EQUAL(m.nheader, 10000);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	EXPECT_REC(&m, 0, 1, 2, 10000);
	CU_ASSERT_STRING_EQUAL(m.recs[0].fields[9999].name, "c10000");
	CU_ASSERT_EQUAL(m.recs[0].fields[9999].index, 10000);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 10000), "v10000");
	EXPECT_REJ(&m, 1, 2, 3, "#10001", "row has more than 10000 columns");
	EXPECT_REC(&m, 2, 3, 4, 10000);
	mock_host_reset(&m);
	/* a header wider than max_columns is a format error */
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_path(&m, SET("max_columns=9999"), path, &err),
			COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "line 1: header column 10000: row has more than 9999 columns"));
	CU_ASSERT_EQUAL(m.nrecs, 0);
	mock_host_reset(&m);
	/* a directory opens but cannot be read */
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_path(&m, NULL, dir, &err), COLINK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "read error: Is a directory"));
	mock_host_reset(&m);
	free(path);
}

static void test_in_csv__tab_delimiter(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, SET("delimiter=tab"), "id\tname\n1\ta,b\n2\t\"x\ty\"\n",
			     &err), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(m.header[1], "name");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2);
	EXPECT_REC(&m, 0, 1, 2, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 2), "a,b");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "x\ty");
	mock_host_reset(&m);
}

static void test_in_csv__header_false(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, SET("header=false"), "1,a\n2,b\n3\n", &err),
			COLINK_OK);
	CU_ASSERT_EQUAL(m.nheader, 0);
	CU_ASSERT_PTR_NULL(m.header);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 3);
	EXPECT_REC(&m, 0, 1, 1, 2);
	EXPECT_REC(&m, 1, 2, 2, 2);
	CU_ASSERT_PTR_NULL(m.recs[0].fields[0].name);
	CU_ASSERT_PTR_NULL(m.recs[0].fields[1].name);
	CU_ASSERT_EQUAL(m.recs[0].fields[1].index, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "b");
	EXPECT_REJ(&m, 2, 3, 3, NULL, "row has 1 fields, first row has 2");
	mock_host_reset(&m);
}

static void test_in_csv__skip_lines(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	/* preamble lines are raw: an odd quote there does not matter */
	CU_ASSERT_EQUAL(READ(&m, SET("skip_lines=2"),
			     "report \"Q1\n作成日,2024\nid,name\n1,a\n", &err),
			COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nheader, 2);
	CU_ASSERT_STRING_EQUAL(m.header[0], "id");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
	EXPECT_REC(&m, 0, 1, 4, 2);
	mock_host_reset(&m);
	/* blank lines before the header are not data */
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "\r\n\nid\n1\n", &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nheader, 1);
	CU_ASSERT_STRING_EQUAL(m.header[0], "id");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
	EXPECT_REC(&m, 0, 1, 4, 1);
	mock_host_reset(&m);
	/* a file that ends inside the preamble has no header */
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, SET("skip_lines=5"), "a\nb\n", &err),
			COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no header line after 5 skipped lines"));
	mock_host_reset(&m);
}

static void test_in_csv__trim(void)
{
	struct mock_host m;
	struct colink_error err;
	const char *data = " id , name \n1,  a b \xE3\x80\x80\n2, \"  q  \" \n";
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_data(&m, SET("trim=true"), data, strlen(data), &err),
			COLINK_OK);
	CU_ASSERT_STRING_EQUAL(m.header[0], "id");
	CU_ASSERT_STRING_EQUAL(m.header[1], "name");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 2), "a b");
	CU_ASSERT_STRING_EQUAL(VAL(&m, 1, 2), "  q  ");
	mock_host_reset(&m);
	/* trim=false keeps unquoted spaces (header names are always
	 * trimmed), and a space before a quote makes it a stray quote */
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_data(&m, NULL, data, strlen(data), &err), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(m.header[1], "name");
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 2);
	CU_ASSERT_STRING_EQUAL(VAL(&m, 0, 2), "  a b \xE3\x80\x80");
	EXPECT_REJ(&m, 1, 2, 3, "name", "malformed quoting");
	mock_host_reset(&m);
}

static void test_in_csv__settings_refused(void)
{
	struct mock_host m;
	struct colink_error err;
	void *ctx = NULL;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(mock_plugin_init(plugin, &m, SET("bogus=1"), &ctx, &err),
			COLINK_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bogus"));
	CU_ASSERT_PTR_NULL(ctx);
	CU_ASSERT_EQUAL(mock_plugin_init(plugin, &m, SET("encoding=EUC-JP"), &ctx, &err),
			COLINK_EINVAL);
	/* '|' (0x7C) is the second byte of ポ (0x837C) in CP932 */
	CU_ASSERT_EQUAL(mock_plugin_init(plugin, &m, SET("encoding=CP932", "delimiter=|"),
					 &ctx, &err), COLINK_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "second byte of a CP932 character"));
	CU_ASSERT_PTR_NULL(ctx);
	CU_ASSERT_EQUAL(mock_plugin_init(plugin, &m, SET("delimiter=\""), &ctx, &err),
			COLINK_EINVAL);
	CU_ASSERT_EQUAL(mock_plugin_init(plugin, &m, SET("max_field_bytes=0"), &ctx, &err),
			COLINK_EINVAL);
	CU_ASSERT_EQUAL(mock_plugin_init(plugin, &m, SET("skip_lines=-1"), &ctx, &err),
			COLINK_EINVAL);
	CU_ASSERT_EQUAL(mock_plugin_init(plugin, &m, SET("max_columns=0"), &ctx, &err),
			COLINK_EINVAL);
	CU_ASSERT_PTR_NULL(ctx);
	/* '|' is fine for UTF-8 */
	CU_ASSERT_EQUAL(mock_plugin_init(plugin, &m, SET("delimiter=|"), &ctx, &err),
			COLINK_OK);
	plugin->fini(ctx);
	plugin->fini(NULL);
	mock_host_reset(&m);
}

static void test_in_csv__descriptor(void)
{
	size_t n = 0;
	CU_ASSERT_EQUAL(plugin->abi_major, COLINK_ABI_MAJOR);
	CU_ASSERT_EQUAL(plugin->struct_size, sizeof(struct colink_plugin));
	CU_ASSERT_EQUAL(plugin->kind, COLINK_PLUGIN_INPUT);
	CU_ASSERT_STRING_EQUAL(plugin->name, "in_csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plugin->input);
	CU_ASSERT_PTR_NULL(plugin->output);
	while (plugin->settings[n].name)
		n++;
	CU_ASSERT_EQUAL(n, 9);
	CU_ASSERT_STRING_EQUAL(plugin->settings[0].name, "encoding");
	CU_ASSERT_STRING_EQUAL(plugin->settings[0].choices, "UTF-8|CP932");
}

/* ------------------------------------------------------------------ */
/* Stopping and failing                                                 */
/* ------------------------------------------------------------------ */

static void test_in_csv__emit_abort_stops(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	m.abort_after = 2;
	CU_ASSERT_EQUAL(READ(&m, NULL, "id\n1\n2\n3\n\xff\n5\n", &err), COLINK_EABORT);
	CU_ASSERT_EQUAL(err.code, COLINK_EABORT);
	CU_ASSERT_EQUAL(m.nrecs, 2);
	CU_ASSERT_EQUAL(mock_host_loaded(&m), 2);
	mock_host_reset(&m);
}

static void test_in_csv__missing_file(void)
{
	struct mock_host m;
	struct colink_error err;
	char *path = tu_fmt("%s/no-such-file.csv", dir);
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_path(&m, NULL, path, &err), COLINK_EIO);
	CU_ASSERT_EQUAL(err.code, COLINK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open: No such file or directory"));
	CU_ASSERT_EQUAL(m.nrecs, 0);
	mock_host_reset(&m);
	free(path);
}

static void test_in_csv__header_errors(void)
{
	struct mock_host m;
	struct colink_error err;
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "", &err), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no header line"));
	mock_host_reset(&m);
	mock_host_init(&m);
	CU_ASSERT_EQUAL(READ(&m, NULL, "id,n\xC3\n1,2\n", &err), COLINK_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "line 1: header column 2: invalid UTF-8"));
	CU_ASSERT_EQUAL(m.nrecs, 0);
	mock_host_reset(&m);
}

/* Emits counted, not kept: big files must not fill the test's memory. */
struct counter {
	struct mock_host m; /* first: the mock's callbacks cast em to it */
	uint64_t n, first_line, last_no, last_line;
	int in_order;
};

static int count_emit(struct colink_emitter *em, const struct colink_raw_record *rec)
{
	struct counter *c = (struct counter *)em;
	if (!c->n)
		c->first_line = rec->line_no;
	if (rec->record_no <= c->last_no || rec->line_no <= c->last_line ||
	    rec->nfields == 0)
		c->in_order = 0;
	c->last_no = rec->record_no;
	c->last_line = rec->line_no;
	c->n++;
	return COLINK_OK;
}

/* A host allocator that tracks the plugin's live and peak bytes. */
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
	d = tr_malloc(n);
	if (!d)
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
	p = tr_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static void counter_init(struct counter *c)
{
	memset(c, 0, sizeof(*c));
	mock_host_init(&c->m);
	c->m.host.emit = count_emit;
	c->m.host.malloc = tr_malloc;
	c->m.host.calloc = tr_calloc;
	c->m.host.realloc = tr_realloc;
	c->m.host.free = tr_free;
	c->in_order = 1;
	tr_live = tr_peak = 0;
}

static void test_in_csv__big_file_streamed(void)
{
	struct counter c;
	struct colink_error err;
	char *path = tmp_path();
	FILE *f = fopen(path, "wb");
	uint64_t rows = 0;
	long size = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("id,name,value,memo\r\n", f);
	while (size < 20L * 1024 * 1024) {
		fprintf(f, "%llu,\"被保険者%08llu\",%llu.5,\"a,\"\"b\"\"\nc\"\r\n",
			(unsigned long long)rows, (unsigned long long)rows,
			(unsigned long long)rows % 200);
		rows++;
		size = ftell(f);
	}
	fclose(f);
	counter_init(&c);
	CU_ASSERT_EQUAL(read_path(&c.m, NULL, path, &err), COLINK_OK);
	CU_ASSERT_EQUAL(c.n, rows);
	CU_ASSERT_EQUAL(c.m.nrecs, 0); /* nothing rejected */
	CU_ASSERT(c.in_order);
	CU_ASSERT_EQUAL(c.first_line, 2);
	CU_ASSERT_EQUAL(c.last_no, rows);
	CU_ASSERT_EQUAL(c.last_line, 2 * rows);  /* each record spans 2 lines */
	CU_ASSERT(tr_peak < 256 * 1024);
	CU_ASSERT_EQUAL(tr_live, 0);
	mock_host_reset(&c.m);
	remove(path);
	free(path);
}

static void test_in_csv__unterminated_quote_in_huge_file(void)
{
	struct counter c;
	struct colink_error err;
	char *path = tmp_path();
	FILE *f = fopen(path, "wb");
	const uint64_t lines = 400000; /* 2.4 MB after the opening quote */
	uint64_t i, skipped;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("id,name\n\"", f);
	for (i = 0; i < lines; i++)
		fputs("1,abc\n", f);
	fclose(f);
	counter_init(&c);
	CU_ASSERT_EQUAL(read_path(&c.m, SET("max_field_bytes=65536"), path, &err),
			COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(c.m.nrecs, 1);
	EXPECT_REJ(&c.m, 0, 1, 2, "id", "field longer than max_field_bytes (65536)");
	/* every line after the resynchronisation point is a record */
	CU_ASSERT(c.in_order);
	CU_ASSERT(c.first_line > 2);
	skipped = c.first_line - 2;
	CU_ASSERT(skipped <= (2 * 65536 + 2) / 6 + 1);
	CU_ASSERT_EQUAL(c.n, lines - skipped);
	CU_ASSERT_EQUAL(c.last_no, 1 + c.n);
	CU_ASSERT_EQUAL(c.last_line, lines + 1);
	CU_ASSERT(tr_peak < 512 * 1024);
	CU_ASSERT_EQUAL(tr_live, 0);
	mock_host_reset(&c.m);
	remove(path);
	free(path);
}

/* Fail every allocation in turn: a clean ENOMEM, never a crash or leak
 * (ASan checks the leaks), and a full result once allocations suffice. */
static void test_in_csv__allocation_failures(void)
{
	const char *data = "id,name\n1,\xe9\xab\x99\n2,b\n";
	char *path = tmp_path();
	int ok = 0, failed = 0;
	long n;
	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, data, strlen(data)), 0);
	for (n = 0; n < 60; n++) {
		struct mock_host m;
		struct colink_error err;
		void *ctx = NULL;
		int rc;
		mock_host_init(&m);
		colink_alloc_fail_after(n);
		rc = mock_plugin_init(plugin, &m, SET("encoding=UTF-8"), &ctx, &err);
		if (rc == COLINK_OK) {
			rc = plugin->input->read(ctx, path, mock_host_emitter(&m), &err);
			plugin->fini(ctx);
		}
		colink_alloc_fail_after(-1);
		CU_ASSERT(rc == COLINK_OK || rc == COLINK_ENOMEM);
		if (rc == COLINK_OK) {
			ok++;
			CU_ASSERT_EQUAL(m.nrecs, 2);
			CU_ASSERT_EQUAL(mock_host_loaded(&m), 2);
		} else {
			failed++;
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "out of memory"));
		}
		mock_host_reset(&m);
	}
	CU_ASSERT(ok > 0);
	CU_ASSERT(failed > 0);
	free(path);
}

static const struct tu_test tests[] = {
	TU_TEST_AS("utf8_basic_lineage", test_in_csv__utf8_basic_lineage),
	TU_TEST_AS("crlf_and_no_final_newline", test_in_csv__crlf_and_no_final_newline),
	TU_TEST_AS("quoted_fields", test_in_csv__quoted_fields),
	TU_TEST_AS("cp932_decoded", test_in_csv__cp932_decoded),
	TU_TEST_AS("bom_stripped_at_start", test_in_csv__bom_stripped_at_start),
	TU_TEST_AS("bom_in_data_rejected", test_in_csv__bom_in_data_rejected),
	TU_TEST_AS("invalid_utf8_rejected", test_in_csv__invalid_utf8_rejected),
	TU_TEST_AS("invalid_cp932_rejected", test_in_csv__invalid_cp932_rejected),
	TU_TEST_AS("nul_byte_rejected", test_in_csv__nul_byte_rejected),
	TU_TEST_AS("ragged_row", test_in_csv__ragged_row),
	TU_TEST_AS("empty_line", test_in_csv__empty_line),
	TU_TEST_AS("unterminated_quote", test_in_csv__unterminated_quote),
	TU_TEST_AS("malformed_quoting", test_in_csv__malformed_quoting),
	TU_TEST_AS("field_over_max_bytes", test_in_csv__field_over_max_bytes),
	TU_TEST_AS("runaway_quote_resynchronised", test_in_csv__runaway_quote_resynchronised),
	TU_TEST_AS("ten_thousand_columns", test_in_csv__ten_thousand_columns),
	TU_TEST_AS("tab_delimiter", test_in_csv__tab_delimiter),
	TU_TEST_AS("header_false", test_in_csv__header_false),
	TU_TEST_AS("skip_lines", test_in_csv__skip_lines),
	TU_TEST_AS("trim", test_in_csv__trim),
	TU_TEST_AS("settings_refused", test_in_csv__settings_refused),
	TU_TEST_AS("descriptor", test_in_csv__descriptor),
	TU_TEST_AS("emit_abort_stops", test_in_csv__emit_abort_stops),
	TU_TEST_AS("missing_file", test_in_csv__missing_file),
	TU_TEST_AS("header_errors", test_in_csv__header_errors),
	TU_TEST_AS("big_file_streamed", test_in_csv__big_file_streamed),
	TU_TEST_AS("unterminated_quote_in_huge_file", test_in_csv__unterminated_quote_in_huge_file),
	TU_TEST_AS("allocation_failures", test_in_csv__allocation_failures),
	TU_END
};

int main(void)
{
	if (tu_add_suite("in_csv", suite_init, suite_clean, tests))
		return 1;
	return tu_run_suites();
}
