/*
 * mapping.h -- mapping files: how one source layout becomes common-schema
 * fields.  colink_mapping_load() validates the file against
 * mappings/schema/mapping.rng and then against the catalogue (targets,
 * units, code maps, normalization chains, primary key) before any data
 * moves; every error is "FILE:LINE: ...".
 */
#ifndef COLINK_MAPPING_H
#define COLINK_MAPPING_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/form.h"
#include "colink/plugin.h"
#include "identity/identity.h"
#include "core/settings.h"
#include "core/stress.h"

enum colink_unmapped { COLINK_UNMAPPED_IGNORE = 0, COLINK_UNMAPPED_OBSERVATION, COLINK_UNMAPPED_REJECT };

struct colink_map_field {
	const struct colink_field_def *field;
	const struct colink_item *item;   /* when declared with item= */
	char *column;                     /* source header name, or NULL */
	uint32_t position;                /* 1-based source position, or 0 */
	uint32_t byte_start, byte_len;    /* position="START+LEN" of a fixed-width record
	                                   * (1-based bytes, #20; column is then
	                                   * "bytes START-END"), or 0 */
	int date_format;                  /* enum colink_date_format */
	int dur_format;                   /* enum colink_duration_format, 0 = n/a */
	char *min, *max;                  /* canonical decimals or NULL */
	const struct colink_codemap *codemap;
	char *normalize;                  /* chain for identifiers */
	struct colink_normalizer *norm;   /* compiled chain (identifiers) */
	int censored_allow;
	int required;
	int on_error_null;
	struct colink_form *form;         /* pattern= / placeholders=, or NULL */
	int line;
	/* where the value comes from besides one column (#18, mapping_source.c) */
	char **from;                      /* <from column=.../> parts, or NULL */
	size_t nfrom;
	char *join;                       /* the text between the parts ("-") */
	char *split;                      /* split= separators, blank-separated */
	unsigned part, nparts;            /* part= (1-based) of the nparts of the cell */
	size_t choose;                    /* 1-based index into m->chooses, 0: always */
	char *when_column;                /* the <choose> column= (a copy), or NULL */
	char **when;                      /* the flag values that select this field */
	size_t nwhen;
	char **nullwords;                 /* nulls= words of this field */
	size_t nnullwords;
	int null_reason;                  /* null-reason= (enum colink_null) */
	char *label;                      /* the source as a reader says it (lineage, preview) */
};

/* <choose column="F"><when value="A B">fields</when>...</choose> (#18):
 * the target of the fields inside depends on column F of the same record;
 * a value of F no <when> names rejects the record. */
struct colink_map_choose {
	char *column;
	int line;
	char **values;                    /* every <when> value, file order */
	int *value_line;                  /* line of its <when> */
	size_t nvalues;
};

struct colink_map_constant {
	const struct colink_field_def *field;
	char *value;
	int line;
};

/* <ignore column="X"/>: a source column dropped on purpose. */
struct colink_map_ignore {
	char *column;
	int line;
};

struct colink_null_text {
	char *text;
	int reason; /* enum colink_null */
};

struct colink_mapping {
	char *path;
	char sha256[65];
	char *id, *version, *kind, *description;
	char *plugin;
	int plugin_line;
	struct colink_setting_given *settings; /* strings owned */
	size_t nsettings;
	size_t nsettings_given; /* the <set> elements; after them, the `layout`
				 * made from the fields' byte ranges (#20) */
	const struct colink_key_kind *primary_key;
	struct colink_map_field *fields;
	size_t nfields;
	struct colink_map_constant *constants;
	size_t nconstants;
	struct colink_null_text *nulls;
	size_t nnulls;
	struct colink_codemap *local_maps;
	size_t nlocal;
	int items_catalogue;  /* <items source="catalogue"/> */
	int extract;          /* <extract/>: pseudonyms and ages come with the records */
	struct colink_stress_rules *stress; /* kind stress: scoring rules */
	int stress_method;    /* enum colink_stress_method */
	int unmapped;         /* enum colink_unmapped */
	int unmapped_line;    /* line of <unmapped>, 0 when absent */
	struct colink_map_ignore *ignored; /* <ignore column=.../>, file order */
	size_t nignored;
	struct colink_map_choose *chooses; /* <choose column=...>, file order */
	size_t nchooses;
};

int colink_mapping_load(struct colink_mapping **out, const char *path,
			const struct colink_catalog *cat,
			const struct colink_variant_table *vt,
			struct colink_error *err);
void colink_mapping_free(struct colink_mapping *m);

/* The map field for a common field name, or NULL. */
/* The code map `name` as a field of m resolves it: the mapping's own
 * <codemap> first, then the catalogue's codemaps.tsv; NULL when neither. */
const struct colink_codemap *colink_mapping_codemap(const struct colink_mapping *m,
						    const struct colink_catalog *cat,
						    const char *name);
const struct colink_map_field *colink_mapping_find(const struct colink_mapping *m,
						   const char *field);
/* 1 when source column `column` is named by an <ignore column=.../>. */
int colink_mapping_ignores(const struct colink_mapping *m, const char *column);
/* 1 when a field reads source column `column`: its column=, one of its
 * <from> parts, or the flag column of the <choose> it is in (#18). */
int colink_mapping_reads(const struct colink_mapping *m, const char *column);
/* 1 when the null words of f (nulls=) name the text s[len]. */
int colink_map_field_nullword(const struct colink_map_field *f, const char *s, size_t len);

/*
 * TODO markers of a draft mapping (written by `colink scan`): a
 * <todo column=... | position=.../> element is a source column nobody has
 * mapped yet, a <field ... todo="why"/> a suggested mapping nobody has
 * confirmed.  colink_mapping_load() refuses a file that still has one
 * ("FILE:LINE: column "X" is still unmapped (TODO)"), so a draft never
 * runs.  colink_mapping_todos() lists them all, in file order, after
 * validating the file against mapping.rng (data_dir/schema); returns the
 * count (0: none) or a negative error with *err set.  Each marker is
 * reported through `fn` (may be NULL) with its line and column name (NULL
 * for a position=, then `position` is set).
 */
typedef void (*colink_todo_fn)(void *ud, int line, const char *column,
			       uint32_t position);
int colink_mapping_todos(const char *path, const char *data_dir,
			 colink_todo_fn fn, void *ud, struct colink_error *err);

/* "not-performed" ... -> enum colink_null, -1 unknown; and back. */
int colink_null_from_name(const char *s);
const char *colink_null_name(int reason);

/* A code master (kinds disease_master, drug_master, #21): rows are codes,
 * not persons; the mapping has no primary key. */
int colink_mapping_is_master(const struct colink_mapping *m);

#endif
