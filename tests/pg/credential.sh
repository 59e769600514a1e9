#!/bin/sh
# credential.sh — the database password as the shipped units give it (issue
# 14, item 2), end to end without systemd: what the unit says is read from
# systemd/claimscrubd.service.in (LoadCredential=ID:.../claimscrub/pgpass,
# Environment=PGPASSFILE=%d/ID, the SetCredential= default,
# ConfigurationDirectoryMode=) and done by hand as systemd 252 does it.
#
# The server asks the daemon's role (credd, not a superuser) for a SCRAM
# password on the Unix socket.  The password lives in a libpq password file
# owned by root, 0600, that the service's user cannot read; a copy of it is
# put in a credentials directory as systemd makes one (the directory 0500,
# the file 0400, both the service user's).  The configuration, without a
# password, is 0644 in a directory with the unit's mode.  The daemon runs as
# an unprivileged user (nobody; as the caller when not run as root) with
# CREDENTIALS_DIRECTORY and PGPASSFILE as systemd sets them, and is shown
# to connect as credd and scrub the queue.  Without PGPASSFILE, and with the
# unit's default credential (a password file with no password), it fails to
# authenticate and says so.  The password is in none of the daemon's logs,
# /metrics, /healthz, --check-config's output, its command line or
# environment.  A configuration holding password= at 0644 is refused.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || setup_failed "curl is missing (apt-get install curl)"

# ---- what the unit says -----------------------------------------------------------
unit=$src/systemd/claimscrubd.service.in
cred=$(sed -n 's|^LoadCredential=\([A-Za-z0-9_.-]*\):@sysconfdir@/claimscrub/pgpass$|\1|p' "$unit")
[ -n "$cred" ] || setup_failed "$unit has no LoadCredential=ID:.../claimscrub/pgpass"
grep -qx "Environment=PGPASSFILE=%d/$cred" "$unit" ||
	setup_failed "$unit has no Environment=PGPASSFILE=%d/$cred"
cfg_mode=$(sed -n 's/^@etc@ConfigurationDirectoryMode=//p' "$unit")
[ -n "$cfg_mode" ] || setup_failed "$unit has no ConfigurationDirectoryMode="
# what stands in for a missing password file (systemd: SetCredential=)
cred_default=$(sed -n "s|^SetCredential=$cred:||p" "$unit")
ok "the unit: LoadCredential=$cred:.../claimscrub/pgpass, PGPASSFILE=%d/$cred, ConfigurationDirectoryMode=$cfg_mode"

# ---- the service's user -------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null 2>&1 || setup_failed "running as root, but setpriv(1) is missing"
	id nobody >/dev/null 2>&1 || setup_failed "running as root, but there is no 'nobody' user"
	svc_uid=$(id -u nobody) svc_gid=$(id -g nobody)
	as_svc() { timeout 60 setpriv --reuid="$svc_uid" --regid="$svc_gid" --clear-groups -- "$@"; }
else
	# not root: the caller is as unprivileged as it gets
	svc_uid=$(id -u) svc_gid=$(id -g)
	as_svc() { timeout 60 "$@"; }
	note "not root: the daemon runs as the caller, uid $svc_uid"
fi
as_svc test -x "$CLAIMSCRUBD" && as_svc test -r "$src/rules.d/00-codes.yaml" ||
	setup_failed "uid $svc_uid cannot run $CLAIMSCRUBD or read $src/rules.d (the trees must be readable by others)"
# start_daemon runs $CLAIMSCRUBD: here a wrapper that execs the daemon as
# the service's user (same pid), with a HOME holding no ~/.pgpass
real_daemon=$CLAIMSCRUBD
cat >"$T/as-service" <<EOF
#!/bin/sh
if [ "\$(id -u)" = 0 ]; then
	exec setpriv --reuid=$svc_uid --regid=$svc_gid --clear-groups -- env HOME=/nonexistent "$real_daemon" "\$@"
fi
exec env HOME=/nonexistent "$real_daemon" "\$@"
EOF
chmod 755 "$T/as-service"

