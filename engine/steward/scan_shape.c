/*
 * scan_shape.c -- might a column identify a person, by its values alone?
 * (`colink scan`, see scan.h and scan_int.h)
 *
 * Used for columns with no name to go by, and for columns named as
 * something else: kana names, and digit strings of an identifier's length
 * with about one value per person, are not shown whatever the header says.  The "shown only when it occurs
 * at least 5 times" rule does not protect a file with several rows per
 * person (a monthly attendance export repeats each employee number twelve
 * times), so counting is not enough: the shape and the number of distinct
 * values relative to the number of persons decide.
 */
#include "steward/scan_int.h"

/* Digit strings of an identifier's length: employee, card, insurer,
 * 受診券 numbers (5 digits and more, or 4 with leading zeros). */
static int id_digits(const struct colink_scan_column *c, uint64_t n)
{
	if (c->type == COLINK_SCAN_DATE || c->n_digits * 10 < n * 9)
		return 0;
	return c->min_len >= 5 || (c->min_len >= 4 && c->n_leading_zero);
}

/* Kana-only text with many distinct values: names (テスト イチロウ). */
static int kana_names(const struct colink_scan_column *c, uint64_t n, uint64_t persons)
{
	if (c->n_kana * 10 < n * 9)
		return 0;
	return c->overflow || c->distinct >= 10 || (persons && c->distinct * 2 > persons);
}

/* Every distinct value about equally frequent, at least five of them:
 * one value per person, repeated per month or per exam. */
static int per_person(const struct colink_scan_column *c)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t i, slots;
	if (!c->tab || c->overflow || c->distinct < 5)
		return 0;
	for (slots = 1; slots < 2 * c->cap; slots <<= 1)
		;
	for (i = 0; i < slots; i++) {
		uint64_t k = c->tab[i].count;
		if (!k)
			continue;
		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
	}
	return lo >= 2 && hi <= 2 * lo;
}

int scan_shape_is_identifier(const struct colink_scan_column *c, uint64_t persons)
{
	uint64_t n = c->values - c->nullwords;
	int32_t a, b;
	if (!n || c->type == COLINK_SCAN_EMPTY)
		return 0;
	if (c->field || c->ncand) {
		/* named as something else: trusted, unless the values look like
		 * one identifier per person (a 健診機関番号 repeated is shown) */
		if (kana_names(c, n, persons))
			return 1;
		return id_digits(c, n) &&
		       (c->overflow || c->distinct * 2 > n || (persons && c->distinct * 2 > persons));
	}
	if (id_digits(c, n) || kana_names(c, n, persons))
		return 1;
	if (c->type == COLINK_SCAN_DECIMAL)
		return 0; /* measurements */
	if (c->type == COLINK_SCAN_DATE) {
		/* birth dates: over decades, or mostly distinct per person */
		a = c->date_min[c->date_format] / 10000;
		b = c->date_max[c->date_format] / 10000;
		return b - a >= 15 || c->overflow || c->distinct * 2 > n ||
		       (persons && c->distinct * 2 > persons);
	}
	if (c->overflow || c->distinct * 2 > n || c->type == COLINK_SCAN_TEXT)
		return 1;
	if (persons && c->distinct * 2 > persons)
		return 1; /* about one value per person */
	return per_person(c);
}
