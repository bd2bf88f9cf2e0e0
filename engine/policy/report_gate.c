/*
 * report_gate.c -- the source, agreement checks, warehouse, agreement gate
 * and audit entry shared by `colink report referral|guidance|smoking`
 * (cmd_report.c) and `colink report whitepaper` (cmd_whitepaper.c), and
 * what each of those reports may release.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "policy/report_gate.h"
#include "base/util.h"

static const char *job_output_path(const struct colink_job *j)
{
	size_t i;
	for (i = 0; i < j->noutput_settings; i++)
		if (!strcmp(j->output_settings[i].name, "path"))
			return j->output_settings[i].value;
	return NULL;
}

/* Where the warehouse, agreement, audit log and recipient come from: options, else the JOB. */
static int resolve(struct colink_report_src *s, const struct colink_report_src_opts *o, const char *data_dir,
		   const char **afile, struct colink_error *err)
{
	const char *wh = o->warehouse, *alog = o->audit_log;
	int rc;
	*afile = o->agreement_file;
	s->purpose = o->purpose ? o->purpose : o->default_purpose;
	s->role = o->role;
	s->party = o->party ? colink_party_parse(o->party) : COLINK_PARTY_NONE;
	if (o->job) {
		if ((rc = colink_job_load(&s->job, o->job, data_dir, err)))
			return rc;
		if (!wh)
			wh = job_output_path(s->job);
		if (!*afile)
			*afile = s->job->agreement_file;
		if (!alog)
			alog = s->job->audit_log;
		if (!s->role)
			s->role = s->job->recipient_role;
		if (!o->party)
			s->party = s->job->recipient_party;
	}
	if (!wh)
		return COLINK_ERR(err, COLINK_EINVAL, "no warehouse: give a JOB whose output has a path, "
				  "or --warehouse DB");
	if (!*afile)
		return COLINK_ERR(err, COLINK_EINVAL, "no agreement: %s checked against the joint-use "
				  "agreement (JOB's <agreement file> or --agreement FILE)", o->subject);
	if (!(s->warehouse = colink_strdup(wh)) || (alog && !(s->audit_log = colink_strdup(alog))))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

int colink_report_src_open(struct colink_report_src *s, const struct colink_report_src_opts *o, const char *data_dir,
		    struct colink_error *err)
{
	const char *afile = NULL;
	int rc;
	if ((rc = resolve(s, o, data_dir, &afile, err)) ||
	    (rc = colink_agreement_load(&s->agr, afile, data_dir, NULL, err)))
		return rc;
	s->agreement_id = colink_agreement_id(s->agr);
	if (s->job && s->job->agreement && strcmp(s->job->agreement, s->agreement_id))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: the job's agreement id '%s' is not the "
				  "agreement file's '%s'", o->job, s->job->agreement, s->agreement_id);
	if (s->party == COLINK_PARTY_NONE || !s->role)
		return COLINK_ERR(err, COLINK_EINVAL, "no recipient: give --party association|employer "
				  "and --role ROLE (or a JOB with <recipient party role>)");
	if (!colink_agreement_has_role(s->agr, s->party, s->role))
		return COLINK_ERR(err, COLINK_EPOLICY, "%s: '%s' is not a role of the %s party",
				  colink_agreement_path(s->agr), s->role, colink_party_name(s->party));
	/* a server warehouse (postgresql://...) has no directory to hold it */
	if (!s->audit_log && strstr(s->warehouse, "://"))
		return COLINK_ERR(err, COLINK_EINVAL, "a warehouse on a server has no directory for the "
				  "audit log: give --audit-log FILE (or <audit log=\"FILE\"/> in the job)");
	if (!s->audit_log) {
		char *dir = colink_path_dir(s->warehouse);
		s->audit_log = dir ? colink_path_join(dir, "audit.log") : NULL;
		colink_free(dir);
		if (!s->audit_log)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	if ((rc = colink_wh_open(&s->wh, s->warehouse,
				 COLINK_WH_READONLY | COLINK_WH_MUST_EXIST | COLINK_WH_WAIT, err)))
		return rc;
	return colink_wh_check_version(s->wh, err);
}

void colink_report_src_free(struct colink_report_src *s)
{
	colink_wh_close(s->wh);
	colink_agreement_free(s->agr);
	colink_job_free(s->job);
	colink_free(s->warehouse);
	colink_free(s->audit_log);
	memset(s, 0, sizeof(*s));
}

int colink_report_src_allowed(struct colink_report_src *s, const char *field, int owner, int level)
{
	enum colink_flow dir = owner == s->party ? COLINK_FLOW_NONE
			       : owner == COLINK_PARTY_ASSOCIATION ? COLINK_FLOW_ASSOCIATION_TO_EMPLOYER
							       : COLINK_FLOW_EMPLOYER_TO_ASSOCIATION;
	if (colink_agreement_check(s->agr, field, dir, s->purpose, s->role, (enum colink_level)level,
				   NULL, 0))
		return 0;
	if (!colink_report_src_released(s, field) && s->nitems < COLINK_REPORT_MAX_ITEMS)
		s->items[s->nitems++] = field;
	return 1;
}

int colink_report_src_all_allowed(struct colink_report_src *s, const char *const *fields, int owner, int level,
			   const char **first_refused)
{
	int ok = 1;
	for (; *fields; fields++)
		if (!colink_report_src_allowed(s, *fields, owner, level)) {
			if (ok && first_refused)
				*first_refused = *fields;
			ok = 0;
		}
	return ok;
}

int colink_report_src_released(const struct colink_report_src *s, const char *field)
{
	size_t i;
	for (i = 0; i < s->nitems; i++)
		if (!strcmp(s->items[i], field))
			return 1;
	return 0;
}

void colink_report_src_entry(const struct colink_report_src *s, struct colink_audit_entry *e, const char *job,
		      const char *status, const char *message)
{
	memset(e, 0, sizeof(*e));
	e->kind = "export";
	e->status = status;
	e->job = job;
	e->job_sha256 = s->job ? s->job->sha256 : NULL;
	e->purpose = s->purpose;
	e->recipient_party = colink_party_name(s->party);
	e->recipient_role = s->role;
	e->agreement_id = s->agreement_id;
	e->agreement_sha256 = colink_agreement_sha256(s->agr);
	e->message = message;
	e->nitems = s->nitems;
	e->items = s->items;
}

int colink_report_src_audit(const struct colink_report_src *s, const char *verb, const char *status,
			    const char *message, const char *key_id, const char *output,
			    const struct colink_audit_count *counts, size_t ncounts,
			    struct colink_error *err)
{
	struct colink_audit_entry e;
	colink_report_src_entry(s, &e, verb, status, message);
	e.key_id = key_id;
	e.output = output;
	e.ncounts = ncounts;
	e.counts = counts;
	return colink_audit_append(s->audit_log, &e, err);
}

/* ---- what each report may release ---- */

/* The fields each referral area reads (the warehouse columns). */
static const char *const area_fields[COLINK_REPORT_AREAS][12] = {
	{"sbp_1", "sbp_2", "sbp_other", "dbp_1", "dbp_2", "dbp_other", NULL},
	{"tg_fasting", "tg_casual", "hdl", "ldl", "non_hdl", NULL},
	{"ast", "alt", "ggt", NULL},
	{"fpg", "casual_glucose", "hba1c", NULL},
	{"egfr", "urine_protein", NULL},
	{"hemoglobin", NULL},
};

static int all_allowed(struct colink_report_src *s, const char *const *fields, int owner, int level)
{
	return colink_report_src_all_allowed(s, fields, owner, level, NULL);
}

int colink_report_gate_programs(struct colink_report_src *s, enum colink_report_kind kind,
				int identified, int persons, struct colink_report_release *rel,
				char *why, size_t wn)
{
	int level = identified ? COLINK_LEVEL_INDIVIDUAL
		    : kind == COLINK_REPORT_SMOKING && !persons ? COLINK_LEVEL_AGGREGATE
								: COLINK_LEVEL_PSEUDONYMIZED;
	static const char *const date_f[] = {"exam_date", NULL};
	static const char *const guid_f[] = {"exam_date", "guidance_level", NULL};
	static const char *const smoke_f[] = {"q_smoking", NULL};
	static const char *const followup_f[] = {"last_visit_date", "q_med_bp", "q_med_lipid",
						 "q_med_glucose", NULL};
	int a, any = 0;
	memset(rel, 0, sizeof(*rel));
	rel->detail_ok = s->party == COLINK_PARTY_ASSOCIATION;
	if (identified &&
	    !colink_report_src_allowed(s, "employee_number", COLINK_PARTY_EMPLOYER, level)) {
		snprintf(why, wn, "the agreement does not allow employee_number for %s / %s at "
			 "individual level", s->purpose, s->role);
		return COLINK_EPOLICY;
	}
	/* the site appears only next to an employee number, or as the smoking rates' grouping */
	rel->site_ok = (identified || (kind == COLINK_REPORT_SMOKING && !persons)) &&
		       colink_report_src_allowed(s, "site", COLINK_PARTY_EMPLOYER, level);
	switch (kind) {
	case COLINK_REPORT_REFERRAL:
		if (!all_allowed(s, date_f, COLINK_PARTY_ASSOCIATION, level))
			break;
		for (a = 0; a < COLINK_REPORT_AREAS; a++)
			any |= rel->area_ok[a] = all_allowed(s, area_fields[a], COLINK_PARTY_ASSOCIATION,
							     level);
		/* the follow-up quotes a claims visit date or a later medication
		 * answer: released only when those items are */
		rel->followup_ok = all_allowed(s, followup_f, COLINK_PARTY_ASSOCIATION, level);
		break;
	case COLINK_REPORT_GUIDANCE:
		any = all_allowed(s, guid_f, COLINK_PARTY_ASSOCIATION, level);
		break;
	case COLINK_REPORT_SMOKING:
		any = all_allowed(s, smoke_f, COLINK_PARTY_ASSOCIATION, level) &&
		      (!persons || all_allowed(s, date_f, COLINK_PARTY_ASSOCIATION, level));
		break;
	}
	if (!any) {
		snprintf(why, wn, "the agreement allows none of the report's items for purpose %s, "
			 "role %s (%s) at %s level", s->purpose, s->role, colink_party_name(s->party),
			 colink_level_name(level));
		return COLINK_EPOLICY;
	}
	return COLINK_OK;
}

/* What the white paper reads, by the party that owns it. */
static const char *const assoc_core[] = {
	"exam_date", "sbp_1", "sbp_2", "sbp_other", "dbp_1", "dbp_2", "dbp_other",
	"tg_fasting", "tg_casual", "hdl", "ldl", "non_hdl", "ast", "alt", "ggt",
	"fpg", "casual_glucose", "hba1c", "egfr", "urine_protein", "hemoglobin", NULL
};
static const char *const employer_core[] = { "sex", "site", "job_type", "hire_date", "leave_date", NULL };
static const char *const employer_attendance[] = { "overtime_minutes", "sick_days", NULL };
static const char *const assoc_claims[] = { "medical_cost", NULL };

int colink_report_gate_whitepaper(struct colink_report_src *s, int *attendance_allowed,
				  int *claims_allowed, int *claims_roster_age, struct colink_error *err)
{
	const char *refused = NULL;
	const int agg = COLINK_LEVEL_AGGREGATE;
	if (!colink_report_src_all_allowed(s, employer_core, COLINK_PARTY_EMPLOYER, agg, &refused) ||
	    !colink_report_src_all_allowed(s, assoc_core, COLINK_PARTY_ASSOCIATION, agg, &refused))
		return COLINK_ERR(err, COLINK_EPOLICY,
				  "%s: the agreement does not allow %s for purpose %s, role %s (%s) at aggregate level; "
				  "the white paper needs it", colink_agreement_path(s->agr), refused,
				  s->purpose, s->role, colink_party_name(s->party));
	*attendance_allowed = colink_report_src_all_allowed(s, employer_attendance, COLINK_PARTY_EMPLOYER,
							    agg, NULL);
	(void)colink_report_src_all_allowed(s, assoc_claims, COLINK_PARTY_ASSOCIATION, agg, NULL);
	*claims_allowed = colink_report_src_released(s, "medical_cost");
	*claims_roster_age = *claims_allowed &&
			     colink_report_src_allowed(s, "birth_date", COLINK_PARTY_EMPLOYER, agg);
	return COLINK_OK;
}

static const char *const employer_participation[] = {
	"participation_program", "participation_date", "participation_completed", NULL
};

int colink_report_gate_participation(struct colink_report_src *s)
{
	return colink_report_src_all_allowed(s, employer_participation, COLINK_PARTY_EMPLOYER,
					     COLINK_LEVEL_AGGREGATE, NULL);
}

int colink_report_gate_followup_claims(struct colink_report_src *s, int identified)
{
	static const char *const claims_f[] = {"diagnosis_code", "diag_service_month",
					       "diag_start_date", "diag_suspected", NULL};
	return all_allowed(s, claims_f, COLINK_PARTY_ASSOCIATION,
			   identified ? COLINK_LEVEL_INDIVIDUAL : COLINK_LEVEL_PSEUDONYMIZED);
}

/* What the allowance figures read: the period (which year, how long), the
 * days paid and the cause's codes; never the amount. */
static const char *const assoc_allowance[] = {
	"allowance_from", "allowance_to", "allowance_days", "allowance_icd10",
	"allowance_disease_code", NULL
};

int colink_report_gate_allowance(struct colink_report_src *s)
{
	return colink_report_src_all_allowed(s, assoc_allowance, COLINK_PARTY_ASSOCIATION,
					     COLINK_LEVEL_AGGREGATE, NULL);
}

static const char *const assoc_claim_groups[] = {
	"claim_service_month", "claim_yen", "diag_seq", "diagnosis_code", "diag_main",
	"diag_suspected", "master_disease_icd10", NULL
};

int colink_report_gate_claim_groups(struct colink_report_src *s)
{
	return colink_report_src_all_allowed(s, assoc_claim_groups, COLINK_PARTY_ASSOCIATION,
					     COLINK_LEVEL_AGGREGATE, NULL);
}
