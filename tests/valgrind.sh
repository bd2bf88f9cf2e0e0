#!/bin/sh
# Run the real colink binary end to end under valgrind memcheck: the sample
# job (both parties, linkage), an MHLW XML archive, and split-site
# pseudonymize + load.  Any memcheck error or definite/indirect leak fails.
#   tests/valgrind.sh BUILD_DIR
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/colink-vg-XXXXXX")
trap 'rm -rf "$T"' EXIT
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"

cp -r "$SRC/samples" "$T/"
rm -rf "$T/samples/out" "$T/samples/sample.key" "$T/samples/keys" "$T/samples/agreement.xml.sig"
sed "s|\.\./mappings|$SRC/mappings|g" "$SRC/samples/sample-job.xml" > "$T/samples/sample-job.xml"
"$B/colink" key new "$T/samples/sample.key" >/dev/null
mkdir -p "$T/samples/out"
# the sample agreement signed by both parties, as the quick start does (#24)
"$SRC/samples/sign-sample.sh" "$B/colink" "$T/samples"

run() { # expected-exit description command...
	want=$1; what=$2; shift 2
	set +e
	$VG "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	if [ "$rc" -ne "$want" ]; then
		echo "valgrind: $what: exit $rc, expected $want" >&2
		cat "$T/err" >&2
		exit 1
	fi
	echo "valgrind: $what: clean"
}

run 1 "sample job (both parties, linkage)" "$B/colink" run "$T/samples/sample-job.xml"
cat > "$T/xml.xml" <<JOB
<job xmlns="urn:colink:job:1" name="vgxml"><agreement file="$SRC/samples/agreement.xml" id="sample-collabo-2024"/><purpose>健康白書</purpose><recipient party="association" role="保健事業担当者"/>
<key file="$T/samples/sample.key"/><input mapping="$SRC/mappings/vendors/mhlw_xml.xml" path="$SRC/tests/data/mhlw_fixture"/>
<output plugin="out_sqlite"><set name="path" value="$T/xml.db"/></output></job>
JOB
run 0 "MHLW XML archive" "$B/colink" run --unsigned-agreement "$T/xml.xml"
run 0 "pseudonymize (split-site)" "$B/colink" pseudonymize --unsigned-agreement "$T/xml.xml" "$T/extract.db"
KID=$("$B/colink" key id "$T/samples/sample.key")
cat > "$T/link.xml" <<JOB
<job xmlns="urn:colink:job:1" name="vglink"><agreement file="$SRC/samples/agreement.xml" id="sample-collabo-2024"/><purpose>健康白書</purpose><recipient party="association" role="保健事業担当者"/>
<key id="$KID"/><input mapping="$SRC/mappings/vendors/extract.xml" path="$T/extract.db"/>
<output plugin="out_sqlite"><set name="path" value="$T/linked.db"/></output></job>
JOB
run 0 "extract load (key id only)" "$B/colink" run --unsigned-agreement "$T/link.xml"
run 0 "link report" "$B/colink" link report "$T/samples/out/warehouse.db"
echo "valgrind: 5 runs clean"
