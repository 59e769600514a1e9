#!/bin/sh
# rules-check.sh — `claimscrub rules`: check reports every error of a broken
# rule directory (tests/rules-bad/, 29 kinds) at once, each at its
# FILE:LINE:COLUMN, and passes the shipped rules.d; show prints the merged
# rule set with the file and line of each value, overlays included; test
# runs a directory's tests/*.yaml against their `# expect` headers.
# Prints TAP.
set -u
: "${CLAIMSCRUB:=cli/claimscrub}"
: "${CLAIMSCRUB_SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib/tap.sh"
cd "$CLAIMSCRUB_SRCDIR" || exit 99


# has FILE NAME LINE — FILE holds LINE exactly, as a whole line
has() {
	if grep -Fxq -- "$3" "$1"; then ok "$2"; else
		not_ok "$2" "wanted: $3" "$(head -c 400 "$1")"; fi
}

# ---- check -----------------------------------------------------------------
expect "rules --help exits 0" 0 "$CLAIMSCRUB" rules --help
expect "rules without a subcommand is a usage error" 2 "$CLAIMSCRUB" rules
expect "rules frobnicate is a usage error" 2 "$CLAIMSCRUB" rules frobnicate
expect "rules check rules.d: valid" 0 "$CLAIMSCRUB" rules check rules.d
expect "rules check (default discovery): valid" 0 "$CLAIMSCRUB" rules check
expect "rules check of a missing directory" 2 "$CLAIMSCRUB" rules check "$tmp/none"
expect "rules check tests/rules-bad: invalid" 1 "$CLAIMSCRUB" rules check tests/rules-bad
e=tests/rules-bad
while IFS='|' read -r what line; do
	has "$tmp/err" "check reports $what" "$line"
done <<LIST
duplicate key|$e/60-duplicate.yaml:4:3: error: duplicate key 'push_max_minutes'
YAML syntax error in another file|$e/70-syntax.yaml:4:15: error: did not find expected ',' or ']' while parsing a flow sequence that started at 3:21
unknown top-level section|$e/20-settings.yaml:3:1: error: 'section' must be one of services, codes, classify, settings, profiles, findings, companions, not 'setings'
unknown service in a code|$e/00-codes.yaml:6:22: error: 'service' names unknown service 'therapy-infusion'
unknown role|$e/00-codes.yaml:7:52: error: 'role' must be one of initial, additional-hour, subsequent, concurrent, same-drug, not 'extra-hour'
duplicate role code|$e/00-codes.yaml:8:40: error: service 'hydration' already has initial code 96360
4-character code|$e/00-codes.yaml:9:3: error: a code has 5 characters
unknown kind in classify|$e/10-services.yaml:8:12: error: 'kind' must be one of therapeutic, chemotherapy, hydration, not 'magic'
unknown route|$e/10-services.yaml:9:32: error: 'route' must be one of infusion, push, injection, subcutaneous, not 'nasal'
short_as unknown service|$e/10-services.yaml:10:96: error: 'short_as' names unknown service 'warp-push'
unknown setting|$e/50-payers.yaml:4:16: error: unknown setting 'push_max_minute'
wrong type|$e/50-payers.yaml:6:30: error: 'hour_minutes' must be an integer from 1 to 1440, not a sequence
out-of-range number|$e/50-payers.yaml:8:27: error: 'max_lines' must be an integer from 1 to 10000, not '0'
huge number|$e/50-payers.yaml:10:33: error: 'max_run_minutes' must be an integer from 1 to 10080, not '99999999999999999999999'
unknown setting value|$e/50-payers.yaml:12:34: error: 'concurrent_limit' must be one of encounter, date, not 'weekly'
profile with unknown option|$e/50-payers.yaml:15:5: error: unknown key 'colour' in profile
distinct_site_modifier not accepted|$e/50-payers.yaml:17:40: error: distinct_site_modifier 'XP' is not in distinct_site_accepted
3-character modifier|$e/50-payers.yaml:19:40: error: 'distinct_site_modifier' is too long (3 bytes, at most 2)
unknown finding id|$e/30-findings.yaml:15:3: error: unknown finding id 'infusion-under-15'
unknown placeholder|$e/30-findings.yaml:20:14: error: message uses unknown placeholder '{minute}'
missing message|$e/30-findings.yaml:34:5: error: finding is missing required key 'message'
bad severity|$e/30-findings.yaml:51:15: error: 'severity' must be one of error, warning, info, not 'fatal'
enabled not boolean|$e/30-findings.yaml:70:14: error: 'enabled' must be true or false, not 'yes'
missing default profile|$e/50-payers.yaml:3:3: error: profiles has no 'default'
overlapping effective dates|$e/80-dated.yaml:6:7: error: dated value (from 2026-12-01) overlaps the one at $e/80-dated.yaml:5:7 (through 2026-12-31)
effective date that is not a date|$e/80-dated.yaml:8:35: error: 'effective_to' must be a date YYYY-MM-DD, not '2026-13-01'
period ending before it starts|$e/80-dated.yaml:12:61: error: 'effective_to' 2027-06-30 is before 'effective_from' 2028-01-01
dated value without a value|$e/80-dated.yaml:16:7: error: a dated value needs 'value'
unknown key in a dated value|$e/80-dated.yaml:19:49: error: unknown key 'reason' in a dated value (value, effective_from, effective_to)
LIST
has "$tmp/err" "check counts the errors" "29 errors"
if [ ! -s "$tmp/out" ]; then ok "check prints nothing on standard output"; else
	not_ok "check prints nothing on standard output" "$(head -c 200 "$tmp/out")"; fi

