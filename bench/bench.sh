#!/bin/bash
# bench/bench.sh -- colink against the floor and the pandas peer (issue #9).
#
#   bench/bench.sh [-n PERSONS] [-x XML_PERSONS] [-d DATA_DIR] [-b BUILD_DIR]
#                  [-s SEED] [--no-peer] [--no-xml] [--no-colink] [--no-load]
#                  [--digest FILE] [--compare FILE] [--postgres]
#                  [--uke [-u CLAIMS]] [--shards N]
#
# On the same generated data, in one run, it times with /usr/bin/time -v:
#   colink     the full linkage job (bench/bench-job.xml.in: checkups, roster,
#              12 months of attendance; link passes card, kana_dob_sex_insurer)
#   load-only  the same job without <link>, so link = colink - load-only
#              (--no-load skips it, e.g. for the 4M run)
#   floor      sqlite3 .import of the same three raw files into plain tables
#   pandas     bench/peer_pandas.py over the same three files
#   xml        colink over an MHLW XML archive (mappings/vendors/mhlw_xml.xml)
#   xmllint    xmllint --stream --noout over the same documents
#   pg, pgfloor  with --postgres (#16): the colink job into out_postgres,
#              and the floor psql '\copy' of the same three raw files into
#              plain text tables, against a throwaway PostgreSQL server of
#              its own (tests/pg_server.sh, in DATA_DIR/pg, stopped at the end); the
#              server's CPU of each (its backend's, from the postmaster's
#              children times) is printed next to the client's
#   shards     with --shards N (#17): the same colink job into one warehouse
#              across N+1 throwaway servers of tests/pg_server.sh (a
#              coordinator and N shards, in DATA_DIR/sh/c, DATA_DIR/sh/1..N,
#              stopped at the end), made by `colink warehouse init --shards`;
#              each server's CPU is printed (its postmaster's children), and
#              the rows and bytes (pg_total_relation_size) of every table on
#              every server go to DATA_DIR/log/shards.sizes
#   csv_a      colink loading vendor A's checkups alone from the CSV
#   xlsx_a     the same rows as an .xlsx workbook (colink-gen --xlsx)
#   dat_a      the same rows as fixed-width records (colink-gen --fixed,
#              the layout of mappings/vendors/vendor_e.xml)
#   uke        with --uke (#21): claims ingestion, colink-gen --uke files
#              (医科 + 調剤, CP932) of about CLAIMS claims (-u, default
#              1000000: ~154,000 persons of the same seed) read by in_receipt
#              as claims and diagnoses into a fresh SQLite warehouse; the
#              report adds claims per second and per CPU second
# and prints wall time, CPU time (user + sys), peak RSS and the ratios
# colink/floor, pandas/colink, link/load, xlsx/csv, fixed/csv and xml/xmllint.
#
# Output identity: --digest FILE writes one SHA-256 per warehouse data table
# (rows sorted, run ids and timestamps left out); --compare FILE checks the
# warehouse of this run against such a file and fails (exit 1) on any
# difference.  Use them around an optimization: same data, same key, same
# tables.
#
# Data (never committed) goes to DATA_DIR (default /work/bench-data/nPERSONS):
# colink-gen output, the key, the warehouses.  Generated once, then reused.
# Public tools only: bash, /usr/bin/time, sqlite3, xmllint, python3-pandas.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
persons=100000
xml_persons=
data=
build=
seed=1
peer=1
xml=1
colink_on=1
load_on=1
digest=
compare=
postgres=0
uke=0
uke_claims=1000000
shards=0

usage() { sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	-n) persons=$2; shift 2 ;;
	-x) xml_persons=$2; shift 2 ;;
	-d) data=$2; shift 2 ;;
	-b) build=$2; shift 2 ;;
	-s) seed=$2; shift 2 ;;
	--no-peer) peer=0; shift ;;
	--no-xml) xml=0; shift ;;
	--no-colink) colink_on=0; shift ;;
	--no-load) load_on=0; shift ;;  # skip the load-only run (no link/load split)
	--digest) digest=$2; shift 2 ;;
	--compare) compare=$2; shift 2 ;;
	--postgres) postgres=1; shift ;;
	--uke) uke=1; shift ;;
	-u) uke_claims=$2; shift 2 ;;
	--shards) shards=$2; shift 2 ;;
	-h|--help) usage ;;
	*) echo "bench.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ -n "$xml_persons" ] || xml_persons=$(( persons < 100000 ? persons : 100000 ))
