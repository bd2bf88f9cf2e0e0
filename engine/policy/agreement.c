/* agreement.c -- reading joint-use agreements and checking flows (see agreement.h). */
#include "policy/agreement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/paths.h"
#include "core/catalog.h"
#include "base/util.h"
#include "base/xmlutil.h"

#define OOM(err) COLINK_ERR(err, COLINK_ENOMEM, "out of memory reading agreement")

/* A growable list of owned strings with their lines. */
struct strlist {
	char **v;
	int *line;
	size_t n;
};

struct party_int {
	struct colink_agreement_party pub;
	char *name, *address, *representative, *resp_title, *resp_name;
	struct strlist roles;
};

struct clause_int {
	struct colink_agreement_clause pub;
	char *id, *note;
	struct strlist fields, purposes, roles;
};

struct colink_agreement {
	char *path, *id, *version, *title;
	char sha256[65];
	int from, to;
	struct party_int parties[2];
	size_t nparties;
	struct strlist purposes, prohibited;
	struct clause_int *clauses;
	size_t nclauses;
	/* the floor: rules/excluded-purposes.tsv (term, excluded purpose) */
	char *floor_path;
	struct strlist floor_terms, floor_what;
};

#define FLOOR_FILE "rules/excluded-purposes.tsv"

/* ================================================================== */
/* Names                                                                */
/* ================================================================== */

const char *colink_party_name(int party)
{
	return party == COLINK_PARTY_ASSOCIATION ? "association"
	     : party == COLINK_PARTY_EMPLOYER    ? "employer" : "none";
}

int colink_party_parse(const char *s)
{
	if (s && !strcmp(s, "association"))
		return COLINK_PARTY_ASSOCIATION;
	if (s && !strcmp(s, "employer"))
		return COLINK_PARTY_EMPLOYER;
	return COLINK_PARTY_NONE;
}

const char *colink_flow_name(int flow)
{
	return flow == COLINK_FLOW_ASSOCIATION_TO_EMPLOYER ? "association→employer"
	     : flow == COLINK_FLOW_EMPLOYER_TO_ASSOCIATION ? "employer→association"
	     : "within one party";
}

int colink_flow_parse(const char *s)
{
	if (s && !strcmp(s, "association-to-employer"))
		return COLINK_FLOW_ASSOCIATION_TO_EMPLOYER;
	if (s && !strcmp(s, "employer-to-association"))
		return COLINK_FLOW_EMPLOYER_TO_ASSOCIATION;
	return COLINK_FLOW_NONE;
}

const char *colink_level_name(int level)
{
	return level == COLINK_LEVEL_AGGREGATE     ? "aggregate"
	     : level == COLINK_LEVEL_PSEUDONYMIZED ? "pseudonymized"
	     : level == COLINK_LEVEL_INDIVIDUAL    ? "individual" : "none";
}

int colink_level_parse(const char *s)
{
	if (s && !strcmp(s, "aggregate"))
		return COLINK_LEVEL_AGGREGATE;
	if (s && !strcmp(s, "pseudonymized"))
		return COLINK_LEVEL_PSEUDONYMIZED;
	if (s && !strcmp(s, "individual"))
		return COLINK_LEVEL_INDIVIDUAL;
	return COLINK_LEVEL_NONE;
}

/* "YYYY-MM-DD" -> yyyymmdd, 0 when malformed. */
static int parse_date(const char *s)
{
	int y, m, d;
	char tail;
	if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(s) != 10)
		return 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	return y * 10000 + m * 100 + d;
}

