#!/bin/sh
# colink quick start (Debian 12, as root).
#
#   ./quickstart.sh          install what is missing, build, run the sample job
#   ./quickstart.sh check    install what is missing, build, run the whole test
#                            suite: plain, under ASan+UBSan, valgrind memcheck of
#                            end-to-end runs, make distcheck (whose
#                            installcheck builds the example plugin against
#                            the installed colink),
#                            bounded fuzzing (FUZZ_SECONDS per target, default 30)
#                            and the Debian package (tests/deb_package.sh:
#                            build, lintian, file lists, apt install, the
#                            sample job from the installed files, purge)
#
# Safe to run again: it installs only missing packages and rebuilds
# incrementally.  The sample key is generated once (samples/sample.key) and
# never committed; so are the sample agreement's signing keys
# (samples/keys/) and signatures (samples/agreement.xml.sig).
set -eu
cd "$(dirname "$0")"
TOP=$(pwd)

PKGS="build-essential autoconf automake libtool pkg-config \
libxml2-dev libxml2-utils libcsv-dev libsqlite3-dev sqlite3 libgcrypt20-dev \
libutf8proc-dev libzip-dev libcunit1-dev zip unzip clang libclang-rt-14-dev valgrind groff-base jq systemd man-db \
libpq-dev"
# (groff-base: make check formats the man pages with groff -ww;
# pkg-config: the plugin SDK test builds the example plugin with it;
# jq: tests/test_ops parses the --log-format=json stream with it;
# systemd, man-db: tests/systemd_units.sh runs systemd-analyze verify, which
# also looks up the units' Documentation= pages with man)
# The test suite also renders the generated HTML documents in headless
# Chromium (screenshot tests), with Japanese fonts.
if [ "${1:-}" = check ]; then
	PKGS="$PKGS chromium fonts-noto-cjk"
	# the PostgreSQL warehouse tests start a throwaway server of their own
	# (tests/pg_server.sh): the server binaries, never a running cluster
	PKGS="$PKGS postgresql"
	# the Debian package stage (tests/deb_package.sh): debhelper pulls
	# dh-autoreconf; fakeroot for a dpkg-buildpackage that asks for it
	PKGS="$PKGS debhelper dh-autoreconf lintian fakeroot dpkg-dev"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "quickstart: installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "quickstart: run as root (or install these packages first)" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

JOBS=$(nproc 2>/dev/null || echo 2)

# after a failed distcheck: the summary and the end of the log of each test
# that failed in distcheck's own build tree (left behind on failure)
distcheck_failures() {
	for trs in build/colink-*/_build/sub/tests/*.trs; do
		[ -e "$trs" ] || continue
		grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$trs" || continue
		echo "---- distcheck: ${trs%.trs}.log (end) ----"
		tail -40 "${trs%.trs}.log"
	done
}
build() { # build DIR [configure args...]
	dir=$1; shift
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ configure.ac -nt "$dir/Makefile" ] || [ Makefile.am -nt "$dir/Makefile" ]; then
		(cd "$dir" && "$TOP/configure" --enable-werror "$@" >/dev/null)
	fi
	make -C "$dir" -j"$JOBS" >/dev/null
}

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi

case "${1:-sample}" in
sample)
	build build
	[ -f samples/sample.key ] || ./build/colink key new samples/sample.key
	# sample signing keys of both parties, and their signatures on the
	# sample agreement (generated here, never committed)
	samples/sign-sample.sh ./build/colink samples
	mkdir -p samples/out
	./build/colink check samples/sample-job.xml
	set +e
	./build/colink run samples/sample-job.xml
	rc=$?
	set -e
	# exit 1 means "loaded, with rejected records" (the sample has some on purpose)
	[ "$rc" -le 1 ] || exit "$rc"
	./build/colink link report samples/out/warehouse.db
	echo "quickstart: warehouse at samples/out/warehouse.db (sqlite3 samples/out/warehouse.db .tables)"
	;;
check)
	build build
	make -C build -j"$JOBS" check || { cat build/test-suite.log 2>/dev/null | tail -80; exit 1; }
	build build-asan --enable-sanitizers
	ASAN_OPTIONS=detect_leaks=1 make -C build-asan -j"$JOBS" check ||
		{ cat build-asan/test-suite.log 2>/dev/null | tail -80; exit 1; }
	# the real binary end to end under valgrind memcheck (errors and leaks fail)
	tests/valgrind.sh build
	make -C build -j"$JOBS" distcheck >/dev/null 2>build/distcheck.log ||
		{ tail -60 build/distcheck.log; distcheck_failures; exit 1; }
	# bounded fuzzing of every parser (libFuzzer, ASan+UBSan): FUZZ_SECONDS each
	make -C build fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-30}" >build/fuzz.log 2>&1 ||
		{ tail -60 build/fuzz.log; exit 1; }
	# the Debian package from a copy of the tree: built, lintian-clean,
	# installed with apt, the sample job run from /usr/share/doc/colink/
	# examples, purged again (tests/deb_package.sh; as root)
	sh tests/deb_package.sh >build/deb.log 2>&1 || { tail -60 build/deb.log; exit 1; }
	tail -1 build/deb.log
	echo "quickstart: all tests passed (plain, ASan+UBSan, valgrind, distcheck, fuzzing, Debian package)"
	;;
*)
	echo "usage: ./quickstart.sh [check]" >&2
	exit 2
	;;
esac
