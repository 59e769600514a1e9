# tap.sh — TAP output, and the few helpers every shell test may need;
# sourced, never run.
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
#   wait_for SECONDS CMD...  polls CMD (every 0.1 s) until it succeeds; false
#                            once SECONDS have passed without.  Wait for an
#                            event this way, never with a bare sleep: a loaded
#                            machine is slow, not wrong
#   terminal_safe FILE       FILE is well-formed UTF-8 holding no raw C0
#                            control but tab and newline, no DEL, no C1
#                            control (C2 80-C2 9F) and no bidi control
#                            (U+061C, U+200E-200F, U+202A-202E, U+2066-2069):
#                            nothing a terminal would act on, nothing that
#                            reorders what a reader sees
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
wait_for() {
	_wf_deadline=$(($(date +%s) + $1)); shift
	until "$@"; do
		[ "$(date +%s)" -ge "$_wf_deadline" ] && return 1
		sleep 0.1
	done
}
terminal_safe() {
	[ "$(LC_ALL=C tr -cd '\000-\010\013-\037\177' <"$1" | wc -c)" -eq 0 ] &&
		! LC_ALL=C grep -q "$(printf '\302[\200-\237]\\|\342\200[\216\217\252-\256]\\|\342\201[\246-\251]\\|\330\234')" "$1" &&
		iconv -f UTF-8 -t UTF-8 <"$1" >/dev/null 2>&1
}
finish() {
	echo "1..$n"
	echo "# ${1:-$tap_label}: $((n - failed)) passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}
