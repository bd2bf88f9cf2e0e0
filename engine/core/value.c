/*
 * value.c -- parsers for source values: dates (ISO, YYYYMMDD, 和暦),
 * decimals, integers and durations, plus age arithmetic.  See value.h.
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

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Reasons                                                              */
/* ------------------------------------------------------------------ */

/* Internal result of a grammar step: the input does not have the shape of
 * the format at all.  The public entry point turns it into one reason per
 * format, so that callers see "expected ..." rather than a detail. */
#define SYNTAX 1

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int reject(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	int w;
	size_t n, j;

	if (!why || !whylen)
		return COLINK_EREJECT;
	va_start(ap, fmt);
	w = vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w < whylen)
		return COLINK_EREJECT;
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
	return COLINK_EREJECT;
}

/* ------------------------------------------------------------------ */
/* Code points                                                          */
/* ------------------------------------------------------------------ */

#define CP_END (-1) /* end of input */
#define CP_BAD (-2) /* invalid UTF-8 */

#define CP_YEAR 0x5E74  /* 年 */
#define CP_MONTH 0x6708 /* 月 */
#define CP_DAY 0x65E5   /* 日 */
#define CP_GAN 0x5143   /* 元 (first year of an era) */

struct cur {
	const unsigned char *s;
	size_t len;
	size_t i;
};

/* Decode one code point from s[0..len); *n gets its byte length.  Rejects
 * overlong forms, surrogates and values above U+10FFFF. */
static int32_t u8_decode(const unsigned char *s, size_t len, size_t *n)
{
	uint32_t cp;
	size_t k, need;

	*n = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 1;
		cp = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 2;
		cp = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 3;
		cp = s[0] & 0x07u;
	} else {
		return CP_BAD;
	}
	if (len <= need)
		return CP_BAD;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return CP_BAD;
		cp = (cp << 6) | (s[k] & 0x3Fu);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return CP_BAD;
	*n = need + 1;
	return (int32_t)cp;
}

static int32_t cur_peek(const struct cur *c)
{
	size_t n;
	if (c->i >= c->len)
		return CP_END;
	return u8_decode(c->s + c->i, c->len - c->i, &n);
}

static void cur_skip(struct cur *c)
{
	size_t n;
	if (c->i < c->len) {
		u8_decode(c->s + c->i, c->len - c->i, &n);
		c->i += n;
	}
}

/* Consume `cp` if it is next; 1 when consumed. */
static int cur_take(struct cur *c, int32_t cp)
{
	if (cur_peek(c) != cp)
		return 0;
	cur_skip(c);
	return 1;
}

static int cur_at_end(const struct cur *c)
{
	return c->i >= c->len;
}

/* 0-9 for an ASCII or full-width digit, else -1. */
static int digit_of(int32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return cp - '0';
	if (cp >= 0xFF10 && cp <= 0xFF19)
		return cp - 0xFF10;
	return -1;
}

/* Read a run of digits.  Returns how many; *v gets the value of the first
 * 18 of them (enough for any field here; callers check the count). */
static size_t read_digits(struct cur *c, uint64_t *v)
{
	size_t n = 0;
	int d;

	*v = 0;
	while ((d = digit_of(cur_peek(c))) >= 0) {
		if (n < 18)
			*v = *v * 10 + (uint64_t)d;
		n++;
		cur_skip(c);
	}
	return n;
}

static int is_ascii_space(unsigned char b)
{
	return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\v' ||
	       b == '\f';
}

/* Drop leading and trailing ASCII spaces and U+3000 (E3 80 80).  A trailing
 * E3 80 80 is always a whole U+3000: E3 cannot be a continuation byte. */
