/*
 * test_agreement.c -- joint-use agreements: the reader (engine/policy/agreement.c)
 * and the enforcement of `colink run` against the real binary: every kind
 * of violation is refused before anything is read, with a one-line
 * FILE:LINE message naming the item and the clause; a legal run passes;
 * stress-check results reach an employer-side recipient only with consent;
 * a job refused at plan time leaves exactly one "refused" audit entry.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/agreement.h"
#include "core/catalog.h"
#include "core/job.h"
#include "core/mapping.h"
#include "policy/policy.h"
#include "testutil.h"

#define ID "sample-collabo-2024"

static char *dir;
static struct colink_agreement *a;

static char *data_dir(void)
{
	return tu_fmt("%s/mappings", tu_srcdir());
}

static char *sample(void)
{
	return tu_fmt("%s/samples/agreement.xml", tu_srcdir());
}

static char *variant(const char *name)
{
	return tu_fmt("%s/tests/data/agreement/%s", tu_srcdir(), name);
}

static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(dir, args, out, err);
}

static int setup(void)
{
	struct colink_error err = {0};
	char *p = sample(), *d = data_dir();
	int rc = colink_agreement_load(&a, p, d, NULL, &err);
	if (rc)
		fprintf(stderr, "\n  %s\n", err.msg);
	free(p);
	free(d);
	dir = tu_mkdtemp("agreement");
	return rc || colink("key new k.key", NULL, NULL);
}

static int teardown(void)
{
	colink_agreement_free(a);
	tu_rmtree(dir);
	free(dir);
	return 0;
}

/*
 * Write job `name`.xml: agreement file (NULL: the sample), id, purpose,
 * recipient party and role, and the inputs (XML elements).  The warehouse
 * is `name`.db in the test directory.
 */
static void write_job(const char *name, const char *agreement, const char *id,
		      const char *purpose, const char *party, const char *role,
		      const char *inputs)
{
	char *s = sample();
	char *p = tu_fmt("%s/%s.xml", dir, name);
	char *body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<job xmlns=\"urn:colink:job:1\" name=\"%s\">\n"
			    "  <agreement file=\"%s\" id=\"%s\"/>\n"
			    "  <purpose>%s</purpose>\n"
			    "  <recipient party=\"%s\" role=\"%s\"/>\n"
			    "  <key file=\"k.key\"/>\n"
			    "%s"
			    "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s.db\"/></output>\n"
			    "</job>\n",
			    name, agreement ? agreement : s, id, purpose, party, role, inputs, name);
	tu_write_file(p, body, strlen(body));
	free(body);
	free(p);
	free(s);
}

static char *input(const char *mapping, const char *file)
{
	return tu_fmt("  <input mapping=\"%s/mappings/%s\" path=\"%s/samples/%s\"/>\n",
		      tu_srcdir(), mapping, tu_srcdir(), file);
}

/* Run job `name`; the exit code, stderr in *e (caller frees). */
static int run_job(const char *name, const char *env, char **o, char **e)
{
	char *c = tu_fmt("run --unsigned-agreement %s.xml", name), *cmd;
	int rc;
	if (env) {
		cmd = tu_fmt("cd '%s' && %s '%s' %s", dir, env, tu_colink(), c);
		rc = tu_run(cmd, o, e);
		free(cmd);
	} else {
		rc = colink(c, o, e);
	}
	free(c);
	return rc;
}

static int exists(const char *name)
{
	char *p = tu_fmt("%s/%s", dir, name);
	struct stat st;
	int r = stat(p, &st) == 0;
	free(p);
	return r;
}

/* ---- the reader ---- */

static void test_agreement__sample_loads(void)
{
	const struct colink_agreement_party *as, *em;
	const struct colink_agreement_clause *w3 = NULL;
	int from, to, line = 0;
	size_t i;
	CU_ASSERT_STRING_EQUAL(colink_agreement_id(a), ID);
	CU_ASSERT_STRING_EQUAL(colink_agreement_version(a), "1");
	CU_ASSERT_EQUAL(strlen(colink_agreement_sha256(a)), 64);
	colink_agreement_period(a, &from, &to);
	CU_ASSERT_EQUAL(from, 20240401);
	CU_ASSERT_EQUAL(to, 20270331);
	CU_ASSERT_EQUAL(colink_agreement_nparties(a), 2);
	as = colink_agreement_party_get(a, COLINK_PARTY_ASSOCIATION);
	em = colink_agreement_party_get(a, COLINK_PARTY_EMPLOYER);
	CU_ASSERT_FATAL(as && em);
	CU_ASSERT_STRING_EQUAL(as->resp_title, "常務理事");
	CU_ASSERT_STRING_EQUAL(em->resp_title, "総務担当課長");
	CU_ASSERT_EQUAL(as->nroles, 1);
	CU_ASSERT_EQUAL(em->nroles, 4);
	CU_ASSERT_STRING_EQUAL(em->roles[1], "産業医");
	CU_ASSERT(em->address[0] != '\0' && em->representative[0] != '\0');
	CU_ASSERT_EQUAL(colink_agreement_npurposes(a), 4);
	CU_ASSERT_STRING_EQUAL(colink_agreement_purpose_at(a, 0, &line), "受診勧奨");
	CU_ASSERT(line > 1);
	CU_ASSERT_EQUAL(colink_agreement_nprohibited(a), 2);
	CU_ASSERT_STRING_EQUAL(colink_agreement_prohibited_at(a, 0, NULL), "人事評価");
	CU_ASSERT_EQUAL(colink_agreement_nclauses(a), 9); /* W5: participation (#19); A1: allowance (#21) */
	for (i = 0; i < colink_agreement_nclauses(a); i++)
		if (!strcmp(colink_agreement_clause_at(a, i)->id, "W3"))
			w3 = colink_agreement_clause_at(a, i);
	CU_ASSERT_FATAL(w3 != NULL);
	/* <item table="stress_check"/> + <item table="stress_answer"/>: 7 + 57 fields */
	CU_ASSERT_EQUAL(w3->nfields, 64);
	CU_ASSERT_EQUAL(w3->flow, COLINK_FLOW_EMPLOYER_TO_ASSOCIATION);
	CU_ASSERT_EQUAL(w3->level, COLINK_LEVEL_PSEUDONYMIZED);
}

