#!/bin/sh
# docfast.sh — check_documents()'s fast test (issue 17, "Speed") passes no
# document its checks refuse.  check_documents() first asks one statement,
# over all the documents of a call, which of them it cannot be sure pass
# every rule; only those go through the checks one by one
# (check_document), which raise at the first problem.  A fast test too
# kind would be a hole in a public door, and the golden corpus (parity.sh)
# has few documents that are good but for one thing.  So this feeds
# submit() and submit_many(), as claimscrub_submitter (submit_many() the
# document between two good ones, so that a problem must be found in its
# own document of the list), a good document and copies of it
# each breaking exactly one rule of the README's "Claim documents" (a
# 65-byte payer, a 4-character code, units 0, units 1.0, a fifth modifier,
# 2026-02-29, a control character in a site, an unknown key at each level,
# a repeated administration id, a JSON null where a value is required, ...)
# and expects each refused with the message and path written here by hand
# from the rules, not recorded from the program; and copies that bend a
# rule as far as it goes (64 bytes of two-byte characters, 999 units, four
# modifiers, 2024-02-29, a null date of service, hydration without a
# route) accepted.  Then it counts the calls of doc_keys() (the first of
# the checks) to see the fast test take the good documents and leave the
# bad ones to the checks.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

# ---- submit() and submit_many() that report instead of raising ----------------------
# (each call in a subtransaction, so a refused document changes nothing;
# invoker's rights, run as claimscrub_submitter as a client of the door)
# docfast_submit() gives also the calls of the function named by counted
# (doc_keys, the first of the checks) the call made: the counts this
# backend has not yet sent (track_functions), taken before and after
psql_val "
CREATE FUNCTION public.docfast_submit(d jsonb, counted oid, OUT answer text, OUT calls bigint)
LANGUAGE plpgsql AS \$\$
DECLARE
	before bigint := coalesce(pg_stat_get_xact_function_calls(counted), 0);
BEGIN
	BEGIN
		PERFORM claimscrub.submit(d);
		answer := 'accepted';
	EXCEPTION WHEN OTHERS THEN
		answer := SQLERRM;
	END;
	calls := coalesce(pg_stat_get_xact_function_calls(counted), 0) - before;
END \$\$;
CREATE FUNCTION public.docfast_submit_many(d jsonb) RETURNS text
LANGUAGE plpgsql AS \$\$
BEGIN
	PERFORM claimscrub.submit_many(d);
	RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END \$\$;
GRANT EXECUTE ON FUNCTION public.docfast_submit(jsonb, oid), public.docfast_submit_many(jsonb)
	TO claimscrub_submitter;" >/dev/null ||
	setup_failed "cannot create public.docfast_submit"

# ---- the documents ------------------------------------------------------------------
# Every field the README lists, each within its rule.
cat >"$T/base.json" <<'EOF'
{"claim": "DF-1", "payer": "medicare", "setting": "facility", "provider": "NPI-1234567890",
 "date_of_service": "2026-03-14", "encounter": "V-88120",
 "lines": [{"code": "96413"},
	   {"code": "96415", "units": 2, "modifiers": ["59"], "service_date": "2026-03-14"},
	   {"code": "96375", "units": 1, "modifiers": ["XS", "59"]},
	   {"code": "J9267", "units": 300}],
 "administrations": [
	{"id": "A1", "substance": "paclitaxel", "kind": "chemotherapy", "route": "infusion",
	 "site": "R-chest-port", "start": "2026-03-14T09:00", "stop": "2026-03-14T12:00",
	 "primary": true, "separate_site_required": false},
	{"id": "A2", "substance": "ondansetron", "kind": "therapeutic", "route": "push",
	 "site": "R-chest-port", "start": "2026-03-14T08:45", "stop": "2026-03-14T08:46"},
	{"id": "A3", "substance": "dexamethasone", "kind": "therapeutic", "route": "injection"},
	{"id": "A4", "substance": "filgrastim", "kind": "therapeutic", "route": "subcutaneous"},
	{"id": "A5", "substance": "normal saline", "kind": "hydration",
	 "start": "2026-03-14T08:00", "stop": "2026-03-14T09:00"}]}
