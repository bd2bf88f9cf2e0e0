/*
 * gen_alt.c -- vendor A's checkups in the two other formats vendors deliver
 * (#20): colink-gen --out DIR --fixed writes DIR/vendor_a.dat, --xlsx
 * DIR/vendor_a.xlsx.  Both are made from the very CSV row written to
 * vendor_a.csv, cell by cell, so the three files hold the same persons and
 * the same values at any --persons.
 *
 *   vendor_a.dat   mappings/vendors/vendor_e.xml's layout: CP932, CRLF,
 *                  106-byte records, a header record (type 1), data
 *                  records (type 2: the 16 cells that layout has, dates as
 *                  YYYYMMDD, space-padded; a null word such as 未実施 too
 *                  wide for its field is left blank, a null all the same,
 *                  of reason missing), a trailer (type 9) counting them
 *   vendor_a.xlsx  one sheet as samples/gen/csv2xlsx.sh writes it: numbers
 *                  as number cells (a leading zero keeps the text), ISO
 *                  dates as Excel serials with the date style, the rest
 *                  inline strings; read by vendor_a.xml with in_xlsx
 *
 * Memory is flat: records are written as they come; the sheet part is
 * streamed to a temporary file in DIR and zipped (libzip) at the end.
 */
#include "gen_common.h"

#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#define NCELL 64
#define REC_LEN 106

struct gen_alt {
	FILE *dat, *sheet;
	char *dat_path, *xlsx_path, *sheet_path;
	iconv_t cd;
	uint64_t rows;
};

/* vendor_a.csv column (0-based) and byte width of each vendor_e field */
static const struct {
	int col, width, date;
} LAYOUT[] = {
	{0, 8, 0},  {1, 10, 0}, {2, 10, 0}, {3, 2, 0},   {4, 20, 0}, {5, 8, 1},
	{6, 1, 0},  {7, 8, 1},  {8, 5, 0},  {9, 5, 0},   {10, 4, 0}, {12, 3, 0},
	{13, 3, 0}, {26, 4, 0}, {20, 8, 0}, {28, 6, 0},
};

static const char HEADER_A[] =
	"保険者番号,被保険者証記号,被保険者証番号,枝番,氏名カナ,生年月日,性別,受診日,"
	"身長,体重,BMI,腹囲,収縮期血圧1,収縮期血圧2,拡張期血圧1,拡張期血圧2,採血時間,"
	"中性脂肪,随時中性脂肪,HDL,LDL,NonHDL,AST,ALT,γGT,空腹時血糖,HbA1c,尿糖,尿蛋白,"
	"クレアチニン,eGFR,服薬血圧,服薬血糖,服薬脂質,喫煙";

/* Split a CSV row (no quotes: vendor A) into cells; returns the count. */
static int split(char *row, size_t len, char **cell, size_t *clen)
{
	int n = 0;
	size_t i, start = 0;
	while (len && (row[len - 1] == '\n' || row[len - 1] == '\r'))
		len--;
	for (i = 0; i <= len && n < NCELL; i++)
		if (i == len || row[i] == ',') {
			cell[n] = row + start;
			clen[n++] = i - start;
			start = i + 1;
		}
	return n;
}

/* One vendor_e field: VALUE in CP932, left-aligned, padded to width bytes. */
static int put_field(struct gen_alt *a, const char *v, size_t n, int width, int date)
{
	char in[128], out[128], *ip = in, *op = out;
	size_t il, ol = sizeof out, k = 0, i;
	if (n >= sizeof in)
		return -1;
	for (i = 0; i < n; i++)
		if (!date || v[i] != '-')
			in[k++] = v[i];
	il = k;
	iconv(a->cd, NULL, NULL, NULL, NULL);
	if (iconv(a->cd, &ip, &il, &op, &ol) == (size_t)-1)
		return -1;
	k = sizeof out - ol;
	if (k > (size_t)width && (unsigned char)in[0] >= 0x80)
		k = 0; /* a null word (未実施) wider than a numeric field: blank, a null all the same */
	if (k > (size_t)width) {
		fprintf(stderr, "colink-gen: %s: a value of %zu bytes in a %d-byte field\n",
			a->dat_path, k, width);
		return -1;
	}
	if (fwrite(out, 1, k, a->dat) != k)
		return -1;
	for (; k < (size_t)width; k++)
		if (putc(' ', a->dat) == EOF)
			return -1;
	return 0;
}

