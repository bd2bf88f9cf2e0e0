/*
 * uke_layout.c -- in_receipt: record layout, 和暦/西暦 dates and numbers.
 *
 * The field positions are those of the 記録条件仕様 (医科) as compiled in
 * docs/claims.md from two independent open-source readers; the official
 * PDF was not checked line by line, so every position is a default that
 * the mapping's `layout` setting can override, record by record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uke.h"

static const char *const rec_names[R_NREC] = {
	[R_IR] = "IR", [R_RE] = "RE", [R_HO] = "HO", [R_KO] = "KO", [R_SN] = "SN",
	[R_SY] = "SY", [R_SI] = "SI", [R_IY] = "IY", [R_TO] = "TO",
};

static const char *const attr_names[A_NATTR] = {
	[A_PAYER] = "payer", [A_PREF] = "prefecture", [A_TABLE] = "table",
	[A_INSTITUTION] = "institution", [A_BILLING_MONTH] = "billing_month",
	[A_RECEIPT_NO] = "receipt_no", [A_RECEIPT_TYPE] = "receipt_type",
	[A_MONTH] = "month", [A_NAME] = "name", [A_SEX] = "sex", [A_BIRTH] = "birth",
	[A_KANA] = "kana", [A_INSURER] = "insurer", [A_SYMBOL] = "symbol",
	[A_NUMBER] = "number", [A_BRANCH] = "branch", [A_DAYS] = "days",
	[A_POINTS] = "points", [A_CODE] = "code", [A_START] = "start",
	[A_OUTCOME] = "outcome", [A_MODIFIER] = "modifier", [A_MAIN] = "main",
	[A_GROUP] = "group", [A_QUANTITY] = "quantity", [A_TIMES] = "times",
};

int uke_rec_type(const char *id)
{
	int i;
	for (i = 0; i < R_NREC; i++)
		if (!strcmp(id, rec_names[i]))
			return i;
	return -1;
}

const char *uke_rec_name(int rec)
{
	return rec >= 0 && rec < R_NREC ? rec_names[rec] : "?";
}

const char *uke_attr_name(int attr)
{
	return attr >= 0 && attr < A_NATTR ? attr_names[attr] : "?";
}

void uke_layout_default(struct uke_layout *l)
{
	static const struct { int rec, attr; unsigned pos; } d[] = {
		{ R_IR, A_PAYER, 2 }, { R_IR, A_PREF, 3 }, { R_IR, A_TABLE, 4 },
		{ R_IR, A_INSTITUTION, 5 }, { R_IR, A_BILLING_MONTH, 8 },
		{ R_RE, A_RECEIPT_NO, 2 }, { R_RE, A_RECEIPT_TYPE, 3 },
		{ R_RE, A_MONTH, 4 }, { R_RE, A_NAME, 5 }, { R_RE, A_SEX, 6 },
		{ R_RE, A_BIRTH, 7 }, { R_RE, A_KANA, 37 },
		{ R_HO, A_INSURER, 2 }, { R_HO, A_SYMBOL, 3 }, { R_HO, A_NUMBER, 4 },
		{ R_HO, A_DAYS, 5 }, { R_HO, A_POINTS, 6 },
		{ R_KO, A_INSURER, 2 }, { R_KO, A_DAYS, 5 }, { R_KO, A_POINTS, 6 },
		{ R_SN, A_INSURER, 4 }, { R_SN, A_SYMBOL, 5 }, { R_SN, A_NUMBER, 6 },
		{ R_SN, A_BRANCH, 7 },
		{ R_SY, A_CODE, 2 }, { R_SY, A_START, 3 }, { R_SY, A_OUTCOME, 4 },
		{ R_SY, A_MODIFIER, 5 }, { R_SY, A_MAIN, 7 },
		{ R_SI, A_GROUP, 2 }, { R_SI, A_CODE, 4 }, { R_SI, A_QUANTITY, 5 },
		{ R_SI, A_POINTS, 6 }, { R_SI, A_TIMES, 7 },
		{ R_IY, A_GROUP, 2 }, { R_IY, A_CODE, 4 }, { R_IY, A_QUANTITY, 5 },
		{ R_IY, A_POINTS, 6 }, { R_IY, A_TIMES, 7 },
		{ R_TO, A_GROUP, 2 }, { R_TO, A_CODE, 4 }, { R_TO, A_QUANTITY, 5 },
		{ R_TO, A_POINTS, 6 }, { R_TO, A_TIMES, 7 },
	};
	size_t i;
	memset(l, 0, sizeof(*l));
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		l->pos[d[i].rec][d[i].attr] = d[i].pos;
}

/* One "name=N" (or "name=0" to drop it) of record rec. */
static int layout_one(struct uke_layout *l, int rec, const char *s, size_t n,
		      char *why, size_t whylen)
{
	const char *eq = memchr(s, '=', n);
	char *end;
	long v;
	int a;
	if (!eq)
		goto bad;
	for (a = 0; a < A_NATTR; a++)
		if (strlen(attr_names[a]) == (size_t)(eq - s) &&
		    !memcmp(attr_names[a], s, (size_t)(eq - s)))
			break;
	if (a == A_NATTR) {
		snprintf(why, whylen, "layout: %s: unknown field name", rec_names[rec]);
		return -1;
	}
	if (eq + 1 == s + n || eq[1] < '0' || eq[1] > '9')
		goto bad;
	v = strtol(eq + 1, &end, 10);
	if (end != s + n || v < 0 || v > 1000 || v == 1)
		goto bad;
	l->pos[rec][a] = (unsigned)v;
	return 0;
bad:
	snprintf(why, whylen,
		 "layout: %s: each entry is name=N with N from 2 to 1000 (0 drops the field)",
		 rec_names[rec]);
	return -1;
}

