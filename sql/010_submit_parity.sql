-- 010_submit_parity.sql: submit()'s checks name the field `claimscrub
-- check` names (issue 19, item 2).
--
-- submit() is a public door, so it keeps checks of its own in PL/pgSQL;
-- tests/pg/parity.sh holds them to the C reader (scrubber/claimdoc.c) with
-- every document of tests/cases: both accept a document or both refuse it,
-- naming the same field.  Three of the corpus's refusals named a field
-- other than the reader's:
--
--   b-duplicate-administration-id  the reader names the second use of the
--      id (administrations[2].id); submit() named the whole list
--   b-five-modifiers  the reader names the fifth modifier
--      (lines[2].modifiers[5]); submit() named the list
--   b-modifier-3-chars  the reader names the bad modifier
--      (lines[1].modifiers[1]); submit() named the list
--
-- The checks decide exactly as before (the same documents are refused);
-- only these errors' paths and texts change.  submit() itself is not
-- replaced: it calls check_document(), which this file replaces, so a
-- submit() of another migration (and its SECURITY DEFINER and search
-- path, 004 and 007) stays as it is.  doc_line() is not replaced either:
-- the modifiers are checked first by the new doc_modifiers(), so doc_line's
-- own, looser checks of them no longer decide anything.
--
-- Transactional and idempotent, like the others.  Privileges as 004 leaves
-- them: the helpers run inside submit() with its owner's rights, and
-- nobody else may execute them (PUBLIC loses EXECUTE on the new one).
BEGIN;

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

-- 007's check_document, with the modifiers checked by doc_modifiers and a
-- repeated administration id reported where the reader reports it: at the
-- earliest administration whose id an earlier one has.
CREATE OR REPLACE FUNCTION claimscrub.check_document(doc jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	item jsonb;
	i bigint;
	dos text;
	good boolean;
	dup_at bigint;
	dup_id text;
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

-- ---- privileges: as 004 and 007 leave them (CREATE OR REPLACE keeps a
-- function's; the new one starts executable by PUBLIC) ----------------------------
REVOKE ALL ON FUNCTION claimscrub.doc_modifiers(jsonb, text),
	claimscrub.check_document(jsonb) FROM PUBLIC;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (10, 'submit_parity') ON CONFLICT (version) DO NOTHING;

COMMIT;
