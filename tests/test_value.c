/* test_value.c -- value parsers: dates, decimals, integers, durations, ages. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "testutil.h"
#include "core/value.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

/* No run of three or more ASCII digits from `in` may appear in `why`:
 * a reason must not quote the input (birth dates are identifiers). */
static void assert_no_echo(const char *in, const char *why)
{
	size_t i = 0, n = strlen(in);
	while (i < n) {
		size_t j = i;
		while (j < n && in[j] >= '0' && in[j] <= '9')
			j++;
		if (j - i >= 3) {
			char run[64] = "";
			size_t l = j - i < sizeof(run) - 1 ? j - i
							  : sizeof(run) - 1;
			memcpy(run, in + i, l);
			CU_ASSERT_PTR_NULL(strstr(why, run));
		}
		i = j > i ? j : i + 1;
	}
}

#define DATE_OK(s, fmt, want)                                               \
	do {                                                                \
		int32_t v_ = -1;                                            \
		char w_[128] = "";                                          \
		CU_ASSERT_EQUAL(colink_parse_date((s), strlen(s), (fmt), &v_, \
						  w_, sizeof(w_)),          \
				COLINK_OK);                                 \
		CU_ASSERT_EQUAL(v_, (want));                                \
	} while (0)

#define DATE_REJ(s, fmt, reason)                                            \
	do {                                                                \
		int32_t v_ = 7;                                             \
		char w_[128] = "";                                          \
		CU_ASSERT_EQUAL(colink_parse_date((s), strlen(s), (fmt), &v_, \
						  w_, sizeof(w_)),          \
				COLINK_REJECTED);                            \
		CU_ASSERT_STRING_EQUAL(w_, (reason));                       \
		CU_ASSERT_EQUAL(v_, 7);                                     \
		assert_no_echo((s), w_);                                    \
	} while (0)

#define DEC_OK(s, allow, want, want_censor)                                 \
	do {                                                                \
		char o_[64] = "", w_[128] = "", c_ = 'x';                   \
		CU_ASSERT_EQUAL(colink_parse_decimal((s), strlen(s), (allow), \
						     o_, sizeof(o_), &c_, w_, \
						     sizeof(w_)),           \
				COLINK_OK);                                 \
		CU_ASSERT_STRING_EQUAL(o_, (want));                         \
		CU_ASSERT_EQUAL(c_, (want_censor));                         \
	} while (0)

#define DEC_REJ(s, allow, reason)                                           \
	do {                                                                \
		char o_[64] = "", w_[128] = "", c_ = 'x';                   \
		CU_ASSERT_EQUAL(colink_parse_decimal((s), strlen(s), (allow), \
						     o_, sizeof(o_), &c_, w_, \
						     sizeof(w_)),           \
				COLINK_REJECTED);                            \
		CU_ASSERT_STRING_EQUAL(w_, (reason));                       \
		CU_ASSERT_EQUAL(c_, 0);                                     \
		assert_no_echo((s), w_);                                    \
	} while (0)

#define INT_OK(s, want)                                                     \
	do {                                                                \
		int64_t v_ = 7;                                             \
		char w_[128] = "";                                          \
		CU_ASSERT_EQUAL(colink_parse_int((s), strlen(s), &v_, w_,   \
						 sizeof(w_)),               \
				COLINK_OK);                                 \
		CU_ASSERT_EQUAL(v_, (want));                                \
	} while (0)

#define INT_REJ(s, reason)                                                  \
	do {                                                                \
		int64_t v_ = 7;                                             \
		char w_[128] = "";                                          \
		CU_ASSERT_EQUAL(colink_parse_int((s), strlen(s), &v_, w_,   \
						 sizeof(w_)),               \
				COLINK_REJECTED);                            \
		CU_ASSERT_STRING_EQUAL(w_, (reason));                       \
		CU_ASSERT_EQUAL(v_, 7);                                     \
		assert_no_echo((s), w_);                                    \
	} while (0)

#define DUR_OK(s, fmt, want)                                                \
	do {                                                                \
		int64_t v_ = -1;                                            \
		char w_[128] = "";                                          \
		CU_ASSERT_EQUAL(colink_parse_duration((s), strlen(s), (fmt), \
						      &v_, w_, sizeof(w_)), \
				COLINK_OK);                                 \
		CU_ASSERT_EQUAL(v_, (want));                                \
	} while (0)

#define DUR_REJ(s, fmt, reason)                                             \
	do {                                                                \
		int64_t v_ = -1;                                            \
		char w_[128] = "";                                          \
		CU_ASSERT_EQUAL(colink_parse_duration((s), strlen(s), (fmt), \
						      &v_, w_, sizeof(w_)), \
				COLINK_REJECTED);                            \
		CU_ASSERT_STRING_EQUAL(w_, (reason));                       \
		CU_ASSERT_EQUAL(v_, -1);                                    \
		assert_no_echo((s), w_);                                    \
	} while (0)

