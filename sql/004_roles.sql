-- 004_roles.sql: least-privilege group roles (NOLOGIN; give a login role
-- membership: CREATE ROLE scrubd LOGIN IN ROLE claimscrub_daemon):
--
--   claimscrub_daemon     exactly what claimscrubd's statements need
--   claimscrub_reviewer   reads claims and findings, resolves findings
--   claimscrub_submitter  claimscrub.submit(jsonb) and nothing else
--
-- Transactional and idempotent: roles are created only when missing, and
-- every run first takes away everything the three roles hold in the schema
-- and then grants the sets below, so running it again (or after someone
-- granted more by hand) converges on exactly these privileges -- and takes
-- away what the later migrations grant (005 on, the daemon's batch
-- functions among them): run every later file again after it, as
-- tests/pg/roles.sh does.  `claimscrub db migrate` never re-runs a file.
--
-- A later migration that adds a table or function must grant it to these
-- roles as needed and REVOKE EXECUTE on new functions FROM PUBLIC
-- (PostgreSQL lets PUBLIC execute every new function; a schema-level
-- default cannot take that back).
--
-- Note that CREATE OR REPLACE FUNCTION resets SECURITY DEFINER and SET: a
-- later migration that replaces claimscrub.submit must repeat the ALTER
-- FUNCTION below (without it the submitter gets "permission denied": it
-- fails closed).
BEGIN;

DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['claimscrub_daemon', 'claimscrub_reviewer',
				 'claimscrub_submitter'] LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END $$;

-- ---- nothing for PUBLIC ----------------------------------------------------

REVOKE ALL ON SCHEMA claimscrub FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA claimscrub FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA claimscrub FROM PUBLIC;
-- functions are executable by PUBLIC by default, submit() included
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA claimscrub FROM PUBLIC;

-- ---- start from nothing (re-runs converge) --------------------------------

REVOKE ALL ON SCHEMA claimscrub
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter;
REVOKE ALL ON ALL TABLES IN SCHEMA claimscrub	-- column privileges too
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA claimscrub
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA claimscrub
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter;

GRANT USAGE ON SCHEMA claimscrub
	TO claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter;