static void test_agreement__check_levels_and_clauses(void)
{
	char why[512];
	/* R1: individual level to 産業医 for 受診勧奨 */
	CU_ASSERT_EQUAL(colink_agreement_check(a, "sbp_1", COLINK_FLOW_ASSOCIATION_TO_EMPLOYER, "受診勧奨",
					       "産業医", COLINK_LEVEL_INDIVIDUAL, why, sizeof(why)), 0);
	/* ... but not to 看護師, a co-user role R1 does not name */
	CU_ASSERT_EQUAL(colink_agreement_check(a, "sbp_1", COLINK_FLOW_ASSOCIATION_TO_EMPLOYER, "受診勧奨",
					       "看護師", COLINK_LEVEL_INDIVIDUAL, why, sizeof(why)), COLINK_EPOLICY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "clause R1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "another role"));
	/* W4: aggregate only; aggregate passes, pseudonymized does not */
	CU_ASSERT_EQUAL(colink_agreement_check(a, "hba1c", COLINK_FLOW_ASSOCIATION_TO_EMPLOYER, "健康白書",
					       "健康管理チーム", COLINK_LEVEL_AGGREGATE, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(colink_agreement_check(a, "hba1c", COLINK_FLOW_ASSOCIATION_TO_EMPLOYER, "健康白書",
					       "健康管理チーム", COLINK_LEVEL_PSEUDONYMIZED, why, sizeof(why)),
			COLINK_EPOLICY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "item hba1c may not flow association→employer for purpose 健康白書 "
					   "to role 健康管理チーム at level pseudonymized (agreement " ID " clause W4 at "));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "allows it for another level: aggregate"));
	/* the wrong direction: W1 is employer→association only */
	CU_ASSERT_EQUAL(colink_agreement_check(a, "site", COLINK_FLOW_ASSOCIATION_TO_EMPLOYER, "健康白書",
					       "健康管理チーム", COLINK_LEVEL_AGGREGATE, why, sizeof(why)),
			COLINK_EPOLICY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "has no clause for it"));
	CU_ASSERT_EQUAL(colink_agreement_check(a, "site", COLINK_FLOW_EMPLOYER_TO_ASSOCIATION, "健康白書",
					       "保健事業担当者", COLINK_LEVEL_PSEUDONYMIZED, why, sizeof(why)), 0);
	/* a prohibited use is refused whatever the field */
	CU_ASSERT_EQUAL(colink_agreement_check(a, "sbp_1", COLINK_FLOW_NONE, "人事評価", "産業医",
					       COLINK_LEVEL_AGGREGATE, why, sizeof(why)), COLINK_EPOLICY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "purpose 人事評価 is a prohibited use"));
	CU_ASSERT_EQUAL(colink_agreement_check(a, "sbp_1", COLINK_FLOW_NONE, "マーケティング", "産業医",
					       COLINK_LEVEL_AGGREGATE, why, sizeof(why)), COLINK_EPOLICY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "is not one of the purposes"));
	/* the statutory consent gate, and the run date override */
	CU_ASSERT_EQUAL(colink_agreement_consent_gated("stress_high"), 1);
	CU_ASSERT_EQUAL(colink_agreement_consent_gated("stress_b07"), 1);
	CU_ASSERT_EQUAL(colink_agreement_consent_gated("stress_consent"), 0);
	CU_ASSERT_EQUAL(colink_agreement_consent_gated("sbp_1"), 0);
	CU_ASSERT_EQUAL(colink_agreement_in_effect(a, 20240401), 1);
	CU_ASSERT_EQUAL(colink_agreement_in_effect(a, 20270401), 0);
	setenv("COLINK_RUN_DATE", "2025-06-30", 1);
	CU_ASSERT_EQUAL(colink_run_date(), 20250630);
	setenv("COLINK_RUN_DATE", "2025-6-30", 1);
	CU_ASSERT_EQUAL(colink_run_date(), 0);
	unsetenv("COLINK_RUN_DATE");
}

static void test_agreement__invalid_files_refused(void)
{
	char *p = variant("wrong-role.xml"), *c = tu_fmt("check '%s'", p), *e = NULL;
	CU_ASSERT_EQUAL(colink(c, NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "wrong-role.xml:116: clause S1: role '保健事業担当者' is not a "
					       "co-user role of the receiving party (employer)"));
	free(p);
	free(c);
	free(e);
	e = NULL;
	p = variant("unknown-item.xml");
	c = tu_fmt("check '%s'", p);
	CU_ASSERT_EQUAL(colink(c, NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "unknown-item.xml:118: clause S1: item 'salary' is not a common-schema field"));
	free(p);
	free(c);
	free(e);
	e = NULL;
	p = sample();
	c = tu_fmt("check '%s'", p);
	CU_ASSERT_EQUAL(colink(c, NULL, &e), 0);
	free(p);
	free(c);
	free(e);
}

/* ---- enforcement by `colink run` ---- */

static void test_agreement__legal_run_passes(void)
{
	char *in = input("employer/roster.xml", "employer/roster.csv"), *o = NULL, *e = NULL;
	char *db = tu_fmt("%s/legal.db", dir);
	write_job("legal", NULL, ID, "健康白書", "association", "保健事業担当者", in);
	CU_ASSERT_EQUAL(run_job("legal", "COLINK_RUN_DATE=2025-06-30", &o, &e), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM employee"), 18);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM employee WHERE site IS NOT NULL"), 18);
	CU_ASSERT(exists("audit.log"));
	free(db);
	free(in);
	free(o);
	free(e);
}

