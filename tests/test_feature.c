/*
 * test_feature.c -- the name filter's hardened encodings
 * (engine/identity/feature.c, #23): balanced (filter and complement,
 * keyed permutation) and diffused (XOR of keyed windows).
 */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity/feature.h"
#include "identity/identity.h"
#include "identity/pseudo_set.h"
#include "linkage/fs.h"
#include "testutil.h"

#define MAXB COLINK_FS_BF_MAX_BYTES

static struct colink_key *key;

static int suite_init(void)
{
	unsigned char raw[32];
	struct colink_error err;
	int i;
	for (i = 0; i < 32; i++)
		raw[i] = (unsigned char)(i * 5 + 3);
	if (colink_crypto_init(&err))
		return -1;
	return colink_key_from_bytes(&key, raw, &err) ? -1 : 0;
}

static int suite_clean(void)
{
	colink_key_free(key);
	return 0;
}

static struct colink_pseudo_set *pset(const char *agreement)
{
	struct colink_pseudo_set *ps = NULL;
	struct colink_error err;
	CU_ASSERT_EQUAL_FATAL(colink_pseudo_set_new(&ps, key, NULL, agreement, &err), COLINK_OK);
	return ps;
}

static struct colink_feature_enc *enc_new(unsigned mode, unsigned window)
{
	struct colink_feature_enc *e = calloc(1, sizeof(*e));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	e->mode = mode;
	e->window = window;
	return e;
}

static void enc_free(struct colink_feature_enc *e)
{
	colink_feature_enc_wipe(e);
	free(e);
}

/* The filter of `name` in e's encoding; its length in bytes. */
static size_t filter(struct colink_pseudo_set *ps, struct colink_feature_enc *e,
		     const char *name, unsigned char bf[MAXB])
{
	struct colink_error err;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(colink_feature_name_filter(ps, e, name, strlen(name), bf, &n, &err),
			      COLINK_OK);
	return n;
}

static double dice(struct colink_pseudo_set *ps, struct colink_feature_enc *e,
		   const char *x, const char *y)
{
	unsigned char a[MAXB], b[MAXB];
	size_t n = filter(ps, e, x, a);
	CU_ASSERT_EQUAL(filter(ps, e, y, b), n);
	return colink_fs_dice(a, b, n);
}

