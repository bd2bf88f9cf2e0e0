/* items_seen.c -- counting and naming the item codes a run did not map
 * (items_seen.h). */
#include "core/items_seen.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "identity/identity.h"

int colink_item_is_document_part(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	return len && (!strncmp(name, "hdr.", 4) ||
		       (len > 7 && !strcmp(name + len - 7, ".author")));
}

int colink_item_code_is_standard(const char *name)
{
	size_t i;
	if (!name || strlen(name) != 17)
		return 0;
	for (i = 0; i < 17; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'A' && name[i] <= 'Z')))
			return 0;
	return 1;
}

/*
 * The printable form of a code for a warning, into out[COLINK_ITEM_NAME_MAX].
 * A standard code is itself.  Any other code is the source's free text: a
 * code shaped like an identifier is not repeated (its shape is), control
 * bytes become '?', and a long one is cut on a UTF-8 boundary with "...".
 */
static void printable(const char *code, int standard, char *out)
{
	const char *shape;
	size_t len = code ? strlen(code) : 0, n, i;
	if (!code || !len) {
		snprintf(out, COLINK_ITEM_NAME_MAX, "(empty code)");
		return;
	}
	if (!standard && (shape = colink_identifier_shape(code, len))) {
		snprintf(out, COLINK_ITEM_NAME_MAX, "(a code shaped like %s)", shape);
		return;
	}
	n = len < COLINK_ITEM_NAME_MAX - 1 ? len : COLINK_ITEM_NAME_MAX - 4;
	while (n < len && n > 0 && ((unsigned char)code[n] & 0xC0) == 0x80)
		n--; /* do not cut a UTF-8 sequence */
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)code[i] < 0x20 || code[i] == 0x7F ? '?' : code[i];
	if (n < len)
		memcpy(out + n, "...", 3), n += 3;
	out[n] = '\0';
}

void colink_items_seen_note(struct colink_items_seen *s, enum colink_item_kind kind,
			    const char *code)
{
	char name[COLINK_ITEM_NAME_MAX];
	size_t i;
	s->count[kind]++;
	if (kind == COLINK_ITEM_NO_VALUE)
		return;
	printable(code, kind == COLINK_ITEM_UNCATALOGUED, name);
	for (i = 0; i < s->nnamed[kind]; i++)
		if (!strcmp(s->named[kind][i], name))
			return;
	if (s->nnamed[kind] == COLINK_ITEMS_NAMED) {
		s->more[kind] = 1;
		return;
	}
	memcpy(s->named[kind][s->nnamed[kind]++], name, sizeof(name));
}

uint64_t colink_items_seen_unknown(const struct colink_items_seen *s)
{
	return s->count[COLINK_ITEM_UNCATALOGUED] + s->count[COLINK_ITEM_NONSTANDARD];
}

/* "A, B, C" (and "...more" when there were more distinct codes) */
static void list(const struct colink_items_seen *s, int kind, char *buf, size_t cap)
{
	size_t i, used = 0;
	buf[0] = '\0';
	for (i = 0; i < s->nnamed[kind] && used < cap; i++) {
		int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", s->named[kind][i]);
		used = n < 0 || (size_t)n >= cap - used ? cap : used + (size_t)n;
	}
	if (s->more[kind] && used < cap)
		snprintf(buf + used, cap - used, ", and more");
}

void colink_items_seen_log(const struct colink_items_seen *s, const char *path)
{
	char codes[COLINK_ITEMS_NAMED * (COLINK_ITEM_NAME_MAX + 2) + 16];
	if (s->count[COLINK_ITEM_UNCATALOGUED]) {
		list(s, COLINK_ITEM_UNCATALOGUED, codes, sizeof(codes));
		colink_log(COLINK_LOG_WARN, "%s: %llu values with standard item codes not in the catalogue "
			   "kept in the observation table: %s", path,
			   (unsigned long long)s->count[COLINK_ITEM_UNCATALOGUED], codes);
	}
	if (s->count[COLINK_ITEM_NONSTANDARD]) {
		list(s, COLINK_ITEM_NONSTANDARD, codes, sizeof(codes));
		colink_log(COLINK_LOG_WARN, "%s: %llu values with codes that are not standard item codes "
			   "kept in the observation table: %s", path,
			   (unsigned long long)s->count[COLINK_ITEM_NONSTANDARD], codes);
	}
	if (s->count[COLINK_ITEM_NO_VALUE])
		colink_log(COLINK_LOG_WARN, "%s: %llu items named without a value stored as null (missing)",
			   path, (unsigned long long)s->count[COLINK_ITEM_NO_VALUE]);
}
