#!/bin/sh
# test_pg_shards.sh -- one warehouse across three PostgreSQL servers (#17).
#
# Starts three throwaway servers (tests/pg_server.sh: a coordinator and two
# shards, Unix sockets under a short /tmp directory, max_prepared_transactions
# 10), stopped at the end whatever happens (trap), and checks:
#   1. `colink warehouse init --shards` makes the layout (fact tables
#      partitioned by hash of person_no, postgres_fdw foreign partitions);
#      a second init, a URI with a password (never printed) and a server
#      without prepared transactions are refused, exit 3; status lists the
#      shards;
#   2. the sample job into the sharded warehouse and into a single-server
#      warehouse (the same coordinator server, another schema) gives the
#      same persons, rows, long rows, pseudonyms, links and review (the
#      content query of test_out_postgres.sh) and the same ledger counts; a
#      changed input replaces the same checkups on both; so does the claims
#      job (claims, diagnoses, items; masters); each shard holds
#      rows; every row a shard holds is one PostgreSQL's own partition
#      routing sends there (a local table partitioned alike); the link
#      report, referral and white paper read from the coordinator are the
#      single-server warehouse's bytes;
#   3. kill -9 of `colink run` before the prepare phase, between the
#      shards' PREPAREs, after every PREPARE and after the coordinator's
#      COMMIT PREPARED: `colink warehouse status` shows the in-doubt
#      transactions, `colink warehouse recover` (or the next run) resolves
#      them from the ledger, and after a rerun the warehouse equals the
#      uninterrupted run's, no prepared transaction left on any server;
#   4. a shard stopped in the middle of a run: the run fails (exit 5),
#      nothing of it visible; with the shard back a rerun gives the whole
#      warehouse;
#   6. reads: every report (referral, guidance, smoking, its --persons,
#      white paper, link report) the same bytes from the coordinator, from
#      one server and from SQLite; EXPLAIN (VERBOSE) of the white paper's
#      attendance aggregate shows it in the shards' Remote SQL;
#   5. a 100,000-person job (colink-gen, as bench/bench.sh) into the sharded
#      warehouse gives the same content as into SQLite (digests).  Only in
#      a plain build: under the sanitizers it would take minutes;
#   7. no raw identifier of the sample inputs (tests/pg_leaks: names, card
#      numbers, birth dates of the checkups, employer files and UKE claims)
#      in a pg_dump of the coordinator and of each shard, in any server's
#      log (every statement logged: log_statement=all) or in the runs'
#      output; and the search finds a sample row planted in a shard's dump;
#   8. schema versions: every shard keeps a schema_version of its own;
#      `colink warehouse status` (exit 3) and a run (exit 5, nothing
#      written, no ledger row) refuse a warehouse with a shard at another
#      version than the coordinator's (or with none), in one line naming
#      the shard by number and URI; a run refuses, without migrating it, a
#      sharded warehouse older than this colink; with the versions
#      brought level, the run loads.
# Exit 77 (skip) only when the PostgreSQL server binaries are absent.
set -u
: "${COLINK_BIN:?}" "${COLINK_TEST_SRCDIR:?}" "${COLINK_TEST_BUILDDIR:?}"
src=$COLINK_TEST_SRCDIR
colink=$COLINK_BIN
server="$src/tests/pg_server.sh"
leaks=$COLINK_TEST_BUILDDIR/tests/pg_leaks
# every server logs every statement, for the leak search (7.)
PG_SERVER_OPTS="-c log_statement=all"
export PG_SERVER_OPTS

