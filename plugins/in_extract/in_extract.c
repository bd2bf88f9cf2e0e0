/*
 * in_extract -- reads a pseudonymized extract written by `colink
 * pseudonymize` at another site (split-site deployment).
 *
 * An extract is a warehouse-format SQLite file (see
 * mappings/warehouse/schema.sql) that holds pseudonyms, never raw
 * identifiers.  Each checkup row becomes one record whose fields are named
 * for the engine's extract mode (mapping <extract/>):
 *   extract.key_id          the key id the extract was made with
 *   extract.normalization   the identity-normalization version of its
 *                           pseudonyms, or "unrecorded" (before schema 5)
 *   pseudonym.<kind>        every pseudonym of the person (person_key)
 *   derived.<x>             birth_ym, age_at_exam, age_fy_end, fiscal_year
 *   <field>                 common-schema fields (sex, exam_date, sbp_1 ...)
 *   <field or item code>    observation and questionnaire rows, with unit,
 *                           code system, null reason and flag
 * The exact text of an observation row wins over the REAL wide column of
 * the same field (it carries the reason or flag the column cannot).
 *
 * The extract is read by the engine's warehouse module through the host
 * table (host->extract_read): no SQL lives in this plugin.  One record in
 * memory at a time: each field's text is copied into a per-instance pool
 * reset for every record.
 */
#include <colink/plugin.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

struct pool {
	char *buf;
	size_t len, cap;
};

struct ctx {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	struct colink_raw_field *f;
	size_t nf, capf;
	struct pool pool;
	struct colink_emitter *em;
	uint64_t recno;
	int oom;              /* a field could not be stored */
};

static int null_from_name(const char *s)
{
	static const char *const names[] = {"", "not-performed", "unmeasurable", "missing",
					     "below-range", "above-range", "invalid"};
	size_t i;
	for (i = 1; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return COLINK_NULL_NONE;
}

/* ---- per-record storage ---- */

/* Copy s into the pool; returns an offset (pointers are fixed up at emit,
 * since the pool may move while a record is being assembled). */
static long pool_put(struct ctx *c, const char *s)
{
	size_t l = strlen(s) + 1;
	long off = (long)c->pool.len;
	size_t need;
	void *buf = c->pool.buf;
	if (colink_checked_add(&need, c->pool.len, l) || need > (size_t)LONG_MAX ||
	    colink_grow(c->host->realloc, &buf, &c->pool.cap, need, 1))
		return -1;
	c->pool.buf = buf;
	memcpy(c->pool.buf + c->pool.len, s, l);
	c->pool.len += l;
	return off;
}

#define OFF(x) ((const char *)(uintptr_t)(x))
#define NOSTR ((long)-2)

/* Add a field; strings are stored as pool offsets until emit. */
static int add(struct ctx *c, const char *name, const char *value, const char *unit,
	       const char *cs, int null_reason, char flag)
{
	struct colink_raw_field *f;
	long on, ov, ou = NOSTR, oc = NOSTR;
	void *fa = c->f;
	if (colink_grow(c->host->realloc, &fa, &c->capf, c->nf + 1, sizeof(*c->f)))
		return COLINK_ENOMEM;
	c->f = fa;
	on = pool_put(c, name);
	ov = value ? pool_put(c, value) : NOSTR;
	if (unit)
		ou = pool_put(c, unit);
	if (cs)
		oc = pool_put(c, cs);
	if (on < 0 || ov == -1 || ou == -1 || oc == -1)
		return COLINK_ENOMEM;
	f = &c->f[c->nf++];
	memset(f, 0, sizeof(*f));
	f->name = OFF(on);
	f->value = OFF(ov);
	f->unit = OFF(ou);
	f->code_system = OFF(oc);
	f->null_reason = null_reason;
	f->flag = flag;
	f->index = (uint32_t)c->nf;
	return COLINK_OK;
}

static const char *fix(struct ctx *c, const char *off)
{
	long o = (long)(uintptr_t)off;
	return o == NOSTR ? NULL : c->pool.buf + o;
}

static int emit(struct ctx *c, struct colink_emitter *em, uint64_t recno)
{
	struct colink_raw_record r = COLINK_RAW_RECORD_INIT(.nfields = 0);
	size_t i;
	for (i = 0; i < c->nf; i++) {
		c->f[i].name = fix(c, c->f[i].name);
		c->f[i].value = fix(c, c->f[i].value);
		c->f[i].len = c->f[i].value ? strlen(c->f[i].value) : 0;
		c->f[i].unit = fix(c, c->f[i].unit);
		c->f[i].code_system = fix(c, c->f[i].code_system);
	}
	r.record_no = recno;
	r.line_no = 0;
	r.nfields = c->nf;
	r.fields = c->f;
	return c->host->emit(em, &r);
}

/* ---- the host's extract reader calls these ---- */

static int on_field(void *ud, const struct colink_extract_field *f)
{
	struct ctx *c = ud;
	int rc = add(c, f->name, f->value, f->unit, f->code_system, null_from_name(f->null_reason),
		     f->flag ? f->flag[0] : 0);
	if (rc == COLINK_ENOMEM)
		c->oom = 1;
	return rc;
}

static int on_record_end(void *ud)
{
	struct ctx *c = ud;
	int rc = emit(c, c->em, ++c->recno);
	c->nf = 0;
	c->pool.len = 0;
	return rc;
}

static int ex_read(void *vctx, const char *path, struct colink_emitter *em,
		   struct colink_error *err)
{
	struct ctx *c = vctx;
	struct colink_extract_sink sink;
	int rc;
	if (c->host->struct_size < offsetof(struct colink_host, extract_read) + sizeof(c->host->extract_read) ||
	    !c->host->extract_read)
		return COLINK_ERR(err, COLINK_EABI, "%s: this colink cannot read extracts", path);
	memset(&sink, 0, sizeof(sink));
	sink.struct_size = sizeof(sink);
	sink.field = on_field;
	sink.record_end = on_record_end;
	sink.ud = c;
	c->em = em;
	c->recno = 0;
	c->nf = 0;
	c->pool.len = 0;
	c->oom = 0;
	rc = c->host->extract_read(c->hc, path, &sink, err);
	if (rc == COLINK_ENOMEM && c->oom)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory", path);
	return rc;
}

static int ex_init(void **out, const struct colink_host *host, struct colink_host_ctx *hc,
		   const struct colink_setting_values *vals, struct colink_error *err)
{
	struct ctx *c = host->calloc(1, sizeof(*c));
	(void)vals;
	if (!c)
		return COLINK_ERR(err, COLINK_ENOMEM, "in_extract: out of memory");
	c->host = host;
	c->hc = hc;
	*out = c;
	return COLINK_OK;
}

static void ex_fini(void *vctx)
{
	struct ctx *c = vctx;
	if (!c)
		return;
	c->host->free(c->f);
	c->host->free(c->pool.buf);
	c->host->free(c);
}

static const struct colink_setting_def settings[] = { COLINK_SETTINGS_END };

static const struct colink_input_ops ops = COLINK_INPUT_OPS_INIT(
	.read = ex_read);

static const struct colink_plugin plugin = COLINK_INPUT_PLUGIN_INIT(
	.name = "in_extract",
	.version = "1.0",
	.description = "pseudonymized extracts written by `colink pseudonymize` (split-site mode)",
	.settings = settings,
	.init = ex_init,
	.fini = ex_fini,
	.input = &ops);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &plugin;
}
