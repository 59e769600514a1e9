-- 040_batch.sql: the daemon's functions.  A batch is two round trips:
--
--   claim_batch(n, lease, ..., owner)  takes up to n pending claims as
--                          one row of claimscrub.batch, owner's (the
--                          lease: committed at once, so a crash is
--                          noticed), and returns their rows;
--   write_batch(results)   status, result and findings, in the batch's
--                          transaction, of the claims still pending at the
--                          version that was read; end_batch(owner) in the
--                          same transaction gives the lease up.
--
-- owner is the daemon's own id, not its backend: a transaction pooler
-- (PgBouncer) hands one backend to many clients.
--
-- The claim rows themselves are written once a scrub, by write_batch.
-- Between the two calls nothing is locked: the lease keeps other daemons
-- away, and the guard of write_batch (pending, same version) makes sure a
-- version is written once, whoever writes it.  The functions run with the
-- daemon's own rights (SECURITY INVOKER) on purpose: SECURITY DEFINER would
-- shrink its privileges (090_privileges.sql) only on paper, the bodies then
-- running with the rights of their owner.

-- Claims named by id are tested for `(c.status = 'pending') IS TRUE`, never
-- `c.status = 'pending'`: the plain test matches the partial index
-- claim_pending_idx, and where the statistics say that few claims are
-- pending (a quiet queue, analyzed; then a day's batch of 837s arrives and
-- autovacuum has not analyzed again) the planner picks that index, reading
-- every pending claim for each of a batch's 500 ids: 10,000,000 comparisons
-- a batch for a backlog of 20,000, a drain 25 times slower (bench/burst.sh).
-- Hidden from the index, the ids are found through the primary key
-- whatever the statistics say.  The two scans that do want the pending
-- claims in queue order (claim_batch) keep the plain test.  And such a
-- test is never part of a join of claim with the batch or a list of ids:
-- the same statistics estimate it at one claim, and the planner then
-- reads every claim and the whole batch again for each pending one (a
-- queue emptied and filled again: 430-600 ms a batch of 500 at 5,000
-- claims).  The ids go in as an array (`c.id = ANY (ARRAY(...))`), or the
-- status is tested on the rows already joined (tests/pg/burst.sh).

