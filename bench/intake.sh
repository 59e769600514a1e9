#!/bin/sh
# bench/intake.sh [CLAIMS] — intake end to end against the drain alone
# (issue 17: import + join + drain within 2x the drain of ready claim
# documents).  CLAIMS (default 20000) generated 837P claims (bench/gen837.sh:
# chemotherapy with a premedication push, four lines) in files of 5,000, and
# for each its FHIR administration record (the five MedicationAdministration
# resources of examples/fhir/mar.ndjson, their encounter the claim's CLM01
# and their ids made its own); `claimscrub import --submit --mar` puts them
# in the queue, joined, and one `claimscrubd --once` (batch 500) drains
# them.  The drain is the floor: ready claim documents take no import.
# Prints one markdown table row.
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
t0=$(now)
for g in "$B"/f*.837; do
	"$CLAIMSCRUB" import --submit --db "$conninfo" --mar "${g%.837}.ndjson" "$g" 2>>"$B/import.log" ||
		{ tail -n 3 "$B/import.log" >&2; exit 1; }
done
t1=$(now)
bench_config "$B/d.yaml" "batch_size: 500"
"$CLAIMSCRUBD" -c "$B/d.yaml" --once 2>"$B/drain.log"
t2=$(now)
joined=$(psql_q -c "SELECT count(DISTINCT claim_id) FROM claimscrub.administration")
[ "$joined" = "$n" ] || echo "warning: $joined of $n claims have administrations" >&2
echo "$n $t0 $t1 $t2" | awk '{ i = $3 - $2; d = $4 - $3
	printf "| %d | %.1f | %.0f | %.1f | %.0f | %.2f |\n", $1, i, $1 / i, d, $1 / d, (i + d) / d }'
