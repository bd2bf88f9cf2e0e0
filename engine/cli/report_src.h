/*
 * report_src.h -- what every `colink report` verb (cmd_report.c,
 * cmd_whitepaper.c) starts from and ends with: its source (a JOB, or
 * options, naming the warehouse, agreement, purpose, recipient and audit
 * log), the agreement checks every report makes before reading a row, the
 * warehouse opened read-only, the per-field agreement gate, and the common
 * members of its audit entry (kind "export").
 */
#ifndef COLINK_REPORT_SRC_H
#define COLINK_REPORT_SRC_H

#include <stddef.h>

#include "policy/agreement.h"
#include "policy/audit.h"
#include "core/job.h"
#include "warehouse/warehouse.h"

#define REPORT_SRC_MAX_ITEMS 48

/* A verb's source options; every pointer borrowed, NULL = not given. */
struct report_src_opts {
	const char *job, *warehouse, *agreement_file, *purpose, *role, *party, *audit_log;
	const char *default_purpose; /* without --purpose (a JOB's purpose is not used) */
	const char *subject;         /* "no agreement: <subject> checked against ...":
					"every report is", "the white paper is" */
};

/* If `a` (with its value `v`, NULL after the last argument) is one of the
 * source options (--warehouse --agreement --purpose --role --party
 * --audit-log), store v in `o` and return 1 (the caller skips v); else 0. */
int report_src_option(struct report_src_opts *o, const char *a, const char *v);

/* Zero it before report_src_open(); report_src_free() releases it. */
struct report_src {
	struct colink_job *job;       /* owned; NULL without a JOB */
	struct colink_agreement *agr; /* owned */
	struct colink_wh *wh;         /* owned; read-only, busy timeout set */
	char *warehouse, *audit_log;  /* owned */
	const char *purpose, *role;   /* borrowed from the options or the job */
	const char *agreement_id;     /* borrowed from agr */
	int party;                    /* the recipient's, enum colink_party */
	/* fields the report releases, for the audit entry (borrowed names) */
	const char *items[REPORT_SRC_MAX_ITEMS];
	size_t nitems;
};

/*
 * Resolve `o` (options first, then the JOB: output "path", agreement file,
 * audit log, recipient), load the agreement and check it against the job
 * (id) and the recipient (party and role), default the audit log to
 * audit.log beside the warehouse, and open the warehouse read-only.
 * Returns 0 or a negative code with *err set (one line); on failure what
 * was acquired stays in `s` for report_src_free().
 */
int report_src_open(struct report_src *s, const struct report_src_opts *o, const char *data_dir,
		    struct colink_error *err);

/* Close and free everything `s` owns.  Accepts a zeroed `s`. */
void report_src_free(struct report_src *s);

/*
 * May `field`, which belongs to `owner` (enum colink_party), reach the
 * recipient for the purpose at `level` (enum colink_level)?  A field that
 * stays with its own party still needs the purpose to be one of the
 * agreement's.  An allowed field is recorded once in s->items.
 */
int report_src_allowed(struct report_src *s, const char *field, int owner, int level);

/* 1 when every field of the NULL-terminated `fields` is allowed (each one
 * is checked and recorded); else 0 and, when first_refused is not NULL, the
 * first refused field there. */
int report_src_all_allowed(struct report_src *s, const char *const *fields, int owner, int level,
			   const char **first_refused);

/* 1 when `field` was allowed (is in s->items). */
int report_src_released(const struct report_src *s, const char *field);

/*
 * Fill the members of an export entry that come from the source: kind
 * "export", `job` (the verb), `status`, `message` (may be NULL), the job's
 * SHA-256, purpose, recipient, agreement and the items released.  The
 * caller adds key id, output and counts, then colink_audit_append(s->audit_log).
 */
void report_src_entry(const struct report_src *s, struct colink_audit_entry *e, const char *job,
		      const char *status, const char *message);

#endif
