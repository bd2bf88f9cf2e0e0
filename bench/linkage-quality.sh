#!/usr/bin/env bash
# bench/linkage-quality.sh -- precision, recall and F1 of the link passes
# against colink-gen's truth (issue #23).
#
#   bench/linkage-quality.sh [-b BUILD_DIR] [-d DATA_DIR] [-n PERSONS] [-s SEED]
#                            [--upper W] [--lower W] [--dice D]
#                            [--name-filter ENC] [--window T]
#                            [--prob-only | --exact-only]
#
# Generates N persons (colink-gen --out --only vendor_a --employer --corrupt:
# the roster carries kana variants, missing 記号, swapped day/month, 番号
# typos and married names at set rates, roster_truth.tsv says which), then
# runs the same job twice:
#   exact   passes card, kana_dob_sex_insurer
#   prob    the same and <pass kind="probabilistic" upper lower dice
#           name-filter window/> (name-filter plain, balanced, diffused or
#           balanced-diffused; window only for the diffused ones; an option
#           not given leaves its attribute out: the pass's default)
# (--prob-only: the second run alone; --exact-only: the first alone).
# and scores each warehouse's links against the truth: an association
# person is the person of its checkup rows (truth.tsv: file, row), an
# employer person the person of its roster row (roster_truth.tsv: row,
# person); a true pair is a person with both a roster row and a checkup.
#   precision = correct links / links, recall = correct links / true pairs.
# Prints one line per job with the run's seconds, its load and link
# phases apart (run --json load_seconds, link_seconds; under it the link
# phase's parts from colink -v: the pseudonym flush, each pass, wall and
# CPU seconds), and the
# probabilistic pass's links and reviews.  Public tools only: bash,
# sqlite3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=""
data=""
persons=100000
seed=1
upper=17
lower=10
dice=""
filter=""
window=""
runs="exact prob"
while [ $# -gt 0 ]; do
	case $1 in
	-b) build=$2; shift 2 ;;
	-d) data=$2; shift 2 ;;
	-n) persons=$2; shift 2 ;;
	-s) seed=$2; shift 2 ;;
	--upper) upper=$2; shift 2 ;;
	--lower) lower=$2; shift 2 ;;
	--dice) dice=" dice=\"$2\""; shift 2 ;;
	--name-filter) filter=" name-filter=\"$2\""; shift 2 ;;
	--window) window=" window=\"$2\""; shift 2 ;;
	--prob-only) runs=prob; shift ;;
	--exact-only) runs=exact; shift ;;
	-h|--help) sed -n '2,30p' "$0"; exit 0 ;;
	*) echo "linkage-quality.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$build" ] || build=$src
[ -x "$build/colink" ] && [ -x "$build/samples/colink-gen" ] ||
	{ echo "linkage-quality.sh: no built colink in $build (use -b)" >&2; exit 2; }
[ -n "$data" ] || data=${TMPDIR:-/tmp}/colink-quality-$persons-$seed
command -v sqlite3 >/dev/null || { echo "linkage-quality.sh: sqlite3 is missing" >&2; exit 2; }
mkdir -p "$data"

if [ ! -s "$data/csv/roster_truth.tsv" ]; then
	rm -rf "$data/csv"
	"$build/samples/colink-gen" --persons "$persons" --seed "$seed" --out "$data/csv" \
		--only vendor_a --employer --corrupt
fi
[ -s "$data/q.key" ] || "$build/colink" key new "$data/q.key" >/dev/null

job() { # out.xml warehouse passes
	cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<job xmlns="urn:colink:job:1" name="quality">
  <agreement file="$src/samples/agreement.xml" id="sample-collabo-2024"/>
  <purpose>健康白書</purpose>
  <recipient party="association" role="保健事業担当者"/>
  <key file="$data/q.key"/>
  <input mapping="$src/mappings/vendors/vendor_a.xml" path="$data/csv/vendor_a.csv"/>
  <input mapping="$src/mappings/employer/roster.xml" path="$data/csv/roster.csv"/>
  <output plugin="out_sqlite"><set name="path" value="$2"/></output>
  <link>$3</link>
  <options max-rejected="100000000"/>
</job>
EOF
}