# a short directory: three socket paths must stay under sun_path's limit
t=$(mktemp -d /tmp/colink-shards.XXXXXX) || exit 99
chmod 755 "$t"
cleanup() {
	for d in c s1 s2 np; do sh "$server" stop "$t/$d"; done
	[ -n "${bg:-}" ] && kill "$bg" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

sh "$server" start "$t/c"
rc=$?
[ "$rc" -eq 77 ] && exit 77
[ "$rc" -eq 0 ] || exit 1
sh "$server" start "$t/s1" || exit 1
sh "$server" start "$t/s2" || exit 1
bindir=
for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
	[ -x "$d/psql" ] && { bindir=$d; break; }
done
psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
ci() { echo "host=$t/$1/sock user=colink dbname=postgres"; }
uri() { echo "postgresql:///postgres?host=$t/$1/sock&user=colink"; }
# q SERVER SCHEMA SQL: the answer, unaligned
q() { PGOPTIONS="-c search_path=$2" psql "$(ci "$1")" -A -t -F '|' -c "$3"; }
SHARDS="$(uri s1),$(uri s2)"

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# ---- the samples, signed, with a key ----
s=$t/s
mkdir -p "$s"
cp -r "$src/samples" "$src/mappings" "$s/" && chmod -R u+w "$s" &&
	rm -rf "$s/samples/out" "$s/samples/keys" "$s/samples/agreement.xml.sig" "$s/samples/sample.key" &&
	mkdir "$s/samples/out" || exit 99
"$src/samples/sign-sample.sh" "$colink" "$s/samples" >/dev/null 2>&1 || { echo "cannot sign the sample agreement"; exit 99; }
"$colink" key new "$s/samples/sample.key" >/dev/null || exit 99
# pgjob NAME SCHEMA: the sample job into schema SCHEMA of the coordinator
pgjob() {
	sed -e 's|<output plugin="out_sqlite">|<output plugin="out_postgres">|' \
	    -e "s|<set name=\"path\" value=\"out/warehouse.db\"/>|<set name=\"conninfo\" value=\"$(ci c)\"/><set name=\"schema\" value=\"$2\"/>|" \
	    "$s/samples/sample-job.xml" >"$s/samples/$1"
}
runjob() { # runjob JOB OUT [ENV...]: colink run, its exit status
	job=$1 out=$2
	shift 2
	(cd "$s/samples" && env "$@" "$colink" run --unsigned-agreement "$job") >"$t/$out" 2>&1
}
# What both warehouses must agree on (test_out_postgres.sh's query: no
# surrogate numbers, run ids or times)
sed -n '/^cat >"$t\/content.sql" <<.SQL.$/,/^SQL$/p' "$src/tests/test_out_postgres.sh" |
	sed '1d;$d' >"$t/content.sql"
[ -s "$t/content.sql" ] || { echo "no content query in test_out_postgres.sh"; exit 99; }
content() { # content SCHEMA FILE
	{ echo "SET search_path TO $1;"; cat "$t/content.sql"; } | psql "$(ci c)" -A -t -F '|' >"$2" 2>&1
}
ledger="SELECT status, records_read, records_loaded, records_rejected, checkups_replaced, employees_replaced, attendance_replaced, stress_replaced FROM run ORDER BY started, run_id"
prepared() { # the colink-* prepared transactions on all three servers
	n=0
	for x in c s1 s2; do
		m=$(q "$x" public "SELECT count(*) FROM pg_prepared_xacts")
		n=$((n + ${m:-99}))
	done
	echo "$n"
}

# ---- 1. init, status ----
"$colink" warehouse init --shards "$SHARDS" "$(uri c)#wh" >"$t/init.out" 2>&1; rc=$?
kinds=$(q c wh "SELECT string_agg(DISTINCT c.relkind::text, ',') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'attendance_month' AND p.relnamespace = 'wh'::regnamespace")
parts=$(q c wh "SELECT count(*) FROM pg_partitioned_table t JOIN pg_class c ON c.oid = t.partrelid WHERE c.relnamespace = 'wh'::regnamespace AND t.partstrat = 'h'")
[ $rc -eq 0 ] && [ "$kinds" = f ] && [ "$parts" = 13 ] &&
	ok "init: 13 fact tables hash-partitioned, their partitions foreign tables" ||
	{ fail "init: exit $rc, partition kinds '$kinds', $parts partitioned tables"; cat "$t/init.out"; }
"$colink" warehouse init --shards "$SHARDS" "$(uri c)#wh" >"$t/init2.out" 2>&1; rc=$?
[ $rc -eq 3 ] && grep -q "exists already" "$t/init2.out" && ok "init: an existing schema is refused (exit 3)" ||
	fail "init twice: exit $rc: $(cat "$t/init2.out")"
"$colink" warehouse init --shards "postgresql://colink:Secr3tPw0rd@/postgres?host=$t/s1/sock" "$(uri c)#pw" >"$t/pw.out" 2>&1; rc=$?
[ $rc -eq 3 ] && grep -q "password" "$t/pw.out" && ! grep -q "Secr3tPw0rd" "$t/pw.out" &&
	ok "init: a shard URI with a password is refused without printing it" ||
	fail "init with a password: exit $rc: $(cat "$t/pw.out")"
PG_SERVER_OPTS="-c max_prepared_transactions=0" sh "$server" start "$t/np" >/dev/null 2>&1 &&
	{ "$colink" warehouse init --shards "$(uri np)" "$(uri c)#np" >"$t/np.out" 2>&1; rc=$?
	  [ $rc -eq 3 ] && grep -q "max_prepared_transactions is 0" "$t/np.out" &&
		ok "init: a server without prepared transactions is refused, saying so" ||
		fail "init with max_prepared_transactions 0: exit $rc: $(cat "$t/np.out")"; } ||
	fail "the fourth server did not start"
sh "$server" stop "$t/np"
"$colink" warehouse status "$(uri c)#wh" >"$t/status.out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "2 shards" "$t/status.out" && grep -q "in-doubt prepared transactions: 0" "$t/status.out" &&
	ok "status: two shards, nothing in doubt" || { fail "status: exit $rc"; cat "$t/status.out"; }
"$colink" warehouse status "$(uri c)#nosuch" >"$t/status2.out" 2>&1; rc=$?
[ $rc -eq 3 ] && grep -q "not a sharded warehouse" "$t/status2.out" &&
	ok "status: a schema that is not sharded says so (exit 3)" || fail "status of nothing: exit $rc: $(cat "$t/status2.out")"

# ---- 2. the sample job on three servers and on one ----
pgjob sh.xml wh
pgjob one.xml one
runjob sh.xml sh1.out; a=$?
runjob one.xml one1.out; b=$?
[ $a -eq 1 ] && [ $b -eq 1 ] && ok "sample job: exit 1 (three planted rejects) sharded and on one server" ||
	{ fail "sample job: exit $a sharded, $b single"; tail -n 5 "$t/sh1.out"; }
content wh "$t/ref.txt"
content one "$t/one.txt"
[ "$(wc -l <"$t/ref.txt")" -gt 100 ] && cmp -s "$t/ref.txt" "$t/one.txt" &&
	ok "sample job: $(wc -l <"$t/ref.txt") content rows equal, sharded and single-server" ||
	{ fail "sample job: the content differs"; diff "$t/one.txt" "$t/ref.txt" | head; }
n1=$(q s1 wh "SELECT count(*) FROM attendance_month")
n2=$(q s2 wh "SELECT count(*) FROM attendance_month")
nc=$(q c wh "SELECT count(*) FROM attendance_month")
[ "${n1:-0}" -gt 0 ] && [ "${n2:-0}" -gt 0 ] && [ $((n1 + n2)) -eq "${nc:-0}" ] &&
	ok "sample job: attendance months on both shards ($n1 + $n2), read through the coordinator" ||
	fail "sample job: attendance months $n1 + $n2 on the shards, $nc on the coordinator"
# the routing: every row of shard i (partition remainder i-1) where
# PostgreSQL's own routing of a table partitioned alike puts it
bad=$(q c wh "BEGIN; CREATE TEMP TABLE rt (person_no bigint, shard int) PARTITION BY HASH (person_no);
CREATE TEMP TABLE rt0 PARTITION OF rt FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TEMP TABLE rt1 PARTITION OF rt FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO rt SELECT person_no, 1 FROM checkup_p1 UNION ALL SELECT person_no, 1 FROM attendance_month_p1 UNION ALL SELECT person_no, 1 FROM observation_p1 UNION ALL SELECT person_no, 1 FROM stress_answer_p1;
INSERT INTO rt SELECT person_no, 2 FROM checkup_p2 UNION ALL SELECT person_no, 2 FROM attendance_month_p2 UNION ALL SELECT person_no, 2 FROM observation_p2 UNION ALL SELECT person_no, 2 FROM stress_answer_p2;
SELECT (SELECT count(*) FROM rt0 WHERE shard <> 1) + (SELECT count(*) FROM rt1 WHERE shard <> 2) || ' of ' || (SELECT count(*) FROM rt); ROLLBACK" | tail -n 1)
case $bad in
"0 of "[1-9]*) ok "routing: $bad rows routed elsewhere than PostgreSQL's partition routing puts them" ;;
*) fail "routing: $bad rows where PostgreSQL would not put them" ;;
esac
# a changed input (a trailing empty line: other bytes, the same records)
# replaces the same checkups on both
printf '\n' >>"$s/samples/vendor_a.csv"
# a run's start is kept to the second, and PostgreSQL breaks a tie of the
# latest run by run id (random): the second runs must start a second later
# for the link report and the ledger's order to name them
sleep 1
runjob sh.xml sh2.out; a=$?
runjob one.xml one2.out; b=$?
l1=$(q c wh "$ledger"); l2=$(q c one "$ledger")
r=$(q c wh "SELECT checkups_replaced FROM run ORDER BY started DESC, run_id DESC LIMIT 1")
content wh "$t/ref.txt"
content one "$t/one.txt"
[ $a -le 1 ] && [ $b -le 1 ] && [ "${r:-0}" -gt 0 ] && [ "$l1" = "$l2" ] && cmp -s "$t/ref.txt" "$t/one.txt" &&
	ok "changed input: $r checkups replaced, the same ledger and content on both" ||
	{ fail "changed input: exit $a/$b, $r replaced; ledgers:"; echo "$l1"; echo "--"; echo "$l2"; }
