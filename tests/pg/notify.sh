#!/bin/sh
# notify.sh — the daemon's sd_notify messages, caught by tests/notify-listen
# on a Unix datagram socket given as NOTIFY_SOCKET: READY=1 once connected
# (its STATUS= says so) and only once; WATCHDOG=1 every half WATCHDOG_USEC
# from the loop, none when WATCHDOG_PID names another process; SIGHUP gives
# RELOADING=1 then READY=1 with the outcome; SIGTERM gives STOPPING=1.  With
# the server down at start: no READY=1 (STATUS= says why, the watchdog
# still pings), READY=1 once the server is up, and a later reconnect sends
# STATUS= only.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
: "${NOTIFY_LISTEN:=tests/notify-listen}"
[ -x "$NOTIFY_LISTEN" ] || setup_failed "no $NOTIFY_LISTEN (make check builds it)"

# listen NAME — starts a listener on $T/NAME.sock writing $T/NAME.log; the
# listener's pid joins daemon_pids so lib.sh's cleanup stops it
listen() {
	rm -f "$T/$1.sock"
	"$NOTIFY_LISTEN" "$T/$1.sock" >"$T/$1.log" 2>&1 </dev/null &
	daemon_pids="$daemon_pids $!"
	_i=0
	while [ ! -S "$T/$1.sock" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ -S "$T/$1.sock" ] || setup_failed "notify-listen did not bind $T/$1.sock"
}
# count LOG PATTERN [FROM-LINE] — lines matching PATTERN (from line FROM on)
count() { tail -n +"${3:-1}" "$1" | grep -c -- "$2"; }
# wait_msg LOG PATTERN TIMEOUT [FROM-LINE] — until a line matches
wait_msg() {
	_deadline=$(($(date +%s) + $3))
	until [ "$(count "$1" "$2" "${4:-1}")" -gt 0 ]; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.05
	done
}
# run_daemon SOCKET-NAME [ENV=VALUE...] — claimscrubd with NOTIFY_SOCKET
run_daemon() {
	_sock=$T/$1.sock; shift
	NOTIFY_SOCKET=$_sock WATCHDOG_USEC=1000000
	export NOTIFY_SOCKET WATCHDOG_USEC
	for a in "$@"; do export "${a?}"; done
	start_daemon "$T/claimscrubd.yaml"
	unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
}
lines() { wc -l <"$1" | tr -d ' '; }

write_config "$T/claimscrubd.yaml" "reconnect_max_ms: 500"

# ---- a daemon with the server up ---------------------------------------------
listen a
L=$T/a.log
run_daemon a
pid=$daemon_pid dlog=$daemon_log
if wait_msg "$L" 'READY=1' 30; then
	ok "READY=1 arrives"
else
	not_ok "READY=1 arrives" "$(cat "$L")"; tail_log "$dlog"
fi
grep 'READY=1' "$L" | head -n 1 | grep -q 'STATUS=connected' &&
	grep -q 'event=connected' "$dlog" &&
	ok "READY=1 comes after the connection, its STATUS= says connected" ||
	not_ok "READY=1 comes after the connection, its STATUS= says connected" "$(grep READY "$L")"
# six more pings, however long a loaded machine takes to send them; their
# pace is read from the listener's own timestamps (ms), not from a sleep
w0=$(count "$L" '^[0-9]* WATCHDOG=1$')
six_more() { [ "$(count "$L" '^[0-9]* WATCHDOG=1$')" -ge $((w0 + 6)) ]; }
wait_for 30 six_more
mean=$(grep '^[0-9]* WATCHDOG=1$' "$L" | tail -n +"$((w0 + 1))" | head -n 6 |
	awk 'NR == 1 { f = $1 } { l = $1 } END { if (NR == 6) printf "%d", (l - f) / 5; else print -1 }')
if [ "$mean" -ge 400 ] && [ "$mean" -le 650 ]; then
	ok "WATCHDOG=1 at half WATCHDOG_USEC: a mean interval of $mean ms over 5"
else
	not_ok "WATCHDOG=1 at half WATCHDOG_USEC: a mean interval of 400 to 650 ms" "$mean ms"