static struct cur trimmed(const char *s, size_t len)
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
		return reject(why, whylen, "year outside %d-%d", YEAR_MIN,
			      YEAR_MAX);
	if (m < 1 || m > 12)
		return reject(why, whylen, "month out of range 1-12");
	if (d < 1 || d > 31)
		return reject(why, whylen, "day out of range 1-31");
	if (d > (uint64_t)days_in_month((int)y, (int)m))
		return reject(why, whylen,
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
		return reject(why, whylen, "era year 0 does not exist");
	y = (uint64_t)(eras[e].first / 10000) + ey - 1;
	if ((rc = check_ymd(y, m, d, why, whylen)) != COLINK_OK)
		return rc;
	v = ymd(y, m, d);
	if (v < eras[e].first)
		return reject(why, whylen, "%s began on %s", eras[e].name,
			      eras[e].first_text);
	if (eras[e].last && v > eras[e].last)
		return reject(why, whylen, "%s ended on %s", eras[e].name,
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
	struct cur c = trimmed(s, len);
	int32_t v = 0;
	int rc, f = format;
	const char *expect;

	if (cur_at_end(&c))
		return reject(why, whylen, "empty value");
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
		return reject(why, whylen, "unknown date format");
	}
	if (rc == SYNTAX && format == COLINK_DATE_AUTO)
		expect = "YYYYMMDD, YYYY-MM-DD, YYYY/MM/DD or 和暦";
	if (rc == SYNTAX)
		return reject(why, whylen, "not a date (expected %s)", expect);
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
/* Numbers                                                              */
/* ------------------------------------------------------------------ */

#define NUM_MAX_SIG 30  /* significant digits a decimal may carry */
#define NUM_MAX_FRAC 60 /* fraction digits, leading zeros included */

/* A lexed number: digits only, as ASCII. */
struct num {
	int neg;                  /* a minus sign was given */
	int point;                /* a decimal point was given */
	int too_long;             /* more than NUM_MAX_SIG integer digits */
	size_t ndigits;           /* integer digits given, zeros included */
	size_t nint, nfrac;       /* digits stored in ip / fp */
	char ip[NUM_MAX_SIG + 1]; /* integer digits, leading zeros dropped */
	char fp[NUM_MAX_FRAC + 1];/* fraction digits as given */
};

static int sign_of(int32_t cp)
{
	if (cp == '+' || cp == 0xFF0B)
		return 1;
	if (cp == '-' || cp == 0xFF0D || cp == 0x2212)
		return -1;
	return 0;
}

static int is_point(int32_t cp)
{
	return cp == '.' || cp == 0xFF0E;
}

static int is_group_sep(int32_t cp)
{
	return cp == ',' || cp == 0xFF0C;
}

static const char group_reason[] =
	"thousands separators must separate groups of three digits";

/* The integer part, with optional thousands separators: the first group
 * one to three digits not starting with 0 (so "0,500" is not read as 500),
 * every later group exactly three. */
static int lex_int_part(struct cur *c, struct num *n, char *why,
			size_t whylen)
{
	size_t group = 0;
	int grouped = 0, lead_zero = 0, d;
	int32_t cp;

	for (;;) {
		cp = cur_peek(c);
		if ((d = digit_of(cp)) >= 0) {
			if (n->ndigits++ == 0 && d == 0)
				lead_zero = 1;
			group++;
			cur_skip(c);
			if (n->nint == 0 && d == 0)
				continue;
			if (n->nint == NUM_MAX_SIG)
				n->too_long = 1;
			else
				n->ip[n->nint++] = (char)('0' + d);
		} else if (is_group_sep(cp)) {
			if (!group || lead_zero || (grouped && group != 3) ||
			    group > 3)
				return reject(why, whylen, "%s", group_reason);
			grouped = 1;
			group = 0;
			cur_skip(c);
		} else {
			break;
		}
	}
	if (grouped && group != 3)
		return reject(why, whylen, "%s", group_reason);
	return COLINK_OK;
}

static int lex_fraction(struct cur *c, struct num *n, char *why,
			size_t whylen)
{
	int d;
	while ((d = digit_of(cur_peek(c))) >= 0) {
		if (n->nfrac == NUM_MAX_FRAC)
			return reject(why, whylen,
				      "more than %d fraction digits",
				      NUM_MAX_FRAC);
		n->fp[n->nfrac++] = (char)('0' + d);
		cur_skip(c);
	}
	return COLINK_OK;
}

/* What follows a complete number, when it is not the end. */
static int trailing_reason(int32_t cp, char *why, size_t whylen)
{
	if (is_point(cp))
		return reject(why, whylen, "more than one decimal point");
	if (is_group_sep(cp))
		return reject(why, whylen, "%s", group_reason);
	if (sign_of(cp))
		return reject(why, whylen, "misplaced sign");
	return reject(why, whylen, "unexpected text after the number");
}

/* [sign] digits [point digits], the whole of c. */
static int lex_number(struct cur *c, int allow_point, struct num *n,
		      char *why, size_t whylen)
{
	int sign = sign_of(cur_peek(c)), rc;

	memset(n, 0, sizeof(*n));
	if (sign) {
		n->neg = sign < 0;
		cur_skip(c);
		if (sign_of(cur_peek(c)))
			return reject(why, whylen, "more than one sign");
	}
	if ((rc = lex_int_part(c, n, why, whylen)) != COLINK_OK)
		return rc;
	if (is_point(cur_peek(c))) {
		if (!allow_point)
			return reject(why, whylen, "not an integer");
		n->point = 1;
		cur_skip(c);
		if ((rc = lex_fraction(c, n, why, whylen)) != COLINK_OK)
			return rc;
	}
	if (!n->ndigits && !n->nfrac)
		return reject(why, whylen, "not a number");
	if (n->point && !n->nfrac)
		return reject(why, whylen,
			      "no digits after the decimal point");
	if (!cur_at_end(c))
		return trailing_reason(cur_peek(c), why, whylen);
	return COLINK_OK;
}

/* Significant digits: from the first non-zero digit to the last given. */
static size_t num_sig(const struct num *n)
{
	size_t z = 0;
	if (n->nint)
		return n->nint + n->nfrac;
	while (z < n->nfrac && n->fp[z] == '0')
		z++;
	return n->nfrac - z;
}

static int num_is_zero(const struct num *n)
{
	return !n->nint && num_sig(n) == 0;
}

/* The integer part as int64 magnitude check: COLINK_OK or -1 when it does
 * not fit in [0, limit]. */
static int num_uint(const struct num *n, uint64_t limit, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n->too_long || n->nint > 19)
		return -1;
	for (i = 0; i < n->nint; i++) {
		uint64_t d = (uint64_t)(n->ip[i] - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return COLINK_OK;
}

static int write_canonical(const struct num *n, char *out, size_t outlen,
			   char *why, size_t whylen)
{
	int neg = n->neg && !num_is_zero(n);
	size_t need = (size_t)neg + (n->nint ? n->nint : 1) +
		      (n->point ? 1 + n->nfrac : 0) + 1, k = 0;

	if (!out || need > outlen)
		return reject(why, whylen,
			      "number too long for the output buffer");
	if (neg)
		out[k++] = '-';
	if (n->nint) {
		memcpy(out + k, n->ip, n->nint);
		k += n->nint;
	} else {
		out[k++] = '0';
	}
	if (n->point) {
		out[k++] = '.';
		memcpy(out + k, n->fp, n->nfrac);
		k += n->nfrac;
	}
	out[k] = '\0';
	return COLINK_OK;
}

/* Censoring marks before the number ("<", "＜", "≦", "≤", each optionally
 * followed by "=", and the '>' family) or after it (未満, 以下 -> '<';
 * 以上, 超 -> '>').  "≦5" / "5以下" include the bound: they are mapped to
 * '<' on purpose, the conservative reading for a censored measurement. */
static const struct mark {
	const char *text;
	char censor;
} prefixes[] = {
	{ "<", '<' }, { "＜", '<' }, { "≦", '<' }, { "≤", '<' },
	{ ">", '>' }, { "＞", '>' }, { "≧", '>' }, { "≥", '>' },
}, suffixes[] = {
	{ "未満", '<' }, { "以下", '<' }, { "以上", '>' }, { "超", '>' },
};

static char strip_prefix(struct cur *c)
{
	size_t i, l;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		l = strlen(prefixes[i].text);
		if (c->len - c->i >= l &&
		    !memcmp(c->s + c->i, prefixes[i].text, l)) {
			c->i += l;
			if (!cur_take(c, '='))
				cur_take(c, 0xFF1D);
			return prefixes[i].censor;
		}
	}
	return 0;
}

static char strip_suffix(struct cur *c)
{
	size_t i, l;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		l = strlen(suffixes[i].text);
		if (c->len - c->i >= l &&
		    !memcmp(c->s + c->len - l, suffixes[i].text, l)) {
			c->len -= l;
			return suffixes[i].censor;
		}
	}
	return 0;
}

