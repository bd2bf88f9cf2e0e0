/*
 * mapping_int.h -- what mapping.c and mapping_source.c share.  Private to
 * engine/core.
 */
#ifndef COLINK_MAPPING_INT_H
#define COLINK_MAPPING_INT_H

#include <libxml/tree.h>

#include "core/mapping.h"

/* Append one zeroed element to a small array; NULL when out of memory. */
void *colink_mapping_append(void **arr, size_t *n, size_t elem);

/* One <field> element (mapping.c); it is m->fields[m->nfields - 1] after. */
int colink_mapping_read_field(struct colink_mapping *m, xmlNodePtr n,
			      const struct colink_catalog *cat,
			      const struct colink_variant_table *vt,
			      struct colink_error *err);

/* ---- mapping_source.c (#18) ---- */

/* A field's <from> parts, join=, split=/part=, nulls=/null-reason= and its
 * source label; FILE:LINE errors. */
int colink_mapping_field_sources(struct colink_mapping *m, struct colink_map_field *f,
				 xmlNodePtr n, struct colink_error *err);
/* <choose column=...>: its <when> values and the fields inside. */
int colink_mapping_read_choose(struct colink_mapping *m, xmlNodePtr n,
			       const struct colink_catalog *cat,
			       const struct colink_variant_table *vt,
			       struct colink_error *err);
/* Checks that need every field: split parts of one cell agree, nothing
 * ignored is read, no conditional field reads its own flag column. */
int colink_mapping_check_sources(struct colink_mapping *m, struct colink_error *err);
void colink_mapping_free_field_sources(struct colink_map_field *f);

/* ---- mapping_bytes.c: byte-range positions of fixed-width records (#20) ---- */

/* 1 when a position= text is a byte range (has '+' or '-'). */
int colink_mapping_is_byte_range(const char *pos);
/* "A+N" or "A-B" (1-based) into *start, *len; -1 when it is not one. */
int colink_mapping_parse_byte_range(const char *pos, uint32_t *start, uint32_t *len);
/* "bytes A-B", the source column a byte range reads (caller frees). */
char *colink_mapping_byte_column(uint32_t start, uint32_t len);
/* position="A+N" of field f: byte_start, byte_len and its column. */
int colink_mapping_byte_position(struct colink_mapping *m, struct colink_map_field *f,
				 const char *pos, struct colink_error *err);
/* Every field has bytes or none has; no two overlap; the input plugin's
 * `layout` setting appended from them.  FILE:LINE errors. */
int colink_mapping_byte_layout(struct colink_mapping *m, struct colink_error *err);
void colink_mapping_free_chooses(struct colink_mapping *m);

#endif