fi
# each gap well under WATCHDOG_USEC (1 s), past which systemd would kill it
gaps=$(grep '^[0-9]* WATCHDOG=1$' "$L" | awk 'NR > 1 { g = $1 - p; if (g < 250 || g > 900) bad++ }
	{ p = $1 } END { print bad + 0 }')
[ "$gaps" = 0 ] && ok "WATCHDOG=1 intervals are all between 250 and 900 ms" ||
	not_ok "WATCHDOG=1 intervals are all between 250 and 900 ms" "$gaps outside" \
		"$(grep WATCHDOG "$L" | tr '\n' ' ')"

from=$(($(lines "$L") + 1))
kill -HUP "$pid"
if wait_msg "$L" 'READY=1' 10 "$from"; then
	rl=$(tail -n +"$from" "$L" | grep -n 'RELOADING=1' | head -n 1 | cut -d: -f1)
	rd=$(tail -n +"$from" "$L" | grep -n 'READY=1' | head -n 1 | cut -d: -f1)
	if [ -n "$rl" ] && [ "$rl" -lt "$rd" ]; then
		ok "SIGHUP: RELOADING=1, then READY=1"
	else
		not_ok "SIGHUP: RELOADING=1, then READY=1" "$(tail -n +"$from" "$L")"
	fi
	tail -n +"$from" "$L" | grep 'READY=1' | grep -q 'STATUS=reloaded' &&
		ok "SIGHUP: READY=1 says the outcome in STATUS=" ||
		not_ok "SIGHUP: READY=1 says the outcome in STATUS=" "$(tail -n +"$from" "$L" | grep READY)"
else
	not_ok "SIGHUP: RELOADING=1, then READY=1" "no READY=1 after SIGHUP: $(tail -n +"$from" "$L")"
fi
[ "$(count "$L" 'READY=1' 1 "$from")" -ge 1 ] && [ "$(head -n $((from - 1)) "$L" | grep -c 'READY=1')" = 1 ] &&
	ok "one READY=1 before the reload" ||
	not_ok "one READY=1 before the reload" "$(grep READY "$L")"

# a reload with a bad configuration: refused, and still READY=1 after it
cp "$T/claimscrubd.yaml" "$T/good.yaml"
echo 'batch_sise: 1' >>"$T/claimscrubd.yaml"
from=$(($(lines "$L") + 1))
kill -HUP "$pid"
if wait_msg "$L" 'READY=1' 10 "$from" && tail -n +"$from" "$L" | grep 'READY=1' | grep -q 'STATUS=reload refused'; then
	ok "SIGHUP with a bad configuration: READY=1, STATUS= says refused"
else
	not_ok "SIGHUP with a bad configuration: READY=1, STATUS= says refused" "$(tail -n +"$from" "$L")"
fi
cp "$T/good.yaml" "$T/claimscrubd.yaml"

stop_daemon "$pid"
st=$?
[ $st -eq 0 ] && ok "SIGTERM: exit 0" || { not_ok "SIGTERM: exit 0" "exit $st"; tail_log "$dlog"; }
grep -q '^[0-9]* STOPPING=1' "$L" && ok "SIGTERM: STOPPING=1" || not_ok "SIGTERM: STOPPING=1" "$(tail -n 5 "$L")"

# ---- WATCHDOG_PID of another process: no pings ---------------------------------
listen b
run_daemon b WATCHDOG_PID=1
wait_msg "$T/b.log" 'READY=1' 30
sleep 1.5
if grep -q 'READY=1' "$T/b.log" && [ "$(count "$T/b.log" 'WATCHDOG=1')" = 0 ]; then
	ok "WATCHDOG_PID of another process: READY=1, no WATCHDOG=1"
else
	not_ok "WATCHDOG_PID of another process: READY=1, no WATCHDOG=1" "$(cat "$T/b.log")"
fi
stop_daemon "$daemon_pid" >/dev/null

# ---- the server down at start ----------------------------------------------------
as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -m fast -w -t 60 stop </dev/null >/dev/null 2>&1 ||
	setup_failed "pg_ctl stop failed"
listen c
L=$T/c.log
run_daemon c
pid=$daemon_pid dlog=$daemon_log
# polled, not slept: under valgrind or a loaded machine the pings come later
deadline=$(($(date +%s) + 60))
while [ "$(count "$L" '^[0-9]* WATCHDOG=1$')" -lt 4 ] && [ "$(date +%s)" -lt "$deadline" ]; do
	sleep 0.1
done
[ "$(count "$L" '^[0-9]* WATCHDOG=1$')" -ge 4 ] &&
	ok "server down: the loop still sends WATCHDOG=1" ||
	not_ok "server down: the loop still sends WATCHDOG=1" "$(count "$L" WATCHDOG=1)"
if [ "$(count "$L" 'READY=1')" = 0 ]; then
	ok "server down: no READY=1 through four watchdog intervals"
else
	not_ok "server down: no READY=1 through four watchdog intervals" "$(grep READY "$L")"
fi
grep -q 'STATUS=disconnected: .*retrying in [0-9]* ms' "$L" &&
	ok "server down: STATUS= says disconnected, why, and when it retries" ||
	not_ok "server down: STATUS= says disconnected, why, and when it retries" "$(head -n 5 "$L")"
as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -l "$T/pg/server.log" -w -t 60 -o "$pg_opts" start \
	</dev/null >/dev/null 2>&1 || setup_failed "the PostgreSQL server did not start again"
if wait_msg "$L" 'READY=1' 30; then
	ok "server up again: READY=1"
else
	not_ok "server up again: READY=1" "$(tail -n 5 "$L")"; tail_log "$dlog"
fi
from=$(($(lines "$L") + 1))
pg_restart || setup_failed "pg_restart failed"
if wait_msg "$L" 'STATUS=connected' 30 "$from" && [ "$(count "$L" 'READY=1')" = 1 ]; then
	ok "a reconnect: STATUS=connected, no second READY=1"
else
	not_ok "a reconnect: STATUS=connected, no second READY=1" "$(tail -n +"$from" "$L" | grep -v WATCHDOG)"
fi
stop_daemon "$pid"
st=$?
[ $st -eq 0 ] && ok "SIGTERM after the outage: exit 0" || not_ok "SIGTERM after the outage: exit 0" "exit $st"
finish
