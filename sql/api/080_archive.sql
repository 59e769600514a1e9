-- 080_archive.sql: moving old, finished claims out of the working tables
-- (issue 18, item 4), into claimscrub_archive (018_archive.sql).
--
-- archive(before, lim, dry_run) moves at most lim claims released for
-- billing whose date of service (else the day scrubbed) is before
-- `before`: clean ones, flagged ones whose work item is released
-- (every error and warning decided), and voided ones.  Held, invalid and pending claims
-- stay, whatever their age.  Each claim goes with its lines,
-- administrations, findings (every version's), notes, billing events and
-- both audit trails (finding_audit, work_audit), copied first and then
-- deleted, in the caller's transaction: all of a claim or none of it.
-- The audits stay append-only for every row that stays: their triggers
-- (audit_append_only, 050_review.sql) let a DELETE through only inside
-- archive() (claimscrub.archiving on, for the transaction) and only for a
-- row already copied into the archive; UPDATE and TRUNCATE stay refused.  Returns what moved (or, dry_run,
-- what would).  Only the owner may run it (090: no grant).

CREATE OR REPLACE FUNCTION claimscrub.archive(before date, lim integer DEFAULT 10000,
	dry_run boolean DEFAULT false)
RETURNS TABLE (claims bigint, findings bigint, audit_rows bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	ids bigint[];
	moved text[] := ARRAY['claim_line', 'administration', 'finding', 'finding_audit',
			      'work_note', 'work_audit'];
	t text;
BEGIN
	IF before IS NULL OR lim IS NULL OR lim NOT BETWEEN 1 AND 1000000 THEN
		RAISE EXCEPTION 'archive: a date, and 1 to 1,000,000 claims at a time'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT array_agg(c.id) INTO ids FROM (
		SELECT c.id FROM claimscrub.claim c
		  LEFT JOIN claimscrub.work_item w ON w.claim_id = c.id
		 WHERE coalesce(c.date_of_service, c.scrubbed_at::date) < archive.before
		   AND (c.status IN ('clean', 'void')
			OR (c.status = 'flagged' AND w.released_at IS NOT NULL))
		 ORDER BY c.id LIMIT lim
		   FOR UPDATE OF c SKIP LOCKED) c;
	ids := coalesce(ids, '{}');
	claims := cardinality(ids);
	findings := (SELECT count(*) FROM claimscrub.finding f WHERE f.claim_id = ANY (ids));
	audit_rows := (SELECT count(*) FROM claimscrub.finding_audit a WHERE a.claim_id = ANY (ids))
		    + (SELECT count(*) FROM claimscrub.work_audit a WHERE a.claim_id = ANY (ids));
	IF dry_run OR claims = 0 THEN
		RETURN NEXT;
		RETURN;
	END IF;
	INSERT INTO claimscrub_archive.claim SELECT * FROM claimscrub.claim WHERE id = ANY (ids);
	-- every table that holds a claim's rows by claim_id: the live
	-- table's columns in its archive twin's order (018 made them LIKE
	-- each other; a later column is added to both, so at the end of both)
	FOREACH t IN ARRAY moved LOOP
		EXECUTE format('INSERT INTO claimscrub_archive.%1$I
				SELECT * FROM claimscrub.%1$I WHERE claim_id = ANY ($1)', t)
			USING ids;
	END LOOP;
	-- billing events have no key to claim (022): moved, not cascaded,
	-- in one scan of result_event
	WITH e AS (
		DELETE FROM claimscrub.result_event e WHERE e.claim_id = ANY (ids)
		RETURNING e.*)
	INSERT INTO claimscrub_archive.result_event SELECT * FROM e;
	INSERT INTO claimscrub_archive.archived (claim_id, claim_ref, before)
		SELECT c.id, c.claim_ref, archive.before FROM claimscrub.claim c WHERE c.id = ANY (ids);
	PERFORM set_config('claimscrub.archiving', 'on', true);
	DELETE FROM claimscrub.finding_audit WHERE claim_id = ANY (ids);
	DELETE FROM claimscrub.work_audit WHERE claim_id = ANY (ids);
	PERFORM set_config('claimscrub.archiving', 'off', true);
	-- the rest goes with the claim (ON DELETE CASCADE), the work item's
	-- counts with it (work_tally)
	DELETE FROM claimscrub.claim WHERE id = ANY (ids);
	RETURN NEXT;
END $$;
