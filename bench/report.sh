#!/bin/sh
# bench/report.sh [FINDINGS] — `claimscrub report` over FINDINGS (default
# 1,000,000) finding rows: a throwaway PostgreSQL (bench/lib.sh) filled
# straight with generate_series (claims over 90 days, 30 payers, 2,000
# providers, 20 rules, three billed lines a claim, the example fee schedule
# loaded with `claimscrub db fees`), then the report timed in text, CSV and
# HTML, twice each (the first run reads a cold cache).  Prints a markdown
# table; the target is under 5 s.
set -eu
d=$(dirname "$0")
. "$d/lib.sh"
nf=${1:-1000000}
trap bench_pg_stop EXIT INT TERM
bench_pg_start

# 2.5 findings per flagged claim, and one clean claim per two flagged
nflag=$((nf * 2 / 5)) nclean=$((nf / 5))
psql_q -v nflag="$nflag" -v nclean="$nclean" -v nf="$nf" <<'SQL'
BEGIN;
SET LOCAL claimscrub.submitting = 'on';
CREATE TEMP TABLE rules (i int, rule text, severity text) ON COMMIT DROP;
INSERT INTO rules SELECT i - 1, r, CASE WHEN i IN (5, 12) THEN 'info'
	WHEN i IN (7, 8, 15, 19, 20) THEN 'warning' ELSE 'error' END
  FROM unnest(ARRAY['missing-start-time', 'missing-stop-time', 'invalid-time',
	'infusion-under-16', 'additional-hour-missed', 'hydration-under-31',
	'distinct-site-unsupported', 'wrong-initial', 'additional-hour-unsupported',
	'duplicate-initial', 'addon-without-primary', 'unbilled-service',
	'concurrent-units', 'hydration-concurrent', 'units-mismatch',
	'undocumented-service', 'iv-start-bundled', 'nurse-visit-bundled',
	'em-needs-modifier-25', 'drug-line-missing']) WITH ORDINALITY AS t(r, i);
INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service,
	status, version, scrubbed_at, scrubbed_version, rules_version, result)
SELECT 'B-' || i, 'payer-' || lpad((i % 30)::text, 2, '0'), 'facility',
       'NPI-' || (1000000000 + (i::bigint * 7919) % 2000),
       date '2026-01-01' + (i * 31) % 90,
       CASE WHEN i <= :nflag THEN 'flagged' ELSE 'clean' END, 1, now(), 1, 'bench',
       jsonb_build_object('claim', 'B-' || i,
	       'verdict', CASE WHEN i <= :nflag THEN 'flagged' ELSE 'clean' END,
	       'profile', CASE WHEN i % 3 = 0 THEN 'medicare' ELSE 'default' END,
	       'expected', jsonb_build_array(jsonb_build_object('code', '96365', 'units', 1,
			'modifiers', '[]'::jsonb, 'administrations', jsonb_build_array('A1'))),
	       'findings', '[]'::jsonb, 'unchecked', '[]'::jsonb)
  FROM generate_series(1, :nflag + :nclean) AS i;
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT c.id, l.n, (ARRAY['96365', '96366', '96375'])[l.n], CASE WHEN l.n = 2 THEN 2 ELSE 1 END, '{}'
  FROM claimscrub.claim c, generate_series(1, 3) AS l(n);
INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule, severity,
	line_no, message, evidence, suggest, resolution, resolved_by, resolved_at)
SELECT c.id, 1, k, r.rule, r.severity, CASE WHEN r.severity = 'error' THEN 1 + k % 3 END,
       'line ' || (1 + k % 3) || ' bills a code the documented times do not support',
       jsonb_build_object('code', '96365', 'minutes', 12),
       CASE WHEN r.severity = 'info' THEN jsonb_build_object('action', 'add', 'code', '96375', 'units', 1) END,
       CASE (f % 20) WHEN 0 THEN 'corrected' WHEN 1 THEN 'accepted-risk' WHEN 2 THEN 'false-positive' END,
       CASE WHEN f % 20 < 3 THEN 'bench' END, CASE WHEN f % 20 < 3 THEN now() END
  FROM generate_series(0, :nf - 1) AS f
  CROSS JOIN LATERAL (SELECT f / 5 * 2 + CASE WHEN f % 5 < 3 THEN 0 ELSE 1 END AS ci,
	CASE WHEN f % 5 < 3 THEN f % 5 ELSE f % 5 - 3 END AS k) x
  JOIN claimscrub.claim c ON c.claim_ref = 'B-' || (x.ci + 1)
  JOIN rules r ON r.i = (f * 7 + x.ci) % 20;
COMMIT;
VACUUM ANALYZE claimscrub.claim;
VACUUM ANALYZE claimscrub.claim_line;
VACUUM ANALYZE claimscrub.finding;
SQL
"$CLAIMSCRUB" db fees --db "$conninfo" --rules "$src/rules.d" --rules "$src/examples/rules.d" >/dev/null
counts=$(psql_q -c "SELECT (SELECT count(*) FROM claimscrub.finding) || ' findings, '
	|| (SELECT count(*) FROM claimscrub.claim) || ' claims, '
	|| (SELECT count(DISTINCT payer) FROM claimscrub.claim) || ' payers, '
	|| (SELECT count(DISTINCT provider) FROM claimscrub.claim) || ' providers, '
	|| (SELECT count(DISTINCT rule) FROM claimscrub.finding) || ' rules, '
	|| (SELECT count(DISTINCT date_of_service) FROM claimscrub.claim) || ' days'")
echo "$counts"
echo
echo "| format | first run s | second run s | output bytes |"
echo "| --- | ---: | ---: | ---: |"
for fmt in text csv html; do
	t=""
	for run in 1 2; do
		s=$(date +%s.%N)
		"$CLAIMSCRUB" report --db "$conninfo" --format "$fmt" -o "$B/report.$fmt"
		e=$(date +%s.%N)
		t="$t $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }')"
	done
	set -- $t
	echo "| $fmt | $1 | $2 | $(wc -c <"$B/report.$fmt") |"
done
