/*
 * test_hostile.c -- hostile inputs through the real `colink run`.
 *
 * Every case is one job with one input: a vendor CSV (vendor_a.xml, or the
 * small wareki.xml / cp932.xml layouts of tests/data/hostile/) or an MHLW
 * XML archive (mhlw_xml.xml, folder or zip).  The hostile record sits
 * between good ones: CSV cases use the frame of tests/data/hostile/
 * control.csv (good, canary, good), XML cases add the hostile document to
 * the three documents of tests/data/mhlw_fixture.  Small inputs are
 * committed in tests/data/hostile/; big and binary ones (a 50 MB line,
 * 10,000 columns, zip bombs, zip slip, 10 MB attributes) are generated here
 * into a temporary folder at run time and never committed.
 *
 * For every case:
 *   - colink exits normally, within 60 s (timeout(1) returns 124), with the
 *     expected code: 0 or 1 for a committed run, 5 for a file the plugin
 *     refuses as a whole;
 *   - a committed run loads the good records around the hostile one,
 *     rejects the hostile record with a non-empty reason (containing the
 *     expected text), and its ledger balances (read = loaded + rejected,
 *     per input and per run; reject rows = records_rejected);
 *   - a failed run loaded nothing and says why in the ledger;
 *   - nothing colink writes (warehouse, log, stdout, stderr) holds the
 *     canary identifiers of the hostile record (card number 55443322, kana
 *     カナリア) or a line of /etc/passwd, and stderr carries only colink's
 *     own "colink: " lines (no library printing input bytes).
 *
 * tests/README.md lists every case with what colink does with it.
 */
#include <CUnit/Basic.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "testutil.h"
#include "xlsx_build.h"

#define CANARY_NUMBER "55443322"            /* 被保険者証番号 of the hostile record */
#define CANARY_KANA "\xE3\x82\xAB\xE3\x83\x8A\xE3\x83\xAA\xE3\x82\xA2" /* カナリア */
#define PASSWD_LINE "root:x:0:0"            /* what an XXE would pull in */
#define HOSTILE_DOC "DATA/h13112345672025040100000001x.xml" /* sorts after …01 */
#define MiB (1024u * 1024u)

static char *dir; /* scratch root: one sub-folder per case */
static char *key; /* one pseudonym key for every run */

enum layout {
	L_VENDOR_A,  /* CSV through mappings/vendors/vendor_a.xml */
	L_WAREKI,    /* CSV through tests/data/hostile/wareki.xml */
	L_CP932,     /* CSV through tests/data/hostile/cp932.xml */
	L_XML_DOC,   /* folder archive: fixture documents + the case's document */
	L_XML_INDEX, /* folder archive whose ix08_V08.xml is the case's file */
	L_XML_ZIP,   /* zip archive written by the case's generator */
	L_XLSX,       /* workbook through tests/data/hostile/xlsx.xml */
	L_UKE,       /* レセプト UKE file through mappings/association/uke_claim.xml */
	L_FIXED      /* fixed-width records through tests/data/hostile/fixed.xml */
};

/* Writes the case's input (a CSV, an XML document or a zip) to `path`. */
typedef int (*gen_fn)(const char *path);

struct hcase {
	const char *id;
	int layout;         /* enum layout */
	const char *file;   /* committed input in tests/data/hostile/, or NULL */
	gen_fn gen;         /* or its generator */
	int exit_code;      /* expected exit of `colink run` */
	long loaded;        /* expected records_loaded */
	long rejected;      /* expected records_rejected; -1: at least one */
	const char *reason; /* text in a reject reason, or in the failure message */
};

/* ------------------------------------------------------------------ */
/* Writing inputs                                                       */
/* ------------------------------------------------------------------ */

static char *hostile_path(const char *name)
{
	return tu_fmt("%s/tests/data/hostile/%s", tu_srcdir(), name);
}

static char *read_hostile(const char *name)
{
	char *p = hostile_path(name), *s = tu_read_file(p, NULL);
	free(p);
	return s;
}

static void put_rep(FILE *f, const char *rep, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		fputs(rep, f);
}

/* Write s with its first `old` replaced by pre, rep repeated n times and
 * post.  -1 if s lacks `old` (the committed template changed). */
static int put_subst(FILE *f, const char *s, const char *old, const char *pre,
		     const char *rep, size_t n, const char *post)
{
	const char *at = strstr(s, old);
	if (!at)
		return -1;
	fwrite(s, 1, (size_t)(at - s), f);
	fputs(pre, f);
	put_rep(f, rep, n);
	fputs(post, f);
	fputs(at + strlen(old), f);
	return 0;
}

