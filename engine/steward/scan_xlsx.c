/*
 * scan_xlsx.c -- `colink scan` on an Excel workbook.  See scan_xlsx.h.
 * Kept apart from scan.c: the CSV profiler is reused whole.
 */
#include "steward/scan_xlsx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "core/host.h"
#include "core/loader.h"
#include "core/run.h"
#include "core/settings.h"

int colink_scan_is_xlsx(const char *path)
{
	size_t n = strlen(path);
	return n > 5 && !strcasecmp(path + n - 5, ".xlsx");
}

struct sink {
	FILE *f;
	int failed;
};

static char *sheets_seen; /* the plugin's sheet list (one scan at a time) */

static void scan_log(struct colink_host_ctx *hc, int level, const char *fmt, ...)
{
	char line[900];
	const char *at;
	va_list ap;
	(void)hc;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if ((at = strstr(line, ": sheets: ")) && !sheets_seen) {
		sheets_seen = colink_strdup(at + 10);
		return;
	}
	colink_log(level, "in_xlsx: %s", line);
}

static void put_field(FILE *f, const char *v, size_t n)
{
	size_t i;
	fputc('"', f);
	for (i = 0; i < n; i++) {
		if (v[i] == '"')
			fputc('"', f);
		fputc(v[i], f);
	}
	fputc('"', f);
}

static int on_header(void *ud, size_t n, const char *const *names)
{
	struct sink *s = ud;
	size_t i;
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', s->f);
		put_field(s->f, names[i] ? names[i] : "", names[i] ? strlen(names[i]) : 0);
	}
	fputc('\n', s->f);
	return COLINK_OK;
}

static int on_record(void *ud, const struct colink_raw_record *rec)
{
	struct sink *s = ud;
	size_t i;
	for (i = 0; i < rec->nfields; i++) {
		const struct colink_raw_field *f = COLINK_AT(struct colink_raw_field, rec->fields,
							     rec->field_size, i);
		if (i)
			fputc(',', s->f);
		put_field(s->f, f->value ? f->value : "", f->value ? f->len : 0);
	}
	fputc('\n', s->f);
	return ferror(s->f) ? (s->failed = 1, COLINK_EABORT) : COLINK_OK;
}

static int on_reject(void *ud, uint64_t record_no, uint64_t line_no, const char *column,
		     const char *reason)
{
	(void)ud, (void)record_no, (void)line_no, (void)column, (void)reason;
	return COLINK_OK; /* a row the plugin cannot decode is not profiled */
}

/* Read the sheet through in_xlsx into `f` as CSV. */
static int to_csv(FILE *f, const char *path, const char *sheet, long header_row,
		  const char *plugin_dirs, struct colink_error *err)
{
	struct colink_loader *l = NULL;
	const struct colink_loaded_plugin *p;
	struct colink_setting_value *vals = NULL;
	struct colink_setting_given given[2];
	struct colink_host host;
	struct colink_host_ctx hc = { "in_xlsx", NULL };
	struct sink s = { f, 0 };
	struct colink_emitter em = { on_header, on_record, on_reject, &s };
	char hr[24];
	size_t n = 0, count = 0;
	void *ctx = NULL;
	int rc;
	snprintf(hr, sizeof(hr), "%ld", header_row);
	given[n].name = "header_row", given[n].value = hr, given[n++].line = 0;
	if (sheet) {
		int digits = sheet[0] && strspn(sheet, "0123456789") == strlen(sheet);
		given[n].name = digits ? "sheet_index" : "sheet";
		given[n].value = sheet, given[n++].line = 0;
	}
	rc = colink_loader_default(&l, plugin_dirs, err);
	if (!rc)
		rc = colink_loader_get(l, "in_xlsx", &p, err);
	if (!rc) {
		count = colink_settings_count(p->settings);
		rc = colink_settings_resolve(p->settings, given, n, "colink scan", "in_xlsx", &vals, err);
	}
	if (!rc) {
		struct colink_setting_values sv = colink_settings_view(vals, count);
		colink_host_init(&host);
		host.log = scan_log;
		rc = p->desc->init(&ctx, &host, &hc, &sv, err);
	}
	if (!rc) {
		rc = p->desc->input->read(ctx, path, &em, err);
		p->desc->fini(ctx);
	}
	if (!rc && (s.failed || fflush(f)))
		rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot write the in-memory copy: %s", path,
				strerror(errno));
	colink_settings_free(vals, count);
	colink_loader_free(l);
	return rc;
}

