/*
 * agreement.h -- joint-use agreements (共同利用, 個人情報保護法 第27条第5項第3号).
 *
 * An agreement file (mappings/schema/agreement.rng, an instance in
 * samples/agreement.xml) states what was announced in advance: the shared
 * items, the co-users (parties and their roles), the purposes, the
 * responsible party (title, name, address, representative) and the uses
 * that are explicitly prohibited (人事評価 ...).  Each <clause> allows a set
 * of common-schema fields to flow in one direction, for some purposes, to
 * some roles, up to a level of identification.
 *
 * The engine checks every job against its agreement before any data moves
 * (run.c) and filters every record before an output plugin sees it.  Other
 * verbs (reports, `colink doc`) read the same structure through this header.
 *
 * Ownership: colink_agreement_load() returns an agreement the caller frees
 * with colink_agreement_free().  Every `const char *` and struct pointer
 * returned by an accessor is borrowed from the agreement and valid until it
 * is freed.  Nothing here keeps global state.
 */
#ifndef COLINK_AGREEMENT_H
#define COLINK_AGREEMENT_H

#include <stddef.h>

#include "colink/plugin.h"

/* The two parties of a collabo-health joint use. */
enum colink_party {
	COLINK_PARTY_NONE = 0,
	COLINK_PARTY_ASSOCIATION = 1, /* 健保組合 ("association") */
	COLINK_PARTY_EMPLOYER = 2     /* 企業（事業主） ("employer") */
};

/* Direction of a flow between the parties. */
enum colink_flow {
	COLINK_FLOW_NONE = 0,                 /* source party == recipient party */
	COLINK_FLOW_ASSOCIATION_TO_EMPLOYER = 1,
	COLINK_FLOW_EMPLOYER_TO_ASSOCIATION = 2
};

/* Level of identification, ordered: a clause allowing a level allows every
 * lower one (individual ⊇ pseudonymized ⊇ aggregate). */
enum colink_level {
	COLINK_LEVEL_NONE = 0,
	COLINK_LEVEL_AGGREGATE = 1,     /* aggregate only ("aggregate") */
	COLINK_LEVEL_PSEUDONYMIZED = 2, /* pseudonymized individual ("pseudonymized") */
	COLINK_LEVEL_INDIVIDUAL = 3     /* identified individual ("individual") */
};

/* One co-user party. */
struct colink_agreement_party {
	int party;                  /* enum colink_party */
	const char *name;           /* 名称, e.g. "ミツバ健康保険組合" */
	const char *address;        /* 住所 (required since 2022-04-01) */
	const char *representative; /* 代表者 (title and name) */
	const char *resp_title;     /* 責任者の役職, e.g. "常務理事" */
	const char *resp_name;      /* 責任者の氏名 */
	size_t nroles;
	const char *const *roles;   /* co-user roles (利用する者の範囲) */
	const int *role_lines;      /* source line of each role */
	int line;                   /* line of <party> */
};

/* One item clause: fields that may cross parties. */
struct colink_agreement_clause {
	const char *id;             /* clause id, e.g. "C1" (unique) */
	int flow;                   /* enum colink_flow (never NONE) */
	int level;                  /* enum colink_level: the highest allowed */
	int consent_required;       /* 1: only records whose consent flag is yes */
	size_t nfields;
	const char *const *fields;  /* common-schema field names */
	size_t npurposes;
	const char *const *purposes;/* each one of the agreement's purposes */
	size_t nroles;
	const char *const *roles;   /* recipient roles (of the receiving party) */
	const char *note;           /* free text or NULL */
	int line;                   /* line of <clause> */
};

struct colink_agreement;

/* Load and validate an agreement file: schema (agreement.rng under
 * data_dir/schema, data_dir NULL = the installed/source mappings), then
 * coherence: unique clause ids, every clause purpose one of the purposes,
 * every clause role a role of the receiving party, both parties present,
 * from <= to.  `cat` (may be NULL) also checks that each clause field is a
 * common-schema field.  Errors are one line `FILE:LINE: message`
 * (COLINK_EINVAL, COLINK_ENOTFOUND for a missing file).  On success *out
 * is owned by the caller. */
struct colink_catalog;
int colink_agreement_load(struct colink_agreement **out, const char *path,
			  const char *data_dir, const struct colink_catalog *cat,
			  struct colink_error *err);
/* Free; accepts NULL. */
void colink_agreement_free(struct colink_agreement *a);

/* Identity and provenance (borrowed strings). */
const char *colink_agreement_id(const struct colink_agreement *a);
const char *colink_agreement_version(const struct colink_agreement *a);
const char *colink_agreement_title(const struct colink_agreement *a);  /* may be "" */
const char *colink_agreement_path(const struct colink_agreement *a);
/* SHA-256 (64 hex) of the file's bytes as loaded. */
const char *colink_agreement_sha256(const struct colink_agreement *a);
/* Effective period, inclusive, as yyyymmdd integers; `to` 0 = open-ended. */
void colink_agreement_period(const struct colink_agreement *a, int *from, int *to);

