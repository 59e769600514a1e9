-- 017_schema_checks.sql: what `claimscrub db status` checks the schema
-- against (issue 18, item 7).
--
--   schema_migrations.checksum  SHA-256 of each migration file as applied
--               (hex); `db migrate` records it after applying the file,
--               and for a migration applied before this one, as the file
--               is when it first runs: an edited migration is then
--               reported, not silently taken for the one applied
--   schema_definitions  one row: SHA-256 of the definitions the api files
--               make (functions, views, triggers, policies and their
--               privileges) as `db migrate` left them: a change made
--               outside it (a function altered by hand, a grant) is drift,
--               which `db status` names and `db migrate` undoes by
--               applying the api again
--
-- Transactional and idempotent.
BEGIN;

ALTER TABLE claimscrub.schema_migrations ADD COLUMN IF NOT EXISTS checksum text;

CREATE TABLE IF NOT EXISTS claimscrub.schema_definitions (
	one         boolean PRIMARY KEY DEFAULT true CHECK (one),
	checksum    text NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (17, 'schema_checks') ON CONFLICT (version) DO NOTHING;

COMMIT;
