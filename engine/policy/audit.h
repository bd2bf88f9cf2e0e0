/*
 * audit.h -- the tamper-evident audit log.
 *
 * One line per entry (JSON Lines), append-only, hash-chained: each entry
 * holds `seq` (1, 2, 3 ...), `prev` (the previous entry's hash; 64 zeros
 * for the first) and `hash` = SHA-256 over the entry's canonical text,
 * which is the line itself with the `"hash":"..."` member left out (the
 * writer emits the members in one fixed order, so the text is canonical).
 * Editing, removing, reordering or truncating entries breaks the chain,
 * and colink_audit_verify() says where.
 *
 * Appending takes an exclusive lock (flock) on the log, reads the last
 * entry to chain to it, writes one line with O_APPEND and fsyncs.  The log
 * holds no raw identifier: items are common-schema field names, files are
 * named with their SHA-256, the key by its id.
 */
#ifndef COLINK_AUDIT_H
#define COLINK_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "colink/plugin.h"

/* A file and its SHA-256, as recorded (path as given; never file contents). */
struct colink_audit_file {
	const char *path;
	const char *sha256; /* 64 hex */
};

/* One named count ("read", "loaded", "rejected", "withheld-without-consent" ...). */
struct colink_audit_count {
	const char *name;
	uint64_t value;
};

/*
 * What the caller records.  Every pointer is borrowed for the duration of
 * colink_audit_append(); NULL strings are written as "".  seq, time,
 * prev and hash are filled by colink_audit_append(), not the caller.
 */
struct colink_audit_entry {
	const char *kind;           /* "run" or "export" */
	const char *status;         /* "ok" / "failed" / "refused" */
	const char *user;           /* OS user; NULL: colink_os_user() */
	const char *job;            /* job name (or the verb for an export) */
	const char *job_sha256;     /* may be NULL */
	const char *run_id;         /* may be NULL */
	const char *purpose;
	const char *recipient_party;/* "employer" / "association" */
	const char *recipient_role;
	const char *agreement_id;
	const char *agreement_sha256;
	/* who signed the agreement ("signed: ..."), "unsigned" (run with
	 * --unsigned-agreement) or why it did not verify; NULL: the member is
	 * left out (entries of verbs that do not check signatures) (#24) */
	const char *agreement_signing;
	const char *key_id;         /* may be NULL */
	const char *output;         /* warehouse or export file; may be NULL */
	const char *message;        /* failure reason, one line; may be NULL */
	size_t nmappings;
	const struct colink_audit_file *mappings;
	size_t ninputs;
	const struct colink_audit_file *inputs;
	size_t nitems;
	const char *const *items;   /* common-schema fields released */
	size_t ncounts;
	const struct colink_audit_count *counts;
};

/* Append `e` to `log` (created 0600 if absent).  Fails (COLINK_EIO) if
 * the log's last line is not a complete entry.  Returns 0 or a negative
 * code with *err set. */
int colink_audit_append(const char *log, const struct colink_audit_entry *e,
			struct colink_error *err);

/*
 * Two phases, for a writer that must not commit data it cannot audit:
 * colink_audit_prepare() locks the log, chains to its last entry and
 * formats the entry (everything that can fail for lack of memory or a
 * damaged log happens here, before the caller commits); then
 * colink_audit_finish() only writes and fsyncs the prepared line, or
 * colink_audit_cancel() drops it.  The log stays locked in between, so
 * keep the interval short.  Both free the pending entry.
 */
struct colink_audit_pending;
int colink_audit_prepare(struct colink_audit_pending **out, const char *log,
			 const struct colink_audit_entry *e, struct colink_error *err);
/* The same, waiting at most wait_ms for a log that another process holds
 * (a run inside its commit): COLINK_EBUSY after that.  wait_ms < 0 waits
 * as long as it takes, as colink_audit_prepare does. */
int colink_audit_prepare_within(struct colink_audit_pending **out, const char *log,
				const struct colink_audit_entry *e, int wait_ms,
				struct colink_error *err);
int colink_audit_finish(struct colink_audit_pending *p, struct colink_error *err);
void colink_audit_cancel(struct colink_audit_pending *p); /* accepts NULL */
/* Write and fsync the prepared line now, keep the log locked, and prepare
 * `e` chained after it (#24: a run's "committing" intent entry is on disk
 * before its COMMIT, its "ok" completion entry after).  On failure the
 * pending entry is still the caller's to cancel. */
int colink_audit_chain(struct colink_audit_pending *p, const struct colink_audit_entry *e,
		       struct colink_error *err);

/* The result of a verification. */
struct colink_audit_verdict {
	uint64_t entries;        /* entries read that chained correctly */
	uint64_t bad_line;       /* 1-based line of the first problem, 0 if intact */
	char problem[COLINK_ERRMSG_MAX]; /* one line, "" if intact */
	char head[65];           /* hash of the last entry that chained (64 zeros: none) */
};

/* Verify the whole chain, streaming (memory does not grow with the log).
 * Returns COLINK_OK when intact, COLINK_EPOLICY when tampered (verdict
 * says where: "line N: hash mismatch (entry edited)", "line N: sequence
 * gap: entry K missing", "line N: entry K out of order", "line N:
 * truncated last line", "line N: prev does not match the hash of entry
 * K"), or another negative code when the log cannot be read. */
int colink_audit_verify(const char *log, struct colink_audit_verdict *v,
			struct colink_error *err);

/*
 * Completing a run killed between its COMMIT and its completion entry
 * (#24).  Locks `log` as an append does (a run holds that lock from its
 * "committing" intent to its completion entry, so no live run is in that
 * window meanwhile) and finds the runs whose only entries are "committing"
 * intents.  For each, committed(ud, run_id, err) says whether the run
 * committed (1; the caller reads the warehouse ledger), did not (0), or
 * stops the whole call (a negative code, err set).  Each committed one
 * gets a completion entry chained at the end: the intent's members with
 * status "ok", time now, the message "completed by run BY_RUN: ..." and a
 * last member "recovered_by":"BY_RUN".  A log that is missing, cannot be
 * opened for appending or ends in a damaged line is left alone (COLINK_OK:
 * the caller's own append reports it).  A log locked by another process
 * (a run inside its commit) is not waited for: COLINK_EBUSY, nothing
 * appended.  *completed: the entries appended.
 */
typedef int (*colink_audit_committed_fn)(void *ud, const char *run_id, struct colink_error *err);
int colink_audit_complete(const char *log, const char *by_run, colink_audit_committed_fn committed,
			  void *ud, size_t *completed, struct colink_error *err);

/* The member `name` of an entry line (a string's text unescaped as far as
 * \" and \\, or a number's digits) into out, "" when absent.  Members are
 * searched as ,"name": so that text inside a value (where a quote is
 * always escaped) never matches. */
void colink_audit_member(const char *line, const char *name, char *out, size_t n);

/* Called once per entry, in file order, by colink_audit_read(); `json` is
 * the line (borrowed for the call), `line` its 1-based number.  Return
 * non-zero to stop. */
typedef int (*colink_audit_entry_fn)(void *ud, uint64_t line, const char *json);
int colink_audit_read(const char *log, colink_audit_entry_fn fn, void *ud,
		      struct colink_error *err);

#endif
