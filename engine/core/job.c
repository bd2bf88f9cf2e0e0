/* job.c -- reading job files (see job.h). */
#include "core/job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "identity/feature.h"
#include "policy/agreement.h"
#include "base/alloc.h"
#include "base/util.h"
#include "base/xmlutil.h"

#define OOM(err) COLINK_ERR(err, COLINK_ENOMEM, "out of memory reading job")

static char *resolved_attr(struct colink_job *j, xmlNodePtr n, const char *name)
{
	char *v = colink_xml_attr(n, name), *r;
	if (!v)
		return NULL;
	r = colink_path_join(j->dir, v);
	colink_free(v);
	return r;
}

/*
 * <input mapping>: relative to the job's folder; when nothing is there and
 * `data_dir` (the mappings folder) has that path, the shipped mapping
 * (#22): mapping="vendors/vendor_a.xml" names the installed one, so that a
 * job copied to any folder runs against the installed colink.
 */
static char *mapping_attr(struct colink_job *j, xmlNodePtr n, const char *data_dir)
{
	char *v = colink_xml_attr(n, "mapping"), *r, *shipped;
	struct stat st;
	if (!v)
		return NULL;
	r = colink_path_join(j->dir, v);
	if (r && v[0] != '/' && data_dir && *data_dir && stat(r, &st) && errno == ENOENT &&
	    (shipped = colink_path_join(data_dir, v))) {
		if (!stat(shipped, &st) && S_ISREG(st.st_mode)) {
			colink_free(r);
			r = shipped;
		} else {
			colink_free(shipped);
		}
	}
	colink_free(v);
	return r;
}

static int read_input(struct colink_job *j, xmlNodePtr n, const char *data_dir,
		      struct colink_error *err)
{
	struct colink_job_input *in;
	struct colink_job_input *na = colink_realloc(j->inputs, (j->ninputs + 1) * sizeof(*na));
	if (!na)
		return OOM(err);
	j->inputs = na;
	in = &j->inputs[j->ninputs++];
	memset(in, 0, sizeof(*in));
	in->line = colink_xml_line(n);
	in->mapping = mapping_attr(j, n, data_dir);
	in->path = resolved_attr(j, n, "path");
	return in->mapping && in->path ? COLINK_OK : OOM(err);
}

/* Output settings; a relative "path" value resolves against the job dir
 * (so a job can be run from anywhere). */
static int read_output(struct colink_job *j, xmlNodePtr n, struct colink_error *err)
{
	xmlNodePtr c;
	j->output_plugin = colink_xml_attr(n, "plugin");
	j->output_line = colink_xml_line(n);
	if (!j->output_plugin)
		return OOM(err);
	for (c = n->children; c; c = c->next) {
		struct colink_setting_given *g, *na;
		if (!colink_xml_is(c, "set"))
			continue;
		na = colink_realloc(j->output_settings, (j->noutput_settings + 1) * sizeof(*na));
		if (!na)
			return OOM(err);
		j->output_settings = na;
		g = &na[j->noutput_settings++];
		g->name = colink_xml_attr(c, "name");
		g->line = colink_xml_line(c);
		if (g->name && !strcmp(g->name, "path"))
			g->value = resolved_attr(j, c, "value");
		else
			g->value = colink_xml_attr(c, "value");
		if (!g->name || !g->value)
			return OOM(err);
	}
	return COLINK_OK;
}

static int read_options(struct colink_job *j, xmlNodePtr n, struct colink_error *err)
{
	char *v = colink_xml_attr(n, "max-rejected");
	if (v) {
		j->max_rejected = strtoll(v, NULL, 10);
		colink_free(v);
	}
	if (xmlHasProp(n, (const xmlChar *)"log")) {
		j->log_file = resolved_attr(j, n, "log");
		if (!j->log_file)
			return OOM(err);
	}
	return COLINK_OK;
}

/* A number attribute of a probabilistic pass, or `dflt` when absent. */
static int prob_number(struct colink_job *j, xmlNodePtr c, const char *name, double dflt,
		       double *out, struct colink_error *err)
{
	char *v = colink_xml_attr(c, name), *end;
	*out = dflt;
	if (!v)
		return COLINK_OK;
	errno = 0;
	*out = strtod(v, &end);
	if (errno || end == v || *end) {
		colink_free(v);
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: <pass kind=\"probabilistic\"> %s is not a number",
				  j->path, colink_xml_line(c), name);
	}
	colink_free(v);
	return COLINK_OK;
}

/* blocking="insurer-year,birth-date" (the default: both). */
static int prob_blocking(struct colink_job *j, xmlNodePtr c, struct colink_error *err)
{
	char *v = colink_xml_attr(c, "blocking"), *tok, *save = NULL;
	int rc = COLINK_OK;
	j->prob.blocking = v ? 0 : COLINK_BLOCK_INSURER_YEAR | COLINK_BLOCK_BIRTH_DATE;
	for (tok = v ? strtok_r(v, ", ", &save) : NULL; tok && !rc; tok = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(tok, "insurer-year"))
			j->prob.blocking |= COLINK_BLOCK_INSURER_YEAR;
		else if (!strcmp(tok, "birth-date"))
			j->prob.blocking |= COLINK_BLOCK_BIRTH_DATE;
		else
			rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown blocking rule '%s' "
					"(insurer-year, birth-date)", j->path, colink_xml_line(c), tok);
	}
	colink_free(v);
	if (!rc && !j->prob.blocking)
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: a probabilistic pass needs a blocking rule",
				j->path, colink_xml_line(c));
	return rc;
}

