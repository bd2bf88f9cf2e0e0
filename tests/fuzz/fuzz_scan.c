/*
 * fuzz_scan.c -- libFuzzer target for `colink scan` on a delimited file:
 * engine/steward/scan.c (encoding, delimiter, title lines above the
 * header, totals under the table, the per-column profiles), then the
 * suggestions and the draft (scan_draft.c, written to /dev/null).  A
 * steward runs scan on whatever a vendor sent, before any mapping exists:
 * every input must end in a profile or a clean error, never a crash, a
 * leak or a runaway.  The first input byte, when below 8, caps the rows
 * scanned (--rows) at that number times 3; the rest is the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "steward/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct colink_scan_vocab *v;
	static char *path;
	static FILE *devnull;
	struct colink_scan_opts o;
	struct colink_scan *s = NULL;
	struct colink_error err;
	if (!path) {
		char *dd = fuzz_path("mappings");
		memset(&err, 0, sizeof(err));
		if (colink_scan_vocab_load(&v, dd, fuzz_catalog(), &err))
			fuzz_fail("the scan vocabulary does not load");
		free(dd);
		path = fuzz_tmp("scan.csv");
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			fuzz_fail("/dev/null");
	}
	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	o.max_rows = data[0] < 8 ? 3u * data[0] : 0;
	o.nullwords = colink_scan_vocab_nullwords(v, &o.nnullwords);
	fuzz_write(path, data + 1, size - 1);
	if (colink_scan_file(&s, path, &o, &err) == 0) {
		if (s->ncols == 0)
			fuzz_fail("a scan that succeeded has no column");
		if (s->short_rows > s->ragged)
			fuzz_fail("more short rows than rows of another width");
		memset(&err, 0, sizeof(err));
		if (colink_scan_suggest(s, v, fuzz_catalog(), &err) == 0)
			colink_scan_write_draft(s, v, "fuzz", devnull);
		colink_scan_free(s);
	} else if (!err.msg[0]) {
		fuzz_fail("a failed scan without a message");
	}
	return 0;
}
