#!/bin/sh
# intake.sh — `claimscrub import --submit`: 837 files into the queue, a
# file in one transaction, each claim by its frequency (CLM05-3).  From the
# samples of examples/x12/ (edited here with sed, so the claims are the
# samples' and the expectations come from their text):
#   originals   837P with PC-2026-0302 made an original: both claims queued
#               at version 1, then scrubbed by the daemon;
#   rebill (7)  the sample as it is (0302 is its replacement) with 0302's
#               96361 billed 1 unit instead of 2: version 2, pending, its
#               line replaced; scrubbed again;
#   void (8)    in the same file, PC-2026-0301 voided: status void at
#               version 2, its work item gone, its findings kept, a billing
#               event 'void' read back by `claimscrub export`; not
#               scrubbed again; submitted anew, it is back in the queue;
#   unknown     the 837I sample's void of IC-2026-0299, which the queue
#               never held: said, not an error, the file's original queued;
#   refused     a file whose second claim the database refuses (a trigger
#               this test adds): exit 1, the claim named, nothing of the
#               file in the queue, the first claim included;
#   joined      --submit --mar: a claim queued with the administrations
#               paired from the FHIR sample, scrubbed to the codes the rules
#               give for them;
#   unmapped    the 837s' payer ids counted by the report as unmapped
#               payers; an unmapped drug holds its claim out of the queue;
#   submit_many the door import --submit uses: what is not a list, a bad
#               field named as submit() names it, a claim given twice, a
#               day that is not in its month refused, nothing stored of a
#               refused call; two documents stored with their lines;
#   roles       the submitter role may do it; a login without it may not.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

p837=$src/examples/x12/837p-sample.837
i837=$src/examples/x12/837i-sample.837
# import FILE... — import --submit into the test's database; its status
imp() {
	timeout 60 "$CLAIMSCRUB" import --submit --db "$conninfo" "$@" \
		</dev/null >"$T/out" 2>"$T/err"
}
# st REF — "status version" of claim REF
st() { psql_val "SELECT status || ' ' || version FROM claimscrub.claim WHERE claim_ref = '$1'"; }
write_config "$T/d.yaml"
# An 837 claim waits in the queue for its MAR record (marwait.sh tests the
# wait); here it is scrubbed on the daemon's next claim step, so that what
# the 837 itself says is what is tested.
psql_val "UPDATE claimscrub.setting SET value = '0' WHERE name = 'mar_wait_minutes'" >/dev/null ||
	setup_failed "mar_wait_minutes could not be set"

# ---- usage ----------------------------------------------------------------------------
timeout 30 "$CLAIMSCRUB" import --submit --out "$T" "$p837" </dev/null >/dev/null 2>"$T/err"
same "--submit with --out is a usage error" "$?" 2
timeout 30 "$CLAIMSCRUB" import --db "$conninfo" "$p837" </dev/null >/dev/null 2>"$T/err"
same "--db without --submit is a usage error" "$?" 2
timeout 30 "$CLAIMSCRUB" import --submit --format fhir --out "$T" "$src/examples/fhir/mar.ndjson" </dev/null >/dev/null 2>"$T/err"
same "--submit --format fhir with --out is a usage error" "$?" 2

# ---- originals ---------------------------------------------------------------------
sed 's/11:B:7/11:B:1/' "$p837" >"$T/orig.837"
imp "$T/orig.837"
same "two originals: exit 0" "$?" 0
grep -q 'orig.837: 2 claims read, 2 submitted (0 replacements), 0 voided, 0 voids of claims not queued' "$T/err" &&
	ok "the file's summary on stderr" || not_ok "the file's summary on stderr" "$(cat "$T/err")"
same "both queued at version 1, waiting for their MAR" "$(st PC-2026-0301), $(st PC-2026-0302)" "waiting 1, waiting 1"
same "0302's 96361: 2 units, modifiers XS and GA, as in the sample" \
	"$(psql_val "SELECT l.units || ' ' || array_to_string(l.modifiers, ',') FROM claimscrub.claim_line l
		JOIN claimscrub.claim c ON c.id = l.claim_id WHERE c.claim_ref = 'PC-2026-0302' AND l.code = '96361'")" \
	"2 XS,GA"
scrub_once
# 0301 bills chemotherapy codes and no MAR record came for it: flagged
# (mar-missing), with a work item
same "scrubbed: 0301 flagged at version 1" "$(st PC-2026-0301)" "flagged 1"
same "0301 has a work item" \
	"$(psql_val "SELECT count(*) FROM claimscrub.work_item w JOIN claimscrub.claim c ON c.id = w.claim_id WHERE c.claim_ref = 'PC-2026-0301'")" 1
