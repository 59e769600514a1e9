#!/bin/sh
# fix.sh — `claimscrub fix` as a user meets it: the fixed claims come out in
# the input's format (YAML or JSON), parse again and scrub clean; --only
# leaves other severities' suggestions unapplied; what needs a person is
# listed on standard error and makes the exit 1; a bad document is an input
# error (exit 2) that does not stop the others; -o replaces its file whole
# or not at all.  Every program runs under tap.sh's timeout.  Prints TAP.
#
# The expected documents are written by hand from the suggestion contract
# (result.h, README "claimscrub fix") and the coding rules
# (infusion-rules.md) on claims with one unambiguous fix each, and compared
# without the `# fixed by` comment, whose counts are the engine's business.
set -u
: "${CLAIMSCRUB:=cli/claimscrub}"
: "${CLAIMSCRUB_SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/lib/tap.sh"

# same NAME WANT-FILE GOT-FILE — GOT without comment lines is WANT
same() {
	grep -v '^#' "$3" >"$tmp/got.nc"
	if cmp -s "$2" "$tmp/got.nc"; then ok "$1"; else
		not_ok "$1" "$(diff "$2" "$tmp/got.nc" | head -n 20)"; fi
}

# scrubs_clean NAME FILE — `claimscrub check` reads FILE and finds it clean
scrubs_clean() {
	if run "$CLAIMSCRUB" check --format json "$2" >"$tmp/check.out" 2>"$tmp/check.err"; then
		ok "$1"
	else not_ok "$1" "exit $?" "$(head -n 3 "$tmp/check.err" "$tmp/check.out")"; fi
}

# ---- the claims --------------------------------------------------------------
# C-PUSH: ceftriaxone ran 12 minutes, billed as an infusion: 15 minutes or
# less is a push (infusion-rules.md, Time), so 96365 becomes 96374 on line 1.
# C-IVSTART: the IV start 36000 is bundled into the infusion: line 2 goes.
cat >"$tmp/two.yaml" <<'DOC'
claim: C-PUSH
setting: facility
date_of_service: 2026-03-14
lines:
  - code: "96365"
  - code: J0696
    units: 4
administrations:
  - id: A1
    substance: ceftriaxone
    kind: therapeutic
    route: infusion
    site: L-forearm
    start: 2026-03-14T13:00
    stop: 2026-03-14T13:12
---
claim: C-IVSTART
payer: medicare
setting: facility
lines:
  - {code: "96365"}
  - {code: "36000"}
  - {code: J3370, units: 2}
administrations:
  - {id: A1, substance: vancomycin, kind: therapeutic, route: infusion,
     site: R-hand, start: 2026-03-14T10:00, stop: 2026-03-14T11:00}
DOC
cat >"$tmp/two.want" <<'DOC'
claim: "C-PUSH"
setting: facility
date_of_service: "2026-03-14"
lines:
  - code: "96374"
    units: 1
    modifiers: []
  - code: "J0696"
    units: 4
    modifiers: []
administrations:
  - id: "A1"
    substance: "ceftriaxone"
    kind: therapeutic
    route: infusion
    site: "L-forearm"
    start: "2026-03-14T13:00"
    stop: "2026-03-14T13:12"
---
claim: "C-IVSTART"
payer: "medicare"
setting: facility
lines:
  - code: "96365"
    units: 1
    modifiers: []
  - code: "J3370"
    units: 2
    modifiers: []
administrations:
  - id: "A1"
    substance: "vancomycin"
    kind: therapeutic
    route: infusion
    site: "R-hand"
    start: "2026-03-14T10:00"
    stop: "2026-03-14T11:00"
DOC

# the same two claims as JSON documents
cat >"$tmp/two.json" <<'DOC'
{"claim": "C-PUSH-J", "setting": "facility",
 "lines": [{"code": "96365"}, {"code": "J0696", "units": 4}],
 "administrations": [{"id": "A1", "substance": "ceftriaxone", "kind": "therapeutic",
   "route": "infusion", "site": "L-forearm",
   "start": "2026-03-14T13:00", "stop": "2026-03-14T13:12"}]}
