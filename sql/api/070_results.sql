-- 070_results.sql: results back to billing (issue 17, item 4).  Each
-- change of a claim's outcome for billing is a row of
-- claimscrub.result_event (016_results.sql):
--
--   clean      scrubbed with nothing to review, waiting for release (only
--              when the setting release_clean is off)
--   released   may go to the payer: clean under release_clean (the
--              default), or flagged and every error and warning finding
--              decided (the work item's released_at, 060_workflow.sql)
--   held       flagged: waiting for review
--   invalid    cannot be scrubbed: waiting for a correction
--   void       voided by the billing system (an 837 of frequency 8,
--              void_claim in 030_submit.sql): not scrubbed, not to be paid
--
-- write_batch() and mark_invalid() (040_batch.sql) record clean,
-- released, held and invalid; a work item's release records 'released';
-- void_claim() records 'void'.  Every
-- statement that records one notifies claimscrub_result (no payload: a
-- wake-up).  A billing system (role claimscrub_reader) reads them with a
-- cursor:
--
--   BEGIN ISOLATION LEVEL REPEATABLE READ;
--   SELECT claimscrub.results_cursor();            -- keep it for next time
--   SELECT * FROM claimscrub.results_since(:last); -- NULL: from the start
--   COMMIT;
--
-- The cursor is a snapshot: what it did not see is what is new, whatever
-- the order events commit in, so a reader that keeps each cursor after
-- taking its rows gets every event once (`claimscrub export` does).

-- A scrubbed claim's status as its outcome for billing.
CREATE OR REPLACE FUNCTION claimscrub.result_state(status text) RETURNS text
LANGUAGE sql STABLE AS $$
SELECT CASE status
	WHEN 'clean' THEN CASE WHEN coalesce((SELECT s.value FROM claimscrub.setting s
					       WHERE s.name = 'release_clean'), 'on') = 'on'
			       THEN 'released' ELSE 'clean' END
	WHEN 'flagged' THEN 'held'
	ELSE 'invalid' END
$$;

-- A work item released (every error and warning decided): 'released'.
CREATE OR REPLACE FUNCTION claimscrub.result_released() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO claimscrub.result_event (claim_id, claim_version, state)
	VALUES (NEW.claim_id, NEW.claim_version, 'released');
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER result_released_insert AFTER INSERT ON claimscrub.work_item
	FOR EACH ROW WHEN (NEW.released_at IS NOT NULL)
	EXECUTE FUNCTION claimscrub.result_released();
CREATE OR REPLACE TRIGGER result_released_update AFTER UPDATE OF released_at
	ON claimscrub.work_item
	FOR EACH ROW WHEN (OLD.released_at IS NULL AND NEW.released_at IS NOT NULL)
	EXECUTE FUNCTION claimscrub.result_released();

CREATE OR REPLACE FUNCTION claimscrub.result_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('claimscrub_result', '');
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER result_notify AFTER INSERT ON claimscrub.result_event
	FOR EACH STATEMENT EXECUTE FUNCTION claimscrub.result_notify();

-- The cursor of the caller's snapshot (call it in the REPEATABLE READ
-- transaction that reads results_since).
CREATE OR REPLACE FUNCTION claimscrub.results_cursor() RETURNS text
LANGUAGE sql STABLE AS $$
SELECT pg_catalog.pg_current_snapshot()::text
$$;

-- The events the snapshot cursor (results_cursor()'s text; NULL or '':
-- none, every event) did not see, in the order they were recorded: the
-- claim, its version, its state and when, and that version's findings as
-- they stand now (rule, severity, line, administration, message, the fix,
-- and the decision if any).
CREATE OR REPLACE FUNCTION claimscrub.results_since(cursor text)
RETURNS TABLE (event bigint, claim_ref text, version integer, state text,
	at timestamptz, findings jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	snap pg_snapshot;
BEGIN
	IF coalesce(cursor, '') <> '' THEN
		BEGIN
			snap := cursor::pg_snapshot;
		EXCEPTION WHEN invalid_text_representation OR invalid_parameter_value THEN
			RAISE EXCEPTION 'a cursor is what results_cursor() returned (xmin:xmax:xip,...), not %',
				quote_literal(left(cursor, 64))
				USING ERRCODE = 'invalid_parameter_value';
		END;
		-- a cursor of transactions this database has not run yet: another
		-- database's, or this one's before it was restored elsewhere
		IF pg_snapshot_xmax(snap) > pg_snapshot_xmax(pg_current_snapshot()) THEN
			RAISE EXCEPTION 'cursor % is ahead of this database (another database''s, or from before a restore): export from the start',
				quote_literal(left(cursor, 64))
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
	END IF;
	RETURN QUERY
	SELECT e.id, c.claim_ref, e.claim_version, e.state, e.at,
	       coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
				'rule', f.rule, 'severity', f.severity, 'line', f.line_no,
				'administration', f.administration_ref, 'message', f.message,
				'suggest', f.suggest, 'resolution', f.resolution,
				'reason', f.reason)) ORDER BY f.ordinal)
		   FROM claimscrub.finding f
		  WHERE f.claim_id = e.claim_id AND f.claim_version = e.claim_version), '[]')
	  FROM claimscrub.result_event e
	  JOIN claimscrub.claim c ON c.id = e.claim_id
	 WHERE snap IS NULL
	    OR (e.xid >= pg_snapshot_xmin(snap) AND NOT pg_visible_in_snapshot(e.xid, snap))
	 ORDER BY e.id;
END $$;
