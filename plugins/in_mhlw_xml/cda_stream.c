/*
 * cda_stream.c -- one hc08 ClinicalDocument -> one raw record from SAX2
 * events, without a tree (see cda.h, "Streaming").
 */
#include "cda.h"
#include "cda_int.h"

#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>

/* ------------------------------------------------------------------ */
/* Streaming extraction (SAX2 events, no tree)                          */
/* ------------------------------------------------------------------ */

/*
 * The same record as cda_extract, from the parser's SAX2 events: no tree
 * is built or freed, no attribute is copied but the few the record uses.
 * Each element gets a role from its parent's role and its own v3 local
 * name (and, where the tree walk takes the first match, whether it is the
 * first such child), so the elements read are exactly those cda.c's
 * tree walk reaches (the `steps` table below holds its paths).  Values are collected into a scratch arena while
 * the document streams; the fields are added in the tree walk's order at
 * the end (header, then observations in document order), so that the
 * record, and the first error found in it, are the tree walk's.
 *
 * An observation's kind is known only at its end (its code child may
 * come after its values or inner observations): the fields of inner
 * observations are added tentatively and dropped again when the outer
 * observation turns out to have an item code, or to be nested too deep.
 */

enum role {
	R_NONE, R_ROOT, R_RT, R_PR, R_PAT, R_DOCOF, R_SE, R_PERF, R_AE, R_PORG,
	R_AUTHOR, R_AA, R_AORG, R_COMP0, R_SB, R_COMP, R_SEC, R_ENTRY, R_OBS,
	R_ER, R_OAUTH, R_OAA, R_OAP, R_TEXT
};

/* "first child named X" flags, per element */
enum {
	F_RECORDTARGET = 1u << 0, F_DOCOF = 1u << 1, F_CODE = 1u << 2,
	F_AUTHOR = 1u << 3, F_COMPONENT = 1u << 4, F_PATIENTROLE = 1u << 5,
	F_PATIENT = 1u << 6, F_NAME = 1u << 7, F_GENDER = 1u << 8,
	F_BIRTH = 1u << 9, F_SERVICEEVENT = 1u << 10, F_EFFTIME = 1u << 11,
	F_PERFORMER = 1u << 12, F_ASSIGNEDENTITY = 1u << 13, F_REPORG = 1u << 14,
	F_ASSIGNEDAUTHOR = 1u << 15, F_SBODY = 1u << 16, F_SECTION = 1u << 17,
	F_ASSIGNEDPERSON = 1u << 18
};

enum { H_INSURER, H_SYMBOL, H_NUMBER, H_BRANCH, H_NAME, H_SEX, H_BIRTH,
       H_EXAM_DATE, H_PROGRAM, H_REPORT, H_PORG, H_AORG, H_COUNT };

enum { CAP_NAME, CAP_VALUE, CAP_AUTHOR };

enum { P_NONE, P_NULLFLAVOR, P_VALUE };

struct el {
	unsigned char role;
	uint32_t seen;
};

struct obs {
	size_t item, value, unit, cs, author; /* scratch offsets or NONE */
	size_t body_mark, skipped_mark, inner;
	int depth, primary, null_reason, neg, author_seen;
	char flag;
};

/* A field to add at the end (strings: scratch offsets), or an error. */
struct body_item {
	size_t name, value, unit, cs;
	int null_reason, author, error;
	char flag;
};

struct cda_sax {
	const struct colink_host *host;
	char *sc;                 /* scratch arena: NUL-terminated strings */
	size_t sc_used, sc_cap;
	struct el *els;
	size_t nels, els_cap;
	struct obs *obs;
	size_t nobs, obs_cap;
	struct body_item *body;
	size_t nbody, body_cap;
	size_t hdr[H_COUNT];      /* scratch offsets or NONE */
	size_t skipped;
	const xmlChar *v3;        /* the dictionary's copy of V3_NS, once seen */
	int root_seen, root_ok;
	unsigned char step_at[R_TEXT + 2]; /* steps[] rows of each parent role */
	int id_done[4], porg_done, aorg_done; /* first-match lookups settled */
	int cap_on, cap_target;   /* a text capture is running (one at a time) */
	size_t cap_depth, cap_start, cap_obs;
};

