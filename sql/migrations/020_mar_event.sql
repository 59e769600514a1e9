-- 020_mar_event.sql: the MAR records read from FHIR and HL7 v2 (issue 17:
-- `claimscrub import --submit --format fhir|hl7` and claimscrubd's MLLP
-- listener), kept until a later step joins them to claims on the
-- encounter.  One row per record: its encounter, the source's id of it
-- (FHIR resource id; HL7 "ORDER/RXA-2") and the record itself, as
-- marrec_json_write gives it (scrubber/marrec.h).  A record with an id is
-- kept once per source: the same id again (a resend after a lost ACK, an
-- HL7 update, a new FHIR version) replaces the row, through
-- claimscrub.mar_store (sql/api/035_mar.sql).  Not mirrored in
-- claimscrub_archive: the archive moves claims and their rows, and these
-- rows belong to an encounter, not to a claim.  Transactional and
-- idempotent.
BEGIN;

CREATE TABLE IF NOT EXISTS claimscrub.mar_event (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	encounter   text NOT NULL CHECK (octet_length(encounter) BETWEEN 1 AND 64),
	record_id   text CHECK (octet_length(record_id) BETWEEN 1 AND 600),
	source      text NOT NULL CHECK (source IN ('fhir', 'hl7')),
	record      jsonb NOT NULL CHECK (jsonb_typeof(record) = 'object'),
	received_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX IF NOT EXISTS mar_event_record_idx
	ON claimscrub.mar_event (source, record_id) WHERE record_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS mar_event_encounter_idx
	ON claimscrub.mar_event (encounter);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (20, 'mar_event') ON CONFLICT (version) DO NOTHING;

COMMIT;
