#!/bin/sh
# valgrind.sh — the daemon over the whole golden corpus with a memory checker
# watching: no invalid read or write, no use of uninitialised memory, no
# leak, and every claim scrubbed.  The checker is valgrind; in the
# AddressSanitizer build (where valgrind cannot run) it is ASan with
# LeakSanitizer, which checks the same things.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
cases="$src/tests/cases"

if nm "$CLAIMSCRUBD" 2>/dev/null | grep -q __asan_init; then
	tool=asan
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:exitcode=9"
	run() { "$@"; }
else
	command -v valgrind >/dev/null 2>&1 ||
		setup_failed "valgrind is missing (apt-get install valgrind)"
	tool=valgrind
	run() {
		valgrind --leak-check=full --show-leak-kinds=all \
			--errors-for-leak-kinds=all --error-exitcode=9 \
			--log-file="$T/valgrind.log" "$@"
	}
fi
note "memory checker: $tool"

# Every case file goes in; submit refuses the bad documents of b- files.
# A case with an encounter and no administrations (f-mar-missing*) waits
# for its MAR record; with mar_wait_minutes 0 it is scrubbed on the next
# claim step, to the mar-missing finding check gives it.
psql_val "UPDATE claimscrub.setting SET value = '0' WHERE name = 'mar_wait_minutes'" >/dev/null ||
	setup_failed "mar_wait_minutes could not be set"
for f in "$cases"/*.yaml; do
	(cd "$cases" && timeout 60 "$CLAIMSCRUB" submit "$(basename "$f")") \
		</dev/null >/dev/null 2>&1
done
queued=$(psql_val "SELECT count(*) FROM claimscrub.claim")
if [ "$queued" -ge 200 ]; then ok "the golden claims are queued ($queued)"; else
	not_ok "the golden claims are queued" "only $queued"; fi

write_config "$T/v.yaml" "rules: [\"$src/rules.d\", \"$cases/rules\"]" "batch_size: 50"
run timeout 900 "$CLAIMSCRUBD" -c "$T/v.yaml" --once </dev/null >"$T/daemon.log" 2>&1
st=$?
if [ $st -eq 0 ]; then
	ok "claimscrubd --once under $tool exits 0: no memory error, no leak"
else
	not_ok "claimscrubd --once under $tool exits 0: no memory error, no leak" "exit status $st"
	[ -f "$T/valgrind.log" ] && tail_log "$T/valgrind.log" 30
	tail_log "$T/daemon.log" 20
fi

pending=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")
if [ "$pending" -eq 0 ]; then ok "every claim scrubbed under $tool"; else
	not_ok "every claim scrubbed under $tool" "$pending still pending"; fi
consistency_check "$tool"
finish
