#!/bin/sh
# config.sh — claimscrubd's configuration file: a good file checks; a file
# whose `database` holds a password (password=, sslpassword=, a URI's
# user:password@, a dbname= holding such a URI) is refused unless only its
# owner has access (0600, 0400: libpq's rule for password files), naming the
# file and its mode and never the password; a `database` libpq cannot parse
# (an un-encoded % in a URI password, a missing ]) is refused with a fixed
# message at the key, by --check-config, at start and on SIGHUP (the old
# conninfo kept); errors name FILE:LINE:COLUMN; and the running daemon,
# failing to connect with a password in its conninfo, never prints the
# password.  Prints TAP.
set -u
: "${CLAIMSCRUBD:=daemon/claimscrubd}"
: "${CLAIMSCRUB_SRCDIR:=.}"
src=$CLAIMSCRUB_SRCDIR
tmp=$(mktemp -d) || exit 99
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
secret=s3cret

. "$(dirname "$0")/lib/tap.sh"

# conf FILE MODE CONTENT — writes a configuration file with that mode
conf() { printf '%s\n' "$3" >"$1" && chmod "$2" "$1"; }

# checkconf NAME WANT_EXIT FILE — claimscrubd --check-config -c FILE
checkconf() {
	run "$CLAIMSCRUBD" --check-config -c "$3" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "$got" = "$2" ]; then ok "$1: exit $2"; else
		not_ok "$1: exit $2" "exit $got" "$(head -n 3 "$tmp/err")"; fi
}

# no_secret NAME — the password appears in neither output
no_secret() {
	if grep -q "$secret" "$tmp/out" "$tmp/err"; then
		not_ok "$1: the password is never printed" "$(grep -h "$secret" "$tmp/out" "$tmp/err" | head -n 3)"
	else ok "$1: the password is never printed"; fi
}

