#!/bin/sh
# web.sh — claimscrub-web over HTTP (curl), against a real database: sign
# in with a PostgreSQL role and password, the work list and its filters,
# the claim workspace, deciding a finding (and the conflict when someone
# decided it first), every answer's security headers, and the hostile
# cases: no or a wrong CSRF token, session fixation, XSS payloads in every
# free-text claim field, SQL in every filter, oversized requests, a forged
# proxy header from a source that is not the proxy.  The data and the
# expected lists are those of review-cli.sh (worked out there from the
# samples' headers), plus IC-2026-0399, sample 08 with markup in its text
# fields (at risk 90.00 as 0308).  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
. "$src/tests/pg/web-setup.sh"

# same NAME GOT WANT — one point: GOT equals WANT
# req WHO METHOD PATH [CURL-ARG...] — as WHO (a cookie jar of its own):
# the status in $code, headers in $T/h, body in $T/b
req() {
	_who=$1 _m=$2 _p=$3; shift 3
	code=$(curl -s -o "$T/b" -D "$T/h" -w '%{http_code}' --max-time 30 \
		-b "$T/jar.$_who" -c "$T/jar.$_who" -X "$_m" "$@" "http://127.0.0.1:$web_port$_p")
}
# header NAME — the value of header NAME of the last answer (the first)
header() { grep -i "^$1:" "$T/h" | head -n 1 | sed 's/^[^:]*: *//; s/\r$//'; }
# cookie NAME — the Set-Cookie line of NAME in the last answer
cookie() { grep -i "^set-cookie: $1=" "$T/h" | head -n 1 | sed 's/\r$//'; }
# csrf — the CSRF token of the last page
csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' "$T/b" | head -n 1 | sed 's/.*value="//; s/"//'; }
# rows — the claims of the work list in the last page, in order
rows() { grep -o 'data-claim="[^"]*"' "$T/b" | sed 's/data-claim="//; s/"//' | tr '\n' ' ' | sed 's/ $//'; }
# has NAME STRING... — the last body holds each STRING (fixed)
has() {
	_n=$1; shift
	_miss=""
	for _s in "$@"; do grep -qF -- "$_s" "$T/b" || _miss="$_miss [$_s]"; done
	if [ -z "$_miss" ]; then ok "$_n"; else not_ok "$_n" "missing:$_miss" "$(head -c 600 "$T/b")"; fi
}
# login WHO PASSWORD — signs WHO in through the form
login() {
	req "$1" GET /login
	_t=$(csrf)
	req "$1" POST /login --data-urlencode "csrf=$_t" --data-urlencode "user=$1" \
		--data-urlencode "password=$2"
}
fid() { psql_val "SELECT f.id FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id
                   WHERE c.claim_ref = '$1' AND f.rule = '$2' AND f.claim_version = c.version"; }

# ---- the program -------------------------------------------------------------------------
"$CLAIMSCRUB_WEB" --help >"$T/out" 2>&1
same "--help: exit 0, names -c and --check-config" "$? $(grep -c -e '^  -c, --config FILE' -e '^      --check-config' "$T/out")" "0 2"
printf 'auth: proxy\nport: 99999\n' >"$T/bad.yaml"
"$CLAIMSCRUB_WEB" -c "$T/bad.yaml" --check-config >"$T/out" 2>&1
same "--check-config: a bad file is exit 2, each error at file:line:column" \
	"$? $(grep -c "^$T/bad.yaml:[0-9]*:[0-9]*: error:" "$T/out")" "2 1"
grep -q "port.*65535" "$T/out" && ok "--check-config: the port's bound is named" ||
	not_ok "--check-config: the port's bound is named" "$(cat "$T/out")"

# one key table: the manual page and the example file name every key
keys=$("$CLAIMSCRUB_WEB" --list-keys)
miss=""
for k in $keys; do
	grep -q "^\.B $k\$" "$src/web/claimscrub-web.8.in" || miss="$miss man:$k"
	grep -q "^#$k:" "$src/web/claimscrub-web.yaml" || miss="$miss example:$k"
done
same "every key ($(echo $keys | wc -w)) is in claimscrub-web(8) and the example file" "${miss:-none}" none
sed 's/^#\([a-z_]*: [^ ]\)/\1/' "$src/web/claimscrub-web.yaml" >"$T/example.yaml"
"$CLAIMSCRUB_WEB" -c "$T/example.yaml" --check-config >"$T/out" 2>&1
same "the example file with its defaults uncommented is good" "$? $(cat "$T/out")" "0 configuration $T/example.yaml: ok"

web_config "$T/web.yaml"
start_web "$T/web.yaml"

# ---- signing in ----------------------------------------------------------------------------
req anon GET /
same "GET / signed out: 303 to /login" "$code $(header Location)" "303 /login"
req anon GET /login
same "GET /login: 200" "$code" 200
has "the sign-in form: user, password, a CSRF token" '<form id="login" method="post" action="/login">' \
	'name="user"' 'name="password" type="password"' 'name="csrf"'
for h in "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'" \
	"X-Frame-Options: DENY" "X-Content-Type-Options: nosniff" "Cache-Control: no-store" \
	"Referrer-Policy: no-referrer"; do
	grep -qiF "$h" "$T/h" && ok "every answer: $h" || not_ok "every answer: $h" "$(cat "$T/h")"
done
grep -qi "frame-ancestors 'none'" "$T/h" && ! grep -qi "unsafe-inline" "$T/h" &&
	ok "the CSP forbids framing and inline script" || not_ok "the CSP forbids framing and inline script" "$(cat "$T/h")"
c=$(cookie claimscrub_login)
case $c in *HttpOnly*SameSite=Strict*) ok "the sign-in cookie: HttpOnly, SameSite=Strict" ;;
*) not_ok "the sign-in cookie: HttpOnly, SameSite=Strict" "$c" ;; esac

