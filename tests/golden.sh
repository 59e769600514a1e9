#!/bin/sh
# golden.sh — runs every golden case through the real `claimscrub check` and
# compares standard output, standard error and the exit status byte for byte
# with NAME.json, NAME.err and the case's `# exit:` line.  Prints TAP.
#
#   tests/golden.sh                 check every case
#   tests/golden.sh NAME...         check some
#   GOLDEN_UPDATE=1 tests/golden.sh write .json/.err from the current engine
#                                   (then review the diff: the hand-written
#                                   `# expect` headers are checked separately
#                                   by tests/unit/test_golden)
set -u
: "${CLAIMSCRUB:=cli/claimscrub}"
: "${CLAIMSCRUB_SRCDIR:=.}"
# seconds a run may take before timeout(1) stops it: a hang fails the case
: "${TEST_RUN_TIMEOUT:=60}"
cases="$CLAIMSCRUB_SRCDIR/tests/cases"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(cd "$cases" && ls *.yaml | sed 's/\.yaml$//')
fi
total=$(echo $names | wc -w)
if [ "$total" -eq 0 ]; then
	echo "1..1"; echo "not ok 1 - no golden cases found in $cases"; exit 1
fi
echo "1..$total"
n=0 failed=0
for name in $names; do
	n=$((n + 1))
	want_exit=$(sed -n 's/^# exit: *\([0-9]\).*/\1/p' "$cases/$name.yaml" | head -n 1)
	(cd "$cases" && timeout -k 5 "$TEST_RUN_TIMEOUT" "$CLAIMSCRUB" check \
		--format json --rules ../../rules.d --rules rules "$name.yaml") \
		>"$tmp/raw" 2>"$tmp/err" </dev/null
	got_exit=$?
	# the rule-set version is a hash of rules.d: any edit there changes it,
	# so the stored outputs hold "*" (tests/unit/test_rules checks the hash)
	sed 's/"rules_version":"[0-9a-f]\{16\}"/"rules_version":"*"/' \
		"$tmp/raw" >"$tmp/out"
	if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
		cp "$tmp/out" "$cases/$name.json"
		if [ -s "$tmp/err" ]; then cp "$tmp/err" "$cases/$name.err"; else rm -f "$cases/$name.err"; fi
	fi
	why=""
	if [ "$got_exit" = 124 ] || [ "$got_exit" = 137 ]; then
		why="timed out after $TEST_RUN_TIMEOUT s"
	elif [ -z "$want_exit" ]; then
		why="no '# exit:' line"
	elif [ "$got_exit" != "$want_exit" ]; then
		why="exit $got_exit, expected $want_exit"
	elif ! cmp -s "$tmp/out" "$cases/$name.json"; then
		why="standard output differs from $name.json"
		diff "$cases/$name.json" "$tmp/out" | head -n 20 | sed 's/^/# /'
	elif [ -f "$cases/$name.err" ] && ! cmp -s "$tmp/err" "$cases/$name.err"; then
		why="standard error differs from $name.err"
		diff "$cases/$name.err" "$tmp/err" | head -n 20 | sed 's/^/# /'
	elif [ ! -f "$cases/$name.err" ] && [ -s "$tmp/err" ]; then
		why="unexpected standard error"
		head -n 5 "$tmp/err" | sed 's/^/# /'
	fi
	if [ -n "$why" ]; then
		echo "not ok $n - $name: $why"
		failed=$((failed + 1))
	else
		echo "ok $n - $name"
	fi
done
echo "# golden cases: $((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
