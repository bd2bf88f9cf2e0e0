/*
 * whitepaper.h -- 健康白書: the released aggregates of one fiscal year, with
 * small-cell protection (suppress.h), as a self-contained HTML report with
 * SVG charts and CSV files of every released table (issue #7, parts 4-5).
 *
 * Population: the employer's employees in service during the fiscal year
 * (employee.hire_date <= 31 March of its end, leave_date empty or >= 1
 * April of its start), with sex 1/2 and a known birth month; site and job
 * type from the roster.  An employee linked to an association person
 * (link) brings that person's checkups of the year (the latest exam
 * counts), evaluated by engine/programs (guidance level, referral level per
 * area, smoking).  Age is the age on 31 March of the fiscal year: from the
 * checkup when there is one, else from the birth month.  Medical cost per
 * person comes from claims_summary over every association person with a row
 * for the year (dependants included), by age band and sex; a person whose
 * age or sex no checkup (nor, when the agreement allows it, the linked
 * roster) gives is counted in a 年齢不明 row / 不明 column, so the table's
 * total is every person with a cost.
 *
 * Released tables: each measure by age band x sex, site x sex and job type
 * x sex, with margins; the three tables of a measure are protected together
 * (they share the sex margins and the grand total).  A rate is released
 * only when its numerator and denominator cells are released and the
 * denominator is >= k; a mean only when the count behind it is >= k and
 * released.  Sites with fewer than min_site persons are merged into
 * "その他の事業所" (then treated as one site; withheld too if still
 * small) or withheld (one row whose every cell is suppressed and protected).
 */
#ifndef COLINK_WHITEPAPER_H
#define COLINK_WHITEPAPER_H

#include <stdio.h>

#include "colink/plugin.h"
#include "programs/programs.h"

enum colink_wp_site_rule { COLINK_WP_SITE_MERGE = 0, COLINK_WP_SITE_WITHHOLD };

/* The threat model (docs/whitepaper.md): a count in the sensitive set
 * describes a health attribute, so its complement in every count it is a
 * subset of (those not at risk among the judged, the non-smokers among
 * those answering) is protected like a cell; a count outside it describes
 * a population the recipient already knows (who is employed, who took the
 * statutory checkup) and is only released when >= k.  Names, for
 * --sensitive: examined attendance measured answered risk smokers
 * guidance allowance disease. */
enum colink_wp_sensitive {
	COLINK_WP_SENS_EXAMINED = 1 << 0,   /* examinees of the headcount */
	COLINK_WP_SENS_ATTENDANCE = 1 << 1, /* persons with attendance of the headcount */
	COLINK_WP_SENS_MEASURED = 1 << 2,   /* judged in an area of the examinees */
	COLINK_WP_SENS_ANSWERED = 1 << 3,   /* smoking answered of the examinees */
	COLINK_WP_SENS_RISK = 1 << 4,       /* at >= 受診勧奨 of those judged */
	COLINK_WP_SENS_SMOKERS = 1 << 5,    /* current smokers of those answering */
	COLINK_WP_SENS_GUIDANCE = 1 << 6,   /* 特定保健指導 levels of the examinees */
	COLINK_WP_SENS_ALLOWANCE = 1 << 7,  /* 傷病手当金 recipients (and F causes) of the headcount */
	COLINK_WP_SENS_DISEASE = 1 << 8     /* persons with claims of a disease group of all claimants */
};
#define COLINK_WP_SENS_DEFAULT (COLINK_WP_SENS_RISK | COLINK_WP_SENS_SMOKERS | COLINK_WP_SENS_GUIDANCE | \
				COLINK_WP_SENS_ALLOWANCE | COLINK_WP_SENS_DISEASE)

struct colink_wp_opts {
	int fiscal_year;         /* 0: the latest fiscal year with a checkup */
	long k;                  /* minimum released person count (10) */
	int suppress_zeros;      /* 1: suppress 0 like 1..k-1 */
	long min_site;           /* smallest site released on its own (50) */
	int site_rule;           /* enum colink_wp_site_rule */
	unsigned sensitive;      /* enum colink_wp_sensitive bits; 0: COLINK_WP_SENS_DEFAULT */
	int attendance_allowed;  /* employer->association aggregates of attendance_month */
	int claims_allowed;      /* claims_summary (medical cost) may reach the recipient */
	int claims_roster_age;   /* a claims person without checkup age/sex takes the linked roster's */
	const char *out_dir;     /* created if missing; whitepaper.html, csv/ */
	const char *source;      /* borrowed: what the report names as its source (no path secrets) */
	int participation_allowed; /* ⑤ その他: programme participation may reach the recipient */
	int allowance_allowed;   /* 傷病手当金 payments may reach the recipient (aggregate) */
	int claim_groups_allowed; /* claims, diagnoses and the disease master (cost by disease group) */
};

struct colink_wp_result {
	int fiscal_year;         /* the year reported */
	long persons;            /* the population (a total; never printed below k) */
	long tables;             /* CSV files written */
	long suppressed;         /* suppressed cells over all released tables */
	long sites_merged, sites_withheld;
};

/* Parse a comma-separated list of sensitive-set names (above) into *out.
 * 0, or COLINK_EINVAL with err naming the unknown word (or an empty list). */
int colink_wp_sensitive_parse(const char *list, unsigned *out, struct colink_error *err);
/* The names of a set, comma-separated, into buf (NUL-terminated). */
void colink_wp_sensitive_names(unsigned set, char *buf, size_t n);

/* Write the white paper of o->fiscal_year into o->out_dir.  0, or a
 * negative enum colink_rc with err set (one line naming the file or the
 * step).  Nothing below k is written anywhere. */
int colink_whitepaper_write(struct colink_wh *wh, const struct colink_rules *r,
			    const struct colink_wp_opts *o, struct colink_wp_result *res,
			    struct colink_error *err);

#endif
