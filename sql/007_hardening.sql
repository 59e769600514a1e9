-- 007_hardening.sql: what a hostile login or an unlucky row did to 001-006
-- (issue 14, items 5, 8, 18 and the dates of 19):
--
--   5  a reviewer read hidden rows (pending claims, other versions) through
--      a leaky function of its own in pg_temp, which the planner ran below
--      the views' filters: every view of the schema is now a
--      security_barrier, and PUBLIC loses TEMPORARY on the database (so no
--      login but the daemon can create anything in pg_temp at all);
--   8  one raw row stopped every daemon: attempts >= 715,827,883 overflowed
--      claim_batch()'s arithmetic (n / 8^attempts, the lease's attempts + 1,
--      read_claims' attempts + 1), and a version of 2^31-1 could never be
--      resubmitted (version + 1): the functions clamp, attempts may not be
--      negative, and submit() replaces a claim at the last version by a new
--      one;
--  18  submit() counted characters where the readers count bytes (a claim
--      id of 40 x "é", 80 bytes, was accepted and then always ended
--      invalid): every length limit is in bytes;
--  19  BC and infinite dates of service were scrubbed (to_char drops the
--      era, and gives NULL for infinity): submit() accepts exactly the
--      dates the reader does (YYYY-MM-DD, 1900-2999), and the column holds
--      only dates a claim document can carry.
--
-- Transactional and idempotent, like the others.  Two things it does to
-- rows, both before it adds a constraint: a negative attempt count (no
-- meaning; a daemon never writes one) becomes 0.  A date of service that no
-- claim document can carry (BC, infinity, after 9999-12-31) is claim data,
-- so it is not touched: the migration fails instead, naming the claims,
-- and runs once they are corrected.  (A constraint left NOT VALID over such
-- rows would refuse every later write of them, the daemon's status and
-- attempt writes included: the very stall item 8 is about.)
--
-- Re-running 005_review.sql re-creates its views without the barrier (as
-- re-running 004 resets the roles): run this file again after it.  A later
-- migration that adds a view must create it WITH (security_barrier), and
-- one that replaces submit() must keep SECURITY DEFINER and its search_path
-- (as 004 says).
BEGIN;

-- ---- 5: security barriers -------------------------------------------------------
-- Without the barrier a view's own filter (status, version, open findings)
-- may run after a cheaper condition of the caller's, which then sees the
-- rows the view hides: a function of the reviewer's, in pg_temp, with a
-- tiny COST, that RAISEs its argument.  With it, only LEAKPROOF functions
-- (built-in comparisons: a superuser's to mark) go below the view's
-- filters; date and text comparisons are among them, so reports by day and
-- payer keep their plans.
DO $$
DECLARE
	v regclass;
BEGIN
	FOR v IN SELECT c.oid::regclass FROM pg_catalog.pg_class c
		  WHERE c.relnamespace = 'claimscrub'::regnamespace AND c.relkind = 'v'
		  ORDER BY c.relname LOOP
		EXECUTE format('ALTER VIEW %s SET (security_barrier = true)', v);
	END LOOP;
END $$;

-- The set-up step of README and SECURITY.md, done here when the migration
-- runs as the database's owner (or a superuser): nobody creates temporary
-- objects unless granted TEMPORARY by name.  004 grants it to
-- claimscrub_daemon; the reviewer and submitter roles need none.  Run as
-- someone else the migration cannot (only the owner's grant can be
-- revoked), says so with a WARNING, and the operator runs the REVOKE.
DO $$
DECLARE
	owner oid;
BEGIN
	SELECT d.datdba INTO owner FROM pg_catalog.pg_database d
	 WHERE d.datname = current_database();
	IF pg_catalog.pg_has_role(current_user, owner, 'MEMBER') THEN
		EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC',
			       current_database());
	ELSIF has_database_privilege('public', current_database(), 'TEMPORARY') THEN
		RAISE WARNING 'PUBLIC may still create temporary objects in database %', current_database()
			USING HINT = format('As its owner, run: REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC',
					    current_database());
	END IF;
END $$;

-- ---- 8: attempts and versions -------------------------------------------------
UPDATE claimscrub.claim SET attempts = 0 WHERE attempts < 0;
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint
			WHERE conrelid = 'claimscrub.claim'::regclass
			  AND conname = 'claim_attempts_check') THEN
		ALTER TABLE claimscrub.claim
			ADD CONSTRAINT claim_attempts_check CHECK (attempts >= 0);
	END IF;
