-- 009_claim_rows.sql: a line has a date of service (issue 19, item 1), for
-- the intake of 837 lines (the engine does not judge it yet).  submit()
-- takes it as lines[].service_date, YYYY-MM-DD from 1900-01-01 to
-- 2999-12-31 as the reader does; the column holds any date a document's
-- format can carry (no BC, no infinity: see 007), so a row written around
-- submit() with a date out of the reader's range reaches the daemon and
-- becomes invalid with the reason.  Transactional and idempotent.
BEGIN;

ALTER TABLE claimscrub.claim_line ADD COLUMN IF NOT EXISTS service_date date
	CONSTRAINT claim_line_service_date_check
	CHECK (service_date BETWEEN '0001-01-01' AND '9999-12-31');

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (9, 'claim_rows') ON CONFLICT (version) DO NOTHING;

COMMIT;
