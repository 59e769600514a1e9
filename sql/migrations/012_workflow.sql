-- 012_workflow.sql: the review workflow's tables (issue 15): reason codes,
-- a decision's reason and where a carried decision came from, one work
-- item per claim with findings, reviewers' notes and the workflow's
-- append-only audit (every action and every read of a claim's record).
-- The functions are sql/api/060_workflow.sql.  Transactional and
-- idempotent.
BEGIN;

-- ---- reason codes ---------------------------------------------------------------
-- Why a finding was decided; each maps onto one of the three resolutions
-- the reports count.  The three resolutions are reasons themselves (the
-- decisions of resolve_finding()).
CREATE TABLE IF NOT EXISTS claimscrub.reason (
	code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9-]{0,63}$'),
	resolution  text NOT NULL
	            CHECK (resolution IN ('corrected', 'accepted-risk', 'false-positive')),
	description text NOT NULL CHECK (length(description) BETWEEN 1 AND 200)
);
INSERT INTO claimscrub.reason (code, resolution, description) VALUES
	('corrected', 'corrected', 'corrected as the finding says'),
	('accepted-risk', 'accepted-risk', 'billed as is, the risk accepted'),
	('false-positive', 'false-positive', 'the finding is wrong for this claim'),
	('corrected-in-billing', 'corrected', 'corrected in the billing system as the fix says'),
	('documented-elsewhere', 'false-positive', 'the record behind it is documented where the claim did not look'),
	('rule-wrong', 'false-positive', 'the rule is wrong here: the rule needs a look'),
	('payer-exception', 'accepted-risk', 'the payer takes it as billed (contract or policy)')
ON CONFLICT (code) DO NOTHING;

-- ---- decisions: why, and carried across versions ----------------------------------
-- fingerprint: rule, the billed code of its line, its administration and
-- its evidence; a finding of a later version with the fingerprint of a
-- decided one gets that decision, carried_from naming the finding it was
-- first made on.
ALTER TABLE claimscrub.finding
	ADD COLUMN IF NOT EXISTS reason text REFERENCES claimscrub.reason (code),
	ADD COLUMN IF NOT EXISTS fingerprint text,
	ADD COLUMN IF NOT EXISTS carried_from bigint;
CREATE INDEX IF NOT EXISTS finding_claim_version_idx
	ON claimscrub.finding (claim_id, claim_version);
CREATE INDEX IF NOT EXISTS finding_decided_idx
	ON claimscrub.finding (claim_id, fingerprint) WHERE resolution IS NOT NULL;

-- ---- work items -----------------------------------------------------------------
-- One row per flagged or invalid claim, kept by the
-- daemon's writes and the reviewers' actions (sql/api/060_workflow.sql),
-- not recomputed by a view: what a work list filters and sorts.
CREATE TABLE IF NOT EXISTS claimscrub.work_item (
	claim_id        bigint PRIMARY KEY REFERENCES claimscrub.claim (id) ON DELETE CASCADE,
	claim_version   integer NOT NULL,
	state           text NOT NULL DEFAULT 'open'
	                CHECK (state IN ('open', 'in-progress', 'deferred',
	                                 'waiting-documentation', 'resolved')),
	assignee        text,
	team            text,
	deferred_until  date,
	department      text,
	findings        integer NOT NULL,
	open_findings   integer NOT NULL,
	severity        text,                   -- the worst open finding's
	rules           text[] NOT NULL,        -- of the open findings
	amount_at_risk  numeric(12, 2),         -- NULL: no fee table loaded
	date_of_service date,
	payer           text NOT NULL,
	provider        text NOT NULL,
	opened_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_by      text,
	released_at     timestamptz,            -- every error and warning decided
	revision        integer NOT NULL DEFAULT 1,
	CHECK ((state = 'deferred') = (deferred_until IS NOT NULL)),
	CHECK ((state = 'waiting-documentation') = (department IS NOT NULL))
);
-- the default work list (every state but resolved) by amount, and one
-- state by amount
CREATE INDEX IF NOT EXISTS work_item_unresolved_idx
	ON claimscrub.work_item (amount_at_risk DESC NULLS LAST, date_of_service, claim_id)
	WHERE state <> 'resolved';
CREATE INDEX IF NOT EXISTS work_item_amount_idx
	ON claimscrub.work_item (state, amount_at_risk DESC NULLS LAST, date_of_service, claim_id);
CREATE INDEX IF NOT EXISTS work_item_assignee_idx ON claimscrub.work_item (assignee, state);
CREATE INDEX IF NOT EXISTS work_item_payer_idx ON claimscrub.work_item (payer, state);
CREATE INDEX IF NOT EXISTS work_item_provider_idx ON claimscrub.work_item (provider, state);
CREATE INDEX IF NOT EXISTS work_item_dos_idx ON claimscrub.work_item (date_of_service, claim_id);
CREATE INDEX IF NOT EXISTS work_item_opened_idx ON claimscrub.work_item (opened_at, claim_id);
CREATE INDEX IF NOT EXISTS work_item_rules_idx ON claimscrub.work_item USING gin (rules);

-- ---- notes and the workflow's audit --------------------------------------------------
CREATE TABLE IF NOT EXISTS claimscrub.work_note (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	claim_id    bigint NOT NULL REFERENCES claimscrub.claim (id) ON DELETE CASCADE,
	finding_id  bigint,
	author      text NOT NULL,
	at          timestamptz NOT NULL DEFAULT clock_timestamp(),
	note        text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000)
);
CREATE INDEX IF NOT EXISTS work_note_claim_idx ON claimscrub.work_note (claim_id);

-- Append-only (triggers, as finding_audit): one row per action of the
-- workflow and per read of a claim's record (PHI access).  No foreign key:
-- the trail outlives a deleted claim.
CREATE TABLE IF NOT EXISTS claimscrub.work_audit (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	claim_id        bigint NOT NULL,
	finding_id      bigint,
	action          text NOT NULL,
	detail          jsonb NOT NULL DEFAULT '{}',
	actor           text NOT NULL,   -- the role, as caller() says
	db_session_user text NOT NULL,   -- the login
	at              timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS work_audit_claim_idx ON claimscrub.work_audit (claim_id, at);

-- ---- payers ---------------------------------------------------------------------
-- Which profile judges a payer (its id or name, lower case), as the rule
-- set's payers: section and profile names say; loaded by `claimscrub db
-- fees` with the fees, for the reports: a claim whose payer is not here
-- was judged by the default profile for want of a mapping.
CREATE TABLE IF NOT EXISTS claimscrub.payer_profile (
	payer    text PRIMARY KEY CHECK (payer = lower(payer) AND length(payer) BETWEEN 1 AND 64),
	profile  text NOT NULL
);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (12, 'workflow') ON CONFLICT (version) DO NOTHING;

COMMIT;
