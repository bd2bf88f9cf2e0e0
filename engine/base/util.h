/* util.h -- small helpers: hashing files, time stamps, run ids, paths
 * (hex and the other text encodings: base/text.h). */
#ifndef COLINK_UTIL_H
#define COLINK_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "colink/plugin.h"

/* SHA-256 of a file's bytes (streamed), or for a directory of the sorted
 * list of "relative-path NUL sha256-hex NUL" of every regular file below
 * it.  hex: 64 chars + NUL.  *size: total bytes. */
int colink_sha256_path(const char *path, char hex[65], uint64_t *size,
		       struct colink_error *err);
/* SHA-256 of a memory buffer. */
void colink_sha256_mem(const void *p, size_t n, char hex[65]);

/* Current UTC time "YYYY-MM-DDTHH:MM:SSZ". */
void colink_now_iso(char out[32]);

/* 32 hex chars from the strong random source. */
int colink_new_run_id(char out[33], struct colink_error *err);

/* Login name of the OS user (getpwuid), "uid:N" when unknown. */
void colink_os_user(char *out, size_t n);

/* Join dir and a relative path (absolute `rel` is returned as is). Caller
 * frees. */
char *colink_path_join(const char *dir, const char *rel);
/* Directory part of a path (caller frees); "." when none. */
char *colink_path_dir(const char *path);
/* Last component (borrowed pointer into path). */
const char *colink_path_base(const char *path);

/* Read a whole (small) file; caller frees.  Refuses files over max bytes. */
int colink_read_small_file(const char *path, size_t max, char **out,
			   size_t *len, struct colink_error *err);

#endif
