/* xmlutil.c -- see xmlutil.h */
#include "base/xmlutil.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

/* Configuration files are small; anything bigger is a mistake. */
#define CONFIG_MAX_BYTES (8u << 20)

struct first_error {
	char msg[400];
	int line;
	int set;
};

static void capture(void *ud, xmlErrorPtr e)
{
	struct first_error *fe = ud;
	size_t l;
	if (fe->set || !e || e->level < XML_ERR_ERROR)
		return;
	fe->set = 1;
	fe->line = e->line;
	snprintf(fe->msg, sizeof(fe->msg), "%s", e->message ? e->message : "error");
	l = strlen(fe->msg);
	while (l && (fe->msg[l - 1] == '\n' || fe->msg[l - 1] == ' '))
		fe->msg[--l] = '\0';
}

/*
 * The line of the <!DOCTYPE in buf[0..len), skipping comments and
 * processing instructions (which may mention one); 1 if none is found.
 * libxml2 records no line for the DTD node, so xmlGetLineNo cannot say.
 */
static int doctype_line(const char *buf, size_t len)
{
	static const char dt[] = "<!DOCTYPE";
	const char *p = buf, *end = buf + len, *q;
	int line = 1;

	while (p < end) {
		const char *close = NULL;
		if ((size_t)(end - p) >= 4 && !memcmp(p, "<!--", 4))
			close = "-->";
		else if ((size_t)(end - p) >= 2 && !memcmp(p, "<?", 2))
			close = "?>";
		else if ((size_t)(end - p) >= sizeof(dt) - 1 &&
			 !memcmp(p, dt, sizeof(dt) - 1))
			return line;
		if (!close) {
			line += *p++ == '\n';
			continue;
		}
		q = memmem(p + 2, (size_t)(end - p - 2), close, strlen(close));
		q = q ? q + strlen(close) : end;
		for (; p < q; p++)
			line += *p == '\n';
	}
	return 1;
}

int colink_xml_read(const char *path, xmlDocPtr *out, struct colink_error *err)
{
	struct first_error fe = {0};
	char *buf = NULL;
	size_t len = 0;
	xmlDocPtr doc;
	int rc;

	*out = NULL;
	rc = colink_read_small_file(path, CONFIG_MAX_BYTES, &buf, &len, err);
	if (rc)
		return rc;
	if (len > (size_t)INT32_MAX) {
		colink_free(buf);
		return COLINK_ERR(err, COLINK_EINVAL, "%s: too large", path);
	}
	xmlSetStructuredErrorFunc(&fe, capture);
	doc = xmlReadMemory(buf, (int)len, path, NULL, XML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!doc || fe.set) {
		colink_free(buf);
		if (doc)
			xmlFreeDoc(doc);
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: not well-formed XML: %s",
				  path, fe.line, fe.set ? fe.msg : "unreadable");
	}
	if (doc->intSubset || doc->extSubset) {
		int line = doctype_line(buf, len);
		colink_free(buf);
		xmlFreeDoc(doc);
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: DOCTYPE declarations are not allowed", path, line);
	}
	colink_free(buf);
	*out = doc;
	return COLINK_OK;
}

int colink_xml_validate(xmlDocPtr doc, const char *path, const char *rng_path,
			struct colink_error *err)
{
	struct first_error fe = {0};
	xmlRelaxNGParserCtxtPtr pc = NULL;
	xmlRelaxNGPtr schema = NULL;
	xmlRelaxNGValidCtxtPtr vc = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc, v;

	rc = colink_read_small_file(rng_path, CONFIG_MAX_BYTES, &buf, &len, err);
	if (rc)
		return rc;
	xmlSetStructuredErrorFunc(&fe, capture);
	pc = xmlRelaxNGNewMemParserCtxt(buf, (int)len);
	schema = pc ? xmlRelaxNGParse(pc) : NULL;
	if (!schema) {
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: schema does not load: %s",
				rng_path, fe.set ? fe.msg : "unknown error");
		goto out;
	}
	fe.set = 0;
	vc = xmlRelaxNGNewValidCtxt(schema);
	if (!vc) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory validating %s", path);
		goto out;
	}
	xmlRelaxNGSetValidStructuredErrors(vc, capture, &fe);
	v = xmlRelaxNGValidateDoc(vc, doc);
	if (v != 0)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: %s", path, fe.line,
				fe.set ? fe.msg : "does not match its schema");
out:
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (vc)
		xmlRelaxNGFreeValidCtxt(vc);
	if (schema)
		xmlRelaxNGFree(schema);
	if (pc)
		xmlRelaxNGFreeParserCtxt(pc);
	colink_free(buf);
	return rc;
}

int colink_xml_load(const char *path, const char *data_dir, const char *schema,
		    xmlDocPtr *out, struct colink_error *err)
{
	char rel[128];
	char *rng;
	int rc;
	snprintf(rel, sizeof(rel), "schema/%s.rng", schema);
	rng = colink_path_join(data_dir, rel);
	if (!rng)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	rc = colink_xml_read(path, out, err);
	if (rc == COLINK_OK) {
		rc = colink_xml_validate(*out, path, rng, err);
		if (rc) {
			xmlFreeDoc(*out);
			*out = NULL;
		}
	}
	colink_free(rng);
	return rc;
}

static int oom_seen;

void colink_xml_oom_reset(void)
{
	oom_seen = 0;
}

int colink_xml_oom_seen(void)
{
	return oom_seen;
}

char *colink_xml_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *r;
	if (!v) {
		if (xmlHasProp(n, (const xmlChar *)name))
			oom_seen = 1;
		return NULL;
	}
	r = colink_strdup((const char *)v);
	if (!r)
		oom_seen = 1;
	xmlFree(v);
	return r;
}

char *colink_xml_text(xmlNodePtr n)
{
	xmlChar *v = xmlNodeGetContent(n);
	const char *s, *e;
	char *r;
	if (!v) {
		r = colink_strdup("");
		if (!r)
			oom_seen = 1;
		return r;
	}
	s = (const char *)v;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	r = colink_strndup(s, (size_t)(e - s));
	if (!r)
		oom_seen = 1;
	xmlFree(v);
	return r;
}

int colink_xml_is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

int colink_xml_line(xmlNodePtr n)
{
	long l = n ? xmlGetLineNo(n) : 0;
	return l > 0 ? (int)l : 0;
}