int colink_run_date(void)
{
	const char *e = getenv("COLINK_RUN_DATE");
	time_t now;
	struct tm tm;
	if (e && *e)
		return parse_date(e);
	now = time(NULL);
	gmtime_r(&now, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Stress-check individual results: answers, scale scores, high-stress
 * flag.  The date, the consent flag itself and the scoring method are
 * not results. */
int colink_agreement_consent_gated(const char *field)
{
	if (!field || strncmp(field, "stress_", 7))
		return 0;
	return strcmp(field, "stress_date") && strcmp(field, COLINK_CONSENT_FIELD) &&
	       strcmp(field, "stress_method");
}

/* ================================================================== */
/* Loading                                                              */
/* ================================================================== */

static int strlist_add(struct strlist *l, char *s, int line)
{
	char **nv;
	int *nl;
	if (!s)
		return -1;
	nv = colink_realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv) {
		colink_free(s);
		return -1;
	}
	l->v = nv;
	nl = colink_realloc(l->line, (l->n + 1) * sizeof(*nl));
	if (!nl) {
		colink_free(s);
		return -1;
	}
	l->line = nl;
	l->v[l->n] = s;
	l->line[l->n++] = line;
	return 0;
}

static void strlist_free(struct strlist *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		colink_free(l->v[i]);
	colink_free(l->v);
	colink_free(l->line);
}

static int strlist_has(const struct strlist *l, const char *s)
{
	size_t i;
	for (i = 0; s && i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

/* Every child <tag name="..."> of n into l. */
static int read_names(struct strlist *l, xmlNodePtr n, const char *tag)
{
	xmlNodePtr c;
	for (c = n->children; c; c = c->next)
		if (colink_xml_is(c, tag) &&
		    strlist_add(l, colink_xml_attr(c, "name"), colink_xml_line(c)))
			return -1;
	return 0;
}

static int read_party(struct colink_agreement *a, xmlNodePtr n, struct colink_error *err)
{
	struct party_int *p;
	xmlNodePtr c;
	char *id = colink_xml_attr(n, "id");
	int which = colink_party_parse(id);
	colink_free(id);
	if (a->nparties >= 2)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: more than two parties", a->path, colink_xml_line(n));
	if (a->nparties == 1 && a->parties[0].pub.party == which)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: party %s given twice", a->path,
				  colink_xml_line(n), colink_party_name(which));
	p = &a->parties[a->nparties++];
	p->pub.party = which;
	p->pub.line = colink_xml_line(n);
	p->name = colink_xml_attr(n, "name");
	p->address = colink_xml_attr(n, "address");
	p->representative = colink_xml_attr(n, "representative");
	for (c = n->children; c; c = c->next)
		if (colink_xml_is(c, "responsible")) {
			p->resp_title = colink_xml_attr(c, "title");
			p->resp_name = colink_xml_attr(c, "name");
			if (!p->resp_name)
				p->resp_name = colink_strdup("");
		}
	if (read_names(&p->roles, n, "role") || !p->name || !p->address ||
	    !p->representative || !p->resp_title || !p->resp_name)
		return OOM(err);
	return COLINK_OK;
}

/* Add one <item field|table> to a clause, expanding a table to its fields. */
static int read_item(struct colink_agreement *a, struct clause_int *cl, xmlNodePtr n,
		     const struct colink_catalog *cat, struct colink_error *err)
{
	char *field = colink_xml_attr(n, "field"), *table = colink_xml_attr(n, "table");
	int line = colink_xml_line(n), rc = COLINK_OK;
	size_t i, hits = 0;
	if (field) {
		if (!colink_catalog_field(cat, field))
			rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: clause %s: item '%s' is not a common-schema field (common/fields.tsv)",
					a->path, line, cl->id, field);
		else if (strlist_add(&cl->fields, field, line))
			rc = OOM(err); /* strlist_add freed it */
		if (rc != COLINK_EINVAL)
			field = NULL; /* owned by the list (or freed) */
	} else if (table) {
		for (i = 0; rc == COLINK_OK && i < cat->nfields; i++) {
			const struct colink_field_def *f = &cat->fields[i];
			if (!f->table || strcmp(f->table, table) || (f->flags & COLINK_FIELD_IDENTIFIER))
				continue;
			hits++;
			if (strlist_add(&cl->fields, colink_strdup(f->name), line))
				rc = OOM(err);
		}
		if (rc == COLINK_OK && !hits)
			rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: clause %s: table '%s' has no common-schema field",
					a->path, line, cl->id, table);
	}
	colink_free(field);
	colink_free(table);
	return rc;
}

