/*
 * catalog.h -- the common schema as data: mappings/common/fields.tsv
 * (target fields), items.tsv (17-digit item codes -> fields), keys.tsv
 * (pseudonym key kinds) and codemaps.tsv (shared code maps).  Loaded once
 * per process; read-only afterwards.  Errors name FILE:LINE.
 */
#ifndef COLINK_CATALOG_H
#define COLINK_CATALOG_H

#include <stddef.h>

#include "colink/plugin.h"

struct colink_item {
	char *code;                          /* 17 characters */
	const struct colink_field_def *field;
	char *method;                        /* method code or NULL */
	char *value_type;                    /* PQ CD CO ST */
	char *unit;                          /* or NULL */
	char *name;                          /* Japanese label */
};

struct colink_key_kind {
	char *kind;
	size_t nparts;
	char **parts;      /* field names, in encoding order */
	int *optional;     /* 1 when the part may be absent (empty) */
	char *description;
};

struct colink_codemap {
	char *name;
	size_t n;
	char **from, **to;
	int other_keep;    /* unknown source codes kept as is (else rejected) */
	int line;          /* where it was declared (mapping-local maps) */
};

struct colink_catalog {
	char *dir;                         /* the data dir it came from */
	struct colink_field_def *fields;
	char **field_normalize;            /* per field: default chain or NULL */
	size_t nfields;
	struct colink_item *items;         /* sorted by code */
	size_t nitems;
	struct colink_key_kind *keys;
	size_t nkeys;
	struct colink_codemap *codemaps;
	size_t ncodemaps;
};

int colink_catalog_load(struct colink_catalog **out, const char *data_dir,
			struct colink_error *err);
void colink_catalog_free(struct colink_catalog *c);

const struct colink_field_def *colink_catalog_field(const struct colink_catalog *c,
						    const char *name);
size_t colink_catalog_field_index(const struct colink_catalog *c,
				  const struct colink_field_def *f);
const struct colink_item *colink_catalog_item(const struct colink_catalog *c,
					      const char *code);
const struct colink_key_kind *colink_catalog_key(const struct colink_catalog *c,
						 const char *kind);
const struct colink_codemap *colink_catalog_codemap(const struct colink_catalog *c,
						    const char *name);
/* Mapped code for `from`, or NULL. */
const char *colink_codemap_lookup(const struct colink_codemap *m, const char *from);
void colink_codemap_clear(struct colink_codemap *m);

/* "text", "int", "decimal", "date", "code" <-> enum colink_type */
int colink_type_from_name(const char *s);
const char *colink_type_name(int type);

#endif
