-- 090_privileges.sql: every privilege in the schema, whole.  It first takes
-- away everything PUBLIC and the four roles hold and then grants the sets
-- below, so applying it again (or after someone granted more by hand)
-- converges on exactly these.  `claimscrub db migrate` applies every api
-- file, this one last, whenever one of them changed: a function made
-- again, or a new one (PostgreSQL lets PUBLIC execute every new function;
-- a schema-level default cannot take that back), ends with the grants
-- below and no more.  A new table, view or function is granted here.
--
-- LISTEN and pg_notify (the queue triggers) need no privilege; trigger
-- functions are not checked for EXECUTE when they fire.

-- ---- nothing for PUBLIC, and start from nothing --------------------------------------
REVOKE ALL ON SCHEMA claimscrub FROM PUBLIC;
-- the archive (018, 080_archive.sql): the owner's alone
REVOKE ALL ON SCHEMA claimscrub_archive FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA claimscrub_archive FROM PUBLIC;
REVOKE ALL ON SCHEMA claimscrub_archive
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter,
	claimscrub_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA claimscrub_archive
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter,
	claimscrub_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA claimscrub FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA claimscrub FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA claimscrub FROM PUBLIC;

REVOKE ALL ON SCHEMA claimscrub
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter,
	claimscrub_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA claimscrub	-- column privileges too
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter,
	claimscrub_reader;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA claimscrub
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter,
	claimscrub_reader;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA claimscrub
	FROM claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter,
	claimscrub_reader;

GRANT USAGE ON SCHEMA claimscrub
	TO claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter,
	claimscrub_reader;

-- ---- temporary objects ------------------------------------------------------------
-- Nobody creates temporary objects (a leaky function of the reviewer's in
-- pg_temp read rows the views hide), the daemon included: no statement of
-- it needs one.  PUBLIC's default is taken away when this runs as the
-- database's owner (or a superuser); run as someone else it cannot (only
-- the owner's grant can be revoked), says so with a WARNING, and the
-- operator runs the REVOKE.
DO $$
DECLARE
	owner oid;
BEGIN
	EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM claimscrub_daemon',
		       current_database());
	SELECT d.datdba INTO owner FROM pg_catalog.pg_database d
	 WHERE d.datname = current_database();
	IF pg_catalog.pg_has_role(current_user, owner, 'MEMBER') THEN
		EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC',
			       current_database());
	ELSIF has_database_privilege('public', current_database(), 'TEMPORARY') THEN
		RAISE WARNING 'PUBLIC may still create temporary objects in database %', current_database()
			USING HINT = format('As its owner, run: REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC',
					    current_database());
	END IF;
END $$;

