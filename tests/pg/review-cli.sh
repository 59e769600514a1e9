#!/bin/sh
# review-cli.sh — the review workflow's CLI (`claimscrub review` with its
# filters and --claim, resolve, assign, take, defer, route, note) against a
# real database, as two reviewer logins, alice and bob.  The data: the 18
# sample claims of examples/ and IC-2026-0406, a copy of sample 06 (so a
# bulk decision has two findings), scrubbed by claimscrubd --once after a
# two-fee schedule is loaded (default 96366 45.00, medicare 99211 22.00).
# Every number below is worked out by hand from the samples' headers (each
# flagged sample says the one finding it is about; README gives the
# severities):
#   work items   13: the 11 flagged claims (open) and IC-2026-0315,
#                ON-2026-1116 (info findings only: resolved at once)
#   payer        aetna 0306 0406 0308 1113; (none) 0309 0314; medicare 5
#   provider     NPI-1497758544: 1112 1113 (1116 is resolved)
#   severity     warning: 1113 em-needs-modifier-25, 0314 drug-line-missing
#   at risk      0308: line 2, 96366 x2 at 45.00 = 90.00 (aetna: default
#                profile); 0309: line 1, 96366 x1 = 45.00 (no payer:
#                default); 1112: line 1, 99211 x1 at 22.00; the rest 0.00
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

