#!/bin/sh
# plugin_sdk.sh -- an out-of-tree plugin, built with pkg-config alone,
# loads and runs (#22).
#
# examples/out_tally (an output plugin with its own Makefile) is copied to
# a temporary folder, built there with nothing but `pkg-config --cflags
# colink-plugin` (-Werror), installed into `pkg-config --variable=plugindir`
# and then:
#   - `colink plugins` lists it (output, version, ABI) and `colink plugins
#     out_tally` shows it loaded from plugindir;
#   - a job writing through it (samples/vendor_a.csv, the sample agreement,
#     --unsigned-agreement) commits, and the tally it wrote agrees with
#     `colink run --json`: the same read/loaded/rejected, read = loaded +
#     rejected, and every loaded record counted under its kind;
#   - the .pc's version and abi_major/abi_minor are the ABI that `colink
#     --version` reports.
#
# Two modes:
#   installed (`make installcheck`, so `make distcheck` and CI): the
#     installed colink in COLINK_SDK_BINDIR, PKG_CONFIG_PATH at the
#     installed colink-plugin.pc; the plugin goes into the real plugindir
#     and the installed colink must find it there, and the installed
#     mappings, with no --plugin-dir, --data-dir or environment.  The
#     plugin file is removed again on exit.
#   build tree (`make check`): the header and the .pc are installed with
#     DESTDIR into a temporary root (PKG_CONFIG_SYSROOT_DIR), the plugin
#     into that root's plugindir, and the build tree's colink is pointed
#     at it with --plugin-dir.
# COLINK_SDK_EXAMPLE: the example's folder (default: the source tree's
# examples/out_tally; tests/deb_package.sh passes the packaged copy).
# Exit 0 when all hold, 1 naming each failure, 77 when installed plugindir
# is not writable (or DESTDIR is set: the installed colink would not look
# there), 99 when a tool is missing.
LC_ALL=C
export LC_ALL
unset COLINK_PLUGIN_PATH COLINK_DATA_DIR
src=${COLINK_TEST_SRCDIR:-$(dirname "$0")/..}
src=$(cd "$src" && pwd)
for tool in pkg-config make cc; do
	command -v $tool >/dev/null 2>&1 || { echo "plugin_sdk: $tool is not installed"; exit 99; }
done
tmp=$(mktemp -d) || exit 99
installed_so=
cleanup() { [ -n "$installed_so" ] && rm -f "$installed_so"; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0
bad() { echo "plugin_sdk: $*"; fail=1; }

if [ -n "${COLINK_SDK_BINDIR:-}" ]; then
	mode=installed
	if [ -n "${COLINK_SDK_DESTDIR:-}" ]; then
		echo "plugin_sdk: DESTDIR is set: the installed colink looks in its own plugindir, not under DESTDIR"
		exit 77
	fi
	colink=$COLINK_SDK_BINDIR/colink
	mappings=${COLINK_SDK_PKGDATADIR:?}/mappings
	extra=
else
	mode=build-tree
	colink=${COLINK_BIN:-./colink}
	build=${COLINK_TEST_BUILDDIR:-.}
	# the header and the .pc, as `make install` would lay them out
	make -s -C "$build" DESTDIR="$tmp/root" install-colinkincludeHEADERS \
		install-pkgconfigDATA >"$tmp/make.log" 2>&1 ||
		{ cat "$tmp/make.log"; echo "plugin_sdk: installing the header and .pc failed"; exit 1; }
	pcdir=$(find "$tmp/root" -name colink-plugin.pc -exec dirname {} \;)
	[ -n "$pcdir" ] || { echo "plugin_sdk: no colink-plugin.pc installed"; exit 1; }
	PKG_CONFIG_PATH=$pcdir
	PKG_CONFIG_SYSROOT_DIR=$tmp/root
	export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
	mappings=$src/mappings
fi
[ -x "$colink" ] || { echo "plugin_sdk: no colink binary at $colink"; exit 99; }

# the module and its variables
pkg-config --exists colink-plugin || { echo "plugin_sdk: pkg-config finds no colink-plugin (PKG_CONFIG_PATH=${PKG_CONFIG_PATH:-})"; exit 1; }
plugindir=$(pkg-config --variable=plugindir colink-plugin)
[ -n "$plugindir" ] || bad "colink-plugin.pc has no plugindir variable"
abi=$("$colink" --version | sed -n 's/.*(plugin ABI \([0-9]*\.[0-9]*\)).*/\1/p')
[ -n "$abi" ] || bad "colink --version names no plugin ABI"
[ "$(pkg-config --modversion colink-plugin)" = "$abi" ] ||
	bad "colink-plugin version $(pkg-config --modversion colink-plugin) is not the ABI of colink ($abi)"
[ "$(pkg-config --variable=abi_major colink-plugin).$(pkg-config --variable=abi_minor colink-plugin)" = "$abi" ] ||
	bad "abi_major/abi_minor of colink-plugin.pc are not $abi"

# build the example as its author would: a copy, its Makefile, pkg-config
cp -R "${COLINK_SDK_EXAMPLE:-$src/examples/out_tally}" "$tmp/ex" && chmod -R u+w "$tmp/ex"
rm -f "$tmp/ex/out_tally.so"
make -C "$tmp/ex" CFLAGS="-O2 -Wall -Wextra -Werror -std=c11" >"$tmp/build.log" 2>&1 ||
	{ cat "$tmp/build.log"; echo "plugin_sdk: the example does not build against colink-plugin"; exit 1; }
# the compile line carries pkg-config's flags: -I<includedir>, or nothing
# when the header is in a system folder (/usr/include, from the Debian
# package), which pkg-config leaves out
pc_cflags=$(pkg-config --cflags colink-plugin | sed 's/ *$//')
if [ -n "$pc_cflags" ]; then
	grep -qF -- "$pc_cflags" "$tmp/build.log" || bad "the example's compile line lacks pkg-config's $pc_cflags"
else
	[ -f "$(pkg-config --variable=includedir colink-plugin)/colink/plugin.h" ] ||
		bad "pkg-config gives no -I and colink/plugin.h is not in the system folder $(pkg-config --variable=includedir colink-plugin)"
fi

if [ $mode = installed ]; then
	[ -d "$plugindir" ] && [ -w "$plugindir" ] ||
		{ echo "plugin_sdk: plugindir $plugindir is not writable: not installing into it"; exit 77; }
	[ -e "$plugindir/out_tally.so" ] &&
		{ echo "plugin_sdk: $plugindir/out_tally.so exists already; not touching it"; exit 99; }
	installed_so=$plugindir/out_tally.so
	make -C "$tmp/ex" install >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; bad "make install failed"; }
	found=$installed_so
	set --
