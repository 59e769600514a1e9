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
	scrubbed_claim finding_detail fee_schedule line_risk claim_net; do
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
# (precision: (decided - false positives) / decided, n = decided: 0305
# corrected 1/1 = 100.0 (n=1), 0306 false positive 0/1 = 0.0 (n=1), 0307
# accepted 1/1 = 100.0 (n=1), all 2/3 = 66.7 (n=3).  Every day from the
# first date of service to the last is a row: 03-08, 03-14 and 03-15 have
# no claims and show zeros.  Weeks and months: see the fee CSV below.)
csv_nofees='section,key,claims,flagged,invalid,flagged_rate_pct,findings,open,corrected,accepted_risk,false_positive,decided,precision_pct,revenue_at_risk,net_change_if_fixed,revenue_missed,from,to,prior_claims,prior_flagged,prior_revenue_at_risk,prior_net_change_if_fixed,prior_revenue_missed
total,all,18,10,0,55.6,12,9,1,1,1,3,66.7,,,,,,,,,,
day,2026-03-02,2,0,0,0.0,0,0,0,0,0,0,,,,,,,,,,,
day,2026-03-03,1,0,0,0.0,0,0,0,0,0,0,,,,,,,,,,,
day,2026-03-04,1,0,0,0.0,0,0,0,0,0,0,,,,,,,,,,,
day,2026-03-05,1,1,0,100.0,1,0,1,0,0,1,100.0,,,,,,,,,,
day,2026-03-06,1,1,0,100.0,1,0,0,0,1,1,0.0,,,,,,,,,,
day,2026-03-07,1,1,0,100.0,1,0,0,1,0,1,100.0,,,,,,,,,,
day,2026-03-08,0,0,0,,0,0,0,0,0,0,,,,,,,,,,,
day,2026-03-09,1,1,0,100.0,1,1,0,0,0,0,,,,,,,,,,,
day,2026-03-10,1,1,0,100.0,1,1,0,0,0,0,,,,,,,,,,,
day,2026-03-11,1,1,0,100.0,1,1,0,0,0,0,,,,,,,,,,,
day,2026-03-12,2,2,0,100.0,2,2,0,0,0,0,,,,,,,,,,,
day,2026-03-13,1,1,0,100.0,1,1,0,0,0,0,,,,,,,,,,,
day,2026-03-14,0,0,0,,0,0,0,0,0,0,,,,,,,,,,,
day,2026-03-15,0,0,0,,0,0,0,0,0,0,,,,,,,,,,,
day,2026-03-16,1,1,0,100.0,1,1,0,0,0,0,,,,,,,,,,,
day,2026-03-17,1,0,0,0.0,1,1,0,0,0,0,,,,,,,,,,,
day,2026-03-18,1,0,0,0.0,1,1,0,0,0,0,,,,,,,,,,,
day,2026-03-19,1,0,0,0.0,0,0,0,0,0,0,,,,,,,,,,,
day,2026-03-20,1,0,0,0.0,0,0,0,0,0,0,,,,,,,,,,,
week,2026-W10,7,3,0,42.9,3,0,1,1,1,3,66.7,,,,2026-03-02,2026-03-08,0,0,,,
week,2026-W11,6,6,0,100.0,6,6,0,0,0,0,,,,,2026-03-09,2026-03-15,7,3,,,
week,2026-W12,5,1,0,20.0,3,3,0,0,0,0,,,,,2026-03-16,2026-03-20,6,6,,,
month,2026-03,18,10,0,55.6,12,9,1,1,1,3,66.7,,,,2026-03-02,2026-03-20,0,0,,,
rule,additional-hour-missed,0,0,0,,1,1,0,0,0,0,,,,,,,,,,,
rule,additional-hour-unsupported,0,0,0,,1,1,0,0,0,0,,,,,,,,,,,
rule,addon-without-primary,0,0,0,,1,1,0,0,0,0,,,,,,,,,,,
rule,drug-line-missing,0,0,0,,1,1,0,0,0,0,,,,,,,,,,,
rule,duplicate-initial,0,0,0,,1,0,0,1,0,1,100.0,,,,,,,,,,
rule,em-needs-modifier-25,0,0,0,,1,1,0,0,0,0,,,,,,,,,,,
rule,hydration-concurrent,0,0,0,,1,1,0,0,0,0,,,,,,,,,,,
rule,infusion-under-16,0,0,0,,1,0,0,0,1,1,0.0,,,,,,,,,,
rule,iv-start-bundled,0,0,0,,1,1,0,0,0,0,,,,,,,,,,,
rule,missing-stop-time,0,0,0,,1,0,1,0,0,1,100.0,,,,,,,,,,
rule,nurse-visit-bundled,0,0,0,,1,1,0,0,0,0,,,,,,,,,,,
rule,unbilled-service,0,0,0,,1,1,0,0,0,0,,,,,,,,,,,
payer,medicare,10,5,0,50.0,7,5,1,1,0,2,100.0,,,,,,,,,,
payer,aetna,5,3,0,60.0,3,2,0,0,1,1,0.0,,,,,,,,,,
payer,(none),3,2,0,66.7,2,2,0,0,0,0,,,,,,,,,,,
provider,NPI-1234567893,13,8,0,61.5,9,6,1,1,1,3,66.7,,,,,,,,,,
provider,NPI-1497758544,5,2,0,40.0,3,3,0,0,0,0,,,,,,,,,,,'
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv -o "$T/nofees.csv" </dev/null 2>"$T/report.err"
same "report --format csv (as r1): exit 0" "$?" 0
same "report --format csv, no fee table: every figure" "$(tr -d '\r' <"$T/nofees.csv")" "$csv_nofees"
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" </dev/null >"$T/nofees.txt" 2>&1
if grep -q '^no fee table loaded: counts only$' "$T/nofees.txt" &&
	grep -q '^  claims scrubbed  18   flagged 10 (55.6%)   invalid 0$' "$T/nofees.txt" &&
	grep -q '^  findings         12   open 9   corrected 1   accepted-risk 1   false-positive 1$' "$T/nofees.txt" &&
	grep -Eq '^  infusion-under-16 +1 +0 +0 +0 +1 +0.0% \(n=1\)$' "$T/nofees.txt" &&
	grep -Eq '^  2026-03-12 +2 +2 +100.0% +2 +2$' "$T/nofees.txt" &&
	grep -Eq '^  2026-03-08 +0 +0 +- +0 +0$' "$T/nofees.txt" &&
	grep -q '^  precision        66.7% (n=3)$' "$T/nofees.txt" &&
	grep -q '^  no payer map loaded' "$T/nofees.txt" &&
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