/* A refusal: exit 3, one line naming the job line, nothing written. */
static void refused(const char *name, const char *env, const char *want)
{
	char *o = NULL, *e = NULL, *db = tu_fmt("%s.db", name);
	CU_ASSERT_EQUAL(run_job(name, env, &o, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, want));
	if (!(e && strstr(e, want)))
		fprintf(stderr, "\n  wanted: %s\n  got: %s\n", want, e ? e : "(nothing)");
	CU_ASSERT(e && strchr(e, '\n') == e + strlen(e) - 1); /* one line */
	CU_ASSERT_FALSE(exists(db));
	free(db);
	free(o);
	free(e);
}

static void test_agreement__item_not_allowed(void)
{
	char *in = input("vendors/vendor_a.xml", "vendor_a.csv");
	/* checkups to the employer's 健康管理チーム for 健康白書: aggregate only (W4) */
	write_job("level", NULL, ID, "健康白書", "employer", "健康管理チーム", in);
	refused("level", NULL, "level.xml:7: item sex may not flow association→employer for purpose 健康白書 "
			       "to role 健康管理チーム at level pseudonymized (agreement " ID " clause W4 at ");
	refused("level", NULL, "allows it for another level: aggregate)");
	/* for 禁煙推進 only q_smoking may cross (clause S1) */
	write_job("purpose", NULL, ID, "禁煙推進", "employer", "健康管理チーム", in);
	refused("purpose", NULL, "purpose.xml:7: item sex may not flow association→employer for purpose 禁煙推進 "
				 "to role 健康管理チーム at level pseudonymized (agreement " ID " clause W4 at ");
	refused("purpose", NULL, "allows it for another purpose)");
	free(in);
}

static void test_agreement__prohibited_purpose_never_runs(void)
{
	char *in = input("employer/roster.xml", "employer/roster.csv");
	char *ag = variant("prohibited-listed.xml");
	/* listed as a purpose too, and the data would not even cross parties */
	write_job("hr", ag, ID, "人事評価", "employer", "健康管理チーム", in);
	refused("hr", NULL, "hr.xml:4: purpose 人事評価 is a prohibited use (agreement " ID " at ");
	write_job("other", NULL, ID, "マーケティング", "employer", "健康管理チーム", in);
	refused("other", NULL, "other.xml:4: purpose マーケティング is not one of the purposes of agreement " ID);
	free(ag);
	free(in);
}

/* ---- the floor: purposes no agreement can lift (issue #24) ---- */

/* 人事評価 moved by hand from <prohibited> to <purposes>: still refused,
 * by the engine's own rule file, at run time (exit 3) and by the reader. */
static void test_agreement__excluded_purpose_floor(void)
{
	char *in = input("employer/roster.xml", "employer/roster.csv");
	char *ag = variant("hr-moved.xml"), *d = data_dir();
	struct colink_agreement *m = NULL;
	struct colink_error err = {0};
	char why[512] = "";
	static const char *const synonyms[] = {"人事考課", "昇進の判断", "配置転換", "採用選考",
					       "人事 評価のための分析", "採用・配置・昇進の判断", NULL};
	size_t i;
	CU_ASSERT_FATAL(colink_agreement_load(&m, ag, d, NULL, &err) == COLINK_OK);
	CU_ASSERT_EQUAL(colink_agreement_check(m, NULL, COLINK_FLOW_NONE, "人事評価", "産業医",
					       COLINK_LEVEL_AGGREGATE, why, sizeof(why)), COLINK_EPOLICY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "purpose 人事評価 is excluded by colink whatever agreement " ID
					   " says (人事評価; "));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "rules/excluded-purposes.tsv:"));
	for (i = 0; synonyms[i]; i++)
		CU_ASSERT_EQUAL(colink_agreement_check(m, NULL, COLINK_FLOW_NONE, synonyms[i], "産業医",
						       COLINK_LEVEL_AGGREGATE, NULL, 0), COLINK_EPOLICY);
	/* an ordinary health purpose is not caught by the floor */
	CU_ASSERT_EQUAL(colink_agreement_check(m, NULL, COLINK_FLOW_NONE, "受診勧奨", "産業医",
					       COLINK_LEVEL_AGGREGATE, NULL, 0), COLINK_OK);
	CU_ASSERT_PTR_NULL(colink_agreement_excluded(m, "新規採用者の健康診断", NULL, NULL));
	colink_agreement_free(m);
	write_job("floor", ag, ID, "人事評価", "employer", "健康管理チーム", in);
	refused("floor", NULL, "floor.xml:4: purpose 人事評価 is excluded by colink whatever agreement " ID " says");
	free(d);
	free(ag);
	free(in);
}

static void test_agreement__role_id_and_date(void)
{
	char *in = input("employer/roster.xml", "employer/roster.csv");
	char *ag = variant("expired.xml"), *e = NULL;
	write_job("role", NULL, ID, "健康白書", "employer", "保健事業担当者", in);
	refused("role", NULL, "role.xml:5: recipient role '保健事業担当者' is not a co-user role of the employer");
	write_job("id", NULL, "another-agreement", "健康白書", "employer", "産業医", in);
	refused("id", NULL, "id.xml:3: agreement id 'another-agreement' is not the id of ");
	write_job("expired", ag, ID, "健康白書", "employer", "産業医", in);
	refused("expired", NULL, "expired.xml:3: run date ");
	refused("expired", NULL, "is outside the effective period 2020-04-01..2023-03-31 of agreement " ID);
	write_job("late", NULL, ID, "健康白書", "employer", "産業医", in);
	refused("late", "COLINK_RUN_DATE=2027-04-01",
		"late.xml:3: run date 2027-04-01 is outside the effective period 2024-04-01..2027-03-31");
	CU_ASSERT_EQUAL(run_job("late", "COLINK_RUN_DATE=2027-03-31", NULL, NULL), 0);
	write_job("missing", "nowhere.xml", ID, "健康白書", "employer", "産業医", in);
	CU_ASSERT_EQUAL(run_job("missing", NULL, NULL, &e), 4);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "missing.xml:3: agreement file"));
	free(e);
	free(ag);
	free(in);
}