#define NOT_ISO "not a date (expected YYYY-MM-DD or YYYY/MM/DD)"
#define NOT_8 "not a date (expected 8 digits YYYYMMDD)"
#define NOT_WAREKI "not a date (expected 和暦 such as HYY.MM.DD or 平成Y年M月D日)"
#define NOT_YM "not a date (expected YYYYMM, YYYY-MM or YYYY/MM)"
#define NOT_AUTO "not a date (expected YYYYMMDD, YYYY-MM-DD, YYYY/MM/DD or 和暦)"
#define NO_DAY "day does not exist in that month"
#define GROUPS "thousands separators must separate groups of three digits"

/* ------------------------------------------------------------------ */
/* Dates                                                                */
/* ------------------------------------------------------------------ */

static void test_value__date_iso_forms(void)
{
	DATE_OK("2024-06-10", COLINK_DATE_ISO, 20240610);
	DATE_OK("2024/06/10", COLINK_DATE_ISO, 20240610);
	DATE_OK("2024/6/1", COLINK_DATE_ISO, 20240601);
	DATE_OK("2024年6月10日", COLINK_DATE_ISO, 20240610);
	DATE_OK("２０２４－０６－１０", COLINK_DATE_ISO, 20240610);
	DATE_OK(" \t2024-06-10\xE3\x80\x80 ", COLINK_DATE_ISO, 20240610);
	DATE_REJ("2024-06/10", COLINK_DATE_ISO, NOT_ISO);
	DATE_REJ("24-06-10", COLINK_DATE_ISO, NOT_ISO);
	DATE_REJ("2024-006-10", COLINK_DATE_ISO, NOT_ISO);
	DATE_REJ("2024-06-10T00:00", COLINK_DATE_ISO, NOT_ISO);
	DATE_REJ("2024.06.10", COLINK_DATE_ISO, NOT_ISO);
}

static void test_value__date_yyyymmdd(void)
{
	DATE_OK("20240610", COLINK_DATE_YYYYMMDD, 20240610);
	DATE_OK("２０２４０６１０", COLINK_DATE_YYYYMMDD, 20240610);
	DATE_REJ("2024061", COLINK_DATE_YYYYMMDD, NOT_8);
	DATE_REJ("202406100", COLINK_DATE_YYYYMMDD, NOT_8);
	DATE_REJ("2024-06-10", COLINK_DATE_YYYYMMDD, NOT_8);
	DATE_REJ("20241310", COLINK_DATE_YYYYMMDD, "month out of range 1-12");
}

static void test_value__date_calendar_leap_years(void)
{
	DATE_REJ("2025-02-30", COLINK_DATE_ISO, NO_DAY);
	DATE_OK("2024-02-29", COLINK_DATE_ISO, 20240229);
	DATE_REJ("2023-02-29", COLINK_DATE_ISO, NO_DAY);
	DATE_OK("2000-02-29", COLINK_DATE_ISO, 20000229);
	DATE_REJ("1900-02-29", COLINK_DATE_ISO, NO_DAY);
	DATE_REJ("2024-04-31", COLINK_DATE_ISO, NO_DAY);
	DATE_OK("2024-12-31", COLINK_DATE_ISO, 20241231);
}

static void test_value__date_month_and_day_range(void)
{
	DATE_REJ("2024-13-01", COLINK_DATE_ISO, "month out of range 1-12");
	DATE_REJ("2024-00-10", COLINK_DATE_ISO, "month out of range 1-12");
	DATE_REJ("2024-01-32", COLINK_DATE_ISO, "day out of range 1-31");
	DATE_REJ("2024-01-00", COLINK_DATE_ISO, "day out of range 1-31");
}

static void test_value__date_year_range(void)
{
	DATE_REJ("1867-12-31", COLINK_DATE_ISO, "year outside 1868-2200");
	DATE_REJ("2201-01-01", COLINK_DATE_ISO, "year outside 1868-2200");
	DATE_REJ("00010101", COLINK_DATE_YYYYMMDD, "year outside 1868-2200");
	DATE_OK("1868-01-01", COLINK_DATE_ISO, 18680101);
	DATE_OK("2200-12-31", COLINK_DATE_ISO, 22001231);
}

static void test_value__date_wareki_letters(void)
{
	DATE_OK("R05.04.01", COLINK_DATE_WAREKI, 20230401);
	DATE_OK("H31.04.30", COLINK_DATE_WAREKI, 20190430);
	DATE_OK("H31.4.30", COLINK_DATE_WAREKI, 20190430);
	DATE_OK("S45.05.15", COLINK_DATE_WAREKI, 19700515);
	DATE_OK("s45.5.15", COLINK_DATE_WAREKI, 19700515);
	DATE_OK("r05/04/01", COLINK_DATE_WAREKI, 20230401);
	DATE_OK("R05-04-01", COLINK_DATE_WAREKI, 20230401);
	DATE_OK("Ｒ０５．０４．０１", COLINK_DATE_WAREKI, 20230401);
	DATE_OK("T15.12.24", COLINK_DATE_WAREKI, 19261224);
	DATE_OK("M45.07.29", COLINK_DATE_WAREKI, 19120729);
	DATE_REJ("R05.04/01", COLINK_DATE_WAREKI, NOT_WAREKI);
	DATE_REJ("X05.04.01", COLINK_DATE_WAREKI, NOT_WAREKI);
	DATE_REJ("R05.04", COLINK_DATE_WAREKI, NOT_WAREKI);
	DATE_REJ("R1234.04.01", COLINK_DATE_WAREKI, NOT_WAREKI);
}