# net change if fixed, by hand per claim (fees of the expected codes x
# units less the fees of the billed drug-administration lines and of the
# lines a finding says to remove; J codes have no fee; 0305's codes are held
# back for the missing stop time, so it has none):
#   0306 aetna/default  96374 95 - 96365 190                     =  -95
#   0307 medicare       96365 172 + 96367 66 - 2 x 96365 172     = -106
#   0308 aetna          96365 190 + 96366 45 - 190 - 96366 x2 90 =  -45
#   0309 (none)         96365 190 + 96366 45 - 96366 45          = +190
#   0310 medicare       172 + 96361 x2 68 - 172 - 96361 x3 102   =  -34
#   0311 medicare       172 - 172 - 36000 18 (removed)           =  -18
#   1112 medicare       96372 35 - 35 - 99211 22 (removed)       =  -22
#   1113 aetna          96413 260 + 96415 55 - the same (the E/M
#                       99214 stays: its fix adds modifier 25)   =    0
#   0315 medicare       172 + 96375 33 - 172                     =  +33
#   1116 medicare       96413 230 + 96415 x2 96 - 230 - 48       =  +48
#   the others bill what they support: 0.  Total -49; medicare -99,
#   aetna -140, (none) +190; NPI-1497758544 (the ON- claims) -22 + 48 = 26,
#   NPI-1234567893 -75.
# weeks (ISO, Monday first), each with the week before:
#   W10 03-02..03-08: 7 claims (0301 0302 1101 0304 0305 0306 0307), 3
#       flagged, at risk 165 + 172 = 337, net -95 - 106 = -201; prior 0
#   W11 03-09..03-15: 6 claims (0308 0309 0310 0311 1112 1113), 6 flagged,
#       at risk 90 + 45 + 102 + 18 + 22 = 277, net -45 + 190 - 34 - 18 - 22
#       = 71; prior W10
#   W12 03-16..03-20 (the period ends on the last date of service): 5
#       claims, 1 flagged (0314's warning), at risk 0, net = missed = 33 +
#       48 = 81; prior 03-09..03-13 = W11's figures
# month 2026-03 (03-02..03-20): the total; prior 02-02..02-20: nothing.
csv_fees='section,key,claims,flagged,invalid,flagged_rate_pct,findings,open,corrected,accepted_risk,false_positive,decided,precision_pct,revenue_at_risk,net_change_if_fixed,revenue_missed,from,to,prior_claims,prior_flagged,prior_revenue_at_risk,prior_net_change_if_fixed,prior_revenue_missed
total,all,18,10,0,55.6,12,9,1,1,1,3,66.7,614.00,-49.00,81.00,,,,,,,
day,2026-03-02,2,0,0,0.0,0,0,0,0,0,0,,0.00,0.00,0.00,,,,,,,
day,2026-03-03,1,0,0,0.0,0,0,0,0,0,0,,0.00,0.00,0.00,,,,,,,
day,2026-03-04,1,0,0,0.0,0,0,0,0,0,0,,0.00,0.00,0.00,,,,,,,
day,2026-03-05,1,1,0,100.0,1,0,1,0,0,1,100.0,165.00,0.00,0.00,,,,,,,
day,2026-03-06,1,1,0,100.0,1,0,0,0,1,1,0.0,0.00,-95.00,0.00,,,,,,,
day,2026-03-07,1,1,0,100.0,1,0,0,1,0,1,100.0,172.00,-106.00,0.00,,,,,,,
day,2026-03-08,0,0,0,,0,0,0,0,0,0,,0.00,0.00,0.00,,,,,,,
day,2026-03-09,1,1,0,100.0,1,1,0,0,0,0,,90.00,-45.00,0.00,,,,,,,
day,2026-03-10,1,1,0,100.0,1,1,0,0,0,0,,45.00,190.00,0.00,,,,,,,
day,2026-03-11,1,1,0,100.0,1,1,0,0,0,0,,102.00,-34.00,0.00,,,,,,,
day,2026-03-12,2,2,0,100.0,2,2,0,0,0,0,,40.00,-40.00,0.00,,,,,,,
day,2026-03-13,1,1,0,100.0,1,1,0,0,0,0,,0.00,0.00,0.00,,,,,,,
day,2026-03-14,0,0,0,,0,0,0,0,0,0,,0.00,0.00,0.00,,,,,,,
day,2026-03-15,0,0,0,,0,0,0,0,0,0,,0.00,0.00,0.00,,,,,,,
day,2026-03-16,1,1,0,100.0,1,1,0,0,0,0,,0.00,0.00,0.00,,,,,,,
day,2026-03-17,1,0,0,0.0,1,1,0,0,0,0,,0.00,33.00,33.00,,,,,,,
day,2026-03-18,1,0,0,0.0,1,1,0,0,0,0,,0.00,48.00,48.00,,,,,,,
day,2026-03-19,1,0,0,0.0,0,0,0,0,0,0,,0.00,0.00,0.00,,,,,,,
day,2026-03-20,1,0,0,0.0,0,0,0,0,0,0,,0.00,0.00,0.00,,,,,,,
week,2026-W10,7,3,0,42.9,3,0,1,1,1,3,66.7,337.00,-201.00,0.00,2026-03-02,2026-03-08,0,0,0.00,0.00,0.00
week,2026-W11,6,6,0,100.0,6,6,0,0,0,0,,277.00,71.00,0.00,2026-03-09,2026-03-15,7,3,337.00,-201.00,0.00
week,2026-W12,5,1,0,20.0,3,3,0,0,0,0,,0.00,81.00,81.00,2026-03-16,2026-03-20,6,6,277.00,71.00,0.00
month,2026-03,18,10,0,55.6,12,9,1,1,1,3,66.7,614.00,-49.00,81.00,2026-03-02,2026-03-20,0,0,0.00,0.00,0.00
rule,additional-hour-missed,0,0,0,,1,1,0,0,0,0,,0.00,,48.00,,,,,,,
rule,additional-hour-unsupported,0,0,0,,1,1,0,0,0,0,,90.00,,0.00,,,,,,,
rule,addon-without-primary,0,0,0,,1,1,0,0,0,0,,45.00,,0.00,,,,,,,
rule,drug-line-missing,0,0,0,,1,1,0,0,0,0,,0.00,,0.00,,,,,,,
rule,duplicate-initial,0,0,0,,1,0,0,1,0,1,100.0,172.00,,0.00,,,,,,,
rule,em-needs-modifier-25,0,0,0,,1,1,0,0,0,0,,0.00,,0.00,,,,,,,
rule,hydration-concurrent,0,0,0,,1,1,0,0,0,0,,102.00,,0.00,,,,,,,
rule,infusion-under-16,0,0,0,,1,0,0,0,1,1,0.0,0.00,,0.00,,,,,,,
rule,iv-start-bundled,0,0,0,,1,1,0,0,0,0,,18.00,,0.00,,,,,,,
rule,missing-stop-time,0,0,0,,1,0,1,0,0,1,100.0,165.00,,0.00,,,,,,,
rule,nurse-visit-bundled,0,0,0,,1,1,0,0,0,0,,22.00,,0.00,,,,,,,
rule,unbilled-service,0,0,0,,1,1,0,0,0,0,,0.00,,33.00,,,,,,,
payer,medicare,10,5,0,50.0,7,5,1,1,0,2,100.0,479.00,-99.00,81.00,,,,,,,
payer,aetna,5,3,0,60.0,3,2,0,0,1,1,0.0,90.00,-140.00,0.00,,,,,,,
payer,(none),3,2,0,66.7,2,2,0,0,0,0,,45.00,190.00,0.00,,,,,,,
provider,NPI-1234567893,13,8,0,61.5,9,6,1,1,1,3,66.7,592.00,-75.00,33.00,,,,,,,
provider,NPI-1497758544,5,2,0,40.0,3,3,0,0,0,0,,22.00,26.00,48.00,,,,,,,'
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv -o "$T/fees.csv" </dev/null 2>>"$T/report.err"
same "report --format csv with fees: every figure" "$(tr -d '\r' <"$T/fees.csv" | grep -v '^unmapped_payer,')" "$csv_fees"
# the findings' query runs on a second connection in the first one's
# snapshot; a role allowed one connection gets the same report, the two
# queries one after the other on its one
same "r1 allowed one connection" "$(psql_val "ALTER ROLE r1 CONNECTION LIMIT 1;
	SELECT rolconnlimit FROM pg_roles WHERE rolname = 'r1'")" 1
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv -o "$T/fees1.csv" </dev/null 2>"$T/report1.err"
same "report, one connection allowed: exit 0, nothing on stderr" "$? $(cat "$T/report1.err")" "0 "
same "report, one connection allowed: the same figures" "$(tr -d '\r' <"$T/fees1.csv" | grep -v '^unmapped_payer,')" "$csv_fees"
psql_val "ALTER ROLE r1 CONNECTION LIMIT -1" >/dev/null
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" </dev/null >"$T/fees.txt" 2>&1
if grep -q '^  revenue at risk (gross) \$614.00   net change if fixed -\$49.00   revenue missed \$81.00$' "$T/fees.txt" &&
	grep -Eq '^  medicare +10 +5 +50.0% +7 +5 +\$479.00 +-\$99.00 +\$81.00$' "$T/fees.txt" &&
	grep -Eq '^  2026-W11 2026-03-09 to 2026-03-15 +6 \(7\) +6 \(3\) +\$277.00 \(\$337.00\) +\$71.00 \(-\$201.00\) +\$0.00 \(\$0.00\)$' "$T/fees.txt" &&
	grep -q '^  revenue at risk (gross): each billed line' "$T/fees.txt" &&
	! grep -q 'counts only' "$T/fees.txt"; then ok "report text with fees: money in the summary and tables"
