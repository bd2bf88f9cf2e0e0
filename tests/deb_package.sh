#!/bin/sh
# deb_package.sh -- the Debian package builds, is lintian-clean, holds the
# right files, installs and runs the sample job (#22 part 5).
#
# A stage of `./quickstart.sh check` (not of `make check`: it builds the
# whole tree again and installs packages, as root).  In a temporary folder:
#   1. a copy of the source tree (git's tracked and untracked-but-not-
#      ignored files; outside git, everything but build folders);
#   2. `dpkg-source -b` (the source package, for lintian) and
#      `dpkg-buildpackage -us -uc -b` with DEB_BUILD_OPTIONS=nocheck (the
#      suite has run in the stages before; COLINK_DEB_CHECK=1 runs it in
#      the package build too);
#   3. `lintian --fail-on error,warning` on the source and binary packages
#      (overrides: debian/*lintian-overrides, each with its reason);
#   4. the file lists (dpkg -c): the binary, every plugin the build system
#      builds, every mapping, schema and rule file, the manual pages, the
#      systemd units, the sample job and its inputs (uncompressed), the SDK
#      header, .pc and example; no libtool .la, nothing under /usr/local;
#   5. the install: as root with apt, when neither package is installed
#      already, `apt-get install ./colink_*.deb ./colink-plugin-dev_*.deb`,
#      then tests/installed_layout.sh (the sample job copied from
#      /usr/share/doc/colink/examples runs from another folder with no
#      --data-dir: exit 1, its three planted rejects) and tests/plugin_sdk.sh
#      (the packaged example plugin builds with pkg-config, installs into
#      plugindir and runs) against /usr/bin/colink, and the manual pages are
#      found by man; otherwise `dpkg --root` into a throwaway root, whose
#      colink runs the sample job with COLINK_DATA_DIR and COLINK_PLUGIN_PATH
#      at the root's folders;
#   6. on exit, whatever happened: the packages this script installed are
#      purged and the temporary folder removed.
# Exit 0 when all hold, 1 naming each failure, 99 when a tool is missing.
LC_ALL=C.UTF-8
export LC_ALL
unset COLINK_PLUGIN_PATH COLINK_DATA_DIR COLINK_LOG_FORMAT COLINK_METRICS_FILE COLINK_RUN_DATE
src=$(cd "$(dirname "$0")/.." && pwd)
for tool in dpkg-buildpackage dpkg-source dpkg-deb dh lintian make cc; do
	command -v $tool >/dev/null 2>&1 ||
		{ echo "deb_package: $tool is not installed (apt-get install build-essential debhelper lintian)"; exit 99; }
done
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version) || exit 99
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
tmp=$(mktemp -d) || exit 99
purge=
cleanup() {
	if [ -n "$purge" ]; then
		apt-get purge -y -qq $purge >"$tmp/purge.log" 2>&1 || dpkg --purge $purge >>"$tmp/purge.log" 2>&1 ||
			{ cat "$tmp/purge.log"; echo "deb_package: purging $purge failed"; }
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
fail=0
bad() { echo "deb_package: $*"; fail=1; }
step() { echo "deb_package: $* ($(date -u +%T))"; }

# 1. the copy
tree=$tmp/colink-$version
mkdir "$tree" || exit 99
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z -co --exclude-standard | tar --null -T - --ignore-failed-read -cf -) |
		tar -xf - -C "$tree" || exit 99
else
	(cd "$src" && tar --exclude=./.git --exclude=./build --exclude='./build-*' \
		--exclude='./colink-*' -cf - .) | tar -xf - -C "$tree" || exit 99
fi
[ -x "$tree/debian/rules" ] || { echo "deb_package: the copy has no executable debian/rules"; exit 1; }

# 2. the build
step "building the source package and colink $version ($arch)"
(cd "$tmp" && dpkg-source -b "colink-$version") >"$tmp/source.log" 2>&1 ||
	{ tail -20 "$tmp/source.log"; echo "deb_package: dpkg-source -b failed"; exit 1; }
