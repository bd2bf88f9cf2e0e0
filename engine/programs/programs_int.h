/* programs_int.h -- shared between the files of engine/programs (not public). */
#ifndef COLINK_PROGRAMS_INT_H
#define COLINK_PROGRAMS_INT_H

#include <stddef.h>

#include "programs/programs.h"

#define PROG_MAX_RULES 96
#define PROG_MAX_ANSWERS 32

enum prog_op { PROG_GE = 0, PROG_GT, PROG_LE, PROG_LT };

/* One row `rule` of a referral-*.tsv or guidance-*.tsv table. */
struct prog_rule {
	char id[64];
	char group[24];      /* referral: the area name; guidance: age, step1, bp ... */
	char measure[24];
	int op;              /* enum prog_op */
	double threshold;
	int enabled;         /* 0: threshold "none" */
	char threshold_text[24];
	char level[16];      /* referral: guidance/recommend/urgent; guidance: the step */
	int sex;             /* 0 both, 1 male, 2 female */
	char setting[48];    /* "" when fixed */
};

struct prog_table {
	struct prog_rule rules[PROG_MAX_RULES];
	size_t n;
	char version[32], fiscal_years[32];
	int fy_from, fy_to; /* from meta fiscal_years "2024-" / "2018-2023"; 0 = open */
};

struct prog_answer {
	char code_system[48];
	char code[8];
	enum colink_smoking status;
};

enum prog_glucose_priority { PROG_GLUCOSE_FPG = 0, PROG_GLUCOSE_EITHER };

#define PROG_MAX_RANGES 64

/* One `range` row of mappings/rules/disease-groups.tsv: the ICD-10 block
 * [from, to] (3 characters, a letter and two digits) of a disease group and
 * the referral area it answers. */
struct prog_range {
	char group[24];
	int area; /* enum colink_area */
	char from[4], to[4];
};

struct colink_rules {
	struct prog_table referral, guidance;
	struct prog_answer answers[PROG_MAX_ANSWERS];
	size_t nanswers;
	char smoking_version[32];
	int glucose_priority; /* enum prog_glucose_priority */
	/* 受診状況確認 from claims: the referral table's settings and the
	 * disease groups it names (meta disease_groups) */
	int followup_months;    /* setting followup.months: the window after the exam */
	int followup_suspected; /* setting followup.suspected: 1 疑い diagnoses count */
	int followup_set;       /* bit 1 months, bit 2 suspected: given by the table */
	char disease_groups_name[64], disease_groups_version[32];
	struct prog_range ranges[PROG_MAX_RANGES];
	size_t nranges;
	char id[192];
};

/* The disease groups' ranges of r (the table the referral table names, as
 * range_row checked it), in table order, into out[max]; their groups
 * borrowed from r.  The count. */
size_t prog_disease_ranges(const struct colink_rules *r, struct colink_wh_icd_range *out, size_t max);

/* 1 when value v satisfies rule ru (ru enabled). */
int prog_rule_fires(const struct prog_rule *ru, double v);
const char *prog_op_text(int op);

/* The values the rules judge, picked from an exam (NAN = not usable). */
struct prog_values {
	double sbp, dbp;
	double tg_fasting, tg_casual; /* at most one of the two, per blood_draw_timing */
	double hdl, ldl, non_hdl, ast, alt, ggt;
	double fpg, casual_glucose, hba1c, hba1c_jds; /* casual only without FPG and HbA1c */
	double urine_protein, egfr, hemoglobin;
	double waist, visceral_fat_area, bmi;
};
void prog_pick(const struct colink_exam *e, struct prog_values *v);
/* The value of a measure name, NAN when unknown or not usable. */
double prog_measure(const struct prog_values *v, const struct colink_exam *e, const char *measure);

/* Append printf text to buf (size n), keeping it NUL-terminated. */
void prog_append(char *buf, size_t n, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

void prog_referral(const struct colink_rules *r, const struct colink_exam *e,
		   const struct prog_values *v, struct colink_exam_result *out);
void prog_guidance(const struct colink_rules *r, const struct colink_exam *e,
		   const struct prog_values *v, struct colink_exam_result *out);

#endif
