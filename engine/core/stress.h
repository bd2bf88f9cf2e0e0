/*
 * stress.h -- scoring the 職業性ストレス簡易調査票 (57 items) for the
 * ストレスチェック: A/B/C totals and the 高ストレス者 decision of the MHLW
 * manual (評価基準の例 その1 合計点数, その2 素点換算).
 *
 * Every number that an auditor may question (which items are reversed, which
 * item belongs to which 尺度, the cut-offs, the 素点換算表) is read from
 * data files under the mappings dir; this module only applies them.
 *
 *   rules/stress-check.tsv       required: `item` rows (57) and `threshold`
 *                                rows; see the file's header.
 *   rules/stress-conversion.tsv  optional: the 素点換算表.  Without it, or
 *                                while any cell of it is '?', the converted
 *                                method is refused (COLINK_EINVAL).
 *
 * stress-conversion.tsv format (tab-separated, '#' comments):
 *   columns: subscale  sex  raw_min  raw_max  points
 *     subscale  a 尺度 name exactly as in stress-check.tsv, scale A, B or C
 *     sex       1 male, 2 female (the manual's tables are sex-specific)
 *     raw_min   lowest 素点 of the band (inclusive); the 素点 of a 尺度 is the
 *     raw_max   sum of its items' raw_term; each band lies in [n, 4n] for a
 *               尺度 of n items
 *     points    評価点 1..5, already oriented so that LOWER = MORE STRESS for
 *               every 尺度 (the manual's table is printed that way), or '?'
 *               for a cell the sources disagree on: the file then loads (the
 *               total method keeps working) but the converted method stays
 *               unavailable until every '?' is decided
 *   Every 尺度 of A, B and C must cover every 素点 in [n, 4n] exactly once
 *   for both sexes; gaps and overlaps are refused with FILE:LINE.
 */
#ifndef COLINK_STRESS_H
#define COLINK_STRESS_H

#include <stddef.h>

#include "colink/plugin.h"

#define COLINK_STRESS_NITEMS 57 /* a01..a17, b01..b29, c01..c09, d01..d02 */

enum colink_stress_method {
	COLINK_STRESS_TOTAL = 1,    /* その1 合計点数 (higher = more stress) */
	COLINK_STRESS_CONVERTED = 2 /* その2 素点換算 評価点 (lower = more stress) */
};

struct colink_stress_result {
	int method;  /* enum colink_stress_method used */
	int score_a; /* TOTAL: A sum after reversal; CONVERTED: A 評価点 sum */
	int score_b; /* same for B */
	int score_c; /* same for C */
	int high;    /* 1 = 高ストレス者 under the method's criteria, else 0 */
};

/* Opaque: the parsed rule files.  Immutable after load, so one instance may
 * be shared by threads that only call colink_stress_score. */
struct colink_stress_rules;

/*
 * Load rules/stress-check.tsv and, when present, rules/stress-conversion.tsv
 * from the mappings dir `dir` (borrowed).  On success *out owns the rules;
 * free with colink_stress_rules_free.  On failure *out is NULL and err names
 * FILE:LINE for a bad row, or FILE and the missing item/threshold/band.
 * Returns COLINK_OK, COLINK_ENOTFOUND (stress-check.tsv absent), COLINK_EIO,
 * COLINK_EINVAL (bad data) or COLINK_ENOMEM.
 */
int colink_stress_rules_load(struct colink_stress_rules **out, const char *dir,
			     struct colink_error *err);

/* Accepts NULL. */
void colink_stress_rules_free(struct colink_stress_rules *r);

/* 1 when a 素点換算表 was loaded (the converted method is available). */
int colink_stress_rules_has_conversion(const struct colink_stress_rules *r);

/* NULL when the converted method is available, else one line saying why not
 * ("rules/stress-conversion.tsv is not installed", or the FILE:LINE of the
 * first undecided '?' cell).  Borrowed from r. */
const char *colink_stress_rules_conversion_why(const struct colink_stress_rules *r);

/*
 * Score one examinee.  answers: 57 values in the order a01..d02, each 1..4
 * as printed on the 調査票, 0 = missing.  sex: 1 male, 2 female, 0 unknown
 * (only the converted method needs it).  D items are not used for the
 * decision and may be 0.
 *
 * Returns COLINK_OK and fills *res; COLINK_REJECTED when this examinee cannot
 * be scored (an A/B/C answer missing, any answer out of range, or sex not
 * 1/2 for the converted method); COLINK_EINVAL for a bad method or when the
 * converted method is asked for without a 素点換算表.  `why` (may be NULL,
 * wl bytes) gets one line: on success which criterion decided, otherwise the
 * reason, naming the item ("b07") but never an answer value.
 */
int colink_stress_score(const struct colink_stress_rules *r,
			const int answers[COLINK_STRESS_NITEMS], int sex,
			int method, struct colink_stress_result *res, char *why,
			size_t wl);

#endif
