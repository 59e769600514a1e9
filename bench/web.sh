#!/bin/sh
# bench/web.sh [FINDINGS] — the reviewers' workbench (claimscrub-web) over
# FINDINGS finding rows (default 1,000,000; e.g. 100000 for a quick run),
# against floors measured in the same run:
#
#   data        FINDINGS / 2 flagged claims straight into the tables, as
#               bench/workflow.sh makes them (2 lines, 1 administration, an
#               error finding of one of 8 rules and a drug-line-missing
#               warning), over 30 payers, 2,000 providers and 300 days as
#               bench/report.sh; fees for both codes in both profiles; their
#               work items by work_sync() (opened over the last 60 days)
#   people      the workbench's login cs_web (NOINHERIT) granted
#               BENCH_WEB_CLIENTS (default 50) reviewers rev01.. who sign in
#               with a password (scram-sha-256 for them in pg_hba.conf, as
#               tests/pg/web-setup.sh), each signed in once with curl
#   pages       one client, BENCH_WEB_N (default 50) requests of each page,
#               the server time of each being curl's time_starttransfer on
#               loopback: the work list (GET /), filtered by a rule, sorted
#               by age, a deep page (offset 10,000: nothing links to pages,
#               the function takes any offset), the buckets' page of every
#               open item (/buckets), the dashboard (the first view of the
#               unfiltered one, made ahead at start; of a payer's and of a
#               month's, which run the report; then its kept report) and a
#               claim page (a different flagged claim each time)
#   floor       the page's statements as the workbench sends them (its role
#               and timeout, the list or claim_detail, the reasons, the
#               saved views; the buckets: one pipeline, one implicit
#               transaction, web/worklist.c's and web/claim.c's SQL) by pgbench
#               -M extended as reviewer rev01, per-transaction latencies
#               (-l); and the list's work_list() / work_buckets(), or
#               claim_detail(), alone.  The workbench's requests and the
#               floors' transactions are taken in turn, 10 at a time (each
#               block after one unmeasured), so that other work on the
#               machine weighs on both alike
#   load        BENCH_WEB_CLIENTS concurrent reviewers: wrk -t2 -c50 -d20s
#               (BENCH_WEB_DURATION), each request with one of the
#               reviewers' session cookies, a third each of the work list,
#               the list filtered by one of the 8 rules and a claim page
#               (1,000 claims), with the database's time per statement
#               from pg_stat_statements
#
# The issue's targets: every page < 100 ms server time at 1,000,000
# findings (judged on the median of the single-client run; its p99 shown
# beside) and 50 concurrent reviewers with p99 < 250 ms (wrk counts only
# the requests answered within the run).  At 1,000,000 findings the work
# list pages take seconds each: BENCH_WEB_N=20 keeps the run near 7
# minutes on 2 cores (the default 50, about 16).  Progress on stderr,
# markdown tables on stdout.  Run it in a build directory (as make bench
# does) or set CLAIMSCRUB, CLAIMSCRUBD, CLAIMSCRUB_WEB and
# CLAIMSCRUB_SRCDIR; BENCH_WEB_DB_CONNECTIONS sets the workbench's
# db_connections (default 4, the shipped default).  Needs curl, pgbench
# and wrk (Debian: apt-get install wrk).
set -eu
nf=${1:-1000000}
case $nf in '' | *[!0-9]*) echo "usage: web.sh [FINDINGS]" >&2; exit 2 ;; esac
[ "$nf" -ge 20200 ] || { echo "web.sh: at least 20200 findings (the deep page is offset 10,000)" >&2; exit 2; }
d=$(dirname "$0")
. "$d/lib.sh"
: "${CLAIMSCRUB_WEB:=web/claimscrub-web}"
[ -x "$CLAIMSCRUB_WEB" ] || { echo "web.sh: no workbench at $CLAIMSCRUB_WEB (run make, or set CLAIMSCRUB_WEB)" >&2; exit 2; }
CLAIMSCRUB_WEB=$(cd "$(dirname "$CLAIMSCRUB_WEB")" && pwd)/$(basename "$CLAIMSCRUB_WEB")
command -v curl >/dev/null || { echo "web.sh: curl is missing (Debian: apt-get install curl)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "web.sh: wrk is missing (Debian: apt-get install wrk)" >&2; exit 2; }
[ -x "$PG_BINDIR/pgbench" ] || { echo "web.sh: no $PG_BINDIR/pgbench (set PG_BINDIR)" >&2; exit 2; }
n=$((nf / 2))
clients=${BENCH_WEB_CLIENTS:-50}
reqs=${BENCH_WEB_N:-50}
dur=${BENCH_WEB_DURATION:-20}
dbconns=${BENCH_WEB_DB_CONNECTIONS:-4}
pw='bench-Reviewer-1'
rules="infusion-under-16 duplicate-initial iv-start-bundled hydration-concurrent missing-stop-time addon-without-primary nurse-visit-bundled additional-hour-unsupported"
rule=iv-start-bundled

web_pid=""
cleanup() {
	if [ -n "$web_pid" ]; then
		kill "$web_pid" 2>/dev/null || :
		wait "$web_pid" 2>/dev/null || :
	fi
	bench_pg_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "web.sh: $*" >&2; }
now() { date +%s.%N; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.1f", e - s }'; }
load0=$(cut -d' ' -f1-3 /proc/loadavg)
bench_pg_start

# ---- the data ----------------------------------------------------------------------------------
say "$n flagged claims, $nf findings ..."
t0=$(now)
psql_q -v n="$n" <<'SQL'
BEGIN;
SET LOCAL claimscrub.submitting = 'on';
INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service,
	status, version, scrubbed_at, scrubbed_version, rules_version, result)
SELECT 'W-' || i, 'payer-' || lpad((i % 30)::text, 2, '0'), 'facility',
       'NPI-' || (1000000000 + (i::bigint * 7919) % 2000), date '2026-01-01' + (i * 31) % 300,
       'flagged', 1, now(), 1, 'bench',
       jsonb_build_object('claim', 'W-' || i, 'verdict', 'flagged',
	       'profile', CASE WHEN i % 3 = 0 THEN 'medicare' ELSE 'default' END,
	       'expected', jsonb_build_array(jsonb_build_object('code', '96365', 'units', 1,
			'modifiers', '[]'::jsonb, 'administrations', jsonb_build_array('A1')),
		       jsonb_build_object('code', '96366', 'units', 1,
			'modifiers', '[]'::jsonb, 'administrations', jsonb_build_array('A1'))),
	       'findings', '[]'::jsonb, 'unchecked', '[]'::jsonb)
  FROM generate_series(1, :n) i;
-- line 2's units 1-4, and the error on line 1 or 2: amounts at risk vary
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT c.id, l, (ARRAY['96365', '96366'])[l], CASE l WHEN 1 THEN 1 ELSE 1 + c.id % 4 END, '{}'
  FROM claimscrub.claim c, generate_series(1, 2) l;
INSERT INTO claimscrub.administration (claim_id, seq, admin_ref, substance, kind, route,
	site, start_time, stop_time)
SELECT c.id, 1, 'A1', 'vancomycin', 'therapeutic', 'infusion', 'R-forearm',
       '2026-03-14T10:00', '2026-03-14T12:10'
  FROM claimscrub.claim c;
INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule, severity, line_no,
	message, evidence)