# A local file adding 100,000 keys: merged in O(n log n) (it once took 8 s
# and 2 GB for 16,000), and the errors are capped at 1,000 with a count.
mkdir -p "$tmp/many"
awk 'BEGIN { print "codes:"; for (i = 0; i < 100000; i++) print "  k" i ": 1" }' \
	>"$tmp/many/90-many.yaml"
start=$(date +%s)
expect "rules check of 100,000 bad keys" 1 "$CLAIMSCRUB" rules check rules.d "$tmp/many"
secs=$(( $(date +%s) - start ))
[ "$secs" -le 20 ] && ok "100,000 keys checked in ${secs} s" || not_ok "100,000 keys checked in ${secs} s"
[ "$(grep -c ': error: ' "$tmp/err")" -eq 1001 ] &&
	grep -Eq "^$tmp/many/90-many.yaml: error: [0-9]{6} more errors not shown\$" "$tmp/err" &&
	ok "the errors are capped at 1,000, with a count" ||
	not_ok "the errors are capped at 1,000, with a count" "$(tail -n 2 "$tmp/err")"

# ---- show ------------------------------------------------------------------
expect "rules show --payer medicare" 0 "$CLAIMSCRUB" rules show --payer medicare rules.d
line=$(grep -n 'distinct_site_modifier' rules.d/50-payer-medicare.yaml | cut -d: -f1)
has "$tmp/out" "show medicare: XS from 50-payer-medicare.yaml" \
	"  distinct_site_modifier: XS  # rules.d/50-payer-medicare.yaml:$line"
grep -q '^profiles' "$tmp/out" && not_ok "show leaves the profiles out" || ok "show leaves the profiles out"

# the rule-set version names the files' contents, not where they were read
v_rel=$(run "$CLAIMSCRUB" rules show --date 2027-01-01 rules.d | sed -n 's/^# rule set \([0-9a-f]*\),.*/\1/p')
cp -R rules.d "$tmp/elsewhere"
v_abs=$(run "$CLAIMSCRUB" rules show --date 2027-01-01 "$tmp/elsewhere" | sed -n 's/^# rule set \([0-9a-f]*\),.*/\1/p')
echo "# local" >>"$tmp/elsewhere/20-settings.yaml"
v_chg=$(run "$CLAIMSCRUB" rules show --date 2027-01-01 "$tmp/elsewhere" | sed -n 's/^# rule set \([0-9a-f]*\),.*/\1/p')
if [ -n "$v_rel" ] && [ "$v_rel" = "$v_abs" ] && [ "$v_chg" != "$v_rel" ]; then
	ok "the rule-set version is the same in another directory and changes with the contents ($v_rel)"
else
	not_ok "the rule-set version is the same in another directory and changes with the contents" \
		"rules.d $v_rel, copy $v_abs, edited copy $v_chg"
fi

