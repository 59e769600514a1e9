#!/bin/sh
# web-browser.sh — claimscrub-web in a real browser: headless Chromium,
# driven through the DevTools protocol (tests/web/walk.py), walks alice
# through signing in, the work list, a filter, the keyboard, the claim
# workspace and a decision that bob made first (409, his decision kept),
# with no console error and no request leaving the host; then the database
# shows each effect.  The data is web-setup.sh's.  CLAIMSCRUB_SHOTS=DIR
# keeps the screenshots (worklist.png, claim.png, conflict.png) in DIR.
# Prints TAP: the walk's points, then the database's.
set -u
. "$(dirname "$0")/lib.sh"
. "$src/tests/pg/web-setup.sh"
: "${PYTHON:=/usr/bin/python3}"
: "${CHROMIUM:=/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || setup_failed "Chromium is missing: $CHROMIUM (apt-get install chromium)"
"$PYTHON" -c 'import websocket' 2>/dev/null || setup_failed "python3-websocket is missing ($PYTHON; apt-get install python3-websocket)"


web_config "$T/web.yaml"
start_web "$T/web.yaml"
shots=${CLAIMSCRUB_SHOTS:-$T/shots}
mkdir -p "$shots"
claim=IC-2026-0308 rule=additional-hour-unsupported
f=$(psql_val "SELECT f.id FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id
               WHERE c.claim_ref = '$claim' AND f.rule = '$rule'")
# the walk's points become ours (numbered by tap.sh); a bail-out fails
timeout 240 "$PYTHON" "$src/tests/web/walk.py" --base "http://127.0.0.1:$web_port" \
	--user alice --password "$alice_pw" --user2 bob --password2 "$bob_pw" \
	--claim "$claim" --finding-rule "$rule" --shots "$shots" --chromium "$CHROMIUM" \
	>"$T/walk.tap" 2>"$T/walk.err"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) ok "browser: ${line#ok * - }" ;;
	"not ok "*) not_ok "browser: ${line#not ok * - }" ;;
	"# "*) echo "$line" ;;
	"Bail out!"*) not_ok "browser: the walk could not run: ${line#Bail out! }" "$(tail -n 5 "$T/walk.err")" ;;
	esac
done <"$T/walk.tap"
same "the walk ran to its end (exit 0)" "$rc" 0
[ "$(grep -c '^ok ' "$T/walk.tap")" -ge 20 ] && ok "the walk made at least 20 checks" ||
	not_ok "the walk made at least 20 checks" "$(grep -c '^ok ' "$T/walk.tap")"

# ---- what the database shows ----------------------------------------------------------
same "bob's decision is the finding's, with his note" \
	"$(psql_val "SELECT resolved_by || ' ' || note FROM claimscrub.finding WHERE id = $f")" "bob checked the MAR"
same "one decision in the trail: alice's stale form changed nothing" \
	"$(psql_val "SELECT count(*) FROM claimscrub.work_audit WHERE finding_id = $f AND action = 'decide'")" 1
same "both reads of the claim are in the PHI audit, as each person" \
	"$(psql_val "SELECT string_agg(DISTINCT a.actor, ' ') FROM claimscrub.work_audit a
	             JOIN claimscrub.claim c ON c.id = a.claim_id
	             WHERE c.claim_ref = '$claim' AND a.action = 'read'")" "alice bob"
for s in worklist claim conflict; do
	[ -s "$shots/$s.png" ] && [ "$(head -c 8 "$shots/$s.png" | od -An -c | tr -d ' ')" = "211PNG\r\n032\n" ] &&
		ok "screenshot $s.png saved" || not_ok "screenshot $s.png saved" "$(ls -l "$shots")"
done
grep -q 'event=sign-in user=alice result=ok' "$web_log" && grep -q 'event=sign-out user=alice' "$web_log" &&
	ok "the workbench logged alice's sign-in and sign-out" || not_ok "the workbench logged alice's sign-in and sign-out" "$(tail -n 5 "$web_log")"
stop_daemon "$web_pid"
same "SIGTERM: exit 0" "$?" 0
finish
