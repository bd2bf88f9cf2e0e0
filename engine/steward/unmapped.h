/*
 * unmapped.h -- no identifier is stored raw through
 * <unmapped columns="observation"/> (issue #24).
 *
 * A mapping that keeps the columns it does not name stores each of them as
 * raw text in the long `observation` table.  Which columns those are is
 * known only from the input: so before any data moves, each input's header
 * row (or, for a plugin without one, the field names of its first record)
 * is read through its input plugin, and every column the mapping neither
 * maps nor drops with <ignore column=.../> is judged by name, with the
 * same decision as `colink scan` (colink_scan_header_is_identifier: the
 * catalogue, items.tsv and synonyms.tsv).  A column that is or looks like
 * an identifier, or has no name at all, refuses the mapping with one line
 *   MAPPING:LINE: column "X" of INPUT (column N) ... map it ... or <ignore column="X"/>
 * where LINE is the mapping's <unmapped> element.  Only names are read
 * into the message; no value is kept or printed.  Names with a '.' that
 * are not item codes (MHLW XML header parts, author names) are never
 * stored unmapped and are not judged.  Values are judged one by one at
 * run time by their shape (colink_identifier_shape, identity.h): the
 * transform rejects a record whose kept value looks like an identifier.
 */
#ifndef COLINK_UNMAPPED_H
#define COLINK_UNMAPPED_H

#include "core/run.h"
#include "steward/scan.h"

/* One input file read through plugin `lp` with settings `vals` (borrowed).
 * COLINK_OK when m does not keep unmapped columns or none is an identifier;
 * COLINK_EINVAL with *err set when one is.  A file the plugin cannot open
 * or decode is left to the run, which reports it in its own words. */
int colink_unmapped_check_file(const struct colink_mapping *m,
			       const struct colink_scan_vocab *v,
			       const struct colink_loaded_plugin *lp,
			       const struct colink_setting_value *vals,
			       const char *input, struct colink_error *err);

/* Every input file of the plan (`colink check JOB`, `run`, `pseudonymize`),
 * with the vocabulary of data_dir loaded once. */
int colink_unmapped_check_plan(const struct colink_plan *p, const char *data_dir,
			       struct colink_error *err);

#endif
