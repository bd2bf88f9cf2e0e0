/*
 * identity.h -- keys, per-purpose key derivation, identity normalization and
 * pseudonyms.  The only place raw identifiers are transformed; after
 * colink_pseudonym_compute() the raw and normalized forms are wiped by the
 * caller and never stored.
 *
 * Construction (documented in README "Pseudonyms", with test vectors):
 *   key file   : text "colink-key-v1 " + 64 lowercase hex (32 bytes) + "\n",
 *                mode 0600 (refused if group/other can read or write it)
 *   key id     : first 16 hex of SHA-256("colink-key-id-v1" || key)
 *   derivation : HKDF-SHA256 (RFC 5869), IKM = master key,
 *                salt = "colink-pseudonym-v1",
 *                info = agreement_id || 0x1f || kind, L = 32
 *   pseudonym  : lowercase hex HMAC-SHA256(derived, encode(parts)),
 *                encode(parts) = for each part: decimal byte length, ':',
 *                the bytes, ';'   (e.g. "8:06139992;3:123;")
 */
#ifndef COLINK_IDENTITY_H
#define COLINK_IDENTITY_H

#include <stddef.h>

#include "colink/plugin.h"

/* ---- master key (lives in libgcrypt secure memory) ---- */
struct colink_key;

/* Initialise libgcrypt with secure memory; idempotent.  0 or negative. */
int colink_crypto_init(struct colink_error *err);

/* Write a fresh 256-bit key from GCRY_VERY_STRONG_RANDOM to `path`, mode
 * 0600, refusing to overwrite an existing file (O_EXCL). */
int colink_key_generate(const char *path, struct colink_error *err);

/* Load and check a key file (permissions, format, size).  *out is freed
 * with colink_key_free().  Error messages name the file, never the key. */
int colink_key_load(struct colink_key **out, const char *path,
		    struct colink_error *err);
void colink_key_free(struct colink_key *k); /* wipes; accepts NULL */

/* 16 lowercase hex + NUL; borrowed, valid until colink_key_free. */
const char *colink_key_id(const struct colink_key *k);

/* Make a key from 32 raw bytes (tests and test vectors only). */
int colink_key_from_bytes(struct colink_key **out, const unsigned char *raw32,
			  struct colink_error *err);

/* ---- derived pseudonymizer: one per (agreement, kind) ---- */
struct colink_pseudonymizer;

int colink_pseudonymizer_new(struct colink_pseudonymizer **out,
			     const struct colink_key *k, const char *agreement,
			     const char *kind, struct colink_error *err);
void colink_pseudonymizer_free(struct colink_pseudonymizer *p);

/* out: 64 lowercase hex + NUL.  `lens` may be NULL (then strlen). */
int colink_pseudonym_compute(struct colink_pseudonymizer *p, size_t nparts,
			     const char *const *parts, const size_t *lens,
			     char out[65], struct colink_error *err);

/* The derived key as 64 hex (test vectors only; never log it). */
int colink_pseudonymizer_derived_hex(const struct colink_pseudonymizer *p,
				     char out[65]);

/* ---- normalization ---- */

/*
 * The identity-normalization version: colink's folding rules and the
 * Unicode version of the installed utf8proc's tables, e.g.
 * "colink-norm 2; Unicode 15.0.0".  Two pseudonyms of one name match only
 * if both were made under the same version, so the ledger records it for
 * every run and extracts carry it; a run against a warehouse, or an
 * extract, of another version is refused (#24).
 * COLINK_NORMALIZATION_RULES grows whenever a step changes its output for
 * some input: 1 up to colink 0.1.0; 2 a spacing ゛/゜ joins its kana and
 * text chains end with NFC.
 */
#define COLINK_NORMALIZATION_RULES 2
#define COLINK_NORM_VERSION_MAX 64
void colink_normalization_version(char out[COLINK_NORM_VERSION_MAX]);

/* An extract's recorded version against this colink's: COLINK_OK when
 * equal; "unrecorded" (made before schema 5) is accepted with one warning
 * per *warned flag; anything else is COLINK_EINVAL naming `path` and both
 * versions. */
int colink_normalization_check(const char *path, const char *recorded, int *warned,
			       struct colink_error *err);


/* The variant-kanji table (mappings/common/variant-kanji.tsv). */
struct colink_variant_table;
int colink_variant_table_load(struct colink_variant_table **out,
			      const char *path, struct colink_error *err);
void colink_variant_table_free(struct colink_variant_table *t);

/*
 * A compiled normalization chain, from a comma-separated list of steps:
 *   nfkc            Unicode NFKC (utf8proc): width folding, ㈱ -> (株) ...
 *   katakana        hiragana -> katakana (after nfkc half-width kana are
 *                   already full width)
 *   strip-spaces    remove ASCII/full-width spaces and tabs
 *   strip-hyphens   remove - ‐ ‑ ‒ – — ― − － ｰ (not ー in kana names)
 *   long-vowel      fold - ‐ − － ｰ ～ to ー (for kana names)
 *   variant-kanji   apply the variant table (髙 -> 高, 﨑 -> 崎 ...)
 *   upper           ASCII upper case
 *   digits          keep only 0-9 (after nfkc); reject if none
 *   insurer-number  nfkc + strip, must be digits, zero-pad to 8, verify the
 *                   check digit; a failing check digit rejects
 *   branch-number   nfkc + strip, digits, zero-pad to 2; more than 2 rejects
 *   date            value is a yyyymmdd date already (identity step passes
 *                   the 8 digits); no-op
 * Unknown steps fail compilation with a message naming the step.
 * `nfkc` first turns a spacing ゛ ゜ (U+309B/U+309C) that follows a kana
 * into the combining mark, and a chain with `nfkc` or `katakana` ends
 * with NFC, so every written form of a marked kana gives one string.
 */
struct colink_normalizer;
int colink_normalizer_new(struct colink_normalizer **out, const char *chain,
			  const struct colink_variant_table *vt,
			  struct colink_error *err);
void colink_normalizer_free(struct colink_normalizer *n);

/*
 * Apply to `in` (UTF-8, len bytes).  On success *out is a NUL-terminated
 * buffer from colink_malloc (caller wipes and frees) and *outlen its
 * length.  Invalid UTF-8 or a rule failure returns COLINK_REJECTED with a
 * reason in why[] that never contains the input.
 */
int colink_normalize(const struct colink_normalizer *n, const char *in,
		     size_t len, char **out, size_t *outlen, char *why,
		     size_t whylen);

/* 保険者番号 check digit (weights 2,1,2,... from the right, digit sums).
 * `digits` is exactly 8 ASCII digits.  1 valid, 0 invalid. */
int colink_insurer_check_digit_ok(const char *digits8);

/*
 * Is a value shaped like an identifier, whatever its column is called?
 * NULL when not, else what it looks like ("a phone number", "a long number
 * (...)", "an e-mail address", "a kana name": a static string to put in a
 * reject reason; the value itself is never repeated).  Shapes: a run of 9
 * or more digits (ASCII or full-width, hyphens and parentheses between
 * them), 10 or 11 from a leading 0 being a phone number; local@domain.tld
 * anywhere; the whole value two runs of katakana joined by a space.  For
 * values stored as they are (an unmapped column kept as an observation).
 */
const char *colink_identifier_shape(const char *value, size_t len);

/* Zero the memory and free it (colink_free). Accepts NULL. */
void colink_wipe_free(void *p, size_t n);

#endif
