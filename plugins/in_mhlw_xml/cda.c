/*
 * cda.c -- one hc08 ClinicalDocument -> one raw record (see cda.h).
 *
 * Paths follow jp-health-data.md §1.3-§1.4.  Elements are matched by
 * local name in the HL7 v3 namespace only; anything else is ignored.
 */
#include "cda.h"
#include "cda_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlstring.h>

/* A field whose strings are offsets into the pool (it may move). */
struct cda_pending {
	size_t name, value, unit, cs; /* pool offsets or NONE */
	size_t vlen;
	int null_reason;
	char flag;
};

/* ------------------------------------------------------------------ */
/* The string pool                                                     */
/* ------------------------------------------------------------------ */

/* Copy s[0..len) + NUL into the pool; *off gets its offset. */
static int pool_add(struct cda_record *r, const char *s, size_t len,
		    size_t *off)
{
	size_t need;
	if (colink_checked_add(&need, r->used, len) || colink_checked_add(&need, need, 1))
		return COLINK_ENOMEM;
	if (colink_grow(r->host->realloc, (void **)&r->pool, &r->pool_cap, need, 1))
		return COLINK_ENOMEM;
	memcpy(r->pool + r->used, s, len);
	r->pool[r->used + len] = '\0';
	*off = r->used;
	r->used = need;
	return COLINK_OK;
}

static int pool_add_checked(struct cda_record *r, const char *s, size_t *off,
			    char why[MHLW_WHY_MAX])
{
	size_t len;
	if (!s) {
		*off = NONE;
		return COLINK_OK;
	}
	len = strlen(s);
	if (!mhlw_utf8_valid(s, len)) {
		mhlw_why(why, "invalid UTF-8 in a value");
		return COLINK_REJECTED;
	}
	return pool_add(r, s, len, off);
}

static struct cda_pending *pending_push(struct cda_record *r)
{
	if (colink_grow(r->host->realloc, (void **)&r->pending, &r->cap, r->n + 1,
			sizeof(*r->pending)))
		return NULL;
	return &r->pending[r->n++];
}

int cda_add_field(struct cda_record *r, const struct fieldspec *f,
		  char why[MHLW_WHY_MAX])
{
	struct cda_pending p = { NONE, NONE, NONE, NONE, 0, f->null_reason, f->flag };
	struct cda_pending *slot;
	int rc;
	if (r->n >= UINT32_MAX - 1) {
		mhlw_why(why, "more fields than a record can index");
		return COLINK_REJECTED;
	}
	rc = pool_add_checked(r, f->name, &p.name, why);
	if (!rc && f->suffix) {
		size_t dummy;
		/* the suffix continues the name: drop the name's NUL */
		r->used--;
		rc = pool_add(r, f->suffix, strlen(f->suffix), &dummy);
	}
	if (!rc)
		rc = pool_add_checked(r, f->value, &p.value, why);
	if (!rc)
		rc = pool_add_checked(r, f->unit, &p.unit, why);
	if (!rc)
		rc = pool_add_checked(r, f->cs, &p.cs, why);
	if (rc)
		return rc;
	p.vlen = f->value ? strlen(f->value) : 0;
	slot = pending_push(r);
	if (!slot)
		return COLINK_ENOMEM;
	*slot = p;
	return COLINK_OK;
}

/* ------------------------------------------------------------------ */
/* Tree helpers                                                         */
/* ------------------------------------------------------------------ */

static int is_v3(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, V3_NS) &&
	       !strcmp((const char *)n->name, name);
}

static xmlNode *next_v3(xmlNode *n, const char *name)
{
	for (; n; n = n->next)
		if (is_v3(n, name))
			return n;
	return NULL;
}

static xmlNode *child(xmlNode *n, const char *name)
{
	return n ? next_v3(n->children, name) : NULL;
}

/* Walk a '/'-separated child path of first matches. */
static xmlNode *path(xmlNode *n, const char *p)
{
	char part[64];
	while (n && *p) {
		size_t l = strcspn(p, "/");
		if (l >= sizeof(part))
			return NULL;
		memcpy(part, p, l);
		part[l] = '\0';
		n = child(n, part);
		p += l + (p[l] == '/');
	}
	return n;
}

/*
 * Attribute strings and text are copied by libxml2 (xmlGetNoNsProp,
 * xmlNodeGetContent) and freed with xmlFree: the parser's own memory.
 * A small holder frees them in one place.
 */
