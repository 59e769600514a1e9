#!/bin/sh
# http-hostile.sh — the daemon's HTTP endpoint (127.0.0.1:http_port) under
# attack: malformed request lines, unknown methods, oversized headers (> 8 kB)
# and bodies (> 1 kB), absurd URLs (100 kB, percent-encoded NULs), pipelined
# garbage and random bytes each get a 4xx or a closed connection and never a
# crash; then 200 slowloris clients sending a byte a second and 100 clients
# that connect and never send hold connections while /healthz must keep
# answering 200 within 2 s and the daemon keeps draining claims; the slow
# clients are dropped (every connection lives at most 10 s, idle ones 5 s);
# the daemon's resident memory and open descriptors are back near where they
# were.  HEAD answers carry GET's Content-Length and no body (a HEAD and a
# GET on one connection read back as exactly two answers).  Under churn (a
# client opening and closing connections as fast as it can) the daemon never
# holds more than 128 connections and 200 sequential health checks, each on
# a fresh connection, all succeed.  Out of descriptors (ulimit -n 40) the
# daemon backs off instead of spinning on accept: little CPU, at most 3 log
# lines, and /healthz answers again once the clients are gone.  Prints TAP.
set -u
# every step below has a bound of its own; on a loaded machine (a sanitized
# build beside another test on two cores) their sum passes the default 300 s
: "${PG_TEST_TIMEOUT:=480}"
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || setup_failed "curl is missing (apt-get install curl)"
: "${HTTP_CLIENT:=tests/http-client}"
[ -x "$HTTP_CLIENT" ] || setup_failed "the test client is missing: $HTTP_CLIENT (make check builds it)"

port=$(free_port $((20000 + ($$ + 7919) % 20000)))
url="http://127.0.0.1:$port"
write_config "$T/d.yaml" "http_port: $port" "poll_interval_ms: 500" "batch_size: 100"
# AddressSanitizer keeps freed memory in a quarantine (256 MB by default):
# a small one, so resident memory measures what the daemon holds
if sanitized; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
	export ASAN_OPTIONS
	note "sanitized build: ASAN_OPTIONS=$ASAN_OPTIONS"
fi
start_daemon "$T/d.yaml"
pid=$daemon_pid log=$daemon_log
code() { timeout 10 curl -s -o "$T/body" -w '%{http_code} %{time_total}' "$@"; }
i=0
while [ $i -lt 100 ]; do set -- $(code "$url/healthz"); [ "${1:-}" = 200 ] && break; sleep 0.1; i=$((i + 1)); done
[ "${1:-}" = 200 ] || { tail_log "$log"; setup_failed "the daemon's /healthz never said 200"; }

# vm PID — "RSS_KB FDS" of a process
vm() { echo "$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status") $(ls "/proc/$1/fd" | wc -l)"; }
# warm up (first metrics, first batch) before the baseline
gen_claims 200 1 >/dev/null
wait_until "SELECT count(*) = 0 FROM claimscrub.claim WHERE status = 'pending'" 60 ||
	not_ok "the daemon drains the first 200 claims"
code "$url/metrics" >/dev/null
set -- $(vm "$pid")
rss0=$1 fd0=$2
note "before: VmRSS $rss0 kB, $fd0 open descriptors"

# ---- malformed and oversized requests -----------------------------------------
# raw NAME PATTERN — sends $T/req raw; ok when the answer's status lines
# match PATTERN (an extended regular expression over all of them, one line)
raw() {
	_ans=$(timeout 20 "$HTTP_CLIENT" send "$port" "$T/req" 2>&1 | tr '\n' ' ')
	if printf '%s' "$_ans" | grep -Eq "$2"; then ok "$1: $_ans"; else
		not_ok "$1" "answer: $_ans"; fi
}
big() { head -c "$1" /dev/zero | tr '\0' "$2"; }
crlf() { printf '%s\r\n' "$@"; }

