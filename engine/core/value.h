/*
 * value.h -- parsers for source values: dates (ISO, YYYYMMDD, 和暦),
 * decimals (full-width digits, thousands separators, censored "<5"),
 * integers and durations.  Pure functions, no allocation.
 *
 * Conventions: every parser returns COLINK_OK or COLINK_REJECTED.  On
 * COLINK_REJECTED it writes a short English reason into why[whylen] that
 * NEVER repeats the input text (inputs may be identifiers such as birth
 * dates).  Inputs are UTF-8, `len` bytes, not necessarily NUL-terminated.
 * Leading/trailing ASCII and full-width (U+3000) spaces are ignored.
 */
#ifndef COLINK_VALUE_H
#define COLINK_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "colink/plugin.h"

enum colink_date_format {
	COLINK_DATE_AUTO = 0,     /* 8 digits: YYYYMMDD; era mark: WAREKI;
				     else ISO (never YYYYMM: no day invented) */
	COLINK_DATE_ISO = 1,      /* 2024-06-10, 2024/06/10, 2024/6/1 */
	COLINK_DATE_YYYYMMDD = 2, /* 20240610 */
	COLINK_DATE_WAREKI = 3,   /* R05.04.01, H31.4.30, S45.05.15, 令和5年4月1日,
				     令和元年5月1日, 昭和45年5月15日, 平成31年4月30日,
				     era letters M T S H R (either case) or
				     明 大 昭 平 令; 年月日 or . / - separators */
	COLINK_DATE_YYYYMM = 4    /* 2024-06, 202406, 2024/06 (day set to 01) */
};

/* Map a format name ("auto", "iso", "yyyymmdd", "wareki", "yyyymm") to the
 * enum; -1 if unknown. */
int colink_date_format_from_name(const char *name);

/*
 * Parse a date into *yyyymmdd (e.g. 20240610).  Checks the calendar
 * (2025-02-30 rejected, leap years), and for 和暦 the era range: a date
 * before the era began or after it ended is rejected (H31.05.01 ->
 * "平成 ended on 2019-04-30"), year 0 is rejected, 元 means year 1.
 * Full-width digits accepted.
 */
int colink_parse_date(const char *s, size_t len, int format, int32_t *yyyymmdd,
		      char *why, size_t whylen);

/*
 * Parse a decimal.  Accepts ASCII or full-width digits, one '.', a leading
 * '+'/'-' (also full-width ＋/－/−), thousands separators ',' or '，'
 * between digit groups of three.  Rejects exponents, '--5', empty text,
 * trailing units ("120mmHg") and more than 30 significant digits.
 *
 * Censored values "<5", "＜5", ">1000", "≦5"..."未満/以下/以上/超" are
 * accepted only when allow_censored is true: *censor is set to '<' or '>'
 * and the bound is returned as the number.  Otherwise *censor = 0.
 *
 * The canonical text is written to out[outlen]: ASCII digits, no '+', no
 * thousands separators, the fraction digits exactly as given ("92.0" stays
 * "92.0"); leading zeros of the integer part are dropped down to one digit
 * ("０５．８０" -> "5.80", ".5" -> "0.5"); "-0" becomes "0".
 */
int colink_parse_decimal(const char *s, size_t len, int allow_censored,
			 char *out, size_t outlen, char *censor,
			 char *why, size_t whylen);

/* Parse a signed 64-bit integer (ASCII or full-width digits, optional sign,
 * thousands separators as above).  Overflow is rejected. */
int colink_parse_int(const char *s, size_t len, int64_t *out,
		     char *why, size_t whylen);

enum colink_duration_format {
	COLINK_DUR_MINUTES = 1, /* "90" -> 90 */
	COLINK_DUR_HOURS = 2,   /* decimal hours "1.5" -> 90 */
	COLINK_DUR_HMM = 3,     /* "1:30", "12:05", "100:00" -> minutes */
	COLINK_DUR_AUTO = 4     /* h:mm when it has ':', else decimal hours */
};
int colink_duration_format_from_name(const char *name); /* "minutes" ... */
int colink_parse_duration(const char *s, size_t len, int format,
			  int64_t *minutes, char *why, size_t whylen);

/* Compare two canonical decimal texts numerically: <0, 0, >0. */
int colink_decimal_cmp(const char *a, const char *b);

/* Age in completed years on date `on` for a person born `birth` (both
 * yyyymmdd), per Japan's 年齢計算ニ関スル法律: the age increases at the end
 * of the day before the birthday, so a person born on April 1 has attained
 * the age on March 31 (and a Feb 29 birthday on Feb 28 in common years).
 * Returns -1 when on < birth. */
int colink_age_on(int32_t birth, int32_t on);

/* Fiscal year (April-March) of a yyyymmdd date: 20250331 -> 2024. */
int colink_fiscal_year(int32_t yyyymmdd);

/* Age as of 31 March of the fiscal year that contains `exam`. */
int colink_age_fy_end(int32_t birth, int32_t exam);

/* Age on 31 March ending fiscal year `fiscal_year` when only the birth
 * month is known (person.birth_ym, yyyymm): colink_age_on with the last
 * day of that month as the birthday, i.e. the youngest age the month
 * allows (a person born on 1 April is counted one year younger than the
 * law says; a checkup's stored age_fy_end is exact).  -1 when unknown or
 * not yet born.  The warehouse readers use this and nothing else. */
int colink_age_fy_end_ym(int birth_ym, int fiscal_year);

/* Write "YYYY-MM-DD" (11 bytes with NUL) for a yyyymmdd value. */
void colink_date_iso(int32_t yyyymmdd, char out[11]);

#endif