else
	# the root's plugindir (pkg-config may or may not prefix the sysroot)
	dir=$tmp/root${plugindir#"$tmp/root"}
	make -C "$tmp/ex" plugindir="$dir" install >"$tmp/install.log" 2>&1 ||
		{ cat "$tmp/install.log"; bad "make install failed"; }
	found=$dir/out_tally.so
	set -- --plugin-dir "$dir"
fi
[ -f "$found" ] || { echo "plugin_sdk: the example was not installed at $found"; exit 1; }

mkdir "$tmp/run" && cd "$tmp/run" || exit 99
"$colink" "$@" plugins >"$tmp/list" 2>"$tmp/list.err" || bad "colink plugins exited $?: $(head -1 "$tmp/list.err")"
grep -Eq "^out_tally +output +1\.0 +$abi +path\$" "$tmp/list" ||
	bad "colink plugins does not list out_tally (output, 1.0, ABI $abi, setting path): $(cat "$tmp/list")"
[ -s "$tmp/list.err" ] && bad "colink plugins refused something: $(head -1 "$tmp/list.err")"
"$colink" "$@" plugins out_tally >"$tmp/one" 2>&1 || bad "colink plugins out_tally exited $?"
grep -q "file: $found\$" "$tmp/one" || bad "out_tally was not loaded from $found: $(grep file: "$tmp/one")"

# a run through it
"$colink" key new "$tmp/run/k.key" >/dev/null || exit 99
cat >"$tmp/run/job.xml" <<JOB
<?xml version="1.0" encoding="UTF-8"?>
<job xmlns="urn:colink:job:1" name="sdk">
  <agreement file="$src/samples/agreement.xml" id="sample-collabo-2024"/>
  <purpose>健康白書</purpose>
  <recipient party="association" role="保健事業担当者"/>
  <key file="k.key"/>
  <input mapping="$mappings/vendors/vendor_a.xml" path="$src/samples/vendor_a.csv"/>
  <output plugin="out_tally"><set name="path" value="tally.tsv"/></output>
  <audit log="audit.log"/>
</job>
JOB
COLINK_RUN_DATE=2025-01-01 "$colink" "$@" run --json --no-progress --unsigned-agreement \
	job.xml >"$tmp/run.json" 2>"$tmp/run.err"
rc=$?
[ $rc -le 1 ] || bad "colink run through out_tally exited $rc: $(head -2 "$tmp/run.err")"
# "read":N,"loaded":N,"rejected":N of the run (the first occurrence)
json() { sed -n "s/^[^[]*\"$1\":\([0-9]*\).*/\1/p" "$tmp/run.json"; }
r=$(json read); l=$(json loaded); j=$(json rejected)
[ -n "$r" ] && [ -n "$l" ] && [ -n "$j" ] || bad "no counts in colink run --json: $(head -c 300 "$tmp/run.json")"
[ "${l:-0}" -gt 0 ] || bad "the run loaded nothing"
tally=$tmp/run/tally.tsv
if [ ! -f "$tally" ]; then
	bad "out_tally wrote no tally.tsv"
else
	[ "$(awk -F'\t' '$1 == "total" { print $2 " " $3 " " $4 }' "$tally")" = "$r $l $j" ] ||
		bad "tally total $(grep '^total' "$tally") is not the run's read/loaded/rejected $r $l $j"
	[ "$(awk -F'\t' '$1 == "input" { r += $3; l += $4; j += $5 } END { print r " " l " " j }' "$tally")" = "$r $l $j" ] ||
		bad "tally inputs $(grep '^input' "$tally" | tr '\n' ' ') do not add up to $r $l $j"
	[ "$(awk -F'\t' '$1 == "kind" { n += $3 } END { print n + 0 }' "$tally")" = "$l" ] ||
		bad "tally kinds $(grep '^kind' "$tally" | tr '\n' ' ') do not count the $l loaded records"
	[ $((r)) -eq $((l + j)) ] || bad "read $r is not loaded $l + rejected $j"
	[ -e "$tally.tmp" ] && bad "out_tally left $tally.tmp"
fi
[ $fail -eq 0 ] && echo "plugin_sdk ($mode): out_tally built with pkg-config (ABI $abi), loaded from $found;" \
	"a run through it: read $r, loaded $l, rejected $j (exit $rc)"
exit $fail
