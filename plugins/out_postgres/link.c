/*
 * link.c -- out_postgres: link the employer's persons to the association's.
 *
 * out_sqlite's passes (plugins/out_sqlite/link.c; the rules are described
 * for auditors in mappings/warehouse/schema.sql, "Linkage"), as set-based
 * SQL on the server inside the run's transaction: for each pass with key
 * kind K, over persons not linked yet, the candidate pairs sharing a
 * pseudonym of kind K; the pairs whose two persons have no other candidate
 * are linked, every other pair goes to link_review (the pairs sharing one
 * pseudonym are one review group, link_review.group_no).  The temporary
 * tables drop at commit.
 *
 * Before the passes, pass 0 (kind "decision", #18 part 6) applies the
 * stewards' decisions of link_decision that are not revoked, as out_sqlite
 * does: a "link" decision links its two persons when neither is linked yet
 * (and no other "link" decision in force names either); a "never" decision
 * keeps its pair out of every pass's candidates, so it is neither linked
 * nor sent to review again.  Pass 0's link_report row is written only when
 * some decision is in force.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_postgres_int.h"

#define PASS(rules, i) \
	COLINK_AT(struct colink_link_pass, (rules)->passes, (rules)->pass_size, (i))

static const char create_sql[] =
	"CREATE TEMP TABLE link_cand (employer bigint NOT NULL, association bigint NOT NULL, "
	"grp text, PRIMARY KEY (employer, association)) ON COMMIT DROP; "
	"CREATE INDEX ON link_cand (association, employer); "
	"CREATE TEMP TABLE link_new (employer bigint NOT NULL, association bigint NOT NULL) "
	"ON COMMIT DROP; "
	"CREATE TEMP TABLE linked (person_no bigint PRIMARY KEY) ON COMMIT DROP; "
	"INSERT INTO linked (person_no) SELECT p.person_no FROM link AS l "
	"JOIN person AS p ON p.person_id = l.employer_person_id UNION "
	"SELECT p.person_no FROM link AS l JOIN person AS p ON p.person_id = l.association_person_id";

/* $1 kind */
static const char cand_sql[] =
	"INSERT INTO link_cand (employer, association, grp) "
	"SELECT DISTINCT ON (ek.person_no, ak.person_no) ek.person_no, ak.person_no, "
	"ek.pseudonym FROM person_key AS ek "
	"JOIN person_key AS ak ON ak.kind = ek.kind AND ak.pseudonym = ek.pseudonym "
	"JOIN person AS pe ON pe.person_no = ek.person_no "
	"JOIN person AS pa ON pa.person_no = ak.person_no "
	"WHERE ek.kind = $1 AND pe.side = 'employer' AND pa.side = 'association' "
	"AND NOT EXISTS (SELECT 1 FROM linked WHERE person_no = ek.person_no) "
	"AND NOT EXISTS (SELECT 1 FROM linked WHERE person_no = ak.person_no) "
	"AND NOT EXISTS (SELECT 1 FROM link_decision AS d WHERE d.kind = 'never' "
	"AND d.revoked IS NULL AND d.employer_no = ek.person_no "
	"AND d.association_no = ak.person_no) "
	"ORDER BY ek.person_no, ak.person_no, ek.pseudonym";

/* Pass 0: out_sqlite's D_NEW -- the "link" decisions in force whose
 * persons are both unlinked, of the right sides, and named by no other
 * "link" decision in force. */
static const char decision_new_sql[] =
	"TRUNCATE link_new; INSERT INTO link_new (employer, association) "
	"SELECT d.employer_no, d.association_no FROM link_decision AS d "
	"JOIN person AS pe ON pe.person_no = d.employer_no AND pe.side = 'employer' "
	"JOIN person AS pa ON pa.person_no = d.association_no AND pa.side = 'association' "
	"WHERE d.kind = 'link' AND d.revoked IS NULL "
	"AND NOT EXISTS (SELECT 1 FROM linked WHERE person_no = d.employer_no) "
	"AND NOT EXISTS (SELECT 1 FROM linked WHERE person_no = d.association_no) "
	"AND NOT EXISTS (SELECT 1 FROM link_decision AS x WHERE x.kind = 'link' "
	"AND x.revoked IS NULL AND x.decision_id <> d.decision_id "
	"AND (x.employer_no = d.employer_no OR x.association_no = d.association_no)) "
	"ORDER BY 1";

