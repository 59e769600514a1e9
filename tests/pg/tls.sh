#!/bin/sh
# tls.sh — the daemon and the CLI talk to PostgreSQL over TLS with
# sslmode=verify-full.  A throwaway CA and a server certificate for
# `localhost` (no IP address in it) are made with openssl; the server runs
# with ssl=on and a pg_hba.conf that allows TCP only as `hostssl` with a
# SCRAM password.  Shown: the daemon (a password-protected, non-superuser
# role) connects, reports READY=1, drains the queue over TLS and writes its
# results; `claimscrub submit` and `claimscrub db status` work the same way;
# the name 127.0.0.1 (not in the certificate) and a wrong CA are refused —
# the daemon logs why, never says READY=1, /healthz says 503, and no result
# is written; plain TCP is refused by the server.  The password comes only
# from libpq's own places — a password file (PGPASSFILE, mode 0600), a
# service file (PGSERVICEFILE, `service=`), PGPASSWORD — and never shows in
# the daemon's log and standard error, /metrics, /healthz or its systemd
# notifications, not even when it is wrong.  Nor does a password written in
# the configuration's conninfo when libpq's message would quote it: a
# dbname= holding a URI (libpq passes it to the server as a name, and the
# server's "database ... does not exist" quotes it) is redacted, and a URI
# libpq cannot parse (an un-encoded %) is refused at start.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null 2>&1 || setup_failed "openssl is missing (apt-get install openssl)"
command -v curl >/dev/null 2>&1 || setup_failed "curl is missing (apt-get install curl)"
: "${NOTIFY_LISTEN:=tests/notify-listen}"
[ -x "$NOTIFY_LISTEN" ] || setup_failed "no $NOTIFY_LISTEN (make check builds it)"

# ---- a test CA, a server certificate for localhost, and a CA nobody uses ----------
mkdir "$T/tls" && cd "$T/tls" || setup_failed "cannot make $T/tls"
ossl() { openssl "$@" </dev/null >>"$T/tls/openssl.log" 2>&1 || setup_failed "openssl $1 failed: $(tail -n 3 "$T/tls/openssl.log")"; }
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
# shellcheck disable=SC2086
ossl req -x509 $ec -days 2 -subj "/CN=claimscrub test CA" -keyout ca.key -out ca.crt \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
# shellcheck disable=SC2086
ossl req -x509 $ec -days 2 -subj "/CN=some other CA" -keyout wrong-ca.key -out wrong-ca.crt \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
# shellcheck disable=SC2086
ossl req -new $ec -subj "/CN=localhost" -keyout server.key -out server.csr
printf '%s\n' "subjectAltName=DNS:localhost" "basicConstraints=CA:FALSE" \
	"keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >server.ext
ossl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out server.crt -extfile server.ext
cd - >/dev/null || exit 1
san=$(openssl x509 -in "$T/tls/server.crt" -noout -ext subjectAltName 2>/dev/null | tail -n 1 | tr -d ' ')
if [ "$san" = "DNS:localhost" ] && openssl verify -CAfile "$T/tls/ca.crt" "$T/tls/server.crt" >/dev/null 2>&1; then
	ok "a test CA and a server certificate for DNS:localhost only (no IP address)"
else
	not_ok "a test CA and a server certificate for DNS:localhost only" "SAN: $san"
fi
cp "$T/tls/server.crt" "$T/tls/server.key" "$T/pg/"
chmod 0600 "$T/pg/server.key"
[ "$(id -u)" = 0 ] && chown postgres "$T/pg/server.crt" "$T/pg/server.key"