/* Re-trim the span that is left after a censoring mark: "< 5", "5 未満". */
static struct cur retrim(const struct cur *c)
{
	return trimmed((const char *)c->s + c->i, c->len - c->i);
}

int colink_parse_decimal(const char *s, size_t len, int allow_censored,
			 char *out, size_t outlen, char *censor,
			 char *why, size_t whylen)
{
	struct cur c = trimmed(s, len);
	struct num n;
	char pre, post;
	int rc;

	if (censor)
		*censor = 0;
	if (cur_at_end(&c))
		return reject(why, whylen, "empty value");
	pre = strip_prefix(&c);
	post = strip_suffix(&c);
	if (pre && post)
		return reject(why, whylen, "conflicting censoring marks");
	if ((pre || post) && !allow_censored)
		return reject(why, whylen,
			      "censored value not allowed for this field");
	c = retrim(&c);
	if ((pre || post) && cur_at_end(&c))
		return reject(why, whylen, "censoring mark without a number");
	if ((rc = lex_number(&c, 1, &n, why, whylen)) != COLINK_OK)
		return rc;
	if (n.too_long || num_sig(&n) > NUM_MAX_SIG)
		return reject(why, whylen, "more than %d significant digits",
			      NUM_MAX_SIG);
	if ((rc = write_canonical(&n, out, outlen, why, whylen)) != COLINK_OK)
		return rc;
	if (censor)
		*censor = pre ? pre : post;
	return COLINK_OK;
}

