#!/bin/sh
# review.sh — sql/api/050_review.sql, `claimscrub review`, `claimscrub report`
# and `claimscrub db fees` on the 18 sample claims of examples/: submitted,
# scrubbed by claimscrubd --once, three findings decided by a reviewer (r1,
# claimscrub_reviewer) with resolve_finding().  Every number below is
# counted by hand from the examples' own descriptions (payer, provider,
# date and the one finding each flagged claim is about), not copied from
# output.  Then the reviewer's privileges (the views and resolve_finding,
# nothing else), the audit trail, the views, the text / CSV / HTML reports
# without and with a fee table, and the HTML in headless Chromium: no
# console error, no network request, a PNG screenshot, and every bar's
# data-value equal to the CSV's figure.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

# as ROLE SQL [PSQL-ARG...] — SQL as ROLE, output and errors together
as() { _role=$1 _sql=$2; shift 2; psql_val "$_sql" -U "$_role" "$@" </dev/null 2>&1; }
db_r1="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=r1"

# same NAME GOT WANT — one point: GOT equals WANT (a diff otherwise)
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "--- want" "$3" "--- got" "$2"; fi
}
# denied LABEL SQL — one point: SQL fails as r1 with "permission denied"
denied() {
	if _out=$(as r1 "$2"); then not_ok "r1 cannot $1" "it succeeded: $_out"
	elif printf '%s' "$_out" | grep -q 'permission denied'; then ok "r1 cannot $1"
	else not_ok "r1 cannot $1" "failed, but not with 'permission denied': $_out"; fi
}

# ---- the sample claims, scrubbed ---------------------------------------------------
timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$src"/examples/[0-9]*.yaml \
	</dev/null >"$T/submit.out" 2>&1 || setup_failed "submit failed: $(tail -n 3 "$T/submit.out")"
write_config "$T/d.yaml"
start_daemon "$T/d.yaml" --once
wait_daemon "$daemon_pid" 120 || { tail_log "$daemon_log"; setup_failed "claimscrubd --once failed"; }
st=$(psql_val "SELECT count(*) || ' ' || count(*) FILTER (WHERE status = 'flagged') FROM claimscrub.claim")
same "18 sample claims scrubbed, 10 flagged" "$st" "18 10"
migr=$(psql_val "SELECT string_agg(version::text, ',' ORDER BY version) FROM claimscrub.schema_migrations")
case ",$migr," in *,5,*) ok "migration 005 is recorded" ;; *) not_ok "migration 005 is recorded" "$migr" ;; esac