login mallory wrong
same "an unknown role: 403, #login-error, no session" "$code $(grep -c 'id="login-error"' "$T/b") $(cookie claimscrub_session | wc -l)" "403 1 0"
login alice "not-$alice_pw"
same "a wrong password: 403, #login-error, no session" "$code $(grep -c 'id="login-error"' "$T/b") $(cookie claimscrub_session | wc -l)" "403 1 0"
grep -q "not-$alice_pw" "$web_log" && not_ok "the password is not logged" || ok "the password is not logged"
req alice GET /login
req alice POST /login --data-urlencode "user=alice" --data-urlencode "password=$alice_pw"
same "sign-in without the form's token: 403, no session" "$code $(cookie claimscrub_session | wc -l)" "403 0"

# session fixation: an id the client brings is never the one given
fixed=$(printf '%064d' 7)
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tclaimscrub_session\t%s\n' "$fixed" >"$T/jar.alice"
login alice "$alice_pw"
same "sign-in (alice): 303 to /" "$code $(header Location)" "303 /"
c=$(cookie claimscrub_session)
id=$(echo "$c" | sed 's/^[^=]*=\([^;]*\);.*/\1/')
case $c in *"; Path=/; HttpOnly; SameSite=Strict"*) ok "the session cookie: HttpOnly, SameSite=Strict" ;;
*) not_ok "the session cookie: HttpOnly, SameSite=Strict" "$c" ;; esac
[ ${#id} -eq 64 ] && [ -z "$(echo "$id" | tr -d 0-9a-f)" ] && [ "$id" != "$fixed" ] &&
	ok "the session id: 256 bits as hex, not the one the client brought" ||
	not_ok "the session id: 256 bits as hex, not the one the client brought" "$id"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "claimscrub_session=$fixed" "http://127.0.0.1:$web_port/")
same "the planted id signs nobody in" "$code" 303
login bob "$bob_pw"
same "sign-in (bob): 303" "$code" 303

# ---- the work list -------------------------------------------------------------------------
open_by_amount="IC-2026-0308 IC-2026-0399 IC-2026-0309 ON-2026-1112 IC-2026-0305 IC-2026-0306 IC-2026-0406 IC-2026-0307 IC-2026-0310 IC-2026-0311 ON-2026-1113 IC-2026-0314"
req alice GET /
same "the work list: 200, every open item, the most at risk first" "$code $(rows)" "200 $open_by_amount"
has "the work list shows who is signed in, a sign-out form, the filters" '<span id="who">alice</span>' \
	'<form id="logout" method="post" action="/logout">' '<form id="filters" method="get" action="/">' \
	'<option>infusion-under-16</option>'
# bucket DIM — the last page's bucket table of DIM as "key items amount; ..."
bucket() {
	sed -n "s/.*data-dimension=\"$1\">\(.*\)/\1/p" "$T/b" | sed 's|</table>.*||' |
		sed 's|<tr>|\n|g' | sed -n 's|^<td>\(<a [^>]*>\)\{0,1\}\([^<]*\)\(</a>\)\{0,1\}</td><td class="num">\([0-9]*\)</td><td class="num">\([0-9.]*\)</td></tr>.*|\2 \4 \5;|p' |
		tr '\n' ' ' | sed 's/; $//'
}
has "the work list links its buckets' page with its filters" '<a id="buckets-link" href="/buckets?">'
req alice GET /buckets
same "the buckets' page: 200" "$code" 200
same "buckets by payer: items and money at risk, the most items first" "$(bucket payer)" \
	"medicare 5 22.00; aetna 4 90.00; (none) 2 45.00; &lt;script&gt;alert(1)&lt;/script&gt; 1 90.00"
same "buckets by severity" "$(bucket severity)" "error 10 247.00; warning 2 0.00"
same "buckets by state and by assignee" "$(bucket state) / $(bucket assignee)" "open 12 247.00 / (none) 12 247.00"
has "a bucket links to the list filtered by it" '<a href="/?payer=aetna">aetna</a>'
req alice GET "/buckets?payer=aetna"
same "buckets follow the filters" "$(bucket payer) / $(bucket rule | grep -c infusion-under-16)" "aetna 4 90.00 / 1"
# filter PATH WANT NAME — one point: the list at PATH is WANT
filter() { req alice GET "$1"; same "the work list $3" "$code $(rows)" "200 $2"; }
filter "/?rule=infusion-under-16&sort=dos" "IC-2026-0306 IC-2026-0406" "by rule"
filter "/?payer=aetna&sort=dos" "IC-2026-0306 IC-2026-0406 IC-2026-0308 ON-2026-1113" "by payer"
filter "/?provider=NPI-1497758544&sort=dos" "ON-2026-1112 ON-2026-1113" "by provider"
filter "/?severity=warning&sort=dos" "ON-2026-1113 IC-2026-0314" "by severity"
filter "/?min_amount=50.5" "IC-2026-0308 IC-2026-0399" "by amount"
filter "/?dos_from=2026-03-09&dos_to=2026-03-12&sort=dos" \
	"IC-2026-0308 IC-2026-0399 IC-2026-0309 IC-2026-0310 IC-2026-0311 ON-2026-1112" "by date of service (both ends included)"
filter "/?state=resolved" "" "in state resolved (none)"
has "an empty list says so" 'id="empty"'
bad=0
for v in "'%20OR%201=1%20--" "aetna'%3B%20DROP%20TABLE%20claimscrub.claim%3B--" '%22%29%20OR%20true%3B--'; do
	for f in payer provider assignee rule; do
		req alice GET "/?$f=$v"
		[ "$code" = 200 ] && [ -z "$(rows)" ] || { bad=$((bad + 1)); note "$f=$v: $code $(rows)"; }
	done
done
same "SQL in every text filter is a value: no row matches, nothing runs" "$bad" 0
for q in "older_than=1%3BSELECT" "min_amount=1%20OR%201=1" "sort=amount%3BDROP" "state=x'--" "offset=-1"; do
	req alice GET "/?$q"
	[ "$code" = 400 ] && grep -q 'class="error" role="alert"' "$T/b" && ok "a bad $q: 400, said on the page" ||
		not_ok "a bad $q: 400, said on the page" "$code" "$(head -c 300 "$T/b")"
done
same "the claims are all still there" "$(psql_val "SELECT count(*) FROM claimscrub.claim")" 20

# ---- saved views -----------------------------------------------------------------------------
req alice GET "/?min_amount=50&sort=dos"
t=$(csrf)
has "the work list offers to save the view at hand" '<form id="save-view" method="post" action="/views">' \
	'name="query" value="min_amount=50&amp;sort=dos"'
req alice POST /views --data-urlencode "csrf=$t" --data-urlencode "name=High value" --data-urlencode "query=min_amount=50&sort=dos"
same "save a view: 303 to the list" "$code $(header Location)" "303 /"
req alice POST /views --data-urlencode "csrf=$t" --data-urlencode "name=Aetna, shared" \
	--data-urlencode "query=payer=aetna" --data-urlencode "shared=true"
req alice POST /views --data-urlencode "csrf=$t" --data-urlencode "name=x'); DROP TABLE claimscrub.claim;--" \
	--data-urlencode "query=rule=infusion-under-16"
same "the database: alice's three views, one shared" \
	"$(psql_val "SELECT string_agg(owner || ':' || query || ':' || shared, ' ' ORDER BY name) FROM claimscrub.saved_view")" \
	"alice:payer=aetna:true alice:min_amount=50&sort=dos:false alice:rule=infusion-under-16:false"
req alice GET /
has "alice's views are links to their lists" '<a class="view" href="/?min_amount=50&amp;sort=dos">High value</a>' \
	'<a class="view" href="/?payer=aetna">Aetna, shared</a>' \
	'>x&#39;); DROP TABLE claimscrub.claim;--</a>'
req bob GET /
same "bob sees alice's shared view only, with her name" \
	"$(grep -c 'class="view"' "$T/b") $(grep -c '<a class="view" href="/?payer=aetna">Aetna, shared</a> <span class="owner">(alice)</span>' "$T/b")" "1 1"
req alice POST /views --data-urlencode "csrf=$t" --data-urlencode "name=bad" --data-urlencode "query=ref=1"
same "a view of something that is not a filter: 400, named" "$code $(grep -c 'not ref' "$T/b")" "400 1"
req alice POST /views --data-urlencode "name=nocsrf" --data-urlencode "query="
same "save without the token: 403" "$code" 403
req alice POST /views --data-urlencode "csrf=$t" --data-urlencode "delete=High value"
same "delete a view: 303, gone" "$code $(psql_val "SELECT count(*) FROM claimscrub.saved_view WHERE name = 'High value'")" "303 0"
same "the claims are all still there" "$(psql_val "SELECT count(*) FROM claimscrub.claim")" 20

# ---- the claim workspace -----------------------------------------------------------------
req alice GET /claim/IC-2026-0308
same "the claim page: 200" "$code" 200
has "the claim page: lines, expected codes, the timeline, the finding with its form" \
	'<table id="lines">' '<table id="expected">' '<svg id="timeline"' \
	'data-rule="additional-hour-unsupported"' '<form class="decide" method="post" action="/claim/IC-2026-0308/decide">'
has "the claim page: each finding's rule links to its explanation" \
	'<a class="rule" href="/rule/additional-hour-unsupported"'
has "the claim page: the billed 96366 x2 and the expected 96366 x1" '<td>96366</td><td></td><td class="num">2</td>' \
	'<tr><td>96366</td><td></td><td class="num">1</td>'
same "the read is in the PHI audit, as alice" \
	"$(psql_val "SELECT count(*) FROM claimscrub.work_audit a JOIN claimscrub.claim c ON c.id = a.claim_id
	             WHERE c.claim_ref = 'IC-2026-0308' AND a.action = 'read' AND a.actor = 'alice'")" 1
req alice GET /claim/IC-2026-9999
same "an unknown claim: 404" "$code" 404

# ---- the rules' explanations -------------------------------------------------------------
req alice GET /rule/additional-hour-unsupported
has "a rule's page: 200, what it checks and the fix, a link to its work items" \
	'<h1>Rule <code>additional-hour-unsupported</code></h1>' \
	'more than 30 minutes past the last full hour' 'Fix: set the units' \
	'<a href="/?rule=additional-hour-unsupported">'
same "a rule's page: 200" "$code" 200
req alice GET /rule/
"${LIST_NAMES:-${CLAIMSCRUB_BUILDDIR:-.}/tests/list-names}" | sed -n 's/^finding //p' >"$T/names"
grep -o '<dt id="[a-z0-9-]*"><a href="/rule/[a-z0-9-]*">' "$T/b" | sed 's/^<dt id="//; s/".*//' >"$T/listed"
same "/rule/ lists every finding id of the engine, each a link, in its order" \
	"$code $(tr '\n' ' ' <"$T/listed")" "200 $(tr '\n' ' ' <"$T/names")"
req alice GET /rule/no-such-rule
same "an unknown rule: 404" "$code" 404
req alice GET "/rule/iv-start-bundled%3Cscript%3E"
same "a rule name with markup: 404" "$code" 404
req anon GET /rule/iv-start-bundled
same "a rule's page signed out: 303 to /login" "$code $(header Location)" "303 /login"
req alice GET "/claim/IC-2026-0308'%3B--"
same "a reference with SQL in it: 404, never sent" "$code" 404

# XSS: every payload shows as text
req alice GET /claim/IC-2026-0399
same "the claim with markup in its fields: 200" "$code" 200
bad=0
for s in '<script>alert(1)</script>' '<img src=x onerror=alert(2)>' '</textarea><svg onload=alert(3)>' "' onmouseover='alert(4)"; do
	grep -qF -- "$s" "$T/b" && { bad=$((bad + 1)); note "raw: $s"; }
done
same "no payload appears raw in the claim page" "$bad" 0
has "each payload appears escaped" '&lt;script&gt;alert(1)&lt;/script&gt;' '&quot;&gt;&lt;img src=x onerror=alert(2)&gt;' \
	'&lt;/textarea&gt;&lt;svg onload=alert(3)&gt;' '&#39; onmouseover=&#39;alert(4)'
req alice GET "/?payer=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
same "the work list filtered by the payload: the claim, the payload escaped" \
	"$code $(rows) $(grep -c '<script>alert' "$T/b")" "200 IC-2026-0399 0"

# ---- deciding ------------------------------------------------------------------------------
f=$(fid IC-2026-0308 additional-hour-unsupported)
req alice GET /claim/IC-2026-0308
t=$(csrf)
req alice POST /claim/IC-2026-0308/decide --data-urlencode "finding=$f" --data-urlencode "reason=documented-elsewhere" \
	--data-urlencode "seen="
same "deciding without the token: 403" "$code" 403
req alice POST /claim/IC-2026-0308/decide --data-urlencode "csrf=0$t" --data-urlencode "finding=$f" \
	--data-urlencode "reason=documented-elsewhere" --data-urlencode "seen="
same "deciding with a wrong token: 403" "$code" 403
req bob POST /claim/IC-2026-0308/decide --data-urlencode "csrf=$t" --data-urlencode "finding=$f" \
	--data-urlencode "reason=documented-elsewhere" --data-urlencode "seen="
same "deciding with another person's token: 403" "$code" 403
same "nothing was decided" "$(psql_val "SELECT count(*) FROM claimscrub.finding WHERE id = $f AND resolution IS NOT NULL")" 0
req bob GET /claim/IC-2026-0308
tb=$(csrf)
req alice POST /claim/IC-2026-0308/decide --data-urlencode "csrf=$t" --data-urlencode "finding=$f" \
	--data-urlencode "reason=documented-elsewhere" --data-urlencode "note=MAR page 2" --data-urlencode "seen="
same "alice decides: 303 back to the claim" "$code $(header Location)" "303 /claim/IC-2026-0308"
same "the database has alice's decision" \
	"$(psql_val "SELECT reason || ' ' || resolved_by || ' ' || note FROM claimscrub.finding WHERE id = $f")" \
	"documented-elsewhere alice MAR page 2"
req bob POST /claim/IC-2026-0308/decide --data-urlencode "csrf=$tb" --data-urlencode "finding=$f" \
	--data-urlencode "reason=rule-wrong" --data-urlencode "seen="
same "bob, who read it undecided, is refused: 409" "$code" 409
has "the conflict names who decided first, and shows that decision" 'class="conflict" role="alert"' \
	"was decided by alice at" '<p class="decision">Decided <b>documented-elsewhere</b> by alice'
same "alice's decision stands" "$(psql_val "SELECT reason || ' ' || resolved_by FROM claimscrub.finding WHERE id = $f")" \
	"documented-elsewhere alice"

# ---- the work item: take, assign, defer, route, note ---------------------------------------
# rev — the work item's revision on the last claim page
rev() { grep -o 'name="revision" value="[0-9]*"' "$T/b" | head -n 1 | sed 's/.*value="//; s/"//'; }
# item REF — the work item's state, assignee, until, department
item() { psql_val "SELECT w.state || ' ' || coalesce(w.assignee, '-') || ' ' || coalesce(w.deferred_until::text, '-')
                    || ' ' || coalesce(w.department, '-') FROM claimscrub.work_item w
                    JOIN claimscrub.claim c ON c.id = w.claim_id WHERE c.claim_ref = '$1'"; }
same "IC-2026-0308, its one finding decided, is resolved" "$(item IC-2026-0308)" "resolved - - -"
req alice GET /
t=$(csrf)
req alice POST /take --data-urlencode "csrf=$t"
same "take (alice): the most at risk of the open unassigned, IC-2026-0399" "$code $(header Location)" "303 /claim/IC-2026-0399"
same "the database: IC-2026-0399 in progress, alice's" "$(item IC-2026-0399)" "in-progress alice - -"
req bob GET /claim/IC-2026-0309
tb=$(csrf) r0=$(rev)
req alice GET /claim/IC-2026-0309
t=$(csrf)
req bob POST /claim/IC-2026-0309/assign --data-urlencode "csrf=$tb" --data-urlencode "assignee=bob" --data-urlencode "revision=$r0"
same "assign to me (bob): 303 back" "$code $(header Location)" "303 /claim/IC-2026-0309"
same "the database: IC-2026-0309 in progress, bob's" "$(item IC-2026-0309)" "in-progress bob - -"
req alice POST /claim/IC-2026-0309/assign --data-urlencode "csrf=$t" --data-urlencode "assignee=alice" --data-urlencode "revision=$r0"
same "alice, on the page read before, assigns: 409 naming bob" \
	"$code $(grep -c 'changed since you read it (by bob at' "$T/b")" "409 1"
same "bob keeps it" "$(item IC-2026-0309)" "in-progress bob - -"
req bob GET /claim/IC-2026-0309
r1=$(rev)
req bob POST /claim/IC-2026-0309/defer --data-urlencode "csrf=$tb" --data-urlencode "until=2020-01-01" --data-urlencode "revision=$r1"
same "defer to a past day: 400, said" "$code $(grep -c 'defer until a day after today' "$T/b")" "400 1"
until=$(psql_val "SELECT current_date + 7")
req bob POST /claim/IC-2026-0309/defer --data-urlencode "csrf=$tb" --data-urlencode "until=$until" \
	--data-urlencode "note=payer call back" --data-urlencode "revision=$r1"
same "defer a week: 303, deferred in the database" "$code $(item IC-2026-0309)" "303 deferred bob $until -"
req bob POST /claim/IC-2026-0309/defer --data-urlencode "csrf=$tb" --data-urlencode "until=$until" --data-urlencode "revision=x1"
same "a revision that is not a number: 400, named" "$code $(grep -c 'revision: not a number' "$T/b")" "400 1"
req alice GET /claim/ON-2026-1112
req alice POST /claim/ON-2026-1112/route --data-urlencode "csrf=$t" --data-urlencode "department=pharmacy" \
	--data-urlencode "note=need the MAR's stop time" --data-urlencode "revision=$(rev)"
same "route to pharmacy: waiting for documentation" "$code $(item ON-2026-1112)" "303 waiting-documentation - - pharmacy"
req alice POST /claim/ON-2026-1112/note --data-urlencode "csrf=$t" --data-urlencode "note=called the infusion nurse"
same "a note without a decision: 303, in the database as alice's" \
	"$code $(psql_val "SELECT author || ': ' || note FROM claimscrub.work_note ORDER BY id DESC LIMIT 1")" \
	"303 alice: called the infusion nurse"
req alice GET /claim/ON-2026-1112
has "the claim page shows the notes and the trail" "called the infusion nurse" "need the MAR&#39;s stop time" \
	'<span class="action">route</span>'
req alice POST /claim/ON-2026-1112/unknown --data-urlencode "csrf=$t"
same "an unknown action: 404" "$code" 404

# ---- bulk: preview, then confirm ------------------------------------------------------------
# infusion-under-16: one open finding on each of IC-2026-0306 and IC-2026-0406
req alice GET "/?rule=infusion-under-16"
t=$(csrf)
has "the work list has the bulk form with its preview" '<form id="bulk" method="post" action="/bulk">' \
	'<button id="preview" name="step" value="preview">' 'name="claim" form="bulk" value="IC-2026-0306"'
req alice POST /bulk --data-urlencode "csrf=$t" --data-urlencode "step=preview" --data-urlencode "rule=infusion-under-16" \
	--data-urlencode "reason=payer-exception"
same "preview, nothing ticked: 2 findings, nothing decided" \
	"$code $(grep -o 'data-findings="[0-9]*"' "$T/b") $(psql_val "SELECT count(*) FROM claimscrub.finding WHERE rule = 'infusion-under-16' AND resolution IS NOT NULL")" \
	'200 data-findings="2" 0'
req alice POST /bulk --data-urlencode "csrf=$t" --data-urlencode "step=preview" --data-urlencode "rule=infusion-under-16" \
	--data-urlencode "reason=payer-exception" --data-urlencode "claim=IC-2026-0406"
same "preview, IC-2026-0406 ticked: 1 finding" "$code $(grep -o 'data-findings="[0-9]*"' "$T/b")" '200 data-findings="1"'
has "the preview's confirmation carries the choice" '<form id="bulk-confirm" method="post" action="/bulk">' \
	'name="step" value="confirm"' 'name="claim" value="IC-2026-0406"' 'on the 1 claim ticked'
req alice POST /bulk --data-urlencode "csrf=$t" --data-urlencode "step=confirm" --data-urlencode "rule=infusion-under-16" \
	--data-urlencode "reason=payer-exception" --data-urlencode "note=contract 7" --data-urlencode "claim=IC-2026-0406"
same "confirm: 303 to the list saying 1 decided" "$code $(header Location)" "303 /?decided=1"
same "the database: only IC-2026-0406's finding decided, as alice" \
	"$(psql_val "SELECT string_agg(c.claim_ref || ' ' || f.resolved_by, ',') FROM claimscrub.finding f
	             JOIN claimscrub.claim c ON c.id = f.claim_id WHERE f.rule = 'infusion-under-16' AND f.resolution IS NOT NULL")" \
	"IC-2026-0406 alice"
req alice POST /bulk --data-urlencode "step=confirm" --data-urlencode "rule=infusion-under-16" --data-urlencode "reason=payer-exception"
same "bulk without the token: 403" "$code" 403
req alice POST /bulk --data-urlencode "csrf=$t" --data-urlencode "step=confirm" --data-urlencode "rule=infusion-under-16" \
	--data-urlencode "reason=payer-exception" --data-urlencode "claim=IC-2026-0306'}"
same "a ticked value that is no claim reference: 400" "$code" 400
req alice GET "/?decided=1"
has "the list says what was decided" '<p id="decided" role="status">Decided 1 finding.</p>'

# ---- the dashboard ---------------------------------------------------------------------------
# 20 claims (the 19 samples and IC-2026-0399), 12 flagged; provider
# NPI-1497758544: samples 03, 16, 17 (clean: 16 has an info finding
# only) and 12, 13 (flagged)
req alice GET /dashboard
same "the dashboard: 200, the report's stylesheet, no inline style" \
	"$code $(grep -c '<link rel="stylesheet" href="/static/report.css">' "$T/b") $(grep -c '<style' "$T/b")" "200 1 0"
has "the dashboard: the charts, the navigation and the filters" 'data-chart="rule"' 'data-chart="day-rate"' \
	'<form id="dash-filters" method="get" action="/dashboard">' '<a href="/dashboard">Dashboard</a>'
has "every bar drills down to the claims behind it: a rule's, a day's, a payer's" \
	'<a href="/?state=all&amp;rule=infusion-under-16"><rect class="bar" data-chart="rule"' \
	'<a href="/?state=all&amp;dos_from=2026-03-09&amp;dos_to=2026-03-09"><rect class="bar" data-chart="day-rate"' \
	'<a href="/?state=all&amp;payer=aetna"><rect class="bar" data-chart="money"'
req alice GET "/dashboard?since=2026-03-01&until=2026-03-31&payer=aetna"
# ISO week 11 of 2026: Monday 9 to Sunday 15 March
has "a drill-down keeps the dashboard's dates and payer; a week's or month's row its days" \
	'<a href="/?state=all&amp;dos_from=2026-03-01&amp;dos_to=2026-03-31&amp;payer=aetna&amp;rule=infusion-under-16">' \
	'<a href="/?state=all&amp;dos_from=2026-03-09&amp;dos_to=2026-03-15&amp;payer=aetna">2026-W11</a>' \
	'<a href="/?state=all&amp;dos_from=2026-03-01&amp;dos_to=2026-03-31&amp;payer=aetna">2026-03</a>'
same "the dashboard shows the payer with markup only escaped" "$(grep -c '<script>alert' "$T/b")" 0
req alice GET "/dashboard.csv?section=total"
same "CSV of one section: the header and the total, 20 claims, 12 flagged" \
	"$code $(header Content-Type) $(wc -l <"$T/b") $(sed -n 2p "$T/b" | cut -d, -f1-4 | tr -d '\r')" \
	"200 text/csv; charset=utf-8 2 total,all,20,12"
grep -qi '^Content-Disposition: attachment; filename="claimscrub-report.csv"' "$T/h" &&
	ok "the CSV is an attachment" || not_ok "the CSV is an attachment" "$(cat "$T/h")"
req alice GET "/dashboard.csv?provider=NPI-1497758544&section=total"
same "filtered by provider: 5 claims, 2 flagged" "$(sed -n 2p "$T/b" | cut -d, -f1-4 | tr -d '\r')" "total,all,5,2"
timeout 60 "$CLAIMSCRUB" report --provider NPI-1497758544 --format csv --db "$conninfo" </dev/null >"$T/out" 2>&1
same "claimscrub report --provider: the same figures" "$(grep '^total,' "$T/out" | cut -d, -f1-4 | tr -d '\r')" "total,all,5,2"
req alice GET "/dashboard?since=2026-03-09&until=2026-03-09"
same "a day's dashboard: its own scope" "$code $(grep -c 'Dates of service 2026-03-09 to 2026-03-09' "$T/b")" "200 1"
req alice GET "/dashboard?since=not-a-date"
same "a bad date: 400, said" "$code $(grep -c 'invalid input syntax for type date' "$T/b")" "400 1"
req alice GET "/dashboard.csv?payer=%27%20OR%201%3D1--&section=total"
same "SQL in a dashboard filter is a value: no claim" "$code $(sed -n 2p "$T/b" | cut -d, -f1-3 | tr -d '\r')" "200 total,all,0"

# ---- bounds --------------------------------------------------------------------------------
head -c 70000 /dev/zero | tr '\0' a >"$T/big"
req alice POST /claim/IC-2026-0308/decide --data-urlencode "note@$T/big"
same "a body over 64 KiB: 413" "$code" 413
req alice GET / -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)"
case $code in 4[0-9][0-9]) ok "headers over 16 KiB: refused ($code)" ;; *) not_ok "headers over 16 KiB: refused" "$code" ;; esac
req alice PUT /
same "another method: 405" "$code" 405
req alice GET /static/app.js
same "the script is our own file, as JavaScript" "$code $(header Content-Type)" "200 text/javascript; charset=utf-8"

