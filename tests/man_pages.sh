#!/bin/sh
# man_pages.sh -- the manual pages are built, format without a warning,
# and do not drift from the binary (#22).
#
# From the pages built in the build tree (docs/man/, made from the
# docs/man/*.in sources):
#   1. each formats with `groff -ww -z -man` (ASCII and UTF-8 devices) and,
#      when man-db is installed, `man --warnings -l`, with no warning; no
#      @placeholder@ is left unsubstituted;
#   2. colink(1) has a .SS heading under COMMANDS for every verb and
#      sub-verb `colink --help` lists (tests/cli_verbs.sh, the list
#      cli_help.sh walks), and no heading for a verb the binary lacks;
#   3. every option a verb's --help names (-x, --long-option), and every
#      global option, appears in colink(1);
#   4. every exit code of `colink --help` has an entry under EXIT STATUS,
#      and every COLINK_* environment variable the sources read
#      (getenv("COLINK_...") in engine/ and plugins/) one under ENVIRONMENT.
# Exit 0 when all hold, 1 naming each failure, 99 when groff, the binary
# or a page is missing (groff-base is installed by quickstart.sh: the
# check is never skipped).
LC_ALL=C
export LC_ALL
bin=${COLINK_BIN:-./colink}
src=${COLINK_TEST_SRCDIR:-$(dirname "$0")/..}
mandir=${COLINK_TEST_BUILDDIR:-.}/docs/man
pages="colink.1 colink-mapping.5 colink-job.5 colink-agreement.5 colink-plugin.7"
[ -x "$bin" ] || { echo "man_pages: no colink binary at $bin (build first)"; exit 99; }
command -v groff >/dev/null 2>&1 ||
	{ echo "man_pages: groff is not installed (apt-get install groff-base)"; exit 99; }
for p in $pages; do
	[ -f "$mandir/$p" ] || { echo "man_pages: $mandir/$p was not built"; exit 99; }
done

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "man_pages: $*"; fail=1; }

# 1. formatting
for p in $pages; do
	f=$mandir/$p
	for dev in ascii utf8; do
		groff -ww -z -man -T$dev "$f" >"$tmp/warn" 2>&1
		[ -s "$tmp/warn" ] && bad "$p: groff -T$dev: $(head -3 "$tmp/warn" | tr '\n' ' ')"
	done
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man --warnings -E UTF-8 -l "$f" >/dev/null 2>"$tmp/warn"
		[ -s "$tmp/warn" ] && bad "$p: man --warnings: $(head -3 "$tmp/warn" | tr '\n' ' ')"
	fi
	grep -n '@[A-Za-z_]*@' "$f" >"$tmp/left" && bad "$p: unsubstituted: $(head -1 "$tmp/left")"
done

# the page's text with roff escapes for '-' and fonts removed
page=$mandir/colink.1
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$page" >"$tmp/page"
# section SECTION of the page, by its .SH name
section() { awk -v s="$1" '/^\.SH / { on = ($0 == ".SH " s || $0 == ".SH \"" s "\"") ; next } on' "$tmp/page"; }

# 2. verbs and sub-verbs
"$bin" --help >"$tmp/top" 2>&1 || { echo "man_pages: colink --help exited $?"; exit 1; }
sh "$src/tests/cli_verbs.sh" <"$tmp/top" >"$tmp/verbs"
[ -s "$tmp/verbs" ] || { echo "man_pages: no commands found in colink --help"; exit 1; }
section COMMANDS | sed -n 's/^\.SS "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' | sort -u >"$tmp/headings"
# a "verb sub" heading documents its verb too
awk '{ print; if (NF > 1) print $1 }' "$tmp/headings" | sort -u >"$tmp/documented"
comm -23 "$tmp/verbs" "$tmp/documented" | while read -r v; do
	echo "man_pages: colink.1 has no COMMANDS heading for '$v' (colink --help lists it)"
done >"$tmp/missing"
comm -13 "$tmp/verbs" "$tmp/documented" | while read -r v; do
	echo "man_pages: colink.1 documents '$v', which colink --help does not list"
done >>"$tmp/missing"
[ -s "$tmp/missing" ] && { cat "$tmp/missing"; fail=1; }

# 3. options: every -x / --long of each verb's --help (and the global ones)
opts() { grep -oE '(^|[] [(|,])--?[a-z][a-z-]*' | sed 's/^[] [(|,]//' | grep -E '^(-[a-z]|--[a-z][a-z-]*)$'; }
{
	sed -n '/^global options:/,/^$/p' "$tmp/top" | opts | sed 's/^/(global) /'
	while read -r words; do
		# shellcheck disable=SC2086 -- words are split on purpose
		"$bin" $words --help 2>/dev/null | opts | sed "s/^/$words: /"
	done <"$tmp/verbs"
} | sort -u >"$tmp/opts"
[ -s "$tmp/opts" ] || { echo "man_pages: no option found in any --help"; exit 1; }
nopts=0
while read -r line; do
	o=${line##* }
	nopts=$((nopts + 1))
	grep -qE -e "(^|[^a-z-])$o([^a-z-]|\$)" "$tmp/page" ||
		bad "colink.1 does not mention $o (colink ${line%%: *} --help)"
done <"$tmp/opts"

# 4. exit codes and environment
sed -n '/^exit codes:/,/^$/p' "$tmp/top" | tr ';' '\n' | sed 's/^exit codes://' |
	sed -n 's/^ *\([0-9][0-9]*\) .*/\1/p' >"$tmp/codes"
[ -s "$tmp/codes" ] || { echo "man_pages: no exit codes in colink --help"; exit 1; }
section "EXIT STATUS" >"$tmp/exit"
while read -r c; do
	grep -qx "\.B $c" "$tmp/exit" || bad "colink.1 EXIT STATUS has no entry for $c"
done <"$tmp/codes"
section ENVIRONMENT >"$tmp/env"
(cd "$src" && grep -rhoE 'getenv\("COLINK_[A-Z_]+"\)' engine plugins) |
	sed 's/getenv("\(.*\)")/\1/' | sort -u >"$tmp/vars"
[ -s "$tmp/vars" ] || { echo "man_pages: no getenv(\"COLINK_...\") found in $src"; exit 99; }
while read -r v; do
	grep -qE "(^|[^A-Z_])$v([^A-Z_]|\$)" "$tmp/env" || bad "colink.1 ENVIRONMENT does not name $v"
done <"$tmp/vars"

[ $fail -eq 0 ] && echo "man_pages: $(echo $pages | wc -w) pages format cleanly; colink.1 covers" \
	"$(wc -l <"$tmp/verbs") verbs and sub-verbs, $nopts options, $(wc -l <"$tmp/codes") exit codes," \
	"$(wc -l <"$tmp/vars") environment variables"
exit $fail
