-- 022_result_event_lean.sql: a billing event costs one heap row and two
-- index entries (issue 19: the drain).  write_batch() records one event a
-- claim written; its foreign key to claim and its index on claim_id were
-- about 6 µs of a claim's 70 (a key check and an index entry each).  What
-- they gave is kept otherwise:
--
--   an event names a claim that exists: only the API records events, each
--     for a claim it has just written (040_batch.sql, 030_submit.sql,
--     070_results.sql), and results_since() joins claim, so an event whose
--     claim went is not returned;
--   a claim that goes takes its events with it: archive() moves them with
--     one scan of result_event a call (080_archive.sql), and
--     store_documents() deletes those of a claim it re-creates
--     (030_submit.sql).
--
-- The archive's twin keeps its columns (018: LIKE).  Transactional and
-- idempotent.
BEGIN;

ALTER TABLE claimscrub.result_event DROP CONSTRAINT IF EXISTS result_event_claim_id_fkey;
DROP INDEX IF EXISTS claimscrub.result_event_claim_idx;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (22, 'result_event_lean') ON CONFLICT (version) DO NOTHING;

COMMIT;
