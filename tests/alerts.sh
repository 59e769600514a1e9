#!/bin/sh
# alerts.sh — contrib/prometheus/'s alert rules: `promtool check rules`
# accepts them, `promtool test rules` passes their unit tests (each alert
# fires on the series that should raise it and not before), and every
# claimscrub_* metric they name is one the daemon exposes
# (`claimscrubd --list-names`), so a metric renamed breaks this test and
# not a hospital's paging.  Prints TAP.
set -u
: "${CLAIMSCRUB_SRCDIR:=.}"
: "${CLAIMSCRUB_BUILDDIR:=.}"
: "${CLAIMSCRUBD:=$CLAIMSCRUB_BUILDDIR/daemon/claimscrubd}"
dir=$CLAIMSCRUB_SRCDIR/contrib/prometheus
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib/tap.sh"

command -v promtool >/dev/null 2>&1 || { echo "Bail out! promtool is missing (apt-get install prometheus)"; exit 99; }

if run promtool check rules "$dir/claimscrub-alerts.yml" >"$tmp/check" 2>&1; then
	ok "promtool check rules: $(grep -o '[0-9]* rules found' "$tmp/check")"
else
	not_ok "promtool check rules" "$(head -n 10 "$tmp/check")"
fi
# (promtool finds the rule file beside the test file)
if (cd "$dir" && run promtool test rules claimscrub-alerts.test.yml) >"$tmp/test" 2>&1; then
	ok "promtool test rules: every alert fires when it should and not before"
else
	not_ok "promtool test rules" "$(head -n 20 "$tmp/test")"
fi

run "$CLAIMSCRUBD" --list-names | sed -n 's/^metric \([a-z_]*\).*/\1/p' | sort -u >"$tmp/exposed"
grep -o 'claimscrub_[a-z_]*' "$dir/claimscrub-alerts.yml" | sort -u >"$tmp/named"
if [ -s "$tmp/named" ] && [ -s "$tmp/exposed" ] && [ -z "$(comm -23 "$tmp/named" "$tmp/exposed")" ]; then
	ok "the $(wc -l <"$tmp/named") metrics the alerts name are all exposed by claimscrubd"
else
	not_ok "the metrics the alerts name are exposed by claimscrubd" \
		"not exposed: $(comm -23 "$tmp/named" "$tmp/exposed" | tr '\n' ' ')"
fi

finish alerts
