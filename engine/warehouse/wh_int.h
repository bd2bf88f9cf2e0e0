/*
 * wh_int.h -- inside engine/warehouse: the handle and the backend ops
 * table.  warehouse.c (backend-neutral) parses the URI, picks a backend and
 * forwards every public call through `struct wh_backend`; a backend
 * implements each operation in its own dialect.  SQLite: wh_sqlite.c
 * (open, version, derived-fact SQL functions), wh_sqlite_exam.c (exams,
 * smoking, follow-up, links), wh_sqlite_link.c (link report),
 * wh_sqlite_wp.c (white-paper work set, claims).  PostgreSQL: wh_pg.c
 * (open, version, link report), wh_pg_exam.c (exams, smoking, follow-up,
 * links, run ledger), wh_pg_wp.c (white-paper work set, claims),
 * wh_pg_part.c (participation), wh_pg_review.c (review decisions).
 * Extracts are SQLite files whatever the warehouse (colink pseudonymize
 * always writes one; wh_sqlite_extract.c reads it).  Not public.
 */
#ifndef COLINK_WH_INT_H
#define COLINK_WH_INT_H

#include "warehouse/warehouse.h"

struct wh_backend {
	const char *scheme; /* "sqlite" */
	const char *alias;  /* another scheme that names it ("postgres"), or NULL */
	/* target: the URI without "scheme:"; name: as given (messages) */
	int (*open)(struct colink_wh *wh, const char *target, unsigned flags,
		    struct colink_error *err);
	void (*close)(struct colink_wh *wh);
	/* MAX(schema_version.version) into *v; -1 when there is none */
	void (*schema_version)(struct colink_wh *wh, long long *v);
	int (*exams)(struct colink_wh *wh, int fy, colink_wh_exam_cb cb, void *ud,
		     struct colink_error *err);
	int (*smoking_answers)(struct colink_wh *wh, int fy, colink_wh_smoking_cb cb, void *ud,
			       struct colink_error *err);
	int (*latest_fiscal_year)(struct colink_wh *wh, int *fy, struct colink_error *err);
	int (*followup)(struct colink_wh *wh, const char *person_id, const char *exam_date,
			int exam_fy, unsigned med, struct colink_wh_followup *out,
			struct colink_error *err);
	int (*linked_employer)(struct colink_wh *wh, const char *person_id, char out[65]);
	int (*claim_months)(struct colink_wh *wh, colink_wh_month_cb cb, void *ud,
			    struct colink_error *err);
	int (*first_diagnosis)(struct colink_wh *wh, const char *person_id, const char *after,
			       const char *until, const char *icd_where, int with_suspected,
			       char date[16], char icd10[8], struct colink_error *err);
	int (*link_summary)(struct colink_wh *wh, const char *run,
			    struct colink_wh_link_summary *out, struct colink_error *err);
	int (*link_passes)(struct colink_wh *wh, const char *run, colink_wh_link_pass_cb cb,
			   void *ud, struct colink_error *err);
	/* #23; NULL: the backend keeps no figures (colink_wh_link_figures gives 0) */
	int (*link_figures)(struct colink_wh *wh, const char *run, colink_wh_link_figure_cb cb,
			    void *ud, struct colink_error *err);
	/* the white paper's work set */
	int (*wp_begin)(struct colink_wh *wh, int fy, struct colink_error *err);
	int (*wp_exam)(struct colink_wh *wh, const struct colink_wh_wp_exam *x,
		       struct colink_error *err);
	int (*wp_attendance)(struct colink_wh *wh, int fy, struct colink_error *err);
	int (*wp_band)(struct colink_wh *wh, struct colink_error *err);
	int (*wp_sites)(struct colink_wh *wh, colink_wh_wp_site_cb cb, void *ud,
			struct colink_error *err);
	int (*wp_site_merge)(struct colink_wh *wh, int idx, struct colink_error *err);
	int (*wp_jobs)(struct colink_wh *wh, colink_wh_wp_job_cb cb, void *ud,
		       struct colink_error *err);
	int (*wp_count)(struct colink_wh *wh, enum colink_wh_wp_dim dim,
			enum colink_wh_wp_filter filter, int arg, enum colink_wh_wp_sum sum,
			colink_wh_wp_count_cb cb, void *ud, struct colink_error *err);
	int (*wp_guidance)(struct colink_wh *wh, colink_wh_wp_level_cb cb, void *ud,
			   struct colink_error *err);
	long (*wp_site_row)(struct colink_wh *wh, const char *site, struct colink_error *err);
	void (*wp_end)(struct colink_wh *wh);
	int (*claims_by_band)(struct colink_wh *wh, int fy, int roster, int *present, colink_wh_claims_cb cb,
			      void *ud, struct colink_error *err);
	int (*runs)(struct colink_wh *wh, colink_wh_run_cb cb, void *ud, struct colink_error *err);
	int (*link_review)(struct colink_wh *wh, char run_id[72], colink_wh_review_cb cb, void *ud,
			   struct colink_error *err);
	int (*link_decisions)(struct colink_wh *wh, colink_wh_decision_cb cb, void *ud,
			      struct colink_error *err);
	int (*link_decide)(struct colink_wh *wh, long long group, long long a, long long b,
			   const char *kind, const char *by, const char *why,
			   colink_wh_before_commit hook, void *ud, long long *decision_id,
			   struct colink_error *err);
	int (*link_revoke)(struct colink_wh *wh, long long id, const char *by, const char *why,
			   colink_wh_before_commit hook, void *ud, int *unlinked,
			   struct colink_error *err);
	int (*wp_participation)(struct colink_wh *wh, int fy, int *present,
				colink_wh_participation_cb cb, void *ud, struct colink_error *err);
	int (*wp_allowance)(struct colink_wh *wh, int fy, int *present, colink_wh_allowance_cb cb,
			    void *ud, struct colink_error *err);
	int (*claims_by_group)(struct colink_wh *wh, int fy, int roster,
			       const struct colink_wh_icd_range *ranges, size_t nranges, int *present,
			       colink_wh_claim_group_cb cb, void *ud, struct colink_error *err);
};

struct colink_wh {
	const struct wh_backend *be;
	char *name;  /* as given to colink_wh_open */
	void *impl;  /* the backend's connection state */
};

/* warehouse.c: the SQL condition "(substr(m.icd10, 1, 3) BETWEEN 'I10' AND
 * 'I15' OR ...)" of validated ranges (letter + two digits), with `collate`
 * after each substr ("" or " COLLATE \"C\""); NULL when out of memory or
 * a range is not such a code. */
char *wh_icd_where(const struct colink_wh_icd_range *ranges, size_t n, const char *collate);

extern const struct wh_backend wh_sqlite_backend;
/* wh_pg.c (built with libpq): "postgresql:" and "postgres:" URIs; the
 * operations it lacks are NULL and warehouse.c refuses them in one line */
extern const struct wh_backend wh_pg_backend;

#endif