opts="parallel=$(nproc 2>/dev/null || echo 2)"
[ "${COLINK_DEB_CHECK:-0}" = 1 ] || opts="nocheck $opts"
(cd "$tree" && DEB_BUILD_OPTIONS=$opts dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 ||
	{ tail -60 "$tmp/build.log"; echo "deb_package: dpkg-buildpackage -us -uc -b failed"; exit 1; }
deb=$tmp/colink_${version}_$arch.deb
dev=$tmp/colink-plugin-dev_${version}_$arch.deb
for f in "$deb" "$dev"; do
	[ -f "$f" ] || { echo "deb_package: the build made no $(basename "$f"): $(ls "$tmp")"; exit 1; }
done

# 3. lintian: errors and warnings fail (overrides only with a reason)
step "lintian"
lintian --fail-on error,warning "$tmp/colink_$version.dsc" "$tmp/colink_${version}_$arch.changes" \
	>"$tmp/lintian.log" 2>&1 || bad "lintian: $(grep -E '^[EW]:' "$tmp/lintian.log" || cat "$tmp/lintian.log")"
grep -E '^[EW]:' "$tmp/lintian.log" >/dev/null && bad "lintian reports: $(grep -E '^[EW]:' "$tmp/lintian.log")"
for o in "$src"/debian/*lintian-overrides "$src"/debian/source/lintian-overrides; do
	[ -f "$o" ] || continue
	# every override is preceded by its reason (a comment)
	awk '/^#/ { r = 1; next } /^[ \t]*$/ { r = 0; next } !r { print FILENAME ":" FNR ": override without a reason: " $0; e = 1 } END { exit e }' "$o" ||
		fail=1
done

# 4. the file lists
step "file lists"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$tmp/colink.files" || exit 99
dpkg-deb -c "$dev" | awk '{ print $6 }' | sed 's|^\./|/|' >"$tmp/dev.files" || exit 99
has() { # LIST PATH...
	l=$1; shift
	for p in "$@"; do
		grep -qxF "$p" "$tmp/$l.files" || bad "package $l (dev: colink-plugin-dev) lacks $p"
	done
}
pkglibdir=/usr/lib/$multiarch/colink
has colink /usr/bin/colink /lib/systemd/system/colink@.service /lib/systemd/system/colink@.timer \
	/usr/share/man/man1/colink.1.gz /usr/share/man/man5/colink-mapping.5.gz \
	/usr/share/man/man5/colink-job.5.gz /usr/share/man/man5/colink-agreement.5.gz \
	/usr/share/doc/colink/copyright /etc/colink/jobs/ /usr/lib/sysusers.d/colink.conf
# every plugin the build system builds (out_postgres too: libpq-dev is a
# build dependency)
plugins=$(sed -n 's|^pkglib_LTLIBRARIES += plugins/\([a-z_]*\)/\1\.la$|\1|p' "$src"/plugins/*/*.am)
[ -n "$plugins" ] || bad "no plugin found in plugins/*/*.am"
for p in $plugins; do
	has colink "$pkglibdir/$p.so"
done
# every mapping, schema, rule and warehouse SQL file
(cd "$tree" && find mappings -type f ! -name README.md) | sort >"$tmp/maps"
[ "$(wc -l <"$tmp/maps")" -ge 30 ] || bad "only $(wc -l <"$tmp/maps") files under mappings/"
while read -r m; do
	has colink "/usr/share/colink/$m"
done <"$tmp/maps"
# the sample job and its inputs, uncompressed (they are copied and run)
ex=/usr/share/doc/colink/examples
has colink $ex/sample-job.xml $ex/agreement.xml $ex/sign-sample.sh $ex/README.md \
	$ex/vendor_a.csv $ex/vendor_b.csv $ex/claims_summary.csv $ex/employer/roster.csv
grep -q "^$ex/.*\.gz\$" "$tmp/colink.files" && bad "compressed examples: $(grep "^$ex/.*\.gz\$" "$tmp/colink.files")"
has dev /usr/include/colink/plugin.h "/usr/lib/$multiarch/pkgconfig/colink-plugin.pc" \
	/usr/share/man/man7/colink-plugin.7.gz \
	/usr/share/doc/colink-plugin-dev/examples/out_tally/out_tally.c \
	/usr/share/doc/colink-plugin-dev/examples/out_tally/Makefile
cat "$tmp/colink.files" "$tmp/dev.files" | grep -E '\.la$|^/usr/local/' && bad "libtool archives or /usr/local files packaged"
# the plugins are not writable by group or others (colink refuses those)
dpkg-deb -c "$deb" | awk '$6 ~ /\.so$/ && $1 !~ /^-rw-r--r--$/ { print $1, $6 }' | grep . && bad "plugins with the wrong mode"

