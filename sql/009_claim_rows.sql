-- 009_claim_rows.sql: the daemon reads claims by column name, and a line
-- has a date of service (issue 19, item 1).
--
-- claim_batch() and read_claims() returned positional text columns f1..f9
-- whose meaning changed with the row's kind, and the daemon rebuilt a YAML
-- tree from them in the key order of 003's claim_document() so that the
-- document reader could validate it.  They now return one named column a
-- claim field (scrubber/claimfield.c, the engine's field table), which the
-- daemon finds with PQfnumber and reads straight into struct claim through
-- the same validators as a document (daemon/claimrows.c):
--
--   id, kind (0 the claim, 1 a line, 2 an administration), seq;
--   on the claim's row: version, tries (attempts + 1), and where its lists
--      were cut: cut_lines, cut_administrations (the daemon's limits, as
--      008's f8 and f9);
--   the claim's fields by their keys: claim, payer, setting, provider,
--      date_of_service;
--   a line's fields as line_KEY: line_code, line_units, line_modifiers,
--      line_service_date;
--   an administration's as admin_KEY: admin_id, admin_substance,
--      admin_kind, admin_route, admin_site, admin_start, admin_stop,
--      admin_primary, admin_separate_site_required.
--
-- Every field column is text, cut as 008 cuts it (the reader's limit plus
-- one character); the rest of 008 is kept exactly: at most max_lines + 1
-- lines and max_administrations + 1 administrations a claim, the turn on
-- claimscrub.queue_lock within lock_timeout, a dead batch's claims counted
-- only when they can be locked at once.  The arguments are 008's; the
-- result's type changed, so both functions are dropped and made again (a
-- daemon of before 009 fails its claim steps, and this daemon refuses a
-- schema without 009: event=schema-missing missing_migration=009).
-- Upgrading: stop every daemon, migrate, start the new ones.
--
-- The new field: claim_line.service_date, a line's date of service, for
-- the intake of 837 lines (the engine does not judge it yet).  submit()
-- takes it as lines[].service_date, YYYY-MM-DD from 1900-01-01 to
-- 2999-12-31 as the reader does; the column holds any date a document's
-- format can carry (no BC, no infinity: see 007), so a row written around
-- submit() with a date out of the reader's range reaches the daemon and
-- becomes invalid with the reason.
--
-- Transactional and idempotent, like the others.  Privileges as 004 leaves
-- them (re-running 004 takes away what 006, 007, 008 and this file grant:
-- run them again after it).  No view is added or changed: every view
-- stays a security_barrier (007).
BEGIN;

-- ---- the new field ------------------------------------------------------------
ALTER TABLE claimscrub.claim_line ADD COLUMN IF NOT EXISTS service_date date
	CONSTRAINT claim_line_service_date_check
	CHECK (service_date BETWEEN '0001-01-01' AND '9999-12-31');

-- ---- read_claims: named columns ---------------------------------------------------
-- 008's read_claims(ids, max_lines, max_administrations), one column a
-- field.  The cuts are 008's: 64-byte names, codes and times, 256-byte
-- substances plus one character, a modifiers literal of 256 characters.
DROP FUNCTION IF EXISTS claimscrub.read_claims(bigint[], integer, integer);
CREATE FUNCTION claimscrub.read_claims(ids bigint[], max_lines integer,
	max_administrations integer)
RETURNS TABLE (id bigint, kind integer, seq integer, version integer,
	tries bigint, cut_lines integer, cut_administrations integer,
	claim text, payer text, setting text, provider text, date_of_service text,
	line_code text, line_units text, line_modifiers text, line_service_date text,
	admin_id text, admin_substance text, admin_kind text, admin_route text,
	admin_site text, admin_start text, admin_stop text, admin_primary text,
	admin_separate_site_required text)
LANGUAGE sql STABLE AS $$
WITH u AS MATERIALIZED (
	SELECT c.id, c.version, c.attempts, left(c.claim_ref, 1024) AS claim_ref,
	       left(c.payer, 65) AS payer, left(c.setting, 65) AS setting,
	       left(c.provider, 65) AS provider, c.date_of_service
	  FROM claimscrub.claim c
	 WHERE c.id = ANY (ids) AND c.status = 'pending')
SELECT u.id, 0, 0, u.version, greatest(u.attempts, 0)::bigint + 1,
       greatest(read_claims.max_lines, 0),
       greatest(read_claims.max_administrations, 0),
       u.claim_ref, u.payer, u.setting, u.provider,
       to_char(u.date_of_service, 'YYYY-MM-DD'),
       NULL::text, NULL::text, NULL::text, NULL::text,
       NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
       NULL::text, NULL::text, NULL::text, NULL::text
  FROM u
UNION ALL
SELECT u.id, 1, l.line_no, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL,
       left(l.code, 65), l.units::text,
       CASE WHEN cardinality(l.modifiers) > 0 THEN left(l.modifiers::text, 256) END,
       to_char(l.service_date, 'YYYY-MM-DD'),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM u CROSS JOIN LATERAL (
	SELECT l.line_no, l.code, l.units, l.modifiers, l.service_date
	  FROM claimscrub.claim_line l
	 WHERE l.claim_id = u.id ORDER BY l.line_no
	 LIMIT greatest(read_claims.max_lines, 0)::bigint + 1) l
UNION ALL
SELECT u.id, 2, a.seq, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL,
       left(a.admin_ref, 65), left(a.substance, 257), left(a.kind, 65),
       left(a.route, 65), left(a.site, 65), left(a.start_time, 65),
       left(a.stop_time, 65), a.is_primary::text,
       a.separate_site_required::text
  FROM u CROSS JOIN LATERAL (
	SELECT a.seq, a.admin_ref, a.substance, a.kind, a.route, a.site,
	       a.start_time, a.stop_time, a.is_primary, a.separate_site_required
	  FROM claimscrub.administration a
	 WHERE a.claim_id = u.id ORDER BY a.seq
	 LIMIT greatest(read_claims.max_administrations, 0)::bigint + 1) a
ORDER BY 1, 2, 3
$$;

-- ---- claim_batch: 008's, returning read_claims()' columns ---------------------------
DROP FUNCTION IF EXISTS claimscrub.claim_batch(integer, double precision, integer, integer);
CREATE FUNCTION claimscrub.claim_batch(n integer, lease_ms double precision,
	max_lines integer, max_administrations integer)
RETURNS TABLE (id bigint, kind integer, seq integer, version integer,
	tries bigint, cut_lines integer, cut_administrations integer,
	claim text, payer text, setting text, provider text, date_of_service text,
	line_code text, line_units text, line_modifiers text, line_service_date text,
	admin_id text, admin_substance text, admin_kind text, admin_route text,
	admin_site text, admin_start text, admin_stop text, admin_primary text,
	admin_separate_site_required text)
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
		RAISE EXCEPTION 'claimscrub.queue_lock has no row: run sql/008_queue_locks.sql again'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	DELETE FROM claimscrub.batch b WHERE b.owner_pid = pg_backend_pid();
	WITH gone AS (
		DELETE FROM claimscrub.batch b
		 WHERE b.taken_at < clock_timestamp() - make_interval(secs => lease_ms / 1000)
		RETURNING b.claim_ids),
	free AS MATERIALIZED (
		SELECT c.id FROM claimscrub.claim c
		 WHERE c.id IN (SELECT unnest(g.claim_ids) FROM gone g)
		   AND c.status = 'pending'
		   FOR UPDATE SKIP LOCKED)
	UPDATE claimscrub.claim c SET attempts = least(c.attempts, 2147483646) + 1
	  FROM free f WHERE c.id = f.id;
	-- the oldest claims, with as many attempts counted as the oldest (008)
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
	RETURN QUERY SELECT * FROM claimscrub.read_claims(picked, max_lines,
							  max_administrations);
END $$;

-- ---- submit: lines[].service_date -------------------------------------------------
-- A date as the reader takes it (scrubber/claimfield.c, want_date):
-- YYYY-MM-DD, a real day, 1900 to 2999; absent passes, null does not (the
-- reader refuses an empty value).  007's rule for date_of_service.
CREATE OR REPLACE FUNCTION claimscrub.doc_date(v jsonb, path text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	d text := v #>> '{}';
	good boolean;
BEGIN
	IF v IS NULL THEN
		RETURN;
	END IF;
	good := jsonb_typeof(v) = 'string'
		AND d ~ '^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$';
	IF good THEN
		BEGIN
			good := to_char(make_date(substr(d, 1, 4)::int,
				substr(d, 6, 2)::int, substr(d, 9, 2)::int),
				'YYYY-MM-DD') = d;
		EXCEPTION WHEN data_exception THEN
			good := false; -- 2026-02-30
		END;
	END IF;
	IF NOT good THEN
		PERFORM claimscrub.doc_error(path,
			'must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31');
	END IF;
END $$;

-- 002's doc_line, with service_date allowed and checked.
CREATE OR REPLACE FUNCTION claimscrub.doc_line(l jsonb, path text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	m jsonb;
BEGIN
	PERFORM claimscrub.doc_keys(l, path,
		ARRAY['code', 'units', 'modifiers', 'service_date'], ARRAY['code']);
	PERFORM claimscrub.doc_string(l->'code', path || '.code', 5, true);
	IF (l->>'code') !~ '^[A-Z0-9]{5}$' THEN
		PERFORM claimscrub.doc_error(path || '.code', 'must be 5 upper-case letters or digits');
	END IF;
	IF l ? 'units' AND (jsonb_typeof(l->'units') <> 'number'
			    OR (l->>'units') !~ '^[0-9]{1,3}$'
			    OR (l->>'units')::int NOT BETWEEN 1 AND 999) THEN
		PERFORM claimscrub.doc_error(path || '.units', 'must be an integer from 1 to 999');
	END IF;
	IF l ? 'modifiers' THEN
		IF jsonb_typeof(l->'modifiers') <> 'array' OR jsonb_array_length(l->'modifiers') > 4 THEN
			PERFORM claimscrub.doc_error(path || '.modifiers', 'must be a list of at most 4 modifiers');
		END IF;
		FOR m IN SELECT jsonb_array_elements(l->'modifiers') LOOP
			IF jsonb_typeof(m) <> 'string' OR (m #>> '{}') !~ '^[A-Z0-9]{2}$' THEN
				PERFORM claimscrub.doc_error(path || '.modifiers',
					'each modifier must be 2 upper-case letters or digits');
			END IF;
		END LOOP;
	END IF;
	PERFORM claimscrub.doc_date(l->'service_date', path || '.service_date');
END $$;

-- 007's submit(), storing a line's service_date; nothing else changed.
-- SECURITY DEFINER and the search path as 004 and 007 set them (CREATE OR
-- REPLACE would reset them).
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
	INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers,
		service_date)
	SELECT cid, n, l->>'code', coalesce((l->>'units')::int, 1),
	       ARRAY(SELECT jsonb_array_elements_text(coalesce(l->'modifiers', '[]'))),
	       (l->>'service_date')::date
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

-- ---- privileges: as 004 and 008 leave them (the functions made again
-- start executable by PUBLIC; CREATE OR REPLACE keeps the others') --------------
REVOKE ALL ON FUNCTION claimscrub.read_claims(bigint[], integer, integer),
	claimscrub.claim_batch(integer, double precision, integer, integer),
	claimscrub.doc_date(jsonb, text), claimscrub.doc_line(jsonb, text),
	claimscrub.submit(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claimscrub.read_claims(bigint[], integer, integer),
	claimscrub.claim_batch(integer, double precision, integer, integer)
	TO claimscrub_daemon;
GRANT EXECUTE ON FUNCTION claimscrub.submit(jsonb) TO claimscrub_submitter;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (9, 'claim_rows') ON CONFLICT (version) DO NOTHING;

COMMIT;