struct strs {
	xmlChar *s[16];
	int n;
};

static const char *keep(struct strs *k, xmlChar *s)
{
	if (!s)
		return NULL;
	if (k->n == (int)(sizeof(k->s) / sizeof(k->s[0]))) {
		xmlFree(s); /* cannot happen with the fixed uses below */
		return NULL;
	}
	k->s[k->n++] = s;
	return (const char *)s;
}

static void drop(struct strs *k)
{
	while (k->n > 0)
		xmlFree(k->s[--k->n]);
}

static const char *attr(struct strs *k, xmlNode *n, const char *name)
{
	return n ? keep(k, xmlGetNoNsProp(n, (const xmlChar *)name)) : NULL;
}

static const char *text(struct strs *k, xmlNode *n)
{
	return n ? keep(k, xmlNodeGetContent(n)) : NULL;
}

static int attr_is(xmlNode *n, const char *name, const char *want)
{
	xmlChar *v = n ? xmlGetNoNsProp(n, (const xmlChar *)name) : NULL;
	int eq = v && !strcmp((const char *)v, want);
	xmlFree(v);
	return eq;
}

/* ------------------------------------------------------------------ */
/* Header                                                               */
/* ------------------------------------------------------------------ */

/* Add a header field unless the value is absent or empty. */
int cda_add_hdr(struct cda_record *r, const char *name, const char *value,
		char why[MHLW_WHY_MAX])
{
	struct fieldspec f = { name, NULL, value, NULL, NULL, 0, 0 };
	if (!value || !*value)
		return COLINK_OK;
	return cda_add_field(r, &f, why);
}

/* The @extension of the first <id> child with @root = oid. */
static int add_id(struct cda_record *r, xmlNode *parent, const char *oid,
		  const char *name, char why[MHLW_WHY_MAX])
{
	xmlNode *id;
	for (id = child(parent, "id"); id; id = next_v3(id->next, "id")) {
		if (attr_is(id, "root", oid)) {
			struct strs k = { { 0 }, 0 };
			int rc = cda_add_hdr(r, name, attr(&k, id, "extension"), why);
			drop(&k);
			return rc;
		}
	}
	return COLINK_OK;
}

static int add_attr_hdr(struct cda_record *r, xmlNode *n, const char *a,
			const char *name, char why[MHLW_WHY_MAX])
{
	struct strs k = { { 0 }, 0 };
	int rc = cda_add_hdr(r, name, attr(&k, n, a), why);
	drop(&k);
	return rc;
}

/* 実施機関: the performer's organisation, else the author's …6.102 id. */
static int add_exam_org(struct cda_record *r, xmlNode *root, xmlNode *se,
			char why[MHLW_WHY_MAX])
{
	xmlNode *org = path(se, "performer/assignedEntity/representedOrganization");
	xmlNode *id;
	for (id = child(org, "id"); id; id = next_v3(id->next, "id")) {
		struct strs k = { { 0 }, 0 };
		const char *ext = attr(&k, id, "extension");
		int rc = (ext && *ext) ? cda_add_hdr(r, "hdr.exam_org", ext, why) : 1;
		drop(&k);
		if (rc != 1)
			return rc;
	}
	org = path(root, "author/assignedAuthor/representedOrganization");
	return add_id(r, org, OID_ORG, "hdr.exam_org", why);
}

