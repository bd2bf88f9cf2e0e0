/*
 * fuzz_xlsx.c -- libFuzzer target for Excel workbooks: the input is
 * written to a scratch .xlsx and read by the real in_xlsx plugin
 * (xlsx_pkg.c: libzip, part names, size and ratio caps, the SAX2 push
 * parser and its DOCTYPE refusal; xlsx_book.c: relationships, workbook,
 * styles, shared strings; xlsx_sheet.c: rows, cells, dates, merges; then
 * the transform).  Even-length inputs go through the hostile corpus's
 * layout (tests/data/hostile/xlsx.xml: first sheet, header in row 1),
 * odd-length ones through mappings/vendors/vendor_d.xml (sheet 健診結果,
 * header in row 2, merged header cells).
 */
#include <stdint.h>

#include "fuzz_common.h"

/* in_xlsx.c, compiled into this program */
const struct colink_plugin *colink_plugin_entry(void);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct colink_mapping *first, *vendor_d;
	static char *path;
	if (!path) {
		first = fuzz_mapping("tests/data/hostile/xlsx.xml");
		vendor_d = fuzz_mapping("mappings/vendors/vendor_d.xml");
		path = fuzz_tmp("book.xlsx");
	}
	fuzz_write(path, data, size);
	fuzz_run_plugin(colink_plugin_entry(), size & 1 ? vendor_d : first, path);
	return 0;
}
