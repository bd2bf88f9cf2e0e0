/*
 * test_xml_reuse.c -- in_mhlw_xml's streaming extraction and the state it
 * reuses across documents (plugins/in_mhlw_xml: cda.h "Streaming").
 *
 * A document without a DOCTYPE is read by the streaming path (SAX2
 * events, no tree); the same document with an empty DOCTYPE added goes to
 * the tree path (cda_extract), which is the reference.  Every case below
 * is read both ways and the records must be identical field by field
 * (name, index, value, length, unit, code system, null reason, flag), and
 * rejects must carry the same reason and the logs the same lines; the
 * cases also assert the values they are about.  The last case checks that
 * nothing of one document (a namespace binding, an unfinished element, a
 * refusal) leaks into the next: the streaming state (scratch strings,
 * element and observation stacks) is reused from one document to the next.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mock_host.h"
#include "testutil.h"

static const struct colink_plugin *plug;

#define INDEX "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<index xmlns=\"https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html\">" \
	"<totalRecordCount value=\"%d\"/></index>\n"

#define V3 "xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""

static void put(const char *dir, const char *rel, const char *data, size_t len)
{
	char *p = tu_fmt("%s/%s", dir, rel), *slash;
	for (slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(p, 0700);
		*slash = '/';
	}
	CU_ASSERT_EQUAL_FATAL(tu_write_file(p, data, len), 0);
	free(p);
}

/* Read the archive folder `root` with default settings into m. */
static int read_archive(const char *root, struct mock_host *m)
{
	struct colink_error err;
	void *ctx = NULL;
	int rc;
	colink_error_clear(&err);
	mock_host_reset(m);
	rc = mock_plugin_init(plug, m, NULL, &ctx, &err);
	if (rc)
		return rc;
	rc = plug->input->read(ctx, root, mock_host_emitter(m), &err);
	plug->fini(ctx);
	return rc;
}

/* `doc` with "<!DOCTYPE ClinicalDocument>" right after its XML
 * declaration (or first), on the same line: the tree path. */
