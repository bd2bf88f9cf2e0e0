/*
 * mock_host.h -- a host table for testing one plugin alone: it records what
 * an input plugin emits (deep copies) and what it logs.
 */
#ifndef COLINK_MOCK_HOST_H
#define COLINK_MOCK_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "colink/plugin.h"

struct mock_field {
	char *name;      /* NULL if the plugin gave none */
	uint32_t index;
	char *value;     /* NULL if the plugin gave none */
	size_t len;
	char *unit, *code_system;
	int null_reason;
	char flag;
};

struct mock_record {
	uint64_t record_no, line_no;
	size_t nfields;
	struct mock_field *fields;
	int rejected;            /* 1 for emit_reject */
	char *reject_column;
	char *reject_reason;
};

struct mock_host {
	struct colink_host host;
	struct mock_record *recs;
	size_t nrecs, cap;
	char **header;
	size_t nheader;
	char log[16384]; /* every log line, '\n' separated */
	long abort_after; /* emit returns COLINK_EABORT once this many records were taken; -1 never */
};

void mock_host_init(struct mock_host *m);
void mock_host_reset(struct mock_host *m); /* frees what was recorded */
struct colink_emitter *mock_host_emitter(struct mock_host *m);
struct colink_host_ctx *mock_host_ctx(struct mock_host *m);

/* Count of records emitted (not rejected) and rejected. */
size_t mock_host_loaded(const struct mock_host *m);
size_t mock_host_rejected(const struct mock_host *m);

/* Value of field `index` (1-based) of record i, or NULL. */
const char *mock_field_value(const struct mock_host *m, size_t i, uint32_t index);

/*
 * Load a plugin from the build tree by name (dlopen of
 * $COLINK_TEST_BUILDDIR/plugins/NAME/.libs/NAME.so).  The handle is kept
 * open for the life of the test program.  NULL on failure (message on
 * stderr).
 */
const struct colink_plugin *mock_load_plugin(const char *name);

/*
 * Create an instance of `p` with settings "name=value" strings (NULL
 * terminated), validated by the engine's settings module.  Returns the
 * init return code; *ctx as init sets it.  *vals_out (may be NULL) keeps
 * the resolved values (free with colink_settings_free).
 */
int mock_plugin_init(const struct colink_plugin *p, struct mock_host *m,
		     const char *const *settings, void **ctx,
		     struct colink_error *err);

#endif
