/*
 * fuzz_csv.c -- libFuzzer target for the CSV path: plugins/in_csv/in_csv.c
 * (compiled into this program, no dlopen) reading a file through one of
 * four mappings and the engine's real transform (dates, numbers, code
 * maps, identity normalization, pseudonyms).  The first input byte picks
 * the mapping; the rest is the file:
 *   0  mappings/vendors/vendor_a.xml   UTF-8, header, strict columns
 *   1  mappings/vendors/vendor_b.xml   CP932, CRLF, 和暦, full width
 *   2  tests/data/hostile/wareki.xml   UTF-8, 和暦 exam date
 *   3  tests/fuzz/csv_loose.xml        no header, TAB, tiny limits
 * fuzz_run_plugin (fuzz_common.c) checks the record-level invariants.
 */
#include <stdint.h>

#include "fuzz_common.h"

/* in_csv.c, compiled into this program */
const struct colink_plugin *colink_plugin_entry(void);

static const char *const mappings[] = {
	"mappings/vendors/vendor_a.xml", "mappings/vendors/vendor_b.xml",
	"tests/data/hostile/wareki.xml", "tests/fuzz/csv_loose.xml",
};
#define NMAPS (sizeof(mappings) / sizeof(mappings[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct colink_mapping *maps[NMAPS];
	static char *path;
	size_t i;
	if (!path) {
		for (i = 0; i < NMAPS; i++)
			maps[i] = fuzz_mapping(mappings[i]);
		path = fuzz_tmp("input.csv");
	}
	if (size < 1)
		return 0;
	fuzz_write(path, data + 1, size - 1);
	fuzz_run_plugin(colink_plugin_entry(), maps[data[0] % NMAPS], path);
	return 0;
}
