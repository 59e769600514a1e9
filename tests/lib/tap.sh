# tap.sh — TAP output for the shell tests; sourced, never run.
#
#   ok NAME                  a passing test point
#   not_ok NAME [LINE...]    a failing one, with diagnostic lines as comments
#   check NAME CMD...        ok when CMD succeeds
#   expect NAME EXIT CMD...  ok when CMD exits EXIT; its output goes to
#                            $tmp/out and $tmp/err (the caller sets $tmp)
#   run CMD...               CMD under timeout(1), so a hang fails instead of
#                            hanging make check: TEST_RUN_TIMEOUT seconds
#                            (default 60), then SIGTERM, SIGKILL 5 s later;
#                            exits 124 (137 when killed) on a timeout.  Run
#                            every program a test starts through it (expect
#                            does)
#   finish [LABEL]           the plan and an `LABEL: N passed, N failed` line
#                            (LABEL defaults to $tap_label, else the script's
#                            name); exits 0 only when every point passed
n=0 failed=0
tap_label=$(basename "$0" .sh)
: "${TEST_RUN_TIMEOUT:=60}"

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
check() { _name=$1; shift; if "$@"; then ok "$_name"; else not_ok "$_name"; fi; }
run() { timeout -k 5 "$TEST_RUN_TIMEOUT" "$@"; }
expect() {
	_name=$1 _want=$2; shift 2
	run "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	_got=$?
	if [ "$_got" = "$_want" ]; then ok "$_name"; elif [ "$_got" = 124 ] || [ "$_got" = 137 ]; then
		not_ok "$_name" "timed out after $TEST_RUN_TIMEOUT s: $*"; else
		not_ok "$_name" "exit $_got, expected $_want" "$(head -n 3 "$tmp/err")"; fi
}
finish() {
	echo "1..$n"
	echo "# ${1:-$tap_label}: $((n - failed)) passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}