/* plugin.h's colink_grow, in host memory. */
static int grow(const struct colink_host *h, void **p, size_t *cap,
		size_t need, size_t size)
{
	return colink_grow(h->realloc, p, cap, need, size);
}

/* Append s[0..len) to the scratch arena (no NUL). */
static int sc_put(struct cda_sax *s, const char *p, size_t len)
{
	size_t need;
	if (colink_checked_add(&need, s->sc_used, len) || colink_checked_add(&need, need, 1) ||
	    grow(s->host, (void **)&s->sc, &s->sc_cap, need, 1))
		return -1;
	memcpy(s->sc + s->sc_used, p, len);
	s->sc_used += len;
	return 0;
}

static int sc_end(struct cda_sax *s)
{
	return sc_put(s, "", 1);
}

static void sax_nomem(struct cda_stream *st, xmlParserCtxtPtr c)
{
	st->nomem = 1;
	xmlStopParser(c);
}

static int v3_uri(struct cda_sax *s, const xmlChar *uri)
{
	if (!uri)
		return 0;
	if (uri == s->v3)
		return 1;
	if (strcmp((const char *)uri, V3_NS))
		return 0;
	s->v3 = uri;
	return 1;
}

/* Index of the no-namespace attribute `name` (as xmlGetNoNsProp finds
 * it), or -1.  atts: localname, prefix, URI, value, end per attribute. */
static int att_find(int n, const xmlChar **atts, const char *name)
{
	int i;
	for (i = 0; i < n; i++)
		if (!atts[5 * i + 1] && !atts[5 * i + 2] &&
		    !strcmp((const char *)atts[5 * i], name))
			return i;
	return -1;
}

static int att_find_ns(int n, const xmlChar **atts, const char *name,
		       const char *uri)
{
	int i;
	for (i = 0; i < n; i++)
		if (atts[5 * i + 2] && !strcmp((const char *)atts[5 * i + 2], uri) &&
		    !strcmp((const char *)atts[5 * i], name))
			return i;
	return -1;
}

/* Does attribute i equal `want` (as the tree would hold it)? */
static int att_is(const xmlChar **atts, int i, const char *want)
{
	const char *v = (const char *)atts[5 * i + 3];
	size_t len = (size_t)(atts[5 * i + 4] - atts[5 * i + 3]);
	if (memchr(v, '&', len))
		return 0; /* holds "&#38;": never one of the ASCII codes compared */
	return strlen(want) == len && !memcmp(v, want, len);
}

/*
 * Copy attribute i into the scratch arena as the tree would hold it.  With
 * entity substitution off, libxml2 hands SAX a value whose '&' (from
 * "&amp;" or "&#38;") is kept as "&#38;", which the tree builder decodes
 * again: do the same.  *off = NONE when i < 0.
 */
static int att_copy(struct cda_sax *s, const xmlChar **atts, int i, size_t *off)
{
	const char *v, *end, *amp;
	*off = NONE;
	if (i < 0)
		return 0;
	v = (const char *)atts[5 * i + 3];
	end = (const char *)atts[5 * i + 4];
	*off = s->sc_used;
	while ((amp = memchr(v, '&', (size_t)(end - v))) != NULL) {
		if (sc_put(s, v, (size_t)(amp - v)))
			return -1;
		if (end - amp >= 5 && !memcmp(amp, "&#38;", 5)) {
			if (sc_put(s, "&", 1))
				return -1;
			v = amp + 5;
		} else {
			if (sc_put(s, "&", 1))
				return -1;
			v = amp + 1;
		}
	}
	if (sc_put(s, v, (size_t)(end - v)) || sc_end(s))
		return -1;
	return 0;
}

