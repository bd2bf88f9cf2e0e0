/*
 * warehouse.h -- the one module that reads a colink warehouse (issue #14).
 *
 * Every query the engine, the programs and the CLI make against a
 * warehouse is here; callers ask in domain terms ("the exams of fiscal
 * year FY with sex, age at FY end, site and job type", "the link report
 * of run R") and get C structs through callbacks.  No caller sees SQL or a
 * database handle.  The schema itself is mappings/warehouse/schema.sql;
 * out_sqlite writes it.
 *
 * Backend-neutral (this header, warehouse.c): the handle, the open by
 * URI ("sqlite:PATH" or a plain PATH; "postgresql://...[#SCHEMA]" with
 * libpq, wh_pg*.c: the link report, the programs' and the white paper's
 * reads, the run ledger, review decisions), the schema-version check and
 * its messages, every struct and
 * callback contract below, the derived facts (colink_age_band10 here,
 * colink_age_fy_end_ym in core/value.c), ordering guarantees.
 * Backend-specific (wh_int.h `struct wh_backend`, one ops table per
 * backend; SQLite in wh_sqlite*.c): the SQL text and the dialect
 * differences it hides -- parameter syntax (?1 vs $1), the existence test
 * of an optional table (sqlite_master vs information_schema), integer
 * division and CAST rules, total() vs coalesce(sum(),0), LIMIT/row_number,
 * GLOB, temporary work tables (TEMP TABLE per connection vs ON COMMIT
 * DROP), registering the derived-fact functions in SQL (sqlite3_create_
 * function vs CREATE FUNCTION), pragma_table_info vs information_schema
 * columns, read-only opening, busy timeout vs lock_timeout, and the
 * transactions of the writer (out_sqlite owns writing today).
 *
 * Ownership: strings in a struct handed to a callback are borrowed for
 * that callback only.  Functions return 0 (COLINK_OK) or a negative enum
 * colink_rc with *err set (one line) unless stated otherwise; a callback's
 * non-zero return stops the iteration and is returned as is.
 */
#ifndef COLINK_WAREHOUSE_H
#define COLINK_WAREHOUSE_H

#include <stddef.h>
#include <stdint.h>

#include "colink/plugin.h" /* struct colink_error, extract sink */

/* The schema version the readers are written for (schema.sql). */
#define COLINK_WH_SCHEMA_VERSION 15

struct colink_wh;

enum colink_wh_flags {
	COLINK_WH_READONLY = 1,   /* never write (reports, link report) */
	COLINK_WH_MUST_EXIST = 2, /* "PATH: cannot read the warehouse" when absent */
	COLINK_WH_WAIT = 4        /* wait up to 5 s for a lock held by a run */
};

/* Open `uri` ("sqlite:PATH", PATH, or with libpq "postgresql://...[#SCHEMA]").  *out is NULL on failure; close
 * with colink_wh_close (NULL ok).  Messages name `uri` as given. */
int colink_wh_open(struct colink_wh **out, const char *uri, unsigned flags,
		   struct colink_error *err);
void colink_wh_close(struct colink_wh *wh);
/* The name given to colink_wh_open; borrowed. */
const char *colink_wh_name(const struct colink_wh *wh);

/* Refuse a warehouse of another schema version with a message that says
 * what to do ("not a colink warehouse", "older ... run a job against it
 * once", "newer than this colink supports"). */
int colink_wh_check_version(struct colink_wh *wh, struct colink_error *err);

/* ---- derived facts: one definition each ---- */

/* The 10-year age band of an age on 31 March: 0 "〜19", 1 20s .. 5 60s,
 * 6 "70〜"; -1 for a negative age. */
#define COLINK_AGE_BANDS 7
int colink_age_band10(int age);

/* ---- exams (engine/programs) ---- */

/* One person-exam with the values the rules read (NAN: not stored; codes
 * 0: not stored).  Questionnaire answers: the first non-null answer. */