int colink_parse_int(const char *s, size_t len, int64_t *out, char *why,
		     size_t whylen)
{
	struct cur c = trimmed(s, len);
	struct num n;
	uint64_t v;
	int rc;

	if (cur_at_end(&c))
		return reject(why, whylen, "empty value");
	if ((rc = lex_number(&c, 0, &n, why, whylen)) != COLINK_OK)
		return rc;
	if (num_uint(&n, n.neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &v))
		return reject(why, whylen, "integer out of range");
	if (out) {
		if (!n.neg)
			*out = (int64_t)v;
		else if (v > (uint64_t)INT64_MAX)
			*out = INT64_MIN;
		else
			*out = -(int64_t)v;
	}
	return COLINK_OK;
}

/* Compare two digit strings of equal meaning-width: int parts without
 * leading zeros, fractions without trailing zeros. */
struct dec {
	int sign;              /* -1, 0, 1 */
	const char *ip, *fp;
	size_t nint, nfrac;
};

static struct dec dec_split(const char *s)
{
	struct dec d = { 1, NULL, NULL, 0, 0 };
	if (*s == '-' || *s == '+') {
		d.sign = *s == '-' ? -1 : 1;
		s++;
	}
	while (*s == '0')
		s++;
	d.ip = s;
	while (d.ip[d.nint] >= '0' && d.ip[d.nint] <= '9')
		d.nint++;
	d.fp = d.ip + d.nint + (d.ip[d.nint] == '.');
	while (d.fp[d.nfrac] >= '0' && d.fp[d.nfrac] <= '9')
		d.nfrac++;
	while (d.nfrac && d.fp[d.nfrac - 1] == '0')
		d.nfrac--;
	if (!d.nint && !d.nfrac)
		d.sign = 0;
	return d;
}

int colink_decimal_cmp(const char *a, const char *b)
{
	struct dec x, y;
	size_t i, n;
	int mag = 0;

	if (!a || !b)
		return (a != NULL) - (b != NULL);
	x = dec_split(a);
	y = dec_split(b);
	if (x.sign != y.sign)
		return x.sign < y.sign ? -1 : 1;
	if (x.nint != y.nint) {
		mag = x.nint < y.nint ? -1 : 1;
	} else {
		mag = memcmp(x.ip, y.ip, x.nint);
		n = x.nfrac > y.nfrac ? x.nfrac : y.nfrac;
		for (i = 0; !mag && i < n; i++) {
			char cx = i < x.nfrac ? x.fp[i] : '0';
			char cy = i < y.nfrac ? y.fp[i] : '0';
			mag = (cx > cy) - (cx < cy);
		}
	}
	mag = (mag > 0) - (mag < 0);
	return x.sign * mag;
}

/* ------------------------------------------------------------------ */
/* Durations                                                            */
/* ------------------------------------------------------------------ */

