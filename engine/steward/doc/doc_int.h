/* doc_int.h -- helpers shared by the document and diff writers. */
#ifndef COLINK_DOC_INT_H
#define COLINK_DOC_INT_H

#include "policy/agreement.h"
#include "core/catalog.h"
#include "steward/doc/docw.h"
#include "core/mapping.h"

/* "iso", "wareki", "h:mm" ... for a map field; "" when not applicable. */
const char *doc_format_name(const struct colink_map_field *f);
/* "50 .. 300", "≥ 50", "≤ 300" or "" (caller frees; NULL on OOM). */
char *doc_range(const char *min, const char *max);
/* "column \"HbA1c\"" or "position 3" (caller frees). */
char *doc_source(const struct colink_map_field *f);
/* A field's own null words with their reason ("NA - (missing)"); "" none. */
char *doc_nullwords(const struct colink_map_field *f);
/* 1 when the code map is declared in the mapping itself. */
int doc_codemap_is_local(const struct colink_mapping *m, const struct colink_codemap *cm);
/* The default normalization chain of a field in fields.tsv, or NULL. */
const char *doc_default_chain(const struct colink_catalog *cat,
			      const struct colink_field_def *f);
/* 1 when field f is not mapped by m but derived from what it maps (the
 * stress-check scores of a kind="stress" mapping). */
int doc_is_derived(const struct colink_mapping *m, const struct colink_field_def *f);
/* "unmapped columns" policy as a word: ignore / observation / reject. */
const char *doc_unmapped_name(int u);


/* The "what was reviewed" table every document starts with. */
void doc_provenance(struct colink_docw *d, const char *kind, const char *path,
		    const char *sha256);

/* doc_agreement.c */
const char *doc_party_ja(int party);
const char *doc_flow_ja(int flow);
const char *doc_level_ja(int level);
int doc_agreement_file(struct colink_docw *d, const char *path, const char *data_dir,
		       const struct colink_catalog *cat, struct colink_error *err);
/* The agreement's signatures (#24): who signed and when, and whether each
 * verifies under the keys the job trusts (`job` NULL: an agreement alone,
 * no trusted keys, so only who signed is shown).  Never key material. */
struct colink_job;
void doc_signatures(struct colink_docw *d, const char *agreement, const struct colink_job *job);
/* The public notice (the five statutory items) as text; colink_free. */
char *doc_notice_text(const struct colink_agreement *a, const struct colink_catalog *cat);

#endif