---
{"claim": "C-IVSTART-J", "setting": "facility",
 "lines": [{"code": "96365"}, {"code": "36000"}, {"code": "J3370", "units": 2}],
 "administrations": [{"id": "A1", "substance": "vancomycin", "kind": "therapeutic",
   "route": "infusion", "site": "R-hand",
   "start": "2026-03-14T10:00", "stop": "2026-03-14T11:00"}]}
DOC
cat >"$tmp/two.json.want" <<'DOC'
{"claim":"C-PUSH-J","setting":"facility","lines":[{"code":"96374","units":1,"modifiers":[]},{"code":"J0696","units":4,"modifiers":[]}],"administrations":[{"id":"A1","substance":"ceftriaxone","kind":"therapeutic","route":"infusion","site":"L-forearm","start":"2026-03-14T13:00","stop":"2026-03-14T13:12"}]}
---
{"claim":"C-IVSTART-J","setting":"facility","lines":[{"code":"96365","units":1,"modifiers":[]},{"code":"J3370","units":2,"modifiers":[]}],"administrations":[{"id":"A1","substance":"vancomycin","kind":"therapeutic","route":"infusion","site":"R-hand","start":"2026-03-14T10:00","stop":"2026-03-14T11:00"}]}
DOC

# C-ONLY: an error (36000 billed: remove line 2) and revenue missed, an
# info finding (the ketorolac push is not billed: add 96375 x1).
cat >"$tmp/only.yaml" <<'DOC'
claim: C-ONLY
setting: facility
lines:
  - code: "96365"
  - code: "36000"
  - code: J0696
    units: 4
  - code: J1885
    units: 2
administrations:
  - {id: A1, substance: ceftriaxone, kind: therapeutic, route: infusion,
     site: R-forearm, start: 2026-03-17T09:00, stop: 2026-03-17T09:50}
  - {id: A2, substance: ketorolac, kind: therapeutic, route: push,
     site: R-forearm, start: 2026-03-17T10:05}
DOC
only_head='claim: "C-ONLY"
setting: facility
lines:
  - code: "96365"
    units: 1
    modifiers: []
  - code: "J0696"
    units: 4
    modifiers: []
  - code: "J1885"
    units: 2
    modifiers: []'
only_admins='administrations:
  - id: "A1"
    substance: "ceftriaxone"
    kind: therapeutic
    route: infusion
    site: "R-forearm"
    start: "2026-03-17T09:00"
    stop: "2026-03-17T09:50"
  - id: "A2"
    substance: "ketorolac"
    kind: therapeutic
    route: push
    site: "R-forearm"
    start: "2026-03-17T10:05"'
printf '%s\n%s\n' "$only_head" "$only_admins" >"$tmp/only-error.want"
printf '%s\n%s\n%s\n' "$only_head" '  - code: "96375"
    units: 1
    modifiers: []' "$only_admins" >"$tmp/only-all.want"

# C-MISS: the infusion has no stop time: `document`, for a person.
cat >"$tmp/missing.yaml" <<'DOC'
claim: C-MISS
setting: facility
lines:
  - code: "96365"
  - code: J3370
    units: 3
administrations:
  - id: A1
    substance: vancomycin
    kind: therapeutic
    route: infusion
    site: L-forearm
    start: 2026-03-05T14:00
DOC

# three documents, the second bad (an unknown key at 6:1)
cat >"$tmp/mixed.yaml" <<'DOC'
claim: C-A
setting: facility
---
claim: C-B
setting: facility
bogus: 1
---
claim: C-C
setting: professional
DOC

# ---- help and usage -------------------------------------------------------------
expect "fix --help exits 0" 0 "$CLAIMSCRUB" fix --help
grep -q '^Usage: claimscrub fix' "$tmp/out" && grep -q -- '--only LIST' "$tmp/out" &&
	ok "fix --help lists options" || not_ok "fix --help lists options"
expect "claimscrub --help" 0 "$CLAIMSCRUB" --help
grep -Eq '^  fix ' "$tmp/out" && ok "claimscrub --help lists fix" || not_ok "claimscrub --help lists fix"
expect "fix without files is a usage error" 2 "$CLAIMSCRUB" fix
expect "unknown --only severity" 2 "$CLAIMSCRUB" fix --only error,fatal "$tmp/two.yaml"
grep -q "not 'error,fatal'" "$tmp/err" && ok "--only names the bad list" || not_ok "--only names the bad list"
expect "empty --only" 2 "$CLAIMSCRUB" fix --only '' "$tmp/two.yaml"
expect "unknown --payer" 2 "$CLAIMSCRUB" fix --payer nosuch "$tmp/two.yaml"
expect "-o a directory" 2 "$CLAIMSCRUB" fix -o "$tmp" "$tmp/two.yaml"
expect "missing file" 2 "$CLAIMSCRUB" fix "$tmp/nonexistent.yaml"
grep -q 'nonexistent.yaml: error: cannot open' "$tmp/err" && ok "missing file is named" || not_ok "missing file is named"

