/*
 * cda_int.h -- what cda.c (the tree walk) and cda_stream.c (the streaming
 * extraction) share: the names they look for and the record builder's
 * field adders.  Private to the plugin.
 */
#ifndef IN_MHLW_XML_CDA_INT_H
#define IN_MHLW_XML_CDA_INT_H

#include "cda.h"

#define V3_NS "urn:hl7-org:v3"
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define OID_INSURER "1.2.392.200119.6.101"
#define OID_ORG "1.2.392.200119.6.102"
#define OID_SYMBOL "1.2.392.200119.6.204"
#define OID_NUMBER "1.2.392.200119.6.205"
#define OID_BRANCH "1.2.392.200119.6.211"
#define OID_RANGE_FLAG "2.16.840.1.113883.5.83"

/* Serial groups are one level deep in practice; more is refused. */
#define MAX_GROUP_DEPTH 8

#define NONE ((size_t)-1)

/* One field to add: strings are borrowed (NULL = absent). */
struct fieldspec {
	const char *name, *suffix, *value, *unit, *cs;
	int null_reason;
	char flag;
};

/* Add one field to the record (strings copied into its pool, checked to
 * be UTF-8); COLINK_REJECTED with a reason, COLINK_ENOMEM. */
int cda_add_field(struct cda_record *r, const struct fieldspec *f,
		  char why[MHLW_WHY_MAX]);

/* Add a header field unless the value is absent or empty. */
int cda_add_hdr(struct cda_record *r, const char *name, const char *value,
		char why[MHLW_WHY_MAX]);

/* 1 for the coded data types (CD, CO, CE, CV, CS). */
int cda_is_coded(const char *type);

/* Make rec->fields from the pending fields, once all are added. */
int cda_finish(struct cda_record *r);

#endif
