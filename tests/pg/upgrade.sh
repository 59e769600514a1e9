#!/bin/sh
# upgrade.sh — sql/migrations and sql/api (sql/README.md), from the
# installations there are:
#
#   - a database at each released migration, 001 to 010 (the files as
#     released, tests/fixtures/sql-010/), migrates with one `claimscrub db
#     migrate` to exactly the schema a fresh one gets: tables, functions,
#     triggers, views, policies and privileges (pg_dump --schema-only, its
#     entries sorted);
#   - a 006 database holding scrubbed claims and reviewer decisions loses
#     nothing: every row of claim, claim_line, administration, finding,
#     finding_audit and fee is the same after, 003's claimed_at aside; the
#     new daemon scrubs a resubmitted old claim and new ones on it, and a
#     reviewer decides as before, with the audit trail kept;
#   - the api's record: a changed api file is reported by `db status` and
#     makes `db migrate` apply every api file again, which takes back a
#     privilege granted by hand; a failing one changes nothing and names
#     FILE:LINE; one that ends the transaction itself is refused;
#   - each migration's checksum (recorded, backfilled on an upgraded
#     database): one edited after it was applied is reported; one
#     recorded with no file is named; the definitions changed by hand (a
#     function replaced) are drift, named by `db status`, shown by
#     `db migrate --dry-run` (which applies nothing) and undone by
#     `db migrate`;
#   - no btree index repeats the first columns of another.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

fixtures=$src/tests/fixtures/sql-010
[ -d "$fixtures" ] || setup_failed "no $fixtures"

# the schema of database $1, pg_dump's entries sorted (their order follows
# object ids, which differ between a fresh and an upgraded database)
schema() {
	timeout 60 "$PG_BINDIR/pg_dump" -s -d "$1" 2>"$T/pg_dump.err" |
		grep -v '^\\\(un\)\?restrict ' |
		awk 'BEGIN { RS = "\n--\n-- Name: " } { sub(/\n+$/, ""); printf "%s%c", $0, 0 }' |
		sort -z | tr '\0' '\n'
}
# createdb NAME
createdb() { psql_val "SET client_min_messages = warning; DROP DATABASE IF EXISTS $1; CREATE DATABASE $1" -d postgres >/dev/null; }
# released NAME NNN — database NAME as the released files up to NNN made it
released() {
	createdb "$1" || return 1
	for f in "$fixtures"/[0-9]*.sql; do
		num=$(basename "$f" | cut -c1-3)
		[ "$((1$num))" -le "$((1$2))" ] || break # (1NNN: no octal)
		psql_script "$f" -d "$1" </dev/null >/dev/null 2>>"$T/released.log" || return 1
	done
}
migrate() { timeout 120 "$CLAIMSCRUB" db migrate --db "dbname=$1" --sql "${2:-$src/sql}" </dev/null; }
status() { timeout 60 "$CLAIMSCRUB" db status --db "dbname=$1" --sql "${2:-$src/sql}" </dev/null; }

schema claims >"$T/fresh.schema"
[ -s "$T/fresh.schema" ] || setup_failed "pg_dump of the fresh database: $(cat "$T/pg_dump.err")"
grep -q 'FUNCTION claimscrub.claim_batch' "$T/fresh.schema" ||
	setup_failed "the fresh schema has no claim_batch()"

# ---- every released migration upgrades to the fresh schema -----------------------------
for v in 001 002 003 004 005 006 007 008 009 010; do
	if ! released "u$v" "$v"; then
		not_ok "a database at $v: the released files apply" "$(tail -n 3 "$T/released.log")"
		continue
	fi
	if ! out=$(migrate "u$v" 2>&1); then
		not_ok "a database at $v migrates" "$out"
		continue
	fi
	schema "u$v" >"$T/u$v.schema"
	if cmp -s "$T/fresh.schema" "$T/u$v.schema"; then
		ok "a database at $v migrates with one db migrate to the fresh schema"
	else
		not_ok "a database at $v migrates to the fresh schema" \
			"$(diff "$T/fresh.schema" "$T/u$v.schema" | head -n 20)"
	fi
	psql_val "DROP DATABASE u$v" -d postgres >/dev/null