static const char *const names[] = {
	"ヤマダタロウ", "スズキハナコ", "タナカイチロウ", "サトウケイコ", "ア", "ワタナベジュンイチロウ",
	"イトウ", "キムラサチコ", "ヤマモトヒロシ", "ナカムラアイ",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* Every balanced filter has 2 * BF_BITS bits and exactly BF_BITS set,
 * whatever the name's length. */
static void test_feature__balanced_constant_weight(void)
{
	struct colink_pseudo_set *ps = pset("agr-1");
	struct colink_feature_enc *e = enc_new(COLINK_BF_BALANCED, 0);
	unsigned char bf[MAXB];
	size_t i;
	for (i = 0; i < NNAMES; i++) {
		CU_ASSERT_EQUAL(filter(ps, e, names[i], bf), 2 * COLINK_FS_BF_BYTES);
		CU_ASSERT_EQUAL(colink_fs_popcount(bf, NULL, 2 * COLINK_FS_BF_BYTES),
				COLINK_FS_BF_BITS);
	}
	/* the plain filters of the same names do differ in weight */
	CU_ASSERT_NOT_EQUAL(filter(ps, NULL, names[4], bf), 0);
	i = colink_fs_popcount(bf, NULL, COLINK_FS_BF_BYTES);
	filter(ps, NULL, names[5], bf);
	CU_ASSERT_NOT_EQUAL(i, colink_fs_popcount(bf, NULL, COLINK_FS_BF_BYTES));
	enc_free(e);
	colink_pseudo_set_free(ps);
}

/* The permutation is keyed: another agreement's key gives another
 * filter, the same key (a new pseudonymizer set, a new encoding state)
 * the same one; and it is not the identity (the complement is spread). */
static void test_feature__permutation_keyed(void)
{
	struct colink_pseudo_set *ps = pset("agr-1"), *same = pset("agr-1"), *other = pset("agr-2");
	struct colink_feature_enc *e1 = enc_new(COLINK_BF_BALANCED, 0);
	struct colink_feature_enc *e2 = enc_new(COLINK_BF_BALANCED, 0);
	struct colink_feature_enc *e3 = enc_new(COLINK_BF_BALANCED, 0);
	unsigned char a[MAXB], b[MAXB], c[MAXB], plain[MAXB];
	size_t i, ident = 0;
	filter(ps, e1, names[0], a);
	filter(same, e2, names[0], b);
	filter(other, e3, names[0], c);
	CU_ASSERT_EQUAL(memcmp(a, b, 2 * COLINK_FS_BF_BYTES), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, c, 2 * COLINK_FS_BF_BYTES), 0);
	for (i = 0; i < 2 * COLINK_FS_BF_BITS; i++)
		ident += e1->perm[i] == i;
	CU_ASSERT(ident < 16);
	CU_ASSERT_NOT_EQUAL(memcmp(e1->perm, e3->perm, sizeof(e1->perm)), 0);
	/* the complement's half is not simply the second half */
	filter(ps, NULL, names[0], plain);
	CU_ASSERT_NOT_EQUAL(memcmp(a, plain, COLINK_FS_BF_BYTES), 0);
	colink_feature_enc_wipe(e1);
	CU_ASSERT_EQUAL(e1->ready, 0);
	filter(ps, e1, names[0], c); /* drawn again: the same */
	CU_ASSERT_EQUAL(memcmp(a, c, 2 * COLINK_FS_BF_BYTES), 0);
	enc_free(e1);
	enc_free(e2);
	enc_free(e3);
	colink_pseudo_set_free(ps);
	colink_pseudo_set_free(same);
	colink_pseudo_set_free(other);
}

/* Diffusion is deterministic for a key, depends on the key and the
 * window, keeps the length of what it diffuses, and each output bit is
 * the XOR of its window. */
