/*
 * writer.h -- hand records to the output plugin on a second thread.
 *
 * The core reads, maps, pseudonymizes and filters records on the calling
 * thread; a writer thread calls the output plugin's write and reject for
 * them, in the order they were handed over, joined by a bounded queue of
 * copies.  The output plugin is only ever called from one thread at a
 * time: the writer while an input is being read, the caller otherwise
 * (colink_writer_finish waits for the writer to finish and stops it before
 * input_end, link, commit or abort).  So the warehouse gets exactly the
 * calls, in exactly the order, that a single thread would make, and its
 * contents do not depend on the threading.
 *
 * COLINK_WRITER_THREAD=0 in the environment makes the calls on the
 * calling thread instead (same code path, no thread): for debugging and
 * for measuring the thread's effect (bench/RESULTS.md).
 *
 * Memory: a fixed number of queue slots, each keeping its copy buffers
 * from one record to the next (they grow to the largest record seen), so
 * memory stays flat however many records an input has.
 */
#ifndef COLINK_WRITER_H
#define COLINK_WRITER_H

#include <stdint.h>

#include "colink/plugin.h"

struct colink_writer;

/* Start a writer for input input_no (a thread unless disabled). */
int colink_writer_start(struct colink_writer **out, const struct colink_output_ops *ops,
			void *out_ctx, uint32_t input_no, struct colink_error *err);

/* Hand over a copy of rec for ops->write; a reject the output returns is
 * recorded through ops->reject with its reason.  COLINK_OK, COLINK_ENOMEM,
 * or COLINK_EABORT once the writer has failed (colink_writer_finish gives
 * its error). */
int colink_writer_record(struct colink_writer *w, const struct colink_out_record *rec);

/* Hand over a copy of a reject for ops->reject, in order with the records. */
int colink_writer_reject(struct colink_writer *w, const struct colink_reject *rj);

/* Keep every reject handed to the output (with all its reasons) in s as
 * well, as far as its limit; s is written on the writer's thread until
 * colink_writer_finish returns.  Call before the first record. */
struct colink_reject_sample;
void colink_writer_sample(struct colink_writer *w, struct colink_reject_sample *s);

/* Non-zero once the writer has failed (it then takes nothing more). */
int colink_writer_failed(struct colink_writer *w);

/* Records loaded and rejected so far (for progress lines). */
void colink_writer_counts(struct colink_writer *w, uint64_t *loaded, uint64_t *rejected);

/* Wait until everything handed over is written, stop the writer and free
 * it (w may be NULL).  Adds the counts to *loaded and *rejected.  Returns
 * the writer's failure (its message copied into err) or COLINK_OK. */
int colink_writer_finish(struct colink_writer *w, uint64_t *loaded, uint64_t *rejected,
			 struct colink_error *err);

#endif
