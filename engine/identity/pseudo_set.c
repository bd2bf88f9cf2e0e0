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
	size_t len; /* strlen(kind) */
	struct colink_pseudonymizer *p;
};

/* One remembered keyed hash of a short input (colink_pseudo_set_memo). */
#define MEMO_SLOTS 16384u      /* a power of two */
#define MEMO_MAX (MEMO_SLOTS / 4 * 3)
#define MEMO_KEY 24

struct memo_slot {
	unsigned char used, klen;
	unsigned short kind;   /* index into e[] */
	char key[MEMO_KEY];    /* the parts, each length-prefixed */
	char hex[65];
};

struct colink_pseudo_set {
	const struct colink_key *key;
	char key_id[17];
	char *agreement;
	struct ps_entry *e;
	size_t n;
	struct memo_slot *memo; /* NULL until the first colink_pseudo_set_memo */
	size_t nmemo;
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
	if (ps->memo) {
		explicit_bzero(ps->memo, MEMO_SLOTS * sizeof(*ps->memo));
		colink_free(ps->memo);
	}
	colink_free(ps->agreement);
	colink_free(ps);
}

/*
 * The entry of `kind`, made on first use; *ix its index.  One scan a call:
 * every feature kind starts with "feature.", so a strcmp per entry read
 * eight bytes or more of each (bench/RESULTS.md, round 11); the lengths
 * tell most kinds apart first.
 */
static struct ps_entry *ps_get(struct colink_pseudo_set *ps, const char *kind,
			       size_t *ix, struct colink_error *err)
{
	struct ps_entry *ne;
	size_t i, len = strlen(kind);
	for (i = 0; i < ps->n; i++)
		if (ps->e[i].len == len && !memcmp(ps->e[i].kind, kind, len)) {
			*ix = i;
			return &ps->e[i];
		}
	ne = colink_realloc(ps->e, (ps->n + 1) * sizeof(*ne));
	if (!ne) {
		COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		return NULL;
	}
	ps->e = ne;
	ne[ps->n].kind = colink_strdup(kind);
	ne[ps->n].len = len;
	ne[ps->n].p = NULL;
	if (!ne[ps->n].kind) {
		COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		return NULL;
	}
	if (colink_pseudonymizer_new(&ne[ps->n].p, ps->key, ps->agreement, kind, err)) {
		colink_free(ne[ps->n].kind);
		return NULL;
	}
	*ix = ps->n;
	return &ne[ps->n++];
}

int colink_pseudo_set_compute(struct colink_pseudo_set *ps, const char *kind,
			      size_t nparts, const char *const *parts,
			      const size_t *lens, char out[65],
			      struct colink_error *err)
{
	struct ps_entry *e;
	size_t ix;
	if (!ps->key)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "this run has no key file (only a key id): it cannot make pseudonyms");
	e = ps_get(ps, kind, &ix, err);
	if (!e)
		return err ? err->code : COLINK_ENOMEM;
	return colink_pseudonym_compute(e->p, nparts, parts, lens, out, err);
}

/* The parts as one memo key: each part's length byte, then its bytes;
 * 0 when they do not fit. */
static size_t memo_key(size_t nparts, const char *const *parts, const size_t *lens,
		       char key[MEMO_KEY])
{
	size_t i, n = 0;
	for (i = 0; i < nparts; i++) {
		size_t l;
		if (!parts[i])
			return 0;
		l = lens ? lens[i] : strlen(parts[i]);
		if (n + 1 + l > MEMO_KEY)
			return 0;
		key[n++] = (char)l;
		memcpy(key + n, parts[i], l);
		n += l;
	}
	return n;
}

int colink_pseudo_set_memo(struct colink_pseudo_set *ps, const char *kind,
			   size_t nparts, const char *const *parts,
			   const size_t *lens, char out[65], struct colink_error *err)
{
	char key[MEMO_KEY];
	size_t klen, i, h = 2166136261u, kind_ix;
	struct memo_slot *s;
	struct ps_entry *e;
	int rc;
	if (!ps->key || !(e = ps_get(ps, kind, &kind_ix, err)))
		return colink_pseudo_set_compute(ps, kind, nparts, parts, lens, out, err);
	klen = nparts && parts ? memo_key(nparts, parts, lens, key) : 0;
	if (!klen || kind_ix > 0xFFFF || (!ps->memo && !(ps->memo = colink_calloc(MEMO_SLOTS,
										 sizeof(*ps->memo)))))
		return colink_pseudonym_compute(e->p, nparts, parts, lens, out, err);
	h = (h ^ kind_ix) * 16777619u;
	for (i = 0; i < klen; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	for (i = h & (MEMO_SLOTS - 1);; i = (i + 1) & (MEMO_SLOTS - 1)) {
		s = &ps->memo[i];
		if (!s->used)
			break;
		if (s->kind == kind_ix && s->klen == klen && !memcmp(s->key, key, klen)) {
			memcpy(out, s->hex, 65);
			explicit_bzero(key, sizeof(key));
			return COLINK_OK;
		}
	}
	rc = colink_pseudonym_compute(e->p, nparts, parts, lens, out, err);
	if (!rc && ps->nmemo < MEMO_MAX) {
		s->used = 1;
		s->klen = (unsigned char)klen;
		s->kind = (unsigned short)kind_ix;
		memcpy(s->key, key, klen);
		memcpy(s->hex, out, 65);
		ps->nmemo++;
	}
	explicit_bzero(key, sizeof(key));
	return rc;
}
