#!/bin/bash
# bench/report-outputs.sh -- every program report colink produces, for a
# byte-for-byte before/after comparison of a refactor.
#
#   bench/report-outputs.sh -b BUILD_DIR -o OUT_DIR [-w WORKDIR] [-k KEYFILE]
#                           [-s SRCDIR] [-p POPULATIONS]
#
#   -b BUILD_DIR  a colink build directory (./colink, samples/colink-gen)
#   -o OUT_DIR    where the reports go; must not exist or be empty
#   -w WORKDIR    generated inputs, jobs and warehouses (default
#                 ${TMPDIR:-/tmp}/colink-report-outputs); WORKDIR/<population>
#                 is replaced on every run
#   -k KEYFILE    the pseudonym key (default WORKDIR/report-outputs.key);
#                 created with `colink key new` when missing, reused after.
#                 Use the SAME key for the before and the after run: the
#                 pseudonymized reports list persons by pseudonym.
#   -s SRCDIR     the source tree (mappings, samples, samples/gen/claims-gen);
#                 default: the build directory's abs_top_srcdir (its Makefile)
#   -p LIST       populations, comma separated (default sample,800,20000)
#
# Populations (each its own warehouse, under the sample agreement):
#   sample  samples/sample-job.xml as is (both vendors, claims summary,
#           roster, KOT and freee attendance, stress check), paths made
#           absolute into SRCDIR, the key replaced by KEYFILE
#   800     samples/gen/claims-gen-whitepaper.sh's population (colink-gen
#           --persons 800 --seed 7 --employer, vendor A FY2023 derived from
#           FY2024, claims FY2023 and FY2024); its FY2024 white paper is the
#           committed samples/whitepaper.html (checked, on stderr)
#   20000   the same recipe with --persons 20000 --seed 1, after a first run
#           loading colink-gen's MHLW XML archive of the same persons
#
# Reports: referral, guidance, smoking (CSV and --json, --all, per fiscal
# year, --rules 3rd, --set, -o FILE, --persons), for the association's staff
# (pseudonymized), the employer's roles (identified via the roster, plain,
# refused), with the follow-up allowed by an extended agreement, and without
# a job (--warehouse ...); the white paper per fiscal year for both parties
# and with --k/--suppress-zeros/--site-rule/--min-site/--rules; `link
# report` (latest, each run, --json); the audit log.  sample and 800 get the
# full matrix; 20000 the core variants only (each report takes seconds there).
#
# OUT_DIR/key-id.txt                 the key id (the same in before and after)
# OUT_DIR/<population>/run.txt       the `colink run` summaries (normalized)
# OUT_DIR/<population>/reports/NAME.stdout   stdout of each report command
# OUT_DIR/<population>/reports/NAME.stderr   its stderr (normalized) + "exit: N"
# OUT_DIR/<population>/reports/NAME.csv|.json  reports written with -o FILE
# OUT_DIR/<population>/reports/NAME/   white papers (whitepaper.html, csv/)
# OUT_DIR/<population>/audit/        the audit log (normalized), audit show
#                                    and audit verify (normalized)
#
# Normalized (and only in the files named): absolute paths of SRCDIR,
# BUILD_DIR, WORKDIR, OUT_DIR and KEYFILE -> @SRC@ @BUILD@ @WORK@ @OUT@ @KEY@
# (*.stderr, run.txt, audit/*); run ids (32 hex digits) -> @RUN_ID@ and
# UTC timestamps -> @TIME@ (run.txt, link-report*.stdout, audit/*); "in N s"
# -> @SECONDS@ (run.txt); audit entries' time, user, prev, hash and
# job_sha256 (the job file holds the absolute paths) -> placeholders
# (audit/*).  Report contents (CSV, JSON, HTML) are left byte for byte.
#
# Compare two runs with: diff -r BEFORE_OUT AFTER_OUT
# bash and POSIX tools only.
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
die() { echo "report-outputs.sh: $*" >&2; exit 2; }

build= out= work= key= src=
pops=sample,800,20000
while [ $# -gt 0 ]; do
	case "$1" in
	-b) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
	-o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	-w) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	-k) [ $# -ge 2 ] || usage; key=$2; shift 2 ;;
	-s) [ $# -ge 2 ] || usage; src=$2; shift 2 ;;
	-p) [ $# -ge 2 ] || usage; pops=$2; shift 2 ;;
	-h|--help) usage ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
