-- 008_queue_locks.sql: the daemons' turn (issue 14, item 6).  Any login
-- could stop every daemon while claim_batch() took its turn with an
-- advisory lock, which needs no privilege; the daemons now take turns on
-- the one row of claimscrub.queue_lock (SELECT ... FOR UPDATE,
-- sql/api/040_batch.sql), which only claimscrub_daemon can lock
-- (sql/api/090_privileges.sql).  Transactional and idempotent.
BEGIN;

-- One row, ever (the CHECK and the key): what claim_batch() locks.
CREATE TABLE IF NOT EXISTS claimscrub.queue_lock (
	one boolean PRIMARY KEY DEFAULT true CHECK (one)
);
INSERT INTO claimscrub.queue_lock VALUES (true) ON CONFLICT DO NOTHING;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (8, 'queue_locks') ON CONFLICT (version) DO NOTHING;

COMMIT;
