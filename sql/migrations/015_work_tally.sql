-- 015_work_tally.sql: the work items' counts by bucket, kept as they change
-- (issue 16: counting 500,000 open work items for the buckets' page took
-- 1.4 s).  work_tally holds, per state, each dimension's keys (severity,
-- payer, provider, assignee, rule, and the hour each item was opened) with
-- their items and money at risk; work_tally_delta the changes not yet
-- added in, appended by work_item's triggers without a lock on a count
-- (two daemons writing at once never wait on each other's counts).
-- sql/api/060_workflow.sql makes the triggers, folds the changes in and
-- fills both tables from work_item whenever it is applied.  Transactional
-- and idempotent.
BEGIN;

CREATE TABLE IF NOT EXISTS claimscrub.work_tally (
	state     text NOT NULL,
	dimension text NOT NULL,
	key       text NOT NULL,
	items     bigint NOT NULL,
	amount    numeric NOT NULL,
	PRIMARY KEY (state, dimension, key)
);

CREATE TABLE IF NOT EXISTS claimscrub.work_tally_delta (
	state     text NOT NULL,
	dimension text NOT NULL,
	key       text NOT NULL,
	items     bigint NOT NULL,
	amount    numeric NOT NULL
);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (15, 'work_tally') ON CONFLICT (version) DO NOTHING;

COMMIT;