struct colink_wh_exam {
	int64_t checkup_id;
	const char *person_id;         /* association pseudonym (64 hex) */
	const char *exam_date;         /* YYYY-MM-DD */
	int fiscal_year;               /* stored checkup.fiscal_year; 0 unknown */
	int sex;                       /* 1, 2; 0 unknown */
	int age_at_exam, age_fy_end;   /* stored; -1 unknown */
	const char *site, *job_type;   /* of the linked employee; NULL when not linked */
	double waist;                  /* measured, else self-judged, else self-reported */
	double visceral_fat_area, bmi;
	double sbp_1, sbp_2, sbp_other, dbp_1, dbp_2, dbp_other;
	int blood_draw_timing;
	double tg_fasting, tg_casual, hdl, ldl, non_hdl, ast, alt, ggt;
	double fpg, casual_glucose, hba1c, hba1c_jds;
	int urine_protein;
	double egfr, hemoglobin;
	int med_bp, med_glucose, med_lipid;      /* answer codes; 0 none */
	const char *smoking, *smoking_system;    /* q_smoking answer and code system; NULL none */
};
typedef int (*colink_wh_exam_cb)(void *ud, const struct colink_wh_exam *e);
/* The exams of fiscal year fy (0: every year), ordered by person_id then
 * exam_date.  0, the callback's non-zero value, or -1 with err set. */
int colink_wh_exams(struct colink_wh *wh, int fiscal_year, colink_wh_exam_cb cb, void *ud,
		    struct colink_error *err);

/* Smoking answers of persons with a checkup in fy-1 or fy: one row per
 * checkup and answer (answer NULL: that checkup has none), ordered by
 * person, fiscal year, exam date. */
struct colink_wh_smoking_answer {
	const char *person_id;
	int fiscal_year;
	const char *site;                  /* linked employee's; NULL */
	const char *answer, *code_system;  /* NULL: no answer */
};
typedef int (*colink_wh_smoking_cb)(void *ud, const struct colink_wh_smoking_answer *a);
int colink_wh_smoking_answers(struct colink_wh *wh, int fiscal_year, colink_wh_smoking_cb cb,
			      void *ud, struct colink_error *err);

/* The latest fiscal year with a checkup into *fy (0: none). */
int colink_wh_latest_fiscal_year(struct colink_wh *wh, int *fy, struct colink_error *err);

/* 受診状況確認 evidence about a person after an exam, strongest first. */
enum colink_wh_followup_kind {
	COLINK_WH_FU_NONE = 0,        /* no later claims or checkup */
	COLINK_WH_FU_CLAIMS_VISIT,    /* claims: a visit after the exam (date) */
	COLINK_WH_FU_MEDICATION,      /* a later checkup answers medication yes (date, field) */
	COLINK_WH_FU_CLAIMS_NO_VISIT, /* claims of the exam's fiscal year or later, no visit (year) */
	COLINK_WH_FU_CHECKUP_NO_MED   /* a later checkup without that medication (date) */
};
enum { COLINK_WH_MED_BP = 1, COLINK_WH_MED_LIPID = 2, COLINK_WH_MED_GLUCOSE = 4,
       COLINK_WH_NO_SUMMARY = 8 /* claims_summary is not evidence (the claims decide) */ };
struct colink_wh_followup {
	enum colink_wh_followup_kind kind;
	char date[64];   /* visit or exam date; for CLAIMS_NO_VISIT the fiscal year */
	char field[64];  /* MEDICATION: q_med_bp, q_med_lipid or q_med_glucose */
};
/* med: COLINK_WH_MED_* of the referred areas (their answers count). */
int colink_wh_followup(struct colink_wh *wh, const char *person_id, const char *exam_date,
		       unsigned med, struct colink_wh_followup *out, struct colink_error *err);

/* ---- 受診状況確認 from claims (schema v8: claim, claim_diagnosis, disease_master) ---- */

/* The 診療年月 (YYYY-MM) that have at least one claim, ascending, to cb
 * (non-zero stops and is returned).  A warehouse without the claim table
 * gives none.  Returns 0, cb's value, or COLINK_EIO with err set. */