static void test_feature__diffusion_deterministic(void)
{
	struct colink_pseudo_set *ps = pset("agr-1"), *same = pset("agr-1"), *other = pset("agr-2");
	struct colink_feature_enc *d1 = enc_new(COLINK_BF_DIFFUSED, 3);
	struct colink_feature_enc *d2 = enc_new(COLINK_BF_DIFFUSED, 3);
	struct colink_feature_enc *d3 = enc_new(COLINK_BF_DIFFUSED, 3);
	struct colink_feature_enc *d4 = enc_new(COLINK_BF_DIFFUSED, 4);
	struct colink_feature_enc *bd = enc_new(COLINK_BF_BALANCED | COLINK_BF_DIFFUSED, 3);
	unsigned char a[MAXB], b[MAXB], c[MAXB], d[MAXB], plain[MAXB];
	size_t i, j, bad = 0;
	CU_ASSERT_EQUAL(filter(ps, d1, names[1], a), COLINK_FS_BF_BYTES);
	CU_ASSERT_EQUAL(filter(same, d2, names[1], b), COLINK_FS_BF_BYTES);
	CU_ASSERT_EQUAL(memcmp(a, b, COLINK_FS_BF_BYTES), 0);
	filter(ps, d1, names[1], b); /* the second record of a run */
	CU_ASSERT_EQUAL(memcmp(a, b, COLINK_FS_BF_BYTES), 0);
	filter(other, d3, names[1], c);
	CU_ASSERT_NOT_EQUAL(memcmp(a, c, COLINK_FS_BF_BYTES), 0);
	filter(ps, d4, names[1], d);
	CU_ASSERT_NOT_EQUAL(memcmp(a, d, COLINK_FS_BF_BYTES), 0);
	filter(ps, NULL, names[1], plain);
	for (i = 0; i < COLINK_FS_BF_BITS; i++) {
		unsigned x = 0;
		for (j = 0; j < 3; j++) {
			unsigned p = d1->win[i * 3 + j];
			x ^= (plain[p / 8] >> (p % 8)) & 1u;
		}
		bad += x != ((a[i / 8] >> (i % 8)) & 1u);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(filter(ps, bd, names[1], a), 2 * COLINK_FS_BF_BYTES);
	enc_free(d1);
	enc_free(d2);
	enc_free(d3);
	enc_free(d4);
	enc_free(bd);
	colink_pseudo_set_free(ps);
	colink_pseudo_set_free(same);
	colink_pseudo_set_free(other);
}

/* Near-identical names (one kana changed, one dropped) score at or above
 * the encoding's default Dice threshold, other names below it, in every
 * encoding. */
static void test_feature__near_names_above_threshold(void)
{
	static const char *const near[][2] = {
		{"ヤマダタロウ", "ヤマダタロオ"}, {"タナカイチロウ", "タナカイチロ"},
		{"ワタナベジュンイチロウ", "ワタナベシュンイチロウ"}, {"キムラサチコ", "キムラサチユ"},
	};
	static const unsigned modes[] = {0, COLINK_BF_BALANCED, COLINK_BF_DIFFUSED,
					 COLINK_BF_BALANCED | COLINK_BF_DIFFUSED};
	struct colink_pseudo_set *ps = pset("agr-1");
	size_t m, i, j;
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct colink_feature_enc *e = enc_new(modes[m], 3);
		double t = colink_feature_enc_dice(modes[m]);
		for (i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
			double x = dice(ps, e, near[i][0], near[i][1]);
			if (getenv("TEST_FEATURE_PRINT"))
				fprintf(stderr, "%s near %zu %.3f\n", colink_feature_enc_name(modes[m]), i, x);
			CU_ASSERT(x >= t);
		}
		for (i = 0; i < NNAMES; i++)
			for (j = i + 1; j < NNAMES; j++) {
				double x = dice(ps, e, names[i], names[j]);
				if (getenv("TEST_FEATURE_PRINT"))
					fprintf(stderr, "%s far %zu %zu %.3f\n",
						colink_feature_enc_name(modes[m]), i, j, x);
				CU_ASSERT(x < t);
			}
		enc_free(e);
	}
	colink_pseudo_set_free(ps);
}

/* The job's names of the encodings, and nothing else. */
static void test_feature__encoding_names(void)
{
	CU_ASSERT_EQUAL(colink_feature_enc_parse("plain"), 0);
	CU_ASSERT_EQUAL(colink_feature_enc_parse("balanced"), (int)COLINK_BF_BALANCED);
	CU_ASSERT_EQUAL(colink_feature_enc_parse("diffused"), (int)COLINK_BF_DIFFUSED);
	CU_ASSERT_EQUAL(colink_feature_enc_parse("balanced-diffused"),
			(int)(COLINK_BF_BALANCED | COLINK_BF_DIFFUSED));
	CU_ASSERT_EQUAL(colink_feature_enc_parse("Balanced"), -1);
	CU_ASSERT_EQUAL(colink_feature_enc_parse(""), -1);
	CU_ASSERT_STRING_EQUAL(colink_feature_enc_name(COLINK_BF_BALANCED | COLINK_BF_DIFFUSED),
			       "balanced-diffused");
	CU_ASSERT_EQUAL(colink_feature_enc_bits(COLINK_BF_DIFFUSED), COLINK_FS_BF_BITS);
	CU_ASSERT_EQUAL(colink_feature_enc_bits(COLINK_BF_BALANCED), 2 * COLINK_FS_BF_BITS);
}

/* A window out of range is refused when the encoding is first used. */
static void test_feature__window_out_of_range(void)
{
	struct colink_pseudo_set *ps = pset("agr-1");
	struct colink_feature_enc *e = enc_new(COLINK_BF_DIFFUSED, 1);
	unsigned char bf[MAXB];
	struct colink_error err;
	size_t n;
	CU_ASSERT_EQUAL(colink_feature_name_filter(ps, e, "ア", strlen("ア"), bf, &n, &err),
			COLINK_EINVAL);
	CU_ASSERT_EQUAL(e->ready, 0);
	enc_free(e);
	colink_pseudo_set_free(ps);
}

