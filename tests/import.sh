#!/bin/sh
# import.sh — `claimscrub import` on the 837 samples of examples/x12/: the
# documents written (claim ids, lines, units, modifiers, from the samples'
# text), to standard output and to --out DIR, the frequency said for a
# replacement and a void (not written), nothing for an original, every
# document read by `claimscrub check`, and a bad file: its errors in compiler form, nothing written for it,
# exit 1; the setting from setting_map, an unmapped place of service or
# type of bill named and its claim held; then --format fhir: the MedicationAdministration records of
# examples/fhir/ (NDJSON and the Bundle alike), one a line, and a bad
# resource named with its place; then --format hl7: the RAS^O17 sample of
# examples/hl7/, the same five events, with CR, LF or CR LF, and a bad
# message named by SEG-N and place.  Prints TAP.
set -u
: "${CLAIMSCRUB:=cli/claimscrub}"
: "${CLAIMSCRUB_SRCDIR:=.}"
src=$CLAIMSCRUB_SRCDIR
p=$src/examples/x12/837p-sample.837
i=$src/examples/x12/837i-sample.837
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/lib/tap.sh"

# has NAME FILE TEXT — FILE holds TEXT (a fixed string)
has() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		not_ok "$1" "no '$3' in $2:" "$(head -c 600 "$2")"; fi
}

# ---- usage ------------------------------------------------------------------
expect "import --help exits 0" 0 "$CLAIMSCRUB" import --help
has "--help lists --out" "$tmp/out" "--out DIR"
has "--help lists --format" "$tmp/out" "--format FORMAT"
expect "import without files is a usage error" 2 "$CLAIMSCRUB" import
expect "an unknown --format is a usage error" 2 "$CLAIMSCRUB" import --format hl8 "$p"

# ---- standard output: JSON Lines ---------------------------------------------
expect "837P to standard output" 0 "$CLAIMSCRUB" import "$p"
[ "$(wc -l <"$tmp/out")" -eq 2 ] && ok "two documents, one a line" ||
	not_ok "two documents, one a line" "$(cat "$tmp/out")"
has "first claim and its lines" "$tmp/out" '{"claim":"PC-2026-0301","payer":"00430","setting":"professional","provider":"1987654328","date_of_service":"2026-03-02","lines":[{"code":"96413","units":1,"modifiers":[],"service_date":"2026-03-02"},{"code":"96415","units":1,"modifiers":[],"service_date":"2026-03-02"},{"code":"J9045","units":2,"modifiers":[],"service_date":"2026-03-02"},{"code":"96375","units":1,"modifiers":["59"],"service_date":"2026-03-02"}],"administrations":[]}'
has "second claim: the billing NPI, two modifiers" "$tmp/out" '"claim":"PC-2026-0302","payer":"LHP01","setting":"professional","provider":"1234567893"'
has "second claim's units and modifiers" "$tmp/out" '{"code":"96361","units":2,"modifiers":["XS","GA"],"service_date":"2026-03-03"}'
grep -q 'PC-2026-0301' "$tmp/err" && not_ok "an original says nothing" "$(cat "$tmp/err")" ||
	ok "an original says nothing"
has "a replacement is written with a note" "$tmp/err" "claim PC-2026-0302 (segment 48): frequency 7, replacement; written as a claim"
has "the file's count" "$tmp/err" "2 claims read, 2 written"

# ---- --out DIR -----------------------------------------------------------------
mkdir "$tmp/docs"
expect "837P and 837I to --out" 0 "$CLAIMSCRUB" import --format x12 --out "$tmp/docs" "$p" "$i"
for id in PC-2026-0301 PC-2026-0302 IC-2026-0307; do
	[ -s "$tmp/docs/$id.json" ] && ok "$id.json written" || not_ok "$id.json written" "$(ls -a "$tmp/docs")"