# ---- the server: credd must give a SCRAM password ---------------------------------------
rnd() { od -An -N12 -tx1 /dev/urandom | tr -d ' \n'; }
pw="Pw-cred$(rnd)"
psql_val "CREATE ROLE credd LOGIN PASSWORD :'pw' IN ROLE claimscrub_daemon" -v pw="$pw" >/dev/null ||
	setup_failed "CREATE ROLE credd failed"
{
	echo "local claims credd scram-sha-256"
	cat "$T/pg/data/pg_hba.conf"
} >"$T/pg/hba.new"
cp "$T/pg/hba.new" "$T/pg/data/pg_hba.conf"
psql_val "SELECT pg_reload_conf()" >/dev/null
credd_ci="host=$PGHOST port=$PGPORT dbname=claims user=credd"
# psql as credd, no password anywhere: refused once the reload is in force
credd_refused() {
	PGPASSFILE=/nonexistent timeout 30 "$PSQL" -X -At -c 'SELECT 1' "$credd_ci" </dev/null >"$T/nopw.out" 2>&1
	grep -q 'no password supplied' "$T/nopw.out"
}
if wait_for 30 credd_refused &&
	[ "$(psql_val "SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' AND NOT rolsuper FROM pg_authid WHERE rolname = 'credd'")" = t ]; then
	ok "credd: a SCRAM password, not a superuser; without it the server refuses ($(tail -n 1 "$T/nopw.out" | sed 's/.*FATAL: *//'))"
else
	not_ok "credd must give a SCRAM password" "$(cat "$T/nopw.out")"
fi

# ---- /etc/claimscrub as the unit and the README leave it --------------------------------
etc=$T/etc/claimscrub
mkdir -p "$etc" && chmod "$cfg_mode" "$etc"
# the password file: root's (the caller's), 0600
printf '%s\n' "# claimscrubd's database password (libpq password file)" \
	"$PGHOST:$PGPORT:claims:credd:$pw" >"$etc/pgpass"
chmod 0600 "$etc/pgpass"
hport=$(free_port)
cat >"$etc/claimscrubd.yaml" <<EOF
database: "$credd_ci"
rules: ["$src/rules.d"]
http_port: $hport
poll_interval_ms: 500
reconnect_max_ms: 500
EOF
chmod 0644 "$etc/claimscrubd.yaml"
if [ "$(id -u)" = 0 ]; then
	if as_svc cat "$etc/pgpass" >/dev/null 2>&1; then
		not_ok "the service's user cannot read $etc/pgpass (root, 0600)"
	else
		ok "the service's user cannot read the password file itself (root, 0600): hence the credential"
	fi
fi
as_svc "$real_daemon" --check-config -c "$etc/claimscrubd.yaml" >"$T/cc.out" 2>&1 </dev/null
st=$?
if [ $st = 0 ] && grep -q '^configuration .*: ok' "$T/cc.out"; then
	ok "the service's user reads the configuration (0644 in a $cfg_mode directory): --check-config exit 0"
else
	not_ok "the service's user reads the configuration (0644 in a $cfg_mode directory)" "exit $st: $(head -c 300 "$T/cc.out")"
fi

# ---- the credentials directory, as systemd makes it at each start -----------------------
creds=$T/run/credentials/claimscrubd.service
mkdir -p "$creds"
cp "$etc/pgpass" "$creds/$cred"
chmod 0400 "$creds/$cred"
chmod 0500 "$creds"
[ "$(id -u)" = 0 ] && chown "$svc_uid:$svc_gid" "$creds" "$creds/$cred"
if as_svc test -r "$creds/$cred"; then
	ok "credential $cred: $(stat -c '%a, owned by uid %u' "$creds/$cred"), readable by the service's user"
else
	not_ok "credential $cred is readable by the service's user" "$(ls -ln "$creds")"
fi

# svc_daemon CONFIG [ENV=VALUE...] — the daemon as the service's user, with
# the environment systemd gives the unit; sets daemon_pid and daemon_log
svc_daemon() {
	_cfg=$1; shift
	for a in "$@"; do export "${a?}"; done
	CLAIMSCRUBD=$T/as-service
	start_daemon "$_cfg"
	CLAIMSCRUBD=$real_daemon
	unset CREDENTIALS_DIRECTORY PGPASSFILE
}

# ---- the daemon with the credential: connects as credd and scrubs ------------------------
gen_claims 50 >/dev/null || setup_failed "gen_claims failed"
svc_daemon "$etc/claimscrubd.yaml" CREDENTIALS_DIRECTORY="$creds" PGPASSFILE="$creds/$cred"
pid=$daemon_pid log=$daemon_log
if wait_until "SELECT count(*) = 0 FROM claimscrub.claim WHERE status = 'pending'" 60; then
	ok "with CREDENTIALS_DIRECTORY and PGPASSFILE=\$CREDENTIALS_DIRECTORY/$cred the daemon scrubs all 50 claims"
else
	not_ok "with the credential the daemon scrubs the queue" \
		"$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'") pending"
	tail_log "$log"
fi
who=$(psql_val "SELECT string_agg(usename, ' ') FROM pg_stat_activity WHERE application_name = 'claimscrubd'")
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
if [ "$who" = credd ] && [ "$uid" = "$svc_uid" ]; then
	ok "its backend is credd's, its process runs as uid $uid"
else
	not_ok "its backend is credd's, its process the service user's" "backend user '$who', uid '$uid' (want $svc_uid)"
fi
consistency_check "scrubbed with the password from the credential"
for p in healthz metrics; do
	timeout 10 curl -s -o "$T/good.$p" "http://127.0.0.1:$hport/$p"
