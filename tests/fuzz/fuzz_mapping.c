/*
 * fuzz_mapping.c -- libFuzzer target for colink's own XML files: the input
 * is written to a scratch file and loaded both as a mapping
 * (colink_mapping_load against the real catalogue of mappings/) and as a
 * job (colink_job_load).  Seeds are the vendor mappings and sample jobs.
 *
 * Invariant: a refused file has an error code and a message.  (Messages
 * should be one line; libxml2's "Bytes: 0x.." second line is not checked
 * here: see tests/README.md, fuzzing findings.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "core/job.h"
#include "core/mapping.h"

static void check_error(int rc, const struct colink_error *err)
{
	if (!rc)
		return;
	if (err->code == COLINK_OK || !err->msg[0])
		fuzz_fail("a refused file without an error message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *path, *datadir;
	struct colink_error err = {0};
	struct colink_mapping *m = NULL;
	struct colink_job *j = NULL;
	int rc;
	if (!path) {
		path = fuzz_tmp("m.xml");
		datadir = fuzz_path("mappings");
	}
	fuzz_write(path, data, size);
	rc = colink_mapping_load(&m, path, fuzz_catalog(), fuzz_variants(), &err);
	check_error(rc, &err);
	colink_mapping_free(m);
	colink_error_clear(&err);
	rc = colink_job_load(&j, path, datadir, &err);
	check_error(rc, &err);
	colink_job_free(j);
	return 0;
}
