-- 018_archive.sql: the archive (issue 18, item 4).  claimscrub_archive
-- holds the rows `claimscrub db archive --before DATE` moves out of the
-- working tables (sql/api/080_archive.sql): claims released for billing
-- (clean, or flagged with every error and warning decided) dated before
-- DATE, with their lines, administrations, findings, notes, billing
-- events and their audit trails.  Each table is its working table's
-- columns in the same order (LIKE), so a migration that adds a column to
-- one adds it to the other; no row of the archive is changed or deleted by
-- claimscrub (its privileges: the owner's alone).  archived: when each
-- claim moved and who moved it.  Transactional and idempotent.
BEGIN;

CREATE SCHEMA IF NOT EXISTS claimscrub_archive;

CREATE TABLE IF NOT EXISTS claimscrub_archive.claim (LIKE claimscrub.claim);
CREATE TABLE IF NOT EXISTS claimscrub_archive.claim_line (LIKE claimscrub.claim_line);
CREATE TABLE IF NOT EXISTS claimscrub_archive.administration (LIKE claimscrub.administration);
CREATE TABLE IF NOT EXISTS claimscrub_archive.finding (LIKE claimscrub.finding);
CREATE TABLE IF NOT EXISTS claimscrub_archive.finding_audit (LIKE claimscrub.finding_audit);
CREATE TABLE IF NOT EXISTS claimscrub_archive.work_note (LIKE claimscrub.work_note);
CREATE TABLE IF NOT EXISTS claimscrub_archive.work_audit (LIKE claimscrub.work_audit);
CREATE TABLE IF NOT EXISTS claimscrub_archive.result_event (LIKE claimscrub.result_event);
CREATE TABLE IF NOT EXISTS claimscrub_archive.archived (
	claim_id    bigint PRIMARY KEY,
	claim_ref   text NOT NULL,
	before      date NOT NULL,	-- the --before it moved under
	archived_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	archived_by text NOT NULL DEFAULT session_user
);
-- (the audit rows the append-only triggers let go: those already here)
CREATE UNIQUE INDEX IF NOT EXISTS finding_audit_id ON claimscrub_archive.finding_audit (id);
CREATE UNIQUE INDEX IF NOT EXISTS work_audit_id ON claimscrub_archive.work_audit (id);
CREATE INDEX IF NOT EXISTS claim_ref ON claimscrub_archive.claim (claim_ref);

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (18, 'archive') ON CONFLICT (version) DO NOTHING;

COMMIT;
