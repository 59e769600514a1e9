-- 016_results.sql: results back to billing (issue 17, item 4).
-- result_event: one row each time a claim's outcome for billing changes:
-- scrubbed 'clean' (waiting for release), 'released' (clean and released
-- at once under the release_clean setting, or flagged and every error and
-- warning decided), 'held' (flagged: waiting for review) or 'invalid'
-- (cannot be scrubbed: waiting for a correction).  xid is the writing
-- transaction's: a reader's cursor is a snapshot, and the rows its
-- snapshot did not see are the new ones, in whatever order they commit
-- (claimscrub.results_since, sql/api/070_results.sql).  setting: the
-- database's own settings, one row each.  Transactional and idempotent.
BEGIN;

CREATE TABLE IF NOT EXISTS claimscrub.result_event (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	claim_id      bigint NOT NULL REFERENCES claimscrub.claim (id) ON DELETE CASCADE,
	claim_version integer NOT NULL,
	state         text NOT NULL CHECK (state IN ('clean', 'released', 'held', 'invalid')),
	xid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
	at            timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS result_event_xid_idx ON claimscrub.result_event (xid);
CREATE INDEX IF NOT EXISTS result_event_claim_idx ON claimscrub.result_event (claim_id);

CREATE TABLE IF NOT EXISTS claimscrub.setting (
	name  text PRIMARY KEY CHECK (name IN ('release_clean')),
	value text NOT NULL,
	CHECK (name <> 'release_clean' OR value IN ('on', 'off'))
);
INSERT INTO claimscrub.setting (name, value) VALUES ('release_clean', 'on')
ON CONFLICT (name) DO NOTHING;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (16, 'results') ON CONFLICT (version) DO NOTHING;

COMMIT;
