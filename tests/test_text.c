/* test_text.c -- base/text.h: hex, JSON strings, HTML / XML escapes, CSV. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/text.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

typedef void (*writer_fn)(FILE *f, const char *s);

/* What fn writes for s, as a malloc'd string; *len its length. */
static char *written(writer_fn fn, const char *s, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fn(f, s);
	CU_ASSERT_EQUAL(fclose(f), 0);
	if (len)
		*len = n;
	return buf;
}

#define WRITES(fn, in, want)                                                \
	do {                                                                \
		size_t n_;                                                  \
		char *got_ = written((fn), (in), &n_);                      \
		CU_ASSERT_EQUAL(n_, strlen(want));                          \
		CU_ASSERT_STRING_EQUAL(got_, (want));                       \
		free(got_);                                                 \
	} while (0)

/* A string of every byte 0x01..0xff, in order. */
static void every_byte(char out[256])
{
	int i;
	for (i = 1; i < 256; i++)
		out[i - 1] = (char)i;
	out[255] = '\0';
}

/* ------------------------------------------------------------------ */
/* Hex                                                                  */
/* ------------------------------------------------------------------ */

static void test_text__hex_known_bytes(void)
{
	static const unsigned char in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(in) + 1];
	colink_hex(in, sizeof(in), out);
	CU_ASSERT_STRING_EQUAL(out, "00017f80abff");
}

/* Exactly 2n + 1 chars are written: the byte after them is untouched. */
static void test_text__hex_writes_exactly_2n_plus_1(void)
{
	unsigned char in[32];
	char out[2 * 32 + 2];
	size_t n, i;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= sizeof(in); n++) {
		memset(out, '#', sizeof(out));
		colink_hex(in, n, out);
		CU_ASSERT_EQUAL(strlen(out), 2 * n);
		CU_ASSERT_EQUAL(out[2 * n + 1], '#');
	}
}

static void test_text__hex_empty_input(void)
{
	char out[1] = { 'x' };
	unsigned char b = 0x5a;
	colink_hex(NULL, 0, out);
	CU_ASSERT_EQUAL(out[0], '\0');
	CU_ASSERT_EQUAL(colink_unhex("", 0, &b), 0);
	CU_ASSERT_EQUAL(b, 0x5a); /* nothing written */
}

static void test_text__hex_round_trip_every_byte(void)
{
	unsigned char in[256], back[256];
	char hex[513];
	int i;
	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	colink_hex(in, sizeof(in), hex);
	CU_ASSERT_EQUAL(strlen(hex), 512);
	CU_ASSERT_EQUAL(strspn(hex, "0123456789abcdef"), 512);
	memset(back, 0, sizeof(back));
	CU_ASSERT_EQUAL(colink_unhex(hex, sizeof(back), back), 0);
	CU_ASSERT_EQUAL(memcmp(in, back, sizeof(in)), 0);
}

/* Only n bytes (2n digits) are read and written, whatever follows. */
static void test_text__unhex_reads_exactly_2n_digits(void)
{
	unsigned char out[4] = { 0xee, 0xee, 0xee, 0xee };
	CU_ASSERT_EQUAL(colink_unhex("0a1bZZZZ", 2, out), 0);
	CU_ASSERT_EQUAL(out[0], 0x0a);
	CU_ASSERT_EQUAL(out[1], 0x1b);
	CU_ASSERT_EQUAL(out[2], 0xee);
}

