/* engine/programs/programs.h -- collabo-health programs computed from a warehouse (issue #7). */
#ifndef COLINK_PROGRAMS_H
#define COLINK_PROGRAMS_H
#include <stdint.h>
#include "colink/plugin.h"   /* struct colink_error */
#include "warehouse/warehouse.h"

struct colink_rules;  /* thresholds loaded from mappings/rules/<name>.tsv (+ settings overrides) */
/* set: NULL = the default set (第4期, FY2024-); settings: "name=value" overrides of [unverified] items, NULL-terminated or NULL */
int colink_rules_load(struct colink_rules **out, const char *data_dir, const char *set,
                      const char *const *settings, struct colink_error *err);
void colink_rules_free(struct colink_rules *r);
const char *colink_rules_id(const struct colink_rules *r);   /* e.g. "4th-2024 (referral r6, guidance 4th)" */

enum colink_guidance_level {
	COLINK_GUIDANCE_NOT_TARGET = 0,   /* outside 40-74 at fiscal-year end */
	COLINK_GUIDANCE_UNDETERMINED,     /* data missing to decide */
	COLINK_GUIDANCE_EXCLUDED_MEDICATION, /* on BP/glucose/lipid medication: 情報提供 */
	COLINK_GUIDANCE_INFO,             /* 情報提供 */
	COLINK_GUIDANCE_MOTIVATIONAL,     /* 動機付け支援 */
	COLINK_GUIDANCE_ACTIVE            /* 積極的支援 */
};
enum colink_referral_level {
	COLINK_REFERRAL_UNKNOWN = -1,     /* nothing measured in the area */
	COLINK_REFERRAL_NONE = 0,         /* 基準範囲内 */
	COLINK_REFERRAL_GUIDANCE = 1,     /* 保健指導判定値 */
	COLINK_REFERRAL_RECOMMEND = 2,    /* 受診勧奨判定値 */
	COLINK_REFERRAL_URGENT = 3        /* すぐに受診 */
};
enum colink_area { COLINK_AREA_BP, COLINK_AREA_LIPID, COLINK_AREA_LIVER, COLINK_AREA_GLUCOSE,
                   COLINK_AREA_KIDNEY, COLINK_AREA_ANEMIA, COLINK_AREA_COUNT };
enum colink_smoking { COLINK_SMOKING_UNKNOWN = 0, COLINK_SMOKING_NEVER, COLINK_SMOKING_QUIT, COLINK_SMOKING_CURRENT };

/* One evaluated person-exam.  Strings are valid only during the callback. */
struct colink_program_row {
	const char *person_id;       /* association-side person pseudonym (64 hex) */
	int64_t checkup_id;
	const char *exam_date;       /* YYYY-MM-DD */
	int fiscal_year;             /* 年度 of the exam (April-March) */
	int sex;                     /* 1 male, 2 female, 0 unknown */
	int age_fy_end;              /* age at 31 March of the fiscal year; -1 unknown */
	const char *site, *job_type; /* via link + employee table; NULL when not linked (e.g. dependants) */
	enum colink_guidance_level guidance;
	int guidance_risks;          /* step-2 risk count incl. smoking when counted */
	const char *guidance_reasons;/* human-readable, e.g. "waist 92>=85(M); BP 144/89; TG 180>=150; HDL 38<40; smoking" */
	enum colink_referral_level referral[COLINK_AREA_COUNT];
	const char *referral_rules;  /* the rules that fired, e.g. "bp.sbp.recommend(>=140): 144; ldl.recommend(>=140): 150" */
	enum colink_smoking smoking;
};
typedef int (*colink_program_cb)(void *ctx, const struct colink_program_row *row); /* non-zero stops */

/* Evaluate every person-exam of fiscal year fy (0 = every year) in the warehouse, ordered by person_id,
 * exam_date.  Returns 0, the callback's non-zero value, or -1 with err set. */
int colink_programs_evaluate(struct colink_wh *wh, const struct colink_rules *r, int fiscal_year,
                             colink_program_cb cb, void *ctx, struct colink_error *err);