# ---- the server: TLS on TCP, and TCP only as hostssl --------------------------------
cat >"$T/pg/hba" <<EOF
# the test's own psql, on the Unix socket in its private directory
local all all trust
# TCP: TLS and a SCRAM password, or nothing
hostssl all all 127.0.0.1/32 scram-sha-256
EOF
cp "$T/pg/hba" "$T/pg/data/pg_hba.conf"
[ "$(id -u)" = 0 ] && chown postgres "$T/pg/data/pg_hba.conf"
as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -w -t 60 -m fast stop </dev/null >/dev/null 2>&1
# a TCP port of our own (two runs at once must not meet): the next one free
tport=$((40000 + $$ % 15000)) tries=0 started=""
while [ $tries -lt 10 ] && [ -z "$started" ]; do
	opts="$pg_opts -c listen_addresses=127.0.0.1 -c port=$tport -c ssl=on"
	opts="$opts -c ssl_cert_file='$T/pg/server.crt' -c ssl_key_file='$T/pg/server.key' -c log_connections=on"
	if as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -l "$T/pg/server.log" -w -t 60 -o "$opts" start \
		</dev/null >/dev/null 2>&1; then started=1; else tport=$((tport + 1)); tries=$((tries + 1)); fi
done
[ -n "$started" ] || setup_failed "the server did not start with ssl=on"
pg_opts=$opts PGPORT=$tport
export PGPORT
conninfo="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER"
ok "PostgreSQL runs with ssl=on on 127.0.0.1:$tport (key mode $(stat -c '%a %U' "$T/pg/server.key"))"

# ---- roles with passwords, and libpq's password file ----------------------------------
rnd() { od -An -N12 -tx1 /dev/urandom | tr -d ' \n'; }
pw_d="Pw-d$(rnd)" pw_s="Pw-s$(rnd)" pw_bad="Pw-bad$(rnd)"
psql_val "CREATE ROLE tlsd LOGIN PASSWORD :'pd' IN ROLE claimscrub_daemon;
	  CREATE ROLE tlss LOGIN PASSWORD :'ps' IN ROLE claimscrub_submitter" -v pd="$pw_d" -v ps="$pw_s" \
	>/dev/null || setup_failed "creating the roles failed"
scram=$(psql_val "SELECT string_agg(rolname || '=' || (rolpassword LIKE 'SCRAM-SHA-256\$%') || '/' || rolsuper, ' ' ORDER BY rolname)
                    FROM pg_authid WHERE rolname IN ('tlsd', 'tlss')")
[ "$scram" = "tlsd=true/false tlss=true/false" ] && ok "tlsd and tlss: SCRAM passwords, not superusers" ||
	not_ok "tlsd and tlss: SCRAM passwords, not superusers" "$scram"
{
	for h in localhost 127.0.0.1; do
		echo "$h:$tport:claims:tlsd:$pw_d"
		echo "$h:$tport:claims:tlss:$pw_s"
	done
} >"$T/pgpass"
chmod 0600 "$T/pgpass"
ca=$T/tls/ca.crt
# tls HOST USER [CA] — a verify-full conninfo with no password in it
tls() { echo "host=$1 port=$tport dbname=claims user=$2 sslmode=verify-full sslrootcert=${3:-$ca}"; }

out=$(timeout 30 "$PSQL" -X -At -c 'SELECT 1' "host=127.0.0.1 port=$tport dbname=claims user=tlsd sslmode=disable" 2>&1 </dev/null)
case $out in *"no pg_hba.conf entry"*"no encryption"*) ok "plain TCP is refused by the server (${out##*FATAL:  })" ;;
*) not_ok "plain TCP is refused by the server" "$out" ;; esac
out=$(PGPASSFILE=$T/pgpass timeout 30 "$PSQL" -X -At -c \
	'SELECT ssl || version FROM pg_stat_ssl WHERE pid = pg_backend_pid()' "$(tls localhost tlsd)" 2>&1 </dev/null)
case $out in trueTLS*) ok "psql with verify-full and the password file: TLS (${out#true})" ;;
*) not_ok "psql with verify-full and the password file" "$out" ;; esac

