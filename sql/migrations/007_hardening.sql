-- 007_hardening.sql: what an unlucky row did to 001-006 (issue 14, items
-- 8 and the dates of 19):
--
--   8  one raw row stopped every daemon: attempts >= 715,827,883 overflowed
--      claim_batch()'s arithmetic, and a negative count has no meaning (a
--      daemon never writes one): attempts may not be negative;
--  19  BC and infinite dates of service were scrubbed (to_char drops the
--      era, and gives NULL for infinity): the column holds only dates a
--      claim document can carry.
--
-- Transactional and idempotent.  Two things it does to rows, both before it
-- adds a constraint: a negative attempt count becomes 0.  A date of service
-- that no claim document can carry (BC, infinity, after 9999-12-31) is
-- claim data, so it is not touched: the migration fails instead, naming the
-- claims, and runs once they are corrected.  (A constraint left NOT VALID
-- over such rows would refuse every later write of them, the daemon's
-- status and attempt writes included: the very stall item 8 is about.)
BEGIN;

-- ---- 8: attempts ------------------------------------------------------------------
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

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (7, 'hardening') ON CONFLICT (version) DO NOTHING;

COMMIT;