static void test_value__date_wareki_single_kanji(void)
{
	DATE_OK("令05.04.01", COLINK_DATE_WAREKI, 20230401);
	DATE_OK("昭45.05.15", COLINK_DATE_WAREKI, 19700515);
	DATE_OK("平31.4.30", COLINK_DATE_WAREKI, 20190430);
	DATE_OK("大01.07.30", COLINK_DATE_WAREKI, 19120730);
	DATE_OK("明01.01.25", COLINK_DATE_WAREKI, 18680125);
	DATE_OK("令5年4月1日", COLINK_DATE_WAREKI, 20230401);
}

static void test_value__date_wareki_kanji(void)
{
	DATE_OK("令和5年4月1日", COLINK_DATE_WAREKI, 20230401);
	DATE_OK("令和元年5月1日", COLINK_DATE_WAREKI, 20190501);
	DATE_OK("昭和45年5月15日", COLINK_DATE_WAREKI, 19700515);
	DATE_OK("平成31年4月30日", COLINK_DATE_WAREKI, 20190430);
	DATE_OK("令和５年４月１日", COLINK_DATE_WAREKI, 20230401);
	DATE_OK("令和05年04月01日", COLINK_DATE_WAREKI, 20230401);
	DATE_OK("㋿5年4月1日", COLINK_DATE_WAREKI, 20230401);
	DATE_OK("㍻元年1月8日", COLINK_DATE_WAREKI, 19890108);
	DATE_REJ("令和5年4月", COLINK_DATE_WAREKI, NOT_WAREKI);
	DATE_REJ("令和5年4月1", COLINK_DATE_WAREKI, NOT_WAREKI);
	DATE_REJ("令和5年4.1", COLINK_DATE_WAREKI, NOT_WAREKI);
	DATE_REJ("令和年4月1日", COLINK_DATE_WAREKI, NOT_WAREKI);
}

static void test_value__date_wareki_showa_end(void)
{
	DATE_OK("昭和64年1月7日", COLINK_DATE_WAREKI, 19890107);
	DATE_REJ("昭和64年1月8日", COLINK_DATE_WAREKI,
		 "昭和 ended on 1989-01-07");
	DATE_OK("平成元年1月8日", COLINK_DATE_WAREKI, 19890108);
	DATE_REJ("平成1年1月7日", COLINK_DATE_WAREKI,
		 "平成 began on 1989-01-08");
	DATE_REJ("S01.12.24", COLINK_DATE_WAREKI, "昭和 began on 1926-12-25");
	DATE_REJ("T15.12.25", COLINK_DATE_WAREKI, "大正 ended on 1926-12-24");
}

static void test_value__date_wareki_heisei_end(void)
{
	DATE_REJ("H31.05.01", COLINK_DATE_WAREKI, "平成 ended on 2019-04-30");
	DATE_REJ("平成32年1月1日", COLINK_DATE_WAREKI,
		 "平成 ended on 2019-04-30");
	DATE_REJ("R01.04.30", COLINK_DATE_WAREKI, "令和 began on 2019-05-01");
	DATE_OK("R01.05.01", COLINK_DATE_WAREKI, 20190501);
	DATE_REJ("M01.01.24", COLINK_DATE_WAREKI, "明治 began on 1868-01-25");
	DATE_REJ("M45.07.30", COLINK_DATE_WAREKI, "明治 ended on 1912-07-29");
}

static void test_value__date_wareki_year_zero_and_range(void)
{
	DATE_REJ("令和0年5月1日", COLINK_DATE_WAREKI,
		 "era year 0 does not exist");
	DATE_REJ("R00.05.01", COLINK_DATE_WAREKI, "era year 0 does not exist");
	DATE_OK("R182.12.31", COLINK_DATE_WAREKI, 22001231);
	DATE_REJ("R183.01.01", COLINK_DATE_WAREKI, "year outside 1868-2200");
	DATE_REJ("H30.02.29", COLINK_DATE_WAREKI, NO_DAY);
	DATE_OK("H28.02.29", COLINK_DATE_WAREKI, 20160229);
}

static void test_value__date_auto(void)
{
	DATE_OK("20240610", COLINK_DATE_AUTO, 20240610);
	DATE_OK("R05.04.01", COLINK_DATE_AUTO, 20230401);
	DATE_OK("令和5年4月1日", COLINK_DATE_AUTO, 20230401);
	DATE_OK("2024/6/1", COLINK_DATE_AUTO, 20240601);
	DATE_OK("2024年6月1日", COLINK_DATE_AUTO, 20240601);
	DATE_OK("　２０２４０６１０　", COLINK_DATE_AUTO, 20240610);
	/* YYYYMM must be declared: AUTO never invents a day. */
	DATE_REJ("202406", COLINK_DATE_AUTO, NOT_AUTO);
	DATE_REJ("hello", COLINK_DATE_AUTO, NOT_AUTO);
	DATE_REJ("2024-02-30", COLINK_DATE_AUTO, NO_DAY);
}