done
[ -n "$build" ] && [ -n "$out" ] || usage
build=$(cd "$build" && pwd -P) || die "no build directory $build"
colink=$build/colink
gen=$build/samples/colink-gen
[ -x "$colink" ] || die "$colink is missing (build first)"
[ -x "$gen" ] || die "$gen is missing (build first)"

# the source tree the build came from
build_src=
if [ -f "$build/Makefile" ]; then
	build_src=$(sed -n 's/^abs_top_srcdir = //p' "$build/Makefile" | head -n 1)
	[ -z "$build_src" ] || build_src=$(cd "$build_src" && pwd -P)
fi
if [ -z "$src" ]; then
	[ -n "$build_src" ] || die "cannot find abs_top_srcdir in $build/Makefile (use -s SRCDIR)"
	src=$build_src
fi
src=$(cd "$src" && pwd -P) || die "no source tree $src"
[ -f "$src/samples/sample-job.xml" ] && [ -d "$src/mappings" ] || die "$src is not a colink source tree"
if [ -n "$build_src" ] && [ "$build_src" != "$src" ]; then
	echo "report-outputs.sh: warning: $build was configured from $build_src, not $src;" \
		"colink reads its rules from the tree it was built from" >&2
fi

[ -n "$work" ] || work=${TMPDIR:-/tmp}/colink-report-outputs
mkdir -p "$work"
work=$(cd "$work" && pwd -P)
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
	die "$out exists and is not empty"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
case $out/ in "$work"/*) die "OUT_DIR must not be inside WORKDIR" ;; esac
case $work/ in "$out"/*) die "WORKDIR must not be inside OUT_DIR" ;; esac

[ -n "$key" ] || key=$work/report-outputs.key
if [ ! -e "$key" ]; then
	mkdir -p "$(dirname "$key")"
	"$colink" key new "$key" >&2
fi
key=$(cd "$(dirname "$key")" && pwd -P)/$(basename "$key")
"$colink" key id "$key" >"$out/key-id.txt"

export LC_ALL=C.UTF-8 TZ=UTC
unset COLINK_PLUGIN_PATH COLINK_FAIL_ALLOC_AFTER COLINK_WRITER_THREAD || true

# ---------------------------------------------------------------- normalizing
# sed-escape a literal for the left and the right side of s#...#...#
lit() { printf '%s' "$1" | sed -e 's/[][#$*.^\\]/\\&/g'; }
# Path substitutions, longest path first (one may contain another).
path_sed=()
while IFS='	' read -r _ p name; do
	path_sed+=(-e "s#$(lit "$p")#@$name@#g")
done < <(for pair in "SRC=$src" "BUILD=$build" "WORK=$work" "OUT=$out" "KEY=$key"; do
	printf '%s\t%s\t%s\n' "${#pair}" "${pair#*=}" "${pair%%=*}"
done | sort -t '	' -k1,1nr)
user=$(id -un 2>/dev/null || echo "?")
# norm_paths: absolute paths only
norm_paths() { sed "${path_sed[@]}"; }
# norm: paths, run ids, timestamps, elapsed seconds
norm() {
	norm_paths | sed -E \
		-e 's/(^|[^0-9a-f])[0-9a-f]{32}($|[^0-9a-f])/\1@RUN_ID@\2/g' \
		-e 's/(^|[^0-9a-f])[0-9a-f]{32}($|[^0-9a-f])/\1@RUN_ID@\2/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/@TIME@/g' \
		-e 's/ in [0-9]+(\.[0-9]+)? s$/ in @SECONDS@ s/' \
		-e 's/"seconds":[0-9.eE+-]+/"seconds":"@SECONDS@"/g' \
		-e 's/"(load|link)_seconds":[0-9.eE+-]+/"\1_seconds":"@SECONDS@"/g' \
		-e 's/^  time: load .*/  time: load @SECONDS@ s, link @SECONDS@ s, commit and the rest @SECONDS@ s/'
}
# the audit log's own chain and who/when
norm_audit() {
	norm | sed -E \
		-e 's/"(prev|hash|job_sha256)":"[0-9a-f]{64}"/"\1":"@\1@"/g' \
		-e "s/\"user\":\"$(lit "$user")\"/\"user\":\"@USER@\"/g"
}

