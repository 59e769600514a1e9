# lib.sh — sourced by every tests/pg/*.sh test.  Starts a throwaway
# PostgreSQL 15 in a temporary directory (Unix socket only, trust
# authentication), migrates it, and provides the helpers the tests share:
#
#   ok / not_ok / check NAME CMD... / finish     TAP output
#   psql_val SQL [-v NAME=VALUE...]               one value (or rows, '|'-separated)
#   wait_until SQL TIMEOUT                        poll until SQL returns t
#   wait_log PATTERN TIMEOUT [FILE]               poll a daemon's log for a line
#   free_port [FIRST]                             a TCP port no socket holds
#   write_config FILE [KEY: VALUE...]             a daemon config for this server
#   start_daemon CONFIG [ARG...]                  sets $daemon_pid and $daemon_log
#   wait_daemon PID TIMEOUT                       its exit status (124: timed out)
#   stop_daemon PID [SIGNAL]                      signal it, then wait_daemon
#   scrub_once [CONFIG]                           claimscrubd --once, to its end
#   same NAME GOT WANT                            ok when GOT is WANT
#   gen_claims N [FIRST]                          N realistic claims, in SQL
#   consistency_check [LABEL]                     the queue invariants, as TAP
#   verify_results SQL_WHERE LABEL                results = `claimscrub check`
#   pg_restart                                    pg_ctl restart -m fast
#   review_samples [DOC...]                       the samples and fees, scrubbed
#
# A missing PostgreSQL, daemon or CLI fails the test; nothing here skips.
# Every command is bounded by `timeout`, background daemons by wait_daemon's
# watchdog, and the whole test by PG_TEST_TIMEOUT (default 300 s); on exit
# the trap kills the daemons it started and stops the server.
#
# Environment: CLAIMSCRUB, CLAIMSCRUBD, CLAIMSCRUB_SRCDIR (set by make
# check), PG_BINDIR (default /usr/lib/postgresql/15/bin), PG_KEEP=1 keeps
# the temporary directory (server log, daemon logs) for a post-mortem.

: "${CLAIMSCRUB:=cli/claimscrub}"
: "${CLAIMSCRUBD:=daemon/claimscrubd}"
: "${CLAIMSCRUB_SRCDIR:=.}"
: "${PG_BINDIR:=/usr/lib/postgresql/15/bin}"
: "${PG_TEST_TIMEOUT:=300}"
src=$(cd "$CLAIMSCRUB_SRCDIR" && pwd)
test_name=$(basename "$0" .sh)
daemon_pids="" ndaemons=0 watchdog_pid="" pg_started=""

# ---- TAP -------------------------------------------------------------------
. "$src/tests/lib/tap.sh"
tap_label=pg/$test_name
# note TEXT... — a TAP comment
note() { printf '%s\n' "$*" | sed 's/^/# /'; }
# setup_failed MESSAGE — the test cannot run: one failing test point
setup_failed() {
	not_ok "$test_name: $1"
	[ -n "${T:-}" ] && [ -f "$T/pg/server.log" ] && note "server log:" "$(tail -n 15 "$T/pg/server.log")"
	finish
}
# tail_log FILE [N] — the last lines of a log, as TAP comments
tail_log() { [ -f "$1" ] && note "--- $(basename "$1") (last ${2:-10} lines):" "$(tail -n "${2:-10}" "$1")"; }

# ---- prerequisites: missing means FAIL, never skip ------------------------
for b in initdb pg_ctl psql; do
	[ -x "$PG_BINDIR/$b" ] || setup_failed "PostgreSQL 15 is missing: no $PG_BINDIR/$b (apt-get install postgresql-15, or set PG_BINDIR)"
done
[ -x "$CLAIMSCRUBD" ] || setup_failed "the daemon is missing: $CLAIMSCRUBD is not an executable (run make)"
[ -x "$CLAIMSCRUB" ] || setup_failed "the CLI is missing: $CLAIMSCRUB is not an executable (run make)"
CLAIMSCRUBD=$(cd "$(dirname "$CLAIMSCRUBD")" && pwd)/$(basename "$CLAIMSCRUBD")
CLAIMSCRUB=$(cd "$(dirname "$CLAIMSCRUB")" && pwd)/$(basename "$CLAIMSCRUB")
if [ "$(id -u)" = 0 ]; then
	# initdb refuses to run as root: the cluster belongs to `postgres`
	id postgres >/dev/null 2>&1 || setup_failed "running as root, but there is no 'postgres' user to own the cluster"
	command -v runuser >/dev/null 2>&1 || setup_failed "running as root, but runuser(1) is missing"
	as_pg() { timeout 120 runuser -u postgres -- "$@"; }
else
	as_pg() { timeout 120 "$@"; }
fi

