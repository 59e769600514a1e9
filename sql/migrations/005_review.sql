-- 005_review.sql: the reviewers' and billing managers' tables: an optional
-- fee table (loaded from rules.d by `claimscrub db fees`) and the
-- append-only audit trail of reviewer decisions.  The functions, triggers
-- and views over them are sql/api/050_review.sql.  Transactional and
-- idempotent.
BEGIN;

-- ---- fees ---------------------------------------------------------------------
-- One row per payer profile, code and period (NULL: open-ended).  Periods of
-- one profile and code must not overlap (a trigger checks), so a lookup
-- finds at most one fee.
CREATE TABLE IF NOT EXISTS claimscrub.fee (
	profile        text NOT NULL,
	code           text NOT NULL,
	amount         numeric(12, 2) NOT NULL CHECK (amount >= 0),
	effective_from date,
	effective_to   date,
	CHECK (effective_from IS NULL OR effective_to IS NULL
	       OR effective_from <= effective_to)
);
CREATE INDEX IF NOT EXISTS fee_lookup_idx ON claimscrub.fee (profile, code);

-- ---- reviewer decisions and their audit trail -----------------------------------
-- Append-only (triggers): one row per change of a finding's decision,
-- whoever made it (resolve_finding, or the owner by hand).  No foreign key:
-- the trail outlives a deleted claim.
CREATE TABLE IF NOT EXISTS claimscrub.finding_audit (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	finding_id      bigint NOT NULL,
	claim_id        bigint NOT NULL,
	old_resolution  text,
	resolution      text,
	note            text,
	db_session_user text NOT NULL,	-- the login
	db_role         text NOT NULL,	-- its SET ROLE, else the login
	at              timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS finding_audit_finding_idx
	ON claimscrub.finding_audit (finding_id);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (5, 'review') ON CONFLICT (version) DO NOTHING;

COMMIT;