static void test_text__unhex_refuses_non_digits(void)
{
	static const char *const bad[] = { "0A", "A0", "0g", "g0", " 0", "0 ", "-1", "0x", "\xff" "0" };
	unsigned char out[1];
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(colink_unhex(bad[i], 1, out), -1);
	/* a good first byte does not hide a bad second one */
	CU_ASSERT_EQUAL(colink_unhex("00zz", 1, out), 0);
	CU_ASSERT_EQUAL(colink_unhex("00zz", 2, out), -1);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */
/* ------------------------------------------------------------------ */

static void test_text__json_plain_and_null(void)
{
	WRITES(colink_json_str, "abc", "\"abc\"");
	WRITES(colink_json_str, "", "\"\"");
	WRITES(colink_json_str, NULL, "\"\"");
}

static void test_text__json_quote_and_backslash(void)
{
	WRITES(colink_json_str, "a\"b\\c", "\"a\\\"b\\\\c\"");
	WRITES(colink_json_str, "\\\"", "\"\\\\\\\"\"");
	WRITES(colink_json_str, "/", "\"/\""); /* the solidus needs no escape */
}

/* LF and TAB as \n \t; every other control as \u00XX (CR too). */
static void test_text__json_control_characters(void)
{
	WRITES(colink_json_str, "a\nb", "\"a\\nb\"");
	WRITES(colink_json_str, "a\tb", "\"a\\tb\"");
	WRITES(colink_json_str, "a\rb", "\"a\\u000db\"");
	WRITES(colink_json_str, "\x01\x08\x0c\x1f", "\"\\u0001\\u0008\\u000c\\u001f\"");
	WRITES(colink_json_str, " \x7f", "\" \x7f\""); /* DEL is not a JSON control */
}

/* Every byte below 0x20 is escaped, nothing at or above it but " and \. */
static void test_text__json_every_byte(void)
{
	char all[256], *got, *p;
	size_t n, raw = 0;
	every_byte(all);
	got = written(colink_json_str, all, &n);
	CU_ASSERT_EQUAL(got[0], '"');
	CU_ASSERT_EQUAL(got[n - 1], '"');
	for (p = got + 1; p < got + n - 1; p++) {
		unsigned char c = (unsigned char)*p;
		CU_ASSERT(c >= 0x20);
		if (c == '\\') {
			p++;
			CU_ASSERT_PTR_NOT_NULL(strchr("\"\\ntu", *p));
		} else {
			raw++;
		}
	}
	/* 0x20..0xff except " and \ pass through as they are */
	CU_ASSERT(raw >= 0xff - 0x20 + 1 - 2);
	/* 29 controls as \u00XX (6 chars), \n \t " \ as two chars */
	CU_ASSERT_EQUAL(n, 2 + 29 * 6 + 4 * 2 + (255 - 31 - 2));
	free(got);
}

/* Invalid UTF-8 is passed through byte for byte, not replaced. */
static void test_text__json_invalid_utf8_passes_through(void)
{
	WRITES(colink_json_str, "\xff\xfe\xc3", "\"\xff\xfe\xc3\"");
	WRITES(colink_json_str, "健診", "\"健診\"");
}

/* A string longer than any stdio buffer is written whole. */
static void test_text__json_long_string(void)
{
	size_t len = 200000, n, i;
	char *in = malloc(len + 1), *got;
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	for (i = 0; i < len; i++)
		in[i] = i % 1000 == 999 ? '\t' : 'x';
	in[len] = '\0';
	got = written(colink_json_str, in, &n);
	CU_ASSERT_EQUAL(n, len + len / 1000 + 2);
	CU_ASSERT_EQUAL(memcmp(got + n - 3, "\\t\"", 3), 0);
	free(got);
	free(in);
}

/* ------------------------------------------------------------------ */
/* HTML and XML                                                         */
/* ------------------------------------------------------------------ */

static void test_text__html_markup_characters(void)
{
	WRITES(colink_html_escape, "<a href=\"x\">R&D's</a>",
	       "&lt;a href=&quot;x&quot;&gt;R&amp;D&#39;s&lt;/a&gt;");
	WRITES(colink_html_escape, "&amp;", "&amp;amp;"); /* no double-decoding */
	WRITES(colink_html_escape, "", "");
	WRITES(colink_html_escape, NULL, "");
	WRITES(colink_html_escape, "事業所 A", "事業所 A");
}

/* TAB and LF stay; CR and the other controls become a space. */
static void test_text__html_control_characters(void)
{
	WRITES(colink_html_escape, "a\tb\nc", "a\tb\nc");
	WRITES(colink_html_escape, "a\rb\x01" "c\x1f" "d\x7f", "a b c d\x7f");
}

static void test_text__html_every_byte(void)
{
	char all[256], *got;
	size_t n, i;
	every_byte(all);
	got = written(colink_html_escape, all, &n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)got[i];
		CU_ASSERT(c >= 0x20 || c == '\t' || c == '\n');
		CU_ASSERT(c != '<' && c != '>' && c != '"' && c != '\'');
	}
	/* 255 bytes: & < > " ' grow by 4, 3, 3, 5 and 4 */
	CU_ASSERT_EQUAL(n, 255 + 4 + 3 + 3 + 5 + 4);
	free(got);
}