# ---- YAML in, YAML out ----------------------------------------------------------
expect "YAML: fixed claims exit 0" 0 "$CLAIMSCRUB" fix "$tmp/two.yaml"
cp "$tmp/out" "$tmp/two.fixed.yaml"
same "YAML: 96365 -> 96374 on line 1; the 36000 line removed" "$tmp/two.want" "$tmp/two.fixed.yaml"
[ ! -s "$tmp/err" ] && ok "YAML: nothing left for a person" || not_ok "YAML: nothing left for a person" "$(head -n 3 "$tmp/err")"
grep -q '^# fixed by claimscrub fix: [0-9]* suggestion(s) applied' "$tmp/two.fixed.yaml" &&
	ok "YAML: a comment says what was done" || not_ok "YAML: a comment says what was done"
scrubs_clean "YAML: the output parses and scrubs clean" "$tmp/two.fixed.yaml"
expect "YAML: fixing the fixed claims" 0 "$CLAIMSCRUB" fix "$tmp/two.fixed.yaml"
same "YAML: a fixed claim is a fixed point" "$tmp/two.want" "$tmp/out"

# ---- JSON in, JSON out ------------------------------------------------------------
expect "JSON: fixed claims exit 0" 0 "$CLAIMSCRUB" fix "$tmp/two.json"
cp "$tmp/out" "$tmp/two.fixed.json"
same "JSON: canonical JSON, one line per claim" "$tmp/two.json.want" "$tmp/two.fixed.json"
scrubs_clean "JSON: the output parses and scrubs clean" "$tmp/two.fixed.json"
expect "JSON: standard input" 0 sh -c "cat '$tmp/two.json' | '$CLAIMSCRUB' fix -"
same "JSON: standard input gives the same" "$tmp/two.json.want" "$tmp/out"
expect "mixed formats: JSON then YAML" 0 "$CLAIMSCRUB" fix "$tmp/two.json" "$tmp/two.yaml"
{ cat "$tmp/two.json.want"; echo ---; cat "$tmp/two.want"; } >"$tmp/both.want"
same "mixed formats: each document in its own format, in input order" "$tmp/both.want" "$tmp/out"
cp "$tmp/out" "$tmp/both.fixed"
scrubs_clean "mixed formats: the output parses and scrubs clean" "$tmp/both.fixed"