static int read_clause(struct colink_agreement *a, xmlNodePtr n,
		       const struct colink_catalog *cat, struct colink_error *err)
{
	struct clause_int *cl, *nc;
	xmlNodePtr c;
	char *dir, *level, *consent;
	int rc = COLINK_OK;
	nc = colink_realloc(a->clauses, (a->nclauses + 1) * sizeof(*nc));
	if (!nc)
		return OOM(err);
	a->clauses = nc;
	cl = &a->clauses[a->nclauses++];
	memset(cl, 0, sizeof(*cl));
	cl->pub.line = colink_xml_line(n);
	cl->id = colink_xml_attr(n, "id");
	dir = colink_xml_attr(n, "direction");
	level = colink_xml_attr(n, "level");
	consent = colink_xml_attr(n, "consent");
	cl->pub.flow = colink_flow_parse(dir);
	cl->pub.level = colink_level_parse(level);
	cl->pub.consent_required = consent != NULL;
	colink_free(dir);
	colink_free(level);
	colink_free(consent);
	if (!cl->id)
		return OOM(err);
	for (c = n->children; rc == COLINK_OK && c; c = c->next) {
		if (colink_xml_is(c, "note") && !cl->note)
			rc = (cl->note = colink_xml_text(c)) ? COLINK_OK : OOM(err);
		else if (colink_xml_is(c, "item"))
			rc = read_item(a, cl, c, cat, err);
	}
	if (rc == COLINK_OK && (read_names(&cl->purposes, n, "purpose") ||
				read_names(&cl->roles, n, "role")))
		rc = OOM(err);
	return rc;
}

static int read_top(struct colink_agreement *a, xmlNodePtr root,
		    const struct colink_catalog *cat, struct colink_error *err)
{
	xmlNodePtr n;
	int rc = COLINK_OK;
	a->id = colink_xml_attr(root, "id");
	a->version = colink_xml_attr(root, "version");
	if (!a->id || !a->version)
		return OOM(err);
	for (n = root->children; rc == COLINK_OK && n; n = n->next) {
		if (colink_xml_is(n, "title") && !a->title) {
			rc = (a->title = colink_xml_text(n)) ? COLINK_OK : OOM(err);
		} else if (colink_xml_is(n, "effective")) {
			char *f = colink_xml_attr(n, "from"), *t = colink_xml_attr(n, "to");
			a->from = parse_date(f);
			a->to = t ? parse_date(t) : 0;
			/* an attribute that is there but did not copy: out of memory,
			 * not a bad date */
			if ((!f && xmlHasProp(n, (const xmlChar *)"from")) ||
			    (!t && xmlHasProp(n, (const xmlChar *)"to")))
				rc = OOM(err);
			else if (!a->from || (t && !a->to))
				rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: effective dates must be YYYY-MM-DD",
						a->path, colink_xml_line(n));
			else if (a->to && a->to < a->from)
				rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: effective period ends (%s) before it starts (%s)",
						a->path, colink_xml_line(n), t, f);
			colink_free(f);
			colink_free(t);
		} else if (colink_xml_is(n, "party")) {
			rc = read_party(a, n, err);
		} else if (colink_xml_is(n, "purposes")) {
			rc = read_names(&a->purposes, n, "purpose") ? OOM(err) : COLINK_OK;
		} else if (colink_xml_is(n, "prohibited")) {
			rc = read_names(&a->prohibited, n, "use") ? OOM(err) : COLINK_OK;
		} else if (colink_xml_is(n, "clause")) {
			rc = read_clause(a, n, cat, err);
		}
	}
	if (rc == COLINK_OK && !a->title)
		rc = (a->title = colink_strdup("")) ? COLINK_OK : OOM(err);
	return rc;
}

