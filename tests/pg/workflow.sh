#!/bin/sh
# workflow.sh — the review workflow's database side (sql/api/060_workflow.sql)
# walked by two reviewers, alice and bob (claimscrub_reviewer), on the 18
# sample claims of examples/ with the example fee schedule: work items and
# their money, the work list's filters and sorts, take, assign, a decision
# conflict refused, defer, route and a rebill that reopens, a note without
# a decision, a bulk decision with its dry run, a rebill that carries a
# decision, release, the claim's record and the trail of every step and
# every read; then what each role may do.  Every expected figure is worked
# out by hand from the examples' own descriptions (the one finding each
# flagged claim is about, its line, payer and date) and the fees in
# examples/rules.d/60-fees.yaml (aetna and claims without a payer are
# judged by the default profile).  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

# as ROLE SQL [PSQL-ARG...] — SQL as login ROLE, output and errors together
as() { _role=$1 _sql=$2; shift 2; psql_val "$_sql" -U "$_role" "$@" </dev/null 2>&1; }
# same NAME GOT WANT — one point: GOT equals WANT (a diff otherwise)
# refused NAME PATTERN ROLE SQL — one point: SQL fails as ROLE, saying PATTERN
refused() {
	if _out=$(as "$3" "$4"); then not_ok "$1" "it succeeded: $_out"
	elif printf '%s' "$_out" | grep -Eq -- "$2"; then ok "$1"
	else not_ok "$1" "failed, but not with '$2': $_out"; fi
}
scrub_once() {
	start_daemon "$T/d.yaml" --once
	wait_daemon "$daemon_pid" 120 || { tail_log "$daemon_log"; not_ok "claimscrubd --once"; }
}
item() { psql_val "SELECT $2 FROM claimscrub.work_item w JOIN claimscrub.claim c ON c.id = w.claim_id
                    WHERE c.claim_ref = '$1'"; }
fid() { psql_val "SELECT f.id FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id
                   WHERE c.claim_ref = '$1' AND f.claim_version = c.version AND f.rule = '$2'"; }

# buckets STATE [FILTERS] — work_buckets(STATE, ...) as alice, one row a line
buckets() {
	as alice "SELECT dimension || ' ' || key || ' ' || items || ' ' || amount_at_risk
	            FROM claimscrub.work_buckets($1${2:-}) ORDER BY dimension, items DESC, key"
}
# tally_same WHEN — the buckets read from the counts (no filter but the
# state) are those counted from the items (any other filter forces that:
# older_than => -36500 keeps every item), for every state filter
tally_same() {
	_diff=""
	for _st in NULL "'all'" "'open'" "'in-progress'" "'deferred'" "'waiting-documentation'" "'resolved'"; do
		_c=$(buckets "$_st") _l=$(buckets "$_st" ", older_than => -36500")
		[ "$_c" = "$_l" ] || _diff="$_diff
state $_st, counted:
$_c
items:
$_l"
	done
	if [ -z "$_diff" ]; then ok "the buckets' counts are the items' ($1)"
	else not_ok "the buckets' counts are the items' ($1)" "$_diff"; fi
}

# ---- the sample claims, fees, scrubbed ---------------------------------------------------
timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$src"/examples/[0-9]*.yaml \
	</dev/null >"$T/submit.out" 2>&1 || setup_failed "submit failed: $(tail -n 3 "$T/submit.out")"
timeout 60 "$CLAIMSCRUB" db fees --db "$conninfo" --rules "$src/rules.d" --rules "$src/examples/rules.d" \
	</dev/null >"$T/fees.out" 2>&1 || setup_failed "db fees failed: $(cat "$T/fees.out")"
write_config "$T/d.yaml"
scrub_once
for r in alice bob; do psql_val "CREATE ROLE $r LOGIN IN ROLE claimscrub_reviewer" >/dev/null; done
psql_val "CREATE ROLE d1 LOGIN IN ROLE claimscrub_daemon; CREATE ROLE s1 LOGIN IN ROLE claimscrub_submitter" >/dev/null

# ---- work items ---------------------------------------------------------------------------
# 10 flagged claims, each one open item; 15 and 16 are clean with an info
# finding each: nothing to decide, no work item
same "10 work items, all open; none for the clean claims with info findings" \
	"$(psql_val "SELECT state || ' ' || count(*) || ' ' || count(released_at) FROM claimscrub.work_item GROUP BY state ORDER BY state" | tr '\n' ';')" \
	"open 10 0;"
# one amount per line with an open error finding: fee x units
#   0306 aetna/default 96365 190.00; 0305 and 0307 medicare 96365 172.00;
#   0310 medicare 96361 x 3 = 102.00; 0308 default 96366 x 2 = 90.00;
#   0309 default 96366 45.00; 1112 medicare 99211 22.00; 0311 medicare
#   36000 18.00; 1113 and 0314: warnings only, 0.00 (then by date of
#   service: 1113 is 2026-03-13, 0314 2026-03-16)
same "work_list by amount: the 10 open items, money from the fee table" \
	"$(as alice "SELECT claim_ref || ' ' || amount_at_risk FROM claimscrub.work_list()" | tr '\n' ';')" \
	"IC-2026-0306 190.00;IC-2026-0305 172.00;IC-2026-0307 172.00;IC-2026-0310 102.00;IC-2026-0308 90.00;IC-2026-0309 45.00;ON-2026-1112 22.00;IC-2026-0311 18.00;ON-2026-1113 0.00;IC-2026-0314 0.00;"
same "work_list by date of service" \
	"$(as alice "SELECT string_agg(claim_ref, ' ') FROM claimscrub.work_list(sort => 'dos', lim => 4)")" \
	"IC-2026-0305 IC-2026-0306 IC-2026-0307 IC-2026-0308"
same "filter payer medicare: 5 open items" \
	"$(as alice "SELECT count(*) FROM claimscrub.work_list(f_payer => 'medicare')")" 5
same "filter severity warning (the worst open finding): 0314 and 1113" \
	"$(as alice "SELECT string_agg(claim_ref, ' ' ORDER BY claim_ref) FROM claimscrub.work_list(f_severity => 'warning')")" \
	"IC-2026-0314 ON-2026-1113"
same "filter rule hydration-concurrent: 0310" \
	"$(as alice "SELECT string_agg(claim_ref, ' ') FROM claimscrub.work_list(f_rule => 'hydration-concurrent')")" \
	"IC-2026-0310"
same "filter provider NPI-1497758544 and min amount 100: none; min amount 100 alone: 4" \
	"$(as alice "SELECT (SELECT count(*) FROM claimscrub.work_list(f_provider => 'NPI-1497758544', min_amount => 100))
	                 || ' ' || (SELECT count(*) FROM claimscrub.work_list(min_amount => 100))")" "0 4"
same "state resolved: none yet" \
	"$(as alice "SELECT count(*) FROM claimscrub.work_list(f_state => 'resolved')")" 0
refused "an unknown sort is refused" "sort by amount, age or dos" alice "SELECT * FROM claimscrub.work_list(sort => 'payer')"

# the buckets, read from the counts: the 10 open items and their money as
# above (811.00 in all), by payer (the examples' payer: lines): medicare
# 0305 0307 0310 0311 1112 (172+172+102+18+22 = 486.00), aetna 0306 0308
# 1113 (190+90+0 = 280.00), none 0309 0314 (45+0 = 45.00)
same "buckets from the counts: by state, and by payer" \
	"$(buckets NULL | grep -E '^(state|payer) ' | tr '\n' ';')" \
	"payer medicare 5 486.00;payer aetna 3 280.00;payer (none) 2 45.00;state open 10 811.00;"
tally_same "after the first scrub"

# ---- take ----------------------------------------------------------------------------------------
same "alice takes the most money at risk: 0306" "$(as alice "SELECT claimscrub.work_take()")" IC-2026-0306
same "bob takes the next: 0305 (172.00, before 0307 by date of service)" "$(as bob "SELECT claimscrub.work_take()")" IC-2026-0305
same "both in progress, each assigned to the one who took it" \
	"$(item IC-2026-0306 "state || ' ' || assignee || ' ' || revision") / $(item IC-2026-0305 "state || ' ' || assignee || ' ' || revision")" \
	"in-progress alice 2 / in-progress bob 2"

# ---- a decision, and a conflict -------------------------------------------------------------
f306=$(fid IC-2026-0306 infusion-under-16)
[ -n "$f306" ] || setup_failed "no infusion-under-16 finding on IC-2026-0306"
same "alice decides 0306's finding: rule-wrong, with a note" \
	"$(as alice "SELECT claimscrub.decide($f306, 'rule-wrong', 'the pump log shows 31 minutes') IS NOT NULL")" t
refused "bob deciding it as well, having read it undecided, is refused naming alice" \
	"finding $f306 was decided by alice at " bob "SELECT claimscrub.decide($f306, 'corrected-in-billing')"
same "the decision is alice's: false-positive for rule-wrong" \
	"$(psql_val "SELECT resolution || ' ' || reason || ' ' || resolved_by FROM claimscrub.finding WHERE id = $f306")" \
	"false-positive rule-wrong alice"
seen=$(psql_val "SELECT resolved_at FROM claimscrub.finding WHERE id = $f306")
same "bob, having read alice's decision (seen), may decide over it" \
	"$(as bob "SELECT claimscrub.decide($f306, 'documented-elsewhere', NULL, '$seen') IS NOT NULL")" t
refused "an unknown reason code is refused" "no reason code no-such-reason" bob \
	"SELECT claimscrub.decide($(fid IC-2026-0305 missing-stop-time), 'no-such-reason')"
same "0306: every error decided, so resolved and released" \
	"$(item IC-2026-0306 "state || ' ' || (released_at IS NOT NULL) || ' ' || open_findings")" "resolved true 0"

# ---- assign with a revision ---------------------------------------------------------------------
refused "assigning with a stale revision is refused" "changed since you read it \\(by bob at" alice \
	"SELECT claimscrub.work_assign('IC-2026-0305', 'alice', 1)"
same "with the revision read: assigned to alice, revision 3" \
	"$(as bob "SELECT claimscrub.work_assign('IC-2026-0305', 'alice', 2)")" 3

# ---- defer ------------------------------------------------------------------------------------------
refused "deferring to today is refused" "defer until a day after today" alice \
	"SELECT claimscrub.work_defer('IC-2026-0307', current_date)"
as alice "SELECT claimscrub.work_defer('IC-2026-0307', current_date + 7, 'waiting for the payer')" >/dev/null
same "0307 deferred a week" "$(item IC-2026-0307 "state || ' ' || (deferred_until - current_date)")" "deferred 7"
same "bob takes the next: not the deferred 0307 but 0310" "$(as bob "SELECT claimscrub.work_take()")" IC-2026-0310

# ---- route, and a new version reopens ---------------------------------------------------------------
as alice "SELECT claimscrub.work_route('IC-2026-0305', 'pharmacy', 'stop time is on the paper MAR')" >/dev/null
same "0305 waits for documentation from pharmacy" "$(item IC-2026-0305 "state || ' ' || department")" \
	"waiting-documentation pharmacy"
# the rebill: the drug line's units corrected (3 -> 2); still no stop time
psql_val "UPDATE claimscrub.claim_line SET units = 2 WHERE line_no = 2
            AND claim_id = (SELECT id FROM claimscrub.claim WHERE claim_ref = 'IC-2026-0305')" >/dev/null
scrub_once
same "its new version reopens it, assignee kept, department cleared" \
	"$(item IC-2026-0305 "claim_version || ' ' || state || ' ' || assignee || ' ' || coalesce(department, '-')")" \
	"2 in-progress alice -"

tally_same "after take, decide, assign, defer, route and a new version"

# ---- a note without a decision ----------------------------------------------------------------------
nid=$(as bob "SELECT claimscrub.work_note('IC-2026-0310', 'asked nursing for the hydration stop time')")
same "bob's note is on 0310, its finding still open" \
	"$(psql_val "SELECT author || ' ' || (SELECT count(*) FROM claimscrub.finding f WHERE f.claim_id = n.claim_id AND f.resolution IS NULL) FROM claimscrub.work_note n WHERE id = $nid")" \
	"bob 1"

# ---- bulk -----------------------------------------------------------------------------------------------
same "bulk dry run: iv-start-bundled for medicare touches 1 finding" \
	"$(as alice "SELECT claimscrub.decide_bulk('iv-start-bundled', 'payer-exception', payer => 'medicare')")" 1
same "the dry run decided nothing" "$(item IC-2026-0311 "state || ' ' || open_findings")" "open 1"
same "bulk: 1 finding decided" \
	"$(as alice "SELECT claimscrub.decide_bulk('iv-start-bundled', 'payer-exception', 'contract 2026-14', payer => 'medicare', dry_run => false)")" 1
same "0311 resolved and released" "$(item IC-2026-0311 "state || ' ' || (released_at IS NOT NULL)")" "resolved true"
same "bulk names its rule" "$(as alice "SELECT claimscrub.decide_bulk(NULL, 'rule-wrong')" | grep -c 'names its rule')" 1

# ---- a rebill carries the decision ----------------------------------------------------------------------
psql_val "UPDATE claimscrub.claim SET status = 'pending' WHERE claim_ref = 'IC-2026-0306'" >/dev/null
scrub_once
same "0306 resubmitted unchanged: version 2, its finding carries bob's decision" \
	"$(psql_val "SELECT f.claim_version || ' ' || f.resolution || ' ' || f.reason || ' ' || f.resolved_by || ' ' || (f.carried_from = $f306)
	               FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id
	              WHERE c.claim_ref = 'IC-2026-0306' ORDER BY f.claim_version DESC LIMIT 1")" \
	"2 false-positive documented-elsewhere bob true"
same "and stays resolved and released" "$(item IC-2026-0306 "claim_version || ' ' || state || ' ' || (released_at IS NOT NULL)")" "2 resolved true"
same "the report counts the decision once" \
	"$(psql_val "SELECT findings || ' ' || false_positives FROM claimscrub.findings_by_rule WHERE rule = 'infusion-under-16'")" "1 1"

tally_same "after a bulk decision and a rebill"

# ---- the claim's record -------------------------------------------------------------------------------------
doc=$(as alice "SELECT claimscrub.claim_detail('IC-2026-0306')")
same "claim_detail: format 1, 2 lines, 1 administration with its times, findings of both versions" \
	"$(as alice "SELECT d->>'format', jsonb_array_length(d->'lines'), jsonb_array_length(d->'administrations'),
	                    d->'administrations'->0 ? 'start', d->'administrations'->0 ? 'stop',
	                    (SELECT string_agg((f->>'version') || ':' || (f->'decision'->>'reason'), ' ')
	                       FROM jsonb_array_elements(d->'findings') f)
	               FROM (SELECT claimscrub.claim_detail('IC-2026-0306') d) x" -F ' ')" \
	"1 2 1 t t 2:documented-elsewhere 1:documented-elsewhere"
case $doc in *'"expected"'*'"code": "96365"'*) ok "claim_detail has the expected codes" ;;
*) not_ok "claim_detail has the expected codes" "$doc" ;; esac
same "every read of a claim's record is in the trail: alice read 0306 twice" \
	"$(psql_val "SELECT count(*) FROM claimscrub.work_audit a JOIN claimscrub.claim c ON c.id = a.claim_id
	              WHERE c.claim_ref = 'IC-2026-0306' AND a.action = 'read' AND a.actor = 'alice'")" 2
