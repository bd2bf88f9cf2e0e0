/*
 * policy.h -- the joint-use agreement applied to a run (engine-internal).
 *
 * colink_policy_new() checks a planned job against its agreement before
 * any data moves: the agreement id, the run date inside the effective
 * period, the purpose (declared, never prohibited), the recipient role,
 * and every field each mapping can produce against the clauses, at level
 * "pseudonymized" (a warehouse load).  colink_policy_filter() then runs on
 * every record before the output plugin sees it and drops each value that
 * may not reach the recipient, so an output plugin never has to be trusted
 * with the rule.
 */
#ifndef COLINK_POLICY_H
#define COLINK_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "policy/agreement.h"
#include "core/catalog.h"
#include "colink/plugin.h"
#include "core/job.h"
#include "core/mapping.h"

struct colink_policy;

/* The source party of a mapping (its kind), or COLINK_PARTY_NONE. */
int colink_policy_source_party(const struct colink_mapping *m);

/* Check the job and its mappings (maps[i] for job input i) against `a`
 * (borrowed; must outlive the policy) for run date `date` (yyyymmdd).
 * Errors are one line "FILE:LINE: ..." with COLINK_EPOLICY (or
 * COLINK_EINVAL for an id mismatch).  On success *out is owned by the
 * caller (colink_policy_free). */
int colink_policy_new(struct colink_policy **out, const struct colink_agreement *a,
		      const struct colink_job *j, const struct colink_mapping *const *maps,
		      const struct colink_catalog *cat, int date, struct colink_error *err);
void colink_policy_free(struct colink_policy *p);

/* Filter `in` (from a mapping of source party `src`) into *out, which is
 * valid until the next call.  Counts what it withholds. */
int colink_policy_filter(struct colink_policy *p, int src,
			 const struct colink_out_record *in,
			 const struct colink_out_record **out, struct colink_error *err);

struct colink_policy_counts {
	uint64_t withheld_consent;   /* records whose stress results were withheld */
	uint64_t withheld_values;    /* values dropped as not allowed (extracts, unknown items) */
};
void colink_policy_counts(const struct colink_policy *p, struct colink_policy_counts *c);

/* The catalogue fields that reached the output at least once, in
 * catalogue order: call with i = 0, 1, ... until NULL. */
const char *colink_policy_released_at(const struct colink_policy *p, size_t i);
size_t colink_policy_nreleased(const struct colink_policy *p);

#endif