/* $1 pass, $2 kind, $3 run_id */
static const char review_sql[] =
	"INSERT INTO link_review (run_id, pass, kind, employer_person_id, association_person_id, "
	"reason, group_no) SELECT $3, $1::bigint, $2, pe.person_id, pa.person_id, "
	"CASE WHEN ne > 1 AND na > 1 THEN format('employer person has %s candidates; "
	"association person has %s candidates', ne, na) "
	"WHEN ne > 1 THEN format('employer person has %s candidates', ne) "
	"ELSE format('association person has %s candidates', na) END, "
	"(SELECT coalesce(max(group_no), 0) FROM link_review) + dense_rank() OVER (ORDER BY r.grp) "
	"FROM (SELECT c.employer, c.association, c.grp, "
	"count(*) OVER (PARTITION BY c.employer) AS ne, "
	"count(*) OVER (PARTITION BY c.association) AS na FROM link_cand AS c) AS r "
	"JOIN person AS pe ON pe.person_no = r.employer "
	"JOIN person AS pa ON pa.person_no = r.association "
	"WHERE ne > 1 OR na > 1 ORDER BY pe.person_id, pa.person_id";

static const char new_sql[] =
	"TRUNCATE link_new; INSERT INTO link_new (employer, association) "
	"SELECT c.employer, c.association FROM link_cand AS c "
	"WHERE NOT EXISTS (SELECT 1 FROM link_cand AS x WHERE x.employer = c.employer "
	"AND x.association <> c.association) "
	"AND NOT EXISTS (SELECT 1 FROM link_cand AS y WHERE y.association = c.association "
	"AND y.employer <> c.employer)";

/* $1 pass, $2 kind, $3 run_id */
static const char link_sql[] =
	"INSERT INTO link (employer_person_id, association_person_id, pass, kind, run_id) "
	"SELECT pe.person_id, pa.person_id, $1::bigint, $2, $3 FROM link_new AS n "
	"JOIN person AS pe ON pe.person_no = n.employer "
	"JOIN person AS pa ON pa.person_no = n.association ORDER BY pe.person_id";

static const char linked_sql[] =
	"INSERT INTO linked (person_no) SELECT employer FROM link_new "
	"UNION ALL SELECT association FROM link_new; TRUNCATE link_cand";

static int check_rules(struct out_postgres *o, const struct colink_link_rules *rules,
		       struct colink_error *err)
{
	size_t i, j;
	if (!rules || rules->struct_size < sizeof(*rules) || !rules->passes ||
	    rules->pass_size < COLINK_SIZE_TO(struct colink_link_pass, kind) ||
	    rules->npasses < 1 || rules->npasses > COLINK_LINK_MAX_PASSES)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: link: the rules need 1 to %d passes",
				  o->where, COLINK_LINK_MAX_PASSES);
	for (i = 0; i < rules->npasses; i++) {
		const char *k = PASS(rules, i)->kind;
		if (!k || !*k)
			return COLINK_ERR(err, COLINK_EINVAL, "%s: link: pass %zu names no key kind",
					  o->where, i + 1);
		/* #23: the comparison features are out_sqlite's only (the core
		 * refuses such a job first; this guards another caller) */
		if (rules->pass_size >= COLINK_SIZE_TO(struct colink_link_pass, blocking) &&
		    PASS(rules, i)->probabilistic)
			return COLINK_ERR(err, COLINK_EINVAL, "%s: link: pass %zu is probabilistic, "
					  "which out_postgres does not support (use out_sqlite)",
					  o->where, i + 1);
		for (j = 0; j < i; j++)
			if (!strcmp(k, PASS(rules, j)->kind))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s: link: pass %zu repeats key kind %s of pass %zu",
						  o->where, i + 1, k, j + 1);
	}
	return COLINK_OK;
}