EOF
# NAME<TAB>EXPECTED<TAB>SQL making the document from :base (jsonb).  EXPECTED
# is "accepted" or submit()'s message after "claim document: ".
# (x64: 64 bytes of 'x'; e32: 32 'é', 64 bytes in 32 characters)
cat >"$T/cases.tsv" <<'EOF'
good	accepted	:base
good-nulls	accepted	:base || '{"payer": null, "provider": null, "encounter": null, "date_of_service": null}'
good-no-optional	accepted	:base - '{payer,provider,date_of_service,encounter,lines,administrations}'::text[]
good-empty-lists	accepted	:base || '{"lines": [], "administrations": []}'
good-professional	accepted	jsonb_set(:base, '{setting}', '"professional"')
good-64-bytes	accepted	:base || jsonb_build_object('payer', repeat('x', 64), 'encounter', repeat('x', 64), 'claim', repeat('x', 64))
good-64-bytes-utf8	accepted	:base || jsonb_build_object('payer', repeat('é', 32), 'provider', repeat('é', 32))
good-substance-256	accepted	jsonb_set(:base, '{administrations,0,substance}', to_jsonb(repeat('x', 256)))
good-units-999	accepted	jsonb_set(:base, '{lines,3,units}', '999')
good-4-modifiers	accepted	jsonb_set(:base, '{lines,2,modifiers}', '["XS", "59", "25", "GA"]')
good-leap-day	accepted	jsonb_set(:base, '{date_of_service}', '"2024-02-29"')
good-leap-2000	accepted	jsonb_set(:base, '{lines,1,service_date}', '"2000-02-29"')
good-dates-at-the-ends	accepted	jsonb_set(jsonb_set(:base, '{date_of_service}', '"1900-01-01"'), '{lines,1,service_date}', '"2999-12-31"')
good-31st	accepted	jsonb_set(:base, '{date_of_service}', '"2026-12-31"')
good-hydration-null-route	accepted	jsonb_set(:base, '{administrations,4,route}', 'null')
good-hydration-with-route	accepted	jsonb_set(:base, '{administrations,4,route}', '"infusion"')
good-null-site	accepted	jsonb_set(:base, '{administrations,1,site}', 'null')
good-backslash	accepted	jsonb_set(:base, '{administrations,1,site}', '"R\\\\L port"')
good-quote	accepted	jsonb_set(:base, '{administrations,1,site}', '"R \"port\""')
doc-array	(document): must be an object	jsonb_build_array(:base)
doc-unknown-key	(document): unknown key 'payor'	:base || '{"payor": "medicare"}'
doc-no-claim	(document): missing required key 'claim'	:base - 'claim'
doc-no-setting	(document): missing required key 'setting'	:base - 'setting'
claim-null	claim: must not be empty	jsonb_set(:base, '{claim}', 'null')
claim-empty	claim: must be 1 to 64 bytes of UTF-8, not 0	jsonb_set(:base, '{claim}', '""')
claim-65	claim: must be 1 to 64 bytes of UTF-8, not 65	jsonb_set(:base, '{claim}', to_jsonb(repeat('x', 65)))
claim-number	claim: must be a string	jsonb_set(:base, '{claim}', '17')
claim-control	claim: contains a control character	jsonb_set(:base, '{claim}', '"DF\u00011"')
payer-65	payer: must be 1 to 64 bytes of UTF-8, not 65	jsonb_set(:base, '{payer}', to_jsonb(repeat('x', 65)))
payer-33-chars-66-bytes	payer: must be 1 to 64 bytes of UTF-8, not 66	jsonb_set(:base, '{payer}', to_jsonb(repeat('é', 33)))
payer-empty	payer: must be 1 to 64 bytes of UTF-8, not 0	jsonb_set(:base, '{payer}', '""')
payer-true	payer: must be a string	jsonb_set(:base, '{payer}', 'true')
payer-control	payer: contains a control character	jsonb_set(:base, '{payer}', '"medi\ncare"')
setting-other	setting: must be one of facility, professional	jsonb_set(:base, '{setting}', '"hospital"')
setting-null	setting: must not be empty	jsonb_set(:base, '{setting}', 'null')
provider-65	provider: must be 1 to 64 bytes of UTF-8, not 65	jsonb_set(:base, '{provider}', to_jsonb(repeat('x', 65)))
provider-del	provider: contains a control character	jsonb_set(:base, '{provider}', to_jsonb('NPI' || chr(127)))
encounter-65	encounter: must be 1 to 64 bytes of UTF-8, not 65	jsonb_set(:base, '{encounter}', to_jsonb(repeat('x', 65)))
encounter-number	encounter: must be a string	jsonb_set(:base, '{encounter}', '88120')
encounter-tab	encounter: contains a control character	jsonb_set(:base, '{encounter}', '"V-\t88120"')
dos-feb-29	date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{date_of_service}', '"2026-02-29"')
dos-feb-30	date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{date_of_service}', '"2024-02-30"')
dos-1900-feb-29	date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{date_of_service}', '"1900-02-29"')
dos-apr-31	date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{date_of_service}', '"2026-04-31"')
dos-1899	date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{date_of_service}', '"1899-12-31"')
dos-3000	date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{date_of_service}', '"3000-01-01"')
dos-no-padding	date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{date_of_service}', '"2026-3-14"')
dos-time	date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{date_of_service}', '"2026-03-14T09:00"')
dos-number	date_of_service: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{date_of_service}', '20260314')
lines-object	lines: must be a list of at most 10000 lines	jsonb_set(:base, '{lines}', '{"code": "96413"}')
lines-null	lines: must be a list of at most 10000 lines	jsonb_set(:base, '{lines}', 'null')
lines-10001	lines: must be a list of at most 10000 lines	jsonb_set(:base, '{lines}', (SELECT jsonb_agg('{"code": "96413"}'::jsonb) FROM generate_series(1, 10001)))
line-string	lines[3]: must be an object	jsonb_set(:base, '{lines,2}', '"96375"')
line-unknown-key	lines[2]: unknown key 'unit'	jsonb_set(:base, '{lines,1,unit}', '2')
line-no-code	lines[4]: missing required key 'code'	jsonb_set(:base, '{lines,3}', '{"units": 300}')
code-null	lines[1].code: must not be empty	jsonb_set(:base, '{lines,0,code}', 'null')
code-4-chars	lines[1].code: must be 5 upper-case letters or digits	jsonb_set(:base, '{lines,0,code}', '"9641"')
code-6-chars	lines[4].code: must be 1 to 5 bytes of UTF-8, not 6	jsonb_set(:base, '{lines,3,code}', '"J92670"')
code-lower-case	lines[4].code: must be 5 upper-case letters or digits	jsonb_set(:base, '{lines,3,code}', '"j9267"')
code-number	lines[1].code: must be a string	jsonb_set(:base, '{lines,0,code}', '96413')
units-0	lines[2].units: must be an integer from 1 to 999	jsonb_set(:base, '{lines,1,units}', '0')
units-1000	lines[2].units: must be an integer from 1 to 999	jsonb_set(:base, '{lines,1,units}', '1000')
units-1.0	lines[2].units: must be an integer from 1 to 999	jsonb_set(:base, '{lines,1,units}', '1.0')
units-string	lines[2].units: must be an integer from 1 to 999	jsonb_set(:base, '{lines,1,units}', '"1"')
units-negative	lines[2].units: must be an integer from 1 to 999	jsonb_set(:base, '{lines,1,units}', '-1')
units-null	lines[2].units: must be an integer from 1 to 999	jsonb_set(:base, '{lines,1,units}', 'null')
modifiers-5	lines[3].modifiers[5]: a line has at most 4 modifiers, not 5	jsonb_set(:base, '{lines,2,modifiers}', '["XS", "59", "25", "GA", "GY"]')
modifier-3-chars	lines[3].modifiers[2]: each modifier must be 2 upper-case letters or digits	jsonb_set(:base, '{lines,2,modifiers}', '["XS", "590"]')
modifier-lower-case	lines[2].modifiers[1]: each modifier must be 2 upper-case letters or digits	jsonb_set(:base, '{lines,1,modifiers}', '["xs"]')
modifier-number	lines[2].modifiers[1]: each modifier must be 2 upper-case letters or digits	jsonb_set(:base, '{lines,1,modifiers}', '[59]')
modifier-nested	lines[2].modifiers[1]: each modifier must be 2 upper-case letters or digits	jsonb_set(:base, '{lines,1,modifiers}', '[["59"]]')
modifiers-string	lines[2].modifiers: must be a list of at most 4 modifiers	jsonb_set(:base, '{lines,1,modifiers}', '"59"')
modifiers-null	lines[2].modifiers: must be a list of at most 4 modifiers	jsonb_set(:base, '{lines,1,modifiers}', 'null')
service-feb-29	lines[2].service_date: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{lines,1,service_date}', '"2026-02-29"')
service-2100-feb-29	lines[2].service_date: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{lines,1,service_date}', '"2100-02-29"')
service-jun-31	lines[2].service_date: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{lines,1,service_date}', '"2026-06-31"')
service-null	lines[2].service_date: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31	jsonb_set(:base, '{lines,1,service_date}', 'null')
admins-object	administrations: must be a list of at most 10000 administrations	jsonb_set(:base, '{administrations}', '{"id": "A1"}')
admins-null	administrations: must be a list of at most 10000 administrations	jsonb_set(:base, '{administrations}', 'null')
admins-10001	administrations: must be a list of at most 10000 administrations	jsonb_set(:base, '{administrations}', (SELECT jsonb_agg(jsonb_build_object('id', 'A' || i, 'substance', 'saline', 'kind', 'hydration')) FROM generate_series(1, 10001) i))
admin-number	administrations[2]: must be an object	jsonb_set(:base, '{administrations,1}', '2')
admin-unknown-key	administrations[3]: unknown key 'dose'	jsonb_set(:base, '{administrations,2,dose}', '"175 mg/m2"')
admin-no-kind	administrations[2]: missing required key 'kind'	:base #- '{administrations,1,kind}'
admin-no-id	administrations[5]: missing required key 'id'	:base #- '{administrations,4,id}'
id-null	administrations[2].id: must not be empty	jsonb_set(:base, '{administrations,1,id}', 'null')
id-65	administrations[2].id: must be 1 to 64 bytes of UTF-8, not 65	jsonb_set(:base, '{administrations,1,id}', to_jsonb(repeat('x', 65)))
id-number	administrations[2].id: must be a string	jsonb_set(:base, '{administrations,1,id}', '2')
id-control	administrations[2].id: contains a control character	jsonb_set(:base, '{administrations,1,id}', '"A\u001f2"')
id-twice	administrations[4].id: administration id 'A2' is used twice	jsonb_set(jsonb_set(:base, '{administrations,3,id}', '"A2"'), '{administrations,4,id}', '"A1"')
substance-257	administrations[1].substance: must be 1 to 256 bytes of UTF-8, not 257	jsonb_set(:base, '{administrations,0,substance}', to_jsonb(repeat('x', 257)))
substance-number	administrations[4].substance: must be a string	jsonb_set(:base, '{administrations,3,substance}', '7')
substance-del	administrations[3].substance: contains a control character	jsonb_set(:base, '{administrations,2,substance}', to_jsonb('dexa' || chr(127)))
kind-other	administrations[1].kind: must be one of therapeutic, chemotherapy, hydration	jsonb_set(:base, '{administrations,0,kind}', '"chemo"')
kind-null	administrations[1].kind: must not be empty	jsonb_set(:base, '{administrations,0,kind}', 'null')
route-missing	administrations[3].route: must not be empty	:base #- '{administrations,2,route}'
route-null	administrations[1].route: must not be empty	jsonb_set(:base, '{administrations,0,route}', 'null')
route-other	administrations[2].route: must be one of infusion, push, injection, subcutaneous	jsonb_set(:base, '{administrations,1,route}', '"oral"')
route-hydration-other	administrations[5].route: must be one of infusion, push, injection, subcutaneous	jsonb_set(:base, '{administrations,4,route}', '"drip"')
site-control	administrations[2].site: contains a control character	jsonb_set(:base, '{administrations,1,site}', '"R-chest\u0007port"')
site-65	administrations[1].site: must be 1 to 64 bytes of UTF-8, not 65	jsonb_set(:base, '{administrations,0,site}', to_jsonb(repeat('x', 65)))
site-number	administrations[1].site: must be a string	jsonb_set(:base, '{administrations,0,site}', '7')
start-empty	administrations[2].start: must be 1 to 64 bytes of UTF-8, not 0	jsonb_set(:base, '{administrations,1,start}', '""')
start-return	administrations[1].start: contains a control character	jsonb_set(:base, '{administrations,0,start}', '"2026-03-14T09:00\r"')
stop-65-utf8	administrations[5].stop: must be 1 to 64 bytes of UTF-8, not 65	jsonb_set(:base, '{administrations,4,stop}', to_jsonb('x' || repeat('é', 32)))
stop-newline	administrations[5].stop: contains a control character	jsonb_set(:base, '{administrations,4,stop}', '"2026-03-14T09:00\n"')
primary-string	administrations[1].primary: must be true or false	jsonb_set(:base, '{administrations,0,primary}', '"yes"')
primary-null	administrations[1].primary: must be true or false	jsonb_set(:base, '{administrations,0,primary}', 'null')
separate-number	administrations[1].separate_site_required: must be true or false	jsonb_set(:base, '{administrations,0,separate_site_required}', '1')
separate-null	administrations[1].separate_site_required: must be true or false	jsonb_set(:base, '{administrations,0,separate_site_required}', 'null')
EOF

