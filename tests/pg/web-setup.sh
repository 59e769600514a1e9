# web-setup.sh — sourced by the claimscrub-web tests after lib.sh: the
# sample claims of examples/ and IC-2026-0406 (a copy of sample 06),
# IC-2026-0399 whose text fields hold markup (XSS payloads), scrubbed by
# claimscrubd --once after a two-fee schedule is loaded; the workbench's
# login cs_web (NOINHERIT: it can do nothing but become the people granted
# to it), two reviewers alice and bob who sign in with passwords
# (scram-sha-256 for them; the rest of the cluster trusts its socket).
#
#   start_web CONFIG      claimscrub-web in the background (start_daemon's
#                         wrapper: valgrind, exit status, cleanup); sets
#                         web_pid, web_log, and waits for its port
#   web_config FILE [LINE...]   a config on 127.0.0.1:$web_port for cs_web
#
# Environment: CLAIMSCRUB_WEB (set by make check).

: "${CLAIMSCRUB_WEB:=web/claimscrub-web}"
[ -x "$CLAIMSCRUB_WEB" ] || setup_failed "the workbench is missing: $CLAIMSCRUB_WEB is not an executable (run make)"
CLAIMSCRUB_WEB=$(cd "$(dirname "$CLAIMSCRUB_WEB")" && pwd)/$(basename "$CLAIMSCRUB_WEB")
alice_pw='alice-Secret-7'
bob_pw='bob-Secret-8'

sed -e 's/^claim: IC-2026-0308$/claim: IC-2026-0399/' \
	-e 's/^payer: aetna$/payer: "<script>alert(1)<\/script>"/' \
	-e 's/^provider: .*/provider: "\\"><img src=x onerror=alert(2)>"/' \
	-e 's/substance: immune globulin/substance: "<\/textarea><svg onload=alert(3)>"/' \
	-e "s/site: L-forearm/site: \"' onmouseover='alert(4)\"/" \
	"$src/examples/08-addon-hours-beyond-time.yaml" >"$T/0399.yaml"
review_samples "$T/0399.yaml"

psql_val "CREATE ROLE cs_web LOGIN NOINHERIT;
	CREATE ROLE alice LOGIN PASSWORD '$alice_pw' IN ROLE claimscrub_reviewer;
	CREATE ROLE bob LOGIN PASSWORD '$bob_pw' IN ROLE claimscrub_reviewer;
	GRANT alice, bob TO cs_web" >/dev/null || setup_failed "the roles could not be made"
as_pg sh -c 'f=$1/pg_hba.conf; { echo "local all alice,bob scram-sha-256"; cat "$f"; } >"$f.new" && mv "$f.new" "$f"' \
	sh "$T/pg/data" || setup_failed "pg_hba.conf could not be changed"
[ "$(psql_val "SELECT pg_reload_conf()")" = t ] || setup_failed "pg_reload_conf"

# (a port from the pid, as free_port's: web.sh and web-browser.sh run side
# by side under make -j and must not both try the same one first)
web_port=$(free_port)
web_config() {
	_f=$1; shift
	{
		printf 'database: "host=%s port=%s dbname=%s user=cs_web"\n' "$PGHOST" "$PGPORT" "$PGDATABASE"
		printf 'listen: 127.0.0.1\nport: %s\nlog_level: debug\n' "$web_port"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$_f"
}
# web_listening — the workbench answers on its port
web_listening() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$web_port/login"; }
web_listening_or_gone() { web_listening || daemon_exited "$web_pid"; }
start_web() {
	_d=$CLAIMSCRUBD
	CLAIMSCRUBD=$CLAIMSCRUB_WEB
	_try=0
	while :; do
		start_daemon "$1"
		web_pid=$daemon_pid web_log=$daemon_log
		wait_for 60 web_listening_or_gone && ! daemon_exited "$web_pid" && break
		# a port free when picked may be taken by another test running
		# beside this one before it is bound: another port, five times
		_try=$((_try + 1))
		grep -q 'Address already in use' "$web_log" && [ $_try -lt 5 ] || break
		web_port=$(free_port $((web_port + 1)))
		sed "s/^port: .*/port: $web_port/" "$1" >"$1.new" && mv "$1.new" "$1"
	done
	CLAIMSCRUBD=$_d
	wait_for 60 web_listening || { tail_log "$web_log"; setup_failed "claimscrub-web did not listen on $web_port"; }
	wait_for 60 grep -q 'event=connected' "$web_log" || { tail_log "$web_log"; setup_failed "claimscrub-web did not connect"; }
}
