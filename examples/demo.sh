#!/bin/sh
# demo.sh — the main job end to end, from a fresh clone, as root or as a sudo
# user on Debian 12:
#   1. installs what it needs (apt-get), builds claimscrub out of tree;
#   2. scrubs the sample claims offline with `claimscrub check` (text view);
#   3. starts a throwaway PostgreSQL (a temporary directory, a Unix socket,
#      run as an unprivileged user: initdb refuses root), migrates it,
#      submits the samples with `claimscrub submit`, joins the 837P sample
#      to its administration record (HL7 v2, checked offline), queues the
#      837P sample (`claimscrub import --submit`: each claim waits for its
#      record), stores the FHIR record (`import --submit --format fhir`),
#      which queues PC-2026-0301, and drains the queue with `claimscrubd
#      --once` (PC-2026-0302's record never comes: mar-missing);
#   4. prints the flagged claims with their findings, and findings by rule,
#      from the database;
#   5. loads the example fee schedule (claimscrub db fees), shows the review
#      queue and the denial-risk report, and writes build/demo/report.html,
#      and the results for billing (claimscrub export) to
#      build/demo/results.csv.
# The server is stopped and its directory removed on exit.
#
# With --web, then keeps the throwaway PostgreSQL running and starts the
# reviewers' workbench, claimscrub-web, on 127.0.0.1 (the first free port
# from 8470): its login claimscrub_web (NOINHERIT) is granted a reviewer role
# `reviewer` (IN ROLE claimscrub_reviewer) whose password is made for this run
# from /dev/urandom and printed once; the reviewer signs in with
# scram-sha-256.  Ctrl-C (or SIGTERM) stops the workbench and removes the
# throwaway database.
set -eu

usage() {
	cat <<'EOF'
usage: examples/demo.sh [--web]

The main job end to end on Debian 12, as root or as a sudo user: installs
what it needs, builds claimscrub in build/demo, scrubs the sample claims
offline, queues them in a throwaway PostgreSQL, drains the queue with
claimscrubd --once, and prints the flagged claims, the review queue and the
denial-risk report (build/demo/report.html).

  --web       then keep the throwaway PostgreSQL running and start the
              reviewers' workbench (claimscrub-web) on 127.0.0.1, with a
              reviewer role and a password made for this run (printed once);
              Ctrl-C stops the workbench and removes the throwaway database
  -h, --help  print this and exit

Environment: SKIP_APT=1 skips the apt-get step.
EOF
}
web=""
for arg in "$@"; do
	case $arg in
	--web) web=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "demo.sh: unknown argument: $arg (usage: examples/demo.sh [--web], or --help)" >&2; exit 2 ;;
	esac
done

cd "$(dirname "$0")/.."
top=$(pwd)
pgbin=/usr/lib/postgresql/15/bin

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${SKIP_APT:-}" != 1 ]; then
	echo "== installing dependencies"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		build-essential autoconf automake pkg-config libyaml-dev libpq-dev \
		libevent-dev libcriterion-dev postgresql-15 postgresql-client-15 ${web:+curl} >/dev/null
fi
if [ -n "$web" ] && ! command -v curl >/dev/null; then
	echo "demo.sh: --web needs curl (apt-get install curl, or run without SKIP_APT=1)" >&2
	exit 1
fi

echo "== building"
[ -f config.status ] && make distclean >/dev/null 2>&1 || true
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
mkdir -p build/demo
(cd build/demo && "$top/configure" -q && make -j"$(nproc)" >/dev/null)
cs="$top/build/demo/cli/claimscrub"
csd="$top/build/demo/daemon/claimscrubd"
csweb="$top/build/demo/web/claimscrub-web"