# the claims job (UKE claims, diagnoses, items: sharded tables; the code
# masters: the coordinator's) on three servers and on one
sed -n '/^cat >"$t\/claims.sql" <<.SQL.$/,/^SQL$/p' "$src/tests/test_out_postgres.sh" | sed '1d;$d' >"$t/claims.sql"
for sch in cl clone; do
	sed -e 's|<output plugin="out_sqlite">|<output plugin="out_postgres">|' \
	    -e "s|<set name=\"path\" value=\"out/claims.db\"/>|<set name=\"conninfo\" value=\"$(ci c)\"/><set name=\"schema\" value=\"$sch\"/>|" \
	    "$s/samples/claims-job.xml" >"$s/samples/$sch.xml"
done
"$colink" warehouse init --shards "$SHARDS" "$(uri c)#cl" >/dev/null 2>&1 || fail "cl: init"
runjob cl.xml cl.out; a=$?
runjob clone.xml clone.out; b=$?
for sch in cl clone; do
	{ echo "SET search_path TO $sch;"; cat "$t/content.sql" "$t/claims.sql"; } | psql "$(ci c)" -A -t -F '|' >"$t/$sch.txt" 2>&1
done
[ -s "$t/claims.sql" ] && [ $a -eq $b ] && [ $a -le 1 ] && grep -q '^claim_item|' "$t/cl.txt" && cmp -s "$t/cl.txt" "$t/clone.txt" &&
	ok "claims job: the same claims, diagnoses, items, masters and ledger sharded and on one server" ||
	{ fail "claims job: exit $a/$b; content:"; diff "$t/clone.txt" "$t/cl.txt" | head -n 5; }
