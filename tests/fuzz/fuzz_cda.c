/*
 * fuzz_cda.c -- libFuzzer target for the MHLW document reader: the input
 * is one DATA/h*.xml document of a folder archive (index from
 * tests/data/hostile/index.xml), read by the real in_mhlw_xml plugin
 * (in_mhlw_xml.c, cda.c and archive.c compiled into this program): the
 * safe parse (no entities, no DTD, no network), the CDA walk (cda.c) and
 * the engine's transform through mappings/vendors/mhlw_xml.xml.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fuzz_common.h"

/* in_mhlw_xml.c, compiled into this program */
const struct colink_plugin *colink_plugin_entry(void);

/* The archive folder, made once; each input replaces its one document. */
static char *archive(char **doc)
{
	char *ar = fuzz_tmp("archive"), *data = fuzz_tmp("archive/DATA");
	char *ix = fuzz_tmp("archive/ix08_V08.xml");
	char *src = fuzz_path("tests/data/hostile/index.xml");
	size_t len = 0;
	char *text;
	FILE *f = fopen(src, "rb");
	if (!f || mkdir(ar, 0700) || mkdir(data, 0700))
		fuzz_fail("cannot make the archive folder");
	text = malloc(1 << 16);
	if (!text)
		fuzz_fail("out of memory");
	len = fread(text, 1, 1 << 16, f);
	fclose(f);
	fuzz_write(ix, (const uint8_t *)text, len);
	*doc = fuzz_tmp("archive/DATA/h13112345672025040100000001.xml");
	free(text);
	free(src);
	free(ix);
	free(data);
	return ar;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct colink_mapping *map;
	static char *ar, *doc;
	if (!map) {
		map = fuzz_mapping("mappings/vendors/mhlw_xml.xml");
		ar = archive(&doc);
	}
	fuzz_write(doc, data, size);
	fuzz_run_plugin(colink_plugin_entry(), map, ar);
	return 0;
}