/* Read the floor's rule file: "term TAB purpose" lines, '#' comments. */
static int load_floor(struct colink_agreement *a, const char *data_dir, struct colink_error *err)
{
	char *text = NULL, *p, *nl;
	size_t len = 0;
	int line = 0, rc;
	/* data_dir may be colink_data_dir()'s own buffer: do not pass it back */
	a->floor_path = colink_path_join(data_dir && *data_dir ? data_dir : colink_data_dir(NULL), FLOOR_FILE);
	if (!a->floor_path)
		return OOM(err);
	rc = colink_read_small_file(a->floor_path, 1 << 20, &text, &len, err);
	if (rc)
		return rc;
	for (p = text; rc == COLINK_OK && p && *p; p = nl) {
		char *tab;
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		line++;
		if (*p == '#' || !*p)
			continue;
		tab = strchr(p, '\t');
		if (!tab || tab == p || !tab[1]) {
			rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: expected 'term<TAB>excluded purpose'",
					a->floor_path, line);
			break;
		}
		*tab = '\0';
		if (strlist_add(&a->floor_terms, colink_strdup(p), line) ||
		    strlist_add(&a->floor_what, colink_strdup(tab + 1), line))
			rc = OOM(err);
	}
	if (rc == COLINK_OK && !a->floor_terms.n)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:1: no excluded purpose (the floor cannot be empty)",
				a->floor_path);
	colink_free(text);
	return rc;
}

/* `s` without white space and the separators ・ ･ / 、 , (caller frees). */
static char *squeeze(const char *s)
{
	static const char *const drop[] = {"\xe3\x80\x80" /* U+3000 */, "\xe3\x83\xbb" /* ・ */,
					   "\xef\xbd\xa5" /* ･ */, "\xe3\x80\x81" /* 、 */,
					   "\xef\xbc\x8c" /* ， */, NULL};
	char *out = colink_malloc(strlen(s) + 1), *o = out;
	size_t i;
	if (!out)
		return NULL;
	while (*s) {
		int skipped = 0;
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '/' || *s == ',') {
			s++;
			continue;
		}
		for (i = 0; drop[i]; i++)
			if (!strncmp(s, drop[i], 3)) {
				s += 3;
				skipped = 1;
				break;
			}
		if (!skipped)
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

const char *colink_agreement_excluded(const struct colink_agreement *a, const char *purpose,
				      const char **what, int *line)
{
	char *sq;
	const char *hit = NULL;
	size_t i;
	if (!purpose)
		return NULL;
	sq = squeeze(purpose);
	for (i = 0; i < a->floor_terms.n && !hit; i++)
		if (strstr(sq ? sq : purpose, a->floor_terms.v[i])) {
			hit = a->floor_terms.v[i];
			if (what)
				*what = a->floor_what.v[i];
			if (line)
				*line = a->floor_terms.line[i];
		}
	colink_free(sq);
	return hit;
}

const char *colink_agreement_floor_path(const struct colink_agreement *a) { return a->floor_path; }

static const struct party_int *party_of(const struct colink_agreement *a, int party)
{
	size_t i;
	for (i = 0; i < a->nparties; i++)
		if (a->parties[i].pub.party == party)
			return &a->parties[i];
	return NULL;
}

/* Receiving party of a flow. */
static int receiver(int flow)
{
	return flow == COLINK_FLOW_ASSOCIATION_TO_EMPLOYER ? COLINK_PARTY_EMPLOYER
							    : COLINK_PARTY_ASSOCIATION;
}

/* Cross-references the schema cannot express. */
static int check_coherence(struct colink_agreement *a, struct colink_error *err)
{
	size_t i, k;
	for (i = 0; i < a->purposes.n; i++)
		for (k = i + 1; k < a->purposes.n; k++)
			if (!strcmp(a->purposes.v[i], a->purposes.v[k]))
				return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: purpose '%s' listed twice",
						  a->path, a->purposes.line[k], a->purposes.v[k]);
	for (i = 0; i < a->nclauses; i++) {
		const struct clause_int *cl = &a->clauses[i];
		const struct party_int *to = party_of(a, receiver(cl->pub.flow));
		for (k = 0; k < i; k++)
			if (!strcmp(a->clauses[k].id, cl->id))
				return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: clause id '%s' already used at line %d",
						  a->path, cl->pub.line, cl->id, a->clauses[k].pub.line);
		for (k = 0; k < cl->purposes.n; k++) {
			if (strlist_has(&a->prohibited, cl->purposes.v[k]))
				return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: clause %s: purpose '%s' is a prohibited use",
						  a->path, cl->purposes.line[k], cl->id, cl->purposes.v[k]);
			if (!strlist_has(&a->purposes, cl->purposes.v[k]))
				return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: clause %s: purpose '%s' is not one of the agreement's purposes",
						  a->path, cl->purposes.line[k], cl->id, cl->purposes.v[k]);
		}
		for (k = 0; to && k < cl->roles.n; k++)
			if (!strlist_has(&to->roles, cl->roles.v[k]))
				return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: clause %s: role '%s' is not a co-user role of the receiving party (%s)",
						  a->path, cl->roles.line[k], cl->id, cl->roles.v[k],
						  colink_party_name(to->pub.party));
	}
	return COLINK_OK;
}