# 5. install and run
installed_already=$(dpkg-query -W -f='${Package} ${Status}\n' colink colink-plugin-dev 2>/dev/null | grep ' installed$')
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "$installed_already" ]; then
	step "apt-get install ./$(basename "$deb") ./$(basename "$dev")"
	purge="colink colink-plugin-dev"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" "$dev" \
		>"$tmp/install.log" 2>&1 || { tail -20 "$tmp/install.log"; echo "deb_package: apt-get install failed"; exit 1; }
	[ "$(command -v colink)" = /usr/bin/colink ] || bad "colink is not /usr/bin/colink on PATH"
	# the user colink@.service runs as (debian/colink.sysusers)
	getent passwd colink >/dev/null || bad "the package created no colink user"
	getent group colink >/dev/null || bad "the package created no colink group"
	/usr/bin/colink --version >/dev/null || bad "colink --version failed"
	COLINK_INST_BINDIR=/usr/bin COLINK_INST_DOCDIR=/usr/share/doc/colink \
		COLINK_INST_PKGDATADIR=/usr/share/colink sh "$src/tests/installed_layout.sh" ||
		bad "the sample job from the installed examples did not run (installed_layout.sh)"
	COLINK_SDK_BINDIR=/usr/bin COLINK_SDK_PKGDATADIR=/usr/share/colink COLINK_TEST_SRCDIR=$src \
		COLINK_SDK_EXAMPLE=/usr/share/doc/colink-plugin-dev/examples/out_tally \
		sh "$src/tests/plugin_sdk.sh" || bad "the packaged example plugin did not build or run (plugin_sdk.sh)"
	[ "$(pkg-config --variable=plugindir colink-plugin)" = "$pkglibdir" ] ||
		bad "colink-plugin.pc's plugindir is $(pkg-config --variable=plugindir colink-plugin), not $pkglibdir"
	if command -v man >/dev/null 2>&1; then
		for page in colink colink-mapping colink-job colink-agreement colink-plugin; do
			man -w "$page" >/dev/null 2>&1 || bad "man finds no $page page"
		done
	fi
	mode="installed with apt"
else
	[ -n "$installed_already" ] && echo "deb_package: colink is installed already: not touching it, using dpkg --root"
	step "dpkg --root into a throwaway root"
	root=$tmp/root
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" && : >"$root/var/lib/dpkg/status" || exit 99
	dpkg --root="$root" --force-not-root --force-depends --force-script-chrootless --log=/dev/null \
		-i "$deb" "$dev" >"$tmp/install.log" 2>&1 ||
		{ tail -20 "$tmp/install.log"; echo "deb_package: dpkg --root -i failed"; exit 1; }
	dpkg --root="$root" -L colink | grep -qxF /usr/bin/colink || bad "dpkg --root -L colink lacks /usr/bin/colink"
	colink=$root/usr/bin/colink
	job=$tmp/job
	cp -R "$root$ex" "$job" && mkdir "$job/out" && mkdir "$tmp/cwd" && cd "$tmp/cwd" || exit 99
	# the root's mappings and plugins, not the compiled-in /usr folders
	COLINK_DATA_DIR=$root/usr/share/colink/mappings
	COLINK_PLUGIN_PATH=$root$pkglibdir
	export COLINK_DATA_DIR COLINK_PLUGIN_PATH
	sh "$job/sign-sample.sh" "$colink" "$job" >/dev/null || bad "sign-sample.sh failed"
	"$colink" key new "$job/sample.key" >/dev/null || bad "colink key new failed"
	"$colink" run --no-progress "$job/sample-job.xml" >"$tmp/run.out" 2>&1
	rc=$?
	[ $rc -eq 1 ] || bad "the sample job exited $rc (expected 1: three planted rejects): $(tail -3 "$tmp/run.out")"
	[ -f "$job/out/warehouse.db" ] || bad "the sample job made no warehouse"
	cd "$src" || exit 99
	mode="installed with dpkg --root"
fi

[ $fail -eq 0 ] && echo "deb_package: colink $version: built, lintian-clean, $(wc -l <"$tmp/colink.files") + $(wc -l <"$tmp/dev.files")" \
	"paths, $mode, the sample job ran from /usr/share/doc/colink/examples"
exit $fail
