/*
 * xlsx_build.h -- tiny .xlsx writer for the tests (libzip): a workbook of
 * one or more sheets from literal XML pieces.
 */
#ifndef COLINK_TEST_XLSX_BUILD_H
#define COLINK_TEST_XLSX_BUILD_H

#include <stddef.h>

struct xb_book {
	const char *sheet_names[4]; /* NULL-terminated; default {"Sheet1"} */
	const char *sheets[4];      /* <sheetData> bodies (rows), or full part
				     * text when it starts with "<?xml" */
	const char *sheet_files[4]; /* or: a file holding the whole sheet part */
	const char *tail[4];        /* after </sheetData> (mergeCells) */
	const char *sst;            /* <si> items, NULL: no sharedStrings part */
	const char *numfmts;        /* <numFmt> items */
	const char *xfs;            /* <xf> items of cellXfs; NULL: one general */
	int date1904;
	const char *sheet_target;   /* override the rel target of sheet 1 */
};

/* Write the workbook to `path`; 0 on success. */
int xb_write(const char *path, const struct xb_book *b);

/* Write a zip with the given entries (name, data, len triples). */
int xb_zip(const char *path, size_t n, const char *const *names,
	   const char *const *datas, const size_t *lens);

#endif
