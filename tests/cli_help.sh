#!/bin/sh
# cli_help.sh -- `--help` on every verb and sub-verb prints its usage on
# stdout and exits 0, writes nothing to stderr, and creates no file (#25).
#
# The verbs and their sub-verbs are read from `colink --help` itself
# (tests/cli_verbs.sh), so a new verb is walked without editing this
# script.  Both spellings, -h and --help, are tried.  Exit 0 when every one holds, 1 naming each that
# does not, 99 when the binary is missing.
LC_ALL=C
export LC_ALL
bin=${COLINK_BIN:-./colink}
[ -x "$bin" ] || { echo "cli_help: no colink binary at $bin (build first)" >&2; exit 99; }

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cwd"
fail=0
walked=0

# "verb" or "verb sub" per line, from the commands section of --help
"$bin" --help >"$tmp/top" 2>&1 || { echo "cli_help: colink --help exited $?"; exit 1; }
sh "${COLINK_TEST_SRCDIR:-$(dirname "$0")/..}/tests/cli_verbs.sh" <"$tmp/top" >"$tmp/verbs"
[ -s "$tmp/verbs" ] || { echo "cli_help: no commands found in colink --help"; exit 1; }

while read -r words; do
	for opt in --help -h; do
		walked=$((walked + 1))
		# shellcheck disable=SC2086 -- words are split on purpose
		(cd "$tmp/cwd" && "$bin" $words $opt >"$tmp/out" 2>"$tmp/err" </dev/null)
		rc=$?
		what="colink $words $opt"
		if [ $rc -ne 0 ]; then
			echo "cli_help: $what exited $rc: $(head -1 "$tmp/err")"
			fail=1
		elif ! grep -q "^usage: colink ${words%% *}" "$tmp/out"; then
			echo "cli_help: $what printed no 'usage: colink ${words%% *}' line on stdout"
			fail=1
		elif [ -s "$tmp/err" ]; then
			echo "cli_help: $what wrote to stderr: $(head -1 "$tmp/err")"
			fail=1
		fi
		if [ -n "$(ls -A "$tmp/cwd")" ]; then
			echo "cli_help: $what created $(ls -A "$tmp/cwd" | head -3 | tr '\n' ' ')"
			rm -rf "$tmp/cwd" && mkdir "$tmp/cwd"
			fail=1
		fi
	done
done <"$tmp/verbs"
echo "cli_help: $walked invocations of $(wc -l <"$tmp/verbs") verbs and sub-verbs"
exit $fail