# reports against the coordinator (through postgres_fdw): the bytes of the
# single-server warehouse (the link report's run id and time aside)
for sch in wh one; do
	"$colink" link report "$(uri c)#$sch" 2>&1 | sed '1s/run [0-9a-f]* (.*)/run R (T)/' >"$t/lr-$sch.txt"
	(cd "$s/samples" && "$colink" report referral --warehouse "$(uri c)#$sch" --audit-log "$t/rf-$sch.audit" \
		-o "$t/rf-$sch.csv" sh.xml) >"$t/rf-$sch.txt" 2>&1 || fail "report referral on $sch: $(cat "$t/rf-$sch.txt")"
	(cd "$s/samples" && "$colink" report whitepaper --warehouse "$(uri c)#$sch" --audit-log "$t/wp-$sch.audit" \
		-o "$t/wp-$sch" sh.xml) >"$t/wp-$sch.txt" 2>&1 || fail "report whitepaper on $sch: $(cat "$t/wp-$sch.txt")"
done
grep -q "pass 1 (card)" "$t/lr-wh.txt" && cmp -s "$t/lr-wh.txt" "$t/lr-one.txt" && cmp -s "$t/rf-wh.csv" "$t/rf-one.csv" &&
	[ -s "$t/wp-wh/whitepaper.html" ] && diff -r "$t/wp-wh" "$t/wp-one" >/dev/null &&
	ok "reports: link report, referral and white paper the same from the coordinator as from one server" ||
	fail "reports differ between the sharded and the single-server warehouse"
# The reference: these two runs' warehouse.  orig / changed: vendor_a.csv as
# the first run / the second run loads it.
cp "$s/samples/vendor_a.csv" "$t/vendor_a.changed"
orig() { head -c -1 "$t/vendor_a.changed" >"$s/samples/vendor_a.csv"; }
changed() { cp "$t/vendor_a.changed" "$s/samples/vendor_a.csv"; }
# rerun SCHEMA LABEL [committed]: the first run again when the killed one
# did not commit (its start resolves what the killed run left in doubt),
# then the second
rerun() {
	r1=0
	if [ -z "${3:-}" ]; then
		orig
		runjob "$1.xml" "$1-2.out"; r1=$?
	fi
	changed
	runjob "$1.xml" "$1-3.out"; r2=$?
	[ $r1 -le 1 ] && [ $r2 -le 1 ] || fail "$2: the runs after it: exit $r1/$r2: $(tail -n 2 "$t/$1-2.out")"
}
same() { # same LABEL SCHEMA: content as the reference, nothing prepared
	content "$2" "$t/$2.txt"
	p=$(prepared)
	cmp -s "$t/ref.txt" "$t/$2.txt" && [ "$p" = 0 ] &&
		ok "$1: the warehouse equals the uninterrupted runs', no prepared transaction left" ||
		{ fail "$1: $p prepared transactions left; content:"; diff "$t/ref.txt" "$t/$2.txt" | head -n 5; }
}

# ---- 3. kill -9 around the prepare phase ----
for point in before-prepare during-prepare after-prepare after-coordinator-commit; do
	sch=k_$(echo "$point" | tr -d -)
	"$colink" warehouse init --shards "$SHARDS" "$(uri c)#$sch" >/dev/null 2>&1 || fail "$sch: init"
	pgjob "$sch.xml" "$sch"
	orig
	runjob "$sch.xml" "$sch-1.out" COLINK_TEST_KILL_AT=$point; rc=$?
	[ "$rc" -eq 137 ] || fail "$point: exit $rc, not killed: $(tail -n 2 "$t/$sch-1.out")"
	"$colink" warehouse status "$(uri c)#$sch" >"$t/$sch-st.out" 2>&1
	nd=$(sed -n 's/^in-doubt prepared transactions: \([0-9]*\).*/\1/p' "$t/$sch-st.out")
	case $point in
	before-prepare) want=0 ;; during-prepare) want=1 ;; after-prepare) want=3 ;; *) want=2 ;;
	esac
	[ "$nd" = "$want" ] && ok "$point: kill -9 leaves $want in-doubt transactions (status)" ||
		{ fail "$point: status shows '$nd' in doubt, expected $want"; cat "$t/$sch-st.out"; }
	case $point in
	after-prepare | after-coordinator-commit)
		"$colink" warehouse recover "$(uri c)#$sch" >"$t/$sch-rec.out" 2>&1; rc=$?
		[ "$point" = after-prepare ] && want="0 committed, 3 rolled back" || want="2 committed, 0 rolled back"
		grep -q "$want" "$t/$sch-rec.out" && [ $rc -eq 0 ] && [ "$(prepared)" = 0 ] &&
			ok "$point: colink warehouse recover: $want, as the ledger says" ||
			fail "$point: recover: exit $rc: $(cat "$t/$sch-rec.out")"
		m=$(q c "$sch" "SELECT count(*) FROM checkup")
		o=$(q c "$sch" "SELECT count(*) FROM observation")
		# the second run replaces the first's checkups one for one
		[ "$point" = after-prepare ] && w="0 0" || w=$(q c wh "SELECT count(*), (SELECT count(*) FROM observation) FROM checkup" | tr '|' ' ')
		[ "$m $o" = "$w" ] && ok "$point: after recovery $m checkups and $o values visible on every server: all or nothing" ||
			fail "$point: after recovery $m checkups, $o values; expected $w"
		;;
	esac
	[ "$point" = after-coordinator-commit ] && rerun "$sch" "$point" committed || rerun "$sch" "$point"
	same "$point, recovered and rerun" "$sch"