typedef int (*colink_wh_month_cb)(void *ud, const char *month);
int colink_wh_claim_months(struct colink_wh *wh, colink_wh_month_cb cb, void *ud,
			   struct colink_error *err);

/* One ICD-10 range of a disease group (mappings/rules/disease-groups.tsv,
 * as the rules loader read and checked it): 3-character codes (a letter,
 * two digits), inclusive; a code is in it when its first three characters
 * are, in string order.  group: the group's name (borrowed), read by
 * colink_wh_claims_by_group only. */
struct colink_wh_icd_range {
	const char *group;
	char from[4], to[4];
};
/* The first claim diagnosis of person_id whose ICD-10 (disease_master.icd10,
 * its first 3 characters) falls in one of `ranges`, dated after `after` and
 * on or before `until` (YYYY-MM-DD).  A diagnosis's date is its 診療開始日
 * when that lies in its claim's 診療年月, else the first day of that month
 * (a continuing diagnosis: the visit is in that month).  疑い diagnoses
 * count only with `with_suspected`.  Returns 1 (date YYYY-MM-DD, icd10 its
 * first 3 characters), 0 none, COLINK_EIO with err set. */
int colink_wh_first_diagnosis(struct colink_wh *wh, const char *person_id, const char *after,
			      const char *until, const struct colink_wh_icd_range *ranges,
			      size_t nranges, int with_suspected, char date[16], char icd10[8],
			      struct colink_error *err);

/* ---- re-identification (identified reports) ---- */

/* The employer person linked to association person `person_id`: 1 and
 * out (64 hex + NUL), 0 when not linked or on a read error. */
int colink_wh_linked_employer(struct colink_wh *wh, const char *person_id, char out[65]);

/* ---- the link report (colink link report) ---- */

struct colink_wh_link_summary {
	char run_id[72], started[72];
	long long association_persons, employer_persons, linked_new, linked_total, ambiguous,
		unmatched_association, unmatched_employer;
	/* v9 (#18): persons in review, links made by decisions; -1 when the
	 * run's row does not record them (older runs, PostgreSQL reader) */
	long long review_association, review_employer, linked_decision;
};
/* Run `run` (NULL: the latest run with status ok that linked).  1 found,
 * 0 none, -1 with err->msg the backend's message. */
int colink_wh_link_summary(struct colink_wh *wh, const char *run,
			   struct colink_wh_link_summary *out, struct colink_error *err);
struct colink_wh_link_pass {
	long long pass;
	const char *kind;
	long long linked, ambiguous;
};
typedef int (*colink_wh_link_pass_cb)(void *ud, const struct colink_wh_link_pass *p);
/* The passes of `run` in order; -1 when they cannot be read. */
int colink_wh_link_passes(struct colink_wh *wh, const char *run, colink_wh_link_pass_cb cb,
			  void *ud, struct colink_error *err);

/* The probabilistic pass's figures (#23, schema 11): one callback per
 * estimate (what "em": feature, level, m, u) and per histogram bin (what
 * "weight": bin = the weight rounded down, pairs).  0 when the run has
 * none or the backend does not keep them (PostgreSQL); -1 on a read
 * error. */
struct colink_wh_link_figure {
	const char *what;
	long long pass;
	const char *feature, *level;
	double m, u, weight;   /* weight: the level's weight in the match weights */
	long long bin, pairs;
};
typedef int (*colink_wh_link_figure_cb)(void *ud, const struct colink_wh_link_figure *f);
int colink_wh_link_figures(struct colink_wh *wh, const char *run, colink_wh_link_figure_cb cb,
			   void *ud, struct colink_error *err);

/* ---- review decisions that stick (#18 part 6: colink link review,
 * decide, revoke), on both backends (wh_sqlite_review.c, wh_pg_review.c:
 * decide and revoke write in a transaction of their own, under the lock a
 * run holds; COLINK_EBUSY after 5 s with COLINK_WH_WAIT).  Persons are person.person_no, groups
 * link_review.group_no: opaque numbers of this warehouse. ---- */

