/*
 * referral.c -- 受診勧奨: per area, the highest level any rule of the referral
 * table reaches, and the rules that fired; 受診状況確認 (did the person see a
 * doctor afterwards).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "programs/programs_int.h"

static enum colink_referral_level level_of(const char *s)
{
	if (!strcmp(s, "urgent"))
		return COLINK_REFERRAL_URGENT;
	if (!strcmp(s, "recommend"))
		return COLINK_REFERRAL_RECOMMEND;
	return COLINK_REFERRAL_GUIDANCE;
}

static int area_of(const char *s)
{
	int a;
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		if (!strcmp(s, colink_area_name((enum colink_area)a)))
			return a;
	return -1;
}

/* Value text for a rule: dipstick codes as printed, numbers as short decimals. */
static void value_text(const char *measure, double v, char *buf, size_t n)
{
	static const char *const dip[] = {"?", "-", "+-", "1+", "2+", "3+"};
	if (!strcmp(measure, "urine_protein") && v >= 1 && v <= 5)
		snprintf(buf, n, "%s", dip[(int)v]);
	else
		snprintf(buf, n, "%g", v);
}

static int applies(const struct prog_rule *ru, const struct colink_exam *e)
{
	return !ru->sex || ru->sex == e->sex;
}

void prog_referral(const struct colink_rules *r, const struct colink_exam *e,
		   const struct prog_values *v, struct colink_exam_result *out)
{
	const struct prog_table *t = &r->referral;
	char fired[PROG_MAX_RULES];
	size_t i, j;
	int a;
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		out->referral[a] = COLINK_REFERRAL_UNKNOWN;
	out->referral_rules[0] = '\0';
	for (i = 0; i < t->n; i++) {
		const struct prog_rule *ru = &t->rules[i];
		double x = prog_measure(v, e, ru->measure);
		fired[i] = 0;
		if ((a = area_of(ru->group)) < 0 || isnan(x) || !applies(ru, e))
			continue;
		if (out->referral[a] == COLINK_REFERRAL_UNKNOWN)
			out->referral[a] = COLINK_REFERRAL_NONE;
		if (prog_rule_fires(ru, x)) {
			fired[i] = 1;
			if (level_of(ru->level) > out->referral[a])
				out->referral[a] = level_of(ru->level);
		}
	}
	/* per measure, only the highest rule that fired is named */
	for (i = 0; i < t->n; i++) {
		const struct prog_rule *ru = &t->rules[i];
		char val[32];
		if (!fired[i])
			continue;
		for (j = 0; j < t->n; j++)
			if (j != i && fired[j] && !strcmp(t->rules[j].measure, ru->measure) &&
			    !strcmp(t->rules[j].group, ru->group) &&
			    (level_of(t->rules[j].level) > level_of(ru->level) ||
			     (level_of(t->rules[j].level) == level_of(ru->level) && j < i)))
				break;
		if (j < t->n)
			continue;
		value_text(ru->measure, prog_measure(v, e, ru->measure), val, sizeof(val));
		prog_append(out->referral_rules, sizeof(out->referral_rules), "%s%s(%s%s): %s",
			    out->referral_rules[0] ? "; " : "", ru->id, prog_op_text(ru->op),
			    ru->threshold_text, val);
	}
}

/* ---- 受診状況確認 ---- */

static int table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int yes = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		yes = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return yes;
}

/* One-row query; 1 row (text of column 0 and 1 into a, b), 0 none, -1 error. */
static int one(sqlite3 *db, const char *sql, const char *p1, const char *p2, char *a, char *b,
	       size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *x = sqlite3_column_text(st, 0);
		const unsigned char *y = sqlite3_column_count(st) > 1 ? sqlite3_column_text(st, 1) : NULL;
		snprintf(a, n, "%s", x ? (const char *)x : "");
		if (b)
			snprintf(b, n, "%s", y ? (const char *)y : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The fact tables refer to a person by person_no (schema v4); the caller
 * knows the pseudonym.  A constant subquery, looked up once per statement
 * through person's UNIQUE (person_id). */
#define PERSON_NO "(SELECT person_no FROM person WHERE person_id = ?1)"

int colink_referral_followup(sqlite3 *db, const char *person_id, const char *exam_date,
			     const enum colink_referral_level referral[COLINK_AREA_COUNT],
			     char *evidence, size_t evidence_len, struct colink_error *err)
{
	char a[64], b[64], sql[640], fields[96] = "";
	int claims = table_exists(db, "claims_summary"), rc;
	if (evidence_len)
		evidence[0] = '\0';
	if (referral[COLINK_AREA_BP] >= COLINK_REFERRAL_RECOMMEND)
		prog_append(fields, sizeof(fields), "%s'q_med_bp'", fields[0] ? "," : "");
	if (referral[COLINK_AREA_LIPID] >= COLINK_REFERRAL_RECOMMEND)
		prog_append(fields, sizeof(fields), "%s'q_med_lipid'", fields[0] ? "," : "");
	if (referral[COLINK_AREA_GLUCOSE] >= COLINK_REFERRAL_RECOMMEND)
		prog_append(fields, sizeof(fields), "%s'q_med_glucose'", fields[0] ? "," : "");
	if (claims) {
		rc = one(db, "SELECT last_visit_date FROM claims_summary WHERE person_no = " PERSON_NO " AND "
			 "last_visit_date > ?2 ORDER BY last_visit_date LIMIT 1", person_id, exam_date,
			 a, NULL, sizeof(a));
		if (rc < 0)
			goto dberr;
		if (rc) {
			snprintf(evidence, evidence_len, "claims: visit on %s", a);
			return 1;
		}
	}
	if (fields[0]) {
		snprintf(sql, sizeof(sql), "SELECT c.exam_date, q.field FROM checkup c JOIN questionnaire q "
			 "ON q.checkup_id = c.checkup_id WHERE c.person_no = " PERSON_NO " AND "
			 "c.exam_date > ?2 AND "
			 "q.answer = '1' AND q.field IN (%s) ORDER BY c.exam_date LIMIT 1", fields);
		if ((rc = one(db, sql, person_id, exam_date, a, b, sizeof(a))) < 0)
			goto dberr;
		if (rc) {
			snprintf(evidence, evidence_len, "checkup %s: %s = yes", a, b);
			return 1;
		}
	}
	/* later data that show no visit */
	if (claims) {
		rc = one(db, "SELECT fiscal_year FROM claims_summary WHERE person_no = " PERSON_NO " AND "
			 "fiscal_year >= CAST(substr(?2, 1, 4) AS INTEGER) - (substr(?2, 6, 2) < '04') "
			 "ORDER BY fiscal_year DESC LIMIT 1", person_id, exam_date, a, NULL, sizeof(a));
		if (rc < 0)
			goto dberr;
		if (rc) {
			snprintf(evidence, evidence_len, "claims FY%s: no visit after the exam", a);
			return 0;
		}
	}
	rc = one(db, "SELECT exam_date FROM checkup WHERE person_no = " PERSON_NO " AND exam_date > ?2 "
		 "ORDER BY exam_date LIMIT 1", person_id, exam_date, a, NULL, sizeof(a));
	if (rc < 0)
		goto dberr;
	if (rc) {
		snprintf(evidence, evidence_len, "checkup %s: no medication for the referred areas", a);
		return 0;
	}
	snprintf(evidence, evidence_len, "no later claims or checkup");
	return -1;
dberr:
	COLINK_ERR(err, COLINK_EIO, "%s: follow-up query: %s", sqlite3_db_filename(db, "main"),
		   sqlite3_errmsg(db));
	return -2;
}
