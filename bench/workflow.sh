#!/bin/sh
# bench/workflow.sh [CLAIMS] [DRAIN] — the review workflow's speed (issue
# 15), against floors measured in the same run:
#
#   work list   a page of 50 from claimscrub.work_list(), by amount, with
#               each filter and each sort, over CLAIMS flagged claims
#               (default 500000) of 2 findings each (1,000,000 findings);
#               floor: the same page read straight from work_item by an
#               index scan, no function
#   claim_detail  a random claim's record (and its read logged); floor: the
#               claim's row, lines, administrations and findings as plain
#               SELECTs
#   drain       claimscrubd --once over DRAIN claims (default 100000), one
#               and two daemons, batch 500, with the work items kept up
#               (work_sync() in write_batch, the finding_carry trigger)
#               against the same drain with work_sync a no-op and the
#               trigger disabled
#
# pgbench's average latency (50 transactions) for the queries; claims a
# second for the drains, the fastest of BENCH_DRAIN_RUNS (default 3) runs
# of each, with and without taken in turn.  Prints markdown tables.
set -eu
n=${1:-500000}
drain=${2:-100000}
. "$(dirname "$0")/lib.sh"
trap bench_pg_stop EXIT
bench_pg_start

# ---- the data ------------------------------------------------------------------
# claims W-1..W-n, flagged, 2 lines (96365, 96366 x 2), an error finding on
# line 1 (one of 8 rules) and a warning on line 2; 4 payers, 50 providers,
# 300 days; fees for the two codes in both profiles; then their work items
psql_q -v n="$n" <<'SQL'
BEGIN;
SET LOCAL claimscrub.submitting = 'on';
INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service,
	status, version, scrubbed_at, scrubbed_version, result)
SELECT 'W-' || i, (ARRAY['medicare', 'aetna', 'cigna', 'bcbs'])[1 + i % 4], 'facility',
       'NPI-' || (1000000000 + i % 50), date '2026-01-01' + (i % 300), 'flagged', 1,
       now(), 1, jsonb_build_object('profile', CASE WHEN i % 4 = 0 THEN 'medicare' ELSE 'default' END,
				    'expected', '[]'::jsonb)
  FROM generate_series(1, :n) i;
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT c.id, l, (ARRAY['96365', '96366'])[l], l, '{}'
  FROM claimscrub.claim c, generate_series(1, 2) l;
INSERT INTO claimscrub.administration (claim_id, seq, admin_ref, substance, kind, route,
	site, start_time, stop_time)
SELECT c.id, 1, 'A1', 'vancomycin', 'therapeutic', 'infusion', 'R-forearm',
       '2026-03-14T10:00', '2026-03-14T12:10'
  FROM claimscrub.claim c;
INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule, severity, line_no,
	message, evidence)
SELECT c.id, 1, k - 1,
       CASE k WHEN 1 THEN (ARRAY['infusion-under-16', 'duplicate-initial', 'iv-start-bundled',
				'hydration-concurrent', 'missing-stop-time', 'addon-without-primary',
				'nurse-visit-bundled', 'additional-hour-unsupported'])[1 + c.id % 8]
	      ELSE 'drug-line-missing' END,
       CASE k WHEN 1 THEN 'error' ELSE 'warning' END, k,
       rpad('finding ' || c.id, 80, '.'), jsonb_build_object('minutes', c.id % 90)
  FROM claimscrub.claim c, generate_series(1, 2) k;
INSERT INTO claimscrub.fee (profile, code, amount) VALUES
	('default', '96365', 190.00), ('default', '96366', 45.00),
	('medicare', '96365', 172.00), ('medicare', '96366', 38.00);
COMMIT;
SQL
t0=$(date +%s.%N)
# (a statement a chunk, as write_batch makes them: one statement for all
# would keep the plan of its first call, made while work_item was empty)
psql_q -v n="$n" >/dev/null <<'SQL'
ANALYZE;
SELECT format('SELECT claimscrub.work_sync(ARRAY(SELECT id FROM claimscrub.claim
	WHERE id BETWEEN %s AND %s))', g, g + 9999) FROM generate_series(1, :n, 10000) g
\gexec
SQL
t1=$(date +%s.%N)
psql_q -c "VACUUM ANALYZE" >/dev/null
echo "$n claims, $(psql_q -c "SELECT count(*) FROM claimscrub.finding") findings," \
	"$(psql_q -c "SELECT count(*) FROM claimscrub.work_item") work items (built in" \
	"$(echo "$t1 - $t0" | bc -l | xargs printf '%.1f') s)"
echo