/* ---- the filters against their definitions, bit by bit ---- */

#define GETB(b, i) (((b)[(i) / 8] >> ((i) % 8)) & 1u)
#define SETB(b, i) ((b)[(i) / 8] |= (unsigned char)(1u << ((i) % 8)))

/* A name of n katakana from ア (U+30A2) to ロ (U+30ED), none that
 * folds (feature.c's fold_kana: small kana, ヂ, ヅ), drawn from *seed. */
static size_t kana_name(unsigned *seed, size_t n, char *out)
{
	size_t i, len = 0;
	for (i = 0; i < n; i++) {
		unsigned c;
		do {
			*seed = *seed * 1103515245u + 12345u;
			c = 0x30A2 + (*seed >> 16) % (0x30ED - 0x30A2 + 1);
		} while (c == 0x30A3 || c == 0x30A5 || c == 0x30A7 || c == 0x30A9 ||
			 c == 0x30C2 || c == 0x30C3 || c == 0x30C5 || c == 0x30E3 ||
			 c == 0x30E5 || c == 0x30E7);
		out[len++] = (char)(0xE0 | c >> 12);
		out[len++] = (char)(0x80 | (c >> 6 & 0x3F));
		out[len++] = (char)(0x80 | (c & 0x3F));
	}
	out[len] = '\0';
	return len;
}

/* The plain filter as feature.h defines it: each padded bigram's HMAC
 * read as K big-endian positions of 9 bits, bit by bit. */
static void plain_ref(struct colink_pseudo_set *ps, const char *name, size_t len,
		      unsigned char bf[COLINK_FS_BF_BYTES])
{
	struct colink_error err;
	size_t i, k, j, nch = len / 3;
	memset(bf, 0, COLINK_FS_BF_BYTES);
	for (i = 0; i <= nch; i++) {
		char bg[8], hex[65];
		const char *parts[1] = {bg};
		size_t bl = 0;
		unsigned char dig[32];
		if (i == 0)
			bg[bl++] = '_';
		else {
			memcpy(bg + bl, name + 3 * (i - 1), 3);
			bl += 3;
		}
		if (i == nch)
			bg[bl++] = '_';
		else {
			memcpy(bg + bl, name + 3 * i, 3);
			bl += 3;
		}
		CU_ASSERT_EQUAL_FATAL(colink_pseudo_set_compute(ps, COLINK_FEATURE_PREFIX "name_bf",
								1, parts, &bl, hex, &err), COLINK_OK);
		for (k = 0; k < 32; k++) {
			unsigned v;
			sscanf(hex + 2 * k, "%2x", &v);
			dig[k] = (unsigned char)v;
		}
		for (k = 0; k < COLINK_FEATURE_BF_K; k++) {
			unsigned v = 0;
			for (j = 0; j < 9; j++)
				v = v << 1 | ((dig[(9 * k + j) / 8] >> (7 - (9 * k + j) % 8)) & 1u);
			SETB(bf, v);
		}
	}
}

/* The hardened filter as feature.h defines it, from the encoding's
 * permutation and windows. */
static size_t hard_ref(const struct colink_feature_enc *e, const unsigned char *bf,
		       unsigned char out[MAXB])
{
	unsigned char mid[MAXB];
	size_t n = COLINK_FS_BF_BITS, i, j;
	memset(mid, 0, sizeof(mid));
	memcpy(mid, bf, COLINK_FS_BF_BYTES);
	if (e->mode & COLINK_BF_BALANCED) {
		memset(mid, 0, sizeof(mid));
		for (i = 0; i < 2 * n; i++)
			if (i < n ? GETB(bf, i) : !GETB(bf, i - n))
				SETB(mid, e->perm[i]);
		n *= 2;
	}
	memset(out, 0, MAXB);
	if (!(e->mode & COLINK_BF_DIFFUSED))
		memcpy(out, mid, n / 8);
	for (i = 0; e->mode & COLINK_BF_DIFFUSED && i < n; i++) {
		unsigned x = 0;
		for (j = 0; j < e->window; j++)
			x ^= GETB(mid, e->win[i * e->window + j]);
		if (x)
			SETB(out, i);
	}
	return n / 8;
}

