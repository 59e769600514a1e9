-- 021_mar_wait.sql: a claim waits for its administration record (issue
-- 17, item 2).  A claim from an 837 carries its encounter (the key its MAR
-- records are kept under, mar_event.encounter) and no administrations of
-- its own; the daemon pairs the encounter's records at scrub time.
--
--   claim.encounter  the claim document's `encounter` (1 to 64 bytes, as
--                    the reader takes it);
--   claim.mar_due    until when a claim whose record has not come waits;
--   status waiting   such a claim, out of the queue until mar_store()
--                    brings its record or claim_batch() finds mar_due
--                    passed (then it is scrubbed, and the engine's
--                    mar-missing finding holds it);
--   setting mar_wait_minutes  how long (0 to 10080; 120 by default).
--
-- The archive's claim table gets the same two columns, at the end as
-- here (018: LIKE, moved with SELECT *).  read_claims() and claim_batch()
-- return the new column and the records: their old forms are dropped,
-- and re-created by sql/api/040_batch.sql.  Transactional and idempotent.
BEGIN;

ALTER TABLE claimscrub.claim ADD COLUMN IF NOT EXISTS encounter text
	CONSTRAINT claim_encounter_check
	CHECK (octet_length(encounter) BETWEEN 1 AND 64);
ALTER TABLE claimscrub.claim ADD COLUMN IF NOT EXISTS mar_due timestamptz;
ALTER TABLE claimscrub_archive.claim ADD COLUMN IF NOT EXISTS encounter text;
ALTER TABLE claimscrub_archive.claim ADD COLUMN IF NOT EXISTS mar_due timestamptz;

ALTER TABLE claimscrub.claim DROP CONSTRAINT IF EXISTS claim_status_check;
ALTER TABLE claimscrub.claim ADD CONSTRAINT claim_status_check
	CHECK (status IN ('pending', 'waiting', 'clean', 'flagged', 'invalid', 'void'));

-- mar_store() finds an encounter's claims; claim_batch() the waits that
-- ran out; read_claims() an encounter's records in arrival order, which
-- (encounter, id) gives at once: with (encounter) alone the planner walked
-- the primary key in id order and filtered on the encounter, reading every
-- record of every encounter for each claim (70 s for 20,000 claims,
-- bench/intake.sh).
CREATE INDEX IF NOT EXISTS claim_encounter_idx ON claimscrub.claim (encounter)
	WHERE encounter IS NOT NULL;
CREATE INDEX IF NOT EXISTS claim_waiting_idx ON claimscrub.claim (mar_due)
	WHERE status = 'waiting';
CREATE INDEX IF NOT EXISTS mar_event_encounter_id_idx
	ON claimscrub.mar_event (encounter, id);
DROP INDEX IF EXISTS claimscrub.mar_event_encounter_idx;

ALTER TABLE claimscrub.setting DROP CONSTRAINT IF EXISTS setting_name_check;
ALTER TABLE claimscrub.setting DROP CONSTRAINT IF EXISTS setting_check;
ALTER TABLE claimscrub.setting ADD CONSTRAINT setting_name_check
	CHECK (name IN ('release_clean', 'mar_wait_minutes'));
ALTER TABLE claimscrub.setting ADD CONSTRAINT setting_check
	CHECK ((name <> 'release_clean' OR value IN ('on', 'off'))
	       AND (name <> 'mar_wait_minutes'
		    OR CASE WHEN value ~ '^[0-9]{1,5}$' THEN value::integer <= 10080
			    ELSE false END));
INSERT INTO claimscrub.setting (name, value) VALUES ('mar_wait_minutes', '120')
ON CONFLICT (name) DO NOTHING;

DROP FUNCTION IF EXISTS claimscrub.claim_batch(integer, double precision,
	integer, integer, text);
DROP FUNCTION IF EXISTS claimscrub.claim_batch(integer, double precision,
	integer, integer);
DROP FUNCTION IF EXISTS claimscrub.read_claims(bigint[], integer, integer);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (21, 'mar_wait') ON CONFLICT (version) DO NOTHING;

COMMIT;