SELECT c.id, 1, k - 1,
       CASE k WHEN 1 THEN (ARRAY['infusion-under-16', 'duplicate-initial', 'iv-start-bundled',
				'hydration-concurrent', 'missing-stop-time', 'addon-without-primary',
				'nurse-visit-bundled', 'additional-hour-unsupported'])[1 + c.id % 8]
	      ELSE 'drug-line-missing' END,
       CASE k WHEN 1 THEN 'error' ELSE 'warning' END,
       CASE WHEN (k = 1) = (c.id / 8 % 2 = 0) THEN 1 ELSE 2 END,
       rpad('finding ' || c.id, 80, '.'), jsonb_build_object('minutes', c.id % 90)
  FROM claimscrub.claim c, generate_series(1, 2) k;
INSERT INTO claimscrub.fee (profile, code, amount) VALUES
	('default', '96365', 190.00), ('default', '96366', 45.00),
	('medicare', '96365', 172.00), ('medicare', '96366', 38.00);
COMMIT;
SQL
t1=$(now)
# (a statement a chunk, as bench/workflow.sh: one for all would keep the
# plan of its first call, made while work_item was empty)
psql_q -v n="$n" >/dev/null <<'SQL'
ANALYZE;
SELECT format('SELECT claimscrub.work_sync(ARRAY(SELECT id FROM claimscrub.claim
	WHERE id BETWEEN %s AND %s))', g, g + 9999) FROM generate_series(1, :n, 10000) g
