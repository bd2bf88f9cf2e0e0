/*
 * out_tally.c -- an example colink output plugin, built out of tree.
 *
 * It stores nothing of the records: at the end of a committed run it
 * writes a small tab-separated tally to the file named by its `path`
 * setting -- per input the records read, loaded and rejected, per record
 * kind the records it received, and the run's totals:
 *
 *   run     <run id>
 *   input   <n>  <read>  <loaded>  <rejected>
 *   kind    <kind>  <records>
 *   total   <read>  <loaded>  <rejected>
 *
 * It shows the whole output contract of colink/plugin.h (see
 * colink-plugin(7)): the descriptor built with the initializer macros,
 * a settings table, host memory, the run's calls in order, and a run
 * that lands entirely or not at all (the file is written to PATH.tmp and
 * renamed on commit; abort leaves no file).  It never sees a raw
 * identifier -- an output only ever gets pseudonyms -- and writes none.
 *
 * Build and install with its Makefile (pkg-config colink-plugin only).
 */
#include <colink/plugin.h>

#include <stdio.h>
#include <string.h>

#define MAX_KINDS 16

struct tally_input {
	uint32_t input_no;
	uint64_t read, loaded, rejected;
};

struct tally {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	char *path;
	char *tmp_path;
	char run_id[33];
	struct tally_input *inputs;
	size_t ninputs, cap_inputs;
	char kinds[MAX_KINDS][32];
	uint64_t kind_count[MAX_KINDS];
	size_t nkinds;
	uint64_t rejects_seen;
};

static const struct colink_setting_def settings[] = {
	COLINK_SETTING("path", COLINK_SET_STRING, NULL,
		       "tally file written when the run commits", NULL),
	COLINK_SETTINGS_END
};

static char *host_strdup(const struct colink_host *h, const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	char *d = h->malloc(a + b + 1);
	if (d) {
		memcpy(d, s, a);
		memcpy(d + a, suffix, b + 1);
	}
	return d;
}

static int tally_init(void **ctx, const struct colink_host *host,
		      struct colink_host_ctx *hc,
		      const struct colink_setting_values *vals,
		      struct colink_error *err)
{
	const struct colink_setting_value *path = colink_setting_get(vals, 0);
	struct tally *t;
	if (!path)
		return COLINK_ERR(err, COLINK_EINVAL, "out_tally: no path setting");
	t = host->calloc(1, sizeof(*t));
	if (!t)
		return COLINK_ERR(err, COLINK_ENOMEM, "out_tally: out of memory");
	t->host = host;
	t->hc = hc;
	t->path = host_strdup(host, path->text, ""); /* vals is valid only now */
	t->tmp_path = host_strdup(host, path->text, ".tmp");
	if (!t->path || !t->tmp_path) {
		host->free(t->path);
		host->free(t->tmp_path);
		host->free(t);
		return COLINK_ERR(err, COLINK_ENOMEM, "out_tally: out of memory");
	}
	*ctx = t;
	return COLINK_OK;
}

static void tally_fini(void *ctx)
{
	struct tally *t = ctx;
	if (!t)
		return;
	t->host->free(t->path);
	t->host->free(t->tmp_path);
	t->host->free(t->inputs);
	t->host->free(t);
}

static int tally_begin(void *ctx, const struct colink_run_info *run,
		       struct colink_error *err)
{
	struct tally *t = ctx;
	(void)err;
	/* borrowed during the call: copy what we keep */
	snprintf(t->run_id, sizeof(t->run_id), "%s", run->run_id ? run->run_id : "");
	t->host->log(t->hc, COLINK_LOG_INFO, "out_tally: run %s, tally to %s",
		     t->run_id, t->path);
	return COLINK_OK;
}

static int tally_input_begin(void *ctx, const struct colink_input_info *in,
			     int *skip, struct colink_error *err)
{
	(void)ctx;
	(void)in;
	(void)err;
	*skip = 0; /* a tally has no memory of earlier runs: read everything */
	return COLINK_OK;
}

