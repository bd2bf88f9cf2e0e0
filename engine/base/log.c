/* log.c -- see log.h */
#include "base/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/text.h"

static int max_level = COLINK_LOG_WARN;
static int log_format = COLINK_LOG_FORMAT_TEXT;
static FILE *log_file;

/* the JSON lines' context (log.h) */
static pthread_mutex_t ctx_mu = PTHREAD_MUTEX_INITIALIZER;
static char ctx_run[64];
static char *ctx_input;
static unsigned ctx_input_no;
static _Thread_local uint64_t ctx_record;

static const char *level_name(int level)
{
	switch (level) {
	case COLINK_LOG_ERROR: return "error";
	case COLINK_LOG_WARN: return "warning";
	case COLINK_LOG_INFO: return "info";
	default: return "debug";
	}
}

void colink_log_set_level(int level)
{
	max_level = level;
}

int colink_log_get_level(void)
{
	return max_level;
}

void colink_log_set_format(int format)
{
	log_format = format == COLINK_LOG_FORMAT_JSON ? format : COLINK_LOG_FORMAT_TEXT;
}

int colink_log_get_format(void)
{
	return log_format;
}

int colink_log_format_parse(const char *name)
{
	if (name && !strcmp(name, "text"))
		return COLINK_LOG_FORMAT_TEXT;
	if (name && !strcmp(name, "json"))
		return COLINK_LOG_FORMAT_JSON;
	return -1;
}

void colink_log_set_run(const char *run_id)
{
	pthread_mutex_lock(&ctx_mu);
	snprintf(ctx_run, sizeof(ctx_run), "%s", run_id ? run_id : "");
	pthread_mutex_unlock(&ctx_mu);
}

void colink_log_set_input(unsigned input_no, const char *path)
{
	pthread_mutex_lock(&ctx_mu);
	free(ctx_input);
	ctx_input = path ? strdup(path) : NULL; /* NULL on no memory: no input named */
	ctx_input_no = ctx_input ? input_no : 0;
	pthread_mutex_unlock(&ctx_mu);
}

void colink_log_set_record(uint64_t record_no)
{
	ctx_record = record_no;
}

int colink_log_open_file(const char *path)
{
	int fd;

	if (log_file) {
		fclose(log_file);
		log_file = NULL;
	}
	if (!path)
		return 0;
	/* 0600 like the warehouse and the audit log: the run log says which
	 * files were read and what was rejected (issue #24).  fopen would
	 * follow the umask.  An existing log keeps the mode it has. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	log_file = fdopen(fd, "a");
	if (!log_file) {
		close(fd);
		return -1;
	}
	return 0;
}

void colink_log_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*p) {
		size_t n = colink_utf8_len((const char *)p);
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p < 0x20 || *p == 0x7F)
			fprintf(f, "\\u%04x", *p);
		else if (!n)
			fputs("\\ufffd", f); /* one byte that is not UTF-8 */
		else
			fwrite(p, 1, n, f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

/* One JSON line (log.h), written to stderr with one call. */
static void json_line(int level, const char *plugin, const char *msg)
{
	char ts[40], *buf = NULL;
	size_t len = 0;
	struct timespec now;
	struct tm tm;
	FILE *m = open_memstream(&buf, &len);
	FILE *f = m ? m : stderr;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",\"run_id\":", ts,
		now.tv_nsec / 1000000L, level_name(level));
	pthread_mutex_lock(&ctx_mu);
	colink_log_json_str(f, ctx_run[0] ? ctx_run : NULL);
	fputs(",\"input\":", f);
	colink_log_json_str(f, ctx_input);
	if (ctx_input_no)
		fprintf(f, ",\"input_no\":%u", ctx_input_no);
	else
		fputs(",\"input_no\":null", f);
	pthread_mutex_unlock(&ctx_mu);
	if (ctx_record)
		fprintf(f, ",\"record\":%llu", (unsigned long long)ctx_record);
	else
		fputs(",\"record\":null", f);
	fputs(",\"plugin\":", f);
	colink_log_json_str(f, plugin);
	fputs(",\"message\":", f);
	colink_log_json_str(f, msg);
	fputs("}\n", f);
	if (m) {
		fclose(m);
		fwrite(buf, 1, len, stderr);
		free(buf);
	}
	fflush(stderr);
}

static void emit(int level, const char *plugin, const char *msg)
{
	if (level <= max_level) {
		if (log_format == COLINK_LOG_FORMAT_JSON)
			json_line(level, plugin, msg);
		else if (plugin)
			fprintf(stderr, "colink: %s: %s: %s\n", level_name(level), plugin, msg);
		else
			fprintf(stderr, "colink: %s: %s\n", level_name(level), msg);
	}
	if (log_file && level <= COLINK_LOG_INFO) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (plugin)
			fprintf(log_file, "%s %s %s: %s\n", ts, level_name(level), plugin, msg);
		else
			fprintf(log_file, "%s %s %s\n", ts, level_name(level), msg);
		fflush(log_file);
	}
}

void colink_vlog(int level, const char *fmt, va_list ap)
{
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	emit(level, NULL, line);
}

void colink_log(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	colink_vlog(level, fmt, ap);
	va_end(ap);
}

void colink_log_plugin(const char *plugin, int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(level, plugin ? plugin : "plugin", line);
}