[ -n "$data" ] || data=/work/bench-data/n$persons
if [ -z "$build" ]; then
	for b in "$src/build-h1" "$src/build" "$PWD"; do
		[ -x "$b/colink" ] && [ -x "$b/samples/colink-gen" ] && { build=$b; break; }
	done
fi
[ -n "$build" ] && [ -x "$build/colink" ] || { echo "bench.sh: no built colink (use -b BUILD_DIR)" >&2; exit 2; }
colink=$build/colink
gen=$build/samples/colink-gen
for t in /usr/bin/time sqlite3; do
	command -v $t >/dev/null || { echo "bench.sh: $t is missing" >&2; exit 2; }
done
if [ $peer = 1 ] && ! /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
	echo "bench.sh: python3-pandas is missing (apt-get install python3-pandas); skipping the peer" >&2
	peer=0
fi
if [ $xml = 1 ] && ! command -v xmllint >/dev/null; then
	echo "bench.sh: xmllint is missing; skipping the XML comparison" >&2
	xml=0
fi

mkdir -p "$data"
log=$data/log
mkdir -p "$log"

# ---------------------------------------------------------------- data
if [ ! -s "$data/csv/attendance.csv" ]; then
	echo "generating $persons persons (seed $seed) in $data/csv ..." >&2
	rm -rf "$data/csv"
	"$gen" --persons "$persons" --seed "$seed" --out "$data/csv" --only vendor_a --employer
fi
if [ $xml = 1 ] && [ ! -d "$data/xml" ]; then
	echo "generating $xml_persons MHLW XML documents in $data/xml ..." >&2
	"$gen" --persons "$xml_persons" --seed "$seed" --xml "$data/xml"
fi
[ -s "$data/bench.key" ] || "$colink" key new "$data/bench.key" >/dev/null

# The job header in the format mappings/schema/job.rng asks for: with an
# agreement file and a recipient (samples/agreement.xml) when it has them.
if grep -q 'name="recipient"' "$src/mappings/schema/job.rng"; then
	header="  <agreement file=\"$src/samples/agreement.xml\" id=\"sample-collabo-2024\"/>\n"
	header+="  <purpose>健康白書</purpose>\n"
	header+="  <recipient party=\"association\" role=\"保健事業担当者\"/>"
else
	header="  <agreement id=\"sample-collabo-2024\"/>\n  <purpose>健康白書</purpose>"
fi

# the job, from the template; <link> dropped for the load-only run
make_job() { # out.xml warehouse link(0|1) [inputs-template]
	sed -e "s|@SRC@|$src|g; s|@DATA@|$data|g; s|@OUT@|$2|; s|@MAXREJ@|100000000|" \
		-e "s|@HEADER@|$header|" "${4:-$here/bench-job.xml.in}" >"$1.tmp"
	if [ "$3" = 0 ]; then
		sed -i -e '/<link>/,/<\/link>/d' "$1.tmp"
	fi
	mv "$1.tmp" "$1"
}

# ---------------------------------------------------------------- timing
declare -A WALL CPU RSS
# timed NAME CMD...: run under /usr/bin/time -v, record wall s, cpu s, peak RSS MB
timed() {
	local name=$1; shift
	local rc=0
	/usr/bin/time -v -o "$log/$name.time" "$@" >"$log/$name.out" 2>"$log/$name.err" || rc=$?
	WALL[$name]=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$log/$name.time")
	CPU[$name]=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 }
		END { printf "%.2f", u + s }' "$log/$name.time")
	RSS[$name]=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log/$name.time")
	echo "$name: wall ${WALL[$name]} s, cpu ${CPU[$name]} s, peak RSS ${RSS[$name]} MB (exit $rc)" >&2
	return 0
}