echo "== claimscrub check examples/*.yaml (offline)"
echo
"$cs" check --format text examples/*.yaml || true

echo "== a throwaway PostgreSQL"
tmp=$(mktemp -d /tmp/claimscrub-demo.XXXXXX)
chmod 755 "$tmp"
# initdb and the server run as an unprivileged user: root is refused
if [ "$(id -u)" = 0 ]; then
	chown postgres "$tmp"
	pg() { runuser -u postgres -- "$@"; }
else
	pg() { "$@"; }
fi
cleanup() {
	if [ -n "$web" ]; then
		# with --web: once, whatever stops the script; a second Ctrl-C
		# does not cut it short
		trap '' INT TERM
		stop_web
		echo "== stopping the throwaway PostgreSQL and removing $tmp"
	fi
	pg "$pgbin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
if [ -n "$web" ]; then
	web_pid="" web_waiting=""
	# the state letter of /proc/PID/stat (empty when gone): R, S, ... Z
	web_state() { sed -n 's/^.*) \(.\).*/\1/p' "/proc/$web_pid/stat" 2>/dev/null || true; }
	web_alive() { case $(web_state) in "" | Z | X) return 1 ;; esac; }
	# stop_web — SIGTERM, then waits for it (SIGKILL after 15 s)
	stop_web() {
		[ -n "$web_pid" ] || return 0
		echo "== stopping claimscrub-web (pid $web_pid)"
		kill -TERM "$web_pid" 2>/dev/null || true
		_end=$(($(date +%s) + 15))
		while web_alive && [ "$(date +%s)" -lt "$_end" ]; do sleep 0.1; done
		if web_alive; then
			echo "demo.sh: claimscrub-web did not stop in 15 s: SIGKILL" >&2
			kill -KILL "$web_pid" 2>/dev/null || true
		fi
		wait "$web_pid" 2>/dev/null || true
		web_pid=""
	}
	# Ctrl-C while the workbench serves is the way to end the demo (exit 0);
	# before that, the demo was cut short
	on_signal() {
		if [ -n "$web_waiting" ]; then echo; exit 0; fi
		exit "$1"
	}
	trap cleanup EXIT
	trap 'on_signal 130' INT
	trap 'on_signal 143' TERM
else
	# cleanup once, at exit: a signal ends the script (and so runs it)
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
fi
pg "$pgbin/initdb" -D "$tmp/data" -A trust -U postgres >/dev/null
pg "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
	-o "-k $tmp -c listen_addresses=''" start >/dev/null
export PGHOST="$tmp" PGUSER=postgres PGDATABASE=postgres