# one script: each document through both doors (track_functions is a
# superuser's setting: set before SET ROLE; the submitter may not name
# doc_keys, so its oid comes as a number)
doc_keys=$(psql_val "SELECT 'claimscrub.doc_keys'::regproc::oid") || setup_failed "no claimscrub.doc_keys"
{
	echo "SET track_functions = 'pl';"
	echo "SET ROLE claimscrub_submitter;"
	printf '\\set base `cat %s`\n' "$T/base.json"
	while IFS='	' read -r nm want sql; do
		# :base as a jsonb expression (psql interpolates :'base' as a literal)
		expr=$(printf '%s' "$sql" | sed "s/:base/(:'base'::jsonb)/g")
		printf "BEGIN;\nSELECT '%s', s.* FROM public.docfast_submit(%s, %s) s;\nROLLBACK;\n" "$nm" "$expr" "$doc_keys"
		printf "SELECT '%s', public.docfast_submit_many(jsonb_build_array(%s, %s, %s));\n" "$nm" \
			"jsonb_set(:'base'::jsonb, '{claim}', '\"DF-0\"')" "$expr" \
			"jsonb_set(:'base'::jsonb, '{claim}', '\"DF-9\"')"
	done <"$T/cases.tsv"
} >"$T/run.sql"
timeout 120 "$PSQL" -X -q -At -F '	' -v ON_ERROR_STOP=1 -f "$T/run.sql" \
	</dev/null >"$T/run.out" 2>"$T/run.err" ||
	setup_failed "running the documents failed: $(head -c 300 "$T/run.err")"