END $$;

-- 006's claim_batch with its arithmetic clamped: the lease's count stops at
-- 2^31-1, and a batch of claims with attempts counted is n / 8^attempts
-- for at most 10 attempts (n >> 30 is 0 for any batch_size: 1 claim).  A
-- claim with any count is taken; the daemon makes it invalid once its
-- count passes max_attempts (1000 at most), so a huge count is one invalid
-- claim, not a stopped queue.
CREATE OR REPLACE FUNCTION claimscrub.claim_batch(n integer, lease_ms double precision)
RETURNS TABLE (id bigint, kind integer, seq integer, f1 text, f2 text,
	f3 text, f4 text, f5 text, f6 text, f7 text, f8 text, f9 text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
	lead integer; -- the attempts of the oldest claim to take
	picked bigint[];
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('claimscrub.claim_batch'));
	DELETE FROM claimscrub.batch b WHERE b.owner_pid = pg_backend_pid();
	WITH gone AS (
		DELETE FROM claimscrub.batch b
		 WHERE b.taken_at < clock_timestamp() - make_interval(secs => lease_ms / 1000)
		RETURNING b.claim_ids)
	UPDATE claimscrub.claim c SET attempts = least(c.attempts, 2147483646) + 1
	 WHERE c.id IN (SELECT unnest(g.claim_ids) FROM gone g)
	   AND c.status = 'pending';
	-- the oldest claims, with as many attempts counted as the oldest: when
	-- it has had batches die, a batch of claims that had as many die, an
	-- eighth as large for each death, so that a claim that kills its
	-- daemon is soon alone and takes no other down with it
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
	INSERT INTO claimscrub.batch (owner_pid, claim_ids)
	VALUES (pg_backend_pid(), picked);
	RETURN QUERY SELECT * FROM claimscrub.read_claims(picked);
END $$;

-- 006's read_claims, its tries (attempts + 1) counted in bigint.
CREATE OR REPLACE FUNCTION claimscrub.read_claims(ids bigint[])
RETURNS TABLE (id bigint, kind integer, seq integer, f1 text, f2 text,
	f3 text, f4 text, f5 text, f6 text, f7 text, f8 text, f9 text)
LANGUAGE sql STABLE AS $$
WITH u AS MATERIALIZED (
	SELECT c.id, c.version, c.attempts, c.claim_ref, c.payer, c.setting,
	       c.provider, c.date_of_service
	  FROM claimscrub.claim c
	 WHERE c.id = ANY (ids) AND c.status = 'pending')
SELECT u.id, 0, 0, u.version::text, (greatest(u.attempts, 0)::bigint + 1)::text,
       u.claim_ref, u.payer, u.setting, u.provider,
       to_char(u.date_of_service, 'YYYY-MM-DD'), NULL, NULL
  FROM u
UNION ALL
SELECT u.id, 1, l.line_no, l.code, l.units::text,
       CASE WHEN cardinality(l.modifiers) > 0 THEN l.modifiers::text END,
       NULL, NULL, NULL, NULL, NULL, NULL
  FROM u CROSS JOIN LATERAL (SELECT * FROM claimscrub.claim_line l
			      WHERE l.claim_id = u.id OFFSET 0) l
UNION ALL
SELECT u.id, 2, a.seq, a.admin_ref, a.substance, a.kind, a.route,
       a.site, a.start_time, a.stop_time, a.is_primary::text,
       a.separate_site_required::text
  FROM u CROSS JOIN LATERAL (SELECT * FROM claimscrub.administration a
			      WHERE a.claim_id = u.id OFFSET 0) a
ORDER BY 1, 2, 3
$$;