int uke_layout_parse(struct uke_layout *l, const char *spec, char *why, size_t whylen)
{
	const char *p = spec;
	while (p && *p) {
		const char *semi = strchr(p, ';'), *end = semi ? semi : p + strlen(p);
		const char *q;
		char id[3];
		int rec;
		if (end - p < 3 || p[2] != ':') {
			snprintf(why, whylen, "layout: each part is XX:name=N,... separated by ';'");
			return -1;
		}
		memcpy(id, p, 2);
		id[2] = '\0';
		rec = uke_rec_type(id);
		if (rec < 0) {
			snprintf(why, whylen, "layout: record type %s has no layout (IR RE HO KO SN SY SI IY TO)", id);
			return -1;
		}
		for (q = p + 3; q < end;) {
			const char *c = memchr(q, ',', (size_t)(end - q));
			const char *e = c ? c : end;
			if (layout_one(l, rec, q, (size_t)(e - q), why, whylen))
				return -1;
			q = c ? c + 1 : end;
		}
		p = semi ? semi + 1 : NULL;
	}
	return 0;
}

int uke_eras_parse(struct uke_eras *e, const char *spec, char *why, size_t whylen)
{
	const char *p = spec;
	memset(e, 0, sizeof(*e));
	while (*p) {
		if (p[0] < '0' || p[0] > '9' || p[1] != '=' || !strchr("MTSHR", p[2]) || !p[2] ||
		    (p[3] && p[3] != ',')) {
			snprintf(why, whylen,
				 "era_codes: each entry is D=E, D a digit and E one of M T S H R, comma separated");
			return -1;
		}
		e->letter[p[0] - '0'] = p[2];
		p += p[3] ? 4 : 3;
	}
	return 0;
}

/* The eras: letter, first day, last day (yyyymmdd). */
static const struct { int letter; int32_t from, to; int year0; } eras[] = {
	{ 'M', 18680125, 19120729, 1867 },
	{ 'T', 19120730, 19261224, 1911 },
	{ 'S', 19261225, 19890107, 1925 },
	{ 'H', 19890108, 20190430, 1988 },
	{ 'R', 20190501, 99991231, 2018 },
};

static int digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	size_t i;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int month_days(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

int uke_date(const struct uke_eras *e, const char *s, int month_only, int32_t *ymd)
{
	size_t n = strlen(s), i;
	int y, m, d = 1, letter = 0;
	int32_t v, mend, mstart;
	if (!digits(s, n))
		return -1;
	if (n == (month_only ? 6u : 8u)) {
		y = num(s, 4);
		m = num(s + 4, 2);
		if (!month_only)
			d = num(s + 6, 2);
		if (y < 1868)
			return -1;
	} else if (n == (month_only ? 5u : 7u)) {
		letter = e->letter[s[0] - '0'];
		for (i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
			if (eras[i].letter == letter)
				break;
		if (!letter || i == sizeof(eras) / sizeof(eras[0]))
			return -1;
		y = num(s + 1, 2);
		if (y < 1)
			return -1;
		y += eras[i].year0;
		m = num(s + 3, 2);
		if (!month_only)
			d = num(s + 5, 2);
		if (m < 1 || m > 12)
			return -1;
		/* the era must cover the date; a month, some day of it */
		mend = (int32_t)(y * 10000 + m * 100 + month_days(y, m));
		mstart = (int32_t)(y * 10000 + m * 100 + 1);
		v = (int32_t)(y * 10000 + m * 100 + d);
		if (month_only ? (mend < eras[i].from || mstart > eras[i].to)
			       : (v < eras[i].from || v > eras[i].to))
			return -1;
	} else
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return -1;
	*ymd = (int32_t)(y * 10000 + m * 100 + d);
	return 0;
}

int uke_uint(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	int64_t v = 0;
	size_t i;
	if (!n || n > 12 || !digits(s, n))
		return -1;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	*out = v;
	return 0;
}

int uke_decimal(const char *s)
{
	size_t n = strlen(s), i, dots = 0;
	if (!n || n > 15 || s[0] == '.' || s[n - 1] == '.')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	return dots <= 1 ? 0 : -1;
}