/* name-filter="plain|balanced|diffused|balanced-diffused" (default
 * balanced-diffused: it keeps the plain filter's precision and recall,
 * docs/pseudonyms.md) and window="t" (default 3; diffused only). */
static int prob_name_filter(struct colink_job *j, xmlNodePtr c, struct colink_error *err)
{
	char *v = colink_xml_attr(c, "name-filter");
	int mode = v ? colink_feature_enc_parse(v) : (int)(COLINK_BF_BALANCED | COLINK_BF_DIFFUSED);
	int line = colink_xml_line(c), rc;
	double t;
	colink_free(v);
	if (mode < 0)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: unknown name-filter (plain, balanced, "
				  "diffused, balanced-diffused)", j->path, line);
	j->prob.name_filter = (unsigned)mode;
	if ((rc = prob_number(j, c, "window", 3.0, &t, err)))
		return rc;
	if (!(t >= 2 && t <= COLINK_FEATURE_WINDOW_MAX && t == (unsigned)t))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: window must be a whole number of bits "
				  "from 2 to %d", j->path, line, COLINK_FEATURE_WINDOW_MAX);
	if (!(mode & COLINK_BF_DIFFUSED) && xmlHasProp(c, (const xmlChar *)"window"))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: window applies to a diffused name-filter "
				  "only", j->path, line);
	j->prob.window = (unsigned)t;
	return COLINK_OK;
}

/* <pass kind="probabilistic" upper lower dice blocking name-filter
 * window/> (#23): one, the last of the passes. */
static int read_prob_pass(struct colink_job *j, xmlNodePtr c, struct colink_error *err)
{
	int line = colink_xml_line(c), rc;
	xmlNodePtr x;
	for (x = c->next; x; x = x->next)
		if (colink_xml_is(x, "pass"))
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: the probabilistic pass must be the "
					  "last pass", j->path, line);
	j->prob.line = line;
	rc = prob_name_filter(j, c, err);
	if (!rc)
		rc = prob_number(j, c, "upper", 17.0, &j->prob.upper, err);
	if (!rc)
		rc = prob_number(j, c, "lower", 10.0, &j->prob.lower, err);
	if (!rc) /* the default threshold is the encoding's (feature.h) */
		rc = prob_number(j, c, "dice", colink_feature_enc_dice(j->prob.name_filter),
				 &j->prob.dice, err);
	if (!rc && !(j->prob.upper > j->prob.lower))
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: upper must be greater than lower", j->path, line);
	if (!rc && !(j->prob.dice > 0 && j->prob.dice <= 1))
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: dice must be in (0, 1]", j->path, line);
	if (!rc)
		rc = prob_blocking(j, c, err);
	if (!rc)
		j->prob.on = 1;
	return rc;
}

static int read_link(struct colink_job *j, xmlNodePtr n, struct colink_error *err)
{
	xmlNodePtr c;
	size_t k = 0;
	int rc;
	for (c = n->children; c; c = c->next)
		k += colink_xml_is(c, "pass");
	j->link_kinds = colink_calloc(k + 1, sizeof(char *));
	j->link_lines = colink_calloc(k + 1, sizeof(int));
	if (!j->link_kinds || !j->link_lines)
		return OOM(err);
	for (c = n->children; c; c = c->next) {
		char *kind;
		if (!colink_xml_is(c, "pass"))
			continue;
		j->link_lines[j->nlink] = colink_xml_line(c);
		kind = colink_xml_attr(c, "kind");
		if (kind && !strcmp(kind, "probabilistic")) {
			colink_free(kind);
			if ((rc = read_prob_pass(j, c, err)))
				return rc;
			if (!(j->link_kinds[j->nlink++] = colink_strdup("probabilistic")))
				return OOM(err);
			continue;
		}
		colink_free(kind);
		if (!(j->link_kinds[j->nlink++] = colink_xml_attr(c, "key")))
			return OOM(err);
	}
	return COLINK_OK;
}

/* <signer party public-key/> children of <agreement>: the keys trusted to
 * sign it.  The same key file twice is refused (file:line). */