# ---- signing out ---------------------------------------------------------------------------
req alice GET /
t=$(csrf)
req alice POST /logout --data-urlencode "csrf=$t"
same "sign out: 303 to /login" "$code $(header Location)" "303 /login"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "claimscrub_session=$id" "http://127.0.0.1:$web_port/")
same "the old session id signs nobody in" "$code" 303
stop_daemon "$web_pid"
same "SIGTERM: exit 0" "$?" 0

# ---- slow clients ------------------------------------------------------------------------
# a second instance with short bounds: 40 clients sending a byte a second
# and 20 sending nothing are all dropped, while a reviewer's page answers
web_config "$T/slow.yaml" "client_timeout_seconds: 2" "connection_max_seconds: 4"
start_web "$T/slow.yaml"
login alice "$alice_pw"
timeout 60 "$HTTP_CLIENT" slow "$web_port" 40 8 >"$T/slow.out" 2>&1 &
slow=$!
timeout 60 "$HTTP_CLIENT" slow "$web_port" 20 8 silent >"$T/silent.out" 2>&1 &
silent=$!
# (while they connect and trickle: the sweep that drops them runs each second)
codes=""
for i in 1 2 3; do req alice GET /; codes="$codes$code "; done
same "during the slow clients, the work list answers" "$codes" "200 200 200 "
wait "$slow"; wait "$silent"
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
so=$(cat "$T/slow.out") si=$(cat "$T/silent.out")
# (bounds: the life or idle time, the once-a-second sweep, a loaded machine)
[ "$(field "$so" dropped)" = 40 ] && [ "$(field "$so" max_life_ms)" -le 8000 ] &&
	ok "40 trickling clients dropped, each within its 4 s life ($so)" ||
	not_ok "40 trickling clients dropped within 4 s" "$so"
