-- 002_queue.sql: queue behaviour: a changed claim goes back to `pending`
-- with a new version and wakes the daemons; claimscrub.submit(jsonb) takes the
-- claim document of `claimscrub check`, validates it, and replaces the claim.
BEGIN;

-- ---- re-queue on change ------------------------------------------------

-- What a claim says changed, or someone put it back in the queue by hand
-- (an operator after a rules change): new version, back in the queue, so
-- every scrub has a version of its own and a reviewer's decision on an
-- earlier one is never overwritten.  Writes of the daemon (status, result),
-- of submit() and of rows_changed() (which set the version themselves) do
-- not count.
CREATE OR REPLACE FUNCTION claimscrub.claim_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('claimscrub.submitting', true) = 'on'
	   OR NEW.version <> OLD.version THEN
		RETURN NEW;
	END IF;
	IF (NEW.claim_ref, NEW.payer, NEW.setting, NEW.provider, NEW.date_of_service)
	   IS DISTINCT FROM
	   (OLD.claim_ref, OLD.payer, OLD.setting, OLD.provider, OLD.date_of_service)
	   OR (NEW.status = 'pending' AND OLD.status <> 'pending') THEN
		NEW.version := OLD.version + 1;
		NEW.status := 'pending';
		NEW.attempts := 0;
		NEW.enqueued_at := clock_timestamp();
	END IF;
	RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS claim_changed ON claimscrub.claim;
