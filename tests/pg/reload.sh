#!/bin/sh
# reload.sh — SIGHUP on a running daemon: a broken rule set is refused and
# the old rules stay in force (the daemon keeps scrubbing, with the old
# rule-set version); a good change is taken, and claims scrubbed after it
# carry the new rule-set version and are judged by the new rules.  A changed
# poll_interval_ms takes effect with the reload (issue 14, item 19): the
# daemon starts polling hourly, is reloaded with 200 ms, and must then pick
# up a claim that came without a NOTIFY within seconds.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

# Rules the daemon reloads from: a copy of rules.d we can change.
mkdir "$T/rules" && cp "$src"/rules.d/*.yaml "$T/rules/"
# hourly polls: claims reach it by NOTIFY (submit) until the last part
write_config "$T/d.yaml" "rules: [\"$T/rules\"]" "poll_interval_ms: 3600000"
start_daemon "$T/d.yaml"
pid=$daemon_pid

# submit_one REF MINUTES — a ceftriaxone infusion of MINUTES billed as 96365
submit_one() {
	cat >"$T/c.yaml" <<DOC
claim: $1
setting: facility
lines: [{code: "96365"}, {code: J0696, units: 4}]
administrations:
  - {id: A1, substance: ceftriaxone, kind: therapeutic, route: infusion,
     site: R-forearm, start: 2026-03-14T10:00, stop: 2026-03-14T10:$2}
DOC
	timeout 30 "$CLAIMSCRUB" submit "$T/c.yaml" >/dev/null 2>&1
}
scrubbed() { wait_until "SELECT status <> 'pending' FROM claimscrub.claim WHERE claim_ref = '$1'" 15; }
verdict() { psql_val "SELECT status || ' ' || rules_version FROM claimscrub.claim WHERE claim_ref = '$1'"; }

submit_one R-1 12
scrubbed R-1 && ok "the daemon scrubs with the first rules" || not_ok "the daemon scrubs with the first rules"
v1=$(verdict R-1)
case $v1 in "flagged "*) ok "a 12-minute infusion billed 96365 is flagged ($v1)" ;;
*) not_ok "a 12-minute infusion billed 96365 is flagged" "got: $v1" ;; esac

# ---- a broken set: refused, the old one stays -------------------------------
printf 'settings: {push_max_minutes: [oops]}\n' >"$T/rules/95-broken.yaml"
kill -HUP "$pid"
if wait_log "event=reload-refused" 30; then ok "a broken rule file is refused (event=reload-refused)"; else
	not_ok "a broken rule file is refused" "$(tail -n 5 "$daemon_log")"; fi
grep -q "95-broken.yaml:1:" "$daemon_log" && ok "the log names the broken file and line" ||
	not_ok "the log names the broken file and line" "$(tail -n 5 "$daemon_log")"
kill -0 "$pid" 2>/dev/null && ok "the daemon keeps running" || not_ok "the daemon keeps running"
submit_one R-2 12
scrubbed R-2 || not_ok "a claim after the refused reload is scrubbed"
v2=$(verdict R-2)
[ "$v2" = "$v1" ] && ok "the old rules stay in force ($v2)" || not_ok "the old rules stay in force" "before: $v1, after: $v2"

# ---- a good change: taken, and the new version is on the claims --------------
rm -f "$T/rules/95-broken.yaml"
printf 'settings: {push_max_minutes: 10}\n' >"$T/rules/95-local.yaml"
kill -HUP "$pid"
if wait_log "event=reloaded" 30; then ok "a good change is taken (event=reloaded)"; else
	not_ok "a good change is taken" "$(tail -n 5 "$daemon_log")"; fi
submit_one R-3 12
scrubbed R-3 || not_ok "a claim after the reload is scrubbed"
v3=$(verdict R-3)
case $v3 in
"clean "*) [ "${v3#clean }" != "${v1#flagged }" ] &&
	ok "the claim after the reload carries the new rule-set version and is judged by it ($v3)" ||
	not_ok "a new rule-set version after the reload" "before: $v1, after: $v3" ;;
*) not_ok "a 12-minute infusion is an infusion once push_max_minutes is 10" "got: $v3" ;;
esac
rv=$(psql_val "SELECT result->>'rules_version' || ' ' || (result->>'rules_version' = rules_version) FROM claimscrub.claim WHERE claim_ref = 'R-3'")
[ "$rv" = "${v3#clean } true" ] && ok "the result JSON records the same rule-set version ($rv)" ||
	not_ok "the result JSON records the rule-set version" "got: $rv, column: ${v3#clean }"

# ---- poll_interval_ms: applied by the reload ---------------------------------
write_config "$T/d.yaml" "rules: [\"$T/rules\"]" "poll_interval_ms: 200"
kill -HUP "$pid"
if wait_log "event=reloaded .*changed=poll_interval_ms later=none" 30; then
	ok "the reload log names the changed setting ($(grep 'event=reloaded' "$daemon_log" | tail -n 1 | sed 's/.*\(changed=.*\)/\1/'))"
else
	not_ok "the reload log names the changed setting" "$(grep 'event=reloaded' "$daemon_log")"
fi
# a claim that comes without a NOTIFY (as if it were missed): only the poll
# timer finds it, within 200 ms now instead of an hour
psql_val "ALTER TABLE claimscrub.claim DISABLE TRIGGER claim_enqueued" >/dev/null
gen_claims 1 || not_ok "a claim entered without a NOTIFY"
psql_val "ALTER TABLE claimscrub.claim ENABLE TRIGGER claim_enqueued" >/dev/null
if wait_until "SELECT status <> 'pending' FROM claimscrub.claim WHERE claim_ref = 'BULK-1-1'" 15; then
	ok "the new poll_interval_ms is in force: a claim without a NOTIFY is scrubbed at the next poll"
else
	not_ok "the new poll_interval_ms is in force: a claim without a NOTIFY is scrubbed at the next poll" \
		"still pending after 15 s; $(tail -n 3 "$daemon_log")"
fi

stop_daemon "$pid"; st=$?
[ "$st" -eq 0 ] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit 0" "status $st"
finish
