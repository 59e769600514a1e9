#!/bin/sh
# bench/drain.sh [N] — end-to-end drain of N queued claims (default 200000)
# by `claimscrubd --once`, batch sizes 100/500/1000, one and two daemons,
# against the SQL floor: the same claim_batch() / write_batch() statements
# run by pgbench with precomputed results and no scrubbing (the claims'
# rows are fetched and dropped).  Prints one markdown table row per
# configuration.
set -eu
n=${1:-200000}
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
WITH r AS (SELECT * FROM claimscrub.claim_batch(:bs, 10000, 1000, 1000)), i AS (INSERT INTO ids_t SELECT id FROM r WHERE kind = 0) SELECT * FROM r;
BEGIN;
SELECT * FROM claimscrub.write_batch(coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'version', p.version, 'status', p.status, 'rules', 'bench', 'result', p.result)) FROM bench_pre p WHERE p.id = ANY ((SELECT array_agg(id) FROM ids_t)::bigint[])), '[]'));
SELECT claimscrub.end_batch();
DELETE FROM ids_t;
COMMIT;
SQL

now() { date +%s.%N; }
pending() { psql_q -c "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'"; }
echo "| batch | daemons | daemon claims/s | SQL floor claims/s | ratio | daemon CPU s (user+sys) / wall s | peak RSS MB |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for bs in 100 500 1000; do
	for d in 1 2; do
		bench_requeue
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
		left=$(pending)
		[ "$left" = 0 ] || echo "warning: $left claims left pending" >&2
		dwall=$(echo "$t1 - $t0" | bc -l)
		cpu=$(cat "$B"/time.* | awk '{c += $2 + $3; if ($4 > m) m = $4} END {printf "%.1f %.1f", c, m / 1024}')
		rm -f "$B"/time.*

		bench_requeue
		t0=$(now)
		"$PG_BINDIR/pgbench" -n -M simple -c "$d" -j "$d" -t $((n / bs / d + 2)) -D bs="$bs" \
			-f "$B/floor.sql" >"$B/pgbench.log" 2>&1 || { tail "$B/pgbench.log" >&2; exit 1; }
		t1=$(now)
		left=$(pending)
		[ "$left" = 0 ] || echo "warning: floor left $left claims pending" >&2
		fwall=$(echo "$t1 - $t0" | bc -l)
		echo "$bs $d $n $dwall $fwall $cpu" | awk '{
			dr = $3 / $4; fr = $3 / $5
			printf "| %d | %d | %.0f | %.0f | %.2f | %s / %.1f | %s |\n", $1, $2, dr, fr, dr / fr, $6, $4, $7 }'
	done
done
if [ "${BENCH_STATEMENTS:-}" = 1 ]; then
	echo
	psql_q -F ' | ' -c "SELECT calls, round(total_exec_time::numeric, 0) AS ms, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
		FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8"
fi