static void test_agreement__stress_withheld_without_consent(void)
{
	char *in = input("employer/stress_check.xml", "employer/stress_check.csv");
	char *db = tu_fmt("%s/stress.db", dir), *o = NULL, *log = tu_fmt("%s/audit.log", dir);
	char *text;
	write_job("stress", NULL, ID, "健康白書", "employer", "産業医", in);
	CU_ASSERT_EQUAL(run_job("stress", NULL, &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "withheld without consent: 1 records"));
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_check"), 17);
	/* the one non-consenting worker: date and consent kept, results withheld */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_check WHERE consent='2' "
					"AND score_a IS NULL AND score_b IS NULL AND score_c IS NULL AND high_stress IS NULL"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_check WHERE consent='1' AND score_b IS NOT NULL"), 16);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_answer"), 16 * 57);
	/* the audit entry counts it */
	text = tu_read_file(log, NULL);
	CU_ASSERT_PTR_NOT_NULL(text && strstr(text, "\"job\":\"stress\""));
	CU_ASSERT_PTR_NOT_NULL(text && strstr(text, "\"withheld_without_consent\":1,"));
	free(text);
	free(o);
	o = NULL;
	/* the association's 保健事業担当者 receives them under clause W3 */
	write_job("stress2", NULL, ID, "健康白書", "association", "保健事業担当者", in);
	CU_ASSERT_EQUAL(run_job("stress2", NULL, &o, NULL), 0);
	CU_ASSERT_PTR_NULL(o && strstr(o, "withheld"));
	free(db);
	db = tu_fmt("%s/stress2.db", dir);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM stress_answer"), 17 * 57);
	free(db);
	free(log);
	free(o);
	free(in);
}

/* ---- the core filter, without any output plugin ---- */

static struct colink_out_value val(const struct colink_catalog *cat, const char *field,
				   const char *text)
{
	struct colink_out_value v;
	memset(&v, 0, sizeof(v));
	v.field = colink_catalog_field(cat, field);
	v.v.type = COLINK_T_CODE;
	v.v.text = text;
	return v;
}

/* Filter one employer-side stress record for `party`/`role`; the values
 * that pass, as "name=text,..." (caller frees). */
static char *filtered(const struct colink_catalog *cat, int party, const char *role,
		      const char *consent, struct colink_policy_counts *pc)
{
	struct colink_error err = {0};
	struct colink_job j;
	struct colink_job_input ji = {NULL, NULL, 9};
	struct colink_mapping m;
	const struct colink_mapping *maps[1] = {&m};
	struct colink_policy *pol = NULL;
	struct colink_out_value v[4];
	struct colink_out_record r;
	const struct colink_out_record *out = NULL;
	char buf[256] = "";
	size_t i;
	memset(&j, 0, sizeof(j));
	memset(&m, 0, sizeof(m));
	j.path = (char *)"unit.xml";
	j.agreement = (char *)ID;
	j.purpose = (char *)"健康白書";
	j.recipient_party = party;
	j.recipient_role = (char *)role;
	j.inputs = &ji;
	j.ninputs = 1;
	m.kind = (char *)"stress";
	if (colink_policy_new(&pol, a, &j, maps, cat, 20250630, &err)) {
		fprintf(stderr, "\n  %s\n", err.msg);
		return NULL;
	}
	v[0] = val(cat, "stress_date", "2024-11-15");
	v[1] = val(cat, "stress_consent", consent);
	v[2] = val(cat, "stress_high", "1");
	v[3] = val(cat, "hba1c", "5.6"); /* no clause lets it cross: employer→association */
	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	r.value_size = sizeof(v[0]);
	r.kind = "stress";
	r.nvalues = 4;
	r.values = v;
	if (colink_policy_filter(pol, COLINK_PARTY_EMPLOYER, &r, &out, &err) == COLINK_OK)
		for (i = 0; i < out->nvalues; i++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s=%s", i ? "," : "",
				 out->values[i].field->name, out->values[i].v.text);
	colink_policy_counts(pol, pc);
	colink_policy_free(pol);
	return strdup(buf);
}

static void test_agreement__core_filter(void)
{
	struct colink_catalog *cat = NULL;
	struct colink_error err = {0};
	struct colink_policy_counts pc;
	char *d = data_dir(), *got;
	CU_ASSERT_FATAL(colink_catalog_load(&cat, d, &err) == COLINK_OK);
	/* the employer's own 産業医: no clause needed, but the results only with consent */
	got = filtered(cat, COLINK_PARTY_EMPLOYER, "産業医", "1", &pc);
	CU_ASSERT_STRING_EQUAL(got, "stress_date=2024-11-15,stress_consent=1,stress_high=1,hba1c=5.6");
	CU_ASSERT_EQUAL(pc.withheld_consent, 0);
	free(got);
	got = filtered(cat, COLINK_PARTY_EMPLOYER, "産業医", "2", &pc);
	CU_ASSERT_STRING_EQUAL(got, "stress_date=2024-11-15,stress_consent=2,hba1c=5.6");
	CU_ASSERT_EQUAL(pc.withheld_consent, 1);
	free(got);
	/* to the association (clause W3): stress fields pass, hba1c has no clause */
	got = filtered(cat, COLINK_PARTY_ASSOCIATION, "保健事業担当者", "2", &pc);
	CU_ASSERT_STRING_EQUAL(got, "stress_date=2024-11-15,stress_consent=2,stress_high=1");
	CU_ASSERT_EQUAL(pc.withheld_values, 1);
	CU_ASSERT_EQUAL(pc.withheld_consent, 0);
	free(got);
	colink_catalog_free(cat);
	free(d);
}