done
[ ! -e "$tmp/docs/IC-2026-0299.json" ] && ok "the void is not written" || not_ok "the void is not written"
[ "$(ls -A "$tmp/docs" | wc -l)" -eq 3 ] && ok "nothing else in DIR (no temporary files)" ||
	not_ok "nothing else in DIR (no temporary files)" "$(ls -A "$tmp/docs")"
has "the void is reported" "$tmp/err" "claim IC-2026-0299 (segment 41): frequency 8, void; not written"
has "837I claim: facility, revenue lines' codes and units" "$tmp/docs/IC-2026-0307.json" '"setting":"facility","provider":"1543210987","date_of_service":"2026-03-07","lines":[{"code":"96365","units":1,"modifiers":[],"service_date":"2026-03-07"},{"code":"96367","units":1,"modifiers":[],"service_date":"2026-03-07"},{"code":"J3370","units":2,"modifiers":[],"service_date":"2026-03-07"},{"code":"J0692","units":4,"modifiers":["JW"],"service_date":"2026-03-07"}]'

# ---- every document is a claim document `check` reads -------------------------
# (no administrations: the findings are the engine's; exit 0 or 1, never 2)
for f in "$tmp"/docs/*.json; do
	id=$(basename "$f" .json)
	run "$CLAIMSCRUB" check --format json "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; } && [ ! -s "$tmp/err" ] &&
		grep -qF "\"claim\":\"$id\"" "$tmp/out"; then
		ok "check reads $id.json"
	else
		not_ok "check reads $id.json" "exit $rc" "$(head -n 3 "$tmp/err")"
	fi
done

# ---- a bad file: all or nothing ------------------------------------------------
sed 's/11:B:1/11:B:9/' "$p" >"$tmp/bad.837"
mkdir "$tmp/out2"
expect "a bad file exits 1" 1 "$CLAIMSCRUB" import --out "$tmp/out2" "$i" "$tmp/bad.837"
grep -qxF "$tmp/bad.837:20:29: error: CLM05-3: claim frequency '9' is not 1, 7 or 8 (segment 20, CLM)" "$tmp/err" &&
	ok "the error in compiler form, naming element and segment" ||
	not_ok "the error in compiler form, naming element and segment" "$(cat "$tmp/err")"
[ "$(ls -A "$tmp/out2")" = "IC-2026-0307.json" ] && ok "the good file written, the bad one not at all" ||
	not_ok "the good file written, the bad one not at all" "$(ls -A "$tmp/out2")"
expect "a bad file to standard output exits 1" 1 "$CLAIMSCRUB" import "$tmp/bad.837"
[ ! -s "$tmp/out" ] && ok "nothing on standard output for a bad file" || not_ok "nothing on standard output for a bad file"
expect "a missing file exits 1" 1 "$CLAIMSCRUB" import "$tmp/nonexistent.837"
has "a missing file is named" "$tmp/err" "nonexistent.837: error: cannot open"
sed 's#CLM\*PC-2026-0301#CLM*PC/2026/0301#' "$p" >"$tmp/slash.837"
expect "a claim id that cannot be a file name, with --out" 1 "$CLAIMSCRUB" import --out "$tmp/out2" "$tmp/slash.837"
has "it is named" "$tmp/err" "claim 'PC/2026/0301' (segment 20): its id cannot name a file"
expect "the same id to standard output" 0 "$CLAIMSCRUB" import "$tmp/slash.837"

# ---- the setting: rules.d/71-setting-map.yaml ------------------------------------
# CLM05-1 gives the setting through setting_map, on the claim's date of
# service: the samples' 11 (office, 837P) and 13 (hospital outpatient,
# 837I) are rows, so the documents above are professional and facility.
# A code no row has is named at its CLM05-1 and holds its claim; the
# file's other claims are written.
sed 's/\*\*\*11:B:1/***21:B:1/' "$p" >"$tmp/pos21.837"
expect "an unmapped place of service holds its claim: exit 1" 1 "$CLAIMSCRUB" import "$tmp/pos21.837"
grep -qxF "$tmp/pos21.837:20:24: error: unmapped-setting: claim 'PC-2026-0301': no setting_map place_of_service row has '21' (837P CLM05-1, date of service 2026-03-02)" "$tmp/err" &&
	ok "unmapped-setting at CLM05-1, naming the code" ||
	not_ok "unmapped-setting at CLM05-1, naming the code" "$(cat "$tmp/err")"
has "the claim is not written" "$tmp/err" "claim PC-2026-0301: not written: no setting_map row gives its setting"
grep -q '"claim":"PC-2026-0301"' "$tmp/out" && not_ok "nothing of the held claim on standard output" ||
	ok "nothing of the held claim on standard output"
has "the file's other claim is written" "$tmp/out" '"claim":"PC-2026-0302","payer":"LHP01","setting":"professional"'
has "the count says one written" "$tmp/err" "2 claims read, 1 written"
# a local row maps it (rows merge by code)
mkdir "$tmp/local"
printf 'setting_map:\n  place_of_service:\n    "21": professional\n' >"$tmp/local/90-local.yaml"
expect "a local row maps it" 0 "$CLAIMSCRUB" import --rules "$src/rules.d" --rules "$tmp/local" "$tmp/pos21.837"
has "... professional" "$tmp/out" '"claim":"PC-2026-0301","payer":"00430","setting":"professional"'
# an inpatient bill (TOB 111): named; the void (118) is only reported
sed 's/\*\*\*13:A:/***11:A:/' "$i" >"$tmp/tob11.837"
expect "an unmapped type of bill holds its claim" 1 "$CLAIMSCRUB" import "$tmp/tob11.837"
has "unmapped-setting, type_of_bill" "$tmp/err" \
	"$tmp/tob11.837:20:25: error: unmapped-setting: claim 'IC-2026-0307': no setting_map type_of_bill row has '11' (837I CLM05-1, date of service 2026-03-07)"
[ "$(grep -c unmapped-setting "$tmp/err")" -eq 1 ] && ok "the void is not mapped" ||
	not_ok "the void is not mapped" "$(cat "$tmp/err")"
# the table decides, not the form: a site's row making 13 professional
printf 'setting_map:\n  type_of_bill:\n    "13": professional\n' >"$tmp/local/90-local.yaml"
expect "a row over the form" 0 "$CLAIMSCRUB" import --rules "$src/rules.d" --rules "$tmp/local" "$i"
has "... an 837I claim judged professional" "$tmp/out" '"claim":"IC-2026-0307","payer":"00431","setting":"professional"'

# ---- FHIR: MedicationAdministration records --------------------------------------
# examples/fhir/mar.ndjson: an Encounter, a Patient, then ma-1 (ceftriaxone
# 09:10-09:40 -05:00, RxNorm 1665005, SNOMED 47625008, left forearm, for
# MedicationRequest/mr-1), ma-2 (an ondansetron push at 09:45), ma-3 and
# ma-4 (a saline bag paused and restarted, ma-4 partOf ma-3) and ma-5
# (carboplatin, HCPCS J9045); bundle.json holds the same resources
m=$src/examples/fhir/mar.ndjson
expect "FHIR NDJSON to standard output" 0 "$CLAIMSCRUB" import --format fhir "$m"
[ "$(wc -l <"$tmp/out")" -eq 5 ] && ok "five records, one a line" || not_ok "five records, one a line" "$(cat "$tmp/out")"
has "ma-1: encounter, request, period with its offset, RxNorm, route, site" "$tmp/out" \
	'{"id":"ma-1","encounter":"PC-2026-0301","group":"MedicationRequest/mr-1","status":"completed","start":"2026-03-02T09:10-05:00","stop":"2026-03-02T09:40-05:00","drug":[{"system":"rxnorm","code":"1665005","display":"ceftriaxone 1000 MG Injection"}],"drug_text":"Ceftriaxone 1 g in 100 mL NS","route":{"system":"snomed","code":"47625008","display":"Intravenous route"},"method_text":"IV infusion","site":"left forearm","at":"'"$m"':3:1"}'
has "ma-2: an instant, start and stop both" "$tmp/out" '"id":"ma-2","encounter":"PC-2026-0301","status":"completed","start":"2026-03-02T09:45-05:00","stop":"2026-03-02T09:45-05:00","instant":true'
has "ma-4: part of ma-3" "$tmp/out" '"id":"ma-4","encounter":"PC-2026-0301","group":"MedicationAdministration/ma-3"'
has "ma-5: its HCPCS coding" "$tmp/out" '"drug":[{"system":"hcpcs","code":"J9045"'
has "the file's count, other resources skipped" "$tmp/err" "5 MedicationAdministration records, 2 other resources skipped"
# (ma-3's text in the NDJSON is written with escapes, \u2013 and \/: not
# compared)
norec() { sed 's/"at":"[^"]*"//; s/"drug_text":"[^"]*",//' "$tmp/out"; }
norec >"$tmp/ndjson.rec"
expect "the Bundle" 0 "$CLAIMSCRUB" import --format fhir "$src/examples/fhir/bundle.json"
norec >"$tmp/bundle.rec"
cmp -s "$tmp/ndjson.rec" "$tmp/bundle.rec" && ok "the Bundle gives the same records" ||
	not_ok "the Bundle gives the same records" "$(diff "$tmp/ndjson.rec" "$tmp/bundle.rec" | head -n 6)"
sed 's/"end":"2026-03-02T09:40:00-05:00"/"end":"2026-03-02T09:05:00-05:00"/' "$m" >"$tmp/bad.ndjson"
expect "a FHIR file with an error exits 1" 1 "$CLAIMSCRUB" import --format fhir "$m" "$tmp/bad.ndjson"
[ "$(wc -l <"$tmp/out")" -eq 5 ] && ok "the good file's records, none of the bad one's" ||
	not_ok "the good file's records, none of the bad one's" "$(wc -l <"$tmp/out") lines"
grep -q "^$tmp/bad.ndjson:3:[0-9]*: error: MedicationAdministration 'ma-1': .*before" "$tmp/err" &&
	ok "the error names file, line, column and the resource" ||
	not_ok "the error names file, line, column and the resource" "$(cat "$tmp/err")"
expect "--out with --format fhir is a usage error" 2 "$CLAIMSCRUB" import --format fhir --out "$tmp/out2" "$m"

# ---- HL7 v2: RAS^O17 administrations -----------------------------------------
# examples/hl7/ras-sample.hl7: the five events of examples/fhir/mar.ndjson,
# a message each (MSH, PID, PV1 with visit PC-2026-0301, ORC, RXA, RXR), its
# segments ending in LF; the RXAs on lines 5, 11, 17, 23 and 29
h=$src/examples/hl7/ras-sample.hl7
expect "HL7 v2 to standard output" 0 "$CLAIMSCRUB" import --format hl7 "$h"
[ "$(wc -l <"$tmp/out")" -eq 5 ] && ok "five HL7 records, one a line" || not_ok "five HL7 records, one a line" "$(cat "$tmp/out")"
has "mr-1/1: visit, order, period with its offset, RxNorm, SCT route, site, method" "$tmp/out" \
	'{"id":"mr-1/1","encounter":"PC-2026-0301","group":"ORC-2/mr-1","status":"completed","start":"2026-03-02T09:10-05:00","stop":"2026-03-02T09:40-05:00","drug":[{"system":"rxnorm","code":"1665005","display":"ceftriaxone 1000 MG Injection"}],"drug_text":"Ceftriaxone 1 g in 100 mL NS","route":{"system":"snomed","code":"47625008","display":"Intravenous route"},"method_text":"IV infusion","site":"left forearm","at":"'"$h"':5:1"}'
has "mr-2/1: RXA-4 = RXA-3, an instant; NDC the alternate code" "$tmp/out" '"id":"mr-2/1","encounter":"PC-2026-0301","group":"ORC-2/mr-2","status":"completed","start":"2026-03-02T09:45-05:00","stop":"2026-03-02T09:45-05:00","instant":true,"drug":[{"system":"rxnorm","code":"312086","display":"ondansetron 2 MG/ML Injectable Solution"},{"system":"ndc","code":"0000-1111-22"}],"route":{"system":"v2-0162","code":"IV","display":"Intravenous"},"method_text":"IV push over 2 minutes","site":"Right upper arm"'
has "mr-3/1: PA under ORC-5 HD is on-hold" "$tmp/out" '"id":"mr-3/1","encounter":"PC-2026-0301","group":"ORC-2/mr-3","status":"on-hold"'
has "mr-3/2: the restart, in the same order" "$tmp/out" '"id":"mr-3/2","encounter":"PC-2026-0301","group":"ORC-2/mr-3","status":"completed","start":"2026-03-02T10:55-05:00"'
has "mr-5/1: HCPCS J9045" "$tmp/out" '"drug":[{"system":"hcpcs","code":"J9045","display":"Injection, carboplatin, 50 mg"},{"system":"rxnorm","code":"597195"'
has "the HL7 file's count" "$tmp/err" "5 RXA administration records, 0 messages of other types skipped"
# the same records as FHIR's but for id, group and place
nogroup() { sed 's/"id":"[^"]*",//; s/"group":"[^"]*",//; s/,"at":"[^"]*"//' "$tmp/out"; }
nogroup >"$tmp/hl7.rec"
"$CLAIMSCRUB" import --format fhir "$m" >"$tmp/out" 2>"$tmp/err"
nogroup >"$tmp/fhir.rec"
cmp -s "$tmp/hl7.rec" "$tmp/fhir.rec" && ok "HL7 and FHIR samples give the same records" ||
	not_ok "HL7 and FHIR samples give the same records" "$(diff "$tmp/hl7.rec" "$tmp/fhir.rec" | head -n 6)"
tr '\n' '\r' <"$h" >"$tmp/cr.hl7"
sed 's/$/\r/' "$h" >"$tmp/crlf.hl7"
for e in cr crlf; do
	expect "segments ending in $e" 0 "$CLAIMSCRUB" import --format hl7 "$tmp/$e.hl7"
	sed 's/,"at":"[^"]*"//' "$tmp/out" >"$tmp/$e.rec"
	"$CLAIMSCRUB" import --format hl7 "$h" 2>/dev/null | sed 's/,"at":"[^"]*"//' >"$tmp/lf.rec"
	cmp -s "$tmp/$e.rec" "$tmp/lf.rec" && ok "$e: the same records" || not_ok "$e: the same records" "$(diff "$tmp/$e.rec" "$tmp/lf.rec" | head -n 4)"
done
sed 's/202603020940-0500|1665005/202603020940|1665005/' "$h" >"$tmp/bad.hl7"
expect "an HL7 file with an error exits 1" 1 "$CLAIMSCRUB" import --format hl7 "$h" "$tmp/bad.hl7"
[ "$(wc -l <"$tmp/out")" -eq 5 ] && ok "the good HL7 file's records, none of the bad one's" ||
	not_ok "the good HL7 file's records, none of the bad one's" "$(wc -l <"$tmp/out") lines"
grep -q "^$tmp/bad.hl7:5:27: error: RXA-4: '202603020940' has no offset" "$tmp/err" &&
	ok "the HL7 error names file, line, column and SEG-N" ||
	not_ok "the HL7 error names file, line, column and SEG-N" "$(cat "$tmp/err")"
expect "--out with --format hl7 is a usage error" 2 "$CLAIMSCRUB" import --format hl7 --out "$tmp/out2" "$h"

# ---- --mar: claims joined to their MAR records ---------------------------------
# examples/fhir's encounter is PC-2026-0301, the 837P sample's first claim
# (CLM01, the default key).  Its records through rules.d/70-mar-map.yaml, by
# hand: ceftriaxone infusion 09:10-09:40 (30 min), an ondansetron push at
# 09:45, normal saline 10:00-10:40 paused and 10:55-11:35 (two
# administrations, 80 minutes of one run: same_drug_segments: sum),
# carboplatin (J9045, chemotherapy) 11:40-12:50 (70 min); no site is marked
# separate_site_required, so all share one access (ruling 1).
# The codes, from infusion-rules.md (professional claim, none marked
# primary, so the facility order; chemotherapy makes the initial a
# chemotherapy service, ruling 7):
#   96413   carboplatin, the initial; 70 min gives no 96415
#           (floor((70 - 31) / 60) = 0)
#   96367   ceftriaxone, a new drug infused before the initial on the same
#           access; 30 min, no 96366
#   96375   ondansetron, the push of a new drug
#   96361x1 hydration as a secondary service: 80 min, none overlapping a
#           drug, 1 + floor((80 - 31) / 60) = 1
# in the result's order: initial, then add-ons in CPT order.
# PC-2026-0302 has no records and bills 96360 and 96361: judged without
# its administration record every such line would be flagged, so it is
# held (not written, exit 1); with its administration lines gone (em.837:
# the E/M visit alone, its total and SE01 adjusted) it is written without
# administrations.
expect "import --mar joins the FHIR records, and holds 0302: exit 1" 1 "$CLAIMSCRUB" import --mar "$m" "$p"
head -n 1 "$tmp/out" >"$tmp/joined.json"
has "PC-2026-0301's administrations, from the records" "$tmp/joined.json" \
	'"administrations":[{"id":"ma-1","substance":"ceftriaxone","kind":"therapeutic","route":"infusion","site":"left forearm","start":"2026-03-02T09:10-05:00","stop":"2026-03-02T09:40-05:00"},{"id":"ma-2","substance":"ondansetron","kind":"therapeutic","route":"push","site":"Right upper arm","start":"2026-03-02T09:45-05:00"},{"id":"ma-3","substance":"normal-saline","kind":"hydration","route":"infusion","site":"left forearm","start":"2026-03-02T10:00-05:00","stop":"2026-03-02T10:40-05:00"},{"id":"ma-4","substance":"normal-saline","kind":"hydration","route":"infusion","site":"left forearm","start":"2026-03-02T10:55-05:00","stop":"2026-03-02T11:35-05:00"},{"id":"ma-5","substance":"carboplatin","kind":"chemotherapy","route":"infusion","site":"right chest port","start":"2026-03-02T11:40-05:00","stop":"2026-03-02T12:50-05:00"}]}'
grep -q '"claim":"PC-2026-0302"' "$tmp/out" && not_ok "PC-2026-0302, with no records, is not written" ||
	ok "PC-2026-0302, with no records, is not written"
has "... and import says why" "$tmp/err" "claim PC-2026-0302: no MAR records for encounter 'PC-2026-0302' (clm01); not written: it bills 96360, which cannot be judged without its administration record"
has "the file's count names the claims joined" "$tmp/err" "2 claims read, 1 written, 1 with MAR administrations"
awk '/^CLM\*PC-2026-0302/ { c = 1 } c && /^LX\*2~/ { skip = 1 } /^SE\*/ { skip = 0 } !skip' "$p" |
	sed 's/CLM\*PC-2026-0302\*245.5/CLM*PC-2026-0302*120/; s/^SE\*58\*/SE*52*/' >"$tmp/em.837"