# ---------------------------------------------------------------- helpers
rdir=  # the current population's report directory
# rep NAME ARGS...: colink ARGS in rdir; stdout -> NAME.stdout, stderr
# (paths normalized) and the exit status -> NAME.stderr
rep() {
	local name=$1 rc=0
	shift
	(cd "$rdir" && "$colink" "$@" >"$name.stdout" 2>"$name.stderr.raw") || rc=$?
	{ norm_paths <"$rdir/$name.stderr.raw"; echo "exit: $rc"; } >"$rdir/$name.stderr"
	rm -f "$rdir/$name.stderr.raw"
	printf '.' >&2
}
# rep_all NAME ARGS...: rep, in the full matrix only (sample, 800); the
# 20000 population runs the core variants (each takes seconds there)
full=1
rep_all() { [ "$full" = 0 ] || rep "$@"; }
# rep_norm NAME ARGS...: the same, stdout normalized too (run ids, times)
rep_norm() {
	local name=$1
	rep "$@"
	norm <"$rdir/$name.stdout" >"$rdir/$name.stdout.tmp"
	mv "$rdir/$name.stdout.tmp" "$rdir/$name.stdout"
}
# run_job POP JOB: `colink run`, summary appended to OUT/POP/run.txt
run_job() {
	local pop=$1 job=$2 rc=0
	"$colink" run --unsigned-agreement "$job" >"$work/$pop/run.stdout" 2>"$work/$pop/run.stderr" || rc=$?
	cat "$work/$pop/run.stdout" >>"$work/$pop/run.stdout.all"
	{
		echo "== colink run $(basename "$job")"
		norm <"$work/$pop/run.stdout"
		echo "-- stderr"
		norm <"$work/$pop/run.stderr"
		echo "exit: $rc"
	} >>"$out/$pop/run.txt"
	if [ "$rc" -gt 1 ]; then
		echo "report-outputs.sh: $pop: colink run $job failed (exit $rc)" >&2
		cat "$work/$pop/run.stderr" >&2
		exit 1
	fi
}
# sed-escape a replacement
rlit() { printf '%s' "$1" | sed -e 's/[\\&#]/\\&/g'; }

# The job header every generated job shares (the sample agreement).
job_head() { # NAME
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<job xmlns="urn:colink:job:1" name="$1">
  <agreement file="$src/samples/agreement.xml" id="sample-collabo-2024"/>
  <purpose>健康白書</purpose>
  <recipient party="association" role="保健事業担当者"/>
  <key file="$key"/>
EOF
}

# ---------------------------------------------------------------- populations
# prepare_sample: WORK/sample/job.xml, samples/sample-job.xml with absolute paths
prepare_sample() {
	local d=$work/sample
	sed -e "s#mapping=\"\\.\\./mappings/#mapping=\"$(rlit "$src")/mappings/#g" \
		-e "s#<agreement file=\"\\([^/\"][^\"]*\\)\"#<agreement file=\"$(rlit "$src")/samples/\\1\"#" \
		-e "s#\\(<input [^>]*path=\"\\)\\([^/\"][^\"]*\"\\)#\\1$(rlit "$src")/samples/\\2#" \
		-e "s#<key file=\"[^\"]*\"#<key file=\"$(rlit "$key")\"#" \
		"$src/samples/sample-job.xml" >"$d/job.xml"
	mkdir -p "$d/out"
	roster=$src/samples/employer/roster.csv
	run_job sample "$d/job.xml"
}

