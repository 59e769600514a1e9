#!/bin/sh
# monitoring.sh — the monitoring kit of contrib/: the Prometheus alert
# rules pass `promtool check rules` and their unit tests (`promtool test
# rules`: each alert fires on the series that should raise it and not
# before), the Grafana dashboard is well-formed JSON, and every metric
# either names is one the daemon exposes (`claimscrubd --list-names`), so a
# metric renamed breaks this test and not a hospital's paging.  Prints TAP.
set -u
: "${CLAIMSCRUB_SRCDIR:=.}"
: "${CLAIMSCRUB_BUILDDIR:=.}"
: "${CLAIMSCRUBD:=$CLAIMSCRUB_BUILDDIR/daemon/claimscrubd}"
: "${DOC_JSON:=$CLAIMSCRUB_BUILDDIR/tests/doc-json}"
dir=$CLAIMSCRUB_SRCDIR/contrib/prometheus
dash=$CLAIMSCRUB_SRCDIR/contrib/grafana/claimscrub.json
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

# the JSON read as libyaml reads claim documents (JSON is YAML 1.2)
if run "$DOC_JSON" "$dash" >"$tmp/dash" 2>&1; then ok "the Grafana dashboard is well-formed JSON"; else
	not_ok "the Grafana dashboard is well-formed JSON" "$(head -n 3 "$tmp/dash")"; fi

run "$CLAIMSCRUBD" --list-names | sed -n 's/^metric \([a-z_]*\).*/\1/p' | sort -u >"$tmp/exposed"
# a histogram's series are its family's _bucket, _sum and _count
for f in "$dir/claimscrub-alerts.yml" "$dash"; do
	grep -Eo '(claimscrub|process)_[a-z_]*' "$f" | sed 's/_\(bucket\|sum\|count\)$//' | sort -u >"$tmp/named"
	missing=$(comm -23 "$tmp/named" "$tmp/exposed" | tr '\n' ' ')
	if [ -s "$tmp/named" ] && [ -s "$tmp/exposed" ] && [ -z "$missing" ]; then
		ok "the $(wc -l <"$tmp/named") metrics $(basename "$f") names are all exposed by claimscrubd"
	else
		not_ok "the metrics $(basename "$f") names are exposed by claimscrubd" "not exposed: $missing"
	fi
done

finish monitoring