expect "a claim billing no administration service and with no records" 0 "$CLAIMSCRUB" import --mar "$m" "$tmp/em.837"
has "... is written without administrations" "$tmp/out" '"claim":"PC-2026-0302","payer":"LHP01","setting":"professional","provider":"1234567893","date_of_service":"2026-03-03","lines":[{"code":"99213","units":1,"modifiers":["25"],"service_date":"2026-03-03"}],"administrations":[]}'
has "... and import says so" "$tmp/err" "claim PC-2026-0302: no MAR records for encounter 'PC-2026-0302' (clm01); written without administrations"
run "$CLAIMSCRUB" check --format json "$tmp/joined.json" >"$tmp/check.json" 2>"$tmp/err"
has "check derives 96413, 96361x1, 96367, 96375 from the joined claim" "$tmp/check.json" \
	'"expected":[{"code":"96413","units":1,"modifiers":[],"administrations":["ma-5"]},{"code":"96361","units":1,"modifiers":[],"administrations":["ma-3","ma-4"]},{"code":"96367","units":1,"modifiers":[],"administrations":["ma-1"]},{"code":"96375","units":1,"modifiers":[],"administrations":["ma-2"]}]'
run "$CLAIMSCRUB" check --format json "$src/tests/fixtures/mar-joined.yaml" >"$tmp/hand.json" 2>"$tmp/err"
cmp -s "$tmp/check.json" "$tmp/hand.json" && ok "the same result as the hand-written document" ||
	not_ok "the same result as the hand-written document" "$(diff "$tmp/hand.json" "$tmp/check.json" | head -n 4)"
