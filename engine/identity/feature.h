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
 *                        COLINK_FEATURE_BF_BITS / 4 characters.  The job's
 *                        name-filter encoding (struct colink_feature_enc)
 *                        may harden it:
 *                          balanced  the filter, then its complement, then
 *                                    the 2 * BF_BITS positions permuted by a
 *                                    keyed permutation: every filter has
 *                                    exactly BF_BITS bits set (Schnell,
 *                                    Borgs and Encarnacao 2016);
 *                          diffused  (of the plain or the balanced filter)
 *                                    output bit j the XOR of a keyed window
 *                                    of t input bits, as many output bits
 *                                    as input bits (Armknecht et al. 2023).
 *                        The permutation and the windows are drawn from
 *                        HMAC(key of "feature.name_bf.perm" resp.
 *                        "feature.name_bf.diffuse", decimal counter).
 *   feature.birth_year, feature.birth_month, feature.birth_day
 *                        keyed tokens of yyyy, mm, dd: each the first
 *                        COLINK_FEATURE_TOKEN_BYTES bytes of the HMAC, as
 *                        COLINK_FEATURE_TOKEN_HEX hex (schema 14; 64 bits
 *                        were all the linker ever compared)
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
#include <stdint.h>

#include "colink/plugin.h"
#include "identity/pseudo_set.h"
#include "linkage/fs.h"

#define COLINK_FEATURE_BF_BITS COLINK_FS_BF_BITS /* one size for both */
#define COLINK_FEATURE_BF_K 20
/* a balanced filter is twice the plain one */
#define COLINK_FEATURE_BF_MAX_BITS (2 * COLINK_FEATURE_BF_BITS)
#define COLINK_FEATURE_HEX_MAX (COLINK_FEATURE_BF_MAX_BITS / 4 + 1)
#define COLINK_FEATURE_WINDOW_MAX 16
#define COLINK_FEATURE_MAX 9
#define COLINK_FEATURE_PREFIX "feature."
/* A keyed token is the HMAC-SHA256 of its value cut to its first 8 bytes
 * (schema 14): 64 bits keep the odds of two different 番号 meeting on one
 * token negligible at millions of persons (docs/pseudonyms.md), and the
 * linker compares no more than that.  One size for both. */
#define COLINK_FEATURE_TOKEN_BYTES COLINK_FS_TOKEN_BYTES
#define COLINK_FEATURE_TOKEN_HEX (2 * COLINK_FEATURE_TOKEN_BYTES)

/* The name filter's encoding (the job's <pass kind="probabilistic"
 * name-filter window>): mode 0 is the plain filter. */
#define COLINK_BF_BALANCED 0x1u
#define COLINK_BF_DIFFUSED 0x2u

struct colink_feature_enc {
	unsigned mode;      /* COLINK_BF_* bits */
	unsigned window;    /* t, input bits per diffused bit: 2..WINDOW_MAX */
	/* derived from the run's key on first use (key material: wiped by
	 * colink_feature_enc_wipe, never written out) */
	int ready;
	uint16_t perm[COLINK_FEATURE_BF_MAX_BITS];
	uint16_t win[COLINK_FEATURE_BF_MAX_BITS * COLINK_FEATURE_WINDOW_MAX];
	/* the encoding is affine over GF(2) (a permutation of the filter and
	 * its complement, then XORs of its bits): the encoded empty filter,
	 * and what each plain bit flips in it, so that a filter costs one
	 * XOR of a row per set bit (byte images of the encoded filters) */
	uint64_t base[COLINK_FEATURE_BF_MAX_BITS / 64];
	uint64_t flip[COLINK_FEATURE_BF_BITS][COLINK_FEATURE_BF_MAX_BITS / 64];
};

/* "plain", "balanced", "diffused" (the plain filter diffused) or
 * "balanced-diffused" to COLINK_BF_* bits; -1 for anything else. */
int colink_feature_enc_parse(const char *name);
/* The name of mode bits (static). */
const char *colink_feature_enc_name(unsigned mode);
/* The length in bits of a name filter in this mode: BF_BITS, or twice it
 * when balanced. */
size_t colink_feature_enc_bits(unsigned mode);
/* The default Dice threshold of level "similar" for filters in this mode
 * (with the default window, 3, when diffused): measured, see
 * docs/pseudonyms.md and bench/RESULTS.md. */
double colink_feature_enc_dice(unsigned mode);
/* Forget the derived permutation and windows; enc may be NULL. */
void colink_feature_enc_wipe(struct colink_feature_enc *enc);

/* The normalized values a record has (NULL or empty: absent).  birth8 is
 * yyyymmdd.  enc NULL or of mode 0: the plain name filter. */
struct colink_feature_input {
	const char *name_kana;
	size_t name_len;
	const char *birth8;
	const char *sex, *insurer, *symbol, *number;
	struct colink_feature_enc *enc; /* borrowed; filled on first use */
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

/* The plain Bloom filter alone, as bytes (COLINK_FEATURE_BF_BITS / 8);
 * for tests.  A name without characters gives COLINK_EINVAL. */
int colink_feature_bloom(struct colink_pseudo_set *ps, const char *name,
			 size_t len, unsigned char *bf, struct colink_error *err);

/* The name filter in enc's encoding (enc NULL: plain) into bf
 * (COLINK_FEATURE_BF_MAX_BITS / 8 bytes); *nbytes gets its length in
 * bytes.  A name without characters gives COLINK_EINVAL. */
int colink_feature_name_filter(struct colink_pseudo_set *ps, struct colink_feature_enc *enc,
			       const char *name, size_t len, unsigned char *bf,
			       size_t *nbytes, struct colink_error *err);

#endif