static const char *sc_at(const struct cda_sax *s, size_t off)
{
	return off == NONE ? NULL : s->sc + off;
}

static int first(struct el *parent, uint32_t bit)
{
	int f = !(parent->seen & bit);
	parent->seen |= bit;
	return f;
}

static void capture(struct cda_sax *s, int target)
{
	s->cap_on = 1;
	s->cap_target = target;
	s->cap_depth = s->nels; /* the capturing element's index, once pushed */
	s->cap_start = s->sc_used;
	s->cap_obs = s->nobs ? s->nobs - 1 : 0;
}

/* The @extension of an <id> whose @root is oid, into header slot h
 * (first match only, as add_id). */
static int id_slot(struct cda_sax *s, int n, const xmlChar **atts,
		   const char *oid, int h, int *decided)
{
	int i = att_find(n, atts, "root");
	if (*decided || i < 0 || !att_is(atts, i, oid))
		return 0;
	*decided = 1;
	return att_copy(s, atts, att_find(n, atts, "extension"), &s->hdr[h]);
}

static const char *const id_oids[4] = { OID_INSURER, OID_SYMBOL, OID_NUMBER, OID_BRANCH };

static int obs_push(struct cda_sax *s, int depth, int n, const xmlChar **atts)
{
	struct obs *o;
	int neg;
	if (grow(s->host, (void **)&s->obs, &s->obs_cap, s->nobs + 1, sizeof(*o)))
		return -1;
	neg = att_find(n, atts, "negationInd");
	o = &s->obs[s->nobs++];
	memset(o, 0, sizeof(*o));
	o->item = o->value = o->unit = o->cs = o->author = NONE;
	o->body_mark = s->nbody;
	o->skipped_mark = s->skipped;
	o->depth = depth;
	o->neg = neg >= 0 && att_is(atts, neg, "true");
	return 0;
}

/* A <value> of the current observation (coded_observation/primary_value). */
static int obs_value(struct cda_sax *s, struct obs *o, int n,
		     const xmlChar **atts, unsigned char *role)
{
	int cs = att_find(n, atts, "codeSystem"), code = att_find(n, atts, "code");
	int nf, t;
	const char *type = "";
	char tbuf[16];
	if (cs >= 0 && code >= 0 && att_is(atts, cs, OID_RANGE_FLAG) &&
	    (att_is(atts, code, "H") || att_is(atts, code, "L"))) {
		o->flag = (char)atts[5 * code + 3][0];
		return 0;
	}
	if (o->primary != P_NONE)
		return 0;
	nf = att_find(n, atts, "nullFlavor");
	if (nf >= 0) {
		o->primary = P_NULLFLAVOR;
		o->null_reason = att_is(atts, nf, "NI") ? COLINK_NULL_UNMEASURABLE :
			COLINK_NULL_MISSING;
		return 0;
	}
	o->primary = P_VALUE;
	t = att_find_ns(n, atts, "type", XSI_NS);
	if (t >= 0) {
		size_t len = (size_t)(atts[5 * t + 4] - atts[5 * t + 3]);
		const char *v = (const char *)atts[5 * t + 3];
		/* as value_type(): after the first ':', at most 15 bytes */
		const char *c = memchr(v, ':', len);
		if (c) {
			len -= (size_t)(c + 1 - v);
			v = c + 1;
		}
		if (len > sizeof(tbuf) - 1)
			len = sizeof(tbuf) - 1;
		memcpy(tbuf, v, len);
		tbuf[len] = '\0';
		type = tbuf;
	}
	if (cda_is_coded(type))
		return att_copy(s, atts, code, &o->value) ||
		       att_copy(s, atts, cs, &o->cs);
	if (!strcmp(type, "ST") || !strcmp(type, "ED")) {
		*role = R_TEXT;
		capture(s, CAP_VALUE);
		return 0;
	}
	if (att_copy(s, atts, att_find(n, atts, "value"), &o->value) ||
	    att_copy(s, atts, att_find(n, atts, "unit"), &o->unit))
		return -1;
	if (o->value == NONE)
		return att_copy(s, atts, code, &o->value) ||
		       att_copy(s, atts, cs, &o->cs);
	return 0;
}