/* Point the public views at the owned storage. */
static void publish(struct colink_agreement *a)
{
	size_t i;
	for (i = 0; i < a->nparties; i++) {
		struct party_int *p = &a->parties[i];
		p->pub.name = p->name;
		p->pub.address = p->address;
		p->pub.representative = p->representative;
		p->pub.resp_title = p->resp_title;
		p->pub.resp_name = p->resp_name;
		p->pub.nroles = p->roles.n;
		p->pub.roles = (const char *const *)p->roles.v;
		p->pub.role_lines = p->roles.line;
	}
	for (i = 0; i < a->nclauses; i++) {
		struct clause_int *c = &a->clauses[i];
		c->pub.id = c->id;
		c->pub.note = c->note;
		c->pub.nfields = c->fields.n;
		c->pub.fields = (const char *const *)c->fields.v;
		c->pub.npurposes = c->purposes.n;
		c->pub.purposes = (const char *const *)c->purposes.v;
		c->pub.nroles = c->roles.n;
		c->pub.roles = (const char *const *)c->roles.v;
	}
}

int colink_agreement_load(struct colink_agreement **out, const char *path,
			  const char *data_dir, const struct colink_catalog *cat,
			  struct colink_error *err)
{
	struct colink_agreement *a = colink_calloc(1, sizeof(*a));
	struct colink_catalog *own = NULL;
	xmlDocPtr doc = NULL;
	int rc = COLINK_OK;

	*out = NULL;
	if (!a || !(a->path = colink_strdup(path))) {
		colink_free(a);
		return OOM(err);
	}
	if (!cat && (rc = colink_catalog_load(&own, data_dir, err)) == COLINK_OK)
		cat = own;
	if (rc == COLINK_OK)
		rc = colink_sha256_path(path, a->sha256, NULL, err);
	if (rc == COLINK_OK)
		rc = colink_xml_load(path, data_dir, "agreement", &doc, err);
	colink_xml_oom_reset();
	if (rc == COLINK_OK) {
		xmlNodePtr root = xmlDocGetRootElement(doc);
		if (!colink_xml_is(root, "agreement"))
			rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: not an agreement file", path,
					colink_xml_line(root));
		else
			rc = read_top(a, root, cat, err);
	}
	if (colink_xml_oom_seen() && rc == COLINK_OK)
		rc = OOM(err);
	if (doc)
		xmlFreeDoc(doc);
	if (rc == COLINK_OK && a->nparties != 2)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:1: an agreement names both parties", path);
	if (rc == COLINK_OK)
		rc = check_coherence(a, err);
	if (rc == COLINK_OK)
		rc = load_floor(a, data_dir, err);
	colink_catalog_free(own);
	if (rc) {
		colink_agreement_free(a);
		return rc;
	}
	publish(a);
	*out = a;
	return COLINK_OK;
}