/* `colink pseudonymize` is an export: its entry says so and names the extract. */
static void test_agreement__export_is_audited(void)
{
	char *in = input("vendors/vendor_a.xml", "vendor_a.csv");
	char *log = tu_fmt("%s/audit.log", dir), *text, *last;
	write_job("export", NULL, ID, "健康白書", "association", "保健事業担当者", in);
	CU_ASSERT_EQUAL(colink("pseudonymize --unsigned-agreement export.xml x-extract.db", NULL, NULL), 1);
	text = tu_read_file(log, NULL);
	CU_ASSERT_FATAL(text != NULL && strlen(text) > 2);
	/* the last entry (the log ends with a newline) */
	text[strlen(text) - 1] = '\0';
	last = strrchr(text, '\n') ? strrchr(text, '\n') + 1 : text;
	CU_ASSERT_PTR_NOT_NULL(strstr(last, "\"kind\":\"export\",\"status\":\"ok\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(last, "\"job\":\"export\""));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "x-extract.db\""));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"counts\":{\"read\":12,\"loaded\":10,\"rejected\":2,"));
	free(text);
	free(log);
	free(in);
}

/*
 * #24 finding 1: a run killed after its COMMIT (and the checkpoint) but
 * before its completion entry is still in the audit log -- the intent
 * entry, fsynced before COMMIT, names its run id.  Kill points come from
 * COLINK_TEST_KILL_AT (engine/core/run.c).
 */
static void test_agreement__committed_run_killed_before_its_entry_is_in_the_log(void)
{
	static const char *const points[] = {"before-commit", "after-checkpoint"};
	char *in = input("vendors/vendor_a.xml", "vendor_a.csv");
	size_t i;
	write_job("killed", NULL, ID, "健康白書", "association", "保健事業担当者", in);
	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		char *env = tu_fmt("COLINK_TEST_KILL_AT=%s", points[i]);
		char *db = tu_fmt("%s/killed.db", dir), *log = tu_fmt("%s/audit.log", dir);
		char *ok = NULL, *needle, *text;
		CU_ASSERT_EQUAL(run_job("killed", env, NULL, NULL), 128 + 9);
		/* the newest run of the ledger: ok after the checkpoint, incomplete before */
		ok = tu_sql1(db, "SELECT run_id || ' ' || status FROM run ORDER BY rowid DESC LIMIT 1");
		CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
		CU_ASSERT_PTR_NOT_NULL(strstr(ok, i ? " ok" : " incomplete"));
		ok[32] = '\0';
		needle = tu_fmt("\"run_id\":\"%s\"", ok);
		text = tu_read_file(log, NULL);
		if (!text || !strstr(text, needle))
			fprintf(stderr, "\nkilled at %s: run %s (%s) has no audit entry\n", points[i], ok, i ? "committed" : "not committed");
		CU_ASSERT_PTR_NOT_NULL(text && strstr(text, needle));
		CU_ASSERT_EQUAL(colink("audit verify audit.log", NULL, NULL), 0);
		free(text);
		free(needle);
		free(ok);
		free(db);
		free(log);
		free(env);
	}
	free(in);
}

/* Send job `name`'s audit entries to `log` (a name in the test directory). */
static void audit_to_log(const char *name, const char *log)
{
	char *p = tu_fmt("%s/%s.xml", dir, name), *s = tu_read_file(p, NULL), *end, *body;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	end = strstr(s, "</job>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	body = tu_fmt("%.*s  <audit log=\"%s\"/>\n</job>\n", (int)(end - s), s, log);
	tu_write_file(p, body, strlen(body));
	free(body);
	free(s);
	free(p);
}

/* The newest run of the ledger of dir/db: its 32-hex id into id, its
 * status returned (malloc'd). */
static char *newest_run(const char *db, char id[33])
{
	char *path = tu_fmt("%s/%s", dir, db);
	char *row = tu_sql1(path, "SELECT run_id || ' ' || status FROM run ORDER BY rowid DESC LIMIT 1");
	char *status = NULL;
	id[0] = '\0';
	if (row && strlen(row) > 33) {
		memcpy(id, row, 32);
		id[32] = '\0';
		status = strdup(row + 33);
	}
	free(row);
	free(path);
	return status;
}

/* `colink audit verify LOG --warehouse DB`: exit code, stdout in *o. */
static int verify_against(const char *log, const char *db, char **o)
{
	char *args = tu_fmt("audit verify %s --warehouse %s", log, db), *e = NULL;
	int rc = colink(args, o, &e);
	if (rc != 0 && rc != 3)
		fprintf(stderr, "\n  audit verify %s --warehouse %s: exit %d: %s\n", log, db, rc, e ? e : "");
	free(e);
	free(args);
	return rc;
}

/*
 * #24 finding 1: whatever the crash point, `audit verify --warehouse`
 * accounts for every committed run exactly once, and the next run
 * completes a committed run that was killed before its completion entry.
 * Kill points (COLINK_TEST_KILL_AT): before COMMIT (run.c), inside
 * out_sqlite's COMMIT before it is durable (commit hook) and once its
 * commit frame is in the WAL (WAL hook), after COMMIT returned but before
 * the checkpoint, after the checkpoint but before the completion entry
 * (run.c), after the completion entry (run.c).
 */