static int body_push(struct cda_sax *s, const struct body_item *b)
{
	if (grow(s->host, (void **)&s->body, &s->body_cap, s->nbody + 1, sizeof(*b)))
		return -1;
	s->body[s->nbody++] = *b;
	return 0;
}

/* The end of an observation: its fields, as observation() would add them. */
static int obs_end(struct cda_sax *s)
{
	struct obs *o = &s->obs[--s->nobs];
	struct body_item b = { NONE, NONE, NONE, NONE, 0, 0, 0, 0 };
	if (o->item != NONE && s->sc[o->item]) {
		s->nbody = o->body_mark;
		s->skipped = o->skipped_mark;
		b.name = o->item;
		b.null_reason = o->null_reason;
		b.flag = o->flag;
		if (o->primary == P_VALUE) {
			b.value = o->value;
			b.unit = o->unit;
			b.cs = o->cs;
			if (b.value == NONE || !s->sc[b.value]) {
				b.value = NONE;
				b.null_reason = COLINK_NULL_MISSING;
			}
		}
		if (o->neg) {
			b.value = b.unit = b.cs = NONE;
			b.null_reason = COLINK_NULL_NOT_PERFORMED;
			b.flag = 0;
		} else if (b.flag && b.value == NONE) {
			b.unit = b.cs = NONE;
			b.null_reason = b.flag == 'H' ? COLINK_NULL_ABOVE_RANGE :
				COLINK_NULL_BELOW_RANGE;
		} else if (o->primary == P_NONE) {
			b.null_reason = COLINK_NULL_MISSING;
		}
		if (body_push(s, &b))
			return -1;
		if (o->author_seen) {
			struct body_item a = { o->item, NONE, NONE, NONE, 0, 1, 0, 0 };
			if (o->author != NONE && s->sc[o->author])
				a.value = o->author;
			else
				a.null_reason = COLINK_NULL_MISSING;
			if (body_push(s, &a))
				return -1;
		}
		return 0;
	}
	if (o->depth >= MAX_GROUP_DEPTH) {
		s->nbody = o->body_mark;
		s->skipped = o->skipped_mark;
		b.error = 1;
		return body_push(s, &b);
	}
	if (!o->inner)
		s->skipped++;
	return 0;
}

/* What a v3 child element does, by its parent's role and its name. */
enum act {
	A_ROLE,      /* becomes `role` */
	A_HDR_ATTR,  /* its attribute `attr` is header slot `slot` */
	A_PR_ID,     /* patientRole/id: the four card OIDs (add_id) */
	A_PORG_ID,   /* performer organisation id: first non-empty extension */
	A_AORG_ID,   /* author organisation id: OID_ORG (add_id) */
	A_CAPTURE,   /* its text is captured for `slot` (CAP_*) */
	A_OBS,       /* an observation of an entry, depth 0 */
	A_INNER_OBS, /* an observation of an entryRelationship */
	A_OBS_CODE,  /* the observation's item code */
	A_VALUE      /* one of the observation's values */
};

struct step {
	unsigned char parent; /* role */
	const char *name;
	uint32_t first;       /* F_* when only the first such child counts */
	unsigned char act, role;
	int slot;
	const char *attr;
};

/* The paths of cda.c's tree walk, one row per step, in the order of the
 * parent roles (step_index relies on it). */
