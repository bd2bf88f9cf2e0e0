/*
 * shape.c -- values shaped like an identifier (identity.h).
 *
 * Where a value would be stored as it is -- a column kept as an observation
 * under <unmapped columns="observation"/> -- its column's name is judged
 * before the run (engine/steward/unmapped.c); this judges each value, for
 * columns whose name says nothing (備考, コメント).  Deterministic, per value,
 * no table, no allocation.  The shapes are few and narrow on purpose: a
 * false alarm rejects a record a steward then looks at; measurements,
 * dates, codes and ordinary comments must pass.
 */
#include <stdint.h>
#include <string.h>

#include "identity/identity.h"

/* The code point at s[*i] (UTF-8); a stray byte is returned as itself. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
	uint32_t c = s[*i];
	size_t n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0, k;
	if (n && *i + n >= len) { /* truncated: the byte alone */
		(*i)++;
		return c;
	}
	c &= n == 3 ? 0x07 : n == 2 ? 0x0F : n == 1 ? 0x1F : 0xFF;
	for (k = 1; k <= n; k++)
		c = (c << 6) | (s[*i + k] & 0x3F);
	*i += n + 1;
	return c;
}

/* 0-9 for a digit (ASCII or full-width), else -1. */
static int digit(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 0xFF10 && c <= 0xFF19)
		return (int)(c - 0xFF10);
	return -1;
}

/* Separators inside a written number: hyphens, dashes, minus, parentheses. */
static int number_sep(uint32_t c)
{
	return c == '-' || c == '(' || c == ')' || c == 0xFF0D || c == 0xFF08 || c == 0xFF09 ||
	       (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0x30FC;
}

static int katakana(uint32_t c)
{
	return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || (c >= 0xFF66 && c <= 0xFF9F);
}

static int space(uint32_t c)
{
	return c == ' ' || c == 0x3000;
}

/* What a finished run of `digits` digits from `first` looks like. */
static const char *run_shape(size_t digits, int first)
{
	if (first == 0 && digits >= 10 && digits <= 11)
		return "a phone number";
	return digits >= 9 ? "a long number (a card, 受診券 or phone number)" : NULL;
}

/* A run of digits and separators: a phone number (10 or 11 digits from a
 * leading 0) or any 9 digits or more (card, 受診券, phone numbers). */
static const char *number_shape(const unsigned char *s, size_t len)
{
	size_t i = 0, digits = 0;
	int first = -1;
	const char *why;
	while (i < len) {
		uint32_t c = next_cp(s, len, &i);
		int d = digit(c);
		if (d >= 0) {
			if (!digits)
				first = d;
			digits++;
		} else if (!digits || !number_sep(c)) {
			if ((why = run_shape(digits, first)))
				return why;
			digits = 0;
		}
	}
	return run_shape(digits, first);
}

static int mail_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* local@domain.tld anywhere in the text. */
static const char *mail_shape(const unsigned char *s, size_t len)
{
	size_t at;
	for (at = 1; at + 1 < len; at++) {
		size_t e = at + 1, dot = 0;
		if (s[at] != '@' || !mail_char(s[at - 1]))
			continue;
		while (e < len && mail_char(s[e])) {
			if (s[e] == '.' && e > at + 1 && e + 1 < len && mail_char(s[e + 1]) && s[e + 1] != '.')
				dot = e;
			e++;
		}
		if (dot)
			return "an e-mail address";
	}
	return NULL;
}

/* The whole value: two runs of katakana (2 or more each) and a space. */
static const char *kana_name_shape(const unsigned char *s, size_t len)
{
	size_t i = 0, part[2] = {0, 0};
	int p = 0, in_space = 0;
	while (i < len) {
		uint32_t c = next_cp(s, len, &i);
		if (katakana(c)) {
			if (in_space && ++p > 1)
				return NULL;
			in_space = 0;
			part[p]++;
		} else if (space(c) && part[0]) {
			in_space = 1;
		} else {
			return NULL;
		}
	}
	return p == 1 && !in_space && part[0] >= 2 && part[1] >= 2 ? "a kana name" : NULL;
}

const char *colink_identifier_shape(const char *value, size_t len)
{
	const unsigned char *s = (const unsigned char *)value;
	const char *why;
	if (!value || !len)
		return NULL;
	if ((why = number_shape(s, len)) || (why = mail_shape(s, len)))
		return why;
	return kana_name_shape(s, len);
}
