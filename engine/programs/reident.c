/*
 * reident.c -- employee numbers for an identified report, from the
 * employer's own roster: the roster is read through its mapping, each row's
 * person key (the employee-number pseudonym) is computed with the warehouse's
 * key and agreement, and a row is kept only when its pseudonym is one of the
 * report's persons.  The raw number of every other row is wiped at once.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/mapping.h"
#include "programs/programs.h"
#include "steward/read_mapped.h"
#include "core/transform.h"

#define NUMBER_MAX 64

struct entry {
	char pid[65];
	char *number; /* NULL until the roster gives it */
};

struct colink_reident {
	struct entry *e;
	size_t n;
	char key_id[17];
};

struct reading {
	struct colink_reident *r;
	struct colink_transform *t;
	const struct colink_map_field *mf;
	uint32_t col; /* 1-based position of the employee-number column */
	struct colink_error *err;
	int fatal;
	const struct colink_key *key; /* the warehouse's */
	const char *mpath;            /* the roster mapping, for messages */
};

static int by_pid(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->pid, ((const struct entry *)b)->pid);
}

static struct entry *find(const struct colink_reident *r, const char *pid)
{
	struct entry key;
	if (!pid || strlen(pid) != 64 || !r->n)
		return NULL;
	memcpy(key.pid, pid, 65);
	return bsearch(&key, r->e, r->n, sizeof(r->e[0]), by_pid);
}

static int on_header(void *ud, size_t n, const char *const *names)
{
	struct reading *rd = ud;
	size_t i;
	if (colink_transform_header(rd->t, n, names, rd->err)) {
		rd->fatal = 1;
		return COLINK_EABORT;
	}
	for (i = 0; rd->mf->column && i < n; i++)
		if (names[i] && !strcmp(names[i], rd->mf->column))
			rd->col = (uint32_t)(i + 1);
	return COLINK_OK;
}

static int on_record(void *ud, const struct colink_raw_record *rec)
{
	struct reading *rd = ud;
	const struct colink_out_record *o;
	struct colink_reject rj;
	const struct colink_raw_field *raw = NULL;
	struct entry *en;
	char *norm = NULL, why[128];
	size_t k, nlen = 0;
	int rc;
	rc = colink_transform_record(rd->t, rec, &o, &rj, rd->err);
	if (rc == COLINK_REJECTED)
		return COLINK_OK; /* the run rejected it too: not in the warehouse */
	if (rc) {
		rd->fatal = 1;
		return COLINK_EABORT;
	}
	/* after the transform: it checked the record's sizes */
	for (k = 0; k < rec->nfields; k++) {
		const struct colink_raw_field *f =
			COLINK_AT(struct colink_raw_field, rec->fields, rec->field_size, k);
		if ((rd->mf->column && f->name && !strcmp(f->name, rd->mf->column)) ||
		    (rd->col && f->index == rd->col) || (rd->mf->position && f->index == rd->mf->position))
			raw = f;
	}
	if (!raw || !raw->value || !(en = find(rd->r, o->person)) || en->number)
		return COLINK_OK;
	if (colink_normalize(rd->mf->norm, raw->value, raw->len, &norm, &nlen, why, sizeof(why)))
		return COLINK_OK;
	if (nlen > NUMBER_MAX) {
		colink_wipe_free(norm, nlen);
		return COLINK_OK;
	}
	en->number = norm;
	return COLINK_OK;
}

static int on_reject(void *ud, uint64_t rn, uint64_t ln, const char *col, const char *why)
{
	(void)ud;
	(void)rn;
	(void)ln;
	(void)col;
	(void)why;
	return COLINK_OK;
}

/* Called once the roster mapping is checked: it must key persons by the
 * employee number; the pseudonyms are made with the warehouse's key. */
static int roster_ready(void *ud, const struct colink_mapping *m, const struct colink_key **key,
			struct colink_error *err)
{
	struct reading *rd = ud;
	if (!(rd->mf = colink_mapping_find(m, "employee_number")) || !m->primary_key ||
	    strcmp(m->primary_key->kind, "employee") || !rd->mf->norm)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: a roster mapping whose person key is the "
				  "employee number (primary-key kind employee) is needed", rd->mpath);
	*key = rd->key;
	return COLINK_OK;
}

static int read_roster(struct colink_reident *r, const char *data_dir, const char *plugin_dirs,
		       const char *roster, const char *mpath, const struct colink_key *key,
		       const char *agreement_id, struct colink_error *err)
{
	struct reading rd = {r, NULL, NULL, 0, err, 0, key, mpath};
	struct colink_emitter em = {on_header, on_record, on_reject, &rd};
	const struct colink_read_mapped rm = {data_dir, plugin_dirs, mpath, roster, agreement_id,
					      roster_ready, &rd.t, &em, &rd.fatal};
	return colink_read_mapped(&rm, err);
}

int colink_reident_load(struct colink_reident **out, const char *data_dir, const char *plugin_dirs,
			const char *roster, const char *roster_mapping, const char *key_file,
			const char *agreement_id, const char *const *wanted, size_t nwanted,
			struct colink_error *err)
{
	struct colink_reident *r;
	struct colink_key *key = NULL;
	size_t i, j;
	int rc;
	*out = NULL;
	if (!(r = colink_calloc(1, sizeof(*r))) ||
	    (nwanted && !(r->e = colink_calloc(nwanted, sizeof(r->e[0]))))) {
		colink_free(r);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	for (i = 0; i < nwanted; i++)
		if (wanted[i] && strlen(wanted[i]) == 64)
			memcpy(r->e[r->n++].pid, wanted[i], 65);
	qsort(r->e, r->n, sizeof(r->e[0]), by_pid);
	for (i = j = 0; i < r->n; i++) /* unique */
		if (!j || strcmp(r->e[j - 1].pid, r->e[i].pid))
			r->e[j++] = r->e[i];
	r->n = j;
	rc = colink_key_load(&key, key_file, err);
	if (rc == COLINK_OK) {
		snprintf(r->key_id, sizeof(r->key_id), "%s", colink_key_id(key));
		rc = read_roster(r, data_dir, plugin_dirs, roster, roster_mapping, key, agreement_id, err);
	}
	colink_key_free(key);
	if (rc) {
		colink_reident_free(r);
		return rc;
	}
	*out = r;
	return COLINK_OK;
}

const char *colink_reident_employee_number(const struct colink_reident *r, const char *person_id)
{
	const struct entry *e = r ? find(r, person_id) : NULL;
	return e ? e->number : NULL;
}

const char *colink_reident_key_id(const struct colink_reident *r)
{
	return r ? r->key_id : "";
}

void colink_reident_free(struct colink_reident *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		if (r->e[i].number)
			colink_wipe_free(r->e[i].number, strlen(r->e[i].number));
	colink_free(r->e);
	colink_free(r);
}