static void test_value__date_yyyymm(void)
{
	DATE_OK("2024-06", COLINK_DATE_YYYYMM, 20240601);
	DATE_OK("202406", COLINK_DATE_YYYYMM, 20240601);
	DATE_OK("2024/06", COLINK_DATE_YYYYMM, 20240601);
	DATE_OK("2024/6", COLINK_DATE_YYYYMM, 20240601);
	DATE_OK("2024年6月", COLINK_DATE_YYYYMM, 20240601);
	DATE_REJ("2024-13", COLINK_DATE_YYYYMM, "month out of range 1-12");
	DATE_REJ("20240610", COLINK_DATE_YYYYMM, NOT_YM);
	DATE_REJ("2024-06-10", COLINK_DATE_YYYYMM, NOT_YM);
}

static void test_value__date_reason_never_echoes_input(void)
{
	char a[128], b[128];
	int32_t v;

	CU_ASSERT_EQUAL(colink_parse_date("1999-02-30", 10, COLINK_DATE_ISO,
					  &v, a, sizeof(a)),
			COLINK_REJECTED);
	CU_ASSERT_PTR_NULL(strstr(a, "1999"));
	CU_ASSERT_PTR_NULL(strstr(a, "30"));
	CU_ASSERT_PTR_NULL(strstr(a, "02"));
	CU_ASSERT_PTR_NULL(strstr(a, "Feb"));
	/* The reason depends on the kind of fault, not on the date. */
	CU_ASSERT_EQUAL(colink_parse_date("2001/4/31", 9, COLINK_DATE_ISO, &v,
					  b, sizeof(b)),
			COLINK_REJECTED);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_EQUAL(colink_parse_date("H31.05.02", 9, COLINK_DATE_WAREKI,
					  &v, a, sizeof(a)),
			COLINK_REJECTED);
	CU_ASSERT_EQUAL(colink_parse_date("H31.12.31", 9, COLINK_DATE_WAREKI,
					  &v, b, sizeof(b)),
			COLINK_REJECTED);
	CU_ASSERT_STRING_EQUAL(a, b);
}

static void test_value__date_empty_and_bytes(void)
{
	int32_t v = 5;
	char w[64];

	DATE_REJ("", COLINK_DATE_AUTO, "empty value");
	DATE_REJ(" \xE3\x80\x80 ", COLINK_DATE_ISO, "empty value");
	DATE_REJ("2024-06-1\xff", COLINK_DATE_ISO, NOT_ISO);
	DATE_REJ("\xc0\xaf", COLINK_DATE_AUTO, NOT_AUTO);
	/* Only `len` bytes are read: the input need not be NUL-terminated. */
	CU_ASSERT_EQUAL(colink_parse_date("2024-06-10junk", 10,
					  COLINK_DATE_ISO, &v, w, sizeof(w)),
			COLINK_OK);
	CU_ASSERT_EQUAL(v, 20240610);
	CU_ASSERT_EQUAL(colink_parse_date(NULL, 0, COLINK_DATE_ISO, &v, w,
					  sizeof(w)),
			COLINK_REJECTED);
	CU_ASSERT_STRING_EQUAL(w, "empty value");
	/* why may be NULL; the output may be NULL to only validate. */
	CU_ASSERT_EQUAL(colink_parse_date("2024-02-30", 10, COLINK_DATE_ISO,
					  &v, NULL, 0),
			COLINK_REJECTED);
	CU_ASSERT_EQUAL(colink_parse_date("2024-02-29", 10, COLINK_DATE_ISO,
					  NULL, NULL, 0),
			COLINK_OK);
}

static void test_value__date_unknown_format(void)
{
	DATE_REJ("2024-06-10", 99, "unknown date format");
	DATE_REJ("2024-06-10", -1, "unknown date format");
}

static void test_value__date_format_from_name(void)
{
	CU_ASSERT_EQUAL(colink_date_format_from_name("auto"), COLINK_DATE_AUTO);
	CU_ASSERT_EQUAL(colink_date_format_from_name("iso"), COLINK_DATE_ISO);
	CU_ASSERT_EQUAL(colink_date_format_from_name("yyyymmdd"),
			COLINK_DATE_YYYYMMDD);
	CU_ASSERT_EQUAL(colink_date_format_from_name("wareki"),
			COLINK_DATE_WAREKI);
	CU_ASSERT_EQUAL(colink_date_format_from_name("yyyymm"),
			COLINK_DATE_YYYYMM);
	CU_ASSERT_EQUAL(colink_date_format_from_name("ISO8601"), -1);
	CU_ASSERT_EQUAL(colink_date_format_from_name(""), -1);
	CU_ASSERT_EQUAL(colink_date_format_from_name(NULL), -1);
}

static void test_value__date_iso_text(void)
{
	char out[11];
	colink_date_iso(20240610, out);
	CU_ASSERT_STRING_EQUAL(out, "2024-06-10");
	colink_date_iso(18680125, out);
	CU_ASSERT_STRING_EQUAL(out, "1868-01-25");
	colink_date_iso(22001231, out);
	CU_ASSERT_STRING_EQUAL(out, "2200-12-31");
}

/* ------------------------------------------------------------------ */
/* Decimals and integers                                                */
/* ------------------------------------------------------------------ */

