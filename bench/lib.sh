# bench/lib.sh — sourced by bench/*.sh: a throwaway PostgreSQL 15 tuned like
# tests/pg/lib.sh (Unix socket only, trust) but durable: fsync and
# synchronous_commit ON, as production runs.  bench_pg_start / bench_pg_stop.
# BENCH_SQL_DIR: the migrations to run (default: the source tree's sql/).
: "${CLAIMSCRUB:=cli/claimscrub}"
: "${CLAIMSCRUBD:=daemon/claimscrubd}"
: "${CLAIMSCRUB_SRCDIR:=.}"
: "${PG_BINDIR:=/usr/lib/postgresql/15/bin}"
src=$(cd "$CLAIMSCRUB_SRCDIR" && pwd)
CLAIMSCRUB=$(cd "$(dirname "$CLAIMSCRUB")" && pwd)/$(basename "$CLAIMSCRUB")
CLAIMSCRUBD=$(cd "$(dirname "$CLAIMSCRUBD")" && pwd)/$(basename "$CLAIMSCRUBD")
export CLAIMSCRUB CLAIMSCRUBD CLAIMSCRUB_SRCDIR PG_BINDIR
if [ "$(id -u)" = 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; else as_pg() { "$@"; }; fi
psql_q() { "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

bench_pg_start() {
	B=$(mktemp -d /tmp/csbench.XXXXXX)
	chmod 755 "$B"
	mkdir "$B/pg"
	[ "$(id -u)" = 0 ] && chown postgres "$B/pg"
	unset PGHOSTADDR PGSERVICE PGPASSWORD PGOPTIONS
	PGHOST=$B/pg PGPORT=5432 PGUSER=postgres PGDATABASE=claims
	export PGHOST PGPORT PGUSER PGDATABASE B
	conninfo="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER"
	as_pg "$PG_BINDIR/initdb" -D "$B/pg/data" -U postgres -A trust -E UTF8 --locale=C \
		>"$B/initdb.log" 2>&1 || { cat "$B/initdb.log" >&2; return 1; }
	o="-c listen_addresses='' -c unix_socket_directories='$B/pg' -c port=$PGPORT"
	o="$o -c fsync=on -c synchronous_commit=on -c max_connections=40"
	o="$o -c shared_buffers=1GB -c max_wal_size=4GB -c checkpoint_timeout=30min"
	o="$o -c shared_preload_libraries=pg_stat_statements"
	# BENCH_STATEMENTS=all: the statements inside functions counted too
	[ "${BENCH_STATEMENTS:-}" = all ] && o="$o -c pg_stat_statements.track=all"
	as_pg "$PG_BINDIR/pg_ctl" -D "$B/pg/data" -l "$B/pg/server.log" -w -t 60 -o "$o" start \
		>/dev/null 2>&1 || { tail "$B/pg/server.log" >&2; return 1; }
	psql_q -d postgres -c 'CREATE DATABASE claims' &&
		psql_q -c 'CREATE EXTENSION pg_stat_statements' &&
		"$CLAIMSCRUB" db migrate --db "$conninfo" --sql "${BENCH_SQL_DIR:-$src/sql}" >/dev/null
}
bench_pg_stop() {
	[ -n "${B:-}" ] || return 0
	as_pg "$PG_BINDIR/pg_ctl" -D "$B/pg/data" -m fast -w stop >/dev/null 2>&1
	rm -rf "$B"
}
# bench_config FILE [LINE...] — a daemon config for this server, no HTTP
bench_config() {
	_f=$1; shift
	{ printf 'database: "%s"\nrules: ["%s"]\nhttp_port: 0\n' "$conninfo" "$src/rules.d"
	  for l in "$@"; do printf '%s\n' "$l"; done; } >"$_f"
}
# bench_requeue — every claim back to pending, findings and work items
# gone (no version bump): the next drain is each claim's first scrub, as
# most of production's are (with the work items kept, work_sync() updated
# them instead of making them, and hid a plan that read all of work_item)
bench_requeue() {
	psql_q >/dev/null <<'SQL'
BEGIN;
SET LOCAL claimscrub.submitting = 'on';
TRUNCATE claimscrub.finding, claimscrub.batch, claimscrub.work_item CASCADE;
UPDATE claimscrub.claim SET status = 'pending', attempts = 0,
	result = NULL, scrubbed_at = NULL, scrubbed_version = NULL,
	enqueued_at = clock_timestamp();
COMMIT;
VACUUM (FULL, ANALYZE) claimscrub.claim;
CHECKPOINT;
SQL
}