# the 837s' payers are payer ids (00430, LHP01) that no profile names: judged
# by the default profile and counted, never silently (claimscrub report,
# once the payer map is loaded)
timeout 60 "$CLAIMSCRUB" db fees --db "$conninfo" --rules "$src/rules.d" --rules "$src/examples/rules.d" \
	</dev/null >/dev/null 2>"$T/err" || setup_failed "db fees failed: $(cat "$T/err")"
timeout 60 "$CLAIMSCRUB" report --db "$conninfo" </dev/null >"$T/report" 2>"$T/err"
grep -q '^  unmapped payers: 2 claims (00430, lhp01)$' "$T/report" &&
	ok "the report counts the two unmapped payer ids" ||
	not_ok "the report counts the two unmapped payer ids" "$(grep -i unmapped "$T/report")" "$(cat "$T/err")"
f0301=$(psql_val "SELECT count(*) FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.claim_ref = 'PC-2026-0301'")
[ "${f0301:-0}" -gt 0 ] && ok "0301 has findings ($f0301)" || not_ok "0301 has findings" "got: $f0301"

# ---- rebill (7) and void (8) in one file ----------------------------------------------------
sed -e 's/11:B:1\*Y/11:B:8*Y/' -e 's/SV1\*HC:96361:XS:GA\*30\*UN\*2/SV1*HC:96361:XS:GA*30*UN*1/' "$p837" >"$T/rebill.837"
grep -q 'CLM\*PC-2026-0301\*410\*\*\*11:B:8' "$T/rebill.837" || setup_failed "sed did not make 0301 a void"
imp "$T/rebill.837"
same "a replacement and a void: exit 0" "$?" 0
grep -q 'rebill.837: 2 claims read, 1 submitted (1 replacements), 1 voided, 0 voids of claims not queued' "$T/err" &&
	ok "the summary counts the replacement and the void" || not_ok "the summary counts the replacement and the void" "$(cat "$T/err")"
same "0302 replaced: queued at version 2" "$(st PC-2026-0302)" "waiting 2"
same "0302's 96361 now bills 1 unit" \
	"$(psql_val "SELECT l.units FROM claimscrub.claim_line l JOIN claimscrub.claim c ON c.id = l.claim_id
		WHERE c.claim_ref = 'PC-2026-0302' AND l.code = '96361'")" 1
same "0301 voided: void at version 2" "$(st PC-2026-0301)" "void 2"
same "0301's work item is gone" \
	"$(psql_val "SELECT count(*) FROM claimscrub.work_item w JOIN claimscrub.claim c ON c.id = w.claim_id WHERE c.claim_ref = 'PC-2026-0301'")" 0
same "0301's findings are kept as its record" \
	"$(psql_val "SELECT count(*) FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.claim_ref = 'PC-2026-0301'")" "$f0301"
same "a billing event 'void' for 0301 at version 2" \
	"$(psql_val "SELECT string_agg(e.state || ' ' || e.claim_version, ',' ORDER BY e.id) FROM claimscrub.result_event e
		JOIN claimscrub.claim c ON c.id = e.claim_id WHERE c.claim_ref = 'PC-2026-0301'")" "held 1,void 2"
scrub_once
same "the daemon scrubs the replacement (version 2) and leaves the void" \
	"$(psql_val "SELECT scrubbed_version FROM claimscrub.claim WHERE claim_ref = 'PC-2026-0302'"), $(st PC-2026-0301)" "2, void 2"
psql_val "CREATE ROLE b1 LOGIN IN ROLE claimscrub_reader" >/dev/null || setup_failed "CREATE ROLE b1 failed"
timeout 60 "$CLAIMSCRUB" export --db "host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=b1" </dev/null >"$T/export" 2>/dev/null
grep '"claim":"PC-2026-0301"' "$T/export" | grep -q '"state":"void"' &&
	ok "export gives billing the void" || not_ok "export gives billing the void" "$(cat "$T/export")"
same "a void is out of the reports' claims" \
	"$(psql_val "SELECT count(*) FROM claimscrub.scrubbed_claim WHERE claim_ref = 'PC-2026-0301'")" 0
imp "$T/orig.837"
same "submitted anew, the voided claim is back in the queue (version 3)" "$?, $(st PC-2026-0301)" "0, waiting 3"

# ---- a void of a claim the queue never held ---------------------------------------------
imp "$i837"
same "837I with a void of an unknown claim: exit 0" "$?" 0
grep -q 'claim IC-2026-0299 (segment [0-9]*): void (8) of a claim the queue does not hold' "$T/err" &&
	ok "the unknown void is said, with its segment" || not_ok "the unknown void is said, with its segment" "$(cat "$T/err")"