static void test_value__decimal_canonical(void)
{
	DEC_OK("92.0", 0, "92.0", 0);
	DEC_OK("０５．８０", 0, "5.80", 0);
	DEC_OK(".5", 0, "0.5", 0);
	DEC_OK("-.5", 0, "-0.5", 0);
	DEC_OK("-0", 0, "0", 0);
	DEC_OK("-0.00", 0, "0.00", 0);
	DEC_OK("+3", 0, "3", 0);
	DEC_OK("007", 0, "7", 0);
	DEC_OK("1,234", 0, "1234", 0);
	DEC_OK("1,234.5", 0, "1234.5", 0);
	DEC_OK("１，２３４，５６７", 0, "1234567", 0);
	DEC_OK("－１２", 0, "-12", 0);
	DEC_OK("\xE2\x88\x92" "3.5", 0, "-3.5", 0);
	DEC_OK("＋４", 0, "4", 0);
	DEC_OK(" 120 \xE3\x80\x80", 0, "120", 0);
}

static void test_value__decimal_thousands_groups(void)
{
	DEC_REJ("12,34", 0, GROUPS);
	DEC_REJ("1,2345", 0, GROUPS);
	DEC_REJ("1234,567", 0, GROUPS);
	DEC_REJ(",123", 0, GROUPS);
	DEC_REJ("1,", 0, GROUPS);
	DEC_REJ("1,,234", 0, GROUPS);
	DEC_REJ("0,500", 0, GROUPS);
	DEC_REJ("1.234,5", 0, GROUPS);
	DEC_OK("12,345,678.25", 0, "12345678.25", 0);
}

static void test_value__decimal_rejects_exponent_units_words(void)
{
	DEC_REJ("1e309", 0, "unexpected text after the number");
	DEC_REJ("１２０mmHg", 0, "unexpected text after the number");
	DEC_REJ("120 mmHg", 0, "unexpected text after the number");
	DEC_REJ("inf", 0, "not a number");
	DEC_REJ("nan", 0, "not a number");
	DEC_REJ("±", 1, "not a number");
}

static void test_value__decimal_rejects_malformed(void)
{
	DEC_REJ("", 0, "empty value");
	DEC_REJ("  ", 1, "empty value");
	DEC_REJ("-", 0, "not a number");
	DEC_REJ(".", 0, "not a number");
	DEC_REJ("1.2.3", 0, "more than one decimal point");
	DEC_REJ("--5", 0, "more than one sign");
	DEC_REJ("+-5", 0, "more than one sign");
	DEC_REJ("5-", 0, "misplaced sign");
	DEC_REJ("5.", 0, "no digits after the decimal point");
	DEC_REJ("- 5", 0, "not a number");
}

static void test_value__decimal_significant_digits(void)
{
	/* 30 significant digits pass, 31 do not; zeros before the first
	 * significant digit do not count. */
	DEC_OK("123456789012345678901234567890", 0,
	       "123456789012345678901234567890", 0);
	DEC_REJ("1234567890123456789012345678901", 0,
		"more than 30 significant digits");
	DEC_OK("1234567890.12345678901234567890", 0,
	       "1234567890.12345678901234567890", 0);
	DEC_REJ("1234567890.123456789012345678901", 0,
		"more than 30 significant digits");
	DEC_OK("0000000000000000000000000000000000000042", 0, "42", 0);
	DEC_OK("0.000000000000000000000000000000000001", 0,
	       "0.000000000000000000000000000000000001", 0);
	DEC_REJ("0.0000000000000000000000000000000000000000000000000000000000001",
		0, "more than 60 fraction digits");
}

static void test_value__decimal_censored(void)
{
	DEC_OK("<5", 1, "5", '<');
	DEC_OK("＜5", 1, "5", '<');
	DEC_OK("<=5", 1, "5", '<');
	DEC_OK("＜＝５", 1, "5", '<');
	DEC_OK("≦5", 1, "5", '<');
	DEC_OK("< 0.5", 1, "0.5", '<');
	DEC_OK(">1000", 1, "1000", '>');
	DEC_OK("＞１０００", 1, "1000", '>');
	DEC_OK(">=1,000", 1, "1000", '>');
	DEC_OK("≧30", 1, "30", '>');
	DEC_OK("5未満", 1, "5", '<');
	DEC_OK("5以下", 1, "5", '<');
	DEC_OK("1000以上", 1, "1000", '>');
	DEC_OK("1000超", 1, "1000", '>');
	DEC_OK("5.0 未満", 1, "5.0", '<');
	DEC_OK("92.0", 1, "92.0", 0);
}

static void test_value__decimal_censored_not_allowed(void)
{
	const char *r = "censored value not allowed for this field";
	DEC_REJ("<5", 0, r);
	DEC_REJ("＞１０００", 0, r);
	DEC_REJ("5未満", 0, r);
	DEC_REJ("1000以上", 0, r);
}

static void test_value__decimal_censored_malformed(void)
{
	DEC_REJ("<", 1, "censoring mark without a number");
	DEC_REJ("未満", 1, "censoring mark without a number");
	DEC_REJ("<5以上", 1, "conflicting censoring marks");
	DEC_REJ("<<5", 1, "not a number");
	DEC_REJ("<5mg", 1, "unexpected text after the number");
}

