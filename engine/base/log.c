/* log.c -- see log.h */
#include "base/log.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int max_level = COLINK_LOG_WARN;
static FILE *log_file;

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

void colink_vlog(int level, const char *fmt, va_list ap)
{
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	if (level <= max_level)
		fprintf(stderr, "colink: %s: %s\n", level_name(level), line);
	if (log_file && level <= COLINK_LOG_INFO) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(log_file, "%s %s %s\n", ts, level_name(level), line);
		fflush(log_file);
	}
}

void colink_log(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	colink_vlog(level, fmt, ap);
	va_end(ap);
}