done

# ---- a 006 database with scrubbed claims and decisions loses nothing ---------------------------
released old 006 || setup_failed "the released 001-006: $(tail -n 3 "$T/released.log")"
# 30 claims through 006's submit(), scrubbed as a 006 daemon wrote them
# (claim_batch, write_batch, end_batch), two findings a flagged claim; then
# a reviewer decides three findings, one of them twice
psql_val "
SELECT claimscrub.submit(jsonb_build_object('claim', 'OLD-' || i, 'setting', 'facility',
	'payer', 'Medicare', 'date_of_service', '2026-03-0' || (1 + i % 9),
	'lines', jsonb_build_array(jsonb_build_object('code', '96365', 'units', 1),
				   jsonb_build_object('code', '96366', 'units', 2, 'modifiers', jsonb_build_array('59'))),
	'administrations', jsonb_build_array(jsonb_build_object('id', 'A' || i,
		'substance', 'drug ' || i, 'kind', 'therapeutic', 'route', 'infusion',
		'start', '2026-03-01T10:00', 'stop', '2026-03-01T12:10'))))
  FROM generate_series(1, 30) i;
SELECT count(*) FROM claimscrub.claim_batch(1000, 60000);
SELECT claimscrub.write_batch(jsonb_agg(jsonb_build_object('id', c.id, 'version', c.version,
	'status', CASE WHEN c.id % 3 = 0 THEN 'clean' ELSE 'flagged' END, 'rules', 'rules-006',
	'result', jsonb_build_object('claim', c.claim_ref, 'findings',
		CASE WHEN c.id % 3 = 0 THEN '[]'::jsonb ELSE jsonb_build_array(
			jsonb_build_object('rule', 'additional-hour-missed', 'severity', 'error', 'line', 2,
				'message', 'an hour more was documented', 'evidence', jsonb_build_object('minutes', 130),
				'suggest', jsonb_build_object('action', 'set-units', 'code', '96366', 'units', 2)),
			jsonb_build_object('rule', 'modifier-unneeded', 'severity', 'warning', 'line', 2,
				'message', 'modifier 59 is not needed', 'evidence', '{}'::jsonb)) END))))
  FROM claimscrub.claim c;
SELECT claimscrub.end_batch();
SET ROLE claimscrub_reviewer;
SELECT claimscrub.resolve_finding(f.finding_id, 'accepted-risk', 'payer contract')
  FROM (SELECT finding_id FROM claimscrub.review_queue ORDER BY finding_id LIMIT 3) f;
SELECT claimscrub.resolve_finding(min(finding_id), 'false-positive', 'second look')
  FROM claimscrub.review_queue;
RESET ROLE;
INSERT INTO claimscrub.fee VALUES ('default', '96365', 180.00, NULL, NULL);
" -d old >"$T/populate.out" 2>&1 || setup_failed "populating the 006 database: $(tail -n 5 "$T/populate.out")"

# every row as 006 had it: claimed_at aside (011 drops it), and the
# columns 012 adds to finding
rows() {
	psql_val "
SELECT md5(string_agg(x, E'\n' ORDER BY x)) || ' ' || count(*) FROM (
  SELECT 'c' || (c.id, c.claim_ref, c.payer, c.setting, c.provider, c.date_of_service,
		 c.status, c.version, c.attempts, c.enqueued_at, c.scrubbed_at,
		 c.scrubbed_version, c.rules_version, c.result)::text x FROM claimscrub.claim c
  UNION ALL SELECT 'l' || (l.claim_id, l.line_no, l.code, l.units, l.modifiers)::text FROM claimscrub.claim_line l
  UNION ALL SELECT 'a' || a::text FROM claimscrub.administration a
  UNION ALL SELECT 'f' || (f.id, f.claim_id, f.claim_version, f.ordinal, f.rule, f.severity,
		 f.line_no, f.administration_ref, f.message, f.evidence, f.suggest, f.created_at,
		 f.resolution, f.resolved_by, f.resolved_at, f.note)::text FROM claimscrub.finding f
  UNION ALL SELECT 'u' || u::text FROM claimscrub.finding_audit u
  UNION ALL SELECT 'p' || p::text FROM claimscrub.fee p) t" -d old
}
before=$(rows)
counts="SELECT (SELECT count(*) FROM claimscrub.claim WHERE status = 'flagged') || ' ' ||
	(SELECT count(*) FROM claimscrub.finding) || ' ' ||
	(SELECT count(*) FROM claimscrub.finding WHERE resolution IS NOT NULL) || ' ' ||
	(SELECT count(*) FROM claimscrub.finding_audit)"
