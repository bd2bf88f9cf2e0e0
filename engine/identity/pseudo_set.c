/*
 * pseudo_set.c -- the run's pseudonymizers, one derived key per key kind,
 * made lazily (pseudo_set.h).  Moved out of core/transform.c (#14): the
 * keyed hashing belongs to the identity layer; the transform only asks
 * for a pseudonym of already normalized parts.
 */
#include "identity/pseudo_set.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

struct ps_entry {
	char *kind;
	struct colink_pseudonymizer *p;
};

struct colink_pseudo_set {
	const struct colink_key *key;
	char key_id[17];
	char *agreement;
	struct ps_entry *e;
	size_t n;
};

int colink_pseudo_set_new(struct colink_pseudo_set **out,
			  const struct colink_key *key, const char *key_id,
			  const char *agreement, struct colink_error *err)
{
	struct colink_pseudo_set *ps;
	*out = NULL;
	if (!key && !key_id)
		return COLINK_ERR(err, COLINK_EINVAL, "no pseudonym key and no key id");
	ps = colink_calloc(1, sizeof(*ps));
	if (!ps || !(ps->agreement = colink_strdup(agreement))) {
		colink_free(ps);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	ps->key = key;
	snprintf(ps->key_id, sizeof(ps->key_id), "%s", key ? colink_key_id(key) : key_id);
	*out = ps;
	return COLINK_OK;
}

const char *colink_pseudo_set_key_id(const struct colink_pseudo_set *ps)
{
	return ps->key_id;
}

void colink_pseudo_set_free(struct colink_pseudo_set *ps)
{
	size_t i;
	if (!ps)
		return;
	for (i = 0; i < ps->n; i++) {
		colink_free(ps->e[i].kind);
		colink_pseudonymizer_free(ps->e[i].p);
	}
	colink_free(ps->e);
	colink_free(ps->agreement);
	colink_free(ps);
}

static struct colink_pseudonymizer *ps_get(struct colink_pseudo_set *ps,
					    const char *kind,
					    struct colink_error *err)
{
	struct ps_entry *ne;
	size_t i;
	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->e[i].kind, kind))
			return ps->e[i].p;
	ne = colink_realloc(ps->e, (ps->n + 1) * sizeof(*ne));
	if (!ne) {
		COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		return NULL;
	}
	ps->e = ne;
	ne[ps->n].kind = colink_strdup(kind);
	ne[ps->n].p = NULL;
	if (!ne[ps->n].kind) {
		COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		return NULL;
	}
	if (colink_pseudonymizer_new(&ne[ps->n].p, ps->key, ps->agreement, kind, err)) {
		colink_free(ne[ps->n].kind);
		return NULL;
	}
	return ne[ps->n++].p;
}

int colink_pseudo_set_compute(struct colink_pseudo_set *ps, const char *kind,
			      size_t nparts, const char *const *parts,
			      const size_t *lens, char out[65],
			      struct colink_error *err)
{
	struct colink_pseudonymizer *p;
	if (!ps->key)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "this run has no key file (only a key id): it cannot make pseudonyms");
	p = ps_get(ps, kind, err);
	if (!p)
		return err ? err->code : COLINK_ENOMEM;
	return colink_pseudonym_compute(p, nparts, parts, lens, out, err);
}