/* Smoking transitions between fiscal years fy-1 and fy, per site (site NULL = not linked). */
struct colink_smoking_transition {
	const char *site;
	long current_before, quit_after;      /* smokers in fy-1; of them non-smokers in fy  -> quit rate   */
	long noncurrent_before, relapse_after;/* non-smokers in fy-1; of them smokers in fy -> relapse rate */
	long current_now, answered_now;       /* current smokers / persons answering in fy -> smoker rate */
};
typedef int (*colink_smoking_cb)(void *ctx, const struct colink_smoking_transition *t);
int colink_smoking_transitions(struct colink_wh *wh, const struct colink_rules *r, int fiscal_year,
                               colink_smoking_cb cb, void *ctx, struct colink_error *err);
/* Small-cell protection of one transition row (issue #19), as the white
 * paper's (engine/programs/suppress.c): the row is the 3 x 2 table of
 * persons before = current / non-smoker / not known by now = current /
 * non-smoker, whose released numbers are current_before (row total),
 * quit_after, noncurrent_before (row total), relapse_after, current_now
 * (column total) and answered_now (grand total); every other cell follows
 * from them.  A count 1..k-1 is withheld, with complementary withholding
 * until no withheld count is pinned or confined below k by the rest.
 * rel gets 1 per number that may be released.  0, or an error code. */
struct colink_smoking_release {
	int current_before, quit_after, noncurrent_before, relapse_after, current_now, answered_now;
};
int colink_smoking_protect(const struct colink_smoking_transition *t, long k,
                           struct colink_smoking_release *rel, struct colink_error *err);
/* ---- additions beyond the contract above (issue #7, programs helper) ---- */

/* One person-exam as the rules see it: values as stored in the warehouse
 * (NAN = not measured; codes 0 = not answered / not measured).  The rules pick
 * what to use: BP = average of the 1st and 2nd readings, else the one present,
 * else "other"; TG and glucose by blood_draw_timing; the first waist present of
 * measured / self-judged / self-reported. */
struct colink_exam {
	int sex;                     /* 1 male, 2 female, 0 unknown */
	int age_at_exam, age_fy_end; /* -1 unknown; the rules use age_fy_end only */
	int fiscal_year;
	double waist, visceral_fat_area, bmi;
	double sbp_1, sbp_2, sbp_other, dbp_1, dbp_2, dbp_other;
	int blood_draw_timing;       /* 1.2.392.200119.6.2202: 2 fasting, 3 casual, 4 <3.5 h after a meal; 0 unknown */
	double tg_fasting, tg_casual, hdl, ldl, non_hdl;
	double ast, alt, ggt;
	double fpg, casual_glucose, hba1c, hba1c_jds;
	int urine_protein;           /* 1.2.392.200119.6.2102: 1 - 2 +- 3 1+ 4 2+ 5 3+; 0 not measured */
	double egfr, hemoglobin;
	int med_bp, med_glucose, med_lipid; /* questionnaire 1-3: 1 yes, 2 no, 0 not answered */
	enum colink_smoking smoking;
};
/* Every value "not measured", ages unknown. */
void colink_exam_init(struct colink_exam *e);

/* The evaluation of one exam.  Texts are NUL-terminated, cut at their size. */
struct colink_exam_result {
	enum colink_guidance_level guidance;
	int guidance_risks;
	char guidance_reasons[512];
	enum colink_referral_level referral[COLINK_AREA_COUNT];
	char referral_rules[1024];
};
/* Pure: evaluate one exam under rules r.  Returns 0. */
int colink_exam_evaluate(const struct colink_rules *r, const struct colink_exam *e,
                         struct colink_exam_result *out);

/* 1 when exams of fiscal_year fall in the fiscal years the guidance table
 * declares (meta fiscal_years), else 0; and that declaration ("2024-"). */
int colink_rules_applies_to(const struct colink_rules *r, int fiscal_year);
const char *colink_rules_fiscal_years(const struct colink_rules *r);

