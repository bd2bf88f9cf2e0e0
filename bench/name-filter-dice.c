/*
 * name-filter-dice.c -- how the name filter's encodings (#23,
 * engine/identity/feature.h) separate near names from other names: for
 * each encoding and Dice threshold t, the share of near pairs (a name and
 * the same name with one kana replaced by another that does not fold to
 * it, or one kana dropped) at or above t -- the recall of level
 * "similar" -- and the share of pairs of two different names at or above
 * t -- its false-match rate among random pairs, what u of "similar"
 * estimates in a run.
 *
 *   name-filter-dice ROSTER.CSV [NAMES] [WINDOW]
 *
 * ROSTER.CSV is colink-gen's roster (kana name in the third column); the
 * first NAMES distinct names are used (default 20000); WINDOW is the
 * diffusion window (default 3).  Built with the tree (bench/bench.am):
 *   bench/name-filter-dice DATA/csv/roster.csv
 * The key is a fixed test key: the figures are the same every run.  Prints
 * nothing but shares (no name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity/feature.h"
#include "identity/identity.h"
#include "identity/pseudo_set.h"
#include "linkage/fs.h"

#define MAXN 200000
#define NT 10

static const char *const kana[] = {"ア", "カ", "サ", "タ", "ナ", "ハ", "マ", "ヤ", "ラ", "ワ",
				   "キ", "シ", "チ", "ニ", "ミ", "リ", "ク", "ス", "ヌ", "ム"};

static unsigned long long seed = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

/* One kana (3 UTF-8 bytes each in a katakana name) replaced or dropped. */
static void near(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s) / 3, i = rnd((unsigned)n);
	int drop = rnd(4) == 0 && n > 2;
	const char *k = kana[rnd(sizeof(kana) / sizeof(kana[0]))];
	if (!drop && !memcmp(s + 3 * i, k, 3))
		k = kana[(rnd(19) + 1 + (unsigned)(k - kana[0])) % 20]; /* another */
	snprintf(out, cap, "%.*s%s%s", (int)(3 * i), s, drop ? "" : k, s + 3 * (i + 1));
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static double dice(struct colink_pseudo_set *ps, struct colink_feature_enc *e, const char *x,
		   const char *y)
{
	unsigned char a[COLINK_FS_BF_MAX_BYTES], b[COLINK_FS_BF_MAX_BYTES];
	struct colink_error err;
	size_t n, m;
	if (colink_feature_name_filter(ps, e, x, strlen(x), a, &n, &err) ||
	    colink_feature_name_filter(ps, e, y, strlen(y), b, &m, &err)) {
		fprintf(stderr, "name-filter-dice: %s\n", err.msg);
		exit(1);
	}
	return colink_fs_dice(a, b, n);
}

int main(int argc, char **argv)
{
	static const unsigned modes[] = {0, COLINK_BF_BALANCED, COLINK_BF_DIFFUSED,
					 COLINK_BF_BALANCED | COLINK_BF_DIFFUSED};
	static char *names[MAXN];
	size_t want = argc > 2 ? (size_t)atol(argv[2]) : 20000, n = 0, i, j, m, t;
	unsigned window = argc > 3 ? (unsigned)atoi(argv[3]) : 3;
	unsigned char raw[32];
	struct colink_key *key = NULL;
	struct colink_pseudo_set *ps = NULL;
	struct colink_error err;
	char line[1024];
	FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
	if (!f || want > MAXN) {
		fprintf(stderr, "usage: name-filter-dice ROSTER.CSV [NAMES <= %d] [WINDOW]\n", MAXN);
		return 2;
	}
	while (fgets(line, sizeof(line), f) && n < MAXN) {
		char *p = line, *q, *o;
		for (i = 0; i < 2 && p; i++)
			p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
		if (!p || !(q = strchr(p, ',')) || q == p || (unsigned char)*p < 0x80)
			continue;
		*q = '\0';
		for (o = q = p; *q; q++) /* drop the space between surname and name */
			if (*q != ' ')
				*o++ = *q;
		*o = '\0';
		names[n++] = strdup(p);
	}
	fclose(f);
	qsort(names, n, sizeof(*names), cmp);
	for (i = j = 0; i < n; i++)
		if (!j || strcmp(names[j - 1], names[i]))
			names[j++] = names[i];
	n = j < want ? j : want;
	for (i = 0; i < 32; i++)
		raw[i] = (unsigned char)(i * 11 + 5);
	if (colink_crypto_init(&err) || colink_key_from_bytes(&key, raw, &err) ||
	    colink_pseudo_set_new(&ps, key, NULL, "bench", &err)) {
		fprintf(stderr, "name-filter-dice: %s\n", err.msg);
		return 1;
	}
	printf("%zu distinct names, window %u; shares of pairs with Dice >= t\n", n, window);
	for (m = 0; m < 4; m++) {
		struct colink_feature_enc *e = calloc(1, sizeof(*e));
		double nearge[NT] = {0}, farge[NT] = {0};
		e->mode = modes[m];
		e->window = window;
		seed = 88172645463325252ull;
		for (i = 0; i < n; i++) {
			char v[256];
			double dn, df;
			near(names[i], v, sizeof(v));
			dn = dice(ps, e, names[i], v);
			j = (i + 1 + rnd((unsigned)n - 1)) % n; /* another name */
			df = dice(ps, e, names[i], names[j]);
			for (t = 0; t < NT; t++) {
				nearge[t] += dn >= 0.5 + 0.05 * (double)t;
				farge[t] += df >= 0.5 + 0.05 * (double)t;
			}
		}
		printf("%s\n", colink_feature_enc_name(modes[m]));
		for (t = 0; t < NT; t++)
			printf("  t %.2f  near %.3f  other %.4f\n", 0.5 + 0.05 * (double)t,
			       nearge[t] / (double)n, farge[t] / (double)n);
		colink_feature_enc_wipe(e);
		free(e);
	}
	colink_pseudo_set_free(ps);
	colink_key_free(key);
	return 0;
}
