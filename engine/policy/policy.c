/* policy.c -- the joint-use agreement applied to a run (see policy.h). */
#include "policy/policy.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

/* What a catalogue field may do in this run. */
enum {
	ALLOW_ASSOC = 0x1,   /* from the association's side */
	ALLOW_EMPL = 0x2,    /* from the employer's side */
	GATED_ASSOC = 0x4,   /* ... only with the record's consent */
	GATED_EMPL = 0x8
};

struct colink_policy {
	const struct colink_agreement *a;
	const struct colink_catalog *cat;
	int recipient;                 /* enum colink_party */
	unsigned char *allow;          /* per catalogue field */
	unsigned char *released;       /* per catalogue field: reached the output */
	struct colink_out_value *vals; /* filter buffer */
	size_t cap;
	struct colink_out_record rec;
	struct colink_policy_counts counts;
};

int colink_policy_source_party(const struct colink_mapping *m)
{
	static const struct { const char *kind; int party; } kinds[] = {
		{"checkup", COLINK_PARTY_ASSOCIATION},
		{"questionnaire", COLINK_PARTY_ASSOCIATION},
		{"roster", COLINK_PARTY_EMPLOYER},
		{"attendance", COLINK_PARTY_EMPLOYER},
		{"stress", COLINK_PARTY_EMPLOYER},
		{"claims", COLINK_PARTY_ASSOCIATION}, /* claims_summary (white paper) */
		/* レセプト (UKE, #21): the association's own claims */
		{"claim", COLINK_PARTY_ASSOCIATION},
		{"diagnosis", COLINK_PARTY_ASSOCIATION},
		{"claim_item", COLINK_PARTY_ASSOCIATION},
		/* the code masters the association loads (public tables) */
		{"disease_master", COLINK_PARTY_ASSOCIATION},
		{"drug_master", COLINK_PARTY_ASSOCIATION},
		/* 傷病手当金 (#21 part 5): the association pays it; 要配慮 (the
		 * cause), so it reaches the employer only through a clause */
		{"allowance", COLINK_PARTY_ASSOCIATION},
		/* programme participation (white paper ⑤): the employer runs the
		 * programmes and keeps who took part, like its roster; the
		 * association sees it only through a clause (docs/agreement.md) */
		{"participation", COLINK_PARTY_EMPLOYER},
	};
	size_t i;
	for (i = 0; m->kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, m->kind))
			return kinds[i].party;
	return COLINK_PARTY_NONE;
}

static int flow_of(int src, int dst)
{
	if (src == dst)
		return COLINK_FLOW_NONE;
	return src == COLINK_PARTY_ASSOCIATION ? COLINK_FLOW_ASSOCIATION_TO_EMPLOYER
					       : COLINK_FLOW_EMPLOYER_TO_ASSOCIATION;
}

static const char *any_role(const struct colink_agreement *a)
{
	const struct colink_agreement_party *p = colink_agreement_party_at(a, 0);
	return p && p->nroles ? p->roles[0] : NULL;
}

/* The job as a whole: id, date, purpose, role. */
static int check_job(const struct colink_agreement *a, const struct colink_job *j,
		     int date, struct colink_error *err)
{
	int from, to;
	char why[COLINK_ERRMSG_MAX];
	if (strcmp(j->agreement, colink_agreement_id(a)))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: agreement id '%s' is not the id of %s ('%s')",
				  j->path, j->agreement_line, j->agreement,
				  colink_agreement_path(a), colink_agreement_id(a));
	colink_agreement_period(a, &from, &to);
	if (!date)
		return COLINK_ERR(err, COLINK_EINVAL, "COLINK_RUN_DATE must be YYYY-MM-DD");
	if (!colink_agreement_in_effect(a, date)) {
		char end[16] = "open";
		if (to)
			snprintf(end, sizeof(end), "%04d-%02d-%02d", to / 10000, to / 100 % 100, to % 100);
		return COLINK_ERR(err, COLINK_EPOLICY,
				  "%s:%d: run date %04d-%02d-%02d is outside the effective period %04d-%02d-%02d..%s of agreement %s (%s)",
				  j->path, j->agreement_line, date / 10000, date / 100 % 100, date % 100,
				  from / 10000, from / 100 % 100, from % 100, end,
				  colink_agreement_id(a), colink_agreement_path(a));
	}
	/* the purpose, checked on its own: a role of either party passes the
	 * rest of colink_agreement_check() for a flow within one party */
	if (colink_agreement_check(a, NULL, COLINK_FLOW_NONE, j->purpose,
				   any_role(a), COLINK_LEVEL_PSEUDONYMIZED, why, sizeof(why)))
		return COLINK_ERR(err, COLINK_EPOLICY, "%s:%d: %s", j->path, j->purpose_line, why);
	if (!colink_agreement_has_role(a, j->recipient_party, j->recipient_role))
		return COLINK_ERR(err, COLINK_EPOLICY,
				  "%s:%d: recipient role '%s' is not a co-user role of the %s in agreement %s (%s)",
				  j->path, j->recipient_line, j->recipient_role,
				  colink_party_name(j->recipient_party), colink_agreement_id(a),
				  colink_agreement_path(a));
	return COLINK_OK;
}

