#!/bin/sh
# marwait.sh — a claim and its administration record joined in the database
# (issue 17, item 2).  An 837 claim submitted by `claimscrub import --submit`
# carries its encounter (CLM01) and no administrations; the daemon pairs the
# encounter's MAR records (claimscrub.mar_event) when it scrubs it.
#   before      a claim whose record has not come waits (status waiting,
#               mar_due = now + mar_wait_minutes, 120 by default); the
#               daemon leaves it alone and counts it (claimscrub_queue_waiting);
#   arrives     the HL7 sample stored: PC-2026-0301 goes into the queue at
#               its version, is scrubbed on the paired record to the codes
#               the rules give (import.sh works them out: 96413, 96361 x1,
#               96367, 96375), and no administration row is stored;
#   never       PC-2026-0302's wait runs out (mar_due moved back, standing
#               in for two hours): scrubbed to exactly one finding,
#               mar-missing, at its first administration code (line 2,
#               96360; line 1 is 99213, no administration service), held;
#               `claimscrub check` gives the same finding for the same
#               document (daemon = CLI);
#   late        its record comes after all: a new version, scrubbed on it,
#               mar-missing gone;
#   unmapped    a record whose drug no mar_map row has: an unmapped-drug
#               finding naming the record and the code, and no other;
#   pending     a claim already queued when more of its records come gets a
#               new version (a daemon holding the older records cannot
#               write them); records present at submit: queued at once;
#   own         a claim with administrations of its own and a void claim
#               are not requeued by records of their encounter;
#   reads       read_claims() reads an encounter's records, not every
#               record for each claim;
#   door        mar_store() refuses a bad record, naming it and storing
#               nothing; takes a record without an id;
#   setting     mar_wait_minutes refuses what is not 0 to 10080.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

p837=$src/examples/x12/837p-sample.837
imp() {
	timeout 60 "$CLAIMSCRUB" import --submit --db "$conninfo" "$@" \
		</dev/null >"$T/out" 2>"$T/err"
}
# st REF — "status version" of claim REF
st() { psql_val "SELECT status || ' ' || version FROM claimscrub.claim WHERE claim_ref = '$1'"; }
# expected REF — the expected codes of REF's result, "CODExUNITS ..."
expected() {
	psql_val "SELECT string_agg((e->>'code') || 'x' || (e->>'units'), ' ' ORDER BY o)
		FROM claimscrub.claim c, jsonb_array_elements(c.result->'expected') WITH ORDINALITY AS x(e, o)
	       WHERE c.claim_ref = '$1'"
}
# rules REF — the rules of REF's findings of its current version
rules() {
	psql_val "SELECT coalesce(string_agg(f.rule, ',' ORDER BY f.ordinal), '-') FROM claimscrub.finding f
		JOIN claimscrub.claim c ON c.id = f.claim_id AND f.claim_version = c.version
	       WHERE c.claim_ref = '$1'"
}
write_config "$T/d.yaml"

same "mar_wait_minutes is 120 by default" \
	"$(psql_val "SELECT value FROM claimscrub.setting WHERE name = 'mar_wait_minutes'")" 120

# ---- before its record: waiting ---------------------------------------------------------
sed 's/11:B:7/11:B:1/' "$p837" >"$T/orig.837"
imp "$T/orig.837"
same "two originals submitted: exit 0" "$?" 0
same "both wait for their record at version 1" "$(st PC-2026-0301), $(st PC-2026-0302)" "waiting 1, waiting 1"
same "each carries its encounter (CLM01) and no administrations" \
	"$(psql_val "SELECT string_agg(c.encounter || ' ' || (SELECT count(*) FROM claimscrub.administration a WHERE a.claim_id = c.id), ', ' ORDER BY c.claim_ref)
		FROM claimscrub.claim c WHERE c.claim_ref LIKE 'PC-2026-030_'")" \
	"PC-2026-0301 0, PC-2026-0302 0"
same "... until 120 minutes from now" \
	"$(psql_val "SELECT bool_and(mar_due BETWEEN now() + interval '119 minutes' AND now() + interval '121 minutes')
		FROM claimscrub.claim WHERE claim_ref LIKE 'PC-2026-030_'")" t