static int tally_write(void *ctx, const struct colink_out_record *rec,
		       struct colink_error *err)
{
	struct tally *t = ctx;
	const char *kind = rec->kind ? rec->kind : "?";
	size_t i;
	for (i = 0; i < t->nkinds && strcmp(t->kinds[i], kind); i++)
		;
	if (i == t->nkinds) {
		if (t->nkinds == MAX_KINDS)
			return COLINK_REJECT(err, "out_tally: more than %d record kinds",
					     MAX_KINDS);
		snprintf(t->kinds[i], sizeof(t->kinds[i]), "%s", kind);
		t->nkinds++;
	}
	t->kind_count[i]++;
	return COLINK_LOADED;
}

static int tally_reject(void *ctx, const struct colink_reject *rj,
			struct colink_error *err)
{
	struct tally *t = ctx;
	(void)rj; /* the reason names file, record, column and rule; not kept */
	(void)err;
	t->rejects_seen++;
	return COLINK_OK;
}

static int tally_input_end(void *ctx, const struct colink_input_info *in,
			   struct colink_error *err)
{
	struct tally *t = ctx;
	struct tally_input *ti;
	if (colink_grow(t->host->realloc, (void **)&t->inputs, &t->cap_inputs,
			t->ninputs + 1, sizeof(*t->inputs)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out_tally: out of memory");
	ti = &t->inputs[t->ninputs++];
	ti->input_no = in->input_no;
	ti->read = in->read;
	ti->loaded = in->loaded;
	ti->rejected = in->rejected;
	return COLINK_OK;
}

static int tally_commit(void *ctx, const struct colink_run_summary *s,
			struct colink_error *err)
{
	struct tally *t = ctx;
	FILE *f = fopen(t->tmp_path, "w");
	size_t i;
	int bad;
	if (!f)
		return COLINK_ERR(err, COLINK_EIO, "out_tally: cannot create %s", t->tmp_path);
	fprintf(f, "run\t%s\n", t->run_id);
	for (i = 0; i < t->ninputs; i++)
		fprintf(f, "input\t%u\t%llu\t%llu\t%llu\n", (unsigned)t->inputs[i].input_no,
			(unsigned long long)t->inputs[i].read,
			(unsigned long long)t->inputs[i].loaded,
			(unsigned long long)t->inputs[i].rejected);
	for (i = 0; i < t->nkinds; i++)
		fprintf(f, "kind\t%s\t%llu\n", t->kinds[i], (unsigned long long)t->kind_count[i]);
	fprintf(f, "total\t%llu\t%llu\t%llu\n", (unsigned long long)s->read,
		(unsigned long long)s->loaded, (unsigned long long)s->rejected);
	bad = ferror(f);
	if (fclose(f) || bad || rename(t->tmp_path, t->path)) {
		remove(t->tmp_path);
		return COLINK_ERR(err, COLINK_EIO, "out_tally: cannot write %s", t->path);
	}
	return COLINK_OK;
}

static void tally_abort(void *ctx, const struct colink_run_summary *s)
{
	struct tally *t = ctx;
	(void)s;
	remove(t->tmp_path); /* nothing of a failed run remains */
}

static const struct colink_output_ops ops = COLINK_OUTPUT_OPS_INIT(
	.begin = tally_begin, .input_begin = tally_input_begin,
	.write = tally_write, .reject = tally_reject,
	.input_end = tally_input_end, .commit = tally_commit,
	.abort = tally_abort);

static const struct colink_plugin plugin = COLINK_OUTPUT_PLUGIN_INIT(
	.name = "out_tally", .version = "1.0",
	.description = "example: a tally of each run's records per input and kind",
	.settings = settings, .init = tally_init, .fini = tally_fini,
	.output = &ops);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &plugin;
}