same "the trail holds every step, by whom" \
	"$(psql_val "SELECT string_agg(DISTINCT action || ':' || actor, ' ') FROM claimscrub.work_audit")" \
	"assign:bob decide:alice decide:bob defer:alice note:bob read:alice route:alice take:alice take:bob"
refused "the trail is append-only, for its owner too" "append-only" postgres "DELETE FROM claimscrub.work_audit"

# ---- payers: a payer id mapped to a profile ------------------------------------------------------------------
mkdir -p "$T/payers.d"
printf 'payers:\n  medicare: ["CMS", "00430"]\n' >"$T/payers.d/90-payers.yaml"
out=$(timeout 60 "$CLAIMSCRUB" db fees --db "$conninfo" --rules "$src/rules.d" --rules "$src/examples/rules.d" \
	--rules "$T/payers.d" </dev/null 2>&1)
case $out in *"loaded 2 payer names of the payers: section"*) ok "db fees loads the 2 payer names" ;;
*) not_ok "db fees loads the 2 payer names" "$out" ;; esac
same "payer_profile: the profiles' own names and the payers: list, lower case" \
	"$(psql_val "SELECT string_agg(payer || '=' || profile, ' ' ORDER BY payer) FROM claimscrub.payer_profile")" \
	"00430=medicare cms=medicare default=default medicare=medicare"
