/*
 * audit_ledger.h -- the audit log against a warehouse's run ledger (#24).
 *
 * A run writes a "committing" intent (fsynced) before its COMMIT and an
 * "ok" completion entry after it; the ledger (read through
 * engine/warehouse) says which runs committed.  Whatever the crash point,
 * every committed run must be in the log: completed exactly once, or --
 * killed between COMMIT and its completion entry -- named by its intent
 * until the next run on the warehouse completes it
 * (colink_audit_ledger_complete).
 */
#ifndef COLINK_AUDIT_LEDGER_H
#define COLINK_AUDIT_LEDGER_H

#include <stdint.h>

#include "colink/plugin.h"

/* What reconciling finds about one run. */
enum colink_audit_finding {
	COLINK_AUDIT_MISSING,       /* committed; the log has no entry for it (a problem) */
	COLINK_AUDIT_DUPLICATE,     /* committed; completed in the log more than once (a problem) */
	COLINK_AUDIT_CONTRADICTED,  /* completed in the log, not committed in the ledger (a problem) */
	COLINK_AUDIT_INTENT_ONLY,   /* committed; only its intent is logged (the next run completes it) */
	COLINK_AUDIT_NOT_COMMITTED  /* an intent with nothing after it, run not committed: nothing landed */
};

struct colink_audit_finding_info {
	enum colink_audit_finding what;
	const char *run_id;
	const char *ledger_status; /* "ok", "failed", "incomplete" */
	uint64_t line;             /* the log line of its (last) intent or completion; 0 none */
	uint64_t times;            /* DUPLICATE: completion entries */
};
typedef void (*colink_audit_finding_fn)(void *ud, const struct colink_audit_finding_info *f);

struct colink_audit_tally {
	uint64_t committed;       /* runs the ledger says committed ('ok') */
	uint64_t completed_once;  /* ... completed exactly once in the log */
	uint64_t recovered;       /* ... of which the completion was written by a later run */
	uint64_t intent_only;     /* ... named by their intent only */
	uint64_t missing;         /* ... absent from the log */
	uint64_t duplicate;       /* ... completed more than once */
	uint64_t contradicted;    /* completed in the log, not committed in the ledger */
	uint64_t not_committed;   /* intents of runs that did not commit, nothing after them */
	uint64_t elsewhere;       /* runs of the log not in this warehouse (a shared log) */
};

/* Reconcile `log` with the ledger of `warehouse` (a path or URI): fn is
 * called once per finding, ledger order, then logged runs elsewhere are
 * counted.  COLINK_OK when every committed run is logged (intent-only
 * included: it names the run), COLINK_EPOLICY when a run is missing,
 * duplicated or contradicted; another negative code (err set) when the
 * log or the ledger cannot be read. */
int colink_audit_ledger_reconcile(const char *log, const char *warehouse, colink_audit_finding_fn fn,
				  void *ud, struct colink_audit_tally *t, struct colink_error *err);

/* Complete (colink_audit_complete) every run of `log` that `warehouse`'s
 * ledger says committed but whose completion entry is missing, naming
 * `by_run`.  A warehouse that does not exist yet has nothing to complete.
 * *completed: the entries appended. */
int colink_audit_ledger_complete(const char *log, const char *warehouse, const char *by_run,
				 size_t *completed, struct colink_error *err);

#endif