[ "$(field "$si" dropped)" = 20 ] && [ "$(field "$si" max_life_ms)" -le 6000 ] &&
	ok "20 silent clients dropped after 2 s idle ($si)" || not_ok "20 silent clients dropped after 2 s idle" "$si"
stop_daemon "$web_pid"

# ---- the dashboard's kept reports ------------------------------------------------------------
# An instance that keeps a report 1 s: a claim of a payer of its own
# (cache-test) appears on a kept dashboard only after a page found the
# report old, drew it saying so, and refreshed it in the background; with
# 0 nothing is kept and the claim is there at once.
cache_total() { req alice GET "/dashboard.csv?payer=cache-test&section=total"; sed -n 2p "$T/b" | cut -d, -f3 | tr -d '\r'; }
web_config "$T/age.yaml" "dashboard_max_age_seconds: 1"
start_web "$T/age.yaml"
login alice "$alice_pw"
same "a payer of its own: no claim yet" "$(cache_total)" 0
psql_val "BEGIN; SET LOCAL claimscrub.submitting = 'on';
	  INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service, status,
		version, scrubbed_at, scrubbed_version, rules_version, result)
	  VALUES ('T-CACHE-1', 'cache-test', 'facility', 'NPI-1', '2026-03-10', 'clean', 1, now(), 1,
		'test', '{\"verdict\": \"clean\", \"findings\": []}'); COMMIT" >/dev/null
