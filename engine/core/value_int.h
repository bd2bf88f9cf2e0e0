/*
 * value_int.h -- what the value parsers share (engine-internal): the
 * code-point cursor, the rejection helper and the trimming of a span.
 * value.c (dates, ages) and value_num.c (decimals, integers, durations)
 * include it; nothing else should.
 *
 * The cursor functions are static inline: the parsers call them for every
 * code point, so they stay as fast as when both halves were one file.
 */
#ifndef COLINK_VALUE_INT_H
#define COLINK_VALUE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/value.h"

/* Internal result of a grammar step: the input does not have the shape of
 * the format at all.  The public entry point turns it into one reason per
 * format, so that callers see "expected ..." rather than a detail. */
#define SYNTAX 2 /* distinct from COLINK_REJECTED (1) */

/* COLINK_REJECTED, with the printf-style reason in why[whylen] (when given),
 * cut at a UTF-8 boundary when it does not fit.  The format and arguments
 * must be constant text: a reason never repeats the input. */
int value_reject(char *why, size_t whylen, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

#define CP_END (-1) /* end of input */
#define CP_BAD (-2) /* invalid UTF-8 */

struct cur {
	const unsigned char *s;
	size_t len;
	size_t i;
};

/* Decode one code point from s[0..len); *n gets its byte length.  Rejects
 * overlong forms, surrogates and values above U+10FFFF. */
static inline int32_t u8_decode(const unsigned char *s, size_t len, size_t *n)
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

static inline int32_t cur_peek(const struct cur *c)
{
	size_t n;
	if (c->i >= c->len)
		return CP_END;
	return u8_decode(c->s + c->i, c->len - c->i, &n);
}

static inline void cur_skip(struct cur *c)
{
	size_t n;
	if (c->i < c->len) {
		u8_decode(c->s + c->i, c->len - c->i, &n);
		c->i += n;
	}
}

/* Consume `cp` if it is next; 1 when consumed. */
static inline int cur_take(struct cur *c, int32_t cp)
{
	if (cur_peek(c) != cp)
		return 0;
	cur_skip(c);
	return 1;
}

static inline int cur_at_end(const struct cur *c)
{
	return c->i >= c->len;
}

/* 0-9 for an ASCII or full-width digit, else -1. */
static inline int digit_of(int32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return cp - '0';
	if (cp >= 0xFF10 && cp <= 0xFF19)
		return cp - 0xFF10;
	return -1;
}

/* Read a run of digits.  Returns how many; *v gets the value of the first
 * 18 of them (enough for any field here; callers check the count). */
static inline size_t read_digits(struct cur *c, uint64_t *v)
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

/* The span s[0..len) without leading and trailing ASCII spaces and U+3000. */
struct cur value_trimmed(const char *s, size_t len);

#endif