scrub_once
same "the daemon leaves waiting claims alone" \
	"$(st PC-2026-0301), $(st PC-2026-0302), $(psql_val "SELECT count(*) FROM claimscrub.claim WHERE scrubbed_at IS NOT NULL")" \
	"waiting 1, waiting 1, 0"
# a DBA sees them: the daemon's gauge of claims waiting for their record
port=$(free_port)
write_config "$T/http.yaml" "http_port: $port" "http_address: 127.0.0.1"
start_daemon "$T/http.yaml"
waiting2() {
	timeout 10 curl -s -o "$T/metrics" "http://127.0.0.1:$port/metrics" &&
		grep -q '^claimscrub_queue_waiting 2$' "$T/metrics"
}
if wait_for 60 waiting2; then ok "/metrics: claimscrub_queue_waiting 2"; else
	not_ok "/metrics: claimscrub_queue_waiting 2" "$(grep queue "$T/metrics" 2>/dev/null)" "$(tail -n 5 "$daemon_log")"; fi
stop_daemon "$daemon_pid" >/dev/null

# ---- the record arrives --------------------------------------------------------------------
imp --format hl7 "$src/examples/hl7/ras-sample.hl7"
same "the HL7 sample stored: exit 0" "$?" 0
same "0301 goes into the queue at its version; 0302 still waits" \
	"$(st PC-2026-0301), $(st PC-2026-0302)" "pending 1, waiting 1"
scrub_once
same "0301 scrubbed at version 1" \
	"$(psql_val "SELECT scrubbed_version FROM claimscrub.claim WHERE claim_ref = 'PC-2026-0301'")" 1
same "... on its paired record: 96413, 96361 x1, 96367, 96375" "$(expected PC-2026-0301)" \
	"96413x1 96361x1 96367x1 96375x1"
same "... with no administration row stored (paired at scrub time)" \
	"$(psql_val "SELECT count(*) FROM claimscrub.administration a JOIN claimscrub.claim c ON c.id = a.claim_id WHERE c.claim_ref = 'PC-2026-0301'")" 0
case $(rules PC-2026-0301) in
*mar-missing*) not_ok "0301 has no mar-missing finding" "$(rules PC-2026-0301)" ;;
*) ok "0301 has no mar-missing finding" ;; esac

# the reviewer's record of the claim holds the MAR records it was judged on
same "claim_detail: its encounter and its 5 MAR records" \
	"$(psql_val "SELECT d->>'encounter' || ' ' || jsonb_array_length(d->'mar') || ' ' || jsonb_array_length(d->'administrations')
		FROM claimscrub.claim_detail('PC-2026-0301') d")" "PC-2026-0301 5 0"
timeout 60 "$CLAIMSCRUB" review --db "$conninfo" --claim PC-2026-0301 </dev/null >"$T/detail" 2>&1
if grep -q '^MAR records of its encounter$' "$T/detail" &&
	grep -Eq '^  [^ ]+  completed  2026-03-02T09:10-05:00 to 2026-03-02T09:40-05:00  .*[Cc]eftriaxone' "$T/detail"; then
	ok "review --claim shows them, the ceftriaxone run with its times"
else
	not_ok "review --claim shows them, the ceftriaxone run with its times" "$(sed -n '/^MAR/,/^$/p' "$T/detail")"
fi

# ---- the record never comes -----------------------------------------------------------------
# (mar_due moved back stands in for the 120 minutes passing)
psql_val "UPDATE claimscrub.claim SET mar_due = now() - interval '1 minute' WHERE claim_ref = 'PC-2026-0302'" >/dev/null
scrub_once
same "0302's wait ran out: scrubbed at version 1, flagged" "$(st PC-2026-0302)" "flagged 1"
same "... on one finding, mar-missing, an error at line 2" \
	"$(psql_val "SELECT string_agg(f.rule || ' ' || f.severity || ' ' || f.line_no, ',') FROM claimscrub.finding f
		JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.claim_ref = 'PC-2026-0302'")" \
	"mar-missing error 2"
