/*
 * transform_int.h -- what transform.c and transform_field.c share: the
 * transform's state and the per-field conversion (transform_field.c).
 * Private to engine/core.
 */
#ifndef COLINK_TRANSFORM_INT_H
#define COLINK_TRANSFORM_INT_H

#include "core/items_seen.h"
#include "core/transform.h"

#define NUMBUF 72

/* Raw field k of a record, through the stride its plugin declared
 * (checked by colink_raw_record_check). */
#define RAW(rec, k) COLINK_AT(struct colink_raw_field, (rec)->fields, (rec)->field_size, (k))

/* Per mapped field: where it comes from and scratch space for its value. */
struct slot {
	const struct colink_map_field *mf;
	uint32_t src;        /* resolved 1-based source index, 0 = by name */
	char num[NUMBUF];    /* canonical decimal / ISO date */
	char *ident;         /* normalized identifier (wiped after use) */
	size_t ident_len;
	int present;         /* identifier or code value present this record */
	const char *code;    /* code value (for key parts such as sex) */
	char source[24];     /* "#N" lineage label for positional fields */
	int failed;          /* a reject reason names this field this record */
	/* #18: a value built from <from> parts or cut from a cell with split= */
	uint32_t *from_src;  /* per part: resolved 1-based index, 0 = by name */
	char cell[256];      /* the built or cut text (wiped after each record) */
	int cell_used;
	struct colink_raw_field built; /* points at cell */
};

/* The column a reject reason names for slot s: the source column, or the
 * label of a built or cut value ("年+月", "記号番号 part 2"). */
static inline const char *tf_slot_column(const struct slot *s)
{
	if (s->mf->nfrom || s->mf->split)
		return s->mf->label;
	return s->mf->column ? s->mf->column : s->source;
}

/* The source lineage and preview show: with the <when> of a conditional
 * field ("中性脂肪 (when 空腹 is Y)"). */
static inline const char *tf_slot_source(const struct slot *s)
{
	return s->mf->label ? s->mf->label : tf_slot_column(s);
}

/* Per <choose> of the mapping, this record (#18). */
#define TF_CHOOSE_UNREAD (-3)
#define TF_CHOOSE_UNKNOWN (-2)
#define TF_CHOOSE_EMPTY (-1)

/* Reasons listed per rejected record; a record failing more fields (a
 * shifted CSV row fails most of them) gets one last reason counting the
 * rest, so a reject stays bounded. */
#define TF_MAX_REASONS 32

struct tf_reason {
	char column[128];
	char reason[320];
};

struct key_plan {
	const struct colink_key_kind *k;
	int *slot_of_part;   /* slot index per part, -1 when not mapped */
};

struct colink_transform {
	const struct colink_mapping *m;
	const struct colink_catalog *cat;
	struct colink_pseudo_set *ps;
	uint32_t input_no;
	const char *path;
	int norm_warned; /* an extract that recorded no normalization was logged */
	struct slot *slots;
	size_t nslots;
	int have_header;
	struct key_plan *plans;
	size_t nplans;
	/* per-record output */
	struct colink_out_value *vals;
	size_t nvals, capvals;
	char (**chunks)[NUMBUF]; /* scratch buffers that never move */
	size_t nchunks, used;    /* buffers handed out this record */
	struct colink_pseudonym *pseud;
	char (*pseud_hex)[65];
	int features;        /* make the comparison features (#23) */
	struct colink_feature feat[COLINK_FEATURE_MAX];
	struct colink_feature_enc enc; /* the name filter's encoding */
	struct colink_out_record rec;
	/* this record's reject reasons, in the order they were found (#25) */
	struct tf_reason reasons[TF_MAX_REASONS];
	size_t nreasons;
	uint64_t nmore;      /* reasons past TF_MAX_REASONS, counted only */
	char more[96];
	struct colink_reject_reason out_reasons[TF_MAX_REASONS + 1];
	struct colink_items_seen seen; /* unmapped item codes, valueless items */
	const char **lin_fields, **lin_sources;
	int birth_slot, exam_slot;
	int32_t today;       /* yyyymmdd (UTC) when the transform began: no birth after it */
	uint32_t *choose_src; /* per <choose>: its flag column, 0 = by name */
	long *choose_pick;   /* per <choose>, this record: index into its values or TF_CHOOSE_* */
	int *choose_told;    /* per <choose>, this record: the empty flag has its reason */
	/* what a field's name says, by name (transform.c: name_info) */
	struct tf_name *names;
	size_t names_cap, names_n;
	int names_off;       /* a slot is mapped by position: no cache */
};

/* ---- transform_field.c ---- */

/* Add a reject reason naming `column` (the value never) to the record's
 * reasons and return COLINK_REJECTED: the caller goes on with the next
 * field, and the record is rejected once at the end with all of them. */
int colink_tf_reject(struct colink_transform *t, const char *column,
		     const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
struct colink_out_value *colink_tf_push_val(struct colink_transform *t,
					    struct colink_error *err);
char *colink_tf_scratch(struct colink_transform *t, struct colink_error *err);
int colink_tf_convert(const struct colink_transform *t, const struct colink_field_def *f,
		      const struct colink_map_field *mf, const struct colink_raw_field *raw,
		      char *buf, struct colink_value *v, char *why, size_t wl);
void colink_tf_wipe_idents(struct colink_transform *t);
/* The mapped fields and the constants of one record: every failing field
 * adds its reason (colink_tf_reject) and the next one is read; COLINK_OK,
 * or a negative rc that is fatal for the run. */
int colink_tf_map_fields(struct colink_transform *t, const struct colink_raw_record *rec,
			 int32_t *birth, int32_t *exam, struct colink_error *err);
int colink_tf_map_constants(struct colink_transform *t, int32_t *exam,
			    struct colink_error *err);

#endif
