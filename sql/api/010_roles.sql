-- 010_roles.sql: the least-privilege group roles, created when missing
-- (NOLOGIN; give a login role membership: CREATE ROLE scrubd LOGIN IN ROLE
-- claimscrub_daemon).  What each may do is 090_privileges.sql.
--
--   claimscrub_daemon     exactly what claimscrubd's statements need
--   claimscrub_reviewer   the review views and resolve_finding()
--   claimscrub_submitter  claimscrub.submit(jsonb) and claimscrub.void_claim(text),
--                         nothing else
--   claimscrub_reader     the results for billing (results_since) and nothing else

DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['claimscrub_daemon', 'claimscrub_reviewer',
				 'claimscrub_submitter', 'claimscrub_reader'] LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END $$;