msg=$(psql_val "SELECT f.message FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.claim_ref = 'PC-2026-0302'")
case $msg in
*"encounter PC-2026-0302"*"line 2 (96360)"*) ok "the message names the encounter and the line's code" ;;
*) not_ok "the message names the encounter and the line's code" "$msg" ;; esac
same "... no expected codes are guessed" "$(expected PC-2026-0302)" ""
timeout 60 "$CLAIMSCRUB" review --db "$conninfo" --claim PC-2026-0302 </dev/null >"$T/detail" 2>&1
grep -q '^  none of encounter PC-2026-0302 has come$' "$T/detail" &&
	ok "review --claim says no record of its encounter has come" ||
	not_ok "review --claim says no record of its encounter has come" "$(sed -n '/^MAR/,/^$/p' "$T/detail")"
same "billing reads it as held" \
	"$(psql_val "SELECT string_agg(e.state || ' ' || e.claim_version, ',' ORDER BY e.id) FROM claimscrub.result_event e
		JOIN claimscrub.claim c ON c.id = e.claim_id WHERE c.claim_ref = 'PC-2026-0302'")" "held 1"
# daemon = CLI: the same document, with its encounter, checked offline
mkdir -p "$T/docs"
timeout 60 "$CLAIMSCRUB" import --out "$T/docs" "$T/orig.837" </dev/null >/dev/null 2>"$T/err" ||
	setup_failed "import --out failed: $(cat "$T/err")"
sed 's/^{"claim":"PC-2026-0302",/{"claim":"PC-2026-0302","encounter":"PC-2026-0302",/' \
	"$T/docs/PC-2026-0302.json" >"$T/0302.json"
grep -q '"encounter":"PC-2026-0302"' "$T/0302.json" || setup_failed "sed did not add the encounter: $(head -c 200 "$T/0302.json")"
timeout 60 "$CLAIMSCRUB" check --format json "$T/0302.json" </dev/null >"$T/check.json" 2>"$T/err"
same "check of the same document: exit 1 (flagged)" "$?" 1
same "... the same finding, word for word" \
	"$(psql_val "SELECT (:'r'::jsonb)->'findings'->0->>'message' || ' | ' || jsonb_array_length((:'r'::jsonb)->'findings')" -v r="$(cat "$T/check.json")")" \
	"$msg | 1"

# ---- ... and then comes late ------------------------------------------------------------------
sed 's/PC-2026-0301/PC-2026-0302/g' "$src/examples/fhir/mar.ndjson" >"$T/late.ndjson"
imp --format fhir "$T/late.ndjson"
same "0302's record stored late: back in the queue at version 2" "$?, $(st PC-2026-0302)" "0, pending 2"
scrub_once
same "scrubbed on it: version 2, mar-missing gone" \
	"$(psql_val "SELECT scrubbed_version FROM claimscrub.claim WHERE claim_ref = 'PC-2026-0302'") $(rules PC-2026-0302 | grep -c mar-missing)" "2 0"
same "... the record's codes derived" "$(expected PC-2026-0302)" "96413x1 96361x1 96367x1 96375x1"

# ---- an unmapped drug --------------------------------------------------------------------------
sed 's/PC-2026-030/PC-2026-080/g' "$T/orig.837" >"$T/unmapped.837"
sed 's/PC-2026-0301/PC-2026-0801/g; s/"code":"J9045"/"code":"J9999"/; s/"code":"597195"/"code":"1111111"/' \
	"$src/examples/fhir/mar.ndjson" >"$T/unmapped.ndjson"
imp --format fhir "$T/unmapped.ndjson" && imp "$T/unmapped.837"
same "records first, then the claim: queued at once" "$?, $(st PC-2026-0801)" "0, pending 1"
scrub_once
same "an unmapped drug: flagged on one finding, unmapped-drug" "$(st PC-2026-0801) $(rules PC-2026-0801)" "flagged 1 unmapped-drug"
msg=$(psql_val "SELECT f.message FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.claim_ref = 'PC-2026-0801'")
case $msg in
*"administration ma-5:"*"hcpcs J9999"*"rxnorm 1111111"*) ok "... naming the record and its codes" ;;
*) not_ok "... naming the record and its codes" "$msg" ;; esac

