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

#endif
