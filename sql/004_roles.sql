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
-- granted more by hand) converges on exactly these privileges.
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
-- Its statements (daemon/queue.c, daemon/main.c) run with its own rights:
-- claim_document() and write_results() stay SECURITY INVOKER.  Making them
-- SECURITY DEFINER would shrink the list below only on paper: their bodies
-- would then run with the rights of their owner (whoever ran the
-- migrations, in practice a superuser), so the daemon would be running
-- superuser code after all, and write_results() would have to trust a temp
-- table named claimscrub_batch that the caller can create first, with
-- triggers of its own (code run as the owner).  The invoker set is the
-- smaller set of rights actually exercised, and it is all visible here:
--
--   claim      SELECT (all columns: SQL_LOCK passes the whole row to
--              claim_document(c), and a whole-row reference needs every
--              column); UPDATE of the seven columns the daemon writes
--              (SQL_CLAIM: attempts, claimed_at; SQL_MARK and
--              write_results: status, result, rules_version, scrubbed_at,
--              scrubbed_version, attempts, claimed_at) -- which also lets it
--              lock rows FOR UPDATE.  Not claim_ref, payer, version, ...;
--              no INSERT, DELETE or TRUNCATE.
--   claim_line, administration   SELECT (claim_document reads them)
--   schema_migrations            SELECT (the schema version check)
--   finding    SELECT of claim_id and resolution only (the WHERE of
--              write_results' DELETE); INSERT of the columns write_results
--              fills, not the reviewer's (resolution, resolved_by,
--              resolved_at, note); DELETE, which row-level security
--              (below) limits to unresolved findings, the ones
--              write_results deletes.  No UPDATE: it cannot touch a
--              resolution.
--              The identity column needs no sequence privilege.
--   claim_document(claim), write_results(jsonb)   EXECUTE
--   the database   TEMPORARY (write_results' temp table claimscrub_batch;
--              granted here rather than relying on PUBLIC's default)
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
