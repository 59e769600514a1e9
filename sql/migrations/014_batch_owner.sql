-- 014_batch_owner.sql: a batch's owner is the id its daemon makes for
-- itself (issue 18: behind a transaction pooler such as PgBouncer,
-- pg_backend_pid() is shared between clients, and a daemon ended another's
-- batch and scrubbed its claims again).  owner_pid stays, for a daemon of
-- before this migration (its batches are owned by 'backend-<pid>').
-- Transactional and idempotent.
BEGIN;

ALTER TABLE claimscrub.batch ADD COLUMN IF NOT EXISTS owner text;
UPDATE claimscrub.batch SET owner = 'backend-' || owner_pid WHERE owner IS NULL;
ALTER TABLE claimscrub.batch ALTER COLUMN owner SET NOT NULL;
CREATE INDEX IF NOT EXISTS batch_owner_idx ON claimscrub.batch (owner);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (14, 'batch_owner') ON CONFLICT (version) DO NOTHING;

COMMIT;
