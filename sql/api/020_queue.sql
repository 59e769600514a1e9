-- 020_queue.sql: queue behaviour: a changed claim goes back to `pending`
-- with a new version and wakes the daemons.  (sql/README.md: what an api
-- file holds and how `claimscrub db migrate` applies it.)

-- What a claim says changed, or someone put it back in the queue by hand
-- (an operator after a rules change): new version, back in the queue, so
-- every scrub has a version of its own and a reviewer's decision on an
-- earlier one is never overwritten.  A claim that waited for its MAR
-- (021_mar_wait.sql) keeps its version and place: nobody read it.  Writes of the daemon (status, result),
-- of submit() and of rows_changed() (which set the version themselves) do
-- not count.
CREATE OR REPLACE FUNCTION claimscrub.claim_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('claimscrub.submitting', true) = 'on'
	   OR NEW.version <> OLD.version THEN
		RETURN NEW;
	END IF;
	IF (NEW.claim_ref, NEW.payer, NEW.setting, NEW.provider, NEW.date_of_service,
	 NEW.encounter)
	   IS DISTINCT FROM
	   (OLD.claim_ref, OLD.payer, OLD.setting, OLD.provider, OLD.date_of_service,
	 OLD.encounter)
	   OR (NEW.status = 'pending' AND OLD.status NOT IN ('pending', 'waiting')) THEN
		NEW.version := OLD.version + 1;
		NEW.status := 'pending';
		NEW.attempts := 0;
		NEW.enqueued_at := clock_timestamp();
	END IF;
	RETURN NEW;
END $$;

-- The test as a WHEN clause: the daemon's writes, which change nothing the
-- trigger cares about, cost no function call.
CREATE OR REPLACE TRIGGER claim_changed BEFORE UPDATE ON claimscrub.claim
	FOR EACH ROW WHEN (NEW.version = OLD.version AND (
		(NEW.claim_ref, NEW.payer, NEW.setting, NEW.provider, NEW.date_of_service,
	 NEW.encounter)
		IS DISTINCT FROM
		(OLD.claim_ref, OLD.payer, OLD.setting, OLD.provider, OLD.date_of_service,
	 OLD.encounter)
		OR (NEW.status = 'pending' AND OLD.status NOT IN ('pending', 'waiting'))))
	EXECUTE FUNCTION claimscrub.claim_changed();

-- A line or administration changed: its claim gets a new version, once per
-- statement however many rows it touched.
CREATE OR REPLACE FUNCTION claimscrub.rows_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('claimscrub.submitting', true) = 'on' THEN
		RETURN NULL;
	END IF;
	UPDATE claimscrub.claim c
	   SET version = c.version + 1, status = 'pending', attempts = 0,
	       enqueued_at = clock_timestamp()
	 WHERE c.id IN (SELECT DISTINCT claim_id FROM changed_rows);
	RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER claim_line_inserted AFTER INSERT ON claimscrub.claim_line
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
	EXECUTE FUNCTION claimscrub.rows_changed();
CREATE OR REPLACE TRIGGER claim_line_updated AFTER UPDATE ON claimscrub.claim_line
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
	EXECUTE FUNCTION claimscrub.rows_changed();
CREATE OR REPLACE TRIGGER claim_line_deleted AFTER DELETE ON claimscrub.claim_line
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT
	EXECUTE FUNCTION claimscrub.rows_changed();
CREATE OR REPLACE TRIGGER administration_inserted AFTER INSERT ON claimscrub.administration
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
	EXECUTE FUNCTION claimscrub.rows_changed();
CREATE OR REPLACE TRIGGER administration_updated AFTER UPDATE ON claimscrub.administration
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
	EXECUTE FUNCTION claimscrub.rows_changed();
CREATE OR REPLACE TRIGGER administration_deleted AFTER DELETE ON claimscrub.administration
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT
	EXECUTE FUNCTION claimscrub.rows_changed();

-- Wake the daemons when a claim enters the queue.  NOTIFY folds identical
-- notifications of one transaction into one.  An insert wakes them once a
-- statement, whatever its rows: as a row trigger it was a function call a
-- claim, 10-15 % of storing a file of 5,000 (submit_many), for one NOTIFY
-- in the end.  A statement that inserts no pending claim (one waiting for
-- its MAR, a bulk load of scrubbed claims) wakes them for nothing: one
-- claim step, which the daemon paces (SECURITY.md).  An update wakes them
-- once a claim it puts back in the queue: a statement trigger there would
-- fire at every batch a daemon writes.
CREATE OR REPLACE FUNCTION claimscrub.notify_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('claimscrub_pending', '');
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER claim_enqueued AFTER INSERT ON claimscrub.claim
	FOR EACH STATEMENT EXECUTE FUNCTION claimscrub.notify_pending();
CREATE OR REPLACE TRIGGER claim_requeued AFTER UPDATE OF status, version ON claimscrub.claim
	FOR EACH ROW WHEN (NEW.status = 'pending' AND
			   (OLD.status <> 'pending' OR OLD.version <> NEW.version))
	EXECUTE FUNCTION claimscrub.notify_pending();
