/* text.c -- see text.h */
#include "base/text.h"

#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

/* ================================================================== */
/* Hex                                                                  */
/* ================================================================== */

void colink_hex(const unsigned char *in, size_t n, char *out)
{
	size_t i;
	for (i = 0; i < n; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int colink_unhex(const char *hex, size_t n, unsigned char *out)
{
	size_t i;
	for (i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo;
		if (hi < 0 || (lo = hexval(hex[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* ================================================================== */
/* JSON                                                                 */
/* ================================================================== */

/*
 * LF and TAB use RFC 8259's two-character escapes, the other controls
 * \u00XX.  This is what `colink ... --json` has always printed; the audit
 * log printed TAB as \u0009 before this helper (both are valid JSON, and
 * an entry's hash covers the bytes as stored, so older logs verify).
 */
size_t colink_utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t n, i;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0; /* overlong below U+0800 */
	else if (c == 0xED)
		hi = 0x9F; /* surrogates */
	else if (c == 0xF0)
		lo = 0x90; /* overlong below U+10000 */
	else if (c == 0xF4)
		hi = 0x8F; /* above U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

void colink_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* ================================================================== */
/* HTML and XML                                                         */
/* ================================================================== */

/* The entity for a markup character, or NULL.  The apostrophe only for
 * HTML: attribute values there may be single-quoted. */
static const char *entity(unsigned char c, int html)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return html ? "&#39;" : NULL;
	default: return NULL;
	}
}

static void markup(FILE *f, const char *s, int html)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	for (; *p; p++) {
		const char *e = entity(*p, html);
		if (e)
			fputs(e, f);
		else if (*p >= 0x20)
			fputc(*p, f);
		else if (html && (*p == '\t' || *p == '\n'))
			fputc(*p, f);
		else if (!html && (*p == '\t' || *p == '\n' || *p == '\r'))
			fprintf(f, "&#%d;", *p);
		else
			fputc(' ', f);
	}
}

void colink_html_escape(FILE *f, const char *s)
{
	markup(f, s, 1);
}

void colink_xml_attr_escape(FILE *f, const char *s)
{
	markup(f, s, 0);
}

/* ================================================================== */
/* CSV                                                                  */
/* ================================================================== */

void colink_csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
