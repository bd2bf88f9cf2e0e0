/*
 * pseudo_set.h -- the run's pseudonymizers: one derived key per key kind,
 * made on first use.  The transform step (core/transform.c) and the
 * plugins' pseudonym host service ask it for the HMAC of normalized parts;
 * nothing here sees a raw identifier.
 */
#ifndef COLINK_PSEUDO_SET_H
#define COLINK_PSEUDO_SET_H

#include <stddef.h>

#include "colink/plugin.h"
#include "identity/identity.h"

/* The run's pseudonymizers: one derived key per key kind, made lazily. */
struct colink_pseudo_set;

/* `key` may be NULL for a run whose inputs are all pseudonymized extracts;
 * then `key_id` (required) is the id they must have been made with. */
int colink_pseudo_set_new(struct colink_pseudo_set **out,
			  const struct colink_key *key, const char *key_id,
			  const char *agreement, struct colink_error *err);
/* The run's key id (16 hex); borrowed. */
const char *colink_pseudo_set_key_id(const struct colink_pseudo_set *ps);
void colink_pseudo_set_free(struct colink_pseudo_set *ps);
int colink_pseudo_set_compute(struct colink_pseudo_set *ps, const char *kind,
			      size_t nparts, const char *const *parts,
			      const size_t *lens, char out[65],
			      struct colink_error *err);
/* The same, remembered for the run: for inputs of a small domain only
 * (a kana bigram, a birth year, a sex, an insurer: up to 24 bytes in
 * all, 12,288 of them), so the same input costs one HMAC a run, not one
 * a record.  The memory holds inputs and their keyed hashes, as the key
 * itself is held: wiped at colink_pseudo_set_free, never written out.
 * Card numbers and names are not for it (their domain is not small). */
int colink_pseudo_set_memo(struct colink_pseudo_set *ps, const char *kind,
			   size_t nparts, const char *const *parts,
			   const size_t *lens, char out[65], struct colink_error *err);

#endif
