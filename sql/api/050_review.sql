-- 050_review.sql: the reviewers' and billing managers' side: reviewer
-- decisions through claimscrub.resolve_finding() with an append-only audit
-- trail, the fee table's overlap check, and the views of the review queue
-- and the denial-risk reports.
--
--   claimscrub.review_queue          claims with open findings, oldest date
--                                    of service first, one row per finding
--   claimscrub.denial_risk_daily     one row per day (all payers)
--   claimscrub.findings_by_payer     per day and payer
--   claimscrub.findings_by_rule      per day, payer and rule
--   claimscrub.findings_by_provider  per day, payer and provider
--   claimscrub.scrubbed_claim, claimscrub.finding_detail
--                                    the rows the others add up (one per
--                                    scrubbed claim / per finding), for
--                                    reports over any period and payer
--   claimscrub.line_risk             one row per billed line at risk
--   claimscrub.claim_net             one row per scrubbed claim: billed,
--                                    expected, net change if fixed
--   claimscrub.fee_schedule          the fee table as loaded
--
-- Every summary view is cut by day (the date of service; the scrub date
-- when a claim has none) and payer, so any period and payer is a sum:
--   SELECT rule, sum(findings) FROM claimscrub.findings_by_rule
--    WHERE day BETWEEN '2026-03-01' AND '2026-03-31' GROUP BY rule;
-- Findings counted are those of each claim's current version (a decision
-- carried to a new version from an earlier one is counted once, on the
-- current version's finding).  Money, three figures kept apart:
--   revenue_at_risk  (gross) a billed line with at least one error finding
--                    not decided false-positive: the fee of the line's code
--                    for the claim's payer profile on its day x units, the
--                    line counted ONCE however many findings hit it.  In
--                    finding_detail (and so by rule) it is carried by the
--                    line's first such finding (lowest ordinal); the line's
--                    other findings carry 0.  claimscrub.line_risk has one
--                    row per line at risk.
--   net_change       (claim_net) the payer's expected reimbursement after
--                    the fix, less what the claim as billed pays: the fees
--                    of the result's expected codes x units, less the fees
--                    of the billed lines the fix replaces x units (the
--                    drug-administration lines, and lines a finding says
--                    to remove); a code without a fee counts on neither
--                    side.  Only claims whose result has
--                    expected codes (clean or flagged, not invalid, and not
--                    a claim whose codes the scrubber held back); negative
--                    when the fix pays less (96365 billed, 96374 expected).
--   revenue_missed   additional-hour-missed and unbilled-service: the fee of
--                    the suggested code x the units not billed (suggested
--                    units, less the line's units when the fix is set-units)
-- Findings resolved as false-positive carry no at-risk or missed money.
-- With no fee rows the money columns are NULL ("counts only"); with fees, a
-- code without a fee adds nothing.
--
-- Every view is a security_barrier: without it a view's own filter
-- (status, version, open findings) may run after a cheaper condition of the
-- caller's, which then sees the rows the view hides (a function of the
-- reviewer's, in pg_temp, with a tiny COST, that RAISEs its argument).
-- With it, only LEAKPROOF functions (built-in comparisons) go below the
-- view's filters; date and text comparisons are among them, so reports by
-- day and payer keep their plans.  A view whose columns change is dropped
-- by a migration first (CREATE OR REPLACE VIEW only adds columns).

-- ---- fees -----------------------------------------------------------------------
-- Periods of one profile and code must not overlap, so a lookup finds at
-- most one fee.
CREATE OR REPLACE FUNCTION claimscrub.fee_no_overlap() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- (the row itself is there too: an AFTER trigger sees it)
	IF (SELECT count(*) FROM claimscrub.fee f
	     WHERE f.profile = NEW.profile AND f.code = NEW.code
	       AND coalesce(f.effective_from, '-infinity') <= coalesce(NEW.effective_to, 'infinity')
	       AND coalesce(NEW.effective_from, '-infinity') <= coalesce(f.effective_to, 'infinity')) > 1 THEN
		RAISE EXCEPTION 'fee for profile % code % overlaps another period', NEW.profile, NEW.code
			USING ERRCODE = 'exclusion_violation';
	END IF;
	RETURN NULL;
END $$;
-- (OR REPLACE does not take a constraint trigger)
DROP TRIGGER IF EXISTS fee_no_overlap ON claimscrub.fee;
CREATE CONSTRAINT TRIGGER fee_no_overlap AFTER INSERT OR UPDATE ON claimscrub.fee
	FOR EACH ROW EXECUTE FUNCTION claimscrub.fee_no_overlap();

-- ---- reviewer decisions and their audit trail -----------------------------------
-- claimscrub.finding_audit is append-only: one row per change of a
-- finding's decision, whoever made it (resolve_finding, or the owner by
-- hand); so is work_audit (060_workflow.sql).  The one way out is the
-- archive (080_archive.sql): inside archive() (claimscrub.archiving on)
-- a DELETE goes through for a row already copied into claimscrub_archive,
-- and only then.
CREATE OR REPLACE FUNCTION claimscrub.audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	copied boolean := false;
BEGIN
	IF TG_OP = 'DELETE' AND current_setting('claimscrub.archiving', true) = 'on' THEN
		EXECUTE format('SELECT EXISTS (SELECT 1 FROM claimscrub_archive.%I a WHERE a.id = $1)',
			       TG_TABLE_NAME)
		   INTO copied USING OLD.id;
		IF copied THEN
			RETURN OLD;
		END IF;
	END IF;
	RAISE EXCEPTION 'claimscrub.% is append-only (% refused)', TG_TABLE_NAME, TG_OP
		USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON claimscrub.finding_audit
	FOR EACH ROW EXECUTE FUNCTION claimscrub.audit_append_only();
CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON claimscrub.finding_audit
	FOR EACH STATEMENT EXECUTE FUNCTION claimscrub.audit_append_only();

-- The role a statement runs for: SET ROLE's, else the login.  Inside a
-- SECURITY DEFINER function current_user is the owner; the `role` setting
-- and session_user still name the caller.
CREATE OR REPLACE FUNCTION claimscrub.caller() RETURNS text
LANGUAGE sql STABLE AS $$
SELECT CASE WHEN coalesce(current_setting('role', true), 'none') = 'none'
	    THEN session_user::text ELSE current_setting('role', true) END
$$;

CREATE OR REPLACE FUNCTION claimscrub.finding_audited() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO claimscrub.finding_audit (finding_id, claim_id, old_resolution,
		resolution, note, db_session_user, db_role)
	VALUES (NEW.id, NEW.claim_id, OLD.resolution, NEW.resolution, NEW.note,
		session_user, claimscrub.caller());
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER finding_audited AFTER UPDATE OF resolution, resolved_by, resolved_at, note
	ON claimscrub.finding FOR EACH ROW
	WHEN ((OLD.resolution, OLD.resolved_by, OLD.resolved_at, OLD.note)
	      IS DISTINCT FROM (NEW.resolution, NEW.resolved_by, NEW.resolved_at, NEW.note))
	EXECUTE FUNCTION claimscrub.finding_audited();