/* Parties: index 0..n-1 (file order). */
size_t colink_agreement_nparties(const struct colink_agreement *a);
const struct colink_agreement_party *
colink_agreement_party_at(const struct colink_agreement *a, size_t i);
/* The party of `party` (enum colink_party), or NULL. */
const struct colink_agreement_party *
colink_agreement_party_get(const struct colink_agreement *a, int party);

/* Purposes (利用目的) and prohibited uses (e.g. 人事評価), file order;
 * *line (may be NULL) receives the source line. */
size_t colink_agreement_npurposes(const struct colink_agreement *a);
const char *colink_agreement_purpose_at(const struct colink_agreement *a,
					size_t i, int *line);
size_t colink_agreement_nprohibited(const struct colink_agreement *a);
const char *colink_agreement_prohibited_at(const struct colink_agreement *a,
					   size_t i, int *line);

/* Item clauses, file order. */
size_t colink_agreement_nclauses(const struct colink_agreement *a);
const struct colink_agreement_clause *
colink_agreement_clause_at(const struct colink_agreement *a, size_t i);

/*
 * Is `field` allowed to reach a recipient with `role` for `purpose` at
 * `level`, flowing `dir`?  Returns 0 when allowed, else a negative code
 * (COLINK_EPOLICY) with a one-line reason in `why` (may be NULL) that names
 * the item and the clause or the rule at fault.
 *   - a prohibited purpose is never allowed (even if also listed as a purpose);
 *   - a purpose that is not one of the agreement's purposes is refused;
 *   - dir COLINK_FLOW_NONE (the field stays with its source party): allowed
 *     when `role` is a role of any party (the caller checks which);
 *   - otherwise a clause must name the field, that direction, the purpose,
 *     the role, and a level >= `level`.
 * Consent-gated fields (colink_agreement_consent_gated()) are allowed here
 * if a clause allows them; the per-record consent check is the caller's.
 */
int colink_agreement_check(const struct colink_agreement *a, const char *field,
			   enum colink_flow dir, const char *purpose,
			   const char *role, enum colink_level level,
			   char *why, size_t whylen);

/* The clause that allows `field` as colink_agreement_check() would, or
 * NULL (also NULL for dir NONE). */
const struct colink_agreement_clause *
colink_agreement_clause_for(const struct colink_agreement *a, const char *field,
			    enum colink_flow dir, const char *purpose,
			    const char *role, enum colink_level level);

/*
 * The floor no agreement can lift (issue #24): purposes the law and the
 * notice exclude (人事評価, 採用・配置・昇進 and their synonyms), read with
 * every agreement from rules/excluded-purposes.tsv under the data
 * directory (a missing or unreadable rule file fails the load).  Returns
 * the term of the rule file that `purpose` contains (white space and the
 * separators ・ ･ / 、 , ignored), or NULL; *what (may be NULL) receives the
 * excluded purpose it stands for, *line (may be NULL) its line.
 * colink_agreement_check() refuses such a purpose whatever the agreement
 * says, also when the agreement lists it as a purpose.
 */
const char *colink_agreement_excluded(const struct colink_agreement *a, const char *purpose,
				      const char **what, int *line);
/* Path of the rule file read (borrowed). */
const char *colink_agreement_floor_path(const struct colink_agreement *a);

/* 1 when `purpose` is one of the prohibited uses. */
int colink_agreement_is_prohibited(const struct colink_agreement *a,
				   const char *purpose);
/* 1 when `role` is a co-user role of `party`. */
int colink_agreement_has_role(const struct colink_agreement *a, int party,
			      const char *role);
/* 1 when yyyymmdd `date` is inside the effective period. */
int colink_agreement_in_effect(const struct colink_agreement *a, int date);

/*
 * Stress-check individual results (労働安全衛生法 第66条の10): the 57
 * answers, the scale scores and the high-stress flag reach an
 * employer-side recipient only for a record whose consent flag
 * (`stress_consent`, code "1") is yes.  This is law, not agreement, so it
 * is fixed here and applies whatever the agreement says.  Returns 1 for
 * such a field name.
 */
int colink_agreement_consent_gated(const char *field);
/* The consent flag field: "stress_consent". */
#define COLINK_CONSENT_FIELD "stress_consent"

/* Names as written in agreement and job files ("association",
 * "association-to-employer", "pseudonymized" ...) and parsed back; parse
 * functions return the NONE value for an unknown name. */
const char *colink_party_name(int party);
int colink_party_parse(const char *s);
const char *colink_flow_name(int flow);   /* "association→employer" style */
int colink_flow_parse(const char *s);     /* "association-to-employer" */
const char *colink_level_name(int level);
int colink_level_parse(const char *s);

/* The run date as yyyymmdd: today (UTC), or COLINK_RUN_DATE=YYYY-MM-DD
 * when set (for tests and for re-checking a past run; documented).  0 when
 * COLINK_RUN_DATE is set but malformed. */
int colink_run_date(void);

#endif
