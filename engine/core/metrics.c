/* metrics.c -- a run's outcome for Prometheus (see metrics.h). */
#include "core/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/text.h"
#include "base/util.h"
#include "core/loader.h"

char *colink_metrics_job_label(const char *job_path)
{
	const char *base = colink_path_base(job_path);
	size_t n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".xml"))
		n -= 4;
	return colink_strndup(base, n);
}

void colink_metrics_label(FILE *f, const char *s)
{
	const char *p = s ? s : "";
	fputc('"', f);
	while (*p) {
		size_t n = colink_utf8_len(p);
		if (*p == '\\' || *p == '"')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (!n)
			fputs("\xEF\xBF\xBD", f); /* U+FFFD for a byte that is not UTF-8 */
		else
			fwrite(p, 1, n, f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

/* # HELP and # TYPE of one family (help text has no '\' or newline). */
static void family(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* NAME{job="JOB"[,K="V"...]} -- the sample's name and labels, then its value. */
static void sample_start(FILE *f, const char *name, const char *job)
{
	fprintf(f, "%s{job=", name);
	colink_metrics_label(f, job);
}

static void sample_u64(FILE *f, const char *name, const char *job, uint64_t v)
{
	sample_start(f, name, job);
	fprintf(f, "} %llu\n", (unsigned long long)v);
}

/* The last success the file being replaced recorded for this job, or 0. */
static double previous_success(const char *path, const char *job)
{
	char *prefix = NULL, line[512];
	size_t plen = 0;
	double v = 0;
	FILE *m = open_memstream(&prefix, &plen), *f;
	if (!m)
		return 0;
	sample_start(m, "colink_run_last_success_timestamp_seconds", job);
	fputs("} ", m);
	fclose(m);
	if ((f = fopen(path, "r"))) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, prefix, plen)) {
				char *end;
				double d = strtod(line + plen, &end);
				if (end != line + plen && (*end == '\n' || !*end) && d > 0)
					v = d;
			}
		fclose(f);
	}
	free(prefix);
	return v;
}

static const char *input_plugin(const struct colink_plan *p, const char *mapping,
				const char **id)
{
	size_t i;
	*id = NULL;
	for (i = 0; p && mapping && i < p->ninputs; i++)
		if (!strcmp(p->inputs[i].map->path, mapping)) {
			*id = p->inputs[i].map->id;
			return p->inputs[i].plugin->desc->name;
		}
	return NULL;
}

static void input_family(FILE *f, const struct colink_metrics_run *m, const char *name,
			 const char *help, size_t which)
{
	const struct colink_run_result *r = m->res;
	size_t i;
	family(f, name, help);
	for (i = 0; i < r->ninputs; i++) {
		const struct colink_input_result *in = &r->inputs[i];
		const char *id, *plugin = input_plugin(m->plan, in->mapping, &id);
		uint64_t v = which == 0 ? in->read : which == 1 ? in->loaded : in->rejected;
		sample_start(f, name, m->job);
		fprintf(f, ",input=\"%zu\",mapping=", i + 1);
		colink_metrics_label(f, id ? id : "");
		fputs(",plugin=", f);
		colink_metrics_label(f, plugin ? plugin : "");
		fprintf(f, "} %llu\n", (unsigned long long)v);
	}
}

static void link_families(FILE *f, const struct colink_metrics_run *m)
{
	const struct colink_link_report *l = &m->res->link;
	const char *job = m->job;
	size_t i;
	family(f, "colink_link_persons", "Persons on each side of the linkage.");
	sample_start(f, "colink_link_persons", job);
	fprintf(f, ",side=\"association\"} %llu\n", (unsigned long long)l->association_persons);
	sample_start(f, "colink_link_persons", job);
	fprintf(f, ",side=\"employer\"} %llu\n", (unsigned long long)l->employer_persons);
	family(f, "colink_link_linked", "Persons linked by each pass of the job's link rules.");
	for (i = 0; i < m->res->nlink; i++) {
		sample_start(f, "colink_link_linked", job);
		fprintf(f, ",pass=\"%zu\",key=", i + 1);
		colink_metrics_label(f, m->res->link_kinds[i]);
		fprintf(f, "} %llu\n", (unsigned long long)l->linked[i]);
	}
	family(f, "colink_link_linked_total", "Persons linked in total.");
	sample_u64(f, "colink_link_linked_total", job, l->linked_total);
	family(f, "colink_link_ambiguous", "Ambiguous candidate links left for review.");
	sample_u64(f, "colink_link_ambiguous", job, l->ambiguous);
	family(f, "colink_link_unmatched", "Persons of each side left unmatched.");
	sample_start(f, "colink_link_unmatched", job);
	fprintf(f, ",side=\"association\"} %llu\n", (unsigned long long)l->unmatched_association);
	sample_start(f, "colink_link_unmatched", job);
	fprintf(f, ",side=\"employer\"} %llu\n", (unsigned long long)l->unmatched_employer);
}

static void format_all(FILE *f, const struct colink_metrics_run *m, double last_ok)
{
	const struct colink_run_result *r = m->res;
	int ok = m->exit_code == 0 || m->exit_code == 1;
	family(f, "colink_run_exit_code", "Exit code of the last colink run of the job.");
	sample_start(f, "colink_run_exit_code", m->job);
	fprintf(f, "} %d\n", m->exit_code);
	family(f, "colink_run_success", "1 when the last run committed (exit code 0 or 1), else 0.");
	sample_start(f, "colink_run_success", m->job);
	fprintf(f, "} %d\n", ok);
	family(f, "colink_run_duration_seconds", "Wall time of the last run, planning included.");
	sample_start(f, "colink_run_duration_seconds", m->job);
	fprintf(f, "} %.3f\n", m->seconds);
	family(f, "colink_run_timestamp_seconds", "When the last run ended (Unix time).");
	sample_start(f, "colink_run_timestamp_seconds", m->job);
	fprintf(f, "} %lld\n", (long long)m->finished);
	family(f, "colink_run_last_success_timestamp_seconds",
	       "When the last run that committed ended (Unix time).");
	if (ok || last_ok > 0) {
		sample_start(f, "colink_run_last_success_timestamp_seconds", m->job);
		if (ok)
			fprintf(f, "} %lld\n", (long long)m->finished);
		else
			fprintf(f, "} %.0f\n", last_ok);
	}
	if (!r)
		return;
	family(f, "colink_run_records_read", "Records read by the last run.");
	sample_u64(f, "colink_run_records_read", m->job, r->read);
	family(f, "colink_run_records_loaded", "Records loaded by the last run.");
	sample_u64(f, "colink_run_records_loaded", m->job, r->loaded);
	family(f, "colink_run_records_rejected", "Records rejected by the last run.");
	sample_u64(f, "colink_run_records_rejected", m->job, r->rejected);
	input_family(f, m, "colink_input_records_read", "Records read from each input file.", 0);
	input_family(f, m, "colink_input_records_loaded", "Records loaded from each input file.", 1);
	input_family(f, m, "colink_input_records_rejected", "Records rejected from each input file.", 2);
	if (r->linked)
		link_families(f, m);
}

/* The rename made durable (best effort: the metrics are not the data). */
static void fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? colink_strndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : colink_strdup(".");
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	colink_free(dir);
}

int colink_metrics_write(const char *path, const struct colink_metrics_run *m,
			 struct colink_error *err)
{
	char *buf = NULL, *tmp;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int fd, rc = COLINK_OK;
	if (!f)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	format_all(f, m, previous_success(path, m->job));
	if (fclose(f)) {
		free(buf);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	tmp = colink_malloc(strlen(path) + 8);
	if (!tmp) {
		free(buf);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	sprintf(tmp, "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot create a temporary file beside it: %s", path,
				strerror(errno));
	} else {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(fd, buf + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (off < len || fchmod(fd, 0644) || fsync(fd))
			rc = COLINK_ERR(err, COLINK_EIO, "%s: %s", tmp, strerror(errno ? errno : EIO));
		if (close(fd) && rc == COLINK_OK)
			rc = COLINK_ERR(err, COLINK_EIO, "%s: %s", tmp, strerror(errno));
		if (rc == COLINK_OK && rename(tmp, path))
			rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot replace it: %s", path, strerror(errno));
		if (rc)
			unlink(tmp);
		else
			fsync_dir_of(path);
	}
	colink_free(tmp);
	free(buf);
	return rc;
}
