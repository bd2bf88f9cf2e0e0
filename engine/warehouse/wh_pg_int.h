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

#endif
