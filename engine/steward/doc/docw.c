/* docw.c -- the HTML + Markdown document writer (see docw.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/text.h"
#include "steward/doc/docw.h"

/* Printable on screen and on A4 paper; CJK fonts first so Japanese labels
 * render with Japanese glyph shapes.  No web fonts, no url(): nothing is
 * fetched when the page opens. */
static const char STYLE[] =
	"body{font-family:\"Noto Sans CJK JP\",\"Hiragino Sans\",\"Yu Gothic\",sans-serif;"
	"margin:2em auto;max-width:72em;padding:0 1em;color:#111;line-height:1.5}\n"
	"h1{font-size:1.6em;border-bottom:2px solid #234;padding-bottom:.2em}\n"
	"h2{font-size:1.3em;margin-top:1.6em;border-bottom:1px solid #aab}\n"
	"h3{font-size:1.1em;margin-top:1.2em}\n"
	"table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em;width:100%}\n"
	"th,td{border:1px solid #99a;padding:.25em .5em;text-align:left;vertical-align:top}\n"
	"th{background:#e8ecf2}\n"
	"tr:nth-child(even) td{background:#f7f8fa}\n"
	"p.note{border-left:4px solid #b33;background:#fbeeee;padding:.4em .8em}\n"
	"pre{white-space:pre-wrap;border:1px solid #99a;padding:1em;background:#fcfcf6;"
	"font-family:inherit}\n"
	"@media print{body{margin:0;max-width:none;font-size:10pt}"
	"h2{page-break-after:avoid}thead{display:table-header-group}"
	"tr{page-break-inside:avoid}tr:nth-child(even) td{background:none}"
	"pre{page-break-inside:avoid}}\n";

/* ---- escaping ---------------------------------------------------------- */

/* Markdown: backslash-escape what could become markup; `cell` also folds
 * line breaks (a table row is one line). */
static void md_text(FILE *f, const char *s, int cell)
{
	int bol = 1;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' || c == '\r') {
			fputs(cell ? " " : "\n", f);
			bol = !cell;
			continue;
		}
		if (c < 0x20) {
			fputc(' ', f);
			continue;
		}
		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (strchr("\\`*_[]|#~", c) || (bol && strchr("-+=!", c)))
			fprintf(f, "\\%c", c);
		else
			fputc(c, f);
		bol = 0;
	}
}

static char *vfmt(const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *s;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return NULL;
	s = colink_malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *colink_docw_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	return s;
}

/* ---- blocks ------------------------------------------------------------ */

static void close_blocks(struct colink_docw *d)
{
	if (d->ncols)
		colink_docw_table_end(d);
	if (d->in_list) {
		if (d->html)
			fputs("</ul>\n", d->html);
		if (d->md)
			fputc('\n', d->md);
		d->in_list = 0;
	}
}