sed 's/^claim: IC-2026-0306$/claim: IC-2026-0306-CMS/; s/^payer: aetna$/payer: CMS/' \
	"$src/examples/06-twelve-minute-infusion.yaml" >"$T/cms.yaml"
timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$T/cms.yaml" </dev/null >/dev/null 2>&1
write_config "$T/payers.yaml" "rules: [\"$src/rules.d\", \"$T/payers.d\"]"
start_daemon "$T/payers.yaml" --once
wait_daemon "$daemon_pid" 120 || tail_log "$daemon_log"
same "a claim of payer CMS is judged by the medicare profile" \
	"$(psql_val "SELECT result->>'profile' FROM claimscrub.claim WHERE claim_ref = 'IC-2026-0306-CMS'")" medicare

# ---- what each role may do ---------------------------------------------------------------------------------
for t in work_item work_audit work_note finding claim; do
	refused "alice cannot read claimscrub.$t" "permission denied" alice "SELECT count(*) FROM claimscrub.$t"
done
refused "alice cannot change a work item" "permission denied" alice "UPDATE claimscrub.work_item SET state = 'resolved'"
refused "alice cannot write the trail" "permission denied" alice \
	"INSERT INTO claimscrub.work_audit (claim_id, action, actor, db_session_user) VALUES (1, 'x', 'x', 'x')"