crlf 'GARBAGE' '' >"$T/req"
raw "a request line of one word: 400 or closed" '^(HTTP/1\.[01] 400|closed)'
crlf 'GET' '' >"$T/req"
raw "a method and nothing else: 400 or closed" '^(HTTP/1\.[01] 400|closed)'
crlf 'GET /healthz HTTP/9.9' '' >"$T/req"
raw "HTTP/9.9: 4xx/5xx or closed" '^(HTTP/1\.[01] [45][0-9][0-9]|closed)'
crlf 'BREW /healthz HTTP/1.1' 'Host: x' '' >"$T/req"
raw "unknown method BREW: 4xx/501, never 200" '^(HTTP/1\.[01] (4[0-9][0-9]|501)|closed)'
crlf 'DELETE /healthz HTTP/1.1' 'Host: x' 'Connection: close' '' >"$T/req"
raw "DELETE /healthz: 405" '^HTTP/1\.[01] 405'
crlf 'OPTIONS * HTTP/1.1' 'Host: x' 'Connection: close' '' >"$T/req"
raw "OPTIONS *: 4xx" '^(HTTP/1\.[01] 4[0-9][0-9]|closed)'
{ crlf 'POST /healthz HTTP/1.1' 'Host: x' 'Content-Length: 4096' ''; big 4096 b; } >"$T/req"
raw "a 4 kB body (> 1 kB): 413 or 405" '^HTTP/1\.[01] (413|405)'
{ crlf 'POST /metrics HTTP/1.1' 'Host: x' 'Content-Length: 99999999999999999999' ''; big 100 b; } >"$T/req"
raw "an absurd Content-Length: 4xx or closed" '^(HTTP/1\.[01] 4[0-9][0-9]|closed)'
{ crlf 'POST /metrics HTTP/1.1' 'Host: x' 'Content-Length: -5' ''; } >"$T/req"
raw "a negative Content-Length: 4xx or closed" '^(HTTP/1\.[01] 4[0-9][0-9]|closed)'
{ crlf 'POST /metrics HTTP/1.1' 'Host: x' 'Transfer-Encoding: chunked' '' 'fffffffffffffffff' 'x' ''; } >"$T/req"
raw "a chunk size past 2^64: 4xx or closed" '^(HTTP/1\.[01] 4[0-9][0-9]|closed)'
{ printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: '; big 9000 a; crlf '' ''; } >"$T/req"
raw "a 9 kB header (> 8 kB): 4xx or closed" '^(HTTP/1\.[01] 4[0-9][0-9]|closed)'
{ crlf 'GET /healthz HTTP/1.1'; i=0; while [ $i -lt 2000 ]; do crlf "X-H$i: v"; i=$((i + 1)); done; crlf ''; } >"$T/req"
raw "2000 small headers (> 8 kB in all): 4xx or closed" '^(HTTP/1\.[01] 4[0-9][0-9]|closed)'
{ printf 'GET /'; big 100000 A; crlf ' HTTP/1.1' 'Host: x' ''; } >"$T/req"
raw "a 100 kB URL: 4xx or closed" '^(HTTP/1\.[01] 4[0-9][0-9]|closed)'
crlf 'GET /healthz%00/../../etc/passwd HTTP/1.1' 'Host: x' 'Connection: close' '' >"$T/req"
raw "a percent-encoded NUL in the path: an answer, no crash" '^HTTP/1\.[01] (200|400|404)'
crlf 'GET /%00%00%ff%fe%2e%2e%2f HTTP/1.1' 'Host: x' 'Connection: close' '' >"$T/req"
raw "encoded NULs and bytes: 400 or 404" '^HTTP/1\.[01] (400|404)'
printf 'GET /healthz\0 HTTP/1.1\r\nHost: \0x\r\n\r\n' >"$T/req"
raw "raw NULs in the request: 4xx or closed" '^(HTTP/1\.[01] [24][0-9][0-9]|closed)'
{ crlf 'GET /healthz HTTP/1.1' 'Host: x' ''; printf 'GARBAGE\001\002\033[31m\r\n\r\n'; crlf 'GET /metrics HTTP/1.1' 'Host: x' ''; } >"$T/req"
raw "pipelined: /healthz answered, then the garbage refused" '^HTTP/1\.[01] 200 OK (HTTP/1\.[01] 400|closed)'
head -c 65536 /dev/urandom >"$T/req"
raw "64 kB of random bytes: 400 or closed" '^(HTTP/1\.[01] 4[0-9][0-9]|closed)'
{ printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n'; big 30000 '\n'; } >"$T/req"
raw "30,000 bare newlines after the headers: an answer or closed" '^(HTTP/1\.[01] [24][0-9][0-9]|closed)'

if daemon_exited "$pid"; then
	not_ok "the daemon survives the malformed requests" "status $(cat "$T/status.$pid")"
	tail_log "$log" 20
	finish
fi
ok "the daemon survives the malformed requests"
set -- $(code "$url/healthz")
[ "${1:-}" = 200 ] && ok "/healthz: 200 after the malformed requests" ||
	not_ok "/healthz: 200 after the malformed requests" "got ${1:-none}"

# ---- HEAD: GET's headers, Content-Length included, and no body -------------------
# pair NAME PATH PATTERN — HEAD PATH then GET PATH on one connection; ok when
# http-client's reading of the bytes back ("head=S/L get=S/L body=B
# extra=E", or "malformed: ...") matches PATTERN, an extended regex
pair() {
	_ans=$(timeout 20 "$HTTP_CLIENT" pair "$port" "$2" 2>&1)
	if printf '%s' "$_ans" | grep -Eq "$3"; then ok "$1: $_ans"; else
		not_ok "$1" "answer: $_ans"; fi
}
pair "HEAD then GET /healthz on one connection: exactly two answers, HEAD's Content-Length is GET's body length, HEAD has no body" \
	/healthz '^head=200/3 get=200/3 body=3 extra=0$'
pair "HEAD then GET of an unknown path: two 404s, the same Content-Length, no body after HEAD's" \
	/nope '^head=404/([0-9]+) get=404/\1 body=\1 extra=0$'
pair "HEAD then GET /metrics: two answers, HEAD with a Content-Length and no body" \
	/metrics '^head=200/[1-9][0-9]* get=200/[1-9][0-9]* body=[1-9][0-9]* extra=0$'

# ---- slow clients, silent clients, and claims, all at once ------------------------
started=$(date +%s)
timeout 60 "$HTTP_CLIENT" slow "$port" 200 25 >"$T/slow.out" 2>&1 &
slow=$!
timeout 60 "$HTTP_CLIENT" slow "$port" 100 25 silent >"$T/silent.out" 2>&1 &
silent=$!
sleep 2
held=$(ls "/proc/$pid/fd" | wc -l)
note "during the attack: $held open descriptors in the daemon"
gen_claims 2000 1000 >/dev/null
worst=0 bad=0 polls=0 drained=""
while [ $(($(date +%s) - started)) -lt 20 ]; do
	[ -z "$drained" ] && [ "$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")" = 0 ] &&
		drained=$(($(date +%s) - started))
	set -- $(code -m 5 "$url/healthz")
	polls=$((polls + 1))
	ms=$(awk -v t="${2:-9}" 'BEGIN {printf "%d", t * 1000}')
	[ "$ms" -gt "$worst" ] && worst=$ms
	if [ "${1:-}" != 200 ] || [ "$ms" -ge 2000 ]; then bad=$((bad + 1)); note "poll $polls: ${1:-none} in $ms ms"; fi
	sleep 0.5
done
if [ "$bad" -eq 0 ]; then ok "/healthz answered 200 within 2 s to all $polls polls during the attack (worst $worst ms)"; else
	not_ok "/healthz answers 200 within 2 s during the attack" "$bad of $polls polls failed or were slow (worst $worst ms)"; fi
if [ -n "$drained" ]; then
	ok "2000 claims queued during the attack are drained while it goes on (${drained} s after it began)"
else
	not_ok "2000 claims queued during the attack are drained while it goes on" \
		"pending after 20 s: $(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")"
fi
wait "$slow"; wait "$silent"
# opened=N dropped=M max_life_ms=L still_open=K
slow_out=$(cat "$T/slow.out") silent_out=$(cat "$T/silent.out")
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
if [ "$(field "$slow_out" opened)" = 200 ] && [ "$(field "$slow_out" dropped)" = 200 ] &&
	[ "$(field "$slow_out" max_life_ms)" -le 15000 ]; then
	ok "all 200 slowloris clients (a byte a second) were dropped within 15 s: $slow_out"
else
	not_ok "all 200 slowloris clients are dropped within 15 s" "$slow_out"
fi
if [ "$(field "$silent_out" opened)" = 100 ] && [ "$(field "$silent_out" dropped)" = 100 ] &&
	[ "$(field "$silent_out" max_life_ms)" -le 15000 ]; then
	ok "all 100 silent clients were dropped within 15 s: $silent_out"
else
	not_ok "all 100 silent clients are dropped within 15 s" "$silent_out"
fi

# ---- bounded: memory and descriptors ---------------------------------------------
fds() { ls "/proc/$pid/fd" | wc -l; }
fds_back() { [ "$(fds)" -le $((fd0 + 2)) ]; }
wait_for 10 fds_back
set -- $(vm "$pid")
rss1=$1 fd1=$2
note "after: VmRSS $rss1 kB, $fd1 open descriptors"
if [ "$fd1" -le $((fd0 + 2)) ]; then ok "open descriptors back to $fd1 (before $fd0, during $held)"; else
	not_ok "open descriptors back near $fd0" "now $fd1"; ls -l "/proc/$pid/fd" | sed 's/^/# /' | tail -n 20; fi
if [ "$rss1" -le $((rss0 + 32768)) ]; then ok "VmRSS grew by less than 32 MB ($rss0 -> $rss1 kB)"; else
	not_ok "VmRSS grew by less than 32 MB" "$rss0 -> $rss1 kB"; fi
set -- $(code "$url/healthz")
[ "${1:-}" = 200 ] && ok "/healthz: 200 after the attack" || not_ok "/healthz: 200 after the attack" "got ${1:-none}"

# ---- churn: the cap holds, and no health check fails ------------------------------
# checks NAME FILE [MIN] — a TAP point from http-client check's line in
# FILE (its reasons on FILE.err): at least MIN (default all 200) checks
# made, every one answered 200; the latencies are reported, not judged
checks() {
	_c=$(cat "$2") _r=
	_r=$(field "$_c" requests)
	if [ -n "$_r" ] && [ "$_r" -ge "${3:-200}" ] && [ "$(field "$_c" failures)" = 0 ]; then ok "$1: none failed ($_c)"; else
		not_ok "$1: at least ${3:-200} made, none fails" "${_c:-no result}" "$(head -n 5 "$2.err")"; fi
}
timeout 120 "$HTTP_CLIENT" check "$port" 200 >"$T/idle" 2>"$T/idle.err"
checks "200 sequential /healthz, each on a fresh connection, the daemon idle" "$T/idle"
fdc=$(fds)
# signalled helpers: killed with SIGTERM while they may be exiting, and
# under AddressSanitizer a leak check at exit that a signal interrupts can
# hang for good (a helper's own leaks are not what this tests); and bounded
# with -k, so that a helper that hangs anyway is killed, not waited for
# (exec: $! is then timeout itself, which passes the SIGTERM on)
helper() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" exec timeout -k 5 "$@"; }
helper 150 "$HTTP_CLIENT" churn "$port" 120 >"$T/churn" 2>&1 &
churn=$!
helper 150 "$HTTP_CLIENT" fdpeak "$pid" 120 >"$T/fdpeak" 2>&1 &
peak=$!
# the churn is under way once the daemon holds some of its connections
busy() { [ "$(fds)" -gt $((fdc + 8)) ]; }
wait_for 10 busy || note "no churn seen in the daemon's descriptors"
# (10 ms apart, as a monitor spaces its checks: the churn goes on between);
# a check waits for a place in the backlog the churn keeps full, so each
# takes longer on a loaded machine: 200 checks or 60 s, at least 30 made
timeout 90 "$HTTP_CLIENT" check "$port" 200 10 60 >"$T/churned" 2>"$T/churned.err"
kill "$churn" "$peak" 2>/dev/null
wait "$churn"; wait "$peak"
checks "sequential /healthz, each on a fresh connection, under churn ($(cat "$T/churn"))" "$T/churned" 30
fdp=$(field "$(cat "$T/fdpeak")" peak)
if [ -n "$fdp" ] && [ "$fdp" -le $((fdc + 128)) ]; then
	ok "at most 128 connections open under churn: $fdp descriptors at the peak, $fdc idle"
else
	not_ok "at most 128 connections open under churn" "${fdp:-no} descriptors at the peak, $fdc idle: more than $((fdc + 128))"
fi
fds_churned() { [ "$(fds)" -le $((fdc + 2)) ]; }
if wait_for 10 fds_churned; then ok "open descriptors back to $(fds) after the churn"; else
	not_ok "open descriptors back near $fdc after the churn" "now $(fds)"; fi
consistency_check "after the HTTP attack"
check "the daemon's log is key=value lines" log_is_keyvalue "$log"
stop_daemon "$pid"; st=$?
[ "$st" -eq 0 ] && ok "SIGTERM: exit 0" || { not_ok "SIGTERM: exit 0" "status $st"; tail_log "$log"; }

# ---- out of descriptors: accept backs off instead of spinning ---------------------
# a daemon limited to 40 descriptors, and 100 silent clients: once its
# descriptors are gone accept fails and the rest wait in the backlog, which
# keeps the listening socket readable; retried at once, that is a busy loop
port2=$(free_port $((port + 1)))
write_config "$T/low.yaml" "http_port: $port2" "poll_interval_ms: 500"
printf '#!/bin/sh\nulimit -n 40 || exit 99\nexec "%s" "$@"\n' "$CLAIMSCRUBD" >"$T/lowfd"
chmod +x "$T/lowfd"
real=$CLAIMSCRUBD CLAIMSCRUBD=$T/lowfd
start_daemon "$T/low.yaml"
CLAIMSCRUBD=$real pid=$daemon_pid log=$daemon_log
low_ok() { [ "$(timeout 5 curl -s -m 4 "http://127.0.0.1:$port2/healthz")" = ok ]; }
wait_for 30 low_ok || { tail_log "$log"; setup_failed "the daemon limited to 40 descriptors never said ok"; }
helper 90 "$HTTP_CLIENT" slow "$port2" 100 80 silent >"$T/hold" 2>&1 &
hold=$!
wait_log 'accept' 20 "$log" || not_ok "accept fails once the daemon's 40 descriptors are used" "$(fds) open"
# the window: 3 s, polled, cut short when the daemon's CPU time passes the
# bound (a fifth of it; a busy loop takes all of it)
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0; }
cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }
cpu_ms() { echo $((($(ticks) - c0) * 1000 / hz)); }
c0=$(ticks) l0=$(wc -l <"$log") t0=$(cs)
window_over() { [ $(($(cs) - t0)) -ge 300 ] || [ "$(cpu_ms)" -gt 600 ]; }
wait_for 10 window_over
cpu=$(cpu_ms) lines=$(($(wc -l <"$log") - l0)) win=$((($(cs) - t0) * 10))
note "out of descriptors: $(fds) open; CPU $cpu ms in $win ms; $lines log lines"
if daemon_exited "$pid"; then
	not_ok "out of descriptors: the daemon runs on" "status $(cat "$T/status.$pid")"; tail_log "$log"; finish
fi
if [ "$cpu" -le $((win / 5)) ]; then ok "out of descriptors: the daemon used $cpu ms of CPU in $win ms (at most a fifth)"; else
	not_ok "out of descriptors: the daemon uses at most a fifth of a CPU" "$cpu ms of CPU in $win ms"; fi
if [ "$lines" -le 3 ]; then ok "out of descriptors: $lines log lines in $win ms (at most 3)"; else
	not_ok "out of descriptors: at most 3 log lines" "$lines log lines in $win ms" "$(tail -n 3 "$log" | cut -c 1-200)"; fi
kill "$hold" 2>/dev/null
wait "$hold"
if wait_for 20 low_ok; then ok "/healthz answers again once the clients are gone"; else
	not_ok "/healthz answers again once the clients are gone" "$(fds) descriptors open"; fi
check "the log is key=value lines, descriptors run out and all" log_is_keyvalue "$log"
grep -q 'event=http-accept-failed .*error="Too many open files"' "$log" &&
	ok "the accept failure is logged: $(grep -m 1 'event=http-accept-failed' "$log")" ||
	not_ok "the accept failure is logged (event=http-accept-failed)"
stop_daemon "$pid"; st=$?
[ "$st" -eq 0 ] && ok "SIGTERM after descriptors ran out: exit 0" || { not_ok "SIGTERM after descriptors ran out: exit 0" "status $st"; tail_log "$log"; }
finish