static void test_agreement__ledger_and_log_agree_at_every_kill_point(void)
{
	static const struct {
		const char *point;
		int committed;  /* the killed run is in the ledger as 'ok' */
		int completed;  /* ... and its completion entry is in the log */
	} k[] = {
		{"before-commit", 0, 0}, {"during-commit", 0, 0}, {"commit-durable", 1, 0},
		{"after-commit", 1, 0}, {"after-checkpoint", 1, 0}, {"after-completion", 1, 1},
	};
	char *in = input("vendors/vendor_a.xml", "vendor_a.csv");
	char *o = NULL, *want, *text, *logp = tu_fmt("%s/kp.log", dir);
	int committed = 0;
	size_t i;
	write_job("kp", NULL, ID, "健康白書", "association", "保健事業担当者", in);
	audit_to_log("kp", "kp.log");
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		char *env = tu_fmt("COLINK_TEST_KILL_AT=%s", k[i].point), *status, *line;
		char id[33];
		CU_ASSERT_EQUAL(run_job("kp", env, NULL, NULL), 128 + 9);
		status = newest_run("kp.db", id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(status);
		if (strcmp(status, k[i].committed ? "ok" : "incomplete"))
			fprintf(stderr, "\n  killed at %s: run %s is '%s'\n", k[i].point, id, status);
		CU_ASSERT_STRING_EQUAL(status, k[i].committed ? "ok" : "incomplete");
		committed += k[i].committed;
		/* no committed run is missing, whatever the point: exit 0 */
		CU_ASSERT_EQUAL(verify_against("kp.log", "kp.db", &o), 0);
		CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "kp.log: ok, "));
		if (!k[i].committed)
			line = tu_fmt("kp.log: run %s: 'committing' intent (line ", id);
		else if (!k[i].completed)
			line = tu_fmt("kp.log: run %s: committed in kp.db; the log names it only by its "
				      "'committing' intent (line ", id);
		else
			line = tu_fmt("kp.log: run %s: ", id);
		if (k[i].completed ? strstr(o ? o : "", line) != NULL : !strstr(o ? o : "", line))
			fprintf(stderr, "\n  killed at %s: verify said:\n%s", k[i].point, o ? o : "(nothing)");
		CU_ASSERT(k[i].completed ? !strstr(o ? o : "", line) : strstr(o ? o : "", line) != NULL);
		/* the earlier committed runs were completed by the runs after them */
		want = tu_fmt("kp.log: kp.db: %d committed run%s: %d logged once as completed", committed,
			      committed == 1 ? "" : "s", committed - (k[i].committed && !k[i].completed));
		CU_ASSERT_PTR_NOT_NULL(o && strstr(o, want));
		if (!o || !strstr(o, want))
			fprintf(stderr, "\n  killed at %s: wanted '%s' in:\n%s", k[i].point, want, o ? o : "");
		free(want);
		free(line);
		free(o);
		o = NULL;
		free(status);
		free(env);
	}
	/* the next run completes what was left and commits itself */
	CU_ASSERT_EQUAL(run_job("kp", NULL, NULL, NULL), 0);
	committed++;
	CU_ASSERT_EQUAL(verify_against("kp.log", "kp.db", &o), 0);
	/* commit-durable's, after-commit's and after-checkpoint's runs were
	 * each completed by the run after them */
	want = tu_fmt("kp.log: kp.db: %d committed runs: %d logged once as completed (3 completed by a "
		      "later run), 0 only by their intent, 0 missing", committed, committed);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, want));
	if (!o || !strstr(o, want))
		fprintf(stderr, "\n  after a clean run: wanted '%s' in:\n%s", want, o ? o : "");
	CU_ASSERT(!o || !strstr(o, "only by its 'committing' intent"));
	text = tu_read_file(logp, NULL);
	CU_ASSERT_PTR_NOT_NULL(text && strstr(text, "\"status\":\"ok\""));
	CU_ASSERT_PTR_NOT_NULL(text && strstr(text, ",\"recovered_by\":\""));
	CU_ASSERT_EQUAL(colink("audit verify kp.log", NULL, NULL), 0); /* the chain holds */
	free(text);
	free(want);
	free(o);
	free(logp);
	free(in);
}

/* A committed run the log lacks entirely is flagged (exit 3), by id. */
static void test_agreement__verify_flags_a_committed_run_the_log_lacks(void)
{
	char *in = input("employer/roster.xml", "employer/roster.csv");
	char *o = NULL, *line, *status;
	char id[33];
	write_job("lack", NULL, ID, "健康白書", "association", "保健事業担当者", in);
	audit_to_log("lack", "lack-a.log");
	CU_ASSERT_EQUAL(run_job("lack", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(verify_against("lack-a.log", "lack.db", &o), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "lack-a.log: lack.db: 1 committed run: 1 logged once as "
					   "completed (0 completed by a later run), 0 only by their intent, 0 missing"));
	free(o);
	o = NULL;
	/* a second run into the same warehouse logs elsewhere: lack-a.log lacks it */
	write_job("lack", NULL, ID, "健康白書", "association", "保健事業担当者", in);
	audit_to_log("lack", "lack-b.log");
	CU_ASSERT_EQUAL(run_job("lack", NULL, NULL, NULL), 0);
	status = newest_run("lack.db", id);
	CU_ASSERT_PTR_NOT_NULL(status && !strcmp(status, "ok"));
	CU_ASSERT_EQUAL(verify_against("lack-a.log", "lack.db", &o), 3);
	line = tu_fmt("lack-a.log: run %s: committed in lack.db but the audit log has no entry for it\n", id);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, line));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "lack-a.log: lack.db: 2 committed runs: 1 logged once as "
					   "completed (0 completed by a later run), 0 only by their intent, 1 missing"));
	if (!o || !strstr(o, line))
		fprintf(stderr, "\n  wanted '%s' in:\n%s", line, o ? o : "");
	free(line);
	free(o);
	o = NULL;
	/* the chain of lack-a.log alone is intact: only the ledger shows it */
	CU_ASSERT_EQUAL(colink("audit verify lack-a.log", NULL, NULL), 0);
	/* the old form and usage errors */
	CU_ASSERT_EQUAL(colink("audit verify --warehouse lack.db", NULL, NULL), 2);
	CU_ASSERT_EQUAL(colink("audit verify lack-a.log --warehouse", NULL, NULL), 2);
	CU_ASSERT_EQUAL(colink("audit verify lack-a.log --warehouse nowhere.db", NULL, NULL), 4);
	free(status);
	free(in);
}