static void test_value__decimal_output_buffer(void)
{
	char out[5], why[64], c;
	CU_ASSERT_EQUAL(colink_parse_decimal("-1.25", 5, 0, out, sizeof(out), &c, why,
					     sizeof(why)),
			COLINK_REJECTED);
	CU_ASSERT_STRING_EQUAL(why, "number too long for the output buffer");
	CU_ASSERT_EQUAL(colink_parse_decimal("1.25", 4, 0, out, sizeof(out),
					     &c, why, sizeof(why)),
			COLINK_OK);
	CU_ASSERT_STRING_EQUAL(out, "1.25");
	/* censor may be NULL when the caller does not care. */
	CU_ASSERT_EQUAL(colink_parse_decimal("<2", 2, 1, out, sizeof(out), NULL,
					     why, sizeof(why)),
			COLINK_OK);
	CU_ASSERT_STRING_EQUAL(out, "2");
}

static void test_value__int_values(void)
{
	INT_OK("42", 42);
	INT_OK("-42", -42);
	INT_OK("＋１，０００", 1000);
	INT_OK("０", 0);
	INT_OK("-0", 0);
	INT_OK(" 7\xE3\x80\x80", 7);
}

static void test_value__int_limits(void)
{
	INT_OK("9223372036854775807", INT64_MAX);
	INT_OK("9,223,372,036,854,775,807", INT64_MAX);
	INT_OK("-9223372036854775808", INT64_MIN);
	INT_OK("000000000000000000000000000000000000001", 1);
	INT_REJ("9223372036854775808", "integer out of range");
	INT_REJ("-9223372036854775809", "integer out of range");
	INT_REJ("18446744073709551616", "integer out of range");
	INT_REJ("1234567890123456789012345678901234567890",
		"integer out of range");
}

static void test_value__int_rejects(void)
{
	INT_REJ("1.0", "not an integer");
	INT_REJ("12,34", GROUPS);
	INT_REJ("1e3", "unexpected text after the number");
	INT_REJ("", "empty value");
	INT_REJ("--1", "more than one sign");
	INT_REJ("<5", "not a number");
}

static void test_value__decimal_cmp_signs(void)
{
	CU_ASSERT(colink_decimal_cmp("-1", "1") < 0);
	CU_ASSERT(colink_decimal_cmp("1", "-1") > 0);
	CU_ASSERT(colink_decimal_cmp("-2", "-1") < 0);
	CU_ASSERT(colink_decimal_cmp("-0.5", "0") < 0);
	CU_ASSERT(colink_decimal_cmp("0", "0.0") == 0);
	CU_ASSERT(colink_decimal_cmp("-0", "0") == 0);
	CU_ASSERT(colink_decimal_cmp("0.001", "0") > 0);
}

static void test_value__decimal_cmp_lengths_and_fractions(void)
{
	CU_ASSERT(colink_decimal_cmp("10", "9") > 0);
	CU_ASSERT(colink_decimal_cmp("9", "10") < 0);
	CU_ASSERT(colink_decimal_cmp("-10", "-9") < 0);
	CU_ASSERT(colink_decimal_cmp("92.0", "92") == 0);
	CU_ASSERT(colink_decimal_cmp("5.80", "5.8") == 0);
	CU_ASSERT(colink_decimal_cmp("0.05", "0.5") < 0);
	CU_ASSERT(colink_decimal_cmp("1234.5", "1234.49") > 0);
	CU_ASSERT(colink_decimal_cmp("100.001", "100") > 0);
	CU_ASSERT(colink_decimal_cmp("-100.001", "-100") < 0);
	CU_ASSERT(colink_decimal_cmp("126", "125.99999999999999999") > 0);
	CU_ASSERT(colink_decimal_cmp("123456789012345678901234567890",
				     "123456789012345678901234567891") < 0);
	CU_ASSERT(colink_decimal_cmp("7", "7") == 0);
}

/* ------------------------------------------------------------------ */
/* Durations                                                            */
/* ------------------------------------------------------------------ */

static void test_value__duration_minutes(void)
{
	DUR_OK("90", COLINK_DUR_MINUTES, 90);
	DUR_OK("１２０", COLINK_DUR_MINUTES, 120);
	DUR_OK("1,440", COLINK_DUR_MINUTES, 1440);
	DUR_OK("0", COLINK_DUR_MINUTES, 0);
	DUR_REJ("1.5", COLINK_DUR_MINUTES, "not an integer");
	DUR_REJ("-5", COLINK_DUR_MINUTES, "negative duration");
	DUR_REJ("1:30", COLINK_DUR_MINUTES, "unexpected text after the number");
}

static void test_value__duration_hours_rounding(void)
{
	DUR_OK("1.5", COLINK_DUR_HOURS, 90);
	DUR_OK("1.50", COLINK_DUR_HOURS, 90);
	DUR_OK("0.25", COLINK_DUR_HOURS, 15);
	DUR_OK("8", COLINK_DUR_HOURS, 480);
	DUR_OK("7.75", COLINK_DUR_HOURS, 465);
	DUR_OK("１．５", COLINK_DUR_HOURS, 90);
	DUR_OK("0.125", COLINK_DUR_HOURS, 8);    /* 7.5 min: half up */
	DUR_OK("0.0083", COLINK_DUR_HOURS, 0);   /* 0.498 min */
	DUR_OK("0.00834", COLINK_DUR_HOURS, 1);  /* 0.5004 min */
	DUR_OK("0.999", COLINK_DUR_HOURS, 60);   /* 59.94 min */
	DUR_OK("0.33", COLINK_DUR_HOURS, 20);    /* 19.8 min */
}

