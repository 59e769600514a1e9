#!/bin/sh
# bench/run.sh ENGINE OUT — runs every benchmark (`make bench`) and writes
# the markdown results to OUT.  BENCH_DRAIN_N (default 200000),
# BENCH_LATENCY_N (default 1000), BENCH_REPORT_N (default 1000000),
# BENCH_BURST_N (default 100000), BENCH_INTAKE_N (default 20000), BENCH_X12_N (default 100000), BENCH_FHIR_N and BENCH_HL7_N (default 200000) scale the
# runs.
set -eu
engine=$1 out=$2
d=$(dirname "$0")
pgv=$(${PG_BINDIR:-/usr/lib/postgresql/15/bin}/postgres --version)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
	echo "Machine: $(nproc) cores, $cpu, $pgv (fsync and synchronous_commit on), $(date -u +%Y-%m-%d)."
	echo
	echo "Engine (one core, generated mix; callgrind instructions per claim):"
	echo
	echo "| claims/s | instructions/claim |"
	echo "| ---: | ---: |"
	"$d/engine.sh" "$engine" 10000
	echo
	echo "FHIR MedicationAdministration NDJSON read (one core; records/s, bench/fhir.sh) against its floors over the same bytes:"
	echo
	echo "| resources | MiB | lines found | libyaml events | ynode trees (libyaml) | json trees | fhir_read |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	"$d/fhir.sh" "${BENCH_FHIR:-bench/fhir}" "${BENCH_FHIR_N:-200000}"
	echo
	echo "HL7 v2 RAS^O17 read (one core; records/s, bench/hl7.sh) against finding the segments:"
	echo
	echo "| messages | MiB | segments found | hl7_read |"
	echo "| ---: | ---: | ---: | ---: |"
	"$d/hl7.sh" "${BENCH_HL7:-bench/hl7}" "${BENCH_HL7_N:-200000}"
	echo
	echo "Drain of ${BENCH_DRAIN_N:-200000} queued claims (\`claimscrubd --once\`) vs the SQL floor (pgbench, same statements, precomputed results):"
	echo
	"$d/drain.sh" "${BENCH_DRAIN_N:-200000}"
	echo
	echo "A burst on a quiet queue (bench/burst.sh): claims back in the queue at once while the statistics say none is pending, drained by one daemon, against the same burst after an ANALYZE:"
	echo
	echo "| claims | burst | stale statistics, claims/s | analyzed, claims/s | ratio |"
	echo "| ---: | ---: | ---: | ---: | ---: |"
	"$d/burst.sh" "${BENCH_BURST_N:-100000}" 20000
	echo
	echo "Intake end to end (bench/intake.sh): 837P claims with their FHIR administration records, joined by the CLI or by the daemon, then one daemon's drain; the drain of the CLI-joined (ready) documents is the floor:"
	echo
	echo "| claims | path | import s | import claims/s | drain s | drain claims/s | (import + drain) / floor |"
	echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"
	"$d/intake.sh" "${BENCH_INTAKE_N:-20000}"
	echo
	echo "Idle latency, one claim at a time (scrubbed_at - enqueued_at):"
	echo
	echo "| claims | p50 ms | p99 ms | max ms |"
	echo "| ---: | ---: | ---: | ---: |"
	"$d/latency.sh" "${BENCH_LATENCY_N:-1000}"
	echo
	echo "\`claimscrub report\` over ${BENCH_REPORT_N:-1000000} findings (bench/report.sh):"
	echo
	"$d/report.sh" "${BENCH_REPORT_N:-1000000}"
	echo
	echo "\`claimscrub import\` of generated 837P claims (bench/x12.sh):"
	echo
	"$d/x12.sh" "${BENCH_X12_N:-100000}"
} | tee "$out"
