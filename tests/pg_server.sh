#!/bin/sh
# pg_server.sh start DIR | stop DIR | restart DIR -- a throwaway PostgreSQL 15 server for
# the tests (#16): initdb into DIR/data, listening only on a Unix socket in
# DIR/sock (no TCP: listen_addresses = ''), trust authentication for local
# connections of the bootstrap superuser `colink` (nothing else can reach
# the socket directory), its log in DIR/server.log.
#
# The server refuses to run as root: when run as root, DIR is handed to an
# unprivileged user (`postgres` when the package made one, else `nobody`)
# and the server runs as that user (setpriv, else runuser/su).  Otherwise
# it runs as the caller.
#
# start prints nothing on success and leaves DIR/conninfo with the
# connection string; exit 77 (skip, with the reason on stderr) when the
# server binaries are absent; 1 on any other failure (the log's tail on
# stderr).  stop is idempotent.  max_prepared_transactions is 10: a
# sharded warehouse (#17) commits each run with PREPARE TRANSACTION.  PG_SERVER_OPTS adds server options
# (the tests log every statement: log_statement=all).  The log keeps the
# default line prefix "%m [%p] ", which tests/pg_leaks blanks, and no
# checkpoint lines (their kB figures are not data either).  PG_BINDIR overrides the binaries' place
# (default: pg_config --bindir of the server, else /usr/lib/postgresql/15/bin).
set -eu
prog=pg_server.sh
if [ "$#" -ne 2 ]; then
	echo "usage: $prog start|stop|restart DIR" >&2
	exit 2
fi
cmd=$1
dir=$2

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
	for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			bindir=$d
			break
		fi
	done
fi

as_user() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
	elif command -v setpriv >/dev/null 2>&1; then
		setpriv --reuid="$pguser" --regid="$(id -g "$pguser")" --clear-groups \
			env HOME="$dir" "$@"
	else
		runuser -u "$pguser" -- "$@"
	fi
}

pguser=
if [ "$(id -u)" -eq 0 ]; then
	if id postgres >/dev/null 2>&1; then pguser=postgres; else pguser=nobody; fi
fi

case $cmd in
start)
	if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/postgres" ]; then
		echo "$prog: SKIP: no PostgreSQL server binaries (initdb, pg_ctl, postgres) under /usr/lib/postgresql/*/bin; ./quickstart.sh check installs the postgresql package" >&2
		exit 77
	fi
	# the socket path must stay under the 107-byte limit of sun_path
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ ${#dir} -gt 80 ]; then
		echo "$prog: $dir: too long for a Unix socket path" >&2
		exit 1
	fi
	rm -rf "$dir/data" "$dir/sock"
	mkdir -p "$dir/sock"
	if [ -n "$pguser" ]; then
		chown "$pguser" "$dir" "$dir/sock"
		# every parent must be searchable by the server's user
		p=$dir
		while [ "$p" != / ]; do
			p=$(dirname "$p")
			if ! as_user test -x "$p"; then
				echo "$prog: $p: not searchable by $pguser, who runs the server" >&2
				exit 1
			fi
		done
	fi
	chmod 700 "$dir/sock"
	if ! as_user "$bindir/initdb" -D "$dir/data" -U colink --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
		echo "$prog: initdb failed:" >&2
		tail -n 5 "$dir/initdb.log" >&2
		exit 1
	fi
	if ! as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses= -c unix_socket_directories=$dir/sock -c fsync=off -c log_min_messages=warning -c log_checkpoints=off -c max_prepared_transactions=10 ${PG_SERVER_OPTS:-}" \
		start >"$dir/pg_ctl.log" 2>&1; then
		echo "$prog: the server did not start:" >&2
		tail -n 5 "$dir/server.log" >&2 || true
		exit 1
	fi
	printf 'host=%s user=colink dbname=postgres\n' "$dir/sock" >"$dir/conninfo"
	;;
restart)
	# the server of an earlier start, stopped, started again on its data
	# (the crash tests of a sharded warehouse: a shard stopped mid-run)
	dir=$(cd "$dir" && pwd)
	if ! as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses= -c unix_socket_directories=$dir/sock -c fsync=off -c log_min_messages=warning -c log_checkpoints=off -c max_prepared_transactions=10 ${PG_SERVER_OPTS:-}" \
		start >"$dir/pg_ctl.log" 2>&1; then
		echo "$prog: the server did not start again:" >&2
		tail -n 5 "$dir/server.log" >&2 || true
		exit 1
	fi
	;;
stop)
	if [ -n "$bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
		as_user "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	;;
*)
	echo "usage: $prog start|stop|restart DIR" >&2
	exit 2
	;;
esac