# ---- a queued claim gets a new version when more records come ------------------------------
doc='{"claim": "W-1", "setting": "facility", "encounter": "PC-2026-0801", "lines": [{"code": "96365"}]}'
psql_val "SELECT claimscrub.submit(:'d'::jsonb)" -v d="$doc" >/dev/null
same "submitted with its records already there: pending at once" "$(st W-1)" "pending 1"
printf '%s\n' '{"resourceType":"MedicationAdministration","id":"w-9","status":"completed","medicationCodeableConcept":{"text":"ondansetron"},"context":{"reference":"Encounter/PC-2026-0801"},"effectiveDateTime":"2026-03-02T11:00:00-05:00","dosage":{"route":{"text":"intravenous"}}}' >"$T/more.ndjson"
imp --format fhir "$T/more.ndjson"
same "one more record: the pending claim gets version 2" "$?, $(st W-1)" "0, pending 2"

# ---- own administrations, and voids, are left alone ------------------------------------------
own='{"claim": "W-2", "setting": "facility", "encounter": "PC-2026-0801", "lines": [{"code": "96374"}],
      "administrations": [{"id": "a1", "substance": "ondansetron", "kind": "therapeutic", "route": "push", "start": "2026-03-02T10:00:00-05:00"}]}'
psql_val "SELECT claimscrub.submit(:'d'::jsonb)" -v d="$own" >/dev/null
same "a claim with its own administrations is queued at once" "$(st W-2)" "pending 1"
scrub_once
psql_val "SELECT claimscrub.void_claim('PC-2026-0301')" >/dev/null
before="$(st W-2), $(st PC-2026-0301)"
sed 's/w-9/w-10/; s/11:00/11:30/' "$T/more.ndjson" >"$T/more2.ndjson"
imp --format fhir "$T/more2.ndjson"
sed 's/w-9/w-11/; s/PC-2026-0801/PC-2026-0301/' "$T/more.ndjson" >"$T/more3.ndjson"
imp --format fhir "$T/more3.ndjson"
same "records of their encounters requeue neither the claim with its own administrations nor the void" \
	"$(st W-2), $(st PC-2026-0301)" "$before"
case $before in "clean 1, void 2" | "flagged 1, void 2") ok "... (scrubbed once, void at version 2)" ;;
*) not_ok "... (scrubbed once, void at version 2)" "$before" ;; esac

# ---- reading a claim's records reads its encounter's, not everyone's ------------------------
# 400 encounters of 5 records each, a claim each; read_claims() over the
# 400 must read about their 2,000 records, not every record for each claim
# (the planner walked the primary key in id order, filtering on the
# encounter, before mar_event had (encounter, id): 800,000 rows here)
# (a table with no statistics yet, as a new installation's first day of
# records finds it: emptied, and no autovacuum in between)
psql_val "ALTER TABLE claimscrub.mar_event SET (autovacuum_enabled = false);
	TRUNCATE claimscrub.mar_event" >/dev/null
psql_val "INSERT INTO claimscrub.mar_event (encounter, record_id, source, record)
	SELECT 'R-' || e, 'R-' || e || '-' || k, 'fhir',
	       jsonb_build_object('id', 'R-' || e || '-' || k, 'encounter', 'R-' || e,
		'status', 'completed', 'start', '2026-03-02T09:00:00Z', 'stop', '2026-03-02T09:30:00Z',
		'drug', '[]'::jsonb, 'drug_text', 'ceftriaxone', 'route_text', 'intravenous', 'at', 'x:1:1')
	  FROM generate_series(1, 400) e, generate_series(1, 5) k" >/dev/null ||
	setup_failed "the records could not be made"