/* Fill the per-field table for this purpose, role and level. */
static void build_table(struct colink_policy *p, const struct colink_job *j)
{
	size_t i;
	for (i = 0; i < p->cat->nfields; i++) {
		const char *f = p->cat->fields[i].name;
		int src;
		for (src = COLINK_PARTY_ASSOCIATION; src <= COLINK_PARTY_EMPLOYER; src++) {
			int dir = flow_of(src, p->recipient);
			const struct colink_agreement_clause *c = NULL;
			int ok = dir == COLINK_FLOW_NONE ||
				 (c = colink_agreement_clause_for(p->a, f, (enum colink_flow)dir, j->purpose,
								  j->recipient_role, COLINK_LEVEL_PSEUDONYMIZED));
			int gated = (c && c->consent_required) ||
				    (p->recipient == COLINK_PARTY_EMPLOYER && colink_agreement_consent_gated(f));
			if (ok)
				p->allow[i] |= src == COLINK_PARTY_ASSOCIATION ? ALLOW_ASSOC : ALLOW_EMPL;
			if (ok && gated)
				p->allow[i] |= src == COLINK_PARTY_ASSOCIATION ? GATED_ASSOC : GATED_EMPL;
		}
	}
}

/* Every field a mapping can produce (mapped, constant, derived by scoring)
 * must be allowed; identifiers become pseudonyms and are always allowed. */
static int check_field(const struct colink_policy *p, const struct colink_job *j, size_t input,
		       int src, const struct colink_field_def *f, struct colink_error *err)
{
	char why[COLINK_ERRMSG_MAX - 64];
	int dir = flow_of(src, p->recipient);
	if (!f || (f->flags & (COLINK_FIELD_IDENTIFIER | COLINK_FIELD_NOT_STORED)))
		return COLINK_OK;
	if (!colink_agreement_check(p->a, f->name, (enum colink_flow)dir, j->purpose,
				    j->recipient_role, COLINK_LEVEL_PSEUDONYMIZED, why, sizeof(why)))
		return COLINK_OK;
	return COLINK_ERR(err, COLINK_EPOLICY, "%s:%d: %s", j->path, j->inputs[input].line, why);
}

static int check_mapping(const struct colink_policy *p, const struct colink_job *j, size_t input,
			 const struct colink_mapping *m, struct colink_error *err)
{
	static const char *const scored[] = {"stress_score_a", "stress_score_b", "stress_score_c",
					     "stress_high", "stress_method"};
	int src = colink_policy_source_party(m);
	size_t i;
	int rc = COLINK_OK;
	if (src == COLINK_PARTY_NONE)
		return COLINK_ERR(err, COLINK_EPOLICY, "%s:%d: mapping %s: kind '%s' has no source party",
				  j->path, j->inputs[input].line, m->path, m->kind ? m->kind : "");
	for (i = 0; rc == COLINK_OK && i < m->nfields; i++)
		rc = check_field(p, j, input, src, m->fields[i].field, err);
	for (i = 0; rc == COLINK_OK && i < m->nconstants; i++)
		rc = check_field(p, j, input, src, m->constants[i].field, err);
	for (i = 0; rc == COLINK_OK && m->stress && i < sizeof(scored) / sizeof(scored[0]); i++)
		rc = check_field(p, j, input, src, colink_catalog_field(p->cat, scored[i]), err);
	return rc;
}

