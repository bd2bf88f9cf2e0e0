/*
 * mapping_bytes.c -- byte-range positions of fixed-width records (#20).
 *
 * A field of a fixed-width (固定長) mapping names its bytes in the record:
 * position="START+LEN" or position="START-END", 1-based, in bytes of the
 * source encoding (a CP932 kanji counts two), as the vendor's layout
 * document gives them.  The field then reads the source column
 * "bytes START-END", and the mapping hands the input plugin the whole
 * layout as its `layout` setting ("bytes 2-9=2+8;..."), so check, preview,
 * doc and diff see the layout where the fields are.  Errors are FILE:LINE
 * of the field: a range that is not one, two fields over overlapping bytes
 * (the same range read twice is one column), a mapping that mixes byte
 * ranges with named columns, a layout also given as a <set>.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/mapping_int.h"

#define BYTES_MAX 16777216UL

int colink_mapping_is_byte_range(const char *pos)
{
	return pos && (strchr(pos, '+') || strchr(pos, '-'));
}

/* "A+N" or "A-B", 1-based; 0 and *start, *len, or -1. */
int colink_mapping_parse_byte_range(const char *pos, uint32_t *start, uint32_t *len)
{
	char *e;
	unsigned long a, b;
	int plus;
	if (!pos || *pos < '0' || *pos > '9')
		return -1;
	errno = 0;
	a = strtoul(pos, &e, 10);
	if (*e != '+' && *e != '-')
		return -1;
	plus = *e == '+';
	if (e[1] < '0' || e[1] > '9')
		return -1;
	b = strtoul(e + 1, &e, 10);
	if (*e || errno || a < 1 || a > BYTES_MAX || b > BYTES_MAX)
		return -1;
	if (plus ? b < 1 : b < a)
		return -1;
	if (plus && a + b - 1 > BYTES_MAX)
		return -1;
	*start = (uint32_t)a;
	*len = plus ? (uint32_t)b : (uint32_t)(b - a + 1);
	return 0;
}

char *colink_mapping_byte_column(uint32_t start, uint32_t len)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "bytes %lu-%lu", (unsigned long)start,
		 (unsigned long)start + len - 1);
	return colink_strdup(buf);
}

int colink_mapping_byte_position(struct colink_mapping *m, struct colink_map_field *f,
				 const char *pos, struct colink_error *err)
{
	if (colink_mapping_parse_byte_range(pos, &f->byte_start, &f->byte_len))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: field %s: position \"%s\" is not a byte range "
				  "START+LENGTH or START-END (1-based, END not before START, at most %lu)",
				  m->path, f->line, f->field->name, pos, BYTES_MAX);
	colink_free(f->column);
	f->column = colink_mapping_byte_column(f->byte_start, f->byte_len);
	if (!f->column)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

static int overlap(const struct colink_map_field *a, const struct colink_map_field *b)
{
	uint64_t ae = (uint64_t)a->byte_start + a->byte_len, be = (uint64_t)b->byte_start + b->byte_len;
	if (a->byte_start == b->byte_start && a->byte_len == b->byte_len)
		return 0; /* one column read twice */
	return a->byte_start < be && b->byte_start < ae;
}

static int append_layout(char **s, size_t *len, const struct colink_map_field *f)
{
	char part[96];
	int n = snprintf(part, sizeof(part), "%s%s=%lu+%lu", *len ? ";" : "", f->column,
			 (unsigned long)f->byte_start, (unsigned long)f->byte_len);
	char *t = colink_realloc(*s, *len + (size_t)n + 1);
	if (!t)
		return -1;
	memcpy(t + *len, part, (size_t)n + 1);
	*s = t;
	*len += (size_t)n;
	return 0;
}

int colink_mapping_byte_layout(struct colink_mapping *m, struct colink_error *err)
{
	struct colink_setting_given *g;
	const struct colink_map_field *first = NULL;
	char *layout = NULL;
	size_t i, k, len = 0;
	m->nsettings_given = m->nsettings;
	for (i = 0; i < m->nsettings; i++)
		if (!strcmp(m->settings[i].name, "layout"))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s:%d: the field layout is the byte-range position= of each "
					  "field (position=\"START+LENGTH\"), not a setting: drop "
					  "<set name=\"layout\">", m->path, m->settings[i].line);
	for (i = 0; i < m->nfields && !first; i++)
		if (m->fields[i].byte_len)
			first = &m->fields[i];
	if (!first)
		return COLINK_OK;
	for (i = 0; i < m->nfields; i++) {
		const struct colink_map_field *f = &m->fields[i];
		if (!f->byte_len)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s:%d: field %s reads %s, but this mapping reads fixed-width "
					  "records (byte ranges, line %d): give it position=\"START+LENGTH\"",
					  m->path, f->line, f->field->name,
					  f->nfrom ? "<from> columns" : f->column ? "a named column" : "a column number",
					  first->line);
		for (k = 0; k < i; k++)
			if (overlap(f, &m->fields[k]))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s:%d: field %s: %s overlap %s of field %s (line %d)",
						  m->path, f->line, f->field->name, f->column,
						  m->fields[k].column, m->fields[k].field->name,
						  m->fields[k].line);
	}
	for (i = 0; i < m->nfields; i++) {
		const struct colink_map_field *f = &m->fields[i];
		for (k = 0; k < i; k++)
			if (m->fields[k].byte_start == f->byte_start &&
			    m->fields[k].byte_len == f->byte_len)
				break;
		if (k == i && append_layout(&layout, &len, f)) {
			colink_free(layout);
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		}
	}
	g = colink_mapping_append((void **)&m->settings, &m->nsettings, sizeof(*g));
	if (!g) {
		colink_free(layout);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	g->name = colink_strdup("layout");
	g->value = layout;
	g->line = first->line;
	if (!g->name)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}