expect "the Bundle joins the same" 1 "$CLAIMSCRUB" import --mar "$src/examples/fhir/bundle.json" "$p"
head -n 1 "$tmp/out" | sed 's/"at":"[^"]*"//' >"$tmp/bundle.json"
cmp -s "$tmp/joined.json" "$tmp/bundle.json" && ok "the same document from the Bundle" ||
	not_ok "the same document from the Bundle" "$(diff "$tmp/joined.json" "$tmp/bundle.json" | head -n 4)"
# the HL7 sample holds the same five events, their ids the order's
# ("mr-1/1" for "ma-1"): the same document but for those ids
expect "--mar-format hl7 joins the HL7 sample" 1 "$CLAIMSCRUB" import --mar "$src/examples/hl7/ras-sample.hl7" --mar-format hl7 "$p"
noids() { head -n 1 "$1" | sed 's/"id":"[^"]*",//g'; }
noids "$tmp/out" >"$tmp/hl7-joined.json"
noids "$tmp/joined.json" >"$tmp/fhir-joined.json"
grep -q '"administrations":\[{"substance":"ceftriaxone"' "$tmp/hl7-joined.json" &&
	cmp -s "$tmp/hl7-joined.json" "$tmp/fhir-joined.json" && ok "the same administrations from HL7 as from FHIR" ||
	not_ok "the same administrations from HL7 as from FHIR" "$(diff "$tmp/fhir-joined.json" "$tmp/hl7-joined.json" | head -n 4)"
