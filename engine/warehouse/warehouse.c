/*
 * warehouse.c -- the backend-neutral half of engine/warehouse: the handle,
 * the URI, the schema-version check and its messages, the derived facts,
 * and the forwarding of every read to the backend (wh_int.h).
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "core/value.h"
#include "warehouse/wh_int.h"

static const struct wh_backend *const backends[] = {
	&wh_sqlite_backend,
#ifdef COLINK_WITH_LIBPQ
	&wh_pg_backend,
#endif
};

/* "scheme:rest" for a known scheme; anything else is an SQLite path. */
static const struct wh_backend *pick(const char *uri, const char **target)
{
	size_t i;
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		const char *names[2] = { backends[i]->scheme, backends[i]->alias };
		size_t j;
		for (j = 0; j < 2 && names[j]; j++) {
			size_t n = strlen(names[j]);
			if (!strncmp(uri, names[j], n) && uri[n] == ':') {
				*target = uri + n + 1;
				return backends[i];
			}
		}
	}
	*target = uri;
	return &wh_sqlite_backend;
}

int colink_wh_open(struct colink_wh **out, const char *uri, unsigned flags,
		   struct colink_error *err)
{
	struct colink_wh *wh;
	const char *target;
	int rc;
	*out = NULL;
	if (!(wh = colink_calloc(1, sizeof(*wh))) || !(wh->name = colink_strdup(uri))) {
		colink_free(wh);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	wh->be = pick(uri, &target);
	if ((rc = wh->be->open(wh, target, flags, err))) {
		colink_wh_close(wh);
		return rc;
	}
	*out = wh;
	return COLINK_OK;
}

void colink_wh_close(struct colink_wh *wh)
{
	if (!wh)
		return;
	wh->be->close(wh);
	colink_free(wh->name);
	colink_free(wh);
}

const char *colink_wh_name(const struct colink_wh *wh)
{
	return wh->name;
}

int colink_wh_check_version(struct colink_wh *wh, struct colink_error *err)
{
	long long v = -1;
	wh->be->schema_version(wh, &v);
	if (v < 0)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: not a colink warehouse (no schema_version)",
				  wh->name);
	if (v < COLINK_WH_SCHEMA_VERSION)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: warehouse schema version %lld is older than "
				  "this colink's (%d): run a job against it once (colink run JOB) to "
				  "migrate it", wh->name, v, COLINK_WH_SCHEMA_VERSION);
	if (v > COLINK_WH_SCHEMA_VERSION)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: warehouse schema version %lld is newer than "
				  "this colink supports (%d)", wh->name, v, COLINK_WH_SCHEMA_VERSION);
	return COLINK_OK;
}

int colink_age_band10(int age)
{
	if (age < 0)
		return -1;
	return age < 20 ? 0 : age >= 70 ? 6 : age / 10 - 1;
}

/* ---- forwarding ---- */

/* An operation a backend leaves NULL (none today: both have every one):
 * one line saying so, COLINK_EINVAL. */
static int unsupported(struct colink_wh *wh, const char *what, struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_EINVAL, "%s: %s is not available on a %s warehouse yet "
			  "(load the job into SQLite for this report)", wh->name, what, wh->be->scheme);
}

