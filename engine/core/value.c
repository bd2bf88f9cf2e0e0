/*
 * value.c -- parsers for source values: dates (ISO, YYYYMMDD, 和暦), plus
 * age arithmetic, and what every parser shares (the reasons, the trimming;
 * the code-point cursor is in value_int.h).  See value.h; decimals,
 * integers and durations are in value_num.c.
 *
 * Everything here is a pure function over a byte span: no allocation, no
 * globals beyond constant tables.  Input is walked one code point at a time
 * so that full-width forms (０-９, ．, ，, ＋, －, ：, ＜ ...) are handled by
 * the same grammar as their ASCII counterparts.
 *
 * Reasons written to `why` are built only from constant text (and, for the
 * era checks, constant era names and dates), never from the input: a value
 * may be a birth date or another identifier.
 */
#include "core/value.h"
#include "core/value_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Reasons                                                              */
/* ------------------------------------------------------------------ */

int value_reject(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	int w;
	size_t n, j;

	if (!why || !whylen)
		return COLINK_REJECTED;
	va_start(ap, fmt);
	w = vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w < whylen)
		return COLINK_REJECTED;
	/* Truncated: do not leave half a UTF-8 sequence at the end. */
	n = whylen - 1;
	j = n;
	while (j > 0 && ((unsigned char)why[j - 1] & 0xC0) == 0x80)
		j--;
	if (j > 0) {
		unsigned char lead = (unsigned char)why[j - 1];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 :
			      lead >= 0xC0 ? 2 : 1;
		if (n - (j - 1) < need)
			why[j - 1] = '\0';
	}
	return COLINK_REJECTED;
}

/* ------------------------------------------------------------------ */
/* Code points                                                          */
/* ------------------------------------------------------------------ */

#define CP_YEAR 0x5E74  /* 年 */
#define CP_MONTH 0x6708 /* 月 */
#define CP_DAY 0x65E5   /* 日 */
#define CP_GAN 0x5143   /* 元 (first year of an era) */

static int is_ascii_space(unsigned char b)
{
	return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\v' ||
	       b == '\f';
}

/* Drop leading and trailing ASCII spaces and U+3000 (E3 80 80).  A trailing
 * E3 80 80 is always a whole U+3000: E3 cannot be a continuation byte. */
struct cur value_trimmed(const char *s, size_t len)
{
	struct cur c = { (const unsigned char *)s, s ? len : 0, 0 };
	const unsigned char *p = c.s;