int colink_duration_format_from_name(const char *name)
{
	if (!name)
		return -1;
	if (!strcmp(name, "minutes"))
		return COLINK_DUR_MINUTES;
	if (!strcmp(name, "hours"))
		return COLINK_DUR_HOURS;
	if (!strcmp(name, "h:mm"))
		return COLINK_DUR_HMM;
	if (!strcmp(name, "auto"))
		return COLINK_DUR_AUTO;
	return -1;
}

/* 0.fp hours in minutes, rounded half up, without floating point: the
 * fraction digits times 60, digit by digit from the right; what carries
 * out of the first digit is whole minutes, the first product digit decides
 * the rounding. */
static int64_t fraction_minutes(const char *fp, size_t n)
{
	unsigned carry = 0, first = 0, v;
	size_t i;

	for (i = n; i-- > 0;) {
		v = (unsigned)(fp[i] - '0') * 60 + carry;
		first = v % 10;
		carry = v / 10;
	}
	return (int64_t)carry + (n && first >= 5);
}

static int hours_to_minutes(uint64_t h, uint64_t extra, int64_t *minutes,
			    char *why, size_t whylen)
{
	if (h > ((uint64_t)INT64_MAX - extra) / 60)
		return reject(why, whylen, "duration out of range");
	*minutes = (int64_t)(h * 60 + extra);
	return COLINK_OK;
}

static int dur_number(struct cur *c, int format, int64_t *minutes,
		      char *why, size_t whylen)
{
	struct num n;
	uint64_t v;
	int rc = lex_number(c, format == COLINK_DUR_HOURS, &n, why, whylen);

	if (rc != COLINK_OK)
		return rc;
	if (n.neg)
		return reject(why, whylen, "negative duration");
	if (num_uint(&n, INT64_MAX, &v))
		return reject(why, whylen, "duration out of range");
	if (format == COLINK_DUR_MINUTES) {
		*minutes = (int64_t)v;
		return COLINK_OK;
	}
	return hours_to_minutes(v, (uint64_t)fraction_minutes(n.fp, n.nfrac),
				minutes, why, whylen);
}

/* h:mm with any number of hour digits and exactly two minute digits. */
static int dur_hmm(struct cur *c, int64_t *minutes, char *why,
		   size_t whylen)
{
	uint64_t h, m;
	size_t nh;

	if (sign_of(cur_peek(c)) < 0)
		return reject(why, whylen, "negative duration");
	nh = read_digits(c, &h);
	if (nh < 1 || !(cur_take(c, ':') || cur_take(c, 0xFF1A)))
		return reject(why, whylen, "not a duration (expected h:mm)");
	if (read_digits(c, &m) != 2 || !cur_at_end(c))
		return reject(why, whylen, "not a duration (expected h:mm)");
	if (m > 59)
		return reject(why, whylen, "minutes out of range 00-59");
	if (nh > 18)
		return reject(why, whylen, "duration out of range");
	return hours_to_minutes(h, m, minutes, why, whylen);
}

static int has_colon(const struct cur *c)
{
	struct cur t = *c;
	int32_t cp;
	while ((cp = cur_peek(&t)) != CP_END) {
		if (cp == ':' || cp == 0xFF1A)
			return 1;
		cur_skip(&t); /* one byte for invalid UTF-8 */
	}
	return 0;
}

int colink_parse_duration(const char *s, size_t len, int format,
			  int64_t *minutes, char *why, size_t whylen)
{
	struct cur c = trimmed(s, len);
	int64_t v = 0;
	int rc;

	if (cur_at_end(&c))
		return reject(why, whylen, "empty value");
	if (format == COLINK_DUR_AUTO)
		format = has_colon(&c) ? COLINK_DUR_HMM : COLINK_DUR_HOURS;
	switch (format) {
	case COLINK_DUR_MINUTES:
	case COLINK_DUR_HOURS:
		rc = dur_number(&c, format, &v, why, whylen);
		break;
	case COLINK_DUR_HMM:
		rc = dur_hmm(&c, &v, why, whylen);
		break;
	default:
		return reject(why, whylen, "unknown duration format");
	}
	if (rc == COLINK_OK && minutes)
		*minutes = v;
	return rc;
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