static int put_pad_record(struct gen_alt *a, char type, const char *text)
{
	size_t n = strlen(text);
	return fprintf(a->dat, "%c%s%*s\r\n", type, text, (int)(REC_LEN - 1 - n), "") < 0 ? -1 : 0;
}

/* ---- xlsx ---- */

static void col_name(int i, char *buf)
{
	char t[8];
	int n = 0, k = 0;
	i++;
	while (i > 0) {
		i--;
		t[n++] = (char)('A' + i % 26);
		i /= 26;
	}
	while (n)
		buf[k++] = t[--n];
	buf[k] = '\0';
}

static int is_number(const char *s, size_t n)
{
	size_t i = 0, d = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9' || (s[i] == '0' && i + 1 < n && s[i + 1] != '.'))
		return 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, d++;
		if (!d)
			return 0;
	}
	return i == n;
}

/* Days since 1899-12-30 (the Excel 1900 serial of dates after 1900-03-01). */
static long serial(int y, int m, int d)
{
	long era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 + 25569;
}

static int is_iso(const char *s, size_t n)
{
	return n == 10 && s[4] == '-' && s[7] == '-';
}

static void put_text(FILE *f, const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (s[i] == '&')
			fputs("&amp;", f);
		else if (s[i] == '<')
			fputs("&lt;", f);
		else if (s[i] == '>')
			fputs("&gt;", f);
		else
			putc(s[i], f);
	}
}

static int sheet_row(struct gen_alt *a, uint64_t r, char **cell, size_t *clen, int n, int header)
{
	char ref[8];
	int i;
	fprintf(a->sheet, "<row r=\"%" PRIu64 "\">", r);
	for (i = 0; i < n; i++) {
		if (!clen[i])
			continue;
		col_name(i, ref);
		if (!header && is_number(cell[i], clen[i])) {
			fprintf(a->sheet, "<c r=\"%s%" PRIu64 "\"><v>", ref, r);
			fwrite(cell[i], 1, clen[i], a->sheet);
			fputs("</v></c>", a->sheet);
		} else if (!header && is_iso(cell[i], clen[i])) {
			fprintf(a->sheet, "<c r=\"%s%" PRIu64 "\" s=\"1\"><v>%ld</v></c>", ref, r,
				serial(atoi(cell[i]), atoi(cell[i] + 5), atoi(cell[i] + 8)));
		} else {
			fprintf(a->sheet, "<c r=\"%s%" PRIu64 "\" t=\"inlineStr\"><is><t>", ref, r);
			put_text(a->sheet, cell[i], clen[i]);
			fputs("</t></is></c>", a->sheet);
		}
	}
	return fputs("</row>\n", a->sheet) < 0 ? -1 : 0;
}