csv="$data/csv"
bytes=$(cat "$csv/vendor_a.csv" "$csv/roster.csv" "$csv/attendance.csv" | wc -c)
rows_a=$(( $(wc -l <"$csv/vendor_a.csv") - 1 ))
rows_r=$(( $(wc -l <"$csv/roster.csv") - 1 ))
rows_t=$(( $(wc -l <"$csv/attendance.csv") - 1 ))
sync

# (c) the floor: SQLite's own import of the raw bytes
rm -f "$data/floor.db"
timed floor sqlite3 "$data/floor.db" -cmd ".mode csv" ".import $csv/vendor_a.csv checkups" \
	".import $csv/roster.csv roster" ".import $csv/attendance.csv attendance"

# (a) colink: the full linkage job, then the same without <link>
rm -f "$data/w.db" "$data/w.db-wal" "$data/w.db-shm" "$data/load.db" "$data/load.db-wal" "$data/load.db-shm"
make_job "$data/job.xml" "$data/w.db" 1
make_job "$data/job-load.xml" "$data/load.db" 0
if [ $colink_on = 1 ]; then
	timed colink "$colink" -q run --unsigned-agreement "$data/job.xml"
	[ $load_on = 0 ] || timed load "$colink" -q run --unsigned-agreement "$data/job-load.xml"
fi

# (b) the pandas peer
if [ $peer = 1 ]; then
	rm -f "$data/peer.db"
	timed pandas /usr/bin/python3 "$here/peer_pandas.py" "$csv" "$data/peer.db"
fi

# (d) MHLW XML: colink's ingestion against xmllint --stream
if [ $xml = 1 ]; then
	archive=$(find "$data/xml" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	cat >"$data/job-xml.xml.in" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<job xmlns="urn:colink:job:1" name="bench-xml">
@HEADER@
  <key file="@DATA@/bench.key"/>
  <input mapping="@SRC@/mappings/vendors/mhlw_xml.xml" path="$archive"/>
  <output plugin="out_sqlite"><set name="path" value="@OUT@"/></output>
  <options max-rejected="@MAXREJ@"/>
</job>
EOF
	rm -f "$data/xml.db" "$data/xml.db-wal" "$data/xml.db-shm"
	make_job "$data/job-xml.xml" "$data/xml.db" 1 "$data/job-xml.xml.in"
	timed xml "$colink" -q run --unsigned-agreement "$data/job-xml.xml"
	timed xmllint sh -c "find '$archive/DATA' -name '*.xml' -print0 | sort -z | xargs -0 xmllint --stream --noout"
fi

# (e) PostgreSQL: colink into out_postgres against psql's \copy of the raw files
if [ $postgres = 1 ]; then
	pgdir=$data/pg
	sh "$src/tests/pg_server.sh" stop "$pgdir"
	sh "$src/tests/pg_server.sh" start "$pgdir" || { echo "bench.sh: no PostgreSQL server" >&2; exit 2; }
	trap 'sh "$src/tests/pg_server.sh" stop "$pgdir"' EXIT
	ci=$(cat "$pgdir/conninfo")
	pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/psql | head -n 1)")
	# plain tables of text columns, as many as each file's header has
	ddl=
	for f in vendor_a roster attendance; do
		n=$(head -n 1 "$csv/$f.csv" | awk -F, '{ print NF }')
		ddl+="CREATE TABLE $f ($(seq -s, -f 'c%g text' 1 "$n"));"
	done
	"$pgbin/psql" -X -q "$ci" -c "CREATE SCHEMA floor; SET search_path TO floor; $ddl" >/dev/null
	# the server's CPU: what its exited children (the step's backend) used,
	# from the postmaster's cutime + cstime (a second for the postmaster
	# to reap the backend of the step that just ended)
	pm_cpu() {
		sleep 1
		awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($14 + $15) / hz }' \
			"/proc/$(head -n 1 "$pgdir/data/postmaster.pid")/stat"
	}
	declare -A SCPU
	s0=$(pm_cpu)
	timed pgfloor "$pgbin/psql" -X -q "$ci" -c "SET search_path TO floor" \
		-c "\\copy vendor_a FROM '$csv/vendor_a.csv' WITH (FORMAT csv, HEADER true)" \
		-c "\\copy roster FROM '$csv/roster.csv' WITH (FORMAT csv, HEADER true)" \
		-c "\\copy attendance FROM '$csv/attendance.csv' WITH (FORMAT csv, HEADER true)"
	make_job "$data/job-pg.xml" "unused" 1
	sed -i -e 's|<output plugin="out_sqlite">|<output plugin="out_postgres">|' \
		-e "s|<set name=\"path\" value=\"unused\"/>|<set name=\"conninfo\" value=\"$ci\"/>|" "$data/job-pg.xml"
	s1=$(pm_cpu)
	timed pg "$colink" -q run --unsigned-agreement "$data/job-pg.xml"
	s2=$(pm_cpu)
	SCPU[pgfloor]=$(awk -v a="$s1" -v b="$s0" 'BEGIN { printf "%.2f", a - b }')
	SCPU[pg]=$(awk -v a="$s2" -v b="$s1" 'BEGIN { printf "%.2f", a - b }')
