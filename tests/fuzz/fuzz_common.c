/* fuzz_common.c -- see fuzz_common.h */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fuzz_common.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/host.h"
#include "base/log.h"
#include "core/run.h"
#include "core/settings.h"
#include "core/transform.h"

static struct colink_catalog *cat;
static struct colink_variant_table *vt;
static char *tmpdir;

void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

const char *fuzz_srcdir(void)
{
	const char *s = getenv("COLINK_TEST_SRCDIR");
	return s && *s ? s : COLINK_SRC_TOP;
}

char *fuzz_path(const char *rel)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", fuzz_srcdir(), rel) < 0)
		fuzz_fail("out of memory");
	return p;
}

/* Quiet logs (plugins warn about every odd archive) and one catalogue. */
static void load_env(void)
{
	struct colink_error err = {0};
	char *dd;
	if (cat)
		return;
	colink_log_set_level(-1);
	dd = fuzz_path("mappings");
	if (colink_env_load(&cat, &vt, dd, &err)) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		fuzz_fail("cannot load the catalogue");
	}
	free(dd);
}

const struct colink_catalog *fuzz_catalog(void)
{
	load_env();
	return cat;
}

const struct colink_variant_table *fuzz_variants(void)
{
	load_env();
	return vt;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	remove(p);
	return 0;
}

static void rm_tmpdir(void)
{
	if (tmpdir)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	if (tmpdir)
		return tmpdir;
	if (asprintf(&tmpdir, "%s/colink-fuzz-XXXXXX", t && *t ? t : "/tmp") < 0 ||
	    !mkdtemp(tmpdir))
		fuzz_fail("cannot create a scratch folder");
	atexit(rm_tmpdir);
	return tmpdir;
}

char *fuzz_tmp(const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", fuzz_tmpdir(), name) < 0)
		fuzz_fail("out of memory");
	return p;
}

void fuzz_write(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		fuzz_fail("cannot write a scratch file");
}

int fuzz_reason_repeats(const char *why, const char *in, size_t len)
{
	if (!why || len < 8 || memchr(in, '\0', len))
		return 0;
	return memmem(why, strlen(why), in, len) != NULL;
}

struct colink_mapping *fuzz_mapping(const char *rel)
{
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	char *p = fuzz_path(rel);
	if (colink_mapping_load(&m, p, fuzz_catalog(), fuzz_variants(), &err)) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		fuzz_fail("cannot load a seed mapping");
	}
	free(p);
	return m;
}

/* ------------------------------------------------------------------ */
/* The miniature run                                                    */
/* ------------------------------------------------------------------ */

struct mini {
	const struct colink_mapping *map;
	struct colink_transform *t;
	uint64_t last_no;
	int stopped; /* the host asked the plugin to stop */
	struct colink_error err;
};

