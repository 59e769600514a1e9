#!/bin/sh
# import.sh — `claimscrub import` on the 837 samples of examples/x12/: the
# documents written (claim ids, lines, units, modifiers, from the samples'
# text), to standard output and to --out DIR, the frequency said for a
# replacement and a void (not written), nothing for an original, every
# document read by `claimscrub check`, and a bad file: its errors in compiler form, nothing written for it,
# exit 1; then --format fhir: the MedicationAdministration records of
# examples/fhir/ (NDJSON and the Bundle alike), one a line, and a bad
# resource named with its place.  Prints TAP.
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
expect "an unknown --format is a usage error" 2 "$CLAIMSCRUB" import --format hl7 "$p"

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

finish import