grep -q '837i-sample.837: 2 claims read, 1 submitted (0 replacements), 0 voided, 1 voids of claims not queued' "$T/err" &&
	ok "the summary counts it" || not_ok "the summary counts it" "$(cat "$T/err")"
same "IC-2026-0307 queued, IC-2026-0299 not" "$(st IC-2026-0307)|$(st IC-2026-0299)" "waiting 1|"

# ---- a file the database refuses: nothing of it stays ------------------------------------
psql_val "CREATE FUNCTION public.refuse_0402() RETURNS trigger LANGUAGE plpgsql AS
	\$\$BEGIN RAISE EXCEPTION 'claim % refused by the test', NEW.claim_ref; END\$\$;
	CREATE TRIGGER refuse_0402 BEFORE INSERT ON claimscrub.claim FOR EACH ROW
	WHEN (NEW.claim_ref = 'IC-2026-0402') EXECUTE FUNCTION public.refuse_0402()" >/dev/null ||
	setup_failed "the refusing trigger could not be made"
sed -e 's/IC-2026-0307/IC-2026-0401/' -e 's/CLM\*IC-2026-0299\*300\*\*\*13:A:8/CLM*IC-2026-0402*300***13:A:1/' "$i837" >"$T/refused.837"
imp "$T/refused.837"
same "the second claim refused: exit 1" "$?" 1
grep -q 'refused.837: claim IC-2026-0402 (segment [0-9]*): error: .*refused by the test; nothing of the file was submitted' "$T/err" &&
	ok "the refused claim is named, with the server's message" || not_ok "the refused claim is named, with the server's message" "$(cat "$T/err")"
same "the file's first claim is not in the queue either" "$(st IC-2026-0401)" ""

# ---- joined to the MAR: --submit --mar ----------------------------------------------------
# the 837P sample with the FHIR sample's records (encounter PC-2026-0301,
# renamed here with the claims): 0601 queued with its five administrations
# (tests/import.sh works out their codes from the rules: 96413, 96361 x1,
# 96367, 96375), scrubbed by the daemon to the same expected codes; 0602,
# which has no records in the files, queued to wait for them (its
# frequency is 7 in the sample: counted as a replacement)
sed 's/PC-2026-030/PC-2026-060/g' "$p837" >"$T/joined.837"
sed 's/PC-2026-0301/PC-2026-0601/g' "$src/examples/fhir/mar.ndjson" >"$T/joined.ndjson"
timeout 60 "$CLAIMSCRUB" import --submit --db "$conninfo" --mar "$T/joined.ndjson" "$T/joined.837" \
	</dev/null >"$T/out" 2>"$T/err"
same "--submit --mar: exit 0, 0602 queued to wait for its record" "$?|$(st PC-2026-0602)" "0|waiting 1"
grep -q "joined.837: claim PC-2026-0602: no MAR records for encounter 'PC-2026-0602' (clm01); submitted to wait for them in the queue" "$T/err" &&
	ok "... and says so" || not_ok "... and says so" "$(cat "$T/err")"
grep -q 'joined.837: 2 claims read, 2 submitted (1 replacements), 0 voided, 0 voids of claims not queued, 1 with MAR administrations' "$T/err" &&
	ok "the summary counts the claim joined" || not_ok "the summary counts the claim joined" "$(cat "$T/err")"
same "0601 is queued with its five administrations, in time order" \
	"$(psql_val "SELECT string_agg(a.admin_ref || ' ' || a.substance || ' ' || a.route, ', ' ORDER BY a.seq)
		FROM claimscrub.administration a JOIN claimscrub.claim c ON c.id = a.claim_id
	       WHERE c.claim_ref = 'PC-2026-0601'")" \
	"ma-1 ceftriaxone infusion, ma-2 ondansetron push, ma-3 normal-saline infusion, ma-4 normal-saline infusion, ma-5 carboplatin infusion"
scrub_once
same "the daemon derives 96413, 96361 x1, 96367, 96375 from them" \
	"$(psql_val "SELECT string_agg((e->>'code') || 'x' || (e->>'units'), ' ' ORDER BY o)
		FROM claimscrub.claim c, jsonb_array_elements(c.result->'expected') WITH ORDINALITY AS x(e, o)
	       WHERE c.claim_ref = 'PC-2026-0601'")" "96413x1 96361x1 96367x1 96375x1"