# refused NAME FILE MODE — one line naming the file, its mode and the fix
refused() {
	if [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -Fq "$2: error: " "$tmp/err" &&
		grep -q "holds a password in 'database' but its mode is $3 " "$tmp/err" &&
		grep -Fq "chmod 600 $2" "$tmp/err"; then ok "$1: the error names the file, its mode and the fix"; else
		not_ok "$1: the error names the file, its mode and the fix" "$(head -c 300 "$tmp/err")"; fi
}

# unparsable NAME FILE LINE — one fixed line at the key, quoting nothing
unparsable() {
	if [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -Fqx "$2:$3:1: error: database: not a valid connection string (key=value ... or a postgresql:// URI)" "$tmp/err"; then
		ok "$1: a fixed message at the key ($2:$3:1)"
	else not_ok "$1: a fixed message at the key ($2:$3:1)" "$(head -c 300 "$tmp/err")"; fi
}

# (that every key of dconf.c's table is documented, and nothing else, is
# tests/lists.sh's, from `claimscrubd --list-names`)

# ---- good files ------------------------------------------------------------
good=$tmp/good.yaml
conf "$good" 644 'database: "host=/run/postgresql dbname=claims user=claimscrub_daemon"
batch_size: 100
poll_interval_ms: 1000
max_attempts: 3
claim_lease_ms: 5000
reconnect_max_ms: 2000
log_level: warning'
checkconf "a good, world-readable file without a password" 0 "$good"
grep -Fq "configuration $good: ok" "$tmp/out" && ok "--check-config says ok" ||
	not_ok "--check-config says ok" "$(cat "$tmp/out")"
conf "$tmp/empty.yaml" 644 ''
checkconf "an empty file" 0 "$tmp/empty.yaml"
conf "$tmp/emptypw.yaml" 644 "database: \"host=/x password='' dbname=claims\""
checkconf "an empty password" 0 "$tmp/emptypw.yaml"

# ---- a password in a file others can read ------------------------------------
pw=$tmp/password.yaml
conf "$pw" 644 "database: \"host=/x password=$secret\""
checkconf "password= and mode 0644" 2 "$pw"
refused "password= and mode 0644" "$pw" 0644
no_secret "password= and mode 0644"
chmod 604 "$pw"
checkconf "password= and mode 0604" 2 "$pw"
no_secret "password= and mode 0604"
chmod 600 "$pw"
checkconf "password= and mode 0600" 0 "$pw"
no_secret "password= and mode 0600"
chmod 400 "$pw"
checkconf "password= and mode 0400" 0 "$pw"
# a group-readable file is not private either (libpq refuses such a
# password file): 0640 and 0620 are refused like 0644
chmod 640 "$pw"
checkconf "password= and mode 0640" 2 "$pw"
refused "password= and mode 0640" "$pw" 0640
no_secret "password= and mode 0640"
chmod 620 "$pw"
checkconf "password= and mode 0620" 2 "$pw"

sslpw=$tmp/sslpassword.yaml
conf "$sslpw" 644 "database: \"host=/x sslcert=/x.crt sslkey=/x.key sslpassword=$secret\""
checkconf "sslpassword= and mode 0644" 2 "$sslpw"
refused "sslpassword= and mode 0644" "$sslpw" 0644
no_secret "sslpassword= and mode 0644"
chmod 600 "$sslpw"
checkconf "sslpassword= and mode 0600" 0 "$sslpw"

quoted=$tmp/quoted.yaml
conf "$quoted" 644 "database: \"host=/x password = '$secret x' dbname=claims\""
checkconf "a quoted password with spaces, mode 0644" 2 "$quoted"
no_secret "a quoted password with spaces, mode 0644"

uri=$tmp/uri.yaml
conf "$uri" 644 "database: \"postgresql://claimscrub:$secret@db1:5432/claims\""
checkconf "a URI with user:password@, mode 0644" 2 "$uri"
refused "a URI with user:password@, mode 0644" "$uri" 0644
no_secret "a URI with user:password@, mode 0644"
chmod 600 "$uri"
checkconf "a URI with user:password@, mode 0600" 0 "$uri"

uriq=$tmp/uriq.yaml
conf "$uriq" 644 "database: \"postgresql://claimscrub@db1/claims?password=$secret\""
checkconf "a URI with ?password=, mode 0644" 2 "$uriq"
no_secret "a URI with ?password=, mode 0644"

# libpq does not expand a dbname twice: the URI reaches the server whole,
# as a database name, and comes back quoted in its error
nested=$tmp/nested.yaml
conf "$nested" 640 "database: \"host=/x dbname='postgresql://claimscrub:$secret@db1/claims'\""
checkconf "dbname= holding a URI with a password, mode 0640" 2 "$nested"
refused "dbname= holding a URI with a password, mode 0640" "$nested" 0640
no_secret "dbname= holding a URI with a password, mode 0640"
chmod 600 "$nested"
checkconf "dbname= holding a URI with a password, mode 0600" 0 "$nested"

urinopw=$tmp/urinopw.yaml
conf "$urinopw" 644 'database: "postgresql://claimscrub@db1/claims"'
checkconf "a URI without a password, mode 0644" 0 "$urinopw"

bad=$tmp/unparsed.yaml
conf "$bad" 644 "database: \"host=/x password $secret\""
checkconf "a conninfo libpq cannot parse, with a password, mode 0644" 2 "$bad"
no_secret "a conninfo libpq cannot parse, with a password, mode 0644"

# ---- a conninfo libpq cannot parse: refused whatever the mode ------------------
# libpq's own error quotes the string, password and all; private files too
pct=$tmp/percent.yaml
conf "$pct" 600 "log_level: info
database: \"postgresql://claimscrub:$secret%zz@db1/claims\""
checkconf "an un-encoded % in a URI password, mode 0600" 2 "$pct"
unparsable "an un-encoded % in a URI password, mode 0600" "$pct" 2
no_secret "an un-encoded % in a URI password, mode 0600"
bracket=$tmp/bracket.yaml
conf "$bracket" 600 "database: \"postgresql://claimscrub:$secret@[2001:db8::1/claims\""
checkconf "a URI missing its ], mode 0600" 2 "$bracket"
unparsable "a URI missing its ], mode 0600" "$bracket" 1
no_secret "a URI missing its ], mode 0600"

# ---- listen_database: checked as database is ----------------------------------------
lpw=$tmp/listen-pw.yaml
conf "$lpw" 644 "listen_database: \"host=/x password=$secret\""
checkconf "listen_database with a password, mode 0644" 2 "$lpw"
grep -q "holds a password in 'listen_database' but its mode is 0644 " "$tmp/err" &&
	ok "listen_database with a password, mode 0644: refused, naming the key" ||
	not_ok "listen_database with a password, mode 0644: refused, naming the key" "$(head -c 300 "$tmp/err")"
no_secret "listen_database with a password, mode 0644"
lbad=$tmp/listen-bad.yaml
conf "$lbad" 600 "batch_size: 10
listen_database: \"postgresql://claimscrub:$secret%zz@db1/claims\""
checkconf "listen_database libpq cannot parse, mode 0600" 2 "$lbad"
grep -Fqx "$lbad:2:1: error: listen_database: not a valid connection string (key=value ... or a postgresql:// URI)" "$tmp/err" &&
	ok "listen_database libpq cannot parse: FILE:LINE:COLUMN at the key, the string not quoted" ||
	not_ok "listen_database libpq cannot parse: FILE:LINE:COLUMN at the key" "$(head -c 300 "$tmp/err")"
no_secret "listen_database libpq cannot parse, mode 0600"

# ---- FILE:LINE:COLUMN errors ------------------------------------------------
unknown=$tmp/unknown.yaml
conf "$unknown" 644 'batch_size: 10
bogus_key: 1'
checkconf "an unknown key" 2 "$unknown"
grep -Fq "$unknown:2:1: error: " "$tmp/err" && ok "an unknown key: FILE:LINE:COLUMN" ||
	not_ok "an unknown key: FILE:LINE:COLUMN" "$(head -c 300 "$tmp/err")"
wrong=$tmp/wrong.yaml
conf "$wrong" 644 'log_level: info
batch_size: many'
checkconf "a wrong type" 2 "$wrong"
grep -Fq "$wrong:2:13: error: " "$tmp/err" && ok "a wrong type: FILE:LINE:COLUMN" ||
	not_ok "a wrong type: FILE:LINE:COLUMN" "$(head -c 300 "$tmp/err")"
range=$tmp/range.yaml
conf "$range" 644 'claim_lease_ms: 10'
checkconf "claim_lease_ms out of range" 2 "$range"
grep -Fq "$range:1:17: error: " "$tmp/err" && ok "out of range: FILE:LINE:COLUMN" ||
	not_ok "out of range: FILE:LINE:COLUMN" "$(head -c 300 "$tmp/err")"
run "$CLAIMSCRUBD" --check-config -c "$tmp/nonexistent.yaml" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -Fq "$tmp/nonexistent.yaml: error: " "$tmp/err" &&
	ok "a missing -c file: exit 2, named" || not_ok "a missing -c file: exit 2, named" "$(head -c 300 "$tmp/err")"

# ---- the running daemon never prints its password ------------------------------
# The world-readable file is refused at start too, not only by --check-config.
chmod 644 "$pw"
timeout 10 "$CLAIMSCRUBD" -c "$pw" >"$tmp/out" 2>"$tmp/err" </dev/null
got=$?
[ "$got" -eq 2 ] && ok "the daemon refuses the 0644 file at start" ||
	not_ok "the daemon refuses the 0644 file at start" "exit $got" "$(head -c 300 "$tmp/err")"
no_secret "refused at start"
echo "http_port: 0" >>"$pct"
timeout 10 "$CLAIMSCRUBD" -c "$pct" >"$tmp/out" 2>"$tmp/err" </dev/null
got=$?
[ "$got" -eq 2 ] && ok "the daemon refuses an unparsable conninfo at start: exit 2" ||
	not_ok "the daemon refuses an unparsable conninfo at start: exit 2" "exit $got" "$(head -c 300 "$tmp/err")"
unparsable "refused at start" "$pct" 2
no_secret "an unparsable conninfo at start"

run=$tmp/run.yaml
conf "$run" 600 "database: \"host=$tmp/no-such-socket-dir dbname=claims user=nobody password=$secret\"
reconnect_max_ms: 200
log_level: debug"
# no HTTP endpoint: tests running at once must not compete for its port
case " $(echo $keys) " in *" http_port "*) echo "http_port: 0" >>"$run" ;; esac
# timeout(1) passes SIGTERM on and exits with the daemon's status.  Its bound
# is the sum of the waits below (three of 30 s and 5 s for the stop), not
# TEST_RUN_TIMEOUT: under ASan on a loaded machine the steps add up.
timeout -k 5 120 "$CLAIMSCRUBD" -c "$run" >"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!
# its signal handlers are in place once it tries to connect (a SIGHUP
# before that would end it): wait for the first failure, not for a time
wait_for 30 grep -q 'event=disconnected' "$tmp/err"
# SIGHUP with an unparsable conninfo (private file): refused, old one kept
cp "$run" "$tmp/run.good"
sed -i "s|^database: .*|database: \"postgresql://nobody:$secret%zz@[::1/claims\"|" "$run"
kill -HUP "$pid" 2>/dev/null
if wait_for 30 grep -q 'event=reload-refused' "$tmp/err" &&
	grep -Fqx "$run:1:1: error: database: not a valid connection string (key=value ... or a postgresql:// URI)" "$tmp/err"; then
	ok "SIGHUP with an unparsable conninfo: refused with the fixed message"
else
	not_ok "SIGHUP with an unparsable conninfo: refused with the fixed message" "$(tail -n 5 "$tmp/err")"
fi
# old_conninfo_retried — after the refusal it still tries the old socket
old_conninfo_retried() {
	sed -n '/event=reload-refused/,$p' "$tmp/err" | grep -q 'event=disconnected .*no-such-socket-dir'
}
if wait_for 30 old_conninfo_retried; then
	ok "after the refused reload the daemon goes on with the old conninfo"
else
	not_ok "after the refused reload the daemon goes on with the old conninfo" "$(tail -n 3 "$tmp/err")"
fi
kill -TERM "$pid" 2>/dev/null
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	not_ok "the daemon stops on SIGTERM" "still running 5 s after SIGTERM"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
else
	wait "$pid"
	got=$?
	[ "$got" -eq 0 ] && ok "the daemon stops on SIGTERM: exit 0" ||
		not_ok "the daemon stops on SIGTERM: exit 0" "exit $got$([ "$got" -eq 124 ] && echo ' (timeout(1): ran past 120 s)')" "$(tail -n 8 "$tmp/err")"
fi
pid=
if grep -q 'event=disconnected' "$tmp/err"; then ok "the daemon tried to connect and logged the failure"; else
	not_ok "the daemon tried to connect and logged the failure" "$(head -n 5 "$tmp/err")"; fi
no_secret "the running daemon"

finish config
