/*
 * fuzz_fixed.c -- libFuzzer target for the fixed-width path (#20):
 * plugins/in_fixed/in_fixed.c (compiled into this program, no dlopen)
 * reading a file through one of two mappings and the engine's real
 * transform.  The layout is the mappings' byte-range position= (the core
 * builds in_fixed's layout from them).  The first input byte picks the
 * mapping; the rest is the file:
 *   0  mappings/vendors/vendor_e.xml   CP932, CRLF, header/trailer records
 *   1  tests/fuzz/fixed_nolf.xml       UTF-8, 40-byte records, no line ends
 * fuzz_run_plugin (fuzz_common.c) checks the record-level invariants.
 */
#include <stdint.h>

#include "fuzz_common.h"

/* in_fixed.c, compiled into this program */
const struct colink_plugin *colink_plugin_entry(void);

static const char *const mappings[] = {
	"mappings/vendors/vendor_e.xml", "tests/fuzz/fixed_nolf.xml",
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
		path = fuzz_tmp("input.dat");
	}
	if (size < 1)
		return 0;
	fuzz_write(path, data + 1, size - 1);
	fuzz_run_plugin(colink_plugin_entry(), maps[data[0] % NMAPS], path);
	return 0;
}
