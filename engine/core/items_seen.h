/*
 * items_seen.h -- what an input's item-coded values were, beyond the
 * catalogue: nothing an MHLW document names is dropped without a count
 * (#25).
 *
 * An observation named by a code the mapping does not map is kept in the
 * long observation table with its code, and counted here by kind:
 *   uncatalogued  a standard 17-character 特定健診項目コード that
 *                 mappings/common/items.tsv does not list;
 *   nonstandard   a code that is not a standard item code at all (a
 *                 vendor's own code, a typo), carrying a value;
 *   no_value      an item the source names with no value (no <value>,
 *                 no usable value, or a nullFlavor other than NI): stored
 *                 as a null with reason "missing".
 * The first distinct codes of the first two kinds are kept to name them
 * in the run's warning -- by code, never by value, and never a code
 * shaped like an identifier.
 */
#ifndef COLINK_ITEMS_SEEN_H
#define COLINK_ITEMS_SEEN_H

#include <stddef.h>
#include <stdint.h>

enum colink_item_kind {
	COLINK_ITEM_UNCATALOGUED = 0,
	COLINK_ITEM_NONSTANDARD = 1,
	COLINK_ITEM_NO_VALUE = 2
};

#define COLINK_ITEMS_NAMED 8   /* distinct codes named per kind */
#define COLINK_ITEM_NAME_MAX 40 /* bytes of a named code, with its NUL */

struct colink_items_seen {
	uint64_t count[3];                 /* per enum colink_item_kind */
	char named[2][COLINK_ITEMS_NAMED][COLINK_ITEM_NAME_MAX];
	size_t nnamed[2];
	int more[2];                       /* distinct codes beyond those named */
};

/* 1 when name is a standard item code: 17 characters, digits and A-Z. */
int colink_item_code_is_standard(const char *name);

/* 1 for the names in_mhlw_xml gives what is not an observation (cda.h):
 * header parts "hdr.*" and a doctor's name "<item code>.author". */
int colink_item_is_document_part(const char *name);

/* Count one value of `kind` named `code` (borrowed, may be NULL). */
void colink_items_seen_note(struct colink_items_seen *s, enum colink_item_kind kind,
			    const char *code);

/* Unknown codes: uncatalogued + nonstandard. */
uint64_t colink_items_seen_unknown(const struct colink_items_seen *s);

/* One warning per kind seen, naming the input `path` and the codes. */
void colink_items_seen_log(const struct colink_items_seen *s, const char *path);

#endif
