/*
 * cda.h -- one 特定健診情報 (hc08, HL7 CDA R2) document -> one raw record.
 *
 * Field names (index = running 1-based position, in this order):
 *   hdr.insurer_number  patientRole/id[@root=…6.101]/@extension
 *   hdr.card_symbol     …6.204 (記号; optional)
 *   hdr.card_number     …6.205
 *   hdr.card_branch     …6.211 (枝番)
 *   hdr.name_kana       patient/name text
 *   hdr.sex             patient/administrativeGenderCode/@code
 *   hdr.birth_date      patient/birthTime/@value
 *   hdr.exam_date       documentationOf/serviceEvent/effectiveTime/@value
 *   hdr.program_type    serviceEvent/code/@code
 *   hdr.report_type     /ClinicalDocument/code/@code
 *   hdr.exam_org        serviceEvent performer organisation id, else the
 *                       author organisation id[@root=…6.102]
 *   hdr.document        the entry name ("DATA/h….xml"), always present
 * A header field is omitted when the document lacks it or it is empty.
 * Then one field per observation of every section, in document order,
 * named by its item code (observation/code/@code):
 *   PQ       value = @value as written, unit = @unit
 *   CD / CO  value = @code, code_system = @codeSystem
 *   ST       value = element text
 *   negationInd="true"        value NULL, COLINK_NULL_NOT_PERFORMED
 *   value nullFlavor="NI"     value NULL, COLINK_NULL_UNMEASURABLE
 *   (other nullFlavor, or no value element: COLINK_NULL_MISSING)
 *   CD code H/L in 2.16.840.1.113883.5.83: flag 'H'/'L'; with no other
 *   value, value NULL and COLINK_NULL_ABOVE_RANGE / BELOW_RANGE
 * Serial groups (outer observation without an item code holding
 * entryRelationship observations) are flattened: every inner observation
 * is its own field.  A doctor's name in observation/author/assignedAuthor/
 * assignedPerson/name becomes a field "<item code>.author".
 *
 * Every string is valid UTF-8 (checked).  Values are raw: identifiers are
 * carried as written, for the identity step only.
 */
#ifndef IN_MHLW_XML_CDA_H
#define IN_MHLW_XML_CDA_H

#include <stddef.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "colink/plugin.h"
#include "archive.h"

struct cda_pending; /* private: fields by string-pool offset */

/*
 * A reusable record builder.  Zero-initialise, set `host`, and reuse it
 * for every document (memory is kept and grows to the largest document);
 * free with cda_record_free.
 */
struct cda_record {
	const struct colink_host *host;
	char *pool;                     /* every string, NUL-separated */
	size_t used, pool_cap;
	struct cda_pending *pending;
	struct colink_raw_field *fields;
	size_t n, cap;                  /* fields in use, pending capacity */
	size_t fields_cap;
	size_t skipped; /* observations without an item code, not emitted */
};

/*
 * Build the record of `doc` (borrowed).  `docname` becomes hdr.document.
 * Returns COLINK_OK with rec->fields / rec->n valid until the next call
 * or cda_record_free; COLINK_REJECTED with a one-line reason in `why` (no
 * document content); COLINK_ENOMEM.
 */
int cda_extract(struct cda_record *rec, xmlDocPtr doc, const char *docname,
		char why[MHLW_WHY_MAX]);

/* Free what the builder holds (not the struct).  Accepts NULL. */
void cda_record_free(struct cda_record *rec);

/*
 * Streaming: the same record as cda_extract, from a SAX2 parse that
 * builds no tree.  cda_sax_handlers() sets the element and text callbacks
 * of a handler (the caller adds its DTD guards; SAX2 magic is set); the
 * parser context's _private must point to the cda_stream.  Per document:
 * cda_stream_begin, the parse, then (well-formed, not stopped, no DTD)
 * cda_stream_record, whose results are cda_extract's.  A callback that
 * runs out of memory sets `nomem` and stops the parser; `dtd` is for the
 * caller's DTD callbacks (a document with a DOCTYPE is for the tree path).
 * Zero-initialise; the state is reused; free with cda_stream_free.
 */
struct cda_sax; /* private */
struct cda_stream {
	struct cda_sax *s;
	int nomem, dtd;
};

/* Set startElementNs, endElementNs, characters, ignorableWhitespace,
 * cdataBlock and the SAX2 magic of `h` (other fields untouched). */
void cda_sax_handlers(xmlSAXHandler *h);

/* Ready `st` for the next document (its state is made with host->calloc
 * on first use).  COLINK_OK or COLINK_ENOMEM. */
int cda_stream_begin(struct cda_stream *st, const struct colink_host *host);

/* The record of the document just parsed, into `rec` (as cda_extract:
 * fields valid until the next call or cda_record_free; `docname`
 * borrowed).  COLINK_OK, COLINK_REJECTED with a reason, COLINK_ENOMEM. */
int cda_stream_record(struct cda_stream *st, struct cda_record *rec,
		      const char *docname, char why[MHLW_WHY_MAX]);

/* Free the state (not the struct).  Accepts NULL and a never-begun one. */
void cda_stream_free(struct cda_stream *st);

#endif