-- ---- the daemon ----------------------------------------------------------------
--
-- These are the grants of 003's algorithm, a claim leased, read through
-- claim_document() and written by write_results() one by one; no daemon
-- runs it any more.  Since 006 a daemon takes a batch with claim_batch(),
-- reads its rows with read_claims(), writes them with write_batch() and
-- gives the lease up with end_batch(); 008 added queue_lock and
-- bound_lock_wait().  006 and 008 grant those functions and tables; the
-- table privileges below are still what their bodies (SECURITY INVOKER,
-- run with the daemon's own rights) use, and the rest (claimed_at,
-- claim_document(), write_results(), TEMPORARY) are 003's, left until a
-- migration drops that layer.  The rights are the invoker's on purpose:
-- SECURITY DEFINER would shrink the list below only on paper, the bodies
-- then running with the rights of their owner (whoever ran the migrations,
-- in practice a superuser).
--
--   claim      SELECT (all columns); UPDATE of the columns the daemon
--              writes (status, result, rules_version, scrubbed_at,
--              scrubbed_version, attempts, and 003's claimed_at), which
--              also lets it lock rows FOR UPDATE.  Not claim_ref, payer,
--              version, ...; no INSERT, DELETE or TRUNCATE.
--   claim_line, administration   SELECT (read_claims reads them)
--   schema_migrations            SELECT (the schema version check)
--   finding    SELECT of claim_id and resolution only (the WHERE of
--              write_batch's DELETE); INSERT of the columns write_batch
--              fills, not the reviewer's (resolution, resolved_by,
--              resolved_at, note); DELETE, which row-level security
--              (below) limits to unresolved findings, the ones
--              write_batch deletes.  No UPDATE: it cannot touch a
--              resolution.
--              The identity column needs no sequence privilege.
--   claim_document(claim), write_results(jsonb)   EXECUTE (003's)
--   the database   TEMPORARY (003's write_results used a temp table;
--              granted here rather than relying on PUBLIC's default,
--              which 007 takes away)
--
-- LISTEN and pg_notify (the queue triggers) need no privilege; trigger
-- functions are not checked for EXECUTE when they fire.
GRANT SELECT ON claimscrub.claim TO claimscrub_daemon;
GRANT UPDATE (status, result, rules_version, scrubbed_at, scrubbed_version,
	      attempts, claimed_at) ON claimscrub.claim TO claimscrub_daemon;
GRANT SELECT ON claimscrub.claim_line, claimscrub.administration,
	claimscrub.schema_migrations TO claimscrub_daemon;
GRANT SELECT (claim_id, resolution) ON claimscrub.finding TO claimscrub_daemon;
GRANT INSERT (claim_id, claim_version, ordinal, rule, severity, line_no,
	      administration_ref, message, evidence, suggest)
	ON claimscrub.finding TO claimscrub_daemon;
GRANT DELETE ON claimscrub.finding TO claimscrub_daemon;
GRANT EXECUTE ON FUNCTION claimscrub.claim_document(claimscrub.claim),
	claimscrub.write_results(jsonb) TO claimscrub_daemon;
DO $$
BEGIN
	EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO claimscrub_daemon',
		       current_database());
END $$;

-- ---- the reviewer ------------------------------------------------------------
-- Reads the claims and their findings; decides on findings: only the four
-- reviewer columns (not rule, message, severity, ...; not claim status).
GRANT SELECT ON claimscrub.claim, claimscrub.claim_line,
	claimscrub.administration, claimscrub.finding TO claimscrub_reviewer;
GRANT UPDATE (resolution, resolved_by, resolved_at, note)
	ON claimscrub.finding TO claimscrub_reviewer;

-- ---- reviewer decisions are out of the daemon's reach -------------------------
-- DELETE is a table privilege: by itself it would let the daemon delete a
-- finding a reviewer resolved.  Row-level security narrows it to what
-- write_results deletes, unresolved findings; the reviewer sees and updates
-- every finding.  Owner and superusers bypass RLS (migrations, operators);
-- a role with grants on finding but no policy here sees no rows at all.
ALTER TABLE claimscrub.finding ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS daemon_read ON claimscrub.finding;
DROP POLICY IF EXISTS daemon_write ON claimscrub.finding;
DROP POLICY IF EXISTS daemon_delete ON claimscrub.finding;
DROP POLICY IF EXISTS reviewer_read ON claimscrub.finding;
DROP POLICY IF EXISTS reviewer_update ON claimscrub.finding;
CREATE POLICY daemon_read ON claimscrub.finding FOR SELECT
	TO claimscrub_daemon USING (true);
CREATE POLICY daemon_write ON claimscrub.finding FOR INSERT
	TO claimscrub_daemon WITH CHECK (resolution IS NULL);
CREATE POLICY daemon_delete ON claimscrub.finding FOR DELETE
	TO claimscrub_daemon USING (resolution IS NULL);
CREATE POLICY reviewer_read ON claimscrub.finding FOR SELECT
	TO claimscrub_reviewer USING (true);
CREATE POLICY reviewer_update ON claimscrub.finding FOR UPDATE
	TO claimscrub_reviewer USING (true) WITH CHECK (true);

-- ---- the submitter ---------------------------------------------------------------
-- submit() only: it runs as its owner (SECURITY DEFINER), so the submitter
-- needs no table privilege at all and can neither read claims nor write
-- anything but a checked claim document.  The search path is fixed, so no
-- object of the caller's (pg_temp last, never searched for functions or
-- operators) can stand in for one the body uses: the body and the check_*
-- and doc_* functions it calls name every claimscrub object with its schema,
-- and everything else they use (set_config, jsonb functions and operators,
-- types) is in pg_catalog.  The helpers run inside submit() with the same
-- search path and the owner's rights; they stay non-executable for PUBLIC.
-- The owner is the role that ran the migrations: give the schema a
-- dedicated non-superuser owner in production, so that submit()'s fixed
-- body (which writes claim, claim_line and administration, nothing else)
-- runs with no more than that owner's rights.
ALTER FUNCTION claimscrub.submit(jsonb)
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
GRANT EXECUTE ON FUNCTION claimscrub.submit(jsonb) TO claimscrub_submitter;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (4, 'roles') ON CONFLICT (version) DO NOTHING;

COMMIT;
