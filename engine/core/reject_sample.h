/*
 * reject_sample.h -- the first rejects of a run, with every reason, for the
 * run's summary (`colink run --json`, `colink run --dry-run`).
 *
 * The writer (writer.c) adds each reject it hands to the output, on its
 * own thread while an input is read; the caller reads the sample once
 * colink_writer_finish has returned.  Reasons never carry a value, so the
 * sample carries none either.
 */
#ifndef COLINK_REJECT_SAMPLE_H
#define COLINK_REJECT_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "colink/plugin.h"

struct colink_reject_kept {
	uint32_t input_no;
	uint64_t record_no;
	uint64_t line_no;
	size_t nreasons;
	struct colink_reject_reason *reasons; /* with their text, one allocation */
	const char *document; /* the record's document in the input, or NULL;
			       * in the reasons' allocation */
};

struct colink_reject_sample {
	size_t limit;       /* rejects kept at most (SIZE_MAX: all) */
	size_t n, cap;
	uint64_t not_kept;  /* rejects past the limit (or with no memory left) */
	struct colink_reject_kept *items;
};

/* Keep a copy of rj's reasons (every reason when rj carries the ABI 2.2
 * list, else its column and reason), or count it as not kept. */
void colink_reject_sample_add(struct colink_reject_sample *s, const struct colink_reject *rj);
void colink_reject_sample_clear(struct colink_reject_sample *s);

#endif
