/*
 * wh_pg_int.h -- inside engine/warehouse's PostgreSQL backend: the
 * connection state and the helpers wh_pg.c and wh_pg_exam.c share.
 * Not public.
 */
#ifndef COLINK_WH_PG_INT_H
#define COLINK_WH_PG_INT_H

#include <libpq-fe.h>

#include "warehouse/wh_int.h"

struct whp {
	PGconn *db;
	int claims; /* claims_summary exists: 0 not asked yet, 1 no, 2 yes */
	unsigned flags; /* colink_wh_open's (COLINK_WH_WAIT: decide waits for a run) */
	char *schema;   /* the schema name (the warehouse lock's key); owned */
};

static inline PGconn *whp_db(struct colink_wh *wh)
{
	return ((struct whp *)wh->impl)->db;
}

/* COLINK_EIO with the first line of a libpq message. */
int whp_err(struct colink_wh *wh, const char *what, const char *msg, struct colink_error *err);

/* wh_pg_exam.c: the programs' reads and the run ledger */
int whp_exams(struct colink_wh *wh, int fy, colink_wh_exam_cb cb, void *ud,
	      struct colink_error *err);
int whp_smoking_answers(struct colink_wh *wh, int fy, colink_wh_smoking_cb cb, void *ud,
			struct colink_error *err);
int whp_latest_fiscal_year(struct colink_wh *wh, int *fy, struct colink_error *err);
int whp_followup(struct colink_wh *wh, const char *person_id, const char *exam_date, int exam_fy,
		 unsigned med, struct colink_wh_followup *out, struct colink_error *err);
int whp_linked_employer(struct colink_wh *wh, const char *person_id, char out[65]);
/* wh_pg_followup.c: 受診状況確認 from claims */
int whp_claim_months(struct colink_wh *wh, colink_wh_month_cb cb, void *ud,
		     struct colink_error *err);
int whp_first_diagnosis(struct colink_wh *wh, const char *person_id, const char *after,
			const char *until, const char *icd_where, int with_suspected, char date[16],
			char icd10[8], struct colink_error *err);
int whp_runs(struct colink_wh *wh, colink_wh_run_cb cb, void *ud, struct colink_error *err);

/* wh_pg_wp.c: the white paper's work set (one reader per section of
 * wh_sqlite_wp.c) and the claims per age band */
int whp_wp_exec(struct colink_wh *wh, const char *sql, int n, const char *const *v,
		const char *what, struct colink_error *err);
PGresult *whp_wp_query(struct colink_wh *wh, const char *sql, int n, const char *const *v,
		       const char *what, struct colink_error *err);
int whp_wp_begin(struct colink_wh *wh, int fy, struct colink_error *err);
int whp_wp_exam(struct colink_wh *wh, const struct colink_wh_wp_exam *x, struct colink_error *err);
int whp_wp_attendance(struct colink_wh *wh, int fy, struct colink_error *err);
int whp_wp_band(struct colink_wh *wh, struct colink_error *err);
int whp_wp_sites(struct colink_wh *wh, colink_wh_wp_site_cb cb, void *ud, struct colink_error *err);
int whp_wp_site_merge(struct colink_wh *wh, int idx, struct colink_error *err);
int whp_wp_jobs(struct colink_wh *wh, colink_wh_wp_job_cb cb, void *ud, struct colink_error *err);
int whp_wp_count(struct colink_wh *wh, enum colink_wh_wp_dim dim, enum colink_wh_wp_filter filter,
		 int arg, enum colink_wh_wp_sum sum, colink_wh_wp_count_cb cb, void *ud,
		 struct colink_error *err);
int whp_wp_guidance(struct colink_wh *wh, colink_wh_wp_level_cb cb, void *ud,
		    struct colink_error *err);
long whp_wp_site_row(struct colink_wh *wh, const char *site, struct colink_error *err);
void whp_wp_end(struct colink_wh *wh);
int whp_claims_by_band(struct colink_wh *wh, int fy, int roster, int *present,
		       colink_wh_claims_cb cb, void *ud, struct colink_error *err);
int whp_age_map(struct colink_wh *wh, int fy, char **ym, char **age, char **band, const char *what,
		struct colink_error *err);

/* wh_pg_review.c: review decisions (#18 part 6) */
int whp_link_review(struct colink_wh *wh, char run_id[72], colink_wh_review_cb cb, void *ud,
		    struct colink_error *err);
int whp_link_decisions(struct colink_wh *wh, colink_wh_decision_cb cb, void *ud,
		       struct colink_error *err);
int whp_link_decide(struct colink_wh *wh, long long group, long long a, long long b,
		    const char *kind, const char *by, const char *why,
		    colink_wh_before_commit hook, void *ud, long long *decision_id,
		    struct colink_error *err);
int whp_link_revoke(struct colink_wh *wh, long long id, const char *by, const char *why,
		    colink_wh_before_commit hook, void *ud, int *unlinked,
		    struct colink_error *err);

/* wh_pg_part.c: ⑤ participation, and whether an optional table exists */
int whp_table_exists(struct colink_wh *wh, const char *name);
int whp_wp_participation(struct colink_wh *wh, int fy, int *present, colink_wh_participation_cb cb,
			 void *ud, struct colink_error *err);

/* wh_pg_allow.c: 傷病手当金 and the medical cost by disease group */
int whp_wp_allowance(struct colink_wh *wh, int fy, int *present, colink_wh_allowance_cb cb, void *ud,
		     struct colink_error *err);
int whp_claims_by_group(struct colink_wh *wh, int fy, int roster, const struct colink_wh_icd_range *ranges,
			size_t nranges, int *present, colink_wh_claim_group_cb cb, void *ud,
			struct colink_error *err);

#endif