-- ---- 19: dates of service a claim document can carry ----------------------------
-- YYYY-MM-DD has no era and no infinity: a BC date came back from
-- to_char as the AD one, an infinite one as NULL (no date at all), and the
-- claim was scrubbed.  The reader takes 1900-2999 (scrubber/isotime.c);
-- the column is held to what the format can carry at all, so a row written
-- around submit() with a date from 0001 to 1899 or 3000 to 9999 still
-- reaches the daemon and becomes invalid with the reason.
DO $$
DECLARE
	bad bigint;
	refs text;
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_constraint
		    WHERE conrelid = 'claimscrub.claim'::regclass
		      AND conname = 'claim_date_of_service_check') THEN
		RETURN;
	END IF;
	SELECT count(*), string_agg(quote_literal(left(r.claim_ref, 64)), ', ')
	  INTO bad, refs
	  FROM (SELECT c.claim_ref FROM claimscrub.claim c
		 WHERE NOT c.date_of_service BETWEEN '0001-01-01' AND '9999-12-31'
		 ORDER BY c.id LIMIT 20) r;
	IF bad > 0 THEN
		SELECT count(*) INTO bad FROM claimscrub.claim c
		 WHERE NOT c.date_of_service BETWEEN '0001-01-01' AND '9999-12-31';
		RAISE EXCEPTION '% claims have a date_of_service no claim document can carry (BC, infinity or after 9999-12-31): %',
			bad, refs
			USING ERRCODE = 'check_violation',
			      HINT = 'Correct them (or set date_of_service to NULL, or delete them), then migrate again: UPDATE claimscrub.claim SET date_of_service = ... WHERE NOT date_of_service BETWEEN ''0001-01-01'' AND ''9999-12-31''';
	END IF;
	ALTER TABLE claimscrub.claim ADD CONSTRAINT claim_date_of_service_check
		CHECK (date_of_service BETWEEN '0001-01-01' AND '9999-12-31');
END $$;

