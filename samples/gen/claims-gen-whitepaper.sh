#!/bin/sh
# claims-gen-whitepaper.sh -- the sample 健康白書 (samples/whitepaper.png).
#
#   samples/gen/claims-gen-whitepaper.sh BUILD_DIR WORK_DIR [PNG]
#
# Generates a synthetic population with colink-gen (--employer: roster and
# attendance), the same vendor A persons' checkups one fiscal year earlier
# (FY2023, with some smoking answers changed so that quit and relapse rates
# exist), a claims summary for both years (claims-gen) and the employees'
# programme participation of FY2024 (⑤ その他: walking event, seminar, 給食改善,
# 禁煙治療補助; drawn from a hash of the employee number) and their 傷病手当金
# payments of FY2024 (drawn from a hash of the card) and its UKE claims of FY2024
# (colink-gen --uke, with diagnoses of the sample disease master), loads everything
# with one job under the sample agreement, writes the white paper of FY2024
# to WORK_DIR/out/wp and, given PNG, renders it with tests/html_render.sh.
# Deterministic: same colink-gen, same files, same report.  WORK_DIR is
# replaced.
#
# The population can be changed (tests/test_wp_usefulness.c uses it for a
# 5,000-person company with five sites and 95 % uptake); unset, each gives
# the sample white paper:
#   WP_PERSONS=N      colink-gen persons (default 800: 710 employees)
#   WP_SITES=N        the roster's 事業所 become S01..S0N, by 社員番号 modulo N
#                     (default: colink-gen's three sites)
#   WP_UNEXAMINED=P   drop P % of the FY2024 checkup rows (every file, chosen
#                     by row number) so that fewer employees are examined
#                     (default 0: 97.5 % uptake on the sample)
set -eu
if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR WORK_DIR [PNG]" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
work=$2
png=${3:-}
case $png in
'' | /*) ;;
*) png=$(pwd)/$png ;;
esac
src=$(cd "$(dirname "$0")/../.." && pwd)
colink=$build/colink

rm -rf "$work"
mkdir -p "$work/in" "$work/out"
work=$(cd "$work" && pwd)
persons=${WP_PERSONS:-800}
sites=${WP_SITES:-}
unexamined=${WP_UNEXAMINED:-0}
# the planted rejects grow with the population (claims of persons not loaded)
max_rejected=$((persons / 2 > 1000 ? persons / 2 : 1000))
"$build/samples/colink-gen" --persons "$persons" --seed 7 --out "$work/in" --employer
# the association's UKE claims of FY2024 for the same persons (医科 with
# diagnoses, 調剤), so that the white paper's medical cost by disease group
# (section cost-groups: claims, diagnoses and the sample disease master)
# has data; the claims summaries below feed the cost per person by age band
"$build/samples/colink-gen" --persons "$persons" --seed 7 --uke "$work/in/uke"
if [ -n "$sites" ]; then
	awk -F, -v OFS=, -v n="$sites" 'NR == 1 { print; next }
	{ $6 = sprintf("S%02d", ($1 + 0) % n + 1); print }' "$work/in/roster.csv" > "$work/in/roster.tmp"
	mv "$work/in/roster.tmp" "$work/in/roster.csv"
fi
# the roster mapping accepts the agreed site codes only (S01..S03): a copy
# that knows S01..S0N
roster_map=$src/mappings/employer/roster.xml
if [ -n "$sites" ] && [ "$sites" -gt 3 ]; then
	roster_map=$work/roster.xml
	awk -v n="$sites" '{ print }
	/<code from="S03" to="S03"\/>/ {
		for (i = 4; i <= n; i++) printf "    <code from=\"S%02d\" to=\"S%02d\"/>\n", i, i
	}' "$src/mappings/employer/roster.xml" > "$roster_map"
fi

# FY2023: the vendor A exams one year earlier (a 29 February becomes the
# 28th); one current smoker in four answered "never" a year before (a
# relapse seen from 2023), one never-smoker in eight smoked then (a quit).
awk -F, -v OFS=, 'NR == 1 { print; next }
{
	y = substr($8, 1, 4) - 1; md = substr($8, 5)
	if (md == "-02-29") md = "-02-28"
	$8 = y md
	if ($35 == "1" && NR % 4 == 0) $35 = "3"
	else if ($35 == "3" && NR % 8 == 0) $35 = "1"
	print
}' "$work/in/vendor_a.csv" > "$work/in/vendor_a_2023.csv"

"$src/samples/gen/claims-gen" --year 2023 "$work/in/roster.csv" "$work/in/vendor_a.csv" \
	> "$work/in/claims_2023.csv"
"$src/samples/gen/claims-gen" --year 2024 "$work/in/roster.csv" "$work/in/vendor_a.csv" \
	> "$work/in/claims_2024.csv"

# fewer examined in FY2024: P % of the rows of each vendor file (after the
# FY2023 copy and the claims above, which keep every person); bytes, not
# text (vendor B is CP932)
if [ "$unexamined" != 0 ]; then
	for f in vendor_a vendor_b; do
		LC_ALL=C awk -v p="$unexamined" 'NR == 1 || (NR * 37) % 100 >= p' \
			"$work/in/$f.csv" > "$work/in/$f.tmp"
		mv "$work/in/$f.tmp" "$work/in/$f.csv"
	done
fi
# programme participation (mappings/employer/participation.xml): about 30 %
# of the employees walk, 20 % attend the seminar, 25 % the canteen
# programme, 4 % take the smoking-cessation subsidy; about 7 in 10 complete.
LC_ALL=C awk -F, 'BEGIN { print "社員番号,プログラム,参加日,修了" }
NR == 1 { next }
{
	h = 7
	for (i = 1; i <= length($1); i++)
		h = (h * 31 + index("0123456789", substr($1, i, 1))) % 1000003
	split("ウォーキングイベント 健康セミナー 給食改善 禁煙治療補助", prog, " ")
	split("2024-05-13 2024-07-10 2024-06-03 2024-09-02", day, " ")
	split("30 20 25 4", pct, " ")
	for (p = 1; p <= 4; p++) {
		r = int(h / (p * 7 + 3)) % 100
		if (r < pct[p])
			print $1 "," prog[p] "," day[p] "," ((h + p) % 10 < 7 ? "はい" : "いいえ")
	}
}' "$work/in/roster.csv" > "$work/in/participation.csv"

# 傷病手当金 (mappings/association/allowance.xml): about 4 % of the
# employees in service draw it in FY2024 (more with age), about one in three
# for a mental disorder (ICD-10 F: more of the young ones' absences, and
# longer ones); the absence starts
# on a day drawn from a hash of the card and is paid, after the 3 waiting
# days, month by month (one row per 支給期間), at two thirds of a daily wage
# of 9,000 to 15,000 yen.  Every employee in service has the 被保険者 card of
# the roster, so the payments link like the checkups.
LC_ALL=C awk -F, 'function dn(y, m, d) { # days since 0000-03-01
	if (m < 3) { y--; m += 12 }
	return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * (m - 3) + 2) / 5) + d - 1
}
function ymd(n,    y, doy, m, d) { # inverse of dn
	y = int((10000 * n + 14780) / 3652425)
	doy = n - (365 * y + int(y / 4) - int(y / 100) + int(y / 400))
	if (doy < 0) { y--; doy = n - (365 * y + int(y / 4) - int(y / 100) + int(y / 400)) }
	m = int((100 * doy + 52) / 3060)
	d = doy - int((m * 306 + 5) / 10) + 1
	y += int((m + 2) / 12); m = (m + 2) % 12 + 1
	return sprintf("%04d-%02d-%02d", y, m, d)
}
BEGIN {
	print "保険者番号,被保険者証記号,被保険者証番号,枝番,支給開始日,支給終了日,支給日数,支給額,傷病名,ICD10,傷病名コード"
	split("F329 F432 F411 F412", fc, " "); split("うつ病 適応障害 パニック障害 不安障害", fn, " ")
	split("M545 M511 S822 C509 C189 I639 K358 J189", oc, " ")
	split("腰痛症 腰椎椎間板ヘルニア 下腿骨折 乳癌 結腸癌 脳梗塞 虫垂炎 肺炎", on, " ")
}
NR == 1 { next }
$13 != "" || $8 == "" || $10 == "" { next }
{
	h = 11
	for (i = 1; i <= length($10); i++)
		h = (h * 31 + index("0123456789", substr($10, i, 1))) % 1000003
	h = (h * 131 + $1 + 0) % 1000003
	age = 2025 - substr($4, 1, 4)
	if (h % 1000 >= 25 + (age > 40 ? (age - 40) : 0)) next
	g = int(h / 1000)
	mental = g % 100 < (age < 40 ? 60 : 30)
	if (mental) { code = fc[1 + g % 4]; name = fn[1 + g % 4]; len = 45 + g % 120 }
	else { code = oc[1 + g % 8]; name = on[1 + g % 8]; len = 10 + g % 60 }
	daily = int((9000 + (g % 61) * 100) * 2 / 3 / 10) * 10
	from = dn(2024, 4, 1) + g % 330 + 3
	last = from + len - 1
	while (from <= last) {
		split(ymd(from), d, "-")
		end = dn(d[1] + (d[2] == 12), d[2] % 12 + 1, 1) - 1
		if (end > last) end = last
		days = end - from + 1
		printf "%08d", $8; print "," $9 "," $10 "," $11 "," ymd(from) "," ymd(end) "," days "," days * daily "," name "," code ","
		from = end + 1
	}
}' "$work/in/roster.csv" > "$work/in/allowance.csv"

m=$src/mappings
cat > "$work/job.xml" <<JOB
<?xml version="1.0" encoding="UTF-8"?>
<job xmlns="urn:colink:job:1" name="whitepaper-sample">
  <agreement file="$src/samples/agreement.xml" id="sample-collabo-2024"/>
  <purpose>健康白書</purpose>
  <recipient party="association" role="保健事業担当者"/>
  <key file="sample.key"/>
  <input mapping="$m/vendors/vendor_a.xml" path="in/vendor_a_2023.csv"/>
  <input mapping="$m/vendors/vendor_a.xml" path="in/vendor_a.csv"/>
  <input mapping="$m/vendors/vendor_b.xml" path="in/vendor_b.csv"/>
  <input mapping="$roster_map" path="in/roster.csv"/>
  <input mapping="$m/employer/attendance_freee.xml" path="in/attendance.csv"/>
  <input mapping="$m/association/claims_summary.xml" path="in/claims_2023.csv"/>
  <input mapping="$m/association/claims_summary.xml" path="in/claims_2024.csv"/>
  <input mapping="$m/employer/participation.xml" path="in/participation.csv"/>
  <input mapping="$m/association/allowance.xml" path="in/allowance.csv"/>
  <input mapping="$m/association/disease_master.xml" path="$src/samples/masters/disease_master.csv"/>
  <input mapping="$m/association/uke_claim.xml" path="in/uke/ika.uke"/>
  <input mapping="$m/association/uke_diagnosis.xml" path="in/uke/ika.uke"/>
  <input mapping="$m/association/uke_claim.xml" path="in/uke/chozai.uke"/>
  <output plugin="out_sqlite"><set name="path" value="out/warehouse.db"/></output>
  <link>
    <pass key="card"/>
    <pass key="kana_dob_sex_insurer"/>
  </link>
  <audit log="out/audit.log"/>
  <options max-rejected="$max_rejected"/>
</job>
JOB
cd "$work"
"$colink" key new sample.key >/dev/null
rc=0
"$colink" -q run --unsigned-agreement job.xml || rc=$?
if [ "$rc" -gt 1 ]; then
	echo "$0: the sample run failed (exit $rc)" >&2
	exit 1
fi
"$colink" report whitepaper job.xml --fiscal-year 2024 -o out/wp
if [ -n "$png" ]; then
	sh "$src/tests/html_render.sh" "$work/out/wp/whitepaper.html" "$png" 1200,7400
fi
