/*
 * transform.h -- one raw record in, one typed and pseudonymized record out.
 *
 * This is where the raw identifier meets the identity step: identifier
 * fields are normalized and hashed here, and their raw and normalized forms
 * are wiped before colink_transform_record() returns.  Nothing after this
 * point ever sees them.
 */
#ifndef COLINK_TRANSFORM_H
#define COLINK_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/items_seen.h"
#include "colink/plugin.h"
#include "identity/identity.h"
#include "identity/pseudo_set.h"
#include "identity/feature.h"
#include "core/mapping.h"

struct colink_transform;

/* Per input.  Borrowed arguments must outlive the transform. */
int colink_transform_new(struct colink_transform **out,
			 const struct colink_mapping *m,
			 const struct colink_catalog *cat,
			 struct colink_pseudo_set *ps, uint32_t input_no,
			 const char *input_path, struct colink_error *err);
void colink_transform_free(struct colink_transform *t);

/* Also derive the keyed comparison features (identity/feature.h) as
 * pseudonyms of kinds "feature.*": for a job with a probabilistic link
 * pass (#23), the name filter in encoding name_filter (COLINK_BF_*, 0:
 * plain) with diffusion window `window`.  Off by default. */
void colink_transform_set_features(struct colink_transform *t, int on, unsigned name_filter,
				   unsigned window);

/* The source's header: resolves column names to positions.  A column the
 * mapping names but the header lacks is a fatal error naming both. */
int colink_transform_header(struct colink_transform *t, size_t n,
			    const char *const *names, struct colink_error *err);

/* COLINK_EABI with *err set when an input plugin's record is not an ABI
 * 2.0 record (struct_size, or the stride of its fields, too small). */
int colink_raw_record_check(const struct colink_raw_record *rec,
			    struct colink_error *err);

/*
 * Transform one record (checked with colink_raw_record_check first).
 * COLINK_OK (COLINK_LOADED): *out is valid until the next call; every
 * value's field_index is its field's index in the catalogue.
 * COLINK_REJECTED: *rej is filled with every reason of the record, in
 * the order of the mapping's columns, then the record-level checks (birth
 * after exam, person key); column/reason are the first (all valid until
 * the next call).  Negatives are fatal for the run.
 */
int colink_transform_record(struct colink_transform *t,
			    const struct colink_raw_record *rec,
			    const struct colink_out_record **out,
			    struct colink_reject *rej, struct colink_error *err);

/* Lineage for the ledger: field -> source column ("#N" for positions). */
size_t colink_transform_lineage(const struct colink_transform *t,
				const char *const **fields,
				const char *const **sources);

/* Item codes the catalogue does not map and items without a value, seen
 * so far (items_seen.h); valid until colink_transform_free. */
const struct colink_items_seen *colink_transform_items_seen(const struct colink_transform *t);

#endif
