/*
 * fuzz_common.h -- what the libFuzzer targets in tests/fuzz/ share: the
 * common-schema catalogue, scratch files, and a miniature run that drives
 * an input plugin (compiled into the target) through a mapping and the
 * engine's transform, checking colink's invariants on the way.
 *
 * A broken invariant calls fuzz_fail(), which prints one line and aborts,
 * so libFuzzer keeps the input as a crasher.  Nothing here prints a field
 * value.
 */
#ifndef COLINK_FUZZ_COMMON_H
#define COLINK_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "colink/plugin.h"
#include "identity/identity.h"
#include "core/mapping.h"

/* The source tree: $COLINK_TEST_SRCDIR, else the configured source dir. */
const char *fuzz_srcdir(void);

/* Catalogue and variant-kanji table of <srcdir>/mappings, loaded once;
 * borrowed for the life of the process.  Aborts if they do not load. */
const struct colink_catalog *fuzz_catalog(void);
const struct colink_variant_table *fuzz_variants(void);

/* "<srcdir>/<rel>", malloc'd. */
char *fuzz_path(const char *rel);

/* A private scratch folder for this process (created once), and a path
 * inside it ("<dir>/<name>", malloc'd). */
const char *fuzz_tmpdir(void);
char *fuzz_tmp(const char *name);

/* Write data[0..len) to `path` (truncating); aborts on I/O failure. */
void fuzz_write(const char *path, const uint8_t *data, size_t len);

/* Print "fuzz: <what>" and abort. */
void fuzz_fail(const char *what) __attribute__((noreturn));

/* 1 when `why` (a reject reason) repeats `in` (the value it judged):
 * colink's reasons must never carry a value.  Inputs shorter than 8
 * bytes are not checked (they collide with words of reasons). */
int fuzz_reason_repeats(const char *why, const char *in, size_t len);

/* Load <srcdir>/<rel> as a mapping, once per call site (aborts on error). */
struct colink_mapping *fuzz_mapping(const char *rel);

/*
 * One miniature run: init `plugin` with the mapping's settings, read
 * `path`, hand every header to the transform and every record through
 * it.  Checks: record numbers run 1, 2, 3 ... over loaded and rejected
 * records alike; every reject has a reason; no identifier value leaves
 * the transform (raw == NULL); counts balance.  Returns the plugin's
 * read() code (fatal errors of the file are fine: the input is hostile).
 */
int fuzz_run_plugin(const struct colink_plugin *plugin,
		    const struct colink_mapping *map, const char *path);

#endif
