#!/bin/sh
# vendor_e_fixed.sh -- write samples/vendor_e.dat, the synthetic Vendor E
# fixed-width (固定長) file (issue #20): CP932, CRLF, 106-byte records,
# record type in byte 1 (1 header, 2 data, 9 trailer with the data record
# count in bytes 2-7).  The same four persons as vendor_a.csv rows 1-4.
# Offsets are BYTES of CP932: a full-width katakana counts two.  The
# layout is in mappings/vendors/vendor_e.xml (in_fixed setting `layout`).
#
#   sh samples/gen/vendor_e_fixed.sh [OUT]    (default samples/vendor_e.dat)
#
# Needs iconv(1).  Reproducible: no dates or randomness.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../vendor_e.dat}
LC_ALL=C
export LC_ALL

# pad VALUE WIDTH: VALUE in CP932, left-aligned, space-padded to WIDTH bytes
pad() {
	v=$(printf '%s' "$1" | iconv -f UTF-8 -t CP932)
	n=$(printf '%s' "$v" | wc -c)
	if [ "$n" -gt "$2" ]; then
		echo "vendor_e_fixed.sh: a value is $n bytes, its field $2" >&2
		exit 1
	fi
	printf '%s%*s' "$v" $(($2 - n)) ''
}

# data record: fields in layout order
data() {
	printf '2'
	pad "$1" 8; pad "$2" 10; pad "$3" 10; pad "$4" 2; pad "$5" 20
	pad "$6" 8; pad "$7" 1; pad "$8" 8; pad "$9" 5; shift 9
	pad "$1" 5; pad "$2" 4; pad "$3" 3; pad "$4" 3; pad "$5" 4
	pad "$6" 8; pad "$7" 6
	printf '\r\n'
}

{
	printf '1'; pad 'VENDOR-E20241130' 105; printf '\r\n'
	data 06139992 123 4567 00 'テスト イチロウ' 19700515 1 20240610 170.0 75.5 26.1 146 142 6.0 150 2
	data 06139992 '' 00001234 01 'テスト ハナコ' 19560820 2 20240915 152.3 59.9 25.8 128 '' 5.8 '' '未実施'
	data 06139992 123 4568 00 'テスト ジロウ' 19790101 1 20241105 175.2 80.1 26.1 165 '' 6.7 '測定不能' 4
	data 06139984 50 1001 00 'サトウ ケンジ' 19850331 1 20240701 172.0 74.0 25.0 130 130 5.6 120 1
	printf '9'; pad 000004 105; printf '\r\n'
} > "$out.tmp"
mv "$out.tmp" "$out"
