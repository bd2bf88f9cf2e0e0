#!/bin/sh
# vendor_d_xlsx.sh -- write samples/vendor_d.xlsx, the synthetic Vendor D
# workbook (issue #20), from the XML parts below: the .xlsx is a zip of
# them.  Reproducible: fixed part order and timestamps, no extra fields.
#
#   sh samples/gen/vendor_d_xlsx.sh [OUT.xlsx]    (default samples/vendor_d.xlsx)
#
# Needs zip(1).  What the workbook exercises is in samples/README.md:
# the same four persons as vendor_a.csv rows 1-4, a title row merged over
# A1:K1, the header in row 2 with 収縮期血圧 merged over L2:M2 and HbA1c
# merged from row 1 (N1:N2); 保険者番号 as text with its leading zero (and
# once as a number shown with format 00000000), 枝番 as numbers shown as
# 00; dates as Excel serials with a built-in (14) and a custom
# (yyyy"年"m"月"d"日") date style; a formula (BMI) with its cached value;
# a #N/A; a sparse row; 氏名カナ with phonetic runs; blank trailing rows.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../vendor_d.xlsx}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/colink-xlsx-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/_rels" "$tmp/docProps" "$tmp/xl/_rels" "$tmp/xl/worksheets"

cat > "$tmp/[Content_Types].xml" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>
X

cat > "$tmp/_rels/.rels" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
X

# Two sheets: a cover note first, the results second (chosen by name in
# the mapping).
cat > "$tmp/xl/workbook.xml" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr defaultThemeVersion="124226"/><sheets><sheet name="表紙" sheetId="1" r:id="rId1"/><sheet name="健診結果" sheetId="2" r:id="rId2"/></sheets></workbook>
X

cat > "$tmp/xl/_rels/workbook.xml.rels" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>
X

# cellXfs: 0 general, 1 date (built-in 14), 2 date (custom 176,
# yyyy"年"m"月"d"日"), 3 "00000000", 4 "00", 5 text (@), 6 "0.0"
cat > "$tmp/xl/styles.xml" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="4"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" formatCode="00000000"/><numFmt numFmtId="178" formatCode="00"/><numFmt numFmtId="179" formatCode="0.0"/></numFmts><fonts count="1"><font><sz val="11"/><name val="游ゴシック"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="177" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="178" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="179" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>
X

# Shared strings; 氏名カナ carry phonetic runs (<rPh>), which are not text.
cat > "$tmp/xl/sharedStrings.xml" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="41" uniqueCount="28"><si><t>2024年度 特定健診 結果一覧（健診機関C）</t></si><si><t>保険者番号</t></si><si><t>被保険者証記号</t></si><si><t>被保険者証番号</t></si><si><t>枝番</t></si><si><t>氏名カナ</t></si><si><t>生年月日</t></si><si><t>性別</t></si><si><t>受診日</t></si><si><t>身長</t></si><si><t>体重</t></si><si><t>BMI</t></si><si><t>収縮期血圧</t></si><si><t>HbA1c</t></si><si><t>LDL</t></si><si><t>尿蛋白</t></si><si><t>06139992</t></si><si><t>123</t></si><si><t>4567</t></si><si><t>テスト イチロウ</t><rPh sb="0" eb="3"><t>テスト</t></rPh><phoneticPr fontId="1"/></si><si><t>00001234</t></si><si><r><t>テスト</t></r><r><rPr><b/></rPr><t xml:space="preserve"> ハナコ</t></r></si><si><t>4568</t></si><si><t>テスト ジロウ</t></si><si><t>50</t></si><si><t>1001</t></si><si><t>未実施</t></si><si><t>この表紙は読み込みません</t></si></sst>
X

cat > "$tmp/xl/worksheets/sheet1.xml" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>27</v></c></row></sheetData></worksheet>
X