	for (;;) {
		if (c.len >= 1 && is_ascii_space(p[0])) {
			p++;
			c.len--;
		} else if (c.len >= 3 && p[0] == 0xE3 && p[1] == 0x80 &&
			   p[2] == 0x80) {
			p += 3;
			c.len -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (c.len >= 1 && is_ascii_space(p[c.len - 1])) {
			c.len--;
		} else if (c.len >= 3 && p[c.len - 3] == 0xE3 &&
			   p[c.len - 2] == 0x80 && p[c.len - 1] == 0x80) {
			c.len -= 3;
		} else {
			break;
		}
	}
	c.s = p;
	return c;
}

/* ------------------------------------------------------------------ */
/* Calendar                                                             */
/* ------------------------------------------------------------------ */

#define YEAR_MIN 1868
#define YEAR_MAX 2200

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Check a calendar date; the reasons name no part of the date. */
static int check_ymd(uint64_t y, uint64_t m, uint64_t d, char *why,
		     size_t whylen)
{
	if (y < YEAR_MIN || y > YEAR_MAX)
		return value_reject(why, whylen, "year outside %d-%d", YEAR_MIN,
			      YEAR_MAX);
	if (m < 1 || m > 12)
		return value_reject(why, whylen, "month out of range 1-12");
	if (d < 1 || d > 31)
		return value_reject(why, whylen, "day out of range 1-31");
	if (d > (uint64_t)days_in_month((int)y, (int)m))
		return value_reject(why, whylen,
			      "day does not exist in that month");
	return COLINK_OK;
}

static int32_t ymd(uint64_t y, uint64_t m, uint64_t d)
{
	return (int32_t)(y * 10000 + m * 100 + d);
}

/* ------------------------------------------------------------------ */
/* Dates                                                                */
/* ------------------------------------------------------------------ */

/* The eras a 和暦 date may name, oldest first.  明治 starts on the date
 * used by code (1868-01-25), not the 1868-10-23 proclamation. */
static const struct era {
	const char *name;   /* 明治 */
	char letter;        /* JIS X 0301 letter */
	int32_t kanji1;     /* 明: alone or followed by kanji2 */
	int32_t kanji2;     /* 治 */
	int32_t squared;    /* ㍾ (U+337E) */
	int32_t first, last;/* yyyymmdd; last 0 for the current era */
	const char *first_text, *last_text;
} eras[] = {
	{ "明治", 'M', 0x660E, 0x6CBB, 0x337E, 18680125, 19120729,
	  "1868-01-25", "1912-07-29" },
	{ "大正", 'T', 0x5927, 0x6B63, 0x337D, 19120730, 19261224,
	  "1912-07-30", "1926-12-24" },
	{ "昭和", 'S', 0x662D, 0x548C, 0x337C, 19261225, 19890107,
	  "1926-12-25", "1989-01-07" },
	{ "平成", 'H', 0x5E73, 0x6210, 0x337B, 19890108, 20190430,
	  "1989-01-08", "2019-04-30" },
	{ "令和", 'R', 0x4EE4, 0x548C, 0x32FF, 20190501, 0, "2019-05-01",
	  NULL },
};
#define NERAS (sizeof(eras) / sizeof(eras[0]))

/* The era that `cp` starts (letter in either case and width, first kanji,
 * or squared era sign), or -1. */
static int era_of(int32_t cp)
{
	size_t i;
	for (i = 0; i < NERAS; i++) {
		int32_t up = eras[i].letter, lo = up - 'A' + 'a';
		if (cp == up || cp == lo || cp == 0xFF21 + (up - 'A') ||
		    cp == 0xFF41 + (up - 'A') || cp == eras[i].kanji1 ||
		    cp == eras[i].squared)
			return (int)i;
	}
	return -1;
}

/* Separators between Y, M and D in the symbol style. */
static int is_date_sep(int32_t cp, int allow_dot)
{
	return cp == '-' || cp == '/' || cp == 0xFF0D || cp == 0xFF0F ||
	       (allow_dot && (cp == '.' || cp == 0xFF0E));
}

/* After the year and its separator `sep`: "M<sep>D" to the end, or for
 * sep 年 "M月D日".  Month and day take one or two digits. */
static int parse_md(struct cur *c, int32_t sep, uint64_t *m, uint64_t *d)
{
	size_t n = read_digits(c, m);
	if (n < 1 || n > 2)
		return SYNTAX;
	if (!cur_take(c, sep == CP_YEAR ? CP_MONTH : sep))
		return SYNTAX;
	n = read_digits(c, d);
	if (n < 1 || n > 2)
		return SYNTAX;
	if (sep == CP_YEAR && !cur_take(c, CP_DAY))
		return SYNTAX;
	return cur_at_end(c) ? COLINK_OK : SYNTAX;
}

/* YYYY-MM-DD, YYYY/MM/DD (one or two digit M and D), YYYY年M月D日. */
static int parse_iso(struct cur *c, int32_t *out, char *why, size_t whylen)
{
	uint64_t y, m, d;
	int32_t sep;
	int rc;

	if (read_digits(c, &y) != 4)
		return SYNTAX;
	sep = cur_peek(c);
	if (sep != CP_YEAR && !is_date_sep(sep, 0))
		return SYNTAX;
	cur_skip(c);
	if ((rc = parse_md(c, sep, &m, &d)) != COLINK_OK)
		return rc;
	if ((rc = check_ymd(y, m, d, why, whylen)) != COLINK_OK)
		return rc;
	*out = ymd(y, m, d);
	return COLINK_OK;
}

/* Exactly eight digits. */
static int parse_yyyymmdd(struct cur *c, int32_t *out, char *why,
			  size_t whylen)
{
	uint64_t v;
	int rc;

	if (read_digits(c, &v) != 8 || !cur_at_end(c))
		return SYNTAX;
	rc = check_ymd(v / 10000, v / 100 % 100, v % 100, why, whylen);
	if (rc != COLINK_OK)
		return rc;
	*out = (int32_t)v;
	return COLINK_OK;
}

/* YYYYMM, YYYY-MM, YYYY/MM, YYYY年M月; the day is set to 01. */
static int parse_yyyymm(struct cur *c, int32_t *out, char *why,
			size_t whylen)
{
	uint64_t y, m;
	size_t n = read_digits(c, &y);
	int32_t sep;
	int rc;

	if (n == 6) {
		m = y % 100;
		y /= 100;
	} else if (n == 4) {
		sep = cur_peek(c);
		if (sep != CP_YEAR && !is_date_sep(sep, 0))
			return SYNTAX;
		cur_skip(c);
		n = read_digits(c, &m);
		if (n < 1 || n > 2)
			return SYNTAX;
		if (sep == CP_YEAR && !cur_take(c, CP_MONTH))
			return SYNTAX;
	} else {
		return SYNTAX;
	}
	if (!cur_at_end(c))
		return SYNTAX;
	if ((rc = check_ymd(y, m, 1, why, whylen)) != COLINK_OK)
		return rc;
	*out = ymd(y, m, 1);
	return COLINK_OK;
}

/* Era, year (digits or 元), then ".MM.DD" ('.', '/' or '-', the same one
 * twice) or "年M月D日". */
static int parse_wareki(struct cur *c, int32_t *out, char *why,
			size_t whylen)
{
	uint64_t ey, y, m, d;
	int32_t cp = cur_peek(c), sep, v;
	int e = era_of(cp), rc;
	size_t n;

	if (e < 0)
		return SYNTAX;
	cur_skip(c);
	if (cp == eras[e].kanji1)
		cur_take(c, eras[e].kanji2);
	if (cur_take(c, CP_GAN)) {
		ey = 1;
	} else {
		n = read_digits(c, &ey);
		if (n < 1 || n > 3)
			return SYNTAX;
	}
	sep = cur_peek(c);
	if (sep != CP_YEAR && !is_date_sep(sep, 1))
		return SYNTAX;
	cur_skip(c);
	if ((rc = parse_md(c, sep, &m, &d)) != COLINK_OK)
		return rc;
	if (ey == 0)
		return value_reject(why, whylen, "era year 0 does not exist");
	y = (uint64_t)(eras[e].first / 10000) + ey - 1;
	if ((rc = check_ymd(y, m, d, why, whylen)) != COLINK_OK)
		return rc;
	v = ymd(y, m, d);
	if (v < eras[e].first)
		return value_reject(why, whylen, "%s began on %s", eras[e].name,
			      eras[e].first_text);
	if (eras[e].last && v > eras[e].last)
		return value_reject(why, whylen, "%s ended on %s", eras[e].name,
			      eras[e].last_text);
	*out = v;
	return COLINK_OK;
}

/* AUTO: eight digits are YYYYMMDD, an era mark means 和暦, else ISO. */
static int auto_format(const struct cur *c)
{
	struct cur t = *c;
	uint64_t v;

	if (read_digits(&t, &v) == 8 && cur_at_end(&t))
		return COLINK_DATE_YYYYMMDD;
	if (era_of(cur_peek(c)) >= 0)
		return COLINK_DATE_WAREKI;
	return COLINK_DATE_ISO;
}

int colink_date_format_from_name(const char *name)
{
	static const char *const names[] = { "auto", "iso", "yyyymmdd",
					     "wareki", "yyyymm" };
	size_t i;
	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (int)i; /* the enum follows the table */
	return -1;
}

int colink_parse_date(const char *s, size_t len, int format,
		      int32_t *yyyymmdd, char *why, size_t whylen)
{
	struct cur c = value_trimmed(s, len);
	int32_t v = 0;
	int rc, f = format;
	const char *expect;

	if (cur_at_end(&c))
		return value_reject(why, whylen, "empty value");
	if (f == COLINK_DATE_AUTO)
		f = auto_format(&c);
	switch (f) {
	case COLINK_DATE_ISO:
		rc = parse_iso(&c, &v, why, whylen);
		expect = "YYYY-MM-DD or YYYY/MM/DD";
		break;
	case COLINK_DATE_YYYYMMDD:
		rc = parse_yyyymmdd(&c, &v, why, whylen);
		expect = "8 digits YYYYMMDD";
		break;
	case COLINK_DATE_WAREKI:
		rc = parse_wareki(&c, &v, why, whylen);
		expect = "和暦 such as HYY.MM.DD or 平成Y年M月D日";
		break;
	case COLINK_DATE_YYYYMM:
		rc = parse_yyyymm(&c, &v, why, whylen);
		expect = "YYYYMM, YYYY-MM or YYYY/MM";
		break;
	default:
		return value_reject(why, whylen, "unknown date format");
	}
	if (rc == SYNTAX && format == COLINK_DATE_AUTO)
		expect = "YYYYMMDD, YYYY-MM-DD, YYYY/MM/DD or 和暦";
	if (rc == SYNTAX)
		return value_reject(why, whylen, "not a date (expected %s)", expect);
	if (rc != COLINK_OK)
		return rc;
	if (yyyymmdd)
		*yyyymmdd = v;
	return COLINK_OK;
}

void colink_date_iso(int32_t yyyymmdd, char out[11])
{
	uint32_t v = yyyymmdd < 0 ? 0u : (uint32_t)yyyymmdd;
	unsigned y = v / 10000 % 10000, m = v / 100 % 100, d = v % 100;

	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* ------------------------------------------------------------------ */
/* Ages                                                                 */
/* ------------------------------------------------------------------ */

static int plausible(int32_t v)
{
	int y = v / 10000, m = v / 100 % 100, d = v % 100;
	return v > 0 && d >= 1 && d <= days_in_month(y, m);
}

/*
 * Under 年齢計算ニ関スル法律 and 民法 143 the age is attained at the end of
 * the day before the birthday.  A whole day `on` therefore counts the age
 * reached by the start of the following day: compute the ordinary age on
 * on+1.  This also settles Feb 29: on Feb 28 of a common year the next day
 * is Mar 1, past the birthday's month-day.
 */
int colink_age_on(int32_t birth, int32_t on)
{
	int y, m, d, age;

	if (!plausible(birth) || !plausible(on) || on < birth)
		return -1;
	y = on / 10000;
	m = on / 100 % 100;
	d = on % 100 + 1;
	if (d > days_in_month(y, m)) {
		d = 1;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	age = y - birth / 10000;
	if (m * 100 + d < birth % 10000)
		age--;
	return age;
}

int colink_fiscal_year(int32_t yyyymmdd)
{
	int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100;
	return m >= 4 ? y : y - 1;
}

int colink_age_fy_end(int32_t birth, int32_t exam)
{
	int fy = colink_fiscal_year(exam);
	return colink_age_on(birth, (int32_t)(fy + 1) * 10000 + 331);
}

int colink_age_fy_end_ym(int birth_ym, int fiscal_year)
{
	int y = birth_ym / 100, m = birth_ym % 100;
	if (birth_ym <= 0 || m < 1 || m > 12)
		return -1;
	return colink_age_on((int32_t)(y * 10000 + m * 100 + days_in_month(y, m)),
			     (int32_t)(fiscal_year + 1) * 10000 + 331);
}