# effective dating: tests/cases/rules has a payer moving from 59 to XS on
# January 1; show takes the date whose rules it prints
p=tests/cases/rules/60-test-profiles.yaml
dline=$(grep -n 'distinct_site_modifier: {value: XS' $p | cut -d: -f1)
expect "rules show --date 2026-12-31" 0 "$CLAIMSCRUB" rules show \
	--payer t-xs-from-2027 --date 2026-12-31 rules.d tests/cases/rules
has "$tmp/out" "show in December: the base modifier 59" \
	'  distinct_site_modifier: "59"  # rules.d/20-settings.yaml:'"$(grep -n '^  distinct_site_modifier' rules.d/20-settings.yaml | cut -d: -f1)"
grep '^# rule set' "$tmp/out" | grep -q 'in force on 2026-12-31 (period: through 2026-12-31)$' &&
	ok "show in December names its period" || not_ok "show in December names its period" "$(head -n 3 "$tmp/out")"
has "$tmp/out" "show lists the periods" "#   period 2: from 2027-01-01"
expect "rules show --date 2027-01-01" 0 "$CLAIMSCRUB" rules show \
	--payer t-xs-from-2027 --date 2027-01-01 rules.d tests/cases/rules
has "$tmp/out" "show in January: XS from the dated value" \
	"  distinct_site_modifier: XS  # $p:$dline"
expect "rules show --date 2027-02-30 is a usage error" 2 "$CLAIMSCRUB" rules show --date 2027-02-30
has "$tmp/err" "bad --date: one-line error" \
	"claimscrub: --date must be a date YYYY-MM-DD, not '2027-02-30'"
expect "rules show (default profile)" 0 "$CLAIMSCRUB" rules show rules.d
grep -q '^  distinct_site_modifier: "59"  # rules.d/20-settings.yaml:' "$tmp/out" &&
	ok "show default: 59 from 20-settings.yaml" || not_ok "show default: 59 from 20-settings.yaml" "$(grep distinct_site_modifier "$tmp/out")"
expect "rules show with an overlay" 0 "$CLAIMSCRUB" rules show rules.d tests/rules-local
has "$tmp/out" "show names the overlay file" "  push_max_minutes: 10  # tests/rules-local/90-local.yaml:6"
grep -q '^  hour_minutes: 60  # rules.d/20-settings.yaml:' "$tmp/out" &&
	ok "show keeps the values the overlay does not name" || not_ok "show keeps the values the overlay does not name"
expect "rules show --format json" 0 "$CLAIMSCRUB" rules show --format json --payer medicare rules.d
grep -Fq "\"distinct_site_modifier\":{\"value\":\"XS\",\"source\":\"rules.d/50-payer-medicare.yaml:$line\"}" "$tmp/out" &&
	ok "show json: value and source" || not_ok "show json: value and source" "$(head -c 300 "$tmp/out")"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" &&
		ok "show json is valid JSON" || not_ok "show json is valid JSON"
fi
expect "rules show --payer unknown" 2 "$CLAIMSCRUB" rules show --payer nobody rules.d
expect "rules show --format xml" 2 "$CLAIMSCRUB" rules show --format xml rules.d
expect "rules show of broken rules" 1 "$CLAIMSCRUB" rules show tests/rules-bad

# ---- test ------------------------------------------------------------------
expect "rules test rules.d tests/rules-local" 0 "$CLAIMSCRUB" rules test rules.d tests/rules-local
has "$tmp/out" "test: the 12-minute infusion passes" "ok   tests/rules-local/tests/local.yaml doc 1 (LOCAL-0001)"
has "$tmp/out" "test: counts" "2 passed, 0 failed"
mkdir -p "$tmp/plain/tests" && cp tests/rules-local/tests/local.yaml "$tmp/plain/tests/"
expect "rules test without the overlay fails" 1 "$CLAIMSCRUB" rules test rules.d "$tmp/plain"
grep -q "^FAIL .*doc 1 (LOCAL-0001): verdict flagged, expected clean; codes \[96374\], expected \[96365\]; findings \[infusion-under-16@1\], expected \[none\]$" "$tmp/out" &&
	ok "test prints the difference" || not_ok "test prints the difference" "$(cat "$tmp/out")"
expect "rules test of broken rules" 1 "$CLAIMSCRUB" rules test tests/rules-bad

finish rules-check
