#!/bin/sh
# cli.sh — `claimscrub` as a user meets it: help and version, exit statuses,
# one-line FILE:LINE:COLUMN errors for every kind of bad input (claim files
# and rule files), nothing on standard output for bad documents, and
# byte-identical output for the same input.  Prints TAP.
set -u
: "${CLAIMSCRUB:=cli/claimscrub}"
: "${CLAIMSCRUB_SRCDIR:=.}"
src=$CLAIMSCRUB_SRCDIR
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/lib/tap.sh"

# one_error NAME PATTERN — standard error is exactly one line matching PATTERN
one_error() {
	lines=$(wc -l <"$tmp/err")
	if [ "$lines" -eq 1 ] && grep -Eq "$2" "$tmp/err"; then ok "$1: one-line error"; else
		not_ok "$1: one-line error" "wanted /$2/, got $lines line(s):" "$(head -c 300 "$tmp/err")"; fi
}

# rules_with NAME CONTENT — a copy of rules.d plus 95-test.yaml
rules_with() {
	rm -rf "$tmp/rules" && mkdir "$tmp/rules" && cp "$src"/rules.d/*.yaml "$tmp/rules/"
	printf '%s\n' "$1" >"$tmp/rules/95-test.yaml"
}

good="$tmp/good.yaml"
cat >"$good" <<'DOC'
claim: C-GOOD
setting: facility
lines:
  - {code: "96365"}
  - {code: J0696, units: 4}
administrations:
  - {id: A1, substance: ceftriaxone, kind: therapeutic, route: infusion,
     site: R-forearm, start: 2026-03-14T13:00, stop: 2026-03-14T14:00}
DOC
flagged="$src/tests/cases/w-ceftriaxone-12-push.yaml"

# ---- help, version, usage -------------------------------------------------
expect "--help exits 0" 0 "$CLAIMSCRUB" --help
grep -q '^Usage: claimscrub COMMAND' "$tmp/out" && ok "--help prints usage" || not_ok "--help prints usage"
expect "--version exits 0" 0 "$CLAIMSCRUB" --version
grep -Eq '^claimscrub [0-9]+\.[0-9]+' "$tmp/out" && ok "--version prints the version" || not_ok "--version prints the version"
expect "check --help exits 0" 0 "$CLAIMSCRUB" check --help
grep -q -- '--format FORMAT' "$tmp/out" && ok "check --help lists options" || not_ok "check --help lists options"
expect "no command is a usage error" 2 "$CLAIMSCRUB"
expect "unknown command is a usage error" 2 "$CLAIMSCRUB" frobnicate
expect "check without files is a usage error" 2 "$CLAIMSCRUB" check
expect "unknown --format" 2 "$CLAIMSCRUB" check --format xml "$good"
expect "unknown --payer" 2 "$CLAIMSCRUB" check --payer nosuch "$good"
one_error "unknown --payer" "no payer profile 'nosuch'"
expect "missing file" 2 "$CLAIMSCRUB" check "$tmp/nonexistent.yaml"
one_error "missing file" "nonexistent.yaml: error: cannot open"

# ---- exit statuses and formats ----------------------------------------------
expect "clean claim exits 0" 0 "$CLAIMSCRUB" check --format json "$good"
expect "flagged claim exits 1" 1 "$CLAIMSCRUB" check --format json "$flagged"
expect "standard input" 1 sh -c "cat '$flagged' | '$CLAIMSCRUB' check --format json -"
grep -q '"rule":"infusion-under-16"' "$tmp/out" && ok "standard input is scrubbed" || not_ok "standard input is scrubbed"
expect "--payer medicare" 0 "$CLAIMSCRUB" check --format json --payer medicare "$good"
grep -q '"profile":"medicare"' "$tmp/out" && ok "--payer selects the profile" || not_ok "--payer selects the profile"
expect "text format" 1 "$CLAIMSCRUB" check --format text "$flagged"
if grep -q 'administrations' "$tmp/out" && grep -q '|\[=*\]|' "$tmp/out" &&
   grep -q 'expected *billed' "$tmp/out" && grep -q 'fix: bill 96374 x1' "$tmp/out"; then
	ok "text shows timeline, expected against billed, and the fix"
else not_ok "text shows timeline, expected against billed, and the fix" "$(head -n 20 "$tmp/out")"; fi

# ---- bad claim documents --------------------------------------------------
printf 'claim: C-1\nsetting: facility\nlines: [\n' >"$tmp/malformed.yaml"
expect "malformed claim file" 2 "$CLAIMSCRUB" check "$tmp/malformed.yaml"
one_error "malformed claim file" '^.*/malformed\.yaml:[0-9]+:[0-9]+: error: '
[ ! -s "$tmp/out" ] && ok "malformed claim file prints no result" || not_ok "malformed claim file prints no result"

printf 'claim: C-1\nsetting: facility\nbogus: 1\n' >"$tmp/unknown.yaml"
expect "unknown key" 2 "$CLAIMSCRUB" check "$tmp/unknown.yaml"
one_error "unknown key" "unknown\\.yaml:3:1: error: unknown key 'bogus' in claim document"

printf 'claim: C-1\nsetting: facility\nlines:\n  - {code: "96365", units: [1]}\n' >"$tmp/type.yaml"
expect "wrong type" 2 "$CLAIMSCRUB" check "$tmp/type.yaml"
one_error "wrong type" "type\\.yaml:4:28: error: 'units' must be an integer from 1 to 999"

printf 'claim: C-1\nsetting: facility\nlines:\n  - {code: "96365", units: 184467440737095516160000}\n' >"$tmp/huge.yaml"
expect "huge number" 2 "$CLAIMSCRUB" check "$tmp/huge.yaml"
one_error "huge number" "huge\\.yaml:4:28: error: 'units' must be an integer from 1 to 999"

{ printf 'claim: C-1\nsetting: facility\nadministrations:\n  - {id: A1, kind: therapeutic, route: push, substance: "'
  head -c 10485760 /dev/zero | tr '\0' x
  printf '"}\n'; } >"$tmp/big.yaml"
expect "10 MB string" 2 "$CLAIMSCRUB" check "$tmp/big.yaml"
one_error "10 MB string" "big\\.yaml:4:[0-9]+: error: 'substance' is too long \\(10485760 bytes"

printf 'claim: C-1\n\000\377\376binary\001\002\n' >"$tmp/binary.yaml"
expect "binary file" 2 "$CLAIMSCRUB" check "$tmp/binary.yaml"
one_error "binary file" "binary\\.yaml:[0-9]+:[0-9]+: error: "

head -c 70000000 /dev/zero >"$tmp/toolarge.yaml"
expect "file over the size limit" 2 "$CLAIMSCRUB" check "$tmp/toolarge.yaml"
one_error "file over the size limit" "toolarge\\.yaml: error: file is larger than"

# ---- bad rule files ----------------------------------------------------------
rules_with 'settings: {push_max_minutes: 15'
expect "malformed rule file" 2 "$CLAIMSCRUB" check --rules "$tmp/rules" "$good"
one_error "malformed rule file" '95-test\.yaml:[0-9]+:[0-9]+: error: '
rules_with 'settings: {push_max_minuets: 15}'
expect "unknown key in a rule file" 2 "$CLAIMSCRUB" check --rules "$tmp/rules" "$good"
one_error "unknown key in a rule file" "95-test\\.yaml:1:12: error: unknown setting 'push_max_minuets'"
rules_with 'settings: {push_max_minutes: fifteen}'
expect "wrong type in a rule file" 2 "$CLAIMSCRUB" check --rules "$tmp/rules" "$good"
one_error "wrong type in a rule file" "95-test\\.yaml:1:30: error: 'push_max_minutes' must be an integer"
rules_with 'settings: {push_max_minutes: 99999999999999999999999999}'
expect "huge number in a rule file" 2 "$CLAIMSCRUB" check --rules "$tmp/rules" "$good"
one_error "huge number in a rule file" "95-test\\.yaml:1:30: error: 'push_max_minutes' must be an integer"
rules_with "$(printf 'findings: {manual-review: {severity: warning, message: "%s"}}' "$(head -c 10485760 /dev/zero | tr '\0' y)")"
expect "10 MB string in a rule file" 2 "$CLAIMSCRUB" check --rules "$tmp/rules" "$good"
one_error "10 MB string in a rule file" "95-test\\.yaml:1:[0-9]+: error: 'message' is too long"
rules_with "" && printf '\000\377\376\001binary' >"$tmp/rules/95-test.yaml"
expect "binary rule file" 2 "$CLAIMSCRUB" check --rules "$tmp/rules" "$good"
one_error "binary rule file" '95-test\.yaml:[0-9]+:[0-9]+: error: '
expect "missing rule directory" 2 "$CLAIMSCRUB" check --rules "$tmp/none" "$good"
one_error "missing rule directory" "none: error: cannot open rule directory"

# ---- determinism -------------------------------------------------------------
(cd "$src/tests/cases" && run "$CLAIMSCRUB" check --format json --rules ../../rules.d --rules rules ./*.yaml) >"$tmp/run1" 2>/dev/null
(cd "$src/tests/cases" && run "$CLAIMSCRUB" check --format json --rules ../../rules.d --rules rules ./*.yaml) >"$tmp/run2" 2>/dev/null
if [ -s "$tmp/run1" ] && cmp -s "$tmp/run1" "$tmp/run2"; then
	ok "the same input gives byte-identical JSON ($(wc -l <"$tmp/run1") claims)"
else not_ok "the same input gives byte-identical JSON"; fi

finish cli