else not_ok "report text with fees: money in the summary and tables" "$(head -n 8 "$T/fees.txt")"; fi

# ---- filters --------------------------------------------------------------------------------------
f=$(timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv --payer medicare </dev/null | tr -d '\r' | sed -n 2p)
same "report --payer medicare: the total" "$f" "total,all,10,5,0,50.0,7,5,1,1,0,2,100.0,479.00,-99.00,81.00,,,,,,,"
f=$(timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv --since 2026-03-10 --until 2026-03-12 </dev/null |
	tr -d '\r' | grep -E '^(total|day),')
# (0309 0310 0311 1112: at risk 45 + 102 + 18 + 22 = 187, net 190 - 34 - 18 - 22 = 116)
same "report --since 2026-03-10 --until 2026-03-12" "$f" "total,all,4,4,0,100.0,4,4,0,0,0,0,,187.00,116.00,0.00,,,,,,,
day,2026-03-10,1,1,0,100.0,1,1,0,0,0,0,,45.00,190.00,0.00,,,,,,,
day,2026-03-11,1,1,0,100.0,1,1,0,0,0,0,,102.00,-34.00,0.00,,,,,,,
day,2026-03-12,2,2,0,100.0,2,2,0,0,0,0,,40.00,-40.00,0.00,,,,,,,"
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
same "chart 'revenue at risk' equals the CSV's revenue_at_risk" "$(bars money)" "$(csvcol payer 14)"
same "chart 'revenue missed' equals the CSV's revenue_missed" "$(bars money-2)" "$(csvcol payer 16)"
same "chart 'top providers' equals the CSV's flagged claims" "$(bars provider)" "$(csvcol provider 4)"
same "chart 'rule precision': the decided rules' precision" "$(bars precision)" \
	"$(csvcol rule 13 | grep -v '=$')"
