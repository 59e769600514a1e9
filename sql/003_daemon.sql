-- 003_daemon.sql: what the daemon calls: a queued claim rendered back into
-- a claim document (so the daemon reads it with the same strict reader as
-- `claimscrub check`, and a bad row is reported exactly as a bad document
-- would be), and one call that writes a whole batch of results.
BEGIN;

-- When a daemon last claimed the claim: a lease.  Other daemons leave a claim
-- claimed less than a lease ago alone, so two daemons never count an attempt
-- for one claim at once; a dead daemon's claims come back when it runs out.
ALTER TABLE claimscrub.claim ADD COLUMN IF NOT EXISTS claimed_at timestamptz;

-- The claim as a claim document.  Optional columns that are NULL are left
-- out; required ones stay, as JSON null, so the reader says what is missing.
CREATE OR REPLACE FUNCTION claimscrub.claim_document(c claimscrub.claim)
RETURNS jsonb LANGUAGE sql STABLE AS $$
SELECT jsonb_build_object('claim', c.claim_ref, 'setting', c.setting)
    || jsonb_strip_nulls(jsonb_build_object(
	'payer', c.payer, 'provider', c.provider,
	'date_of_service', to_char(c.date_of_service, 'YYYY-MM-DD')))
    || jsonb_build_object(
	'lines', coalesce((
		SELECT jsonb_agg(jsonb_build_object('code', l.code, 'units', l.units)
			|| CASE WHEN l.modifiers IS NULL OR cardinality(l.modifiers) = 0
				THEN '{}'::jsonb
				ELSE jsonb_build_object('modifiers', to_jsonb(l.modifiers)) END
			ORDER BY l.line_no)
		  FROM claimscrub.claim_line l WHERE l.claim_id = c.id), '[]'),
	'administrations', coalesce((
		SELECT jsonb_agg(jsonb_build_object('id', a.admin_ref,
				'substance', a.substance, 'kind', a.kind)
			|| jsonb_strip_nulls(jsonb_build_object(
				'route', a.route, 'site', a.site,
				'start', a.start_time, 'stop', a.stop_time,
				'primary', a.is_primary,
				'separate_site_required', a.separate_site_required))
			ORDER BY a.seq)
		  FROM claimscrub.administration a WHERE a.claim_id = c.id), '[]'))
$$;

-- Writes a batch of results: [{id, version, status, result, rules}, ...].
-- Replaces each claim's unresolved findings (reviewer decisions stay) and
-- inserts one row per finding of the result, all in set-based statements.
-- Returns the number of claims written; a claim whose version moved on is
-- left alone.
CREATE OR REPLACE FUNCTION claimscrub.write_results(batch jsonb)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	IF to_regclass('pg_temp.claimscrub_batch') IS NULL THEN
		CREATE TEMP TABLE claimscrub_batch (
			id bigint PRIMARY KEY, version integer, status text,
			result jsonb, rules text) ON COMMIT DELETE ROWS;
	END IF;
	TRUNCATE claimscrub_batch;
	INSERT INTO claimscrub_batch
	SELECT b.id, b.version, b.status, b.result, b.rules
	  FROM jsonb_to_recordset(batch)
	       AS b(id bigint, version integer, status text, result jsonb, rules text)
	  JOIN claimscrub.claim c ON c.id = b.id AND c.version = b.version;

	UPDATE claimscrub.claim c
	   SET status = b.status, result = b.result, rules_version = b.rules,
	       scrubbed_at = clock_timestamp(), scrubbed_version = b.version,
	       attempts = 0, claimed_at = NULL
	  FROM claimscrub_batch b WHERE c.id = b.id;
	GET DIAGNOSTICS n = ROW_COUNT;

	DELETE FROM claimscrub.finding f USING claimscrub_batch b
	 WHERE f.claim_id = b.id AND f.resolution IS NULL;

	INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule,
		severity, line_no, administration_ref, message, evidence, suggest)
	SELECT b.id, b.version, (e.n - 1)::integer, e.f->>'rule', e.f->>'severity',
	       (e.f->>'line')::integer, e.f->>'administration', e.f->>'message',
	       coalesce(e.f->'evidence', '{}'), nullif(e.f->'suggest', 'null')
	  FROM claimscrub_batch b,
	       jsonb_array_elements(b.result->'findings') WITH ORDINALITY AS e(f, n);
	RETURN n;
END $$;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (3, 'daemon') ON CONFLICT (version) DO NOTHING;

COMMIT;