# the text view names each administration whole: the HL7 ids of the
# paused bag, mr-3/1 and mr-3/2, are not cut to one "mr-3/"
head -n 1 "$tmp/out" >"$tmp/hl7-doc.json"
run "$CLAIMSCRUB" check --format text "$tmp/hl7-doc.json" >"$tmp/view.txt" 2>&1
grep -q '^    mr-3/1 normal-saline ' "$tmp/view.txt" && grep -q '^    mr-3/2 normal-saline ' "$tmp/view.txt" &&
	grep -q '^    96361     x1   mr-3/1 mr-3/2  ' "$tmp/view.txt" &&
	ok "the text view shows the ids whole (mr-3/1, mr-3/2)" ||
	not_ok "the text view shows the ids whole (mr-3/1, mr-3/2)" "$(head -n 12 "$tmp/view.txt")"
expect "an unknown --mar-format is a usage error" 2 "$CLAIMSCRUB" import --mar "$m" --mar-format x12 "$p"

# the key: REF*EA, the medical record number, on a claim whose CLM01 is
# another; a claim without REF*EA is said
sed 's/^CLM\*PC-2026-0301\(.*\)$/CLM*ACCT-77\1\nREF*EA*PC-2026-0301~/; s/^SE\*58\*/SE*59*/' "$p" >"$tmp/ea.837"
expect "--mar-key ea (0302, with no REF*EA, held: exit 1)" 1 "$CLAIMSCRUB" import --mar "$m" --mar-key ea "$tmp/ea.837"
has "ACCT-77 joined by its REF*EA" "$tmp/out" '{"claim":"ACCT-77","payer":"00430"'
grep -F '"claim":"ACCT-77"' "$tmp/out" | grep -qF '"id":"ma-5","substance":"carboplatin"' &&
	ok "... with its administrations" || not_ok "... with its administrations" "$(head -c 600 "$tmp/out")"
