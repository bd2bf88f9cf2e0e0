/*
 * text.h -- text output: hex, JSON strings, HTML / XML escapes, CSV fields.
 *
 * The one place that decides how colink spells a byte string in each of
 * the formats it writes (audit log, --json summaries, HTML documents and
 * white papers, draft mappings, CSV reports).  Writers take a FILE * and
 * borrow the string; a NULL string is written as the empty string.
 *
 * Bytes >= 0x80 are passed through unchanged by every writer: colink's
 * text is UTF-8, and a byte that is not (a path on a foreign file system)
 * is kept rather than silently replaced, so that the output still names
 * the file.  No writer here validates UTF-8; the JSON log stream and the
 * metrics file (base/log.h, core/metrics.h), which other programs parse,
 * check each sequence with colink_utf8_len.
 */
#ifndef COLINK_TEXT_H
#define COLINK_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* ---- hex --------------------------------------------------------------- */

/* n bytes as 2n lowercase hex digits and a NUL: out holds 2n + 1 chars.
 * Writes nothing else (no temporary copy: safe for key material in
 * secure memory). */
void colink_hex(const unsigned char *in, size_t n, char *out);

/* 2n lowercase hex digits (not NUL-terminated; exactly 2n are read) into
 * n bytes.  0, or -1 when a digit is not one of 0-9a-f (upper case is
 * refused: every hex colink writes is lower case); on -1 out is partly
 * written. */
int colink_unhex(const char *hex, size_t n, unsigned char *out);

/* ---- UTF-8 ------------------------------------------------------------ */

/* The length (1-4) of the valid UTF-8 sequence that starts at p (RFC 3629:
 * no overlong form, no surrogate, nothing above U+10FFFF), or 0 when the
 * byte at p starts none.  p is NUL-terminated: a sequence cut short by the
 * NUL is not valid. */
size_t colink_utf8_len(const char *p);

/* ---- JSON (RFC 8259) ---------------------------------------------------- */

/* s as a JSON string literal, with its quotes: '"' and '\' escaped with a
 * backslash, LF as \n, TAB as \t, every other byte below 0x20 as \u00XX;
 * everything else (DEL, bytes >= 0x80) as is.  NULL is written as "". */
void colink_json_str(FILE *f, const char *s);

/* ---- HTML and XML ------------------------------------------------------- */

/* s as HTML text or as an attribute value in either quote style:
 * & < > " ' as &amp; &lt; &gt; &quot; &#39;; TAB and LF as is; every other
 * byte below 0x20 (CR included) as a space: no control character reaches
 * a page. */
void colink_html_escape(FILE *f, const char *s);

/* s as an XML attribute value (double quotes): & < > " as &amp; &lt; &gt;
 * &quot;; TAB, LF and CR as &#9; &#10; &#13;, so that attribute value
 * normalisation keeps them; every other byte below 0x20 (not allowed in
 * XML 1.0, not even as a reference) as a space. */
void colink_xml_attr_escape(FILE *f, const char *s);

/* ---- CSV (RFC 4180) ----------------------------------------------------- */

/* s as one CSV field: in double quotes, with '"' doubled, when it holds a
 * comma, a double quote, CR or LF; else as is.  No separator is written. */
void colink_csv_field(FILE *f, const char *s);

#endif