done

# ---- 4. a shard stopped in the middle of a run ----
"$colink" warehouse init --shards "$SHARDS" "$(uri c)#ks" >/dev/null 2>&1 || fail "ks: init"
pgjob ks.xml ks
orig
(cd "$s/samples" && COLINK_TEST_PAUSE_FILE="$t/pause" "$colink" run --unsigned-agreement ks.xml) >"$t/ks-1.out" 2>&1 &
bg=$!
i=0
while [ ! -f "$t/pause" ] && kill -0 "$bg" 2>/dev/null && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
sh "$server" stop "$t/s2"
rm -f "$t/pause"
wait "$bg"; rc=$?
bg=
sh "$server" restart "$t/s2" || fail "the shard did not start again"
m=$(q c ks "SELECT count(*) FROM checkup")
st=$(q c ks "SELECT string_agg(status, ',') FROM run")
[ $rc -eq 5 ] && [ "$m" = 0 ] && [ "$st" = failed ] &&
	ok "shard stopped mid-run: exit 5, the run failed, nothing of it visible" ||
	fail "shard stopped mid-run: exit $rc, $m checkups, runs '$st': $(tail -n 2 "$t/ks-1.out")"
rerun ks "shard back"
same "shard stopped mid-run, back, rerun" ks

# ---- 6. reads (#17 part 4): every report the same from the coordinator,
# one server and SQLite; the aggregates on the shards ----
# The sample job into SQLite as into wh and one: the first input, then the
# changed one (vendor_a.csv is the changed one here)
orig
(cd "$s/samples" && "$colink" -q run --unsigned-agreement sample-job.xml) >"$t/rd-sq1.out" 2>&1
changed
(cd "$s/samples" && "$colink" -q run --unsigned-agreement sample-job.xml) >"$t/rd-sq2.out" 2>&1
rd=0
for verb in referral guidance smoking smoking-persons whitepaper; do
	case $verb in
	smoking-persons) args="smoking --persons" ;;
	smoking) args="smoking --k 2" ;;
	whitepaper) args="whitepaper" ;;
	*) args="$verb --all" ;;
	esac
	for w in sq wh one; do
		case $w in
		sq) wa="--warehouse $s/samples/out/warehouse.db" ;;
		*) wa="--warehouse $(uri c)#$w" ;;
		esac
		# shellcheck disable=SC2086
		(cd "$s/samples" && "$colink" report $args $wa --audit-log "$t/rd-$verb-$w.audit" \
			-o "$t/rd-$verb-$w" sample-job.xml) >"$t/rd-$verb-$w.err" 2>&1 ||
			fail "reads: report $args on $w: $(head -n 2 "$t/rd-$verb-$w.err")"
	done
	if [ -s "$t/rd-$verb-sq" ] && diff -r "$t/rd-$verb-sq" "$t/rd-$verb-wh" >/dev/null &&
		diff -r "$t/rd-$verb-one" "$t/rd-$verb-wh" >/dev/null; then
		rd=$((rd + 1))
	else
		fail "reads: report $args differs between SQLite, one server and the shards"
		diff -r "$t/rd-$verb-sq" "$t/rd-$verb-wh" | head -n 5
	fi
done
for w in sq wh one; do
	case $w in sq) wa="$s/samples/out/warehouse.db" ;; *) wa="$(uri c)#$w" ;; esac
	"$colink" link report "$wa" 2>&1 | sed '1s/run [0-9a-f]* (.*)/run R (T)/' >"$t/rd-lr-$w.txt"
done
grep -q "pass 1 (card)" "$t/rd-lr-wh.txt" && cmp -s "$t/rd-lr-sq.txt" "$t/rd-lr-wh.txt" &&
	cmp -s "$t/rd-lr-one.txt" "$t/rd-lr-wh.txt" && rd=$((rd + 1)) ||
	fail "reads: the link report differs between SQLite, one server and the shards"