# (only pages until one is old: the first old one drawn is a page, which
# says so; then the CSV until the refresh is in; 30 s at most each)
stale=0 fresh=0
for i in $(seq 1 300); do
	req alice GET "/dashboard?payer=cache-test"
	grep -q 'class="asof">Figures as of [0-9-]* [0-9:]* UTC (being refreshed' "$T/b" && { stale=1; break; }
	sleep 0.1
done
for i in $(seq 1 300); do
	[ "$(cache_total)" = 1 ] && { fresh=1; break; }
	sleep 0.1
done
same "a kept report older than its age is drawn saying so, then replaced in the background" \
	"$fresh $stale" "1 1"
req alice GET "/dashboard?payer=cache-test"
has "the dashboard says when its figures were taken" 'class="asof">Figures as of '
stop_daemon "$web_pid"
web_config "$T/none.yaml" "dashboard_max_age_seconds: 0"
start_web "$T/none.yaml"
login alice "$alice_pw"
same "dashboard_max_age_seconds 0: the claim at once" "$(cache_total)" 1
psql_val "DELETE FROM claimscrub.claim WHERE claim_ref = 'T-CACHE-1'" >/dev/null
same "... and gone at once" "$(cache_total)" 0
stop_daemon "$web_pid"

# ---- the dashboard made ahead -----------------------------------------------------------------
# An instance that keeps reports an hour and makes the unfiltered one at
# start: once its log says it was made (as claimscrub_reviewer, which
# cs_web becomes through alice), a claim added after is not on the
# unfiltered dashboard (drawn from the report made ahead) but is on a
# filtered one (run when asked); with dashboard_warm_seconds 0 it is on
# the unfiltered one too.
warm_total() { req alice GET "/dashboard.csv$1"; sed -n 2p "$T/b" | cut -d, -f3 | tr -d '\r'; }
before=$(psql_val "SELECT count(*) FROM claimscrub.scrubbed_claim")
web_config "$T/warm.yaml" "dashboard_max_age_seconds: 3600" "dashboard_warm_seconds: 3600"
start_web "$T/warm.yaml"
wait_for 60 grep -q 'event=dashboard-refreshed as=claimscrub_reviewer' "$web_log" &&
	ok "the unfiltered dashboard is made at start, as claimscrub_reviewer" ||
	not_ok "the unfiltered dashboard is made at start, as claimscrub_reviewer" "$(tail -n 5 "$web_log")"
