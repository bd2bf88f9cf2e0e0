/*
 * xmlutil.h -- reading colink's own XML files (mapping, job) safely and
 * validating them against the RELAX NG schemas in mappings/schema/.
 *
 * Files are read into memory and parsed with no network, no DTD loading,
 * no entity substitution; a DOCTYPE is refused outright.  Every error is
 * one line "FILE:LINE: message".
 */
#ifndef COLINK_XMLUTIL_H
#define COLINK_XMLUTIL_H

#include <libxml/tree.h>

#include "colink/plugin.h"

/* Parse `path`; *out freed with xmlFreeDoc. */
int colink_xml_read(const char *path, xmlDocPtr *out, struct colink_error *err);

/* Validate `doc` (read from `path`) against the RELAX NG schema file. */
int colink_xml_validate(xmlDocPtr doc, const char *path, const char *rng_path,
			struct colink_error *err);

/* Read + validate against data_dir/schema/<schema>.rng. */
int colink_xml_load(const char *path, const char *data_dir, const char *schema,
		    xmlDocPtr *out, struct colink_error *err);

/* An allocation in colink_xml_attr/colink_xml_text failed since the last
 * reset: readers check this, since NULL also means "absent". */
void colink_xml_oom_reset(void);
int colink_xml_oom_seen(void);

/* Attribute value as a colink_malloc'd string, or NULL when absent (or out
 * of memory: see colink_xml_oom_seen). */
char *colink_xml_attr(xmlNodePtr n, const char *name);
/* Element text content (trimmed), colink_malloc'd; "" when empty. */
char *colink_xml_text(xmlNodePtr n);
/* 1 when `n` is an element named `name` (any namespace). */
int colink_xml_is(xmlNodePtr n, const char *name);
/* Line number of a node (0 if unknown). */
int colink_xml_line(xmlNodePtr n);

#endif