same "the precision chart has the three decided rules" "$(bars precision | tr '\n' ' ')" \
	"duplicate-initial=100.0 infusion-under-16=0.0 missing-stop-time=100.0 "
grep -q '>0.0% (n=1)<' "$T/dom.html" && ok "precision bars are labelled with n" ||
	not_ok "precision bars are labelled with n"
same "chart 'flagged rate per day' has the days without claims" "$(bars day-rate | grep -c '=$')" 3
grep -q 'id="definitions"' "$T/dom.html" && grep -q 'Net change if fixed' "$T/dom.html" &&
	ok "the HTML defines its money figures" || not_ok "the HTML defines its money figures"
# the visible labels say the same as the attributes
lab=$(grep -c '<text class="value[^"]*"[^>]*>\$614.00<\|<text class="value[^"]*"[^>]*>100.0%<' "$T/dom.html")
[ "$lab" -gt 0 ] && ok "bars carry visible value labels" || not_ok "bars carry visible value labels"
grep -q 'No fee table loaded' "$T/dom.html" && not_ok "with fees, no 'counts only' note" || ok "with fees, no 'counts only' note"

# ---- money a manager can trust (issue 15, item 5) ------------------------------------------------
# Two April claims, medicare (fees of examples/rules.d/60-fees.yaml):
#   MC-2026-0401 04-06: 96365, 36000 with 59 and XS, J0696 x8: line 2 is hit
#     by modifier-conflict (ordinal first) and iv-start-bundled, both errors:
#     at risk 36000 18.00 ONCE (not 36.00), by rule on modifier-conflict;
#     net 96365 172 - (96365 172 + 36000 18, removed) = -18.00
#   MC-2026-0402 04-07: tests/cases/f-infusion-under-16.yaml (a 15-minute
#     run billed 96365, the record supports 96374): at risk 96365 172.00;
#     net 96374 82 - 96365 172 = -90.00 (the corrected code still pays)
# and IC-2026-0306 queued again: its version 2 carries r1's false positive.
mkdir -p "$T/april"
printf '%s\n' "claim: MC-2026-0401" "payer: medicare" "setting: facility" "provider: NPI-1497758544" \
	"date_of_service: 2026-04-06" "lines:" '  - code: "96365"' '  - code: "36000"' \
	'    modifiers: ["59", "XS"]' '  - code: "J0696"' "    units: 8" "administrations:" "  - id: A1" \
	"    substance: ceftriaxone" "    kind: therapeutic" "    route: infusion" "    site: R-hand" \
	"    start: 2026-04-06T11:00" "    stop: 2026-04-06T11:30" >"$T/april/0401.yaml"