# ---- the CLI over verify-full ---------------------------------------------------------
export PGPASSFILE="$T/pgpass"
timeout 60 "$CLAIMSCRUB" submit --db "$(tls localhost tlss)" "$src"/examples/*.yaml </dev/null >"$T/submit.out" 2>&1
rc=$? nex=$(ls "$src"/examples/*.yaml | wc -l) nsub=$(grep -c ' submitted (id ' "$T/submit.out")
if [ $rc = 0 ] && [ "$nsub" = "$nex" ]; then ok "claimscrub submit over verify-full as tlss: $nsub examples"; else
	not_ok "claimscrub submit over verify-full as tlss" "exit $rc, $nsub of $nex: $(head -c 300 "$T/submit.out")"; fi
timeout 60 "$CLAIMSCRUB" db status --db "$(tls localhost tlsd)" </dev/null >"$T/status.out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q 'applied' "$T/status.out" && ! grep -q 'not applied' "$T/status.out"; then
	ok "claimscrub db status over verify-full as tlsd: $(grep -c applied "$T/status.out") migrations applied"
else
	not_ok "claimscrub db status over verify-full" "exit $rc: $(head -c 300 "$T/status.out")"
fi
timeout 60 "$CLAIMSCRUB" submit --db "$(tls 127.0.0.1 tlss)" "$src/examples/01-antibiotic-infusion.yaml" </dev/null >"$T/submit.bad" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q 'does not match host name "127.0.0.1"' "$T/submit.bad"; then
	ok "claimscrub submit to 127.0.0.1 is refused: exit 2, the name does not match"
else
	not_ok "claimscrub submit to 127.0.0.1 is refused" "exit $rc: $(head -c 300 "$T/submit.bad")"
fi
timeout 60 "$CLAIMSCRUB" db status --db "$(tls localhost tlsd "$T/tls/wrong-ca.crt")" </dev/null >"$T/status.bad" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q 'certificate verify failed' "$T/status.bad"; then
	ok "claimscrub db status with a wrong CA is refused: exit 2, certificate verify failed"
else
	not_ok "claimscrub db status with a wrong CA is refused" "exit $rc: $(head -c 300 "$T/status.bad")"
fi
unset PGPASSFILE

# ---- the daemon refuses a server it cannot verify --------------------------------------
gen_claims 300 >/dev/null || setup_failed "gen_claims failed"
total=$(psql_val "SELECT count(*) FROM claimscrub.claim")
# listen NAME — a stand-in for systemd's socket, $T/NAME.sock, logging to $T/NAME.notify
listen() {
	"$NOTIFY_LISTEN" "$T/$1.sock" >"$T/$1.notify" 2>&1 </dev/null &
	daemon_pids="$daemon_pids $!"
	_i=0
	while [ ! -S "$T/$1.sock" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ -S "$T/$1.sock" ] || setup_failed "notify-listen did not bind $T/$1.sock"
}
# daemon NAME CONNINFO HTTP-PORT [ARG...] — claimscrubd with its own config,
# notification socket and HTTP port; PG* variables as exported by the caller
daemon() {
	_n=$1 _ci=$2 _hp=$3; shift 3
	write_config "$T/$_n.yaml" "http_port: $_hp" "poll_interval_ms: 300" "reconnect_max_ms: 500"
	sed -i "s|^database: .*|database: \"$_ci\"|" "$T/$_n.yaml"
	chmod 600 "$T/$_n.yaml" # the conninfo may hold a password
	listen "$_n"
	NOTIFY_SOCKET=$T/$_n.sock
	export NOTIFY_SOCKET
	start_daemon "$T/$_n.yaml" "$@"
	unset NOTIFY_SOCKET
}
hp=$((20000 + ($$ + 4409) % 20000))
export PGPASSFILE="$T/pgpass"
daemon badname "$(tls 127.0.0.1 tlsd)" "$hp"
pid_name=$daemon_pid log_name=$daemon_log
daemon badca "$(tls localhost tlsd "$T/tls/wrong-ca.crt")" $((hp + 1))
pid_ca=$daemon_pid log_ca=$daemon_log
unset PGPASSFILE
# judged once each has been refused twice (it retries), not after a time
refused_twice() { [ "$(grep -c "level=warning event=disconnected .*$2" "$1")" -ge 2 ]; }
wait_for 60 refused_twice "$log_name" 'does not match host name'
wait_for 60 refused_twice "$log_ca" 'certificate verify failed'
# refused NAME LABEL PID LOG HTTP-PORT WHY — the daemon says WHY, no READY=1, 503
refused() {
	_code=$(timeout 10 curl -s -o "$T/$1.health" -w '%{http_code}' "http://127.0.0.1:$5/healthz")
	if grep -q "level=warning event=disconnected .*$6" "$4" && ! grep -q 'READY=1' "$T/$1.notify" &&
		[ "$_code" = 503 ] && ! daemon_exited "$3"; then
		ok "$2: the daemon logs why ($6), never says READY=1, /healthz 503, keeps retrying"
	else
		not_ok "$2: the daemon refuses the server" "health $_code; notify: $(tr '\n' ' ' <"$T/$1.notify" | cut -c 1-200)"
		tail_log "$4" 5
	fi
}
refused badname "127.0.0.1 (not in the certificate)" "$pid_name" "$log_name" "$hp" 'does not match host name'
refused badca "a wrong CA" "$pid_ca" "$log_ca" $((hp + 1)) 'certificate verify failed'
done_=$(psql_val "SELECT count(*) FILTER (WHERE status <> 'pending') || ' ' || count(*) FILTER (WHERE scrubbed_at IS NOT NULL)
                   || ' ' || (SELECT count(*) FROM claimscrub.finding) FROM claimscrub.claim")
[ "$done_" = "0 0 0" ] && ok "no result written by the refused daemons ($total claims pending, no finding)" ||
	not_ok "no result written by the refused daemons" "not pending, scrubbed, findings: $done_"
stop_daemon "$pid_name"; st1=$?
stop_daemon "$pid_ca"; st2=$?
[ "$st1$st2" = 00 ] && ok "both refused daemons stop on SIGTERM (exit 0)" || not_ok "both refused daemons stop on SIGTERM" "exits $st1 $st2"

# ---- the daemon over verify-full, the password from PGPASSFILE ----------------------------
export PGPASSFILE="$T/pgpass"
daemon good "$(tls localhost tlsd)" $((hp + 2))
pid=$daemon_pid log=$daemon_log
unset PGPASSFILE
if wait_until "SELECT count(*) = 0 FROM claimscrub.claim WHERE status = 'pending'" 60; then
	ok "over verify-full the daemon drains all $total claims"
else
	not_ok "over verify-full the daemon drains all $total claims" "$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'") pending"
	tail_log "$log"
fi
grep -q 'READY=1' "$T/good.notify" && ok "it says READY=1" || not_ok "it says READY=1" "$(head -c 300 "$T/good.notify")"
ssl=$(psql_val "SELECT string_agg(a.usename || ' ' || s.ssl || ' ' || coalesce(s.version, '-'), '; ')
                  FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'claimscrubd'")
case $ssl in "tlsd true TLS"*) ok "its backend: user tlsd over TLS (${ssl#tlsd true })" ;;
*) not_ok "its backend is tlsd over TLS" "pg_stat_ssl: $ssl" ;; esac
consistency_check "scrubbed over TLS"
verify_results "c.claim_ref LIKE 'IC-%' OR c.claim_ref LIKE 'BULK-%-1_'" "results over TLS"
for p in healthz metrics; do
	timeout 10 curl -s -o "$T/good.$p" -w '%{http_code}' "http://127.0.0.1:$((hp + 2))/$p" >"$T/good.$p.code"
done
[ "$(cat "$T/good.healthz.code")" = 200 ] && ok "/healthz 200" || not_ok "/healthz 200" "$(cat "$T/good.healthz.code")"
# a reload logs the database line again (the leak check below reads it)
kill -HUP "$pid" && wait_log 'event=reloaded' 30 "$log"
stop_daemon "$pid"; st=$?
[ "$st" = 0 ] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit 0" "status $st"

# ---- a service file with the password; then PGPASSWORD -------------------------------------
cat >"$T/pg_service.conf" <<EOF
[claimscrub-tls]
host=localhost
port=$tport
dbname=claims
user=tlsd
password=$pw_d
sslmode=verify-full
sslrootcert=$ca
EOF
chmod 0600 "$T/pg_service.conf"
# requeue REF-PATTERN — every matching claim back in the queue (a new version)
requeue() { psql_val "UPDATE claimscrub.claim SET status = 'pending' WHERE claim_ref LIKE :'p'" -v p="$1" >/dev/null; }
requeue 'IC-%'
export PGSERVICEFILE="$T/pg_service.conf" PGPASSFILE="$T/no-such-pgpass"
daemon service "service=claimscrub-tls" 0 --once
unset PGSERVICEFILE PGPASSFILE
wait_daemon "$daemon_pid" 60; st=$?
left=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")
if [ "$st" = 0 ] && [ "$left" = 0 ]; then ok "database: \"service=claimscrub-tls\", the password in the service file: drained, exit 0"; else
	not_ok "the daemon with service=claimscrub-tls" "exit $st, pending $left"; tail_log "$daemon_log"; fi
log_service=$daemon_log
requeue 'BULK-%-2_'
export PGPASSWORD="$pw_d"
daemon env "$(tls localhost tlsd)" 0 --once
unset PGPASSWORD
wait_daemon "$daemon_pid" 60; st=$?
left=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")
if [ "$st" = 0 ] && [ "$left" = 0 ]; then ok "the password in PGPASSWORD: drained, exit 0"; else
	not_ok "the daemon with PGPASSWORD" "exit $st, pending $left"; tail_log "$daemon_log"; fi
log_env=$daemon_log
consistency_check "after the service-file and PGPASSWORD runs"
n_ssl=$(grep -c 'connection authorized: user=tlsd .*SSL enabled' "$T/pg/server.log")
[ "$n_ssl" -ge 3 ] && ok "the server logged $n_ssl TLS logins of tlsd" ||
	not_ok "the server logs the TLS logins of tlsd" "$(grep 'connection authorized' "$T/pg/server.log" | tail -n 3)"

# ---- a wrong password: refused, said, not shown ------------------------------------------
echo "localhost:$tport:claims:tlsd:$pw_bad" >"$T/pgpass.bad"
chmod 0600 "$T/pgpass.bad"
export PGPASSFILE="$T/pgpass.bad"
daemon badpw "$(tls localhost tlsd)" $((hp + 3))
unset PGPASSFILE
# judged once the server has refused it, not after a time
wait_log 'event=disconnected .*password authentication failed for user' 60
timeout 10 curl -s -o "$T/badpw.healthz" "http://127.0.0.1:$((hp + 3))/healthz"
timeout 10 curl -s -o "$T/badpw.metrics" "http://127.0.0.1:$((hp + 3))/metrics"
if grep -q 'event=disconnected .*password authentication failed for user' "$daemon_log" &&
	! grep -q 'READY=1' "$T/badpw.notify"; then
	ok "a wrong password: the daemon logs 'password authentication failed', no READY=1"
else
	not_ok "a wrong password is refused and said" "$(tail -n 3 "$daemon_log")"
fi
stop_daemon "$daemon_pid" >/dev/null

# ---- a password in the conninfo that libpq's message would quote -------------------------
# secret_free LABEL PASSWORD FILE... — one TAP point: no file holds PASSWORD
secret_free() {
	_l=$1 _pw=$2 _in="" _all=""; shift 2
	for _f in "$@"; do
		[ -f "$_f" ] || continue
		_all="$_all $(basename "$_f")"
		grep -qF -- "$_pw" "$_f" && _in="$_in $(basename "$_f")"
	done
	[ -z "$_in" ] && ok "$_l: the password is in none of$_all" ||
		not_ok "$_l: the password leaks" "found in:$_in"
}
# a dbname holding a URI: the server answers 'database "postgresql://tlsd:..."
# does not exist' (cut to 63 bytes), and libpq passes that on
pw_n="Pw-n$(rnd)"
hp_n=$(free_port $((hp + 4)))
daemon nested "host=$PGHOST port=$PGPORT user=postgres dbname='postgresql://tlsd:$pw_n@localhost:$tport/claims'" "$hp_n"
wait_for 30 grep -q ' STATUS=disconnected: ' "$T/nested.notify"
timeout 10 curl -s -o "$T/nested.health" "http://127.0.0.1:$hp_n/healthz"
# (the log quotes the message, so its quotes come escaped)
said='database "***" does not exist'
if grep 'event=disconnected ' "$daemon_log" | grep -qF 'database \"***\" does not exist' &&
	grep -qF "$said" "$T/nested.health" && grep ' STATUS=disconnected: ' "$T/nested.notify" | grep -qF "$said"; then
	ok "dbname= holding a URI: '$said' in the log, /healthz and STATUS="
else
	not_ok "dbname= holding a URI: the failure is said, redacted" "health: $(head -c 200 "$T/nested.health")" \
		"notify: $(grep STATUS= "$T/nested.notify" | tail -n 1 | cut -c 1-200)"
	tail_log "$daemon_log" 3
fi
stop_daemon "$daemon_pid" >/dev/null
secret_free "dbname= holding a URI" "$pw_n" "$daemon_log" "$T/nested.health" "$T/nested.notify"
# an un-encoded % in a URI password: libpq's parse error quotes the token;
# the daemon refuses the conninfo before libpq ever sees it
pw_p="Pw-p$(rnd)"
write_config "$T/pct.yaml"
sed -i "s|^database: .*|database: \"postgresql://tlsd:$pw_p%zz@localhost:$tport/claims\"|" "$T/pct.yaml"
chmod 600 "$T/pct.yaml"
listen pct
# it must end by itself, at once: timeout(1) stops it (124) if it does not
NOTIFY_SOCKET=$T/pct.sock timeout -k 5 30 "$CLAIMSCRUBD" -c "$T/pct.yaml" >"$T/pct.log" 2>&1 </dev/null
st=$?
if [ "$st" = 2 ] && grep -q 'database: not a valid connection string' "$T/pct.log"; then
	ok "an un-encoded % in a URI password: refused at start (exit 2), a fixed message"
else
	not_ok "an un-encoded % in a URI password: refused at start" "exit $st" "$(head -c 300 "$T/pct.log")"
fi
secret_free "an un-encoded % in a URI password" "$pw_p" "$T/pct.log" "$T/pct.notify"

# ---- the passwords never show ------------------------------------------------------------
leaks=""
for f in "$T"/daemon-*.log "$T"/*.notify "$T"/*.health "$T"/good.healthz "$T"/good.metrics \
	"$T"/badpw.healthz "$T"/badpw.metrics "$T"/submit.out "$T"/submit.bad "$T"/status.out "$T"/status.bad \
	"$T"/pct.log; do
	[ -f "$f" ] || continue
	for pw in "$pw_d" "$pw_s" "$pw_bad" "$pw_n" "$pw_p"; do
		grep -qF -- "$pw" "$f" && leaks="$leaks $(basename "$f")"
	done
done
nfiles=$(ls "$T"/daemon-*.log | wc -l)
if [ -z "$leaks" ] && grep -q claimscrub_ "$T/good.metrics" && [ "$nfiles" -ge 6 ]; then
	ok "no password in any of the $nfiles daemon logs (stderr), /metrics, /healthz, notifications or CLI output"
else
	not_ok "no password in the daemons' logs, /metrics, /healthz, notifications, CLI output" "found in:$leaks (daemon logs: $nfiles)"
fi
notkv=""
for l in "$T"/daemon-*.log; do log_is_keyvalue "$l" || notkv="$notkv $(basename "$l")"; done
[ -z "$notkv" ] && ok "every daemon log is key=value lines" || not_ok "every daemon log is key=value lines" "not:$notkv"
finish
