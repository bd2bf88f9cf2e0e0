/* wp_int.h -- shared between whitepaper.c (data, protection) and
 * wp_render.c (HTML, SVG, CSV).  Not public. */
#ifndef COLINK_WP_INT_H
#define COLINK_WP_INT_H

#include <stdio.h>

#include "programs/suppress.h"
#include "programs/whitepaper.h"

#define WP_NBANDS 7   /* 〜19, 20代 .. 60代, 70歳〜 */
#define WP_NLEVELS 5  /* guidance levels shown */
#define WP_CLAIMS_ROWS (WP_NBANDS + 1) /* the bands and 年齢不明 */
#define WP_CLAIMS_COLS 3               /* 男, 女, 不明 */

enum wp_dim { WP_AGE, WP_SITE, WP_JOB, WP_NDIM };

/* Count measures: person counts per cell, protected per measure. */
enum wp_set_id {
	WP_HEAD,       /* persons in the population */
	WP_EXAMINED,   /* with a checkup in the year */
	WP_MEASURED0,  /* measured in area a: WP_MEASURED0 + a */
	WP_RISK0 = WP_MEASURED0 + COLINK_AREA_COUNT, /* at >= 受診勧奨 in area a */
	WP_ANSWERED = WP_RISK0 + COLINK_AREA_COUNT,  /* smoking answered */
	WP_SMOKER,     /* current smokers */
	WP_ATTENDANCE, /* persons with attendance months in the year */
	WP_NSETS
};

enum wp_mean_id { WP_OVERTIME, WP_SICK, WP_NMEANS };

struct wp_set {
	const char *id, *label;
	int present;                         /* computed (attendance may be off) */
	struct colink_sup_table t[WP_NDIM];  /* rows x sex (男, 女) */
};

struct wp_mean {
	const char *id, *label, *unit;
	int count_set;                       /* enum wp_set_id of its n */
	double *sum[WP_NDIM];                /* per grid cell, like the table */
};

struct wp_year {
	int fy;
	int has_data;                        /* any person */
	size_t nrows[WP_NDIM];
	char **labels[WP_NDIM];              /* owned row labels */
	int withheld_row;                    /* site row that is withheld, or -1 */
	struct wp_set sets[WP_NSETS];
	struct wp_mean means[WP_NMEANS];
	struct colink_sup_table guidance;    /* levels x sex, persons 40-74 examined */
	int has_transitions;
	struct colink_sup_table quit, relapse; /* site x {event, none} */
	int has_claims;
	struct colink_sup_table claims;      /* (age band, 年齢不明) x (男, 女, 不明): persons with claims */
	double *claims_sum;                  /* per claims grid cell: yen */
	long sites_merged, sites_withheld;
	struct wp_part *part;                /* ⑤ その他 (wp_participation.c), or NULL */
	struct wp_allow *allow;              /* 傷病手当金 (wp_allowance.c), or NULL */
	struct wp_cost *cost;                /* cost by disease group (wp_allowance.c), or NULL */
};

extern const char *const wp_band_labels[WP_NBANDS];
extern const char *const wp_level_labels[WP_NLEVELS];
extern const char *const wp_area_labels[COLINK_AREA_COUNT];

/* A released rate num/den in percent: 1 and *pct when both cells are
 * released and den >= k (den > 0). */
int wp_rate(const struct colink_sup_table *num, const struct colink_sup_table *den,
	    size_t c, long k, double *pct);
/* A released mean: 1 when the count cell is released and >= k. */
int wp_mean_of(const struct colink_sup_table *n, const double *sum, size_t c, long k,
	       double *mean);

/* The sensitive set in effect (o->sensitive, or the default). */
unsigned wp_sensitive(const struct colink_wp_opts *o);
/* wp_participation.c: ⑤ その他, programme participation (#19).  Build
 * y->part after the sets (headcount) are protected: participants and
 * completers per programme by age band and site (x sex), protected with
 * their complements; free it; write its CSV files into dir/csv; write its
 * HTML section.  A year without participation rows has none. */
struct wp_part;
int wp_part_build(struct colink_wh *db, struct wp_year *y, const struct colink_wp_opts *o,
		  struct colink_error *err);
void wp_part_free(struct wp_year *y);
int wp_part_csv(const struct wp_year *y, const struct colink_wp_opts *o, const char *dir,
		struct colink_wp_result *res, struct colink_error *err);
void wp_part_html(FILE *f, const struct wp_year *y, const struct colink_wp_opts *o);

/* wp_allowance.c: 傷病手当金 per 1,000 在籍者 by age band and sex with the
 * share of mental disorders, and medical cost per person by disease group
 * and age band from the claims (#21 parts 5, 6).  Build after the sets
 * (headcount) are protected; free; CSV files into dir/csv; HTML sections.
 * Each is left out when the agreement does not allow it (o->*_allowed). */
struct wp_allow;
struct wp_cost;
int wp_allow_build(struct colink_wh *db, const struct colink_rules *r, struct wp_year *y,
		   const struct colink_wp_opts *o, struct colink_error *err);
void wp_allow_free(struct wp_year *y);
int wp_allow_csv(const struct wp_year *y, const struct colink_wp_opts *o, const char *dir,
		 struct colink_wp_result *res, struct colink_error *err);
void wp_allow_html(FILE *f, const struct wp_year *y, const struct colink_wp_opts *o);

/* wp_render.c: write whitepaper.html and csv/ of cur (prev may have
 * has_data 0).  0 or COLINK_EIO with err naming the file. */
int wp_render(const struct wp_year *cur, const struct wp_year *prev,
	      const struct colink_wp_opts *o, const char *rules_id,
	      struct colink_wp_result *res, struct colink_error *err);

#endif