/* One open review pair with its evidence: names only, never a value.
 * agree / disagree / missing: comma-separated key kinds (the two persons
 * share a pseudonym of the kind / both have the kind, no shared
 * pseudonym / one of them lacks it), then "sex" and "birth_ym" compared
 * inside the database; "" for none. */
struct colink_wh_review_pair {
	long long group_no, pass;
	const char *kind;                 /* key kind of the pass */
	long long employer_no, association_no;
	const char *agree, *disagree, *missing;
	/* #23: a probabilistic pass's match weight and the levels that fired
	 * ("name=similar dob=exact ..."); levels NULL for an exact pass */
	double weight;
	const char *levels;
};
typedef int (*colink_wh_review_cb)(void *ud, const struct colink_wh_review_pair *p);
/* The open review of the latest linking run with status ok (its id into
 * run_id, "" when no run linked): its pairs whose two persons are both
 * still unlinked, in groups with no decision in force, ordered by group,
 * employer, association. */
int colink_wh_link_review(struct colink_wh *wh, char run_id[72], colink_wh_review_cb cb,
			  void *ud, struct colink_error *err);

struct colink_wh_decision {
	long long decision_id, group_no, employer_no, association_no;
	const char *kind;        /* "link" or "never" */
	const char *by, *why, *decided;
	const char *revoked;     /* NULL while in force */
	const char *revoked_by, *revoked_why;
};
typedef int (*colink_wh_decision_cb)(void *ud, const struct colink_wh_decision *d);
/* Every decision, oldest first. */
int colink_wh_link_decisions(struct colink_wh *wh, colink_wh_decision_cb cb, void *ud,
			     struct colink_error *err);
/* Called inside the write transaction, just before COMMIT, with the
 * decision as it will be committed: the caller writes and fsyncs its audit
 * entry there.  Non-zero (err set) rolls everything back. */
typedef int (*colink_wh_before_commit)(void *ud, const struct colink_wh_decision *d,
				       struct colink_error *err);
/* Record a decision of `kind` ("link", "never") on the pair of persons a
 * and b (either order) of review group `group`.  Refused (COLINK_EINVAL,
 * one line naming the numbers) when the group has no such pair, a decision
 * in force already covers the pair, or for "link" either person is linked
 * or named by another "link" decision in force.  *decision_id: the new id. */
int colink_wh_link_decide(struct colink_wh *wh, long long group, long long a, long long b,
			  const char *kind, const char *by, const char *why,
			  colink_wh_before_commit hook, void *ud, long long *decision_id,
			  struct colink_error *err);
/* Revoke decision `id`; a "link" decision's link (pass 0) is removed too,
 * *unlinked says whether one was.  Refused when there is no such decision
 * or it is revoked already. */
int colink_wh_link_revoke(struct colink_wh *wh, long long id, const char *by, const char *why,
			  colink_wh_before_commit hook, void *ud, int *unlinked,
			  struct colink_error *err);

/* What a person types to list the rows behind a summary (the CLI prints
 * it): the rejected records of a run, the open link review of a run. */
void colink_wh_rejects_query(char *buf, size_t n, const char *run_id);
const char *colink_wh_review_query(void);

/* ---- the white paper's per-person work set (whitepaper.c) ----
 * One fiscal year's population held beside the warehouse (never in C
 * memory); colink_wh_wp_end drops it.  Rows: employees in service in
 * fy with sex 1/2 and a birth month, their linked association person,
 * age on 31 March (core/value.c's colink_age_fy_end_ym until an exam's
 * stored age_fy_end replaces it), site, job type. */