\gexec
UPDATE claimscrub.work_item SET opened_at = opened_at - make_interval(days => (claim_id * 13 % 60)::int,
	mins => (claim_id * 7 % 1440)::int);
SQL
t2=$(now)
psql_q -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
echo "$(psql_q -c "SELECT (SELECT count(*) FROM claimscrub.finding) || ' findings, '
	|| (SELECT count(*) FROM claimscrub.claim) || ' flagged claims, '
	|| (SELECT count(*) FROM claimscrub.work_item) || ' work items ('
	|| (SELECT count(DISTINCT payer) FROM claimscrub.work_item) || ' payers, '
	|| (SELECT count(DISTINCT provider) FROM claimscrub.work_item) || ' providers, '
	|| (SELECT count(DISTINCT rule) FROM claimscrub.finding) || ' rules)'"); rows in" \
	"$(secs "$t0" "$t1") s, work items in $(secs "$t1" "$t2") s"

# ---- the people ----------------------------------------------------------------------------------
revs="" sql="CREATE ROLE cs_web LOGIN NOINHERIT;"
i=1
while [ $i -le "$clients" ]; do
	r=rev$(printf '%02d' $i)
	revs="$revs${revs:+,}$r"
	sql="$sql CREATE ROLE $r LOGIN PASSWORD '$pw' IN ROLE claimscrub_reviewer; GRANT $r TO cs_web;"
	i=$((i + 1))
done
psql_q -c "$sql" >/dev/null
as_pg sh -c 'f=$1/pg_hba.conf; { echo "local all $2 scram-sha-256"; cat "$f"; } >"$f.new" && mv "$f.new" "$f"' \
	sh "$B/pg/data" "$revs"
[ "$(psql_q -c "SELECT pg_reload_conf()")" = t ]

# ---- the workbench -------------------------------------------------------------------------------
port=$((20000 + $$ % 20000))
while grep -q ":$(printf '%04X' "$port") " /proc/net/tcp /proc/net/tcp6 2>/dev/null; do port=$((port + 1)); done
base=http://127.0.0.1:$port
printf 'database: "host=%s port=%s dbname=%s user=cs_web"\nlisten: 127.0.0.1\nport: %s\ndb_connections: %s\nlog_level: info\n' \
	"$PGHOST" "$PGPORT" "$PGDATABASE" "$port" "$dbconns" >"$B/web.yaml"
"$CLAIMSCRUB_WEB" -c "$B/web.yaml" 2>"$B/web.log" &
web_pid=$!
i=0
until curl -s -o /dev/null --max-time 2 "$base/login" && grep -q 'event=connected' "$B/web.log"; do
	i=$((i + 1))
	kill -0 "$web_pid" 2>/dev/null && [ $i -lt 300 ] || { tail "$B/web.log" >&2; say "claimscrub-web did not start"; exit 1; }
	sleep 0.2
done