[ $rd -eq 6 ] && ok "reads: referral, guidance, smoking (--k 2, --persons), white paper and link report: the same bytes from SQLite, one server and the coordinator of the shards"
# The white paper's attendance aggregate (wh_pg_wp.c, whp_wp_attendance) as
# colink's read session plans it (enable_partitionwise_aggregate, set by
# wh_pg.c on a sharded warehouse): the GROUP BY person_no in every foreign
# scan's Remote SQL, one per shard, and not without the setting
wpq="UPDATE wp_person w SET att_n = coalesce(x.n, 0), ot = x.ot, sick = coalesce(x.sick, 0) FROM wp_person w2 LEFT JOIN (SELECT person_no, count(*) AS n, avg(CAST(overtime_minutes AS float8)) / CAST(60.0 AS float8) AS ot, sum(CAST(sick_days AS float8)) AS sick FROM attendance_month WHERE year_month BETWEEN '2024-04' AND '2025-03' GROUP BY person_no) x ON x.person_no = w2.eid WHERE w2.eid = w.eid"
grep -q "GROUP BY person_no) x ON x.person_no = w2.eid" "$src/engine/warehouse/wh_pg_wp.c" ||
	fail "pushdown: the attendance query of wh_pg_wp.c is not the one explained here"
plan() { # plan on|off: EXPLAIN (VERBOSE) of $wpq on the coordinator
	q c wh "CREATE TEMP TABLE wp_person (eid bigint PRIMARY KEY, att_n int, ot float8, sick float8);
SET enable_partitionwise_aggregate TO $1; EXPLAIN (VERBOSE) $wpq"
}
plan on >"$t/plan-on.txt" 2>&1
plan off >"$t/plan-off.txt" 2>&1
na=$(grep -c "Relations: Aggregate on" "$t/plan-on.txt")
ng=$(grep "Remote SQL:" "$t/plan-on.txt" | grep -c "GROUP BY")
nf=$(grep -c "Relations: Aggregate on" "$t/plan-off.txt")
[ "$na" = 2 ] && [ "$ng" = 2 ] && [ "$nf" = 0 ] && grep -q "Foreign Scan" "$t/plan-off.txt" &&
	ok "pushdown: the white paper's attendance aggregate runs on both shards (Aggregate on, GROUP BY in the Remote SQL), and without partitionwise aggregation it would not" ||
	{ fail "pushdown: $na aggregates on the shards, $ng GROUP BY in Remote SQL, $nf without the setting"; cat "$t/plan-on.txt"; }
# and colink's own white paper session does it: with shard 1 logging every
# statement, the white paper from the coordinator sends it a GROUP BY over
# attendance_month (one aggregate per person), the same bytes as before
q s1 public "ALTER SYSTEM SET log_statement = 'all'" >/dev/null && q s1 public "SELECT pg_reload_conf()" >/dev/null
cp "$t/s1/server.log" "$t/s1-before.log" # for the leak search (7.)
: >"$t/s1/server.log" 2>/dev/null
(cd "$s/samples" && "$colink" report whitepaper --warehouse "$(uri c)#wh" --audit-log "$t/rd-log.audit" \
	-o "$t/rd-log" sample-job.xml) >"$t/rd-log.err" 2>&1
q s1 public "ALTER SYSTEM RESET log_statement" >/dev/null && q s1 public "SELECT pg_reload_conf()" >/dev/null
ng=$(grep "FROM wh.attendance_month" "$t/s1/server.log" | grep -c "GROUP BY")
[ "$ng" -ge 1 ] && diff -r "$t/rd-log" "$t/rd-whitepaper-sq" >/dev/null &&
	ok "pushdown: colink's white paper sent shard 1 its attendance aggregate ($ng GROUP BY over attendance_month in its log)" ||
	{ fail "pushdown: shard 1 received $ng aggregates over attendance_month during the white paper"; grep attendance_month "$t/s1/server.log" | head -n 3; }
# the foreign servers' options (warehouse init): rows fetched 10,000 at a
# time, the shards scanned at once
o=$(q c wh "SELECT count(*) FROM pg_foreign_server WHERE srvname LIKE 'wh\_shard\_%' AND 'fetch_size=10000' = ANY (srvoptions) AND 'async_capable=true' = ANY (srvoptions)")
[ "$o" = 2 ] && ok "pushdown: both foreign servers fetch 10,000 rows at a time and are scanned asynchronously" ||
	fail "pushdown: $o foreign servers with fetch_size and async_capable"

# ---- 5. 100,000 persons, sharded and in SQLite ----
if grep -q -e "--enable-sanitizers" "$COLINK_TEST_BUILDDIR/config.status" 2>/dev/null; then
	echo "skipped: the 100,000-person job under the sanitizers (the plain build runs it)"
