/*
 * unmapped.c -- unmapped columns judged before any data moves
 * (unmapped.h).
 */
#include "steward/unmapped.h"

#include <string.h>

#include "base/alloc.h"
#include "core/host.h"
#include "core/settings.h"

#define RAWF(rec, k) COLINK_AT(struct colink_raw_field, (rec)->fields, (rec)->field_size, (k))

struct peek {
	const struct colink_mapping *m;
	const struct colink_scan_vocab *v;
	const char *input;
	struct colink_error *err;
	int judged;   /* a header or a first record was seen */
	int refused;  /* *err holds the refusal */
};

/* 1 when the mapping reads or drops the source column (name, position). */
static int named(const struct colink_mapping *m, const char *name, uint32_t pos)
{
	size_t i;
	for (i = 0; i < m->nfields; i++) {
		const struct colink_map_field *f = &m->fields[i];
		if (f->column ? name && !strcmp(f->column, name) : f->position == pos)
			return 1;
	}
	/* <from> parts and <choose> flags are read too (#18) */
	return colink_mapping_ignores(m, name) || colink_mapping_reads(m, name);
}

static int is_item_code(const char *s)
{
	size_t i;
	if (strlen(s) != 17)
		return 0;
	for (i = 0; i < 17; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

/* Judge source column `pos` named `name` (may be NULL); 1 when refused. */
static int judge(struct peek *pk, const char *name, uint32_t pos)
{
	const struct colink_mapping *m = pk->m;
	const char *field = NULL;
	if (named(m, name, pos))
		return 0;
	if (name && *name && strchr(name, '.') && !is_item_code(name))
		return 0; /* header parts and author names: stored only when mapped */
	if (!name || !*name) {
		COLINK_ERR(pk->err, COLINK_EINVAL,
			   "%s:%d: column %u of %s has no header name, and <unmapped columns=\"observation\"/> "
			   "would store its values unreviewed: read the file with its header row, map the column, "
			   "or use <unmapped columns=\"ignore\"/>",
			   m->path, m->unmapped_line, (unsigned)pos, pk->input);
		return 1;
	}
	if (!colink_scan_header_is_identifier(pk->v, name, &field))
		return 0;
	if (field)
		COLINK_ERR(pk->err, COLINK_EINVAL,
			   "%s:%d: column \"%s\" of %s (column %u) names identifier %s, and <unmapped "
			   "columns=\"observation\"/> would store it as raw text: map it with <field target=\"%s\" "
			   "column=\"%s\"/> (pseudonymized, never stored) or drop it with <ignore column=\"%s\"/>",
			   m->path, m->unmapped_line, name, pk->input, (unsigned)pos, field, field, name, name);
	else
		COLINK_ERR(pk->err, COLINK_EINVAL,
			   "%s:%d: column \"%s\" of %s (column %u) is an identifier colink has no field for, and "
			   "<unmapped columns=\"observation\"/> would store it as raw text: drop it with "
			   "<ignore column=\"%s\"/>",
			   m->path, m->unmapped_line, name, pk->input, (unsigned)pos, name);
	return 1;
}

static int on_header(void *ud, size_t n, const char *const *names)
{
	struct peek *pk = ud;
	size_t j;
	pk->judged = 1;
	for (j = 0; j < n && !pk->refused; j++)
		pk->refused = judge(pk, names[j], (uint32_t)(j + 1));
	return COLINK_EABORT; /* the names are all we read */
}

static int on_record(void *ud, const struct colink_raw_record *rec)
{
	struct peek *pk = ud;
	size_t k;
	if (!pk->judged) /* no header row: the first record's field names */
		for (k = 0; k < rec->nfields && !pk->refused; k++)
			pk->refused = judge(pk, RAWF(rec, k)->name, RAWF(rec, k)->index);
	pk->judged = 1;
	return COLINK_EABORT;
}

static int on_reject(void *ud, uint64_t record_no, uint64_t line_no, const char *column,
		     const char *reason)
{
	return COLINK_OK; /* undecodable: the run rejects it; read on to a record */
}

int colink_unmapped_check_file(const struct colink_mapping *m,
			       const struct colink_scan_vocab *v,
			       const struct colink_loaded_plugin *lp,
			       const struct colink_setting_value *vals,
			       const char *input, struct colink_error *err)
{
	struct peek pk = {m, v, input, err, 0, 0};
	struct colink_emitter em = {on_header, on_record, on_reject, &pk};
	struct colink_setting_values sv =
		colink_settings_view(vals, colink_settings_count(lp->settings));
	struct colink_host host;
	struct colink_host_ctx hc = {lp->desc->name, NULL};
	struct colink_error perr = {0};
	void *ictx = NULL;
	if (m->unmapped != COLINK_UNMAPPED_OBSERVATION || m->extract || !lp->desc->input)
		return COLINK_OK;
	colink_host_init(&host);
	if (lp->desc->init(&ictx, &host, &hc, &sv, &perr) == COLINK_OK) {
		lp->desc->input->read(ictx, input, &em, &perr);
		lp->desc->fini(ictx);
	}
	/* the plugin's own errors (unreadable, undecodable) are the run's to
	 * report: here only a refusal counts */
	return pk.refused ? COLINK_EINVAL : COLINK_OK;
}

int colink_unmapped_check_plan(const struct colink_plan *p, const char *data_dir,
			       struct colink_error *err)
{
	struct colink_scan_vocab *v = NULL;
	size_t i, k;
	int rc = COLINK_OK, any = 0;
	for (i = 0; i < p->ninputs; i++)
		any |= p->inputs[i].map->unmapped == COLINK_UNMAPPED_OBSERVATION;
	if (!any)
		return COLINK_OK;
	rc = colink_scan_vocab_load(&v, data_dir, p->cat, err);
	for (i = 0; rc == COLINK_OK && i < p->ninputs; i++) {
		const struct colink_plan_input *in = &p->inputs[i];
		for (k = 0; rc == COLINK_OK && k < in->nfiles; k++)
			rc = colink_unmapped_check_file(in->map, v, in->plugin, in->vals,
							in->files[k], err);
	}
	colink_scan_vocab_free(v);
	return rc;
}
