/* wh_sqlite_int.h -- shared by the wh_sqlite*.c files (not public). */
#ifndef COLINK_WH_SQLITE_INT_H
#define COLINK_WH_SQLITE_INT_H

#include <sqlite3.h>

#include "warehouse/wh_int.h"

struct whs {
	sqlite3 *db;
	sqlite3_stmt *link_st;    /* linked employer, prepared on first use */
	sqlite3_stmt *wp_up;      /* white paper: store an evaluated exam */
	sqlite3_stmt *wp_site_of; /* white paper: the row of a site */
};

static inline sqlite3 *whs_db(struct colink_wh *wh)
{
	return ((struct whs *)wh->impl)->db;
}

static inline struct whs *whs_of(struct colink_wh *wh)
{
	return wh->impl;
}

/* wh_sqlite_exam.c */
int whs_exams(struct colink_wh *wh, int fy, colink_wh_exam_cb cb, void *ud,
	      struct colink_error *err);
int whs_smoking_answers(struct colink_wh *wh, int fy, colink_wh_smoking_cb cb, void *ud,
			struct colink_error *err);
int whs_latest_fiscal_year(struct colink_wh *wh, int *fy, struct colink_error *err);
int whs_followup(struct colink_wh *wh, const char *person_id, const char *exam_date, int exam_fy,
		 unsigned med, struct colink_wh_followup *out, struct colink_error *err);
/* wh_sqlite_followup.c */
int whs_claim_months(struct colink_wh *wh, colink_wh_month_cb cb, void *ud,
		     struct colink_error *err);
int whs_first_diagnosis(struct colink_wh *wh, const char *person_id, const char *after,
			const char *until, const char *icd_where, int with_suspected, char date[16],
			char icd10[8], struct colink_error *err);
int whs_linked_employer(struct colink_wh *wh, const char *person_id, char out[65]);
/* 1 when the table exists */
int whs_table_exists(sqlite3 *db, const char *name);

/* wh_sqlite_link.c */
int whs_link_summary(struct colink_wh *wh, const char *run, struct colink_wh_link_summary *out,
		     struct colink_error *err);
int whs_link_passes(struct colink_wh *wh, const char *run, colink_wh_link_pass_cb cb, void *ud,
		    struct colink_error *err);
int whs_link_figures(struct colink_wh *wh, const char *run, colink_wh_link_figure_cb cb, void *ud,
		     struct colink_error *err);

/* wh_sqlite_review.c */
int whs_link_review(struct colink_wh *wh, char run_id[72], colink_wh_review_cb cb, void *ud,
		    struct colink_error *err);
int whs_link_decisions(struct colink_wh *wh, colink_wh_decision_cb cb, void *ud,
		       struct colink_error *err);
int whs_link_decide(struct colink_wh *wh, long long group, long long a, long long b,
		    const char *kind, const char *by, const char *why,
		    colink_wh_before_commit hook, void *ud, long long *decision_id,
		    struct colink_error *err);
int whs_link_revoke(struct colink_wh *wh, long long id, const char *by, const char *why,
		    colink_wh_before_commit hook, void *ud, int *unlinked,
		    struct colink_error *err);

/* wh_sqlite_wp.c */
int whs_wp_begin(struct colink_wh *wh, int fy, struct colink_error *err);
int whs_wp_exam(struct colink_wh *wh, const struct colink_wh_wp_exam *x, struct colink_error *err);
int whs_wp_attendance(struct colink_wh *wh, int fy, struct colink_error *err);
int whs_wp_band(struct colink_wh *wh, struct colink_error *err);
int whs_wp_sites(struct colink_wh *wh, colink_wh_wp_site_cb cb, void *ud, struct colink_error *err);
int whs_wp_site_merge(struct colink_wh *wh, int idx, struct colink_error *err);
int whs_wp_jobs(struct colink_wh *wh, colink_wh_wp_job_cb cb, void *ud, struct colink_error *err);
int whs_wp_count(struct colink_wh *wh, enum colink_wh_wp_dim dim, enum colink_wh_wp_filter filter,
		 int arg, enum colink_wh_wp_sum sum, colink_wh_wp_count_cb cb, void *ud,
		 struct colink_error *err);
int whs_wp_guidance(struct colink_wh *wh, colink_wh_wp_level_cb cb, void *ud,
		    struct colink_error *err);
long whs_wp_site_row(struct colink_wh *wh, const char *site, struct colink_error *err);
void whs_wp_end(struct colink_wh *wh);
int whs_claims_by_band(struct colink_wh *wh, int fy, int roster, int *present, colink_wh_claims_cb cb, void *ud,
		       struct colink_error *err);
/* wh_sqlite_part.c */
int whs_wp_participation(struct colink_wh *wh, int fy, int *present, colink_wh_participation_cb cb,
			 void *ud, struct colink_error *err);
/* wh_sqlite_allow.c */
int whs_wp_allowance(struct colink_wh *wh, int fy, int *present, colink_wh_allowance_cb cb, void *ud,
		     struct colink_error *err);
int whs_claims_by_group(struct colink_wh *wh, int fy, int roster, const struct colink_wh_icd_range *ranges,
			size_t nranges, int *present, colink_wh_claim_group_cb cb, void *ud,
			struct colink_error *err);

#endif
