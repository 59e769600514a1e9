#!/bin/sh
# golden.sh — the daemon and `claimscrub check` agree on every golden case:
# each claim `check` accepts is submitted with `claimscrub submit`, one
# `claimscrubd --once` scrubs them all (golden rules: rules.d plus
# tests/cases/rules), and each claim's result must be, as jsonb, the JSON
# `check` prints for it; its finding rows must match.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
cases="$src/tests/cases"

# ---- what `check` says, case by case ---------------------------------------
: >"$T/expected.jsonl"
: >"$T/files"
for f in "$cases"/*.yaml; do
	(cd "$cases" && timeout 60 "$CLAIMSCRUB" check --format json --rules ../../rules.d \
		--rules rules "$(basename "$f")") </dev/null >"$T/one.jsonl" 2>/dev/null
	if [ -s "$T/one.jsonl" ]; then
		cat "$T/one.jsonl" >>"$T/expected.jsonl"
		echo "$f" >>"$T/files"
	fi
done
nclaims=$(wc -l <"$T/expected.jsonl")
dups=$(sed 's/^{"claim":\("[^"]*"\).*/\1/' "$T/expected.jsonl" | sort | uniq -d | tr '\n' ' ')
if [ "$nclaims" -gt 0 ] && [ -z "$dups" ]; then
	ok "claimscrub check accepts $nclaims claims in $(wc -l <"$T/files") case files"
else
	# a claim id used twice would replace the first claim: the comparison
	# below could not tell them apart
	not_ok "claimscrub check accepts the golden claims, each id once" "claims: $nclaims; ids used twice: $dups"
fi

# ---- submit -------------------------------------------------------------------
# A case with an encounter and no administrations (f-mar-missing*) waits
# for its MAR record; with mar_wait_minutes 0 it is scrubbed on the next
# claim step, to the mar-missing finding check gives it.
psql_val "UPDATE claimscrub.setting SET value = '0' WHERE name = 'mar_wait_minutes'" >/dev/null ||
	setup_failed "mar_wait_minutes could not be set"
# Files with nothing but good documents must go in whole; b- files (bad
# documents next to good ones) may fail for their bad documents.
bad_submits=""
while read -r f; do
	timeout 60 "$CLAIMSCRUB" submit "$f" </dev/null >"$T/submit.out" 2>"$T/submit.err"
	st=$?
	case $(basename "$f") in
	b-*) [ $st -le 2 ] || bad_submits="$bad_submits $(basename "$f"):exit=$st" ;;
	*) [ $st -eq 0 ] || bad_submits="$bad_submits $(basename "$f"):exit=$st($(head -n 1 "$T/submit.err"))" ;;
	esac
done <"$T/files"
if [ -z "$bad_submits" ]; then ok "claimscrub submit takes every case file"; else
	not_ok "claimscrub submit takes every case file" "$bad_submits"; fi

jsonl_array "$T/expected.jsonl" "$T/expected.json"
missing=$(psql_val "
\\set exp \`cat '$T/expected.json'\`
SELECT string_agg(e->>'claim', ' ' ORDER BY e->>'claim')
  FROM jsonb_array_elements(:'exp'::jsonb) AS x(e)
 WHERE NOT EXISTS (SELECT 1 FROM claimscrub.claim c WHERE c.claim_ref = e->>'claim')")
indb=$(psql_val "SELECT count(*) FROM claimscrub.claim")
if [ -z "$missing" ] && [ "$indb" -eq "$nclaims" ]; then
	ok "every accepted claim is in the queue ($indb)"
else
	not_ok "every accepted claim is in the queue" "in the database: $indb of $nclaims" \
		"missing: $(printf '%s' "$missing" | cut -c 1-400)"
fi

# ---- scrub ----------------------------------------------------------------------
write_config "$T/claimscrubd.yaml" "rules: [\"$src/rules.d\", \"$cases/rules\"]" \
	"batch_size: 50" "log_level: debug"
start_daemon "$T/claimscrubd.yaml" --once
t0=$(date +%s)
wait_daemon "$daemon_pid" 120
st=$?
if [ $st -eq 0 ]; then ok "claimscrubd --once drains the queue and exits 0 ($(($(date +%s) - t0)) s)"; else
	not_ok "claimscrubd --once drains the queue and exits 0" "exit $st"; tail_log "$daemon_log"; fi
check "the daemon's log is key=value lines" log_is_keyvalue "$daemon_log"
scrubbed=$(scrubbed_in_log "$daemon_log")
if [ "$scrubbed" -eq "$indb" ]; then ok "the daemon logs $scrubbed claims scrubbed"; else
	not_ok "the daemon logs $indb claims scrubbed" "its batch lines add up to $scrubbed"; fi

# ---- compare, claim by claim --------------------------------------------------
psql_val "
\\set exp \`cat '$T/expected.json'\`
SELECT e->>'claim',
       CASE WHEN c.id IS NULL THEN 'not in the database'
            WHEN c.scrubbed_version IS DISTINCT FROM c.version THEN 'not scrubbed (status ' || c.status || ')'
            WHEN c.result IS DISTINCT FROM e THEN 'result differs'
            WHEN c.status IS DISTINCT FROM e->>'verdict' THEN 'status ' || c.status || ' but verdict ' || (e->>'verdict')
            WHEN (SELECT count(*) FROM claimscrub.finding f
                   WHERE f.claim_id = c.id AND f.claim_version = c.version)
                 <> jsonb_array_length(e->'findings') THEN 'finding rows differ from the result'
            ELSE 'ok' END,
       coalesce(c.result::text, '')
  FROM jsonb_array_elements(:'exp'::jsonb) WITH ORDINALITY AS x(e, i)
  LEFT JOIN claimscrub.claim c ON c.claim_ref = e->>'claim'
 ORDER BY i" -F '	' >"$T/compare.tsv"
if [ "$(wc -l <"$T/compare.tsv")" -ne "$nclaims" ]; then
	not_ok "comparing the results failed" "$(head -n 3 "$T/compare.tsv")"
fi
i=0
while IFS='	' read -r claim verdict got; do
	i=$((i + 1))
	if [ "$verdict" = ok ]; then ok "$claim"; else
		want=$(sed -n "${i}p" "$T/expected.jsonl")
		not_ok "$claim: $verdict" "want: $(printf '%s' "$want" | cut -c 1-600)" \
			"got:  $(printf '%s' "$got" | cut -c 1-600)"
	fi
done <"$T/compare.tsv"

consistency_check "golden"
finish