static int close_ok(FILE *f, int rc)
{
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/*
 * The CSV frame: control.csv is header, good, canary, good.  `bad` writes
 * the hostile record(s) in place of the canary line, which it gets without
 * its newline (as a template); the good records around it stay.
 */
static int write_framed(const char *path, int (*bad)(FILE *f, const char *canary))
{
	char *text = read_hostile("control.csv"), *line[4], *save = NULL;
	FILE *f = fopen(path, "wb");
	int i, rc = 0;
	if (!text || !f) {
		free(text);
		return f ? close_ok(f, -1) : -1;
	}
	for (i = 0; i < 4; i++)
		line[i] = strtok_r(i ? NULL : text, "\n", &save);
	if (!line[3])
		rc = -1;
	else
		fprintf(f, "%s\n%s\n", line[0], line[1]);
	if (!rc)
		rc = bad(f, line[2]);
	if (!rc)
		fprintf(f, "%s\n", line[3]);
	free(text);
	return close_ok(f, rc);
}

/* ------------------------------------------------------------------ */
/* CSV generators                                                       */
/* ------------------------------------------------------------------ */

static int bad_line_50mb(FILE *f, const char *canary)
{
	(void)canary;
	put_rep(f, "A", 50 * MiB); /* one 50 MB field, no delimiter */
	fputc('\n', f);
	return 0;
}

static int bad_fields_50mb(FILE *f, const char *canary)
{
	(void)canary;
	put_rep(f, ",", 50 * MiB); /* 50 M empty fields on one line */
	fputc('\n', f);
	return 0;
}

static int bad_field_1mb(FILE *f, const char *canary)
{
	/* 氏名カナ quoted, one byte over max_field_bytes (1 MiB) */
	int rc = put_subst(f, canary, "カナリア ハイル", "\"", "x", MiB + 1, "\"");
	fputc('\n', f);
	return rc;
}

static int bad_number_1mb(FILE *f, const char *canary)
{
	/* 身長 of 1,000,000 digits: within max_field_bytes, for the parser */
	int rc = put_subst(f, canary, ",168.5,", ",", "1", 1000000, ",");
	fputc('\n', f);
	return rc;
}

static int bad_columns_10000(FILE *f, const char *canary)
{
	fputs(canary, f);
	put_rep(f, ",0", 10000 - 35); /* the header has 35 columns */
	fputc('\n', f);
	return 0;
}

static int bad_columns_10001(FILE *f, const char *canary)
{
	fputs(canary, f);
	put_rep(f, ",0", 10001 - 35); /* one over max_columns */
	fputc('\n', f);
	return 0;
}

/* An opening quote that never closes, then 3 MB of lines: the reader must
 * give up after 2 * max_field_bytes + 2 raw bytes and resynchronise. */
static int bad_quote_runaway(FILE *f, const char *canary)
{
	int i, rc = put_subst(f, canary, "カナリア", "\"カナリア", "", 0, "");
	fputc('\n', f);
	for (i = 0; i < 30; i++) {
		put_rep(f, "y", 100000);
		fputc('\n', f);
	}
	return rc;
}

static int gen_line_50mb(const char *p) { return write_framed(p, bad_line_50mb); }
static int gen_fields_50mb(const char *p) { return write_framed(p, bad_fields_50mb); }
static int gen_field_1mb(const char *p) { return write_framed(p, bad_field_1mb); }
static int gen_number_1mb(const char *p) { return write_framed(p, bad_number_1mb); }
static int gen_columns_10000(const char *p) { return write_framed(p, bad_columns_10000); }
static int gen_columns_10001(const char *p) { return write_framed(p, bad_columns_10001); }
static int gen_quote_runaway(const char *p) { return write_framed(p, bad_quote_runaway); }

/* A header of 10,000 names the mapping does not know: fatal for the file. */
static int gen_header_10000(const char *path)
{
	char *text = read_hostile("control.csv"), *nl;
	FILE *f = fopen(path, "wb");
	int i;
	if (!text || !f || !(nl = strchr(text, '\n'))) {
		free(text);
		return f ? close_ok(f, -1) : -1;
	}
	for (i = 1; i <= 10000; i++)
		fprintf(f, "%sc%d", i > 1 ? "," : "", i);
	fputs(nl, f); /* the data records of control.csv */
	free(text);
	return close_ok(f, 0);
}

static int gen_empty(const char *path)
{
	return tu_write_file(path, "", 0);
}

/* ------------------------------------------------------------------ */
/* XML generators (one document; the archive is assembled around it)   */
/* ------------------------------------------------------------------ */

static int write_doc(const char *path, const char *old, const char *pre,
		     const char *rep, size_t n, const char *post)
{
	char *doc = read_hostile("xml_control.xml");
	FILE *f = fopen(path, "wb");
	int rc;
	if (!doc || !f) {
		free(doc);
		return f ? close_ok(f, -1) : -1;
	}
	rc = put_subst(f, doc, old, pre, rep, n, post);
	free(doc);
	return close_ok(f, rc);
}

/* 10,000 nested elements (libxml2 stops at 256 without XML_PARSE_HUGE). */
static int gen_xml_deep(const char *path)
{
	const char *close = "</component>";
	size_t n = 10000, cl = strlen(close), i;
	char *closing = malloc(n * cl + 1);
	int rc;
	if (!closing)
		return -1;
	for (i = 0; i < n; i++)
		memcpy(closing + i * cl, close, cl);
	closing[n * cl] = '\0';
	rc = write_doc(path, "<structuredBody>", "<structuredBody>", "<component>",
		       n, closing);
	free(closing);
	return rc;
}

/* A 10 MiB attribute value (libxml2's limit is 10,000,000 bytes). */
static int gen_xml_huge_attribute(const char *path)
{
	return write_doc(path, "value=\"140\"", "value=\"", "1", 10 * MiB, "\"");
}

/* ------------------------------------------------------------------ */
/* Zip generators                                                       */
/* ------------------------------------------------------------------ */

static int zip_add_path(zip_t *z, const char *name, const char *file)
{
	zip_source_t *s = zip_source_file(z, file, 0, -1);
	if (!s)
		return -1;
	if (zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(s);
		return -1;
	}
	return 0;
}

/* A zip holding the index and the three fixture documents. */
static zip_t *zip_begin(const char *path)
{
	static const char *const docs[] = {
		"h13112345672025040100000001.xml", "h13112345672025040100000002.xml",
		"h13112345672025040100000003.xml" };
	int ze = 0, bad, i;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	char *ix = hostile_path("index.xml");
	if (!z) {
		free(ix);
		return NULL;
	}
	bad = zip_add_path(z, "ix08_V08.xml", ix);
	free(ix);
	for (i = 0; i < 3 && !bad; i++) {
		char *src = tu_fmt("%s/tests/data/mhlw_fixture/DATA/%s", tu_srcdir(), docs[i]);
		char *name = tu_fmt("DATA/%s", docs[i]);
		bad = zip_add_path(z, name, src);
		free(src);
		free(name);
	}
	if (bad) {
		zip_discard(z);
		return NULL;
	}
	return z;
}

static int zip_end(zip_t *z, int rc)
{
	if (rc) {
		zip_discard(z);
		return rc;
	}
	return zip_close(z) == 0 ? 0 : -1;
}

static int gen_zip_control(const char *path)
{
	zip_t *z = zip_begin(path);
	char *doc = hostile_path("xml_control.xml");
	int rc = z ? zip_add_path(z, HOSTILE_DOC, doc) : -1;
	free(doc);
	return z ? zip_end(z, rc) : -1;
}

/* "../../x" outside DATA/ (ignored with a warning) and a DATA/ entry that
 * climbs out of the archive (one rejected record). */
static int gen_zip_slip(const char *path)
{
	zip_t *z = zip_begin(path);
	char *doc = hostile_path("xml_control.xml");
	int rc = z ? zip_add_path(z, "../../x", doc) : -1;
	if (!rc)
		rc = zip_add_path(z, "DATA/../../h13112345672025040100000001x.xml", doc);
	free(doc);
	return z ? zip_end(z, rc) : -1;
}

/* The hostile document is `mib` MiB of zeros, from a sparse file. */
static int zip_zeros(const char *path, unsigned mib)
{
	char *zeros = tu_fmt("%s.zeros", path);
	int fd = open(zeros, O_WRONLY | O_CREAT | O_TRUNC, 0600), rc = -1;
	zip_t *z;
	if (fd >= 0 && ftruncate(fd, (off_t)mib * MiB) == 0)
		rc = 0;
	if (fd >= 0)
		close(fd);
	z = rc ? NULL : zip_begin(path);
	if (z)
		rc = zip_end(z, zip_add_path(z, HOSTILE_DOC, zeros));
	else
		rc = -1;
	unlink(zeros);
	free(zeros);
	return rc;
}

/* 100 MiB of zeros (~100 KB compressed): larger than max_entry_bytes. */
static int gen_zip_bomb(const char *path)
{
	return zip_zeros(path, 100);
}

/* 10 MiB of zeros: within max_entry_bytes, but ~1000:1 > max_ratio 200. */
static int gen_zip_bomb_ratio(const char *path)
{
	return zip_zeros(path, 10);
}

/* Set the uncompressed size of entry `name` to `size` in the local header
 * (sig PK\3\4, size at +22, name length at +26, name at +30) and in the
 * central directory (sig PK\1\2, size at +24, length at +28, name at +46). */
static void forge_sizes(unsigned char *b, size_t len, const char *name, uint32_t size)
{
	size_t nl = strlen(name), i;
	for (i = 0; i + 46 + nl <= len; i++) {
		size_t off, lo, at;
		if (b[i] != 'P' || b[i + 1] != 'K')
			continue;
		if (b[i + 2] == 3 && b[i + 3] == 4)
			off = 22, lo = 26, at = 30;
		else if (b[i + 2] == 1 && b[i + 3] == 2)
			off = 24, lo = 28, at = 46;
		else
			continue;
		if ((size_t)(b[i + lo] | b[i + lo + 1] << 8) != nl ||
		    memcmp(b + i + at, name, nl))
			continue;
		b[i + off] = size & 0xFF;
		b[i + off + 1] = (size >> 8) & 0xFF;
		b[i + off + 2] = (size >> 16) & 0xFF;
		b[i + off + 3] = (size >> 24) & 0xFF;
	}
}

/* The 100 MiB bomb, declaring 1,000 bytes: caught while reading. */
static int gen_zip_bomb_forged(const char *path)
{
	size_t len;
	char *b;
	int rc = zip_zeros(path, 100);
	if (rc || !(b = tu_read_file(path, &len)))
		return -1;
	forge_sizes((unsigned char *)b, len, HOSTILE_DOC, 1000);
	rc = tu_write_file(path, b, len);
	free(b);
	return rc;
}

/* 4 KiB of noise named .zip. */
static int sh(const char *cmd);

/* A UKE file: a good claim, the canary's claim with one SI line of 1 MiB
 * (max_line_bytes is 65536), a good claim. */
static int gen_uke_long_line(const char *path)
{
	char *src = hostile_path("uke_sy_bad_date.uke"), *cmd;
	FILE *f;
	int rc;
	/* lines 1-5 (IR and the first claim) and 10-14 of a committed case */
	cmd = tu_fmt("head -n 5 '%s' > '%s'", src, path);
	rc = sh(cmd);
	free(cmd);
	f = rc ? NULL : fopen(path, "ab");
	if (!f) {
		free(src);
		return -1;
	}
	fputs("RE,2,1112,202410,,1,19800101,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
	      CANARY_KANA ",\r\n", f);
	fputs("HO,06139992,123," CANARY_NUMBER ",1,300,,,,,,,,,\r\nSI,12,1,999000101,", f);
	put_rep(f, "9", MiB);
	fputs(",288,1\r\n", f);
	rc = close_ok(f, 0);
	cmd = tu_fmt("tail -n 5 '%s' >> '%s'", src, path);
	if (!rc)
		rc = sh(cmd);
	free(cmd);
	free(src);
	return rc;
}

static int gen_not_a_zip(const char *path)
{
	char b[4096];
	uint32_t x = 2463534242u;
	size_t i;
	for (i = 0; i < sizeof(b); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		b[i] = (char)(x & 0xFF);
	}
	return tu_write_file(path, b, sizeof(b));
}

/* ---- Excel workbooks (in_xlsx): header, good, canary, good ---- */

#define XL_SST "<si><t>保険者番号</t></si><si><t>番号</t></si><si><t>カナ氏名</t></si>" \
	"<si><t>生年月日</t></si><si><t>性別</t></si><si><t>健診日</t></si><si><t>収縮期血圧</t></si>" \
	"<si><t>06139992</t></si><si><t>" CANARY_NUMBER "</t></si><si><t>" CANARY_KANA "</t></si>"
#define XL_HEAD "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>" \
	"<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c><c r=\"E1\" t=\"s\"><v>4</v></c>" \
	"<c r=\"F1\" t=\"s\"><v>5</v></c><c r=\"G1\" t=\"s\"><v>6</v></c></row>"
/* a good row r with card number `no` */
#define XL_GOOD(r, no) "<row r=\"" r "\"><c r=\"A" r "\" t=\"s\"><v>7</v></c><c r=\"B" r "\"><v>" no "</v></c>" \
	"<c r=\"D" r "\" s=\"1\"><v>25703</v></c><c r=\"E" r "\"><v>1</v></c>" \
	"<c r=\"F" r "\" s=\"1\"><v>45453</v></c><c r=\"G" r "\"><v>130</v></c></row>"
/* the canary row with `cell` as its 健診日 */
#define XL_CANARY(cell) "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>7</v></c><c r=\"B3\" t=\"s\"><v>8</v></c>" \
	"<c r=\"C3\" t=\"s\"><v>9</v></c><c r=\"D3\" s=\"1\"><v>25703</v></c><c r=\"E3\"><v>1</v></c>" \
	cell "<c r=\"G3\"><v>130</v></c></row>"

static void xl_book(struct xb_book *b, const char *rows)
{
	memset(b, 0, sizeof(*b));
	b->sst = XL_SST;
	b->xfs = "<xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>";
	b->sheets[0] = rows;
}

static int gen_xlsx_control(const char *path)
{
	struct xb_book b;
	xl_book(&b, XL_HEAD XL_GOOD("2", "4567")
		XL_CANARY("<c r=\"F3\" s=\"1\"><v>45454</v></c>") XL_GOOD("4", "4568"));
	return xb_write(path, &b);
}

/* a shared string index beyond the table */
static int gen_xlsx_sst_range(const char *path)
{
	struct xb_book b;
	xl_book(&b, XL_HEAD XL_GOOD("2", "4567")
		XL_CANARY("<c r=\"F3\" t=\"s\"><v>4294967297</v></c>") XL_GOOD("4", "4568"));
	return xb_write(path, &b);
}

/* #N/A in a required date: a null with reason, so "required ... empty" */
static int gen_xlsx_error_cell(const char *path)
{
	struct xb_book b;
	xl_book(&b, XL_HEAD XL_GOOD("2", "4567")
		XL_CANARY("<c r=\"F3\" t=\"e\"><v>#N/A</v></c>") XL_GOOD("4", "4568"));
	return xb_write(path, &b);
}

/* entities declared in the sheet part (billion laughs) */
static int gen_xlsx_entities(const char *path)
{
	struct xb_book b;
	xl_book(&b, "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY a \"" CANARY_NUMBER "\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
		"<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
		XL_HEAD XL_GOOD("2", "4567")
		"<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>&c;&x;</t></is></c></row>"
		"</sheetData></worksheet>");
	return xb_write(path, &b);
}

/* the sheet part: 20 MiB of blanks between two rows (ratio ~1000) */
static int gen_xlsx_bomb(const char *path)
{
	struct xb_book b;
	size_t n = 20 * MiB, h = strlen(XL_HEAD XL_GOOD("2", "4567"));
	char *rows = malloc(n + h + 1);
	int rc;
	if (!rows)
		return -1;
	memcpy(rows, XL_HEAD XL_GOOD("2", "4567"), h);
	memset(rows + h, ' ', n);
	rows[h + n] = '\0';
	xl_book(&b, rows);
	rc = xb_write(path, &b);
	free(rows);
	return rc;
}

/* the same bomb with the zip's declared sizes forged small */
static int gen_xlsx_bomb_forged(const char *path)
{
	size_t len = 0;
	unsigned char *buf;
	int rc = gen_xlsx_bomb(path);
	if (rc || !(buf = (unsigned char *)tu_read_file(path, &len)))
		return -1;
	forge_sizes(buf, len, "xl/worksheets/sheet1.xml", 4096);
	rc = tu_write_file(path, (char *)buf, len);
	free(buf);
	return rc;
}

/* the sheet's relationship climbs out of the package */
static int gen_xlsx_slip(const char *path)
{
	struct xb_book b;
	xl_book(&b, XL_HEAD XL_GOOD("2", "4567"));
	b.sheet_target = "../../../etc/passwd";
	return xb_write(path, &b);
}

static int gen_xlsx_not_zip(const char *path)
{
	return tu_write_file(path, "PK\3\4" CANARY_NUMBER, 12);
}

/* ------------------------------------------------------------------ */
/* The cases (tests/README.md has the same table in prose)             */
/* ------------------------------------------------------------------ */

/* X(id, layout, committed file, generator, exit, loaded, rejected, reason) */
#define HOSTILE_CASES(X) \
	X(control_vendor_a, L_VENDOR_A, "control.csv", NULL, 0, 3, 0, NULL) \
	X(bom_start, L_VENDOR_A, "bom_start.csv", NULL, 0, 2, 0, NULL) \
	X(utf8_invalid, L_VENDOR_A, "utf8_invalid.csv", NULL, 1, 2, 1, "invalid UTF-8") \
	X(utf8_overlong, L_VENDOR_A, "utf8_overlong.csv", NULL, 1, 2, 1, "invalid UTF-8") \
	X(utf8_surrogate, L_VENDOR_A, "utf8_surrogate.csv", NULL, 1, 2, 1, "invalid UTF-8") \
	X(utf8_truncated, L_VENDOR_A, "utf8_truncated.csv", NULL, 1, 2, 1, "invalid UTF-8") \
	X(nul_byte, L_VENDOR_A, "nul_byte.csv", NULL, 1, 2, 1, "NUL byte") \
	X(bom_middle, L_VENDOR_A, "bom_middle.csv", NULL, 1, 2, 1, "BOM inside data") \
	X(quote_stray, L_VENDOR_A, "quote_stray.csv", NULL, 1, 2, 1, "malformed quoting") \
	X(quote_text_after, L_VENDOR_A, "quote_text_after.csv", NULL, 1, 2, 1, "malformed quoting") \
	X(quote_unterminated, L_VENDOR_A, "quote_unterminated.csv", NULL, 1, 1, 1, \
	  "unterminated quoted field") \
	X(quote_runaway, L_VENDOR_A, NULL, gen_quote_runaway, 1, 2, -1, \
	  "field longer than max_field_bytes") \
	X(blank_line, L_VENDOR_A, "blank_line.csv", NULL, 1, 2, 1, "empty line") \
	X(date_feb30, L_VENDOR_A, "date_feb30.csv", NULL, 1, 2, 1, "day does not exist") \
	X(number_1e309, L_VENDOR_A, "number_1e309.csv", NULL, 1, 2, 1, "unexpected text after the number") \
	X(number_double_minus, L_VENDOR_A, "number_double_minus.csv", NULL, 1, 2, 1, "more than one sign") \
	X(number_fullwidth_unit, L_VENDOR_A, "number_fullwidth_unit.csv", NULL, 1, 2, 1, \
	  "unexpected text after the number") \
	X(line_50mb, L_VENDOR_A, NULL, gen_line_50mb, 1, 2, 1, "field longer than max_field_bytes (1048576)") \
	X(line_50mb_fields, L_VENDOR_A, NULL, gen_fields_50mb, 1, 2, 1, "row has more than 10000 columns") \
	X(field_1mb, L_VENDOR_A, NULL, gen_field_1mb, 1, 2, 1, "field longer than max_field_bytes") \
	X(number_1mb, L_VENDOR_A, NULL, gen_number_1mb, 1, 2, 1, "more than 30 significant digits") \
	X(columns_10000, L_VENDOR_A, NULL, gen_columns_10000, 1, 2, 1, "row has 10000 fields, header has 35") \
	X(columns_10001, L_VENDOR_A, NULL, gen_columns_10001, 1, 2, 1, "row has more than 10000 columns") \
	X(header_10000_columns, L_VENDOR_A, NULL, gen_header_10000, 5, 0, 0, "is not in the header") \
	X(empty_file, L_VENDOR_A, NULL, gen_empty, 5, 0, 0, "no header line") \
	X(wareki_h31_0501, L_WAREKI, "wareki_h31_0501.csv", NULL, 1, 2, 1, "平成 ended on 2019-04-30") \
	X(wareki_reiwa0, L_WAREKI, "wareki_reiwa0.csv", NULL, 1, 2, 1, "era year 0 does not exist") \
	X(cp932_invalid, L_CP932, "cp932_invalid.csv", NULL, 1, 2, 1, "invalid CP932 byte sequence") \
	X(cp932_truncated, L_CP932, "cp932_truncated.csv", NULL, 1, 2, 1, "invalid CP932 byte sequence") \
	X(xml_control, L_XML_DOC, "xml_control.xml", NULL, 0, 4, 0, NULL) \
	X(xml_xxe, L_XML_DOC, "xml_xxe.xml", NULL, 1, 3, 1, "DOCTYPE declaring entities refused") \
	X(xml_external_dtd, L_XML_DOC, "xml_external_dtd.xml", NULL, 1, 3, 1, \
	  "DOCTYPE with an external identifier refused") \
	X(xml_parameter_entity, L_XML_DOC, "xml_parameter_entity.xml", NULL, 1, 3, 1, \
	  "DOCTYPE declaring entities refused") \
	X(xml_billion_laughs, L_XML_DOC, "xml_billion_laughs.xml", NULL, 1, 3, 1, \
	  "DOCTYPE declaring entities refused") \
	X(xml_wrong_namespace, L_XML_DOC, "xml_wrong_namespace.xml", NULL, 1, 3, 1, \
	  "root element is not a CDA ClinicalDocument") \
	X(xml_no_namespace, L_XML_DOC, "xml_no_namespace.xml", NULL, 1, 3, 1, \
	  "root element is not a CDA ClinicalDocument") \
	X(xml_invalid_utf8, L_XML_DOC, "xml_invalid_utf8.xml", NULL, 1, 3, 1, "malformed XML") \
	X(xml_nul_byte, L_XML_DOC, "xml_nul_byte.xml", NULL, 1, 3, 1, "malformed XML") \
	X(xml_sjis_invalid, L_XML_DOC, "xml_sjis_invalid.xml", NULL, 1, 3, 1, "malformed XML") \
	X(xml_truncated, L_XML_DOC, "xml_truncated.xml", NULL, 1, 3, 1, "malformed XML") \
	X(xml_deep_nesting, L_XML_DOC, NULL, gen_xml_deep, 1, 3, 1, "malformed XML") \
	X(xml_huge_attribute, L_XML_DOC, NULL, gen_xml_huge_attribute, 1, 3, 1, "malformed XML") \
	X(index_wrong_namespace, L_XML_INDEX, "index_wrong_namespace.xml", NULL, 5, 0, 0, \
	  "root element is not an index") \
	X(zip_control, L_XML_ZIP, NULL, gen_zip_control, 0, 4, 0, NULL) \
	X(zip_slip, L_XML_ZIP, NULL, gen_zip_slip, 1, 3, 1, "zip entry with unsafe path") \
	X(zip_bomb, L_XML_ZIP, NULL, gen_zip_bomb, 1, 3, 1, "exceeds max_entry_bytes") \
	X(zip_bomb_ratio, L_XML_ZIP, NULL, gen_zip_bomb_ratio, 1, 3, 1, "compression ratio above max_ratio") \
	X(zip_bomb_forged, L_XML_ZIP, NULL, gen_zip_bomb_forged, 1, 3, 1, "compression ratio above max_ratio") \
	X(not_a_zip, L_XML_ZIP, NULL, gen_not_a_zip, 5, 0, 0, "not a readable zip archive") \
	X(xlsx_control, L_XLSX, NULL, gen_xlsx_control, 0, 3, 0, NULL) \
	X(xlsx_sst_out_of_range, L_XLSX, NULL, gen_xlsx_sst_range, 1, 2, 1, \
	  "shared string index out of range") \
	X(xlsx_error_cell, L_XLSX, NULL, gen_xlsx_error_cell, 1, 2, 1, "no exam date") \
	X(xlsx_entities, L_XLSX, NULL, gen_xlsx_entities, 5, 0, 0, "DOCTYPE refused") \
	X(xlsx_bomb_ratio, L_XLSX, NULL, gen_xlsx_bomb, 5, 0, 0, "compression ratio above max_ratio") \
	X(xlsx_bomb_forged, L_XLSX, NULL, gen_xlsx_bomb_forged, 5, 0, 0, "compression ratio above max_ratio") \
	X(xlsx_part_slip, L_XLSX, NULL, gen_xlsx_slip, 5, 0, 0, "has no part in the workbook") \
	X(xlsx_not_a_zip, L_XLSX, NULL, gen_xlsx_not_zip, 5, 0, 0, "not an .xlsx workbook") \
	X(uke_control, L_UKE, "uke_control.uke", NULL, 0, 3, 0, NULL) \
	X(uke_sy_bad_date, L_UKE, "uke_sy_bad_date.uke", NULL, 1, 2, 1, "SY start: is not a date") \
	X(uke_wareki_h31_0501, L_UKE, "uke_wareki_h31_0501.uke", NULL, 1, 2, 1, "RE birth: is not a date") \
	X(uke_no_ho, L_UKE, "uke_no_ho.uke", NULL, 1, 2, 1, "no HO record") \
	X(uke_points_text, L_UKE, "uke_points_text.uke", NULL, 1, 2, 1, "HO points: is not a whole number") \
	X(uke_cp932_invalid, L_UKE, "uke_cp932_invalid.uke", NULL, 1, 2, 1, "invalid CP932 byte sequence") \
	X(uke_nul_byte, L_UKE, "uke_nul_byte.uke", NULL, 1, 2, 1, "NUL byte in the line") \
	X(uke_orphan, L_UKE, "uke_orphan.uke", NULL, 1, 3, 1, "record outside any claim") \
	X(uke_no_ir, L_UKE, "uke_no_ir.uke", NULL, 1, 0, 3, "no IR record before the first claim") \
	X(uke_unknown_types, L_UKE, "uke_unknown_types.uke", NULL, 0, 3, 0, NULL) \
	X(uke_long_line, L_UKE, NULL, gen_uke_long_line, 1, 2, 1, "line longer than max_line_bytes") \
	X(fixed_control, L_FIXED, "fixed_control.dat", NULL, 0, 3, 0, NULL) \
	X(fixed_truncated_last_record, L_FIXED, "fixed_truncated.dat", NULL, 1, 2, 1, \
	  "truncated record: 30 bytes, the layout needs 54") \
	X(fixed_trailer_count, L_FIXED, "fixed_trailer_count.dat", NULL, 5, 0, 0, \
	  "trailer count says 4 data records, 3 were read") \
	X(fixed_split_cp932, L_FIXED, "fixed_split_cp932.dat", NULL, 1, 2, 1, \
	  "byte range 18+20 splits a multi-byte character") \
	X(fixed_nul_byte, L_FIXED, "fixed_nul_byte.dat", NULL, 1, 2, 1, "NUL byte in the field") \
	X(fixed_no_trailer, L_FIXED, "fixed_no_trailer.dat", NULL, 5, 0, 0, \
	  "no trailer record (after 4 records, 3 data records): the file is incomplete")

#define AS_ROW(id, lay, file, gen, ex, ld, rj, why) { #id, lay, file, gen, ex, ld, rj, why },
static const struct hcase cases[] = { HOSTILE_CASES(AS_ROW) };

/* ------------------------------------------------------------------ */
/* Building the input and the job                                      */
/* ------------------------------------------------------------------ */

static int sh(const char *cmd)
{
	char *err = NULL;
	int rc = tu_run(cmd, NULL, &err);
	if (rc)
		fprintf(stderr, "\n  %s: exit %d: %s\n", cmd, rc, err ? err : "");
	free(err);
	return rc;
}

/* Copy the committed file, or run the generator, into `path`. */
static int place(const struct hcase *c, const char *path)
{
	char *src, *cmd;
	int rc;
	if (c->gen)
		return c->gen(path);
	src = hostile_path(c->file);
	cmd = tu_fmt("cp '%s' '%s'", src, path);
	rc = sh(cmd);
	free(src);
	free(cmd);
	return rc;
}

/* A folder archive: index, the three fixture documents, one more. */
static char *build_folder(const struct hcase *c, const char *cdir)
{
	char *ar = tu_fmt("%s/archive", cdir);
	char *ix = tu_fmt("%s/ix08_V08.xml", ar), *doc = tu_fmt("%s/%s", ar, HOSTILE_DOC);
	char *cmd = tu_fmt("mkdir -p '%s/DATA' && cp '%s/tests/data/mhlw_fixture/DATA/'h*.xml '%s/DATA/'",
			   ar, tu_srcdir(), ar);
	struct hcase control = { "control", L_XML_DOC, "xml_control.xml", NULL, 0, 0, 0, NULL };
	struct hcase index = { "index", L_XML_DOC, "index.xml", NULL, 0, 0, 0, NULL };
	int rc = sh(cmd);
	if (!rc)
		rc = place(c->layout == L_XML_INDEX ? c : &index, ix);
	if (!rc)
		rc = place(c->layout == L_XML_INDEX ? &control : c, doc);
	free(ix);
	free(doc);
	free(cmd);
	if (rc) {
		free(ar);
		return NULL;
	}
	return ar;
}

/* The case's input path (a file or a folder), or NULL. */
static char *build_input(const struct hcase *c, const char *cdir)
{
	char *p;
	if (c->layout == L_XML_DOC || c->layout == L_XML_INDEX)
		return build_folder(c, cdir);
	p = tu_fmt("%s/%s", cdir, c->layout == L_XML_ZIP ? "archive.zip" :
		   c->layout == L_XLSX ? "input.xlsx" :
		   c->layout == L_UKE ? "input.uke" :
		   c->layout == L_FIXED ? "input.dat" : "input.csv");
	if (place(c, p)) {
		free(p);
		return NULL;
	}
	return p;
}

static char *mapping_for(int layout)
{
	switch (layout) {
	case L_VENDOR_A:
		return tu_fmt("%s/mappings/vendors/vendor_a.xml", tu_srcdir());
	case L_WAREKI:
		return hostile_path("wareki.xml");
	case L_CP932:
		return hostile_path("cp932.xml");
	case L_XLSX:
		return hostile_path("xlsx.xml");
	case L_UKE:
		return tu_fmt("%s/mappings/association/uke_claim.xml", tu_srcdir());
	case L_FIXED:
		return hostile_path("fixed.xml");
	default:
		return tu_fmt("%s/mappings/vendors/mhlw_xml.xml", tu_srcdir());
	}
}

static char *write_job(const struct hcase *c, const char *cdir, const char *input)
{
	char *path = tu_fmt("%s/job.xml", cdir), *map = mapping_for(c->layout);
	char *body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<job xmlns=\"urn:colink:job:1\" name=\"hostile-%s\">\n"
			    "  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/><purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
			    "  <key file=\"%s\"/>\n"
			    "  <input mapping=\"%s\" path=\"%s\"/>\n"
			    "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s/w.db\"/></output>\n"
			    "  <options log=\"%s/run.log\"/>\n"
			    "</job>\n", c->id, key, map, input, cdir, cdir);
	tu_write_file(path, body, strlen(body));
	free(map);
	free(body);
	return path;
}