if [ "$(psql_val "$counts" -d old)" = "20 40 3 4" ]; then
	ok "the 006 database holds 20 flagged claims, 40 findings, 3 decided, 4 audit rows"
else
	not_ok "the 006 database holds what was put in" "$(psql_val "$counts" -d old)"
fi
if out=$(migrate old 2>&1); then ok "db migrate upgrades the 006 database"; else
	not_ok "db migrate upgrades the 006 database" "$out"; fi
after=$(rows)
if [ -n "$before" ] && [ "$before" = "$after" ]; then
	ok "every claim, line, administration, finding, audit and fee row is the same after ($after)"
else
	not_ok "nothing lost" "before: $before" "after: $after"
fi
# what 012 and the workflow's api add to what was there: fingerprints,
# reasons for the 3 decisions, a work item per flagged claim (OLD-1's two
# findings are decided: resolved; the other 19 have an open one)
same_up() { [ "$2" = "$3" ] && ok "$1" || not_ok "$1" "want: $3" "got: $2"; }
same_up "every old finding has a fingerprint, every old decision its reason" \
	"$(psql_val "SELECT count(*) FILTER (WHERE fingerprint IS NOT NULL) || ' ' ||
	               count(*) FILTER (WHERE reason = resolution) FROM claimscrub.finding" -d old)" "40 3"
same_up "work items for the 20 flagged claims: OLD-1 resolved, 19 open" \
	"$(psql_val "SELECT string_agg(state || ':' || n, ' ' ORDER BY state) FROM
	               (SELECT state, count(*) n FROM claimscrub.work_item GROUP BY state) x" -d old)" "open:19 resolved:1"
[ "$(psql_val "SELECT count(*) FROM information_schema.columns
		WHERE table_schema = 'claimscrub' AND column_name = 'claimed_at'" -d old)" = 0 ] &&
	ok "003's claimed_at is gone" || not_ok "003's claimed_at is gone"
[ "$(psql_val "SELECT count(*) FROM pg_proc WHERE pronamespace = 'claimscrub'::regnamespace
		AND proname IN ('claim_document', 'write_results')" -d old)" = 0 ] &&
	ok "003's claim_document() and write_results() are gone" ||
	not_ok "003's claim_document() and write_results() are gone"
[ "$(psql_val "SELECT has_database_privilege('claimscrub_daemon', current_database(), 'TEMPORARY')" -d old)" = f ] &&
	ok "the daemon's role no longer holds TEMPORARY" || not_ok "the daemon's role no longer holds TEMPORARY"

# the new daemon on it: an old claim resubmitted and 20 new ones
psql_val "SELECT claimscrub.submit(jsonb_build_object('claim', 'OLD-1', 'setting', 'facility',
	'lines', jsonb_build_array(jsonb_build_object('code', '96365')),
	'administrations', jsonb_build_array(jsonb_build_object('id', 'A1', 'substance', 'drug',
		'kind', 'therapeutic', 'route', 'infusion', 'start', '2026-03-01T10:00',
		'stop', '2026-03-01T10:50'))))" -d old >/dev/null
PGDATABASE=old gen_claims 20 >/dev/null || not_ok "gen_claims on the upgraded database"
conninfo_main=$conninfo
conninfo="host=$PGHOST port=$PGPORT dbname=old user=$PGUSER"
write_config "$T/old.yaml"
conninfo=$conninfo_main
start_daemon "$T/old.yaml" --once
wait_daemon "$daemon_pid" 120; st=$?
left=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'" -d old)
if [ "$st" = 0 ] && [ "$left" = 0 ]; then
	ok "claimscrubd --once drains the upgraded database (exit 0, nothing pending)"
