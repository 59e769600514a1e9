-- 060_workflow.sql: the review workflow (issue 15), database first: the
-- CLI (`claimscrub review`, `resolve`, `assign`, ...) and the web
-- workbench call these functions and nothing else.
--
--   work items     one row per flagged or invalid claim
--                  (claimscrub.work_item), kept in step by the daemon's
--                  writes (write_batch calls work_sync) and by every
--                  decision: state (open, in-progress, deferred until a
--                  date, waiting-documentation routed to a department,
--                  resolved), assignee, the open findings' rules and worst
--                  severity, the amount at risk, date of service, payer,
--                  provider.  A claim whose every error and warning finding
--                  is decided is resolved and released (released_at: what
--                  the billing system reads).  A new version of a claim
--                  (a rebill, a correction) reopens a resolved, deferred or
--                  routed item: in progress with its assignee, else open.
--   decisions      decide(finding, reason, note, seen): a reason code
--                  (claimscrub.reason) and a note; refused when the finding
--                  was decided since the caller read it (seen: the
--                  resolved_at it saw, NULL for undecided), naming who and
--                  when.  decide_bulk() with a dry run that counts.
--   carried        a finding of a later version whose fingerprint (rule,
--                  the billed code of its line, its administration, its
--                  evidence) is that of a decided finding of an earlier
--                  version gets that decision, carried_from naming the
--                  finding it was made on; reports count it once.
--   claim_detail   the claim's record for the person judging it (lines,
--                  administrations with times and sites, expected codes,
--                  every version's findings and decisions, notes, the
--                  trail), each read logged in claimscrub.work_audit.
--
-- Every function here runs as its owner (SECURITY DEFINER, the search path
-- fixed) and records the caller (caller(): SET ROLE's role, else the
-- login); the reviewer role holds EXECUTE on them and no table.

-- ---- the trail -------------------------------------------------------------------
CREATE OR REPLACE TRIGGER work_audit_no_change BEFORE UPDATE OR DELETE ON claimscrub.work_audit
	FOR EACH ROW EXECUTE FUNCTION claimscrub.audit_append_only();
CREATE OR REPLACE TRIGGER work_audit_no_truncate BEFORE TRUNCATE ON claimscrub.work_audit
	FOR EACH STATEMENT EXECUTE FUNCTION claimscrub.audit_append_only();

CREATE OR REPLACE FUNCTION claimscrub.work_log(claim_id bigint, finding_id bigint,
	action text, detail jsonb DEFAULT '{}') RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
INSERT INTO claimscrub.work_audit (claim_id, finding_id, action, detail, actor, db_session_user)
VALUES (work_log.claim_id, work_log.finding_id, work_log.action,
	coalesce(work_log.detail, '{}'), claimscrub.caller(), session_user)
$$;

-- ---- carried decisions ----------------------------------------------------------------
-- A finding's fingerprint: its rule, the billed code of its line, its
-- administration and its evidence.  One definition, for write_batch's
-- insert (040_batch.sql, set-based: it joins the line's code), the trigger
-- below and the findings written before it (at the end of this file); a
-- plain SQL expression, so that its callers' plans inline it.
DROP FUNCTION IF EXISTS claimscrub.fingerprint(bigint, integer, text, text, jsonb);
CREATE OR REPLACE FUNCTION claimscrub.fingerprint(rule text, code text,
	administration_ref text, evidence jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
SELECT md5(concat_ws(E'\x1f', fingerprint.rule, fingerprint.code,
	fingerprint.administration_ref, fingerprint.evidence::text))
$$;

-- Before a finding row of a later version goes in (or one that comes
-- with a decision, or without its fingerprint): its fingerprint, made
-- here, and the decision of the latest decided finding of an earlier
-- version of the claim with the same fingerprint.  A row that comes with
-- a decision of its own keeps it and gets no carried_from: the daemon's
-- row-level security refuses it (only a carried decision may come in with
-- a finding, and only this trigger sets carried_from).  A first version's
-- undecided rows (nearly all) skip the trigger: nothing to carry, and
-- write_batch wrote their fingerprints.
CREATE OR REPLACE FUNCTION claimscrub.finding_carry() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	src record;
BEGIN
	NEW.fingerprint := claimscrub.fingerprint(NEW.rule,
		(SELECT l.code FROM claimscrub.claim_line l
		  WHERE l.claim_id = NEW.claim_id AND l.line_no = NEW.line_no),
		NEW.administration_ref, NEW.evidence);
	NEW.carried_from := NULL;
	IF NEW.resolution IS NOT NULL OR NEW.claim_version <= 1 THEN
		RETURN NEW;
	END IF;
	SELECT f.id, f.carried_from, f.resolution, f.reason, f.resolved_by,
	       f.resolved_at, f.note INTO src
	  FROM claimscrub.finding f
	 WHERE f.claim_id = NEW.claim_id AND f.fingerprint = NEW.fingerprint
	   AND f.resolution IS NOT NULL AND f.claim_version < NEW.claim_version
	 ORDER BY f.claim_version DESC, f.id DESC LIMIT 1;
	IF FOUND THEN
		NEW.resolution := src.resolution;
		NEW.reason := src.reason;
		NEW.resolved_by := src.resolved_by;
		NEW.resolved_at := src.resolved_at;
		NEW.note := src.note;
		NEW.carried_from := coalesce(src.carried_from, src.id);
	END IF;
	RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER finding_carry BEFORE INSERT ON claimscrub.finding
	FOR EACH ROW WHEN (NEW.claim_version > 1 OR NEW.fingerprint IS NULL
			   OR NEW.resolution IS NOT NULL OR NEW.carried_from IS NOT NULL)
	EXECUTE FUNCTION claimscrub.finding_carry();

-- ---- work items ------------------------------------------------------------------------
-- Brings the work items of claims ids in step with their current version:
-- made for a flagged or invalid claim, dropped for one scrubbed clean (its
-- info findings, if any, need no decision), its counts, rules, severity
-- and money recomputed.  The amount at risk counts a line
-- once however many open error findings are on it: the line's fee for the
-- claim's payer profile on its day x its units (NULL while no fee is
-- loaded).  Pending claims are left as they are (their next scrub syncs
-- them).  flagged, when the caller knows it (write_batch), names those of
-- ids that are flagged or invalid: the others (clean, most of a batch) are
-- then read only if they have a work item to drop.
--
-- Every join is driven by the claims at hand and probes an index (the
-- planner guesses one row for each CTE: a join of two of them would
-- compare every row with every row); the money is looked up only while a
-- fee is loaded.  sql, not plpgsql, on purpose: planned at every call
-- (0.6 ms a batch) with work_item as it is then.  A plan kept for the
-- session (plpgsql) was made at a daemon's first batches, when work_item
-- may be empty, and then read the whole table at every batch: a first
-- scrub's upkeep 14 -> 70-88 µs a claim at 30,000 items (tests/pg/burst.sh
-- checks the language: the rows read show only at that scale).
DROP FUNCTION IF EXISTS claimscrub.work_sync(bigint[]);
CREATE OR REPLACE FUNCTION claimscrub.work_sync(ids bigint[], flagged bigint[] DEFAULT NULL)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
WITH c AS MATERIALIZED (
	SELECT c.id, c.version, c.status, c.payer, c.provider,
	       coalesce(c.date_of_service, c.scrubbed_at::date) AS day,
	       coalesce(c.result->>'profile', 'default') AS profile
	  FROM claimscrub.claim c
	 WHERE c.id IN (SELECT unnest(coalesce(work_sync.flagged, work_sync.ids))
			UNION
			SELECT w.claim_id FROM claimscrub.work_item w
			 WHERE w.claim_id = ANY (work_sync.ids))
	   AND c.status <> 'pending'),