/* colink_feature_name_filter's filters (a table of the encoding's affine
 * map, 24-bit reads of the positions) equal the definitions' on names of
 * 1 to 40 characters in every encoding, and on filters with every bit
 * set alone (the table's rows). */
static void test_feature__filters_as_defined(void)
{
	static const unsigned modes[][2] = {
		{0, 0}, {COLINK_BF_BALANCED, 0}, {COLINK_BF_DIFFUSED, 2}, {COLINK_BF_DIFFUSED, 3},
		{COLINK_BF_BALANCED | COLINK_BF_DIFFUSED, 3},
		{COLINK_BF_BALANCED | COLINK_BF_DIFFUSED, COLINK_FEATURE_WINDOW_MAX},
	};
	struct colink_pseudo_set *ps = pset("agr-1");
	unsigned seed = 7;
	size_t m, i;
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct colink_feature_enc *e = modes[m][0] ? enc_new(modes[m][0], modes[m][1]) : NULL;
		size_t bad = 0;
		for (i = 0; i < 300; i++) {
			char name[3 * 40 + 1];
			unsigned char plain[COLINK_FS_BF_BYTES], got[MAXB], want[MAXB];
			struct colink_error err;
			size_t len = kana_name(&seed, 1 + i % 40, name), n = 0, wn;
			plain_ref(ps, name, len, plain);
			CU_ASSERT_EQUAL_FATAL(colink_feature_bloom(ps, name, len, got, &err), COLINK_OK);
			bad += memcmp(got, plain, COLINK_FS_BF_BYTES) != 0;
			CU_ASSERT_EQUAL_FATAL(colink_feature_name_filter(ps, e, name, len, got, &n,
									 &err), COLINK_OK);
			if (e)
				wn = hard_ref(e, plain, want);
			else {
				memcpy(want, plain, COLINK_FS_BF_BYTES);
				wn = COLINK_FS_BF_BYTES;
			}
			CU_ASSERT_EQUAL(n, wn);
			bad += n != wn || memcmp(got, want, wn) != 0;
		}
		CU_ASSERT_EQUAL(bad, 0);
		if (e) { /* every row of the table, through the definition */
			for (i = 0; i < COLINK_FS_BF_BITS; i++) {
				unsigned char one[COLINK_FS_BF_BYTES], want[MAXB], got[MAXB];
				uint64_t w[MAXB / 8];
				size_t k, wn;
				memset(one, 0, sizeof(one));
				SETB(one, i);
				wn = hard_ref(e, one, want);
				for (k = 0; k < MAXB / 8; k++)
					w[k] = e->base[k] ^ e->flip[i][k];
				memcpy(got, w, sizeof(got));
				bad += memcmp(got, want, wn) != 0;
			}
			CU_ASSERT_EQUAL(bad, 0);
			enc_free(e);
		}
	}
	colink_pseudo_set_free(ps);
}

static const struct tu_test tests[] = {
	TU_TEST(test_feature__balanced_constant_weight),
	TU_TEST(test_feature__permutation_keyed),
	TU_TEST(test_feature__diffusion_deterministic),
	TU_TEST(test_feature__near_names_above_threshold),
	TU_TEST(test_feature__encoding_names),
	TU_TEST(test_feature__window_out_of_range),
	TU_TEST(test_feature__filters_as_defined),
	TU_END
};

int main(void)
{
	if (tu_add_suite("feature", suite_init, suite_clean, tests))
		return 1;
	return tu_run_suites();
}
