#!/bin/sh
# cli_layering.sh [OBJDIR] -- engine/cli calls in one direction only.
#
# main.c calls the verbs (through its verb table); a verb (cmd_*.c) calls
# the CLI helpers (cli_util.c, report_src.c, ...) and the engine library;
# a helper calls the engine library.  So, read from the objects' symbol
# tables (nm -P):
#   1. no cmd_*.o uses a function defined in main.o or in another cmd_*.o
#   2. no other object (a helper) uses one defined in main.o or a cmd_*.o
# An explicit alias (a verb that only forwards to another) would be listed
# in ALLOWED as "caller-object:symbol"; there is none today.
#
# OBJDIR: the colink objects (default $COLINK_TEST_BUILDDIR/engine/cli, as
# `make check` sets it).  Exit 0 when the layering holds, 1 naming each
# call against it, 77 (skip) without nm, 99 when the objects are missing.

ALLOWED=""
LC_ALL=C
export LC_ALL

dir=${1:-${COLINK_TEST_BUILDDIR:-.}/engine/cli}
command -v nm >/dev/null 2>&1 || { echo "cli_layering: no nm, skipped"; exit 77; }
ls "$dir"/*main.o >/dev/null 2>&1 || { echo "cli_layering: no main.o in $dir (build first)" >&2; exit 99; }

# object name without the per-target prefix: colink-cmd_run.o -> cmd_run
short() { b=${1##*/}; b=${b%.o}; echo "${b#colink-}"; }

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# defined functions of main.o and the verbs: "symbol object"
for o in "$dir"/*.o; do
	s=$(short "$o")
	case $s in
	main | cmd_*) nm -P -g --defined-only "$o" | awk -v s="$s" '$2 == "T" { print $1, s }' ;;
	esac
done | sort >"$tmp/defined"

for o in "$dir"/*.o; do
	s=$(short "$o")
	[ "$s" = main ] && continue
	nm -P -u "$o" | awk '{ print $1 }' | sort -u >"$tmp/used"
	# each used symbol that main.o or a verb defines, other than our own
	join "$tmp/used" "$tmp/defined" | while read -r sym owner; do
		[ "$owner" = "$s" ] && continue
		case " $ALLOWED " in *" $s:$sym "*) continue ;; esac
		echo "cli_layering: $s calls $sym, defined in $owner.c"
	done >>"$tmp/bad"
done
if [ -s "$tmp/bad" ]; then
	cat "$tmp/bad" >&2
	echo "cli_layering: main.c calls the verbs, verbs call the helpers and the engine; nothing calls back" >&2
	exit 1
fi
echo "cli_layering: $(ls "$dir"/*.o | wc -l | tr -d ' ') objects, $(wc -l <"$tmp/defined" | tr -d ' ') functions of main.c and the verbs, no call against the layering"
exit 0