same "alice may read the reason codes" "$(as alice "SELECT count(*) FROM claimscrub.reason")" 7
refused "the daemon cannot decide" "permission denied" d1 "SELECT claimscrub.decide($f306, 'rule-wrong')"
refused "the daemon cannot take work" "permission denied" d1 "SELECT claimscrub.work_take()"
refused "the submitter cannot list work" "permission denied" s1 "SELECT * FROM claimscrub.work_list()"
refused "the submitter cannot read a claim's record" "permission denied" s1 "SELECT claimscrub.claim_detail('IC-2026-0306')"
# a decision only the carry trigger makes: the daemon's own is refused
refused "the daemon cannot insert a finding with a carried_from of its own" "permission denied" d1 \
	"INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule, severity, message, carried_from)
	 SELECT id, version, 99, 'x', 'info', 'x', 1 FROM claimscrub.claim WHERE claim_ref = 'IC-2026-0301'"
refused "... nor one with a resolution" "permission denied" d1 \
	"INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule, severity, message, resolution)
	 SELECT id, version, 98, 'x', 'info', 'x', 'corrected' FROM claimscrub.claim WHERE claim_ref = 'IC-2026-0301'"
# ---- the buckets' counts: folding, rebuilding, the age bands at their edges ------------------
tally_same "at the end, before folding"
delta=$(psql_val "SELECT count(*) FROM claimscrub.work_tally_delta")
psql_val "SELECT claimscrub.work_tally_fold(1000000)" >/dev/null
same "a fold asked for a million changes waits: none folded" \
	"$(psql_val "SELECT count(*) FROM claimscrub.work_tally_delta")" "$delta"