# the white-paper population of samples/gen/claims-gen-whitepaper.sh
# (claims-gen writes one row per card as spelled, so a person whose roster
# card is spelled differently gets two claims rows: the second is a planted
# reject, ~10 % of the claims rows; hence MAXREJ)
gen_population() { # DIR PERSONS SEED MAXREJ [xml]
	local d=$1
	"$gen" --persons "$2" --seed "$3" --out "$d/in" --employer ${5:+--xml "$d/xml"} >/dev/null
	awk -F, -v OFS=, 'NR == 1 { print; next }
	{
		y = substr($8, 1, 4) - 1; md = substr($8, 5)
		if (md == "-02-29") md = "-02-28"
		$8 = y md
		if ($35 == "1" && NR % 4 == 0) $35 = "3"
		else if ($35 == "3" && NR % 8 == 0) $35 = "1"
		print
	}' "$d/in/vendor_a.csv" >"$d/in/vendor_a_2023.csv"
	"$src/samples/gen/claims-gen" --year 2023 "$d/in/roster.csv" "$d/in/vendor_a.csv" >"$d/in/claims_2023.csv"
	"$src/samples/gen/claims-gen" --year 2024 "$d/in/roster.csv" "$d/in/vendor_a.csv" >"$d/in/claims_2024.csv"
	local m=$src/mappings
	{
		job_head "whitepaper-sample"
		cat <<EOF
  <input mapping="$m/vendors/vendor_a.xml" path="in/vendor_a_2023.csv"/>
  <input mapping="$m/vendors/vendor_a.xml" path="in/vendor_a.csv"/>
  <input mapping="$m/vendors/vendor_b.xml" path="in/vendor_b.csv"/>
  <input mapping="$m/employer/roster.xml" path="in/roster.csv"/>
  <input mapping="$m/employer/attendance_freee.xml" path="in/attendance.csv"/>
  <input mapping="$m/association/claims_summary.xml" path="in/claims_2023.csv"/>
  <input mapping="$m/association/claims_summary.xml" path="in/claims_2024.csv"/>
  <output plugin="out_sqlite"><set name="path" value="out/warehouse.db"/></output>
  <link>
    <pass key="card"/>
    <pass key="kana_dob_sex_insurer"/>
  </link>
  <audit log="out/audit.log"/>
  <options max-rejected="$4"/>
</job>
EOF
	} >"$d/job.xml"
	mkdir -p "$d/out"
	roster=$d/in/roster.csv
}

prepare_800() {
	gen_population "$work/800" 800 7 1000
	run_job 800 "$work/800/job.xml"
}

prepare_20000() {
	local d=$work/20000 archive
	gen_population "$d" 20000 1 100000 xml
	archive=$(cd "$d/xml" && ls -d */ | head -n 1)
	{
		job_head "mhlw-xml"
		cat <<EOF
  <input mapping="$src/mappings/vendors/mhlw_xml.xml" path="xml/${archive%/}"/>
  <output plugin="out_sqlite"><set name="path" value="out/warehouse.db"/></output>
  <audit log="out/audit.log"/>
  <options max-rejected="1000"/>
</job>
EOF
	} >"$d/job-xml.xml"
	run_job 20000 "$d/job-xml.xml"
	rm -rf "$d/xml" # 15 KB a document; loaded now
	run_job 20000 "$d/job.xml"
}