# signin ROLE — a session for ROLE through the sign-in form; prints its cookie
signin() {
	_j=$B/jar.$1
	curl -s -c "$_j" -b "$_j" -o "$B/login.html" "$base/login"
	_t=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$B/login.html" | head -n 1 | sed 's/.*value="//; s/"//')
	_c=$(curl -s -o /dev/null -w '%{http_code}' -c "$_j" -b "$_j" --data-urlencode "csrf=$_t" \
		--data-urlencode "user=$1" --data-urlencode "password=$pw" "$base/login")
	[ "$_c" = 303 ] || { tail "$B/web.log" >&2; say "sign-in of $1: HTTP $_c"; return 1; }
	awk '$6 == "claimscrub_session" { print "claimscrub_session=" $7 }' "$_j"
}
i=1
: >"$B/cookies"
while [ $i -le "$clients" ]; do
	signin "rev$(printf '%02d' $i)" >>"$B/cookies"
	i=$((i + 1))
done
cookie=$(head -n 1 "$B/cookies")
[ "$(wc -l <"$B/cookies")" -eq "$clients" ]

# ---- measuring -----------------------------------------------------------------------------------
# The workbench's requests and the floors' transactions are taken in turn,
# in blocks of 10, so that other work on the machine weighs on both alike.
#
# stats FILE — "median p99" (nearest rank) of the numbers of FILE's first column
stats() { sort -g "$1" | awk '{ v[NR] = $1 } END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	r = int(NR * 0.99); if (r < NR * 0.99) r++
	printf "%.1f %.1f", m, v[r] }'; }
# web OUT PATH... — GETs each PATH in turn on one connection as rev01 (the
# first once more before, unmeasured); appends "ms bytes" lines to OUT, the
# ms being curl's time_starttransfer
web() {
	_o=$1; shift
	: >"$B/curl.cfg"
	for _p in "$1" "$@"; do
		printf 'url = "%s%s"\noutput = "/dev/null"\n' "$base" "$_p" >>"$B/curl.cfg"
	done
	curl -s -K "$B/curl.cfg" -b "$cookie" -w '%{http_code} %{time_starttransfer} %{size_download}\n' >"$B/curl.out"
	_bad=$(awk '$1 != 200' "$B/curl.out" | wc -l)
	[ "$_bad" -eq 0 ] || { head -n 3 "$B/curl.out" >&2; tail "$B/web.log" >&2; say "$1: $_bad answers not 200"; exit 1; }
	sed 1d "$B/curl.out" | awk '{ print $2 * 1000, $3 }' >>"$_o"
}
# script NAME STATEMENT... — a pgbench script: the statements in one
# pipeline (one implicit transaction, as the workbench sends them) after
# the workbench's role and timeout; :j a random claim number
script() {
	_f=$B/floor.$1.sql; shift
	{
		printf '%s\n' '\set j random(1, '"$n"')'
		printf '%s\n' '\startpipeline'
		echo "SELECT set_config('role', 'rev01', true), set_config('statement_timeout', '10s', true);"
		for _s in "$@"; do echo "$_s;"; done
		printf '%s\n' '\endpipeline'
	} >"$_f"
}
# floor OUT K NAME — script NAME K times as reviewer rev01 (pgbench -M
# extended, once more before, unmeasured); appends the latencies in ms to OUT
floor() {
	rm -f "$B"/pgb.*
	(cd "$B" && PGUSER=rev01 PGPASSWORD=$pw "$PG_BINDIR/pgbench" -n -M extended -t $(($2 + 1)) \
		-l --log-prefix=pgb -f "$B/floor.$3.sql" >"$B/pgbench.out" 2>&1) ||
		{ cat "$B/pgbench.out" >&2; say "pgbench of floor.$3.sql failed"; exit 1; }
	awk '$2 >= 1 { print $3 / 1000 }' "$B"/pgb.* >>"$1"
}
# measure SCRIPT... — the paths of $B/paths ($reqs) through the workbench
# into $B/s.web, and each SCRIPT as many times into $B/s.SCRIPT, in turn
measure() {
	rm -f "$B"/s.*
	_i=0
	while [ $_i -lt "$reqs" ]; do
		_k=$((reqs - _i))
		[ $_k -le 10 ] || _k=10
		web "$B/s.web" $(sed -n "$((_i + 1)),$((_i + _k))p" "$B/paths")
		for _f; do floor "$B/s.$_f" $_k "$_f"; done
		_i=$((_i + _k))
	done
}
# row LABEL SHOWN ALONE BUCKETS — the results of measure, a line of $res
row() {
	echo "$1|$2|$(stats "$B/s.web" | tr ' ' '|')|$(awk '{ s += $2 } END { printf "%.0f", s / NR }' "$B/s.web")|$(stats "$B/s.page" | tr ' ' '|')|$3|$4" >>"$res"
}
median() { stats "$1" | cut -d' ' -f1; }
LIST="SELECT claim_ref, state, coalesce(assignee, ''), coalesce(severity, ''),
	array_to_string(rules, ' '), open_findings, findings, coalesce(amount_at_risk::text, ''),
	coalesce(date_of_service::text, ''), coalesce(payer, ''), coalesce(provider, ''),
	to_char(opened_at, 'YYYY-MM-DD') FROM claimscrub.work_list"