done
grep -q '^ok' "$T/good.healthz" && ok "/healthz: ok" || not_ok "/healthz: ok" "$(head -c 200 "$T/good.healthz")"
tr '\0' '\n' <"/proc/$pid/cmdline" >"$T/good.cmdline" 2>/dev/null
tr '\0' '\n' <"/proc/$pid/environ" >"$T/good.environ" 2>/dev/null
grep -qx "PGPASSFILE=$creds/$cred" "$T/good.environ" && ok "its environment names the password file, PGPASSFILE=.../$cred" ||
	not_ok "its environment has PGPASSFILE" "$(grep PG "$T/good.environ")"
stop_daemon "$pid"; st=$?
[ $st = 0 ] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit 0" "status $st"
log_good=$log

# ---- without the password: refused, and said ---------------------------------------------
psql_val "UPDATE claimscrub.claim SET status = 'pending' WHERE claim_ref LIKE 'BULK-%-1_'" >/dev/null
pending=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")
# no_password LABEL ENV... — the daemon cannot log in and says so; nothing
# is scrubbed; it keeps retrying
no_password() {
	_l=$1; shift
	svc_daemon "$etc/claimscrubd.yaml" "$@"
	_refused() { [ "$(grep -c 'event=disconnected .*no password supplied' "$daemon_log")" -ge 2 ]; }
	wait_for 60 _refused
	_left=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")
	if _refused && ! grep -q 'event=connected' "$daemon_log" && [ "$_left" = "$pending" ] &&
		! daemon_exited "$daemon_pid"; then
		ok "$_l: no login ('no password supplied', retried), the $pending claims left pending"
	else
		not_ok "$_l: the daemon cannot log in and says so" "pending $_left of $pending"
		tail_log "$daemon_log" 5
	fi
	if grep -q 'WARNING' "$daemon_log"; then
		not_ok "$_l: libpq has nothing to say about the password file" "$(grep WARNING "$daemon_log" | head -n 2)"
	else
		ok "$_l: no libpq warning (about the password file or else)"
	fi
	stop_daemon "$daemon_pid" >/dev/null
}
no_password "without PGPASSFILE" CREDENTIALS_DIRECTORY="$creds"
log_nopw=$daemon_log
if [ -n "$cred_default" ]; then
	# what systemd hands over when the password file is missing
	chmod 0700 "$creds"
	rm -f "$creds/$cred"
	printf '%s' "$cred_default" >"$creds/$cred"
	chmod 0400 "$creds/$cred"
	chmod 0500 "$creds"
	no_password "the unit's default credential ('$cred_default')" \
		CREDENTIALS_DIRECTORY="$creds" PGPASSFILE="$creds/$cred"
	log_default=$daemon_log
fi

# ---- a password in a configuration others can read: refused -------------------------------
sed "s|^database: \"\(.*\)\"$|database: \"\1 password=$pw\"|" "$etc/claimscrubd.yaml" >"$etc/pw.yaml"
chmod 0644 "$etc/pw.yaml"
grep -q "password=$pw" "$etc/pw.yaml" || setup_failed "could not write $etc/pw.yaml"
as_svc "$real_daemon" --check-config -c "$etc/pw.yaml" >"$T/pw-check.out" 2>&1 </dev/null
st=$?
if [ $st = 2 ] && grep -q "holds a password in 'database' but its mode is 0644" "$T/pw-check.out"; then
	ok "password= in a 0644 configuration: --check-config refuses it, exit 2"
else
	not_ok "password= in a 0644 configuration is refused by --check-config" "exit $st: $(head -c 300 "$T/pw-check.out")"
fi
svc_daemon "$etc/pw.yaml" CREDENTIALS_DIRECTORY="$creds"
wait_daemon "$daemon_pid" 30; st=$?
log_pwconf=$daemon_log
if [ $st = 2 ] && grep -q "holds a password in 'database'" "$log_pwconf"; then
	ok "password= in a 0644 configuration: the daemon refuses to start, exit 2"
else
	not_ok "password= in a 0644 configuration: the daemon refuses to start" "exit $st"; tail_log "$log_pwconf" 3
fi

# ---- the password is nowhere -----------------------------------------------------------
in=""
for f in "$log_good" "$log_nopw" "${log_default:-}" "$log_pwconf" "$T/cc.out" "$T/pw-check.out" \
	"$T/good.healthz" "$T/good.metrics" "$T/good.cmdline" "$T/good.environ"; do
	[ -n "$f" ] && [ -f "$f" ] || continue
	grep -qF -- "$pw" "$f" && in="$in $(basename "$f")"
done
[ -z "$in" ] && ok "the password is in no log, output, /healthz, /metrics, command line or environment" ||
	not_ok "the password leaks" "found in:$in"
log_is_keyvalue "$log_good" && ok "the daemon's log is key=value lines" || not_ok "the daemon's log is key=value lines"
finish
