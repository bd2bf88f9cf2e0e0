/*
 * diff_agreement.c -- what changed between two versions of a joint-use
 * agreement, in review terms, and colink_diff_files() over both kinds.
 * A change that lets more data reach more people (a purpose, a role, a
 * clause or an item added, a level raised, a prohibition or a consent gate
 * lifted) is flagged as raising exposure: under 第27条第5項第3号 it needs a
 * new notice before it takes effect.
 */
#include <string.h>

#include "base/alloc.h"
#include "steward/doc/doc.h"
#include "steward/doc/doc_int.h"
#include "core/run.h"

static int in_list(const char *const *v, size_t n, const char *s)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* Items of two string lists: added ones raise exposure when `more_is_wider`. */
static void diff_list(struct colink_changes *out, const char *what, const char *name,
		      const char *const *a, size_t na, const char *const *b, size_t nb,
		      const char *noun, int more_is_wider)
{
	size_t i;
	for (i = 0; i < nb; i++)
		if (!in_list(a, na, b[i]))
			colink_change_add(out, '~', what, name, more_is_wider, "%s \"%s\" added", noun, b[i]);
	for (i = 0; i < na; i++)
		if (!in_list(b, nb, a[i]))
			colink_change_add(out, '~', what, name, !more_is_wider, "%s \"%s\" removed", noun, a[i]);
}

static int same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static void diff_party(struct colink_changes *out, const struct colink_agreement_party *a,
		       const struct colink_agreement_party *b)
{
	const char *n = colink_party_name(b->party);
	if (!same(a->name, b->name))
		colink_change_add(out, '~', "party", n, 0, "name \"%s\" → \"%s\" (notice item ⑤)",
				  a->name ? a->name : "", b->name ? b->name : "");
	if (!same(a->address, b->address))
		colink_change_add(out, '~', "party", n, 0, "address changed (notice item ⑤)");
	if (!same(a->representative, b->representative))
		colink_change_add(out, '~', "party", n, 0, "representative changed (notice item ⑤)");
	if (!same(a->resp_title, b->resp_title) || !same(a->resp_name, b->resp_name))
		colink_change_add(out, '~', "party", n, 0, "responsible person changed: %s → %s",
				  a->resp_title ? a->resp_title : "-", b->resp_title ? b->resp_title : "-");
	diff_list(out, "party", n, a->roles, a->nroles, b->roles, b->nroles, "role", 1);
}

static void diff_clause(struct colink_changes *out, const struct colink_agreement_clause *a,
			const struct colink_agreement_clause *b)
{
	if (a->flow != b->flow)
		colink_change_add(out, '~', "clause", b->id, 1, "direction %s → %s",
				  colink_flow_name(a->flow), colink_flow_name(b->flow));
	if (a->level != b->level)
		colink_change_add(out, '~', "clause", b->id, b->level > a->level,
				  "level %s → %s (%s)", colink_level_name(a->level),
				  colink_level_name(b->level), b->level > a->level ? "raised" : "lowered");
	if (a->consent_required != b->consent_required)
		colink_change_add(out, '~', "clause", b->id, !b->consent_required,
				  "consent %s → %s", a->consent_required ? "required" : "not required",
				  b->consent_required ? "required" : "not required");
	diff_list(out, "clause", b->id, a->fields, a->nfields, b->fields, b->nfields, "item", 1);
	diff_list(out, "clause", b->id, a->purposes, a->npurposes, b->purposes, b->npurposes,
		  "purpose", 1);
	diff_list(out, "clause", b->id, a->roles, a->nroles, b->roles, b->nroles, "role", 1);
	if (!same(a->note, b->note))
		colink_change_add(out, '~', "clause", b->id, 0, "note changed");
}

static const struct colink_agreement_clause *find_clause(const struct colink_agreement *a,
							 const char *id)
{
	size_t i;
	for (i = 0; i < colink_agreement_nclauses(a); i++)
		if (!strcmp(colink_agreement_clause_at(a, i)->id, id))
			return colink_agreement_clause_at(a, i);
	return NULL;
}

static void diff_strings(struct colink_changes *out, const char *what,
			 const struct colink_agreement *a, const struct colink_agreement *b,
			 size_t (*count)(const struct colink_agreement *),
			 const char *(*at)(const struct colink_agreement *, size_t, int *),
			 int more_is_wider)
{
	size_t i, j, na = count(a), nb = count(b);
	for (i = 0; i < nb; i++) {
		const char *s = at(b, i, NULL);
		for (j = 0; j < na && strcmp(at(a, j, NULL), s); j++)
			;
		if (j == na)
			colink_change_add(out, '+', what, s, more_is_wider, NULL);
	}
	for (j = 0; j < na; j++) {
		const char *s = at(a, j, NULL);
		for (i = 0; i < nb && strcmp(at(b, i, NULL), s); i++)
			;
		if (i == nb)
			colink_change_add(out, '-', what, s, !more_is_wider, NULL);
	}
}