sed 's/^claim: .*/claim: MC-2026-0402/; s/2026-03-14/2026-04-07/g' "$src/tests/cases/f-infusion-under-16.yaml" >"$T/april/0402.yaml"
timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$T/april/0401.yaml" "$T/april/0402.yaml" \
	</dev/null >"$T/submit2.out" 2>&1 || not_ok "submit the April claims" "$(tail -n 3 "$T/submit2.out")"
psql_val "UPDATE claimscrub.claim SET status = 'pending' WHERE claim_ref = 'IC-2026-0306'" >/dev/null
start_daemon "$T/d.yaml" --once
wait_daemon "$daemon_pid" 120 || { tail_log "$daemon_log"; not_ok "claimscrubd --once (April)"; }
same "MC-2026-0401: two error findings on line 2, modifier-conflict first" \
	"$(psql_val "SELECT string_agg(f.rule || '@' || f.line_no, ' ' ORDER BY f.ordinal) FROM claimscrub.finding f
	               JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.claim_ref = 'MC-2026-0401'")" \
	"modifier-conflict@2 iv-start-bundled@2"
same "line_risk: the line once, 2 findings, on modifier-conflict, 18.00" \
	"$(as r1 "SELECT line_no || ' ' || code || ' ' || findings || ' ' || rule || ' ' || amount_at_risk
	            FROM claimscrub.line_risk WHERE claim_ref = 'MC-2026-0401'")" "2 36000 2 modifier-conflict 18.00"