static void test_text__html_invalid_utf8_passes_through(void)
{
	WRITES(colink_html_escape, "\xff<\xc3", "\xff&lt;\xc3");
}

/* XML attribute values: no apostrophe entity (double quotes), TAB LF CR as
 * character references, other controls as a space. */
static void test_text__xml_attr_escapes(void)
{
	WRITES(colink_xml_attr_escape, "<R&D \"x\" it's>", "&lt;R&amp;D &quot;x&quot; it's&gt;");
	WRITES(colink_xml_attr_escape, "a\tb\nc\rd", "a&#9;b&#10;c&#13;d");
	WRITES(colink_xml_attr_escape, "a\x01" "b\x1f" "c", "a b c");
	WRITES(colink_xml_attr_escape, NULL, "");
	WRITES(colink_xml_attr_escape, "\xff健", "\xff健");
}

/* ------------------------------------------------------------------ */
/* CSV                                                                  */
/* ------------------------------------------------------------------ */

static void test_text__csv_plain_field_as_is(void)
{
	WRITES(colink_csv_field, "abc", "abc");
	WRITES(colink_csv_field, "a b\tc;d'", "a b\tc;d'"); /* only , " CR LF quote */
	WRITES(colink_csv_field, "", "");
	WRITES(colink_csv_field, NULL, "");
	WRITES(colink_csv_field, "事業所", "事業所");
}

static void test_text__csv_quoted_when_needed(void)
{
	WRITES(colink_csv_field, "a,b", "\"a,b\"");
	WRITES(colink_csv_field, "a\nb", "\"a\nb\"");
	WRITES(colink_csv_field, "a\rb", "\"a\rb\"");
	WRITES(colink_csv_field, "say \"hi\"", "\"say \"\"hi\"\"\"");
	WRITES(colink_csv_field, "\"", "\"\"\"\"");
	WRITES(colink_csv_field, ",", "\",\"");
}

static void test_text__csv_invalid_utf8_and_controls(void)
{
	WRITES(colink_csv_field, "\xff\x01", "\xff\x01");
	WRITES(colink_csv_field, "\xff,\x01", "\"\xff,\x01\"");
}

static const struct tu_test tests[] = {
	TU_TEST(test_text__hex_known_bytes),
	TU_TEST(test_text__hex_writes_exactly_2n_plus_1),
	TU_TEST(test_text__hex_empty_input),
	TU_TEST(test_text__hex_round_trip_every_byte),
	TU_TEST(test_text__unhex_reads_exactly_2n_digits),
	TU_TEST(test_text__unhex_refuses_non_digits),
	TU_TEST(test_text__json_plain_and_null),
	TU_TEST(test_text__json_quote_and_backslash),
	TU_TEST(test_text__json_control_characters),
	TU_TEST(test_text__json_every_byte),
	TU_TEST(test_text__json_invalid_utf8_passes_through),
	TU_TEST(test_text__json_long_string),
	TU_TEST(test_text__html_markup_characters),
	TU_TEST(test_text__html_control_characters),
	TU_TEST(test_text__html_every_byte),
	TU_TEST(test_text__html_invalid_utf8_passes_through),
	TU_TEST(test_text__xml_attr_escapes),
	TU_TEST(test_text__csv_plain_field_as_is),
	TU_TEST(test_text__csv_quoted_when_needed),
	TU_TEST(test_text__csv_invalid_utf8_and_controls),
	TU_END
};

int main(void)
{
	if (tu_add_suite("text", NULL, NULL, tests))
		return 1;
	return tu_run_suites();
}
