#!/bin/sh
# cli.sh — `claimscrub` as a user meets it: help and version, exit statuses,
# one-line FILE:LINE:COLUMN errors for every kind of bad input (claim files
# and rule files), nothing on standard output for bad documents, claim text
# escaped in every text output (no control sequence or bidi override
# reaches a terminal), a file of 80,000 bad documents in linear time with
# its errors capped, and byte-identical output for the same input.  Prints
# TAP.
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

# on_tty CMD... — CMD with standard error (and output) on a terminal, as
# script(1) gives it: what a person sees, carriage returns dropped
# (CMD's words must hold no single quote)
on_tty() {
	_cmd=""
	for _w in "$@"; do _cmd="$_cmd '$_w'"; done
	run script -qec "$_cmd" /dev/null </dev/null | tr -d '\r'
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
# an expected code billed on two lines names both (lines 1 and 2 bill
# 96365 for vancomycin then cefepime, one initial expected), not the first
expect "text format, a code billed on two lines" 1 "$CLAIMSCRUB" check --format text "$src/examples/07-duplicate-initial.yaml"
grep -Eq '^    96365 +x1 +A1 +x2   lines 1,2  <- differs$' "$tmp/out" && grep -Eq '^    J3370 +x2   line 3$' "$tmp/out" &&
	ok "text: the billed column names every line of the code (lines 1,2), one line as line N" ||
	not_ok "text: the billed column names every line of the code (lines 1,2), one line as line N" "$(grep -A5 '^  expected' "$tmp/out")"
# the drug lines come under their own heading, with no expected figure (an
# "x0" read as "the record supports none of this drug")
sed -n '/^  expected/,/^  findings/p' "$tmp/out" >"$tmp/codes"
printf '%s\n' '  expected                    billed' \
	'    96365     x1   A1                  x2   lines 1,2  <- differs' \
	'    96367     x1   A2                  not billed' \
	'  other billed lines' \
	'    J3370                              x2   line 3' \
	'    J0692                              x4   line 4' '  findings' >"$tmp/codes.want"
cmp -s "$tmp/codes" "$tmp/codes.want" && ok "text: drug lines under 'other billed lines', no expected figure" ||
	not_ok "text: drug lines under 'other billed lines', no expected figure" "$(diff "$tmp/codes.want" "$tmp/codes")"
# a claim the record supports no code of: 'none', and its 96365 among the
# other lines, pointing at the finding
expect "text format, nothing expected" 1 "$CLAIMSCRUB" check --format text "$src/examples/05-missing-stop-time.yaml"
sed -n '/^  expected/,/^  findings/p' "$tmp/out" >"$tmp/codes"
printf '%s\n' '  expected                    billed' '    none' '  other billed lines' \
	'    96365                              x1   line 1  <- see findings' \
	'    J3370                              x3   line 2' '  findings' >"$tmp/codes.want"
cmp -s "$tmp/codes" "$tmp/codes.want" && ok "text: nothing expected reads 'none', the billed code among the other lines" ||
	not_ok "text: nothing expected reads 'none', the billed code among the other lines" "$(diff "$tmp/codes.want" "$tmp/codes")"
# twenty lines of 96366 after a 96365: the list is cut where 48 bytes end
{ printf 'claim: C-MANY\nsetting: facility\nlines:\n  - code: "96365"\n'
  i=0; while [ $i -lt 20 ]; do printf '  - code: "96366"\n'; i=$((i + 1)); done
  printf 'administrations:\n  - {id: A1, substance: immune globulin, kind: therapeutic, route: infusion,\n'
  printf '     start: 2026-03-02T08:00, stop: 2026-03-02T10:00}\n'; } >"$tmp/many.yaml"
expect "text format, a code billed on twenty lines" 1 "$CLAIMSCRUB" check --format text "$tmp/many.yaml"
grep -Eq '^    96366 +x1 +A1 +x20  lines 2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18\.\.\.  <- differs$' "$tmp/out" &&
	ok "text: a long list of lines is cut with ..." ||
	not_ok "text: a long list of lines is cut with ..." "$(grep -A4 '^  expected' "$tmp/out")"

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

# ---- claim text on a terminal (issue 14, item 4) -------------------------------
# ESC/CSI, a C1 CSI (U+009B, the bytes C2 9B) and a right-to-left override
# (U+202E) in the payer, provider, substance and site: the first document
# has no C0 control, so it is read and scrubbed; the second is refused
# (C0 controls), and the reader's errors must not echo it raw either
cat >"$tmp/term.yaml" <<'DOC'
claim: C-TERM
setting: facility
payer: "\x9b31mPAYER\u202eREYAP"
provider: "NPI-\x9b2J\u202e1"
lines:
  - {code: "96365"}
  - {code: J0696, units: 4}
administrations:
  - {id: A1, substance: "cef\x9b31mtri\u202eaxone", kind: therapeutic, route: infusion,
     site: "L-\x9b2J\u202earm", start: 2026-03-14T13:00, stop: 2026-03-14T13:12}
---
claim: C-TERM-ESC
setting: facility
payer: "\e[31mPAYER\x9b31m\u202e"
provider: "\e]0;owned\a\u202e"
administrations:
  - {id: A1, substance: "\e[2J\x9b2J\u202e", kind: therapeutic, route: push, site: "\e[5m\u202e"}
DOC
expect "check --format text, claim text with escapes: exit 2 (the second is refused)" 2 \
	"$CLAIMSCRUB" check --format text "$tmp/term.yaml"
if terminal_safe "$tmp/out" && terminal_safe "$tmp/err" &&
	grep -qF 'payer \u009b31mPAYER\u202eREYAP  provider NPI-\u009b2J\u202e1' "$tmp/out" &&
	grep -qF '(cef\u009b31mtri\u202eaxone)' "$tmp/out" && grep -q "'payer' contains a control character" "$tmp/err"; then
	ok "check --format text shows C1 controls and bidi overrides escaped (\\u009b, \\u202e), never raw"
else
	not_ok "check --format text shows C1 controls and bidi overrides escaped, never raw" \
		"$(od -c "$tmp/out" | grep -E '302|342' | head -n 3)"
fi
# a diagnostic that quotes the document
printf '%s\n' 'claim: C-DUP' 'setting: facility' 'administrations:' \
	'  - {id: "A\x9b1\u202e", substance: x, kind: therapeutic, route: push}' \
	'  - {id: "A\x9b1\u202e", substance: x, kind: therapeutic, route: push}' >"$tmp/dup.yaml"
expect "a repeated administration id with escapes" 2 "$CLAIMSCRUB" check --format json "$tmp/dup.yaml"
if terminal_safe "$tmp/err" && grep -qF "dup.yaml:5:10: error: administration id 'A\\u009b1\\u202e' is used twice" "$tmp/err"; then
	ok "an error quoting the document shows its escapes escaped"
else not_ok "an error quoting the document shows its escapes escaped" "$(od -c "$tmp/err" | head -n 4)"; fi
# on a terminal the errors show the source line: raw bytes in the file
printf 'claim: C-RAW\nsetting: facility\npayer: "\342\200\256PAYER\302\233"\n' >"$tmp/raw.yaml"
on_tty "$CLAIMSCRUB" check --format json "$tmp/raw.yaml" >"$tmp/tty" 2>&1
if terminal_safe "$tmp/tty" && grep -qF '  payer: "\u202ePAYER\u009b"' "$tmp/tty" &&
	grep -q '^ \{21\}\^$' "$tmp/tty"; then
	ok "on a terminal the source line under an error is escaped, the caret under the bad character"
else not_ok "on a terminal the source line under an error is escaped" "$(od -c "$tmp/tty" | head -n 6)"; fi

# ---- many bad documents (issue 14, item 13) -----------------------------------
# 80,000 bad documents and a good one: every document is read, the errors
# stop at 1,000 with a line saying how many more, in linear time (it took
# 7 s, and minutes on a terminal, when each document scanned every error)
awk 'BEGIN { for (i = 1; i <= 80000; i++) printf "---\nclaim: C-%d\nsetting: facility\nbogus: 1\n", i }' >"$tmp/bad80k.yaml"
{ echo ---; cat "$good"; } >>"$tmp/bad80k.yaml"
t0=$(date +%s)
expect "80,000 bad documents: exit 2" 2 "$CLAIMSCRUB" check --format json "$tmp/bad80k.yaml"
secs=$(($(date +%s) - t0))
if [ "$(wc -l <"$tmp/err")" -eq 1001 ] && [ "$(grep -c "error: unknown key 'bogus'" "$tmp/err")" -eq 1000 ] &&
	sed -n 1000p "$tmp/err" | grep -q '^.*/bad80k\.yaml:4000:1: error: ' &&
	tail -n 1 "$tmp/err" | grep -qx '.*/bad80k\.yaml: error: 79000 more errors not shown' &&
	grep -q '"claim":"C-GOOD"' "$tmp/out"; then
	ok "80,000 bad documents: the first 1,000 errors, '79000 more errors not shown', the good one scrubbed (${secs} s)"
else
	not_ok "80,000 bad documents: 1,000 errors and the cap line" "$(wc -l <"$tmp/err") lines; last: $(tail -n 1 "$tmp/err")"
fi
t0=$(date +%s)
on_tty "$CLAIMSCRUB" check --format json "$tmp/bad80k.yaml" >"$tmp/tty" 2>&1
secs=$(($(date +%s) - t0))
if [ "$(grep -c '^  bogus: 1$' "$tmp/tty")" -eq 1000 ] && tail -n 1 "$tmp/tty" | grep -q ': error: 79000 more errors not shown$'; then
	ok "80,000 bad documents on a terminal: 1,000 errors with their source lines, then the cap line (${secs} s)"
else
	not_ok "80,000 bad documents on a terminal: 1,000 errors with source lines, then the cap line" \
		"$(grep -c '^  bogus: 1$' "$tmp/tty") source lines; last: $(tail -n 1 "$tmp/tty")"
fi
rm -f "$tmp/bad80k.yaml"

# ---- determinism -------------------------------------------------------------
(cd "$src/tests/cases" && run "$CLAIMSCRUB" check --format json --rules ../../rules.d --rules rules ./*.yaml) >"$tmp/run1" 2>/dev/null
(cd "$src/tests/cases" && run "$CLAIMSCRUB" check --format json --rules ../../rules.d --rules rules ./*.yaml) >"$tmp/run2" 2>/dev/null
if [ -s "$tmp/run1" ] && cmp -s "$tmp/run1" "$tmp/run2"; then
	ok "the same input gives byte-identical JSON ($(wc -l <"$tmp/run1") claims)"
else not_ok "the same input gives byte-identical JSON"; fi

finish cli