/* A run whose audit entry cannot be written does not commit. */
static void test_agreement__damaged_audit_log_stops_the_run(void)
{
	char *in = input("employer/roster.xml", "employer/roster.csv");
	char *log = tu_fmt("%s/audit.log", dir), *db = tu_fmt("%s/damaged.db", dir);
	char *before, *after, *e = NULL;
	size_t n0 = 0, n1 = 0;
	FILE *f = fopen(log, "a");
	CU_ASSERT_FATAL(f != NULL);
	fputs("{\"seq\":99,\"time\":\"2025", f); /* a torn write */
	fclose(f);
	before = tu_read_file(log, &n0);
	write_job("damaged", NULL, ID, "健康白書", "association", "保健事業担当者", in);
	CU_ASSERT_EQUAL(run_job("damaged", NULL, NULL, &e), 5);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "audit.log: the last line is truncated; run colink audit verify"));
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM employee"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM run WHERE status = 'ok'"), 0);
	after = tu_read_file(log, &n1);
	CU_ASSERT_EQUAL(n0, n1); /* nothing appended behind the damage */
	free(e);
	e = NULL;
	/* a refusal stands with a damaged log, which says it was not audited */
	write_job("damaged-hr", NULL, ID, "マーケティング", "association", "保健事業担当者", in);
	CU_ASSERT_EQUAL(run_job("damaged-hr", NULL, NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "damaged-hr.xml:4: purpose マーケティング is not one of the purposes"));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "the refusal was not audited: "));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "audit.log: the last line is truncated"));
	free(after);
	after = tu_read_file(log, &n1);
	CU_ASSERT_EQUAL(n0, n1);
	free(before);
	free(after);
	free(e);
	free(db);
	free(log);
	free(in);
}

/* ---- plan-time refusals are audited ---- */

/* Give job `name` its own audit log, dir/refusals.log. */
static void audit_to_refusals_log(const char *name)
{
	char *p = tu_fmt("%s/%s.xml", dir, name), *s = tu_read_file(p, NULL), *end, *body;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	end = strstr(s, "</job>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	body = tu_fmt("%.*s  <audit log=\"refusals.log\"/>\n</job>\n", (int)(end - s), s);
	tu_write_file(p, body, strlen(body));
	free(body);
	free(s);
	free(p);
}

/* Lines of dir/refusals.log; *last = the last one (malloc'd), or NULL. */
static int log_lines(char **last)
{
	char *p = tu_fmt("%s/refusals.log", dir), *s = tu_read_file(p, NULL), *q;
	int n = 0;
	*last = NULL;
	for (q = s; q && *q; q++)
		n += *q == '\n';
	if (s && n) {
		s[strlen(s) - 1] = '\0';
		q = strrchr(s, '\n');
		*last = strdup(q ? q + 1 : s);
	}
	free(s);
	free(p);
	return n;
}

/*
 * Run `verb` on job `name` (with `env`): exit 3, one line on stderr, and
 * exactly one new entry in refusals.log: status refused, the entry `kind`,
 * the stderr line as its message, nothing read, nothing released.
 */