fi

# (h) one warehouse across N local shards (#17): the colink job of (e) into
# a coordinator and N shards, every server on this machine
if [ "$shards" -gt 0 ]; then
	shd=$data/sh
	pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/psql | head -n 1)")
	shstop() {
		for d in "$shd"/*/; do
			if [ -d "$d/data" ]; then sh "$src/tests/pg_server.sh" stop "${d%/}"; fi
		done
	}
	mkdir -p "$shd"
	shstop
	rm -rf "$shd"/*
	list=
	for i in c $(seq 1 "$shards"); do
		sh "$src/tests/pg_server.sh" start "$shd/$i" || { echo "bench.sh: no PostgreSQL server" >&2; exit 2; }
		[ "$i" = c ] || list+="${list:+,}postgresql:///postgres?host=$shd/$i/sock&user=colink"
	done
	trap 'shstop; [ "$postgres" = 0 ] || sh "$src/tests/pg_server.sh" stop "$data/pg"' EXIT
	"$colink" warehouse init --shards "$list" "postgresql:///postgres?host=$shd/c/sock&user=colink#colink" >"$log/shards-init.out" 2>&1 ||
		{ echo "bench.sh: warehouse init --shards failed: $(tail -n 2 "$log/shards-init.out")" >&2; exit 2; }
	make_job "$data/job-shards.xml" "unused" 1
	sed -i -e 's|<output plugin="out_sqlite">|<output plugin="out_postgres">|' \
		-e "s|<set name=\"path\" value=\"unused\"/>|<set name=\"conninfo\" value=\"$(cat "$shd/c/conninfo")\"/>|" "$data/job-shards.xml"
	# each server's CPU: its postmaster's reaped children (backends), a
	# second after the step for the last ones to be reaped
	sh_cpu() {
		sleep 1
		for i in c $(seq 1 "$shards"); do
			awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f ", ($14 + $15) / hz }' \
				"/proc/$(head -n 1 "$shd/$i/data/postmaster.pid")/stat"
		done
	}
	c0=$(sh_cpu)
	timed shards "$colink" -q run --unsigned-agreement "$data/job-shards.xml"
	c1=$(sh_cpu)
	SHCPU=$(awk -v a="$c1" -v b="$c0" 'BEGIN { n = split(a, x, " "); split(b, y, " "); t = 0;
		for (i = 1; i <= n; i++) { d = x[i] - y[i]; t += d; printf "%s %.2f s, ", (i == 1 ? "coordinator" : "shard " i - 1), d }
		printf "total %.2f s", t }')
	# rows and bytes of every table on every server (the shards' are the
	# fact tables; the coordinator's parents are empty, its own the small ones)
	for i in c $(seq 1 "$shards"); do
		"$pgbin/psql" -X -q -A -t -F ' ' "$(cat "$shd/$i/conninfo")" -c "ANALYZE" -c "SELECT '$i', c.relname,
			c.reltuples::bigint, pg_total_relation_size(c.oid) FROM pg_class c
			WHERE c.relnamespace = 'colink'::regnamespace AND c.relkind = 'r' ORDER BY 2"
	done >"$log/shards.sizes"
fi

# (f) .xlsx and fixed-width (issue #20): vendor A's checkups as an Excel
# workbook (numbers, serial dates with a date style, inline strings) and as
# fixed-width records (vendor_e.xml's CP932 layout: 16 of the 35 columns,
# header and trailer), both written by colink-gen --fixed --xlsx from the
# same rows (untimed), against the same rows as CSV, each alone, load only
if [ $colink_on = 1 ]; then
	if [ ! -s "$csv/vendor_a.xlsx" ] || [ ! -s "$csv/vendor_a.dat" ]; then
		echo "generating vendor A as .xlsx and fixed-width in $data/alt ..." >&2
		rm -rf "$data/alt"
		"$gen" --persons "$persons" --seed "$seed" --out "$data/alt" --only vendor_a --fixed --xlsx
		cmp -s "$data/alt/vendor_a.csv" "$csv/vendor_a.csv" ||
			{ echo "bench.sh: colink-gen wrote another vendor_a.csv" >&2; exit 2; }
		mv "$data/alt/vendor_a.xlsx" "$data/alt/vendor_a.dat" "$csv/"
		rm -rf "$data/alt"
	fi
	sed -e 's|<input plugin="in_csv">|<input plugin="in_xlsx">|' -e '/<set name=/d' \
		"$src/mappings/vendors/vendor_a.xml" >"$data/vendor_a_xlsx.xml"
	for f in csv xlsx dat; do
		m="@SRC@/mappings/vendors/vendor_a.xml"
		[ $f != xlsx ] || m="@DATA@/vendor_a_xlsx.xml"
		[ $f != dat ] || m="@SRC@/mappings/vendors/vendor_e.xml"
		cat >"$data/job-$f.xml.in" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<job xmlns="urn:colink:job:1" name="bench-$f">
@HEADER@
  <key file="@DATA@/bench.key"/>
  <input mapping="$m" path="@DATA@/csv/vendor_a.$f"/>
  <output plugin="out_sqlite"><set name="path" value="@OUT@"/></output>
  <options max-rejected="@MAXREJ@"/>
</job>
EOF
		rm -f "$data/$f.db" "$data/$f.db-wal" "$data/$f.db-shm"
		make_job "$data/job-$f.xml" "$data/$f.db" 0 "$data/job-$f.xml.in"
		timed "${f}_a" "$colink" -q run --unsigned-agreement "$data/job-$f.xml"
	done
	# the same persons every way: every pseudonym of every kind, and the
	# checkup values the three formats share
	sums=$(for f in csv xlsx dat; do printf '%s ' "$f"; sqlite3 "$data/$f.db" "SELECT count(*) FROM checkup;
		SELECT kind, pseudonym FROM person_key ORDER BY 1, 2;
		SELECT exam_date, height, weight, bmi, sbp_1, sbp_2, hba1c, ldl, urine_protein, age_at_exam
		FROM checkup ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10" 2>&1 | sha256sum | cut -c1-16; done)
	same=$(echo "$sums" | cut -d' ' -f2 | uniq | wc -l)
	[ "$same" = 1 ] || { echo "xlsx/fixed: FAILED: a warehouse differs from the CSV's:" $sums >&2; status_xlsx=1; }
fi

# (g) claims (issue #21): UKE files of colink-gen --uke into SQLite
if [ $uke = 1 ]; then
	# about 6.5 claims per person (samples/gen/gen_uke.c)
	uke_persons=$(( (uke_claims * 2 + 12) / 13 ))
	udir=$data/uke-$uke_claims
	if [ ! -s "$udir/chozai.uke" ]; then
		echo "generating the claims of $uke_persons persons (seed $seed) in $udir ..." >&2
		rm -rf "$udir"
		"$gen" --persons "$uke_persons" --seed "$seed" --uke "$udir"
	fi
	uke_n=$(( $(grep -c '^RE,' "$udir/ika.uke") + $(grep -c '^RE,' "$udir/chozai.uke") ))
	uke_mb=$(( $(cat "$udir/ika.uke" "$udir/chozai.uke" | wc -c) / 1000000 ))
	cat >"$data/job-uke.xml.in" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<job xmlns="urn:colink:job:1" name="bench-uke">
@HEADER@
  <key file="@DATA@/bench.key"/>
  <input mapping="@SRC@/mappings/association/uke_claim.xml" path="$udir/ika.uke"/>
  <input mapping="@SRC@/mappings/association/uke_diagnosis.xml" path="$udir/ika.uke"/>
  <input mapping="@SRC@/mappings/association/uke_claim.xml" path="$udir/chozai.uke"/>
  <output plugin="out_sqlite"><set name="path" value="@OUT@"/></output>
  <options max-rejected="@MAXREJ@"/>
</job>
EOF
	rm -f "$data/uke.db" "$data/uke.db-wal" "$data/uke.db-shm"
	make_job "$data/job-uke.xml" "$data/uke.db" 0 "$data/job-uke.xml.in"
	timed uke "$colink" -q run --unsigned-agreement "$data/job-uke.xml"
	uke_loaded=$(sqlite3 "$data/uke.db" "SELECT count(*) FROM claim" 2>/dev/null || echo 0)
	[ "$uke_loaded" = "$uke_n" ] || { echo "uke: FAILED: $uke_loaded claims loaded of $uke_n" >&2; status_uke=1; }
fi

# ---------------------------------------------------------------- identity
# One SHA-256 per data table: every column but run ids and timestamps, rows sorted.
# A person is digested as its pseudonym, never as the warehouse's own number:
# person.person_no (schema v4) is left out and every other table's person_no
# is replaced, in place, by the person's person_id, so a v3 warehouse (which
# has person_id there) and a v4 one of the same data give the same digest.
# A BLOB (schema v12: pseudonyms and features) is digested as its lowercase
# hex, so a v12 warehouse and a v11 one (hex text) of the same data give
# the same digest: values are compared, not their storage.
table_digests() { # db
	local t cols
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT IN ('run', 'run_input', 'schema_version', 'sqlite_sequence') ORDER BY name"); do
		cols=$(sqlite3 "$1" "SELECT group_concat(CASE WHEN name = 'person_no'
			THEN '(SELECT p.person_id FROM person p WHERE p.person_no = t.person_no)'
			ELSE 'CASE WHEN typeof(t.[' || name || ']) = ''blob'' THEN lower(hex(t.[' || name
				|| '])) ELSE t.[' || name || '] END' END, ',') FROM pragma_table_info('$t')
			WHERE name NOT LIKE '%run_id' AND name NOT IN ('started', 'finished', 'seconds', 'created', 'loaded_at')
			AND NOT ('$t' = 'person' AND name = 'person_no')")
		# an empty table says nothing (and a table added to the schema since
		# the reference digest is empty here)
		[ "$(sqlite3 "$1" "SELECT EXISTS (SELECT 1 FROM \"$t\")")" = 1 ] || continue
		printf '%s %s\n' "$t" "$(sqlite3 "$1" "SELECT $cols FROM \"$t\" t ORDER BY $cols" | sha256sum | cut -c1-64)"
	done
}
status=${status_xlsx:-0}
[ -z "${status_uke:-}" ] || status=1
if [ $colink_on = 1 ] && { [ -n "$digest" ] || [ -n "$compare" ]; }; then
	table_digests "$data/w.db" >"$log/digest"
	[ -z "$digest" ] || cp "$log/digest" "$digest"
	if [ -n "$compare" ]; then
		if diff -u "$compare" "$log/digest" >&2; then
			echo "identity: every warehouse data table equals $compare" >&2
		else
			echo "identity: FAILED: the warehouse differs from $compare" >&2
			status=1
		fi
	fi
fi

# ---------------------------------------------------------------- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
linked=$([ -f "$data/w.db" ] && sqlite3 "$data/w.db" "SELECT linked_total FROM link_summary ORDER BY rowid DESC LIMIT 1" 2>/dev/null || echo "?")
echo
echo "colink bench: $persons persons (seed $seed), $(( bytes / 1000000 )) MB of CSV:" \
	"$rows_a checkup rows, $rows_r roster rows, $rows_t attendance rows; linked $linked"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo);" \
	"commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$src" diff --quiet 2>/dev/null || echo '+dirty')"
printf '%-10s %9s %9s %10s\n' step wall_s cpu_s peak_MB
for k in floor colink load pandas xml xmllint pgfloor pg shards csv_a xlsx_a dat_a uke; do
	[ -n "${WALL[$k]:-}" ] || continue
	printf '%-10s %9s %9s %10s\n' "$k" "${WALL[$k]}" "${CPU[$k]}" "${RSS[$k]}"
done
if [ $colink_on = 1 ]; then
	if [ $load_on = 1 ]; then
		link=$(awk -v a="${WALL[colink]}" -v b="${WALL[load]}" 'BEGIN { printf "%.2f", a - b }')
		echo "link phase (colink - load-only): $link s"
	fi
	echo "colink/floor:   $(ratio "${WALL[colink]}" "${WALL[floor]}")  (target <= 1.0)"
	[ -z "${WALL[pandas]:-}" ] || echo "pandas/colink:  $(ratio "${WALL[pandas]}" "${WALL[colink]}")  (target >= 10)"
	[ $load_on = 0 ] || echo "link/load:      $(ratio "$link" "${WALL[load]}")  (issue #5: same order of time)"
	echo "cpu colink/floor: $(ratio "${CPU[colink]}" "${CPU[floor]}"), cpu pandas/colink: $(ratio "${CPU[pandas]:-0}" "${CPU[colink]}")"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews wall times)"
[ -z "${WALL[pg]:-}" ] || echo "postgres colink/floor: $(ratio "${WALL[pg]}" "${WALL[pgfloor]}")  (target <= 3.0; \\copy of the raw files)"
[ -z "${WALL[pg]:-}" ] || echo "postgres server cpu: floor ${SCPU[pgfloor]} s, colink ${SCPU[pg]} s; client cpu: psql ${CPU[pgfloor]} s, colink ${CPU[pg]} s; cpu colink/floor (client + server): $(ratio "$(awk -v a="${CPU[pg]}" -v b="${SCPU[pg]}" 'BEGIN { print a + b }')" "$(awk -v a="${CPU[pgfloor]}" -v b="${SCPU[pgfloor]}" 'BEGIN { print a + b }')")"
[ -z "${WALL[shards]:-}" ] || echo "shards ($shards local, a coordinator and $shards shards): wall ${WALL[shards]} s, client cpu ${CPU[shards]} s; server cpu: $SHCPU; $([ -z "${WALL[pg]:-}" ] || echo "sharded/one server: $(ratio "${WALL[shards]}" "${WALL[pg]}")"); sizes in $log/shards.sizes"
[ -z "${WALL[xlsx_a]:-}" ] || echo "xlsx/csv:       $(ratio "${WALL[xlsx_a]}" "${WALL[csv_a]}")  (target <= 2.0; vendor A alone as .xlsx and as CSV, load only; same persons: $([ "${same:-0}" = 1 ] && echo yes || echo NO))"
[ -z "${WALL[uke]:-}" ] || echo "claims (UKE):   $uke_loaded of $uke_n claims, $uke_mb MB, $(awk -v n="$uke_n" -v s="${WALL[uke]}" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }') claims/s, $(awk -v n="$uke_n" -v s="${CPU[uke]}" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }') claims/CPU s, peak RSS ${RSS[uke]} MB (claims and diagnoses of 医科 + 調剤 into SQLite)"
[ -z "${WALL[dat_a]:-}" ] || echo "fixed/csv:      $(ratio "${WALL[dat_a]}" "${WALL[csv_a]}")  (target <= 2.0; vendor A alone as fixed-width (16 of its 35 columns) and as CSV, load only; same persons: $([ "${same:-0}" = 1 ] && echo yes || echo NO))"
[ -z "${WALL[xml]:-}" ] || echo "xml/xmllint:    $(ratio "${WALL[xml]}" "${WALL[xmllint]}")  (target <= 1.3, issue #15; $xml_persons documents)"
exit $status