-- A reviewer's decision on a finding: corrected, accepted-risk or
-- false-positive, with an optional note (at most 2000 characters).  Records
-- who (the caller's role) and when (the clock, not the transaction start),
-- and the audit trail gets a row.  Deciding again replaces the decision;
-- the trail keeps both.  Returns the time recorded.  (The workflow's
-- decide(), 060_workflow.sql, takes a reason code and refuses to decide
-- over a decision the caller has not seen.)
CREATE OR REPLACE FUNCTION claimscrub.resolve_finding(finding_id bigint,
	resolution text, note text DEFAULT NULL) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	stamp timestamptz := clock_timestamp();
	cid bigint;
BEGIN
	IF $2 IS NULL OR $2 NOT IN ('corrected', 'accepted-risk', 'false-positive') THEN
		RAISE EXCEPTION 'resolution must be corrected, accepted-risk or false-positive'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF length($3) > 2000 THEN
		RAISE EXCEPTION 'note is longer than 2000 characters'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE claimscrub.finding f
	   SET resolution = $2, reason = $2, resolved_by = claimscrub.caller(),
	       resolved_at = stamp, note = $3, carried_from = NULL
	 WHERE f.id = $1
	RETURNING f.claim_id INTO cid;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no finding %', $1 USING ERRCODE = 'no_data_found';
	END IF;
	PERFORM claimscrub.work_log(cid, $1, 'decide',
		jsonb_strip_nulls(jsonb_build_object('reason', $2, 'note', $3)));
	PERFORM claimscrub.work_sync(ARRAY[cid]);
	RETURN stamp;
END $$;
-- ---- the rows reports add up ----------------------------------------------------
CREATE OR REPLACE VIEW claimscrub.scrubbed_claim WITH (security_barrier) AS
SELECT c.id AS claim_id, c.claim_ref, c.version,
       coalesce(c.date_of_service, c.scrubbed_at::date) AS day,
       coalesce(c.payer, '(none)') AS payer,
       coalesce(c.provider, '(none)') AS provider,
       coalesce(c.result->>'profile', 'default') AS profile,
       c.status, c.enqueued_at, c.scrubbed_at
  FROM claimscrub.claim c
 WHERE c.status IN ('clean', 'flagged', 'invalid');

CREATE OR REPLACE VIEW claimscrub.finding_detail WITH (security_barrier) AS
SELECT f.id AS finding_id, c.claim_id, c.claim_ref, c.day, c.payer, c.provider,
       c.profile, f.rule, f.severity, f.line_no, l.code, l.units,
       f.resolution, f.resolved_by, f.resolved_at,
       -- the line's fee once: on its first error finding that is not a
       -- false positive, so sums over findings count a line once.  (Each
       -- a lookup of its own, made only for the findings it concerns:
       -- the line's earlier error finding by index, the fee in the small
       -- fee table; joins over every finding cost a report twice as much.
       -- A fee is the one in force on the claim's day, the highest should
       -- periods overlap.)
       CASE WHEN f.severity = 'error' AND l.units > 0
		 AND f.resolution IS DISTINCT FROM 'false-positive'
		 AND NOT EXISTS (SELECT 1 FROM claimscrub.finding e
				  WHERE e.claim_id = f.claim_id
				    AND e.claim_version = f.claim_version
				    AND e.line_no = f.line_no AND e.ordinal < f.ordinal
				    AND e.severity = 'error'
				    AND e.resolution IS DISTINCT FROM 'false-positive')
	    THEN (SELECT max(fl.amount) FROM claimscrub.fee fl
		   WHERE fl.profile = c.profile AND fl.code = l.code
		     AND c.day BETWEEN coalesce(fl.effective_from, '-infinity')
				   AND coalesce(fl.effective_to, 'infinity')) * l.units
       END AS revenue_at_risk,
       CASE WHEN f.rule IN ('additional-hour-missed', 'unbilled-service')
		 AND f.resolution IS DISTINCT FROM 'false-positive'
	    THEN (SELECT max(fs.amount) FROM claimscrub.fee fs
		   WHERE fs.profile = c.profile AND fs.code = f.suggest->>'code'
		     AND c.day BETWEEN coalesce(fs.effective_from, '-infinity')
				   AND coalesce(fs.effective_to, 'infinity')) * m.units
       END AS revenue_missed,
       f.ordinal, f.carried_from
  FROM claimscrub.scrubbed_claim c
  JOIN claimscrub.finding f ON f.claim_id = c.claim_id AND f.claim_version = c.version
  LEFT JOIN claimscrub.claim_line l ON l.claim_id = f.claim_id AND l.line_no = f.line_no
  CROSS JOIN LATERAL (
	SELECT greatest(CASE WHEN f.suggest->>'units' ~ '^[0-9]{1,4}$'
			     THEN (f.suggest->>'units')::integer ELSE 0 END
			- CASE WHEN f.suggest->>'action' = 'set-units'
			       THEN coalesce(l.units, 0) ELSE 0 END, 0) AS units) m;

CREATE OR REPLACE VIEW claimscrub.line_risk WITH (security_barrier) AS
SELECT c.claim_id, c.claim_ref, c.day, c.payer, c.provider, c.profile,
       l.line_no, l.code, l.units, e.finding_id, e.rule, e.findings,
       fl.amount * l.units AS amount_at_risk
  FROM claimscrub.scrubbed_claim c
  -- (grouped once, not per line: a report adds up every line at risk)
  JOIN (SELECT f.claim_id, f.claim_version, f.line_no,
	       (array_agg(f.id ORDER BY f.ordinal))[1] AS finding_id,
	       (array_agg(f.rule ORDER BY f.ordinal))[1] AS rule,
	       count(*) AS findings
	  FROM claimscrub.finding f
	 WHERE f.severity = 'error' AND f.line_no IS NOT NULL
	   AND f.resolution IS DISTINCT FROM 'false-positive'
	 GROUP BY f.claim_id, f.claim_version, f.line_no) e
    ON e.claim_id = c.claim_id AND e.claim_version = c.version
  JOIN claimscrub.claim_line l ON l.claim_id = c.claim_id AND l.line_no = e.line_no
  LEFT JOIN claimscrub.fee fl ON fl.profile = c.profile AND fl.code = l.code
	AND c.day BETWEEN coalesce(fl.effective_from, '-infinity')
		      AND coalesce(fl.effective_to, 'infinity')
 WHERE l.units > 0;

-- One row per scrubbed claim (current version) and what fixing it changes,
-- NULL while no fee is loaded: billed (the fees x units of the lines the
-- fix replaces: its drug-administration lines, CPT 96360-96549, which is
-- what expected codes are made of, and the lines a finding not decided
-- false-positive says to remove, such as an IV start; an E/M line the fix
-- keeps does not count), expected (the fees x units of its result's
-- expected codes; NULL when the result has none: invalid, or codes held
-- back for a missing time), net_change (expected - billed).  Worked out
-- for claims with findings only: one with none bills exactly its
-- expected codes (net change 0; its billed and expected are not computed,
-- 0 and NULL), and every report reads every claim, so the clean majority
-- is not priced.
--
-- claim_net_in(since, until, payer, provider): those rows for the claims
-- of a scope only (NULL: no bound; the dates are of service), the scope
-- applied before the money is worked out; the view claim_net is all of
-- them.  (Filters on the view came after the pricing: a month's report
-- priced every claim, 5 s at a million findings, as the whole one did.)
-- It runs as its owner, as a view does: the reviewer reads no table.
CREATE OR REPLACE FUNCTION claimscrub.claim_net_in(scope_since date, scope_until date,
	scope_payer text, scope_provider text)
RETURNS TABLE (claim_id bigint, claim_ref text, day date, payer text, provider text,
	profile text, status text, billed numeric, expected numeric, net_change numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
WITH money AS (SELECT EXISTS (SELECT 1 FROM claimscrub.fee) AS loaded),
-- a claim with nothing found bills exactly its expected codes: not priced
sc AS MATERIALIZED (
	SELECT k.*, (k.status = 'flagged' OR EXISTS (
		SELECT 1 FROM claimscrub.finding f
		 WHERE f.claim_id = k.claim_id AND f.claim_version = k.version)) AS priced
	  FROM claimscrub.scrubbed_claim k
	 WHERE (claim_net_in.scope_since IS NULL OR k.day >= claim_net_in.scope_since)
	   AND (claim_net_in.scope_until IS NULL OR k.day <= claim_net_in.scope_until)
	   AND (claim_net_in.scope_payer IS NULL OR k.payer = claim_net_in.scope_payer)
	   AND (claim_net_in.scope_provider IS NULL OR k.provider = claim_net_in.scope_provider))
SELECT c.claim_id, c.claim_ref, c.day, c.payer, c.provider, c.profile, c.status,
       CASE WHEN money.loaded THEN coalesce(b.amount, 0.00) END AS billed,
       CASE WHEN money.loaded AND x.n > 0 THEN x.amount END AS expected,
       CASE WHEN money.loaded AND NOT c.priced THEN 0.00
	    WHEN money.loaded AND x.n > 0
	    THEN x.amount - coalesce(b.amount, 0.00) END AS net_change
  FROM sc c
  CROSS JOIN money
  -- (each sum grouped once over every claim and joined: a report reads
  -- them all, and per-claim lookups would cost an index scan each)
  LEFT JOIN (
	SELECT lk.claim_id, sum(fee.amount * lk.units) AS amount
	  FROM (SELECT l.claim_id, l.code, l.units, k.profile, k.day
		  FROM claimscrub.claim_line l
		  JOIN sc k ON k.claim_id = l.claim_id
		 WHERE l.units > 0 AND k.priced
		   AND (l.code ~ '^96(3[67]|4[0-9]|5[0-4])[0-9]$'
			OR EXISTS (SELECT 1 FROM claimscrub.finding f
				    WHERE f.claim_id = k.claim_id AND f.claim_version = k.version
				      AND f.line_no = l.line_no AND f.suggest->>'action' = 'remove'
				      AND f.resolution IS DISTINCT FROM 'false-positive'))
		OFFSET 0) lk	-- (lines with their claim first, then the small fee table)
	  JOIN claimscrub.fee fee ON fee.profile = lk.profile AND fee.code = lk.code
	   AND lk.day BETWEEN coalesce(fee.effective_from, '-infinity')
			  AND coalesce(fee.effective_to, 'infinity')
	 GROUP BY lk.claim_id) b ON b.claim_id = c.claim_id
  LEFT JOIN (
	SELECT k.claim_id, count(*) AS n,
	       coalesce(sum(fee.amount * CASE WHEN e->>'units' ~ '^[0-9]{1,4}$'
					      THEN (e->>'units')::integer END), 0.00) AS amount
	  FROM sc k
	  JOIN claimscrub.claim cl ON cl.id = k.claim_id
	  CROSS JOIN LATERAL jsonb_array_elements(
		CASE WHEN jsonb_typeof(cl.result->'expected') = 'array'
		     THEN cl.result->'expected' ELSE '[]' END) e
	  LEFT JOIN claimscrub.fee fee ON fee.profile = k.profile AND fee.code = e->>'code'
	   AND k.day BETWEEN coalesce(fee.effective_from, '-infinity')
			 AND coalesce(fee.effective_to, 'infinity')
	 WHERE k.priced
	 GROUP BY k.claim_id) x ON x.claim_id = c.claim_id
$$;

CREATE OR REPLACE VIEW claimscrub.claim_net WITH (security_barrier) AS
SELECT n.claim_id, n.claim_ref, n.day, n.payer, n.provider, n.profile, n.status,
       n.billed, n.expected, n.net_change
  FROM claimscrub.claim_net_in(NULL, NULL, NULL, NULL) n;

CREATE OR REPLACE VIEW claimscrub.fee_schedule WITH (security_barrier) AS
SELECT profile, code, amount, effective_from, effective_to FROM claimscrub.fee;

-- ---- the review queue -------------------------------------------------------------
-- Claims (current version) with at least one open finding, oldest date of
-- service first, then first queued; every finding of the version, open or
-- decided, with the billed line it is about.
CREATE OR REPLACE VIEW claimscrub.review_queue WITH (security_barrier) AS
SELECT c.claim_id, c.claim_ref, c.payer, c.provider, c.day AS date_of_service,
       c.status, c.profile, c.enqueued_at, c.scrubbed_at,
       f.id AS finding_id, f.ordinal, f.rule, f.severity, f.line_no,
       l.code AS line_code, l.units AS line_units, f.administration_ref,
       f.message, f.evidence, f.suggest,
       f.resolution, f.resolved_by, f.resolved_at, f.note
  FROM claimscrub.scrubbed_claim c
  JOIN claimscrub.finding f ON f.claim_id = c.claim_id AND f.claim_version = c.version
  LEFT JOIN claimscrub.claim_line l ON l.claim_id = f.claim_id AND l.line_no = f.line_no
 WHERE EXISTS (SELECT 1 FROM claimscrub.finding o
		WHERE o.claim_id = c.claim_id AND o.claim_version = c.version
		  AND o.resolution IS NULL)
 ORDER BY c.day, c.enqueued_at, c.claim_id, f.ordinal;

-- ---- the summaries ------------------------------------------------------------------
-- Money sums are NULL while the fee table is empty.
CREATE OR REPLACE VIEW claimscrub.findings_by_payer WITH (security_barrier) AS
WITH cl AS (
	SELECT day, payer, count(*) AS claims,
	       count(*) FILTER (WHERE status = 'clean') AS clean,
	       count(*) FILTER (WHERE status = 'flagged') AS flagged,
	       count(*) FILTER (WHERE status = 'invalid') AS invalid
	  FROM claimscrub.scrubbed_claim GROUP BY day, payer),
fd AS (
	SELECT day, payer, count(*) AS findings,
	       count(*) FILTER (WHERE resolution IS NULL) AS open_findings,
	       count(*) FILTER (WHERE resolution IS NOT NULL) AS resolved_findings,
	       count(*) FILTER (WHERE resolution = 'false-positive') AS false_positives,
	       coalesce(sum(revenue_at_risk), 0.00) AS revenue_at_risk,
	       coalesce(sum(revenue_missed), 0.00) AS revenue_missed
	  FROM claimscrub.finding_detail GROUP BY day, payer),
money AS (SELECT EXISTS (SELECT 1 FROM claimscrub.fee) AS loaded)
SELECT cl.day, cl.payer, cl.claims, cl.clean, cl.flagged, cl.invalid,
       round(cl.flagged::numeric / cl.claims, 4) AS flagged_rate,
       coalesce(fd.findings, 0) AS findings,
       coalesce(fd.open_findings, 0) AS open_findings,
       coalesce(fd.resolved_findings, 0) AS resolved_findings,
       coalesce(fd.false_positives, 0) AS false_positives,
       CASE WHEN money.loaded THEN coalesce(fd.revenue_at_risk, 0.00) END AS revenue_at_risk,
       CASE WHEN money.loaded THEN coalesce(fd.revenue_missed, 0.00) END AS revenue_missed
  FROM cl LEFT JOIN fd USING (day, payer) CROSS JOIN money;

CREATE OR REPLACE VIEW claimscrub.denial_risk_daily WITH (security_barrier) AS
SELECT day, sum(claims)::bigint AS claims, sum(clean)::bigint AS clean,
       sum(flagged)::bigint AS flagged, sum(invalid)::bigint AS invalid,
       round(sum(flagged) / sum(claims), 4) AS flagged_rate,
       sum(findings)::bigint AS findings, sum(open_findings)::bigint AS open_findings,
       sum(resolved_findings)::bigint AS resolved_findings,
       sum(false_positives)::bigint AS false_positives,
       sum(revenue_at_risk) AS revenue_at_risk, sum(revenue_missed) AS revenue_missed
  FROM claimscrub.findings_by_payer GROUP BY day;

CREATE OR REPLACE VIEW claimscrub.findings_by_provider WITH (security_barrier) AS
WITH cl AS (
	SELECT day, payer, provider, count(*) AS claims,
	       count(*) FILTER (WHERE status = 'flagged') AS flagged
	  FROM claimscrub.scrubbed_claim GROUP BY day, payer, provider),
fd AS (
	SELECT day, payer, provider, count(*) AS findings,
	       count(*) FILTER (WHERE resolution IS NULL) AS open_findings,
	       count(*) FILTER (WHERE resolution IS NOT NULL) AS resolved_findings,
	       coalesce(sum(revenue_at_risk), 0.00) AS revenue_at_risk,
	       coalesce(sum(revenue_missed), 0.00) AS revenue_missed
	  FROM claimscrub.finding_detail GROUP BY day, payer, provider),
money AS (SELECT EXISTS (SELECT 1 FROM claimscrub.fee) AS loaded)
SELECT cl.day, cl.payer, cl.provider, cl.claims, cl.flagged,
       round(cl.flagged::numeric / cl.claims, 4) AS flagged_rate,
       coalesce(fd.findings, 0) AS findings,
       coalesce(fd.open_findings, 0) AS open_findings,
       coalesce(fd.resolved_findings, 0) AS resolved_findings,
       CASE WHEN money.loaded THEN coalesce(fd.revenue_at_risk, 0.00) END AS revenue_at_risk,
       CASE WHEN money.loaded THEN coalesce(fd.revenue_missed, 0.00) END AS revenue_missed
  FROM cl LEFT JOIN fd USING (day, payer, provider) CROSS JOIN money;

CREATE OR REPLACE VIEW claimscrub.findings_by_rule WITH (security_barrier) AS
SELECT day, payer, rule, min(severity) AS severity, count(*) AS findings,
       count(DISTINCT claim_id) AS claims,
       count(*) FILTER (WHERE resolution IS NULL) AS open_findings,
       count(*) FILTER (WHERE resolution = 'corrected') AS corrected,
       count(*) FILTER (WHERE resolution = 'accepted-risk') AS accepted_risk,
       count(*) FILTER (WHERE resolution = 'false-positive') AS false_positives,
       CASE WHEN EXISTS (SELECT 1 FROM claimscrub.fee)
	    THEN coalesce(sum(revenue_at_risk), 0.00) END AS revenue_at_risk,
       CASE WHEN EXISTS (SELECT 1 FROM claimscrub.fee)
	    THEN coalesce(sum(revenue_missed), 0.00) END AS revenue_missed
  FROM claimscrub.finding_detail GROUP BY day, payer, rule;