void colink_agreement_free(struct colink_agreement *a)
{
	size_t i;
	if (!a)
		return;
	for (i = 0; i < a->nparties; i++) {
		struct party_int *p = &a->parties[i];
		colink_free(p->name);
		colink_free(p->address);
		colink_free(p->representative);
		colink_free(p->resp_title);
		colink_free(p->resp_name);
		strlist_free(&p->roles);
	}
	for (i = 0; i < a->nclauses; i++) {
		struct clause_int *c = &a->clauses[i];
		colink_free(c->id);
		colink_free(c->note);
		strlist_free(&c->fields);
		strlist_free(&c->purposes);
		strlist_free(&c->roles);
	}
	colink_free(a->clauses);
	strlist_free(&a->purposes);
	strlist_free(&a->prohibited);
	strlist_free(&a->floor_terms);
	strlist_free(&a->floor_what);
	colink_free(a->floor_path);
	colink_free(a->path);
	colink_free(a->id);
	colink_free(a->version);
	colink_free(a->title);
	colink_free(a);
}

/* ================================================================== */
/* Accessors                                                            */
/* ================================================================== */

const char *colink_agreement_id(const struct colink_agreement *a) { return a->id; }
const char *colink_agreement_version(const struct colink_agreement *a) { return a->version; }
const char *colink_agreement_title(const struct colink_agreement *a) { return a->title; }
const char *colink_agreement_path(const struct colink_agreement *a) { return a->path; }
const char *colink_agreement_sha256(const struct colink_agreement *a) { return a->sha256; }

void colink_agreement_period(const struct colink_agreement *a, int *from, int *to)
{
	if (from)
		*from = a->from;
	if (to)
		*to = a->to;
}

size_t colink_agreement_nparties(const struct colink_agreement *a) { return a->nparties; }

const struct colink_agreement_party *
colink_agreement_party_at(const struct colink_agreement *a, size_t i)
{
	return i < a->nparties ? &a->parties[i].pub : NULL;
}

const struct colink_agreement_party *
colink_agreement_party_get(const struct colink_agreement *a, int party)
{
	const struct party_int *p = party_of(a, party);
	return p ? &p->pub : NULL;
}

static const char *strlist_at(const struct strlist *l, size_t i, int *line)
{
	if (i >= l->n)
		return NULL;
	if (line)
		*line = l->line[i];
	return l->v[i];
}

size_t colink_agreement_npurposes(const struct colink_agreement *a) { return a->purposes.n; }
const char *colink_agreement_purpose_at(const struct colink_agreement *a, size_t i, int *line)
{
	return strlist_at(&a->purposes, i, line);
}
size_t colink_agreement_nprohibited(const struct colink_agreement *a) { return a->prohibited.n; }
const char *colink_agreement_prohibited_at(const struct colink_agreement *a, size_t i, int *line)
{
	return strlist_at(&a->prohibited, i, line);
}

size_t colink_agreement_nclauses(const struct colink_agreement *a) { return a->nclauses; }
const struct colink_agreement_clause *
colink_agreement_clause_at(const struct colink_agreement *a, size_t i)
{
	return i < a->nclauses ? &a->clauses[i].pub : NULL;
}

int colink_agreement_is_prohibited(const struct colink_agreement *a, const char *purpose)
{
	return strlist_has(&a->prohibited, purpose);
}

int colink_agreement_has_role(const struct colink_agreement *a, int party, const char *role)
{
	const struct party_int *p = party_of(a, party);
	return p && strlist_has(&p->roles, role);
}

int colink_agreement_in_effect(const struct colink_agreement *a, int date)
{
	return date >= a->from && (!a->to || date <= a->to);
}

/* ================================================================== */
/* Checking a flow                                                      */
/* ================================================================== */

const struct colink_agreement_clause *
colink_agreement_clause_for(const struct colink_agreement *a, const char *field,
			    enum colink_flow dir, const char *purpose,
			    const char *role, enum colink_level level)
{
	size_t i;
	if (dir == COLINK_FLOW_NONE || colink_agreement_is_prohibited(a, purpose) ||
	    colink_agreement_excluded(a, purpose, NULL, NULL))
		return NULL;
	for (i = 0; i < a->nclauses; i++) {
		const struct clause_int *c = &a->clauses[i];
		if (c->pub.flow == (int)dir && c->pub.level >= (int)level &&
		    strlist_has(&c->fields, field) && strlist_has(&c->purposes, purpose) &&
		    strlist_has(&c->roles, role))
			return &c->pub;
	}
	return NULL;
}