same "finding_detail: 18.00 on the first finding, nothing on the second" \
	"$(as r1 "SELECT string_agg(rule || '=' || coalesce(revenue_at_risk::text, '-'), ' ' ORDER BY ordinal)
	            FROM claimscrub.finding_detail WHERE claim_ref = 'MC-2026-0401'")" "modifier-conflict=18.00 iv-start-bundled=-"
same "findings_by_rule/payer/provider, denial_risk_daily, line_risk: 18.00 on 04-06, each once" \
	"$(as r1 "SELECT (SELECT sum(revenue_at_risk) FROM claimscrub.findings_by_rule WHERE day = '2026-04-06') || ' '
	              || (SELECT sum(revenue_at_risk) FROM claimscrub.findings_by_payer WHERE day = '2026-04-06') || ' '
	              || (SELECT sum(revenue_at_risk) FROM claimscrub.findings_by_provider WHERE day = '2026-04-06') || ' '
	              || (SELECT revenue_at_risk FROM claimscrub.denial_risk_daily WHERE day = '2026-04-06') || ' '
	              || (SELECT sum(amount_at_risk) FROM claimscrub.line_risk WHERE claim_ref = 'MC-2026-0401')")" \
	"18.00 18.00 18.00 18.00 18.00"
same "claim_net: the corrected code (96374 for 96365) is a net change of -90.00, at risk 172.00" \
	"$(as r1 "SELECT n.billed || ' ' || n.expected || ' ' || n.net_change || ' ' || r.amount_at_risk
	            FROM claimscrub.claim_net n JOIN claimscrub.line_risk r USING (claim_id)
	           WHERE n.claim_ref = 'MC-2026-0402'")" "172.00 82.00 -90.00 172.00"
# the same row from claim_net_in() within a scope of its day, payer and
# provider; none in scopes that leave it out by each bound
same "claim_net_in: MC-2026-0402's -90.00 in its day's, payer's and provider's scope; out of four others" \
	"$(as r1 "SELECT (SELECT net_change FROM claimscrub.claim_net_in('2026-04-07', '2026-04-07', 'medicare',
			'NPI-1234567893') WHERE claim_ref = 'MC-2026-0402') || ' '
		  || (SELECT count(*) FROM (SELECT claim_ref FROM claimscrub.claim_net_in('2026-04-08', NULL, NULL, NULL)
			UNION ALL SELECT claim_ref FROM claimscrub.claim_net_in(NULL, '2026-04-06', NULL, NULL)
			UNION ALL SELECT claim_ref FROM claimscrub.claim_net_in(NULL, NULL, 'aetna', NULL)
			UNION ALL SELECT claim_ref FROM claimscrub.claim_net_in(NULL, NULL, NULL, 'NPI-1497758544')) o
		     WHERE claim_ref = 'MC-2026-0402')")" "-90.00 0"
f=$(timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv --since 2026-04-06 --until 2026-04-07 </dev/null |
	tr -d '\r' | grep -E '^(total|day|rule),')
