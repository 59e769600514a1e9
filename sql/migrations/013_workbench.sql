-- 013_workbench.sql: what the browser workbench (claimscrub-web, issue 16)
-- adds: saved views of the work list, and the older forms of the work
-- list's functions dropped (sql/api/060_workflow.sql makes the new ones in
-- the same `db migrate`: decide_bulk() takes the claims ticked, work_list()
-- a date-of-service range).  Transactional and idempotent.
BEGIN;

-- A person's named work-list views: the query string of a work-list URL
-- (its filters and sort), shown to its owner, and to every reviewer when
-- shared.
CREATE TABLE IF NOT EXISTS claimscrub.saved_view (
	owner      text NOT NULL,
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
	query      text NOT NULL CHECK (length(query) <= 1000),
	shared     boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (owner, name)
);

DROP FUNCTION IF EXISTS claimscrub.decide_bulk(text, text, text, text, text, text, boolean);
DROP FUNCTION IF EXISTS claimscrub.work_list(text, text, text, text, text, text, integer,
	numeric, text, integer, integer);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (13, 'workbench') ON CONFLICT (version) DO NOTHING;
COMMIT;