# Row 3 テスト イチロウ, row 4 テスト ハナコ (sparse: no 記号, no SBP 2,
# no LDL, 尿蛋白 未実施), row 5 テスト ジロウ (LDL #N/A), row 6 サトウ
# ケンジ (保険者番号 a number shown as 00000000); rows 7-9 formatted, blank.
cat > "$tmp/xl/worksheets/sheet2.xml" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><dimension ref="A1:P9"/><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/><c r="C1"/><c r="D1"/><c r="E1"/><c r="F1"/><c r="G1"/><c r="H1"/><c r="I1"/><c r="J1"/><c r="K1"/><c r="N1" t="s"><v>13</v></c></row>
<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c><c r="C2" t="s"><v>3</v></c><c r="D2" t="s"><v>4</v></c><c r="E2" t="s"><v>5</v></c><c r="F2" t="s"><v>6</v></c><c r="G2" t="s"><v>7</v></c><c r="H2" t="s"><v>8</v></c><c r="I2" t="s"><v>9</v></c><c r="J2" t="s"><v>10</v></c><c r="K2" t="s"><v>11</v></c><c r="L2" t="s"><v>12</v></c><c r="M2"/><c r="N2"/><c r="O2" t="s"><v>14</v></c><c r="P2" t="s"><v>15</v></c></row>
<row r="3"><c r="A3" s="5" t="s"><v>16</v></c><c r="B3" s="5" t="s"><v>17</v></c><c r="C3" s="5" t="s"><v>18</v></c><c r="D3" s="4"><v>0</v></c><c r="E3" t="s"><v>19</v></c><c r="F3" s="1"><v>25703</v></c><c r="G3"><v>1</v></c><c r="H3" s="2"><v>45453</v></c><c r="I3" s="6"><v>170</v></c><c r="J3"><v>75.5</v></c><c r="K3"><f>ROUND(J3/(I3/100)^2,1)</f><v>26.100000000000001</v></c><c r="L3"><v>146</v></c><c r="M3"><v>142</v></c><c r="N3" s="6"><v>6</v></c><c r="O3"><v>150</v></c><c r="P3"><v>2</v></c></row>
<row r="4"><c r="A4" s="5" t="s"><v>16</v></c><c r="C4" s="5" t="s"><v>20</v></c><c r="D4" s="4"><v>1</v></c><c r="E4" t="s"><v>21</v></c><c r="F4" s="1"><v>20687</v></c><c r="G4"><v>2</v></c><c r="H4" s="2"><v>45550</v></c><c r="I4"><v>152.30000000000001</v></c><c r="J4"><v>59.9</v></c><c r="K4"><f>ROUND(J4/(I4/100)^2,1)</f><v>25.8</v></c><c r="L4"><v>128</v></c><c r="N4"><v>5.8</v></c><c r="P4" t="s"><v>26</v></c></row>
<row r="5"><c r="A5" s="5" t="s"><v>16</v></c><c r="B5" s="5" t="s"><v>17</v></c><c r="C5" s="5" t="s"><v>22</v></c><c r="D5" s="4"><v>0</v></c><c r="E5" t="inlineStr"><is><t>テスト ジロウ</t></is></c><c r="F5" s="1"><v>28856</v></c><c r="G5"><v>1</v></c><c r="H5" s="2"><v>45601</v></c><c r="I5"><v>175.2</v></c><c r="J5"><v>80.099999999999994</v></c><c r="K5"><f>ROUND(J5/(I5/100)^2,1)</f><v>26.1</v></c><c r="L5"><v>165</v></c><c r="N5"><v>6.7</v></c><c r="O5" t="e"><f>VLOOKUP(C5,検査!A:B,2,FALSE)</f><v>#N/A</v></c><c r="P5"><v>4</v></c></row>
<row r="6"><c r="A6" s="3"><v>6139984</v></c><c r="B6" s="5" t="s"><v>24</v></c><c r="C6" s="5" t="s"><v>25</v></c><c r="D6" s="4"><v>0</v></c><c r="E6" t="inlineStr"><is><t>サトウ ケンジ</t></is></c><c r="F6" s="1"><v>31137</v></c><c r="G6"><v>1</v></c><c r="H6" s="2"><v>45474</v></c><c r="I6"><v>172</v></c><c r="J6"><v>74</v></c><c r="K6"><f>ROUND(J6/(I6/100)^2,1)</f><v>25</v></c><c r="L6"><v>130</v></c><c r="M6"><v>130</v></c><c r="N6"><v>5.6</v></c><c r="O6"><v>120</v></c><c r="P6"><v>1</v></c></row>
<row r="7"><c r="A7" s="5"/><c r="F7" s="1"/><c r="H7" s="2"/></row>
<row r="8"><c r="A8" s="5"/><c r="F8" s="1"/><c r="H8" s="2"/></row>
<row r="9"><c r="A9" s="5"/><c r="F9" s="1"/><c r="H9" s="2"/></row>
</sheetData><mergeCells count="3"><mergeCell ref="A1:K1"/><mergeCell ref="L2:M2"/><mergeCell ref="N1:N2"/></mergeCells><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>
X

cd "$tmp"
find . -exec touch -h -d '2024-04-01 00:00:00' {} +
rm -f "$out"
TZ=UTC zip -X -D -q "$out" '[Content_Types].xml' _rels/.rels xl/workbook.xml \
	xl/_rels/workbook.xml.rels xl/styles.xml xl/sharedStrings.xml \
	xl/worksheets/sheet1.xml xl/worksheets/sheet2.xml