# 04-06: at risk 18, net -18; 04-07: at risk 172, net -90; total 190, -108
same "report, April: the line once, the corrected code's net change" "$f" \
	"total,all,2,2,0,100.0,3,3,0,0,0,0,,190.00,-108.00,0.00,,,,,,,
day,2026-04-06,1,1,0,100.0,2,2,0,0,0,0,,18.00,-18.00,0.00,,,,,,,
day,2026-04-07,1,1,0,100.0,1,1,0,0,0,0,,172.00,-90.00,0.00,,,,,,,
rule,infusion-under-16,0,0,0,,1,1,0,0,0,0,,172.00,,0.00,,,,,,,
rule,iv-start-bundled,0,0,0,,1,1,0,0,0,0,,0.00,,0.00,,,,,,,
rule,modifier-conflict,0,0,0,,1,1,0,0,0,0,,18.00,,0.00,,,,,,,"

# a false positive on the first finding moves the line to the next one, still once
mc=$(fid MC-2026-0401 modifier-conflict)
as r1 "SELECT claimscrub.resolve_finding(:a, 'false-positive', 'the XS is right, 59 was dropped')" -v a="$mc" >/dev/null
same "modifier-conflict a false positive: the line's 18.00 moves to iv-start-bundled" \
	"$(as r1 "SELECT string_agg(rule || '=' || coalesce(revenue_at_risk::text, '-'), ' ' ORDER BY ordinal)
	            FROM claimscrub.finding_detail WHERE claim_ref = 'MC-2026-0401'")" "modifier-conflict=- iv-start-bundled=18.00"

# carried decisions count once: 0306 has two decided infusion-under-16
# findings (version 1's and version 2's, carried), the report one
same "IC-2026-0306 version 2 carries the false positive (2 decided rows in the table)" \
	"$(psql_val "SELECT c.version || ' ' || count(*) FILTER (WHERE f.resolution = 'false-positive') || ' '
	               || count(*) FILTER (WHERE f.carried_from IS NOT NULL AND f.claim_version = c.version)
	               FROM claimscrub.claim c JOIN claimscrub.finding f ON f.claim_id = c.id
	              WHERE c.claim_ref = 'IC-2026-0306' GROUP BY c.version")" "2 2 1"
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv -o "$T/april.csv" </dev/null 2>>"$T/report.err"
# precision: infusion-under-16 0 of 1 decided (0306's carried decision once;
# MC-0402's is open) = 0.0 (n=1); modifier-conflict 0/1 = 0.0 (n=1); all:
# decided 0305 0306 0307 MC-0401 = 4, 2 false positives: 50.0 (n=4)
same "precision with n: carried decisions once" \
	"$(tr -d '\r' <"$T/april.csv" | awk -F, '$1 == "total" || $2 == "infusion-under-16" || $2 == "modifier-conflict" { print $2, $11, $12, $13 }')" \
	"all 2 4 50.0
infusion-under-16 1 1 0.0
modifier-conflict 1 1 0.0"
# the whole period now runs 03-02..04-07:
#   2026-03 (03-02..03-31, its last day inside: prior the whole of February
#     from 02-02): 18 claims, 10 flagged, 614.00, -49.00, 81.00; prior 0
#   2026-04 (04-01..04-07): 2 claims, 2 flagged, 190.00 (18 + 172), -108.00;
#     prior 03-01..03-07: W10's 7 claims, 3 flagged, 337.00, -201.00, 0.00
#   W13 03-23..03-29: nothing; prior W12 (03-16..03-22): 5, 1, 0.00, 81.00, 81.00
#   W15 04-06..04-07: 2, 2, 190.00, -108.00; prior 03-30..03-31: nothing
same "week and month roll-ups with the prior period" \
	"$(tr -d '\r' <"$T/april.csv" | awk -F, '$1 == "month" || $2 == "2026-W13" || $2 == "2026-W15" {
		print $2, $17, $18, $3, $4, $14, $15, $16, $19, $20, $21, $22, $23 }')" \
	"2026-W13 2026-03-23 2026-03-29 0 0 0.00 0.00 0.00 5 1 0.00 81.00 81.00
