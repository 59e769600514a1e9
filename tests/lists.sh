#!/bin/sh
# lists.sh — the lists that cannot include C agree with the engine's own:
# every finding id of FINDING_LIST (scrubber/finding.h) has its entry in
# rules.d/30-findings.yaml and its row in README.md's findings table (with a
# known severity), every setting of scrubber/rules_decode.c is in
# rules.d/20-settings.yaml and README.md's settings table, and none of them
# names anything the engine lacks, or a name twice.  The engine's names come
# from tests/list-names (built by make check).  Prints TAP.
set -u
: "${CLAIMSCRUB_SRCDIR:=.}"
: "${CLAIMSCRUB_BUILDDIR:=.}"
: "${LIST_NAMES:=$CLAIMSCRUB_BUILDDIR/tests/list-names}"
src=$CLAIMSCRUB_SRCDIR
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/lib/tap.sh"

FINDINGS_HEAD='| id | severity | when | suggests |'
SETTINGS_HEAD='| setting | default | meaning |'

# yaml_keys FILE SECTION — the keys right under top-level SECTION (indented
# two spaces, as the shipped rule files are), sorted
yaml_keys() {
	awk -v s="$2:" '/^[^ #]/ { in_s = ($1 == s) }
		in_s && /^  [^ #]/ { sub(/^  /, ""); sub(/:.*/, ""); print }' "$1" |
		LC_ALL=C sort
}

# table_column FILE HEADER N — the `names` in column N of the Markdown table
# of FILE whose header row is HEADER (a cell may hold several), sorted
table_column() {
	awk -v h="$2" -v n="$3" '$0 == h { t = 1; next }
		t && !/^\|/ { exit }
		t && !/^\| *---/ { split($0, c, "|"); print c[n + 1] }' "$1" |
		grep -o '`[^`]*`' | tr -d '`' | LC_ALL=C sort
}

# same KIND WHERE GOT — GOT (sorted names) holds each of the engine's KIND
# names exactly once, and nothing else
same() {
	_missing=$(LC_ALL=C comm -23 "$tmp/c-$1" "$3" | tr '\n' ' ')
	_extra=$(LC_ALL=C comm -13 "$tmp/c-$1" "$3" | tr '\n' ' ')
	if [ -z "$_missing" ]; then ok "$2 has every $1"; else
		not_ok "$2 has every $1" "missing: $_missing"; fi
	if [ -z "$_extra" ]; then ok "$2 names no other $1, none twice"; else
		not_ok "$2 names no other $1, none twice" "unknown or repeated: $_extra"; fi
}

# ---- the engine's lists ------------------------------------------------------
expect "list-names prints the engine's lists" 0 "$LIST_NAMES"
for kind in finding severity setting; do
	sed -n "s/^$kind //p" "$tmp/out" | LC_ALL=C sort >"$tmp/c-$kind"
done
# at least what the engine had when this test was written: an empty or cut
# list would make every comparison below pass
check "the engine lists 23 finding ids or more" test "$(wc -l <"$tmp/c-finding")" -ge 23
check "the engine lists 3 severities or more" test "$(wc -l <"$tmp/c-severity")" -ge 3
check "the engine lists 19 settings or more" test "$(wc -l <"$tmp/c-setting")" -ge 19

# ---- the readers see a drifted copy (else the checks below prove nothing) ---
grep -v '^  invalid-data:' "$src/rules.d/30-findings.yaml" >"$tmp/f.yaml"
echo '  no-such-finding:' >>"$tmp/f.yaml"
yaml_keys "$tmp/f.yaml" findings >"$tmp/got"
check "yaml_keys sees a key dropped and one added" \
	sh -c '! grep -qx invalid-data "$1" && grep -qx no-such-finding "$1"' sh "$tmp/got"
grep -v '^| `invalid-data`' "$src/README.md" >"$tmp/README.md"
table_column "$tmp/README.md" "$FINDINGS_HEAD" 1 >"$tmp/got"
check "table_column sees a row dropped and reads joint cells" \
	sh -c '! grep -qx invalid-data "$1" && grep -qx missing-stop-time "$1"' sh "$tmp/got"

# ---- findings ----------------------------------------------------------------
yaml_keys "$src/rules.d/30-findings.yaml" findings >"$tmp/got"
same finding "rules.d/30-findings.yaml" "$tmp/got"
table_column "$src/README.md" "$FINDINGS_HEAD" 1 >"$tmp/got"
same finding "README.md's findings table" "$tmp/got"
awk -v h="$FINDINGS_HEAD" '$0 == h { t = 1; next } t && !/^\|/ { exit }
	t && !/^\| *---/ { split($0, c, "|"); gsub(/ /, "", c[3]); print c[3] }' \
	"$src/README.md" | LC_ALL=C sort -u >"$tmp/got"
bad=$(LC_ALL=C comm -13 "$tmp/c-severity" "$tmp/got" | tr '\n' ' ')
if [ -s "$tmp/got" ] && [ -z "$bad" ]; then ok "README.md's findings table gives known severities"; else
	not_ok "README.md's findings table gives known severities" "unknown: $bad"; fi

# ---- settings ----------------------------------------------------------------
yaml_keys "$src/rules.d/20-settings.yaml" settings >"$tmp/got"
same setting "rules.d/20-settings.yaml" "$tmp/got"
table_column "$src/README.md" "$SETTINGS_HEAD" 1 >"$tmp/got"
same setting "README.md's settings table" "$tmp/got"

finish lists
