/*
 * report_src.c -- the source, agreement checks, warehouse, agreement gate
 * and audit entry shared by `colink report referral|guidance|smoking`
 * (cmd_report.c) and `colink report whitepaper` (cmd_whitepaper.c).
 */
#include <string.h>

#include "base/alloc.h"
#include "cli/report_src.h"
#include "base/util.h"

static const char *job_output_path(const struct colink_job *j)
{
	size_t i;
	for (i = 0; i < j->noutput_settings; i++)
		if (!strcmp(j->output_settings[i].name, "path"))
			return j->output_settings[i].value;
	return NULL;
}

int report_src_option(struct report_src_opts *o, const char *a, const char *v)
{
	const struct {
		const char *name;
		const char **field;
	} opt[] = {
		{"--warehouse", &o->warehouse}, {"--agreement", &o->agreement_file},
		{"--purpose", &o->purpose},     {"--role", &o->role},
		{"--party", &o->party},         {"--audit-log", &o->audit_log},
	};
	size_t i;
	for (i = 0; v && i < sizeof(opt) / sizeof(opt[0]); i++)
		if (!strcmp(a, opt[i].name)) {
			*opt[i].field = v;
			return 1;
		}
	return 0;
}

/* Where the warehouse, agreement, audit log and recipient come from: options, else the JOB. */
static int resolve(struct report_src *s, const struct report_src_opts *o, const char *data_dir,
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

int report_src_open(struct report_src *s, const struct report_src_opts *o, const char *data_dir,
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

void report_src_free(struct report_src *s)
{
	colink_wh_close(s->wh);
	colink_agreement_free(s->agr);
	colink_job_free(s->job);
	colink_free(s->warehouse);
	colink_free(s->audit_log);
	memset(s, 0, sizeof(*s));
}

int report_src_allowed(struct report_src *s, const char *field, int owner, int level)
{
	enum colink_flow dir = owner == s->party ? COLINK_FLOW_NONE
			       : owner == COLINK_PARTY_ASSOCIATION ? COLINK_FLOW_ASSOCIATION_TO_EMPLOYER
							       : COLINK_FLOW_EMPLOYER_TO_ASSOCIATION;
	if (colink_agreement_check(s->agr, field, dir, s->purpose, s->role, (enum colink_level)level,
				   NULL, 0))
		return 0;
	if (!report_src_released(s, field) && s->nitems < REPORT_SRC_MAX_ITEMS)
		s->items[s->nitems++] = field;
	return 1;
}

int report_src_all_allowed(struct report_src *s, const char *const *fields, int owner, int level,
			   const char **first_refused)
{
	int ok = 1;
	for (; *fields; fields++)
		if (!report_src_allowed(s, *fields, owner, level)) {
			if (ok && first_refused)
				*first_refused = *fields;
			ok = 0;
		}
	return ok;
}

int report_src_released(const struct report_src *s, const char *field)
{
	size_t i;
	for (i = 0; i < s->nitems; i++)
		if (!strcmp(s->items[i], field))
			return 1;
	return 0;
}

void report_src_entry(const struct report_src *s, struct colink_audit_entry *e, const char *job,
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