-- Bounds lock waits for the rest of the caller's transaction to ms
-- milliseconds, unless the session has a shorter lock_timeout already (an
-- operator's ALTER ROLE ... SET lock_timeout stays in force).
CREATE OR REPLACE FUNCTION claimscrub.bound_lock_wait(ms integer) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	now_ms double precision :=
		extract(epoch FROM current_setting('lock_timeout')::interval) * 1000;
BEGIN
	IF now_ms <= 0 OR now_ms > ms THEN
		PERFORM set_config('lock_timeout', ms || 'ms', true);
	END IF;
END $$;

-- The rows of the claims ids that are still pending, in order of claim,
-- kind and seq; one statement, so the version and the rows are of one
-- moment.  One named column a claim field (scrubber/claimfield.c, the
-- engine's field table), which the daemon finds with PQfnumber and reads
-- straight into struct claim through the same validators as a document
-- (daemon/claimrows.c):
--
--   id, kind (0 the claim, 1 a line, 2 an administration, 3 a MAR record
--      of its encounter), seq;
--   on the claim's row: version, tries (attempts + 1), and where its lists
--      were cut: cut_lines, cut_administrations, cut_mar (the daemon's
--      limits; a claim's MAR records at most 8 an administration);
--   the claim's fields by their keys: claim, payer, setting, provider,
--      date_of_service, encounter;
--   a line's fields as line_KEY, an administration's as admin_KEY;
--   a MAR record as mar_record (mar_event.record, JSON), for a claim with
--      an encounter and no administrations of its own, in arrival order.
--
-- At most max_lines + 1 lines and max_administrations + 1 administrations
-- a claim (a claim with more rows than the rules judge is made invalid,
-- naming the limit), and each text at most one character more than the
-- reader accepts, so a value too long still reads as too long: 64-byte
-- names, codes and times, 256-byte substances, a modifiers literal of 256
-- characters.  A claim id is cut at 1,024 characters; write_batch() puts
-- the whole id back in the result.  The lateral subqueries hold the plan to
-- one index probe a claim whatever the planner guesses of ids' length.
CREATE OR REPLACE FUNCTION claimscrub.read_claims(ids bigint[], max_lines integer,
	max_administrations integer)
RETURNS TABLE (id bigint, kind integer, seq integer, version integer,
	tries bigint, cut_lines integer, cut_administrations integer, cut_mar integer,
	claim text, payer text, setting text, provider text, date_of_service text,
	encounter text,
	line_code text, line_units text, line_modifiers text, line_service_date text,
	admin_id text, admin_substance text, admin_kind text, admin_route text,
	admin_site text, admin_start text, admin_stop text, admin_primary text,
	admin_separate_site_required text, mar_record text)
LANGUAGE sql STABLE AS $$
WITH u AS MATERIALIZED (
	SELECT c.id, c.version, c.attempts, left(c.claim_ref, 1024) AS claim_ref,
	       left(c.payer, 65) AS payer, left(c.setting, 65) AS setting,
	       left(c.provider, 65) AS provider, c.date_of_service,
	       left(c.encounter, 65) AS encounter, c.encounter AS enc
	  FROM claimscrub.claim c
	 WHERE c.id = ANY (ids) AND (c.status = 'pending') IS TRUE)
SELECT u.id, 0, 0, u.version, greatest(u.attempts, 0)::bigint + 1,
       greatest(read_claims.max_lines, 0),
       greatest(read_claims.max_administrations, 0),
       greatest(read_claims.max_administrations, 0) * 8,
       u.claim_ref, u.payer, u.setting, u.provider,
       to_char(u.date_of_service, 'YYYY-MM-DD'), u.encounter,
       NULL::text, NULL::text, NULL::text, NULL::text,
       NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
       NULL::text, NULL::text, NULL::text, NULL::text, NULL::text
  FROM u
UNION ALL
SELECT u.id, 1, l.line_no, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL,
       left(l.code, 65), l.units::text,
       CASE WHEN cardinality(l.modifiers) > 0 THEN left(l.modifiers::text, 256) END,
       to_char(l.service_date, 'YYYY-MM-DD'),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM u CROSS JOIN LATERAL (
	SELECT l.line_no, l.code, l.units, l.modifiers, l.service_date
	  FROM claimscrub.claim_line l
	 WHERE l.claim_id = u.id ORDER BY l.line_no
	 LIMIT greatest(read_claims.max_lines, 0)::bigint + 1) l
UNION ALL
SELECT u.id, 2, a.seq, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL,
       left(a.admin_ref, 65), left(a.substance, 257), left(a.kind, 65),
       left(a.route, 65), left(a.site, 65), left(a.start_time, 65),
       left(a.stop_time, 65), a.is_primary::text,
       a.separate_site_required::text, NULL
  FROM u CROSS JOIN LATERAL (
	SELECT a.seq, a.admin_ref, a.substance, a.kind, a.route, a.site,
	       a.start_time, a.stop_time, a.is_primary, a.separate_site_required
	  FROM claimscrub.administration a
	 WHERE a.claim_id = u.id ORDER BY a.seq
	 LIMIT greatest(read_claims.max_administrations, 0)::bigint + 1) a
UNION ALL
SELECT u.id, 3, m.n::integer, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       m.record::text
  FROM u CROSS JOIN LATERAL (
	SELECT m.record, row_number() OVER (ORDER BY m.id) AS n
	  FROM claimscrub.mar_event m
	 WHERE m.encounter = u.enc
	   AND NOT EXISTS (SELECT 1 FROM claimscrub.administration a
			    WHERE a.claim_id = u.id)
	 ORDER BY m.id
	 LIMIT greatest(read_claims.max_administrations, 0)::bigint * 8 + 1) m
 WHERE u.enc IS NOT NULL
ORDER BY 1, 2, 3
$$;

-- Takes up to n pending claims that no live batch holds, oldest first, as
-- a new batch of the caller, and returns their rows as read_claims does
-- (lease_ms: the lease in milliseconds).  The caller's previous batch ends
-- here; a dead batch's claims (lease run out) each get an attempt counted,
-- if they can be locked at once (a claim an open client transaction holds
-- is left alone).  Claims with attempts counted go in batches of their
-- own, n / 8^attempts claims at most (clamped: attempts stop at 2^31-1).
-- The daemons take turns on the one row of claimscrub.queue_lock, which
-- only claimscrub_daemon can lock, waiting at most 5 s (or the session's
-- lock_timeout if shorter): a claim step that times out (SQLSTATE 55P03) is
-- rolled back whole, so it counts no attempt.
CREATE OR REPLACE FUNCTION claimscrub.claim_batch(n integer, lease_ms double precision,
	max_lines integer, max_administrations integer, owner text)
RETURNS TABLE (id bigint, kind integer, seq integer, version integer,
	tries bigint, cut_lines integer, cut_administrations integer, cut_mar integer,
	claim text, payer text, setting text, provider text, date_of_service text,
	encounter text,
	line_code text, line_units text, line_modifiers text, line_service_date text,
	admin_id text, admin_substance text, admin_kind text, admin_route text,
	admin_site text, admin_start text, admin_stop text, admin_primary text,
	admin_separate_site_required text, mar_record text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
	lead integer; -- the attempts of the oldest claim to take
	picked bigint[];
	turn boolean;
BEGIN
	PERFORM claimscrub.bound_lock_wait(5000);
	BEGIN
		SELECT q.one INTO turn FROM claimscrub.queue_lock q FOR UPDATE;
	EXCEPTION WHEN lock_not_available THEN
		RAISE EXCEPTION 'the daemons'' turn (claimscrub.queue_lock) was not granted within lock_timeout (%): another session holds it',
			current_setting('lock_timeout') USING ERRCODE = 'lock_not_available';
	END;
	IF turn IS NULL THEN -- without the row, nothing would keep daemons apart
		RAISE EXCEPTION 'claimscrub.queue_lock has no row: run claimscrub db migrate'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF claim_batch.owner IS NULL OR length(claim_batch.owner) NOT BETWEEN 1 AND 200 THEN
		RAISE EXCEPTION 'a batch''s owner is 1 to 200 characters'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	DELETE FROM claimscrub.batch b WHERE b.owner = claim_batch.owner;
	-- claims whose MAR did not come in mar_wait_minutes are scrubbed now
	-- (the engine's mar-missing holds them); claim_changed gives each a
	-- new version and a place at the end of the queue
	UPDATE claimscrub.claim c SET status = 'pending'
	 WHERE c.status = 'waiting' AND c.mar_due <= clock_timestamp();
	WITH gone AS (
		DELETE FROM claimscrub.batch b
		 WHERE b.taken_at < clock_timestamp() - make_interval(secs => lease_ms / 1000)
		RETURNING b.claim_ids),
	-- (probed by id, an array: see the top of this file)
	free AS MATERIALIZED (
		SELECT c.id FROM claimscrub.claim c
		 WHERE c.id = ANY (ARRAY(SELECT unnest(g.claim_ids) FROM gone g))
		   AND (c.status = 'pending') IS TRUE
		   FOR UPDATE SKIP LOCKED)
	UPDATE claimscrub.claim c SET attempts = least(c.attempts, 2147483646) + 1
	  FROM free f WHERE c.id = f.id;
	-- the oldest claims, with as many attempts counted as the oldest
	SELECT c.attempts INTO lead FROM claimscrub.claim c
	 WHERE c.status = 'pending'
	   AND c.id NOT IN (SELECT unnest(b.claim_ids) FROM claimscrub.batch b)
	 ORDER BY c.enqueued_at, c.id LIMIT 1;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT array_agg(p.id) INTO picked FROM (
		SELECT c.id FROM claimscrub.claim c
		 WHERE c.status = 'pending' AND c.attempts = lead
		   AND c.id NOT IN (SELECT unnest(b.claim_ids) FROM claimscrub.batch b)
		 ORDER BY c.enqueued_at, c.id
		 LIMIT CASE WHEN lead <= 0 THEN n
			    ELSE greatest(1, n >> (3 * least(lead, 10))) END) p;
	IF picked IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO claimscrub.batch (owner, owner_pid, claim_ids)
	VALUES (claim_batch.owner, pg_backend_pid(), picked);
	RETURN QUERY SELECT * FROM claimscrub.read_claims(picked, max_lines,
							  max_administrations);
END $$;

-- A daemon of before 014 (no owner of its own): its backend owns its
-- batches.  Unsafe behind a transaction pooler, which shares backends.
CREATE OR REPLACE FUNCTION claimscrub.claim_batch(n integer, lease_ms double precision,
	max_lines integer, max_administrations integer)
RETURNS TABLE (id bigint, kind integer, seq integer, version integer,
	tries bigint, cut_lines integer, cut_administrations integer, cut_mar integer,
	claim text, payer text, setting text, provider text, date_of_service text,
	encounter text,
	line_code text, line_units text, line_modifiers text, line_service_date text,
	admin_id text, admin_substance text, admin_kind text, admin_route text,
	admin_site text, admin_start text, admin_stop text, admin_primary text,
	admin_separate_site_required text, mar_record text)
LANGUAGE sql VOLATILE AS $$
SELECT * FROM claimscrub.claim_batch(n, lease_ms, max_lines, max_administrations,
	'backend-' || pg_backend_pid())
$$;

-- Ends owner's batch: its claims are written (in the same transaction,
-- with write_batch), so nothing is left to lease or to count.  And adds
-- the work items' changes into the buckets' counts once 5,000 are
-- waiting (060_workflow.sql).
-- (plpgsql: its body is checked when it runs, after 060 made the fold.)
CREATE OR REPLACE FUNCTION claimscrub.end_batch(owner text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	DELETE FROM claimscrub.batch b WHERE b.owner = end_batch.owner;
	PERFORM claimscrub.work_tally_fold(5000);
END $$;
CREATE OR REPLACE FUNCTION claimscrub.end_batch() RETURNS void
LANGUAGE sql VOLATILE AS $$
SELECT claimscrub.end_batch('backend-' || pg_backend_pid())
$$;

-- Writes a batch of results, [{id, version, status, result, rules}, ...],
-- in one statement and only for a claim still pending at the version given
-- that it can lock at once (FOR UPDATE SKIP LOCKED: one that another
-- transaction holds is left pending, not waited for): replaces its
-- unresolved findings (reviewer decisions stay) and inserts one row per
-- finding.  Returns the claims written and the claims left because locked
-- (still pending when the statement began, so not merely changed).  Other
-- lock waits (a finding row a reviewer's open transaction holds) last
-- lock_wait_ms at most, or the session's lock_timeout if shorter.  A claim
-- id longer than read_claims() reads is put back whole in the result, so
-- that result->>'claim' is the claim's id as ever.  Then the written
-- claims' work items (work_sync, 060_workflow.sql).  waited: how long
-- each claim written waited, submitted (enqueued_at) to written, in
-- seconds (the daemon's claimscrub_claim_wait_seconds).  (Dropped first:
-- a function's result columns cannot be replaced, and 011's had two.)
DROP FUNCTION IF EXISTS claimscrub.write_batch(jsonb, integer);
CREATE OR REPLACE FUNCTION claimscrub.write_batch(batch jsonb,
	lock_wait_ms integer DEFAULT 5000)
RETURNS TABLE (written integer, locked integer, waited double precision[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	ids bigint[];	  -- the claims written
	flagged bigint[]; -- those of them flagged or invalid
BEGIN
	PERFORM claimscrub.bound_lock_wait(write_batch.lock_wait_ms);
	WITH b AS (
		SELECT * FROM jsonb_to_recordset(batch)
		       AS b(id bigint, version integer, status text, result jsonb, rules text)),
	-- the claims that can be locked at once, with their results and what
	-- they are now (locked, they stay so); u writes those still pending
	-- at the version read, tested on l's columns, not in the join (see the
	-- top of this file).  One join: `FROM b, l` made the planner match
	-- every locked claim against every result, 500 x 500 comparisons a
	-- batch.
	l AS MATERIALIZED (
		SELECT c.id, c.status AS now_status, c.version AS now_version,
		       b.version, b.status, b.result, b.rules
		  FROM b JOIN claimscrub.claim c ON c.id = b.id
		   FOR UPDATE OF c SKIP LOCKED),
	u AS (
		UPDATE claimscrub.claim c
		   SET status = b.status,
		       result = CASE WHEN length(c.claim_ref) > 1024
				     THEN jsonb_set(b.result, '{claim}', to_jsonb(c.claim_ref))
				     ELSE b.result END,
		       rules_version = b.rules,
		       scrubbed_at = clock_timestamp(), scrubbed_version = b.version,
		       attempts = 0
		  FROM l AS b
		 WHERE c.id = b.id AND b.now_version = b.version
		   AND b.now_status = 'pending'
		RETURNING c.id, c.version, c.status, c.enqueued_at, b.result),
	-- their undecided findings, probed by the claims' ids (an array: as
	-- a join with u the plan followed finding's statistics, and stale
	-- ones, a table emptied then filled, had every batch read all the
	-- open findings, by a sequential scan or comparing each with each of
	-- u's 500 rows: a batch's cost growing with the findings waiting for
	-- review)
	d AS (
		DELETE FROM claimscrub.finding f
		 WHERE f.claim_id = ANY (ARRAY(SELECT u.id FROM u))
		   AND f.resolution IS NULL),
	-- each with its fingerprint (060_workflow.sql): the billed code of
	-- its line joined here, for the whole batch at once
	fs AS (
		SELECT u.id, u.version, (e.n - 1)::integer AS ordinal, e.f->>'rule' AS rule,
		       e.f->>'severity' AS severity, (e.f->>'line')::integer AS line_no,
		       e.f->>'administration' AS administration_ref, e.f->>'message' AS message,
		       coalesce(e.f->'evidence', '{}') AS evidence,
		       nullif(e.f->'suggest', 'null') AS suggest
		  FROM u, jsonb_array_elements(u.result->'findings') WITH ORDINALITY AS e(f, n)),
	-- the outcome for billing (070_results.sql): a flagged claim whose
	-- findings all carry decisions is released by work_sync below
	-- (result_state() reads a setting: called once a status, not a claim)
	st AS MATERIALIZED (
		SELECT s.status, claimscrub.result_state(s.status) AS state
		  FROM (SELECT DISTINCT u.status FROM u) s),
	ev AS (
		INSERT INTO claimscrub.result_event (claim_id, claim_version, state)
		SELECT u.id, u.version, (SELECT st.state FROM st WHERE st.status = u.status)
		  FROM u),
	i AS (
		INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule,
			severity, line_no, administration_ref, message, evidence, suggest,
			fingerprint)
		SELECT fs.id, fs.version, fs.ordinal, fs.rule, fs.severity, fs.line_no,
		       fs.administration_ref, fs.message, fs.evidence, fs.suggest,
		       claimscrub.fingerprint(fs.rule, l.code, fs.administration_ref, fs.evidence)
		  FROM fs LEFT JOIN claimscrub.claim_line l
		    ON l.claim_id = fs.id AND l.line_no = fs.line_no)
	SELECT (SELECT count(*) FROM u)::integer,
	       -- (probed by id, an array: see the top of this file)
	       (SELECT count(*) FROM claimscrub.claim c
		 WHERE c.id = ANY (ARRAY(SELECT b.id FROM b
					  WHERE b.id NOT IN (SELECT l.id FROM l)))
		   AND (c.status = 'pending') IS TRUE)::integer,
	       (SELECT array_agg(u.id) FROM u),
	       (SELECT coalesce(array_agg(u.id), '{}') FROM u
		 WHERE u.status IN ('flagged', 'invalid')),
	       (SELECT coalesce(array_agg(extract(epoch FROM clock_timestamp() - u.enqueued_at)::double precision), '{}')
		  FROM u)
	  INTO written, locked, ids, flagged, waited;
	-- the claims' work items (060_workflow.sql), in a statement of its
	-- own: it sees the finding rows just written
	IF ids IS NOT NULL THEN
		PERFORM claimscrub.work_sync(ids, flagged);
	END IF;
	RETURN NEXT;
END $$;

-- When not even write_batch can store a claim's result (a result the
-- server refuses): its status invalid and the result alone, naming the
-- claim by its whole id, if it is still pending at version (any version
-- when NULL) and not held by another transaction; its open findings of
-- earlier versions go, as write_batch would have deleted them, and so does
-- a work item of an earlier version (work_sync: without a finding row the
-- claim has none).  Returns whether the claim was marked.
CREATE OR REPLACE FUNCTION claimscrub.mark_invalid(claim_id bigint,
	result jsonb, version integer DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
	marked boolean;
BEGIN
	WITH m AS (
		UPDATE claimscrub.claim c
		   SET status = 'invalid',
		       result = jsonb_set(mark_invalid.result, '{claim}', to_jsonb(c.claim_ref)),
		       scrubbed_at = clock_timestamp(), scrubbed_version = c.version
		 WHERE c.id IN (SELECT l.id FROM claimscrub.claim l
				 WHERE l.id = mark_invalid.claim_id AND (l.status = 'pending') IS TRUE
				   AND l.version = coalesce(mark_invalid.version, l.version)
				   FOR UPDATE SKIP LOCKED)
		RETURNING c.id, c.version),
	d AS (
		DELETE FROM claimscrub.finding f
		 WHERE f.claim_id = ANY (ARRAY(SELECT m.id FROM m))
		   AND f.resolution IS NULL),
	ev AS (
		INSERT INTO claimscrub.result_event (claim_id, claim_version, state)
		SELECT m.id, m.version, 'invalid' FROM m)
	SELECT EXISTS (SELECT 1 FROM m) INTO marked;
	IF marked THEN
		PERFORM claimscrub.work_sync(ARRAY[mark_invalid.claim_id]);
	END IF;
	RETURN marked;
END $$;
