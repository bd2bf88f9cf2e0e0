#!/bin/sh
# tree_map.sh [SRCDIR] -- the tree shows the architecture, and stays so.
#
# Checks, from the source tree (default $COLINK_TEST_SRCDIR):
#   1. every folder under engine/ and plugins/ (one level) is named in
#      README.md's folder map ("| `engine/core/` |"), and every engine/ or
#      plugins/ folder the map names exists;
#   2. every such folder's .am fragment is included by Makefile.am;
#   3. no .c or .h file in engine/ or plugins/ is over 1,000 lines
#      (STYLE.md: split by responsibility before that);
#   4. no SQL naming a warehouse table (the tables of
#      mappings/warehouse/schema.sql) outside engine/warehouse/ and the
#      output plugins (plugins/out_*): the warehouse module owns every read.
# Exit 0 when all hold, 1 naming each violation, 99 on a missing tree.
LC_ALL=C
export LC_ALL
src=${1:-${COLINK_TEST_SRCDIR:-.}}
readme=$src/README.md
[ -f "$readme" ] && [ -f "$src/mappings/warehouse/schema.sql" ] ||
	{ echo "tree_map: no source tree at $src" >&2; exit 99; }
bad=0
fail() { echo "tree_map: $*"; bad=1; }

for d in "$src"/engine/*/ "$src"/plugins/*/; do
	rel=${d#"$src"/}
	case $rel in engine/include/) continue ;; esac
	grep -q "^| \`$rel\`" "$readme" || fail "$rel is not in README.md's folder map"
	am=$(ls "$d"*.am 2>/dev/null | head -1)
	if [ -z "$am" ]; then
		fail "$rel has no .am fragment listing its sources and tests"
	else
		grep -q "^include \$(srcdir)/${am#"$src"/}\$" "$src/Makefile.am" ||
			fail "${am#"$src"/} is not included by Makefile.am"
	fi
done
for rel in $(sed -n 's/^| `\(\(engine\|plugins\)\/[a-z_]*\/\)`.*/\1/p' "$readme"); do
	[ -d "$src/$rel" ] || fail "README.md's folder map names $rel, which does not exist"
done

find "$src/engine" "$src/plugins" -name '*.[ch]' | while read -r f; do
	# the SQL that embed-sql.sh / pg-sql.sh generate into an in-tree build
	case $f in */schema_sql.h | */pg_schema_sql.h) continue ;; esac
	n=$(wc -l < "$f")
	[ "$n" -le 1000 ] || echo "tree_map: ${f#"$src"/} has $n lines (over 1,000)"
done > "${TMPDIR:-/tmp}/tree_map.$$"
if [ -s "${TMPDIR:-/tmp}/tree_map.$$" ]; then cat "${TMPDIR:-/tmp}/tree_map.$$"; bad=1; fi
rm -f "${TMPDIR:-/tmp}/tree_map.$$"

tables=$(sed -n 's/^CREATE TABLE \(IF NOT EXISTS \)\{0,1\}\([a-z_]*\).*/\2/p' \
	"$src/mappings/warehouse/schema.sql" | sort -u | paste -sd'|' -)
[ -n "$tables" ] || { echo "tree_map: no CREATE TABLE in schema.sql" >&2; exit 99; }
hits=$(cd "$src" && grep -rniE "\\b(from|join|into|update|table)[[:space:]]+($tables)\\b" \
	--include='*.c' --include='*.h' engine plugins |
	grep -v '^engine/warehouse/' | grep -v '^plugins/out_' | grep -vE '^[^:]*:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$hits" ]; then
	echo "$hits" | sed 's/^/tree_map: SQL on a warehouse table outside engine\/warehouse: /'
	bad=1
fi
[ $bad -eq 0 ] && echo "tree_map: folders, README map, fragments, file sizes and warehouse SQL agree"
exit $bad