echo "== claimscrub db migrate"
"$cs" db migrate
echo "== claimscrub submit examples/*.yaml"
"$cs" submit examples/*.yaml
echo "== claimscrub import: the 837P sample joined to its HL7 v2 administration record, checked offline"
mkdir -p "$tmp/joined"
# (exit 1: the sample's other claim, PC-2026-0302, bills hydration but has
# no administration record in the samples, so it is held, not judged)
"$cs" import --mar examples/hl7/ras-sample.hl7 --mar-format hl7 --out "$tmp/joined" \
	examples/x12/837p-sample.837 || [ $? = 1 ]
"$cs" check --format text "$tmp/joined/PC-2026-0301.json" || [ $? = 1 ]
echo "== claimscrub import --submit: the 837P sample into the queue, where each claim waits for its MAR record"
# (the demo does not wait the default 120 minutes: with 0, a claim whose
# record has not come is scrubbed on the daemon's next step)
psql -X -q -c "UPDATE claimscrub.setting SET value = '0' WHERE name = 'mar_wait_minutes'"
"$cs" import --submit examples/x12/837p-sample.837
echo "== claimscrub import --submit --format fhir: PC-2026-0301's administration record arrives"
"$cs" import --submit --format fhir examples/fhir/mar.ndjson
psql -X -q -P pager=off -c "SELECT claim_ref AS claim, status, encounter FROM claimscrub.claim
	WHERE encounter IS NOT NULL ORDER BY 1"
echo "== claimscrubd --once"
printf 'batch_size: 500\nhttp_port: 0\n' >"$tmp/claimscrubd.yaml"
"$csd" -c "$tmp/claimscrubd.yaml" --once

echo
echo "== flagged claims and their findings (from claimscrub.finding)"
psql -X -q -P pager=off <<'SQL'
SELECT c.claim_ref AS claim, c.payer, f.severity, f.rule,
       coalesce(f.line_no::text, '') AS line, f.message
  FROM claimscrub.claim c
  JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = c.version
 WHERE c.status <> 'clean'
 ORDER BY c.claim_ref, f.ordinal;
SQL
echo "== findings by rule"
psql -X -q -P pager=off <<'SQL'
SELECT f.rule, f.severity, count(*) AS findings,
       count(DISTINCT f.claim_id) AS claims
  FROM claimscrub.finding f
  JOIN claimscrub.claim c ON c.id = f.claim_id AND f.claim_version = c.version
 GROUP BY 1, 2 ORDER BY 3 DESC, 1;
SELECT status, count(*) AS claims FROM claimscrub.claim GROUP BY 1 ORDER BY 1;
SQL

echo
echo "== claimscrub db fees (rules.d + the example fee schedule, examples/rules.d)"
"$cs" db fees --rules rules.d --rules examples/rules.d
echo "== claimscrub review --limit 3"
"$cs" review --limit 3
echo
echo "== claimscrub report"
"$cs" report
"$cs" report --format html -o build/demo/report.html
echo
echo "== claimscrub export --format csv (the results for billing: released or held)"
rm -f build/demo/billing.cursor	# (a cursor is this database's: a new one each run)
"$cs" export --format csv --cursor-file build/demo/billing.cursor -o build/demo/results.csv
cut -d, -f2,4,7,8 build/demo/results.csv | tr -d '\r' | head -n 8
echo "   ... build/demo/results.csv; exported again, only what changed since:"
"$cs" export --cursor-file build/demo/billing.cursor | wc -l
echo
echo "== wrote build/demo/report.html (one self-contained file: open it in a browser)"

[ -n "$web" ] || exit 0

# ---- --web: the reviewers' workbench on this database, until Ctrl-C ----------
echo
echo "== claimscrub-web: its login claimscrub_web (NOINHERIT) and a reviewer"
# 24 random bytes as hex: nothing to quote in SQL or in a form
reviewer_pw=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
[ "${#reviewer_pw}" = 48 ] || { echo "demo.sh: no password from /dev/urandom" >&2; exit 1; }
# on standard input, so the password is in no command line
psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET password_encryption = 'scram-sha-256';
CREATE ROLE claimscrub_web LOGIN NOINHERIT;
CREATE ROLE reviewer LOGIN PASSWORD '$reviewer_pw' IN ROLE claimscrub_reviewer;
GRANT reviewer TO claimscrub_web;
SQL
# the reviewer signs in with the password (scram-sha-256); the rest of this
# cluster still trusts its socket.  The new line goes first: the first match
# wins.  The file keeps its owner and mode.
pg sh -c 'f=$1/pg_hba.conf
	{ echo "local all reviewer scram-sha-256"; cat "$f"; } >"$f.new" &&
	cat "$f.new" >"$f" && rm -f "$f.new"' sh "$tmp/data"
[ "$(psql -X -qAt -c 'SELECT pg_reload_conf()')" = t ] ||
	{ echo "demo.sh: the server did not reload its configuration" >&2; exit 1; }
# the reload is done when the reviewer without a password is refused
end=$(($(date +%s) + 30))
while env -u PGPASSWORD PGPASSFILE=/dev/null psql -X -w -q -U reviewer -c '' </dev/null >/dev/null 2>&1; do
	if [ "$(date +%s)" -ge "$end" ]; then
		echo "demo.sh: the server did not take the new pg_hba.conf in 30 s" >&2
		exit 1
	fi
	sleep 0.1
done
[ "$(PGPASSWORD=$reviewer_pw psql -X -w -qAt -U reviewer -c 'SELECT current_user')" = reviewer ] ||
	{ echo "demo.sh: the reviewer cannot sign in with its password" >&2; exit 1; }

# the first TCP port from 8470 that no socket of this machine holds
web_port=8470
while grep -q ":$(printf '%04X' "$web_port") " /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
	web_port=$((web_port + 1))
done
web_log="$tmp/claimscrub-web.log"
cat >"$tmp/claimscrub-web.yaml" <<YAML
# claimscrub-web(8) for the demo: this throwaway database, as claimscrub_web
database: "host=$tmp dbname=postgres user=claimscrub_web"
listen: 127.0.0.1
port: $web_port
YAML
"$csweb" -c "$tmp/claimscrub-web.yaml" --check-config >/dev/null

echo "== starting claimscrub-web on 127.0.0.1:$web_port"
"$csweb" -c "$tmp/claimscrub-web.yaml" 2>"$web_log" &
web_pid=$!
# ready: it answers on /login, and its pool has connected
end=$(($(date +%s) + 60))
until web_alive &&
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$web_port/login")" = 200 ] &&
	grep -q 'event=connected' "$web_log" && web_alive; do
	if ! web_alive || [ "$(date +%s)" -ge "$end" ]; then
		if web_alive; then
			echo "demo.sh: claimscrub-web did not answer on 127.0.0.1:$web_port/login in 60 s; its log:" >&2
		else
			echo "demo.sh: claimscrub-web stopped; its log:" >&2
		fi
		tail -n 20 "$web_log" >&2
		exit 1
	fi
	sleep 0.1
done

cat <<EOF

== the reviewers' workbench is running
   URL:       http://127.0.0.1:$web_port/
   role:      reviewer
   password:  $reviewer_pw
   (made for this run and shown only here; the workbench's log: $web_log)

Ctrl-C stops the workbench and removes the throwaway database
EOF
web_waiting=1
st=0
wait "$web_pid" || st=$?
# here only when it stopped by itself (Ctrl-C and SIGTERM exit in on_signal)
web_pid=""
echo "demo.sh: claimscrub-web stopped by itself (exit $st); its log:" >&2
tail -n 20 "$web_log" >&2
exit 1