has "a claim without REF*EA is said" "$tmp/err" "claim PC-2026-0302: no MAR records for it: it has no REF*EA; not written: it bills 96360"
expect "--mar-key clm01 finds nothing for ACCT-77" 1 "$CLAIMSCRUB" import --mar "$m" "$tmp/ea.837"
has "... and says so" "$tmp/err" "claim ACCT-77: no MAR records for encounter 'ACCT-77' (clm01)"
has "... and counts the records no claim took" "$tmp/err" "import: 5 MAR records of 1 encounters joined no claim"
expect "an unknown --mar-key is a usage error" 2 "$CLAIMSCRUB" import --mar "$m" --mar-key d9 "$p"

# unmapped: carboplatin's codes changed to ones no row has; the record is
# named at its place (line 7 of the NDJSON) with its values, the claim is
# held; the other (em.837's 0302, the E/M visit alone) written
sed 's/"code":"J9045"/"code":"J9999"/; s/"code":"597195"/"code":"1111111"/' "$m" >"$tmp/unmapped.ndjson"
expect "an unmapped drug holds its claim: exit 1" 1 "$CLAIMSCRUB" import --mar "$tmp/unmapped.ndjson" "$tmp/em.837"
has "unmapped-drug, at the record, with its values" "$tmp/err" \
	"$tmp/unmapped.ndjson:7:1: error: unmapped-drug: record 'ma-5': no mar_map drug row has hcpcs J9999 'Injection, carboplatin, 50 mg', rxnorm 1111111"