void colink_docw_begin(struct colink_docw *d, const char *title)
{
	if (d->html) {
		fputs("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      /* the page may load nothing: a browser refuses (and logs) any
		       * fetch, so a self-containment slip shows in the render test */
		      "<meta http-equiv=\"Content-Security-Policy\" "
		      "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
		      "<title>", d->html);
		colink_html_escape(d->html, title);
		fprintf(d->html, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", STYLE);
		colink_html_escape(d->html, title);
		fputs("</h1>\n", d->html);
	}
	if (d->md) {
		fputs("# ", d->md);
		md_text(d->md, title, 1);
		fputs("\n\n", d->md);
	}
}

void colink_docw_end(struct colink_docw *d)
{
	close_blocks(d);
	if (d->html)
		fputs("</body>\n</html>\n", d->html);
}

static void block(struct colink_docw *d, const char *tag, const char *cls, const char *md_prefix,
		  const char *text)
{
	close_blocks(d);
	if (!text) {
		d->oom = 1;
		return;
	}
	if (d->html) {
		fprintf(d->html, "<%s%s%s%s>", tag, cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
		colink_html_escape(d->html, text);
		fprintf(d->html, "</%s>\n", tag);
	}
	if (d->md) {
		fputs(md_prefix, d->md);
		md_text(d->md, text, md_prefix[0] == '#');
		fputs("\n\n", d->md);
	}
}

void colink_docw_heading(struct colink_docw *d, int level, const char *fmt, ...)
{
	static const char *const tags[] = {"h2", "h3", "h4"};
	static const char *const md[] = {"## ", "### ", "#### "};
	va_list ap;
	char *s;
	int i = level < 2 ? 0 : level > 4 ? 2 : level - 2;
	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	block(d, tags[i], NULL, md[i], s);
	colink_free(s);
}

void colink_docw_para(struct colink_docw *d, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	block(d, "p", NULL, "", s);
	colink_free(s);
}

void colink_docw_note(struct colink_docw *d, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	block(d, "p", "note", "> ", s);
	colink_free(s);
}

void colink_docw_item(struct colink_docw *d, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	if (d->ncols)
		colink_docw_table_end(d);
	if (!s) {
		d->oom = 1;
		return;
	}
	if (!d->in_list && d->html)
		fputs("<ul>\n", d->html);
	d->in_list = 1;
	if (d->html) {
		fputs("<li>", d->html);
		colink_html_escape(d->html, s);
		fputs("</li>\n", d->html);
	}
	if (d->md) {
		fputs("- ", d->md);
		md_text(d->md, s, 1);
		fputc('\n', d->md);
	}
	colink_free(s);
}

void colink_docw_pre(struct colink_docw *d, const char *text)
{
	const char *p = text ? text : "";
	close_blocks(d);
	if (d->html) {
		fputs("<pre>", d->html);
		colink_html_escape(d->html, p);
		fputs("</pre>\n", d->html);
	}
	if (d->md) {
		/* an indented code block: no markup inside, nothing to escape */
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			fputs("    ", d->md);
			fwrite(p, 1, n, d->md);
			fputc('\n', d->md);
			p += n + (nl ? 1 : 0);
		}
		fputc('\n', d->md);
	}
}

/* ---- tables ------------------------------------------------------------ */

void colink_docw_table(struct colink_docw *d, size_t ncols, const char *const *headers)
{
	size_t i;
	close_blocks(d);
	d->ncols = ncols;
	if (d->html) {
		fputs("<table>\n<thead><tr>", d->html);
		for (i = 0; i < ncols; i++) {
			fputs("<th>", d->html);
			colink_html_escape(d->html, headers[i]);
			fputs("</th>", d->html);
		}
		fputs("</tr></thead>\n<tbody>\n", d->html);
	}
	if (d->md) {
		for (i = 0; i < ncols; i++) {
			fputs("| ", d->md);
			md_text(d->md, headers[i], 1);
			fputc(' ', d->md);
		}
		fputs("|\n", d->md);
		for (i = 0; i < ncols; i++)
			fputs("|---", d->md);
		fputs("|\n", d->md);
	}
}

void colink_docw_row(struct colink_docw *d, const char *const *cells)
{
	size_t i;
	for (i = 0; i < d->ncols; i++)
		if (!cells[i])
			d->oom = 1; /* a cell that could not be built: never a silent gap */
	if (d->html) {
		fputs("<tr>", d->html);
		for (i = 0; i < d->ncols; i++) {
			fputs("<td>", d->html);
			colink_html_escape(d->html, cells[i]);
			fputs("</td>", d->html);
		}
		fputs("</tr>\n", d->html);
	}
	if (d->md) {
		for (i = 0; i < d->ncols; i++) {
			fputs("| ", d->md);
			md_text(d->md, cells[i], 1);
			fputc(' ', d->md);
		}
		fputs("|\n", d->md);
	}
}

void colink_docw_table_end(struct colink_docw *d)
{
	if (!d->ncols)
		return;
	if (d->html)
		fputs("</tbody>\n</table>\n", d->html);
	if (d->md)
		fputc('\n', d->md);
	d->ncols = 0;
}

int colink_docw_status(const struct colink_docw *d)
{
	if (d->oom || (d->html && ferror(d->html)) || (d->md && ferror(d->md)))
		return -1;
	return 0;
}
