/*
 * fuzz_zip.c -- libFuzzer target for MHLW archives as zip files: the input
 * is written to a scratch .zip and read by the real in_mhlw_xml plugin
 * (archive.c: libzip, root detection, entry listing, unsafe paths, size
 * and ratio limits, bounded reads; then the index, the documents and the
 * transform through mappings/vendors/mhlw_xml.xml).  Inputs of odd length
 * go through tests/fuzz/mhlw_validate.xml instead (validate=true): the
 * archive's XSD/ tree is extracted to a private folder and compiled.
 */
#include <stdint.h>

#include "fuzz_common.h"

/* in_mhlw_xml.c, compiled into this program */
const struct colink_plugin *colink_plugin_entry(void);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct colink_mapping *plain, *validate;
	static char *path;
	if (!path) {
		plain = fuzz_mapping("mappings/vendors/mhlw_xml.xml");
		validate = fuzz_mapping("tests/fuzz/mhlw_validate.xml");
		path = fuzz_tmp("archive.zip");
	}
	fuzz_write(path, data, size);
	fuzz_run_plugin(colink_plugin_entry(), size & 1 ? validate : plain, path);
	return 0;
}