#define NEED(op) \
	do { \
		if (!wh->be->op) \
			return unsupported(wh, #op, err); \
	} while (0)

int colink_wh_exams(struct colink_wh *wh, int fy, colink_wh_exam_cb cb, void *ud,
		    struct colink_error *err)
{
	NEED(exams);
	return wh->be->exams(wh, fy, cb, ud, err);
}

int colink_wh_smoking_answers(struct colink_wh *wh, int fy, colink_wh_smoking_cb cb, void *ud,
			      struct colink_error *err)
{
	NEED(smoking_answers);
	return wh->be->smoking_answers(wh, fy, cb, ud, err);
}

int colink_wh_latest_fiscal_year(struct colink_wh *wh, int *fy, struct colink_error *err)
{
	NEED(latest_fiscal_year);
	return wh->be->latest_fiscal_year(wh, fy, err);
}

/* The fiscal year of a YYYY-MM-DD date (core/value.c's definition). */
static int date_fy(const char *d)
{
	int y = 0, m = 0, day = 0;
	if (!d || sscanf(d, "%4d-%2d-%2d", &y, &m, &day) < 2)
		return 0;
	return colink_fiscal_year((int32_t)(y * 10000 + m * 100 + (day > 0 ? day : 1)));
}

int colink_wh_followup(struct colink_wh *wh, const char *person_id, const char *exam_date,
		       unsigned med, struct colink_wh_followup *out, struct colink_error *err)
{
	memset(out, 0, sizeof(*out));
	NEED(followup);
	return wh->be->followup(wh, person_id, exam_date, date_fy(exam_date), med, out, err);
}

/* ---- 受診状況確認 from claims ---- */

int colink_wh_claim_months(struct colink_wh *wh, colink_wh_month_cb cb, void *ud,
			   struct colink_error *err)
{
	NEED(claim_months);
	return wh->be->claim_months(wh, cb, ud, err);
}

static int icd_ok(const char *s)
{
	return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
	       s[2] <= '9' && !s[3];
}

char *wh_icd_where(const struct colink_wh_icd_range *ranges, size_t n, const char *collate)
{
	size_t i, cap = 16 + n * (64 + 2 * strlen(collate)), used = 0;
	char *w = colink_malloc(cap);
	if (!w)
		return NULL;
	used += (size_t)snprintf(w, cap, "(");
	for (i = 0; i < n; i++) {
		/* literals in SQL text: only codes checked here, never free text */
		if (!icd_ok(ranges[i].from) || !icd_ok(ranges[i].to)) {
			colink_free(w);
			return NULL;
		}
		/* PostgreSQL's BETWEEN takes no COLLATE on its bounds: the
		 * explicit one on the left decides the comparison */
		used += (size_t)snprintf(w + used, cap - used, "%ssubstr(m.icd10, 1, 3)%s BETWEEN "
					 "'%s' AND '%s'", i ? " OR " : "", collate,
					 ranges[i].from, ranges[i].to);
	}
	snprintf(w + used, cap - used, "%s)", n ? "" : "0 = 1");
	return w;
}

int colink_wh_first_diagnosis(struct colink_wh *wh, const char *person_id, const char *after,
			      const char *until, const struct colink_wh_icd_range *ranges,
			      size_t nranges, int with_suspected, char date[16], char icd10[8],
			      struct colink_error *err)
{
	char *where;
	int rc;
	date[0] = icd10[0] = '\0';
	NEED(first_diagnosis);
	if (!(where = wh_icd_where(ranges, nranges, wh->be->scheme[0] == 'p' ? " COLLATE \"C\"" : "")))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: follow-up: disease-group ranges are not "
				  "ICD-10 blocks (a letter, two digits)", wh->name);
	rc = wh->be->first_diagnosis(wh, person_id, after, until, where, with_suspected, date, icd10,
				     err);
	colink_free(where);
	return rc;
}

int colink_wh_linked_employer(struct colink_wh *wh, const char *person_id, char out[65])
{
	if (!wh->be->linked_employer)
		return 0;
	return wh->be->linked_employer(wh, person_id, out);
}

int colink_wh_link_summary(struct colink_wh *wh, const char *run,
			   struct colink_wh_link_summary *out, struct colink_error *err)
{
	memset(out, 0, sizeof(*out));
	out->review_association = out->review_employer = out->linked_decision = -1;
	NEED(link_summary);
	return wh->be->link_summary(wh, run, out, err);
}

int colink_wh_link_passes(struct colink_wh *wh, const char *run, colink_wh_link_pass_cb cb,
			  void *ud, struct colink_error *err)
{
	NEED(link_passes);
	return wh->be->link_passes(wh, run, cb, ud, err);
}

int colink_wh_link_figures(struct colink_wh *wh, const char *run, colink_wh_link_figure_cb cb,
			   void *ud, struct colink_error *err)
{
	if (!wh->be->link_figures)
		return 0;
	return wh->be->link_figures(wh, run, cb, ud, err);
}

void colink_wh_rejects_query(char *buf, size_t n, const char *run_id)
{
	snprintf(buf, n, "SELECT * FROM reject WHERE run_id = '%s';", run_id);
}

const char *colink_wh_review_query(void)
{
	return "SELECT * FROM link_review WHERE run_id = ...";
}

int colink_wh_wp_begin(struct colink_wh *wh, int fy, struct colink_error *err)
{
	NEED(wp_begin);
	return wh->be->wp_begin(wh, fy, err);
}

int colink_wh_wp_exam(struct colink_wh *wh, const struct colink_wh_wp_exam *x,
		      struct colink_error *err)
{
	NEED(wp_exam);
	return wh->be->wp_exam(wh, x, err);
}

int colink_wh_wp_attendance(struct colink_wh *wh, int fy, struct colink_error *err)
{
	NEED(wp_attendance);
	return wh->be->wp_attendance(wh, fy, err);
}

int colink_wh_wp_band(struct colink_wh *wh, struct colink_error *err)
{
	NEED(wp_band);
	return wh->be->wp_band(wh, err);
}

