#!/bin/sh
# lists.sh — the lists that cannot include C agree with the engine's own:
# every finding id of FINDING_LIST (scrubber/finding.h) has its entry in
# rules.d/30-findings.yaml and its row in README.md's findings table (with a
# known severity), every setting of scrubber/rules_decode.c is in
# rules.d/20-settings.yaml and README.md's settings table, and none of them
# names anything the engine lacks, or a name twice.  The engine's names come
# from tests/list-names (built by make check).  The daemon's likewise: every
# metric family it can expose (`claimscrubd --list-names`: its metrics rows)
# is in README.md's metrics table with its labels, type and aggregation
# across daemons, and every key of
# its configuration (dconf.c's key table) in README.md's configuration
# block, claimscrubd.yaml(5) (KEYS and EXAMPLE) and daemon/claimscrubd.yaml,
# and they name nothing else.  Prints TAP.
set -u
: "${CLAIMSCRUB_SRCDIR:=.}"
: "${CLAIMSCRUB_BUILDDIR:=.}"
: "${LIST_NAMES:=$CLAIMSCRUB_BUILDDIR/tests/list-names}"
: "${CLAIMSCRUBD:=$CLAIMSCRUB_BUILDDIR/daemon/claimscrubd}"
src=$CLAIMSCRUB_SRCDIR
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/lib/tap.sh"

FINDINGS_HEAD='| id | severity | when | suggests |'
SETTINGS_HEAD='| setting | default | meaning |'
METRICS_HEAD='| metric | type | across daemons | what |'

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

# table_pairs FILE HEADER — `NAME TYPE AGG` for every name in column 1 of
# that table, with the type of column 2 and the aggregation of column 3,
# sorted
table_pairs() {
	awk -v h="$2" '$0 == h { t = 1; next }
		t && !/^\|/ { exit }
		t && !/^\| *---/ { split($0, c, "|"); gsub(/[ `]/, "", c[3])
			gsub(/[ `]/, "", c[4])
			s = c[2]
			while (match(s, /`[^`]*`/)) {
				print substr(s, RSTART + 1, RLENGTH - 2), c[3], c[4]
				s = substr(s, RSTART + RLENGTH)
			} }' "$1" | LC_ALL=C sort
}

# yaml_block FILE — the top-level keys of README.md's claimscrubd.yaml
# block: the first yaml block after "The configuration file (default"
yaml_block() {
	awk '/^The configuration file \(default/ { p = 1 }
		p && /^```yaml/ { b = 1; next }
		b && /^```/ { exit }
		b && /^[a-z_]+:/ { sub(/:.*/, ""); print }' "$1" | LC_ALL=C sort
}

# man_keys FILE — the keys claimscrubd.yaml(5) describes (`.BI key: type`)
man_keys() { sed -n 's/^\.BI \([a-z_]*\): .*/\1/p' "$1" | LC_ALL=C sort; }

# man_example FILE — the keys of claimscrubd.yaml(5)'s EXAMPLE
man_example() {
	awk '/^\.SH/ { e = ($2 == "EXAMPLE") } e && /^[a-z_]+:/ {
		sub(/:.*/, ""); print }' "$1" | LC_ALL=C sort
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

# ---- the daemon's lists -------------------------------------------------------
expect "claimscrubd --list-names prints the daemon's lists" 0 "$CLAIMSCRUBD" --list-names
sed -n 's/^key //p' "$tmp/out" | LC_ALL=C sort >"$tmp/c-key"
sed -n 's/^metric //p' "$tmp/out" | LC_ALL=C sort >"$tmp/c-metric"
check "the daemon lists 11 configuration keys or more" test "$(wc -l <"$tmp/c-key")" -ge 11
check "the daemon lists 24 metric families or more" test "$(wc -l <"$tmp/c-metric")" -ge 24

# the readers see a drifted copy
grep -v '^| `claimscrub_stalled`' "$src/README.md" |
	sed 's/^batch_size: 500 /batch_sizes: 500 /' >"$tmp/README.md"
table_pairs "$tmp/README.md" "$METRICS_HEAD" >"$tmp/got"
check "table_pairs sees a row dropped and reads joint cells" \
	sh -c '! grep -q "^claimscrub_stalled " "$1" &&
		grep -qx "claimscrub_batch_failures_total counter sum" "$1"' sh "$tmp/got"
yaml_block "$tmp/README.md" >"$tmp/got"
check "yaml_block sees a key renamed" \
	sh -c '! grep -qx batch_size "$1" && grep -qx batch_sizes "$1" &&
		grep -qx log_level "$1"' sh "$tmp/got"

# ---- metrics -------------------------------------------------------------------
table_pairs "$src/README.md" "$METRICS_HEAD" >"$tmp/got"
same metric "README.md's metrics table (name{labels} type, how across daemons)" "$tmp/got"

# ---- configuration keys -------------------------------------------------------
yaml_block "$src/README.md" >"$tmp/got"
same key "README.md's configuration block" "$tmp/got"
man_keys "$src/daemon/claimscrubd.yaml.5.in" >"$tmp/got"
same key "claimscrubd.yaml(5)'s KEYS" "$tmp/got"
man_example "$src/daemon/claimscrubd.yaml.5.in" >"$tmp/got"
same key "claimscrubd.yaml(5)'s EXAMPLE" "$tmp/got"
sed -n 's/^#\([a-z_]*\): .*/\1/p' "$src/daemon/claimscrubd.yaml.in" | LC_ALL=C sort >"$tmp/got"
same key "daemon/claimscrubd.yaml (each commented out)" "$tmp/got"

# ---- the schema the daemon knows -------------------------------------------------
# (it warns of a newer schema than SCHEMA_KNOWN: every demo would, were the
# last migration not counted there)
last=$(ls "$src/sql/migrations" | sed -n 's/^\([0-9][0-9][0-9]\)_.*\.sql$/\1/p' | LC_ALL=C sort | tail -n 1)
known=$(sed -n 's/^#define SCHEMA_KNOWN \([0-9]*\)$/\1/p' "$src/daemon/main.c")
if [ -n "$last" ] && [ -n "$known" ] && [ "$((1$last - 1000))" = "$known" ]; then
	ok "the daemon knows the last migration, $last (SCHEMA_KNOWN $known)"
else
	not_ok "the daemon knows the last migration" "sql/migrations ends at ${last:-none}, daemon/main.c's SCHEMA_KNOWN is ${known:-missing}"
fi

finish lists
