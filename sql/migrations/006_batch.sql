-- 006_batch.sql: the batches in flight, one row a batch: the lease on its
-- claims (claim_batch(), sql/api/040_batch.sql).  Claims of a batch are
-- left alone by the other daemons until its daemon starts its next batch
-- (which ends this one) or the lease runs out: then its daemon is taken for
-- dead (killed, crashed, cut off or stuck), and each of its claims still
-- pending has an attempt counted against it, so that a claim which kills
-- every daemon that scrubs it ends up invalid instead of stalling the queue
-- (the daemon's max_attempts).  Transactional and idempotent.
BEGIN;

CREATE TABLE IF NOT EXISTS claimscrub.batch (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner_pid  integer NOT NULL,
	taken_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	-- no NULL: one would make every claim look held (NOT IN) and stall
	-- the queue
	claim_ids  bigint[] NOT NULL CHECK (array_position(claim_ids, NULL) IS NULL)
);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (6, 'batch') ON CONFLICT (version) DO NOTHING;

COMMIT;