int colink_policy_new(struct colink_policy **out, const struct colink_agreement *a,
		      const struct colink_job *j, const struct colink_mapping *const *maps,
		      const struct colink_catalog *cat, int date, struct colink_error *err)
{
	struct colink_policy *p;
	size_t i;
	int rc;
	*out = NULL;
	if ((rc = check_job(a, j, date, err)))
		return rc;
	p = colink_calloc(1, sizeof(*p));
	if (!p)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	p->a = a;
	p->cat = cat;
	p->recipient = j->recipient_party;
	p->allow = colink_calloc(cat->nfields + 1, 1);
	p->released = colink_calloc(cat->nfields + 1, 1);
	if (!p->allow || !p->released) {
		colink_policy_free(p);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	build_table(p, j);
	for (i = 0; rc == COLINK_OK && i < j->ninputs; i++)
		rc = check_mapping(p, j, i, maps[i], err);
	if (rc) {
		colink_policy_free(p);
		return rc;
	}
	*out = p;
	return COLINK_OK;
}

void colink_policy_free(struct colink_policy *p)
{
	if (!p)
		return;
	colink_free(p->allow);
	colink_free(p->released);
	colink_free(p->vals);
	colink_free(p);
}

/* The record's consent flag is yes (code "1" of the 2003 yes/no system). */
static int consented(const struct colink_out_record *r)
{
	size_t i;
	for (i = 0; i < r->nvalues; i++) {
		const struct colink_out_value *v = &r->values[i];
		if (v->field && !strcmp(v->field->name, COLINK_CONSENT_FIELD))
			return v->v.null_reason == COLINK_NULL_NONE && v->v.text &&
			       !strcmp(v->v.text, "1");
	}
	return 0;
}

int colink_policy_filter(struct colink_policy *p, int src,
			 const struct colink_out_record *in,
			 const struct colink_out_record **out, struct colink_error *err)
{
	unsigned allow_bit = src == COLINK_PARTY_ASSOCIATION ? ALLOW_ASSOC : ALLOW_EMPL;
	unsigned gate_bit = src == COLINK_PARTY_ASSOCIATION ? GATED_ASSOC : GATED_EMPL;
	int consent = -1, withheld = 0;
	size_t i, n = 0;
	if (in->nvalues > p->cap) {
		struct colink_out_value *nv = colink_realloc(p->vals, in->nvalues * sizeof(*nv));
		if (!nv)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		p->vals = nv;
		p->cap = in->nvalues;
	}
	for (i = 0; i < in->nvalues; i++) {
		const struct colink_out_value *v = &in->values[i];
		size_t fi;
		if (!v->field) { /* an item code outside the catalogue */
			if (src == p->recipient)
				p->vals[n++] = *v;
			else
				p->counts.withheld_values++;
			continue;
		}
		fi = colink_catalog_field_index(p->cat, v->field);
		if (!(v->field->flags & COLINK_FIELD_IDENTIFIER) && !(p->allow[fi] & allow_bit)) {
			p->counts.withheld_values++;
			continue;
		}
		if (p->allow[fi] & gate_bit) {
			if (consent < 0)
				consent = consented(in);
			if (!consent) {
				withheld = 1;
				continue;
			}
		}
		p->released[fi] = 1;
		p->vals[n++] = *v;
	}
	p->counts.withheld_consent += (uint64_t)withheld;
	p->rec = *in;
	p->rec.nvalues = n;
	p->rec.values = p->vals;
	*out = &p->rec;
	return COLINK_OK;
}

void colink_policy_counts(const struct colink_policy *p, struct colink_policy_counts *c)
{
	*c = p->counts;
}

size_t colink_policy_nreleased(const struct colink_policy *p)
{
	size_t i, n = 0;
	for (i = 0; i < p->cat->nfields; i++)
		n += p->released[i];
	return n;
}

const char *colink_policy_released_at(const struct colink_policy *p, size_t i)
{
	size_t k;
	for (k = 0; k < p->cat->nfields; k++)
		if (p->released[k] && i-- == 0)
			return p->cat->fields[k].name;
	return NULL;
}