# ---- cleanup ---------------------------------------------------------------
cleanup() {
	trap - EXIT INT TERM HUP
	for p in $daemon_pids; do kill -TERM "$p" 2>/dev/null; done
	for p in $daemon_pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$p" 2>/dev/null
	done
	[ -n "$watchdog_pid" ] && kill -TERM "$watchdog_pid" 2>/dev/null
	if [ -n "$pg_started" ]; then
		as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -m immediate -w -t 30 stop \
			</dev/null >/dev/null 2>&1
	fi
	if [ -n "${T:-}" ]; then
		if [ "${PG_KEEP:-}" = 1 ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
	fi
}
on_signal() {
	trap - INT TERM HUP
	if [ -f "${T:-/nonexistent}/timed-out" ]; then
		not_ok "$test_name: timed out after $PG_TEST_TIMEOUT s (PG_TEST_TIMEOUT)"
	else
		not_ok "$test_name: interrupted by a signal"
	fi
	finish
}
trap cleanup EXIT
trap on_signal INT TERM HUP
# output cut off (| head): clean up all the same
trap 'trap - PIPE; cleanup; exit 141' PIPE

# (a Unix socket path has at most 107 bytes: a long TMPDIR is not used)
T=$(mktemp -d "${TMPDIR:-/tmp}/cspg.XXXXXX") || setup_failed "mktemp failed"
if [ ${#T} -gt 70 ]; then rmdir "$T"; T=$(mktemp -d /tmp/cspg.XXXXXX) || setup_failed "mktemp failed"; fi
chmod 755 "$T"

# The whole test is bounded: past PG_TEST_TIMEOUT the shell gets SIGTERM and
# its trap cleans up.
(
	trap 'kill "$s" 2>/dev/null; exit 0' TERM
	sleep "$PG_TEST_TIMEOUT" & s=$!
	wait "$s"
	: >"$T/timed-out"
	kill -TERM $$
) </dev/null >/dev/null 2>&1 &
watchdog_pid=$!

# ---- the server --------------------------------------------------------------
mkdir "$T/pg"
[ "$(id -u)" = 0 ] && chown postgres "$T/pg"
unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGSSLMODE PGOPTIONS PGCONNECT_TIMEOUT
PGHOST=$T/pg PGPORT=5432 PGUSER=postgres PGDATABASE=claims
export PGHOST PGPORT PGUSER PGDATABASE
conninfo="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER"

as_pg "$PG_BINDIR/initdb" -D "$T/pg/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
	</dev/null >"$T/initdb.log" 2>&1 ||
	setup_failed "initdb failed: $(tail -n 5 "$T/initdb.log")"
# Fast, not durable: no test here crashes the server itself.
# (one line: pg_ctl hands the options to a shell command line)
pg_opts="-c listen_addresses='' -c unix_socket_directories='$T/pg' -c port=$PGPORT"
pg_opts="$pg_opts -c fsync=off -c full_page_writes=off -c max_connections=40"
pg_opts="$pg_opts -c shared_buffers=64MB -c log_line_prefix='%m [%p] %a '"
pg_started=1
as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -l "$T/pg/server.log" -w -t 60 -o "$pg_opts" start \
	</dev/null >/dev/null 2>&1 || setup_failed "the PostgreSQL server did not start"

PSQL="$PG_BINDIR/psql"
# psql_val SQL [PSQL-ARG...] — runs SQL (with psql variables interpolated:
# pass data as -v name=value and use :'name'), prints unaligned rows
psql_val() {
	_sql=$1; shift
	printf '%s\n' "$_sql" | timeout 60 "$PSQL" -X -q -At -v ON_ERROR_STOP=1 "$@" -f -
}
# psql_script FILE [PSQL-ARG...] — the same for a script file
psql_script() { _f=$1; shift; timeout 120 "$PSQL" -X -q -At -v ON_ERROR_STOP=1 "$@" -f "$_f"; }

timeout 30 "$PSQL" -X -q -d postgres -c 'CREATE DATABASE claims' >"$T/createdb.log" 2>&1 ||
	setup_failed "CREATE DATABASE failed: $(cat "$T/createdb.log")"

# pg_restart — a fast restart of the server (every connection is dropped)
pg_restart() {
	as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -l "$T/pg/server.log" -w -t 60 -m fast restart \
		</dev/null >>"$T/pg/restart.log" 2>&1
}

# ---- migrate -------------------------------------------------------------------
# `claimscrub db migrate`: the migrations, then the api (sql/README.md)
timeout 120 "$CLAIMSCRUB" db migrate --db "$conninfo" --sql "$src/sql" </dev/null >"$T/migrate.log" 2>&1 ||
	setup_failed "claimscrub db migrate failed: $(tail -n 5 "$T/migrate.log")"
migrated_by="claimscrub db migrate"
[ "$(psql_val 'SELECT count(*) > 0 FROM claimscrub.schema_migrations' 2>/dev/null)" = t ] ||
	setup_failed "no claimscrub.schema_migrations after migrating ($migrated_by)"

# ---- waiting ----------------------------------------------------------------------
# wait_until SQL TIMEOUT-SECONDS — polls (every 0.1 s) until SQL returns t;
# a query that fails (server restarting) counts as "not yet"
wait_until() {
	_deadline=$(($(date +%s) + $2))
	while :; do
		[ "$(psql_val "$1" 2>/dev/null)" = t ] && return 0
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.1
	done
}

# wait_log PATTERN TIMEOUT-SECONDS [FILE] — polls FILE (default the last
# daemon's log, $daemon_log) until a line matches the extended regex PATTERN
wait_log() { wait_for "$2" grep -Eq -- "$1" "${3:-$daemon_log}"; }

# free_port [FIRST] — prints the first TCP port from FIRST (default one
# derived from the test's pid) that no socket of this machine holds, after
# /proc/net/tcp and tcp6; a daemon's HTTP port, so tests run side by side
free_port() {
	_fp=${1:-$((20000 + $$ % 20000))}
	while grep -q ":$(printf '%04X' "$_fp") " /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
		_fp=$((_fp + 1))
	done
	echo "$_fp"
}

# ---- the samples, scrubbed ----------------------------------------------------------
# review_samples [DOC...] — the review tests' data: a two-fee schedule
# (default 96366 45.00, medicare 99211 22.00), the sample claims of
# examples/, IC-2026-0406 (a copy of sample 06) and DOC..., submitted and
# scrubbed by claimscrubd --once
review_samples() {
	mkdir -p "$T/fees"
	cat >"$T/fees/60-fees.yaml" <<'YAML'
fees:
  default:
    "96366": 45.00
  medicare:
    "99211": 22.00
YAML
	timeout 60 "$CLAIMSCRUB" db fees --db "$conninfo" --rules "$src/rules.d" --rules "$T/fees" \
		</dev/null >"$T/fees.out" 2>&1 || setup_failed "db fees failed: $(cat "$T/fees.out")"
	sed 's/^claim: IC-2026-0306$/claim: IC-2026-0406/' "$src/examples/06-twelve-minute-infusion.yaml" >"$T/0406.yaml"
	timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$src"/examples/[0-9]*.yaml "$T/0406.yaml" "$@" \
		</dev/null >"$T/submit.out" 2>&1 || setup_failed "submit failed: $(tail -n 3 "$T/submit.out")"
	write_config "$T/d.yaml"
	start_daemon "$T/d.yaml" --once
	wait_daemon "$daemon_pid" 120 || { tail_log "$daemon_log"; setup_failed "claimscrubd --once failed"; }
}

# same NAME GOT WANT — ok when GOT is WANT, else both shown
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "--- want" "$3" "--- got" "$2"; fi
}

# ---- the daemon -------------------------------------------------------------------
# write_config FILE [LINE...] — a config for this server; extra YAML lines
# (e.g. "batch_size: 200") are appended; rules default to the source tree's
write_config() {
	_f=$1; shift
	{
		printf 'database: "%s"\n' "$conninfo"
		_has_rules=""
		for l in "$@"; do case $l in rules:*) _has_rules=1 ;; esac; done
		[ -z "$_has_rules" ] && printf 'rules: ["%s"]\n' "$src/rules.d"
		# no HTTP endpoint unless the test asks: daemons run side by side
		case " $* " in *" http_port:"*) ;; *) printf 'http_port: 0\n' ;; esac
		# each batch's line (debug) for the tests that count them
		case " $* " in *" log_level:"*) ;; *) printf 'log_level: debug\n' ;; esac
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$_f"
}