static const struct step steps[] = {
	{ R_ROOT, "recordTarget", F_RECORDTARGET, A_ROLE, R_RT, 0, NULL },
	{ R_ROOT, "documentationOf", F_DOCOF, A_ROLE, R_DOCOF, 0, NULL },
	{ R_ROOT, "code", F_CODE, A_HDR_ATTR, R_NONE, H_REPORT, "code" },
	{ R_ROOT, "author", F_AUTHOR, A_ROLE, R_AUTHOR, 0, NULL },
	{ R_ROOT, "component", F_COMPONENT, A_ROLE, R_COMP0, 0, NULL },
	{ R_RT, "patientRole", F_PATIENTROLE, A_ROLE, R_PR, 0, NULL },
	{ R_PR, "id", 0, A_PR_ID, R_NONE, 0, NULL },
	{ R_PR, "patient", F_PATIENT, A_ROLE, R_PAT, 0, NULL },
	{ R_PAT, "name", F_NAME, A_CAPTURE, R_TEXT, CAP_NAME, NULL },
	{ R_PAT, "administrativeGenderCode", F_GENDER, A_HDR_ATTR, R_NONE, H_SEX, "code" },
	{ R_PAT, "birthTime", F_BIRTH, A_HDR_ATTR, R_NONE, H_BIRTH, "value" },
	{ R_DOCOF, "serviceEvent", F_SERVICEEVENT, A_ROLE, R_SE, 0, NULL },
	{ R_SE, "effectiveTime", F_EFFTIME, A_HDR_ATTR, R_NONE, H_EXAM_DATE, "value" },
	{ R_SE, "code", F_CODE, A_HDR_ATTR, R_NONE, H_PROGRAM, "code" },
	{ R_SE, "performer", F_PERFORMER, A_ROLE, R_PERF, 0, NULL },
	{ R_PERF, "assignedEntity", F_ASSIGNEDENTITY, A_ROLE, R_AE, 0, NULL },
	{ R_AE, "representedOrganization", F_REPORG, A_ROLE, R_PORG, 0, NULL },
	{ R_PORG, "id", 0, A_PORG_ID, R_NONE, 0, NULL },
	{ R_AUTHOR, "assignedAuthor", F_ASSIGNEDAUTHOR, A_ROLE, R_AA, 0, NULL },
	{ R_AA, "representedOrganization", F_REPORG, A_ROLE, R_AORG, 0, NULL },
	{ R_AORG, "id", 0, A_AORG_ID, R_NONE, 0, NULL },
	{ R_COMP0, "structuredBody", F_SBODY, A_ROLE, R_SB, 0, NULL },
	{ R_SB, "component", 0, A_ROLE, R_COMP, 0, NULL },
	{ R_COMP, "section", F_SECTION, A_ROLE, R_SEC, 0, NULL },
	{ R_SEC, "entry", 0, A_ROLE, R_ENTRY, 0, NULL },
	{ R_ENTRY, "observation", 0, A_OBS, R_OBS, 0, NULL },
	{ R_OBS, "code", F_CODE, A_OBS_CODE, R_NONE, 0, NULL },
	{ R_OBS, "value", 0, A_VALUE, R_NONE, 0, NULL },
	{ R_OBS, "author", F_AUTHOR, A_ROLE, R_OAUTH, 0, NULL },
	{ R_OBS, "entryRelationship", 0, A_ROLE, R_ER, 0, NULL },
	{ R_ER, "observation", 0, A_INNER_OBS, R_OBS, 0, NULL },
	{ R_OAUTH, "assignedAuthor", F_ASSIGNEDAUTHOR, A_ROLE, R_OAA, 0, NULL },
	{ R_OAA, "assignedPerson", F_ASSIGNEDPERSON, A_ROLE, R_OAP, 0, NULL },
	{ R_OAP, "name", F_NAME, A_CAPTURE, R_TEXT, CAP_AUTHOR, NULL },
};

/* The role of a v3 element named `name` under a parent p (R_NONE when
 * the tree walk does not read it), doing what the step says. */
