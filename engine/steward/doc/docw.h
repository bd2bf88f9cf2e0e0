/*
 * docw.h -- one document, two renderings: a self-contained HTML page (inline
 * CSS, no script, no external fetch, lang=ja, print CSS) and GitHub-style
 * Markdown, written side by side while the document is walked once.
 *
 * Every text argument is plain UTF-8 text; the writer escapes it for each
 * rendering (HTML entities, Markdown backslash escapes, table pipes), so no
 * caller ever writes markup.  Writing is streaming: nothing is buffered
 * beyond one formatted string.
 */
#ifndef COLINK_DOCW_H
#define COLINK_DOCW_H

#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__)
#define DOCW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DOCW_PRINTF(a, b)
#endif

struct colink_docw {
	FILE *html;     /* HTML rendering, or NULL; borrowed */
	FILE *md;       /* Markdown rendering, or NULL; borrowed */
	size_t ncols;   /* columns of the open table, 0 when none */
	int in_list;    /* an open bullet list */
	int oom;        /* a formatted string could not be allocated */
};

/* Start the document: HTML head with the inline style sheet, the title as
 * <h1> / "# ". */
void colink_docw_begin(struct colink_docw *d, const char *title);
/* Close any open table or list and the HTML body. */
void colink_docw_end(struct colink_docw *d);

/* Heading of level 2..4 (level 1 is the title). */
void colink_docw_heading(struct colink_docw *d, int level, const char *fmt, ...) DOCW_PRINTF(3, 4);
void colink_docw_para(struct colink_docw *d, const char *fmt, ...) DOCW_PRINTF(2, 3);
/* A paragraph set apart as a warning / important statement. */
void colink_docw_note(struct colink_docw *d, const char *fmt, ...) DOCW_PRINTF(2, 3);
/* One bullet; consecutive bullets form one list, closed by any other call. */
void colink_docw_item(struct colink_docw *d, const char *fmt, ...) DOCW_PRINTF(2, 3);
/* Preformatted text kept line by line (a notice ready to publish). */
void colink_docw_pre(struct colink_docw *d, const char *text);

/* A table: headers[ncols], then rows of ncols cells.  A NULL cell means its
 * allocation failed: it prints empty and the document is reported failed. */
void colink_docw_table(struct colink_docw *d, size_t ncols, const char *const *headers);
void colink_docw_row(struct colink_docw *d, const char *const *cells);
void colink_docw_table_end(struct colink_docw *d);

/* 0 when every write so far succeeded, else -1 (I/O error or OOM). */
int colink_docw_status(const struct colink_docw *d);

/* printf into a colink_malloc'd string (caller frees); NULL on OOM. */
char *colink_docw_fmt(const char *fmt, ...) DOCW_PRINTF(1, 2);

#endif
