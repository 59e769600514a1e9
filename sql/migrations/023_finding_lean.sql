-- 023_finding_lean.sql: a finding costs one index entry less (issue 19:
-- the drain).  012 added finding_claim_version_idx on (claim_id,
-- claim_version); 001's UNIQUE (claim_id, claim_version, ordinal) already
-- begins with those two columns, serves every lookup the other did (a
-- btree answers equality on a prefix of its columns) and is the same
-- size (an int4 more a row, taken by alignment).  Every finding the
-- daemon wrote paid for both.  Transactional and idempotent.
BEGIN;

DROP INDEX IF EXISTS claimscrub.finding_claim_version_idx;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (23, 'finding_lean') ON CONFLICT (version) DO NOTHING;

COMMIT;
