/*
 * fuzz_normalize.c -- libFuzzer target for identity normalization
 * (engine/identity/identity.h): every single step and the default chains of
 * mappings/common/fields.tsv, with the real variant-kanji table.  The
 * first input byte picks the chain; the rest is the identifier text.
 *
 * Invariants: COLINK_OK or COLINK_REJECTED only; an accepted value is
 * NUL-terminated valid UTF-8 of the stated length; a reject reason is
 * non-empty and never repeats the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "identity/identity.h"

static const char *const chains[] = {
	"nfkc", "katakana", "strip-spaces", "strip-hyphens", "long-vowel",
	"variant-kanji", "upper", "digits", "insurer-number", "branch-number",
	"date",
	/* the defaults of fields.tsv */
	"nfkc,strip-spaces,strip-hyphens", "nfkc,katakana,long-vowel,strip-spaces",
	"nfkc,variant-kanji,strip-spaces", "nfkc,strip-spaces",
	/* and a long one */
	"nfkc,katakana,long-vowel,variant-kanji,upper,strip-spaces,strip-hyphens",
};
#define NCHAINS (sizeof(chains) / sizeof(chains[0]))

static struct colink_normalizer *norm[NCHAINS];

static void compile(void)
{
	struct colink_error err = {0};
	size_t i;
	for (i = 0; i < NCHAINS; i++)
		if (colink_normalizer_new(&norm[i], chains[i], fuzz_variants(), &err)) {
			fprintf(stderr, "fuzz: %s: %s\n", chains[i], err.msg);
			fuzz_fail("a normalization chain does not compile");
		}
}

static int utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;
	while (i < n) {
		unsigned c = s[i];
		k = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 9;
		if (k == 9 || c > 0xF4 || n - i - 1 < k)
			return 0;
		for (j = 1; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data + 1;
	char why[160] = "", *out = NULL;
	size_t len, outlen = 0;
	int rc;
	if (!norm[0])
		compile();
	if (size < 1)
		return 0;
	len = size - 1;
	rc = colink_normalize(norm[data[0] % NCHAINS], in, len, &out, &outlen, why, sizeof(why));
	if (rc == COLINK_OK) {
		if (!out || strlen(out) != outlen || !utf8_ok((const unsigned char *)out, outlen))
			fuzz_fail("a normalized value is not NUL-terminated UTF-8 of its length");
		colink_wipe_free(out, outlen);
	} else if (rc == COLINK_REJECTED) {
		if (!why[0] || !memchr(why, '\0', sizeof(why)))
			fuzz_fail("a normalization reject without a reason");
		if (fuzz_reason_repeats(why, in, len))
			fuzz_fail("a normalization reason repeats the identifier");
	} else if (rc != COLINK_ENOMEM) {
		fuzz_fail("colink_normalize returned neither OK nor REJECT");
	}
	return 0;
}