static void test_value__duration_hmm(void)
{
	DUR_OK("1:30", COLINK_DUR_HMM, 90);
	DUR_OK("100:00", COLINK_DUR_HMM, 6000);
	DUR_OK("12:05", COLINK_DUR_HMM, 725);
	DUR_OK("0:00", COLINK_DUR_HMM, 0);
	DUR_OK("１：３０", COLINK_DUR_HMM, 90);
	DUR_OK("08:59", COLINK_DUR_HMM, 539);
	DUR_REJ("1:60", COLINK_DUR_HMM, "minutes out of range 00-59");
	DUR_REJ("1:5", COLINK_DUR_HMM, "not a duration (expected h:mm)");
	DUR_REJ("1:300", COLINK_DUR_HMM, "not a duration (expected h:mm)");
	DUR_REJ(":30", COLINK_DUR_HMM, "not a duration (expected h:mm)");
	DUR_REJ("1:30:00", COLINK_DUR_HMM, "not a duration (expected h:mm)");
	DUR_REJ("-1:30", COLINK_DUR_HMM, "negative duration");
	DUR_REJ("1.5", COLINK_DUR_HMM, "not a duration (expected h:mm)");
}

static void test_value__duration_auto(void)
{
	DUR_OK("1:30", COLINK_DUR_AUTO, 90);
	DUR_OK("1.5", COLINK_DUR_AUTO, 90);
	DUR_OK("2", COLINK_DUR_AUTO, 120);
	DUR_OK("２：１５", COLINK_DUR_AUTO, 135);
	DUR_REJ("1:75", COLINK_DUR_AUTO, "minutes out of range 00-59");
}

static void test_value__duration_rejects(void)
{
	DUR_REJ("", COLINK_DUR_HOURS, "empty value");
	DUR_REJ("-1.5", COLINK_DUR_HOURS, "negative duration");
	DUR_REJ("abc", COLINK_DUR_HOURS, "not a number");
	DUR_REJ("1.5h", COLINK_DUR_HOURS, "unexpected text after the number");
	DUR_REJ("1", 0, "unknown duration format");
	DUR_REJ("99999999999999999999", COLINK_DUR_MINUTES,
		"duration out of range");
	DUR_REJ("999999999999999999", COLINK_DUR_HOURS,
		"duration out of range");
	DUR_REJ("9999999999999999999:00", COLINK_DUR_HMM,
		"duration out of range");
}

static void test_value__duration_format_from_name(void)
{
	CU_ASSERT_EQUAL(colink_duration_format_from_name("minutes"),
			COLINK_DUR_MINUTES);
	CU_ASSERT_EQUAL(colink_duration_format_from_name("hours"),
			COLINK_DUR_HOURS);
	CU_ASSERT_EQUAL(colink_duration_format_from_name("h:mm"),
			COLINK_DUR_HMM);
	CU_ASSERT_EQUAL(colink_duration_format_from_name("auto"),
			COLINK_DUR_AUTO);
	CU_ASSERT_EQUAL(colink_duration_format_from_name("hh:mm"), -1);
	CU_ASSERT_EQUAL(colink_duration_format_from_name(NULL), -1);
}

/* ------------------------------------------------------------------ */
/* Reasons                                                              */
/* ------------------------------------------------------------------ */

static void test_value__reason_truncation_keeps_utf8(void)
{
	char w[8];
	int32_t v;

	/* "平成 ended on ..." cut to 7 bytes: "平成" (6) fits, nothing more
	 * fits whole, and no partial sequence is left. */
	memset(w, 'x', sizeof(w));
	CU_ASSERT_EQUAL(colink_parse_date("H31.05.01", 9, COLINK_DATE_WAREKI,
					  &v, w, 7),
			COLINK_REJECTED);
	CU_ASSERT_STRING_EQUAL(w, "平成");
	CU_ASSERT_EQUAL(colink_parse_date("H31.05.01", 9, COLINK_DATE_WAREKI,
					  &v, w, 5),
			COLINK_REJECTED);
	CU_ASSERT_STRING_EQUAL(w, "平");
	CU_ASSERT_EQUAL(colink_parse_date("H31.05.01", 9, COLINK_DATE_WAREKI,
					  &v, w, 3),
			COLINK_REJECTED);
	CU_ASSERT_STRING_EQUAL(w, "");
}

/* ------------------------------------------------------------------ */
/* Ages                                                                 */
/* ------------------------------------------------------------------ */

static void test_value__age_attained_day_before_birthday(void)
{
	CU_ASSERT_EQUAL(colink_age_on(19700401, 20250331), 55);
	CU_ASSERT_EQUAL(colink_age_on(19700402, 20250331), 54);
	CU_ASSERT_EQUAL(colink_age_on(19700402, 20250401), 55);
	CU_ASSERT_EQUAL(colink_age_on(19700515, 20250513), 54);
	CU_ASSERT_EQUAL(colink_age_on(19700515, 20250514), 55);
	CU_ASSERT_EQUAL(colink_age_on(19991231, 20001229), 0);
	CU_ASSERT_EQUAL(colink_age_on(19991231, 20001230), 1);
	CU_ASSERT_EQUAL(colink_age_on(20000101, 20001231), 1);
}