CREATE TRIGGER claim_changed BEFORE UPDATE ON claimscrub.claim
	FOR EACH ROW EXECUTE FUNCTION claimscrub.claim_changed();

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

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['claim_line', 'administration'] LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS %1$s_inserted ON claimscrub.%1$s', t);
		EXECUTE format('DROP TRIGGER IF EXISTS %1$s_updated ON claimscrub.%1$s', t);
		EXECUTE format('DROP TRIGGER IF EXISTS %1$s_deleted ON claimscrub.%1$s', t);
		EXECUTE format('CREATE TRIGGER %1$s_inserted AFTER INSERT ON claimscrub.%1$s
			REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
			EXECUTE FUNCTION claimscrub.rows_changed()', t);
		EXECUTE format('CREATE TRIGGER %1$s_updated AFTER UPDATE ON claimscrub.%1$s
			REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
			EXECUTE FUNCTION claimscrub.rows_changed()', t);
		EXECUTE format('CREATE TRIGGER %1$s_deleted AFTER DELETE ON claimscrub.%1$s
			REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT
			EXECUTE FUNCTION claimscrub.rows_changed()', t);
	END LOOP;
END $$;

-- Wake the daemons when a claim enters the queue.  NOTIFY folds identical
-- notifications of one transaction into one.
CREATE OR REPLACE FUNCTION claimscrub.notify_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('claimscrub_pending', '');
	RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS claim_enqueued ON claimscrub.claim;
CREATE TRIGGER claim_enqueued AFTER INSERT ON claimscrub.claim
	FOR EACH ROW WHEN (NEW.status = 'pending')
	EXECUTE FUNCTION claimscrub.notify_pending();
DROP TRIGGER IF EXISTS claim_requeued ON claimscrub.claim;
CREATE TRIGGER claim_requeued AFTER UPDATE OF status, version ON claimscrub.claim
	FOR EACH ROW WHEN (NEW.status = 'pending' AND
			   (OLD.status <> 'pending' OR OLD.version <> NEW.version))
	EXECUTE FUNCTION claimscrub.notify_pending();

-- ---- submit -------------------------------------------------------------

CREATE OR REPLACE FUNCTION claimscrub.doc_error(path text, msg text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'claim document: %: %', path, msg
		USING ERRCODE = 'invalid_parameter_value';
END $$;

-- Fails unless obj is an object whose keys are all in allowed and which has
-- every key in required.
CREATE OR REPLACE FUNCTION claimscrub.doc_keys(obj jsonb, path text,
	allowed text[], required text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	IF jsonb_typeof(obj) IS DISTINCT FROM 'object' THEN
		PERFORM claimscrub.doc_error(path, 'must be an object');
	END IF;
	FOR k IN SELECT jsonb_object_keys(obj) LOOP
		IF NOT k = ANY (allowed) THEN
			PERFORM claimscrub.doc_error(path, format('unknown key %L', k));
		END IF;
	END LOOP;
	FOREACH k IN ARRAY required LOOP
		IF NOT obj ? k THEN
			PERFORM claimscrub.doc_error(path, format('missing required key %L', k));
		END IF;
	END LOOP;
END $$;

-- A string of 1..maxlen characters with no control characters; NULL passes
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
	IF length(v #>> '{}') = 0 OR length(v #>> '{}') > maxlen THEN
		PERFORM claimscrub.doc_error(path, format('must be 1 to %s characters', maxlen));
	END IF;
	IF (v #>> '{}') ~ '[\x01-\x1f\x7f]' THEN
		PERFORM claimscrub.doc_error(path, 'contains a control character');
	END IF;
	IF allowed IS NOT NULL AND NOT (v #>> '{}') = ANY (allowed) THEN
		PERFORM claimscrub.doc_error(path, format('must be one of %s',
			array_to_string(allowed, ', ')));
	END IF;
END $$;

CREATE OR REPLACE FUNCTION claimscrub.doc_line(l jsonb, path text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	m jsonb;
BEGIN
	PERFORM claimscrub.doc_keys(l, path, ARRAY['code', 'units', 'modifiers'], ARRAY['code']);
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
END $$;

CREATE OR REPLACE FUNCTION claimscrub.doc_admin(a jsonb, path text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM claimscrub.doc_keys(a, path,
		ARRAY['id', 'substance', 'kind', 'route', 'site', 'start', 'stop',
		      'primary', 'separate_site_required'],
		ARRAY['id', 'substance', 'kind']);
	PERFORM claimscrub.doc_string(a->'id', path || '.id', 64, true);
	PERFORM claimscrub.doc_string(a->'substance', path || '.substance', 256, true);
	PERFORM claimscrub.doc_string(a->'kind', path || '.kind', 64, true,
		ARRAY['therapeutic', 'chemotherapy', 'hydration']);
	PERFORM claimscrub.doc_string(a->'route', path || '.route', 64,
		(a->>'kind') IS DISTINCT FROM 'hydration',
		ARRAY['infusion', 'push', 'injection', 'subcutaneous']);
	PERFORM claimscrub.doc_string(a->'site', path || '.site', 64);
	PERFORM claimscrub.doc_string(a->'start', path || '.start', 64);
	PERFORM claimscrub.doc_string(a->'stop', path || '.stop', 64);
	IF a ? 'primary' AND jsonb_typeof(a->'primary') <> 'boolean' THEN
		PERFORM claimscrub.doc_error(path || '.primary', 'must be true or false');
	END IF;
	IF a ? 'separate_site_required'
	   AND jsonb_typeof(a->'separate_site_required') <> 'boolean' THEN
		PERFORM claimscrub.doc_error(path || '.separate_site_required', 'must be true or false');
	END IF;
END $$;

-- Checks a claim document as `claimscrub check` does; raises on the first
-- problem with the path of the offending value ("lines[2].units").
CREATE OR REPLACE FUNCTION claimscrub.check_document(doc jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	item jsonb;
	i bigint;
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
	IF doc ? 'date_of_service' AND ((doc->>'date_of_service') !~ '^\d{4}-\d{2}-\d{2}$'
	   OR to_char(to_date(doc->>'date_of_service', 'YYYY-MM-DD'), 'YYYY-MM-DD')
	      <> doc->>'date_of_service') THEN
		PERFORM claimscrub.doc_error('date_of_service', 'must be a date YYYY-MM-DD');
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

-- Inserts or replaces (by claim id) a claim from a claim document and puts it
-- in the queue.  A bad document raises and changes nothing.
CREATE OR REPLACE FUNCTION claimscrub.submit(doc jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	cid bigint;
BEGIN
	PERFORM claimscrub.check_document(doc);
	PERFORM set_config('claimscrub.submitting', 'on', true);
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

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (2, 'queue') ON CONFLICT (version) DO NOTHING;

COMMIT;
