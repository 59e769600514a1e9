-- 001_schema.sql: the claim queue: claims, their billed lines and
-- documented administrations, findings, and the migration record.
--
-- A migration holds tables, columns, indexes, constraints and the changes
-- of rows they need, nothing else: functions, triggers, views, roles and
-- privileges are in sql/api/ (sql/README.md).  Transactional and
-- idempotent: `psql -v ON_ERROR_STOP=1 -f` runs it as one transaction, and
-- running it again changes nothing.  Rows are kept
-- permissive on purpose (times as the text that was documented, units
-- unconstrained): a bad row written straight into the tables must reach the
-- daemon, which marks that claim `invalid` with the reason, instead of being
-- lost to a constraint in some other system's insert.
BEGIN;

CREATE SCHEMA IF NOT EXISTS claimscrub;

CREATE TABLE IF NOT EXISTS claimscrub.schema_migrations (
	version     integer PRIMARY KEY,
	name        text NOT NULL,
	applied_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS claimscrub.claim (
	id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	claim_ref        text NOT NULL UNIQUE,
	payer            text,
	setting          text,
	provider         text,
	date_of_service  date,
	status           text NOT NULL DEFAULT 'pending'
	                 CHECK (status IN ('pending', 'clean', 'flagged', 'invalid')),
	version          integer NOT NULL DEFAULT 1,
	attempts         integer NOT NULL DEFAULT 0,
	enqueued_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
	scrubbed_at      timestamptz,
	scrubbed_version integer,
	rules_version    text,
	result           jsonb
);

-- The queue: only pending claims, in arrival order.  Small and hot.
CREATE INDEX IF NOT EXISTS claim_pending_idx
	ON claimscrub.claim (enqueued_at, id) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS claimscrub.claim_line (
	claim_id   bigint NOT NULL REFERENCES claimscrub.claim (id) ON DELETE CASCADE,
	line_no    integer NOT NULL,
	code       text,
	units      integer,
	modifiers  text[],
	PRIMARY KEY (claim_id, line_no)
);

CREATE TABLE IF NOT EXISTS claimscrub.administration (
	claim_id               bigint NOT NULL REFERENCES claimscrub.claim (id) ON DELETE CASCADE,
	seq                    integer NOT NULL,
	admin_ref              text,
	substance              text,
	kind                   text,
	route                  text,
	site                   text,
	start_time             text,
	stop_time              text,
	is_primary             boolean,
	separate_site_required boolean,
	PRIMARY KEY (claim_id, seq)
);

CREATE TABLE IF NOT EXISTS claimscrub.finding (
	id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	claim_id           bigint NOT NULL REFERENCES claimscrub.claim (id) ON DELETE CASCADE,
	claim_version      integer NOT NULL,
	ordinal            integer NOT NULL,
	rule               text NOT NULL,
	severity           text NOT NULL,
	line_no            integer,
	administration_ref text,
	message            text NOT NULL,
	evidence           jsonb NOT NULL DEFAULT '{}',
	suggest            jsonb,
	created_at         timestamptz NOT NULL DEFAULT now(),
	resolution         text CHECK (resolution IN ('corrected', 'accepted-risk', 'false-positive')),
	resolved_by        text,
	resolved_at        timestamptz,
	note               text,
	-- one finding per position per version: a version is never written twice
	UNIQUE (claim_id, claim_version, ordinal)
);
CREATE INDEX IF NOT EXISTS finding_open_idx
	ON claimscrub.finding (claim_id) WHERE resolution IS NULL;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (1, 'schema') ON CONFLICT (version) DO NOTHING;

COMMIT;