else
	g=$t/g
	mkdir -p "$g"
	"${COLINK_GEN:-$COLINK_TEST_BUILDDIR/samples/colink-gen}" --persons 100000 --seed 1 --out "$g/csv" --only vendor_a --employer >/dev/null || fail "colink-gen"
	"$colink" key new "$g/bench.key" >/dev/null
	header="  <agreement file=\"$src/samples/agreement.xml\" id=\"sample-collabo-2024\"/>\n  <purpose>健康白書</purpose>\n  <recipient party=\"association\" role=\"保健事業担当者\"/>"
	sed -e "s|@SRC@|$src|g; s|@DATA@|$g|g; s|@MAXREJ@|100000000|; s|@OUT@|$g/big.db|" -e "s|@HEADER@|$header|" \
		"$src/bench/bench-job.xml.in" >"$g/sq.xml"
	sed -e 's|<output plugin="out_sqlite">|<output plugin="out_postgres">|' \
	    -e "s|<set name=\"path\" value=\"$g/big.db\"/>|<set name=\"conninfo\" value=\"$(ci c)\"/><set name=\"schema\" value=\"big\"/>|" \
	    "$g/sq.xml" >"$g/pg.xml"
	"$colink" warehouse init --shards "$SHARDS" "$(uri c)#big" >/dev/null 2>&1 || fail "big: init"
	(cd "$g" && "$colink" -q run --unsigned-agreement sq.xml) >"$t/big-sq.out" 2>&1; a=$?
	(cd "$g" && "$colink" -q run --unsigned-agreement pg.xml) >"$t/big-pg.out" 2>&1; b=$?
	# SQLite stores pseudonyms as BLOBs (schema 12): their hex from the
	# view person_key_hex, as PostgreSQL's text column holds them
	d1=$(sed 's/ FROM person_key k / FROM person_key_hex k /' "$t/content.sql" |
		sqlite3 -separator '|' "$g/big.db" | md5sum)
	content big "$t/big.txt"
	d2=$(md5sum <"$t/big.txt")
	n=$(wc -l <"$t/big.txt")
	n1=$(q s1 big "SELECT count(*) FROM attendance_month")
	n2=$(q s2 big "SELECT count(*) FROM attendance_month")
	[ $a -le 1 ] && [ $b -le 1 ] && [ "$n" -gt 1000000 ] && [ "$d1" = "$d2" ] &&
		ok "100,000 persons: $n content rows, the same digest sharded ($n1 + $n2 attendance months) and in SQLite" ||
		fail "100,000 persons: exit $a/$b, $n rows, digests $d1 / $d2: $(tail -n 2 "$t/big-pg.out")"
fi

# ---- 8. schema versions: the shards' against the coordinator's ----
"$colink" warehouse init --shards "$SHARDS" "$(uri c)#sv" >/dev/null 2>&1 || fail "sv: init"
pgjob sv.xml sv
v=$(q c sv "SELECT max(version) FROM schema_version")
"$colink" warehouse status "$(uri c)#sv" >"$t/sv-st.out" 2>&1; rc=$?
[ $rc -eq 0 ] && [ "$(q s1 sv "SELECT max(version) FROM schema_version")" = "$v" ] &&
	grep -q "^schema version: $v on the coordinator and every shard" "$t/sv-st.out" &&
	ok "versions: each shard keeps its schema_version ($v), status says they agree" ||
	{ fail "versions: status exit $rc, the coordinator at '$v'"; cat "$t/sv-st.out"; }
# shard 2 a version behind (as if a migration had missed it)
q s2 sv "UPDATE schema_version SET version = version - 1 WHERE version = $v" >/dev/null
want="shard 2 ($(uri s2)) is at schema version $((v - 1)), the coordinator at $v"
"$colink" warehouse status "$(uri c)#sv" >"$t/sv-st2.out" 2>"$t/sv-st2.err"; rc=$?
[ $rc -eq 3 ] && [ "$(wc -l <"$t/sv-st2.err")" = 1 ] && grep -qF "$want" "$t/sv-st2.err" &&
	ok "versions: status refuses a shard behind the coordinator (exit 3), naming it: $(cat "$t/sv-st2.err")" ||
	{ fail "versions: status with shard 2 behind: exit $rc"; cat "$t/sv-st2.err"; }
orig
runjob sv.xml sv-1.out; rc=$?
m=$(q c sv "SELECT count(*) FROM checkup")
r=$(q c sv "SELECT count(*) FROM run")
[ $rc -eq 5 ] && grep -qF "$want" "$t/sv-1.out" && [ "$m" = 0 ] && [ "$r" = 0 ] &&
	ok "versions: a run refuses it (exit 5), nothing written, no ledger row" ||
	{ fail "versions: the run with shard 2 behind: exit $rc, $m checkups, $r runs"; tail -n 3 "$t/sv-1.out"; }
# shard 1 without any schema_version (a shard made by hand, or before 12/2026)
q s2 sv "UPDATE schema_version SET version = $v WHERE version = $v - 1" >/dev/null
q s1 sv "ALTER TABLE schema_version RENAME TO schema_version_x" >/dev/null
"$colink" warehouse status "$(uri c)#sv" >"$t/sv-st3.out" 2>"$t/sv-st3.err"; rc=$?
[ $rc -eq 3 ] && grep -qF "shard 1 ($(uri s1)) has no schema version" "$t/sv-st3.err" &&
	ok "versions: status refuses a shard with no schema_version (exit 3), naming it" ||
	{ fail "versions: status with shard 1 unversioned: exit $rc"; cat "$t/sv-st3.err"; }
