#!/bin/sh
# bench/intake.sh [CLAIMS] — intake end to end against the drain alone
# (issue 17: import + join + drain within 2x the drain of ready claim
# documents).  CLAIMS (default 20000) generated 837P claims (bench/gen837.sh:
# chemotherapy with a premedication push, four lines) in files of 5,000, and
# for each its FHIR administration record (the five MedicationAdministration
# resources of examples/fhir/mar.ndjson, their encounter the claim's CLM01
# and their ids made its own).  Two paths, each drained by one
# `claimscrubd --once` at batch 500, on one server in one run:
#   cli  `claimscrub import --submit --mar`: joined by the CLI, the claims
#        queued with their administrations, ready documents: their drain is
#        the floor (ready claim documents take no import);
#   db   `claimscrub import --submit --format fhir` stores the records,
#        then `claimscrub import --submit` queues the claims with their
#        encounter; the daemon pairs each claim's records as it scrubs it.
#   db, live  the db path with the daemon running all along (as in
#        production): the claims are scrubbed as their files arrive; the
#        time is from the first import to the last claim scrubbed.
# Prints one markdown table row a path; the ratio is (import + drain) over
# the cli path's drain (live: the whole time over it).
set -eu
n=${1:-20000}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gen837.sh"
trap bench_pg_stop EXIT
bench_pg_start
left=$n f=0
while [ "$left" -gt 0 ]; do
	k=$((left < 5000 ? left : 5000))
	f=$((f + 1))
	gen "$k" "$f" >"$B/f$f.837"
	awk -v k="$k" -v f="$f" 'FNR == 1 { next } /MedicationAdministration/ { r[++m] = $0 }
		END { for (i = 1; i <= k; i++) for (j = 1; j <= m; j++) {
			s = r[j]; e = "B" f "-" i
			gsub(/PC-2026-0301/, e, s); gsub(/ma-/, e "-ma-", s); print s } }' \
		"$src/examples/fhir/mar.ndjson" >"$B/f$f.ndjson"
	left=$((left - k))
done
now() { date +%s.%N; }
# run PATH — imports by PATH, drains; sets imp and drain (seconds)
run() {
	t0=$(now)
	for g in "$B"/f*.837; do
		if [ "$1" = cli ]; then
			"$CLAIMSCRUB" import --submit --db "$conninfo" --mar "${g%.837}.ndjson" "$g" 2>>"$B/import.log"
		else
			"$CLAIMSCRUB" import --submit --db "$conninfo" --format fhir "${g%.837}.ndjson" 2>>"$B/import.log" &&
				"$CLAIMSCRUB" import --submit --db "$conninfo" "$g" 2>>"$B/import.log"
		fi || { tail -n 3 "$B/import.log" >&2; exit 1; }
	done
	t1=$(now)
	"$CLAIMSCRUBD" -c "$B/d.yaml" --once 2>"$B/drain.log"
	t2=$(now)
	imp=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')
	drain=$(echo "$t1 $t2" | awk '{ print $2 - $1 }')
}
bench_config "$B/d.yaml" "batch_size: 500"
run cli
joined=$(psql_q -c "SELECT count(DISTINCT claim_id) FROM claimscrub.administration")
[ "$joined" = "$n" ] || echo "warning: $joined of $n claims have administrations" >&2
floor=$drain
printf '| %d | cli: `import --submit --mar` | %.1f | %.0f | %.1f | %.0f | %.2f |\n' "$n" "$imp" \
	"$(echo "$n $imp" | awk '{ print $1 / $2 }')" "$drain" "$(echo "$n $drain" | awk '{ print $1 / $2 }')" \
	"$(echo "$imp $drain $floor" | awk '{ print ($1 + $2) / $3 }')"
psql_q -c "TRUNCATE claimscrub.claim, claimscrub.mar_event, claimscrub.result_event CASCADE" >/dev/null
run db
paired=$(psql_q -c "SELECT count(*) FROM claimscrub.claim WHERE status <> 'waiting' AND scrubbed_version = version
	AND jsonb_array_length(result->'expected') > 0")
[ "$paired" = "$n" ] || echo "warning: $paired of $n claims scrubbed on their records" >&2
printf '| %d | db: records stored, then `import --submit` | %.1f | %.0f | %.1f | %.0f | %.2f |\n' "$n" "$imp" \
	"$(echo "$n $imp" | awk '{ print $1 / $2 }')" "$drain" "$(echo "$n $drain" | awk '{ print $1 / $2 }')" \
	"$(echo "$imp $drain $floor" | awk '{ print ($1 + $2) / $3 }')"
psql_q -c "TRUNCATE claimscrub.claim, claimscrub.mar_event, claimscrub.result_event CASCADE" >/dev/null 2>&1
"$CLAIMSCRUBD" -c "$B/d.yaml" 2>"$B/live.log" &
live=$!
t0=$(now)
for g in "$B"/f*.837; do
	"$CLAIMSCRUB" import --submit --db "$conninfo" --format fhir "${g%.837}.ndjson" 2>>"$B/import.log" &&
		"$CLAIMSCRUB" import --submit --db "$conninfo" "$g" 2>>"$B/import.log" ||
		{ kill "$live"; tail -n 3 "$B/import.log" >&2; exit 1; }
done
t1=$(now)
until [ "$(psql_q -c "SELECT count(*) FROM claimscrub.claim WHERE scrubbed_version = version")" = "$n" ]; do
	sleep 0.05
done
t2=$(now)
kill "$live"; wait "$live" || true
printf '| %d | db, the daemon running during the import | %.1f | %.0f | – | – | %.2f |\n' "$n" "$(echo "$t0 $t1" | awk '{ print $2 - $1 }')" \
	"$(echo "$n $t0 $t1" | awk '{ print $1 / ($3 - $2) }')" "$(echo "$t0 $t2 $floor" | awk '{ print ($2 - $1) / $3 }')"
