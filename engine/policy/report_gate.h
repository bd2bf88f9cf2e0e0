/*
 * report_gate.h -- the agreement gate of every `colink report` verb
 * (engine/cli/cmd_report.c, cmd_whitepaper.c; issue #14 moved it here from
 * the CLI, beside the gate `colink run` passes): what a report starts from and ends with: its source (a JOB, or
 * options, naming the warehouse, agreement, purpose, recipient and audit
 * log), the agreement checks every report makes before reading a row, the
 * warehouse opened read-only, the per-field agreement gate, and the common
 * members of its audit entry (kind "export").
 */
#ifndef COLINK_REPORT_GATE_H
#define COLINK_REPORT_GATE_H

#include <stddef.h>

#include "policy/agreement.h"
#include "policy/audit.h"
#include "core/job.h"
#include "warehouse/warehouse.h"

#define COLINK_REPORT_MAX_ITEMS 64

/* A verb's source options; every pointer borrowed, NULL = not given. */
struct colink_report_src_opts {
	const char *job, *warehouse, *agreement_file, *purpose, *role, *party, *audit_log;
	const char *default_purpose; /* without --purpose (a JOB's purpose is not used) */
	const char *subject;         /* "no agreement: <subject> checked against ...":
					"every report is", "the white paper is" */
};

/* Zero it before colink_report_src_open(); colink_report_src_free() releases it. */
struct colink_report_src {
	struct colink_job *job;       /* owned; NULL without a JOB */
	struct colink_agreement *agr; /* owned */
	struct colink_wh *wh;         /* owned; read-only, busy timeout set */
	char *warehouse, *audit_log;  /* owned */
	const char *purpose, *role;   /* borrowed from the options or the job */
	const char *agreement_id;     /* borrowed from agr */
	int party;                    /* the recipient's, enum colink_party */
	/* fields the report releases, for the audit entry (borrowed names) */
	const char *items[COLINK_REPORT_MAX_ITEMS];
	size_t nitems;
};

/*
 * Resolve `o` (options first, then the JOB: output "path", agreement file,
 * audit log, recipient), load the agreement and check it against the job
 * (id) and the recipient (party and role), default the audit log to
 * audit.log beside the warehouse, and open the warehouse read-only.
 * Returns 0 or a negative code with *err set (one line); on failure what
 * was acquired stays in `s` for colink_report_src_free().
 */
int colink_report_src_open(struct colink_report_src *s, const struct colink_report_src_opts *o, const char *data_dir,
		    struct colink_error *err);

/* Close and free everything `s` owns.  Accepts a zeroed `s`. */
void colink_report_src_free(struct colink_report_src *s);

/*
 * May `field`, which belongs to `owner` (enum colink_party), reach the
 * recipient for the purpose at `level` (enum colink_level)?  A field that
 * stays with its own party still needs the purpose to be one of the
 * agreement's.  An allowed field is recorded once in s->items.
 */
int colink_report_src_allowed(struct colink_report_src *s, const char *field, int owner, int level);

/* 1 when every field of the NULL-terminated `fields` is allowed (each one
 * is checked and recorded); else 0 and, when first_refused is not NULL, the
 * first refused field there. */
int colink_report_src_all_allowed(struct colink_report_src *s, const char *const *fields, int owner, int level,
			   const char **first_refused);

/* 1 when `field` was allowed (is in s->items). */
int colink_report_src_released(const struct colink_report_src *s, const char *field);

/*
 * Fill the members of an export entry that come from the source: kind
 * "export", `job` (the verb), `status`, `message` (may be NULL), the job's
 * SHA-256, purpose, recipient, agreement and the items released.  The
 * caller adds key id, output and counts, then colink_audit_append(s->audit_log).
 */
void colink_report_src_entry(const struct colink_report_src *s, struct colink_audit_entry *e, const char *job,
		      const char *status, const char *message);

/* Append the export entry of `verb` ("report referral", ...) to the audit
 * log: the source's members (colink_report_src_entry) plus key id (may be
 * NULL), output and counts. */
int colink_report_src_audit(const struct colink_report_src *s, const char *verb, const char *status,
			    const char *message, const char *key_id, const char *output,
			    const struct colink_audit_count *counts, size_t ncounts,
			    struct colink_error *err);

/* ---- what each report may release ---- */

enum colink_report_kind { COLINK_REPORT_REFERRAL, COLINK_REPORT_GUIDANCE, COLINK_REPORT_SMOKING };
#define COLINK_REPORT_AREAS 6 /* bp, lipid, liver, glucose, kidney, anemia (enum colink_area) */

struct colink_report_release {
	int area_ok[COLINK_REPORT_AREAS]; /* referral: the area's values may be released */
	int detail_ok;   /* ages, reasons, values: only for the data's own party */
	int site_ok;     /* the site column / the smoking rates' grouping */
	int followup_ok; /* the follow-up's sources (claims, medication answers) */
};

/* Decide what a referral, guidance or smoking report may release at the
 * level its options make (identified: individual; smoking rates without
 * persons: aggregate; else pseudonymized); each allowed item is recorded
 * in s->items.  COLINK_EPOLICY with `why` (one line) when nothing may be. */
int colink_report_gate_programs(struct colink_report_src *s, enum colink_report_kind kind,
				int identified, int persons, struct colink_report_release *rel,
				char *why, size_t wn);

/* The white paper at aggregate level: COLINK_EPOLICY with err set when a
 * core item is refused; else whether attendance means and medical cost may
 * be released, and whether the medical cost may band a person by the linked
 * roster's birth month (the employer's birth_date, at aggregate level). */
int colink_report_gate_whitepaper(struct colink_report_src *s, int *attendance_allowed,
				  int *claims_allowed, int *claims_roster_age, struct colink_error *err);
/* The white paper's ⑤ その他: 1 when the agreement lets programme
 * participation (the employer's) reach the recipient at aggregate level
 * (recorded in s->items), else 0 and the section is left out. */
int colink_report_gate_participation(struct colink_report_src *s);
/* The white paper's 傷病手当金 figures (#21 part 5): 1 when the agreement
 * lets the association's allowance payments (要配慮: their cause) reach the
 * recipient at aggregate level -- for an employer-side recipient a clause
 * naming table allowance (the sample's A1); the association's own
 * recipient needs none, like every item that stays with its party --
 * recorded in s->items; else 0 and the section is left out. */
int colink_report_gate_allowance(struct colink_report_src *s);
/* The white paper's medical cost by disease group (#21 part 6): 1 when the
 * claims, their diagnoses and the disease master's ICD-10 codes may reach
 * the recipient at aggregate level (recorded), else 0 and left out. */
int colink_report_gate_claim_groups(struct colink_report_src *s);

/* 受診状況確認 from claims: 1 when the agreement releases the claims'
 * diagnoses (diagnosis_code, diag_service_month, diag_start_date,
 * diag_suspected) for the report's recipient at its level (identified:
 * individual); they then join the report's released items. */
int colink_report_gate_followup_claims(struct colink_report_src *s, int identified);

#endif
