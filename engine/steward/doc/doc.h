/*
 * doc.h -- the auditor toolkit: `colink doc` (a reviewable document of a
 * mapping, agreement or job file) and `colink diff` (what changed between
 * two versions, in review terms).
 *
 * Nothing here reads data: only the configuration files, the catalogue
 * (mappings/common) and their schemas.  So no raw identifier can reach a
 * document or a diff.
 */
#ifndef COLINK_DOC_H
#define COLINK_DOC_H

#include <stddef.h>
#include <stdio.h>

#include "core/catalog.h"
#include "colink/plugin.h"
#include "steward/doc/docw.h"
#include "core/mapping.h"

enum colink_doc_kind {
	COLINK_DOC_MAPPING = 1,
	COLINK_DOC_JOB = 2,
	COLINK_DOC_AGREEMENT = 3
};

/* The kind of a colink file from its root element (<mapping>, <job>,
 * <agreement>).  Errors: COLINK_ENOTFOUND/EIO (unreadable), COLINK_EINVAL
 * (not XML, or another root: "FILE:LINE: ..."). */
int colink_doc_detect(const char *path, int *kind, struct colink_error *err);

/* Validate `path` (schema and catalogue) and write its document to `html`
 * and/or `md` (either may be NULL, not both; both borrowed).  Returns
 * COLINK_OK, a load error, or COLINK_EIO when writing failed. */
int colink_doc_file(const char *path, const char *data_dir, FILE *html, FILE *md,
		    struct colink_error *err);

/* The body of a mapping's document (no title), top headings at `level`
 * (2 standalone, 3 inside a job document). */
void colink_doc_mapping(struct colink_docw *d, const struct colink_mapping *m,
			const struct colink_catalog *cat, int level);

/* ---- diff ------------------------------------------------------------- */

struct colink_change {
	char op;            /* '+' added, '-' removed, '~' changed */
	char *what;         /* "field", "identifier", "codemap", "purpose" ... */
	char *name;         /* the thing changed: field name, map name ... */
	char *detail;       /* "range 60..250 → 50..300 (widened)", or NULL */
	int raises_exposure;/* the change releases more, or keeps less safe */
};

struct colink_changes {
	struct colink_change *v;
	size_t n, cap;
	int oom;            /* a change could not be recorded */
};

/* Record one change; detail is printf-formatted (NULL for none).  On OOM
 * sets c->oom. */
void colink_change_add(struct colink_changes *c, char op, const char *what,
		       const char *name, int raises_exposure, const char *fmt, ...)
	DOCW_PRINTF(6, 7);
void colink_changes_clear(struct colink_changes *c);

/* Semantic changes from mapping a to mapping b (same catalogue). */
void colink_diff_mappings(struct colink_changes *out, const struct colink_mapping *a,
			  const struct colink_mapping *b, const struct colink_catalog *cat);

/* Semantic changes from agreement a to agreement b. */
struct colink_agreement;
void colink_diff_agreements(struct colink_changes *out, const struct colink_agreement *a,
			    const struct colink_agreement *b);

/* Load both files (same kind required) and diff them. */
int colink_diff_files(struct colink_changes *out, const char *old_path,
		      const char *new_path, const char *data_dir,
		      struct colink_error *err);

/* "~ field sbp_1: range 60..250 → 50..300 (widened)" + newline. */
void colink_change_print(FILE *f, const struct colink_change *c);

#endif