# ---------------------------------------------------------------- the reports
# reports POP FY...: every report variant on POP's warehouse; the fiscal
# years with checkups in the population, the latest last
reports() {
	local pop=$1 fy latest job wh agr_fu
	shift
	job=$work/$pop/job.xml
	wh=$work/$pop/out/warehouse.db
	rdir=$out/$pop/reports
	mkdir -p "$rdir"
	for fy in "$@"; do latest=$fy; done
	local R=(--roster "$roster" --roster-mapping "$src/mappings/employer/roster.xml")
	# clause R1 extended with the follow-up's items (as tests/test_report.c does)
	agr_fu=$work/$pop/agreement-followup.xml
	sed -e 's#<item field="urine_protein"/>#<item field="urine_protein"/><item field="last_visit_date"/><item field="q_med_bp"/><item field="q_med_lipid"/><item field="q_med_glucose"/>#' \
		"$src/samples/agreement.xml" >"$agr_fu"
	echo -n "$pop: reports " >&2

	# 受診勧奨 (referral)
	rep referral-assoc report referral "$job"
	rep_all referral-assoc-json report referral "$job" --json
	rep_all referral-assoc-all report referral "$job" --all
	rep referral-assoc-all-json report referral "$job" --all --json
	rep_all referral-assoc-file report referral "$job" -o referral-assoc-file.csv
	rep_all referral-assoc-file-json report referral "$job" --all --json -o referral-assoc-file-json.json
	for fy in "$@"; do
		rep_all "referral-assoc-all-fy$fy" report referral "$job" --all --fiscal-year "$fy"
	done
	rep_all referral-assoc-all-settings report referral "$job" --all --set referral.hdl_recommend=34 \
		--set referral.tg_urgent=500 --set referral.ldl_urgent=180 --set referral.hba1c_urgent=8.0
	rep_all referral-assoc-all-rules3rd report referral "$job" --all --rules 3rd
	rep_all referral-assoc-identified-fallback report referral "$job" --identified "${R[@]}"
	rep_all referral-sangyoi report referral "$job" --party employer --role 産業医
	rep referral-sangyoi-identified report referral "$job" --party employer --role 産業医 --identified "${R[@]}"
	rep_all referral-sangyoi-identified-json report referral "$job" --party employer --role 産業医 \
		--identified "${R[@]}" --json
	rep_all referral-sangyoi-identified-file report referral "$job" --party employer --role 産業医 \
		--identified "${R[@]}" -o referral-sangyoi-identified-file.csv
	rep_all referral-hokenshi-identified-all report referral "$job" --party employer --role 保健師 \
		--identified --all "${R[@]}"
	rep referral-sangyoi-identified-followup report referral "$job" --party employer --role 産業医 \
		--identified --agreement "$agr_fu" "${R[@]}"
	rep_all referral-sangyoi-identified-followup-json report referral "$job" --party employer --role 産業医 \
		--identified --agreement "$agr_fu" --json "${R[@]}"
	rep referral-kenkokanri-refused report referral "$job" --party employer --role 健康管理チーム
	rep_all referral-purpose-refused report referral "$job" --purpose 人事評価 --party employer --role 産業医
	rep_all referral-role-unknown report referral "$job" --party employer --role 社長
	# the same without a job: --warehouse, --agreement, --party, --role, --key
	rep_all referral-warehouse-identified report referral --warehouse "$wh" \
		--agreement "$src/samples/agreement.xml" --party employer --role 産業医 --key "$key" \
		--audit-log "$work/$pop/out/audit.log" --identified --all "${R[@]}"

	# 特定保健指導 (guidance)
	rep_all guidance-assoc report guidance "$job"
	rep_all guidance-assoc-json report guidance "$job" --json
	rep guidance-assoc-all report guidance "$job" --all
	rep_all guidance-assoc-all-json report guidance "$job" --all --json
	rep_all guidance-assoc-file report guidance "$job" --all -o guidance-assoc-file.csv
	for fy in "$@"; do
		rep_all "guidance-assoc-all-fy$fy" report guidance "$job" --all --fiscal-year "$fy"
		rep_all "guidance-assoc-all-fy$fy-rules3rd" report guidance "$job" --all --fiscal-year "$fy" --rules 3rd
	done
	rep_all guidance-assoc-all-either report guidance "$job" --all --set guidance.glucose_priority=either
	rep guidance-hokenshi-identified report guidance "$job" --party employer --role 保健師 \
		--identified "${R[@]}"
	rep_all guidance-kenkokanri-identified-all-json report guidance "$job" --party employer \
		--role 健康管理チーム --identified --all --json "${R[@]}"
	rep guidance-kenkokanri report guidance "$job" --party employer --role 健康管理チーム
	rep_all guidance-kenkokanri-all-json report guidance "$job" --party employer --role 健康管理チーム --all --json
	rep_all guidance-sangyoi-refused report guidance "$job" --party employer --role 産業医

	# 禁煙推進 (smoking)
	rep smoking-assoc report smoking "$job"
	rep smoking-assoc-json report smoking "$job" --json
	rep smoking-kenkokanri report smoking "$job" --party employer --role 健康管理チーム
	rep smoking-kenkokanri-json report smoking "$job" --party employer --role 健康管理チーム --json
	rep_all smoking-kenkokanri-file report smoking "$job" --party employer --role 健康管理チーム \
		-o smoking-kenkokanri-file.csv
	for fy in "$@"; do
		rep "smoking-kenkokanri-fy$fy" report smoking "$job" --party employer --role 健康管理チーム \
			--fiscal-year "$fy"
	done
	rep_all smoking-assoc-persons report smoking "$job" --persons
	rep smoking-assoc-persons-all-json report smoking "$job" --persons --all --json
	rep_all smoking-assoc-persons-rules3rd report smoking "$job" --persons --all --rules 3rd
	rep_all smoking-kenkokanri-persons-refused report smoking "$job" --party employer --role 健康管理チーム --persons

	# 健康白書 (white paper): HTML + CSV per directory
	rep_all whitepaper-assoc report whitepaper "$job" -o whitepaper-assoc
	for fy in "$@"; do
		rep "whitepaper-assoc-fy$fy" report whitepaper "$job" --fiscal-year "$fy" -o "whitepaper-assoc-fy$fy"
		[ "$full" = 1 ] || [ "$fy" = "$latest" ] || continue
		rep "whitepaper-kenkokanri-fy$fy" report whitepaper "$job" --party employer --role 健康管理チーム \
			--fiscal-year "$fy" -o "whitepaper-kenkokanri-fy$fy"
		rep_all "whitepaper-assoc-fy$fy-rules3rd" report whitepaper "$job" --fiscal-year "$fy" --rules 3rd \
			-o "whitepaper-assoc-fy$fy-rules3rd"
	done
	rep_all whitepaper-assoc-k5-zeros report whitepaper "$job" --fiscal-year "$latest" --k 5 --suppress-zeros \
		-o whitepaper-assoc-k5-zeros
	rep_all whitepaper-assoc-withhold report whitepaper "$job" --fiscal-year "$latest" --site-rule withhold \
		--min-site 100 -o whitepaper-assoc-withhold
	rep_all whitepaper-assoc-minsite5 report whitepaper "$job" --fiscal-year "$latest" --min-site 5 \
		--set referral.tg_urgent=500 -o whitepaper-assoc-minsite5
	rep_all whitepaper-warehouse report whitepaper --warehouse "$wh" --agreement "$src/samples/agreement.xml" \
		--party association --role 保健事業担当者 --audit-log "$work/$pop/out/audit.log" \
		--fiscal-year "$latest" -o whitepaper-warehouse
	rep_all whitepaper-sangyoi-refused report whitepaper "$job" --party employer --role 産業医 \
		--fiscal-year "$latest" -o whitepaper-sangyoi-refused

	# the link report: the latest run that linked, then each run by id
	rep_norm link-report link report "$wh"
	rep_norm link-report-json link report --json "$wh"
	local n=0 id
	for id in $(sed -n 's/^run \([0-9a-f]\{32\}\): .*/\1/p' "$work/$pop/run.stdout.all"); do
		n=$((n + 1))
		rep_norm "link-report-run$n" link report "$wh" "$id"
		rep_norm "link-report-run$n-json" link report --json "$wh" "$id"
	done

	# the audit log these runs and reports wrote
	local a=$out/$pop/audit
	mkdir -p "$a"
	norm_audit <"$work/$pop/out/audit.log" >"$a/audit.log"
	(cd "$a" && "$colink" audit show "$work/$pop/out/audit.log" 2>&1 | norm |
		sed -E -e 's/ [0-9a-f]{16}$/ @HASH@/' -e "s/ $(lit "$user") / @USER@ /" >audit-show.txt) || true
	(cd "$a" && "$colink" audit show --json "$work/$pop/out/audit.log" 2>&1 | norm_audit >audit-show.json) || true
	local rc=0
	"$colink" audit verify "$work/$pop/out/audit.log" >"$a/audit-verify.txt" 2>&1 || rc=$?
	sed -i -E -e 's/[0-9a-f]{64}/@HASH@/g' "$a/audit-verify.txt"
	norm_paths <"$a/audit-verify.txt" >"$a/audit-verify.tmp"
	{ cat "$a/audit-verify.tmp"; echo "exit: $rc"; } >"$a/audit-verify.txt"
	rm -f "$a/audit-verify.tmp"
	echo " done" >&2
}

