/*
 * uke.h -- in_receipt: the parts of the UKE (レセプト電算処理システム,
 * 記録条件仕様) reader that do not touch the host: the record layout (which
 * CSV field holds what, a setting), 和暦/西暦 dates, numbers.  Shared by
 * in_receipt.c and uke_layout.c; not part of any ABI.
 */
#ifndef IN_RECEIPT_UKE_H
#define IN_RECEIPT_UKE_H

#include <stddef.h>
#include <stdint.h>

/* Record types the reader gives a meaning to (the layout covers them). */
enum uke_rec {
	R_IR, R_RE, R_HO, R_KO, R_SN, R_SY, R_SI, R_IY, R_TO, R_NREC
};

/* What a field of a record means (the layout's names). */
enum uke_attr {
	A_PAYER, A_PREF, A_TABLE, A_INSTITUTION, A_BILLING_MONTH,   /* IR */
	A_RECEIPT_NO, A_RECEIPT_TYPE, A_MONTH, A_NAME, A_SEX, A_BIRTH,
	A_KANA,                                                     /* RE */
	A_INSURER, A_SYMBOL, A_NUMBER, A_BRANCH, A_DAYS, A_POINTS,  /* HO KO SN */
	A_CODE, A_START, A_OUTCOME, A_MODIFIER, A_MAIN,             /* SY */
	A_GROUP, A_QUANTITY, A_TIMES,                               /* SI IY TO */
	A_NATTR
};

/* layout.pos[rec][attr]: 1-based CSV field, 0 when the record has none. */
struct uke_layout {
	unsigned pos[R_NREC][A_NATTR];
};

/* Era codes: era_year0[code] is the 西暦 year before 元年 of the era the
 * code names (1867 for 明治), 0 for a code not in use. */
struct uke_eras {
	int letter[10]; /* 'M','T','S','H','R' or 0 */
};

/* The record type of a two-letter identifier, or -1. */
int uke_rec_type(const char *id);
const char *uke_rec_name(int rec);
const char *uke_attr_name(int attr);

/* The built-in layout (記録条件仕様 医科 as compiled in
 * docs/claims.md), then overridden by `spec`: "RE:month=4,birth=7;HO:..."
 * 0, or -1 with a one-line reason in why (never a value). */
void uke_layout_default(struct uke_layout *l);
int uke_layout_parse(struct uke_layout *l, const char *spec, char *why, size_t whylen);

/* "1=M,2=T,3=S,4=H,5=R": era code digit = era letter. */
int uke_eras_parse(struct uke_eras *e, const char *spec, char *why, size_t whylen);

/*
 * A UKE date into yyyymmdd: 西暦 YYYYMMDD (8 digits) or 和暦 GYYMMDD (7: era
 * code, year of the era, month, day).  With month_only, YYYYMM (6) or GYYMM
 * (5), day 1.  The era must cover the date (平成31年5月 does not exist).
 * 0 or -1.
 */
int uke_date(const struct uke_eras *e, const char *s, int month_only, int32_t *ymd);

/* A non-negative decimal integer of at most 12 digits (points, days,
 * times); 0 or -1. */
int uke_uint(const char *s, int64_t *out);
/* A non-negative decimal with at most one '.', up to 15 characters. */
int uke_decimal(const char *s);

#endif