int colink_wh_wp_sites(struct colink_wh *wh, colink_wh_wp_site_cb cb, void *ud,
		       struct colink_error *err)
{
	NEED(wp_sites);
	return wh->be->wp_sites(wh, cb, ud, err);
}

int colink_wh_wp_site_merge(struct colink_wh *wh, int idx, struct colink_error *err)
{
	NEED(wp_site_merge);
	return wh->be->wp_site_merge(wh, idx, err);
}

int colink_wh_wp_jobs(struct colink_wh *wh, colink_wh_wp_job_cb cb, void *ud,
		      struct colink_error *err)
{
	NEED(wp_jobs);
	return wh->be->wp_jobs(wh, cb, ud, err);
}

int colink_wh_wp_count(struct colink_wh *wh, enum colink_wh_wp_dim dim,
		       enum colink_wh_wp_filter filter, int arg, enum colink_wh_wp_sum sum,
		       colink_wh_wp_count_cb cb, void *ud, struct colink_error *err)
{
	NEED(wp_count);
	return wh->be->wp_count(wh, dim, filter, arg, sum, cb, ud, err);
}

int colink_wh_wp_guidance(struct colink_wh *wh, colink_wh_wp_level_cb cb, void *ud,
			  struct colink_error *err)
{
	NEED(wp_guidance);
	return wh->be->wp_guidance(wh, cb, ud, err);
}

long colink_wh_wp_site_row(struct colink_wh *wh, const char *site, struct colink_error *err)
{
	NEED(wp_site_row);
	return wh->be->wp_site_row(wh, site, err);
}

void colink_wh_wp_end(struct colink_wh *wh)
{
	if (wh->be->wp_end)
		wh->be->wp_end(wh);
}

int colink_wh_claims_by_band(struct colink_wh *wh, int fy, int roster, int *present, colink_wh_claims_cb cb,
			     void *ud, struct colink_error *err)
{
	NEED(claims_by_band);
	return wh->be->claims_by_band(wh, fy, roster, present, cb, ud, err);
}

int colink_wh_runs(struct colink_wh *wh, colink_wh_run_cb cb, void *ud, struct colink_error *err)
{
	NEED(runs);
	return wh->be->runs(wh, cb, ud, err);
}

int colink_wh_wp_participation(struct colink_wh *wh, int fy, int *present,
			       colink_wh_participation_cb cb, void *ud, struct colink_error *err)
{
	NEED(wp_participation);
	return wh->be->wp_participation(wh, fy, present, cb, ud, err);
}

int colink_wh_wp_allowance(struct colink_wh *wh, int fy, int *present, colink_wh_allowance_cb cb,
			   void *ud, struct colink_error *err)
{
	NEED(wp_allowance);
	return wh->be->wp_allowance(wh, fy, present, cb, ud, err);
}

int colink_wh_claims_by_group(struct colink_wh *wh, int fy, int roster,
			      const struct colink_wh_icd_range *ranges, size_t nranges, int *present,
			      colink_wh_claim_group_cb cb, void *ud, struct colink_error *err)
{
	NEED(claims_by_group);
	return wh->be->claims_by_group(wh, fy, roster, ranges, nranges, present, cb, ud, err);
}

int colink_wh_link_review(struct colink_wh *wh, char run_id[72], colink_wh_review_cb cb,
			  void *ud, struct colink_error *err)
{
	run_id[0] = '\0';
	NEED(link_review);
	return wh->be->link_review(wh, run_id, cb, ud, err);
}

int colink_wh_link_decisions(struct colink_wh *wh, colink_wh_decision_cb cb, void *ud,
			     struct colink_error *err)
{
	NEED(link_decisions);
	return wh->be->link_decisions(wh, cb, ud, err);
}

int colink_wh_link_decide(struct colink_wh *wh, long long group, long long a, long long b,
			  const char *kind, const char *by, const char *why,
			  colink_wh_before_commit hook, void *ud, long long *decision_id,
			  struct colink_error *err)
{
	*decision_id = 0;
	NEED(link_decide);
	if (strcmp(kind, "link") && strcmp(kind, "never"))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: a decision is link or never, not %s",
				  wh->name, kind);
	return wh->be->link_decide(wh, group, a, b, kind, by, why, hook, ud, decision_id, err);
}

int colink_wh_link_revoke(struct colink_wh *wh, long long id, const char *by, const char *why,
			  colink_wh_before_commit hook, void *ud, int *unlinked,
			  struct colink_error *err)
{
	*unlinked = 0;
	NEED(link_revoke);
	return wh->be->link_revoke(wh, id, by, why, hook, ud, unlinked, err);
}