static void refused_and_audited(const char *verb, const char *name, const char *env,
				const char *kind, const char *want)
{
	char *c = tu_fmt("cd '%s' && %s '%s' %s --unsigned-agreement %s.xml%s", dir, env ? env : "", tu_colink(), verb,
			 name, strcmp(verb, "pseudonymize") ? "" : " x-refused.db");
	char *e = NULL, *last = NULL, *k, *msg, *db = tu_fmt("%s.db", name);
	int before = log_lines(&last);
	free(last);
	CU_ASSERT_EQUAL(tu_run(c, NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT(strchr(e, '\n') == e + strlen(e) - 1); /* one line */
	CU_ASSERT_PTR_NOT_NULL(strstr(e, want));
	CU_ASSERT_EQUAL(log_lines(&last), before + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(last);
	k = tu_fmt("\"kind\":\"%s\",\"status\":\"refused\",", kind);
	CU_ASSERT_PTR_NOT_NULL(strstr(last, k));
	/* the message is the refusal's line, as printed ("colink: " + line) */
	CU_ASSERT_FATAL(!strncmp(e, "colink: ", 8));
	e[strlen(e) - 1] = '\0';
	msg = tu_fmt(",\"message\":\"%s\",", e + 8);
	CU_ASSERT_PTR_NOT_NULL(strstr(last, msg));
	if (!strstr(last, msg))
		fprintf(stderr, "\n  wanted %s\n  in %s\n", msg, last);
	CU_ASSERT_PTR_NOT_NULL(strstr(last, "\"run_id\":\"\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(last, "\"inputs\":[],\"items\":[],\"counts\":{\"read\":0,\"loaded\":0,"
				  "\"rejected\":0,\"withheld_without_consent\":0,\"withheld_not_agreed\":0}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(last, "\"agreement_id\":\"" ID "\""));
	CU_ASSERT_FALSE(exists(db));
	CU_ASSERT_FALSE(exists("x-refused.db"));
	free(msg);
	free(k);
	free(last);
	free(db);
	free(e);
	free(c);
}

/* The log is unchanged by `colink ARGS` run in dir (exit `want`). */
static void not_audited(const char *args, int want)
{
	char *last = NULL, *e = NULL;
	int before = log_lines(&last);
	free(last);
	CU_ASSERT_EQUAL(colink(args, NULL, &e), want);
	CU_ASSERT_EQUAL(log_lines(&last), before);
	free(last);
	free(e);
}

static void test_agreement__plan_refusals_are_audited(void)
{
	char *roster = input("employer/roster.xml", "employer/roster.csv");
	char *vendor = input("vendors/vendor_a.xml", "vendor_a.csv");
	char *listed = variant("prohibited-listed.xml"), *o = NULL, *e = NULL, *last = NULL;
	static const char broken[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"broken\">\n"
		"  <purpose>人事評価</purpose>\n"
		"  <audit log=\"refusals.log\"/>\n"
		"</job>\n";
	char *bp = tu_fmt("%s/r-broken.xml", dir);
	/* each kind of violation: exactly one entry */
	write_job("r-hr", listed, ID, "人事評価", "employer", "健康管理チーム", roster);
	audit_to_refusals_log("r-hr");
	refused_and_audited("run", "r-hr", NULL, "run", "r-hr.xml:4: purpose 人事評価 is a prohibited use");
	write_job("r-other", NULL, ID, "マーケティング", "employer", "健康管理チーム", roster);
	audit_to_refusals_log("r-other");
	refused_and_audited("run", "r-other", NULL, "run",
			    "r-other.xml:4: purpose マーケティング is not one of the purposes of agreement " ID);
	write_job("r-role", NULL, ID, "健康白書", "employer", "保健事業担当者", roster);
	audit_to_refusals_log("r-role");
	refused_and_audited("run", "r-role", NULL, "run",
			    "r-role.xml:5: recipient role '保健事業担当者' is not a co-user role of the employer");
	write_job("r-item", NULL, ID, "健康白書", "employer", "健康管理チーム", vendor);
	audit_to_refusals_log("r-item");
	refused_and_audited("run", "r-item", NULL, "run",
			    "r-item.xml:7: item sex may not flow association→employer for purpose 健康白書");
	write_job("r-late", NULL, ID, "健康白書", "employer", "産業医", roster);
	audit_to_refusals_log("r-late");
	refused_and_audited("run", "r-late", "COLINK_RUN_DATE=2027-04-01", "run",
			    "r-late.xml:3: run date 2027-04-01 is outside the effective period 2024-04-01..2027-03-31");
	write_job("r-id", NULL, "another-agreement", "健康白書", "employer", "産業医", roster);
	audit_to_refusals_log("r-id");
	refused_and_audited("run", "r-id", NULL, "run", "r-id.xml:3: agreement id 'another-agreement' is not the id of ");
	/* an export refused: kind export, the extract it would have written */
	refused_and_audited("pseudonymize", "r-item", NULL, "export",
			    "r-item.xml:7: item sex may not flow association→employer");
	log_lines(&last);
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"output\":\"x-refused.db\""));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"job\":\"r-item\",\"job_sha256\":\""));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"purpose\":\"健康白書\",\"recipient_party\":\"employer\","
					 "\"recipient_role\":\"健康管理チーム\""));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "vendor_a.xml\",\"sha256\":\""));
	free(last);
	/* no entry: a check moves nothing; a job that cannot be read or whose
	 * agreement file is missing has no verdict of the agreement */
	not_audited("check --unsigned-agreement r-hr.xml", 3);
	tu_write_file(bp, broken, sizeof(broken) - 1);
	not_audited("run --unsigned-agreement r-broken.xml", 3);
	write_job("r-noagr", "nowhere.xml", ID, "人事評価", "employer", "産業医", roster);
	audit_to_refusals_log("r-noagr");
	not_audited("run --unsigned-agreement r-noagr.xml", 4);
	/* a job that runs is still logged, chained after the refusals: its
	 * "committing" intent before COMMIT, then "ok" (#24) */
	write_job("r-ok", NULL, ID, "健康白書", "association", "保健事業担当者", roster);
	audit_to_refusals_log("r-ok");
	CU_ASSERT_EQUAL(run_job("r-ok", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(log_lines(&last), 9);
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"seq\":9,"));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"kind\":\"run\",\"status\":\"ok\""));
	free(last);
	/* the chain holds: refusals are entries like any other */
	CU_ASSERT_EQUAL(colink("audit verify refusals.log", &o, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "refusals.log: ok, 9 entries, chain intact"));
	free(o);
	free(e);
	free(bp);
	free(listed);
	free(vendor);
	free(roster);
}

static const struct tu_test tests[] = {
	TU_TEST(test_agreement__sample_loads),
	TU_TEST(test_agreement__check_levels_and_clauses),
	TU_TEST(test_agreement__invalid_files_refused),
	TU_TEST(test_agreement__legal_run_passes),
	TU_TEST(test_agreement__item_not_allowed),
	TU_TEST(test_agreement__prohibited_purpose_never_runs),
	TU_TEST(test_agreement__excluded_purpose_floor),
	TU_TEST(test_agreement__role_id_and_date),
	TU_TEST(test_agreement__stress_withheld_without_consent),
	TU_TEST(test_agreement__core_filter),
	TU_TEST(test_agreement__export_is_audited),
	TU_TEST(test_agreement__plan_refusals_are_audited),
	TU_TEST(test_agreement__committed_run_killed_before_its_entry_is_in_the_log),
	TU_TEST(test_agreement__ledger_and_log_agree_at_every_kill_point),
	TU_TEST(test_agreement__verify_flags_a_committed_run_the_log_lacks),
	TU_TEST(test_agreement__damaged_audit_log_stops_the_run),
	TU_END
};

int main(void)
{
	if (tu_add_suite("agreement", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