# ---- queries -------------------------------------------------------------------
# lat FILE — pgbench's average latency in ms of script FILE, 50 times
lat() { "$PG_BINDIR/pgbench" -n -M simple -t 50 -f "$1" 2>&1 | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'; }
q() { printf '%s\n' "$2" >"$B/$1.sql"; lat "$B/$1.sql"; }
floor_amount=$(q floor "SELECT c.claim_ref, w.* FROM claimscrub.work_item w JOIN claimscrub.claim c ON c.id = w.claim_id
	WHERE w.state <> 'resolved' ORDER BY w.amount_at_risk DESC NULLS LAST, w.date_of_service, w.claim_id LIMIT 50")
echo "| work list page (50) | ms | floor ms (plain index scan) |"
echo "| --- | ---: | ---: |"
for spec in "by amount|" "payer aetna|f_payer => 'aetna'" "rule iv-start-bundled|f_rule => 'iv-start-bundled'" \
	"severity error|f_severity => 'error'" "provider NPI-1000000007|f_provider => 'NPI-1000000007'" \
	"min amount 200|min_amount => 200" "state open|f_state => 'open'" "older than 1 day|older_than => 1" \
	"sort dos|sort => 'dos'" "sort age|sort => 'age'" "page 100 (offset 4950)|off => 4950"; do
	label=${spec%%|*} args=${spec#*|}
	ms=$(q list "SELECT * FROM claimscrub.work_list($args)")
	echo "| $label | $ms | $floor_amount |"
done
echo
printf '%s\n' '\set i random(1, '"$n"')' "SELECT claimscrub.claim_detail('W-' || :i)" >"$B/detail.sql"
printf '%s\n' '\set i random(1, '"$n"')' \
	"SELECT * FROM claimscrub.claim WHERE claim_ref = 'W-' || :i;
	 SELECT l.* FROM claimscrub.claim_line l JOIN claimscrub.claim c ON c.id = l.claim_id WHERE c.claim_ref = 'W-' || :i;
	 SELECT a.* FROM claimscrub.administration a JOIN claimscrub.claim c ON c.id = a.claim_id WHERE c.claim_ref = 'W-' || :i;
	 SELECT f.* FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.claim_ref = 'W-' || :i" \
	>"$B/detail-floor.sql"
echo "| claim_detail | ms | floor ms (4 plain SELECTs) |"
echo "| --- | ---: | ---: |"
echo "| a random claim's record, its read logged | $(lat "$B/detail.sql") | $(lat "$B/detail-floor.sql") |"
echo

# ---- the drain, with and without the work-item upkeep ------------------------------------
psql_q -c "TRUNCATE claimscrub.claim CASCADE" >/dev/null
"$(dirname "$0")/gen.sh" sql "$drain"
now() { date +%s.%N; }
rate() { # DAEMONS — claims a second of a drain of every claim
	bench_requeue
	# (polling every 50 ms, as bench/drain.sh: with two daemons, the one
	# that finds only the other's batch left waits a poll before --once
	# sees the queue empty, 5 s by default)
	bench_config "$B/d.yaml" "batch_size: 500" "poll_interval_ms: 50"
	t0=$(now)
	i=1
	while [ $i -le "$1" ]; do "$CLAIMSCRUBD" -c "$B/d.yaml" --once 2>"$B/daemon.$i.log" & i=$((i + 1)); done
	wait
	t1=$(now)
	echo "$drain $t0 $t1" | awk '{ printf "%.0f", $1 / ($3 - $2) }'
}
echo "| drain, batch 500 | with work items, claims/s | without, claims/s | ratio |"
echo "| --- | ---: | ---: | ---: |"
# without: no carry trigger, and work_sync() (which write_batch calls) a
# no-op; with: both as shipped.  (Both compute the findings' fingerprints
# in write_batch's insert: the without is a little slower than a drain
# that knew nothing of work items.)
sync_def=$(psql_q -c "SELECT pg_get_functiondef('claimscrub.work_sync(bigint[], bigint[])'::regprocedure)")
# the fastest of BENCH_DRAIN_RUNS runs (default 3) of each, taken in turn,
# so that a burst of other work on the machine does not decide the ratio;
# which of the two goes first alternates from run to run (on this kind of
# machine the second drain of a pair was the slower, whichever it was),
# and every run's pair is shown on stderr
runs=${BENCH_DRAIN_RUNS:-3}
best() { echo "$1 $2" | awk '{ print ($1 > $2) ? $1 : $2 }'; }
arm_with() {
	printf '%s;\n' "$sync_def" | psql_q >/dev/null
	psql_q -c "ALTER TABLE claimscrub.finding ENABLE TRIGGER finding_carry" >/dev/null
	rate "$1"
}
arm_without() {
	psql_q -c "CREATE OR REPLACE FUNCTION claimscrub.work_sync(ids bigint[], flagged bigint[] DEFAULT NULL)
		   RETURNS void LANGUAGE sql AS 'SELECT'" \
		-c "ALTER TABLE claimscrub.finding DISABLE TRIGGER finding_carry" >/dev/null
	rate "$1"
}
for d in 1 2; do
	with=0 without=0 r=1
	while [ $r -le "$runs" ]; do
		if [ $((r % 2)) = 1 ]; then
			w=$(arm_with "$d") wo=$(arm_without "$d")
		else
			wo=$(arm_without "$d") w=$(arm_with "$d")
		fi
		echo "drain: $d daemon(s), run $r: with $w, without $wo claims/s" >&2
		with=$(best "$with" "$w") without=$(best "$without" "$wo")
		r=$((r + 1))
	done
	echo "$d $with $without" | awk '{ printf "| %d daemon(s) | %d | %d | %.2f |\n", $1, $2, $3, $2 / $3 }'
done