static int child_role(struct cda_sax *s, struct el *p, const char *name,
		      int n, const xmlChar **atts, unsigned char *role)
{
	struct obs *o = s->nobs ? &s->obs[s->nobs - 1] : NULL;
	const struct step *t = NULL;
	size_t k;
	int i;
	*role = R_NONE;
	for (k = s->step_at[p->role]; k < s->step_at[p->role + 1] && !t; k++)
		if (!strcmp(steps[k].name, name))
			t = &steps[k];
	if (!t || (t->first && !first(p, t->first)))
		return 0;
	*role = t->role;
	switch (t->act) {
	case A_HDR_ATTR:
		return att_copy(s, atts, att_find(n, atts, t->attr), &s->hdr[t->slot]);
	case A_PR_ID:
		for (i = 0; i < 4; i++)
			if (id_slot(s, n, atts, id_oids[i], H_INSURER + i, &s->id_done[i]))
				return -1;
		return 0;
	case A_PORG_ID:
		i = att_find(n, atts, "extension");
		if (s->porg_done || i < 0 || atts[5 * i + 4] == atts[5 * i + 3])
			return 0;
		s->porg_done = 1;
		return att_copy(s, atts, i, &s->hdr[H_PORG]);
	case A_AORG_ID:
		return id_slot(s, n, atts, OID_ORG, H_AORG, &s->aorg_done);
	case A_CAPTURE:
		if (t->slot == CAP_AUTHOR)
			o->author_seen = 1;
		capture(s, t->slot);
		return 0;
	case A_OBS:
		return obs_push(s, 0, n, atts);
	case A_INNER_OBS:
		o->inner++;
		return obs_push(s, o->depth + 1, n, atts);
	case A_OBS_CODE:
		return att_copy(s, atts, att_find(n, atts, "code"), &o->item);
	case A_VALUE:
		return obs_value(s, o, n, atts, role);
	default:
		return 0;
	}
}

static void sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		      const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
		      int nb_attributes, int nb_defaulted, const xmlChar **atts)
{
	xmlParserCtxtPtr c = ctx;
	struct cda_stream *st = c->_private;
	struct cda_sax *s = st->s;
	struct el e = { R_NONE, 0 };
	(void)prefix, (void)nb_namespaces, (void)namespaces, (void)nb_defaulted;
	if (s->nels == 0) {
		if (!s->root_seen) {
			s->root_seen = 1;
			s->root_ok = v3_uri(s, uri) &&
				!strcmp((const char *)localname, "ClinicalDocument");
			if (s->root_ok)
				e.role = R_ROOT;
		}
	} else {
		struct el *p = &s->els[s->nels - 1];
		if (p->role != R_NONE && p->role != R_TEXT && v3_uri(s, uri) &&
		    child_role(s, p, (const char *)localname, nb_attributes,
			       atts, &e.role)) {
			sax_nomem(st, c);
			return;
		}
	}
	if (grow(s->host, (void **)&s->els, &s->els_cap, s->nels + 1, sizeof(e))) {
		sax_nomem(st, c);
		return;
	}
	s->els[s->nels++] = e;
}

static void sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		    const xmlChar *uri)
{
	xmlParserCtxtPtr c = ctx;
	struct cda_stream *st = c->_private;
	struct cda_sax *s = st->s;
	unsigned char role;
	(void)localname, (void)prefix, (void)uri;
	if (!s->nels)
		return;
	role = s->els[--s->nels].role;
	if (role == R_TEXT && s->cap_on && s->cap_depth == s->nels) {
		size_t start = s->cap_start;
		s->cap_on = 0;
		if (sc_end(s)) {
			sax_nomem(st, c);
			return;
		}
		if (s->cap_target == CAP_NAME)
			s->hdr[H_NAME] = start;
		else if (s->cap_target == CAP_VALUE)
			s->obs[s->cap_obs].value = start;
		else
			s->obs[s->cap_obs].author = start;
	} else if (role == R_OBS && obs_end(s)) {
		sax_nomem(st, c);
	}
}

static void sax_text(void *ctx, const xmlChar *ch, int len)
{
	xmlParserCtxtPtr c = ctx;
	struct cda_stream *st = c->_private;
	struct cda_sax *s = st->s;
	if (s->cap_on && len > 0 && sc_put(s, (const char *)ch, (size_t)len))
		sax_nomem(st, c);
}