REASONS="SELECT code, description FROM claimscrub.reason ORDER BY code"
BUCKETS="SELECT dimension, key, items, coalesce(amount_at_risk::text, '') FROM claimscrub.work_buckets"
VIEWS="SELECT owner, name, query, shared FROM claimscrub.views()"
DETAIL="SELECT claimscrub.claim_detail('W-' || :j::text)::text"

# refs K SEED — K distinct flagged claims at random
refs() { awk -v n="$n" -v k="$1" -v seed="$2" 'BEGIN { srand(seed); while (c < k) {
	i = 1 + int(rand() * n); if (!(i in s)) { s[i] = 1; c++; print "W-" i } } }'; }
res=$B/pages.md
: >"$res"
# page LABEL PATH RULE SORT OFFSET — a list page against its floors
# (work_list's arguments as the workbench passes them)
page() {
	_l=$1 _p=$2 _sort=$4 _off=$5
	if [ -n "$3" ]; then _a="NULL, '$3'"; else _a="NULL, NULL"; fi
	_a="$_a, NULL, NULL, NULL, NULL, NULL::integer, NULL::numeric"
	say "$_l ..."
	script page "$LIST($_a, '$_sort', 50, $_off, NULL::date, NULL::date)" "$REASONS" "$VIEWS"
	script list "$LIST($_a, '$_sort', 50, $_off, NULL::date, NULL::date)"
	# (the buckets do not depend on the sort or the offset: once a filter)
	_key=$(printf '%s' "$_a" | cksum | cut -d' ' -f1) _b=""
	[ -f "$B/buckets.$_key" ] || { script buckets "$BUCKETS($_a, NULL::date, NULL::date)"; _b=buckets; }
	: >"$B/paths"
	_i=0
	while [ $_i -lt "$reqs" ]; do echo "$_p" >>"$B/paths"; _i=$((_i + 1)); done
	measure page list $_b
	[ -z "$_b" ] || median "$B/s.buckets" >"$B/buckets.$_key"
	row "$_l" "\`$_p\`" "$(median "$B/s.list")" "$(cat "$B/buckets.$_key")"
}
say "pages, one client, $reqs requests each ..."
page "work list" "/" "" amount 0
page "filtered by rule" "/?rule=$rule" "$rule" amount 0
page "sorted by age" "/?sort=age" "" age 0
page "deep page" "/?offset=10000" "" amount 10000
say "the buckets' page ..."
_all="NULL, NULL, NULL, NULL, NULL, NULL, NULL::integer, NULL::numeric, NULL::date, NULL::date"
script page "$BUCKETS($_all)"
script list "$BUCKETS($_all)"
: >"$B/paths"
_i=0
while [ $_i -lt "$reqs" ]; do echo "/buckets" >>"$B/paths"; _i=$((_i + 1)); done
measure page list
row "buckets of every open item" "\`/buckets\`" "–" "$(median "$B/s.list")"
say "the dashboard ..."
# the first view of the unfiltered one: made ahead at start
# (dashboard_warm_seconds, default 300; the pages above took minutes);
# of a payer's and of a month's: no report kept, the report's queries run
# (seconds); then the pages drawn from the kept report
# (dashboard_max_age_seconds, default 60)
first() { curl -s -o /dev/null -b "$cookie" -w '%{time_starttransfer}' "$base$1" | awk '{ printf "%.0f", $1 * 1000 }'; }
dash_warm=$(first /dashboard)
dash_payer=$(first "/dashboard?payer=payer-07")
dash_month=$(first "/dashboard?since=2026-03-01&until=2026-03-31")
: >"$B/paths"
_i=0
while [ $_i -lt "$reqs" ]; do echo "/dashboard" >>"$B/paths"; _i=$((_i + 1)); done
rm -f "$B"/s.*
web "$B/s.web" $(cat "$B/paths")
echo "dashboard (its kept report)|\`/dashboard\`|$(stats "$B/s.web" | tr ' ' '|')|$(awk '{ s += $2 } END { printf "%.0f", s / NR }' "$B/s.web")|–|–|–|–" >>"$res"
say "claim pages ..."
script page "$DETAIL" "$REASONS"
script detail "$DETAIL"
refs "$reqs" 7 | sed 's|^|/claim/|' >"$B/paths"
measure page detail
row "claim page ($reqs flagged claims)" "\`/claim/W-…\`" "$(median "$B/s.detail")" "–"

