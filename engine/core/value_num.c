/*
 * value_num.c -- parsers for numeric source values: decimals (full-width
 * digits, thousands separators, censored "<5"), integers, the comparison
 * of decimal strings, and durations.  See value.h; dates and ages are in
 * value.c, the cursor and reasons they share in value_int.h.
 *
 * Pure functions over a byte span, no allocation.  Reasons written to
 * `why` are built only from constant text, never from the input.
 */
#include "core/value.h"
#include "core/value_int.h"

#include <stdio.h>
#include <string.h>

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
				return value_reject(why, whylen, "%s", group_reason);
			grouped = 1;
			group = 0;
			cur_skip(c);
		} else {
			break;
		}
	}
	if (grouped && group != 3)
		return value_reject(why, whylen, "%s", group_reason);
	return COLINK_OK;
}

static int lex_fraction(struct cur *c, struct num *n, char *why,
			size_t whylen)
{
	int d;
	while ((d = digit_of(cur_peek(c))) >= 0) {
		if (n->nfrac == NUM_MAX_FRAC)
			return value_reject(why, whylen,
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
		return value_reject(why, whylen, "more than one decimal point");
	if (is_group_sep(cp))
		return value_reject(why, whylen, "%s", group_reason);
	if (sign_of(cp))
		return value_reject(why, whylen, "misplaced sign");
	return value_reject(why, whylen, "unexpected text after the number");
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
			return value_reject(why, whylen, "more than one sign");
	}
	if ((rc = lex_int_part(c, n, why, whylen)) != COLINK_OK)
		return rc;
	if (is_point(cur_peek(c))) {
		if (!allow_point)
			return value_reject(why, whylen, "not an integer");
		n->point = 1;
		cur_skip(c);
		if ((rc = lex_fraction(c, n, why, whylen)) != COLINK_OK)
			return rc;
	}
	if (!n->ndigits && !n->nfrac)
		return value_reject(why, whylen, "not a number");
	if (n->point && !n->nfrac)
		return value_reject(why, whylen,
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
		return value_reject(why, whylen,
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

/* Every mark above starts with '<', '>' or a UTF-8 lead byte and ends
 * with a UTF-8 continuation byte: a value that starts or ends with any
 * other ASCII byte (a digit, nearly always) cannot carry one, and skips
 * the comparisons (each decimal went through all twelve: ~1 % of a
 * load's CPU, bench/RESULTS.md round 9). */
static int may_have_prefix(const struct cur *c)
{
	unsigned char b = c->i < c->len ? (unsigned char)c->s[c->i] : 0;
	return b >= 0x80 || b == '<' || b == '>';
}

static int may_have_suffix(const struct cur *c)
{
	return c->len > c->i && (unsigned char)c->s[c->len - 1] >= 0x80;
}

static char strip_prefix(struct cur *c)
{
	size_t i, l;
	if (!may_have_prefix(c))
		return 0;
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
	if (!may_have_suffix(c))
		return 0;
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
	return value_trimmed((const char *)c->s + c->i, c->len - c->i);
}

int colink_parse_decimal(const char *s, size_t len, int allow_censored,
			 char *out, size_t outlen, char *censor,
			 char *why, size_t whylen)
{
	struct cur c = value_trimmed(s, len);
	struct num n;
	char pre, post;
	int rc;

	if (censor)
		*censor = 0;
	if (cur_at_end(&c))
		return value_reject(why, whylen, "empty value");
	pre = strip_prefix(&c);
	post = strip_suffix(&c);
	if (pre && post)
		return value_reject(why, whylen, "conflicting censoring marks");
	if ((pre || post) && !allow_censored)
		return value_reject(why, whylen,
			      "censored value not allowed for this field");
	c = retrim(&c);
	if ((pre || post) && cur_at_end(&c))
		return value_reject(why, whylen, "censoring mark without a number");
	if ((rc = lex_number(&c, 1, &n, why, whylen)) != COLINK_OK)
		return rc;
	if (n.too_long || num_sig(&n) > NUM_MAX_SIG)
		return value_reject(why, whylen, "more than %d significant digits",
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
	struct cur c = value_trimmed(s, len);
	struct num n;
	uint64_t v;
	int rc;

	if (cur_at_end(&c))
		return value_reject(why, whylen, "empty value");
	if ((rc = lex_number(&c, 0, &n, why, whylen)) != COLINK_OK)
		return rc;
	if (num_uint(&n, n.neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &v))
		return value_reject(why, whylen, "integer out of range");
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
		return value_reject(why, whylen, "duration out of range");
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
		return value_reject(why, whylen, "negative duration");
	if (num_uint(&n, INT64_MAX, &v))
		return value_reject(why, whylen, "duration out of range");
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
		return value_reject(why, whylen, "negative duration");
	nh = read_digits(c, &h);
	if (nh < 1 || !(cur_take(c, ':') || cur_take(c, 0xFF1A)))
		return value_reject(why, whylen, "not a duration (expected h:mm)");
	if (read_digits(c, &m) != 2 || !cur_at_end(c))
		return value_reject(why, whylen, "not a duration (expected h:mm)");
	if (m > 59)
		return value_reject(why, whylen, "minutes out of range 00-59");
	if (nh > 18)
		return value_reject(why, whylen, "duration out of range");
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
	struct cur c = value_trimmed(s, len);
	int64_t v = 0;
	int rc;

	if (cur_at_end(&c))
		return value_reject(why, whylen, "empty value");
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
		return value_reject(why, whylen, "unknown duration format");
	}
	if (rc == COLINK_OK && minutes)
		*minutes = v;
	return rc;
}