-- ---- 18 and 19: submit()'s checks ---------------------------------------------------
-- A string of 1..maxlen bytes (UTF-8: the readers' limits are in bytes,
-- scrubber/ynode.c ynode_str) with no control characters; NULL passes
-- unless required.
CREATE OR REPLACE FUNCTION claimscrub.doc_string(v jsonb, path text, maxlen int,
	required boolean DEFAULT false, allowed text[] DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
		IF required THEN
			PERFORM claimscrub.doc_error(path, 'must not be empty');
		END IF;
		RETURN;
	END IF;
	IF jsonb_typeof(v) <> 'string' THEN
		PERFORM claimscrub.doc_error(path, 'must be a string');
	END IF;
	IF octet_length(v #>> '{}') = 0 OR octet_length(v #>> '{}') > maxlen THEN
		PERFORM claimscrub.doc_error(path, format('must be 1 to %s bytes of UTF-8, not %s',
			maxlen, octet_length(v #>> '{}')));
	END IF;
	IF (v #>> '{}') ~ '[\x01-\x1f\x7f]' THEN
		PERFORM claimscrub.doc_error(path, 'contains a control character');
	END IF;
	IF allowed IS NOT NULL AND NOT (v #>> '{}') = ANY (allowed) THEN
		PERFORM claimscrub.doc_error(path, format('must be one of %s',
			array_to_string(allowed, ', ')));
	END IF;
END $$;

-- 002's check_document with the reader's dates: YYYY-MM-DD, a real day,
-- years 1900 to 2999 (no era, no infinity, no year 0).
CREATE OR REPLACE FUNCTION claimscrub.check_document(doc jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	item jsonb;
	i bigint;
	dos text;
	good boolean;
BEGIN
	PERFORM claimscrub.doc_keys(doc, '(document)',
		ARRAY['claim', 'payer', 'setting', 'provider', 'date_of_service',
		      'lines', 'administrations'],
		ARRAY['claim', 'setting']);
	PERFORM claimscrub.doc_string(doc->'claim', 'claim', 64, true);
	PERFORM claimscrub.doc_string(doc->'payer', 'payer', 64);
	PERFORM claimscrub.doc_string(doc->'setting', 'setting', 64, true,
		ARRAY['facility', 'professional']);
	PERFORM claimscrub.doc_string(doc->'provider', 'provider', 64);
	IF doc ? 'date_of_service' AND jsonb_typeof(doc->'date_of_service') <> 'null' THEN
		dos := doc->>'date_of_service';
		good := jsonb_typeof(doc->'date_of_service') = 'string'
			AND dos ~ '^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$';
		IF good THEN
			BEGIN
				good := to_char(make_date(substr(dos, 1, 4)::int,
					substr(dos, 6, 2)::int, substr(dos, 9, 2)::int),
					'YYYY-MM-DD') = dos;
			EXCEPTION WHEN data_exception THEN
				good := false; -- 2026-02-30
			END;
		END IF;
		IF NOT good THEN
			PERFORM claimscrub.doc_error('date_of_service',
				'must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31');
		END IF;
	END IF;
	IF doc ? 'lines' THEN
		IF jsonb_typeof(doc->'lines') <> 'array' OR jsonb_array_length(doc->'lines') > 10000 THEN
			PERFORM claimscrub.doc_error('lines', 'must be a list of at most 10000 lines');
		END IF;
		FOR item, i IN SELECT * FROM jsonb_array_elements(doc->'lines') WITH ORDINALITY LOOP
			PERFORM claimscrub.doc_line(item, format('lines[%s]', i));
		END LOOP;
	END IF;
	IF doc ? 'administrations' THEN
		IF jsonb_typeof(doc->'administrations') <> 'array'
		   OR jsonb_array_length(doc->'administrations') > 10000 THEN
			PERFORM claimscrub.doc_error('administrations',
				'must be a list of at most 10000 administrations');
		END IF;
		FOR item, i IN SELECT * FROM jsonb_array_elements(doc->'administrations') WITH ORDINALITY LOOP
			PERFORM claimscrub.doc_admin(item, format('administrations[%s]', i));
		END LOOP;
		IF (SELECT count(DISTINCT a->>'id') <> count(*)
		      FROM jsonb_array_elements(doc->'administrations') a) THEN
			PERFORM claimscrub.doc_error('administrations', 'an administration id is used twice');
		END IF;
	END IF;
END $$;

-- 002's submit(), and a claim whose version can go no higher (2^31-1:
-- only a row written by hand gets there; version + 1 failed, so it could
-- never be resubmitted) is replaced by a new claim, a new id at version 1.
-- Its findings go with it (ON DELETE CASCADE); reviewers' decisions on them
-- stay in claimscrub.finding_audit, which outlives a claim.  A daemon
-- holding the old one writes nothing: no claim has its id any more.
-- SECURITY DEFINER and the search path as 004 sets them (CREATE OR REPLACE
-- would reset them).
CREATE OR REPLACE FUNCTION claimscrub.submit(doc jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	cid bigint;
BEGIN
	PERFORM claimscrub.check_document(doc);
	PERFORM set_config('claimscrub.submitting', 'on', true);
	DELETE FROM claimscrub.claim c
	 WHERE c.claim_ref = doc->>'claim' AND c.version >= 2147483647;
	INSERT INTO claimscrub.claim AS c
		(claim_ref, payer, setting, provider, date_of_service)
	VALUES (doc->>'claim', doc->>'payer', doc->>'setting', doc->>'provider',
		(doc->>'date_of_service')::date)
	ON CONFLICT (claim_ref) DO UPDATE
	   SET payer = EXCLUDED.payer, setting = EXCLUDED.setting,
	       provider = EXCLUDED.provider, date_of_service = EXCLUDED.date_of_service,
	       version = c.version + 1, status = 'pending', attempts = 0,
	       enqueued_at = clock_timestamp()
	RETURNING id INTO cid;
	DELETE FROM claimscrub.claim_line WHERE claim_id = cid;
	DELETE FROM claimscrub.administration WHERE claim_id = cid;
	INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
	SELECT cid, n, l->>'code', coalesce((l->>'units')::int, 1),
	       ARRAY(SELECT jsonb_array_elements_text(coalesce(l->'modifiers', '[]')))
	  FROM jsonb_array_elements(coalesce(doc->'lines', '[]')) WITH ORDINALITY AS t(l, n);
	INSERT INTO claimscrub.administration (claim_id, seq, admin_ref, substance,
		kind, route, site, start_time, stop_time, is_primary, separate_site_required)
	SELECT cid, n, a->>'id', a->>'substance', a->>'kind', a->>'route', a->>'site',
	       a->>'start', a->>'stop', (a->>'primary')::boolean,
	       (a->>'separate_site_required')::boolean
	  FROM jsonb_array_elements(coalesce(doc->'administrations', '[]')) WITH ORDINALITY AS t(a, n);
	PERFORM set_config('claimscrub.submitting', 'off', true);
	RETURN cid;
END $$;

-- ---- privileges: as 004 and 006 leave them (CREATE OR REPLACE keeps them;
-- this converges if someone changed them by hand) -------------------------------
REVOKE ALL ON FUNCTION claimscrub.claim_batch(integer, double precision),
	claimscrub.read_claims(bigint[]), claimscrub.doc_string(jsonb, text, integer, boolean, text[]),
	claimscrub.check_document(jsonb), claimscrub.submit(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claimscrub.claim_batch(integer, double precision),
	claimscrub.read_claims(bigint[]) TO claimscrub_daemon;
GRANT EXECUTE ON FUNCTION claimscrub.submit(jsonb) TO claimscrub_submitter;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (7, 'hardening') ON CONFLICT (version) DO NOTHING;

COMMIT;