2026-W15 2026-04-06 2026-04-07 2 2 190.00 -108.00 0.00 0 0 0.00 0.00 0.00
2026-03 2026-03-02 2026-03-31 18 10 614.00 -49.00 81.00 0 0 0.00 0.00 0.00
2026-04 2026-04-01 2026-04-07 2 2 190.00 -108.00 0.00 7 3 337.00 -201.00 0.00"
# 03-02..04-07 is 30 + 7 = 37 days; claims on 16 of them (the 18 examples'
# 16 days) and 2 in April: 19 without
same "every day of 03-02..04-07 is a row: 37 days, 19 without claims" \
	"$(tr -d '\r' <"$T/april.csv" | awk -F, '$1 == "day" { n++; if ($3 == 0) z++ } END { print n, z }')" "37 19"

# payers and providers by amount at risk, top N; unmapped payers
psql_val "INSERT INTO claimscrub.payer_profile VALUES ('medicare', 'medicare'), ('default', 'default')
            ON CONFLICT (payer) DO NOTHING" >/dev/null
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --top 1 </dev/null >"$T/top.txt" 2>&1
# at risk: medicare 479 + 18 + 172 = 669 over 12 claims (7 flagged, 10
# findings, 7 open: MC-0401's modifier-conflict decided), aetna 90, (none)
# 45; NPI-1234567893 592, NPI-1497758544 22 + 18 = 40 (MC-0402 is the case
# file's NPI-1234567893: 592 + 172 = 764)
if grep -q '^Payers by amount at risk (top 1 of 3)$' "$T/top.txt" &&
	grep -Eq '^  medicare +12 +7 +58.3% +10 +7 +\$669.00 ' "$T/top.txt" &&
	! grep -Eq '^  aetna ' "$T/top.txt" &&
	grep -q '^Providers by amount at risk (top 1 of 2)$' "$T/top.txt" &&
	grep -Eq '^  NPI-1234567893 +14 +9 .* \$764.00 ' "$T/top.txt"; then ok "report --top 1: the payer and provider with most at risk"
else not_ok "report --top 1: the payer and provider with most at risk" "$(grep -A3 'by amount' "$T/top.txt")"; fi
same "unmapped payers: the 5 aetna claims (the 3 without a payer need no mapping)" \
	"$(grep 'unmapped payers' "$T/top.txt")" "  unmapped payers: 5 claims (aetna)"
timeout 10 "$CLAIMSCRUB" report --top 0 </dev/null >/dev/null 2>&1
same "report --top 0 is a usage error" "$?" 2
# thousands separators: 1,000 claims' worth is more than this test makes;
# the formatter's grouping is checked on the money of a made-up fee
psql_val "UPDATE claimscrub.fee SET amount = 1234567.89 WHERE profile = 'medicare' AND code = '36000'" >/dev/null
timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --since 2026-04-06 --until 2026-04-06 </dev/null >"$T/big.txt" 2>&1
grep -q 'revenue at risk (gross) \$1,234,567.89   net change if fixed -\$1,234,567.89 ' "$T/big.txt" &&
	ok "text money has thousands separators" || not_ok "text money has thousands separators" "$(grep 'revenue at risk' "$T/big.txt")"
same "CSV money stays plain" "$(timeout 60 "$CLAIMSCRUB" report --db "$db_r1" --format csv --since 2026-04-06 --until 2026-04-06 </dev/null |
	tr -d '\r' | awk -F, '$1 == "total" { print $14, $15 }')" "1234567.89 -1234567.89"
psql_val "UPDATE claimscrub.fee SET amount = 18.00 WHERE profile = 'medicare' AND code = '36000'" >/dev/null

# ---- the api applied again changes nothing -----------------------------------------------------------
acl() { psql_val "SELECT string_agg(c.relname || coalesce(c.relacl::text, '-'), ' ' ORDER BY c.relname)
                    FROM pg_class c WHERE c.relnamespace = 'claimscrub'::regnamespace"; }
before=$(acl)
reapply() { for f in "$src"/sql/api/[0-9]*.sql; do psql_script "$f" </dev/null || return 1; done; }
if out=$(reapply 2>&1) && [ "$(acl)" = "$before" ] &&
	[ "$(psql_val "SELECT count(*) FROM claimscrub.finding_audit")" = 6 ]; then
	ok "the api applies again: privileges and the audit trail unchanged"
else not_ok "the api applies again: privileges and the audit trail unchanged" "$out"; fi
finish