# ---- a reviewer decides three findings -----------------------------------------------
psql_val "CREATE ROLE r1 LOGIN IN ROLE claimscrub_reviewer" >/dev/null || setup_failed "CREATE ROLE r1"
fid() { psql_val "SELECT f.id FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id
                   WHERE c.claim_ref = '$1' AND f.rule = '$2'"; }
f0305=$(fid IC-2026-0305 missing-stop-time) f0306=$(fid IC-2026-0306 infusion-under-16)
f0307=$(fid IC-2026-0307 duplicate-initial)
[ -n "$f0305" ] && [ -n "$f0306" ] && [ -n "$f0307" ] || setup_failed "the sample findings are not there"
out=$(as r1 "SELECT claimscrub.resolve_finding(:a, 'corrected', 'stop time added: 14:45') IS NOT NULL;
             SELECT claimscrub.resolve_finding(:b, 'false-positive', NULL) IS NOT NULL;
             SELECT claimscrub.resolve_finding(:c, 'accepted-risk', 'second site documented late')
                    IS NOT NULL" -v a="$f0305" -v b="$f0306" -v c="$f0307")
same "r1 resolves three findings with resolve_finding()" "$out" "t
t
t"
dec=$(psql_val "SELECT string_agg(rule || ':' || resolution || ':' || resolved_by || ':'
                                  || (resolved_at IS NOT NULL) || ':' || coalesce(note, '-'), ' ' ORDER BY id)
                  FROM claimscrub.finding WHERE resolution IS NOT NULL")
same "each decision records its resolution, r1 and a time" "$dec" \
	"missing-stop-time:corrected:r1:true:stop time added: 14:45 infusion-under-16:false-positive:r1:true:- duplicate-initial:accepted-risk:r1:true:second site documented late"
aud=$(psql_val "SELECT string_agg(coalesce(old_resolution, '-') || '>' || resolution || ':' || db_session_user
                                  || ':' || db_role, ' ' ORDER BY id) FROM claimscrub.finding_audit")
same "the audit trail has one row per decision, by r1" "$aud" \
	"->corrected:r1:r1 ->false-positive:r1:r1 ->accepted-risk:r1:r1"
as r1 "SELECT claimscrub.resolve_finding(:a, 'accepted-risk', 'changed my mind')" -v a="$f0305" >/dev/null
as r1 "SELECT claimscrub.resolve_finding(:a, 'corrected', 'stop time added: 14:45')" -v a="$f0305" >/dev/null
aud=$(psql_val "SELECT count(*) || ' ' || string_agg(coalesce(old_resolution, '-') || '>' || resolution, ' ' ORDER BY id)
                  FROM claimscrub.finding_audit WHERE finding_id = :a" -v a="$f0305")
same "a changed decision keeps every step in the audit trail" "$aud" "3 ->corrected corrected>accepted-risk accepted-risk>corrected"
case $(as r1 "SELECT claimscrub.resolve_finding(:a, 'fixed', NULL)" -v a="$f0305") in
*"resolution must be corrected, accepted-risk or false-positive"*) ok "resolve_finding refuses an unknown resolution" ;;
*) not_ok "resolve_finding refuses an unknown resolution" ;;
esac
case $(as r1 "SELECT claimscrub.resolve_finding(999999, 'corrected', NULL)") in
*"no finding 999999"*) ok "resolve_finding refuses an unknown finding" ;;
*) not_ok "resolve_finding refuses an unknown finding" ;;
esac
case $(psql_val "UPDATE claimscrub.finding_audit SET note = 'x'; DELETE FROM claimscrub.finding_audit" 2>&1) in
*"append-only"*) ok "not even the owner can change or delete the audit trail" ;;
*) not_ok "not even the owner can change or delete the audit trail" ;;
esac

# ---- r1: the views and resolve_finding, nothing else ------------------------------------
for v in review_queue denial_risk_daily findings_by_rule findings_by_payer findings_by_provider \
	scrubbed_claim finding_detail fee_schedule; do
	if out=$(as r1 "SELECT count(*) FROM claimscrub.$v"); then ok "r1 can read claimscrub.$v"; else
		not_ok "r1 can read claimscrub.$v" "$out"; fi
