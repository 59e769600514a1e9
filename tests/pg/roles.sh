#!/bin/sh
# roles.sh — the least-privilege roles of sql/api/010_roles.sql and
# 090_privileges.sql: login users d1
# (claimscrub_daemon), r1 (claimscrub_reviewer), s1
# (claimscrub_submitter) and b1 (claimscrub_reader), none a superuser.  The daemon runs as d1 and
# drains the queue with consistent results; each thing a role must not do
# is one test point that fails with "permission denied" (and row-level
# security keeps resolved findings out of d1's DELETE).  A reviewer with a
# leaky function of its own in pg_temp reads no hidden row through the
# views (security_barrier), and without a grant by name cannot create one
# at all (PUBLIC has no TEMPORARY: issue 14, item 5).  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

db_as() { printf 'host=%s port=%s dbname=%s user=%s' "$PGHOST" "$PGPORT" "$PGDATABASE" "$1"; }

# as ROLE SQL [PSQL-ARG...] — runs SQL as ROLE, output and errors together
as() { _role=$1 _sql=$2; shift 2; psql_val "$_sql" -U "$_role" "$@" </dev/null 2>&1; }

# denied ROLE LABEL SQL [PSQL-ARG...] — one point: SQL fails as ROLE with
# "permission denied"
denied() {
	_role=$1 _label=$2 _sql=$3; shift 3
	if _out=$(as "$_role" "$_sql" "$@"); then
		not_ok "$_role cannot $_label" "it succeeded: $_out"
	elif printf '%s' "$_out" | grep -q 'permission denied'; then
		ok "$_role cannot $_label ($(printf '%s' "$_out" | grep -o 'permission denied[^"]*' | head -n 1))"
	else
		not_ok "$_role cannot $_label" "failed, but not with 'permission denied': $_out"
	fi
}

# allowed ROLE LABEL SQL [PSQL-ARG...] — one point: SQL succeeds as ROLE
allowed() {
	_role=$1 _label=$2 _sql=$3; shift 3
	if _out=$(as "$_role" "$_sql" "$@"); then ok "$_role can $_label"; else
		not_ok "$_role can $_label" "$_out"; fi
}

# acls — every privilege in the schema (and the database's), to compare
acls() {
	psql_val "
SELECT 'rel ' || c.relname || ' ' || coalesce(c.relacl::text, '-')
  FROM pg_class c WHERE c.relnamespace = 'claimscrub'::regnamespace
UNION ALL
SELECT 'col ' || a.attrelid::regclass || '.' || a.attname || ' ' || a.attacl::text
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'claimscrub'::regnamespace AND a.attacl IS NOT NULL
UNION ALL
SELECT 'fn ' || p.oid::regprocedure || ' ' || coalesce(p.proacl::text, '-') || ' '
       || p.prosecdef || ' ' || coalesce(p.proconfig::text, '-')
  FROM pg_proc p WHERE p.pronamespace = 'claimscrub'::regnamespace
UNION ALL
SELECT 'schema ' || coalesce(nspacl::text, '-') FROM pg_namespace WHERE nspname = 'claimscrub'
UNION ALL
SELECT 'db ' || coalesce(datacl::text, '-') FROM pg_database WHERE datname = current_database()
UNION ALL
SELECT 'role ' || rolname || ' ' || rolcanlogin || rolsuper
  FROM pg_roles WHERE rolname LIKE 'claimscrub\_%'
ORDER BY 1"
}

