#!/bin/sh
# pg-sql.sh BASELINE EMBED FILE.sql... -- print the C header embedding the
# warehouse SQL in PostgreSQL's dialect (pg_schema_sql.h).
#
# Each file goes through pg-ddl.sh (the one translation, next to this
# script), then EMBED (plugins/out_sqlite/embed-sql.sh, the one embedder)
# writes the header, with the same names as out_sqlite's schema_sql.h.
# BASELINE is the schema version of the first colink with out_postgres:
# no PostgreSQL warehouse is older, so migrate-N.sql with N <= BASELINE
# are left out (they rebuild SQLite tables by rowid and have no
# translation); every later migration is translated and embedded, and a
# construct pg-ddl.sh cannot translate fails the build.  Last, the
# references pg-ddl.sh dropped (checked in bulk by the merge) as
# opg_bulk_refs[]: table, column, referenced table, referenced column.
set -eu
prog=pg-sql.sh
if [ "$#" -lt 3 ]; then
	echo "usage: $prog BASELINE EMBED FILE.sql..." >&2
	exit 2
fi
base=$1
embed=$2
shift 2
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pg-sql.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
list=
: >"$tmp/refs"
for f in "$@"; do
	b=${f##*/}
	case $b in
	migrate-*.sql)
		n=${b#migrate-}
		n=${n%.sql}
		if [ "$n" -le "$base" ]; then
			continue
		fi ;;
	esac
	sh "$here/pg-ddl.sh" "$f" >"$tmp/$b"
	sh "$here/pg-ddl.sh" --refs "$f" >>"$tmp/refs"
	list="$list $tmp/$b"
done
# shellcheck disable=SC2086
sh "$embed" $list | sed "s|$tmp/||g"
echo "static const char *const opg_bulk_refs[][4] = {"
sed 's/^\([^ ]*\) \([^ ]*\) \([^ ]*\) \([^ ]*\)$/\t{ "\1", "\2", "\3", "\4" },/' "$tmp/refs"
echo "};"