else
	not_ok "claimscrubd --once drains the upgraded database" "exit $st, $left pending"
	tail_log "$daemon_log"
fi
# one 50-minute infusion billed as 96365 and no drug line: the only
# finding is drug-line-missing (a warning), so flagged
v=$(psql_val "SELECT c.version || ' ' || c.status || ' ' || (c.result->>'claim') || ' ' ||
	string_agg(f.rule, ',') FROM claimscrub.claim c JOIN claimscrub.finding f
	ON f.claim_id = c.id AND f.claim_version = c.version WHERE c.claim_ref = 'OLD-1'
	GROUP BY c.id" -d old)
[ "$v" = "2 flagged OLD-1 drug-line-missing" ] &&
	ok "the resubmitted old claim is version 2, scrubbed by the new daemon (drug-line-missing)" ||
	not_ok "the resubmitted old claim is version 2, scrubbed by the new daemon" "$v"
# its version-1 decisions (both its findings, the first three decided) stay
d=$(psql_val "SELECT f.claim_version || ' ' || f.resolution FROM claimscrub.finding f
	JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.claim_ref = 'OLD-1' AND f.resolution IS NOT NULL
	ORDER BY f.id" -d old | tr '\n' ' ')
[ "$d" = "1 accepted-risk 1 accepted-risk " ] && ok "the old version's two decisions are kept" ||
	not_ok "the old version's two decisions are kept" "$d"
if psql_val "SET ROLE claimscrub_reviewer;
	SELECT claimscrub.resolve_finding(max(finding_id), 'corrected', 'after upgrade') FROM claimscrub.review_queue" -d old >/dev/null 2>&1 &&
	[ "$(psql_val "SELECT count(*) FROM claimscrub.finding_audit" -d old)" = 5 ]; then
	ok "a reviewer decides after the upgrade; the audit trail has its 4 rows and the new one"
else
	not_ok "a reviewer decides after the upgrade" "audit rows: $(psql_val "SELECT count(*) FROM claimscrub.finding_audit" -d old)"
fi

# ---- the api's record ---------------------------------------------------------------------
mkdir -p "$T/sql" && cp -R "$src/sql/migrations" "$src/sql/api" "$T/sql/" || setup_failed "copying sql/"
out=$(status claims "$T/sql"); rc=$?
[ $rc = 0 ] && ! printf '%s\n' "$out" | grep -q 'changed\|not applied' &&
	ok "db status: every migration and api file applied (exit 0)" ||
	not_ok "db status: every file applied" "exit $rc: $out"
psql_val "GRANT SELECT ON claimscrub.claim TO claimscrub_reviewer" >/dev/null
printf '%s\n' '-- a comment added' >>"$T/sql/api/050_review.sql"
out=$(status claims "$T/sql"); rc=$?
if [ $rc = 1 ] && printf '%s\n' "$out" | grep -Eq '^api/050_review\.sql +changed$' &&
	printf '%s\n' "$out" | grep -Eq '^definitions +changed outside db migrate$' &&
	[ "$(printf '%s\n' "$out" | grep -c changed)" = 2 ]; then
	ok "db status: the edited api file is 'changed', the hand-made grant is drift (exit 1)"
else
	not_ok "db status: the edited api file is 'changed', the grant drift" "exit $rc: $out"
fi
out=$(migrate claims "$T/sql" 2>&1); rc=$?
napplied=$(printf '%s\n' "$out" | grep -c '^applied api/')
napi=$(ls "$T"/sql/api/[0-9]*.sql | wc -l)
if [ $rc = 0 ] && [ "$napplied" = "$napi" ] &&
	[ "$(psql_val "SELECT has_table_privilege('claimscrub_reviewer', 'claimscrub.claim', 'SELECT')")" = f ]; then
	ok "db migrate applies all $napi api files again; the privilege granted by hand is gone"
else
	not_ok "db migrate applies every api file again" "exit $rc: $out"
fi
out=$(migrate claims "$T/sql" 2>&1)
[ "$out" = "up to date" ] && ok "then db migrate is up to date" || not_ok "then db migrate is up to date" "$out"
# a failing api file: FILE:LINE, exit 1, nothing changed (one transaction)
sums() { psql_val "SELECT string_agg(name || checksum, ' ' ORDER BY name) FROM claimscrub.schema_api"; }
s0=$(sums)
printf '%s\n' "CREATE OR REPLACE FUNCTION claimscrub.caller() RETURNS text" \
	"LANGUAGE sql AS \$\$ SELECT 'x' \$\$;" "SELECT no_such_column FROM claimscrub.claim;" \
	>>"$T/sql/api/050_review.sql"
line=$(grep -n no_such_column "$T/sql/api/050_review.sql" | cut -d: -f1)
out=$(migrate claims "$T/sql" 2>&1); rc=$?
if [ $rc = 1 ] && printf '%s\n' "$out" | grep -q "^$T/sql/api/050_review.sql:$line: error: .*no_such_column" &&
	[ "$(sums)" = "$s0" ] &&
	[ "$(psql_val "SELECT prosrc NOT LIKE '%''x''%' FROM pg_proc WHERE oid = 'claimscrub.caller()'::regprocedure")" = t ]; then
	ok "a failing api file: exit 1, FILE:$line: error, and nothing of the api changed"
else
	not_ok "a failing api file: exit 1, FILE:LINE, nothing changed" "exit $rc: $out"
fi
cp "$src/sql/api/050_review.sql" "$T/sql/api/050_review.sql"

# ---- checksums of the migrations, drift, --dry-run -----------------------------------------
migrate claims "$T/sql" >/dev/null 2>&1
same_out() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "--- want" "$3" "--- got" "$2"; fi; }
# (002-004 and 010 were migrations whose content moved to api/: the
# database upgraded from 006 recorded 002-004, which have no file now)
same_out "every applied migration has its checksum recorded; on the database upgraded from 006, all but the retired 002-004" \
	"$(psql_val "SELECT count(*) FILTER (WHERE checksum IS NULL) || ' ' || count(*) FROM claimscrub.schema_migrations")
$(psql_val "SELECT coalesce(string_agg(version::text, ' ' ORDER BY version), '-') FROM claimscrub.schema_migrations WHERE checksum IS NULL" -d old)" \
	"0 $(ls "$src"/sql/migrations/[0-9]*.sql | wc -l)
2 3 4"
out=$(status old); rc=$?
same_out "db status on the database upgraded from 006: clean, the retired numbers not named" \
	"$rc $(printf '%s\n' "$out" | grep -c 'no file')" "0 0"
out=$(status claims "$T/sql"); rc=$?
same_out "db status: the definitions are as db migrate left them (exit 0)" \
	"$rc $(printf '%s\n' "$out" | grep '^definitions' | tr -s ' ')" "0 definitions as db migrate left them"
# a function replaced by hand: drift, which --dry-run names and migrate undoes
psql_val "CREATE OR REPLACE FUNCTION claimscrub.caller() RETURNS text LANGUAGE sql STABLE AS \$\$ SELECT 'mallory' \$\$" >/dev/null
out=$(status claims "$T/sql"); rc=$?
same_out "a function replaced by hand: db status says the definitions changed (exit 1)" \
	"$rc $(printf '%s\n' "$out" | grep '^definitions' | tr -s ' ')" "1 definitions changed outside db migrate"
out=$(timeout 60 "$CLAIMSCRUB" db migrate --dry-run --db "dbname=claims" --sql "$T/sql" </dev/null 2>&1); rc=$?
same_out "db migrate --dry-run: says it would apply the api, and changes nothing" \
	"$rc $out $(psql_val "SELECT claimscrub.caller()")" \
	"0 would apply the api: the definitions were changed outside db migrate mallory"
out=$(migrate claims "$T/sql" 2>&1); rc=$?
same_out "db migrate makes the api again: the function is the api's" \
	"$rc $(printf '%s\n' "$out" | head -n 1) $(psql_val "SELECT claimscrub.caller() <> 'mallory'")" \
	"0 the definitions were changed outside db migrate: applying the api again t"
out=$(status claims "$T/sql"); rc=$?
same_out "and db status is clean again" "$rc" 0
# a migration edited after it was applied
printf '%s\n' '-- edited after its release' >>"$T/sql/migrations/005_review.sql"
out=$(status claims "$T/sql"); rc=$?
same_out "an applied migration edited since: db status says so (exit 1)" \
	"$rc $(printf '%s\n' "$out" | grep '^migrations/005' | tr -s ' ')" \
	"1 migrations/005_review.sql edited since it was applied"
out=$(migrate claims "$T/sql" 2>&1); rc=$?
same_out "db migrate names it and exits 1" \
	"$rc $(printf '%s\n' "$out" | grep -c "005_review.sql was edited after it was applied")" "1 1"
cp "$src/sql/migrations/005_review.sql" "$T/sql/migrations/005_review.sql"
# a migration the directory lacks (a newer release's); one it has that is new
psql_val "INSERT INTO claimscrub.schema_migrations (version, name) VALUES (999, 'future')" >/dev/null
out=$(status claims "$T/sql"); rc=$?
same_out "a migration recorded with no file: db status names it (exit 1)" \
	"$rc $(printf '%s\n' "$out" | grep '^migrations/999' | tr -s ' ')" \
	"1 migrations/999 recorded, no file (a newer release's?)"
psql_val "DELETE FROM claimscrub.schema_migrations WHERE version = 999" >/dev/null
printf '%s\n' 'BEGIN;' 'CREATE TABLE claimscrub.t900 (x integer);' \
	"INSERT INTO claimscrub.schema_migrations (version, name) VALUES (900, 't900');" 'COMMIT;' \
	>"$T/sql/migrations/900_t900.sql"
out=$(timeout 60 "$CLAIMSCRUB" db migrate --dry-run --db "dbname=claims" --sql "$T/sql" </dev/null 2>&1); rc=$?
same_out "db migrate --dry-run: the new migration it would apply, applied nothing" \
	"$rc $out $(psql_val "SELECT to_regclass('claimscrub.t900') IS NULL")" \
	"0 would apply migrations/900_t900.sql t"
rm -f "$T/sql/migrations/900_t900.sql"
printf '%s\n' 'COMMIT;' >>"$T/sql/api/020_queue.sql"
out=$(migrate claims "$T/sql" 2>&1); rc=$?
if [ $rc = 1 ] && printf '%s\n' "$out" | grep -q '020_queue.sql: an api file may not end the transaction'; then
	ok "an api file that ends the transaction itself is refused"
else
	not_ok "an api file that ends the transaction itself is refused" "exit $rc: $out"
fi

# ---- no index repeats another ---------------------------------------------------------------
# A btree index whose columns (and their order, and its predicate) begin
# another's serves nothing the longer one does not, and every row written
# pays for it (023 dropped one: each finding the daemon wrote paid twice).
same "no btree index of the schema repeats the first columns of another" \
	"$(psql_val "SELECT coalesce(string_agg(a.indexrelid::regclass || ' repeats ' || b.indexrelid::regclass, ', '), 'none')
	  FROM pg_index a
	  JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
	  JOIN pg_class ai ON ai.oid = a.indexrelid
	  JOIN pg_class bi ON bi.oid = b.indexrelid AND bi.relam = ai.relam
	  JOIN pg_am m ON m.oid = ai.relam AND m.amname = 'btree'
	  JOIN pg_class t ON t.oid = a.indrelid
	 WHERE t.relnamespace IN ('claimscrub'::regnamespace, 'claimscrub_archive'::regnamespace)
	   AND NOT a.indisunique AND a.indexprs IS NULL AND b.indexprs IS NULL
	   AND a.indnkeyatts <= b.indnkeyatts
	   AND (a.indkey::int2[])[0:a.indnkeyatts - 1] = (b.indkey::int2[])[0:a.indnkeyatts - 1]
	   AND (a.indoption::int2[])[0:a.indnkeyatts - 1] = (b.indoption::int2[])[0:a.indnkeyatts - 1]
	   AND pg_get_expr(a.indpred, a.indrelid) IS NOT DISTINCT FROM pg_get_expr(b.indpred, b.indrelid)")" none
finish
