#!/bin/sh
# bench/drain.sh [N] — end-to-end drain of N queued claims (default 200000)
# by `claimscrubd --once`, batch sizes 100/500/1000, one and two daemons,
# against the SQL floor: the same claim_batch() / write_batch() statements
# run by pgbench with precomputed results and no scrubbing (the claims'
# rows are fetched and dropped); and against the same-work floor
# (bench/same-work.sql: plain SQL on the tables, one transaction a batch,
# that claims, reads, inserts the findings and writes the results as the
# daemon does, none of our functions).  Prints one markdown table row per
# configuration.  BENCH_DRAIN_BATCHES (default "100 500 1000") picks the
# batch sizes; BENCH_DRAIN_RUNS=K keeps the fastest of K runs of each;
# BENCH_STATEMENTS=1 (or all: nested statements too) prints the last
# run's top statements from pg_stat_statements after the table.
set -eu
n=${1:-200000}
batches=${BENCH_DRAIN_BATCHES:-100 500 1000}
sw=$(cd "$(dirname "$0")" && pwd)/same-work.sql
. "$(dirname "$0")/lib.sh"
trap bench_pg_stop EXIT
bench_pg_start
"$(dirname "$0")/gen.sh" sql "$n"

# precomputed results for the floor: one drain first (not timed)
bench_config "$B/d.yaml" "batch_size: 500"
"$CLAIMSCRUBD" -c "$B/d.yaml" --once 2>"$B/warm.log"
psql_q -c "CREATE TABLE bench_pre AS SELECT id, version, status, result FROM claimscrub.claim;
	ALTER TABLE bench_pre ADD PRIMARY KEY (id); ANALYZE bench_pre"
cat >"$B/floor.sql" <<'SQL'
CREATE TEMP TABLE IF NOT EXISTS ids_t (id bigint);
WITH r AS (SELECT * FROM claimscrub.claim_batch(:bs, 10000, 1000, 1000, 'bench-' || pg_backend_pid())), i AS (INSERT INTO ids_t SELECT id FROM r WHERE kind = 0) SELECT * FROM r;
BEGIN;
SELECT * FROM claimscrub.write_batch(coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'version', p.version, 'status', p.status, 'rules', 'bench', 'result', p.result)) FROM bench_pre p WHERE p.id = ANY ((SELECT array_agg(id) FROM ids_t)::bigint[])), '[]'));
SELECT claimscrub.end_batch('bench-' || pg_backend_pid());
DELETE FROM ids_t;
COMMIT;
SQL

now() { date +%s.%N; }
pending() { psql_q -c "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'"; }
# statements: per run, the top statements' calls, ms and µs a claim
stmts() {
	[ -n "${BENCH_STATEMENTS:-}" ] || return 0
	{ echo; echo "$1 (batch $bs, $d): calls | ms | µs/claim | rows | query"
	  psql_q -F ' | ' -c "SELECT calls, round(total_exec_time::numeric, 0),
		round((1000 * total_exec_time / $n)::numeric, 1), rows,
		left(regexp_replace(query, '\s+', ' ', 'g'), 100)
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		ORDER BY total_exec_time DESC LIMIT 12"; } >>"$B/statements"
}
stmts_reset() { [ -z "${BENCH_STATEMENTS:-}" ] || psql_q -c 'SELECT pg_stat_statements_reset()' >/dev/null; }
: >"$B/statements"
# one timed drain each: the daemons, the SQL floor, the same-work floor;
# each sets its wall seconds (and the daemons' CPU and peak RSS)
drain_daemons() {
	bench_requeue
	stmts_reset
	bench_config "$B/d.yaml" "batch_size: $bs" "poll_interval_ms: 50"
	t0=$(now)
	i=1
	while [ $i -le "$d" ]; do
		/usr/bin/time -f '%e %U %S %M' -o "$B/time.$i" \
			"$CLAIMSCRUBD" -c "$B/d.yaml" --once 2>"$B/daemon.$i.log" &
		i=$((i + 1))
	done
	wait
	t1=$(now)
	[ "$r" -lt "$runs" ] || stmts daemon
	left=$(pending)
	[ "$left" = 0 ] || echo "warning: $left claims left pending" >&2
	wall=$(echo "$t1 - $t0" | bc -l)
	cpu=$(cat "$B"/time.* | awk '{c += $2 + $3; if ($4 > m) m = $4} END {printf "%.1f %.1f", c, m / 1024}')
	rm -f "$B"/time.*
}
drain_pgbench() { # SCRIPT NAME
	bench_requeue
	stmts_reset
	t0=$(now)
	"$PG_BINDIR/pgbench" -n -M simple -c "$d" -j "$d" -t $((n / bs / d + 2)) -D bs="$bs" \
		-f "$1" >"$B/pgbench.log" 2>&1 || { tail "$B/pgbench.log" >&2; exit 1; }
	t1=$(now)
	[ "$r" -lt "$runs" ] || stmts "$2"
	left=$(pending)
	[ "$left" = 0 ] || echo "warning: $2 left $left claims pending" >&2
	wall=$(echo "$t1 - $t0" | bc -l)
}
# the fastest of BENCH_DRAIN_RUNS runs (default 1) of each, taken in turn,
# so that a burst of other work on the machine does not decide a ratio;
# which goes first turns from run to run (on a shared 2-core machine the
# later drains of a round were often the slower, whichever they were)
runs=${BENCH_DRAIN_RUNS:-1}
faster() {
	if [ -z "$1" ]; then echo "$2"; else echo "$1 $2" | awk '{print ($2 < $1) ? $2 : $1}'; fi
}
arm_daemons() {
	drain_daemons
	[ -n "$dwall" ] && [ "$(faster "$dwall" "$wall")" = "$dwall" ] || dcpu=$cpu
	dwall=$(faster "$dwall" "$wall")
}
arm_floor() {
	drain_pgbench "$B/floor.sql" floor
	fwall=$(faster "$fwall" "$wall")
}
# the same-work floor: a batch's claims taken, read and written in one
# transaction, as many batches as the floor's
arm_same_work() {
	drain_pgbench "$sw" same-work
	swall=$(faster "$swall" "$wall")
	# one finding a claim of even id, each claim's result written once
	bad=$(psql_q -c "SELECT (SELECT count(*) FROM claimscrub.finding) -
		(SELECT count(*) FROM claimscrub.claim WHERE id % 2 = 0)
		+ (SELECT count(*) FROM claimscrub.claim WHERE result IS NULL OR scrubbed_version IS NULL)")
	[ "$bad" = 0 ] || echo "warning: same-work floor: findings or results off by $bad" >&2
}
echo "| batch | daemons | daemon claims/s | SQL floor claims/s | ratio | same-work floor claims/s | ratio to same-work | daemon CPU s (user+sys) / wall s | peak RSS MB |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for bs in $batches; do
	for d in 1 2; do
		dwall="" fwall="" swall="" r=1
		while [ $r -le "$runs" ]; do
			case $((r % 3)) in
			1) arm_daemons; arm_floor; arm_same_work ;;
			2) arm_floor; arm_same_work; arm_daemons ;;
			0) arm_same_work; arm_daemons; arm_floor ;;
			esac
			r=$((r + 1))
		done
		echo "$bs $d $n $dwall $fwall $swall $dcpu" | awk '{
			dr = $3 / $4; fr = $3 / $5; sr = $3 / $6
			printf "| %d | %d | %.0f | %.0f | %.2f | %.0f | %.2f | %s / %.1f | %s |\n",
				$1, $2, dr, fr, dr / fr, sr, dr / sr, $7, $4, $8 }'
	done
done
cat "$B/statements"
