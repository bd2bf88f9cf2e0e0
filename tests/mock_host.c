/* mock_host.c -- see mock_host.h */
#include "mock_host.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/settings.h"

static char *dupn(const char *s, size_t n)
{
	char *d;
	if (!s)
		return NULL;
	d = malloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *dup0(const char *s)
{
	return s ? dupn(s, strlen(s)) : NULL;
}

static struct mock_record *push(struct mock_host *m)
{
	if (m->nrecs == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->recs = realloc(m->recs, m->cap * sizeof(*m->recs));
	}
	memset(&m->recs[m->nrecs], 0, sizeof(*m->recs));
	return &m->recs[m->nrecs++];
}

static int mock_emit(struct colink_emitter *em, const struct colink_raw_record *rec)
{
	struct mock_host *m = (struct mock_host *)em;
	struct mock_record *r;
	size_t i;
	if (m->abort_after >= 0 && (long)mock_host_loaded(m) >= m->abort_after)
		return COLINK_EABORT;
	/* as strict as the core (colink_raw_record_check): a plugin that
	 * forgot COLINK_RAW_RECORD_INIT stops here, visibly */
	if (rec->struct_size != sizeof(*rec) ||
	    (rec->nfields && rec->field_size != sizeof(*rec->fields))) {
		fprintf(stderr, "mock_emit: record of %zu bytes, fields %zu apart (ABI %d: %zu, %zu)\n",
			rec->struct_size, rec->field_size, COLINK_ABI_MAJOR,
			sizeof(*rec), sizeof(*rec->fields));
		return COLINK_EABORT;
	}
	r = push(m);
	r->record_no = rec->record_no;
	r->line_no = rec->line_no;
	r->nfields = rec->nfields;
	r->fields = calloc(rec->nfields ? rec->nfields : 1, sizeof(*r->fields));
	for (i = 0; i < rec->nfields; i++) {
		const struct colink_raw_field *f =
			COLINK_AT(struct colink_raw_field, rec->fields, rec->field_size, i);
		r->fields[i].name = dup0(f->name);
		r->fields[i].index = f->index;
		r->fields[i].value = f->value ? dupn(f->value, f->len) : NULL;
		r->fields[i].len = f->len;
		r->fields[i].unit = dup0(f->unit);
		r->fields[i].code_system = dup0(f->code_system);
		r->fields[i].null_reason = f->null_reason;
		r->fields[i].flag = f->flag;
	}
	return COLINK_OK;
}

static int mock_emit_reject(struct colink_emitter *em, uint64_t record_no,
			    uint64_t line_no, const char *column, const char *reason)
{
	struct mock_host *m = (struct mock_host *)em;
	struct mock_record *r = push(m);
	r->record_no = record_no;
	r->line_no = line_no;
	r->rejected = 1;
	r->reject_column = dup0(column);
	r->reject_reason = dup0(reason);
	return COLINK_OK;
}

static int mock_emit_header(struct colink_emitter *em, size_t n,
			    const char *const *names)
{
	struct mock_host *m = (struct mock_host *)em;
	size_t i;
	m->header = calloc(n ? n : 1, sizeof(char *));
	m->nheader = n;
	for (i = 0; i < n; i++)
		m->header[i] = dup0(names[i]);
	return COLINK_OK;
}

static void mock_log(struct colink_host_ctx *hc, int level, const char *fmt, ...)
{
	struct mock_host *m = (struct mock_host *)hc;
	size_t used = strlen(m->log);
	va_list ap;
	(void)level;
	if (used + 2 >= sizeof(m->log))
		return;
	va_start(ap, fmt);
	vsnprintf(m->log + used, sizeof(m->log) - used - 1, fmt, ap);
	va_end(ap);
	strcat(m->log, "\n");
}

static int mock_pseudonym(struct colink_host_ctx *hc, const char *kind,
			  size_t nparts, const char *const *parts, char out[65],
			  struct colink_error *err)
{
	/* Not a real HMAC: a deterministic stand-in (tests of the identity
	 * module cover the real one). */
	unsigned long h = 5381;
	size_t i;
	(void)hc;
	(void)err;
	for (; *kind; kind++)
		h = h * 33 + (unsigned char)*kind;
	for (i = 0; i < nparts; i++) {
		const char *p;
		for (p = parts[i]; *p; p++)
			h = h * 33 + (unsigned char)*p;
		h = h * 33 + 0x1f;
	}
	snprintf(out, 65, "%064lx", h);
	return COLINK_OK;
}

void mock_host_init(struct mock_host *m)
{
	memset(m, 0, sizeof(*m));
	m->abort_after = -1;
	m->host.struct_size = sizeof(m->host);
	m->host.abi_major = COLINK_ABI_MAJOR;
	m->host.abi_minor = COLINK_ABI_MINOR;
	m->host.malloc = colink_malloc;
	m->host.calloc = colink_calloc;
	m->host.realloc = colink_realloc;
	m->host.free = colink_free;
	m->host.log = mock_log;
	m->host.emit = mock_emit;
	m->host.emit_reject = mock_emit_reject;
	m->host.emit_header = mock_emit_header;
	m->host.pseudonym = mock_pseudonym;
}

void mock_host_reset(struct mock_host *m)
{
	size_t i, j;
	for (i = 0; i < m->nrecs; i++) {
		struct mock_record *r = &m->recs[i];
		for (j = 0; j < r->nfields; j++) {
			free(r->fields[j].name);
			free(r->fields[j].value);
			free(r->fields[j].unit);
			free(r->fields[j].code_system);
		}
		free(r->fields);
		free(r->reject_column);
		free(r->reject_reason);
	}
	free(m->recs);
	for (i = 0; i < m->nheader; i++)
		free(m->header[i]);
	free(m->header);
	{
		struct colink_host h = m->host;
		memset(m, 0, sizeof(*m));
		m->host = h;
		m->abort_after = -1;
	}
}

struct colink_emitter *mock_host_emitter(struct mock_host *m)
{
	return (struct colink_emitter *)m;
}

struct colink_host_ctx *mock_host_ctx(struct mock_host *m)
{
	return (struct colink_host_ctx *)m;
}

size_t mock_host_loaded(const struct mock_host *m)
{
	size_t i, n = 0;
	for (i = 0; i < m->nrecs; i++)
		n += !m->recs[i].rejected;
	return n;
}

size_t mock_host_rejected(const struct mock_host *m)
{
	return m->nrecs - mock_host_loaded(m);
}

const char *mock_field_value(const struct mock_host *m, size_t i, uint32_t index)
{
	size_t j;
	if (i >= m->nrecs)
		return NULL;
	for (j = 0; j < m->recs[i].nfields; j++)
		if (m->recs[i].fields[j].index == index)
			return m->recs[i].fields[j].value;
	return NULL;
}

const struct colink_plugin *mock_load_plugin(const char *name)
{
	const char *top = getenv("COLINK_TEST_BUILDDIR");
	char path[4096];
	void *h;
	colink_plugin_entry_fn entry;
	if (!top)
		top = ".";
	snprintf(path, sizeof(path), "%s/plugins/%s/.libs/%s.so", top, name, name);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "mock_load_plugin: %s\n", dlerror());
		return NULL;
	}
	*(void **)(&entry) = dlsym(h, COLINK_PLUGIN_ENTRY_SYMBOL);
	if (!entry) {
		fprintf(stderr, "mock_load_plugin: no entry in %s\n", path);
		return NULL;
	}
	return entry();
}

int mock_plugin_init(const struct colink_plugin *p, struct mock_host *m,
		     const char *const *settings, void **ctx,
		     struct colink_error *err)
{
	struct colink_setting_given given[64];
	char names[64][64];
	size_t n = 0;
	struct colink_setting_value *vals = NULL;
	int rc;
	for (; settings && settings[n] && n < 64; n++) {
		const char *eq = strchr(settings[n], '=');
		size_t l = eq ? (size_t)(eq - settings[n]) : strlen(settings[n]);
		if (l > 63)
			l = 63;
		memcpy(names[n], settings[n], l);
		names[n][l] = '\0';
		given[n].name = names[n];
		given[n].value = eq ? eq + 1 : "";
		given[n].line = (int)n + 1;
	}
	rc = colink_settings_resolve(p->settings, given, n, "test", p->name,
				     &vals, err);
	if (rc)
		return rc;
	{
		struct colink_setting_values sv =
			colink_settings_view(vals, colink_settings_count(p->settings));
		rc = p->init(ctx, &m->host, mock_host_ctx(m), &sv, err);
	}
	/* settings values point into `given`/defaults: plugins must copy what
	 * they keep during init, so the array can go now. */
	colink_settings_free(vals, colink_settings_count(p->settings));
	return rc;
}
