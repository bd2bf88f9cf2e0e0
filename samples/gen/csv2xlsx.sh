#!/bin/sh
# csv2xlsx.sh -- turn a simple UTF-8 CSV (comma, no quoted fields: what
# colink-gen writes for vendor A) into a one-sheet .xlsx the way a vendor's
# Excel export holds it, streaming (any size, flat memory):
#   numbers        -> number cells (a leading zero keeps the cell text)
#   yyyy-mm-dd     -> Excel serials with the date style (built-in 14)
#   anything else  -> inline strings
# The header is row 1.  For the bench (bench/bench.sh) and by hand:
#   sh samples/gen/csv2xlsx.sh IN.csv OUT.xlsx
# Needs awk and zip(1).
set -eu
[ $# = 2 ] || { echo "usage: csv2xlsx.sh IN.csv OUT.xlsx" >&2; exit 2; }
in=$1
out=$2
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/colink-csv2xlsx-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/_rels" "$tmp/xl/_rels" "$tmp/xl/worksheets"
M=http://schemas.openxmlformats.org/spreadsheetml/2006/main
R=http://schemas.openxmlformats.org/officeDocument/2006/relationships
P=http://schemas.openxmlformats.org/package/2006/relationships
cat > "$tmp/[Content_Types].xml" <<X
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
X
cat > "$tmp/_rels/.rels" <<X
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="$P"><Relationship Id="rId1" Type="$R/officeDocument" Target="xl/workbook.xml"/></Relationships>
X
cat > "$tmp/xl/workbook.xml" <<X
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="$M" xmlns:r="$R"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>
X
cat > "$tmp/xl/_rels/workbook.xml.rels" <<X
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="$P"><Relationship Id="rId1" Type="$R/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="$R/styles" Target="styles.xml"/></Relationships>
X
cat > "$tmp/xl/styles.xml" <<X
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="$M"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>
X
awk -F, -v M="$M" '
function col(i,   s) { s = ""; while (i > 0) { i--; s = sprintf("%c", 65 + i % 26) s; i = int(i / 26) } return s }
function serial(y, m, d,   era, yoe, doy, doe) {
	y -= m <= 2; era = int((y >= 0 ? y : y - 399) / 400); yoe = y - era * 400
	doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	return era * 146097 + doe - 719468 + 25569   # days since 1970 + 1899-12-30 offset
}
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
BEGIN { printf "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"%s\"><sheetData>", M }
{
	sub(/\r$/, ""); r = NR; printf "<row r=\"%d\">", r
	for (i = 1; i <= NF; i++) {
		v = $i; ref = col(i) r
		if (v == "") continue
		if (NR > 1 && v ~ /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/)
			printf "<c r=\"%s\"><v>%s</v></c>", ref, v
		else if (NR > 1 && v ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/)
			printf "<c r=\"%s\" s=\"1\"><v>%d</v></c>", ref, serial(substr(v, 1, 4) + 0, substr(v, 6, 2) + 0, substr(v, 9, 2) + 0)
		else
			printf "<c r=\"%s\" t=\"inlineStr\"><is><t>%s</t></is></c>", ref, esc(v)
	}
	printf "</row>\n"
}
END { printf "</sheetData></worksheet>\n" }' "$in" > "$tmp/xl/worksheets/sheet1.xml"
cd "$tmp"
rm -f "$out"
zip -X -D -q "$out" '[Content_Types].xml' _rels/.rels xl/workbook.xml xl/_rels/workbook.xml.rels \
	xl/styles.xml xl/worksheets/sheet1.xml