# an unmapped drug: carboplatin's codes changed to ones no mar_map row has;
# the claim is held out of the queue, the drug named at its record
sed 's/PC-2026-030/PC-2026-070/g' "$p837" >"$T/unmapped.837"
sed 's/PC-2026-0301/PC-2026-0701/g; s/"code":"J9045"/"code":"J9999"/; s/"code":"597195"/"code":"1111111"/' \
	"$src/examples/fhir/mar.ndjson" >"$T/unmapped.ndjson"
timeout 60 "$CLAIMSCRUB" import --submit --db "$conninfo" --mar "$T/unmapped.ndjson" "$T/unmapped.837" \
	</dev/null >"$T/out" 2>"$T/err"
same "an unmapped drug: exit 1, the claim not queued" "$?|$(st PC-2026-0701)" "1|"
grep -q "unmapped.ndjson:7:1: error: unmapped-drug: record 'ma-5': no mar_map drug row has hcpcs J9999" "$T/err" &&
	ok "... the drug named at its record" || not_ok "... the drug named at its record" "$(cat "$T/err")"

# ---- submit_many(), the public door import --submit uses -------------------------------
# each document checked as submit() checks one; all stored or none
many_err() { psql_val "SELECT claimscrub.submit_many(:'d'::jsonb)" -v d="$1" 2>&1 >/dev/null; }
case $(many_err '{"claim": "M-1"}') in
*'(documents): must be a list of at most 5000 claim documents'*) ok "submit_many refuses what is not a list" ;;
*) not_ok "submit_many refuses what is not a list" "$(many_err '{"claim": "M-1"}')" ;; esac
good1='{"claim": "M-1", "setting": "facility", "lines": [{"code": "96365"}, {"code": "J0696", "units": 4}]}'
good2='{"claim": "M-2", "setting": "professional", "date_of_service": "2024-02-29", "lines": [{"code": "96374"}]}'
bad='{"claim": "M-3", "setting": "facility", "lines": [{"code": "96365", "units": 0}]}'
case $(many_err "[$good1, $bad]") in
*'claim document: lines[1].units: must be an integer from 1 to 999'*) ok "submit_many names the refused field as submit() does" ;;
*) not_ok "submit_many names the refused field as submit() does" "$(many_err "[$good1, $bad]")" ;; esac
case $(many_err "[$good1, $good1]") in
*"claim: 'M-1' is given twice in one submit_many"*) ok "submit_many refuses one claim given twice" ;;
*) not_ok "submit_many refuses one claim given twice" "$(many_err "[$good1, $good1]")" ;; esac
same "... and stores nothing of a refused call" "$(st M-1)" ""
case $(many_err '[{"claim": "M-4", "setting": "facility", "date_of_service": "2026-02-29"}]') in
*'date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31'*) ok "2026-02-29 is not a date (February of a common year)" ;;
*) not_ok "2026-02-29 is not a date (February of a common year)" ;; esac
same "submit_many stores two documents" "$(psql_val "SELECT claimscrub.submit_many(:'d'::jsonb)" -v d="[$good1, $good2]")" 2
same "... as claims in the queue with their lines, 2024-02-29 a date" \
	"$(psql_val "SELECT string_agg(c.claim_ref || ' ' || c.status || ' ' || coalesce(c.date_of_service::text, '-') || ' ' ||
		(SELECT string_agg(l.code || 'x' || l.units, ',' ORDER BY l.line_no) FROM claimscrub.claim_line l WHERE l.claim_id = c.id), '; ' ORDER BY c.claim_ref)
		FROM claimscrub.claim c WHERE c.claim_ref IN ('M-1', 'M-2')")" \
	"M-1 pending - 96365x1,J0696x4; M-2 pending 2024-02-29 96374x1"

# ---- roles ----------------------------------------------------------------------------
psql_val "CREATE ROLE s1 LOGIN IN ROLE claimscrub_submitter; CREATE ROLE nobody1 LOGIN" >/dev/null ||
	setup_failed "the login roles could not be made"
sed 's/PC-2026-030/PC-2026-050/g' "$T/rebill.837" >"$T/s1.837"
timeout 60 "$CLAIMSCRUB" import --submit --db "host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=s1" "$T/s1.837" \
	</dev/null >/dev/null 2>"$T/err"
same "the submitter role submits and voids" "$?|$(st PC-2026-0502)" "0|waiting 1"
timeout 60 "$CLAIMSCRUB" import --submit --db "host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=nobody1" "$T/orig.837" \
	</dev/null >/dev/null 2>"$T/err"
same "a login without the role is refused (exit 1)" "$?" 1
grep -q 'permission denied' "$T/err" && ok "the refusal says permission denied" ||
	not_ok "the refusal says permission denied" "$(cat "$T/err")"
finish