static void test_value__age_feb29_birthday(void)
{
	CU_ASSERT_EQUAL(colink_age_on(20000229, 20230228), 23);
	CU_ASSERT_EQUAL(colink_age_on(20000229, 20230227), 22);
	CU_ASSERT_EQUAL(colink_age_on(20000229, 20240228), 24);
	CU_ASSERT_EQUAL(colink_age_on(20000229, 20240227), 23);
	CU_ASSERT_EQUAL(colink_age_on(20000301, 20230228), 23);
	CU_ASSERT_EQUAL(colink_age_on(20000301, 20240228), 23);
}

static void test_value__age_before_birth_or_invalid(void)
{
	CU_ASSERT_EQUAL(colink_age_on(20000101, 19991231), -1);
	CU_ASSERT_EQUAL(colink_age_on(20000101, 20000101), 0);
	CU_ASSERT_EQUAL(colink_age_on(0, 20240101), -1);
	CU_ASSERT_EQUAL(colink_age_on(20230230, 20240101), -1);
	CU_ASSERT_EQUAL(colink_age_on(19700515, 20241301), -1);
}

static void test_value__fiscal_year(void)
{
	CU_ASSERT_EQUAL(colink_fiscal_year(20250331), 2024);
	CU_ASSERT_EQUAL(colink_fiscal_year(20250401), 2025);
	CU_ASSERT_EQUAL(colink_fiscal_year(20250101), 2024);
	CU_ASSERT_EQUAL(colink_fiscal_year(20241231), 2024);
}

static void test_value__age_fy_end_fixture(void)
{
	CU_ASSERT_EQUAL(colink_age_fy_end(19700515, 20240610), 54);
	CU_ASSERT_EQUAL(colink_age_fy_end(19560820, 20240610), 68);
	CU_ASSERT_EQUAL(colink_age_fy_end(19790101, 20240610), 46);
	/* Same fiscal year, exam in January: same age. */
	CU_ASSERT_EQUAL(colink_age_fy_end(19700515, 20250115), 54);
	/* Born April 1 counts a year older than born April 2. */
	CU_ASSERT_EQUAL(colink_age_fy_end(19850401, 20240610), 40);
	CU_ASSERT_EQUAL(colink_age_fy_end(19850402, 20240610), 39);
}

/* ------------------------------------------------------------------ */

static const struct tu_test tests[] = {
	TU_TEST(test_value__date_iso_forms),
	TU_TEST(test_value__date_yyyymmdd),
	TU_TEST(test_value__date_calendar_leap_years),
	TU_TEST(test_value__date_month_and_day_range),
	TU_TEST(test_value__date_year_range),
	TU_TEST(test_value__date_wareki_letters),
	TU_TEST(test_value__date_wareki_single_kanji),
	TU_TEST(test_value__date_wareki_kanji),
	TU_TEST(test_value__date_wareki_showa_end),
	TU_TEST(test_value__date_wareki_heisei_end),
	TU_TEST(test_value__date_wareki_year_zero_and_range),
	TU_TEST(test_value__date_auto),
	TU_TEST(test_value__date_yyyymm),
	TU_TEST(test_value__date_reason_never_echoes_input),
	TU_TEST(test_value__date_empty_and_bytes),
	TU_TEST(test_value__date_unknown_format),
	TU_TEST(test_value__date_format_from_name),
	TU_TEST(test_value__date_iso_text),
	TU_TEST(test_value__decimal_canonical),
	TU_TEST(test_value__decimal_thousands_groups),
	TU_TEST(test_value__decimal_rejects_exponent_units_words),
	TU_TEST(test_value__decimal_rejects_malformed),
	TU_TEST(test_value__decimal_significant_digits),
	TU_TEST(test_value__decimal_censored),
	TU_TEST(test_value__decimal_censored_not_allowed),
	TU_TEST(test_value__decimal_censored_malformed),
	TU_TEST(test_value__decimal_output_buffer),
	TU_TEST(test_value__int_values),
	TU_TEST(test_value__int_limits),
	TU_TEST(test_value__int_rejects),
	TU_TEST(test_value__decimal_cmp_signs),
	TU_TEST(test_value__decimal_cmp_lengths_and_fractions),
	TU_TEST(test_value__duration_minutes),
	TU_TEST(test_value__duration_hours_rounding),
	TU_TEST(test_value__duration_hmm),
	TU_TEST(test_value__duration_auto),
	TU_TEST(test_value__duration_rejects),
	TU_TEST(test_value__duration_format_from_name),
	TU_TEST(test_value__reason_truncation_keeps_utf8),
	TU_TEST(test_value__age_attained_day_before_birthday),
	TU_TEST(test_value__age_feb29_birthday),
	TU_TEST(test_value__age_before_birth_or_invalid),
	TU_TEST(test_value__fiscal_year),
	TU_TEST(test_value__age_fy_end_fixture),
	TU_END
};

int main(void)
{
	if (tu_add_suite("value", NULL, NULL, tests))
		return 1;
	return tu_run_suites();
}