/* Pass 0: the stewards' "link" decisions in force (out_sqlite's
 * decision_pass).  Nothing, not even a link_report row, when no decision
 * is in force, so a warehouse without decisions reports as before. */
static int decision_pass(struct out_postgres *o, struct colink_link_report *r,
			 struct colink_error *err)
{
	char nl[24], found_buf[24];
	const char *v[5] = { "0", "decision", o->run_id, nl, "0" };
	uint64_t linked = 0;
	int found = 0, rc;
	rc = opg_query_text(o, "SELECT count(*) FROM link_decision WHERE revoked IS NULL", 0, NULL,
			    found_buf, sizeof(found_buf), &found, "reading the link decisions", err);
	if (rc || !found || strtoll(found_buf, NULL, 10) == 0)
		return rc;
	rc = opg_exec(o, decision_new_sql, "applying link decisions", err);
	if (!rc)
		rc = opg_exec_params(o, link_sql, 3, v, &linked, "applying link decisions", err);
	if (!rc)
		rc = opg_exec(o, linked_sql, "applying link decisions", err);
	snprintf(nl, sizeof(nl), "%" PRIu64, linked);
	if (!rc)
		rc = opg_exec_params(o, "INSERT INTO link_report (run_id, pass, kind, linked, "
				     "ambiguous) VALUES ($3, $1::bigint, $2, $4::bigint, $5::bigint)",
				     5, v, NULL, "recording the link report", err);
	r->linked_decision = linked;
	return rc;
}

static int link_pass(struct out_postgres *o, int pass, const char *kind,
		     struct colink_link_report *r, struct colink_error *err)
{
	char no[16], nl[24], nr[24];
	const char *v[5] = { no, kind, o->run_id, nl, nr };
	uint64_t linked = 0, review = 0;
	int rc;
	snprintf(no, sizeof(no), "%d", pass);
	rc = opg_exec_params(o, cand_sql, 1, &v[1], NULL, "finding link candidates", err);
	if (!rc)
		rc = opg_exec(o, "ANALYZE link_cand", "finding link candidates", err);
	if (!rc)
		rc = opg_exec_params(o, review_sql, 3, v, &review,
				     "recording link candidates for review", err);
	if (!rc)
		rc = opg_exec(o, new_sql, "linking persons", err);
	if (!rc)
		rc = opg_exec_params(o, link_sql, 3, v, &linked, "linking persons", err);
	if (!rc)
		rc = opg_exec(o, linked_sql, "linking persons", err);
	snprintf(nl, sizeof(nl), "%" PRIu64, linked);
	snprintf(nr, sizeof(nr), "%" PRIu64, review);
	if (!rc)
		rc = opg_exec_params(o, "INSERT INTO link_report (run_id, pass, kind, linked, "
				     "ambiguous) VALUES ($3, $1::bigint, $2, $4::bigint, $5::bigint)",
				     5, v, NULL, "recording the link report", err);
	r->linked[pass - 1] = linked;
	r->ambiguous += review;
	return rc;
}

static void report_out(const struct colink_link_report *r, struct colink_link_report *rep)
{
	size_t n;
	if (!rep || rep->struct_size <= sizeof(rep->struct_size))
		return;
	n = rep->struct_size < sizeof(*r) ? rep->struct_size : sizeof(*r);
	memcpy((char *)rep + sizeof(rep->struct_size),
	       (const char *)r + sizeof(r->struct_size), n - sizeof(r->struct_size));
}