void colink_diff_agreements(struct colink_changes *out, const struct colink_agreement *a,
			    const struct colink_agreement *b)
{
	size_t i;
	int fa, ta, fb, tb;
	if (strcmp(colink_agreement_id(a), colink_agreement_id(b)))
		colink_change_add(out, '~', "agreement", "id", 0, "%s → %s (a new pseudonym domain: "
				  "pseudonyms no longer match earlier runs)",
				  colink_agreement_id(a), colink_agreement_id(b));
	if (strcmp(colink_agreement_version(a), colink_agreement_version(b)))
		colink_change_add(out, '~', "agreement", "version", 0, "%s → %s",
				  colink_agreement_version(a), colink_agreement_version(b));
	if (strcmp(colink_agreement_title(a), colink_agreement_title(b)))
		colink_change_add(out, '~', "agreement", "title", 0, "\"%s\" → \"%s\"",
				  colink_agreement_title(a), colink_agreement_title(b));
	colink_agreement_period(a, &fa, &ta);
	colink_agreement_period(b, &fb, &tb);
	if (fa != fb || ta != tb)
		colink_change_add(out, '~', "agreement", "period",
				  fb < fa || (ta && (!tb || tb > ta)), "%d..%d → %d..%d", fa, ta, fb, tb);
	for (i = 0; i < colink_agreement_nparties(b); i++) {
		const struct colink_agreement_party *pb = colink_agreement_party_at(b, i);
		const struct colink_agreement_party *pa = colink_agreement_party_get(a, pb->party);
		if (pa)
			diff_party(out, pa, pb);
		else
			colink_change_add(out, '+', "party", colink_party_name(pb->party), 1, "%s",
					  pb->name ? pb->name : "");
	}
	diff_strings(out, "purpose", a, b, colink_agreement_npurposes, colink_agreement_purpose_at, 1);
	diff_strings(out, "prohibited use", a, b, colink_agreement_nprohibited,
		     colink_agreement_prohibited_at, 0);
	for (i = 0; i < colink_agreement_nclauses(b); i++) {
		const struct colink_agreement_clause *cb = colink_agreement_clause_at(b, i);
		const struct colink_agreement_clause *ca = find_clause(a, cb->id);
		if (ca)
			diff_clause(out, ca, cb);
		else
			colink_change_add(out, '+', "clause", cb->id, 1, "%s, %s, %zu items",
					  colink_flow_name(cb->flow), colink_level_name(cb->level),
					  cb->nfields);
	}
	for (i = 0; i < colink_agreement_nclauses(a); i++) {
		const struct colink_agreement_clause *ca = colink_agreement_clause_at(a, i);
		if (!find_clause(b, ca->id))
			colink_change_add(out, '-', "clause", ca->id, 0, "%s, %s, %zu items",
					  colink_flow_name(ca->flow), colink_level_name(ca->level),
					  ca->nfields);
	}
}

/* ---- both kinds ------------------------------------------------------------- */

static int diff_mapping_files(struct colink_changes *out, const char *old_path,
			      const char *new_path, const char *data_dir,
			      struct colink_error *err)
{
	struct colink_catalog *cat = NULL;
	struct colink_variant_table *vt = NULL;
	struct colink_mapping *a = NULL, *b = NULL;
	int rc = colink_env_load(&cat, &vt, data_dir, err);
	if (rc == COLINK_OK)
		rc = colink_mapping_load(&a, old_path, cat, vt, err);
	if (rc == COLINK_OK)
		rc = colink_mapping_load(&b, new_path, cat, vt, err);
	if (rc == COLINK_OK)
		colink_diff_mappings(out, a, b, cat);
	colink_mapping_free(b);
	colink_mapping_free(a);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	return rc;
}

static int diff_agreement_files(struct colink_changes *out, const char *old_path,
				const char *new_path, const char *data_dir,
				struct colink_error *err)
{
	struct colink_catalog *cat = NULL;
	struct colink_variant_table *vt = NULL;
	struct colink_agreement *a = NULL, *b = NULL;
	int rc = colink_env_load(&cat, &vt, data_dir, err);
	if (rc == COLINK_OK)
		rc = colink_agreement_load(&a, old_path, data_dir, cat, err);
	if (rc == COLINK_OK)
		rc = colink_agreement_load(&b, new_path, data_dir, cat, err);
	if (rc == COLINK_OK)
		colink_diff_agreements(out, a, b);
	colink_agreement_free(b);
	colink_agreement_free(a);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	return rc;
}

int colink_diff_files(struct colink_changes *out, const char *old_path,
		      const char *new_path, const char *data_dir,
		      struct colink_error *err)
{
	int ka = 0, kb = 0, rc;
	if ((rc = colink_doc_detect(old_path, &ka, err)) || (rc = colink_doc_detect(new_path, &kb, err)))
		return rc;
	if (ka != kb)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:1: not the same kind of file as %s", new_path,
				  old_path);
	if (ka == COLINK_DOC_MAPPING)
		rc = diff_mapping_files(out, old_path, new_path, data_dir, err);
	else if (ka == COLINK_DOC_AGREEMENT)
		rc = diff_agreement_files(out, old_path, new_path, data_dir, err);
	else
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:1: colink diff compares mappings or agreements, not jobs", old_path);
	if (rc == COLINK_OK && out->oom)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory while comparing %s and %s", old_path,
				new_path);
	return rc;
}
