/*
 * xlsx_build.c -- see xlsx_build.h.
 */
#include "xlsx_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "testutil.h"

#define NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define RNS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PNS "http://schemas.openxmlformats.org/package/2006/relationships"

static int add(zip_t *z, const char *name, const char *data, size_t len, int owned)
{
	zip_source_t *s = zip_source_buffer(z, data, len, owned);
	if (!s)
		return -1;
	if (zip_file_add(z, name, s, ZIP_FL_OVERWRITE) < 0) {
		zip_source_free(s);
		return -1;
	}
	return 0;
}

static int add_str(zip_t *z, const char *name, char *owned_text)
{
	return owned_text ? add(z, name, owned_text, strlen(owned_text), 1) : -1;
}

int xb_zip(const char *path, size_t n, const char *const *names,
	   const char *const *datas, const size_t *lens)
{
	int ze;
	size_t i;
	zip_t *z;
	remove(path);
	if (!(z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze)))
		return -1;
	for (i = 0; i < n; i++)
		if (add(z, names[i], datas[i], lens[i], 0)) {
			zip_discard(z);
			return -1;
		}
	return zip_close(z);
}

int xb_write(const char *path, const struct xb_book *b)
{
	int ze, i, n = 0;
	zip_t *z;
	char *sheets = NULL, *rels = NULL, *t;
	remove(path);
	if (!(z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze)))
		return -1;
	while (n < 4 && (b->sheets[n] || b->sheet_files[n]))
		n++;
	sheets = tu_fmt("%s", "");
	rels = tu_fmt("%s", "");
	for (i = 0; i < n; i++) {
		const char *nm = b->sheet_names[i] ? b->sheet_names[i] : i ? "Other" : "Sheet1";
		char *part = tu_fmt("xl/worksheets/sheet%d.xml", i + 1);
		t = tu_fmt("%s<sheet name=\"%s\" sheetId=\"%d\" r:id=\"rId%d\"/>", sheets, nm, i + 1, i + 1);
		free(sheets);
		sheets = t;
		t = tu_fmt("%s<Relationship Id=\"rId%d\" Type=\"" RNS "/worksheet\" Target=\"%s\"/>",
			   rels, i + 1,
			   i == 0 && b->sheet_target ? b->sheet_target : part + 3);
		free(rels);
		rels = t;
		if (b->sheet_files[i]) {
			zip_source_t *s = zip_source_file(z, b->sheet_files[i], 0, -1);
			if (!s || zip_file_add(z, part, s, ZIP_FL_OVERWRITE) < 0)
				goto fail;
		} else if (!strncmp(b->sheets[i], "<?xml", 5)) {
			if (add_str(z, part, tu_fmt("%s", b->sheets[i])))
				goto fail;
		} else if (add_str(z, part, tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
						   "<worksheet xmlns=\"" NS "\"><sheetData>%s</sheetData>%s</worksheet>",
						   b->sheets[i], b->tail[i] ? b->tail[i] : ""))) {
			goto fail;
		}
		free(part);
	}
	if (b->sst)
		t = tu_fmt("%s<Relationship Id=\"rId90\" Type=\"" RNS "/sharedStrings\" Target=\"sharedStrings.xml\"/>",
			   rels), free(rels), rels = t;
	t = tu_fmt("%s<Relationship Id=\"rId91\" Type=\"" RNS "/styles\" Target=\"styles.xml\"/>", rels);
	free(rels);
	rels = t;
	if (add_str(z, "_rels/.rels", tu_fmt("<?xml version=\"1.0\"?><Relationships xmlns=\"" PNS "\">"
					      "<Relationship Id=\"rId1\" Type=\"" RNS "/officeDocument\" Target=\"xl/workbook.xml\"/>"
					      "</Relationships>")) ||
	    add_str(z, "xl/workbook.xml", tu_fmt("<?xml version=\"1.0\"?><workbook xmlns=\"" NS "\" xmlns:r=\"" RNS "\">"
						  "<workbookPr%s/><sheets>%s</sheets></workbook>",
						  b->date1904 ? " date1904=\"1\"" : "", sheets)) ||
	    add_str(z, "xl/_rels/workbook.xml.rels", tu_fmt("<?xml version=\"1.0\"?><Relationships xmlns=\"" PNS "\">%s</Relationships>", rels)) ||
	    add_str(z, "xl/styles.xml", tu_fmt("<?xml version=\"1.0\"?><styleSheet xmlns=\"" NS "\"><numFmts>%s</numFmts>"
						"<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs>%s</cellXfs></styleSheet>",
						b->numfmts ? b->numfmts : "",
						b->xfs ? b->xfs : "<xf numFmtId=\"0\"/>")) ||
	    (b->sst && add_str(z, "xl/sharedStrings.xml", tu_fmt("<?xml version=\"1.0\"?><sst xmlns=\"" NS "\">%s</sst>", b->sst))))
		goto fail;
	free(sheets);
	free(rels);
	return zip_close(z);
fail:
	free(sheets);
	free(rels);
	zip_discard(z);
	return -1;
}