# start_daemon CONFIG [ARG...] — starts claimscrubd in the background with
# its standard error in a log of its own; sets daemon_pid (the daemon's own
# pid, for signals) and daemon_log.  A small wrapper shell waits for it and
# writes its exit status to $T/status.PID: dash's `wait` loses the status of
# a child that ended while it waited for another once traps are set.
# CLAIMSCRUB_VALGRIND=DIR runs every daemon under valgrind's memcheck with
# one log per process in DIR; tests/run-all.sh reads them all (no error, no
# leak).  Exit statuses are the daemon's own.
start_daemon() {
	_cfg=$1; shift
	if [ -n "${CLAIMSCRUB_VALGRIND:-}" ]; then
		set -- valgrind --leak-check=full --show-leak-kinds=all \
			--errors-for-leak-kinds=all \
			--suppressions="$src/tests/valgrind.supp" \
			--log-file="$CLAIMSCRUB_VALGRIND/vg.%p.log" \
			"$CLAIMSCRUBD" -c "$_cfg" "$@"
	else
		set -- "$CLAIMSCRUBD" -c "$_cfg" "$@"
	fi
	ndaemons=$((ndaemons + 1))
	daemon_log="$T/daemon-$ndaemons.log"
	sh -c 'dir=$1 log=$2 n=$3; shift 3
		"$@" </dev/null >"$log" 2>&1 &
		p=$!
		echo "$p" >"$dir/pid.$n"
		wait "$p"
		echo $? >"$dir/status.$p.tmp" && mv "$dir/status.$p.tmp" "$dir/status.$p"' \
		claimscrubd-wrapper "$T" "$daemon_log" "$ndaemons" \
		"$@" </dev/null >/dev/null 2>&1 &
	_i=0
	while [ ! -s "$T/pid.$ndaemons" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	daemon_pid=$(cat "$T/pid.$ndaemons" 2>/dev/null)
	[ -n "$daemon_pid" ] || daemon_pid=0
	daemon_pids="$daemon_pids $daemon_pid"
}

# scrub_once [CONFIG] — one `claimscrubd --once` (CONFIG: $T/d.yaml), to
# its end; a daemon that fails or hangs fails the test's setup
scrub_once() {
	start_daemon "${1:-$T/d.yaml}" --once
	wait_daemon "$daemon_pid" 120 || { tail_log "$daemon_log"; setup_failed "claimscrubd --once failed"; }
}

# daemon_exited PID — true once the daemon has ended (its status is known)
daemon_exited() { [ -f "$T/status.$1" ]; }

# lock_held TABLE — a session of the test's own (application_name
# test-locker) holds TABLE (claimscrub.NAME) in ACCESS EXCLUSIVE mode for up
# to 50 s, in the background (its pid in locker); returns once the lock is
# granted, false if not within 30 s.  lock_release ends it.
lock_held() {
	(PGAPPNAME=test-locker psql_val "BEGIN; LOCK TABLE claimscrub.$1 IN ACCESS EXCLUSIVE MODE;
		SELECT pg_sleep(50); COMMIT;" >/dev/null 2>&1) &
	locker=$!
	wait_until "SELECT count(*) > 0 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		    WHERE a.application_name = 'test-locker' AND l.granted
		      AND l.relation = 'claimscrub.$1'::regclass" 30
}
lock_release() {
	psql_val "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'test-locker'" >/dev/null
	wait "$locker" 2>/dev/null
}

# term_until_gone PID — SIGTERM to a daemon started by start_daemon again
# and again (a bounded loop, no timing) until it is gone; sets term_sent
# (how many were sent).  A daemon already stopping must not die of them.
term_until_gone() {
	term_sent=0
	while [ $term_sent -lt 200000 ] && ! daemon_exited "$1" && kill -TERM "$1" 2>/dev/null; do
		term_sent=$((term_sent + 1))
	done
}

# wait_daemon PID TIMEOUT — waits for a daemon started by start_daemon and
# returns its exit status, or 124 after killing it when TIMEOUT ran out
wait_daemon() {
	_pid=$1
	_deadline=$(($(date +%s) + $2))
	while [ ! -f "$T/status.$_pid" ]; do
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			kill -KILL "$_pid" 2>/dev/null
			_i=0
			while [ ! -f "$T/status.$_pid" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
			_st=124
			break
		fi
		sleep 0.05
	done
	[ -f "$T/status.$_pid" ] && [ "${_st:-}" != 124 ] && _st=$(cat "$T/status.$_pid")
	_rest=""
	for p in $daemon_pids; do [ "$p" = "$_pid" ] || _rest="$_rest $p"; done
	daemon_pids=$_rest
	_r=$_st; _st=""
	return "$_r"
}

# stop_daemon PID [SIGNAL] — sends SIGNAL (default TERM) and waits up to 30 s
stop_daemon() {
	kill -"${2:-TERM}" "$1" 2>/dev/null
	wait_daemon "$1" 30
}

# log_is_keyvalue FILE — every line of a daemon log is key=value pairs
log_is_keyvalue() {
	! grep -Evq '^[A-Za-z_][A-Za-z0-9_.-]*=("([^"\\]|\\.)*"|[^ "]*)( +[A-Za-z_][A-Za-z0-9_.-]*=("([^"\\]|\\.)*"|[^ "]*))* *$' "$1"
}

# scrubbed_in_log FILE — how many claims the daemon says it scrubbed and
# wrote: the sum of claims= less stale= (scrubbed, but the claim changed
# meanwhile and was left alone) over its `event=batch` lines
scrubbed_in_log() {
	awk '{
		b = 0; c = 0
		for (i = 1; i <= NF; i++) {
			if ($i == "event=batch") b = 1
			else if ($i ~ /^claims=[0-9]+$/) c += substr($i, 8) + 0
			else if ($i ~ /^stale=[0-9]+$/) c -= substr($i, 7) + 0
		}
		if (b) s += c
	}
	END { print s + 0 }' "$1"
}

# ---- data ------------------------------------------------------------------------
# gen_claims N [FIRST] — N claims BULK-<template>-<i>, i from FIRST (default
# 1), written straight into the tables in one transaction (as submit() does,
# so each starts at version 1, pending).  Five templates, round robin:
#   0 clean    ceftriaxone infusion 30 min, 96365 + drug (medicare, facility)
#   1 flagged  vancomycin infusion without a stop time (missing-stop-time)
#   2 flagged  ceftriaxone "infusion" of 12 min, a push (infusion-under-16)
#   3 clean    office chemotherapy with three premedication pushes
#   4 flagged  IVIG 2 h 20 min billed with two add-on hours (additional-hour-unsupported)
# Dates and clock times vary with i.
gen_claims() {
	psql_val "
BEGIN;
SET LOCAL claimscrub.submitting = 'on';
CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT i, i % 5 AS tpl, date '2026-01-05' + (i % 360) AS d, (i % 4) AS shift,
       format('BULK-%s-%s', i % 5, i) AS ref
  FROM generate_series(:first::int, :first::int + :cnt::int - 1) AS i;
CREATE TEMP TABLE tpl_claim (tpl int, payer text, setting text, provider text) ON COMMIT DROP;
INSERT INTO tpl_claim VALUES
	(0, 'medicare', 'facility', 'NPI-1234567893'),
	(1, 'medicare', 'facility', 'NPI-1234567893'),
	(2, 'aetna', 'facility', 'NPI-1234567893'),
	(3, 'medicare', 'professional', 'NPI-1497758544'),
	(4, 'aetna', 'facility', 'NPI-1234567893');
CREATE TEMP TABLE tpl_line (tpl int, line_no int, code text, units int, modifiers text[]) ON COMMIT DROP;
INSERT INTO tpl_line VALUES
	(0, 1, '96365', 1, '{}'), (0, 2, 'J0696', 4, '{}'),
	(1, 1, '96365', 1, '{}'), (1, 2, 'J3370', 3, '{}'),
	(2, 1, '96365', 1, '{}'), (2, 2, 'J0696', 4, '{}'),
	(3, 1, '96413', 1, '{}'), (3, 2, '96415', 2, '{}'), (3, 3, '96417', 1, '{}'),
	(3, 4, '96375', 3, '{}'), (3, 5, 'J1100', 12, '{}'), (3, 6, 'J2405', 8, '{}'),
	(3, 7, 'J1200', 1, '{}'), (3, 8, 'J9267', 315, '{}'), (3, 9, 'J9045', 9, '{}'),
	(4, 1, '96365', 1, '{}'), (4, 2, '96366', 2, '{}'), (4, 3, 'J1569', 70, '{}');
CREATE TEMP TABLE tpl_admin (tpl int, seq int, ref text, substance text, kind text,
	route text, site text, start_t time, stop_t time) ON COMMIT DROP;
INSERT INTO tpl_admin VALUES
	(0, 1, 'A1', 'ceftriaxone', 'therapeutic', 'infusion', 'L-forearm', '09:10', '09:40'),
	(1, 1, 'A1', 'vancomycin', 'therapeutic', 'infusion', 'L-forearm', '14:00', NULL),
	(2, 1, 'A1', 'ceftriaxone', 'therapeutic', 'infusion', 'L-forearm', '13:00', '13:12'),
	(3, 1, 'A1', 'dexamethasone', 'therapeutic', 'push', 'port', '09:00', NULL),
	(3, 2, 'A2', 'ondansetron', 'therapeutic', 'push', 'port', '09:05', NULL),
	(3, 3, 'A3', 'diphenhydramine', 'therapeutic', 'push', 'port', '09:10', NULL),
	(3, 4, 'A4', 'paclitaxel', 'chemotherapy', 'infusion', 'port', '09:30', '12:30'),
	(3, 5, 'A5', 'carboplatin', 'chemotherapy', 'infusion', 'port', '12:30', '13:30'),
	(4, 1, 'A1', 'immune globulin', 'therapeutic', 'infusion', 'L-forearm', '09:00', '11:20');
INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service)
SELECT g.ref, t.payer, t.setting, t.provider, g.d
  FROM gen g JOIN tpl_claim t USING (tpl) ORDER BY g.i;
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT c.id, l.line_no, l.code, l.units, l.modifiers
  FROM gen g JOIN claimscrub.claim c ON c.claim_ref = g.ref JOIN tpl_line l USING (tpl);
INSERT INTO claimscrub.administration (claim_id, seq, admin_ref, substance, kind, route,
	site, start_time, stop_time)
SELECT c.id, a.seq, a.ref, a.substance, a.kind, a.route, a.site,
       to_char(g.d + a.start_t + make_interval(hours => g.shift), 'YYYY-MM-DD\"T\"HH24:MI'),
       to_char(g.d + a.stop_t + make_interval(hours => g.shift), 'YYYY-MM-DD\"T\"HH24:MI')
  FROM gen g JOIN claimscrub.claim c ON c.claim_ref = g.ref JOIN tpl_admin a USING (tpl);
COMMIT;" -v cnt="$1" -v first="${2:-1}" >/dev/null
}

# bulk_verdicts_ok — every BULK claim has its template's verdict and rules:
# prints the offending templates and returns 1 when one does not
bulk_verdicts_ok() {
	_bad=$(psql_val "
WITH want(tpl, status, rules) AS (VALUES
	('0', 'clean', ''), ('1', 'flagged', 'missing-stop-time'),
	('2', 'flagged', 'infusion-under-16'), ('3', 'clean', ''),
	('4', 'flagged', 'additional-hour-unsupported')),
got AS (
	SELECT split_part(c.claim_ref, '-', 2) AS tpl, c.status,
	       coalesce((SELECT string_agg(f->>'rule', ' ' ORDER BY o)
	                   FROM jsonb_array_elements(c.result->'findings') WITH ORDINALITY x(f, o)), '') AS rules,
	       count(*) AS claims
	  FROM claimscrub.claim c WHERE c.claim_ref LIKE 'BULK-%'
	 GROUP BY 1, 2, 3)
SELECT format('template %s: %s claims %s [%s], want %s [%s]', g.tpl, g.claims, g.status,
              g.rules, w.status, w.rules)
  FROM got g LEFT JOIN want w USING (tpl)
 WHERE w.tpl IS NULL OR (g.status, g.rules) IS DISTINCT FROM (w.status, w.rules)")
	[ -z "$_bad" ] && return 0
	note "$_bad"
	return 1
}

# ---- checks ---------------------------------------------------------------------------
# consistency_check [LABEL] — the queue invariants, one TAP point, counts
# printed: nothing pending, every claim scrubbed at its version with a
# status equal to its result's verdict, the finding rows of that version
# are exactly result->'findings' (count, ordinal, rule, message), no
# unresolved finding of an older version, no duplicate (claim, version,
# ordinal).  One exception, counted apart ("stored without their finding
# row"): a claim whose results could not be written even alone and whose
# invalid-data finding could not be stored either (daemon/queue.c,
# mark_bare) is invalid with no finding row at its version, and its result
# says so: exactly one finding, invalid-data, with the reason
# "writing its results failed: ...; storing this finding failed too: ...".
# Sets c_claims, c_lost, c_dup and c_bare for the caller.
consistency_check() {
	_cc_label=${1:-}
	_r=$(psql_val "
WITH f AS (
	SELECT c.id,
	       count(fd.id) AS rows_now,
	       count(fd.id) FILTER (WHERE fd.ordinal < 0
	           OR fd.ordinal >= jsonb_array_length(c.result->'findings')
	           OR fd.rule IS DISTINCT FROM c.result->'findings'->fd.ordinal->>'rule'
	           OR fd.message IS DISTINCT FROM c.result->'findings'->fd.ordinal->>'message') AS wrong
	  FROM claimscrub.claim c
	  LEFT JOIN claimscrub.finding fd ON fd.claim_id = c.id AND fd.claim_version = c.version
	 GROUP BY c.id),
bare AS (
	SELECT c.id FROM claimscrub.claim c JOIN f USING (id)
	 WHERE c.status = 'invalid' AND f.rows_now = 0
	   AND jsonb_array_length(c.result->'findings') = 1
	   AND c.result->'findings'->0->>'rule' = 'invalid-data'
	   AND c.result->'findings'->0->'evidence'->>'reason'
	       LIKE 'writing its results failed: %; storing this finding failed too: %')
SELECT count(*),
       count(*) FILTER (WHERE c.status = 'pending'),
       count(*) FILTER (WHERE c.scrubbed_version IS DISTINCT FROM c.version),
       count(*) FILTER (WHERE c.result IS NULL OR c.status IS DISTINCT FROM c.result->>'verdict'
                        OR c.result->>'claim' IS DISTINCT FROM c.claim_ref),
       count(*) FILTER (WHERE f.rows_now < coalesce(jsonb_array_length(c.result->'findings'), 0)
                        AND c.id NOT IN (SELECT id FROM bare)),
       count(*) FILTER (WHERE f.rows_now > coalesce(jsonb_array_length(c.result->'findings'), 0)),
       count(*) FILTER (WHERE f.wrong > 0),
       (SELECT count(*) FROM claimscrub.finding o JOIN claimscrub.claim oc ON oc.id = o.claim_id
         WHERE o.claim_version <> oc.version AND o.resolution IS NULL),
       (SELECT count(*) FROM (SELECT 1 FROM claimscrub.finding
                               GROUP BY claim_id, claim_version, ordinal HAVING count(*) > 1) d),
       (SELECT count(*) FROM claimscrub.finding),
       (SELECT count(*) FROM bare)
  FROM claimscrub.claim c JOIN f USING (id)" -F ' ')
	# shellcheck disable=SC2086
	set -- $_r
	if [ $# -ne 11 ]; then
		not_ok "consistency${_cc_label:+ ($_cc_label)}: query failed" "$_r"
		return 1
	fi
	c_claims=$1 c_lost=$(($2 + $3)) c_dup=$(($6 + $9)) c_bare=${11}
	_msg="claims $1, pending $2, not scrubbed at its version $3, status/result mismatch $4, missing finding rows $5, extra finding rows $6, finding rows not matching result $7, stale unresolved findings $8, duplicate (claim, version, ordinal) $9, finding rows ${10}"
	[ "${11}" -gt 0 ] && _msg="$_msg, invalid and stored without their finding row ${11}"
	if [ "$1" -gt 0 ] && [ "$2$3$4$5$6$7$8$9" = 00000000 ]; then
		ok "consistency${_cc_label:+ ($_cc_label)}: $_msg"
	else
		not_ok "consistency${_cc_label:+ ($_cc_label)}" "$_msg"
	fi
}

# claim_docs SQL_WHERE FILE — writes the claim documents (JSON, one per
# document, separated by ---) rebuilt from the rows of the claims selected
# by SQL_WHERE (on claimscrub.claim c), ordered by claim_ref
claim_docs() {
	psql_val "
SELECT jsonb_strip_nulls(jsonb_build_object(
	'claim', c.claim_ref, 'payer', c.payer, 'setting', c.setting,
	'provider', c.provider, 'date_of_service', c.date_of_service::text,
	'encounter', c.encounter,
	'lines', (SELECT jsonb_agg(jsonb_build_object('code', l.code, 'units', l.units,
	                 'modifiers', to_jsonb(coalesce(l.modifiers, '{}'))) ORDER BY l.line_no)
	            FROM claimscrub.claim_line l WHERE l.claim_id = c.id),
	'administrations', (SELECT jsonb_agg(jsonb_build_object('id', a.admin_ref,
	                 'substance', a.substance, 'kind', a.kind, 'route', a.route,
	                 'site', a.site, 'start', a.start_time, 'stop', a.stop_time,
	                 'primary', a.is_primary,
	                 'separate_site_required', a.separate_site_required) ORDER BY a.seq)
	            FROM claimscrub.administration a WHERE a.claim_id = c.id)))::text
  FROM claimscrub.claim c WHERE $1 ORDER BY c.claim_ref" | sed '1!s/^/---\n/' >"$2"
}

# jsonl_array IN OUT — JSON Lines to one JSON array
jsonl_array() { { echo '['; sed '$!s/$/,/' "$1"; echo ']'; } >"$2"; }

# verify_results SQL_WHERE LABEL [RULES-DIR...] — one TAP point: the results
# of the selected claims equal what `claimscrub check --format json` prints
# for the same claims rebuilt as documents from their rows
verify_results() {
	_where=$1 _label=$2; shift 2
	claim_docs "$_where" "$T/verify.docs" || { not_ok "$_label: cannot read claims"; return 1; }
	_rules=""
	[ $# -eq 0 ] && set -- "$src/rules.d"
	for d in "$@"; do _rules="$_rules --rules $d"; done
	# shellcheck disable=SC2086
	timeout 120 "$CLAIMSCRUB" check --format json $_rules "$T/verify.docs" \
		</dev/null >"$T/verify.jsonl" 2>"$T/verify.err"
	jsonl_array "$T/verify.jsonl" "$T/verify.json"
	_out=$(psql_val "
\\set exp \`cat '$T/verify.json'\`
SELECT count(*), count(*) FILTER (WHERE c.result = e),
       string_agg(CASE WHEN c.result IS DISTINCT FROM e THEN e->>'claim' END, ' ')
  FROM jsonb_array_elements(:'exp'::jsonb) AS x(e)
  LEFT JOIN claimscrub.claim c ON c.claim_ref = e->>'claim'")
	_got=${_out%%|*} _rest=${_out#*|}
	_eq=${_rest%%|*} _differ=${_rest#*|}
	_want=$(($(grep -c '^---' "$T/verify.docs") + 1))
	if [ "$_got" = "$_want" ] && [ "$_eq" = "$_want" ]; then
		ok "$_label: $_got results equal claimscrub check's"
	else
		not_ok "$_label: results equal claimscrub check's" \
			"claims $_want, check printed ${_got:-?}, equal ${_eq:-?}; differ: $(printf '%s' "$_differ" | cut -c 1-300)" \
			"$(head -c 300 "$T/verify.err")"
	fi
}

# ---- fault tests (tests/pg/fault-*.sh) ------------------------------------------
# pg_stop / pg_start — stop the server (-m fast: every connection dropped)
# and start it again with the same options
pg_stop() {
	as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -w -t 60 -m fast stop \
		</dev/null >>"$T/pg/restart.log" 2>&1
}
pg_start() {
	as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -l "$T/pg/server.log" -w -t 60 -o "$pg_opts" start \
		</dev/null >>"$T/pg/restart.log" 2>&1
}

# sanitized — true when the daemon is built with AddressSanitizer
sanitized() { grep -q __asan_init "$CLAIMSCRUBD" 2>/dev/null; }

# audit_install — records every write of a claim's result (status, result,
# scrubbed_at) in public.fault_scrubs, by the statement that made it: a
# test-only trigger, so "scrubbed exactly once per version" is counted by
# the database, not taken from the daemons' logs (a daemon killed right
# after its COMMIT never logs its batch); `attempts` is the claim's count
# of attempts when its result was written: the batches of it that died
# before (0 when the first one wrote it); `xid` the writing transaction
audit_install() {
	psql_val "
CREATE TABLE public.fault_scrubs (claim_id bigint NOT NULL, version integer,
	status text, attempts integer, at timestamptz NOT NULL DEFAULT clock_timestamp(),
	xid bigint NOT NULL DEFAULT txid_current());
CREATE FUNCTION public.fault_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS \$\$
BEGIN
	INSERT INTO public.fault_scrubs (claim_id, version, status, attempts)
	SELECT n.id, n.scrubbed_version, n.status, o.attempts
	  FROM new_rows n JOIN old_rows o ON o.id = n.id
	 WHERE n.scrubbed_at IS DISTINCT FROM o.scrubbed_at;
	RETURN NULL;
END \$\$;
CREATE TRIGGER fault_audit AFTER UPDATE ON claimscrub.claim
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION public.fault_audit();" >/dev/null
}

# audit_check [LABEL] — one TAP point from public.fault_scrubs: every claim
# was scrubbed at its current version, and no (claim, version) was written
# twice.  Sets a_lost, a_dup and a_scrubs (result writes in all).
audit_check() {
	_r=$(psql_val "
WITH s AS (SELECT claim_id, version, count(*) AS n FROM public.fault_scrubs GROUP BY 1, 2)
SELECT count(*) FILTER (WHERE s.n IS NULL),
       (SELECT count(*) FROM s WHERE s.n > 1),
       (SELECT count(*) FROM public.fault_scrubs),
       (SELECT count(*) FROM s)
  FROM claimscrub.claim c LEFT JOIN s ON s.claim_id = c.id AND s.version = c.version" -F ' ')
	# shellcheck disable=SC2086
	set -- $_r
	if [ $# -ne 4 ]; then
		not_ok "scrubbed exactly once per version${1:+ ($1)}: query failed" "$_r"
		a_lost=1 a_dup=1 a_scrubs=0
		return 1
	fi
	a_lost=$1 a_dup=$2 a_scrubs=$3
	_msg="result writes $3 for $4 (claim, version) pairs; claims never written at their version $1, versions written twice $2"
	if [ "$1$2" = 00 ]; then ok "scrubbed exactly once per version: $_msg"; else
		not_ok "scrubbed exactly once per version" "$_msg" \
			"$(psql_val "SELECT claim_id, version, count(*) FROM public.fault_scrubs GROUP BY 1, 2 HAVING count(*) > 1 LIMIT 5")"
	fi
}

# fault_summary SCENARIO FAULTS — the summary line of a fault scenario, from
# the last consistency_check and audit_check: lost and duplicated add both
fault_summary() {
	echo "# $1: faults injected $2, claims ${c_claims:-?}, lost $((${c_lost:-1} + ${a_lost:-1})), duplicated $((${c_dup:-1} + ${a_dup:-1}))"
}

# invalid_claims — how many claims are invalid, and a few with their reasons
invalid_claims() {
	psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'invalid'"
}
invalid_sample() {
	psql_val "SELECT claim_ref || ' (attempts ' || attempts || '): ' || left(result->'findings'->0->>'message', 160)
	            FROM claimscrub.claim WHERE status = 'invalid' ORDER BY id LIMIT 3"
}
