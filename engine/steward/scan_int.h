/*
 * scan_int.h -- what scan_draft.c (loading, suggestions, the draft),
 * scan_match.c (header spellings) and scan_shape.c (identifier shapes)
 * share.  Not part of the engine's interface: see scan.h.
 */
#ifndef COLINK_SCAN_INT_H
#define COLINK_SCAN_INT_H

#include "steward/scan.h"

#define KEY_MAX 256
#define SCAN_MAX_UNITS 96

struct colink_normalizer;

struct name {
	char *key;                           /* normalized */
	const struct colink_field_def *field;
	int level;                           /* 3, 2, 1 */
	int weak;                            /* synonyms.tsv header? */
};

struct hint {
	const struct colink_field_def *field;
	char *map;
};

/* A header word that tells the kind of file without naming a field
 * (synonyms.tsv `kind` rows: 点数 in a claims file). */
struct kindword {
	char *key;
	const char *kind;                    /* static name */
};

struct colink_scan_vocab {
	struct colink_normalizer *norm;
	const struct colink_catalog *cat;
	struct name *names;
	size_t nnames;
	struct hint *hints;
	size_t nhints;
	char *nullword[COLINK_SCAN_MAX_NULLWORDS];
	char *nullreason[COLINK_SCAN_MAX_NULLWORDS];
	size_t nnull;
	char **idwords;                      /* `identifier` rows, normalized */
	size_t nidwords;
	char *unit[SCAN_MAX_UNITS];          /* `unit` rows, NFKC text */
	char *unitkey[SCAN_MAX_UNITS];       /* the same, normalized */
	size_t nunits;
	struct kindword *kindwords;
	size_t nkindwords;
};

/* The kinds of record a file may hold, in the order ties go to. */
#define SCAN_NKINDS 7
extern const char *const colink_scan_kinds[SCAN_NKINDS];

/* scan_match.c */
/* NFKC, ASCII upper case, no spaces or punctuation, digit runs without
 * leading zeros (B05 is B5). */
void scan_key_of(const struct colink_scan_vocab *v, const char *s, size_t len, char out[KEY_MAX]);
/* NFKC of s (caller frees), or a copy when it does not normalize. */
char *scan_nfkc(const struct colink_scan_vocab *v, const char *s);
/* Candidates for a header, over its spellings (see scan_match.c); the
 * strongest level, 0 when none.  *partial: found only by a part of the
 * header (one side of its brackets). */
int scan_level_of(const struct colink_scan_vocab *v, const char *header,
		  const struct colink_field_def **cand, size_t max, size_t *n, int *weak,
		  int *partial);
/* The kind a header hints at by a `kind` row, else NULL. */
const char *scan_kind_word(const struct colink_scan_vocab *v, const char *header);
/* The kind a field's table belongs to, else NULL (identifiers, person). */
const char *scan_kind_of_field(const struct colink_field_def *f);
/* 1 when the header is an `identifier` row (any of its spellings). */
int scan_is_idword(const struct colink_scan_vocab *v, const char *header);

/* scan_shape.c */
/* Identifier by the values' shape and count alone (no name to go by, or
 * a name that is not an identifier's): digit strings of id-like length,
 * kana names, birth dates, distinct values near the number of persons
 * `persons` (0: unknown). */
int scan_shape_is_identifier(const struct colink_scan_column *c, uint64_t persons);

#endif
