/* host.c -- the host table given to plugins (see host.h). */
#include "core/host.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "warehouse/warehouse.h"

static void host_log(struct colink_host_ctx *hc, int level, const char *fmt, ...)
{
	char line[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	colink_log_plugin(hc && hc->plugin ? hc->plugin : "plugin", level, "%s", line);
}

static int host_emit(struct colink_emitter *em, const struct colink_raw_record *rec)
{
	return em->on_record(em->ud, rec);
}

static int host_emit_reject(struct colink_emitter *em, uint64_t record_no,
			    uint64_t line_no, const char *column, const char *reason)
{
	return em->on_reject(em->ud, record_no, line_no, column, reason);
}

static int host_emit_header(struct colink_emitter *em, size_t n,
			    const char *const *names)
{
	return em->on_header ? em->on_header(em->ud, n, names) : COLINK_OK;
}

static int host_pseudonym(struct colink_host_ctx *hc, const char *kind,
			  size_t nparts, const char *const *parts, char out[65],
			  struct colink_error *err)
{
	if (!hc || !hc->ps)
		return COLINK_ERR(err, COLINK_EINVAL, "no pseudonym key in this context");
	return colink_pseudo_set_compute(hc->ps, kind, nparts, parts, NULL, out, err);
}

static int host_extract_read(struct colink_host_ctx *hc, const char *path,
			     const struct colink_extract_sink *sink, struct colink_error *err)
{
	(void)hc;
	return colink_wh_extract_read(path, sink, err);
}

void colink_host_init(struct colink_host *h)
{
	memset(h, 0, sizeof(*h));
	h->struct_size = sizeof(*h);
	h->abi_major = COLINK_ABI_MAJOR;
	h->abi_minor = COLINK_ABI_MINOR;
	h->malloc = colink_malloc;
	h->calloc = colink_calloc;
	h->realloc = colink_realloc;
	h->free = colink_free;
	h->log = host_log;
	h->emit = host_emit;
	h->emit_reject = host_emit_reject;
	h->emit_header = host_emit_header;
	h->pseudonym = host_pseudonym;
	h->extract_read = host_extract_read;
}