psql_val "SELECT claimscrub.submit_many((SELECT jsonb_agg(jsonb_build_object('claim', 'R-' || e,
	'setting', 'facility', 'encounter', 'R-' || e, 'lines', '[{\"code\": \"96365\"}]'::jsonb))
	FROM generate_series(1, 400) e))" >/dev/null || setup_failed "the claims could not be submitted"
psql_val "SELECT pg_stat_reset()" >/dev/null
rows=$(psql_val "SELECT count(*) FROM claimscrub.read_claims((SELECT array_agg(id) FROM claimscrub.claim
	WHERE claim_ref LIKE 'R-%'), 1000, 1000) r WHERE r.kind = 3")
read=$(psql_val "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables
	WHERE schemaname = 'claimscrub' AND relname = 'mar_event'")
same "read_claims returns the 400 claims' 2,000 records" "$rows" 2000
if [ -n "$read" ] && [ "$read" -le 6000 ]; then ok "... reading $read rows of mar_event (bound 6,000)"; else
	not_ok "... reading at most 6,000 rows of mar_event" "read: '$read'"; fi

# ---- mar_store(), the door the records come through ------------------------------------------
# each call checked whole; a refusal names the first bad record, by place
store_err() { psql_val "SELECT claimscrub.mar_store('fhir', :'r'::jsonb)" -v r="$1" 2>&1 >/dev/null; }
ok_rec='{"id": "s-1", "encounter": "S-1", "drug": []}'
long65=$(printf 'E%064d' 0)
long601=$(printf 'i%0600d' 0)
while IFS='|' read -r recs want; do
	case $(store_err "$recs") in
	*"$want"*) ok "mar_store refuses $(printf '%.60s' "$recs"): $want" ;;
	*) not_ok "mar_store refuses $(printf '%.60s' "$recs")" "want: $want" "got: $(store_err "$recs")" ;; esac
done <<RECS
[1]|MAR record 1: must be an object
[{"id": "x"}]|MAR record 1: encounter: must be a string
[{"encounter": 7}]|MAR record 1: encounter: must be a string
[{"encounter": ""}]|MAR record 1: encounter: must be 1 to 64 bytes, not 0
[{"encounter": "$long65"}]|MAR record 1: encounter: must be 1 to 64 bytes, not 65
[{"encounter": "a\u0007b"}]|MAR record 1: encounter: contains a control character
[$ok_rec, {"encounter": "S-2", "id": 5}]|MAR record 2: id: must be a string
[$ok_rec, {"encounter": "S-2", "id": "$long601"}]|MAR record 2: id: must be 1 to 600 bytes, not 601
[$ok_rec, {"encounter": "S-2", "id": "a\u001fb"}]|MAR record 2: id: contains a control character
RECS
same "... storing nothing of a refused call" "$(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE encounter IN ('S-1', 'S-2')")" 0
noid='[{"id": null, "encounter": "S-3", "drug": []}]'
same "a record without an id (null, as import writes it) is stored, twice as two rows" \
	"$(psql_val "SELECT claimscrub.mar_store('fhir', :'r'::jsonb) + claimscrub.mar_store('fhir', :'r'::jsonb)" -v r="$noid") $(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE encounter = 'S-3'")" "2 2"

# ---- the setting ---------------------------------------------------------------------------------
for bad in abc -1 10081 1.5; do
	psql_val "UPDATE claimscrub.setting SET value = '$bad' WHERE name = 'mar_wait_minutes'" >/dev/null 2>&1 &&
		not_ok "mar_wait_minutes refuses '$bad'" || ok "mar_wait_minutes refuses '$bad'"
done
psql_val "UPDATE claimscrub.setting SET value = '0' WHERE name = 'mar_wait_minutes'" >/dev/null &&
	ok "mar_wait_minutes takes 0 (scrub at once, mar-missing when nothing came)" ||
	not_ok "mar_wait_minutes takes 0"
sed 's/PC-2026-030/PC-2026-090/g' "$T/orig.837" >"$T/zero.837"
imp "$T/zero.837"
scrub_once
same "with 0, a claim whose record has not come is scrubbed on the next claim step" \
	"$(st PC-2026-0902) $(rules PC-2026-0902)" "flagged 1 mar-missing"
finish