static int utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		k = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
		if (!k || c > 0xF4 || n - i - 1 < k)
			return 0;
		for (j = 1; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

static void next_no(struct mini *r, uint64_t no)
{
	if (no != r->last_no + 1)
		fuzz_fail("record numbers skip or repeat");
	r->last_no = no;
}

static int on_header(void *ud, size_t n, const char *const *names)
{
	struct mini *r = ud;
	if (colink_transform_header(r->t, n, names, &r->err)) {
		r->stopped = 1;
		return COLINK_EABORT;
	}
	return COLINK_OK;
}

static int on_reject(void *ud, uint64_t no, uint64_t line, const char *column,
		     const char *reason)
{
	struct mini *r = ud;
	(void)line, (void)column;
	next_no(r, no);
	if (!reason || !*reason)
		fuzz_fail("a reject without a reason");
	return COLINK_OK;
}

/* 1 when raw field f feeds an identifier of the mapping. */
static int is_identifier(const struct colink_mapping *m, const struct colink_raw_field *f)
{
	size_t i;
	for (i = 0; i < m->nfields; i++) {
		const struct colink_map_field *mf = &m->fields[i];
		if (!(mf->field->flags & COLINK_FIELD_IDENTIFIER))
			continue;
		if ((mf->column && f->name && !strcmp(mf->column, f->name)) ||
		    (mf->position && mf->position == f->index))
			return 1;
	}
	return 0;
}

/* The same text with every ASCII digit and letter moved one step on
 * (9 -> 0, z -> a): same shape, different value.  malloc'd. */
static char *shifted(const char *v, size_t len)
{
	char *s = malloc(len + 1);
	size_t i;
	if (!s)
		fuzz_fail("out of memory");
	for (i = 0; i < len; i++) {
		char c = v[i];
		if (c >= '0' && c <= '9')
			c = c == '9' ? '0' : c + 1;
		else if (c >= 'a' && c <= 'z')
			c = c == 'z' ? 'a' : c + 1;
		else if (c >= 'A' && c <= 'Z')
			c = c == 'Z' ? 'A' : c + 1;
		s[i] = c;
	}
	s[len] = '\0';
	return s;
}

/* Every reason of a reject, one after the other (ABI 2.2), in buf. */
static const char *join_reasons(const struct colink_reject *rj, char *buf, size_t n)
{
	size_t i, used = 0;
	buf[0] = '\0';
	for (i = 0; i < rj->nreasons && used + 1 < n; i++) {
		int w = snprintf(buf + used, n - used, "%s%s", i ? " | " : "", rj->reasons[i].reason);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (!rj->nreasons && rj->reason)
		snprintf(buf, n, "%s", rj->reason);
	return buf;
}

/*
 * A reject reason contains the value of identifier field i.  Coincidence
 * (the value is a word of the reason, e.g. a field name) or a leak?  Run
 * the record again with that value shifted: a reason built from the value
 * follows it, a fixed text does not.
 */
static int leak_confirmed(struct mini *r, const struct colink_raw_record *rec, size_t i)
{
	struct colink_raw_field *fields = malloc(rec->nfields * sizeof(*fields));
	struct colink_raw_record again = *rec;
	const struct colink_out_record *out = NULL;
	struct colink_reject rj;
	char *v, all[COLINK_ERRMSG_MAX * 4];
	int leak;
	if (!fields)
		fuzz_fail("out of memory");
	memcpy(fields, rec->fields, rec->nfields * sizeof(*fields));
	v = shifted(rec->fields[i].value, rec->fields[i].len);
	fields[i].value = v;
	again.fields = fields;
	memset(&rj, 0, sizeof(rj));
	leak = colink_transform_record(r->t, &again, &out, &rj, &r->err) == COLINK_REJECTED &&
	       strcmp(v, rec->fields[i].value) != 0 &&
	       fuzz_reason_repeats(join_reasons(&rj, all, sizeof(all)), v, rec->fields[i].len);
	free(v);
	free(fields);
	return leak;
}

/* What a plugin hands over is UTF-8 of the stated length; a reject
 * reason of the transform never repeats an identifier value. */
static void check_raw(struct mini *r, const struct colink_raw_record *rec,
		      const char *reason)
{
	size_t i;
	for (i = 0; i < rec->nfields; i++) {
		const struct colink_raw_field *f = &rec->fields[i];
		if (!f->value)
			continue;
		if (strlen(f->value) != f->len || !utf8_ok((const unsigned char *)f->value, f->len))
			fuzz_fail("a raw field is not NUL-terminated UTF-8 of its length");
		if (reason && is_identifier(r->map, f) &&
		    fuzz_reason_repeats(reason, f->value, f->len) && leak_confirmed(r, rec, i))
			fuzz_fail("a reject reason repeats an identifier value");
	}
}

static void check_out(const struct colink_out_record *o)
{
	size_t i;
	for (i = 0; i < o->nvalues; i++) {
		const struct colink_out_value *v = &o->values[i];
		if (v->field && (v->field->flags & COLINK_FIELD_IDENTIFIER) && v->v.raw)
			fuzz_fail("an identifier left the transform with its raw value");
	}
	for (i = 0; i < o->npseudonyms; i++)
		if (!o->pseudonyms[i].value || strlen(o->pseudonyms[i].value) != 64)
			fuzz_fail("a pseudonym is not 64 hex");
}

static int on_record(void *ud, const struct colink_raw_record *rec)
{
	struct mini *r = ud;
	const struct colink_out_record *out = NULL;
	struct colink_reject rj;
	int rc;
	next_no(r, rec->record_no);
	check_raw(r, rec, NULL);
	memset(&rj, 0, sizeof(rj));
	rc = colink_transform_record(r->t, rec, &out, &rj, &r->err);
	if (rc == COLINK_REJECTED) {
		char reason[COLINK_ERRMSG_MAX * 4];
		if (!rj.reason || !*rj.reason)
			fuzz_fail("a transform reject without a reason");
		/* copied: a second transform call (leak_confirmed) reuses it;
		 * every reason of the record (#25), not only the first */
		join_reasons(&rj, reason, sizeof(reason));
		check_raw(r, rec, reason);
		return COLINK_OK;
	}
	if (rc) {
		r->stopped = 1;
		return COLINK_EABORT;
	}
	check_out(out);
	return COLINK_OK;
}

static struct colink_pseudo_set *pseudo_set(void)
{
	static struct colink_pseudo_set *ps;
	static struct colink_key *key;
	static const unsigned char raw[32] = "colink-fuzz-key-0123456789abcdef";
	struct colink_error err = {0};
	if (ps)
		return ps;
	if (colink_key_from_bytes(&key, raw, &err) ||
	    colink_pseudo_set_new(&ps, key, NULL, "fuzz-agreement", &err)) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		fuzz_fail("cannot make the pseudonym key");
	}
	return ps;
}

int fuzz_run_plugin(const struct colink_plugin *plugin,
		    const struct colink_mapping *map, const char *path)
{
	struct colink_emitter em = { on_header, on_record, on_reject, NULL };
	struct colink_host_ctx hc = { plugin->name, pseudo_set() };
	struct colink_setting_value *vals = NULL;
	struct colink_host host;
	struct mini r;
	void *ctx = NULL;
	int rc;
	memset(&r, 0, sizeof(r));
	r.map = map;
	em.ud = &r;
	colink_host_init(&host);
	if (colink_settings_resolve(plugin->settings, map->settings, map->nsettings,
				    map->path, plugin->name, &vals, &r.err))
		fuzz_fail("the seed mapping's settings do not resolve");
	if (colink_transform_new(&r.t, map, fuzz_catalog(), pseudo_set(), 1, path, &r.err) ||
	    plugin->init(&ctx, &host, &hc,
			 &(struct colink_setting_values)COLINK_SETTING_VALUES_INIT(
				 .n = colink_settings_count(plugin->settings), .values = vals),
			 &r.err))
		fuzz_fail("transform or plugin init failed");
	rc = plugin->input->read(ctx, path, &em, &r.err);
	if (r.stopped && rc == COLINK_OK)
		fuzz_fail("the plugin ignored a stop from the host");
	if (rc && (!r.err.msg[0] || r.err.code == COLINK_OK))
		fuzz_fail("a failed read without an error message");
	plugin->fini(ctx);
	colink_transform_free(r.t);
	colink_settings_free(vals, colink_settings_count(plugin->settings));
	return rc;
}