-- ---- the daemon ----------------------------------------------------------------
-- Its functions (040_batch.sql), and what their bodies use: they run with
-- the daemon's own rights.
--
--   claim      SELECT (all columns); UPDATE of the columns the daemon
--              writes (status, result, rules_version, scrubbed_at,
--              scrubbed_version, attempts), which also lets it lock rows
--              FOR UPDATE.  Not claim_ref, payer, version, ...; no INSERT,
--              DELETE or TRUNCATE.
--   claim_line, administration   SELECT (read_claims reads them)
--   schema_migrations, schema_api, schema_definitions   SELECT (the
--              schema version check; `claimscrub db status` run as the
--              daemon's login)
--   finding    SELECT of claim_id and resolution only (the WHERE of
--              write_batch's DELETE); INSERT of the columns write_batch
--              fills, not the reviewer's (resolution, resolved_by,
--              resolved_at, note); DELETE, which row-level security
--              (below) limits to unresolved findings.  No UPDATE: it
--              cannot touch a resolution.  The identity column needs no
--              sequence privilege.
--   batch      SELECT, INSERT, DELETE (the leases)
--   queue_lock SELECT (one), UPDATE (one): the two column privileges FOR
--              UPDATE needs, which allow no LOCK TABLE at all; nobody else
--              holds anything on it, so nobody else can hold the daemons'
--              turn
GRANT SELECT ON claimscrub.claim TO claimscrub_daemon;
GRANT UPDATE (status, result, rules_version, scrubbed_at, scrubbed_version,
	      attempts) ON claimscrub.claim TO claimscrub_daemon;
GRANT SELECT ON claimscrub.claim_line, claimscrub.administration,
	claimscrub.schema_migrations, claimscrub.schema_api,
	claimscrub.schema_definitions TO claimscrub_daemon;
GRANT SELECT (claim_id, resolution) ON claimscrub.finding TO claimscrub_daemon;
-- (the fingerprint too: write_batch makes a batch's at once; a finding of
-- a later version, whose fingerprint matches decisions, gets it from the
-- carry trigger instead, whatever came)
GRANT INSERT (claim_id, claim_version, ordinal, rule, severity, line_no,
	      administration_ref, message, evidence, suggest, fingerprint)
	ON claimscrub.finding TO claimscrub_daemon;
GRANT DELETE ON claimscrub.finding TO claimscrub_daemon;
GRANT SELECT, INSERT, DELETE ON claimscrub.batch TO claimscrub_daemon;
-- the outcome of each claim written, for billing (070_results.sql)
GRANT INSERT (claim_id, claim_version, state) ON claimscrub.result_event TO claimscrub_daemon;
GRANT SELECT ON claimscrub.setting TO claimscrub_daemon;
-- the MAR records of a claim's encounter, which read_claims returns
GRANT SELECT (id, encounter, record) ON claimscrub.mar_event TO claimscrub_daemon;
GRANT SELECT (one), UPDATE (one) ON claimscrub.queue_lock TO claimscrub_daemon;
GRANT EXECUTE ON FUNCTION claimscrub.bound_lock_wait(integer),
	claimscrub.read_claims(bigint[], integer, integer),
	claimscrub.claim_batch(integer, double precision, integer, integer),
	claimscrub.claim_batch(integer, double precision, integer, integer, text),
	claimscrub.write_batch(jsonb, integer), claimscrub.end_batch(),
	claimscrub.end_batch(text),
	claimscrub.mark_invalid(bigint, jsonb, integer),
	claimscrub.work_sync(bigint[], bigint[]),	-- write_batch keeps the work items
	claimscrub.work_tally_fold(integer),		-- end_batch, the buckets' counts
	claimscrub.fingerprint(text, text, text, jsonb),	-- and the findings' fingerprints
	claimscrub.result_state(text)			-- and the outcome for billing
	TO claimscrub_daemon;
-- the MAR records of HL7 v2 messages received over MLLP (daemon/mllp.c),
-- stored as the daemon itself: mar_store (SECURITY DEFINER, 035_mar.sql)
-- and not the table
GRANT EXECUTE ON FUNCTION claimscrub.mar_store(text, jsonb) TO claimscrub_daemon;

-- ---- the reviewer ------------------------------------------------------------
-- The views, the reason codes and the workflow's functions, nothing else:
-- decisions and every other action go through audited functions, which
-- run as the schema owner (050_review.sql, 060_workflow.sql).
GRANT SELECT ON claimscrub.scrubbed_claim, claimscrub.finding_detail,
	claimscrub.fee_schedule, claimscrub.review_queue,
	claimscrub.findings_by_payer, claimscrub.denial_risk_daily,
	claimscrub.findings_by_provider, claimscrub.findings_by_rule,
	claimscrub.line_risk, claimscrub.claim_net
	TO claimscrub_reviewer;
GRANT SELECT ON claimscrub.reason, claimscrub.payer_profile TO claimscrub_reviewer;
GRANT EXECUTE ON FUNCTION claimscrub.claim_net_in(date, date, text, text) TO claimscrub_reviewer;
GRANT EXECUTE ON FUNCTION claimscrub.resolve_finding(bigint, text, text),
	claimscrub.decide(bigint, text, text, timestamptz),
	claimscrub.decide_bulk(text, text, text, text, text, text, boolean, text[]),
	claimscrub.work_list(text, text, text, text, text, text, integer, numeric,
			     text, integer, integer, date, date),
	claimscrub.work_buckets(text, text, text, text, text, text, integer, numeric,
				date, date),
	claimscrub.view_save(text, text, boolean), claimscrub.view_delete(text),
	claimscrub.views(),
	claimscrub.work_take(text), claimscrub.work_assign(text, text, integer),
	claimscrub.work_defer(text, date, text, integer),
	claimscrub.work_route(text, text, text, integer),
	claimscrub.work_note(text, text, bigint), claimscrub.claim_detail(text)
	TO claimscrub_reviewer;

-- ---- the submitter ---------------------------------------------------------------
-- submit() and void_claim() only (SECURITY DEFINER, 030_submit.sql), and
-- mar_store() for the MAR records of `import --submit --format fhir|hl7`
-- (SECURITY DEFINER, 035_mar.sql).
GRANT EXECUTE ON FUNCTION claimscrub.submit(jsonb), claimscrub.submit_many(jsonb),
	claimscrub.void_claim(text),
	claimscrub.mar_store(text, jsonb)
	TO claimscrub_submitter;

-- ---- the reader (a billing system) ---------------------------------------------------
-- The results for billing, through the two functions of 070_results.sql
-- (SECURITY DEFINER), nothing else.
GRANT EXECUTE ON FUNCTION claimscrub.results_cursor(), claimscrub.results_since(text)
	TO claimscrub_reader;

-- ---- reviewer decisions are out of the daemon's reach -------------------------
-- DELETE is a table privilege: by itself it would let the daemon delete a
-- finding a reviewer resolved.  Row-level security narrows it to what
-- write_batch deletes, unresolved findings; and a finding the daemon
-- inserts comes undecided, unless its decision was carried from an earlier
-- version by the finding_carry trigger (which alone sets carried_from:
-- 060_workflow.sql).  Owner and superusers bypass
-- RLS (migrations, operators); a role with grants on finding but no policy
-- here sees no rows at all.
ALTER TABLE claimscrub.finding ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS daemon_read ON claimscrub.finding;
DROP POLICY IF EXISTS daemon_write ON claimscrub.finding;
DROP POLICY IF EXISTS daemon_delete ON claimscrub.finding;
DROP POLICY IF EXISTS reviewer_read ON claimscrub.finding;
DROP POLICY IF EXISTS reviewer_update ON claimscrub.finding;
CREATE POLICY daemon_read ON claimscrub.finding FOR SELECT
	TO claimscrub_daemon USING (true);
CREATE POLICY daemon_write ON claimscrub.finding FOR INSERT
	TO claimscrub_daemon WITH CHECK (resolution IS NULL OR carried_from IS NOT NULL);
CREATE POLICY daemon_delete ON claimscrub.finding FOR DELETE
	TO claimscrub_daemon USING (resolution IS NULL);
CREATE POLICY reviewer_read ON claimscrub.finding FOR SELECT
	TO claimscrub_reviewer USING (true);
CREATE POLICY reviewer_update ON claimscrub.finding FOR UPDATE
	TO claimscrub_reviewer USING (true) WITH CHECK (true);
