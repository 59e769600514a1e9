#!/bin/sh
# demo.sh — the main job end to end, from a fresh clone, as root or as a sudo
# user on Debian 12:
#   1. installs what it needs (apt-get), builds claimscrub out of tree;
#   2. scrubs the sample claims offline with `claimscrub check` (text view);
#   3. starts a throwaway PostgreSQL (a temporary directory, a Unix socket,
#      run as an unprivileged user: initdb refuses root), migrates it,
#      submits the samples with `claimscrub submit`, and drains the queue
#      with `claimscrubd --once`;
#   4. prints the flagged claims with their findings, and findings by rule,
#      from the database;
#   5. loads the example fee schedule (claimscrub db fees), shows the review
#      queue and the denial-risk report, and writes build/demo/report.html.
# The server is stopped and its directory removed on exit.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
pgbin=/usr/lib/postgresql/15/bin

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${SKIP_APT:-}" != 1 ]; then
	echo "== installing dependencies"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		build-essential autoconf automake pkg-config libyaml-dev libpq-dev \
		libevent-dev libcriterion-dev postgresql-15 postgresql-client-15 >/dev/null
fi

echo "== building"
[ -f config.status ] && make distclean >/dev/null 2>&1 || true
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
mkdir -p build/demo
(cd build/demo && "$top/configure" -q && make -j"$(nproc)" >/dev/null)
cs="$top/build/demo/cli/claimscrub"
csd="$top/build/demo/daemon/claimscrubd"

echo "== claimscrub check examples/*.yaml (offline)"
echo
"$cs" check --format text examples/*.yaml || true

echo "== a throwaway PostgreSQL"
tmp=$(mktemp -d /tmp/claimscrub-demo.XXXXXX)
chmod 755 "$tmp"
# initdb and the server run as an unprivileged user: root is refused
if [ "$(id -u)" = 0 ]; then
	chown postgres "$tmp"
	pg() { runuser -u postgres -- "$@"; }
else
	pg() { "$@"; }
fi
cleanup() {
	pg "$pgbin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
pg "$pgbin/initdb" -D "$tmp/data" -A trust -U postgres >/dev/null
pg "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
	-o "-k $tmp -c listen_addresses=''" start >/dev/null
export PGHOST="$tmp" PGUSER=postgres PGDATABASE=postgres

echo "== claimscrub db migrate"
"$cs" db migrate
echo "== claimscrub submit examples/*.yaml"
"$cs" submit examples/*.yaml
echo "== claimscrubd --once"
printf 'batch_size: 500\nhttp_port: 0\n' >"$tmp/claimscrubd.yaml"
"$csd" -c "$tmp/claimscrubd.yaml" --once

echo
echo "== flagged claims and their findings (from claimscrub.finding)"
psql -X -q -P pager=off <<'SQL'
SELECT c.claim_ref AS claim, c.payer, f.severity, f.rule,
       coalesce(f.line_no::text, '') AS line, f.message
  FROM claimscrub.claim c
  JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = c.version
 WHERE c.status <> 'clean'
 ORDER BY c.claim_ref, f.ordinal;
SQL
echo "== findings by rule"
psql -X -q -P pager=off <<'SQL'
SELECT f.rule, f.severity, count(*) AS findings,
       count(DISTINCT f.claim_id) AS claims
  FROM claimscrub.finding f
  JOIN claimscrub.claim c ON c.id = f.claim_id AND f.claim_version = c.version
 GROUP BY 1, 2 ORDER BY 3 DESC, 1;
SELECT status, count(*) AS claims FROM claimscrub.claim GROUP BY 1 ORDER BY 1;
SQL

echo
echo "== claimscrub db fees (rules.d + the example fee schedule, examples/rules.d)"
"$cs" db fees --rules rules.d --rules examples/rules.d
echo "== claimscrub review --limit 3"
"$cs" review --limit 3
echo
echo "== claimscrub report"
"$cs" report
"$cs" report --format html -o build/demo/report.html
echo
echo "== wrote build/demo/report.html (one self-contained file: open it in a browser)"