static char *with_doctype(const char *doc)
{
	const char *decl_end = !strncmp(doc, "<?xml", 5) ? strstr(doc, "?>") : NULL;
	size_t at = decl_end ? (size_t)(decl_end + 2 - doc) : 0;
	return tu_fmt("%.*s<!DOCTYPE ClinicalDocument>%s", (int)at, doc, doc + at);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Records of two reads must be equal; a difference is printed. */
static int same_records(const struct mock_host *a, const struct mock_host *b)
{
	size_t i, j;
	if (a->nrecs != b->nrecs) {
		fprintf(stderr, "\nrecords: %zu streamed, %zu from the tree\n", a->nrecs, b->nrecs);
		return 0;
	}
	for (i = 0; i < a->nrecs; i++) {
		const struct mock_record *x = &a->recs[i], *y = &b->recs[i];
		if (x->rejected != y->rejected || x->record_no != y->record_no ||
		    !same_str(x->reject_reason, y->reject_reason) ||
		    x->nfields != y->nfields) {
			fprintf(stderr, "\nrecord %zu: rejected %d/%d (%s / %s), %zu/%zu fields\n",
				i, x->rejected, y->rejected,
				x->reject_reason ? x->reject_reason : "-",
				y->reject_reason ? y->reject_reason : "-", x->nfields, y->nfields);
			return 0;
		}
		for (j = 0; j < x->nfields; j++) {
			const struct mock_field *f = &x->fields[j], *g = &y->fields[j];
			if (!same_str(f->name, g->name) || f->index != g->index ||
			    !same_str(f->value, g->value) || f->len != g->len ||
			    !same_str(f->unit, g->unit) ||
			    !same_str(f->code_system, g->code_system) ||
			    f->null_reason != g->null_reason || f->flag != g->flag) {
				fprintf(stderr, "\nrecord %zu field %zu: %s=%s/%s unit %s/%s cs %s/%s"
					" null %d/%d flag %d/%d\n", i, j,
					f->name ? f->name : "-", f->value ? f->value : "-",
					g->value ? g->value : "-", f->unit ? f->unit : "-",
					g->unit ? g->unit : "-",
					f->code_system ? f->code_system : "-",
					g->code_system ? g->code_system : "-",
					f->null_reason, g->null_reason, f->flag, g->flag);
				return 0;
			}
		}
	}
	return 1;
}

/*
 * Read `doc` as DATA/h1.xml streamed and through the tree; assert both
 * give the same record (and the same log); leave the streamed one in *m.
 */
static void both_ways(const char *doc, size_t len, struct mock_host *m)
{
	struct mock_host tree;
	char *tmp = tu_mkdtemp("xmlreuse"), *ix = tu_fmt(INDEX, 1);
	char *dt = with_doctype(doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	put(tmp, "ix08_V08.xml", ix, strlen(ix));
	put(tmp, "DATA/h1.xml", doc, len);
	mock_host_init(&tree);
	CU_ASSERT_EQUAL(read_archive(tmp, m), COLINK_OK);
	/* the same path and name (they are in the log), now with a DOCTYPE */
	put(tmp, "DATA/h1.xml", dt, strlen(dt) - strlen(doc) + len);
	CU_ASSERT_EQUAL(read_archive(tmp, &tree), COLINK_OK);
	CU_ASSERT_EQUAL(m->nrecs, 1);
	CU_ASSERT(same_records(m, &tree));
	CU_ASSERT_STRING_EQUAL(m->log, tree.log);
	mock_host_reset(&tree);
	tu_rmtree(tmp);
	free(tmp);
	free(ix);
	free(dt);
}

static const struct mock_field *fld(const struct mock_host *m, const char *name)
{
	size_t j;
	if (!m->nrecs)
		return NULL;
	for (j = 0; j < m->recs[0].nfields; j++)
		if (m->recs[0].fields[j].name && !strcmp(m->recs[0].fields[j].name, name))
			return &m->recs[0].fields[j];
	return NULL;
}

static int val_is(const struct mock_host *m, const char *name, const char *value)
{
	const struct mock_field *f = fld(m, name);
	return f && f->value && !strcmp(f->value, value);
}

/* ------------------------------------------------------------------ */
/* The project's fixture documents                                     */
/* ------------------------------------------------------------------ */

static void test_xml_reuse__fixture_same_both_ways(void)
{
	static const char *const docs[] = {
		"h13112345672025040100000001.xml", "h13112345672025040100000002.xml",
		"h13112345672025040100000003.xml"
	};
	size_t i, len;
	for (i = 0; i < 3; i++) {
		struct mock_host m;
		char *p = tu_fmt("%s/tests/data/mhlw_fixture/DATA/%s", tu_srcdir(), docs[i]);
		char *doc = tu_read_file(p, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		mock_host_init(&m);
		both_ways(doc, len, &m);
		CU_ASSERT_FALSE(m.nrecs && m.recs[0].rejected);
		CU_ASSERT(m.nrecs && m.recs[0].nfields > 50);
		mock_host_reset(&m);
		free(doc);
		free(p);
	}
	/* person 1's serial group and doctor, streamed */
	{
		struct mock_host m;
		char *p = tu_fmt("%s/tests/data/mhlw_fixture/DATA/%s", tu_srcdir(), docs[0]);
		char *doc = tu_read_file(p, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		mock_host_init(&m);
		both_ways(doc, len, &m);
		CU_ASSERT(val_is(&m, "hdr.name_kana", "テスト　イチロウ"));
		CU_ASSERT(val_is(&m, "8A065000002391901", "66.8"));
		CU_ASSERT(val_is(&m, "9N511000000000049.author", "架空　医師"));
		mock_host_reset(&m);
		free(doc);
		free(p);
	}
}

/* ------------------------------------------------------------------ */
/* Crafted documents: the tree walk's corners                          */
/* ------------------------------------------------------------------ */

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ClinicalDocument " V3 ">"
#define OBS(code, value) "<entry><observation><code code=\"" code "\"/>" value "</observation></entry>"
#define BODY(x) "<component><structuredBody><component><section>" x "</section></component>" \
	"</structuredBody></component>"

static void case_doc(const char *doc, struct mock_host *m)
{
	mock_host_init(m);
	both_ways(doc, strlen(doc), m);
}

static void test_xml_reuse__header_first_matches(void)
{
	struct mock_host m;
	case_doc(HEAD
		 "<code code=\"10\"/><code code=\"99\"/>"
		 "<recordTarget><patientRole>"
		 "<id root=\"1.2.392.200119.6.205\" extension=\"\"/>"
		 "<id root=\"1.2.392.200119.6.205\" extension=\"2nd\"/>"
		 "<id root=\"1.2.392.200119.6.101\" extension=\"ins&amp;&#38;&lt;x\"/>"
		 "<id root=\"1.2.392.200119.6.204\" extension=\"a\tb\nc\"/>"
		 "<patient><name>ア<![CDATA[<イ>]]><!-- no -->&amp;<x:y xmlns:x=\"o\">ウ</x:y>&#x30A8;</name>"
		 "<name>second</name>"
		 "<administrativeGenderCode code=\"2\"/><birthTime value=\"19800101\"/></patient>"
		 "</patientRole></recordTarget>"
		 "<recordTarget><patientRole><id root=\"1.2.392.200119.6.211\" extension=\"no\"/>"
		 "</patientRole></recordTarget>"
		 "<documentationOf><serviceEvent><code code=\"010\"/><effectiveTime value=\"20240401\"/>"
		 "<performer><assignedEntity><representedOrganization>"
		 "<id extension=\"\"/><id root=\"x\" extension=\"org&#38;1\"/><id extension=\"org2\"/>"
		 "</representedOrganization></assignedEntity></performer>"
		 "</serviceEvent></documentationOf>"
		 "<author><assignedAuthor><representedOrganization>"
		 "<id root=\"1.2.392.200119.6.102\" extension=\"notused\"/>"
		 "</representedOrganization></assignedAuthor></author>"
		 BODY("") "</ClinicalDocument>\n", &m);
	CU_ASSERT(val_is(&m, "hdr.report_type", "10"));
	CU_ASSERT_PTR_NULL(fld(&m, "hdr.card_number")); /* first match is empty */
	CU_ASSERT(val_is(&m, "hdr.insurer_number", "ins&&<x"));
	CU_ASSERT(val_is(&m, "hdr.card_symbol", "a b c"));
	CU_ASSERT_PTR_NULL(fld(&m, "hdr.card_branch")); /* second recordTarget */
	CU_ASSERT(val_is(&m, "hdr.name_kana", "ア<イ>&ウエ"));
	CU_ASSERT(val_is(&m, "hdr.exam_org", "org&1"));
	CU_ASSERT(val_is(&m, "hdr.program_type", "010"));
	mock_host_reset(&m);
	/* no performer: the author organisation's 6.102 id */
	case_doc(HEAD "<author><assignedAuthor><representedOrganization>"
		 "<id root=\"other\" extension=\"no\"/>"
		 "<id root=\"1.2.392.200119.6.102\" extension=\"1310000001\"/>"
		 "</representedOrganization></assignedAuthor></author>"
		 "<x:recordTarget xmlns:x=\"other\"><patientRole><patient><name>N</name></patient>"
		 "</patientRole></x:recordTarget>"
		 "</ClinicalDocument>", &m);
	CU_ASSERT(val_is(&m, "hdr.exam_org", "1310000001"));
	CU_ASSERT_PTR_NULL(fld(&m, "hdr.name_kana")); /* not in the v3 namespace */
	mock_host_reset(&m);
}

static void test_xml_reuse__observation_corners(void)
{
	struct mock_host m;
	const struct mock_field *f;
	case_doc(HEAD BODY(
		/* code after the value; xsi:type with a prefix */
		"<entry><observation><value xsi:type=\"PQ\" value=\"1.5\" unit=\"mg\"/>"
		"<code code=\"A1\"/><code code=\"A1-second\"/></observation></entry>"
		/* range flags: the last one counts; then the value */
		"<entry><observation><code code=\"A2\"/>"
		"<value xsi:type=\"CD\" code=\"L\" codeSystem=\"2.16.840.1.113883.5.83\"/>"
		"<value xsi:type=\"CD\" code=\"H\" codeSystem=\"2.16.840.1.113883.5.83\"/>"
		"<value xsi:type=\"PQ\" value=\"900\" unit=\"U/L\"/>"
		"<value xsi:type=\"PQ\" value=\"1\"/></observation></entry>"
		/* flag only: above range */
		OBS("A3", "<value xsi:type=\"CD\" code=\"H\" codeSystem=\"2.16.840.1.113883.5.83\"/>")
		/* nullFlavor NI and other; negation; no value */
		OBS("A4", "<value xsi:type=\"PQ\" nullFlavor=\"NI\" value=\"3\"/>")
		OBS("A5", "<value nullFlavor=\"\"/>")
		"<entry><observation negationInd=\"true\"><code code=\"A6\"/>"
		"<value xsi:type=\"PQ\" value=\"7\"/></observation></entry>"
		OBS("A7", "")
		/* ST with markup, CDATA and references; coded; untyped with code */
		OBS("A8", "<value xsi:type=\"foo:ST\">x&amp;<b>y</b><![CDATA[<z>]]></value>")
		OBS("A9", "<value xsi:type=\"CO\" code=\"2\" codeSystem=\"cs&amp;1\"/>")
		OBS("A10", "<value code=\"3\" codeSystem=\"cs3\"/>")
		OBS("A11", "<value xsi:type=\"PQ\" value=\"\" unit=\"u\"/>")
		OBS("A12", "<value xsi:type=\"STXXXXXXXXXXXXXXXXXX\" value=\"v\"/>")
		OBS("A13", "<value xmlns:p=\"other\" p:value=\"no\" value=\"yes\"/>")
		/* doctor's name, empty */
		OBS("A14", "<value xsi:type=\"ST\">t</value><author><assignedAuthor><assignedPerson>"
		    "<name/></assignedPerson></assignedAuthor></author>")
		/* a second entry observation, non-v3 observation ignored */
		"<entry><observation><code code=\"B1\"/><value value=\"1\"/></observation>"
		"<observation><code code=\"B2\"/><value value=\"2\"/></observation>"
		"<o:observation xmlns:o=\"other\"><code code=\"B3\"/></o:observation></entry>"
		) "</ClinicalDocument>", &m);
	CU_ASSERT_FALSE_FATAL(m.nrecs != 1 || m.recs[0].rejected);
	CU_ASSERT(val_is(&m, "A1", "1.5"));
	CU_ASSERT_PTR_NULL(fld(&m, "A1-second"));
	f = fld(&m, "A2");
	CU_ASSERT(f && f->flag == 'H' && f->value && !strcmp(f->value, "900"));
	f = fld(&m, "A3");
	CU_ASSERT(f && !f->value && f->null_reason == COLINK_NULL_ABOVE_RANGE);
	f = fld(&m, "A4");
	CU_ASSERT(f && !f->value && f->null_reason == COLINK_NULL_UNMEASURABLE);
	f = fld(&m, "A6");
	CU_ASSERT(f && !f->value && f->null_reason == COLINK_NULL_NOT_PERFORMED);
	f = fld(&m, "A7");
	CU_ASSERT(f && !f->value && f->null_reason == COLINK_NULL_MISSING);
	CU_ASSERT(val_is(&m, "A8", "x&y<z>"));
	f = fld(&m, "A9");
	CU_ASSERT(f && f->code_system && !strcmp(f->code_system, "cs&1"));
	f = fld(&m, "A11");
	CU_ASSERT(f && !f->value && f->unit && !strcmp(f->unit, "u"));
	CU_ASSERT(val_is(&m, "A12", "v"));
	CU_ASSERT(val_is(&m, "A13", "yes"));
	f = fld(&m, "A14.author");
	CU_ASSERT(f && !f->value && f->null_reason == COLINK_NULL_MISSING);
	CU_ASSERT(val_is(&m, "B2", "2"));
	CU_ASSERT_PTR_NULL(fld(&m, "B3"));
	mock_host_reset(&m);
}

#define GRP_OPEN "<entryRelationship><observation>"
#define GRP_CLOSE "</observation></entryRelationship>"

static void test_xml_reuse__serial_groups(void)
{
	struct mock_host m;
	/* a group, a coded observation holding inner ones (they are not
	 * fields), an empty group (skipped), a group whose code comes last */
	case_doc(HEAD BODY(
		"<entry><observation><code/>"
		"<entryRelationship><observation><code code=\"G1\"/><value value=\"1\"/></observation>"
		"<observation><code code=\"G2\"/><value value=\"2\"/></observation></entryRelationship>"
		"<entryRelationship>" "<observation><code code=\"\"/></observation>" "</entryRelationship>"
		"</observation></entry>"
		"<entry><observation>"
		"<entryRelationship><observation><code code=\"IN\"/><value value=\"0\"/></observation>"
		"</entryRelationship><code code=\"C1\"/><value value=\"5\"/></observation></entry>"
		"<entry><observation><code code=\"\"/><value value=\"9\"/></observation></entry>"
		) "</ClinicalDocument>", &m);
	CU_ASSERT_FALSE_FATAL(m.nrecs != 1 || m.recs[0].rejected);
	CU_ASSERT(val_is(&m, "G1", "1"));
	CU_ASSERT(val_is(&m, "G2", "2"));
	CU_ASSERT(val_is(&m, "C1", "5"));
	CU_ASSERT_PTR_NULL(fld(&m, "IN"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.log, "2 observations without an item code skipped"));
	mock_host_reset(&m);
	/* groups 9 deep: refused; 8 deep ending in a coded one: loaded */
	case_doc(HEAD BODY("<entry><observation>"
		GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN
		"<code/>" GRP_OPEN "<code code=\"D\"/>" GRP_CLOSE
		GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE
		"</observation></entry>") "</ClinicalDocument>", &m);
	CU_ASSERT_TRUE(m.nrecs == 1 && m.recs[0].rejected &&
		       !strcmp(m.recs[0].reject_reason,
			       "observation groups nested more than 8 deep"));
	mock_host_reset(&m);
	case_doc(HEAD BODY("<entry><observation>"
		GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN
		"<code code=\"D8\"/><value value=\"8\"/>" GRP_OPEN GRP_CLOSE
		GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE
		"</observation></entry>") "</ClinicalDocument>", &m);
	CU_ASSERT(val_is(&m, "D8", "8"));
	mock_host_reset(&m);
	/* a too-deep group inside a coded observation is never looked at */
	case_doc(HEAD BODY("<entry><observation><code code=\"TOP\"/><value value=\"t\"/>"
		GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN GRP_OPEN
		GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE GRP_CLOSE
		"</observation></entry>") "</ClinicalDocument>", &m);
	CU_ASSERT(val_is(&m, "TOP", "t"));
	mock_host_reset(&m);
	/* only the first structuredBody component, every section component */
	case_doc(HEAD "<component><structuredBody>"
		 "<component><section>" OBS("S1", "<value value=\"1\"/>") "</section>"
		 "<section>" OBS("S1b", "<value value=\"x\"/>") "</section></component>"
		 "<component><section>" OBS("S2", "<value value=\"2\"/>") "</section></component>"
		 "</structuredBody></component>"
		 "<component><structuredBody><component><section>" OBS("S3", "<value value=\"3\"/>")
		 "</section></component></structuredBody></component></ClinicalDocument>", &m);
	CU_ASSERT(val_is(&m, "S1", "1"));
	CU_ASSERT(val_is(&m, "S2", "2"));
	CU_ASSERT_PTR_NULL(fld(&m, "S1b"));
	CU_ASSERT_PTR_NULL(fld(&m, "S3"));
	mock_host_reset(&m);
}

static void test_xml_reuse__rejects_same_reason(void)
{
	static const char *const bad[] = {
		"<?xml version=\"1.0\"?>\n<ClinicalDocument " V3 "><code code=\"1\">\n</ClinicalDocument>",
		"<ClinicalDocument " V3 ">&undefined;</ClinicalDocument>",
		"<?xml version=\"1.0\"?>\n<Other " V3 "/>",
		"<ClinicalDocument/>",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ClinicalDocument " V3 ">\xff\xfe</ClinicalDocument>",
		"<ClinicalDocument " V3 " a=\"1\" a=\"2\"/>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<ClinicalDocument " V3 ">"
		"<recordTarget><patientRole><patient><name>caf\xe9</name></patient></patientRole>"
		"</recordTarget></ClinicalDocument>",
	};
	static const char *const want[] = {
		"malformed XML at line 3", "malformed XML at line 1",
		"root element is not a CDA ClinicalDocument (urn:hl7-org:v3)",
		"root element is not a CDA ClinicalDocument (urn:hl7-org:v3)",
		"malformed XML at line 2", "malformed XML at line 1", NULL
	};
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mock_host m;
		case_doc(bad[i], &m);
		CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
		if (want[i]) {
			CU_ASSERT_TRUE(m.recs[0].rejected);
			CU_ASSERT(m.recs[0].reject_reason &&
				  !strncmp(m.recs[0].reject_reason, want[i], strlen(want[i])));
		} else {
			CU_ASSERT_FALSE(m.recs[0].rejected);
			CU_ASSERT(val_is(&m, "hdr.name_kana", "café"));
		}
		mock_host_reset(&m);
	}
}

/*
 * A fatal error before the DOCTYPE turns libxml2's callbacks off, so the
 * streaming parse never sees the DOCTYPE; libxml2 then keeps the entity
 * declarations in a document of its own (as it does in tree mode), which
 * it frees itself only when the parse runs to the end.  Here a control
 * byte stops it inside the subset: the document is rejected as malformed,
 * as before, and that store is freed (ASan: no leak; found by fuzz_cda).
 */
static void test_xml_reuse__entities_after_fatal_error(void)
{
	static const char doc[] =
		"<?xml versing=\"UTF-8\"?>\n"
		"<!DOCTYPE ClinicalDocument [\n"
		"  <!ENTITY a \"aaaaaaaaaa\">\n"
		"  <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
		"  <!ENTITY x \"stops the parse here: \x0f\">\n"
		"]>\n<ClinicalDocument " V3 ">&b;&x;</ClinicalDocument>\n";
	static const char doc2[] =
		"<?xml versing=\"UTF-8\"?>\n"
		"<!DOCTYPE ClinicalDocument [\n"
		"  <!ENTITY a \"aaaaaaaaaa\">\n"
		"]>\n<ClinicalDocument " V3 ">&a;</ClinicalDocument>\n";
	struct mock_host m;
	char *tmp = tu_mkdtemp("xmlreuse"), *ix = tu_fmt(INDEX, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	put(tmp, "ix08_V08.xml", ix, strlen(ix));
	put(tmp, "DATA/h1.xml", doc, sizeof(doc) - 1);
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_archive(tmp, &m), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
	CU_ASSERT_TRUE(m.recs[0].rejected);
	CU_ASSERT(m.recs[0].reject_reason &&
		  !strncmp(m.recs[0].reject_reason, "malformed XML at line ", 22));
	CU_ASSERT_PTR_NULL(strstr(m.log, "root:"));
	/* run to its end, the parse looks the entity up where libxml2 stored
	 * it, as the tree path did: the last error, hence the reason, is the
	 * XML declaration's, not an undefined entity */
	put(tmp, "DATA/h1.xml", doc2, sizeof(doc2) - 1);
	CU_ASSERT_EQUAL(read_archive(tmp, &m), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, 1);
	CU_ASSERT_TRUE(m.recs[0].rejected);
	CU_ASSERT(m.recs[0].reject_reason && !strcmp(m.recs[0].reject_reason,
		  "malformed XML at line 1: parsing XML declaration: '?>' expected"));
	mock_host_reset(&m);
	tu_rmtree(tmp);
	free(tmp);
	free(ix);
}

/* ------------------------------------------------------------------ */
/* One streaming state for many documents                               */
/* ------------------------------------------------------------------ */

/*
 * Documents in name order: a good one; one stopped inside an element that
 * binds prefix v to the v3 namespace; one that uses v without binding it
 * (its root is then not in the v3 namespace: rejected); one refused for
 * its entity declarations; a good one in a default namespace; one with an
 * empty DOCTYPE (tree path); and 200 good ones.  Every good one carries
 * its own values.
 */
static void test_xml_reuse__nothing_leaks_between_documents(void)
{
	struct mock_host m;
	char *tmp = tu_mkdtemp("xmlreuse"), *ix, *doc;
	size_t i, n = 206;
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	ix = tu_fmt(INDEX, (int)n);
	put(tmp, "ix08_V08.xml", ix, strlen(ix));
	free(ix);
#define GOOD(k) tu_fmt(HEAD "<recordTarget><patientRole><patient><name>P%zu</name>" \
		       "</patient></patientRole></recordTarget></ClinicalDocument>", (k))
	doc = GOOD((size_t)0);
	put(tmp, "DATA/h000.xml", doc, strlen(doc));
	free(doc);
	/* ends inside the element that binds v */
	doc = tu_fmt("<v:ClinicalDocument xmlns:v=\"urn:hl7-org:v3\"><v:recordTarget>");
	put(tmp, "DATA/h001.xml", doc, strlen(doc));
	free(doc);
	doc = tu_fmt("<v:ClinicalDocument><v:recordTarget><v:patientRole><v:patient>"
		     "<v:name>LEAK</v:name></v:patient></v:patientRole></v:recordTarget>"
		     "</v:ClinicalDocument>");
	put(tmp, "DATA/h002.xml", doc, strlen(doc));
	free(doc);
	doc = tu_fmt("<!DOCTYPE d [<!ENTITY e \"x\">]><ClinicalDocument " V3 ">&e;</ClinicalDocument>");
	put(tmp, "DATA/h003.xml", doc, strlen(doc));
	free(doc);
	doc = GOOD((size_t)4);
	put(tmp, "DATA/h004.xml", doc, strlen(doc));
	free(doc);
	doc = with_doctype("<ClinicalDocument " V3 "><recordTarget><patientRole><patient>"
			   "<name>P5</name></patient></patientRole></recordTarget></ClinicalDocument>");
	put(tmp, "DATA/h005.xml", doc, strlen(doc));
	free(doc);
	for (i = 6; i < n; i++) {
		char *name = tu_fmt("DATA/h%03zu.xml", i);
		doc = GOOD(i);
		put(tmp, name, doc, strlen(doc));
		free(doc);
		free(name);
	}
#undef GOOD
	mock_host_init(&m);
	CU_ASSERT_EQUAL(read_archive(tmp, &m), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(m.nrecs, n);
	CU_ASSERT_TRUE(m.recs[1].rejected);
	CU_ASSERT(m.recs[1].reject_reason &&
		  !strncmp(m.recs[1].reject_reason, "malformed XML at line 1", 23));
	CU_ASSERT_TRUE(m.recs[2].rejected);
	CU_ASSERT(m.recs[2].reject_reason && !strcmp(m.recs[2].reject_reason,
		  "root element is not a CDA ClinicalDocument (urn:hl7-org:v3)"));
	CU_ASSERT_TRUE(m.recs[3].rejected);
	CU_ASSERT(m.recs[3].reject_reason && !strcmp(m.recs[3].reject_reason,
		  "DOCTYPE declaring entities refused"));
	CU_ASSERT_PTR_NULL(strstr(m.log, "LEAK"));
	for (i = 0; i < n; i++) {
		char *want = tu_fmt("P%zu", i);
		size_t j;
		const char *got = NULL;
		if (i < 1 || i > 3) {
			CU_ASSERT_FALSE(m.recs[i].rejected);
			for (j = 0; j < m.recs[i].nfields; j++)
				if (!strcmp(m.recs[i].fields[j].name, "hdr.name_kana"))
					got = m.recs[i].fields[j].value;
			CU_ASSERT(got && !strcmp(got, want));
		}
		free(want);
	}
	mock_host_reset(&m);
	tu_rmtree(tmp);
	free(tmp);
}

static const struct tu_test tests[] = {
	TU_TEST(test_xml_reuse__fixture_same_both_ways),
	TU_TEST(test_xml_reuse__header_first_matches),
	TU_TEST(test_xml_reuse__observation_corners),
	TU_TEST(test_xml_reuse__serial_groups),
	TU_TEST(test_xml_reuse__rejects_same_reason),
	TU_TEST(test_xml_reuse__entities_after_fatal_error),
	TU_TEST(test_xml_reuse__nothing_leaks_between_documents),
	TU_END
};

int main(void)
{
	plug = mock_load_plugin("in_mhlw_xml");
	if (!plug)
		return 1;
	if (tu_add_suite("xml_reuse", NULL, NULL, tests))
		return 1;
	return tu_run_suites();
}
