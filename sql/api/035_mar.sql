-- 035_mar.sql: claimscrub.mar_store(source, records) keeps MAR records
-- (the objects of marrec_json_write, scrubber/marrec.h) in mar_event
-- (020_mar_event.sql): `claimscrub import --submit --format fhir|hl7`
-- calls it once per file, claimscrubd's MLLP listener once per message.
-- One call is one statement, so a file or a message is stored whole or
-- not at all.
--
-- A record whose id the source sent before replaces the row kept for it:
-- HL7 v2 and FHIR both resend an event whole when they correct it (RXA-21
-- U, a new resource version), and a sender that never got its ACK sends
-- the same message again.  An identical resend changes nothing (the row
-- keeps its received_at) and is not counted.  Of one id twice in a call,
-- the last one is kept.  A record without an id is always a new row.
--
-- mar_store is a public door (the submitter, the daemon): it checks the
-- shape itself and runs with its owner's rights; mar_check runs inside it
-- and nobody else may execute it (090_privileges.sql).

-- Fails unless rec is a record mar_event can hold: an object of at most
-- 64 KiB whose encounter is a string of 1 to 64 bytes and whose id, if
-- any, a string of 1 to 600 bytes, neither with a control character.
-- n is its 1-based place in the call, for the message.
CREATE OR REPLACE FUNCTION claimscrub.mar_check(rec jsonb, n integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	k text;
	lim integer;
	v jsonb;
BEGIN
	IF jsonb_typeof(rec) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'MAR record %: must be an object', n
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF octet_length(rec::text) > 65536 THEN
		RAISE EXCEPTION 'MAR record %: larger than 64 KiB', n
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOREACH k IN ARRAY ARRAY['encounter', 'id'] LOOP
		v := rec -> k;
		lim := CASE k WHEN 'encounter' THEN 64 ELSE 600 END;
		-- a record without an id is written with "id": null
		-- (marrec_json_write)
		CONTINUE WHEN k = 'id' AND (v IS NULL OR jsonb_typeof(v) = 'null');
		IF v IS NULL OR jsonb_typeof(v) <> 'string' THEN
			RAISE EXCEPTION 'MAR record %: %: must be a string', n, k
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF octet_length(v #>> '{}') NOT BETWEEN 1 AND lim THEN
			RAISE EXCEPTION 'MAR record %: %: must be 1 to % bytes, not %',
				n, k, lim, octet_length(v #>> '{}')
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF (v #>> '{}') ~ '[\x01-\x1f\x7f]' THEN
			RAISE EXCEPTION 'MAR record %: %: contains a control character', n, k
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
	END LOOP;
END $$;

-- The claims of encounters whose MAR records just changed (021_mar_wait.sql):
-- those whose administrations are the encounter's records (an encounter,
-- none of their own) are scrubbed again on what the record now says.  A
-- waiting claim goes into the queue; a scrubbed one too, with a new
-- version (claim_changed, 020_queue.sql), so decisions are carried by
-- fingerprint as on a rebill; a pending one gets a new version, so that a
-- daemon scrubbing it on the older records cannot write that result
-- (write_batch writes the version it read).  Void claims stay void.  Runs
-- inside mar_store only (090_privileges.sql).
CREATE OR REPLACE FUNCTION claimscrub.mar_arrived(encs text[]) RETURNS void
LANGUAGE sql AS $$
UPDATE claimscrub.claim c
   SET status = 'pending', mar_due = NULL,
       version = CASE WHEN c.status = 'pending' AND c.version < 2147483647
		      THEN c.version + 1 ELSE c.version END,
       attempts = CASE WHEN c.status = 'pending' THEN 0 ELSE c.attempts END
 WHERE c.encounter = ANY (encs)
   AND c.status IN ('pending', 'waiting', 'clean', 'flagged', 'invalid')
   AND NOT EXISTS (SELECT 1 FROM claimscrub.administration a
		    WHERE a.claim_id = c.id)
$$;

-- Stores records (a JSON array of at most 100,000 records) from source
-- ('fhir' or 'hl7'); returns how many rows it inserted or replaced.
CREATE OR REPLACE FUNCTION claimscrub.mar_store(source text, records jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
	src text := mar_store.source;
	rec jsonb;
	i integer := 0;
	stored integer;
	encs text[];
BEGIN
	IF src IS NULL OR src NOT IN ('fhir', 'hl7') THEN
		RAISE EXCEPTION 'mar_store: source must be fhir or hl7'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF jsonb_typeof(records) IS DISTINCT FROM 'array' THEN
		RAISE EXCEPTION 'mar_store: records must be a JSON array'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF jsonb_array_length(records) > 100000 THEN
		RAISE EXCEPTION 'mar_store: at most 100000 records a call, not %',
			jsonb_array_length(records)
			USING ERRCODE = 'program_limit_exceeded';
	END IF;
	-- every record as mar_check wants it, tested at once; only a call with
	-- a record that fails goes through mar_check record by record, for the
	-- message naming the first (the loop costs 10 us a record)
	IF EXISTS (SELECT 1 FROM jsonb_array_elements(records) e(r)
		    WHERE NOT coalesce(jsonb_typeof(r) = 'object'
			  AND octet_length(r::text) <= 65536
			  AND jsonb_typeof(r -> 'encounter') = 'string'
			  AND octet_length(r ->> 'encounter') BETWEEN 1 AND 64
			  AND (r ->> 'encounter') !~ '[\x01-\x1f\x7f]'
			  AND (coalesce(jsonb_typeof(r -> 'id'), 'null') = 'null'
			       OR (jsonb_typeof(r -> 'id') = 'string'
				   AND octet_length(r ->> 'id') BETWEEN 1 AND 600
				   AND (r ->> 'id') !~ '[\x01-\x1f\x7f]')), false)) THEN
		FOR rec IN SELECT e.value FROM jsonb_array_elements(records) e LOOP
			i := i + 1;
			PERFORM claimscrub.mar_check(rec, i);
		END LOOP;
	END IF;
	WITH recs AS (
		SELECT e.value AS rec,
		       row_number() OVER (PARTITION BY e.value ->> 'id'
					  ORDER BY e.ord DESC) AS nth
		  FROM jsonb_array_elements(records) WITH ORDINALITY e(value, ord)
	), up AS (
		INSERT INTO claimscrub.mar_event AS m (encounter, record_id, source, record)
		SELECT r.rec ->> 'encounter', r.rec ->> 'id', src, r.rec
		  FROM recs r
		 WHERE r.rec ->> 'id' IS NULL OR r.nth = 1
		ON CONFLICT (source, record_id) WHERE record_id IS NOT NULL
		DO UPDATE SET encounter = EXCLUDED.encounter, record = EXCLUDED.record,
			      received_at = clock_timestamp()
		 WHERE m.record IS DISTINCT FROM EXCLUDED.record
		RETURNING m.encounter
	)
	SELECT count(*), array_agg(DISTINCT up.encounter) INTO stored, encs FROM up;
	PERFORM claimscrub.mar_arrived(encs);
	RETURN stored;
END $$;