/* Smoking status of a questionnaire answer (code, code system) under r's smoking table. */
enum colink_smoking colink_rules_smoking(const struct colink_rules *r, const char *code,
                                         const char *code_system);

/* Names: "bp" ...; "none", "guidance", "recommend", "urgent", "unknown";
 * "active", "motivational", "info", "excluded-medication", "not-target",
 * "undetermined"; "current", "quit", "never", "unknown".  Static strings. */
const char *colink_area_name(enum colink_area a);
const char *colink_referral_name(enum colink_referral_level l);
const char *colink_guidance_name(enum colink_guidance_level l);
const char *colink_smoking_name(enum colink_smoking s);

/* 受診状況確認: whether a person referred at exam `exam_date` (YYYY-MM-DD) saw a
 * doctor afterwards.  Evidence: a claims_summary row (when the warehouse has
 * that table) with last_visit_date after the exam, or a later checkup whose
 * questionnaire answers medication = yes for a referred area (BP, lipid,
 * glucose).  Returns 1 yes, 0 no (later data exist and show no visit), -1
 * unknown (no later data), -2 on a database error (err set).  evidence gets a
 * short text, never an identifier. */
int colink_referral_followup(struct colink_wh *wh, const char *person_id, const char *exam_date,
                             const enum colink_referral_level referral[COLINK_AREA_COUNT],
                             char *evidence, size_t evidence_len, struct colink_error *err);
/* 受診状況確認 from claims (issue #21): a person referred for bp, glucose,
 * lipid or kidney (recommend or above) saw a doctor when a claim carries a
 * diagnosis of the area's disease group (mappings/rules/disease-groups.tsv,
 * named by the referral table) dated after the exam and at most
 * followup.months months after it (疑い diagnoses only with
 * followup.suspected = yes).  yes: such a diagnosis (date = its date); no:
 * none, and every 診療年月 from the exam's to the window's last has claims
 * in the warehouse; otherwise the later-checkup evidence of
 * colink_referral_followup (claims_summary left out when claims exist), and
 * unknown when that has none either.  The months with claims are read once
 * at open. */
struct colink_followup;
struct colink_followup_result {
	int answer;          /* 1 yes, 0 no, -1 unknown */
	char date[16];       /* yes: the first matching claim's (or later checkup's) date */
	char evidence[256];  /* short text, never an identifier */
};
/* use_claims 0: claims are not read (the agreement does not release them). */
int colink_followup_open(struct colink_followup **out, struct colink_wh *wh,
                         const struct colink_rules *r, int use_claims, struct colink_error *err);
void colink_followup_free(struct colink_followup *fu);
/* 1 when the warehouse has claims (and they are used). */
int colink_followup_has_claims(const struct colink_followup *fu);
/* Returns the answer (1, 0, -1), or -2 on a database error (err set). */
int colink_followup_check(struct colink_followup *fu, const char *person_id, const char *exam_date,
                          const enum colink_referral_level referral[COLINK_AREA_COUNT],
                          struct colink_followup_result *out, struct colink_error *err);
/* Re-identification for an identified report (the employer's action list).
 * The warehouse holds no raw identifier: the employer's own roster file is
 * read through its mapping and the pseudonym key, the employee-number
 * pseudonym of every row is computed, and only rows whose pseudonym is one
 * of `wanted` (employer-side person ids, 64 hex) keep their employee number
 * (normalized as the mapping says).  Memory grows with `wanted` only.
 * agreement_id is the pseudonym domain of the warehouse. */
struct colink_reident;
int colink_reident_load(struct colink_reident **out, const char *data_dir, const char *plugin_dirs,
                        const char *roster, const char *roster_mapping, const char *key_file,
                        const char *agreement_id, const char *const *wanted, size_t nwanted,
                        struct colink_error *err);
/* The employee number of an employer person id, or NULL; borrowed. */
const char *colink_reident_employee_number(const struct colink_reident *r, const char *person_id);
/* The key id used (16 hex); borrowed. */
const char *colink_reident_key_id(const struct colink_reident *r);
void colink_reident_free(struct colink_reident *r); /* wipes the numbers; NULL ok */
#endif
