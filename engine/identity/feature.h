/*
 * feature.h -- keyed comparison features for probabilistic linkage (#23).
 *
 * Derived at the identity step from the normalized identifier values, next
 * to the pseudonyms, and like them never holding a raw value: each feature
 * is keyed with its own per-purpose key (HKDF info = agreement || 0x1f ||
 * "feature.<name>", as for a pseudonym kind; identity.h).
 *
 *   feature.name_bf      the kana name, folded for comparison (small kana
 *                        to large, ヂ/ヅ to ジ/ズ, ヲ to オ, ヴ to ブ), as a
 *                        Bloom filter of its character bigrams (padded at
 *                        both ends): COLINK_FEATURE_BF_BITS bits, each
 *                        bigram setting COLINK_FEATURE_BF_K positions taken
 *                        from HMAC(key, bigram, "0") || HMAC(key, bigram,
 *                        "1") as 16-bit big-endian words mod the length
 *                        ("random hashing": no double hashing, whose
 *                        structure the pattern attacks exploit); hex,
 *                        COLINK_FEATURE_BF_BITS / 4 characters.
 *   feature.birth_year, feature.birth_month, feature.birth_day
 *                        keyed tokens of yyyy, mm, dd (64 hex each)
 *   feature.birth_md     keyed token of {mm, dd} unordered, so that a
 *                        swapped day and month compare equal
 *   feature.sex, feature.insurer, feature.symbol, feature.number
 *                        keyed tokens of the sex code, 保険者番号, 記号, 番号
 * A feature whose value the record lacks is left out.  docs/pseudonyms.md
 * documents the sizes, the attacks and the defences.
 */
#ifndef COLINK_FEATURE_H
#define COLINK_FEATURE_H

#include <stddef.h>

#include "colink/plugin.h"
#include "identity/pseudo_set.h"
#include "linkage/fs.h"

#define COLINK_FEATURE_BF_BITS COLINK_FS_BF_BITS /* one size for both */
#define COLINK_FEATURE_BF_K 20
#define COLINK_FEATURE_HEX_MAX (COLINK_FEATURE_BF_BITS / 4 + 1)
#define COLINK_FEATURE_MAX 9
#define COLINK_FEATURE_PREFIX "feature."

/* The normalized values a record has (NULL or empty: absent).  birth8 is
 * yyyymmdd. */
struct colink_feature_input {
	const char *name_kana;
	size_t name_len;
	const char *birth8;
	const char *sex, *insurer, *symbol, *number;
};

struct colink_feature {
	const char *kind;                    /* "feature.name_bf", ... (static) */
	char value[COLINK_FEATURE_HEX_MAX];  /* lowercase hex */
};

/* Compute the record's features into out[] (at most COLINK_FEATURE_MAX);
 * *nout gets their number. 0 or a negative error. */
int colink_features_compute(struct colink_pseudo_set *ps,
			    const struct colink_feature_input *in,
			    struct colink_feature out[COLINK_FEATURE_MAX],
			    size_t *nout, struct colink_error *err);

/* The Bloom filter alone, as bytes (COLINK_FEATURE_BF_BITS / 8); for
 * tests.  A name without characters gives COLINK_EINVAL. */
int colink_feature_bloom(struct colink_pseudo_set *ps, const char *name,
			 size_t len, unsigned char *bf, struct colink_error *err);

#endif