enum colink_wh_wp_dim { COLINK_WH_WP_BAND, COLINK_WH_WP_SITE, COLINK_WH_WP_JOB };
enum colink_wh_wp_filter {
	COLINK_WH_WP_ALL, COLINK_WH_WP_EXAMINED,
	COLINK_WH_WP_MEASURED,   /* area arg judged (flag not NULL) */
	COLINK_WH_WP_RISK,       /* area arg at risk (flag 1) */
	COLINK_WH_WP_SMOKING_ANSWERED, /* status > 0 */
	COLINK_WH_WP_SMOKING_IS, /* status == arg */
	COLINK_WH_WP_ATTENDANCE  /* attendance months in the year */
};
enum colink_wh_wp_sum { COLINK_WH_WP_NO_SUM, COLINK_WH_WP_OVERTIME, COLINK_WH_WP_SICK };
#define COLINK_WH_WP_AREAS 6
struct colink_wh_wp_exam {
	const char *person_id;          /* association pseudonym */
	int age_fy_end;                 /* -1: keep the birth-month age */
	int guidance;                   /* the caller's level code */
	int risk[COLINK_WH_WP_AREAS];   /* -1 not judged, 0 no, 1 at risk */
	int smoking;                    /* 0 unknown, > 0 a status */
};
int colink_wh_wp_begin(struct colink_wh *wh, int fiscal_year, struct colink_error *err);
/* The exam of a person (called in exam order: the latest one wins). */
int colink_wh_wp_exam(struct colink_wh *wh, const struct colink_wh_wp_exam *x,
		      struct colink_error *err);
int colink_wh_wp_attendance(struct colink_wh *wh, int fiscal_year, struct colink_error *err);
/* Drop persons of unknown age; band the rest (colink_age_band10). */
int colink_wh_wp_band(struct colink_wh *wh, struct colink_error *err);
/* Sites in order with their head counts; cb sets *idx: a row index, or
 * -2 "merge later" (colink_wh_wp_site_merge).  site "" = unknown. */
typedef int (*colink_wh_wp_site_cb)(void *ud, const char *site, long n, int *idx);
int colink_wh_wp_sites(struct colink_wh *wh, colink_wh_wp_site_cb cb, void *ud,
		       struct colink_error *err);
int colink_wh_wp_site_merge(struct colink_wh *wh, int idx, struct colink_error *err);
/* Job types in order (cb's non-zero: out of memory); then each person's
 * job row is its rank. */
typedef int (*colink_wh_wp_job_cb)(void *ud, const char *job);
int colink_wh_wp_jobs(struct colink_wh *wh, colink_wh_wp_job_cb cb, void *ud,
		      struct colink_error *err);
/* Persons matching filter (arg) per row of dim and sex (1, 2), with the
 * total of `sum` per cell. */
typedef void (*colink_wh_wp_count_cb)(void *ud, long row, long sex, long n, double sum);
int colink_wh_wp_count(struct colink_wh *wh, enum colink_wh_wp_dim dim,
		       enum colink_wh_wp_filter filter, int arg, enum colink_wh_wp_sum sum,
		       colink_wh_wp_count_cb cb, void *ud, struct colink_error *err);
/* Examined persons aged 40-74 per guidance level and sex. */
typedef void (*colink_wh_wp_level_cb)(void *ud, int level, int sex, long n);
int colink_wh_wp_guidance(struct colink_wh *wh, colink_wh_wp_level_cb cb, void *ud,
			  struct colink_error *err);
/* The row of a site (-1: nobody of the year there); -2 on error. */
long colink_wh_wp_site_row(struct colink_wh *wh, const char *site, struct colink_error *err);
void colink_wh_wp_end(struct colink_wh *wh);

/* Claims of fiscal year fy per age band (age on 31 March, from the birth
 * month) and sex: persons with a medical cost and its total.  Age and sex
 * come from the association person (its checkups); when that has none and
 * roster is 1, from the linked employee's roster (birth month, sex).  Every
 * person with a cost is reported once: band -1 when the age is still
 * unknown, sex 0 when the sex is.  *present is 0 when the warehouse has no
 * claims table (nothing is called). */
typedef void (*colink_wh_claims_cb)(void *ud, int band, int sex, long n, double cost);
int colink_wh_claims_by_band(struct colink_wh *wh, int fiscal_year, int roster, int *present,
			     colink_wh_claims_cb cb, void *ud, struct colink_error *err);