ncases=$(wc -l <"$T/cases.tsv")
[ "$(wc -l <"$T/run.out")" -eq $((2 * ncases)) ] ||
	setup_failed "$(wc -l <"$T/run.out") answers for $((2 * ncases)) calls"

# ---- compare --------------------------------------------------------------------------
nacc=0 nref=0 fast=0 slow=0
k=0
while IFS='	' read -r nm want sql; do
	k=$((k + 1))
	one=$(sed -n "$((2 * k - 1))p" "$T/run.out")
	many=$(sed -n "$((2 * k))p" "$T/run.out")
	got=$(printf '%s' "$one" | cut -f 2)
	calls=$(printf '%s' "$one" | cut -f 3)
	got_many=$(printf '%s' "$many" | cut -f 2)
	[ "$want" = accepted ] || want="claim document: $want"
	if [ "$got" = "$want" ] && [ "$got_many" = "$want" ]; then
		ok "$nm: $want"
	else
		not_ok "$nm: submit() and submit_many() answer '$want'" "submit():      $got" \
			"submit_many(): $got_many" "document:      $sql"
		continue
	fi
	# (only the checks raise, so a refused document went through them; a
	# call that raised is not counted, so the count says nothing there)
	if [ "$want" != accepted ]; then nref=$((nref + 1)); continue; fi
	nacc=$((nacc + 1))
	# a good document without a 29 February is the fast test's, a
	# backslash or a quote in a string too: no call of the checks
	case $nm in
	good-leap-*)
		if [ "$calls" -gt 0 ]; then slow=$((slow + 1)); else
			not_ok "$nm: the fast test doubts it, the checks pass it" "doc_keys called $calls times"; fi ;;
	*)
		if [ "$calls" = 0 ]; then fast=$((fast + 1)); else
			not_ok "$nm: the fast test passes it, no check called" "doc_keys called $calls times"; fi ;;
	esac
done <"$T/cases.tsv"
ok "$ncases documents: $nacc accepted by both doors ($fast by the fast test alone, $slow by the checks), $nref refused by both"
finish