static int header(struct cda_record *r, xmlNode *root, const char *docname,
		  char why[MHLW_WHY_MAX])
{
	xmlNode *pr = path(root, "recordTarget/patientRole");
	xmlNode *pat = child(pr, "patient");
	xmlNode *se = path(root, "documentationOf/serviceEvent");
	struct strs k = { { 0 }, 0 };
	int rc = add_id(r, pr, OID_INSURER, "hdr.insurer_number", why);
	if (!rc)
		rc = add_id(r, pr, OID_SYMBOL, "hdr.card_symbol", why);
	if (!rc)
		rc = add_id(r, pr, OID_NUMBER, "hdr.card_number", why);
	if (!rc)
		rc = add_id(r, pr, OID_BRANCH, "hdr.card_branch", why);
	if (!rc)
		rc = cda_add_hdr(r, "hdr.name_kana", text(&k, child(pat, "name")), why);
	drop(&k);
	if (!rc)
		rc = add_attr_hdr(r, child(pat, "administrativeGenderCode"), "code",
				  "hdr.sex", why);
	if (!rc)
		rc = add_attr_hdr(r, child(pat, "birthTime"), "value",
				  "hdr.birth_date", why);
	if (!rc)
		rc = add_attr_hdr(r, child(se, "effectiveTime"), "value",
				  "hdr.exam_date", why);
	if (!rc)
		rc = add_attr_hdr(r, child(se, "code"), "code", "hdr.program_type", why);
	if (!rc)
		rc = add_attr_hdr(r, child(root, "code"), "code", "hdr.report_type", why);
	if (!rc)
		rc = add_exam_org(r, root, se, why);
	if (!rc)
		rc = cda_add_hdr(r, "hdr.document", docname, why);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Observations                                                         */
/* ------------------------------------------------------------------ */

/* The xsi:type of a value without its prefix ("PQ"), or "". */
static void value_type(xmlNode *v, char out[16])
{
	xmlChar *t = xmlGetNsProp(v, (const xmlChar *)"type",
				  (const xmlChar *)XSI_NS);
	const char *s = t ? (const char *)t : "";
	const char *colon = strchr(s, ':');
	snprintf(out, 16, "%s", colon ? colon + 1 : s);
	xmlFree(t);
}

int cda_is_coded(const char *type)
{
	return !strcmp(type, "CD") || !strcmp(type, "CO") ||
	       !strcmp(type, "CE") || !strcmp(type, "CV") || !strcmp(type, "CS");
}

/* 1 when <value> is the out-of-input-range flag; *flag gets 'H'/'L'. */
static int range_flag(xmlNode *v, char *flag)
{
	xmlChar *cs = xmlGetNoNsProp(v, (const xmlChar *)"codeSystem");
	xmlChar *code = xmlGetNoNsProp(v, (const xmlChar *)"code");
	int is = cs && code && !strcmp((const char *)cs, OID_RANGE_FLAG) &&
		 (!strcmp((const char *)code, "H") || !strcmp((const char *)code, "L"));
	if (is)
		*flag = (char)code[0];
	xmlFree(cs);
	xmlFree(code);
	return is;
}

/* Fill f->value/unit/cs/null_reason from the first non-flag <value>. */
static void primary_value(struct strs *k, xmlNode *v, struct fieldspec *f)
{
	char type[16];
	const char *nf = attr(k, v, "nullFlavor");
	value_type(v, type);
	if (nf) {
		f->null_reason = !strcmp(nf, "NI") ? COLINK_NULL_UNMEASURABLE :
			COLINK_NULL_MISSING;
		return;
	}
	if (cda_is_coded(type)) {
		f->value = attr(k, v, "code");
		f->cs = attr(k, v, "codeSystem");
	} else if (!strcmp(type, "ST") || !strcmp(type, "ED")) {
		f->value = text(k, v);
	} else {
		/* PQ, INT, REAL, TS, ... and untyped: the @value attribute */
		f->value = attr(k, v, "value");
		f->unit = attr(k, v, "unit");
		if (!f->value) {
			f->value = attr(k, v, "code");
			f->cs = attr(k, v, "codeSystem");
		}
	}
	if (!f->value || !*f->value) {
		f->value = NULL;
		f->null_reason = COLINK_NULL_MISSING;
	}
}

static int coded_observation(struct cda_record *r, xmlNode *obs,
			     const char *item, char why[MHLW_WHY_MAX])
{
	struct strs k = { { 0 }, 0 };
	struct fieldspec f = { item, NULL, NULL, NULL, NULL, 0, 0 };
	xmlNode *v, *author;
	int have = 0, rc;
	for (v = child(obs, "value"); v; v = next_v3(v->next, "value")) {
		if (range_flag(v, &f.flag) || have)
			continue;
		have = 1;
		primary_value(&k, v, &f);
	}
	if (attr_is(obs, "negationInd", "true")) {
		f.value = f.unit = f.cs = NULL;
		f.null_reason = COLINK_NULL_NOT_PERFORMED;
		f.flag = 0;
	} else if (f.flag && !f.value) {
		f.unit = f.cs = NULL;
		f.null_reason = f.flag == 'H' ? COLINK_NULL_ABOVE_RANGE :
			COLINK_NULL_BELOW_RANGE;
	} else if (!have) {
		f.null_reason = COLINK_NULL_MISSING;
	}
	rc = cda_add_field(r, &f, why);
	drop(&k);
	author = path(obs, "author/assignedAuthor/assignedPerson/name");
	if (!rc && author) {
		struct fieldspec a = { item, ".author", NULL, NULL, NULL, 0, 0 };
		a.value = text(&k, author);
		if (!a.value || !*a.value) {
			a.value = NULL;
			a.null_reason = COLINK_NULL_MISSING;
		}
		rc = cda_add_field(r, &a, why);
		drop(&k);
	}
	return rc;
}

static int observation(struct cda_record *r, xmlNode *obs, int depth,
		       char why[MHLW_WHY_MAX])
{
	struct strs k = { { 0 }, 0 };
	const char *item = attr(&k, child(obs, "code"), "code");
	xmlNode *er;
	int rc = COLINK_OK, inner = 0;
	if (item && *item) {
		rc = coded_observation(r, obs, item, why);
		drop(&k);
		return rc;
	}
	drop(&k);
	if (depth >= MAX_GROUP_DEPTH) {
		mhlw_why(why, "observation groups nested more than %d deep",
			MAX_GROUP_DEPTH);
		return COLINK_REJECTED;
	}
	/* 一連検査グループ: every COMP / RSON inner observation is a field */
	for (er = child(obs, "entryRelationship"); er && !rc;
	     er = next_v3(er->next, "entryRelationship")) {
		xmlNode *o;
		for (o = child(er, "observation"); o && !rc;
		     o = next_v3(o->next, "observation")) {
			inner++;
			rc = observation(r, o, depth + 1, why);
		}
	}
	if (!inner)
		r->skipped++;
	return rc;
}

static int body(struct cda_record *r, xmlNode *root, char why[MHLW_WHY_MAX])
{
	xmlNode *sb = path(root, "component/structuredBody");
	xmlNode *comp, *entry, *obs;
	int rc = COLINK_OK;
	/* every section: 01010, 01990 and any other are read alike */
	for (comp = child(sb, "component"); comp && !rc;
	     comp = next_v3(comp->next, "component")) {
		xmlNode *sec = child(comp, "section");
		for (entry = child(sec, "entry"); entry && !rc;
		     entry = next_v3(entry->next, "entry"))
			for (obs = child(entry, "observation"); obs && !rc;
			     obs = next_v3(obs->next, "observation"))
				rc = observation(r, obs, 0, why);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

static const char *at(const struct cda_record *r, size_t off)
{
	return off == NONE ? NULL : r->pool + off;
}

/* Turn pending offsets into pointers now that the pool has stopped moving. */
int cda_finish(struct cda_record *r)
{
	size_t i;
	if (colink_grow(r->host->realloc, (void **)&r->fields, &r->fields_cap, r->n,
			sizeof(*r->fields)))
		return COLINK_ENOMEM;
	for (i = 0; i < r->n; i++) {
		const struct cda_pending *p = &r->pending[i];
		struct colink_raw_field *f = &r->fields[i];
		f->name = at(r, p->name);
		f->index = (uint32_t)(i + 1);
		f->value = at(r, p->value);
		f->len = p->vlen;
		f->unit = at(r, p->unit);
		f->code_system = at(r, p->cs);
		f->null_reason = p->null_reason;
		f->flag = p->flag;
	}
	return COLINK_OK;
}

int cda_extract(struct cda_record *r, xmlDocPtr doc, const char *docname,
		char why[MHLW_WHY_MAX])
{
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	int rc;
	r->used = 0;
	r->n = 0;
	r->skipped = 0;
	if (!is_v3(root, "ClinicalDocument")) {
		mhlw_why(why, "root element is not a CDA ClinicalDocument (urn:hl7-org:v3)");
		return COLINK_REJECTED;
	}
	rc = header(r, root, docname, why);
	if (!rc)
		rc = body(r, root, why);
	if (!rc)
		rc = cda_finish(r);
	return rc;
}

void cda_record_free(struct cda_record *r)
{
	if (!r || !r->host)
		return;
	r->host->free(r->pool);
	r->host->free(r->pending);
	r->host->free(r->fields);
	r->pool = NULL;
	r->pending = NULL;
	r->fields = NULL;
	r->used = r->pool_cap = r->n = r->cap = r->fields_cap = 0;
}
