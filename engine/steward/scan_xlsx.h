/*
 * scan_xlsx.h -- `colink scan` on an Excel workbook (issue #20).
 *
 * The workbook is read by the in_xlsx plugin itself (the same cells a run
 * would see: dates as ISO text, leading zeros kept, merged header cells
 * named), one sheet, into an anonymous in-memory file (memfd: no path, gone
 * when the process ends) as UTF-8 CSV, which colink_scan_file() profiles
 * like any vendor CSV.  The plugin's log line lists the sheets.
 */
#ifndef COLINK_SCAN_XLSX_H
#define COLINK_SCAN_XLSX_H

#include "steward/scan.h"

/* 1 when `path` names an .xlsx workbook (by its suffix). */
int colink_scan_is_xlsx(const char *path);

/*
 * Profile sheet `sheet` (a name, a 1-based number, or NULL: the first)
 * of the workbook, header in row `header_row` (>= 1).  *sheets gets
 * "1 '表紙', 2 '健診結果'; reading '健診結果'" (colink_malloc'd; NULL when
 * the plugin said nothing).  Errors as colink_scan_file().
 */
int colink_scan_xlsx(struct colink_scan **out, const char *path, const char *sheet,
		     long header_row, const char *plugin_dirs,
		     const struct colink_scan_opts *o, char **sheets,
		     struct colink_error *err);

/* Rewrite the <input plugin="in_csv"> block of the draft just written to
 * `draft` as the in_xlsx input that reads the same sheet. */
int colink_scan_xlsx_draft(const char *draft, const char *sheet, long header_row,
			   struct colink_error *err);

#endif
