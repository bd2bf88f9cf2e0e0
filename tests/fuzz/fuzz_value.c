/*
 * fuzz_value.c -- libFuzzer target for the source-value parsers of
 * engine/core/value.h: dates in every format (ISO, YYYYMMDD, 和暦, YYYYMM,
 * auto), decimals with and without censoring, integers and durations, on
 * the raw bytes (not NUL-terminated: ASan sees any over-read).
 *
 * Invariants beyond "no crash": a parser returns COLINK_OK or
 * COLINK_REJECTED; a reject has a NUL-terminated reason that never repeats
 * the input; an accepted date is a calendar date the age and fiscal-year
 * helpers accept; a canonical decimal is plain ASCII digits with at most
 * one '-' and one '.', equal to itself under colink_decimal_cmp; a too
 * small output buffer is never overrun.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "core/value.h"

#define WHY 160

static void check_rc(int rc, const char *why, const uint8_t *in, size_t len)
{
	if (rc != COLINK_OK && rc != COLINK_REJECTED)
		fuzz_fail("a parser returned neither OK nor REJECT");
	if (rc == COLINK_OK)
		return;
	if (!memchr(why, '\0', WHY) || !why[0])
		fuzz_fail("a reject without a NUL-terminated reason");
	if (fuzz_reason_repeats(why, (const char *)in, len))
		fuzz_fail("a reject reason repeats the input");
}

static void check_date(int32_t d)
{
	int m = d / 100 % 100, day = d % 100;
	char iso[11];
	if (d <= 0 || d > 99991231 || m < 1 || m > 12 || day < 1 || day > 31)
		fuzz_fail("an accepted date is not a calendar date");
	colink_date_iso(d, iso);
	if (strlen(iso) != 10)
		fuzz_fail("colink_date_iso did not write YYYY-MM-DD");
	(void)colink_age_on(d, 20250331);
	(void)colink_age_on(19700515, d);
	(void)colink_age_fy_end(d, 20240610);
	(void)colink_fiscal_year(d);
}

static void dates(const uint8_t *data, size_t size)
{
	int fmt;
	for (fmt = COLINK_DATE_AUTO; fmt <= COLINK_DATE_YYYYMM; fmt++) {
		char why[WHY] = "";
		int32_t d = 0;
		int rc = colink_parse_date((const char *)data, size, fmt, &d, why, sizeof(why));
		check_rc(rc, why, data, size);
		if (rc == COLINK_OK)
			check_date(d);
	}
}

static void check_decimal(const char *out)
{
	size_t i = out[0] == '-' ? 1 : 0;
	int dots = 0;
	if (!out[i])
		fuzz_fail("an accepted decimal is empty");
	for (; out[i]; i++) {
		if (out[i] == '.')
			dots++;
		else if (out[i] < '0' || out[i] > '9')
			fuzz_fail("a canonical decimal has a character other than digits, '-' and '.'");
	}
	if (dots > 1 || colink_decimal_cmp(out, out) != 0)
		fuzz_fail("a canonical decimal is not well formed");
	(void)colink_decimal_cmp(out, "120");
	(void)colink_decimal_cmp("-0.5", out);
}

static void decimals(const uint8_t *data, size_t size)
{
	static const size_t outlens[] = { 256, 5 };
	int allow;
	size_t k;
	for (allow = 0; allow <= 1; allow++) {
		for (k = 0; k < 2; k++) {
			char why[WHY] = "", censor = 0;
			char *out = malloc(outlens[k]); /* heap: ASan sees an overrun */
			int rc = colink_parse_decimal((const char *)data, size, allow, out,
						      outlens[k], &censor, why, sizeof(why));
			check_rc(rc, why, data, size);
			if (rc == COLINK_OK && !memchr(out, '\0', outlens[k]))
				fuzz_fail("an accepted decimal is not NUL-terminated");
			if (rc == COLINK_OK)
				check_decimal(out);
			if (rc == COLINK_OK && !allow && censor)
				fuzz_fail("a censored value accepted with censoring off");
			free(out);
		}
	}
}

static void integers_and_durations(const uint8_t *data, size_t size)
{
	char why[WHY] = "";
	int64_t v;
	int fmt, rc = colink_parse_int((const char *)data, size, &v, why, sizeof(why));
	check_rc(rc, why, data, size);
	for (fmt = COLINK_DUR_MINUTES; fmt <= COLINK_DUR_AUTO; fmt++) {
		why[0] = '\0';
		rc = colink_parse_duration((const char *)data, size, fmt, &v, why, sizeof(why));
		check_rc(rc, why, data, size);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dates(data, size);
	decimals(data, size);
	integers_and_durations(data, size);
	return 0;
}