/* The most helpful reason a field is refused: the clause that comes
 * closest (names the field and direction; then the purpose; then the
 * role) and what it lacks. */
static void explain(const struct colink_agreement *a, const char *field,
		    enum colink_flow dir, const char *purpose, const char *role,
		    enum colink_level level, char *why, size_t whylen)
{
	const struct clause_int *best = NULL;
	int best_score = -1;
	size_t i;
	for (i = 0; i < a->nclauses; i++) {
		const struct clause_int *c = &a->clauses[i];
		int score;
		if (c->pub.flow != (int)dir || !strlist_has(&c->fields, field))
			continue;
		score = 2 * strlist_has(&c->purposes, purpose) + strlist_has(&c->roles, role);
		if (score > best_score) {
			best = c;
			best_score = score;
		}
	}
	if (best) {
		const struct clause_int *c = best;
		const char *lack;
		lack = !strlist_has(&c->purposes, purpose) ? "purpose"
		     : !strlist_has(&c->roles, role)        ? "role" : "level";
		snprintf(why, whylen,
			 "item %s may not flow %s for purpose %s to role %s at level %s "
			 "(agreement %s clause %s at %s:%d allows it for another %s%s%s)",
			 field, colink_flow_name(dir), purpose, role, colink_level_name(level),
			 a->id, c->id, a->path, c->pub.line, lack,
			 strcmp(lack, "level") ? "" : ": ",
			 strcmp(lack, "level") ? "" : colink_level_name(c->pub.level));
		return;
	}
	snprintf(why, whylen,
		 "item %s may not flow %s for purpose %s to role %s at level %s "
		 "(agreement %s at %s has no clause for it)",
		 field, colink_flow_name(dir), purpose, role, colink_level_name(level),
		 a->id, a->path);
}

int colink_agreement_check(const struct colink_agreement *a, const char *field,
			   enum colink_flow dir, const char *purpose,
			   const char *role, enum colink_level level,
			   char *why, size_t whylen)
{
	char dummy[8];
	size_t i;
	if (!why) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	if (colink_agreement_is_prohibited(a, purpose)) {
		int line = 0;
		for (i = 0; i < a->prohibited.n; i++)
			if (!strcmp(a->prohibited.v[i], purpose))
				line = a->prohibited.line[i];
		snprintf(why, whylen, "purpose %s is a prohibited use (agreement %s at %s:%d)",
			 purpose, a->id, a->path, line);
		return COLINK_EPOLICY;
	}
	{
		const char *what = NULL;
		int line = 0;
		if (colink_agreement_excluded(a, purpose, &what, &line)) {
			snprintf(why, whylen, "purpose %s is excluded by colink whatever agreement %s says "
				 "(%s; %s:%d)", purpose, a->id, what, a->floor_path, line);
			return COLINK_EPOLICY;
		}
	}
	if (!strlist_has(&a->purposes, purpose)) {
		snprintf(why, whylen, "purpose %s is not one of the purposes of agreement %s (%s)",
			 purpose ? purpose : "(none)", a->id, a->path);
		return COLINK_EPOLICY;
	}
	if (dir == COLINK_FLOW_NONE) {
		for (i = 0; i < a->nparties; i++)
			if (strlist_has(&a->parties[i].roles, role))
				return COLINK_OK;
		snprintf(why, whylen, "role %s is not a co-user role of agreement %s (%s)",
			 role ? role : "(none)", a->id, a->path);
		return COLINK_EPOLICY;
	}
	if (colink_agreement_clause_for(a, field, dir, purpose, role, level))
		return COLINK_OK;
	explain(a, field, dir, purpose, role, level, why, whylen);
	return COLINK_EPOLICY;
}