has "the claim is not written" "$tmp/err" "claim PC-2026-0301: not written: its MAR records cannot all be paired"
grep -q '"claim":"PC-2026-0301"' "$tmp/out" && not_ok "nothing of the held claim on standard output" ||
	ok "nothing of the held claim on standard output"
has "the other claim is written" "$tmp/out" '"claim":"PC-2026-0302"'
sed 's/"code":"47625008"/"code":"26643006"/' "$m" >"$tmp/route.ndjson"
expect "an unmapped route holds its claim" 1 "$CLAIMSCRUB" import --mar "$tmp/route.ndjson" "$p"
has "unmapped-route, at the record, with its value" "$tmp/err" \
	"$tmp/route.ndjson:3:1: error: unmapped-route: record 'ma-1': no mar_map route row has snomed 26643006 'Intravenous route'"

# a MAR file with an error: nothing written at all
expect "a bad MAR file stops the import" 1 "$CLAIMSCRUB" import --mar "$tmp/bad.ndjson" "$p"
[ ! -s "$tmp/out" ] && ok "nothing written with a bad MAR file" || not_ok "nothing written with a bad MAR file"
expect "--mar with --format fhir is a usage error" 2 "$CLAIMSCRUB" import --format fhir --mar "$m" "$m"

finish import
