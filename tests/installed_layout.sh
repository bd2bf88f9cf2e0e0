#!/bin/sh
# installed_layout.sh -- the installed sample job, copied to any folder,
# runs with no --data-dir and no environment (#22 part 6).
#
# The examples ($(docdir)/examples: the sample job, its agreement, the
# sample inputs and sign-sample.sh) are copied to a fresh folder JOBDIR;
# from ANOTHER folder (the current directory is never the job's),
# sign-sample.sh signs the agreement, `colink key new` makes the key, and
#   - `colink check JOBDIR/sample-job.xml` passes;
#   - `colink run --json ../jobs/sample-job.xml` (a relative job path) commits
#     with the samples' three planted rejects (exit 1); the warehouse and the
#     audit log are in JOBDIR/out/ (relative paths inside a job are relative
#     to the job file), the current folder stays empty;
#   - every mapping the run used is the one of the mappings folder (the
#     installed one; the source tree's for the build tree's colink), named
#     "vendors/vendor_a.xml" and so on in the installed job;
#   - a mapping file put beside the job under the same relative name is
#     taken instead (the job's folder comes first).
# No COLINK_DATA_DIR, COLINK_PLUGIN_PATH, --data-dir or --plugin-dir.
#
# Two modes, as tests/plugin_sdk.sh:
#   installed (`make installcheck`, so `make distcheck` and CI):
#     COLINK_INST_BINDIR, COLINK_INST_DOCDIR, COLINK_INST_PKGDATADIR; the
#     installed colink must find its plugins and mappings by itself;
#   build tree (`make check`): the examples are installed with DESTDIR into a
#     temporary root and run by the build tree's colink (which reads the
#     source tree's mappings and the build tree's plugins).
# Exit 0 when all hold, 1 naming each failure, 77 with DESTDIR in installed
# mode (the installed colink would not look there), 99 on a missing tool.
LC_ALL=C
export LC_ALL
unset COLINK_PLUGIN_PATH COLINK_DATA_DIR COLINK_LOG_FORMAT COLINK_METRICS_FILE COLINK_RUN_DATE
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "installed_layout: $*"; fail=1; }

if [ -n "${COLINK_INST_BINDIR:-}" ]; then
	mode=installed
	if [ -n "${COLINK_INST_DESTDIR:-}" ]; then
		echo "installed_layout: DESTDIR is set: the installed colink looks in its own folders"
		exit 77
	fi
	colink=$COLINK_INST_BINDIR/colink
	examples=${COLINK_INST_DOCDIR:?}/examples
	mappings=${COLINK_INST_PKGDATADIR:?}/mappings
else
	mode=build-tree
	build=${COLINK_TEST_BUILDDIR:-.}
	colink=${COLINK_BIN:-$build/colink}
	src=${COLINK_TEST_SRCDIR:-$(dirname "$0")/..}
	mappings=$(cd "$src/mappings" && pwd)
	make -s -C "$build" DESTDIR="$tmp/root" install-nodist_exampleDATA install-dist_exampleDATA \
		install-dist_exampleemployerDATA install-dist_exampleassociationDATA >"$tmp/make.log" 2>&1 ||
		{ cat "$tmp/make.log"; echo "installed_layout: installing the examples failed"; exit 1; }
	examples=$(find "$tmp/root" -type d -name examples | head -1)
fi
[ -x "$colink" ] || { echo "installed_layout: no colink at $colink"; exit 99; }
[ -f "$examples/sample-job.xml" ] || { echo "installed_layout: no sample-job.xml in ${examples:-the installed docdir}"; exit 1; }

jobs=$tmp/site/jobs
mkdir -p "$tmp/site" "$tmp/cwd" && cp -R "$examples" "$jobs" && chmod -R u+w "$jobs" || exit 99
grep -q 'mapping="\.\./mappings/' "$jobs/sample-job.xml" && bad "the installed job still names ../mappings/"
cd "$tmp/cwd" || exit 99
sh "$jobs/sign-sample.sh" "$colink" "$jobs" >/dev/null 2>"$tmp/sign.err" || bad "sign-sample.sh failed: $(cat "$tmp/sign.err")"
"$colink" key new "$jobs/sample.key" >/dev/null || bad "colink key new failed"
mkdir "$jobs/out"
"$colink" check "$jobs/sample-job.xml" >"$tmp/check.out" 2>&1 || bad "colink check exited $?: $(tail -3 "$tmp/check.out")"

"$colink" run --json --no-progress ../site/jobs/sample-job.xml >"$tmp/run.json" 2>"$tmp/run.err"
rc=$?
[ $rc -eq 1 ] || bad "colink run from another folder exited $rc (expected 1: three planted rejects): $(head -3 "$tmp/run.err")"
[ -f "$jobs/out/warehouse.db" ] || bad "no warehouse at JOBDIR/out/warehouse.db"
[ -f "$jobs/out/audit.log" ] || bad "no audit log at JOBDIR/out/audit.log"
[ -z "$(ls -A "$tmp/cwd")" ] || bad "the run wrote into the current folder: $(ls -A "$tmp/cwd")"
# the mappings used: "mapping":"..." of each input, all in the mappings folder
grep -o '"mapping":"[^"]*"' "$tmp/run.json" | sed 's/^"mapping":"//; s/"$//' | sort -u >"$tmp/maps"
n=$(wc -l <"$tmp/maps")
[ "$n" -ge 9 ] || bad "the run names $n mappings, expected the sample's 9: $(head -c 300 "$tmp/run.json")"
real_mappings=$(realpath "$mappings")
while read -r m; do
	case $(realpath -m "$m") in
	"$real_mappings"/*) [ -f "$m" ] || bad "mapping $m does not exist" ;;
	*) bad "mapping $m is not from the mappings folder $mappings" ;;
	esac
done <"$tmp/maps"

# the job's own folder comes first
mkdir -p "$jobs/vendors" && cp "$mappings/vendors/vendor_a.xml" "$jobs/vendors/vendor_a.xml"
"$colink" run --json --no-progress --dry-run ../site/jobs/sample-job.xml >"$tmp/dry.json" 2>"$tmp/dry.err"
rc=$?
[ $rc -le 1 ] || bad "the dry run with a local mapping exited $rc: $(head -3 "$tmp/dry.err")"
grep -q "\"mapping\":\"[^\"]*/site/jobs/vendors/vendor_a.xml\"" "$tmp/dry.json" ||
	bad "a vendors/vendor_a.xml beside the job was not taken: $(grep -o '"mapping":"[^"]*vendor_a[^"]*"' "$tmp/dry.json")"

[ $fail -eq 0 ] && echo "installed_layout ($mode): the examples copied to a fresh folder ran from another folder" \
	"(exit 1, 3 rejects) with the $n mappings of $mappings and no --data-dir; the job's folder comes first"
exit $fail