static int link_summary(struct out_postgres *o, size_t npasses, struct colink_link_report *r,
			struct colink_error *err)
{
	char np[16], ln[24], am[24], ld[24];
	const char *v[5] = { o->run_id, np, ln, am, ld };
	uint64_t linked_new = 0;
	PGresult *res;
	size_t i;
	int rc;
	for (i = 0; i < npasses; i++)
		linked_new += r->linked[i];
	linked_new += r->linked_decision;
	snprintf(ld, sizeof(ld), "%" PRIu64, r->linked_decision);
	snprintf(np, sizeof(np), "%zu", npasses);
	snprintf(ln, sizeof(ln), "%" PRIu64, linked_new);
	snprintf(am, sizeof(am), "%" PRIu64, r->ambiguous);
	/* out_sqlite's summary: persons linked + in review + unmatched */
	rc = opg_exec_params(o, "INSERT INTO link_summary (run_id, passes, association_persons, "
			     "employer_persons, linked_new, linked_total, ambiguous, "
			     "unmatched_association, unmatched_employer, review_association, "
			     "review_employer, linked_decision) SELECT $1, $2::bigint, na, "
			     "ne, $3::bigint, nl, $4::bigint, na - nl - ra, ne - nl - re, ra, re, $5::bigint FROM "
			     "(SELECT (SELECT count(*) FROM person WHERE side = 'association') AS na, "
			     "(SELECT count(*) FROM person WHERE side = 'employer') AS ne, "
			     "(SELECT count(*) FROM link) AS nl, "
			     "(SELECT count(DISTINCT r.association_person_id) FROM link_review AS r "
			     "WHERE r.run_id = $1 AND NOT EXISTS (SELECT 1 FROM link AS l "
			     "WHERE l.association_person_id = r.association_person_id) AND NOT EXISTS (SELECT 1 FROM link AS m "
		"WHERE m.employer_person_id = r.employer_person_id)) AS ra, "
			     "(SELECT count(DISTINCT r.employer_person_id) FROM link_review AS r "
			     "WHERE r.run_id = $1 AND NOT EXISTS (SELECT 1 FROM link AS l "
			     "WHERE l.employer_person_id = r.employer_person_id) AND NOT EXISTS (SELECT 1 FROM link AS m "
		"WHERE m.association_person_id = r.association_person_id)) AS re) AS c",
			     5, v, NULL, "recording the link summary", err);
	if (rc)
		return rc;
	res = PQexecParams(o->db, "SELECT association_persons, employer_persons, linked_total, "
			   "unmatched_association, unmatched_employer, review_association, "
			   "review_employer FROM link_summary WHERE run_id = $1", 1, NULL, v, NULL,
			   NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = opg_db_err(o, res, "reading the link summary", err);
	else {
		r->association_persons = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		r->employer_persons = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
		r->linked_total = strtoull(PQgetvalue(res, 0, 2), NULL, 10);
		r->unmatched_association = strtoull(PQgetvalue(res, 0, 3), NULL, 10);
		r->unmatched_employer = strtoull(PQgetvalue(res, 0, 4), NULL, 10);
		r->review_association = strtoull(PQgetvalue(res, 0, 5), NULL, 10);
		r->review_employer = strtoull(PQgetvalue(res, 0, 6), NULL, 10);
	}
	PQclear(res);
	return rc;
}

int opg_link(void *ctx, const struct colink_link_rules *rules,
	     struct colink_link_report *rep, struct colink_error *err)
{
	struct out_postgres *o = ctx;
	struct colink_link_report r;
	size_t i;
	int rc = opg_in_run(o, "link", err);
	if (!rc)
		rc = check_rules(o, rules, err);
	if (rc)
		return rc;
	if (o->linked)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: link called twice in run %s",
				  o->where, o->run_id);
	rc = opg_merge(o, err); /* the run's persons and pseudonyms first */
	if (rc)
		return rc;
	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	rc = opg_exec(o, create_sql, "creating the link candidate tables", err);
	if (!rc)
		rc = decision_pass(o, &r, err);
	for (i = 0; !rc && i < rules->npasses; i++)
		rc = link_pass(o, (int)i + 1, PASS(rules, i)->kind, &r, err);
	if (!rc)
		rc = link_summary(o, rules->npasses, &r, err);
	if (!rc) {
		o->linked = 1;
		report_out(&r, rep);
	}
	return rc;
}