f AS MATERIALIZED (
	SELECT c.id, c.version, c.day, c.payer, c.provider, c.profile, count(*) AS findings,
	       count(*) FILTER (WHERE f.resolution IS NULL) AS open_findings,
	       count(*) FILTER (WHERE f.resolution IS NULL
				  AND f.severity IN ('error', 'warning')) AS open_ew,
	       (ARRAY['error', 'warning', 'info'])[1 + min(
		       CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END)
		       FILTER (WHERE f.resolution IS NULL)] AS severity,
	       coalesce(array_agg(DISTINCT f.rule ORDER BY f.rule)
			FILTER (WHERE f.resolution IS NULL), '{}') AS rules
	  FROM c JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = c.version
	 WHERE c.status IN ('flagged', 'invalid')
	 GROUP BY c.id, c.version, c.day, c.payer, c.provider, c.profile),
-- (by key, an array: as a join the plan could read all of work_item)
gone AS (
	DELETE FROM claimscrub.work_item w
	 WHERE w.claim_id = ANY (ARRAY(SELECT c.id FROM c
				       WHERE c.id NOT IN (SELECT f.id FROM f))))
INSERT INTO claimscrub.work_item AS w (claim_id, claim_version, state, findings,
	open_findings, severity, rules, amount_at_risk, date_of_service, payer,
	provider, released_at, updated_by)
SELECT f.id, f.version, CASE WHEN f.open_ew = 0 THEN 'resolved' ELSE 'open' END,
       f.findings, f.open_findings, f.severity, f.rules,
       CASE WHEN (SELECT EXISTS (SELECT 1 FROM claimscrub.fee)) THEN coalesce((
		SELECT sum(p.amount * l.units)
		  FROM claimscrub.claim_line l
		  JOIN claimscrub.fee p ON p.profile = f.profile AND p.code = l.code
		   AND f.day BETWEEN coalesce(p.effective_from, '-infinity')
				 AND coalesce(p.effective_to, 'infinity')
		 WHERE l.claim_id = f.id AND l.units > 0
		   AND EXISTS (SELECT 1 FROM claimscrub.finding e
				WHERE e.claim_id = f.id AND e.claim_version = f.version
				  AND e.line_no = l.line_no AND e.severity = 'error'
				  AND e.resolution IS NULL)), 0.00) END,
       f.day, coalesce(f.payer, '(none)'), coalesce(f.provider, '(none)'),
       CASE WHEN f.open_ew = 0 THEN clock_timestamp() END, claimscrub.caller()
  FROM f
ON CONFLICT (claim_id) DO UPDATE SET
	claim_version = EXCLUDED.claim_version,
	state = CASE WHEN EXCLUDED.state = 'resolved' THEN 'resolved'
		     WHEN w.state = 'resolved'
			  OR (w.claim_version <> EXCLUDED.claim_version
			      AND w.state IN ('deferred', 'waiting-documentation'))
		     THEN CASE WHEN w.assignee IS NULL THEN 'open' ELSE 'in-progress' END
		     ELSE w.state END,
	deferred_until = CASE WHEN EXCLUDED.state = 'resolved'
				   OR w.claim_version <> EXCLUDED.claim_version
			      THEN NULL ELSE w.deferred_until END,
	department = CASE WHEN EXCLUDED.state = 'resolved'
			       OR w.claim_version <> EXCLUDED.claim_version
			  THEN NULL ELSE w.department END,
	findings = EXCLUDED.findings, open_findings = EXCLUDED.open_findings,
	severity = EXCLUDED.severity, rules = EXCLUDED.rules,
	amount_at_risk = EXCLUDED.amount_at_risk,
	date_of_service = EXCLUDED.date_of_service, payer = EXCLUDED.payer,
	provider = EXCLUDED.provider,
	released_at = CASE WHEN EXCLUDED.state = 'resolved'
			   THEN coalesce(w.released_at, EXCLUDED.released_at) END,
	updated_at = clock_timestamp(), updated_by = EXCLUDED.updated_by,
	revision = w.revision + 1
$$;

-- The work item of claim ref, locked; refused when it changed since the
-- caller read it (revision: the one it saw; NULL: no check).
CREATE OR REPLACE FUNCTION claimscrub.work_lock(ref text, revision integer)
RETURNS claimscrub.work_item
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	item claimscrub.work_item;
BEGIN
	SELECT w.* INTO item FROM claimscrub.claim c
	  JOIN claimscrub.work_item w ON w.claim_id = c.id
	 WHERE c.claim_ref = work_lock.ref FOR UPDATE OF w;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'claim % has no work item (not flagged or invalid, or no such claim)', ref
			USING ERRCODE = 'no_data_found';
	END IF;
	IF work_lock.revision IS NOT NULL AND item.revision <> work_lock.revision THEN
		RAISE EXCEPTION 'claim %: its work item changed since you read it (by % at %)',
			ref, coalesce(item.updated_by, 'the daemon'), item.updated_at
			USING ERRCODE = 'serialization_failure',
			      HINT = 'Read it again and decide on what it says now.';
	END IF;
	RETURN item;
END $$;

-- ---- the reviewer's actions ----------------------------------------------------------------
-- Each locks the work item, checks the revision when given, changes it,
-- logs the action and returns the new revision.