static int read_signers(struct colink_job *j, xmlNodePtr agr, struct colink_error *err)
{
	xmlNodePtr c;
	size_t k = 0, i;
	for (c = agr->children; c; c = c->next)
		k += colink_xml_is(c, "signer");
	if (!k)
		return COLINK_OK;
	if (!(j->signers = colink_calloc(k, sizeof(*j->signers))))
		return OOM(err);
	for (c = agr->children; c; c = c->next) {
		struct colink_job_signer *s;
		char *party;
		if (!colink_xml_is(c, "signer"))
			continue;
		s = &j->signers[j->nsigners++];
		s->line = colink_xml_line(c);
		party = colink_xml_attr(c, "party");
		s->party = colink_party_parse(party);
		colink_free(party);
		if (!(s->public_key = resolved_attr(j, c, "public-key")))
			return OOM(err);
		if (s->party == COLINK_PARTY_NONE)
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: signer party must be association or employer",
					  j->path, s->line);
		for (i = 0; i + 1 < j->nsigners; i++)
			if (!strcmp(j->signers[i].public_key, s->public_key))
				return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: public key %s is already declared at line %d",
						  j->path, s->line, s->public_key, j->signers[i].line);
	}
	return COLINK_OK;
}

static int read_top(struct colink_job *j, xmlNodePtr root, const char *data_dir,
		    struct colink_error *err)
{
	xmlNodePtr n;
	int rc = COLINK_OK;
	j->name = colink_xml_attr(root, "name");
	if (!j->name)
		return OOM(err);
	for (n = root->children; rc == COLINK_OK && n; n = n->next) {
		if (colink_xml_is(n, "description"))
			j->description = colink_xml_text(n);
		else if (colink_xml_is(n, "agreement")) {
			j->agreement_line = colink_xml_line(n);
			j->agreement = colink_xml_attr(n, "id");
			j->agreement_file = resolved_attr(j, n, "file");
			rc = j->agreement && j->agreement_file ? read_signers(j, n, err) : OOM(err);
		} else if (colink_xml_is(n, "purpose")) {
			j->purpose_line = colink_xml_line(n);
			rc = (j->purpose = colink_xml_text(n)) ? COLINK_OK : OOM(err);
		} else if (colink_xml_is(n, "recipient")) {
			char *party = colink_xml_attr(n, "party");
			j->recipient_line = colink_xml_line(n);
			j->recipient_party = colink_party_parse(party);
			colink_free(party);
			rc = (j->recipient_role = colink_xml_attr(n, "role")) ? COLINK_OK : OOM(err);
		} else if (colink_xml_is(n, "audit"))
			rc = (j->audit_log = resolved_attr(j, n, "log")) ? COLINK_OK : OOM(err);
		else if (colink_xml_is(n, "key")) {
			j->key_line = colink_xml_line(n);
			j->key_file = resolved_attr(j, n, "file");
			j->key_id = colink_xml_attr(n, "id");
			rc = (j->key_file || j->key_id) ? COLINK_OK : OOM(err);
		} else if (colink_xml_is(n, "input"))
			rc = read_input(j, n, data_dir, err);
		else if (colink_xml_is(n, "output"))
			rc = read_output(j, n, err);
		else if (colink_xml_is(n, "options"))
			rc = read_options(j, n, err);
		else if (colink_xml_is(n, "link"))
			rc = read_link(j, n, err);
	}
	return rc;
}

int colink_job_load(struct colink_job **out, const char *path,
		    const char *data_dir, struct colink_error *err)
{
	struct colink_job *j = colink_calloc(1, sizeof(*j));
	xmlDocPtr doc = NULL;
	int rc;

	*out = NULL;
	if (!j)
		return OOM(err);
	j->max_rejected = -1;
	j->path = colink_strdup(path);
	j->dir = colink_path_dir(path);
	if (!j->path || !j->dir) {
		colink_job_free(j);
		return OOM(err);
	}
	rc = colink_sha256_path(path, j->sha256, NULL, err);
	if (rc == COLINK_OK)
		rc = colink_xml_load(path, data_dir, "job", &doc, err);
	colink_xml_oom_reset();
	if (rc == COLINK_OK)
		rc = read_top(j, xmlDocGetRootElement(doc), data_dir, err);
	if (colink_xml_oom_seen())
		rc = OOM(err);
	if (doc)
		xmlFreeDoc(doc);
	if (rc) {
		colink_job_free(j);
		return rc;
	}
	*out = j;
	return COLINK_OK;
}

void colink_job_free(struct colink_job *j)
{
	size_t i;
	if (!j)
		return;
	for (i = 0; i < j->ninputs; i++) {
		colink_free(j->inputs[i].mapping);
		colink_free(j->inputs[i].path);
	}
	colink_free(j->inputs);
	for (i = 0; i < j->noutput_settings; i++) {
		colink_free((char *)j->output_settings[i].name);
		colink_free((char *)j->output_settings[i].value);
	}
	colink_free(j->output_settings);
	colink_free(j->path);
	colink_free(j->dir);
	colink_free(j->name);
	colink_free(j->description);
	colink_free(j->agreement);
	colink_free(j->purpose);
	colink_free(j->key_file);
	colink_free(j->key_id);
	for (i = 0; i < j->nlink; i++)
		colink_free(j->link_kinds[i]);
	colink_free(j->link_kinds);
	colink_free(j->link_lines);
	colink_free(j->output_plugin);
	colink_free(j->log_file);
	colink_free(j->agreement_file);
	colink_free(j->recipient_role);
	colink_free(j->audit_log);
	for (i = 0; i < j->nsigners; i++)
		colink_free(j->signers[i].public_key);
	colink_free(j->signers);
	colink_free(j);
}