psql_val "BEGIN; SET LOCAL claimscrub.submitting = 'on';
	  INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service, status,
		version, scrubbed_at, scrubbed_version, rules_version, result)
	  VALUES ('T-WARM-1', 'warm-test', 'facility', 'NPI-1', '2026-03-10', 'clean', 1, now(), 1,
		'test', '{\"verdict\": \"clean\", \"findings\": []}'); COMMIT" >/dev/null
login alice "$alice_pw"
same "the first view of the unfiltered dashboard is the report made ahead: $before claims, not the one added after" \
	"$(warm_total "?section=total")" "$before"
same "... a filtered one is made when asked: the claim added" "$(warm_total "?payer=warm-test&section=total")" 1
stop_daemon "$web_pid"
web_config "$T/nowarm.yaml" "dashboard_max_age_seconds: 3600" "dashboard_warm_seconds: 0"
start_web "$T/nowarm.yaml"
login alice "$alice_pw"
same "dashboard_warm_seconds 0: the unfiltered dashboard is made when asked, the claim added" \
	"$(warm_total "?section=total")" "$((before + 1))"
# a warm-up starts (and says so) as the first connection comes up, before
# any page can be answered: had this instance one, the line would be in
# its log by now
grep -q 'event=dashboard-warming' "$web_log" && not_ok "... and nothing is made ahead" "$(grep dashboard- "$web_log")" ||
	ok "... and nothing is made ahead"
