-- 019_void.sql: claims voided by the billing system (issue 17, item 1: an
-- 837 claim of frequency 8).  A claim's status may be 'void': out of the
-- queue, never scrubbed again until the claim is submitted anew (a void is
-- the billing system taking the claim back, not a verdict), and out of
-- the reports, whose views name the statuses they count.  Billing reads
-- the void back as a result event of state 'void'
-- (claimscrub.void_claim, sql/api/030_submit.sql).  The archive's tables
-- carry no CHECK (018 made them LIKE the working ones without their
-- constraints): nothing to change there.  Transactional and idempotent.
BEGIN;

ALTER TABLE claimscrub.claim DROP CONSTRAINT IF EXISTS claim_status_check;
ALTER TABLE claimscrub.claim ADD CONSTRAINT claim_status_check
	CHECK (status IN ('pending', 'clean', 'flagged', 'invalid', 'void'));

ALTER TABLE claimscrub.result_event DROP CONSTRAINT IF EXISTS result_event_state_check;
ALTER TABLE claimscrub.result_event ADD CONSTRAINT result_event_state_check
	CHECK (state IN ('clean', 'released', 'held', 'invalid', 'void'));

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (19, 'void') ON CONFLICT (version) DO NOTHING;

COMMIT;