# ---- the migration ------------------------------------------------------------------
v=$(psql_val "SELECT string_agg(name, ',' ORDER BY name) FROM claimscrub.schema_api")
case ",$v," in
*,090_privileges.sql,*) ok "the api's privileges are recorded as applied ($v)" ;;
*) not_ok "the api's privileges are recorded as applied" "api: $v" ;;
esac
roles=$(psql_val "SELECT string_agg(rolname || ':' || rolcanlogin || rolsuper, ' ' ORDER BY rolname)
                    FROM pg_roles WHERE rolname LIKE 'claimscrub\_%'")
if [ "$roles" = "claimscrub_daemon:falsefalse claimscrub_reader:falsefalse claimscrub_reviewer:falsefalse claimscrub_submitter:falsefalse" ]; then
	ok "four NOLOGIN, non-superuser group roles"
else
	not_ok "four NOLOGIN, non-superuser group roles" "got: $roles"
fi
before=$(acls)
# every api file applied again, in order, as `db migrate` does when one
# of them changed: 090_privileges.sql converges on its sets
reroles() {
	for f in "$src"/sql/api/[0-9]*.sql; do
		{ echo 'BEGIN;'; cat "$f"; echo 'COMMIT;'; } >"$T/reapply.sql"
		psql_script "$T/reapply.sql" </dev/null || return 1
	done
}
if out=$(reroles 2>&1) && out2=$(reroles 2>&1); then
	after=$(acls)
	if [ "$before" = "$after" ]; then ok "the api applied again twice changes no privilege"; else
		not_ok "the api applied again twice changes no privilege" \
			"before: $before" "after: $after"; fi
else
	not_ok "the api applies again" "$out ${out2:-}"
fi
# someone granted more by hand: a re-run takes it back
psql_val "GRANT ALL ON ALL TABLES IN SCHEMA claimscrub TO claimscrub_daemon;
	  GRANT EXECUTE ON FUNCTION claimscrub.submit(jsonb) TO claimscrub_reviewer" >/dev/null
reroles >/dev/null 2>&1
after=$(acls)
if [ "$before" = "$after" ]; then ok "a re-run takes back privileges granted by hand"; else
	not_ok "a re-run takes back privileges granted by hand" "after: $after"; fi

pub=$(psql_val "
SELECT (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'claimscrub'::regnamespace
          AND has_function_privilege('public', p.oid, 'EXECUTE')) || ' ' ||
       (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'claimscrub'::regnamespace
          AND c.relkind IN ('r', 'S')
          AND (has_table_privilege('public', c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER')
               OR has_any_column_privilege('public', c.oid, 'SELECT,INSERT,UPDATE,REFERENCES'))) || ' ' ||
       has_schema_privilege('public', 'claimscrub', 'USAGE,CREATE')")
if [ "$pub" = "0 0 false" ]; then ok "PUBLIC can execute no function, use no table and not the schema"; else
	not_ok "PUBLIC can execute no function, use no table and not the schema" \
		"functions, tables, schema: $pub"; fi
sd=$(psql_val "SELECT prosecdef || ' ' || array_to_string(proconfig, ',')
                 FROM pg_proc WHERE oid = 'claimscrub.submit(jsonb)'::regprocedure")
if [ "$sd" = "true search_path=pg_catalog, pg_temp" ]; then
	ok "submit is SECURITY DEFINER with a fixed search_path"
else
	not_ok "submit is SECURITY DEFINER with a fixed search_path" "got: $sd"
fi

# ---- users ------------------------------------------------------------------------------
# (connections logged: proof that the daemon really logs in as d1)
psql_val "ALTER SYSTEM SET log_connections = on" >/dev/null &&
	psql_val "SELECT pg_reload_conf()" >/dev/null
psql_val "CREATE ROLE d1 LOGIN IN ROLE claimscrub_daemon;
	  CREATE ROLE r1 LOGIN IN ROLE claimscrub_reviewer;
	  CREATE ROLE s1 LOGIN IN ROLE claimscrub_submitter;
	  CREATE ROLE b1 LOGIN IN ROLE claimscrub_reader;
	  CREATE TABLE public.outside (x integer);
	  INSERT INTO public.outside VALUES (1)" >/dev/null ||
	setup_failed "creating the login users failed"
su=""
for u in d1 r1 s1; do su="$su $u=$(psql_val "SELECT rolsuper FROM pg_roles WHERE rolname = '$u'")"; done
su=${su# }
if [ "$su" = "d1=f r1=f s1=f" ]; then ok "d1, r1 and s1 are not superusers ($su)"; else
	not_ok "d1, r1 and s1 are not superusers" "rolsuper: $su"; fi

# ---- the submitter: claimscrub submit as s1 ---------------------------------------------
cp "$src/examples/01-antibiotic-infusion.yaml" "$T/s1.yaml"
if timeout 60 "$CLAIMSCRUB" submit --db "$(db_as s1)" "$T/s1.yaml" </dev/null >"$T/submit.out" 2>&1 &&
	grep -q 'IC-2026-0301 submitted' "$T/submit.out"; then
	ok "s1 can submit a claim with claimscrub submit"
else
	not_ok "s1 can submit a claim with claimscrub submit" "$(cat "$T/submit.out")"
fi
# again: the replacing path (ON CONFLICT ... DO UPDATE, delete of the old rows)
if timeout 60 "$CLAIMSCRUB" submit --db "$(db_as s1)" "$T/s1.yaml" </dev/null >"$T/submit.out" 2>&1 &&
	[ "$(psql_val "SELECT version || status FROM claimscrub.claim WHERE claim_ref = 'IC-2026-0301'")" = 2pending ]; then
	ok "s1 can submit it again (version 2)"
else
	not_ok "s1 can submit it again (version 2)" "$(cat "$T/submit.out")"
fi
bad=$(as s1 "SELECT claimscrub.submit('{\"claim\": \"S-BAD\", \"setting\": \"home\"}')")
case $bad in
*"claim document: setting: must be one of"*) ok "s1's bad document is rejected by the checks submit runs" ;;
*) not_ok "s1's bad document is rejected by the checks submit runs" "$bad" ;;
esac
# ---- the reader (a billing system): the results, nothing else ---------------------------
allowed b1 "read the results with a cursor" \
	"BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT claimscrub.results_cursor() IS NOT NULL;
	 SELECT count(*) >= 0 FROM claimscrub.results_since(NULL); COMMIT"
denied b1 "SELECT claim" "SELECT claim_ref FROM claimscrub.claim"
denied b1 "SELECT result_event" "SELECT count(*) FROM claimscrub.result_event"
denied b1 "read the work list" "SELECT count(*) FROM claimscrub.work_list()"
denied b1 "submit a claim" "SELECT claimscrub.submit('{}')"
denied b1 "change a setting" "UPDATE claimscrub.setting SET value = 'off'"
denied r1 "read the results for billing" "SELECT count(*) FROM claimscrub.results_since(NULL)"
denied s1 "read the results for billing" "SELECT count(*) FROM claimscrub.results_since(NULL)"
denied d1 "read the results for billing" "SELECT count(*) FROM claimscrub.results_since(NULL)"
denied s1 "SELECT claim" "SELECT claim_ref FROM claimscrub.claim"
denied s1 "SELECT finding" "SELECT count(*) FROM claimscrub.finding"
denied s1 "INSERT a claim directly" "INSERT INTO claimscrub.claim (claim_ref, setting) VALUES ('S-X', 'facility')"
denied s1 "call the helper check_document" "SELECT claimscrub.check_document('{}')"
denied s1 "call mark_invalid" "SELECT claimscrub.mark_invalid(1, '{}')"
denied s1 "call write_batch" "SELECT claimscrub.write_batch('[]')"
denied s1 "take a batch" "SELECT * FROM claimscrub.claim_batch(1, 10000, 1000, 1000)"

# ---- the daemon: its statements, one by one, as d1 (rolled back) ---------------------------
gen_claims 500 >/dev/null || setup_failed "gen_claims failed"
ids=$(psql_val "SELECT min(id) || ' ' || max(id) FROM claimscrub.claim WHERE claim_ref LIKE 'BULK-%'")
a=${ids%% *} b=${ids#* }
wr='[{"id": '$a', "version": 1, "status": "flagged", "rules": "t",
  "result": {"verdict": "flagged", "findings": [{"rule": "r", "severity": "error", "message": "m"}]}}]'
stmts=$(as d1 "
BEGIN;
SELECT coalesce(max(version), 0) FROM claimscrub.schema_migrations;
LISTEN claimscrub_pending;
SELECT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending');
SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(enqueued_at)), 0)
  FROM claimscrub.claim WHERE status = 'pending';
SELECT set_config('lock_timeout', '30s', false) WHERE current_setting('lock_timeout') = '0';
SELECT count(*) > 0 AS claimed FROM claimscrub.claim_batch(5, 10000, 1000, 1000);
SELECT count(*) > 0 AS read FROM claimscrub.read_claims(ARRAY[:a, :b]::bigint[], 1000, 1000);
SELECT 1 / (written = 1)::int AS wrote_one FROM claimscrub.write_batch(:'wr');
SELECT claimscrub.end_batch();
WITH m AS (UPDATE claimscrub.claim SET status = 'invalid',
 result = jsonb_set('{}'::jsonb, '{claim}', to_jsonb(claim_ref)),
 scrubbed_at = clock_timestamp(), scrubbed_version = version
 WHERE id IN (SELECT c.id FROM claimscrub.claim c WHERE c.id = :b::bigint AND c.status = 'pending'
 AND c.version = coalesce(NULL::integer, c.version) FOR UPDATE SKIP LOCKED) RETURNING id)
 DELETE FROM claimscrub.finding f USING m WHERE f.claim_id = m.id AND f.resolution IS NULL;
ROLLBACK;" -v a="$a" -v b="$b" -v wr="$wr")
if [ $? -eq 0 ]; then ok "d1 can run each of the daemon's statements"; else
	not_ok "d1 can run each of the daemon's statements" "$stmts"; fi

# ---- the daemon as d1 drains the queue ---------------------------------------------------
write_config "$T/d1.yaml" "batch_size: 100"
sed -i "s|^database: .*|database: \"host=$PGHOST dbname=$PGDATABASE user=d1\"|" "$T/d1.yaml"
grep -q 'user=d1' "$T/d1.yaml" || setup_failed "cannot write the config for d1"
start_daemon "$T/d1.yaml" --once
wait_daemon "$daemon_pid" 120
st=$?
if [ $st -eq 0 ]; then ok "claimscrubd as d1 drains the queue and exits 0"; else
	not_ok "claimscrubd as d1 drains the queue and exits 0" "exit $st"; tail_log "$daemon_log" 20; fi
if grep -q 'connection authorized: user=d1 ' "$T/pg/server.log"; then ok "the daemon logs in as d1"; else
	not_ok "the daemon logs in as d1" "$(grep 'connection authorized' "$T/pg/server.log" | tail -n 3)"; fi
if grep -q 'permission denied' "$daemon_log"; then
	not_ok "the daemon's log has no 'permission denied'" "$(grep 'permission denied' "$daemon_log" | head -n 3)"
else
	ok "the daemon's log has no 'permission denied'"
fi
left=$(psql_val "SELECT count(*) FILTER (WHERE status = 'pending') || ' ' || count(*) FROM claimscrub.claim")
if [ "$left" = "0 501" ]; then ok "all 501 claims are scrubbed"; else
	not_ok "all 501 claims are scrubbed" "pending, claims: $left"; fi
consistency_check "scrubbed by d1"
verify_results "c.claim_ref = 'IC-2026-0301' OR c.claim_ref LIKE 'BULK-%-1_'" "d1's results"

# ---- the daemon's own connection is not a superuser's ------------------------------
# (read from the server's side: pg_stat_activity names the role of the
# daemon's backend, so this holds whatever the config or PG* variables say)
start_daemon "$T/d1.yaml"
if wait_until "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'claimscrubd'" 30; then
	who=$(psql_val "SELECT string_agg(DISTINCT a.usename || ' super=' || r.rolsuper || ' createrole=' ||
	                   r.rolcreaterole || ' createdb=' || r.rolcreatedb || ' bypassrls=' || r.rolbypassrls ||
	                   ' replication=' || r.rolreplication, '; ')
	                  FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
	                 WHERE a.application_name = 'claimscrubd'")
	if [ "$who" = "d1 super=false createrole=false createdb=false bypassrls=false replication=false" ]; then
		ok "the daemon's backend runs as d1, no superuser, no CREATEROLE/CREATEDB/BYPASSRLS/REPLICATION ($who)"
	else
		not_ok "the daemon's backend runs as a plain non-superuser role" "pg_stat_activity: $who"
	fi
	# the same, asked as the daemon's role itself
	su=$(as d1 "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
	[ "$su" = f ] && ok "as d1: SELECT rolsuper ... WHERE rolname = current_user is false" ||
		not_ok "as d1: rolsuper of current_user is false" "got: $su"
else
	not_ok "the daemon as d1 connects (pg_stat_activity shows it)"
	tail_log "$daemon_log"
fi
stop_daemon "$daemon_pid"; st=$?
[ $st -eq 0 ] && ok "the long-running daemon as d1 stops on SIGTERM (exit 0)" ||
	not_ok "the long-running daemon as d1 stops on SIGTERM" "exit $st"

# ---- the reviewer ------------------------------------------------------------------------
fid=$(psql_val "SELECT min(f.id) FROM claimscrub.finding f")
[ -n "$fid" ] || setup_failed "no finding to review"
res=$(as r1 "SELECT claimscrub.resolve_finding(:fid, 'accepted-risk', 'seen') IS NOT NULL" -v fid="$fid")
if [ "$res" = t ]; then ok "r1 can resolve a finding"; else
	not_ok "r1 can resolve a finding" "$res"; fi
allowed r1 "read the review queue and the report views" \
	"SELECT (SELECT count(*) FROM claimscrub.review_queue), (SELECT count(*) FROM claimscrub.finding_detail)"
denied r1 "read claims" "SELECT count(*) FROM claimscrub.claim"
denied r1 "UPDATE a finding's rule" "UPDATE claimscrub.finding SET rule = 'x' WHERE id = :fid" -v fid="$fid"
denied r1 "UPDATE a finding's message" "UPDATE claimscrub.finding SET message = 'x' WHERE id = :fid" -v fid="$fid"
denied r1 "DELETE a finding" "DELETE FROM claimscrub.finding WHERE id = :fid" -v fid="$fid"
denied r1 "UPDATE a claim's status" "UPDATE claimscrub.claim SET status = 'pending' WHERE id = 1"
denied r1 "call submit" "SELECT claimscrub.submit('{\"claim\": \"R-X\", \"setting\": \"facility\"}')"

# ---- what d1 must not do ------------------------------------------------------------------
denied d1 "INSERT a claim" "INSERT INTO claimscrub.claim (claim_ref, setting) VALUES ('D-X', 'facility')"
denied d1 "DELETE a claim" "DELETE FROM claimscrub.claim WHERE id = 1"
denied d1 "TRUNCATE claims" "TRUNCATE claimscrub.claim CASCADE"
denied d1 "UPDATE a claim's claim_ref" "UPDATE claimscrub.claim SET claim_ref = 'D-Y' WHERE id = 1"
denied d1 "UPDATE a claim's payer" "UPDATE claimscrub.claim SET payer = 'nobody' WHERE id = 1"
denied d1 "UPDATE a claim's version" "UPDATE claimscrub.claim SET version = 99 WHERE id = 1"
denied d1 "UPDATE a finding's resolution" \
	"UPDATE claimscrub.finding SET resolution = 'false-positive' WHERE id = :fid" -v fid="$fid"
denied d1 "INSERT a finding already resolved" \
	"INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule, severity, message, resolution)
	 VALUES (1, 1, 99, 'r', 'error', 'm', 'accepted-risk')"
denied d1 "read a finding's reviewer note" "SELECT note FROM claimscrub.finding LIMIT 1"
denied d1 "change a claim's lines" "UPDATE claimscrub.claim_line SET units = 9 WHERE claim_id = 1"
denied d1 "read a table outside the schema" "SELECT x FROM public.outside"
denied d1 "write a table outside the schema" "INSERT INTO public.outside VALUES (2)"
denied d1 "call submit" "SELECT claimscrub.submit('{\"claim\": \"D-X\", \"setting\": \"facility\"}')"
denied d1 "create a table in the schema" "CREATE TABLE claimscrub.d1_table (x integer)"
denied d1 "create a function in the schema" \
	"CREATE FUNCTION claimscrub.d1_fn() RETURNS integer LANGUAGE sql AS 'SELECT 1'"

# row-level security: DELETE is d1's, but only of unresolved findings
cid=$(psql_val "SELECT claim_id FROM claimscrub.finding WHERE id = :fid" -v fid="$fid")
out=$(as d1 "DELETE FROM claimscrub.finding WHERE claim_id = :cid AND resolution IS NOT NULL" -v cid="$cid")
still=$(psql_val "SELECT count(*) FROM claimscrub.finding WHERE id = :fid AND resolution = 'accepted-risk'" -v fid="$fid")
if [ "$still" = 1 ]; then ok "d1 cannot delete a resolved finding (row-level security: no row matches)"; else
	not_ok "d1 cannot delete a resolved finding" "it is gone; $out"; fi
seen=$(as r1 "SELECT count(*) FROM claimscrub.finding_detail")
if [ "$seen" = "$(psql_val "SELECT count(*) FROM claimscrub.finding f JOIN claimscrub.claim c
                            ON c.id = f.claim_id AND f.claim_version = c.version WHERE c.status <> 'pending'")" ]; then
	ok "r1 sees every finding ($seen)"; else not_ok "r1 sees every finding" "r1 sees: $seen"; fi

# ---- a rescrub as d1 keeps r1's decision ---------------------------------------------------
psql_val "UPDATE claimscrub.claim SET status = 'pending' WHERE id = :cid" -v cid="$cid" >/dev/null
start_daemon "$T/d1.yaml" --once
wait_daemon "$daemon_pid" 60
st=$?
kept=$(psql_val "SELECT c.status <> 'pending' AND c.version = 2 AND f.resolution = 'accepted-risk'
                        AND f.resolved_by = 'r1' AND f.note = 'seen'
                   FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id
                  WHERE f.id = :fid" -v fid="$fid")
if [ $st -eq 0 ] && [ "$kept" = t ]; then ok "d1 rescrubs a requeued claim and keeps r1's decision"; else
	not_ok "d1 rescrubs a requeued claim and keeps r1's decision" "exit $st, kept: $kept"
	tail_log "$daemon_log"
fi
consistency_check "after the rescrub by d1"
check "the daemon's log is key=value lines" log_is_keyvalue "$daemon_log"

# ---- a reviewer's leaky function under the views (issue 14, item 5) ---------------
# Rows the views hide from r1: a pending claim (scrubbed_claim shows scrubbed
# ones only) with a finding row of an old version, and a scrubbed claim whose
# findings are all resolved (review_queue shows claims with open ones).
# A function of r1's in pg_temp, cheap enough for the planner to run first,
# RAISEs every value it is given: none of the hidden ones may show.
psql_val "
INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service)
VALUES ('HIDDEN-PENDING', 'HIDDEN-PAYER', 'facility', 'HIDDEN-PROVIDER', date '2026-03-02');
INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule, severity, message)
SELECT id, 0, 0, 'HIDDEN-RULE', 'error', 'HIDDEN-MESSAGE' FROM claimscrub.claim WHERE claim_ref = 'HIDDEN-PENDING';
UPDATE claimscrub.finding SET resolution = 'corrected', note = 'HIDDEN-NOTE'
 WHERE claim_id = (SELECT min(id) FROM claimscrub.claim WHERE status = 'flagged' AND claim_ref LIKE 'BULK-%')" >/dev/null ||
	setup_failed "writing the hidden rows failed"
views=$(psql_val "SELECT count(*) FROM pg_class WHERE relnamespace = 'claimscrub'::regnamespace AND relkind = 'v'")
barriers=$(psql_val "SELECT count(*) FROM pg_class WHERE relnamespace = 'claimscrub'::regnamespace AND relkind = 'v'
                       AND 'security_barrier=true' = ANY (reloptions)")
if [ "$views" -gt 0 ] && [ "$views" = "$barriers" ]; then ok "all $views views of the schema are security barriers"; else
	not_ok "every view of the schema is a security barrier" "$barriers of $views"; fi
pub=$(psql_val "SELECT has_database_privilege('public', current_database(), 'TEMPORARY')")
[ "$pub" = f ] && ok "PUBLIC has no TEMPORARY on the database" || not_ok "PUBLIC has no TEMPORARY on the database" "has: $pub"
leak_fn="CREATE FUNCTION pg_temp.leak(v text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS \$\$
BEGIN RAISE NOTICE 'leak: %', v; RETURN true; END \$\$;"
denied r1 "create a function in pg_temp (no TEMPORARY)" "$leak_fn"
# granted TEMPORARY by name (a site that needs it): the barriers still hold
psql_val "GRANT TEMPORARY ON DATABASE $PGDATABASE TO r1" >/dev/null
leak_out=$(as r1 "$leak_fn
SET client_min_messages = notice;
SELECT count(*) FROM claimscrub.scrubbed_claim WHERE pg_temp.leak(concat_ws('|', claim_ref, payer, provider, status));
SELECT count(*) FROM claimscrub.review_queue WHERE pg_temp.leak(concat_ws('|', claim_ref, payer, provider, rule, message, note));
SELECT count(*) FROM claimscrub.finding_detail WHERE pg_temp.leak(concat_ws('|', claim_ref, payer, provider, rule));
SELECT count(*) FROM claimscrub.findings_by_payer WHERE pg_temp.leak(payer);
SELECT count(*) FROM claimscrub.findings_by_provider WHERE pg_temp.leak(concat_ws('|', payer, provider));
SELECT count(*) FROM claimscrub.findings_by_rule WHERE pg_temp.leak(concat_ws('|', payer, rule));
SELECT count(*) FROM claimscrub.denial_risk_daily WHERE pg_temp.leak(day::text);
SELECT count(*) FROM claimscrub.fee_schedule WHERE pg_temp.leak(code);")
psql_val "REVOKE TEMPORARY ON DATABASE $PGDATABASE FROM r1" >/dev/null
nleak=$(printf '%s\n' "$leak_out" | grep -c 'NOTICE:  leak: ')
hidden=$(printf '%s\n' "$leak_out" | grep 'NOTICE:  leak: ' | grep 'HIDDEN' | head -n 3)
if printf '%s\n' "$leak_out" | grep -q 'ERROR'; then
	not_ok "r1's leaky function runs under the views" "$(printf '%s\n' "$leak_out" | grep ERROR | head -n 3)"
elif [ "$nleak" -gt 0 ] && [ -z "$hidden" ]; then
	ok "r1's leaky pg_temp function sees only the rows the views show ($nleak values, none hidden)"
else
	not_ok "r1's leaky pg_temp function sees only the rows the views show" \
		"values $nleak; hidden ones seen: $(printf '%s' "$hidden" | sed 's/.*NOTICE:  //' | tr '\n' ' ')"
fi
finish