q s1 sv "ALTER TABLE schema_version_x RENAME TO schema_version" >/dev/null
# the whole warehouse a version behind this colink: the run migrates the
# coordinator alone, so it refuses, and migrates nothing
for x in c s1 s2; do q $x sv "UPDATE schema_version SET version = version - 1 WHERE version = $v" >/dev/null; done
runjob sv.xml sv-2.out; rc=$?
[ $rc -eq 5 ] && grep -q "a run migrates no sharded warehouse" "$t/sv-2.out" &&
	[ "$(q c sv "SELECT max(version) FROM schema_version")" = $((v - 1)) ] &&
	[ "$(q c sv "SELECT count(*) FROM run")" = 0 ] &&
	ok "versions: a run refuses a sharded warehouse older than this colink (exit 5) and leaves it at $((v - 1))" ||
	{ fail "versions: the run on an older sharded warehouse: exit $rc"; tail -n 3 "$t/sv-2.out"; }
for x in c s1 s2; do q $x sv "UPDATE schema_version SET version = $v WHERE version = $v - 1" >/dev/null; done
runjob sv.xml sv-3.out; rc=$?
m=$(q c sv "SELECT count(*) FROM checkup")
[ $rc -le 1 ] && [ "${m:-0}" -gt 0 ] && ok "versions: level again, the run loads ($m checkups)" ||
	{ fail "versions: the run with the versions level: exit $rc, $m checkups"; tail -n 3 "$t/sv-3.out"; }

# ---- 7. no raw identifier on any server ----
# the whole database of each server: the coordinator's warehouses (wh, one,
# cl, clone, k_*, ks: persons, links, ledger, rejects, the parents'
# definitions) and each shard's fact tables (not the 100,000 generated
# persons of 5., which are not the samples)
for x in c s1 s2; do
	"$bindir/pg_dump" -N big -d "$(ci $x)" >"$t/dump-$x.sql" 2>"$t/dump-$x.err" ||
		fail "pg_dump of $x: $(head -n 1 "$t/dump-$x.err")"
done
grep -q "^COPY wh.person " "$t/dump-c.sql" && grep -q "^COPY wh.checkup " "$t/dump-s1.sql" &&
	grep -q "^COPY wh.checkup " "$t/dump-s2.sql" && cat "$t/dump-s1.sql" "$t/dump-s2.sql" | grep -q "^COPY cl.claim " &&
	[ "$(grep -c "^COPY wh.checkup " "$t/dump-c.sql")" = 0 ] &&
	ok "pg_dump: the persons on the coordinator, the checkups on each shard, the claims on the shards" ||
	fail "pg_dump: the dumps do not hold the warehouse where it should be"
logs=
for x in c s1 s2; do
	grep -q "statement: " "$t/$x/server.log" || fail "the server log of $x logged no statement"
	logs="$logs $t/$x/server.log"
done
cat "$t"/*.out >"$t/outputs.txt"
# shellcheck disable=SC2086
"$leaks" "$t/dump-c.sql" "$t/dump-s1.sql" "$t/dump-s2.sql" "$t/s1-before.log" $logs "$t/outputs.txt" &&
	ok "no raw identifier in the dumps of the coordinator and both shards, the three server logs or the runs' output" ||
	fail "raw identifiers found (above)"
# and the search looks where it should: one checkup row of the samples
# planted in a copy of a shard's dump is found
{ cat "$t/dump-s2.sql"; sed -n 2p "$s/samples/vendor_a.csv"; } >"$t/planted.sql"
"$leaks" "$t/planted.sql" >"$t/planted.txt" 2>&1; rc=$?
[ $rc -eq 1 ] && ok "the leak search finds a sample checkup row planted in a shard's dump" ||
	{ fail "the leak search of a shard's dump with a sample row planted: exit $rc"; cat "$t/planted.txt"; }
# the server's own numbers are not data: a sample's 4-digit card symbol as
# the process id of a log line's prefix or message is not a leak (a fresh
# machine's small process ids met them), the same number as a statement's
# literal is
sym=$(sed -n 2p "$s/samples/vendor_a.csv" | cut -d, -f3)
case $sym in [0-9][0-9][0-9][0-9]) ;; *) fail "vendor_a.csv's first card symbol is not 4 digits" ;; esac
printf '2026-12-05 04:41:23.456 UTC [%s] LOG:  background worker "logical replication launcher" (PID %s) exited with exit code 1\n' \
	"$sym" "$sym" >"$t/pid.log"
printf '2026-12-05 04:41:23.456 UTC [%s] DETAIL:  Process %s waits for ShareLock on transaction 7\n' "$sym" "$sym" >>"$t/pid.log"
"$leaks" "$t/pid.log" >"$t/pid.txt" 2>&1; rc=$?
[ $rc -eq 0 ] && ok "the leak search passes a server log whose process ids are a sample's card symbol" ||
	{ fail "the leak search of process ids that equal a card symbol: exit $rc"; cat "$t/pid.txt"; }
printf '2026-12-05 04:41:23.456 UTC [77] LOG:  statement: SELECT %s\n' "$sym" >"$t/pid2.log"
"$leaks" "$t/pid2.log" >"$t/pid2.txt" 2>&1; rc=$?
[ $rc -eq 1 ] && ok "the leak search finds the same card symbol in a logged statement" ||
	{ fail "the leak search of a statement holding a card symbol: exit $rc"; cat "$t/pid2.txt"; }

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
