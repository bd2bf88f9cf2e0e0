/*
 * host.h -- the engine side of the host table handed to plugins.  The
 * emitter routes an input plugin's records to whoever runs it (a run, a
 * preview) through three callbacks.
 */
#ifndef COLINK_HOST_H
#define COLINK_HOST_H

#include "colink/plugin.h"
#include "core/transform.h"

struct colink_emitter {
	int (*on_header)(void *ud, size_t n, const char *const *names);
	int (*on_record)(void *ud, const struct colink_raw_record *rec);
	int (*on_reject)(void *ud, uint64_t record_no, uint64_t line_no,
			 const char *column, const char *reason);
	void *ud;
};

struct colink_host_ctx {
	const char *plugin;             /* name, for log lines */
	struct colink_pseudo_set *ps;   /* may be NULL: no pseudonym service */
};

/* Fill the host table (static functions of host.c). */
void colink_host_init(struct colink_host *h);

#endif