#define M "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define R "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define P "http://schemas.openxmlformats.org/package/2006/relationships"
#define XD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
static const char *const PARTS[][2] = {
	{"[Content_Types].xml", XD "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	 "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	 "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	 "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
	 "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
	 "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/></Types>"},
	{"_rels/.rels", XD "<Relationships xmlns=\"" P "\"><Relationship Id=\"rId1\" Type=\"" R
	 "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
	{"xl/workbook.xml", XD "<workbook xmlns=\"" M "\" xmlns:r=\"" R "\"><sheets><sheet name=\"Sheet1\" "
	 "sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
	{"xl/_rels/workbook.xml.rels", XD "<Relationships xmlns=\"" P "\"><Relationship Id=\"rId1\" Type=\"" R
	 "/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" R
	 "/styles\" Target=\"styles.xml\"/></Relationships>"},
	{"xl/styles.xml", XD "<styleSheet xmlns=\"" M "\"><cellXfs count=\"2\"><xf numFmtId=\"0\"/>"
	 "<xf numFmtId=\"14\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"},
};

static int zip_book(struct gen_alt *a)
{
	int zerr = 0;
	size_t i;
	zip_t *z;
	zip_source_t *s;
	unlink(a->xlsx_path);
	z = zip_open(a->xlsx_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!z)
		return gen_fail_io(a->xlsx_path);
	for (i = 0; i < sizeof PARTS / sizeof PARTS[0]; i++) {
		s = zip_source_buffer(z, PARTS[i][1], strlen(PARTS[i][1]), 0);
		if (!s || zip_file_add(z, PARTS[i][0], s, ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(s);
			zip_discard(z);
			return gen_fail_io(a->xlsx_path);
		}
	}
	s = zip_source_file(z, a->sheet_path, 0, -1);
	if (!s || zip_file_add(z, "xl/worksheets/sheet1.xml", s, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(s);
		zip_discard(z);
		return gen_fail_io(a->xlsx_path);
	}
	if (zip_close(z) < 0) {
		fprintf(stderr, "colink-gen: %s: %s\n", a->xlsx_path, zip_strerror(z));
		zip_discard(z);
		return -1;
	}
	return 0;
}

/* ---- the writer ---- */

struct gen_alt *gen_alt_open(const char *dir, int fixed, int xlsx)
{
	struct gen_alt *a = calloc(1, sizeof *a);
	char head[sizeof HEADER_A], *cell[NCELL];
	size_t clen[NCELL];
	int n;
	if (!a) {
		gen_fail_io(dir);
		return NULL;
	}
	a->cd = (iconv_t)-1;
	if (fixed) {
		a->dat_path = gen_join_path(dir, "vendor_a.dat");
		a->cd = iconv_open("CP932", "UTF-8");
		if (!a->dat_path || a->cd == (iconv_t)-1 || !(a->dat = fopen(a->dat_path, "wb")) ||
		    put_pad_record(a, '1', "COLINK-GEN")) {
			gen_fail_io(a->dat_path ? a->dat_path : dir);
			goto fail;
		}
		setvbuf(a->dat, NULL, _IOFBF, 1 << 20);
	}
	if (xlsx) {
		a->xlsx_path = gen_join_path(dir, "vendor_a.xlsx");
		a->sheet_path = gen_join_path(dir, ".vendor_a.sheet1.xml.tmp");
		if (!a->xlsx_path || !a->sheet_path || !(a->sheet = fopen(a->sheet_path, "wb"))) {
			gen_fail_io(a->sheet_path ? a->sheet_path : dir);
			goto fail;
		}
		setvbuf(a->sheet, NULL, _IOFBF, 1 << 20);
		memcpy(head, HEADER_A, sizeof HEADER_A);
		n = split(head, sizeof HEADER_A - 1, cell, clen);
		fputs(XD "<worksheet xmlns=\"" M "\"><sheetData>", a->sheet);
		if (sheet_row(a, 1, cell, clen, n, 1) < 0) {
			gen_fail_io(a->sheet_path);
			goto fail;
		}
	}
	return a;
fail:
	gen_alt_close(a, 0);
	return NULL;
}

int gen_alt_row(struct gen_alt *a, const char *row, size_t len)
{
	char buf[4096], *cell[NCELL];
	size_t clen[NCELL], i;
	int n;
	if (!a)
		return 0;
	if (len >= sizeof buf)
		return -1;
	memcpy(buf, row, len);
	n = split(buf, len, cell, clen);
	a->rows++;
	if (a->dat) {
		if (putc('2', a->dat) == EOF)
			return gen_fail_io(a->dat_path);
		for (i = 0; i < sizeof LAYOUT / sizeof LAYOUT[0]; i++) {
			int c = LAYOUT[i].col;
			if (put_field(a, c < n ? cell[c] : "", c < n ? clen[c] : 0, LAYOUT[i].width,
				      LAYOUT[i].date) < 0)
				return gen_fail_io(a->dat_path);
		}
		if (fputs("\r\n", a->dat) == EOF)
			return gen_fail_io(a->dat_path);
	}
	if (a->sheet && sheet_row(a, a->rows + 1, cell, clen, n, 0) < 0)
		return gen_fail_io(a->sheet_path);
	return 0;
}

int gen_alt_close(struct gen_alt *a, int ok)
{
	int rc = 0;
	char count[16];
	if (!a)
		return 0;
	if (a->dat) {
		snprintf(count, sizeof count, "%06" PRIu64, a->rows);
		if ((ok && put_pad_record(a, '9', count) < 0) || fclose(a->dat) != 0)
			rc = gen_fail_io(a->dat_path);
	}
	if (a->sheet) {
		if (fputs("</sheetData></worksheet>\n", a->sheet) == EOF || fclose(a->sheet) != 0)
			rc = gen_fail_io(a->sheet_path);
		else if (ok && zip_book(a) < 0)
			rc = -1;
		unlink(a->sheet_path);
	}
	if (a->cd != (iconv_t)-1)
		iconv_close(a->cd);
	free(a->dat_path);
	free(a->xlsx_path);
	free(a->sheet_path);
	free(a);
	return rc;
}