# ---------------------------------------------------------------- main
t0=$(date +%s)
IFS=, read -r -a poplist <<<"$pops"
for pop in "${poplist[@]}"; do
	case $pop in sample | 800 | 20000) ;; *) die "unknown population '$pop' (sample, 800, 20000)" ;; esac
	rm -rf "${work:?}/$pop"
	mkdir -p "$work/$pop" "$out/$pop"
	: >"$out/$pop/run.txt"
	: >"$work/$pop/run.stdout.all"
	# every run's stdout, for the run ids
	echo "$pop: loading ..." >&2
	case $pop in
	sample) prepare_sample ;;
	800) prepare_800 ;;
	20000) prepare_20000 ;;
	esac
	case $pop in
	sample) full=1; reports sample 2019 2024 ;;
	800) full=1; reports 800 2023 2024 ;;
	20000) full=0; reports 20000 2023 2024 ;;
	esac
	if [ "$pop" = 800 ] && [ -f "$src/samples/whitepaper.html" ]; then
		if cmp -s "$out/800/reports/whitepaper-assoc-fy2024/whitepaper.html" "$src/samples/whitepaper.html"; then
			echo "800: the FY2024 white paper equals samples/whitepaper.html" >&2
		else
			echo "800: note: the FY2024 white paper differs from samples/whitepaper.html" >&2
		fi
	fi
done
nfiles=$(find "$out" -type f | wc -l)
echo "report-outputs.sh: $nfiles files in $out ($(($(date +%s) - t0)) s); key id $(cat "$out/key-id.txt")" >&2