psql_val "SELECT claimscrub.work_tally_fold()" >/dev/null
same "a fold: no change left to add in" "$(psql_val "SELECT count(*) FROM claimscrub.work_tally_delta")" 0
tally_same "folded"
tally_rows="SELECT string_agg(state || ' ' || dimension || ' ' || key || ' ' || items || ' ' || amount, ';'
                              ORDER BY state, dimension, key) FROM claimscrub.work_tally"
folded=$(psql_val "$tally_rows")
psql_val "SELECT claimscrub.work_tally_rebuild()" >/dev/null
same "counts kept change by change are the counts made again from the items" "$(psql_val "$tally_rows")" "$folded"
refused "a reviewer cannot fold or rebuild the counts themselves" "permission denied" alice \
	"SELECT claimscrub.work_tally_fold()"
# The counts' update trigger keeps its plan for the session, made at its
# first update there, often of a row or none (the daemon's first upsert):
# after a one-item update, an update of every item must still join the
# transition tables without a nested loop (one kept from then compared
# every row with every row: 16,000 items, 39 s).  auto_explain shows the
# plans of both.
plans=$(psql_val "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;
	SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice;
	SET client_min_messages = notice; BEGIN;
	UPDATE claimscrub.work_item SET updated_at = updated_at
	 WHERE claim_id = (SELECT min(claim_id) FROM claimscrub.work_item);
	UPDATE claimscrub.work_item SET updated_at = updated_at; ROLLBACK" 2>&1 |
	awk '/NOTICE:/ { if (q) print (nl ? "nested-loop" : "no-nested-loop"); q = 0; nl = 0 }
	     /JOIN old_rows/ { q = 1 } /Nested Loop/ { nl = 1 }
	     END { if (q) print (nl ? "nested-loop" : "no-nested-loop") }' | tr '\n' ' ')
same "the counts' trigger joins the items of a one-item update, then of every item, without a nested loop" \
	"$plans" "no-nested-loop no-nested-loop "
# Ages at a fixed moment N (UTC), every item opened at a chosen time: the
# band edges are N less 1, 7 and 30 days, an item exactly at an edge is in
# the older band, and an hour holding an edge is looked at item by item.
#   0305 N-1d+1s -> 0-1     0306 N-1d -> 1-7        0307 N-1d-20min -> 1-7
#   0308 31 May 13:05 -> 0-1 (the hour after the edge's)
#   0309 31 May 11:59:59 -> 1-7 (the hour before)
#   0310 N-7d+1s -> 1-7     0311 N-7d-1s -> 7-30
#   1112 N-30d+1s -> 7-30   1113 N-30d -> 30+       every other item 1 Jan -> 30+
# so 0-1: 2, 1-7: 4, 7-30: 2, 30+: 2 and the items not named
N="2026-06-01 12:30:00+00"
moved=$(psql_val "UPDATE claimscrub.work_item w SET opened_at = CASE c.claim_ref
		WHEN 'IC-2026-0305' THEN '2026-05-31 12:30:01+00'
		WHEN 'IC-2026-0306' THEN '2026-05-31 12:30:00+00'
		WHEN 'IC-2026-0307' THEN '2026-05-31 12:10:00+00'
		WHEN 'IC-2026-0308' THEN '2026-05-31 13:05:00+00'
		WHEN 'IC-2026-0309' THEN '2026-05-31 11:59:59+00'
		WHEN 'IC-2026-0310' THEN '2026-05-25 12:30:01+00'
		WHEN 'IC-2026-0311' THEN '2026-05-25 12:29:59+00'
		WHEN 'ON-2026-1112' THEN '2026-05-02 12:30:01+00'
		WHEN 'ON-2026-1113' THEN '2026-05-02 12:30:00+00'
		ELSE '2026-01-01 00:00:00+00' END::timestamptz
	  FROM claimscrub.claim c WHERE c.id = w.claim_id RETURNING 1" | wc -l)
others=$(psql_val "SELECT count(*) - 9 FROM claimscrub.work_item")
same "every item's opening moved" "$moved" "$((others + 9))"
same "the age bands at their edges, from the counts" \
	"$(psql_val "SET TimeZone = 'UTC'; SELECT string_agg(key || ' ' || items, ';' ORDER BY key)
	               FROM claimscrub.work_buckets_counted('all', '$N') WHERE dimension = 'age'")" \
	"0-1 days 2;1-7 days 4;30+ days $((1 + others));7-30 days 2"
tally_same "every item's opening moved"

# ---- a claim whose result the server refuses whole -----------------------------------------------------------
# mark_invalid (the daemon's last resort: the status and the result alone,
# no finding row) leaves no work item of the claim's earlier version
ref=$(psql_val "SELECT c.claim_ref FROM claimscrub.claim c JOIN claimscrub.work_item w ON w.claim_id = c.id
                 WHERE c.status = 'flagged' ORDER BY c.id LIMIT 1")
psql_val "BEGIN;
SET LOCAL claimscrub.submitting = 'on';
UPDATE claimscrub.claim SET version = version + 1, status = 'pending' WHERE claim_ref = '$ref';
COMMIT;" >/dev/null
same "a resubmitted claim keeps its work item until it is scrubbed ($ref)" \
	"$(item "$ref" "count(*)") $(psql_val "SELECT status FROM claimscrub.claim WHERE claim_ref = '$ref'")" "1 pending"
same "mark_invalid (as the daemon): marked" \
	"$(as d1 "SELECT claimscrub.mark_invalid(id, '{\"verdict\": \"invalid\", \"findings\": []}', version) FROM claimscrub.claim WHERE claim_ref = '$ref'")" t
same "... and the work item of its earlier version is gone" "$(item "$ref" "count(*)")" 0
pub=$(psql_val "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'claimscrub'::regnamespace
                  AND has_function_privilege('public', p.oid, 'EXECUTE')")
same "PUBLIC can execute no function of the schema" "$pub" 0
consistency_check "after the workflow"
finish
