-- 030_submit.sql: claimscrub.submit(jsonb) takes the claim document of
-- `claimscrub check`, validates it, and replaces the claim.
--
-- submit() is a public door, so it keeps checks of its own in PL/pgSQL;
-- tests/pg/parity.sh holds them to the C reader (scrubber/claimdoc.c) with
-- every document of tests/cases: both accept a document or both refuse it,
-- naming the same field.  check_documents() first runs a fast test over
-- all the documents of a call that passes only documents the checks would
-- pass (tests/pg/docfast.sh holds it to them, a document per rule).  Every
-- length limit is in bytes, as the readers' are.  The doc_* helpers,
-- check_document() and check_documents() run inside submit() with its
-- owner's rights; nobody else may execute them (090_privileges.sql).
-- Nothing here is compiled by JIT (jit = off on the functions that run
-- statements over documents): a row estimate of 100 elements a jsonb list
-- made every submit() of one claim compile its INSERTs, 7.4 ms a call
-- against 3.5 without.

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

-- A date as the reader takes it (scrubber/claimfield.c, want_date):
-- YYYY-MM-DD, a real day, 1900 to 2999; absent passes, null does not (the
-- reader refuses an empty value).
CREATE OR REPLACE FUNCTION claimscrub.doc_date(v jsonb, path text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	d text := v #>> '{}';
	good boolean;
BEGIN
	IF v IS NULL THEN
		RETURN;
	END IF;
	-- the day checked against its month's length, not by catching
	-- make_date's error: an EXCEPTION block is a subtransaction, and this
	-- runs for every date of every document (2026-02-30 is refused here)
	good := jsonb_typeof(v) = 'string'
		AND d ~ '^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';
	IF good THEN
		good := substr(d, 9, 2)::int <= extract(day FROM
			make_date(substr(d, 1, 4)::int, substr(d, 6, 2)::int, 1)
			+ interval '1 month' - interval '1 day');
	END IF;
	IF NOT good THEN
		PERFORM claimscrub.doc_error(path,
			'must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31');
	END IF;
END $$;

-- A line's modifiers as the reader takes them (claimdoc.c,
-- line_modifiers): a list, of at most 4, each 2 upper-case letters or
-- digits.  Too many is reported at the first one too many, a bad one at
-- itself; items count from 1, as every path of submit()'s does.
CREATE OR REPLACE FUNCTION claimscrub.doc_modifiers(m jsonb, path text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	item jsonb;
	i bigint;
BEGIN
	IF m IS NULL THEN
		RETURN;
	END IF;
	IF jsonb_typeof(m) <> 'array' THEN
		PERFORM claimscrub.doc_error(path, 'must be a list of at most 4 modifiers');
	END IF;
	IF jsonb_array_length(m) > 4 THEN
		PERFORM claimscrub.doc_error(format('%s[5]', path),
			format('a line has at most 4 modifiers, not %s', jsonb_array_length(m)));
	END IF;
	FOR item, i IN SELECT * FROM jsonb_array_elements(m) WITH ORDINALITY LOOP
		IF jsonb_typeof(item) <> 'string' OR (item #>> '{}') !~ '^[A-Z0-9]{2}$' THEN
			PERFORM claimscrub.doc_error(format('%s[%s]', path, i),
				'each modifier must be 2 upper-case letters or digits');
		END IF;
	END LOOP;
END $$;

-- A line; its modifiers are checked before, by doc_modifiers.
CREATE OR REPLACE FUNCTION claimscrub.doc_line(l jsonb, path text) RETURNS void
LANGUAGE plpgsql AS $$
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
	PERFORM claimscrub.doc_date(l->'service_date', path || '.service_date');
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

-- The fast test's optional string, obj's value at key: absent, JSON null,
-- or a string of 1..maxlen bytes, as doc_string passes one (control
-- characters are the caller's: check_documents looks for them in the whole
-- document at once).  One plain SQL expression, so that the planner
-- inlines it into the fast test's statement instead of calling it.
CREATE OR REPLACE FUNCTION claimscrub.doc_fits(obj jsonb, key text, maxlen int)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_typeof(obj->key) IN ('string', 'null'), true)
	   AND coalesce(octet_length(obj->>key) BETWEEN 1 AND maxlen, true)
$$;

-- Checks a claim document as `claimscrub check` does, rule by rule; raises
-- on the first problem with the path of the offending value
-- ("lines[2].units").  A repeated administration id is reported where the
-- reader reports it: at the earliest administration whose id an earlier
-- one has.  Dates of service: YYYY-MM-DD, a real day, years 1900 to 2999
-- (no era, no infinity, no year 0).  Callers go through check_documents,
-- which sends here only the documents its fast test doubts.
CREATE OR REPLACE FUNCTION claimscrub.check_document(doc jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	item jsonb;
	i bigint;
	dup_at bigint;
	dup_id text;
BEGIN
	PERFORM claimscrub.doc_keys(doc, '(document)',
		ARRAY['claim', 'payer', 'setting', 'provider', 'date_of_service',
		      'encounter', 'lines', 'administrations'],
		ARRAY['claim', 'setting']);
	PERFORM claimscrub.doc_string(doc->'claim', 'claim', 64, true);
	PERFORM claimscrub.doc_string(doc->'payer', 'payer', 64);
	PERFORM claimscrub.doc_string(doc->'setting', 'setting', 64, true,
		ARRAY['facility', 'professional']);
	PERFORM claimscrub.doc_string(doc->'provider', 'provider', 64);
	PERFORM claimscrub.doc_string(doc->'encounter', 'encounter', 64);
	-- (a null date of service is none, as the reader takes it)
	IF jsonb_typeof(doc->'date_of_service') IS DISTINCT FROM 'null' THEN
		PERFORM claimscrub.doc_date(doc->'date_of_service', 'date_of_service');
	END IF;
	IF doc ? 'lines' THEN
		IF jsonb_typeof(doc->'lines') <> 'array' OR jsonb_array_length(doc->'lines') > 10000 THEN
			PERFORM claimscrub.doc_error('lines', 'must be a list of at most 10000 lines');
		END IF;
		FOR item, i IN SELECT * FROM jsonb_array_elements(doc->'lines') WITH ORDINALITY LOOP
			IF jsonb_typeof(item) = 'object' THEN
				PERFORM claimscrub.doc_modifiers(item->'modifiers',
					format('lines[%s].modifiers', i));
			END IF;
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
		SELECT d.n, d.id INTO dup_at, dup_id
		  FROM (SELECT t.n, t.a->>'id' AS id,
			       row_number() OVER (PARTITION BY t.a->>'id' ORDER BY t.n) AS k
			  FROM jsonb_array_elements(doc->'administrations') WITH ORDINALITY AS t(a, n)) d
		 WHERE d.k = 2 ORDER BY d.n LIMIT 1;
		IF FOUND THEN
			PERFORM claimscrub.doc_error(format('administrations[%s].id', dup_at),
				format('administration id %L is used twice', dup_id));
		END IF;
	END IF;
END $$;

-- Checks every document of docs (a JSON array) as check_document does,
-- in order: raises at the first problem of the first bad one.  The fast
-- test first: one statement over all the documents at once, their lines
-- and their administrations each as one flat scan, that names the
-- documents it cannot pass; only those go through check_document, rule by
-- rule.  A good document (nearly all of them) costs a share of one
-- statement instead of a call per value (README, Benchmarks).  It is an
-- optimisation, not the rules: check_document is the one statement of
-- those.  The fast test may doubt a good document (a date of 29 February)
-- but must never pass one check_document refuses: tests/pg/docfast.sh
-- feeds it a document per rule, each breaking that rule alone, so a rule
-- made stricter there is made stricter here too.  Nothing in it can raise: each
-- call that would (jsonb_array_length, jsonb - text[], the element scans)
-- comes after the test of its argument's type in the same AND, which
-- stops at the first false, or behind a CASE on the type; and a value a
-- test cannot judge makes the AND null, not true, so its document is
-- doubted.
CREATE OR REPLACE FUNCTION claimscrub.check_documents(docs jsonb) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	doubted bigint[];
	k bigint;
	-- the fast test's date: the months of 31 days, of 30, and February to
	-- the 28th (the 29th goes the slow way, which knows leap years)
	day_re constant text := '^(19|2[0-9])[0-9]{2}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))$';
BEGIN
	WITH t AS MATERIALIZED (
		SELECT t.doc, t.k FROM jsonb_array_elements(docs) WITH ORDINALITY AS t(doc, k))
	SELECT array_agg(DISTINCT bad.k ORDER BY bad.k) INTO doubted FROM (
	-- the document's own values
	SELECT t.k FROM t
	 WHERE (jsonb_typeof(doc) = 'object'
		AND doc - ARRAY['claim', 'payer', 'setting', 'provider', 'date_of_service',
				'encounter', 'lines', 'administrations'] = '{}'
		-- no control character in a string of free text (the rest are
		-- held to a list or a pattern below): all of them at once
		AND concat(doc->>'claim', doc->>'payer', doc->>'provider',
			   doc->>'encounter') !~ '[\x01-\x1f\x7f]'
		-- (claim and setting required: a string is there)
		AND jsonb_typeof(doc->'claim') = 'string'
		AND octet_length(doc->>'claim') BETWEEN 1 AND 64
		AND jsonb_typeof(doc->'setting') = 'string'
		AND doc->>'setting' IN ('facility', 'professional')
		AND claimscrub.doc_fits(doc, 'payer', 64)
		AND claimscrub.doc_fits(doc, 'provider', 64)
		AND claimscrub.doc_fits(doc, 'encounter', 64)
		AND coalesce(jsonb_typeof(doc->'date_of_service') = 'null'
			     OR (jsonb_typeof(doc->'date_of_service') = 'string'
				 AND doc->>'date_of_service' ~ day_re),
			     true)
		-- each list absent, or a list of at most 10,000
		AND coalesce(jsonb_typeof(doc->'lines') = 'array'
			     AND jsonb_array_length(doc->'lines') <= 10000, true)
		AND coalesce(jsonb_typeof(doc->'administrations') = 'array'
			     AND jsonb_array_length(doc->'administrations') <= 10000, true))
	       IS NOT TRUE
	UNION ALL
	-- every line of every document
	SELECT t.k FROM t, jsonb_array_elements(CASE jsonb_typeof(t.doc->'lines')
			WHEN 'array' THEN t.doc->'lines' ELSE '[]' END) AS e(l)
	 WHERE (jsonb_typeof(l) = 'object'
		AND l - ARRAY['code', 'units', 'modifiers', 'service_date'] = '{}'
		AND jsonb_typeof(l->'code') = 'string'
		AND l->>'code' ~ '^[A-Z0-9]{5}$'
		-- the text of a JSON number has no leading zero, so this is
		-- 1..999 written as an integer
		AND (NOT l ? 'units'
		     OR (jsonb_typeof(l->'units') = 'number'
			 AND l->>'units' ~ '^[1-9][0-9]{0,2}$'))
		-- jsonb's text of a list of at most 4 two-character strings
		-- needing no escape, and nothing else
		AND (NOT l ? 'modifiers'
		     OR (l->'modifiers')::text ~ '^[[]("[A-Z0-9]{2}"(, "[A-Z0-9]{2}"){0,3})?[]]$')
		AND (NOT l ? 'service_date'
		     OR (jsonb_typeof(l->'service_date') = 'string'
			 AND l->>'service_date' ~ day_re)))
	       IS NOT TRUE
	UNION ALL
	-- every administration of every document
	SELECT t.k FROM t, jsonb_array_elements(CASE jsonb_typeof(t.doc->'administrations')
			WHEN 'array' THEN t.doc->'administrations' ELSE '[]' END) AS e(a)
	 WHERE (jsonb_typeof(a) = 'object'
		AND a - ARRAY['id', 'substance', 'kind', 'route', 'site', 'start',
			      'stop', 'primary', 'separate_site_required'] = '{}'
		AND jsonb_typeof(a->'id') = 'string'
		AND octet_length(a->>'id') BETWEEN 1 AND 64
		AND jsonb_typeof(a->'substance') = 'string'
		AND octet_length(a->>'substance') BETWEEN 1 AND 256
		AND jsonb_typeof(a->'kind') = 'string'
		AND a->>'kind' IN ('therapeutic', 'chemotherapy', 'hydration')
		-- a route but for hydration, where none may be
		AND CASE WHEN coalesce(jsonb_typeof(a->'route'), 'null') = 'null'
			 THEN a->>'kind' = 'hydration'
			 ELSE jsonb_typeof(a->'route') = 'string'
			      AND a->>'route' IN ('infusion', 'push', 'injection',
						  'subcutaneous') END
		AND claimscrub.doc_fits(a, 'site', 64)
		AND claimscrub.doc_fits(a, 'start', 64)
		AND claimscrub.doc_fits(a, 'stop', 64)
		AND coalesce(jsonb_typeof(a->'primary') = 'boolean', true)
		AND coalesce(jsonb_typeof(a->'separate_site_required') = 'boolean', true)
		AND concat(a->>'id', a->>'substance', a->>'site', a->>'start',
			   a->>'stop') !~ '[\x01-\x1f\x7f]')
	       IS NOT TRUE
	UNION ALL
	-- and no administration id twice in a document (what is not a string
	-- there is doubted above)
	SELECT t.k FROM t, jsonb_array_elements(CASE jsonb_typeof(t.doc->'administrations')
			WHEN 'array' THEN t.doc->'administrations' ELSE '[]' END) AS e(a)
	 GROUP BY t.k, a->>'id' HAVING count(*) > 1) bad;
	FOREACH k IN ARRAY coalesce(doubted, '{}') LOOP
		PERFORM claimscrub.check_document(docs -> (k - 1)::int);
	END LOOP;
END $$;

-- Stores documents already checked (check_document) as claims: each
-- replaces the claim of its id (a new version, back in the queue) or is a
-- new one, its lines and administrations replaced, all in set-based
-- statements.  The ids must be distinct (submit_many checks).  Returns
-- each claim's id with its ref.  Called by submit() and submit_many()
-- only, with their owner's rights (090: no grant).
CREATE OR REPLACE FUNCTION claimscrub.store_documents(docs jsonb)
RETURNS TABLE (claim_ref text, id bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off AS $$
#variable_conflict use_column
DECLARE
	ids bigint[];
	refs text[];
	remade bigint[]; -- claims at the last version, deleted to be made again
BEGIN
	PERFORM set_config('claimscrub.submitting', 'on', true);
	-- a claim at the last version is made again, version 1; its rows go
	-- with it, and its billing events (no key to claim since 022)
	WITH gone AS (
		DELETE FROM claimscrub.claim c
		 USING jsonb_array_elements(docs) d
		 WHERE c.claim_ref = d->>'claim' AND c.version >= 2147483647
		RETURNING c.id)
	SELECT array_agg(gone.id) INTO remade FROM gone;
	IF remade IS NOT NULL THEN
		DELETE FROM claimscrub.result_event e WHERE e.claim_id = ANY (remade);
	END IF;
	-- A claim whose administrations are its encounter's MAR (it has an
	-- encounter and none of its own) waits for them when none has come,
	-- mar_wait_minutes at most (021_mar_wait.sql); the rest is queued.
	WITH d AS (
		SELECT d, (d ? 'encounter' AND jsonb_typeof(d->'encounter') = 'string'
			   AND coalesce(jsonb_array_length(d->'administrations'), 0) = 0
			   AND NOT EXISTS (SELECT 1 FROM claimscrub.mar_event m
					    WHERE m.encounter = d->>'encounter')) AS waits
		  FROM jsonb_array_elements(docs) d),
	s AS (
		INSERT INTO claimscrub.claim AS c
			(claim_ref, payer, setting, provider, date_of_service, encounter,
			 status, mar_due)
		SELECT d->>'claim', d->>'payer', d->>'setting', d->>'provider',
		       (d->>'date_of_service')::date, d->>'encounter',
		       CASE WHEN waits THEN 'waiting' ELSE 'pending' END,
		       CASE WHEN waits THEN clock_timestamp() + make_interval(mins =>
			       coalesce((SELECT st.value::integer FROM claimscrub.setting st
					  WHERE st.name = 'mar_wait_minutes'), 120)) END
		  FROM d
		ON CONFLICT (claim_ref) DO UPDATE
		   SET payer = EXCLUDED.payer, setting = EXCLUDED.setting,
		       provider = EXCLUDED.provider, date_of_service = EXCLUDED.date_of_service,
		       encounter = EXCLUDED.encounter, status = EXCLUDED.status,
		       mar_due = EXCLUDED.mar_due,
		       version = c.version + 1, attempts = 0,
		       enqueued_at = clock_timestamp()
		RETURNING c.claim_ref, c.id)
	SELECT array_agg(s.id), array_agg(s.claim_ref) INTO ids, refs FROM s;
	DELETE FROM claimscrub.claim_line l WHERE l.claim_id = ANY (ids);
	DELETE FROM claimscrub.administration a WHERE a.claim_id = ANY (ids);
	INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers,
		service_date)
	SELECT s.id, n, l->>'code', coalesce((l->>'units')::int, 1),
	       ARRAY(SELECT jsonb_array_elements_text(coalesce(l->'modifiers', '[]'))),
	       (l->>'service_date')::date
	  FROM jsonb_array_elements(docs) d
	  JOIN unnest(ids, refs) AS s(id, claim_ref) ON s.claim_ref = d->>'claim'
	 CROSS JOIN LATERAL jsonb_array_elements(coalesce(d->'lines', '[]'))
		 WITH ORDINALITY AS t(l, n);
	INSERT INTO claimscrub.administration (claim_id, seq, admin_ref, substance,
		kind, route, site, start_time, stop_time, is_primary, separate_site_required)
	SELECT s.id, n, a->>'id', a->>'substance', a->>'kind', a->>'route', a->>'site',
	       a->>'start', a->>'stop', (a->>'primary')::boolean,
	       (a->>'separate_site_required')::boolean
	  FROM jsonb_array_elements(docs) d
	  JOIN unnest(ids, refs) AS s(id, claim_ref) ON s.claim_ref = d->>'claim'
	 CROSS JOIN LATERAL jsonb_array_elements(coalesce(d->'administrations', '[]'))
		 WITH ORDINALITY AS t(a, n);
	PERFORM set_config('claimscrub.submitting', 'off', true);
	RETURN QUERY SELECT s.claim_ref, s.id FROM unnest(refs, ids) AS s(claim_ref, id);
END $$;

-- Inserts or replaces (by claim id) a claim from a claim document and puts
-- it in the queue.  A bad document raises and changes nothing.  A claim
-- whose version can go no higher (2^31-1) is replaced by a new one.
--
-- It runs as its owner (SECURITY DEFINER), so the submitter needs no table
-- privilege at all and can neither read claims nor write anything but a
-- checked claim document.  The search path is fixed, so no object of the
-- caller's (pg_temp last, never searched for functions or operators) can
-- stand in for one the body uses: the body and the helpers it calls name
-- every claimscrub object with its schema, and everything else they use
-- (set_config, jsonb functions and operators, types) is in pg_catalog.
-- The owner is the role that ran the migrations: give the schema a
-- dedicated non-superuser owner in production, so that submit()'s fixed
-- body (which writes claim, claim_line and administration, nothing else)
-- runs with no more than that owner's rights.
CREATE OR REPLACE FUNCTION claimscrub.submit(doc jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM claimscrub.check_documents(jsonb_build_array(doc));
	RETURN (SELECT s.id FROM claimscrub.store_documents(jsonb_build_array(doc)) s);
END $$;

-- A file's documents at once (`claimscrub import --submit`): an array of at
-- most 5,000 claim documents of distinct ids, each checked as submit()
-- checks one, then stored together (store_documents), in the caller's
-- transaction: all of them or, on the first refusal, none.  A refusal
-- names the field as submit()'s does, not the document: a caller that
-- wants the document submits them one by one.  Returns how many.
CREATE OR REPLACE FUNCTION claimscrub.submit_many(docs jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	dup text;
BEGIN
	IF docs IS NULL OR jsonb_typeof(docs) <> 'array'
	   OR jsonb_array_length(docs) > 5000 THEN
		PERFORM claimscrub.doc_error('(documents)',
			'must be a list of at most 5000 claim documents');
	END IF;
	PERFORM claimscrub.check_documents(docs);
	SELECT d->>'claim' INTO dup FROM jsonb_array_elements(docs) AS t(d)
	 GROUP BY d->>'claim' HAVING count(*) > 1 LIMIT 1;
	IF dup IS NOT NULL THEN
		PERFORM claimscrub.doc_error('claim',
			format('%s is given twice in one submit_many', quote_literal(dup)));
	END IF;
	RETURN (SELECT count(*) FROM claimscrub.store_documents(docs));
END $$;

-- A void from the billing system (an 837 claim of frequency 8): the claim
-- ref names leaves the queue as 'void' with a new version, so a daemon
-- scrubbing it now writes nothing (write_batch writes a pending claim of
-- the version it read, and nothing else); its work item goes (work_sync:
-- a void claim has nothing to review), its lines, administrations,
-- findings and decisions stay as the record of what was billed; billing
-- reads a result event 'void' (070_results.sql).  Submitting the claim
-- again puts it back in the queue.  Returns false, changing nothing, for
-- a claim not in the queue or already void: a billing system voids claims
-- it sent before claimscrub was there, and voids them again.
CREATE OR REPLACE FUNCTION claimscrub.void_claim(ref text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	cid bigint;
	ver integer;
BEGIN
	IF ref IS NULL OR length(ref) NOT BETWEEN 1 AND 64 THEN
		RAISE EXCEPTION 'claim: a void names a claim id of 1 to 64 characters'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM set_config('claimscrub.submitting', 'on', true);
	UPDATE claimscrub.claim c
	   SET status = 'void', attempts = 0,
	       version = CASE WHEN c.version < 2147483647 THEN c.version + 1
			      ELSE c.version END
	 WHERE c.claim_ref = void_claim.ref AND c.status <> 'void'
	RETURNING c.id, c.version INTO cid, ver;
	PERFORM set_config('claimscrub.submitting', 'off', true);
	IF cid IS NULL THEN
		RETURN false;
	END IF;
	PERFORM claimscrub.work_sync(ARRAY[cid]);
	INSERT INTO claimscrub.result_event (claim_id, claim_version, state)
	VALUES (cid, ver, 'void');
	RETURN true;
END $$;