int colink_scan_xlsx(struct colink_scan **out, const char *path, const char *sheet,
		     long header_row, const char *plugin_dirs,
		     const struct colink_scan_opts *o, char **sheets,
		     struct colink_error *err)
{
	int fd = memfd_create("colink-scan-xlsx", MFD_CLOEXEC), rc;
	FILE *f;
	char proc[64];
	*out = NULL;
	*sheets = NULL;
	if (fd < 0 || !(f = fdopen(fd, "w+"))) {
		if (fd >= 0)
			close(fd);
		return COLINK_ERR(err, COLINK_EIO, "%s: no in-memory file: %s", path, strerror(errno));
	}
	colink_free(sheets_seen);
	sheets_seen = NULL;
	rc = to_csv(f, path, sheet, header_row, plugin_dirs, err);
	*sheets = sheets_seen;
	sheets_seen = NULL;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (!rc)
		rc = colink_scan_file(out, proc, o, err);
	if (!rc) {
		char *p = colink_strdup(path);
		if (!p) {
			colink_scan_free(*out);
			*out = NULL;
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		} else {
			colink_free((*out)->path);
			(*out)->path = p;
		}
	} else if (strstr(err->msg, proc)) {
		/* name the workbook, not the in-memory copy */
		char msg[COLINK_ERRMSG_MAX];
		const char *at = strstr(err->msg, proc);
		snprintf(msg, sizeof(msg), "%.*s%s%s", (int)(at - err->msg), err->msg, path,
			 at + strlen(proc));
		memcpy(err->msg, msg, sizeof(msg));
	}
	fclose(f);
	return rc;
}

int colink_scan_xlsx_draft(const char *draft, const char *sheet, long header_row,
			   struct colink_error *err)
{
	size_t len = 0, cap = 0;
	char *text = NULL, *start, *end;
	FILE *f = fopen(draft, "r+");
	ssize_t got;
	if (!f)
		return COLINK_ERR(err, COLINK_EIO, "%s: %s", draft, strerror(errno));
	got = getdelim(&text, &cap, '\0', f);
	len = got > 0 ? (size_t)got : 0;
	start = text ? strstr(text, "  <input plugin=\"in_csv\">") : NULL;
	end = start ? strstr(start, "  </input>\n") : NULL;
	if (!end) {
		free(text);
		fclose(f);
		return COLINK_ERR(err, COLINK_EFORMAT, "%s: no input block to rewrite", draft);
	}
	end += strlen("  </input>\n");
	rewind(f);
	if (ftruncate(fileno(f), 0) == 0) {
		fwrite(text, 1, (size_t)(start - text), f);
		fputs("  <input plugin=\"in_xlsx\">\n", f);
		if (sheet) {
			const char *c;
			fprintf(f, "    <set name=\"%s\" value=\"",
				strspn(sheet, "0123456789") == strlen(sheet) ? "sheet_index" : "sheet");
			for (c = sheet; *c; c++)
				fputs(*c == '&' ? "&amp;" : *c == '<' ? "&lt;" : *c == '"' ? "&quot;" :
				      (char[2]){ *c, 0 }, f);
			fputs("\"/>\n", f);
		}
		fprintf(f, "    <set name=\"header_row\" value=\"%ld\"/>\n  </input>\n", header_row);
		fwrite(end, 1, len - (size_t)(end - text), f);
	}
	free(text);
	if (ferror(f) | fclose(f))
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot rewrite: %s", draft, strerror(errno));
	return COLINK_OK;
}