psql_val "DELETE FROM claimscrub.claim WHERE claim_ref = 'T-WARM-1'" >/dev/null
stop_daemon "$web_pid"

# ---- reports never take every connection -------------------------------------------------------
# An instance of two connections, nothing made ahead.  A transaction here
# holds claimscrub.fee, which every report reads and no page does: three
# dashboards of filter sets of their own wait, one on a connection (reports
# run on at most half of them) and two in line; the work list is answered
# meanwhile, the report still stuck; when the lock goes, all three are.
web_config "$T/pool.yaml" "db_connections: 2" "dashboard_warm_seconds: 0"
start_web "$T/pool.yaml"
login alice "$alice_pw"
lock_held fee || not_ok "the test's lock on claimscrub.fee is taken"
dash_pids=""
for p in pool-1 pool-2 pool-3; do
	curl -s -o "$T/dash.$p" -w '%{http_code}' --max-time 60 -b "$T/jar.alice" \
		"http://127.0.0.1:$web_port/dashboard.csv?payer=$p&section=total" >"$T/dash.$p.code" &
	dash_pids="$dash_pids $!"
done
web_waits="SELECT count(*) FROM pg_stat_activity WHERE application_name = 'claimscrub-web' AND wait_event_type = 'Lock'"
wait_until "SELECT ($web_waits) > 0" 30
req alice GET / --max-time 10
still=$(psql_val "$web_waits")
same "three dashboards stuck on a lock: one holds a connection, the work list is answered on the other" \
	"$code $([ -n "$(rows)" ] && echo rows) $still" "200 rows 1"
lock_release
for pid in $dash_pids; do wait "$pid"; done
same "... and when the lock goes, the three dashboards are answered" \
	"$(cat "$T/dash.pool-1.code") $(cat "$T/dash.pool-2.code") $(cat "$T/dash.pool-3.code")" "200 200 200"
stop_daemon "$web_pid"

# ---- one report a filter set at a time -----------------------------------------------------------
# Four connections (reports may take two), nothing made ahead, claimscrub.fee
# held again: a dashboard's report waits on the lock; a second page of the
# same filters waits for that report (the log says so) instead of running
# its own, so one connection waits, not two; a page of other filters runs
# its own beside it (two wait).  When the lock goes the three are
# answered, the first two with the same figures.
web_config "$T/join.yaml" "db_connections: 4" "dashboard_warm_seconds: 0"
start_web "$T/join.yaml"
login alice "$alice_pw"
lock_held fee || not_ok "the test's lock on claimscrub.fee is taken"
join_get() {
	curl -s -o "$T/join.$1" -w '%{http_code}' --max-time 60 -b "$T/jar.alice" \
		"http://127.0.0.1:$web_port/dashboard.csv?payer=$2&section=total" >"$T/join.$1.code" &
	join_pids="$join_pids $!"
}
join_pids=""
join_get a join-test
wait_until "SELECT ($web_waits) = 1" 30
join_get b join-test
wait_for 30 grep -q 'event=dashboard-waits user=alice' "$web_log" || not_ok "the second page waits for the first's report" "$(tail -n 3 "$web_log")"
one=$(psql_val "$web_waits")
join_get c join-other
wait_until "SELECT ($web_waits) = 2" 30
same "two pages of one filter set wait on one report; another filter set's runs beside it" \
	"$one $(psql_val "$web_waits")" "1 2"