/* steps[] is ordered by parent role: the rows of role r are
 * step_at[r] .. step_at[r + 1] - 1. */
static void step_index(struct cda_sax *s)
{
	size_t k = 0, n = sizeof(steps) / sizeof(steps[0]);
	int r;
	for (r = 0; r <= R_TEXT + 1; r++) {
		while (k < n && steps[k].parent < r)
			k++;
		s->step_at[r] = (unsigned char)k;
	}
}

void cda_sax_handlers(xmlSAXHandler *h)
{
	h->startElementNs = sax_start;
	h->endElementNs = sax_end;
	h->characters = sax_text;
	h->ignorableWhitespace = sax_text;
	h->cdataBlock = sax_text;
	h->initialized = XML_SAX2_MAGIC;
}

int cda_stream_begin(struct cda_stream *st, const struct colink_host *host)
{
	struct cda_sax *s = st->s;
	int i;
	if (!s) {
		s = host->calloc(1, sizeof(*s));
		if (!s)
			return COLINK_ENOMEM;
		s->host = host;
		st->s = s;
		step_index(s);
	}
	s->sc_used = s->nels = s->nobs = s->nbody = s->skipped = 0;
	for (i = 0; i < H_COUNT; i++)
		s->hdr[i] = NONE;
	s->v3 = NULL;
	s->root_seen = s->root_ok = s->cap_on = 0;
	memset(s->id_done, 0, sizeof(s->id_done));
	s->porg_done = s->aorg_done = 0;
	st->nomem = st->dtd = 0;
	return COLINK_OK;
}

int cda_stream_record(struct cda_stream *st, struct cda_record *r,
		      const char *docname, char why[MHLW_WHY_MAX])
{
	static const char *const names[] = {
		"hdr.insurer_number", "hdr.card_symbol", "hdr.card_number",
		"hdr.card_branch", "hdr.name_kana", "hdr.sex", "hdr.birth_date",
		"hdr.exam_date", "hdr.program_type", "hdr.report_type"
	};
	struct cda_sax *s = st->s;
	size_t i;
	int rc = COLINK_OK;
	r->used = 0;
	r->n = 0;
	r->skipped = 0;
	if (!s->root_ok) {
		mhlw_why(why, "root element is not a CDA ClinicalDocument (urn:hl7-org:v3)");
		return COLINK_REJECTED;
	}
	for (i = 0; i < H_PORG && !rc; i++)
		rc = cda_add_hdr(r, names[i], sc_at(s, s->hdr[i]), why);
	if (!rc)
		rc = cda_add_hdr(r, "hdr.exam_org", s->porg_done ? sc_at(s, s->hdr[H_PORG]) :
			     sc_at(s, s->hdr[H_AORG]), why);
	if (!rc)
		rc = cda_add_hdr(r, "hdr.document", docname, why);
	for (i = 0; i < s->nbody && !rc; i++) {
		const struct body_item *b = &s->body[i];
		struct fieldspec f = { sc_at(s, b->name), b->author ? ".author" : NULL,
				       sc_at(s, b->value), sc_at(s, b->unit),
				       sc_at(s, b->cs), b->null_reason, b->flag };
		if (b->error) {
			mhlw_why(why, "observation groups nested more than %d deep",
				MAX_GROUP_DEPTH);
			return COLINK_REJECTED;
		}
		rc = cda_add_field(r, &f, why);
	}
	r->skipped = s->skipped;
	if (!rc)
		rc = cda_finish(r);
	return rc;
}

void cda_stream_free(struct cda_stream *st)
{
	struct cda_sax *s = st ? st->s : NULL;
	if (!s)
		return;
	s->host->free(s->sc);
	s->host->free(s->els);
	s->host->free(s->obs);
	s->host->free(s->body);
	s->host->free(s);
	st->s = NULL;
}