done
denied "read claims" "SELECT count(*) FROM claimscrub.claim"
denied "read findings" "SELECT count(*) FROM claimscrub.finding"
denied "read claim lines" "SELECT count(*) FROM claimscrub.claim_line"
denied "read administrations" "SELECT count(*) FROM claimscrub.administration"
denied "update a finding directly" "UPDATE claimscrub.finding SET resolution = 'corrected'"
denied "read the audit trail" "SELECT count(*) FROM claimscrub.finding_audit"
denied "write the audit trail" "INSERT INTO claimscrub.finding_audit (finding_id, claim_id, db_session_user, db_role) VALUES (1, 1, 'x', 'x')"
denied "read the fee table" "SELECT count(*) FROM claimscrub.fee"
denied "write the fee table" "DELETE FROM claimscrub.fee"
denied "call submit" "SELECT claimscrub.submit('{\"claim\": \"R-X\", \"setting\": \"facility\"}')"
denied "call write_batch" "SELECT claimscrub.write_batch('[]')"
denied "call mark_invalid" "SELECT claimscrub.mark_invalid(1, '{}')"
pub=$(psql_val "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'claimscrub'::regnamespace
                  AND has_function_privilege('public', p.oid, 'EXECUTE')")
same "PUBLIC can execute no function of the schema" "$pub" 0
if out=$(timeout 60 "$CLAIMSCRUB" db fees --db "$db_r1" --rules "$src/rules.d" </dev/null 2>&1); then
	not_ok "r1 cannot load fees with claimscrub db fees" "$out"
else ok "r1 cannot load fees with claimscrub db fees"; fi

# ---- the views (as r1), no fee table ------------------------------------------------------
daily=$(as r1 "SELECT day || ' ' || claims || ' ' || flagged || ' ' || flagged_rate || ' ' || findings || ' '
                      || open_findings || ' ' || coalesce(revenue_at_risk::text, 'null')
                 FROM claimscrub.denial_risk_daily WHERE day IN ('2026-03-02', '2026-03-05', '2026-03-10', '2026-03-12', '2026-03-17')
                ORDER BY day")
same "denial_risk_daily: five days" "$daily" "2026-03-02 2 0 0.0000 0 0 null
2026-03-05 1 1 1.0000 1 0 null
2026-03-10 1 1 1.0000 1 1 null
2026-03-12 2 2 1.0000 2 2 null
2026-03-17 1 0 0.0000 1 1 null"
tot=$(as r1 "SELECT count(*) || ' ' || sum(claims) || ' ' || sum(flagged) || ' ' || sum(findings) || ' '
                    || sum(open_findings) || ' ' || sum(resolved_findings) || ' ' || sum(false_positives)
               FROM claimscrub.denial_risk_daily")
same "denial_risk_daily: 16 days, 18 claims, 10 flagged, 12 findings, 9 open, 3 resolved, 1 false positive" "$tot" "16 18 10 12 9 3 1"
payers=$(as r1 "SELECT payer || ' ' || sum(claims) || ' ' || sum(flagged) || ' ' || sum(findings) || ' '
                       || sum(open_findings) || ' ' || sum(false_positives)
                  FROM claimscrub.findings_by_payer GROUP BY payer ORDER BY payer")
same "findings_by_payer" "$payers" "(none) 3 2 2 2 0
aetna 5 3 3 2 1
medicare 10 5 7 5 0"
provs=$(as r1 "SELECT provider || ' ' || sum(claims) || ' ' || sum(flagged) || ' ' || sum(findings) || ' '
                      || sum(open_findings) FROM claimscrub.findings_by_provider GROUP BY provider ORDER BY provider")
same "findings_by_provider" "$provs" "NPI-1234567893 13 8 9 6
NPI-1497758544 5 2 3 3"
rules=$(as r1 "SELECT rule || ' ' || sum(findings) || ' ' || sum(open_findings) || ' ' || sum(corrected) || ' '
                      || sum(accepted_risk) || ' ' || sum(false_positives)
                 FROM claimscrub.findings_by_rule GROUP BY rule ORDER BY rule")
same "findings_by_rule" "$rules" "additional-hour-missed 1 1 0 0 0
additional-hour-unsupported 1 1 0 0 0
addon-without-primary 1 1 0 0 0
drug-line-missing 1 1 0 0 0
duplicate-initial 1 0 0 1 0
em-needs-modifier-25 1 1 0 0 0
hydration-concurrent 1 1 0 0 0
infusion-under-16 1 0 0 0 1
iv-start-bundled 1 1 0 0 0
missing-stop-time 1 0 1 0 0
nurse-visit-bundled 1 1 0 0 0
unbilled-service 1 1 0 0 0"
q=$(as r1 "SELECT string_agg(DISTINCT claim_ref, ' ') || ' | ' || count(*) || ' ' || count(*) FILTER (WHERE resolution IS NULL)
             FROM claimscrub.review_queue")
same "review_queue: the 9 claims with an open finding (7 flagged, 2 revenue missed), 9 findings" "$q" \
	"IC-2026-0308 IC-2026-0309 IC-2026-0310 IC-2026-0311 IC-2026-0314 IC-2026-0315 ON-2026-1112 ON-2026-1113 ON-2026-1116 | 9 9"
first=$(as r1 "SELECT claim_ref || ' ' || rule || ' ' || line_code || ' ' || (suggest->>'code') FROM claimscrub.review_queue LIMIT 1")
same "review_queue: oldest date of service first, with the line and the fix" "$first" "IC-2026-0308 additional-hour-unsupported 96366 96366"

# ---- claimscrub review (as r1) ------------------------------------------------------------
# The work list (work_list()): the 10 flagged claims less the 3 whose one
# finding r1 decided above; the 2 revenue-missed claims have info findings
# only, so their work items are resolved from the start.
timeout 60 "$CLAIMSCRUB" review --db "$db_r1" </dev/null >"$T/review.txt" 2>&1
same "review: exit 0" "$?" 0
grep -q '^7 work items shown$' "$T/review.txt" && ok "review: 7 work items" ||
	not_ok "review: 7 work items" "$(tail -n 3 "$T/review.txt")"
same "review: the line of IC-2026-0308, no fee table" "$(grep '^IC-2026-0308 ' "$T/review.txt")" \
	"IC-2026-0308  open  error  rules additional-hour-unsupported  open 1 of 1  at risk -  dos 2026-03-09  payer aetna  provider NPI-1234567893  assignee -  rev 1"
timeout 60 "$CLAIMSCRUB" review --db "$db_r1" --claim IC-2026-0308 </dev/null >"$T/claim.txt" 2>&1
timeout 60 "$CLAIMSCRUB" review --db "$db_r1" --claim IC-2026-0315 </dev/null >>"$T/claim.txt" 2>&1
if grep -q '^== IC-2026-0308  version 1  flagged  facility  profile default$' "$T/claim.txt" &&
	grep -q '^   payer aetna  provider NPI-1234567893  date of service 2026-03-09  ' "$T/claim.txt" &&
	grep -q 'evidence: ' "$T/claim.txt" && grep -q 'fix: bill 96366 x1 on line 2$' "$T/claim.txt" &&
	grep -q 'fix: add 96375 x1$' "$T/claim.txt"; then ok "review --claim: claim headers, evidence and fixes"
else not_ok "review --claim: claim headers, evidence and fixes" "$(head -n 12 "$T/claim.txt")"; fi
njson=$(timeout 60 "$CLAIMSCRUB" review --db "$db_r1" --limit 2 --format json </dev/null | grep -c '^{"format":1,')
same "review --limit 2 --format json: two JSON lines" "$njson" 2
timeout 10 "$CLAIMSCRUB" review --limit 0 </dev/null >/dev/null 2>&1
same "review --limit 0 is a usage error" "$?" 2

# ---- claimscrub report, no fee table ------------------------------------------------------------
csv_nofees='section,key,claims,flagged,invalid,flagged_rate_pct,findings,open,corrected,accepted_risk,false_positive,false_positive_share_pct,revenue_at_risk,revenue_missed
total,all,18,10,0,55.6,12,9,1,1,1,33.3,,
day,2026-03-02,2,0,0,0.0,0,0,0,0,0,,,
day,2026-03-03,1,0,0,0.0,0,0,0,0,0,,,
day,2026-03-04,1,0,0,0.0,0,0,0,0,0,,,
day,2026-03-05,1,1,0,100.0,1,0,1,0,0,0.0,,
day,2026-03-06,1,1,0,100.0,1,0,0,0,1,100.0,,
day,2026-03-07,1,1,0,100.0,1,0,0,1,0,0.0,,
day,2026-03-09,1,1,0,100.0,1,1,0,0,0,,,
day,2026-03-10,1,1,0,100.0,1,1,0,0,0,,,
day,2026-03-11,1,1,0,100.0,1,1,0,0,0,,,
day,2026-03-12,2,2,0,100.0,2,2,0,0,0,,,
day,2026-03-13,1,1,0,100.0,1,1,0,0,0,,,
day,2026-03-16,1,1,0,100.0,1,1,0,0,0,,,
day,2026-03-17,1,0,0,0.0,1,1,0,0,0,,,
day,2026-03-18,1,0,0,0.0,1,1,0,0,0,,,
day,2026-03-19,1,0,0,0.0,0,0,0,0,0,,,
day,2026-03-20,1,0,0,0.0,0,0,0,0,0,,,
rule,additional-hour-missed,0,0,0,,1,1,0,0,0,,,
rule,additional-hour-unsupported,0,0,0,,1,1,0,0,0,,,
rule,addon-without-primary,0,0,0,,1,1,0,0,0,,,
rule,drug-line-missing,0,0,0,,1,1,0,0,0,,,
rule,duplicate-initial,0,0,0,,1,0,0,1,0,0.0,,
rule,em-needs-modifier-25,0,0,0,,1,1,0,0,0,,,
rule,hydration-concurrent,0,0,0,,1,1,0,0,0,,,
rule,infusion-under-16,0,0,0,,1,0,0,0,1,100.0,,
rule,iv-start-bundled,0,0,0,,1,1,0,0,0,,,
rule,missing-stop-time,0,0,0,,1,0,1,0,0,0.0,,
rule,nurse-visit-bundled,0,0,0,,1,1,0,0,0,,,
rule,unbilled-service,0,0,0,,1,1,0,0,0,,,
payer,medicare,10,5,0,50.0,7,5,1,1,0,0.0,,
payer,aetna,5,3,0,60.0,3,2,0,0,1,100.0,,
payer,(none),3,2,0,66.7,2,2,0,0,0,,,
provider,NPI-1234567893,13,8,0,61.5,9,6,1,1,1,33.3,,
provider,NPI-1497758544,5,2,0,40.0,3,3,0,0,0,,,'
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv -o "$T/nofees.csv" </dev/null 2>"$T/report.err"
same "report --format csv (as r1): exit 0" "$?" 0
same "report --format csv, no fee table: every figure" "$(tr -d '\r' <"$T/nofees.csv")" "$csv_nofees"
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" </dev/null >"$T/nofees.txt" 2>&1
if grep -q '^no fee table loaded: counts only$' "$T/nofees.txt" &&
	grep -q '^  claims scrubbed  18   flagged 10 (55.6%)   invalid 0$' "$T/nofees.txt" &&
	grep -q '^  findings         12   open 9   corrected 1   accepted-risk 1   false-positive 1$' "$T/nofees.txt" &&
	grep -Eq '^  infusion-under-16 +1 +0 +0 +0 +1 +100.0%$' "$T/nofees.txt" &&
	grep -Eq '^  2026-03-12 +2 +2 +100.0% +2 +2$' "$T/nofees.txt" &&
	! grep -q 'revenue' "$T/nofees.txt"; then ok "report text, no fee table: counts only, and says so"
else not_ok "report text, no fee table: counts only, and says so" "$(head -n 8 "$T/nofees.txt")"; fi

# ---- fees: the example schedule, with one fee that changes on 2026-03-06 ---------------------------
mkdir -p "$T/dated"
cat >"$T/dated/70-dated.yaml" <<'EOF'
fees:
  medicare:
    "96365": [{value: 165.00, effective_to: 2026-03-05}, {value: 172.00, effective_from: 2026-03-06}]
EOF
out=$(timeout 60 "$CLAIMSCRUB" db fees --db "$conninfo" --rules "$src/rules.d" \
	--rules "$src/examples/rules.d" --rules "$T/dated" </dev/null 2>&1)
same "db fees: 2 x 19 fees, one in two periods" "$out" "loaded 39 fees from 2 rule periods"
fees=$(as r1 "SELECT string_agg(amount || ':' || coalesce(effective_from::text, '-') || ':' || coalesce(effective_to::text, '-'), ' '
                                 ORDER BY effective_from NULLS FIRST)
                FROM claimscrub.fee_schedule WHERE profile = 'medicare' AND code = '96365'")
same "fee_schedule: medicare 96365 in two periods" "$fees" "165.00:-:2026-03-05 172.00:2026-03-06:-"
# money by hand (fee x units; false positives carry none; missed = units not billed):
#   medicare: 0305 96365 165 (before 03-06) + 0307 96365 172 + 0310 96361 x3 34 = 102
#             + 0311 36000 18 + 1112 99211 22 = 479 at risk; 0315 96375 33 + 1116 96415 (2-1) x 48 = 81 missed
#   aetna (default): 0306 false positive; 0308 96366 x2 45 = 90 at risk
#   (none) (default): 0309 96366 45 at risk (one addon-without-primary finding,
#             an error, whose fix adds 96365: nothing counted missed)
money=$(as r1 "SELECT payer || ' ' || sum(revenue_at_risk) || ' ' || sum(revenue_missed)
                 FROM claimscrub.findings_by_payer GROUP BY payer ORDER BY payer")
same "findings_by_payer: money" "$money" "(none) 45.00 0.00
aetna 90.00 0.00
medicare 479.00 81.00"
rm=$(as r1 "SELECT rule || ' ' || sum(revenue_at_risk) || ' ' || sum(revenue_missed) FROM claimscrub.findings_by_rule
             WHERE rule IN ('missing-stop-time', 'duplicate-initial', 'infusion-under-16', 'additional-hour-missed')
             GROUP BY rule ORDER BY rule")
same "findings_by_rule: money (dated fee, false positive, missed hour)" "$rm" "additional-hour-missed 0.00 48.00
duplicate-initial 172.00 0.00
infusion-under-16 0.00 0.00
missing-stop-time 165.00 0.00"
dm=$(as r1 "SELECT sum(revenue_at_risk) || ' ' || sum(revenue_missed) FROM claimscrub.denial_risk_daily")
same "denial_risk_daily: 614.00 at risk, 81.00 missed" "$dm" "614.00 81.00"
pm=$(as r1 "SELECT provider || ' ' || sum(revenue_at_risk) || ' ' || sum(revenue_missed) FROM claimscrub.findings_by_provider
             GROUP BY provider ORDER BY provider")
same "findings_by_provider: money" "$pm" "NPI-1234567893 592.00 33.00
NPI-1497758544 22.00 48.00"

csv_fees='section,key,claims,flagged,invalid,flagged_rate_pct,findings,open,corrected,accepted_risk,false_positive,false_positive_share_pct,revenue_at_risk,revenue_missed
total,all,18,10,0,55.6,12,9,1,1,1,33.3,614.00,81.00
day,2026-03-02,2,0,0,0.0,0,0,0,0,0,,0.00,0.00
day,2026-03-03,1,0,0,0.0,0,0,0,0,0,,0.00,0.00
day,2026-03-04,1,0,0,0.0,0,0,0,0,0,,0.00,0.00
day,2026-03-05,1,1,0,100.0,1,0,1,0,0,0.0,165.00,0.00
day,2026-03-06,1,1,0,100.0,1,0,0,0,1,100.0,0.00,0.00
day,2026-03-07,1,1,0,100.0,1,0,0,1,0,0.0,172.00,0.00
day,2026-03-09,1,1,0,100.0,1,1,0,0,0,,90.00,0.00
day,2026-03-10,1,1,0,100.0,1,1,0,0,0,,45.00,0.00
day,2026-03-11,1,1,0,100.0,1,1,0,0,0,,102.00,0.00
day,2026-03-12,2,2,0,100.0,2,2,0,0,0,,40.00,0.00
day,2026-03-13,1,1,0,100.0,1,1,0,0,0,,0.00,0.00
day,2026-03-16,1,1,0,100.0,1,1,0,0,0,,0.00,0.00
day,2026-03-17,1,0,0,0.0,1,1,0,0,0,,0.00,33.00
day,2026-03-18,1,0,0,0.0,1,1,0,0,0,,0.00,48.00
day,2026-03-19,1,0,0,0.0,0,0,0,0,0,,0.00,0.00
day,2026-03-20,1,0,0,0.0,0,0,0,0,0,,0.00,0.00
rule,additional-hour-missed,0,0,0,,1,1,0,0,0,,0.00,48.00
rule,additional-hour-unsupported,0,0,0,,1,1,0,0,0,,90.00,0.00
rule,addon-without-primary,0,0,0,,1,1,0,0,0,,45.00,0.00
rule,drug-line-missing,0,0,0,,1,1,0,0,0,,0.00,0.00
rule,duplicate-initial,0,0,0,,1,0,0,1,0,0.0,172.00,0.00
rule,em-needs-modifier-25,0,0,0,,1,1,0,0,0,,0.00,0.00
rule,hydration-concurrent,0,0,0,,1,1,0,0,0,,102.00,0.00
rule,infusion-under-16,0,0,0,,1,0,0,0,1,100.0,0.00,0.00
rule,iv-start-bundled,0,0,0,,1,1,0,0,0,,18.00,0.00
rule,missing-stop-time,0,0,0,,1,0,1,0,0,0.0,165.00,0.00
rule,nurse-visit-bundled,0,0,0,,1,1,0,0,0,,22.00,0.00
rule,unbilled-service,0,0,0,,1,1,0,0,0,,0.00,33.00
payer,medicare,10,5,0,50.0,7,5,1,1,0,0.0,479.00,81.00
payer,aetna,5,3,0,60.0,3,2,0,0,1,100.0,90.00,0.00
payer,(none),3,2,0,66.7,2,2,0,0,0,,45.00,0.00
provider,NPI-1234567893,13,8,0,61.5,9,6,1,1,1,33.3,592.00,33.00
provider,NPI-1497758544,5,2,0,40.0,3,3,0,0,0,,22.00,48.00'
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv -o "$T/fees.csv" </dev/null 2>>"$T/report.err"
same "report --format csv with fees: every figure" "$(tr -d '\r' <"$T/fees.csv")" "$csv_fees"
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" </dev/null >"$T/fees.txt" 2>&1
if grep -q '^  revenue at risk  \$614.00   revenue missed \$81.00$' "$T/fees.txt" &&
	grep -Eq '^  medicare +10 +5 +50.0% +7 +5 +\$479.00 +\$81.00$' "$T/fees.txt" &&
	! grep -q 'counts only' "$T/fees.txt"; then ok "report text with fees: money in the summary and tables"
else not_ok "report text with fees: money in the summary and tables" "$(head -n 8 "$T/fees.txt")"; fi

# ---- filters --------------------------------------------------------------------------------------
f=$(timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv --payer medicare </dev/null | tr -d '\r' | sed -n 2p)
same "report --payer medicare: the total" "$f" "total,all,10,5,0,50.0,7,5,1,1,0,0.0,479.00,81.00"
f=$(timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv --since 2026-03-10 --until 2026-03-12 </dev/null |
	tr -d '\r' | grep -E '^(total|day),')
same "report --since 2026-03-10 --until 2026-03-12" "$f" "total,all,4,4,0,100.0,4,4,0,0,0,,187.00,0.00
day,2026-03-10,1,1,0,100.0,1,1,0,0,0,,45.00,0.00
day,2026-03-11,1,1,0,100.0,1,1,0,0,0,,102.00,0.00
day,2026-03-12,2,2,0,100.0,2,2,0,0,0,,40.00,0.00"
timeout 10 "$CLAIMSCRUB" report --since 2026-13-01 </dev/null >/dev/null 2>&1
same "report --since 2026-13-01 is a usage error" "$?" 2
timeout 10 "$CLAIMSCRUB" report --format pdf </dev/null >/dev/null 2>&1
same "report --format pdf is a usage error" "$?" 2

# ---- HTML in headless Chromium --------------------------------------------------------------------
html=$T/report.html
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format html -o "$html" </dev/null 2>>"$T/report.err"
same "report --format html: exit 0" "$?" 0
if grep -Eqi 'https?:|src=|url\(|<script|<link|@import|@font-face' "$html"; then
	not_ok "the HTML refers to nothing outside itself" "$(grep -Eio '.{20}(https?:|src=|url\(|<script|<link|@import|@font-face).{20}' "$html" | head -n 3)"
else ok "the HTML refers to nothing outside itself (no URL, src=, url(), script, link, import, font)"; fi
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
	not_ok "headless Chromium is installed" "no chromium in PATH (apt-get install chromium)"
	finish
fi
# Any network request fails (a proxy on a closed port, every host name
# unresolvable) and shows in the log as a failed load.
chrome_run() {
	timeout 90 "$chrome" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T/chrome" --proxy-server=127.0.0.1:9 \
		--host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --v=0 \
		--window-size=1280,2400 "$@" "file://$html" </dev/null
}
chrome_run --dump-dom >"$T/dom.html" 2>"$T/chrome.err"
same "Chromium loads the report (--dump-dom): exit 0" "$?" 0
if grep -Eq 'CONSOLE|Uncaught|Failed to load resource|net::ERR_' "$T/chrome.err"; then
	not_ok "no console error and no network request" "$(grep -E 'CONSOLE|Uncaught|Failed to load|net::ERR_' "$T/chrome.err" | head -n 5)"
else ok "no console error and no network request in Chromium's log"; fi
png=${CLAIMSCRUB_BUILDDIR:-$T}/tests/pg/report.png
mkdir -p "$(dirname "$png")"
rm -f "$png"
chrome_run --screenshot="$png" >"$T/shot.out" 2>"$T/shot.err"
if [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	[ "$(wc -c <"$png")" -gt 50000 ]; then ok "Chromium saves a PNG screenshot ($png, $(wc -c <"$png") bytes)"
else not_ok "Chromium saves a PNG screenshot" "$(tail -n 3 "$T/shot.err")"; fi

# bars CHART — "key=value" per bar of a chart, as Chromium's DOM has them
bars() {
	grep -o "data-chart=\"$1\" data-key=\"[^\"]*\" data-value=\"[^\"]*\"" "$T/dom.html" |
		sed 's/.*data-key="\([^"]*\)" data-value="\([^"]*\)"/\1=\2/; s/&amp;/\&/g'
}
# csvcol SECTION COLUMN — "key=value" from the report's CSV
csvcol() { tr -d '\r' <"$T/fees.csv" | awk -F, -v s="$1" -v c="$2" '$1 == s { print $2 "=" $c }'; }
same "chart 'flagged rate per day': 16 bars equal the CSV's flagged_rate_pct" "$(bars day-rate)" "$(csvcol day 6)"
same "chart 'findings by rule': 12 bars equal the CSV's findings" "$(bars rule)" "$(csvcol rule 7)"
same "chart 'findings by payer' equals the CSV's findings" "$(bars payer)" "$(csvcol payer 7)"
same "chart 'revenue at risk' equals the CSV's revenue_at_risk" "$(bars money)" "$(csvcol payer 13)"
same "chart 'revenue missed' equals the CSV's revenue_missed" "$(bars money-2)" "$(csvcol payer 14)"
same "chart 'top providers' equals the CSV's flagged claims" "$(bars provider)" "$(csvcol provider 4)"
same "chart 'rule precision': the decided rules' false-positive share" "$(bars precision)" \
	"$(csvcol rule 12 | grep -v '=$')"
same "the precision chart has the three decided rules" "$(bars precision | tr '\n' ' ')" \
	"duplicate-initial=0.0 infusion-under-16=100.0 missing-stop-time=0.0 "
# the visible labels say the same as the attributes
lab=$(grep -c '<text class="value[^"]*"[^>]*>\$614.00<\|<text class="value[^"]*"[^>]*>100.0%<' "$T/dom.html")
[ "$lab" -gt 0 ] && ok "bars carry visible value labels" || not_ok "bars carry visible value labels"
grep -q 'No fee table loaded' "$T/dom.html" && not_ok "with fees, no 'counts only' note" || ok "with fees, no 'counts only' note"

# ---- the api applied again changes nothing -----------------------------------------------------------
acl() { psql_val "SELECT string_agg(c.relname || coalesce(c.relacl::text, '-'), ' ' ORDER BY c.relname)
                    FROM pg_class c WHERE c.relnamespace = 'claimscrub'::regnamespace"; }
before=$(acl)
reapply() { for f in "$src"/sql/api/[0-9]*.sql; do psql_script "$f" </dev/null || return 1; done; }
if out=$(reapply 2>&1) && [ "$(acl)" = "$before" ] &&
	[ "$(psql_val "SELECT count(*) FROM claimscrub.finding_audit")" = 5 ]; then
	ok "the api applies again: privileges and the audit trail unchanged"
else not_ok "the api applies again: privileges and the audit trail unchanged" "$out"; fi
finish