lock_release
for pid in $join_pids; do wait "$pid"; done
same "... all three answered when the lock goes, the first two alike" \
	"$(cat "$T/join.a.code") $(cat "$T/join.b.code") $(cat "$T/join.c.code") $(cmp -s "$T/join.a" "$T/join.b" && echo alike)" \
	"200 200 200 alike"
stop_daemon "$web_pid"

# ---- stop signals again and again while it stops ----------------------------------------------
# As claimscrubd's (fault-signals.sh): a workbench already stopping is not
# killed by the next SIGTERM (web/main.c holds them before freeing its
# signal events).  SIGTERM in a loop until it is gone, a bounded one.
start_web "$T/warm.yaml"
term_until_gone "$web_pid"
wait_daemon "$web_pid" 30
st=$?
[ $st -eq 0 ] && ok "SIGTERM again and again while it stops ($term_sent sent): exit 0" ||
	not_ok "SIGTERM again and again while it stops: exit 0" "exit $st after $term_sent SIGTERMs" "$(tail -n 5 "$web_log")"

# ---- failed sign-ins ---------------------------------------------------------------------------
# 2 failures in a row as bob lock bob out for 3 s (each next try answered
# 429 without a check, even with the right password); alice signs in
# meanwhile; after the wait bob does.
web_config "$T/throttle.yaml" "login_max_failures: 2" "login_lockout_seconds: 3"
start_web "$T/throttle.yaml"
codes=""
for i in 1 2; do login bob "wrong-$i"; codes="$codes$code "; done
login bob "$bob_pw"
same "2 failed sign-ins as bob, then the right password: 403 403 429, said" \
	"$codes$code $(grep -c 'Too many failed sign-ins as this role: try again in 1 minute' "$T/b")" "403 403 429 1"
grep -q 'event=sign-in-throttled user=bob wait_s=[1-3]' "$web_log" && ok "the refusal is logged with the wait" ||
	not_ok "the refusal is logged with the wait" "$(tail -n 3 "$web_log")"
login alice "$alice_pw"
same "alice signs in meanwhile" "$code" 303
# (a try while locked is answered 429 and counts no failure: tried until
# the lock is over, 30 s at most)
for i in $(seq 1 150); do
	login bob "$bob_pw"
	[ "$code" = 429 ] || break
	sleep 0.2
done
same "after the wait, bob signs in" "$code" 303
stop_daemon "$web_pid"

# ---- auth: proxy ---------------------------------------------------------------------------
sock=$T/web.sock
web_config "$T/proxy.yaml" "auth: proxy" "proxy_sources: 127.0.0.2 unix"
start_web "$T/proxy.yaml"
req p1 GET / -H "X-Remote-User: alice"
same "a user header from 127.0.0.1, not a proxy source: 403" "$code" 403
grep -q 'event=forged-user-header peer=127.0.0.1' "$web_log" && ok "the forged header is logged with its source" ||
	not_ok "the forged header is logged with its source" "$(tail -n 3 "$web_log")"
code=$(curl -s -o "$T/b" -w '%{http_code}' --interface 127.0.0.2 -H "X-Remote-User: bob" "http://127.0.0.1:$web_port/")
same "from the proxy (127.0.0.2): bob's work list" "$code $(grep -c '<span id="who">bob</span>' "$T/b")" "200 1"
code=$(curl -s -o "$T/b" -w '%{http_code}' --interface 127.0.0.2 -H 'X-Remote-User: bob"; DROP' "http://127.0.0.1:$web_port/")
same "from the proxy, a name that is no role name: 403" "$code" 403
code=$(curl -s -o "$T/b" -w '%{http_code}' --interface 127.0.0.2 -H "X-Remote-User: mallory" "http://127.0.0.1:$web_port/")
same "from the proxy, a role that does not exist: 403, said" "$code $(grep -c 'may not act as mallory' "$T/b")" "403 1"
psql_val "CREATE ROLE carol LOGIN IN ROLE claimscrub_reviewer" >/dev/null
code=$(curl -s -o "$T/b" -w '%{http_code}' --interface 127.0.0.2 -H "X-Remote-User: carol" "http://127.0.0.1:$web_port/")
same "from the proxy, a role not granted to the workbench's login: 403, said" "$code $(grep -c 'may not act as carol' "$T/b")" "403 1"

# ---- a claim whose administrations are its encounter's MAR: the records on its page -------
psql_val "SELECT claimscrub.mar_store('hl7', :'r'::jsonb)" -v r='[{"id": "w-1/1", "encounter": "WEB-ENC-1",
	"status": "completed", "start": "2026-03-02T09:10:00-05:00", "stop": "2026-03-02T09:40:00-05:00",
	"drug": [], "drug_text": "Ceftriaxone <b>1 g</b>", "route_text": "IV", "site": "left forearm"}]' >/dev/null
psql_val "SELECT claimscrub.submit(:'d'::jsonb)" \
	-v d='{"claim": "WEB-MAR-1", "setting": "facility", "encounter": "WEB-ENC-1", "lines": [{"code": "96365"}]}' >/dev/null
psql_val "SELECT claimscrub.submit(:'d'::jsonb)" \
	-v d='{"claim": "WEB-MAR-2", "setting": "facility", "encounter": "WEB-ENC-2", "lines": [{"code": "96365"}]}' >/dev/null
code=$(curl -s -o "$T/b" -w '%{http_code}' --interface 127.0.0.2 -H "X-Remote-User: bob" "http://127.0.0.1:$web_port/claim/WEB-MAR-1")
same "a claim with an encounter: 200" "$code" 200
has "... its MAR records in a table, each value escaped" '<table id="mar">' '<td>w-1/1</td><td>completed</td>' \
	'<td>Ceftriaxone &lt;b&gt;1 g&lt;/b&gt;</td>' '<td>left forearm</td>'
code=$(curl -s -o "$T/b" -w '%{http_code}' --interface 127.0.0.2 -H "X-Remote-User: bob" "http://127.0.0.1:$web_port/claim/WEB-MAR-2")
has "a claim whose record has not come says so" '<p id="mar-none">No MAR record of encounter WEB-ENC-2 has come.</p>'
stop_daemon "$web_pid"
finish