/* Programme participation of fiscal year fy (⑤ その他, #19) over the work
 * set (colink_wh_wp_begin .. _end, after bands and sites): per programme,
 * dimension (0 age band, 1 site row), row and sex, the persons of the
 * work set with a participation row dated in the year (participants) and
 * those with a row whose completed is 1 (completers); a person counts
 * once per programme.  *present is 0 when the warehouse has no
 * participation table (nothing is called).  Rows come ordered by
 * programme. */
typedef void (*colink_wh_participation_cb)(void *ud, const char *program, int dim, long row,
					   int sex, long participants, long completers);
int colink_wh_wp_participation(struct colink_wh *wh, int fiscal_year, int *present,
			       colink_wh_participation_cb cb, void *ud, struct colink_error *err);

/* 傷病手当金 of fiscal year fy (#21 part 5) over the work set (after bands):
 * per age band and sex, the employees (linked to the insured person the
 * payments name) with a payment whose period starts in the year, the
 * total days paid of those payments, and how many of those employees have
 * such a payment whose cause is a mental disorder (ICD-10 chapter F: the
 * payment's ICD-10 code, else disease_master's for its 傷病名コード).
 * *present is 0 when the warehouse has no allowance table or no payment
 * at all (of any year). */
typedef void (*colink_wh_allowance_cb)(void *ud, long band, int sex, long persons, double days,
				       long mental);
int colink_wh_wp_allowance(struct colink_wh *wh, int fiscal_year, int *present,
			   colink_wh_allowance_cb cb, void *ud, struct colink_error *err);

/* Medical cost of fiscal year fy from the claims (#21 part 6): a claim of
 * the year (診療年月 April..March) belongs to the group of its first 主傷病
 * that is not 疑い (its ICD-10 from disease_master; the first range in
 * `ranges` order that holds it), else to group "" (none).  Per group, age
 * band and sex as in colink_wh_claims_by_band (band -1, sex 0 unknown): the
 * persons with a claim of the group and its yen.  Group "*" is every claim.
 * *present is 0 without the claim tables. */
typedef void (*colink_wh_claim_group_cb)(void *ud, const char *group, int band, int sex, long n,
					 double yen);
int colink_wh_claims_by_group(struct colink_wh *wh, int fiscal_year, int roster,
			      const struct colink_wh_icd_range *ranges, size_t nranges, int *present,
			      colink_wh_claim_group_cb cb, void *ud, struct colink_error *err);

/* ---- the run ledger (#24: the audit log against the ledger) ---- */

/* One row of the ledger: a run and how it ended. */
struct colink_wh_run {
	const char *run_id;   /* 32 hex */
	const char *status;   /* "ok" (committed), "failed" (rolled back),
			       * "incomplete" (killed before its commit) */
	const char *job_name; /* may be NULL */
	const char *started;  /* ISO 8601 UTC */
};
typedef int (*colink_wh_run_cb)(void *ud, const struct colink_wh_run *r);
/* Every run of the ledger, in the order the runs started.  Any schema
 * version (the ledger has not changed since version 1); a file with no
 * ledger is "not a colink warehouse". */
int colink_wh_runs(struct colink_wh *wh, colink_wh_run_cb cb, void *ud, struct colink_error *err);

/* ---- extracts (in_extract, through the host table) ---- */

/* Read the extract at `path` (a warehouse-format SQLite file written by
 * `colink pseudonymize`), schema v3 or v4: per checkup, in checkup_id
 * order, sink->field for extract.key_id, extract.normalization, every pseudonym.<kind>,
 * derived.{birth_ym,age_at_exam,age_fy_end,fiscal_year}, sex, the
 * observation then questionnaire rows (exact text, unit, code system, null
 * reason, flag) and the other non-null checkup columns not already given;
 * then sink->record_end.  A sink's non-zero return stops and is returned
 * without touching err. */
int colink_wh_extract_read(const char *path, const struct colink_extract_sink *sink,
			   struct colink_error *err);

#endif