/* ------------------------------------------------------------------ */
/* Checks                                                               */
/* ------------------------------------------------------------------ */

/* Every stderr line is colink's own: no library printing input bytes. */
static int stderr_is_colinks(const char *err)
{
	const char *p = err;
	while (p && *p) {
		if (strncmp(p, "colink: ", 8))
			return 0;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 1;
}

static void check_exit(const struct hcase *c, int rc, const char *out, const char *err)
{
	CU_ASSERT(rc < 128);   /* not killed by a signal */
	CU_ASSERT(rc != 124);  /* timeout(1): more than 60 s */
	CU_ASSERT_EQUAL(rc, c->exit_code);
	CU_ASSERT(stderr_is_colinks(err));
	if (rc != c->exit_code || !stderr_is_colinks(err))
		fprintf(stderr, "\n  %s: exit %d (want %d)\n  stdout: %.1500s\n  stderr: %.1500s\n",
			c->id, rc, c->exit_code, out ? out : "", err ? err : "");
}

static long q(const char *db, const char *sql)
{
	return tu_sql_long(db, sql);
}

/* 1 when some `column` of `table` contains `want` (no quote in want). */
static int has_text(const char *db, const char *table, const char *column,
		    const char *want)
{
	char *sql = tu_fmt("SELECT count(*) FROM %s WHERE instr(%s, '%s') > 0",
			   table, column, want);
	long n = q(db, sql);
	free(sql);
	return n > 0;
}

/* A committed run: the good records loaded, the hostile one rejected with
 * a reason, and every count balancing. */
static void check_committed(const struct hcase *c, const char *db)
{
	long loaded = q(db, "SELECT records_loaded FROM run_input");
	long rejected = q(db, "SELECT records_rejected FROM run_input");
	CU_ASSERT_EQUAL(q(db, "SELECT count(*) FROM run WHERE status = 'ok'"), 1);
	CU_ASSERT_EQUAL(q(db, "SELECT count(*) FROM run_input"), 1);
	CU_ASSERT_EQUAL(q(db, "SELECT records_read - records_loaded - records_rejected FROM run_input"), 0);
	CU_ASSERT_EQUAL(q(db, "SELECT records_read - records_loaded - records_rejected FROM run"), 0);
	CU_ASSERT_EQUAL(loaded, c->loaded);
	if (c->rejected >= 0)
		CU_ASSERT_EQUAL(rejected, c->rejected)
	else
		CU_ASSERT(rejected >= 1);
	CU_ASSERT_EQUAL(q(db, "SELECT count(*) FROM reject"), rejected);
	CU_ASSERT_EQUAL(q(db, "SELECT count(*) FROM reject WHERE reason IS NULL OR reason = ''"), 0);
	CU_ASSERT_EQUAL(q(db, c->layout == L_UKE ? "SELECT count(*) FROM claim"
					      : "SELECT count(*) FROM checkup"), loaded);
	if (c->reason && !has_text(db, "reject", "reason", c->reason)) {
		char *r = tu_sql1(db, "SELECT group_concat(reason, ' | ') FROM reject");
		CU_FAIL("no reject reason says why");
		fprintf(stderr, "\n  %s: reasons '%s', want '%s'\n", c->id, r ? r : "", c->reason);
		free(r);
	}
	if (loaded != c->loaded || (c->rejected >= 0 && rejected != c->rejected))
		fprintf(stderr, "\n  %s: loaded %ld rejected %ld (want %ld, %ld)\n",
			c->id, loaded, rejected, c->loaded, c->rejected);
}

/* A run the plugin stopped: nothing loaded, the ledger says why. */
static void check_failed(const struct hcase *c, const char *db)
{
	CU_ASSERT_EQUAL(q(db, "SELECT count(*) FROM run WHERE status = 'failed'"), 1);
	CU_ASSERT_EQUAL(q(db, "SELECT count(*) FROM checkup"), 0);
	CU_ASSERT_EQUAL(q(db, "SELECT count(*) FROM reject"), 0);
	if (c->reason && !has_text(db, "run", "message", c->reason)) {
		char *m = tu_sql1(db, "SELECT message FROM run");
		CU_FAIL("failure message does not say why");
		fprintf(stderr, "\n  %s: message '%s', want '%s'\n", c->id, m ? m : "", c->reason);
		free(m);
	}
}

static int text_has(const char *s, const char *needle)
{
	return s && strstr(s, needle) != NULL;
}

/* No canary identifier and no /etc/passwd line in anything colink wrote. */
static void check_no_leak(const struct hcase *c, const char *cdir, const char *out,
			  const char *err)
{
	static const char *const needles[] = { CANARY_NUMBER, CANARY_KANA, PASSWD_LINE };
	char *db = tu_fmt("%s/w.db", cdir), *log = tu_fmt("%s/run.log", cdir);
	size_t i;
	for (i = 0; i < sizeof(needles) / sizeof(*needles); i++) {
		const char *n = needles[i];
		int leak = text_has(out, n) || text_has(err, n) ||
			   tu_file_contains(db, n, strlen(n)) || tu_file_contains(log, n, strlen(n));
		CU_ASSERT_FALSE(leak);
		if (leak)
			fprintf(stderr, "\n  %s: '%s' found in the output, log or warehouse\n", c->id, n);
	}
	free(db);
	free(log);
}

static const struct hcase *find_case(const char *id)
{
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		if (!strcmp(cases[i].id, id))
			return &cases[i];
	return NULL;
}

static void run_case(const char *id)
{
	const struct hcase *c = find_case(id);
	char *cdir, *input, *job, *db, *cmd, *out = NULL, *err = NULL;
	int rc;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	cdir = tu_fmt("%s/%s", dir, c->id);
	CU_ASSERT_EQUAL_FATAL(mkdir(cdir, 0700), 0);
	input = build_input(c, cdir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(input);
	job = write_job(c, cdir, input);
	db = tu_fmt("%s/w.db", cdir);
	cmd = tu_fmt("timeout 60 '%s' run --unsigned-agreement '%s'", tu_colink(), job);
	rc = tu_run(cmd, &out, &err);
	check_exit(c, rc, out, err);
	if (c->exit_code <= 1)
		check_committed(c, db);
	else
		check_failed(c, db);
	check_no_leak(c, cdir, out, err);
	tu_rmtree(cdir); /* the big inputs go as soon as they are checked */
	free(cdir);
	free(input);
	free(job);
	free(db);
	free(cmd);
	free(out);
	free(err);
}

/* ------------------------------------------------------------------ */
/* Registration                                                         */
/* ------------------------------------------------------------------ */

#define AS_TEST(id, ...) static void test_hostile__##id(void) { run_case(#id); }
HOSTILE_CASES(AS_TEST)

#define AS_INFO(id, ...) TU_TEST(test_hostile__##id),
static const struct tu_test tests[] = { HOSTILE_CASES(AS_INFO) TU_END };

static int setup(void)
{
	char *c;
	int rc;
	dir = tu_mkdtemp("hostile");
	if (!dir)
		return 1;
	key = tu_fmt("%s/k.key", dir);
	c = tu_fmt("'%s' key new '%s'", tu_colink(), key);
	rc = sh(c);
	free(c);
	return rc;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(key);
	return 0;
}

int main(void)
{
	if (tu_add_suite("hostile", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
