/*
 * metrics.h -- a run's outcome as a Prometheus text-format file (#22), for
 * node_exporter's textfile collector (`colink run --metrics-file PATH`).
 *
 * Every sample is a gauge labelled with job="NAME" (the job file's name
 * without ".xml", as colink@NAME.timer names it); the file holds counts,
 * times and labels only, never an identifier or a file name.  The families:
 *
 *   colink_run_exit_code, colink_run_success (1 when the exit code is 0
 *   or 1: committed), colink_run_duration_seconds,
 *   colink_run_timestamp_seconds (when this run ended),
 *   colink_run_last_success_timestamp_seconds (this run's end when it
 *   committed, else carried over from the file it replaces; absent until
 *   a run of the job has succeeded), colink_run_records_{read,loaded,rejected},
 *   colink_input_records_{read,loaded,rejected} (labels input = the input
 *   file's number in the run, mapping = the mapping's id, plugin),
 *   colink_link_persons{side}, colink_link_linked{pass,key},
 *   colink_link_linked_total, colink_link_ambiguous, colink_link_unmatched{side}.
 *
 * The file is replaced atomically: written to a temporary file in the same
 * folder (whose name does not end in .prom, so that the collector never
 * reads it half-written), fsynced, renamed over PATH.  Mode 0644 whatever
 * the umask: the collector runs as another user, and nothing in it is
 * personal.
 */
#ifndef COLINK_METRICS_H
#define COLINK_METRICS_H

#include <time.h>

#include "core/run.h"

struct colink_metrics_run {
	const char *job;                     /* the job label */
	const struct colink_plan *plan;      /* NULL when the job did not load */
	const struct colink_run_result *res; /* NULL when the run did not start */
	int exit_code;                       /* colink's exit code */
	double seconds;                      /* wall time of the command */
	time_t finished;                     /* the end of the run */
};

/* The job label for a job file: its base name without ".xml".  Caller frees. */
char *colink_metrics_job_label(const char *job_path);

/* Write the file (see above). */
int colink_metrics_write(const char *path, const struct colink_metrics_run *m,
			 struct colink_error *err);

/* `s` as a label value (quoted: '\' '"' and newline escaped, a byte that is
 * not valid UTF-8 as U+FFFD); exposed for the tests. */
void colink_metrics_label(FILE *f, const char *s);

#endif