# ---- --only ----------------------------------------------------------------------
expect "--only error: exit 0 (info does not flag)" 0 "$CLAIMSCRUB" fix --only error "$tmp/only.yaml"
same "--only error: the 36000 line removed, 96375 not added" "$tmp/only-error.want" "$tmp/out"
if grep -Eq "^$tmp/only\\.yaml: claim C-ONLY: (line [0-9]+: )?unbilled-service: " "$tmp/err" &&
   [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
	ok "--only error: the unapplied info finding is listed"
else not_ok "--only error: the unapplied info finding is listed" "$(head -n 3 "$tmp/err")"; fi
expect "--only info: exit 1 (the error is left)" 1 "$CLAIMSCRUB" fix --only info "$tmp/only.yaml"
grep -q ': claim C-ONLY: line 2: iv-start-bundled: ' "$tmp/err" &&
	ok "--only info: the unapplied error is listed with its line" ||
	not_ok "--only info: the unapplied error is listed with its line" "$(head -n 3 "$tmp/err")"
expect "all severities: exit 0" 0 "$CLAIMSCRUB" fix "$tmp/only.yaml"
same "all severities: 96375 x1 added as a new last line" "$tmp/only-all.want" "$tmp/out"
expect "--only error,warning,info is the default" 0 "$CLAIMSCRUB" fix --only info,warning,error "$tmp/only.yaml"
same "--only with all three" "$tmp/only-all.want" "$tmp/out"

# ---- what needs a person -----------------------------------------------------------
expect "no stop time: exit 1" 1 "$CLAIMSCRUB" fix "$tmp/missing.yaml"
if grep -Eq "^$tmp/missing\\.yaml: claim C-MISS: (line [0-9]+: )?missing-stop-time: .+" "$tmp/err"; then
	ok "no stop time: listed on standard error in compiler form"
else not_ok "no stop time: listed on standard error in compiler form" "$(head -n 3 "$tmp/err")"; fi
grep -Eq '^  - code: "96365"$' "$tmp/out" && grep -Eq '^  - code: "J3370"$' "$tmp/out" &&
	ok "no stop time: the document is written, lines unchanged" ||
	not_ok "no stop time: the document is written, lines unchanged" "$(head -n 12 "$tmp/out")"
cp "$tmp/out" "$tmp/missing.fixed.yaml"
expect "no stop time: the output parses (and is still flagged)" 1 "$CLAIMSCRUB" check --format json "$tmp/missing.fixed.yaml"

# ---- bad documents ----------------------------------------------------------------
expect "a bad document: exit 2" 2 "$CLAIMSCRUB" fix "$tmp/mixed.yaml"
grep -q "^$tmp/mixed\\.yaml:6:1: error: unknown key 'bogus'" "$tmp/err" &&
	ok "a bad document: FILE:LINE:COL on standard error" ||
	not_ok "a bad document: FILE:LINE:COL on standard error" "$(head -n 3 "$tmp/err")"
if grep -q '^claim: "C-A"$' "$tmp/out" && grep -q '^claim: "C-C"$' "$tmp/out" &&
   ! grep -q 'C-B' "$tmp/out"; then
	ok "a bad document: the good documents still come out"
else not_ok "a bad document: the good documents still come out" "$(head -n 20 "$tmp/out")"; fi
cp "$tmp/out" "$tmp/mixed.fixed.yaml"
scrubs_clean "a bad document: the good ones parse and scrub clean" "$tmp/mixed.fixed.yaml"

# ---- -o ------------------------------------------------------------------------------
expect "-o: exit 0" 0 "$CLAIMSCRUB" fix -o "$tmp/o.yaml" "$tmp/two.yaml"
[ ! -s "$tmp/out" ] && ok "-o: nothing on standard output" || not_ok "-o: nothing on standard output"
cmp -s "$tmp/o.yaml" "$tmp/two.fixed.yaml" && ok "-o: the file holds what standard output would" ||
	not_ok "-o: the file holds what standard output would"
[ ! -e "$tmp/o.yaml.tmp" ] && ok "-o: no temporary file left" || not_ok "-o: no temporary file left"
cp "$tmp/two.yaml" "$tmp/inplace.yaml"
expect "-o: in place" 0 "$CLAIMSCRUB" fix -o "$tmp/inplace.yaml" "$tmp/inplace.yaml"
same "-o: in place gives the fixed claims" "$tmp/two.want" "$tmp/inplace.yaml"
echo sentinel >"$tmp/keep.yaml"
expect "-o with a bad document: exit 2" 2 "$CLAIMSCRUB" fix -o "$tmp/keep.yaml" "$tmp/two.yaml" "$tmp/mixed.yaml"
[ "$(cat "$tmp/keep.yaml")" = sentinel ] && [ ! -e "$tmp/keep.yaml.tmp" ] &&
	ok "-o with a bad document: the file is left as it was" ||
	not_ok "-o with a bad document: the file is left as it was"
expect "-o with a claim left for a person: exit 1" 1 "$CLAIMSCRUB" fix -o "$tmp/m.yaml" "$tmp/missing.yaml"
cmp -s "$tmp/m.yaml" "$tmp/missing.fixed.yaml" && ok "-o: a claim left for a person is written" ||
	not_ok "-o: a claim left for a person is written"
expect "-o in a directory that does not exist: exit 2" 2 "$CLAIMSCRUB" fix -o "$tmp/none/x.yaml" "$tmp/two.yaml"
grep -q "cannot write '$tmp/none/x.yaml.tmp'" "$tmp/err" && ok "-o: the file that cannot be written is named" ||
	not_ok "-o: the file that cannot be written is named" "$(head -n 3 "$tmp/err")"

finish fix