# ---- load ------------------------------------------------------------------------------------------
say "load: $clients reviewers, wrk -t2 -c$clients -d${dur}s ..."
{
	echo "-- written by bench/web.sh: $clients reviewers' sessions in turn; a third"
	echo "-- each of the work list, the list filtered by a rule, a claim page"
	printf 'local cookies = {'; sed 's/.*/"&",/' "$B/cookies" | tr -d '\n'; echo '}'
	printf 'local rules = {'; for r in $rules; do printf '"%s",' "$r"; done; echo '}'
	printf 'local refs = {'; refs 1000 11 | sed 's/.*/"&",/' | tr -d '\n'; echo '}'
	cat <<'LUA'
local threads = {}
local n = 0
bad = 0
function setup(thread)
	thread:set("id", #threads)
	table.insert(threads, thread)
end
function init(args)
	n = id * 7
	math.randomseed(id + 1)
end
function request()
	n = n + 1
	local k, path = n % 3
	if k == 0 then
		path = "/"
	elseif k == 1 then
		path = "/?rule=" .. rules[1 + math.floor(n / 3) % #rules]
	else
		path = "/claim/" .. refs[math.random(#refs)]
	end
	return wrk.format("GET", path, { ["Cookie"] = cookies[1 + n % #cookies] })
end
function response(status, headers, body)
	if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
	local b = 0
	for _, t in ipairs(threads) do b = b + t:get("bad") end
	local e = summary.errors
	io.write(string.format("RESULT %d %.1f %.1f %.1f %.1f %.1f %d %d\n", summary.requests,
		summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
		latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000, b,
		e.connect + e.read + e.write + e.timeout))
end
LUA
} >"$B/load.lua"
psql_q -c "SELECT pg_stat_statements_reset()" >/dev/null
wrk -t2 -c"$clients" -d"${dur}s" --timeout 30s -s "$B/load.lua" "$base/" >"$B/wrk.out" 2>&1 ||
	{ cat "$B/wrk.out" >&2; say "wrk failed"; exit 1; }
set -- $(sed -n 's/^RESULT //p' "$B/wrk.out")
[ $# -eq 8 ] || { cat "$B/wrk.out" >&2; say "no result from wrk"; exit 1; }
load_req=$1 load_rps=$2 load_p50=$3 load_p99=$4 load_max=$5 load_mean=$6 load_bad=$7 load_err=$8
# (one row per statement and role: the workbench runs each as the person)
psql_q -F '|' -c "SELECT s, sum(calls), round(sum(total_exec_time)::numeric / 1000, 1),
	round((sum(total_exec_time) / sum(calls))::numeric, 1), round(max(max_exec_time)::numeric, 1)
	FROM (SELECT CASE WHEN query LIKE '%work_list%' THEN 'work_list() (the list)'
		WHEN query LIKE '%work_buckets%' THEN 'work_buckets() (the list''s buckets)'
		WHEN query LIKE '%claim_detail%' THEN 'claim_detail() (the claim page)'
		WHEN query LIKE '%claimscrub.reason%' THEN 'the reasons (every page)'
		WHEN query LIKE '%claimscrub.views()%' THEN 'views() (the list''s saved views)'
		WHEN query LIKE '%set_config(%' THEN 'set_config role (every page)'
		ELSE left(regexp_replace(query, '\s+', ' ', 'g'), 40) END AS s, *
	FROM pg_stat_statements) x GROUP BY s HAVING sum(calls) >= 10 ORDER BY 3 DESC LIMIT 6" >"$B/pgss"

# ---- the report ------------------------------------------------------------------------------------
echo
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $("$PG_BINDIR/postgres" --version);"
echo "load average $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1, 5, 15 min)."
echo
echo "claimscrub-web ($dbconns database connections); one client (curl, time_starttransfer), $reqs requests a page;"
echo "floor: the page's statements in one pipeline as the same reviewer (pgbench -M extended), as many"
echo "transactions; the two taken in turn, 10 at a time:"
echo
echo "| page | path | server median ms | p99 ms | bytes | floor median ms (page's SQL) | floor p99 ms | work_list() / claim_detail() alone, median ms | work_buckets() alone, median ms | workbench adds, median ms |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9,
	$6 == "–" ? "–" : sprintf("%.1f", $3 - $6) }' "$res"
echo
echo "The dashboard's first views: the unfiltered one, made ahead at start, $dash_warm ms; with no"
echo "report kept, which runs the report's queries: one payer's $dash_payer ms, one month's $dash_month ms."
echo "Its pages after are drawn from the kept report (the row above); one older than"
echo "dashboard_max_age_seconds (60) is drawn and refreshed in the background."
echo
echo "Load: $clients reviewers (a session each), wrk -t2 -c$clients -d${dur}s on the same machine, requests in turn:"
echo "the work list, the list filtered by one of 8 rules, a claim page (1,000 claims at random):"
echo
echo "| requests | requests/s | p50 ms | p99 ms | max ms | mean ms | not 200 | socket errors |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
echo "| $load_req | $load_rps | $load_p50 | $load_p99 | $load_max | $load_mean | $load_bad | $load_err |"
echo
echo "The database during the load (pg_stat_statements, top-level statements):"
echo
echo "| statement | calls | total s | mean ms | max ms |"
echo "| --- | ---: | ---: | ---: | ---: |"
awk -F'|' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$B/pgss"
echo
scale=""
[ "$nf" -eq 1000000 ] || scale=" (measured at $nf findings; the target is for 1,000,000)"
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "PASS" : "MISS" }'; }
echo "| target$scale | measured | |"
echo "| --- | ---: | --- |"
while IFS='|' read -r l p med p99 rest; do
	echo "| $l < 100 ms server time (median; p99 $p99 ms) | $med ms | $(verdict "$med" 100) |"
done <"$res"
echo "| $clients concurrent reviewers: p99 < 250 ms | $load_p99 ms | $(verdict "$load_p99" 250) |"
[ "$load_bad" -eq 0 ] && [ "$load_err" -eq 0 ] || say "the load had $load_bad answers not 200 and $load_err socket errors"