-- assignee NULL: unassigned (back to open when it was in progress).
CREATE OR REPLACE FUNCTION claimscrub.work_assign(ref text, assignee text,
	revision integer DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	item claimscrub.work_item := claimscrub.work_lock(ref, revision);
BEGIN
	IF length(assignee) NOT BETWEEN 1 AND 64 THEN
		RAISE EXCEPTION 'an assignee is 1 to 64 characters' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE claimscrub.work_item w
	   SET assignee = work_assign.assignee,
	       state = CASE WHEN w.state = 'open' AND work_assign.assignee IS NOT NULL THEN 'in-progress'
			    WHEN w.state = 'in-progress' AND work_assign.assignee IS NULL THEN 'open'
			    ELSE w.state END,
	       updated_at = clock_timestamp(), updated_by = claimscrub.caller(),
	       revision = w.revision + 1
	 WHERE w.claim_id = item.claim_id
	RETURNING w.revision INTO item.revision;
	PERFORM claimscrub.work_log(item.claim_id, NULL, 'assign',
		jsonb_build_object('assignee', assignee));
	RETURN item.revision;
END $$;

-- The next item for the caller: the open (or deferred and due) unassigned
-- item with the most money at risk, then the oldest date of service;
-- taken by one caller only however many take at once.  NULL when none.
CREATE OR REPLACE FUNCTION claimscrub.work_take(team text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	cid bigint;
	ref text;
BEGIN
	SELECT w.claim_id INTO cid FROM claimscrub.work_item w
	 WHERE w.assignee IS NULL
	   AND (w.state = 'open' OR (w.state = 'deferred' AND w.deferred_until <= current_date))
	   AND (work_take.team IS NULL OR w.team = work_take.team)
	 ORDER BY w.amount_at_risk DESC NULLS LAST, w.date_of_service, w.claim_id
	 LIMIT 1 FOR UPDATE SKIP LOCKED;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE claimscrub.work_item w
	   SET assignee = claimscrub.caller(), state = 'in-progress', deferred_until = NULL,
	       updated_at = clock_timestamp(), updated_by = claimscrub.caller(),
	       revision = w.revision + 1
	 WHERE w.claim_id = cid;
	PERFORM claimscrub.work_log(cid, NULL, 'take');
	SELECT c.claim_ref INTO ref FROM claimscrub.claim c WHERE c.id = cid;
	RETURN ref;
END $$;

-- Sets the state of claim ref's unresolved work item to state, with its
-- date (deferred) or department (waiting-documentation); logs action with
-- a note, kept as a note too.  For work_defer and work_route.
CREATE OR REPLACE FUNCTION claimscrub.work_park(ref text, revision integer,
	state text, until date, department text, action text, note text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	item claimscrub.work_item := claimscrub.work_lock(ref, revision);
BEGIN
	IF item.state = 'resolved' THEN
		RAISE EXCEPTION 'claim % is resolved: nothing to %', ref, action
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE claimscrub.work_item w
	   SET state = work_park.state, deferred_until = until,
	       department = work_park.department,
	       updated_at = clock_timestamp(), updated_by = claimscrub.caller(),
	       revision = w.revision + 1
	 WHERE w.claim_id = item.claim_id RETURNING w.revision INTO item.revision;
	PERFORM claimscrub.work_log(item.claim_id, NULL, action,
		jsonb_strip_nulls(jsonb_build_object('until', until,
			'department', department, 'note', note)));
	IF note IS NOT NULL THEN
		PERFORM claimscrub.work_add_note(item.claim_id, NULL, note);
	END IF;
	RETURN item.revision;
END $$;

CREATE OR REPLACE FUNCTION claimscrub.work_defer(ref text, until date,
	note text DEFAULT NULL, revision integer DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF until IS NULL OR until <= current_date THEN
		RAISE EXCEPTION 'defer until a day after today, not %', until
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN claimscrub.work_park(ref, revision, 'deferred', until, NULL, 'defer', note);
END $$;

-- Waiting for documentation from a department; the claim's next version
-- (the documentation added) reopens it.
CREATE OR REPLACE FUNCTION claimscrub.work_route(ref text, department text,
	note text DEFAULT NULL, revision integer DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF length(department) NOT BETWEEN 1 AND 64 THEN
		RAISE EXCEPTION 'a department is 1 to 64 characters' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN claimscrub.work_park(ref, revision, 'waiting-documentation', NULL,
		department, 'route', note);
END $$;

CREATE OR REPLACE FUNCTION claimscrub.work_add_note(claim_id bigint,
	finding_id bigint, note text) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
INSERT INTO claimscrub.work_note (claim_id, finding_id, author, note)
VALUES (work_add_note.claim_id, work_add_note.finding_id, claimscrub.caller(),
	work_add_note.note)
RETURNING id
$$;

-- A note without a decision, on the claim or one of its findings.
CREATE OR REPLACE FUNCTION claimscrub.work_note(ref text, note text,
	finding_id bigint DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	cid bigint;
	nid bigint;
BEGIN
	SELECT c.id INTO cid FROM claimscrub.claim c WHERE c.claim_ref = ref;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no claim %', ref USING ERRCODE = 'no_data_found';
	END IF;
	IF work_note.finding_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM claimscrub.finding f
		 WHERE f.id = work_note.finding_id AND f.claim_id = cid) THEN
		RAISE EXCEPTION 'claim % has no finding %', ref, work_note.finding_id
			USING ERRCODE = 'no_data_found';
	END IF;
	IF note IS NULL OR length(note) NOT BETWEEN 1 AND 2000 THEN
		RAISE EXCEPTION 'a note is 1 to 2000 characters' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	nid := claimscrub.work_add_note(cid, work_note.finding_id, note);
	PERFORM claimscrub.work_log(cid, work_note.finding_id, 'note', jsonb_build_object('note', nid));
	RETURN nid;
END $$;

-- ---- decisions ---------------------------------------------------------------------------
-- The reason code's row, and a note of at most 2000 characters, for
-- decide() and decide_bulk(); raises naming what is wrong.
CREATE OR REPLACE FUNCTION claimscrub.reason_checked(code text, note text)
RETURNS claimscrub.reason
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r claimscrub.reason;
BEGIN
	SELECT x.* INTO r FROM claimscrub.reason x WHERE x.code = reason_checked.code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no reason code %', coalesce(reason_checked.code, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'The codes: SELECT code FROM claimscrub.reason';
	END IF;
	IF length(note) > 2000 THEN
		RAISE EXCEPTION 'note is longer than 2000 characters' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN r;
END $$;

-- Decides finding finding_id for reason (claimscrub.reason), with a note.
-- seen: the resolved_at the caller read (NULL: it read the finding
-- undecided); a decision made since is not overwritten but refused, naming
-- who made it and when.  Only a finding of the claim's current version can
-- be decided.  Returns the time recorded.
CREATE OR REPLACE FUNCTION claimscrub.decide(finding_id bigint, reason text,
	note text DEFAULT NULL, seen timestamptz DEFAULT NULL) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r claimscrub.reason;
	f record;
	stamp timestamptz := clock_timestamp();
BEGIN
	r := claimscrub.reason_checked(decide.reason, note);
	SELECT x.id, x.claim_id, x.claim_version, x.resolved_at, x.resolved_by,
	       c.version, c.claim_ref INTO f
	  FROM claimscrub.finding x JOIN claimscrub.claim c ON c.id = x.claim_id
	 WHERE x.id = decide.finding_id FOR UPDATE OF x;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no finding %', finding_id USING ERRCODE = 'no_data_found';
	END IF;
	IF f.claim_version <> f.version THEN
		RAISE EXCEPTION 'finding % is of version % of claim %, which is at version % now',
			finding_id, f.claim_version, f.claim_ref, f.version
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF f.resolved_at IS DISTINCT FROM seen THEN
		RAISE EXCEPTION 'finding % was decided by % at % since you read it',
			finding_id, f.resolved_by, f.resolved_at
			USING ERRCODE = 'serialization_failure',
			      HINT = 'Read it again; pass what you read as seen to decide over it.';
	END IF;
	UPDATE claimscrub.finding x
	   SET resolution = r.resolution, reason = r.code, resolved_by = claimscrub.caller(),
	       resolved_at = stamp, note = decide.note, carried_from = NULL
	 WHERE x.id = f.id;
	PERFORM claimscrub.work_log(f.claim_id, f.id, 'decide',
		jsonb_strip_nulls(jsonb_build_object('reason', r.code, 'note', note)));
	PERFORM claimscrub.work_sync(ARRAY[f.claim_id]);
	RETURN stamp;
END $$;

-- The open findings of the current versions of unresolved work items that
-- match: rule (required), payer, provider, severity, claims (the claims'
-- references; NULL: any).  With dry_run (the default) only counts them;
-- else decides each for reason and returns how many.
CREATE OR REPLACE FUNCTION claimscrub.decide_bulk(rule text, reason text,
	note text DEFAULT NULL, payer text DEFAULT NULL, provider text DEFAULT NULL,
	severity text DEFAULT NULL, dry_run boolean DEFAULT true,
	claims text[] DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r claimscrub.reason;
	n integer;
	touched bigint[];
	stamp timestamptz := clock_timestamp();
BEGIN
	IF decide_bulk.rule IS NULL THEN
		RAISE EXCEPTION 'a bulk decision names its rule' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	r := claimscrub.reason_checked(decide_bulk.reason, note);
	CREATE TEMP TABLE IF NOT EXISTS pg_temp.bulk (id bigint, claim_id bigint) ON COMMIT DROP;
	TRUNCATE pg_temp.bulk;
	INSERT INTO pg_temp.bulk
	SELECT f.id, f.claim_id FROM claimscrub.work_item w
	  JOIN claimscrub.finding f ON f.claim_id = w.claim_id AND f.claim_version = w.claim_version
	 WHERE w.state <> 'resolved' AND w.rules @> ARRAY[decide_bulk.rule]
	   AND f.rule = decide_bulk.rule AND f.resolution IS NULL
	   AND (decide_bulk.payer IS NULL OR w.payer = decide_bulk.payer)
	   AND (decide_bulk.provider IS NULL OR w.provider = decide_bulk.provider)
	   AND (decide_bulk.severity IS NULL OR f.severity = decide_bulk.severity)
	   AND (decide_bulk.claims IS NULL OR w.claim_id IN (
		SELECT c.id FROM claimscrub.claim c WHERE c.claim_ref = ANY (decide_bulk.claims)))
	   FOR UPDATE OF f;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF dry_run THEN
		RETURN n;
	END IF;
	UPDATE claimscrub.finding x
	   SET resolution = r.resolution, reason = r.code, resolved_by = claimscrub.caller(),
	       resolved_at = stamp, note = decide_bulk.note, carried_from = NULL
	  FROM pg_temp.bulk b WHERE x.id = b.id;
	INSERT INTO claimscrub.work_audit (claim_id, finding_id, action, detail, actor, db_session_user)
	SELECT b.claim_id, b.id, 'decide',
	       jsonb_strip_nulls(jsonb_build_object('reason', r.code, 'note', note, 'bulk', true)),
	       claimscrub.caller(), session_user
	  FROM pg_temp.bulk b;
	SELECT array_agg(DISTINCT b.claim_id) INTO touched FROM pg_temp.bulk b;
	PERFORM claimscrub.work_sync(coalesce(touched, '{}'));
	RETURN n;
END $$;

-- ---- the buckets' counts ------------------------------------------------------------------
-- claimscrub.work_tally (015_work_tally.sql): per state, each dimension's
-- keys with their items and money at risk, so that the buckets of every
-- open item are read, not counted (1.4 s at 500,000 items).  Dimensions:
-- severity, payer, provider, assignee ('(none)' for NULL), rule (an item
-- under each of its open findings' rules), state, and 'opened': the hour
-- (seconds since 1970 / 3600) the item was opened, which the age bands
-- are added up from.  work_item's triggers append each statement's
-- changes to work_tally_delta, netted by key (an update that changes no
-- key, most of work_sync's, appends nothing; an item whose counted
-- columns are unchanged is not even expanded), and never touch a count
-- row: writers do not wait on each other.  work_tally_fold() adds the
-- changes in; readers add what is not folded yet, so a reading is exact
-- in its own snapshot either way.

-- The hour (seconds since 1970 / 3600) of moment t: the counts' 'opened'.
-- (date_part's double, not extract's numeric: 18x cheaper a call, and the
-- same hour for every microsecond either side of each hour 1990-2100.)
CREATE OR REPLACE FUNCTION claimscrub.work_hour(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
SELECT floor(date_part('epoch', t) / 3600)::bigint
$$;

-- The keys an item counts under.
CREATE OR REPLACE FUNCTION claimscrub.work_tally_keys(state text, severity text,
	payer text, provider text, assignee text, rules text[], opened_at timestamptz)
RETURNS TABLE (dimension text, key text)
LANGUAGE sql IMMUTABLE AS $$
SELECT 'state', state
UNION ALL SELECT 'severity', coalesce(severity, '(none)')
UNION ALL SELECT 'payer', coalesce(payer, '(none)')
UNION ALL SELECT 'provider', coalesce(provider, '(none)')
UNION ALL SELECT 'assignee', coalesce(assignee, '(none)')
UNION ALL SELECT 'opened', claimscrub.work_hour(opened_at)::text
UNION ALL SELECT 'rule', r FROM unnest(rules) r
$$;

-- Rows of work_item as changes of the counts: +1 for each row of plus,
-- -1 for each of minus, netted by key.  (plpgsql: its one statement is
-- planned once a session and kept; the EXECUTE this replaced planned it
-- again for every statement on work_item, 1.1 ms of a reviewer's 1.5 ms
-- single-row update.)
CREATE OR REPLACE FUNCTION claimscrub.work_tally_add(plus claimscrub.work_item[],
	minus claimscrub.work_item[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO claimscrub.work_tally_delta (state, dimension, key, items, amount)
	SELECT x.state, k.dimension, k.key, sum(x.sign),
	       sum(x.sign * coalesce(x.amount_at_risk, 0.00))
	  FROM (SELECT 1 AS sign, p.* FROM unnest(plus) p
		UNION ALL SELECT -1, m.* FROM unnest(minus) m) x
	 CROSS JOIN LATERAL claimscrub.work_tally_keys(x.state, x.severity,
		x.payer, x.provider, x.assignee, x.rules, x.opened_at) k
	 GROUP BY x.state, k.dimension, k.key
	HAVING sum(x.sign) <> 0
	    OR sum(x.sign * coalesce(x.amount_at_risk, 0.00)) <> 0;
END $$;

-- A statement on work_item, from its transition tables.  (Each branch is
-- planned when first run and the plan kept for the session, so an
-- insert's never names old_rows.  The update's join is planned with
-- nested loops off, for that statement only: its plan is often made at a
-- session's first upsert, whose transition tables are empty, and a nested
-- loop kept from then compared every row with every row, a 16,000-item
-- update 39 s instead of 0.7.  Off for the whole function, the other
-- statements' plans went wrong instead: 190 ms a one-item update.)
CREATE OR REPLACE FUNCTION claimscrub.work_tally_note() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	plus claimscrub.work_item[];
	minus claimscrub.work_item[];
	nestloop text;
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM claimscrub.work_tally_add(
			ARRAY(SELECT n::claimscrub.work_item FROM new_rows n), '{}');
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM claimscrub.work_tally_add('{}',
			ARRAY(SELECT o::claimscrub.work_item FROM old_rows o));
	ELSE
		-- an item whose counted columns did not change would add +1 and
		-- -1 under the same keys: left out before its keys are made (most
		-- of work_sync's updates; the net changes are the same)
		nestloop := current_setting('enable_nestloop');
		PERFORM set_config('enable_nestloop', 'off', true);
		SELECT coalesce(array_agg(n::claimscrub.work_item), '{}'),
		       coalesce(array_agg(o::claimscrub.work_item), '{}')
		  INTO plus, minus
		  FROM new_rows n JOIN old_rows o USING (claim_id)
		 WHERE (o.state, o.severity, o.payer, o.provider, o.assignee,
			o.rules, o.opened_at, o.amount_at_risk)
		       IS DISTINCT FROM
		       (n.state, n.severity, n.payer, n.provider, n.assignee,
			n.rules, n.opened_at, n.amount_at_risk);
		PERFORM set_config('enable_nestloop', nestloop, true);
		PERFORM claimscrub.work_tally_add(plus, minus);
	END IF;
	RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER work_tally_insert AFTER INSERT ON claimscrub.work_item
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION claimscrub.work_tally_note();
CREATE OR REPLACE TRIGGER work_tally_update AFTER UPDATE ON claimscrub.work_item
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION claimscrub.work_tally_note();
CREATE OR REPLACE TRIGGER work_tally_delete AFTER DELETE ON claimscrub.work_item
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION claimscrub.work_tally_note();

-- Adds the changes appended so far into the counts, when there are at
-- least min_changes of them and no other transaction is doing it (then
-- it returns at once: the next one will).  The changes a snapshot sees go
-- in whole or not at all, in one transaction, so a reader never counts
-- one twice or misses it.  end_batch() folds when 5,000 are waiting, a
-- reader of every bucket each time.
CREATE OR REPLACE FUNCTION claimscrub.work_tally_fold(min_changes integer DEFAULT 0)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF min_changes > 0 AND (SELECT count(*) FROM (SELECT FROM claimscrub.work_tally_delta
						      LIMIT min_changes) x) < min_changes THEN
		RETURN;
	END IF;
	-- (the key: 'work' and 'tall' as two int4s, a lock of this schema's own)
	IF NOT pg_try_advisory_xact_lock(2003792491, 1952541804) THEN
		RETURN;
	END IF;
	WITH d AS (DELETE FROM claimscrub.work_tally_delta RETURNING *),
	s AS (SELECT d.state, d.dimension, d.key, sum(d.items) AS items,
		     sum(d.amount) AS amount
		FROM d GROUP BY d.state, d.dimension, d.key)
	INSERT INTO claimscrub.work_tally AS t (state, dimension, key, items, amount)
	SELECT s.state, s.dimension, s.key, s.items, s.amount FROM s
	 ORDER BY s.state, s.dimension, s.key
	ON CONFLICT (state, dimension, key) DO UPDATE
	   SET items = t.items + EXCLUDED.items, amount = t.amount + EXCLUDED.amount;
	DELETE FROM claimscrub.work_tally t WHERE t.items = 0;
END $$;

-- Both tables again from work_item, which it locks against writes until
-- the caller's transaction ends.  Run whenever this file is applied (the
-- triggers may be new).
CREATE OR REPLACE FUNCTION claimscrub.work_tally_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	LOCK TABLE claimscrub.work_item IN SHARE ROW EXCLUSIVE MODE;
	TRUNCATE claimscrub.work_tally, claimscrub.work_tally_delta;
	INSERT INTO claimscrub.work_tally (state, dimension, key, items, amount)
	SELECT w.state, k.dimension, k.key, count(*),
	       sum(coalesce(w.amount_at_risk, 0.00))
	  FROM claimscrub.work_item w
	 CROSS JOIN LATERAL claimscrub.work_tally_keys(w.state, w.severity, w.payer,
		w.provider, w.assignee, w.rules, w.opened_at) k
	 GROUP BY w.state, k.dimension, k.key;
END $$;

-- TRUNCATE of work_item fires no row or statement change above: the
-- counts go with it.
CREATE OR REPLACE FUNCTION claimscrub.work_tally_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	TRUNCATE claimscrub.work_tally, claimscrub.work_tally_delta;
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER work_tally_truncate AFTER TRUNCATE ON claimscrub.work_item
	FOR EACH STATEMENT EXECUTE FUNCTION claimscrub.work_tally_truncated();

SELECT claimscrub.work_tally_rebuild();

-- ---- the work list --------------------------------------------------------------------------
-- The WHERE of the work items that match the filters, for work_list()
-- and work_buckets(): only the filters given, each a plain condition an
-- index can take, over parameters $1..$8 (f_state, f_rule, f_severity,
-- f_payer, f_provider, f_assignee, the older_than cut-off, min_amount)
-- and $11, $12 (dos_from, dos_to).  Refuses a state that is none.
CREATE OR REPLACE FUNCTION claimscrub.work_where(f_state text, f_rule text,
	f_severity text, f_payer text, f_provider text, f_assignee text,
	older_than integer, min_amount numeric, dos_from date, dos_to date)
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	conds text[];
BEGIN
	IF f_state IS NOT NULL AND f_state <> 'all' AND NOT f_state = ANY (
		ARRAY['open', 'in-progress', 'deferred', 'waiting-documentation', 'resolved']) THEN
		RAISE EXCEPTION 'no state %', f_state USING ERRCODE = 'invalid_parameter_value';
	END IF;
	conds := ARRAY[CASE WHEN f_state IS NULL THEN 'w.state <> ''resolved'''
			    WHEN f_state = 'all' THEN 'true' ELSE 'w.state = $1' END];
	conds := conds || CASE WHEN f_rule IS NOT NULL THEN 'w.rules @> ARRAY[$2]' END
		|| CASE WHEN f_severity IS NOT NULL THEN 'w.severity = $3' END
		|| CASE WHEN f_payer IS NOT NULL THEN 'w.payer = $4' END
		|| CASE WHEN f_provider IS NOT NULL THEN 'w.provider = $5' END
		|| CASE WHEN f_assignee IS NOT NULL THEN 'w.assignee = $6' END
		|| CASE WHEN older_than IS NOT NULL THEN 'w.opened_at < $7' END
		|| CASE WHEN min_amount IS NOT NULL THEN 'w.amount_at_risk >= $8' END
		|| CASE WHEN dos_from IS NOT NULL THEN 'w.date_of_service >= $11' END
		|| CASE WHEN dos_to IS NOT NULL THEN 'w.date_of_service <= $12' END;
	RETURN array_to_string(array_remove(conds, NULL), ' AND ');
END $$;

-- The work items that match, sorted by amount (the most first), age (the
-- longest open first) or dos (the oldest date of service first), lim at a
-- time from off.  The filters (NULL: any): f_state (NULL: every state but
-- resolved; 'all': every one), f_rule (among the open findings' rules),
-- f_severity (the worst open finding's), f_payer, f_provider, f_assignee,
-- older_than (open more than that many days), min_amount (at risk),
-- dos_from and dos_to (the date of service, both included).
CREATE OR REPLACE FUNCTION claimscrub.work_list(f_state text DEFAULT NULL,
	f_rule text DEFAULT NULL, f_severity text DEFAULT NULL, f_payer text DEFAULT NULL,
	f_provider text DEFAULT NULL, f_assignee text DEFAULT NULL,
	older_than integer DEFAULT NULL, min_amount numeric DEFAULT NULL,
	sort text DEFAULT 'amount', lim integer DEFAULT 50, off integer DEFAULT 0,
	dos_from date DEFAULT NULL, dos_to date DEFAULT NULL)
RETURNS TABLE (claim_ref text, claim_version integer, state text, assignee text,
	deferred_until date, department text, severity text, rules text[],
	findings integer, open_findings integer, amount_at_risk numeric,
	date_of_service date, payer text, provider text, opened_at timestamptz,
	updated_at timestamptz, updated_by text, released_at timestamptz,
	revision integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	orders constant text[] := ARRAY['amount', 'age', 'dos'];
	ord text;
BEGIN
	IF NOT sort = ANY (orders) THEN
		RAISE EXCEPTION 'sort by amount, age or dos, not %', sort
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF lim NOT BETWEEN 1 AND 1000 OR off < 0 THEN
		RAISE EXCEPTION 'a page is 1 to 1000 items from an offset of 0 or more'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	ord := CASE sort WHEN 'amount' THEN 'w.amount_at_risk DESC NULLS LAST, w.date_of_service, w.claim_id'
			 WHEN 'age' THEN 'w.opened_at, w.claim_id'
			 ELSE 'w.date_of_service, w.claim_id' END;
	RETURN QUERY EXECUTE format($q$
		SELECT c.claim_ref, w.claim_version, w.state, w.assignee, w.deferred_until,
		       w.department, w.severity, w.rules, w.findings, w.open_findings,
		       w.amount_at_risk::numeric, w.date_of_service, w.payer, w.provider,
		       w.opened_at, w.updated_at, w.updated_by, w.released_at, w.revision
		  FROM claimscrub.work_item w JOIN claimscrub.claim c ON c.id = w.claim_id
		 WHERE %s ORDER BY %s LIMIT $9 OFFSET $10$q$,
		claimscrub.work_where(f_state, f_rule, f_severity, f_payer, f_provider,
			f_assignee, older_than, min_amount, dos_from, dos_to), ord)
	USING f_state, f_rule, f_severity, f_payer, f_provider, f_assignee,
	      -- a value, not clock_timestamp(): the planner weighs the index
	      clock_timestamp() - make_interval(days => older_than),
	      min_amount, lim, off, dos_from, dos_to;
END $$;

-- How the work items that match the filters (work_list's) divide: for
-- each dimension (state, rule, severity, payer, provider, assignee, age:
-- the days since each was opened, in bands), each value's items and the
-- money at risk on them, the most items first.  NULL payer, provider or
-- assignee is '(none)'; an item counts once under each of its rules.
-- With no filter but the state, the counts are read from work_tally (and
-- folded first, unless the transaction is read-only); with any other,
-- the matching items are counted.  Both give the same rows.
CREATE OR REPLACE FUNCTION claimscrub.work_buckets(f_state text DEFAULT NULL,
	f_rule text DEFAULT NULL, f_severity text DEFAULT NULL, f_payer text DEFAULT NULL,
	f_provider text DEFAULT NULL, f_assignee text DEFAULT NULL,
	older_than integer DEFAULT NULL, min_amount numeric DEFAULT NULL,
	dos_from date DEFAULT NULL, dos_to date DEFAULT NULL)
RETURNS TABLE (dimension text, key text, items bigint, amount_at_risk numeric)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET work_mem = '64MB' SET jit = off AS $$
DECLARE
	conds constant text := claimscrub.work_where(f_state, f_rule, f_severity,
		f_payer, f_provider, f_assignee, older_than, min_amount, dos_from, dos_to);
	now constant timestamptz := clock_timestamp();
BEGIN
	IF num_nonnulls(f_rule, f_severity, f_payer, f_provider, f_assignee,
			older_than, min_amount, dos_from, dos_to) = 0 THEN
		IF current_setting('transaction_read_only') = 'off' THEN
			PERFORM claimscrub.work_tally_fold();
		END IF;
		RETURN QUERY SELECT * FROM claimscrub.work_buckets_counted(f_state, now);
		RETURN;
	END IF;
	-- one pass for the six plain dimensions (GROUPING SETS), one for the
	-- rules (an item under each of its rules)
	RETURN QUERY EXECUTE format($q$
		WITH m AS MATERIALIZED (
			SELECT w.state, w.rules, coalesce(w.severity, '(none)') AS severity,
			       coalesce(w.payer, '(none)') AS payer,
			       coalesce(w.provider, '(none)') AS provider,
			       coalesce(w.assignee, '(none)') AS assignee,
			       claimscrub.work_age(w.opened_at, $9) AS age,
			       coalesce(w.amount_at_risk, 0.00) AS amount
			  FROM claimscrub.work_item w WHERE %s),
		d AS (
			SELECT CASE WHEN GROUPING(m.state) = 0 THEN 'state'
				    WHEN GROUPING(m.severity) = 0 THEN 'severity'
				    WHEN GROUPING(m.payer) = 0 THEN 'payer'
				    WHEN GROUPING(m.provider) = 0 THEN 'provider'
				    WHEN GROUPING(m.assignee) = 0 THEN 'assignee'
				    ELSE 'age' END AS dimension,
			       coalesce(m.state, m.severity, m.payer, m.provider, m.assignee,
					m.age) AS key,
			       count(*) AS items, sum(m.amount) AS amount
			  FROM m GROUP BY GROUPING SETS ((m.state), (m.severity), (m.payer),
				(m.provider), (m.assignee), (m.age))
			UNION ALL
			SELECT 'rule', r, count(*), sum(m.amount) FROM m, unnest(m.rules) r GROUP BY r)
		SELECT d.dimension, d.key, d.items, round(d.amount, 2) FROM d
		 ORDER BY d.dimension, d.items DESC, d.key$q$, conds)
	-- $10 is work_list's offset: nothing here
	USING f_state, f_rule, f_severity, f_payer, f_provider, f_assignee,
	      now - make_interval(days => older_than), min_amount,
	      now, NULL::integer, dos_from, dos_to;
END $$;

-- The age band of an item opened at opened, at now: '0-1 days' (opened
-- within the last 24 hours), '1-7 days', '7-30 days', '30+ days'.
-- (STABLE: a day's length is the session's time zone's.)
CREATE OR REPLACE FUNCTION claimscrub.work_age(opened timestamptz, now timestamptz)
RETURNS text
LANGUAGE sql STABLE AS $$
SELECT CASE WHEN opened > now - interval '1 day' THEN '0-1 days'
	    WHEN opened > now - interval '7 days' THEN '1-7 days'
	    WHEN opened > now - interval '30 days' THEN '7-30 days'
	    ELSE '30+ days' END
$$;

-- work_buckets() of every item in f_state (work_where's meaning) from the
-- counts: the counts folded and not, by key.  Ages are added up by the
-- hour each item was opened: an hour wholly on one side of each band's
-- edge (now less 1, 7 or 30 days) is in one band, and the items of the
-- three hours that hold an edge are looked at one by one (three ranges of
-- the index on opened_at, written out so that the planner sees them).
CREATE OR REPLACE FUNCTION claimscrub.work_buckets_counted(f_state text, now timestamptz)
RETURNS TABLE (dimension text, key text, items bigint, amount_at_risk numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
WITH t AS (
	SELECT t.state, t.dimension, t.key, t.items, t.amount FROM claimscrub.work_tally t
	UNION ALL
	SELECT d.state, d.dimension, d.key, d.items, d.amount FROM claimscrub.work_tally_delta d),
sums AS (
	SELECT t.dimension, t.key, sum(t.items)::bigint AS items, sum(t.amount) AS amount
	  FROM t
	 WHERE CASE WHEN f_state IS NULL THEN t.state <> 'resolved'
		    WHEN f_state = 'all' THEN true ELSE t.state = f_state END
	 GROUP BY t.dimension, t.key HAVING sum(t.items) <> 0),
edge AS (
	SELECT claimscrub.work_hour(now - interval '1 day') AS h1,
	       claimscrub.work_hour(now - interval '7 days') AS h7,
	       claimscrub.work_hour(now - interval '30 days') AS h30),
age AS (
	-- (an hour after an edge's is wholly after the edge, one before it
	-- wholly before)
	SELECT CASE WHEN h.hour > e.h1 THEN '0-1 days' WHEN h.hour > e.h7 THEN '1-7 days'
		    WHEN h.hour > e.h30 THEN '7-30 days' ELSE '30+ days' END AS key,
	       h.items, h.amount
	  FROM edge e,
	       (SELECT s.key::bigint AS hour, s.items, s.amount FROM sums s
		 WHERE s.dimension = 'opened') h
	 WHERE h.hour NOT IN (e.h1, e.h7, e.h30)
	UNION ALL
	SELECT claimscrub.work_age(w.opened_at, now), 1, coalesce(w.amount_at_risk, 0.00)
	  FROM claimscrub.work_item w
	 WHERE ((w.opened_at >= to_timestamp(claimscrub.work_hour(now - interval '1 day') * 3600)
		 AND w.opened_at < to_timestamp((claimscrub.work_hour(now - interval '1 day') + 1) * 3600))
	     OR (w.opened_at >= to_timestamp(claimscrub.work_hour(now - interval '7 days') * 3600)
		 AND w.opened_at < to_timestamp((claimscrub.work_hour(now - interval '7 days') + 1) * 3600))
	     OR (w.opened_at >= to_timestamp(claimscrub.work_hour(now - interval '30 days') * 3600)
		 AND w.opened_at < to_timestamp((claimscrub.work_hour(now - interval '30 days') + 1) * 3600)))
	   AND CASE WHEN f_state IS NULL THEN w.state <> 'resolved'
		    WHEN f_state = 'all' THEN true ELSE w.state = f_state END)
SELECT r.dimension, r.key, r.items, round(r.amount, 2) FROM (
	SELECT s.dimension, s.key, s.items, s.amount FROM sums s WHERE s.dimension <> 'opened'
	UNION ALL
	SELECT 'age', a.key, sum(a.items)::bigint, sum(a.amount) FROM age a
	 GROUP BY a.key HAVING sum(a.items) > 0) r
 ORDER BY r.dimension, r.items DESC, r.key
$$;

-- ---- saved views --------------------------------------------------------------------------
-- A person's named views of the work list (claimscrub.saved_view): the
-- query string of a work-list URL.  view_save() keeps (or replaces) the
-- caller's view; its keys must be the work list's filters and sort, its
-- values URL-encoded.
CREATE OR REPLACE FUNCTION claimscrub.view_save(name text, query text,
	shared boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
	keys constant text[] := ARRAY['state', 'rule', 'severity', 'payer', 'provider',
		'assignee', 'older_than', 'min_amount', 'dos_from', 'dos_to', 'sort'];
	pair text;
BEGIN
	IF name IS NULL OR length(name) NOT BETWEEN 1 AND 64 OR name ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION 'a view''s name is 1 to 64 characters, none a control character'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF query IS NULL OR length(query) > 1000 OR (query <> '' AND query !~
		'^[a-z_]+=[A-Za-z0-9%._~+-]*(&[a-z_]+=[A-Za-z0-9%._~+-]*)*$') THEN
		RAISE EXCEPTION 'a view is a work list''s query string (key=value&..., URL-encoded)'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOREACH pair IN ARRAY CASE WHEN query = '' THEN '{}' ELSE string_to_array(query, '&') END LOOP
		IF NOT split_part(pair, '=', 1) = ANY (keys) THEN
			RAISE EXCEPTION 'a view holds the work list''s filters (%), not %',
				array_to_string(keys, ', '), split_part(pair, '=', 1)
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
	END LOOP;
	INSERT INTO claimscrub.saved_view (owner, name, query, shared)
	VALUES (claimscrub.caller(), view_save.name, view_save.query, coalesce(view_save.shared, false))
	ON CONFLICT (owner, name) DO UPDATE
	   SET query = EXCLUDED.query, shared = EXCLUDED.shared, created_at = clock_timestamp();
END $$;

-- Deletes the caller's view name; false when there was none.
CREATE OR REPLACE FUNCTION claimscrub.view_delete(name text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	DELETE FROM claimscrub.saved_view v
	 WHERE v.owner = claimscrub.caller() AND v.name = view_delete.name;
	RETURN FOUND;
END $$;

-- The caller's views, then those others shared, each by name.
CREATE OR REPLACE FUNCTION claimscrub.views()
RETURNS TABLE (owner text, name text, query text, shared boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT v.owner, v.name, v.query, v.shared FROM claimscrub.saved_view v
 WHERE v.owner = claimscrub.caller() OR v.shared
 ORDER BY v.owner <> claimscrub.caller(), v.owner, v.name
$$;

-- ---- the claim's record ---------------------------------------------------------------------
-- Everything a reviewer needs to judge a claim's findings, as one JSON
-- document (format 1): the claim, its work item, lines, administrations
-- (and for a claim with an encounter, its encounter's MAR records),
-- the expected codes, every version's findings with their decisions, the
-- notes and the trail (its latest 200 entries).  Each call is logged (action 'read'): who read
-- which claim's record when.
CREATE OR REPLACE FUNCTION claimscrub.claim_detail(ref text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c claimscrub.claim;
	doc jsonb;
BEGIN
	SELECT x.* INTO c FROM claimscrub.claim x WHERE x.claim_ref = ref;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no claim %', ref USING ERRCODE = 'no_data_found';
	END IF;
	PERFORM claimscrub.work_log(c.id, NULL, 'read');
	doc := jsonb_build_object('format', 1, 'claim', c.claim_ref, 'version', c.version,
		'status', c.status, 'setting', c.setting, 'payer', c.payer,
		'provider', c.provider, 'date_of_service', c.date_of_service,
		'profile', c.result->>'profile', 'scrubbed_at', c.scrubbed_at,
		'rules_version', c.rules_version,
		'expected', coalesce(c.result->'expected', '[]'),
		'unchecked', coalesce(c.result->'unchecked', '[]'));
	doc := doc || jsonb_build_object('work', (
		SELECT to_jsonb(w) - 'claim_id' FROM claimscrub.work_item w WHERE w.claim_id = c.id));
	doc := doc || jsonb_build_object('lines', coalesce((
		SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('line', l.line_no,
			'code', l.code, 'units', l.units, 'modifiers', l.modifiers,
			'service_date', l.service_date)) ORDER BY l.line_no)
		  FROM claimscrub.claim_line l WHERE l.claim_id = c.id), '[]'));
	doc := doc || jsonb_build_object('administrations', coalesce((
		SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', a.admin_ref,
			'substance', a.substance, 'kind', a.kind, 'route', a.route,
			'site', a.site, 'start', a.start_time, 'stop', a.stop_time,
			'primary', a.is_primary,
			'separate_site_required', a.separate_site_required)) ORDER BY a.seq)
		  FROM claimscrub.administration a WHERE a.claim_id = c.id), '[]'));
	-- a claim whose administrations are its encounter's MAR (an 837 from
	-- import --submit, 021_mar_wait.sql): the records the daemon paired,
	-- as stored, in arrival order (at most 8 an administration are
	-- paired; 2,000 shown), so the reviewer sees the record behind the
	-- finding; the claim's own administrations are in 'administrations'
	doc := doc || jsonb_build_object('encounter', c.encounter, 'mar',
		CASE WHEN c.encounter IS NOT NULL THEN coalesce((
			SELECT jsonb_agg(m.record ORDER BY m.id) FROM (
				SELECT m.id, m.record FROM claimscrub.mar_event m
				 WHERE m.encounter = c.encounter ORDER BY m.id LIMIT 2000) m), '[]') END);
	doc := doc || jsonb_build_object('findings', coalesce((
		SELECT jsonb_agg(jsonb_build_object('id', f.id, 'version', f.claim_version,
			'rule', f.rule, 'severity', f.severity, 'line', f.line_no,
			'administration', f.administration_ref, 'message', f.message,
			'evidence', f.evidence, 'suggest', f.suggest,
			'decision', CASE WHEN f.resolution IS NOT NULL THEN jsonb_strip_nulls(
				jsonb_build_object('resolution', f.resolution, 'reason', f.reason,
					'by', f.resolved_by, 'at', f.resolved_at, 'note', f.note,
					'carried_from', f.carried_from)) END)
			ORDER BY f.claim_version DESC, f.ordinal)
		  FROM claimscrub.finding f WHERE f.claim_id = c.id), '[]'));
	doc := doc || jsonb_build_object('notes', coalesce((
		SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', n.id,
			'finding', n.finding_id, 'author', n.author, 'at', n.at,
			'note', n.note)) ORDER BY n.at, n.id)
		  FROM claimscrub.work_note n WHERE n.claim_id = c.id), '[]'));
	-- the trail's latest 200 entries (every view adds a read: a claim
	-- opened often would grow its page without end)
	doc := doc || jsonb_build_object('audit', coalesce((
		SELECT jsonb_agg(t.e ORDER BY t.at, t.k) FROM (
			SELECT a.at, a.id AS k, jsonb_strip_nulls(jsonb_build_object('at', a.at,
				'actor', a.actor, 'action', a.action, 'finding', a.finding_id,
				'detail', nullif(a.detail, '{}'))) AS e
			  FROM claimscrub.work_audit a WHERE a.claim_id = c.id
			 ORDER BY a.at DESC, a.id DESC LIMIT 200) t), '[]'));
	RETURN doc;
END $$;

-- What a database scrubbed before this file lacks, made once (applying the
-- api again finds nothing to do): the fingerprints of its findings, the
-- reason of its decisions (their resolution), and the work items of its
-- claims with findings.
UPDATE claimscrub.finding f
   SET fingerprint = claimscrub.fingerprint(f.rule,
	(SELECT l.code FROM claimscrub.claim_line l
	  WHERE l.claim_id = f.claim_id AND l.line_no = f.line_no),
	f.administration_ref, f.evidence)
 WHERE f.fingerprint IS NULL;
UPDATE claimscrub.finding f SET reason = f.resolution
 WHERE f.resolution IS NOT NULL AND f.reason IS NULL;
SELECT claimscrub.work_sync(coalesce(array_agg(c.id), '{}'), coalesce(array_agg(c.id), '{}'))
  FROM claimscrub.claim c
 WHERE c.status IN ('flagged', 'invalid')
   AND NOT EXISTS (SELECT 1 FROM claimscrub.work_item w WHERE w.claim_id = c.id);