exact='<pass key="card"/><pass key="kana_dob_sex_insurer"/>'
prob="$exact<pass kind=\"probabilistic\" upper=\"$upper\" lower=\"$lower\" $dice$filter$window/>"

score() { # warehouse label seconds
	sqlite3 "$1" <<EOF
.mode tabs
CREATE TEMP TABLE t_a (file TEXT, row INTEGER, line INTEGER, person INTEGER);
.import --skip 2 $data/csv/truth.tsv t_a
CREATE TEMP TABLE t_e (row INTEGER, person INTEGER, what TEXT);
.import --skip 1 $data/csv/roster_truth.tsv t_e
CREATE TEMP TABLE ap AS SELECT c.person_no, min(t.person) AS person FROM checkup AS c
  JOIN t_a AS t ON t.file = 'vendor_a.csv' AND t.row = c.record_no WHERE c.input_no = 1
  GROUP BY c.person_no;
CREATE TEMP TABLE ep AS SELECT e.person_no, t.person FROM employee AS e
  JOIN t_e AS t ON t.row = e.record_no;
CREATE TEMP TABLE lk AS SELECT l.pass, pe.person_no AS e, pa.person_no AS a FROM link AS l
  JOIN person AS pe ON pe.person_id = l.employer_person_id
  JOIN person AS pa ON pa.person_id = l.association_person_id;
CREATE TEMP TABLE sc AS SELECT
  (SELECT count(*) FROM lk) AS links,
  (SELECT count(*) FROM lk JOIN ep ON ep.person_no = lk.e JOIN ap ON ap.person_no = lk.a
     WHERE ep.person = ap.person) AS correct,
  (SELECT count(DISTINCT ep.person) FROM ep JOIN ap ON ap.person = ep.person) AS truth,
  (SELECT count(*) FROM lk WHERE pass = 3) AS p3,
  (SELECT count(*) FROM lk JOIN ep ON ep.person_no = lk.e JOIN ap ON ap.person_no = lk.a
     WHERE ep.person = ap.person AND lk.pass = 3) AS p3ok,
  (SELECT count(*) FROM link_review WHERE pass = 3) AS rev;
SELECT printf('%-6s links %7d  correct %7d  true pairs %7d  precision %.4f  recall %.4f  F1 %.4f  run %ss  pass 3: %d links (%d correct), %d to review',
  '$2', links, correct, truth, 1.0 * correct / links, 1.0 * correct / truth,
  2.0 * correct / (links + truth), '$3', p3, p3ok, rev) FROM sc;
EOF
}

for v in $runs; do
	w=$data/$v.db
	rm -f "$w" "$w-wal" "$w-shm"
	job "$data/$v.xml" "$w" "${!v}"
	"$build/colink" -v run --json --unsigned-agreement "$data/$v.xml" >"$data/$v.json" 2>"$data/$v.err" || true
	secs=$(grep -o '"seconds":[0-9.]*' "$data/$v.json" | head -1 | cut -d: -f2)
	lo=$(grep -o '"load_seconds":[0-9.]*' "$data/$v.json" | head -1 | cut -d: -f2)
	li=$(grep -o '"link_seconds":[0-9.]*' "$data/$v.json" | head -1 | cut -d: -f2)
	score "$w" "$v" "${secs:-?} (load ${lo:-?}s, link ${li:-?}s)"
	grep -o 'out_sqlite: link: .* in [0-9.]* s\( (CPU [0-9.]* s)\)\?' "$data/$v.err" | sed 's/^out_sqlite: //' | sed 's/^/       /' || true
done
echo "corruptions in the roster (roster_truth.tsv):"
tail -n +2 "$data/csv/roster_truth.tsv" | cut -f3 | tr ',' '\n' | sed '/^$/d' | sort | uniq -c