# same NAME GOT WANT — one point: GOT equals WANT (a diff otherwise)
# has NAME FILE STRING... — one point: FILE holds each STRING (fixed)
has() {
	_name=$1 _f=$2; shift 2
	_miss=""
	for _s in "$@"; do grep -qF -- "$_s" "$_f" || _miss="$_miss [$_s]"; done
	if [ -z "$_miss" ]; then ok "$_name"; else not_ok "$_name" "missing:$_miss" "$(head -n 40 "$_f")"; fi
}
# as WHO ARG... — the CLI as login WHO: stdout to $T/out, stderr to
# $T/err, the exit status in $rc
as() {
	_who=$1; shift
	timeout 60 "$CLAIMSCRUB" "$@" --db "$conninfo user=$_who" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
}
# items — the claims of the work list in $T/out, one line, in order
items() { awk '/^[A-Z][A-Z]-2026-[0-9]+  /{printf "%s%s", s, $1; s=" "}' "$T/out"; }
# listed WHO WANT NAME ARG... — one point: `review ARG...` as WHO exits 0
# and lists exactly the claims WANT, in that order
listed() {
	_who=$1 _want=$2 _name=$3; shift 3
	as "$_who" review "$@"
	same "review $_name: exit 0, $(echo "$_want" | wc -w) claim(s)" "$rc $(items)" "0 $_want"
}
fid() { psql_val "SELECT f.id FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id
                   WHERE c.claim_ref = '$1' AND f.rule = '$2' AND f.claim_version = c.version"; }

# ---- the claims, with a fee schedule, scrubbed ------------------------------------------
review_samples
for who in alice bob; do
	psql_val "CREATE ROLE $who LOGIN IN ROLE claimscrub_reviewer" >/dev/null || setup_failed "CREATE ROLE $who"
done
st=$(psql_val "SELECT count(*) || ' ' || count(*) FILTER (WHERE status = 'flagged') FROM claimscrub.claim")
same "19 claims scrubbed, 11 flagged" "$st" "19 11"

# ---- the work list and its filters (alice) --------------------------------------------------
open_by_amount="IC-2026-0308 IC-2026-0309 ON-2026-1112 IC-2026-0305 IC-2026-0306 IC-2026-0406 IC-2026-0307 IC-2026-0310 IC-2026-0311 ON-2026-1113 IC-2026-0314"
listed alice "$open_by_amount" "(default: all but resolved, the most at risk first)"
grep -qx '11 work items shown' "$T/out" && ok "review: says 11 work items shown" ||
	not_ok "review: says 11 work items shown" "$(tail -n 2 "$T/out")"
same "review: the line of IC-2026-0308" "$(grep '^IC-2026-0308 ' "$T/out")" \
	"IC-2026-0308  open  error  rules additional-hour-unsupported  open 1 of 1  at risk 90.00  dos 2026-03-09  payer aetna  provider NPI-1234567893  assignee -  rev 1"
listed alice "IC-2026-0305 IC-2026-0306 IC-2026-0406 IC-2026-0307 IC-2026-0308 IC-2026-0309 IC-2026-0310 IC-2026-0311 ON-2026-1112 ON-2026-1113 IC-2026-0314" \
	"--sort dos" --sort dos
listed alice "IC-2026-0308 IC-2026-0309 ON-2026-1112" "--limit 3" --limit 3
grep -q '^3 work items shown (the limit: there may be more)$' "$T/out" && ok "review --limit 3: says there may be more" ||
	not_ok "review --limit 3: says there may be more" "$(tail -n 1 "$T/out")"
listed alice "IC-2026-0306 IC-2026-0406 IC-2026-0308 ON-2026-1113" "--payer aetna" --payer aetna --sort dos
listed alice "IC-2026-0309 IC-2026-0314" "--payer '(none)'" --payer '(none)' --sort dos
listed alice "ON-2026-1112 ON-2026-1113" "--provider NPI-1497758544" --provider NPI-1497758544 --sort dos
listed alice "ON-2026-1113 IC-2026-0314" "--severity warning" --severity warning --sort dos
listed alice "IC-2026-0306 IC-2026-0406" "--rule infusion-under-16" --rule infusion-under-16 --sort dos
listed alice "IC-2026-0308 IC-2026-0309 ON-2026-1112" "--min-amount 20" --min-amount 20
listed alice "IC-2026-0308" "--min-amount 50.5" --min-amount 50.5
listed alice "" "--older-than 1 (every item opened today)" --older-than 1
# 0315 and 1116 are clean with an info finding each: no work item at all
listed alice "" "--state resolved" --state resolved --sort dos
as alice review --state all --limit 100
same "review --state all: 11 work items" "$rc $(items | wc -w)" "0 11"
as alice review --format json --state all --sort dos
same "review --format json: 11 lines" "$rc $(wc -l <"$T/out")" "0 11"
same "review --format json: every line starts with {\"format\":1," \
	"$(grep -c '^{"format":1,"amount_at_risk":' "$T/out")" 11
same "review --format json: IC-2026-0308, compact, keys in order" "$(grep '"claim":"IC-2026-0308"' "$T/out" | sed 's/"opened_at":"[^"]*"/"opened_at":T/; s/"updated_at":"[^"]*"/"updated_at":T/')" \
	'{"format":1,"amount_at_risk":90.00,"assignee":null,"claim":"IC-2026-0308","date_of_service":"2026-03-09","deferred_until":null,"department":null,"findings":1,"open_findings":1,"opened_at":T,"payer":"aetna","provider":"NPI-1234567893","released_at":null,"revision":1,"rules":["additional-hour-unsupported"],"severity":"error","state":"open","updated_at":T,"updated_by":"'"$PGUSER"'","version":1}'

# ---- take and assign --------------------------------------------------------------------------
as alice take
same "take (alice): the most money at risk, IC-2026-0308" "$rc $(cat "$T/out")" "0 IC-2026-0308"
as bob take
same "take (bob): the next, IC-2026-0309" "$rc $(cat "$T/out")" "0 IC-2026-0309"
listed alice "IC-2026-0308" "--assignee alice" --assignee alice
grep -q '^IC-2026-0308  in-progress  .*  assignee alice  rev 2$' "$T/out" && ok "take: in progress, assigned to alice, revision 2" ||
	not_ok "take: in progress, assigned to alice, revision 2" "$(head -n 1 "$T/out")"
as alice assign IC-2026-0305 --to bob --revision 1
same "assign IC-2026-0305 --to bob --revision 1" "$rc $(cat "$T/out")" "0 IC-2026-0305: assigned to bob (revision 2)"
as alice assign IC-2026-0305 --to alice --revision 1
if [ "$rc" = 1 ] && grep -q 'assign: claim IC-2026-0305: .*changed since you read it (by alice at ' "$T/err"; then
	ok "assign with a stale --revision: exit 1, names the claim and who changed it"
else not_ok "assign with a stale --revision: exit 1, names the claim and who changed it" "exit $rc" "$(cat "$T/err")"; fi
listed alice "IC-2026-0309 IC-2026-0305" "--assignee bob --state in-progress" --assignee bob --state in-progress
as bob assign IC-2026-0305 --unassign
same "assign --unassign" "$rc $(cat "$T/out")" "0 IC-2026-0305: unassigned (revision 3)"
listed alice "IC-2026-0305 IC-2026-0306 IC-2026-0406 IC-2026-0307 IC-2026-0310 IC-2026-0311 ON-2026-1112 ON-2026-1113 IC-2026-0314" \
	"--state open (two taken)" --state open --sort dos
as alice assign NOPE-1 --to bob
if [ "$rc" = 1 ] && grep -q 'claim NOPE-1: claim NOPE-1 has no work item' "$T/err"; then ok "assign NOPE-1: exit 1, names the claim"
else not_ok "assign NOPE-1: exit 1, names the claim" "exit $rc" "$(cat "$T/err")"; fi

# ---- decisions: a conflict, --seen, several ids ----------------------------------------------------
f0308=$(fid IC-2026-0308 additional-hour-unsupported) f0305=$(fid IC-2026-0305 missing-stop-time)
[ -n "$f0308" ] && [ -n "$f0305" ] || setup_failed "the findings of IC-2026-0308 and IC-2026-0305 are not there"
as alice resolve "$f0308" --as corrected-in-billing --note 'billed 96366 x1'
grep -q "^finding $f0308: corrected-in-billing at 20" "$T/out" && [ "$rc" = 0 ] &&
	ok "resolve (alice): exit 0, the decision and its time" || not_ok "resolve (alice): exit 0, the decision and its time" "exit $rc" "$(cat "$T/out" "$T/err")"
seen=$(sed -n "s/^finding $f0308: corrected-in-billing at //p" "$T/out")
as bob resolve "$f0308" "$f0305" --as rule-wrong
if [ "$rc" = 1 ] && grep -q "resolve: finding $f0308: finding $f0308 was decided by alice at .* since you read it" "$T/err"; then
	ok "resolve (bob) of alice's decision: exit 1, names the finding, alice and when"
else not_ok "resolve (bob) of alice's decision: exit 1, names the finding, alice and when" "exit $rc" "$(cat "$T/err")"; fi
grep -q "^finding $f0305: rule-wrong at " "$T/out" && ok "resolve (bob): the other finding is still decided" ||
	not_ok "resolve (bob): the other finding is still decided" "$(cat "$T/out")"
dec=$(psql_val "SELECT string_agg(resolved_by || ':' || reason || ':' || coalesce(note, '-'), ' ' ORDER BY id)
                  FROM claimscrub.finding WHERE id IN ($f0308, $f0305)")
same "the database: 0308 alice's, 0305 bob's" "$dec" "$(if [ "$f0308" -lt "$f0305" ]; then
	echo "alice:corrected-in-billing:billed 96366 x1 bob:rule-wrong:-"; else
	echo "bob:rule-wrong:- alice:corrected-in-billing:billed 96366 x1"; fi)"
as bob resolve "$f0308" --as rule-wrong --seen "$seen" --note 'the time supports two'
same "resolve --seen (bob, what he read): decides over alice's" "$rc $(psql_val "SELECT resolved_by FROM claimscrub.finding WHERE id = $f0308")" "0 bob"
as bob resolve 999999 --as corrected
if [ "$rc" = 1 ] && grep -q 'resolve: finding 999999: no finding 999999' "$T/err"; then ok "resolve 999999: exit 1, no finding"
else not_ok "resolve 999999: exit 1, no finding" "exit $rc" "$(cat "$T/err")"; fi
as bob resolve "$f0305" --as no-such-reason
same "resolve --as no-such-reason: exit 1" "$rc $(grep -c 'no reason code no-such-reason' "$T/err")" "1 1"

# ---- defer, route, note ----------------------------------------------------------------------------
as alice defer IC-2026-0310 --until 2099-01-01 --note 'waiting on the MAR'
same "defer IC-2026-0310 --until 2099-01-01" "$rc $(cat "$T/out")" "0 IC-2026-0310: deferred until 2099-01-01 (revision 2)"
listed alice "IC-2026-0310" "--state deferred" --state deferred
grep -q '^IC-2026-0310  deferred until 2099-01-01  error  ' "$T/out" && ok "review: deferred until the day" ||
	not_ok "review: deferred until the day" "$(head -n 1 "$T/out")"
as alice defer IC-2026-0311 --until 2020-01-01
same "defer to a past day: exit 1, the server's reason" "$rc $(grep -c 'defer until a day after today' "$T/err")" "1 1"
as alice defer IC-2026-0311 --until 2026-02-30
same "defer --until 2026-02-30: exit 2" "$rc" 2
as bob route IC-2026-0311 --to pharmacy --note 'need the stop time'
same "route IC-2026-0311 --to pharmacy" "$rc $(cat "$T/out")" "0 IC-2026-0311: waiting for documentation from pharmacy (revision 2)"
listed bob "IC-2026-0311" "--state waiting-documentation" --state waiting-documentation
grep -q '^IC-2026-0311  waiting-documentation from pharmacy  ' "$T/out" && ok "review: waiting for pharmacy" ||
	not_ok "review: waiting for pharmacy" "$(head -n 1 "$T/out")"
f0309=$(fid IC-2026-0309 addon-without-primary)
as bob note IC-2026-0309 'called the clinic' --finding "$f0309"
grep -Eq '^IC-2026-0309: note [0-9]+ added$' "$T/out" && [ "$rc" = 0 ] && ok "note --finding: exit 0" ||
	not_ok "note --finding: exit 0" "exit $rc" "$(cat "$T/out" "$T/err")"
as bob note IC-2026-0309 'x' --finding "$f0308"
same "note with another claim's finding: exit 1" "$rc $(grep -c "claim IC-2026-0309 has no finding $f0308" "$T/err")" "1 1"
as bob note NOPE-2 'hello'
same "note on no claim: exit 1, names it" "$rc $(grep -c 'note: claim NOPE-2: no claim NOPE-2' "$T/err")" "1 1"

# ---- bulk -------------------------------------------------------------------------------------------
as alice resolve --rule infusion-under-16 --as payer-exception --payer aetna --dry-run
same "resolve --rule --dry-run: counts 2" "$rc $(cat "$T/out")" "0 2 findings would be decided"
same "resolve --dry-run decided nothing" "$(psql_val "SELECT count(*) FROM claimscrub.finding WHERE rule = 'infusion-under-16' AND resolution IS NULL")" 2
as alice resolve --rule infusion-under-16 --as payer-exception --payer aetna --note 'contract 7'
same "resolve --rule: decides the 2" "$rc $(cat "$T/out")" "0 2 findings decided"
as alice resolve --rule infusion-under-16 --as payer-exception --dry-run
same "resolve --rule --dry-run again: 0" "$rc $(cat "$T/out")" "0 0 findings would be decided"
listed alice "IC-2026-0305 IC-2026-0306 IC-2026-0406 IC-2026-0308" "--state resolved (after the decisions)" \
	--state resolved --sort dos

# ---- review --claim -------------------------------------------------------------------------------------
reads() { psql_val "SELECT count(*) FROM claimscrub.work_audit a JOIN claimscrub.claim c ON c.id = a.claim_id
                     WHERE c.claim_ref = 'IC-2026-0308' AND a.action = 'read'"; }
r0=$(reads)
as alice review --claim IC-2026-0308
same "review --claim (text): exit 0" "$rc" 0
same "review --claim (text): one logged read" "$(($(reads) - r0))" 1
has "review --claim: header and work item" "$T/out" \
	"== IC-2026-0308  version 1  flagged  facility  profile default" \
	"   payer aetna  provider NPI-1234567893  date of service 2026-03-09  scrubbed 20" \
	"work item: resolved  assignee alice  worst open -  open 0 of 1  at risk 0.00  revision "
has "review --claim: expected codes beside the billed lines" "$T/out" \
	"  96365        x1   A1           billed x1 on line 1" \
	"  96366        x1   A1           billed x2 on line 2  <- differs" \
	"  other billed lines" \
	"    J1569                        billed x70 on line 3"
grep -q 'not expected' "$T/out" && not_ok "review --claim: no line is called 'not expected'" "$(grep 'not expected' "$T/out")" ||
	ok "review --claim: no line is called 'not expected'"
grep -Eq '^    A1    03-09T09:00     03-09T11:20      140 min \|\[=+\]\|  site L-forearm  therapeutic  infusion  immune globulin$' "$T/out" &&
	ok "review --claim: the administration on the timeline" || not_ok "review --claim: the administration on the timeline" "$(grep -A2 '^administrations' "$T/out")"
has "review --claim: the finding with evidence, fix and decision" "$T/out" \
	"  #$f0308  error   additional-hour-unsupported  version 1  line 2  administration A1" \
	"      line 2 bills 2 unit(s) of 96366" "      evidence: " "      fix: bill 96366 x1 on line 2" \
	"      decided: false-positive (rule-wrong) by bob at 20" ": the time supports two"
grep -qx 'notes: none' "$T/out" && grep -qx 'trail' "$T/out" && ok "review --claim: no notes, a trail" ||
	not_ok "review --claim: no notes, a trail" "$(grep -E '^(notes|trail)' "$T/out")"
has "review --claim: the trail" "$T/out" " alice  take" \
	" alice  decide finding #$f0308  {\"note\": \"billed 96366 x1\", \"reason\": \"corrected-in-billing\"}" \
	" bob  decide finding #$f0308" " alice  read"
# a claim the record supports no code of (A1 has no stop time): 'none',
# and its billed 96365 among the other lines
as alice review --claim IC-2026-0305
has "review --claim: nothing expected reads 'none'" "$T/out" \
	"expected codes and billed lines" "  none" "  other billed lines" \
	"    96365                        billed x1 on line 1" \
	"    J3370                        billed x3 on line 2"
as alice review --claim IC-2026-0307
has "review --claim IC-2026-0307: a code billed on two lines names both" "$T/out" \
	"  96365        x1   A1           billed x2 on lines 1,2  <- differs" \
	"  96367        x1   A2           not billed"
as bob review --claim IC-2026-0309
grep -q "^  20.*  bob on finding #$f0309: called the clinic$" "$T/out" && ok "review --claim IC-2026-0309: the note, on its finding" ||
	not_ok "review --claim IC-2026-0309: the note, on its finding" "$(grep -A3 '^notes' "$T/out")"
as alice review --claim IC-2026-0308 --format json
same "review --claim --format json: one line" "$rc $(wc -l <"$T/out")" "0 1"
has "review --claim --format json: claim_detail's document" "$T/out" '"format": 1' '"claim": "IC-2026-0308"' \
	"\"id\": $f0308" '"by": "bob"' '"reason": "rule-wrong"'
as alice review --claim NOPE-3
same "review --claim NOPE-3: exit 1, names it" "$rc $(grep -c 'review: claim NOPE-3: no claim NOPE-3' "$T/err")" "1 1"

# ---- a rebill carries bob's decision on IC-2026-0305 to its version 2 -----------------------------------
timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$src/examples/05-missing-stop-time.yaml" \
	</dev/null >"$T/submit2.out" 2>&1 || setup_failed "submit of version 2 failed: $(tail -n 3 "$T/submit2.out")"
start_daemon "$T/d.yaml" --once
wait_daemon "$daemon_pid" 120 || { tail_log "$daemon_log"; setup_failed "claimscrubd --once (version 2) failed"; }
f0305b=$(fid IC-2026-0305 missing-stop-time)
as alice review --claim IC-2026-0305
[ "$f0305b" != "$f0305" ] && awk '/^  #/{print $1}' "$T/out" | tr '\n' ' ' | grep -qx "#$f0305b #$f0305 " &&
	ok "review --claim after a rebill: version 2's finding first, then version 1's" ||
	not_ok "review --claim after a rebill: version 2's finding first, then version 1's" "$(grep '^  #' "$T/out")"
has "review --claim after a rebill: the carried decision is marked" "$T/out" \
	"== IC-2026-0305  version 2  flagged" "work item: resolved  assignee -" \
	"  #$f0305b  error   missing-stop-time  version 2  line 1" \
	"  #$f0305  error   missing-stop-time  version 1 (earlier)  line 1" \
	"decided: false-positive (rule-wrong) by bob at 20" "  [carried from #$f0305]"

# ---- text a terminal would act on, stored through the CLI, comes back escaped -----------------------------
evil=$(printf 'ph\033[31marm\302\233\342\200\256x')
shown='ph\x1b[31marm\u009b\u202ex'
as bob route IC-2026-0314 --to "$evil"
check "route --to (ESC, C1, bidi): exit 0, echoed escaped" eval '[ "$rc" = 0 ] && terminal_safe "$T/out" && grep -qF "from $shown (revision" "$T/out"'
as bob note IC-2026-0314 "note $evil"
as alice review --state waiting-documentation
check "review: the department escaped" eval 'terminal_safe "$T/out" && grep -qF "waiting-documentation from $shown  warning" "$T/out"'
as alice review --claim IC-2026-0314
check "review --claim: the note, the department and the trail escaped" eval \
	'terminal_safe "$T/out" && grep -qF "  bob: note $shown" "$T/out" && grep -qF "waiting-documentation from $shown" "$T/out"'

# ---- usage errors: exit 2, nothing sent --------------------------------------------------------------
for args in "review --claim IC-2026-0308 --rule x" "review --state closed" "review --min-amount 1.234" \
	"review --sort size" "review --limit 1001" "resolve 1" "resolve x1 --as corrected" \
	"resolve --rule x --as corrected 1" "resolve 1 --as corrected --dry-run" "assign IC-2026-0305" \
	"assign IC-2026-0305 --to bob --unassign" "assign IC-2026-0305 --to ''" "defer IC-2026-0305" \
	"route IC-2026-0305" "note IC-2026-0305" "take x"; do
	eval "as alice $args"
	same "$args: exit 2" "$rc" 2
done
as alice take --team nobody
same "take --team nobody: exit 1, none to take" "$rc $(grep -c 'no open work item to take' "$T/err")" "1 1"

consistency_check "after the reviewers' commands"
finish
