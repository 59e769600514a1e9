#!/bin/sh
# import.sh — `claimscrub import` on the 837 samples of examples/x12/: the
# documents written (claim ids, lines, units, modifiers, from the samples'
# text), to standard output and to --out DIR, the frequency said for a
# replacement and a void (not written), nothing for an original, every document read by `claimscrub check`,
# and a bad file: its errors in compiler form, nothing written for it,
# exit 1.  Prints TAP.
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
expect "an unknown --format is a usage error" 2 "$CLAIMSCRUB" import --format fhir "$p"

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

finish import
