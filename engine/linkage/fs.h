/*
 * fs.h -- Fellegi-Sunter scoring for the probabilistic link pass (#23):
 * comparison vectors, m and u probabilities, the EM estimate of m with u
 * fixed, match weights, and the Dice coefficient of two Bloom filters.
 *
 * Plain C with no engine symbol: the out_sqlite plugin compiles this file
 * into itself (plugins never link against the engine), and the tests
 * call it directly (tests/test_linkage.c).
 *
 * A comparison vector has one level per feature: 0 is the strongest
 * agreement, nlev - 1 "else" (disagreement), COLINK_FS_MISSING when
 * either side lacks the feature (it then adds nothing to the weight and
 * is left out of the estimates).  Probabilities are per feature and level:
 *   m[f][l] = P(level l on feature f | the pair is a match)
 *   u[f][l] = P(level l on feature f | the pair is not a match)
 * and features are taken as independent given the match status (the
 * Fellegi-Sunter assumption).  A pair's match weight is
 *   sum over non-missing f of log2(m[f][l] / u[f][l])
 * (made monotone per feature: colink_fs_level_weight).
 */
#ifndef COLINK_LINKAGE_FS_H
#define COLINK_LINKAGE_FS_H

#include <stddef.h>
#include <stdint.h>

/* The name's keyed Bloom filter (identity/feature.h builds it): BITS
 * plain, twice that balanced (filter and complement); a diffused filter
 * keeps the length of what it diffuses. */
#define COLINK_FS_BF_BITS 512
#define COLINK_FS_BF_BYTES (COLINK_FS_BF_BITS / 8)
#define COLINK_FS_BF_MAX_BYTES (2 * COLINK_FS_BF_BYTES)
/* A keyed token (identity/feature.h): the first 8 bytes of its HMAC
 * (schema 14; before, the whole 32, of which the linker read these 8). */
#define COLINK_FS_TOKEN_BYTES 8

#define COLINK_FS_MAX_FEATURES 8
#define COLINK_FS_MAX_LEVELS 4
#define COLINK_FS_MISSING 0xFFu

struct colink_fs_model {
	size_t nfeat;
	unsigned nlev[COLINK_FS_MAX_FEATURES];
	double m[COLINK_FS_MAX_FEATURES][COLINK_FS_MAX_LEVELS];
	double u[COLINK_FS_MAX_FEATURES][COLINK_FS_MAX_LEVELS];
	double lambda;       /* P(match) among the pairs EM saw */
	unsigned iterations; /* EM iterations run */
};

/* Set the shape and the starting values: m puts 0.9 on level 0 and
 * spreads the rest evenly, u puts 0.9 on the last level and spreads the
 * rest; lambda 0.1.  nfeat in 1..COLINK_FS_MAX_FEATURES, every nlev in
 * 2..COLINK_FS_MAX_LEVELS (else -1; 0 on success). */
int colink_fs_init(struct colink_fs_model *fm, size_t nfeat, const unsigned *nlev);

/* u from a sample of (mostly non-matching) random pairs: the share of each
 * level among the pairs where the feature is present, with add-one-half
 * smoothing so no level has u = 0.  gamma: n vectors of nfeat bytes. */
void colink_fs_estimate_u(struct colink_fs_model *fm, const unsigned char *gamma,
			  size_t n);

/* m and lambda by EM with u fixed, over n distinct vectors (nfeat bytes
 * each) seen count[i] times.  Runs until no m or lambda moves by more
 * than tol, or maxiter iterations.  m and lambda are kept in
 * [1e-3, 1 - 1e-3]. */
void colink_fs_em(struct colink_fs_model *fm, const unsigned char *gamma,
		  const double *count, size_t n, unsigned maxiter, double tol);

/* The weight of level l of feature f: log2(m / u), raised to the
 * greatest weight of the looser levels after it when that is more, so a
 * closer agreement never weighs less than a looser one (EM over data
 * with few near matches can estimate "similar" above "exact").  */
double colink_fs_level_weight(const struct colink_fs_model *fm, size_t f, unsigned l);

/* The match weight (log2) of one vector: the sum of its present
 * features' level weights. */
double colink_fs_weight(const struct colink_fs_model *fm, const unsigned char *g);

/* Bits set in a AND b, or in a alone when b is NULL. */
unsigned colink_fs_popcount(const unsigned char *a, const unsigned char *b, size_t nbytes);

/* Dice coefficient 2|A and B| / (|A| + |B|) of two filters of `nbytes`;
 * 0 when both are empty. */
double colink_fs_dice(const unsigned char *a, const unsigned char *b, size_t nbytes);

#endif
