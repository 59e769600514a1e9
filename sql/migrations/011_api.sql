-- 011_api.sql: functions, triggers, views, roles and privileges move to
-- sql/api/ (issue 19, item 3), and 003's layer goes.
--
--   claimscrub.schema_api  one row per api file: its checksum when
--                          `claimscrub db migrate` last applied it, which
--                          applies every api file again when one differs
--   003's layer            claim.claimed_at (its lease claim by claim),
--                          claim_document() and write_results(): no daemon
--                          since 006 reads or writes them
--   old forms              functions whose arguments or result columns
--                          changed (006's, 007's and 008's claim_batch,
--                          read_claims and write_batch): a database that
--                          skipped a migration still has them, and
--                          CREATE OR REPLACE cannot change a result type
--
-- The daemon's grants shrink with the layer (sql/api/090_privileges.sql):
-- no claimed_at, no 003 functions, no TEMPORARY on the database.
-- Transactional and idempotent.  Upgrading: stop every daemon, migrate,
-- start the new ones.
BEGIN;

CREATE TABLE IF NOT EXISTS claimscrub.schema_api (
	name        text PRIMARY KEY,
	checksum    text NOT NULL,	-- SHA-256 of the file, hex
	applied_at  timestamptz NOT NULL DEFAULT now()
);

DROP FUNCTION IF EXISTS claimscrub.claim_document(claimscrub.claim);
DROP FUNCTION IF EXISTS claimscrub.write_results(jsonb);
ALTER TABLE claimscrub.claim DROP COLUMN IF EXISTS claimed_at;

DROP FUNCTION IF EXISTS claimscrub.read_claims(bigint[]);
DROP FUNCTION IF EXISTS claimscrub.claim_batch(integer, double precision);
DROP FUNCTION IF EXISTS claimscrub.write_batch(jsonb);
-- 008's forms had positional result columns f1..f9; 009's are named
DO $$
DECLARE
	fn regprocedure;
BEGIN
	FOREACH fn IN ARRAY ARRAY[
		to_regprocedure('claimscrub.read_claims(bigint[], integer, integer)'),
		to_regprocedure('claimscrub.claim_batch(integer, double precision, integer, integer)')] LOOP
		IF fn IS NOT NULL AND EXISTS (SELECT FROM pg_catalog.pg_proc p
					      WHERE p.oid = fn AND 'f1' = ANY (p.proargnames)) THEN
			EXECUTE format('DROP FUNCTION %s', fn);
		END IF;
	END LOOP;
END $$;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (11, 'api') ON CONFLICT (version) DO NOTHING;

COMMIT;
